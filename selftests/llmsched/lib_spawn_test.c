// SPDX-License-Identifier: GPL-2.0
/*
 * libllmsched's spawning (runtime/lib/spawn.c) with real processes: a
 * child starts in its cgroup, as its user with that user's groups, in its
 * working directory, with exactly its environment and standard files; and
 * each step that can fail reaches the parent as that step with its errno.
 * Runs as root in the test VM.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "harness_main.h"
#include "lib_util.h"

/* The 6.1 harness defines FIXTURE_SETUP/TEARDOWN as non-static functions. */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"

#define NOBODY 65534
#define NOGROUP 65534
/* The group nobody is given for these tests. */
#define TEST_GID 4242
#define TEST_GROUP "llmstest"
/* A uid that /etc/passwd does not name. */
#define NO_SUCH_UID 54321

/* memory: a domain controller, which makes the root no leaf. */
static const char *const controllers[] = { "memory", "pids", NULL };

FIXTURE(spawn)
{
	struct llms_cgroup mnt, root, leaf;
	struct llms_error *err;
	char dir[64];
};

/*
 * In this test's own mount namespace (the harness runs each test in a
 * process of its own), /etc/group with nobody in TEST_GROUP: a user with
 * a supplementary group, without touching the system's files.
 */
static int give_nobody_a_group(const char *dir)
{
	char path[128], *groups;
	FILE *f;

	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return -errno;
	groups = lib_read_file("/etc/group");
	if (!groups)
		return -errno;
	snprintf(path, sizeof(path), "%s/group", dir);
	f = fopen(path, "we");
	if (!f) {
		free(groups);
		return -errno;
	}
	fprintf(f, "%s%s:x:%d:nobody\n", groups, TEST_GROUP, TEST_GID);
	free(groups);
	if (fclose(f))
		return -errno;
	chmod(path, 0644);
	if (mount(path, "/etc/group", NULL, MS_BIND, NULL))
		return -errno;
	return 0;
}

