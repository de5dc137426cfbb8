# Host unit tests of libllmsched's history of ended tasks
# (runtime/lib/history.c, on SQLite), in temporary folders under /tmp.
PROGRAMS += unit-history
UNIT_TESTS += unit-history unit-history-asan
unit-history_SRCS := selftests/unit/history.c $(LIBLLMSCHED_SRCS) \
	$(LIBLLMSCHED_HISTORY_SRCS)
unit-history_LDLIBS := $(LIBLLMSCHED_HISTORY_LDLIBS)

# unit-history-asan: the same with the sanitizers, as payload.mk builds
# its SANITIZED_TESTS (its $(OBJ)/asan/%.o rule and SANITIZE_FLAGS).  This
# fragment is read before payload.mk, so it cannot join that list and
# writes its link rule itself; the recipe's variables are expanded when
# it runs, after payload.mk has set them.
$(BIN)/unit-history-asan: \
		$(patsubst %.c,$(OBJ)/asan/%.o,$(unit-history_SRCS)) | $(BIN)
	$(CC) $(CFLAGS) $(LDFLAGS) $(SANITIZE_FLAGS) -o $@ $^ \
		$(unit-history_LDLIBS)
-include $(patsubst %.c,$(OBJ)/asan/%.d,$(unit-history_SRCS))
