/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the selftests that run llmschedd as an operator would: a
 * configuration file, `llmschedd -c FILE` returning once its agents are
 * up, SIGTERM to stop it, its log printed for a failing test.  Used by
 * llmschedd_test.c, loadprobe_test.c, llmsub_test.c, llmctl_test.c and
 * llmctl_live_test.c; it runs llmschedd with tool_util.h.
 *
 * Every function that can fail returns 0 (or a count) or a negative errno.
 */
#ifndef LLMSCHED_SELFTEST_DAEMON_UTIL_H
#define LLMSCHED_SELFTEST_DAEMON_UTIL_H

#include <stddef.h>
#include <sys/types.h>

#include <linux/types.h>

/*
 * Run build/bin/llmschedd (beside this test) with up to four arguments
 * (NULL-terminated), standard input /dev/null, its standard output and
 * error both in @out_path (NULL: ours); its exit status, TU_KILLED when
 * it did not exit.
 */
int du_run_llmschedd(const char *out_path, const char *a0, const char *a1,
		     const char *a2, const char *a3);

/*
 * The module loaded and reset for a daemon to run on (ls_reset() to 2
 * CPUs and 2G), /dev/llmsched open in *@fd (-1 when it could not be).
 */
int du_module_ready(int *fd);

/*
 * A fresh folder /tmp/@name-XXXXXX for one test, mode 0755 (the users
 * tasks run as reach their logs below it), in @dir (@dir_size bytes),
 * and DIR/llmschedd.conf, the path for its configuration, in @conf.
 */
int du_dir_make(char *dir, size_t dir_size, const char *name, char *conf,
		size_t conf_size);

/* Remove @dir and everything below it; 0, or -EIO when rm failed. */
int du_dir_remove(const char *dir);

/* The daemon's pid from DIR/state/llmschedd.lock; -1 when none. */
pid_t du_daemon_pid(const char *dir);

/* Wait until @pid is gone (it need not be our child: no reaping). */
int du_wait_gone(pid_t pid, int timeout_ms);

/*
 * Write the configuration @conf: a [daemon] section with @cgroup_root,
 * DIR/state, DIR/log, short heartbeat and drain times, then the lines of
 * @daemon_keys ("" for none), then @agents (its [agent ...] sections);
 * start the daemon with DIR/daemon.log as its output, and put its pid in
 * *@pid.  0 once it said every agent is up.
 */
int du_daemon_start(const char *dir, const char *conf, const char *cgroup_root,
		    const char *daemon_keys, const char *agents, pid_t *pid);

/*
 * SIGTERM to *@pid and wait for it to go (30 s); *@pid becomes 0.  0 at
 * once when *@pid is not above 0 (no daemon was started).
 */
int du_daemon_stop(pid_t *pid);

/* Print DIR/daemon.log, for a failing test. */
void du_daemon_log(const char *dir);

/*
 * Submit @argv (NULL-terminated) as a task with priority @prio, submit
 * @flags, required @tags, @cpu millicores, @mem bytes, a time limit of
 * @limit_ns (0: none) and 8 retries; its id in *@id.
 */
int du_submit(int fd, const char *const *argv, __u32 prio, __u32 flags,
	      __u64 tags, __u64 cpu, __u64 mem, __u64 limit_ns, __u64 *id);

/*
 * Submit @argv (NULL-terminated) with the fields of @t as the caller set
 * them (ls_task_init() and more): the payload, with du_submit()'s
 * environment and folder, is added here; the id in @t->task_id.
 */
struct llmsched_task_submit;
int du_submit_task(int fd, const char *const *argv,
		   struct llmsched_task_submit *t);

/*
 * The module's id of the agent whose folder is @root/@name (the daemon's
 * cgroup_root, NAME-I); 0 when it is not registered.
 */
__u32 du_agent_id(int fd, const char *root, const char *name);

/*
 * @n busy loops in the cgroup folder @leaf (made when missing), each in
 * it before this returns; their pids in @pids.  du_busy_stop() kills
 * them and removes @leaf.
 */
int du_busy_start(const char *leaf, int n, pid_t *pids);
void du_busy_stop(const char *leaf, int n, pid_t *pids);

#endif /* LLMSCHED_SELFTEST_DAEMON_UTIL_H */
