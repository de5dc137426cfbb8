// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the ledger (kmod/core/ledger.c): fit by capacity and
 * tags, classes and their slots, host capacity, resizing.
 */
#include "engine_util.h"
#include "kselftest_harness.h"

TEST(fit_needs_every_kind_tags_and_a_free_slot)
{
	struct world *w = world_new();
	struct lsc_task *t;

	add_agent(w, 1, 4, 8, 1, 0x1);
	/* Memory too large. */
	t = add_task(w, 1, 1, 1000, 9, 1);
	/* Tag 0x2 missing. */
	t = mk_task(w, 2, 1, 1000, 1, 1);
	t->tags = 0x2;
	submit(w, t, 0);
	/* GPU missing. */
	t = mk_task(w, 3, 1, 1000, 1, 1);
	t->demand[LSC_RES_GPU] = 1;
	submit(w, t, 0);
	ASSERT_EQ(0, lsc_dispatch(&w->eng, w->now));
	ASSERT_FALSE(lsc_task_can_ever_fit(&w->eng, T(w, 1)));
	ASSERT_FALSE(lsc_task_can_ever_fit(&w->eng, T(w, 2)));
	ASSERT_FALSE(lsc_task_can_ever_fit(&w->eng, T(w, 3)));
	/* Exact fit with the required tag works; the single slot is then used. */
	t = mk_task(w, 4, 1, 4000, 8, 1);
	t->tags = 0x1;
	submit(w, t, 0);
	add_task(w, 5, 1, 0, 0, 1);
	ASSERT_TRUE(lsc_task_can_ever_fit(&w->eng, T(w, 4)));
	ASSERT_EQ(1, lsc_dispatch(&w->eng, w->now));
	ASSERT_EQ(LSC_TASK_ASSIGNED, T(w, 4)->state);
	ASSERT_EQ(LSC_TASK_RUNNABLE, T(w, 5)->state);
	free(w);
}

TEST(can_ever_fit_ignores_lost_agents)
{
	struct world *w = world_new();
	struct lsc_task *t = mk_task(w, 1, 1, 3000, 1, 1);

	ASSERT_FALSE(lsc_task_can_ever_fit(&w->eng, t));
	add_agent(w, 1, 4, 8, 1, 0);
	ASSERT_TRUE(lsc_task_can_ever_fit(&w->eng, t));
	lsc_agent_set_health(&w->eng, A(w, 1), LSC_AGENT_DRAINING, 0);
	ASSERT_TRUE(lsc_task_can_ever_fit(&w->eng, t));
	lsc_agent_set_health(&w->eng, A(w, 1), LSC_AGENT_LOST, 0);
	ASSERT_FALSE(lsc_task_can_ever_fit(&w->eng, t));
	free(w);
}

TEST(many_agents_in_one_class_all_used)
{
	struct world *w = world_new();
	u32 i;

	for (i = 1; i <= W_AGENTS; i++)
		ASSERT_NE(NULL, add_agent(w, i, 2, 2, 1, 0));
	ASSERT_EQ(1, w->eng.nr_classes);
	for (i = 1; i <= 20; i++)
		add_task(w, i, 1, 1000, 1, 5);
	ASSERT_EQ(W_AGENTS, lsc_dispatch(&w->eng, 0));
	/* Remove the class host: the class moves, the others still work. */
	ASSERT_EQ(0, lsc_agent_remove(&w->eng, A(w, 1), 0));
	ASSERT_EQ(1, w->eng.nr_classes);
	ASSERT_EQ(LSC_TASK_FAILED, T(w, 1)->state);	/* no retries left */
	ASSERT_EQ(LSC_FAIL_AGENT_LOST, T(w, 1)->reason);
	run_to_idle(w);
	for (i = 2; i <= 20; i++)
		ASSERT_EQ(LSC_TASK_SUCCEEDED, T(w, i)->state);
	free(w);
}

