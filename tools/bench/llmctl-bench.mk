# SPDX-License-Identifier: GPL-2.0
#
# llmsched-bench-llmctl: `llmctl tasks --json` with many tasks held, beside
# reading them through TASK_LIST directly (tools/bench/bench-llmctl.c).
# Runs as root in the VM; see Documentation/admin-guide/benchmarks.rst.
# Recursive (=): SELFTEST_UTIL_SRCS comes from selftests/llmsched/.

PROGRAMS += llmsched-bench-llmctl
llmsched-bench-llmctl_SRCS = tools/bench/bench-llmctl.c \
	selftests/llmsched/llmsched_util.c \
	$(LIBLLMSCHED_SRCS) $(SELFTEST_UTIL_SRCS)
$(BIN)/llmsched-bench-llmctl: | $(BIN)/llmctl
