// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched engine: preemption by freezing.
 *
 * When the dispatch walk's head (the first task in policy order that fits
 * no agent now) could fit an UP agent if RUNNING tasks there marked
 * LSC_TASK_F_PREEMPTIBLE, of strictly lower priority, gave up their CPU and
 * their slot, the engine asks the caller to freeze them (a freeze round,
 * at most one in flight per agent) and keeps the head's reservation on
 * that agent, so that nothing behind the head takes what they free.  A
 * frozen task keeps its memory, GPUs and GPU memory (&lsc_agent.frozen):
 * its memory is still resident.  It thaws when its agent has its CPU and
 * a slot free again and no waiting task of higher priority could use
 * them: until then the walk gives no task of lower or equal priority the
 * CPU and slot that the agent's first frozen task needs, and no thaw
 * delays the head.
 *
 * Victims, on each agent: lowest priority first, then least progress
 * (latest start), then highest id, taken in that order until the head
 * fits; among agents, the one whose victims' highest priority is lowest,
 * then fewest victims, then least progress lost, then lowest id.  At most
 * LSC_FREEZE_MAX victims for one head, and an agent holds at most as many
 * frozen tasks as it has slots.
 */
#include "internal.h"

/* Victim order: lower priority, then later start (less progress), id. */
static bool lsc_victim_before(const struct lsc_task *a,
			      const struct lsc_task *b)
{
	if (a->prio != b->prio)
		return a->prio < b->prio;
	if (a->start_ns != b->start_ns)
		return a->start_ns > b->start_ns;
	return a->id > b->id;
}

/**
 * struct lsc_plan - the victims that would make room for a head on an agent
 * @agent: the agent, NULL for no plan
 * @victim: the victims, in victim order
 * @n: their number
 * @top_prio: the highest priority among them
 * @progress: the time they ran so far, summed
 */
struct lsc_plan {
	struct lsc_agent *agent;
	struct lsc_task *victim[LSC_FREEZE_MAX];
	u32 n;
	u32 top_prio;
	u64 progress;
};

static bool lsc_plan_better(const struct lsc_plan *a,
			    const struct lsc_plan *b)
{
	if (!b->agent)
		return true;
	if (a->top_prio != b->top_prio)
		return a->top_prio < b->top_prio;
	if (a->n != b->n)
		return a->n < b->n;
	if (a->progress != b->progress)
		return a->progress < b->progress;
	return a->agent->id < b->agent->id;
}

/*
 * The victims on @a that let @head fit there, in victim order, as few as
 * that order allows.  False when @head fits now, or no such victims are
 * there.  Their memory stays held: every kind but CPU must fit already.
 * O(LSC_FREEZE_MAX * slots).
 */
static bool lsc_plan_on(struct lsc_agent *a, const struct lsc_task *head,
			u64 now, struct lsc_plan *pl)
{
	u64 free_cpu = lsc_agent_free(a, LSC_RES_CPU), claim;
	bool need_slot = a->used_slots >= a->slots;
	const struct lsc_task *last = NULL, *v;
	struct lsc_task *best;
	struct lsc_list *l;
	int k;

	if (a->health != LSC_AGENT_UP || a->nr_freezing ||
	    !a->nr_preemptible || (head->tags & a->tags) != head->tags ||
	    lsc_thaw_claim(a, head, &claim))
		return false;
	for (k = 0; k < LSC_NR_RES; k++)
		if (k != LSC_RES_CPU && head->demand[k] > lsc_agent_free(a, k))
			return false;
	if (!need_slot && head->demand[LSC_RES_CPU] <= free_cpu)
		return false;
	pl->agent = a;
	pl->n = 0;
	pl->top_prio = 0;
	pl->progress = 0;
	while (need_slot || head->demand[LSC_RES_CPU] > free_cpu) {
		if (pl->n == LSC_FREEZE_MAX || a->nr_frozen + pl->n >= a->slots)
			return false;
		best = NULL;
		for (l = a->tasks.next; l != &a->tasks; l = l->next) {
			v = task_of_alink(l);
			if (!lsc_task_preemptible(v) || v->prio >= head->prio ||
			    (last && !lsc_victim_before(last, v)))
				continue;
			if (!best || lsc_victim_before(v, best))
				best = task_of_alink(l);
		}
		if (!best)
			return false;
		pl->victim[pl->n++] = best;
		pl->top_prio = best->prio;
		pl->progress += now > best->start_ns ? now - best->start_ns : 0;
		free_cpu += best->demand[LSC_RES_CPU];
		need_slot = false;
		last = best;
	}
	return true;
}

