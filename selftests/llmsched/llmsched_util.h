/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the llmsched uAPI selftests: ioctl wrappers, sysfs readers,
 * cgroup v2 helpers, in-test agent processes and privilege dropping.
 *
 * Every function that can fail returns 0 (or a count) on success and a
 * negative errno on failure, never -1 with errno: tests compare the result
 * with the exact errno the spec names (EXPECT_EQ(-EINVAL, ...)).
 *
 * The ls_* ioctl calls are short forms of libllmsched's llms_* wrappers
 * (runtime/lib/ioctl.h) with the error left out: like them they set each
 * structure's size (and entry_size), so a test that means to hand the
 * kernel a bad size or a raw structure calls ls_ioctl() (or
 * ls_submit_batch_raw()) instead.  The cgroup helpers and ls_sysfs_u64()
 * likewise go through runtime/lib/cgroup.h and sysfs.h; a program that
 * links this file lists $(LIBLLMSCHED_SRCS) too.
 */
#ifndef LLMSCHED_SELFTEST_UTIL_H
#define LLMSCHED_SELFTEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/llmsched.h>

#define LS_DEV_PATH		"/dev/" LLMSCHED_DEVICE_NAME
#define LS_SYSFS		"/sys/kernel/" LLMSCHED_DEVICE_NAME
#define LS_DEBUGFS		"/sys/kernel/debug/" LLMSCHED_DEVICE_NAME
#define LS_CGROUP_ROOT		"/sys/fs/cgroup"

#define LS_NSEC_PER_MSEC	1000000ULL
#define LS_NSEC_PER_SEC		1000000000ULL
#define LS_MSEC(n)		((__u64)(n) * LS_NSEC_PER_MSEC)
#define LS_SEC(n)		((__u64)(n) * LS_NSEC_PER_SEC)
#define LS_CPUS(n)		((__u64)(n) * 1000)	/* millicores */
#define LS_GB(n)		((__u64)(n) << 30)

/* The unprivileged users the tests switch to. */
#define LS_NOBODY		65534
#define LS_NOBODY2		65533

/* Defaults of struct llmsched_limits, from the spec. */
#define LS_DEF_MAX_TASKS	1000000U
#define LS_DEF_MAX_PER_USER	50000U
/*
 * The heartbeat timeout tests run with: the module's default (10 s), or
 * $LLMSCHED_TEST_HEARTBEAT_MS on a slow kernel (the debug kernel), where an
 * idle test agent may stay silent for longer.
 */
unsigned int ls_heartbeat_ms(void);
#define LS_DEF_HEARTBEAT_MS	ls_heartbeat_ms()
#define LS_DEF_RETAIN_ENDED	1024
#define LS_DEF_MAX_USER_PRIO	100	/* LLMSCHED_PRIO_DEFAULT */
#define LS_DEF_MAX_BYTES	268435456	/* 256 MiB */
/* Defaults of struct llmsched_policy: the engine's (lsc_default_tunables()). */
#define LS_DEF_AGING_NS		60000000000ULL	/* 60 s */
#define LS_DEF_IMBALANCE	200	/* per mille */

#define LS_XSTR(x)		#x
#define LS_STR(x)		LS_XSTR(x)

#define LS_ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Zero a uAPI struct and set its size field. */
#define LS_INIT(s) do {					\
		memset(&(s), 0, sizeof(s));		\
		(s).size = sizeof(s);			\
	} while (0)

/* ------------------------------------------------------------- device */

/* Open /dev/llmsched read-write (O_CLOEXEC | @extra_flags); fd or -errno. */
int ls_open_flags(int extra_flags);
int ls_open(void);

/* ioctl() as given, nothing filled in; 0 (or the positive result) or -errno. */
int ls_ioctl(int fd, unsigned long cmd, void *arg);

/* Monotonic time in nanoseconds. */
__u64 ls_now_ns(void);

bool ls_state_is_terminal(__u32 state);
const char *ls_state_name(__u32 state);

/* -------------------------------------------------------------- tasks */

/* A valid task: @prio, @cpu millicores, @mem bytes, @est_ns. */
void ls_task_init(struct llmsched_task_submit *t, __u32 prio, __u64 cpu,
		  __u64 mem, __u64 est_ns);
int ls_submit(int fd, struct llmsched_task_submit *t);
/* Submit a plain task; its id in *@id. */
int ls_submit_simple(int fd, __u32 prio, __u64 cpu, __u64 mem, __u64 est_ns,
		     __u64 *id);
/*
 * Submit @count entries, each entry's size set; *@error_index as the
 * kernel left it (@count when no entry was at fault).
 */
