/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * llmsched: scheduling of LLM agent tasks on an inference host.
 *
 * This header is the only contract between llmsched.ko and userspace: the
 * character device /dev/llmsched, its ioctls and their structures, the
 * generic netlink family and the names under /sys/kernel/llmsched.
 * Documentation/userspace-api/llmsched.rst is its reference.
 *
 * How the structures grow (the iommufd model): every ioctl argument starts
 * with a __u32 @size that the caller sets to sizeof() the structure it was
 * compiled with.  The ioctl numbers carry no size.  The kernel reads @size
 * first, then copies that many bytes:
 *
 * - @size below the first version of the structure: -EINVAL;
 * - @size above what this kernel knows: the extra bytes must be zero
 *   (they are fields from a newer header, left unset), else -E2BIG;
 *   above one page: -E2BIG;
 * - @size below what this kernel knows: the missing fields read as zero,
 *   and zero always means "the behaviour before that field existed".
 *
 * Output fields are written back over the caller's @size bytes only.
 * Every @flags field rejects unknown bits with -EINVAL, and every field
 * named __reserved must be zero (-EINVAL otherwise), so that both can be
 * given a meaning later.  Times are __u64 nanoseconds of CLOCK_MONOTONIC;
 * durations are __u64 nanoseconds; pointers are __u64.
 */
#ifndef _UAPI_LINUX_LLMSCHED_H
#define _UAPI_LINUX_LLMSCHED_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Name of the character device under /dev and of the sysfs folder. */
#define LLMSCHED_DEVICE_NAME	"llmsched"

/*
 * Version of the module, as /sys/kernel/llmsched/version prints it:
 * MAJOR.MINOR.PATCH.  MAJOR changes only if this contract breaks, which it is
 * designed never to do.
 */
#define LLMSCHED_VERSION_MAJOR	0
#define LLMSCHED_VERSION_MINOR	2
#define LLMSCHED_VERSION_PATCH	0

/* All llmsched ioctls use this type. */
#define LLMSCHED_IOCTL_MAGIC	0xB7

/**
 * enum llmsched_resource - kinds of resource in a demand or capacity vector
 * @LLMSCHED_RES_CPU: CPU time, in millicores (1000 = one whole CPU).
 * @LLMSCHED_RES_MEM: memory, in bytes.
 * @LLMSCHED_RES_GPU: whole GPUs, a count.
 * @LLMSCHED_RES_GPU_MEM: GPU memory, in bytes.
 *
 * Vectors have %LLMSCHED_RES_MAX slots; slots past the kinds this kernel
 * knows must be zero (-EINVAL otherwise), so that new kinds can be added
 * without changing any structure.
 */
enum llmsched_resource {
	LLMSCHED_RES_CPU = 0,
	LLMSCHED_RES_MEM = 1,
	LLMSCHED_RES_GPU = 2,
	LLMSCHED_RES_GPU_MEM = 3,
	LLMSCHED_RES_KNOWN = 4,
};

#define LLMSCHED_RES_MAX	8

/* Number of features the run-time estimator takes (see struct
 * llmsched_estimator).
 */
#define LLMSCHED_FEATURES_MAX	8

/* Priorities: a larger number is more urgent. */
#define LLMSCHED_PRIO_MIN	0
#define LLMSCHED_PRIO_MAX	255
#define LLMSCHED_PRIO_DEFAULT	100

/* At most this many dependencies per task. */
#define LLMSCHED_DEPS_MAX	64

/* The payload (command line and environment) is at most this long. */
#define LLMSCHED_PAYLOAD_MAX	(64 * 1024)

/* A batch submits at most this many tasks. */
#define LLMSCHED_BATCH_MAX	4096

/**
 * enum llmsched_task_state - where a task is in its life
 * @LLMSCHED_TASK_QUEUED: waiting for its dependencies to succeed.
 * @LLMSCHED_TASK_RUNNABLE: in a run queue, waiting for an agent it fits.
 * @LLMSCHED_TASK_ASSIGNED: handed to an agent, not started yet; may still
 *	migrate to another agent until the agent fetches it.
 * @LLMSCHED_TASK_RUNNING: the agent reported it started.
 * @LLMSCHED_TASK_SUCCEEDED: ended with exit status 0.  Terminal.
 * @LLMSCHED_TASK_FAILED: ended otherwise; see enum llmsched_task_reason.
 *	Terminal.
 * @LLMSCHED_TASK_CANCELLED: cancelled before it ended.  Terminal.
 */
