// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the run queue (kmod/core/runq.c): the order of every
 * policy, MLFQ feedback and aging, DRF, user limits, partitions and
 * parking, re-queueing.
 */
#include "engine_util.h"
#include "kselftest_harness.h"

TEST(prio_fifo_orders_by_priority_then_arrival_then_id)
{
	struct world *w = world_new();
	u64 order[5];

	add_agent(w, 1, 4, 8, 1, 0);
	/* The agent is busy while the others queue. */
	add_task(w, 10, 0, 1000, 1, 1);
	lsc_dispatch(&w->eng, w->now);
	w->now = 1;
	add_task(w, 5, 1, 1000, 1, 1);		/* prio 1, arrives at 1 */
	add_task(w, 4, 1, 1000, 1, 1);		/* same prio and arrival */
	w->now = 2;
	add_task(w, 3, 2, 1000, 1, 1);		/* higher prio, later */
	add_task(w, 2, 1, 1000, 1, 1);		/* prio 1, arrives at 2 */
	serial_order(w, order, 5);
	ASSERT_EQ(10, order[0]);
	ASSERT_EQ(3, order[1]);
	ASSERT_EQ(4, order[2]);
	ASSERT_EQ(5, order[3]);
	ASSERT_EQ(2, order[4]);
	free(w);
}

TEST(sjf_orders_by_estimate_within_priority)
{
	struct world *w = world_new();
	u64 order[5];

	ASSERT_EQ(0, lsc_set_policy(&w->eng, LSC_POLICY_SJF));
	add_agent(w, 1, 4, 8, 1, 0);
	add_task(w, 10, 0, 1000, 1, 1);
	lsc_dispatch(&w->eng, w->now);
	add_task(w, 1, 1, 1000, 1, 30);
	add_task(w, 2, 1, 1000, 1, 10);
	add_task(w, 3, 1, 1000, 1, 20);
	add_task(w, 4, 2, 1000, 1, 99);		/* priority still first */
	serial_order(w, order, 5);
	ASSERT_EQ(10, order[0]);
	ASSERT_EQ(4, order[1]);
	ASSERT_EQ(2, order[2]);
	ASSERT_EQ(3, order[3]);
	ASSERT_EQ(1, order[4]);
	free(w);
}

TEST(policy_switch_rekeys_the_queue)
{
	struct world *w = world_new();
	u64 order[4];

	add_agent(w, 1, 4, 8, 1, 0);
	add_task(w, 10, 0, 1000, 1, 1);
	lsc_dispatch(&w->eng, w->now);
	add_task(w, 1, 1, 1000, 1, 30);
	add_task(w, 2, 1, 1000, 1, 10);
	add_task(w, 3, 1, 1000, 1, 20);
	ASSERT_EQ(0, lsc_set_policy(&w->eng, LSC_POLICY_DRF));
	ASSERT_EQ(0, lsc_set_policy(&w->eng, LSC_POLICY_SJF));
	ASSERT_EQ(-LSC_EINVAL, lsc_set_policy(&w->eng, LSC_POLICY_NR));
	serial_order(w, order, 4);
	ASSERT_EQ(2, order[1]);
	ASSERT_EQ(3, order[2]);
	ASSERT_EQ(1, order[3]);
	free(w);
}

/*
 * MLFQ aging bound.  The key of a task at level L that arrived at a is
 * floor(a / age) + 255 - L, then arrival: a task arriving (255 - L) * age
 * or more after it never passes it, whatever its level; one arriving
 * earlier than (floor(a / age) + 255 - L) * age at the top level does.
 */
