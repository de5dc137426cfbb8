// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched selftests: races, scale, and unloading under load.
 *
 * Threads hammer the same tasks with cancel, dispatch and completion; many
 * submitters race many agents; 100,000 tasks go through in batches; the
 * module refuses to unload while its files are open and leaks nothing when
 * it finally does; ended tasks are evicted while a cascade is still
 * reaching the dependents of a cancelled one.  Sized for the test VM (software emulation, 2 vCPUs):
 * each test logs its own time.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/llmsched.h>

#include "kselftest_harness.h"
#include "harness_main.h"
#include "llmsched_util.h"
#include "module_util.h"

/* The 6.1 harness defines FIXTURE_SETUP/TEARDOWN as non-static functions. */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"

#define HOST_CPU	LS_CPUS(64)
#define HOST_MEM	LS_GB(256)
#define MAX_AGENTS	8

/* ------------------------------------------------------ agent threads */

struct worker {
	pthread_t th;
	int fd;
	bool do_start;
	unsigned int delay_us;	/* between fetch and start: widens races */
	int *stop;
	unsigned long done, cancelled, kills, failed_calls;
	int first_err;
	const char *first_call;
};

static void worker_err(struct worker *w, const char *call, int err)
{
	if (!w->failed_calls++) {
		w->first_err = err;
		w->first_call = call;
	}
}

/*
 * The kernel's requests: a KILL for each task whose start was refused
 * (nothing of it runs here, so it is done at once); nothing else is asked
 * of an agent that never freezes and is never lost.
 */
static void worker_controls(struct worker *w)
{
	struct llmsched_agent_control c;
	int ret;

	while (!(ret = ls_agent_control(w->fd, 0, &c))) {
		if (c.kind != LLMSCHED_CONTROL_KILL) {
			worker_err(w, "control kind", -EPROTO);
			continue;
		}
		ret = ls_agent_confirm(w->fd, c.task_id, LLMSCHED_CONTROL_KILL);
		if (ret)
			worker_err(w, "confirm", ret);
		else
			w->kills++;
	}
	if (ret != -EAGAIN)
		worker_err(w, "control", ret);
}

/* An agent: fetch, (start,) complete; a cancel under its feet is fine. */
static void *agent_worker(void *arg)
{
	struct worker *w = arg;
	struct llmsched_agent_fetch f;
	char buf[1024];
	int ret;

	while (!__atomic_load_n(w->stop, __ATOMIC_ACQUIRE)) {
		ret = ls_agent_fetch(w->fd, LS_MSEC(20), &f, buf, sizeof(buf));
		if (ret == -ETIMEDOUT || ret == -EAGAIN || ret == -EINTR)
			continue;
		if (ret == -ENOMSG) {
			worker_controls(w);
			continue;
		}
		if (ret) {
			worker_err(w, "fetch", ret);
			continue;
		}
		if (w->delay_us)
			usleep(w->delay_us);
		if (w->do_start) {
			ret = ls_agent_start(w->fd, f.task_id);
			/* Not run: its KILL record comes through FETCH. */
			if (ret == -ECANCELED) {
				w->cancelled++;
				continue;
			}
			if (ret) {
				worker_err(w, "start", ret);
				continue;
			}
		}
		ret = ls_agent_complete(w->fd, f.task_id, 0,
					LLMSCHED_REASON_NONE, 0, 1000);
		if (ret == -ECANCELED)
			w->cancelled++;
		else if (ret)
			worker_err(w, "complete", ret);
		else
			w->done++;
	}
	return NULL;
}

FIXTURE(stress) {
	int fd;
	int nr_agents;
	struct ls_agent a[MAX_AGENTS];
	struct worker w[MAX_AGENTS];
	int stop;
	bool running;
	char retain_ended[32];	/* to write back, when a test changed it */
};

FIXTURE_SETUP(stress)
{
	self->fd = -1;
	ASSERT_EQ(0, llmsched_module_ensure_loaded());
	self->fd = ls_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ls_reset(self->fd, HOST_CPU, HOST_MEM));
}