enum llmsched_task_state {
	LLMSCHED_TASK_QUEUED = 1,
	LLMSCHED_TASK_RUNNABLE = 2,
	LLMSCHED_TASK_ASSIGNED = 3,
	LLMSCHED_TASK_RUNNING = 4,
	LLMSCHED_TASK_SUCCEEDED = 5,
	LLMSCHED_TASK_FAILED = 6,
	LLMSCHED_TASK_CANCELLED = 7,
};

/**
 * enum llmsched_task_reason - why a task ended, or was requeued
 * @LLMSCHED_REASON_NONE: it has not ended, or it succeeded.
 * @LLMSCHED_REASON_EXIT: its command exited with a non-zero status.
 * @LLMSCHED_REASON_SIGNAL: its command was killed by a signal.
 * @LLMSCHED_REASON_OOM: its command was killed by the OOM killer in its
 *	agent's memory reservation.
 * @LLMSCHED_REASON_TIMEOUT: it ran past the limit the runtime enforces.
 * @LLMSCHED_REASON_LAUNCH: the agent could not start its command.
 * @LLMSCHED_REASON_AGENT_LOST: its agent died or stopped answering, and the
 *	task's retry budget is spent.
 * @LLMSCHED_REASON_DEP_FAILED: a task it depends on failed or was
 *	cancelled.
 * @LLMSCHED_REASON_CANCELLED: its owner or an administrator cancelled it.
 */
enum llmsched_task_reason {
	LLMSCHED_REASON_NONE = 0,
	LLMSCHED_REASON_EXIT = 1,
	LLMSCHED_REASON_SIGNAL = 2,
	LLMSCHED_REASON_OOM = 3,
	LLMSCHED_REASON_TIMEOUT = 4,
	LLMSCHED_REASON_LAUNCH = 5,
	LLMSCHED_REASON_AGENT_LOST = 6,
	LLMSCHED_REASON_DEP_FAILED = 7,
	LLMSCHED_REASON_CANCELLED = 8,
};

/* Flags of struct llmsched_task_submit. */
/* The runtime may pause the task (cgroup.freeze) to make room. */
#define LLMSCHED_SUBMIT_PREEMPTIBLE	(1U << 0)
#define LLMSCHED_SUBMIT_FLAGS		(LLMSCHED_SUBMIT_PREEMPTIBLE)

/**
 * struct llmsched_task_submit - a task, as submitted
 * @size: sizeof(struct llmsched_task_submit).
 * @flags: LLMSCHED_SUBMIT_* flags.
 * @task_id: out: the id the kernel gave the task; never 0, never reused
 *	while the module is loaded.
 * @priority: LLMSCHED_PRIO_MIN to LLMSCHED_PRIO_MAX, larger is more urgent.
 * @retries: how many times the task is requeued when its agent is lost
 *	before it fails with %LLMSCHED_REASON_AGENT_LOST; at most 16.
 * @est_runtime_ns: estimated run time.  0 asks the kernel to estimate it
 *	from @features with the coefficients set by
 *	%LLMSCHED_IOC_SET_ESTIMATOR.
 * @demand: what the task needs while it runs, indexed by enum
 *	llmsched_resource.  At least one known kind must be non-zero.
 * @tags: hardware tags the agent must all have (a bit set whose meaning
 *	the operator gives, e.g. bit 0 = "a100", bit 1 = "avx512").
 * @features: the estimator's features (input length in characters, model
 *	size in millions of parameters, expected output tokens, ...), in the
 *	order the coefficients use.  Used when @est_runtime_ns is 0.
 * @nr_features: number of entries of @features in use.
 * @nr_deps: number of entries at @deps_ptr, at most LLMSCHED_DEPS_MAX.
 * @deps_ptr: user pointer to an array of __u64 task ids that must succeed
 *	before this task may run.  Each must name a task the kernel knows
 *	(-ENOENT otherwise), so a cycle cannot be built.
 * @payload_ptr: user pointer to the payload: what the agent runs (the
 *	runtime defines its format: a command line and environment).  The
 *	kernel copies it once and hands it to the agent unchanged.
 * @payload_len: bytes at @payload_ptr, at most LLMSCHED_PAYLOAD_MAX.
 * @__reserved: must be zero.
 */
