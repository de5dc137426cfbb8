// SPDX-License-Identifier: GPL-2.0
/*
 * llmctl status: the host at a glance.  Capacity, reservations and what
 * tasks hold come from the module's ioctls; queue depths and counters from
 * /sys/kernel/llmsched; the estimator's error from the runtime's
 * estimator.json, and how loads are measured from its load.json.  Everything here is readable by any user, except what
 * the agents' tasks hold (AGENT_LIST, root), which is left out otherwise.
 */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "common.h"
#include "../../runtime/llmschedd/llmschedd.h"
#include "../../runtime/llmschedd/loadprobe.h"

static const char status_usage[] =
"Usage: llmctl status [--json]\n"
"\n"
"The host at a glance: capacity, reserved and free per resource kind,\n"
"queue depths by state and by priority, the module's counters, the\n"
"policy, the estimator and its error, the agents by state, and how\n"
"llmschedd measures their load (the BPF probe, or the cgroups when the\n"
"probe could not load).\n"
"The IN USE column (what running tasks hold) needs root.\n";

static const char *const queue_files[] = {
	"queued", "runnable", "assigned", "running",
};
#define NQUEUE (sizeof(queue_files) / sizeof(queue_files[0]))

static const char *const stat_files[] = {
	"submitted", "dispatched", "succeeded", "failed", "cancelled",
	"requeued", "migrated",
};
#define NSTATS (sizeof(stat_files) / sizeof(stat_files[0]))

struct status {
	struct llmsched_version ver;
	struct llmsched_capacity cap;
	struct llmsched_policy pol;
	struct llmsched_estimator est;
	struct llmctl_est_state est_state;
	uint64_t queue[NQUEUE];
	/* Counted from the agents' task files (root only). */
	uint64_t stopping, frozen;
	bool tasks_counted;
	uint64_t stats[NSTATS];
	struct llms_sysfs_pair *prio;
	size_t nprio;
	/* Agents by state, from sysfs. */
	unsigned int up, draining, fencing, other;
	/* What tasks hold, summed over the agents (AGENT_LIST, root). */
	bool have_committed;
	__u64 committed[LLMSCHED_RES_MAX];
	/* STATE_DIR/load.json, while llmschedd runs. */
	bool have_load;
	char load_source[16];
	uint64_t load_interval_ns, load_reports, load_report_errors;
};

/* Whether a daemon holds STATE_DIR/llmschedd.lock (flock(2)) now. */
static bool daemon_alive(const struct llmsd_config *c)
{
	char path[4096 + 32];
	bool held;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", c->state_dir, LLMSD_LOCK_FILE);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	held = flock(fd, LOCK_SH | LOCK_NB) && errno == EWOULDBLOCK;
	close(fd);
	return held;
}

/* The daemon's load measurement, from STATE_DIR/load.json. */
static void read_load(const struct llmsd_config *c, struct status *s)
{
	struct json_object *o, *v;
	char path[4096 + 32];

	/* A daemon that died leaves its load.json: not measured, then. */
	if (!daemon_alive(c))
		return;
	snprintf(path, sizeof(path), "%s/%s", c->state_dir, LLMSD_LOAD_FILE);
	o = json_object_from_file(path);
	if (!o)
		return;
	if (json_object_is_type(o, json_type_object) &&
	    json_object_object_get_ex(o, "source", &v) &&
	    json_object_is_type(v, json_type_string) &&
	    (!strcmp(json_object_get_string(v), "bpf") ||
	     !strcmp(json_object_get_string(v), "cgroup"))) {
		s->have_load = true;
		snprintf(s->load_source, sizeof(s->load_source), "%s",
			 json_object_get_string(v));
		if (json_object_object_get_ex(o, "interval_ns", &v))
			s->load_interval_ns = (uint64_t)json_object_get_int64(v);
		if (json_object_object_get_ex(o, "reports", &v))
			s->load_reports = (uint64_t)json_object_get_int64(v);
		if (json_object_object_get_ex(o, "report_errors", &v))
			s->load_report_errors =
				(uint64_t)json_object_get_int64(v);
	}
	json_object_put(o);
}

