// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the recursive-least-squares fitter (runtime/estimator/).
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "kselftest_harness.h"
#include "../../runtime/estimator/rls.h"
#include "core/engine.h"

/* splitmix64: a small seeded PRNG, so every run sees the same data. */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double rng_unit(uint64_t *s)
{
	return ((rng_next(s) >> 11) + 0.5) * 0x1.0p-53;
}

static double rng_gauss(uint64_t *s)
{
	double u = rng_unit(s), v = rng_unit(s);

	return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

/* The model the tests recover: 0.2 s + 5 ms/char + 0.1 ms/M-params. */
#define A0	0.2
#define A_LEN	0.005
#define A_MODEL	0.0001

static const double models[] = { 125, 150, 350, 1300, 7000, 13000, 70000 };

/* One synthetic completion with 5% Gaussian noise on the run time. */
static void sample(uint64_t *s, double *x, double *y)
{
	/* prompt lengths spread log-uniformly over 10..20000 characters */
	x[0] = floor(exp(log(10.0) + rng_unit(s) * log(2000.0)));
	x[1] = models[rng_next(s) % (sizeof(models) / sizeof(models[0]))];
	*y = (A0 + A_LEN * x[0] + A_MODEL * x[1]) *
	     (1.0 + 0.05 * rng_gauss(s));
}

static void fit(struct rls *r, uint64_t seed, int n, double lambda)
{
	double x[2], y;
	int i;

	rls_init(r, 2, lambda, RLS_DEFAULT_DELTA);
	for (i = 0; i < n; i++) {
		sample(&seed, x, &y);
		rls_update(r, x, y);
	}
}

/*
 * Stated tolerance: after 5000 noisy completions, a0 within 0.1 s,
 * a(length) within 1 %, a(model) within 5 %, for each of several seeds.
 */
TEST(recovers_coefficients)
{
	uint64_t seeds[] = { 1, 2, 3, 42, 12345 };
	double c[3];
	struct rls r;
	unsigned int i;

	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		fit(&r, seeds[i], 5000, 1.0);
		rls_coefficients(&r, c);
		TH_LOG("seed %lu: a0=%.5f a_len=%.7f a_model=%.8f",
		       (unsigned long)seeds[i], c[0], c[1], c[2]);
		EXPECT_LT(fabs(c[0] - A0), 0.1);
		EXPECT_LT(fabs(c[1] - A_LEN) / A_LEN, 0.01);
		EXPECT_LT(fabs(c[2] - A_MODEL) / A_MODEL, 0.05);
		EXPECT_EQ(5000, r.updates);
	}
}

/* With forgetting (lambda = 0.999) the fit follows a change of model. */
TEST(forgetting_tracks_a_change)
{
	uint64_t seed = 7;
	double x[2], y, c[3];
	struct rls r;
	int i;

	ASSERT_EQ(0, rls_init(&r, 2, 0.999, RLS_DEFAULT_DELTA));
	for (i = 0; i < 4000; i++) {
		sample(&seed, x, &y);
		rls_update(&r, x, y);
	}
	/* the host got twice as slow per character */
	for (i = 0; i < 8000; i++) {
		sample(&seed, x, &y);
		y += A_LEN * x[0] * (1.0 + 0.05 * rng_gauss(&seed));
		rls_update(&r, x, y);
	}
	rls_coefficients(&r, c);
	EXPECT_LT(fabs(c[1] - 2 * A_LEN) / (2 * A_LEN), 0.03);
}

TEST(predict_matches_coefficients)
{
	double x[2] = { 10000, 150 }, c[3];
	struct rls r;

	fit(&r, 99, 3000, 1.0);
	rls_coefficients(&r, c);
	EXPECT_LT(fabs(rls_predict(&r, x) - (c[0] + c[1] * x[0] + c[2] * x[1])),
		  1e-9);
	EXPECT_LT(fabs(rls_predict(&r, x) - 50.215) / 50.215, 0.005);
}

TEST(fixed_point_round_trips)
{
	double c[3] = { A0, A_LEN, A_MODEL }, back[3];
	double odd[4] = { -1.5, 0.0, 1e-9, 123456.789 }, back4[4];
	int64_t fx[4];
	unsigned int i;

	ASSERT_EQ(0, rls_to_fixed(c, 3, 16, fx));
	/* 0.2 s = 2e8 ns = 2e8 * 65536 units */
	EXPECT_EQ(200000000LL * 65536, fx[0]);
	EXPECT_EQ(5000000LL * 65536, fx[1]);
	EXPECT_EQ(100000LL * 65536, fx[2]);
	rls_from_fixed(fx, 3, 16, back);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(c[i], back[i]);

	ASSERT_EQ(0, rls_to_fixed(odd, 4, 16, fx));
	rls_from_fixed(fx, 4, 16, back4);
	for (i = 0; i < 4; i++)	/* within half a unit: 2^-17 ns */
		EXPECT_LE(fabs(back4[i] - odd[i]) * 1e9, 0x1.0p-17);
	/* and the integers survive a second trip unchanged */
	{
		int64_t fx2[4];

		ASSERT_EQ(0, rls_to_fixed(back4, 4, 16, fx2));
		EXPECT_EQ(0, memcmp(fx, fx2, sizeof(fx)));
	}
}

