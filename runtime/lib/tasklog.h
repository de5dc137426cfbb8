/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libllmsched: a task's standard output and standard error, as the
 * runtime's agent writes them, read by their owner (llmsub --follow,
 * llmctl log).
 *
 * The agent (runtime/llmschedd/agent.c) creates LOG_DIR/tasks/UID/ (root's,
 * mode 0711) and in it task-ID.out and task-ID.err (0600, the task's
 * owner's), truncated before it reports the task's start, appended to
 * while the task runs.  LOG_DIR is the log_dir of llmschedd.conf.  So the
 * owner (and root) may read a log by its name; nobody lists another
 * user's folder.
 *
 *	struct llms_tasklog out = LLMS_TASKLOG_INIT(path, stdout);
 *
 *	llms_tasklog_follow(fd, id, &out, 1, "llmsub", &w, &err);
 *
 * Thread safety: a struct llms_tasklog belongs to one thread; the
 * functions keep no global state.
 */
#ifndef LLMSCHED_LIB_TASKLOG_H
#define LLMSCHED_LIB_TASKLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/llmsched.h>

#include "error.h"

/* The folder under LOG_DIR that holds one folder per user. */
#define LLMS_TASKLOG_DIR	"tasks"

/* How often llms_tasklog_follow() looks for new output. */
#define LLMS_TASKLOG_STEP_NS	(100ULL * 1000000ULL)

enum llms_tasklog_stream {
	LLMS_TASKLOG_STDOUT,	/* task-ID.out */
	LLMS_TASKLOG_STDERR,	/* task-ID.err */
};

/*
 * LOG_DIR/tasks/UID/task-ID.out (or .err) into @buf.  ENAMETOOLONG when
 * it does not fit @size, EINVAL for a NULL or empty @log_dir.
 */
int llms_tasklog_path(char *buf, size_t size, const char *log_dir,
		      uint32_t uid, uint64_t task_id,
		      enum llms_tasklog_stream s, struct llms_error **err);

/*
 * One log being copied: @path, copied to @out.  @fd is the log, -1 until
 * it is opened.  @done is set once the copy gave up (a log that cannot
 * be read): it is not tried again.
 */
struct llms_tasklog {
	const char *path;
	FILE *out;
	int fd;
	bool done;
	uint64_t copied;	/* bytes copied so far */
};

#define LLMS_TASKLOG_INIT(p, o) { .path = (p), .out = (o), .fd = -1 }

/*
 * Copy to @l->out (flushed) what @l->path holds past what was copied
 * before, opening it first when it is not open yet.  Returns the number
 * of bytes copied (0 when nothing new).  A log that is not there yet is
 * 0 too, unless @must_exist (the task ended, so the agent is done with
 * it): then ENOENT.  Errors: the errno of open() or read() (EACCES for
 * a log that is not the caller's), with the path; EIO when @l->out
 * failed.  After an error @l->done is set.
 */
int llms_tasklog_pump(struct llms_tasklog *l, bool must_exist,
		      struct llms_error **err);

/* Close @l's log (a closed or never opened one is fine). */
void llms_tasklog_close(struct llms_tasklog *l);

/*
 * Copy the @n logs @logs of task @id while the task runs, until it ended,
 * then what is left; its ending lands in *@w.  Every
 * LLMS_TASKLOG_STEP_NS it waits (LLMSCHED_IOC_TASK_WAIT on @fd) and
 * copies what is new.  A log is opened once the task started (the agent
 * truncates it before it reports the start, so that what is read is this
 * task's, though ids start again when the module is reloaded).  A log
 * that cannot be read is a warning on standard error, after @prog, not
 * an error: the task is still waited for.  Errors: those of
 * llms_task_wait() (ENOENT: no such task, or another user's).  The logs
 * are closed when it returns.
 */
int llms_tasklog_follow(int fd, uint64_t id, struct llms_tasklog *logs,
			size_t n, const char *prog,
			struct llmsched_task_wait *w, struct llms_error **err);

#endif /* LLMSCHED_LIB_TASKLOG_H */
