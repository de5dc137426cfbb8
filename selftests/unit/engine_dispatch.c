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
	/*
	 * Measured load counts: agent 3 reports 650 per-mille, and its
	 * queued task 3, which used none of it, adds its share (250).
	 */
	lsc_agent_set_measured(&w->eng, A(w, 3), 650, 0);
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

/* ----------------------------------------------------------- liveness */

/* Tasks of @w (ids @from..@to) in state @state. */
static u32 count_state(struct world *w, u64 from, u64 to, u32 state)
{
	u32 n = 0;
	u64 i;

	for (i = from; i <= to; i++)
		n += T(w, i)->state == state;
	return n;
}

/*
 * The head-of-line case: four agents, one leaves; 200 tasks that only it
 * could hold stand ahead of 100 that fit the others.  Before partitions,
 * dispatch gave up behind them and assigned nothing, ever.  Now they are
 * parked (RUNNABLE, "no-agent"), the 100 run, and the 200 are picked up
 * when an agent that can hold them registers.
 */
TEST(hol_tasks_only_a_departed_agent_held_do_not_block_the_rest)
{
	struct world *w = world_new();
	u32 i;

	ASSERT_NE(NULL, add_agent(w, 1, 2, 4, 1, 0));
	ASSERT_NE(NULL, add_agent(w, 2, 2, 4, 1, 0));
	ASSERT_NE(NULL, add_agent(w, 3, 2, 4, 1, 0));
	ASSERT_NE(NULL, add_agent(w, 4, 8, 32, 1, 0));
	for (i = 1; i <= 200; i++)
		ASSERT_NE(NULL, add_task(w, i, 5, 6000, 16, 10));
	for (i = 201; i <= 300; i++)
		ASSERT_NE(NULL, add_task(w, i, 1, 1000, 1, 10));
	ASSERT_EQ(0, lsc_agent_remove(&w->eng, A(w, 4), w->now));
	ASSERT_EQ(3, lsc_dispatch(&w->eng, w->now));
	ASSERT_EQ(LSC_WAIT_NO_AGENT, lsc_task_wait(&w->eng, T(w, 1)));
	ASSERT_EQ(200, lsc_nr_parked(&w->eng));
	/* The parked tasks cost the dispatch nothing: none was looked at. */
	ASSERT_EQ(0, w->eng.stats.passed);
	run_to_idle(w);
	ASSERT_EQ(100, count_state(w, 201, 300, LSC_TASK_SUCCEEDED));
	ASSERT_EQ(200, count_state(w, 1, 200, LSC_TASK_RUNNABLE));
	/* An agent that can hold them comes: they run, one at a time. */
	ASSERT_NE(NULL, add_agent(w, 5, 8, 32, 1, 0));
	ASSERT_EQ(0, lsc_nr_parked(&w->eng));
	ASSERT_EQ(LSC_WAIT_TURN, lsc_task_wait(&w->eng, T(w, 2)));
	run_to_idle(w);
	ASSERT_EQ(200, count_state(w, 1, 200, LSC_TASK_SUCCEEDED));
	ASSERT_EQ(NULL, w->violation);
	free(w);
}

/* Draining parks too, and coming back UP unparks, in O(1). */
TEST(tasks_only_a_draining_agent_can_hold_are_parked_until_it_is_up)
{
	struct world *w = world_new();

	add_agent(w, 1, 2, 4, 1, 0);
	add_agent(w, 2, 8, 32, 1, 0);
	ASSERT_EQ(0, lsc_agent_set_health(&w->eng, A(w, 2), LSC_AGENT_DRAINING,
					  0));
	add_task(w, 1, 5, 6000, 16, 10);
	add_task(w, 2, 1, 1000, 1, 10);
	ASSERT_EQ(1, lsc_dispatch(&w->eng, 0));
	ASSERT_EQ(LSC_TASK_ASSIGNED, T(w, 2)->state);
	ASSERT_EQ(LSC_WAIT_NO_AGENT, lsc_task_wait(&w->eng, T(w, 1)));
	ASSERT_TRUE(lsc_task_can_ever_fit(&w->eng, T(w, 1)));
	lsc_agent_set_health(&w->eng, A(w, 2), LSC_AGENT_UP, 0);
	ASSERT_EQ(LSC_WAIT_TURN, lsc_task_wait(&w->eng, T(w, 1)));
	ASSERT_EQ(1, lsc_dispatch(&w->eng, 0));
	ASSERT_EQ(A(w, 2), T(w, 1)->agent);
	free(w);
}

