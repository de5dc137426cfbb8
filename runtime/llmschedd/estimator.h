/* SPDX-License-Identifier: GPL-2.0 */
/*
 * llmschedd's estimator: the module's run-time model fitted online from
 * what the tasks really took.
 *
 * The agents record every ended task in the history with the estimator
 * features it was submitted with (LLMSCHED_IOC_AGENT_FETCH gives them,
 * uAPI 1.1) and its measured run time.  The supervisor reads the new
 * successful rows every few seconds, feeds them to a recursive
 * least-squares fit (runtime/estimator/rls.c, forgetting factor
 * LLMSD_EST_LAMBDA) and pushes the coefficients to the module
 * (LLMSCHED_IOC_SET_ESTIMATOR), which then estimates the tasks submitted
 * with features and no estimate.  The fit's error is the mean absolute
 * error of its predictions over the last LLMSD_EST_WINDOW tasks, each
 * predicted before it was learnt from; it is kept, with the coefficients,
 * in STATE_DIR/estimator.json for llmctl and the operator.
 *
 * The model's dimension is that of the first row with features; rows with
 * another number of features are counted and left out.  A restarted
 * supervisor fits again from the whole history.
 */
#ifndef LLMSCHEDD_ESTIMATOR_H
#define LLMSCHEDD_ESTIMATOR_H

#include <stdint.h>

#include "../lib/error.h"

#define LLMSD_EST_LAMBDA	0.999
#define LLMSD_EST_WINDOW	100
#define LLMSD_EST_FILE		"estimator.json"

struct llmsd_estimator;

/* Start a fit over STATE_DIR's history; the history may not exist yet. */
int llmsd_estimator_open(struct llmsd_estimator **e, const char *state_dir,
			 struct llms_error **err);

/*
 * Take in the rows ended since the last step; when the fit learnt
 * something and has at least as many samples as coefficients, push them
 * to the module through @fd and write STATE_DIR/estimator.json.  Errors
 * are logged, not returned: the estimator is an aid, never a reason to
 * stop.
 */
void llmsd_estimator_step(struct llmsd_estimator *e, int fd);

void llmsd_estimator_close(struct llmsd_estimator *e);

#endif /* LLMSCHEDD_ESTIMATOR_H */
