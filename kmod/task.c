// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched: the submitters' ioctls (submit, batch, cancel, query, wait,
 * list) and read() of a file's task events.
 *
 * A submission is prepared without the lock (checks, allocations charged to
 * the caller's memory cgroup, copies from userspace, dependency lookups,
 * a slot in the task table) and committed under it (limits, fit, the
 * engine).  A batch is all or nothing: every entry is prepared and checked
 * before the first is committed.
 */

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait_bit.h>

#include "llmsched.h"

#define LLMS_RETRIES_MAX	16
#define LLMS_DEMAND_MAX		BIT_ULL(48)
#define LLMS_LIST_MAX		1024
/* Tasks looked at per TASK_LIST call, so that the lock is held briefly. */
#define LLMS_LIST_SCAN		16384
/*
 * Batch entries copied in, and committed, per step: a batch never needs
 * its whole array of entries in the kernel at once.
 */
#define LLMS_BATCH_CHUNK	64

/*
 * One submission between its preparation and its commit: what the commit
 * needs of the request, kept because a batch's entries are copied in a
 * chunk at a time.
 */
struct llms_prep {
	struct llms_task *task;
	struct llms_task **dep_refs;
	u32 nr_deps;
	u32 nr_features;
	u64 features[LLMSCHED_FEATURES_MAX];
};

static bool llms_may_access(const struct llms_task *task)
{
	return uid_eq(task->owner, current_euid()) || capable(CAP_SYS_ADMIN);
}

/*
 * A reference to task @id for a caller who must own it (or be an
 * administrator): 0 or -ENOENT.  Another user's task answers exactly as a
 * task that does not exist, so that nobody learns which ids are someone
 * else's.
 */
static int llms_task_get_owned(u64 id, struct llms_task **taskp)
{
	struct llms_task *task = llms_task_get(id);

	if (!task)
		return -ENOENT;
	if (!llms_may_access(task)) {
		llms_task_put(task);
		return -ENOENT;
	}
	*taskp = task;
	return 0;
}

/*
 * A label is printable ASCII, then NUL padding to the end of the field
 * (so that it is always NUL-terminated): 0 or -EINVAL.
 */
static int llms_label_check(const char *label)
{
	unsigned int i, len = strnlen(label, LLMSCHED_LABEL_MAX);

	if (len == LLMSCHED_LABEL_MAX)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (label[i] < 0x20 || label[i] > 0x7e)
			return -EINVAL;
	for (; i < LLMSCHED_LABEL_MAX; i++)
		if (label[i])
			return -EINVAL;
	return 0;
}

/*
 * The checks that need nothing but the structure itself, in the documented
 * order: flags, then the values and sizes of its fields, then the caller's
 * right to its priority.  What the pointers point at comes later.
 */
static int llms_submit_check(const struct llmsched_task_submit *req)
{
	unsigned int i;
	int ret;

	if (req->flags & ~LLMSCHED_SUBMIT_FLAGS || req->__reserved)
		return -EINVAL;
	if (req->priority > LLMSCHED_PRIO_MAX ||
	    req->retries > LLMS_RETRIES_MAX)
		return -EINVAL;
	ret = llms_res_vector_check(req->demand, LLMS_DEMAND_MAX, true);
	if (ret)
		return ret;
	if (req->nr_features > LLMSCHED_FEATURES_MAX)
		return -EINVAL;
	for (i = req->nr_features; i < LLMSCHED_FEATURES_MAX; i++)
		if (req->features[i])
			return -EINVAL;
	if (!req->est_runtime_ns && !req->nr_features)
		return -EINVAL;
	if (req->payload_len > LLMSCHED_PAYLOAD_MAX)
		return -E2BIG;
	if (req->nr_deps > LLMSCHED_DEPS_MAX)
		return -EINVAL;
	ret = llms_label_check(req->label);
	if (ret)
		return ret;
	/* As with nice(2): raising urgency above the ceiling is a privilege. */
	if (req->priority > READ_ONCE(llmsched.limits.max_user_priority) &&
	    !capable(CAP_SYS_NICE))
		return -EPERM;
	return 0;
}

