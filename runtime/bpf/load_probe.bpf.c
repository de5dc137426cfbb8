// SPDX-License-Identifier: GPL-2.0
/*
 * llmschedd's load probe: per agent, the CPU time its tasks used, the time
 * they waited runnable for a CPU (run-queue latency) and their context
 * switches, from the scheduler's own tracepoints.
 *
 * An agent is a cgroup folder ROOT/NAME-I/ (runtime/llmschedd/llmschedd.h);
 * its process and its tasks live in leaves below it.  A task is charged to
 * the ancestor of its cgroup at the agents' level (@agent_level) when the
 * ancestor above that is the daemon's root (@root_cgid) and the loader
 * listed that ancestor in "agents": nothing of the rest of the host is
 * counted.  Keys of "agents" are cgroup ids (the folder's inode number,
 * the module's agent list's cgroup_id); its values are slots in "loads".
 *
 * Each CPU remembers since when and for whom it runs, so a switch charges
 * the time just ended to the task leaving, and the loader adds the span
 * still running.  Time is the scheduler's own clock, the one it has just
 * read for the switch (exec_start): a run is charged what the task's
 * sum_exec_runtime grew by, which is what cpu.stat counts, and a switch
 * reads no clock of its own (a CPU reads CLOCK_MONOTONIC every
 * LOAD_PROBE_CALIBRATE_NS, for the loader's span still running).
 * Waiting is the scheduler's own count too: a task's
 * sched_info.run_delay, the run-queue time it has summed since fork
 * (CONFIG_SCHED_INFO, kept whatever sysctl says).  The scheduler adds a
 * wait to it just after the switch that ends the wait, so what it grew
 * by between a task's switch in and its switch out is the wait that
 * ended at that switch in: no wake-up needs a program of its own.  What
 * it is not: the wait of a queued task before the kernel moved it to
 * another CPU, which the dequeue adds before the switch in takes the
 * base.  Counting that would take per-task state; loops the balancing
 * moves between two CPUs were found 4% under schedstat for it.
 *
 * A CPU keeps what it charges in its own line of "oncpu" while it runs
 * one agent, and adds it to the agent's shared line of "loads" (atomic
 * adds, which other CPUs make too) only when it goes to another agent.
 *
 * Nothing is kept per task: a switch finds the task's agent from its
 * cgroup, read straight through the BTF-typed pointers the tracepoints
 * give (no helper call), in a small per-CPU table of the leaves it saw
 * last, and only when the leaf is not there by a walk up the cgroups and
 * a hash lookup.  Only a switch in which one of the two tasks is an
 * agent's does more.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "load_probe.h"

/* A store the compiler keeps, in program order (readers map these). */
#define STORE(x, v) (*(volatile typeof(x) *)&(x) = (v))

/*
 * How far below its agent's folder a task's cgroup may lie and still be
 * counted: the runtime's leaves are one level down (NAME/agent,
 * NAME/task-ID); the rest is room for a task that makes folders of its
 * own in a delegated leaf.
 */
#define LEAF_DEPTH_MAX 8

/* A CPU's pending switches go to "loads" before they can wrap. */
#define PEND_SWITCHES_MAX (1U << 30)

/* Set by the loader before load. */
const volatile __u64 root_cgid = 0;
const volatile __u32 agent_level = 0;

/* The agents measured: cgroup id -> slot in "loads" (from 1). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LOAD_PROBE_MAX_AGENTS);
	__type(key, __u64);
	__type(value, __u32);
} agents SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, LOAD_PROBE_MAX_AGENTS + 1);
	__type(key, __u32);
	__type(value, struct load_probe_stat);
} loads SEC(".maps");

/* Indexed by CPU; the loader sets max_entries to the possible CPUs. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct load_probe_cpu);
} oncpu SEC(".maps");

/* The cgroup above @cg, NULL above the root. */
static __always_inline struct cgroup *parent_of(struct cgroup *cg)
{
	struct cgroup_subsys_state *up = cg->self.parent;

	return up ? up->cgroup : NULL;
}

