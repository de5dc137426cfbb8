// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched engine: load imbalance and migration.
 *
 * The imbalance is the sum over pairs of UP agents of their load
 * difference, read off the load index in O(n); balancing moves ASSIGNED
 * tasks (never RUNNING or pinned ones) from the most loaded agents to the
 * least loaded ones they fit, each move lowering the larger of the two
 * loads.
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

static bool lsc_balanced(const struct lsc_engine *eng)
{
	u64 n = eng->loads.count;

	if (n < 2)
		return true;
	return lsc_imbalance(eng) <=
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

/* Least loaded agent other than @src that @t fits now. */
static struct lsc_agent *lsc_pick_least(struct lsc_engine *eng,
					const struct lsc_task *t,
					const struct lsc_agent *src)
{
	u32 choice = eng->choice;
	struct lsc_agent *a;

	eng->choice = LSC_CHOOSE_LEAST_LOADED;
	a = lsc_pick_agent(eng, t, lsc_task_mask(eng, t), src);
	eng->choice = choice;
	return a;
}

/* Try one migration away from @src; true if a task moved. */
static bool lsc_migrate_one(struct lsc_engine *eng, struct lsc_agent *src,
			    u64 now)
{
	struct lsc_agent *dst;
	struct lsc_task *t;
	struct lsc_list *l;

	for (l = src->tasks.next; l != &src->tasks; l = l->next) {
		t = task_of_alink(l);
		if (t->state != LSC_TASK_ASSIGNED ||
		    (t->flags & LSC_TASK_F_PINNED))
			continue;
		dst = lsc_pick_least(eng, t, src);
		if (!dst || lsc_load_with(dst, t, true) >= src->load ||
		    lsc_load_with(src, t, false) >= src->load)
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
	u32 moved = 0, seen;
	bool progress = true;

	while (progress && moved < eng->tun.max_migrations &&
	       !lsc_balanced(eng)) {
		progress = false;
		seen = 0;
		for (n = lsc_tree_last(&eng->loads);
		     n && seen < eng->tun.agent_scan;
		     n = lsc_tree_prev(n), seen++) {
			if (lsc_migrate_one(eng, agent_of_lnode(n), now)) {
				moved++;
				progress = true;
				break;
			}
		}
	}
	return moved;
}
