/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libllmsched: the ioctls of /dev/llmsched (uapi/linux/llmsched.h), one
 * wrapper per ioctl, in the library's error model.
 *
 * Each wrapper sets the structure's @size to sizeof() the structure this
 * library was compiled with (and @entry_size for the calls that take an
 * array), calls ioctl(2), and returns 0 or a negative errno.  On failure it
 * sets *@err (when @err is not NULL) to an error whose message names the
 * call and its object and says, for the errnos the module returns from
 * that call, what was wrong and what to do:
 *
 *	"submitting task 'build': the demand is larger than the host's
 *	 capacity in some resource: lower it, or raise the capacity
 *	 (llmctl capacity set)"
 *
 * The caller fills every other input field; the wrappers change nothing
 * else the caller set (a @flags field of a SET_ call is the caller's).
 * The errnos each call returns, and why, are in
 * Documentation/userspace-api/llmsched.rst; the messages follow it.
 *
 * Normal outcomes.  A look that finds nothing (EAGAIN with a zero timeout),
 * a wait that timed out (ETIMEDOUT), a fetch that found a control record
 * first (ENOMSG), a fetch whose payload buffer is too small (ENOSPC, with
 * the size needed in @payload_len) and a wait cut short by a signal
 * (EINTR) are answers rather than failures.  They still return -errno and
 * set *@err like any error, so that a caller that only prints errors
 * prints something sensible, and the error's code (enum llms_ioctl_code)
 * says which answer it is; a caller that expects them tests the return
 * value (or the code), frees the error and goes on.  Passing @err NULL is
 * allowed everywhere: then only the return value tells.
 *
 * Blocking calls (llms_task_wait(), llms_agent_fetch(),
 * llms_agent_control()): the kernel waits interruptibly.  When a signal
 * arrives it writes the time left back into @timeout_ns and returns
 * -ERESTARTSYS: with a handler installed with SA_RESTART (or no handler
 * for a signal that does not kill), the call restarts by itself with the
 * time left, so the whole wait never exceeds the first @timeout_ns; without
 * SA_RESTART the wrapper returns -EINTR (code LLMS_IOCTL_INTERRUPTED) and
 * @timeout_ns holds the time left, so calling again continues the same
 * wait.  The wrappers never retry by themselves.
 *
 * Thread safety: the wrappers keep no state; any thread may call them on
 * any descriptor, as the module allows (one agent per open file: agent
 * calls on one file are the caller's to order).  llms_task_list_all() and
 * llms_agent_list_all() read in pages: each page is consistent, the whole
 * list is not a snapshot (tasks and agents come and go between pages).
 */
#ifndef LLMSCHED_LIB_IOCTL_H
#define LLMSCHED_LIB_IOCTL_H

#include <stddef.h>
#include <stdint.h>

#include <linux/llmsched.h>

#include "error.h"

#define LLMS_DEVICE_PATH "/dev/" LLMSCHED_DEVICE_NAME

/*
 * The code of an error made by a wrapper: 0 for a failure, otherwise which
 * normal outcome it is (see "Normal outcomes" above).
 */
enum llms_ioctl_code {
	LLMS_IOCTL_FAILED = 0,
	/* EAGAIN with @timeout_ns 0: the task has not ended, no task or no
	 * control record waits. */
	LLMS_IOCTL_NOT_YET,
	/* ETIMEDOUT: nothing came within @timeout_ns. */
	LLMS_IOCTL_TIMED_OUT,
	/* ENOMSG (fetch): a control record waits; read it first with
	 * llms_agent_control(). */
	LLMS_IOCTL_CONTROL_WAITS,
	/* ENOSPC (fetch): the payload buffer is too small; @payload_len has
	 * the size needed, nothing was fetched. */
	LLMS_IOCTL_PAYLOAD_TOO_BIG,
	/* EINTR: a signal without SA_RESTART; @timeout_ns has the time left. */
	LLMS_IOCTL_INTERRUPTED,
	/* EPROTO from llms_version(): the module speaks another MAJOR. */
	LLMS_IOCTL_VERSION_MISMATCH,
};

/*
 * Open /dev/llmsched O_RDWR | O_CLOEXEC | @extra_flags (O_NONBLOCK for a
 * reader of task events): the descriptor, or a negative errno.  ENOENT:
 * the module is not loaded (modprobe llmsched); EACCES: the device's mode
 * and group (module parameters dev_mode, dev_gid) do not let this user
 * open it.
 */
int llms_open(int extra_flags, struct llms_error **err);

/*
 * LLMSCHED_IOC_VERSION into *@v.  A module whose major version is not this
 * header's LLMSCHED_VERSION_MAJOR is refused with EPROTO (code
 * LLMS_IOCTL_VERSION_MISMATCH; *@v is filled all the same).
 */
int llms_version(int fd, struct llmsched_version *v, struct llms_error **err);

/* LLMSCHED_IOC_SUBMIT: on success @t->task_id is the new task's id. */
int llms_submit(int fd, struct llmsched_task_submit *t,
		struct llms_error **err);

/*
 * LLMSCHED_IOC_SUBMIT_BATCH of @count entries at @tasks, all or none: on
 * success each entry's @task_id is set; on a failure caused by one entry,
 * *@failed_index (when not NULL) is its index and the message names it
 * ("submitting batch entry 3 (task 'x') of 10: ..."), otherwise
 * *@failed_index is @count.  Each entry's @size is set.
 */
int llms_submit_batch(int fd, struct llmsched_task_submit *tasks,
		      uint32_t count, uint32_t *failed_index,
		      struct llms_error **err);

/* LLMSCHED_IOC_CANCEL of @task_id; @flags must be 0 in uAPI 1.0. */
int llms_cancel(int fd, uint64_t task_id, uint32_t flags,
		struct llms_error **err);

/* LLMSCHED_IOC_TASK_QUERY of @task_id into *@info (zeroed first). */
int llms_task_query(int fd, uint64_t task_id, struct llmsched_task_info *info,
		    struct llms_error **err);

/*
 * LLMSCHED_IOC_TASK_WAIT: the caller sets @task_id and @timeout_ns; on
 * return (success, EAGAIN, ETIMEDOUT, EINTR alike) @state, @reason and
 * @exit_status say where the task is.  Blocking: see above.
 */
int llms_task_wait(int fd, struct llmsched_task_wait *w,
		   struct llms_error **err);

/*
 * LLMSCHED_IOC_TASK_LIST, one page: the caller sets @flags, @start_id,
 * @count, @entries_ptr (entries of struct llmsched_task_info) and
 * @agent_id; the wrapper sets @size and @entry_size.
 */
int llms_task_list(int fd, struct llmsched_task_list *l,
		   struct llms_error **err);

/*
 * Every task the kernel holds that @flags (LLMSCHED_LIST_*) and @agent_id
 * (with LLMSCHED_LIST_AGENT) select, read page after page, in id order,
 * into *@out (malloc()ed, NULL when none; the caller frees it) and their
 * number into *@count.  On failure *@out is NULL and *@count 0.
 */
int llms_task_list_all(int fd, uint32_t flags, uint32_t agent_id,
		       struct llmsched_task_info **out, size_t *count,
		       struct llms_error **err);

/* Administration: the GET_ calls anyone, the SET_ calls CAP_SYS_ADMIN. */
int llms_get_capacity(int fd, struct llmsched_capacity *c,
		      struct llms_error **err);
int llms_set_capacity(int fd, struct llmsched_capacity *c,
		      struct llms_error **err);
int llms_get_policy(int fd, struct llmsched_policy *p,
		    struct llms_error **err);
int llms_set_policy(int fd, struct llmsched_policy *p,
		    struct llms_error **err);
int llms_get_estimator(int fd, struct llmsched_estimator *e,
		       struct llms_error **err);
int llms_set_estimator(int fd, struct llmsched_estimator *e,
		       struct llms_error **err);
int llms_get_limits(int fd, struct llmsched_limits *l,
		    struct llms_error **err);
int llms_set_limits(int fd, struct llmsched_limits *l,
		    struct llms_error **err);

/*
 * Agents (CAP_SYS_ADMIN).  llms_agent_register() makes @fd an agent; the
 * calls after it up to llms_agent_confirm() act on @fd's own agent.
 */
int llms_agent_register(int fd, struct llmsched_agent_register *r,
			struct llms_error **err);

/*
 * LLMSCHED_IOC_AGENT_FETCH: the caller sets @timeout_ns, @payload_ptr and
 * @payload_len (the buffer's size).  Blocking: see above.  Normal
 * outcomes: EAGAIN (@timeout_ns 0, no task), ETIMEDOUT, ENOMSG (a control
 * record comes first: call llms_agent_control()), ENOSPC (the buffer is
 * too small: nothing was fetched and @payload_len is the size needed;
 * grow the buffer and call again).  EBADFD: the agent was lost or is not
 * registered.
 */
int llms_agent_fetch(int fd, struct llmsched_agent_fetch *f,
		     struct llms_error **err);

int llms_agent_start(int fd, uint64_t task_id, struct llms_error **err);
int llms_agent_complete(int fd, struct llmsched_agent_complete *c,
			struct llms_error **err);
int llms_agent_heartbeat(int fd, struct llms_error **err);
int llms_agent_unregister(int fd, struct llms_error **err);

/*
 * LLMSCHED_IOC_AGENT_CONTROL: the caller sets @timeout_ns.  Blocking: see
 * above.  Normal outcomes: EAGAIN (@timeout_ns 0, none waits), ETIMEDOUT.
 * A lost agent still gets its LLMSCHED_CONTROL_LOST record, then EBADFD.
 */
int llms_agent_control(int fd, struct llmsched_agent_control *c,
		       struct llms_error **err);

/* LLMSCHED_IOC_AGENT_CONFIRM of what a control record of @kind asked. */
int llms_agent_confirm(int fd, uint64_t task_id, uint32_t kind,
		       struct llms_error **err);

/*
 * LLMSCHED_IOC_LOAD_REPORT of @count entries (on any file, not an agent's),
 * made every @interval_ns (1 ms .. 10 s; 0 keeps the one in force): a load
 * is stale once 4 of them passed without a new report.
 */
int llms_load_report(int fd, const struct llmsched_load_entry *entries,
		     uint32_t count, uint64_t interval_ns,
		     struct llms_error **err);

/* LLMSCHED_IOC_AGENT_LIST, one page: the caller sets all but the sizes. */
int llms_agent_list(int fd, struct llmsched_agent_list *l,
		    struct llms_error **err);

/*
 * Every registered agent (fencing ones included), page after page, in id
 * order, into *@out (malloc()ed, NULL when none) and *@count.
 */
int llms_agent_list_all(int fd, struct llmsched_agent_info **out,
			size_t *count, struct llms_error **err);

/* LLMSCHED_IOC_AGENT_DRAIN of @agent_id; LLMSCHED_DRAIN_UNDO undoes it. */
int llms_agent_drain(int fd, uint32_t agent_id, uint32_t flags,
		     struct llms_error **err);
int llms_agent_resize(int fd, struct llmsched_agent_resize *r,
		      struct llms_error **err);

/*
 * The names the module's sysfs and debugfs files use ("runnable",
 * "agent-lost", "user-limit"); "?" for a value this library does not know.
 * Reasons the engine has no name for (signal, oom, launch) are named after
 * their LLMSCHED_REASON_ constant, in the same style.
 */
const char *llms_task_state_name(uint32_t state);
const char *llms_task_reason_name(uint32_t reason);
const char *llms_wait_name(uint32_t wait);

/*
 * For tests and tools: the advice the wrapper of ioctl @cmd gives for
 * @errnum (> 0), NULL when its table has none (the message then says only
 * what was being done); the name of the call ("LLMSCHED_IOC_SUBMIT"), NULL
 * for an unknown @cmd.
 */
const char *llms_ioctl_hint(unsigned long cmd, int errnum);
const char *llms_ioctl_name(unsigned long cmd);

#endif /* LLMSCHED_LIB_IOCTL_H */