TEST(mlfq_aging_bound_lowest_level_passes_new_highest)
{
	struct world *w = world_new();
	struct lsc_tunables tun;
	u64 order[4];

	lsc_default_tunables(&tun);
	tun.age_ns = 1000;
	ASSERT_EQ(0, lsc_set_tunables(&w->eng, &tun));
	ASSERT_EQ(0, lsc_set_policy(&w->eng, LSC_POLICY_MLFQ));
	add_agent(w, 1, 4, 8, 1, 0);
	add_task(w, 100, LSC_PRIO_MAX, 1000, 1, 1000);
	lsc_dispatch(&w->eng, w->now);		/* occupies the agent */
	w->now = 500;
	add_task(w, 1, LSC_PRIO_MIN, 1000, 1, 1);	/* old, lowest */
	w->now = 254999;
	add_task(w, 2, LSC_PRIO_MAX, 1000, 1, 1);	/* key 254: first */
	w->now = 255000;
	add_task(w, 3, LSC_PRIO_MAX, 1000, 1, 1);	/* key 255: behind 1 */
	w->now = 500 + 255 * 1000;
	add_task(w, 4, LSC_PRIO_MAX, 1000, 1, 1);	/* past the bound */
	serial_order(w, order, 4);
	ASSERT_EQ(100, order[0]);
	ASSERT_EQ(2, order[1]);
	ASSERT_EQ(1, order[2]);
	ASSERT_EQ(3, order[3]);
	free(w);
}

/* SJF keeps FIFO order within a quarter octave of estimates. */
TEST(sjf_orders_estimates_by_quarter_octave_then_arrival)
{
	struct world *w = world_new();
	u64 order[5];

	ASSERT_EQ(0, lsc_set_policy(&w->eng, LSC_POLICY_SJF));
	add_agent(w, 1, 4, 8, 1, 0);
	add_task(w, 10, 9, 1000, 1, 1);
	lsc_dispatch(&w->eng, w->now);
	/*
	 * Buckets are quarter octaves of nanoseconds: 20 s and 18 s share
	 * [2^34, 1.25 * 2^34) ns (17.2 s to 21.5 s) and keep their arrival
	 * order; 22 s is in the next one, 16 s in the one before.
	 */
	add_task(w, 1, 1, 1000, 1, 20);
	add_task(w, 2, 1, 1000, 1, 18);
	add_task(w, 3, 1, 1000, 1, 22);
	add_task(w, 4, 1, 1000, 1, 16);
	serial_order(w, order, 5);
	ASSERT_EQ(10, order[0]);
	ASSERT_EQ(4, order[1]);
	ASSERT_EQ(1, order[2]);
	ASSERT_EQ(2, order[3]);
	ASSERT_EQ(3, order[4]);
	free(w);
}

/*
 * With a budget, a policy switch moves the RUNNABLE tasks a budget at a
 * time; the others wait ("rekey") and are not dispatched meanwhile; tasks
 * submitted during the switch follow the new order at once.
 */
TEST(policy_switch_with_a_budget_requeues_a_budget_per_call)
{
	struct world *w = world_new();
	u32 i, calls = 0, waiting = 0;
	u64 order[4];

	add_agent(w, 1, 4, 8, 1, 0);
	add_task(w, 1, 9, 1000, 1, 1);
	lsc_dispatch(&w->eng, 0);
	for (i = 2; i <= 301; i++)
		add_task(w, i, 1, 1000, 1, 1 + (i % 3) * 10);
	lsc_set_rekey_budget(&w->eng, 64);
	ASSERT_EQ(0, lsc_set_policy(&w->eng, LSC_POLICY_SJF));
	ASSERT_EQ(LSC_POLICY_SJF, w->eng.policy);
	ASSERT_TRUE(lsc_work_pending(&w->eng));
	for (i = 2; i <= 301; i++)
		waiting += lsc_task_wait(&w->eng, T(w, i)) == LSC_WAIT_REKEY;
	ASSERT_EQ(300 - 64, waiting);
	ASSERT_EQ(1, w->eng.stats.rekeys);
	while (lsc_rekey_step(&w->eng, 64))
		calls++;
	/* 236 left after the switch's own 64: three full calls, one more. */
	ASSERT_EQ(3, calls);
	ASSERT_FALSE(lsc_work_pending(&w->eng));
	ASSERT_EQ(300, w->eng.stats.rekeyed);
	/* Shortest first now: task 3 (1 s) before 2 (11 s) and 4 (21 s). */
	serial_order(w, order, 4);
	ASSERT_EQ(1, order[0]);
	ASSERT_EQ(3, order[1]);
	ASSERT_EQ(6, order[2]);
	ASSERT_EQ(9, order[3]);
	ASSERT_EQ(NULL, w->violation);
	free(w);
}

