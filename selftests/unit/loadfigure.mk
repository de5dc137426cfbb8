# Host unit tests of llmschedd's load figure and resize rules
# (runtime/llmschedd/loadfigure.c): pure arithmetic, no BPF, no cgroups.
UNIT_TESTS += unit-loadfigure
PROGRAMS += unit-loadfigure
unit-loadfigure_SRCS := selftests/unit/loadfigure.c runtime/llmschedd/loadfigure.c
