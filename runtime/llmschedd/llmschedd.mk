# llmschedd, the agent runtime (runtime/llmschedd/): the supervisor and the
# agent processes are one program (an agent is llmschedd --agent ...).
PROGRAMS += llmschedd
LLMSCHEDD_SRCS := runtime/llmschedd/main.c runtime/llmschedd/supervisor.c \
	runtime/llmschedd/agent.c runtime/llmschedd/log.c \
	runtime/llmschedd/config.c runtime/llmschedd/capacity.c \
	runtime/llmschedd/gpu.c \
	runtime/llmschedd/estimator.c runtime/estimator/rls.c
llmschedd_SRCS := $(LLMSCHEDD_SRCS) $(LIBLLMSCHED_SRCS) \
	$(LIBLLMSCHED_HISTORY_SRCS)
llmschedd_LDLIBS := -linih $(LIBLLMSCHED_HISTORY_LDLIBS) \
	$(shell pkg-config --libs json-c) -lm
