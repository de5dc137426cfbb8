// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for llmsim: the trace parser, the metric helpers and the
 * reference example run through the real engine and the event loop.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "../../tools/llmsim/metrics.h"
#include "../../tools/llmsim/reference.h"
#include "../../tools/llmsim/sim.h"
#include "../../tools/llmsim/trace.h"

#define GIB (1ULL << 30)
#define S (1000000000ULL)

static int parse(struct trace *t, const char *text, struct trace_err *err)
{
	trace_init(t);
	return trace_parse_string(t, "t.txt", text, 0, err);
}

TEST(parse_good_lines)
{
	struct trace_err err;
	struct trace t;
	const struct sim_task *k;
	const struct sim_agent *a;

	ASSERT_EQ(0, parse(&t,
		"# comment line\n"
		"\n"
		"agent id=7 cpu=4 mem=8G gpu=1 gpumem=80G slots=2 tags=a100,nvme # trailing\n"
		"agent id=8 cpu=500m mem=1536M\n"
		"user name=alice max_active=3\n"
		"  task id=1 at=1.5 user=alice prio=3 cpu=2 mem=4G est=10 act=12.25\n"
		"task\tid=2 cpu=0.25 mem=512K est=250ms deps=1 tags=nvme gpu=1 gpumem=1.5G at=2\n"
		"task id=3 cpu=0 mem=100 est=20us act=7ns deps=1,2 at=2\n",
		&err));
	ASSERT_EQ(2, t.nagents);
	ASSERT_EQ(3, t.ntasks);
	a = &t.agents[0];
	EXPECT_EQ(7, a->id);
	EXPECT_EQ(4000, a->cpu);
	EXPECT_EQ(8 * GIB, a->mem);
	EXPECT_EQ(1, a->gpu);
	EXPECT_EQ(80 * GIB, a->gpumem);
	EXPECT_EQ(2, a->slots);
	EXPECT_EQ(3, a->tags);
	EXPECT_EQ(500, t.agents[1].cpu);
	EXPECT_EQ(1536ULL << 20, t.agents[1].mem);
	EXPECT_EQ(1, t.agents[1].slots);

	k = &t.tasks[0];
	EXPECT_EQ(1, k->id);
	EXPECT_EQ(1500000000ULL, k->arrival);
	EXPECT_EQ(3, k->prio);
	EXPECT_EQ(2000, k->cpu);
	EXPECT_EQ(4 * GIB, k->mem);
	EXPECT_EQ(10 * S, k->est);
	EXPECT_EQ(12250000000ULL, k->act);
	EXPECT_EQ(0, strcmp(t.users[k->user], "alice"));
	EXPECT_EQ(3, t.user_max_active[k->user]);
	EXPECT_EQ(0, k->ndeps);

	k = &t.tasks[1];
	EXPECT_EQ(250, k->cpu);
	EXPECT_EQ(512 << 10, k->mem);
	EXPECT_EQ(250000000ULL, k->est);
	EXPECT_EQ(k->est, k->act);	/* act defaults to est */
	EXPECT_EQ(TRACE_DEFAULT_PRIO, k->prio);
	EXPECT_EQ(1, k->gpu);
	EXPECT_EQ(3 * GIB / 2, k->gpumem);
	EXPECT_EQ(2, k->tags);		/* nvme is the second tag */
	EXPECT_EQ(1, k->ndeps);
	EXPECT_EQ(0, t.deps[k->dep_off]);
	EXPECT_EQ(0, strcmp(t.users[k->user], "default"));

	k = &t.tasks[2];
	EXPECT_EQ(0, k->cpu);
	EXPECT_EQ(100, k->mem);
	EXPECT_EQ(20000, k->est);
	EXPECT_EQ(7, k->act);
	EXPECT_EQ(2, k->ndeps);
	EXPECT_EQ(0, t.deps[k->dep_off]);
	EXPECT_EQ(1, t.deps[k->dep_off + 1]);

	ASSERT_EQ(0, trace_finish(&t, &err));
	EXPECT_EQ(2, trace_find(&t, 3));
	EXPECT_EQ(-1, trace_find(&t, 4));
	trace_free(&t);
}

