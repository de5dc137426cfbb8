// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched selftests: every allocation a call makes may fail, and then the
 * call fails with ENOMEM and leaves nothing half-made.
 *
 * With the kernel's fault injection (CONFIG_FAULT_INJECTION, failslab and
 * fail_page_alloc; the debug kernel of `make check-debug` has them), each
 * call is made again and again with its first, second, third ... fault
 * injection point failing (/proc/thread-self/fail-nth), until a run of the
 * call reaches no injection point any more.  After each run the module's
 * objects, its counters and the tasks it holds are what they were before
 * (or the call succeeded, when the allocation that failed had a fallback,
 * and is then undone).  Skipped on a kernel without fault injection.
 */
#include <errno.h>
#include <fcntl.h>
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

#define FAIL_NTH	"/proc/thread-self/fail-nth"
#define DEBUGFS		"/sys/kernel/debug"
/* More injection points than any call has: the loop ends before. */
#define MAX_POINTS	2000

/* What a failed call must leave as it was. */
struct state {
	struct ls_objects obj;
	struct ls_stats stats;
	__u64 held;
};

static int state_read(struct state *st)
{
	int ret = ls_objects_read(&st->obj);

	if (!ret)
		ret = ls_stats_read(&st->stats);
	if (!ret)
		ret = ls_tasks_held(&st->held);
	return ret;
}

static bool state_same(const struct state *a, const struct state *b,
		       char *why, size_t len)
{
#define SAME(f) do {							\
		if (a->f != b->f) {					\
			snprintf(why, len, #f " %lld -> %lld",		\
				 (long long)a->f, (long long)b->f);	\
			return false;					\
		}							\
	} while (0)
	SAME(obj.tasks);
	SAME(obj.agents);
	SAME(obj.users);
	SAME(obj.event_sinks);
	SAME(obj.event_rings);
	SAME(obj.files);
	SAME(stats.submitted);
	SAME(stats.dispatched);
	SAME(stats.cancelled);
	SAME(held);
	return true;
#undef SAME
}

static int write_str(const char *path, const char *val)
{
	return ls_write_file(path, val);
}

/*
 * /proc/thread-self/fail-nth, opened once: setting it and reading it back
 * around a call must not pass injection points of their own (an open()
 * allocates), or they would take the fault meant for the call.
 */
static int nth_fd = -1;

/*
 * Fail the @nth fault injection point this thread reaches (0: none).  The
 * kernel sets the file back to 0 once it injected the fault.
 */
static int fail_nth_set(int nth)
{
	char v[16];
	int len = snprintf(v, sizeof(v), "%d", nth);

	return pwrite(nth_fd, v, len, 0) == len ? 0 : -errno;
}

static int fail_nth_get(void)
{
	char buf[16] = "";
	ssize_t n = pread(nth_fd, buf, sizeof(buf) - 1, 0);

	return n > 0 ? atoi(buf) : -EIO;
}

/*
 * One operation under test: @run makes the call (its fault injection
 * points count from its first allocation), @undo takes back what a
 * successful run made.  Both get the fixture.
 */
struct op {
	const char *name;
	int (*run)(void *ctx);
	void (*undo)(void *ctx);
};

FIXTURE(fault) {
	int fd;
	struct ls_agent agent;
	__u64 last_id;
	__u64 dep;
	char payload[4096];
};

