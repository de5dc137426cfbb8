# llmsched-bench-engine: engine throughput and memory figures (prints only).
PROGRAMS += llmsched-bench-engine
llmsched-bench-engine_SRCS := tools/bench/bench-engine.c $(CORE_SRCS)
