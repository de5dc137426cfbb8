// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched engine: load imbalance and migration.
 *
 * The imbalance is the sum over pairs of UP agents of their load
 * difference, read off the load index in O(n).  Balancing moves tasks
 * that have not started (ASSIGNED, not pinned; never RUNNING ones) from
 * the most loaded agents to the least loaded ones that can hold them.
 * Loads are estimates between two measurements (see ledger.c): a move
 * shifts the CPU share of the task from one agent to the other, so the
 * engine can tell what a move does before the next report says so.  A
 * move is made only when it lowers the larger of the two loads and the
 * imbalance itself; each move lowers the imbalance strictly, so a pass
 * cannot undo its own moves, and a pass without a new report or a change
 * of the tasks finds nothing more to do.  The walk that computes the
 * imbalance before a move also ranks the agents with the sums of the
 * loads below them, so that what a candidate move changes is read off
 * the index in O(log n).
 */
#include "internal.h"

u64 lsc_imbalance(const struct lsc_engine *eng)
{
	const struct lsc_node *n;
	s64 sum = 0, n_agents = eng->loads.count, k = 0;

	for (n = lsc_tree_first(&eng->loads); n; n = lsc_tree_next(n), k++)
		sum += (s64)agent_of_lnode(n)->load * (2 * k - n_agents + 1);
	return sum > 0 ? (u64)sum : 0;
}

/*
 * lsc_imbalance(), and for every agent of the load index its rank and the
 * sum of the loads before it, with their total: what lsc_abs_sum() reads
 * until a load changes.  O(n).
 */
u64 lsc_loads_rank(struct lsc_engine *eng)
{
	struct lsc_node *n;
	struct lsc_agent *a;
	s64 sum = 0, n_agents = eng->loads.count;
	u64 below = 0;
	u32 k = 0;

	for (n = lsc_tree_first(&eng->loads); n; n = lsc_tree_next(n), k++) {
		a = agent_of_lnode(n);
		a->load_rank = k;
		a->load_below = below;
		below += a->load;
		sum += (s64)a->load * (2 * (s64)k - n_agents + 1);
	}
	eng->load_sum = below;
	return sum > 0 ? (u64)sum : 0;
}

static bool lsc_balanced(struct lsc_engine *eng)
{
	u64 n = eng->loads.count;

	if (n < 2)
		return true;
	return lsc_loads_rank(eng) <=
	       (u64)eng->tun.balance_threshold * (n * (n - 1) / 2);
}

/* Load @a would have with @t's demand added (@add) or removed. */
static u32 lsc_load_with(const struct lsc_agent *a, const struct lsc_task *t,
			 bool add)
{
	u64 c[LSC_NR_RES];
	int k;

	for (k = 0; k < LSC_NR_RES; k++)
		c[k] = add ? a->committed[k] + t->demand[k] :
			     a->committed[k] - t->demand[k];
	return lsc_load_of(a, c);
}

/*
 * Least loaded agent other than @src that @t fits now, passing over the
 * blocked head's reserved agent, which keeps what it will free: the next
 * one may still take @t.
 */
static struct lsc_agent *lsc_pick_least(struct lsc_engine *eng,
					const struct lsc_task *t,
					const struct lsc_agent *src)
{
	u32 choice = eng->choice;
	struct lsc_agent *a;

	eng->choice = LSC_CHOOSE_LEAST_LOADED;
	a = lsc_pick_agent(eng, t, lsc_task_mask(eng, t), src,
			   eng->resv_agent);
	eng->choice = choice;
	return a;
}

static s64 lsc_absdiff(s64 a, s64 b)
{
	return a > b ? a - b : b - a;
}

static int lsc_load_key(const struct lsc_node *n, const void *key,
			const void *ctx)
{
	return agent_of_lnode(n)->load > *(const u32 *)key;
}

/*
 * Sum over the agents of the load index of |@x - L_k|: with the c loads
 * at most @x summing to P (read off the last of them, the index being in
 * load order) and all n summing to S, x * c - P + (S - P) - x * (n - c).
 * As of the last lsc_loads_rank().  O(log n) expected.
 */
