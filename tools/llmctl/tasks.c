// SPDX-License-Identifier: GPL-2.0
/*
 * llmctl tasks / llmctl task ID: the tasks the module holds (those that
 * have not ended and the most recent ended ones), as a table or JSON.
 *
 * Who sees what is the module's rule, not llmctl's: TASK_LIST shows the
 * caller's own tasks unless LLMSCHED_LIST_ALL_USERS (CAP_SYS_ADMIN), and
 * TASK_QUERY answers ENOENT for another uid's task, as for one that does
 * not exist.  llmctl asks for every user's tasks and, refused (EPERM),
 * for its own; --user naming somebody else is then refused before asking.
 */
#include <errno.h>
#include <stdarg.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../runtime/lib/history.h"
#include "common.h"
#include "../../runtime/llmschedd/llmschedd.h"

static const char tasks_usage[] =
"Usage: llmctl tasks [OPTIONS]\n"
"\n"
"List the tasks the module holds: those that have not ended and the most\n"
"recent ended ones (limits: retain_ended).  Root sees every user's, other\n"
"users their own.\n"
"\n"
"Options:\n"
"  -s, --state LIST   only these states, a comma list (repeatable): queued,\n"
"                     runnable, assigned, running, stopping, frozen,\n"
"                     succeeded, failed, cancelled; active = not ended,\n"
"                     ended = succeeded, failed or cancelled\n"
"  -u, --user USER    only this user's (a name or a uid; another user's\n"
"                     needs root)\n"
"  -a, --agent ID     only those assigned to, running on or last run on\n"
"                     agent ID\n"
"  -n, --name GLOB    only those whose label matches GLOB (fnmatch: * ? [])\n"
"      --sort KEY     order by id (default), priority, state, user, agent,\n"
"                     submitted, runtime or label\n"
"  -r, --reverse      the other way round\n"
"  -w, --wide         more columns: demand, estimate, tags, exit status\n"
"  -j, --json         JSON (llmctl-json/tasks.schema.json)\n"
"\n"
"Exit status: 0 (also when nothing matches), 1 failed, 2 bad option,\n"
"4 --user names somebody else and the caller is not root.\n";

static const char task_usage[] =
"Usage: llmctl task [--json] ID\n"
"\n"
"Everything the module holds about one task: owner, state and why,\n"
"times, agent, demand, estimate against actual run time, and the paths\n"
"of its logs (LOG_DIR/tasks/UID/task-ID.out and .err).\n"
"\n"
"Exit status: 0, 1 failed, 2 bad id, 3 no such task (or, for a user\n"
"who is not root, another user's: the two are not told apart).\n";

enum sort_key {
	SORT_ID, SORT_PRIORITY, SORT_STATE, SORT_USER, SORT_AGENT,
	SORT_SUBMITTED, SORT_RUNTIME, SORT_LABEL,
};

static const char *const sort_names[] = {
	[SORT_ID] = "id", [SORT_PRIORITY] = "priority", [SORT_STATE] = "state",
	[SORT_USER] = "user", [SORT_AGENT] = "agent",
	[SORT_SUBMITTED] = "submitted", [SORT_RUNTIME] = "runtime",
	[SORT_LABEL] = "label",
};
#define NSORT (sizeof(sort_names) / sizeof(sort_names[0]))

static enum sort_key sort_by;
static bool sort_reverse;
static uint64_t sort_now;

/* A task's run time: measured once ended, so far while it runs. */
static uint64_t task_runtime(const struct llmsched_task_info *t, uint64_t now)
{
	if (t->runtime_ns)
		return t->runtime_ns;
	if (!t->start_ns)
		return 0;
	if (t->end_ns)
		return t->end_ns > t->start_ns ? t->end_ns - t->start_ns : 0;
	return now > t->start_ns ? now - t->start_ns : 0;
}

#define CMP(a, b) ((a) < (b) ? -1 : (a) > (b) ? 1 : 0)

