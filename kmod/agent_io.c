// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched: an agent's work, through its own file.  The kernel hands it
 * tasks (AGENT_FETCH) and control records (AGENT_CONTROL: kill, freeze,
 * thaw, lost); the agent reports starts and ends (AGENT_START,
 * AGENT_COMPLETE) and confirms what the records asked (AGENT_CONFIRM).
 *
 * A task has at most one control record outstanding: the newest decision
 * replaces an older one not yet taken (a kill supersedes a freeze), and the
 * kernel keeps what it asked until the agent confirms, so that a task is
 * never counted as stopped or frozen before it is.  Control records need
 * no memory of their own: they are the tasks themselves, linked on their
 * agent's llms_agent.controls.
 */

#include <linux/cred.h>
#include <linux/jiffies.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "llmsched.h"

/* Under the lock: the oldest task assigned to @agent and not fetched. */
static struct llms_task *llms_agent_next_locked(struct llms_agent *agent)
{
	struct llms_task *task;

	llms_for_each_agent_task(task, agent)
		if (task->core.state == LSC_TASK_ASSIGNED && !task->fetched_by)
			return task;
	return NULL;
}

/* Under the lock: whether a control record waits for @agent. */
static bool llms_agent_control_waits(const struct llms_agent *agent)
{
	return agent->lost_pending || !list_empty(&agent->controls);
}

/*
 * Under the lock: ask @agent to do @kind (enum llmsched_control_kind) to
 * @task, for @reason.  Replaces a record of the task not taken yet; wakes
 * the agent's waiters and pollers (POLLPRI).
 */
void llms_agent_post_control(struct llms_agent *agent, struct llms_task *task,
			     u8 kind, u8 reason)
{
	lockdep_assert_held(&llmsched.lock);
	task->control = kind;
	task->control_reason = reason;
	list_del(&task->control_link);
	list_add_tail(&task->control_link, &agent->controls);
	if (!agent->lost)
		wake_up_interruptible(agent->wq);
}

/* Under the lock: forget what was asked of @task (it left its agent). */
void llms_task_drop_control(struct llms_task *task)
{
	lockdep_assert_held(&llmsched.lock);
	list_del_init(&task->control_link);
	task->control = 0;
	task->control_reason = 0;
}

__poll_t llms_agent_poll(struct llms_agent *agent)
{
	__poll_t mask = 0;

	spin_lock(&llmsched.lock);
	if (agent->lost)
		mask |= EPOLLHUP;
	if (llms_agent_control_waits(agent))
		mask |= EPOLLPRI | EPOLLRDBAND;
	if (!agent->lost && llms_agent_next_locked(agent))
		mask |= EPOLLIN | EPOLLRDNORM;
	spin_unlock(&llmsched.lock);
	return mask;
}

/* What ends a wait in FETCH: a task, a control record, the agent's loss. */
static bool llms_fetch_ready(struct llms_agent *agent)
{
	bool ready;

	spin_lock(&llmsched.lock);
	ready = agent->lost || llms_agent_control_waits(agent) ||
		llms_agent_next_locked(agent);
	spin_unlock(&llmsched.lock);
	return ready;
}

/* What ends a wait in CONTROL: a control record, the agent's loss. */
static bool llms_control_ready(struct llms_agent *agent)
{
	bool ready;

	spin_lock(&llmsched.lock);
	ready = agent->lost || llms_agent_control_waits(agent);
	spin_unlock(&llmsched.lock);
	return ready;
}

/*
 * Sleep on @agent's queue until @ready or @deadline: 0, -ETIMEDOUT or
 * -ERESTARTSYS.  An agent waiting here is alive however long it waits
 * (the watchdog counts @agent->fetching as heartbeats).
 */
static int llms_agent_wait(struct llms_agent *agent, unsigned long deadline,
			   bool (*ready)(struct llms_agent *agent))
{
	long left = (long)(deadline - jiffies);

	if (left <= 0)
		return -ETIMEDOUT;
	atomic_inc(&agent->fetching);
	left = wait_event_interruptible_timeout(*agent->wq, ready(agent), left);
	atomic_dec(&agent->fetching);
	WRITE_ONCE(agent->last_seen, jiffies);
	if (left < 0)
		return -ERESTARTSYS;
	return left ? 0 : -ETIMEDOUT;
}

