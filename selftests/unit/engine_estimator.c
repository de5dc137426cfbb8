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

TEST_HARNESS_MAIN