static int compare(const void *pa, const void *pb)
{
	const struct llmsched_task_info *a = pa, *b = pb;
	int r = 0;

	switch (sort_by) {
	case SORT_PRIORITY:
		/* Most urgent first, as the queue takes them. */
		r = CMP(b->priority, a->priority);
		break;
	case SORT_STATE:
		r = strcmp(llms_task_state_name(a->state),
			   llms_task_state_name(b->state));
		break;
	case SORT_USER:
		r = CMP(a->owner_uid, b->owner_uid);
		break;
	case SORT_AGENT:
		r = CMP(a->agent_id, b->agent_id);
		break;
	case SORT_SUBMITTED:
		r = CMP(a->submit_ns, b->submit_ns);
		break;
	case SORT_RUNTIME:
		r = CMP(task_runtime(b, sort_now), task_runtime(a, sort_now));
		break;
	case SORT_LABEL:
		r = strncmp(a->label, b->label, sizeof(a->label));
		break;
	case SORT_ID:
		break;
	}
	if (!r)
		r = CMP(a->task_id, b->task_id);
	return sort_reverse ? -r : r;
}

/* Why it is where it is: the wait for a waiting task, else the reason. */
static const char *why_of(const struct llmsched_task_info *t)
{
	if (t->state == LLMSCHED_TASK_QUEUED ||
	    t->state == LLMSCHED_TASK_RUNNABLE)
		return t->wait ? llms_wait_name(t->wait) : "-";
	return t->reason ? llms_task_reason_name(t->reason) : "-";
}

static bool matches(const struct llmctl_task_filter *f, const struct llmsched_task_info *t)
{
	char label[LLMSCHED_LABEL_MAX];

	if (f->states && (t->state >= 32 || !(f->states & (1U << t->state))))
		return false;
	if (f->by_user && t->owner_uid != f->uid)
		return false;
	if (f->agent && t->agent_id != f->agent)
		return false;
	if (f->glob && fnmatch(f->glob, llmctl_task_label(t, label), 0))
		return false;
	return true;
}

int llmctl_list_tasks(struct llmctl *ctx, const struct llmctl_task_filter *f,
		      struct llmsched_task_info **out, size_t *count,
		      bool *all_users)
{
	struct llms_error *err = NULL;
	struct llmsched_task_info *v = NULL;
	size_t n = 0, i, kept = 0;
	int fd = llmctl_fd(ctx), ret;

	*out = NULL;
	*count = 0;
	if (fd < 0)
		return LLMCTL_EXIT_FAILURE;
	*all_users = true;
	ret = llms_task_list_all(fd, LLMSCHED_LIST_ALL_USERS, 0, &v, &n, &err);
	if (ret == -EPERM) {
		llms_error_free(&err);
		*all_users = false;
		if (f->by_user && f->uid != geteuid()) {
			fprintf(stderr, "llmctl %s: --user %s: only root sees "
				"other users' tasks; without --user you see "
				"your own\n", ctx->cmd,
				llmctl_user_name(f->uid));
			return LLMCTL_EXIT_PERMISSION;
		}
		ret = llms_task_list_all(fd, 0, 0, &v, &n, &err);
	}
	if (ret)
		return llmctl_fail(ctx, &err);
	for (i = 0; i < n; i++)
		if (matches(f, &v[i]))
			v[kept++] = v[i];
	*out = v;
	*count = kept;
	return 0;
}

int llmctl_task_filter_option(struct llmctl *ctx, int c, const char *arg,
			      struct llmctl_task_filter *f)
{
	unsigned long long id;
	const char *bad;

	switch (c) {
	case 's':
		if (llmctl_parse_states(arg, &f->states, &bad))
			return llmctl_usage_error(ctx, "--state '%s': '%s' is "
						  "not a state: use "
						  LLMCTL_STATE_WORDS, arg, bad);
		return 0;
	case 'u':
		if (llmctl_parse_user(arg, &f->uid))
			return llmctl_usage_error(ctx, "--user '%s': neither a "
						  "user name nor a uid", arg);
		f->by_user = true;
		return 0;
	case 'a':
		if (llmctl_parse_id(ctx, "--agent", arg, &id))
			return LLMCTL_EXIT_USAGE;
		if (id > UINT32_MAX)
			return llmctl_usage_error(ctx, "--agent '%s': agent "
						  "ids are below 2^32", arg);
		f->agent = (uint32_t)id;
		return 0;
	case 'n':
		f->glob = arg;
		return 0;
	}
	return -1;
}

