// SPDX-License-Identifier: GPL-2.0
/*
 * llmctl history: the ended tasks the runtime recorded (STATE_DIR/
 * history.db, runtime/lib/history.h), one row each, or a summary per
 * user, as sacct does.  Root sees every user's tasks; anyone else only
 * their own (and only when the file is readable to them: it is the
 * daemon's, mode 0640, readable to the state folder's group).
 */
#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../runtime/lib/history.h"
#include "../../runtime/llmschedd/llmschedd.h"
#include "common.h"
#include "llmctl.h"
#include "output.h"

static const char history_usage[] =
"Usage: llmctl history [OPTIONS]\n"
"\n"
"List ended tasks from the runtime's history (STATE_DIR/history.db), newest\n"
"first, or summarize them per user.  An unprivileged user sees only their\n"
"own tasks.\n"
"\n"
"Options:\n"
"  -u, --user USER     only this user's tasks (name or uid; root only for\n"
"                      other users)\n"
"  -s, --state STATE   only tasks that ended so: succeeded, failed,\n"
"                      cancelled\n"
"  -a, --agent ID      only tasks that agent ran\n"
"  -S, --since TIME    only tasks that ended at or after TIME\n"
"  -U, --until TIME    only tasks that ended before TIME\n"
"  -n, --name GLOB     only tasks whose label matches GLOB (*, ?, [...])\n"
"  -l, --limit N       at most N tasks (the newest)\n"
"  -o, --oldest-first  oldest first\n"
"  -m, --summary       per user: tasks, by end, mean wait, mean run time,\n"
"                      mean estimate error\n"
"  -j, --json          JSON (history.schema.json)\n"
"\n"
"TIME: \"2026-12-01 10:00\", \"2026-12-01 10:00:30\", \"2026-12-01\" (local\n"
"time), \"-1h\", \"-30m\", \"-2d\" (that long ago), or \"now\".\n"
"\n"
"Exit status: 0 (also when no task matched), 1 failure (no history yet,\n"
"an unreadable file), 2 bad command line, 4 another user's tasks asked for\n"
"by an unprivileged user, or a history file this user may not read.\n";

struct history {
	struct llmctl *ctx;
	struct llms_history_filter f;
	bool summary;
	struct llmctl_table t;
	struct json_object *list;
	char since[64], until[64];
};

static const char *user_name(uint32_t uid, char *buf, size_t len)
{
	struct passwd *pw = getpwuid(uid);

	if (pw)
		snprintf(buf, len, "%s", pw->pw_name);
	else
		snprintf(buf, len, "%u", (unsigned int)uid);
	return buf;
}

/* Local time, to the second; "-" for 0. */
static const char *wall_time(uint64_t ns, char *buf, size_t len)
{
	time_t t = (time_t)(ns / LLMS_NSEC_PER_SEC);
	struct tm tm;

	if (!ns || !localtime_r(&t, &tm) ||
	    !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "-");
	return buf;
}

static const char *duration(uint64_t ns, bool known, char *buf, size_t len)
{
	if (!known)
		snprintf(buf, len, "-");
	else
		llmctl_duration_text(ns, buf, len);
	return buf;
}

/*
 * A point in time, in CLOCK_REALTIME ns: a local date and time, or a
 * duration ago ("-1h"), or "now".  -1 after a usage error naming @opt.
 */