/* Retain @n ended tasks per user for this test; teardown restores it. */
static int set_retain(FIXTURE_DATA(stress) *self, unsigned int n)
{
	char val[16];
	__u64 old;
	int ret;

	if (!self->retain_ended[0]) {
		ret = ls_sysfs_u64("limits/retain_ended", &old);
		if (ret)
			return ret;
		snprintf(self->retain_ended, sizeof(self->retain_ended),
			 "%llu", (unsigned long long)old);
	}
	snprintf(val, sizeof(val), "%u", n);
	return ls_sysfs_write("limits/retain_ended", val);
}

static void stop_agents(FIXTURE_DATA(stress) *self)
{
	int i;

	if (!self->running)
		return;
	__atomic_store_n(&self->stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < self->nr_agents; i++)
		pthread_join(self->w[i].th, NULL);
	self->running = false;
}

FIXTURE_TEARDOWN(stress)
{
	int i;

	stop_agents(self);
	if (self->retain_ended[0])
		ls_sysfs_write("limits/retain_ended", self->retain_ended);
	if (self->fd >= 0)
		ls_cancel_all(self->fd);
	for (i = 0; i < MAX_AGENTS; i++)
		ls_agent_destroy(&self->a[i]);
	if (self->fd >= 0)
		close(self->fd);
}

/* @n agents of @slots slots each, one thread each, draining. */
static int start_agents(FIXTURE_DATA(stress) *self, int n, __u32 slots,
			bool do_start)
{
	int i, ret;

	self->stop = 0;
	for (i = 0; i < n; i++) {
		ret = ls_agent_spawn(&self->a[i], slots, LS_CPUS(8), LS_GB(32),
				     0);
		if (ret)
			return ret;
	}
	for (i = 0; i < n; i++) {
		memset(&self->w[i], 0, sizeof(self->w[i]));
		self->w[i].fd = self->a[i].fd;
		self->w[i].stop = &self->stop;
		self->w[i].do_start = do_start;
		ret = pthread_create(&self->w[i].th, NULL, agent_worker,
				     &self->w[i]);
		if (ret)
			return -ret;
		self->nr_agents = i + 1;
		self->running = true;
	}
	return 0;
}

/* Wait until no task is held (all ended), up to @timeout_ms. */
static int wait_drained(unsigned int timeout_ms)
{
	__u64 deadline = ls_now_ns() + LS_MSEC(timeout_ms), held;
	int ret;

	for (;;) {
		ret = ls_tasks_held(&held);
		if (ret)
			return ret;
		if (!held)
			return 0;
		if (ls_now_ns() > deadline)
			return -ETIMEDOUT;
		usleep(10000);
	}
}

#define CHECK_WORKERS() do {						\
		int _i;							\
		for (_i = 0; _i < self->nr_agents; _i++)		\
			EXPECT_EQ(0UL, self->w[_i].failed_calls)	\
				TH_LOG("agent %d: %s: %s", _i,		\
				       self->w[_i].first_call,		\
				       strerror(-self->w[_i].first_err)); \
	} while (0)

static void task_small(struct llmsched_task_submit *t)
{
	ls_task_init(t, LLMSCHED_PRIO_DEFAULT, 1, 1, LS_MSEC(1));
}

static int cmp_u64(const void *a, const void *b)
{
	__u64 x = *(const __u64 *)a, y = *(const __u64 *)b;

	return x < y ? -1 : x > y;
}

/* ------------------------------------------------------------- races */

/* Submitted 16 at a time: a whole number of batches at any scale. */
#define RACE_TASKS	((int)test_scale(2000) / 16 * 16)

struct canceller {
	pthread_t th;
	__u64 *ids;
	int *nr;		/* ids published so far */
	int *stop;
	int fd;
	unsigned long ok, late, errors;
	int first_err;
};

static void *cancel_worker(void *arg)
{
	struct canceller *c = arg;
	unsigned int seed = 12345;
	int n, ret;

	while (!__atomic_load_n(c->stop, __ATOMIC_ACQUIRE)) {
		n = __atomic_load_n(c->nr, __ATOMIC_ACQUIRE);
		if (!n) {
			usleep(1000);
			continue;
		}
		/* The newest tasks: the ones the agents are busy with. */
		ret = ls_cancel(c->fd, c->ids[n - 1 - rand_r(&seed) %
					      (n < 64 ? n : 64)]);
		if (!ret)
			c->ok++;
		else if (ret == -EALREADY)
			c->late++;
		else if (!c->errors++)
			c->first_err = ret;
	}
	return NULL;
}

