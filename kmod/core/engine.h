/* SPDX-License-Identifier: GPL-2.0 */
/*
 * llmsched engine: public interface.
 *
 * The engine decides which task runs on which agent.  It is plain C without
 * kernel or libc headers (see platform.h), compiled into llmsched.ko, the
 * host unit tests and the simulator.  Documentation/scheduling/policies.rst
 * describes the policies and their guarantees.
 *
 * Contract with the caller:
 *
 * - Memory: the engine never allocates.  Every object (struct lsc_task,
 *   struct lsc_agent, struct lsc_user, the struct lsc_dep array of a task) is
 *   allocated, owned and freed by the caller.  An object handed to the engine
 *   must stay valid until the engine lets go of it: a task until it reached
 *   a terminal state and lsc_task_releasable() says so (always at once
 *   without a propagation budget: the engine then keeps no pointer to a
 *   terminal task), an agent until lsc_agent_remove(), a user until
 *   lsc_user_remove().
 * - Locking: the engine takes no lock.  The caller serializes every call on
 *   one engine (the kernel holds one spinlock around each call).  Distinct
 *   engines are independent; there is no global mutable state.
 * - Time: every function that needs time takes @now in nanoseconds, from any
 *   monotonic clock (CLOCK_MONOTONIC in the kernel, virtual time in the
 *   simulator); @now must never decrease.  The engine never reads a clock.
 * - Callbacks: state changes are reported through struct lsc_ops,
 *   synchronously, from inside the engine call that caused them.  A callback
 *   must not call any engine function on the same engine (no re-entry) and
 *   must not free the objects it is given; it may read any field.
 * - Cost: every call is O(log n) expected unless its comment says otherwise
 *   (n: tasks or agents, whichever the call touches).  Nothing can fail for
 *   lack of memory; errors are negative LSC_E* codes (platform.h).
 * - Fields: the "caller sets" fields of a struct are written by the caller
 *   before the object is handed to the engine (after the matching *_init())
 *   and never after; every other field is engine state, read-only to the
 *   caller.
 */
#ifndef _LSC_ENGINE_H
#define _LSC_ENGINE_H

#include "platform.h"
#include "tree.h"

/* ------------------------------------------------------------ resources */

/**
 * enum lsc_res - resource kinds of demand and capacity vectors
 * @LSC_RES_CPU: CPU in millicores (1000 = one CPU)
 * @LSC_RES_MEM: memory in bytes
 * @LSC_RES_GPU: whole GPUs (count)
 * @LSC_RES_GPU_MEM: GPU memory in bytes
 *
 * LSC_NR_RES is the number of kinds the engine handles; it is the only
 * place to change when a kind is added (the uAPI reserves 8 slots).
 */
enum lsc_res {
	LSC_RES_CPU = 0,
	LSC_RES_MEM = 1,
	LSC_RES_GPU = 2,
	LSC_RES_GPU_MEM = 3,
};

#define LSC_NR_RES		4
#define LSC_MAX_RES		8	/* uAPI slots; LSC_NR_RES <= this */

/* ----------------------------------------------------------------- tasks */

/*
 * Priorities: larger is more urgent.  The same values as the uAPI's
 * LLMSCHED_PRIO_MIN, LLMSCHED_PRIO_MAX and LLMSCHED_PRIO_DEFAULT (the
 * module checks them with static assertions).
 */
#define LSC_PRIO_MIN		0
#define LSC_PRIO_MAX		255
#define LSC_PRIO_DEFAULT	100

/* Estimator: at most this many features per task. */
#define LSC_EST_MAX_FEATURES	8

/* Rank updates: dependency edges walked per submission at most. */
#define LSC_RANK_EDGES		256

/**
 * enum lsc_task_state - life cycle of a task
 * @LSC_TASK_NEW: initialized, not yet submitted (pseudo state, the "from"
 *	of the first transition)
 * @LSC_TASK_QUEUED: submitted, waiting for its dependencies
 * @LSC_TASK_RUNNABLE: all dependencies succeeded; in the run queue
 * @LSC_TASK_ASSIGNED: handed to an agent, resources committed, not started
 * @LSC_TASK_RUNNING: the agent started it
 * @LSC_TASK_SUCCEEDED: finished with exit status 0 (terminal)
 * @LSC_TASK_FAILED: failed, see enum lsc_fail_reason (terminal)
 * @LSC_TASK_CANCELLED: cancelled by lsc_task_cancel() (terminal)
 * @LSC_TASK_STOPPING: its command may still run on its agent, which is
 *	being told to kill it (cancelled, timed out) or was fenced (lost);
 *	it keeps its resources and its slot until lsc_task_stopped() (or
 *	lsc_agent_remove()) says nothing of it runs any more; see
 *	&lsc_task.stop_reason
 * @LSC_TASK_FROZEN: preempted: its agent froze it; it keeps its memory,
 *	GPUs and GPU memory, not its CPU nor its slot, until it is thawed
 *	(lsc_task_thawed() makes it RUNNING again)
 * @LSC_TASK_NR_STATES: number of states
 *
 * Every transition goes through one engine function, which counts it in
 * &lsc_stats.transitions and calls &lsc_ops.task_changed.  The numbers
 * are fixed (the module ties them to the uAPI's with static assertions):
 * new states are added at the end.
 */
enum lsc_task_state {
	LSC_TASK_NEW = 0,
	LSC_TASK_QUEUED = 1,
	LSC_TASK_RUNNABLE = 2,
	LSC_TASK_ASSIGNED = 3,
	LSC_TASK_RUNNING = 4,
	LSC_TASK_SUCCEEDED = 5,
	LSC_TASK_FAILED = 6,
	LSC_TASK_CANCELLED = 7,
	LSC_TASK_STOPPING = 8,
	LSC_TASK_FROZEN = 9,
	LSC_TASK_NR_STATES = 10,
};

/**
 * enum lsc_fail_reason - why a task ended as it did
 * @LSC_FAIL_NONE: not failed (also the reason of SUCCEEDED)
 * @LSC_FAIL_EXIT: it ran and exited with a non-zero status (see
 *	&lsc_task.exit_status)
 * @LSC_FAIL_AGENT_LOST: its agent was lost (or removed) and its retry
 *	budget was exhausted
 * @LSC_FAIL_DEP_FAILED: a dependency, direct or transitive, failed or was
 *	cancelled
 * @LSC_FAIL_CANCELLED: cancelled by lsc_task_cancel() (state CANCELLED)
 * @LSC_FAIL_TIMEOUT: stopped by lsc_task_stop() with LSC_STOP_TIMEOUT
 *	(its time limit passed)
 * @LSC_FAIL_NR: number of reasons
 *
 * Fixed numbers, new reasons at the end (tied to the uAPI's).
 */
enum lsc_fail_reason {
	LSC_FAIL_NONE = 0,
	LSC_FAIL_EXIT = 1,
	LSC_FAIL_AGENT_LOST = 2,
	LSC_FAIL_DEP_FAILED = 3,
	LSC_FAIL_CANCELLED = 4,
	LSC_FAIL_TIMEOUT = 5,
	LSC_FAIL_NR = 6,
};

/**
 * enum lsc_stop_reason - why a task is STOPPING (&lsc_task.stop_reason)
 * @LSC_STOP_CANCEL: lsc_task_cancel() (or lsc_task_stop() with it): it ends
 *	CANCELLED
 * @LSC_STOP_TIMEOUT: lsc_task_stop(): its time limit passed; it ends
 *	FAILED with reason LSC_FAIL_TIMEOUT
 * @LSC_STOP_AGENT_LOST: its agent was marked LOST (fenced): it is requeued
 *	on its retry budget, or fails with reason LSC_FAIL_AGENT_LOST
 * @LSC_STOP_NR: number of reasons
 */
enum lsc_stop_reason {
	LSC_STOP_CANCEL = 0,
	LSC_STOP_TIMEOUT = 1,
	LSC_STOP_AGENT_LOST = 2,
	LSC_STOP_NR = 3,
};

/* &lsc_task.flags, set by the caller */
/* A non-zero exit is retried (requeued) while the retry budget lasts. */
#define LSC_TASK_F_RETRY_ON_EXIT	0x1
/*
 * The agent has taken the ASSIGNED task: lsc_balance() leaves it where it
 * is.  The caller may set it on an ASSIGNED task at any time and clear it
 * while the task stays ASSIGNED; the engine clears it on requeue.
 */
#define LSC_TASK_F_PINNED		0x2
/*
 * The task may be frozen (preempted) while RUNNING to make room for a
 * task of strictly higher priority (see lsc_dispatch()).
 */
