/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libllmsched, internal: reading and writing the small text files of
 * cgroupfs and sysfs, and parsing the numbers in them.  Not part of the
 * public API: cgroup.c and sysfs.c share it.
 *
 * Thread safety: none of these keeps state; all may run in any thread.
 */
#ifndef LLMSCHED_LIB_FILEIO_H
#define LLMSCHED_LIB_FILEIO_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/*
 * The largest file read whole.  A cgroup.procs listing of a cgroup with the
 * kernel's most pids (4194304, eight bytes a line at most) fits.
 */
#define LLMS_TEXT_MAX (32u << 20)

/*
 * Read the file @name in the folder @dirfd (shown as @dirpath in
 * messages) into *@text, a malloc()ed NUL-terminated string the caller
 * frees; its length in *@len when @len is not NULL.  0 or -errno:
 * ENOENT when there is no such file, EFBIG past LLMS_TEXT_MAX.
 */
int llms_read_text_at(int dirfd, const char *dirpath, const char *name,
		      char **text, size_t *len, struct llms_error **err);

/*
 * Write @text to the existing file @name in @dirfd in one write(), as
 * cgroupfs and sysfs want it (they take each write as one whole value).
 * 0 or -errno: the kernel's refusal (EINVAL for a bad value, EBUSY,
 * ...), EIO for a short write.
 */
int llms_write_text_at(int dirfd, const char *dirpath, const char *name,
		       const char *text, struct llms_error **err);

/*
 * Parse the decimal number in @s, which may end with one newline: digits
 * only (no sign, no space, no other base), at least one.  0, -EINVAL
 * (not such a number) or -ERANGE (above UINT64_MAX).
 */
int llms_parse_u64(const char *s, uint64_t *val);

/* llms_parse_u64(), with "max" read as UINT64_MAX (cgroupfs' "no limit"). */
int llms_parse_u64_or_max(const char *s, uint64_t *val);

/*
 * In @text, lines "KEY VALUE" (cpu.stat, memory.events, cgroup.events):
 * the number on the line of @key.  0, -ENOENT (no such line), -EINVAL or
 * -ERANGE (its value is not a number).
 */
int llms_keyed_u64(const char *text, const char *key, uint64_t *val);

/* CLOCK_MONOTONIC in milliseconds, for deadlines. */
uint64_t llms_now_ms(void);

#endif /* LLMSCHED_LIB_FILEIO_H */
