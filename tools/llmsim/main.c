// SPDX-License-Identifier: GPL-2.0
/*
 * llmsim: run scheduling policies of the real engine over a trace and
 * print what they achieve (Documentation/scheduling/simulator.rst).
 *
 * Exit status: 0 ok, 1 bad input (or an engine refusal), 2 usage.
 * Everything is parsed and checked before the first simulation step.
 */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "metrics.h"
#include "mix.h"
#include "reference.h"
#include "sim.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: llmsim [options] TRACE        (TRACE '-' is standard input)\n"
		"       llmsim --reference\n"
		"Simulate the llmsched engine's policies over a trace, side by side.\n"
		"  --agents FILE|N      agents from FILE ('agent' lines), or N generated\n"
		"                       (default: the trace's own 'agent' lines)\n"
		"  --policy LIST        comma-separated of prio-fifo, sjf, mlfq, drf, or\n"
		"                       'all' (default)\n"
		"  --backfill on|off    backfilling behind a blocked head (default on)\n"
		"  --dag-rank on|off    order ready tasks by upward rank within a priority\n"
		"                       (engine tunable dag_rank; default off)\n"
		"  --choice least-loaded|best-fit   agent choice (default least-loaded)\n"
		"  --age SEC            MLFQ aging step (default: the engine's, 60 s)\n"
		"  --fit on|off         refit the estimator online from the run times of\n"
		"                       tasks estimated from features (default on)\n"
		"  --tick SEC           balance and sampling tick (default 1; 0: none)\n"
		"  --start-delay SEC    assignment to start on the agent (default 0.2)\n"
		"  --preempt on|off     tasks marked preempt=1 may be frozen for tasks of\n"
		"                       higher priority (default on)\n"
		"  --freeze-delay SEC   a freeze or thaw asked to done (default 0.1)\n"
		"  --load-interval SEC  feed measured loads this often, as the daemon's\n"
		"                       LOAD_REPORT does (default 0.01; 0: never)\n"
		"  --load-window SEC    each the mean over this window (default 0.1)\n"
		"  --balance on|off|both  the balancer runs, or not, or each policy\n"
		"                       runs both ways side by side (default on)\n"
		"  --shares             also print each user's dominant share over time\n"
		"  --events             print event lines (one policy only)\n"
		"  --jobs N             policies simulated at once (default: CPUs)\n"
		"  --json               print the report as JSON\n"
		"  --reference          run the reference example, print its events\n"
		"  --help               this text\n"
		"Exit status: 0 ok, 1 bad input, 2 usage.\n");
}

static double sec(uint64_t ns)
{
	return (double)ns / 1e9;
}

static const char *const res_names[LSC_NR_RES] = {
	"cpu", "mem", "gpu", "gpumem",
};

/* A run's name: its policy, "-nobal" when it ran without the balancer. */
static const char *run_name(const struct sim_result *r)
{
	static const char *const nobal[LSC_POLICY_NR] = {
		"prio-fifo-nobal", "sjf-nobal", "mlfq-nobal", "drf-nobal",
	};

	if (r->no_balance && r->policy < LSC_POLICY_NR)
		return nobal[r->policy];
	return sim_policy_name(r->policy);
}

static void print_balance(const struct sim_result *r, unsigned int n,
			  const struct sim_opts *o)
{
	unsigned int i, w;

	printf("\nload balance: the engine's imbalance, mean pairwise |L_i - L_j| per-mille, each tick;\n");
	if (o->load_interval_ns)
		printf("  measured loads fed every %gs, each the mean over %gs (use and CPU wait over reservation)\n",
		       sec(o->load_interval_ns), sec(o->load_window_ns));
	else
		printf("  no measured loads (--load-interval 0): the tick balances on held shares\n");
	printf("  use-imb: the same over the CPU the running tasks use now (exact, instant)\n");
	printf("%-15s %12s %9s %9s %9s %9s %9s %9s %9s %10s\n", "run",
	       "makespan(s)", "imb-mean", "imb-p99", "imb-max", "use-mean",
	       "use-p99", "migrated", "cpu-wait%", "reports");
	for (i = 0; i < n; i++)
		printf("%-15s %12.3f %9.1f %9.1f %9.1f %9.1f %9.1f %9llu %9.2f %10llu\n",
		       run_name(&r[i]), sec(r[i].makespan), r[i].imbalance_mean,
		       r[i].imbalance_p99, r[i].imbalance_max,
		       r[i].use_imbalance_mean, r[i].use_imbalance_p99,
		       (unsigned long long)r[i].migrations,
		       100 * r[i].cpu_wait, (unsigned long long)r[i].reports);
	printf("imbalance per tenth of the run (mean per-mille)\n");
	for (i = 0; i < n; i++) {
		printf("%-15s", run_name(&r[i]));
		for (w = 0; w < SIM_WINDOWS; w++)
			printf(" %6.1f", r[i].imbalance_window[w]);
		printf("\n");
	}
}