static int print_table(const struct llmsd_config *c,
		       const struct llmsched_task_info *v, size_t n, bool wide)
{
	static const struct llmctl_column cols[] = {
		{ "ID", LLMCTL_RIGHT }, { "USER", LLMCTL_LEFT },
		{ "PRI", LLMCTL_RIGHT }, { "STATE", LLMCTL_LEFT },
		{ "WHY", LLMCTL_LEFT }, { "AGENT", LLMCTL_RIGHT },
		{ "AGE", LLMCTL_RIGHT }, { "RUN", LLMCTL_RIGHT },
		/* --wide */
		{ "CPU", LLMCTL_RIGHT }, { "MEM", LLMCTL_RIGHT },
		{ "GPU", LLMCTL_RIGHT }, { "GPUMEM", LLMCTL_RIGHT },
		{ "EST", LLMCTL_RIGHT }, { "EXIT", LLMCTL_RIGHT },
		{ "DEPS", LLMCTL_RIGHT }, { "TAGS", LLMCTL_LEFT },
		{ "LABEL", LLMCTL_LEFT },
	};
	struct llmctl_column use[17];
	struct llmctl_table t;
	uint64_t now = llmctl_now_ns();
	size_t i, ncols;
	int ret = 0;

	memcpy(use, cols, sizeof(cols));
	ncols = wide ? 17 : 9;
	if (!wide)
		use[8] = cols[16];
	llmctl_table_init(&t, use, ncols);
	for (i = 0; i < n && !ret; i++) {
		const struct llmsched_task_info *k = &v[i];
		char id[24], pri[8], agent[12], age[LLMS_UNITS_BUF],
		     run[LLMS_UNITS_BUF], res[4][LLMS_UNITS_BUF],
		     est[LLMS_UNITS_BUF], ex[12], deps[12], tags[256],
		     label[LLMSCHED_LABEL_MAX];
		const char *cells[17] = {
			id, llmctl_user_name(k->owner_uid), pri,
			llms_task_state_name(k->state), why_of(k), agent, age,
			run, res[0], res[1], res[2], res[3], est, ex, deps,
			tags, llmctl_task_label(k, label),
		};
		unsigned int r;

		snprintf(id, sizeof(id), "%llu",
			 (unsigned long long)k->task_id);
		snprintf(pri, sizeof(pri), "%u", k->priority);
		if (k->agent_id)
			snprintf(agent, sizeof(agent), "%u", k->agent_id);
		else
			strcpy(agent, "-");
		llmctl_format_age(now > k->submit_ns ? now - k->submit_ns : 0,
				  false, age, sizeof(age));
		llmctl_format_age(task_runtime(k, now), true, run, sizeof(run));
		if (!wide) {
			cells[8] = cells[16];
		} else {
			for (r = 0; r < LLMSCHED_RES_KNOWN; r++)
				llmctl_format_res(r, k->demand[r], res[r],
						  LLMS_UNITS_BUF);
			llmctl_format_age(k->est_runtime_ns, true, est,
					  sizeof(est));
			if (k->state == LLMSCHED_TASK_SUCCEEDED ||
			    k->state == LLMSCHED_TASK_FAILED)
				snprintf(ex, sizeof(ex), "%d", k->exit_status);
			else
				strcpy(ex, "-");
			snprintf(deps, sizeof(deps), "%u", k->nr_deps);
			llmctl_format_tags(c, k->tags, tags, sizeof(tags));
		}
		ret = llmctl_table_add(&t, cells);
	}
	if (!ret)
		llmctl_table_print(&t, stdout);
	llmctl_table_free(&t);
	return ret ? LLMCTL_EXIT_FAILURE : 0;
}

/*
 * The same document as the tree --pretty prints, written one task at a
 * time by llmctl_task_json_write(): with 100,000 tasks the whole tree
 * takes hundreds of megabytes of json-c objects and most of the time.
 */