/*
 * A canceller races the agents' fetch/start/complete over the same tasks:
 * every task ends exactly once, either SUCCEEDED or CANCELLED, the agents
 * see only ECANCELED, and nothing stays reserved.
 */
TEST_F_TIMEOUT(stress, cancel_races_dispatch_and_completion, 180)
{
	struct llmsched_task_submit t[16];
	struct llmsched_capacity c;
	struct canceller can;
	struct ls_stats s0, s1;
	__u64 *ids, t0;
	int nr = 0, cstop = 0, i, j;
	__u32 idx;
	unsigned long done = 0, seen_cancel = 0, kills = 0, main_ok = 0;

	ids = calloc(RACE_TASKS, sizeof(*ids));
	ASSERT_NE(NULL, ids);
	/* Every task is looked at once all have ended. */
	ASSERT_EQ(0, set_retain(self, RACE_TASKS));
	ASSERT_EQ(0, ls_stats_read(&s0));
	ASSERT_EQ(0, start_agents(self, 4, 4, true));
	for (i = 0; i < self->nr_agents; i++)
		self->w[i].delay_us = 200;
	memset(&can, 0, sizeof(can));
	can.ids = ids;
	can.nr = &nr;
	can.stop = &cstop;
	can.fd = ls_open();
	ASSERT_LE(0, can.fd);
	ASSERT_EQ(0, pthread_create(&can.th, NULL, cancel_worker, &can));

	t0 = ls_now_ns();
	for (i = 0; i < RACE_TASKS; i += 16) {
		for (j = 0; j < 16; j++)
			task_small(&t[j]);
		ASSERT_EQ(0, ls_submit_batch(self->fd, t, 16, &idx));
		for (j = 0; j < 16; j++)
			ids[i + j] = t[j].task_id;
		__atomic_store_n(&nr, i + 16, __ATOMIC_RELEASE);
		/*
		 * Cancel half of the batch at once, while the agents fetch,
		 * start and complete it: each cancel meets the task in
		 * whatever state the race left it.
		 */
		for (j = 15; j >= 0; j -= 2) {
			int ret = ls_cancel(self->fd, t[j].task_id);

			if (!ret)
				main_ok++;
			else
				EXPECT_EQ(-EALREADY, ret);
		}
	}
	ASSERT_EQ(0, wait_drained(60000));
	__atomic_store_n(&cstop, 1, __ATOMIC_RELEASE);
	pthread_join(can.th, NULL);
	stop_agents(self);
	TH_LOG("%d tasks: cancelled %lu by the submitter, %lu by the canceller (%lu late); %.1f s",
	       RACE_TASKS, main_ok, can.ok, can.late,
	       (ls_now_ns() - t0) / 1e9);
	EXPECT_EQ(0UL, can.errors) TH_LOG("cancel: %s",
					  strerror(-can.first_err));
	CHECK_WORKERS();

	for (i = 0; i < self->nr_agents; i++) {
		done += self->w[i].done;
		seen_cancel += self->w[i].cancelled;
		kills += self->w[i].kills;
	}
	ASSERT_EQ(0, ls_stats_read(&s1));
	EXPECT_EQ(s0.submitted + RACE_TASKS, s1.submitted);
	EXPECT_EQ(s0.succeeded + done, s1.succeeded);
	TH_LOG("agents: %lu completed, %lu met ECANCELED, %lu kills confirmed",
	       done, seen_cancel, kills);
	/* A KILL comes only for a task whose start was refused. */
	EXPECT_GE(seen_cancel, kills);
	EXPECT_EQ(s0.cancelled + can.ok + main_ok, s1.cancelled);
	EXPECT_EQ(s0.failed, s1.failed);
	EXPECT_EQ((unsigned long)RACE_TASKS, done + can.ok + main_ok);
	EXPECT_GE(can.ok + main_ok, seen_cancel);
	/* Every task ended once, as one of the two. */
	for (i = 0; i < RACE_TASKS; i++) {
		struct llmsched_task_info info;

		ASSERT_EQ(0, ls_query(self->fd, ids[i], &info));
		EXPECT_TRUE(info.state == LLMSCHED_TASK_SUCCEEDED ||
			    info.state == LLMSCHED_TASK_CANCELLED)
			TH_LOG("task %llu: %s", (unsigned long long)ids[i],
			       ls_state_name(info.state));
	}
	ASSERT_EQ(0, ls_get_capacity(self->fd, &c));
	EXPECT_EQ(4 * LS_CPUS(8), c.reserved[LLMSCHED_RES_CPU]);
	close(can.fd);
	free(ids);
}