struct llmsched_task_submit {
	__u32 size;
	__u32 flags;
	__u64 task_id;
	__u32 priority;
	__u32 retries;
	__u64 est_runtime_ns;
	__u64 demand[LLMSCHED_RES_MAX];
	__u64 tags;
	__u64 features[LLMSCHED_FEATURES_MAX];
	__u32 nr_features;
	__u32 nr_deps;
	__u64 deps_ptr;
	__u64 payload_ptr;
	__u32 payload_len;
	__u32 __reserved;
};

/**
 * struct llmsched_submit_batch - several tasks in one call, all or none
 * @size: sizeof(struct llmsched_submit_batch).
 * @flags: must be zero.
 * @count: number of entries at @entries_ptr, 1 to LLMSCHED_BATCH_MAX.
 * @entry_size: sizeof(struct llmsched_task_submit) as the caller knows it;
 *	each entry's own @size must equal it.
 * @entries_ptr: user pointer to @count struct llmsched_task_submit.
 * @error_index: out: when the call fails because of one entry, its index;
 *	otherwise @count.
 * @__reserved: must be zero.
 *
 * Every entry is checked before any is taken: if one is bad, the call fails
 * with that entry's errno, @error_index names it, and no task is created.
 * On success each entry's @task_id is written back.
 */
struct llmsched_submit_batch {
	__u32 size;
	__u32 flags;
	__u32 count;
	__u32 entry_size;
	__u64 entries_ptr;
	__u32 error_index;
	__u32 __reserved;
};

/**
 * struct llmsched_task_cancel - cancel a task that has not ended
 * @size: sizeof(struct llmsched_task_cancel).
 * @flags: must be zero.
 * @task_id: the task.
 *
 * Its dependents fail with %LLMSCHED_REASON_DEP_FAILED.  A running task is
 * marked cancelled at once; its agent learns it when it next reports.
 */
struct llmsched_task_cancel {
	__u32 size;
	__u32 flags;
	__u64 task_id;
};

/**
 * struct llmsched_task_info - one task, as the kernel sees it
 * @size: sizeof(struct llmsched_task_info).
 * @flags: must be zero.
 * @task_id: in: the task to describe (%LLMSCHED_IOC_TASK_QUERY); filled in
 *	by %LLMSCHED_IOC_TASK_LIST.
 * @state: enum llmsched_task_state.
 * @reason: enum llmsched_task_reason.
 * @owner_uid: the submitter's uid.
 * @priority: as submitted.
 * @agent_id: the agent it is assigned to or ran on last; 0 for none.
 * @exit_status: the command's exit status, or the signal number for
 *	%LLMSCHED_REASON_SIGNAL.
 * @retries_left: requeues left when its agent is lost.
 * @submit_flags: the LLMSCHED_SUBMIT_* flags it was submitted with.
 * @submit_ns: when it was submitted.
 * @start_ns: when its agent reported it started; 0 if it has not.
 * @end_ns: when it ended; 0 if it has not.
 * @est_runtime_ns: the estimate the scheduler uses.
 * @runtime_ns: the run time its agent measured; 0 until it ended.
 * @demand: as submitted.
 * @tags: as submitted.
 * @payload_len: the payload's length.
 * @nr_deps: number of dependencies.
 */
struct llmsched_task_info {
	__u32 size;
	__u32 flags;
	__u64 task_id;
	__u32 state;
	__u32 reason;
	__u32 owner_uid;
	__u32 priority;
	__u32 agent_id;
	__s32 exit_status;
	__u32 retries_left;
	__u32 submit_flags;
	__u64 submit_ns;
	__u64 start_ns;
	__u64 end_ns;
	__u64 est_runtime_ns;
	__u64 runtime_ns;
	__u64 demand[LLMSCHED_RES_MAX];
	__u64 tags;
	__u32 payload_len;
	__u32 nr_deps;
};