static int print_json_stream(const struct llmsd_config *c,
			     const struct llmsched_task_info *v, size_t n,
			     bool all)
{
	size_t i;

	printf("{\"all_users\":%s,\"count\":%zu,\"tasks\":[",
	       all ? "true" : "false", n);
	for (i = 0; i < n; i++) {
		if (i)
			putchar(',');
		llmctl_task_json_write(stdout, c, &v[i]);
	}
	return fputs("]}\n", stdout) == EOF ? LLMCTL_EXIT_FAILURE : 0;
}

int llmctl_cmd_tasks(struct llmctl *ctx, int argc, char **argv)
{
	enum { OPT_SORT = 256 };
	static const struct option opts[] = {
		{ "state", required_argument, NULL, 's' },
		{ "user", required_argument, NULL, 'u' },
		{ "agent", required_argument, NULL, 'a' },
		{ "name", required_argument, NULL, 'n' },
		{ "sort", required_argument, NULL, OPT_SORT },
		{ "reverse", no_argument, NULL, 'r' },
		{ "wide", no_argument, NULL, 'w' },
		LLMCTL_COMMON_OPTIONS, {}
	};
	struct llmsched_task_info *v = NULL;
	struct llmctl_task_filter f = { 0 };
	struct llmsd_config c;
	bool wide = false, all, have;
	size_t n, i;
	int ch, status;

	sort_by = SORT_ID;
	sort_reverse = false;
	while ((ch = getopt_long(argc, argv, "s:u:a:n:rw" LLMCTL_COMMON_SHORT,
				 opts, NULL)) != -1) {
		if (llmctl_common_option(ctx, ch, tasks_usage, &status)) {
			if (status >= 0)
				return status;
			continue;
		}
		switch (ch) {
		case OPT_SORT:
			for (i = 0; i < NSORT; i++)
				if (!strcmp(optarg, sort_names[i]))
					break;
			if (i == NSORT)
				return llmctl_usage_error(ctx, "--sort '%s': "
					"use id, priority, state, user, agent, "
					"submitted, runtime or label", optarg);
			sort_by = (enum sort_key)i;
			break;
		case 'r':
			sort_reverse = true;
			break;
		case 'w':
			wide = true;
			break;
		default:
			status = llmctl_task_filter_option(ctx, ch, optarg, &f);
			if (status)
				return status;
		}
	}
	if (optind < argc)
		return llmctl_usage_error(ctx, "unexpected '%s': tasks takes "
					  "options only (llmctl task ID shows "
					  "one)", argv[optind]);
	status = llmctl_config(ctx, &c, &have);
	if (status)
		return status;
	status = llmctl_list_tasks(ctx, &f, &v, &n, &all);
	if (status)
		goto out;
	sort_now = llmctl_now_ns();
	if (sort_by != SORT_ID || sort_reverse)
		qsort(v, n, sizeof(*v), compare);
	if (ctx->json && !ctx->pretty) {
		status = print_json_stream(&c, v, n, all);
	} else if (ctx->json) {
		struct json_object *o = json_object_new_object();
		struct json_object *a = json_object_new_array_ext((int)n);

		for (i = 0; i < n; i++)
			json_object_array_add(a, llmctl_task_json(&c, &v[i]));
		json_object_object_add(o, "all_users",
				       json_object_new_boolean(all));
		json_object_object_add(o, "count", llmctl_json_u64(n));
		json_object_object_add(o, "tasks", a);
		status = llmctl_json_print(o, ctx->pretty, stdout) ?
			 LLMCTL_EXIT_FAILURE : 0;
	} else {
		status = print_table(&c, v, n, wide);
	}
out:
	free(v);
	llmsd_config_free(&c);
	return status;
}

/* ------------------------------------------------------------ task ID */

/* The runtime's file for the task's stream (runtime/lib/tasklog.h). */
static void log_path(const struct llmsd_config *c,
		     const struct llmsched_task_info *t, const char *ext,
		     char *buf, size_t size)
{
	enum llms_tasklog_stream s = ext[0] == 'o' ? LLMS_TASKLOG_STDOUT :
						     LLMS_TASKLOG_STDERR;

	if (llms_tasklog_path(buf, size, c->log_dir, t->owner_uid, t->task_id,
			      s, NULL))
		snprintf(buf, size, "(too long)");
}

/* ------------------------------------------------------------ task GPUs */

