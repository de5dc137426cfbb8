/* SPDX-License-Identifier: GPL-2.0 */
/*
 * llmsched: definitions shared by the module's own files.
 *
 * Locking, outermost first:
 *
 * - llms_file.agent_lock (a mutex) serializes registration, unregistration
 *   and release of one file's agent.
 * - llmsched.lock (a spinlock) serializes every call into the engine and
 *   every field the engine's callbacks touch: task states, agent and user
 *   accounting, event rings, counters.  It is held for one engine step and
 *   never across a sleep, an allocation that may sleep or a user copy.
 * - the xarrays' own locks (tasks, agents) and wait queue locks nest
 *   inside it.
 *
 * Lifetimes:
 *
 * - A task is referenced by the task table (llmsched.tasks) and by whoever
 *   looked it up (kref).  It leaves the table when it has ended and fallen
 *   out of its owner's retention window (limits.retain_ended), or at
 *   unload.  Its memory is freed after an RCU grace period, because lookups
 *   run under RCU.  Its id is known before it becomes visible, so that no
 *   caller reads a task it does not hold.
 * - An agent is registered through an open file.  The file's state (struct
 *   llms_file) outlives every waiter and poller of the agent, so the
 *   agent's wait queue lives there; the agent itself (a kobject) may
 *   outlive the file while sysfs or the watchdog hold it, but once it is
 *   lost nobody wakes that queue again.
 * - A file's event sink (struct llms_events) is shared with the tasks
 *   submitted through it, so it outlives the file when they do; its ring
 *   is freed when the file closes.
 */
#ifndef _LLMSCHED_H
#define _LLMSCHED_H

#include <linux/kobject.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <linux/llmsched.h>

#include "core/engine.h"

struct cgroup;
struct dentry;
struct pid;

/* Events kept per open file before the oldest are dropped. */
#define LLMS_EVENT_RING		4096

/*
 * Default limits (Documentation/admin-guide/llmsched.rst says why): twenty
 * uids at their own limit fill the module; a uid's tasks and their
 * retained results take at most 256 MiB of kernel memory.
 */
#define LLMS_DEF_MAX_TASKS		1000000
#define LLMS_DEF_MAX_TASKS_PER_USER	50000
#define LLMS_DEF_HEARTBEAT_MS		10000
#define LLMS_DEF_RETAIN_ENDED		1024
#define LLMS_DEF_MAX_BYTES_PER_USER	(256ULL << 20)
/* In a struct llms_limits of changes: leave max_user_priority as it is. */
#define LLMS_LIMIT_KEEP			U32_MAX

/**
 * struct llms_events - the state changes of one file's tasks, for read()
 * @ref: held by the file and by each task submitted through it
 * @wq: readers and pollers
 * @ring: LLMS_EVENT_RING records, allocated on the first submission
 * @head: next record to read
 * @tail: next record to write
 * @overflow: records were dropped since the last read
 * @closed: the file is gone; record nothing more
 */
struct llms_events {
	struct kref ref;
	wait_queue_head_t wq;
	struct llmsched_task_event *ring;
	u32 head;
	u32 tail;
	bool overflow;
	bool closed;
};

/**
 * struct llms_task - a task as the module holds it
 * @core: the engine's part
 * @ref: references (the task table holds one)
 * @rcu: deferred free
 * @owner: the submitter's effective uid
 * @events: the event sink of the file it was submitted through
 * @ended_link: in its owner's llms_user.ended once terminal
 * @payload: what the agent runs, @payload_len bytes
 * @deps: the dependency edges the engine links
 * @submit_flags: LLMSCHED_SUBMIT_*
 * @payload_len: its length
 * @bytes: what it counts against its owner's limits.max_bytes_per_user
 * @reason: enum llmsched_task_reason, richer than the engine's
 * @exit_status: as the agent reported it
 * @agent_id: the agent it is or was last assigned to
 * @fetched_by: the agent that fetched it (0 when not fetched)
 * @submit_ns: submission time
 * @start_ns: when the agent reported it started
 * @end_ns: when it ended
 * @runtime_ns: the run time the agent measured
 * @time_limit_ns: the longest it may run (0: no limit), frozen time aside
 * @frozen_ns: time spent frozen before its last thaw
 * @frozen_since_ns: when it was last frozen
 * @control_link: in its agent's llms_agent.controls while it has a
 *	control record (kill, freeze, thaw) the agent has not taken yet
 * @control: the enum llmsched_control_kind asked of its agent, 0 for none;
 *	kept until the agent confirms it
 * @control_reason: for a kill, why (enum llmsched_task_reason)
 * @label: its label, NUL-padded
 * @nr_features, @features: its estimator features as submitted, for the
 *	agent that fits the estimator from them
 */
