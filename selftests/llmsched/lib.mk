# VM tests of libllmsched (runtime/lib/) with real cgroups, processes and
# the module: they run as root inside the VM, in make check's one boot.
LIB_TEST_SRCS := selftests/llmsched/lib_util.c $(LIBLLMSCHED_SRCS)

PROGRAMS += selftest-lib-cgroup
VM_TESTS += selftest-lib-cgroup
USERSPACE_VM_TESTS += selftest-lib-cgroup
selftest-lib-cgroup_SRCS := selftests/llmsched/lib_cgroup_test.c \
	$(LIB_TEST_SRCS)

PROGRAMS += selftest-lib-spawn
VM_TESTS += selftest-lib-spawn
USERSPACE_VM_TESTS += selftest-lib-spawn
selftest-lib-spawn_SRCS := selftests/llmsched/lib_spawn_test.c \
	$(LIB_TEST_SRCS)

PROGRAMS += selftest-lib-sysfs
VM_TESTS += selftest-lib-sysfs
selftest-lib-sysfs_SRCS := selftests/llmsched/lib_sysfs_test.c \
	$(LIB_TEST_SRCS) selftests/llmsched/llmsched_util.c \
	selftests/llmsched/module_util.c

PROGRAMS += selftest-lib-ioctl
VM_TESTS += selftest-lib-ioctl
selftest-lib-ioctl_SRCS := selftests/llmsched/lib_ioctl_test.c \
	$(LIB_TEST_SRCS) selftests/llmsched/llmsched_util.c \
	selftests/llmsched/module_util.c

PROGRAMS += selftest-lib-events
VM_TESTS += selftest-lib-events
USERSPACE_VM_TESTS += selftest-lib-events
selftest-lib-events_SRCS := selftests/llmsched/lib_events_test.c \
	$(LIB_TEST_SRCS) $(LIBLLMSCHED_EVENTS_SRCS) \
	selftests/llmsched/llmsched_util.c selftests/llmsched/module_util.c
selftest-lib-events_CFLAGS := $(LIBLLMSCHED_EVENTS_CFLAGS)
selftest-lib-events_LDLIBS := $(LIBLLMSCHED_EVENTS_LDLIBS)
