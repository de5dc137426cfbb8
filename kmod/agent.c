// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched: the runtime's ioctls.  An agent is an open file of
 * /dev/llmsched bound to a process and its cgroup v2 reservation; it
 * fetches the tasks the engine assigns to it and reports how they went.
 *
 * An agent ends in one of five ways, all through llms_agent_end_locked():
 * it unregisters, its process closes its last descriptor of the file, the
 * file is released, its process exits, or it misses its heartbeats.  The
 * first to get there wins (agent->lost, under the lock).  Tasks it was
 * handed but never fetched go back to the run queue at no cost to their
 * retry budget, since they never ran; fetched ones spend a retry.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/fdtable.h>
#include <linux/jiffies.h>
#include <linux/limits.h>
#include <linux/nsproxy.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "llmsched.h"

#define LLMS_SLOTS_MAX		64
#define LLMS_LOAD_ENTRIES_MAX	4096
#define LLMS_LOAD_MAX		65535

void llms_agent_put(struct llms_agent *agent)
{
	kobject_put(&agent->kobj);
}

/* The kobject's release: the last reference to the agent is gone. */
void llms_agent_release(struct kobject *kobj)
{
	struct llms_agent *agent = container_of(kobj, struct llms_agent, kobj);

	if (agent->cgrp)
		cgroup_put(agent->cgrp);
	put_pid(agent->pid);
	kfree(agent->cgroup_path);
	kfree(agent);
	llms_obj_dec(LLMS_OBJ_AGENT);
}

/*
 * A reference to this file's live agent, or NULL.  Every call an agent
 * makes counts as a heartbeat.
 */
static struct llms_agent *llms_file_agent(struct llms_file *lf)
{
	struct llms_agent *agent;

	mutex_lock(&lf->agent_lock);
	agent = lf->agent;
	if (agent && !READ_ONCE(agent->lost)) {
		kobject_get(&agent->kobj);
		WRITE_ONCE(agent->last_seen, jiffies);
	} else {
		agent = NULL;
	}
	mutex_unlock(&lf->agent_lock);
	return agent;
}

/*
 * Under the lock: end @agent.  Its unfetched tasks go back to the run
 * queue at no cost; the engine then applies each fetched task's retry
 * budget (requeued, or failed with reason agent-lost), and the agent's
 * reservation returns to the host.  Its waiters are woken here, under the
 * lock, and never again: the file may be freed as soon as somebody has
 * seen @agent->lost.  Returns false when somebody else ended it first; on
 * true the caller finishes with llms_agent_end_finish().
 */
static bool llms_agent_end_locked(struct llms_agent *agent, u64 now)
{
	struct llms_task *task;

	lockdep_assert_held(&llmsched.lock);
	if (agent->lost)
		return false;
	agent->lost = true;
	llms_for_each_agent_task_safe(task, agent)
		if (!task->fetched_by)
			lsc_task_requeue(&llmsched.eng, &task->core, false, now);
	lsc_agent_remove(&llmsched.eng, &agent->core, now);
	xa_erase(&llmsched.agents, agent->core.id);
	lsc_dispatch(&llmsched.eng, now);
	llms_netlink_agent_event(agent->core.id, false, now);
	wake_up_all(agent->wq);
	return true;
}

/* After llms_agent_end_locked() said true, without the lock. */
static void llms_agent_end_finish(struct llms_agent *agent)
{
	llms_agent_sysfs_del(agent);
	/* The agent table's reference. */
	llms_agent_put(agent);
	llms_release_ended();
}

static bool llms_agent_end(struct llms_agent *agent)
{
	bool ended;

	spin_lock(&llmsched.lock);
	ended = llms_agent_end_locked(agent, llms_now());
	spin_unlock(&llmsched.lock);
	if (ended)
		llms_agent_end_finish(agent);
	return ended;
}

/*
 * The agent's process, as a reference to its thread group: 0 (or the
 * caller's own pid) is the caller; any other pid must be a child process of
 * the caller.  A child cannot be reaped, so its pid cannot be reused, while
 * the caller still registers it: the number names the process the caller
 * means, never someone else's.
 */
static int llms_agent_find_process(pid_t nr, struct pid **pidp)
{
	struct task_struct *tsk;
	struct pid *pid;
	int ret = 0;

	if (!nr || nr == task_tgid_vnr(current)) {
		*pidp = get_task_pid(current, PIDTYPE_TGID);
		return 0;
	}
	if (nr < 0)
		return -ESRCH;
	pid = find_get_pid(nr);
	if (!pid)
		return -ESRCH;
	rcu_read_lock();
	tsk = pid_task(pid, PIDTYPE_TGID);
	if (!tsk)
		ret = -ESRCH;
	else if (!same_thread_group(rcu_dereference(tsk->real_parent), current))
		ret = -ECHILD;
	rcu_read_unlock();
	if (ret) {
		put_pid(pid);
		return ret;
	}
	*pidp = pid;
	return 0;
}

