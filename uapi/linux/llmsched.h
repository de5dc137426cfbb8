/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * llmsched: scheduling of LLM agent tasks on an inference host.
 *
 * This header is the only contract between llmsched.ko and userspace: the
 * character device /dev/llmsched, its ioctls and their structures, the
 * generic netlink family and the names under /sys/kernel/llmsched.
 * Documentation/userspace-api/llmsched.rst is its reference; section
 * "Stability" there says what version 1.0 promises never to change.
 *
 * How the structures grow (the iommufd model): every ioctl argument starts
 * with a __u32 @size that the caller sets to sizeof() the structure it was
 * compiled with.  The ioctl numbers carry no size.  The kernel reads @size
 * first, then copies that many bytes:
 *
 * - @size below the structure's first version (its _SIZE_VER0): -EINVAL;
 * - @size above what this kernel knows: the extra bytes must be zero
 *   (fields from a newer header, left unset), else -E2BIG; above one page:
 *   -E2BIG;
 * - @size below what this kernel knows: the missing fields read as zero,
 *   and zero always means "the behaviour before that field existed".
 *
 * Arrays of structures (batch entries, list and load entries) grow the same
 * way: the caller says the size of one entry in @entry_size, which may be
 * anything from the entry's first version up to a page; each entry is
 * copied with those rules.  Records the kernel writes (task events from
 * read(), list entries) start with their own @size, so that a reader can
 * step over fields it does not know.
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
 * Version of the module, as /sys/kernel/llmsched/version and
 * LLMSCHED_IOC_VERSION report it: MAJOR.MINOR.PATCH.  MAJOR changes only if
 * this contract breaks, which it is designed never to do again after 1.0;
 * MINOR grows with every addition (a field, a flag, an ioctl).
 */
#define LLMSCHED_VERSION_MAJOR	1
#define LLMSCHED_VERSION_MINOR	2
#define LLMSCHED_VERSION_PATCH	0

/*
 * All llmsched ioctls use this type: 0xB8 has no entry in the kernel's
 * Documentation/userspace-api/ioctl/ioctl-number.rst of 6.1 (0xB7, used
 * before 1.0, belongs to nsfs and remoteproc).
 */
#define LLMSCHED_IOCTL_MAGIC	0xB8

/**
 * enum llmsched_resource - kinds of resource in a demand or capacity vector
 * @LLMSCHED_RES_CPU: CPU time, in millicores (1000 = one whole CPU).
 * @LLMSCHED_RES_MEM: memory, in bytes.
 * @LLMSCHED_RES_GPU: whole GPUs, a count.
 * @LLMSCHED_RES_GPU_MEM: GPU memory, in bytes.
 * @LLMSCHED_RES_KNOWN: the number of kinds this header knows.
 *
 * Vectors have %LLMSCHED_RES_MAX slots; slots past the kinds the kernel
 * knows (LLMSCHED_IOC_VERSION's @res_known) must be zero (-EINVAL
 * otherwise), so that new kinds can be added without changing any
 * structure.
 */
enum llmsched_resource {
	LLMSCHED_RES_CPU = 0,
	LLMSCHED_RES_MEM = 1,
	LLMSCHED_RES_GPU = 2,
	LLMSCHED_RES_GPU_MEM = 3,
	LLMSCHED_RES_KNOWN = 4,
};

#define LLMSCHED_RES_MAX	8

/* Number of features the run-time estimator takes (struct llmsched_estimator). */
#define LLMSCHED_FEATURES_MAX	8

/* Priorities: a larger number is more urgent. */
#define LLMSCHED_PRIO_MIN	0
#define LLMSCHED_PRIO_MAX	255
#define LLMSCHED_PRIO_DEFAULT	100

/* At most this many dependencies per task. */
#define LLMSCHED_DEPS_MAX	64

/*
 * In a batch (LLMSCHED_IOC_SUBMIT_BATCH), a dependency with this bit set
 * names an earlier entry of the same batch by its index in the low bits,
 * rather than a task by its id: a whole workflow goes in at once.
 */
#define LLMSCHED_DEP_BATCH_INDEX	(1ULL << 63)

/* The payload (command line and environment) is at most this long. */
#define LLMSCHED_PAYLOAD_MAX	(64 * 1024)

/* A batch submits at most this many tasks. */
#define LLMSCHED_BATCH_MAX	4096

/* A task's label, NUL included; printable ASCII, NUL-padded. */
#define LLMSCHED_LABEL_MAX	32

/* Slots of an agent: tasks it holds at once. */
#define LLMSCHED_SLOTS_MAX	64

/**
 * enum llmsched_task_state - where a task is in its life
 * @LLMSCHED_TASK_QUEUED: waiting for its dependencies to succeed.
 * @LLMSCHED_TASK_RUNNABLE: in a run queue, waiting for an agent it fits
 *	(see enum llmsched_wait for why it waits).
 * @LLMSCHED_TASK_ASSIGNED: handed to an agent, not started yet; may still
 *	migrate to another agent until the agent fetches it.
 * @LLMSCHED_TASK_RUNNING: the agent reported it started.
 * @LLMSCHED_TASK_SUCCEEDED: ended with exit status 0.  Terminal.
 * @LLMSCHED_TASK_FAILED: ended otherwise; see enum llmsched_task_reason.
 *	Terminal.
 * @LLMSCHED_TASK_CANCELLED: cancelled before it ended.  Terminal.
 * @LLMSCHED_TASK_STOPPING: being stopped: cancelled, past its time limit,
 *	or its agent was lost, while its command may still run.  It keeps its
 *	reservation until nothing of it can run any more: its agent confirmed
 *	the kill, or the lost agent's cgroup is empty.  Then it is CANCELLED,
 *	FAILED (%LLMSCHED_REASON_TIMEOUT) or, for a lost agent, RUNNABLE on
 *	its retry budget (else FAILED, %LLMSCHED_REASON_AGENT_LOST).
 * @LLMSCHED_TASK_FROZEN: preempted: its agent froze it (cgroup.freeze) to
 *	make room for a more urgent task.  It keeps its memory and GPUs and
 *	gives back its CPU and its slot until it is thawed (RUNNING again).
 */
