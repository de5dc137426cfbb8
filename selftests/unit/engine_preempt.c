// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of preemption by freezing (kmod/core/preempt.c): the
 * choice of victims, freeze rounds, what a frozen task keeps (the ledger,
 * exactly), thaw order, and the races of freezes and thaws with
 * completion, cancellation, time limits and fencing.
 */
#include "engine_util.h"
#include "kselftest_harness.h"

/* Task @id submitted, dispatched and started now (it must get an agent). */
static struct lsc_task *run_task(struct world *w, u64 id, u32 prio,
				 u64 millicpu, u64 gb, u64 est_s, bool pre)
{
	struct lsc_task *t = mk_task(w, id, prio, millicpu, gb, est_s);

	if (pre)
		t->flags |= LSC_TASK_F_PREEMPTIBLE;
	if (submit(w, t, 0))
		return NULL;
	lsc_dispatch(&w->eng, w->now);
	if (t->state != LSC_TASK_ASSIGNED ||
	    lsc_task_start(&w->eng, t, w->now))
		return NULL;
	return t;
}

/* The same, preemptible, with tags that place it on one agent. */
static struct lsc_task *run_tagged(struct world *w, u64 id, u32 prio,
				   u64 millicpu, u64 tags)
{
	struct lsc_task *t = mk_task(w, id, prio, millicpu, 1, 100);

	t->flags |= LSC_TASK_F_PREEMPTIBLE;
	t->tags = tags;
	if (submit(w, t, 0))
		return NULL;
	lsc_dispatch(&w->eng, w->now);
	if (t->state != LSC_TASK_ASSIGNED ||
	    lsc_task_start(&w->eng, t, w->now))
		return NULL;
	return t;
}

/*
 * One agent (4 CPUs, 8 GB, one slot) runs preemptible task 1 (priority 1,
 * 4 CPUs, @gb GB, 100 s) when head task 2 (priority 5, 4 CPUs, 1 GB,
 * 10 s) arrives: a freeze round is in flight for it at time 0.  With
 * @frozen the freeze lands and task 2 is assigned.  Returns the agent.
 */
static struct lsc_agent *one_round(struct world *w, u64 gb, bool frozen)
{
	struct lsc_agent *a = add_agent(w, 1, 4, 8, 1, 0);

	if (!a || !run_task(w, 1, 1, 4000, gb, 100, true) ||
	    !add_task(w, 2, 5, 4000, 1, 10))
		return NULL;
	lsc_dispatch(&w->eng, 0);
	if (frozen) {
		lsc_task_frozen(&w->eng, T(w, 1), 0);
		lsc_dispatch(&w->eng, 0);
	}
	return a;
}

/* Dispatch: @v freezes for @h, which is then assigned and started. */
static void freeze_for(struct world *w, struct lsc_task *v,
		       struct lsc_task *h)
{
	lsc_dispatch(&w->eng, w->now);
	lsc_task_frozen(&w->eng, v, w->now);
	lsc_dispatch(&w->eng, w->now);
	lsc_task_start(&w->eng, h, w->now);
}

/* The tasks asked to freeze since log entry @from, as a bit mask of ids. */
static u64 frozen_asked(struct world *w, u32 from)
{
	u64 m = 0;
	u32 i;

	for (i = from; i < w->nr_log; i++)
		if (w->log[i].kind == 'z')
			m |= 1ULL << w->log[i].task;
	return m;
}

static u32 count_log(struct world *w, char kind)
{
	u32 i, n = 0;

	for (i = 0; i < w->nr_log; i++)
		n += w->log[i].kind == kind;
	return n;
}