TEST(arrival_order_is_stable)
{
	struct trace_err err;
	struct trace t;

	ASSERT_EQ(0, parse(&t,
		"agent id=1 cpu=1 mem=1G\n"
		"task id=10 at=5 cpu=1 mem=1 est=1\n"
		"task id=11 at=1 cpu=1 mem=1 est=1\n"
		"task id=12 at=5 cpu=1 mem=1 est=1\n"
		"task id=13 at=0 cpu=1 mem=1 est=1\n", &err));
	ASSERT_EQ(0, trace_finish(&t, &err));
	EXPECT_EQ(3, t.order[0]);
	EXPECT_EQ(1, t.order[1]);
	EXPECT_EQ(0, t.order[2]);
	EXPECT_EQ(2, t.order[3]);
	trace_free(&t);
}

/* One malformed line in the middle: its number and the message. */
struct bad_case {
	const char *line;
	const char *msg;
};

static const struct bad_case bad_cases[] = {
	{ "tsk id=9 cpu=1 mem=1 est=1",
	  "unknown record 'tsk': expected 'task', 'agent' or 'user'" },
	{ "task id=9 cpu=-1 mem=1 est=1",
	  "bad field 'cpu=-1': must be a non-negative number of cores (2, 0.5 or 500m)" },
	{ "task id=9 cpu=0.0001 mem=1 est=1",
	  "bad field 'cpu=0.0001': must be a non-negative number of cores (2, 0.5 or 500m)" },
	{ "task id=9 cpu=1 mem=4Q est=1",
	  "bad field 'mem=4Q': must be a size in bytes (4G, 512M, 1.5G)" },
	{ "task id=9 cpu=1 mem=1 est=0",
	  "bad field 'est=0': must be a positive time in seconds (10, 0.5, 250ms)" },
	{ "task id=9 cpu=1 mem=1 est=1 act=soon",
	  "bad field 'act=soon': must be a positive time in seconds (10, 0.5, 250ms)" },
	{ "task id=9 cpu=1 mem=1 est=1 at=-3",
	  "bad field 'at=-3': must be a time in seconds (12, 0.5, 250ms)" },
	{ "task id=9 cpu=1 mem=1 est=1 prio=256",
	  "bad field 'prio=256': must be an integer 0..255 (255 runs first)" },
	{ "task id=9 cpu=1 mem=1 est=1 preempt=yes",
	  "bad field 'preempt=yes': must be 0 or 1 (1: it may be frozen for a task of higher priority)" },
	{ "task id=x cpu=1 mem=1 est=1",
	  "bad field 'id=x': must be an unsigned integer" },
	{ "task id=1 cpu=1 mem=1 est=1",
	  "duplicate task id 1 (first on line 2)" },
	{ "task id=9 cpu=1 mem=1 est=1 deps=42",
	  "bad field 'deps=42': task 42 is not defined on an earlier line" },
	{ "task id=9 cpu=1 mem=1 est=1 deps=9",
	  "bad field 'deps=9': a task cannot depend on itself" },
	{ "task id=9 cpu=1 mem=1 est=1 at=5 deps=1,,x",
	  "bad field 'deps=1,,x': must be comma-separated task ids" },
	{ "task id=9 cpu=1 mem=1 est=1 at=0.5 deps=1",
	  "bad field 'deps=1': task 1 arrives after this one" },
	{ "task id=9 cpu=1 mem=1",
	  "missing field 'est=' in task record (or 'feat=' to have it estimated)" },
	{ "task id=9 cpu=1 cpu=2 mem=1 est=1",
	  "field 'cpu=' given twice" },
	{ "task id=9 cpu=1 mem=1 est=1 colour=red",
	  "unknown field 'colour=red' in task record" },
	{ "task id=9 cpu=1 mem=1 est=1 slots=2",
	  "unknown field 'slots=2' in task record" },
	{ "task id=9 cpu mem=1 est=1",
	  "bad field 'cpu': expected key=value" },
	{ "task id=9 cpu= mem=1 est=1",
	  "bad field 'cpu=': empty value" },
	{ "task id=9 cpu=1 mem=1 est=1 user=bob!",
	  "bad field 'user=bob!': must be letters, digits, '_', '-', '.'" },
	{ "task id=9 cpu=1 mem=1 est=1 tags=a,b!",
	  "bad field 'tags=a,b!': must be comma-separated names" },
	{ "task id=9 cpu=1 mem=1 est=1 gpu=1.5",
	  "bad field 'gpu=1.5': must be a whole number of GPUs, 0..1024" },
	{ "agent id=5 cpu=0 mem=1G",
	  "bad field 'cpu=0': must be a positive number of cores (2, 0.5 or 500m)" },
	{ "agent id=5 cpu=1 mem=1G slots=0",
	  "bad field 'slots=0': must be a whole number, 1..1024" },
	{ "agent id=1 cpu=1 mem=1G",
	  "duplicate agent id 1 (first on line 1)" },
	{ "agent id=4294967296 cpu=1 mem=1G",
	  "bad field 'id=4294967296': must be an integer 0..4294967295" },
	{ "agent id=5 mem=1G",
	  "missing field 'cpu=' in agent record" },
	{ "user max_active=2",
	  "missing field 'name=' in user record" },
	{ "task id=18446744073709551616 cpu=1 mem=1 est=1",
	  "bad field 'id=18446744073709551616': must be an unsigned integer" },
};

