/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libllmsched: cgroup v2 folders, their controllers, limits, freezing,
 * killing and accounting.
 *
 * A folder is held open (struct llms_cgroup): every file in it is reached
 * with openat() and friends from that descriptor, so that a folder renamed
 * or replaced under a path is never mistaken for another, and the same
 * descriptor is what clone3()'s CLONE_INTO_CGROUP and the module's agent
 * registration take.
 *
 * The layout the runtime builds (runtime/lib/README): under a delegated
 * root such as /sys/fs/cgroup/llmsched, one folder per agent, agentN/,
 * that holds the agent's reservation (cpu.max, memory.max, ...), and in
 * it only leaves: agentN/agent for the agent process, agentN/task-ID for
 * each task.  cgroup v2's no-internal-process rule is why: a cgroup that
 * hands domain controllers (memory, io) to its children through
 * cgroup.subtree_control may not hold processes itself, the root excepted,
 * so processes live in leaves only.  (The threaded controllers, cpu,
 * cpuset and pids, alone would not forbid it; an agent's memory limit
 * does.)
 *
 * Every function returns 0 (or a count) on success, a negative errno on
 * failure with *@err set (see error.h).  A missing control file is
 * reported as the controller that is not enabled for the folder.
 *
 * Thread safety: none of these keeps shared state.  Different threads may
 * use different (or the same) struct llms_cgroup at once, except that
 * llms_cgroup_close() must not race with other uses of the same one.  The
 * kernel serializes the writes; two threads setting the same limit leave
 * one of the two values.
 */
#ifndef LLMSCHED_LIB_CGROUP_H
#define LLMSCHED_LIB_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/* "max" in a limit file: no limit. */
#define LLMS_CGROUP_MAX UINT64_MAX

/* The default cpu.max period, the kernel's own: 100 ms. */
#define LLMS_CPU_PERIOD_US 100000
/* The kernel's bounds on cpu.max: period 1 ms to 1 s, quota 1 ms or more. */
#define LLMS_CPU_PERIOD_MIN_US 1000
#define LLMS_CPU_PERIOD_MAX_US 1000000
#define LLMS_CPU_QUOTA_MIN_US 1000
/* cpu.weight's range (the default is 100). */
#define LLMS_CPU_WEIGHT_MIN 1
#define LLMS_CPU_WEIGHT_MAX 10000
/* pids.max's largest number: the kernel's PID_MAX_LIMIT on 64-bit. */
#define LLMS_PIDS_MAX_LIMIT 4194304

/*
 * An open cgroup v2 folder.
 * @fd: the folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC; -1 when closed.
 * @path: its absolute path, for messages and for the caller's own use.
 */
struct llms_cgroup {
	int fd;
	char *path;
};

#define LLMS_CGROUP_INIT               \
	{                              \
		.fd = -1, .path = NULL \
	}

/* ---------------------------------------------------------- folders */

/*
 * Where the cgroup2 file system is mounted, in *@path (malloc()ed):
 * /sys/fs/cgroup when it is mounted there, else the first cgroup2 mount
 * of /proc/self/mounts.  ENOENT when there is none.
 */
int llms_cgroup_mount(char **path, struct llms_error **err);

/*
 * Open the existing folder @path into @cg.  ENOENT, EACCES, ..., and
 * EINVAL when @path is not in a cgroup2 file system.
 */
int llms_cgroup_open(struct llms_cgroup *cg, const char *path,
		     struct llms_error **err);

/*
 * Create the folder @relpath below @parent, with every missing folder on
 * the way (as mkdir -p: existing ones are fine), and open it into @cg.
 * @relpath is relative ("agent1/task-7"): no empty, "." or ".."
 * component, no leading '/'; else EINVAL.  Controllers are not enabled:
 * see llms_cgroup_enable_controllers().
 */
int llms_cgroup_create(struct llms_cgroup *cg, const struct llms_cgroup *parent,
		       const char *relpath, struct llms_error **err);