TEST(victims_lowest_priority_first_then_least_progress_as_few_as_fit)
{
	struct world *w = world_new();
	struct lsc_task *h;
	u32 mark;

	/* One agent, 8 CPUs, 4 slots, four preemptible tasks of 2 CPUs. */
	add_agent(w, 1, 8, 16, 4, 0);
	ASSERT_NE(NULL, run_task(w, 1, 2, 2000, 1, 100, true));
	w->now = 1 * SEC;
	ASSERT_NE(NULL, run_task(w, 2, 1, 2000, 1, 100, true));
	w->now = 2 * SEC;
	ASSERT_NE(NULL, run_task(w, 3, 1, 2000, 1, 100, true));
	w->now = 3 * SEC;
	ASSERT_NE(NULL, run_task(w, 4, 3, 2000, 1, 100, true));
	/* The head needs 4 CPUs: two victims, priority 1 both (2 and 3). */
	w->now = 4 * SEC;
	mark = w->nr_log;
	h = add_task(w, 5, 4, 4000, 1, 10);
	ASSERT_EQ(0, lsc_dispatch(&w->eng, w->now));
	ASSERT_EQ((1ULL << 2) | (1ULL << 3), frozen_asked(w, mark));
	ASSERT_EQ(h, w->eng.resv_task);
	ASSERT_EQ(A(w, 1), w->eng.resv_agent);
	ASSERT_EQ(w->now, w->eng.resv_ns);
	ASSERT_TRUE(h->flags & LSC_TASK_F_PREEMPTING);
	ASSERT_EQ(2, A(w, 1)->nr_freezing);
	ASSERT_EQ(1, w->eng.stats.preemptions);
	ASSERT_EQ(2, w->eng.stats.freezes);
	ASSERT_EQ(0, lsc_task_frozen(&w->eng, T(w, 2), w->now));
	ASSERT_EQ(h, A(w, 1)->preempt_for);	/* one still freezing */
	ASSERT_EQ(0, lsc_dispatch(&w->eng, w->now));
	ASSERT_EQ(0, lsc_task_frozen(&w->eng, T(w, 3), w->now));
	ASSERT_EQ(NULL, A(w, 1)->preempt_for);
	ASSERT_EQ(1, lsc_dispatch(&w->eng, w->now));
	ASSERT_EQ(A(w, 1), h->agent);
	ASSERT_EQ(NULL, w->violation);
	free(w);
}

TEST(least_progress_decides_between_victims_of_one_priority)
{
	struct world *w = world_new();
	u32 mark;

	add_agent(w, 1, 4, 8, 2, 0);
	ASSERT_NE(NULL, run_task(w, 1, 1, 2000, 1, 100, true));
	w->now = 5 * SEC;
	ASSERT_NE(NULL, run_task(w, 2, 1, 2000, 1, 100, true));
	w->now = 6 * SEC;
	mark = w->nr_log;
	add_task(w, 3, 2, 2000, 1, 10);
	lsc_dispatch(&w->eng, w->now);
	ASSERT_EQ(1ULL << 2, frozen_asked(w, mark));	/* started later */
	free(w);
}

TEST(no_victim_of_equal_or_higher_priority_nor_unflagged_nor_assigned)
{
	struct world *w = world_new();
	struct lsc_task *t;

	add_agent(w, 1, 2, 8, 1, 0);
	add_agent(w, 2, 2, 8, 1, 0);
	add_agent(w, 3, 2, 8, 1, 0);
	ASSERT_NE(NULL, run_task(w, 1, 5, 2000, 1, 100, true));	/* equal */
	ASSERT_NE(NULL, run_task(w, 2, 1, 2000, 1, 100, false));	/* flag */
	t = mk_task(w, 3, 1, 2000, 1, 100);			/* not started */
	t->flags |= LSC_TASK_F_PREEMPTIBLE;
	submit(w, t, 0);
	lsc_dispatch(&w->eng, 0);
	ASSERT_EQ(LSC_TASK_ASSIGNED, t->state);
	add_task(w, 4, 5, 2000, 1, 10);
	lsc_dispatch(&w->eng, 0);
	ASSERT_EQ(0, count_log(w, 'z'));
	ASSERT_EQ(0, w->eng.stats.preemptions);
	ASSERT_EQ(0, T(w, 4)->flags & LSC_TASK_F_PREEMPTING);
	free(w);
}

TEST(victims_keep_their_memory_so_the_head_must_fit_it_already)
{
	struct world *w = world_new();

	add_agent(w, 1, 4, 8, 1, 0);
	ASSERT_NE(NULL, run_task(w, 1, 1, 2000, 6, 100, true));
	/* 2 GB are free, freezing frees none: a 5 GB head waits. */
	add_task(w, 2, 3, 1000, 5, 10);
	lsc_dispatch(&w->eng, 0);
	ASSERT_EQ(0, count_log(w, 'z'));
	/* A 2 GB one gets the CPU and the slot. */
	lsc_task_cancel(&w->eng, T(w, 2), 0);
	add_task(w, 3, 3, 4000, 2, 10);
	lsc_dispatch(&w->eng, 0);
	ASSERT_EQ(1, count_log(w, 'z'));
	free(w);
}