static void llms_prep_release(struct llms_prep *prep, bool committed)
{
	unsigned int i;

	if (prep->dep_refs) {
		for (i = 0; i < prep->nr_deps; i++)
			if (prep->dep_refs[i])
				llms_task_put(prep->dep_refs[i]);
		kfree(prep->dep_refs);
		prep->dep_refs = NULL;
	}
	if (!committed && prep->task) {
		if (prep->task->core.id) {
			/*
			 * It was in the table: a lookup may hold it for a
			 * moment, so it goes the way every task goes.
			 */
			spin_lock(&llmsched.lock);
			xa_erase(&llmsched.tasks, prep->task->core.id);
			spin_unlock(&llmsched.lock);
			llms_task_put(prep->task);
		} else {
			llms_task_free(prep->task);
		}
	}
	prep->task = NULL;
}

/*
 * The task's dependency edges.  In a batch (@preps, this entry being
 * @index), a dependency with LLMSCHED_DEP_BATCH_INDEX names an earlier
 * entry: its task is not in the table yet, and is held like the others
 * until the commit, so that it cannot be freed between two chunks.
 */
static int llms_prep_deps(struct llms_prep *prep,
			  const struct llmsched_task_submit *req,
			  struct llms_prep *preps, u32 index)
{
	struct llms_task *task = prep->task;
	u32 n = req->nr_deps;
	u64 *ids;
	u32 i, j;
	int ret;

	if (!n)
		return 0;
	ids = kmalloc_array(n, sizeof(*ids), LLMS_GFP_USER);
	if (!ids)
		return -ENOMEM;
	ret = -EFAULT;
	if (copy_from_user(ids, u64_to_user_ptr(req->deps_ptr),
			   n * sizeof(*ids)))
		goto out;
	ret = -EINVAL;
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (ids[i] == ids[j])
				goto out;

	ret = -ENOMEM;
	task->deps = kcalloc(n, sizeof(*task->deps), LLMS_GFP_USER);
	prep->dep_refs = kcalloc(n, sizeof(*prep->dep_refs), LLMS_GFP_USER);
	if (!task->deps || !prep->dep_refs)
		goto out;

	for (i = 0; i < n; i++) {
		struct llms_task *dep;

		if (ids[i] & LLMSCHED_DEP_BATCH_INDEX) {
			u64 at = ids[i] & ~LLMSCHED_DEP_BATCH_INDEX;

			/* Only earlier entries: no cycle can be built. */
			ret = -EINVAL;
			if (!preps || at >= index)
				goto out;
			dep = preps[at].task;
			kref_get(&dep->ref);
			prep->dep_refs[i] = dep;
		} else {
			dep = llms_task_get(ids[i]);
			ret = -ENOENT;
			if (!dep)
				goto out;
			prep->dep_refs[i] = dep;
			if (!llms_may_access(dep))
				goto out;
		}
		task->deps[i].on = &dep->core;
	}
	ret = 0;
out:
	kfree(ids);
	return ret;
}

/*
 * Everything about @task that may sleep or fail before the commit, but for
 * its slot in the task table: its payload and dependencies.  @req has
 * passed llms_submit_check(); @task is zeroed and becomes @prep's, to be
 * released with it.
 */
static int llms_prepare(struct llms_file *lf, struct llms_prep *prep,
			const struct llmsched_task_submit *req,
			struct llms_task *task, struct llms_prep *preps, u32 index)
{
	unsigned int i;
	int ret;

	prep->task = task;
	llms_task_init_ref(task);
	kref_get(&lf->events->ref);
	task->events = lf->events;

	if (req->payload_len) {
		task->payload = kvmalloc(req->payload_len, LLMS_GFP_USER_KV);
		if (!task->payload)
			return -ENOMEM;
		if (copy_from_user(task->payload,
				   u64_to_user_ptr(req->payload_ptr),
				   req->payload_len))
			return -EFAULT;
		task->payload_len = req->payload_len;
	}

	/* Set first: the dependency references are released by this count. */
	prep->nr_deps = req->nr_deps;
	ret = llms_prep_deps(prep, req, preps, index);
	if (ret)
		return ret;
	prep->nr_features = req->nr_features;
	memcpy(prep->features, req->features, sizeof(prep->features));
	task->nr_features = req->nr_features;
	memcpy(task->features, req->features, sizeof(task->features));