enum llmsched_task_state {
	LLMSCHED_TASK_QUEUED = 1,
	LLMSCHED_TASK_RUNNABLE = 2,
	LLMSCHED_TASK_ASSIGNED = 3,
	LLMSCHED_TASK_RUNNING = 4,
	LLMSCHED_TASK_SUCCEEDED = 5,
	LLMSCHED_TASK_FAILED = 6,
	LLMSCHED_TASK_CANCELLED = 7,
	LLMSCHED_TASK_STOPPING = 8,
	LLMSCHED_TASK_FROZEN = 9,
};

/**
 * enum llmsched_task_reason - why a task ended, was requeued, or is stopping
 * @LLMSCHED_REASON_NONE: it has not ended, or it succeeded.
 * @LLMSCHED_REASON_EXIT: its command exited with a non-zero status.
 * @LLMSCHED_REASON_SIGNAL: its command was killed by a signal.
 * @LLMSCHED_REASON_OOM: its command was killed by the OOM killer in its
 *	memory reservation.
 * @LLMSCHED_REASON_TIMEOUT: it ran past its time limit (@time_limit_ns).
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

/**
 * enum llmsched_wait - why a QUEUED or RUNNABLE task has no agent yet
 * @LLMSCHED_WAIT_NONE: it does not wait (or it is being placed now).
 * @LLMSCHED_WAIT_DEPS: a dependency has not succeeded yet.
 * @LLMSCHED_WAIT_TURN: tasks ahead of it in the run queue come first, or
 *	no agent that could hold it has room now.
 * @LLMSCHED_WAIT_USER_LIMIT: its owner already runs as many tasks as the
 *	owner's limit allows.
 * @LLMSCHED_WAIT_NO_AGENT: no agent that is up could ever hold it (the one
 *	that could left or drains); it runs as soon as one registers.
 * @LLMSCHED_WAIT_REKEY: the run queue is being re-sorted (a policy
 *	switch); for a moment only.
 */
enum llmsched_wait {
	LLMSCHED_WAIT_NONE = 0,
	LLMSCHED_WAIT_DEPS = 1,
	LLMSCHED_WAIT_TURN = 2,
	LLMSCHED_WAIT_USER_LIMIT = 3,
	LLMSCHED_WAIT_NO_AGENT = 4,
	LLMSCHED_WAIT_REKEY = 5,
};

/* Flags of struct llmsched_task_submit. */
/* The scheduler may freeze the task to make room for a more urgent one. */
#define LLMSCHED_SUBMIT_PREEMPTIBLE	(1U << 0)
#define LLMSCHED_SUBMIT_FLAGS		(LLMSCHED_SUBMIT_PREEMPTIBLE)

/**
 * struct llmsched_task_submit - a task, as submitted
 * @size: sizeof(struct llmsched_task_submit).
 * @flags: LLMSCHED_SUBMIT_* flags.
 * @task_id: out: the id the kernel gave the task; never 0, never reused
 *	while the module is loaded.  Written before the task becomes visible.
 * @priority: LLMSCHED_PRIO_MIN to LLMSCHED_PRIO_MAX, larger is more urgent;
 *	above /sys/kernel/llmsched/limits/max_user_priority needs
 *	CAP_SYS_NICE.
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
 *	(-ENOENT otherwise), so a cycle cannot be built; in a batch, an entry
 *	with %LLMSCHED_DEP_BATCH_INDEX names an earlier entry.
 * @payload_ptr: user pointer to the payload: what the agent runs (the
 *	runtime defines its format).  The kernel copies it once and hands it
 *	to the agent unchanged.
 * @payload_len: bytes at @payload_ptr, at most LLMSCHED_PAYLOAD_MAX.
 * @__reserved: must be zero.
 * @time_limit_ns: the longest the task may run, from its start; 0 for no
 *	limit.  Past it the kernel tells its agent to kill it and it fails
 *	with %LLMSCHED_REASON_TIMEOUT.
 * @label: a short name for people (listings, events), printable ASCII
 *	(0x20 to 0x7e) followed by NUL padding; empty for none.
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
	__u64 time_limit_ns;
	char label[LLMSCHED_LABEL_MAX];
};

#define LLMSCHED_TASK_SUBMIT_SIZE_VER0	240

/**
 * struct llmsched_submit_batch - several tasks in one call, all or none
 * @size: sizeof(struct llmsched_submit_batch).
 * @flags: must be zero.
 * @count: number of entries at @entries_ptr, 1 to LLMSCHED_BATCH_MAX.
 * @entry_size: the size of one entry as the caller knows struct
 *	llmsched_task_submit, from %LLMSCHED_TASK_SUBMIT_SIZE_VER0 to a page;
 *	each entry's own @size must equal it.
 * @entries_ptr: user pointer to @count entries of @entry_size bytes.
 * @error_index: out: when the call fails because of one entry, its index;
 *	otherwise @count.
 * @__reserved: must be zero.
 *
 * Every entry is checked before any is taken: if one is bad, the call fails
 * with that entry's errno, @error_index names it, and no task is created.
 * On success each entry's @task_id is written back, before any of the tasks
 * is visible.  An entry may depend on earlier entries of the batch
 * (%LLMSCHED_DEP_BATCH_INDEX): a dependency graph goes in atomically.
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

#define LLMSCHED_SUBMIT_BATCH_SIZE_VER0	32

/**
 * struct llmsched_task_cancel - cancel a task that has not ended
 * @size: sizeof(struct llmsched_task_cancel).
 * @flags: must be zero.
 * @task_id: the task.
 *
 * A task not yet handed over (or handed over and not fetched) is CANCELLED
 * at once; its dependents fail with %LLMSCHED_REASON_DEP_FAILED.  A fetched,
 * running or frozen task becomes STOPPING: its agent is told to kill it
 * (%LLMSCHED_CONTROL_KILL) and it keeps its reservation until the agent
 * confirms, then it is CANCELLED and its dependents fail.
 */