/*
 * GPU tasks blocked at the head of the queue do not use up the window
 * behind it: with the GPU agent busy, every CPU agent gets a CPU task in
 * one dispatch, whatever the number of GPU tasks ahead.
 */
TEST(gpu_tasks_blocked_at_the_head_leave_cpu_agents_no_idle)
{
	struct world *w = world_new();
	struct lsc_task *t;
	u32 i;

	for (i = 1; i <= 10; i++)
		add_agent(w, i, 2, 4, 1, 0);
	lsc_agent_init(A(w, 11), 11);
	A(w, 11)->cap[LSC_RES_CPU] = 16000;
	A(w, 11)->cap[LSC_RES_MEM] = 64 * GB;
	A(w, 11)->cap[LSC_RES_GPU] = 1;
	ASSERT_EQ(0, lsc_agent_add(&w->eng, A(w, 11), 0));
	for (i = 1; i <= 200; i++) {
		t = mk_task(w, i, 7, 4000, 8, 100);
		t->demand[LSC_RES_GPU] = 1;
		ASSERT_EQ(0, submit(w, t, 0));
	}
	for (i = 201; i <= 400; i++)
		ASSERT_NE(NULL, add_task(w, i, 1, 1000, 1, 500));
	/* One GPU task runs, the other 199 wait ahead of the CPU tasks. */
	ASSERT_EQ(11, lsc_dispatch(&w->eng, 0));
	ASSERT_EQ(1, count_state(w, 1, 200, LSC_TASK_ASSIGNED));
	ASSERT_EQ(10, count_state(w, 201, 400, LSC_TASK_ASSIGNED));
	ASSERT_EQ(T(w, 2), w->eng.resv_task);
	/* A CPU agent frees up: the next CPU task goes there at once. */
	w->now = 500 * SEC;
	for (i = 201; i <= 400; i++)
		if (T(w, i)->agent == A(w, 3))
			lsc_task_complete(&w->eng, T(w, i), 0, w->now);
	ASSERT_EQ(1, lsc_dispatch(&w->eng, w->now));
	ASSERT_EQ(0, w->eng.stats.passed);
	free(w);
}

/*
 * One user at max_active 1 with 300 queued priority-5 tasks, another with
 * 50 priority-1 tasks, ten agents: the first user's backlog is not even
 * looked at, the other user fills the other nine agents.
 */
TEST(user_at_its_limit_costs_others_nothing)
{
	struct world *w = world_new();
	struct lsc_task *t;
	u32 i;

	for (i = 1; i <= 10; i++)
		add_agent(w, i, 2, 4, 1, 0);
	ASSERT_EQ(0, lsc_user_set_limit(&w->eng, &w->users[0], 1));
	for (i = 1; i <= 300; i++)
		ASSERT_NE(NULL, add_task(w, i, 5, 1000, 1, 10));
	for (i = 301; i <= 350; i++) {
		t = mk_task(w, i, 1, 1000, 1, 10);
		ASSERT_EQ(0, submit(w, t, 1));
	}
	ASSERT_EQ(10, lsc_dispatch(&w->eng, 0));
	ASSERT_EQ(1, count_state(w, 1, 300, LSC_TASK_ASSIGNED));
	ASSERT_EQ(9, count_state(w, 301, 350, LSC_TASK_ASSIGNED));
	ASSERT_EQ(0, w->eng.stats.passed);
	ASSERT_EQ(LSC_WAIT_USER_LIMIT, lsc_task_wait(&w->eng, T(w, 300)));
	/* Its task ends: its next one takes the free agent. */
	w->now = 10 * SEC;
	for (i = 1; i <= 300; i++)
		if (T(w, i)->state == LSC_TASK_ASSIGNED)
			lsc_task_complete(&w->eng, T(w, i), 0, w->now);
	ASSERT_EQ(1, lsc_dispatch(&w->eng, w->now));
	ASSERT_EQ(1, count_state(w, 1, 300, LSC_TASK_ASSIGNED));
	ASSERT_EQ(0, w->eng.stats.passed);
	free(w);
}