static int parse_time(const struct llmctl *ctx, const char *opt,
		      const char *s, uint64_t *ns)
{
	static const char *const forms[] = {
		"%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S",
		"%Y-%m-%dT%H:%M", "%Y-%m-%d",
	};
	struct llms_error *err = NULL;
	struct timespec now;
	struct tm tm;
	uint64_t ago;
	size_t i;
	time_t t;

	clock_gettime(CLOCK_REALTIME, &now);
	if (!strcmp(s, "now")) {
		*ns = (uint64_t)now.tv_sec * LLMS_NSEC_PER_SEC +
		      (uint64_t)now.tv_nsec;
		return 0;
	}
	if (s[0] == '-') {
		if (llms_parse_duration(s + 1, &ago, &err)) {
			llmctl_usage_error(ctx, "%s '%s': %s", opt, s,
					   err->msg);
			llms_error_free(&err);
			return -1;
		}
		*ns = (uint64_t)now.tv_sec * LLMS_NSEC_PER_SEC +
		      (uint64_t)now.tv_nsec;
		*ns = ago < *ns ? *ns - ago : 1;
		return 0;
	}
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		const char *end;

		memset(&tm, 0, sizeof(tm));
		end = strptime(s, forms[i], &tm);
		if (!end || *end)
			continue;
		tm.tm_isdst = -1;
		t = mktime(&tm);
		if (t <= 0)
			break;
		*ns = (uint64_t)t * LLMS_NSEC_PER_SEC;
		return 0;
	}
	llmctl_usage_error(ctx, "%s '%s': expected a local time \"YYYY-MM-DD"
			   " HH:MM[:SS]\" or \"YYYY-MM-DD\", a time ago "
			   "\"-1h\", \"-30m\", or \"now\"", opt, s);
	return -1;
}

static int parse_state(const struct llmctl *ctx, const char *s,
		       uint32_t *state)
{
	static const uint32_t ends[] = {
		LLMSCHED_TASK_SUCCEEDED, LLMSCHED_TASK_FAILED,
		LLMSCHED_TASK_CANCELLED,
	};
	size_t i;

	for (i = 0; i < 3; i++)
		if (!strcmp(s, llms_task_state_name(ends[i]))) {
			*state = ends[i];
			return 0;
		}
	if (!strcmp(s, "completed")) {
		*state = LLMSCHED_TASK_SUCCEEDED;
		return 0;
	}
	llmctl_usage_error(ctx, "--state '%s': expected succeeded, failed or "
			   "cancelled (how a task in the history ended)", s);
	return -1;
}

static const char *end_text(const struct llms_history_row *r, char *buf,
			    size_t len)
{
	if (r->state == LLMSCHED_TASK_SUCCEEDED)
		return "completed";
	if (r->state == LLMSCHED_TASK_CANCELLED)
		return "cancelled";
	return llmctl_reason_text(r->reason, r->exit_status, buf, len);
}

static int row_json(struct history *h, const struct llms_history_row *r)
{
	struct json_object *o = json_object_new_object();
	char why[64];

	json_object_object_add(o, "task_id", llmctl_json_u64(r->task_id));
	json_object_object_add(o, "instance",
			       json_object_new_string(r->instance));
	json_object_object_add(o, "label", json_object_new_string(r->label));
	json_object_object_add(o, "uid", llmctl_json_u64(r->uid));
	json_object_object_add(o, "agent_id", llmctl_json_u64(r->agent_id));
	json_object_object_add(o, "state", json_object_new_string(
		llms_task_state_name(r->state)));
	json_object_object_add(o, "reason", json_object_new_string(
		llms_task_reason_name(r->reason)));
	json_object_object_add(o, "end", json_object_new_string(
		end_text(r, why, sizeof(why))));
	json_object_object_add(o, "exit_status",
			       json_object_new_int(r->exit_status));
	json_object_object_add(o, "submit_ns", llmctl_json_u64(r->submit_ns));
	json_object_object_add(o, "start_ns", llmctl_json_u64(r->start_ns));
	json_object_object_add(o, "end_ns", llmctl_json_u64(r->end_ns));
	json_object_object_add(o, "wait_ns", llmctl_json_u64(
		r->start_ns > r->submit_ns ? r->start_ns - r->submit_ns : 0));
	json_object_object_add(o, "runtime_ns",
			       llmctl_json_u64(r->runtime_ns));
	json_object_object_add(o, "est_ns", llmctl_json_u64(r->est_ns));
	json_object_object_add(o, "cpu_mcpu",
			       llmctl_json_u64(r->demand[LLMSCHED_RES_CPU]));
	json_object_object_add(o, "mem_bytes",
			       llmctl_json_u64(r->demand[LLMSCHED_RES_MEM]));
	json_object_object_add(o, "gpus",
			       llmctl_json_u64(r->demand[LLMSCHED_RES_GPU]));
	json_object_object_add(o, "gpu_mem_bytes",
			llmctl_json_u64(r->demand[LLMSCHED_RES_GPU_MEM]));
	json_object_object_add(o, "mem_peak_bytes",
			       llmctl_json_u64(r->mem_peak));
	json_object_object_add(o, "cpu_usec", llmctl_json_u64(r->cpu_usec));
	json_object_object_add(o, "command",
			       json_object_new_string(r->command));
	return json_object_array_add(h->list, o) ? -ENOMEM : 0;
}