TEST(malformed_lines_named_with_line_number)
{
	unsigned int i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct trace_err err;
		struct trace t;
		char text[512];

		snprintf(text, sizeof(text),
			 "agent id=1 cpu=8 mem=8G\n"
			 "task id=1 at=1 cpu=1 mem=1 est=1\n"
			 "# comment\n"
			 "%s\n"
			 "task id=100 cpu=1 mem=1 est=1\n", bad_cases[i].line);
		EXPECT_EQ(-1, parse(&t, text, &err));
		EXPECT_EQ(4, err.line);
		EXPECT_STREQ(bad_cases[i].msg, err.msg) {
			TH_LOG("line: %s", bad_cases[i].line);
		}
		EXPECT_STREQ("t.txt", err.file);
		trace_free(&t);
	}
}

TEST(task_that_fits_no_agent)
{
	struct trace_err err;
	struct trace t;

	ASSERT_EQ(0, parse(&t,
		"agent id=1 cpu=2 mem=4G\n"
		"agent id=2 cpu=8 mem=2G gpu=1 gpumem=8G tags=gpu\n"
		"task id=1 cpu=1 mem=1G est=1\n"
		"task id=2 cpu=1 mem=1G est=1 gpu=1 tags=gpu\n"
		"task id=3 cpu=4 mem=4G est=1\n", &err));
	EXPECT_EQ(-1, trace_finish(&t, &err));
	EXPECT_EQ(5, err.line);
	EXPECT_STREQ("task 3 fits no agent (needs more cpu, mem, gpu, gpumem or tags than any agent has)",
		     err.msg);
	trace_free(&t);

	ASSERT_EQ(0, parse(&t, "task id=1 cpu=1 mem=1G est=1\n", &err));
	EXPECT_EQ(-1, trace_finish(&t, &err));
	EXPECT_STREQ("no agents: give 'agent' lines or --agents", err.msg);
	trace_free(&t);
}

TEST(agents_only_files_refuse_tasks)
{
	struct trace_err err;
	struct trace t;

	trace_init(&t);
	EXPECT_EQ(-1, trace_parse_string(&t, "a.txt",
					  "agent id=1 cpu=1 mem=1G\n"
					  "task id=1 cpu=1 mem=1 est=1\n",
					  1, &err));
	EXPECT_EQ(2, err.line);
	EXPECT_STREQ("unknown record 'task': expected 'agent'", err.msg);
	trace_free(&t);
}