/* Close @cg (the folder stays).  Safe on a closed or LLMS_CGROUP_INIT one. */
void llms_cgroup_close(struct llms_cgroup *cg);

/*
 * Remove the folder @relpath below @parent and every folder below it,
 * deepest first.  A folder whose processes were just killed stays busy
 * for a moment after its last process has gone: each rmdir is retried
 * while it fails with EBUSY, until @timeout_ms have passed since the call;
 * then EBUSY.  ENOENT when @relpath does not exist.
 */
int llms_cgroup_remove(const struct llms_cgroup *parent, const char *relpath,
		       unsigned int timeout_ms, struct llms_error **err);

/*
 * Enable @controllers (a NULL-terminated list of names: "cpu", "memory",
 * ...) for the folder @relpath below @root, top-down: in the
 * cgroup.subtree_control of @root and of each folder below it on the way,
 * not in @relpath's own, which stays a leaf that may hold processes.  For
 * @relpath "agent1/agent": in @root's and agent1's.  A controller already
 * enabled is left as it is.  @relpath "" or NULL enables them in @root's
 * alone.
 *
 * Errors: EINVAL for a bad @relpath; ENOENT when a folder on the way does
 * not exist, or a controller is not available to it (not in its
 * cgroup.controllers: its own parent has not enabled it, or the kernel has
 * no such controller); EBUSY when a folder on the way (not the mount's
 * root) holds processes, which the no-internal-process rule forbids in a
 * folder that enables domain controllers (memory, io) for its children.
 */
int llms_cgroup_enable_controllers(const struct llms_cgroup *root,
				   const char *relpath,
				   const char *const *controllers,
				   struct llms_error **err);

/* The cgroup id of @cg (its inode number, bpf_get_current_cgroup_id()). */
int llms_cgroup_id(const struct llms_cgroup *cg, uint64_t *id,
		   struct llms_error **err);

/* ------------------------------------------------------- processes */

/*
 * Move the process @pid (all its threads) into @cg.  ESRCH when there is
 * no such process; EBUSY when @cg enables domain controllers for children.
 */
int llms_cgroup_attach(const struct llms_cgroup *cg, pid_t pid,
		       struct llms_error **err);

/*
 * The processes in @cg itself (cgroup.procs, not its descendants) in
 * *@pids (malloc()ed; NULL when none) and their number in *@count.
 */
int llms_cgroup_procs(const struct llms_cgroup *cg, pid_t **pids, size_t *count,
		      struct llms_error **err);

/*
 * The cgroup v2 folder of process @pid (0 for the caller) as
 * /proc/PID/cgroup says it, relative to the mount: "/llmsched/agent1/agent",
 * in *@path (malloc()ed).  ESRCH when there is no such process.
 */
int llms_cgroup_of_pid(pid_t pid, char **path, struct llms_error **err);

/*
 * Whether processes live in @cg or below it (cgroup.events "populated").
 */
int llms_cgroup_populated(const struct llms_cgroup *cg, bool *populated,
			  struct llms_error **err);

/*
 * Freeze every process in @cg and below (cgroup.freeze), then wait until
 * the kernel says they all are (cgroup.events "frozen 1"), watching the
 * file with poll() for at most @timeout_ms: ETIMEDOUT past it, the folder
 * left freezing.  A folder with no processes freezes at once.
 */
int llms_cgroup_freeze(const struct llms_cgroup *cg, unsigned int timeout_ms,
		       struct llms_error **err);

/*
 * Thaw @cg and wait until cgroup.events says "frozen 0", for at most
 * @timeout_ms: ETIMEDOUT past it (a frozen ancestor keeps it frozen).
 */
int llms_cgroup_thaw(const struct llms_cgroup *cg, unsigned int timeout_ms,
		     struct llms_error **err);

