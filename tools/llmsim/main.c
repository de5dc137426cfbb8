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
		"  --choice least-loaded|best-fit   agent choice (default least-loaded)\n"
		"  --tick SEC           balance tick period (default 1; 0: none)\n"
		"  --start-delay SEC    assignment to start on the agent (default 0.2)\n"
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

static void print_table(const struct trace *t, const struct lower_bound *lb,
			const struct sim_result *r, unsigned int n,
			const struct sim_opts *o)
{
	unsigned int i, p;

	printf("llmsim: %zu tasks, %zu agents, %zu users; backfill %s, choice %s, tick %gs, start delay %gs\n",
	       t->ntasks, t->nagents, t->nusers, o->backfill ? "on" : "off",
	       sim_choice_name(o->choice), sec(o->tick_ns),
	       sec(o->start_delay_ns));
	printf("lower bound on makespan: %.3f s (max of: dependency path %.3f, cpu %.3f, mem %.3f, gpu %.3f, gpumem %.3f, slots %.3f)\n\n",
	       sec(lb->total), sec(lb->path), sec(lb->cpu), sec(lb->mem),
	       sec(lb->gpu), sec(lb->gpumem), sec(lb->slots));
	printf("%-10s %13s %7s %6s %6s %6s %6s %6s %10s %10s %6s %10s %10s %8s\n",
	       "policy", "makespan(s)", "/bound", "cpu%", "mem%", "gpu%",
	       "gpum%", "slot%", "imbal-avg", "imbal-max", "jain",
	       "migrations", "backfilled", "wall(s)");
	for (i = 0; i < n; i++)
		printf("%-10s %13.3f %7.3f %6.1f %6.1f %6.1f %6.1f %6.1f %10.1f %10.1f %6.3f %10llu %10llu %8.2f\n",
		       sim_policy_name(r[i].policy), sec(r[i].makespan),
		       lb->total ? (double)r[i].makespan / lb->total : 0,
		       100 * r[i].util[LSC_RES_CPU],
		       100 * r[i].util[LSC_RES_MEM],
		       100 * r[i].util[LSC_RES_GPU],
		       100 * r[i].util[LSC_RES_GPU_MEM],
		       100 * r[i].util_slots, r[i].imbalance_mean,
		       r[i].imbalance_max, r[i].jain,
		       (unsigned long long)r[i].migrations,
		       (unsigned long long)r[i].backfilled, r[i].wall_s);
	printf("\nwaiting time (assignment - arrival), seconds\n");
	printf("%-10s %5s %10s %12s %12s %12s\n", "policy", "prio", "tasks",
	       "p50", "p95", "p99");
	for (i = 0; i < n; i++)
		for (p = SIM_NR_PRIO; p-- > 0;) {
			const struct sim_prio_wait *w = &r[i].wait[p];

			if (!w->n)
				continue;
			printf("%-10s %5u %10llu %12.3f %12.3f %12.3f\n",
			       sim_policy_name(r[i].policy), p,
			       (unsigned long long)w->n, sec(w->p50),
			       sec(w->p95), sec(w->p99));
		}
	printf("\nimbalance: mean pairwise |load difference| of agents, per-mille, sampled each tick\n"
	       "jain: Jain's index over users' mean bounded slowdown (tau 10 s); 1 = equal\n");
}

