// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of balancing (kmod/core/balance.c): imbalance and
 * migration.
 */
#include "engine_util.h"
#include "core/internal.h"
#include "kselftest_harness.h"

TEST(imbalance_is_sum_of_pairwise_load_differences)
{
	struct world *w = world_new();

	add_agent(w, 1, 4, 8, 1, 0);
	add_agent(w, 2, 4, 8, 1, 0);
	add_agent(w, 3, 4, 8, 1, 0);
	add_agent(w, 4, 4, 8, 1, 0);
	ASSERT_EQ(0, lsc_imbalance(&w->eng));
	lsc_agent_set_measured(&w->eng, A(w, 1), 100, 0);
	lsc_agent_set_measured(&w->eng, A(w, 2), 400, 0);
	lsc_agent_set_measured(&w->eng, A(w, 3), 900, 0);
	lsc_agent_set_measured(&w->eng, A(w, 4), 0, 0);
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

/*
 * Agent 1 holds four queued tasks (assigned, not fetched) while agent 2
 * was away; then the reports say 400 and 100 per-mille: agent 1's queued
 * tasks, which used none of it, add their share (500) to its 400.  Each
 * 500 m task is 125 of a 4-CPU reservation: 900/100 -> 775/225 -> 650/350
 * -> 525/475, and a fourth move (400/600) would raise the imbalance.
 */
static void queue_on_agent_1(struct world *w, u32 n, u64 tags2)
{
	u32 i;

	add_agent(w, 1, 4, 8, 8, 0);
	add_agent(w, 2, 4, 8, 8, tags2);
	lsc_agent_set_health(&w->eng, A(w, 2), LSC_AGENT_LOST, 0);
	for (i = 1; i <= n; i++)
		add_task(w, i, 1, 500, 1, 10);
	lsc_dispatch(&w->eng, 0);
	lsc_agent_set_health(&w->eng, A(w, 2), LSC_AGENT_UP, 0);
}

TEST(measured_loads_move_queued_work_from_loaded_to_idle_agent)
{
	struct world *w = world_new();
	u32 i, on2 = 0;

	queue_on_agent_1(w, 4, 0);
	ASSERT_EQ(500, A(w, 1)->load);
	lsc_agent_set_measured(&w->eng, A(w, 1), 400, 0);
	lsc_agent_set_measured(&w->eng, A(w, 2), 100, 0);
	ASSERT_EQ(900, A(w, 1)->load);
	ASSERT_EQ(100, A(w, 2)->load);
	ASSERT_EQ(800, lsc_imbalance(&w->eng));
	ASSERT_EQ(3, lsc_balance(&w->eng, 0));
	for (i = 1; i <= 4; i++) {
		ASSERT_EQ(LSC_TASK_ASSIGNED, T(w, i)->state);
		on2 += T(w, i)->agent == A(w, 2);
	}
	ASSERT_EQ(3, on2);
	/* Each move shifts a task's CPU share (125) off the measured load. */
	ASSERT_EQ(525, A(w, 1)->load);
	ASSERT_EQ(475, A(w, 2)->load);
	ASSERT_EQ(50, lsc_imbalance(&w->eng));
	ASSERT_EQ(3, w->eng.stats.migrations);
	ASSERT_EQ(3, A(w, 1)->nr_migrated_out);
	ASSERT_EQ(3, w->nr_migrated_cb);
	/* Balanced now: nothing more moves, in either direction. */
	ASSERT_EQ(0, lsc_balance(&w->eng, 0));
	free(w);
}

/*
 * Agent 1 (4 CPUs) reports 650 with a queued 1-CPU task of tag 0x1 (900
 * with its share); the only other agent with the tag, agent 2, has 2 CPUs
 * and reports 100, as
 * do @bystanders agents without it.  The move gives 650 and 600 (the
 * task is 250 of agent 1 and 500 of agent 2): the larger load falls, the
 * pair's difference falls by 750, but each bystander's pairs rise by 250.
 */
static u32 overshoot(u32 bystanders)
{
	struct world *w = world_new();
	u32 i, moved;

	add_agent(w, 1, 4, 8, 2, 0x1);
	add_agent(w, 2, 2, 8, 2, 0x1);
	for (i = 0; i < bystanders; i++)
		add_agent(w, 3 + i, 4, 8, 2, 0);
	lsc_agent_set_health(&w->eng, A(w, 2), LSC_AGENT_LOST, 0);
	mk_task(w, 1, 1, 1000, 1, 10)->tags = 0x1;
	submit(w, T(w, 1), 0);
	lsc_dispatch(&w->eng, 0);
	lsc_agent_set_health(&w->eng, A(w, 2), LSC_AGENT_UP, 0);
	lsc_agent_set_measured(&w->eng, A(w, 1), 650, 0);
	for (i = 0; i < bystanders + 1; i++)
		lsc_agent_set_measured(&w->eng, A(w, 2 + i), 100, 0);
	moved = lsc_balance(&w->eng, 0);
	if (moved && (A(w, 1)->load != 650 || A(w, 2)->load != 600))
		moved = 99;
	free(w);
	return moved;
}

TEST(a_move_that_would_raise_the_imbalance_is_not_made)
{
	/* 2400 -> 50 + 2 * 550 + 2 * 500 = 2150: made. */
	ASSERT_EQ(1, overshoot(2));
	/* 4000 -> 50 + 4 * 550 + 4 * 500 = 4250: not made. */
	ASSERT_EQ(0, overshoot(4));
}

TEST(a_move_that_raises_the_larger_load_is_not_made)
{
	struct world *w = world_new();

	/*
	 * A 2-CPU task: 500 of agent 1, 1000 of agent 2 (100 -> 1100);
	 * agent 1 measures 400 besides it: 900.
	 */
	add_agent(w, 1, 4, 8, 2, 0);
	add_agent(w, 2, 2, 8, 2, 0);
	lsc_agent_set_health(&w->eng, A(w, 2), LSC_AGENT_LOST, 0);
	add_task(w, 1, 1, 2000, 1, 10);
	lsc_dispatch(&w->eng, 0);
	lsc_agent_set_health(&w->eng, A(w, 2), LSC_AGENT_UP, 0);
	lsc_agent_set_measured(&w->eng, A(w, 1), 400, 0);
	lsc_agent_set_measured(&w->eng, A(w, 2), 100, 0);
	ASSERT_EQ(800, lsc_imbalance(&w->eng));
	ASSERT_EQ(0, lsc_balance(&w->eng, 0));
	ASSERT_EQ(A(w, 1), T(w, 1)->agent);
	ASSERT_EQ(0, w->eng.stats.migrations);
	free(w);
}

TEST(a_task_the_idle_agent_cannot_hold_does_not_move)
{
	struct world *w = world_new();

	/* Agent 2 lacks tag 0x1 that the tasks need. */
	add_agent(w, 1, 4, 8, 8, 0x1);
	add_agent(w, 2, 4, 8, 8, 0);
	lsc_agent_set_health(&w->eng, A(w, 2), LSC_AGENT_LOST, 0);
	mk_task(w, 1, 1, 500, 1, 10)->tags = 0x1;
	submit(w, T(w, 1), 0);
	/* Too big for agent 2's memory once it is resized below. */
	add_task(w, 2, 1, 500, 6, 10);
	lsc_dispatch(&w->eng, 0);
	ASSERT_EQ(A(w, 1), T(w, 1)->agent);
	ASSERT_EQ(A(w, 1), T(w, 2)->agent);
	{
		u64 cap[LSC_NR_RES] = { 4000, 4 * GB, 0, 0 };

		ASSERT_EQ(0, lsc_agent_resize(&w->eng, A(w, 2), cap, 0));
	}
	lsc_agent_set_health(&w->eng, A(w, 2), LSC_AGENT_UP, 0);
	lsc_agent_set_measured(&w->eng, A(w, 1), 900, 0);
	lsc_agent_set_measured(&w->eng, A(w, 2), 100, 0);
	ASSERT_EQ(0, lsc_balance(&w->eng, 0));
	ASSERT_EQ(A(w, 1), T(w, 1)->agent);
	ASSERT_EQ(A(w, 1), T(w, 2)->agent);
	/* A task it can hold does move. */
	add_task(w, 3, 1, 500, 1, 10);
	lsc_dispatch(&w->eng, 0);
	ASSERT_EQ(A(w, 2), T(w, 3)->agent);	/* least loaded by measure */
	ASSERT_EQ(0, w->eng.stats.migrations);
	free(w);
}

TEST(a_full_target_takes_nothing)
{
	struct world *w = world_new();

	queue_on_agent_1(w, 4, 0);
	/* Agent 2 has one slot, held by a running task. */
	{
		u64 cap[LSC_NR_RES] = { 4000, 8 * GB, 0, 0 };

		add_task(w, 5, 1, 500, 1, 10);
		lsc_dispatch(&w->eng, 0);
		ASSERT_EQ(A(w, 2), T(w, 5)->agent);
		lsc_task_start(&w->eng, T(w, 5), 0);
		ASSERT_EQ(0, lsc_agent_resize(&w->eng, A(w, 2), cap, 1));
	}
	lsc_agent_set_measured(&w->eng, A(w, 1), 900, 0);
	lsc_agent_set_measured(&w->eng, A(w, 2), 100, 0);
	ASSERT_EQ(0, lsc_balance(&w->eng, 0));
	ASSERT_EQ(0, w->eng.stats.migrations);
	free(w);
}

TEST(stale_load_reports_decay_toward_the_engine_estimate)
{
	struct world *w = world_new();
	u64 ms = 1000 * 1000, iv = w->eng.tun.load_interval_ns;
	u32 i;

	ASSERT_EQ(10 * ms, iv);
	queue_on_agent_1(w, 4, 0);
	lsc_agent_set_measured(&w->eng, A(w, 1), 400, 0);
	/* Fresh for LSC_LOAD_STALE intervals: 900 (500 held + 400). */
	lsc_dispatch(&w->eng, LSC_LOAD_STALE * iv);
	ASSERT_EQ(900, A(w, 1)->load);
	/* Looked at once per interval: not again before 5 intervals. */
	lsc_dispatch(&w->eng, LSC_LOAD_STALE * iv + iv / 2);
	ASSERT_EQ(900, A(w, 1)->load);
	/* Then halvings, one more each interval: 600, 550, 525 ... */
	lsc_dispatch(&w->eng, (LSC_LOAD_STALE + 1) * iv);
	ASSERT_EQ(600, A(w, 1)->load);
	lsc_dispatch(&w->eng, (LSC_LOAD_STALE + 2) * iv);
	ASSERT_EQ(550, A(w, 1)->load);
	lsc_dispatch(&w->eng, (LSC_LOAD_STALE + 3) * iv);
	ASSERT_EQ(525, A(w, 1)->load);
	/* ... until only the engine's own estimate is left (500 held). */
	lsc_dispatch(&w->eng, (LSC_LOAD_STALE + LSC_LOAD_DECAY) * iv);
	ASSERT_EQ(500, A(w, 1)->load);
	/* A fresh report counts at once again: 300 beside the 500 held. */
	lsc_agent_set_measured(&w->eng, A(w, 1), 300, 1000 * ms);
	ASSERT_EQ(800, A(w, 1)->load);
	/* Once they started, a report below the held share is no lower. */
	for (i = 1; i <= 4; i++)
		ASSERT_EQ(0, lsc_task_start(&w->eng, T(w, i), 1000 * ms));
	ASSERT_EQ(800, A(w, 1)->load);
	lsc_agent_set_measured(&w->eng, A(w, 1), 100, 1000 * ms);
	ASSERT_EQ(500, A(w, 1)->load);
	free(w);
}

/*
 * The reporter's own period decides when its reports go stale: at 1 s a
 * report is fresh for 4 s, where at the default 10 ms it would be all but
 * gone after 100 ms.  A shorter period counts from the next refresh on.
 */
TEST(a_report_stays_fresh_for_four_of_the_reporters_intervals)
{
	struct world *w = world_new();
	u64 ms = 1000 * 1000;

	add_agent(w, 1, 4, 8, 1, 0);
	ASSERT_EQ(-LSC_EINVAL, lsc_set_load_interval(&w->eng, 999));
	ASSERT_EQ(-LSC_EINVAL,
		  lsc_set_load_interval(&w->eng, (1ULL << 40) + 1));
	ASSERT_EQ(10 * ms, w->eng.tun.load_interval_ns);
	lsc_agent_set_measured(&w->eng, A(w, 1), 900, 0);
	lsc_dispatch(&w->eng, 100 * ms);
	ASSERT_EQ(900 >> 7, A(w, 1)->load);

	ASSERT_EQ(0, lsc_set_load_interval(&w->eng, 1000 * ms));
	ASSERT_EQ(1000 * ms, w->eng.tun.load_interval_ns);
	lsc_agent_set_measured(&w->eng, A(w, 1), 900, 1000 * ms);
	lsc_dispatch(&w->eng, 1100 * ms);
	ASSERT_EQ(900, A(w, 1)->load);
	lsc_dispatch(&w->eng, 4900 * ms);
	ASSERT_EQ(900, A(w, 1)->load);
	lsc_dispatch(&w->eng, 5900 * ms);
	ASSERT_EQ(450, A(w, 1)->load);
	/* Looked at next at 6.9 s on the old period; at once on the new. */
	ASSERT_EQ(0, lsc_set_load_interval(&w->eng, 10 * ms));
	lsc_dispatch(&w->eng, 5901 * ms);
	ASSERT_EQ(0, A(w, 1)->load);
	free(w);
}

/*
 * Agent 1 (4 CPUs) runs a 2-CPU task that uses 3.6 CPUs and holds a
 * queued 1-CPU one: it reports 900.  The excess is measured against the
 * task that ran (500), not against both (750): the queued task adds its
 * share on top (1150), and moving it away leaves what was measured.
 */
TEST(a_report_is_measured_against_the_tasks_that_started)
{
	struct world *w = world_new();

	add_agent(w, 1, 4, 8, 4, 0);
	add_agent(w, 2, 4, 8, 4, 0);
	lsc_agent_set_health(&w->eng, A(w, 2), LSC_AGENT_LOST, 0);
	add_task(w, 1, 1, 2000, 1, 10);
	add_task(w, 2, 1, 1000, 1, 10);
	lsc_dispatch(&w->eng, 0);
	ASSERT_EQ(0, lsc_task_start(&w->eng, T(w, 1), 0));
	lsc_agent_set_health(&w->eng, A(w, 2), LSC_AGENT_UP, 0);
	ASSERT_EQ(1000, A(w, 1)->unstarted_cpu);
	lsc_agent_set_measured(&w->eng, A(w, 1), 900, 0);
	lsc_agent_set_measured(&w->eng, A(w, 2), 0, 0);
	ASSERT_EQ(400, A(w, 1)->meas_excess);
	ASSERT_EQ(1150, A(w, 1)->load);
	ASSERT_EQ(1, lsc_balance(&w->eng, 0));
	ASSERT_EQ(A(w, 2), T(w, 2)->agent);
	ASSERT_EQ(0, A(w, 1)->unstarted_cpu);
	ASSERT_EQ(1000, A(w, 2)->unstarted_cpu);
	ASSERT_EQ(900, A(w, 1)->load);
	ASSERT_EQ(250, A(w, 2)->load);
	/* Starting it changes no load: the next report says what it uses. */
	ASSERT_EQ(0, lsc_task_start(&w->eng, T(w, 2), 0));
	ASSERT_EQ(0, A(w, 2)->unstarted_cpu);
	ASSERT_EQ(250, A(w, 2)->load);
	lsc_agent_set_measured(&w->eng, A(w, 2), 300, 0);
	ASSERT_EQ(50, A(w, 2)->meas_excess);
	ASSERT_EQ(300, A(w, 2)->load);
	/* Ending a started task takes its share off. */
	ASSERT_EQ(0, lsc_task_complete(&w->eng, T(w, 1), 0, 0));
	ASSERT_EQ(400, A(w, 1)->load);
	free(w);
}

/*
 * A fetched (pinned) ASSIGNED task that is cancelled may run until it is
 * stopped: from then on a report counts it as started.
 */
TEST(a_stopping_task_counts_as_started)
{
	struct world *w = world_new();

	add_agent(w, 1, 4, 8, 4, 0);
	add_task(w, 1, 1, 2000, 1, 10);
	add_task(w, 2, 1, 1000, 1, 10);
	lsc_dispatch(&w->eng, 0);
	ASSERT_EQ(3000, A(w, 1)->unstarted_cpu);
	T(w, 1)->flags |= LSC_TASK_F_PINNED;
	ASSERT_EQ(0, lsc_task_cancel(&w->eng, T(w, 1), 0));
	ASSERT_EQ(LSC_TASK_STOPPING, T(w, 1)->state);
	ASSERT_EQ(1000, A(w, 1)->unstarted_cpu);
	lsc_agent_set_measured(&w->eng, A(w, 1), 600, 0);
	ASSERT_EQ(100, A(w, 1)->meas_excess);
	ASSERT_EQ(850, A(w, 1)->load);
	ASSERT_EQ(0, lsc_task_stopped(&w->eng, T(w, 1), 0));
	ASSERT_EQ(1000, A(w, 1)->unstarted_cpu);
	ASSERT_EQ(350, A(w, 1)->load);
	/* A queued task requeued or ended leaves nothing behind. */
	ASSERT_EQ(0, lsc_task_cancel(&w->eng, T(w, 2), 0));
	ASSERT_EQ(0, A(w, 1)->unstarted_cpu);
	ASSERT_EQ(100, A(w, 1)->load);
	free(w);
}

/*
 * The least loaded agent (3) is the blocked head's reserved one: it keeps
 * what it will free, and the work goes to the next least loaded (2).
 */
TEST(the_reserved_agent_is_passed_over_for_the_next_least_loaded)
{
	struct world *w = world_new();
	u32 i, on2 = 0;

	add_agent(w, 1, 4, 8, 8, 0);
	add_agent(w, 2, 4, 8, 8, 0);
	add_agent(w, 3, 4, 8, 8, 0);
	lsc_agent_set_health(&w->eng, A(w, 2), LSC_AGENT_LOST, 0);
	lsc_agent_set_health(&w->eng, A(w, 3), LSC_AGENT_LOST, 0);
	for (i = 1; i <= 4; i++)
		add_task(w, i, 1, 500, 1, 10);
	lsc_dispatch(&w->eng, 0);
	lsc_agent_set_health(&w->eng, A(w, 2), LSC_AGENT_UP, 0);
	lsc_agent_set_health(&w->eng, A(w, 3), LSC_AGENT_UP, 0);
	lsc_agent_set_measured(&w->eng, A(w, 1), 900, 0);
	lsc_agent_set_measured(&w->eng, A(w, 2), 300, 0);
	lsc_agent_set_measured(&w->eng, A(w, 3), 100, 0);
	w->eng.resv_agent = A(w, 3);
	ASSERT_LT(0, lsc_balance(&w->eng, 0));
	for (i = 1; i <= 4; i++) {
		ASSERT_NE(A(w, 3), T(w, i)->agent);
		on2 += T(w, i)->agent == A(w, 2);
	}
	ASSERT_LT(0, on2);
	w->eng.resv_agent = NULL;
	free(w);
}

/*
 * With agent_scan 2, the most loaded agent (1) holds two queued tasks of a
 * tag only it has; agent 2, next, holds movable ones: they still move to
 * the idle agent 3 (a budget per source, not one for the pass).
 */
TEST(immovable_tasks_of_the_most_loaded_agent_do_not_end_the_pass)
{
	struct world *w = world_new();
	u32 i;

	add_agent(w, 1, 4, 8, 8, 0x1);
	add_agent(w, 2, 4, 8, 8, 0);
	add_agent(w, 3, 4, 8, 8, 0);
	lsc_agent_set_health(&w->eng, A(w, 2), LSC_AGENT_LOST, 0);
	lsc_agent_set_health(&w->eng, A(w, 3), LSC_AGENT_LOST, 0);
	for (i = 1; i <= 2; i++) {
		mk_task(w, i, 1, 500, 1, 10)->tags = 0x1;
		submit(w, T(w, i), 0);
	}
	lsc_dispatch(&w->eng, 0);
	lsc_agent_set_health(&w->eng, A(w, 2), LSC_AGENT_UP, 0);
	/* The least loaded of 1 and 2 (by the engine's estimate) is 2. */
	for (i = 3; i <= 4; i++)
		add_task(w, i, 1, 500, 1, 10);
	lsc_dispatch(&w->eng, 0);
	lsc_agent_set_health(&w->eng, A(w, 3), LSC_AGENT_UP, 0);
	ASSERT_EQ(A(w, 1), T(w, 1)->agent);
	ASSERT_EQ(A(w, 2), T(w, 3)->agent);
	lsc_agent_set_measured(&w->eng, A(w, 1), 950, 0);
	lsc_agent_set_measured(&w->eng, A(w, 2), 900, 0);
	lsc_agent_set_measured(&w->eng, A(w, 3), 0, 0);
	w->eng.tun.agent_scan = 2;
	ASSERT_LT(0, lsc_balance(&w->eng, 0));
	ASSERT_EQ(A(w, 1), T(w, 1)->agent);
	ASSERT_EQ(A(w, 1), T(w, 2)->agent);
	ASSERT_TRUE(T(w, 3)->agent == A(w, 3) || T(w, 4)->agent == A(w, 3));
	free(w);
}

static s64 absdiff(s64 a, s64 b)
{
	return a > b ? a - b : b - a;
}

/* Sum over pairs of UP agents of |L_i - L_j|, with @s at @ls, @d at @ld. */
static s64 pairs_with(struct world *w, u32 n, const struct lsc_agent *s,
		      s64 ls, const struct lsc_agent *d, s64 ld)
{
	s64 sum = 0, li, lj;
	u32 i, j;

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++) {
			const struct lsc_agent *a = &w->agents[i];
			const struct lsc_agent *b = &w->agents[j];

			if (a->health != LSC_AGENT_UP ||
			    b->health != LSC_AGENT_UP)
				continue;
			li = a == s ? ls : a == d ? ld : a->load;
			lj = b == s ? ls : b == d ? ld : b->load;
			sum += absdiff(li, lj);
		}
	return sum;
}