static int has_policy(const struct sim_result *r, unsigned int n, uint32_t p)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (r[i].policy == p)
			return 1;
	return 0;
}

static void print_table(const struct trace *t, const struct lower_bound *lb,
			const struct sim_result *r, unsigned int n,
			const struct sim_opts *o, int shares)
{
	char binds[96];
	unsigned int i, p, w, k;

	lb_describe(t, lb, binds, sizeof(binds));
	printf("llmsim: %zu tasks, %zu agents (%u classes), %zu users; backfill %s, dag-rank %s, choice %s, tick %gs, start delay %gs, preempt %s (freeze delay %gs)\n",
	       t->ntasks, t->nagents, lb->nclasses, t->nusers,
	       o->backfill ? "on" : "off", o->dag_rank ? "on" : "off",
	       sim_choice_name(o->choice), sec(o->tick_ns),
	       sec(o->start_delay_ns), o->preempt ? "on" : "off",
	       sec(o->freeze_delay_ns));
	printf("lower bound on makespan: %.3f s, bound by %s\n", sec(lb->total),
	       binds);
	printf("  terms:");
	for (k = 0; k < LB_NR; k++)
		printf(" %s %.3f", lb_term_name(k), sec(lb->term[k]));
	printf("\n\n");
	printf("%-15s %12s %7s %6s %6s %6s %6s %10s %7s %7s %10s %9s %8s %8s\n",
	       "policy", "makespan(s)", "/bound", "cpu%", "mem%", "gpu%",
	       "slot%", "idle-fit", "parked", "share-j", "backfilled",
	       "migrated", "overruns", "wall(s)");
	for (i = 0; i < n; i++)
		printf("%-15s %12.3f %7.3f %6.1f %6.1f %6.1f %6.1f %10.1f %7llu %7.3f %10llu %9llu %8llu %8.2f\n",
		       run_name(&r[i]), sec(r[i].makespan),
		       lb->total ? (double)r[i].makespan / lb->total : 0,
		       100 * r[i].util[LSC_RES_CPU],
		       100 * r[i].util[LSC_RES_MEM],
		       100 * r[i].util[LSC_RES_GPU], 100 * r[i].util_slots,
		       r[i].idle_fit_s,
		       (unsigned long long)r[i].parked_max, r[i].share_jain,
		       (unsigned long long)r[i].backfilled,
		       (unsigned long long)r[i].migrations,
		       (unsigned long long)r[i].overruns, r[i].wall_s);
	for (i = 0; i < n; i++)
		if (r[i].freezes)
			printf("%s preemption: %llu freeze rounds, %llu tasks asked to freeze (%llu froze, the rest ended first), %llu thaws\n",
			       i ? "          " : "\n", (unsigned long long)r[i].preemptions,
			       (unsigned long long)r[i].freezes,
			       (unsigned long long)r[i].frozen,
			       (unsigned long long)r[i].thaws);
	print_balance(r, n, o);
	printf("\nidle-fit: agent-seconds an agent with no task stood beside a RUNNABLE task it could hold\n"
	       "  whose user was below its limit (the liveness counter; 0 unless the head's reservation%s)\n"
	       "parked: most tasks at once that no UP agent could hold; share-j: Jain's index of the\n"
	       "  dominant shares of the users with RUNNABLE tasks, averaged over ticks (1 = equal)\n",
	       o->backfill ? "" : ",\n  here strict order without backfilling, holds them");

	printf("\nwaiting time, seconds: queue (RUNNABLE to first assignment), dependencies (arrival to RUNNABLE)\n");
	printf("%-15s %5s %8s %10s %10s %10s %10s %10s %10s\n", "policy",
	       "prio", "tasks", "q-p50", "q-p95", "q-p99", "q-max", "dep-p50",
	       "dep-p99");
	for (i = 0; i < n; i++)
		for (p = SIM_NR_PRIO; p-- > 0;) {
			const struct sim_pct *q = &r[i].qwait[p];
			const struct sim_pct *d = &r[i].dwait[p];

			if (!q->n)
				continue;
			printf("%-15s %5u %8llu %10.3f %10.3f %10.3f %10.3f %10.3f %10.3f\n",
			       run_name(&r[i]), p,
			       (unsigned long long)q->n, sec(q->p50),
			       sec(q->p95), sec(q->p99), sec(q->max),
			       sec(d->p50), sec(d->p99));
		}

	for (i = 0; i < n && has_policy(r, n, LSC_POLICY_MLFQ); i++) {
		if (r[i].policy != LSC_POLICY_MLFQ)
			continue;
		printf("\nMLFQ levels (level = priority less demotions, when assigned): no task arriving\n"
		       "(top level - level) x age after a task passes it; its wait is that at most, plus\n"
		       "the work queued ahead of it when it arrived\n");
		printf("%-10s %6s %8s %14s %14s\n", "policy", "level", "tasks",
		       "max-wait(s)", "aging-bound(s)");
		for (p = r[i].top_level + 1; p-- > 0;) {
			const struct sim_mlfq_level *l = &r[i].level[p];

			if (!l->n)
				continue;
			printf("%-10s %6u %8llu %14.3f %14.3f\n", "mlfq", p,
			       (unsigned long long)l->n, sec(l->max_wait),
			       sec(l->bound));
		}
	}

	for (i = 0; i < n; i++) {
		if (!r[i].estimated)
			continue;
		if (!i || !r[i - 1].estimated)
			printf("\nestimates from features, %s: |estimate - actual| / actual per tenth of the run\n",
			       o->fit ? "refit online (RLS, pushed to the engine every 16 completions)" :
			       "with no model (the default estimate)");
		printf("%-10s %6s", sim_policy_name(r[i].policy), "tasks");
		for (w = 0; w < SIM_WINDOWS; w++)
			printf(" %7llu", (unsigned long long)r[i].est[w].n);
		printf("\n%-10s %6s", "", "mean");
		for (w = 0; w < SIM_WINDOWS; w++)
			printf(" %7.3f", r[i].est[w].mape);
		printf("\n%-10s %6s", "", "median");
		for (w = 0; w < SIM_WINDOWS; w++)
			printf(" %7.3f", r[i].est[w].median);
		printf("\n");
	}

	if (!shares)
		return;
	printf("\ndominant share per user: over the run, while it had RUNNABLE tasks, per tenth of the run\n");
	for (i = 0; i < n; i++) {
		size_t u;

		for (u = 0; u < t->nusers; u++) {
			const struct sim_user_share *us = &r[i].users[u];

			printf("%-10s %-10s %7llu %6.3f %6.3f |",
			       sim_policy_name(r[i].policy), t->users[u],
			       (unsigned long long)us->tasks, us->mean,
			       us->backlogged);
			for (w = 0; w < SIM_WINDOWS; w++)
				printf(" %5.3f", us->window[w]);
			printf("\n");
		}
	}
}

