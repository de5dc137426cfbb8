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
 * Timing follows runqlat's: a task's wake-up (or its preemption, when it
 * leaves the CPU still runnable) stamps it; when it next gets a CPU the
 * difference is its wait.  Each CPU remembers since when and for whom it
 * runs, so a switch charges the time just ended to the task leaving.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "load_probe.h"

/* TASK_RUNNING: a task that leaves the CPU in it was preempted. */
#define TASK_RUNNING 0

/* A store the compiler keeps, in program order (readers map these). */
#define STORE(x, v) (*(volatile typeof(x) *)&(x) = (v))

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

/*
 * The agent cgroup id each slot was given to, 0 when free: a slot a task
 * remembers is still its agent's only while this says so.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LOAD_PROBE_MAX_AGENTS + 1);
	__type(key, __u32);
	__type(value, __u64);
} owners SEC(".maps");

/*
 * What the probe keeps of a task below the daemon's root (task-local
 * storage): the agent found for its cgroup, so that the cgroup walk and
 * the hash lookup run once per task and cgroup, not at every event; and
 * since when it waits for a CPU (0: it does not).  A task without it is
 * none of ours, which costs the switch and wake-up hooks one lookup.
 *
 * It is made only where no scheduler lock is held: at fork
 * (sched_process_fork, after the child's cgroup is set, so a clone into
 * an agent's leaf is seen) and at a move into a cgroup
 * (cgroup_attach_task).  Never in the switch or wake-up hooks: they run
 * under the run queue's lock, and the allocation (GFP_ATOMIC) may wake
 * kswapd, which takes a run queue's lock.  The daemon loads the probe
 * before it starts its agents, so every task of theirs passes one of
 * the two.
 */
struct task_state {
	__u64 leaf_cgid;
	__u64 agent_cgid;
	__u64 queued_since;
	__u32 slot;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_state);
} tasks SEC(".maps");

/* Indexed by CPU; the loader sets max_entries to the possible CPUs. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct load_probe_cpu);
} oncpu SEC(".maps");

/* The agent cgroup @cg lies in, 0 when it is not below the daemon's root. */
static __always_inline __u64 agent_of(struct cgroup *cg)
{
	struct cgroup *up;
	int level;

	if (!agent_level || !cg)
		return 0;
	level = BPF_CORE_READ(cg, level);
	if (level < (int)agent_level)
		return 0;
	if (bpf_core_read(&up, sizeof(up), &cg->ancestors[agent_level - 1]) ||
	    !up || BPF_CORE_READ(up, kn, id) != root_cgid)
		return 0;
	if (bpf_core_read(&up, sizeof(up), &cg->ancestors[agent_level]) || !up)
		return 0;
	return BPF_CORE_READ(up, kn, id);
}

/*
 * The slot of @p's agent, 0 when it is none the loader listed; its state
 * in *@out (NULL when it has none: not one of ours).
 */
static __always_inline __u32 slot_of(struct task_struct *p,
				     struct task_state **out)
{
	struct task_state *t = bpf_task_storage_get(&tasks, p, 0, 0);
	struct cgroup *cg;
	__u64 leaf, agent, *owner;
	__u32 *slot, k;

	*out = t;
	if (!t)
		return 0;
	cg = BPF_CORE_READ(p, cgroups, dfl_cgrp);
	if (!cg)
		return 0;
	leaf = BPF_CORE_READ(cg, kn, id);
	if (t && t->slot && t->leaf_cgid == leaf) {
		k = t->slot;
		owner = bpf_map_lookup_elem(&owners, &k);
		if (owner && *owner == t->agent_cgid)
			return k;
	}
	/* Not known, moved, or its agent left: look again. */
	agent = agent_of(cg);
	slot = agent ? bpf_map_lookup_elem(&agents, &agent) : NULL;
	if (!slot) {
		t->slot = 0;
		return 0;
	}
	t->leaf_cgid = leaf;
	t->agent_cgid = agent;
	t->slot = *slot;
	return *slot;
}

