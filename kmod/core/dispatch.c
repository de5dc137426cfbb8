// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched engine: dispatch.
 *
 * Fit (a task fits an agent now), agent choice (least loaded or best fit,
 * over the classes that can hold the task), the reservation of the blocked
 * head (EASY backfilling: the earliest time it fits, and what the reserved
 * agent will have left over then), and the dispatch walk over the run
 * queue's partitions.  An agent's first frozen task keeps its CPU and a
 * slot against waiting tasks of lower or equal priority (see preempt.c).
 */
#include "internal.h"

bool lsc_fits_now(const struct lsc_agent *a, const struct lsc_task *t)
{
	u64 claim;
	u32 kept;
	int k;

	kept = lsc_thaw_claim(a, t, &claim);
	if (a->health != LSC_AGENT_UP || a->used_slots + kept >= a->slots)
		return false;
	if ((t->tags & a->tags) != t->tags)
		return false;
	for (k = 0; k < LSC_NR_RES; k++)
		if (t->demand[k] > lsc_agent_free(a, k))
			return false;
	return lsc_add_sat(t->demand[LSC_RES_CPU], claim) <=
	       lsc_agent_free(a, LSC_RES_CPU);
}

/* The kind in which @t asks for the largest share of the host. */
static int lsc_dominant_kind(const struct lsc_engine *eng,
			     const struct lsc_task *t)
{
	u64 best = 0, s;
	int k, kind = 0;

	for (k = 0; k < LSC_NR_RES; k++) {
		if (!t->demand[k] || !eng->host_cap[k])
			continue;
		s = lsc_ratio(t->demand[k], eng->host_cap[k], 1ULL << 32);
		if (s > best) {
			best = s;
			kind = k;
		}
	}
	return kind;
}

/* Does agent @a (score @sa) beat the current best @b (score @sb)? */
static bool lsc_better(const struct lsc_agent *a, u64 sa,
		       const struct lsc_agent *b, u64 sb)
{
	if (!b)
		return true;
	if (sa != sb)
		return sa < sb;
	if (a->load != b->load)
		return a->load < b->load;
	return a->id < b->id;
}

/*
 * The agent @t goes to now, or NULL: per class of a slot in @mask that has
 * a ready agent and can hold @t, the first agent in (load, id) order that
 * fits (least loaded) or the one with the least left over in @t's dominant
 * kind among the first agent_scan ones (best fit); then the best over
 * classes.  Neither @skip nor @skip2 is ever chosen (either may be NULL).
 */
struct lsc_agent *lsc_pick_agent(const struct lsc_engine *eng,
				 const struct lsc_task *t, u64 mask,
				 const struct lsc_agent *skip,
				 const struct lsc_agent *skip2)
{
	struct lsc_agent *best = NULL, *a;
	const struct lsc_list *pos = NULL;
	u64 slots = mask & eng->ready_slots;
	u64 best_score = 0, score;
	const struct lsc_class *c;
	struct lsc_node *n;
	int kind = 0;
	u32 seen;

	if (eng->choice == LSC_CHOOSE_BEST_FIT)
		kind = lsc_dominant_kind(eng, t);
	while ((c = lsc_next_class(eng, &slots, &pos))) {
		if (!c->ready.root || !lsc_cap_fits(c->cap, c->tags, t))
			continue;
		seen = 0;
		for (n = lsc_tree_first(&c->ready);
		     n && seen < eng->tun.agent_scan;
		     n = lsc_tree_next(n), seen++) {
			a = agent_of_rnode(n);
			if (a == skip || a == skip2 || !lsc_fits_now(a, t))
				continue;
			if (eng->choice == LSC_CHOOSE_LEAST_LOADED) {
				if (lsc_better(a, 0, best, 0))
					best = a;
				break;
			}
			score = lsc_agent_free(a, kind) - t->demand[kind];
			if (lsc_better(a, score, best, best_score)) {
				best = a;
				best_score = score;
			}
		}
	}
	return best;
}

/* -------------------------------------------------------------- backfill */

/*
 * Earliest expected time @t fits on @a if nothing else is assigned there,
 * releasing @a's tasks in order of expected end.  Frozen tasks release
 * nothing (their end is unknown), and the CPU and slot that @a keeps for
 * its first frozen task against @t stay kept.  O(slots).
 */
