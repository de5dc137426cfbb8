# llmsim: discrete-event simulator over the real engine, and its trace
# generator (Documentation/scheduling/simulator.rst).
LLMSIM_LIB_SRCS := tools/llmsim/trace.c tools/llmsim/metrics.c \
	tools/llmsim/mix.c tools/llmsim/sim.c tools/llmsim/reference.c \
	runtime/estimator/rls.c

PROGRAMS += llmsim
llmsim_SRCS := tools/llmsim/main.c $(LLMSIM_LIB_SRCS) $(CORE_SRCS)
llmsim_LDLIBS := -lm -lpthread

PROGRAMS += llmsim-gen
llmsim-gen_SRCS := tools/llmsim/gen.c tools/llmsim/trace.c tools/llmsim/mix.c \
	tools/llmsim/metrics.c
llmsim-gen_LDLIBS := -lm