/**
 * struct llmsched_task_wait - wait for a task to end
 * @size: sizeof(struct llmsched_task_wait).
 * @flags: must be zero.
 * @task_id: the task.
 * @timeout_ns: how long to wait; 0 only looks.  -ETIMEDOUT when the task
 *	has not ended by then; -EINTR when a signal came first.
 * @state: out: the task's state when the call returned.
 * @reason: out: its reason.
 * @exit_status: out: its exit status.
 * @__reserved: must be zero.
 */
struct llmsched_task_wait {
	__u32 size;
	__u32 flags;
	__u64 task_id;
	__u64 timeout_ns;
	__u32 state;
	__u32 reason;
	__s32 exit_status;
	__u32 __reserved;
};

/* Flags of struct llmsched_task_list. */
/* Every user's tasks, not only the caller's (needs CAP_SYS_ADMIN). */
#define LLMSCHED_LIST_ALL_USERS		(1U << 0)
#define LLMSCHED_LIST_FLAGS		(LLMSCHED_LIST_ALL_USERS)

/**
 * struct llmsched_task_list - a page of tasks, in id order
 * @size: sizeof(struct llmsched_task_list).
 * @flags: LLMSCHED_LIST_* flags.
 * @start_id: the first id to consider; 0 or 1 starts at the beginning.
 * @next_id: out: the @start_id for the next page; 0 when there is none.
 * @count: in: room at @entries_ptr, in entries (at most 1024);
 *	out: entries written.
 * @entry_size: sizeof(struct llmsched_task_info) as the caller knows it.
 * @entries_ptr: user pointer to @count struct llmsched_task_info.
 *
 * Lists the caller's own tasks that the kernel still holds: those that have
 * not ended, and the most recent ended ones (see the sysfs file
 * retain_ended).
 */
struct llmsched_task_list {
	__u32 size;
	__u32 flags;
	__u64 start_id;
	__u64 next_id;
	__u32 count;
	__u32 entry_size;
	__u64 entries_ptr;
};

/**
 * struct llmsched_task_event - what read() returns on a submitter's fd
 * @task_id: the task that changed state.
 * @time_ns: when.
 * @state: its new state (enum llmsched_task_state).
 * @reason: enum llmsched_task_reason.
 * @agent_id: its agent, 0 for none.
 * @exit_status: its exit status, once ended.
 *
 * Each open file of /dev/llmsched keeps the state changes of the tasks
 * submitted through it, in order; poll() reports POLLIN while some are
 * unread.  When more than a few thousand are left unread the oldest are
 * dropped and the next read() fails once with -EOVERFLOW.
 */
struct llmsched_task_event {
	__u64 task_id;
	__u64 time_ns;
	__u32 state;
	__u32 reason;
	__u32 agent_id;
	__s32 exit_status;
};

/* Agents: the runtime's side.  Every call below needs CAP_SYS_ADMIN. */

/**
 * struct llmsched_agent_register - make this open file an agent
 * @size: sizeof(struct llmsched_agent_register).
 * @flags: must be zero.
 * @agent_id: out: the id the kernel gave the agent; never 0.
 * @pid: the agent process (in the caller's pid namespace); 0 means the
 *	caller.  It must be a member of @cgroup_fd's cgroup.  When it exits,
 *	the agent is lost.
 * @cgroup_fd: an open file descriptor of the agent's cgroup v2 folder.
 *	The kernel keeps a reference to the cgroup and reports its path.
 * @slots: how many tasks it runs at once, 1 to 64.
 * @__reserved: must be zero.
 * @capacity: its reservation, indexed by enum llmsched_resource; it is
 *	taken from the host capacity (-ENOSPC if that would over-commit the
 *	host).
 * @tags: the hardware tags it offers.
 *
 * The agent lives as long as this open file, its process, and its
 * heartbeats (see heartbeat_timeout_ms in sysfs).  A file is one agent at
 * most (-EBUSY).
 */