static void print_pct(const char *name, const struct sim_pct *v)
{
	printf("\"%s\":{\"p50\":%.9g,\"p95\":%.9g,\"p99\":%.9g,\"max\":%.9g}",
	       name, sec(v->p50), sec(v->p95), sec(v->p99), sec(v->max));
}

static void print_json(const struct trace *t, const struct lower_bound *lb,
		       const struct sim_result *r, unsigned int n,
		       const struct sim_opts *o)
{
	unsigned int i, p, k, first, w;
	char binds[96];
	size_t u;

	lb_describe(t, lb, binds, sizeof(binds));
	printf("{\"tasks\":%zu,\"agents\":%zu,\"users\":%zu,", t->ntasks,
	       t->nagents, t->nusers);
	printf("\"backfill\":%s,\"dag_rank\":%s,\"choice\":\"%s\",\"tick_s\":%.9g,\"start_delay_s\":%.9g,\"preempt\":%s,\"freeze_delay_s\":%.9g,",
	       o->backfill ? "true" : "false", o->dag_rank ? "true" : "false",
	       sim_choice_name(o->choice), sec(o->tick_ns),
	       sec(o->start_delay_ns), o->preempt ? "true" : "false",
	       sec(o->freeze_delay_ns));
	printf("\"load_interval_s\":%.9g,\"load_window_s\":%.9g,",
	       sec(o->load_interval_ns), sec(o->load_window_ns));
	printf("\"lower_bound_s\":{\"total\":%.9g,\"binds\":\"%s\"",
	       sec(lb->total), binds);
	for (k = 0; k < LB_NR; k++)
		printf(",\"%s\":%.9g", lb_term_name(k), sec(lb->term[k]));
	printf("},\"policies\":[");
	for (i = 0; i < n; i++) {
		printf("%s{\"policy\":\"%s\",\"balance\":%s,\"makespan_s\":%.9g,\"makespan_over_bound\":%.6g,",
		       i ? "," : "", sim_policy_name(r[i].policy),
		       r[i].no_balance ? "false" : "true",
		       sec(r[i].makespan),
		       lb->total ? (double)r[i].makespan / lb->total : 0);
		printf("\"utilization\":{");
		for (k = 0; k < LSC_NR_RES; k++)
			printf("\"%s\":%.6g,", res_names[k], r[i].util[k]);
		printf("\"slots\":%.6g},", r[i].util_slots);
		printf("\"idle_fit_agent_s\":%.6g,\"idle_fit_strict_agent_s\":%.6g,\"parked_max\":%llu,",
		       r[i].idle_fit_s, r[i].idle_fit_strict_s,
		       (unsigned long long)r[i].parked_max);
		printf("\"wait_s\":{");
		first = 1;
		for (p = SIM_NR_PRIO; p-- > 0;) {
			if (!r[i].qwait[p].n)
				continue;
			printf("%s\"%u\":{\"tasks\":%llu,", first ? "" : ",", p,
			       (unsigned long long)r[i].qwait[p].n);
			print_pct("queue", &r[i].qwait[p]);
			printf(",");
			print_pct("dependencies", &r[i].dwait[p]);
			printf("}");
			first = 0;
		}
		printf("},\"mlfq_levels\":{");
		first = 1;
		for (p = 0; r[i].policy == LSC_POLICY_MLFQ &&
		     p <= r[i].top_level; p++) {
			if (!r[i].level[p].n)
				continue;
			printf("%s\"%u\":{\"tasks\":%llu,\"max_wait_s\":%.9g,\"aging_bound_s\":%.9g}",
			       first ? "" : ",", p,
			       (unsigned long long)r[i].level[p].n,
			       sec(r[i].level[p].max_wait),
			       sec(r[i].level[p].bound));
			first = 0;
		}
		printf("},\"estimate_error\":[");
		for (w = 0; r[i].estimated && w < SIM_WINDOWS; w++)
			printf("%s{\"tasks\":%llu,\"mean\":%.6g,\"median\":%.6g}",
			       w ? "," : "",
			       (unsigned long long)r[i].est[w].n,
			       r[i].est[w].mape, r[i].est[w].median);
		printf("],\"share_jain\":%.6g,\"users\":[", r[i].share_jain);
		for (u = 0; u < t->nusers; u++) {
			const struct sim_user_share *us = &r[i].users[u];

			printf("%s{\"user\":\"%s\",\"tasks\":%llu,\"share_mean\":%.6g,\"share_backlogged\":%.6g,\"share_windows\":[",
			       u ? "," : "", t->users[u],
			       (unsigned long long)us->tasks, us->mean,
			       us->backlogged);
			for (w = 0; w < SIM_WINDOWS; w++)
				printf("%s%.6g", w ? "," : "", us->window[w]);
			printf("]}");
		}
		printf("],\"imbalance_permille\":{\"mean\":%.6g,\"p99\":%.6g,\"max\":%.6g,\"samples\":%llu,\"windows\":[",
		       r[i].imbalance_mean, r[i].imbalance_p99,
		       r[i].imbalance_max, (unsigned long long)r[i].ticks);
		for (w = 0; w < SIM_WINDOWS; w++)
			printf("%s%.6g", w ? "," : "", r[i].imbalance_window[w]);
		printf("]},\"use_imbalance_permille\":{\"mean\":%.6g,\"p99\":%.6g},",
		       r[i].use_imbalance_mean, r[i].use_imbalance_p99);
		printf("\"load_reports\":%llu,\"cpu_wait\":%.6g,",
		       (unsigned long long)r[i].reports, r[i].cpu_wait);
		printf("\"migrations\":%llu,\"backfilled\":%llu,\"overruns\":%llu,\"preemptions\":%llu,\"freezes\":%llu,\"frozen\":%llu,\"thaws\":%llu,\"completed\":%llu,\"failed\":%llu,\"wall_s\":%.3f}",
		       (unsigned long long)r[i].migrations,
		       (unsigned long long)r[i].backfilled,
		       (unsigned long long)r[i].overruns,
		       (unsigned long long)r[i].preemptions,
		       (unsigned long long)r[i].freezes,
		       (unsigned long long)r[i].frozen,
		       (unsigned long long)r[i].thaws,
		       (unsigned long long)r[i].completed,
		       (unsigned long long)r[i].failed, r[i].wall_s);
	}
	printf("]}\n");
}