FIXTURE_SETUP(spawn)
{
	self->err = NULL;
	self->leaf = (struct llms_cgroup)LLMS_CGROUP_INIT;
	/* A folder only root may enter. */
	strcpy(self->dir, "/tmp/llmsched-spawn-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, give_nobody_a_group(self->dir));
	ASSERT_EQ(0, lib_root_create(&self->mnt, &self->root, "spawn",
				     controllers));
	ASSERT_EQ(0, llms_cgroup_create(&self->leaf, &self->root, "leaf",
					&self->err));
}

FIXTURE_TEARDOWN(spawn)
{
	char cmd[128];

	llms_error_free(&self->err);
	llms_cgroup_close(&self->leaf);
	lib_root_destroy(&self->mnt, &self->root);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", self->dir);
	if (system(cmd))
		fprintf(stderr, "# could not remove %s\n", self->dir);
}

/* Run @attr to its end; its wait status, or -errno with *@err set. */
static int run(const struct llms_spawn_attr *attr, struct llms_error **err)
{
	struct llms_child child;
	int ret, status;

	ret = llms_spawn(attr, &child, err);
	if (ret)
		return ret;
	ret = llms_child_wait(&child, 30000, &status, err);
	return ret ? ret : status;
}

/* @dir/@name's contents (malloc()ed); "" when unreadable. */
static char *output(const char *dir, const char *name)
{
	char path[128], *text;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	text = lib_read_file(path);
	return text ? text : strdup("");
}

/* No child left, not even a zombie. */
static int no_children(void)
{
	return waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD;
}

static char *const path_env[] = { "PATH=/usr/bin:/bin", NULL };

TEST_F(spawn, child_starts_in_its_cgroup)
{
	char *argv[] = { "sleep", "1000", NULL };
	struct llms_spawn_attr attr = { .argv = argv,
					.envp = path_env,
					.cgroup_fd = self->leaf.fd };
	struct llms_child child;
	char *where = NULL;
	size_t count;
	pid_t *pids;

	ASSERT_EQ(0, llms_spawn(&attr, &child, &self->err))
	TH_LOG("%s", lib_errmsg(&self->err));
	ASSERT_EQ(0, llms_cgroup_of_pid(child.pid, &where, &self->err));
	EXPECT_STREQ(self->leaf.path + strlen("/sys/fs/cgroup"), where);
	free(where);
	ASSERT_EQ(0, llms_cgroup_procs(&self->leaf, &pids, &count, &self->err));
	ASSERT_EQ(1, count);
	EXPECT_EQ(child.pid, pids[0]);
	free(pids);
	ASSERT_EQ(0, llms_child_signal(&child, SIGKILL, &self->err));
	EXPECT_EQ(SIGKILL, WTERMSIG(lib_wait(&child, 5000)));
}

TEST_F(spawn, child_without_a_cgroup_stays_in_the_callers)
{
	char *argv[] = { "sleep", "1000", NULL };
	struct llms_spawn_attr attr = { .argv = argv,
					.envp = path_env,
					.cgroup_fd = -1 };
	char *mine = NULL, *its = NULL;
	struct llms_child child;

	ASSERT_EQ(0, llms_spawn(&attr, &child, &self->err));
	ASSERT_EQ(0, llms_cgroup_of_pid(0, &mine, &self->err));
	ASSERT_EQ(0, llms_cgroup_of_pid(child.pid, &its, &self->err));
	EXPECT_STREQ(mine, its);
	free(mine);
	free(its);
	ASSERT_EQ(0, llms_child_signal(&child, SIGKILL, &self->err));
	EXPECT_EQ(SIGKILL, WTERMSIG(lib_wait(&child, 5000)));
}

TEST_F(spawn, child_runs_as_its_user_with_its_groups)
{
	char *argv[] = { "id", NULL };
	char out[128], *text;
	struct llms_spawn_attr attr = {
		.argv = argv,
		.envp = path_env,
		.cgroup_fd = self->leaf.fd,
		.as_user = true,
		.uid = NOBODY,
		.stdout_path = out,
	};
	struct llms_user user;
	struct stat st;
	size_t i;
	int found = 0;

	/* What the library reads from the databases. */
	ASSERT_EQ(0, llms_user_lookup(NOBODY, &user, &self->err))
	TH_LOG("%s", lib_errmsg(&self->err));
	EXPECT_EQ(NOGROUP, user.gid);
	EXPECT_STREQ("nobody", user.name);
	for (i = 0; i < user.ngroups; i++)
		found |= (user.groups[i] == TEST_GID) << 0 |
			 (user.groups[i] == NOGROUP) << 1;
	EXPECT_EQ(3, found);
	llms_user_free(&user);

	/* What the child is, in its own words. */
	snprintf(out, sizeof(out), "%s/id.out", self->dir);
	ASSERT_EQ(0, run(&attr, &self->err))
	TH_LOG("%s", lib_errmsg(&self->err));
	text = output(self->dir, "id.out");
	EXPECT_STREQ("uid=65534(nobody) gid=65534(nogroup) "
		     "groups=65534(nogroup),"
		     "4242(" TEST_GROUP ")\n",
		     text);
	free(text);
	/* Its output is its own, and no one else's. */
	ASSERT_EQ(0, stat(out, &st));
	EXPECT_EQ(0100600, st.st_mode);
	EXPECT_EQ(NOBODY, st.st_uid);
	EXPECT_EQ(NOGROUP, st.st_gid);
}

TEST_F(spawn, output_files_are_created_private_and_may_be_one)
{
	char *argv[] = { "/bin/sh", "-c", "echo out; echo err >&2", NULL };
	char out[128], errf[128], *text;
	struct llms_spawn_attr attr = { .argv = argv,
					.envp = path_env,
					.cgroup_fd = -1,
					.stdout_path = out,
					.stderr_path = errf };
	struct stat st;
	int fd;

	snprintf(out, sizeof(out), "%s/out", self->dir);
	snprintf(errf, sizeof(errf), "%s/err", self->dir);
	/* One there before, wide open and long: truncated and closed up. */
	fd = open(out, O_WRONLY | O_CREAT, 0666);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fchmod(fd, 0666));
	ASSERT_EQ(22, write(fd, "an older, longer text\n", 22));
	close(fd);
	ASSERT_EQ(0, run(&attr, &self->err))
	TH_LOG("%s", lib_errmsg(&self->err));
	text = output(self->dir, "out");
	EXPECT_STREQ("out\n", text);
	free(text);
	text = output(self->dir, "err");
	EXPECT_STREQ("err\n", text);
	free(text);
	ASSERT_EQ(0, stat(out, &st));
	EXPECT_EQ(0100600, st.st_mode);
	ASSERT_EQ(0, stat(errf, &st));
	EXPECT_EQ(0100600, st.st_mode);

	/* A header comes first, then what the child writes. */
	attr.stderr_header = "runtime: a header\n";
	ASSERT_EQ(0, run(&attr, &self->err));
	text = output(self->dir, "err");
	EXPECT_STREQ("runtime: a header\nerr\n", text);
	free(text);
	attr.stderr_header = NULL;

	/* The same path: one file, both streams in order. */
	attr.stderr_path = out;
	ASSERT_EQ(0, run(&attr, &self->err));
	text = output(self->dir, "out");
	EXPECT_STREQ("out\nerr\n", text);
	free(text);

	/* A link where the file should be is not followed. */
	unlink(errf);
	ASSERT_EQ(0, symlink("/etc/hostname", errf));
	attr.stderr_path = errf;
	EXPECT_EQ(-ELOOP, run(&attr, &self->err));
	EXPECT_EQ(LLMS_SPAWN_STEP_OUTPUT, self->err->code);
	llms_error_free(&self->err);
	EXPECT_TRUE(no_children());
}

