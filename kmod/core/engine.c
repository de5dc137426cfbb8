// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched engine: the task state machine and the calls that drive it.
 *
 * Every state change goes through lsc_set_state(); the files around this
 * one keep the structures a state implies (the run queue for RUNNABLE,
 * the agent and the ledger for ASSIGNED, RUNNING, STOPPING and FROZEN, the
 * dependency edges for QUEUED).  See engine.h for the contract with the
 * caller and Documentation/scheduling/policies.rst for the policies.
 *
 * Stopping: a task that may be running on its agent (fetched, started or
 * frozen) is never dropped from it by the engine's own decision.  Cancel,
 * a time limit and a fenced agent make it STOPPING: it keeps what it holds
 * until the caller says nothing of it runs any more (lsc_task_stopped(),
 * or its own end reported by lsc_task_complete() or lsc_task_requeue(),
 * or lsc_agent_remove()); then its stop reason decides how it ends.
 */
#include "internal.h"

/* -------------------------------------------------------------- names */

static const char * const lsc_state_names[LSC_TASK_NR_STATES] = {
	"new", "queued", "runnable", "assigned", "running", "succeeded",
	"failed", "cancelled", "stopping", "frozen",
};

static const char * const lsc_reason_names[LSC_FAIL_NR] = {
	"none", "exit", "agent-lost", "dep-failed", "cancelled", "timeout",
};

static const char * const lsc_wait_names[LSC_WAIT_NR] = {
	"none", "deps", "turn", "user-limit", "no-agent", "rekey",
};

const char *lsc_task_state_name(u32 state)
{
	return state < LSC_TASK_NR_STATES ? lsc_state_names[state] : "?";
}

const char *lsc_fail_reason_name(u32 reason)
{
	return reason < LSC_FAIL_NR ? lsc_reason_names[reason] : "?";
}

const char *lsc_wait_name(u32 wait)
{
	return wait < LSC_WAIT_NR ? lsc_wait_names[wait] : "?";
}

/* ----------------------------------------------------------- the engine */

void lsc_default_tunables(struct lsc_tunables *tun)
{
	memset(tun, 0, sizeof(*tun));
	tun->backfill_depth = 64;
	tun->agent_scan = 64;
	tun->age_ns = 60 * LSC_NS_PER_SEC;
	tun->default_est_ns = 60 * LSC_NS_PER_SEC;
	tun->est_max_ns = 1ULL << 46;
	tun->balance_threshold = 200;
	tun->max_migrations = 16;
	tun->load_interval_ns = 10 * 1000 * 1000;
	tun->dag_rank = 0;
}

void lsc_engine_init(struct lsc_engine *eng, const struct lsc_ops *ops,
		     void *priv)
{
	memset(eng, 0, sizeof(*eng));
	eng->ops = ops;
	eng->priv = priv;
	eng->policy = LSC_POLICY_PRIO_FIFO;
	eng->choice = LSC_CHOOSE_LEAST_LOADED;
	lsc_default_tunables(&eng->tun);
	lsc_tree_init(&eng->loads);
	lsc_list_init(&eng->classes);
	lsc_list_init(&eng->shared_classes);
	lsc_list_init(&eng->user_list);
	lsc_list_init(&eng->thaw_check);
	lsc_rq_init(eng);
}

int lsc_set_agent_choice(struct lsc_engine *eng, u32 choice)
{
	if (choice >= LSC_CHOOSE_NR)
		return -LSC_EINVAL;
	eng->choice = choice;
	return 0;
}

/* ------------------------------------------------------- state machine */

/*
 * The one place where a task changes state: counters, per-user and engine
 * tallies, then the caller's callback.  Queue and resource bookkeeping is
 * done by the caller of this function, before it; a user reaching or
 * leaving its limit hides or shows its tasks here.
 */