struct llms_task {
	struct lsc_task core;
	struct kref ref;
	struct rcu_head rcu;
	kuid_t owner;
	struct llms_events *events;
	struct list_head ended_link;
	void *payload;
	struct lsc_dep *deps;
	u32 submit_flags;
	u32 payload_len;
	u32 bytes;
	u32 reason;
	s32 exit_status;
	u32 agent_id;
	u32 fetched_by;
	u64 submit_ns;
	u64 start_ns;
	u64 end_ns;
	u64 runtime_ns;
	u64 time_limit_ns;
	u64 frozen_ns;
	u64 frozen_since_ns;
	struct list_head control_link;
	u8 control;
	u8 control_reason;
	char label[LLMSCHED_LABEL_MAX];
	u32 nr_features;
	u64 features[LLMSCHED_FEATURES_MAX];
};

/**
 * struct llms_user - a submitter's account
 * @core: the engine's part (fair share)
 * @node: in llmsched.users
 * @evict_link: in llmsched.evict while it retains more ended tasks than
 *	limits.retain_ended
 * @ended: its ended tasks still held, oldest first
 * @uid: the uid
 * @held: tasks held that have not ended (limits.max_tasks_per_user)
 * @nr_ended: tasks on @ended
 * @bytes: kernel memory its held and retained tasks take
 *	(limits.max_bytes_per_user)
 */
struct llms_user {
	struct lsc_user core;
	struct hlist_node node;
	struct list_head evict_link;
	struct list_head ended;
	kuid_t uid;
	u32 held;
	u32 nr_ended;
	u64 bytes;
};

/**
 * struct llms_agent - an agent process and its reservation
 * @core: the engine's part
 * @kobj: /sys/kernel/llmsched/agents/<id>; its reference count is the
 *	agent's (held by its file and by the agent table)
 * @wq: its fetch waiters and pollers: the queue of the file that
 *	registered it (llms_file.agent_wq), woken only under llmsched.lock
 *	and only while the agent is not @lost
 * @pid: the agent process (its thread group)
 * @cgrp: its cgroup (a reference)
 * @cgroup_path: the cgroup's path, for sysfs
 * @cgroup_id: the cgroup's id (its inode number in cgroupfs), by which the
 *	runtime's load probe knows it
 * @last_seen: jiffies of its last call
 * @fetching: calls waiting in AGENT_FETCH or AGENT_CONTROL: an agent
 *	waiting for work is alive, however long it waits
 * @controls: its tasks with a control record not taken yet, oldest first
 * @control_seq: the number of the last control record it took
 * @lost: declared lost or unregistered: it takes no more calls
 * @lost_pending: lost by the watchdog, and the LOST record not taken yet
 * @fencing: lost, and its tasks wait until its cgroup holds no process
 * @kobj_added: @kobj is in sysfs
 */
struct llms_agent {
	struct lsc_agent core;
	struct kobject kobj;
	wait_queue_head_t *wq;
	struct pid *pid;
	struct cgroup *cgrp;
	char *cgroup_path;
	u64 cgroup_id;
	unsigned long last_seen;
	atomic_t fetching;
	struct list_head controls;
	u64 control_seq;
	bool lost;
	bool lost_pending;
	bool fencing;
	bool kobj_added;
};

/**
 * struct llms_file - one open file of /dev/llmsched
 * @events: its event sink
 * @agent: the agent it registered, or NULL
 * @agent_lock: serializes registration, unregistration and release of
 *	@agent on this file
 * @agent_wq: the agent's fetch waiters and pollers (see llms_agent.wq):
 *	here because pollers stay on it until the file is released
 * @user: the account its last submission used (accounts live until unload)
 */
