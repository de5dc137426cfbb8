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
	ASSERT_EQ(0, lsc_task_start(&w->eng, T(w, 1), 0));
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
	ASSERT_EQ(-LSC_EBUSY, lsc_agent_resize(&w->eng, A(w, 1), cap, 0));
	cap[LSC_RES_CPU] = 7000;
	ASSERT_EQ(-LSC_EOVERCOMMIT, lsc_agent_resize(&w->eng, A(w, 1), cap, 0));
	cap[LSC_RES_CPU] = 6000;
	ASSERT_EQ(0, lsc_agent_resize(&w->eng, A(w, 1), cap, 0));
	ASSERT_EQ(8000, w->eng.reserved[LSC_RES_CPU]);
	ASSERT_EQ(500, A(w, 1)->load);
	/* The grown agent now takes a 3-CPU task next to the first. */
	add_task(w, 2, 1, 3000, 1, 10);
	ASSERT_EQ(1, lsc_dispatch(&w->eng, 0));
	ASSERT_EQ(A(w, 1), T(w, 2)->agent);
	/* Shrinking an idle agent is always possible. */
	cap[LSC_RES_CPU] = 1000;
	cap[LSC_RES_MEM] = 4 * GB;
	ASSERT_EQ(0, lsc_agent_resize(&w->eng, A(w, 2), cap, 0));
	ASSERT_EQ(6000 + 1000, w->eng.reserved[LSC_RES_CPU]);
	free(w);
}

/*
 * A 4-CPU agent running a 1-CPU task reports 450: 200 per-mille, 800 m,
 * beyond its task's 250.  Resized to 2 CPUs the same 800 m are 400
 * per-mille (the task 500), at 8 CPUs 100 (the task 125); with no CPU
 * reserved there are no millicores to keep.
 */
TEST(resize_keeps_the_measured_excess_in_millicores)
{
	struct world *w = world_new();
	u64 cap[LSC_NR_RES] = { 2000, 8 * GB, 0, 0 };
	struct lsc_agent *a = add_agent(w, 1, 4, 8, 2, 0);

	add_task(w, 1, 1, 1000, 1, 10);
	lsc_dispatch(&w->eng, 0);
	ASSERT_EQ(0, lsc_task_start(&w->eng, T(w, 1), 0));
	lsc_agent_set_measured(&w->eng, a, 450, 0);
	ASSERT_EQ(450, a->load);
	ASSERT_EQ(0, lsc_agent_resize(&w->eng, a, cap, 0));
	ASSERT_EQ(400, a->meas_excess);
	ASSERT_EQ(900, a->load);
	cap[LSC_RES_CPU] = 8000;
	ASSERT_EQ(0, lsc_agent_resize(&w->eng, a, cap, 0));
	ASSERT_EQ(100, a->meas_excess);
	ASSERT_EQ(225, a->load);
	/* A negative excess keeps its millicores too: 200 m below. */
	lsc_agent_set_measured(&w->eng, a, 100, 0);
	ASSERT_EQ(-25, a->meas_excess);
	cap[LSC_RES_CPU] = 2000;
	ASSERT_EQ(0, lsc_agent_resize(&w->eng, a, cap, 0));
	ASSERT_EQ(-100, a->meas_excess);
	ASSERT_EQ(500, a->load);
	/* Saturating: 65035 per-mille of 2 CPUs is far past 1 m. */
	lsc_agent_set_measured(&w->eng, a, LSC_LOAD_MAX, 0);
	ASSERT_EQ(LSC_LOAD_MAX - 500, a->meas_excess);
	ASSERT_EQ(0, lsc_task_complete(&w->eng, T(w, 1), 0, 0));
	cap[LSC_RES_CPU] = 1;
	ASSERT_EQ(0, lsc_agent_resize(&w->eng, a, cap, 0));
	ASSERT_EQ(LSC_LOAD_MAX, a->meas_excess);
	ASSERT_EQ(LSC_LOAD_MAX, a->load);
	cap[LSC_RES_CPU] = 0;
	ASSERT_EQ(0, lsc_agent_resize(&w->eng, a, cap, 0));
	ASSERT_EQ(0, a->meas_excess);
	free(w);
}