/*
 * inherit_output: the child writes where the caller does (here a pipe in
 * place of standard error), and naming files as well is refused.
 */
TEST_F(spawn, output_may_stay_the_callers)
{
	char *argv[] = { "/bin/sh", "-c", "echo out; echo err >&2", NULL };
	struct llms_spawn_attr attr = { .argv = argv,
					.envp = path_env,
					.cgroup_fd = -1,
					.inherit_output = true };
	int pipe_fds[2], saved_out, saved_err, ret;
	char buf[64] = "";
	ssize_t n;

	ASSERT_EQ(0, pipe(pipe_fds));
	fflush(stdout);
	fflush(stderr);
	saved_out = dup(STDOUT_FILENO);
	saved_err = dup(STDERR_FILENO);
	ASSERT_LE(0, saved_out);
	ASSERT_LE(0, saved_err);
	dup2(pipe_fds[1], STDOUT_FILENO);
	dup2(pipe_fds[1], STDERR_FILENO);
	ret = run(&attr, &self->err);
	dup2(saved_out, STDOUT_FILENO);
	dup2(saved_err, STDERR_FILENO);
	close(saved_out);
	close(saved_err);
	close(pipe_fds[1]);
	ASSERT_EQ(0, ret) TH_LOG("%s", lib_errmsg(&self->err));
	n = read(pipe_fds[0], buf, sizeof(buf) - 1);
	close(pipe_fds[0]);
	ASSERT_LT(0, n);
	EXPECT_STREQ("out\nerr\n", buf);

	attr.stdout_path = "/tmp/nowhere";
	EXPECT_EQ(-EINVAL, run(&attr, &self->err));
	EXPECT_EQ(LLMS_SPAWN_STEP_ATTR, self->err->code);
	EXPECT_NE(NULL, strstr(self->err->msg, "inherit_output"));
	llms_error_free(&self->err);
	EXPECT_TRUE(no_children());
}

