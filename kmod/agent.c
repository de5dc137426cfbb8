// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched: an agent's life.  An agent is an open file of /dev/llmsched
 * bound to a process and the cgroup v2 folder that holds it and the tasks
 * it runs; agent_io.c is its work, agent_admin.c what administrators do to
 * it by id.
 *
 * An agent ends in one of two ways:
 *
 * - it unregisters (no fetched task left): its unfetched tasks go back to
 *   the run queue at no cost and its reservation returns to the host;
 * - it is lost: its process closes its last descriptor of the file, the
 *   file is released, its process exits, or it misses its heartbeats.  Its
 *   unfetched tasks go back at no cost (they never ran).  Its fetched ones
 *   may still run: they become STOPPING and keep the agent's reservation,
 *   the module kills the agent's process (and its process group, when it
 *   leads one), and only once the agent's cgroup holds no process at all
 *   (the fence) are they requeued on their retry budget and the
 *   reservation returned.  So no task ever runs twice at once.  A lost
 *   agent with no fetched task is not killed: nothing of it can run twice.
 *
 * The first to end an agent wins (agent->lost, under the lock).
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
 * A reference to this file's agent, or NULL: only a live one, or (@any)
 * a lost one too.  Every call an agent makes counts as a heartbeat.
 */
static struct llms_agent *llms_file_agent_get(struct llms_file *lf, bool any)
{
	struct llms_agent *agent;

	mutex_lock(&lf->agent_lock);
	agent = lf->agent;
	if (agent && (any || !READ_ONCE(agent->lost))) {
		kobject_get(&agent->kobj);
		WRITE_ONCE(agent->last_seen, jiffies);
	} else {
		agent = NULL;
	}
	mutex_unlock(&lf->agent_lock);
	return agent;
}

struct llms_agent *llms_file_agent(struct llms_file *lf)
{
	return llms_file_agent_get(lf, false);
}

struct llms_agent *llms_file_agent_any(struct llms_file *lf)
{
	return llms_file_agent_get(lf, true);
}

/* Under the lock: @agent leaves the engine and the agent table. */
static void llms_agent_remove_locked(struct llms_agent *agent, u64 now)
{
	lsc_agent_remove(&llmsched.eng, &agent->core, now);
	xa_erase(&llmsched.agents, agent->core.id);
	lsc_dispatch(&llmsched.eng, now);
	llms_netlink_agent_event(agent, 0, now);
}

/* After the agent left the table, without the lock. */
static void llms_agent_removed(struct llms_agent *agent)
{
	llms_agent_sysfs_del(agent);
	/* The agent table's reference. */
	llms_agent_put(agent);
	llms_release_ended();
}

/* Under the lock: whether some task of @agent is stopping. */
static bool llms_agent_stopping_locked(struct llms_agent *agent)
{
	struct llms_task *task;

	llms_for_each_agent_task(task, agent)
		if (task->core.state == LSC_TASK_STOPPING)
			return true;
	return false;
}

/*
 * Under the lock: the agent is lost.  Its waiters are woken here, under
 * the lock, and never again: the file may be freed as soon as somebody
 * has seen @agent->lost.  @tell: the agent may still read its file (it
 * missed heartbeats), so it gets a LOST control record.  Returns false
 * when somebody else ended it first.  *@fence says whether its tasks wait
 * for the fence (else the agent already left the table).
 */
static bool llms_agent_lose_locked(struct llms_agent *agent, bool tell,
				   bool *fence, u64 now)
{
	struct llms_task *task;

	lockdep_assert_held(&llmsched.lock);
	*fence = false;
	if (agent->lost)
		return false;
	agent->lost = true;
	agent->lost_pending = tell;
	llms_for_each_agent_task(task, agent)
		llms_task_drop_control(task);
	/* Unfetched tasks go back at no cost; the others start stopping. */
	lsc_agent_set_health(&llmsched.eng, &agent->core, LSC_AGENT_LOST, now);
	if (llms_agent_stopping_locked(agent)) {
		agent->fencing = true;
		*fence = true;
		lsc_dispatch(&llmsched.eng, now);
		llms_netlink_agent_event(agent, LLMSCHED_AGENT_FENCING, now);
	} else {
		llms_agent_remove_locked(agent, now);
	}
	wake_up_all(agent->wq);
	return true;
}

/*
 * Kill what is left of a lost agent: its process, and its process group
 * when it leads one (the runtime starts each agent in a session of its
 * own, with its tasks in that session).  A task process that left the group
 * still holds up the fence until somebody empties the cgroup.
 */
static void llms_agent_kill(struct llms_agent *agent)
{
	bool leader;

	rcu_read_lock();
	leader = pid_task(agent->pid, PIDTYPE_PGID);
	rcu_read_unlock();
	kill_pid(agent->pid, SIGKILL, 1);
	if (leader)
		kill_pgrp(agent->pid, SIGKILL, 1);
}

/* Lose @agent (see above), and finish without the lock. */
static bool llms_agent_lose(struct llms_agent *agent, bool tell)
{
	bool lost, fence;

	spin_lock(&llmsched.lock);
	lost = llms_agent_lose_locked(agent, tell, &fence, llms_now());
	spin_unlock(&llmsched.lock);
	if (!lost)
		return false;
	/* Only what may run a task twice is killed. */
	if (fence) {
		llms_agent_kill(agent);
		llms_watchdog_fence();
	} else {
		llms_agent_removed(agent);
	}
	return true;
}

/*
 * The fence: a lost agent whose cgroup holds no process any more can run
 * nothing: its stopping tasks go back on their retry budget and its
 * reservation returns.
 */