/*
 * Take the next task for @agent: 0 with a reference in *@taken, -EAGAIN
 * (none), -ENOMSG (a control record comes first), -EBADFD (lost) or -ENOSPC
 * (its payload does not fit; @req->payload_len says what would).
 */
static int llms_fetch_take(struct llms_agent *agent,
			   struct llmsched_agent_fetch *req,
			   struct llms_task **taken)
{
	struct llms_task *task;
	int ret = 0;

	spin_lock(&llmsched.lock);
	if (llms_agent_control_waits(agent)) {
		ret = -ENOMSG;
		goto out;
	}
	if (agent->lost) {
		ret = -EBADFD;
		goto out;
	}
	task = llms_agent_next_locked(agent);
	if (!task) {
		ret = -EAGAIN;
		goto out;
	}
	if (task->payload_len > req->payload_len) {
		req->payload_len = task->payload_len;
		ret = -ENOSPC;
		goto out;
	}
	task->fetched_by = agent->core.id;
	/* A fetched task stays where it is: the balancer leaves it alone. */
	task->core.flags |= LSC_TASK_F_PINNED;
	kref_get(&task->ref);
	*taken = task;
out:
	spin_unlock(&llmsched.lock);
	return ret;
}

/* The caller never received @task: another fetch may take it. */
static void llms_fetch_give_back(struct llms_agent *agent,
				 struct llms_task *task)
{
	spin_lock(&llmsched.lock);
	if (task->fetched_by == agent->core.id &&
	    task->core.state == LSC_TASK_ASSIGNED) {
		task->fetched_by = 0;
		task->core.flags &= ~LSC_TASK_F_PINNED;
		if (!agent->lost)
			wake_up_interruptible(agent->wq);
	}
	spin_unlock(&llmsched.lock);
}

static void llms_fetch_fill(struct llmsched_agent_fetch *req,
			    const struct llms_task *task)
{
	unsigned int i;

	req->task_id = task->core.id;
	req->est_runtime_ns = task->core.est_ns;
	for (i = 0; i < LSC_NR_RES; i++)
		req->demand[i] = task->core.demand[i];
	for (; i < LLMSCHED_RES_MAX; i++)
		req->demand[i] = 0;
	req->owner_uid = from_kuid_munged(current_user_ns(), task->owner);
	req->submit_flags = task->submit_flags;
	req->payload_len = task->payload_len;
	req->time_limit_ns = task->time_limit_ns;
	memcpy(req->label, task->label, sizeof(req->label));
	req->nr_features = task->nr_features;
	req->__reserved2 = 0;
	memcpy(req->features, task->features, sizeof(req->features));
}

long llms_ioc_agent_fetch(struct llms_file *lf, void *arg,
			  struct llms_ucmd *ucmd)
{
	struct llmsched_agent_fetch *req = arg;
	struct llms_task *task = NULL;
	struct llms_agent *agent;
	unsigned long deadline;
	int ret;

	if (req->flags || req->__reserved)
		return -EINVAL;
	agent = llms_file_agent(lf);
	if (!agent)
		return -EBADFD;

	deadline = llms_deadline(req->timeout_ns);
	for (;;) {
		ret = llms_fetch_take(agent, req, &task);
		if (ret != -EAGAIN || !req->timeout_ns)
			break;
		ret = llms_agent_wait(agent, deadline, llms_fetch_ready);
		if (ret)
			break;
	}
	if (req->timeout_ns)
		req->timeout_ns = llms_time_left_ns(deadline,
						    ret == -ERESTARTSYS);
	if (ret)
		goto out;

	llms_fetch_fill(req, task);
	/*
	 * The task is the caller's only once all of it reached the caller;
	 * otherwise it goes back as if never fetched.
	 */
	if (task->payload_len &&
	    copy_to_user(u64_to_user_ptr(req->payload_ptr), task->payload,
			 task->payload_len))
		ret = -EFAULT;
	if (!ret)
		ret = llms_ucmd_respond(ucmd, req);
	if (ret) {
		llms_fetch_give_back(agent, task);
		req->task_id = 0;
		ucmd->responded = false;
	}
out:
	if (task)
		llms_task_put(task);
	llms_agent_put(agent);
	return ret;
}

/*
 * Under the lock: hand out @agent's next control record into @req: 0 or
 * -EAGAIN.  The LOST record comes last, once.
 */
