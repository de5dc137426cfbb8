// SPDX-License-Identifier: GPL-2.0
/*
 * libllmsched: the payload format, version 1.  See payload.h and
 * Documentation/userspace-api/llmsched-payload.rst.
 *
 * The bytes, all numbers little-endian:
 *
 *	 0  u32  magic "LLMP"
 *	 4  u16  version, 1
 *	 6  u16  flags, 0
 *	 8  u32  length of the whole payload, this header included
 *	12  u32  argc, at least 1
 *	16  u32  envc
 *	20  u32  reserved, 0
 *	24  u64  time limit in nanoseconds, 0 for none
 *	32       the strings: label, cwd, argv[0 .. argc - 1],
 *		 envp[0 .. envc - 1], each a u32 size (its bytes, the NUL
 *		 included) followed by those bytes
 *
 * Each string says its size rather than relying on its NUL, so that a NUL
 * in the wrong place is seen as one (rather than as one string more) and a
 * decoder never has to search for an end.  Nothing is padded or optional,
 * so a payload has one encoding: what decodes re-encodes to the same bytes.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "payload.h"

#define STRING_SIZE_BYTES 4
/* The least a string takes: its size and its NUL. */
#define STRING_MIN_BYTES (STRING_SIZE_BYTES + 1)
/* label and cwd come before argv and envp. */
#define FIXED_STRINGS 2

_Static_assert(LLMSCHED_PAYLOAD_MAX <= UINT32_MAX,
	       "a payload's length must fit its u32 length field");

