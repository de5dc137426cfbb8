// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched: the module's scheduler state around the engine.
 *
 * The engine (kmod/core/) decides; this file keeps what only the kernel
 * keeps: the task table, accounts, the ended-task retention window, event
 * sinks and the watchdog that finds lost agents.  Engine callbacks run under
 * llmsched.lock and only update counters, record events and wake sleepers.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>
#include <linux/wait_bit.h>

#include "llmsched.h"

struct llmsched llmsched;

static struct kmem_cache *llms_task_cache;

/* Task objects taken from the slab per bulk allocation. */
#define LLMS_ALLOC_BULK		64
/* Ended tasks forgotten (or looked at) per lock hold. */
#define LLMS_EVICT_BATCH	256
/* Retained results a submission may push out to make room for itself. */
#define LLMS_MAKE_ROOM_BATCH	1024
/*
 * Dependency edges the engine resolves per lock hold when a task's end
 * reaches its dependents (lsc_set_propagation_budget()).
 */
#define LLMS_PROPAGATE_BATCH	256
/*
 * Runnable tasks the engine re-queues per lock hold after a policy switch
 * or when a new agent class appears (lsc_set_rekey_budget()).
 */
#define LLMS_REKEY_BATCH	256
/* While an agent is fencing, its cgroup is looked at this often. */
#define LLMS_FENCE_POLL_MS	20

u64 llms_now(void)
{
	return ktime_get_ns();
}

/*
 * A caller's timeout in jiffies, never shorter than asked: jiffies count
 * whole ticks and the current one is partly gone, so round up and add one.
 * Capped at a year, far below MAX_SCHEDULE_TIMEOUT.
 */
unsigned long llms_timeout_jiffies(u64 ns)
{
	u64 year = 365ULL * 24 * 3600 * NSEC_PER_SEC;

	ns = min(ns, year);
	return nsecs_to_jiffies(ns + TICK_NSEC - 1) + 1;
}

/* The jiffy at which a caller's wait of @ns ends. */
unsigned long llms_deadline(u64 ns)
{
	return jiffies + llms_timeout_jiffies(ns);
}

/*
 * What is left of a wait until @deadline, in nanoseconds, written back to
 * the caller: a wait a signal interrupted is restarted (SA_RESTART) with
 * it, so it must then stay a timed wait (@restart: at least 1 ns) and not
 * become a look.
 */
u64 llms_time_left_ns(unsigned long deadline, bool restart)
{
	long left = (long)(deadline - jiffies);
	u64 ns = left > 0 ? jiffies_to_nsecs(left) : 0;

	return restart && !ns ? 1 : ns;
}

/* ------------------------------------------------------------ events */

struct llms_events *llms_events_alloc(void)
{
	struct llms_events *ev;

	ev = kzalloc(sizeof(*ev), LLMS_GFP_USER);
	if (!ev)
		return NULL;
	kref_init(&ev->ref);
	init_waitqueue_head(&ev->wq);
	llms_obj_inc(LLMS_OBJ_EVENTS);
	return ev;
}

/*
 * The file is gone: nobody will read its ring again, so it goes now rather
 * than when the last of the file's tasks is freed (a task outlives its
 * submitter's file, and must not pin a ring that nobody reads).
 */
void llms_events_close(struct llms_events *ev)
{
	struct llmsched_task_event *ring;

	spin_lock(&llmsched.lock);
	ev->closed = true;
	ring = ev->ring;
	ev->ring = NULL;
	spin_unlock(&llmsched.lock);
	if (ring) {
		kvfree(ring);
		llms_obj_dec(LLMS_OBJ_EVENT_RING);
	}
}

static void llms_events_release(struct kref *ref)
{
	struct llms_events *ev = container_of(ref, struct llms_events, ref);

	/* The file's release freed the ring; an unopened sink has none. */
	WARN_ON_ONCE(ev->ring);
	kfree(ev);
	llms_obj_dec(LLMS_OBJ_EVENTS);
}

void llms_events_put(struct llms_events *ev)
{
	if (ev)
		kref_put(&ev->ref, llms_events_release);
}