static u64 lsc_fit_time(const struct lsc_agent *a, const struct lsc_task *t,
			u64 now, u64 *extra, u32 *extra_slots)
{
	const struct lsc_list *l;
	const struct lsc_task *u;
	u64 free[LSC_NR_RES], claim;
	u64 at = now;
	u32 slots = a->slots - a->used_slots, kept;
	int k;

	kept = lsc_thaw_claim(a, t, &claim);
	for (k = 0; k < LSC_NR_RES; k++)
		free[k] = lsc_agent_free(a, k);
	l = a->tasks.next;
	for (;;) {
		bool ok = slots > kept &&
			  lsc_add_sat(t->demand[LSC_RES_CPU], claim) <=
			  free[LSC_RES_CPU];

		for (k = 0; ok && k < LSC_NR_RES; k++)
			ok = t->demand[k] <= free[k];
		if (ok) {
			/* The tasks that end by then are gone too. */
			for (; l != &a->tasks; l = l->next) {
				u = task_of_alink(l);
				if (lsc_task_end(u) > at)
					break;
				for (k = 0; k < LSC_NR_RES; k++)
					free[k] += u->demand[k];
				slots++;
			}
			for (k = 0; k < LSC_NR_RES; k++)
				extra[k] = free[k] - t->demand[k];
			extra[LSC_RES_CPU] -= claim;
			*extra_slots = slots - 1 - kept;
			return at;
		}
		if (l == &a->tasks)
			return U64_MAX;
		u = task_of_alink(l);
		for (k = 0; k < LSC_NR_RES; k++)
			free[k] += u->demand[k];
		slots++;
		if (lsc_task_end(u) > at)
			at = lsc_task_end(u);
		l = l->next;
	}
}

/*
 * Reserve for the blocked head @t (its partition's @mask): over the UP
 * agents of the classes that can hold it, in order of their earliest task
 * end, the earliest fit time.  An agent's fit time is at least its
 * earliest task end, so the walk stops as soon as that passes the best
 * found.  Returns false when no UP agent can ever hold @t; true with no
 * agent (and @r->at U64_MAX) when some can but none has a fit time: the
 * frozen holdings in its way never release here (they thaw first).
 */
static bool lsc_reserve(const struct lsc_engine *eng,
			const struct lsc_task *t, u64 mask, u64 now,
			struct lsc_resv *r)
{
	const struct lsc_list *pos = NULL;
	u64 extra[LSC_NR_RES], at;
	u64 slots = mask & eng->up_slots;
	const struct lsc_class *c;
	struct lsc_agent *a;
	struct lsc_node *n;
	u32 seen, xs = 0;
	bool held = false;

	r->agent = NULL;
	r->at = U64_MAX;
	memset(r->extra, 0, sizeof(r->extra));
	r->extra_slots = 0;
	while ((c = lsc_next_class(eng, &slots, &pos))) {
		if (!lsc_cap_fits(c->cap, c->tags, t))
			continue;
		held |= c->nr_up > 0;
		seen = 0;
		for (n = lsc_tree_first(&c->release);
		     n && seen < eng->tun.agent_scan;
		     n = lsc_tree_next(n), seen++) {
			a = agent_of_enode(n);
			if ((a->next_end > now ? a->next_end : now) > r->at)
				break;
			at = lsc_fit_time(a, t, now, extra, &xs);
			if (at < r->at || (at == r->at && r->agent &&
					   a->id < r->agent->id)) {
				r->agent = a;
				r->at = at;
				memcpy(r->extra, extra, sizeof(r->extra));
				r->extra_slots = xs;
			}
		}
	}
	return r->agent || held;
}

/* May @t start on @a now without delaying the reservation @r? */
static bool lsc_backfill_ok(const struct lsc_task *t,
			    const struct lsc_agent *a,
			    const struct lsc_resv *r, u64 now)
{
	int k;

	if (a != r->agent || lsc_add_sat(now, t->est_ns) <= r->at)
		return true;
	if (!r->extra_slots)
		return false;
	for (k = 0; k < LSC_NR_RES; k++)
		if (t->demand[k] > r->extra[k])
			return false;
	return true;
}

/* ------------------------------------------------------------- dispatch */

static void lsc_assign(struct lsc_engine *eng, struct lsc_task *t,
		       struct lsc_agent *a, u64 now)
{
	u32 part = t->part;
	bool last = lsc_rq_lane_last(eng, t);

