# Host unit tests of libllmsched's payload codec and error helpers
# (runtime/lib/payload.c, error.c), built twice: as every program is, and
# with AddressSanitizer and UndefinedBehaviorSanitizer, whose build stops
# on the first read past a buffer or undefined operation.
PROGRAMS += unit-payload unit-error
UNIT_TESTS += unit-payload unit-error
unit-payload_SRCS := selftests/unit/payload.c $(LIBLLMSCHED_SRCS)
unit-error_SRCS := selftests/unit/error.c $(LIBLLMSCHED_SRCS)

# NAME-asan: NAME_SRCS compiled again into objects of their own (under
# $(OBJ)/asan/, since one object per source serves every other program),
# with the sanitizers, which also need to be on the link line.
SANITIZE_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
SANITIZED_TESTS := unit-payload unit-error
UNIT_TESTS += $(addsuffix -asan,$(SANITIZED_TESTS))

$(OBJ)/asan/%.o: %.c $(BUILD)/kselftest/kselftest_harness.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LLMSCHED_CFLAGS) $(SANITIZE_FLAGS) -c -o $@ $<

define sanitized_test_rule
$(BIN)/$(1)-asan: $$(patsubst %.c,$(OBJ)/asan/%.o,$$($(1)_SRCS)) | $(BIN)
	$$(CC) $$(CFLAGS) $$(LDFLAGS) $(SANITIZE_FLAGS) -o $$@ $$^ $$($(1)_LDLIBS)
-include $$(patsubst %.c,$(OBJ)/asan/%.d,$$($(1)_SRCS))
endef
$(foreach t,$(SANITIZED_TESTS),$(eval $(call sanitized_test_rule,$(t))))
