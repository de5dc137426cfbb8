// SPDX-License-Identifier: GPL-2.0
/*
 * llmsim: discrete-event loop.
 *
 * Events live in a binary heap ordered by (time, kind, sequence):
 * completions, then starts, then freezes and thaws taking effect, then
 * arrivals, then sampling ticks, then load reports at the same instant.
 * After all events of one instant the engine dispatches once (when one of
 * them added work or freed resources).
 * The engine is driven with the virtual time and never reads a clock.
 * Arrivals are pushed one at a time (the next in arrival order when the
 * current one is taken), so the heap holds at most the running tasks (and
 * their stale completions, one per freeze), the freezes and thaws in
 * flight, plus two events.
 *
 * A task assigned at time a starts on its agent at a + start_delay and
 * completes after its actual run time.  Until it starts it is ASSIGNED and
 * the balancer may migrate it; the start then restarts on the new agent.
 *
 * Real CPU use: a running task uses its CPU demand times its use= factor.
 * When what an agent's running tasks use exceeds its CPU reservation, they
 * share it (processor sharing): each runs at reservation / use of full
 * speed, and the others' completions move whenever one starts, ends,
 * freezes or thaws there.  With every factor at most 1 nothing is ever
 * slowed (the engine never commits more than a reservation) and the events
 * are those of a run without factors.  Measured loads: every load interval
 * each agent's CPU use, plus the time its tasks wait for CPU (weight
 * SIM_WAIT_WEIGHT), over its reservation, averaged over the load window,
 * goes to lsc_agent_set_measured(), then lsc_balance() and lsc_dispatch()
 * run, as the kernel does for a LOAD_REPORT.
 * A preemptible task the engine asks to freeze is frozen freeze_delay
 * later (unless it completed first) and its completion waits; asked to
 * thaw, it runs again freeze_delay later for the rest of its run time.
 *
 * Besides the event loop, the simulator keeps its own books, from the
 * engine's callbacks and independent of the engine's structures: which
 * agents are idle, which RUNNABLE tasks each agent class could hold, per
 * user, to count agent-seconds an idle agent stood beside work it could
 * run; when tasks became runnable and were assigned; users' dominant
 * shares at each tick; and, for tasks estimated from features, the error
 * of the estimate, while it refits the engine's model online.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "metrics.h"
#include "sim.h"
#include "../../runtime/estimator/rls.h"

/* Agent classes the liveness books tell apart (more share the last). */
#define SIM_MAX_CLASSES	64
/* Completions between two pushes of the refitted model to the engine. */
#define SIM_REFIT_EVERY	16
/* Share samples kept per user before neighbours merge. */
#define SIM_SHARE_BINS	1024
/* Measured load: waiting for a CPU counts this much per unit of use. */
#define SIM_WAIT_WEIGHT	1
/* Load windows longer than this many load intervals are cut to it. */
#define SIM_RING_MAX	1024

enum ev_kind {
	EV_COMPLETE = 0, EV_START = 1, EV_FROZEN = 2, EV_THAWED = 3,
	EV_ARRIVE = 4, EV_TICK = 5, EV_LOAD = 6,
};

