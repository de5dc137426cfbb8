# llmsub, the submission tool (tools/llmsub/;
# Documentation/admin-guide/llmsub.rst).  Tag names come from llmschedd's
# configuration, so its parser (runtime/llmschedd/config.c, on libinih) is
# linked in; the JSON-lines mode reads with json-c.
LLMSUB_LIB_SRCS := tools/llmsub/task.c tools/llmsub/args.c \
	tools/llmsub/jsonl.c tools/llmsub/report.c \
	runtime/llmschedd/config.c runtime/llmschedd/capacity.c
LLMSUB_CFLAGS := $(shell pkg-config --cflags json-c)
LLMSUB_LDLIBS := -linih $(shell pkg-config --libs json-c)

PROGRAMS += llmsub
llmsub_SRCS := tools/llmsub/main.c tools/llmsub/submit.c \
	$(LLMSUB_LIB_SRCS) $(LIBLLMSCHED_SRCS)
llmsub_CFLAGS := $(LLMSUB_CFLAGS)
llmsub_LDLIBS := $(LLMSUB_LDLIBS)