#define LSC_TASK_F_PREEMPTIBLE		0x4
#define LSC_TASK_F_CALLER_MASK		0x7
/* Engine-internal flags (read-only). */
#define LSC_TASK_F_ESTIMATED		0x100	/* est_ns came from estimator */
/* On the engine's propagation list (see lsc_propagate_pending()). */
#define LSC_TASK_F_PROPAGATING		0x200
/* On the stack of a rank update (engine-internal, within one call). */
#define LSC_TASK_F_RANKING		0x400
/* Made visible by the current dispatch walk only (engine-internal). */
#define LSC_TASK_F_EXTRA		0x800
/* In its user's lane rather than its partition's (engine-internal). */
#define LSC_TASK_F_OWN_LANE		0x1000
/* RUNNING, &lsc_ops.task_freeze called, lsc_task_frozen() not yet. */
#define LSC_TASK_F_FREEZING		0x2000
/* FROZEN, its CPU and slot committed again, &lsc_ops.task_thaw called,
 * lsc_task_thawed() not yet.
 */
#define LSC_TASK_F_THAWING		0x4000
/* A RUNNABLE head for which a freeze round is in flight (on @preempt_on). */
#define LSC_TASK_F_PREEMPTING		0x8000
/* What it holds is in its agent's &lsc_agent.frozen (no CPU, no slot). */
#define LSC_TASK_F_ICED			0x10000

/**
 * enum lsc_wait - why a task that has not started waits
 * @LSC_WAIT_NONE: it does not wait (NEW, on an agent or terminal)
 * @LSC_WAIT_DEPS: QUEUED: a dependency has not succeeded yet
 * @LSC_WAIT_TURN: RUNNABLE and dispatchable: it waits for its turn in
 *	the policy order or for a fitting agent to free up
 * @LSC_WAIT_USER_LIMIT: RUNNABLE, but its user has &lsc_user.max_active
 *	tasks on agents; dispatch does not look at it until one ends
 * @LSC_WAIT_NO_AGENT: RUNNABLE and parked: no agent that is UP can hold it
 *	(tags, capacity); it is picked up again when one that can registers,
 *	comes back UP or grows
 * @LSC_WAIT_REKEY: RUNNABLE, re-queueing after a policy switch or a change
 *	of the agent classes is not done with it yet (see lsc_rekey_step())
 * @LSC_WAIT_NR: number of reasons
 */
enum lsc_wait {
	LSC_WAIT_NONE = 0,
	LSC_WAIT_DEPS = 1,
	LSC_WAIT_TURN = 2,
	LSC_WAIT_USER_LIMIT = 3,
	LSC_WAIT_NO_AGENT = 4,
	LSC_WAIT_REKEY = 5,
	LSC_WAIT_NR = 6,
};

struct lsc_engine;
struct lsc_agent;
struct lsc_user;
struct lsc_task;

/**
 * struct lsc_dep - one dependency edge, allocated by the caller
 * @on: caller sets: the task depended upon; it must already be submitted
 *	(it may be in any state, terminal included).  The engine sets it to
 *	NULL once the edge is resolved; the caller may free the task it
 *	pointed to once lsc_task_releasable() is true for it.
 * @on_id: the id of @on, copied at submission (kept after resolution)
 * @owner: the dependent task (whose array this edge is in)
 * @link: in the dependents list of @on while unresolved
 * @resolved: non-zero once @on reached a terminal state (or the owner did)
 *
 * A task with N dependencies comes with an array of N edges that lives as
 * long as the task.  Because a task can only depend on tasks that exist when
 * it is submitted, the dependency graph has no cycle.
 */
struct lsc_dep {
	struct lsc_task *on;
	u64 on_id;
	struct lsc_task *owner;
	struct lsc_list link;
	u32 resolved;
};

/**
 * struct lsc_task - a unit of work, embedded in the caller's object
 * @id: caller sets: unique id
 * @prio: caller sets: priority, LSC_PRIO_MIN..LSC_PRIO_MAX, larger first
 * @retries: caller sets: retry budget; each requeue after an agent loss
 *	(or a retried exit failure) uses one
 * @flags: caller sets LSC_TASK_F_* caller flags; engine adds its own
 * @est_ns: caller sets: estimated run time in ns, or 0 to have the engine
 *	estimate it from the features given to lsc_task_submit() (or use
 *	&lsc_tunables.default_est_ns when there are none)
 * @demand: caller sets: resources the task needs, per enum lsc_res
 * @tags: caller sets: hardware tags the agent must all have
 * @priv: caller's pointer, never touched by the engine
 * @state: current state (enum lsc_task_state)
 * @reason: enum lsc_fail_reason of a FAILED or CANCELLED task
 * @stop_reason: enum lsc_stop_reason while STOPPING (kept after it)
 * @level: MLFQ demotions so far (the level is @prio minus this, floor 0):
 *	its owner's charge for its shape at submission, plus one per requeue
 *	after a failure or an overrun
 * @qwhere: where the run queue keeps it (engine-internal)
 * @exit_status: exit status given to lsc_task_complete()
 * @nr_deps: length of @deps
 * @nr_pending: dependencies not yet succeeded
 * @part: while RUNNABLE, its partition (&lsc_engine.parts): the run queue
 *	of the tasks that the same agent classes can hold
 * @arrival_ns: submission time
 * @start_ns: time of assignment, then of start; with @est_ns the expected
 *	end, used by backfilling.  A thaw moves it later by the time the task
 *	spent frozen, so that @start_ns + @est_ns stays its expected end and
 *	the time since @start_ns its progress
 * @qkey: while RUNNABLE, the major part of its policy order (engine-internal)
 * @frozen_ns: while FROZEN (its holdings iced), when it was frozen
 * @rank_ns: upward rank: @est_ns plus the longest chain of estimates of
 *	the dependents submitted so far (see &lsc_tunables.dag_rank)
 * @user: the submitting user's account
 * @agent: the agent while ASSIGNED, RUNNING, STOPPING or FROZEN, else NULL
 * @preempt_on: while LSC_TASK_F_PREEMPTING, the agent whose tasks freeze
 *	for it, else NULL (engine-internal)
 * @deps: the caller's dependency array
 * @dependents: head of the list of unresolved edges pointing at this task
 * @qnode: link in a run queue treap while RUNNABLE
 * @qlink: link in a FIFO run of its user's run queue while RUNNABLE
 * @alink: link in the agent's task list while it holds a CPU and a slot
 *	there (ASSIGNED, RUNNING, STOPPING, FROZEN and thawing), in its
 *	agent's frozen list while its holdings are iced, in its user's list of
 *	visible tasks while RUNNABLE
 * @work: next task on the engine's propagation list (&lsc_engine.prop)
 *	while LSC_TASK_F_PROPAGATING is set; engine-internal otherwise
 */
struct lsc_task {
	u64 id;
	u32 prio;
	u32 retries;
	u32 flags;
	u8 state;
	u8 reason;
	u8 level;
	u8 qwhere;
	u64 est_ns;
	u64 demand[LSC_NR_RES];
	u64 tags;
	void *priv;

	s32 exit_status;
	u32 nr_deps;
	u32 nr_pending;
	u16 part;
	u8 stop_reason;
	u64 start_ns;
	u64 rank_ns;
	struct lsc_user *user;
	struct lsc_agent *agent;
	struct lsc_dep *deps;
	struct lsc_list dependents;
	struct lsc_list alink;
	struct lsc_task *work;
	/* What run queue searches read, in one cache line with the link. */
	union {
		u64 qkey;
		u64 frozen_ns;
	};
	u64 arrival_ns;
	struct lsc_node qnode;
	struct lsc_list qlink;
	struct lsc_agent *preempt_on;
};

/* ---------------------------------------------------------------- agents */

/**
 * enum lsc_agent_health - health of an agent
 * @LSC_AGENT_UP: takes new tasks
 * @LSC_AGENT_DRAINING: keeps its tasks (they run, freeze and thaw as
 *	usual), takes no new ones
 * @LSC_AGENT_LOST: fenced: its tasks that never ran were requeued, the
 *	others are STOPPING until lsc_agent_remove() (or lsc_task_stopped());
 *	it keeps its reservation and takes no task
 */
enum lsc_agent_health {
	LSC_AGENT_UP = 0,
	LSC_AGENT_DRAINING = 1,
	LSC_AGENT_LOST = 2,
};

/* Upper bound of &lsc_agent.slots (per-agent work is O(slots)). */
#define LSC_AGENT_MAX_SLOTS	1024

/* Preemption: most tasks frozen to make room for one head. */
#define LSC_FREEZE_MAX		8

/* Load unit: per-mille of the agent's reservation (1000 = fully used). */
#define LSC_LOAD_SCALE		1000
/* Measured loads above this are clamped. */
#define LSC_LOAD_MAX		65535
/*
 * A measured load older than this many &lsc_tunables.load_interval_ns is
 * stale: from then on, each further interval halves what it adds to the
 * engine's own estimate, and after LSC_LOAD_DECAY halvings it adds nothing.
 */
#define LSC_LOAD_STALE		4
#define LSC_LOAD_DECAY		16

/*
 * Agent classes are numbered by slots, bits of a partition's mask.  The
 * first LSC_SLOT_SHARED classes get a slot of their own; every further
 * class shares slot LSC_SLOT_SHARED (dispatch is exact per slot, see
 * policies.rst).
 */
#define LSC_NR_SLOTS		64
#define LSC_SLOT_SHARED		63

