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
 * agent in "agents"), added to atomically by every CPU.  Counters only
 * grow; the loader takes differences.  One cache line each, so that CPUs
 * charging different agents do not share a line.
 * @run_ns: time its tasks ran on a CPU (runs that ended).
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
 * What one CPU runs ("oncpu", indexed by CPU): since when (@since_ns,
 * CLOCK_MONOTONIC) and for which agent (@slot, 0: none of ours).  The
 * program writes @since_ns before @slot, and x86 keeps stores in order
 * (the only target built): a reader that catches a switch half-written
 * charges at most the few nanoseconds between the two stores to the
 * agent leaving.  @wait_base_ns is the running task's run_delay when it
 * got the CPU, which the program alone uses: the waiting that ended then
 * is what the task's run_delay has grown by when it leaves.
 */
struct load_probe_cpu {
	__u64 since_ns;
	__u32 slot;
	__u32 __pad0;
	__u64 wait_base_ns;
	__u64 __pad[5];
};

#endif /* LLMSCHED_BPF_LOAD_PROBE_H */
