# SPDX-License-Identifier: GPL-2.0
#
# kselftest-harness tests of the llmsched uAPI (ioctls, read/poll, sysfs
# counters, netlink events).  They run as root inside the VM against
# build/llmsched.ko; see Documentation/userspace-api/llmsched.rst.

# llmsched_util.c calls libllmsched (runtime/lib/) for its ioctls, cgroups
# and sysfs reads.
LLMSCHED_UAPI_UTIL_SRCS := selftests/llmsched/llmsched_util.c \
	selftests/llmsched/module_util.c $(LIBLLMSCHED_SRCS)

PROGRAMS += selftest-uapi
VM_TESTS += selftest-uapi
selftest-uapi_SRCS := selftests/llmsched/uapi_test.c $(LLMSCHED_UAPI_UTIL_SRCS)

PROGRAMS += selftest-agent
VM_TESTS += selftest-agent
selftest-agent_SRCS := selftests/llmsched/agent_test.c $(LLMSCHED_UAPI_UTIL_SRCS)
selftest-agent_LDLIBS := -lpthread

PROGRAMS += selftest-task
VM_TESTS += selftest-task
selftest-task_SRCS := selftests/llmsched/task_test.c $(LLMSCHED_UAPI_UTIL_SRCS)

PROGRAMS += selftest-stress
VM_TESTS += selftest-stress
selftest-stress_SRCS := selftests/llmsched/stress_test.c $(LLMSCHED_UAPI_UTIL_SRCS)
selftest-stress_LDLIBS := -lpthread

PROGRAMS += selftest-netlink
VM_TESTS += selftest-netlink
selftest-netlink_SRCS := selftests/llmsched/netlink_test.c $(LLMSCHED_UAPI_UTIL_SRCS) \
	$(LIBLLMSCHED_EVENTS_SRCS)
selftest-netlink_CFLAGS := $(LIBLLMSCHED_EVENTS_CFLAGS)
selftest-netlink_LDLIBS := $(LIBLLMSCHED_EVENTS_LDLIBS)

PROGRAMS += selftest-security
VM_TESTS += selftest-security
selftest-security_SRCS := selftests/llmsched/security_test.c $(LLMSCHED_UAPI_UTIL_SRCS)

PROGRAMS += selftest-control
VM_TESTS += selftest-control
selftest-control_SRCS := selftests/llmsched/control_test.c $(LLMSCHED_UAPI_UTIL_SRCS)
selftest-control_LDLIBS := -lpthread

# Only the debug kernel has fault injection: make check-debug runs it.
PROGRAMS += selftest-fault
DEBUG_VM_TESTS += selftest-fault
selftest-fault_SRCS := selftests/llmsched/fault_test.c $(LLMSCHED_UAPI_UTIL_SRCS)
