# Host unit tests for llmsim: parser, metric helpers, the reference example.
UNIT_TESTS += unit-sim
PROGRAMS += unit-sim
unit-sim_SRCS := selftests/unit/sim.c $(LLMSIM_LIB_SRCS) $(CORE_SRCS)
unit-sim_LDLIBS := -lm
