# llmctl, the inspection and control tool (tools/llmctl/;
# Documentation/admin-guide/llmctl.rst).  JSON output is json-c's.
LLMCTL_SRCS := tools/llmctl/main.c tools/llmctl/output.c \
	tools/llmctl/common.c \
	tools/llmctl/status.c \
	tools/llmctl/tasks.c tools/llmctl/taskjson.c \
	tools/llmctl/agents.c \
	tools/llmctl/cancel.c \
	tools/llmctl/policy.c \
	tools/llmctl/limits.c
# The live views and the history: events on libnl-genl-3, the history on
# SQLite, top on ncurses; the runtime's configuration (state_dir,
# log_dir) through llmschedd's parser, as llmsub.
LLMCTL_SRCS += tools/llmctl/watch.c tools/llmctl/top.c \
	tools/llmctl/history.c tools/llmctl/log.c tools/llmctl/text.c \
	runtime/llmschedd/config.c runtime/llmschedd/capacity.c \
	$(LIBLLMSCHED_EVENTS_SRCS) $(LIBLLMSCHED_HISTORY_SRCS)
LLMCTL_CFLAGS := $(shell pkg-config --cflags json-c)
# Tag names and the log and state folders come from llmschedd's
# configuration, whose parser (config.c, on libinih) is linked in as
# llmsub does.
LLMCTL_LDLIBS := -linih $(shell pkg-config --libs json-c)
LLMCTL_CFLAGS += $(LIBLLMSCHED_EVENTS_CFLAGS) \
	$(shell pkg-config --cflags ncurses)
LLMCTL_LDLIBS += $(LIBLLMSCHED_EVENTS_LDLIBS) \
	$(LIBLLMSCHED_HISTORY_LDLIBS) \
	$(shell pkg-config --libs ncurses)

PROGRAMS += llmctl
llmctl_SRCS := $(LLMCTL_SRCS) $(LIBLLMSCHED_SRCS)
llmctl_CFLAGS := $(LLMCTL_CFLAGS)
llmctl_LDLIBS := $(LLMCTL_LDLIBS)
