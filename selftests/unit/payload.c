// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for libllmsched's payload codec (runtime/lib/payload.c).
 *
 * Every buffer handed to the decoder is a heap block of exactly the bytes
 * it is told about, so that the build of this file with ASan and UBSan
 * (unit-payload-asan) stops on the first read past a payload's end.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "../../runtime/lib/payload.h"

/* splitmix64: a small seeded PRNG, so every run sees the same inputs. */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A heap copy of exactly @len bytes of @src: nothing readable past it. */
static void *exact_copy(const void *src, size_t len)
{
	void *p = malloc(len ? len : 1);

	if (p && len)
		memcpy(p, src, len);
	return p;
}

/*
 * Decode a heap copy of @len bytes of @buf; the fault's code (0 when it
 * decoded), with the payload in *@out when not NULL and it decoded.
 */
static int decode_code(const void *buf, size_t len, int *errnum,
		       struct llms_payload **out)
{
	struct llms_error *err = NULL;
	struct llms_payload *p = NULL;
	void *copy = exact_copy(buf, len);
	int ret, code = 0;

	if (!copy)
		return -1;
	ret = llms_payload_decode(copy, len, &p, &err);
	free(copy);
	if (errnum)
		*errnum = err ? err->errnum : 0;
	if (ret) {
		/* An error always says what and why, and matches the return. */
		if (!err || ret != -err->errnum || !err->msg ||
		    !strstr(err->msg, "payload"))
			code = -2;
		else
			code = err->code;
		llms_error_free(&err);
		return code;
	}
	if (err)
		return -3;
	if (out)
		*out = p;
	else
		llms_payload_free(p);
	return 0;
}

/* Encode @p; the fault's code, 0 with the bytes in *@buf / *@len. */
static int encode_code(const struct llms_payload *p, void **buf, size_t *len,
		       int *errnum)
{
	struct llms_error *err = NULL;
	void *b = NULL;
	size_t l = 0;
	int ret, code;

	ret = llms_payload_encode(p, &b, &l, &err);
	if (errnum)
		*errnum = err ? err->errnum : 0;
	if (ret) {
		code = (!err || ret != -err->errnum) ? -2 : err->code;
		llms_error_free(&err);
		return code;
	}
	if (buf) {
		*buf = b;
		*len = l;
	} else {
		free(b);
	}
	return 0;
}

/* Whether two payloads say the same thing. */
static int payload_equal(const struct llms_payload *a,
			 const struct llms_payload *b)
{
	const char *la = a->label ? a->label : "";
	uint32_t i;

	if (a->time_limit_ns != b->time_limit_ns || strcmp(la, b->label) ||
	    strcmp(a->cwd, b->cwd) || a->argc != b->argc || a->envc != b->envc)
		return 0;
	for (i = 0; i < a->argc; i++)
		if (strcmp(a->argv[i], b->argv[i]))
			return 0;
	for (i = 0; i < a->envc; i++)
		if (strcmp(a->envp[i], b->envp[i]))
			return 0;
	return 1;
}

/*
 * Encode, decode, compare, and encode the decoded one again: a payload has
 * one encoding, so the bytes must be the same.  0 when all held.
 */
static int round_trip(const struct llms_payload *p, size_t *encoded_len)
{
	struct llms_payload *d = NULL;
	void *b1 = NULL, *b2 = NULL;
	size_t l1, l2;
	int ret = -1;

	if (encode_code(p, &b1, &l1, NULL))
		return -1;
	if (decode_code(b1, l1, NULL, &d))
		goto out;
	if (!payload_equal(p, d) || d->argv[d->argc] || d->envp[d->envc])
		goto out;
	if (encode_code(d, &b2, &l2, NULL) || l1 != l2 || memcmp(b1, b2, l1))
		goto out;
	if (encoded_len)
		*encoded_len = l1;
	ret = 0;
out:
	llms_payload_free(d);
	free(b1);
	free(b2);
	return ret;
}

/* --------------------------------------------------- raw payload bytes */

/*
 * Payload bytes written by hand, without the encoder's checks, to give
 * the decoder what no encoder writes.
 */