static int llms_control_take(struct llms_agent *agent,
			     struct llmsched_agent_control *req)
{
	struct llms_task *task;

	task = list_first_entry_or_null(&agent->controls, struct llms_task,
					control_link);
	if (task) {
		list_del_init(&task->control_link);
		req->kind = task->control;
		req->reason = task->control_reason;
		req->task_id = task->core.id;
	} else if (agent->lost_pending) {
		agent->lost_pending = false;
		req->kind = LLMSCHED_CONTROL_LOST;
		req->reason = LLMSCHED_REASON_AGENT_LOST;
		req->task_id = 0;
	} else {
		return -EAGAIN;
	}
	req->seq = ++agent->control_seq;
	return 0;
}

long llms_ioc_agent_control(struct llms_file *lf, void *arg,
			    struct llms_ucmd *ucmd)
{
	struct llmsched_agent_control *req = arg;
	struct llms_agent *agent;
	unsigned long deadline;
	int ret;

	if (req->flags)
		return -EINVAL;
	/* A lost agent still takes its LOST record. */
	agent = llms_file_agent_any(lf);
	if (!agent)
		return -EBADFD;

	deadline = llms_deadline(req->timeout_ns);
	for (;;) {
		spin_lock(&llmsched.lock);
		ret = llms_control_take(agent, req);
		if (ret && agent->lost)
			ret = -EBADFD;
		spin_unlock(&llmsched.lock);
		if (ret != -EAGAIN || !req->timeout_ns)
			break;
		ret = llms_agent_wait(agent, deadline, llms_control_ready);
		if (ret)
			break;
	}
	if (req->timeout_ns)
		req->timeout_ns = llms_time_left_ns(deadline,
						    ret == -ERESTARTSYS);
	llms_agent_put(agent);
	return ret;
}

/*
 * The reporting agent and the task it reports on, both held: 0, -EBADFD
 * (not a live agent) or -ENOENT.
 */
static int llms_report_begin(struct llms_file *lf, u64 task_id,
			     struct llms_agent **agentp,
			     struct llms_task **taskp)
{
	*agentp = llms_file_agent(lf);
	if (!*agentp)
		return -EBADFD;
	*taskp = llms_task_get(task_id);
	if (!*taskp) {
		llms_agent_put(*agentp);
		return -ENOENT;
	}
	return 0;
}

static void llms_report_end(struct llms_agent *agent, struct llms_task *task)
{
	llms_task_put(task);
	llms_agent_put(agent);
}

/*
 * Under the lock: the errno for a report on @task by @agent, which must
 * have fetched it, or 0.
 */
static int llms_report_check(struct llms_agent *agent, struct llms_task *task)
{
	if (agent->lost)
		return -EBADFD;
	if (task->fetched_by != agent->core.id)
		return -ENOENT;
	if (task->core.state == LSC_TASK_CANCELLED)
		return -ECANCELED;
	if (lsc_task_terminal(task->core.state))
		return -EALREADY;
	return 0;
}

long llms_ioc_agent_start(struct llms_file *lf, void *arg,
			  struct llms_ucmd *ucmd)
{
	struct llmsched_agent_task *req = arg;
	struct llms_agent *agent;
	struct llms_task *task;
	int ret;

	if (req->flags)
		return -EINVAL;
	ret = llms_report_begin(lf, req->task_id, &agent, &task);
	if (ret)
		return ret;

	spin_lock(&llmsched.lock);
	ret = llms_report_check(agent, task);
	/* Its kill was asked for: do not start it. */
	if (!ret && task->core.state == LSC_TASK_STOPPING)
		ret = -ECANCELED;
	if (!ret && task->core.state != LSC_TASK_ASSIGNED)
		ret = -EALREADY;
	if (!ret)
		ret = lsc_task_start(&llmsched.eng, &task->core, llms_now());
	spin_unlock(&llmsched.lock);

	llms_report_end(agent, task);
	return ret;
}

static bool llms_reason_reportable(u32 reason)
{
	switch (reason) {
	case LLMSCHED_REASON_NONE:
	case LLMSCHED_REASON_EXIT:
	case LLMSCHED_REASON_SIGNAL:
	case LLMSCHED_REASON_OOM:
	case LLMSCHED_REASON_TIMEOUT:
	case LLMSCHED_REASON_LAUNCH:
		return true;
	default:
		return false;
	}
}

