// SPDX-License-Identifier: GPL-2.0
/*
 * llmsub: submit tasks to llmsched, one from the command line or a batch
 * from a JSON-lines file, and optionally wait for them like srun.
 * Documentation/admin-guide/llmsub.rst is its manual.
 *
 * Exit status: 0 ok, 1 the module refused or llmsub failed, 2 a bad
 * command line or file; with --wait the task's ending (report.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../runtime/lib/libllmsched.h"
#include "../../runtime/llmschedd/config.h"
#include "args.h"
#include "jsonl.h"
#include "report.h"
#include "submit.h"

extern char **environ;

#define LLMSUB_VERSION	"1.0"

/*
 * A mistake of the user's: a bad value's message says what to fix, and
 * "Invalid argument" after it would add nothing; a file that cannot be
 * read keeps its errno's words.
 */
static int usage_error(struct llms_error **err)
{
	if ((*err)->errnum == EINVAL || (*err)->errnum == ERANGE)
		fprintf(stderr, "llmsub: %s\n", (*err)->msg);
	else
		llms_error_print(stderr, "llmsub", *err);
	llms_error_free(err);
	return LLMSUB_EXIT_USAGE;
}

static int failure(struct llms_error **err)
{
	llms_error_print(stderr, "llmsub", *err);
	llms_error_free(err);
	return LLMSUB_EXIT_FAILURE;
}

/*
 * Read the runtime's configuration into @c when tags must be resolved or
 * the log folder found.  The default file may be missing when only the
 * log folder is wanted: its default then holds.
 */
static int load_config(const struct llmsub_opts *o, bool need_tags,
		       struct llmsd_config *c, struct llms_error **err)
{
	const char *path = o->config ? o->config : LLMSD_DEFAULT_CONFIG;
	int ret;

	llmsd_config_init(c);
	if (!need_tags && !o->follow && !o->config)
		return 0;
	ret = llmsd_config_load(c, path, err);
	if (ret == -ENOENT && !need_tags && !o->config) {
		llms_error_free(err);
		return 0;
	}
	if (ret && need_tags)
		llms_error_prefix(err, "tag names come from the runtime's "
				  "configuration (--config FILE)");
	else if (ret)
		llms_error_prefix(err, "--config");
	return ret;
}

/* The ending of task @t, on standard error unless it succeeded. */
static int report_end(const struct llmsub_task *t,
		      const struct llmsched_task_wait *w, const char *fname)
{
	char text[256];

	if (w->state == LLMSCHED_TASK_SUCCEEDED)
		return 0;
	llmsub_ending_text(w->state, w->reason, w->exit_status, text,
			   sizeof(text));
	if (fname)
		fprintf(stderr, "llmsub: %s:%u: task %llu%s%s%s %s\n", fname,
			t->line, (unsigned long long)t->sub.task_id,
			t->sub.label[0] ? " ('" : "", t->sub.label,
			t->sub.label[0] ? "')" : "", text);
	else
		fprintf(stderr, "llmsub: task %llu %s\n",
			(unsigned long long)t->sub.task_id, text);
	return llmsub_exit_code(w->state, w->reason, w->exit_status);
}

static int run_one(struct llmsub_opts *o, const struct llmsd_config *c)
{
	struct llmsub_task *t = &o->task;
	struct llms_error *err = NULL;
	struct llmsched_task_wait w;
	int fd, ret;

	if (llmsub_task_resolve_tags(t, c, &err)) {
		llms_error_prefix(&err, "--tag");
		return usage_error(&err);
	}
	if (llmsub_task_finish(t, &err))
		return usage_error(&err);
	fd = llms_open(0, &err);
	if (fd < 0)
		return failure(&err);
	if (llmsub_submit_task(fd, t, &err)) {
		close(fd);
		return failure(&err);
	}
	printf("%llu\n", (unsigned long long)t->sub.task_id);
	fflush(stdout);
	if (!o->wait) {
		close(fd);
		return 0;
	}
	ret = o->follow ? llmsub_follow(fd, t->sub.task_id, c->log_dir, &w,
					&err) :
			  llmsub_wait_end(fd, t->sub.task_id, &w, &err);
	close(fd);
	if (ret) {
		llms_error_prefix(&err, "waiting for task %llu",
				  (unsigned long long)t->sub.task_id);
		return failure(&err);
	}
	return report_end(t, &w, NULL);
}

