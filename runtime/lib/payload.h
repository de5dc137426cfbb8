/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libllmsched: the payload, what a task runs.
 *
 * The module keeps a task's payload as opaque bytes (at most
 * LLMSCHED_PAYLOAD_MAX) and hands them to the agent that runs it; their
 * format is the runtime's.  This is that format, version 1: the command's
 * argv, its environment, its working directory, a time limit and a label.
 * Documentation/userspace-api/llmsched-payload.rst describes the bytes.
 *
 * The decoder is strict: anything but a payload this encoder could have
 * written is refused with an error that names what is wrong (its code is
 * an enum llms_payload_fault), and it never reads outside the buffer it
 * is given.  The encoder refuses what the decoder would refuse, with the
 * same codes, so a payload that was submitted can be run.
 *
 * Thread safety: no shared state; a decoded payload is read-only and may
 * be read from any number of threads.
 */
#ifndef LLMSCHED_LIB_PAYLOAD_H
#define LLMSCHED_LIB_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

#include <linux/llmsched.h>

#include "error.h"

/* The format version this library writes, and the only one it reads. */
#define LLMS_PAYLOAD_VERSION 1
/* "LLMP", the first four bytes of every payload. */
#define LLMS_PAYLOAD_MAGIC 0x504d4c4cU
/* Bytes of the fixed header before the strings. */
#define LLMS_PAYLOAD_HEADER_SIZE 32
/* A label's longest length, in bytes, without its NUL. */
#define LLMS_PAYLOAD_LABEL_MAX 64
/* A working directory's longest length, in bytes, with its NUL. */
#define LLMS_PAYLOAD_CWD_MAX 4096

/*
 * A payload, decoded (from llms_payload_decode()) or to be encoded.
 *
 * @time_limit_ns: how long the task may run, in nanoseconds; 0 for no
 *	limit.  The runtime enforces it, not the decoder.
 * @label: a short name for listings and accounting: at most
 *	LLMS_PAYLOAD_LABEL_MAX bytes of printable ASCII (space to '~');
 *	"" for none.  NULL is taken as "" by the encoder.
 * @cwd: the absolute working directory, shorter than LLMS_PAYLOAD_CWD_MAX.
 * @argc: the number of arguments, at least 1.
 * @argv: the arguments, argv[0] the program (not empty; a name without
 *	'/' is looked up in the task's PATH).  Decoded, argv[argc] is NULL,
 *	as execve() wants; the encoder reads argv[0] to argv[argc - 1] only.
 * @envc: the number of environment entries, 0 or more.
 * @envp: "NAME=VALUE" strings with a non-empty NAME; envp[envc] is NULL
 *	when decoded.  Entries are kept in order, duplicates included: the
 *	format carries what the submitter had.
 */
struct llms_payload {
	uint64_t time_limit_ns;
	const char *label;
	const char *cwd;
	uint32_t argc;
	char *const *argv;
	uint32_t envc;
	char *const *envp;
};

/*
 * What is wrong with a payload: the code of the error that
 * llms_payload_decode() and llms_payload_encode() make, with its errno.
 * The decoder checks in this order and reports the first fault it meets
 * (the header's fields, then the strings one by one, then their content).
 */
enum llms_payload_fault {
	LLMS_PAYLOAD_OK = 0,
	/* E2BIG: longer than LLMSCHED_PAYLOAD_MAX. */
	LLMS_PAYLOAD_OVERSIZED,
	/* EBADMSG: ends before its header, a string, or its length field. */
	LLMS_PAYLOAD_TRUNCATED,
	/* EBADMSG: does not start with "LLMP". */
	LLMS_PAYLOAD_BAD_MAGIC,
	/* EPROTONOSUPPORT: a version other than LLMS_PAYLOAD_VERSION. */
	LLMS_PAYLOAD_BAD_VERSION,
	/* EBADMSG: a flag bit set (version 1 defines none). */
	LLMS_PAYLOAD_BAD_FLAGS,
	/* EBADMSG: the reserved header field is not zero. */
	LLMS_PAYLOAD_BAD_RESERVED,
	/* EBADMSG: the length field is shorter than the bytes given. */
	LLMS_PAYLOAD_BAD_LENGTH,
	/* EINVAL: argc is 0. */
	LLMS_PAYLOAD_NO_ARGV,
	/* EBADMSG: more strings counted than the bytes could hold. */
	LLMS_PAYLOAD_BAD_COUNTS,
	/* EBADMSG: a string of size 0, or whose last byte is not NUL. */
	LLMS_PAYLOAD_UNTERMINATED,
	/* EBADMSG: a string with a NUL before its end. */
	LLMS_PAYLOAD_NUL_INSIDE,
	/* EBADMSG: bytes after the last string. */
	LLMS_PAYLOAD_TRAILING,
	/* EINVAL: an argv or envp entry is NULL (the encoder's input only). */
	LLMS_PAYLOAD_NULL_STRING,
	/* EINVAL: argv[0] is "". */
	LLMS_PAYLOAD_EMPTY_PROGRAM,
	/* EINVAL: an environment entry without '='. */
	LLMS_PAYLOAD_ENV_NO_EQUALS,
	/* EINVAL: an environment entry with an empty name ("=VALUE"). */
	LLMS_PAYLOAD_ENV_EMPTY_NAME,
	/* EINVAL: the working directory is not absolute (or is empty). */
	LLMS_PAYLOAD_CWD_RELATIVE,
	/* ENAMETOOLONG: the working directory is LLMS_PAYLOAD_CWD_MAX or
	   longer. */
	LLMS_PAYLOAD_CWD_TOO_LONG,
	/* EINVAL: the label is longer than LLMS_PAYLOAD_LABEL_MAX. */
	LLMS_PAYLOAD_LABEL_TOO_LONG,
	/* EINVAL: the label has a control character or a non-ASCII byte. */
	LLMS_PAYLOAD_LABEL_BAD_CHAR,
};

/*
 * Encode @p into *@buf (malloc()ed, the caller frees it), *@len bytes.
 * 0 or -errno with *@err set, its code an enum llms_payload_fault: EINVAL,
 * ENAMETOOLONG, E2BIG (the result would pass LLMSCHED_PAYLOAD_MAX), ENOMEM.
 */
int llms_payload_encode(const struct llms_payload *p, void **buf, size_t *len,
			struct llms_error **err);

/*
 * Decode the @len bytes at @buf into *@p, one allocation holding the
 * structure, its arrays and copies of its strings, independent of @buf;
 * free it with llms_payload_free().  0 or -errno with *@err set, its code
 * an enum llms_payload_fault: E2BIG, EBADMSG, EPROTONOSUPPORT, EINVAL,
 * ENAMETOOLONG as listed there, ENOMEM.  @buf may be NULL when @len is 0.
 */
int llms_payload_decode(const void *buf, size_t len, struct llms_payload **p,
			struct llms_error **err);

/* Free a decoded payload.  NULL is fine. */
void llms_payload_free(struct llms_payload *p);

#endif /* LLMSCHED_LIB_PAYLOAD_H */
