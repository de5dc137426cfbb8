// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of dispatch (kmod/core/dispatch.c): agent choice, the
 * head's reservation and backfilling, and liveness: no idle agent beside
 * work it could run.
 */
#include "engine_util.h"
#include "kselftest_harness.h"

TEST(least_loaded_agent_first_ties_to_lower_id)
{
	struct world *w = world_new();

	add_agent(w, 3, 4, 8, 4, 0);
	add_agent(w, 1, 4, 8, 4, 0);
	add_agent(w, 2, 8, 16, 4, 0);
	add_task(w, 1, 1, 2000, 1, 10);		/* tie at 0: agent 1 */
	lsc_dispatch(&w->eng, 0);
	ASSERT_EQ(A(w, 1), T(w, 1)->agent);
	ASSERT_EQ(500, A(w, 1)->load);
	add_task(w, 2, 1, 2000, 1, 10);		/* agents 2, 3 at 0: 2 */
	lsc_dispatch(&w->eng, 0);
	ASSERT_EQ(A(w, 2), T(w, 2)->agent);
	ASSERT_EQ(250, A(w, 2)->load);
	add_task(w, 3, 1, 1000, 1, 10);		/* agent 3 at 0 */
	lsc_dispatch(&w->eng, 0);
	ASSERT_EQ(A(w, 3), T(w, 3)->agent);
	/* Measured load counts: agent 3 reports 900 per-mille. */
	lsc_agent_set_measured(&w->eng, A(w, 3), 900);
	ASSERT_EQ(900, A(w, 3)->load);
	add_task(w, 4, 1, 1000, 1, 10);		/* 1: 500, 2: 250 -> 2 */
	lsc_dispatch(&w->eng, 0);
	ASSERT_EQ(A(w, 2), T(w, 4)->agent);
	free(w);
}

TEST(best_fit_picks_least_leftover_in_dominant_kind)
{
	struct world *w = world_new();

	ASSERT_EQ(0, lsc_set_agent_choice(&w->eng, LSC_CHOOSE_BEST_FIT));
	add_agent(w, 1, 8, 64, 4, 0);
	add_agent(w, 2, 3, 64, 4, 0);
	add_agent(w, 3, 4, 64, 4, 0);
	add_task(w, 1, 1, 2500, 1, 10);		/* CPU dominant: agent 2 */
	lsc_dispatch(&w->eng, 0);
	ASSERT_EQ(A(w, 2), T(w, 1)->agent);
	add_task(w, 2, 1, 1000, 1, 10);		/* leftovers 7, -, 3 -> 3 */
	lsc_dispatch(&w->eng, 0);
	ASSERT_EQ(A(w, 3), T(w, 2)->agent);
	ASSERT_EQ(-LSC_EINVAL, lsc_set_agent_choice(&w->eng, LSC_CHOOSE_NR));
	free(w);
}

/*
 * Agent 1 (4 CPUs) runs a 2-CPU task until t=100.  The head needs 4 CPUs:
 * reservation on agent 1 at t=100.  Behind it, a 2-CPU task of 50 s fits
 * now and ends before 100: it runs ahead; a 2-CPU task of 200 s would push
 * the head back: it waits.
 */
TEST(backfill_runs_small_task_that_cannot_delay_head)
{
	struct world *w = world_new();

	add_agent(w, 1, 4, 8, 2, 0);
	add_task(w, 1, 9, 2000, 1, 100);
	lsc_dispatch(&w->eng, 0);
	add_task(w, 2, 5, 4000, 1, 10);		/* head, blocked */
	add_task(w, 3, 1, 2000, 1, 200);	/* would delay the head */
	add_task(w, 4, 1, 2000, 1, 50);		/* finishes before 100 */
	ASSERT_EQ(1, lsc_dispatch(&w->eng, 0));
	ASSERT_EQ(T(w, 2), w->eng.resv_task);
	ASSERT_EQ(A(w, 1), w->eng.resv_agent);
	ASSERT_EQ(100 * SEC, w->eng.resv_ns);
	ASSERT_EQ(LSC_TASK_RUNNABLE, T(w, 3)->state);
	ASSERT_EQ(LSC_TASK_ASSIGNED, T(w, 4)->state);
	ASSERT_EQ(1, w->eng.stats.backfilled);
	/* The head starts at its shadow time, not later. */
	run_to_idle(w);
	{
		u32 i;

		for (i = 0; i < w->nr_log; i++)
			if (w->log[i].kind == 'a' && w->log[i].task == 2)
				ASSERT_EQ(100 * SEC, w->log[i].now);
	}
	free(w);
}

TEST(backfill_uses_capacity_the_head_will_not_need)
{
	struct world *w = world_new();

	/* 8 CPUs, 3 slots: 4 busy until 100; head needs 6; 2 spare then. */
	add_agent(w, 1, 8, 8, 3, 0);
	add_task(w, 1, 9, 4000, 1, 100);
	lsc_dispatch(&w->eng, 0);
	add_task(w, 2, 5, 6000, 1, 10);		/* head */
	add_task(w, 3, 1, 3000, 1, 500);	/* long, too big for spare */
	add_task(w, 4, 1, 2000, 1, 500);	/* long, fits the spare */
	lsc_dispatch(&w->eng, 0);
	ASSERT_EQ(100 * SEC, w->eng.resv_ns);
	ASSERT_EQ(LSC_TASK_RUNNABLE, T(w, 3)->state);
	ASSERT_EQ(LSC_TASK_ASSIGNED, T(w, 4)->state);
	free(w);
}

TEST(backfill_goes_to_other_agents_freely_and_depth_zero_disables)
{
	struct world *w = world_new();
	struct lsc_tunables tun;

	add_agent(w, 1, 4, 8, 1, 0);
	add_agent(w, 2, 1, 8, 1, 0);
	add_task(w, 1, 9, 4000, 1, 100);
	lsc_dispatch(&w->eng, 0);
	add_task(w, 2, 5, 4000, 1, 10);		/* head: agent 1 at 100 */
	add_task(w, 3, 1, 1000, 1, 1000);	/* long, only agent 2 */
	lsc_default_tunables(&tun);
	tun.backfill_depth = 0;
	lsc_set_tunables(&w->eng, &tun);
	ASSERT_EQ(0, lsc_dispatch(&w->eng, 0));
	lsc_default_tunables(&tun);
	lsc_set_tunables(&w->eng, &tun);
	ASSERT_EQ(1, lsc_dispatch(&w->eng, 0));
	ASSERT_EQ(A(w, 2), T(w, 3)->agent);
	free(w);
}

TEST_HARNESS_MAIN