struct ev {
	uint64_t t;
	uint64_t ord;		/* kind << 56 | sequence */
	uint32_t idx;		/* task index (arrival: position in order[]) */
	uint32_t gen;		/* start, completion: task's generation */
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
	uint64_t *runnable_at;	/* first time RUNNABLE */
	uint32_t *gen;		/* bumped on migration and freeze: stale
				 * starts and completions
				 */
	int32_t *on_agent;	/* agent index while on an agent */
	uint64_t *end_at;	/* when it completes while it runs */
	uint64_t *left;		/* run time left while frozen */
	uint8_t *iced;		/* frozen, its slot free */
	/* real CPU use: per agent, what its running tasks use (millicores x
	 * use per-mille), since when progress is settled, and the integrals
	 * of use up to its reservation and beyond it; per task, work left
	 * at full speed while it runs (ns)
	 */
	uint64_t *ause;
	uint64_t *aupd;
	long double *aused, *await_;
	double *wleft;
	/* measured loads: per agent, the integral at the last ring_n reports */
	long double *ring;
	double *use_pm;		/* per agent, scratch: real use per-mille */
	unsigned int ring_len;
	uint64_t nreports;
	struct heap heap;
	uint64_t seq;
	uint64_t now;
	uint64_t done;		/* terminal tasks */
	uint64_t failed;
	/* liveness books */
	unsigned int ncls;
	unsigned int *agent_cls;	/* class of each agent */
	uint64_t *fit_cls;		/* per task: classes that can hold it */
	uint32_t *idle;			/* per class: agents with no task */
	uint32_t *ucount;		/* [user][class]: RUNNABLE tasks */
	uint32_t live_agents;		/* idle beside work after the last instant */
	int live_strict;		/* ... with a head and no backfilling */
	/* shares: samples per user in bins of share_width ns */
	double *share_sum;		/* [user][bin]: share x ns */
	double share_width;
	uint64_t share_bins;
	double *bl_sum, *bl_time, *all_sum, *jx;
	double jain_sum;
	uint64_t jain_n;
	/* estimator */
	struct rls rls;
	uint32_t refit;
	uint64_t *est_at;		/* per task: estimate given (ns) */
	double *est_err;		/* per completed estimated task */
	uint64_t *est_when;
	uint64_t nest;
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

static uint32_t aidx(const struct sim *s, const struct lsc_agent *a)
{
	return (uint32_t)(a - s->agents);
}

/* ---------------------------------------------------- real CPU use */

/* What @a's tasks may use at full speed (millicores x per-mille). */
static uint64_t cap_x(const struct sim *s, uint32_t a)
{
	return s->t->agents[a].cpu * TRACE_USE_ONE;
}

static double rate_of(const struct sim *s, uint32_t a)
{
	uint64_t c = cap_x(s, a);

	return s->ause[a] > c ? (double)c / (double)s->ause[a] : 1.0;
}

#define for_each_running(s, a, l, i)					\
	for (l = (s)->agents[a].tasks.next;				\
	     l != &(s)->agents[a].tasks; l = l->next)			\
		if (((i) = tidx(s, lsc_container_of(l, struct lsc_task,	\
						    alink))),		\
		    (s)->tasks[i].state == LSC_TASK_RUNNING)

/* Bring @a's running tasks and its use integrals up to now. */
static void settle(struct sim *s, uint32_t a)
{
	uint64_t dt = s->now - s->aupd[a], c = cap_x(s, a);
	double r = rate_of(s, a);
	struct lsc_list *l;
	uint32_t i;

	if (!dt)
		return;
	for_each_running(s, a, l, i)
		s->wleft[i] -= (double)dt * r;
	s->aused[a] += (long double)(s->ause[a] < c ? s->ause[a] : c) * dt;
	if (s->ause[a] > c)
		s->await_[a] += (long double)(s->ause[a] - c) * dt;
	s->aupd[a] = s->now;
}

static void push(struct sim *s, uint64_t t, enum ev_kind k, uint32_t idx,
		 uint32_t gen);

/* @a's speed changed: every running task there completes anew. */
static void reschedule(struct sim *s, uint32_t a)
{
	double r = rate_of(s, a), left;
	struct lsc_list *l;
	uint32_t i;

	for_each_running(s, a, l, i) {
		left = s->wleft[i] > 0 ? s->wleft[i] : 0;
		s->gen[i]++;
		s->end_at[i] = s->now + (uint64_t)ceil(left / r);
		push(s, s->end_at[i], EV_COMPLETE, i, s->gen[i]);
	}
}

/*
 * Task @i starts (+1) or stops (-1) using CPU on @a; call before the
 * engine call that changes its state, then use_done().  Returns the speed
 * before.
 */
static double use_change(struct sim *s, uint32_t a, uint32_t i, int sign)
{
	double r = rate_of(s, a);
	uint64_t u = s->t->tasks[i].cpu * s->t->tasks[i].use;

	settle(s, a);
	if (sign > 0)
		s->ause[a] += u;
	else
		s->ause[a] -= u;
	return r;
}

/* After use_change(): true when the speed is 1 before and after. */
static int use_done(struct sim *s, uint32_t a, double before)
{
	if (before == 1.0 && rate_of(s, a) == 1.0)
		return 1;
	reschedule(s, a);
	return 0;
}

/* Per-mille of @a's reservation its tasks used and waited for lately. */
static uint32_t measured(struct sim *s, uint32_t a)
{
	uint64_t dt = s->now - s->aupd[a], c = cap_x(s, a);
	unsigned int n = s->ring_len;
	long double used, waited, x, old, span;
	uint64_t k = s->nreports;

	used = s->aused[a] + (long double)(s->ause[a] < c ? s->ause[a] : c) * dt;
	waited = s->await_[a] +
		 (s->ause[a] > c ? (long double)(s->ause[a] - c) * dt : 0);
	x = used + SIM_WAIT_WEIGHT * waited;
	/* The integral n reports ago (or at the first report). */
	old = s->ring[(size_t)a * n + k % n];
	s->ring[(size_t)a * n + k % n] = x;
	span = (long double)(k < n ? k : n) * s->o->load_interval_ns;
	if (!k || !c)
		return 0;
	x = (x - old) * LSC_LOAD_SCALE / (c * span);
	return x > LSC_LOAD_MAX ? LSC_LOAD_MAX : (uint32_t)(x + 0.5L);
}

/* ----------------------------------------------------- liveness books */

static void books_runnable(struct sim *s, uint32_t i, int delta)
{
	uint64_t m = s->fit_cls[i];
	uint32_t u = s->t->tasks[i].user;
	unsigned int c;

	for (c = 0; m; c++, m >>= 1)
		if (m & 1)
			s->ucount[(size_t)u * s->ncls + c] += delta;
}

/* Agent @a got a task (+1) or lost one (-1): is it idle now? */
static void books_agent(struct sim *s, const struct lsc_agent *a, int delta)
{
	unsigned int c = s->agent_cls[aidx(s, a)];

	if (delta > 0 && a->used_slots == 1)
		s->idle[c]--;
	if (delta < 0 && !a->used_slots)
		s->idle[c]++;
}

/*
 * After an instant: agents with no task that some RUNNABLE task, whose
 * user is below its limit, could be held by.  The head's user, when the
 * head needs its last slot, is held back by the reservation.
 */
static void books_check(struct sim *s)
{
	const struct lsc_task *head = s->eng.resv_task;
	const struct lsc_user *held = NULL;
	unsigned int c;
	size_t u;

	if (head && head->user->max_active &&
	    head->user->nr_active + 1 >= head->user->max_active)
		held = head->user;
	s->live_agents = 0;
	for (c = 0; c < s->ncls; c++) {
		if (!s->idle[c])
			continue;
		for (u = 0; u < s->t->nusers; u++) {
			const struct lsc_user *lu = &s->users[u];

			if (!s->ucount[u * s->ncls + c] || lu == held ||
			    (lu->max_active && lu->nr_active >= lu->max_active))
				continue;
			s->live_agents += s->idle[c];
			break;
		}
	}
	s->live_strict = head && !s->o->backfill;
}

/* ------------------------------------------------------------ shares */

static void share_sample(struct sim *s, uint64_t at, uint64_t dt)
{
	size_t nu = s->t->nusers, u, b, i, nb = 0;
	double *x = s->jx, share;

	while (at / s->share_width >= SIM_SHARE_BINS) {
		/* Merge neighbouring bins: twice as wide. */
		for (u = 0; u < nu; u++)
			for (i = 0; i < SIM_SHARE_BINS / 2; i++)
				s->share_sum[u * SIM_SHARE_BINS + i] =
					s->share_sum[u * SIM_SHARE_BINS + 2 * i] +
					s->share_sum[u * SIM_SHARE_BINS + 2 * i + 1];
		for (u = 0; u < nu; u++)
			memset(&s->share_sum[u * SIM_SHARE_BINS +
					     SIM_SHARE_BINS / 2], 0,
			       SIM_SHARE_BINS / 2 * sizeof(double));
		s->share_width *= 2;
	}
	b = (size_t)(at / s->share_width);
	if (b + 1 > s->share_bins)
		s->share_bins = b + 1;
	for (u = 0; u < nu; u++) {
		share = (double)s->users[u].share / LSC_SHARE_ONE;
		s->share_sum[u * SIM_SHARE_BINS + b] += share * dt;
		s->all_sum[u] += share * dt;
		if (!s->users[u].nr_runnable)
			continue;
		s->bl_sum[u] += share * dt;
		s->bl_time[u] += dt;
		x[nb++] = share;
	}
	if (nb < 2)
		return;
	s->jain_sum += jain_index(x, nb);
	s->jain_n++;
}

/* ---------------------------------------------------------- estimator */

static void est_learn(struct sim *s, uint32_t i)
{
	const struct sim_task *st = &s->t->tasks[i];
	const uint64_t *f = &s->t->feats[st->feat_off];
	double x[TRACE_MAX_FEATURES] = { 0 }, coef[RLS_MAX_PARAMS];
	int64_t fx[RLS_MAX_PARAMS];
	unsigned int j, n = s->t->max_nfeat;

	if (st->est || !st->nfeat)
		return;
	s->est_err[s->nest] = fabs((double)s->est_at[i] - (double)st->act) /
			      (double)st->act;
	s->est_when[s->nest++] = s->now;
	if (!s->o->fit)
		return;
	for (j = 0; j < st->nfeat; j++)
		x[j] = (double)f[j];
	rls_update(&s->rls, x, (double)st->act / 1e9);
	if (++s->refit < SIM_REFIT_EVERY)
		return;
	s->refit = 0;
	rls_coefficients(&s->rls, coef);
	rls_to_fixed(coef, n + 1, RLS_KERNEL_FRAC_BITS, fx);
	lsc_set_estimator(&s->eng, fx, n);
}

/* ------------------------------------------------------------ callbacks */

static void cb_changed(struct lsc_engine *eng, struct lsc_task *k,
		       enum lsc_task_state from, enum lsc_task_state to)
{
	struct sim *s = eng->priv;
	uint32_t i = tidx(s, k);

