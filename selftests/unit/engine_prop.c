// SPDX-License-Identifier: GPL-2.0
/*
 * Randomized property tests of the scheduling engine: thousands of seeds,
 * a few hundred random operations each (submissions with dependencies,
 * tags and the preemptible flag, dispatch, fetch (pin), start, completion
 * and failure, cancellation, time-limit stops and their confirmations,
 * freeze and thaw confirmations arriving late, never or for tasks no
 * longer freezing, agents joining, draining, fenced (lost), removed and
 * resized with their slots, measured loads, balancing, policy switches,
 * user limits, the rank option), checking after every operation the
 * invariants the engine promises, and after every dispatch that no idle
 * agent stands beside work it can hold.  A second mode sets a
 * small random propagation budget and interleaves lsc_propagate_pending()
 * calls among the operations; a third does the same with re-queueing
 * (lsc_rekey_step()).  Everything is checked against the test's own
 * bookkeeping, built from the callbacks, not against the engine's
 * counters; the structure check alone looks inside (core/internal.h).
 */
#include "engine_util.h"
#include "kselftest_harness.h"
#include "core/internal.h"

#define P_AGENTS	8
#define P_TASKS		200
#define P_USERS		3

enum prop_mode { MODE_PLAIN, MODE_PROPAGATION, MODE_REKEY, MODE_PREEMPT };

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
	/* Bounded re-queueing mode: its budget (0: off). */
	u32 rekey_budget;
	/* Liveness checks made, of idle agents and of agents partly used. */
	u64 nr_live_idle;
	u64 nr_live_partial;
	/* Dispatches with the shared partition in use (no exact claim). */
	u32 nr_shared;
	u32 nr_parked_seen;
	u32 nr_limited_seen;
	/* Fetched (pinned) by the test, and the calls that report an end. */
	bool pinned[W_TASKS];
	const struct lsc_task *reporting;
	const struct lsc_agent *removing;
	/* Dispatches so far, and the one each pending freeze was asked in. */
	u32 nr_dispatch;
	u32 freeze_in[W_TASKS];
	u32 nr_fences, nr_late, nr_confirms;
	u32 nr_round_checks, nr_thaw_checks, nr_agentless, nr_claim_checks;
	u32 nr_frozen_waits;
	/* The reservation was checked as the walk left it (before thaws). */
	bool resv_checked;
	/* Inside lsc_balance(), and the head's reserved agent before it. */
	bool in_balance;
	const struct lsc_agent *resv_before;
	/* The imbalance before the balance pass's last migration. */
	u64 imb_last;
	/* Preemption mode: more priorities and preemptible tasks, agents
	 * that confirm what they are asked more often.
	 */
	bool preempt;
	/* Per agent, what its last load report said beyond the CPU share
	 * its started tasks held then (per-mille), and when; reports seen
	 * decayed.
	 */
	s64 rep_excess[P_AGENTS];
	u64 rep_at[P_AGENTS];
	/* The load interval changed since that report: its age is moot. */
	bool rep_moot[P_AGENTS];
	u32 nr_decayed, nr_balance_moves;
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

/* Re-queueing not done: tasks wait, or have masks of older classes. */
static bool rekey_pending(const struct lsc_engine *eng)
{
	return eng->nr_stale || eng->rekey_again;
}

/*
 * What @a's tasks hold, from the callbacks (@x, when not NULL, left out):
 * those that hold a CPU and a slot in @used (their count in *@slots), the
 * frozen ones' demand but CPU in @frozen.
 */
static void ref_held(struct world *w, const struct lsc_agent *a,
		     const struct lsc_task *x, u64 *used, u64 *frozen,
		     u32 *slots)
{
	int k, ai = agent_index(w, a);
	u32 i;

	memset(used, 0, LSC_NR_RES * sizeof(*used));
	memset(frozen, 0, LSC_NR_RES * sizeof(*frozen));
	*slots = 0;
	for (i = 0; i < w->nr_tasks; i++) {
		if (w->on_agent[i] != ai || &w->tasks[i] == x)
			continue;
		if (w->iced[i]) {
			for (k = 0; k < LSC_NR_RES; k++)
				if (k != LSC_RES_CPU)
					frozen[k] += w->tasks[i].demand[k];
			continue;
		}
		(*slots)++;
		for (k = 0; k < LSC_NR_RES; k++)
			used[k] += w->tasks[i].demand[k];
	}
}

/*
 * The frozen task of @a to thaw first, by the documented order: higher
 * priority, then frozen earlier, then lower id (STOPPING ones never).
 */
static const struct lsc_task *ref_first_frozen(struct world *w,
					       const struct lsc_agent *a)
{
	const struct lsc_task *best = NULL, *f;
	u32 i;

	for (i = 0; i < w->nr_tasks; i++) {
		if (w->on_agent[i] != agent_index(w, a) || !w->iced[i] ||
		    w->seen_state[i] != LSC_TASK_FROZEN)
			continue;
		f = &w->tasks[i];
		if (!best || f->prio > best->prio ||
		    (f->prio == best->prio &&
		     (w->frozen_at[i] < w->frozen_at[task_index(w, best)] ||
		      (w->frozen_at[i] == w->frozen_at[task_index(w, best)] &&
		       f->id < best->id))))
			best = f;
	}
	return best;
}

/* The CPU (and a slot) @a keeps against @t for its first frozen task. */
static u32 ref_claim(struct world *w, const struct lsc_agent *a,
		     const struct lsc_task *t, u64 *cpu)
{
	const struct lsc_task *f = ref_first_frozen(w, a);

	*cpu = 0;
	if (!f || f->prio < t->prio)
		return 0;
	*cpu = f->demand[LSC_RES_CPU];
	return 1;
}

/* Does @t fit @a now, if @x (when not NULL) were not on it? */
static bool ref_fits(struct world *w, const struct lsc_task *t,
		     const struct lsc_agent *a, const struct lsc_task *x)
{
	u64 used[LSC_NR_RES], frozen[LSC_NR_RES], claim;
	u32 slots, kept;
	int k;

	if (!a->registered || a->health != LSC_AGENT_UP)
		return false;
	if ((t->tags & a->tags) != t->tags)
		return false;
	ref_held(w, a, x, used, frozen, &slots);
	kept = ref_claim(w, a, t, &claim);
	if (slots + kept >= a->slots)
		return false;
	used[LSC_RES_CPU] += claim;
	for (k = 0; k < LSC_NR_RES; k++)
		if (used[k] + frozen[k] + t->demand[k] > a->cap[k])
			return false;
	return true;
}

/*
 * Does the head @t fit @a once the tasks asked to freeze there froze
 * (their CPU and slot free, the rest held), with @x (when not NULL)
 * placed there too?
 */
static bool ref_round_fits_with(struct world *w, const struct lsc_task *t,
				const struct lsc_agent *a,
				const struct lsc_task *x)
{
	u64 used[LSC_NR_RES], frozen[LSC_NR_RES], claim;
	u32 slots, i;
	int k;

	if (!a->registered || a->health != LSC_AGENT_UP ||
	    (t->tags & a->tags) != t->tags || ref_claim(w, a, t, &claim))
		return false;
	ref_held(w, a, NULL, used, frozen, &slots);
	for (i = 0; i < w->nr_tasks; i++) {
		if (w->on_agent[i] != agent_index(w, a) || !w->freezing[i])
			continue;
		slots--;
		used[LSC_RES_CPU] -= w->tasks[i].demand[LSC_RES_CPU];
	}
	if (x) {
		slots++;
		for (k = 0; k < LSC_NR_RES; k++)
			used[k] += x->demand[k];
	}
	if (slots >= a->slots)
		return false;
	for (k = 0; k < LSC_NR_RES; k++)
		if (used[k] + frozen[k] + t->demand[k] > a->cap[k])
			return false;
	return true;
}

static bool ref_round_fits(struct world *w, const struct lsc_task *t,
			   const struct lsc_agent *a)
{
	return ref_round_fits_with(w, t, a, NULL);
}

/*
 * Earliest expected time @t fits on @a, releasing its tasks by end time
 * (frozen ones never; the CPU and slot kept for the first frozen one stay
 * kept); with @x (not NULL), as if @x started there now.
 */