TEST(percentiles_nearest_rank)
{
	uint64_t v[10] = { 10, 1, 9, 2, 8, 3, 7, 4, 6, 5 };
	uint64_t big[1000];
	unsigned int i;

	EXPECT_EQ(5, pct_nearest_rank(v, 10, 50));
	EXPECT_EQ(10, pct_nearest_rank(v, 10, 95));
	EXPECT_EQ(10, pct_nearest_rank(v, 10, 99));
	EXPECT_EQ(1, pct_nearest_rank(v, 10, 10));
	EXPECT_EQ(2, pct_nearest_rank(v, 10, 11));
	EXPECT_EQ(0, pct_nearest_rank(v, 0, 50));
	for (i = 0; i < 1000; i++)	/* 1..1000 shuffled, radix path */
		big[i] = ((i * 7919) % 1000) + 1;
	EXPECT_EQ(500, pct_nearest_rank(big, 1000, 50));
	EXPECT_EQ(950, pct_nearest_rank(big, 1000, 95));
	EXPECT_EQ(990, pct_nearest_rank(big, 1000, 99));
	for (i = 1; i < 1000; i++)
		ASSERT_LE(big[i - 1], big[i]);
}

TEST(sort_large_values)
{
	uint64_t v[100];
	unsigned int i;

	for (i = 0; i < 100; i++)
		v[i] = (uint64_t)(100 - i) << 56 | i;
	sort_u64(v, 100);
	for (i = 1; i < 100; i++)
		ASSERT_LT(v[i - 1], v[i]);
}

TEST(jain)
{
	double eq[4] = { 3, 3, 3, 3 }, one[4] = { 5, 0, 0, 0 };
	double two[2] = { 1, 3 };

	EXPECT_EQ(1.0, jain_index(eq, 4));
	EXPECT_EQ(0.25, jain_index(one, 4));
	EXPECT_LT(fabs(jain_index(two, 2) - 0.8), 1e-12);	/* 16/20 */
	EXPECT_EQ(1.0, jain_index(NULL, 0));
}

TEST(lower_bound_known)
{
	struct lower_bound lb;
	struct trace_err err;
	struct trace t;

	/* chain 1 -> 2 -> 3 dominates: 1 + 10 + 20 + 5 = 36 s */
	ASSERT_EQ(0, parse(&t,
		"agent id=1 cpu=4 mem=8G\n"
		"agent id=2 cpu=4 mem=8G\n"
		"task id=1 at=1 cpu=1 mem=1G est=1 act=10\n"
		"task id=2 at=1 cpu=1 mem=1G est=1 act=20 deps=1\n"
		"task id=3 at=2 cpu=1 mem=1G est=1 act=5 deps=2\n"
		"task id=4 at=30 cpu=1 mem=1G est=1 act=3\n", &err));
	ASSERT_EQ(0, trace_finish(&t, &err));
	lower_bound(&t, &lb);
	EXPECT_EQ(36 * S, lb.path);
	EXPECT_EQ(36 * S, lb.total);
	EXPECT_EQ(LB_PATH, lb.binds);
	/*
	 * slots: at least 1 + 38 s of work / 2 slots = 20 s; task 4 alone,
	 * arriving at 30 s, gives 30 + 3 / 2 less its arrival bin's width.
	 */
	EXPECT_LE(20 * S, lb.slots);
	EXPECT_LE(30 * S, lb.slots);
	EXPECT_GE(31500000000ULL, lb.slots);
	/* cpu: at least 1 + 38 core-s / 8 cores */
	EXPECT_LE(1 * S + 4750000000ULL, lb.cpu);
	EXPECT_EQ(0, lb.gpu);
	trace_free(&t);

	/* capacity dominates: 8 cores busy for 100 s on 4 cores total */
	ASSERT_EQ(0, parse(&t,
		"agent id=1 cpu=4 mem=8G\n"
		"task id=1 cpu=4 mem=1G est=1 act=100\n"
		"task id=2 cpu=4 mem=1G est=1 act=100\n", &err));
	ASSERT_EQ(0, trace_finish(&t, &err));
	lower_bound(&t, &lb);
	EXPECT_EQ(100 * S, lb.path);
	EXPECT_EQ(200 * S, lb.cpu);
	EXPECT_EQ(200 * S, lb.total);
	trace_free(&t);
}

