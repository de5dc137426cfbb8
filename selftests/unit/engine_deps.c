// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of dependencies (kmod/core/deps.c): propagation of ends,
 * bounded propagation, upward ranks.
 */
#include "engine_util.h"
#include "kselftest_harness.h"

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

/* ---------------------------------------------------------------- ranks */

/*
 * A task's upward rank is its estimate plus the longest chain of
 * estimates of its dependents submitted so far: 1 -> {2, 3}, 3 -> 4.
 */
TEST(rank_is_the_longest_chain_of_estimates_from_a_task)
{
	struct world *w = world_new();

	add_task(w, 1, 1, 1000, 1, 10);
	ASSERT_EQ(10 * SEC, T(w, 1)->rank_ns);
	submit_deps(w, mk_task(w, 2, 1, 1000, 1, 100), 1, 0);
	ASSERT_EQ(110 * SEC, T(w, 1)->rank_ns);
	submit_deps(w, mk_task(w, 3, 1, 1000, 1, 30), 1, 0);
	ASSERT_EQ(110 * SEC, T(w, 1)->rank_ns);
	submit_deps(w, mk_task(w, 4, 1, 1000, 1, 200), 3, 0);
	ASSERT_EQ(230 * SEC, T(w, 3)->rank_ns);
	ASSERT_EQ(240 * SEC, T(w, 1)->rank_ns);
	ASSERT_EQ(100 * SEC, T(w, 2)->rank_ns);
	free(w);
}

/* Ranks stop rising after LSC_RANK_EDGES edges per submission. */
TEST(rank_updates_walk_a_bounded_number_of_edges)
{
	struct world *w = world_new();
	u32 i, n = LSC_RANK_EDGES + 10;

	/*
	 * A chain submitted in order: each new task raises the tasks above
	 * it, LSC_RANK_EDGES of them at most; the top stops at that depth.
	 */
	add_task(w, 1, 1, 1000, 1, 1);
	for (i = 2; i <= n; i++)
		submit_deps(w, mk_task(w, i, 1, 1000, 1, 1), i - 1, 0);
	ASSERT_EQ((u64)(LSC_RANK_EDGES + 1) * SEC, T(w, 1)->rank_ns);
	ASSERT_EQ((u64)(LSC_RANK_EDGES + 1) * SEC,
		  T(w, n - LSC_RANK_EDGES)->rank_ns);
	ASSERT_EQ(2 * SEC, T(w, n - 1)->rank_ns);
	free(w);
}

/*
 * With dag_rank, ready tasks of a priority go longest remaining path
 * first: task 2 heads a 100 s chain, task 3 is alone and longer.
 */
TEST(dag_rank_orders_ready_tasks_by_remaining_path)
{
	struct world *w = world_new();
	struct lsc_tunables tun;
	u64 order[5];

	add_agent(w, 1, 4, 8, 1, 0);
	add_task(w, 1, 9, 1000, 1, 1);
	lsc_dispatch(&w->eng, 0);
	add_task(w, 2, 1, 1000, 1, 5);
	add_task(w, 3, 1, 1000, 1, 50);
	submit_deps(w, mk_task(w, 4, 1, 1000, 1, 100), 2, 0);
	/* Without the option: arrival order. */
	serial_order(w, order, 3);
	ASSERT_EQ(2, order[1]);
	free(w);

	w = world_new();
	lsc_default_tunables(&tun);
	tun.dag_rank = 1;
	ASSERT_EQ(0, lsc_set_tunables(&w->eng, &tun));
	add_agent(w, 1, 4, 8, 1, 0);
	add_task(w, 1, 9, 1000, 1, 1);
	lsc_dispatch(&w->eng, 0);
	add_task(w, 2, 1, 1000, 1, 5);
	/*
	 * Task 3 (130 s) first; then 2 gets a dependent: rank 105 s, in a
	 * lower quarter octave than 130 s, a higher one than task 5's 60 s.
	 */
	add_task(w, 3, 1, 1000, 1, 130);
	submit_deps(w, mk_task(w, 4, 1, 1000, 1, 100), 2, 0);
	add_task(w, 5, 1, 1000, 1, 60);
	serial_order(w, order, 5);
	ASSERT_EQ(1, order[0]);
	ASSERT_EQ(3, order[1]);
	ASSERT_EQ(2, order[2]);
	/* Task 4 (100 s) is ready once 2 is done: still ahead of 5 (60 s). */
	ASSERT_EQ(4, order[3]);
	ASSERT_EQ(5, order[4]);
	free(w);
}

TEST_HARNESS_MAIN
