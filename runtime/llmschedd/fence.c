// SPDX-License-Identifier: GPL-2.0
/*
 * llmschedd: the GPU fence (fence.h) on libbpf and the skeleton of
 * runtime/bpf/gpu_fence.bpf.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "fence.h"
#include "gpu_fence.skel.h"

/* The program's cgroup storage value (gpu_fence.bpf.c). */
struct fence_rule {
	__u32 major;
	__u32 minor;
};

struct fence_allow {
	__u32 n;
	__u32 pad;
	struct fence_rule rules[LLMSD_FENCE_RULES_MAX];
};

struct llmsd_fence {
	struct gpu_fence_bpf *skel;
};

/* libbpf's warnings go to stderr (the daemon's log); its chatter does not. */
static int print_warnings(enum libbpf_print_level level, const char *fmt,
			  va_list ap)
{
	if (level != LIBBPF_WARN)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

int llmsd_fence_open(struct llmsd_fence **out, struct llms_error **err)
{
	struct llmsd_fence *f = calloc(1, sizeof(*f));
	int ret;

	if (!f)
		return llms_error_set(err, ENOMEM, "the GPU fence");
	libbpf_set_print(print_warnings);
	f->skel = gpu_fence_bpf__open_and_load();
	if (!f->skel) {
		ret = errno ? errno : EINVAL;
		free(f);
		return llms_error_set(err, ret,
				      "loading the GPU fence (a cgroup device BPF program): run llmschedd as root on a kernel with BPF, or set [daemon] gpu_fence = off to let tasks open every GPU");
	}
	*out = f;
	return 0;
}

void llmsd_fence_close(struct llmsd_fence *f)
{
	if (!f)
		return;
	gpu_fence_bpf__destroy(f->skel);
	free(f);
}

int llmsd_fence_attach(struct llmsd_fence *f, int cgroup_fd, const char *path,
		       const struct llmsd_dev *allow, size_t n,
		       const struct llmsd_dev *more, size_t nmore,
		       struct llms_error **err)
{
	struct bpf_cgroup_storage_key key = { 0 };
	struct fence_allow value = { 0 };
	int prog = bpf_program__fd(f->skel->progs.llmsd_gpu_fence);
	int map = bpf_map__fd(f->skel->maps.allow);
	struct stat st;
	size_t i;
	int ret;

	if (n + nmore > LLMSD_FENCE_RULES_MAX)
		return llms_error_set(err, E2BIG,
				      "fencing %s: %zu device nodes to allow, more than %d",
				      path, n + nmore, LLMSD_FENCE_RULES_MAX);
	for (i = 0; i < n + nmore; i++) {
		const struct llmsd_dev *d = i < n ? &allow[i] : &more[i - n];

		value.rules[value.n].major = d->major;
		value.rules[value.n++].minor = d->minor;
	}
	/* A cgroup's id is its folder's inode number. */
	if (fstat(cgroup_fd, &st))
		return llms_error_set(err, errno, "fencing %s", path);
	key.cgroup_inode_id = st.st_ino;
	key.attach_type = BPF_CGROUP_DEVICE;
	if (bpf_prog_attach(prog, cgroup_fd, BPF_CGROUP_DEVICE,
			    BPF_F_ALLOW_MULTI))
		return llms_error_set(err, errno,
				      "fencing %s: attaching the GPU fence",
				      path);
	if (bpf_map_update_elem(map, &key, &value, BPF_EXIST)) {
		ret = llms_error_set(err, errno,
				     "fencing %s: writing its allow list", path);
		bpf_prog_detach2(prog, cgroup_fd, BPF_CGROUP_DEVICE);
		return ret;
	}
	return 0;
}

int llmsd_fence_detach_all(int cgroup_fd, const char *path,
			   struct llms_error **err)
{
	__u32 ids[64], count = 64, flags = 0, i;
	int detached = 0, fd;

	if (bpf_prog_query(cgroup_fd, BPF_CGROUP_DEVICE, 0, &flags, ids,
			   &count))
		return llms_error_set(err, errno,
				      "%s: listing its device programs", path);
	for (i = 0; i < count; i++) {
		struct bpf_prog_info info = { 0 };
		__u32 len = sizeof(info);

		fd = bpf_prog_get_fd_by_id(ids[i]);
		if (fd < 0)
			continue;	/* gone meanwhile */
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    !strcmp(info.name, LLMSD_FENCE_PROG_NAME) &&
		    !bpf_prog_detach2(fd, cgroup_fd, BPF_CGROUP_DEVICE))
			detached++;
		close(fd);
	}
	return detached;
}
