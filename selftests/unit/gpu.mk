# Host unit tests of llmschedd's GPUs (runtime/llmschedd/gpu.c): discovery
# on fake trees, the plan, the allocator, the agent's line, the
# environment.  Built twice like llmschedd_config.mk's, the second time
# with the sanitizers.
LLMSD_GPU_TEST_SRCS := selftests/unit/gpu.c runtime/llmschedd/gpu.c \
	runtime/llmschedd/config.c runtime/llmschedd/capacity.c \
	$(LIBLLMSCHED_SRCS)
PROGRAMS += unit-llmschedd-gpu
UNIT_TESTS += unit-llmschedd-gpu unit-llmschedd-gpu-asan
unit-llmschedd-gpu_SRCS := $(LLMSD_GPU_TEST_SRCS)
unit-llmschedd-gpu_LDLIBS := -linih

$(BIN)/unit-llmschedd-gpu-asan: $(patsubst %.c,$(OBJ)/asan/%.o,$(LLMSD_GPU_TEST_SRCS)) | $(BIN)
	$(CC) $(CFLAGS) $(LDFLAGS) $(SANITIZE_FLAGS) -o $@ $^ -linih
-include $(patsubst %.c,$(OBJ)/asan/%.d,$(LLMSD_GPU_TEST_SRCS))
