// SPDX-License-Identifier: GPL-2.0
/* Running llmschedd from the selftests: see daemon_util.h. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../runtime/lib/payload.h"
#include "daemon_util.h"
#include "llmsched_util.h"
#include "module_util.h"
#include "time_scale.h"
#include "tool_util.h"

int du_run_llmschedd(const char *out_path, const char *a0, const char *a1,
		     const char *a2, const char *a3)
{
	const char *argv[] = { tu_beside("llmschedd"), a0, a1, a2, a3, NULL };

	return tu_run(argv, TU_SELF, NULL, out_path, out_path, TU_FOREVER);
}

int du_module_ready(int *fd)
{
	int ret;

	*fd = -1;
	ret = llmsched_module_ensure_loaded();
	if (ret)
		return ret;
	*fd = ls_open();
	if (*fd < 0)
		return *fd;
	return ls_reset(*fd, LS_CPUS(2), LS_GB(2));
}

int du_dir_make(char *dir, size_t dir_size, const char *name, char *conf,
		size_t conf_size)
{
	if ((size_t)snprintf(dir, dir_size, "/tmp/%s-XXXXXX", name) >= dir_size)
		return -ENAMETOOLONG;
	if (!mkdtemp(dir) || chmod(dir, 0755))
		return -errno;
	if ((size_t)snprintf(conf, conf_size, "%s/llmschedd.conf", dir) >=
	    conf_size)
		return -ENAMETOOLONG;
	return 0;
}

int du_dir_remove(const char *dir)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) ? -EIO : 0;
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

int du_wait_gone(pid_t pid, int timeout_ms)
{
	struct pollfd pfd = { .events = POLLIN };

	pfd.fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd.fd < 0)
		return errno == ESRCH ? 0 : -errno;
	if (poll(&pfd, 1, timeout_ms * llms_test_time_scale()) != 1) {
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
	ret = tu_write_text(conf, text);
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

int du_submit_task(int fd, const char *const *argv,
		   struct llmsched_task_submit *t)
{
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
	t->payload_ptr = (uintptr_t)buf;
	t->payload_len = (__u32)len;
	ret = ls_submit(fd, t);
	free(buf);
	t->payload_ptr = 0;
	return ret;
}

int du_submit(int fd, const char *const *argv, __u32 prio, __u32 flags,
	      __u64 tags, __u64 cpu, __u64 mem, __u64 limit_ns, __u64 *id)
{
	struct llmsched_task_submit t;
	int ret;

	ls_task_init(&t, prio, cpu, mem, LS_SEC(1));
	t.flags = flags;
	t.tags = tags;
	/* Enough for the agents the chaos test kills under it. */
	t.retries = 8;
	t.time_limit_ns = limit_ns;
	ret = du_submit_task(fd, argv, &t);
	if (!ret)
		*id = t.task_id;
	return ret;
}

__u32 du_agent_id(int fd, const char *root, const char *name)
{
	struct llmsched_agent_info ent[64];
	__u32 count = 64, next = 0, i;
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", root, name);
	if (stat(path, &st) || ls_agent_list(fd, 0, ent, &count, &next))
		return 0;
	for (i = 0; i < count; i++)
		if (ent[i].cgroup_id == (__u64)st.st_ino)
			return ent[i].agent_id;
	return 0;
}

int du_busy_start(const char *leaf, int n, pid_t *pids)
{
	char procs[256], pid[16], c;
	int i, ready[2], ret = 0;

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", leaf);
	if (mkdir(leaf, 0755) && errno != EEXIST)
		return -errno;
	for (i = 0; i < n; i++)
		pids[i] = 0;
	for (i = 0; i < n && !ret; i++) {
		if (pipe(ready)) {
			ret = -errno;
			break;
		}
		fflush(stdout);
		pids[i] = fork();
		if (pids[i] < 0) {
			ret = -errno;
			pids[i] = 0;
		} else if (!pids[i]) {
			/* Gone with the test, should it stop on an assertion. */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			close(ready[0]);
			snprintf(pid, sizeof(pid), "%d", (int)getpid());
			if (tu_write_text(procs, pid))
				_exit(1);
			/* In the folder now: the caller may go on. */
			if (write(ready[1], "y", 1) != 1)
				_exit(1);
			for (;;)
				;
		}
		close(ready[1]);
		if (!ret && read(ready[0], &c, 1) != 1)
			ret = -EIO;
		close(ready[0]);
	}
	if (ret)
		du_busy_stop(leaf, n, pids);
	return ret;
}

void du_busy_stop(const char *leaf, int n, pid_t *pids)
{
	int i;

	for (i = 0; i < n; i++) {
		if (pids[i] <= 0)
			continue;
		kill(pids[i], SIGKILL);
		waitpid(pids[i], NULL, 0);
		pids[i] = 0;
	}
	rmdir(leaf);
}
