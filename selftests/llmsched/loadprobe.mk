# llmschedd's measured load in the VM (selftests/llmsched/loadprobe_test.c):
# the probe's figure against cpu.stat, the cgroup fallback, resize = on, and
# nothing of the probe left after the daemon stops (it runs bpftool).
PROGRAMS += selftest-loadprobe
VM_TESTS += selftest-loadprobe
selftest-loadprobe_SRCS := selftests/llmsched/loadprobe_test.c \
	selftests/llmsched/daemon_util.c \
	selftests/llmsched/llmsched_util.c selftests/llmsched/module_util.c \
	$(LIBLLMSCHED_SRCS)
