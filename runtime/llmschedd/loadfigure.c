// SPDX-License-Identifier: GPL-2.0
/*
 * llmschedd: the load figure and the resize rules; see loadfigure.h.
 * 128-bit intermediates: run time in ns times 10^6 overflows 64 bits past
 * about five hours of CPU in one interval, which a 1 s interval on a large
 * host could near.
 */
#include "loadfigure.h"

uint64_t llmsd_load_raw(uint64_t run_ns, uint64_t wait_ns, uint32_t weight,
			uint64_t cpu, uint64_t dt_ns)
{
	unsigned __int128 num;

	if (!cpu || !dt_ns)
		return 0;
	num = ((unsigned __int128)run_ns * 1000 +
	       (unsigned __int128)wait_ns * weight) * 1000;
	num /= (unsigned __int128)cpu * dt_ns;
	return num > LLMSD_LOAD_MAX ? LLMSD_LOAD_MAX : (uint64_t)num;
}

uint64_t llmsd_load_smooth(uint64_t prev, uint64_t raw, uint64_t dt_ns,
			   uint64_t window_ns)
{
	unsigned __int128 x = (unsigned __int128)raw * LLMSD_LOAD_SCALE;

	if (!window_ns)
		return (uint64_t)x;
	return (uint64_t)(((unsigned __int128)prev * window_ns + x * dt_ns) /
			  ((unsigned __int128)window_ns + dt_ns));
}

uint32_t llmsd_load_value(uint64_t smooth)
{
	/* Compared first: rounding the largest would wrap to 0. */
	if (smooth >= (uint64_t)LLMSD_LOAD_MAX * LLMSD_LOAD_SCALE)
		return LLMSD_LOAD_MAX;
	return (uint32_t)((smooth + LLMSD_LOAD_SCALE / 2) / LLMSD_LOAD_SCALE);
}

uint64_t llmsd_resize_want(const struct llmsd_resize_in *in)
{
	uint64_t step, used;

	if (!in->period_us || !in->step)
		return 0;
	if (in->throttled_us * 1000 >
	    in->period_us * LLMSD_RESIZE_THROTTLED_PM) {
		step = in->step;
		if (step > in->free_cpu)
			step = in->free_cpu;
		if (step > in->idle_cpu)
			step = in->idle_cpu;
		return step >= LLMSD_RESIZE_GROW_MIN ? in->cpu + step : 0;
	}
	if (in->cpu <= in->base_cpu || in->throttled_us)
		return 0;
	step = in->cpu - in->base_cpu;
	if (step > in->step)
		step = in->step;
	/* Millicores used in the period, against the smaller size. */
	used = in->usage_us * 1000 / in->period_us;
	if (used * 1000 < (in->cpu - step) * LLMSD_RESIZE_SHRINK_USE_PM)
		return in->cpu - step;
	return 0;
}

bool llmsd_load_due(uint32_t load, uint32_t reported, uint64_t reported_ns,
		    uint64_t now_ns, uint64_t interval_ns,
		    uint64_t keepalive_ns)
{
	uint32_t moved = load > reported ? load - reported : reported - load;

	return !reported_ns || moved >= LLMSD_LOAD_REPORT_DELTA ||
	       now_ns - reported_ns + interval_ns / 2 >= keepalive_ns;
}