TEST(among_agents_lowest_top_priority_then_fewest_victims_then_lowest_id)
{
	struct world *w = world_new();
	u32 mark;

	/* Agent 1: two 1-CPU victims of priority 1; agent 2: one 2-CPU
	 * victim of priority 2; agents 3 and 4: one 2-CPU victim of
	 * priority 1 each (tags place the victims).
	 */
	add_agent(w, 1, 2, 8, 2, 1);
	add_agent(w, 2, 2, 8, 1, 2);
	add_agent(w, 3, 2, 8, 1, 4);
	add_agent(w, 4, 2, 8, 1, 8);
	ASSERT_NE(NULL, run_tagged(w, 1, 1, 1000, 1));
	ASSERT_NE(NULL, run_tagged(w, 2, 1, 1000, 1));
	ASSERT_NE(NULL, run_tagged(w, 3, 2, 2000, 2));
	ASSERT_NE(NULL, run_tagged(w, 4, 1, 2000, 8));
	ASSERT_NE(NULL, run_tagged(w, 5, 1, 2000, 4));
	ASSERT_EQ(A(w, 1), T(w, 2)->agent);
	ASSERT_EQ(A(w, 4), T(w, 4)->agent);
	mark = w->nr_log;
	add_task(w, 6, 4, 2000, 1, 10);
	lsc_dispatch(&w->eng, 0);
	/* Priority 1 beats 2; one victim beats two; then the least progress
	 * (equal here), then the lower agent id: agent 3's task 5.
	 */
	ASSERT_EQ(1ULL << 5, frozen_asked(w, mark));
	ASSERT_EQ(A(w, 3), w->eng.resv_agent);
	free(w);
}

TEST(frozen_task_keeps_memory_gives_up_cpu_and_slot_exactly)
{
	struct world *w = world_new();
	struct lsc_agent *a;
	struct lsc_task *v, *h;

	a = add_agent(w, 1, 4, 8, 1, 0);
	v = run_task(w, 1, 1, 3000, 5, 100, true);
	ASSERT_NE(NULL, v);
	w->now = 10 * SEC;
	h = add_task(w, 2, 2, 4000, 3, 10);
	lsc_dispatch(&w->eng, w->now);
	ASSERT_TRUE(v->flags & LSC_TASK_F_FREEZING);
	/* Until the agent confirms, the victim holds all it had. */
	ASSERT_EQ(3000, a->committed[LSC_RES_CPU]);
	ASSERT_EQ(1, a->used_slots);
	ASSERT_EQ(LSC_TASK_RUNNABLE, h->state);
	w->now = 11 * SEC;
	ASSERT_EQ(0, lsc_task_frozen(&w->eng, v, w->now));
	ASSERT_EQ(LSC_TASK_FROZEN, v->state);
	ASSERT_EQ(0, a->committed[LSC_RES_CPU]);
	ASSERT_EQ(0, a->committed[LSC_RES_MEM]);
	ASSERT_EQ(0, a->frozen[LSC_RES_CPU]);
	ASSERT_EQ(5 * GB, a->frozen[LSC_RES_MEM]);
	ASSERT_EQ(0, a->used_slots);
	ASSERT_EQ(1, a->nr_frozen);
	ASSERT_EQ(625, a->load);			/* 5 of 8 GB held */
	ASSERT_EQ(5 * GB, w->users[0].alloc[LSC_RES_MEM]);
	ASSERT_EQ(0, w->users[0].alloc[LSC_RES_CPU]);
	ASSERT_EQ(1, w->eng.nr_active);		/* frozen is on its agent */
	ASSERT_EQ(0, a->nr_freezing);
	ASSERT_EQ(NULL, a->preempt_for);
	/* The head takes the CPU and the slot, not more memory than left. */
	ASSERT_EQ(1, lsc_dispatch(&w->eng, w->now));
	ASSERT_EQ(a, h->agent);
	ASSERT_EQ(4000, a->committed[LSC_RES_CPU]);
	ASSERT_EQ(3 * GB, a->committed[LSC_RES_MEM]);
	ASSERT_EQ(8 * GB, a->committed[LSC_RES_MEM] + a->frozen[LSC_RES_MEM]);
	ASSERT_EQ(0, h->flags & LSC_TASK_F_PREEMPTING);
	ASSERT_EQ(1, w->eng.stats.frozen);
	ASSERT_EQ(NULL, w->violation);
	free(w);
}

TEST(head_keeps_its_room_while_victims_freeze)
{
	struct world *w = world_new();
	struct lsc_agent *a;
	struct lsc_task *h;

	/* 4 CPUs, 2 slots: a preemptible 3-CPU task runs, 1 CPU is free. */
	a = add_agent(w, 1, 4, 8, 2, 0);
	ASSERT_NE(NULL, run_task(w, 1, 1, 3000, 1, 100, true));
	h = add_task(w, 2, 5, 4000, 1, 10);
	/* A small low-priority task behind the head would fit the free CPU
	 * and slot: it stays behind, they are the head's.
	 */
	add_task(w, 3, 0, 1000, 1, 5);
	ASSERT_EQ(0, lsc_dispatch(&w->eng, 0));
	ASSERT_EQ(h, w->eng.resv_task);
	ASSERT_EQ(LSC_TASK_RUNNABLE, T(w, 3)->state);
	/* Dispatch again before the confirmation: no second round. */
	ASSERT_EQ(0, lsc_dispatch(&w->eng, 0));
	ASSERT_EQ(1, count_log(w, 'z'));
	ASSERT_EQ(1, w->eng.stats.preemptions);
	ASSERT_EQ(a, w->eng.resv_agent);
	ASSERT_EQ(LSC_TASK_RUNNABLE, T(w, 3)->state);
	ASSERT_EQ(0, lsc_task_frozen(&w->eng, T(w, 1), 1));
	ASSERT_EQ(1, lsc_dispatch(&w->eng, 1));
	ASSERT_EQ(a, h->agent);
	ASSERT_EQ(LSC_TASK_RUNNABLE, T(w, 3)->state);
	free(w);
}

