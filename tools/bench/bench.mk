# llmsched-bench-engine: engine throughput and memory figures (prints only).
PROGRAMS += llmsched-bench-engine
llmsched-bench-engine_SRCS := tools/bench/bench-engine.c $(CORE_SRCS)

# llmsched-bench-tools: llmsub per submission as a whole process beside
# `true` and a Unix-socket client; llmsub -f per task (run-tbench, in the VM).
PROGRAMS += llmsched-bench-tools
llmsched-bench-tools_SRCS := tools/bench/bench-tools.c tools/bench/kbench_util.c \
	$(LIBLLMSCHED_SRCS)
$(BIN)/llmsched-bench-tools: | $(BIN)/llmsub
