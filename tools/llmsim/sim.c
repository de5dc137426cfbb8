// SPDX-License-Identifier: GPL-2.0
/*
 * llmsim: discrete-event loop.
 *
 * Events live in a binary heap ordered by (time, kind, sequence):
 * completions, then starts, then arrivals, then balance ticks at the same
 * instant.  After all events of one instant the engine dispatches once
 * (when one of them added work or freed resources).
 * The engine is driven with the virtual time and never reads a clock.
 * Arrivals are pushed one at a time (the next in arrival order when the
 * current one is taken), so the heap holds at most the running tasks plus
 * two events.
 *
 * A task assigned at time a starts on its agent at a + start_delay and
 * completes after its actual run time.  Until it starts it is ASSIGNED and
 * the balancer may migrate it; the start then restarts on the new agent.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "metrics.h"
#include "sim.h"

enum ev_kind { EV_COMPLETE = 0, EV_START = 1, EV_ARRIVE = 2, EV_TICK = 3 };

struct ev {
	uint64_t t;
	uint64_t ord;		/* kind << 56 | sequence */
	uint32_t idx;		/* task index (arrival: position in order[]) */
	uint32_t gen;		/* start events: task's generation */
};

struct heap {
	struct ev *v;
	size_t n, cap;
};

static int ev_less(const struct ev *a, const struct ev *b)
{
	return a->t != b->t ? a->t < b->t : a->ord < b->ord;
}

static void heap_push(struct heap *h, struct ev e)
{
	size_t i, p;

	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 1024;
		h->v = realloc(h->v, h->cap * sizeof(*h->v));
		if (!h->v)
			abort();
	}
	i = h->n++;
	while (i) {
		p = (i - 1) / 2;
		if (!ev_less(&e, &h->v[p]))
			break;
		h->v[i] = h->v[p];
		i = p;
	}
	h->v[i] = e;
}

static struct ev heap_pop(struct heap *h)
{
	struct ev top = h->v[0], last = h->v[--h->n];
	size_t i = 0, c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && ev_less(&h->v[c + 1], &h->v[c]))
			c++;
		if (!ev_less(&h->v[c], &last))
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n)
		h->v[i] = last;
	return top;
}

struct sim {
	const struct trace *t;
	const struct sim_opts *o;
	struct lsc_engine eng;
	struct lsc_task *tasks;
	struct lsc_dep *deps;
	struct lsc_agent *agents;
	struct lsc_user *users;
	uint64_t *assigned_at;	/* first assignment, for waiting time */
	uint32_t *gen;		/* bumped on migration: stale starts */
	struct heap heap;
	uint64_t seq;
	uint64_t now;
	uint64_t done;		/* terminal tasks */
	uint64_t failed;
};

static void push(struct sim *s, uint64_t t, enum ev_kind k, uint32_t idx,
		 uint32_t gen)
{
	struct ev e = {
		.t = t, .ord = ((uint64_t)k << 56) | s->seq++,
		.idx = idx, .gen = gen,
	};

	heap_push(&s->heap, e);
}

static uint32_t tidx(const struct sim *s, const struct lsc_task *k)
{
	return (uint32_t)(k - s->tasks);
}

/* ------------------------------------------------------------ callbacks */

static void cb_changed(struct lsc_engine *eng, struct lsc_task *k,
		       enum lsc_task_state from, enum lsc_task_state to)
{
	struct sim *s = eng->priv;

	if (!lsc_task_terminal(to))
		return;
	s->done++;
	if (to != LSC_TASK_SUCCEEDED)
		s->failed++;
	if (s->o->events) {
		if (to == LSC_TASK_SUCCEEDED)
			fprintf(s->o->events, "Task %llu completed\n",
				(unsigned long long)k->id);
		else
			fprintf(s->o->events, "Task %llu %s (%s)\n",
				(unsigned long long)k->id,
				lsc_task_state_name(to),
				lsc_fail_reason_name(k->reason));
	}
}

static void cb_assigned(struct lsc_engine *eng, struct lsc_task *k,
			struct lsc_agent *a)
{
	struct sim *s = eng->priv;
	uint32_t i = tidx(s, k);

	if (s->assigned_at[i] == UINT64_MAX)
		s->assigned_at[i] = s->now;
	push(s, s->now + s->o->start_delay_ns, EV_START, i, s->gen[i]);
	if (s->o->events)
		fprintf(s->o->events, "Task %llu assigned to agent %u\n",
			(unsigned long long)k->id, a->id);
}

