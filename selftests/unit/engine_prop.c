// SPDX-License-Identifier: GPL-2.0
#include "engine_util.h"
#include "kselftest_harness.h"
TEST(placeholder) {}
TEST_HARNESS_MAIN
