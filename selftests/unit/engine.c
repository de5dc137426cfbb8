// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the engine's state machine and the calls that drive
 * it (kmod/core/engine.c): the reference example, life cycle, validation.
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
	/* Fenced: it keeps its slot until its agent is known dead. */
	ASSERT_EQ(LSC_TASK_STOPPING, t->state);
	ASSERT_EQ(LSC_STOP_AGENT_LOST, t->stop_reason);
	ASSERT_EQ(1, t->retries);
	ASSERT_EQ(1, A(w, 1)->used_slots);
	ASSERT_EQ(1000, A(w, 1)->committed[LSC_RES_CPU]);
	ASSERT_EQ(0, lsc_agent_remove(&w->eng, A(w, 1), 1));
	ASSERT_EQ(LSC_TASK_RUNNABLE, t->state);
	ASSERT_EQ(0, t->retries);
	lsc_dispatch(&w->eng, 1);
	ASSERT_EQ(A(w, 2), t->agent);	/* not the lost one */
	lsc_task_start(&w->eng, t, 1);
	ASSERT_EQ(0, lsc_agent_remove(&w->eng, A(w, 2), 2));
	ASSERT_EQ(LSC_TASK_FAILED, t->state);
	ASSERT_EQ(LSC_FAIL_AGENT_LOST, t->reason);
	ASSERT_EQ(1, w->terminal_calls[0]);
	ASSERT_EQ(1, w->eng.stats.transitions[LSC_TASK_RUNNING]
					    [LSC_TASK_FAILED]);
	ASSERT_EQ(1, w->eng.stats.transitions[LSC_TASK_STOPPING]
					    [LSC_TASK_RUNNABLE]);
	/* Through lsc_task_stopped() on a lost agent, the same. */
	add_agent(w, 3, 4, 8, 1, 0);
	t = mk_task(w, 2, 1, 1000, 1, 10);
	submit(w, t, 0);
	lsc_dispatch(&w->eng, 3);
	lsc_task_start(&w->eng, t, 3);
	lsc_agent_set_health(&w->eng, A(w, 3), LSC_AGENT_LOST, 4);
	ASSERT_EQ(LSC_TASK_STOPPING, t->state);
	ASSERT_EQ(0, lsc_task_stopped(&w->eng, t, 5));
	ASSERT_EQ(LSC_TASK_FAILED, t->state);
	ASSERT_EQ(LSC_FAIL_AGENT_LOST, t->reason);
	ASSERT_EQ(0, A(w, 3)->used_slots);
	ASSERT_EQ(NULL, w->violation);
	free(w);
}

TEST(cancel_of_a_task_that_may_run_stops_it_keeping_its_slot)
{
	struct world *w = world_new();
	struct lsc_task *t;

	add_agent(w, 1, 4, 8, 1, 0);
	add_task(w, 1, 1, 4000, 1, 10);
	t = mk_task(w, 2, 1, 1000, 1, 10);		/* depends on task 1 */
	submit_deps(w, t, 1, 0);
	add_task(w, 3, 1, 1000, 1, 10);
	lsc_dispatch(&w->eng, 0);
	lsc_task_start(&w->eng, T(w, 1), 0);
	ASSERT_EQ(0, lsc_task_cancel(&w->eng, T(w, 1), 1));
	ASSERT_EQ(LSC_TASK_STOPPING, T(w, 1)->state);
	ASSERT_EQ(LSC_STOP_CANCEL, T(w, 1)->stop_reason);
	ASSERT_EQ(1, w->nr_stop_cb);
	/* Its command may still run: it keeps the agent. */
	ASSERT_EQ(4000, A(w, 1)->committed[LSC_RES_CPU]);
	ASSERT_EQ(1, A(w, 1)->used_slots);
	ASSERT_EQ(0, lsc_dispatch(&w->eng, 1));
	ASSERT_EQ(LSC_TASK_QUEUED, t->state);	/* not resolved yet */
	ASSERT_EQ(-LSC_EBUSY, lsc_task_cancel(&w->eng, T(w, 1), 1));
	ASSERT_EQ(-LSC_EBUSY, lsc_task_stop(&w->eng, T(w, 1),
					    LSC_STOP_TIMEOUT, 1));
	ASSERT_EQ(-LSC_EINVAL, lsc_task_start(&w->eng, T(w, 1), 1));
	ASSERT_EQ(0, lsc_task_stopped(&w->eng, T(w, 1), 2));
	ASSERT_EQ(LSC_TASK_CANCELLED, T(w, 1)->state);
	ASSERT_EQ(LSC_FAIL_CANCELLED, T(w, 1)->reason);
	ASSERT_EQ(LSC_TASK_FAILED, t->state);
	ASSERT_EQ(LSC_FAIL_DEP_FAILED, t->reason);
	ASSERT_EQ(-LSC_EINVAL, lsc_task_stopped(&w->eng, T(w, 1), 2));
	ASSERT_EQ(1, lsc_dispatch(&w->eng, 2));
	ASSERT_EQ(A(w, 1), T(w, 3)->agent);
	ASSERT_EQ(1, w->eng.stats.transitions[LSC_TASK_RUNNING]
					    [LSC_TASK_STOPPING]);
	ASSERT_EQ(1, w->eng.stats.transitions[LSC_TASK_STOPPING]
					    [LSC_TASK_CANCELLED]);
	ASSERT_EQ(1, w->terminal_calls[0]);
	ASSERT_EQ(NULL, w->violation);
	free(w);
}