	lsc_task_init(&task->core, 0);
	task->core.prio = req->priority;
	task->core.retries = req->retries;
	task->core.est_ns = req->est_runtime_ns;
	for (i = 0; i < LSC_NR_RES; i++)
		task->core.demand[i] = req->demand[i];
	task->core.tags = req->tags;
	task->core.priv = task;
	task->owner = current_euid();
	task->submit_flags = req->flags;
	if (req->flags & LLMSCHED_SUBMIT_PREEMPTIBLE)
		task->core.flags |= LSC_TASK_F_PREEMPTIBLE;
	task->time_limit_ns = req->time_limit_ns;
	memcpy(task->label, req->label, sizeof(task->label));
	task->bytes = llms_task_bytes(req->payload_len, req->nr_deps);
	return 0;
}

/*
 * The caller's account.  Accounts live until unload, so the file keeps the
 * last one it used and looks again only when the caller's uid differs.
 */
static struct llms_user *llms_file_user(struct llms_file *lf)
{
	kuid_t uid = current_euid();
	struct llms_user *user = READ_ONCE(lf->user);

	if (user && uid_eq(user->uid, uid))
		return user;
	user = llms_user_get_or_add(uid);
	if (user)
		WRITE_ONCE(lf->user, user);
	return user;
}

/* The first of @n prepared tasks that no agent could ever hold, or -1. */
static int llms_first_unfit(struct llms_prep *preps, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (!lsc_task_can_ever_fit(&llmsched.eng, &preps[i].task->core))
			return i;
	return -1;
}

/* Under the lock: hand prepared tasks to the engine and dispatch. */
static void llms_commit_locked(struct llms_user *user, struct llms_prep *preps,
			       u32 n)
{
	u64 now = llms_now();
	u32 i;
	int ret;

	for (i = 0; i < n; i++) {
		struct llms_prep *prep = &preps[i];
		struct llms_task *task = prep->task;

		task->submit_ns = now;
		ret = lsc_task_submit(&llmsched.eng, &task->core, &user->core,
				      task->deps, prep->nr_deps,
				      prep->nr_features ? prep->features : NULL,
				      prep->nr_features, now);
		/* Everything the engine checks was checked before. */
		WARN_ON_ONCE(ret);
	}
	lsc_dispatch(&llmsched.eng, now);
}

/* The file's event ring, allocated on its first submission. */
static int llms_events_prepare(struct llms_file *lf)
{
	struct llmsched_task_event *ring;

	if (READ_ONCE(lf->events->ring))
		return 0;
	ring = kvcalloc(LLMS_EVENT_RING, sizeof(*ring), LLMS_GFP_USER_KV);
	if (!ring)
		return -ENOMEM;
	spin_lock(&llmsched.lock);
	/* A closed file's ring is gone for good: nobody would read it. */
	if (!lf->events->ring && !lf->events->closed) {
		lf->events->ring = ring;
		ring = NULL;
		llms_obj_inc(LLMS_OBJ_EVENT_RING);
	}
	spin_unlock(&llmsched.lock);
	kvfree(ring);
	return 0;
}

/*
 * Commit @n prepared tasks, all or none: the fit and the limits are checked
 * for all of them under one lock hold, and their places in the limits are
 * taken at once; the engine then gets them a chunk per lock hold.  Their
 * ids are the caller's already: once the first chunk is in, any of them may
 * run, end and be freed before this returns.
 * On failure, *@bad is the index of the entry at fault (or @n).
 */
static int llms_commit(struct llms_file *lf, struct llms_prep *preps, u32 n,
		       u32 *bad)
{
	struct llms_user *user;
	LIST_HEAD(victims);
	u64 bytes = 0;
	u32 done, chunk, i;
	int unfit, ret = 0;

	*bad = n;
	user = llms_file_user(lf);
	if (!user)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		bytes += preps[i].task->bytes;

	spin_lock(&llmsched.lock);
	unfit = llms_first_unfit(preps, n);
	if (unfit >= 0) {
		*bad = unfit;
		ret = -ENOSPC;
	} else if (user->held + n > llmsched.limits.max_tasks_per_user) {
		ret = -EDQUOT;
	} else if (llmsched.held + n > llmsched.limits.max_tasks) {
		ret = -EAGAIN;
	} else if (!llms_user_make_room_locked(user, bytes, &victims)) {
		ret = -EDQUOT;
	}
	if (ret) {
		spin_unlock(&llmsched.lock);
		return ret;
	}
	user->held += n;
	user->bytes += bytes;
	llmsched.held += n;

	for (done = 0; done < n; done += chunk) {
		chunk = min_t(u32, n - done, LLMS_BATCH_CHUNK);
		if (done) {
			spin_unlock(&llmsched.lock);
			cond_resched();
			spin_lock(&llmsched.lock);
		}
		llms_commit_locked(user, preps + done, chunk);
	}
	spin_unlock(&llmsched.lock);
	llms_put_victims(&victims);
	return 0;
}

