// SPDX-License-Identifier: GPL-2.0
/*
 * llmctl: inspect and steer llmsched.  Documentation/admin-guide/llmctl.rst
 * is its manual; exit statuses are in llmctl.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "llmctl.h"

#define LLMCTL_VERSION	"1.0"

struct llmctl_cmd {
	const char *name;
	llmctl_cmd_fn run;
	const char *summary;
};

static const struct llmctl_cmd commands[] = {
	{ "status", llmctl_cmd_status,
	  "the host at a glance: capacity, queues, counters, policy, agents" },
	{ "tasks", llmctl_cmd_tasks, "list tasks, with filters and sorting" },
	{ "task", llmctl_cmd_task, "everything about one task" },
	{ "agents", llmctl_cmd_agents, "list the agents" },
	{ "agent", llmctl_cmd_agent,
	  "one agent; agent drain ID [--undo], agent resize ID ..." },
	{ "cancel", llmctl_cmd_cancel, "cancel tasks by id or by filter" },
	{ "policy", llmctl_cmd_policy,
	  "the scheduling policy; policy set NAME [options]" },
	{ "estimator", llmctl_cmd_estimator,
	  "the run-time model and its measured error" },
	{ "limits", llmctl_cmd_limits,
	  "the module's limits (tasks, users, heartbeat, retention)" },
	{ "watch", llmctl_cmd_watch,
	  "the live event stream: one line per task or agent change" },
	{ "top", llmctl_cmd_top,
	  "a refreshing terminal view of agents, queue and recent ends" },
	{ "history", llmctl_cmd_history,
	  "ended tasks from the runtime's history, with per-user summaries" },
	{ "log", llmctl_cmd_log,
	  "a task's standard output and error, or follow them" },
};

static const char usage[] =
"Usage: llmctl [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]\n"
"\n"
"Inspect and steer llmsched.  `llmctl COMMAND --help` describes a command.\n"
"\n"
"Global options (also accepted after the command):\n"
"  -j, --json         JSON instead of tables (one schema, see llmctl(8))\n"
"  -p, --pretty       indented JSON (implies --json)\n"
"  -c, --config FILE  the runtime's configuration (default "
	LLMSD_DEFAULT_CONFIG ")\n"
"  -V, --version      print the version and exit\n"
"  -h, --help         this text\n"
"\n"
"Exit status: 0 ok, 1 failed, 2 bad command line, 3 no such task or\n"
"agent, 4 not permitted.\n"
"\n"
"Commands:\n";

int llmctl_common_option(struct llmctl *ctx, int c, const char *text,
			 int *status)
{
	switch (c) {
	case 'p':
		ctx->pretty = true;
		/* fall through */
	case 'j':
		ctx->json = true;
		*status = -1;
		return 1;
	case 'h':
		fputs(text, stdout);
		*status = LLMCTL_EXIT_OK;
		return 1;
	case '?':
		fprintf(stderr, "Try `llmctl %s --help'.\n", ctx->cmd);
		*status = LLMCTL_EXIT_USAGE;
		return 1;
	default:
		return 0;
	}
}

int llmctl_fd(struct llmctl *ctx)
{
	struct llms_error *err = NULL;

	if (ctx->fd >= 0)
		return ctx->fd;
	ctx->fd = llms_open(0, &err);
	if (ctx->fd < 0) {
		llmctl_fail(ctx, &err);
		return -1;
	}
	return ctx->fd;
}

int llmctl_usage_error(const struct llmctl *ctx, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "llmctl %s: ", ctx->cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry `llmctl %s --help'.\n", ctx->cmd);
	return LLMCTL_EXIT_USAGE;
}

int llmctl_fail(const struct llmctl *ctx, struct llms_error **err)
{
	char prog[64];
	int errnum = (*err)->errnum;

	snprintf(prog, sizeof(prog), "llmctl %s", ctx->cmd);
	llms_error_print(stderr, prog, *err);
	llms_error_free(err);
	switch (errnum) {
	case EPERM:
	case EACCES:
		return LLMCTL_EXIT_PERMISSION;
	case ENOENT:
	case ESRCH:
		return LLMCTL_EXIT_NOT_FOUND;
	default:
		return LLMCTL_EXIT_FAILURE;
	}
}

int llmctl_parse_id(const struct llmctl *ctx, const char *what,
		    const char *s, unsigned long long *id)
{
	char *end;

	errno = 0;
	*id = strtoull(s, &end, 10);
	if (!*s || *end || errno || *s == '-' || !*id) {
		llmctl_usage_error(ctx, "%s '%s': expected a positive decimal "
				   "number, as `llmctl %ss' lists them", what,
				   s, what);
		return -1;
	}
	return 0;
}

static void print_usage(FILE *out)
{
	size_t i;

	fputs(usage, out);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name,
			commands[i].summary);
}

static const struct llmctl_cmd *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "config", required_argument, NULL, 'c' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct llmctl ctx = { .fd = -1, .cmd = "" };
	const struct llmctl_cmd *cmd;
	char prog[64];
	int c, status;

	/* "+": stop at the command; what follows is the command's. */
	while ((c = getopt_long(argc, argv, "+jpc:Vh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			ctx.pretty = true;
			/* fall through */
		case 'j':
			ctx.json = true;
			break;
		case 'c':
			ctx.config = optarg;
			break;
		case 'V':
			printf("llmctl %s (llmsched uAPI %d.%d.%d)\n",
			       LLMCTL_VERSION, LLMSCHED_VERSION_MAJOR,
			       LLMSCHED_VERSION_MINOR, LLMSCHED_VERSION_PATCH);
			return LLMCTL_EXIT_OK;
		case 'h':
			print_usage(stdout);
			return LLMCTL_EXIT_OK;
		default:
			fputs("Try `llmctl --help'.\n", stderr);
			return LLMCTL_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		fputs("llmctl: a command is needed\n", stderr);
		print_usage(stderr);
		return LLMCTL_EXIT_USAGE;
	}
	cmd = find_command(argv[optind]);
	if (!cmd) {
		fprintf(stderr, "llmctl: unknown command '%s'; `llmctl --help' "
			"lists them\n", argv[optind]);
		return LLMCTL_EXIT_USAGE;
	}
	ctx.cmd = cmd->name;
	argc -= optind;
	argv += optind;
	/* getopt names the program in its messages: "llmctl tasks: ...". */
	snprintf(prog, sizeof(prog), "llmctl %s", cmd->name);
	argv[0] = prog;
	optind = 0;	/* a full reset of getopt for the command */
	status = cmd->run(&ctx, argc, argv);
	if (ctx.fd >= 0)
		close(ctx.fd);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		perror("llmctl: writing the output");
		if (!status)
			status = LLMCTL_EXIT_FAILURE;
	}
	return status;
}