TEST(one_freeze_round_in_flight_per_agent)
{
	struct world *w = world_new();

	add_agent(w, 1, 4, 8, 2, 0);
	ASSERT_NE(NULL, run_task(w, 1, 1, 2000, 1, 100, true));
	ASSERT_NE(NULL, run_task(w, 2, 1, 2000, 1, 100, true));
	add_task(w, 3, 5, 2000, 1, 10);
	lsc_dispatch(&w->eng, 0);
	ASSERT_EQ(1, A(w, 1)->nr_freezing);
	/* A head of even higher priority: the agent's round is in flight,
	 * the other victim waits for the next round.
	 */
	add_task(w, 4, 9, 2000, 1, 10);
	lsc_dispatch(&w->eng, 0);
	ASSERT_EQ(1, A(w, 1)->nr_freezing);
	ASSERT_EQ(1, count_log(w, 'z'));
	ASSERT_EQ(0, T(w, 4)->flags & LSC_TASK_F_PREEMPTING);
	/* The freed room goes to the first in order, task 4. */
	ASSERT_TRUE(T(w, 2)->flags & LSC_TASK_F_FREEZING);
	lsc_task_frozen(&w->eng, T(w, 2), 1);
	lsc_dispatch(&w->eng, 1);
	ASSERT_EQ(LSC_TASK_ASSIGNED, T(w, 4)->state);
	/* Task 3 is the head now: a new round for it. */
	ASSERT_EQ(2, count_log(w, 'z'));
	ASSERT_EQ(T(w, 3), A(w, 1)->preempt_for);
	free(w);
}

TEST(thaw_once_cpu_and_slot_are_free_with_its_progress_kept)
{
	struct world *w = world_new();
	struct lsc_agent *a;
	struct lsc_task *v, *h;

	a = add_agent(w, 1, 4, 8, 1, 0);
	v = run_task(w, 1, 1, 4000, 2, 100, true);
	w->now = 30 * SEC;		/* ran 30 s of its 100 */
	h = add_task(w, 2, 5, 4000, 1, 10);
	freeze_for(w, v, h);
	/* While the head runs, nothing thaws. */
	ASSERT_EQ(0, count_log(w, 't'));
	w->now = 40 * SEC;
	lsc_task_complete(&w->eng, h, 0, w->now);
	ASSERT_EQ(0, count_log(w, 't'));	/* thaws come with dispatch */
	lsc_dispatch(&w->eng, w->now);
	ASSERT_EQ(1, count_log(w, 't'));
	ASSERT_TRUE(v->flags & LSC_TASK_F_THAWING);
	ASSERT_EQ(LSC_TASK_FROZEN, v->state);
	ASSERT_EQ(4000, a->committed[LSC_RES_CPU]);
	ASSERT_EQ(1, a->used_slots);
	ASSERT_EQ(0, a->frozen[LSC_RES_MEM]);
	ASSERT_EQ(0, a->nr_frozen);
	/* 10 s frozen: it still has 70 s to go, from now. */
	ASSERT_EQ(10 * SEC, v->start_ns);
	ASSERT_EQ(110 * SEC, a->next_end);
	ASSERT_EQ(-LSC_EINVAL, lsc_task_frozen(&w->eng, v, w->now));
	ASSERT_EQ(0, lsc_task_thawed(&w->eng, v, w->now));
	ASSERT_EQ(LSC_TASK_RUNNING, v->state);
	ASSERT_EQ(-LSC_EINVAL, lsc_task_thawed(&w->eng, v, w->now));
	ASSERT_EQ(1, a->nr_preemptible);
	ASSERT_EQ(1, w->eng.stats.thaws);
	ASSERT_EQ(NULL, w->violation);
	free(w);
}