/**
 * struct lsc_class - agents with equal capacity vector and tags
 * @cap: their capacity vector
 * @tags: their tags
 * @ready: UP agents with a free slot, ordered by (load, id)
 * @release: UP agents with at least one task, ordered by (earliest
 *	expected end of their tasks, id)
 * @members: all registered agents of the class
 * @nr_members: their number
 * @nr_up: members that are UP
 * @slot: its slot (bit of partition masks)
 * @counted: what the counters of the shared slot count it for
 * @link: in the engine's class list
 * @slink: in the list of classes sharing slot LSC_SLOT_SHARED
 *
 * Engine-internal.  Its storage is embedded in every agent
 * (&lsc_agent.cls_store); a class lives in one member's storage and moves
 * to another member when that one leaves.
 */
struct lsc_class {
	u64 cap[LSC_NR_RES];
	u64 tags;
	struct lsc_tree ready;
	struct lsc_tree release;
	struct lsc_list members;
	u32 nr_members;
	u32 nr_up;
	u32 slot;
	u32 counted;
	struct lsc_list link;
	struct lsc_list slink;
};

/**
 * struct lsc_agent - a worker process with its reservation
 * @id: caller sets: unique id (ties in agent choice go to the lower id)
 * @slots: caller sets: tasks it may hold at once (ASSIGNED + RUNNING),
 *	1..LSC_AGENT_MAX_SLOTS; lsc_agent_init() sets 1
 * @cap: caller sets: its reservation per enum lsc_res (change it later only
 *	with lsc_agent_resize())
 * @tags: caller sets: hardware tags it offers
 * @priv: caller's pointer, never touched by the engine
 * @health: enum lsc_agent_health
 * @registered: non-zero between lsc_agent_add() and lsc_agent_remove()
 * @thaw_queued: on &lsc_engine.thaw_check (engine-internal)
 * @__pad: zero
 * @used_slots: tasks holding a slot on it: ASSIGNED, RUNNING, STOPPING
 *	(unless stopped while frozen) and thawing
 * @measured: last measured CPU load, per-mille of its reservation, as
 *	reported (lsc_agent_set_measured())
 * @meas_excess: @measured less the CPU share its started tasks held when
 *	it was reported (per-mille, may be negative): what the measurement
 *	adds to the engine's own estimate
 * @meas_shift: halvings of @meas_excess applied so far because the report
 *	is stale (see lsc_agent_set_measured()); 0 while it is fresh
 * @meas_ns: when @measured was reported
 * @load: its load, per-mille: the larger of the dominant share held by its
 *	tasks (@committed plus @frozen) and its estimated CPU load, the CPU
 *	share of @committed plus @meas_excess (halved @meas_shift times)
 * @committed: resources committed to the tasks of @tasks
 * @unstarted_cpu: the part of @committed's CPU held by its ASSIGNED tasks,
 *	which have not started and use none of it yet
 * @frozen: resources held by its frozen tasks (those of @frozen_tasks):
 *	their memory, GPUs and GPU memory, never CPU; @committed + @frozen is
 *	what its tasks hold, never above @cap
 * @next_end: earliest expected end of its tasks (U64_MAX when none)
 * @nr_assigned: tasks ever assigned to it (migrations in included)
 * @nr_migrated_out: tasks migrated away from it
 * @nr_frozen: tasks on @frozen_tasks, at most @slots
 * @nr_freezing: tasks asked to freeze (LSC_TASK_F_FREEZING) and not
 *	frozen yet: a freeze round is in flight while non-zero
 * @nr_preemptible: RUNNING tasks with LSC_TASK_F_PREEMPTIBLE, not
 *	freezing
 * @preempt_for: the head the freeze round in flight is for, or NULL
 * @tasks: its tasks that hold a CPU and a slot, by expected end
 * @frozen_tasks: its tasks whose holdings are iced (FROZEN, and STOPPING
 *	ones cancelled while frozen, last), in thaw order
 * @tlink: in &lsc_engine.thaw_check
 * @cls: its class
 * @cls_store: storage for a class (see struct lsc_class)
 * @cls_link: in @cls->members
 * @rnode: link in @cls->ready
 * @enode: link in @cls->release
 * @lnode: link in the engine's load index of UP agents
 * @load_rank: (engine-internal) its position in the load index and
 * @load_below: the sum of the loads before it there, as the balancer's
 *	last walk of the index found them (valid until a load changes)
 */
struct lsc_agent {
	u32 id;
	u32 slots;
	u64 cap[LSC_NR_RES];
	u64 tags;
	void *priv;

	u8 health;
	u8 registered;
	u8 thaw_queued;
	u8 __pad;
	u32 used_slots;
	u32 measured;
	s32 meas_excess;
	u32 meas_shift;
	u64 meas_ns;
	u32 load;
	u64 committed[LSC_NR_RES];
	u64 unstarted_cpu;
	u64 frozen[LSC_NR_RES];
	u64 next_end;
	u64 nr_assigned;
	u64 nr_migrated_out;
	u32 nr_frozen;
	u32 nr_freezing;
	u32 nr_preemptible;
	struct lsc_task *preempt_for;
	struct lsc_list tasks;
	struct lsc_list frozen_tasks;
	struct lsc_list tlink;
	struct lsc_class *cls;
	struct lsc_class cls_store;
	struct lsc_list cls_link;
	struct lsc_node rnode;
	struct lsc_node enode;
	struct lsc_node lnode;
	u32 load_rank;
	u64 load_below;
};

/* ----------------------------------------------------------------- users */

/* Dominant shares are fixed point with this many fractional bits. */
#define LSC_SHARE_SHIFT		20
#define LSC_SHARE_ONE		0x100000U	/* 1 << LSC_SHARE_SHIFT */

/* MLFQ feedback: task shapes remembered per user, and the largest charge. */
#define LSC_MLFQ_SHAPES		4
#define LSC_MLFQ_MAX_CHARGE	8

/**
 * struct lsc_user - a submitter's account (fair share, limits, feedback)
 * @uid: caller sets: user id (ties in DRF go to the lower uid)
 * @max_active: caller sets before lsc_user_add(), later only through
 *	lsc_user_set_limit(): most tasks on agents at once (ASSIGNED,
 *	RUNNING, STOPPING, FROZEN), 0 for
 *	no limit (tasks over the limit wait; dispatch does not look at them)
 * @priv: caller's pointer, never touched by the engine
 * @registered: non-zero between lsc_user_add() and lsc_user_remove()
 * @share: dominant share of the total registered agent capacity, in
 *	units of 1/LSC_SHARE_ONE
 * @alloc: resources its tasks hold on agents (a frozen task's CPU not)
 * @nr_tasks: submitted tasks not yet terminal
 * @nr_runnable: RUNNABLE tasks
 * @nr_active: its tasks on agents (ASSIGNED, RUNNING, STOPPING, FROZEN)
 * @runq: the hidden tasks of its lanes (when it has a limit, or under
 *	DRF), by (partition, policy order), in FIFO runs (engine-internal)
 * @visible: the visible tasks of its lanes, linked through
 *	&lsc_task.alink: the first of each partition (engine-internal)
 * @shape: MLFQ feedback: hashes of its task shapes seen lately, most
 *	recent first (0: free)
 * @charge: demotions charged to its next task of the matching @shape
 * @link: in the engine's list of registered users
 */
struct lsc_user {
	u32 uid;
	u32 max_active;
	void *priv;

	u32 registered;
	u32 share;
	u64 alloc[LSC_NR_RES];
	u64 nr_tasks;
	u64 nr_runnable;
	u64 nr_active;
	struct lsc_tree runq;
	struct lsc_list visible;
	u64 shape[LSC_MLFQ_SHAPES];
	u8 charge[LSC_MLFQ_SHAPES];
	struct lsc_list link;
};

/* ------------------------------------------------------------ run queue */

/* Run cache entries (heads of FIFO runs), in sets of LSC_RUN_WAYS. */
#define LSC_RUN_CACHE		8192
#define LSC_RUN_WAYS		2

/* Partition slots (two generations coexist while re-queueing). */
#define LSC_NR_PARTS		128
#define LSC_PART_NONE		0xff
#define LSC_PART_HASH		256

/**
 * struct lsc_part - a partition of the run queue (engine-internal)
 * @mask: the class slots whose agents can hold its tasks (bit
 *	LSC_SLOT_SHARED: some class sharing that slot can)
 * @q: its visible tasks (the first of each lane), in policy order
 * @runq: the hidden tasks of its own lane (users without a limit, under
 *	every policy but DRF), in FIFO runs
 * @visible: the visible tasks of its own lane, through &lsc_task.alink
 * @front: the first visible task a dispatch walk has not passed yet
 *	(outside a walk: the first of @q), or NULL
 * @nr_tasks: its RUNNABLE tasks, visible or not
 * @gen: the engine generation it was made in (older: being re-queued)
 * @used: in use
 * @policy: the policy whose order @q follows
 * @shared: the catch-all partition of tasks beyond LSC_NR_PARTS masks
 * @out: the current walk is done with it
 * @skips: the current walk passed this many of its tasks
 * @wlink: in &lsc_engine.walked while the current walk changed @front
 */