/* A switch during a switch waits for it, then re-queues once more. */
TEST(policy_switch_during_a_switch_follows_it)
{
	struct world *w = world_new();
	u32 i;

	add_agent(w, 1, 4, 8, 1, 0);
	for (i = 1; i <= 100; i++)
		add_task(w, i, 1 + i % 4, 1000, 1, 1 + i % 7);
	lsc_set_rekey_budget(&w->eng, 10);
	ASSERT_EQ(0, lsc_set_policy(&w->eng, LSC_POLICY_SJF));
	ASSERT_EQ(0, lsc_set_policy(&w->eng, LSC_POLICY_MLFQ));
	ASSERT_EQ(0, lsc_set_policy(&w->eng, LSC_POLICY_DRF));
	ASSERT_EQ(LSC_POLICY_SJF, w->eng.kpolicy);
	while (lsc_rekey_step(&w->eng, 7))
		;
	ASSERT_EQ(LSC_POLICY_DRF, w->eng.kpolicy);
	ASSERT_EQ(2, w->eng.stats.rekeys);
	ASSERT_EQ(100, lsc_dispatch(&w->eng, 0) + w->eng.nr_runnable);
	run_to_idle(w);
	for (i = 1; i <= 100; i++)
		ASSERT_EQ(LSC_TASK_SUCCEEDED, T(w, i)->state);
	free(w);
}

/* lsc_task_wait() tells each reason apart. */
TEST(wait_reasons_say_why_a_task_waits)
{
	struct world *w = world_new();
	struct lsc_task *t;

	add_agent(w, 1, 4, 8, 1, 0);
	ASSERT_EQ(0, lsc_user_set_limit(&w->eng, &w->users[1], 1));
	add_task(w, 1, 5, 1000, 1, 10);			/* runs */
	add_task(w, 2, 5, 1000, 1, 10);			/* its turn comes */
	ASSERT_EQ(0, submit_deps(w, mk_task(w, 3, 1, 1000, 1, 10), 2, 0));
	add_task(w, 4, 1, 8000, 1, 10);			/* no agent */
	t = mk_task(w, 5, 9, 1000, 1, 10);		/* user 1 runs one */
	submit(w, t, 1);
	t = mk_task(w, 6, 9, 1000, 1, 10);
	submit(w, t, 1);
	add_agent(w, 2, 4, 8, 1, 0);
	ASSERT_EQ(2, lsc_dispatch(&w->eng, 0));
	ASSERT_EQ(LSC_WAIT_NONE, lsc_task_wait(&w->eng, T(w, 5)));
	ASSERT_EQ(LSC_WAIT_NONE, lsc_task_wait(&w->eng, T(w, 1)));
	ASSERT_EQ(LSC_WAIT_TURN, lsc_task_wait(&w->eng, T(w, 2)));
	ASSERT_EQ(LSC_WAIT_DEPS, lsc_task_wait(&w->eng, T(w, 3)));
	ASSERT_EQ(LSC_WAIT_NO_AGENT, lsc_task_wait(&w->eng, T(w, 4)));
	ASSERT_EQ(LSC_WAIT_USER_LIMIT, lsc_task_wait(&w->eng, T(w, 6)));
	ASSERT_EQ(1, lsc_nr_parked(&w->eng));
	lsc_set_rekey_budget(&w->eng, 1);
	lsc_set_policy(&w->eng, LSC_POLICY_SJF);
	ASSERT_TRUE(lsc_task_wait(&w->eng, T(w, 2)) == LSC_WAIT_REKEY ||
		    lsc_task_wait(&w->eng, T(w, 4)) == LSC_WAIT_REKEY);
	ASSERT_STREQ("no-agent", lsc_wait_name(LSC_WAIT_NO_AGENT));
	ASSERT_STREQ("?", lsc_wait_name(LSC_WAIT_NR));
	free(w);
}