/*
 * The head needs a slot of its user's limit at its shadow time: the
 * user's other tasks do not take the last one, while other users' tasks
 * still backfill.
 */
TEST(head_keeps_the_last_slot_of_its_users_limit)
{
	struct world *w = world_new();
	struct lsc_task *t;

	add_agent(w, 1, 4, 8, 1, 0);
	add_agent(w, 2, 4, 8, 1, 0);
	add_agent(w, 3, 4, 8, 1, 0);
	ASSERT_EQ(0, lsc_user_set_limit(&w->eng, &w->users[0], 2));
	add_task(w, 1, 9, 4000, 1, 100);	/* user 0, on agent 1 */
	t = mk_task(w, 2, 9, 4000, 1, 100);	/* user 1, on agent 2 */
	submit(w, t, 1);
	ASSERT_EQ(2, lsc_dispatch(&w->eng, 0));
	add_task(w, 3, 8, 8000, 1, 10);		/* user 0: the head */
	add_task(w, 4, 1, 1000, 1, 1000);	/* user 0: behind it */
	t = mk_task(w, 5, 1, 1000, 1, 1000);	/* user 1: behind it */
	submit(w, t, 1);
	/* Agent 3 could take task 4 (a 1000 s task on a free agent) but that
	 * would leave the head's user no slot at its start.
	 */
	lsc_agent_resize(&w->eng, A(w, 1), (u64[LSC_NR_RES]){ 8000, 8 * GB },
			 0);
	ASSERT_EQ(1, lsc_dispatch(&w->eng, 0));
	ASSERT_EQ(T(w, 3), w->eng.resv_task);
	ASSERT_EQ(LSC_TASK_RUNNABLE, T(w, 4)->state);
	ASSERT_EQ(A(w, 3), T(w, 5)->agent);
	free(w);
}

/*
 * The head's extra capacity on the reserved agent counts every task that
 * ends by the shadow time, not only those the head needs gone.  Agent:
 * 5 CPUs; A (2 CPUs) and B (1 CPU) end at 10 s, C (1 CPU) at 1000 s.  The
 * head (3 CPUs) fits once A is gone, at 10 s; B is gone by then too, so a
 * long 1-CPU task fits beside the head and may start now.
 */
TEST(backfill_extra_counts_every_task_done_by_the_shadow_time)
{
	struct world *w = world_new();

	add_agent(w, 1, 5, 8, 5, 0);
	add_task(w, 1, 9, 2000, 1, 10);
	add_task(w, 2, 9, 1000, 1, 10);
	add_task(w, 3, 9, 1000, 1, 1000);
	ASSERT_EQ(3, lsc_dispatch(&w->eng, 0));
	add_task(w, 4, 5, 3000, 1, 10);		/* the head */
	add_task(w, 5, 1, 1000, 1, 1000);	/* runs past 10 s */
	ASSERT_EQ(1, lsc_dispatch(&w->eng, 0));
	ASSERT_EQ(T(w, 4), w->eng.resv_task);
	ASSERT_EQ(10 * SEC, w->eng.resv_ns);
	ASSERT_EQ(LSC_TASK_ASSIGNED, T(w, 5)->state);
	/* And the head still starts at its shadow time. */
	run_to_idle(w);
	{
		u32 i;

		for (i = 0; i < w->nr_log; i++)
			if (w->log[i].kind == 'a' && w->log[i].task == 4)
				ASSERT_EQ(10 * SEC, w->log[i].now);
	}
	free(w);
}

TEST_HARNESS_MAIN
