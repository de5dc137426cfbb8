/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The load probe's maps (load_probe.bpf.c), shared by the BPF program and
 * llmschedd's loader (runtime/llmschedd/loadprobe.c).  Plain fixed-width
 * fields: the same layout on both sides.
 *
 * The loader reads "loads" and "oncpu" through mmap(2) (both are
 * BPF_F_MMAPABLE arrays), so that a measurement every few milliseconds
 * costs no system call; only an agent's arrival and departure (the
 * "agents" map) do.
 */
#ifndef LLMSCHED_BPF_LOAD_PROBE_H
#define LLMSCHED_BPF_LOAD_PROBE_H

/*
 * The agents the probe can measure: LLMSCHED_IOC_LOAD_REPORT's most
 * entries.  Slot 0 of "loads" is never given: 0 means "none of ours".
 */
#define LOAD_PROBE_MAX_AGENTS	4096

/*
 * One agent's counters ("loads", indexed by the slot the loader gave the
 * agent in "agents").  Counters only grow; the loader takes differences.
 * A CPU adds to them only when it stops charging one agent for another
 * (struct load_probe_cpu's pending counters), atomically, as other CPUs
 * may add to the same agent.  One cache line each.
 * @run_ns: time its tasks ran on a CPU (runs that ended, and that their
 *	CPU has since added here).
 * @wait_ns: time its tasks were runnable but not running (woken, or
 *	preempted, until they got a CPU again): run-queue latency, summed
 *	over tasks, as the scheduler counts it (sched_info.run_delay) and
 *	charged when the run after the wait ends, less what a queued task
 *	waited before it was moved to another CPU; cpu.max throttling is
 *	in it too (a throttled task stays runnable).
 * @nr_switches: times one of its tasks left a CPU.
 */
struct load_probe_stat {
	__u64 run_ns;
	__u64 wait_ns;
	__u64 nr_switches;
	__u64 __pad[5];
};

/*
 * A leaf cgroup whose agent a CPU looked up (see struct load_probe_cpu):
 * @serial is the cgroup's serial_nr (0: none yet), never given twice in a
 * boot, so an entry cannot be taken for a folder made later at the same
 * address; @slot its agent's slot (0: none of ours); @gen the CPU's
 * @gen when it was looked up.
 */
struct load_probe_leaf {
	__u64 serial;
	__u32 slot;
	__u32 gen;
};

#define LOAD_PROBE_LEAVES	4

/*
 * One CPU ("oncpu", indexed by CPU), written by that CPU alone but for
 * @gen (the programs run with preemption off and never from an
 * interrupt).  Times are in the CPU's scheduler clock (its run queue's
 * clock_task, which the scheduler has just read at every switch and
 * which a task's sum_exec_runtime grows by), but for @mono_ns.
 *
 * What it runs: since when (@since_ns) and for which agent (@slot, 0:
 * none of ours).  @clock_ns and @mono_ns are one reading of the scheduler
 * clock and of CLOCK_MONOTONIC, taken again every LOAD_PROBE_CALIBRATE_NS
 * at a switch of an agent's task: the reader turns @since_ns into
 * CLOCK_MONOTONIC with them.  The two clocks drift apart by the kernel's
 * NTP correction (at most 500 ppm), and where the kernel leaves interrupt
 * or steal time out of clock_task (CONFIG_IRQ_TIME_ACCOUNTING,
 * CONFIG_PARAVIRT_TIME_ACCOUNTING), by that too: the span still running
 * is then read a little long, and the step after its end finds the
 * agent's count lower than last read and waits a step.
 *
 * What it has charged and not yet added to "loads": @pend_run_ns,
 * @pend_wait_ns and @pend_switches, all for the agent in @pend_slot (0:
 * none).  A switch adds to them with plain stores to this line; only
 * when the CPU charges another agent does it add them to "loads" (the
 * atomic adds, and the other agent's line), clear them and take the new
 * agent.
 *
 * @seq is odd while a program changes any of the above: a reader that
 * sees it odd, or changed across its reads, reads again, so that it never
 * sees a run both ended (pending) and going on (@since_ns).  The loader
 * reads "loads" before these: an amount moved to "loads" between the two
 * is missed for that step (all a CPU held for an agent, which then waits
 * a step), never counted twice.
 *
 * @wait_base_ns is the running task's run_delay when it got the CPU,
 * which the program alone uses: the waiting that ended then is what the
 * task's run_delay has grown by when it leaves.
 *
 * @leaf keeps the agents of the last leaves this CPU switched to, by
 * serial number modulo LOAD_PROBE_LEAVES: a switch to a task of a leaf
 * found there costs no walk up the cgroups and no hash lookup.  The
 * loader adds one to every CPU's @gen after every change to "agents",
 * which makes every entry look again.
 *
 * Three cache lines: the first is what the loader reads.
 */
struct load_probe_cpu {
	__u64 since_ns;
	__u32 slot;
	__u32 seq;
	__u32 pend_slot;
	__u32 pend_switches;
	__u64 pend_run_ns;
	__u64 pend_wait_ns;
	__u64 clock_ns;
	__u64 mono_ns;
	__u64 wait_base_ns;
	__u32 gen;
	__u32 __pad0;
	struct load_probe_leaf leaf[LOAD_PROBE_LEAVES];
	__u64 __pad1[7];
};

/* How often a CPU reads CLOCK_MONOTONIC beside its scheduler clock. */
#define LOAD_PROBE_CALIBRATE_NS	(64ULL * 1000 * 1000)

#endif /* LLMSCHED_BPF_LOAD_PROBE_H */
