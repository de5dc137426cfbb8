// SPDX-License-Identifier: GPL-2.0
/*
 * libllmsched: clone3() into a cgroup, privileges dropped, execve().  See
 * spawn.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/sched.h> /* struct clone_args, CLONE_INTO_CGROUP */

#include "spawn.h"

/* waitid() on a pidfd (Linux 5.4); glibc 2.36 has no name for it. */
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* What a child that failed writes on its error pipe. */
struct child_report {
	int32_t step;
	int32_t errnum;
};

static const char *const step_names[] = {
	[LLMS_SPAWN_STEP_NONE] = "none",
	[LLMS_SPAWN_STEP_ATTR] = "attributes",
	[LLMS_SPAWN_STEP_USER] = "user lookup",
	[LLMS_SPAWN_STEP_OUTPUT] = "output files",
	[LLMS_SPAWN_STEP_PIPE] = "error pipe",
	[LLMS_SPAWN_STEP_CLONE] = "clone3",
	[LLMS_SPAWN_STEP_SETSID] = "setsid",
	[LLMS_SPAWN_STEP_SETGROUPS] = "setgroups",
	[LLMS_SPAWN_STEP_SETGID] = "setgid",
	[LLMS_SPAWN_STEP_SETUID] = "setuid",
	[LLMS_SPAWN_STEP_CHDIR] = "chdir",
	[LLMS_SPAWN_STEP_STDIN] = "stdin",
	[LLMS_SPAWN_STEP_STDOUT] = "stdout",
	[LLMS_SPAWN_STEP_STDERR] = "stderr",
	[LLMS_SPAWN_STEP_SIGNALS] = "signals",
	[LLMS_SPAWN_STEP_FDS] = "file descriptors",
	[LLMS_SPAWN_STEP_EXEC] = "exec",
};

const char *llms_spawn_step_name(enum llms_spawn_step step)
{
	if ((unsigned int)step >= sizeof(step_names) / sizeof(step_names[0]))
		return "unknown step";
	return step_names[step];
}

/* --------------------------------------------------------------- users */

void llms_user_free(struct llms_user *user)
{
	free(user->name);
	free(user->home);
	free(user->groups);
	user->name = user->home = NULL;
	user->groups = NULL;
	user->ngroups = 0;
}

static int user_error(struct llms_error **err, int errnum, uid_t uid,
		      const char *what)
{
	return llms_error_set_code(err, errnum, LLMS_SPAWN_STEP_USER,
				   "looking up uid %u: %s", (unsigned int)uid,
				   what);
}

int llms_user_lookup(uid_t uid, struct llms_user *user, struct llms_error **err)
{
	struct llms_user u = { .uid = uid };
	struct passwd pw, *found = NULL;
	long size = sysconf(_SC_GETPW_R_SIZE_MAX);
	char *buf = NULL, *grown;
	int ngroups, ret;
	gid_t *groups;

	if (size <= 0)
		size = 1024;
	/* getpwuid_r() says ERANGE until its buffer is big enough. */
	for (;;) {
		grown = realloc(buf, size);
		if (!grown) {
			free(buf);
			return user_error(err, ENOMEM, uid, "getpwuid_r");
		}
		buf = grown;
		ret = getpwuid_r(uid, &pw, buf, size, &found);
		if (ret != ERANGE || size > (1 << 20))
			break;
		size *= 2;
	}
	if (ret) {
		free(buf);
		return user_error(err, ret, uid, "getpwuid_r");
	}
	if (!found) {
		free(buf);
		return user_error(err, ENOENT, uid, "no passwd entry");
	}
	u.gid = pw.pw_gid;
	u.name = strdup(pw.pw_name);
	u.home = strdup(pw.pw_dir);
	/* getgrouplist() says how many there are when its array is short. */
	ngroups = 16;
	groups = NULL;
	for (;;) {
		gid_t *more = realloc(groups, ngroups * sizeof(*groups));
		int want = ngroups;

		if (!more)
			break;
		groups = more;
		if (getgrouplist(pw.pw_name, pw.pw_gid, groups, &want) >= 0) {
			ngroups = want;
			u.groups = groups;
			u.ngroups = ngroups;
			break;
		}
		if (want <= ngroups || want > NGROUPS_MAX) {
			/* Not a matter of room: the group database failed. */
			free(buf);
			free(groups);
			llms_user_free(&u);
			return user_error(err, EIO, uid, "getgrouplist");
		}
		ngroups = want;
	}
	free(buf);
	if (!u.name || !u.home || !u.groups) {
		if (!u.groups)
			free(groups);
		llms_user_free(&u);
		return user_error(err, ENOMEM, uid, "copying its entry");
	}
	*user = u;
	return 0;
}

