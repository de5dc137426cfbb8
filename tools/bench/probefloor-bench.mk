# llmsched-bench-probefloor: the load probe benchmark's floor, an empty
# program on sched_switch (tools/bench/probe_floor.bpf.c), held attached
# by tools/bench/bench-probefloor.c; root, in the VM, run by
# tools/bench/loadbench (part 1b).
PROGRAMS += llmsched-bench-probefloor
llmsched-bench-probefloor_SRCS = tools/bench/bench-probefloor.c
llmsched-bench-probefloor_CFLAGS := -I$(BPF_BUILD)
llmsched-bench-probefloor_LDLIBS := $(LIBBPF_LDLIBS)
PROGRAM_DEPS += $(BPF_BUILD)/probe_floor.skel.h

$(BPF_BUILD)/probe_floor.bpf.o: tools/bench/probe_floor.bpf.c $(BPF_BUILD)/vmlinux.h
	@mkdir -p $(@D)
	$(BPF_CLANG) $(BPF_CFLAGS) -MMD -MP -c -o $@ $<
	llvm-strip -g $@