	lsc_rq_take(eng, t);
	lsc_agent_take(eng, a, t, now);
	lsc_user_charge(eng, t, true);
	eng->stats.assigned++;
	lsc_set_state(eng, t, LSC_TASK_ASSIGNED, LSC_FAIL_NONE);
	lsc_rq_lane_advance(eng, t, part, last);
	if (eng->ops && eng->ops->task_assigned)
		eng->ops->task_assigned(eng, t, a);
}

/* When @u (the head's or not) has only the head's slot left, hold it. */
static void lsc_hold_for_head(struct lsc_engine *eng, struct lsc_user *u)
{
	if (eng->resv_task && eng->resv_task->user == u && u->max_active &&
	    u->nr_active + 1 >= u->max_active && eng->held_user != u)
		lsc_rq_hold_user(eng, u);
}

/*
 * The blocked @t of @p is the head: reserve for it, where tasks freeze
 * for it when some can (preempt.c), else at its earliest fit time.
 * Besides resources on the reserved agent the head needs a slot of its
 * user's limit: when only one is left, the user's other tasks wait behind
 * the head (the walk holds the user, as if it were at its limit).
 */
static bool lsc_head(struct lsc_engine *eng, const struct lsc_part *p,
		     struct lsc_task *t, u64 now, struct lsc_resv *r)
{
	if (!lsc_preempt(eng, t, p->mask, now, r) &&
	    !lsc_reserve(eng, t, p->mask, now, r))
		return false;
	eng->resv_task = t;
	eng->resv_agent = r->agent;
	eng->resv_ns = r->at;
	lsc_hold_for_head(eng, t->user);
	return true;
}

/*
 * The walk: the partitions' front tasks merge in policy order (the
 * tournament's root is the first).  A partition leaves the walk when no UP
 * agent can hold its tasks (parked), when none of its agents has a free
 * slot (its first task is then a candidate head: it fits nowhere now),
 * when backfill_depth of its tasks were passed behind the head, or when it
 * runs out of tasks.
 */
u32 lsc_dispatch(struct lsc_engine *eng, u64 now)
{
	bool have_resv = false, strict = !eng->tun.backfill_depth;
	struct lsc_part *p;
	struct lsc_agent *a;
	struct lsc_task *t;
	struct lsc_resv r;
	u32 assigned = 0;
	int k;

	memset(&r, 0, sizeof(r));
	/* A dead reporter's load must not steer the choices below. */
	lsc_loads_refresh(eng, now);
	eng->stats.dispatches++;
	eng->resv_task = NULL;
	eng->resv_agent = NULL;
	eng->resv_ns = 0;
	eng->walking = 1;
	while ((p = lsc_walk_first(eng))) {
		/* Behind the head, nothing fits where no slot is free. */
		if (have_resv && !eng->ready_slots)
			break;
		t = p->front;
		if (!(p->mask & eng->up_slots)) {
			lsc_walk_out(eng, p);
			continue;
		}
		if (!(p->mask & eng->ready_slots)) {
			if (!have_resv)
				have_resv = lsc_head(eng, p, t, now, &r);
			if (have_resv && strict)
				break;
			lsc_walk_out(eng, p);
			continue;
		}
		a = lsc_pick_agent(eng, t, p->mask, NULL, NULL);
		if (!have_resv) {
			if (a) {
				lsc_assign(eng, t, a, now);
				assigned++;
				continue;
			}
			have_resv = lsc_head(eng, p, t, now, &r);
			if (have_resv && strict)
				break;
			/* (Holding the head's user may have hidden it.) */
			if (p->front != t)
				continue;
			lsc_walk_pass(eng, p);
			if (!have_resv && ++p->skips >= eng->tun.backfill_depth)
				lsc_walk_out(eng, p);
			continue;
		}
		if (a && !lsc_backfill_ok(t, a, &r, now))
			a = lsc_pick_agent(eng, t, p->mask, r.agent, NULL);
		if (a && lsc_backfill_ok(t, a, &r, now)) {
			if (a == r.agent &&
			    lsc_add_sat(now, t->est_ns) > r.at) {
				for (k = 0; k < LSC_NR_RES; k++)
					r.extra[k] -= t->demand[k];
				r.extra_slots--;
			}
			lsc_assign(eng, t, a, now);
			assigned++;
			eng->stats.backfilled++;
			lsc_hold_for_head(eng, t->user);
			continue;
		}
		lsc_walk_pass(eng, p);
		if (++p->skips >= eng->tun.backfill_depth)
			lsc_walk_out(eng, p);
	}
	lsc_thaw_pass(eng, &r, now);
	lsc_walk_end(eng);
	return assigned;
}
