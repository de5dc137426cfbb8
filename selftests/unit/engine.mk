# Host unit tests of the scheduling engine (kmod/core/): one program per
# file of the engine, plus the randomized property test.
ENGINE_UNITS := engine-runq engine-ledger engine-deps engine-dispatch \
	engine-balance engine-preempt engine-estimator
PROGRAMS += unit-engine unit-engine-prop $(addprefix unit-,$(ENGINE_UNITS))
UNIT_TESTS += unit-engine unit-engine-prop $(addprefix unit-,$(ENGINE_UNITS))
unit-engine_SRCS := selftests/unit/engine.c $(CORE_SRCS)
unit-engine-prop_SRCS := selftests/unit/engine_prop.c $(CORE_SRCS)
$(foreach u,$(ENGINE_UNITS),$(eval unit-$(u)_SRCS := \
	selftests/unit/$(subst -,_,$(u)).c $(CORE_SRCS)))
