# SPDX-License-Identifier: GPL-2.0
#
# llmsched: top-level build.
#
#   make          the modules (llmsched.ko, and llmsched_floor.ko for the
#                 benchmark) and every userspace program
#   make check    host unit tests, the kselftest suite in a VM, then lint
#   make check-debug  the kselftest suite and fault injection on a debug
#                 kernel (KASAN, lockdep, kmemleak), built once per machine
#   make demo     boot the VM, load the module and show it working
#   make demo-dag the same with a workflow whose one branch fails
#   make lint     checkpatch --strict over the kernel code
#   make bench    the engine benchmark here, the kernel, runtime and
#                 tools (llmsub, llmctl) benchmarks in a VM
#
# The module is built against the Debian kernel the VM boots (tools/kver), or
# KDIR= / KVER= when given: never against the running kernel of this host.
# Every program lands in build/bin/.

SHELL := /bin/bash
.DEFAULT_GOAL := all

BUILD := build
BIN := $(BUILD)/bin
OBJ := $(BUILD)/obj

KVER ?= $(shell tools/kver 2>/dev/null)
KDIR ?= /lib/modules/$(KVER)/build

CC ?= cc
CFLAGS ?= -O2 -g
LLMSCHED_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -Wshadow \
	-Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter \
	-D_GNU_SOURCE -Iuapi -Ikmod -isystem $(BUILD)/kselftest -MMD -MP

# Fragments add to these lists.  A program NAME is described by
# NAME_SRCS (required), NAME_LDLIBS and NAME_CFLAGS (optional) and lands in
# $(BIN)/NAME.
PROGRAMS :=
UNIT_TESTS :=
VM_TESTS :=
# Of VM_TESTS, those that test the userspace programs and libraries (which
# reach the module through the same ioctls the rest test directly): make
# check runs them, make check-debug leaves them out (see check-debug).
USERSPACE_VM_TESTS :=
DEBUG_VM_TESTS :=
PROGRAM_DEPS :=

