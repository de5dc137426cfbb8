# SPDX-License-Identifier: GPL-2.0
#
# kselftest-harness tests of the llmsched uAPI (ioctls, read/poll, sysfs
# counters, netlink events).  They run as root inside the VM against
# build/llmsched.ko; see Documentation/userspace-api/llmsched.rst.

LLMSCHED_UAPI_UTIL_SRCS := selftests/llmsched/llmsched_util.c \
	selftests/llmsched/module_util.c

PROGRAMS += selftest-uapi
VM_TESTS += selftest-uapi
selftest-uapi_SRCS := selftests/llmsched/uapi_test.c $(LLMSCHED_UAPI_UTIL_SRCS)

PROGRAMS += selftest-agent
VM_TESTS += selftest-agent
selftest-agent_SRCS := selftests/llmsched/agent_test.c $(LLMSCHED_UAPI_UTIL_SRCS)

PROGRAMS += selftest-task
VM_TESTS += selftest-task
selftest-task_SRCS := selftests/llmsched/task_test.c $(LLMSCHED_UAPI_UTIL_SRCS)