struct llms_file {
	struct llms_events *events;
	struct llms_user *user;
	struct llms_agent *agent;
	struct mutex agent_lock; /* see the kernel-doc above */
	wait_queue_head_t agent_wq;
};

/*
 * Where a handler's argument came from, so that a call whose results must
 * reach the caller before it takes effect (an id, a fetched task) can write
 * them first: see llms_ucmd_respond().
 */
struct llms_ucmd {
	void __user *uarg;
	u32 usize;
	u32 size;
	bool responded;
};

int llms_ucmd_respond(struct llms_ucmd *ucmd, const void *arg);
int llms_put_entries(void __user *dst, u32 esize, const void *src,
		     size_t ksize, u32 n);

/**
 * struct llms_limits - tunable limits (sysfs and LLMSCHED_IOC_SET_LIMITS)
 * @max_tasks: tasks held that have not ended, all users
 * @max_tasks_per_user: the same per uid
 * @heartbeat_timeout_ms: silence after which an agent is lost
 * @retain_ended: ended tasks kept for queries, per uid
 * @max_bytes_per_user: kernel memory one uid's held and retained tasks
 *	may take
 * @max_user_priority: the highest priority a caller without CAP_SYS_NICE
 *	may submit at
 */
struct llms_limits {
	u32 max_tasks;
	u32 max_tasks_per_user;
	u32 heartbeat_timeout_ms;
	u32 retain_ended;
	u64 max_bytes_per_user;
	u32 max_user_priority;
};

#define LLMS_NR_PRIO	(LLMSCHED_PRIO_MAX + 1)

/*
 * Allocations a caller can be refused: they fail with -ENOMEM rather than
 * wake the OOM killer, and are charged to the caller's memory cgroup.
 * kvmalloc() takes __GFP_RETRY_MAYFAIL for that, kmalloc() __GFP_NORETRY.
 */
#define LLMS_GFP_USER		(GFP_KERNEL_ACCOUNT | __GFP_NORETRY | __GFP_NOWARN)
#define LLMS_GFP_USER_KV	(GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

/* The module's objects, counted for leak checks (debugfs "objects"). */
enum llms_object {
	LLMS_OBJ_TASK,
	LLMS_OBJ_AGENT,
	LLMS_OBJ_USER,
	LLMS_OBJ_EVENTS,
	LLMS_OBJ_EVENT_RING,
	LLMS_OBJ_FILE,
	LLMS_OBJ_NR,
};

/**
 * struct llmsched - the module's state
 * @lock: see the top of this file
 * @eng: the scheduling engine
 * @tasks: task table by id (its own lock nests inside @lock)
 * @agents: agent table by id
 * @users: accounts by uid
 * @evict: accounts retaining more ended tasks than limits.retain_ended
 * @nr_ended: ended tasks still held, all users
 * @held: tasks held that have not ended
 * @by_state: tasks per state
 * @waiting_by_prio: QUEUED and RUNNABLE tasks per priority
 * @next_task_id: last id given
 * @next_agent_id: last id given
 * @limits: limits
 * @watchdog: finds lost agents
 * @agents_kobj: /sys/kernel/llmsched/agents
 * @debugfs: /sys/kernel/debug/llmsched
 * @nr_objects: live objects by kind (enum llms_object), for leak checks
 */
struct llmsched {
	spinlock_t lock; /* see the top of this file */
	struct lsc_engine eng;
	struct xarray tasks;
	struct xarray agents;
	struct hlist_head users[64];
	struct list_head evict;
	u32 nr_ended;
	u32 held;
	u64 by_state[LSC_TASK_NR_STATES];
	u32 waiting_by_prio[LLMS_NR_PRIO];
	atomic64_t next_task_id;
	u32 next_agent_id;
	/* Random, chosen at load: tells one load's task ids from another's. */
	u64 instance;
	struct llms_limits limits;
	struct delayed_work watchdog;
	struct kobject *agents_kobj;
	struct dentry *debugfs;
	atomic_long_t nr_objects[LLMS_OBJ_NR];
};

extern struct llmsched llmsched;