struct llmsched_task_cancel {
	__u32 size;
	__u32 flags;
	__u64 task_id;
};

#define LLMSCHED_TASK_CANCEL_SIZE_VER0	16

/* Flags of struct llmsched_task_info (out). */
/* An agent fetched it: it is pinned there and may run. */
#define LLMSCHED_INFO_FETCHED		(1U << 0)

/**
 * struct llmsched_task_info - one task, as the kernel sees it
 * @size: sizeof(struct llmsched_task_info); in a list, the size of the
 *	entry the kernel wrote.
 * @flags: in: must be zero (%LLMSCHED_IOC_TASK_QUERY); out: LLMSCHED_INFO_*.
 * @task_id: in: the task to describe (%LLMSCHED_IOC_TASK_QUERY); filled in
 *	by %LLMSCHED_IOC_TASK_LIST.
 * @state: enum llmsched_task_state.
 * @reason: enum llmsched_task_reason (for STOPPING, why it stops).
 * @owner_uid: the submitter's uid, in the caller's user namespace.
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
 * @time_limit_ns: as submitted.
 * @wait: enum llmsched_wait: why a QUEUED or RUNNABLE task waits.
 * @__reserved: zero.
 * @label: as submitted.
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
	__u64 time_limit_ns;
	__u32 wait;
	__u32 __reserved;
	char label[LLMSCHED_LABEL_MAX];
};

#define LLMSCHED_TASK_INFO_SIZE_VER0	216

/**
 * struct llmsched_task_wait - wait for a task to end
 * @size: sizeof(struct llmsched_task_wait).
 * @flags: must be zero.
 * @task_id: the task.
 * @timeout_ns: in: how long to wait, 0 to only look; out: the time left
 *	when the call returned (see "Waiting" in the reference).
 * @state: out: the task's state when the call returned.
 * @reason: out: its reason.
 * @exit_status: out: its exit status.
 * @__reserved: must be zero.
 *
 * -EAGAIN when @timeout_ns is 0 and the task has not ended; -ETIMEDOUT
 * when it has not ended in time.  A signal restarts the call (SA_RESTART)
 * with the time left, or fails it with -EINTR.
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

#define LLMSCHED_TASK_WAIT_SIZE_VER0	40

/* Flags of struct llmsched_task_list. */
/* Every user's tasks, not only the caller's (needs CAP_SYS_ADMIN). */
#define LLMSCHED_LIST_ALL_USERS		(1U << 0)
/* Only the tasks assigned to, running on or stopping on @agent_id. */
#define LLMSCHED_LIST_AGENT		(1U << 1)
#define LLMSCHED_LIST_FLAGS		(LLMSCHED_LIST_ALL_USERS | \
					 LLMSCHED_LIST_AGENT)

/**
 * struct llmsched_task_list - a page of tasks, in id order
 * @size: sizeof(struct llmsched_task_list).
 * @flags: LLMSCHED_LIST_* flags.
 * @start_id: the first id to consider; 0 or 1 starts at the beginning.
 * @next_id: out: the @start_id for the next page; 0 when there is none.
 * @count: in: room at @entries_ptr, in entries (at most 1024);
 *	out: entries written.
 * @entry_size: the size of one entry as the caller knows struct
 *	llmsched_task_info, from %LLMSCHED_TASK_INFO_SIZE_VER0 to a page.
 * @entries_ptr: user pointer to @count entries of @entry_size bytes.
 * @agent_id: with %LLMSCHED_LIST_AGENT, the agent.
 * @__reserved: must be zero.
 *
 * Lists the tasks the kernel still holds: those that have not ended, and
 * the most recent ended ones (limits/retain_ended per user); the caller's
 * own unless %LLMSCHED_LIST_ALL_USERS.
 */
struct llmsched_task_list {
	__u32 size;
	__u32 flags;
	__u64 start_id;
	__u64 next_id;
	__u32 count;
	__u32 entry_size;
	__u64 entries_ptr;
	__u32 agent_id;
	__u32 __reserved;
};

#define LLMSCHED_TASK_LIST_SIZE_VER0	48

/**
 * struct llmsched_task_event - what read() returns on a submitter's file
 * @size: sizeof(struct llmsched_task_event) as this kernel writes it; the
 *	next record starts @size bytes after this one.
 * @state: its new state (enum llmsched_task_state).
 * @task_id: the task that changed state.
 * @time_ns: when.
 * @reason: enum llmsched_task_reason.
 * @agent_id: its agent, 0 for none.
 * @exit_status: its exit status, once ended.
 * @__reserved: zero.
 *
 * Each open file of /dev/llmsched keeps the state changes of the tasks
 * submitted through it, in order; poll() reports POLLIN while some are
 * unread.  When more than 4096 are left unread the oldest are dropped and
 * the next read() fails once with -EOVERFLOW.
 */
