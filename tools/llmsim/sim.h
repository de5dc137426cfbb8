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
	int dag_rank;		/* engine tunable dag_rank */
	int fit;		/* refit the estimator online (RLS) */
	uint64_t tick_ns;	/* balance tick period, 0: no ticks */
	uint64_t start_delay_ns; /* assignment -> start on the agent */
	uint64_t age_ns;	/* MLFQ aging step, 0: the engine's default */
	int preempt;		/* trace's preempt=1 tasks are preemptible */
	uint64_t freeze_delay_ns; /* freeze (thaw) asked -> frozen (thawed) */
	uint64_t load_interval_ns; /* measured loads fed this often, 0: never */
	uint64_t load_window_ns; /* ... each the mean over this window */
	int no_balance;		/* never call lsc_balance() */
	FILE *events;		/* print event lines here, or NULL */
};

#define SIM_NR_PRIO	(TRACE_MAX_PRIO + 1)
/* Tenths of the makespan: shares and estimate errors over time. */
#define SIM_WINDOWS	10

struct sim_pct {
	uint64_t n;
	uint64_t p50, p95, p99, max;	/* ns */
};

struct sim_user_share {
	double mean;			/* time-average dominant share */
	double backlogged;		/* while it had RUNNABLE tasks */
	double window[SIM_WINDOWS];	/* time-average per tenth */
	uint64_t tasks;
};

struct sim_mlfq_level {
	uint64_t n;
	uint64_t max_wait;		/* ns, longest queue wait */
	uint64_t bound;			/* ns, (top level - level) * age */
};

struct sim_est_window {
	uint64_t n;			/* tasks estimated from features */
	double mape;			/* mean |est - act| / act */
	double median;			/* median of the same */
};

struct sim_result {
	uint32_t policy;
	uint64_t makespan;		/* ns, completion of the last task */
	double util[LSC_NR_RES];	/* sum(demand*actual)/(cap*makespan) */
	double util_slots;
	struct sim_pct qwait[SIM_NR_PRIO];	/* runnable -> assigned */
	struct sim_pct dwait[SIM_NR_PRIO];	/* arrival -> runnable */
	double imbalance_mean;		/* mean pairwise load diff, per-mille */
	double imbalance_max;
	double imbalance_p99;		/* over the ticks (nearest rank) */
	double imbalance_window[SIM_WINDOWS];	/* mean per tenth */
	double use_imbalance_mean;	/* the same over real CPU use */
	double use_imbalance_p99;
	int no_balance;			/* run without lsc_balance() */
	uint64_t reports;		/* load reports fed (per agent: one) */
	double cpu_wait;		/* CPU demanded that waited, fraction */
	uint64_t ticks;
	double share_jain;		/* mean over ticks, backlogged users */
	struct sim_user_share *users;	/* t->nusers entries (caller frees) */
	double idle_fit_s;		/* agent-seconds idle beside fitting work */
	double idle_fit_strict_s;	/* of which behind a head, no backfill */
	uint64_t parked_max;		/* most tasks parked at once */
	struct sim_mlfq_level level[SIM_NR_PRIO];
	unsigned int top_level;
	int estimated;			/* tasks were estimated from features */
	struct sim_est_window est[SIM_WINDOWS];
	uint64_t migrations;
	uint64_t backfilled;
	uint64_t completed;
	uint64_t failed;
	uint64_t dispatches;
	uint64_t overruns;
	uint64_t preemptions;		/* freeze rounds (one per head) */
	uint64_t freezes;		/* tasks asked to freeze */
	uint64_t frozen;		/* of which froze (the rest ended first) */
	uint64_t thaws;
	double wall_s;			/* host time the run took */
};

/*
 * Run one policy over the (finished) trace with a fresh engine and fresh
 * task objects.  Return 0, or -1 with a message on stderr when the engine
 * refused an input (a bug in llmsim or the engine).  res->users is
 * allocated; free it with sim_result_free().
 */
int sim_run(const struct trace *t, const struct sim_opts *o,
	    struct sim_result *res);
void sim_result_free(struct sim_result *res);

/* Printable name of a policy / choice as used on the command line. */
const char *sim_policy_name(uint32_t policy);
const char *sim_choice_name(uint32_t choice);

#endif /* _LLMSIM_SIM_H */