static int read_sysfs(const struct llmctl *ctx, struct status *s)
{
	struct llms_error *err = NULL;
	uint32_t *ids = NULL;
	size_t n = 0, i, j;
	char rel[64];

	for (i = 0; i < NQUEUE; i++) {
		snprintf(rel, sizeof(rel), "queue/%s", queue_files[i]);
		if (llms_sysfs_read_u64(rel, &s->queue[i], &err))
			return llmctl_fail(ctx, &err);
	}
	for (i = 0; i < NSTATS; i++) {
		snprintf(rel, sizeof(rel), "stats/%s", stat_files[i]);
		if (llms_sysfs_read_u64(rel, &s->stats[i], &err))
			return llmctl_fail(ctx, &err);
	}
	if (llms_sysfs_read_pairs("queue/by_priority", &s->prio, &s->nprio,
				  &err))
		return llmctl_fail(ctx, &err);
	if (llms_sysfs_agent_ids(&ids, &n, &err))
		return llmctl_fail(ctx, &err);
	s->tasks_counted = true;
	for (i = 0; i < n; i++) {
		struct llms_sysfs_agent a;

		if (llms_sysfs_read_agent(ids[i], &a, &err)) {
			/* It left while we looked: it is not up. */
			llms_error_free(&err);
			continue;
		}
		if (!strcmp(a.state, "up"))
			s->up++;
		else if (!strcmp(a.state, "draining"))
			s->draining++;
		else if (!strcmp(a.state, "fencing"))
			s->fencing++;
		else
			s->other++;
		if (!a.tasks_read)
			s->tasks_counted = false;
		for (j = 0; j < a.ntasks; j++) {
			if (!strcmp(a.tasks[j].state, "stopping"))
				s->stopping++;
			else if (!strcmp(a.tasks[j].state, "frozen"))
				s->frozen++;
		}
		llms_sysfs_agent_free(&a);
	}
	free(ids);
	return 0;
}

static int read_status(struct llmctl *ctx, const struct llmsd_config *c,
		       struct status *s)
{
	struct llmsched_agent_info *agents = NULL;
	struct llms_error *err = NULL;
	size_t n = 0, i, k;
	int fd = llmctl_fd(ctx);

	if (fd < 0)
		return LLMCTL_EXIT_FAILURE;
	if (llms_version(fd, &s->ver, &err) ||
	    llms_get_capacity(fd, &s->cap, &err) ||
	    llms_get_policy(fd, &s->pol, &err) ||
	    llms_get_estimator(fd, &s->est, &err))
		return llmctl_fail(ctx, &err);
	if (!llms_agent_list_all(fd, &agents, &n, &err)) {
		s->have_committed = true;
		for (i = 0; i < n; i++)
			for (k = 0; k < LLMSCHED_RES_MAX; k++)
				s->committed[k] += agents[i].committed[k];
		free(agents);
	} else {
		/* EPERM for a user: that column is root's. */
		llms_error_free(&err);
	}
	llmctl_est_state(c, &s->est_state);
	read_load(c, s);
	return read_sysfs(ctx, s);
}