/* Called under llmsched.lock. */
int llms_events_ready(struct llms_events *ev)
{
	return ev->tail != ev->head || ev->overflow;
}

static void llms_events_record(struct llms_task *task, u64 now)
{
	struct llms_events *ev = task->events;
	struct llmsched_task_event *rec;

	if (!ev || ev->closed || !ev->ring)
		return;
	if (ev->tail - ev->head == LLMS_EVENT_RING) {
		ev->head++;
		ev->overflow = true;
	}
	rec = &ev->ring[ev->tail % LLMS_EVENT_RING];
	rec->size = sizeof(*rec);
	rec->__reserved = 0;
	rec->task_id = task->core.id;
	rec->time_ns = now;
	rec->state = llms_uapi_state(task->core.state);
	rec->reason = task->reason;
	rec->agent_id = task->agent_id;
	rec->exit_status = task->exit_status;
	ev->tail++;
	/* Most submitters never read: skip the wake-up when nobody waits. */
	if (wq_has_sleeper(&ev->wq))
		wake_up_interruptible(&ev->wq);
}

/* ------------------------------------------------------------- tasks */

static void llms_task_free_rcu(struct rcu_head *rcu)
{
	kmem_cache_free(llms_task_cache,
			container_of(rcu, struct llms_task, rcu));
}

/* What a task holds besides its own object. */
static void llms_task_free_parts(struct llms_task *task)
{
	kvfree(task->payload);
	kfree(task->deps);
	llms_events_put(task->events);
	llms_obj_dec(LLMS_OBJ_TASK);
}

static void llms_task_release(struct kref *ref)
{
	struct llms_task *task = container_of(ref, struct llms_task, ref);

	llms_task_free_parts(task);
	/* Lookups may still be looking at it under RCU. */
	call_rcu(&task->rcu, llms_task_free_rcu);
}

struct llms_task *llms_task_alloc(void)
{
	struct llms_task *task;

	task = kmem_cache_zalloc(llms_task_cache, LLMS_GFP_USER);
	if (task)
		llms_obj_inc(LLMS_OBJ_TASK);
	return task;
}

/*
 * What a task counts against its owner's max_bytes_per_user: its object,
 * its payload and its dependency edges, the memory the module keeps for it
 * from submission until it leaves the retention window.
 */
u32 llms_task_bytes(u32 payload_len, u32 nr_deps)
{
	return sizeof(struct llms_task) + payload_len +
	       nr_deps * sizeof(struct lsc_dep);
}

/*
 * A resource vector from userspace (a demand or a capacity): every kind at
 * most @max, nothing in the slots past the kinds this kernel knows, and,
 * when @need_any, something in at least one kind.  0 or -EINVAL.
 */
int llms_res_vector_check(const __u64 *vec, u64 max, bool need_any)
{
	bool any = false;
	unsigned int i;

	for (i = 0; i < LLMSCHED_RES_MAX; i++) {
		if (vec[i] > max || (i >= LLMSCHED_RES_KNOWN && vec[i]))
			return -EINVAL;
		if (vec[i])
			any = true;
	}
	return need_any && !any ? -EINVAL : 0;
}

/*
 * @n zeroed tasks into @tasks, all or none: a batch takes its objects from
 * the slab in bulk (one memory-cgroup charge per bulk rather than per
 * object), a bounded number at a time because the bulk fast path runs with
 * interrupts off.
 */
int llms_task_alloc_bulk(u32 n, struct llms_task **tasks)
{
	u32 done, chunk;

	for (done = 0; done < n; done += chunk) {
		chunk = min_t(u32, n - done, LLMS_ALLOC_BULK);
		if (!kmem_cache_alloc_bulk(llms_task_cache,
					   LLMS_GFP_USER | __GFP_ZERO,
					   chunk, (void **)(tasks + done))) {
			kmem_cache_free_bulk(llms_task_cache, done,
					     (void **)tasks);
			return -ENOMEM;
		}
	}
	atomic_long_add(n, &llmsched.nr_objects[LLMS_OBJ_TASK]);
	return 0;
}