/* ---------------------------------------------------------- the child */

/*
 * Everything the child needs, prepared by the parent: between clone3()
 * and execve() the child only makes system calls.  glibc's malloc, stdio
 * and NSS may hold locks that another thread of the parent had at the
 * clone (a raw clone3() runs no atfork handler to release them), and its
 * set*id() wrappers would signal the parent's other threads, which are
 * not in the child: so the child uses raw system calls for those, which
 * change the one thread it has.
 */
struct child_plan {
	const struct llms_spawn_attr *attr;
	char *const *envp;
	const char *cwd;
	const char *path; /* PATH to search, NULL when argv[0] has '/' */
	const struct llms_user *user;
	int out_fd, err_fd, report_fd;
};

static void child_fail(const struct child_plan *plan, enum llms_spawn_step step,
		       int errnum)
{
	struct child_report r = { .step = step, .errnum = errnum };
	ssize_t n;

	do
		n = write(plan->report_fd, &r, sizeof(r));
	while (n < 0 && errno == EINTR);
	_exit(127);
}

/* dup2() that also works when @fd already is @target (clears CLOEXEC). */
static int install_fd(int fd, int target)
{
	if (fd == target)
		return fcntl(fd, F_SETFD, 0);
	return dup2(fd, target) < 0 ? -1 : 0;
}

/*
 * execve() each PATH candidate in turn, as execvp() does: a candidate that
 * does not exist is passed over; EACCES is remembered (another may work)
 * and reported when none did; any other failure ends the search.
 */
static int exec_search(const char *path, char *const *argv, char *const *envp)
{
	const char *dir = path, *end;
	size_t name_len = strlen(argv[0]), dir_len;
	char candidate[PATH_MAX];
	bool denied = false;

	for (;;) {
		end = strchrnul(dir, ':');
		dir_len = end - dir;
		/* An empty entry is the working directory, as for a shell. */
		if (!dir_len) {
			candidate[0] = '.';
			dir_len = 1;
		} else if (dir_len + 1 + name_len < sizeof(candidate)) {
			memcpy(candidate, dir, dir_len);
		}
		if (dir_len + 1 + name_len < sizeof(candidate)) {
			candidate[dir_len] = '/';
			memcpy(candidate + dir_len + 1, argv[0], name_len + 1);
			execve(candidate, argv, envp);
			switch (errno) {
			case EACCES:
				denied = true;
				break;
			case ENOENT:
			case ENOTDIR:
			case ESTALE:
			case ENODEV:
			case ETIMEDOUT:
				break;
			default:
				return errno;
			}
		}
		if (!*end)
			break;
		dir = end + 1;
	}
	return denied ? EACCES : ENOENT;
}