static s64 lsc_abs_sum(const struct lsc_engine *eng, u32 x)
{
	const struct lsc_node *n;
	const struct lsc_agent *a;
	s64 c = 0, p = 0, all = eng->loads.count;

	n = lsc_tree_find_last(&eng->loads, lsc_load_key, &x, NULL);
	if (n) {
		a = agent_of_lnode(n);
		c = (s64)a->load_rank + 1;
		p = (s64)(a->load_below + a->load);
	}
	return (s64)x * c - p + ((s64)eng->load_sum - p) -
	       (s64)x * (all - c);
}

/* Sum of |@x - L_k| over the agents of the load index but @s and @d. */
static s64 lsc_abs_sum_others(const struct lsc_engine *eng, u32 x,
			      const struct lsc_agent *s,
			      const struct lsc_agent *d)
{
	s64 sum = lsc_abs_sum(eng, x);

	if (lsc_node_linked(&s->lnode))
		sum -= lsc_absdiff(x, s->load);
	if (lsc_node_linked(&d->lnode))
		sum -= lsc_absdiff(x, d->load);
	return sum;
}

/*
 * Change of the imbalance if @s's load became @ls and @d's @ld, all other
 * loads as they are: the pair itself, then the pairs with a third agent,
 * from the sums of distances to all of them.  As of the last
 * lsc_loads_rank().  O(log n) expected.
 */
s64 lsc_imbalance_delta(const struct lsc_engine *eng,
			const struct lsc_agent *s, u32 ls,
			const struct lsc_agent *d, u32 ld)
{
	return lsc_absdiff(ls, ld) - lsc_absdiff(s->load, d->load) +
	       lsc_abs_sum_others(eng, ls, s, d) -
	       lsc_abs_sum_others(eng, s->load, s, d) +
	       lsc_abs_sum_others(eng, ld, s, d) -
	       lsc_abs_sum_others(eng, d->load, s, d);
}

/*
 * Try one migration away from @src, looking at no more than *@budget
 * candidate tasks (each one spent); true if a task moved.
 */
static bool lsc_migrate_one(struct lsc_engine *eng, struct lsc_agent *src,
			    u32 *budget, u64 now)
{
	struct lsc_agent *dst;
	struct lsc_task *t;
	struct lsc_list *l;
	u32 ls, ld;

	for (l = src->tasks.next; l != &src->tasks && *budget;
	     l = l->next) {
		t = task_of_alink(l);
		if (t->state != LSC_TASK_ASSIGNED ||
		    (t->flags & LSC_TASK_F_PINNED))
			continue;
		(*budget)--;
		dst = lsc_pick_least(eng, t, src);
		if (!dst)
			continue;
		ls = lsc_load_with(src, t, false);
		ld = lsc_load_with(dst, t, true);
		if (ls >= src->load || ld >= src->load ||
		    lsc_imbalance_delta(eng, src, ls, dst, ld) >= 0)
			continue;
		lsc_agent_give(eng, t);
		src->nr_migrated_out++;
		lsc_agent_take(eng, dst, t, now);
		eng->stats.migrations++;
		if (eng->ops && eng->ops->task_migrated)
			eng->ops->task_migrated(eng, t, src, dst);
		return true;
	}
	return false;
}

u32 lsc_balance(struct lsc_engine *eng, u64 now)
{
	struct lsc_node *n;
	u32 moved = 0, seen, budget;
	bool progress = true;

	lsc_loads_refresh(eng, now);
	while (progress && moved < eng->tun.max_migrations &&
	       !lsc_balanced(eng)) {
		progress = false;
		seen = 0;
		/*
		 * Each source its own budget: the most loaded agent's tasks
		 * that no other agent can hold must not use up the pass
		 * before a less loaded source whose tasks can move.
		 */
		for (n = lsc_tree_last(&eng->loads);
		     n && seen < eng->tun.agent_scan;
		     n = lsc_tree_prev(n), seen++) {
			budget = eng->tun.agent_scan;
			if (lsc_migrate_one(eng, agent_of_lnode(n), &budget,
					    now)) {
				moved++;
				progress = true;
				break;
			}
		}
	}
	return moved;
}