struct lsc_part {
	u64 mask;
	struct lsc_tree q;
	struct lsc_tree runq;
	struct lsc_list visible;
	struct lsc_task *front;
	u64 nr_tasks;
	u32 gen;
	u8 used;
	u8 policy;
	u8 shared;
	u8 out;
	u32 skips;
	struct lsc_list wlink;
};

/* ------------------------------------------------------------ the engine */

/**
 * enum lsc_policy - run queue order
 * @LSC_POLICY_PRIO_FIFO: priority (higher first), arrival, id (default)
 * @LSC_POLICY_SJF: priority, then estimate in buckets of a quarter octave
 *	(shortest first), arrival, id
 * @LSC_POLICY_MLFQ: multi-level feedback with aging: key
 *	floor(arrival / age_ns) + LSC_PRIO_MAX - level, smaller first, then
 *	arrival, id; the level is the priority less the demotions
 * @LSC_POLICY_DRF: user with the smallest dominant share first; within a
 *	user, priority-FIFO
 * @LSC_POLICY_NR: number of policies
 *
 * Fixed numbers (the module ties them to the uAPI's): new ones at the end.
 */
enum lsc_policy {
	LSC_POLICY_PRIO_FIFO = 0,
	LSC_POLICY_SJF = 1,
	LSC_POLICY_MLFQ = 2,
	LSC_POLICY_DRF = 3,
	LSC_POLICY_NR = 4,
};

/**
 * enum lsc_agent_choice - which fitting agent a task goes to
 * @LSC_CHOOSE_LEAST_LOADED: lowest load, then lowest id (default)
 * @LSC_CHOOSE_BEST_FIT: least capacity left over in the task's dominant
 *	kind, then lowest id
 * @LSC_CHOOSE_NR: number of choices
 *
 * Fixed numbers (tied to the uAPI's), new ones at the end.
 */
enum lsc_agent_choice {
	LSC_CHOOSE_LEAST_LOADED = 0,
	LSC_CHOOSE_BEST_FIT = 1,
	LSC_CHOOSE_NR = 2,
};

/**
 * struct lsc_tunables - run-time settings (lsc_set_tunables())
 * @backfill_depth: tasks behind a blocked head examined and not assigned
 *	per partition per dispatch, 0 disables backfilling (default 64, max
 *	65536)
 * @agent_scan: agents examined per class when looking for one that fits,
 *	and per class when computing a reservation (default 64, 1..65536);
 *	exact whenever agents have one slot
 * @age_ns: MLFQ aging step: waiting this long is worth one level
 *	(default 60 s, 1 us..2^40 ns)
 * @default_est_ns: estimate of a task given none and no features
 *	(default 60 s)
 * @est_max_ns: estimates are clamped to this (default 2^46 ns, about
 *	19.5 hours; at most 2^47)
 * @balance_threshold: mean pairwise load difference, per-mille, above which
 *	lsc_balance() migrates (default 200)
 * @max_migrations: migrations per lsc_balance() call (default 16)
 * @load_interval_ns: the period at which the caller reports measured loads
 *	(lsc_agent_set_measured(); the runtime daemon's, default 10 ms, 1 us..
 *	2^40 ns): a report older than LSC_LOAD_STALE of them is stale
 * @dag_rank: 1: within a priority (MLFQ: within a key), larger upward rank
 *	(&lsc_task.rank_ns, in buckets of a quarter octave) first, then the
 *	policy's own order; 0 (default): ranks are kept but not used
 */
struct lsc_tunables {
	u32 backfill_depth;
	u32 agent_scan;
	u64 age_ns;
	u64 default_est_ns;
	u64 est_max_ns;
	u32 balance_threshold;
	u32 max_migrations;
	u32 dag_rank;
	u64 load_interval_ns;
};

/**
 * struct lsc_ops - callbacks into the caller, all optional
 * @task_changed: @task went from state @from to state @to (every
 *	transition, including NEW -> QUEUED/RUNNABLE/FAILED at submission);
 *	for FAILED and CANCELLED, &lsc_task.reason says why
 * @task_assigned: @task was assigned to @agent (called after the
 *	RUNNABLE -> ASSIGNED task_changed)
 * @task_migrated: the ASSIGNED @task moved from @from to @to (no state
 *	change)
 * @task_requeued: @task left @agent and was requeued (after the ->
 *	RUNNABLE task_changed); when it was ASSIGNED or RUNNING there the
 *	caller should stop it there (a STOPPING task is known to be stopped)
 * @task_stop: @task became STOPPING (after the task_changed) for @reason
 *	LSC_STOP_CANCEL or LSC_STOP_TIMEOUT: tell @agent to kill it (a frozen
 *	one included), then call lsc_task_stopped() once nothing of it runs.
 *	Not called for LSC_STOP_AGENT_LOST: the caller fences the whole agent
 * @task_freeze: preemption: tell @agent to freeze the RUNNING @task
 *	(cgroup.freeze), then call lsc_task_frozen()
 * @task_thaw: tell @agent to thaw the FROZEN @task, whose CPU and slot are
 *	committed again from now on, then call lsc_task_thawed()
 *
 * Called synchronously inside the engine call that made the change; they
 * must not call into the engine and must not free anything.
 */
struct lsc_ops {
	void (*task_changed)(struct lsc_engine *eng, struct lsc_task *task,
			     enum lsc_task_state from, enum lsc_task_state to);
	void (*task_assigned)(struct lsc_engine *eng, struct lsc_task *task,
			      struct lsc_agent *agent);
	void (*task_migrated)(struct lsc_engine *eng, struct lsc_task *task,
			      struct lsc_agent *from, struct lsc_agent *to);
	void (*task_requeued)(struct lsc_engine *eng, struct lsc_task *task,
			      struct lsc_agent *agent);
	void (*task_stop)(struct lsc_engine *eng, struct lsc_task *task,
			  struct lsc_agent *agent, enum lsc_stop_reason reason);
	void (*task_freeze)(struct lsc_engine *eng, struct lsc_task *task,
			    struct lsc_agent *agent);
	void (*task_thaw)(struct lsc_engine *eng, struct lsc_task *task,
			  struct lsc_agent *agent);
};

/**
 * struct lsc_stats - counters, read-only to the caller
 * @transitions: task transitions by [from][to] state
 * @submitted: tasks submitted
 * @assigned: assignments (requeued tasks count again)
 * @backfilled: assignments made while a blocked head held a reservation
 * @migrations: tasks moved by lsc_balance()
 * @requeues: tasks requeued after agent loss or retried exit failure
 * @dispatches: lsc_dispatch() calls
 * @overruns: tasks that ran past their estimate (MLFQ feedback)
 * @rekeys: re-queueings started (policy switches, agent class changes)
 * @rekeyed: tasks moved by them
 * @passed: tasks a dispatch walk examined and did not assign
 * @preemptions: freeze rounds started (one per head and agent)
 * @freezes: tasks asked to freeze (&lsc_ops.task_freeze)
 * @frozen: freezes confirmed (lsc_task_frozen())
 * @thaws: tasks asked to thaw (&lsc_ops.task_thaw)
 * @stops: tasks made STOPPING
 */
struct lsc_stats {
	u64 transitions[LSC_TASK_NR_STATES][LSC_TASK_NR_STATES];
	u64 submitted;
	u64 assigned;
	u64 backfilled;
	u64 migrations;
	u64 requeues;
	u64 dispatches;
	u64 overruns;
	u64 rekeys;
	u64 rekeyed;
	u64 passed;
	u64 preemptions;
	u64 freezes;
	u64 frozen;
	u64 thaws;
	u64 stops;
};