void lsc_set_state(struct lsc_engine *eng, struct lsc_task *t, u32 to,
		   u32 reason)
{
	u32 from = t->state;
	struct lsc_user *u = t->user;
	bool blocked = lsc_user_at_limit(u);

	LSC_WARN_ON(lsc_task_terminal(from));
	eng->stats.transitions[from][to]++;
	if (from == LSC_TASK_RUNNABLE) {
		eng->nr_runnable--;
		u->nr_runnable--;
		if (t->flags & LSC_TASK_F_PREEMPTING)
			lsc_preempt_detach(eng, t);
	}
	if (lsc_state_active(from)) {
		eng->nr_active--;
		u->nr_active--;
	}
	if (to == LSC_TASK_RUNNABLE) {
		eng->nr_runnable++;
		u->nr_runnable++;
	}
	if (lsc_state_active(to)) {
		eng->nr_active++;
		u->nr_active++;
	}
	if (lsc_task_terminal(to)) {
		u->nr_tasks--;
		t->reason = reason;
		if (eng->resv_task == t)
			eng->resv_task = NULL;
	}
	t->state = to;
	if (blocked != lsc_user_at_limit(u))
		lsc_rq_user_blocked(eng, u, !blocked);
	if (eng->ops && eng->ops->task_changed)
		eng->ops->task_changed(eng, t, from, to);
}

/* @t leaves its agent: whatever it holds there is released. */
static void lsc_release(struct lsc_engine *eng, struct lsc_task *t)
{
	if (lsc_task_preemptible(t))
		t->agent->nr_preemptible--;
	lsc_freeze_drop(eng, t);
	lsc_user_charge(eng, t, false);
	lsc_agent_give(eng, t);
	t->flags &= ~LSC_TASK_F_THAWING;
}

/*
 * Put an ASSIGNED or RUNNING task back in the run queue.  @failed: it
 * failed there (agent lost, retried exit), which spends one retry.  A task
 * that failed, or that ran past its estimate, moves down one MLFQ level.
 */
void lsc_requeue(struct lsc_engine *eng, struct lsc_task *t, u64 now,
		 bool failed)
{
	struct lsc_agent *a = t->agent;
	bool overran = t->state == LSC_TASK_RUNNING && now > lsc_task_end(t);

	lsc_mlfq_feedback(eng, t, now);
	lsc_release(eng, t);
	t->flags &= ~LSC_TASK_F_PINNED;
	if (failed) {
		t->retries--;
		eng->stats.requeues++;
	}
	if ((failed || overran) && t->level < 255)
		t->level++;
	lsc_rq_add(eng, t);
	lsc_set_state(eng, t, LSC_TASK_RUNNABLE, LSC_FAIL_NONE);
	if (eng->ops && eng->ops->task_requeued)
		eng->ops->task_requeued(eng, t, a);
}

/* End @t in terminal state @to, whatever state it is in now. */
void lsc_finish(struct lsc_engine *eng, struct lsc_task *t, u32 to,
		u32 reason)
{
	switch (t->state) {
	case LSC_TASK_QUEUED:
		lsc_drop_own_deps(t);
		break;
	case LSC_TASK_RUNNABLE:
		lsc_rq_del(eng, t);
		break;
	case LSC_TASK_ASSIGNED:
	case LSC_TASK_RUNNING:
	case LSC_TASK_STOPPING:
	case LSC_TASK_FROZEN:
		lsc_release(eng, t);
		break;
	}
	lsc_set_state(eng, t, to, reason);
	lsc_propagate(eng, t);
}

/*
 * @t (pinned ASSIGNED, RUNNING or FROZEN) may run on its agent: it becomes
 * STOPPING for @reason and keeps what it holds.  A freeze in flight is
 * dropped (the round goes on without it); a thaw in flight too (its CPU
 * and slot are committed already).  @notify: tell the caller to kill it.
 */
void lsc_stop(struct lsc_engine *eng, struct lsc_task *t, u32 reason,
	      bool notify)
{
	struct lsc_agent *a = t->agent;

	if (lsc_task_preemptible(t))
		a->nr_preemptible--;
	lsc_freeze_drop(eng, t);
	t->flags &= ~LSC_TASK_F_THAWING;
	/* A fetched ASSIGNED task may run from now on: count it started. */
	if (t->state == LSC_TASK_ASSIGNED)
		a->unstarted_cpu -= t->demand[LSC_RES_CPU];
	t->stop_reason = (u8)reason;
	eng->stats.stops++;
	if (t->flags & LSC_TASK_F_ICED) {
		/* Behind the frozen tasks that wait for a thaw. */
		lsc_list_del(&t->alink);
		lsc_list_add_after(&t->alink, a->frozen_tasks.prev);
		lsc_thaw_queue(eng, a);
	}
	lsc_set_state(eng, t, LSC_TASK_STOPPING, LSC_FAIL_NONE);
	if (notify && eng->ops && eng->ops->task_stop)
		eng->ops->task_stop(eng, t, a, (enum lsc_stop_reason)reason);
}

