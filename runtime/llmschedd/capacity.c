// SPDX-License-Identifier: GPL-2.0
/*
 * llmschedd: the host's capacity.  See capacity.h.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/units.h"
#include "capacity.h"
#include "config.h"

/* The largest /proc or cgroup file read here: meminfo is about 1.5 KiB. */
#define SMALL_FILE_MAX (1u << 20)

/* ------------------------------------------------------------ CPU lists */

static void quote(char *dst, size_t size, const char *s)
{
	size_t i, n = strlen(s), max = size - 4;

	for (i = 0; i < n && i < max; i++)
		dst[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (n > max) {
		memcpy(dst + i, "...", 3);
		i += 3;
	}
	dst[i] = '\0';
}

/* Digits at *@p as a CPU number; -1 when none or too many. */
static long cpu_number(const char **p)
{
	long n = 0;

	if (**p < '0' || **p > '9')
		return -1;
	while (**p >= '0' && **p <= '9') {
		n = n * 10 + (**p - '0');
		if (n > 1000000)
			return LLMSD_CPU_MAX;
		(*p)++;
	}
	return n;
}

int llmsd_cpulist_parse(const char *s, struct llmsd_cpumask *mask,
			struct llms_error **err)
{
	const char *p = s;
	long lo, hi, i;
	char q[48];

	memset(mask, 0, sizeof(*mask));
	if (!*s || !strcmp(s, "\n"))
		return 0;
	quote(q, sizeof(q), s);
	for (;;) {
		lo = hi = cpu_number(&p);
		if (lo < 0)
			goto syntax;
		if (*p == '-') {
			p++;
			hi = cpu_number(&p);
			if (hi < 0)
				goto syntax;
			if (hi < lo)
				return llms_error_set(err, EINVAL,
						      "'%s': the range %ld-%ld goes down: write it low-high",
						      q, lo, hi);
		}
		if (hi >= LLMSD_CPU_MAX)
			return llms_error_set(err, ERANGE,
					      "'%s': CPU %ld: CPUs are numbered below %d",
					      q, hi, LLMSD_CPU_MAX);
		for (i = lo; i <= hi; i++)
			mask->bits[i / 64] |= 1ULL << (i % 64);
		if (*p == ',') {
			p++;
			continue;
		}
		if (!*p || (p[0] == '\n' && !p[1]))
			return 0;
		goto syntax;
	}
syntax:
	return llms_error_set(err, EINVAL,
			      "'%s': not a CPU list: use CPUs and ranges such as 0-3,6",
			      q);
}

static bool cpu_isset(const struct llmsd_cpumask *mask, unsigned int cpu)
{
	return mask->bits[cpu / 64] & (1ULL << (cpu % 64));
}

int llmsd_cpulist_format(const struct llmsd_cpumask *mask, char *buf,
			 size_t size)
{
	unsigned int cpu = 0, end;
	size_t used = 0;
	int n;

	if (size)
		buf[0] = '\0';
	while (cpu < LLMSD_CPU_MAX) {
		if (!cpu_isset(mask, cpu)) {
			cpu++;
			continue;
		}
		for (end = cpu; end + 1 < LLMSD_CPU_MAX &&
				cpu_isset(mask, end + 1); end++)
			;
		if (end == cpu)
			n = snprintf(buf + (used < size ? used : size),
				     used < size ? size - used : 0, "%s%u",
				     used ? "," : "", cpu);
		else
			n = snprintf(buf + (used < size ? used : size),
				     used < size ? size - used : 0, "%s%u-%u",
				     used ? "," : "", cpu, end);
		used += (size_t)n;
		cpu = end + 1;
	}
	return (int)used;
}

unsigned int llmsd_cpumask_weight(const struct llmsd_cpumask *mask)
{
	unsigned int n = 0;
	size_t i;

	for (i = 0; i < LLMSD_CPU_WORDS; i++)
		n += (unsigned int)__builtin_popcountll(mask->bits[i]);
	return n;
}

/* ---------------------------------------------------------- discovery */

/* @path whole into *@text (malloc()ed, NUL-terminated); 0 or -errno. */
static int read_small(const char *path, char **text)
{
	size_t used = 0, size = 4096;
	char *buf = malloc(size), *grown;
	FILE *f;
	size_t n;

	if (!buf)
		return -ENOMEM;
	f = fopen(path, "re");
	if (!f) {
		free(buf);
		return -errno;
	}
	while ((n = fread(buf + used, 1, size - 1 - used, f)) > 0) {
		used += n;
		if (used + 1 < size)
			continue;
		if (size >= SMALL_FILE_MAX) {
			fclose(f);
			free(buf);
			return -EFBIG;
		}
		grown = realloc(buf, size * 2);
		if (!grown) {
			fclose(f);
			free(buf);
			return -ENOMEM;
		}
		buf = grown;
		size *= 2;
	}
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return -EIO;
	}
	fclose(f);
	buf[used] = '\0';
	*text = buf;
	return 0;
}