static int on_row(const struct llms_history_row *r, void *arg)
{
	struct history *h = arg;
	char id[24], user[64], agent[16], sub[32], wait[32], run[32], est[32];
	char peak[32], why[64];
	const char *cells[12];

	if (h->ctx->json)
		return row_json(h, r);
	snprintf(id, sizeof(id), "%" PRIu64, r->task_id);
	snprintf(agent, sizeof(agent), r->agent_id ? "%u" : "-", r->agent_id);
	cells[0] = id;
	cells[1] = user_name(r->uid, user, sizeof(user));
	cells[2] = r->label[0] ? r->label : "-";
	cells[3] = end_text(r, why, sizeof(why));
	cells[4] = agent;
	cells[5] = wall_time(r->submit_ns, sub, sizeof(sub));
	cells[6] = duration(r->start_ns - r->submit_ns,
			    r->start_ns >= r->submit_ns && r->start_ns,
			    wait, sizeof(wait));
	cells[7] = duration(r->runtime_ns, r->start_ns, run, sizeof(run));
	cells[8] = duration(r->est_ns, r->est_ns, est, sizeof(est));
	if (r->mem_peak)
		llms_format_bytes(r->mem_peak, peak, sizeof(peak));
	else
		snprintf(peak, sizeof(peak), "-");
	cells[9] = peak;
	cells[10] = r->command;
	return llmctl_table_add(&h->t, cells);
}

static int on_summary(const struct llms_history_summary *s, void *arg)
{
	struct history *h = arg;
	char user[64], n[4][24], wait[32], run[32], err[32];
	const char *cells[8];
	struct json_object *o;

	if (h->ctx->json) {
		o = json_object_new_object();
		json_object_object_add(o, "uid", llmctl_json_u64(s->uid));
		json_object_object_add(o, "user", json_object_new_string(
			user_name(s->uid, user, sizeof(user))));
		json_object_object_add(o, "count", llmctl_json_u64(s->count));
		json_object_object_add(o, "succeeded",
				       llmctl_json_u64(s->succeeded));
		json_object_object_add(o, "failed",
				       llmctl_json_u64(s->failed));
		json_object_object_add(o, "cancelled",
				       llmctl_json_u64(s->cancelled));
		json_object_object_add(o, "started",
				       llmctl_json_u64(s->started));
		json_object_object_add(o, "mean_wait_ns",
			llmctl_json_u64((uint64_t)(s->mean_wait_ns + 0.5)));
		json_object_object_add(o, "mean_runtime_ns",
			llmctl_json_u64((uint64_t)(s->mean_runtime_ns + 0.5)));
		json_object_object_add(o, "estimated",
				       llmctl_json_u64(s->estimated));
		json_object_object_add(o, "mean_est_error_ns",
			llmctl_json_u64((uint64_t)(s->mean_est_error_ns +
						   0.5)));
		return json_object_array_add(h->list, o) ? -ENOMEM : 0;
	}
	snprintf(n[0], sizeof(n[0]), "%" PRIu64, s->count);
	snprintf(n[1], sizeof(n[1]), "%" PRIu64, s->succeeded);
	snprintf(n[2], sizeof(n[2]), "%" PRIu64, s->failed);
	snprintf(n[3], sizeof(n[3]), "%" PRIu64, s->cancelled);
	cells[0] = user_name(s->uid, user, sizeof(user));
	cells[1] = n[0];
	cells[2] = n[1];
	cells[3] = n[2];
	cells[4] = n[3];
	cells[5] = duration((uint64_t)(s->mean_wait_ns + 0.5), s->started,
			    wait, sizeof(wait));
	cells[6] = duration((uint64_t)(s->mean_runtime_ns + 0.5), s->started,
			    run, sizeof(run));
	cells[7] = duration((uint64_t)(s->mean_est_error_ns + 0.5),
			    s->estimated, err, sizeof(err));
	return llmctl_table_add(&h->t, cells);
}

