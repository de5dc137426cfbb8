// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of llmschedd's load figure and resize rules
 * (runtime/llmschedd/loadfigure.c), against figures worked out by hand
 * from the definitions in Documentation/admin-guide/llmschedd.rst.
 */
#include "kselftest_harness.h"
#include "../../runtime/llmschedd/loadfigure.h"

#define MS 1000000ULL

TEST(raw_is_per_mille_of_the_reservation)
{
	/* Busy all of 10 ms on a 1-CPU reservation: 1000. */
	EXPECT_EQ(1000, llmsd_load_raw(10 * MS, 0, 500, 1000, 10 * MS));
	/* The same on a half CPU: twice its reservation. */
	EXPECT_EQ(2000, llmsd_load_raw(10 * MS, 0, 500, 500, 10 * MS));
	/* 2.5 ms of 4 CPUs over 10 ms: 62.5, rounded down. */
	EXPECT_EQ(62, llmsd_load_raw(2500000, 0, 0, 4000, 10 * MS));
	/* Waiting weighs @weight per mille of running. */
	EXPECT_EQ(1500, llmsd_load_raw(10 * MS, 10 * MS, 500, 1000, 10 * MS));
	EXPECT_EQ(2000, llmsd_load_raw(10 * MS, 10 * MS, 1000, 1000, 10 * MS));
	EXPECT_EQ(1000, llmsd_load_raw(10 * MS, 10 * MS, 0, 1000, 10 * MS));
	/* Nothing to divide by: 0, not a crash. */
	EXPECT_EQ(0, llmsd_load_raw(10 * MS, 0, 500, 0, 10 * MS));
	EXPECT_EQ(0, llmsd_load_raw(10 * MS, 0, 500, 1000, 0));
	/* Capped at what the uAPI takes, however large. */
	EXPECT_EQ(LLMSD_LOAD_MAX, llmsd_load_raw(1000 * MS, 0, 0, 1, 10 * MS));
	EXPECT_EQ(LLMSD_LOAD_MAX,
		  llmsd_load_raw(UINT64_MAX, UINT64_MAX, 1000, 1, 1));
}

TEST(mean_follows_with_its_time_constant)
{
	uint64_t s = 0;
	int i;

	/* No window: the interval's figure, scaled. */
	EXPECT_EQ(700 * LLMSD_LOAD_SCALE, llmsd_load_smooth(5, 700, 10 * MS, 0));
	/* dt equal to the window: half way. */
	EXPECT_EQ(500 * LLMSD_LOAD_SCALE,
		  llmsd_load_smooth(0, 1000, 100 * MS, 100 * MS));
	/*
	 * 10 ms steps, 100 ms window: 1 - (10/11)^n of the way, 614.5 after
	 * ten (each step rounds down a thousandth).
	 */
	for (i = 0; i < 10; i++)
		s = llmsd_load_smooth(s, 1000, 10 * MS, 100 * MS);
	EXPECT_LE(614, llmsd_load_value(s));
	EXPECT_GE(615, llmsd_load_value(s));
	for (i = 0; i < 100; i++)
		s = llmsd_load_smooth(s, 1000, 10 * MS, 100 * MS);
	EXPECT_EQ(1000, llmsd_load_value(s));
	/* And back down. */
	for (i = 0; i < 10; i++)
		s = llmsd_load_smooth(s, 0, 10 * MS, 100 * MS);
	EXPECT_LE(385, llmsd_load_value(s));
	EXPECT_GE(386, llmsd_load_value(s));
	/* The report rounds and caps. */
	EXPECT_EQ(2, llmsd_load_value(1500));
	EXPECT_EQ(1, llmsd_load_value(1499));
	EXPECT_EQ(LLMSD_LOAD_MAX, llmsd_load_value(UINT64_MAX));
}

/* A 250 ms period; 0.5 CPU configured, 500m steps; plenty free and idle. */
static struct llmsd_resize_in period(uint64_t cpu, uint64_t usage_us,
				     uint64_t throttled_us)
{
	struct llmsd_resize_in in = {
		.period_us = 250000, .usage_us = usage_us,
		.throttled_us = throttled_us, .cpu = cpu, .base_cpu = 500,
		.step = 500, .free_cpu = 1500, .idle_cpu = 1500,
	};

	return in;
}