/*
 * @p is (now) in a cgroup below the daemon's root: give it its state.
 * Its agent is looked up at its next switch in (it may not be listed
 * yet: an agent's own process starts before it registers).
 */
static __always_inline void track(struct task_struct *p)
{
	struct task_state *t;

	if (!agent_of(BPF_CORE_READ(p, cgroups, dfl_cgrp)))
		return;
	t = bpf_task_storage_get(&tasks, p, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (t)
		t->slot = 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(llms_fork, struct task_struct *parent, struct task_struct *child)
{
	track(child);
	return 0;
}

SEC("tp_btf/cgroup_attach_task")
int BPF_PROG(llms_attach, struct cgroup *dst, const char *path,
	     struct task_struct *task, bool threadgroup)
{
	__u32 cpu_id, slot, pid = (__u32)bpf_get_current_pid_tgid();
	struct load_probe_cpu *cpu;
	struct task_state *t;

	track(task);
	/*
	 * A task that moved itself (a write of its own pid to cgroup.procs)
	 * is on this CPU now, and a busy one may not leave it for long:
	 * the CPU counts it for its agent from here, not from its next
	 * switch in.
	 */
	if (BPF_CORE_READ(task, pid) != pid)
		return 0;
	slot = slot_of(task, &t);
	cpu_id = bpf_get_smp_processor_id();
	cpu = bpf_map_lookup_elem(&oncpu, &cpu_id);
	if (!slot || !cpu)
		return 0;
	STORE(cpu->since_ns, bpf_ktime_get_ns());
	STORE(cpu->slot, slot);
	return 0;
}

/* @p is runnable from @now: stamped when it is one of ours. */
static __always_inline void stamp(struct task_struct *p, __u64 now)
{
	struct task_state *t = bpf_task_storage_get(&tasks, p, 0, 0);

	if (t)
		t->queued_since = now;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(llms_wakeup, struct task_struct *p)
{
	stamp(p, bpf_ktime_get_ns());
	return 0;
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(llms_wakeup_new, struct task_struct *p)
{
	stamp(p, bpf_ktime_get_ns());
	return 0;
}

SEC("tp_btf/sched_switch")
int BPF_PROG(llms_switch, bool preempt, struct task_struct *prev,
	     struct task_struct *next, unsigned int prev_state)
{
	__u32 cpu_id = bpf_get_smp_processor_id(), slot;
	__u64 now = bpf_ktime_get_ns();
	struct load_probe_stat *s;
	struct load_probe_cpu *cpu;
	struct task_state *t = NULL;

	cpu = bpf_map_lookup_elem(&oncpu, &cpu_id);
	if (!cpu)
		return 0;
	/* The time just ended, to whom it ran for. */
	slot = cpu->slot;
	if (slot) {
		s = bpf_map_lookup_elem(&loads, &slot);
		if (s) {
			if (cpu->since_ns && now > cpu->since_ns)
				__sync_fetch_and_add(&s->run_ns,
						     now - cpu->since_ns);
			__sync_fetch_and_add(&s->nr_switches, 1);
		}
		/*
		 * Still runnable, it waits from now on: running, or
		 * preempted on its way to sleep (it stays queued).
		 */
		if (preempt || prev_state == TASK_RUNNING)
			stamp(prev, now);
	}

	slot = BPF_CORE_READ(next, pid) ? slot_of(next, &t) : 0;
	if (t && t->queued_since) {
		/* An agent not listed yet is not charged, nor later. */
		s = slot ? bpf_map_lookup_elem(&loads, &slot) : NULL;
		if (s && now > t->queued_since)
			__sync_fetch_and_add(&s->wait_ns,
					     now - t->queued_since);
		t->queued_since = 0;
	}
	STORE(cpu->since_ns, now);
	STORE(cpu->slot, slot);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