/* Only the GPU agent can hold the GPU tasks: the work bound sees it. */
TEST(lower_bound_counts_work_on_the_agents_that_can_hold_it)
{
	struct lower_bound lb;
	struct trace_err err;
	struct trace t;
	char line[128];
	char *text = calloc(1, 1 << 16);
	int i;

	ASSERT_NE(NULL, text);
	strcat(text, "agent id=1 cpu=16 mem=64G gpu=1 gpumem=80G tags=gpu\n");
	for (i = 2; i <= 11; i++) {
		snprintf(line, sizeof(line), "agent id=%d cpu=4 mem=8G\n", i);
		strcat(text, line);
	}
	for (i = 1; i <= 10; i++) {
		snprintf(line, sizeof(line),
			 "task id=%d cpu=1 mem=1G gpu=1 gpumem=8G tags=gpu est=1 act=10\n",
			 i);
		strcat(text, line);
	}
	ASSERT_EQ(0, parse(&t, text, &err));
	ASSERT_EQ(0, trace_finish(&t, &err));
	lower_bound(&t, &lb);
	/* Ten 10 s tasks on the one agent that can hold them: 100 s. */
	EXPECT_EQ(100 * S, lb.total);
	EXPECT_EQ(2, lb.nclasses);
	EXPECT_NE(LB_PATH, lb.binds);
	EXPECT_NE(lb.all, lb.set[lb.binds]);
	trace_free(&t);
	free(text);
}

/* A user's limit bounds the makespan of its tasks. */
TEST(lower_bound_counts_a_users_limit)
{
	struct lower_bound lb;
	struct trace_err err;
	struct trace t;
	char buf[96];

	ASSERT_EQ(0, parse(&t,
		"agent id=1 cpu=64 mem=64G slots=10\n"
		"user name=a max_active=1\n"
		"task id=1 user=a cpu=1 mem=1G est=10\n"
		"task id=2 user=a cpu=1 mem=1G est=10\n"
		"task id=3 user=a cpu=1 mem=1G est=10\n"
		"task id=4 user=b cpu=1 mem=1G est=10\n", &err));
	ASSERT_EQ(0, trace_finish(&t, &err));
	lower_bound(&t, &lb);
	EXPECT_EQ(30 * S, lb.total);
	EXPECT_EQ(LB_USER, lb.binds);
	lb_describe(&t, &lb, buf, sizeof(buf));
	EXPECT_STREQ("user a's limit (1)", buf);
	trace_free(&t);
}

/*
 * Features without estimates: the engine's estimator estimates them, and
 * the simulator refits it online; the error falls once it has learned.
 */
TEST(estimates_from_features_improve_as_the_model_is_refit)
{
	struct sim_opts o = {
		.policy = LSC_POLICY_PRIO_FIFO,
		.choice = LSC_CHOOSE_LEAST_LOADED,
		.backfill = 1,
		.fit = 1,
		.tick_ns = 1 * S,
	};
	struct sim_result r;
	struct trace_err err;
	struct trace t;
	char *text = calloc(1, 1 << 20), line[128];
	int i;

	ASSERT_NE(NULL, text);
	strcat(text, "agent id=1 cpu=64 mem=64G slots=4\n");
	/* act = 2 s + 1 ms per character + 0.5 s per output unit */
	for (i = 1; i <= 2000; i++) {
		unsigned int x = 1000 + (i * 7919) % 9000, y = i % 7;
		unsigned int ms = 2000 + x + 500 * y;

		snprintf(line, sizeof(line),
			 "task id=%d at=%d cpu=1 mem=1G feat=%u,%u act=%u.%03u\n",
			 i, i * 3, x, y, ms / 1000, ms % 1000);
		strcat(text, line);
	}
	ASSERT_EQ(0, parse(&t, text, &err));
	ASSERT_EQ(0, trace_finish(&t, &err));
	EXPECT_EQ(2, t.max_nfeat);
	ASSERT_EQ(0, sim_run(&t, &o, &r));
	EXPECT_TRUE(r.estimated);
	TH_LOG("error: first tenth %.3f, last tenth %.3f", r.est[0].mape,
	       r.est[SIM_WINDOWS - 1].mape);
	/* The first tasks get the default 60 s estimate, far off. */
	EXPECT_LT(0.2, r.est[0].mape);
	EXPECT_GT(0.01, r.est[SIM_WINDOWS - 1].mape);
	/* Without refitting it stays off. */
	sim_result_free(&r);
	o.fit = 0;
	ASSERT_EQ(0, sim_run(&t, &o, &r));
	EXPECT_LT(1.0, r.est[SIM_WINDOWS - 1].mape);
	sim_result_free(&r);
	trace_free(&t);
	free(text);
}