static void child_main(const struct child_plan *plan)
{
	const struct llms_spawn_attr *attr = plan->attr;
	const struct llms_user *user = plan->user;
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;
	int null_fd, sig, errnum;

	if (attr->new_session && setsid() < 0)
		child_fail(plan, LLMS_SPAWN_STEP_SETSID, errno);
	/*
	 * Groups first, then the group id, then the user id: once the uid is
	 * not 0 the process may change neither groups nor gid any more.
	 */
	if (user) {
		if (syscall(SYS_setgroups, user->ngroups, user->groups))
			child_fail(plan, LLMS_SPAWN_STEP_SETGROUPS, errno);
		if (syscall(SYS_setresgid, user->gid, user->gid, user->gid))
			child_fail(plan, LLMS_SPAWN_STEP_SETGID, errno);
		/* A uid other than 0 for all three drops every capability. */
		if (syscall(SYS_setresuid, user->uid, user->uid, user->uid))
			child_fail(plan, LLMS_SPAWN_STEP_SETUID, errno);
	}
	/* As the user: a folder it may not enter fails here, not later. */
	if (chdir(plan->cwd))
		child_fail(plan, LLMS_SPAWN_STEP_CHDIR, errno);

	null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null_fd < 0)
		child_fail(plan, LLMS_SPAWN_STEP_STDIN, errno);
	/* Above 2, so that installing one standard file clobbers no other. */
	if (null_fd < 3) {
		null_fd = fcntl(null_fd, F_DUPFD_CLOEXEC, 3);
		if (null_fd < 0)
			child_fail(plan, LLMS_SPAWN_STEP_STDIN, errno);
	}
	if (install_fd(null_fd, STDIN_FILENO))
		child_fail(plan, LLMS_SPAWN_STEP_STDIN, errno);
	if (!plan->attr->inherit_output &&
	    install_fd(plan->out_fd >= 0 ? plan->out_fd : null_fd,
		       STDOUT_FILENO))
		child_fail(plan, LLMS_SPAWN_STEP_STDOUT, errno);
	if (!plan->attr->inherit_output &&
	    install_fd(plan->err_fd >= 0 ? plan->err_fd : null_fd,
		       STDERR_FILENO))
		child_fail(plan, LLMS_SPAWN_STEP_STDERR, errno);

	/*
	 * execve() keeps the signal mask and ignored signals: a daemon that
	 * blocks SIGTERM for its signalfd must not hand that to its tasks.
	 */
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL))
		child_fail(plan, LLMS_SPAWN_STEP_SIGNALS, errno);
	for (sig = 1; sig < NSIG; sig++)
		/* SIGKILL, SIGSTOP and glibc's own refuse with EINVAL. */
		if (sigaction(sig, &dfl, NULL) && errno != EINVAL)
			child_fail(plan, LLMS_SPAWN_STEP_SIGNALS, errno);

	/* Whatever the caller had open (or opened in another thread meanwhile).
	 */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC))
		child_fail(plan, LLMS_SPAWN_STEP_FDS, errno);

	if (!plan->path) {
		execve(attr->argv[0], attr->argv, plan->envp);
		errnum = errno;
	} else {
		errnum = exec_search(plan->path, attr->argv, plan->envp);
	}
	child_fail(plan, LLMS_SPAWN_STEP_EXEC, errnum);
}

/* ---------------------------------------------------------- the parent */

/* @fd moved above the standard files (0, 1, 2), close-on-exec. */
static int above_stdio(int fd)
{
	int moved;

	if (fd < 0 || fd > 2)
		return fd;
	moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return moved;
}

static int open_output(const char *path, const struct llms_user *user,
		       struct llms_error **err)
{
	int fd, errnum;

	/* O_NOFOLLOW: a link planted in the log folder is not followed. */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0)
		return llms_error_set_code(err, errno, LLMS_SPAWN_STEP_OUTPUT,
					   "creating %s", path);
	/* A file that was there keeps its mode and owner through open(). */
	if (fchmod(fd, 0600) || (user && fchown(fd, user->uid, user->gid))) {
		errnum = errno;
		close(fd);
		return llms_error_set_code(
			err, errnum, LLMS_SPAWN_STEP_OUTPUT,
			"creating %s: mode 0600, owner uid %u", path,
			user ? (unsigned int)user->uid : 0);
	}
	fd = above_stdio(fd);
	if (fd < 0)
		return llms_error_set_code(err, errno, LLMS_SPAWN_STEP_OUTPUT,
					   "creating %s", path);
	return fd;
}

/* PATH in @envp, or the default when there is none. */
static const char *search_path(char *const *envp)
{
	for (; *envp; envp++)
		if (!strncmp(*envp, "PATH=", 5))
			return *envp + 5;
	return LLMS_SPAWN_DEFAULT_PATH;
}

/* What the child's report means, said with what it was trying. */
static int child_error(const struct llms_spawn_attr *attr,
		       const struct child_plan *plan,
		       const struct child_report *r, struct llms_error **err)
{
	const char *step = llms_spawn_step_name(r->step);
	const char *prog = attr->argv[0];

	switch (r->step) {
	case LLMS_SPAWN_STEP_SETGROUPS:
	case LLMS_SPAWN_STEP_SETGID:
	case LLMS_SPAWN_STEP_SETUID:
		return llms_error_set_code(err, r->errnum, r->step,
					   "spawning %s: %s to uid %u gid %u",
					   prog, step,
					   (unsigned int)plan->user->uid,
					   (unsigned int)plan->user->gid);
	case LLMS_SPAWN_STEP_CHDIR:
		return llms_error_set_code(err, r->errnum, r->step,
					   "spawning %s: chdir to %s", prog,
					   plan->cwd);
	case LLMS_SPAWN_STEP_EXEC:
		if (plan->path)
			return llms_error_set_code(
				err, r->errnum, r->step,
				"spawning %s: exec (searched PATH %s)", prog,
				plan->path);
		return llms_error_set_code(err, r->errnum, r->step,
					   "spawning %s: exec", prog);
	default:
		return llms_error_set_code(err, r->errnum, r->step,
					   "spawning %s: %s", prog, step);
	}
}

