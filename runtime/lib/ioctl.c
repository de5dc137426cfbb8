// SPDX-License-Identifier: GPL-2.0
/*
 * libllmsched: the ioctls of /dev/llmsched, with errors that say what was
 * wrong and what to do.
 *
 * Each call has one table of advice, per errno, written from what the
 * module's handler returns and why (kmod/task.c, admin.c, agent.c,
 * agent_io.c, agent_admin.c; the common checks in main.c's
 * llmsched_ioctl()).  Errnos every call may return (a wrong descriptor,
 * an unreadable argument, a module of another version) are in one common
 * table, looked at after the call's own.  The message of an error is
 * "WHAT: ADVICE", WHAT saying which call on which object.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ioctl.h"
#include "sysfs.h"

#define LLMS_XSTR(x)	#x
#define LLMS_STR(x)	LLMS_XSTR(x)
#define LLMS_UAPI_VERSION						\
	LLMS_STR(LLMSCHED_VERSION_MAJOR) "." LLMS_STR(LLMSCHED_VERSION_MINOR)

/* Entries per page of llms_task_list_all() and llms_agent_list_all(). */
#define LLMS_LIST_PAGE	256

/* One errno of one call: what it means there, and whether it is normal. */
struct llms_hint {
	int errnum;
	int code;		/* enum llms_ioctl_code */
	const char *text;
};

struct llms_call {
	unsigned long cmd;
	const char *name;
	/* Needs CAP_SYS_ADMIN: EPERM says so unless the table says more. */
	bool admin;
	const struct llms_hint *hints;	/* ends with errnum 0 */
};

#define HINT(e, t)	{ (e), LLMS_IOCTL_FAILED, (t) }
#define NORMAL(e, c, t)	{ (e), (c), (t) }
#define END		{ 0, 0, NULL }

#define H_NOMEM HINT(ENOMEM, "the kernel is out of memory; try again later")
#define H_ADMIN(what)							\
	HINT(EPERM, what " needs CAP_SYS_ADMIN: run it as root")
/* Refused so that a later version may give them a meaning. */
#define H_FLAGS(what)							\
	HINT(EINVAL, what ": this module gives no meaning to other bits")
#define H_NOT_AGENT							\
	HINT(EBADFD, "this file is not a registered agent, or its agent " \
	     "was lost (missed heartbeats or its process died): read its " \
	     "LOST control record, unregister and register again")
#define H_INTR								\
	NORMAL(EINTR, LLMS_IOCTL_INTERRUPTED,				\
	       "interrupted by a signal without SA_RESTART; timeout_ns " \
	       "holds the time left: call again to go on waiting")
#define H_TIMEDOUT(what)						\
	NORMAL(ETIMEDOUT, LLMS_IOCTL_TIMED_OUT, what)
#define H_NOT_YET(what)							\
	NORMAL(EAGAIN, LLMS_IOCTL_NOT_YET, what)

/* ------------------------------------------------------- the tables */

static const struct llms_hint llms_common_hints[] = {
	HINT(ENOTTY, "this descriptor is not /dev/llmsched, or the module "
	     "does not know this call: it is older than this library (uAPI "
	     LLMS_UAPI_VERSION "); compare /sys/kernel/llmsched/version "
	     "and load a module at least as new"),
	HINT(EBADF, "the descriptor is not open: open /dev/llmsched first "
	     "(llms_open())"),
	HINT(EFAULT, "a pointer in the argument does not point at memory "
	     "the caller may read or write: a bug of the caller"),
	HINT(E2BIG, "the argument sets fields this module does not know: "
	     "the module is older than this library (uAPI "
	     LLMS_UAPI_VERSION "); load a matching module, or leave the "
	     "newer fields zero"),
	HINT(EINVAL, "a field is out of range, an unknown flag is set or "
	     "a __reserved field is not zero"),
	H_NOMEM,
	END,
};

static const struct llms_hint llms_version_hints[] = {
	H_FLAGS("flags must be zero"),
	END,
};

/* Shared by SUBMIT and the entries of SUBMIT_BATCH. */
static const struct llms_hint llms_submit_hints[] = {
	HINT(EINVAL, "a field is invalid: flags other than "
	     "LLMSCHED_SUBMIT_*, a non-zero __reserved, priority above 255, "
	     "retries above 16, a demand of nothing, above 2^48 or in a "
	     "slot past the known kinds, features past nr_features, neither "
	     "est_runtime_ns nor features, more than 64 dependencies or one "
	     "given twice, a batch-index dependency that is not an earlier "
	     "entry, or a label that is not printable ASCII of at most 31 "
	     "characters; fix the task"),
	HINT(E2BIG, "the payload is longer than LLMSCHED_PAYLOAD_MAX "
	     "(65536 bytes): shorten the command line or environment (or "
	     "the module is older than this library and a newer field is "
	     "set)"),
	HINT(EPERM, "its priority is above "
	     "/sys/kernel/llmsched/limits/max_user_priority and the caller "
	     "lacks CAP_SYS_NICE: lower the priority, or run with "
	     "CAP_SYS_NICE"),
	HINT(ENOENT, "a dependency names a task that does not exist or is "
	     "not the caller's (ended tasks are forgotten past "
	     "limits/retain_ended): check the dependency ids"),
	HINT(ENOSPC, "no registered agent could ever hold it: its demand "
	     "is larger than every agent's reservation, no agent has all "
	     "its tags, or no agent is registered; lower the demand, or "
	     "register (or resize) an agent that fits"),
	HINT(EDQUOT, "the caller's per-user limit is reached: "
	     "limits/max_tasks_per_user tasks that have not ended, or "
	     "limits/max_bytes_per_user of kernel memory; wait for some "
	     "to end, or ask the administrator to raise the limit"),
	HINT(EAGAIN, "the host holds limits/max_tasks tasks that have not "
	     "ended: try again later, or raise "
	     "/sys/kernel/llmsched/limits/max_tasks"),
	HINT(EFAULT, "payload_ptr or deps_ptr does not point at "
	     "payload_len bytes or nr_deps ids the caller may read"),
	H_NOMEM,
	END,
};

