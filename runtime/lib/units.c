// SPDX-License-Identifier: GPL-2.0
/*
 * libllmsched: CPU amounts, byte sizes and durations.  See units.h.
 *
 * Every parser reads "DIGITS[.DIGITS][UNIT]" the same way, into an exact
 * fixed-point value computed in 128 bits, so that "1.5G" is exactly
 * 1610612736 and a value that would need rounding is refused rather than
 * quietly changed.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "units.h"

typedef unsigned __int128 u128;

struct unit {
	const char *name;
	uint64_t mult;
};

/* The most decimals read: 10^18 still fits in 64 bits. */
#define FRAC_DIGITS_MAX 18

/*
 * @s for a message: at most 40 characters, control and non-ASCII bytes
 * as '?', so that a message never carries what a terminal would act on.
 */
static void quote(char *dst, size_t size, const char *s)
{
	size_t i, n = strlen(s), max = size - 4;

	for (i = 0; i < n && i < max; i++)
		dst[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (n > max) {
		memcpy(dst + i, "...", 3);
		i += 3;
	}
	dst[i] = '\0';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * @s as DIGITS[.DIGITS][UNIT] with UNIT one of @units ("" for none, when
 * it is in the table): the value times the unit in *@out.  0, or
 * -EINVAL with *@fault, or -ERANGE.
 */
static int parse_amount(const char *s, const struct unit *units, size_t n,
			uint64_t *out, int *fault)
{
	const char *p = s, *int_start, *int_end, *frac_start, *frac_end;
	const struct unit *unit = NULL;
	u128 ipart = 0, fpart = 0, pow10 = 1, value, frac;
	size_t i;

	*fault = LLMS_UNITS_SYNTAX;
	int_start = p;
	while (is_digit(*p))
		p++;
	int_end = p;
	if (int_end == int_start)
		return -EINVAL;
	frac_start = frac_end = p;
	if (*p == '.') {
		frac_start = ++p;
		while (is_digit(*p))
			p++;
		frac_end = p;
		if (frac_end == frac_start)
			return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (!strcmp(p, units[i].name)) {
			unit = &units[i];
			break;
		}
	}
	if (!unit)
		return -EINVAL;

	/* The whole part; past UINT64_MAX of the smallest unit is too much. */
	for (p = int_start; p < int_end; p++) {
		ipart = ipart * 10 + (u128)(*p - '0');
		if (ipart > UINT64_MAX)
			return -ERANGE;
	}
	value = ipart * unit->mult;
	if (value > UINT64_MAX)
		return -ERANGE;

	/* The decimals, less their trailing zeros, which say nothing. */
	while (frac_end > frac_start && frac_end[-1] == '0')
		frac_end--;
	*fault = LLMS_UNITS_PRECISION;
	if (frac_end - frac_start > FRAC_DIGITS_MAX)
		return -EINVAL;
	for (p = frac_start; p < frac_end; p++) {
		fpart = fpart * 10 + (u128)(*p - '0');
		pow10 *= 10;
	}
	frac = fpart * unit->mult;
	if (frac % pow10)
		return -EINVAL;
	value += frac / pow10;
	if (value > UINT64_MAX)
		return -ERANGE;
	*out = (uint64_t)value;
	*fault = 0;
	return 0;
}

static const struct unit cpu_units[] = {
	{ "", 1000 },
	{ "m", 1 },
};

int llms_parse_cpu(const char *s, uint64_t *millicores,
		   struct llms_error **err)
{
	char q[48];
	uint64_t v;
	int fault, ret;

	quote(q, sizeof(q), s);
	ret = parse_amount(s, cpu_units, 2, &v, &fault);
	if (ret == -ERANGE)
		return llms_error_set(err, ERANGE,
				      "'%s': too many CPUs: at most %" PRIu64
				      "m",
				      q, UINT64_MAX);
	if (ret && fault == LLMS_UNITS_PRECISION)
		return llms_error_set_code(
			err, EINVAL, fault,
			"'%s': finer than a millicore: use at most three decimals (0.001 CPU) or whole millicores such as 500m",
			q);
	if (ret)
		return llms_error_set_code(
			err, EINVAL, fault,
			"'%s': not a CPU amount: use 2, 0.5 or 500m", q);
	if (!v)
		return llms_error_set_code(
			err, EINVAL, LLMS_UNITS_ZERO,
			"'%s': no CPU at all: use more than 0, such as 2, 0.5 or 500m",
			q);
	*millicores = v;
	return 0;
}

/* Largest first: the printer takes the first that fits. */
static const struct unit byte_units[] = {
	{ "P", 1ULL << 50 },   { "T", 1ULL << 40 },   { "G", 1ULL << 30 },
	{ "M", 1ULL << 20 },   { "K", 1ULL << 10 },   { "", 1 },
	{ "PiB", 1ULL << 50 }, { "TiB", 1ULL << 40 }, { "GiB", 1ULL << 30 },
	{ "MiB", 1ULL << 20 }, { "KiB", 1ULL << 10 }, { "B", 1 },
};
#define BYTE_UNITS_PRINTED 6

int llms_parse_bytes(const char *s, uint64_t *bytes, struct llms_error **err)
{
	char q[48];
	int fault, ret;

	quote(q, sizeof(q), s);
	ret = parse_amount(s, byte_units,
			   sizeof(byte_units) / sizeof(byte_units[0]), bytes,
			   &fault);
	if (ret == -ERANGE)
		return llms_error_set(err, ERANGE,
				      "'%s': too large: at most %" PRIu64
				      " bytes",
				      q, UINT64_MAX);
	if (ret && fault == LLMS_UNITS_PRECISION)
		return llms_error_set_code(
			err, EINVAL, fault,
			"'%s': not a whole number of bytes (K = 1024): use fewer decimals or a smaller unit",
			q);
	if (ret)
		return llms_error_set_code(
			err, EINVAL, fault,
			"'%s': not a size: use 1024, 64K, 512M, 4G, 1.5G or 2T (K = 1024 bytes; KiB, MiB, GiB too)",
			q);
	return 0;
}

/* Largest first; "" (seconds) is read but never printed. */
static const struct unit duration_units[] = {
	{ "d", 86400 * LLMS_NSEC_PER_SEC },
	{ "h", 3600 * LLMS_NSEC_PER_SEC },
	{ "m", 60 * LLMS_NSEC_PER_SEC },
	{ "s", LLMS_NSEC_PER_SEC },
	{ "ms", LLMS_NSEC_PER_MSEC },
	{ "us", LLMS_NSEC_PER_USEC },
	{ "ns", 1 },
	{ "", LLMS_NSEC_PER_SEC },
};
#define DURATION_UNITS_PRINTED 7

int llms_parse_duration(const char *s, uint64_t *ns, struct llms_error **err)
{
	char q[48];
	int fault, ret;

	quote(q, sizeof(q), s);
	ret = parse_amount(s, duration_units,
			   sizeof(duration_units) / sizeof(duration_units[0]),
			   ns, &fault);
	if (ret == -ERANGE)
		return llms_error_set(err, ERANGE,
				      "'%s': too long: at most %" PRIu64 "ns",
				      q, UINT64_MAX);
	if (ret && fault == LLMS_UNITS_PRECISION)
		return llms_error_set_code(
			err, EINVAL, fault,
			"'%s': finer than a nanosecond: use fewer decimals or a smaller unit",
			q);
	if (ret)
		return llms_error_set_code(
			err, EINVAL, fault,
			"'%s': not a duration: use 250ms, 10s, 1.5s, 5m or 1h (a bare number is seconds; ns, us and d too)",
			q);
	return 0;
}

/* "W.FFF" less the trailing zeros of FFF (0..999), then @suffix. */
static int format_fixed(char *buf, size_t size, uint64_t whole,
			unsigned int milli, const char *suffix)
{
	char frac[8];
	int len;

	if (!milli)
		return snprintf(buf, size, "%" PRIu64 "%s", whole, suffix);
	len = snprintf(frac, sizeof(frac), "%03u", milli);
	while (len > 0 && frac[len - 1] == '0')
		frac[--len] = '\0';
	return snprintf(buf, size, "%" PRIu64 ".%s%s", whole, frac, suffix);
}

/*
 * @v in the first of @units (largest first, the last one 1) that is no
 * larger than @v and says it exactly in three decimals.
 */
static int format_units(uint64_t v, const struct unit *units, size_t n,
			char *buf, size_t size)
{
	size_t i;

	for (i = 0; i + 1 < n; i++) {
		u128 milli = (u128)(v % units[i].mult) * 1000;

		if (v < units[i].mult || milli % units[i].mult)
			continue;
		return format_fixed(buf, size, v / units[i].mult,
				    (unsigned int)(milli / units[i].mult),
				    units[i].name);
	}
	return snprintf(buf, size, "%" PRIu64 "%s", v, units[n - 1].name);
}

int llms_format_cpu(uint64_t millicores, char *buf, size_t size)
{
	return format_fixed(buf, size, millicores / 1000,
			    (unsigned int)(millicores % 1000), "");
}

int llms_format_bytes(uint64_t bytes, char *buf, size_t size)
{
	return format_units(bytes, byte_units, BYTE_UNITS_PRINTED, buf, size);
}

int llms_format_bytes_short(uint64_t bytes, char *buf, size_t size)
{
	size_t i;

	for (i = 0; i + 1 < BYTE_UNITS_PRINTED; i++) {
		uint64_t u = byte_units[i].mult;

		if (bytes < u)
			continue;
		/* Tenths, rounded down: a figure never overstates. */
		if (bytes / u >= 100 || bytes % u == 0 ||
		    bytes / (u / 10) % 10 == 0)
			return snprintf(buf, size, "%llu%s",
					(unsigned long long)(bytes / u),
					byte_units[i].name);
		return snprintf(buf, size, "%llu.%llu%s",
				(unsigned long long)(bytes / u),
				(unsigned long long)(bytes / (u / 10) % 10),
				byte_units[i].name);
	}
	return snprintf(buf, size, "%llu", (unsigned long long)bytes);
}

int llms_format_duration(uint64_t ns, char *buf, size_t size)
{
	if (!ns)
		return snprintf(buf, size, "0s");
	return format_units(ns, duration_units, DURATION_UNITS_PRINTED, buf,
			    size);
}