/* ------------------------------------------------ submitters vs agents */

#define SUBMITTERS	16
#define PER_SUBMITTER	500

struct submitter {
	pthread_t th;
	__u64 *ids;
	int n, err;
};

static void *submit_worker(void *arg)
{
	struct submitter *s = arg;
	struct llmsched_task_submit t[10];
	int fd = ls_open(), i, j, ret;
	__u32 idx;

	if (fd < 0) {
		s->err = fd;
		return NULL;
	}
	/* Singles and small batches, interleaved. */
	for (i = 0; i < s->n && !s->err;) {
		if (i % 20 < 10) {
			task_small(&t[0]);
			ret = ls_submit(fd, &t[0]);
			if (ret)
				s->err = ret;
			else
				s->ids[i++] = t[0].task_id;
			continue;
		}
		for (j = 0; j < 10; j++)
			task_small(&t[j]);
		ret = ls_submit_batch(fd, t, 10, &idx);
		if (ret) {
			s->err = ret;
			break;
		}
		for (j = 0; j < 10; j++)
			s->ids[i++] = t[j].task_id;
	}
	close(fd);
	return NULL;
}

TEST_F_TIMEOUT(stress, sixteen_submitters_race_eight_agents, 180)
{
	struct submitter s[SUBMITTERS];
	struct ls_stats s0, s1;
	__u64 *all, t0, held;
	unsigned long done = 0;
	int i, total = SUBMITTERS * PER_SUBMITTER;

	all = calloc(total, sizeof(*all));
	ASSERT_NE(NULL, all);
	ASSERT_EQ(0, ls_stats_read(&s0));
	ASSERT_EQ(0, start_agents(self, 8, 8, true));
	t0 = ls_now_ns();
	for (i = 0; i < SUBMITTERS; i++) {
		s[i].ids = all + i * PER_SUBMITTER;
		s[i].n = PER_SUBMITTER;
		s[i].err = 0;
		ASSERT_EQ(0, pthread_create(&s[i].th, NULL, submit_worker,
					    &s[i]));
	}
	for (i = 0; i < SUBMITTERS; i++) {
		pthread_join(s[i].th, NULL);
		EXPECT_EQ(0, s[i].err) TH_LOG("submitter %d: %s", i,
					      strerror(-s[i].err));
	}
	ASSERT_EQ(0, wait_drained(90000));
	stop_agents(self);
	TH_LOG("%d tasks from %d threads through %d agents: %.1f s", total,
	       SUBMITTERS, self->nr_agents, (ls_now_ns() - t0) / 1e9);
	CHECK_WORKERS();

	/* Distinct ids, never 0. */
	qsort(all, total, sizeof(*all), cmp_u64);
	EXPECT_NE(0ULL, all[0]);
	for (i = 1; i < total; i++)
		ASSERT_NE(all[i - 1], all[i]);
	for (i = 0; i < self->nr_agents; i++)
		done += self->w[i].done;
	EXPECT_EQ((unsigned long)total, done);
	ASSERT_EQ(0, ls_stats_read(&s1));
	ASSERT_EQ(0, ls_tasks_held(&held));
	EXPECT_EQ(0ULL, held);
	EXPECT_EQ(s0.submitted + total, s1.submitted);
	EXPECT_EQ(s0.succeeded + total, s1.succeeded);
	EXPECT_LE(s0.dispatched + total, s1.dispatched);
	EXPECT_EQ(s1.submitted, s1.succeeded + s1.failed + s1.cancelled +
				held);
	free(all);
}

/* --------------------------------------------------------------- scale */

#define SCALE_TASKS	((int)test_scale(100000))

