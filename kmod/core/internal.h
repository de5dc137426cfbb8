/* SPDX-License-Identifier: GPL-2.0 */
/*
 * llmsched engine: declarations shared by the engine's files, not by its
 * callers (they include engine.h only).
 *
 * One idea per file:
 *   engine.c     the task state machine and the calls that drive it
 *   runq.c       the run queue: partitions by eligibility, per-user lanes,
 *                policy orders, re-queueing
 *   ledger.c     agents, their classes and slots, the reservation ledger,
 *                user accounts and shares
 *   deps.c       dependencies: propagation of ends, upward ranks
 *   dispatch.c   fit, agent choice, the head's reservation, backfilling and
 *                the dispatch walk
 *   balance.c    load imbalance and migration
 *   preempt.c    preemption: victims, freeze rounds, frozen holdings, thaw
 *   estimator.c  run-time estimates and MLFQ's feedback from overruns
 */
#ifndef _LSC_INTERNAL_H
#define _LSC_INTERNAL_H

#include "engine.h"

#define LSC_NS_PER_SEC		1000000000ULL

#define task_of_qnode(n)	lsc_container_of(n, struct lsc_task, qnode)
#define task_of_qlink(l)	lsc_container_of(l, struct lsc_task, qlink)
#define task_of_alink(l)	lsc_container_of(l, struct lsc_task, alink)
#define agent_of_rnode(n)	lsc_container_of(n, struct lsc_agent, rnode)
#define agent_of_enode(n)	lsc_container_of(n, struct lsc_agent, enode)
#define agent_of_lnode(n)	lsc_container_of(n, struct lsc_agent, lnode)
#define agent_of_clink(l)	lsc_container_of(l, struct lsc_agent, cls_link)
#define class_of_link(l)	lsc_container_of(l, struct lsc_class, link)
#define class_of_slink(l)	lsc_container_of(l, struct lsc_class, slink)
#define user_of_link(l)		lsc_container_of(l, struct lsc_user, link)
#define dep_of_link(l)		lsc_container_of(l, struct lsc_dep, link)
#define part_of_wlink(l)	lsc_container_of(l, struct lsc_part, wlink)

/*
 * &lsc_task.qwhere: where a RUNNABLE task is.  Visible: in its partition's
 * queue and on its user's visible list.  The others are in its user's run
 * queue: alone in the treap, heading a FIFO run (in the treap, the run's
 * other tasks on a list through &lsc_task.qlink), or in such a run.
 */
#define LSC_Q_NONE		0
#define LSC_Q_VISIBLE		1
#define LSC_Q_SINGLE		2
#define LSC_Q_HEAD		3
#define LSC_Q_MEMBER		4

/* &lsc_class.counted: what the shared slot's counters include. */
#define LSC_CLS_COUNTED_UP	0x1
#define LSC_CLS_COUNTED_READY	0x2

/* ------------------------------------------------------------ arithmetic */

static inline int lsc_cmp_u64(u64 a, u64 b)
{
	return a < b ? -1 : a > b;
}

static inline u64 lsc_add_sat(u64 a, u64 b)
{
	return a > U64_MAX - b ? U64_MAX : a + b;
}

/* @num * @scale / @den, at most @scale when @num >= @den; @den > 0. */
static inline u64 lsc_ratio(u64 num, u64 den, u64 scale)
{
	if (num >= den)
		return scale;
	if (num <= U64_MAX / scale)
		return lsc_div64_u64(num * scale, den);
	/* Large values: lose the low bits of the denominator instead. */
	return lsc_div64_u64(num, lsc_div64_u64(den, scale) + 1);
}

/*
 * @a * @b / @c, at most @max; @c > 0.  A product past 64 bits loses the
 * low bits of @b and @c alike (a relative error below 2^-31 while @a is
 * below 2^32).
 */
static inline u64 lsc_muldiv_sat(u64 a, u64 b, u64 c, u64 max)
{
	u64 q;

	while (a && b > U64_MAX / a) {
		b >>= 1;
		c >>= 1;
	}
	if (!c)
		return max;
	q = lsc_div64_u64(a * b, c);
	return q > max ? max : q;
}

/* Dominant share of @used in @cap over the kinds @cap has, per @scale. */
static inline u64 lsc_dominant(const u64 *used, const u64 *cap, u64 scale)
{
	u64 best = 0, s;
	int k;

	for (k = 0; k < LSC_NR_RES; k++) {
		if (!used[k])
			continue;
		s = cap[k] ? lsc_ratio(used[k], cap[k], scale) : scale;
		if (s > best)
			best = s;
	}
	return best;
}

static inline void lsc_vec_add(u64 *sum, const u64 *v)
{
	int k;

	for (k = 0; k < LSC_NR_RES; k++)
		sum[k] += v[k];
}

