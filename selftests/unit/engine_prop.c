// SPDX-License-Identifier: GPL-2.0
/*
 * Randomized property tests of the scheduling engine: thousands of seeds,
 * a few hundred random operations each (submissions with dependencies,
 * dispatch, start, completion and failure, cancellation, agents joining,
 * draining, lost, removed and resized, measured loads, balancing, policy
 * switches), checking after every operation the invariants the engine
 * promises.  A second mode sets a small random propagation budget and
 * interleaves lsc_propagate_pending() calls among the operations.
 * Everything is checked against the test's own bookkeeping, built from the
 * callbacks, not against the engine's counters.
 */
#include "engine_util.h"
#include "kselftest_harness.h"

#define P_AGENTS	8
#define P_TASKS		200
#define P_USERS		3

struct prop {
	struct world *w;
	u64 rng;
	bool in_dispatch;
	u64 host[LSC_NR_RES];
	u32 nr_backfill_checks;
	/* Bounded propagation mode: the budget (0: off) and whether the
	 * last lsc_propagate_pending() reported no work, with no operation
	 * since.
	 */
	u32 budget;
	bool idle;
	u32 nr_pending_calls;
	u32 nr_pending_busy;
};

static u64 rnd(struct prop *p)
{
	u64 x = p->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	p->rng = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static u32 rn(struct prop *p, u32 n)
{
	return (u32)(rnd(p) % n);
}

/* The property run in progress (tests may keep global state; the engine
 * may not).
 */
static struct prop *g_cur;

static struct prop *prop_of(struct world *w)
{
	return g_cur;
}

/* ---------------------------------------------------- reference checks */

/* Does @t fit @a now, if @x (when not NULL) were not on it? */
static bool ref_fits(struct world *w, const struct lsc_task *t,
		     const struct lsc_agent *a, const struct lsc_task *x)
{
	u64 used[LSC_NR_RES] = { 0 };
	u32 slots = 0, i;
	int k, ai = agent_index(w, a);

	if (!a->registered || a->health != LSC_AGENT_UP)
		return false;
	if ((t->tags & a->tags) != t->tags)
		return false;
	for (i = 0; i < w->nr_tasks; i++) {
		if (w->on_agent[i] != ai || &w->tasks[i] == x)
			continue;
		slots++;
		for (k = 0; k < LSC_NR_RES; k++)
			used[k] += w->tasks[i].demand[k];
	}
	if (slots >= a->slots)
		return false;
	for (k = 0; k < LSC_NR_RES; k++)
		if (used[k] + t->demand[k] > a->cap[k])
			return false;
	return true;
}

/* Earliest expected time @t fits on @a, releasing its tasks by end time. */
static u64 ref_fit_time(struct world *w, const struct lsc_task *t,
			const struct lsc_agent *a, u64 now)
{
	u64 used[LSC_NR_RES] = { 0 }, at = now;
	bool done[W_TASKS] = { 0 };
	u32 slots = 0, i;
	int k, ai = agent_index(w, a);

	for (i = 0; i < w->nr_tasks; i++) {
		if (w->on_agent[i] != ai)
			continue;
		slots++;
		for (k = 0; k < LSC_NR_RES; k++)
			used[k] += w->tasks[i].demand[k];
	}
	for (;;) {
		bool ok = slots < a->slots;
		int best = -1;

		for (k = 0; ok && k < LSC_NR_RES; k++)
			ok = used[k] + t->demand[k] <= a->cap[k];
		if (ok)
			return at;
		for (i = 0; i < w->nr_tasks; i++) {
			const struct lsc_task *u = &w->tasks[i];

			if (w->on_agent[i] != ai || done[i])
				continue;
			if (best < 0 || u->start_ns + u->est_ns <
			    w->tasks[best].start_ns + w->tasks[best].est_ns)
				best = i;
		}
		if (best < 0)
			return U64_MAX;
		done[best] = true;
		slots--;
		for (k = 0; k < LSC_NR_RES; k++)
			used[k] -= w->tasks[best].demand[k];
		if (w->tasks[best].start_ns + w->tasks[best].est_ns > at)
			at = w->tasks[best].start_ns + w->tasks[best].est_ns;
	}
}

static int pf_cmp(const struct lsc_task *a, const struct lsc_task *b)
{
	if (a->prio != b->prio)
		return a->prio > b->prio ? -1 : 1;
	if (a->arrival_ns != b->arrival_ns)
		return a->arrival_ns < b->arrival_ns ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/*
 * Called at every assignment.  (1) A backfilled task never pushes the
 * reserved head's expected start past its shadow time.  (2) In
 * priority-FIFO, every RUNNABLE task ahead of the one assigned either fits
 * no agent (before this assignment) or is held back by backfilling: it is
 * not the head, and the only agents it fits are the reserved one, where it
 * would run past the shadow time.
 */
static void on_assign(struct world *w, struct lsc_task *x,
		      struct lsc_agent *xa)
{
	struct prop *p = prop_of(w);
	struct lsc_engine *eng = &w->eng;
	struct lsc_task *head = eng->resv_task;
	u32 i, j;

	if (!p->in_dispatch)
		return;
	if (head && x != head) {
		p->nr_backfill_checks++;
		if (ref_fit_time(w, head, eng->resv_agent, w->now) >
		    eng->resv_ns)
			w->violation = "backfilled task delays the head";
	}
	if (eng->policy != LSC_POLICY_PRIO_FIFO)
		return;
	for (i = 0; i < w->nr_tasks; i++) {
		struct lsc_task *h = &w->tasks[i];

		if (h->state != LSC_TASK_RUNNABLE || pf_cmp(h, x) > 0)
			continue;
		for (j = 0; j < P_AGENTS; j++) {
			struct lsc_agent *a = &w->agents[j];

			if (!ref_fits(w, h, a, a == xa ? x : NULL))
				continue;
			if (!head || h == head || a != eng->resv_agent ||
			    w->now + h->est_ns <= eng->resv_ns) {
				w->violation =
				"a fitting higher-priority task was passed over";
				return;
			}
		}
	}
}

static bool ref_can_hold(struct world *w, const struct lsc_task *t,
			 const struct lsc_agent *a)
{
	int k;

	if (!a->registered || a->health != LSC_AGENT_UP ||
	    (t->tags & a->tags) != t->tags)
		return false;
	for (k = 0; k < LSC_NR_RES; k++)
		if (t->demand[k] > a->cap[k])
			return false;
	return true;
}

/*
 * After a priority-FIFO dispatch: the first RUNNABLE task that some UP
 * agent could hold is the head; it holds the reservation, at exactly the
 * earliest time it fits on any UP agent (so the pruned shadow-time search
 * is exact).
 */
static void check_reservation(struct prop *p)
{
	struct world *w = p->w;
	struct lsc_engine *eng = &w->eng;
	struct lsc_task *head = NULL;
	u64 best = U64_MAX, at;
	u32 i, j, skipped = 0;

	if (eng->policy != LSC_POLICY_PRIO_FIFO)
		return;
	for (i = 0; i < w->nr_tasks; i++) {
		struct lsc_task *t = &w->tasks[i];
		bool holdable = false;

		if (t->state != LSC_TASK_RUNNABLE)
			continue;
		for (j = 0; j < P_AGENTS && !holdable; j++)
			holdable = ref_can_hold(w, t, &w->agents[j]);
		if (!holdable) {
			skipped++;
			continue;
		}
		if (!head || pf_cmp(t, head) < 0)
			head = t;
	}
	if (!head || skipped > eng->tun.backfill_depth)
		return;
	for (j = 0; j < P_AGENTS; j++) {
		if (!ref_can_hold(w, head, &w->agents[j]))
			continue;
		at = ref_fit_time(w, head, &w->agents[j], w->now);
		if (at < best)
			best = at;
	}
	if (eng->resv_task != head)
		w->violation = "blocked head holds no reservation";
	else if (eng->resv_ns != best)
		w->violation = "reservation is not the earliest fit time";
}

/* Invariants after every operation; NULL when they all hold. */
static const char *check(struct prop *p)
{
	struct world *w = p->w;
	struct lsc_engine *eng = &w->eng;
	u64 reserved[LSC_NR_RES] = { 0 };
	u64 active[P_USERS] = { 0 };
	u32 i, j;
	int k;

	/* With a budget, dependents may wait on a failed dependency while
	 * propagation is pending, but not once none is.
	 */
	bool settled = !p->budget || p->idle || !eng->prop;

	if (w->violation)
		return w->violation;
	for (j = 0; j < P_AGENTS; j++) {
		struct lsc_agent *a = &w->agents[j];
		u64 used[LSC_NR_RES] = { 0 };
		u32 n = 0;

		if (!a->registered)
			continue;
		for (k = 0; k < LSC_NR_RES; k++)
			reserved[k] += a->cap[k];
		for (i = 0; i < w->nr_tasks; i++) {
			if (w->on_agent[i] != (int)j)
				continue;
			n++;
			for (k = 0; k < LSC_NR_RES; k++)
				used[k] += w->tasks[i].demand[k];
		}
		if (n > a->slots || n != a->used_slots)
			return "agent slots over-committed or miscounted";
		for (k = 0; k < LSC_NR_RES; k++) {
			if (used[k] > a->cap[k])
				return "agent resources over-committed";
			if (used[k] != a->committed[k])
				return "agent committed vector is wrong";
		}
	}
	for (k = 0; k < LSC_NR_RES; k++) {
		if (reserved[k] != eng->reserved[k])
			return "ledger sum of reservations is wrong";
		if (reserved[k] > p->host[k])
			return "host over-committed";
	}
	for (i = 0; i < w->nr_tasks; i++) {
		struct lsc_task *t = &w->tasks[i];

		if (t->state == LSC_TASK_NEW)
			continue;
		if (w->seen_state[i] != t->state)
			return "task state differs from callbacks";
		if (w->terminal_calls[i] != (lsc_task_terminal(t->state) ? 1 : 0))
			return "terminal state not reported exactly once";
		if ((w->on_agent[i] >= 0) !=
		    (t->state == LSC_TASK_ASSIGNED ||
		     t->state == LSC_TASK_RUNNING))
			return "task on an agent in the wrong state";
		for (j = 0; j < t->nr_deps; j++) {
			u32 dst = w->tasks[t->deps[j].on_id - 1].state;

			if (t->state >= LSC_TASK_RUNNABLE &&
			    t->state <= LSC_TASK_SUCCEEDED &&
			    dst != LSC_TASK_SUCCEEDED)
				return "task went ahead of an unfinished dependency";
		}
		if (t->state == LSC_TASK_FAILED &&
		    t->reason == LSC_FAIL_DEP_FAILED) {
			bool bad = false;

			for (j = 0; j < t->nr_deps; j++)
				bad |= w->tasks[t->deps[j].on_id - 1].state ==
				       LSC_TASK_FAILED ||
				       w->tasks[t->deps[j].on_id - 1].state ==
				       LSC_TASK_CANCELLED;
			if (!bad)
				return "dep-failed task without a failed dependency";
		}
		for (j = 0; settled && t->state == LSC_TASK_QUEUED &&
		     j < t->nr_deps; j++) {
			u32 dst = w->tasks[t->deps[j].on_id - 1].state;

			if (dst == LSC_TASK_FAILED || dst == LSC_TASK_CANCELLED)
				return "task still waits on a failed dependency";
		}
		if (t->state == LSC_TASK_QUEUED && !t->nr_pending)
			return "QUEUED task with no pending dependency";
		if (settled && lsc_task_terminal(t->state) &&
		    !lsc_task_releasable(t))
			return "terminal task still referenced, nothing pending";
		if (!lsc_task_terminal(t->state) && lsc_task_releasable(t))
			return "live task releasable";
		if (t->state == LSC_TASK_SUCCEEDED && t->exit_status)
			return "task with a non-zero exit succeeded";
		if (w->on_agent[i] >= 0) {
			if (t->agent != &w->agents[w->on_agent[i]])
				return "task agent differs from callbacks";
			active[t->user - w->users]++;
		}
	}
	for (i = 0; i < P_USERS; i++)
		if (active[i] != w->users[i].nr_active)
			return "user active count is wrong";
	return NULL;
}

/* ----------------------------------------------------------- operations */

static struct lsc_task *pick_task(struct prop *p, u32 mask)
{
	struct world *w = p->w;
	u32 i, start;

	if (!w->nr_tasks)
		return NULL;
	start = rn(p, w->nr_tasks);
	for (i = 0; i < w->nr_tasks; i++) {
		struct lsc_task *t = &w->tasks[(start + i) % w->nr_tasks];

		if (mask & (1U << t->state))
			return t;
	}
	return NULL;
}

static void op_submit(struct prop *p)
{
	static const u64 cpu[] = { 0, 500, 1000, 2000, 3000, 6000 };
	struct world *w = p->w;
	struct lsc_task *t;
	struct lsc_dep *d;
	u64 x[2];
	u32 n = 0, i, nd;

	if (w->nr_tasks >= P_TASKS)
		return;
	t = &w->tasks[w->nr_tasks];
	d = w->deps[w->nr_tasks];
	lsc_task_init(t, w->nr_tasks + 1);
	t->prio = rn(p, 4);
	t->demand[LSC_RES_CPU] = cpu[rn(p, 6)];
	t->demand[LSC_RES_MEM] = rn(p, 5) * GB;
	if (!rn(p, 8)) {
		t->demand[LSC_RES_GPU] = 1;
		t->demand[LSC_RES_GPU_MEM] = rn(p, 3) * 8 * GB;
	}
	if (!rn(p, 6))
		t->tags = 1ULL << rn(p, 2);
	t->est_ns = rn(p, 6) ? (1 + rn(p, 20)) * SEC : 0;
	t->retries = rn(p, 3);
	if (!rn(p, 4))
		t->flags = LSC_TASK_F_RETRY_ON_EXIT;
	nd = w->nr_tasks && !rn(p, 3) ? 1 + rn(p, 2) : 0;
	/* Bounded mode: denser graphs, so that propagation is often cut. */
	if (p->budget && w->nr_tasks && !nd && rn(p, 2))
		nd = 1 + rn(p, 3);
	for (i = 0; i < nd; i++)
		d[n++].on = &w->tasks[rn(p, w->nr_tasks)];
	x[0] = rn(p, 20000);
	x[1] = rn(p, 2000);
	w->nr_tasks++;
	if (lsc_task_submit(&w->eng, t, &w->users[rn(p, P_USERS)], d, n, x,
			    2, w->now))
		w->violation = "valid submission refused";
}

static void op_agent(struct prop *p)
{
	struct world *w = p->w;
	u32 j = rn(p, P_AGENTS);
	struct lsc_agent *a = &w->agents[j];
	u64 cap[LSC_NR_RES];
	int k, ret, want;

	cap[LSC_RES_CPU] = (1 + rn(p, 8)) * 1000;
	cap[LSC_RES_MEM] = (1 + rn(p, 8)) * GB;
	cap[LSC_RES_GPU] = rn(p, 2);
	cap[LSC_RES_GPU_MEM] = cap[LSC_RES_GPU] * 16 * GB;

	if (!a->registered) {
		lsc_agent_init(a, j + 1);
		memcpy(a->cap, cap, sizeof(cap));
		a->slots = 1 + rn(p, 3);
		a->tags = rn(p, 4);
		want = 0;
		for (k = 0; k < LSC_NR_RES; k++)
			if (w->eng.reserved[k] + cap[k] > p->host[k])
				want = -LSC_EOVERCOMMIT;
		ret = lsc_agent_add(&w->eng, a, w->now);
		if (ret != want)
			w->violation = "agent add: wrong ledger decision";
		return;
	}
	switch (rn(p, 6)) {
	case 0:
		lsc_agent_set_health(&w->eng, a, LSC_AGENT_UP, w->now);
		break;
	case 1:
		lsc_agent_set_health(&w->eng, a, LSC_AGENT_DRAINING, w->now);
		break;
	case 2:
		lsc_agent_set_health(&w->eng, a, LSC_AGENT_LOST, w->now);
		break;
	case 3:
		lsc_agent_remove(&w->eng, a, w->now);
		break;
	case 4:
		lsc_agent_set_measured(&w->eng, a, rn(p, 1200));
		break;
	default:
		want = 0;
		for (k = 0; k < LSC_NR_RES; k++)
			if (cap[k] < a->committed[k])
				want = -LSC_EBUSY;
		for (k = 0; !want && k < LSC_NR_RES; k++)
			if (w->eng.reserved[k] - a->cap[k] + cap[k] >
			    p->host[k])
				want = -LSC_EOVERCOMMIT;
		ret = lsc_agent_resize(&w->eng, a, cap);
		if (ret != want)
			w->violation = "agent resize: wrong decision";
		break;
	}
}

static void one_op(struct prop *p)
{
	struct world *w = p->w;
	struct lsc_task *t;
	u32 r = rn(p, 100);

	w->now += rn(p, 3) * SEC / 2;
	p->idle = false;
	if (p->budget && !rn(p, 6)) {
		p->nr_pending_calls++;
		p->idle = !lsc_propagate_pending(&w->eng, 1 + rn(p, 3));
		if (!p->idle)
			p->nr_pending_busy++;
		return;
	}
	if (r < 30) {
		op_submit(p);
	} else if (r < 52) {
		p->in_dispatch = true;
		lsc_dispatch(&w->eng, w->now);
		p->in_dispatch = false;
		check_reservation(p);
	} else if (r < 62) {
		t = pick_task(p, 1U << LSC_TASK_ASSIGNED);
		if (t && lsc_task_start(&w->eng, t, w->now))
			w->violation = "start of an ASSIGNED task refused";
	} else if (r < 80) {
		t = pick_task(p, (1U << LSC_TASK_ASSIGNED) |
				 (1U << LSC_TASK_RUNNING));
		if (t && lsc_task_complete(&w->eng, t, rn(p, 6) ? 0 : 1,
					   w->now))
			w->violation = "completion refused";
	} else if (r < 82) {
		t = pick_task(p, (1U << LSC_TASK_ASSIGNED) |
				 (1U << LSC_TASK_RUNNING));
		if (t && lsc_task_requeue(&w->eng, t, rn(p, 2), w->now))
			w->violation = "requeue refused";
	} else if (r < 85) {
		t = pick_task(p, (1U << LSC_TASK_QUEUED) |
				 (1U << LSC_TASK_RUNNABLE) |
				 (1U << LSC_TASK_ASSIGNED) |
				 (1U << LSC_TASK_RUNNING));
		if (t && lsc_task_cancel(&w->eng, t, w->now))
			w->violation = "cancel refused";
	} else if (r < 93) {
		op_agent(p);
	} else if (r < 96) {
		lsc_balance(&w->eng, w->now);
	} else if (r < 98) {
		lsc_set_policy(&w->eng, rn(p, LSC_POLICY_NR));
	} else {
		lsc_set_agent_choice(&w->eng, rn(p, LSC_CHOOSE_NR));
	}
}

static struct prop *prop_new(u64 seed, bool bounded)
{
	struct prop *p = calloc(1, sizeof(*p));
	u64 host[LSC_NR_RES] = { 24000, 32 * GB, 4, 64 * GB };

	p->w = world_new();
	p->rng = seed * 0x9E3779B97F4A7C15ULL + 1;
	memcpy(p->host, host, sizeof(host));
	lsc_set_host_capacity(&p->w->eng, host);
	p->w->on_assign = on_assign;
	if (bounded) {
		p->budget = 1 + rn(p, 2);
		lsc_set_propagation_budget(&p->w->eng, p->budget);
	}
	return p;
}

static const char *run_seed(u64 seed, u32 ops, struct lsc_stats *st,
			    bool bounded, u32 *busy)
{
	struct prop *p = prop_new(seed, bounded);
	struct world *w = p->w;
	const char *err = NULL;
	u32 i;
	int k;

	g_cur = p;
	for (i = 0; i < ops && !err; i++) {
		one_op(p);
		err = check(p);
	}
	/* Cancel what is left: every task ends exactly once. */
	for (i = 0; i < w->nr_tasks && !err; i++) {
		struct lsc_task *t = &w->tasks[i];

		if (t->state != LSC_TASK_NEW && !lsc_task_terminal(t->state))
			lsc_task_cancel(&w->eng, t, w->now);
	}
	/* Finish any pending propagation, a small budget at a time. */
	for (i = 0; p->budget && !err && i < 100000; i++) {
		p->idle = !lsc_propagate_pending(&w->eng, 1 + rn(p, 3));
		err = check(p);
		if (p->idle)
			break;
	}
	if (!err && w->eng.prop)
		err = "propagation never finished";
	if (!err)
		err = check(p);
	for (i = 0; i < w->nr_tasks && !err; i++)
		if (w->terminal_calls[i] != 1)
			err = "a task did not end exactly once";
	if (!err && (w->eng.nr_runnable || w->eng.nr_active))
		err = "engine counters not back to zero";
	for (i = 0; i < P_AGENTS && !err; i++)
		if (w->agents[i].registered &&
		    lsc_agent_remove(&w->eng, &w->agents[i], w->now))
			err = "agent removal failed";
	for (k = 0; k < LSC_NR_RES && !err; k++)
		if (w->eng.reserved[k])
			err = "ledger not empty after removing every agent";
	for (i = 0; i < P_USERS && !err; i++)
		if (lsc_user_remove(&w->eng, &w->users[i]))
			err = "user still holds tasks";
	if (st) {
		st->assigned += w->eng.stats.assigned;
		st->backfilled += w->eng.stats.backfilled;
		st->migrations += w->eng.stats.migrations;
		st->requeues += w->eng.stats.requeues;
		st->submitted += w->eng.stats.submitted;
		for (k = 0; k < LSC_TASK_NR_STATES; k++)
			st->transitions[k][LSC_TASK_FAILED] +=
				w->eng.stats.transitions[k][LSC_TASK_FAILED];
		st->dispatches += p->nr_backfill_checks;
	}
	if (busy)
		*busy += p->nr_pending_busy;
	free(w);
	free(p);
	g_cur = NULL;
	return err;
}

TEST(random_ops_never_overcommit_and_every_task_ends_once)
{
	struct lsc_stats st = { 0 };
	const char *err;
	u64 seed;
	u64 failed = 0;
	int k;

	for (seed = 1; seed <= 3000; seed++) {
		err = run_seed(seed, 300, &st, false, NULL);
		if (err)
			TH_LOG("seed %llu: %s", (unsigned long long)seed, err);
		ASSERT_EQ(NULL, err);
	}
	for (k = 0; k < LSC_TASK_NR_STATES; k++)
		failed += st.transitions[k][LSC_TASK_FAILED];
	TH_LOG("3000 seeds x 300 ops: %llu submitted, %llu assignments, %llu backfilled (%llu head checks), %llu migrations, %llu requeues, %llu failed",
	       (unsigned long long)st.submitted,
	       (unsigned long long)st.assigned,
	       (unsigned long long)st.backfilled,
	       (unsigned long long)st.dispatches,
	       (unsigned long long)st.migrations,
	       (unsigned long long)st.requeues,
	       (unsigned long long)failed);
	/* The random mix must exercise the interesting paths. */
	ASSERT_LT(1000, st.backfilled);
	ASSERT_LT(100, st.migrations);
	ASSERT_LT(1000, st.requeues);
}

/*
 * The same with a propagation budget of 1 or 2 edges, denser dependency
 * graphs and lsc_propagate_pending() calls of 1 to 3 edges among the
 * operations: every
 * invariant holds between any two calls, except that a dependent may wait
 * on a failed dependency while propagation is pending.
 */
TEST(random_ops_with_bounded_propagation)
{
	struct lsc_stats st = { 0 };
	const char *err;
	u32 busy = 0;
	u64 seed;
	u64 failed = 0;
	int k;

	for (seed = 1; seed <= 3000; seed++) {
		err = run_seed(seed, 300, &st, true, &busy);
		if (err)
			TH_LOG("seed %llu: %s", (unsigned long long)seed, err);
		ASSERT_EQ(NULL, err);
	}
	for (k = 0; k < LSC_TASK_NR_STATES; k++)
		failed += st.transitions[k][LSC_TASK_FAILED];
	TH_LOG("bounded: %llu submitted, %llu failed, %u calls left work",
	       (unsigned long long)st.submitted,
	       (unsigned long long)failed, busy);
	ASSERT_LT(1000, st.requeues);
	/* Operations did run while propagation was pending. */
	ASSERT_LT(1000, busy);
}

TEST_HARNESS_MAIN