/*
 * The slot of @cg's agent, 0 when @cg is not below a folder the loader
 * listed: a walk up of a few levels to the agents' level, a compare of
 * the folder above with the daemon's root, and one hash lookup.
 */
static __always_inline __u32 look_up_slot(struct cgroup *cg, int below)
{
	struct cgroup *up;
	__u32 *slot;
	__u64 id;
	int i;

	for (i = 0; i < LEAF_DEPTH_MAX && i < below && cg; i++)
		cg = parent_of(cg);
	up = cg ? parent_of(cg) : NULL;
	if (!up || up->kn->id != root_cgid)
		return 0;
	id = cg->kn->id;
	slot = bpf_map_lookup_elem(&agents, &id);
	return slot ? *slot : 0;
}

/*
 * The slot of @p's agent, 0 when none.  Tasks of the rest of the host at
 * a level above the agents' or far below cost a load and a compare; the
 * others, a look in @cpu's leaves, and only on a miss the lookup above.
 */
static __always_inline __u32 slot_of(struct load_probe_cpu *cpu,
				     struct task_struct *p)
{
	struct cgroup *cg = p->cgroups->dfl_cgrp;
	struct load_probe_leaf *leaf;
	__u64 serial;
	__u32 gen;
	int below;

	if (!agent_level || !cg)
		return 0;
	below = cg->level - (int)agent_level;
	if (below < 0 || below > LEAF_DEPTH_MAX)
		return 0;
	serial = cg->self.serial_nr;
	leaf = &cpu->leaf[serial % LOAD_PROBE_LEAVES];
	gen = *(volatile __u32 *)&cpu->gen;
	if (leaf->serial == serial && leaf->gen == gen)
		return leaf->slot;
	leaf->slot = look_up_slot(cg, below);
	leaf->gen = gen;
	leaf->serial = serial;
	return leaf->slot;
}

/*
 * What @cpu holds for its pending agent goes to "loads", and @slot
 * becomes its pending agent.  Under an odd @seq (update_begin()).
 */
static __always_inline void pend_for(struct load_probe_cpu *cpu, __u32 slot)
{
	__u32 was = cpu->pend_slot;
	struct load_probe_stat *s;

	if (was) {
		s = bpf_map_lookup_elem(&loads, &was);
		if (s) {
			__sync_fetch_and_add(&s->run_ns, cpu->pend_run_ns);
			__sync_fetch_and_add(&s->wait_ns, cpu->pend_wait_ns);
			__sync_fetch_and_add(&s->nr_switches,
					     cpu->pend_switches);
		}
		STORE(cpu->pend_run_ns, 0);
		STORE(cpu->pend_wait_ns, 0);
		STORE(cpu->pend_switches, 0);
	}
	STORE(cpu->pend_slot, slot);
}

/*
 * The CPU ran @prev for the agent in @slot from @cpu->since_ns to @end:
 * charge that span, the wait that ended when the span began, and, when
 * @prev leaves the CPU (@switched), the switch.  What is pending for
 * another agent, or enough switches that the count would wrap, goes
 * first.  Under an odd @seq.
 */
static __always_inline void charge(struct load_probe_cpu *cpu, __u32 slot,
				   struct task_struct *prev, __u64 end,
				   bool switched)
{
	__u64 waited = prev->sched_info.run_delay;

	if (cpu->pend_slot != slot || cpu->pend_switches >= PEND_SWITCHES_MAX)
		pend_for(cpu, slot);
	if (cpu->since_ns && end > cpu->since_ns)
		STORE(cpu->pend_run_ns,
		      cpu->pend_run_ns + (end - cpu->since_ns));
	if (waited > cpu->wait_base_ns)
		STORE(cpu->pend_wait_ns,
		      cpu->pend_wait_ns + (waited - cpu->wait_base_ns));
	if (switched)
		STORE(cpu->pend_switches, cpu->pend_switches + 1);
}

/*
 * @now in the scheduler clock: a new pair of readings when due.  Under
 * an odd @seq.
 */