/* Giving a user a limit files its tasks in lanes of its own. */
TEST(user_limit_set_later_holds_the_users_backlog)
{
	struct world *w = world_new();
	u32 i;

	add_agent(w, 1, 8, 8, 4, 0);
	for (i = 1; i <= 10; i++)
		add_task(w, i, 1, 1000, 1, 10);
	ASSERT_EQ(0, lsc_user_set_limit(&w->eng, &w->users[0], 2));
	ASSERT_EQ(2, lsc_dispatch(&w->eng, 0));
	ASSERT_EQ(LSC_WAIT_USER_LIMIT, lsc_task_wait(&w->eng, T(w, 3)));
	ASSERT_EQ(0, lsc_user_set_limit(&w->eng, &w->users[0], 0));
	ASSERT_EQ(2, lsc_dispatch(&w->eng, 0));
	ASSERT_EQ(-LSC_ENOENT, lsc_user_set_limit(&w->eng,
						  &(struct lsc_user){ 0 }, 1));
	free(w);
}

TEST(mlfq_requeue_after_agent_loss_moves_down_one_level)
{
	struct world *w = world_new();
	struct lsc_tunables tun;
	struct lsc_task *t1;
	u64 order[2];

	lsc_default_tunables(&tun);
	tun.age_ns = 1000;
	lsc_set_tunables(&w->eng, &tun);
	lsc_set_policy(&w->eng, LSC_POLICY_MLFQ);
	add_agent(w, 1, 4, 8, 1, 0);
	t1 = mk_task(w, 1, 5, 1000, 1, 10);
	t1->retries = 1;
	submit(w, t1, 0);
	lsc_dispatch(&w->eng, w->now);
	ASSERT_EQ(LSC_TASK_ASSIGNED, t1->state);
	ASSERT_EQ(0, lsc_task_start(&w->eng, t1, w->now));
	/* Same priority, arrives 500 ns later: behind t1 while t1 is level 5. */
	w->now = 500;
	add_task(w, 2, 5, 1000, 1, 10);
	lsc_agent_set_health(&w->eng, A(w, 1), LSC_AGENT_LOST, w->now);
	/* Fenced: it may still run there until its end is confirmed. */
	ASSERT_EQ(LSC_TASK_STOPPING, t1->state);
	ASSERT_EQ(0, lsc_task_stopped(&w->eng, t1, w->now));
	ASSERT_EQ(LSC_TASK_RUNNABLE, t1->state);
	ASSERT_EQ(1, t1->level);
	ASSERT_EQ(0, t1->retries);
	lsc_agent_set_health(&w->eng, A(w, 1), LSC_AGENT_UP, w->now);
	/* t1's key grew by age_ns (1000) > 500: task 2 now goes first. */
	w->nr_log = 0;
	serial_order(w, order, 2);
	ASSERT_EQ(2, order[0]);
	ASSERT_EQ(1, order[1]);
	free(w);
}

TEST(mlfq_overrun_task_given_back_moves_down_one_level)
{
	struct world *w = world_new();
	struct lsc_task *t;

	add_agent(w, 1, 4, 8, 1, 0);
	t = mk_task(w, 1, 5, 1000, 1, 10);
	t->retries = 2;
	submit(w, t, 0);
	lsc_dispatch(&w->eng, 0);
	lsc_task_start(&w->eng, t, 0);
	/* Given back within its estimate: no cost at all. */
	ASSERT_EQ(0, lsc_task_requeue(&w->eng, t, false, 5 * SEC));
	ASSERT_EQ(LSC_TASK_RUNNABLE, t->state);
	ASSERT_EQ(0, t->level);
	ASSERT_EQ(2, t->retries);
	lsc_dispatch(&w->eng, 5 * SEC);
	lsc_task_start(&w->eng, t, 5 * SEC);
	/* Given back after overrunning (started at 5 s, estimate 10 s). */
	ASSERT_EQ(0, lsc_task_requeue(&w->eng, t, false, 16 * SEC));
	ASSERT_EQ(1, t->level);
	ASSERT_EQ(2, t->retries);
	/* A failure spends a retry and a level. */
	lsc_dispatch(&w->eng, 16 * SEC);
	ASSERT_EQ(0, lsc_task_requeue(&w->eng, t, true, 17 * SEC));
	ASSERT_EQ(2, t->level);
	ASSERT_EQ(1, t->retries);
	ASSERT_EQ(-LSC_EINVAL, lsc_task_requeue(&w->eng, t, true, 17 * SEC));
	free(w);
}

