# llmschedd, the agent runtime (runtime/llmschedd/): the supervisor and the
# agent processes are one program (an agent is llmschedd --agent ...).
PROGRAMS += llmschedd
LLMSCHEDD_SRCS := runtime/llmschedd/main.c runtime/llmschedd/supervisor.c \
	runtime/llmschedd/agent.c runtime/llmschedd/log.c \
	runtime/llmschedd/config.c runtime/llmschedd/capacity.c \
	runtime/llmschedd/gpu.c \
	runtime/llmschedd/estimator.c runtime/llmschedd/loadprobe.c \
	runtime/llmschedd/loadfigure.c \
	runtime/estimator/rls.c
llmschedd_SRCS := $(LLMSCHEDD_SRCS) $(LIBLLMSCHED_SRCS) \
	$(LIBLLMSCHED_HISTORY_SRCS)
llmschedd_LDLIBS := -linih $(LIBLLMSCHED_HISTORY_LDLIBS) \
	$(shell pkg-config --libs json-c) -lm $(LIBBPF_LDLIBS)
# The BPF skeletons: the load probe (runtime/bpf/load_probe.bpf.c) and
# the GPU fence (fence.c loads runtime/bpf/gpu_fence.bpf.c).
llmschedd_SRCS += runtime/llmschedd/fence.c
llmschedd_CFLAGS := -I$(BPF_BUILD)
PROGRAM_DEPS += $(BPF_BUILD)/load_probe.skel.h $(BPF_BUILD)/gpu_fence.skel.h
