/* SPDX-License-Identifier: GPL-2.0 */
/*
 * LLMS_TEST_MAIN: the kselftest harness's TEST_HARNESS_MAIN, with every
 * test's time limit (TEST_F_TIMEOUT, or the harness's default) multiplied
 * by llms_test_time_scale() (time_scale.h).  Include it after
 * kselftest_harness.h (linux-source-6.1's, whose fixture and test lists
 * it walks), and end the program with LLMS_TEST_MAIN.
 */
#ifndef LLMSCHED_HARNESS_MAIN_H
#define LLMSCHED_HARNESS_MAIN_H

#include "time_scale.h"

static inline void llms_scale_test_timeouts(void)
{
	int k = llms_test_time_scale();
	struct __fixture_metadata *f;
	struct __test_metadata *t;

	for (f = __fixture_list; f && k > 1; f = f->next)
		for (t = f->tests; t; t = t->next)
			t->timeout *= k;
}

#define LLMS_TEST_MAIN                                                  \
	static void __attribute__((constructor))                        \
	__constructor_order_last(void)                                  \
	{                                                               \
		if (!__constructor_order)                               \
			__constructor_order = _CONSTRUCTOR_ORDER_BACKWARD; \
	}                                                               \
	int main(int argc, char **argv)                                 \
	{                                                               \
		llms_scale_test_timeouts();                             \
		return test_harness_run(argc, argv);                    \
	}

#endif /* LLMSCHED_HARNESS_MAIN_H */
