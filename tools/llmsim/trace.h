/* SPDX-License-Identifier: GPL-2.0 */
/*
 * llmsim: the trace (tasks and agents) as parsed from text.
 *
 * Format (Documentation/scheduling/simulator.rst): one record a line,
 * whitespace-separated key=value fields after a record word, '#' starts a
 * comment:
 *
 *	agent id=1 cpu=4 mem=8G [gpu=1 gpumem=80G slots=1 tags=a100,nvme]
 *	task id=1 at=0 user=alice prio=3 cpu=2 mem=4G est=10 [act=12.5]
 *	     [gpu=1 gpumem=16G deps=3,4 tags=a100 feat=12000,7 preempt=1
 *	      use=1.5]
 *	     (est may be left out when feat is given: the engine's estimator
 *	     then estimates it, see simulator.rst)
 *	user name=alice max_active=4
 *
 * Units: cpu in cores (decimals or an 'm' suffix for millicores; kept as
 * millicores), memory in bytes with K/M/G/T (powers of 1024), times in
 * seconds (decimals, or ms/us/ns suffixes; kept as nanoseconds).
 */
#ifndef _LLMSIM_TRACE_H
#define _LLMSIM_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "core/engine.h"

#define TRACE_MAX_TAGS		64
#define TRACE_MAX_PRIO		255	/* prio=0..255, higher runs first */
/* use=: CPU a task really uses per 1000 it demands (1 = as reserved). */
#define TRACE_USE_ONE		1000
#define TRACE_USE_MAX		64000
#define TRACE_DEFAULT_PRIO	LSC_PRIO_DEFAULT	/* 100 */
#define TRACE_ERR_LEN		256
#define TRACE_MAX_FEATURES	8

struct sim_task {
	uint64_t id;
	uint64_t arrival;	/* ns */
	uint64_t est;		/* ns; 0: estimate from the features */
	uint64_t act;		/* ns */
	uint64_t cpu;		/* millicores */
	uint64_t mem;		/* bytes */
	uint64_t gpumem;	/* bytes */
	uint64_t tags;		/* bit i: trace tag i */
	uint32_t user;		/* index into trace.users */
	uint32_t gpu;
	uint32_t prio;
	uint32_t ndeps;
	uint32_t dep_off;	/* into trace.deps (task indices) */
	uint32_t nfeat;
	uint32_t feat_off;	/* into trace.feats */
	uint32_t preempt;	/* preempt=1: LSC_TASK_F_PREEMPTIBLE */
	uint32_t use;		/* CPU used per 1000 demanded (use=) */
	uint32_t line;
};

struct sim_agent {
	uint64_t id;
	uint64_t cpu;		/* millicores */
	uint64_t mem;
	uint64_t gpumem;
	uint64_t tags;
	uint32_t gpu;
	uint32_t slots;
	uint32_t line;
};

struct trace_err {
	char file[128];
	unsigned long line;
	char msg[TRACE_ERR_LEN];
};

struct trace {
	struct sim_task *tasks;
	size_t ntasks, cap_tasks;
	struct sim_agent *agents;
	size_t nagents, cap_agents;
	uint32_t *deps;		/* task indices */
	size_t ndeps, cap_deps;
	uint64_t *feats;	/* estimator features */
	size_t nfeats, cap_feats;
	unsigned int max_nfeat;	/* most features of a task */
	char **users;
	uint32_t *user_max_active;	/* "user name=.. max_active=N", 0 */
	size_t nusers, cap_users;
	char *tags[TRACE_MAX_TAGS];
	unsigned int ntags;
	/* task id -> index, open addressing */
	uint64_t *hkeys;
	uint32_t *hvals;
	size_t hcap;
	/* tasks in arrival order (stable): filled by trace_finish() */
	uint32_t *order;
};

void trace_init(struct trace *t);
void trace_free(struct trace *t);

/*
 * Parse one line (no trailing newline needed).  Return 0, or -1 with err
 * filled (err->line = lineno).  @only_agents: accept agent lines only.
 */
int trace_parse_line(struct trace *t, char *line, unsigned long lineno,
		     int only_agents, struct trace_err *err);

/* Parse a whole file ("-" is standard input). */
int trace_parse_file(struct trace *t, const char *path, int only_agents,
		     struct trace_err *err);

/* Parse a NUL-terminated text as if it were a file called @name. */
int trace_parse_string(struct trace *t, const char *name, const char *text,
		       int only_agents, struct trace_err *err);

/*
 * After all input: sort arrivals, and check that every task fits at least
 * one agent (an error names the task's line).  Return 0 or -1.
 */
int trace_finish(struct trace *t, struct trace_err *err);

/* Index of task @id, or -1. */
long trace_find(const struct trace *t, uint64_t id);

/* Tag bit for @name, -1 if unknown. */
int trace_tag(const struct trace *t, const char *name);

/* "10", "1.5", "250ms", "20us", "5ns", "3s" -> ns.  Return 0 or -1. */
int trace_parse_time(const char *s, uint64_t *out);

/* Formatting helpers for messages and the generator. */
void trace_fmt_time(char *buf, size_t len, uint64_t ns);

#endif /* _LLMSIM_TRACE_H */