struct llmsched_agent_register {
	__u32 size;
	__u32 flags;
	__u32 agent_id;
	__s32 pid;
	__s32 cgroup_fd;
	__u32 slots;
	__u64 __reserved;
	__u64 capacity[LLMSCHED_RES_MAX];
	__u64 tags;
};

/**
 * struct llmsched_agent_fetch - take the next task handed to this agent
 * @size: sizeof(struct llmsched_agent_fetch).
 * @flags: must be zero.
 * @timeout_ns: how long to wait for one; 0 only looks (-EAGAIN if none).
 *	-ETIMEDOUT when none came in time.  poll() on the agent's file reports
 *	POLLIN while a task waits to be fetched.
 * @task_id: out: the task.  Once fetched it no longer migrates.
 * @est_runtime_ns: out: its estimate.
 * @demand: out: its demand.
 * @owner_uid: out: its submitter.
 * @submit_flags: out: its LLMSCHED_SUBMIT_* flags.
 * @payload_ptr: in: a buffer for the payload.
 * @payload_len: in: the buffer's size; out: the payload's length.  When the
 *	buffer is too small the call fails with -ENOSPC, fetches nothing and
 *	sets @payload_len to the size needed.
 * @__reserved: must be zero.
 */
struct llmsched_agent_fetch {
	__u32 size;
	__u32 flags;
	__u64 timeout_ns;
	__u64 task_id;
	__u64 est_runtime_ns;
	__u64 demand[LLMSCHED_RES_MAX];
	__u32 owner_uid;
	__u32 submit_flags;
	__u64 payload_ptr;
	__u32 payload_len;
	__u32 __reserved;
};

/**
 * struct llmsched_agent_task - report that a fetched task started
 * @size: sizeof(struct llmsched_agent_task).
 * @flags: must be zero.
 * @task_id: a task this agent fetched.
 */
struct llmsched_agent_task {
	__u32 size;
	__u32 flags;
	__u64 task_id;
};

/* Flags of struct llmsched_agent_complete. */
/* The failure was the agent's, not the task's: requeue it on its budget. */
#define LLMSCHED_COMPLETE_REQUEUE	(1U << 0)
#define LLMSCHED_COMPLETE_FLAGS		(LLMSCHED_COMPLETE_REQUEUE)

/**
 * struct llmsched_agent_complete - report that a task ended
 * @size: sizeof(struct llmsched_agent_complete).
 * @flags: LLMSCHED_COMPLETE_* flags.
 * @task_id: a task this agent fetched (started or not).
 * @reason: %LLMSCHED_REASON_NONE for success, else one of
 *	%LLMSCHED_REASON_EXIT, _SIGNAL, _OOM, _TIMEOUT, _LAUNCH.
 * @exit_status: the exit status (0 on success), or the signal number.
 * @runtime_ns: the run time the agent measured.
 */
struct llmsched_agent_complete {
	__u32 size;
	__u32 flags;
	__u64 task_id;
	__u32 reason;
	__s32 exit_status;
	__u64 runtime_ns;
};

/**
 * struct llmsched_agent_heartbeat - say that the agent is alive
 * @size: sizeof(struct llmsched_agent_heartbeat).
 * @flags: must be zero.
 *
 * Every agent call counts as a heartbeat; this one is for an agent with
 * nothing else to say.
 */
struct llmsched_agent_heartbeat {
	__u32 size;
	__u32 flags;
};

/**
 * struct llmsched_agent_unregister - stop being an agent
 * @size: sizeof(struct llmsched_agent_unregister).
 * @flags: must be zero.
 *
 * Tasks assigned to the agent and not fetched go back to the run queue at
 * once; -EBUSY while it has fetched tasks that have not ended.  Its
 * reservation returns to the host.
 */
struct llmsched_agent_unregister {
	__u32 size;
	__u32 flags;
};

/**
 * struct llmsched_load_entry - one agent's measured load
 * @agent_id: the agent.
 * @load: its CPU load in per-mille of its CPU reservation (1000 = busy on
 *	all of it), as the runtime's probe measured it; at most 65535.
 */