static uint16_t get_le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const unsigned char *p)
{
	return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static void put_le16(unsigned char *p, uint16_t v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

static void put_le32(unsigned char *p, uint32_t v)
{
	put_le16(p, v & 0xffff);
	put_le16(p + 2, v >> 16);
}

static void put_le64(unsigned char *p, uint64_t v)
{
	put_le32(p, v & 0xffffffffU);
	put_le32(p + 4, v >> 32);
}

static int fault(struct llms_error **err, int errnum,
		 enum llms_payload_fault code, const char *what)
{
	return llms_error_set_code(err, errnum, code, "payload: %s", what);
}

/*
 * The checks on what the strings say, shared by the encoder and the
 * decoder so that each refuses exactly what the other would.
 */
static int check_label(const char *label, struct llms_error **err)
{
	size_t len = strlen(label), i;

	if (len > LLMS_PAYLOAD_LABEL_MAX)
		return llms_error_set_code(
			err, EINVAL, LLMS_PAYLOAD_LABEL_TOO_LONG,
			"payload: label of %zu bytes, longer than %u", len,
			LLMS_PAYLOAD_LABEL_MAX);
	for (i = 0; i < len; i++) {
		unsigned char c = label[i];

		/* Shown in listings and logs: no escape sequences. */
		if (c < 0x20 || c > 0x7e)
			return llms_error_set_code(
				err, EINVAL, LLMS_PAYLOAD_LABEL_BAD_CHAR,
				"payload: label byte %zu is 0x%02x, not "
				"printable ASCII",
				i, c);
	}
	return 0;
}

static int check_cwd(const char *cwd, struct llms_error **err)
{
	size_t len = strlen(cwd);

	/* Relative to what?  The agent's folder means nothing to a task. */
	if (cwd[0] != '/')
		return fault(err, EINVAL, LLMS_PAYLOAD_CWD_RELATIVE,
			     "working directory is not an absolute path");
	if (len >= LLMS_PAYLOAD_CWD_MAX)
		return llms_error_set_code(
			err, ENAMETOOLONG, LLMS_PAYLOAD_CWD_TOO_LONG,
			"payload: working directory of %zu bytes, %u or more",
			len, LLMS_PAYLOAD_CWD_MAX);
	return 0;
}

static int check_env(const char *entry, uint32_t i, struct llms_error **err)
{
	const char *eq = strchr(entry, '=');

	if (!eq)
		return llms_error_set_code(
			err, EINVAL, LLMS_PAYLOAD_ENV_NO_EQUALS,
			"payload: environment entry %u has no '='", i);
	if (eq == entry)
		return llms_error_set_code(
			err, EINVAL, LLMS_PAYLOAD_ENV_EMPTY_NAME,
			"payload: environment entry %u has an empty name", i);
	return 0;
}

static int check_content(const struct llms_payload *p, struct llms_error **err)
{
	uint32_t i;
	int ret;

	ret = check_label(p->label, err);
	if (!ret)
		ret = check_cwd(p->cwd, err);
	if (ret)
		return ret;
	if (!p->argv[0][0])
		return fault(err, EINVAL, LLMS_PAYLOAD_EMPTY_PROGRAM,
			     "argv[0], the program, is empty");
	for (i = 0; i < p->envc; i++) {
		ret = check_env(p->envp[i], i, err);
		if (ret)
			return ret;
	}
	return 0;
}

/* ------------------------------------------------------------ encoder */

/* Bytes @s takes in a payload, added to *@total; false past the maximum. */
static bool add_string_size(size_t *total, const char *s)
{
	size_t len = strlen(s);

	if (len > LLMSCHED_PAYLOAD_MAX)
		return false;
	*total += STRING_SIZE_BYTES + len + 1;
	return *total <= LLMSCHED_PAYLOAD_MAX;
}

static unsigned char *put_string(unsigned char *out, const char *s)
{
	size_t size = strlen(s) + 1;

	put_le32(out, (uint32_t)size);
	memcpy(out + STRING_SIZE_BYTES, s, size);
	return out + STRING_SIZE_BYTES + size;
}

int llms_payload_encode(const struct llms_payload *p, void **buf, size_t *len,
			struct llms_error **err)
{
	struct llms_payload in = *p;
	size_t total = LLMS_PAYLOAD_HEADER_SIZE;
	unsigned char *out, *pos;
	uint32_t i;
	int ret;

	if (!in.label)
		in.label = "";
	if (!in.cwd)
		return fault(err, EINVAL, LLMS_PAYLOAD_CWD_RELATIVE,
			     "no working directory");
	if (!in.argc)
		return fault(err, EINVAL, LLMS_PAYLOAD_NO_ARGV,
			     "no argv: a task needs a program to run");
	for (i = 0; i < in.argc; i++)
		if (!in.argv[i])
			return llms_error_set_code(
				err, EINVAL, LLMS_PAYLOAD_NULL_STRING,
				"payload: argv[%u] is NULL", i);
	for (i = 0; i < in.envc; i++)
		if (!in.envp[i])
			return llms_error_set_code(
				err, EINVAL, LLMS_PAYLOAD_NULL_STRING,
				"payload: environment entry %u is NULL", i);
	ret = check_content(&in, err);
	if (ret)
		return ret;

	/* Counted before anything is copied: stop at the first excess. */
	if (!add_string_size(&total, in.label) ||
	    !add_string_size(&total, in.cwd))
		goto oversized;
	for (i = 0; i < in.argc; i++)
		if (!add_string_size(&total, in.argv[i]))
			goto oversized;
	for (i = 0; i < in.envc; i++)
		if (!add_string_size(&total, in.envp[i]))
			goto oversized;

	out = malloc(total);
	if (!out)
		return fault(err, ENOMEM, LLMS_PAYLOAD_OK, "encoding");
	put_le32(out, LLMS_PAYLOAD_MAGIC);
	put_le16(out + 4, LLMS_PAYLOAD_VERSION);
	put_le16(out + 6, 0);
	put_le32(out + 8, (uint32_t)total);
	put_le32(out + 12, in.argc);
	put_le32(out + 16, in.envc);
	put_le32(out + 20, 0);
	put_le64(out + 24, in.time_limit_ns);
	pos = out + LLMS_PAYLOAD_HEADER_SIZE;
	pos = put_string(pos, in.label);
	pos = put_string(pos, in.cwd);
	for (i = 0; i < in.argc; i++)
		pos = put_string(pos, in.argv[i]);
	for (i = 0; i < in.envc; i++)
		pos = put_string(pos, in.envp[i]);
	*buf = out;
	*len = total;
	return 0;

oversized:
	return llms_error_set_code(err, E2BIG, LLMS_PAYLOAD_OVERSIZED,
				   "payload: more than %u bytes once encoded",
				   LLMSCHED_PAYLOAD_MAX);
}

/* ------------------------------------------------------------ decoder */

/* One string of a payload being read: where it starts, its size. */
struct string_ref {
	uint32_t offset;
	uint32_t size;
};

/* The name of string @i of the payload, for messages. */
static void string_name(char *name, size_t size, uint32_t i, uint32_t argc)
{
	if (i == 0)
		snprintf(name, size, "the label");
	else if (i == 1)
		snprintf(name, size, "the working directory");
	else if (i - FIXED_STRINGS < argc)
		snprintf(name, size, "argv[%u]", i - FIXED_STRINGS);
	else
		snprintf(name, size, "environment entry %u",
			 i - FIXED_STRINGS - argc);
}

/*
 * Find the @count strings in the @len bytes at @in, past the header, into
 * @refs: each within the buffer, NUL-terminated, with no NUL inside, and
 * nothing after the last.
 */
static int find_strings(const unsigned char *in, uint32_t len,
			struct string_ref *refs, uint32_t count, uint32_t argc,
			struct llms_error **err)
{
	uint32_t pos = LLMS_PAYLOAD_HEADER_SIZE, i, size;
	char name[48];

	for (i = 0; i < count; i++) {
		string_name(name, sizeof(name), i, argc);
		if (len - pos < STRING_SIZE_BYTES)
			return llms_error_set_code(
				err, EBADMSG, LLMS_PAYLOAD_TRUNCATED,
				"payload: truncated: ends at byte %u, before "
				"the size of %s",
				len, name);
		size = get_le32(in + pos);
		pos += STRING_SIZE_BYTES;
		if (size > len - pos)
			return llms_error_set_code(err, EBADMSG,
						   LLMS_PAYLOAD_TRUNCATED,
						   "payload: truncated: %s has "
						   "%u bytes, %u are left",
						   name, size, len - pos);
		if (!size || in[pos + size - 1])
			return llms_error_set_code(err, EBADMSG,
						   LLMS_PAYLOAD_UNTERMINATED,
						   "payload: %s (at byte %u) "
						   "does not end with a NUL",
						   name, pos);
		if (memchr(in + pos, '\0', size - 1))
			return llms_error_set_code(
				err, EBADMSG, LLMS_PAYLOAD_NUL_INSIDE,
				"payload: %s (at byte %u) has a NUL inside",
				name, pos);
		refs[i].offset = pos;
		refs[i].size = size;
		pos += size;
	}
	if (pos != len)
		return llms_error_set_code(
			err, EBADMSG, LLMS_PAYLOAD_TRAILING,
			"payload: %u bytes after the last string", len - pos);
	return 0;
}

/* The header's checks, in the documented order. */
static int check_header(const unsigned char *in, size_t len, uint32_t *argc,
			uint32_t *envc, struct llms_error **err)
{
	uint32_t length, strings;
	uint16_t version, flags;

	if (len > LLMSCHED_PAYLOAD_MAX)
		return llms_error_set_code(err, E2BIG, LLMS_PAYLOAD_OVERSIZED,
					   "payload: %zu bytes, more than %u",
					   len, LLMSCHED_PAYLOAD_MAX);
	if (len < LLMS_PAYLOAD_HEADER_SIZE)
		return llms_error_set_code(err, EBADMSG, LLMS_PAYLOAD_TRUNCATED,
					   "payload: truncated: %zu bytes, "
					   "shorter than its %u-byte header",
					   len, LLMS_PAYLOAD_HEADER_SIZE);
	if (get_le32(in) != LLMS_PAYLOAD_MAGIC)
		return fault(err, EBADMSG, LLMS_PAYLOAD_BAD_MAGIC,
			     "does not start with \"LLMP\": not an llmsched "
			     "payload");
	version = get_le16(in + 4);
	if (version != LLMS_PAYLOAD_VERSION)
		return llms_error_set_code(
			err, EPROTONOSUPPORT, LLMS_PAYLOAD_BAD_VERSION,
			"payload: version %u, this runtime reads version %u",
			version, LLMS_PAYLOAD_VERSION);
	flags = get_le16(in + 6);
	if (flags)
		return llms_error_set_code(err, EBADMSG, LLMS_PAYLOAD_BAD_FLAGS,
					   "payload: unknown flags 0x%04x",
					   flags);
	if (get_le32(in + 20))
		return fault(err, EBADMSG, LLMS_PAYLOAD_BAD_RESERVED,
			     "the reserved header field is not zero");
	length = get_le32(in + 8);
	if (length > len)
		return llms_error_set_code(err, EBADMSG, LLMS_PAYLOAD_TRUNCATED,
					   "payload: truncated: %zu bytes of "
					   "the %u its header says",
					   len, length);
	if (length < len)
		return llms_error_set_code(
			err, EBADMSG, LLMS_PAYLOAD_BAD_LENGTH,
			"payload: %zu bytes, its header says %u", len, length);
	*argc = get_le32(in + 12);
	*envc = get_le32(in + 16);
	if (!*argc)
		return fault(err, EINVAL, LLMS_PAYLOAD_NO_ARGV,
			     "argc is 0: a task needs a program to run");
	/*
	 * Before anything is allocated for them: each string takes
	 * STRING_MIN_BYTES at least, which bounds the counts by the length
	 * (and the arrays by a few KiB).
	 */
	strings = (len - LLMS_PAYLOAD_HEADER_SIZE) / STRING_MIN_BYTES;
	if ((uint64_t)*argc + *envc + FIXED_STRINGS > strings)
		return llms_error_set_code(
			err, EBADMSG, LLMS_PAYLOAD_BAD_COUNTS,
			"payload: %u arguments and %u environment entries "
			"cannot fit in %zu bytes",
			*argc, *envc, len);
	return 0;
}

int llms_payload_decode(const void *buf, size_t len, struct llms_payload **p,
			struct llms_error **err)
{
	const unsigned char *in = buf;
	struct string_ref *refs;
	struct llms_payload *out;
	uint32_t argc = 0, envc = 0, count, i, base;
	char **argv, **envp, *strings;
	size_t size;
	int ret;

	ret = check_header(in, len, &argc, &envc, err);
	if (ret)
		return ret;
	count = argc + envc + FIXED_STRINGS;
	refs = malloc(count * sizeof(*refs));
	if (!refs)
		return fault(err, ENOMEM, LLMS_PAYLOAD_OK, "decoding");
	ret = find_strings(in, (uint32_t)len, refs, count, argc, err);
	if (ret)
		goto out;

	/* One block: the structure, argv, envp, then the strings' bytes. */
	size = sizeof(*out) + (argc + 1 + envc + 1) * sizeof(char *) +
	       (len - LLMS_PAYLOAD_HEADER_SIZE);
	out = malloc(size);
	if (!out) {
		ret = fault(err, ENOMEM, LLMS_PAYLOAD_OK, "decoding");
		goto out;
	}
	argv = (char **)(out + 1);
	envp = argv + argc + 1;
	strings = (char *)(envp + envc + 1);
	memcpy(strings, in + LLMS_PAYLOAD_HEADER_SIZE,
	       len - LLMS_PAYLOAD_HEADER_SIZE);
	base = LLMS_PAYLOAD_HEADER_SIZE;
	for (i = 0; i < argc; i++)
		argv[i] = strings + refs[FIXED_STRINGS + i].offset - base;
	argv[argc] = NULL;
	for (i = 0; i < envc; i++)
		envp[i] =
			strings + refs[FIXED_STRINGS + argc + i].offset - base;
	envp[envc] = NULL;
	out->time_limit_ns = get_le64(in + 24);
	out->label = strings + refs[0].offset - base;
	out->cwd = strings + refs[1].offset - base;
	out->argc = argc;
	out->argv = argv;
	out->envc = envc;
	out->envp = envp;

	ret = check_content(out, err);
	if (ret) {
		free(out);
		goto out;
	}
	*p = out;
out:
	free(refs);
	return ret;
}

void llms_payload_free(struct llms_payload *p)
{
	free(p);
}