struct raw {
	unsigned char b[LLMSCHED_PAYLOAD_MAX + 64];
	size_t len;
};

static void raw_le32(unsigned char *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static void raw_header(struct raw *r, uint32_t argc, uint32_t envc)
{
	memset(r->b, 0, LLMS_PAYLOAD_HEADER_SIZE);
	memcpy(r->b, "LLMP", 4);
	r->b[4] = LLMS_PAYLOAD_VERSION;
	raw_le32(r->b + 12, argc);
	raw_le32(r->b + 16, envc);
	r->len = LLMS_PAYLOAD_HEADER_SIZE;
}

/* A string of @size bytes (its NUL, if any, among them). */
static void raw_bytes(struct raw *r, const void *s, uint32_t size)
{
	raw_le32(r->b + r->len, size);
	memcpy(r->b + r->len + 4, s, size);
	r->len += 4 + size;
}

static void raw_string(struct raw *r, const char *s)
{
	raw_bytes(r, s, strlen(s) + 1);
}

/* Set the length field to the bytes written. */
static void raw_seal(struct raw *r)
{
	raw_le32(r->b + 8, r->len);
}

/* label "", cwd "/", argv { "true" }, no environment. */
static void raw_minimal(struct raw *r)
{
	raw_header(r, 1, 0);
	raw_string(r, "");
	raw_string(r, "/");
	raw_string(r, "true");
	raw_seal(r);
}

static int raw_code(const struct raw *r, int *errnum)
{
	return decode_code(r->b, r->len, errnum, NULL);
}

/* ---------------------------------------------------------- round trip */

static char *const argv_true[] = { "true", NULL };

TEST(round_trip_of_many_shapes)
{
	static char *const env_edges[] = {
		"A=",
		"A==b",
		"PATH=/usr/bin:/bin",
		"A=again",
		"UTF8=\xc3\xa9t\xc3\xa9",
	};
	static char *const argv_empty_args[] = { "/bin/echo", "", "x", "",
						 NULL };
	static char label64[LLMS_PAYLOAD_LABEL_MAX + 1];
	static char cwd_longest[LLMS_PAYLOAD_CWD_MAX];
	static char *many_args[2000];
	static char *argv_utf8[] = { "printf", "%s\\n",
				     "\xe2\x9c\x93 caf\xc3\xa9", NULL };
	struct llms_payload shapes[8];
	unsigned int i;

	/* Every printable character, 64 of them. */
	for (i = 0; i < LLMS_PAYLOAD_LABEL_MAX; i++)
		label64[i] = 0x20 + (i * 3) % 95;
	memset(cwd_longest, 'd', sizeof(cwd_longest) - 1);
	cwd_longest[0] = '/';
	for (i = 0; i < ARRAY_SIZE(many_args); i++)
		many_args[i] = i % 2 ? "--flag" : "value";
	many_args[0] = "prog";

	memset(shapes, 0, sizeof(shapes));
	/* The least a payload can be. */
	shapes[0] = (struct llms_payload){ .cwd = "/",
					   .argc = 1,
					   .argv = argv_true };
	shapes[1] = (struct llms_payload){ .cwd = "/tmp",
					   .label = "",
					   .argc = 4,
					   .argv = argv_empty_args,
					   .envc = ARRAY_SIZE(env_edges),
					   .envp = env_edges,
					   .time_limit_ns = 1 };
	shapes[2] = (struct llms_payload){ .cwd = cwd_longest,
					   .label = label64,
					   .argc = 1,
					   .argv = argv_true,
					   .time_limit_ns = UINT64_MAX };
	shapes[3] =
		(struct llms_payload){ .cwd = "/",
				       .label = "many",
				       .argc = ARRAY_SIZE(many_args),
				       .argv = many_args,
				       .time_limit_ns = 30ULL * 1000000000 };
	shapes[4] = (struct llms_payload){ .cwd = "/srv/agents/x y",
					   .label = "summarize report.txt",
					   .argc = 3,
					   .argv = argv_utf8 };
	/* The environment, no label, a limit of one hour. */
	shapes[5] =
		(struct llms_payload){ .cwd = "/",
				       .argc = 1,
				       .argv = argv_true,
				       .envc = 1,
				       .envp = env_edges + 2,
				       .time_limit_ns = 3600ULL * 1000000000 };
	for (i = 0; i < 6; i++)
		EXPECT_EQ(0, round_trip(&shapes[i], NULL))
	TH_LOG("shape %u", i);
}

TEST(round_trip_of_random_payloads)
{
	static char pool[64][40];
	char *argv[40], *envp[40], label[LLMS_PAYLOAD_LABEL_MAX + 1];
	char cwd[128];
	uint64_t seed = 42;
	struct llms_payload p;
	unsigned int i, j, n;

	/* Strings of any byte but NUL, some with '=' where env wants it. */
	for (i = 0; i < ARRAY_SIZE(pool); i++) {
		n = rng_next(&seed) % (sizeof(pool[i]) - 1);
		for (j = 0; j < n; j++)
			pool[i][j] = 1 + rng_next(&seed) % 255;
		pool[i][n] = '\0';
	}
	for (i = 0; i < 500; i++) {
		memset(&p, 0, sizeof(p));
		p.argc = 1 + rng_next(&seed) % ARRAY_SIZE(argv);
		for (j = 0; j < p.argc; j++)
			argv[j] = pool[rng_next(&seed) % ARRAY_SIZE(pool)];
		argv[0] = "prog";
		p.argv = argv;
		p.envc = rng_next(&seed) % ARRAY_SIZE(envp);
		for (j = 0; j < p.envc; j++) {
			envp[j] = pool[rng_next(&seed) % ARRAY_SIZE(pool)];
			/* A '=' after a first byte that is not one. */
			if (!envp[j][0] || envp[j][0] == '=' ||
			    !strchr(envp[j], '='))
				envp[j] = "K=v";
		}
		p.envp = envp;
		n = rng_next(&seed) % (LLMS_PAYLOAD_LABEL_MAX + 1);
		for (j = 0; j < n; j++)
			label[j] = 0x20 + rng_next(&seed) % 95;
		label[n] = '\0';
		p.label = label;
		snprintf(cwd, sizeof(cwd), "/%llx",
			 (unsigned long long)rng_next(&seed));
		p.cwd = cwd;
		p.time_limit_ns = rng_next(&seed);
		ASSERT_EQ(0, round_trip(&p, NULL)) TH_LOG("payload %u", i);
	}
}

/* The largest payload there can be encodes and decodes; a byte more does not.
 */
TEST(payload_max_is_the_limit)
{
	static char arg[LLMSCHED_PAYLOAD_MAX];
	char *argv[] = { arg, NULL };
	struct llms_payload p = { .cwd = "/", .argc = 1, .argv = argv };
	/* header, label "", cwd "/", then argv[0]'s size and NUL */
	size_t fixed = LLMS_PAYLOAD_HEADER_SIZE + 5 + 6 + 5, len;
	int errnum;

	memset(arg, 'a', LLMSCHED_PAYLOAD_MAX - fixed);
	arg[LLMSCHED_PAYLOAD_MAX - fixed] = '\0';
	ASSERT_EQ(0, round_trip(&p, &len));
	EXPECT_EQ(LLMSCHED_PAYLOAD_MAX, len);

	arg[LLMSCHED_PAYLOAD_MAX - fixed] = 'a';
	arg[LLMSCHED_PAYLOAD_MAX - fixed + 1] = '\0';
	EXPECT_EQ(LLMS_PAYLOAD_OVERSIZED, encode_code(&p, NULL, NULL, &errnum));
	EXPECT_EQ(E2BIG, errnum);
}

/* The example in Documentation/userspace-api/llmsched-payload.rst. */
static const unsigned char doc_example[] = {
	0x4c, 0x4c, 0x4d, 0x50, 0x01, 0x00, 0x00, 0x00, 0x6d, 0x00, 0x00,
	0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0xf2, 0x05, 0x2a, 0x01, 0x00, 0x00, 0x00, 0x0a,
	0x00, 0x00, 0x00, 0x73, 0x75, 0x6d, 0x6d, 0x61, 0x72, 0x69, 0x7a,
	0x65, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x2f, 0x68, 0x6f, 0x6d, 0x65,
	0x2f, 0x61, 0x6e, 0x6e, 0x00, 0x11, 0x00, 0x00, 0x00, 0x2f, 0x75,
	0x73, 0x72, 0x2f, 0x62, 0x69, 0x6e, 0x2f, 0x70, 0x79, 0x74, 0x68,
	0x6f, 0x6e, 0x33, 0x00, 0x07, 0x00, 0x00, 0x00, 0x73, 0x75, 0x6d,
	0x2e, 0x70, 0x79, 0x00, 0x0d, 0x00, 0x00, 0x00, 0x4c, 0x41, 0x4e,
	0x47, 0x3d, 0x43, 0x2e, 0x55, 0x54, 0x46, 0x2d, 0x38, 0x00,
};

TEST(documented_example_decodes_as_documented)
{
	static char *const argv[] = { "/usr/bin/python3", "sum.py", NULL };
	static char *const envp[] = { "LANG=C.UTF-8", NULL };
	struct llms_payload want = {
		.time_limit_ns = 5000000000ULL,
		.label = "summarize",
		.cwd = "/home/ann",
		.argc = 2,
		.argv = argv,
		.envc = 1,
		.envp = envp,
	};
	struct llms_payload *got = NULL;
	void *buf = NULL;
	size_t len;

	ASSERT_EQ(0, decode_code(doc_example, sizeof(doc_example), NULL, &got));
	EXPECT_TRUE(payload_equal(&want, got));
	llms_payload_free(got);
	ASSERT_EQ(0, encode_code(&want, &buf, &len, NULL));
	ASSERT_EQ(sizeof(doc_example), len);
	EXPECT_EQ(0, memcmp(doc_example, buf, len));
	free(buf);
}

/* What the decoder returns is its own: the input buffer may go. */
TEST(decoded_payload_outlives_its_buffer)
{
	static char *const envp[] = { "HOME=/root", NULL };
	struct llms_payload p = { .cwd = "/root",
				  .label = "x",
				  .argc = 1,
				  .argv = argv_true,
				  .envc = 1,
				  .envp = envp };
	struct llms_error *err = NULL;
	struct llms_payload *d = NULL;
	void *buf;
	size_t len;

	ASSERT_EQ(0, encode_code(&p, &buf, &len, NULL));
	ASSERT_EQ(0, llms_payload_decode(buf, len, &d, &err));
	memset(buf, 0xff, len);
	free(buf);
	EXPECT_TRUE(payload_equal(&p, d));
	llms_payload_free(d);
	llms_payload_free(NULL);
}

/* ------------------------------------------------------------- refusals */

TEST(every_truncation_is_refused_as_truncated)
{
	static char *const envp[] = { "A=1", "LONGER_NAME=a longer value",
				      NULL };
	static char *const argv[] = { "/bin/sh", "-c", "echo hi", NULL };
	struct llms_payload p = { .cwd = "/var/tmp",
				  .label = "trunc",
				  .argc = 3,
				  .argv = argv,
				  .envc = 2,
				  .envp = envp,
				  .time_limit_ns = 7 };
	int errnum, code;
	size_t len, n;
	void *buf;

	ASSERT_EQ(0, encode_code(&p, &buf, &len, NULL));
	for (n = 0; n < len; n++) {
		code = decode_code(buf, n, &errnum, NULL);
		ASSERT_EQ(LLMS_PAYLOAD_TRUNCATED, code)
		TH_LOG("%zu of %zu bytes", n, len);
		ASSERT_EQ(EBADMSG, errnum);
	}
	EXPECT_EQ(0, decode_code(buf, len, NULL, NULL));
	/* NULL with no bytes: nothing to read, nothing read. */
	EXPECT_EQ(LLMS_PAYLOAD_TRUNCATED,
		  llms_payload_decode(NULL, 0, NULL, NULL) == -EBADMSG
			  ? LLMS_PAYLOAD_TRUNCATED
			  : -1);
	free(buf);
}

TEST(oversized_is_refused_before_anything_is_read)
{
	struct raw *r = malloc(sizeof(*r));
	int errnum;

	ASSERT_NE(NULL, r);
	raw_minimal(r);
	memset(r->b + r->len, 0, LLMSCHED_PAYLOAD_MAX + 1 - r->len);
	r->len = LLMSCHED_PAYLOAD_MAX + 1;
	EXPECT_EQ(LLMS_PAYLOAD_OVERSIZED, raw_code(r, &errnum));
	EXPECT_EQ(E2BIG, errnum);
	/* Whatever the header says. */
	raw_seal(r);
	EXPECT_EQ(LLMS_PAYLOAD_OVERSIZED, raw_code(r, &errnum));
	free(r);
}

TEST(header_faults_have_their_own_codes)
{
	struct raw r;
	int errnum;

	raw_minimal(&r);
	ASSERT_EQ(0, raw_code(&r, NULL));

	r.b[0] = 'X';
	EXPECT_EQ(LLMS_PAYLOAD_BAD_MAGIC, raw_code(&r, &errnum));
	EXPECT_EQ(EBADMSG, errnum);

	raw_minimal(&r);
	r.b[4] = 2;
	EXPECT_EQ(LLMS_PAYLOAD_BAD_VERSION, raw_code(&r, &errnum));
	EXPECT_EQ(EPROTONOSUPPORT, errnum);
	r.b[4] = 0;
	EXPECT_EQ(LLMS_PAYLOAD_BAD_VERSION, raw_code(&r, NULL));
	r.b[4] = 1;
	r.b[5] = 1; /* version 257 */
	EXPECT_EQ(LLMS_PAYLOAD_BAD_VERSION, raw_code(&r, NULL));

	raw_minimal(&r);
	r.b[7] = 0x80;
	EXPECT_EQ(LLMS_PAYLOAD_BAD_FLAGS, raw_code(&r, &errnum));
	EXPECT_EQ(EBADMSG, errnum);

	raw_minimal(&r);
	r.b[23] = 1;
	EXPECT_EQ(LLMS_PAYLOAD_BAD_RESERVED, raw_code(&r, &errnum));
	EXPECT_EQ(EBADMSG, errnum);

	/* Bytes past what the header says. */
	raw_minimal(&r);
	r.b[r.len++] = 0;
	EXPECT_EQ(LLMS_PAYLOAD_BAD_LENGTH, raw_code(&r, &errnum));
	EXPECT_EQ(EBADMSG, errnum);
	/* The length field below the header's own size. */
	raw_minimal(&r);
	raw_le32(r.b + 8, 3);
	EXPECT_EQ(LLMS_PAYLOAD_BAD_LENGTH, raw_code(&r, NULL));
}

TEST(malformed_counts_are_refused)
{
	struct raw r;
	int errnum;

	raw_header(&r, 0, 0);
	raw_string(&r, "");
	raw_string(&r, "/");
	raw_seal(&r);
	EXPECT_EQ(LLMS_PAYLOAD_NO_ARGV, raw_code(&r, &errnum));
	EXPECT_EQ(EINVAL, errnum);

	/* Counts no length could hold, and counts whose sum wraps 32 bits. */
	raw_minimal(&r);
	raw_le32(r.b + 12, UINT32_MAX);
	EXPECT_EQ(LLMS_PAYLOAD_BAD_COUNTS, raw_code(&r, &errnum));
	EXPECT_EQ(EBADMSG, errnum);
	raw_le32(r.b + 12, 1);
	raw_le32(r.b + 16, UINT32_MAX);
	EXPECT_EQ(LLMS_PAYLOAD_BAD_COUNTS, raw_code(&r, NULL));
	raw_le32(r.b + 12, UINT32_MAX - 1);
	raw_le32(r.b + 16, 2);
	EXPECT_EQ(LLMS_PAYLOAD_BAD_COUNTS, raw_code(&r, NULL));

	/* One string more than counted: its bytes are left over. */
	raw_header(&r, 1, 0);
	raw_string(&r, "");
	raw_string(&r, "/");
	raw_string(&r, "true");
	raw_string(&r, "extra");
	raw_seal(&r);
	EXPECT_EQ(LLMS_PAYLOAD_TRAILING, raw_code(&r, &errnum));
	EXPECT_EQ(EBADMSG, errnum);

	/* One counted more than there are, though the length could hold it. */
	raw_header(&r, 2, 0);
	raw_string(&r, "");
	raw_string(&r, "/");
	raw_string(&r, "a-long-program-name");
	raw_seal(&r);
	EXPECT_EQ(LLMS_PAYLOAD_TRUNCATED, raw_code(&r, &errnum));
	EXPECT_EQ(EBADMSG, errnum);

	/* A string's size past the end. */
	raw_minimal(&r);
	raw_le32(r.b + LLMS_PAYLOAD_HEADER_SIZE, 1000);
	EXPECT_EQ(LLMS_PAYLOAD_TRUNCATED, raw_code(&r, NULL));
	raw_le32(r.b + LLMS_PAYLOAD_HEADER_SIZE, UINT32_MAX);
	EXPECT_EQ(LLMS_PAYLOAD_TRUNCATED, raw_code(&r, NULL));
}

TEST(nul_in_the_wrong_place_is_refused)
{
	struct raw r;
	int errnum;

	/* argv[0] "tr\0e" plus its NUL: a NUL inside. */
	raw_header(&r, 1, 0);
	raw_string(&r, "");
	raw_string(&r, "/");
	raw_bytes(&r, "tr\0e", 5);
	raw_seal(&r);
	EXPECT_EQ(LLMS_PAYLOAD_NUL_INSIDE, raw_code(&r, &errnum));
	EXPECT_EQ(EBADMSG, errnum);

	/* argv[0] "true" without its NUL. */
	raw_header(&r, 1, 0);
	raw_string(&r, "");
	raw_string(&r, "/");
	raw_bytes(&r, "true", 4);
	raw_seal(&r);
	EXPECT_EQ(LLMS_PAYLOAD_UNTERMINATED, raw_code(&r, &errnum));
	EXPECT_EQ(EBADMSG, errnum);

	/* A label of size 0: not even its NUL. */
	raw_header(&r, 1, 0);
	raw_bytes(&r, "", 0);
	raw_string(&r, "/");
	raw_string(&r, "true");
	raw_seal(&r);
	EXPECT_EQ(LLMS_PAYLOAD_UNTERMINATED, raw_code(&r, NULL));

	/* An environment entry "A=1\0B=2": two entries in one. */
	raw_header(&r, 1, 1);
	raw_string(&r, "");
	raw_string(&r, "/");
	raw_string(&r, "true");
	raw_bytes(&r, "A=1\0B=2", 8);
	raw_seal(&r);
	EXPECT_EQ(LLMS_PAYLOAD_NUL_INSIDE, raw_code(&r, NULL));

	/* Two NULs at the end. */
	raw_header(&r, 1, 0);
	raw_string(&r, "");
	raw_bytes(&r, "/\0", 3);
	raw_string(&r, "true");
	raw_seal(&r);
	EXPECT_EQ(LLMS_PAYLOAD_NUL_INSIDE, raw_code(&r, NULL));
}

/*
 * A payload whose strings are all well formed but whose content is wrong:
 * the decoder refuses it with @code and @errnum, and the encoder refuses
 * the same content with the same code.
 */
static int content_refused_both_ways(const char *label, const char *cwd,
				     const char *arg0, const char *env,
				     int code, int errnum)
{
	char *argv[] = { (char *)arg0, NULL };
	char *envp[] = { (char *)env, NULL };
	struct llms_payload p = { .label = label,
				  .cwd = cwd,
				  .argc = 1,
				  .argv = argv,
				  .envc = env ? 1 : 0,
				  .envp = envp };
	int got_errnum;
	struct raw r;

	raw_header(&r, 1, env ? 1 : 0);
	raw_string(&r, label);
	raw_string(&r, cwd);
	raw_string(&r, arg0);
	if (env)
		raw_string(&r, env);
	raw_seal(&r);
	if (raw_code(&r, &got_errnum) != code || got_errnum != errnum)
		return -1;
	if (encode_code(&p, NULL, NULL, &got_errnum) != code ||
	    got_errnum != errnum)
		return -2;
	return 0;
}

TEST(bad_content_is_refused_by_decoder_and_encoder_alike)
{
	static char label65[LLMS_PAYLOAD_LABEL_MAX + 2];
	static char cwd_too_long[LLMS_PAYLOAD_CWD_MAX + 1];
	const struct {
		const char *label, *cwd, *arg0, *env;
		int code, errnum;
	} cases[] = {
		{ "", "/", "true", "NOEQUALS", LLMS_PAYLOAD_ENV_NO_EQUALS,
		  EINVAL },
		{ "", "/", "true", "", LLMS_PAYLOAD_ENV_NO_EQUALS, EINVAL },
		{ "", "/", "true", "=value", LLMS_PAYLOAD_ENV_EMPTY_NAME,
		  EINVAL },
		{ "", "tmp", "true", NULL, LLMS_PAYLOAD_CWD_RELATIVE, EINVAL },
		{ "", "", "true", NULL, LLMS_PAYLOAD_CWD_RELATIVE, EINVAL },
		{ "", cwd_too_long, "true", NULL, LLMS_PAYLOAD_CWD_TOO_LONG,
		  ENAMETOOLONG },
		{ label65, "/", "true", NULL, LLMS_PAYLOAD_LABEL_TOO_LONG,
		  EINVAL },
		{ "two\nlines", "/", "true", NULL, LLMS_PAYLOAD_LABEL_BAD_CHAR,
		  EINVAL },
		{ "tab\there", "/", "true", NULL, LLMS_PAYLOAD_LABEL_BAD_CHAR,
		  EINVAL },
		{ "del\x7f", "/", "true", NULL, LLMS_PAYLOAD_LABEL_BAD_CHAR,
		  EINVAL },
		{ "\x1b[31mred", "/", "true", NULL, LLMS_PAYLOAD_LABEL_BAD_CHAR,
		  EINVAL },
		{ "caf\xc3\xa9", "/", "true", NULL, LLMS_PAYLOAD_LABEL_BAD_CHAR,
		  EINVAL },
		{ "", "/", "", NULL, LLMS_PAYLOAD_EMPTY_PROGRAM, EINVAL },
	};
	unsigned int i;

	memset(label65, 'l', LLMS_PAYLOAD_LABEL_MAX + 1);
	memset(cwd_too_long, 'd', LLMS_PAYLOAD_CWD_MAX);
	cwd_too_long[0] = '/';
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		EXPECT_EQ(0,
			  content_refused_both_ways(
				  cases[i].label, cases[i].cwd, cases[i].arg0,
				  cases[i].env, cases[i].code, cases[i].errnum))
	TH_LOG("case %u", i);
}

TEST(encoder_refuses_missing_pointers)
{
	char *argv_hole[] = { "a", NULL, "c", NULL };
	char *envp_hole[] = { "A=1", NULL };
	struct llms_payload p = { .cwd = "/", .argc = 3, .argv = argv_hole };
	int errnum;

	EXPECT_EQ(LLMS_PAYLOAD_NULL_STRING,
		  encode_code(&p, NULL, NULL, &errnum));
	EXPECT_EQ(EINVAL, errnum);
	p.argc = 1;
	p.envc = 2;
	p.envp = envp_hole;
	EXPECT_EQ(LLMS_PAYLOAD_NULL_STRING, encode_code(&p, NULL, NULL, NULL));
	p.envc = 1;
	EXPECT_EQ(0, encode_code(&p, NULL, NULL, NULL));
	p.argc = 0;
	EXPECT_EQ(LLMS_PAYLOAD_NO_ARGV, encode_code(&p, NULL, NULL, &errnum));
	EXPECT_EQ(EINVAL, errnum);
	p.argc = 1;
	p.cwd = NULL;
	EXPECT_EQ(LLMS_PAYLOAD_CWD_RELATIVE, encode_code(&p, NULL, NULL, NULL));
}

/* --------------------------------------------------------------- fuzzing */

/* One mutation of @b (@len bytes, room for @cap): its new length. */
static size_t mutate(unsigned char *b, size_t len, size_t cap, uint64_t *seed)
{
	static const uint32_t edges[] = {
		0,
		1,
		4,
		5,
		31,
		32,
		33,
		0x7f,
		0x80,
		0xff,
		0x10000,
		LLMSCHED_PAYLOAD_MAX,
		LLMSCHED_PAYLOAD_MAX + 1,
		0x7fffffff,
		0x80000000,
		UINT32_MAX - 4,
		UINT32_MAX,
	};
	uint64_t r = rng_next(seed);
	size_t at = len ? rng_next(seed) % len : 0;
	unsigned int i, n;

	switch (r % 6) {
	case 0: /* flip 1 to 4 bits */
		n = 1 + (r >> 8) % 4;
		for (i = 0; i < n && len; i++)
			b[rng_next(seed) % len] ^= 1 << (rng_next(seed) % 8);
		return len;
	case 1: /* a random byte */
		if (len)
			b[at] = rng_next(seed);
		return len;
	case 2: /* a boundary value in any 4 aligned-or-not bytes */
		if (len >= 4) {
			at = rng_next(seed) % (len - 3);
			raw_le32(b + at,
				 edges[rng_next(seed) % ARRAY_SIZE(edges)]);
		}
		return len;
	case 3: /* a boundary value in a header field */
		if (len >= LLMS_PAYLOAD_HEADER_SIZE)
			raw_le32(b + 4 * (rng_next(seed) % 8),
				 edges[rng_next(seed) % ARRAY_SIZE(edges)]);
		return len;
	case 4: /* cut */
		return len ? rng_next(seed) % len : 0;
	default: /* grow by a few random bytes */
		n = 1 + (r >> 8) % 8;
		for (i = 0; i < n && len < cap; i++)
			b[len++] = rng_next(seed);
		return len;
	}
}

TEST(mutated_payloads_never_crash_and_what_decodes_is_canonical)
{
	static char *const envp[] = { "PATH=/usr/bin:/bin", "LANG=C",
				      "X=", NULL };
	static char *const argv[] = { "/bin/sh", "-c", "sleep 1; echo done", "",
				      NULL };
	struct llms_payload seeds[] = {
		{ .cwd = "/", .argc = 1, .argv = argv_true },
		{ .cwd = "/home/user/work",
		  .label = "fuzz seed",
		  .argc = 4,
		  .argv = argv,
		  .envc = 3,
		  .envp = envp,
		  .time_limit_ns = 1000000000 },
	};
	unsigned char *b = malloc(LLMSCHED_PAYLOAD_MAX + 64);
	unsigned int i, k, rounds, decoded = 0, refused = 0;
	struct llms_payload *d;
	uint64_t seed = 7;
	size_t len, len2;
	void *orig, *again;
	int code;

	ASSERT_NE(NULL, b);
	for (k = 0; k < ARRAY_SIZE(seeds); k++) {
		ASSERT_EQ(0, encode_code(&seeds[k], &orig, &len, NULL));
		for (i = 0; i < 10000; i++) {
			size_t n = len;

			memcpy(b, orig, len);
			/* 1 to 3 mutations on top of each other. */
			rounds = 1 + rng_next(&seed) % 3;
			while (rounds--)
				n = mutate(b, n, LLMSCHED_PAYLOAD_MAX + 64,
					   &seed);
			d = NULL;
			code = decode_code(b, n, NULL, &d);
			ASSERT_LE(0, code)
			TH_LOG("mutation %u: no proper error", i);
			ASSERT_GE(LLMS_PAYLOAD_LABEL_BAD_CHAR, code);
			if (code) {
				refused++;
				continue;
			}
			/* Accepted: it must be exactly what the encoder writes.
			 */
			decoded++;
			ASSERT_EQ(0, encode_code(d, &again, &len2, NULL));
			ASSERT_EQ(n, len2);
			ASSERT_EQ(0, memcmp(b, again, n));
			free(again);
			llms_payload_free(d);
		}
		free(orig);
	}
	free(b);
	/* Both outcomes were seen, or the mutations tested little. */
	EXPECT_LT(100, refused);
	EXPECT_LT(100, decoded);
	TH_LOG("%u mutated payloads decoded, %u refused", decoded, refused);
}

TEST_HARNESS_MAIN
