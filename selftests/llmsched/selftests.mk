# kselftest-harness tests that run inside the VM against build/llmsched.ko.
SELFTEST_UTIL_SRCS := selftests/llmsched/module_util.c

PROGRAMS += selftest-module
VM_TESTS += selftest-module
selftest-module_SRCS := selftests/llmsched/module_test.c $(SELFTEST_UTIL_SRCS)

PROGRAMS += selftest-abi
VM_TESTS += selftest-abi
selftest-abi_SRCS := selftests/llmsched/abi_test.c selftests/llmsched/llmsched_util.c \
	$(SELFTEST_UTIL_SRCS) $(LIBLLMSCHED_SRCS)
