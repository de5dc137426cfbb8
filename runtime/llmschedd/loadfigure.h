/* SPDX-License-Identifier: GPL-2.0 */
/*
 * llmschedd: the load figure's arithmetic and the resize rules
 * (loadfigure.c), apart from where the numbers come from (loadprobe.c), so
 * that host unit tests check them.  The definitions are in loadprobe.h and
 * Documentation/admin-guide/llmschedd.rst ("Measured load", "Resizing by
 * load").  Pure functions: no state, any thread.
 */
#ifndef LLMSCHEDD_LOADFIGURE_H
#define LLMSCHEDD_LOADFIGURE_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A report carries an agent whose figure moved by this much (per mille)
 * since the module was last told, or that it was last told of
 * LLMSD_LOAD_KEEPALIVE_MS ago (or one load_interval, when longer): the
 * module's view is within this of the figure, and each report says the
 * keep-alive, so that the module takes a figure as fresh for four of them.
 */
#define LLMSD_LOAD_REPORT_DELTA 10
#define LLMSD_LOAD_KEEPALIVE_MS 100

/* The report's ceiling (uAPI: struct llmsched_load_entry). */
#define LLMSD_LOAD_MAX		65535
/* Inside, the mean keeps this many more decimals (x 1000). */
#define LLMSD_LOAD_SCALE	1000

/*
 * One interval's figure, per mille of @cpu millicores over @dt_ns:
 * 1000 * (run + wait * @weight / 1000) / (cpu * dt), capped at
 * LLMSD_LOAD_MAX; 0 when @cpu or @dt_ns is 0.
 */
uint64_t llmsd_load_raw(uint64_t run_ns, uint64_t wait_ns, uint32_t weight,
			uint64_t cpu, uint64_t dt_ns);

/*
 * The mean after one more interval: (prev * window + raw * dt) /
 * (window + dt), in LLMSD_LOAD_SCALE units; @raw itself (scaled) when
 * @window_ns is 0.
 */
uint64_t llmsd_load_smooth(uint64_t prev, uint64_t raw, uint64_t dt_ns,
			   uint64_t window_ns);

/* The mean as the module gets it: rounded, at most LLMSD_LOAD_MAX. */
uint32_t llmsd_load_value(uint64_t smooth);

/*
 * Whether an agent's figure @load is to go in this step's report: never
 * reported (@reported_ns 0), moved by LLMSD_LOAD_REPORT_DELTA or more
 * from @reported, or last reported a @keepalive_ns ago (half an
 * @interval_ns early, so that a step that fires a little late is no
 * miss).  @now_ns and @reported_ns on the same clock.
 */
bool llmsd_load_due(uint32_t load, uint32_t reported, uint64_t reported_ns,
		    uint64_t now_ns, uint64_t interval_ns,
		    uint64_t keepalive_ns);

/* resize = on: what one decision period said of one agent. */
struct llmsd_resize_in {
	uint64_t period_us;	/* the period's length */
	uint64_t usage_us;	/* cpu.stat usage_usec in it */
	uint64_t throttled_us;	/* cpu.stat throttled_usec in it */
	uint64_t cpu;		/* its reservation now, millicores */
	uint64_t base_cpu;	/* its configured reservation */
	uint64_t step;		/* resize_step */
	uint64_t free_cpu;	/* the host's CPU no agent reserves */
	uint64_t idle_cpu;	/* the host's idle CPU in the period */
};

/* Throttled above this share of the period (per mille): it wants more. */
#define LLMSD_RESIZE_THROTTLED_PM	50
/* Using below this share of the size after a shrink: it has too much. */
#define LLMSD_RESIZE_SHRINK_USE_PM	800
/* A growth smaller than this is not worth a resize (millicores). */
#define LLMSD_RESIZE_GROW_MIN		100

/*
 * The reservation the agent should have, in millicores: larger when it
 * was throttled (by the step, or the least of the step, the free and the
 * idle CPU; not when that is below LLMSD_RESIZE_GROW_MIN); smaller by the
 * step, never below its configured size, when it was not throttled and
 * used less than LLMSD_RESIZE_SHRINK_USE_PM of the smaller size; 0 when
 * it should stay as it is.
 */
uint64_t llmsd_resize_want(const struct llmsd_resize_in *in);

#endif /* LLMSCHEDD_LOADFIGURE_H */