struct llmsched_load_entry {
	__u32 agent_id;
	__u32 load;
};

/**
 * struct llmsched_load_report - measured loads, in one call
 * @size: sizeof(struct llmsched_load_report).
 * @flags: must be zero.
 * @count: entries at @entries_ptr, 1 to 4096.
 * @entry_size: sizeof(struct llmsched_load_entry).
 * @entries_ptr: user pointer to @count struct llmsched_load_entry.
 *
 * Unknown agent ids are skipped (agents come and go); a load above 65535
 * fails the whole call with -EINVAL before any is applied.  The balancer
 * runs after the loads are applied.
 */
struct llmsched_load_report {
	__u32 size;
	__u32 flags;
	__u32 count;
	__u32 entry_size;
	__u64 entries_ptr;
};

/* Administration.  Every call below needs CAP_SYS_ADMIN. */

/**
 * struct llmsched_capacity - the host's capacity
 * @size: sizeof(struct llmsched_capacity).
 * @flags: must be zero.
 * @capacity: in (%LLMSCHED_IOC_SET_CAPACITY) and out
 *	(%LLMSCHED_IOC_GET_CAPACITY): indexed by enum llmsched_resource.
 *	Setting it below what agents have reserved fails with -EBUSY.
 * @reserved: out: the sum of the agents' reservations.
 */
struct llmsched_capacity {
	__u32 size;
	__u32 flags;
	__u64 capacity[LLMSCHED_RES_MAX];
	__u64 reserved[LLMSCHED_RES_MAX];
};

/**
 * enum llmsched_queue_policy - the order in which runnable tasks are considered
 * @LLMSCHED_POLICY_PRIO_FIFO: higher priority first, then earlier arrival.
 * @LLMSCHED_POLICY_SJF: higher priority first, then the shortest estimate.
 * @LLMSCHED_POLICY_MLFQ: multi-level feedback: a task's level rises with
 *	its waiting time (aging) and drops when it overran its estimate or was
 *	requeued.
 * @LLMSCHED_POLICY_DRF: the user with the smallest dominant resource share
 *	goes first; within a user, priority then arrival.
 */
enum llmsched_queue_policy {
	LLMSCHED_POLICY_PRIO_FIFO = 0,
	LLMSCHED_POLICY_SJF = 1,
	LLMSCHED_POLICY_MLFQ = 2,
	LLMSCHED_POLICY_DRF = 3,
};

/**
 * enum llmsched_agent_choice - which of the agents a task fits it goes to
 * @LLMSCHED_CHOICE_LEAST_LOADED: the least loaded, then the lowest id.
 * @LLMSCHED_CHOICE_BEST_FIT: the least leftover in the task's dominant
 *	resource kind, then the lowest id.
 */
enum llmsched_agent_choice {
	LLMSCHED_CHOICE_LEAST_LOADED = 0,
	LLMSCHED_CHOICE_BEST_FIT = 1,
};

/* Flags of struct llmsched_policy. */
/* Do not let smaller tasks run ahead of a blocked head (no backfilling). */
#define LLMSCHED_POLICY_NO_BACKFILL	(1U << 0)
#define LLMSCHED_POLICY_FLAGS		(LLMSCHED_POLICY_NO_BACKFILL)

/**
 * struct llmsched_policy - scheduling policy
 * @size: sizeof(struct llmsched_policy).
 * @flags: LLMSCHED_POLICY_* flags.
 * @policy: enum llmsched_queue_policy.
 * @choice: enum llmsched_agent_choice.
 * @aging_ns: for %LLMSCHED_POLICY_MLFQ, the waiting time worth one level;
 *	0 keeps the current value.
 * @imbalance_threshold: the balancer migrates tasks while the mean load
 *	difference between two agents (the imbalance, sum over pairs of
 *	|load_i - load_j|, divided by the number of pairs; loads in per-mille)
 *	exceeds this; 0 keeps the current value.
 *
 * %LLMSCHED_IOC_SET_POLICY sets it, %LLMSCHED_IOC_GET_POLICY reads it back.
 */