struct llmsched_task_event {
	__u32 size;
	__u32 state;
	__u64 task_id;
	__u64 time_ns;
	__u32 reason;
	__u32 agent_id;
	__s32 exit_status;
	__u32 __reserved;
};

/* Agents: the runtime's side.  Every call below needs CAP_SYS_ADMIN. */

/**
 * struct llmsched_agent_register - make this open file an agent
 * @size: sizeof(struct llmsched_agent_register).
 * @flags: must be zero.
 * @agent_id: out: the id the kernel gave the agent; never 0.
 * @pid: the agent process (in the caller's pid namespace): 0 (or the
 *	caller's own pid) means the caller; any other must be a child of the
 *	caller that it has not reaped (-ECHILD otherwise).  It must be a
 *	member of @cgroup_fd's cgroup (or a folder below it).
 * @cgroup_fd: an open file descriptor of the agent's cgroup v2 folder, the
 *	one that holds the agent and every task it runs: when the agent is
 *	lost, its tasks are requeued only once this folder holds no process.
 * @slots: how many tasks it runs at once, 1 to LLMSCHED_SLOTS_MAX.
 * @__reserved: must be zero.
 * @capacity: its reservation, indexed by enum llmsched_resource; it is
 *	taken from the host capacity (-ENOSPC if that would over-commit the
 *	host).
 * @tags: the hardware tags it offers.
 *
 * The agent lives as long as this open file, its process, and its
 * heartbeats (see heartbeat_timeout_ms in struct llmsched_limits).  A file
 * is one agent at most (-EBUSY); once its agent unregistered or was lost, it
 * may register again.
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

#define LLMSCHED_AGENT_REGISTER_SIZE_VER0	104

/**
 * struct llmsched_agent_fetch - take the next task handed to this agent
 * @size: sizeof(struct llmsched_agent_fetch).
 * @flags: must be zero.
 * @timeout_ns: in: how long to wait for one, 0 to only look (-EAGAIN if
 *	none); out: the time left.  -ETIMEDOUT when none came in time;
 *	-ENOMSG when a control record came first (%LLMSCHED_IOC_AGENT_CONTROL).
 * @task_id: out: the task.  Once fetched it no longer migrates.
 * @est_runtime_ns: out: its estimate.
 * @demand: out: its demand.
 * @owner_uid: out: its submitter, in the caller's user namespace.
 * @submit_flags: out: its LLMSCHED_SUBMIT_* flags.
 * @payload_ptr: in: a buffer for the payload.
 * @payload_len: in: the buffer's size; out: the payload's length.  When the
 *	buffer is too small the call fails with -ENOSPC, fetches nothing and
 *	sets @payload_len to the size needed.
 * @__reserved: must be zero.
 * @time_limit_ns: out: its time limit, 0 for none.
 * @label: out: its label.
 * @nr_features: out: (1.1) how many estimator features it was submitted
 *	with, 0 for none; the runtime fits the estimator from them and the
 *	run time it measures.
 * @__reserved2: out: zero.
 * @features: out: (1.1) those features, as submitted; zero past
 *	@nr_features.
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
	__u64 time_limit_ns;
	char label[LLMSCHED_LABEL_MAX];
	__u32 nr_features;
	__u32 __reserved2;
	__u64 features[LLMSCHED_FEATURES_MAX];
};

#define LLMSCHED_AGENT_FETCH_SIZE_VER0	160
#define LLMSCHED_AGENT_FETCH_SIZE_VER1	232

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

#define LLMSCHED_AGENT_TASK_SIZE_VER0	16

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
 *
 * For a STOPPING task (its kill was asked for), completing it confirms the
 * kill: it ends as the stop says (CANCELLED, or FAILED with TIMEOUT).
 */
struct llmsched_agent_complete {
	__u32 size;
	__u32 flags;
	__u64 task_id;
	__u32 reason;
	__s32 exit_status;
	__u64 runtime_ns;
};

#define LLMSCHED_AGENT_COMPLETE_SIZE_VER0	32

/**
 * struct llmsched_agent_heartbeat - say that the agent is alive
 * @size: sizeof(struct llmsched_agent_heartbeat).
 * @flags: must be zero.
 *
 * Every agent call counts as a heartbeat, and so does every moment spent
 * waiting in %LLMSCHED_IOC_AGENT_FETCH or %LLMSCHED_IOC_AGENT_CONTROL;
 * this one is for an agent with nothing else to say.
 */
struct llmsched_agent_heartbeat {
	__u32 size;
	__u32 flags;
};

#define LLMSCHED_AGENT_HEARTBEAT_SIZE_VER0	8

/**
 * struct llmsched_agent_unregister - stop being an agent
 * @size: sizeof(struct llmsched_agent_unregister).
 * @flags: must be zero.
 *
 * Tasks assigned to the agent and not fetched go back to the run queue at
 * once, at no cost; -EBUSY while it has fetched tasks that have not ended.
 * Its reservation returns to the host.  On a file whose agent was lost, it
 * lets the lost agent go (0).
 */
struct llmsched_agent_unregister {
	__u32 size;
	__u32 flags;
};

#define LLMSCHED_AGENT_UNREGISTER_SIZE_VER0	8