	if (to == LSC_TASK_RUNNABLE) {
		if (s->runnable_at[i] == UINT64_MAX)
			s->runnable_at[i] = s->now;
		books_runnable(s, i, 1);
	}
	if (from == LSC_TASK_RUNNABLE)
		books_runnable(s, i, -1);
	if (from == LSC_TASK_RUNNING && to == LSC_TASK_FROZEN) {
		/* Its slot is free; it stays on its agent. */
		s->iced[i] = 1;
		books_agent(s, &s->agents[s->on_agent[i]], -1);
	} else if (to != LSC_TASK_ASSIGNED && to != LSC_TASK_RUNNING &&
		   to != LSC_TASK_FROZEN && s->on_agent[i] >= 0) {
		if (!s->iced[i])
			books_agent(s, &s->agents[s->on_agent[i]], -1);
		s->iced[i] = 0;
		s->on_agent[i] = -1;
	}
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
	s->on_agent[i] = (int32_t)aidx(s, a);
	books_agent(s, a, 1);
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

	books_agent(s, from, -1);
	books_agent(s, to, 1);
	s->on_agent[i] = (int32_t)aidx(s, to);
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

/* The agent freezes it (cgroup.freeze) a freeze delay later. */
static void cb_freeze(struct lsc_engine *eng, struct lsc_task *k,
		      struct lsc_agent *a)
{
	struct sim *s = eng->priv;
	uint32_t i = tidx(s, k);

