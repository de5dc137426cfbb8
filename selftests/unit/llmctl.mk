# Host unit tests of llmctl's pure parts (tools/llmctl/common.c,
# taskjson.c and output.c): state lists, users, tags by the
# configuration's names, durations for tables, the estimator's state file,
# a task's JSON written directly against json-c's, aligned tables.
PROGRAMS += unit-llmctl
UNIT_TESTS += unit-llmctl
unit-llmctl_SRCS := selftests/unit/llmctl.c tools/llmctl/common.c \
	tools/llmctl/taskjson.c \
	tools/llmctl/output.c runtime/llmschedd/config.c \
	runtime/llmschedd/capacity.c $(LIBLLMSCHED_SRCS)
unit-llmctl_CFLAGS := $(LLMCTL_CFLAGS)
unit-llmctl_LDLIBS := $(LLMCTL_LDLIBS)