TEST(frozen_task_goes_before_waiting_tasks_of_its_priority_not_higher)
{
	struct world *w = world_new();
	struct lsc_task *v, *h;

	add_agent(w, 1, 4, 8, 1, 0);
	v = run_task(w, 1, 3, 4000, 2, 100, true);
	h = add_task(w, 2, 6, 4000, 1, 10);
	freeze_for(w, v, h);
	/* Waiting: one of priority 3 (the frozen one's), one of 7. */
	add_task(w, 3, 3, 1000, 1, 10);
	add_task(w, 4, 7, 1000, 1, 10);
	lsc_task_complete(&w->eng, h, 0, 1 * SEC);
	lsc_dispatch(&w->eng, 1 * SEC);
	/* Priority 7 first; the frozen task cannot fit beside it. */
	ASSERT_EQ(LSC_TASK_ASSIGNED, T(w, 4)->state);
	ASSERT_EQ(0, count_log(w, 't'));
	ASSERT_EQ(LSC_TASK_RUNNABLE, T(w, 3)->state);
	lsc_task_complete(&w->eng, T(w, 4), 0, 2 * SEC);
	lsc_dispatch(&w->eng, 2 * SEC);
	/* Then the frozen one, before the waiting task of its priority. */
	ASSERT_EQ(1, count_log(w, 't'));
	ASSERT_EQ(LSC_TASK_RUNNABLE, T(w, 3)->state);
	ASSERT_EQ(NULL, w->violation);
	free(w);
}

TEST(agent_keeps_the_first_frozen_tasks_cpu_from_lower_priorities)
{
	struct world *w = world_new();
	struct lsc_task *v, *h;

	/* 4 CPUs, 3 slots; the frozen task needs 3 of them. */
	add_agent(w, 1, 4, 8, 3, 0);
	v = run_task(w, 1, 3, 3000, 1, 100, true);
	h = add_task(w, 2, 6, 2000, 1, 10);
	freeze_for(w, v, h);
	/* 2 CPUs free, the frozen task needs 3: it waits; a 1-CPU task of
	 * lower priority would leave it 1 only: it waits too.  One of
	 * higher priority does not.
	 */
	add_task(w, 3, 2, 1000, 1, 10);
	ASSERT_EQ(0, lsc_dispatch(&w->eng, 0));
	ASSERT_EQ(LSC_WAIT_TURN, lsc_task_wait(&w->eng, T(w, 3)));
	add_task(w, 4, 4, 1000, 1, 10);
	ASSERT_EQ(1, lsc_dispatch(&w->eng, 0));
	ASSERT_EQ(LSC_TASK_ASSIGNED, T(w, 4)->state);
	free(w);
}

TEST(thaw_order_priority_then_earliest_frozen)
{
	struct world *w = world_new();
	struct lsc_task *h1, *h2, *h3;

	/* Three 1-CPU victims of priorities 1, 2, 1 on a 3-CPU agent. */
	add_agent(w, 1, 3, 8, 3, 0);
	ASSERT_NE(NULL, run_task(w, 1, 1, 1000, 1, 100, true));
	ASSERT_NE(NULL, run_task(w, 2, 2, 1000, 1, 100, true));
	ASSERT_NE(NULL, run_task(w, 3, 1, 1000, 1, 100, true));
	/* Heads freeze them one at a time: 3 (latest start), 1, then 2. */
	h1 = add_task(w, 4, 9, 1000, 1, 10);
	lsc_dispatch(&w->eng, 0);
	ASSERT_TRUE(T(w, 3)->flags & LSC_TASK_F_FREEZING);
	w->now = 1 * SEC;
	lsc_task_frozen(&w->eng, T(w, 3), w->now);
	lsc_dispatch(&w->eng, w->now);
	h2 = add_task(w, 5, 9, 1000, 1, 10);
	lsc_dispatch(&w->eng, w->now);
	ASSERT_TRUE(T(w, 1)->flags & LSC_TASK_F_FREEZING);
	w->now = 2 * SEC;
	lsc_task_frozen(&w->eng, T(w, 1), w->now);
	lsc_dispatch(&w->eng, w->now);
	h3 = add_task(w, 6, 9, 1000, 1, 10);
	lsc_dispatch(&w->eng, w->now);
	w->now = 3 * SEC;
	lsc_task_frozen(&w->eng, T(w, 2), w->now);
	lsc_dispatch(&w->eng, w->now);
	ASSERT_EQ(3, A(w, 1)->nr_frozen);
	ASSERT_EQ(A(w, 1), h3->agent);
	/* The heads end one by one: thaws in order 2 (priority), then 3
	 * (frozen before 1), then 1.
	 */
	w->nr_log = 0;
	lsc_task_complete(&w->eng, h1, 0, 4 * SEC);
	lsc_dispatch(&w->eng, 4 * SEC);
	lsc_task_complete(&w->eng, h2, 0, 5 * SEC);
	lsc_dispatch(&w->eng, 5 * SEC);
	lsc_task_complete(&w->eng, h3, 0, 6 * SEC);
	lsc_dispatch(&w->eng, 6 * SEC);
	ASSERT_EQ(3, count_log(w, 't'));
	{
		u64 order[3];
		u32 i, k = 0;

		for (i = 0; i < w->nr_log; i++)
			if (w->log[i].kind == 't')
				order[k++] = w->log[i].task;
		ASSERT_EQ(2, order[0]);
		ASSERT_EQ(3, order[1]);
		ASSERT_EQ(1, order[2]);
	}
	free(w);
}

