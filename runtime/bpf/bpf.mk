# The runtime's BPF programs (runtime/bpf/NAME.bpf.c), built CO-RE with
# Debian's clang against the BTF of the kernel the programs run on: the
# one the VM boots (tools/kver), read from the vmlinux inside its
# /boot/vmlinuz (tools/extract-vmlinux), never from the build host's kernel.
# bpftool turns each object into a skeleton header, $(BPF_BUILD)/NAME.skel.h.
#
# A program that loads one adds -I$(BPF_BUILD) to its NAME_CFLAGS,
# $(LIBBPF_LDLIBS) to its NAME_LDLIBS, and the skeleton to PROGRAM_DEPS, so
# that the header exists before any object is compiled:
#   PROGRAM_DEPS += $(BPF_BUILD)/NAME.skel.h
BPF_BUILD := $(BUILD)/bpf
BPF_CLANG ?= clang
# The skeleton embeds the object; its DWARF is not needed (BTF stays).
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror \
	-I$(BPF_BUILD) -Iuapi
LIBBPF_LDLIBS := $(shell pkg-config --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz)
BPF_KERNEL_IMAGE := /boot/vmlinuz-$(KVER)

$(BPF_BUILD)/vmlinux: $(BPF_KERNEL_IMAGE)
	@mkdir -p $(@D)
	tools/extract-vmlinux $< $@

$(BPF_BUILD)/vmlinux.h: $(BPF_BUILD)/vmlinux
	bpftool btf dump file $< format c > $@.tmp
	mv -f $@.tmp $@

$(BPF_BUILD)/%.bpf.o: runtime/bpf/%.bpf.c $(BPF_BUILD)/vmlinux.h
	$(BPF_CLANG) $(BPF_CFLAGS) -MMD -MP -c -o $@ $<
	llvm-strip -g $@

$(BPF_BUILD)/%.skel.h: $(BPF_BUILD)/%.bpf.o
	bpftool gen skeleton $< > $@.tmp
	mv -f $@.tmp $@

-include $(wildcard $(BPF_BUILD)/*.d)