	push(s, s->now + s->o->freeze_delay_ns, EV_FROZEN, i, s->gen[i]);
	if (s->o->events)
		fprintf(s->o->events, "Task %llu freezing on agent %u\n",
			(unsigned long long)k->id, a->id);
}

/* Its CPU and slot are committed again; it runs a freeze delay later. */
static void cb_thaw(struct lsc_engine *eng, struct lsc_task *k,
		    struct lsc_agent *a)
{
	struct sim *s = eng->priv;
	uint32_t i = tidx(s, k);

	s->iced[i] = 0;
	books_agent(s, a, 1);
	push(s, s->now + s->o->freeze_delay_ns, EV_THAWED, i, s->gen[i]);
	if (s->o->events)
		fprintf(s->o->events, "Task %llu thawing on agent %u\n",
			(unsigned long long)k->id, a->id);
}

static const struct lsc_ops sim_ops = {
	.task_changed = cb_changed,
	.task_assigned = cb_assigned,
	.task_migrated = cb_migrated,
	.task_requeued = cb_requeued,
	.task_freeze = cb_freeze,
	.task_thaw = cb_thaw,
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

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		fprintf(stderr, "llmsim: out of memory\n");
		exit(1);
	}
	return p;
}

static int sim_setup(struct sim *s)
{
	const struct trace *t = s->t;
	struct lsc_tunables tun;
	uint64_t cap[LSC_NR_RES] = { 0 };
	size_t i, nt = t->ntasks ? t->ntasks : 1, *rep;
	unsigned int nshapes;
	int rc;

	s->tasks = xcalloc(nt, sizeof(*s->tasks));
	s->deps = xcalloc(t->ndeps, sizeof(*s->deps));
	s->agents = xcalloc(t->nagents, sizeof(*s->agents));
	s->users = xcalloc(t->nusers, sizeof(*s->users));
	s->assigned_at = xcalloc(nt, sizeof(*s->assigned_at));
	s->runnable_at = xcalloc(nt, sizeof(*s->runnable_at));
	s->gen = xcalloc(nt, sizeof(*s->gen));
	s->on_agent = xcalloc(nt, sizeof(*s->on_agent));
	s->end_at = xcalloc(nt, sizeof(*s->end_at));
	s->left = xcalloc(nt, sizeof(*s->left));
	s->iced = xcalloc(nt, sizeof(*s->iced));
	s->wleft = xcalloc(nt, sizeof(*s->wleft));
	s->ause = xcalloc(t->nagents, sizeof(*s->ause));
	s->aupd = xcalloc(t->nagents, sizeof(*s->aupd));
	s->aused = xcalloc(t->nagents, sizeof(*s->aused));
	s->await_ = xcalloc(t->nagents, sizeof(*s->await_));
	s->use_pm = xcalloc(t->nagents, sizeof(*s->use_pm));
	if (s->o->load_interval_ns) {
		uint64_t k = s->o->load_window_ns / s->o->load_interval_ns;

		s->ring_len = (unsigned int)(k < 1 ? 1 : k > SIM_RING_MAX ?
					     SIM_RING_MAX : k);
		s->ring = xcalloc((size_t)t->nagents * s->ring_len,
				  sizeof(*s->ring));
	}
	s->fit_cls = xcalloc(nt, sizeof(*s->fit_cls));
	s->est_at = xcalloc(nt, sizeof(*s->est_at));
	s->est_err = xcalloc(nt, sizeof(*s->est_err));
	s->est_when = xcalloc(nt, sizeof(*s->est_when));
	memset(s->assigned_at, 0xff, nt * sizeof(*s->assigned_at));
	memset(s->runnable_at, 0xff, nt * sizeof(*s->runnable_at));
	for (i = 0; i < nt; i++)
		s->on_agent[i] = -1;

	/* Liveness books: agent classes, and which a task fits. */
	s->agent_cls = xcalloc(t->nagents, sizeof(*s->agent_cls));
	rep = xcalloc(t->nagents, sizeof(*rep));
	nshapes = agent_shapes(t, s->agent_cls, rep);
	s->ncls = nshapes < SIM_MAX_CLASSES ? nshapes : SIM_MAX_CLASSES;
	for (i = 0; i < t->nagents; i++)
		if (s->agent_cls[i] >= SIM_MAX_CLASSES)
			s->agent_cls[i] = SIM_MAX_CLASSES - 1;
	s->idle = xcalloc(s->ncls, sizeof(*s->idle));
	s->ucount = xcalloc(t->nusers * s->ncls, sizeof(*s->ucount));
	for (i = 0; i < t->nagents; i++)
		s->idle[s->agent_cls[i]]++;
	for (i = 0; i < t->ntasks; i++)
		s->fit_cls[i] = task_classes(t, &t->tasks[i], rep, nshapes,
					     SIM_MAX_CLASSES);
	free(rep);
	s->share_width = s->o->tick_ns ? (double)s->o->tick_ns : 1e9;
	s->share_sum = xcalloc(t->nusers * SIM_SHARE_BINS, sizeof(double));
	s->bl_sum = xcalloc(t->nusers, sizeof(double));
	s->bl_time = xcalloc(t->nusers, sizeof(double));
	s->all_sum = xcalloc(t->nusers, sizeof(double));
	s->jx = xcalloc(t->nusers, sizeof(double));
	if (t->max_nfeat && rls_init(&s->rls, t->max_nfeat, RLS_DEFAULT_LAMBDA,
				     RLS_DEFAULT_DELTA))
		return fail("the estimator fit", -1);

	lsc_engine_init(&s->eng, &sim_ops, s);
	lsc_default_tunables(&tun);
	if (!s->o->backfill)
		tun.backfill_depth = 0;
	tun.dag_rank = !!s->o->dag_rank;
	if (s->o->age_ns)
		tun.age_ns = s->o->age_ns;
	if (s->o->load_interval_ns)
		tun.load_interval_ns = s->o->load_interval_ns;
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
	free(s->runnable_at);
	free(s->gen);
	free(s->on_agent);
	free(s->end_at);
	free(s->left);
	free(s->iced);
	free(s->wleft);
	free(s->ause);
	free(s->aupd);
	free(s->aused);
	free(s->await_);
	free(s->ring);
	free(s->use_pm);
	free(s->fit_cls);
	free(s->agent_cls);
	free(s->idle);
	free(s->ucount);
	free(s->share_sum);
	free(s->bl_sum);
	free(s->bl_time);
	free(s->all_sum);
	free(s->jx);
	free(s->est_at);
	free(s->est_err);
	free(s->est_when);
	free(s->heap.v);
}

static int submit(struct sim *s, uint32_t i)
{
	const struct sim_task *st = &s->t->tasks[i];
	struct lsc_task *k = &s->tasks[i];
	struct lsc_dep *d = st->ndeps ? &s->deps[st->dep_off] : NULL;
	const uint64_t *f = st->nfeat ? &s->t->feats[st->feat_off] : NULL;
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
	if (s->o->preempt && st->preempt)
		k->flags |= LSC_TASK_F_PREEMPTIBLE;
	for (j = 0; j < st->ndeps; j++) {
		memset(&d[j], 0, sizeof(d[j]));
		d[j].on = &s->tasks[s->t->deps[st->dep_off + j]];
	}
	rc = lsc_task_submit(&s->eng, k, &s->users[st->user], d, st->ndeps,
			     f, st->nfeat, s->now);
	if (rc) {
		fprintf(stderr, "llmsim: engine refused task %llu (line %u): error %d\n",
			(unsigned long long)st->id, st->line, rc);
		return -1;
	}
	s->est_at[i] = k->est_ns;
	return 0;
}

/* ------------------------------------------------------------- the loop */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void pct_of(uint64_t *v, size_t n, struct sim_pct *p)
{
	p->n = n;
	if (!n)
		return;
	p->p50 = pct_nearest_rank(v, n, 50);
	p->p95 = pct_nearest_rank(v, n, 95);
	p->p99 = pct_nearest_rank(v, n, 99);
	p->max = v[n - 1];	/* sorted by the calls above */
}

/* Per priority percentiles of @val (one per task). */
static void pct_by_prio(const struct trace *t, const uint64_t *val,
			struct sim_pct *out)
{
	uint64_t cnt[SIM_NR_PRIO] = { 0 }, off[SIM_NR_PRIO], *w;
	unsigned int p;
	size_t i;