static u64 ref_fit_time_with(struct world *w, const struct lsc_task *t,
			     const struct lsc_agent *a, u64 now,
			     const struct lsc_task *x)
{
	u64 used[LSC_NR_RES] = { 0 }, at = now, end[W_TASKS], claim;
	bool done[W_TASKS] = { 0 }, on[W_TASKS] = { 0 };
	u32 slots = 0, i, kept;
	int k, ai = agent_index(w, a);

	kept = ref_claim(w, a, t, &claim);
	used[LSC_RES_CPU] = claim;
	for (i = 0; i < w->nr_tasks; i++) {
		on[i] = w->on_agent[i] == ai || &w->tasks[i] == x;
		if (!on[i])
			continue;
		for (k = 0; k < LSC_NR_RES; k++)
			if (!w->iced[i] || k != LSC_RES_CPU)
				used[k] += w->tasks[i].demand[k];
		if (w->iced[i]) {
			done[i] = true;
			continue;
		}
		end[i] = &w->tasks[i] == x ? now + x->est_ns :
			 w->tasks[i].start_ns + w->tasks[i].est_ns;
		slots++;
	}
	for (;;) {
		bool ok = slots + kept < a->slots;
		int best = -1;

		for (k = 0; ok && k < LSC_NR_RES; k++)
			ok = used[k] + t->demand[k] <= a->cap[k];
		if (ok)
			return at;
		for (i = 0; i < w->nr_tasks; i++) {
			if (!on[i] || done[i])
				continue;
			if (best < 0 || end[i] < end[best])
				best = i;
		}
		if (best < 0)
			return U64_MAX;
		done[best] = true;
		slots--;
		for (k = 0; k < LSC_NR_RES; k++)
			used[k] -= w->tasks[best].demand[k];
		if (end[best] > at)
			at = end[best];
	}
}

static u64 ref_fit_time(struct world *w, const struct lsc_task *t,
			const struct lsc_agent *a, u64 now)
{
	return ref_fit_time_with(w, t, a, now, NULL);
}

/* Tasks of @u on agents, from the callbacks. */
static u32 ref_active(struct world *w, const struct lsc_user *u)
{
	u32 i, n = 0;

	for (i = 0; i < w->nr_tasks; i++)
		n += w->on_agent[i] >= 0 && w->tasks[i].user == u;
	return n;
}

static bool ref_below_limit(struct world *w, const struct lsc_user *u)
{
	return !u->max_active || ref_active(w, u) < u->max_active;
}

