# SPDX-License-Identifier: GPL-2.0
#
# llmsched-bench-runtime: llmschedd's throughput, latency and memory beside
# the fork+exec floors (tools/bench/bench-runtime.c).  Runs as root in the
# VM: tools/bench/run-rbench.  See Documentation/admin-guide/benchmarks.rst.
#
# Recursive (=) on purpose: SELFTEST_UTIL_SRCS (module loading) is defined
# by selftests/llmsched/selftests.mk, which the top Makefile includes after
# the tools/ fragments.

PROGRAMS += llmsched-bench-runtime
llmsched-bench-runtime_SRCS = tools/bench/bench-runtime.c \
	$(LIBLLMSCHED_SRCS) $(SELFTEST_UTIL_SRCS)
