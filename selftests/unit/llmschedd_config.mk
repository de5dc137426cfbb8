# Host unit tests of llmschedd's configuration (runtime/llmschedd/config.c)
# and capacity discovery (capacity.c), against files in a temporary
# folder.  The daemon's sources are listed here: its own fragment is not
# needed.  Each is built twice, as payload.mk does: as every program is,
# and with the sanitizers into objects of their own under $(OBJ)/asan/
# (payload.mk's pattern rule and SANITIZE_FLAGS; the rules below are
# written out here so that they do not depend on the order in which the
# fragments are read).
LLMSD_CONFIG_SRCS := runtime/llmschedd/config.c runtime/llmschedd/capacity.c \
	$(LIBLLMSCHED_SRCS)
LLMSD_CONFIG_TESTS := unit-llmschedd-config unit-llmschedd-capacity
PROGRAMS += $(LLMSD_CONFIG_TESTS)
UNIT_TESTS += $(LLMSD_CONFIG_TESTS) $(addsuffix -asan,$(LLMSD_CONFIG_TESTS))
unit-llmschedd-config_SRCS := selftests/unit/llmschedd_config.c \
	$(LLMSD_CONFIG_SRCS)
unit-llmschedd-config_LDLIBS := -linih
unit-llmschedd-capacity_SRCS := selftests/unit/capacity.c $(LLMSD_CONFIG_SRCS)
unit-llmschedd-capacity_LDLIBS := -linih

define llmsd_config_asan_rule
$(BIN)/$(1)-asan: $$(patsubst %.c,$(OBJ)/asan/%.o,$$($(1)_SRCS)) | $(BIN)
	$$(CC) $$(CFLAGS) $$(LDFLAGS) $$(SANITIZE_FLAGS) -o $$@ $$^ $$($(1)_LDLIBS)
-include $$(patsubst %.c,$(OBJ)/asan/%.d,$$($(1)_SRCS))
endef
$(foreach t,$(LLMSD_CONFIG_TESTS),$(eval $(call llmsd_config_asan_rule,$(t))))