/*
 * SIGKILL every process in @cg and below, and wait until none is left
 * (cgroup.events "populated 0") for at most @timeout_ms: ETIMEDOUT past
 * it.  With cgroup.kill (Linux 5.14) the kernel kills them all at once,
 * forks in flight included; without it, llms_cgroup_kill_each() does.
 * The killed processes still have to be reaped by their parents; they no
 * longer count as living in the cgroup.
 */
int llms_cgroup_kill(const struct llms_cgroup *cg, unsigned int timeout_ms,
		     struct llms_error **err);

/*
 * What llms_cgroup_kill() does on a kernel without cgroup.kill: freeze @cg
 * (so that nothing forks meanwhile), SIGKILL every pid in the
 * cgroup.procs of @cg and of each folder below it, again until those
 * files are empty, thaw, and wait as llms_cgroup_kill() does.
 */
int llms_cgroup_kill_each(const struct llms_cgroup *cg, unsigned int timeout_ms,
			  struct llms_error **err);

/* Wait until no process lives in @cg or below, at most @timeout_ms. */
int llms_cgroup_wait_empty(const struct llms_cgroup *cg,
			   unsigned int timeout_ms, struct llms_error **err);

/* ---------------------------------------------------------- limits */

/*
 * cpu.max: at most @millicores thousandths of a CPU (1000 = one CPU) in
 * every period of @period_us microseconds (0 for LLMS_CPU_PERIOD_US):
 * a quota of millicores * period / 1000 us.  @millicores LLMS_CGROUP_MAX
 * sets no limit.  EINVAL, before anything is written, for a period
 * outside [LLMS_CPU_PERIOD_MIN_US, LLMS_CPU_PERIOD_MAX_US], a quota below
 * LLMS_CPU_QUOTA_MIN_US or 0 millicores; the kernel's EINVAL for a quota
 * it finds too large.
 */
int llms_cgroup_set_cpu_max(const struct llms_cgroup *cg, uint64_t millicores,
			    uint64_t period_us, struct llms_error **err);

/* cpu.max read back: its quota (LLMS_CGROUP_MAX for none) and period. */
int llms_cgroup_get_cpu_max(const struct llms_cgroup *cg, uint64_t *quota_us,
			    uint64_t *period_us, struct llms_error **err);

/* cpu.weight, LLMS_CPU_WEIGHT_MIN to LLMS_CPU_WEIGHT_MAX; else EINVAL. */
int llms_cgroup_set_cpu_weight(const struct llms_cgroup *cg, uint64_t weight,
			       struct llms_error **err);
int llms_cgroup_get_cpu_weight(const struct llms_cgroup *cg, uint64_t *weight,
			       struct llms_error **err);

/*
 * cpuset.cpus, a list such as "0-3,8" ("" to use the parent's).  EINVAL
 * for other characters; the kernel's EINVAL for a malformed list or CPUs
 * the parent does not have, ERANGE for CPUs past the last one there is.
 */
int llms_cgroup_set_cpuset_cpus(const struct llms_cgroup *cg, const char *cpus,
				struct llms_error **err);
/* cpuset.cpus as written (no newline), in *@cpus (malloc()ed). */
int llms_cgroup_get_cpuset_cpus(const struct llms_cgroup *cg, char **cpus,
				struct llms_error **err);

/* The limits that are one number of bytes (or pids), or "max". */
enum llms_cgroup_limit {
	LLMS_MEMORY_MAX, /* memory.max: past it, reclaim, then OOM kill */
	LLMS_MEMORY_HIGH, /* memory.high: past it, throttling and reclaim */
	LLMS_MEMORY_SWAP_MAX, /* memory.swap.max: swap it may use */
	LLMS_PIDS_MAX, /* pids.max: processes and threads at once */
};

/*
 * Set @limit to @value (bytes, or pids for LLMS_PIDS_MAX), LLMS_CGROUP_MAX
 * for no limit.  The kernel rounds memory down to whole pages (read it
 * back with llms_cgroup_get_limit()).  EINVAL for an unknown @limit, and
 * for pids above LLMS_PIDS_MAX_LIMIT.
 */
