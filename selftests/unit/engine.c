// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the scheduling engine (kmod/core/): one test per
 * property, named after it.
 */
#include "engine_util.h"
#include "kselftest_harness.h"

_Static_assert(sizeof(struct lsc_task) <= 256,
	       "struct lsc_task must stay within 256 bytes");

TEST(task_struct_fits_in_256_bytes)
{
	TH_LOG("sizeof(struct lsc_task) = %zu, lsc_agent = %zu, lsc_user = %zu, lsc_engine = %zu",
	       sizeof(struct lsc_task), sizeof(struct lsc_agent),
	       sizeof(struct lsc_user), sizeof(struct lsc_engine));
	ASSERT_LE(sizeof(struct lsc_task), 256);
}

/* ------------------------------------------------------ reference example */

TEST(reference_example_event_order)
{
	struct world *w = world_new();
	char buf[1024];

	ASSERT_NE(NULL, add_agent(w, 1, 4, 8, 1, 0));
	ASSERT_NE(NULL, add_agent(w, 2, 2, 4, 1, 0));
	ASSERT_NE(NULL, add_task(w, 1, 3, 2000, 4, 10));
	ASSERT_NE(NULL, add_task(w, 2, 2, 1000, 2, 5));
	ASSERT_NE(NULL, add_task(w, 3, 1, 3000, 3, 15));
	ASSERT_EQ(25 * SEC, run_to_idle(w));
	log_text(w, buf, sizeof(buf));
	ASSERT_STREQ("Task 1 assigned to agent 1\n"
		     "Task 2 assigned to agent 2\n"
		     "Task 2 completed\n"
		     "Task 1 completed\n"
		     "Task 3 assigned to agent 1\n"
		     "Task 3 completed\n", buf);
	ASSERT_EQ(NULL, w->violation);
	free(w);
}

/* ------------------------------------------------------------- policies */

/* Order in which tasks get one single-slot agent, one after the other. */
static void serial_order(struct world *w, u64 *order, u32 n)
{
	u32 i, k = 0;

	run_to_idle(w);
	for (i = 0; i < w->nr_log && k < n; i++)
		if (w->log[i].kind == 'a')
			order[k++] = w->log[i].task;
}

TEST(prio_fifo_orders_by_priority_then_arrival_then_id)
{
	struct world *w = world_new();
	u64 order[5];

	add_agent(w, 1, 4, 8, 1, 0);
	/* The agent is busy while the others queue. */
	add_task(w, 10, 0, 1000, 1, 1);
	lsc_dispatch(&w->eng, w->now);
	w->now = 1;
	add_task(w, 5, 1, 1000, 1, 1);		/* prio 1, arrives at 1 */
	add_task(w, 4, 1, 1000, 1, 1);		/* same prio and arrival */
	w->now = 2;
	add_task(w, 3, 2, 1000, 1, 1);		/* higher prio, later */
	add_task(w, 2, 1, 1000, 1, 1);		/* prio 1, arrives at 2 */
	serial_order(w, order, 5);
	ASSERT_EQ(10, order[0]);
	ASSERT_EQ(3, order[1]);
	ASSERT_EQ(4, order[2]);
	ASSERT_EQ(5, order[3]);
	ASSERT_EQ(2, order[4]);
	free(w);
}

TEST(sjf_orders_by_estimate_within_priority)
{
	struct world *w = world_new();
	u64 order[5];

	ASSERT_EQ(0, lsc_set_policy(&w->eng, LSC_POLICY_SJF));
	add_agent(w, 1, 4, 8, 1, 0);
	add_task(w, 10, 0, 1000, 1, 1);
	lsc_dispatch(&w->eng, w->now);
	add_task(w, 1, 1, 1000, 1, 30);
	add_task(w, 2, 1, 1000, 1, 10);
	add_task(w, 3, 1, 1000, 1, 20);
	add_task(w, 4, 2, 1000, 1, 99);		/* priority still first */
	serial_order(w, order, 5);
	ASSERT_EQ(10, order[0]);
	ASSERT_EQ(4, order[1]);
	ASSERT_EQ(2, order[2]);
	ASSERT_EQ(3, order[3]);
	ASSERT_EQ(1, order[4]);
	free(w);
}

TEST(policy_switch_rekeys_the_queue)
{
	struct world *w = world_new();
	u64 order[4];

	add_agent(w, 1, 4, 8, 1, 0);
	add_task(w, 10, 0, 1000, 1, 1);
	lsc_dispatch(&w->eng, w->now);
	add_task(w, 1, 1, 1000, 1, 30);
	add_task(w, 2, 1, 1000, 1, 10);
	add_task(w, 3, 1, 1000, 1, 20);
	ASSERT_EQ(0, lsc_set_policy(&w->eng, LSC_POLICY_DRF));
	ASSERT_EQ(0, lsc_set_policy(&w->eng, LSC_POLICY_SJF));
	ASSERT_EQ(-LSC_EINVAL, lsc_set_policy(&w->eng, LSC_POLICY_NR));
	serial_order(w, order, 4);
	ASSERT_EQ(2, order[1]);
	ASSERT_EQ(3, order[2]);
	ASSERT_EQ(1, order[3]);
	free(w);
}

/*
 * MLFQ starvation bound: a task that has waited more than
 * (LSC_PRIO_MAX - LSC_PRIO_MIN) * age_ns ranks ahead of any task arriving
 * now, whatever its priority; before that, a higher level goes first.
 */
TEST(mlfq_aging_bound_lowest_level_passes_new_highest)
{
	struct world *w = world_new();
	struct lsc_tunables tun;
	u64 bound, order[3];

	lsc_default_tunables(&tun);
	tun.age_ns = 1000;
	ASSERT_EQ(0, lsc_set_tunables(&w->eng, &tun));
	ASSERT_EQ(0, lsc_set_policy(&w->eng, LSC_POLICY_MLFQ));
	bound = (u64)(LSC_PRIO_MAX - LSC_PRIO_MIN) * tun.age_ns;
	add_agent(w, 1, 4, 8, 1, 0);
	add_task(w, 100, LSC_PRIO_MAX, 1000, 1, 1000);
	lsc_dispatch(&w->eng, w->now);		/* occupies the agent */
	add_task(w, 1, LSC_PRIO_MIN, 1000, 1, 1);	/* old, lowest */
	w->now = bound - 1;
	add_task(w, 2, LSC_PRIO_MAX, 1000, 1, 1);	/* young, highest */
	w->now = bound + 1;
	add_task(w, 3, LSC_PRIO_MAX, 1000, 1, 1);	/* after the bound */
	serial_order(w, order, 3);
	ASSERT_EQ(100, order[0]);
	/* 2 arrived before task 1 reached the bound: it goes first ... */
	ASSERT_EQ(2, order[1]);
	/* ... but task 1 (waited > bound) ranks ahead of task 3. */
	ASSERT_EQ(1, order[2]);
	free(w);
}