static void cb_migrated(struct lsc_engine *eng, struct lsc_task *k,
			struct lsc_agent *from, struct lsc_agent *to)
{
	struct sim *s = eng->priv;
	uint32_t i = tidx(s, k);

	s->gen[i]++;
	push(s, s->now + s->o->start_delay_ns, EV_START, i, s->gen[i]);
	if (s->o->events)
		fprintf(s->o->events, "Task %llu migrated from agent %u to agent %u\n",
			(unsigned long long)k->id, from->id, to->id);
}

static void cb_requeued(struct lsc_engine *eng, struct lsc_task *k,
			struct lsc_agent *a)
{
	struct sim *s = eng->priv;

	/* agents never fail in the simulator; keep stale events harmless */
	s->gen[tidx(s, k)]++;
}

static const struct lsc_ops sim_ops = {
	.task_changed = cb_changed,
	.task_assigned = cb_assigned,
	.task_migrated = cb_migrated,
	.task_requeued = cb_requeued,
};

/* ---------------------------------------------------------------- names */

static const char *const policy_names[LSC_POLICY_NR] = {
	[LSC_POLICY_PRIO_FIFO] = "prio-fifo",
	[LSC_POLICY_SJF] = "sjf",
	[LSC_POLICY_MLFQ] = "mlfq",
	[LSC_POLICY_DRF] = "drf",
};

const char *sim_policy_name(uint32_t policy)
{
	return policy < LSC_POLICY_NR ? policy_names[policy] : "?";
}

const char *sim_choice_name(uint32_t choice)
{
	return choice == LSC_CHOOSE_LEAST_LOADED ? "least-loaded" :
	       choice == LSC_CHOOSE_BEST_FIT ? "best-fit" : "?";
}

/* ---------------------------------------------------------------- setup */

static int fail(const char *what, int rc)
{
	fprintf(stderr, "llmsim: engine refused %s: error %d\n", what, rc);
	return -1;
}

static int sim_setup(struct sim *s)
{
	const struct trace *t = s->t;
	struct lsc_tunables tun;
	uint64_t cap[LSC_NR_RES] = { 0 };
	size_t i;
	int rc;

	s->tasks = calloc(t->ntasks ? t->ntasks : 1, sizeof(*s->tasks));
	s->deps = calloc(t->ndeps ? t->ndeps : 1, sizeof(*s->deps));
	s->agents = calloc(t->nagents, sizeof(*s->agents));
	s->users = calloc(t->nusers ? t->nusers : 1, sizeof(*s->users));
	s->assigned_at = malloc((t->ntasks ? t->ntasks : 1) *
				sizeof(*s->assigned_at));
	s->gen = calloc(t->ntasks ? t->ntasks : 1, sizeof(*s->gen));
	if (!s->tasks || !s->deps || !s->agents || !s->users ||
	    !s->assigned_at || !s->gen) {
		fprintf(stderr, "llmsim: out of memory\n");
		return -1;
	}
	memset(s->assigned_at, 0xff, (t->ntasks ? t->ntasks : 1) *
				     sizeof(*s->assigned_at));

	lsc_engine_init(&s->eng, &sim_ops, s);
	lsc_default_tunables(&tun);
	if (!s->o->backfill)
		tun.backfill_depth = 0;
	rc = lsc_set_tunables(&s->eng, &tun);
	if (rc)
		return fail("tunables", rc);
	rc = lsc_set_policy(&s->eng, s->o->policy);
	if (rc)
		return fail("policy", rc);
	rc = lsc_set_agent_choice(&s->eng, s->o->choice);
	if (rc)
		return fail("agent choice", rc);

	for (i = 0; i < t->nagents; i++) {
		const struct sim_agent *a = &t->agents[i];

		cap[LSC_RES_CPU] += a->cpu;
		cap[LSC_RES_MEM] += a->mem;
		cap[LSC_RES_GPU] += a->gpu;
		cap[LSC_RES_GPU_MEM] += a->gpumem;
	}
	rc = lsc_set_host_capacity(&s->eng, cap);
	if (rc)
		return fail("host capacity", rc);
	for (i = 0; i < t->nagents; i++) {
		const struct sim_agent *a = &t->agents[i];
		struct lsc_agent *la = &s->agents[i];

		lsc_agent_init(la, (uint32_t)a->id);
		la->slots = a->slots;
		la->cap[LSC_RES_CPU] = a->cpu;
		la->cap[LSC_RES_MEM] = a->mem;
		la->cap[LSC_RES_GPU] = a->gpu;
		la->cap[LSC_RES_GPU_MEM] = a->gpumem;
		la->tags = a->tags;
		rc = lsc_agent_add(&s->eng, la, 0);
		if (rc)
			return fail("an agent", rc);
	}
	for (i = 0; i < t->nusers; i++) {
		lsc_user_init(&s->users[i], (uint32_t)i);
		s->users[i].max_active = t->user_max_active[i];
		rc = lsc_user_add(&s->eng, &s->users[i]);
		if (rc)
			return fail("a user", rc);
	}
	return 0;
}