/*
 * The head's reservation on @a, where a round is in flight for it: what
 * @a will have once the freezing tasks froze.  False when @head would not
 * fit even then (or @a cannot take it any more).  O(slots).
 */
static bool lsc_round_resv(const struct lsc_task *head,
			   const struct lsc_agent *a, u64 now,
			   struct lsc_resv *r)
{
	u64 free[LSC_NR_RES], claim;
	const struct lsc_list *l;
	const struct lsc_task *v;
	u32 slots;
	int k;

	if (a->health != LSC_AGENT_UP || !a->nr_freezing ||
	    (head->tags & a->tags) != head->tags ||
	    lsc_thaw_claim(a, head, &claim))
		return false;
	for (k = 0; k < LSC_NR_RES; k++)
		free[k] = lsc_agent_free(a, k);
	slots = a->slots - a->used_slots;
	for (l = a->tasks.next; l != &a->tasks; l = l->next) {
		v = task_of_alink(l);
		if (v->flags & LSC_TASK_F_FREEZING) {
			free[LSC_RES_CPU] += v->demand[LSC_RES_CPU];
			slots++;
		}
	}
	if (!slots)
		return false;
	for (k = 0; k < LSC_NR_RES; k++)
		if (head->demand[k] > free[k])
			return false;
	r->agent = (struct lsc_agent *)a;
	r->at = now;
	for (k = 0; k < LSC_NR_RES; k++)
		r->extra[k] = free[k] - head->demand[k];
	r->extra_slots = slots - 1;
	return true;
}

void lsc_preempt_detach(struct lsc_engine *eng, struct lsc_task *head)
{
	struct lsc_agent *a = head->preempt_on;

	head->flags &= ~LSC_TASK_F_PREEMPTING;
	head->preempt_on = NULL;
	if (a && a->preempt_for == head)
		a->preempt_for = NULL;
}

/*
 * The head @head fits no agent now: make room for it by freezing, or keep
 * the room a round in flight makes for it.  True with @r its reservation
 * (at @now, on the round's agent).  O(classes * agent_scan *
 * LSC_FREEZE_MAX * slots).
 */
bool lsc_preempt(struct lsc_engine *eng, struct lsc_task *head, u64 mask,
		 u64 now, struct lsc_resv *r)
{
	const struct lsc_list *pos = NULL;
	u64 slots = mask & eng->up_slots;
	struct lsc_plan best, pl;
	const struct lsc_class *c;
	struct lsc_agent *a;
	struct lsc_task *v;
	struct lsc_node *n;
	u32 seen, i;

	if (head->flags & LSC_TASK_F_PREEMPTING) {
		if (lsc_round_resv(head, head->preempt_on, now, r))
			return true;
		lsc_preempt_detach(eng, head);
	}
	memset(&best, 0, sizeof(best));
	while ((c = lsc_next_class(eng, &slots, &pos))) {
		if (!lsc_cap_fits(c->cap, c->tags, head))
			continue;
		seen = 0;
		for (n = lsc_tree_first(&c->release);
		     n && seen < eng->tun.agent_scan;
		     n = lsc_tree_next(n), seen++) {
			a = agent_of_enode(n);
			if (lsc_plan_on(a, head, now, &pl) &&
			    lsc_plan_better(&pl, &best))
				best = pl;
		}
	}
	a = best.agent;
	if (!a)
		return false;
	/* The head is known before the caller hears of its victims. */
	eng->resv_task = head;
	eng->resv_agent = a;
	eng->resv_ns = now;
	head->flags |= LSC_TASK_F_PREEMPTING;
	head->preempt_on = a;
	a->preempt_for = head;
	eng->stats.preemptions++;
	for (i = 0; i < best.n; i++) {
		v = best.victim[i];
		a->nr_preemptible--;
		v->flags |= LSC_TASK_F_FREEZING;
		a->nr_freezing++;
		eng->stats.freezes++;
		if (eng->ops && eng->ops->task_freeze)
			eng->ops->task_freeze(eng, v, a);
	}
	return lsc_round_resv(head, a, now, r);
}