TEST(mlfq_requeue_after_agent_loss_moves_down_one_level)
{
	struct world *w = world_new();
	struct lsc_tunables tun;
	struct lsc_task *t1;
	u64 order[2];

	lsc_default_tunables(&tun);
	tun.age_ns = 1000;
	lsc_set_tunables(&w->eng, &tun);
	lsc_set_policy(&w->eng, LSC_POLICY_MLFQ);
	add_agent(w, 1, 4, 8, 1, 0);
	t1 = mk_task(w, 1, 5, 1000, 1, 10);
	t1->retries = 1;
	submit(w, t1, 0);
	lsc_dispatch(&w->eng, w->now);
	ASSERT_EQ(LSC_TASK_ASSIGNED, t1->state);
	/* Same priority, arrives 500 ns later: behind t1 while t1 is level 5. */
	w->now = 500;
	add_task(w, 2, 5, 1000, 1, 10);
	lsc_agent_set_health(&w->eng, A(w, 1), LSC_AGENT_LOST, w->now);
	ASSERT_EQ(LSC_TASK_RUNNABLE, t1->state);
	ASSERT_EQ(1, t1->level);
	ASSERT_EQ(0, t1->retries);
	lsc_agent_set_health(&w->eng, A(w, 1), LSC_AGENT_UP, w->now);
	/* t1's key grew by age_ns (1000) > 500: task 2 now goes first. */
	w->nr_log = 0;
	serial_order(w, order, 2);
	ASSERT_EQ(2, order[0]);
	ASSERT_EQ(1, order[1]);
	free(w);
}

TEST(mlfq_overrun_task_given_back_moves_down_one_level)
{
	struct world *w = world_new();
	struct lsc_task *t;

	add_agent(w, 1, 4, 8, 1, 0);
	t = mk_task(w, 1, 5, 1000, 1, 10);
	t->retries = 2;
	submit(w, t, 0);
	lsc_dispatch(&w->eng, 0);
	lsc_task_start(&w->eng, t, 0);
	/* Given back within its estimate: no cost at all. */
	ASSERT_EQ(0, lsc_task_requeue(&w->eng, t, false, 5 * SEC));
	ASSERT_EQ(LSC_TASK_RUNNABLE, t->state);
	ASSERT_EQ(0, t->level);
	ASSERT_EQ(2, t->retries);
	lsc_dispatch(&w->eng, 5 * SEC);
	lsc_task_start(&w->eng, t, 5 * SEC);
	/* Given back after overrunning (started at 5 s, estimate 10 s). */
	ASSERT_EQ(0, lsc_task_requeue(&w->eng, t, false, 16 * SEC));
	ASSERT_EQ(1, t->level);
	ASSERT_EQ(2, t->retries);
	/* A failure spends a retry and a level. */
	lsc_dispatch(&w->eng, 16 * SEC);
	ASSERT_EQ(0, lsc_task_requeue(&w->eng, t, true, 17 * SEC));
	ASSERT_EQ(2, t->level);
	ASSERT_EQ(1, t->retries);
	ASSERT_EQ(-LSC_EINVAL, lsc_task_requeue(&w->eng, t, true, 17 * SEC));
	free(w);
}

TEST(drf_flood_by_one_user_does_not_starve_another)
{
	struct world *w = world_new();
	u32 i, b_done_at = 0, k = 0;

	ASSERT_EQ(0, lsc_set_policy(&w->eng, LSC_POLICY_DRF));
	add_agent(w, 1, 4, 8, 1, 0);
	add_agent(w, 2, 4, 8, 1, 0);
	/* User 0 floods 200 tasks first, higher priority even. */
	for (i = 1; i <= 200; i++) {
		struct lsc_task *t = mk_task(w, i, 3, 1000, 1, 1);

		ASSERT_EQ(0, submit(w, t, 0));
	}
	w->now = 1;
	for (i = 201; i <= 204; i++) {
		struct lsc_task *t = mk_task(w, i, 1, 1000, 1, 1);

		ASSERT_EQ(0, submit(w, t, 1));
	}
	run_to_idle(w);
	/* User 1's four tasks are among the first assignments. */
	for (i = 0; i < w->nr_log; i++) {
		if (w->log[i].kind != 'a')
			continue;
		k++;
		if (w->log[i].task > 200)
			b_done_at = k;
	}
	ASSERT_EQ(204, k);
	TH_LOG("user 1's last task was assignment number %u of 204",
	       b_done_at);
	ASSERT_LE(b_done_at, 12);
	free(w);
}

TEST(drf_picks_user_with_smallest_dominant_share)
{
	struct world *w = world_new();
	struct lsc_task *t;

	lsc_set_policy(&w->eng, LSC_POLICY_DRF);
	add_agent(w, 1, 10, 10, 4, 0);
	/* User 0 holds 60% CPU, user 1 holds 30% memory. */
	t = mk_task(w, 1, 1, 6000, 1, 100);
	submit(w, t, 0);
	t = mk_task(w, 2, 1, 1000, 3, 100);
	submit(w, t, 1);
	lsc_dispatch(&w->eng, w->now);
	ASSERT_EQ(LSC_SHARE_ONE * 6 / 10, w->users[0].share);
	ASSERT_EQ(LSC_SHARE_ONE * 3 / 10, w->users[1].share);
	/* User 1 (smaller share) goes first though user 0 submitted first. */
	t = mk_task(w, 3, 1, 1000, 1, 1);
	submit(w, t, 0);
	t = mk_task(w, 4, 1, 1000, 1, 1);
	submit(w, t, 1);
	lsc_dispatch(&w->eng, w->now);
	ASSERT_EQ(LSC_TASK_ASSIGNED, T(w, 4)->state);
	ASSERT_EQ(LSC_TASK_ASSIGNED, T(w, 3)->state);
	/* Task 4 (user 1) was assigned before task 3 (user 0). */
	{
		int i4 = -1, i3 = -1;
		u32 i;

		for (i = 0; i < w->nr_log; i++) {
			if (w->log[i].kind != 'a')
				continue;
			if (w->log[i].task == 4)
				i4 = i;
			if (w->log[i].task == 3)
				i3 = i;
		}
		ASSERT_LT(i4, i3);
	}
	free(w);
}

TEST(user_max_active_limits_without_blocking_others)
{
	struct world *w = world_new();

	add_agent(w, 1, 8, 8, 4, 0);
	w->users[0].max_active = 1;
	add_task(w, 1, 3, 1000, 1, 10);
	add_task(w, 2, 3, 1000, 1, 10);
	ASSERT_EQ(0, submit(w, mk_task(w, 3, 1, 1000, 1, 10), 1));
	ASSERT_EQ(2, lsc_dispatch(&w->eng, w->now));
	ASSERT_EQ(LSC_TASK_ASSIGNED, T(w, 1)->state);
	ASSERT_EQ(LSC_TASK_RUNNABLE, T(w, 2)->state);
	ASSERT_EQ(LSC_TASK_ASSIGNED, T(w, 3)->state);
	free(w);
}

/* ------------------------------------------------------- fit and agents */

TEST(fit_needs_every_kind_tags_and_a_free_slot)
{
	struct world *w = world_new();
	struct lsc_task *t;

	add_agent(w, 1, 4, 8, 1, 0x1);
	/* Memory too large. */
	t = add_task(w, 1, 1, 1000, 9, 1);
	/* Tag 0x2 missing. */
	t = mk_task(w, 2, 1, 1000, 1, 1);
	t->tags = 0x2;
	submit(w, t, 0);
	/* GPU missing. */
	t = mk_task(w, 3, 1, 1000, 1, 1);
	t->demand[LSC_RES_GPU] = 1;
	submit(w, t, 0);
	ASSERT_EQ(0, lsc_dispatch(&w->eng, w->now));
	ASSERT_FALSE(lsc_task_can_ever_fit(&w->eng, T(w, 1)));
	ASSERT_FALSE(lsc_task_can_ever_fit(&w->eng, T(w, 2)));
	ASSERT_FALSE(lsc_task_can_ever_fit(&w->eng, T(w, 3)));
	/* Exact fit with the required tag works; the single slot is then used. */
	t = mk_task(w, 4, 1, 4000, 8, 1);
	t->tags = 0x1;
	submit(w, t, 0);
	add_task(w, 5, 1, 0, 0, 1);
	ASSERT_TRUE(lsc_task_can_ever_fit(&w->eng, T(w, 4)));
	ASSERT_EQ(1, lsc_dispatch(&w->eng, w->now));
	ASSERT_EQ(LSC_TASK_ASSIGNED, T(w, 4)->state);
	ASSERT_EQ(LSC_TASK_RUNNABLE, T(w, 5)->state);
	free(w);
}