TEST(drf_flood_by_one_user_does_not_starve_another)
{
	struct world *w = world_new();
	u32 i, b_done_at = 0, k = 0;

	ASSERT_EQ(0, lsc_set_policy(&w->eng, LSC_POLICY_DRF));
	add_agent(w, 1, 4, 8, 1, 0);
	add_agent(w, 2, 4, 8, 1, 0);
	/* User 0 floods 200 tasks first, higher priority even. */
	for (i = 1; i <= 200; i++) {
		struct lsc_task *t = mk_task(w, i, 3, 1000, 1, 1);

		ASSERT_EQ(0, submit(w, t, 0));
	}
	w->now = 1;
	for (i = 201; i <= 204; i++) {
		struct lsc_task *t = mk_task(w, i, 1, 1000, 1, 1);

		ASSERT_EQ(0, submit(w, t, 1));
	}
	run_to_idle(w);
	/* User 1's four tasks are among the first assignments. */
	for (i = 0; i < w->nr_log; i++) {
		if (w->log[i].kind != 'a')
			continue;
		k++;
		if (w->log[i].task > 200)
			b_done_at = k;
	}
	ASSERT_EQ(204, k);
	TH_LOG("user 1's last task was assignment number %u of 204",
	       b_done_at);
	ASSERT_LE(b_done_at, 12);
	free(w);
}

TEST(drf_picks_user_with_smallest_dominant_share)
{
	struct world *w = world_new();
	struct lsc_task *t;

	lsc_set_policy(&w->eng, LSC_POLICY_DRF);
	add_agent(w, 1, 10, 10, 4, 0);
	/* User 0 holds 60% CPU, user 1 holds 30% memory. */
	t = mk_task(w, 1, 1, 6000, 1, 100);
	submit(w, t, 0);
	t = mk_task(w, 2, 1, 1000, 3, 100);
	submit(w, t, 1);
	lsc_dispatch(&w->eng, w->now);
	ASSERT_EQ(LSC_SHARE_ONE * 6 / 10, w->users[0].share);
	ASSERT_EQ(LSC_SHARE_ONE * 3 / 10, w->users[1].share);
	/* User 1 (smaller share) goes first though user 0 submitted first. */
	t = mk_task(w, 3, 1, 1000, 1, 1);
	submit(w, t, 0);
	t = mk_task(w, 4, 1, 1000, 1, 1);
	submit(w, t, 1);
	lsc_dispatch(&w->eng, w->now);
	ASSERT_EQ(LSC_TASK_ASSIGNED, T(w, 4)->state);
	ASSERT_EQ(LSC_TASK_ASSIGNED, T(w, 3)->state);
	/* Task 4 (user 1) was assigned before task 3 (user 0). */
	{
		int i4 = -1, i3 = -1;
		u32 i;

		for (i = 0; i < w->nr_log; i++) {
			if (w->log[i].kind != 'a')
				continue;
			if (w->log[i].task == 4)
				i4 = i;
			if (w->log[i].task == 3)
				i3 = i;
		}
		ASSERT_LT(i4, i3);
	}
	free(w);
}

TEST(user_max_active_limits_without_blocking_others)
{
	struct world *w = world_new();

	add_agent(w, 1, 8, 8, 4, 0);
	w->users[0].max_active = 1;
	add_task(w, 1, 3, 1000, 1, 10);
	add_task(w, 2, 3, 1000, 1, 10);
	ASSERT_EQ(0, submit(w, mk_task(w, 3, 1, 1000, 1, 10), 1));
	ASSERT_EQ(2, lsc_dispatch(&w->eng, w->now));
	ASSERT_EQ(LSC_TASK_ASSIGNED, T(w, 1)->state);
	ASSERT_EQ(LSC_TASK_RUNNABLE, T(w, 2)->state);
	ASSERT_EQ(LSC_TASK_ASSIGNED, T(w, 3)->state);
	free(w);
}