/*
 * Slots in the task table for @n prepared tasks, at consecutive fresh ids,
 * under one hold of the table's lock (dropped only to allocate nodes).
 * Each task gets its id as it goes in; on failure the ones already in stay
 * in (their id set) for the caller to take out.
 */
int llms_task_table_insert(struct llms_task **tasks, u32 n)
{
	u64 first = atomic64_add_return(n, &llmsched.next_task_id) - n + 1;
	XA_STATE(xas, &llmsched.tasks, first);
	u32 i = 0;

	if (first + n - 1 > ULONG_MAX)
		return -ENOSPC;
	do {
		xas_lock(&xas);
		for (; i < n; i++) {
			xas_set(&xas, first + i);
			/* Ids are never reused: the slot is free. */
			if (WARN_ON_ONCE(xas_load(&xas))) {
				xas_set_err(&xas, -EBUSY);
				break;
			}
			xas_store(&xas, tasks[i]);
			if (xas_error(&xas))
				break;
			tasks[i]->core.id = first + i;
		}
		xas_unlock(&xas);
	} while (xas_nomem(&xas, LLMS_GFP_USER));
	return xas_error(&xas);
}

/* Frees a task that never entered the table. */
void llms_task_free(struct llms_task *task)
{
	llms_task_free_parts(task);
	kmem_cache_free(llms_task_cache, task);
}

void llms_task_init_ref(struct llms_task *task)
{
	kref_init(&task->ref);
	INIT_LIST_HEAD(&task->ended_link);
	INIT_LIST_HEAD(&task->control_link);
}

/*
 * A reference to the task with this id, or NULL.  Tasks the engine has not
 * taken yet (state NEW, still being submitted) are not found.
 */
struct llms_task *llms_task_get(u64 id)
{
	struct llms_task *task;

	if (!id || id > ULONG_MAX)
		return NULL;
	rcu_read_lock();
	task = xa_load(&llmsched.tasks, id);
	if (task && !kref_get_unless_zero(&task->ref))
		task = NULL;
	rcu_read_unlock();
	if (task && READ_ONCE(task->core.state) == LSC_TASK_NEW) {
		llms_task_put(task);
		task = NULL;
	}
	return task;
}

void llms_task_put(struct llms_task *task)
{
	might_sleep();
	kref_put(&task->ref, llms_task_release);
}

/*
 * Finish the engine's bounded work, a batch per lock hold: carry the end
 * of tasks on to their dependents (the engine resolves at most
 * LLMS_PROPAGATE_BATCH dependency edges in the call that ended a task and
 * leaves the rest pending; until then the dependents not reached stay
 * QUEUED), and re-queue the runnable tasks after a policy switch or a new
 * agent class (at most LLMS_REKEY_BATCH per hold; until then the others
 * are not dispatched).  So no call holds the lock longer than one batch.
 * Called without the lock; any caller finishes everybody's pending work.
 */
void llms_finish_pending(void)
{
	u64 runnable;
	bool rekey;
	u32 more;

	/* Racy peek: work left by our own call is seen (we held the lock). */
	if (!lsc_work_pending(&llmsched.eng))
		return;
	do {
		spin_lock(&llmsched.lock);
		runnable = llmsched.eng.nr_runnable;
		more = lsc_propagate_pending(&llmsched.eng,
					     LLMS_PROPAGATE_BATCH);
		rekey = llmsched.eng.nr_stale || llmsched.eng.rekey_again;
		if (rekey && lsc_rekey_step(&llmsched.eng, LLMS_REKEY_BATCH))
			more = 1;
		/* Dependents became runnable, or re-queued tasks came back. */
		if (rekey || llmsched.eng.nr_runnable > runnable)
			lsc_dispatch(&llmsched.eng, llms_now());
		spin_unlock(&llmsched.lock);
		cond_resched();
	} while (more);
}

/*
 * Under the lock: take up to @budget of @user's oldest ended tasks off its
 * retention list and out of the table, onto @victims, until it retains at
 * most @keep, or its bytes fit in @bytes.  A task the engine still
 * references (pending propagation by another caller, lsc_task_releasable())
 * stays; a later call drops it.  Returns how many were taken.
 */
