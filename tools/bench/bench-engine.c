// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched-bench-engine: figures for the scheduling engine (kmod/core/),
 * compiled into this program as it is into the module.
 *
 *  1. enqueue + pick in steady state with N tasks queued (1k, 100k, 1M):
 *     per operation one task is submitted, the running task completes and
 *     lsc_dispatch() picks the next one; printed as operations per second,
 *     with the 1M / 1k ratio (O(log n) means it stays near 1) and each
 *     policy's rate over priority-FIFO's at the same depth, flagged when
 *     under 0.5 at 1M.  With backfilling on and off, and priorities
 *     uniform over 0..255 (inserts land anywhere in the queue, the worst
 *     case for caches) and over 4 levels (typical: inserts land at the end
 *     of one of a few FIFO runs).
 *  2. agent choice against the number of agents (10, 1000, 10000): half
 *     the agents busy, per operation one submit + dispatch (the choice) +
 *     one completion, in ns per operation.
 *  3. bytes per queued task: the engine's task struct (its queue link is
 *     embedded; the engine allocates nothing), plus one struct lsc_dep per
 *     dependency.
 *
 * Timing with clock_gettime(CLOCK_MONOTONIC).  It prints; it never fails
 * on slowness (exit 1 only when the engine refuses an input).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/engine.h"

#define GIB	(1ULL << 30)
#define NUSERS	16

static uint64_t rng = 0x853c49e6748fea9bULL;

/* priorities drawn uniformly from 0..prio_levels-1 */
static unsigned int prio_levels = 256;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void die(const char *what, int rc)
{
	fprintf(stderr, "llmsched-bench-engine: engine refused %s: %d\n",
		what, rc);
	exit(1);
}

/* ------------------------------------------------------- task pool */

struct pool {
	struct lsc_task *t;
	uint32_t *free;
	size_t nfree, n;
	uint64_t next_id;
};

static void pool_init(struct pool *p, size_t n)
{
	size_t i;

	p->n = n;
	p->t = calloc(n, sizeof(*p->t));
	p->free = malloc(n * sizeof(*p->free));
	if (!p->t || !p->free) {
		fprintf(stderr, "llmsched-bench-engine: out of memory\n");
		exit(1);
	}
	for (i = 0; i < n; i++)
		p->free[i] = (uint32_t)(n - 1 - i);
	p->nfree = n;
	p->next_id = 1;
}

static void pool_free(struct pool *p)
{
	free(p->t);
	free(p->free);
}

static struct lsc_task *pool_get(struct pool *p)
{
	struct lsc_task *k = &p->t[p->free[--p->nfree]];

	lsc_task_init(k, p->next_id++);
	return k;
}

static void pool_put(struct pool *p, struct lsc_task *k)
{
	p->free[p->nfree++] = (uint32_t)(k - p->t);
}

/* The running task(s), reported by the assignment callback. */
struct ctx {
	struct lsc_task **running;
	size_t nrunning;
};

static void on_assigned(struct lsc_engine *eng, struct lsc_task *k,
			struct lsc_agent *a)
{
	struct ctx *c = eng->priv;

	c->running[c->nrunning++] = k;
}

static const struct lsc_ops ops = { .task_assigned = on_assigned };

static void submit(struct lsc_engine *eng, struct pool *p,
		   struct lsc_user *users, uint64_t cpu, uint64_t now)
{
	struct lsc_task *k = pool_get(p);
	int rc;

	k->prio = (uint32_t)(rnd() % prio_levels);
	k->est_ns = 1000000000ULL + rnd() % 100000000000ULL;
	k->demand[LSC_RES_CPU] = cpu;
	k->demand[LSC_RES_MEM] = 1 + rnd() % GIB;
	rc = lsc_task_submit(eng, k, &users[rnd() % NUSERS], NULL, 0, NULL, 0,
			     now);
	if (rc)
		die("a task", rc);
}

