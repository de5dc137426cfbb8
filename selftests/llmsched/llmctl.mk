# llmctl in the VM: llmschedd started from a configuration file, llmctl
# run as a command (tools/llmctl/): every command's flags, good and bad,
# its --json output against its schema (check-json-schema), what an
# unprivileged user sees, and cancel, drain and resize as status shows them.
PROGRAMS += selftest-llmctl
VM_TESTS += selftest-llmctl
USERSPACE_VM_TESTS += selftest-llmctl
selftest-llmctl_SRCS := selftests/llmsched/llmctl_test.c \
	selftests/llmsched/daemon_util.c selftests/llmsched/tool_util.c \
	selftests/llmsched/llmsched_util.c selftests/llmsched/module_util.c \
	$(LIBLLMSCHED_SRCS)
# The test runs the programs beside it.
$(BIN)/selftest-llmctl: | $(BIN)/llmctl $(BIN)/llmsub $(BIN)/llmschedd
