/* SPDX-License-Identifier: GPL-2.0 */
/*
 * llmsub: one task as the user describes it, before it goes to the module.
 *
 * The command line (args.c) and the JSON-lines file (jsonl.c) fill the same
 * struct llmsub_task through the same setters, so that "--cpu 500m" and
 * {"cpu": "500m"} are checked by one piece of code and refused with the
 * same words.  A setter's message says what is wrong with the value and
 * what is accepted, never where it came from: the caller puts "--cpu: " or
 * "line 3: field \"cpu\": " in front (llms_error_prefix()).
 *
 * Everything here is pure: no device, no file but the environment and the
 * current directory read by llmsub_task_init(); the unit tests
 * (selftests/unit/llmsub.c) drive it all.
 *
 * Thread safety: a task belongs to one thread; nothing is shared.
 */
#ifndef LLMSCHED_LLMSUB_TASK_H
#define LLMSCHED_LLMSUB_TASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/llmsched.h>

#include "../../runtime/lib/error.h"

/* Defaults, as --help and Documentation/admin-guide/llmsub.rst give them. */
#define LLMSUB_DEF_CPU		1000ULL			/* one CPU */
#define LLMSUB_DEF_MEM		(256ULL << 20)		/* 256M */
#define LLMSUB_DEF_EST_NS	(60ULL * 1000000000)	/* 60s */
#define LLMSUB_DEF_RETRIES	1
/* The module's bound on every demand (EINVAL above it). */
#define LLMSUB_DEMAND_MAX	(1ULL << 48)
/* GPUs a task may ask for, as llmschedd's agents may hold. */
#define LLMSUB_GPU_MAX		1024
/* The module's bound on retries. */
#define LLMSUB_RETRIES_MAX	16
/* The longest name (label): the module's, NUL excluded. */
#define LLMSUB_NAME_MAX		(LLMSCHED_LABEL_MAX - 1)

/*
 * The estimator's feature slots, as llmsub names them.  The module gives
 * the slots no meaning: they are in the order of the coefficients the
 * runtime fits (struct llmsched_estimator).  llmsub fixes the convention
 * the uAPI suggests: slot 0 the input length in characters, slot 1 the
 * model size in millions of parameters, slot 2 the expected output tokens;
 * slots 3 to 7 are the site's own (--feature 5=...).
 */
enum llmsub_feature_slot {
	LLMSUB_FEAT_INPUT_LEN = 0,
	LLMSUB_FEAT_MODEL_MPARAMS = 1,
	LLMSUB_FEAT_OUTPUT_TOKENS = 2,
};

/*
 * The environment entries a task gets by default (without --export-env),
 * those of them that llmsub's own environment has: enough for a shell
 * script to find its programs and its user, and no more, so that a
 * submitter's secrets (tokens, agent sockets) do not travel by accident.
 */
extern const char *const llmsub_default_env[];

/*
 * A dependency as written: a task id (@name NULL) or the name of another
 * line of the same file, resolved into a batch index by jsonl.c.
 */
struct llmsub_dep {
	uint64_t id;
	char *name;
};

/*
 * @sub: every field of the submission but @deps_ptr, @payload_ptr and
 *	@payload_len, which llmsub_task_finish() and the submitter fill; the
 *	name is @sub.label.
 * @line: the line of the file it came from, 0 from the command line.
 * @est_set: --est (or "est") was given; else the estimate comes from the
 *	features when there are some, or LLMSUB_DEF_EST_NS.
 * @features_set: bit i: feature slot i was given.
 * @tag_names: the tags asked for, comma-separated, as written; resolved
 *	into @sub.tags by llmsub_task_resolve_tags().
 * @deps, @ndeps: the dependencies as written.
 * @dep_ids: the dependencies as the module takes them (ids, or
 *	LLMSCHED_DEP_BATCH_INDEX | index), filled by the resolver.
 * @argv, @argc: the command; @envp, @envc: its environment; @cwd: its
 *	working directory (absolute).
 * @payload, @payload_len: the encoded payload (llmsub_task_finish()).
 */
struct llmsub_task {
	struct llmsched_task_submit sub;
	unsigned int line;
	bool est_set;
	uint32_t features_set;
	char *tag_names;
	struct llmsub_dep deps[LLMSCHED_DEPS_MAX];
	uint32_t ndeps;
	uint64_t dep_ids[LLMSCHED_DEPS_MAX];
	char **argv;
	uint32_t argc;
	char **envp;
	uint32_t envc;
	char *cwd;
	void *payload;
	size_t payload_len;
};