TEST(can_ever_fit_ignores_lost_agents)
{
	struct world *w = world_new();
	struct lsc_task *t = mk_task(w, 1, 1, 3000, 1, 1);

	ASSERT_FALSE(lsc_task_can_ever_fit(&w->eng, t));
	add_agent(w, 1, 4, 8, 1, 0);
	ASSERT_TRUE(lsc_task_can_ever_fit(&w->eng, t));
	lsc_agent_set_health(&w->eng, A(w, 1), LSC_AGENT_DRAINING, 0);
	ASSERT_TRUE(lsc_task_can_ever_fit(&w->eng, t));
	lsc_agent_set_health(&w->eng, A(w, 1), LSC_AGENT_LOST, 0);
	ASSERT_FALSE(lsc_task_can_ever_fit(&w->eng, t));
	free(w);
}

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

TEST(many_agents_in_one_class_all_used)
{
	struct world *w = world_new();
	u32 i;

	for (i = 1; i <= W_AGENTS; i++)
		ASSERT_NE(NULL, add_agent(w, i, 2, 2, 1, 0));
	ASSERT_EQ(1, w->eng.nr_classes);
	for (i = 1; i <= 20; i++)
		add_task(w, i, 1, 1000, 1, 5);
	ASSERT_EQ(W_AGENTS, lsc_dispatch(&w->eng, 0));
	/* Remove the class host: the class moves, the others still work. */
	ASSERT_EQ(0, lsc_agent_remove(&w->eng, A(w, 1), 0));
	ASSERT_EQ(1, w->eng.nr_classes);
	ASSERT_EQ(LSC_TASK_FAILED, T(w, 1)->state);	/* no retries left */
	ASSERT_EQ(LSC_FAIL_AGENT_LOST, T(w, 1)->reason);
	run_to_idle(w);
	for (i = 2; i <= 20; i++)
		ASSERT_EQ(LSC_TASK_SUCCEEDED, T(w, i)->state);
	free(w);
}

/* ------------------------------------------------------------ lifecycle */

TEST(agent_loss_requeues_then_fails_when_retries_run_out)
{
	struct world *w = world_new();
	struct lsc_task *t;

	add_agent(w, 1, 4, 8, 1, 0);
	add_agent(w, 2, 4, 8, 1, 0);
	t = mk_task(w, 1, 1, 1000, 1, 10);
	t->retries = 1;
	submit(w, t, 0);
	lsc_dispatch(&w->eng, 0);
	lsc_task_start(&w->eng, t, 0);
	ASSERT_EQ(A(w, 1), t->agent);
	ASSERT_EQ(0, lsc_agent_set_health(&w->eng, A(w, 1), LSC_AGENT_LOST,
					  1));
	ASSERT_EQ(LSC_TASK_RUNNABLE, t->state);
	ASSERT_EQ(0, t->retries);
	ASSERT_EQ(0, A(w, 1)->used_slots);
	ASSERT_EQ(0, A(w, 1)->committed[LSC_RES_CPU]);
	lsc_dispatch(&w->eng, 1);
	ASSERT_EQ(A(w, 2), t->agent);	/* not the lost one */
	ASSERT_EQ(0, lsc_agent_remove(&w->eng, A(w, 2), 2));
	ASSERT_EQ(LSC_TASK_FAILED, t->state);
	ASSERT_EQ(LSC_FAIL_AGENT_LOST, t->reason);
	ASSERT_EQ(1, w->terminal_calls[0]);
	ASSERT_EQ(1, w->eng.stats.transitions[LSC_TASK_ASSIGNED]
					    [LSC_TASK_FAILED]);
	ASSERT_EQ(1, w->eng.stats.transitions[LSC_TASK_RUNNING]
					    [LSC_TASK_RUNNABLE]);
	/* A RUNNING task without retries fails with agent-lost too. */
	add_agent(w, 3, 4, 8, 1, 0);
	t = mk_task(w, 2, 1, 1000, 1, 10);
	submit(w, t, 0);
	lsc_dispatch(&w->eng, 3);
	lsc_task_start(&w->eng, t, 3);
	lsc_agent_set_health(&w->eng, A(w, 3), LSC_AGENT_LOST, 4);
	ASSERT_EQ(LSC_TASK_FAILED, t->state);
	ASSERT_EQ(LSC_FAIL_AGENT_LOST, t->reason);
	ASSERT_EQ(NULL, w->violation);
	free(w);
}

TEST(draining_agent_keeps_its_tasks_takes_no_new_ones)
{
	struct world *w = world_new();

	add_agent(w, 1, 4, 8, 2, 0);
	add_task(w, 1, 1, 1000, 1, 10);
	lsc_dispatch(&w->eng, 0);
	lsc_agent_set_health(&w->eng, A(w, 1), LSC_AGENT_DRAINING, 0);
	add_task(w, 2, 1, 1000, 1, 10);
	ASSERT_EQ(0, lsc_dispatch(&w->eng, 0));
	ASSERT_EQ(LSC_TASK_ASSIGNED, T(w, 1)->state);
	ASSERT_EQ(0, lsc_task_complete(&w->eng, T(w, 1), 0, 5));
	lsc_agent_set_health(&w->eng, A(w, 1), LSC_AGENT_UP, 5);
	ASSERT_EQ(1, lsc_dispatch(&w->eng, 5));
	free(w);
}

TEST(exit_failure_fails_or_retries_with_flag)
{
	struct world *w = world_new();
	struct lsc_task *t;

	add_agent(w, 1, 4, 8, 1, 0);
	add_task(w, 1, 1, 1000, 1, 10);
	lsc_dispatch(&w->eng, 0);
	ASSERT_EQ(0, lsc_task_complete(&w->eng, T(w, 1), 3, 1));
	ASSERT_EQ(LSC_TASK_FAILED, T(w, 1)->state);
	ASSERT_EQ(LSC_FAIL_EXIT, T(w, 1)->reason);
	ASSERT_EQ(3, T(w, 1)->exit_status);
	ASSERT_EQ(-LSC_EINVAL, lsc_task_complete(&w->eng, T(w, 1), 0, 1));
	t = mk_task(w, 2, 1, 1000, 1, 10);
	t->flags = LSC_TASK_F_RETRY_ON_EXIT;
	t->retries = 1;
	submit(w, t, 0);
	lsc_dispatch(&w->eng, 1);
	lsc_task_complete(&w->eng, t, 1, 2);
	ASSERT_EQ(LSC_TASK_RUNNABLE, t->state);
	lsc_dispatch(&w->eng, 2);
	lsc_task_complete(&w->eng, t, 1, 3);
	ASSERT_EQ(LSC_TASK_FAILED, t->state);
	free(w);
}

