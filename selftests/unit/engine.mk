# Host unit tests of the scheduling engine (kmod/core/).
PROGRAMS += unit-engine unit-engine-prop
UNIT_TESTS += unit-engine unit-engine-prop
unit-engine_SRCS := selftests/unit/engine.c $(CORE_SRCS)
unit-engine-prop_SRCS := selftests/unit/engine_prop.c $(CORE_SRCS)
