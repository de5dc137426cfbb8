/* SPDX-License-Identifier: GPL-2.0 */
/*
 * llmschedd started, stopped and read the way an operator would, for the
 * VM tests that need the daemon (llmschedd_test.c, gpu_test.c): a
 * configuration file in a test folder, `llmschedd -c FILE` returning once
 * its agents are up, SIGTERM to stop.
 */
#ifndef LLMSCHED_SELFTESTS_DAEMON_UTIL_H
#define LLMSCHED_SELFTESTS_DAEMON_UTIL_H

#include <sys/types.h>

/* The cgroup root every daemon test configures. */
#define TEST_CGROUP_ROOT	"/sys/fs/cgroup/llmsched-test"

/* Write @text to @path: 0 or -errno. */
int dutil_write_text(const char *path, const char *text);

/* The program beside this test: build/bin/@name (llmschedd, llmsub). */
const char *dutil_program(const char *name);

/*
 * Run llmschedd with up to four arguments (NULL after the last), its
 * output to @out_path (NULL: ours); its exit status, 256 for a signal.
 */
int dutil_run_llmschedd(const char *out_path, const char *a0, const char *a1,
			const char *a2, const char *a3);

/* The daemon's pid from DIR/state/llmschedd.lock; -1 when none. */
pid_t dutil_daemon_pid(const char *dir);

/* Wait until @pid (not our child) is gone: 0, -ETIMEDOUT. */
int dutil_wait_gone(pid_t pid, int timeout_ms);

/*
 * Write @conf ([daemon] with the test's folders under @dir, then
 * @daemon_extra lines, then @sections) and start the daemon; its pid in
 * *@pid once it said every agent is up.  Its log: DIR/daemon.log.
 */
int dutil_daemon_start(const char *dir, const char *conf,
		       const char *daemon_extra, const char *sections,
		       pid_t *pid);

/* SIGTERM *@pid and wait (30 s) for it to go; *@pid is 0 after. */
int dutil_daemon_stop(pid_t *pid);

/* Print DIR/daemon.log, for a failing test. */
void dutil_daemon_log(const char *dir);

#endif /* LLMSCHED_SELFTESTS_DAEMON_UTIL_H */
