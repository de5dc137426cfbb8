# llmctl's live views and history in the VM: llmschedd started from a
# configuration file, llmsub and llmctl run as commands (watch in the
# background, top under tmux), JSON checked against the schemas
# (check-json-schema, python3-jsonschema).
PROGRAMS += selftest-llmctl-live
VM_TESTS += selftest-llmctl-live
USERSPACE_VM_TESTS += selftest-llmctl-live
selftest-llmctl-live_SRCS := selftests/llmsched/llmctl_live_test.c \
	selftests/llmsched/daemon_util.c selftests/llmsched/tool_util.c \
	selftests/llmsched/llmsched_util.c selftests/llmsched/module_util.c \
	$(LIBLLMSCHED_SRCS)
# The test runs the programs beside it.
$(BIN)/selftest-llmctl-live: | $(BIN)/llmctl $(BIN)/llmsub $(BIN)/llmschedd