/**
 * struct lsc_engine - one scheduler instance, all of its state
 * @ops: callbacks (may be NULL)
 * @priv: caller's pointer
 * @policy: enum lsc_policy
 * @choice: enum lsc_agent_choice
 * @tun: tunables
 * @est_coef: estimator coefficients, see lsc_set_estimator()
 * @est_nr: number of feature coefficients set (0 = estimator off)
 * @host_cap: host capacity per kind (lsc_set_host_capacity())
 * @reserved: sum of the registered agents' reservations per kind (also
 *	the denominators of DRF shares)
 * @up_cap: sum of the capacities of UP agents
 * @parts: the partitions of the run queue
 * @part_hash: open-addressing index of the used partitions by (mask,
 *	generation): partition index + 1, 0 when free
 * @tour: tournament tree over the partitions by their front task (node i
 *	holds the index of the first below it; the root is 1, the children
 *	of i are 2i and 2i + 1, node LSC_NR_PARTS + p is partition p;
 *	LSC_PART_NONE when empty)
 * @tour_dirty: partitions whose leaf of @tour is out of date
 * @tour_levels: partitions in use have an index below 2^@tour_levels:
 *	node LSC_NR_PARTS >> @tour_levels is the root of what is in use
 * @shared_part: the catch-all partition of the current generation, or
 *	LSC_PART_NONE
 * @walking: a dispatch walk is in progress
 * @held_user: the user the current walk holds behind the head, or NULL
 * @nr_parts_used: partitions in use
 * @run_cache: heads of recently used FIFO runs of lanes' run queues, by
 *	lane and key (a shortcut past a search, see runq.c)
 * @walked: partitions whose front the current walk changed
 * @extra: tasks the current walk made visible beyond the first of their
 *	user, linked through &lsc_task.work
 * @gen: current generation of the partitions
 * @kpolicy: the policy whose order the current generation follows
 *	(@policy once re-queueing caught up with it)
 * @kage_ns: the aging step of that order (MLFQ)
 * @krank: whether that order uses upward ranks
 * @rekey_again: another re-queueing is due once the pending one is done
 * @nr_parts_fresh: partitions of the current generation
 * @rekey_part: the partition whose own lane re-queueing looks at next
 * @rekey_user: the user whose lanes re-queueing looks at next, once past
 *	the partitions
 * @rekey_budget: tasks re-queued per call, 0 for no limit (see
 *	lsc_set_rekey_budget())
 * @nr_stale: RUNNABLE tasks in partitions of an older generation
 * @slot_cls: the class of each slot below LSC_SLOT_SHARED, or NULL
 * @shared_classes: classes sharing slot LSC_SLOT_SHARED
 * @up_slots: slots with an UP agent
 * @ready_slots: slots with an UP agent that has a free slot
 * @nr_shared_up: classes sharing LSC_SLOT_SHARED with an UP member
 * @nr_shared_ready: those with a ready agent
 * @loads: UP agents by (load, id)
 * @classes: list of agent classes
 * @nr_classes: their number
 * @nr_agents: registered agents
 * @nr_runnable: RUNNABLE tasks
 * @nr_active: tasks on agents: ASSIGNED, RUNNING, STOPPING and FROZEN
 * @thaw_check: agents with frozen tasks to look at in the next dispatch
 *	(their holdings or health changed), through &lsc_agent.tlink
 * @resv_task: head task holding the backfill reservation after the last
 *	dispatch, or NULL
 * @resv_agent: agent of that reservation (NULL when no agent's fit time
 *	is known)
 * @resv_ns: its shadow time (expected earliest start; U64_MAX without an
 *	agent)
 * @load_check_ns: when stale measured loads are looked at next (see
 *	lsc_agent_set_measured())
 * @load_sum: sum of the loads of the load index as the balancer's last
 *	walk found them (see &lsc_agent.load_below)
 * @stats: counters
 * @user_list: registered users
 * @nr_users: their number
 * @prop_budget: dependency edges a call may resolve, 0 for no limit (see
 *	lsc_set_propagation_budget())
 * @prop: terminal tasks whose dependents are not all resolved yet, a stack
 *	linked through &lsc_task.work (the one on top is worked on first)
 */
struct lsc_engine {
	const struct lsc_ops *ops;
	void *priv;
	u32 policy;
	u32 choice;
	struct lsc_tunables tun;
	s64 est_coef[LSC_EST_MAX_FEATURES + 1];
	u32 est_nr;
	u64 host_cap[LSC_NR_RES];
	u64 reserved[LSC_NR_RES];
	u64 up_cap[LSC_NR_RES];
	struct lsc_part parts[LSC_NR_PARTS];
	u8 part_hash[LSC_PART_HASH];
	u8 tour[2 * LSC_NR_PARTS];
	u64 tour_dirty[LSC_NR_PARTS / 64];
	u8 tour_levels;
	u8 shared_part;
	u8 walking;
	u16 nr_parts_used;
	struct lsc_user *held_user;
	struct lsc_task *run_cache[LSC_RUN_CACHE];
	struct lsc_list walked;
	struct lsc_task *extra;
	u32 gen;
	u32 kpolicy;
	u64 kage_ns;
	u32 krank;
	u16 rekey_again;
	u16 nr_parts_fresh;
	u32 rekey_part;
	struct lsc_user *rekey_user;
	u32 rekey_budget;
	u64 nr_stale;
	struct lsc_class *slot_cls[LSC_SLOT_SHARED];
	struct lsc_list shared_classes;
	u64 up_slots;
	u64 ready_slots;
	u32 nr_shared_up;
	u32 nr_shared_ready;
	struct lsc_tree loads;
	struct lsc_list classes;
	u32 nr_classes;
	u32 nr_agents;
	u64 nr_runnable;
	u64 nr_active;
	struct lsc_list thaw_check;
	struct lsc_task *resv_task;
	struct lsc_agent *resv_agent;
	u64 resv_ns;
	u64 load_check_ns;
	u64 load_sum;
	struct lsc_stats stats;
	struct lsc_list user_list;
	u32 nr_users;
	u32 prop_budget;
	struct lsc_task *prop;
};

/* --------------------------------------------------------------- engine */

/**
 * lsc_engine_init() - initialize an engine
 * @eng: the engine (caller's memory)
 * @ops: callbacks, may be NULL; must outlive the engine
 * @priv: caller's pointer, stored in &lsc_engine.priv
 *
 * Policy priority-FIFO, least-loaded agent choice, default tunables,
 * estimator off, host capacity zero (set it before adding agents).
 */
void lsc_engine_init(struct lsc_engine *eng, const struct lsc_ops *ops,
		     void *priv);

/**
 * lsc_default_tunables() - fill @tun with the defaults
 * @tun: tunables to fill
 */
void lsc_default_tunables(struct lsc_tunables *tun);

/**
 * lsc_set_tunables() - change the tunables
 * @eng: the engine
 * @tun: new values, checked as a whole
 *
 * Return: 0, or -LSC_EINVAL when a value is out of its range (nothing
 * changed).
 */
int lsc_set_tunables(struct lsc_engine *eng, const struct lsc_tunables *tun);

/**
 * lsc_set_load_interval() - change the load report period alone
 * @eng: the engine
 * @ns: the new &lsc_tunables.load_interval_ns, 1 us .. 2^40 ns
 *
 * What the caller that reports measured loads says its period is, so that
 * its reports stay fresh for LSC_LOAD_STALE of its own intervals; the
 * reports already made are aged on the new interval from the next
 * lsc_loads_refresh() on.  O(1).
 *
 * Return: 0, or -LSC_EINVAL when @ns is out of range (nothing changed).
 */
int lsc_set_load_interval(struct lsc_engine *eng, u64 ns);

/**
 * lsc_set_policy() - switch the run queue policy
 * @eng: the engine
 * @policy: enum lsc_policy
 *
 * Starts re-queueing every RUNNABLE task under the new order: the tasks
 * submitted or requeued from now on follow it at once; the others move
 * over in lsc_rekey_step() calls, at most &lsc_engine.rekey_budget of them
 * inside this call (all of them without a budget, see
 * lsc_set_rekey_budget()).  Until a task has moved it stays RUNNABLE but is
 * not dispatched (lsc_task_wait() says LSC_WAIT_REKEY); every other call
 * works as usual meanwhile.  O(budget * log n).
 *
 * Return: 0 or -LSC_EINVAL.
 */
int lsc_set_policy(struct lsc_engine *eng, u32 policy);

/**
 * lsc_set_rekey_budget() - bound the work of a re-queueing
 * @eng: the engine
 * @tasks: RUNNABLE tasks moved per call, 0 for no limit (the default)
 *
 * Re-queueing happens when the order changes (lsc_set_policy(), a change
 * of &lsc_tunables.age_ns under MLFQ or of &lsc_tunables.dag_rank) and
 * when a new agent class appears (lsc_agent_add() or lsc_agent_resize()
 * with a capacity vector and tags no registered agent has): every
 * RUNNABLE task is filed again.  With no limit that happens inside the
 * call; with one, that call moves at most @tasks and lsc_rekey_step()
 * the rest.
 */
void lsc_set_rekey_budget(struct lsc_engine *eng, u32 tasks);

/**
 * lsc_rekey_step() - continue a bounded re-queueing
 * @eng: the engine
 * @budget: RUNNABLE tasks to move at most, 0 for no limit
 *
 * The moved tasks become dispatchable: call lsc_dispatch() after it.
 * O(@budget * log n + users passed).
 *
 * Return: non-zero while tasks remain to be moved, 0 when none do.
 */
u32 lsc_rekey_step(struct lsc_engine *eng, u32 budget);

/**
 * lsc_work_pending() - whether bounded work is left for later calls
 * @eng: the engine
 *
 * Return: true while dependency propagation (lsc_propagate_pending()) or
 * re-queueing (lsc_rekey_step()) has work left.
 */
static inline bool lsc_work_pending(const struct lsc_engine *eng)
{
	return eng->prop || eng->nr_stale || eng->rekey_again;
}

/**
 * lsc_set_agent_choice() - switch the agent choice rule
 * @eng: the engine
 * @choice: enum lsc_agent_choice
 *
 * Return: 0 or -LSC_EINVAL.
 */
int lsc_set_agent_choice(struct lsc_engine *eng, u32 choice);

