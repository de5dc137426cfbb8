/* SPDX-License-Identifier: GPL-2.0 */
/*
 * llmschedd's load measurement (loadprobe.c): each agent's load, measured
 * every load_interval, reported to the module in one
 * LLMSCHED_IOC_LOAD_REPORT, and written to STATE_DIR/load.json; with
 * resize = on, the resizes that follow from it.
 *
 * The figure, per agent i, per interval of length dt (per mille, fixed
 * point, 1000 = busy on all of its CPU reservation):
 *
 *	raw_i = 1000 * (run_i + wait_i * load_wait_weight / 1000)
 *		     / (cpu_i * dt)
 *	L_i   = (L_i * load_window + raw_i * dt) / (load_window + dt)
 *
 * run_i: CPU time its tasks used in dt; wait_i: time they were runnable
 * without a CPU (run-queue latency summed over its tasks, cpu.max
 * throttling included); cpu_i: its reservation in CPUs now.  L_i is an
 * exponentially weighted mean with time constant load_window (0: raw_i as
 * it is), kept with three more decimals inside, rounded and capped at
 * 65535 in the report.
 *
 * Sources.  "bpf": runtime/bpf/load_probe.bpf.c, on the scheduler's
 * tracepoints, loaded at start.  "cgroup", where BPF cannot load (no BTF,
 * no privilege) or load_probe = off: run_i from the agent cgroup's
 * cpu.stat usage_usec, wait_i from its cpu.pressure "some" total (the
 * time at least one task waited: the same as the sum while one task
 * waits at a time, less when several do).  The log says once which.
 */
#ifndef LLMSCHEDD_LOADPROBE_H
#define LLMSCHEDD_LOADPROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/cgroup.h"
#include "../lib/error.h"
#include "config.h"

/* The file the figures are in, in the state folder (admin guide). */
#define LLMSD_LOAD_FILE "load.json"
/*
 * How often throttling is read, resizes are decided and load.json is
 * written: slower than the figure, which the module's balancer needs
 * fast; an operator's view and a resize do not.
 */
#define LLMSD_LOAD_DECIDE_MS 250

struct llmsd_load;

/* One agent, as the supervisor knows it at a step. */
struct llmsd_load_agent {
	const char *name;	/* its folder below the root: NAME-I */
	uint32_t agent_id;	/* the module's id; 0: not up, skipped */
	uint64_t cpu;		/* its reservation now, millicores */
	uint64_t base_cpu;	/* its configured reservation */
};

/* A resize that llmsd_load_decide() asks for. */
struct llmsd_load_resize {
	size_t index;		/* into the agents given */
	uint64_t cpu;		/* the new reservation, millicores */
};

/*
 * Start measuring the agents below @root (the daemon's cgroup root), from
 * the probe when @cfg allows and it loads, else from the cgroups.  0, or
 * -errno when neither can run (no memory).
 */
int llmsd_load_open(struct llmsd_load **lp, const struct llmsd_config *cfg,
		    const struct llms_cgroup *root, struct llms_error **err);

/* "bpf" or "cgroup". */
const char *llmsd_load_source(const struct llmsd_load *lp);

/*
 * One interval: measure the @n @agents, smooth, and report them all in
 * one call on @fd.  @now_ns: CLOCK_MONOTONIC.
 */
void llmsd_load_step(struct llmsd_load *lp, int fd,
		     const struct llmsd_load_agent *agents, size_t n,
		     uint64_t now_ns);

/*
 * Every LLMSD_LOAD_DECIDE_MS: read the agents' throttling, write
 * load.json, and, with resize = on, put at most @room resizes in @out
 * (one per agent at most): an agent throttled while the host has idle
 * CPU grows by resize_step, an idle one shrinks toward its configured
 * size.  @free_cpu: the host's CPU the module has not given to agents.
 * Returns how many.
 */
size_t llmsd_load_decide(struct llmsd_load *lp,
			 const struct llmsd_load_agent *agents, size_t n,
			 uint64_t free_cpu, uint64_t now_ns,
			 struct llmsd_load_resize *out, size_t room);

/* What became of a resize asked for: 0, or the errno the module gave. */
void llmsd_load_resized(struct llmsd_load *lp, uint32_t agent_id, bool grow,
			int ret);

/* Stop: the probe is detached and unloaded, load.json removed. */
void llmsd_load_close(struct llmsd_load *lp);

#endif /* LLMSCHEDD_LOADPROBE_H */