TEST(thaw_does_not_delay_a_higher_priority_head_reserved_there)
{
	struct world *w = world_new();
	struct lsc_task *v, *h0, *h1;

	/* 4 CPUs, 2 slots: task 1 (not preemptible) and the victim. */
	add_agent(w, 1, 4, 8, 2, 0);
	ASSERT_NE(NULL, run_task(w, 1, 0, 2000, 1, 50, false));
	v = run_task(w, 2, 1, 2000, 1, 100, true);
	h0 = add_task(w, 3, 5, 2000, 1, 10);
	lsc_dispatch(&w->eng, 0);
	lsc_task_frozen(&w->eng, v, 0);
	lsc_dispatch(&w->eng, 0);
	ASSERT_EQ(A(w, 1), h0->agent);
	lsc_task_start(&w->eng, h0, 0);
	/* A 4-CPU head: nothing to freeze, it waits for task 1's end. */
	h1 = add_task(w, 4, 6, 4000, 1, 10);
	lsc_dispatch(&w->eng, 0);
	ASSERT_EQ(h1, w->eng.resv_task);
	ASSERT_EQ(50 * SEC, w->eng.resv_ns);
	/* h0 ends: the frozen task fits the free CPU and slot, but that
	 * would delay h1 at 50 s: it stays frozen.
	 */
	lsc_task_complete(&w->eng, h0, 0, 10 * SEC);
	lsc_dispatch(&w->eng, 10 * SEC);
	ASSERT_EQ(h1, w->eng.resv_task);
	ASSERT_EQ(A(w, 1), w->eng.resv_agent);
	ASSERT_EQ(0, count_log(w, 't'));
	ASSERT_EQ(LSC_TASK_FROZEN, v->state);
	lsc_task_complete(&w->eng, T(w, 1), 0, 50 * SEC);
	ASSERT_EQ(1, lsc_dispatch(&w->eng, 50 * SEC));
	ASSERT_EQ(A(w, 1), h1->agent);
	ASSERT_EQ(0, count_log(w, 't'));
	free(w);
}

/* ---------------------------------------------------------------- races */

TEST(freezing_task_that_completes_leaves_no_round_behind)
{
	struct world *w = world_new();
	struct lsc_task *v, *h;

	ASSERT_NE(NULL, one_round(w, 1, false));
	v = T(w, 1);
	h = T(w, 2);
	ASSERT_EQ(h, A(w, 1)->preempt_for);
	/* It ended by itself before the agent froze it. */
	ASSERT_EQ(0, lsc_task_complete(&w->eng, v, 0, 1));
	ASSERT_EQ(0, A(w, 1)->nr_freezing);
	ASSERT_EQ(NULL, A(w, 1)->preempt_for);
	ASSERT_EQ(0, h->flags & LSC_TASK_F_PREEMPTING);
	ASSERT_EQ(NULL, h->preempt_on);
	/* The late confirmation changes nothing. */
	ASSERT_EQ(-LSC_EINVAL, lsc_task_frozen(&w->eng, v, 2));
	ASSERT_EQ(LSC_TASK_SUCCEEDED, v->state);
	ASSERT_EQ(1, lsc_dispatch(&w->eng, 2));
	ASSERT_EQ(A(w, 1), h->agent);
	free(w);
}

TEST(freezing_task_that_is_cancelled_stops_with_all_it_holds)
{
	struct world *w = world_new();
	struct lsc_task *v, *h;

	ASSERT_NE(NULL, one_round(w, 1, false));
	v = T(w, 1);
	h = T(w, 2);
	ASSERT_EQ(0, lsc_task_cancel(&w->eng, v, 1));
	ASSERT_EQ(LSC_TASK_STOPPING, v->state);
	ASSERT_EQ(0, v->flags & LSC_TASK_F_FREEZING);
	ASSERT_EQ(4000, A(w, 1)->committed[LSC_RES_CPU]);
	ASSERT_EQ(NULL, A(w, 1)->preempt_for);
	ASSERT_EQ(-LSC_EINVAL, lsc_task_frozen(&w->eng, v, 2));
	ASSERT_EQ(LSC_TASK_STOPPING, v->state);
	/* The head waits for the kill, then gets the agent. */
	ASSERT_EQ(0, lsc_dispatch(&w->eng, 2));
	ASSERT_EQ(0, lsc_task_stopped(&w->eng, v, 3));
	ASSERT_EQ(LSC_TASK_CANCELLED, v->state);
	ASSERT_EQ(1, lsc_dispatch(&w->eng, 3));
	ASSERT_EQ(A(w, 1), h->agent);
	free(w);
}

