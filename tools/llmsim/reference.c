// SPDX-License-Identifier: GPL-2.0
/*
 * llmsim --reference: the reference example, run through the parser, the
 * real engine and the event loop like any other trace.
 */
#include <stdio.h>

#include "reference.h"
#include "sim.h"

const char llmsim_reference_trace[] =
	"# The reference example: three agents, one slot each.\n"
	"agent id=1 cpu=4 mem=8G\n"
	"agent id=2 cpu=2 mem=4G\n"
	"agent id=3 cpu=2 mem=4G\n"
	"# Run for the estimated times (act defaults to est).\n"
	"task id=1 prio=3 cpu=2 mem=4G est=10\n"
	"task id=2 prio=2 cpu=1 mem=2G est=5\n"
	"task id=3 prio=1 cpu=3 mem=3G est=15\n";

int llmsim_reference(FILE *out)
{
	struct sim_opts o = {
		.policy = LSC_POLICY_PRIO_FIFO,
		.choice = LSC_CHOOSE_LEAST_LOADED,
		.backfill = 1,
		.tick_ns = 0,
		.start_delay_ns = 0,
		.events = out,
	};
	struct sim_result res;
	struct trace_err err;
	struct trace t;
	int rc;

	trace_init(&t);
	rc = trace_parse_string(&t, "<reference>", llmsim_reference_trace, 0,
				&err);
	if (!rc)
		rc = trace_finish(&t, &err);
	if (rc)
		fprintf(stderr, "llmsim: %s:%lu: %s\n", err.file, err.line,
			err.msg);
	else
		rc = sim_run(&t, &o, &res);
	trace_free(&t);
	return rc ? 1 : 0;
}