TEST(ledger_refuses_agent_that_overcommits_host)
{
	struct world *w = world_new();
	u64 host[LSC_NR_RES] = { 8000, 16 * GB, 0, 0 };
	struct lsc_agent *a;

	ASSERT_EQ(0, lsc_set_host_capacity(&w->eng, host));
	ASSERT_NE(NULL, add_agent(w, 1, 4, 8, 1, 0));
	ASSERT_NE(NULL, add_agent(w, 2, 4, 4, 1, 0));
	a = A(w, 3);
	lsc_agent_init(a, 3);
	a->cap[LSC_RES_CPU] = 1;
	ASSERT_EQ(-LSC_EOVERCOMMIT, lsc_agent_add(&w->eng, a, 0));
	a->cap[LSC_RES_CPU] = 0;
	a->cap[LSC_RES_GPU] = 1;
	ASSERT_EQ(-LSC_EOVERCOMMIT, lsc_agent_add(&w->eng, a, 0));
	a->cap[LSC_RES_GPU] = 0;
	a->cap[LSC_RES_MEM] = 4 * GB;
	ASSERT_EQ(0, lsc_agent_add(&w->eng, a, 0));
	ASSERT_EQ(-LSC_EEXIST, lsc_agent_add(&w->eng, a, 0));
	ASSERT_EQ(16 * GB, w->eng.reserved[LSC_RES_MEM]);
	host[LSC_RES_CPU] = 7000;
	ASSERT_EQ(-LSC_EOVERCOMMIT, lsc_set_host_capacity(&w->eng, host));
	ASSERT_EQ(0, lsc_agent_remove(&w->eng, A(w, 1), 0));
	ASSERT_EQ(4000, w->eng.reserved[LSC_RES_CPU]);
	ASSERT_EQ(-LSC_ENOENT, lsc_agent_remove(&w->eng, A(w, 1), 0));
	free(w);
}

TEST(resize_stays_above_committed_and_within_host)
{
	struct world *w = world_new();
	u64 host[LSC_NR_RES] = { 8000, 16 * GB, 0, 0 };
	u64 cap[LSC_NR_RES] = { 0 };

	lsc_set_host_capacity(&w->eng, host);
	add_agent(w, 1, 4, 8, 2, 0);
	add_agent(w, 2, 2, 4, 1, 0);
	add_task(w, 1, 1, 3000, 2, 10);
	lsc_dispatch(&w->eng, 0);
	cap[LSC_RES_CPU] = 2000;
	cap[LSC_RES_MEM] = 8 * GB;
	ASSERT_EQ(-LSC_EBUSY, lsc_agent_resize(&w->eng, A(w, 1), cap));
	cap[LSC_RES_CPU] = 7000;
	ASSERT_EQ(-LSC_EOVERCOMMIT, lsc_agent_resize(&w->eng, A(w, 1), cap));
	cap[LSC_RES_CPU] = 6000;
	ASSERT_EQ(0, lsc_agent_resize(&w->eng, A(w, 1), cap));
	ASSERT_EQ(8000, w->eng.reserved[LSC_RES_CPU]);
	ASSERT_EQ(500, A(w, 1)->load);
	/* The grown agent now takes a 3-CPU task next to the first. */
	add_task(w, 2, 1, 3000, 1, 10);
	ASSERT_EQ(1, lsc_dispatch(&w->eng, 0));
	ASSERT_EQ(A(w, 1), T(w, 2)->agent);
	/* Shrinking an idle agent is always possible. */
	cap[LSC_RES_CPU] = 1000;
	cap[LSC_RES_MEM] = 4 * GB;
	ASSERT_EQ(0, lsc_agent_resize(&w->eng, A(w, 2), cap));
	ASSERT_EQ(6000 + 1000, w->eng.reserved[LSC_RES_CPU]);
	free(w);
}

TEST_HARNESS_MAIN