int ls_submit_batch(int fd, struct llmsched_task_submit *t, __u32 count,
		    __u32 *error_index);
/*
 * The same with the entries as the caller built them, their size fields
 * included, and *@error_index ~0U unless the kernel wrote it: for tests of
 * the kernel's checks of each entry.
 */
int ls_submit_batch_raw(int fd, struct llmsched_task_submit *t, __u32 count,
			__u32 *error_index);
int ls_cancel(int fd, __u64 id);
int ls_query(int fd, __u64 id, struct llmsched_task_info *info);
int ls_wait(int fd, __u64 id, __u64 timeout_ns, struct llmsched_task_wait *w);
int ls_list(int fd, __u32 flags, __u64 start_id,
	    struct llmsched_task_info *ent, __u32 *count, __u64 *next_id);

/* Query until the task is in @state (or @timeout_ms passed); 0 or -errno. */
int ls_wait_state(int fd, __u64 id, __u32 state, unsigned int timeout_ms,
		  struct llmsched_task_info *info);

/* ------------------------------------------------------ administration */

int ls_set_capacity(int fd, __u64 cpu, __u64 mem);
int ls_get_capacity(int fd, struct llmsched_capacity *c);
int ls_set_limits(int fd, __u32 max_tasks, __u32 per_user, __u32 hb_ms);
int ls_set_policy(int fd, __u32 policy, __u32 choice, __u32 flags);
int ls_get_limits(int fd, struct llmsched_limits *l);
/* Every limit at once: @want, or the defaults when NULL. */
int ls_set_all_limits(int fd, const struct llmsched_limits *want);
/* Cancel every task of every user that has not ended; count or -errno. */
int ls_cancel_all(int fd);
/*
 * Put the module back in a known state for a test: cancel every task that
 * has not ended, default limits and policy, capacity @cpu / @mem.
 */
int ls_reset(int fd, __u64 cpu, __u64 mem);

/* ------------------------------------------------------------- agents */

int ls_agent_register(int fd, pid_t pid, int cgroup_fd, __u32 slots,
		      __u64 cpu, __u64 mem, __u64 tags, __u32 *agent_id);
/*
 * Fetch with @timeout_ns into @buf (@buflen bytes, may be NULL/0).  @f
 * receives the kernel's answer (may be NULL).  0 or -errno.
 */
int ls_agent_fetch(int fd, __u64 timeout_ns, struct llmsched_agent_fetch *f,
		   void *buf, __u32 buflen);
int ls_agent_start(int fd, __u64 task_id);
int ls_agent_complete(int fd, __u64 task_id, __u32 flags, __u32 reason,
		      __s32 exit_status, __u64 runtime_ns);
int ls_agent_heartbeat(int fd);
int ls_agent_unregister(int fd);
/* The next control record into *@c (may be NULL); 0 or -errno. */
int ls_agent_control(int fd, __u64 timeout_ns,
		     struct llmsched_agent_control *c);
int ls_agent_confirm(int fd, __u64 task_id, __u32 kind);
int ls_agent_list(int fd, __u32 start_id, struct llmsched_agent_info *ent,
		  __u32 *count, __u32 *next_id);
/* Wait until no agent is fencing (lost, its cgroup not yet empty). */
int ls_wait_no_fencing(int fd, unsigned int timeout_ms);
/* One agent's entry of the agent list: 0, -ENOENT or -errno. */
int ls_agent_info(int fd, __u32 agent_id, struct llmsched_agent_info *info);
int ls_agent_drain(int fd, __u32 agent_id, __u32 flags);
int ls_agent_resize(int fd, __u32 agent_id, __u32 slots, __u64 cpu,
		    __u64 mem);
/* Fetch, start and complete (successfully) one task; its id in *@id. */
int ls_agent_run_one(int fd, __u64 timeout_ns, __u64 *id);

/* -------------------------------------------------------------- sysfs */

/* Read the number in the file at @path; write @val to the file at @path. */
int ls_read_u64(const char *path, __u64 *val);
int ls_write_file(const char *path, const char *val);

/* Read /sys/kernel/llmsched/@rel as a number. */
int ls_sysfs_u64(const char *rel, __u64 *val);
int ls_sysfs_write(const char *rel, const char *val);
/* Read /sys/kernel/debug/llmsched/@rel as a number. */
int ls_debugfs_u64(const char *rel, __u64 *val);

/* The module's live objects (debugfs "objects"), for leak checks. */
struct ls_objects {
	long long tasks;
	long long agents;
	long long users;
	long long event_sinks;
	long long event_rings;
	long long files;
};

int ls_objects_read(struct ls_objects *o);


