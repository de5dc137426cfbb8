// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of estimates (kmod/core/estimator.c): the run-time model
 * and MLFQ's feedback from overruns.
 */
#include "engine_util.h"
#include "kselftest_harness.h"

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

/* ---------------------------------------------------- MLFQ feedback */

/* Run task @id on agent 1 from @at for @run seconds (estimate 10 s). */
static void run_for(struct world *w, u64 id, u64 at, u64 run)
{
	struct lsc_task *t = mk_task(w, id, 5, 1000, 1, 10);

	w->now = at * SEC;
	submit(w, t, 0);
	lsc_dispatch(&w->eng, w->now);
	lsc_task_start(&w->eng, t, w->now);
	lsc_task_complete(&w->eng, t, 0, (at + run) * SEC);
}

/*
 * A task that ran past its estimate charges its owner's next tasks of the
 * same shape one MLFQ level each (at most LSC_MLFQ_MAX_CHARGE); one within
 * its estimate takes one back.  Other shapes and other users pay nothing.
 */
TEST(mlfq_overrun_charges_the_owners_later_tasks_of_that_shape)
{
	struct world *w = world_new();
	struct lsc_task *t;
	u32 i;

	add_agent(w, 1, 4, 8, 1, 0);
	run_for(w, 1, 0, 15);			/* 15 s for 10: over */
	ASSERT_EQ(1, w->eng.stats.overruns);
	t = mk_task(w, 2, 5, 1000, 1, 10);	/* same shape */
	submit(w, t, 0);
	ASSERT_EQ(1, t->level);
	t = mk_task(w, 3, 5, 2000, 1, 10);	/* another shape */
	submit(w, t, 0);
	ASSERT_EQ(0, t->level);
	t = mk_task(w, 4, 5, 1000, 1, 10);	/* another user */
	submit(w, t, 1);
	ASSERT_EQ(0, t->level);
	for (i = 2; i <= 4; i++)
		lsc_task_cancel(&w->eng, T(w, i), w->now);
	for (i = 5; i < 5 + 2 * LSC_MLFQ_MAX_CHARGE; i++)
		run_for(w, i, 100 * i, 20);
	t = mk_task(w, 100, 5, 1000, 1, 10);
	submit(w, t, 0);
	ASSERT_EQ(LSC_MLFQ_MAX_CHARGE, t->level);
	lsc_task_cancel(&w->eng, t, w->now);
	/* Two tasks within their estimate take two charges back. */
	run_for(w, 101, 10000, 5);
	run_for(w, 102, 10100, 10);
	t = mk_task(w, 103, 5, 1000, 1, 10);
	submit(w, t, 0);
	ASSERT_EQ(LSC_MLFQ_MAX_CHARGE - 2, t->level);
	free(w);
}

/* The charged level orders MLFQ: the overrunning shape waits its turn. */
TEST(mlfq_orders_a_charged_shape_behind_an_honest_one)
{
	struct world *w = world_new();
	struct lsc_tunables tun;
	u64 order[3];

	lsc_default_tunables(&tun);
	tun.age_ns = 100 * SEC;
	lsc_set_tunables(&w->eng, &tun);
	lsc_set_policy(&w->eng, LSC_POLICY_MLFQ);
	add_agent(w, 1, 4, 8, 1, 0);
	run_for(w, 1, 0, 50);			/* shape A overran */
	w->nr_log = 0;
	w->now = 1000 * SEC;
	add_task(w, 2, 9, 4000, 1, 10);		/* occupies the agent */
	lsc_dispatch(&w->eng, w->now);
	add_task(w, 3, 5, 1000, 1, 10);		/* shape A: level 4 */
	add_task(w, 4, 5, 2000, 1, 10);		/* shape B: level 5 */
	serial_order(w, order, 3);
	ASSERT_EQ(2, order[0]);
	ASSERT_EQ(4, order[1]);
	ASSERT_EQ(3, order[2]);
	free(w);
}

/* Each user remembers its LSC_MLFQ_SHAPES most recent shapes. */
TEST(mlfq_charges_are_kept_for_the_most_recent_shapes)
{
	struct world *w = world_new();
	struct lsc_task *t;
	u32 i;

	add_agent(w, 1, 16, 16, 1, 0);
	for (i = 0; i <= LSC_MLFQ_SHAPES; i++) {
		t = mk_task(w, 1 + i, 5, 1000 * (1 + i), 1, 10);
		w->now = 100 * i * SEC;
		submit(w, t, 0);
		lsc_dispatch(&w->eng, w->now);
		lsc_task_start(&w->eng, t, w->now);
		lsc_task_complete(&w->eng, t, 0, w->now + 11 * SEC);
	}
	/* The first shape was pushed out by the others; the last is kept. */
	t = mk_task(w, 50, 5, 1000, 1, 10);
	submit(w, t, 0);
	ASSERT_EQ(0, t->level);
	t = mk_task(w, 51, 5, 1000 * (1 + LSC_MLFQ_SHAPES), 1, 10);
	submit(w, t, 0);
	ASSERT_EQ(1, t->level);
	free(w);
}

TEST_HARNESS_MAIN
