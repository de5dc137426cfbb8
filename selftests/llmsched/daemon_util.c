// SPDX-License-Identifier: GPL-2.0
/* Running llmschedd from the selftests: see daemon_util.h. */
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

#include "../../runtime/lib/payload.h"
#include "daemon_util.h"
#include "llmsched_util.h"

int du_write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -errno;
	fputs(text, f);
	return fclose(f) ? -errno : 0;
}

/* The program beside this test: build/bin/llmschedd. */
const char *du_program(const char *name)
{
	static char path[4096];
	ssize_t n;
	char *slash;

	n = readlink("/proc/self/exe", path, sizeof(path) - 64);
	if (n < 0 || strlen(name) >= 60)
		return name;
	path[n] = '\0';
	slash = strrchr(path, '/');
	strcpy(slash + 1, name);
	return path;
}

const char *du_llmschedd_path(void)
{
	return du_program("llmschedd");
}

/* Run llmschedd with @args (at most 6, NULL-terminated); its exit status. */
int du_run_llmschedd(const char *out_path, const char *a0, const char *a1,
			 const char *a2, const char *a3)
{
	const char *argv[] = { du_llmschedd_path(), a0, a1, a2, a3, NULL };
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

pid_t du_daemon_pid(const char *dir)
{
	char path[128], buf[32] = "";
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

/* Wait until @pid is gone (it is not our child: no reaping). */
int du_wait_gone(pid_t pid, int timeout_ms)
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

int du_daemon_start(const char *dir, const char *conf, const char *cgroup_root,
		    const char *daemon_keys, const char *agents, pid_t *pid)
{
	char text[8192], log[160];
	int ret;

	snprintf(text, sizeof(text),
		 "[daemon]\n"
		 "cgroup_root = %s\n"
		 "state_dir = %s/state\n"
		 "log_dir = %s/log\n"
		 "heartbeat_interval = 50ms\n"
		 "drain_timeout = 5s\n"
		 "%s"
		 "\n%s",
		 cgroup_root, dir, dir, daemon_keys, agents);
	ret = du_write_text(conf, text);
	if (ret)
		return ret;
	snprintf(log, sizeof(log), "%s/daemon.log", dir);
	ret = du_run_llmschedd(log, "-c", conf, "--verbose", NULL);
	if (ret)
		return ret;
	*pid = du_daemon_pid(dir);
	return *pid > 0 ? 0 : -ESRCH;
}

int du_daemon_stop(pid_t *pid)
{
	int ret;

	if (*pid <= 0)
		return 0;
	if (kill(*pid, SIGTERM))
		return -errno;
	ret = du_wait_gone(*pid, 30000);
	*pid = 0;
	return ret;
}

/* Print the daemon's log, for a failing test. */
void du_daemon_log(const char *dir)
{
	char path[160], line[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/daemon.log", dir);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		fprintf(stderr, "# daemon: %s", line);
	fclose(f);
}

int du_submit(int fd, const char *const *argv, __u32 prio, __u32 flags,
	      __u64 tags, __u64 cpu, __u64 mem, __u64 limit_ns, __u64 *id)
{
	struct llmsched_task_submit t;
	struct llms_payload p = { 0 };
	char *const env[] = { "PATH=/usr/bin:/bin", "HOME=/tmp", NULL };
	struct llms_error *err = NULL;
	void *buf;
	size_t len;
	int ret;

	for (p.argc = 0; argv[p.argc]; p.argc++)
		;
	p.argv = (char *const *)argv;
	p.envc = 2;
	p.envp = env;
	p.cwd = "/tmp";
	ret = llms_payload_encode(&p, &buf, &len, &err);
	if (ret) {
		llms_error_free(&err);
		return ret;
	}
	ls_task_init(&t, prio, cpu, mem, LS_SEC(1));
	t.flags = flags;
	t.tags = tags;
	/* Enough for the agents the chaos test kills under it. */
	t.retries = 8;
	t.payload_ptr = (uintptr_t)buf;
	t.payload_len = (__u32)len;
	t.time_limit_ns = limit_ns;
	ret = ls_submit(fd, &t);
	free(buf);
	if (!ret)
		*id = t.task_id;
	return ret;
}