struct ls_stats {
	__u64 submitted;
	__u64 dispatched;
	__u64 succeeded;
	__u64 failed;
	__u64 cancelled;
	__u64 requeued;
	__u64 migrated;
};

int ls_stats_read(struct ls_stats *s);

/* queue/{queued,runnable,assigned,running} added up. */
int ls_tasks_held(__u64 *held);

/*
 * What a call that failed must leave as it was: the counters, the number of
 * tasks held, capacity, policy, limits and the state of the tasks a test
 * tracks.  "A clear error and nothing lost."
 */
#define LS_SNAP_TASKS	16

struct ls_snapshot {
	struct ls_stats stats;
	__u64 held;
	struct llmsched_capacity cap;
	struct llmsched_policy policy;
	__u64 max_tasks, max_per_user, heartbeat_ms;
	unsigned int nr;
	__u64 ids[LS_SNAP_TASKS];
	__u32 states[LS_SNAP_TASKS];
	__u32 agents[LS_SNAP_TASKS];
};

/* Take a snapshot through admin file @fd, tracking @nr tasks @ids. */
int ls_snapshot_take(int fd, struct ls_snapshot *s, const __u64 *ids,
		     unsigned int nr);
/*
 * Compare with a new snapshot taken now; 0 when nothing changed, else
 * -EUCLEAN with what changed in @why.
 */
int ls_snapshot_check(int fd, const struct ls_snapshot *s, char *why,
		      size_t len);

/* ------------------------------------------------------------ cgroups */

struct ls_cgroup {
	char path[128];
	int fd;		/* O_RDONLY | O_DIRECTORY, -1 when none */
};

/* mkdir a fresh cgroup under /sys/fs/cgroup and open it. */
int ls_cgroup_create(struct ls_cgroup *cg);
int ls_cgroup_add(const struct ls_cgroup *cg, pid_t pid);
/* Kill what is left in it, rmdir it, close its fd.  Safe on a zeroed one. */
int ls_cgroup_destroy(struct ls_cgroup *cg);

/* A process that does nothing, in @cg; its pid or -errno. */
pid_t ls_spawn_sleeper(const struct ls_cgroup *cg);
/* A process that spins on the CPU, in @cg; its pid or -errno. */
pid_t ls_spawn_spinner(const struct ls_cgroup *cg);
/* SIGKILL and reap @pid (if > 0). */
void ls_kill_reap(pid_t pid);

/*
 * An agent as the runtime makes one: a cgroup, a process inside it, and an
 * open file registered for that process.  The file is held by the test
 * process (@fd), so the test drives the agent's calls itself; killing @pid
 * makes the agent lost.
 */
struct ls_agent {
	struct ls_cgroup cg;
	pid_t pid;
	int fd;
	__u32 id;
};

int ls_agent_spawn(struct ls_agent *a, __u32 slots, __u64 cpu, __u64 mem,
		   __u64 tags);
/* Close the file, kill the process, remove the cgroup.  Safe to repeat. */
void ls_agent_destroy(struct ls_agent *a);

/*
 * An agent process that holds its own file: the child registers itself
 * (pid 0) from inside @a->cg and runs @fn(fd, arg, report) where report is
 * the write end of a pipe whose read end is @a->report_fd.  The child first
 * writes its agent id (a __u32) or a negative errno (an int) on the pipe.
 */
struct ls_agent_proc {
	struct ls_cgroup cg;
	pid_t pid;
	int report_fd;
	__u32 id;
};

typedef void (*ls_agent_fn)(int fd, void *arg, int report);

int ls_agent_proc_start(struct ls_agent_proc *a, __u32 slots, __u64 cpu,
			__u64 mem, ls_agent_fn fn, void *arg);
/* Read one __u64 the child reported, waiting up to @timeout_ms. */
int ls_agent_proc_read(struct ls_agent_proc *a, __u64 *val,
		       unsigned int timeout_ms);
void ls_agent_proc_stop(struct ls_agent_proc *a);

/* ---------------------------------------------------------- privilege */

/*
 * Run @fn(@arg) in a child process as @uid/@uid with no supplementary
 * groups and no capabilities; returns the child's exit status (fn's return
 * value, 0..255), or -errno if it could not be run, or 256 + signal.
 * Results go back through shared memory (ls_shared_alloc()).
 */
int ls_run_as(uid_t uid, int (*fn)(void *arg), void *arg);
void *ls_shared_alloc(size_t size);
void ls_shared_free(void *p, size_t size);

/* chmod the device node; the previous mode in *@old (may be NULL). */
int ls_dev_chmod(mode_t mode, mode_t *old);

#endif