long llms_ioc_agent_complete(struct llms_file *lf, void *arg,
			     struct llms_ucmd *ucmd)
{
	struct llmsched_agent_complete *req = arg;
	struct llms_agent *agent;
	struct llms_task *task;
	bool ok = req->reason == LLMSCHED_REASON_NONE;
	u64 now;
	int ret;

	if (req->flags & ~LLMSCHED_COMPLETE_FLAGS)
		return -EINVAL;
	if (!llms_reason_reportable(req->reason) ||
	    (ok && req->exit_status))
		return -EINVAL;
	ret = llms_report_begin(lf, req->task_id, &agent, &task);
	if (ret)
		return ret;

	now = llms_now();
	spin_lock(&llmsched.lock);
	ret = llms_report_check(agent, task);
	if (!ret && task->core.state == LSC_TASK_STOPPING) {
		/* It ended before the kill: the stop decides its end. */
		task->runtime_ns = req->runtime_ns;
		ret = lsc_task_stopped(&llmsched.eng, &task->core, now);
		WARN_ON_ONCE(ret);
		lsc_dispatch(&llmsched.eng, now);
		/* Said, so that the agent knows its report did not count. */
		ret = -ECANCELED;
	} else if (!ret) {
		task->exit_status = req->exit_status;
		task->runtime_ns = req->runtime_ns;
		task->reason = req->reason;
		if (!ok && (req->flags & LLMSCHED_COMPLETE_REQUEUE))
			ret = lsc_task_requeue(&llmsched.eng, &task->core,
					       true, now);
		else
			/* The engine needs a non-zero status for a failure. */
			ret = lsc_task_complete(&llmsched.eng, &task->core,
						ok ? 0 : (req->exit_status ?: -1),
						now);
		WARN_ON_ONCE(ret);
		lsc_dispatch(&llmsched.eng, now);
	}
	spin_unlock(&llmsched.lock);

	llms_report_end(agent, task);
	llms_release_ended();
	return ret;
}

/*
 * Under the lock: apply what @agent confirms of @task: the engine's step
 * for @kind, once the record was taken.
 */
static int llms_confirm_locked(struct llms_agent *agent,
			       struct llms_task *task, u32 kind, u64 now)
{
	int ret;

	if (task->core.agent != &agent->core || task->control != kind ||
	    !list_empty(&task->control_link))
		return -ENOENT;
	llms_task_drop_control(task);
	switch (kind) {
	case LLMSCHED_CONTROL_KILL:
		ret = lsc_task_stopped(&llmsched.eng, &task->core, now);
		break;
	case LLMSCHED_CONTROL_FREEZE:
		ret = lsc_task_frozen(&llmsched.eng, &task->core, now);
		break;
	default:
		ret = lsc_task_thawed(&llmsched.eng, &task->core, now);
		break;
	}
	/* The record was the engine's own request: it must take the answer. */
	WARN_ON_ONCE(ret);
	lsc_dispatch(&llmsched.eng, now);
	return 0;
}

long llms_ioc_agent_confirm(struct llms_file *lf, void *arg,
			    struct llms_ucmd *ucmd)
{
	struct llmsched_agent_confirm *req = arg;
	struct llms_agent *agent;
	struct llms_task *task;
	int ret;

	if (req->flags || req->__reserved)
		return -EINVAL;
	if (req->kind != LLMSCHED_CONTROL_KILL &&
	    req->kind != LLMSCHED_CONTROL_FREEZE &&
	    req->kind != LLMSCHED_CONTROL_THAW)
		return -EINVAL;
	ret = llms_report_begin(lf, req->task_id, &agent, &task);
	if (ret)
		return ret;

	spin_lock(&llmsched.lock);
	ret = agent->lost ? -EBADFD :
	      llms_confirm_locked(agent, task, req->kind, llms_now());
	spin_unlock(&llmsched.lock);

	llms_report_end(agent, task);
	llms_release_ended();
	return ret;
}

long llms_ioc_agent_heartbeat(struct llms_file *lf, void *arg,
			      struct llms_ucmd *ucmd)
{
	struct llmsched_agent_heartbeat *req = arg;
	struct llms_agent *agent;

	if (req->flags)
		return -EINVAL;
	agent = llms_file_agent(lf);
	if (!agent)
		return -EBADFD;
	llms_agent_put(agent);
	return 0;
}