	w = xcalloc(t->ntasks + 1, sizeof(*w));
	for (i = 0; i < t->ntasks; i++)
		cnt[t->tasks[i].prio]++;
	off[0] = 0;
	for (p = 1; p < SIM_NR_PRIO; p++)
		off[p] = off[p - 1] + cnt[p - 1];
	for (i = 0; i < t->ntasks; i++)
		w[off[t->tasks[i].prio]++] = val[i];
	for (p = 0; p < SIM_NR_PRIO; p++)
		pct_of(w + off[p] - cnt[p], cnt[p], &out[p]);
	free(w);
}

static void sim_metrics(struct sim *s, struct sim_result *res,
			uint64_t makespan)
{
	const struct trace *t = s->t;
	long double work[LSC_NR_RES] = { 0 }, slot_work = 0;
	long double cap[LSC_NR_RES] = { 0 }, slot_cap = 0;
	uint64_t *q, *d, age = s->eng.tun.age_ns;
	unsigned int p, w;
	size_t i, u;

	for (i = 0; i < t->ntasks; i++) {
		const struct sim_task *st = &t->tasks[i];

		work[LSC_RES_CPU] += (long double)st->cpu * st->act;
		work[LSC_RES_MEM] += (long double)st->mem * st->act;
		work[LSC_RES_GPU] += (long double)st->gpu * st->act;
		work[LSC_RES_GPU_MEM] += (long double)st->gpumem * st->act;
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

	/* Queue wait (runnable -> assigned), dependency wait (arrival ->
	 * runnable), per priority.
	 */
	q = xcalloc(t->ntasks, sizeof(*q));
	d = xcalloc(t->ntasks, sizeof(*d));
	for (i = 0; i < t->ntasks; i++) {
		q[i] = s->assigned_at[i] - s->runnable_at[i];
		d[i] = s->runnable_at[i] - t->tasks[i].arrival;
	}
	pct_by_prio(t, q, res->qwait);
	pct_by_prio(t, d, res->dwait);
	/* MLFQ levels: the level a task was assigned at. */
	for (i = 0; i < t->ntasks; i++) {
		unsigned int l = s->tasks[i].prio > s->tasks[i].level ?
				 s->tasks[i].prio - s->tasks[i].level : 0;

		res->level[l].n++;
		if (q[i] > res->level[l].max_wait)
			res->level[l].max_wait = q[i];
		if (l > res->top_level)
			res->top_level = l;
	}
	for (p = 0; p <= res->top_level; p++)
		res->level[p].bound = (uint64_t)(res->top_level - p) * age;
	free(q);
	free(d);

	/* Shares: over the run, while backlogged, per tenth. */
	res->users = xcalloc(t->nusers, sizeof(*res->users));
	for (u = 0; u < t->nusers; u++) {
		struct sim_user_share *us = &res->users[u];
		double span = makespan ? (double)makespan : 1;

		us->mean = s->all_sum[u] / span;
		us->backlogged = s->bl_time[u] > 0 ?
				 s->bl_sum[u] / s->bl_time[u] : 0;
		for (i = 0; i < s->share_bins; i++) {
			double at = (i + 0.5) * s->share_width;

			w = (unsigned int)(at * SIM_WINDOWS / span);
			if (w >= SIM_WINDOWS)
				w = SIM_WINDOWS - 1;
			us->window[w] += s->share_sum[u * SIM_SHARE_BINS + i] /
					 (span / SIM_WINDOWS);
		}
	}
	for (i = 0; i < t->ntasks; i++)
		res->users[t->tasks[i].user].tasks++;
	res->share_jain = s->jain_n ? s->jain_sum / s->jain_n : 1.0;

	/* Estimate error per tenth of the run, by completion time. */
	res->estimated = s->nest > 0;
	for (w = 0; w < SIM_WINDOWS && s->nest; w++) {
		double *v = xcalloc(s->nest, sizeof(*v)), sum = 0;
		size_t n = 0, a, b;

		for (i = 0; i < s->nest; i++) {
			unsigned int k = makespan ? (unsigned int)
				((long double)s->est_when[i] * SIM_WINDOWS /
				 makespan) : 0;

			if ((k >= SIM_WINDOWS ? SIM_WINDOWS - 1 : k) == w) {
				v[n++] = s->est_err[i];
				sum += s->est_err[i];
			}
		}
		res->est[w].n = n;
		res->est[w].mape = n ? sum / n : 0;
		/* median by selection: a small insertion sort is enough */
		for (a = 1; a < n; a++) {
			double x = v[a];

			for (b = a; b && v[b - 1] > x; b--)
				v[b] = v[b - 1];
			v[b] = x;
		}
		res->est[w].median = n ? v[n / 2] : 0;
		free(v);
	}
}

/* The imbalance at each tick, for its p99 and its course over the run. */
struct imb_samples {
	double *v;
	uint64_t *at;
	size_t n, cap;
};

static void imb_push(struct imb_samples *m, uint64_t at, double v)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 1024;
		m->v = realloc(m->v, m->cap * sizeof(*m->v));
		m->at = realloc(m->at, m->cap * sizeof(*m->at));
		if (!m->v || !m->at)
			abort();
	}
	m->v[m->n] = v;
	m->at[m->n++] = at;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int cmp_double(const void *a, const void *b);

/*
 * Mean pairwise difference of what the agents' running tasks use now,
 * per-mille of their reservations (waiting included): the imbalance the
 * engine would see with exact, instant measurements.
 */
static double use_imbalance(struct sim *s)
{
	size_t n = s->t->nagents, k;
	double sum = 0;

	if (n < 2)
		return 0;
	for (k = 0; k < n; k++)
		s->use_pm[k] = 1000.0 * (double)s->ause[k] /
			       (double)cap_x(s, (uint32_t)k);
	qsort(s->use_pm, n, sizeof(*s->use_pm), cmp_double);
	for (k = 0; k < n; k++)
		sum += s->use_pm[k] * (2.0 * k - (double)n + 1);
	return sum / ((double)n * (n - 1) / 2);
}

static void imb_result(struct imb_samples *m, uint64_t makespan,
		       struct sim_result *res)
{
	size_t cnt[SIM_WINDOWS] = { 0 }, i, rank;
	unsigned int w;