/**
 * lsc_set_host_capacity() - set the host's capacity (the ledger's total)
 * @eng: the engine
 * @cap: capacity per enum lsc_res
 *
 * Return: 0, or -LSC_EOVERCOMMIT when a kind would fall below the sum of
 * the reservations of registered agents (nothing changed).
 */
int lsc_set_host_capacity(struct lsc_engine *eng, const u64 *cap);

/**
 * lsc_set_propagation_budget() - bound the work of a terminal transition
 * @eng: the engine
 * @edges: dependency edges one call may resolve, 0 for no limit (the
 *	default)
 *
 * When a task ends, the edges of its dependents are resolved: they become
 * RUNNABLE (last dependency succeeded) or fail with reason dep-failed,
 * which resolves their own dependents in turn.  With no limit all of it
 * happens inside the call that ended the task.  With a budget, each call
 * that ends tasks (lsc_task_complete(), lsc_task_requeue(),
 * lsc_task_cancel(), lsc_agent_set_health(), lsc_agent_remove()) resolves
 * at most @edges edges; the rest stays pending in the engine, to be done
 * by lsc_propagate_pending().  Meanwhile the dependents not yet reached
 * stay QUEUED (never dispatched) and every engine call keeps working; a
 * terminal task still referenced is not releasable (see
 * lsc_task_releasable()).
 */
void lsc_set_propagation_budget(struct lsc_engine *eng, u32 edges);

/**
 * lsc_propagate_pending() - continue a bounded propagation
 * @eng: the engine
 * @budget: dependency edges to resolve at most, 0 for no limit
 *
 * Resolves pending edges, most recently ended tasks first; callbacks fire
 * as they would have inside the call that ended the task.
 * O(@budget * (log n + deps of the tasks failed)).
 *
 * Return: non-zero while propagation work remains, 0 when none does.
 */
u32 lsc_propagate_pending(struct lsc_engine *eng, u32 budget);

/* -------------------------------------------------------------- estimator */

/**
 * lsc_set_estimator() - set the run-time model
 * @eng: the engine
 * @coef: @nr + 1 coefficients: coef[0] is the intercept a0 in units of
 *	2^-16 ns, coef[i] (i >= 1) the weight of feature i-1 in units of
 *	2^-16 ns per feature unit
 * @nr: number of features, 0..LSC_EST_MAX_FEATURES (0 turns it off)
 *
 * Example: a0 = 0.2 s is 200000000 << 16; 0.005 s per character is
 * 5000000 << 16.
 *
 * Return: 0 or -LSC_EINVAL.
 */
int lsc_set_estimator(struct lsc_engine *eng, const s64 *coef, u32 nr);

/**
 * lsc_estimate() - evaluate the run-time model
 * @eng: the engine
 * @features: feature values (input characters, model size in millions of
 *	parameters, ...), in the order of the coefficients
 * @nr: number of values; missing ones count as 0, extra ones are ignored
 *
 * T = (a0 + sum a_i * x_i) / 2^16 ns, rounded to nearest, computed with
 * saturating 64-bit integer arithmetic and clamped to [0, est_max_ns].
 *
 * Return: the estimate in ns (0 when the estimator is off).
 */
u64 lsc_estimate(const struct lsc_engine *eng, const u64 *features, u32 nr);

/* ----------------------------------------------------------------- users */

/**
 * lsc_user_init() - initialize an account
 * @user: the account
 * @uid: its user id
 */
void lsc_user_init(struct lsc_user *user, u32 uid);

/**
 * lsc_user_add() - register an account
 * @eng: the engine
 * @user: an initialized account
 *
 * Return: 0, or -LSC_EEXIST if already registered.
 */
int lsc_user_add(struct lsc_engine *eng, struct lsc_user *user);

/**
 * lsc_user_remove() - unregister an account
 * @eng: the engine
 * @user: the account
 *
 * Return: 0, -LSC_ENOENT if not registered, -LSC_EBUSY while it has
 * non-terminal tasks.
 */
int lsc_user_remove(struct lsc_engine *eng, struct lsc_user *user);

/**
 * lsc_user_set_limit() - change a registered account's max_active
 * @eng: the engine
 * @user: the account
 * @max_active: most tasks on agents at once, 0 for no limit
 *
 * Tasks already active above a lowered limit keep running.  O(partitions
 * of the user's tasks * log n).  Does not dispatch.
 *
 * Return: 0, or -LSC_ENOENT if not registered.
 */
int lsc_user_set_limit(struct lsc_engine *eng, struct lsc_user *user,
		       u32 max_active);

/* ----------------------------------------------------------------- tasks */

/**
 * lsc_task_init() - initialize a task before filling its caller fields
 * @task: the task
 * @id: its id
 *
 * Zeroes everything, sets @id, priority LSC_PRIO_DEFAULT, state NEW.
 */
void lsc_task_init(struct lsc_task *task, u64 id);

/**
 * lsc_task_submit() - hand a task to the engine
 * @eng: the engine
 * @task: initialized task with its caller fields set
 * @user: its registered account
 * @deps: array of @nr_deps edges whose &lsc_dep.on the caller set, or NULL
 * @nr_deps: number of dependencies
 * @features: estimator features (used when &lsc_task.est_ns is 0), or NULL
 * @nr_features: their number, at most LSC_EST_MAX_FEATURES
 * @now: current time
 *
 * The task becomes RUNNABLE when it has no unfinished dependency, QUEUED
 * otherwise, or FAILED (reason dep-failed) at once when a dependency
 * already failed or was cancelled.  Its estimate raises the upward rank of
 * the unfinished tasks it depends on, transitively, at most
 * LSC_RANK_EDGES edges per call.  O((LSC_RANK_EDGES + nr_deps) * log n).
 * Does not dispatch: call lsc_dispatch().
 *
 * Return: 0, or -LSC_EINVAL (task not NEW, priority out of range, unknown
 * flag, user not registered, an edge without a submitted task, too many
 * features) with nothing changed.
 */
int lsc_task_submit(struct lsc_engine *eng, struct lsc_task *task,
		    struct lsc_user *user, struct lsc_dep *deps, u32 nr_deps,
		    const u64 *features, u32 nr_features, u64 now);

/**
 * lsc_task_can_ever_fit() - whether some registered agent could hold it
 * @eng: the engine
 * @task: a task with its demand and tags set (need not be submitted)
 *
 * True when an UP or DRAINING agent's capacity covers the task's demand in
 * every kind and its tags include the task's.  O(number of classes), plus
 * the LOST members skipped in a class that could hold it.
 *
 * Return: true or false.
 */
bool lsc_task_can_ever_fit(const struct lsc_engine *eng,
			   const struct lsc_task *task);

/**
 * lsc_task_start() - the agent started an ASSIGNED task
 * @eng: the engine
 * @task: the task
 * @now: current time
 *
 * ASSIGNED -> RUNNING.  O(log n + slots).
 *
 * Return: 0, or -LSC_EINVAL if the task is not ASSIGNED.
 */
int lsc_task_start(struct lsc_engine *eng, struct lsc_task *task, u64 now);

/**
 * lsc_task_complete() - a task on an agent ended
 * @eng: the engine
 * @task: the task (ASSIGNED, RUNNING, FROZEN or STOPPING)
 * @exit_status: 0 for success
 * @now: current time
 *
 * A STOPPING task's command ended by itself before the kill: the stop
 * decides the outcome, as lsc_task_stopped() does (@exit_status is kept in
 * &lsc_task.exit_status, nothing more).  A FROZEN task (thawing or not)
 * ends as a RUNNING one does.
 *
 * Releases its resources.  Status 0: SUCCEEDED, and dependents whose last
 * dependency this was become RUNNABLE.  Otherwise FAILED (reason exit),
 * unless the task has LSC_TASK_F_RETRY_ON_EXIT and retries left (then it
 * is requeued RUNNABLE); a failure fails its dependents transitively (reason
 * dep-failed).  O(log n + slots + dependents reached), or with a
 * propagation budget, at most that many edges (lsc_set_propagation_budget()).
 *
 * MLFQ feedback: a RUNNING task that ran longer than its estimate charges
 * its user one demotion (at most LSC_MLFQ_MAX_CHARGE) for its shape (demand
 * vector and tags); one that ended within it takes one back.  The user's
 * next tasks of that shape start that many levels down.
 *
 * Return: 0, or -LSC_EINVAL if the task is not on an agent.
 */
int lsc_task_complete(struct lsc_engine *eng, struct lsc_task *task,
		      s32 exit_status, u64 now);

/**
 * lsc_task_requeue() - put a task on an agent back in the queue
 * @eng: the engine
 * @task: the task (ASSIGNED, RUNNING, FROZEN or STOPPING)
 * @use_retry: true: the task failed on its agent and should run again
 *	if its retry budget allows (one retry and one MLFQ level used; FAILED
 *	with reason exit when none is left); false: the agent gives back a
 *	task it never ran (unregistering), at no cost to the task
 * @now: current time
 *
 * Its resources are released; RUNNABLE again unless it failed.  On a
 * STOPPING task it acts as lsc_task_stopped(): the stop decides.
 *
 * Return: 0, or -LSC_EINVAL if the task is not on an agent.
 */