TEST(cancel_of_a_task_that_never_ran_ends_it_at_once)
{
	struct world *w = world_new();

	add_agent(w, 1, 4, 8, 2, 0);
	add_task(w, 1, 1, 1000, 1, 10);
	add_task(w, 2, 1, 1000, 1, 10);
	lsc_dispatch(&w->eng, 0);
	/* Task 1 was never fetched; task 2 was (pinned). */
	T(w, 2)->flags |= LSC_TASK_F_PINNED;
	ASSERT_EQ(0, lsc_task_cancel(&w->eng, T(w, 1), 1));
	ASSERT_EQ(LSC_TASK_CANCELLED, T(w, 1)->state);
	ASSERT_EQ(0, lsc_task_cancel(&w->eng, T(w, 2), 1));
	ASSERT_EQ(LSC_TASK_STOPPING, T(w, 2)->state);
	ASSERT_EQ(1, A(w, 1)->used_slots);
	ASSERT_EQ(1, w->nr_stop_cb);
	free(w);
}

TEST(time_limit_stop_fails_the_task_with_reason_timeout)
{
	struct world *w = world_new();
	struct lsc_task *t;

	add_agent(w, 1, 4, 8, 1, 0);
	t = add_task(w, 1, 1, 1000, 1, 10);
	/* Not started: there is no run to time out. */
	ASSERT_EQ(-LSC_EINVAL, lsc_task_stop(&w->eng, t, LSC_STOP_TIMEOUT, 0));
	lsc_dispatch(&w->eng, 0);
	ASSERT_EQ(-LSC_EINVAL, lsc_task_stop(&w->eng, t, LSC_STOP_TIMEOUT, 0));
	lsc_task_start(&w->eng, t, 0);
	ASSERT_EQ(-LSC_EINVAL, lsc_task_stop(&w->eng, t, LSC_STOP_AGENT_LOST,
					     0));
	ASSERT_EQ(-LSC_EINVAL, lsc_task_stop(&w->eng, t, LSC_STOP_NR, 0));
	ASSERT_EQ(LSC_TASK_RUNNING, t->state);
	ASSERT_EQ(0, lsc_task_stop(&w->eng, t, LSC_STOP_TIMEOUT, 20 * SEC));
	ASSERT_EQ(LSC_TASK_STOPPING, t->state);
	ASSERT_EQ('s', w->log[w->nr_log - 1].kind);
	ASSERT_EQ(LSC_STOP_TIMEOUT, w->log[w->nr_log - 1].to);
	ASSERT_EQ(0, lsc_task_stopped(&w->eng, t, 21 * SEC));
	ASSERT_EQ(LSC_TASK_FAILED, t->state);
	ASSERT_EQ(LSC_FAIL_TIMEOUT, t->reason);
	ASSERT_STREQ("timeout", lsc_fail_reason_name(t->reason));
	free(w);
}

TEST(end_reported_for_a_stopping_task_is_decided_by_the_stop)
{
	struct world *w = world_new();

	add_agent(w, 1, 4, 8, 2, 0);
	add_task(w, 1, 1, 1000, 1, 10);
	add_task(w, 2, 1, 1000, 1, 10);
	lsc_dispatch(&w->eng, 0);
	lsc_task_start(&w->eng, T(w, 1), 0);
	lsc_task_start(&w->eng, T(w, 2), 0);
	lsc_task_stop(&w->eng, T(w, 1), LSC_STOP_TIMEOUT, 1);
	lsc_task_cancel(&w->eng, T(w, 2), 1);
	/* Both commands ended by themselves before the kill. */
	ASSERT_EQ(0, lsc_task_complete(&w->eng, T(w, 1), 0, 2));
	ASSERT_EQ(LSC_TASK_FAILED, T(w, 1)->state);
	ASSERT_EQ(LSC_FAIL_TIMEOUT, T(w, 1)->reason);
	ASSERT_EQ(0, lsc_task_requeue(&w->eng, T(w, 2), true, 2));
	ASSERT_EQ(LSC_TASK_CANCELLED, T(w, 2)->state);
	ASSERT_EQ(0, A(w, 1)->used_slots);
	free(w);
}

TEST(states_reasons_and_defaults_keep_their_numbers_and_names)
{
	struct lsc_task t;

	ASSERT_EQ(8, LSC_TASK_STOPPING);
	ASSERT_EQ(9, LSC_TASK_FROZEN);
	ASSERT_EQ(10, LSC_TASK_NR_STATES);
	ASSERT_EQ(5, LSC_FAIL_TIMEOUT);
	ASSERT_EQ(6, LSC_FAIL_NR);
	ASSERT_EQ(2, LSC_STOP_AGENT_LOST);
	ASSERT_STREQ("cancelled", lsc_task_state_name(LSC_TASK_CANCELLED));
	ASSERT_STREQ("stopping", lsc_task_state_name(LSC_TASK_STOPPING));
	ASSERT_STREQ("frozen", lsc_task_state_name(LSC_TASK_FROZEN));
	ASSERT_STREQ("?", lsc_task_state_name(LSC_TASK_NR_STATES));
	ASSERT_STREQ("timeout", lsc_fail_reason_name(LSC_FAIL_TIMEOUT));
	ASSERT_STREQ("?", lsc_fail_reason_name(LSC_FAIL_NR));
	ASSERT_EQ(100, LSC_PRIO_DEFAULT);
	lsc_task_init(&t, 1);
	ASSERT_EQ(LSC_PRIO_DEFAULT, t.prio);
	ASSERT_EQ(0x7, LSC_TASK_F_CALLER_MASK);
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

TEST_HARNESS_MAIN
