# libllmsched's ioctl wrappers on the host: the state, reason and wait
# names against the engine's (linked in), and every call's advice table.
PROGRAMS += unit-ioctl-names
UNIT_TESTS += unit-ioctl-names
unit-ioctl-names_SRCS := selftests/unit/ioctl_names.c $(CORE_SRCS) \
	$(LIBLLMSCHED_SRCS)
