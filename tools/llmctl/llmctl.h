/* SPDX-License-Identifier: GPL-2.0 */
/*
 * llmctl: inspect and steer llmsched (Documentation/admin-guide/llmctl.rst).
 * One file per command group; main.c holds the table of commands.
 */
#ifndef LLMCTL_H
#define LLMCTL_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../runtime/lib/libllmsched.h"
#include "../../runtime/llmschedd/config.h"

/*
 * Exit statuses, documented in llmctl.rst and stable: scripts test them.
 * LLMCTL_EXIT_NOT_FOUND is a task or agent id that does not exist (or,
 * for an unprivileged user, one that belongs to somebody else: the two are
 * not told apart, so that ids of others' tasks cannot be probed).
 */
enum {
	LLMCTL_EXIT_OK = 0,
	LLMCTL_EXIT_FAILURE = 1,
	LLMCTL_EXIT_USAGE = 2,
	LLMCTL_EXIT_NOT_FOUND = 3,
	LLMCTL_EXIT_PERMISSION = 4,
};


/* What every command gets: the global options and the device, opened once. */
struct llmctl {
	bool json;		/* --json / -j: JSON instead of tables */
	bool pretty;		/* --pretty / -p: indented JSON */
	const char *config;	/* --config FILE: the runtime's configuration */
	const char *cmd;	/* the command's name, for messages */
	int fd;			/* /dev/llmsched, -1 until llmctl_fd() */
};

/*
 * The options every command takes besides its own: a command lists
 * LLMCTL_COMMON_OPTIONS at the end of its struct option array (before the
 * terminating zero entry), "jph" in its short options, and passes what
 * getopt_long() returns to llmctl_common_option() first.
 */
#define LLMCTL_COMMON_SHORT	"jph"
#define LLMCTL_COMMON_OPTIONS					\
	{ "json", no_argument, NULL, 'j' },			\
	{ "pretty", no_argument, NULL, 'p' },			\
	{ "help", no_argument, NULL, 'h' }

/*
 * Handle a common option @c for @ctx.  Returns 1 when @c was one
 * (with *@status set to LLMCTL_EXIT_OK after printing @usage for --help,
 * or -1 to go on), 0 when @c is the command's own.  A '?' (an unknown
 * option, already reported by getopt) sets *@status to LLMCTL_EXIT_USAGE.
 */
int llmctl_common_option(struct llmctl *ctx, int c, const char *usage,
			 int *status);

/* /dev/llmsched, opened on first use; -1 with the error reported. */
int llmctl_fd(struct llmctl *ctx);

/*
 * Report "llmctl CMD: MESSAGE" on stderr and return LLMCTL_EXIT_USAGE: a
 * bad command line.  The message says what was wrong and what is accepted.
 */
int llmctl_usage_error(const struct llmctl *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Report *@err (with its errno's words and the library's advice) and free
 * it; return the exit status its errno maps to (EPERM/EACCES: permission,
 * ENOENT/ESRCH: not found, else failure).
 */
int llmctl_fail(const struct llmctl *ctx, struct llms_error **err);

/* Parse a task or agent id; on a bad one report it and return -1. */
int llmctl_parse_id(const struct llmctl *ctx, const char *what,
		    const char *s, unsigned long long *id);

/* The commands: argv[0] is the command's name, getopt is reset. */
typedef int (*llmctl_cmd_fn)(struct llmctl *ctx, int argc, char **argv);

int llmctl_cmd_status(struct llmctl *ctx, int argc, char **argv);
int llmctl_cmd_tasks(struct llmctl *ctx, int argc, char **argv);
int llmctl_cmd_task(struct llmctl *ctx, int argc, char **argv);
int llmctl_cmd_agents(struct llmctl *ctx, int argc, char **argv);
int llmctl_cmd_agent(struct llmctl *ctx, int argc, char **argv);
int llmctl_cmd_cancel(struct llmctl *ctx, int argc, char **argv);
int llmctl_cmd_policy(struct llmctl *ctx, int argc, char **argv);
int llmctl_cmd_estimator(struct llmctl *ctx, int argc, char **argv);
int llmctl_cmd_limits(struct llmctl *ctx, int argc, char **argv);

/* ------------------------------------------- live views and history */

int llmctl_cmd_watch(struct llmctl *ctx, int argc, char **argv);
int llmctl_cmd_top(struct llmctl *ctx, int argc, char **argv);
int llmctl_cmd_history(struct llmctl *ctx, int argc, char **argv);
int llmctl_cmd_log(struct llmctl *ctx, int argc, char **argv);

/* The sentences (text.c): "exit status 3", "killed by SIGKILL"... */
const char *llmctl_reason_text(uint32_t reason, int32_t status, char *buf,
			       size_t len);
/*
 * What task @id became, as one sentence: "Task 1 assigned to agent 1",
 * "Task 1 running on agent 1", "Task 2 completed", "Task 3 failed (exit
 * status 1)", "Task 4 cancelled", else "Task 5 runnable" (the state's
 * name).
 */
void llmctl_task_sentence(uint64_t id, uint32_t state, uint32_t reason,
			  int32_t status, uint32_t agent, char *buf,
			  size_t len);
/* An agent's state in words: up, draining, lost, left (0). */
const char *llmctl_agent_state_text(uint32_t state);
/*
 * A duration for people, short and rounded down, for a column: "850ms",
 * "3.1s", "42s", "5m03s", "2h05m", "3d04h" ("17us" below a millisecond).
 * The JSON has the exact nanoseconds.
 */
const char *llmctl_duration_text(uint64_t ns, char *buf, size_t len);
/* SUCCEEDED, FAILED or CANCELLED. */
bool llmctl_task_ended(uint32_t state);

#endif /* LLMCTL_H */
