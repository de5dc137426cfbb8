/* SPDX-License-Identifier: GPL-2.0 */
/*
 * llmschedd: what the host can give the agents, found at start-up and
 * registered with the module as the host capacity.
 *
 *	CPUs	the CPUs the daemon may run on (sched_getaffinity(): its
 *		cpuset), 1000 millicores each, bounded by the cpu.max of
 *		the daemon's own cgroup and of each of its ancestors (the
 *		smallest quota / period of them); the agents' folders live
 *		in the subtree delegated to the daemon, so these bind them
 *		too.
 *	memory	MemTotal of /proc/meminfo less the configured
 *		memory_reserve (the host's own share, see config.h),
 *		bounded by the smallest memory.max of the daemon's cgroup
 *		and its ancestors.
 *	GPUs	the number of /dev/nvidia0, /dev/nvidia1, ... nodes; none is
 *		fine.  GPU memory is 0: it is not known from device nodes
 *		(a later change asks the driver).
 *
 * The paths are injectable (struct llmsd_host_paths) so that the unit
 * tests feed a fake /proc/meminfo, cgroup tree and /dev from a folder.
 *
 * Thread safety: no shared state; any thread.
 */
#ifndef LLMSCHED_LLMSCHEDD_CAPACITY_H
#define LLMSCHED_LLMSCHEDD_CAPACITY_H

#include <stddef.h>
#include <stdint.h>

#include "../lib/error.h"

struct llmsd_config;

/* The highest CPU number + 1 the daemon knows of (cpusets, affinity). */
#define LLMSD_CPU_MAX 4096
#define LLMSD_CPU_WORDS (LLMSD_CPU_MAX / 64)

/* A set of CPUs, bit N for CPU N. */
struct llmsd_cpumask {
	uint64_t bits[LLMSD_CPU_WORDS];
};

/*
 * The host's capacity.
 * @cpu: millicores the agents may reserve altogether.
 * @mem: bytes the agents may reserve altogether.
 * @gpu, @gpu_mem: GPUs and their memory (0: unknown or none).
 * @cpus: the usable CPU list ("0-7"), as cpuset.cpus writes it.
 * @ncpus: how many CPUs that is.
 * @mem_total: MemTotal, in bytes.
 * @mem_reserve: the reserve taken off it, in bytes (the configured one,
 *	or what "auto" came to).
 * @mem_cgroup: the smallest memory.max on the daemon's cgroup path,
 *	UINT64_MAX when none.
 * @cpu_cgroup: the smallest cpu.max bound there, in millicores,
 *	UINT64_MAX when none.
 * @mask: @cpus as a set.
 */
struct llmsd_capacity {
	uint64_t cpu;
	uint64_t mem;
	uint64_t gpu, gpu_mem;
	char cpus[256];
	unsigned int ncpus;
	uint64_t mem_total;
	uint64_t mem_reserve;
	uint64_t mem_cgroup;
	uint64_t cpu_cgroup;
	struct llmsd_cpumask mask;
};

/*
 * Where llmsd_capacity_discover_at() looks; NULL members are the real
 * ones.
 * @proc: /proc (meminfo, self/cgroup).
 * @cgroup: the cgroup2 mount, /sys/fs/cgroup.
 * @dev: /dev.
 * @affinity: a CPU list to use instead of sched_getaffinity().
 */
struct llmsd_host_paths {
	const char *proc;
	const char *cgroup;
	const char *dev;
	const char *affinity;
};

/*
 * Fill @cap for the configuration @c (its memory_reserve).  Errors:
 * what reading /proc/meminfo or the affinity gives; EINVAL for a meminfo
 * without MemTotal, or a memory_reserve that leaves no memory; E2BIG
 * when the usable CPU list does not fit in @cap->cpus.  A cgroup file
 * that is missing or unreadable is no bound (cgroup v1, a controller
 * not enabled, the root).
 */
int llmsd_capacity_discover(const struct llmsd_config *c,
			    struct llmsd_capacity *cap,
			    struct llms_error **err);
int llmsd_capacity_discover_at(const struct llmsd_config *c,
			       const struct llmsd_host_paths *paths,
			       struct llmsd_capacity *cap,
			       struct llms_error **err);

/*
 * Parse the CPU list @s ("0-3,6"; "" is the empty set; one trailing
 * newline is allowed, as cgroup files have) into @mask: comma-separated
 * CPUs and ranges N-M with N <= M < LLMSD_CPU_MAX, no spaces, no
 * strides.  0 or -EINVAL with a message that quotes @s.
 */
int llmsd_cpulist_parse(const char *s, struct llmsd_cpumask *mask,
			struct llms_error **err);

/* The CPUs in @mask as a list ("0-3,6") in @buf, as snprintf(). */
int llmsd_cpulist_format(const struct llmsd_cpumask *mask, char *buf,
			 size_t size);

/* How many CPUs @mask holds. */
unsigned int llmsd_cpumask_weight(const struct llmsd_cpumask *mask);

#endif /* LLMSCHED_LLMSCHEDD_CAPACITY_H */