TEST(lost_agent_is_fenced_until_it_is_removed)
{
	struct world *w = world_new();
	struct lsc_agent *a;
	u32 i;

	a = add_agent(w, 1, 8, 8, 4, 0);
	add_agent(w, 2, 8, 8, 4, 0);
	/* Tasks 1-4 on agent 1: never fetched, fetched, running, running
	 * with a retry left.
	 */
	for (i = 1; i <= 4; i++)
		add_task(w, i, 1, 2000, 1, 10);
	T(w, 1)->retries = 1;
	T(w, 4)->retries = 1;
	lsc_agent_set_health(&w->eng, A(w, 2), LSC_AGENT_DRAINING, 0);
	ASSERT_EQ(4, lsc_dispatch(&w->eng, 0));
	T(w, 2)->flags |= LSC_TASK_F_PINNED;
	lsc_task_start(&w->eng, T(w, 3), 0);
	lsc_task_start(&w->eng, T(w, 4), 0);
	lsc_agent_set_health(&w->eng, A(w, 2), LSC_AGENT_UP, 0);
	ASSERT_EQ(0, lsc_agent_set_health(&w->eng, a, LSC_AGENT_LOST, 1));
	/* It never ran: back to the queue at no cost, onto agent 2. */
	ASSERT_EQ(LSC_TASK_RUNNABLE, T(w, 1)->state);
	ASSERT_EQ(1, T(w, 1)->retries);
	for (i = 2; i <= 4; i++) {
		ASSERT_EQ(LSC_TASK_STOPPING, T(w, i)->state);
		ASSERT_EQ(LSC_STOP_AGENT_LOST, T(w, i)->stop_reason);
		ASSERT_EQ(a, T(w, i)->agent);
	}
	ASSERT_EQ(0, w->nr_stop_cb);		/* the caller fences the agent */
	ASSERT_EQ(6000, a->committed[LSC_RES_CPU]);
	ASSERT_EQ(3, a->used_slots);
	ASSERT_EQ(16000, w->eng.reserved[LSC_RES_CPU]);
	ASSERT_EQ(1, lsc_dispatch(&w->eng, 1));
	ASSERT_EQ(A(w, 2), T(w, 1)->agent);
	/* Its tasks stop when it is removed: nothing of it runs any more. */
	ASSERT_EQ(0, lsc_agent_remove(&w->eng, a, 2));
	ASSERT_EQ(LSC_TASK_FAILED, T(w, 2)->state);
	ASSERT_EQ(LSC_FAIL_AGENT_LOST, T(w, 2)->reason);
	ASSERT_EQ(LSC_TASK_FAILED, T(w, 3)->state);
	ASSERT_EQ(LSC_TASK_RUNNABLE, T(w, 4)->state);
	ASSERT_EQ(0, T(w, 4)->retries);
	ASSERT_EQ(1, T(w, 4)->level);
	ASSERT_EQ(8000, w->eng.reserved[LSC_RES_CPU]);
	ASSERT_EQ(NULL, w->violation);
	free(w);
}

TEST(remove_of_an_agent_never_lost_fences_and_resolves_at_once)
{
	struct world *w = world_new();

	add_agent(w, 1, 4, 8, 2, 0);
	add_task(w, 1, 1, 1000, 1, 10);
	add_task(w, 2, 1, 1000, 1, 10);
	lsc_dispatch(&w->eng, 0);
	lsc_task_start(&w->eng, T(w, 2), 0);
	lsc_task_cancel(&w->eng, T(w, 2), 0);
	ASSERT_EQ(LSC_TASK_STOPPING, T(w, 2)->state);
	ASSERT_EQ(0, lsc_agent_remove(&w->eng, A(w, 1), 1));
	ASSERT_EQ(LSC_TASK_RUNNABLE, T(w, 1)->state);	/* never ran */
	ASSERT_EQ(LSC_TASK_CANCELLED, T(w, 2)->state);	/* its stop decides */
	ASSERT_EQ(0, w->eng.reserved[LSC_RES_CPU]);
	free(w);
}

