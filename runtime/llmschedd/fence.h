/* SPDX-License-Identifier: GPL-2.0 */
/*
 * llmschedd: the GPU fence, runtime/bpf/gpu_fence.bpf.c loaded, attached
 * to cgroups with their allow lists, and detached.
 *
 * The supervisor attaches one to each agent's folder (NAME/, so the agent
 * process and every task below it are bound by the agent's GPUs), and
 * each agent process one to each of its tasks' folders (the task's own
 * GPUs).  Both with BPF_F_ALLOW_MULTI: both run, both must allow.  An
 * attachment outlives the process that made it (it is the cgroup's), so
 * an agent whose supervisor died stays fenced; it goes with
 * llmsd_fence_detach_all() or when the cgroup is removed.
 *
 * Thread safety: a fence belongs to one thread.
 */
#ifndef LLMSCHED_LLMSCHEDD_FENCE_H
#define LLMSCHED_LLMSCHEDD_FENCE_H

#include <stddef.h>

#include "../lib/error.h"
#include "gpu.h"

/* The program's name, as bpftool shows it. */
#define LLMSD_FENCE_PROG_NAME "llmsd_gpu_fence"

struct llmsd_fence;

/*
 * Load the program.  Errors: what the kernel says (EPERM without
 * CAP_BPF and CAP_SYS_ADMIN, EINVAL without cgroup device programs), with
 * what to do: run as root, or set [daemon] gpu_fence = off.
 */
int llmsd_fence_open(struct llmsd_fence **f, struct llms_error **err);
/* Unload our copy; attachments stay with their cgroups. */
void llmsd_fence_close(struct llmsd_fence *f);

/*
 * Attach to the cgroup @cgroup_fd (@path for messages) with the allow
 * list @allow[0..n) plus @more[0..nmore) (a task's GPU nodes).  On error
 * nothing stays attached.  E2BIG past LLMSD_FENCE_RULES_MAX rules.
 */
int llmsd_fence_attach(struct llmsd_fence *f, int cgroup_fd, const char *path,
		       const struct llmsd_dev *allow, size_t n,
		       const struct llmsd_dev *more, size_t nmore,
		       struct llms_error **err);

/*
 * Detach every program named LLMSD_FENCE_PROG_NAME from @cgroup_fd,
 * whoever loaded it (a supervisor before a restart): the number
 * detached, or -errno.
 */
int llmsd_fence_detach_all(int cgroup_fd, const char *path,
			   struct llms_error **err);

#endif /* LLMSCHED_LLMSCHEDD_FENCE_H */