static int on_off(const char *opt, const char *arg, int *out)
{
	if (!strcmp(arg, "on")) {
		*out = 1;
	} else if (!strcmp(arg, "off")) {
		*out = 0;
	} else {
		fprintf(stderr, "llmsim: bad --%s '%s': expected on or off\n",
			opt, arg);
		return -1;
	}
	return 0;
}

/* Policies run in parallel: engines share nothing, the trace is read-only. */
struct job {
	const struct trace *t;
	const struct sim_opts *o;
	const uint32_t *pol;
	const int *nobal;
	struct sim_result *res;
	int *rc;
	unsigned int npol, next;
	pthread_mutex_t lock;
};

static void *worker(void *arg)
{
	struct job *j = arg;
	struct sim_opts o = *j->o;
	unsigned int i;

	for (;;) {
		pthread_mutex_lock(&j->lock);
		i = j->next++;
		pthread_mutex_unlock(&j->lock);
		if (i >= j->npol)
			return NULL;
		o.policy = j->pol[i];
		o.no_balance = j->nobal[i];
		j->rc[i] = sim_run(j->t, &o, &j->res[i]);
	}
}

static int run_all(const struct trace *t, const struct sim_opts *o,
		   const uint32_t *pol, const int *nobal, unsigned int npol,
		   unsigned int jobs, struct sim_result *res)
{
	struct job j = {
		.t = t, .o = o, .pol = pol, .nobal = nobal, .res = res,
		.npol = npol,
	};
	pthread_t th[64];
	unsigned int i, n = jobs < npol ? jobs : npol;
	int rc = 0;

	if (n > 64)
		n = 64;
	j.rc = calloc(npol, sizeof(int));
	if (!j.rc)
		return 1;
	pthread_mutex_init(&j.lock, NULL);
	for (i = 1; i < n; i++)
		if (pthread_create(&th[i], NULL, worker, &j))
			break;
	n = i;
	worker(&j);
	for (i = 1; i < n; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < npol; i++)
		if (j.rc[i])
			rc = 1;
	pthread_mutex_destroy(&j.lock);
	free(j.rc);
	return rc;
}

