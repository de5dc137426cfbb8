// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched-demo: system helpers (ioctl, files, sysfs, cgroups, clone3).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/sched.h>	/* struct clone_args, CLONE_INTO_CGROUP */

#include "llmdemo.h"

void demo_fail(int err, const char *hint, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, DEMO_PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (err)
		fprintf(stderr, ": %s", strerror(err));
	fputc('\n', stderr);
	if (hint)
		fprintf(stderr, DEMO_PROG ": %s\n", hint);
}

void demo_error(struct llms_error **err, const char *hint)
{
	fflush(stdout);
	llms_error_print(stderr, DEMO_PROG, *err);
	if (hint)
		fprintf(stderr, DEMO_PROG ": %s\n", hint);
	llms_error_free(err);
}

__u64 demo_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * DEMO_NSEC_PER_SEC + ts.tv_nsec;
}

int demo_write_file(const char *path, const char *val)
{
	ssize_t n;
	int fd, ret;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	ret = n < 0 ? -errno : 0;
	close(fd);
	return ret;
}

int demo_read_file(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		ret = -errno;
		n = 0;
	}
	close(fd);
	buf[n] = '\0';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return ret;
}

/* ------------------------------------------------------------ cgroups */

static int cg_write(const char *dir, const char *file, const char *val)
{
	char path[192];
	int ret;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	ret = demo_write_file(path, val);
	if (ret)
		demo_fail(-ret, NULL, "cannot write \"%s\" to %s", val, path);
	return ret;
}

/* 1 when processes live in the cgroup @path, 0 when none (or no cgroup). */
static int cg_populated(const char *path)
{
	char file[256], buf[64];

	snprintf(file, sizeof(file), "%s/cgroup.procs", path);
	if (demo_read_file(file, buf, sizeof(buf)))
		return 0;
	return buf[0] != '\0';
}

/* Remove a leaf cgroup: kill what is inside, then rmdir until it goes. */
static int cg_remove(const char *path)
{
	char kill_path[192];
	int i, ret = 0;

	snprintf(kill_path, sizeof(kill_path), "%s/cgroup.kill", path);
	demo_write_file(kill_path, "1");
	/* The last processes leave a moment after they are killed. */
	for (i = 0; i < 1000; i++) {
		ret = rmdir(path) ? -errno : 0;
		if (ret != -EBUSY)
			break;
		usleep(2000);
	}
	return ret == -ENOENT ? 0 : ret;
}

int demo_cgroup_prepare(void)
{
	static const char *const stale[] = { "agent1", "agent2" };
	char path[192];
	unsigned int i;
	int ret;

	if (access(DEMO_CG_ROOT "/cgroup.subtree_control", W_OK)) {
		ret = -errno;
		demo_fail(-ret, "cgroup v2 must be mounted at " DEMO_CG_ROOT
			  " and writable (run as root)",
			  "cannot use " DEMO_CG_ROOT "/cgroup.subtree_control");
		return ret;
	}
	ret = cg_write(DEMO_CG_ROOT, "cgroup.subtree_control",
		       DEMO_CG_CONTROLLERS);
	if (ret)
		return ret;
	if (mkdir(DEMO_CG_DIR, 0755) && errno != EEXIST) {
		ret = -errno;
		demo_fail(-ret, NULL, "cannot create " DEMO_CG_DIR);
		return ret;
	}
	/* What a run that died left behind. */
	for (i = 0; i < DEMO_ARRAY_SIZE(stale); i++) {
		snprintf(path, sizeof(path), DEMO_CG_DIR "/%s", stale[i]);
		if (cg_populated(path)) {
			demo_fail(0, "is another llmsched-demo running? if not, remove it by hand",
				  "%s is in use", path);
			return -EBUSY;
		}
		ret = cg_remove(path);
		if (ret) {
			demo_fail(-ret, "remove it by hand, then run again",
				  "cannot remove the stale cgroup %s", path);
			return ret;
		}
	}
	return cg_write(DEMO_CG_DIR, "cgroup.subtree_control",
			DEMO_CG_CONTROLLERS);
}

int demo_cgroup_create(struct demo_cgroup *cg, const char *name, __u64 cpu,
		       __u64 mem)
{
	char val[64];
	int ret;

	cg->fd = -1;
	snprintf(cg->path, sizeof(cg->path), DEMO_CG_DIR "/%s", name);
	if (mkdir(cg->path, 0755)) {
		ret = -errno;
		demo_fail(-ret, NULL, "cannot create the cgroup %s", cg->path);
		cg->path[0] = '\0';
		return ret;
	}
	/* cpu.max: QUOTA PERIOD, a millicore being a thousandth of a period. */
	snprintf(val, sizeof(val), "%llu %llu",
		 (unsigned long long)(cpu * DEMO_CPU_PERIOD_US / 1000),
		 (unsigned long long)DEMO_CPU_PERIOD_US);
	ret = cg_write(cg->path, "cpu.max", val);
	if (ret)
		goto err;
	snprintf(val, sizeof(val), "%llu", (unsigned long long)mem);
	ret = cg_write(cg->path, "memory.max", val);
	if (ret)
		goto err;
	cg->fd = open(cg->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg->fd < 0) {
		ret = -errno;
		demo_fail(-ret, NULL, "cannot open %s", cg->path);
		goto err;
	}
	return 0;
err:
	demo_cgroup_destroy(cg);
	return ret;
}

int demo_cgroup_destroy(struct demo_cgroup *cg)
{
	int ret;

	if (cg->fd >= 0)
		close(cg->fd);
	cg->fd = -1;
	if (!cg->path[0])
		return 0;
	ret = cg_remove(cg->path);
	if (ret)
		demo_fail(-ret, NULL, "cannot remove the cgroup %s", cg->path);
	cg->path[0] = '\0';
	return ret;
}

int demo_cgroup_finish(void)
{
	int ret = rmdir(DEMO_CG_DIR) ? -errno : 0;

	if (ret && ret != -ENOENT) {
		demo_fail(-ret, NULL, "cannot remove " DEMO_CG_DIR);
		return ret;
	}
	return 0;
}

/* ------------------------------------------------------------- clone3 */

pid_t demo_clone_into_cgroup(int cgroup_fd)
{
	struct clone_args args;
	long ret;

	memset(&args, 0, sizeof(args));
	args.flags = CLONE_INTO_CGROUP;
	args.exit_signal = SIGCHLD;
	args.cgroup = (__u64)cgroup_fd;
	/* The child gets a copy of what stdio has not written yet. */
	fflush(stdout);
	fflush(stderr);
	/* Debian 12's glibc has no clone3() wrapper. */
	ret = syscall(SYS_clone3, &args, sizeof(args));
	return ret < 0 ? -errno : (pid_t)ret;
}