TEST(resize_with_slots_never_below_what_tasks_hold_and_atomic)
{
	struct world *w = world_new();
	u64 host[LSC_NR_RES] = { 16000, 32 * GB, 0, 0 };
	u64 cap[LSC_NR_RES] = { 4000, 8 * GB, 0, 0 };
	struct lsc_agent *a;
	struct lsc_task *v;

	lsc_set_host_capacity(&w->eng, host);
	a = add_agent(w, 1, 4, 8, 2, 0);
	v = mk_task(w, 1, 1, 2000, 3, 100);
	v->flags |= LSC_TASK_F_PREEMPTIBLE;
	submit(w, v, 0);
	add_task(w, 2, 1, 1000, 1, 100);
	lsc_dispatch(&w->eng, 0);
	lsc_task_start(&w->eng, v, 0);
	/* Freeze v for a head of 3 CPUs: 3 GB frozen, the head 1 more. */
	add_task(w, 3, 5, 3000, 1, 10);
	lsc_dispatch(&w->eng, 0);
	lsc_task_frozen(&w->eng, v, 0);
	lsc_dispatch(&w->eng, 0);
	ASSERT_EQ(a, T(w, 3)->agent);
	ASSERT_EQ(2, a->used_slots);
	ASSERT_EQ(3 * GB, a->frozen[LSC_RES_MEM]);
	ASSERT_EQ(-LSC_EINVAL, lsc_agent_resize(&w->eng, a, cap,
						LSC_AGENT_MAX_SLOTS + 1));
	ASSERT_EQ(-LSC_EBUSY, lsc_agent_resize(&w->eng, a, cap, 1));
	/* 2 GB held by the running tasks + 3 GB frozen: 4 GB is too few. */
	cap[LSC_RES_MEM] = 4 * GB;
	ASSERT_EQ(-LSC_EBUSY, lsc_agent_resize(&w->eng, a, cap, 0));
	cap[LSC_RES_MEM] = 5 * GB;
	ASSERT_EQ(0, lsc_agent_resize(&w->eng, a, cap, 0));
	cap[LSC_RES_CPU] = 3000;
	ASSERT_EQ(-LSC_EBUSY, lsc_agent_resize(&w->eng, a, cap, 0));
	cap[LSC_RES_CPU] = 20000;
	ASSERT_EQ(-LSC_EOVERCOMMIT, lsc_agent_resize(&w->eng, a, cap, 3));
	/* Nothing changed on error. */
	ASSERT_EQ(2, a->slots);
	ASSERT_EQ(4000, a->cap[LSC_RES_CPU]);
	ASSERT_EQ(5 * GB, a->cap[LSC_RES_MEM]);
	ASSERT_EQ(5 * GB, w->eng.reserved[LSC_RES_MEM]);
	/* Grow: more CPU and a third slot, so the frozen task thaws. */
	cap[LSC_RES_CPU] = 6000;
	cap[LSC_RES_MEM] = 8 * GB;
	ASSERT_EQ(0, lsc_agent_resize(&w->eng, a, cap, 3));
	ASSERT_EQ(3, a->slots);
	ASSERT_EQ(6000, w->eng.reserved[LSC_RES_CPU]);
	lsc_dispatch(&w->eng, 0);
	ASSERT_TRUE(v->flags & LSC_TASK_F_THAWING);
	ASSERT_EQ(3, a->used_slots);
	ASSERT_EQ(NULL, w->violation);
	free(w);
}

TEST(resize_refuses_a_size_a_frozen_task_could_never_thaw_in)
{
	struct world *w = world_new();
	u64 cap[LSC_NR_RES] = { 1500, 8 * GB, 0, 0 };
	struct lsc_agent *a;
	struct lsc_task *v, *h;

	a = add_agent(w, 1, 4, 8, 1, 0);
	v = mk_task(w, 1, 1, 2000, 3, 100);
	v->flags |= LSC_TASK_F_PREEMPTIBLE;
	submit(w, v, 0);
	lsc_dispatch(&w->eng, 0);
	lsc_task_start(&w->eng, v, 0);
	h = add_task(w, 2, 5, 1000, 1, 10);
	lsc_dispatch(&w->eng, 0);
	lsc_task_frozen(&w->eng, v, 0);
	lsc_dispatch(&w->eng, 0);
	lsc_task_complete(&w->eng, h, 0, 1);
	/* Nothing runs; v (2 CPUs) is frozen: 1.5 CPUs holds what is held,
	 * but v could never thaw in it.
	 */
	ASSERT_EQ(0, a->committed[LSC_RES_CPU]);
	ASSERT_EQ(-LSC_EBUSY, lsc_agent_resize(&w->eng, a, cap, 0));
	cap[LSC_RES_CPU] = 2000;
	ASSERT_EQ(0, lsc_agent_resize(&w->eng, a, cap, 0));
	lsc_dispatch(&w->eng, 1);
	ASSERT_TRUE(v->flags & LSC_TASK_F_THAWING);
	free(w);
}