/* Digits at *@p into *@v; false when none or past UINT64_MAX. */
static bool read_u64(const char **p, uint64_t *v)
{
	uint64_t n = 0;
	const char *s = *p;

	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (n > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return false;
		n = n * 10 + (uint64_t)(*s - '0');
	}
	*p = s;
	*v = n;
	return true;
}

static int mem_total(const char *proc, uint64_t *bytes,
		     struct llms_error **err)
{
	char path[4096], *text, *line;
	const char *p;
	uint64_t kb;
	int ret;

	snprintf(path, sizeof(path), "%s/meminfo", proc);
	ret = read_small(path, &text);
	if (ret)
		return llms_error_set(err, ret, "reading %s", path);
	for (line = text; line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (strncmp(line, "MemTotal:", 9))
			continue;
		for (p = line + 9; *p == ' '; p++)
			;
		if (!read_u64(&p, &kb) || strncmp(p, " kB", 3) ||
		    (p[3] && p[3] != '\n') || kb > UINT64_MAX / 1024)
			break;
		free(text);
		*bytes = kb * 1024;
		return 0;
	}
	free(text);
	return llms_error_set(err, EINVAL,
			      "reading %s: no line 'MemTotal: N kB'", path);
}

/*
 * The limits of one cgroup folder: cpu.max as millicores and memory.max
 * as bytes, each lowering *@cpu / *@mem.  A missing file is no limit.
 */
static int folder_limits(const char *dir, uint64_t *cpu, uint64_t *mem,
			 struct llms_error **err)
{
	char path[8192 + 16], *text;
	uint64_t quota, period, v;
	const char *p;
	int ret;

	snprintf(path, sizeof(path), "%s/cpu.max", dir);
	ret = read_small(path, &text);
	if (!ret) {
		p = text;
		if (!strncmp(p, "max ", 4)) {
			p += 4;
			quota = UINT64_MAX;
		} else if (!read_u64(&p, &quota) || *p++ != ' ') {
			goto bad_cpu;
		}
		if (!read_u64(&p, &period) || !period || (*p && strcmp(p, "\n")))
			goto bad_cpu;
		if (quota != UINT64_MAX) {
			v = (uint64_t)((unsigned __int128)quota * 1000 /
				       period);
			if (v < *cpu)
				*cpu = v;
		}
		free(text);
	} else if (ret != -ENOENT && ret != -EACCES) {
		return llms_error_set(err, ret, "reading %s", path);
	}

	snprintf(path, sizeof(path), "%s/memory.max", dir);
	ret = read_small(path, &text);
	if (!ret) {
		p = text;
		if (!strcmp(p, "max\n") || !strcmp(p, "max")) {
			v = UINT64_MAX;
		} else if (!read_u64(&p, &v) || (*p && strcmp(p, "\n"))) {
			free(text);
			return llms_error_set(err, EINVAL,
					      "reading %s: not a number of bytes or max",
					      path);
		}
		if (v < *mem)
			*mem = v;
		free(text);
	} else if (ret != -ENOENT && ret != -EACCES) {
		return llms_error_set(err, ret, "reading %s", path);
	}
	return 0;

bad_cpu:
	free(text);
	return llms_error_set(err, EINVAL,
			      "reading %s: not 'QUOTA PERIOD' or 'max PERIOD'",
			      path);
}

/* The bounds of the daemon's cgroup and every ancestor's. */
static int cgroup_limits(const struct llmsd_host_paths *paths, uint64_t *cpu,
			 uint64_t *mem, struct llms_error **err)
{
	char path[4096], dir[8192], *text, *line, *end, *slash;
	int ret;

	*cpu = *mem = UINT64_MAX;
	snprintf(path, sizeof(path), "%s/self/cgroup", paths->proc);
	ret = read_small(path, &text);
	if (ret == -ENOENT)
		return 0;
	if (ret)
		return llms_error_set(err, ret, "reading %s", path);
	/* The cgroup v2 line is "0::/PATH"; without one, no cgroup v2. */
	for (line = text; line; line = end ? end + 1 : NULL) {
		end = strchr(line, '\n');
		if (end)
			*end = '\0';
		if (!strncmp(line, "0::/", 4))
			break;
	}
	if (!line) {
		free(text);
		return 0;
	}
	snprintf(dir, sizeof(dir), "%s%s", paths->cgroup, line + 3);
	free(text);
	/* Up to the mount itself, whose root has no cpu.max or memory.max. */
	for (;;) {
		if (strlen(dir) <= strlen(paths->cgroup))
			return 0;
		ret = folder_limits(dir, cpu, mem, err);
		if (ret)
			return ret;
		slash = strrchr(dir, '/');
		if (!slash)
			return 0;
		*slash = '\0';
	}
}

