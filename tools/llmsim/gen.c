// SPDX-License-Identifier: GPL-2.0
/*
 * llmsim-gen: print a synthetic trace for llmsim with realistic shapes.
 *
 * Shapes (--shape):
 *  mixed       the default: arrivals a Markov-modulated Poisson process
 *              (calm phases of mean 300 s, bursts of mean 30 s at 10x the
 *              calm rate); run times lognormal (median 20 s, sigma 1.2,
 *              clamped to [0.2 s, 2 h]); 3 % GPU tasks (1 GPU, 8-40G of
 *              GPU memory, 2x longer); 20 % of tasks depend on 1-3 recent
 *              tasks of their user;
 *  uniform     Poisson arrivals, run times uniform in [5, 60] s, no GPU
 *              task, no dependency;
 *  heavy       heavy-tailed run times: Pareto (alpha 1.2, from 2 s,
 *              clamped to 4 h), otherwise mixed;
 *  small-huge  97 % small tasks (1-10 s, a quarter to one core) and 3 %
 *              huge ones (30-90 min, the largest CPU agent's cores);
 *  dag         workflows of 3-8 layers of 2-12 tasks, each task after 1-3
 *              tasks of the layer before, a workflow arriving at once,
 *              all of them in the first minute (a batch: the makespan is
 *              then a matter of order), run times lognormal (median 30 s,
 *              sigma 0.8);
 *  gpu30       30 % GPU tasks (tag gpu), otherwise mixed;
 *  bursty      bursts at 50x the calm rate (calm mean 600 s, bursts 30 s);
 *  flood       user "flood" submits half the tasks in the first minute,
 *              at priority 3, with max_active a quarter of the slots;
 *              the other users as in mixed;
 *  preempt     75 % long preemptible tasks of priority 0 (preempt=1, run
 *              times lognormal, median 300 s, sigma 0.5, 1 GB) arrive in
 *              the first minute and fill the agents; 25 % short tasks of
 *              priority 7 (median 20 s, sigma 0.5, 1-2 cores, 512 MB)
 *              arrive uniformly while they drain (the low tasks' work
 *              over the slots); no GPU task, no dependency.
 * Common to all: users with Zipf shares of the submissions (user i in
 * proportion to 1/(i+1)); estimates = actual x lognormal noise (sigma
 * 0.3); priorities 50 % 0, 30 % 1, 13 % 2, 5 % 3-4, 2 % 5-7.  The mean
 * arrival rate is --rate, or, with --agents, set so that the offered load
 * is --load of the agents' slots.  With --features, tasks carry features
 * (input characters, output units) and no estimate; run times follow
 * 1 s + 0.2 ms per character + 20 ms per unit, times lognormal noise
 * (sigma 0.1).
 *
 * With --use-sigma S, each task also gets use=, the CPU it really uses
 * over the CPU it demands: lognormal with median 1 and sigma S, clamped
 * to [0.1, 8] (llmsim's measured loads follow it); drawn after everything
 * else, so the tasks are those of the same seed without it.
 *
 * Deterministic for a seed (its own PRNG, no libc rand()).
 */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mix.h"

static uint64_t rs[4];

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256** */
static uint64_t rnd(void)
{
	uint64_t r = rotl(rs[1] * 5, 7) * 9, t = rs[1] << 17;

	rs[2] ^= rs[0];
	rs[3] ^= rs[1];
	rs[1] ^= rs[2];
	rs[0] ^= rs[3];
	rs[2] ^= t;
	rs[3] = rotl(rs[3], 45);
	return r;
}

static void seed_rng(uint64_t s)
{
	int i;

	for (i = 0; i < 4; i++) {	/* splitmix64 */
		uint64_t z = (s += 0x9e3779b97f4a7c15ULL);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		rs[i] = z ^ (z >> 31);
	}
}

static double unit(void)
{
	return ((rnd() >> 11) + 0.5) * 0x1.0p-53;
}

static double expo(double mean)
{
	return -log(unit()) * mean;
}

static double gauss(void)
{
	return sqrt(-2.0 * log(unit())) * cos(2.0 * M_PI * unit());
}

static double uniform(double lo, double hi)
{
	return lo + (hi - lo) * unit();
}

static void print_time(const char *key, double s)
{
	/* millisecond resolution, trailing zeros trimmed */
	uint64_t ms = (uint64_t)llround(s * 1000.0);
	char buf[32];

	trace_fmt_time(buf, sizeof(buf), ms * 1000000ULL);
	printf(" %s=%s", key, buf);
}

