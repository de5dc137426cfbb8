// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched engine: dependencies.
 *
 * Downward, the end of a task resolves the edges of its dependents: they
 * become RUNNABLE (last dependency succeeded) or fail (dep-failed), and so
 * on transitively, through an intrusive work stack, within a budget per
 * call when one is set.  Upward, the submission of a task raises the
 * upward rank (remaining critical path over estimates) of the unfinished
 * tasks it depends on, transitively, within LSC_RANK_EDGES edges.
 */
#include "internal.h"

/* Resolve the unresolved edges of QUEUED task @t (it ends first). */
void lsc_drop_own_deps(struct lsc_task *t)
{
	u32 i;

	for (i = 0; i < t->nr_deps; i++) {
		struct lsc_dep *d = &t->deps[i];

		if (d->resolved)
			continue;
		lsc_list_del(&d->link);
		d->resolved = 1;
		d->on = NULL;
	}
	t->nr_pending = 0;
}

/*
 * Resolve up to @budget (0: all) edges of the propagation stack
 * &lsc_engine.prop, top first.  A dependent that fails goes right below the
 * task being worked on, so that the order of transitions is the same
 * depth-first order whatever the budget.  Tasks whose dependents list is
 * empty leave the stack at no cost.  Return: true while work remains.
 */
static bool lsc_prop_run(struct lsc_engine *eng, u32 budget)
{
	struct lsc_task *p, *d;
	struct lsc_dep *e;
	u32 done = 0;

	while ((p = eng->prop)) {
		if (lsc_list_empty(&p->dependents)) {
			eng->prop = p->work;
			p->work = NULL;
			p->flags &= ~LSC_TASK_F_PROPAGATING;
			continue;
		}
		if (budget && done == budget)
			return true;
		done++;
		e = dep_of_link(p->dependents.next);
		lsc_list_del(&e->link);
		e->resolved = 1;
		e->on = NULL;
		d = e->owner;
		if (LSC_WARN_ON(d->state != LSC_TASK_QUEUED))
			continue;
		if (p->state == LSC_TASK_SUCCEEDED) {
			if (--d->nr_pending)
				continue;
			lsc_rq_add(eng, d);
			lsc_set_state(eng, d, LSC_TASK_RUNNABLE,
				      LSC_FAIL_NONE);
			continue;
		}
		lsc_drop_own_deps(d);
		lsc_set_state(eng, d, LSC_TASK_FAILED, LSC_FAIL_DEP_FAILED);
		if (lsc_list_empty(&d->dependents))
			continue;
		d->flags |= LSC_TASK_F_PROPAGATING;
		d->work = p->work;
		p->work = d;
	}
	return false;
}

/*
 * @t just reached a terminal state: resolve the edges pointing at it and
 * propagate, iteratively, through the propagation stack.  Without a budget
 * all of it happens now; with one, the public call that ended @t resolves
 * a budget's worth before it returns (lsc_prop_flush()).
 */
void lsc_propagate(struct lsc_engine *eng, struct lsc_task *t)
{
	if (!lsc_list_empty(&t->dependents)) {
		t->flags |= LSC_TASK_F_PROPAGATING;
		t->work = eng->prop;
		eng->prop = t;
	}
	if (!eng->prop_budget)
		lsc_prop_run(eng, 0);
}

/* End of a public call that may have ended tasks: one budget's worth. */
void lsc_prop_flush(struct lsc_engine *eng)
{
	if (eng->prop_budget)
		lsc_prop_run(eng, eng->prop_budget);
}

void lsc_set_propagation_budget(struct lsc_engine *eng, u32 edges)
{
	eng->prop_budget = edges;
}

u32 lsc_propagate_pending(struct lsc_engine *eng, u32 budget)
{
	return lsc_prop_run(eng, budget) ? 1 : 0;
}

bool lsc_task_releasable(const struct lsc_task *t)
{
	return lsc_task_terminal(t->state) &&
	       lsc_list_empty(&t->dependents) &&
	       !(t->flags & LSC_TASK_F_PROPAGATING);
}

/* ---------------------------------------------------------------- ranks */

/*
 * @t's rank became at least @rank: raise it, and when it did, push @t on
 * the rank stack (through &lsc_task.work, free while a task is neither
 * terminal nor being propagated) unless it is there already.
 */
static void lsc_rank_raise(struct lsc_task **stack, struct lsc_task *t,
			   u64 rank)
{
	if (rank <= t->rank_ns)
		return;
	t->rank_ns = rank;
	if (t->flags & LSC_TASK_F_RANKING)
		return;
	t->flags |= LSC_TASK_F_RANKING;
	t->work = *stack;
	*stack = t;
}

/* Raise the ranks of the unfinished dependencies of @t by its own. */
static u32 lsc_rank_push_deps(struct lsc_task **stack, struct lsc_task *t)
{
	struct lsc_task *on;
	u32 i, n = 0;

	for (i = 0; i < t->nr_deps; i++) {
		on = t->deps[i].on;
		if (t->deps[i].resolved || !on || lsc_task_terminal(on->state))
			continue;
		lsc_rank_raise(stack, on, lsc_add_sat(on->est_ns, t->rank_ns));
		n++;
	}
	return n;
}

/*
 * A task @t was submitted QUEUED: the tasks it waits for have a longer
 * path ahead of them.  Ranks move up the graph while they grow, at most
 * LSC_RANK_EDGES edges; beyond that they stay lower bounds.  A RUNNABLE
 * task whose rank bucket changed is filed again when ranks order the queue.
 */
void lsc_rank_update(struct lsc_engine *eng, struct lsc_task *t)
{
	struct lsc_task *stack = NULL, *x;
	u32 edges;

	edges = lsc_rank_push_deps(&stack, t);
	while ((x = stack)) {
		stack = x->work;
		x->work = NULL;
		x->flags &= ~LSC_TASK_F_RANKING;
		if (x->state == LSC_TASK_QUEUED && edges < LSC_RANK_EDGES)
			edges += lsc_rank_push_deps(&stack, x);
		else if (x->state == LSC_TASK_RUNNABLE && eng->krank)
			lsc_rq_refile(eng, x);
	}
}