/*
 * The liveness counter: zero with backfilling; without it, agents idle
 * behind a blocked head are counted (strict order).
 */
TEST(liveness_counter_counts_idle_agents_beside_fitting_work)
{
	struct sim_opts o = {
		.policy = LSC_POLICY_PRIO_FIFO,
		.choice = LSC_CHOOSE_LEAST_LOADED,
		.backfill = 1,
		.tick_ns = 1 * S,
	};
	struct sim_result r;
	struct trace_err err;
	struct trace t;

	/* Agent 1 runs task 1 for 100 s; task 2 (prio 5) needs agent 1;
	 * task 3 fits agent 2, idle.
	 */
	ASSERT_EQ(0, parse(&t,
		"agent id=1 cpu=8 mem=8G\n"
		"agent id=2 cpu=2 mem=8G\n"
		"task id=1 prio=9 cpu=8 mem=1G est=100\n"
		"task id=2 prio=5 cpu=8 mem=1G est=10\n"
		"task id=3 prio=1 cpu=1 mem=1G est=10\n", &err));
	ASSERT_EQ(0, trace_finish(&t, &err));
	ASSERT_EQ(0, sim_run(&t, &o, &r));
	EXPECT_EQ(0, r.idle_fit_s);
	EXPECT_EQ(0, r.qwait[1].p50);
	sim_result_free(&r);
	o.backfill = 0;
	ASSERT_EQ(0, sim_run(&t, &o, &r));
	/* Task 3 waits 100 s behind the head, agent 2 idle all along. */
	EXPECT_LT(99.9, r.idle_fit_s);
	EXPECT_GT(100.1, r.idle_fit_s);
	EXPECT_EQ(r.idle_fit_s, r.idle_fit_strict_s);
	sim_result_free(&r);
	trace_free(&t);
}

/*
 * Real CPU use (use=): two tasks of 1 CPU that each use 2 share a 2-CPU
 * agent's reservation and run at half speed; a third task that uses half
 * its demand beside them does not speed them up beyond the reservation.
 */