/**
 * enum llmsched_control_kind - what the kernel asks an agent to do
 * @LLMSCHED_CONTROL_KILL: kill task @task_id (all its processes: its
 *	cgroup), because it was cancelled (@reason %LLMSCHED_REASON_CANCELLED)
 *	or ran past its time limit (%LLMSCHED_REASON_TIMEOUT); confirm once
 *	nothing of it runs.
 * @LLMSCHED_CONTROL_FREEZE: freeze task @task_id (cgroup.freeze) to make
 *	room for a more urgent task; confirm once it is frozen.
 * @LLMSCHED_CONTROL_THAW: thaw task @task_id; confirm once it runs again.
 * @LLMSCHED_CONTROL_LOST: the agent was declared lost (missed heartbeats):
 *	it takes no more calls; its processes are being killed, and its tasks
 *	will run elsewhere once its cgroup is empty.  The last record.
 */
enum llmsched_control_kind {
	LLMSCHED_CONTROL_KILL = 1,
	LLMSCHED_CONTROL_FREEZE = 2,
	LLMSCHED_CONTROL_THAW = 3,
	LLMSCHED_CONTROL_LOST = 4,
};

/**
 * struct llmsched_agent_control - the next thing the kernel asks of an agent
 * @size: sizeof(struct llmsched_agent_control).
 * @flags: must be zero.
 * @timeout_ns: in: how long to wait for one, 0 to only look (-EAGAIN if
 *	none); out: the time left.
 * @kind: out: enum llmsched_control_kind.
 * @reason: out: for %LLMSCHED_CONTROL_KILL, why (enum llmsched_task_reason).
 * @task_id: out: the task it is about (0 for %LLMSCHED_CONTROL_LOST).
 * @seq: out: the record's number: one more than the agent's previous one.
 *
 * Control records come in the order the kernel decided them; poll() on the
 * agent's file reports POLLPRI while one waits.  Each is handed out once;
 * %LLMSCHED_IOC_AGENT_CONFIRM acknowledges it.
 */
struct llmsched_agent_control {
	__u32 size;
	__u32 flags;
	__u64 timeout_ns;
	__u32 kind;
	__u32 reason;
	__u64 task_id;
	__u64 seq;
};

#define LLMSCHED_AGENT_CONTROL_SIZE_VER0	40

/**
 * struct llmsched_agent_confirm - an agent did what a control record asked
 * @size: sizeof(struct llmsched_agent_confirm).
 * @flags: must be zero.
 * @task_id: the task.
 * @kind: what was done: %LLMSCHED_CONTROL_KILL (no process of the task is
 *	left), %LLMSCHED_CONTROL_FREEZE (it is frozen) or
 *	%LLMSCHED_CONTROL_THAW (it runs again).
 * @__reserved: must be zero.
 */
struct llmsched_agent_confirm {
	__u32 size;
	__u32 flags;
	__u64 task_id;
	__u32 kind;
	__u32 __reserved;
};

#define LLMSCHED_AGENT_CONFIRM_SIZE_VER0	24

/**
 * struct llmsched_load_entry - one agent's measured load
 * @agent_id: the agent.
 * @load: its CPU load in per-mille of its CPU reservation (1000 = busy on
 *	all of it), as the runtime's probe measured it (CPU used plus a weight
 *	for the time its tasks waited for a CPU); at most 65535.  A load not
 *	reported again within 4 report intervals (&llmsched_load_report.
 *	interval_ns, 10 ms until a report sets it) decays toward the
 *	kernel's own estimate (the CPU share the agent's tasks hold).  The
 *	kernel adds the share of the agent's tasks that were assigned and
 *	have not started (they were no part of the measurement).
 */
struct llmsched_load_entry {
	__u32 agent_id;
	__u32 load;
};

#define LLMSCHED_LOAD_ENTRY_SIZE_VER0	8

/**
 * struct llmsched_load_report - measured loads, in one call
 * @size: sizeof(struct llmsched_load_report).
 * @flags: must be zero.
 * @count: entries at @entries_ptr, 1 to 4096.
 * @entry_size: the size of one entry as the caller knows struct
 *	llmsched_load_entry, from %LLMSCHED_LOAD_ENTRY_SIZE_VER0 to a page.
 * @entries_ptr: user pointer to @count entries of @entry_size bytes.
 * @interval_ns: (1.2) the caller's report period, in ns: the longest it
 *	lets a listed agent go without a new report (llmschedd reports only
 *	what moved, and every agent at least this often); from
 *	%LLMSCHED_LOAD_INTERVAL_MIN_NS (1 ms) to %LLMSCHED_LOAD_INTERVAL_MAX_NS
 *	(10 s): a load is stale once 4 of them passed without a new report.
 *	It stays in force for every later report (for all agents) until a
 *	report gives another; 0, or a first-version caller's
 *	%LLMSCHED_LOAD_REPORT_SIZE_VER0 structure, keeps the one in force
 *	(10 ms at module load).
 *
 * Unknown agent ids are skipped (agents come and go); a load above 65535
 * or an @interval_ns out of its range fails the whole call with -EINVAL
 * before anything is applied.  The interval is applied first, then the
 * loads; the balancer runs after them.
 */
struct llmsched_load_report {
	__u32 size;
	__u32 flags;
	__u32 count;
	__u32 entry_size;
	__u64 entries_ptr;
	__u64 interval_ns;
};

#define LLMSCHED_LOAD_REPORT_SIZE_VER0	24
#define LLMSCHED_LOAD_REPORT_SIZE_VER1	32

/* Range of &llmsched_load_report.interval_ns (0 keeps the interval). */
#define LLMSCHED_LOAD_INTERVAL_MIN_NS	1000000ULL
#define LLMSCHED_LOAD_INTERVAL_MAX_NS	10000000000ULL

/**
 * enum llmsched_agent_state - an agent's health
 * @LLMSCHED_AGENT_UP: takes tasks.
 * @LLMSCHED_AGENT_DRAINING: keeps and finishes its tasks, takes no new one.
 * @LLMSCHED_AGENT_FENCING: lost; its tasks wait until its cgroup is empty.
 */