static int parse_args(struct history *h, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "user", required_argument, NULL, 'u' },
		{ "state", required_argument, NULL, 's' },
		{ "agent", required_argument, NULL, 'a' },
		{ "since", required_argument, NULL, 'S' },
		{ "until", required_argument, NULL, 'U' },
		{ "name", required_argument, NULL, 'n' },
		{ "limit", required_argument, NULL, 'l' },
		{ "oldest-first", no_argument, NULL, 'o' },
		{ "summary", no_argument, NULL, 'm' },
		LLMCTL_COMMON_OPTIONS,
		{}
	};
	unsigned long long v;
	int c, status;
	char *end;

	while ((c = getopt_long(argc, argv, "+u:s:a:S:U:n:l:om"
				LLMCTL_COMMON_SHORT, opts, NULL)) != -1) {
		if (llmctl_common_option(h->ctx, c, history_usage, &status)) {
			if (status >= 0)
				return status;
			continue;
		}
		switch (c) {
		case 'u':
			if (llmctl_parse_user(optarg, &h->f.uid))
				return llmctl_usage_error(h->ctx, "--user '%s': "
					"neither a user name nor a uid", optarg);
			h->f.by_uid = true;
			break;
		case 's':
			if (parse_state(h->ctx, optarg, &h->f.state))
				return LLMCTL_EXIT_USAGE;
			h->f.by_state = true;
			break;
		case 'a':
			if (llmctl_parse_id(h->ctx, "agent", optarg, &v))
				return LLMCTL_EXIT_USAGE;
			if (v > UINT32_MAX)
				return llmctl_usage_error(h->ctx, "--agent %s: "
					"agent ids are below 2^32", optarg);
			h->f.agent_id = (uint32_t)v;
			h->f.by_agent = true;
			break;
		case 'S':
			if (parse_time(h->ctx, "--since", optarg,
				       &h->f.since_ns))
				return LLMCTL_EXIT_USAGE;
			break;
		case 'U':
			if (parse_time(h->ctx, "--until", optarg,
				       &h->f.until_ns))
				return LLMCTL_EXIT_USAGE;
			break;
		case 'n':
			if (!*optarg)
				return llmctl_usage_error(h->ctx, "--name: give "
					"a glob such as 'train-*'");
			h->f.label_glob = optarg;
			break;
		case 'l':
			errno = 0;
			v = strtoull(optarg, &end, 10);
			if (!*optarg || *end || errno || *optarg == '-' || !v ||
			    v > INT64_MAX)
				return llmctl_usage_error(h->ctx, "--limit '%s': "
					"expected a whole number of tasks, 1 or "
					"more", optarg);
			h->f.limit = (size_t)v;
			break;
		case 'o':
			h->f.oldest_first = true;
			break;
		case 'm':
			h->summary = true;
			break;
		}
	}
	if (optind < argc)
		return llmctl_usage_error(h->ctx, "unexpected '%s': history "
					  "takes options only", argv[optind]);
	if (h->f.since_ns && h->f.until_ns && h->f.until_ns <= h->f.since_ns)
		return llmctl_usage_error(h->ctx, "--until is not after "
					  "--since: no task could match");
	return -1;
}

/* Root sees everyone's tasks; another user only their own. */
static int restrict_user(struct history *h)
{
	uint32_t me = (uint32_t)getuid();

	if (me == 0)
		return -1;
	if (h->f.by_uid && h->f.uid != me) {
		fprintf(stderr, "llmctl history: --user %u: only root may see "
			"other users' tasks; yours are shown without --user\n",
			(unsigned int)h->f.uid);
		return LLMCTL_EXIT_PERMISSION;
	}
	h->f.uid = me;
	h->f.by_uid = true;
	return -1;
}