/* ---------------------------------------------------------------- slots */

/*
 * Classes get slots of their own up to LSC_SLOT_SHARED; further classes
 * share the last one, and tasks for them still find them.
 */
TEST(classes_beyond_the_slots_share_the_last_one)
{
	struct lsc_engine eng;
	static struct lsc_agent agents[80];
	static struct lsc_task tasks[80];
	struct lsc_user user;
	u64 host[LSC_NR_RES] = { 1ULL << 40, 1ULL << 50, 0, 0 };
	u32 i;

	lsc_engine_init(&eng, NULL, NULL);
	lsc_set_host_capacity(&eng, host);
	lsc_user_init(&user, 1);
	lsc_user_add(&eng, &user);
	for (i = 0; i < 80; i++) {
		lsc_agent_init(&agents[i], i + 1);
		agents[i].cap[LSC_RES_CPU] = 1000 * (i + 1);
		agents[i].cap[LSC_RES_MEM] = GB;
		ASSERT_EQ(0, lsc_agent_add(&eng, &agents[i], 0));
		ASSERT_EQ(i < LSC_SLOT_SHARED ? i : LSC_SLOT_SHARED,
			  agents[i].cls->slot);
	}
	ASSERT_EQ(80, eng.nr_classes);
	/* Task i needs i + 1 CPUs: agents i.. can hold it. */
	for (i = 0; i < 80; i++) {
		lsc_task_init(&tasks[i], i + 1);
		tasks[i].demand[LSC_RES_CPU] = 1000 * (i + 1);
		tasks[i].est_ns = SEC;
		ASSERT_EQ(0, lsc_task_submit(&eng, &tasks[i], &user, NULL, 0,
					     NULL, 0, 0));
	}
	/* In id order, each task finds an agent that can hold it. */
	ASSERT_EQ(80, lsc_dispatch(&eng, 0) + eng.nr_runnable);
	while (eng.nr_runnable) {
		for (i = 0; i < 80; i++)
			if (tasks[i].state == LSC_TASK_ASSIGNED)
				lsc_task_complete(&eng, &tasks[i], 0, SEC);
		ASSERT_LT(0, lsc_dispatch(&eng, SEC));
	}
	for (i = 0; i < 80; i++)
		if (tasks[i].state == LSC_TASK_ASSIGNED)
			lsc_task_complete(&eng, &tasks[i], 0, 2 * SEC);
	for (i = 0; i < 80; i++)
		ASSERT_EQ(LSC_TASK_SUCCEEDED, tasks[i].state);
	for (i = 0; i < 80; i++)
		ASSERT_EQ(0, lsc_agent_remove(&eng, &agents[i], 3 * SEC));
	ASSERT_EQ(0, eng.up_slots);
	ASSERT_EQ(0, eng.nr_shared_up);
}

/*
 * A class that leaves frees its slot only once no partition's mask names
 * it; its tasks stay parked until a class that can hold them comes, and
 * the new class makes the engine file them again.
 */
TEST(a_class_slot_is_not_reused_while_a_mask_names_it)
{
	struct world *w = world_new();
	u32 slot;

	add_agent(w, 1, 8, 8, 1, 0);
	add_agent(w, 2, 2, 2, 1, 0);
	add_task(w, 1, 1, 6000, 4, 10);		/* only agent 1 */
	slot = A(w, 1)->cls->slot;
	ASSERT_EQ(0, lsc_agent_remove(&w->eng, A(w, 1), 0));
	ASSERT_EQ(NULL, w->eng.slot_cls[slot]);
	ASSERT_EQ(LSC_WAIT_NO_AGENT, lsc_task_wait(&w->eng, T(w, 1)));
	/* A smaller new class: it does not get the old slot. */
	add_agent(w, 3, 4, 4, 1, 0);
	ASSERT_NE(slot, A(w, 3)->cls->slot);
	ASSERT_EQ(LSC_WAIT_NO_AGENT, lsc_task_wait(&w->eng, T(w, 1)));
	/* One that can hold the task: re-filed, it runs. */
	add_agent(w, 4, 6, 4, 1, 0);
	ASSERT_EQ(LSC_WAIT_TURN, lsc_task_wait(&w->eng, T(w, 1)));
	ASSERT_EQ(1, lsc_dispatch(&w->eng, 0));
	ASSERT_EQ(A(w, 4), T(w, 1)->agent);
	free(w);
}

TEST_HARNESS_MAIN
