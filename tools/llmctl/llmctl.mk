# llmctl, the inspection and control tool (tools/llmctl/;
# Documentation/admin-guide/llmctl.rst).  JSON output is json-c's.
LLMCTL_SRCS := tools/llmctl/main.c tools/llmctl/output.c \
	tools/llmctl/common.c \
	tools/llmctl/status.c \
	tools/llmctl/tasks.c tools/llmctl/taskjson.c \
	tools/llmctl/agents.c \
	tools/llmctl/cancel.c \
	tools/llmctl/policy.c \
	runtime/llmschedd/config.c runtime/llmschedd/capacity.c \
	tools/llmctl/limits.c
LLMCTL_CFLAGS := $(shell pkg-config --cflags json-c)
# Tag names and the log and state folders come from llmschedd's
# configuration, whose parser (config.c, on libinih) is linked in as
# llmsub does.
LLMCTL_LDLIBS := -linih $(shell pkg-config --libs json-c)

PROGRAMS += llmctl
llmctl_SRCS := $(LLMCTL_SRCS) $(LIBLLMSCHED_SRCS)
llmctl_CFLAGS := $(LLMCTL_CFLAGS)
llmctl_LDLIBS := $(LLMCTL_LDLIBS)
