// SPDX-License-Identifier: GPL-2.0
/*
 * llmschedd's load probe: per agent, the CPU time its tasks used, the time
 * they waited runnable for a CPU (run-queue latency) and their context
 * switches, from the scheduler's own tracepoints.
 *
 * An agent is a cgroup folder ROOT/NAME-I/ (runtime/llmschedd/llmschedd.h);
 * its process and its tasks live in leaves below it.  A task is charged to
 * the ancestor of its cgroup at the agents' level (@agent_level) when the
 * ancestor above that is the daemon's root (@root_cgid): the map holds
 * agents only, whatever their tasks' leaves, and nothing of the rest of
 * the host.  Keys are cgroup ids (the folder's inode number), which is
 * what the module's agent list gives as cgroup_id.
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

/* Set by the loader before load. */
const volatile __u64 root_cgid = 0;
const volatile __u32 agent_level = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, LOAD_PROBE_MAX_AGENTS);
	__type(key, __u64);
	__type(value, struct load_probe_stat);
} loads SEC(".maps");

/* A task waiting for a CPU: since when, and its agent. */
struct queued {
	__u64 since;
	__u64 cgid;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LOAD_PROBE_MAX_QUEUED);
	__type(key, __u32);
	__type(value, struct queued);
} queued SEC(".maps");

/* What this CPU runs: since when, and its agent (0: none of ours). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct queued);
} oncpu SEC(".maps");

/* The agent @p belongs to, 0 when it is not below the daemon's root. */
static __always_inline __u64 agent_of(struct task_struct *p)
{
	struct cgroup *cg, *up;
	int level;

	if (!agent_level)
		return 0;
	cg = BPF_CORE_READ(p, cgroups, dfl_cgrp);
	if (!cg)
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

static __always_inline struct load_probe_stat *stat_of(__u64 cgid)
{
	static const struct load_probe_stat zero;
	struct load_probe_stat *s;

	s = bpf_map_lookup_elem(&loads, &cgid);
	if (s)
		return s;
	/* Another CPU may have added it first: then this one's is there. */
	bpf_map_update_elem(&loads, &cgid, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&loads, &cgid);
}

static __always_inline void stamp(struct task_struct *p, __u64 now)
{
	struct queued q;
	__u32 pid;

	q.cgid = agent_of(p);
	if (!q.cgid)
		return;
	q.since = now;
	pid = BPF_CORE_READ(p, pid);
	bpf_map_update_elem(&queued, &pid, &q, BPF_ANY);
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
	__u64 now = bpf_ktime_get_ns();
	struct load_probe_stat *s;
	struct queued *q, *cpu;
	__u32 zero = 0, pid;

	cpu = bpf_map_lookup_elem(&oncpu, &zero);
	if (!cpu)
		return 0;
	/* The time just ended, to whom it ran for. */
	if (cpu->cgid) {
		s = stat_of(cpu->cgid);
		if (s) {
			if (cpu->since && now > cpu->since)
				s->run_ns += now - cpu->since;
			s->nr_switches++;
		}
		/* Still runnable: it waits from now on. */
		if (prev_state == TASK_RUNNING)
			stamp(prev, now);
	}

	pid = BPF_CORE_READ(next, pid);
	q = bpf_map_lookup_elem(&queued, &pid);
	if (q) {
		s = stat_of(q->cgid);
		if (s && now > q->since)
			s->wait_ns += now - q->since;
		bpf_map_delete_elem(&queued, &pid);
	}
	cpu->since = now;
	cpu->cgid = pid ? agent_of(next) : 0;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