int llms_cgroup_set_limit(const struct llms_cgroup *cg,
			  enum llms_cgroup_limit limit, uint64_t value,
			  struct llms_error **err);
int llms_cgroup_get_limit(const struct llms_cgroup *cg,
			  enum llms_cgroup_limit limit, uint64_t *value,
			  struct llms_error **err);

/* ------------------------------------------------------ accounting */

/*
 * cpu.stat, in microseconds and counts.  The throttling figures
 * (nr_periods, nr_throttled, throttled_usec) exist only where the cpu
 * controller is enabled: @bandwidth says whether they were there; they
 * are 0 when not.
 */
struct llms_cpu_stat {
	uint64_t usage_usec;
	uint64_t user_usec;
	uint64_t system_usec;
	bool bandwidth;
	uint64_t nr_periods;
	uint64_t nr_throttled;
	uint64_t throttled_usec;
};

int llms_cgroup_cpu_stat(const struct llms_cgroup *cg,
			 struct llms_cpu_stat *stat, struct llms_error **err);

/*
 * cpu.pressure (PSI): @some_total_usec, the time at least one task of @cg
 * was runnable and waiting for a CPU (or throttled by cpu.max), and
 * @full_total_usec, the time all of them were; both only grow.  The avg10
 * figures are the share of the last 10 s, in hundredths of a percent
 * (1234 = 12.34%).  EOPNOTSUPP on a kernel without PSI (CONFIG_PSI off,
 * or psi=0 on its command line); EPROTO for text that does not parse.
 */
struct llms_pressure {
	uint64_t some_total_usec;
	uint64_t full_total_usec;
	uint32_t some_avg10;
	uint32_t full_avg10;
};

int llms_cgroup_cpu_pressure(const struct llms_cgroup *cg,
			     struct llms_pressure *p, struct llms_error **err);

/*
 * A file a loop reads again and again (the load measurement, every few
 * milliseconds): llms_cgroup_open_file() opens @file of @cg once (the
 * caller closes *@fd), and each read of the _fd variants is then one
 * pread(2) from its start, which cgroupfs answers with the file as of now:
 * no open(2) and close(2) per read.  @cg names the file in messages.
 */
int llms_cgroup_open_file(const struct llms_cgroup *cg, const char *file,
			  int *fd, struct llms_error **err);
int llms_cgroup_cpu_stat_fd(const struct llms_cgroup *cg, int fd,
			    struct llms_cpu_stat *stat,
			    struct llms_error **err);
int llms_cgroup_cpu_pressure_fd(const struct llms_cgroup *cg, int fd,
				struct llms_pressure *p,
				struct llms_error **err);

/*
 * memory.events: how many times @cg or a folder below it was pushed past
 * memory.low (@low), throttled past memory.high (@high), hit memory.max
 * (@max), ran out of memory (@oom) and had a process OOM-killed
 * (@oom_kill).
 */
struct llms_memory_events {
	uint64_t low;
	uint64_t high;
	uint64_t max;
	uint64_t oom;
	uint64_t oom_kill;
};

int llms_cgroup_memory_events(const struct llms_cgroup *cg,
			      struct llms_memory_events *events,
			      struct llms_error **err);

/* memory.current: bytes in use now. */
int llms_cgroup_memory_current(const struct llms_cgroup *cg, uint64_t *bytes,
			       struct llms_error **err);

/*
 * memory.peak: the most bytes ever in use.  EOPNOTSUPP on a kernel
 * without it (before Linux 5.19), where only sampling memory.current is
 * left; the memory controller being off is ENOENT, as for the others.
 */
int llms_cgroup_memory_peak(const struct llms_cgroup *cg, uint64_t *bytes,
			    struct llms_error **err);

#endif /* LLMSCHED_LIB_CGROUP_H */