long llms_ioc_submit(struct llms_file *lf, void *arg, struct llms_ucmd *ucmd)
{
	struct llmsched_task_submit *req = arg;
	struct llms_prep prep = {};
	struct llms_task *task;
	u32 bad;
	int ret;

	ret = llms_submit_check(req);
	if (ret)
		return ret;
	task = llms_task_alloc();
	if (!task)
		return -ENOMEM;
	ret = llms_prepare(lf, &prep, req, task, NULL, 0);
	if (!ret)
		ret = llms_task_table_insert(&prep.task, 1);
	if (!ret)
		ret = llms_events_prepare(lf);
	if (!ret) {
		/*
		 * The id reaches the caller before the task is visible: after
		 * the commit it may already be gone, and a caller who cannot
		 * receive its id gets no task.
		 */
		req->task_id = prep.task->core.id;
		ret = llms_ucmd_respond(ucmd, req);
	}
	if (!ret)
		ret = llms_commit(lf, &prep, 1, &bad);
	if (ret) {
		req->task_id = 0;
		ucmd->responded = false;
	}
	llms_prep_release(&prep, !ret);
	llms_release_ended();
	return ret;
}

/*
 * Write the ids @first, @first + 1, ... (or 0 to all when @first is 0) to
 * the task_id of @n entries of @esize bytes, in one stretch of user access.
 */
static int llms_batch_put_ids(void __user *uentries, u32 esize, u64 first,
			      u32 n)
{
	u32 i;

	if (!user_write_access_begin(uentries, (size_t)n * esize))
		return -EFAULT;
	for (i = 0; i < n; i++) {
		u64 __user *id = uentries + (size_t)i * esize +
				 offsetof(struct llmsched_task_submit, task_id);

		unsafe_put_user(first ? first + i : 0, id, efault);
	}
	user_write_access_end();
	return 0;
efault:
	user_write_access_end();
	return -EFAULT;
}

/*
 * Copy in, check and prepare entries [@first, @first + @k) of a batch,
 * each of @esize bytes, their tasks taken from the slab in bulk into
 * @tasks.  Entries are taken in order, so the first bad one is the one
 * named.  *@allocated counts the tasks taken, prepared or not, for the
 * caller to release.
 */
static int llms_batch_prepare(struct llms_file *lf, void __user *uentries,
			      u32 esize, u32 first, u32 k,
			      struct llms_prep *preps, struct llms_task **tasks,
			      u32 *allocated, u32 *bad)
{
	struct llmsched_task_submit entry;
	u32 i;
	int ret;

	ret = llms_task_alloc_bulk(k, tasks + first);
	if (ret)
		return ret;
	*allocated += k;
	for (i = first; i < first + k; i++) {
		*bad = i;
		ret = copy_struct_from_user(&entry, sizeof(entry),
					    uentries + (size_t)i * esize, esize);
		if (ret)
			return ret;
		if (entry.size != esize)
			return -EINVAL;
		ret = llms_submit_check(&entry);
		if (!ret)
			ret = llms_prepare(lf, &preps[i], &entry, tasks[i],
					   preps, i);
		if (ret)
			return ret;
	}
	*bad = first + k;
	return 0;
}

long llms_ioc_submit_batch(struct llms_file *lf, void *arg,
			   struct llms_ucmd *ucmd)
{
	struct llmsched_submit_batch *batch = arg;
	void __user *uentries;
	struct llms_task **tasks;
	struct llms_prep *preps;
	u32 i, k, n = batch->count, allocated = 0;
	u32 esize = batch->entry_size;
	bool committed = false, ids_out = false;
	int ret;