static inline void lsc_vec_sub(u64 *sum, const u64 *v)
{
	int k;

	for (k = 0; k < LSC_NR_RES; k++) {
		LSC_WARN_ON(sum[k] < v[k]);
		sum[k] -= v[k];
	}
}

/*
 * Quarter-octave bucket of @x: 4 * floor(log2 x) plus the two bits below
 * the leading one (exact below 4).  Two values in the same bucket differ
 * by less than a factor 2^(1/4), about 1.19.  0..255.
 */
static inline u32 lsc_bucket(u64 x)
{
	u32 b;

	if (x < 4)
		return (u32)x;
	b = lsc_fls64(x) - 1;
	return 4 * b + (u32)((x >> (b - 2)) & 3);
}

static inline u64 lsc_task_end(const struct lsc_task *t)
{
	return lsc_add_sat(t->start_ns, t->est_ns);
}

/* On an agent: it holds resources there. */
static inline bool lsc_state_active(u32 state)
{
	return state == LSC_TASK_ASSIGNED || state == LSC_TASK_RUNNING ||
	       state == LSC_TASK_STOPPING || state == LSC_TASK_FROZEN;
}

/* What @a has left in kind @k: its tasks hold committed + frozen. */
static inline u64 lsc_agent_free(const struct lsc_agent *a, int k)
{
	return a->cap[k] - a->committed[k] - a->frozen[k];
}

/* What @t holds on its agent: its demand, less its CPU while iced. */
static inline void lsc_task_held(const struct lsc_task *t, u64 *held)
{
	memcpy(held, t->demand, sizeof(t->demand));
	if (t->flags & LSC_TASK_F_ICED)
		held[LSC_RES_CPU] = 0;
}

/* Counted in &lsc_agent.nr_preemptible: a victim candidate. */
static inline bool lsc_task_preemptible(const struct lsc_task *t)
{
	return t->state == LSC_TASK_RUNNING &&
	       (t->flags & (LSC_TASK_F_PREEMPTIBLE | LSC_TASK_F_FREEZING)) ==
	       LSC_TASK_F_PREEMPTIBLE;
}

/* The frozen task of @a to thaw first (its list starts with them). */
static inline struct lsc_task *lsc_thaw_next(const struct lsc_agent *a)
{
	struct lsc_task *f;

	if (lsc_list_empty(&a->frozen_tasks))
		return NULL;
	f = lsc_container_of(a->frozen_tasks.next, struct lsc_task, alink);
	return f->state == LSC_TASK_FROZEN ? f : NULL;
}

/*
 * The CPU @a keeps for its first frozen task against @t (with a slot):
 * a frozen task goes before waiting tasks of lower or equal priority.
 * Returns false when nothing is kept against @t.
 */
static inline bool lsc_thaw_claim(const struct lsc_agent *a,
				  const struct lsc_task *t, u64 *cpu)
{
	const struct lsc_task *f = lsc_thaw_next(a);

	*cpu = 0;
	if (!f || f->prio < t->prio)
		return false;
	*cpu = f->demand[LSC_RES_CPU];
	return true;
}

/**
 * struct lsc_resv - reservation of the blocked head task
 * @agent: the agent it will start on
 * @at: its shadow time (expected start there)
 * @extra: what the agent will have left over at @at once the head started
 * @extra_slots: slots left over then
 */
struct lsc_resv {
	struct lsc_agent *agent;
	u64 at;
	u64 extra[LSC_NR_RES];
	u32 extra_slots;
};

static inline bool lsc_user_at_limit(const struct lsc_user *u)
{
	return u->max_active && u->nr_active >= u->max_active;
}

/* At its limit, or held behind its head by the current walk. */
static inline bool lsc_user_blocked(const struct lsc_engine *eng,
				    const struct lsc_user *u)
{
	return lsc_user_at_limit(u) || eng->held_user == u;
}

/* Does a capacity vector with these tags hold @t? */
static inline bool lsc_cap_fits(const u64 *cap, u64 tags,
				const struct lsc_task *t)
{
	int k;

	if ((t->tags & tags) != t->tags)
		return false;
	for (k = 0; k < LSC_NR_RES; k++)
		if (t->demand[k] > cap[k])
			return false;
	return true;
}

/* ---------------------------------------------------------- engine.c */

void lsc_set_state(struct lsc_engine *eng, struct lsc_task *t, u32 to,
		   u32 reason);
void lsc_finish(struct lsc_engine *eng, struct lsc_task *t, u32 to,
		u32 reason);
void lsc_requeue(struct lsc_engine *eng, struct lsc_task *t, u64 now,
		 bool failed);
void lsc_stop(struct lsc_engine *eng, struct lsc_task *t, u32 reason,
	      bool notify);