TEST(throttled_agent_grows_into_what_is_idle_and_free)
{
	struct llmsd_resize_in in = period(500, 125000, 100000);

	EXPECT_EQ(1000, llmsd_resize_want(&in));
	/* 5% of the period is not enough; just above is. */
	in.throttled_us = 12500;
	EXPECT_EQ(0, llmsd_resize_want(&in));
	in.throttled_us = 12501;
	EXPECT_EQ(1000, llmsd_resize_want(&in));
	/* Less idle, or less free: by that much. */
	in.idle_cpu = 300;
	EXPECT_EQ(800, llmsd_resize_want(&in));
	in.idle_cpu = 1500;
	in.free_cpu = 200;
	EXPECT_EQ(700, llmsd_resize_want(&in));
	/* Below 100m is not worth it. */
	in.free_cpu = 99;
	EXPECT_EQ(0, llmsd_resize_want(&in));
	in.free_cpu = 1500;
	in.idle_cpu = 0;
	EXPECT_EQ(0, llmsd_resize_want(&in));
}

TEST(idle_agent_shrinks_toward_its_configured_size_only)
{
	/* Grown to 1.5 CPUs, using 0.1: down by one step. */
	struct llmsd_resize_in in = period(1500, 25000, 0);

	EXPECT_EQ(1000, llmsd_resize_want(&in));
	/* At 700m: only down to the configured 500m. */
	in.cpu = 700;
	EXPECT_EQ(500, llmsd_resize_want(&in));
	/* At its configured size: stays. */
	in.cpu = 500;
	EXPECT_EQ(0, llmsd_resize_want(&in));
	/* Using 80% of the smaller size or more: stays. */
	in.cpu = 1500;
	in.usage_us = 200000;	/* 800m of 1000m after the shrink */
	EXPECT_EQ(0, llmsd_resize_want(&in));
	in.usage_us = 199000;	/* 796m */
	EXPECT_EQ(1000, llmsd_resize_want(&in));
	/* Throttled a little (not enough to grow): stays. */
	in.throttled_us = 10;
	EXPECT_EQ(0, llmsd_resize_want(&in));
}

TEST(no_period_no_decision)
{
	struct llmsd_resize_in in = period(500, 0, 250000);

	in.period_us = 0;
	EXPECT_EQ(0, llmsd_resize_want(&in));
	in = period(500, 0, 250000);
	in.step = 0;
	EXPECT_EQ(0, llmsd_resize_want(&in));
}

/* A figure goes to the module when it moved, or when it is getting old. */
TEST(report_carries_what_moved_or_aged)
{
	const uint64_t ms = 1000000, iv = 10 * ms, keep = 100 * ms;

	/* Never told: due, whatever the figure. */
	EXPECT_TRUE(llmsd_load_due(0, 0, 0, 5 * ms, iv, keep));
	/* Within the band and young: not due, either way. */
	EXPECT_FALSE(llmsd_load_due(509, 500, 1000 * ms, 1010 * ms, iv, keep));
	EXPECT_FALSE(llmsd_load_due(491, 500, 1000 * ms, 1010 * ms, iv, keep));
	/* A move of the band, up or down: due at once. */
	EXPECT_TRUE(llmsd_load_due(510, 500, 1000 * ms, 1010 * ms, iv, keep));
	EXPECT_TRUE(llmsd_load_due(490, 500, 1000 * ms, 1010 * ms, iv, keep));
	EXPECT_TRUE(llmsd_load_due(0, 65535, 1000 * ms, 1010 * ms, iv, keep));
	/* Unchanged: due at the keep-alive, a step that fires late or not. */
	EXPECT_FALSE(llmsd_load_due(500, 500, 1000 * ms, 1090 * ms, iv, keep));
	EXPECT_TRUE(llmsd_load_due(500, 500, 1000 * ms, 1096 * ms, iv, keep));
	EXPECT_TRUE(llmsd_load_due(500, 500, 1000 * ms, 1100 * ms, iv, keep));
	EXPECT_TRUE(llmsd_load_due(500, 500, 1000 * ms, 1300 * ms, iv, keep));
	/* A 1 s interval: the keep-alive is the interval, each step due. */
	EXPECT_TRUE(llmsd_load_due(500, 500, 1000 * ms, 2000 * ms, 1000 * ms,
				   1000 * ms));
}

TEST_HARNESS_MAIN
