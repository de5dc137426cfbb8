// SPDX-License-Identifier: GPL-2.0
/*
 * llmschedd's GPU fence: a cgroup device program that lets the processes
 * of a cgroup open only the device nodes on its allow list, EPERM for the
 * rest (runtime/llmschedd/fence.c loads and attaches it).
 *
 * One loaded program serves every cgroup it is attached to: its allow
 * list is cgroup local storage, one value per attachment (the kernel
 * makes it when the program is attached to a cgroup, and frees it when
 * the program is detached or the cgroup goes).  Attached with
 * BPF_F_ALLOW_MULTI to an agent's folder and to each of its tasks'
 * folders, every attached program runs and each must allow: a task gets
 * what its own list and its agent's both allow.  A cgroup whose list was
 * not written yet (between the attach and the update) allows nothing: a
 * fence that fails closed.
 *
 * Why storage per attachment rather than a hash keyed by cgroup id: in a
 * device program bpf_get_current_cgroup_id() is the opener's cgroup,
 * not the one the running attachment belongs to, so an agent-level and
 * a task-level attachment could not tell their lists apart; the
 * attachment's own storage can, and it needs no cleanup.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

/* As runtime/llmschedd/gpu.h's LLMSD_FENCE_RULES_MAX. */
#define FENCE_RULES_MAX 64
#define ANY_MINOR 0xffffffffu
#define DEVCG_DEV_CHAR 2	/* BPF_DEVCG_DEV_CHAR */

struct fence_rule {
	__u32 major;
	__u32 minor;		/* ANY_MINOR: every minor */
};

struct fence_allow {
	__u32 n;
	__u32 pad;
	struct fence_rule rules[FENCE_RULES_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_STORAGE);
	__type(key, struct bpf_cgroup_storage_key);
	__type(value, struct fence_allow);
} allow SEC(".maps");

SEC("cgroup/dev")
int llmsd_gpu_fence(struct bpf_cgroup_dev_ctx *ctx)
{
	struct fence_allow *a = bpf_get_local_storage(&allow, 0);
	__u32 i;

	/* Block devices: none is on any list. */
	if ((ctx->access_type & 0xffff) != DEVCG_DEV_CHAR)
		return 0;
	for (i = 0; i < FENCE_RULES_MAX; i++) {
		if (i >= a->n)
			break;
		if (a->rules[i].major == ctx->major &&
		    (a->rules[i].minor == ANY_MINOR ||
		     a->rules[i].minor == ctx->minor))
			return 1;
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