enum shape {
	S_MIXED, S_UNIFORM, S_HEAVY, S_SMALL_HUGE, S_DAG, S_GPU30, S_BURSTY,
	S_FLOOD, S_PREEMPT, S_NR
};

static const char *const shape_names[S_NR] = {
	"mixed", "uniform", "heavy", "small-huge", "dag", "gpu30", "bursty",
	"flood", "preempt",
};

static void usage(FILE *f)
{
	unsigned int i;

	fprintf(f,
		"usage: llmsim-gen --tasks N [--users U] [--seed S] [--agents N]\n"
		"                  [--rate R | --load F] [--shape NAME] [--features]\n"
		"                  [--use-sigma S]\n"
		"Print a synthetic llmsim trace on standard output.\n"
		"  --tasks N    number of tasks (required)\n"
		"  --users U    number of users (default 8)\n"
		"  --seed S     PRNG seed (default 1); same seed, same trace\n"
		"  --agents N   also print N agents (llmsim's --agents N mix)\n"
		"  --rate R     mean arrival rate, tasks/s (default 10, or\n"
		"               from --load when --agents is given)\n"
		"  --load F     offered load as a fraction of the agents' slots\n"
		"               (default 0.9; needs --agents)\n"
		"  --features   features instead of estimates (run times follow\n"
		"               a linear model of them)\n"
		"  --use-sigma S  also print use=: CPU used over CPU demanded,\n"
		"               lognormal, median 1, sigma S (default 0: none)\n"
		"  --shape NAME one of:");
	for (i = 0; i < S_NR; i++)
		fprintf(f, " %s", shape_names[i]);
	fprintf(f, " (default mixed)\n");
}

/* A task before it is printed. */
struct gtask {
	double at, act, est;
	unsigned long wf;	/* workflow (dag): its tasks arrive at once */
	unsigned int user, prio, gpu, gpumem_g, cpu_m, ndeps, preempt;
	unsigned long long mem;
	unsigned long deps[3];
	unsigned int feat[2];
};

struct gen {
	enum shape shape;
	unsigned long tasks, users, agents;
	unsigned long long max_cpu, max_mem;
	int have_gpu, features;
	double *cum;
	struct gtask *t;
};

static unsigned int pick_user(const struct gen *g)
{
	double x = unit() * g->cum[g->users - 1];
	unsigned int u;

	for (u = 0; u < g->users - 1 && g->cum[u] < x; u++)
		;
	return u;
}

static unsigned int pick_prio(void)
{
	double x = unit();

	return x < 0.5 ? 0 : x < 0.8 ? 1 : x < 0.93 ? 2 : x < 0.98 ?
	       3 + (unsigned int)(rnd() % 2) : 5 + (unsigned int)(rnd() % 3);
}

/* CPU and memory of a CPU task, within the agents printed. */
static void pick_cpu_mem(const struct gen *g, struct gtask *k)
{
	static const unsigned int cpus[] = {
		250, 500, 1000, 1000, 1000, 2000, 2000, 4000,
	};
	static const unsigned int mems[] = {
		512, 1024, 1024, 2048, 2048, 4096, 8192,
	};
	unsigned int ci = (unsigned int)(rnd() % 8);
	unsigned int mi = (unsigned int)(rnd() % 7);

	/* keep memory per core sane for the mix's agents */
	if (ci == 7 && mi < 3)
		mi = 3;
	k->cpu_m = cpus[ci];
	k->mem = (unsigned long long)mems[mi] << 20;
	if (k->cpu_m > g->max_cpu)
		k->cpu_m = (unsigned int)g->max_cpu;
	if (k->mem > g->max_mem)
		k->mem = g->max_mem;
}

static void make_gpu(struct gtask *k)
{
	k->gpu = 1;
	k->cpu_m = 4000;
	k->mem = (16ULL << (rnd() % 2)) << 30;
	k->gpumem_g = 8 + 8 * (unsigned int)(rnd() % 5);
}

static double lognormal(double median, double sigma)
{
	return median * exp(sigma * gauss());
}