struct llmsched_policy {
	__u32 size;
	__u32 flags;
	__u32 policy;
	__u32 choice;
	__u64 aging_ns;
	__u64 imbalance_threshold;
};

/**
 * struct llmsched_estimator - coefficients of the run-time model
 * @size: sizeof(struct llmsched_estimator).
 * @flags: must be zero.
 * @nr_coeffs: number of entries of @coeff in use, 1 to
 *	LLMSCHED_FEATURES_MAX + 1.
 * @__reserved: must be zero.
 * @coeff: T = coeff[0] + coeff[1] * X1 + ... in fixed point: each coefficient
 *	is in units of 2^-16 nanoseconds (per feature unit for coeff[1] on).
 *	An estimate is rounded to the nearest nanosecond and clamped to at
 *	most 2^46 ns (about 19.5 hours); an estimate of 0 or below, like a
 *	task with neither an estimate nor an estimator, counts as 60 s.
 */
struct llmsched_estimator {
	__u32 size;
	__u32 flags;
	__u32 nr_coeffs;
	__u32 __reserved;
	__s64 coeff[LLMSCHED_FEATURES_MAX + 1];
};

#define LLMSCHED_ESTIMATOR_SHIFT	16

/**
 * struct llmsched_limits - limits on queued work
 * @size: sizeof(struct llmsched_limits).
 * @flags: must be zero.
 * @max_tasks: tasks held that have not ended, all users together; a
 *	submission beyond it fails with -EAGAIN.  0 keeps the current value.
 * @max_tasks_per_user: the same for one uid; -EDQUOT beyond it.  0 keeps
 *	the current value.
 * @heartbeat_timeout_ms: an agent silent for longer is lost; 0 keeps the
 *	current value.
 * @__reserved: must be zero.
 */
struct llmsched_limits {
	__u32 size;
	__u32 flags;
	__u32 max_tasks;
	__u32 max_tasks_per_user;
	__u32 heartbeat_timeout_ms;
	__u32 __reserved;
};

/**
 * struct llmsched_version - what this module speaks
 * @size: sizeof(struct llmsched_version).
 * @flags: must be zero.
 * @major: LLMSCHED_VERSION_MAJOR of the module.
 * @minor: LLMSCHED_VERSION_MINOR.
 * @patch: LLMSCHED_VERSION_PATCH.
 * @res_known: resource kinds it knows (LLMSCHED_RES_KNOWN).
 */
struct llmsched_version {
	__u32 size;
	__u32 flags;
	__u32 major;
	__u32 minor;
	__u32 patch;
	__u32 res_known;
};

/* Anyone who may open /dev/llmsched. */
#define LLMSCHED_IOC_VERSION		_IO(LLMSCHED_IOCTL_MAGIC, 0x00)
#define LLMSCHED_IOC_SUBMIT		_IO(LLMSCHED_IOCTL_MAGIC, 0x01)
#define LLMSCHED_IOC_SUBMIT_BATCH	_IO(LLMSCHED_IOCTL_MAGIC, 0x02)
#define LLMSCHED_IOC_CANCEL		_IO(LLMSCHED_IOCTL_MAGIC, 0x03)
#define LLMSCHED_IOC_TASK_QUERY		_IO(LLMSCHED_IOCTL_MAGIC, 0x04)
#define LLMSCHED_IOC_TASK_WAIT		_IO(LLMSCHED_IOCTL_MAGIC, 0x05)
#define LLMSCHED_IOC_TASK_LIST		_IO(LLMSCHED_IOCTL_MAGIC, 0x06)
/* Agents (CAP_SYS_ADMIN). */
#define LLMSCHED_IOC_AGENT_REGISTER	_IO(LLMSCHED_IOCTL_MAGIC, 0x07)
#define LLMSCHED_IOC_AGENT_FETCH	_IO(LLMSCHED_IOCTL_MAGIC, 0x08)
#define LLMSCHED_IOC_AGENT_START	_IO(LLMSCHED_IOCTL_MAGIC, 0x09)
#define LLMSCHED_IOC_AGENT_COMPLETE	_IO(LLMSCHED_IOCTL_MAGIC, 0x0a)
#define LLMSCHED_IOC_AGENT_HEARTBEAT	_IO(LLMSCHED_IOCTL_MAGIC, 0x0b)
#define LLMSCHED_IOC_AGENT_UNREGISTER	_IO(LLMSCHED_IOCTL_MAGIC, 0x0c)
#define LLMSCHED_IOC_LOAD_REPORT	_IO(LLMSCHED_IOCTL_MAGIC, 0x0d)
/* Administration (CAP_SYS_ADMIN). */
#define LLMSCHED_IOC_SET_CAPACITY	_IO(LLMSCHED_IOCTL_MAGIC, 0x0e)
#define LLMSCHED_IOC_GET_CAPACITY	_IO(LLMSCHED_IOCTL_MAGIC, 0x0f)
#define LLMSCHED_IOC_SET_POLICY		_IO(LLMSCHED_IOCTL_MAGIC, 0x10)
#define LLMSCHED_IOC_GET_POLICY		_IO(LLMSCHED_IOCTL_MAGIC, 0x11)
#define LLMSCHED_IOC_SET_ESTIMATOR	_IO(LLMSCHED_IOCTL_MAGIC, 0x12)
#define LLMSCHED_IOC_SET_LIMITS		_IO(LLMSCHED_IOCTL_MAGIC, 0x13)