/* Nothing of STOPPING @t runs any more: its stop reason decides. */
void lsc_stop_resolve(struct lsc_engine *eng, struct lsc_task *t, u64 now)
{
	switch (t->stop_reason) {
	case LSC_STOP_CANCEL:
		lsc_finish(eng, t, LSC_TASK_CANCELLED, LSC_FAIL_CANCELLED);
		break;
	case LSC_STOP_TIMEOUT:
		lsc_finish(eng, t, LSC_TASK_FAILED, LSC_FAIL_TIMEOUT);
		break;
	default:
		if (t->retries)
			lsc_requeue(eng, t, now, true);
		else
			lsc_finish(eng, t, LSC_TASK_FAILED,
				   LSC_FAIL_AGENT_LOST);
		break;
	}
}

/* ---------------------------------------------------------------- tasks */

void lsc_task_init(struct lsc_task *task, u64 id)
{
	memset(task, 0, sizeof(*task));
	task->id = id;
	task->prio = LSC_PRIO_DEFAULT;
	task->state = LSC_TASK_NEW;
	lsc_list_init(&task->dependents);
	lsc_list_init(&task->alink);
	lsc_list_init(&task->qlink);
}

int lsc_task_submit(struct lsc_engine *eng, struct lsc_task *task,
		    struct lsc_user *user, struct lsc_dep *deps, u32 nr_deps,
		    const u64 *features, u32 nr_features, u64 now)
{
	bool dep_failed = false;
	struct lsc_task *on;
	u32 i;

	if (task->state != LSC_TASK_NEW || task->user ||
	    task->prio > LSC_PRIO_MAX ||
	    (task->flags & ~LSC_TASK_F_CALLER_MASK) ||
	    !user || !user->registered ||
	    nr_features > LSC_EST_MAX_FEATURES ||
	    (nr_features && !features) || (nr_deps && !deps))
		return -LSC_EINVAL;
	for (i = 0; i < nr_deps; i++) {
		on = deps[i].on;
		if (!on || on == task || on->state == LSC_TASK_NEW)
			return -LSC_EINVAL;
	}

	task->user = user;
	task->arrival_ns = now;
	task->start_ns = 0;
	task->agent = NULL;
	task->reason = LSC_FAIL_NONE;
	task->stop_reason = LSC_STOP_CANCEL;
	task->preempt_on = NULL;
	task->work = NULL;
	lsc_list_init(&task->dependents);
	lsc_list_init(&task->alink);
	lsc_list_init(&task->qlink);
	memset(&task->qnode, 0, sizeof(task->qnode));
	task->qwhere = LSC_Q_NONE;
	if (!task->est_ns && eng->est_nr && nr_features) {
		task->est_ns = lsc_estimate(eng, features, nr_features);
		task->flags |= LSC_TASK_F_ESTIMATED;
	}
	if (!task->est_ns)
		task->est_ns = eng->tun.default_est_ns;
	if (task->est_ns > eng->tun.est_max_ns)
		task->est_ns = eng->tun.est_max_ns;
	task->rank_ns = task->est_ns;
	task->level = (u8)lsc_mlfq_charge(user, task);

	task->deps = deps;
	task->nr_deps = nr_deps;
	task->nr_pending = 0;
	for (i = 0; i < nr_deps; i++) {
		struct lsc_dep *d = &deps[i];

		on = d->on;
		d->owner = task;
		d->on_id = on->id;
		lsc_list_init(&d->link);
		if (lsc_task_terminal(on->state)) {
			d->resolved = 1;
			d->on = NULL;
			if (on->state != LSC_TASK_SUCCEEDED)
				dep_failed = true;
			continue;
		}
		d->resolved = 0;
		lsc_list_add_after(&d->link, on->dependents.prev);
		task->nr_pending++;
	}

	user->nr_tasks++;
	eng->stats.submitted++;
	if (dep_failed) {
		lsc_drop_own_deps(task);
		lsc_set_state(eng, task, LSC_TASK_FAILED, LSC_FAIL_DEP_FAILED);
	} else if (task->nr_pending) {
		lsc_set_state(eng, task, LSC_TASK_QUEUED, LSC_FAIL_NONE);
		lsc_rank_update(eng, task);
	} else {
		lsc_rq_add(eng, task);
		lsc_set_state(eng, task, LSC_TASK_RUNNABLE, LSC_FAIL_NONE);
	}
	return 0;
}