TEST(tasks_using_more_cpu_than_they_demand_share_the_reservation)
{
	struct sim_opts o = {
		.policy = LSC_POLICY_PRIO_FIFO,
		.choice = LSC_CHOOSE_LEAST_LOADED,
		.backfill = 1,
		.tick_ns = 1 * S,
		.start_delay_ns = S / 5,
	};
	struct sim_result r;
	struct trace_err err;
	struct trace t;

	ASSERT_EQ(0, parse(&t,
		"agent id=1 cpu=2 mem=8G slots=2\n"
		"task id=1 cpu=1 mem=1G est=10 use=2\n"
		"task id=2 cpu=1 mem=1G est=10 use=2\n", &err));
	ASSERT_EQ(2000U, t.tasks[0].use);
	ASSERT_EQ(0, trace_finish(&t, &err));
	ASSERT_EQ(0, sim_run(&t, &o, &r));
	/* 4 CPUs wanted of 2: 20 s each, both started at 0.2 s. */
	EXPECT_EQ(20 * S + S / 5, r.makespan);
	EXPECT_LT(0.499, r.cpu_wait);
	EXPECT_GT(0.501, r.cpu_wait);
	sim_result_free(&r);
	trace_free(&t);

	/* Task 2 uses 0.5: 2.5 wanted of 2, both at 0.8 until task 2 ends. */
	ASSERT_EQ(0, parse(&t,
		"agent id=1 cpu=2 mem=8G slots=2\n"
		"task id=1 cpu=1 mem=1G est=10 use=2\n"
		"task id=2 cpu=1 mem=1G est=4 use=0.5\n", &err));
	ASSERT_EQ(0, trace_finish(&t, &err));
	ASSERT_EQ(0, sim_run(&t, &o, &r));
	/* task 2 ends at 0.2 + 5 s; task 1 did 4 s of 10 then, 6 s left. */
	EXPECT_EQ(11 * S + S / 5, r.makespan);
	sim_result_free(&r);
	trace_free(&t);
}

/*
 * Measured loads steer dispatch: agent 1 holds a half-CPU task that uses
 * four times that (its 2 CPUs), agent 2 a 1-CPU task that uses a tenth.
 * On held shares agent 1 (250) looks lighter than agent 2 (500); the
 * reports say 1000 and 50, so task 3 goes to agent 2 and is not slowed.
 * Without reports it goes to agent 1 and shares its CPUs.  With the
 * balancer off no task ever migrates.
 */
TEST(measured_loads_reach_the_engine_and_steer_dispatch)
{
	struct sim_opts o = {
		.policy = LSC_POLICY_PRIO_FIFO,
		.choice = LSC_CHOOSE_LEAST_LOADED,
		.backfill = 1,
		.tick_ns = 1 * S,
		.start_delay_ns = S / 5,
		.load_interval_ns = S / 100,
		.load_window_ns = S / 10,
	};
	struct sim_result r;
	struct trace_err err;
	struct trace t;
	char *buf = NULL;
	size_t len = 0;

	ASSERT_EQ(0, parse(&t,
		"agent id=1 cpu=2 mem=8G slots=2\n"
		"agent id=2 cpu=2 mem=8G slots=2\n"
		"task id=1 cpu=500m mem=1G est=100 use=4\n"
		"task id=2 at=0.001 cpu=1 mem=1G est=100 use=0.1\n"
		"task id=3 at=5 cpu=1 mem=1G est=10\n", &err));
	ASSERT_EQ(0, trace_finish(&t, &err));
	o.events = open_memstream(&buf, &len);
	ASSERT_NE(NULL, o.events);
	ASSERT_EQ(0, sim_run(&t, &o, &r));
	fclose(o.events);
	EXPECT_NE(NULL, strstr(buf, "Task 1 assigned to agent 1\n"));
	EXPECT_NE(NULL, strstr(buf, "Task 2 assigned to agent 2\n"));
	EXPECT_NE(NULL, strstr(buf, "Task 3 assigned to agent 2\n"));
	EXPECT_LT(490U, r.reports);
	sim_result_free(&r);
	free(buf);

	o.load_interval_ns = 0;
	o.events = open_memstream(&buf, &len);
	ASSERT_NE(NULL, o.events);
	ASSERT_EQ(0, sim_run(&t, &o, &r));
	fclose(o.events);
	EXPECT_NE(NULL, strstr(buf, "Task 3 assigned to agent 1\n"));
	EXPECT_EQ(0U, r.reports);
	sim_result_free(&r);
	free(buf);

	o.load_interval_ns = S / 100;
	o.no_balance = 1;
	o.events = NULL;
	ASSERT_EQ(0, sim_run(&t, &o, &r));
	EXPECT_EQ(0U, r.migrations);
	EXPECT_EQ(1, r.no_balance);
	sim_result_free(&r);
	trace_free(&t);
}