static int clone_error(const struct llms_spawn_attr *attr, int errnum,
		       struct llms_error **err)
{
	const char *why = "";

	if (errnum == ENOSYS)
		why = " (this kernel has no clone3: Linux 5.3 or later has it)";
	else if (errnum == E2BIG || (errnum == EINVAL && attr->cgroup_fd >= 0))
		why = " (this kernel's clone3 may not know CLONE_INTO_CGROUP: "
		      "Linux 5.7 or later does)";
	else if (errnum == EBUSY)
		why = " (the cgroup gives domain controllers (memory, io) to "
		      "its children, so it may hold no "
		      "process: start it in a leaf folder)";
	else if (errnum == EAGAIN)
		why = " (pids.max of the cgroup, or RLIMIT_NPROC, reached)";
	return llms_error_set_code(err, errnum, LLMS_SPAWN_STEP_CLONE,
				   "spawning %s: clone3%s", attr->argv[0], why);
}

int llms_spawn(const struct llms_spawn_attr *attr, struct llms_child *child,
	       struct llms_error **err)
{
	static char *const empty_env[] = { NULL };
	struct llms_user user = { 0 };
	struct child_plan plan = { .attr = attr, .out_fd = -1, .err_fd = -1 };
	struct clone_args args;
	struct child_report report;
	int pipe_fds[2] = { -1, -1 }, pidfd = -1, ret;
	ssize_t n;
	long pid;

	if (!attr->argv || !attr->argv[0] || !attr->argv[0][0])
		return llms_error_set_code(err, EINVAL, LLMS_SPAWN_STEP_ATTR,
					   "spawning: no program (argv[0])");
	if (attr->inherit_output && (attr->stdout_path || attr->stderr_path))
		return llms_error_set_code(err, EINVAL, LLMS_SPAWN_STEP_ATTR,
					   "spawning %s: output files given with inherit_output",
					   attr->argv[0]);
	plan.envp = attr->envp ? attr->envp : empty_env;
	plan.cwd = attr->cwd ? attr->cwd : "/";
	plan.path = strchr(attr->argv[0], '/') ? NULL : search_path(plan.envp);
	if (attr->as_user) {
		ret = llms_user_lookup(attr->uid, &user, err);
		if (ret)
			return llms_error_prefix(err, "spawning %s",
						 attr->argv[0]);
		plan.user = &user;
	}
	if (attr->stdout_path) {
		ret = open_output(attr->stdout_path, plan.user, err);
		if (ret < 0) {
			llms_error_prefix(err, "spawning %s", attr->argv[0]);
			goto out;
		}
		plan.out_fd = ret;
	}
	if (attr->stderr_path && attr->stdout_path &&
	    !strcmp(attr->stderr_path, attr->stdout_path)) {
		plan.err_fd = plan.out_fd;
	} else if (attr->stderr_path) {
		ret = open_output(attr->stderr_path, plan.user, err);
		if (ret < 0) {
			llms_error_prefix(err, "spawning %s", attr->argv[0]);
			goto out;
		}
		plan.err_fd = ret;
	}
	if (attr->stderr_header && attr->stderr_path) {
		size_t len = strlen(attr->stderr_header);
		int fd = plan.err_fd;

		/* The child's writes go on after it: the offset is shared. */
		if (write(fd, attr->stderr_header, len) != (ssize_t)len) {
			ret = llms_error_set_code(err, errno ? errno : EIO,
						  LLMS_SPAWN_STEP_OUTPUT,
						  "spawning %s: writing to %s",
						  attr->argv[0],
						  attr->stderr_path);
			goto out;
		}
	}
	if (pipe2(pipe_fds, O_CLOEXEC)) {
		ret = llms_error_set_code(err, errno, LLMS_SPAWN_STEP_PIPE,
					  "spawning %s: pipe", attr->argv[0]);
		goto out;
	}
	pipe_fds[0] = above_stdio(pipe_fds[0]);
	pipe_fds[1] = above_stdio(pipe_fds[1]);
	if (pipe_fds[0] < 0 || pipe_fds[1] < 0) {
		ret = llms_error_set_code(err, errno, LLMS_SPAWN_STEP_PIPE,
					  "spawning %s: pipe", attr->argv[0]);
		goto out;
	}
	plan.report_fd = pipe_fds[1];