	batch->error_index = n;
	if (batch->flags || batch->__reserved)
		return -EINVAL;
	if (!n || n > LLMSCHED_BATCH_MAX ||
	    esize < LLMSCHED_TASK_SUBMIT_SIZE_VER0 || esize > PAGE_SIZE)
		return -EINVAL;

	uentries = u64_to_user_ptr(batch->entries_ptr);
	preps = kvcalloc(n, sizeof(*preps), LLMS_GFP_USER_KV);
	tasks = kvmalloc_array(n, sizeof(*tasks), LLMS_GFP_USER_KV);
	ret = -ENOMEM;
	if (!preps || !tasks)
		goto out;
	ret = llms_events_prepare(lf);
	for (i = 0; !ret && i < n; i += k) {
		k = min_t(u32, n - i, LLMS_BATCH_CHUNK);
		batch->error_index = n;
		ret = llms_batch_prepare(lf, uentries, esize, i, k, preps,
					 tasks, &allocated,
					 &batch->error_index);
	}
	if (ret)
		goto release;
	batch->error_index = n;
	ret = llms_task_table_insert(tasks, n);
	/*
	 * Every id and the outcome reach the caller before any task is
	 * visible: the ids are consecutive, and a task of the batch may end
	 * and be freed while later chunks are still going in.
	 */
	if (!ret) {
		ids_out = true;
		ret = llms_batch_put_ids(uentries, esize, tasks[0]->core.id, n);
	}
	if (!ret)
		ret = llms_ucmd_respond(ucmd, batch);
	if (!ret)
		ret = llms_commit(lf, preps, n, &batch->error_index);
	if (!ret) {
		committed = true;
	} else if (ids_out) {
		/* Nothing was created: take the ids back where we can. */
		llms_batch_put_ids(uentries, esize, 0, n);
		ucmd->responded = false;
	}

release:
	/* Tasks past a failed entry were never handed to a prep. */
	for (i = 0; i < allocated; i++) {
		if (preps[i].task)
			llms_prep_release(&preps[i], committed);
		else
			llms_task_free(tasks[i]);
	}
	llms_release_ended();
out:
	kvfree(tasks);
	kvfree(preps);
	return ret;
}

long llms_ioc_cancel(struct llms_file *lf, void *arg,
		     struct llms_ucmd *ucmd)
{
	struct llmsched_task_cancel *req = arg;
	struct llms_task *task;
	int ret;

	if (req->flags)
		return -EINVAL;
	ret = llms_task_get_owned(req->task_id, &task);
	if (ret)
		return ret;

	spin_lock(&llmsched.lock);
	/* Ended, or being stopped already: it ends without this call. */
	if (lsc_task_terminal(task->core.state) ||
	    task->core.state == LSC_TASK_STOPPING) {
		ret = -EALREADY;
	} else {
		u64 now = llms_now();

		/*
		 * A task that may run becomes STOPPING: the engine asks its
		 * agent to kill it (a control record) and it holds its slot
		 * until the agent confirms.
		 */
		ret = lsc_task_cancel(&llmsched.eng, &task->core, now);
		WARN_ON_ONCE(ret);
		lsc_dispatch(&llmsched.eng, now);
	}
	spin_unlock(&llmsched.lock);

	llms_task_put(task);
	llms_release_ended();
	return ret;
}

/* Under the lock. */
static void llms_fill_info(struct llmsched_task_info *info,
			   const struct llms_task *task)
{
	unsigned int i;

	info->task_id = task->core.id;
	info->state = llms_uapi_state(task->core.state);
	info->reason = task->reason;
	info->owner_uid = from_kuid_munged(current_user_ns(), task->owner);
	info->priority = task->core.prio;
	info->agent_id = task->agent_id;
	info->exit_status = task->exit_status;
	info->retries_left = task->core.retries;
	info->submit_flags = task->submit_flags;
	info->submit_ns = task->submit_ns;
	info->start_ns = task->start_ns;
	info->end_ns = task->end_ns;
	info->est_runtime_ns = task->core.est_ns;
	info->runtime_ns = task->runtime_ns;
	for (i = 0; i < LSC_NR_RES; i++)
		info->demand[i] = task->core.demand[i];
	for (; i < LLMSCHED_RES_MAX; i++)
		info->demand[i] = 0;
	info->tags = task->core.tags;
	info->payload_len = task->payload_len;
	info->nr_deps = task->core.nr_deps;
	info->time_limit_ns = task->time_limit_ns;
	info->wait = lsc_task_wait(&llmsched.eng, &task->core);
	info->__reserved = 0;
	info->flags = task->fetched_by ? LLMSCHED_INFO_FETCHED : 0;
	memcpy(info->label, task->label, sizeof(info->label));
}