static double clamp(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

/* Run time, demand, user and priority of task @i (not DAG). */
static void make_task(struct gen *g, unsigned long i)
{
	struct gtask *k = &g->t[i];
	double gpu_share = g->shape == S_GPU30 ? 0.30 :
			   g->shape == S_UNIFORM || g->shape == S_PREEMPT ||
			   g->shape == S_SMALL_HUGE ? 0 : 0.03;

	k->user = pick_user(g);
	k->prio = pick_prio();
	pick_cpu_mem(g, k);
	switch (g->shape) {
	case S_UNIFORM:
		k->act = uniform(5, 60);
		break;
	case S_HEAVY:
		k->act = clamp(2.0 / pow(unit(), 1.0 / 1.2), 0.2, 4 * 3600);
		break;
	case S_SMALL_HUGE:
		if (unit() < 0.03) {
			k->act = uniform(1800, 5400);
			k->cpu_m = (unsigned int)g->max_cpu;
			k->mem = g->max_mem;
		} else {
			k->act = uniform(1, 10);
			k->cpu_m = 250 * (1 + (unsigned int)(rnd() % 4));
			k->mem = (512ULL << (rnd() % 2)) << 20;
		}
		break;
	case S_PREEMPT:
		if (unit() < 0.25) {
			k->prio = 7;
			k->act = clamp(lognormal(20, 0.5), 1, 600);
			k->cpu_m = 1000 * (1 + (unsigned int)(rnd() % 2));
			k->mem = 512ULL << 20;
		} else {
			k->prio = 0;
			k->preempt = 1;
			k->act = clamp(lognormal(300, 0.5), 30, 3600);
			k->mem = 1ULL << 30;
		}
		if (k->cpu_m > g->max_cpu)
			k->cpu_m = (unsigned int)g->max_cpu;
		break;
	default:
		k->act = clamp(lognormal(20, 1.2), 0.2, 7200);
		break;
	}
	if (g->have_gpu && unit() < gpu_share) {
		make_gpu(k);
		k->act *= 2;
	}
}

/* Workflows: layers of tasks, each after 1-3 tasks of the layer before. */
static void make_dags(struct gen *g)
{
	unsigned long i = 0, first, prev, prev_n, n, wf = 0;
	unsigned int layers, l, j, d, e, nd, user, prio;

	while (i < g->tasks) {
		wf++;
		user = pick_user(g);
		prio = pick_prio();
		layers = 3 + (unsigned int)(rnd() % 6);
		prev = prev_n = 0;
		for (l = 0; l < layers && i < g->tasks; l++) {
			n = 2 + rnd() % 11;
			first = i;
			for (j = 0; j < n && i < g->tasks; j++, i++) {
				struct gtask *k = &g->t[i];

				k->wf = wf;
				k->user = user;
				k->prio = prio;
				pick_cpu_mem(g, k);
				k->act = clamp(lognormal(30, 0.8), 0.2, 7200);
				nd = l ? 1 + (unsigned int)(rnd() % 3) : 0;
				for (d = 0; d < nd; d++) {
					unsigned long on = prev + rnd() % prev_n;

					for (e = 0; e < k->ndeps &&
					     k->deps[e] != on; e++)
						;
					if (e == k->ndeps)
						k->deps[k->ndeps++] = on;
				}
			}
			prev = first;
			prev_n = i - first;
		}
	}
}

/* Dependencies on recent tasks of the same user (mixed shapes). */
static void make_chains(struct gen *g)
{
	unsigned long *recent = calloc(g->users * 8, sizeof(*recent));
	unsigned int *n = calloc(g->users, sizeof(*n));
	unsigned int *pos = calloc(g->users, sizeof(*pos));
	unsigned long i;
	unsigned int d, nd, u;

	if (!recent || !n || !pos)
		exit(1);
	for (i = 0; i < g->tasks; i++) {
		struct gtask *k = &g->t[i];

		u = k->user;
		if (n[u] && unit() < 0.2) {
			nd = 1 + (unsigned int)(rnd() % 3);
			if (nd > n[u])
				nd = n[u];
			for (d = 0; d < nd; d++)
				k->deps[k->ndeps++] =
					recent[u * 8 + (pos[u] + 8 - 1 - d) % 8];
		}
		recent[u * 8 + pos[u]] = i;
		pos[u] = (pos[u] + 1) % 8;
		if (n[u] < 8)
			n[u]++;
	}
	free(recent);
	free(n);
	free(pos);
}

/*
 * Arrival times at mean rate @rate: a Markov-modulated Poisson process
 * (@burst times the calm rate in bursts of mean @burst_len seconds, calm
 * phases of mean @calm_len), plain Poisson when @burst is 1.  DAG tasks
 * arrive with their workflow.
 */
static void make_arrivals(struct gen *g, double rate, double burst,
			  double calm_len, double burst_len)
{
	double now = 0, phase_end, calm, lam, gap;
	int bursting = 0;
	unsigned long i;

	/* time-averaged rate: (calm_len c + burst_len burst c) / total */
	calm = rate * (calm_len + burst_len) / (calm_len + burst * burst_len);
	phase_end = burst > 1 ? expo(calm_len) : INFINITY;
	for (i = 0; i < g->tasks; i++) {
		if (i && g->t[i].wf && g->t[i].wf == g->t[i - 1].wf) {
			g->t[i].at = g->t[i - 1].at;
			continue;
		}
		for (;;) {
			lam = bursting ? burst * calm : calm;
			gap = expo(1.0 / lam);
			if (now + gap <= phase_end) {
				now += gap;
				break;
			}
			now = phase_end;
			bursting = !bursting;
			phase_end = now + expo(bursting ? burst_len : calm_len);
		}
		g->t[i].at = now;
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "tasks", required_argument, NULL, 't' },
		{ "users", required_argument, NULL, 'u' },
		{ "seed", required_argument, NULL, 's' },
		{ "agents", required_argument, NULL, 'a' },
		{ "rate", required_argument, NULL, 'r' },
		{ "load", required_argument, NULL, 'l' },
		{ "shape", required_argument, NULL, 'S' },
		{ "features", no_argument, NULL, 'f' },
		{ "use-sigma", required_argument, NULL, 'U' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct gen g = { .shape = S_MIXED, .users = 8, .max_cpu = ~0ULL,
			 .max_mem = ~0ULL, .have_gpu = 1 };
	double rate = 0, load = 0.9, slots = 0, mean_act = 0, use_sigma = 0;
	unsigned long i, u, flood_max = 0;
	uint64_t seed = 1;
	struct sim_agent a;
	unsigned int d;
	int c;
	char *end;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			g.tasks = strtoul(optarg, &end, 10);
			if (*end || !g.tasks || g.tasks > 100000000UL)
				goto bad;
			break;
		case 'u':
			g.users = strtoul(optarg, &end, 10);
			if (*end || !g.users || g.users > 100000)
				goto bad;
			break;
		case 's':
			seed = strtoull(optarg, &end, 0);
			if (*end)
				goto bad;
			break;
		case 'a':
			g.agents = strtoul(optarg, &end, 10);
			if (*end || !g.agents || g.agents > 10000000UL)
				goto bad;
			break;
		case 'r':
			rate = strtod(optarg, &end);
			if (*end || !(rate > 0) || rate > 1e9)
				goto bad;
			break;
		case 'l':
			load = strtod(optarg, &end);
			if (*end || !(load > 0) || load > 100)
				goto bad;
			break;
		case 'S':
			for (g.shape = 0; g.shape < S_NR; g.shape++)
				if (!strcmp(optarg, shape_names[g.shape]))
					break;
			if (g.shape == S_NR)
				goto bad;
			break;
		case 'f':
			g.features = 1;
			break;
		case 'U':
			use_sigma = strtod(optarg, &end);
			if (*end || !(use_sigma >= 0) || use_sigma > 4) {
				fprintf(stderr, "llmsim-gen: bad value '%s' for --use-sigma: expected 0..4\n",
					optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || !g.tasks) {
		usage(stderr);
		return 2;
	}
	if (g.agents) {
		/* keep every task placeable on the agents printed */
		g.max_cpu = 0;
		g.max_mem = 0;
		g.have_gpu = 0;
		for (i = 0; i < g.agents; i++) {
			mix_agent(i, 0, &a);
			slots += a.slots;
			if (a.gpu) {
				g.have_gpu = 1;
				continue;
			}
			if (a.cpu > g.max_cpu)
				g.max_cpu = a.cpu;
			if (a.mem > g.max_mem)
				g.max_mem = a.mem;
		}
	}

	seed_rng(seed);
	g.cum = calloc(g.users, sizeof(*g.cum));
	g.t = calloc(g.tasks, sizeof(*g.t));
	if (!g.cum || !g.t)
		return 1;
	for (u = 0; u < g.users; u++)	/* Zipf(1) shares */
		g.cum[u] = (u ? g.cum[u - 1] : 0) + 1.0 / (double)(u + 1);

	if (g.shape == S_DAG) {
		make_dags(&g);
	} else {
		for (i = 0; i < g.tasks; i++)
			make_task(&g, i);
		if (g.shape != S_UNIFORM && g.shape != S_PREEMPT)
			make_chains(&g);
	}
	for (i = 0; i < g.tasks; i++) {
		struct gtask *k = &g.t[i];

		if (g.features) {
			k->feat[0] = 100 + (unsigned int)(rnd() % 50000);
			k->feat[1] = 10 + (unsigned int)(rnd() % 2000);
			k->act = (1 + 0.0002 * k->feat[0] + 0.02 * k->feat[1]) *
				 exp(0.1 * gauss());
		}
		k->est = k->act * exp(0.3 * gauss());
		if (k->est < 0.001)
			k->est = 0.001;
		mean_act += k->act / (double)g.tasks;
	}
	if (!rate)
		rate = g.agents ? load * slots / mean_act : 10;
	if (g.shape == S_BURSTY)
		make_arrivals(&g, rate, 50, 600, 30);
	else if (g.shape == S_DAG)
		/* workflows arrive at once, all in the first minute */
		make_arrivals(&g, (double)g.t[g.tasks - 1].wf / 60.0, 1, 1, 1);
	else if (g.shape == S_UNIFORM)
		make_arrivals(&g, rate, 1, 1, 1);
	else
		make_arrivals(&g, rate, 10, 300, 30);
	if (g.shape == S_FLOOD) {
		/* half the tasks, from user "flood", in the first minute */
		flood_max = slots ? (unsigned long)(slots / 4) : 4;
		if (!flood_max)
			flood_max = 1;
		for (i = 0; i < g.tasks; i += 2) {
			g.t[i].user = (unsigned int)g.users;
			g.t[i].prio = 3;
			g.t[i].ndeps = 0;
		}
		/* moving arrivals earlier: keep arrival order sorted */
		for (i = 0; i < g.tasks; i += 2)
			g.t[i].at = 60.0 * i / g.tasks;
	}
	if (g.shape == S_PREEMPT) {
		/* the low tasks in the first minute; the high ones while
		 * the low ones' work drains (100 slots without --agents)
		 */
		double low_work = 0, span;

		for (i = 0; i < g.tasks; i++)
			if (g.t[i].preempt)
				low_work += g.t[i].act;
		span = low_work / (slots ? slots : 100);
		for (i = 0; i < g.tasks; i++)
			g.t[i].at = g.t[i].preempt ? 60.0 * i / g.tasks :
				    uniform(0, span);
	}

	printf("# llmsim-gen --tasks %lu --users %lu --seed %llu --shape %s%s",
	       g.tasks, g.users, (unsigned long long)seed,
	       shape_names[g.shape], g.features ? " --features" : "");
	if (g.agents)
		printf(" --agents %lu", g.agents);
	if (use_sigma > 0)
		printf(" --use-sigma %g", use_sigma);
	printf(" (mean rate %.3f tasks/s, mean run time %.3f s)\n", rate,
	       mean_act);
	for (i = 0; i < g.agents; i++)
		mix_print_agent(i);
	if (g.shape == S_FLOOD)
		printf("user name=flood max_active=%lu\n", flood_max);

	for (i = 0; i < g.tasks; i++) {
		struct gtask *k = &g.t[i];

		printf("task id=%lu", i + 1);
		print_time("at", k->at);
		if (k->user == g.users)
			printf(" user=flood prio=%u", k->prio);
		else
			printf(" user=u%u prio=%u", k->user, k->prio);
		if (k->gpu) {
			printf(" cpu=%u mem=%lluG gpu=1 gpumem=%uG tags=gpu",
			       k->cpu_m / 1000, k->mem >> 30, k->gpumem_g);
		} else {
			if (k->cpu_m % 1000)
				printf(" cpu=%um", k->cpu_m);
			else
				printf(" cpu=%u", k->cpu_m / 1000);
			if (k->mem % (1ULL << 30))
				printf(" mem=%lluM", k->mem >> 20);
			else
				printf(" mem=%lluG", k->mem >> 30);
		}
		if (g.features)
			printf(" feat=%u,%u", k->feat[0], k->feat[1]);
		else
			print_time("est", k->est);
		print_time("act", k->act);
		if (k->preempt)
			printf(" preempt=1");
		if (use_sigma > 0) {
			double f = lognormal(1, use_sigma);

			f = f < 0.1 ? 0.1 : f > 8 ? 8 : f;
			printf(" use=%.3f", f);
		}
		for (d = 0; d < k->ndeps; d++)
			printf("%s%lu", d ? "," : " deps=", k->deps[d] + 1);
		putchar('\n');
	}
	free(g.cum);
	free(g.t);
	if (fflush(stdout) || ferror(stdout)) {
		perror("llmsim-gen: stdout");
		return 1;
	}
	return 0;
bad:
	fprintf(stderr, "llmsim-gen: bad value '%s' for --%s\n", optarg,
		opts[c == 't' ? 0 : c == 'u' ? 1 : c == 's' ? 2 : c == 'a' ? 3 :
		     c == 'r' ? 4 : c == 'l' ? 5 : 6].name);
	return 2;
}