TEST(invalid_submissions_are_rejected_unchanged)
{
	struct world *w = world_new();
	struct lsc_task *t = mk_task(w, 1, LSC_PRIO_MAX + 1, 0, 0, 1);
	struct lsc_user stranger;

	ASSERT_EQ(-LSC_EINVAL, submit(w, t, 0));
	ASSERT_EQ(LSC_TASK_NEW, t->state);
	t->prio = 1;
	t->flags = 0x80;
	ASSERT_EQ(-LSC_EINVAL, submit(w, t, 0));
	t->flags = 0;
	lsc_user_init(&stranger, 9);
	ASSERT_EQ(-LSC_EINVAL, lsc_task_submit(&w->eng, t, &stranger, NULL,
					       0, NULL, 0, 0));
	/* Dependency on a task never submitted. */
	w->deps[0][0].on = T(w, 2);
	lsc_task_init(T(w, 2), 2);
	ASSERT_EQ(-LSC_EINVAL, lsc_task_submit(&w->eng, t, &w->users[0],
					       w->deps[0], 1, NULL, 0, 0));
	ASSERT_EQ(0, submit(w, t, 0));
	ASSERT_EQ(-LSC_EINVAL, submit(w, t, 0));	/* twice */
	ASSERT_EQ(-LSC_EBUSY, lsc_user_remove(&w->eng, &w->users[0]));
	lsc_task_cancel(&w->eng, t, 0);
	ASSERT_EQ(0, lsc_user_remove(&w->eng, &w->users[0]));
	ASSERT_EQ(-LSC_EINVAL, lsc_task_cancel(&w->eng, t, 0));
	free(w);
}

/* ---------------------------------------------------------- dependencies */

static int submit_deps(struct world *w, struct lsc_task *t, u64 a, u64 b)
{
	struct lsc_dep *d = w->deps[task_index(w, t)];
	u32 n = 0;

	if (a)
		d[n++].on = T(w, a);
	if (b)
		d[n++].on = T(w, b);
	return lsc_task_submit(&w->eng, t, &w->users[0], d, n, NULL, 0,
			       w->now);
}

TEST(dependency_success_makes_dependent_runnable)
{
	struct world *w = world_new();

	add_agent(w, 1, 4, 8, 1, 0);
	add_task(w, 1, 1, 1000, 1, 10);
	add_task(w, 2, 1, 1000, 1, 10);
	ASSERT_EQ(0, submit_deps(w, mk_task(w, 3, 9, 1000, 1, 10), 1, 2));
	ASSERT_EQ(LSC_TASK_QUEUED, T(w, 3)->state);
	ASSERT_EQ(2, T(w, 3)->nr_pending);
	run_to_idle(w);
	ASSERT_EQ(LSC_TASK_SUCCEEDED, T(w, 3)->state);
	/* Task 3 (prio 9) ran last: it waited for both. */
	ASSERT_EQ(3, w->log[w->nr_log - 1].task);
	ASSERT_EQ(NULL, w->deps[2][0].on);
	ASSERT_EQ(1, w->deps[2][0].on_id);
	/* A dependency on an already succeeded task is satisfied. */
	ASSERT_EQ(0, submit_deps(w, mk_task(w, 4, 1, 1000, 1, 10), 3, 0));
	ASSERT_EQ(LSC_TASK_RUNNABLE, T(w, 4)->state);
	free(w);
}

TEST(dependency_failure_propagates_transitively_as_dep_failed)
{
	struct world *w = world_new();

	add_agent(w, 1, 4, 8, 1, 0);
	add_task(w, 1, 1, 1000, 1, 10);
	add_task(w, 2, 1, 1000, 1, 10);
	submit_deps(w, mk_task(w, 3, 1, 1000, 1, 10), 1, 2);
	submit_deps(w, mk_task(w, 4, 1, 1000, 1, 10), 3, 0);
	submit_deps(w, mk_task(w, 5, 1, 1000, 1, 10), 4, 2);
	submit_deps(w, mk_task(w, 6, 1, 1000, 1, 10), 2, 0);
	lsc_dispatch(&w->eng, 0);
	ASSERT_EQ(LSC_TASK_ASSIGNED, T(w, 1)->state);
	lsc_task_complete(&w->eng, T(w, 1), 1, 1);
	ASSERT_EQ(LSC_TASK_FAILED, T(w, 1)->state);
	ASSERT_EQ(LSC_FAIL_EXIT, T(w, 1)->reason);
	ASSERT_EQ(LSC_TASK_FAILED, T(w, 3)->state);
	ASSERT_EQ(LSC_FAIL_DEP_FAILED, T(w, 3)->reason);
	ASSERT_EQ(LSC_TASK_FAILED, T(w, 4)->state);
	ASSERT_EQ(LSC_FAIL_DEP_FAILED, T(w, 4)->reason);
	ASSERT_EQ(LSC_TASK_FAILED, T(w, 5)->state);
	ASSERT_EQ(LSC_FAIL_DEP_FAILED, T(w, 5)->reason);
	/* Unrelated branch is untouched; task 2 has no dependent edges left
	 * from 3 and 5, only from 6.
	 */
	ASSERT_EQ(LSC_TASK_QUEUED, T(w, 6)->state);
	ASSERT_EQ(LSC_TASK_RUNNABLE, T(w, 2)->state);
	run_to_idle(w);
	ASSERT_EQ(LSC_TASK_SUCCEEDED, T(w, 6)->state);
	/* A dependency on an already failed task fails at submission. */
	ASSERT_EQ(0, submit_deps(w, mk_task(w, 7, 1, 1000, 1, 10), 6, 5));
	ASSERT_EQ(LSC_TASK_FAILED, T(w, 7)->state);
	ASSERT_EQ(LSC_FAIL_DEP_FAILED, T(w, 7)->reason);
	for (int i = 0; i < 7; i++)
		ASSERT_EQ(1, w->terminal_calls[i]);
	ASSERT_EQ(NULL, w->violation);
	free(w);
}

TEST(cancel_propagates_dep_failed_to_dependents)
{
	struct world *w = world_new();

	add_task(w, 1, 1, 1000, 1, 10);
	submit_deps(w, mk_task(w, 2, 1, 1000, 1, 10), 1, 0);
	submit_deps(w, mk_task(w, 3, 1, 1000, 1, 10), 2, 0);
	ASSERT_EQ(0, lsc_task_cancel(&w->eng, T(w, 1), 0));
	ASSERT_EQ(LSC_TASK_CANCELLED, T(w, 1)->state);
	ASSERT_EQ(LSC_FAIL_CANCELLED, T(w, 1)->reason);
	ASSERT_EQ(LSC_FAIL_DEP_FAILED, T(w, 2)->reason);
	ASSERT_EQ(LSC_FAIL_DEP_FAILED, T(w, 3)->reason);
	/* Cancelling a QUEUED task unlinks it from its prerequisite. */
	add_task(w, 4, 1, 1000, 1, 10);
	submit_deps(w, mk_task(w, 5, 1, 1000, 1, 10), 4, 0);
	lsc_task_cancel(&w->eng, T(w, 5), 0);
	ASSERT_TRUE(lsc_list_empty(&T(w, 4)->dependents));
	ASSERT_EQ(NULL, w->violation);
	free(w);
}

/* ------------------------------------------------- bounded propagation */

/* Tasks that reached a terminal state, as seen through callbacks. */
static u32 nr_ended(struct world *w)
{
	u32 i, n = 0;

	for (i = 0; i < w->nr_tasks; i++)
		n += w->terminal_calls[i];
	return n;
}

/*
 * Task 1 with @n dependents: a fan-out (each depends on task 1) or a chain
 * (task i + 1 depends on task i).
 */