static struct json_object *status_json(const struct llmsd_config *c,
				       const struct status *s)
{
	struct json_object *o = json_object_new_object(), *r, *q, *a, *e;
	__u64 freev[LLMSCHED_RES_MAX] = { 0 };
	char ver[32];
	size_t i;

	(void)c;
	snprintf(ver, sizeof(ver), "%u.%u.%u", s->ver.major, s->ver.minor,
		 s->ver.patch);
	json_object_object_add(o, "version", json_object_new_string(ver));
	for (i = 0; i < LLMSCHED_RES_KNOWN; i++)
		freev[i] = s->cap.capacity[i] > s->cap.reserved[i] ?
			   s->cap.capacity[i] - s->cap.reserved[i] : 0;
	r = json_object_new_object();
	json_object_object_add(r, "capacity", llmctl_json_res(s->cap.capacity));
	json_object_object_add(r, "reserved", llmctl_json_res(s->cap.reserved));
	json_object_object_add(r, "free", llmctl_json_res(freev));
	if (s->have_committed)
		json_object_object_add(r, "in_use",
				       llmctl_json_res(s->committed));
	json_object_object_add(o, "resources", r);

	q = json_object_new_object();
	for (i = 0; i < NQUEUE; i++)
		json_object_object_add(q, queue_files[i],
				       llmctl_json_u64(s->queue[i]));
	if (s->tasks_counted) {
		json_object_object_add(q, "stopping",
				       llmctl_json_u64(s->stopping));
		json_object_object_add(q, "frozen", llmctl_json_u64(s->frozen));
	}
	a = json_object_new_array();
	for (i = 0; i < s->nprio; i++) {
		struct json_object *p = json_object_new_object();

		json_object_object_add(p, "priority",
			json_object_new_int(atoi(s->prio[i].key)));
		json_object_object_add(p, "count",
				       llmctl_json_u64(s->prio[i].value));
		json_object_array_add(a, p);
	}
	json_object_object_add(q, "by_priority", a);
	json_object_object_add(o, "queue", q);

	q = json_object_new_object();
	for (i = 0; i < NSTATS; i++)
		json_object_object_add(q, stat_files[i],
				       llmctl_json_u64(s->stats[i]));
	json_object_object_add(o, "counters", q);

	q = json_object_new_object();
	json_object_object_add(q, "policy", json_object_new_string(
				llmctl_policy_name(s->pol.policy)));
	json_object_object_add(q, "choice", json_object_new_string(
				llmctl_choice_name(s->pol.choice)));
	json_object_object_add(o, "policy", q);

	e = json_object_new_object();
	json_object_object_add(e, "nr_coeffs",
			       json_object_new_int((int)s->est.nr_coeffs));
	json_object_object_add(e, "mae_ns", s->est_state.found ?
		json_object_new_int64((int64_t)(s->est_state.mae_ns + 0.5)) :
		NULL);
	json_object_object_add(e, "samples", s->est_state.found ?
		json_object_new_int64(s->est_state.samples) : NULL);
	json_object_object_add(o, "estimator", e);

	q = json_object_new_object();
	json_object_object_add(q, "up", json_object_new_int((int)s->up));
	json_object_object_add(q, "draining",
			       json_object_new_int((int)s->draining));
	json_object_object_add(q, "fencing",
			       json_object_new_int((int)s->fencing));
	json_object_object_add(q, "total", json_object_new_int(
		(int)(s->up + s->draining + s->fencing + s->other)));
	json_object_object_add(o, "agents", q);

	q = NULL;
	if (s->have_load) {
		q = json_object_new_object();
		json_object_object_add(q, "source",
				       json_object_new_string(s->load_source));
		json_object_object_add(q, "interval_ns",
				       llmctl_json_u64(s->load_interval_ns));
		json_object_object_add(q, "reports",
				       llmctl_json_u64(s->load_reports));
		json_object_object_add(q, "report_errors",
				       llmctl_json_u64(s->load_report_errors));
	}
	json_object_object_add(o, "load", q);
	return o;
}