TEST_F_TIMEOUT(stress, hundred_thousand_tasks_in_batches, 300)
{
	struct llmsched_task_submit *t;
	struct ls_stats s0, s1;
	__u64 t0, t_sub, held;
	unsigned long done = 0;
	int left, n, i;
	__u32 idx;

	t = calloc(LLMSCHED_BATCH_MAX, sizeof(*t));
	ASSERT_NE(NULL, t);
	/* Submission outruns the agents: all of them may be held at once. */
	ASSERT_EQ(0, ls_set_limits(self->fd, 0, SCALE_TASKS, 0));
	ASSERT_EQ(0, ls_stats_read(&s0));
	ASSERT_EQ(0, start_agents(self, 4, 64, false));
	t0 = ls_now_ns();
	for (left = SCALE_TASKS; left > 0; left -= n) {
		n = left < LLMSCHED_BATCH_MAX ? left : LLMSCHED_BATCH_MAX;
		for (i = 0; i < n; i++)
			task_small(&t[i]);
		ASSERT_EQ(0, ls_submit_batch(self->fd, t, n, &idx))
			TH_LOG("%d left", left);
	}
	t_sub = ls_now_ns() - t0;
	ASSERT_EQ(0, wait_drained(240000));
	stop_agents(self);
	TH_LOG("%d tasks: submitted in %.2f s, all ended after %.2f s",
	       SCALE_TASKS, t_sub / 1e9, (ls_now_ns() - t0) / 1e9);
	CHECK_WORKERS();
	for (i = 0; i < self->nr_agents; i++)
		done += self->w[i].done;
	EXPECT_EQ((unsigned long)SCALE_TASKS, done);
	ASSERT_EQ(0, ls_stats_read(&s1));
	ASSERT_EQ(0, ls_tasks_held(&held));
	EXPECT_EQ(s0.submitted + SCALE_TASKS, s1.submitted);
	EXPECT_EQ(s0.succeeded + SCALE_TASKS, s1.succeeded);
	EXPECT_EQ(s1.submitted, s1.succeeded + s1.failed + s1.cancelled +
				held);
	EXPECT_LE(s1.succeeded, s1.dispatched);
	free(t);
}

/* ------------------------------------------- cascade against eviction */

#define CASCADE_DEPS	((int)test_scale(20000))

struct churner {
	pthread_t th;
	int fd;
	int *stop;
	unsigned long rounds, errors;
	int first_err;
};

/*
 * Submit a task and cancel it, over and over: each round ends one task, so
 * with a short retention each round evicts one, and each call also takes
 * its turn at any cascade still pending.
 */
static void *churn_worker(void *arg)
{
	struct churner *c = arg;
	struct llmsched_task_submit t;
	int ret;

	while (!__atomic_load_n(c->stop, __ATOMIC_ACQUIRE)) {
		task_small(&t);
		ret = ls_submit(c->fd, &t);
		if (!ret)
			ret = ls_cancel(c->fd, t.task_id);
		if (ret && !c->errors++)
			c->first_err = ret;
		c->rounds++;
	}
	return NULL;
}

/*
 * A cancelled task's end reaches its dependents a bounded number of edges
 * per lock hold; between holds, other callers end and evict tasks (the
 * retention is 16), dependents of the cascade among them.  Every dependent
 * must still end, once, and the counters must add up.
 */
/*
 * Every id a batch or a submission returns is the id of a task it made,
 * even while fast agents run, end and the retention window (one task) frees
 * the first tasks of the batch before its last chunk is in: the ids reach
 * the caller before any task is visible.  A module that read the ids back
 * from the tasks after committing them returned freed memory (slab poison
 * 0x6b6b...) or another task's id here.
 */
#define ID_BATCHES	((int)test_scale(24))

static int check_batch_ids(const struct llmsched_task_submit *t, __u32 n,
			   __u64 *first)
{
	__u32 i;

	*first = t[0].task_id;
	if (!t[0].task_id || t[0].task_id > (1ULL << 40))
		return -1;
	for (i = 1; i < n; i++)
		if (t[i].task_id != t[0].task_id + i)
			return (int)i;
	return 0;
}