static int copy_gpus(const struct llms_history_row *r, void *arg)
{
	char *buf = arg;

	snprintf(buf, LLMS_HISTORY_GPUS_MAX, "%s", r->gpus);
	return 1;
}

/*
 * Which of its agent's GPUs task @t was handed, into @buf ("" none):
 * an ended task's row in the runtime's history, else (running) the first
 * line of its stderr file, which the agent writes before the command
 * starts.  false when neither says (no runtime, no permission, a task
 * that never started).
 */
static bool task_gpus(const struct llmsd_config *c,
		      const struct llmsched_task_info *t, char *buf,
		      size_t size)
{
	struct llms_history_filter f = { .by_task = true,
					 .task_id = t->task_id };
	char path[4200], line[512], *instance = NULL, *p;
	struct llms_history *h = NULL;
	bool found = false;
	FILE *file;

	if (size < LLMS_HISTORY_GPUS_MAX || !t->start_ns)
		return false;
	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", c->state_dir, LLMSD_HISTORY_FILE);
	if (!llms_sysfs_read_string("instance", &instance, NULL) &&
	    !llms_history_open(&h, path, LLMS_HISTORY_READONLY, NULL)) {
		f.instance = instance;
		found = llms_history_query(h, &f, copy_gpus, buf, NULL) == 1;
		llms_history_close(h);
	}
	free(instance);
	if (found)
		return true;
	log_path(c, t, "err", path, sizeof(path));
	file = fopen(path, "re");
	if (!file)
		return false;
	/* "llmschedd: task ID holds GPU(s) NAMES of agent NAME" */
	if (fgets(line, sizeof(line), file) &&
	    !strncmp(line, "llmschedd: task ", 16) &&
	    (p = strstr(line, " holds GPU(s) "))) {
		char *end = strstr(p, " of agent ");

		p += strlen(" holds GPU(s) ");
		if (end && (size_t)(end - p) < size) {
			memcpy(buf, p, end - p);
			buf[end - p] = '\0';
		}
		found = true;
	} else {
		found = t->state == LLMSCHED_TASK_RUNNING;	/* none handed */
	}
	fclose(file);
	return found;
}