TEST(head_cancelled_during_its_round_leaves_no_stale_pointer)
{
	struct world *w = world_new();
	struct lsc_task *v, *h;

	ASSERT_NE(NULL, one_round(w, 1, false));
	v = T(w, 1);
	h = T(w, 2);
	ASSERT_EQ(0, lsc_task_cancel(&w->eng, h, 1));
	ASSERT_EQ(LSC_TASK_CANCELLED, h->state);
	ASSERT_EQ(NULL, A(w, 1)->preempt_for);
	ASSERT_EQ(NULL, w->eng.resv_task);
	/* The round goes on: the freeze lands, then it thaws back. */
	ASSERT_EQ(0, lsc_task_frozen(&w->eng, v, 2));
	lsc_dispatch(&w->eng, 2);
	ASSERT_TRUE(v->flags & LSC_TASK_F_THAWING);
	ASSERT_EQ(0, lsc_task_thawed(&w->eng, v, 3));
	ASSERT_EQ(LSC_TASK_RUNNING, v->state);
	free(w);
}

TEST(frozen_task_cancelled_stops_keeping_its_memory_only)
{
	struct world *w = world_new();
	struct lsc_task *v, *h;
	struct lsc_agent *a;

	a = one_round(w, 3, true);
	ASSERT_NE(NULL, a);
	v = T(w, 1);
	h = T(w, 2);
	ASSERT_EQ(a, h->agent);
	ASSERT_EQ(0, lsc_task_cancel(&w->eng, v, 1));
	ASSERT_EQ(LSC_TASK_STOPPING, v->state);
	ASSERT_EQ(1, w->nr_stop_cb);
	ASSERT_EQ(3 * GB, a->frozen[LSC_RES_MEM]);
	ASSERT_EQ(1, a->nr_frozen);
	ASSERT_EQ(-LSC_EBUSY, lsc_task_cancel(&w->eng, v, 1));
	ASSERT_EQ(-LSC_EINVAL, lsc_task_thawed(&w->eng, v, 1));
	/* The head ends: a stopping task never thaws. */
	lsc_task_complete(&w->eng, h, 0, 2);
	lsc_dispatch(&w->eng, 2);
	ASSERT_EQ(0, count_log(w, 't'));
	ASSERT_EQ(0, lsc_task_stopped(&w->eng, v, 3));
	ASSERT_EQ(LSC_TASK_CANCELLED, v->state);
	ASSERT_EQ(0, a->frozen[LSC_RES_MEM]);
	ASSERT_EQ(0, a->nr_frozen);
	ASSERT_EQ(0, w->users[0].alloc[LSC_RES_MEM]);
	free(w);
}

TEST(thawing_task_timed_out_stops_with_its_cpu)
{
	struct world *w = world_new();
	struct lsc_task *v, *h;
	struct lsc_agent *a;

	a = one_round(w, 1, true);
	ASSERT_NE(NULL, a);
	v = T(w, 1);
	h = T(w, 2);
	lsc_task_complete(&w->eng, h, 0, 1);
	lsc_dispatch(&w->eng, 1);
	ASSERT_TRUE(v->flags & LSC_TASK_F_THAWING);
	ASSERT_EQ(0, lsc_task_stop(&w->eng, v, LSC_STOP_TIMEOUT, 2));
	ASSERT_EQ(0, v->flags & LSC_TASK_F_THAWING);
	ASSERT_EQ(-LSC_EINVAL, lsc_task_thawed(&w->eng, v, 2));
	ASSERT_EQ(4000, a->committed[LSC_RES_CPU]);
	ASSERT_EQ(1, a->used_slots);
	ASSERT_EQ(0, lsc_task_complete(&w->eng, v, 0, 3));
	ASSERT_EQ(LSC_TASK_FAILED, v->state);
	ASSERT_EQ(LSC_FAIL_TIMEOUT, v->reason);
	ASSERT_EQ(0, a->used_slots);
	free(w);
}