static const struct llms_hint llms_batch_hints[] = {
	HINT(EINVAL, "count must be 1 to LLMSCHED_BATCH_MAX (4096), flags "
	     "and __reserved zero"),
	HINT(EDQUOT, "the batch would take the caller past its per-user "
	     "limit (limits/max_tasks_per_user tasks not ended, or "
	     "limits/max_bytes_per_user): split it, wait for tasks to end, "
	     "or ask the administrator to raise the limit"),
	HINT(EAGAIN, "the batch would take the host past limits/max_tasks "
	     "tasks not ended: try again later, split it, or raise the "
	     "limit"),
	HINT(EFAULT, "the entries (or the ids written back) are not memory "
	     "the caller may read and write"),
	H_NOMEM,
	END,
};

#define H_NO_TASK							\
	HINT(ENOENT, "no task of the caller has this id: it never existed, " \
	     "is another user's, or ended and was forgotten (past "	\
	     "limits/retain_ended)")

static const struct llms_hint llms_cancel_hints[] = {
	H_FLAGS("flags must be zero"),
	H_NO_TASK,
	HINT(EALREADY, "it has ended, or is being stopped already: nothing "
	     "to cancel (wait for it to end)"),
	END,
};

static const struct llms_hint llms_query_hints[] = {
	H_FLAGS("flags must be zero"),
	H_NO_TASK,
	END,
};

static const struct llms_hint llms_wait_hints[] = {
	H_FLAGS("flags and __reserved must be zero"),
	H_NO_TASK,
	H_NOT_YET("it has not ended (a timeout of 0 only looks)"),
	H_TIMEDOUT("it did not end within the timeout; wait again or "
		   "cancel it"),
	H_INTR,
	END,
};

static const struct llms_hint llms_list_hints[] = {
	HINT(EINVAL, "flags must be LLMSCHED_LIST_*, agent_id non-zero only "
	     "with LLMSCHED_LIST_AGENT, count 1 to 1024, __reserved zero"),
	HINT(EPERM, "LLMSCHED_LIST_ALL_USERS needs CAP_SYS_ADMIN: list the "
	     "caller's own tasks, or run as root"),
	HINT(EFAULT, "entries_ptr does not point at count entries the "
	     "caller may write"),
	H_NOMEM,
	END,
};

static const struct llms_hint llms_get_hints[] = {
	H_FLAGS("flags must be zero"),
	END,
};

static const struct llms_hint llms_set_capacity_hints[] = {
	H_ADMIN("setting the capacity"),
	HINT(EINVAL, "a capacity in a slot past the resource kinds this "
	     "module knows, or flags not zero"),
	HINT(EBUSY, "it is below what the agents have reserved (see "
	     "GET_CAPACITY's reserved): shrink or unregister agents first"),
	END,
};

static const struct llms_hint llms_set_policy_hints[] = {
	H_ADMIN("setting the policy"),
	HINT(EINVAL, "policy must be 0 to 3 (LLMSCHED_POLICY_*), choice 0 "
	     "or 1, flags LLMSCHED_POLICY_*, aging_ns 1 us to 2^40 ns (0 "
	     "keeps it), imbalance_threshold at most 65535"),
	END,
};

static const struct llms_hint llms_set_estimator_hints[] = {
	H_ADMIN("setting the estimator"),
	HINT(EINVAL, "nr_coeffs must be 1 to LLMSCHED_FEATURES_MAX + 1 (9) "
	     "and the coefficients past it zero; flags and __reserved zero"),
	END,
};

static const struct llms_hint llms_set_limits_hints[] = {
	H_ADMIN("setting the limits"),
	HINT(EINVAL, "a limit is out of range: max_tasks above 10000000, "
	     "max_tasks_per_user above max_tasks, heartbeat_timeout_ms "
	     "outside 100 to 3600000, retain_ended above 1000000, "
	     "max_bytes_per_user below one largest task or above 64 GiB, "
	     "max_user_priority above 255 or set without "
	     "LLMSCHED_LIMITS_USER_PRIORITY; or an unknown flag"),
	END,
};