/* Priority-FIFO, with the rank option: larger rank first within a priority. */
static int pf_cmp(const struct lsc_task *a, const struct lsc_task *b)
{
	const struct lsc_engine *eng = &g_cur->w->eng;

	if (a->prio != b->prio)
		return a->prio > b->prio ? -1 : 1;
	if (eng->krank && ref_bucket(a->rank_ns) != ref_bucket(b->rank_ns))
		return ref_bucket(a->rank_ns) > ref_bucket(b->rank_ns) ? -1 : 1;
	if (a->arrival_ns != b->arrival_ns)
		return a->arrival_ns < b->arrival_ns ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/*
 * Called at every assignment.  (1) A backfilled task never pushes the
 * reserved head's expected start past its shadow time (a head for which
 * tasks freeze: it still fits once they froze).  (2) In
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
	/* What the agent's first frozen task needs stays free for it. */
	{
		u64 used[LSC_NR_RES], frozen[LSC_NR_RES], claim;
		u32 slots;

		if (ref_claim(w, xa, x, &claim)) {
			ref_held(w, xa, NULL, used, frozen, &slots);
			if (slots + 1 > xa->slots ||
			    used[LSC_RES_CPU] + claim > xa->cap[LSC_RES_CPU])
				w->violation = "a task took what a frozen task of higher or equal priority waits for";
			p->nr_claim_checks++;
		}
	}
	if (head && x != head) {
		p->nr_backfill_checks++;
		if (!eng->resv_agent)
			p->nr_agentless++;
		else if (head->flags & LSC_TASK_F_PREEMPTING ?
			 !ref_round_fits(w, head, eng->resv_agent) :
			 ref_fit_time(w, head, eng->resv_agent, w->now) >
			 eng->resv_ns)
			w->violation = "backfilled task delays the head";
	}
	/*
	 * The order check holds where no partition's window runs out and
	 * no re-queueing is pending; a task of a user at its limit waits.
	 */
	if (eng->kpolicy != LSC_POLICY_PRIO_FIFO ||
	    eng->tun.backfill_depth < P_TASKS || rekey_pending(eng))
		return;
	for (i = 0; i < w->nr_tasks; i++) {
		struct lsc_task *h = &w->tasks[i];

		if (h->state != LSC_TASK_RUNNABLE || pf_cmp(h, x) > 0 ||
		    !ref_below_limit(w, h->user))
			continue;
		/* The head keeps the last slot of its user's limit. */
		if (head && h != head && h->user == head->user &&
		    h->user->max_active &&
		    ref_active(w, h->user) + 1 >= h->user->max_active)
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
 * is exact; on no agent when frozen holdings, which never release there,
 * are in its way everywhere), or, when tasks freeze for it, now on their
 * agent, where it fits once they froze.
 */
static void check_reservation(struct prop *p)
{
	struct world *w = p->w;
	struct lsc_engine *eng = &w->eng;
	struct lsc_task *head = NULL;
	u64 best = U64_MAX, at;
	u32 i, j;

	if (eng->kpolicy != LSC_POLICY_PRIO_FIFO || rekey_pending(eng))
		return;
	for (i = 0; i < w->nr_tasks; i++) {
		struct lsc_task *t = &w->tasks[i];
		bool holdable = false;

		if (t->state != LSC_TASK_RUNNABLE ||
		    !ref_below_limit(w, t->user))
			continue;
		for (j = 0; j < P_AGENTS && !holdable; j++)
			holdable = ref_can_hold(w, t, &w->agents[j]);
		if (holdable && (!head || pf_cmp(t, head) < 0))
			head = t;
	}
	if (!head)
		return;
	if (eng->resv_task == head &&
	    (head->flags & LSC_TASK_F_PREEMPTING)) {
		p->nr_round_checks++;
		if (eng->resv_agent != head->preempt_on ||
		    eng->resv_ns != w->now ||
		    !ref_round_fits(w, head, eng->resv_agent))
			w->violation = "a head that tasks freeze for is not reserved where it fits once they froze";
		return;
	}
	for (j = 0; j < P_AGENTS; j++) {
		if (!ref_can_hold(w, head, &w->agents[j]))
			continue;
		at = ref_fit_time(w, head, &w->agents[j], w->now);
		if (at < best)
			best = at;
	}
	if (eng->resv_task != head)
		w->violation = "blocked head holds no reservation";
	else if (eng->resv_ns != best ||
		 !eng->resv_agent != (best == U64_MAX))
		w->violation = "reservation is not the earliest fit time";
}

/* No task holds a slot there (frozen ones may). */
static bool ref_idle(struct world *w, const struct lsc_agent *a)
{
	u32 i;

	for (i = 0; i < w->nr_tasks; i++)
		if (w->on_agent[i] == agent_index(w, a) && !w->iced[i])
			return false;
	return true;
}

/*
 * Liveness, after a dispatch: no UP agent with nothing on it stands beside
 * a RUNNABLE task it can hold whose user is below its limit.  When no
 * partition's window can run out (backfill_depth above the task count),
 * the same holds for every agent with a free slot and room for the task,
 * except where the task would push the head's start on the reserved agent
 * past its shadow time.  Exempt: pending re-queueing; strict order (no
 * backfilling) behind a head; the shared partition in use.
 */
static const char *check_liveness(struct prop *p)
{
	struct world *w = p->w;
	struct lsc_engine *eng = &w->eng;
	bool exact = eng->tun.backfill_depth >= P_TASKS, idle;
	const struct lsc_task *head = eng->resv_task;
	bool below[P_USERS];
	u32 i, j;

	for (i = 0; i < P_USERS; i++)
		below[i] = ref_below_limit(w, &w->users[i]);

	if (rekey_pending(eng))
		return NULL;
	if (!eng->tun.backfill_depth && head)
		return NULL;
	if (eng->shared_part != LSC_PART_NONE) {
		p->nr_shared++;
		return NULL;
	}
	for (j = 0; j < P_AGENTS; j++) {
		struct lsc_agent *a = &w->agents[j];

		if (!a->registered || a->health != LSC_AGENT_UP)
			continue;
		idle = ref_idle(w, a);
		if (!idle && !exact)
			continue;
		for (i = 0; i < w->nr_tasks; i++) {
			struct lsc_task *t = &w->tasks[i];

			if (t->state != LSC_TASK_RUNNABLE)
				continue;
			if (!below[t->user - w->users]) {
				p->nr_limited_seen++;
				continue;
			}
			if (!ref_fits(w, t, a, NULL))
				continue;
			if (head && a == eng->resv_agent &&
			    (head->flags & LSC_TASK_F_PREEMPTING ?
			     !ref_round_fits_with(w, head, a, t) :
			     ref_fit_time_with(w, head, a, w->now, t) >
			     eng->resv_ns))
				continue;
			/* The head keeps a slot of its user's limit. */
			if (head && t->user == head->user &&
			    t->user->max_active &&
			    ref_active(w, t->user) + 1 >= t->user->max_active)
				continue;
			return idle ? "an idle agent stands beside a task it can hold" :
			       "an agent with room stands beside a task it can hold";
		}
		if (idle)
			p->nr_live_idle++;
		else
			p->nr_live_partial++;
	}
	return NULL;
}

/* Does @t sort before @u in its lane (key, arrival, id)? */
static bool lane_before(const struct lsc_task *t, const struct lsc_task *u)
{
	if (t->qkey != u->qkey)
		return t->qkey < u->qkey;
	if (t->arrival_ns != u->arrival_ns)
		return t->arrival_ns < u->arrival_ns;
	return t->id < u->id;
}

/* The order of partitions' queues: under DRF, users by share first. */
static bool part_before(const struct lsc_engine *eng, const struct lsc_task *t,
			const struct lsc_task *u)
{
	if (eng->kpolicy == LSC_POLICY_DRF && t->user != u->user) {
		if (t->user->share != u->user->share)
			return t->user->share < u->user->share;
		if (t->user->uid != u->user->uid)
			return t->user->uid < u->user->uid;
		return t->user < u->user;
	}
	return lane_before(t, u);
}

static bool same_lane(const struct lsc_task *t, const struct lsc_task *u)
{
	bool own = t->flags & LSC_TASK_F_OWN_LANE;

	return t->part == u->part &&
	       own == !!(u->flags & LSC_TASK_F_OWN_LANE) &&
	       (!own || t->user == u->user);
}

/*
 * The run queue's structure, from the inside: every RUNNABLE task is in a
 * partition of its eligibility; partitions count their tasks; in each lane
 * of the current generation whose user may run more, exactly one task is
 * visible, its first; a user at its limit shows none.
 */
static const char *check_structure(struct prop *p)
{
	struct world *w = p->w;
	struct lsc_engine *eng = &w->eng;
	u64 live = 0, in_parts[LSC_NR_PARTS] = { 0 };
	u32 i, j, s;

	for (s = 0; s < LSC_SLOT_SHARED; s++)
		if (eng->slot_cls[s])
			live |= 1ULL << s;
	if (!lsc_list_empty(&eng->shared_classes))
		live |= 1ULL << LSC_SLOT_SHARED;
	for (i = 0; i < w->nr_tasks; i++) {
		struct lsc_task *t = &w->tasks[i];
		struct lsc_part *pt;
		u32 nvis = 0;
		bool first = true, at_limit;

		if (t->state != LSC_TASK_RUNNABLE)
			continue;
		if (t->part >= LSC_NR_PARTS || !eng->parts[t->part].used)
			return "RUNNABLE task in no partition";
		pt = &eng->parts[t->part];
		in_parts[t->part]++;
		if (pt->gen != eng->gen)
			continue;
		if (!pt->shared && !rekey_pending(eng) &&
		    (pt->mask & live) != lsc_task_mask(eng, t))
			return "task in the partition of another mask";
		at_limit = (t->flags & LSC_TASK_F_OWN_LANE) &&
			   t->user->max_active &&
			   t->user->nr_active >= t->user->max_active;
		if (at_limit && t->qwhere == LSC_Q_VISIBLE)
			return "a user at its limit shows a task";
		for (j = 0; j < w->nr_tasks; j++) {
			struct lsc_task *u = &w->tasks[j];

			if (u->state != LSC_TASK_RUNNABLE || !same_lane(t, u))
				continue;
			nvis += u->qwhere == LSC_Q_VISIBLE;
			if (u != t && lane_before(u, t))
				first = false;
		}
		if (at_limit)
			continue;
		if (nvis != 1)
			return "a lane shows other than one task";
		if (first != (t->qwhere == LSC_Q_VISIBLE))
			return "a lane shows other than its first task";
	}
	/* Outside walks each front is its partition's first; the tree's
	 * root is the partition whose front comes first.
	 */
	{
		const struct lsc_task *best = NULL;
		u32 root = LSC_PART_NONE;

		for (i = 0; i < LSC_NR_PARTS; i++) {
			struct lsc_part *pt = &eng->parts[i];
			struct lsc_node *n;

			if (!pt->used || pt->gen != eng->gen)
				continue;
			n = lsc_tree_first(&pt->q);
			if (pt->front != (n ? task_of_qnode(n) : NULL))
				return "a partition's front is not its first";
			if (pt->out || pt->skips)
				return "a partition kept walk state";
			if (pt->front && (!best || part_before(eng, pt->front, best))) {
				best = pt->front;
				root = i;
			}
		}
		if (lsc_walk_first(eng) !=
		    (root == LSC_PART_NONE ? NULL : &eng->parts[root]))
			return "the tournament's root is not the first partition";
	}
	for (i = 0; i < LSC_NR_PARTS; i++) {
		if (eng->parts[i].used && !eng->parts[i].nr_tasks)
			return "empty partition still in use";
		if (eng->parts[i].used && in_parts[i] != eng->parts[i].nr_tasks)
			return "partition miscounts its tasks";
	}
	return NULL;
}

/*
 * An agent's preemption books against the callbacks: its freezing tasks,
 * its victim candidates, the head its round is for.
 */
static const char *check_rounds(struct prop *p, const struct lsc_agent *a)
{
	struct world *w = p->w;
	u32 i, freezing = 0, preemptible = 0;

	for (i = 0; i < w->nr_tasks; i++) {
		const struct lsc_task *t = &w->tasks[i];

		if ((t->flags & LSC_TASK_F_PREEMPTING) &&
		    (t->state != LSC_TASK_RUNNABLE || !t->preempt_on ||
		     t->preempt_on->preempt_for != t))
			return "a preempting head is not its round's";
		if (w->on_agent[i] != agent_index(w, a))
			continue;
		freezing += w->freezing[i];
		preemptible += w->seen_state[i] == LSC_TASK_RUNNING &&
			       (t->flags & LSC_TASK_F_PREEMPTIBLE) &&
			       !w->freezing[i];
	}
	if (freezing != a->nr_freezing || preemptible != a->nr_preemptible)
		return "an agent miscounts its freezing or preemptible tasks";
	if (a->preempt_for && (!a->nr_freezing ||
			       a->preempt_for->preempt_on != a))
		return "an agent's round names a head that is not its";
	return NULL;
}

/* Invariants after every operation; NULL when they all hold. */
/* floor(@x * 1000 / @cap), at most 1000; a kind the agent lacks: 1000. */
static u64 ref_permille(u64 x, u64 cap)
{
	if (!cap || x >= cap)
		return 1000;
	return x * 1000 / cap;
}

/* The CPU share @a's tasks hold now, per-mille. */
static s64 ref_cpu_share(struct world *w, const struct lsc_agent *a)
{
	u64 used[LSC_NR_RES], frozen[LSC_NR_RES];
	u32 n;

	ref_held(w, a, NULL, used, frozen, &n);
	return a->cap[LSC_RES_CPU] ?
	       (s64)ref_permille(used[LSC_RES_CPU], a->cap[LSC_RES_CPU]) : 0;
}

/*
 * The CPU that @a's started tasks hold (all that hold CPU there but the
 * ASSIGNED ones), in millicores; with @share, per-mille of @a's CPU.
 */
static s64 ref_started_cpu(struct world *w, const struct lsc_agent *a,
			   bool share)
{
	int ai = agent_index(w, a);
	u64 cpu = 0;
	u32 i;

	for (i = 0; i < w->nr_tasks; i++)
		if (w->on_agent[i] == ai && !w->iced[i] &&
		    w->seen_state[i] != LSC_TASK_ASSIGNED)
			cpu += w->tasks[i].demand[LSC_RES_CPU];
	if (!share)
		return (s64)cpu;
	return a->cap[LSC_RES_CPU] ?
	       (s64)ref_permille(cpu, a->cap[LSC_RES_CPU]) : 0;
}

/* Halvings a report made at @at is due at @now (policies.rst). */
static u32 ref_shift(const struct prop *p, u64 at, u64 now)
{
	u64 iv = p->w->eng.tun.load_interval_ns, n;

	if (now <= at + LSC_LOAD_STALE * iv)
		return 0;
	n = (now - at - LSC_LOAD_STALE * iv) / iv + 1;
	return n > LSC_LOAD_DECAY ? LSC_LOAD_DECAY : (u32)n;
}

/* @a's load with its report's excess halved @shift times. */
static u32 ref_load(struct prop *p, u32 j, u32 shift)
{
	struct world *w = p->w;
	const struct lsc_agent *a = &w->agents[j];
	u64 used[LSC_NR_RES], frozen[LSC_NR_RES], dom = 0, v;
	s64 e = p->rep_excess[j], est;
	u32 n;
	int k;

	ref_held(w, a, NULL, used, frozen, &n);
	for (k = 0; k < LSC_NR_RES; k++) {
		if (!(used[k] + frozen[k]))
			continue;
		v = ref_permille(used[k] + frozen[k], a->cap[k]);
		dom = v > dom ? v : dom;
	}
	if (shift >= LSC_LOAD_DECAY)
		e = 0;
	else
		e = e < 0 ? -((-e) >> shift) : e >> shift;
	est = ref_cpu_share(w, a) + e;
	if (est > LSC_LOAD_MAX)
		est = LSC_LOAD_MAX;
	return est > (s64)dom ? (u32)est : (u32)dom;
}

/*
 * Every agent's load is what its tasks hold and its last report say; the
 * load index is in load order; after a refresh (@refreshed, a dispatch or
 * a balance pass), a report decayed as its age says, give or take the
 * load interval it is refreshed at.
 */
static const char *check_loads(struct prop *p, bool refreshed)
{
	struct world *w = p->w;
	const struct lsc_node *n;
	const struct lsc_agent *a, *prev = NULL;
	u64 iv = w->eng.tun.load_interval_ns;
	u32 j;

	for (j = 0; j < P_AGENTS; j++) {
		a = &w->agents[j];
		if (!a->registered)
			continue;
		if (a->load != ref_load(p, j, a->meas_shift))
			return "agent load differs from its holdings and its report";
		if (a->committed[LSC_RES_CPU] - a->unstarted_cpu !=
		    (u64)ref_started_cpu(w, a, false))
			return "agent's unstarted CPU differs from its ASSIGNED tasks'";
		if (!refreshed || !p->rep_excess[j] || p->rep_moot[j])
			continue;
		if (a->meas_shift > ref_shift(p, p->rep_at[j], w->now) ||
		    (w->now >= iv &&
		     a->meas_shift < ref_shift(p, p->rep_at[j], w->now - iv)))
			return "a stale load report did not decay as its age says";
		p->nr_decayed += a->meas_shift > 0;
	}
	for (n = lsc_tree_first(&w->eng.loads); n; n = lsc_tree_next(n)) {
		a = lsc_container_of(n, struct lsc_agent, lnode);
		if (a->health != LSC_AGENT_UP)
			return "an agent not UP in the load index";
		if (prev && (prev->load > a->load ||
			     (prev->load == a->load && prev->id > a->id)))
			return "load index out of (load, id) order";
		prev = a;
	}
	return NULL;
}

static const char *check(struct prop *p)
{
	struct world *w = p->w;
	struct lsc_engine *eng = &w->eng;
	u64 reserved[LSC_NR_RES] = { 0 };
	u64 active[P_USERS] = { 0 };
	const char *err;
	u32 i, j;
	int k;

	/* With a budget, dependents may wait on a failed dependency while
	 * propagation is pending, but not once none is.
	 */
	bool settled = !p->budget || p->idle || !eng->prop;

	if (w->violation)
		return w->violation;
	if ((err = check_structure(p)))
		return err;
	if ((err = check_loads(p, false)))
		return err;
	for (j = 0; j < P_AGENTS; j++) {
		struct lsc_agent *a = &w->agents[j];
		u64 used[LSC_NR_RES], frozen[LSC_NR_RES];
		u32 n, nf = 0;

		if (!a->registered)
			continue;
		for (k = 0; k < LSC_NR_RES; k++)
			reserved[k] += a->cap[k];
		ref_held(w, a, NULL, used, frozen, &n);
		for (i = 0; i < w->nr_tasks; i++)
			nf += w->on_agent[i] == (int)j && w->iced[i];
		if (n > a->slots || n != a->used_slots)
			return "agent slots over-committed or miscounted";
		if (nf != a->nr_frozen)
			return "agent frozen tasks miscounted";
		if ((err = check_rounds(p, a)))
			return err;
		for (k = 0; k < LSC_NR_RES; k++) {
			if (used[k] + frozen[k] > a->cap[k])
				return "agent resources over-committed (frozen holdings counted)";
			if (used[k] != a->committed[k])
				return "agent committed vector is wrong";
			if (frozen[k] != a->frozen[k])
				return "agent frozen vector is wrong";
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
		if ((w->on_agent[i] >= 0) != on_agent_state(t->state))
			return "task on an agent in the wrong state";
		if (w->iced[i] != !!(t->flags & LSC_TASK_F_ICED))
			return "frozen holdings differ from the callbacks";
		if (w->freezing[i] != !!(t->flags & LSC_TASK_F_FREEZING) ||
		    w->thawing[i] != !!(t->flags & LSC_TASK_F_THAWING))
			return "freeze or thaw in flight differs from the callbacks";
		if ((t->state == LSC_TASK_STOPPING) !=
		    (w->seen_state[i] == LSC_TASK_STOPPING))
			return "stopping differs from the callbacks";
		for (j = 0; j < t->nr_deps; j++) {
			u32 dst = w->tasks[t->deps[j].on_id - 1].state;

			if (t->state != LSC_TASK_QUEUED &&
			    t->state != LSC_TASK_FAILED &&
			    t->state != LSC_TASK_CANCELLED &&
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
	/* DRF's allocations: what each user's tasks hold, frozen CPU not. */
	for (i = 0; i < P_USERS; i++) {
		u64 alloc[LSC_NR_RES] = { 0 };

		for (j = 0; j < w->nr_tasks; j++) {
			if (w->on_agent[j] < 0 ||
			    w->tasks[j].user != &w->users[i])
				continue;
			for (k = 0; k < LSC_NR_RES; k++)
				if (!w->iced[j] || k != LSC_RES_CPU)
					alloc[k] += w->tasks[j].demand[k];
		}
		if (memcmp(alloc, w->users[i].alloc, sizeof(alloc)))
			return "user allocation differs from what its tasks hold";
	}
	return NULL;
}

/* ------------------------------------------------- stops and freezes */

/* Fetched, started or frozen: its command may run on its agent. */
static bool ref_may_run(struct prop *p, const struct lsc_task *t, u32 state)
{
	return state == LSC_TASK_RUNNING || state == LSC_TASK_FROZEN ||
	       state == LSC_TASK_STOPPING ||
	       (state == LSC_TASK_ASSIGNED && p->pinned[task_index(p->w, t)]);
}

/*
 * Fencing: a task whose command may run leaves its agent only inside a
 * call that reports it ended (complete, requeue, stopped) or removes the
 * agent (nothing of it runs any more): never twice at once.
 */
static void on_changed(struct world *w, struct lsc_task *t, u32 from, u32 to)
{
	struct prop *p = prop_of(w);
	int i = task_index(w, t);

	if (on_agent_state(to))
		return;
	if (ref_may_run(p, t, from) && p->reporting != t &&
	    !(p->removing && w->on_agent[i] == agent_index(w, p->removing)))
		w->violation = "a task that may run left its agent unconfirmed";
	p->pinned[i] = false;
}

/*
 * Each freeze: for the head, of a preemptible RUNNING task of strictly
 * lower priority on the head's reserved agent, inside a dispatch, and one
 * round at a time per agent.
 */
static void on_freeze(struct world *w, struct lsc_task *t, struct lsc_agent *a)
{
	struct prop *p = prop_of(w);
	const struct lsc_task *head = w->eng.resv_task;
	u32 i, n;

	if (!p->in_dispatch)
		w->violation = "a freeze outside a dispatch";
	else if (!head || t->prio >= head->prio)
		w->violation = "froze a task of priority >= the head's";
	else if (!(t->flags & LSC_TASK_F_PREEMPTIBLE) ||
		 w->seen_state[task_index(w, t)] != LSC_TASK_RUNNING ||
		 w->on_agent[task_index(w, t)] != agent_index(w, a))
		w->violation = "froze a task not preemptible and RUNNING there";
	else if (w->eng.resv_agent != a || head->preempt_on != a)
		w->violation = "froze a task away from the head's agent";
	for (i = 0, n = 1; i < w->nr_tasks; i++) {
		if (w->on_agent[i] != agent_index(w, a))
			continue;
		n += w->freezing[i] || w->iced[i];
		if (w->freezing[i] && p->freeze_in[i] != p->nr_dispatch)
			w->violation = "two freeze rounds in flight on one agent";
	}
	if (n > a->slots)
		w->violation = "an agent would hold more frozen tasks than slots";
	p->freeze_in[task_index(w, t)] = p->nr_dispatch;
}

/*
 * Each thaw: inside a dispatch, on an agent that is not lost, of the
 * agent's first frozen task in thaw order, which fits there now; not
 * delaying a head of higher priority reserved there.
 */
static void on_thaw(struct world *w, struct lsc_task *t, struct lsc_agent *a)
{
	struct prop *p = prop_of(w);
	const struct lsc_task *head = w->eng.resv_task;
	int i = task_index(w, t);
	u64 used[LSC_NR_RES], frozen[LSC_NR_RES];
	u32 slots;

	p->nr_thaw_checks++;
	/* Thaws come after the walk: its reservation is as it left it. */
	if (!p->resv_checked) {
		p->resv_checked = true;
		check_reservation(p);
	}
	if (!p->in_dispatch || a->health == LSC_AGENT_LOST)
		w->violation = "a thaw outside a dispatch or on a lost agent";
	if (ref_first_frozen(w, a) != t)
		w->violation = "a thaw out of thaw order";
	/* As the engine sees it now: the thawing task holds its CPU. */
	w->iced[i] = false;
	ref_held(w, a, NULL, used, frozen, &slots);
	if (slots > a->slots || used[LSC_RES_CPU] > a->cap[LSC_RES_CPU])
		w->violation = "a thaw without a free CPU and slot";
	if (head && head->prio > t->prio && w->eng.resv_agent == a &&
	    (head->flags & LSC_TASK_F_PREEMPTING ?
	     !ref_round_fits(w, head, a) :
	     ref_fit_time(w, head, a, w->now) > w->eng.resv_ns))
		w->violation = "a thaw delays a head of higher priority";
	w->iced[i] = true;
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
	t->prio = rn(p, p->preempt ? 8 : 4);
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
	if (rn(p, p->preempt ? 5 : 2))
		t->flags |= LSC_TASK_F_PREEMPTIBLE;
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

/* LOST: what never ran is requeued, what may run is fenced, STOPPING. */
static void op_fence(struct prop *p, struct lsc_agent *a)
{
	struct world *w = p->w;
	bool may[W_TASKS] = { 0 };
	u32 i;

	for (i = 0; i < w->nr_tasks; i++)
		may[i] = w->on_agent[i] == agent_index(w, a) &&
			 ref_may_run(p, &w->tasks[i], w->tasks[i].state);
	if (lsc_agent_set_health(&w->eng, a, LSC_AGENT_LOST, w->now))
		w->violation = "fencing a registered agent refused";
	p->nr_fences++;
	for (i = 0; i < w->nr_tasks; i++) {
		const struct lsc_task *t = &w->tasks[i];

		if (may[i] && (t->state != LSC_TASK_STOPPING ||
			       t->agent != a))
			w->violation = "a fenced task that may run is not STOPPING on its agent";
		if (!may[i] && w->on_agent[i] == agent_index(w, a) &&
		    t->state != LSC_TASK_STOPPING)
			w->violation = "a task that never ran stayed on a fenced agent";
	}
}

/*
 * Removal: nothing of the agent runs any more.  What never ran is
 * requeued at no cost; a STOPPING task ends as its stop says; the others
 * as fenced and stopped: requeued on their retry budget, or failed.
 */
static void op_remove(struct prop *p, struct lsc_agent *a)
{
	struct world *w = p->w;
	u32 was[W_TASKS], why[W_TASKS], retries[W_TASKS], i;
	bool on[W_TASKS], pinned[W_TASKS];

	for (i = 0; i < w->nr_tasks; i++) {
		on[i] = w->on_agent[i] == agent_index(w, a);
		was[i] = w->tasks[i].state;
		why[i] = w->tasks[i].stop_reason;
		retries[i] = w->tasks[i].retries;
		pinned[i] = p->pinned[i];
	}
	p->removing = a;
	if (lsc_agent_remove(&w->eng, a, w->now))
		w->violation = "removal of a registered agent refused";
	p->removing = NULL;
	for (i = 0; i < w->nr_tasks; i++) {
		const struct lsc_task *t = &w->tasks[i];
		u32 end = was[i] == LSC_TASK_STOPPING ? why[i] :
			  LSC_STOP_AGENT_LOST;

		if (!on[i])
			continue;
		if (was[i] == LSC_TASK_ASSIGNED && !pinned[i]) {
			if (t->state != LSC_TASK_RUNNABLE ||
			    t->retries != retries[i])
				w->violation = "a removed agent's task that never ran was not requeued freely";
			continue;
		}
		if ((end == LSC_STOP_CANCEL && t->state != LSC_TASK_CANCELLED) ||
		    (end == LSC_STOP_TIMEOUT && t->reason != LSC_FAIL_TIMEOUT) ||
		    (end == LSC_STOP_AGENT_LOST &&
		     (retries[i] ? t->state != LSC_TASK_RUNNABLE :
				   t->reason != LSC_FAIL_AGENT_LOST)))
			w->violation = "a removed agent's task did not end as its stop says";
	}
}

/*
 * A report's excess, per-mille of a CPU reservation of @from millicores,
 * as the same millicores of @to (toward zero, at most LSC_LOAD_MAX); none
 * without CPU before or after.
 */
static s64 ref_rescale(s64 e, u64 from, u64 to)
{
	s64 m;

	if (!from || !to)
		return 0;
	m = (s64)((u64)(e < 0 ? -e : e) * from / to);
	if (m > LSC_LOAD_MAX)
		m = LSC_LOAD_MAX;
	return e < 0 ? -m : m;
}

/* Resize, slots too: the decision is checked against the callbacks. */
static void op_resize(struct prop *p, struct lsc_agent *a, const u64 *cap)
{
	struct world *w = p->w;
	u64 used[LSC_NR_RES], frozen[LSC_NR_RES];
	u32 slots = rn(p, 5), n, i;
	int k, want = 0, ret;

	if (!rn(p, 20))
		slots = LSC_AGENT_MAX_SLOTS + 1;
	ref_held(w, a, NULL, used, frozen, &n);
	if (slots > LSC_AGENT_MAX_SLOTS)
		want = -LSC_EINVAL;
	for (k = 0; !want && k < LSC_NR_RES; k++)
		if (cap[k] < used[k] + frozen[k])
			want = -LSC_EBUSY;
	if (!want && slots && slots < n)
		want = -LSC_EBUSY;
	for (i = 0; !want && i < w->nr_tasks; i++)
		for (k = 0; w->on_agent[i] == agent_index(w, a) &&
		     w->iced[i] && w->seen_state[i] == LSC_TASK_FROZEN &&
		     k < LSC_NR_RES; k++)
			if (w->tasks[i].demand[k] > cap[k])
				want = -LSC_EBUSY;
	for (k = 0; !want && k < LSC_NR_RES; k++)
		if (w->eng.reserved[k] - a->cap[k] + cap[k] > p->host[k])
			want = -LSC_EOVERCOMMIT;
	n = a->slots;
	memcpy(used, a->cap, sizeof(used));
	ret = lsc_agent_resize(&w->eng, a, cap, slots);
	if (ret != want)
		w->violation = "agent resize: wrong decision";
	else if (ret && (a->slots != n || memcmp(used, a->cap, sizeof(used))))
		w->violation = "agent resize changed the agent on error";
	else if (!ret && a->slots != (slots ? slots : n))
		w->violation = "agent resize did not set the slots";
	if (!ret)
		p->rep_excess[agent_index(w, a)] =
			ref_rescale(p->rep_excess[agent_index(w, a)],
				    used[LSC_RES_CPU], cap[LSC_RES_CPU]);
}

static void op_agent(struct prop *p)
{
	struct world *w = p->w;
	u32 j = rn(p, P_AGENTS);
	struct lsc_agent *a = &w->agents[j];
	u64 cap[LSC_NR_RES];
	int k, ret, want;
	u32 n;

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
		p->rep_excess[j] = 0;
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
		op_fence(p, a);
		break;
	case 3:
		op_remove(p, a);
		break;
	case 4:
		n = rn(p, 1200);
		p->rep_excess[j] = (s64)n - ref_started_cpu(w, a, true);
		p->rep_at[j] = w->now;
		p->rep_moot[j] = false;
		if (lsc_agent_set_measured(&w->eng, a, n, w->now))
			w->violation = "a load report for a registered agent refused";
		break;
	default:
		op_resize(p, a, cap);
		break;
	}
}

/*
 * After a dispatch: an agent's first frozen task that has its CPU and a
 * slot free there stays frozen only while a freeze round is in flight
 * there, or a head of higher priority is reserved there (and the thaw
 * would not fit what it leaves over, which the thaw hook checks).
 */
static const char *check_thaws(struct prop *p)
{
	struct world *w = p->w;
	const struct lsc_task *head = w->eng.resv_task, *f;
	u64 used[LSC_NR_RES], frozen[LSC_NR_RES];
	u32 j, slots, i;
	bool round;

	for (j = 0; j < P_AGENTS; j++) {
		struct lsc_agent *a = &w->agents[j];

		if (!a->registered || a->health == LSC_AGENT_LOST)
			continue;
		f = ref_first_frozen(w, a);
		if (!f)
			continue;
		ref_held(w, a, NULL, used, frozen, &slots);
		if (slots >= a->slots || used[LSC_RES_CPU] +
		    f->demand[LSC_RES_CPU] > a->cap[LSC_RES_CPU])
			continue;
		round = false;
		for (i = 0; i < w->nr_tasks; i++)
			round |= w->freezing[i] && w->on_agent[i] == (int)j;
		p->nr_frozen_waits++;
		if (!round && !(head && w->eng.resv_agent == a &&
				head->prio > f->prio))
			return "a frozen task that could thaw stayed frozen";
	}
	return NULL;
}

static void op_dispatch(struct prop *p)
{
	struct world *w = p->w;

	p->in_dispatch = true;
	p->nr_dispatch++;
	p->resv_checked = false;
	lsc_dispatch(&w->eng, w->now);
	p->in_dispatch = false;
	if (!p->resv_checked)
		check_reservation(p);
	if (!w->violation)
		w->violation = check_liveness(p);
	if (!w->violation)
		w->violation = check_thaws(p);
	if (!w->violation)
		w->violation = check_loads(p, true);
}

/*
 * A balance pass: each migration (checked by the callback: an ASSIGNED
 * task, never a fetched one nor onto the head's reserved agent) lowers the
 * imbalance, so a pass that moved anything ends lower than it began.
 */
static void op_balance(struct prop *p)
{
	struct world *w = p->w;
	u64 before, moves = w->eng.stats.migrations;
	u32 moved;

	lsc_loads_refresh(&w->eng, w->now);
	before = lsc_imbalance(&w->eng);
	p->imb_last = before;
	p->resv_before = w->eng.resv_agent;
	p->in_balance = true;
	moved = lsc_balance(&w->eng, w->now);
	p->in_balance = false;
	p->nr_balance_moves += moved;
	if (moved != w->eng.stats.migrations - moves ||
	    moved > w->eng.tun.max_migrations)
		w->violation = "balance miscounted its migrations";
	else if (moved && lsc_imbalance(&w->eng) >= before)
		w->violation = "a balance pass that migrated did not lower the imbalance";
	if (!w->violation)
		w->violation = check_loads(p, true);
}

static void on_migrate(struct world *w, struct lsc_task *t,
		       struct lsc_agent *from, struct lsc_agent *to)
{
	struct prop *p = prop_of(w);

	if (!p->in_balance)
		w->violation = "a migration outside a balance pass";
	else if (p->pinned[task_index(w, t)] || (t->flags & LSC_TASK_F_PINNED))
		w->violation = "a fetched (pinned) task migrated";
	else if (to == p->resv_before && to)
		w->violation = "a task migrated onto the head's reserved agent";
	else if (from == to || to->health != LSC_AGENT_UP)
		w->violation = "a migration onto its own or a non-UP agent";
	else if (lsc_imbalance(&w->eng) >= p->imb_last)
		w->violation = "a migration did not lower the imbalance";
	p->imb_last = lsc_imbalance(&w->eng);
}

static void op_tunables(struct prop *p)
{
	struct world *w = p->w;
	struct lsc_tunables tun = w->eng.tun;

	if (!rn(p, 3)) {
		tun.load_interval_ns = (1 + rn(p, 8)) * SEC / 16;
		memset(p->rep_moot, 1, sizeof(p->rep_moot));
	}
	else if (rn(p, 2))
		tun.dag_rank = !tun.dag_rank;
	else
		tun.age_ns = (1 + rn(p, 20)) * SEC / 4;
	if (lsc_set_tunables(&w->eng, &tun))
		w->violation = "valid tunables refused";
}

/* The call reports @t's end: it may leave its agent. */
static int report_end(struct prop *p, struct lsc_task *t, int how)
{
	struct world *w = p->w;
	int ret;

	p->reporting = t;
	if (how == 0)
		ret = lsc_task_complete(&w->eng, t, rn(p, 6) ? 0 : 1, w->now);
	else if (how == 1)
		ret = lsc_task_requeue(&w->eng, t, rn(p, 2), w->now);
	else
		ret = lsc_task_stopped(&w->eng, t, w->now);
	p->reporting = NULL;
	return ret;
}

/* Complete, requeue or confirm the stop of @t; a stop decides the end. */
static void op_end(struct prop *p, struct lsc_task *t, int how)
{
	struct world *w = p->w;
	u32 stopping = t->state == LSC_TASK_STOPPING, why = t->stop_reason;
	u32 retries = t->retries;

	if (report_end(p, t, how)) {
		w->violation = "the end of a task on an agent refused";
		return;
	}
	if (!stopping)
		return;
	if ((why == LSC_STOP_CANCEL && t->state != LSC_TASK_CANCELLED) ||
	    (why == LSC_STOP_TIMEOUT && (t->state != LSC_TASK_FAILED ||
					 t->reason != LSC_FAIL_TIMEOUT)) ||
	    (why == LSC_STOP_AGENT_LOST &&
	     (retries ? t->state != LSC_TASK_RUNNABLE ||
			t->retries != retries - 1 :
			t->state != LSC_TASK_FAILED ||
			t->reason != LSC_FAIL_AGENT_LOST)))
		w->violation = "a stopped task did not end as its stop says";
}

/* Cancel or stop: what may run stops, what never ran ends at once. */
static void op_stop(struct prop *p, struct lsc_task *t, bool cancel)
{
	struct world *w = p->w;
	u32 was = t->state, reason = rn(p, 8) ? LSC_STOP_TIMEOUT :
				     rn(p, 2) ? LSC_STOP_CANCEL :
				     LSC_STOP_AGENT_LOST;
	bool may = ref_may_run(p, t, was) && was != LSC_TASK_STOPPING;
	int want, ret;

	if (cancel) {
		want = was == LSC_TASK_STOPPING ? -LSC_EBUSY :
		       was == LSC_TASK_NEW || lsc_task_terminal(was) ?
		       -LSC_EINVAL : 0;
		ret = lsc_task_cancel(&w->eng, t, w->now);
		reason = LSC_STOP_CANCEL;
	} else {
		want = reason == LSC_STOP_AGENT_LOST ? -LSC_EINVAL :
		       was == LSC_TASK_STOPPING ? -LSC_EBUSY :
		       may ? 0 : -LSC_EINVAL;
		ret = lsc_task_stop(&w->eng, t, reason, w->now);
	}
	if (ret != want)
		w->violation = "cancel or stop: wrong decision";
	else if (ret && t->state != was)
		w->violation = "a refused cancel or stop changed the task";
	else if (!ret && may && (t->state != LSC_TASK_STOPPING ||
				 t->stop_reason != reason))
		w->violation = "a task that may run did not become STOPPING";
	else if (!ret && !may && t->state != LSC_TASK_CANCELLED)
		w->violation = "a task that never ran was not cancelled at once";
}

/* The agent confirms a freeze or a thaw (or one it was never asked for). */
static void op_confirm(struct prop *p, bool thaw)
{
	struct world *w = p->w;
	struct lsc_task *t = NULL;
	u32 i, start, was;
	bool asked;
	int ret;

	if (!w->nr_tasks)
		return;
	start = rn(p, w->nr_tasks);
	for (i = 0; i < w->nr_tasks && !t; i++) {
		u32 j = (start + i) % w->nr_tasks;

		if (thaw ? w->thawing[j] : w->freezing[j])
			t = &w->tasks[j];
	}
	if (!t || !rn(p, 10))
		t = &w->tasks[start];
	asked = thaw ? w->thawing[task_index(w, t)] :
		w->freezing[task_index(w, t)];
	was = t->state;
	ret = thaw ? lsc_task_thawed(&w->eng, t, w->now) :
	       lsc_task_frozen(&w->eng, t, w->now);
	if (ret != (asked ? 0 : -LSC_EINVAL))
		w->violation = "a freeze or thaw confirmation: wrong decision";
	else if (!asked && t->state != was)
		w->violation = "a late confirmation changed the task";
	else if (asked && t->state !=
		 (thaw ? LSC_TASK_RUNNING : LSC_TASK_FROZEN))
		w->violation = "a confirmed freeze or thaw did not take";
	if (asked)
		p->nr_confirms++;
	else
		p->nr_late++;
}

/* The agent fetches an ASSIGNED task (or gives it back, unfetched). */
static void op_pin(struct prop *p, struct lsc_task *t)
{
	int i = task_index(p->w, t);

	p->pinned[i] = !p->pinned[i];
	if (p->pinned[i])
		t->flags |= LSC_TASK_F_PINNED;
	else
		t->flags &= ~LSC_TASK_F_PINNED;
}

#define ON_AGENT	((1U << LSC_TASK_ASSIGNED) | (1U << LSC_TASK_RUNNING) | \
			 (1U << LSC_TASK_FROZEN) | (1U << LSC_TASK_STOPPING))

static void one_op(struct prop *p)
{
	struct world *w = p->w;
	struct lsc_task *t;
	u32 r = rn(p, 128);

	w->now += rn(p, 3) * SEC / 2;
	p->idle = false;
	if (p->budget && !rn(p, 6)) {
		p->nr_pending_calls++;
		p->idle = !lsc_propagate_pending(&w->eng, 1 + rn(p, 3));
		if (!p->idle)
			p->nr_pending_busy++;
		return;
	}
	if (p->rekey_budget && !rn(p, 4)) {
		p->nr_pending_calls++;
		if (lsc_rekey_step(&w->eng, 1 + rn(p, 3)))
			p->nr_pending_busy++;
		return;
	}
	if (p->preempt && !rn(p, 3)) {
		/* Agents that start and confirm, then the kernel's dispatch. */
		t = pick_task(p, 1U << LSC_TASK_ASSIGNED);
		if (t && rn(p, 2) && lsc_task_start(&w->eng, t, w->now))
			w->violation = "start of an ASSIGNED task refused";
		else
			op_confirm(p, rn(p, 2));
		if (!w->violation)
			op_dispatch(p);
		return;
	}
	if (r < 30) {
		op_submit(p);
	} else if (r < 52) {
		op_dispatch(p);
	} else if (r < 62) {
		t = pick_task(p, 1U << LSC_TASK_ASSIGNED);
		if (t && lsc_task_start(&w->eng, t, w->now))
			w->violation = "start of an ASSIGNED task refused";
	} else if (r < 78) {
		/* A frozen task seldom ends (it cannot, unless killed). */
		t = pick_task(p, rn(p, 4) ? ON_AGENT &
				~(1U << LSC_TASK_FROZEN) : ON_AGENT);
		if (t)
			op_end(p, t, 0);
	} else if (r < 80) {
		t = pick_task(p, ON_AGENT);
		if (t)
			op_end(p, t, 1);
	} else if (r < 84) {
		t = pick_task(p, 1U << LSC_TASK_STOPPING);
		if (t)
			op_end(p, t, 2);
	} else if (r < 87) {
		t = pick_task(p, rn(p, 4) ? ON_AGENT |
				(1U << LSC_TASK_QUEUED) |
				(1U << LSC_TASK_RUNNABLE) : ~0U);
		if (t)
			op_stop(p, t, true);
	} else if (r < 89) {
		t = pick_task(p, ON_AGENT | (1U << LSC_TASK_RUNNABLE));
		if (t)
			op_stop(p, t, false);
	} else if (r < 92) {
		t = pick_task(p, 1U << LSC_TASK_ASSIGNED);
		if (t)
			op_pin(p, t);
	} else if (r < 102) {
		op_confirm(p, false);
	} else if (r < 110) {
		op_confirm(p, true);
	} else if (r < 118) {
		op_agent(p);
	} else if (r < 120) {
		op_balance(p);
	} else if (r < 122) {
		lsc_set_policy(&w->eng, rn(p, LSC_POLICY_NR));
	} else if (r < 124) {
		if (lsc_user_set_limit(&w->eng, &w->users[rn(p, P_USERS)],
				       rn(p, 4)))
			w->violation = "limit of a registered user refused";
	} else if (r < 126) {
		op_tunables(p);
	} else {
		lsc_set_agent_choice(&w->eng, rn(p, LSC_CHOOSE_NR));
	}
	/* Half the time, dispatch after the event, as the kernel does. */
	if (r >= 52 && !w->violation && rn(p, 2))
		op_dispatch(p);
}

static struct prop *prop_new(u64 seed, enum prop_mode mode)
{
	static const u32 depth[] = { 64, 1000, 2, 0 };
	struct prop *p = calloc(1, sizeof(*p));
	u64 host[LSC_NR_RES] = { 24000, 32 * GB, 4, 64 * GB };
	struct lsc_tunables tun;
	u32 i;

	p->w = world_new();
	p->rng = seed * 0x9E3779B97F4A7C15ULL + 1;
	memcpy(p->host, host, sizeof(host));
	lsc_set_host_capacity(&p->w->eng, host);
	p->w->on_assign = on_assign;
	p->w->on_changed = on_changed;
	p->w->on_freeze = on_freeze;
	p->w->on_thaw = on_thaw;
	p->w->on_migrate = on_migrate;
	lsc_default_tunables(&tun);
	/* Report ages of a few intervals, not all stale at once. */
	tun.load_interval_ns = (1 + rn(p, 8)) * SEC / 16;
	tun.backfill_depth = depth[rn(p, 4)];
	tun.dag_rank = rn(p, 2);
	lsc_set_tunables(&p->w->eng, &tun);
	for (i = 0; i < P_USERS; i++)
		lsc_user_set_limit(&p->w->eng, &p->w->users[i],
				   rn(p, 3) ? 0 : 1 + rn(p, 3));
	if (mode == MODE_PROPAGATION) {
		p->budget = 1 + rn(p, 2);
		lsc_set_propagation_budget(&p->w->eng, p->budget);
	}
	p->preempt = mode == MODE_PREEMPT;
	if (mode == MODE_REKEY) {
		p->rekey_budget = 1 + rn(p, 3);
		lsc_set_rekey_budget(&p->w->eng, p->rekey_budget);
	}
	return p;
}

/* With PROP_DUMP set: the world, for a seed that failed. */
static void dump(struct prop *p, const char *err)
{
	struct world *w = p->w;
	struct lsc_engine *eng = &w->eng;
	u32 i;

	if (!getenv("PROP_DUMP"))
		return;
	fprintf(stderr, "%s: now %llu policy %u kpolicy %u depth %u rank %u resv task %lld agent %d at %llu stale %llu\n",
		err, (unsigned long long)w->now, eng->policy, eng->kpolicy,
		eng->tun.backfill_depth, eng->tun.dag_rank,
		eng->resv_task ? (long long)eng->resv_task->id : -1LL,
		eng->resv_agent ? (int)eng->resv_agent->id : -1,
		(unsigned long long)eng->resv_ns,
		(unsigned long long)eng->nr_stale);
	for (i = 0; i < P_AGENTS; i++) {
		struct lsc_agent *a = &w->agents[i];

		if (!a->registered)
			continue;
		fprintf(stderr, " agent %u health %u slots %u/%u frozen %u (cpu %llu mem %llu) freezing %u for %lld cap %llu/%llu/%llu/%llu used %llu/%llu tags %llx slot %u\n",
			a->id, a->health, a->used_slots, a->slots,
			a->nr_frozen, (unsigned long long)a->frozen[0],
			(unsigned long long)(a->frozen[1] / GB),
			a->nr_freezing,
			a->preempt_for ? (long long)a->preempt_for->id : -1LL,
			(unsigned long long)a->cap[0],
			(unsigned long long)(a->cap[1] / GB),
			(unsigned long long)a->cap[2],
			(unsigned long long)(a->cap[3] / GB),
			(unsigned long long)a->committed[0],
			(unsigned long long)(a->committed[1] / GB),
			(unsigned long long)a->tags, a->cls->slot);
	}
	for (i = 0; i < w->nr_tasks; i++) {
		struct lsc_task *t = &w->tasks[i];

		if (t->state != LSC_TASK_RUNNABLE && !on_agent_state(t->state))
			continue;
		fprintf(stderr, " task %llu %s flags %x start %llu prio %u user %ld lim %u/%u dem %llu/%llu/%llu/%llu tags %llx est %llu arr %llu part %u mask %llx q %u key %llx agent %d\n",
			(unsigned long long)t->id, lsc_task_state_name(t->state),
			t->flags, (unsigned long long)t->start_ns / SEC,
			t->prio, (long)(t->user - w->users),
			(unsigned)t->user->nr_active, t->user->max_active,
			(unsigned long long)t->demand[0],
			(unsigned long long)(t->demand[1] / GB),
			(unsigned long long)t->demand[2],
			(unsigned long long)(t->demand[3] / GB),
			(unsigned long long)t->tags,
			(unsigned long long)t->est_ns / SEC,
			(unsigned long long)t->arrival_ns / SEC,
			t->part, (unsigned long long)eng->parts[t->part & 127].mask,
			t->qwhere, (unsigned long long)t->qkey,
			t->agent ? (int)t->agent->id : -1);
	}
}

/* What the seeds of one test did, summed. */
struct prop_sum {
	struct lsc_stats st;
	u32 busy;
	u64 live_idle, live_partial;
	u32 shared, limited;
	u64 rekeys, rekeyed, overruns;
	u64 preemptions, freezes, frozen, thaws, stops;
	u64 fences, late, confirms, round_checks, thaw_checks;
	u64 claim_checks, frozen_waits;
	u64 decayed, balance_moves;
};

static const char *run_seed(u64 seed, u32 ops, struct prop_sum *sum,
			    enum prop_mode mode)
{
	struct prop *p = prop_new(seed, mode);
	struct world *w = p->w;
	struct lsc_stats *st = &sum->st;
	const char *err = NULL;
	u32 i;
	int k;

	g_cur = p;
	for (i = 0; i < ops && !err; i++) {
		one_op(p);
		err = check(p);
	}
	if (err)
		dump(p, err);
	/* Finish pending re-queueing, then dispatch once more. */
	for (i = 0; p->rekey_budget && !err && i < 100000; i++) {
		if (!lsc_rekey_step(&w->eng, 1 + rn(p, 3)))
			break;
		err = check(p);
	}
	if (!err && (w->eng.nr_stale || w->eng.rekey_again))
		err = "re-queueing never finished";
	if (!err) {
		op_dispatch(p);
		err = check(p);
	}
	/* Cancel what is left, confirm the stops: every task ends once. */
	for (i = 0; i < w->nr_tasks && !err; i++) {
		struct lsc_task *t = &w->tasks[i];

		u32 tries;

		/* A fenced one may come back RUNNABLE: cancel it again. */
		for (tries = 0; tries < 3 && !err &&
		     t->state != LSC_TASK_NEW && !lsc_task_terminal(t->state);
		     tries++) {
			if (t->state != LSC_TASK_STOPPING)
				lsc_task_cancel(&w->eng, t, w->now);
			if (t->state == LSC_TASK_STOPPING && report_end(p, t, 2))
				err = "a stop confirmation refused";
			if (!err)
				err = w->violation;
		}
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
	for (i = 0; i < LSC_NR_PARTS && !err; i++)
		if (w->eng.parts[i].used)
			err = "a partition outlived its tasks";
	for (i = 0; i < P_AGENTS && !err; i++) {
		struct lsc_agent *a = &w->agents[i];

		if (!a->registered)
			continue;
		if (a->used_slots || a->nr_frozen || a->nr_freezing ||
		    a->nr_preemptible || a->preempt_for)
			err = "an agent kept tasks or a round after they ended";
		else if (lsc_agent_remove(&w->eng, a, w->now))
			err = "agent removal failed";
	}
	if (!err && !lsc_list_empty(&w->eng.thaw_check))
		err = "agents left to thaw without agents";
	for (k = 0; k < LSC_NR_RES && !err; k++)
		if (w->eng.reserved[k])
			err = "ledger not empty after removing every agent";
	if (!err && (w->eng.up_slots || w->eng.ready_slots))
		err = "slots still up or ready without agents";
	for (i = 0; i < P_USERS && !err; i++)
		if (lsc_user_remove(&w->eng, &w->users[i]))
			err = "user still holds tasks";
	st->assigned += w->eng.stats.assigned;
	st->backfilled += w->eng.stats.backfilled;
	st->migrations += w->eng.stats.migrations;
	st->requeues += w->eng.stats.requeues;
	st->submitted += w->eng.stats.submitted;
	st->passed += w->eng.stats.passed;
	for (k = 0; k < LSC_TASK_NR_STATES; k++)
		st->transitions[k][LSC_TASK_FAILED] +=
			w->eng.stats.transitions[k][LSC_TASK_FAILED];
	st->dispatches += p->nr_backfill_checks;
	sum->busy += p->nr_pending_busy;
	sum->live_idle += p->nr_live_idle;
	sum->live_partial += p->nr_live_partial;
	sum->shared += p->nr_shared;
	sum->limited += p->nr_limited_seen;
	sum->rekeys += w->eng.stats.rekeys;
	sum->rekeyed += w->eng.stats.rekeyed;
	sum->overruns += w->eng.stats.overruns;
	sum->preemptions += w->eng.stats.preemptions;
	sum->freezes += w->eng.stats.freezes;
	sum->frozen += w->eng.stats.frozen;
	sum->thaws += w->eng.stats.thaws;
	sum->stops += w->eng.stats.stops;
	sum->fences += p->nr_fences;
	sum->late += p->nr_late;
	sum->confirms += p->nr_confirms;
	sum->round_checks += p->nr_round_checks;
	sum->thaw_checks += p->nr_thaw_checks;
	sum->claim_checks += p->nr_claim_checks;
	sum->frozen_waits += p->nr_frozen_waits;
	sum->decayed += p->nr_decayed;
	sum->balance_moves += p->nr_balance_moves;
	free(w);
	free(p);
	g_cur = NULL;
	return err;
}

static void run_seeds(struct __test_metadata *_metadata, const char *what,
		      enum prop_mode mode, struct prop_sum *sum)
{
	const char *err;
	u64 seed, failed = 0;
	int k;

	memset(sum, 0, sizeof(*sum));
	for (seed = 1; seed <= 3000; seed++) {
		/* PROP_SEED=N runs seed N alone (with PROP_DUMP: the world). */
		if (getenv("PROP_SEED") &&
		    seed != strtoull(getenv("PROP_SEED"), NULL, 0))
			continue;
		err = run_seed(seed, 300, sum, mode);
		if (err)
			TH_LOG("%s: seed %llu: %s", what,
			       (unsigned long long)seed, err);
		ASSERT_EQ(NULL, err);
	}
	for (k = 0; k < LSC_TASK_NR_STATES; k++)
		failed += sum->st.transitions[k][LSC_TASK_FAILED];
	TH_LOG("%s: 3000 seeds x 300 ops: %llu submitted, %llu assignments, %llu backfilled (%llu head checks), %llu passed, %llu migrations, %llu requeues, %llu failed",
	       what, (unsigned long long)sum->st.submitted,
	       (unsigned long long)sum->st.assigned,
	       (unsigned long long)sum->st.backfilled,
	       (unsigned long long)sum->st.dispatches,
	       (unsigned long long)sum->st.passed,
	       (unsigned long long)sum->st.migrations,
	       (unsigned long long)sum->st.requeues,
	       (unsigned long long)failed);
	TH_LOG("%s: liveness checked on %llu idle and %llu partly used agents; %u tasks of users at their limit; shared partition in %u dispatches; %llu re-queueings moved %llu tasks; %llu overruns; %u calls left work",
	       what, (unsigned long long)sum->live_idle,
	       (unsigned long long)sum->live_partial, sum->limited,
	       sum->shared, (unsigned long long)sum->rekeys,
	       (unsigned long long)sum->rekeyed,
	       (unsigned long long)sum->overruns, sum->busy);
	TH_LOG("%s: %llu migrations by balance passes checked, %llu decayed load reports checked",
	       what, (unsigned long long)sum->balance_moves,
	       (unsigned long long)sum->decayed);
	TH_LOG("%s: %llu freeze rounds, %llu freezes (%llu confirmed), %llu thaws (%llu checked), %llu reservations of preempting heads checked, %llu assignments beside a frozen task's claim, %llu frozen tasks that fit kept frozen, %llu stops, %llu fences, %llu confirmations and %llu late or unasked ones",
	       what, (unsigned long long)sum->preemptions,
	       (unsigned long long)sum->freezes,
	       (unsigned long long)sum->frozen,
	       (unsigned long long)sum->thaws,
	       (unsigned long long)sum->thaw_checks,
	       (unsigned long long)sum->round_checks,
	       (unsigned long long)sum->claim_checks,
	       (unsigned long long)sum->frozen_waits,
	       (unsigned long long)sum->stops,
	       (unsigned long long)sum->fences,
	       (unsigned long long)sum->confirms,
	       (unsigned long long)sum->late);
}

TEST(random_ops_never_overcommit_and_every_task_ends_once)
{
	struct prop_sum sum;

	run_seeds(_metadata, "plain", MODE_PLAIN, &sum);
	/* The random mix must exercise the interesting paths. */
	ASSERT_LT(1000, sum.st.backfilled);
	ASSERT_LT(100, sum.st.migrations);
	/* Migrations by balance passes checked as such, stale reports. */
	ASSERT_LT(100, sum.balance_moves);
	ASSERT_LT(1000, sum.decayed);
	ASSERT_LT(1000, sum.st.requeues);
	ASSERT_LT(100000, sum.live_idle);
	ASSERT_LT(10000, sum.live_partial);
	ASSERT_LT(10000, sum.limited);
	ASSERT_LT(1000, sum.st.passed);
	ASSERT_LT(1000, sum.rekeyed);
	ASSERT_EQ(0, sum.shared);
	/* Preemption, stops and fences are exercised too. */
	ASSERT_LT(1000, sum.preemptions);
	ASSERT_LT(1000, sum.frozen);
	ASSERT_LT(300, sum.thaws);
	ASSERT_LT(1000, sum.round_checks);
	ASSERT_LT(1000, sum.stops);
	ASSERT_LT(1000, sum.fences);
	ASSERT_LT(1000, sum.late);
}

/*
 * The same with a propagation budget of 1 or 2 edges, denser dependency
 * graphs and lsc_propagate_pending() calls of 1 to 3 edges among the
 * operations: every invariant holds between any two calls, except that a
 * dependent may wait on a failed dependency while propagation is pending.
 */
TEST(random_ops_with_bounded_propagation)
{
	struct prop_sum sum;

	run_seeds(_metadata, "bounded propagation", MODE_PROPAGATION, &sum);
	ASSERT_LT(1000, sum.st.requeues);
	/* Operations did run while propagation was pending. */
	ASSERT_LT(1000, sum.busy);
}

/*
 * The same with re-queueing (policy switches, tunables, new agent classes,
 * user limits) a budget of 1 to 3 tasks per call, and lsc_rekey_step()
 * calls among the operations: every invariant holds between any two
 * calls; liveness whenever no re-queueing is pending.
 */
TEST(random_ops_with_bounded_requeueing)
{
	struct prop_sum sum;

	run_seeds(_metadata, "bounded re-queueing", MODE_REKEY, &sum);
	ASSERT_LT(1000, sum.rekeyed);
	ASSERT_LT(1000, sum.busy);
	ASSERT_LT(100000, sum.live_idle);
}

/*
 * The same with 8 priorities, most tasks preemptible, and agents that
 * start tasks and confirm freezes and thaws more often (each then
 * followed by a dispatch): freeze rounds, frozen holdings, the CPU and
 * slot kept for frozen tasks, thaw order and thaws held back by a head,
 * with every invariant of the plain run.
 */
TEST(random_ops_with_preemption)
{
	struct prop_sum sum;

	run_seeds(_metadata, "preemption", MODE_PREEMPT, &sum);
	ASSERT_LT(4000, sum.preemptions);
	ASSERT_LT(3000, sum.frozen);
	ASSERT_LT(1500, sum.thaws);
	ASSERT_LT(4000, sum.round_checks);
	ASSERT_LT(50, sum.claim_checks);
	ASSERT_LT(500, sum.frozen_waits);
	ASSERT_LT(1000, sum.fences);
	ASSERT_LT(100000, sum.live_idle);
}

TEST_HARNESS_MAIN