FIXTURE_SETUP(fault)
{
	self->fd = -1;
	self->agent.fd = -1;
	if (access(FAIL_NTH, F_OK) || access(DEBUGFS "/failslab", F_OK))
		SKIP(return, "no fault injection in this kernel");
	nth_fd = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, nth_fd);
	ASSERT_EQ(0, llmsched_module_ensure_loaded());
	self->fd = ls_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ls_reset(self->fd, LS_CPUS(16), LS_GB(64)));
	ASSERT_EQ(0, ls_agent_spawn(&self->agent, 2, LS_CPUS(4), LS_GB(8), 0));
	ASSERT_EQ(0, ls_submit_simple(self->fd, 1, LS_CPUS(1), LS_GB(1),
				      LS_SEC(1), &self->dep));
	memset(self->payload, 'x', sizeof(self->payload));
	/* Sleeping allocations fail too: the module's are GFP_KERNEL. */
	ASSERT_EQ(0, write_str(DEBUGFS "/failslab/ignore-gfp-wait", "N"));
	if (!access(DEBUGFS "/fail_page_alloc", F_OK)) {
		ASSERT_EQ(0, write_str(DEBUGFS "/fail_page_alloc/ignore-gfp-wait",
				       "N"));
		ASSERT_EQ(0, write_str(DEBUGFS "/fail_page_alloc/ignore-gfp-highmem",
				       "N"));
		ASSERT_EQ(0, write_str(DEBUGFS "/fail_page_alloc/min-order",
				       "0"));
	}
	write_str(DEBUGFS "/failslab/verbose", "0");
	write_str(DEBUGFS "/fail_page_alloc/verbose", "0");
}

FIXTURE_TEARDOWN(fault)
{
	if (nth_fd >= 0) {
		fail_nth_set(0);
		close(nth_fd);
		nth_fd = -1;
	}
	if (self->fd >= 0) {
		ls_reset(self->fd, LS_CPUS(16), LS_GB(64));
		close(self->fd);
	}
	ls_agent_destroy(&self->agent);
}

/* Run @op with each of its injection points failing in turn. */
static void fail_each_point(struct __test_metadata *_metadata, void *ctx,
			    const struct op *op)
{
	struct state before, after;
	int nth, ret, left, failed = 0, passed = 0;
	char why[96];

	for (nth = 1; nth <= MAX_POINTS; nth++) {
		ASSERT_EQ(0, state_read(&before));
		ASSERT_EQ(0, fail_nth_set(nth));
		ret = op->run(ctx);
		left = fail_nth_get();
		ASSERT_EQ(0, fail_nth_set(0));
		if (left > 0) {
			/* The call reached fewer than @nth points: done. */
			EXPECT_EQ(0, ret) TH_LOG("%s: %s with no fault",
						 op->name, strerror(-ret));
			if (!ret && op->undo)
				op->undo(ctx);
			break;
		}
		if (!ret) {
			/* The failed allocation had a fallback. */
			passed++;
			if (op->undo)
				op->undo(ctx);
			continue;
		}
		failed++;
		EXPECT_EQ(-ENOMEM, ret) TH_LOG("%s, point %d: %s", op->name,
					       nth, strerror(-ret));
		ASSERT_EQ(0, state_read(&after));
		EXPECT_TRUE(state_same(&before, &after, why, sizeof(why)))
			TH_LOG("%s, point %d: %s", op->name, nth, why);
	}
	EXPECT_GT(MAX_POINTS, nth) TH_LOG("%s: no end of injection points",
					  op->name);
	TH_LOG("%s: %d injection points, %d failed the call with ENOMEM, %d had a fallback",
	       op->name, nth - 1, failed, passed);
	EXPECT_LT(0, failed);
}

static int op_submit(void *ctx)
{
	FIXTURE_DATA(fault) *self = ctx;
	struct llmsched_task_submit t;
	int ret, fd;

	/* A fresh file: its event sink and ring are allocated too. */
	fd = ls_open();
	if (fd < 0)
		return fd;
	ls_task_init(&t, 1, LS_CPUS(1), LS_GB(1), LS_SEC(1));
	t.payload_ptr = (uintptr_t)self->payload;
	t.payload_len = sizeof(self->payload);
	t.nr_deps = 1;
	t.deps_ptr = (uintptr_t)&self->dep;
	ret = ls_submit(fd, &t);
	self->last_id = ret ? 0 : t.task_id;
	close(fd);
	return ret;
}

static void undo_task(void *ctx)
{
	FIXTURE_DATA(fault) *self = ctx;

	ls_cancel(self->fd, self->last_id);
}

TEST_F_TIMEOUT(fault, submit_fails_whole, 900)
{
	const struct op op = { "SUBMIT", op_submit, undo_task };

	fail_each_point(_metadata, self, &op);
}

