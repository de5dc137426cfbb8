// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of balancing (kmod/core/balance.c): imbalance and
 * migration.
 */
#include "engine_util.h"
#include "kselftest_harness.h"

TEST(imbalance_is_sum_of_pairwise_load_differences)
{
	struct world *w = world_new();

	add_agent(w, 1, 4, 8, 1, 0);
	add_agent(w, 2, 4, 8, 1, 0);
	add_agent(w, 3, 4, 8, 1, 0);
	add_agent(w, 4, 4, 8, 1, 0);
	ASSERT_EQ(0, lsc_imbalance(&w->eng));
	lsc_agent_set_measured(&w->eng, A(w, 1), 100);
	lsc_agent_set_measured(&w->eng, A(w, 2), 400);
	lsc_agent_set_measured(&w->eng, A(w, 3), 900);
	lsc_agent_set_measured(&w->eng, A(w, 4), 0);
	/* pairs: 100+400+900 + 300+800 + 500 = 3000 */
	ASSERT_EQ(3000, lsc_imbalance(&w->eng));
	/* Committed share counts too: 3 of 4 CPUs on agent 4 = 750. */
	add_task(w, 1, 1, 3000, 1, 10);
	lsc_dispatch(&w->eng, 0);
	ASSERT_EQ(A(w, 4), T(w, 1)->agent);
	ASSERT_EQ(750, A(w, 4)->load);
	/* loads 100 400 750 900: 300+650+800+350+500+150 = 2750 */
	ASSERT_EQ(2750, lsc_imbalance(&w->eng));
	/* Lost agents do not count. */
	lsc_agent_set_health(&w->eng, A(w, 3), LSC_AGENT_LOST, 0);
	ASSERT_EQ(300 + 650 + 350, lsc_imbalance(&w->eng));
	free(w);
}

TEST(balance_migrates_assigned_task_and_counts_it)
{
	struct world *w = world_new();
	struct lsc_task *t;

	add_agent(w, 1, 4, 8, 4, 0);
	add_agent(w, 2, 4, 8, 4, 0);
	/* Pin two tasks on agent 1 by keeping agent 2 lost meanwhile. */
	lsc_agent_set_health(&w->eng, A(w, 2), LSC_AGENT_LOST, 0);
	add_task(w, 1, 1, 2000, 1, 10);
	add_task(w, 2, 1, 1000, 1, 10);
	lsc_dispatch(&w->eng, 0);
	lsc_task_start(&w->eng, T(w, 1), 0);	/* running: never moved */
	lsc_agent_set_health(&w->eng, A(w, 2), LSC_AGENT_UP, 0);
	ASSERT_EQ(750, A(w, 1)->load);
	ASSERT_EQ(750, lsc_imbalance(&w->eng));
	ASSERT_EQ(1, lsc_balance(&w->eng, 1));
	t = T(w, 2);
	ASSERT_EQ(A(w, 2), t->agent);
	ASSERT_EQ(LSC_TASK_ASSIGNED, t->state);
	ASSERT_EQ(A(w, 1), T(w, 1)->agent);
	ASSERT_EQ(1, w->eng.stats.migrations);
	ASSERT_EQ(1, A(w, 1)->nr_migrated_out);
	ASSERT_EQ(1, w->nr_migrated_cb);
	ASSERT_EQ(500, A(w, 1)->load);
	ASSERT_EQ(250, A(w, 2)->load);
	/* 250 apart is above the default threshold (200) but no move helps. */
	ASSERT_EQ(0, lsc_balance(&w->eng, 2));
	free(w);
}

TEST(balance_leaves_pinned_tasks_where_they_are)
{
	struct world *w = world_new();

	add_agent(w, 1, 4, 8, 4, 0);
	add_agent(w, 2, 4, 8, 4, 0);
	lsc_agent_set_health(&w->eng, A(w, 2), LSC_AGENT_LOST, 0);
	add_task(w, 1, 1, 2000, 1, 10);
	add_task(w, 2, 1, 1000, 1, 10);
	lsc_dispatch(&w->eng, 0);
	T(w, 1)->flags |= LSC_TASK_F_PINNED;
	T(w, 2)->flags |= LSC_TASK_F_PINNED;
	lsc_agent_set_health(&w->eng, A(w, 2), LSC_AGENT_UP, 0);
	ASSERT_EQ(0, lsc_balance(&w->eng, 1));
	T(w, 2)->flags &= ~LSC_TASK_F_PINNED;
	ASSERT_EQ(1, lsc_balance(&w->eng, 1));
	ASSERT_EQ(A(w, 2), T(w, 2)->agent);
	free(w);
}

TEST_HARNESS_MAIN