static inline void llms_obj_inc(enum llms_object kind)
{
	atomic_long_inc(&llmsched.nr_objects[kind]);
}

static inline void llms_obj_dec(enum llms_object kind)
{
	atomic_long_dec(&llmsched.nr_objects[kind]);
}

/* sched.c */
int llms_sched_init(void);
void llms_sched_exit(void);
u64 llms_now(void);
unsigned long llms_timeout_jiffies(u64 ns);
unsigned long llms_deadline(u64 ns);
u64 llms_time_left_ns(unsigned long deadline, bool restart);
struct llms_task *llms_task_alloc(void);
int llms_task_alloc_bulk(u32 n, struct llms_task **tasks);
int llms_task_table_insert(struct llms_task **tasks, u32 n);
void llms_task_free(struct llms_task *task);
void llms_task_init_ref(struct llms_task *task);
struct llms_task *llms_task_get(u64 id);
void llms_task_put(struct llms_task *task);
struct llms_user *llms_user_find(kuid_t uid);
struct llms_user *llms_user_get_or_add(kuid_t uid);
void llms_release_ended(void);
void llms_finish_pending(void);
void llms_evict_all_users(void);
bool llms_user_make_room_locked(struct llms_user *user, u64 bytes,
				struct list_head *victims);
void llms_put_victims(struct list_head *victims);
struct llms_events *llms_events_alloc(void);
void llms_events_close(struct llms_events *ev);
void llms_events_put(struct llms_events *ev);
int llms_events_ready(struct llms_events *ev);
void llms_watchdog_kick(void);
void llms_watchdog_fence(void);
void llms_watchdog_stop(void);
u32 llms_task_bytes(u32 payload_len, u32 nr_deps);
u64 llms_task_run_ns(const struct llms_task *task, u64 now);
int llms_res_vector_check(const __u64 *vec, u64 max, bool need_any);

/* task.c: the submitters' ioctls */
long llms_ioc_submit(struct llms_file *lf, void *arg,
		     struct llms_ucmd *ucmd);
long llms_ioc_submit_batch(struct llms_file *lf, void *arg,
			   struct llms_ucmd *ucmd);
long llms_ioc_cancel(struct llms_file *lf, void *arg,
		     struct llms_ucmd *ucmd);
long llms_ioc_task_query(struct llms_file *lf, void *arg,
			 struct llms_ucmd *ucmd);
long llms_ioc_task_wait(struct llms_file *lf, void *arg,
			struct llms_ucmd *ucmd);
long llms_ioc_task_list(struct llms_file *lf, void *arg,
			struct llms_ucmd *ucmd);
ssize_t llms_events_read(struct llms_file *lf, char __user *buf,
			 size_t count, bool nonblock);

/* agent.c, agent_io.c, agent_admin.c: the runtime's ioctls */
long llms_ioc_agent_register(struct llms_file *lf, void *arg,
			     struct llms_ucmd *ucmd);
long llms_ioc_agent_fetch(struct llms_file *lf, void *arg,
			  struct llms_ucmd *ucmd);
long llms_ioc_agent_start(struct llms_file *lf, void *arg,
			  struct llms_ucmd *ucmd);
long llms_ioc_agent_complete(struct llms_file *lf, void *arg,
			     struct llms_ucmd *ucmd);
long llms_ioc_agent_heartbeat(struct llms_file *lf, void *arg,
			      struct llms_ucmd *ucmd);
long llms_ioc_agent_unregister(struct llms_file *lf, void *arg,
			       struct llms_ucmd *ucmd);
long llms_ioc_agent_control(struct llms_file *lf, void *arg,
			    struct llms_ucmd *ucmd);
long llms_ioc_agent_confirm(struct llms_file *lf, void *arg,
			    struct llms_ucmd *ucmd);
long llms_ioc_agent_list(struct llms_file *lf, void *arg,
			 struct llms_ucmd *ucmd);
long llms_ioc_agent_drain(struct llms_file *lf, void *arg,
			  struct llms_ucmd *ucmd);
long llms_ioc_agent_resize(struct llms_file *lf, void *arg,
			   struct llms_ucmd *ucmd);
long llms_ioc_load_report(struct llms_file *lf, void *arg,
			  struct llms_ucmd *ucmd);
