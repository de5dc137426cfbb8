// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched engine: how long a task will run.
 *
 * The run-time model T = a0 + a1 * X1 + ... + an * Xn in fixed point
 * (userspace fits it, see runtime/estimator/rls.h), and MLFQ's feedback:
 * what the engine learns from tasks that ran past their estimate.
 *
 * Feedback rule: each user remembers its LSC_MLFQ_SHAPES most recent task
 * shapes (demand vector and tags).  A RUNNING task that ends (completes,
 * fails or is requeued) after running longer than its estimate adds one to
 * its shape's charge, at most LSC_MLFQ_MAX_CHARGE; one that ends within its
 * estimate takes one off.  A task submitted later with that shape starts
 * that many MLFQ levels down (&lsc_task.level); the task that overran, if
 * it runs again, is one level further down on its own account.
 */
#include "internal.h"

int lsc_set_estimator(struct lsc_engine *eng, const s64 *coef, u32 nr)
{
	u32 i;

	if (nr > LSC_EST_MAX_FEATURES || (nr && !coef))
		return -LSC_EINVAL;
	memset(eng->est_coef, 0, sizeof(eng->est_coef));
	for (i = 0; nr && i <= nr; i++)
		eng->est_coef[i] = coef[i];
	eng->est_nr = nr;
	return 0;
}

static s64 lsc_add_s64_sat(s64 a, s64 b)
{
	s64 r;

	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? S64_MAX : S64_MIN;
	return r;
}

u64 lsc_estimate(const struct lsc_engine *eng, const u64 *features, u32 nr)
{
	s64 sum, prod, c;
	u64 x, est, ac;
	u32 i;

	if (!eng->est_nr)
		return 0;
	sum = eng->est_coef[0];
	for (i = 0; i < eng->est_nr && i < nr && features; i++) {
		c = eng->est_coef[i + 1];
		x = features[i];
		if (!c || !x)
			continue;
		/* |c| * x > S64_MAX saturates (no 128-bit arithmetic). */
		ac = c < 0 ? -(u64)c : (u64)c;
		if (x > (u64)S64_MAX || ac > lsc_div64_u64(S64_MAX, x))
			prod = c > 0 ? S64_MAX : S64_MIN;
		else
			prod = c * (s64)x;
		sum = lsc_add_s64_sat(sum, prod);
	}
	if (sum <= 0)
		return 0;
	est = (u64)sum;
	est = est > U64_MAX - 0x8000 ? est >> 16 : (est + 0x8000) >> 16;
	return est > eng->tun.est_max_ns ? eng->tun.est_max_ns : est;
}

/* ---------------------------------------------------------------- MLFQ */

static u64 lsc_mix(u64 h, u64 v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ULL;
	return h ^ (h >> 29);
}

/* A hash of @t's demand vector and tags, never 0 (0 marks a free entry). */
static u64 lsc_shape(const struct lsc_task *t)
{
	u64 h = lsc_mix(0, t->tags);
	int k;

	for (k = 0; k < LSC_NR_RES; k++)
		h = lsc_mix(h, t->demand[k]);
	return h | 1;
}

u32 lsc_mlfq_charge(const struct lsc_user *u, const struct lsc_task *t)
{
	u64 s;
	u32 i;

	/* Most users are charged for nothing: no shape to compute. */
	for (i = 0; i < LSC_MLFQ_SHAPES && !u->charge[i]; i++)
		;
	if (i == LSC_MLFQ_SHAPES)
		return 0;
	s = lsc_shape(t);
	for (i = 0; i < LSC_MLFQ_SHAPES; i++)
		if (u->shape[i] == s)
			return u->charge[i];
	return 0;
}

/* @t's run ends at @now: charge its shape or take a charge back. */
void lsc_mlfq_feedback(struct lsc_engine *eng, struct lsc_task *t, u64 now)
{
	struct lsc_user *u = t->user;
	bool over;
	u32 i, c;
	u64 s;

	if (t->state != LSC_TASK_RUNNING)
		return;
	s = lsc_shape(t);
	over = now - t->start_ns > t->est_ns;
	if (over)
		eng->stats.overruns++;
	for (i = 0; i < LSC_MLFQ_SHAPES - 1 && u->shape[i] != s; i++)
		;
	if (u->shape[i] != s) {
		/* A shape not remembered: it replaces the oldest one. */
		if (!over)
			return;
		u->charge[i] = 0;
	}
	c = u->charge[i];
	if (over)
		c = c < LSC_MLFQ_MAX_CHARGE ? c + 1 : c;
	else
		c = c ? c - 1 : 0;
	/* The most recent shape first. */
	for (; i > 0; i--) {
		u->shape[i] = u->shape[i - 1];
		u->charge[i] = u->charge[i - 1];
	}
	u->shape[0] = s;
	u->charge[0] = (u8)c;
}