TEST_F_TIMEOUT(stress, returned_ids_survive_tasks_ending_at_once, 240)
{
	struct llmsched_task_submit *t, one;
	__u64 first, prev_last = 0, t0;
	int b, bad, i;
	__u32 idx;

	t = calloc(LLMSCHED_BATCH_MAX, sizeof(*t));
	ASSERT_NE(NULL, t);
	ASSERT_EQ(0, set_retain(self, 1));
	ASSERT_EQ(0, start_agents(self, 4, 64, false));
	t0 = ls_now_ns();
	for (b = 0; b < ID_BATCHES; b++) {
		for (i = 0; i < LLMSCHED_BATCH_MAX; i++)
			task_small(&t[i]);
		ASSERT_EQ(0, ls_submit_batch(self->fd, t, LLMSCHED_BATCH_MAX,
					     &idx));
		EXPECT_EQ((__u32)LLMSCHED_BATCH_MAX, idx);
		bad = check_batch_ids(t, LLMSCHED_BATCH_MAX, &first);
		EXPECT_EQ(0, bad) TH_LOG("batch %d: entry %d has id %#llx, the first %#llx",
					  b, bad < 0 ? 0 : bad,
					  (unsigned long long)t[bad < 0 ? 0 : bad].task_id,
					  (unsigned long long)first);
		/* Ids are never reused and grow: nothing else submits. */
		EXPECT_LT(prev_last, first);
		prev_last = t[LLMSCHED_BATCH_MAX - 1].task_id;
		for (i = 0; i < 64; i++) {
			task_small(&one);
			ASSERT_EQ(0, ls_submit(self->fd, &one));
			EXPECT_EQ(prev_last + 1, one.task_id);
			prev_last = one.task_id;
		}
	}
	ASSERT_EQ(0, wait_drained(120000));
	stop_agents(self);
	TH_LOG("%d tasks in %d batches and %d single submissions: %.1f s",
	       ID_BATCHES * (LLMSCHED_BATCH_MAX + 64), ID_BATCHES,
	       ID_BATCHES * 64, (ls_now_ns() - t0) / 1e9);
	CHECK_WORKERS();
	free(t);
}

/*
 * UNREGISTER checks that no task is fetched and ends the agent in one step:
 * a FETCH on another thread either comes first (and UNREGISTER says EBUSY)
 * or fails with EBADFD.  It never gets a task from an agent whose
 * UNREGISTER then succeeds: that task would be fetched by nobody.
 */
#define UNREG_ROUNDS	((int)test_scale(300))

struct racing_fetcher {
	pthread_t th;
	int fd;
	int fetched;
	int last_err;
	int spinning;
};

/* Fetch without waiting, as fast as it can, until the agent is gone. */
static void *racing_fetch(void *arg)
{
	struct racing_fetcher *r = arg;
	int ret;

	for (;;) {
		ret = ls_agent_fetch(r->fd, 0, NULL, NULL, 0);
		if (!ret) {
			__atomic_add_fetch(&r->fetched, 1, __ATOMIC_RELEASE);
			continue;
		}
		if (ret != -EAGAIN) {
			__atomic_store_n(&r->last_err, ret, __ATOMIC_RELEASE);
			return NULL;
		}
		__atomic_store_n(&r->spinning, 1, __ATOMIC_RELEASE);
	}
}

TEST_F_TIMEOUT(stress, unregister_and_fetch_never_both_win, 240)
{
	int round, ret, won_unreg = 0, won_fetch = 0, lost = 0;
	struct racing_fetcher r;
	struct ls_agent *a = &self->a[0];
	struct llmsched_task_submit t;

	for (round = 0; round < UNREG_ROUNDS; round++) {
		ASSERT_EQ(0, ls_agent_spawn(a, 8, LS_CPUS(8), LS_GB(32), 0));
		memset(&r, 0, sizeof(r));
		r.fd = a->fd;
		ASSERT_EQ(0, pthread_create(&r.th, NULL, racing_fetch, &r));
		while (!__atomic_load_n(&r.spinning, __ATOMIC_ACQUIRE))
			;
		/* The task and the unregistration race the spinning fetch. */
		task_small(&t);
		ASSERT_EQ(0, ls_submit(self->fd, &t));
		do
			ret = ls_agent_unregister(a->fd);
		while (ret == -EBUSY &&
		       !__atomic_load_n(&r.fetched, __ATOMIC_ACQUIRE));
		if (!ret) {
			pthread_join(r.th, NULL);
			EXPECT_EQ(-EBADFD, r.last_err);
			/* Both won: a task was handed to nobody. */
			if (r.fetched)
				lost++;
			else
				won_unreg++;
		} else {
			EXPECT_EQ(-EBUSY, ret);
			won_fetch++;
			ls_agent_destroy(a);
			pthread_join(r.th, NULL);
		}
		ls_agent_destroy(a);
		/*
		 * Lost with a fetched task, it keeps its reservation until
		 * its fence (the module looks every 20 ms): rounds faster
		 * than that would fill the host with fencing agents.
		 */
		ASSERT_EQ(0, ls_wait_no_fencing(self->fd, 5000));
		ASSERT_LE(0, ls_cancel_all(self->fd));
	}
	TH_LOG("%d rounds: UNREGISTER first %d, FETCH first %d, both %d",
	       UNREG_ROUNDS, won_unreg, won_fetch, lost);
	EXPECT_EQ(0, lost);
	/* Both sides won some rounds, or the race was not run at all. */
	EXPECT_LT(0, won_unreg);
	EXPECT_LT(0, won_fetch);
}