TEST_F(spawn, stdin_is_dev_null_and_no_descriptor_leaks_in)
{
	char *argv[] = { "/bin/sh", "-c",
			 "readlink /proc/self/fd/0; ls /proc/self/fd", NULL };
	char out[128], *text;
	struct llms_spawn_attr attr = { .argv = argv,
					.envp = path_env,
					.cgroup_fd = -1,
					.stdout_path = out };
	int leaky;

	snprintf(out, sizeof(out), "%s/fds", self->dir);
	/* Open without O_CLOEXEC, as careless code in a daemon would. */
	leaky = open("/dev/zero", O_RDONLY);
	ASSERT_LE(0, leaky);
	ASSERT_EQ(0, run(&attr, &self->err))
	TH_LOG("%s", lib_errmsg(&self->err));
	close(leaky);
	text = output(self->dir, "fds");
	/* ls's own descriptor for /proc/self/fd is 3. */
	EXPECT_STREQ("/dev/null\n0\n1\n2\n3\n", text);
	free(text);
}

TEST_F(spawn, environment_is_exactly_the_one_given)
{
	char *argv[] = { "/usr/bin/env", NULL };
	char *envp[] = { "A=1", "B=two words", "EMPTY=", NULL };
	char out[128], *text;
	struct llms_spawn_attr attr = {
		.argv = argv, .envp = envp, .cgroup_fd = -1, .stdout_path = out
	};

	snprintf(out, sizeof(out), "%s/env", self->dir);
	setenv("LEAK_FROM_PARENT", "1", 1);
	ASSERT_EQ(0, run(&attr, &self->err))
	TH_LOG("%s", lib_errmsg(&self->err));
	text = output(self->dir, "env");
	EXPECT_STREQ("A=1\nB=two words\nEMPTY=\n", text);
	free(text);
	attr.envp = NULL;
	ASSERT_EQ(0, run(&attr, &self->err));
	text = output(self->dir, "env");
	EXPECT_STREQ("", text);
	free(text);
}

TEST_F(spawn, program_is_looked_up_in_the_tasks_path)
{
	char *argv[] = { "env", NULL };
	char *envp[] = { "X=1", "PATH=/nonexistent:/bin/sh:/usr/bin", NULL };
	char out[128], *text;
	struct llms_spawn_attr attr = {
		.argv = argv, .envp = envp, .cgroup_fd = -1, .stdout_path = out
	};

	snprintf(out, sizeof(out), "%s/path", self->dir);
	/* Past a missing folder and a file that is no folder. */
	ASSERT_EQ(0, run(&attr, &self->err))
	TH_LOG("%s", lib_errmsg(&self->err));
	text = output(self->dir, "path");
	EXPECT_STREQ("X=1\nPATH=/nonexistent:/bin/sh:/usr/bin\n", text);
	free(text);
	/* No PATH: the default one. */
	envp[1] = NULL;
	ASSERT_EQ(0, run(&attr, &self->err))
	TH_LOG("%s", lib_errmsg(&self->err));
	text = output(self->dir, "path");
	EXPECT_STREQ("X=1\n", text);
	free(text);
	/* The caller's own PATH is not the task's. */
	envp[1] = "PATH=/nonexistent";
	setenv("PATH", "/usr/bin:/bin", 1);
	EXPECT_EQ(-ENOENT, run(&attr, &self->err));
	EXPECT_EQ(LLMS_SPAWN_STEP_EXEC, self->err->code);
	llms_error_free(&self->err);
}

