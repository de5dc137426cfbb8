// SPDX-License-Identifier: GPL-2.0
/*
 * llmctl log ID: a task's standard output and error, the files the
 * runtime's agent writes (LOG_DIR/tasks/UID/task-ID.out, .err; see
 * runtime/lib/tasklog.h), printed or followed while the task runs.  The
 * owner reads their own; root anyone's.  Another user's task answers as
 * one that does not exist (exit 3), as the module does.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "llmctl.h"

static const char log_usage[] =
"Usage: llmctl log [OPTIONS] ID\n"
"\n"
"Print task ID's standard output (to standard output) and standard error\n"
"(to standard error), as the runtime's agent wrote them.  Only the task's\n"
"owner, or root, may read them.\n"
"\n"
"Options:\n"
"  -f, --follow   go on printing while the task runs, until it ends\n"
"  -o, --stdout   only its standard output\n"
"  -e, --stderr   only its standard error (printed to standard output)\n"
"\n"
"Exit status: 0; 1 when a log cannot be read; 2 bad command line; 3 no\n"
"such task (or another user's: the two are not told apart).\n";

/*
 * Root, for a task the module no longer holds: whose folder under
 * LOG_DIR/tasks has its log?  0 with *@uid, or -ENOENT.
 */
static int find_owner(const char *log_dir, unsigned long long id,
		      uint32_t *uid)
{
	char dir[4200], path[4600];
	struct dirent *d;
	struct stat st;
	DIR *dp;
	int ret = -ENOENT;

	snprintf(dir, sizeof(dir), "%s/%s", log_dir, LLMS_TASKLOG_DIR);
	dp = opendir(dir);
	if (!dp)
		return -ENOENT;
	while (ret && (d = readdir(dp))) {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(d->d_name, &end, 10);
		if (!d->d_name[0] || *end || errno || v > UINT32_MAX)
			continue;
		snprintf(path, sizeof(path), "%s/%s/task-%llu.out", dir,
			 d->d_name, id);
		if (!stat(path, &st)) {
			*uid = (uint32_t)v;
			ret = 0;
		}
	}
	closedir(dp);
	return ret;
}

static int not_found(unsigned long long id)
{
	fprintf(stderr, "llmctl log: no task %llu of yours: neither the "
		"module nor the log folder holds it (another user's task "
		"answers so too)\n", id);
	return LLMCTL_EXIT_NOT_FOUND;
}

int llmctl_cmd_log(struct llmctl *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "follow", no_argument, NULL, 'f' },
		{ "stdout", no_argument, NULL, 'o' },
		{ "stderr", no_argument, NULL, 'e' },
		LLMCTL_COMMON_OPTIONS,
		{}
	};
	char paths[2][4300];
	struct llms_tasklog logs[2];
	struct llmsched_task_info info;
	struct llmsched_task_wait w;
	struct llms_error *err = NULL;
	struct llmsd_config cfg;
	bool have_cfg;
	bool follow = false, want_out = false, want_err = false;
	bool held = false, ended = true;
	unsigned long long id;
	uint32_t owner = (uint32_t)geteuid();
	size_t n = 0, i;
	int c, status, ret;

	while ((c = getopt_long(argc, argv, "+foe" LLMCTL_COMMON_SHORT, opts,
				NULL)) != -1) {
		if (llmctl_common_option(ctx, c, log_usage, &status)) {
			if (status >= 0)
				return status;
			continue;
		}
		if (c == 'f')
			follow = true;
		else if (c == 'o')
			want_out = true;
		else if (c == 'e')
			want_err = true;
	}
	if (optind >= argc)
		return llmctl_usage_error(ctx, "give the task's ID, as llmsub "
					  "printed it");
	if (optind + 1 < argc)
		return llmctl_usage_error(ctx, "unexpected '%s': one task ID "
					  "only", argv[optind + 1]);
	if (ctx->json)
		return llmctl_usage_error(ctx, "--json: a log is the task's "
					  "own bytes, not JSON; drop --json");
	if (llmctl_parse_id(ctx, "task", argv[optind], &id))
		return LLMCTL_EXIT_USAGE;
	if (!want_out && !want_err)
		want_out = want_err = true;
	status = llmctl_config(ctx, &cfg, &have_cfg);
	if (status)
		return status;

	/* The module says whose it is (and hides others' tasks). */
	ctx->fd = llms_open(0, &err);
	if (ctx->fd < 0) {
		if (follow) {
			status = llmctl_fail(ctx, &err);
			goto out;
		}
		llms_error_free(&err);	/* ended tasks' logs need no module */
	} else {
		ret = llms_task_query(ctx->fd, id, &info, &err);
		if (!ret) {
			held = true;
			owner = info.owner_uid;
			ended = llmctl_task_ended(info.state);
		} else if (ret != -ENOENT) {
			status = llmctl_fail(ctx, &err);
			goto out;
		}
		llms_error_free(&err);
	}
	if (!held && follow) {
		/* Ended long ago, or not a task at all: print what is left. */
		follow = false;
	}
	if (!held && geteuid() == 0 && find_owner(cfg.log_dir, id, &owner)) {
		status = not_found(id);
		goto out;
	}

	for (i = 0; i < 2; i++) {
		enum llms_tasklog_stream s = i ? LLMS_TASKLOG_STDERR :
						 LLMS_TASKLOG_STDOUT;

		if (!(i ? want_err : want_out))
			continue;
		if (llms_tasklog_path(paths[n], sizeof(paths[n]), cfg.log_dir,
				      owner, id, s, &err)) {
			status = llmctl_fail(ctx, &err);
			goto out;
		}
		logs[n] = (struct llms_tasklog)LLMS_TASKLOG_INIT(paths[n],
			i && want_out ? stderr : stdout);
		n++;
	}
	status = LLMCTL_EXIT_OK;
	if (follow) {
		ret = llms_tasklog_follow(ctx->fd, id, logs, n, "llmctl log", &w,
					  &err);
		if (ret) {
			status = llmctl_fail(ctx, &err);
		} else if (w.state != LLMSCHED_TASK_SUCCEEDED) {
			char text[128];

			llmctl_task_sentence(id, w.state, w.reason,
					     w.exit_status, 0, text,
					     sizeof(text));
			fprintf(stderr, "llmctl log: %s\n", text);
		}
		goto out;
	}
	if (held && !info.start_ns) {
		fprintf(stderr, "llmctl log: task %llu %s: no output%s\n", id,
			ended ? "never started" : "has not started yet",
			ended ? "" : " (--follow waits for it)");
		goto out;
	}
	if (!held) {
		bool any = false;

		for (i = 0; i < n; i++)
			any |= !access(paths[i], F_OK) || errno != ENOENT;
		if (!any) {
			status = not_found(id);
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		ret = llms_tasklog_pump(&logs[i], held, &err);
		if (ret < 0) {
			llmctl_fail(ctx, &err);
			status = LLMCTL_EXIT_FAILURE;
		}
		llms_tasklog_close(&logs[i]);
	}
out:
	llmsd_config_free(&cfg);
	return status;
}
