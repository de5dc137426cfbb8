# SPDX-License-Identifier: GPL-2.0
#
# llmsched-bench-kernel: the kernel-path benchmark (tools/bench/kbench.c).
# Runs as root in the VM: tools/vmrun -- build/bin/llmsched-bench-kernel
# See Documentation/admin-guide/benchmarks.rst.
#
# Recursive (=) on purpose: SELFTEST_UTIL_SRCS (module loading) is defined
# by selftests/llmsched/selftests.mk, which the top Makefile includes after
# the tools/ fragments.

PROGRAMS += llmsched-bench-kernel
llmsched-bench-kernel_SRCS = tools/bench/kbench.c tools/bench/kbench_util.c \
	tools/bench/kbench_broker.c $(LIBLLMSCHED_SRCS) $(SELFTEST_UTIL_SRCS)
