# Host unit tests for the run-time model fitter (runtime/estimator/rls.c).
UNIT_TESTS += unit-rls
PROGRAMS += unit-rls
unit-rls_SRCS := selftests/unit/rls.c runtime/estimator/rls.c $(CORE_SRCS)
unit-rls_LDLIBS := -lm