int lsc_task_requeue(struct lsc_engine *eng, struct lsc_task *task,
		     bool use_retry, u64 now);

/**
 * lsc_task_cancel() - cancel a task that has not ended
 * @eng: the engine
 * @task: the task
 * @now: current time
 *
 * A task that never ran (QUEUED, RUNNABLE, or ASSIGNED and not
 * LSC_TASK_F_PINNED: never fetched) becomes CANCELLED at once; its
 * dependents fail transitively with reason dep-failed (all of them in this
 * call, or at most the propagation budget's worth, see
 * lsc_set_propagation_budget()).  One that may run (ASSIGNED and pinned,
 * RUNNING, FROZEN) becomes STOPPING with reason LSC_STOP_CANCEL: it keeps
 * its resources and its slot, &lsc_ops.task_stop is called, and it ends
 * CANCELLED (dependents failing then) in lsc_task_stopped().  O(log n +
 * slots), plus the dependents reached.
 *
 * Return: 0; -LSC_EBUSY if it is STOPPING already; -LSC_EINVAL if it is
 * NEW or terminal.
 */
int lsc_task_cancel(struct lsc_engine *eng, struct lsc_task *task, u64 now);

/**
 * lsc_task_stop() - stop a task that may be running on its agent
 * @eng: the engine
 * @task: the task: ASSIGNED and LSC_TASK_F_PINNED, RUNNING or FROZEN
 * @reason: LSC_STOP_TIMEOUT (its time limit passed) or LSC_STOP_CANCEL
 * @now: current time
 *
 * It becomes STOPPING with @reason, keeps its resources and its slot, and
 * &lsc_ops.task_stop is called; lsc_task_stopped() ends it (FAILED with
 * reason timeout, or CANCELLED).  A freeze or thaw in flight is dropped
 * (its confirmation is refused).  O(log n + slots).
 *
 * Return: 0; -LSC_EBUSY if it is STOPPING already; -LSC_EINVAL for
 * another state or reason (LSC_STOP_AGENT_LOST is the engine's own).
 */
int lsc_task_stop(struct lsc_engine *eng, struct lsc_task *task, u32 reason,
		  u64 now);

/**
 * lsc_task_stopped() - nothing of a STOPPING task runs any more
 * @eng: the engine
 * @task: a STOPPING task
 * @now: current time
 *
 * Its resources and slot are released and its stop reason decides: cancel
 * -> CANCELLED (reason cancelled); timeout -> FAILED (reason timeout);
 * agent lost -> RUNNABLE again on its retry budget (one retry and one MLFQ
 * level used), or FAILED (reason agent-lost) when none is left.  Its
 * dependents are resolved as for any end.  O(log n + slots + dependents
 * reached), bounded by the propagation budget.
 *
 * Return: 0, or -LSC_EINVAL if the task is not STOPPING.
 */
int lsc_task_stopped(struct lsc_engine *eng, struct lsc_task *task, u64 now);

/**
 * lsc_task_frozen() - the agent froze a task it was asked to
 * @eng: the engine
 * @task: a RUNNING task with LSC_TASK_F_FREEZING
 * @now: current time
 *
 * RUNNING -> FROZEN: its CPU and its slot are released, its memory, GPUs
 * and GPU memory stay held (&lsc_agent.frozen).  The round ends with its
 * last freeze.  Does not dispatch: call lsc_dispatch().  O(log n + slots).
 *
 * Return: 0, or -LSC_EINVAL when the task is not freezing (it ended, was
 * stopped or its agent lost in between: a late confirmation changes
 * nothing).
 */
int lsc_task_frozen(struct lsc_engine *eng, struct lsc_task *task, u64 now);

/**
 * lsc_task_thawed() - the agent thawed a task it was asked to
 * @eng: the engine
 * @task: a FROZEN task with LSC_TASK_F_THAWING
 * @now: current time
 *
 * FROZEN -> RUNNING (its CPU and slot were committed when the thaw was
 * asked for).  O(1).
 *
 * Return: 0, or -LSC_EINVAL when the task is not thawing.
 */
int lsc_task_thawed(struct lsc_engine *eng, struct lsc_task *task, u64 now);

/**
 * lsc_task_terminal() - whether a state is terminal
 * @state: enum lsc_task_state
 *
 * Return: true for SUCCEEDED, FAILED and CANCELLED.
 */
static inline bool lsc_task_terminal(u32 state)
{
	return state == LSC_TASK_SUCCEEDED || state == LSC_TASK_FAILED ||
	       state == LSC_TASK_CANCELLED;
}

/**
 * lsc_task_releasable() - whether the caller may free a terminal task
 * @t: the task
 *
 * A terminal task stays referenced by the engine while some of its
 * dependents' edges are unresolved (only with a propagation budget, see
 * lsc_set_propagation_budget()).
 *
 * Return: true when @t is terminal and the engine holds no reference to
 * it (its dependents list is empty and it is not pending propagation).
 */
bool lsc_task_releasable(const struct lsc_task *t);

/**
 * lsc_task_wait() - why a task waits
 * @eng: the engine
 * @t: a submitted task
 *
 * The answer for a RUNNABLE task holds until the next engine call: a
 * parked task (LSC_WAIT_NO_AGENT) stays RUNNABLE, in no agent's reach,
 * until an agent that can hold it is UP; it never fails for it.  O(1).
 *
 * Return: enum lsc_wait.
 */
u32 lsc_task_wait(const struct lsc_engine *eng, const struct lsc_task *t);

/**
 * lsc_wait_name() - printable name of a wait reason
 * @wait: enum lsc_wait
 *
 * Return: "none", "deps", "turn", "user-limit", "no-agent", "rekey" or "?".
 */
const char *lsc_wait_name(u32 wait);

/**
 * lsc_nr_parked() - RUNNABLE tasks that no UP agent can hold
 * @eng: the engine
 *
 * O(partitions).
 *
 * Return: the number of tasks for which lsc_task_wait() says
 * LSC_WAIT_NO_AGENT.
 */
u64 lsc_nr_parked(const struct lsc_engine *eng);

/**
 * lsc_task_state_name() - printable name of a state
 * @state: enum lsc_task_state
 *
 * Return: "new", "queued", "runnable", "assigned", "running", "succeeded",
 * "failed", "cancelled", "stopping", "frozen", or "?" when out of range.
 */
const char *lsc_task_state_name(u32 state);

/**
 * lsc_fail_reason_name() - printable name of a failure reason
 * @reason: enum lsc_fail_reason
 *
 * Return: "none", "exit", "agent-lost", "dep-failed", "cancelled",
 * "timeout" or "?".
 */
const char *lsc_fail_reason_name(u32 reason);

/* ---------------------------------------------------------------- agents */

/**
 * lsc_agent_init() - initialize an agent before filling its caller fields
 * @agent: the agent
 * @id: its id
 *
 * Zeroes everything, sets @id and one slot.
 */
void lsc_agent_init(struct lsc_agent *agent, u32 id);

/**
 * lsc_agent_add() - register an agent (health UP)
 * @eng: the engine
 * @agent: initialized agent with its caller fields set
 * @now: current time
 *
 * Its reservation is entered in the ledger.  O(log n + classes); under DRF
 * every user's visible tasks are re-keyed (O(users log users)).  When no
 * registered agent has its capacity vector and tags, it makes a new class
 * and every RUNNABLE task is re-queued (see lsc_set_rekey_budget()), so
 * that parked tasks it can hold are picked up again.
 *
 * Return: 0, -LSC_EEXIST if registered, -LSC_EINVAL for a bad slot count,
 * -LSC_EOVERCOMMIT when the reservations would exceed the host capacity in
 * some kind (nothing changed).
 */
int lsc_agent_add(struct lsc_engine *eng, struct lsc_agent *agent, u64 now);

/**
 * lsc_agent_set_health() - mark an agent UP, DRAINING or LOST
 * @eng: the engine
 * @agent: a registered agent
 * @health: enum lsc_agent_health
 * @now: current time
 *
 * LOST fences it: its ASSIGNED tasks that are not LSC_TASK_F_PINNED (never
 * fetched, they never ran) go back to RUNNABLE at no cost; the pinned,
 * RUNNING and FROZEN ones become STOPPING with reason LSC_STOP_AGENT_LOST
 * and keep their resources (no &lsc_ops.task_stop: the caller fences the
 * whole agent), until lsc_agent_remove() or lsc_task_stopped().  A freeze
 * round in flight there is dropped.  The agent keeps its reservation and
 * takes no task until set UP again.  DRAINING: it takes no new task; its
 * tasks run, freeze and thaw as usual.  O(tasks on it * log n).
 *
 * Return: 0, -LSC_ENOENT if not registered, -LSC_EINVAL for a bad health.
 */
int lsc_agent_set_health(struct lsc_engine *eng, struct lsc_agent *agent,
			 u32 health, u64 now);

