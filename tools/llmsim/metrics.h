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

/* Agent classes (equal capacity and tags) the bound tells apart. */
#define LB_MAX_CLASSES		12

/*
 * The terms of the lower bound, each a time no schedule can beat.  Work
 * terms hold per set S of agent classes: the tasks that only S's agents
 * can hold, arriving from time a on, cannot be done before a plus their
 * work over S's capacity (per resource kind, and per slot).
 */
enum lb_term {
	LB_PATH = 0,		/* arrival + chain of actual times */
	LB_CPU, LB_MEM, LB_GPU, LB_GPUMEM,	/* work / capacity */
	LB_SLOTS,		/* sum of run times / slots */
	LB_USER,		/* a user's run times / its max_active */
	LB_NR,
};

struct lower_bound {
	uint64_t total;		/* the bound: max of the terms */
	enum lb_term binds;	/* the term that gives it */
	uint64_t term[LB_NR];	/* each term at its best */
	uint64_t set[LB_NR];	/* work terms: the class set (bit per class) */
	uint32_t user[LB_NR];	/* LB_USER: the user */
	unsigned int nclasses;	/* classes told apart (others: merged) */
	uint64_t all;		/* the set of every class */
	/* kept for callers of the older fields */
	uint64_t path, cpu, mem, gpu, gpumem, slots;
};

/*
 * Lower bound on the completion time of the last task (same origin as
 * the trace's times, t = 0): no schedule can finish earlier.  Needs
 * t->order (trace_finish()); scratch is allocated internally.
 */
void lower_bound(const struct trace *t, struct lower_bound *lb);

/* "path", "cpu", ..., "user limit". */
const char *lb_term_name(enum lb_term term);

/* The binding term in words: "gpu work on 2 of 4 agent classes", ... */
void lb_describe(const struct trace *t, const struct lower_bound *lb,
		 char *buf, size_t len);

/*
 * The agent class of each agent (equal cpu, mem, gpu, gpumem, tags), 0..,
 * at most @max classes (further agents share the last); @cls has room for
 * t->nagents entries.  Returns the number of classes.
 */
unsigned int agent_classes(const struct trace *t, unsigned int max,
			   unsigned int *cls);

/*
 * The distinct agent shapes (capacity and tags): @shape_of[i] for agent i,
 * @rep[s] the first agent of shape s (both with room for t->nagents).
 * Returns their number.
 */
unsigned int agent_shapes(const struct trace *t, unsigned int *shape_of,
			  size_t *rep);

/*
 * The classes (shapes, the ones from @max on merged into the last) that
 * can hold task @k, a bit each.
 */
uint64_t task_classes(const struct trace *t, const struct sim_task *k,
		      const size_t *rep, unsigned int nshapes,
		      unsigned int max);

/* Can an agent hold task @k (capacity and tags)? */
int task_fits_agent(const struct sim_task *k, const struct sim_agent *a);

#endif /* _LLMSIM_METRICS_H */
