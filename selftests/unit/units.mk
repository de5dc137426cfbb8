# Host unit tests of libllmsched's unit parsers and printers
# (runtime/lib/units.c), built twice, as payload.mk does: as every
# program is, and with the sanitizers into objects of their own under
# $(OBJ)/asan/ (payload.mk's pattern rule and SANITIZE_FLAGS; the rule
# below is written out here so that it does not depend on the order in
# which the fragments are read).
PROGRAMS += unit-units
UNIT_TESTS += unit-units unit-units-asan
unit-units_SRCS := selftests/unit/units.c $(LIBLLMSCHED_SRCS)

$(BIN)/unit-units-asan: $(patsubst %.c,$(OBJ)/asan/%.o,$(unit-units_SRCS)) | $(BIN)
	$(CC) $(CFLAGS) $(LDFLAGS) $(SANITIZE_FLAGS) -o $@ $^
-include $(patsubst %.c,$(OBJ)/asan/%.d,$(unit-units_SRCS))
