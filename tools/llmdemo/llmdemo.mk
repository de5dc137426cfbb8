# llmsched-demo: the reference example end to end against the real module,
# run in the VM by tools/demo (`make demo`).
PROGRAMS += llmsched-demo
llmsched-demo_SRCS := tools/llmdemo/main.c tools/llmdemo/agent.c \
	tools/llmdemo/sys.c $(LIBLLMSCHED_SRCS)