void lsc_stop_resolve(struct lsc_engine *eng, struct lsc_task *t, u64 now);

/* ------------------------------------------------------------ runq.c */

void lsc_rq_init(struct lsc_engine *eng);
void lsc_rq_add(struct lsc_engine *eng, struct lsc_task *t);
void lsc_rq_del(struct lsc_engine *eng, struct lsc_task *t);
void lsc_rq_take(struct lsc_engine *eng, struct lsc_task *t);
void lsc_rq_refile(struct lsc_engine *eng, struct lsc_task *t);
void lsc_rq_lane_advance(struct lsc_engine *eng, const struct lsc_task *t,
			 u32 part, bool was_last);
bool lsc_rq_lane_last(struct lsc_engine *eng, const struct lsc_task *t);
void lsc_rq_user_blocked(struct lsc_engine *eng, struct lsc_user *u,
			 bool blocked);
void lsc_rq_hold_user(struct lsc_engine *eng, struct lsc_user *u);
void lsc_rq_share_changed(struct lsc_engine *eng, struct lsc_user *u,
			  u32 share);
void lsc_rq_rekey_start(struct lsc_engine *eng);
void lsc_rq_rekey_user_gone(struct lsc_engine *eng, struct lsc_user *u);
struct lsc_part *lsc_walk_first(struct lsc_engine *eng);
void lsc_walk_pass(struct lsc_engine *eng, struct lsc_part *p);
void lsc_walk_out(struct lsc_engine *eng, struct lsc_part *p);
void lsc_walk_end(struct lsc_engine *eng);

/* ---------------------------------------------------------- ledger.c */

void lsc_agent_index(struct lsc_engine *eng, struct lsc_agent *a);
void lsc_agent_unindex(struct lsc_engine *eng, struct lsc_agent *a);
void lsc_agent_take(struct lsc_engine *eng, struct lsc_agent *a,
		    struct lsc_task *t, u64 now);
void lsc_agent_give(struct lsc_engine *eng, struct lsc_task *t);
void lsc_agent_link_task(struct lsc_agent *a, struct lsc_task *t);
void lsc_agent_ice(struct lsc_engine *eng, struct lsc_task *t, u64 now);
void lsc_agent_unice(struct lsc_engine *eng, struct lsc_task *t, u64 now);
u64 lsc_task_mask(const struct lsc_engine *eng, const struct lsc_task *t);
struct lsc_class *lsc_next_class(const struct lsc_engine *eng, u64 *slots,
				 const struct lsc_list **pos);
u32 lsc_load_of(const struct lsc_agent *a, const u64 *committed);
void lsc_user_update_share(struct lsc_engine *eng, struct lsc_user *u);
void lsc_user_charge(struct lsc_engine *eng, struct lsc_task *t, bool add);
void lsc_user_charge_cpu(struct lsc_engine *eng, struct lsc_task *t,
			 bool add);

/* ------------------------------------------------------------ deps.c */

void lsc_drop_own_deps(struct lsc_task *t);
void lsc_propagate(struct lsc_engine *eng, struct lsc_task *t);
void lsc_prop_flush(struct lsc_engine *eng);
void lsc_rank_update(struct lsc_engine *eng, struct lsc_task *t);

/* -------------------------------------------------------- dispatch.c */

bool lsc_fits_now(const struct lsc_agent *a, const struct lsc_task *t);
struct lsc_agent *lsc_pick_agent(const struct lsc_engine *eng,
				 const struct lsc_task *t, u64 mask,
				 const struct lsc_agent *skip,
				 const struct lsc_agent *skip2);

/* --------------------------------------------------------- balance.c */

u64 lsc_loads_rank(struct lsc_engine *eng);
s64 lsc_imbalance_delta(const struct lsc_engine *eng,
			const struct lsc_agent *s, u32 ls,
			const struct lsc_agent *d, u32 ld);

/* --------------------------------------------------------- preempt.c */

bool lsc_preempt(struct lsc_engine *eng, struct lsc_task *head, u64 mask,
		 u64 now, struct lsc_resv *r);
void lsc_preempt_detach(struct lsc_engine *eng, struct lsc_task *head);
void lsc_freeze_drop(struct lsc_engine *eng, struct lsc_task *t);
void lsc_thaw_queue(struct lsc_engine *eng, struct lsc_agent *a);
void lsc_thaw_pass(struct lsc_engine *eng, struct lsc_resv *r, u64 now);

/* ------------------------------------------------------- estimator.c */

u32 lsc_mlfq_charge(const struct lsc_user *u, const struct lsc_task *t);
void lsc_mlfq_feedback(struct lsc_engine *eng, struct lsc_task *t, u64 now);

#endif /* _LSC_INTERNAL_H */
