// SPDX-License-Identifier: GPL-2.0
/*
 * llmschedd's online estimator (estimator.h): history rows in, recursive
 * least squares, coefficients out to the module and to estimator.json.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "../estimator/rls.h"
#include "../lib/history.h"
#include "../lib/ioctl.h"
#include "estimator.h"
#include "log.h"

struct llmsd_estimator {
	char db[4096];
	char state[4096 + 32];
	struct llms_history *h;
	struct rls fit;
	unsigned int n;			/* features; 0 until the first row */
	uint64_t last_end_ns;		/* rows up to here are learnt */
	uint64_t learnt, skipped;	/* since the last push */
	uint64_t pushed_updates;
	double errors[LLMSD_EST_WINDOW];	/* absolute, in seconds */
	unsigned int nerrors, next_error;
};

int llmsd_estimator_open(struct llmsd_estimator **out, const char *state_dir,
			 struct llms_error **err)
{
	struct llmsd_estimator *e = calloc(1, sizeof(*e));

	if (!e)
		return llms_error_set(err, ENOMEM, "estimator");
	snprintf(e->db, sizeof(e->db), "%s/%s", state_dir, "history.db");
	snprintf(e->state, sizeof(e->state), "%s/%s", state_dir,
		 LLMSD_EST_FILE);
	*out = e;
	return 0;
}

void llmsd_estimator_close(struct llmsd_estimator *e)
{
	if (!e)
		return;
	if (e->h)
		llms_history_close(e->h);
	free(e);
}

static double mean_abs_error(const struct llmsd_estimator *e)
{
	double sum = 0;
	unsigned int i;

	for (i = 0; i < e->nerrors; i++)
		sum += e->errors[i];
	return e->nerrors ? sum / e->nerrors : 0;
}

static int learn_row(const struct llms_history_row *r, void *arg)
{
	struct llmsd_estimator *e = arg;
	double x[RLS_MAX_FEATURES], y = r->runtime_ns / 1e9;
	unsigned int i;

	if (r->end_ns > e->last_end_ns)
		e->last_end_ns = r->end_ns;
	if (!r->nfeatures || !r->runtime_ns)
		return 0;
	if (!e->n) {
		if (r->nfeatures > RLS_MAX_FEATURES ||
		    rls_init(&e->fit, r->nfeatures, LLMSD_EST_LAMBDA,
			     RLS_DEFAULT_DELTA))
			return 0;
		e->n = r->nfeatures;
	}
	if (r->nfeatures != e->n) {
		e->skipped++;
		return 0;
	}
	for (i = 0; i < e->n; i++)
		x[i] = r->features[i];
	/* Judged before it is learnt from: the error a new task would see. */
	if (e->fit.updates > e->n) {
		e->errors[e->next_error] = fabs(rls_predict(&e->fit, x) - y);
		e->next_error = (e->next_error + 1) % LLMSD_EST_WINDOW;
		if (e->nerrors < LLMSD_EST_WINDOW)
			e->nerrors++;
	}
	if (!rls_update(&e->fit, x, y))
		e->learnt++;
	return 0;
}

/* estimator.json, written whole and renamed into place. */
static void write_state(struct llmsd_estimator *e, const double *coef_s)
{
	struct json_object *o = json_object_new_object(), *c;
	char tmp[sizeof(e->state) + 8];
	unsigned int i;

	if (!o)
		return;
	c = json_object_new_array();
	for (i = 0; c && i <= e->n; i++)
		json_object_array_add(c, json_object_new_double(coef_s[i] * 1e9));
	json_object_object_add(o, "features", json_object_new_int((int)e->n));
	json_object_object_add(o, "samples",
			       json_object_new_int64((int64_t)e->fit.updates));
	json_object_object_add(o, "window", json_object_new_int((int)e->nerrors));
	json_object_object_add(o, "mae_ns",
			       json_object_new_double(mean_abs_error(e) * 1e9));
	json_object_object_add(o, "coefficients_ns", c);
	json_object_object_add(o, "updated",
			       json_object_new_int64((int64_t)time(NULL)));
	snprintf(tmp, sizeof(tmp), "%s.tmp", e->state);
	if (json_object_to_file_ext(tmp, o, JSON_C_TO_STRING_PRETTY) ||
	    rename(tmp, e->state))
		llmsd_warn("writing %s: %s", e->state, strerror(errno));
	json_object_put(o);
}

static void push(struct llmsd_estimator *e, int fd)
{
	struct llmsched_estimator est = { 0 };
	struct llms_error *err = NULL;
	double coef[RLS_MAX_PARAMS];
	int64_t fixed[RLS_MAX_PARAMS];
	unsigned int i;

	rls_coefficients(&e->fit, coef);
	if (rls_to_fixed(coef, e->n + 1, LLMSCHED_ESTIMATOR_SHIFT, fixed))
		llmsd_warn("estimator: a coefficient is out of the module's range: saturated");
	est.nr_coeffs = e->n + 1;
	for (i = 0; i <= e->n; i++)
		est.coeff[i] = fixed[i];
	if (llms_set_estimator(fd, &est, &err)) {
		llmsd_log_error(LLMSD_WARN, &err, "estimator");
		return;
	}
	write_state(e, coef);
	if (!e->pushed_updates || e->fit.updates / 100 != e->pushed_updates / 100)
		llmsd_info("estimator: %llu samples, mean absolute error %.3f s over the last %u, intercept %.3f s",
			   (unsigned long long)e->fit.updates,
			   mean_abs_error(e), e->nerrors, coef[0]);
	e->pushed_updates = e->fit.updates;
}

void llmsd_estimator_step(struct llmsd_estimator *e, int fd)
{
	struct llms_history_filter f = { 0 };
	struct llms_error *err = NULL;

	if (!e->h) {
		struct stat st;

		if (stat(e->db, &st))
			return;	/* no task has ended yet */
		if (!st.st_size)
			return;	/* an agent is making it right now */
		if (llms_history_open(&e->h, e->db, LLMS_HISTORY_READONLY,
				      &err)) {
			llmsd_log_error(LLMSD_WARN, &err, "estimator");
			return;
		}
	}
	f.by_state = true;
	f.state = LLMSCHED_TASK_SUCCEEDED;
	f.since_ns = e->last_end_ns ? e->last_end_ns + 1 : 0;
	f.oldest_first = true;
	e->learnt = 0;
	if (llms_history_query(e->h, &f, learn_row, e, &err) < 0) {
		llmsd_log_error(LLMSD_WARN, &err, "estimator");
		return;
	}
	if (e->skipped) {
		llmsd_warn("estimator: %llu task(s) had another number of features than the model's %u: left out",
			   (unsigned long long)e->skipped, e->n);
		e->skipped = 0;
	}
	if (e->learnt && e->fit.updates > e->n)
		push(e, fd);
}