static int open_history(struct history *h, struct llms_history **db)
{
	struct llms_error *err = NULL;
	struct llmsd_config cfg;
	char path[4200];
	bool have_cfg;
	int status, ret;

	status = llmctl_config(h->ctx, &cfg, &have_cfg);
	if (status)
		return status;
	snprintf(path, sizeof(path), "%s/%s", cfg.state_dir,
		 LLMSD_HISTORY_FILE);
	llmsd_config_free(&cfg);
	ret = llms_history_open(db, path, LLMS_HISTORY_READONLY, &err);
	if (ret == -ENOENT) {
		llms_error_prefix(&err, "no task has ended since llmschedd "
				  "began keeping the history, or the state "
				  "folder is elsewhere (--config FILE)");
		llmctl_fail(h->ctx, &err);
		return LLMCTL_EXIT_FAILURE;
	}
	if (ret == -EACCES || ret == -EPERM) {
		llms_error_prefix(&err, "the history is root's and the state "
				  "folder's group's to read; ask an "
				  "administrator to add you to that group");
		return llmctl_fail(h->ctx, &err);
	}
	if (ret)
		return llmctl_fail(h->ctx, &err) == LLMCTL_EXIT_PERMISSION ?
			LLMCTL_EXIT_PERMISSION : LLMCTL_EXIT_FAILURE;
	return -1;
}

int llmctl_cmd_history(struct llmctl *ctx, int argc, char **argv)
{
	static const struct llmctl_column row_cols[] = {
		{ "ID", LLMCTL_RIGHT }, { "USER", LLMCTL_LEFT },
		{ "NAME", LLMCTL_LEFT }, { "END", LLMCTL_LEFT },
		{ "AGENT", LLMCTL_RIGHT }, { "SUBMITTED", LLMCTL_LEFT },
		{ "WAIT", LLMCTL_RIGHT }, { "RUN", LLMCTL_RIGHT },
		{ "EST", LLMCTL_RIGHT }, { "MEM PEAK", LLMCTL_RIGHT },
		{ "COMMAND", LLMCTL_LEFT },
	};
	static const struct llmctl_column sum_cols[] = {
		{ "USER", LLMCTL_LEFT }, { "TASKS", LLMCTL_RIGHT },
		{ "OK", LLMCTL_RIGHT }, { "FAILED", LLMCTL_RIGHT },
		{ "CANCELLED", LLMCTL_RIGHT }, { "MEAN WAIT", LLMCTL_RIGHT },
		{ "MEAN RUN", LLMCTL_RIGHT }, { "MEAN EST ERROR", LLMCTL_RIGHT },
	};
	struct history h = { .ctx = ctx };
	struct llms_history *db = NULL;
	struct llms_error *err = NULL;
	struct json_object *doc;
	int status, ret;

	status = parse_args(&h, argc, argv);
	if (status < 0)
		status = restrict_user(&h);
	if (status < 0)
		status = open_history(&h, &db);
	if (status >= 0)
		return status;
	if (h.summary)
		llmctl_table_init(&h.t, sum_cols, 8);
	else
		llmctl_table_init(&h.t, row_cols, 11);
	h.list = json_object_new_array();
	if (h.summary)
		ret = llms_history_summarize(db, &h.f, on_summary, &h, &err);
	else
		ret = llms_history_query(db, &h.f, on_row, &h, &err);
	llms_history_close(db);
	if (ret < 0) {
		status = llmctl_fail(ctx, &err);
	} else if (ctx->json) {
		doc = json_object_new_object();
		json_object_object_add(doc, h.summary ? "users" : "tasks",
				       json_object_get(h.list));
		status = llmctl_json_print(doc, ctx->pretty, stdout) ?
			 LLMCTL_EXIT_FAILURE : LLMCTL_EXIT_OK;
	} else {
		llmctl_table_print(&h.t, stdout);
		status = LLMCTL_EXIT_OK;
	}
	json_object_put(h.list);
	llmctl_table_free(&h.t);
	return status;
}