/*
 * The task's defaults: priority LLMSCHED_PRIO_DEFAULT, LLMSUB_DEF_CPU,
 * LLMSUB_DEF_MEM, LLMSUB_DEF_RETRIES, no name, no time limit, no
 * environment, the current directory as @cwd.  ENOMEM; the current
 * directory unreadable (getcwd's errno).
 */
int llmsub_task_init(struct llmsub_task *t, struct llms_error **err);

/*
 * Replace @t's environment by every entry of @environ when @export_env,
 * else by those llmsub_default_env names.  ENOMEM (the environment may
 * then be partial: the caller gives up).
 */
int llmsub_task_base_env(struct llmsub_task *t, char *const *environ,
			 bool export_env, struct llms_error **err);

/* Free what @t holds; it may be initialised again. */
void llmsub_task_free(struct llmsub_task *t);

/*
 * The setters: each parses @text, checks it and sets its field, or
 * returns -EINVAL (-ERANGE for a number past its bound) with a message
 * that quotes @text and gives the accepted forms and range.  Nothing is
 * changed on error.
 */
int llmsub_set_priority(struct llmsub_task *t, const char *text,
			struct llms_error **err);
int llmsub_set_cpu(struct llmsub_task *t, const char *text,
		   struct llms_error **err);
int llmsub_set_mem(struct llmsub_task *t, const char *text,
		   struct llms_error **err);
int llmsub_set_gpu(struct llmsub_task *t, const char *text,
		   struct llms_error **err);
int llmsub_set_gpu_mem(struct llmsub_task *t, const char *text,
		       struct llms_error **err);
int llmsub_set_est(struct llmsub_task *t, const char *text,
		   struct llms_error **err);
/* A feature slot's value: an unsigned integer. */
int llmsub_set_feature(struct llmsub_task *t, unsigned int slot,
		       const char *text, struct llms_error **err);
/* "K=V": K a slot 0..7 or input-len, model-mparams, output-tokens. */
int llmsub_set_feature_kv(struct llmsub_task *t, const char *text,
			  struct llms_error **err);
/* A task id (a positive integer); the same id twice is refused. */
int llmsub_add_after_id(struct llmsub_task *t, const char *text,
			struct llms_error **err);
/* The name of another line (jsonl.c); the same name twice is refused. */
int llmsub_add_after_name(struct llmsub_task *t, const char *name,
			  struct llms_error **err);
/* One tag name or a comma-separated list of them, added to @tag_names. */
int llmsub_add_tags(struct llmsub_task *t, const char *text,
		    struct llms_error **err);
int llmsub_set_retries(struct llmsub_task *t, const char *text,
		       struct llms_error **err);
int llmsub_set_time_limit(struct llmsub_task *t, const char *text,
			  struct llms_error **err);
/* The label: 1 to 31 printable ASCII characters. */
int llmsub_set_name(struct llmsub_task *t, const char *text,
		    struct llms_error **err);
/* An absolute path; "." and relative paths are taken from the current
 * directory. */
int llmsub_set_cwd(struct llmsub_task *t, const char *text,
		   struct llms_error **err);
/* "K=V": replaces an entry K the environment has, else is added. */
int llmsub_set_env(struct llmsub_task *t, const char *text,
		   struct llms_error **err);
/* The command: @argc >= 1 strings, argv[0] not empty. */
int llmsub_set_command(struct llmsub_task *t, char *const *argv,
		       uint32_t argc, struct llms_error **err);

/*
 * Resolve @t's tag names against the runtime's configuration (@config is
 * a struct llmsd_config) into @t->sub.tags: EINVAL for an unknown name,
 * with the known ones.
 */
struct llmsd_config;
int llmsub_task_resolve_tags(struct llmsub_task *t,
			     const struct llmsd_config *config,
			     struct llms_error **err);

/*
 * The last checks and the payload: a command is required (EINVAL "no
 * command"), the estimate is settled (features, or the default), and the
 * payload is encoded into @payload (E2BIG past LLMSCHED_PAYLOAD_MAX).
 * The submitter points @sub's deps_ptr, nr_deps, payload_ptr and
 * payload_len at @dep_ids (filled by the resolver, or by
 * llmsub_task_use_ids() for a task from flags) and @payload.
 */
int llmsub_task_finish(struct llmsub_task *t, struct llms_error **err);

/* @dep_ids from @deps for a task whose dependencies are all ids. */
void llmsub_task_use_ids(struct llmsub_task *t);

#endif /* LLMSCHED_LLMSUB_TASK_H */