static struct world *dep_world(u32 budget, u32 n, bool chain)
{
	struct world *w = world_new();
	u32 i;

	lsc_set_propagation_budget(&w->eng, budget);
	add_task(w, 1, 1, 1000, 1, 10);
	for (i = 2; i <= n + 1; i++)
		submit_deps(w, mk_task(w, i, 1, 1000, 1, 10),
			    chain ? i - 1 : 1, 0);
	return w;
}

/* Whether @a and @b logged the same task_changed events, in order. */
static bool same_transitions(struct world *a, struct world *b)
{
	u32 i, j;

	for (i = 0, j = 0; i < a->nr_log || j < b->nr_log; i++, j++) {
		while (i < a->nr_log && a->log[i].kind != 'c')
			i++;
		while (j < b->nr_log && b->log[j].kind != 'c')
			j++;
		if (i >= a->nr_log || j >= b->nr_log)
			return i >= a->nr_log && j >= b->nr_log;
		if (a->log[i].task != b->log[j].task ||
		    a->log[i].from != b->log[j].from ||
		    a->log[i].to != b->log[j].to)
			return false;
	}
	return true;
}

TEST(bounded_cancel_of_fan_out_resolves_budget_per_call)
{
	struct world *w = dep_world(64, 400, false);
	struct world *ref = dep_world(0, 400, false);
	u32 calls = 0, i;

	add_agent(w, 1, 64, 64, 64, 0);
	ASSERT_EQ(0, lsc_task_cancel(&w->eng, T(w, 1), 0));
	ASSERT_EQ(0, lsc_task_cancel(&ref->eng, T(ref, 1), 0));
	/* Task 1 and 64 of its dependents; the others still wait. */
	ASSERT_EQ(1 + 64, nr_ended(w));
	ASSERT_EQ(401, nr_ended(ref));
	ASSERT_FALSE(lsc_task_releasable(T(w, 1)));
	ASSERT_TRUE(lsc_task_releasable(T(ref, 1)));
	/* The dependents not reached are QUEUED: never dispatched. */
	ASSERT_EQ(0, lsc_dispatch(&w->eng, 0));
	while (lsc_propagate_pending(&w->eng, 64)) {
		calls++;
		ASSERT_EQ(1 + 64 * (calls + 1), nr_ended(w));
		ASSERT_FALSE(lsc_task_releasable(T(w, 1)));
	}
	/* 336 edges left: five full calls and one that ends it. */
	ASSERT_EQ(5, calls);
	ASSERT_TRUE(lsc_task_releasable(T(w, 1)));
	ASSERT_EQ(0, lsc_propagate_pending(&w->eng, 64));
	for (i = 2; i <= 401; i++) {
		ASSERT_EQ(LSC_TASK_FAILED, T(w, i)->state);
		ASSERT_EQ(LSC_FAIL_DEP_FAILED, T(w, i)->reason);
		ASSERT_EQ(1, w->terminal_calls[i - 1]);
		ASSERT_TRUE(lsc_task_releasable(T(w, i)));
	}
	/* The same transitions in the same order as without a budget. */
	ASSERT_TRUE(same_transitions(w, ref));
	ASSERT_EQ(NULL, w->violation);
	ASSERT_EQ(0, w->users[0].nr_tasks);
	free(ref);
	free(w);
}

TEST(bounded_failure_of_chain_releases_tasks_as_it_goes)
{
	struct world *w = dep_world(8, 300, true);
	struct world *ref = dep_world(0, 300, true);
	u32 i;

	add_agent(w, 1, 4, 8, 1, 0);
	add_agent(ref, 1, 4, 8, 1, 0);
	lsc_dispatch(&w->eng, 0);
	lsc_dispatch(&ref->eng, 0);
	ASSERT_EQ(LSC_TASK_ASSIGNED, T(w, 1)->state);
	ASSERT_EQ(0, lsc_task_complete(&w->eng, T(w, 1), 1, 1));
	ASSERT_EQ(0, lsc_task_complete(&ref->eng, T(ref, 1), 1, 1));
	/* Eight edges: tasks 2..9 failed; 1..8 are done with. */
	ASSERT_EQ(9, nr_ended(w));
	for (i = 1; i <= 8; i++)
		ASSERT_TRUE(lsc_task_releasable(T(w, i)));
	ASSERT_EQ(LSC_TASK_FAILED, T(w, 9)->state);
	ASSERT_FALSE(lsc_task_releasable(T(w, 9)));
	ASSERT_EQ(LSC_TASK_QUEUED, T(w, 10)->state);
	ASSERT_FALSE(lsc_task_releasable(T(w, 10)));
	ASSERT_NE(0, lsc_propagate_pending(&w->eng, 1));
	ASSERT_EQ(10, nr_ended(w));
	ASSERT_TRUE(lsc_task_releasable(T(w, 9)));
	ASSERT_EQ(0, lsc_propagate_pending(&w->eng, 0));
	ASSERT_EQ(301, nr_ended(w));
	for (i = 1; i <= 301; i++) {
		ASSERT_EQ(1, w->terminal_calls[i - 1]);
		ASSERT_TRUE(lsc_task_releasable(T(w, i)));
	}
	ASSERT_TRUE(same_transitions(w, ref));
	ASSERT_EQ(NULL, w->violation);
	free(ref);
	free(w);
}

/* Task 1, ten dependents, ten dependents each, then two-edge joins. */
static struct world *tree_world(u32 budget)
{
	struct world *w = world_new();
	u32 i;

	lsc_set_propagation_budget(&w->eng, budget);
	add_task(w, 1, 1, 1000, 1, 10);
	for (i = 2; i <= 11; i++)
		submit_deps(w, mk_task(w, i, 1, 1000, 1, 10), 1, 0);
	for (i = 12; i <= 111; i++)
		submit_deps(w, mk_task(w, i, 1, 1000, 1, 10), 2 + i % 10, 0);
	for (i = 112; i <= 160; i++)
		submit_deps(w, mk_task(w, i, 1, 1000, 1, 10), i - 100, i - 99);
	return w;
}

TEST(bounded_propagation_keeps_the_order_of_transitions)
{
	struct world *ref = tree_world(0);
	u32 b;

	ASSERT_EQ(0, lsc_task_cancel(&ref->eng, T(ref, 1), 0));
	ASSERT_EQ(160, nr_ended(ref));
	for (b = 1; b <= 7; b++) {
		struct world *w = tree_world(b);
		u32 calls = 0;

		ASSERT_EQ(0, lsc_task_cancel(&w->eng, T(w, 1), 0));
		while (lsc_propagate_pending(&w->eng, b))
			calls++;
		ASSERT_EQ(160, nr_ended(w));
		/*
		 * 110 edges into tasks 2..111 and 49 into the joins (their
		 * second edge goes when the first fails): 159 edges, in the
		 * cancel and then lsc_propagate_pending() calls of which all
		 * but the last report work left.
		 */
		ASSERT_EQ((159 + b - 1) / b - 2, calls);
		ASSERT_TRUE(same_transitions(w, ref));
		ASSERT_EQ(NULL, w->violation);
		free(w);
	}
	free(ref);
}