#define BATCH	130	/* three chunks of the kernel's 64 */

static int op_batch(void *ctx)
{
	FIXTURE_DATA(fault) *self = ctx;
	struct llmsched_task_submit t[BATCH];
	__u32 idx, i;
	int ret;

	for (i = 0; i < BATCH; i++) {
		ls_task_init(&t[i], 1, LS_CPUS(1), LS_GB(1), LS_SEC(1));
		t[i].payload_ptr = (uintptr_t)self->payload;
		t[i].payload_len = 64;
	}
	ret = ls_submit_batch(self->fd, t, BATCH, &idx);
	self->last_id = ret ? 0 : t[0].task_id;
	return ret;
}

static void undo_batch(void *ctx)
{
	FIXTURE_DATA(fault) *self = ctx;
	__u64 i;

	for (i = 0; i < BATCH; i++)
		ls_cancel(self->fd, self->last_id + i);
}

TEST_F_TIMEOUT(fault, submit_batch_fails_whole, 900)
{
	const struct op op = { "SUBMIT_BATCH", op_batch, undo_batch };

	fail_each_point(_metadata, self, &op);
}

/*
 * Registration, with the file unregistered before each run: a failed one
 * leaves no agent, and the file registers right after.
 */
TEST_F_TIMEOUT(fault, agent_register_fails_whole, 900)
{
	const char *name = "AGENT_REGISTER";
	__u32 id;

	/* Unregistered before each run, so the count of agents drops. */
	ASSERT_EQ(0, ls_agent_unregister(self->agent.fd));
	ASSERT_EQ(0, ls_agent_register(self->agent.fd, self->agent.pid,
				       self->agent.cg.fd, 2, LS_CPUS(4),
				       LS_GB(8), 0, &id));
	{
		struct state before, after;
		int nth, ret, left, failed = 0;
		char why[96];

		for (nth = 1; nth <= MAX_POINTS; nth++) {
			ASSERT_EQ(0, ls_agent_unregister(self->agent.fd));
			ASSERT_EQ(0, state_read(&before));
			ASSERT_EQ(0, fail_nth_set(nth));
			ret = ls_agent_register(self->agent.fd,
						self->agent.pid,
						self->agent.cg.fd, 2,
						LS_CPUS(4), LS_GB(8), 0, &id);
			left = fail_nth_get();
			ASSERT_EQ(0, fail_nth_set(0));
			if (!ret) {
				if (left > 0)
					break;
				continue;
			}
			failed++;
			EXPECT_EQ(-ENOMEM, ret) TH_LOG("%s, point %d: %s",
						       name, nth,
						       strerror(-ret));
			ASSERT_EQ(0, state_read(&after));
			EXPECT_TRUE(state_same(&before, &after, why,
					       sizeof(why)))
				TH_LOG("%s, point %d: %s", name, nth, why);
			/* Nothing half-made: the file registers now. */
			ASSERT_EQ(0, ls_agent_register(self->agent.fd,
						       self->agent.pid,
						       self->agent.cg.fd, 2,
						       LS_CPUS(4), LS_GB(8), 0,
						       &id));
		}
		TH_LOG("%s: %d injection points, %d failed the call",
		       name, nth - 1, failed);
		EXPECT_LT(0, failed);
	}
}

static int op_list(void *ctx)
{
	FIXTURE_DATA(fault) *self = ctx;
	struct llmsched_task_info ent[8];
	__u32 n = 8;

	return ls_list(self->fd, 0, 0, ent, &n, NULL);
}

TEST_F_TIMEOUT(fault, task_list_fails_cleanly, 900)
{
	const struct op op = { "TASK_LIST", op_list, NULL };

	fail_each_point(_metadata, self, &op);
}

static int op_open(void *ctx)
{
	int fd = ls_open();

	if (fd < 0)
		return fd;
	close(fd);
	return 0;
}

TEST_F_TIMEOUT(fault, open_fails_cleanly, 900)
{
	const struct op op = { "open", op_open, NULL };

	fail_each_point(_metadata, self, &op);
}

LLMS_TEST_MAIN
