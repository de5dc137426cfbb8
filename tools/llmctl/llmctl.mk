# llmctl, the inspection and control tool (tools/llmctl/;
# Documentation/admin-guide/llmctl.rst).  JSON output is json-c's.
LLMCTL_SRCS := tools/llmctl/main.c tools/llmctl/output.c \
	tools/llmctl/limits.c
LLMCTL_CFLAGS := $(shell pkg-config --cflags json-c)
LLMCTL_LDLIBS := $(shell pkg-config --libs json-c)

PROGRAMS += llmctl
llmctl_SRCS := $(LLMCTL_SRCS) $(LIBLLMSCHED_SRCS)
llmctl_CFLAGS := $(LLMCTL_CFLAGS)
llmctl_LDLIBS := $(LLMCTL_LDLIBS)
