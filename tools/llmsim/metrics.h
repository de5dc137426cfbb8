/* SPDX-License-Identifier: GPL-2.0 */
/*
 * llmsim: metric helpers, kept apart from the event loop so that the unit
 * tests can check them on known inputs.
 */
#ifndef _LLMSIM_METRICS_H
#define _LLMSIM_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "trace.h"

/*
 * Nearest-rank percentile of @v (n values, sorted in place): the value
 * at rank ceil(p/100 * n), 1-based; p in (0, 100].  0 when n == 0.
 */
uint64_t pct_nearest_rank(uint64_t *v, size_t n, double p);

/* Sort helper used by pct_nearest_rank() (radix sort, O(n)). */
void sort_u64(uint64_t *v, size_t n);

/*
 * Jain's fairness index (sum x)^2 / (n * sum x^2) of n non-negative values:
 * 1 when all are equal, 1/n when one value holds everything.  1 for n == 0
 * or all zero.
 */
double jain_index(const double *x, size_t n);

/*
 * Bounded slowdown of one task: (wait + run) / max(run, tau), at least 1.
 * llmsim uses tau = 10 s.
 */
double bounded_slowdown(uint64_t wait_ns, uint64_t run_ns, uint64_t tau_ns);

#define SLOWDOWN_TAU_NS	(10ULL * 1000000000ULL)

struct lower_bound {
	uint64_t total;		/* the bound: max of the ones below */
	uint64_t path;		/* longest arrival + chain of actual times */
	uint64_t cpu;		/* first arrival + total cpu work / capacity */
	uint64_t mem;
	uint64_t gpu;
	uint64_t gpumem;
	uint64_t slots;		/* first arrival + sum(actual) / slots */
};

/*
 * Lower bound on the completion time of the last task (same origin as
 * the trace's times, t = 0): no schedule can finish earlier.  Needs
 * t->order (trace_finish()); scratch is allocated internally.
 */
void lower_bound(const struct trace *t, struct lower_bound *lb);

#endif /* _LLMSIM_METRICS_H */