/*
 * The run queue's structure (per-class FIFO lists with a treap for
 * out-of-order inserts, the MLFQ level merge) must give exactly the
 * documented order: after random submissions (equal arrivals included),
 * requeues (out-of-order inserts, MLFQ demotions), cancels and policy
 * switches, the tasks reach a single-slot agent in the order of a
 * brute-force sort, while the dispatch walk skips another user's tasks
 * (that user is at its limit) interleaved with them.
 */
#define RQ_B		300	/* tasks of the user under test */
#define RQ_X		40	/* tasks of the user at its limit */

struct rq_run {
	struct lsc_engine eng;
	struct lsc_agent agent[2];
	struct lsc_user user[2];
	struct lsc_task task[RQ_B + RQ_X + 1];
	struct lsc_task *sorted[RQ_B];
	u64 order[4 * RQ_B];
	u32 nr_order;
	u64 rng;
};

static void rq_on_assigned(struct lsc_engine *eng, struct lsc_task *t,
			   struct lsc_agent *a)
{
	struct rq_run *r = eng->priv;

	if (r->nr_order < 4 * RQ_B)
		r->order[r->nr_order++] = t->id;
}

static const struct lsc_ops rq_ops = { .task_assigned = rq_on_assigned };

static u32 rq_rand(struct rq_run *r, u32 n)
{
	r->rng ^= r->rng << 13;
	r->rng ^= r->rng >> 7;
	r->rng ^= r->rng << 17;
	return (u32)(r->rng % n);
}

/* MLFQ: aging steps since time 0, plus the levels below the top. */
static u64 rq_ref_mlfq(const struct lsc_engine *eng, const struct lsc_task *t)
{
	u32 lvl = t->prio > t->level ? t->prio - t->level : 0;

	return t->arrival_ns / eng->tun.age_ns + (LSC_PRIO_MAX - lvl);
}

/* The documented order of @policy (DRF within one user: priority-FIFO). */
static int rq_ref_before(const struct lsc_engine *eng, u32 policy,
			 const struct lsc_task *a, const struct lsc_task *b)
{
	if (policy == LSC_POLICY_MLFQ) {
		if (rq_ref_mlfq(eng, a) != rq_ref_mlfq(eng, b))
			return rq_ref_mlfq(eng, a) < rq_ref_mlfq(eng, b);
	} else if (a->prio != b->prio) {
		return a->prio > b->prio;
	}
	if (policy == LSC_POLICY_SJF &&
	    ref_bucket(a->est_ns) != ref_bucket(b->est_ns))
		return ref_bucket(a->est_ns) < ref_bucket(b->est_ns);
	if (a->arrival_ns != b->arrival_ns)
		return a->arrival_ns < b->arrival_ns;
	return a->id < b->id;
}