/* @t no longer freezes (it froze, ended or stopped): its round goes on. */
void lsc_freeze_drop(struct lsc_engine *eng, struct lsc_task *t)
{
	struct lsc_agent *a = t->agent;

	if (!(t->flags & LSC_TASK_F_FREEZING))
		return;
	t->flags &= ~LSC_TASK_F_FREEZING;
	if (--a->nr_freezing)
		return;
	/* The round is over: its head, if still waiting, is on its own. */
	if (a->preempt_for)
		lsc_preempt_detach(eng, a->preempt_for);
	lsc_thaw_queue(eng, a);
}

int lsc_task_frozen(struct lsc_engine *eng, struct lsc_task *task, u64 now)
{
	if (task->state != LSC_TASK_RUNNING ||
	    !(task->flags & LSC_TASK_F_FREEZING))
		return -LSC_EINVAL;
	lsc_freeze_drop(eng, task);
	lsc_agent_ice(eng, task, now);
	eng->stats.frozen++;
	lsc_set_state(eng, task, LSC_TASK_FROZEN, LSC_FAIL_NONE);
	return 0;
}

int lsc_task_thawed(struct lsc_engine *eng, struct lsc_task *task, u64 now)
{
	if (task->state != LSC_TASK_FROZEN ||
	    !(task->flags & LSC_TASK_F_THAWING))
		return -LSC_EINVAL;
	task->flags &= ~LSC_TASK_F_THAWING;
	lsc_set_state(eng, task, LSC_TASK_RUNNING, LSC_FAIL_NONE);
	if (lsc_task_preemptible(task))
		task->agent->nr_preemptible++;
	return 0;
}

/* ---------------------------------------------------------------- thaw */

/* @a's holdings or health changed: look at its frozen tasks next time. */
void lsc_thaw_queue(struct lsc_engine *eng, struct lsc_agent *a)
{
	if (a->thaw_queued)
		return;
	a->thaw_queued = 1;
	lsc_list_add_after(&a->tlink, eng->thaw_check.prev);
}

/*
 * Thaw what can thaw on @a, its first frozen task first, each when it
 * has its CPU and a slot free and does not delay a head of higher
 * priority reserved there (@r).  True when one waits for that head only:
 * look again at the next dispatch.  O(thaws * (log n + slots)).
 */
static bool lsc_thaw_agent(struct lsc_engine *eng, struct lsc_agent *a,
			   struct lsc_resv *r, u64 now)
{
	const struct lsc_task *head = eng->resv_task;
	struct lsc_task *f;

	while ((f = lsc_thaw_next(a))) {
		if (a->health == LSC_AGENT_LOST || a->nr_freezing ||
		    a->used_slots >= a->slots ||
		    f->demand[LSC_RES_CPU] > lsc_agent_free(a, LSC_RES_CPU))
			return false;
		if (head && r->agent == a && head->prio > f->prio) {
			if (!r->extra_slots ||
			    f->demand[LSC_RES_CPU] > r->extra[LSC_RES_CPU])
				return true;
			r->extra[LSC_RES_CPU] -= f->demand[LSC_RES_CPU];
			r->extra_slots--;
		}
		lsc_agent_unice(eng, f, now);
		f->flags |= LSC_TASK_F_THAWING;
		eng->stats.thaws++;
		if (eng->ops && eng->ops->task_thaw)
			eng->ops->task_thaw(eng, f, a);
	}
	return false;
}

/*
 * End of a dispatch walk (@r: the head's reservation, agent NULL when
 * none): thaw on the agents whose holdings or health changed since.
 * O(those agents + thaws * (log n + slots)).
 */
void lsc_thaw_pass(struct lsc_engine *eng, struct lsc_resv *r, u64 now)
{
	struct lsc_list checking;
	struct lsc_agent *a;

	if (lsc_list_empty(&eng->thaw_check))
		return;
	/*
	 * The agents to look at now, moved whole to a list of this pass's
	 * own: one queued again during the pass waits for the next one.
	 */
	checking = eng->thaw_check;
	checking.next->prev = &checking;
	checking.prev->next = &checking;
	lsc_list_init(&eng->thaw_check);
	while (!lsc_list_empty(&checking)) {
		a = lsc_container_of(checking.next, struct lsc_agent, tlink);
		lsc_list_del(&a->tlink);
		a->thaw_queued = 0;
		if (lsc_thaw_agent(eng, a, r, now)) {
			lsc_thaw_queue(eng, a);
		} else if (a->thaw_queued) {
			lsc_list_del(&a->tlink);
			a->thaw_queued = 0;
		}
	}
}