TEST_F_TIMEOUT(stress, cascade_races_eviction, 180)
{
	struct llmsched_task_submit *t, gate;
	struct churner c = { .fd = -1 };
	struct ls_stats s0, s1;
	__u64 held, t0;
	int left, n, i;
	__u32 idx;

	ASSERT_EQ(0, set_retain(self, 16));
	/* An agent that never fetches: the gate is assigned to it and stays. */
	ASSERT_EQ(0, ls_agent_spawn(&self->a[0], 1, LS_CPUS(8), LS_GB(32), 0));
	task_small(&gate);
	ASSERT_EQ(0, ls_submit(self->fd, &gate));

	t = calloc(LLMSCHED_BATCH_MAX, sizeof(*t));
	ASSERT_NE(NULL, t);
	for (left = CASCADE_DEPS; left > 0; left -= n) {
		n = left < LLMSCHED_BATCH_MAX ? left : LLMSCHED_BATCH_MAX;
		for (i = 0; i < n; i++) {
			task_small(&t[i]);
			t[i].nr_deps = 1;
			t[i].deps_ptr = (uintptr_t)&gate.task_id;
		}
		ASSERT_EQ(0, ls_submit_batch(self->fd, t, n, &idx))
			TH_LOG("%d left", left);
	}
	free(t);
	ASSERT_EQ(0, ls_stats_read(&s0));

	c.fd = ls_open();
	ASSERT_LE(0, c.fd);
	self->stop = 0;
	c.stop = &self->stop;
	ASSERT_EQ(0, pthread_create(&c.th, NULL, churn_worker, &c));
	/* Let the churner get going, so that it overlaps the cascade. */
	while (!__atomic_load_n(&c.rounds, __ATOMIC_RELAXED))
		usleep(1000);
	t0 = ls_now_ns();
	EXPECT_EQ(0, ls_cancel(self->fd, gate.task_id));
	TH_LOG("cascade of %d: %.1f ms, %lu churn rounds so far", CASCADE_DEPS,
	       (ls_now_ns() - t0) / 1e6,
	       __atomic_load_n(&c.rounds, __ATOMIC_RELAXED));
	__atomic_store_n(&self->stop, 1, __ATOMIC_RELEASE);
	pthread_join(c.th, NULL);
	close(c.fd);
	EXPECT_EQ(0UL, c.errors) TH_LOG("churn: %s", strerror(-c.first_err));

	/* The gate and every dependent ended; nothing else is held. */
	ASSERT_EQ(0, wait_drained(60000));
	ASSERT_EQ(0, ls_stats_read(&s1));
	ASSERT_EQ(0, ls_tasks_held(&held));
	EXPECT_EQ(0ULL, held);
	EXPECT_LE(s0.failed + s0.cancelled + CASCADE_DEPS + 1,
		  s1.failed + s1.cancelled);
	EXPECT_EQ(s1.submitted, s1.succeeded + s1.failed + s1.cancelled);
}

/* ------------------------------------------------------------- unload */

static long long slab_objects(void)
{
	char line[512];
	long long objs = 0;
	FILE *f = fopen("/proc/slabinfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char name[128];
		long long active;

		if (line[0] == '#' || !strncmp(line, "slabinfo", 8))
			continue;
		if (sscanf(line, "%127s %lld", name, &active) == 2)
			objs += active;
	}
	fclose(f);
	return objs;
}

#define UNLOAD_TASKS	8192