/*
 * Generic netlink: family LLMSCHED_GENL_NAME, multicast group
 * LLMSCHED_GENL_MCGRP_EVENTS.  Each state change of a task is one
 * %LLMSCHED_CMD_TASK_EVENT message, sent in the order the changes happened
 * (per task, and overall); an agent's arrival and departure are
 * %LLMSCHED_CMD_AGENT_EVENT messages.
 */
#define LLMSCHED_GENL_NAME		"llmsched"
#define LLMSCHED_GENL_VERSION		1
#define LLMSCHED_GENL_MCGRP_EVENTS	"events"

enum llmsched_genl_cmd {
	LLMSCHED_CMD_UNSPEC,
	LLMSCHED_CMD_TASK_EVENT,
	LLMSCHED_CMD_AGENT_EVENT,

	__LLMSCHED_CMD_MAX,
};

#define LLMSCHED_CMD_MAX	(__LLMSCHED_CMD_MAX - 1)

/**
 * enum llmsched_genl_attr - attributes of the events
 * @LLMSCHED_A_TASK_ID: u64, the task.
 * @LLMSCHED_A_STATE: u32, the task's new state (enum llmsched_task_state)
 *	or, for an agent event, 1 when it arrived and 0 when it left.
 * @LLMSCHED_A_OLD_STATE: u32, the task's previous state.
 * @LLMSCHED_A_REASON: u32, enum llmsched_task_reason.
 * @LLMSCHED_A_AGENT_ID: u32, the agent.
 * @LLMSCHED_A_UID: u32, the task's owner.
 * @LLMSCHED_A_TIME_NS: u64, when it happened (CLOCK_MONOTONIC).
 * @LLMSCHED_A_SEQ: u64, increases by one with every event the module sends,
 *	so that a listener sees what it missed.
 * @LLMSCHED_A_EXIT_STATUS: s32, the exit status of an ended task.
 * @LLMSCHED_A_PAD: padding for 64-bit attributes.
 */
enum llmsched_genl_attr {
	LLMSCHED_A_UNSPEC,
	LLMSCHED_A_TASK_ID,
	LLMSCHED_A_STATE,
	LLMSCHED_A_OLD_STATE,
	LLMSCHED_A_REASON,
	LLMSCHED_A_AGENT_ID,
	LLMSCHED_A_UID,
	LLMSCHED_A_TIME_NS,
	LLMSCHED_A_SEQ,
	LLMSCHED_A_EXIT_STATUS,
	LLMSCHED_A_PAD,

	__LLMSCHED_A_MAX,
};

#define LLMSCHED_A_MAX		(__LLMSCHED_A_MAX - 1)

#endif /* _UAPI_LINUX_LLMSCHED_H */
