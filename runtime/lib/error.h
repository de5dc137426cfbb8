/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libllmsched: errors that carry an errno and a message up the stack.
 *
 * Every function of the library that can fail returns 0 (or a count) on
 * success and a negative errno on failure, and on failure also sets
 * *@err to an error that says what was being done and why it failed:
 *
 *	struct llms_error *err = NULL;
 *
 *	if (llms_cgroup_create(&cg, &root, "agent1/agent", &err) < 0) {
 *		llms_error_print(stderr, "llmschedd", err);
 *		llms_error_free(&err);
 *	}
 *
 * prints "llmschedd: creating cgroup /sys/fs/cgroup/llmsched/agent1:
 * mkdir: Permission denied".  Each caller on the way up may add context in
 * front with llms_error_prefix() and hand the same error on.  The message
 * never holds the errno's text: llms_error_print() adds it, once, at the
 * end.  The model is crun's libcrun_error_t.
 *
 * *@err must be NULL when a function is called (an error is handed to one
 * caller, who frees it or passes it up); on success a function leaves it
 * untouched.
 *
 * Thread safety: an error belongs to the thread that holds it; the
 * functions keep no shared state, and may be called from any thread.
 */
#ifndef LLMSCHED_LIB_ERROR_H
#define LLMSCHED_LIB_ERROR_H

#include <stddef.h>
#include <stdio.h>

struct llms_error {
	/* The errno value (> 0) the failure maps to. */
	int errnum;
	/*
	 * A finer reason, for callers that act on it rather than print it:
	 * its meaning belongs to the function that made the error (for
	 * example enum llms_payload_fault, enum llms_spawn_step), 0 when it
	 * has none.  llms_error_prefix() keeps it.
	 */
	int code;
	/* What failed, with its context: "creating cgroup ...: mkdir". */
	char *msg;
};

/*
 * Set *@err to a new error with @errnum and the message @fmt; returns
 * -@errnum, so that a failing function may end with
 * "return llms_error_set(err, errno, "opening %s", path);".  @errnum may be
 * given as a positive or a negative errno; 0 becomes EIO, because an error
 * always carries an errno.  When memory for the error itself runs out,
 * *@err is a static error "out of memory" with ENOMEM (llms_error_free()
 * knows it), and ENOMEM is returned.  @err may be NULL: nothing is kept and
 * only the return value tells.
 */
int llms_error_set(struct llms_error **err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* llms_error_set(), and @code in the error's code. */
int llms_error_set_code(struct llms_error **err, int errnum, int code,
			const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Put "@fmt: " in front of the message of *@err, keeping its errno and
 * code; returns -errnum of *@err.  When memory runs out the error is kept
 * as it was, without the new context.  With @err or *@err NULL (a caller's
 * bug: there is no error to add to), a new error with EIO says so.
 */
int llms_error_prefix(struct llms_error **err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Write "@prog: MESSAGE: ERRNO TEXT\n" to @out ("MESSAGE: ERRNO TEXT\n"
 * when @prog is NULL; "@prog: no error\n" when @err is NULL).  Errors of
 * the stream are not reported.
 */
void llms_error_print(FILE *out, const char *prog,
		      const struct llms_error *err);

/*
 * The same text as llms_error_print(), without the program name and the
 * newline, in @buf (always NUL-terminated, cut at @size - 1 bytes when
 * @size > 0); returns the length the whole text has, as snprintf() does.
 * For logs that take a string (syslog, a database row).
 */
int llms_error_format(const struct llms_error *err, char *buf, size_t size);

/*
 * Free *@err and set it to NULL.  Safe with @err or *@err NULL, and with
 * the static "out of memory" error.
 */
void llms_error_free(struct llms_error **err);

#endif /* LLMSCHED_LIB_ERROR_H */
