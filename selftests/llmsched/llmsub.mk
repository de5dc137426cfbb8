# llmsub in the VM: llmschedd started from a configuration file, llmsub run
# as a command (tools/llmsub/), its exit statuses, output and messages.
PROGRAMS += selftest-llmsub
VM_TESTS += selftest-llmsub
USERSPACE_VM_TESTS += selftest-llmsub
selftest-llmsub_SRCS := selftests/llmsched/llmsub_test.c \
	selftests/llmsched/daemon_util.c selftests/llmsched/tool_util.c \
	selftests/llmsched/llmsched_util.c selftests/llmsched/module_util.c \
	$(LIBLLMSCHED_SRCS)
# The test runs the programs beside it.
$(BIN)/selftest-llmsub: | $(BIN)/llmsub $(BIN)/llmschedd