static void sim_free(struct sim *s)
{
	free(s->tasks);
	free(s->deps);
	free(s->agents);
	free(s->users);
	free(s->assigned_at);
	free(s->gen);
	free(s->heap.v);
}

static int submit(struct sim *s, uint32_t i)
{
	const struct sim_task *st = &s->t->tasks[i];
	struct lsc_task *k = &s->tasks[i];
	struct lsc_dep *d = st->ndeps ? &s->deps[st->dep_off] : NULL;
	uint32_t j;
	int rc;

	lsc_task_init(k, st->id);
	k->prio = st->prio;
	k->est_ns = st->est;
	k->demand[LSC_RES_CPU] = st->cpu;
	k->demand[LSC_RES_MEM] = st->mem;
	k->demand[LSC_RES_GPU] = st->gpu;
	k->demand[LSC_RES_GPU_MEM] = st->gpumem;
	k->tags = st->tags;
	for (j = 0; j < st->ndeps; j++) {
		memset(&d[j], 0, sizeof(d[j]));
		d[j].on = &s->tasks[s->t->deps[st->dep_off + j]];
	}
	rc = lsc_task_submit(&s->eng, k, &s->users[st->user], d, st->ndeps,
			     NULL, 0, s->now);
	if (rc) {
		fprintf(stderr, "llmsim: engine refused task %llu (line %u): error %d\n",
			(unsigned long long)st->id, st->line, rc);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------- the loop */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int sim_run(const struct trace *t, const struct sim_opts *o,
	    struct sim_result *res)
{
	struct sim s = { .t = t, .o = o };
	double t0 = now_s(), imb_sum = 0, imb_max = 0;
	uint64_t next_arrival = 0, makespan = 0, ticks = 0;
	uint64_t pairs = (uint64_t)t->nagents * (t->nagents - 1) / 2;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	res->policy = o->policy;
	if (sim_setup(&s))
		goto out;

	if (t->ntasks)
		push(&s, t->tasks[t->order[0]].arrival, EV_ARRIVE, 0, 0);
	if (o->tick_ns && t->ntasks)
		push(&s, t->tasks[t->order[0]].arrival + o->tick_ns, EV_TICK,
		     0, 0);

	while (s.heap.n) {
		struct ev e = heap_pop(&s.heap);
		struct lsc_task *k;
		int tick = 0, work = 0;

		s.now = e.t;
		for (;;) {
			switch (e.ord >> 56) {
			case EV_COMPLETE:
				k = &s.tasks[e.idx];
				if (lsc_task_complete(&s.eng, k, 0, s.now))
					goto engine_bug;
				if (s.now > makespan)
					makespan = s.now;
				work = 1;
				break;
			case EV_START:
				if (e.gen != s.gen[e.idx])
					break;	/* migrated since */
				k = &s.tasks[e.idx];
				if (k->state != LSC_TASK_ASSIGNED)
					break;
				if (lsc_task_start(&s.eng, k, s.now))
					goto engine_bug;
				push(&s, s.now + t->tasks[e.idx].act,
				     EV_COMPLETE, e.idx, 0);
				break;
			case EV_ARRIVE:
				if (submit(&s, t->order[e.idx]))
					goto out;
				next_arrival = e.idx + 1;
				if (next_arrival < t->ntasks)
					push(&s,
					     t->tasks[t->order[next_arrival]].arrival,
					     EV_ARRIVE, (uint32_t)next_arrival, 0);
				work = 1;
				break;
			case EV_TICK:
				tick = 1;
				break;
			}
			if (!s.heap.n || s.heap.v[0].t != s.now)
				break;
			e = heap_pop(&s.heap);
		}
		/*
		 * Dispatch after events that add work or free resources; an
		 * instant with only starts (or a tick) changes neither.
		 */
		if (work)
			lsc_dispatch(&s.eng, s.now);
		if (tick) {
			double m = pairs ?
				   (double)lsc_imbalance(&s.eng) / pairs : 0;

			imb_sum += m;
			if (m > imb_max)
				imb_max = m;
			ticks++;
			if (lsc_balance(&s.eng, s.now))
				lsc_dispatch(&s.eng, s.now);
			/* no more ticks once nothing else can happen */
			if (s.done < t->ntasks && s.heap.n)
				push(&s, s.now + o->tick_ns, EV_TICK, 0, 0);
		}
	}
	if (s.done != t->ntasks) {
		fprintf(stderr, "llmsim: %s: %llu of %zu tasks never finished (engine left them queued)\n",
			sim_policy_name(o->policy),
			(unsigned long long)(t->ntasks - s.done), t->ntasks);
		goto out;
	}

	/* ------------------------------------------------------ metrics */
	{
		long double work[LSC_NR_RES] = { 0 }, slot_work = 0;
		long double cap[LSC_NR_RES] = { 0 }, slot_cap = 0;
		uint64_t *w, cnt[SIM_NR_PRIO] = { 0 }, off[SIM_NR_PRIO];
		double *sd_sum = calloc(t->nusers + 1, sizeof(double));
		uint64_t *sd_n = calloc(t->nusers + 1, sizeof(uint64_t));
		double *x = calloc(t->nusers + 1, sizeof(double));
		size_t i, nx = 0;
		unsigned int p;

		w = malloc((t->ntasks + 1) * sizeof(*w));
		if (!w || !sd_sum || !sd_n || !x)
			abort();
		for (i = 0; i < t->ntasks; i++) {
			const struct sim_task *st = &t->tasks[i];

			cnt[st->prio]++;
			work[LSC_RES_CPU] += (long double)st->cpu * st->act;
			work[LSC_RES_MEM] += (long double)st->mem * st->act;
			work[LSC_RES_GPU] += (long double)st->gpu * st->act;
			work[LSC_RES_GPU_MEM] +=
				(long double)st->gpumem * st->act;
			slot_work += st->act;
		}
		for (i = 0; i < t->nagents; i++) {
			cap[LSC_RES_CPU] += t->agents[i].cpu;
			cap[LSC_RES_MEM] += t->agents[i].mem;
			cap[LSC_RES_GPU] += t->agents[i].gpu;
			cap[LSC_RES_GPU_MEM] += t->agents[i].gpumem;
			slot_cap += t->agents[i].slots;
		}
		for (p = 0; p < LSC_NR_RES; p++)
			res->util[p] = cap[p] > 0 && makespan ?
				(double)(work[p] / (cap[p] * makespan)) : 0;
		res->util_slots = slot_cap > 0 && makespan ?
			(double)(slot_work / (slot_cap * makespan)) : 0;

		/* waits grouped by priority in one array */
		off[0] = 0;
		for (p = 1; p < SIM_NR_PRIO; p++)
			off[p] = off[p - 1] + cnt[p - 1];
		for (i = 0; i < t->ntasks; i++) {
			const struct sim_task *st = &t->tasks[i];
			uint64_t wait = s.assigned_at[i] - st->arrival;

			w[off[st->prio]++] = wait;
			sd_sum[st->user] += bounded_slowdown(wait, st->act,
							     SLOWDOWN_TAU_NS);
			sd_n[st->user]++;
		}
		for (p = 0; p < SIM_NR_PRIO; p++) {
			uint64_t *v = w + off[p] - cnt[p];

			res->wait[p].n = cnt[p];
			if (!cnt[p])
				continue;
			res->wait[p].p50 = pct_nearest_rank(v, cnt[p], 50);
			res->wait[p].p95 = pct_nearest_rank(v, cnt[p], 95);
			res->wait[p].p99 = pct_nearest_rank(v, cnt[p], 99);
		}
		for (i = 0; i < t->nusers; i++)
			if (sd_n[i])
				x[nx++] = sd_sum[i] / (double)sd_n[i];
		res->jain = jain_index(x, nx);
		free(w);
		free(sd_sum);
		free(sd_n);
		free(x);
	}
	res->makespan = makespan;
	res->imbalance_mean = ticks ? imb_sum / ticks : 0;
	res->imbalance_max = imb_max;
	res->ticks = ticks;
	res->migrations = s.eng.stats.migrations;
	res->backfilled = s.eng.stats.backfilled;
	res->dispatches = s.eng.stats.dispatches;
	res->completed = s.done - s.failed;
	res->failed = s.failed;
	rc = 0;
	goto out;

engine_bug:
	fprintf(stderr, "llmsim: engine refused an event at t=%llu ns\n",
		(unsigned long long)s.now);
out:
	sim_free(&s);
	res->wall_s = now_s() - t0;
	return rc;
}