static void print_json(const struct trace *t, const struct lower_bound *lb,
		       const struct sim_result *r, unsigned int n,
		       const struct sim_opts *o)
{
	unsigned int i, p, k, first;

	printf("{\"tasks\":%zu,\"agents\":%zu,\"users\":%zu,", t->ntasks,
	       t->nagents, t->nusers);
	printf("\"backfill\":%s,\"choice\":\"%s\",\"tick_s\":%.9g,\"start_delay_s\":%.9g,",
	       o->backfill ? "true" : "false", sim_choice_name(o->choice),
	       sec(o->tick_ns), sec(o->start_delay_ns));
	printf("\"lower_bound_s\":{\"total\":%.9g,\"path\":%.9g,\"cpu\":%.9g,\"mem\":%.9g,\"gpu\":%.9g,\"gpumem\":%.9g,\"slots\":%.9g},",
	       sec(lb->total), sec(lb->path), sec(lb->cpu), sec(lb->mem),
	       sec(lb->gpu), sec(lb->gpumem), sec(lb->slots));
	printf("\"policies\":[");
	for (i = 0; i < n; i++) {
		printf("%s{\"policy\":\"%s\",\"makespan_s\":%.9g,\"makespan_over_bound\":%.6g,",
		       i ? "," : "", sim_policy_name(r[i].policy),
		       sec(r[i].makespan),
		       lb->total ? (double)r[i].makespan / lb->total : 0);
		printf("\"utilization\":{");
		for (k = 0; k < LSC_NR_RES; k++)
			printf("\"%s\":%.6g,", res_names[k], r[i].util[k]);
		printf("\"slots\":%.6g},", r[i].util_slots);
		printf("\"wait_s\":{");
		first = 1;
		for (p = SIM_NR_PRIO; p-- > 0;) {
			const struct sim_prio_wait *w = &r[i].wait[p];

			if (!w->n)
				continue;
			printf("%s\"%u\":{\"tasks\":%llu,\"p50\":%.9g,\"p95\":%.9g,\"p99\":%.9g}",
			       first ? "" : ",", p, (unsigned long long)w->n,
			       sec(w->p50), sec(w->p95), sec(w->p99));
			first = 0;
		}
		printf("},\"imbalance_permille\":{\"mean\":%.6g,\"max\":%.6g,\"samples\":%llu},",
		       r[i].imbalance_mean, r[i].imbalance_max,
		       (unsigned long long)r[i].ticks);
		printf("\"jain_users_slowdown\":%.6g,\"migrations\":%llu,\"backfilled\":%llu,\"completed\":%llu,\"failed\":%llu,\"wall_s\":%.3f}",
		       r[i].jain, (unsigned long long)r[i].migrations,
		       (unsigned long long)r[i].backfilled,
		       (unsigned long long)r[i].completed,
		       (unsigned long long)r[i].failed, r[i].wall_s);
	}
	printf("]}\n");
}

/* Policies run in parallel: engines share nothing, the trace is read-only. */
struct job {
	const struct trace *t;
	const struct sim_opts *o;
	const uint32_t *pol;
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
		j->rc[i] = sim_run(j->t, &o, &j->res[i]);
	}
}

static int run_all(const struct trace *t, const struct sim_opts *o,
		   const uint32_t *pol, unsigned int npol, unsigned int jobs,
		   struct sim_result *res)
{
	struct job j = {
		.t = t, .o = o, .pol = pol, .res = res, .npol = npol,
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
		{ "choice", required_argument, NULL, 'c' },
		{ "tick", required_argument, NULL, 't' },
		{ "start-delay", required_argument, NULL, 'd' },
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
		.tick_ns = 1000000000ULL,
		.start_delay_ns = 200000000ULL,
	};
	uint32_t pol[4 * LSC_POLICY_NR];
	unsigned int npol = LSC_POLICY_NR, i, jobs;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	const char *agents = NULL;
	int c, json = 0, events = 0, reference = 0, rc = 0;
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
			if (!strcmp(optarg, "on")) {
				o.backfill = 1;
			} else if (!strcmp(optarg, "off")) {
				o.backfill = 0;
			} else {
				fprintf(stderr, "llmsim: bad --backfill '%s': expected on or off\n",
					optarg);
				return 2;
			}
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
	rc = run_all(&t, &o, pol, npol, events ? 1 : jobs, res);
	if (!rc && !events) {
		if (json)
			print_json(&t, &lb, res, npol, &o);
		else
			print_table(&t, &lb, res, npol, &o);
	}
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
