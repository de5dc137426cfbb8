/* SPDX-License-Identifier: GPL-2.0 */
/*
 * llmsub: the command line, parsed into a task and the tool's options.
 *
 * Pure: no device, no configuration file (tags are resolved later, by the
 * caller, once it has read the runtime's configuration).  Errors are
 * EINVAL (ERANGE for a number past its bound) whose message begins with the
 * flag: "--cpu: 'abc': not a CPU amount: use 2, 0.5 or 500m".
 */
#ifndef LLMSCHED_LLMSUB_ARGS_H
#define LLMSCHED_LLMSUB_ARGS_H

#include <stdbool.h>

#include "../../runtime/llmschedd/config.h"
#include "task.h"

/*
 * @task: the task the flags and the command describe (one-task mode).
 * @file: --file's argument ("-" for standard input), NULL without it.
 * @config: --config's argument, NULL for LLMSD_DEFAULT_CONFIG (config.h).
 * @task_flag: the first flag given that describes one task (--cpu,
 *	--name, ...): refused together with --file, which takes them per
 *	line.
 * @wait, @follow: --wait, --follow (which implies @wait).
 * @export_env: --export-env.
 * @help, @version: --help, --version (nothing else is checked then).
 */
struct llmsub_opts {
	struct llmsub_task task;
	const char *file;
	const char *config;
	char task_flag[40];
	bool wait;
	bool follow;
	bool export_env;
	bool help;
	bool version;
};

/*
 * Parse @argv (@argc words, argv[0] the program) into @o, with @environ
 * as the environment the task captures.  In one-task mode the command is
 * what follows the options ("--" ends them; the first word that is not an
 * option does too) and is required; with --file there is none.  On error
 * @o is freed.  getopt's state is reset first, so this may be called
 * again (the unit tests do).
 */
int llmsub_parse_args(int argc, char **argv, char *const *environ,
		      struct llmsub_opts *o, struct llms_error **err);

void llmsub_opts_free(struct llmsub_opts *o);

/* The --help text. */
extern const char llmsub_usage[];

#endif /* LLMSCHED_LLMSUB_ARGS_H */