/*
 * Preemption: a preemptible low task fills the only agent; a high one
 * arrives 10 s in, the low one freezes (0.1 s), the high one runs 5 s,
 * the low one thaws (0.1 s) and runs what it had left.  Without the flag
 * (or with --preempt off) the high one waits for the low one's end.
 */
TEST(preemptible_tasks_freeze_for_higher_priorities_and_thaw)
{
	struct sim_opts o = {
		.policy = LSC_POLICY_PRIO_FIFO,
		.choice = LSC_CHOOSE_LEAST_LOADED,
		.backfill = 1,
		.tick_ns = 1 * S,
		.preempt = 1,
		.freeze_delay_ns = S / 10,
	};
	struct sim_result r;
	struct trace_err err;
	struct trace t;

	ASSERT_EQ(0, parse(&t,
		"agent id=1 cpu=4 mem=8G\n"
		"task id=1 prio=0 cpu=4 mem=4G est=100 preempt=1\n"
		"task id=2 at=10 prio=7 cpu=4 mem=1G est=5\n", &err));
	ASSERT_EQ(1, t.tasks[0].preempt);
	ASSERT_EQ(0, t.tasks[1].preempt);
	ASSERT_EQ(0, trace_finish(&t, &err));
	ASSERT_EQ(0, sim_run(&t, &o, &r));
	EXPECT_EQ(1, r.preemptions);
	EXPECT_EQ(1, r.freezes);
	EXPECT_EQ(1, r.frozen);
	EXPECT_EQ(1, r.thaws);
	EXPECT_EQ(S / 10, r.qwait[7].p50);
	/* 10.1 + 5 + 0.1 + the 89.9 s it had left. */
	EXPECT_EQ(105100000000ULL, r.makespan);
	EXPECT_EQ(0, r.idle_fit_s);
	sim_result_free(&r);
	o.preempt = 0;
	ASSERT_EQ(0, sim_run(&t, &o, &r));
	EXPECT_EQ(0, r.freezes);
	EXPECT_EQ(90 * S, r.qwait[7].p50);
	EXPECT_EQ(105 * S, r.makespan);
	sim_result_free(&r);
	trace_free(&t);
}

static const char reference_out[] =
	"Task 1 assigned to agent 1\n"
	"Task 2 assigned to agent 2\n"
	"Task 2 completed\n"
	"Task 1 completed\n"
	"Task 3 assigned to agent 1\n"
	"Task 3 completed\n";

TEST(reference_example_six_lines)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ASSERT_NE(NULL, f);
	EXPECT_EQ(0, llmsim_reference(f));
	fclose(f);
	EXPECT_STREQ(reference_out, buf);
	free(buf);
}

/* The reference trace through a full report: makespan 25 s, bound 25 s. */
TEST(reference_metrics)
{
	struct sim_opts o = {
		.policy = LSC_POLICY_PRIO_FIFO,
		.choice = LSC_CHOOSE_LEAST_LOADED,
		.backfill = 1,
		.tick_ns = 1 * S,
	};
	struct sim_result r;
	struct lower_bound lb;
	struct trace_err err;
	struct trace t;

	ASSERT_EQ(0, parse(&t, llmsim_reference_trace, &err));
	ASSERT_EQ(0, trace_finish(&t, &err));
	lower_bound(&t, &lb);
	EXPECT_EQ(15 * S, lb.path);
	ASSERT_EQ(0, sim_run(&t, &o, &r));
	EXPECT_EQ(25 * S, r.makespan);
	EXPECT_EQ(3, r.completed);
	EXPECT_EQ(0, r.qwait[3].p50);
	EXPECT_EQ(0, r.qwait[2].p99);
	EXPECT_EQ(10 * S, r.qwait[1].p50);
	/* cpu: (2*10 + 1*5 + 3*15) core-s / (8 cores * 25 s) */
	EXPECT_LT(fabs(r.util[LSC_RES_CPU] - 70.0 / 200.0), 1e-9);
	sim_result_free(&r);
	trace_free(&t);
}

TEST_HARNESS_MAIN