TEST(bounded_cancel_and_submit_while_propagation_is_pending)
{
	struct world *w = dep_world(4, 100, true);
	struct world *f = dep_world(10, 100, false);
	u32 i;

	/* Chain: cancel 1, then cancel 50 (QUEUED, not reached yet). */
	ASSERT_EQ(0, lsc_task_cancel(&w->eng, T(w, 1), 0));
	ASSERT_EQ(5, nr_ended(w));
	ASSERT_EQ(LSC_TASK_QUEUED, T(w, 50)->state);
	ASSERT_EQ(0, lsc_task_cancel(&w->eng, T(w, 50), 0));
	ASSERT_EQ(LSC_TASK_CANCELLED, T(w, 50)->state);
	/* Its own call resolved four of its dependents' edges. */
	ASSERT_EQ(LSC_TASK_FAILED, T(w, 54)->state);
	ASSERT_EQ(LSC_TASK_QUEUED, T(w, 55)->state);
	/* Task 49 no longer points at 50: cancelling unlinked the edge. */
	ASSERT_TRUE(lsc_list_empty(&T(w, 49)->dependents));
	/* A new task on a pending-terminal task fails at once; one on a
	 * QUEUED task that will fail waits and fails with it.
	 */
	ASSERT_EQ(0, submit_deps(w, mk_task(w, 102, 1, 1000, 1, 10), 5, 0));
	ASSERT_EQ(LSC_TASK_FAILED, T(w, 102)->state);
	ASSERT_EQ(0, submit_deps(w, mk_task(w, 103, 1, 1000, 1, 10), 30, 0));
	ASSERT_EQ(LSC_TASK_QUEUED, T(w, 103)->state);
	ASSERT_EQ(0, submit_deps(w, mk_task(w, 104, 1, 1000, 1, 10), 80, 0));
	while (lsc_propagate_pending(&w->eng, 3))
		;
	for (i = 1; i <= 104; i++) {
		ASSERT_EQ(1, w->terminal_calls[i - 1]);
		ASSERT_TRUE(lsc_task_releasable(T(w, i)));
		if (i != 1 && i != 50)
			ASSERT_EQ(LSC_FAIL_DEP_FAILED, T(w, i)->reason);
	}
	ASSERT_EQ(LSC_FAIL_CANCELLED, T(w, 50)->reason);
	ASSERT_EQ(NULL, w->violation);
	ASSERT_EQ(0, w->users[0].nr_tasks);

	/* Fan-out: cancel 1, then a dependent not yet reached. */
	ASSERT_EQ(0, lsc_task_cancel(&f->eng, T(f, 1), 0));
	ASSERT_EQ(11, nr_ended(f));
	ASSERT_EQ(LSC_TASK_QUEUED, T(f, 70)->state);
	ASSERT_EQ(0, lsc_task_cancel(&f->eng, T(f, 70), 0));
	/* It ended, and its call went on with the pending work. */
	ASSERT_EQ(LSC_TASK_CANCELLED, T(f, 70)->state);
	ASSERT_EQ(22, nr_ended(f));
	ASSERT_EQ(0, lsc_user_remove(&f->eng, &f->users[1]));
	ASSERT_EQ(-LSC_EBUSY, lsc_user_remove(&f->eng, &f->users[0]));
	ASSERT_EQ(0, lsc_set_policy(&f->eng, LSC_POLICY_MLFQ));
	ASSERT_EQ(0, lsc_propagate_pending(&f->eng, 0));
	ASSERT_EQ(101, nr_ended(f));
	ASSERT_EQ(LSC_FAIL_CANCELLED, T(f, 70)->reason);
	for (i = 1; i <= 101; i++)
		ASSERT_EQ(1, f->terminal_calls[i - 1]);
	ASSERT_EQ(0, lsc_user_remove(&f->eng, &f->users[0]));
	ASSERT_EQ(NULL, f->violation);
	free(f);
	free(w);
}

/*
 * A pending task whose dependents all went another way is still on the
 * engine's stack (below other work): not releasable until it leaves it.
 */
TEST(bounded_pending_task_without_dependents_is_not_releasable)
{
	struct world *w = world_new();
	u32 i;

	lsc_set_propagation_budget(&w->eng, 1);
	add_task(w, 1, 1, 1000, 1, 10);
	add_task(w, 2, 1, 1000, 1, 10);
	for (i = 3; i <= 5; i++)
		submit_deps(w, mk_task(w, i, 1, 1000, 1, 10), 1, 0);
	for (i = 6; i <= 20; i++)
		submit_deps(w, mk_task(w, i, 1, 1000, 1, 10), 2, 0);
	ASSERT_EQ(0, lsc_task_cancel(&w->eng, T(w, 1), 0));
	ASSERT_EQ(0, lsc_task_cancel(&w->eng, T(w, 2), 0));
	/* Task 2 is on top; task 1 still has dependents 4 and 5. */
	ASSERT_EQ(LSC_TASK_FAILED, T(w, 3)->state);
	ASSERT_EQ(0, lsc_task_cancel(&w->eng, T(w, 4), 0));
	ASSERT_EQ(0, lsc_task_cancel(&w->eng, T(w, 5), 0));
	ASSERT_TRUE(lsc_list_empty(&T(w, 1)->dependents));
	ASSERT_FALSE(lsc_task_releasable(T(w, 1)));
	ASSERT_FALSE(lsc_task_releasable(T(w, 2)));
	ASSERT_TRUE(lsc_task_releasable(T(w, 4)));
	while (lsc_propagate_pending(&w->eng, 1))
		;
	for (i = 1; i <= 20; i++) {
		ASSERT_EQ(1, w->terminal_calls[i - 1]);
		ASSERT_TRUE(lsc_task_releasable(T(w, i)));
	}
	ASSERT_EQ(NULL, w->violation);
	free(w);
}

TEST(bounded_success_makes_dependents_runnable_a_budget_at_a_time)
{
	struct world *w = dep_world(16, 100, false);
	u32 i, runnable = 0;

	add_agent(w, 1, 4, 8, 1, 0);
	lsc_dispatch(&w->eng, 0);
	ASSERT_EQ(0, lsc_task_complete(&w->eng, T(w, 1), 0, 1));
	for (i = 2; i <= 101; i++)
		runnable += T(w, i)->state == LSC_TASK_RUNNABLE;
	ASSERT_EQ(16, runnable);
	ASSERT_FALSE(lsc_task_releasable(T(w, 1)));
	/* A new dependent of the pending, succeeded task is runnable. */
	ASSERT_EQ(0, submit_deps(w, mk_task(w, 102, 1, 1000, 1, 10), 1, 0));
	ASSERT_EQ(LSC_TASK_RUNNABLE, T(w, 102)->state);
	/* Dispatch takes only RUNNABLE tasks. */
	ASSERT_EQ(1, lsc_dispatch(&w->eng, 1));
	ASSERT_NE(LSC_TASK_ASSIGNED, T(w, 101)->state);
	while (lsc_propagate_pending(&w->eng, 16))
		;
	ASSERT_TRUE(lsc_task_releasable(T(w, 1)));
	for (i = 2; i <= 102; i++) {
		ASSERT_EQ(0, T(w, i)->nr_pending);
		ASSERT_TRUE(T(w, i)->state == LSC_TASK_RUNNABLE ||
			    T(w, i)->state == LSC_TASK_ASSIGNED);
	}
	ASSERT_EQ(NULL, w->violation);
	free(w);
}

/* ------------------------------------------------------------ backfilling */

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

/* -------------------------------------------------------------- balance */

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

/* ------------------------------------------------------ ledger, resizing */

