// SPDX-License-Identifier: GPL-2.0
/*
 * The load probe benchmark's floor (tools/bench/loadbench, part 1b): a
 * program on the same tracepoint as the probe's llms_switch that does
 * nothing, so that what any program there costs (the kernel's entry into
 * it, and on an emulated CPU the timing of it) is measured in the same
 * boot and can be told from what the probe's own work costs.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("tp_btf/sched_switch")
int BPF_PROG(floor_switch, bool preempt, struct task_struct *prev,
	     struct task_struct *next, unsigned int prev_state)
{
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