static __always_inline void calibrate(struct load_probe_cpu *cpu, __u64 now)
{
	if (cpu->clock_ns && now - cpu->clock_ns < LOAD_PROBE_CALIBRATE_NS)
		return;
	STORE(cpu->clock_ns, now);
	STORE(cpu->mono_ns, bpf_ktime_get_ns());
}

/*
 * From @start (the scheduler clock), @cpu runs @p for the agent in @slot
 * (0: none of ours).  Under an odd @seq.
 */
static __always_inline void run_begins(struct load_probe_cpu *cpu,
				       struct task_struct *p, __u32 slot,
				       __u64 start)
{
	calibrate(cpu, start);
	cpu->wait_base_ns = p->sched_info.run_delay;
	STORE(cpu->since_ns, start);
	STORE(cpu->slot, slot);
}

/*
 * Everything a program changes in @cpu that the loader reads lies
 * between these two: the loader takes none of it while @seq is odd, nor
 * across a change of @seq, so that it never sees a run both ended
 * (pending) and going on (@since_ns), nor pending amounts already in
 * "loads".
 */
static __always_inline void update_begin(struct load_probe_cpu *cpu)
{
	STORE(cpu->seq, cpu->seq + 1);
}

static __always_inline void update_end(struct load_probe_cpu *cpu)
{
	STORE(cpu->seq, cpu->seq + 1);
}

/*
 * A task that moved itself into an agent's cgroup (a write of its own pid
 * to cgroup.procs) is on this CPU now, and a busy one may not leave it for
 * long: the CPU counts it for its agent from the move, not from its next
 * switch in.  A task moved by another is counted from its next switch in.
 */
SEC("tp_btf/cgroup_attach_task")
int BPF_PROG(llms_attach, struct cgroup *dst, const char *path,
	     struct task_struct *task, bool threadgroup)
{
	__u32 cpu_id, slot, pid = (__u32)bpf_get_current_pid_tgid();
	struct load_probe_cpu *cpu;
	__u64 now;

	if (task->pid != pid)
		return 0;
	cpu_id = task->thread_info.cpu;
	cpu = bpf_map_lookup_elem(&oncpu, &cpu_id);
	if (!cpu)
		return 0;
	slot = slot_of(cpu, task);
	if (!slot)
		return 0;
	/*
	 * The scheduler clock of the move: moving a running task to
	 * another cpu cgroup (sched_move_task()) puts it and sets it again,
	 * and sets exec_start; within one, it is its last update, at most
	 * a tick ago, which the new agent is then charged.
	 */
	now = task->se.exec_start;
	update_begin(cpu);
	/* From another agent's cgroup: what it ran there is that one's. */
	if (cpu->slot)
		charge(cpu, cpu->slot, task, now, false);
	run_begins(cpu, task, slot, now);
	update_end(cpu);
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(llms_switch, bool preempt, struct task_struct *prev,
	     struct task_struct *next, unsigned int prev_state)
{
	__u32 cpu_id = prev->thread_info.cpu, slot, was;
	struct load_probe_cpu *cpu;
	__u64 end, start;

	cpu = bpf_map_lookup_elem(&oncpu, &cpu_id);
	if (!cpu)
		return 0;
	was = cpu->slot;
	slot = next->pid ? slot_of(cpu, next) : 0;
	/* Neither the task leaving nor the one coming is an agent's. */
	if (!was && !slot)
		return 0;
	/*
	 * The scheduler clock: the classes set exec_start when they put
	 * the task leaving (update_curr(), all but idle's) and when they
	 * set the one coming.  The two differ when the CPU balanced before
	 * it picked (the lock is let go, the clock read again): the time
	 * between is neither task's, as cpu.stat has it.
	 */
	end = prev->pid ? prev->se.exec_start : next->se.exec_start;
	start = next->pid ? next->se.exec_start : end;
	update_begin(cpu);
	if (was)
		charge(cpu, was, prev, end, true);
	run_begins(cpu, next, slot, start);
	update_end(cpu);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