/* "nvidia" then digits only: a GPU, not nvidiactl or nvidia-uvm. */
static bool is_gpu_node(const char *name)
{
	const char *p;

	if (strncmp(name, "nvidia", 6) || !name[6])
		return false;
	for (p = name + 6; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

static int count_gpus(const char *dev, uint64_t *gpus, struct llms_error **err)
{
	struct dirent *d;
	DIR *dir;

	*gpus = 0;
	dir = opendir(dev);
	if (!dir) {
		if (errno == ENOENT)
			return 0;
		return llms_error_set(err, errno, "listing %s", dev);
	}
	while ((d = readdir(dir)))
		if (is_gpu_node(d->d_name))
			(*gpus)++;
	closedir(dir);
	return 0;
}

static int affinity(const struct llmsd_host_paths *paths,
		    struct llmsd_cpumask *mask, struct llms_error **err)
{
	size_t size = CPU_ALLOC_SIZE(LLMSD_CPU_MAX);
	cpu_set_t *set;
	unsigned int i;
	int ret;

	if (paths->affinity) {
		ret = llmsd_cpulist_parse(paths->affinity, mask, err);
		return ret ? llms_error_prefix(err, "the CPU affinity") : 0;
	}
	set = CPU_ALLOC(LLMSD_CPU_MAX);
	if (!set)
		return llms_error_set(err, ENOMEM, "sched_getaffinity");
	if (sched_getaffinity(0, size, set)) {
		ret = llms_error_set(err, errno, "sched_getaffinity");
		CPU_FREE(set);
		return ret;
	}
	memset(mask, 0, sizeof(*mask));
	for (i = 0; i < LLMSD_CPU_MAX; i++)
		if (CPU_ISSET_S(i, size, set))
			mask->bits[i / 64] |= 1ULL << (i % 64);
	CPU_FREE(set);
	return 0;
}

int llmsd_capacity_discover_at(const struct llmsd_config *c,
			       const struct llmsd_host_paths *given,
			       struct llmsd_capacity *cap,
			       struct llms_error **err)
{
	struct llmsd_host_paths paths = {
		.proc = given && given->proc ? given->proc : "/proc",
		.cgroup = given && given->cgroup ? given->cgroup :
						   "/sys/fs/cgroup",
		.dev = given && given->dev ? given->dev : "/dev",
		.affinity = given ? given->affinity : NULL,
	};
	char total[LLMS_UNITS_BUF], reserve[LLMS_UNITS_BUF];
	int ret, len;

	memset(cap, 0, sizeof(*cap));
	ret = affinity(&paths, &cap->mask, err);
	if (ret)
		return ret;
	cap->ncpus = llmsd_cpumask_weight(&cap->mask);
	if (!cap->ncpus)
		return llms_error_set(err, EINVAL, "no CPU to run on");
	len = llmsd_cpulist_format(&cap->mask, cap->cpus, sizeof(cap->cpus));
	if ((size_t)len >= sizeof(cap->cpus))
		return llms_error_set(err, E2BIG,
				      "the usable CPU list is longer than %zu characters",
				      sizeof(cap->cpus) - 1);

	ret = mem_total(paths.proc, &cap->mem_total, err);
	if (ret)
		return ret;
	cap->mem_reserve = c->mem_reserve;
	if (cap->mem_reserve == LLMSD_MEM_RESERVE_AUTO) {
		cap->mem_reserve = cap->mem_total / 10;
		if (cap->mem_reserve > LLMSD_MEM_RESERVE_AUTO_CAP)
			cap->mem_reserve = LLMSD_MEM_RESERVE_AUTO_CAP;
	}
	if (cap->mem_reserve >= cap->mem_total) {
		llms_format_bytes(cap->mem_total, total, sizeof(total));
		llms_format_bytes(cap->mem_reserve, reserve, sizeof(reserve));
		return llms_error_set(err, EINVAL,
				      "memory_reserve %s leaves nothing of MemTotal %s",
				      reserve, total);
	}
	cap->mem = cap->mem_total - cap->mem_reserve;

	ret = cgroup_limits(&paths, &cap->cpu_cgroup, &cap->mem_cgroup, err);
	if (ret)
		return ret;
	cap->cpu = (uint64_t)cap->ncpus * 1000;
	if (cap->cpu_cgroup < cap->cpu)
		cap->cpu = cap->cpu_cgroup;
	if (cap->mem_cgroup < cap->mem)
		cap->mem = cap->mem_cgroup;
	if (!cap->cpu)
		return llms_error_set(err, EINVAL,
				      "no CPU time: cpu.max of the daemon's cgroup gives less than a millicore");

	return count_gpus(paths.dev, &cap->gpu, err);
}

int llmsd_capacity_discover(const struct llmsd_config *c,
			    struct llmsd_capacity *cap,
			    struct llms_error **err)
{
	return llmsd_capacity_discover_at(c, NULL, cap, err);
}
