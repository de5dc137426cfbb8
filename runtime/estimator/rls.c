// SPDX-License-Identifier: GPL-2.0
/*
 * Recursive least squares with a forgetting factor.
 *
 * Per observation (phi = [1, x1/s1, ..., xn/sn], the features scaled, see
 * below):
 *
 *	g     = P phi
 *	k     = g / (lambda + phi' g)
 *	theta = theta + k (y - theta' phi)
 *	P     = (P - k g') / lambda, then symmetrized
 *
 * Numerical care:
 *  - Each feature is divided by a scale fixed at the first sample where it
 *    is non-zero (its magnitude then).  Until then its row and column of P
 *    are untouched, so choosing the scale late is exact.  This keeps P well
 *    conditioned when features differ by orders of magnitude (characters
 *    vs. millions of parameters) and makes delta mean the same for all.
 *  - P is symmetrized after every update; a non-positive diagonal or a
 *    non-finite entry resets P to delta * I (theta is kept).
 *  - With lambda < 1 a direction that is never excited (a constant feature
 *    collinear with the intercept) makes P grow as lambda^-t: the trace of
 *    P is capped at its initial value (delta * n), scaling P down.
 *  - Non-finite inputs and a non-positive denominator are rejected.
 */
#include <math.h>
#include <string.h>

#include "rls.h"

static void rls_reset_p(struct rls *r)
{
	unsigned int i;

	memset(r->p, 0, sizeof(r->p));
	for (i = 0; i < r->n; i++)
		r->p[i][i] = r->delta;
}

int rls_init(struct rls *r, unsigned int n_features, double lambda,
	     double delta)
{
	unsigned int i;

	if (!r || n_features > RLS_MAX_FEATURES)
		return -1;
	if (!(lambda > 0.0 && lambda <= 1.0) || !(delta > 0.0) ||
	    !isfinite(delta))
		return -1;
	memset(r, 0, sizeof(*r));
	r->n = n_features + 1;
	r->lambda = lambda;
	r->delta = delta;
	r->max_trace = delta * r->n;
	for (i = 0; i < RLS_MAX_PARAMS; i++)
		r->scale[i] = 0.0;	/* 0: not fixed yet */
	r->scale[0] = 1.0;
	rls_reset_p(r);
	return 0;
}

static double rls_scaled(const struct rls *r, unsigned int i, double v)
{
	return r->scale[i] > 0.0 ? v / r->scale[i] : v;
}

int rls_update(struct rls *r, const double *x, double y)
{
	double phi[RLS_MAX_PARAMS], g[RLS_MAX_PARAMS], k[RLS_MAX_PARAMS];
	double den, err, tr, v;
	unsigned int i, j, n = r->n;
	bool bad = false;

	if (!isfinite(y))
		goto reject;
	for (i = 1; i < n; i++)
		if (!isfinite(x[i - 1]))
			goto reject;

	phi[0] = 1.0;
	for (i = 1; i < n; i++) {
		v = x[i - 1];
		if (r->scale[i] == 0.0 && v != 0.0)
			r->scale[i] = fabs(v);
		phi[i] = rls_scaled(r, i, v);
	}

	den = r->lambda;
	for (i = 0; i < n; i++) {
		g[i] = 0.0;
		for (j = 0; j < n; j++)
			g[i] += r->p[i][j] * phi[j];
		den += phi[i] * g[i];
	}
	if (!(den > 0.0) || !isfinite(den))
		goto reject;

	err = y;
	for (i = 0; i < n; i++) {
		k[i] = g[i] / den;
		err -= r->theta[i] * phi[i];
	}
	for (i = 0; i < n; i++)
		r->theta[i] += k[i] * err;

	tr = 0.0;
	for (i = 0; i < n; i++) {
		for (j = i; j < n; j++) {
			/* symmetric by construction: use both halves */
			v = 0.5 * ((r->p[i][j] - k[i] * g[j]) +
				   (r->p[j][i] - k[j] * g[i])) / r->lambda;
			if (!isfinite(v))
				bad = true;
			r->p[i][j] = v;
			r->p[j][i] = v;
		}
		if (!(r->p[i][i] > 0.0))
			bad = true;
		tr += r->p[i][i];
	}
	if (bad) {
		rls_reset_p(r);
	} else if (tr > r->max_trace) {
		v = r->max_trace / tr;
		for (i = 0; i < n; i++)
			for (j = 0; j < n; j++)
				r->p[i][j] *= v;
	}
	for (i = 0; i < n; i++)
		if (!isfinite(r->theta[i]))
			r->theta[i] = 0.0;	/* cannot happen; never NaN */
	r->updates++;
	return 0;

reject:
	r->rejected++;
	return -1;
}

void rls_coefficients(const struct rls *r, double *out)
{
	unsigned int i;

	for (i = 0; i < r->n; i++)
		out[i] = rls_scaled(r, i, r->theta[i]);
}

double rls_predict(const struct rls *r, const double *x)
{
	double t = r->theta[0];
	unsigned int i;

	for (i = 1; i < r->n; i++)
		t += rls_scaled(r, i, r->theta[i]) * x[i - 1];
	return t;
}

int rls_to_fixed(const double *coef_s, unsigned int n, unsigned int frac_bits,
		 int64_t *out)
{
	double one = ldexp(1e9, (int)frac_bits);	/* 2^-f ns per second */
	double lim = 9223372036854775807.0;		/* rounds to 2^63 */
	unsigned int i;
	int sat = 0;
	double v;

	for (i = 0; i < n; i++) {
		v = nearbyint(coef_s[i] * one);
		if (isnan(v)) {
			out[i] = 0;
			sat++;
		} else if (v >= lim) {
			out[i] = INT64_MAX;
			sat++;
		} else if (v < -lim) {
			out[i] = INT64_MIN;
			sat++;
		} else {
			out[i] = (int64_t)v;
		}
	}
	return sat;
}

void rls_from_fixed(const int64_t *fx, unsigned int n, unsigned int frac_bits,
		    double *coef_s)
{
	double one = ldexp(1e9, (int)frac_bits);
	unsigned int i;

	for (i = 0; i < n; i++)
		coef_s[i] = (double)fx[i] / one;
}