	for (i = 0; i < m->n; i++) {
		w = makespan ? (unsigned int)((long double)m->at[i] *
					       SIM_WINDOWS / makespan) : 0;
		if (w >= SIM_WINDOWS)
			w = SIM_WINDOWS - 1;
		res->imbalance_window[w] += m->v[i];
		cnt[w]++;
	}
	for (w = 0; w < SIM_WINDOWS; w++)
		if (cnt[w])
			res->imbalance_window[w] /= cnt[w];
	if (!m->n)
		return;
	qsort(m->v, m->n, sizeof(*m->v), cmp_double);
	rank = (m->n * 99 + 99) / 100;	/* ceil(0.99 n), nearest rank */
	res->imbalance_p99 = m->v[rank - 1];
}

int sim_run(const struct trace *t, const struct sim_opts *o,
	    struct sim_result *res)
{
	struct sim s = { .t = t, .o = o };
	struct imb_samples imb = { 0 }, uimb = { 0 };
	double t0 = now_s(), imb_sum = 0, imb_max = 0;
	uint32_t ag;
	uint64_t next_arrival = 0, makespan = 0, ticks = 0, last = 0;
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
	if (o->load_interval_ns && t->ntasks)
		push(&s, t->tasks[t->order[0]].arrival + o->load_interval_ns,
		     EV_LOAD, 0, 0);