void llms_agent_file_flush(struct llms_file *lf, struct file *file);
void llms_agent_file_release(struct llms_file *lf);
struct llms_agent *llms_file_agent(struct llms_file *lf);
struct llms_agent *llms_file_agent_any(struct llms_file *lf);
__poll_t llms_agent_poll(struct llms_agent *agent);
void llms_agent_post_control(struct llms_agent *agent, struct llms_task *task,
			     u8 kind, u8 reason);
void llms_task_drop_control(struct llms_task *task);
u32 llms_agent_uapi_state(const struct llms_agent *agent);
void llms_agent_put(struct llms_agent *agent);
void llms_agent_release(struct kobject *kobj);
bool llms_agents_check(void);
void llms_agents_exit(void);

/* admin.c */
long llms_ioc_version(struct llms_file *lf, void *arg,
		      struct llms_ucmd *ucmd);
long llms_ioc_set_capacity(struct llms_file *lf, void *arg,
			   struct llms_ucmd *ucmd);
long llms_ioc_get_capacity(struct llms_file *lf, void *arg,
			   struct llms_ucmd *ucmd);
long llms_ioc_set_policy(struct llms_file *lf, void *arg,
			 struct llms_ucmd *ucmd);
long llms_ioc_get_estimator(struct llms_file *lf, void *arg,
			    struct llms_ucmd *ucmd);
long llms_ioc_get_limits(struct llms_file *lf, void *arg,
			 struct llms_ucmd *ucmd);
long llms_ioc_get_policy(struct llms_file *lf, void *arg,
			 struct llms_ucmd *ucmd);
long llms_ioc_set_estimator(struct llms_file *lf, void *arg,
			    struct llms_ucmd *ucmd);
long llms_ioc_set_limits(struct llms_file *lf, void *arg,
			 struct llms_ucmd *ucmd);
int llms_apply_limits(const struct llms_limits *want);

/* sysfs.c */
int llmsched_sysfs_init(void);
void llmsched_sysfs_exit(void);
void llms_agent_kobj_init(struct llms_agent *agent);
int llms_agent_sysfs_add(struct llms_agent *agent);
void llms_agent_sysfs_del(struct llms_agent *agent);

/* debugfs.c */
void llms_debugfs_init(void);
void llms_debugfs_exit(void);

/* netlink.c */
int llms_netlink_init(void);
void llms_netlink_exit(void);
void llms_netlink_task_event(const struct llms_task *task, u32 from, u32 to,
			     u64 now);
void llms_netlink_agent_event(const struct llms_agent *agent, u32 state,
			      u64 now);

/*
 * The engine's task states are the uAPI's, number for number (checked in
 * llms_uapi_checks()); NEW, a task still being submitted, is nobody's to
 * see.
 */
static inline u32 llms_uapi_state(u32 engine_state)
{
	return engine_state == LSC_TASK_NEW ? 0 : engine_state;
}

static inline struct llms_task *to_llms_task(struct lsc_task *core)
{
	return container_of(core, struct llms_task, core);
}

static inline struct llms_agent *to_llms_agent(struct lsc_agent *core)
{
	return container_of(core, struct llms_agent, core);
}

static inline struct llms_task *llms_alink_task(struct lsc_list *pos)
{
	return to_llms_task(lsc_container_of(pos, struct lsc_task, alink));
}

/*
 * Under llmsched.lock: each ASSIGNED or RUNNING task of @agent (struct
 * llms_task *@task), by expected end; the _safe form lets the body take
 * @task off the agent (a requeue).
 */
#define llms_for_each_agent_task(task, agent)				\
	for (struct lsc_list *__head = &(agent)->core.tasks,		\
	     *__pos = __head->next;					\
	     __pos != __head && ((task) = llms_alink_task(__pos), true); \
	     __pos = __pos->next)

#define llms_for_each_agent_task_safe(task, agent)			\
	for (struct lsc_list *__head = &(agent)->core.tasks,		\
	     *__pos = __head->next, *__next = __pos->next;		\
	     __pos != __head && ((task) = llms_alink_task(__pos), true); \
	     __pos = __next, __next = __pos->next)

#endif /* _LLMSCHED_H */
