/* SPDX-License-Identifier: GPL-2.0 */
/*
 * llmsub --file: tasks from JSON lines (read with json-c), one task a line,
 * and their symbolic dependencies resolved into one batch.
 *
 * A line is a JSON object whose fields mirror the flags (the format, with
 * an example, is in Documentation/admin-guide/llmsub.rst):
 *
 *	{"name": "prep", "cpu": "500m", "command": ["./prep.sh"]}
 *	{"name": "train", "after": ["prep"], "mem": "4G", "est": "5m",
 *	 "command": ["./train.sh", "--epochs", "3"]}
 *
 * Blank lines and lines whose first non-blank character is '#' are
 * skipped.  "after" names other lines by their "name", or existing tasks
 * by id (a number).  A line may name one that comes later in the file:
 * the batch is put in a topological order (each task after those it waits
 * for, otherwise in file order) before it goes to the module, whose batch
 * dependencies may only point backwards; a cycle is refused with the lines
 * that make it.
 *
 * Every error names the file, the line and the field, with the setter's
 * words (task.h): "jobs.jsonl:3: field \"cpu\": 'abc': not a CPU amount:
 * use 2, 0.5 or 500m".  Nothing is half-read: on error the batch is empty.
 */
#ifndef LLMSCHED_LLMSUB_JSONL_H
#define LLMSCHED_LLMSUB_JSONL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "task.h"

/*
 * @tasks, @count: the tasks in submission order (after
 *	llmsub_batch_resolve(); in file order before it).
 * @line_pos: for the i-th task of the file, its index in @tasks.
 */
struct llmsub_batch {
	struct llmsub_task *tasks;
	size_t count;
	size_t *line_pos;
};

/*
 * Parse one line (@text, without its newline) of file @fname, line @line,
 * into @t (initialised here; its environment from @environ, all of it
 * when @export_env or the line's "export_env" is true).  1 when the line
 * is blank or a comment (@t is then left free), 0 for a task, -errno.
 */
int llmsub_jsonl_line(const char *fname, unsigned int line, const char *text,
		      char *const *environ, bool export_env,
		      struct llmsub_task *t, struct llms_error **err);

/*
 * Read every line of @f (named @fname in messages) into @b, then resolve
 * it (llmsub_batch_resolve()).  EINVAL for a bad line, a file without a
 * task, or more than LLMSCHED_BATCH_MAX tasks; the read's errno.
 */
int llmsub_jsonl_read(FILE *f, const char *fname, char *const *environ,
		      bool export_env, struct llmsub_batch *b,
		      struct llms_error **err);

/*
 * Resolve the names in @b's dependencies: a name given twice, a name no
 * line has, a line that waits for itself and a cycle are EINVAL.  Then
 * order @b topologically, set each task's @dep_ids (an index as
 * LLMSCHED_DEP_BATCH_INDEX | index in the new order) and @line_pos.
 */
int llmsub_batch_resolve(struct llmsub_batch *b, const char *fname,
			 struct llms_error **err);

void llmsub_batch_free(struct llmsub_batch *b);

#endif /* LLMSCHED_LLMSUB_JSONL_H */