	while (s.heap.n) {
		struct ev e = heap_pop(&s.heap);
		struct lsc_task *k;
		int tick = 0, work = 0, report = 0;
		uint64_t parked;
		double speed;

		/* What stood idle since the last instant. */
		if (s.live_strict)
			res->idle_fit_strict_s += (double)s.live_agents *
						  (e.t - last) / 1e9;
		res->idle_fit_s += (double)s.live_agents * (e.t - last) / 1e9;
		last = e.t;
		s.now = e.t;
		for (;;) {
			switch (e.ord >> 56) {
			case EV_COMPLETE:
				if (e.gen != s.gen[e.idx])
					break;	/* frozen or slowed since */
				k = &s.tasks[e.idx];
				ag = (uint32_t)s.on_agent[e.idx];
				speed = use_change(&s, ag, e.idx, -1);
				if (lsc_task_complete(&s.eng, k, 0, s.now))
					goto engine_bug;
				use_done(&s, ag, speed);
				est_learn(&s, e.idx);
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
				ag = (uint32_t)s.on_agent[e.idx];
				speed = use_change(&s, ag, e.idx, 1);
				if (lsc_task_start(&s.eng, k, s.now))
					goto engine_bug;
				s.wleft[e.idx] = (double)t->tasks[e.idx].act;
				if (!use_done(&s, ag, speed))
					break;
				s.end_at[e.idx] = s.now + t->tasks[e.idx].act;
				push(&s, s.end_at[e.idx], EV_COMPLETE, e.idx,
				     s.gen[e.idx]);
				break;
			case EV_FROZEN:
				k = &s.tasks[e.idx];
				/* It may have completed before the freeze. */
				if (!(k->flags & LSC_TASK_F_FREEZING))
					break;
				ag = (uint32_t)s.on_agent[e.idx];
				speed = use_change(&s, ag, e.idx, -1);
				if (lsc_task_frozen(&s.eng, k, s.now))
					goto engine_bug;
				s.gen[e.idx]++;
				s.left[e.idx] = s.wleft[e.idx] > 0 ?
						(uint64_t)ceil(s.wleft[e.idx]) : 0;
				use_done(&s, ag, speed);
				work = 1;
				break;
			case EV_THAWED:
				k = &s.tasks[e.idx];
				ag = (uint32_t)s.on_agent[e.idx];
				speed = use_change(&s, ag, e.idx, 1);
				if (lsc_task_thawed(&s.eng, k, s.now))
					goto engine_bug;
				s.wleft[e.idx] = (double)s.left[e.idx];
				if (!use_done(&s, ag, speed))
					break;
				s.end_at[e.idx] = s.now + s.left[e.idx];
				push(&s, s.end_at[e.idx], EV_COMPLETE, e.idx,
				     s.gen[e.idx]);
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
			case EV_LOAD:
				report = 1;
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
		if (report) {
			/* What the daemon's LOAD_REPORT makes the kernel do. */
			for (ag = 0; ag < t->nagents; ag++)
				lsc_agent_set_measured(&s.eng, &s.agents[ag],
						       measured(&s, ag),
						       s.now);
			s.nreports++;
			if (!o->no_balance)
				lsc_balance(&s.eng, s.now);
			lsc_dispatch(&s.eng, s.now);
			if (s.done < t->ntasks && s.heap.n)
				push(&s, s.now + o->load_interval_ns, EV_LOAD,
				     0, 0);
		}
		if (tick) {
			double m = pairs ?
				   (double)lsc_imbalance(&s.eng) / pairs : 0;

			imb_sum += m;
			if (m > imb_max)
				imb_max = m;
			imb_push(&imb, s.now, m);
			imb_push(&uimb, s.now, use_imbalance(&s));
			ticks++;
			share_sample(&s, s.now, o->tick_ns);
			/* Without load reports the tick balances. */
			if (!o->load_interval_ns && !o->no_balance &&
			    lsc_balance(&s.eng, s.now))
				lsc_dispatch(&s.eng, s.now);
			/* no more ticks once nothing else can happen */
			if (s.done < t->ntasks && s.heap.n)
				push(&s, s.now + o->tick_ns, EV_TICK, 0, 0);
		}
		books_check(&s);
		if (work) {
			parked = lsc_nr_parked(&s.eng);
			if (parked > res->parked_max)
				res->parked_max = parked;
		}
	}
	if (s.done != t->ntasks) {
		fprintf(stderr, "llmsim: %s: %llu of %zu tasks never finished (engine left them queued)\n",
			sim_policy_name(o->policy),
			(unsigned long long)(t->ntasks - s.done), t->ntasks);
		goto out;
	}

	sim_metrics(&s, res, makespan);
	res->makespan = makespan;
	res->imbalance_mean = ticks ? imb_sum / ticks : 0;
	res->imbalance_max = imb_max;
	imb_result(&uimb, makespan, res);
	memset(res->imbalance_window, 0, sizeof(res->imbalance_window));
	res->use_imbalance_p99 = res->imbalance_p99;
	for (ag = 0; ag < uimb.n; ag++)
		res->use_imbalance_mean += uimb.v[ag] / uimb.n;
	imb_result(&imb, makespan, res);
	res->no_balance = o->no_balance;
	res->reports = s.nreports;
	{
		long double u = 0, w = 0;

		for (ag = 0; ag < t->nagents; ag++) {
			u += s.aused[ag];
			w += s.await_[ag];
		}
		res->cpu_wait = u + w > 0 ? (double)(w / (u + w)) : 0;
	}
	res->ticks = ticks;
	res->migrations = s.eng.stats.migrations;
	res->backfilled = s.eng.stats.backfilled;
	res->dispatches = s.eng.stats.dispatches;
	res->overruns = s.eng.stats.overruns;
	res->preemptions = s.eng.stats.preemptions;
	res->freezes = s.eng.stats.freezes;
	res->frozen = s.eng.stats.frozen;
	res->thaws = s.eng.stats.thaws;
	res->completed = s.done - s.failed;
	res->failed = s.failed;
	rc = 0;
	goto out;

engine_bug:
	fprintf(stderr, "llmsim: engine refused an event at t=%llu ns\n",
		(unsigned long long)s.now);
out:
	sim_free(&s);
	free(imb.v);
	free(imb.at);
	free(uimb.v);
	free(uimb.at);
	res->wall_s = now_s() - t0;
	return rc;
}

void sim_result_free(struct sim_result *res)
{
	free(res->users);
	res->users = NULL;
}