include kmod/core/core.mk
-include $(wildcard runtime/*.mk runtime/*/*.mk)
-include $(wildcard tools/*.mk tools/*/*.mk)
-include $(wildcard selftests/unit/*.mk)
-include $(wildcard selftests/llmsched/*.mk)

# ---------------------------------------------------------------- programs

define program_rule
$(BIN)/$(1): $$(patsubst %.c,$(OBJ)/%.o,$$($(1)_SRCS)) | $(BIN)
	$$(CC) $$(CFLAGS) $$(LDFLAGS) -o $$@ $$^ $$($(1)_LDLIBS)
$$(patsubst %.c,$(OBJ)/%.o,$$($(1)_SRCS)): EXTRA_CFLAGS := $$($(1)_CFLAGS)
endef
$(foreach p,$(PROGRAMS),$(eval $(call program_rule,$(p))))

ALL_SRCS := $(sort $(foreach p,$(PROGRAMS),$($(p)_SRCS)))

# One object per source, whatever program uses it; a source that needs
# program-specific flags gets them through EXTRA_CFLAGS.
$(OBJ)/%.o: %.c $(BUILD)/kselftest/kselftest_harness.h $(PROGRAM_DEPS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LLMSCHED_CFLAGS) $(EXTRA_CFLAGS) -c -o $@ $<

-include $(patsubst %.c,$(OBJ)/%.d,$(ALL_SRCS))

$(BIN):
	@mkdir -p $@

# The kselftest harness and checkpatch come from Debian's linux-source-6.1;
# only the files needed are unpacked, once, and cached under build/.
LINUX_SOURCE_TAR := /usr/src/linux-source-6.1.tar.xz
KSELFTEST_FILES := tools/testing/selftests/kselftest_harness.h \
	tools/testing/selftests/kselftest.h
CHECKPATCH_FILES := scripts/checkpatch.pl scripts/spelling.txt \
	scripts/const_structs.checkpatch

$(BUILD)/kselftest/kselftest_harness.h:
	@test -r $(LINUX_SOURCE_TAR) || { echo "missing $(LINUX_SOURCE_TAR): run tools/install-deps" >&2; exit 1; }
	@mkdir -p $(BUILD)/kselftest $(BUILD)/src
	tar -xJf $(LINUX_SOURCE_TAR) -C $(BUILD)/src --strip-components=1 \
		$(addprefix linux-source-6.1/,$(KSELFTEST_FILES) $(CHECKPATCH_FILES))
	cp $(addprefix $(BUILD)/src/,$(KSELFTEST_FILES)) $(BUILD)/kselftest/

$(BUILD)/src/scripts/checkpatch.pl: $(BUILD)/kselftest/kselftest_harness.h

# ------------------------------------------------------------------ module

# The benchmark's baseline module (Documentation/admin-guide/benchmarks.rst),
# a module of its own: the top-level Kbuild builds llmsched.ko alone.
FLOOR_DIR := tools/bench/floor

.PHONY: all module programs deps check check-debug unit vmtest demo demo-dag lint bench clean help

all: module programs

deps:
	@tools/install-deps

module:
	@test -n "$(KVER)" -a -e "$(KDIR)/Makefile" || { \
		echo "no kernel build tree at '$(KDIR)': run tools/install-deps or pass KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules
	$(MAKE) -C $(KDIR) M=$(CURDIR)/$(FLOOR_DIR) W=1 modules
	@mkdir -p $(BUILD)
	cp llmsched.ko $(BUILD)/llmsched.ko
	cp $(FLOOR_DIR)/llmsched_floor.ko $(BUILD)/llmsched_floor.ko

programs: $(addprefix $(BIN)/,$(PROGRAMS))

# ------------------------------------------------------------------- tests

# Host unit tests: pure code, milliseconds, no kernel needed.
unit: $(addprefix $(BIN)/,$(UNIT_TESTS))
	@tools/run-tests --name unit --out $(BUILD)/check/unit.tap \
		$(addprefix $(BIN)/,$(UNIT_TESTS))

# The kselftest suite, inside one VM boot, against the freshly built module.
vmtest: all
	@tools/run-vmtests $(addprefix $(BIN)/,$(VM_TESTS))

check: deps
	@$(MAKE) --no-print-directory all
	@rm -rf $(BUILD)/check && mkdir -p $(BUILD)/check
	@$(MAKE) --no-print-directory unit || true
	@$(MAKE) --no-print-directory vmtest || true
	@$(MAKE) --no-print-directory $(BUILD)/src/scripts/checkpatch.pl
	@{ echo 'TAP version 13'; echo '1..1'; \
	   if tools/lint > $(BUILD)/check/lint.log 2>&1; then \
		echo 'ok 1 lint'; \
	   else sed 's/^/# /' $(BUILD)/check/lint.log; echo 'not ok 1 lint'; fi; \
	 } > $(BUILD)/check/lint.tap
	@tools/tap-summary $(BUILD)/check/unit.tap $(BUILD)/check/vm.tap \
		$(BUILD)/check/lint.tap

# The debug kernel (tools/debug-kernel/build, cached outside the tree) runs
# the programs that drive the module, the fault-injection test and a
# kmemleak scan.  The userspace programs' tests would take hours there
# under emulation; tools/check-debug runs any of them when asked.
check-debug: deps
	@$(MAKE) --no-print-directory all
	@tools/check-debug $(addprefix $(BIN)/,$(filter-out $(USERSPACE_VM_TESTS),$(VM_TESTS)) $(DEBUG_VM_TESTS)); \
		tools/tap-summary $(BUILD)/debug/vm.tap

# The reference example needs a 6 CPU / 12 GB host: the VM is booted so
# (tools/demo/reference.conf).
DEMO_VM := tools/vmrun --smp 6 --mem 14336 --timeout 300 --
demo: deps
	@$(MAKE) --no-print-directory all
	@$(DEMO_VM) tools/demo/run

demo-dag: deps
	@$(MAKE) --no-print-directory all
	@$(DEMO_VM) tools/demo/run --dag

# Figures, never pass/fail on speed: see Documentation/admin-guide/benchmarks.rst.
bench: deps
	@$(MAKE) --no-print-directory all
	$(BIN)/llmsched-bench-engine
	tools/bench/run-kbench
	tools/bench/run-rbench
	tools/bench/run-tbench
	tools/vmrun --timeout 500 --append "tsc=reliable slub_debug=-" -- \
		$(BIN)/llmsched-bench-llmctl
	tools/bench/run-loadbench

lint: $(BUILD)/src/scripts/checkpatch.pl
	@tools/lint

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	-$(MAKE) -C $(KDIR) M=$(CURDIR)/$(FLOOR_DIR) clean 2>/dev/null
	rm -rf $(BUILD)

help:
	@sed -n '3,18p' Makefile | sed 's/^# \{0,1\}//'