static void line(const char *key, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void line(const char *key, const char *fmt, ...)
{
	va_list ap;

	printf("%-14s ", key);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void time_line(const char *key, uint64_t at, uint64_t now)
{
	char b[LLMS_UNITS_BUF];

	if (!at) {
		line(key, "-");
		return;
	}
	llmctl_format_age(now > at ? now - at : 0, false, b, sizeof(b));
	line(key, "%s ago", b);
}

static void task_show(const struct llmsd_config *c,
		      const struct llmsched_task_info *t)
{
	char label[LLMSCHED_LABEL_MAX], b[4][LLMS_UNITS_BUF], tags[256],
	     out[4200], err[4200], gpus[LLMS_HISTORY_GPUS_MAX];
	uint64_t now = llmctl_now_ns(), run = task_runtime(t, now);
	struct stat st;
	unsigned int r;

	line("task", "%llu%s%s%s", (unsigned long long)t->task_id,
	     t->label[0] ? " (" : "", t->label[0] ? llmctl_task_label(t, label) : "",
	     t->label[0] ? ")" : "");
	line("user", "%s (uid %u)", llmctl_user_name(t->owner_uid),
	     t->owner_uid);
	line("priority", "%u%s", t->priority,
	     t->submit_flags & LLMSCHED_SUBMIT_PREEMPTIBLE ?
	     ", preemptible" : "");
	line("state", "%s", llms_task_state_name(t->state));
	if (t->state == LLMSCHED_TASK_QUEUED ||
	    t->state == LLMSCHED_TASK_RUNNABLE)
		line("waits for", "%s", llms_wait_name(t->wait));
	if (t->reason)
		line("reason", "%s", llms_task_reason_name(t->reason));
	if (t->state == LLMSCHED_TASK_SUCCEEDED ||
	    t->state == LLMSCHED_TASK_FAILED)
		line("exit status", "%d", t->exit_status);
	if (t->agent_id)
		line("agent", "%u%s", t->agent_id,
		     t->flags & LLMSCHED_INFO_FETCHED ? " (fetched)" : "");
	else
		line("agent", "-");
	time_line("submitted", t->submit_ns, now);
	time_line("started", t->start_ns, now);
	time_line("ended", t->end_ns, now);
	for (r = 0; r < LLMSCHED_RES_KNOWN; r++)
		llmctl_format_res(r, t->demand[r], b[r], LLMS_UNITS_BUF);
	line("demand", "cpu %s, memory %s, gpu %s, gpu memory %s", b[0], b[1],
	     b[2], b[3]);
	llmctl_format_tags(c, t->tags, tags, sizeof(tags));
	line("tags", "%s", tags);
	if (task_gpus(c, t, gpus, sizeof(gpus)))
		line("gpus", "%s", gpus[0] ? gpus : "none");
	llmctl_format_age(t->est_runtime_ns, false, b[0], sizeof(b[0]));
	if (run) {
		llmctl_format_age(run, false, b[1], sizeof(b[1]));
		line("run time", "%s%s, estimated %s (%+.0f%%)", b[1],
		     t->runtime_ns || t->end_ns ? "" : " so far", b[0],
		     t->est_runtime_ns ? 100.0 * ((double)run -
		     (double)t->est_runtime_ns) / (double)t->est_runtime_ns :
		     0.0);
	} else {
		line("run time", "- (estimated %s)", b[0]);
	}
	if (t->time_limit_ns) {
		llmctl_format_age(t->time_limit_ns, false, b[0], sizeof(b[0]));
		line("time limit", "%s", b[0]);
	}
	line("dependencies", "%u", t->nr_deps);
	line("retries left", "%u", t->retries_left);
	log_path(c, t, "out", out, sizeof(out));
	log_path(c, t, "err", err, sizeof(err));
	line("stdout", "%s%s", out, stat(out, &st) ? " (not there)" : "");
	line("stderr", "%s%s", err, stat(err, &st) ? " (not there)" : "");
}

int llmctl_cmd_task(struct llmctl *ctx, int argc, char **argv)
{
	static const struct option opts[] = { LLMCTL_COMMON_OPTIONS, {} };
	struct llms_error *err = NULL;
	struct llmsched_task_info t;
	unsigned long long id;
	struct llmsd_config c;
	int ch, status, fd;
	bool have;

	while ((ch = getopt_long(argc, argv, LLMCTL_COMMON_SHORT, opts,
				 NULL)) != -1)
		if (llmctl_common_option(ctx, ch, task_usage, &status) &&
		    status >= 0)
			return status;
	if (argc - optind != 1)
		return llmctl_usage_error(ctx, "give one task id");
	if (llmctl_parse_id(ctx, "task", argv[optind], &id))
		return LLMCTL_EXIT_USAGE;
	fd = llmctl_fd(ctx);
	if (fd < 0)
		return LLMCTL_EXIT_FAILURE;
	if (llms_task_query(fd, id, &t, &err)) {
		if (err->errnum == ENOENT) {
			llms_error_free(&err);
			fprintf(stderr, "llmctl task: no task %llu%s\n", id,
				geteuid() ? " of yours (only root sees other "
				"users' tasks)" : "");
			return LLMCTL_EXIT_NOT_FOUND;
		}
		return llmctl_fail(ctx, &err);
	}
	status = llmctl_config(ctx, &c, &have);
	if (status)
		return status;
	if (ctx->json) {
		struct json_object *o = llmctl_task_json(&c, &t);
		char path[4200], gpus[LLMS_HISTORY_GPUS_MAX];

		if (task_gpus(&c, &t, gpus, sizeof(gpus)))
			json_object_object_add(o, "gpus",
					       json_object_new_string(gpus));
		log_path(&c, &t, "out", path, sizeof(path));
		json_object_object_add(o, "stdout_path",
				       json_object_new_string(path));
		log_path(&c, &t, "err", path, sizeof(path));
		json_object_object_add(o, "stderr_path",
				       json_object_new_string(path));
		status = llmctl_json_print(o, ctx->pretty, stdout) ?
			 LLMCTL_EXIT_FAILURE : 0;
	} else {
		task_show(&c, &t);
	}
	llmsd_config_free(&c);
	return status;
}