static void setup(struct lsc_engine *eng, struct ctx *c,
		  struct lsc_agent *agents, size_t nagents,
		  struct lsc_user *users, uint32_t policy, uint32_t choice,
		  uint32_t backfill)
{
	struct lsc_tunables tun;
	uint64_t cap[LSC_NR_RES] = { 0 };
	size_t i;
	int rc;

	lsc_engine_init(eng, &ops, c);
	lsc_default_tunables(&tun);
	tun.backfill_depth = backfill;
	rc = lsc_set_tunables(eng, &tun);
	if (!rc)
		rc = lsc_set_policy(eng, policy);
	if (!rc)
		rc = lsc_set_agent_choice(eng, choice);
	if (rc)
		die("settings", rc);
	for (i = 0; i < nagents; i++) {
		unsigned int k;

		for (k = 0; k < LSC_NR_RES; k++)
			cap[k] += agents[i].cap[k];
	}
	rc = lsc_set_host_capacity(eng, cap);
	if (rc)
		die("host capacity", rc);
	for (i = 0; i < nagents; i++) {
		rc = lsc_agent_add(eng, &agents[i], 0);
		if (rc)
			die("an agent", rc);
	}
	for (i = 0; i < NUSERS; i++) {
		lsc_user_init(&users[i], (uint32_t)i);
		rc = lsc_user_add(eng, &users[i]);
		if (rc)
			die("a user", rc);
	}
}

/* ------------------------------------------- 1. enqueue + pick */

static double bench_queue(size_t queued, uint32_t policy, uint32_t backfill,
			  size_t ops_n)
{
	struct lsc_user users[NUSERS];
	struct lsc_agent agent;
	struct lsc_engine eng;
	struct lsc_task *run[4];
	struct ctx c = { .running = run };
	struct pool p;
	uint64_t now = 1;
	double t0, t1;
	size_t i;
	int rc;

	/* one agent with one slot: exactly one task runs at a time */
	lsc_agent_init(&agent, 1);
	agent.cap[LSC_RES_CPU] = 4000;
	agent.cap[LSC_RES_MEM] = 8 * GIB;
	pool_init(&p, queued + 4);
	setup(&eng, &c, &agent, 1, users, policy, LSC_CHOOSE_LEAST_LOADED,
	      backfill);
	for (i = 0; i < queued + 1; i++)
		submit(&eng, &p, users, 1000, now);
	lsc_dispatch(&eng, now);
	if (c.nrunning != 1)
		die("the first dispatch", -1);

	t0 = now_s();
	for (i = 0; i < ops_n; i++) {
		struct lsc_task *k = run[--c.nrunning];

		now += 1000;
		submit(&eng, &p, users, 1000, now);		/* enqueue */
		rc = lsc_task_complete(&eng, k, 0, now);
		if (rc)
			die("a completion", rc);
		pool_put(&p, k);
		if (lsc_dispatch(&eng, now) != 1)		/* pick */
			die("a dispatch", -1);
	}
	t1 = now_s();
	if (eng.nr_runnable != queued)
		die("the queue length", -1);
	pool_free(&p);
	return (double)ops_n / (t1 - t0);
}

/* --------------------------------------------- 2. agent choice */

static void mix_agent(struct lsc_agent *a, uint32_t i)
{
	lsc_agent_init(a, i + 1);
	switch (i % 4) {
	case 0:
		a->cap[LSC_RES_CPU] = 2000;
		a->cap[LSC_RES_MEM] = 4 * GIB;
		break;
	case 1:
		a->cap[LSC_RES_CPU] = 4000;
		a->cap[LSC_RES_MEM] = 16 * GIB;
		break;
	case 2:
		a->cap[LSC_RES_CPU] = 8000;
		a->cap[LSC_RES_MEM] = 32 * GIB;
		break;
	default:
		a->cap[LSC_RES_CPU] = 16000;
		a->cap[LSC_RES_MEM] = 128 * GIB;
		a->cap[LSC_RES_GPU] = 1;
		a->cap[LSC_RES_GPU_MEM] = 80 * GIB;
		break;
	}
}

static double bench_choice(size_t nagents, uint32_t choice, size_t ops_n)
{
	struct lsc_user users[NUSERS];
	struct lsc_agent *agents = calloc(nagents, sizeof(*agents));
	struct lsc_task **run = calloc(nagents + 1, sizeof(*run));
	struct ctx c = { .running = run };
	struct lsc_engine eng;
	struct pool p;
	uint64_t now = 1;
	double t0, t1;
	size_t i;
	int rc;

	if (!agents || !run)
		die("memory", -1);
	for (i = 0; i < nagents; i++)
		mix_agent(&agents[i], (uint32_t)i);
	pool_init(&p, nagents + 4);
	setup(&eng, &c, agents, nagents, users, LSC_POLICY_PRIO_FIFO, choice,
	      64);
	/* half the agents busy */
	for (i = 0; i < (nagents + 1) / 2; i++)
		submit(&eng, &p, users, 500 + rnd() % 1500, now);
	lsc_dispatch(&eng, now);

	t0 = now_s();
	for (i = 0; i < ops_n; i++) {
		size_t victim;
		struct lsc_task *k;

		now += 1000;
		submit(&eng, &p, users, 500 + rnd() % 1500, now);
		if (lsc_dispatch(&eng, now) != 1)
			die("a dispatch", -1);
		victim = rnd() % c.nrunning;
		k = run[victim];
		run[victim] = run[--c.nrunning];
		rc = lsc_task_complete(&eng, k, 0, now);
		if (rc)
			die("a completion", rc);
		pool_put(&p, k);
	}
	t1 = now_s();
	pool_free(&p);
	free(agents);
	free(run);
	return (t1 - t0) * 1e9 / (double)ops_n;
}