TEST_F(spawn, signals_and_session_are_the_childs_own)
{
	char *argv[] = { "/bin/sh", "-c",
			 "grep -E '^Sig(Blk|Ign)' /proc/self/status", NULL };
	char out[128], *text;
	struct llms_spawn_attr attr = { .argv = argv,
					.envp = path_env,
					.cgroup_fd = -1,
					.stdout_path = out };
	char *sleeper[] = { "sleep", "1000", NULL };
	struct llms_child child;
	sigset_t block;

	/* A daemon's mask and ignored signals must not reach its tasks. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	ASSERT_EQ(0, sigprocmask(SIG_BLOCK, &block, NULL));
	signal(SIGINT, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	snprintf(out, sizeof(out), "%s/sig", self->dir);
	ASSERT_EQ(0, run(&attr, &self->err))
	TH_LOG("%s", lib_errmsg(&self->err));
	text = output(self->dir, "sig");
	EXPECT_STREQ("SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n",
		     text);
	free(text);

	attr.argv = sleeper;
	attr.stdout_path = NULL;
	attr.new_session = true;
	ASSERT_EQ(0, llms_spawn(&attr, &child, &self->err));
	EXPECT_EQ(child.pid, getsid(child.pid));
	EXPECT_NE(getsid(0), getsid(child.pid));
	ASSERT_EQ(0, llms_child_signal(&child, SIGKILL, &self->err));
	EXPECT_EQ(SIGKILL, WTERMSIG(lib_wait(&child, 5000)));
}

/* A file at @dir/@name with @mode and @text. */
static int make_file(const char *dir, const char *name, mode_t mode,
		     const char *text)
{
	char path[128];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		ret = -EIO;
	if (fchmod(fd, mode))
		ret = -errno;
	close(fd);
	return ret;
}

TEST_F(spawn, each_failing_step_reaches_the_parent_with_its_errno)
{
	char noexec[128], garbage[128], missing_dir[128];
	char *argv[] = { "/bin/true", NULL };
	struct {
		const char *what;
		char *prog;
		const char *cwd;
		bool as_user;
		uid_t uid;
		const char *stdout_path;
		int cgroup; /* 1: the leaf, 2: the root, a non-leaf */
		enum llms_spawn_step step;
		int errnum;
	} cases[] = {
		{ "working directory missing", "/bin/true", "/nonexistent",
		  false, 0, NULL, 1, LLMS_SPAWN_STEP_CHDIR, ENOENT },
		{ "working directory closed to the user", "/bin/true",
		  self->dir, true, NOBODY, NULL, 1, LLMS_SPAWN_STEP_CHDIR,
		  EACCES },
		{ "working directory a file", "/bin/true", "/etc/hostname",
		  false, 0, NULL, 1, LLMS_SPAWN_STEP_CHDIR, ENOTDIR },
		{ "program missing", "/nonexistent/prog", NULL, false, 0, NULL,
		  1, LLMS_SPAWN_STEP_EXEC, ENOENT },
		{ "program not in PATH", "no-such-program", NULL, false, 0,
		  NULL, 1, LLMS_SPAWN_STEP_EXEC, ENOENT },
		{ "program not executable", noexec, NULL, false, 0, NULL, 1,
		  LLMS_SPAWN_STEP_EXEC, EACCES },
		{ "program of no known format", garbage, NULL, false, 0, NULL,
		  1, LLMS_SPAWN_STEP_EXEC, ENOEXEC },
		{ "uid without a passwd entry", "/bin/true", NULL, true,
		  NO_SUCH_UID, NULL, 1, LLMS_SPAWN_STEP_USER, ENOENT },
		{ "output in a missing folder", "/bin/true", NULL, false, 0,
		  missing_dir, 1, LLMS_SPAWN_STEP_OUTPUT, ENOENT },
		{ "cgroup that is not a leaf", "/bin/true", NULL, false, 0,
		  NULL, 2, LLMS_SPAWN_STEP_CLONE, EBUSY },
		{ "no program", "", NULL, false, 0, NULL, 1,
		  LLMS_SPAWN_STEP_ATTR, EINVAL },
	};
	struct llms_spawn_attr attr;
	struct llms_child child;
	unsigned int i;
	char text[512];

	snprintf(noexec, sizeof(noexec), "%s/noexec", self->dir);
	snprintf(garbage, sizeof(garbage), "%s/garbage", self->dir);
	snprintf(missing_dir, sizeof(missing_dir), "%s/none/out", self->dir);
	ASSERT_EQ(0, make_file(self->dir, "noexec", 0644, "#!/bin/sh\n"));
	ASSERT_EQ(0, make_file(self->dir, "garbage", 0755, "not a program\n"));

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		argv[0] = cases[i].prog;
		memset(&attr, 0, sizeof(attr));
		attr.argv = argv;
		attr.envp = path_env;
		attr.cwd = cases[i].cwd;
		attr.as_user = cases[i].as_user;
		attr.uid = cases[i].uid;
		attr.stdout_path = cases[i].stdout_path;
		attr.cgroup_fd =
			cases[i].cgroup == 2 ? self->root.fd : self->leaf.fd;
		child.pid = 0;
		EXPECT_EQ(-cases[i].errnum,
			  llms_spawn(&attr, &child, &self->err))
		TH_LOG("%s", cases[i].what);
		ASSERT_NE(NULL, self->err) TH_LOG("%s", cases[i].what);
		EXPECT_EQ(cases[i].step, self->err->code)
		TH_LOG("%s: step %s", cases[i].what,
		       llms_spawn_step_name(self->err->code));
		EXPECT_EQ(cases[i].errnum, self->err->errnum);
		/* The message names the step (or what it was about). */
		llms_error_format(self->err, text, sizeof(text));
		TH_LOG("%s: %s", cases[i].what, text);
		llms_error_free(&self->err);
		/* The failed child was reaped; none is running. */
		EXPECT_TRUE(no_children()) TH_LOG("%s", cases[i].what);
	}
	/* The same, as root where the user could not: it works. */
	attr.argv = argv;
	argv[0] = "/bin/true";
	attr.cwd = self->dir;
	attr.as_user = false;
	attr.stdout_path = NULL;
	attr.cgroup_fd = self->leaf.fd;
	EXPECT_EQ(0, run(&attr, &self->err))
	TH_LOG("%s", lib_errmsg(&self->err));
}

