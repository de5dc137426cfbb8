# llmsched-bench-fence: the GPU fence's cost on open() beside open()
# without it (tools/bench/bench-fence.c); root, in the VM:
#   tools/vmrun -- build/bin/llmsched-bench-fence --iters 20000
PROGRAMS += llmsched-bench-fence
llmsched-bench-fence_SRCS = tools/bench/bench-fence.c \
	runtime/llmschedd/fence.c $(LIBLLMSCHED_SRCS)
llmsched-bench-fence_CFLAGS = -I$(BPF_BUILD)
llmsched-bench-fence_LDLIBS = $(LIBBPF_LDLIBS)