static const char *const pol_names[LSC_POLICY_NR] = {
	"prio-fifo", "sjf", "mlfq", "drf",
};

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 1000, 100000, 1000000 };
	static const size_t nagents[] = { 10, 1000, 10000 };
	double r[LSC_POLICY_NR][3];
	unsigned int pol, i, bf, slow = 0;
	size_t ops_n = 200000;

	if (argc > 1) {
		if (!strcmp(argv[1], "--quick")) {
			ops_n = 20000;
		} else {
			printf("usage: llmsched-bench-engine [--quick]\n"
			       "Print engine throughput and memory figures.\n");
			return strcmp(argv[1], "--help") ? 2 : 0;
		}
	}

	printf("llmsched engine benchmark (%zu operations per figure, CLOCK_MONOTONIC)\n\n",
	       ops_n);

	printf("memory\n");
	printf("  sizeof(struct lsc_task)   %4zu bytes (run queue link embedded; the engine allocates nothing)\n",
	       sizeof(struct lsc_task));
	printf("  sizeof(struct lsc_dep)    %4zu bytes per dependency edge\n",
	       sizeof(struct lsc_dep));
	printf("  sizeof(struct lsc_agent)  %4zu bytes\n",
	       sizeof(struct lsc_agent));
	printf("  sizeof(struct lsc_user)   %4zu bytes\n",
	       sizeof(struct lsc_user));
	printf("  bytes per queued task     %4zu (limit 256, payload aside)\n\n",
	       sizeof(struct lsc_task));

	for (bf = 0; bf < 4; bf++) {
		prio_levels = bf & 2 ? 4 : 256;
		printf("enqueue + pick, steady state (1 submit + 1 complete + 1 dispatch per op), backfill %s, %u priorities\n",
		       bf & 1 ? "on (depth 64)" : "off", prio_levels);
		printf("  %-10s %14s %14s %14s %7s   %s\n", "policy",
		       "1k queued", "100k queued", "1M queued", "1M/1k",
		       "x prio-fifo at 1k, 100k, 1M");
		for (pol = 0; pol < LSC_POLICY_NR; pol++) {
			double x[3];

			for (i = 0; i < 3; i++)
				r[pol][i] = bench_queue(sizes[i], pol,
							bf & 1 ? 64 : 0, ops_n);
			for (i = 0; i < 3; i++)
				x[i] = r[pol][i] / r[LSC_POLICY_PRIO_FIFO][i];
			printf("  %-10s %11.0f/s %11.0f/s %11.0f/s %7.2f   %5.2f %5.2f %5.2f%s\n",
			       pol_names[pol], r[pol][0], r[pol][1],
			       r[pol][2], r[pol][2] / r[pol][0], x[0], x[1],
			       x[2], x[2] < 0.5 ? "  UNDER 0.5" : "");
			if (x[2] < 0.5)
				slow++;
			fflush(stdout);
		}
		printf("\n");
	}
	if (slow)
		printf("%u configuration(s) with a policy under 0.5x priority-FIFO at 1M queued\n\n",
		       slow);
	else
		printf("every policy at 0.5x priority-FIFO's rate or more at 1M queued, in every configuration\n\n");

	printf("agent choice (half the agents busy; 1 submit + 1 dispatch + 1 complete per op)\n");
	printf("  %-13s %12s %12s %12s\n", "choice", "10 agents",
	       "1000 agents", "10000 agents");
	for (i = 0; i < LSC_CHOOSE_NR; i++) {
		double ns[3];
		unsigned int j;

		for (j = 0; j < 3; j++)
			ns[j] = bench_choice(nagents[j], i, ops_n);
		printf("  %-13s %9.0f ns %9.0f ns %9.0f ns\n",
		       i == LSC_CHOOSE_LEAST_LOADED ? "least-loaded" : "best-fit",
		       ns[0], ns[1], ns[2]);
		fflush(stdout);
	}
	return 0;
}
