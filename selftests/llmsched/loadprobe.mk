# llmschedd's measured load in the VM (selftests/llmsched/loadprobe_test.c):
# the probe's figure against cpu.stat, the cgroup fallback, resize = on, and
# nothing of the probe left after the daemon stops (it runs bpftool).
PROGRAMS += selftest-loadprobe
VM_TESTS += selftest-loadprobe
# Its figures against cpu.stat and its resizes need CPUs that keep up with
# the busy loops: under the debug kernel they do not (make check-debug's
# run of 2 December: cpu.stat 680 where the load said 1000, growth to 954
# of 1000 millicores in 20 s), so check-debug leaves it out.
USERSPACE_VM_TESTS += selftest-loadprobe
selftest-loadprobe_SRCS := selftests/llmsched/loadprobe_test.c \
	selftests/llmsched/daemon_util.c selftests/llmsched/tool_util.c \
	selftests/llmsched/llmsched_util.c selftests/llmsched/module_util.c \
	$(LIBLLMSCHED_SRCS)