TEST(fixed_point_saturates)
{
	double big[3] = { 1e30, -1e30, NAN };
	int64_t fx[3];

	EXPECT_EQ(3, rls_to_fixed(big, 3, 16, fx));
	EXPECT_EQ(INT64_MAX, fx[0]);
	EXPECT_EQ(INT64_MIN, fx[1]);
	EXPECT_EQ(0, fx[2]);
}

/*
 * A constant feature (every task on the same model) is collinear with the
 * intercept: the fit must stay finite, predict well, and not wind up P
 * even with forgetting.
 */
TEST(constant_feature_no_nan)
{
	double lambdas[] = { 1.0, 0.999, 0.9 };
	uint64_t seed = 5;
	double x[2], y, c[3];
	struct rls r;
	unsigned int l, i, j;
	int k;

	for (l = 0; l < 3; l++) {
		ASSERT_EQ(0, rls_init(&r, 2, lambdas[l], RLS_DEFAULT_DELTA));
		for (k = 0; k < 20000; k++) {
			x[0] = floor(rng_unit(&seed) * 20000.0);
			x[1] = 150;
			y = (A0 + A_LEN * x[0] + A_MODEL * x[1]) *
			    (1.0 + 0.05 * rng_gauss(&seed));
			ASSERT_EQ(0, rls_update(&r, x, y));
		}
		rls_coefficients(&r, c);
		for (i = 0; i < 3; i++)
			ASSERT_TRUE(isfinite(c[i]));
		for (i = 0; i < r.n; i++)
			for (j = 0; j < r.n; j++)
				ASSERT_TRUE(isfinite(r.p[i][j]));
		x[0] = 10000;
		EXPECT_LT(fabs(rls_predict(&r, x) - 50.215) / 50.215, 0.02);
	}
}

TEST(all_zero_and_constant_inputs)
{
	double x[3] = { 0, 0, 0 }, c[4];
	struct rls r;
	int k;

	ASSERT_EQ(0, rls_init(&r, 3, 0.99, 1e6));
	for (k = 0; k < 100000; k++)
		ASSERT_EQ(0, rls_update(&r, x, 3.0));
	rls_coefficients(&r, c);
	EXPECT_LT(fabs(c[0] - 3.0), 1e-6);
	for (k = 1; k < 4; k++)
		EXPECT_TRUE(isfinite(c[k]));
}

TEST(rejects_bad_input)
{
	double x[2] = { 1, 2 }, c[3];
	struct rls r;

	EXPECT_EQ(-1, rls_init(&r, RLS_MAX_FEATURES + 1, 1.0, 1.0));
	EXPECT_EQ(-1, rls_init(&r, 2, 0.0, 1.0));
	EXPECT_EQ(-1, rls_init(&r, 2, 1.5, 1.0));
	EXPECT_EQ(-1, rls_init(&r, 2, NAN, 1.0));
	EXPECT_EQ(-1, rls_init(&r, 2, 1.0, 0.0));
	EXPECT_EQ(-1, rls_init(&r, 2, 1.0, INFINITY));
	ASSERT_EQ(0, rls_init(&r, 2, 1.0, 1.0));
	EXPECT_EQ(-1, rls_update(&r, x, NAN));
	x[1] = INFINITY;
	EXPECT_EQ(-1, rls_update(&r, x, 1.0));
	EXPECT_EQ(2, r.rejected);
	EXPECT_EQ(0, r.updates);
	rls_coefficients(&r, c);
	EXPECT_EQ(0.0, c[0]);
}

/*
 * The whole path: fit, convert to the kernel's fixed point, load into the
 * engine, and let the engine's own estimator evaluate 10,000 characters on
 * a 150M-parameter model: 0.2 + 50 + 0.015 = 50.215 s.
 */
TEST(engine_evaluates_pushed_coefficients)
{
	double exact[3] = { A0, A_LEN, A_MODEL }, c[3];
	u64 features[2] = { 10000, 150 };
	struct lsc_engine eng;
	int64_t fx[3];
	s64 coef[3];
	struct rls r;
	u64 ns;

	_Static_assert(RLS_MAX_FEATURES == LSC_EST_MAX_FEATURES,
		       "feature limits differ");
	lsc_engine_init(&eng, NULL, NULL);

	/* exact coefficients give exactly 50.215 s */
	ASSERT_EQ(0, rls_to_fixed(exact, 3, RLS_KERNEL_FRAC_BITS, fx));
	memcpy(coef, fx, sizeof(coef));
	ASSERT_EQ(0, lsc_set_estimator(&eng, coef, 2));
	EXPECT_EQ(50215000000ULL, lsc_estimate(&eng, features, 2));

	/* fitted ones within 0.5 % */
	fit(&r, 2024, 5000, 1.0);
	rls_coefficients(&r, c);
	ASSERT_EQ(0, rls_to_fixed(c, 3, RLS_KERNEL_FRAC_BITS, fx));
	memcpy(coef, fx, sizeof(coef));
	ASSERT_EQ(0, lsc_set_estimator(&eng, coef, 2));
	ns = lsc_estimate(&eng, features, 2);
	TH_LOG("engine estimate from fitted coefficients: %.6f s", ns / 1e9);
	EXPECT_LT(fabs(ns / 1e9 - 50.215) / 50.215, 0.005);
	/* and it agrees with the double-precision prediction to 1 us */
	{
		double x[2] = { 10000, 150 };

		EXPECT_LT(fabs(ns / 1e9 - rls_predict(&r, x)), 1e-6);
	}
}

TEST_HARNESS_MAIN