/*
 * delete_module() fails while any file of /dev/llmsched is open, whatever
 * the module is doing; once the last file is closed it succeeds, and the
 * module leaves nothing behind (tasks, agents, payloads, cgroup refs).
 */
TEST_F_TIMEOUT(stress, unload_refused_under_load_then_leaks_nothing, 180)
{
	struct llmsched_task_submit *t;
	long long before, after = 0;
	char payload[512];
	int i, j, refused = 0, tries;
	__u32 idx;

	/* Start from an unloaded module: nothing of ours may be open. */
	close(self->fd);
	self->fd = -1;
	if (llmsched_module_loaded())
		ASSERT_EQ(0, llmsched_module_unload());
	/* One warm-up load: caches made on first use stay. */
	ASSERT_EQ(0, llmsched_module_load(""));
	ASSERT_EQ(0, llmsched_module_unload());
	before = slab_objects();
	ASSERT_LT(0, before);
	ASSERT_EQ(0, llmsched_module_load(""));

	self->fd = ls_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ls_set_capacity(self->fd, HOST_CPU, HOST_MEM));
	ASSERT_EQ(0, start_agents(self, 2, 16, true));
	t = calloc(LLMSCHED_BATCH_MAX, sizeof(*t));
	ASSERT_NE(NULL, t);
	memset(payload, 'p', sizeof(payload));
	for (j = 0; j < LLMSCHED_BATCH_MAX; j++) {
		task_small(&t[j]);
		t[j].payload_ptr = (uintptr_t)payload;
		t[j].payload_len = sizeof(payload);
	}
	for (i = 0; i < UNLOAD_TASKS; i += LLMSCHED_BATCH_MAX) {
		ASSERT_EQ(0, ls_submit_batch(self->fd, t, LLMSCHED_BATCH_MAX,
					     &idx));
		/* Mid-load, with agents fetching: refused. */
		tries = llmsched_module_unload();
		EXPECT_TRUE(tries == -EWOULDBLOCK || tries == -EBUSY)
			TH_LOG("delete_module: %s", strerror(-tries));
		refused += tries != 0;
		EXPECT_TRUE(llmsched_module_loaded());
	}
	/* Work left behind: queued, assigned, and one fetched. */
	stop_agents(self);
	ASSERT_EQ(0, ls_submit_batch(self->fd, t, 1000, &idx));
	{
		char buf[1024];

		EXPECT_EQ(0, ls_agent_fetch(self->a[0].fd, LS_SEC(1), NULL,
					    buf, sizeof(buf)));
	}
	free(t);
	EXPECT_EQ(-EWOULDBLOCK, llmsched_module_unload());
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(-EWOULDBLOCK, llmsched_module_unload())
		TH_LOG("agent files still open");
	for (i = 0; i < MAX_AGENTS; i++)
		ls_agent_destroy(&self->a[i]);
	self->nr_agents = 0;
	/* The agent lost with a fetched task is fenced until its cgroup is
	 * empty: the watchdog sees that within a tick or two.
	 */
	{
		int fd = ls_open();

		ASSERT_LE(0, fd);
		EXPECT_EQ(0, ls_wait_no_fencing(fd, 5000));
		close(fd);
	}
	/*
	 * Every file closed: no agent, file or event ring is left, whatever
	 * their size (one leaked agent is invisible in a slab count).
	 */
	{
		struct ls_objects o;

		ASSERT_EQ(0, ls_objects_read(&o));
		EXPECT_EQ(0, o.files);
		EXPECT_EQ(0, o.agents);
		EXPECT_EQ(0, o.event_rings);
	}

	ASSERT_EQ(0, llmsched_module_unload());
	EXPECT_FALSE(llmsched_module_loaded());
	/* Freed memory can take a moment (RCU): look for a while. */
	for (tries = 0; tries < 40; tries++) {
		after = slab_objects();
		if (after - before < UNLOAD_TASKS / 8)
			break;
		usleep(50000);
	}
	TH_LOG("refused %d times; slab objects %lld -> %lld", refused + 2,
	       before, after);
	if (kernel_defers_frees())
		TH_LOG("freed objects are held back here: kmemleak judges leaks");
	else
		EXPECT_LT(after - before, UNLOAD_TASKS / 8);
	ASSERT_EQ(0, llmsched_module_load(""));
}

LLMS_TEST_MAIN
