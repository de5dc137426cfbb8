# Host unit tests of libllmsched's task logs (runtime/lib/tasklog.c), in
# a temporary folder under /tmp; with the sanitizers too, as units.mk.
PROGRAMS += unit-tasklog
UNIT_TESTS += unit-tasklog unit-tasklog-asan
unit-tasklog_SRCS := selftests/unit/tasklog.c $(LIBLLMSCHED_SRCS)

$(BIN)/unit-tasklog-asan: $(patsubst %.c,$(OBJ)/asan/%.o,$(unit-tasklog_SRCS)) | $(BIN)
	$(CC) $(CFLAGS) $(LDFLAGS) $(SANITIZE_FLAGS) -o $@ $^
-include $(patsubst %.c,$(OBJ)/asan/%.d,$(unit-tasklog_SRCS))