TEST(agent_lost_during_a_round_fences_victims_and_frozen_tasks)
{
	struct world *w = world_new();
	struct lsc_task *v1, *v2, *h;
	struct lsc_agent *a;

	a = add_agent(w, 1, 4, 8, 2, 0);
	v1 = run_task(w, 1, 1, 2000, 2, 100, true);
	v2 = run_task(w, 2, 1, 2000, 2, 100, true);
	v1->retries = 1;
	h = add_task(w, 3, 5, 2000, 1, 10);
	lsc_dispatch(&w->eng, 0);
	ASSERT_TRUE(v2->flags & LSC_TASK_F_FREEZING);
	lsc_task_frozen(&w->eng, v2, 0);
	lsc_dispatch(&w->eng, 0);
	ASSERT_EQ(a, h->agent);
	/* Another head starts a round for v1; the agent is lost meanwhile. */
	add_task(w, 4, 5, 2000, 1, 10);
	lsc_dispatch(&w->eng, 0);
	ASSERT_TRUE(v1->flags & LSC_TASK_F_FREEZING);
	w->nr_log = 0;
	ASSERT_EQ(0, lsc_agent_set_health(&w->eng, a, LSC_AGENT_LOST, 1));
	ASSERT_EQ(LSC_TASK_STOPPING, v1->state);
	ASSERT_EQ(LSC_TASK_STOPPING, v2->state);
	ASSERT_EQ(LSC_STOP_AGENT_LOST, v2->stop_reason);
	ASSERT_EQ(0, a->nr_freezing);
	ASSERT_EQ(NULL, a->preempt_for);
	ASSERT_EQ(0, T(w, 4)->flags & LSC_TASK_F_PREEMPTING);
	ASSERT_EQ(0, count_log(w, 's'));	/* no kill: the agent is fenced */
	ASSERT_EQ(-LSC_EINVAL, lsc_task_frozen(&w->eng, v1, 1));
	/* It keeps its reservation and what they hold until removed. */
	ASSERT_EQ(4000, w->eng.reserved[LSC_RES_CPU]);
	ASSERT_EQ(2 * GB, a->frozen[LSC_RES_MEM]);
	ASSERT_EQ(0, lsc_agent_remove(&w->eng, a, 2));
	ASSERT_EQ(LSC_TASK_RUNNABLE, v1->state);	/* one retry left */
	ASSERT_EQ(LSC_TASK_FAILED, v2->state);
	ASSERT_EQ(LSC_FAIL_AGENT_LOST, v2->reason);
	ASSERT_EQ(0, w->eng.reserved[LSC_RES_CPU]);
	ASSERT_EQ(NULL, w->violation);
	free(w);
}

TEST(draining_agent_takes_nothing_its_frozen_tasks_thaw_as_usual)
{
	struct world *w = world_new();
	struct lsc_task *v, *h;
	struct lsc_agent *a;

	a = one_round(w, 1, true);
	ASSERT_NE(NULL, a);
	v = T(w, 1);
	h = T(w, 2);
	ASSERT_EQ(a, h->agent);
	ASSERT_EQ(0, lsc_agent_set_health(&w->eng, a, LSC_AGENT_DRAINING, 1));
	add_task(w, 3, 9, 1000, 1, 10);
	lsc_task_complete(&w->eng, h, 0, 2);
	ASSERT_EQ(0, lsc_dispatch(&w->eng, 2));
	ASSERT_EQ(LSC_TASK_RUNNABLE, T(w, 3)->state);
	ASSERT_EQ(LSC_WAIT_NO_AGENT, lsc_task_wait(&w->eng, T(w, 3)));
	ASSERT_EQ(1, count_log(w, 't'));
	ASSERT_EQ(0, lsc_task_thawed(&w->eng, v, 3));
	ASSERT_EQ(0, lsc_task_complete(&w->eng, v, 0, 4));
	ASSERT_EQ(0, a->used_slots);
	ASSERT_EQ(0, a->nr_frozen);
	free(w);
}

TEST(task_behind_frozen_memory_is_the_head_reserved_nowhere)
{
	struct world *w = world_new();
	struct lsc_task *v, *h;

	/* One agent of 8 GB; a frozen task holds 6 of them. */
	add_agent(w, 1, 4, 8, 2, 0);
	v = run_task(w, 1, 1, 4000, 6, 100, true);
	h = add_task(w, 2, 5, 4000, 1, 10);
	lsc_dispatch(&w->eng, 0);
	lsc_task_frozen(&w->eng, v, 0);
	lsc_dispatch(&w->eng, 0);
	ASSERT_EQ(A(w, 1), h->agent);
	/* 4 GB cannot fit beside the frozen 6 GB: no fit time is known;
	 * the task is the head, reserved nowhere, and a smaller one behind
	 * it still runs.
	 */
	add_task(w, 3, 4, 0, 4, 10);
	add_task(w, 4, 2, 0, 1, 10);
	ASSERT_EQ(1, lsc_dispatch(&w->eng, 0));
	ASSERT_EQ(T(w, 3), w->eng.resv_task);
	ASSERT_EQ(NULL, w->eng.resv_agent);
	ASSERT_EQ(U64_MAX, w->eng.resv_ns);
	ASSERT_EQ(LSC_TASK_ASSIGNED, T(w, 4)->state);
	free(w);
}

TEST_HARNESS_MAIN
