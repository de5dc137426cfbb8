/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How much longer than usual the tests may wait: LLMSCHED_TEST_TIME_SCALE,
 * a whole number from 1 to 100 (1 when unset or not one).
 * tools/vm/debug-suite sets it for the debug kernel, where KASAN and
 * lockdep under emulation make everything several times slower; a test's
 * own time limit and the limits of the programs it runs are multiplied by
 * it, what a test measures is not.
 */
#ifndef LLMSCHED_TEST_TIME_SCALE_H
#define LLMSCHED_TEST_TIME_SCALE_H

#include <stdlib.h>

static inline int llms_test_time_scale(void)
{
	const char *s = getenv("LLMSCHED_TEST_TIME_SCALE");
	char *end;
	long k;

	if (!s || !*s)
		return 1;
	k = strtol(s, &end, 10);
	return *end || k < 1 || k > 100 ? 1 : (int)k;
}

#endif /* LLMSCHED_TEST_TIME_SCALE_H */