static u32 llms_user_evict_locked(struct llms_user *user, u32 keep, u64 bytes,
				  u32 budget, struct list_head *victims)
{
	struct llms_task *task, *next;
	u32 dropped = 0;

	list_for_each_entry_safe(task, next, &user->ended, ended_link) {
		if (!budget-- ||
		    (user->nr_ended <= keep && user->bytes <= bytes))
			break;
		if (!lsc_task_releasable(&task->core))
			continue;
		list_move_tail(&task->ended_link, victims);
		user->nr_ended--;
		user->bytes -= task->bytes;
		llmsched.nr_ended--;
		xa_erase(&llmsched.tasks, task->core.id);
		dropped++;
	}
	return dropped;
}

/* Drop the references the table held on evicted tasks; without the lock. */
void llms_put_victims(struct list_head *victims)
{
	struct llms_task *task, *next;

	list_for_each_entry_safe(task, next, victims, ended_link) {
		list_del_init(&task->ended_link);
		llms_task_put(task);
	}
}

/*
 * Under the lock: make room for @bytes more of @user's tasks by dropping its
 * own oldest retained results (at most LLMS_MAKE_ROOM_BATCH of them), onto
 * @victims for llms_put_victims().  A user's submissions never push out
 * another user's results.  True when the bytes now fit in
 * limits.max_bytes_per_user.
 */
bool llms_user_make_room_locked(struct llms_user *user, u64 bytes,
				struct list_head *victims)
{
	u64 max = llmsched.limits.max_bytes_per_user;
	struct llms_task *task;
	u64 freeable = 0;
	u32 n = 0;

	if (user->bytes + bytes <= max)
		return true;
	if (bytes > max)
		return false;
	/* Look first: a submission refused must not have evicted anything. */
	list_for_each_entry(task, &user->ended, ended_link) {
		if (n++ == LLMS_MAKE_ROOM_BATCH ||
		    user->bytes - freeable + bytes <= max)
			break;
		if (lsc_task_releasable(&task->core))
			freeable += task->bytes;
	}
	if (user->bytes - freeable + bytes > max)
		return false;
	llms_user_evict_locked(user, U32_MAX, max - bytes,
			       LLMS_MAKE_ROOM_BATCH, victims);
	return true;
}

/*
 * Finish pending engine work, then drop each user's oldest ended tasks
 * beyond its retention window (limits.retain_ended, per user: one user who
 * ends many tasks at once forgets only its own results).  A bounded number
 * per lock hold, because a cascade may end many.  Called without the lock,
 * after any call that may have ended tasks.
 */
void llms_release_ended(void)
{
	struct llms_user *user;
	LIST_HEAD(victims);
	u32 dropped;

	llms_finish_pending();
	while (!list_empty_careful(&llmsched.evict)) {
		spin_lock(&llmsched.lock);
		user = list_first_entry_or_null(&llmsched.evict,
						struct llms_user, evict_link);
		if (!user) {
			spin_unlock(&llmsched.lock);
			break;
		}
		dropped = llms_user_evict_locked(user,
						 llmsched.limits.retain_ended,
						 U64_MAX, LLMS_EVICT_BATCH,
						 &victims);
		/*
		 * Done with it, or nothing it holds can go yet: the next end
		 * of one of its tasks puts it back.
		 */
		if (user->nr_ended <= llmsched.limits.retain_ended || !dropped)
			list_del_init(&user->evict_link);
		spin_unlock(&llmsched.lock);

		llms_put_victims(&victims);
		INIT_LIST_HEAD(&victims);
		cond_resched();
	}
}

/* Under the lock: queue @user for eviction when it retains too many. */
static void llms_user_check_retention(struct llms_user *user)
{
	if (user->nr_ended > llmsched.limits.retain_ended &&
	    list_empty(&user->evict_link))
		list_add_tail(&user->evict_link, &llmsched.evict);
}

