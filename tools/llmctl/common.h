/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What several llmctl commands share: the runtime's configuration (tag
 * names, log and state folders), state, user and resource words parsed
 * and printed, and the JSON shapes of a resource vector and a tag set.
 */
#ifndef LLMCTL_COMMON_H
#define LLMCTL_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "llmctl.h"
#include "output.h"

/*
 * The runtime's configuration into @c: --config's file, else the default
 * one when it exists.  Without either @c holds the defaults (tags shown as
 * bit numbers, the default folders) and *@have is false.  A file that is
 * named and bad is reported; then LLMCTL_EXIT_FAILURE, else 0.
 */
int llmctl_config(const struct llmctl *ctx, struct llmsd_config *c,
		  bool *have);

/*
 * @tags as the configuration's names, comma-separated ("fast,h200"),
 * a bit without a name as "bitN"; "-" for none.
 */
void llmctl_format_tags(const struct llmsd_config *c, uint64_t tags,
			char *buf, size_t size);
/* The same as a JSON array of strings. */
struct json_object *llmctl_json_tags(const struct llmsd_config *c,
				     uint64_t tags);

/*
 * A bit set of task states (1U << LLMSCHED_TASK_*) from a comma list of
 * llms_task_state_name() names, added to *@mask; -1 for an unknown name
 * (its position in *@bad).  "ended" is succeeded, failed and cancelled;
 * "active" every other state.
 */
int llmctl_parse_states(const char *list, uint32_t *mask, const char **bad);
#define LLMCTL_STATES_ENDED	((1U << LLMSCHED_TASK_SUCCEEDED) | \
				 (1U << LLMSCHED_TASK_FAILED) | \
				 (1U << LLMSCHED_TASK_CANCELLED))
#define LLMCTL_STATES_ALL	(((1U << (LLMSCHED_TASK_FROZEN + 1)) - 1) & ~1U)
#define LLMCTL_STATES_ACTIVE	(LLMCTL_STATES_ALL & ~LLMCTL_STATES_ENDED)
/* The accepted words, for messages. */
#define LLMCTL_STATE_WORDS	"queued, runnable, assigned, running, " \
				"stopping, frozen, succeeded, failed, " \
				"cancelled, active or ended"

/* A user name or a decimal uid into *@uid; -1 when neither. */
int llmctl_parse_user(const char *s, uid_t *uid);
/* A uid's name (cached; the number when it has none). */
const char *llmctl_user_name(uid_t uid);

/* "on"/"off" (also yes/no, true/false, 1/0) into *@on; -1 otherwise. */
int llmctl_parse_on_off(const char *s, bool *on);

/* One kind of a resource vector, for a table: "1.5", "512M", "2". */
void llmctl_format_res(unsigned int kind, uint64_t v, char *buf, size_t size);
/* The kinds' names in tables and messages: "cpu", "memory", ... */
extern const char *const llmctl_res_names[LLMSCHED_RES_KNOWN];
/* A vector as JSON: {"cpu_mcpu", "mem_bytes", "gpu", "gpu_mem_bytes"}. */
struct json_object *llmctl_json_res(const __u64 *v);

/* CLOCK_MONOTONIC now, in the module's time base. */
uint64_t llmctl_now_ns(void);

/*
 * A duration for a table: "-" for 0 when @zero_dash, else as
 * llms_format_duration() rounded to what a person reads (ms below 10 s,
 * whole seconds above).
 */
void llmctl_format_age(uint64_t ns, bool zero_dash, char *buf, size_t size);

/*
 * What the runtime's estimator left in STATE_DIR/estimator.json
 * (runtime/llmschedd/estimator.c): @found is false when there is no such
 * file (no runtime, or it has learnt nothing yet).
 */
struct llmctl_est_state {
	bool found;
	char path[4096 + 32];
	double mae_ns;
	int64_t samples, window, updated;
	int features;
};
void llmctl_est_state(const struct llmsd_config *c,
		      struct llmctl_est_state *st);

/* The module's agent choices by enum llmsched_agent_choice (kmod/sysfs.c). */
const char *llmctl_choice_name(uint32_t choice);
/* A policy's name (llmsd_policy_names), "?" past them. */
const char *llmctl_policy_name(uint32_t policy);

/* tasks.c: which tasks a listing or a cancel takes. */
struct llmctl_task_filter {
	uint32_t states;	/* 1U << LLMSCHED_TASK_*; 0: any */
	bool by_user;
	uid_t uid;
	uint32_t agent;		/* 0: any */
	const char *glob;	/* fnmatch() on the label; NULL: any */
};

/*
 * --state (c 's'), --user ('u'), --agent ('a'), --name ('n'): @arg into
 * @f; 0, LLMCTL_EXIT_USAGE (reported), or -1 for another @c.
 */
int llmctl_task_filter_option(struct llmctl *ctx, int c, const char *arg,
			      struct llmctl_task_filter *f);

/*
 * The tasks @f selects, in id order, into *@out (malloc()ed) and *@count;
 * *@all_users says whether every user's were read (root) or only the
 * caller's.  --user naming another user without root is
 * LLMCTL_EXIT_PERMISSION.  Reports errors itself.
 */
int llmctl_list_tasks(struct llmctl *ctx, const struct llmctl_task_filter *f,
		      struct llmsched_task_info **out, size_t *count,
		      bool *all_users);

/* taskjson.c: one task as JSON (task.schema.json, without the paths). */
struct json_object *llmctl_task_json(const struct llmsd_config *c,
				     const struct llmsched_task_info *t);
/* The same document written to @out directly, without a newline. */
void llmctl_task_json_write(FILE *out, const struct llmsd_config *c,
			    const struct llmsched_task_info *t);
/* A task's label as a C string in @buf (LLMSCHED_LABEL_MAX bytes). */
const char *llmctl_task_label(const struct llmsched_task_info *t, char *buf);

#endif /* LLMCTL_COMMON_H */