enum llmsched_agent_state {
	LLMSCHED_AGENT_UP = 1,
	LLMSCHED_AGENT_DRAINING = 2,
	LLMSCHED_AGENT_FENCING = 3,
};

/**
 * struct llmsched_agent_info - one agent, as the kernel sees it
 * @size: the size of the entry the kernel wrote.
 * @state: enum llmsched_agent_state.
 * @agent_id: the agent.
 * @pid: its process, in the caller's pid namespace (0 when not visible
 *	there or gone).
 * @cgroup_id: its cgroup folder's id (the inode number, as BPF sees it).
 * @slots: tasks it may hold at once.
 * @used_slots: tasks it holds now (assigned, running or stopping).
 * @nr_fetched: of those, the ones it fetched.
 * @load: its load, per-mille (the balancer's figure).
 * @capacity: its reservation.
 * @committed: what its tasks hold of it now.
 * @frozen: what its frozen tasks keep (memory, GPUs; their CPU is free).
 * @tags: its tags.
 */
struct llmsched_agent_info {
	__u32 size;
	__u32 state;
	__u32 agent_id;
	__s32 pid;
	__u64 cgroup_id;
	__u32 slots;
	__u32 used_slots;
	__u32 nr_fetched;
	__u32 load;
	__u64 capacity[LLMSCHED_RES_MAX];
	__u64 committed[LLMSCHED_RES_MAX];
	__u64 frozen[LLMSCHED_RES_MAX];
	__u64 tags;
};

#define LLMSCHED_AGENT_INFO_SIZE_VER0	240

/**
 * struct llmsched_agent_list - a page of agents, in id order
 * @size: sizeof(struct llmsched_agent_list).
 * @flags: must be zero.
 * @start_id: the first id to consider; 0 or 1 starts at the beginning.
 * @next_id: out: the @start_id of the next page; 0 when there is none.
 * @count: in: room at @entries_ptr (at most 1024); out: entries written.
 * @entry_size: the size of one entry as the caller knows struct
 *	llmsched_agent_info, from %LLMSCHED_AGENT_INFO_SIZE_VER0 to a page.
 * @entries_ptr: user pointer to @count entries of @entry_size bytes.
 *
 * Lists registered agents, fencing ones included: what a runtime that
 * restarted needs to find its agents again (%LLMSCHED_LIST_AGENT then lists
 * each one's tasks).
 */
struct llmsched_agent_list {
	__u32 size;
	__u32 flags;
	__u32 start_id;
	__u32 next_id;
	__u32 count;
	__u32 entry_size;
	__u64 entries_ptr;
};

#define LLMSCHED_AGENT_LIST_SIZE_VER0	32

/* Flags of struct llmsched_agent_drain. */
/* Take the agent back into service (UP) instead. */
#define LLMSCHED_DRAIN_UNDO		(1U << 0)
#define LLMSCHED_DRAIN_FLAGS		(LLMSCHED_DRAIN_UNDO)

/**
 * struct llmsched_agent_drain - stop giving an agent new tasks
 * @size: sizeof(struct llmsched_agent_drain).
 * @flags: LLMSCHED_DRAIN_* flags.
 * @agent_id: the agent.
 * @__reserved: must be zero.
 *
 * A draining agent keeps and finishes its tasks and takes no new one; tasks
 * it was handed and has not fetched go back to the run queue.  Once it holds
 * nothing it may unregister.
 */
struct llmsched_agent_drain {
	__u32 size;
	__u32 flags;
	__u32 agent_id;
	__u32 __reserved;
};

#define LLMSCHED_AGENT_DRAIN_SIZE_VER0	16

/**
 * struct llmsched_agent_resize - change an agent's reservation and slots
 * @size: sizeof(struct llmsched_agent_resize).
 * @flags: must be zero.
 * @agent_id: the agent.
 * @slots: its new slot count, 1 to LLMSCHED_SLOTS_MAX; 0 keeps it.
 * @capacity: its new reservation (a zero vector keeps it).
 *
 * Never below what its tasks hold (committed and frozen, and the slots in
 * use): -EBUSY; never beyond the host's free capacity: -ENOSPC.  Atomic
 * against dispatch.  The runtime grows the agent's cgroup limits before a
 * grow and shrinks them after a shrink.
 */
struct llmsched_agent_resize {
	__u32 size;
	__u32 flags;
	__u32 agent_id;
	__u32 slots;
	__u64 capacity[LLMSCHED_RES_MAX];
};

#define LLMSCHED_AGENT_RESIZE_SIZE_VER0	80

/* Administration.  The SET_ calls need CAP_SYS_ADMIN, the GET_ calls not. */

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

#define LLMSCHED_CAPACITY_SIZE_VER0	136

/**
 * enum llmsched_queue_policy - the order in which runnable tasks are considered
 * @LLMSCHED_POLICY_PRIO_FIFO: higher priority first, then earlier arrival.
 * @LLMSCHED_POLICY_SJF: higher priority first, then the shortest estimate.
 * @LLMSCHED_POLICY_MLFQ: multi-level feedback: a task's level rises with
 *	its waiting time (aging) and drops when it or its owner's earlier
 *	tasks of its shape overran their estimates, or it was requeued.
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
/* Within a priority, tasks with the longest remaining path of work first. */
#define LLMSCHED_POLICY_DAG_RANK	(1U << 1)
#define LLMSCHED_POLICY_FLAGS		(LLMSCHED_POLICY_NO_BACKFILL | \
					 LLMSCHED_POLICY_DAG_RANK)