/**
 * lsc_agent_remove() - unregister an agent
 * @eng: the engine
 * @agent: a registered agent
 * @now: current time
 *
 * The caller removes an agent once nothing of it can run any more (its
 * cgroup is empty).  Its STOPPING tasks are resolved as lsc_task_stopped()
 * would; its other tasks are fenced and resolved at once: those that never
 * ran are requeued at no cost, the others as agent-lost (requeued on their
 * retry budget, or failed).  Then its reservation leaves the ledger.
 * O(tasks on it * log n) plus O(class members) when the agent's storage
 * held its class.  RUNNABLE tasks that no UP agent can hold any more are
 * parked (lsc_task_wait()).
 *
 * Return: 0 or -LSC_ENOENT if not registered.
 */
int lsc_agent_remove(struct lsc_engine *eng, struct lsc_agent *agent,
		     u64 now);

/**
 * lsc_agent_set_measured() - record an agent's measured CPU load
 * @eng: the engine
 * @agent: a registered agent
 * @permille: CPU time used relative to its reservation plus the weighted
 *	time its tasks waited for a CPU, per-mille (clamped to LSC_LOAD_MAX)
 * @now: current time (when it was measured)
 *
 * The engine keeps what the report says beyond the CPU share its started
 * tasks hold now (all but the ASSIGNED ones, which use no CPU yet): the
 * excess, positive when they use more CPU than they reserved, negative
 * when less.  Until the next report the agent's estimated CPU load is
 * that excess plus the CPU share of all its tasks, the ASSIGNED ones at
 * their demand since they will run there: right after a report, the
 * measured load plus the share of its ASSIGNED tasks.  A task assigned,
 * migrated or ended moves it at once by its share; one that starts does
 * not (the next report says what it uses).  Its load (&lsc_agent.load) is
 * the larger of that estimate and the dominant share its tasks hold.
 *
 * Stale reports: a report older than LSC_LOAD_STALE load intervals
 * (&lsc_tunables.load_interval_ns) decays toward the engine's own
 * estimate: each interval beyond halves the excess, and after
 * LSC_LOAD_DECAY halvings it is gone, so a reporter that died cannot pin
 * decisions.  lsc_dispatch() and lsc_balance() apply the decay, at most
 * once per load interval, in O(agents + agents changed * log n).
 *
 * Return: 0 or -LSC_ENOENT if not registered.
 */
int lsc_agent_set_measured(struct lsc_engine *eng, struct lsc_agent *agent,
			   u32 permille, u64 now);

/**
 * lsc_loads_refresh() - apply the decay of stale measured loads
 * @eng: the engine
 * @now: current time
 *
 * What lsc_dispatch() and lsc_balance() do first: nothing before
 * &lsc_engine.load_check_ns, then one pass over the registered agents.
 * O(agents + agents changed * log n) once per load interval, O(1)
 * otherwise.
 */
void lsc_loads_refresh(struct lsc_engine *eng, u64 now);

/**
 * lsc_agent_resize() - change an agent's reservation and slots
 * @eng: the engine
 * @agent: a registered agent
 * @cap: new capacity per enum lsc_res
 * @slots: new slot count, 1..LSC_AGENT_MAX_SLOTS, or 0 to keep it
 *
 * A capacity vector no other agent of its tags has makes a new class, as
 * in lsc_agent_add().  Atomic: on error nothing changed.  Checked in this
 * order: registration, @slots, what its tasks hold, the host.  O(log n +
 * frozen tasks on it + classes), plus the re-queueing of a new class.
 *
 * The last measured load's excess (&lsc_agent.meas_excess, per-mille of
 * the CPU reservation) is rescaled to the new CPU reservation so that it
 * stands for the same millicores (saturating at LSC_LOAD_MAX; dropped
 * when the CPU reservation was or becomes zero); its decay goes on as
 * before.  &lsc_agent.measured stays as reported.
 *
 * Return: 0; -LSC_ENOENT if not registered; -LSC_EINVAL for @slots above
 * LSC_AGENT_MAX_SLOTS; -LSC_EBUSY when some kind would fall below what its
 * tasks hold (&lsc_agent.committed + &lsc_agent.frozen), below the demand
 * of one of its frozen tasks (it could never thaw), or @slots below its
 * used slots; -LSC_EOVERCOMMIT when the host would be over-committed.
 */
int lsc_agent_resize(struct lsc_engine *eng, struct lsc_agent *agent,
		     const u64 *cap, u32 slots);

/**
 * lsc_agent_load() - an agent's load
 * @agent: the agent
 *
 * Return: per-mille, max(estimated CPU load, dominant share of its
 * capacity held by its tasks); see lsc_agent_set_measured().
 */
static inline u32 lsc_agent_load(const struct lsc_agent *agent)
{
	return agent->load;
}

/* -------------------------------------------------- dispatch and balance */

/**
 * lsc_dispatch() - assign RUNNABLE tasks to agents
 * @eng: the engine
 * @now: current time
 *
 * Walks the run queue in policy order, assigning each task that fits an
 * agent.  The walk only looks at partitions (tasks the same agent classes
 * can hold) in which some UP agent has a free slot, and at no task of a
 * user at its limit.  The first task that fits nowhere (the head) gets a
 * reservation (agent and shadow time; none when no agent's fit time is
 * known because frozen holdings stand in its way: then only strict order,
 * without backfilling, holds back the tasks behind it); behind it tasks
 * are assigned only when they cannot delay the head, and at most
 * backfill_depth of them per partition are passed over (see
 * policies.rst).
 *
 * Preemption: when the head could fit an UP agent if LSC_TASK_F_PREEMPTIBLE
 * RUNNING tasks there of strictly lower priority gave up their CPU and
 * slot, the engine picks at most LSC_FREEZE_MAX of them on one agent
 * (lowest priority first, then least progress; see policies.rst), calls
 * &lsc_ops.task_freeze for each, and the head keeps its reservation there
 * (nothing behind it takes what they free) until it is assigned.  At most
 * one round is in flight per agent.
 *
 * Thaw: then, a FROZEN task whose agent (UP or DRAINING) has its CPU and
 * a slot free is thawed (its CPU and slot committed, &lsc_ops.task_thaw
 * called) unless a waiting task of higher priority could use them: the
 * walk gives no task of lower or equal priority the CPU and slot that an
 * agent's first frozen task needs, and no thaw delays the head.
 *
 * Afterwards no UP agent without a task stands beside a RUNNABLE task it
 * can hold whose user is below its limit (unless re-queueing is pending,
 * backfilling is off and the task is behind the head, or the agent keeps
 * its CPU or slot for a frozen task of higher or equal priority).  Call it
 * after every event that adds work or frees resources.  O((assigned +
 * partitions * (backfill_depth + 1)) * (classes + agent_scan) * log n),
 * plus O(agent_scan * classes * LSC_FREEZE_MAX * slots) for a victim
 * search, O(thaws + agents whose holdings changed) for the thaws, and
 * first, once per load interval, the decay of stale measured loads
 * (lsc_loads_refresh()); the agent choice orders agents by their load,
 * measured loads included.
 *
 * Return: number of tasks assigned.
 */
u32 lsc_dispatch(struct lsc_engine *eng, u64 now);

/**
 * lsc_imbalance() - load imbalance of the UP agents
 * @eng: the engine
 *
 * Sum over unordered pairs of UP agents of |L_i - L_j| (per-mille), as
 * sum_k L_(k) * (2k - n + 1) over loads sorted ascending.  O(n).
 *
 * Return: the sum.
 */
u64 lsc_imbalance(const struct lsc_engine *eng);

/**
 * lsc_balance() - migrate ASSIGNED tasks when the load is uneven
 * @eng: the engine
 * @now: current time
 *
 * When the mean pairwise load difference exceeds balance_threshold, moves
 * up to max_migrations tasks that have not started (ASSIGNED, not
 * LSC_TASK_F_PINNED) from the most loaded agents to the least loaded agent
 * that can hold each now (tags, capacity, a free slot; never the agent the
 * blocked head holds a reservation on, but the next least loaded one).
 * A move is made only when, on the loads estimated after it (see
 * lsc_agent_set_measured()), the larger of the two loads is below the
 * source's load before and the imbalance (lsc_imbalance()) is strictly
 * lower.  Stale measured loads decay first
 * (lsc_loads_refresh()).  Per move at most agent_scan source agents, and
 * of each at most agent_scan candidate tasks (each its own budget, so that
 * one agent's immovable tasks do not end the pass), are looked at:
 * O(max_migrations * (n + agent_scan * (slots + agent_scan *
 * (classes * agent_scan + 1) * log n))), the n for the imbalance: the
 * walk of the load index that computes it also keeps each agent's rank
 * and the sum of the loads below it, with which the change a candidate
 * move makes to the imbalance takes O(log n) (expected).
 *
 * Return: number of tasks migrated.
 */
u32 lsc_balance(struct lsc_engine *eng, u64 now);

#endif /* _LSC_ENGINE_H */
