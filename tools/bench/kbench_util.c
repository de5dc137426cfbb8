// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched-bench-kernel: timing helpers shared by the kernel measurements
 * and the broker baseline.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kbench.h"

int kb_stamps_map(struct kb_stamps *st, unsigned int cap)
{
	size_t len = (size_t)cap * sizeof(uint64_t);
	void *p;

	p = mmap(NULL, 2 * len, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	/* Touch every page now, not in the middle of a round trip. */
	memset(p, 0, 2 * len);
	st->cap = cap;
	st->t_submit = p;
	st->t_fetch = (uint64_t *)p + cap;
	return 0;
}

void kb_stamps_unmap(struct kb_stamps *st)
{
	if (st->t_submit)
		munmap(st->t_submit, 2 * (size_t)st->cap * sizeof(uint64_t));
	st->t_submit = NULL;
	st->t_fetch = NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double kb_median(double *v, size_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	if (n % 2)
		return v[n / 2];
	return (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Nearest-rank percentile of sorted samples. */
static double pct(const uint64_t *s, size_t n, double p)
{
	size_t rank = (size_t)(p * n + 0.999999);

	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return (double)s[rank - 1];
}

int kb_lat_summarize(const struct kb_stamps *st, unsigned int warmup,
		     unsigned int total, struct kb_lat *out)
{
	unsigned int i, n = total - warmup;
	uint64_t *s;
	double sum = 0;

	if (total <= warmup || total > st->cap) {
		snprintf(out->err, sizeof(out->err), "no samples");
		return -1;
	}
	s = malloc(n * sizeof(*s));
	if (!s) {
		snprintf(out->err, sizeof(out->err), "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++) {
		uint64_t a = st->t_submit[warmup + i];
		uint64_t b = st->t_fetch[warmup + i];

		if (!a || !b || b < a) {
			snprintf(out->err, sizeof(out->err),
				 "round trip %u has no valid time stamps",
				 warmup + i);
			free(s);
			return -1;
		}
		s[i] = b - a;
		sum += (double)s[i];
	}
	qsort(s, n, sizeof(*s), cmp_u64);
	out->n = n;
	out->min_ns = (double)s[0];
	out->max_ns = (double)s[n - 1];
	out->p50_ns = pct(s, n, 0.50);
	out->p90_ns = pct(s, n, 0.90);
	out->p99_ns = pct(s, n, 0.99);
	out->mean_ns = sum / n;
	out->ok = true;
	free(s);
	return 0;
}

int kb_stat_open(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* The state letter of /proc/PID/stat: the field after "(comm) ". */
static char stat_state(int fd)
{
	char buf[512];
	ssize_t n;
	char *p;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return '?';
	buf[n] = '\0';
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || !p[2])
		return '?';
	return p[2];
}

bool kb_wait_asleep(int fd, unsigned int timeout_ms)
{
	uint64_t deadline = kb_now_ns() + (uint64_t)timeout_ms * 1000000ull;
	char s;

	if (fd < 0)
		return false;
	for (;;) {
		s = stat_state(fd);
		if (s == 'S' || s == 'D')
			return true;
		if (s == '?' || kb_now_ns() > deadline)
			return false;
		/* It may be waiting for this CPU. */
		sched_yield();
	}
}

int kb_pin(pid_t pid, int cpu)
{
	cpu_set_t set;
	long n = sysconf(_SC_NPROCESSORS_CONF), i;

	CPU_ZERO(&set);
	if (cpu >= 0)
		CPU_SET(cpu, &set);
	else
		for (i = 0; i < n && i < CPU_SETSIZE; i++)
			CPU_SET(i, &set);
	return sched_setaffinity(pid, sizeof(set), &set) ? -errno : 0;
}