/**
 * struct llmsched_policy - scheduling policy
 * @size: sizeof(struct llmsched_policy).
 * @flags: LLMSCHED_POLICY_* flags.
 * @policy: enum llmsched_queue_policy.
 * @choice: enum llmsched_agent_choice.
 * @aging_ns: for %LLMSCHED_POLICY_MLFQ, the waiting time worth one level,
 *	1 us to 2^40 ns; 0 keeps the current value.
 * @imbalance_threshold: the balancer migrates tasks while the mean load
 *	difference between two agents (loads in per-mille) exceeds this, at
 *	most 65535; 0 keeps the current value.
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

#define LLMSCHED_POLICY_SIZE_VER0	32

/**
 * struct llmsched_estimator - coefficients of the run-time model
 * @size: sizeof(struct llmsched_estimator).
 * @flags: must be zero.
 * @nr_coeffs: number of entries of @coeff in use, 1 to
 *	LLMSCHED_FEATURES_MAX + 1 (%LLMSCHED_IOC_GET_ESTIMATOR: 0 when no
 *	model is set).
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

#define LLMSCHED_ESTIMATOR_SIZE_VER0	88
#define LLMSCHED_ESTIMATOR_SHIFT	16

/* Flags of struct llmsched_limits (SET: which of the 0-meaningful fields apply). */
/* Apply @max_user_priority, whose 0 is a value. */
#define LLMSCHED_LIMITS_USER_PRIORITY	(1U << 0)
#define LLMSCHED_LIMITS_FLAGS		(LLMSCHED_LIMITS_USER_PRIORITY)

/**
 * struct llmsched_limits - limits on queued work
 * @size: sizeof(struct llmsched_limits).
 * @flags: LLMSCHED_LIMITS_* flags (%LLMSCHED_IOC_SET_LIMITS); zero for
 *	%LLMSCHED_IOC_GET_LIMITS.
 * @max_tasks: tasks held that have not ended, all users together; a
 *	submission beyond it fails with -EAGAIN.  0 keeps the current value.
 * @max_tasks_per_user: the same for one uid; -EDQUOT beyond it.  0 keeps
 *	the current value.
 * @heartbeat_timeout_ms: an agent silent for longer is lost; 0 keeps the
 *	current value.
 * @retain_ended: ended tasks kept per uid for queries; 0 keeps it.
 * @max_bytes_per_user: kernel memory one uid's held and retained tasks may
 *	take; 0 keeps it.
 * @max_user_priority: the highest priority without CAP_SYS_NICE; applied
 *	only with %LLMSCHED_LIMITS_USER_PRIORITY.
 * @__reserved: must be zero.
 */
struct llmsched_limits {
	__u32 size;
	__u32 flags;
	__u32 max_tasks;
	__u32 max_tasks_per_user;
	__u32 heartbeat_timeout_ms;
	__u32 retain_ended;
	__u64 max_bytes_per_user;
	__u32 max_user_priority;
	__u32 __reserved;
};

#define LLMSCHED_LIMITS_SIZE_VER0	40

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

#define LLMSCHED_VERSION_SIZE_VER0	24

/*
 * The ioctls.  Documentation/userspace-api/llmsched.rst gives each one's
 * context and full list of errors, in checking order; the common ones
 * first: -ENOTTY (unknown command), -EPERM (privilege), -EFAULT (argument
 * unreadable), -EINVAL (@size below the first version), -E2BIG (@size above
 * a page, or unknown fields set), -EINVAL (unknown flags, non-zero
 * __reserved).
 */

/* Anyone who may open /dev/llmsched. */
#define LLMSCHED_IOC_VERSION		_IO(LLMSCHED_IOCTL_MAGIC, 0x00)
#define LLMSCHED_IOC_SUBMIT		_IO(LLMSCHED_IOCTL_MAGIC, 0x01)
#define LLMSCHED_IOC_SUBMIT_BATCH	_IO(LLMSCHED_IOCTL_MAGIC, 0x02)
#define LLMSCHED_IOC_CANCEL		_IO(LLMSCHED_IOCTL_MAGIC, 0x03)
#define LLMSCHED_IOC_TASK_QUERY		_IO(LLMSCHED_IOCTL_MAGIC, 0x04)
#define LLMSCHED_IOC_TASK_WAIT		_IO(LLMSCHED_IOCTL_MAGIC, 0x05)
#define LLMSCHED_IOC_TASK_LIST		_IO(LLMSCHED_IOCTL_MAGIC, 0x06)
#define LLMSCHED_IOC_GET_CAPACITY	_IO(LLMSCHED_IOCTL_MAGIC, 0x07)
#define LLMSCHED_IOC_GET_POLICY		_IO(LLMSCHED_IOCTL_MAGIC, 0x08)
#define LLMSCHED_IOC_GET_ESTIMATOR	_IO(LLMSCHED_IOCTL_MAGIC, 0x09)
#define LLMSCHED_IOC_GET_LIMITS		_IO(LLMSCHED_IOCTL_MAGIC, 0x0a)
/* Agents (CAP_SYS_ADMIN); on the agent's own file, but for LOAD_REPORT on. */
#define LLMSCHED_IOC_AGENT_REGISTER	_IO(LLMSCHED_IOCTL_MAGIC, 0x20)
#define LLMSCHED_IOC_AGENT_FETCH	_IO(LLMSCHED_IOCTL_MAGIC, 0x21)
#define LLMSCHED_IOC_AGENT_START	_IO(LLMSCHED_IOCTL_MAGIC, 0x22)
#define LLMSCHED_IOC_AGENT_COMPLETE	_IO(LLMSCHED_IOCTL_MAGIC, 0x23)
#define LLMSCHED_IOC_AGENT_HEARTBEAT	_IO(LLMSCHED_IOCTL_MAGIC, 0x24)
#define LLMSCHED_IOC_AGENT_UNREGISTER	_IO(LLMSCHED_IOCTL_MAGIC, 0x25)
#define LLMSCHED_IOC_AGENT_CONTROL	_IO(LLMSCHED_IOCTL_MAGIC, 0x26)
#define LLMSCHED_IOC_AGENT_CONFIRM	_IO(LLMSCHED_IOCTL_MAGIC, 0x27)
#define LLMSCHED_IOC_LOAD_REPORT	_IO(LLMSCHED_IOCTL_MAGIC, 0x28)
#define LLMSCHED_IOC_AGENT_LIST		_IO(LLMSCHED_IOCTL_MAGIC, 0x29)
#define LLMSCHED_IOC_AGENT_DRAIN	_IO(LLMSCHED_IOCTL_MAGIC, 0x2a)
#define LLMSCHED_IOC_AGENT_RESIZE	_IO(LLMSCHED_IOCTL_MAGIC, 0x2b)
/* Administration (CAP_SYS_ADMIN). */
#define LLMSCHED_IOC_SET_CAPACITY	_IO(LLMSCHED_IOCTL_MAGIC, 0x40)
#define LLMSCHED_IOC_SET_POLICY		_IO(LLMSCHED_IOCTL_MAGIC, 0x41)
#define LLMSCHED_IOC_SET_ESTIMATOR	_IO(LLMSCHED_IOCTL_MAGIC, 0x42)
#define LLMSCHED_IOC_SET_LIMITS		_IO(LLMSCHED_IOCTL_MAGIC, 0x43)