static const struct llms_hint llms_register_hints[] = {
	H_ADMIN("registering an agent"),
	HINT(EINVAL, "slots must be 1 to 64, the capacity non-zero in some "
	     "known kind and zero past them, flags and __reserved zero, "
	     "and the process must be inside cgroup_fd's cgroup (or below "
	     "it): move it there first"),
	HINT(EBUSY, "this file is an agent already: unregister it first, "
	     "or open another file for another agent"),
	HINT(EBADF, "cgroup_fd is not an open cgroup v2 folder (or the "
	     "folder was removed): open the agent's cgroup folder "
	     "O_RDONLY|O_DIRECTORY"),
	HINT(ESRCH, "pid is not a live process"),
	HINT(ECHILD, "pid is neither the caller nor a child of the caller "
	     "that it has not reaped: register the agent from its parent, "
	     "or from the agent itself (pid 0)"),
	HINT(ENOSPC, "its reservation would over-commit the host's "
	     "capacity: lower it, or raise the host capacity "
	     "(LLMSCHED_IOC_SET_CAPACITY)"),
	H_NOMEM,
	END,
};

static const struct llms_hint llms_fetch_hints[] = {
	H_ADMIN("an agent"),
	H_FLAGS("flags and __reserved must be zero"),
	H_NOT_AGENT,
	H_NOT_YET("no task is waiting for this agent (a timeout of 0 only "
		  "looks)"),
	H_TIMEDOUT("no task came within the timeout"),
	NORMAL(ENOMSG, LLMS_IOCTL_CONTROL_WAITS,
	       "a control record waits and comes first: read it with "
	       "llms_agent_control(), then fetch again"),
	NORMAL(ENOSPC, LLMS_IOCTL_PAYLOAD_TOO_BIG,
	       "the payload buffer is smaller than the task's payload: "
	       "nothing was fetched and payload_len holds the size needed; "
	       "grow the buffer and fetch again"),
	HINT(EFAULT, "payload_ptr does not point at payload_len bytes the "
	     "caller may write: the task stays unfetched"),
	H_INTR,
	END,
};

/* START, COMPLETE and CONFIRM report on a task the agent fetched. */
#define H_NOT_FETCHED							\
	HINT(ENOENT, "this agent did not fetch a task of this id (or it " \
	     "does not exist)")

static const struct llms_hint llms_start_hints[] = {
	H_ADMIN("an agent"),
	H_FLAGS("flags must be zero"),
	H_NOT_AGENT,
	H_NOT_FETCHED,
	HINT(ECANCELED, "it was cancelled or its kill was asked for: do "
	     "not start it (read the control record, kill and confirm)"),
	HINT(EALREADY, "it was started already, or it has ended"),
	END,
};

static const struct llms_hint llms_complete_hints[] = {
	H_ADMIN("an agent"),
	HINT(EINVAL, "reason must be NONE, EXIT, SIGNAL, OOM, TIMEOUT or "
	     "LAUNCH, exit_status 0 on success, flags "
	     "LLMSCHED_COMPLETE_*"),
	H_NOT_AGENT,
	H_NOT_FETCHED,
	HINT(ECANCELED, "it was cancelled or is being stopped: the report "
	     "did not count, the stop decides how it ends (nothing more to "
	     "confirm)"),
	HINT(EALREADY, "it has ended already: its end was reported once "
	     "(or it failed otherwise); report each end once"),
	END,
};

static const struct llms_hint llms_heartbeat_hints[] = {
	H_ADMIN("an agent"),
	H_NOT_AGENT,
	END,
};

static const struct llms_hint llms_unregister_hints[] = {
	H_ADMIN("an agent"),
	HINT(EBADFD, "this file is not a registered agent"),
	HINT(EBUSY, "it still has fetched tasks that have not ended: "
	     "complete them first (drain it so that it gets no new ones)"),
	END,
};

static const struct llms_hint llms_control_hints[] = {
	H_ADMIN("an agent"),
	H_FLAGS("flags must be zero"),
	HINT(EBADFD, "this file is not a registered agent, or its agent "
	     "was lost and already read its LOST record: unregister and "
	     "register again"),
	H_NOT_YET("no control record waits (a timeout of 0 only looks)"),
	H_TIMEDOUT("no control record came within the timeout"),
	H_INTR,
	END,
};

static const struct llms_hint llms_confirm_hints[] = {
	H_ADMIN("an agent"),
	HINT(EINVAL, "kind must be LLMSCHED_CONTROL_KILL, _FREEZE or "
	     "_THAW; flags and __reserved zero"),
	H_NOT_AGENT,
	HINT(ENOENT, "no control record of this kind for this task was "
	     "read on this agent: the task is not on it, the kind is not "
	     "the one asked, or the record was not read yet with "
	     "llms_agent_control()"),
	END,
};

static const struct llms_hint llms_load_hints[] = {
	H_ADMIN("reporting loads"),
	HINT(EINVAL, "count must be 1 to 4096, every load at most 65535, "
	     "the interval 1 ms to 10 s (0 keeps it), flags zero"),
	HINT(EFAULT, "the entries are not memory the caller may read"),
	H_NOMEM,
	END,
};

static const struct llms_hint llms_agent_list_hints[] = {
	H_ADMIN("listing agents"),
	HINT(EINVAL, "count must be 1 to 1024, flags zero"),
	HINT(EFAULT, "entries_ptr does not point at count entries the "
	     "caller may write"),
	H_NOMEM,
	END,
};