/* Whether the agent's process has exited: all of its threads. */
static bool llms_agent_process_gone(const struct llms_agent *agent)
{
	struct task_struct *tsk;
	bool gone;

	rcu_read_lock();
	tsk = pid_task(agent->pid, PIDTYPE_TGID);
	gone = !tsk || !atomic_read(&tsk->signal->live);
	rcu_read_unlock();
	return gone;
}

/* Resolve the process and check that it lives in the cgroup. */
static int llms_agent_bind(struct llms_agent *agent,
			   const struct llmsched_agent_register *req)
{
	struct task_struct *tsk;
	bool inside;
	char *buf;
	int ret;

	agent->cgrp = cgroup_get_from_fd(req->cgroup_fd);
	if (IS_ERR(agent->cgrp)) {
		ret = PTR_ERR(agent->cgrp);
		agent->cgrp = NULL;
		/* A folder that was removed is still not a usable cgroup. */
		return ret == -ENOENT ? -EBADF : ret;
	}

	agent->cgroup_id = cgroup_id(agent->cgrp);

	ret = llms_agent_find_process(req->pid, &agent->pid);
	if (ret)
		return ret;
	tsk = get_pid_task(agent->pid, PIDTYPE_TGID);
	if (!tsk)
		return -ESRCH;
	rcu_read_lock();
	inside = task_under_cgroup_hierarchy(tsk, agent->cgrp);
	rcu_read_unlock();
	put_task_struct(tsk);
	if (!inside)
		return -EINVAL;

	buf = kmalloc(PATH_MAX, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	ret = cgroup_path_ns(agent->cgrp, buf, PATH_MAX,
			     current->nsproxy->cgroup_ns);
	if (ret >= 0)
		agent->cgroup_path = kstrdup(buf, GFP_KERNEL);
	kfree(buf);
	if (ret < 0)
		return ret;
	return agent->cgroup_path ? 0 : -ENOMEM;
}

/*
 * Under @lf->agent_lock: let go of an agent the watchdog found lost, so
 * that the file may register again.
 */
static void llms_file_drop_lost_agent(struct llms_file *lf)
{
	struct llms_agent *agent = lf->agent;

	if (agent && READ_ONCE(agent->lost)) {
		lf->agent = NULL;
		llms_agent_put(agent);
	}
}

long llms_ioc_agent_register(struct llms_file *lf, void *arg,
			     struct llms_ucmd *ucmd)
{
	struct llmsched_agent_register *req = arg;
	struct llms_agent *agent;
	unsigned int i;
	u32 id;
	u64 now;
	int ret;

	if (req->flags || req->__reserved)
		return -EINVAL;

	mutex_lock(&lf->agent_lock);
	llms_file_drop_lost_agent(lf);
	ret = -EBUSY;
	if (lf->agent)
		goto out_unlock;
	ret = -EINVAL;
	if (!req->slots || req->slots > LLMS_SLOTS_MAX ||
	    llms_res_vector_check(req->capacity, U64_MAX, true))
		goto out_unlock;

	ret = -ENOMEM;
	agent = kzalloc(sizeof(*agent), GFP_KERNEL_ACCOUNT);
	if (!agent)
		goto out_unlock;
	llms_obj_inc(LLMS_OBJ_AGENT);
	llms_agent_kobj_init(agent);
	agent->wq = &lf->agent_wq;

	ret = llms_agent_bind(agent, req);
	if (ret)
		goto out_put;

	/* Ids grow with registration order: ties go to the older agent. */
	ret = xa_alloc_cyclic(&llmsched.agents, &id, NULL,
			      XA_LIMIT(1, U32_MAX), &llmsched.next_agent_id,
			      GFP_KERNEL);
	if (ret < 0)
		goto out_put;
	lsc_agent_init(&agent->core, id);
	agent->core.slots = req->slots;
	for (i = 0; i < LSC_NR_RES; i++)
		agent->core.cap[i] = req->capacity[i];
	agent->core.tags = req->tags;
	agent->core.priv = agent;
	agent->last_seen = jiffies;

	/* The caller learns the id before anything can be handed to it. */
	req->agent_id = id;
	ret = llms_ucmd_respond(ucmd, req);
	if (ret)
		goto out_erase;

	ret = llms_agent_sysfs_add(agent);
	if (ret)
		goto out_erase;

	now = llms_now();
	spin_lock(&llmsched.lock);
	ret = lsc_agent_add(&llmsched.eng, &agent->core, now);
	if (!ret) {
		/* The agent table's reference. */
		kobject_get(&agent->kobj);
		xa_store(&llmsched.agents, id, agent, GFP_ATOMIC);
		llms_netlink_agent_event(id, true, now);
		lsc_dispatch(&llmsched.eng, now);
	}
	spin_unlock(&llmsched.lock);
	if (ret) {
		ret = ret == -LSC_EOVERCOMMIT ? -ENOSPC : ret;
		goto out_sysfs;
	}
	/* A new agent class re-queues the runnable tasks, a batch a hold. */
	llms_finish_pending();

	lf->agent = agent;
	mutex_unlock(&lf->agent_lock);
	return 0;

out_sysfs:
	llms_agent_sysfs_del(agent);
out_erase:
	xa_erase(&llmsched.agents, id);
	req->agent_id = 0;
	ucmd->responded = false;
out_put:
	llms_agent_put(agent);
out_unlock:
	mutex_unlock(&lf->agent_lock);
	return ret;
}

/* Under the lock: the oldest task assigned to @agent and not fetched. */
static struct llms_task *llms_agent_next_locked(struct llms_agent *agent)
{
	struct llms_task *task;

	llms_for_each_agent_task(task, agent)
		if (task->core.state == LSC_TASK_ASSIGNED && !task->fetched_by)
			return task;
	return NULL;
}

bool llms_agent_has_work(struct llms_agent *agent)
{
	bool work;

	spin_lock(&llmsched.lock);
	work = agent->lost || llms_agent_next_locked(agent);
	spin_unlock(&llmsched.lock);
	return work;
}

static int llms_fetch_take(struct llms_agent *agent,
			   struct llmsched_agent_fetch *req,
			   struct llms_task **taken)
{
	struct llms_task *task;

	spin_lock(&llmsched.lock);
	if (agent->lost) {
		spin_unlock(&llmsched.lock);
		return -EBADFD;
	}
	task = llms_agent_next_locked(agent);
	if (!task) {
		spin_unlock(&llmsched.lock);
		return -EAGAIN;
	}
	if (task->payload_len > req->payload_len) {
		req->payload_len = task->payload_len;
		spin_unlock(&llmsched.lock);
		return -ENOSPC;
	}
	task->fetched_by = agent->core.id;
	/* A fetched task stays where it is: the balancer leaves it alone. */
	task->core.flags |= LSC_TASK_F_PINNED;
	kref_get(&task->ref);
	spin_unlock(&llmsched.lock);
	*taken = task;
	return 0;
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

long llms_ioc_agent_fetch(struct llms_file *lf, void *arg,
			  struct llms_ucmd *ucmd)
{
	struct llmsched_agent_fetch *req = arg;
	struct llms_task *task = NULL;
	struct llms_agent *agent;
	unsigned long deadline;
	unsigned int i;
	long left;
	int ret;

	if (req->flags || req->__reserved)
		return -EINVAL;
	agent = llms_file_agent(lf);
	if (!agent)
		return -EBADFD;

	deadline = jiffies + llms_timeout_jiffies(req->timeout_ns);
	for (;;) {
		ret = llms_fetch_take(agent, req, &task);
		if (ret != -EAGAIN || !req->timeout_ns)
			break;
		left = (long)(deadline - jiffies);
		if (left <= 0) {
			ret = -ETIMEDOUT;
			break;
		}
		atomic_inc(&agent->fetching);
		left = wait_event_interruptible_timeout(*agent->wq,
							llms_agent_has_work(agent),
							left);
		atomic_dec(&agent->fetching);
		if (left < 0) {
			ret = -EINTR;
			break;
		}
	}
	if (ret)
		goto out;

	req->task_id = task->core.id;
	req->est_runtime_ns = task->core.est_ns;
	for (i = 0; i < LSC_NR_RES; i++)
		req->demand[i] = task->core.demand[i];
	for (; i < LLMSCHED_RES_MAX; i++)
		req->demand[i] = 0;
	req->owner_uid = from_kuid_munged(current_user_ns(), task->owner);
	req->submit_flags = task->submit_flags;
	req->payload_len = task->payload_len;
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
	if (!ret && task->core.state == LSC_TASK_RUNNING)
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
	if (!ret) {
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

/*
 * Unregistering checks that no fetched task is left and ends the agent in
 * one lock hold, so that no dispatch or fetch on another thread can come
 * between.  An agent the watchdog already found lost is simply let go.
 */
long llms_ioc_agent_unregister(struct llms_file *lf, void *arg,
			       struct llms_ucmd *ucmd)
{
	struct llmsched_agent_unregister *req = arg;
	struct llms_agent *agent;
	struct llms_task *task;
	bool ended = false;
	int ret = 0;

	if (req->flags)
		return -EINVAL;

	mutex_lock(&lf->agent_lock);
	agent = lf->agent;
	if (!agent) {
		mutex_unlock(&lf->agent_lock);
		return -EBADFD;
	}

	spin_lock(&llmsched.lock);
	llms_for_each_agent_task(task, agent)
		if (task->fetched_by == agent->core.id)
			ret = -EBUSY;
	if (!ret)
		ended = llms_agent_end_locked(agent, llms_now());
	spin_unlock(&llmsched.lock);

	if (!ret) {
		if (ended)
			llms_agent_end_finish(agent);
		lf->agent = NULL;
		llms_agent_put(agent);
	}
	mutex_unlock(&lf->agent_lock);
	return ret;
}

static int llms_fd_is(const void *file, struct file *f, unsigned int fd)
{
	return f == file;
}

void llms_agent_file_flush(struct llms_file *lf, struct file *file)
{
	struct llms_agent *agent;

	mutex_lock(&lf->agent_lock);
	agent = lf->agent;
	if (agent && !READ_ONCE(agent->lost) &&
	    task_tgid(current) == agent->pid &&
	    !iterate_fd(current->files, 0, llms_fd_is, file))
		kobject_get(&agent->kobj);
	else
		agent = NULL;
	mutex_unlock(&lf->agent_lock);
	if (!agent)
		return;
	llms_agent_end(agent);
	llms_agent_put(agent);
}

/* The file of an agent is being released: the agent is lost. */
void llms_agent_file_release(struct llms_file *lf)
{
	struct llms_agent *agent;

	mutex_lock(&lf->agent_lock);
	agent = lf->agent;
	lf->agent = NULL;
	mutex_unlock(&lf->agent_lock);
	if (!agent)
		return;
	llms_agent_end(agent);
	llms_agent_put(agent);
}

/* The watchdog: agents whose process exited or that went silent. */
void llms_agents_check(void)
{
	unsigned long timeout, now = jiffies;
	struct llms_agent *agent;
	unsigned long index;
	bool gone;

	timeout = msecs_to_jiffies(READ_ONCE(llmsched.limits.heartbeat_timeout_ms));
	for (index = 0; ; index++) {
		/*
		 * Agents leave the table under the lock, before the table's
		 * reference goes: one found under the lock can be held.
		 */
		spin_lock(&llmsched.lock);
		agent = xa_find(&llmsched.agents, &index, ULONG_MAX, XA_PRESENT);
		if (agent)
			kobject_get(&agent->kobj);
		spin_unlock(&llmsched.lock);
		if (!agent)
			break;
		if (atomic_read(&agent->fetching))
			WRITE_ONCE(agent->last_seen, now);
		gone = llms_agent_process_gone(agent);
		if (gone || time_after(now, READ_ONCE(agent->last_seen) + timeout)) {
			if (llms_agent_end(agent))
				pr_info_ratelimited("agent %u lost: %s\n",
						    agent->core.id, gone ?
						    "its process exited" :
						    "no heartbeat");
		}
		llms_agent_put(agent);
	}
}

long llms_ioc_load_report(struct llms_file *lf, void *arg,
			  struct llms_ucmd *ucmd)
{
	struct llmsched_load_report *req = arg;
	struct llmsched_load_entry *entries;
	struct llms_agent *agent;
	u64 now;
	u32 i;

	if (req->flags)
		return -EINVAL;
	if (!req->count || req->count > LLMS_LOAD_ENTRIES_MAX ||
	    req->entry_size != sizeof(*entries))
		return -EINVAL;

	entries = kvmalloc_array(req->count, sizeof(*entries), GFP_KERNEL);
	if (!entries)
		return -ENOMEM;
	if (copy_from_user(entries, u64_to_user_ptr(req->entries_ptr),
			   req->count * sizeof(*entries))) {
		kvfree(entries);
		return -EFAULT;
	}
	for (i = 0; i < req->count; i++) {
		if (entries[i].load > LLMS_LOAD_MAX) {
			kvfree(entries);
			return -EINVAL;
		}
	}

	now = llms_now();
	spin_lock(&llmsched.lock);
	for (i = 0; i < req->count; i++) {
		agent = xa_load(&llmsched.agents, entries[i].agent_id);
		if (agent && !agent->lost)
			lsc_agent_set_measured(&llmsched.eng, &agent->core,
					       entries[i].load);
	}
	lsc_balance(&llmsched.eng, now);
	lsc_dispatch(&llmsched.eng, now);
	spin_unlock(&llmsched.lock);

	kvfree(entries);
	return 0;
}
