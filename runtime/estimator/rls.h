/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Recursive least squares with a forgetting factor, for the run-time model
 *
 *	T = a0 + a1 * x1 + ... + an * xn	(n <= RLS_MAX_FEATURES)
 *
 * The runtime daemon feeds it one completed task at a time (the task's
 * features and its measured run time) and pushes the coefficients to the
 * module in the engine's fixed-point format.  Double precision, userspace
 * only.
 */
#ifndef _LLMSCHED_RLS_H
#define _LLMSCHED_RLS_H

#include <stdbool.h>
#include <stdint.h>

#define RLS_MAX_FEATURES	8
#define RLS_MAX_PARAMS		(RLS_MAX_FEATURES + 1)	/* intercept first */

/*
 * The engine's coefficient format (kmod/core/engine.h, lsc_set_estimator()):
 * s64 in units of 2^-16 ns per feature unit, intercept first.
 */
#define RLS_KERNEL_FRAC_BITS	16

#define RLS_DEFAULT_LAMBDA	1.0
#define RLS_DEFAULT_DELTA	1e6

struct rls {
	unsigned int n;			/* parameters: features + 1 */
	double lambda;			/* forgetting factor, (0, 1] */
	double delta;			/* initial P = delta * I */
	double max_trace;		/* guard against covariance wind-up */
	double theta[RLS_MAX_PARAMS];	/* in scaled units; [0]: a0 */
	double scale[RLS_MAX_PARAMS];	/* feature scales, 0 = not fixed */
	double p[RLS_MAX_PARAMS][RLS_MAX_PARAMS];
	uint64_t updates;		/* accepted updates */
	uint64_t rejected;		/* non-finite or degenerate inputs */
};

/*
 * rls_init() - start a fit.
 * @n_features: 0..RLS_MAX_FEATURES (0 fits the intercept alone).
 * @lambda: forgetting factor in (0, 1]; 1 never forgets, 0.999 weighs the
 *	last ~1000 samples.
 * @delta: initial covariance scale, > 0; large means "know nothing"
 *	(a ridge of 1/delta on the coefficients).
 * Return: 0, or -1 on a bad argument (r is left unusable).
 */
int rls_init(struct rls *r, unsigned int n_features, double lambda,
	     double delta);

/*
 * rls_update() - add one observation: features x[0..n_features-1] and the
 * measured value y.  Non-finite inputs are rejected (return -1, nothing
 * changes).  Return: 0 when the sample was used.
 */
int rls_update(struct rls *r, const double *x, double y);

/* rls_predict() - a0 + sum a_i * x[i] with the current coefficients. */
double rls_predict(const struct rls *r, const double *x);

/*
 * rls_coefficients() - copy the n_features + 1 coefficients to out[]:
 * out[0] = a0, out[i] = a_i for feature i-1.
 */
void rls_coefficients(const struct rls *r, double *out);

/*
 * rls_to_fixed() - convert coefficients in "seconds per feature unit" (as
 * fitted when y is in seconds) to the kernel's fixed point: signed 64-bit
 * in units of 2^-frac_bits nanoseconds per feature unit, rounded to
 * nearest, saturated at the s64 range.  n values.  Return: the number of
 * values that saturated (0 normally).
 */
int rls_to_fixed(const double *coef_s, unsigned int n, unsigned int frac_bits,
		 int64_t *out);

/* rls_from_fixed() - the inverse of rls_to_fixed(), back to seconds. */
void rls_from_fixed(const int64_t *fx, unsigned int n, unsigned int frac_bits,
		    double *coef_s);

#endif /* _LLMSCHED_RLS_H */