long llms_ioc_task_query(struct llms_file *lf, void *arg,
			 struct llms_ucmd *ucmd)
{
	struct llmsched_task_info *info = arg;
	struct llms_task *task;
	int ret;

	if (info->flags)
		return -EINVAL;
	ret = llms_task_get_owned(info->task_id, &task);
	if (ret)
		return ret;
	spin_lock(&llmsched.lock);
	llms_fill_info(info, task);
	spin_unlock(&llmsched.lock);
	llms_task_put(task);
	return 0;
}

/*
 * Wait, interruptibly, at most @timeout jiffies, for @task to end: the
 * jiffies left (at least 1) once it has, 0 on timeout, -ERESTARTSYS on a
 * signal.  The waiter sleeps on the hashed wait queue of the task's address
 * (wake_up_var() when it ends), so an ending task wakes its own waiters
 * rather than every waiter of every task.  6.1 has no interruptible,
 * timed wait_var_event(); this is wait_var_event_timeout() with
 * TASK_INTERRUPTIBLE.
 */
static bool llms_task_ended(const struct llms_task *task)
{
	return lsc_task_terminal(READ_ONCE(task->core.state));
}

static long llms_wait_ended(struct llms_task *task, unsigned long timeout)
{
	might_sleep();
	if (llms_task_ended(task))
		return timeout;
	return ___wait_var_event(task,
				 ___wait_cond_timeout(llms_task_ended(task)),
				 TASK_INTERRUPTIBLE, 0, timeout,
				 __ret = schedule_timeout(__ret));
}

long llms_ioc_task_wait(struct llms_file *lf, void *arg,
			struct llms_ucmd *ucmd)
{
	struct llmsched_task_wait *req = arg;
	struct llms_task *task;
	long left;
	int ret = 0;

	if (req->flags || req->__reserved)
		return -EINVAL;
	ret = llms_task_get_owned(req->task_id, &task);
	if (ret)
		return ret;

	if (!llms_task_ended(task)) {
		unsigned long deadline = llms_deadline(req->timeout_ns);

		if (!req->timeout_ns) {
			ret = -EAGAIN;
		} else {
			left = llms_wait_ended(task,
					       llms_timeout_jiffies(req->timeout_ns));
			if (left == 0)
				ret = -ETIMEDOUT;
			else if (left < 0)
				ret = -ERESTARTSYS;
			req->timeout_ns = llms_time_left_ns(deadline,
							    ret == -ERESTARTSYS);
		}
	}

	spin_lock(&llmsched.lock);
	req->state = llms_uapi_state(task->core.state);
	req->reason = task->reason;
	req->exit_status = task->exit_status;
	spin_unlock(&llmsched.lock);
	llms_task_put(task);
	return ret;
}

/* Under the lock: whether a task list shows @task to the caller. */
static bool llms_list_shows(const struct llmsched_task_list *req,
			    const struct llms_task *task, kuid_t me)
{
	if (task->core.state == LSC_TASK_NEW)
		return false;
	if (!(req->flags & LLMSCHED_LIST_ALL_USERS) && !uid_eq(task->owner, me))
		return false;
	return true;
}

/*
 * Under the lock: the tasks on agent @req->agent_id, into @infos in id
 * order (an agent holds at most a few dozen), all in one page.
 */
static u32 llms_list_agent_tasks(const struct llmsched_task_list *req,
				 struct llmsched_task_info *infos, kuid_t me)
{
	struct llms_agent *agent = xa_load(&llmsched.agents, req->agent_id);
	struct llms_task *task;
	u32 n = 0, i;