#define H_NO_AGENT							\
	HINT(ENOENT, "no agent of this id is registered (any more)")

static const struct llms_hint llms_drain_hints[] = {
	H_ADMIN("draining an agent"),
	H_FLAGS("flags must be LLMSCHED_DRAIN_*, __reserved zero"),
	H_NO_AGENT,
	END,
};

static const struct llms_hint llms_resize_hints[] = {
	H_ADMIN("resizing an agent"),
	HINT(EINVAL, "slots must be at most 64 (0 keeps them), no capacity "
	     "past the known kinds, flags zero"),
	H_NO_AGENT,
	HINT(EBUSY, "it is below what the agent's tasks hold (committed "
	     "and frozen, or the slots in use): wait for tasks to end, or "
	     "drain it first"),
	HINT(ENOSPC, "it is beyond the host's free capacity: raise the "
	     "host capacity first, or shrink other agents"),
	END,
};

#define CALL(c, a, h)	{ LLMSCHED_IOC_##c, "LLMSCHED_IOC_" #c, (a), (h) }

static const struct llms_call llms_calls[] = {
	CALL(VERSION, false, llms_version_hints),
	CALL(SUBMIT, false, llms_submit_hints),
	CALL(SUBMIT_BATCH, false, llms_batch_hints),
	CALL(CANCEL, false, llms_cancel_hints),
	CALL(TASK_QUERY, false, llms_query_hints),
	CALL(TASK_WAIT, false, llms_wait_hints),
	CALL(TASK_LIST, false, llms_list_hints),
	CALL(GET_CAPACITY, false, llms_get_hints),
	CALL(GET_POLICY, false, llms_get_hints),
	CALL(GET_ESTIMATOR, false, llms_get_hints),
	CALL(GET_LIMITS, false, llms_get_hints),
	CALL(AGENT_REGISTER, true, llms_register_hints),
	CALL(AGENT_FETCH, true, llms_fetch_hints),
	CALL(AGENT_START, true, llms_start_hints),
	CALL(AGENT_COMPLETE, true, llms_complete_hints),
	CALL(AGENT_HEARTBEAT, true, llms_heartbeat_hints),
	CALL(AGENT_UNREGISTER, true, llms_unregister_hints),
	CALL(AGENT_CONTROL, true, llms_control_hints),
	CALL(AGENT_CONFIRM, true, llms_confirm_hints),
	CALL(LOAD_REPORT, true, llms_load_hints),
	CALL(AGENT_LIST, true, llms_agent_list_hints),
	CALL(AGENT_DRAIN, true, llms_drain_hints),
	CALL(AGENT_RESIZE, true, llms_resize_hints),
	CALL(SET_CAPACITY, true, llms_set_capacity_hints),
	CALL(SET_POLICY, true, llms_set_policy_hints),
	CALL(SET_ESTIMATOR, true, llms_set_estimator_hints),
	CALL(SET_LIMITS, true, llms_set_limits_hints),
};

static const struct llms_call *llms_call_find(unsigned long cmd)
{
	size_t i;

	for (i = 0; i < sizeof(llms_calls) / sizeof(llms_calls[0]); i++)
		if (llms_calls[i].cmd == cmd)
			return &llms_calls[i];
	return NULL;
}

static const struct llms_hint *llms_hint_in(const struct llms_hint *h,
					    int errnum)
{
	for (; h->errnum; h++)
		if (h->errnum == errnum)
			return h;
	return NULL;
}

static const struct llms_hint *llms_hint_find(const struct llms_call *call,
					      int errnum)
{
	static const struct llms_hint admin =
		HINT(EPERM, "this call needs CAP_SYS_ADMIN: run it as root");
	const struct llms_hint *h = llms_hint_in(call->hints, errnum);

	if (h)
		return h;
	if (errnum == EPERM && call->admin)
		return &admin;
	return llms_hint_in(llms_common_hints, errnum);
}

const char *llms_ioctl_hint(unsigned long cmd, int errnum)
{
	const struct llms_call *call = llms_call_find(cmd);
	const struct llms_hint *h;

	if (!call || errnum <= 0)
		return NULL;
	h = llms_hint_find(call, errnum);
	return h ? h->text : NULL;
}

const char *llms_ioctl_name(unsigned long cmd)
{
	const struct llms_call *call = llms_call_find(cmd);

	return call ? call->name : NULL;
}

/* ------------------------------------------------------ the calling */

/* *@err "WHAT: ADVICE" for @errnum of @cmd, WHAT made from @fmt. */
static int llms_failv(unsigned long cmd, int errnum, struct llms_error **err,
		      const char *fmt, va_list ap)
{
	const struct llms_call *call = llms_call_find(cmd);
	const struct llms_hint *h = call ? llms_hint_find(call, errnum) : NULL;
	char what[256];

	vsnprintf(what, sizeof(what), fmt, ap);
	if (!h)
		return llms_error_set_code(err, errnum, LLMS_IOCTL_FAILED,
					   "%s (%s)", what,
					   call ? call->name : "ioctl");
	return llms_error_set_code(err, errnum, h->code, "%s: %s", what,
				   h->text);
}