/* The retention limit changed: every user may be over it now. */
void llms_evict_all_users(void)
{
	struct llms_user *user;
	unsigned int b;

	spin_lock(&llmsched.lock);
	for (b = 0; b < ARRAY_SIZE(llmsched.users); b++)
		hlist_for_each_entry(user, &llmsched.users[b], node)
			llms_user_check_retention(user);
	spin_unlock(&llmsched.lock);
	llms_release_ended();
}

/* ------------------------------------------------------------- users */

static struct hlist_head *llms_user_bucket(kuid_t uid)
{
	return &llmsched.users[hash_32(__kuid_val(uid),
				       ilog2(ARRAY_SIZE(llmsched.users)))];
}

/* Called under llmsched.lock. */
struct llms_user *llms_user_find(kuid_t uid)
{
	struct llms_user *user;

	hlist_for_each_entry(user, llms_user_bucket(uid), node)
		if (uid_eq(user->uid, uid))
			return user;
	return NULL;
}

/*
 * The account of @uid, created on first use.  Accounts live until unload:
 * there are no more of them than uids that submitted.
 */
struct llms_user *llms_user_get_or_add(kuid_t uid)
{
	struct llms_user *user, *fresh;

	spin_lock(&llmsched.lock);
	user = llms_user_find(uid);
	spin_unlock(&llmsched.lock);
	if (user)
		return user;

	fresh = kzalloc(sizeof(*fresh), LLMS_GFP_USER);
	if (!fresh)
		return NULL;
	fresh->uid = uid;
	INIT_LIST_HEAD(&fresh->ended);
	INIT_LIST_HEAD(&fresh->evict_link);
	lsc_user_init(&fresh->core, __kuid_val(uid));
	fresh->core.priv = fresh;

	spin_lock(&llmsched.lock);
	user = llms_user_find(uid);
	if (!user) {
		lsc_user_add(&llmsched.eng, &fresh->core);
		hlist_add_head(&fresh->node, llms_user_bucket(uid));
		user = fresh;
		fresh = NULL;
		llms_obj_inc(LLMS_OBJ_USER);
	}
	spin_unlock(&llmsched.lock);
	kfree(fresh);
	return user;
}

/* ------------------------------------------------- engine callbacks */

static bool llms_state_waiting(u32 state)
{
	return state == LSC_TASK_QUEUED || state == LSC_TASK_RUNNABLE;
}

/* What a stopping task's reason says: why it stops. */
static u32 llms_stop_reason(u32 reason)
{
	switch (reason) {
	case LSC_STOP_TIMEOUT:
		return LLMSCHED_REASON_TIMEOUT;
	case LSC_STOP_AGENT_LOST:
		return LLMSCHED_REASON_AGENT_LOST;
	default:
		return LLMSCHED_REASON_CANCELLED;
	}
}

/* How long @task has run by @now, the time it spent frozen left out. */
u64 llms_task_run_ns(const struct llms_task *task, u64 now)
{
	u64 frozen = task->frozen_ns;

	if (task->core.state == LSC_TASK_FROZEN)
		frozen += now - task->frozen_since_ns;
	return now - task->start_ns - frozen;
}

/* The uAPI reason of an engine-decided failure. */
static u32 llms_engine_reason(u32 reason)
{
	switch (reason) {
	case LSC_FAIL_AGENT_LOST:
		return LLMSCHED_REASON_AGENT_LOST;
	case LSC_FAIL_DEP_FAILED:
		return LLMSCHED_REASON_DEP_FAILED;
	case LSC_FAIL_CANCELLED:
		return LLMSCHED_REASON_CANCELLED;
	case LSC_FAIL_EXIT:
		return LLMSCHED_REASON_EXIT;
	case LSC_FAIL_TIMEOUT:
		return LLMSCHED_REASON_TIMEOUT;
	default:
		return LLMSCHED_REASON_NONE;
	}
}

static void llms_cb_task_changed(struct lsc_engine *eng, struct lsc_task *core,
				 enum lsc_task_state from,
				 enum lsc_task_state to)
{
	struct llms_task *task = to_llms_task(core);
	/* Every submitted task has an account (lsc_task_submit() checks). */
	struct llms_user *user = core->user->priv;
	u64 now = llms_now();