/* Runs one seed under @policy; returns NULL or what went wrong. */
static const char *rq_order_run(struct rq_run *r, u32 policy, u64 seed)
{
	u64 cap[LSC_NR_RES] = { 4000, 16 * GB, 0, 0 }, now = 1;
	u32 i, j, nb = 0, nsorted = 0, first, prios;
	struct lsc_tunables tun;
	struct lsc_task *t;

	memset(r, 0, sizeof(*r));
	r->rng = seed * 0x9E3779B97F4A7C15ULL + 1;
	prios = rq_rand(r, 2) ? 256 : 4;
	lsc_engine_init(&r->eng, &rq_ops, r);
	lsc_default_tunables(&tun);
	tun.age_ns = 1000 + rq_rand(r, 4000);
	if (lsc_set_tunables(&r->eng, &tun) || lsc_set_policy(&r->eng, policy) ||
	    lsc_set_host_capacity(&r->eng, cap))
		return "setup";
	for (i = 0; i < 2; i++) {
		lsc_agent_init(&r->agent[i], i + 1);
		r->agent[i].cap[LSC_RES_CPU] = 2000;
		r->agent[i].cap[LSC_RES_MEM] = 8 * GB;
		r->agent[i].tags = i;		/* agent 2 alone has tag 1 */
		if (lsc_agent_add(&r->eng, &r->agent[i], now))
			return "agent";
		lsc_user_init(&r->user[i], i + 1);
		if (lsc_user_add(&r->eng, &r->user[i]))
			return "user";
	}
	/* User 2 holds agent 2 with one task and is at its limit. */
	r->user[1].max_active = 1;
	t = &r->task[RQ_B + RQ_X];
	lsc_task_init(t, 100000);
	t->demand[LSC_RES_CPU] = 1000;
	t->tags = 1;
	if (lsc_task_submit(&r->eng, t, &r->user[1], NULL, 0, NULL, 0, now) ||
	    lsc_dispatch(&r->eng, now) != 1 || t->agent != &r->agent[1])
		return "blocker";

	for (i = 0; i < RQ_B + RQ_X; i++) {
		struct lsc_user *u = &r->user[i < RQ_B ? 0 : 1];

		now += rq_rand(r, 3) * 400;
		t = &r->task[i];
		lsc_task_init(t, 1 + rq_rand(r, 2) + 2 * i);
		t->prio = rq_rand(r, prios) * (256 / prios);
		t->est_ns = 1 + rq_rand(r, 50) * rq_rand(r, 50);
		t->retries = 8;
		t->demand[LSC_RES_CPU] = 1000;
		if (lsc_task_submit(&r->eng, t, u, NULL, 0, NULL, 0, now))
			return "submit";
		switch (rq_rand(r, 8)) {
		case 0:
			/* the first task goes out and comes back (old key) */
			if (lsc_dispatch(&r->eng, now) == 1) {
				t = &r->task[0];
				for (j = 0; j < RQ_B; j++)
					if (r->task[j].agent == &r->agent[0])
						t = &r->task[j];
				if (lsc_task_requeue(&r->eng, t, rq_rand(r, 2),
						     now))
					return "requeue";
			}
			break;
		case 1:
			t = &r->task[rq_rand(r, i + 1)];
			if (t->state == LSC_TASK_RUNNABLE &&
			    lsc_task_cancel(&r->eng, t, now))
				return "cancel";
			break;
		case 2:
			if (!rq_rand(r, 8) &&
			    (lsc_set_policy(&r->eng, rq_rand(r, LSC_POLICY_NR)) ||
			     lsc_set_policy(&r->eng, policy)))
				return "policy";
			break;
		}
	}
	r->nr_order = 0;
	for (i = 0; i < RQ_B; i++) {
		t = &r->task[i];
		if (t->state != LSC_TASK_RUNNABLE)
			continue;
		nb++;
		/* insertion sort by the reference order */
		j = nsorted++;
		while (j && rq_ref_before(&r->eng, policy, t, r->sorted[j - 1])) {
			r->sorted[j] = r->sorted[j - 1];
			j--;
		}
		r->sorted[j] = t;
	}
	first = 0;
	for (;;) {
		if (lsc_dispatch(&r->eng, now) != 1)
			break;
		t = NULL;
		for (j = 0; j < RQ_B; j++)
			if (r->task[j].agent == &r->agent[0])
				t = &r->task[j];
		if (!t || lsc_task_complete(&r->eng, t, 0, ++now))
			return "complete";
		first++;
	}
	if (first != nb)
		return "not every task was assigned";
	for (i = 0; i < nb; i++)
		if (r->order[i] != r->sorted[i]->id)
			return "order differs from the reference";
	return NULL;
}

TEST(run_queue_order_matches_sort_under_requeues_and_skips)
{
	static struct rq_run r;
	const char *err;
	u32 policy;
	u64 seed;

	for (policy = 0; policy < LSC_POLICY_NR; policy++) {
		for (seed = 1; seed <= 50; seed++) {
			err = rq_order_run(&r, policy, seed);
			if (err)
				TH_LOG("policy %u seed %llu: %s", policy,
				       (unsigned long long)seed, err);
			ASSERT_EQ(NULL, err);
		}
	}
}

TEST_HARNESS_MAIN