static int llms_fail(unsigned long cmd, int errnum, struct llms_error **err,
		     const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int llms_fail(unsigned long cmd, int errnum, struct llms_error **err,
		     const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = llms_failv(cmd, errnum, err, fmt, ap);
	va_end(ap);
	return ret;
}

/*
 * ioctl(@fd, @cmd, @arg): 0, or -errno with *@err "WHAT: ADVICE", WHAT
 * made from @fmt only on failure.
 */
static int llms_ioc(int fd, unsigned long cmd, void *arg,
		    struct llms_error **err, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static int llms_ioc(int fd, unsigned long cmd, void *arg,
		    struct llms_error **err, const char *fmt, ...)
{
	va_list ap;
	int ret;

	if (ioctl(fd, cmd, arg) == 0)
		return 0;
	ret = errno;
	va_start(ap, fmt);
	ret = llms_failv(cmd, ret, err, fmt, ap);
	va_end(ap);
	return ret;
}

/*
 * A task's label as it may be printed: printable ASCII, at most
 * LLMSCHED_LABEL_MAX - 1 characters, anything else as '?' (a bad label is
 * one of the errors being reported).
 */
static void llms_label_str(const char *label, char *out)
{
	size_t i;

	for (i = 0; i < LLMSCHED_LABEL_MAX - 1 && label[i]; i++)
		out[i] = label[i] >= 0x20 && label[i] <= 0x7e ? label[i] : '?';
	out[i] = '\0';
}

/* "task 'LABEL'", or "a task" when it has no label. */
static void llms_task_desc(const struct llmsched_task_submit *t, char *out,
			   size_t size)
{
	char label[LLMSCHED_LABEL_MAX];

	llms_label_str(t->label, label);
	if (label[0])
		snprintf(out, size, "task '%s'", label);
	else
		snprintf(out, size, "a task");
}

int llms_open(int extra_flags, struct llms_error **err)
{
	struct stat st;
	int fd;

	fd = open(LLMS_DEVICE_PATH, O_RDWR | O_CLOEXEC | extra_flags);
	if (fd >= 0)
		return fd;
	switch (errno) {
	case ENOENT:
		if (stat(LLMS_SYSFS_ROOT, &st) == 0)
			return llms_error_set(err, ENOENT,
					      "opening %s: the module is "
					      "loaded but the device node is "
					      "missing: is devtmpfs mounted "
					      "on /dev?", LLMS_DEVICE_PATH);
		return llms_error_set(err, ENOENT,
				      "opening " LLMS_DEVICE_PATH ": the "
				      "module is not loaded (modprobe "
				      "llmsched)");
	case EACCES:
	case EPERM:
		return llms_error_set(err, errno,
				      "opening " LLMS_DEVICE_PATH " as uid %u "
				      "gid %u: the device's mode and group "
				      "(the module's dev_mode and dev_gid "
				      "parameters, default 0660 and root) "
				      "do not let this user open it: load "
				      "it with a group of this user "
				      "(modprobe llmsched dev_gid=GID) or "
				      "run as root",
				      (unsigned int)geteuid(),
				      (unsigned int)getegid());
	case ENXIO:
	case ENODEV:
		return llms_error_set(err, errno,
				      "opening " LLMS_DEVICE_PATH ": the node "
				      "names no device: the module was "
				      "unloaded, or the node is stale");
	default:
		return llms_error_set(err, errno,
				      "opening " LLMS_DEVICE_PATH);
	}
}

int llms_version(int fd, struct llmsched_version *v, struct llms_error **err)
{
	int ret;

	memset(v, 0, sizeof(*v));
	v->size = sizeof(*v);
	ret = llms_ioc(fd, LLMSCHED_IOC_VERSION, v, err,
		       "reading the module's version");
	if (ret)
		return ret;
	if (v->major != LLMSCHED_VERSION_MAJOR)
		return llms_error_set_code(err, EPROTO,
					   LLMS_IOCTL_VERSION_MISMATCH,
					   "the module speaks uAPI %u.%u.%u "
					   "and this library %d.%d.%d: another "
					   "major version is another contract; "
					   "load a module of major version %d, "
					   "or rebuild this program against "
					   "the module's header",
					   v->major, v->minor, v->patch,
					   LLMSCHED_VERSION_MAJOR,
					   LLMSCHED_VERSION_MINOR,
					   LLMSCHED_VERSION_PATCH,
					   LLMSCHED_VERSION_MAJOR);
	return 0;
}

int llms_submit(int fd, struct llmsched_task_submit *t,
		struct llms_error **err)
{
	char desc[64];

	t->size = sizeof(*t);
	if (ioctl(fd, LLMSCHED_IOC_SUBMIT, t) == 0)
		return 0;
	llms_task_desc(t, desc, sizeof(desc));
	return llms_fail(LLMSCHED_IOC_SUBMIT, errno, err, "submitting %s",
			 desc);
}

int llms_submit_batch(int fd, struct llmsched_task_submit *tasks,
		      uint32_t count, uint32_t *failed_index,
		      struct llms_error **err)
{
	struct llmsched_submit_batch b;
	char desc[64];
	uint32_t i;
	int errnum;

	for (i = 0; i < count; i++)
		tasks[i].size = sizeof(tasks[i]);
	memset(&b, 0, sizeof(b));
	b.size = sizeof(b);
	b.count = count;
	b.entry_size = sizeof(*tasks);
	b.entries_ptr = (uintptr_t)tasks;
	b.error_index = count;
	if (failed_index)
		*failed_index = count;
	if (ioctl(fd, LLMSCHED_IOC_SUBMIT_BATCH, &b) == 0)
		return 0;
	errnum = errno;
	if (failed_index)
		*failed_index = b.error_index;
	/* One entry's fault: say which, in the words of a single submit. */
	if (b.error_index < count) {
		llms_task_desc(&tasks[b.error_index], desc, sizeof(desc));
		return llms_fail(LLMSCHED_IOC_SUBMIT, errnum, err,
				 "submitting batch entry %u (%s) of %u",
				 b.error_index, desc, count);
	}
	return llms_fail(LLMSCHED_IOC_SUBMIT_BATCH, errnum, err,
			 "submitting a batch of %u tasks", count);
}

int llms_cancel(int fd, uint64_t task_id, uint32_t flags,
		struct llms_error **err)
{
	struct llmsched_task_cancel c = {
		.size = sizeof(c), .flags = flags, .task_id = task_id,
	};

	return llms_ioc(fd, LLMSCHED_IOC_CANCEL, &c, err,
			"cancelling task %llu", (unsigned long long)task_id);
}

int llms_task_query(int fd, uint64_t task_id, struct llmsched_task_info *info,
		    struct llms_error **err)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	info->task_id = task_id;
	return llms_ioc(fd, LLMSCHED_IOC_TASK_QUERY, info, err,
			"querying task %llu", (unsigned long long)task_id);
}

int llms_task_wait(int fd, struct llmsched_task_wait *w,
		   struct llms_error **err)
{
	w->size = sizeof(*w);
	return llms_ioc(fd, LLMSCHED_IOC_TASK_WAIT, w, err,
			"waiting for task %llu",
			(unsigned long long)w->task_id);
}

int llms_task_list(int fd, struct llmsched_task_list *l,
		   struct llms_error **err)
{
	l->size = sizeof(*l);
	l->entry_size = sizeof(struct llmsched_task_info);
	if (l->flags & LLMSCHED_LIST_AGENT)
		return llms_ioc(fd, LLMSCHED_IOC_TASK_LIST, l, err,
				"listing the tasks of agent %u from id %llu",
				l->agent_id,
				(unsigned long long)l->start_id);
	return llms_ioc(fd, LLMSCHED_IOC_TASK_LIST, l, err,
			"listing %s tasks from id %llu",
			l->flags & LLMSCHED_LIST_ALL_USERS ? "every user's" :
			"the caller's", (unsigned long long)l->start_id);
}

/*
 * Append pages to *@out until the kernel says there is no next page; one
 * page is read into the array's free end.  The kernel's next id always
 * grows: one that does not is a broken module, not a loop to spin in.
 */
int llms_task_list_all(int fd, uint32_t flags, uint32_t agent_id,
		       struct llmsched_task_info **out, size_t *count,
		       struct llms_error **err)
{
	struct llmsched_task_info *all = NULL, *grown;
	struct llmsched_task_list l;
	size_t n = 0, room = 0;
	uint64_t start = 0;
	int ret;

	*out = NULL;
	*count = 0;
	do {
		if (room - n < LLMS_LIST_PAGE) {
			room += LLMS_LIST_PAGE;
			grown = realloc(all, room * sizeof(*all));
			if (!grown) {
				free(all);
				return llms_error_set(err, ENOMEM,
						      "listing tasks: %zu "
						      "entries", room);
			}
			all = grown;
		}
		memset(&l, 0, sizeof(l));
		l.flags = flags;
		l.agent_id = agent_id;
		l.start_id = start;
		l.count = LLMS_LIST_PAGE;
		l.entries_ptr = (uintptr_t)(all + n);
		ret = llms_task_list(fd, &l, err);
		if (ret) {
			free(all);
			return ret;
		}
		n += l.count;
		if (l.next_id && l.next_id <= start) {
			free(all);
			return llms_error_set(err, EPROTO,
					      "listing tasks: the module gave "
					      "next id %llu after %llu: a "
					      "module bug",
					      (unsigned long long)l.next_id,
					      (unsigned long long)start);
		}
		start = l.next_id;
	} while (start);
	if (!n) {
		free(all);
		all = NULL;
	}
	*out = all;
	*count = n;
	return 0;
}

/* The GET_ and SET_ calls: a structure, its size, nothing else. */
#define LLMS_ADMIN_CALL(fn, type, cmd, what)				\
int fn(int fd, struct type *arg, struct llms_error **err)		\
{									\
	arg->size = sizeof(*arg);					\
	return llms_ioc(fd, cmd, arg, err, "%s", what);			\
}

LLMS_ADMIN_CALL(llms_get_capacity, llmsched_capacity,
		LLMSCHED_IOC_GET_CAPACITY, "reading the host capacity")
LLMS_ADMIN_CALL(llms_set_capacity, llmsched_capacity,
		LLMSCHED_IOC_SET_CAPACITY, "setting the host capacity")
LLMS_ADMIN_CALL(llms_get_policy, llmsched_policy,
		LLMSCHED_IOC_GET_POLICY, "reading the scheduling policy")
LLMS_ADMIN_CALL(llms_set_policy, llmsched_policy,
		LLMSCHED_IOC_SET_POLICY, "setting the scheduling policy")
LLMS_ADMIN_CALL(llms_get_estimator, llmsched_estimator,
		LLMSCHED_IOC_GET_ESTIMATOR, "reading the estimator")
LLMS_ADMIN_CALL(llms_set_estimator, llmsched_estimator,
		LLMSCHED_IOC_SET_ESTIMATOR, "setting the estimator")
LLMS_ADMIN_CALL(llms_get_limits, llmsched_limits,
		LLMSCHED_IOC_GET_LIMITS, "reading the limits")
LLMS_ADMIN_CALL(llms_set_limits, llmsched_limits,
		LLMSCHED_IOC_SET_LIMITS, "setting the limits")

int llms_agent_register(int fd, struct llmsched_agent_register *r,
			struct llms_error **err)
{
	r->size = sizeof(*r);
	return llms_ioc(fd, LLMSCHED_IOC_AGENT_REGISTER, r, err,
			"registering an agent (pid %d, cgroup fd %d, %u slots)",
			r->pid, r->cgroup_fd, r->slots);
}

int llms_agent_fetch(int fd, struct llmsched_agent_fetch *f,
		     struct llms_error **err)
{
	f->size = sizeof(*f);
	return llms_ioc(fd, LLMSCHED_IOC_AGENT_FETCH, f, err,
			"fetching a task (buffer of %u bytes)",
			f->payload_len);
}

/* START and the other calls about one task of the agent. */
static int llms_agent_task_call(int fd, unsigned long cmd, uint64_t task_id,
				const char *verb, struct llms_error **err)
{
	struct llmsched_agent_task t = {
		.size = sizeof(t), .task_id = task_id,
	};

	return llms_ioc(fd, cmd, &t, err, "%s task %llu", verb,
			(unsigned long long)task_id);
}

int llms_agent_start(int fd, uint64_t task_id, struct llms_error **err)
{
	return llms_agent_task_call(fd, LLMSCHED_IOC_AGENT_START, task_id,
				    "reporting the start of", err);
}

int llms_agent_complete(int fd, struct llmsched_agent_complete *c,
			struct llms_error **err)
{
	c->size = sizeof(*c);
	return llms_ioc(fd, LLMSCHED_IOC_AGENT_COMPLETE, c, err,
			"reporting the end of task %llu (%s, status %d)",
			(unsigned long long)c->task_id,
			llms_task_reason_name(c->reason), c->exit_status);
}

int llms_agent_heartbeat(int fd, struct llms_error **err)
{
	struct llmsched_agent_heartbeat h = { .size = sizeof(h) };

	return llms_ioc(fd, LLMSCHED_IOC_AGENT_HEARTBEAT, &h, err,
			"sending a heartbeat");
}

int llms_agent_unregister(int fd, struct llms_error **err)
{
	struct llmsched_agent_unregister u = { .size = sizeof(u) };

	return llms_ioc(fd, LLMSCHED_IOC_AGENT_UNREGISTER, &u, err,
			"unregistering the agent");
}

int llms_agent_control(int fd, struct llmsched_agent_control *c,
		       struct llms_error **err)
{
	c->size = sizeof(*c);
	return llms_ioc(fd, LLMSCHED_IOC_AGENT_CONTROL, c, err,
			"reading the next control record");
}

static const char *llms_control_name(uint32_t kind)
{
	switch (kind) {
	case LLMSCHED_CONTROL_KILL:
		return "kill";
	case LLMSCHED_CONTROL_FREEZE:
		return "freeze";
	case LLMSCHED_CONTROL_THAW:
		return "thaw";
	case LLMSCHED_CONTROL_LOST:
		return "lost";
	default:
		return "?";
	}
}

int llms_agent_confirm(int fd, uint64_t task_id, uint32_t kind,
		       struct llms_error **err)
{
	struct llmsched_agent_confirm c = {
		.size = sizeof(c), .task_id = task_id, .kind = kind,
	};

	return llms_ioc(fd, LLMSCHED_IOC_AGENT_CONFIRM, &c, err,
			"confirming the %s of task %llu (kind %u)",
			llms_control_name(kind), (unsigned long long)task_id,
			kind);
}

int llms_load_report(int fd, const struct llmsched_load_entry *entries,
		     uint32_t count, uint64_t interval_ns,
		     struct llms_error **err)
{
	struct llmsched_load_report r = {
		.size = sizeof(r),
		.count = count,
		.entry_size = sizeof(*entries),
		.entries_ptr = (uintptr_t)entries,
		.interval_ns = interval_ns,
	};

	if (!interval_ns)
		return llms_ioc(fd, LLMSCHED_IOC_LOAD_REPORT, &r, err,
				"reporting the loads of %u agents", count);
	return llms_ioc(fd, LLMSCHED_IOC_LOAD_REPORT, &r, err,
			"reporting the loads of %u agents every %llu ns",
			count, (unsigned long long)interval_ns);
}

int llms_agent_list(int fd, struct llmsched_agent_list *l,
		    struct llms_error **err)
{
	l->size = sizeof(*l);
	l->entry_size = sizeof(struct llmsched_agent_info);
	return llms_ioc(fd, LLMSCHED_IOC_AGENT_LIST, l, err,
			"listing agents from id %u", l->start_id);
}

int llms_agent_list_all(int fd, struct llmsched_agent_info **out,
			size_t *count, struct llms_error **err)
{
	struct llmsched_agent_info *all = NULL, *grown;
	struct llmsched_agent_list l;
	size_t n = 0, room = 0;
	uint32_t start = 0;
	int ret;

	*out = NULL;
	*count = 0;
	do {
		if (room - n < LLMS_LIST_PAGE) {
			room += LLMS_LIST_PAGE;
			grown = realloc(all, room * sizeof(*all));
			if (!grown) {
				free(all);
				return llms_error_set(err, ENOMEM,
						      "listing agents: %zu "
						      "entries", room);
			}
			all = grown;
		}
		memset(&l, 0, sizeof(l));
		l.start_id = start;
		l.count = LLMS_LIST_PAGE;
		l.entries_ptr = (uintptr_t)(all + n);
		ret = llms_agent_list(fd, &l, err);
		if (ret) {
			free(all);
			return ret;
		}
		n += l.count;
		if (l.next_id && l.next_id <= start) {
			free(all);
			return llms_error_set(err, EPROTO,
					      "listing agents: the module gave "
					      "next id %u after %u: a module "
					      "bug", l.next_id, start);
		}
		start = l.next_id;
	} while (start);
	if (!n) {
		free(all);
		all = NULL;
	}
	*out = all;
	*count = n;
	return 0;
}

int llms_agent_drain(int fd, uint32_t agent_id, uint32_t flags,
		     struct llms_error **err)
{
	struct llmsched_agent_drain d = {
		.size = sizeof(d), .flags = flags, .agent_id = agent_id,
	};

	return llms_ioc(fd, LLMSCHED_IOC_AGENT_DRAIN, &d, err, "%s agent %u",
			flags & LLMSCHED_DRAIN_UNDO ?
			"taking back into service" : "draining", agent_id);
}

int llms_agent_resize(int fd, struct llmsched_agent_resize *r,
		      struct llms_error **err)
{
	r->size = sizeof(*r);
	return llms_ioc(fd, LLMSCHED_IOC_AGENT_RESIZE, r, err,
			"resizing agent %u (%u slots)", r->agent_id, r->slots);
}

/* ---------------------------------------------------------- the names */

/*
 * The kernel's names (kmod/core/engine.c: lsc_state_names and friends);
 * the uAPI states are the engine's but for NEW, which it never shows.
 */
static const char *const llms_state_names[] = {
	[LLMSCHED_TASK_QUEUED] = "queued",
	[LLMSCHED_TASK_RUNNABLE] = "runnable",
	[LLMSCHED_TASK_ASSIGNED] = "assigned",
	[LLMSCHED_TASK_RUNNING] = "running",
	[LLMSCHED_TASK_SUCCEEDED] = "succeeded",
	[LLMSCHED_TASK_FAILED] = "failed",
	[LLMSCHED_TASK_CANCELLED] = "cancelled",
	[LLMSCHED_TASK_STOPPING] = "stopping",
	[LLMSCHED_TASK_FROZEN] = "frozen",
};

/* The engine's fail reasons' names, and three the engine has not. */
static const char *const llms_reason_names[] = {
	[LLMSCHED_REASON_NONE] = "none",
	[LLMSCHED_REASON_EXIT] = "exit",
	[LLMSCHED_REASON_SIGNAL] = "signal",
	[LLMSCHED_REASON_OOM] = "oom",
	[LLMSCHED_REASON_TIMEOUT] = "timeout",
	[LLMSCHED_REASON_LAUNCH] = "launch",
	[LLMSCHED_REASON_AGENT_LOST] = "agent-lost",
	[LLMSCHED_REASON_DEP_FAILED] = "dep-failed",
	[LLMSCHED_REASON_CANCELLED] = "cancelled",
};

static const char *const llms_wait_names[] = {
	[LLMSCHED_WAIT_NONE] = "none",
	[LLMSCHED_WAIT_DEPS] = "deps",
	[LLMSCHED_WAIT_TURN] = "turn",
	[LLMSCHED_WAIT_USER_LIMIT] = "user-limit",
	[LLMSCHED_WAIT_NO_AGENT] = "no-agent",
	[LLMSCHED_WAIT_REKEY] = "rekey",
};

#define LLMS_NAME(table, v)						\
	((v) < sizeof(table) / sizeof((table)[0]) && (table)[v] ?	\
	 (table)[v] : "?")

const char *llms_task_state_name(uint32_t state)
{
	return LLMS_NAME(llms_state_names, state);
}

const char *llms_task_reason_name(uint32_t reason)
{
	return LLMS_NAME(llms_reason_names, reason);
}

const char *llms_wait_name(uint32_t wait)
{
	return LLMS_NAME(llms_wait_names, wait);
}
