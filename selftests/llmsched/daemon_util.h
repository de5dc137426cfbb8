/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the selftests that run llmschedd as an operator would: a
 * configuration file, `llmschedd -c FILE` returning once its agents are
 * up, SIGTERM to stop it, its log printed for a failing test.  Used by
 * llmschedd_test.c and loadprobe_test.c.
 *
 * Every function that can fail returns 0 (or a count) or a negative errno.
 */
#ifndef LLMSCHED_SELFTEST_DAEMON_UTIL_H
#define LLMSCHED_SELFTEST_DAEMON_UTIL_H

#include <sys/types.h>

#include <linux/types.h>

/* Write @text to @path (created or truncated). */
int du_write_text(const char *path, const char *text);

/*
 * The program @name beside this test (build/bin/NAME), in a static buffer
 * that the next call overwrites.
 */
const char *du_program(const char *name);

/* The program beside this test: build/bin/llmschedd. */
const char *du_llmschedd_path(void);

/*
 * Run llmschedd with up to four arguments (NULL-terminated), its output
 * in @out_path (when not NULL); its exit status, 256 when killed.
 */
int du_run_llmschedd(const char *out_path, const char *a0, const char *a1,
		     const char *a2, const char *a3);

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

/* SIGTERM to *@pid and wait for it to go (30 s); *@pid becomes 0. */
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

#endif /* LLMSCHED_SELFTEST_DAEMON_UTIL_H */