static int parse_policies(const char *s, uint32_t *list, unsigned int *n)
{
	char *copy = strdup(s), *tok, *save = NULL;
	uint32_t p;

	*n = 0;
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "all")) {
			for (p = 0; p < LSC_POLICY_NR; p++)
				list[(*n)++] = p;
			continue;
		}
		for (p = 0; p < LSC_POLICY_NR; p++)
			if (!strcmp(tok, sim_policy_name(p)))
				break;
		if (p == LSC_POLICY_NR || *n >= 4 * LSC_POLICY_NR) {
			free(copy);
			return -1;
		}
		list[(*n)++] = p;
	}
	free(copy);
	return *n ? 0 : -1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "agents", required_argument, NULL, 'a' },
		{ "policy", required_argument, NULL, 'p' },
		{ "backfill", required_argument, NULL, 'b' },
		{ "dag-rank", required_argument, NULL, 'D' },
		{ "fit", required_argument, NULL, 'F' },
		{ "age", required_argument, NULL, 'A' },
		{ "shares", no_argument, NULL, 'S' },
		{ "choice", required_argument, NULL, 'c' },
		{ "tick", required_argument, NULL, 't' },
		{ "start-delay", required_argument, NULL, 'd' },
		{ "preempt", required_argument, NULL, 'P' },
		{ "freeze-delay", required_argument, NULL, 'z' },
		{ "load-interval", required_argument, NULL, 'L' },
		{ "load-window", required_argument, NULL, 'W' },
		{ "balance", required_argument, NULL, 'B' },
		{ "events", no_argument, NULL, 'e' },
		{ "jobs", required_argument, NULL, 'J' },
		{ "json", no_argument, NULL, 'j' },
		{ "reference", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct sim_opts o = {
		.policy = LSC_POLICY_PRIO_FIFO,
		.choice = LSC_CHOOSE_LEAST_LOADED,
		.backfill = 1,
		.fit = 1,
		.tick_ns = 1000000000ULL,
		.start_delay_ns = 200000000ULL,
		.preempt = 1,
		.freeze_delay_ns = 100000000ULL,
		.load_interval_ns = 10000000ULL,
		.load_window_ns = 100000000ULL,
	};
	uint32_t pol[8 * LSC_POLICY_NR];
	int nobal[8 * LSC_POLICY_NR] = { 0 }, balance = 1;
	unsigned int npol = LSC_POLICY_NR, i, jobs;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	const char *agents = NULL;
	int c, json = 0, events = 0, reference = 0, rc = 0, shares = 0;
	struct sim_result *res;
	struct lower_bound lb;
	struct trace_err err;
	struct trace t;

	jobs = ncpu > 0 ? (unsigned int)ncpu : 1;
	for (i = 0; i < LSC_POLICY_NR; i++)
		pol[i] = i;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			agents = optarg;
			break;
		case 'p':
			if (parse_policies(optarg, pol, &npol)) {
				fprintf(stderr, "llmsim: bad --policy '%s': expected a list of prio-fifo, sjf, mlfq, drf or all\n",
					optarg);
				return 2;
			}
			break;
		case 'b':
			if (on_off("backfill", optarg, &o.backfill))
				return 2;
			break;
		case 'D':
			if (on_off("dag-rank", optarg, &o.dag_rank))
				return 2;
			break;
		case 'F':
			if (on_off("fit", optarg, &o.fit))
				return 2;
			break;
		case 'A':
			if (trace_parse_time(optarg, &o.age_ns) ||
			    o.age_ns < 1000) {
				fprintf(stderr, "llmsim: bad --age '%s': expected seconds, at least 1us\n",
					optarg);
				return 2;
			}
			break;
		case 'S':
			shares = 1;
			break;
		case 'c':
			if (!strcmp(optarg, "least-loaded")) {
				o.choice = LSC_CHOOSE_LEAST_LOADED;
			} else if (!strcmp(optarg, "best-fit")) {
				o.choice = LSC_CHOOSE_BEST_FIT;
			} else {
				fprintf(stderr, "llmsim: bad --choice '%s': expected least-loaded or best-fit\n",
					optarg);
				return 2;
			}
			break;
		case 't':
			if (trace_parse_time(optarg, &o.tick_ns)) {
				fprintf(stderr, "llmsim: bad --tick '%s': expected seconds\n",
					optarg);
				return 2;
			}
			break;
		case 'd':
			if (trace_parse_time(optarg, &o.start_delay_ns)) {
				fprintf(stderr, "llmsim: bad --start-delay '%s': expected seconds\n",
					optarg);
				return 2;
			}
			break;
		case 'P':
			if (on_off("preempt", optarg, &o.preempt))
				return 2;
			break;
		case 'z':
			if (trace_parse_time(optarg, &o.freeze_delay_ns)) {
				fprintf(stderr, "llmsim: bad --freeze-delay '%s': expected seconds\n",
					optarg);
				return 2;
			}
			break;
		case 'L':
			if (trace_parse_time(optarg, &o.load_interval_ns) ||
			    (o.load_interval_ns && o.load_interval_ns < 1000) ||
			    o.load_interval_ns > (1ULL << 40)) {
				fprintf(stderr, "llmsim: bad --load-interval '%s': expected seconds, 1us..1099s, or 0\n",
					optarg);
				return 2;
			}
			break;
		case 'W':
			if (trace_parse_time(optarg, &o.load_window_ns) ||
			    !o.load_window_ns) {
				fprintf(stderr, "llmsim: bad --load-window '%s': expected seconds above 0\n",
					optarg);
				return 2;
			}
			break;
		case 'B':
			if (!strcmp(optarg, "both")) {
				balance = 2;
			} else if (strcmp(optarg, "on") && strcmp(optarg, "off")) {
				fprintf(stderr, "llmsim: bad --balance '%s': expected on, off or both\n",
					optarg);
				return 2;
			} else {
				balance = !strcmp(optarg, "on");
			}
			break;
		case 'e':
			events = 1;
			break;
		case 'J': {
			char *end;
			unsigned long n = strtoul(optarg, &end, 10);

			if (*end || !n || n > 64) {
				fprintf(stderr, "llmsim: bad --jobs '%s': 1..64\n",
					optarg);
				return 2;
			}
			jobs = (unsigned int)n;
			break;
		}
		case 'j':
			json = 1;
			break;
		case 'r':
			reference = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (reference) {
		if (optind != argc || agents) {
			fprintf(stderr, "llmsim: --reference takes no trace\n");
			return 2;
		}
		return llmsim_reference(stdout);
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return 2;
	}
	/* Without the balancer, or both ways, policy after policy. */
	for (i = 0; i < npol; i++)
		nobal[i] = !balance;
	if (balance == 2) {
		for (i = npol; i-- > 0;) {
			pol[2 * i] = pol[i];
			pol[2 * i + 1] = pol[i];
			nobal[2 * i] = 0;
			nobal[2 * i + 1] = 1;
		}
		npol *= 2;
	}
	if (events && npol != 1) {
		fprintf(stderr, "llmsim: --events needs exactly one --policy\n");
		return 2;
	}

	trace_init(&t);
	if (trace_parse_file(&t, argv[optind], 0, &err))
		goto bad;
	if (agents) {
		char *end;
		unsigned long n = strtoul(agents, &end, 10);

		/* --agents replaces the trace's own agents */
		t.nagents = 0;
		if (!*end && *agents >= '0' && *agents <= '9') {
			if (!n || n > 10000000UL) {
				fprintf(stderr, "llmsim: bad --agents '%s': 1..10000000\n",
					agents);
				trace_free(&t);
				return 2;
			}
			mix_agents(&t, n);
		} else if (trace_parse_file(&t, agents, 1, &err)) {
			goto bad;
		}
	}
	if (trace_finish(&t, &err))
		goto bad;

	lower_bound(&t, &lb);
	res = calloc(npol, sizeof(*res));
	if (!res)
		return 1;
	o.events = events ? stdout : NULL;
	rc = run_all(&t, &o, pol, nobal, npol, events ? 1 : jobs, res);
	if (!rc && !events) {
		if (json)
			print_json(&t, &lb, res, npol, &o);
		else
			print_table(&t, &lb, res, npol, &o, shares);
	}
	for (i = 0; i < npol; i++)
		sim_result_free(&res[i]);
	free(res);
	trace_free(&t);
	if (fflush(stdout) || ferror(stdout))
		return 1;
	return rc;

bad:
	if (err.line)
		fprintf(stderr, "llmsim: %s:%lu: %s\n", err.file, err.line,
			err.msg);
	else
		fprintf(stderr, "llmsim: %s: %s\n", err.file, err.msg);
	trace_free(&t);
	return 1;
}