static int run_file(struct llmsub_opts *o)
{
	const char *fname = strcmp(o->file, "-") ? o->file : "<stdin>";
	struct llms_error *err = NULL;
	struct llmsched_task_wait w;
	struct llmsd_config c;
	struct llmsub_batch b;
	bool need_tags = false;
	int fd = -1, status = 0, code;
	size_t i;
	FILE *f;

	f = strcmp(o->file, "-") ? fopen(o->file, "re") : stdin;
	if (!f) {
		llms_error_set(&err, errno, "--file %s", o->file);
		llms_error_print(stderr, "llmsub", err);
		llms_error_free(&err);
		return LLMSUB_EXIT_USAGE;
	}
	code = llmsub_jsonl_read(f, fname, environ, o->export_env, &b, &err);
	if (f != stdin)
		fclose(f);
	if (code)
		return usage_error(&err);
	for (i = 0; i < b.count; i++)
		need_tags |= b.tasks[i].tag_names != NULL;
	if (load_config(o, need_tags, &c, &err)) {
		status = usage_error(&err);
		goto out;
	}
	for (i = 0; i < b.count; i++) {
		if (llmsub_task_resolve_tags(&b.tasks[i], &c, &err)) {
			llms_error_prefix(&err, "%s:%u: field \"tags\"", fname,
					  b.tasks[i].line);
			status = usage_error(&err);
			goto out;
		}
	}
	fd = llms_open(0, &err);
	if (fd < 0 || llmsub_submit_batch(fd, &b, fname, &err)) {
		status = failure(&err);
		goto out;
	}
	for (i = 0; i < b.count; i++)
		printf("%llu\n",
		       (unsigned long long)b.tasks[b.line_pos[i]].sub.task_id);
	fflush(stdout);
	if (!o->wait)
		goto out;
	/* In file order; the first that did not succeed sets the status. */
	for (i = 0; i < b.count; i++) {
		struct llmsub_task *t = &b.tasks[b.line_pos[i]];

		if (llmsub_wait_end(fd, t->sub.task_id, &w, &err)) {
			llms_error_prefix(&err, "waiting for task %llu",
					  (unsigned long long)t->sub.task_id);
			status = failure(&err);
			goto out;
		}
		code = report_end(t, &w, fname);
		if (code && !status)
			status = code;
	}
out:
	if (fd >= 0)
		close(fd);
	llmsd_config_free(&c);
	llmsub_batch_free(&b);
	return status;
}

int main(int argc, char **argv)
{
	struct llms_error *err = NULL;
	struct llmsub_opts o;
	struct llmsd_config c;
	int status;

	if (llmsub_parse_args(argc, argv, environ, &o, &err))
		return usage_error(&err);
	if (o.help) {
		fputs(llmsub_usage, stdout);
		llmsub_opts_free(&o);
		return 0;
	}
	if (o.version) {
		printf("llmsub %s (llmsched uAPI %d.%d.%d)\n", LLMSUB_VERSION,
		       LLMSCHED_VERSION_MAJOR, LLMSCHED_VERSION_MINOR,
		       LLMSCHED_VERSION_PATCH);
		llmsub_opts_free(&o);
		return 0;
	}
	if (o.file) {
		status = run_file(&o);
	} else if (load_config(&o, o.task.tag_names != NULL, &c, &err)) {
		llmsd_config_init(&c);
		status = usage_error(&err);
	} else {
		status = run_one(&o, &c);
	}
	if (!o.file)
		llmsd_config_free(&c);
	llmsub_opts_free(&o);
	return status;
}