static void llms_agent_try_fence(struct llms_agent *agent)
{
	bool done;

	if (cgroup_is_populated(agent->cgrp))
		return;
	spin_lock(&llmsched.lock);
	done = agent->fencing;
	if (done) {
		agent->fencing = false;
		llms_agent_remove_locked(agent, llms_now());
	}
	spin_unlock(&llmsched.lock);
	if (done)
		llms_agent_removed(agent);
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
	if (!tsk || !atomic_read(&tsk->signal->live))
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
 * Under @lf->agent_lock: let go of an agent that was lost, so that the
 * file may register again (a fencing agent lives on in the agent table).
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
	if (!req->slots || req->slots > LLMSCHED_SLOTS_MAX ||
	    llms_res_vector_check(req->capacity, U64_MAX, true))
		goto out_unlock;

	ret = -ENOMEM;
	agent = kzalloc(sizeof(*agent), GFP_KERNEL_ACCOUNT);
	if (!agent)
		goto out_unlock;
	llms_obj_inc(LLMS_OBJ_AGENT);
	llms_agent_kobj_init(agent);
	agent->wq = &lf->agent_wq;
	INIT_LIST_HEAD(&agent->controls);

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
		llms_netlink_agent_event(agent, LLMSCHED_AGENT_UP, now);
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

/*
 * Unregistering checks that no task is fetched and ends the agent in one
 * lock hold, so that no dispatch or fetch on another thread can come
 * between.  An agent already lost is simply let go.
 */
long llms_ioc_agent_unregister(struct llms_file *lf, void *arg,
			       struct llms_ucmd *ucmd)
{
	struct llmsched_agent_unregister *req = arg;
	struct llms_agent *agent;
	struct llms_task *task;
	bool ended = false;
	u64 now = llms_now();
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
	if (!agent->lost) {
		llms_for_each_agent_task(task, agent)
			if (task->fetched_by == agent->core.id)
				ret = -EBUSY;
	}
	if (!ret && !agent->lost) {
		agent->lost = true;
		/* Unfetched tasks go back at no cost to their retry budget. */
		llms_for_each_agent_task_safe(task, agent)
			lsc_task_requeue(&llmsched.eng, &task->core, false,
					 now);
		llms_agent_remove_locked(agent, now);
		wake_up_all(agent->wq);
		ended = true;
	}
	spin_unlock(&llmsched.lock);

	if (!ret) {
		if (ended)
			llms_agent_removed(agent);
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
	llms_agent_lose(agent, false);
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
	llms_agent_lose(agent, false);
	llms_agent_put(agent);
}

/*
 * Under the lock: stop the tasks of @agent that ran past their time limit
 * (time frozen does not count).
 */
static void llms_agent_time_limits_locked(struct llms_agent *agent, u64 now)
{
	struct llms_task *task;

	llms_for_each_agent_task(task, agent) {
		if (!task->time_limit_ns || !task->start_ns ||
		    task->core.state == LSC_TASK_STOPPING ||
		    task->core.state == LSC_TASK_ASSIGNED)
			continue;
		if (llms_task_run_ns(task, now) > task->time_limit_ns)
			lsc_task_stop(&llmsched.eng, &task->core,
				      LSC_STOP_TIMEOUT, now);
	}
}

/*
 * The watchdog: agents whose process exited or that went silent are lost,
 * fencing agents whose cgroup emptied are let go, and tasks past their time
 * limit are stopped.  Returns whether an agent is still fencing.
 */
bool llms_agents_check(void)
{
	unsigned long timeout, now = jiffies;
	struct llms_agent *agent;
	unsigned long index;
	bool gone, fencing = false;

	timeout = msecs_to_jiffies(READ_ONCE(llmsched.limits.heartbeat_timeout_ms));
	for (index = 0; ; index++) {
		/*
		 * Agents leave the table under the lock, before the table's
		 * reference goes: one found under the lock can be held.
		 */
		spin_lock(&llmsched.lock);
		agent = xa_find(&llmsched.agents, &index, ULONG_MAX, XA_PRESENT);
		if (agent) {
			kobject_get(&agent->kobj);
			if (!agent->lost)
				llms_agent_time_limits_locked(agent,
							      llms_now());
		}
		spin_unlock(&llmsched.lock);
		if (!agent)
			break;
		if (READ_ONCE(agent->fencing)) {
			llms_agent_try_fence(agent);
			fencing |= READ_ONCE(agent->fencing);
		} else if (!READ_ONCE(agent->lost)) {
			if (atomic_read(&agent->fetching))
				WRITE_ONCE(agent->last_seen, now);
			gone = llms_agent_process_gone(agent);
			if ((gone || time_after(now, READ_ONCE(agent->last_seen) +
						timeout)) &&
			    llms_agent_lose(agent, !gone)) {
				pr_info_ratelimited("agent %u lost: %s\n",
						    agent->core.id, gone ?
						    "its process exited" :
						    "no heartbeat");
				fencing |= READ_ONCE(agent->fencing);
			}
		}
		llms_agent_put(agent);
	}
	return fencing;
}

/*
 * At unload no file is open, but lost agents may still be fencing: with
 * the module gone nothing can run their tasks twice, so they go now,
 * before their sysfs folders' parent does.  The watchdog is stopped.
 */
void llms_agents_exit(void)
{
	struct llms_agent *agent;
	unsigned long index;

	xa_for_each(&llmsched.agents, index, agent) {
		spin_lock(&llmsched.lock);
		agent->fencing = false;
		lsc_agent_remove(&llmsched.eng, &agent->core, llms_now());
		xa_erase(&llmsched.agents, index);
		spin_unlock(&llmsched.lock);
		llms_agent_sysfs_del(agent);
		llms_agent_put(agent);
	}
}