static int status_table(const struct status *s)
{
	static const struct llmctl_column cols[] = {
		{ "RESOURCE", LLMCTL_LEFT }, { "CAPACITY", LLMCTL_RIGHT },
		{ "RESERVED", LLMCTL_RIGHT }, { "FREE", LLMCTL_RIGHT },
		{ "IN USE", LLMCTL_RIGHT },
	};
	struct llmctl_table t;
	char b[4][LLMS_UNITS_BUF];
	unsigned int k;
	size_t i;
	int ret = 0;

	printf("llmsched %u.%u.%u, policy %s, agent choice %s\n\n",
	       s->ver.major, s->ver.minor, s->ver.patch,
	       llmctl_policy_name(s->pol.policy),
	       llmctl_choice_name(s->pol.choice));
	llmctl_table_init(&t, cols, s->have_committed ? 5 : 4);
	for (k = 0; k < LLMSCHED_RES_KNOWN && !ret; k++) {
		const char *cells[5] = { llmctl_res_names[k], b[0], b[1], b[2],
					 b[3] };
		uint64_t cap = s->cap.capacity[k], res = s->cap.reserved[k];

		llmctl_format_res(k, cap, b[0], sizeof(b[0]));
		llmctl_format_res(k, res, b[1], sizeof(b[1]));
		llmctl_format_res(k, cap > res ? cap - res : 0, b[2],
				  sizeof(b[2]));
		llmctl_format_res(k, s->committed[k], b[3], sizeof(b[3]));
		ret = llmctl_table_add(&t, cells);
	}
	if (!ret)
		llmctl_table_print(&t, stdout);
	llmctl_table_free(&t);

	printf("\ntasks:     ");
	for (i = 0; i < NQUEUE; i++)
		printf("%s%" PRIu64 " %s", i ? ", " : "", s->queue[i],
		       queue_files[i]);
	if (s->tasks_counted)
		printf(", %" PRIu64 " stopping, %" PRIu64 " frozen",
		       s->stopping, s->frozen);
	printf("\nwaiting:   ");
	if (!s->nprio)
		printf("none");
	for (i = 0; i < s->nprio; i++)
		printf("%s%" PRIu64 " at priority %s", i ? ", " : "",
		       s->prio[i].value, s->prio[i].key);
	printf("\ncounters:  ");
	for (i = 0; i < NSTATS; i++)
		printf("%s%s %" PRIu64, i ? ", " : "", stat_files[i],
		       s->stats[i]);
	printf("\nagents:    %u up, %u draining, %u fencing\n", s->up,
	       s->draining, s->fencing);
	printf("estimator: ");
	if (!s->est.nr_coeffs)
		printf("no model (tasks without an estimate count as 60s)");
	else
		printf("%u coefficients", s->est.nr_coeffs);
	if (s->est_state.found) {
		char mae[LLMS_UNITS_BUF];

		llmctl_format_age((uint64_t)(s->est_state.mae_ns + 0.5), false,
				  mae, sizeof(mae));
		printf(", mean error %s over the last %" PRId64 " tasks "
		       "(%" PRId64 " learnt)", mae, s->est_state.window,
		       s->est_state.samples);
	}
	printf("\nload:      ");
	if (!s->have_load) {
		printf("not measured (llmschedd is not running, or has not written its load.json yet)\n");
	} else {
		char iv[LLMS_UNITS_BUF];

		llmctl_format_age(s->load_interval_ns, false, iv, sizeof(iv));
		if (!strcmp(s->load_source, "bpf"))
			printf("measured by the BPF probe every %s", iv);
		else
			printf("from the cgroups' cpu.stat and cpu.pressure every %s (the BPF probe is not in use: the daemon's log says why)",
			       iv);
		printf(", %" PRIu64 " reports", s->load_reports);
		if (s->load_report_errors)
			printf(", %" PRIu64 " refused", s->load_report_errors);
		printf("\n");
	}
	return ret ? LLMCTL_EXIT_FAILURE : 0;
}

int llmctl_cmd_status(struct llmctl *ctx, int argc, char **argv)
{
	static const struct option opts[] = { LLMCTL_COMMON_OPTIONS, {} };
	struct llmsd_config c;
	struct status s;
	int ch, status;
	bool have;

	while ((ch = getopt_long(argc, argv, "+" LLMCTL_COMMON_SHORT, opts,
				 NULL)) != -1)
		if (llmctl_common_option(ctx, ch, status_usage, &status) &&
		    status >= 0)
			return status;
	if (optind < argc)
		return llmctl_usage_error(ctx, "unexpected '%s': status takes "
					  "no arguments", argv[optind]);
	status = llmctl_config(ctx, &c, &have);
	if (status)
		return status;
	memset(&s, 0, sizeof(s));
	status = read_status(ctx, &c, &s);
	if (!status) {
		if (ctx->json)
			status = llmctl_json_print(status_json(&c, &s),
						   ctx->pretty, stdout) ?
				 LLMCTL_EXIT_FAILURE : 0;
		else
			status = status_table(&s);
	}
	llms_sysfs_pairs_free(s.prio, s.nprio);
	llmsd_config_free(&c);
	return status;
}