/*
 * Generic netlink: family LLMSCHED_GENL_NAME, multicast group
 * LLMSCHED_GENL_MCGRP_EVENTS (joining needs CAP_SYS_ADMIN).  Each state
 * change of a task is one %LLMSCHED_CMD_TASK_EVENT message, sent in the
 * order the changes happened (per task, and overall); an agent's arrival,
 * drain, fencing and departure are %LLMSCHED_CMD_AGENT_EVENT messages.
 * %LLMSCHED_CMD_GET_TASK and %LLMSCHED_CMD_GET_AGENT, as dump requests
 * (NLM_F_DUMP; CAP_SYS_ADMIN), return every task and agent the kernel holds
 * as messages of the event commands, each with the LLMSCHED_A_SEQ of the
 * last event sent when the dump began: a listener that joined the group
 * first, then dumped, has the whole state and every change after it.
 */
#define LLMSCHED_GENL_NAME		"llmsched"
#define LLMSCHED_GENL_VERSION		2
#define LLMSCHED_GENL_MCGRP_EVENTS	"events"

enum llmsched_genl_cmd {
	LLMSCHED_CMD_UNSPEC,
	LLMSCHED_CMD_TASK_EVENT,
	LLMSCHED_CMD_AGENT_EVENT,
	LLMSCHED_CMD_GET_TASK,
	LLMSCHED_CMD_GET_AGENT,

	__LLMSCHED_CMD_MAX,
};

#define LLMSCHED_CMD_MAX	(__LLMSCHED_CMD_MAX - 1)

/**
 * enum llmsched_genl_attr - attributes of the events and dumps
 * @LLMSCHED_A_UNSPEC: never used.
 * @LLMSCHED_A_TASK_ID: u64, the task.
 * @LLMSCHED_A_STATE: u32, the task's state (enum llmsched_task_state) or,
 *	for an agent, enum llmsched_agent_state (0 when it left).
 * @LLMSCHED_A_OLD_STATE: u32, the task's previous state (events only).
 * @LLMSCHED_A_REASON: u32, enum llmsched_task_reason.
 * @LLMSCHED_A_AGENT_ID: u32, the agent.
 * @LLMSCHED_A_UID: u32, the task's owner (initial user namespace).
 * @LLMSCHED_A_TIME_NS: u64, when it happened (CLOCK_MONOTONIC); in a dump,
 *	when the task was submitted or the agent registered.
 * @LLMSCHED_A_SEQ: u64, increases by one with every event the module
 *	records, so that a listener sees what it missed.
 * @LLMSCHED_A_EXIT_STATUS: s32, the exit status of an ended task.
 * @LLMSCHED_A_PAD: padding for 64-bit attributes.
 * @LLMSCHED_A_LABEL: string, the task's label (when it has one).
 * @LLMSCHED_A_PRIORITY: u32, the task's priority (dumps).
 * @LLMSCHED_A_WAIT: u32, enum llmsched_wait (dumps of waiting tasks).
 * @LLMSCHED_A_SLOTS: u32, the agent's slots (agent dumps).
 * @LLMSCHED_A_USED_SLOTS: u32, slots in use (agent dumps).
 * @LLMSCHED_A_LOAD: u32, the agent's load, per-mille (agent dumps).
 * @LLMSCHED_A_CGROUP_ID: u64, the agent's cgroup id (agent dumps).
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
	LLMSCHED_A_LABEL,
	LLMSCHED_A_PRIORITY,
	LLMSCHED_A_WAIT,
	LLMSCHED_A_SLOTS,
	LLMSCHED_A_USED_SLOTS,
	LLMSCHED_A_LOAD,
	LLMSCHED_A_CGROUP_ID,

	__LLMSCHED_A_MAX,
};

#define LLMSCHED_A_MAX		(__LLMSCHED_A_MAX - 1)

#endif /* _UAPI_LINUX_LLMSCHED_H */