TEST(ledger_refuses_agent_that_overcommits_host)
{
	struct world *w = world_new();
	u64 host[LSC_NR_RES] = { 8000, 16 * GB, 0, 0 };
	struct lsc_agent *a;

	ASSERT_EQ(0, lsc_set_host_capacity(&w->eng, host));
	ASSERT_NE(NULL, add_agent(w, 1, 4, 8, 1, 0));
	ASSERT_NE(NULL, add_agent(w, 2, 4, 4, 1, 0));
	a = A(w, 3);
	lsc_agent_init(a, 3);
	a->cap[LSC_RES_CPU] = 1;
	ASSERT_EQ(-LSC_EOVERCOMMIT, lsc_agent_add(&w->eng, a, 0));
	a->cap[LSC_RES_CPU] = 0;
	a->cap[LSC_RES_GPU] = 1;
	ASSERT_EQ(-LSC_EOVERCOMMIT, lsc_agent_add(&w->eng, a, 0));
	a->cap[LSC_RES_GPU] = 0;
	a->cap[LSC_RES_MEM] = 4 * GB;
	ASSERT_EQ(0, lsc_agent_add(&w->eng, a, 0));
	ASSERT_EQ(-LSC_EEXIST, lsc_agent_add(&w->eng, a, 0));
	ASSERT_EQ(16 * GB, w->eng.reserved[LSC_RES_MEM]);
	host[LSC_RES_CPU] = 7000;
	ASSERT_EQ(-LSC_EOVERCOMMIT, lsc_set_host_capacity(&w->eng, host));
	ASSERT_EQ(0, lsc_agent_remove(&w->eng, A(w, 1), 0));
	ASSERT_EQ(4000, w->eng.reserved[LSC_RES_CPU]);
	ASSERT_EQ(-LSC_ENOENT, lsc_agent_remove(&w->eng, A(w, 1), 0));
	free(w);
}

TEST(resize_stays_above_committed_and_within_host)
{
	struct world *w = world_new();
	u64 host[LSC_NR_RES] = { 8000, 16 * GB, 0, 0 };
	u64 cap[LSC_NR_RES] = { 0 };

	lsc_set_host_capacity(&w->eng, host);
	add_agent(w, 1, 4, 8, 2, 0);
	add_agent(w, 2, 2, 4, 1, 0);
	add_task(w, 1, 1, 3000, 2, 10);
	lsc_dispatch(&w->eng, 0);
	cap[LSC_RES_CPU] = 2000;
	cap[LSC_RES_MEM] = 8 * GB;
	ASSERT_EQ(-LSC_EBUSY, lsc_agent_resize(&w->eng, A(w, 1), cap));
	cap[LSC_RES_CPU] = 7000;
	ASSERT_EQ(-LSC_EOVERCOMMIT, lsc_agent_resize(&w->eng, A(w, 1), cap));
	cap[LSC_RES_CPU] = 6000;
	ASSERT_EQ(0, lsc_agent_resize(&w->eng, A(w, 1), cap));
	ASSERT_EQ(8000, w->eng.reserved[LSC_RES_CPU]);
	ASSERT_EQ(500, A(w, 1)->load);
	/* The grown agent now takes a 3-CPU task next to the first. */
	add_task(w, 2, 1, 3000, 1, 10);
	ASSERT_EQ(1, lsc_dispatch(&w->eng, 0));
	ASSERT_EQ(A(w, 1), T(w, 2)->agent);
	/* Shrinking an idle agent is always possible. */
	cap[LSC_RES_CPU] = 1000;
	cap[LSC_RES_MEM] = 4 * GB;
	ASSERT_EQ(0, lsc_agent_resize(&w->eng, A(w, 2), cap));
	ASSERT_EQ(6000 + 1000, w->eng.reserved[LSC_RES_CPU]);
	free(w);
}

/* ------------------------------------------------------------- estimator */

static void set_reference_model(struct lsc_engine *eng)
{
	/* a0 = 0.2 s, 0.005 s per character, 0.0001 s per M parameters */
	s64 coef[3] = {
		200000000LL << 16, 5000000LL << 16, 100000LL << 16,
	};

	lsc_set_estimator(eng, coef, 2);
}

TEST(estimator_gives_exact_formula_value)
{
	struct world *w = world_new();
	u64 x[2] = { 10000, 150 };

	ASSERT_EQ(0, lsc_estimate(&w->eng, x, 2));	/* off */
	set_reference_model(&w->eng);
	ASSERT_EQ(50215000000ULL, lsc_estimate(&w->eng, x, 2));
	/* Fractional coefficients: 0.5 ns per unit, rounded to nearest. */
	{
		s64 c[2] = { 0, 1 << 15 };
		u64 y[1] = { 3 };

		lsc_set_estimator(&w->eng, c, 1);
		ASSERT_EQ(2, lsc_estimate(&w->eng, y, 1));	/* 1.5 -> 2 */
	}
	ASSERT_EQ(-LSC_EINVAL, lsc_set_estimator(&w->eng, NULL, 9));
	free(w);
}

TEST(estimator_saturates_and_clamps)
{
	struct world *w = world_new();
	s64 c[3] = { 0, S64_MAX, -(1LL << 40) };
	u64 x[2] = { U64_MAX, 0 };

	lsc_set_estimator(&w->eng, c, 2);
	ASSERT_EQ(w->eng.tun.est_max_ns, lsc_estimate(&w->eng, x, 2));
	x[0] = 0;
	x[1] = 5;
	ASSERT_EQ(0, lsc_estimate(&w->eng, x, 2));	/* negative -> 0 */
	free(w);
}

TEST(task_without_estimate_uses_estimator_features)
{
	struct world *w = world_new();
	struct lsc_task *t = mk_task(w, 1, 1, 1000, 1, 0);
	u64 x[2] = { 10000, 150 };

	set_reference_model(&w->eng);
	ASSERT_EQ(0, lsc_task_submit(&w->eng, t, &w->users[0], NULL, 0, x, 2,
				     0));
	ASSERT_EQ(50215000000ULL, t->est_ns);
	ASSERT_TRUE(t->flags & LSC_TASK_F_ESTIMATED);
	/* No estimate, no features: the default. */
	t = mk_task(w, 2, 1, 1000, 1, 0);
	submit(w, t, 0);
	ASSERT_EQ(w->eng.tun.default_est_ns, t->est_ns);
	/* Given estimate is kept. */
	t = mk_task(w, 3, 1, 1000, 1, 7);
	lsc_task_submit(&w->eng, t, &w->users[0], NULL, 0, x, 2, 0);
	ASSERT_EQ(7 * SEC, t->est_ns);
	free(w);
}

TEST(tunables_are_validated_as_a_whole)
{
	struct world *w = world_new();
	struct lsc_tunables tun;

	lsc_default_tunables(&tun);
	tun.agent_scan = 0;
	ASSERT_EQ(-LSC_EINVAL, lsc_set_tunables(&w->eng, &tun));
	lsc_default_tunables(&tun);
	tun.age_ns = 0;
	ASSERT_EQ(-LSC_EINVAL, lsc_set_tunables(&w->eng, &tun));
	lsc_default_tunables(&tun);
	tun.default_est_ns = tun.est_max_ns + 1;
	ASSERT_EQ(-LSC_EINVAL, lsc_set_tunables(&w->eng, &tun));
	ASSERT_EQ(64, w->eng.tun.agent_scan);
	free(w);
}

/* ------------------------------------------------ run queue structure */

/*
 * The run queue's structure (per-class FIFO lists with a treap for
 * out-of-order inserts, the MLFQ level merge) must give exactly the
 * documented order: after random submissions (equal arrivals included),
 * requeues (out-of-order inserts, MLFQ demotions), cancels and policy
 * switches, the tasks reach a single-slot agent in the order of a
 * brute-force sort, while the dispatch walk skips another user's tasks
 * (that user is at its limit) interleaved with them.
 */
