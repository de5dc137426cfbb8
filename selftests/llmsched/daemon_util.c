// SPDX-License-Identifier: GPL-2.0
/* The daemon, for the VM tests (daemon_util.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon_util.h"

int dutil_write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -errno;
	fputs(text, f);
	return fclose(f) ? -errno : 0;
}

const char *dutil_program(const char *name)
{
	static char path[4096];
	ssize_t n;
	char *slash;

	n = readlink("/proc/self/exe", path, sizeof(path) - 64);
	if (n < 0)
		return name;
	path[n] = '\0';
	slash = strrchr(path, '/');
	snprintf(slash + 1, 60, "%s", name);
	return path;
}

int dutil_run_llmschedd(const char *out_path, const char *a0, const char *a1,
			const char *a2, const char *a3)
{
	const char *argv[] = { dutil_program("llmschedd"), a0, a1, a2, a3,
			       NULL };
	int status, fd;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		if (out_path) {
			fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (fd >= 0) {
				dup2(fd, STDERR_FILENO);
				dup2(fd, STDOUT_FILENO);
			}
		}
		execv(argv[0], (char **)argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 256;
}

pid_t dutil_daemon_pid(const char *dir)
{
	char path[256], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/state/llmschedd.lock", dir);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return (pid_t)atoi(buf);
}

int dutil_wait_gone(pid_t pid, int timeout_ms)
{
	struct pollfd pfd = { .events = POLLIN };

	pfd.fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd.fd < 0)
		return errno == ESRCH ? 0 : -errno;
	if (poll(&pfd, 1, timeout_ms) != 1) {
		close(pfd.fd);
		return -ETIMEDOUT;
	}
	close(pfd.fd);
	return 0;
}

int dutil_daemon_start(const char *dir, const char *conf,
		       const char *daemon_extra, const char *sections,
		       pid_t *pid)
{
	char text[8192], log[256];
	int ret;

	snprintf(text, sizeof(text),
		 "[daemon]\n"
		 "cgroup_root = " TEST_CGROUP_ROOT "\n"
		 "state_dir = %s/state\n"
		 "log_dir = %s/log\n"
		 "heartbeat_interval = 50ms\n"
		 "drain_timeout = 5s\n"
		 "%s"
		 "\n%s",
		 dir, dir, daemon_extra ? daemon_extra : "", sections);
	ret = dutil_write_text(conf, text);
	if (ret)
		return ret;
	snprintf(log, sizeof(log), "%s/daemon.log", dir);
	ret = dutil_run_llmschedd(log, "-c", conf, "--verbose", NULL);
	if (ret)
		return ret;
	*pid = dutil_daemon_pid(dir);
	return *pid > 0 ? 0 : -ESRCH;
}

int dutil_daemon_stop(pid_t *pid)
{
	int ret;

	if (*pid <= 0)
		return 0;
	if (kill(*pid, SIGTERM))
		return -errno;
	ret = dutil_wait_gone(*pid, 30000);
	*pid = 0;
	return ret;
}

void dutil_daemon_log(const char *dir)
{
	char path[256], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/daemon.log", dir);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		fprintf(stderr, "# daemon: %s", line);
	fclose(f);
}