/*
 * The change a move makes to the imbalance, read off the ranked load
 * index in O(log n), is the change the pairs themselves show: random
 * loads with many ties, agents that are not UP among them, new loads
 * below, between, at and above the others.
 */
TEST(imbalance_change_from_ranks_equals_the_pairwise_sum)
{
	struct world *w = world_new();
	u64 rng = 0x9e3779b97f4a7c15ULL;
	u32 n = W_AGENTS, i, round, si, di, ls, ld;
	const struct lsc_agent *s, *d;

	for (i = 0; i < n; i++)
		add_agent(w, i + 1, 4, 8, 1, 0);
	for (round = 0; round < 2000; round++) {
		if (!(round % 50)) {
			for (i = 0; i < n; i++) {
				rng = rng * 6364136223846793005ULL + 1;
				lsc_agent_set_measured(&w->eng, A(w, i + 1),
						       (u32)(rng >> 33) % 8 * 125,
						       0);
				lsc_agent_set_health(&w->eng, A(w, i + 1),
						     (rng >> 20) % 5 ?
						     LSC_AGENT_UP :
						     LSC_AGENT_DRAINING, 0);
			}
			ASSERT_EQ(lsc_imbalance(&w->eng), lsc_loads_rank(&w->eng));
			ASSERT_EQ(pairs_with(w, n, NULL, 0, NULL, 0),
				  (s64)lsc_imbalance(&w->eng));
		}
		rng = rng * 6364136223846793005ULL + 1;
		si = (u32)(rng >> 40) % n;
		di = (u32)(rng >> 20) % n;
		if (si == di || A(w, si + 1)->health != LSC_AGENT_UP ||
		    A(w, di + 1)->health != LSC_AGENT_UP)
			continue;
		s = A(w, si + 1);
		d = A(w, di + 1);
		ls = (u32)(rng >> 8) % 1100;
		ld = (u32)(rng >> 28) % 1100;
		ASSERT_EQ(pairs_with(w, n, s, ls, d, ld) -
			  pairs_with(w, n, s, s->load, d, d->load),
			  lsc_imbalance_delta(&w->eng, s, ls, d, ld))
			TH_LOG("round %u: %u -> %u, %u -> %u", round, s->load,
			       ls, d->load, ld);
	}
	free(w);
}

TEST_HARNESS_MAIN
