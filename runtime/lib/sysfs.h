/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libllmsched: reading /sys/kernel/llmsched, the module's state, as
 * Documentation/ABI/testing/sysfs-kernel-llmsched lists it.
 *
 * @rel is a path below /sys/kernel/llmsched ("queue/runnable",
 * "agents/3/load"); a leading '/' or a ".." component is refused with
 * EINVAL.  When a file is not there the error's code says why (enum
 * llms_sysfs_fault): the module is not loaded, the agent is not
 * registered, or this module has no such file.
 *
 * Thread safety: nothing is kept between calls; any thread may call them.
 * Each file is read at once, so its value is consistent, but two files
 * read one after the other may come from two different moments.
 */
#ifndef LLMSCHED_LIB_SYSFS_H
#define LLMSCHED_LIB_SYSFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/llmsched.h>

#include "error.h"

#define LLMS_SYSFS_ROOT "/sys/kernel/" LLMSCHED_DEVICE_NAME

/* Why a file was not there: the code of an ENOENT error. */
enum llms_sysfs_fault {
	LLMS_SYSFS_OK = 0,
	/* No /sys/kernel/llmsched: the module is not loaded. */
	LLMS_SYSFS_NO_MODULE,
	/* No agents/<id>/: no agent of that id is registered (any more). */
	LLMS_SYSFS_NO_AGENT,
	/* The module is loaded but has no such file. */
	LLMS_SYSFS_NO_FILE,
};

/* The file as a string, without its newline, in *@text (malloc()ed). */
int llms_sysfs_read_string(const char *rel, char **text,
			   struct llms_error **err);

/* The file as one decimal number; EPROTO when it holds something else. */
int llms_sysfs_read_u64(const char *rel, uint64_t *val,
			struct llms_error **err);

/* A line "KEY VALUE" of a file such as queue/by_priority. */
struct llms_sysfs_pair {
	char *key;
	uint64_t value;
};

/*
 * The file's "KEY VALUE" lines, in their order, in *@pairs (malloc()ed;
 * NULL when the file is empty) and their number in *@count; free them
 * with llms_sysfs_pairs_free().  EPROTO for a line of another shape.
 */
int llms_sysfs_read_pairs(const char *rel, struct llms_sysfs_pair **pairs,
			  size_t *count, struct llms_error **err);
void llms_sysfs_pairs_free(struct llms_sysfs_pair *pairs, size_t count);

/*
 * The ids of the registered agents (the folders of agents/), in
 * increasing order, in *@ids (malloc()ed; NULL when none).
 */
int llms_sysfs_agent_ids(uint32_t **ids, size_t *count,
			 struct llms_error **err);

/* One line of an agent's "tasks" file: "ID STATE [LABEL]". */
struct llms_sysfs_agent_task {
	uint64_t id;
	char state[16];			/* "assigned", "running", ... */
	char label[LLMSCHED_LABEL_MAX];	/* "" when it has none */
};

/*
 * An agent's folder, agents/<id>/.
 * @tasks, @ntasks: its assigned, running, stopping and frozen tasks; the
 *	file is root's only, so @tasks_read is false (and @ntasks 0) for
 *	others.
 */
struct llms_sysfs_agent {
	uint32_t id;
	pid_t pid;
	char *cgroup;
	uint64_t cgroup_id;
	uint64_t capacity_cpu;
	uint64_t capacity_mem;
	uint64_t capacity_gpu;
	uint64_t capacity_gpu_mem;
	uint64_t load;
	uint64_t slots;
	char *state;
	bool tasks_read;
	size_t ntasks;
	struct llms_sysfs_agent_task *tasks;
};

/*
 * Read agents/<@id>/ into @agent, to be freed with
 * llms_sysfs_agent_free().  ENOENT with the code LLMS_SYSFS_NO_AGENT when
 * no such agent is registered (or it went away while being read).
 */
int llms_sysfs_read_agent(uint32_t id, struct llms_sysfs_agent *agent,
			  struct llms_error **err);
void llms_sysfs_agent_free(struct llms_sysfs_agent *agent);

#endif /* LLMSCHED_LIB_SYSFS_H */