	if (from != LSC_TASK_NEW)
		llmsched.by_state[from]--;
	llmsched.by_state[to]++;
	if (llms_state_waiting(from) && from != LSC_TASK_NEW)
		llmsched.waiting_by_prio[core->prio]--;
	if (llms_state_waiting(to))
		llmsched.waiting_by_prio[core->prio]++;
	if (from == LSC_TASK_FROZEN)
		task->frozen_ns += now - task->frozen_since_ns;
	/* Off its agent: what was asked of it there no longer holds. */
	if (to != LSC_TASK_RUNNING && to != LSC_TASK_FROZEN &&
	    to != LSC_TASK_STOPPING && to != LSC_TASK_ASSIGNED)
		llms_task_drop_control(task);

	switch (to) {
	case LSC_TASK_RUNNABLE:
		/* Back from an agent: it is nobody's fetched task any more. */
		task->fetched_by = 0;
		task->reason = LLMSCHED_REASON_NONE;
		break;
	case LSC_TASK_ASSIGNED:
		task->agent_id = core->agent->id;
		break;
	case LSC_TASK_RUNNING:
		/* Started, or thawed: a thaw is no new start. */
		if (from == LSC_TASK_ASSIGNED)
			task->start_ns = now;
		break;
	case LSC_TASK_FROZEN:
		task->frozen_since_ns = now;
		break;
	case LSC_TASK_STOPPING:
		task->reason = llms_stop_reason(core->stop_reason);
		break;
	case LSC_TASK_SUCCEEDED:
	case LSC_TASK_FAILED:
	case LSC_TASK_CANCELLED:
		/* An agent's report already set a finer reason (signal, OOM). */
		if (to != LSC_TASK_FAILED || task->reason == LLMSCHED_REASON_NONE)
			task->reason = llms_engine_reason(core->reason);
		task->end_ns = now;
		llmsched.held--;
		user->held--;
		list_add_tail(&task->ended_link, &user->ended);
		user->nr_ended++;
		llmsched.nr_ended++;
		llms_user_check_retention(user);
		/* TASK_WAIT sleepers: the state above before the wake-up. */
		smp_mb();
		wake_up_var(task);
		break;
	default:
		break;
	}

	llms_events_record(task, now);
	llms_netlink_task_event(task, llms_uapi_state(from),
				llms_uapi_state(to), now);
}

static void llms_cb_task_assigned(struct lsc_engine *eng, struct lsc_task *core,
				  struct lsc_agent *agent)
{
	wake_up_interruptible(to_llms_agent(agent)->wq);
}

static void llms_cb_task_migrated(struct lsc_engine *eng, struct lsc_task *core,
				  struct lsc_agent *from, struct lsc_agent *to)
{
	to_llms_task(core)->agent_id = to->id;
	wake_up_interruptible(to_llms_agent(to)->wq);
}

/* The engine stops a task that may be running: its agent kills it. */
static void llms_cb_task_stop(struct lsc_engine *eng, struct lsc_task *core,
			      struct lsc_agent *agent, u32 reason)
{
	llms_agent_post_control(to_llms_agent(agent), to_llms_task(core),
				LLMSCHED_CONTROL_KILL,
				llms_stop_reason(reason));
}

/* Preemption: the agent freezes a task, and later thaws it. */
static void llms_cb_task_freeze(struct lsc_engine *eng, struct lsc_task *core,
				struct lsc_agent *agent)
{
	llms_agent_post_control(to_llms_agent(agent), to_llms_task(core),
				LLMSCHED_CONTROL_FREEZE, LLMSCHED_REASON_NONE);
}

static void llms_cb_task_thaw(struct lsc_engine *eng, struct lsc_task *core,
			      struct lsc_agent *agent)
{
	llms_agent_post_control(to_llms_agent(agent), to_llms_task(core),
				LLMSCHED_CONTROL_THAW, LLMSCHED_REASON_NONE);
}

static const struct lsc_ops llms_engine_ops = {
	.task_changed	= llms_cb_task_changed,
	.task_assigned	= llms_cb_task_assigned,
	.task_migrated	= llms_cb_task_migrated,
	.task_stop	= llms_cb_task_stop,
	.task_freeze	= llms_cb_task_freeze,
	.task_thaw	= llms_cb_task_thaw,
};

