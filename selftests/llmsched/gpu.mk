# GPUs in the VM (stand-in devices): held by agents, handed to tasks,
# fenced by the device program, refused by llmsub, detached at the end.
PROGRAMS += selftest-gpu
VM_TESTS += selftest-gpu
USERSPACE_VM_TESTS += selftest-gpu
selftest-gpu_SRCS := selftests/llmsched/gpu_test.c \
	selftests/llmsched/daemon_util.c selftests/llmsched/tool_util.c \
	selftests/llmsched/llmsched_util.c selftests/llmsched/module_util.c \
	$(LIBLLMSCHED_SRCS) $(LIBLLMSCHED_HISTORY_SRCS)
selftest-gpu_LDLIBS := $(LIBLLMSCHED_HISTORY_LDLIBS)
# The test runs llmsub and llmctl beside it.
$(BIN)/selftest-gpu: | $(BIN)/llmsub $(BIN)/llmctl
