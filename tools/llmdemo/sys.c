// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched-demo: the demo's own helpers: messages, the clock, a process's
 * name.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

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
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return (int)n;
	while (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	return 0;
}
