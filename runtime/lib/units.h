/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libllmsched: CPU amounts, byte sizes and durations as people write them,
 * parsed strictly and printed back.
 *
 * llmschedd's configuration, llmsub's --cpu / --mem / --est and llmctl's
 * tables all use these, so that "0.5", "4G" and "10s" mean one thing
 * everywhere and what is printed can be read back unchanged.
 *
 * The forms (one number, then at most one unit, no space, no sign):
 *
 *	CPU	"2", "0.5", "1.25": CPUs, with at most three decimals (a
 *		millicore, 0.001 CPU, is the finest amount); "500m":
 *		millicores.  0 is refused: a demand or a reservation of no
 *		CPU means nothing.
 *	bytes	"1024" (bytes), "64K", "512M", "4G", "1.5G", "2T", "1P";
 *		"KiB", "MiB", "GiB", "TiB", "PiB" mean the same, and "B"
 *		may end a bare number.  Multiples are binary (K = 1024,
 *		M = 1024 K, ...), as cgroup v2's memory.max, free(1) and
 *		Slurm's --mem read them.  The letters are upper case only:
 *		"m" is a millicore above, and "500m" bytes would be a slip.
 *		A decimal must come out a whole number of bytes ("1.5K" is
 *		1536; "0.1K" is refused).  0 is accepted (swap = 0).
 *	duration "250ms", "10s", "1.5s", "5m", "1h", "1d"; also "ns" and
 *		"us".  A bare number is seconds ("30" is 30 s), as sleep(1)
 *		reads it.  The result is in nanoseconds and must be whole
 *		("1.5ns" is refused).  0 is accepted.
 *
 * Decimals need a digit on both sides of the point ("0.5", not ".5" or
 * "5.").  Leading zeros are fine; spaces, signs, exponents, hexadecimal
 * and several units in a row ("1h30m") are not.  A value past UINT64_MAX
 * of the unit the function returns is ERANGE.
 *
 * Errors: EINVAL (code enum llms_units_fault) or ERANGE, with a message
 * that quotes the text and gives the accepted forms:
 *
 *	'abc': not a CPU amount: use 2, 0.5 or 500m
 *
 * The caller puts where the text came from in front ("--cpu: ",
 * "llmschedd.conf:12: [agent small] cpu = ").
 *
 * The printers write an exact form in the largest unit that takes at most
 * three decimals ("1.5G", "250ms"); parsing what they print gives the
 * same value back.  They behave as snprintf(): @buf is always
 * NUL-terminated when @size > 0, and the return value is the length of
 * the whole text, which never exceeds LLMS_UNITS_BUF - 1.
 *
 * Thread safety: none of these keeps state; all may run in any thread.
 */
#ifndef LLMSCHED_LIB_UNITS_H
#define LLMSCHED_LIB_UNITS_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* A buffer this large holds whatever a printer writes, NUL included. */
#define LLMS_UNITS_BUF 32

/* The code of an EINVAL from the parsers. */
enum llms_units_fault {
	LLMS_UNITS_SYNTAX = 1,	/* not one of the forms */
	LLMS_UNITS_PRECISION,	/* finer than the unit returned */
	LLMS_UNITS_ZERO,	/* 0 where it is refused (CPU) */
};

/* Nanoseconds in the units of durations. */
#define LLMS_NSEC_PER_USEC 1000ULL
#define LLMS_NSEC_PER_MSEC 1000000ULL
#define LLMS_NSEC_PER_SEC 1000000000ULL

/* A CPU amount in *@millicores (1000 = one CPU). */
int llms_parse_cpu(const char *s, uint64_t *millicores,
		   struct llms_error **err);

/* A size in *@bytes. */
int llms_parse_bytes(const char *s, uint64_t *bytes, struct llms_error **err);

/* A duration in *@ns. */
int llms_parse_duration(const char *s, uint64_t *ns, struct llms_error **err);

/*
 * @millicores as CPUs: "2", "0.5", "1.25", "0.001" (never "m": a whole
 * CPU count reads best in a table); 0 prints "0", which llms_parse_cpu()
 * refuses.
 */
int llms_format_cpu(uint64_t millicores, char *buf, size_t size);

/*
 * @bytes in the largest binary unit in which it takes at most three
 * decimals exactly: "4G", "1.5G", "512M"; a value that no unit says in
 * three decimals falls to the next unit down, and at the end to plain
 * bytes (1025 is "1025").  0 is "0".
 */
int llms_format_bytes(uint64_t bytes, char *buf, size_t size);

/*
 * @bytes for a table: whole units from 100 up, else with a tenth, rounded down:
 * "12.2G", "283M", "4G", "999"; not for parsing back (llms_format_bytes()
 * is exact).
 */
int llms_format_bytes_short(uint64_t bytes, char *buf, size_t size);

/*
 * @ns the same way, in d, h, m, s, ms, us or ns: "10s", "1.5m", "250ms",
 * "0s" for 0.  Always with a unit.
 */
int llms_format_duration(uint64_t ns, char *buf, size_t size);

#endif /* LLMSCHED_LIB_UNITS_H */
