// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for libllmsched's unit parsers and printers
 * (runtime/lib/units.c): every accepted form, every refused one with its
 * errno, code and message, and printing that parses back to the same value.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "../../runtime/lib/units.h"

typedef int (*parse_fn)(const char *, uint64_t *, struct llms_error **);
typedef int (*format_fn)(uint64_t, char *, size_t);

struct good {
	const char *text;
	uint64_t value;
};

struct bad {
	const char *text;
	int errnum;
	int code;		/* 0: not checked (ERANGE has none) */
	const char *msg;	/* a part of the message */
};

/* How many of @n good inputs gave their value; logs the others. */
static int count_good(struct __test_metadata *_metadata, parse_fn parse,
		      const struct good *g, size_t n)
{
	struct llms_error *err = NULL;
	size_t i, ok = 0;
	uint64_t v;

	for (i = 0; i < n; i++) {
		v = 0xdead;
		if (parse(g[i].text, &v, &err) == 0 && !err &&
		    v == g[i].value) {
			ok++;
			continue;
		}
		TH_LOG("'%s': got %llu, %s", g[i].text, (unsigned long long)v,
		       err ? err->msg : "no error");
		llms_error_free(&err);
	}
	return (int)ok;
}

/* How many of @n bad inputs failed as they should, the value untouched. */
static int count_bad(struct __test_metadata *_metadata, parse_fn parse,
		     const struct bad *b, size_t n)
{
	struct llms_error *err = NULL;
	size_t i, ok = 0;
	uint64_t v;
	int ret;

	for (i = 0; i < n; i++) {
		v = 0xdead;
		ret = parse(b[i].text, &v, &err);
		if (ret == -b[i].errnum && err && err->errnum == b[i].errnum &&
		    (!b[i].code || err->code == b[i].code) && v == 0xdead &&
		    strstr(err->msg, b[i].msg))
			ok++;
		else
			TH_LOG("'%s': ret %d, %s", b[i].text, ret,
			       err ? err->msg : "no error");
		llms_error_free(&err);
	}
	return (int)ok;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

TEST(cpu_accepts_cpus_decimals_and_millicores)
{
	static const struct good g[] = {
		{ "2", 2000 },
		{ "0.5", 500 },
		{ "500m", 500 },
		{ "1.25", 1250 },
		{ "0.001", 1 },
		{ "1m", 1 },
		{ "1.5000", 1500 },
		{ "007", 7000 },
		{ "1.0m", 1 },
		{ "128", 128000 },
		{ "18446744073709551.615", UINT64_MAX },
		{ "18446744073709551615m", UINT64_MAX },
	};

	EXPECT_EQ((int)N(g), count_good(_metadata, llms_parse_cpu, g, N(g)));
}

TEST(cpu_refuses_with_the_accepted_forms)
{
	static const struct bad b[] = {
		{ "", EINVAL, LLMS_UNITS_SYNTAX,
		  "'': not a CPU amount: use 2, 0.5 or 500m" },
		{ "abc", EINVAL, LLMS_UNITS_SYNTAX,
		  "'abc': not a CPU amount: use 2, 0.5 or 500m" },
		{ "-1", EINVAL, LLMS_UNITS_SYNTAX, "use 2, 0.5 or 500m" },
		{ "+1", EINVAL, LLMS_UNITS_SYNTAX, "use 2, 0.5 or 500m" },
		{ " 1", EINVAL, LLMS_UNITS_SYNTAX, "not a CPU amount" },
		{ "1 ", EINVAL, LLMS_UNITS_SYNTAX, "not a CPU amount" },
		{ "1x", EINVAL, LLMS_UNITS_SYNTAX, "not a CPU amount" },
		{ "2 CPUs", EINVAL, LLMS_UNITS_SYNTAX, "not a CPU amount" },
		{ ".5", EINVAL, LLMS_UNITS_SYNTAX, "not a CPU amount" },
		{ "5.", EINVAL, LLMS_UNITS_SYNTAX, "not a CPU amount" },
		{ "1e3", EINVAL, LLMS_UNITS_SYNTAX, "not a CPU amount" },
		{ "0x10", EINVAL, LLMS_UNITS_SYNTAX, "not a CPU amount" },
		{ "500M", EINVAL, LLMS_UNITS_SYNTAX, "not a CPU amount" },
		{ "1.2.3", EINVAL, LLMS_UNITS_SYNTAX, "not a CPU amount" },
		{ "0", EINVAL, LLMS_UNITS_ZERO, "'0': no CPU at all" },
		{ "0m", EINVAL, LLMS_UNITS_ZERO, "no CPU at all" },
		{ "0.000", EINVAL, LLMS_UNITS_ZERO, "no CPU at all" },
		{ "1.0005", EINVAL, LLMS_UNITS_PRECISION,
		  "'1.0005': finer than a millicore" },
		{ "0.5m", EINVAL, LLMS_UNITS_PRECISION,
		  "finer than a millicore" },
		{ "0.0000000000000000000001", EINVAL, LLMS_UNITS_PRECISION,
		  "finer than a millicore" },
		{ "18446744073709552", ERANGE, 0, "too many CPUs" },
		{ "18446744073709551616m", ERANGE, 0, "too many CPUs" },
		{ "99999999999999999999999999999", ERANGE, 0,
		  "too many CPUs" },
	};

	EXPECT_EQ((int)N(b), count_bad(_metadata, llms_parse_cpu, b, N(b)));
}

TEST(bytes_accepts_binary_multiples)
{
	static const struct good g[] = {
		{ "1024", 1024 },
		{ "0", 0 },
		{ "1024B", 1024 },
		{ "64K", 64 << 10 },
		{ "512M", 512ULL << 20 },
		{ "4G", 4ULL << 30 },
		{ "1.5G", 3ULL << 29 },
		{ "2T", 2ULL << 40 },
		{ "1P", 1ULL << 50 },
		{ "64KiB", 64 << 10 },
		{ "512MiB", 512ULL << 20 },
		{ "4GiB", 4ULL << 30 },
		{ "2TiB", 2ULL << 40 },
		{ "1PiB", 1ULL << 50 },
		{ "1.5K", 1536 },
		{ "0.5K", 512 },
		{ "18446744073709551615", UINT64_MAX },
		{ "16383P", 16383ULL << 50 },
	};

	EXPECT_EQ((int)N(g), count_good(_metadata, llms_parse_bytes, g, N(g)));
}

TEST(bytes_refuses_with_the_accepted_forms)
{
	static const struct bad b[] = {
		{ "", EINVAL, LLMS_UNITS_SYNTAX,
		  "'': not a size: use 1024, 64K, 512M, 4G, 1.5G or 2T" },
		{ "4g", EINVAL, LLMS_UNITS_SYNTAX, "'4g': not a size" },
		{ "500m", EINVAL, LLMS_UNITS_SYNTAX, "not a size" },
		{ "4GB", EINVAL, LLMS_UNITS_SYNTAX, "not a size" },
		{ "4 G", EINVAL, LLMS_UNITS_SYNTAX, "not a size" },
		{ "-1", EINVAL, LLMS_UNITS_SYNTAX, "not a size" },
		{ "G", EINVAL, LLMS_UNITS_SYNTAX, "not a size" },
		{ "1GG", EINVAL, LLMS_UNITS_SYNTAX, "not a size" },
		{ "1Gi", EINVAL, LLMS_UNITS_SYNTAX, "not a size" },
		{ "0.1K", EINVAL, LLMS_UNITS_PRECISION,
		  "'0.1K': not a whole number of bytes" },
		{ "1.5", EINVAL, LLMS_UNITS_PRECISION,
		  "not a whole number of bytes" },
		{ "18446744073709551616", ERANGE, 0,
		  "too large: at most 18446744073709551615 bytes" },
		{ "16384P", ERANGE, 0, "too large" },
		{ "17179869184G", ERANGE, 0, "too large" },
	};

	EXPECT_EQ((int)N(b), count_bad(_metadata, llms_parse_bytes, b, N(b)));
}

TEST(duration_accepts_units_and_bare_seconds)
{
	static const struct good g[] = {
		{ "10s", 10 * LLMS_NSEC_PER_SEC },
		{ "5m", 300 * LLMS_NSEC_PER_SEC },
		{ "1h", 3600 * LLMS_NSEC_PER_SEC },
		{ "1d", 86400 * LLMS_NSEC_PER_SEC },
		{ "250ms", 250 * LLMS_NSEC_PER_MSEC },
		{ "1.5s", 1500 * LLMS_NSEC_PER_MSEC },
		{ "100us", 100 * LLMS_NSEC_PER_USEC },
		{ "7ns", 7 },
		{ "30", 30 * LLMS_NSEC_PER_SEC },
		{ "0.5", 500 * LLMS_NSEC_PER_MSEC },
		{ "0", 0 },
		{ "0s", 0 },
		{ "18446744073709551615ns", UINT64_MAX },
	};

	EXPECT_EQ((int)N(g),
		  count_good(_metadata, llms_parse_duration, g, N(g)));
}

TEST(duration_refuses_with_the_accepted_forms)
{
	static const struct bad b[] = {
		{ "", EINVAL, LLMS_UNITS_SYNTAX,
		  "'': not a duration: use 250ms, 10s, 1.5s, 5m or 1h (a bare number is seconds" },
		{ "1h30m", EINVAL, LLMS_UNITS_SYNTAX, "not a duration" },
		{ "10 s", EINVAL, LLMS_UNITS_SYNTAX, "not a duration" },
		{ "10S", EINVAL, LLMS_UNITS_SYNTAX, "not a duration" },
		{ "-1s", EINVAL, LLMS_UNITS_SYNTAX, "not a duration" },
		{ "1sec", EINVAL, LLMS_UNITS_SYNTAX, "not a duration" },
		{ "1.5ns", EINVAL, LLMS_UNITS_PRECISION,
		  "'1.5ns': finer than a nanosecond" },
		{ "0.0000000001", EINVAL, LLMS_UNITS_PRECISION,
		  "finer than a nanosecond" },
		{ "18446744073709551616ns", ERANGE, 0, "too long" },
		{ "213504d", ERANGE, 0, "too long" },
		{ "18446744074", ERANGE, 0, "too long" },
	};

	EXPECT_EQ((int)N(b),
		  count_bad(_metadata, llms_parse_duration, b, N(b)));
}

TEST(messages_quote_control_characters_and_cut_long_text)
{
	struct llms_error *err = NULL;
	char text[200];
	uint64_t v;

	EXPECT_EQ(-EINVAL, llms_parse_cpu("1\x1b[2J", &v, &err));
	EXPECT_NE(NULL, strstr(err->msg, "'1?[2J'"));
	llms_error_free(&err);
	memset(text, 'x', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	EXPECT_EQ(-EINVAL, llms_parse_bytes(text, &v, &err));
	EXPECT_NE(NULL, strstr(err->msg, "xxx...'"));
	EXPECT_GT(190, (int)strlen(err->msg));
	llms_error_free(&err);
}

TEST(printers_write_the_short_exact_forms)
{
	char buf[LLMS_UNITS_BUF];

	llms_format_cpu(2000, buf, sizeof(buf));
	EXPECT_STREQ("2", buf);
	llms_format_cpu(500, buf, sizeof(buf));
	EXPECT_STREQ("0.5", buf);
	llms_format_cpu(1250, buf, sizeof(buf));
	EXPECT_STREQ("1.25", buf);
	llms_format_cpu(1, buf, sizeof(buf));
	EXPECT_STREQ("0.001", buf);
	llms_format_bytes(4ULL << 30, buf, sizeof(buf));
	EXPECT_STREQ("4G", buf);
	llms_format_bytes(3ULL << 29, buf, sizeof(buf));
	EXPECT_STREQ("1.5G", buf);
	llms_format_bytes(512ULL << 20, buf, sizeof(buf));
	EXPECT_STREQ("512M", buf);
	llms_format_bytes(1025, buf, sizeof(buf));
	EXPECT_STREQ("1025", buf);
	llms_format_bytes(0, buf, sizeof(buf));
	EXPECT_STREQ("0", buf);
	llms_format_bytes_short(13182061364ULL, buf, sizeof(buf));
	EXPECT_STREQ("12.2G", buf);
	llms_format_bytes_short(297159476, buf, sizeof(buf));
	EXPECT_STREQ("283M", buf);
	llms_format_bytes_short(4ULL << 30, buf, sizeof(buf));
	EXPECT_STREQ("4G", buf);
	llms_format_bytes_short((4ULL << 30) + 1, buf, sizeof(buf));
	EXPECT_STREQ("4G", buf);
	llms_format_bytes_short(999, buf, sizeof(buf));
	EXPECT_STREQ("999", buf);
	llms_format_bytes_short(0, buf, sizeof(buf));
	EXPECT_STREQ("0", buf);
	llms_format_duration(0, buf, sizeof(buf));
	EXPECT_STREQ("0s", buf);
	llms_format_duration(90 * LLMS_NSEC_PER_SEC, buf, sizeof(buf));
	EXPECT_STREQ("1.5m", buf);
	llms_format_duration(250 * LLMS_NSEC_PER_MSEC, buf, sizeof(buf));
	EXPECT_STREQ("250ms", buf);
	llms_format_duration(10 * LLMS_NSEC_PER_SEC, buf, sizeof(buf));
	EXPECT_STREQ("10s", buf);
	/* As snprintf(): cut, terminated, the whole length returned. */
	EXPECT_EQ(4, llms_format_cpu(1250, buf, 3));
	EXPECT_STREQ("1.", buf);
}

/* splitmix64: seeded, so that every run sees the same values. */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Values of every size: random bits under a random top, or round ones. */
static uint64_t some_value(uint64_t *s)
{
	uint64_t v = rng_next(s), shift = rng_next(s) % 64;

	switch (rng_next(s) % 3) {
	case 0:
		return v >> shift;
	case 1:
		return (v % 10000) << (rng_next(s) % 50);
	default:
		return (v % 1000) * 1000000;
	}
}

static int round_trips(struct __test_metadata *_metadata, format_fn format,
		       parse_fn parse, bool zero_refused)
{
	static const uint64_t edges[] = { 1, UINT64_MAX, 1000, 1023, 1024 };
	struct llms_error *err = NULL;
	char buf[LLMS_UNITS_BUF];
	uint64_t seed = 42, v, back;
	int i, bad = 0, len;

	for (i = 0; i < 200000; i++) {
		v = i < (int)N(edges) ? edges[i] : some_value(&seed);
		if (!v && zero_refused)
			continue;
		len = format(v, buf, sizeof(buf));
		back = 0;
		if (len <= 0 || len >= LLMS_UNITS_BUF ||
		    parse(buf, &back, &err) || back != v) {
			if (bad++ < 5)
				TH_LOG("%llu -> '%s' -> %s",
				       (unsigned long long)v, buf,
				       err ? err->msg : "another value");
			llms_error_free(&err);
		}
	}
	return bad;
}

TEST(what_is_printed_parses_back_to_the_same_value)
{
	EXPECT_EQ(0, round_trips(_metadata, llms_format_cpu, llms_parse_cpu,
				 true));
	EXPECT_EQ(0, round_trips(_metadata, llms_format_bytes,
				 llms_parse_bytes, false));
	EXPECT_EQ(0, round_trips(_metadata, llms_format_duration,
				 llms_parse_duration, false));
}

TEST_HARNESS_MAIN