/* ------------------------------------------------------------ watchdog */

static unsigned long llms_watchdog_interval(void)
{
	u32 ms = READ_ONCE(llmsched.limits.heartbeat_timeout_ms) / 4;

	return msecs_to_jiffies(clamp_t(u32, ms, 25, 1000));
}

static void llms_watchdog_fn(struct work_struct *work)
{
	bool fencing = llms_agents_check();

	schedule_delayed_work(&llmsched.watchdog, fencing ?
			      msecs_to_jiffies(LLMS_FENCE_POLL_MS) :
			      llms_watchdog_interval());
}

void llms_watchdog_stop(void)
{
	cancel_delayed_work_sync(&llmsched.watchdog);
}

/* The heartbeat timeout changed: look again soon. */
void llms_watchdog_kick(void)
{
	mod_delayed_work(system_wq, &llmsched.watchdog,
			 llms_watchdog_interval());
}

/* An agent started fencing: look at its cgroup at the fencing pace. */
void llms_watchdog_fence(void)
{
	mod_delayed_work(system_wq, &llmsched.watchdog,
			 msecs_to_jiffies(LLMS_FENCE_POLL_MS));
}

/* -------------------------------------------------------- init / exit */

int llms_sched_init(void)
{
	llms_task_cache = KMEM_CACHE(llms_task, SLAB_ACCOUNT);
	if (!llms_task_cache)
		return -ENOMEM;

	spin_lock_init(&llmsched.lock);
	lsc_engine_init(&llmsched.eng, &llms_engine_ops, &llmsched);
	lsc_set_propagation_budget(&llmsched.eng, LLMS_PROPAGATE_BATCH);
	lsc_set_rekey_budget(&llmsched.eng, LLMS_REKEY_BATCH);
	xa_init(&llmsched.tasks);
	xa_init_flags(&llmsched.agents, XA_FLAGS_ALLOC1);
	INIT_LIST_HEAD(&llmsched.evict);
	atomic64_set(&llmsched.next_task_id, 0);
	llmsched.limits.max_tasks = LLMS_DEF_MAX_TASKS;
	llmsched.limits.max_tasks_per_user = LLMS_DEF_MAX_TASKS_PER_USER;
	llmsched.limits.heartbeat_timeout_ms = LLMS_DEF_HEARTBEAT_MS;
	llmsched.limits.retain_ended = LLMS_DEF_RETAIN_ENDED;
	llmsched.limits.max_bytes_per_user = LLMS_DEF_MAX_BYTES_PER_USER;
	llmsched.limits.max_user_priority = LLMSCHED_PRIO_DEFAULT;
	INIT_DELAYED_WORK(&llmsched.watchdog, llms_watchdog_fn);
	schedule_delayed_work(&llmsched.watchdog, llms_watchdog_interval());
	return 0;
}

/*
 * At unload no file is open (each holds the module), so there is no agent
 * and nobody looks tasks up: free what is left.
 */
void llms_sched_exit(void)
{
	struct llms_task *task;
	struct llms_user *user;
	struct hlist_node *tmp;
	unsigned long id;
	unsigned int b;

	cancel_delayed_work_sync(&llmsched.watchdog);

	xa_for_each(&llmsched.tasks, id, task) {
		xa_erase(&llmsched.tasks, id);
		llms_task_put(task);
	}
	xa_destroy(&llmsched.tasks);
	WARN_ON(!xa_empty(&llmsched.agents));
	xa_destroy(&llmsched.agents);

	for (b = 0; b < ARRAY_SIZE(llmsched.users); b++) {
		hlist_for_each_entry_safe(user, tmp, &llmsched.users[b], node) {
			hlist_del(&user->node);
			kfree(user);
			llms_obj_dec(LLMS_OBJ_USER);
		}
	}
	/* Tasks are freed after a grace period, from the cache below. */
	rcu_barrier();
	kmem_cache_destroy(llms_task_cache);
}
