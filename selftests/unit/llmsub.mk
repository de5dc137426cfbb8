# Host unit tests of llmsub's pure parts (tools/llmsub/: flags, JSON
# lines, dependency resolution, tags, refusals and exit statuses), built
# twice as llmschedd_config.mk does: as every program is, and with the
# sanitizers into objects of their own under $(OBJ)/asan/ (payload.mk's
# pattern rule and SANITIZE_FLAGS, which takes no per-program flags:
# jsonl.c includes <json-c/json.h> by that path so that it needs none).
PROGRAMS += unit-llmsub
UNIT_TESTS += unit-llmsub unit-llmsub-asan
unit-llmsub_SRCS := selftests/unit/llmsub.c $(LLMSUB_LIB_SRCS) \
	$(LIBLLMSCHED_SRCS)
unit-llmsub_CFLAGS := $(LLMSUB_CFLAGS)
unit-llmsub_LDLIBS := $(LLMSUB_LDLIBS)

$(BIN)/unit-llmsub-asan: $(patsubst %.c,$(OBJ)/asan/%.o,$(unit-llmsub_SRCS)) | $(BIN)
	$(CC) $(CFLAGS) $(LDFLAGS) $(SANITIZE_FLAGS) -o $@ $^ $(unit-llmsub_LDLIBS)
-include $(patsubst %.c,$(OBJ)/asan/%.d,$(unit-llmsub_SRCS))
