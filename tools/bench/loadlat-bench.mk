# llmsched-bench-loadlat: load-to-decision latency through llmschedd's
# whole load loop (tools/bench/bench-loadlat.c); root, in the VM, run by
# tools/bench/loadbench (tools/bench/run-loadbench).
PROGRAMS += llmsched-bench-loadlat
llmsched-bench-loadlat_SRCS = tools/bench/bench-loadlat.c \
	selftests/llmsched/daemon_util.c selftests/llmsched/tool_util.c \
	selftests/llmsched/llmsched_util.c selftests/llmsched/module_util.c \
	$(LIBLLMSCHED_SRCS)