TEST_F(spawn, an_unprivileged_caller_fails_at_setgroups)
{
	char *argv[] = { "/bin/true", NULL };
	struct llms_spawn_attr attr = { .argv = argv,
					.envp = path_env,
					.cgroup_fd = -1,
					.as_user = true,
					.uid = NOBODY };
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct llms_error *err = NULL;

		/* Groups, gid, uid dropped: no capability left. */
		if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
		    setresuid(NOBODY, NOBODY, NOBODY))
			_exit(10);
		if (llms_spawn(&attr, &(struct llms_child){ 0 }, &err) !=
		    -EPERM)
			_exit(11);
		/* The first of the three fails: the order is right. */
		_exit(err->code == LLMS_SPAWN_STEP_SETGROUPS ? 0 : 12);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F(spawn, wait_times_out_and_a_signal_ends_the_child)
{
	char *argv[] = { "sleep", "1000", NULL };
	struct llms_spawn_attr attr = { .argv = argv,
					.envp = path_env,
					.cgroup_fd = self->leaf.fd };
	struct llms_child child;
	int status;

	ASSERT_EQ(0, llms_spawn(&attr, &child, &self->err));
	EXPECT_EQ(-ETIMEDOUT, llms_child_wait(&child, 0, &status, &self->err));
	llms_error_free(&self->err);
	EXPECT_EQ(-ETIMEDOUT,
		  llms_child_wait(&child, 100, &status, &self->err));
	llms_error_free(&self->err);
	ASSERT_EQ(0, llms_child_signal(&child, SIGTERM, &self->err));
	ASSERT_EQ(0, llms_child_wait(&child, 5000, &status, &self->err));
	EXPECT_TRUE(WIFSIGNALED(status));
	EXPECT_EQ(SIGTERM, WTERMSIG(status));
	EXPECT_EQ(-1, child.pidfd);
	/* Reaped: no more waiting or signalling by that name. */
	EXPECT_EQ(-EINVAL, llms_child_wait(&child, 0, &status, &self->err));
	llms_error_free(&self->err);
	EXPECT_EQ(-ESRCH, llms_child_signal(&child, SIGTERM, &self->err));
	llms_error_free(&self->err);
	EXPECT_TRUE(no_children());
}

TEST_F(spawn, exit_status_is_the_programs)
{
	char *argv[] = { "/bin/sh", "-c", "exit 7", NULL };
	struct llms_spawn_attr attr = { .argv = argv,
					.envp = path_env,
					.cgroup_fd = self->leaf.fd };
	int status;

	status = run(&attr, &self->err);
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(7, WEXITSTATUS(status));
}

LLMS_TEST_MAIN
