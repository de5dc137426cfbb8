// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched-demo: the demo's own helpers: messages, the clock, a process's
 * name, clone3.
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

int demo_read_comm(pid_t pid, char *buf, size_t len)
{
	char path[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	while (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
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
