/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the selftests that run the project's programs as commands,
 * as a person would: a program beside the test in build/bin/, run with an
 * argument vector, standard input from a text, its standard output and
 * error captured in files and read back, its exit status returned.  Used
 * by llmsub_test.c, llmctl_test.c, llmctl_live_test.c, llmschedd_test.c,
 * loadprobe_test.c and daemon_util.c.
 *
 * Every function that can fail returns 0 (or a count, a pid, an exit
 * status) or a negative errno.
 */
#ifndef LLMSCHED_SELFTEST_TOOL_UTIL_H
#define LLMSCHED_SELFTEST_TOOL_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <linux/types.h>

/* The uid argument: run as the test itself runs (root). */
#define TU_SELF		(-1)
/* The timeout argument: wait as long as the program takes. */
#define TU_FOREVER	(-1)
/* The exit status of a program that did not exit (killed, or timed out). */
#define TU_KILLED	256

/* Write @text to @path (created or truncated). */
int tu_write_text(const char *path, const char *text);

/*
 * Read @path into @buf, at most @size - 1 bytes, NUL-terminated (a
 * longer file is cut short, not an error).
 */
int tu_read_text(const char *path, char *buf, size_t size);

/*
 * @name beside this test in build/bin/ ("llmsub"), or below it
 * ("../../selftests/llmsched/check-json-schema").  The result lives in
 * one of four rotating buffers: good until the fourth call after.
 */
const char *tu_beside(const char *name);

/*
 * Start @argv (NULL-terminated, argv[0] a path) in a child: as @uid
 * (TU_SELF: as we are; otherwise with gid @uid, no supplementary groups
 * and /tmp as its directory, since the test's own may be closed to that
 * user), standard input from @in_path (NULL: /dev/null), standard output
 * to @out_path and error to @err_path (created or truncated; NULL: ours;
 * the same path: one open file both write to).  Its pid; its exit status
 * is 126 when it could not become @uid, 127 when it could not be run.
 */
pid_t tu_start(const char *const *argv, int uid, const char *in_path,
	       const char *out_path, const char *err_path);

/*
 * Reap child @pid (or pass on tu_start()'s error): its exit status, or
 * TU_KILLED when it died of a signal or was still running after
 * @timeout_ms (TU_FOREVER: no limit), when it is killed.
 */
int tu_finish(pid_t pid, int timeout_ms);

/* tu_start() then tu_finish(). */
int tu_run(const char *const *argv, int uid, const char *in_path,
	   const char *out_path, const char *err_path, int timeout_ms);

/*
 * Where a test keeps a program's output: @dir holds the files stdin,
 * stdout and stderr of the last run, read back into @out and @err
 * (empty when unreadable); a run longer than @timeout_ms (TU_FOREVER: no
 * limit) is killed.
 */
struct tu_capture {
	const char *dir;
	char *out;
	size_t out_size;
	char *err;
	size_t err_size;
	int timeout_ms;
};

/*
 * Run @argv as @uid (as tu_start()) with @in_text as its standard input
 * (NULL: none), its output in @c->out and @c->err; its exit status.
 */
int tu_capture(const struct tu_capture *c, int uid, const char *in_text,
	       const char *const *argv);

/*
 * Run the tool @prog beside the test as `@prog -c @conf WORDS...`, the
 * words from @ap up to a NULL (at most 60): tu_capture() of that.
 */
int tu_vtool(const struct tu_capture *c, const char *conf, const char *prog,
	     int uid, const char *in_text, va_list ap);

/*
 * Task ids as llmsub prints them, one a line, from @text into @ids (at
 * most @room); how many came before the first line that is not one.
 */
int tu_read_ids(const char *text, __u64 *ids, int room);

/*
 * Check @text against Documentation/admin-guide/llmctl-json/@schema
 * ("status.schema.json") with check-json-schema, as one document or
 * (@lines) one a line; @dir/doc.json holds it.  0 when valid; when not,
 * the checker's message goes to stderr.
 */
int tu_schema_ok(const char *dir, const char *schema, const char *text,
		 bool lines);

#endif /* LLMSCHED_SELFTEST_TOOL_UTIL_H */
