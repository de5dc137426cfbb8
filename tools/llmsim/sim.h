/* SPDX-License-Identifier: GPL-2.0 */
/*
 * llmsim: the discrete-event loop around the real engine (kmod/core/).
 */
#ifndef _LLMSIM_SIM_H
#define _LLMSIM_SIM_H

#include <stdint.h>
#include <stdio.h>

#include "trace.h"
#include "core/engine.h"

struct sim_opts {
	uint32_t policy;	/* enum lsc_policy */
	uint32_t choice;	/* enum lsc_agent_choice */
	int backfill;		/* 0: backfill_depth = 0 */
	uint64_t tick_ns;	/* balance tick period, 0: no ticks */
	uint64_t start_delay_ns; /* assignment -> start on the agent */
	FILE *events;		/* print event lines here, or NULL */
};

#define SIM_NR_PRIO	(TRACE_MAX_PRIO + 1)

struct sim_prio_wait {
	uint64_t n;
	uint64_t p50, p95, p99;	/* ns */
};

struct sim_result {
	uint32_t policy;
	uint64_t makespan;		/* ns, completion of the last task */
	double util[LSC_NR_RES];	/* sum(demand*actual)/(cap*makespan) */
	double util_slots;
	struct sim_prio_wait wait[SIM_NR_PRIO];
	double imbalance_mean;		/* mean pairwise load diff, per-mille */
	double imbalance_max;
	uint64_t ticks;
	double jain;			/* over users' mean bounded slowdown */
	uint64_t migrations;
	uint64_t backfilled;
	uint64_t completed;
	uint64_t failed;
	uint64_t dispatches;
	double wall_s;			/* host time the run took */
};

/*
 * Run one policy over the (finished) trace with a fresh engine and fresh
 * task objects.  Return 0, or -1 with a message on stderr when the engine
 * refused an input (a bug in llmsim or the engine).
 */
int sim_run(const struct trace *t, const struct sim_opts *o,
	    struct sim_result *res);

/* Printable name of a policy / choice as used on the command line. */
const char *sim_policy_name(uint32_t policy);
const char *sim_choice_name(uint32_t choice);

#endif /* _LLMSIM_SIM_H */
