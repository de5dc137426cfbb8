/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libllmsched: starting a task's process, straight into its cgroup, as
 * its user.
 *
 * llms_spawn() forks with clone3(): CLONE_INTO_CGROUP puts the child in
 * its cgroup before it runs a single instruction (no window in which it
 * runs, forks or allocates in the caller's cgroup), and CLONE_PIDFD gives
 * a pidfd, which names the child without the races of a pid that may be
 * reused.  The child drops its privileges, enters its working directory,
 * sets up its standard files and calls execve(); if any step fails it
 * writes the step and its errno on a pipe that the exec would have closed
 * (crun's pattern), so the caller learns exactly what failed, as an error
 * whose code is the enum llms_spawn_step.
 *
 * Thread safety: llms_spawn() may be called from any thread of a
 * multi-threaded program: the child runs nothing but system calls between
 * the clone and the exec (no malloc(), no stdio, no lock glibc may hold),
 * and files opened meanwhile by other threads do not leak into it (it
 * marks every descriptor above 2 close-on-exec).  A struct llms_child
 * belongs to one thread at a time.
 */
#ifndef LLMSCHED_LIB_SPAWN_H
#define LLMSCHED_LIB_SPAWN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/*
 * The step of llms_spawn() that failed: the code of its error.  The first
 * ones run in the caller, the others in the child, in this order.
 */
enum llms_spawn_step {
	LLMS_SPAWN_STEP_NONE = 0,
	/* EINVAL: the attributes themselves (no argv, an empty argv[0]). */
	LLMS_SPAWN_STEP_ATTR,
	/* Looking the user up: ENOENT when the uid has no passwd entry. */
	LLMS_SPAWN_STEP_USER,
	/* Creating the stdout / stderr files. */
	LLMS_SPAWN_STEP_OUTPUT,
	/* The pipe on which the child reports. */
	LLMS_SPAWN_STEP_PIPE,
	/*
	 * clone3(): ENOSYS before Linux 5.3, E2BIG or EINVAL before 5.7 (no
	 * CLONE_INTO_CGROUP), EBUSY when the cgroup gives domain controllers to
	 * children, EAGAIN past pids.max, ...
	 */
	LLMS_SPAWN_STEP_CLONE,
	/* In the child: setsid(). */
	LLMS_SPAWN_STEP_SETSID,
	/* setgroups(), setresgid(), setresuid(): that order, or a process
	 * that has given up root could no longer change its groups. */
	LLMS_SPAWN_STEP_SETGROUPS,
	LLMS_SPAWN_STEP_SETGID,
	LLMS_SPAWN_STEP_SETUID,
	/* chdir() to the working directory, as the user. */
	LLMS_SPAWN_STEP_CHDIR,
	/* Standard input from /dev/null, standard output and error. */
	LLMS_SPAWN_STEP_STDIN,
	LLMS_SPAWN_STEP_STDOUT,
	LLMS_SPAWN_STEP_STDERR,
	/* Signal mask and dispositions back to their defaults. */
	LLMS_SPAWN_STEP_SIGNALS,
	/* Marking the caller's other descriptors close-on-exec. */
	LLMS_SPAWN_STEP_FDS,
	/* execve(), after the PATH search: ENOENT, EACCES, ENOEXEC, ... */
	LLMS_SPAWN_STEP_EXEC,
};

/* The step's name in lower case ("chdir"), "unknown step" past the last. */
const char *llms_spawn_step_name(enum llms_spawn_step step);

/*
 * A user's credentials as the passwd and group databases give them.
 * @groups: the supplementary groups (getgrouplist(), the primary group
 * among them), @ngroups of them.
 */
struct llms_user {
	uid_t uid;
	gid_t gid;
	char *name;
	char *home;
	size_t ngroups;
	gid_t *groups;
};

/*
 * Look up @uid (getpwuid_r(), getgrouplist()) into @user, to be freed with
 * llms_user_free().  ENOENT when the uid has no passwd entry (a task is
 * never run under a uid nobody can name), with the code
 * LLMS_SPAWN_STEP_USER, as other errors.
 */
int llms_user_lookup(uid_t uid, struct llms_user *user,
		     struct llms_error **err);
void llms_user_free(struct llms_user *user);

/*
 * What to run, and how.
 * @argv: the program and its arguments, NULL-terminated; argv[0] without
 *	a '/' is looked up in the PATH of @envp (or, without one, in
 *	LLMS_SPAWN_DEFAULT_PATH), as execvp() would, except that a file
 *	that is not an executable format is not handed to /bin/sh: it fails
 *	with ENOEXEC (a script needs its "#!" line).
 * @envp: the environment, exactly (nothing of the caller's is added);
 *	NULL for an empty one.
 * @cwd: the working directory, entered as the user (NULL: "/").
 * @cgroup_fd: the cgroup folder to start in (struct llms_cgroup's fd), a
 *	leaf; -1 for the caller's own cgroup.
 * @as_user, @uid: run as @uid, with its primary group and its
 *	supplementary groups (llms_user_lookup()); the caller needs
 *	CAP_SETUID and CAP_SETGID.  When false the child keeps the caller's
 *	credentials.
 * @stdout_path, @stderr_path: files created (or truncated) for standard
 *	output and error, mode 0600, owned by the user (@uid and its group
 *	when @as_user); the same path for both is one file for both.  NULL:
 *	/dev/null.
 * @new_session: setsid() in the child, so that it does not share the
 *	caller's session and process group (signals sent to those, a
 *	terminal's hangup, do not reach it).
 * @stderr_header: text written at the start of @stderr_path before the
 *	child runs (a runtime says there what it gave the task); NULL: none.
 * @inherit_output: standard output and error stay the caller's (a daemon's
 *	own helpers log where it logs); @stdout_path and @stderr_path must
 *	then be NULL (EINVAL).  Standard input is /dev/null either way.
 */
struct llms_spawn_attr {
	char *const *argv;
	char *const *envp;
	const char *cwd;
	int cgroup_fd;
	bool as_user;
	uid_t uid;
	const char *stdout_path;
	const char *stderr_path;
	const char *stderr_header;
	bool new_session;
	bool inherit_output;
};

/* The PATH searched when @envp has none: Debian's default for users. */
#define LLMS_SPAWN_DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

/*
 * A started child.  @pidfd refers to it until llms_child_wait() reaps it
 * or llms_child_release() lets it go; -1 after that.
 */
struct llms_child {
	pid_t pid;
	int pidfd;
};

/*
 * Start @attr->argv as described above; on success the child is running
 * the new program (its exec succeeded) and *@child says which it is.  Its
 * exit signal is SIGCHLD; the caller reaps it (llms_child_wait()), so
 * SIGCHLD must not be ignored.  On failure no child is left (one that
 * failed was reaped) and the error's code is the enum llms_spawn_step
 * that failed, its errno that step's.
 */
int llms_spawn(const struct llms_spawn_attr *attr, struct llms_child *child,
	       struct llms_error **err);

/*
 * Wait for @child to end, at most @timeout_ms (-1: as long as it takes,
 * 0: only look), watching its pidfd with poll().  On success *@status is
 * its status as waitpid() gives it (WIFEXITED(), WTERMSIG(), ...), the
 * child is reaped and its pidfd closed.  ETIMEDOUT while it runs; EINTR
 * when a signal came first.
 */
int llms_child_wait(struct llms_child *child, int timeout_ms, int *status,
		    struct llms_error **err);

/*
 * Send @sig to @child through its pidfd: never to another process that
 * took its pid.  A child that has ended but is not reaped yet takes the
 * signal and ignores it; one that is gone gives ESRCH.
 */
int llms_child_signal(const struct llms_child *child, int sig,
		      struct llms_error **err);

/* Close the pidfd without waiting; the child is left to whoever reaps it. */
void llms_child_release(struct llms_child *child);

#endif /* LLMSCHED_LIB_SPAWN_H */