	if (!agent)
		return 0;
	llms_for_each_agent_task(task, agent) {
		if (n == req->count)
			break;
		if (!llms_list_shows(req, task, me))
			continue;
		/* Insertion by id: the agent keeps them by expected end. */
		for (i = n; i && infos[i - 1].task_id > task->core.id; i--)
			infos[i] = infos[i - 1];
		llms_fill_info(&infos[i], task);
		n++;
	}
	return n;
}

long llms_ioc_task_list(struct llms_file *lf, void *arg,
			struct llms_ucmd *ucmd)
{
	struct llmsched_task_list *req = arg;
	struct llmsched_task_info *infos;
	bool all = req->flags & LLMSCHED_LIST_ALL_USERS;
	kuid_t me = current_euid();
	unsigned long index;
	struct llms_task *task;
	u32 n = 0, scanned = 0, i;
	int ret = 0;

	if (req->flags & ~LLMSCHED_LIST_FLAGS || req->__reserved)
		return -EINVAL;
	if (!(req->flags & LLMSCHED_LIST_AGENT) && req->agent_id)
		return -EINVAL;
	if (!req->count || req->count > LLMS_LIST_MAX ||
	    req->entry_size < LLMSCHED_TASK_INFO_SIZE_VER0 ||
	    req->entry_size > PAGE_SIZE)
		return -EINVAL;
	if (all && !capable(CAP_SYS_ADMIN))
		return -EPERM;

	infos = kvcalloc(req->count, sizeof(*infos), LLMS_GFP_USER_KV);
	if (!infos)
		return -ENOMEM;

	req->next_id = 0;
	spin_lock(&llmsched.lock);
	if (req->flags & LLMSCHED_LIST_AGENT) {
		n = llms_list_agent_tasks(req, infos, me);
	} else {
		index = max_t(u64, req->start_id, 1);
		/* Tasks in the table stay there, and alive, under the lock. */
		xa_for_each_start(&llmsched.tasks, index, task, index) {
			if (n == req->count || scanned == LLMS_LIST_SCAN) {
				req->next_id = index;
				break;
			}
			scanned++;
			if (!llms_list_shows(req, task, me))
				continue;
			llms_fill_info(&infos[n], task);
			n++;
		}
	}
	spin_unlock(&llmsched.lock);

	for (i = 0; i < n; i++)
		infos[i].size = min_t(u32, req->entry_size, sizeof(*infos));
	ret = llms_put_entries(u64_to_user_ptr(req->entries_ptr),
			       req->entry_size, infos, sizeof(*infos), n);
	req->count = ret ? 0 : n;
	kvfree(infos);
	return ret;
}

/* Records copied per lock hold by read() (a small bounce buffer). */
#define LLMS_READ_BATCH	8

ssize_t llms_events_read(struct llms_file *lf, char __user *buf,
			 size_t count, bool nonblock)
{
	struct llmsched_task_event recs[LLMS_READ_BATCH];
	struct llms_events *ev = lf->events;
	size_t want = count / sizeof(recs[0]);
	ssize_t done = 0;
	u32 n, i;
	int ret;

	if (!want)
		return -EINVAL;

	for (;;) {
		spin_lock(&llmsched.lock);
		if (ev->overflow && !done) {
			ev->overflow = false;
			spin_unlock(&llmsched.lock);
			return -EOVERFLOW;
		}
		n = min_t(u32, ev->tail - ev->head, LLMS_READ_BATCH);
		n = min_t(size_t, n, want);
		for (i = 0; i < n; i++)
			recs[i] = ev->ring[(ev->head + i) % LLMS_EVENT_RING];
		ev->head += n;
		spin_unlock(&llmsched.lock);

		if (n) {
			if (copy_to_user(buf + done, recs, n * sizeof(recs[0])))
				return done ? done : -EFAULT;
			done += n * sizeof(recs[0]);
			want -= n;
			if (!want || n < LLMS_READ_BATCH)
				return done;
			continue;
		}
		if (done)
			return done;
		if (nonblock)
			return -EAGAIN;
		ret = wait_event_interruptible(ev->wq,
					       READ_ONCE(ev->tail) !=
					       READ_ONCE(ev->head) ||
					       READ_ONCE(ev->overflow));
		if (ret)
			return -ERESTARTSYS;
	}
}