	memset(&args, 0, sizeof(args));
	args.flags = CLONE_PIDFD;
	args.pidfd = (uintptr_t)&pidfd;
	args.exit_signal = SIGCHLD;
	if (attr->cgroup_fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (unsigned int)attr->cgroup_fd;
	}
	/* glibc 2.36 has no clone3() wrapper. */
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0) {
		ret = clone_error(attr, errno, err);
		goto out;
	}
	if (pid == 0)
		child_main(&plan); /* does not return */

	/* The exec closes the write end; a failing child writes first. */
	close(pipe_fds[1]);
	pipe_fds[1] = -1;
	do
		n = read(pipe_fds[0], &report, sizeof(report));
	while (n < 0 && errno == EINTR);
	if (n == 0) {
		child->pid = (pid_t)pid;
		child->pidfd = pidfd;
		ret = 0;
		goto out;
	}
	if (n == (ssize_t)sizeof(report))
		ret = child_error(attr, &plan, &report, err);
	else
		ret = llms_error_set_code(
			err, n < 0 ? errno : EPROTO, LLMS_SPAWN_STEP_PIPE,
			"spawning %s: reading the child's report",
			attr->argv[0]);
	/* The child has exited or is about to: reap it. */
	while (waitid((idtype_t)P_PIDFD, pidfd, &(siginfo_t){ 0 }, WEXITED) &&
	       errno == EINTR)
		;
	close(pidfd);
out:
	if (plan.err_fd >= 0 && plan.err_fd != plan.out_fd)
		close(plan.err_fd);
	if (plan.out_fd >= 0)
		close(plan.out_fd);
	if (pipe_fds[0] >= 0)
		close(pipe_fds[0]);
	if (pipe_fds[1] >= 0)
		close(pipe_fds[1]);
	llms_user_free(&user);
	return ret;
}

/* ------------------------------------------------------------ children */

int llms_child_wait(struct llms_child *child, int timeout_ms, int *status,
		    struct llms_error **err)
{
	struct pollfd pfd = { .fd = child->pidfd, .events = POLLIN };
	siginfo_t info;
	int n;

	if (child->pidfd < 0)
		return llms_error_set(
			err, EINVAL,
			"waiting for process %d: already reaped or released",
			(int)child->pid);
	/* A pidfd becomes readable when its process ends. */
	n = poll(&pfd, 1, timeout_ms);
	if (n < 0)
		return llms_error_set(err, errno, "waiting for process %d",
				      (int)child->pid);
	if (n == 0)
		return llms_error_set(
			err, ETIMEDOUT,
			"waiting for process %d: still running after %d ms",
			(int)child->pid, timeout_ms);
	memset(&info, 0, sizeof(info));
	if (waitid((idtype_t)P_PIDFD, child->pidfd, &info, WEXITED))
		return llms_error_set(err, errno, "waiting for process %d",
				      (int)child->pid);
	switch (info.si_code) {
	case CLD_EXITED:
		*status = W_EXITCODE(info.si_status, 0);
		break;
	case CLD_DUMPED:
		*status = info.si_status | WCOREFLAG;
		break;
	default: /* CLD_KILLED */
		*status = info.si_status;
		break;
	}
	close(child->pidfd);
	child->pidfd = -1;
	return 0;
}

int llms_child_signal(const struct llms_child *child, int sig,
		      struct llms_error **err)
{
	if (child->pidfd < 0)
		return llms_error_set(
			err, ESRCH,
			"signalling process %d: already reaped or released",
			(int)child->pid);
	if (syscall(SYS_pidfd_send_signal, child->pidfd, sig, NULL, 0))
		return llms_error_set(err, errno,
				      "sending signal %d to process %d", sig,
				      (int)child->pid);
	return 0;
}

void llms_child_release(struct llms_child *child)
{
	if (child->pidfd >= 0)
		close(child->pidfd);
	child->pidfd = -1;
}