int lsc_task_start(struct lsc_engine *eng, struct lsc_task *task, u64 now)
{
	struct lsc_agent *a = task->agent;

	if (task->state != LSC_TASK_ASSIGNED || !a)
		return -LSC_EINVAL;
	lsc_agent_unindex(eng, a);
	/* Its CPU counts as used from now on; the load stays as it was. */
	a->unstarted_cpu -= task->demand[LSC_RES_CPU];
	lsc_list_del(&task->alink);
	task->start_ns = now;
	lsc_agent_link_task(a, task);
	lsc_agent_index(eng, a);
	lsc_set_state(eng, task, LSC_TASK_RUNNING, LSC_FAIL_NONE);
	if (lsc_task_preemptible(task))
		a->nr_preemptible++;
	return 0;
}

int lsc_task_complete(struct lsc_engine *eng, struct lsc_task *task,
		      s32 exit_status, u64 now)
{
	if (!lsc_state_active(task->state))
		return -LSC_EINVAL;
	task->exit_status = exit_status;
	if (task->state == LSC_TASK_STOPPING) {
		/* It ended before the kill: the stop decides. */
		lsc_stop_resolve(eng, task, now);
	} else if (exit_status && (task->flags & LSC_TASK_F_RETRY_ON_EXIT) &&
		   task->retries) {
		lsc_requeue(eng, task, now, true);
	} else {
		lsc_mlfq_feedback(eng, task, now);
		lsc_finish(eng, task, exit_status ? LSC_TASK_FAILED :
			   LSC_TASK_SUCCEEDED,
			   exit_status ? LSC_FAIL_EXIT : LSC_FAIL_NONE);
	}
	lsc_prop_flush(eng);
	return 0;
}

int lsc_task_requeue(struct lsc_engine *eng, struct lsc_task *task,
		     bool use_retry, u64 now)
{
	if (!lsc_state_active(task->state))
		return -LSC_EINVAL;
	if (task->state == LSC_TASK_STOPPING) {
		lsc_stop_resolve(eng, task, now);
	} else if (use_retry && !task->retries) {
		lsc_mlfq_feedback(eng, task, now);
		lsc_finish(eng, task, LSC_TASK_FAILED, LSC_FAIL_EXIT);
	} else {
		lsc_requeue(eng, task, now, use_retry);
	}
	lsc_prop_flush(eng);
	return 0;
}

/* Pinned ASSIGNED, RUNNING or FROZEN: its command may be running. */
static bool lsc_may_run(const struct lsc_task *t)
{
	return t->state == LSC_TASK_RUNNING || t->state == LSC_TASK_FROZEN ||
	       (t->state == LSC_TASK_ASSIGNED &&
		(t->flags & LSC_TASK_F_PINNED));
}

int lsc_task_cancel(struct lsc_engine *eng, struct lsc_task *task, u64 now)
{
	if (task->state == LSC_TASK_NEW || lsc_task_terminal(task->state))
		return -LSC_EINVAL;
	if (task->state == LSC_TASK_STOPPING)
		return -LSC_EBUSY;
	if (lsc_may_run(task))
		lsc_stop(eng, task, LSC_STOP_CANCEL, true);
	else
		lsc_finish(eng, task, LSC_TASK_CANCELLED, LSC_FAIL_CANCELLED);
	lsc_prop_flush(eng);
	return 0;
}

int lsc_task_stop(struct lsc_engine *eng, struct lsc_task *task, u32 reason,
		  u64 now)
{
	if (reason != LSC_STOP_CANCEL && reason != LSC_STOP_TIMEOUT)
		return -LSC_EINVAL;
	if (task->state == LSC_TASK_STOPPING)
		return -LSC_EBUSY;
	if (!lsc_may_run(task))
		return -LSC_EINVAL;
	lsc_stop(eng, task, reason, true);
	return 0;
}

int lsc_task_stopped(struct lsc_engine *eng, struct lsc_task *task, u64 now)
{
	if (task->state != LSC_TASK_STOPPING)
		return -LSC_EINVAL;
	lsc_stop_resolve(eng, task, now);
	lsc_prop_flush(eng);
	return 0;
}
