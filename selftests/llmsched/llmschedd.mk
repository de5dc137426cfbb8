# llmschedd in the VM: the daemon started from a configuration file, real
# tasks run as their users in their cgroups, faults and restarts.
PROGRAMS += selftest-llmschedd
VM_TESTS += selftest-llmschedd
USERSPACE_VM_TESTS += selftest-llmschedd
selftest-llmschedd_SRCS := selftests/llmsched/llmschedd_test.c \
	selftests/llmsched/daemon_util.c selftests/llmsched/tool_util.c \
	selftests/llmsched/llmsched_util.c selftests/llmsched/module_util.c \
	$(LIBLLMSCHED_SRCS) $(LIBLLMSCHED_HISTORY_SRCS)
selftest-llmschedd_LDLIBS := $(LIBLLMSCHED_HISTORY_LDLIBS)
