/* SPDX-License-Identifier: GPL-2.0 */
/*
 * llmsub: the module's side: submitting one task or a batch, explaining a
 * refusal for room with the agents' figures, waiting for tasks to end and
 * following a task's standard output.
 */
#ifndef LLMSCHED_LLMSUB_SUBMIT_H
#define LLMSCHED_LLMSUB_SUBMIT_H

#include <stdint.h>

#include "jsonl.h"
#include "task.h"

/*
 * Submit @t (finished: llmsub_task_finish()) on @fd; its id lands in
 * @t->sub.task_id.  The library's error otherwise; ENOSPC (no agent could
 * ever hold it) says why, with the largest agents' figures
 * (llmsub_explain_fit()).
 */
int llmsub_submit_task(int fd, struct llmsub_task *t, struct llms_error **err);

/*
 * Submit every task of @b (resolved) as one batch, all or none; each
 * task's id lands in its @sub.task_id.  An entry's error names its line
 * of @fname.
 */
int llmsub_submit_batch(int fd, struct llmsub_batch *b, const char *fname,
			struct llms_error **err);

/* Block until task @id ended; its ending in *@w. */
int llmsub_wait_end(int fd, uint64_t id, struct llmsched_task_wait *w,
		    struct llms_error **err);

/*
 * Copy task @id's standard output, LOG_DIR/tasks/UID/task-ID.out (UID the
 * caller's effective uid, as the agent writes it), to standard output
 * while the task runs, until it ended (its ending in *@w).  A log that
 * cannot be read is a warning on standard error, not an error.
 */
int llmsub_follow(int fd, uint64_t id, const char *log_dir,
		  struct llmsched_task_wait *w, struct llms_error **err);

#endif /* LLMSCHED_LLMSUB_SUBMIT_H */