#define RQ_B		300	/* tasks of the user under test */
#define RQ_X		40	/* tasks of the user at its limit */

struct rq_run {
	struct lsc_engine eng;
	struct lsc_agent agent[2];
	struct lsc_user user[2];
	struct lsc_task task[RQ_B + RQ_X + 1];
	struct lsc_task *sorted[RQ_B];
	u64 order[4 * RQ_B];
	u32 nr_order;
	u64 rng;
};

static void rq_on_assigned(struct lsc_engine *eng, struct lsc_task *t,
			   struct lsc_agent *a)
{
	struct rq_run *r = eng->priv;

	if (r->nr_order < 4 * RQ_B)
		r->order[r->nr_order++] = t->id;
}

static const struct lsc_ops rq_ops = { .task_assigned = rq_on_assigned };

static u32 rq_rand(struct rq_run *r, u32 n)
{
	r->rng ^= r->rng << 13;
	r->rng ^= r->rng >> 7;
	r->rng ^= r->rng << 17;
	return (u32)(r->rng % n);
}

static u64 rq_ref_mlfq(const struct lsc_engine *eng, const struct lsc_task *t)
{
	u32 lvl = t->prio > t->level ? t->prio - t->level : 0;

	return t->arrival_ns + (u64)(LSC_PRIO_MAX - lvl) * eng->tun.age_ns;
}

/* The documented order of @policy (DRF within one user: priority-FIFO). */
static int rq_ref_before(const struct lsc_engine *eng, u32 policy,
			 const struct lsc_task *a, const struct lsc_task *b)
{
	if (policy == LSC_POLICY_MLFQ) {
		if (rq_ref_mlfq(eng, a) != rq_ref_mlfq(eng, b))
			return rq_ref_mlfq(eng, a) < rq_ref_mlfq(eng, b);
		return a->id < b->id;
	}
	if (a->prio != b->prio)
		return a->prio > b->prio;
	if (policy == LSC_POLICY_SJF && a->est_ns != b->est_ns)
		return a->est_ns < b->est_ns;
	if (a->arrival_ns != b->arrival_ns)
		return a->arrival_ns < b->arrival_ns;
	return a->id < b->id;
}

/* Runs one seed under @policy; returns NULL or what went wrong. */
static const char *rq_order_run(struct rq_run *r, u32 policy, u64 seed)
{
	u64 cap[LSC_NR_RES] = { 4000, 16 * GB, 0, 0 }, now = 1;
	u32 i, j, nb = 0, nsorted = 0, first, prios;
	struct lsc_tunables tun;
	struct lsc_task *t;

	memset(r, 0, sizeof(*r));
	r->rng = seed * 0x9E3779B97F4A7C15ULL + 1;
	prios = rq_rand(r, 2) ? 256 : 4;
	lsc_engine_init(&r->eng, &rq_ops, r);
	lsc_default_tunables(&tun);
	tun.age_ns = 1 + rq_rand(r, 2000);
	if (lsc_set_tunables(&r->eng, &tun) || lsc_set_policy(&r->eng, policy) ||
	    lsc_set_host_capacity(&r->eng, cap))
		return "setup";
	for (i = 0; i < 2; i++) {
		lsc_agent_init(&r->agent[i], i + 1);
		r->agent[i].cap[LSC_RES_CPU] = 2000;
		r->agent[i].cap[LSC_RES_MEM] = 8 * GB;
		r->agent[i].tags = i;		/* agent 2 alone has tag 1 */
		if (lsc_agent_add(&r->eng, &r->agent[i], now))
			return "agent";
		lsc_user_init(&r->user[i], i + 1);
		if (lsc_user_add(&r->eng, &r->user[i]))
			return "user";
	}
	/* User 2 holds agent 2 with one task and is at its limit. */
	r->user[1].max_active = 1;
	t = &r->task[RQ_B + RQ_X];
	lsc_task_init(t, 100000);
	t->demand[LSC_RES_CPU] = 1000;
	t->tags = 1;
	if (lsc_task_submit(&r->eng, t, &r->user[1], NULL, 0, NULL, 0, now) ||
	    lsc_dispatch(&r->eng, now) != 1 || t->agent != &r->agent[1])
		return "blocker";

	for (i = 0; i < RQ_B + RQ_X; i++) {
		struct lsc_user *u = &r->user[i < RQ_B ? 0 : 1];

		now += rq_rand(r, 3);
		t = &r->task[i];
		lsc_task_init(t, 1 + rq_rand(r, 2) + 2 * i);
		t->prio = rq_rand(r, prios) * (256 / prios);
		t->est_ns = 1 + rq_rand(r, 50);
		t->retries = 8;
		t->demand[LSC_RES_CPU] = 1000;
		if (lsc_task_submit(&r->eng, t, u, NULL, 0, NULL, 0, now))
			return "submit";
		switch (rq_rand(r, 8)) {
		case 0:
			/* the first task goes out and comes back (old key) */
			if (lsc_dispatch(&r->eng, now) == 1) {
				t = &r->task[0];
				for (j = 0; j < RQ_B; j++)
					if (r->task[j].agent == &r->agent[0])
						t = &r->task[j];
				if (lsc_task_requeue(&r->eng, t, rq_rand(r, 2),
						     now))
					return "requeue";
			}
			break;
		case 1:
			t = &r->task[rq_rand(r, i + 1)];
			if (t->state == LSC_TASK_RUNNABLE &&
			    lsc_task_cancel(&r->eng, t, now))
				return "cancel";
			break;
		case 2:
			if (!rq_rand(r, 8) &&
			    (lsc_set_policy(&r->eng, rq_rand(r, LSC_POLICY_NR)) ||
			     lsc_set_policy(&r->eng, policy)))
				return "policy";
			break;
		}
	}
	r->nr_order = 0;
	for (i = 0; i < RQ_B; i++) {
		t = &r->task[i];
		if (t->state != LSC_TASK_RUNNABLE)
			continue;
		nb++;
		/* insertion sort by the reference order */
		j = nsorted++;
		while (j && rq_ref_before(&r->eng, policy, t, r->sorted[j - 1])) {
			r->sorted[j] = r->sorted[j - 1];
			j--;
		}
		r->sorted[j] = t;
	}
	first = 0;
	for (;;) {
		if (lsc_dispatch(&r->eng, now) != 1)
			break;
		t = NULL;
		for (j = 0; j < RQ_B; j++)
			if (r->task[j].agent == &r->agent[0])
				t = &r->task[j];
		if (!t || lsc_task_complete(&r->eng, t, 0, ++now))
			return "complete";
		first++;
	}
	if (first != nb)
		return "not every task was assigned";
	for (i = 0; i < nb; i++)
		if (r->order[i] != r->sorted[i]->id)
			return "order differs from the reference";
	return NULL;
}

TEST(run_queue_order_matches_sort_under_requeues_and_skips)
{
	static struct rq_run r;
	const char *err;
	u32 policy;
	u64 seed;

	for (policy = 0; policy < LSC_POLICY_NR; policy++) {
		for (seed = 1; seed <= 50; seed++) {
			err = rq_order_run(&r, policy, seed);
			if (err)
				TH_LOG("policy %u seed %llu: %s", policy,
				       (unsigned long long)seed, err);
			ASSERT_EQ(NULL, err);
		}
	}
}

TEST_HARNESS_MAIN
