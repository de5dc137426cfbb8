// SPDX-License-Identifier: GPL-2.0
/*
 * libllmsched's netlink event listener (runtime/lib/events.c) against the
 * module: opening and closing, bad arguments, a callback that stops, the
 * module not loaded, and the whole resync story: a socket that overflows
 * says so, the gap shows in the next event's SEQ, and a dump plus
 * llms_events_resync() give every task once and every change after it.
 * selftest-netlink covers what the events and dumps hold, and the
 * refusals for users without CAP_SYS_ADMIN.  Runs as root in the test VM.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../runtime/lib/events.h"
#include "kselftest_harness.h"
#include "harness_main.h"
#include "lib_util.h"
#include "llmsched_util.h"
#include "module_util.h"

/* The 6.1 harness defines FIXTURE_SETUP/TEARDOWN as non-static functions. */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"

#define HOST_CPU LS_CPUS(16)
#define HOST_MEM LS_GB(64)

#define MAX_GOT	4096

/* The events a callback was given, in order. */
struct got {
	struct llms_event e[MAX_GOT];
	int n;
	/* Stop (with -ECANCELED) once this many were taken; 0: never. */
	int stop_after;
};

static int take(const struct llms_event *e, void *arg)
{
	struct got *g = arg;

	if (g->n < MAX_GOT)
		g->e[g->n] = *e;
	g->n++;
	if (g->stop_after && g->n == g->stop_after)
		return -ECANCELED;
	return 0;
}

/* Whether @g holds an event of task @id. */
static bool got_task(const struct got *g, __u64 id)
{
	int j;

	for (j = 0; j < g->n && j < MAX_GOT; j++)
		if (g->e[j].cmd == LLMSCHED_CMD_TASK_EVENT &&
		    g->e[j].task_id == id)
			return true;
	return false;
}

/*
 * Read into @g until it holds an event of task @id (@id 0: until nothing
 * more waits), for up to @timeout_ms; the losses summed into @loss.  0 or
 * -errno.
 */
static int read_until(struct llms_events *ev, struct got *g, __u64 id,
		      unsigned int timeout_ms, struct llms_events_loss *loss)
{
	__u64 deadline = ls_now_ns() + LS_MSEC(timeout_ms);
	struct pollfd pfd = { .fd = llms_events_fd(ev), .events = POLLIN };
	struct llms_events_loss l;
	struct llms_error *err = NULL;
	int ret;

	memset(loss, 0, sizeof(*loss));
	for (;;) {
		ret = llms_events_read(ev, take, g, &l, &err);
		loss->overflows += l.overflows;
		loss->missed += l.missed;
		if (ret < 0) {
			llms_error_print(stderr, "read", err);
			llms_error_free(&err);
			return ret;
		}
		if (id ? got_task(g, id) : ret == 0)
			return 0;
		if (ls_now_ns() > deadline)
			return -ETIMEDOUT;
		poll(&pfd, 1, 50);
	}
}

TEST(module_not_loaded_is_enoent)
{
	struct llms_error *err = NULL;
	struct llms_events *ev = (void *)1;
	struct got *g = calloc(1, sizeof(*g));
	int ret;

	ASSERT_NE(NULL, g);
	if (llmsched_module_loaded()) {
		ret = llmsched_module_unload();
		if (ret == -EBUSY)
			SKIP(return, "the module is in use");
		ASSERT_EQ(0, ret);
	}
	EXPECT_EQ(-ENOENT, llms_events_open(&ev, &err));
	EXPECT_EQ(NULL, ev);
	ASSERT_NE(NULL, err);
	EXPECT_EQ(ENOENT, err->errnum);
	EXPECT_NE(NULL, strstr(err->msg, "is the llmsched module loaded"))
		TH_LOG("%s", err->msg);
	llms_error_free(&err);
	EXPECT_EQ(-ENOENT, llms_events_dump_tasks(NULL, take, g, NULL, &err));
	ASSERT_NE(NULL, err);
	EXPECT_NE(NULL, strstr(err->msg, "not registered"))
		TH_LOG("%s", err->msg);
	llms_error_free(&err);
	EXPECT_EQ(-ENOENT, llms_events_dump_agents(NULL, take, g, NULL, &err));
	llms_error_free(&err);
	EXPECT_EQ(0, g->n);
	free(g);
	ASSERT_EQ(0, llmsched_module_load(""));
}

TEST(command_names)
{
	EXPECT_STREQ("task-event",
		     llms_event_cmd_name(LLMSCHED_CMD_TASK_EVENT));
	EXPECT_STREQ("agent-event",
		     llms_event_cmd_name(LLMSCHED_CMD_AGENT_EVENT));
	EXPECT_STREQ("get-task", llms_event_cmd_name(LLMSCHED_CMD_GET_TASK));
	EXPECT_STREQ("get-agent", llms_event_cmd_name(LLMSCHED_CMD_GET_AGENT));
	EXPECT_STREQ("unknown", llms_event_cmd_name(LLMSCHED_CMD_UNSPEC));
	EXPECT_STREQ("unknown", llms_event_cmd_name(LLMSCHED_CMD_MAX + 1));
}

FIXTURE(events)
{
	int fd;
	struct ls_agent a;
	struct llms_events *ev;
	struct llms_error *err;
	struct got *g;
};

FIXTURE_SETUP(events)
{
	self->err = NULL;
	self->ev = NULL;
	memset(&self->a, 0, sizeof(self->a));
	self->a.fd = -1;
	ASSERT_EQ(0, llmsched_module_ensure_loaded());
	self->fd = ls_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ls_reset(self->fd, HOST_CPU, HOST_MEM));
	/*
	 * Tasks are only taken with an agent that could hold them; one slot,
	 * so that one task is assigned and the others stay RUNNABLE.  Before
	 * the listener, which hears nothing of it.
	 */
	ASSERT_EQ(0, ls_agent_spawn(&self->a, 1, LS_CPUS(8), LS_GB(32), 0));
	self->g = calloc(1, sizeof(*self->g));
	ASSERT_NE(NULL, self->g);
	ASSERT_EQ(0, llms_events_open(&self->ev, &self->err))
		TH_LOG("%s", lib_errmsg(&self->err));
}

FIXTURE_TEARDOWN(events)
{
	llms_error_free(&self->err);
	llms_events_close(self->ev);
	ls_agent_destroy(&self->a);
	ls_cancel_all(self->fd);
	close(self->fd);
	free(self->g);
}

TEST_F(events, open_read_close)
{
	struct llms_events_loss loss = { 1, 1 };
	struct llms_events *ev2 = NULL;
	struct llms_event *e;
	__u64 id;

	EXPECT_LE(0, llms_events_fd(self->ev));
	/* Nothing happened since it opened: nothing to read, no loss. */
	EXPECT_EQ(0, llms_events_read(self->ev, take, self->g, &loss,
				      &self->err));
	EXPECT_EQ(0U, loss.overflows);
	EXPECT_EQ(0ULL, loss.missed);
	EXPECT_EQ(NULL, self->err);

	/* A second listener is independent of the first. */
	ASSERT_EQ(0, llms_events_open(&ev2, &self->err))
		TH_LOG("%s", lib_errmsg(&self->err));
	EXPECT_NE(llms_events_fd(self->ev), llms_events_fd(ev2));

	ASSERT_EQ(0, ls_submit_simple(self->fd, 1, LS_CPUS(1), LS_GB(1),
				      LS_SEC(1), &id));
	ASSERT_EQ(0, read_until(self->ev, self->g, id, 5000, &loss));
	e = &self->g->e[0];
	EXPECT_EQ(LLMSCHED_CMD_TASK_EVENT, e->cmd);
	EXPECT_EQ(id, e->task_id);
	EXPECT_FALSE(e->from_dump);
	EXPECT_TRUE(llms_event_has(e, LLMSCHED_A_SEQ));
	EXPECT_TRUE(llms_event_has(e, LLMSCHED_A_OLD_STATE));
	EXPECT_FALSE(llms_event_has(e, LLMSCHED_A_SLOTS));
	EXPECT_FALSE(llms_event_has(e, 200));
	EXPECT_NE(0ULL, e->seq);
	EXPECT_EQ(0ULL, e->gap);
	EXPECT_EQ(0U, loss.overflows);
	EXPECT_EQ(0ULL, loss.missed);

	/* The second listener heard the same event. */
	self->g->n = 0;
	ASSERT_EQ(0, read_until(ev2, self->g, id, 5000, &loss));
	EXPECT_EQ(id, self->g->e[0].task_id);
	llms_events_close(ev2);
	llms_events_close(NULL);
}

TEST_F(events, bad_receive_buffer_sizes_are_einval)
{
	EXPECT_EQ(-EINVAL, llms_events_set_rcvbuf(self->ev, 0, &self->err));
	ASSERT_NE(NULL, self->err);
	EXPECT_NE(NULL, strstr(self->err->msg, "receive buffer"));
	llms_error_free(&self->err);
	EXPECT_EQ(-EINVAL, llms_events_set_rcvbuf(self->ev,
						  (size_t)INT_MAX / 2 + 1,
						  &self->err));
	llms_error_free(&self->err);
	EXPECT_EQ(0, llms_events_set_rcvbuf(self->ev, 8192, &self->err))
		TH_LOG("%s", lib_errmsg(&self->err));
}

TEST_F(events, a_callback_that_stops_leaves_the_rest_for_later)
{
	struct llms_events_loss loss;
	__u64 ids[3], seq;
	int i;

	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, ls_submit_simple(self->fd, 1, LS_CPUS(1),
					      LS_GB(1), LS_SEC(1), &ids[i]));
	/* The module sends from a work item: give it a moment. */
	lib_sleep_ms(200);

	self->g->stop_after = 1;
	EXPECT_EQ(-ECANCELED, llms_events_read(self->ev, take, self->g, &loss,
					       &self->err));
	ASSERT_NE(NULL, self->err);
	EXPECT_EQ(ECANCELED, self->err->errnum);
	EXPECT_NE(NULL, strstr(self->err->msg, "callback"));
	llms_error_free(&self->err);
	ASSERT_EQ(1, self->g->n);
	EXPECT_EQ(ids[0], self->g->e[0].task_id);
	seq = self->g->e[0].seq;

	/* The others come with the next call, none lost. */
	self->g->stop_after = 0;
	ASSERT_EQ(0, read_until(self->ev, self->g, ids[2], 5000, &loss));
	EXPECT_EQ(0ULL, loss.missed);
	ASSERT_LE(4, self->g->n);	/* t0 also went to the agent */
	EXPECT_EQ(seq + 1, self->g->e[1].seq);
	for (i = 1; i < self->g->n; i++) {
		EXPECT_EQ(self->g->e[i - 1].seq + 1, self->g->e[i].seq);
		EXPECT_EQ(0ULL, self->g->e[i].gap);
	}

	/* A dump whose callback stops: the same errno, the rest dropped. */
	self->g->n = 0;
	self->g->stop_after = 2;
	EXPECT_EQ(-ECANCELED, llms_events_dump_tasks(self->ev, take, self->g,
						     NULL, &self->err));
	ASSERT_NE(NULL, self->err);
	EXPECT_NE(NULL, strstr(self->err->msg, "dumping llmsched tasks"));
	EXPECT_EQ(2, self->g->n);
}

TEST_F(events, an_empty_dump_has_no_seq)
{
	uint64_t seq = 1;
	int i, ret = -1;

	/* The agent gone (its departure may take a moment), none is left. */
	ls_agent_destroy(&self->a);
	for (i = 0; i < 100 && ret; i++) {
		if (i)
			lib_sleep_ms(50);
		self->g->n = 0;
		ret = llms_events_dump_agents(self->ev, take, self->g, &seq,
					      &self->err);
		ASSERT_LE(0, ret) TH_LOG("%s", lib_errmsg(&self->err));
		EXPECT_EQ(ret, self->g->n);
	}
	EXPECT_EQ(0, ret);
	EXPECT_EQ(0ULL, seq);
}

#define FLOOD	300

/*
 * The whole story: a small receive buffer overflows under a burst, which
 * the read reports; the next event shows the gap; a dump gives every task
 * once with its SEQ; after llms_events_resync() the events it already
 * holds are dropped, and the dump plus the later events are the state.
 */
TEST_F_TIMEOUT(events, overflow_gap_dump_and_resync, 60)
{
	struct llmsched_task_submit *t;
	struct llmsched_task_info info;
	struct llms_events_loss loss;
	struct got *d = calloc(1, sizeof(*d));
	__u32 *state, idx;
	int *seen, i, j;
	uint64_t dump_seq = 0, heard = 0;

	t = calloc(FLOOD, sizeof(*t));
	seen = calloc(FLOOD, sizeof(*seen));
	state = calloc(FLOOD, sizeof(*state));
	ASSERT_NE(NULL, t);
	ASSERT_NE(NULL, seen);
	ASSERT_NE(NULL, state);
	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, llms_events_set_rcvbuf(self->ev, 4096, &self->err))
		TH_LOG("%s", lib_errmsg(&self->err));
	/*
	 * The agent holds one (t[0], the first in line); the others stay
	 * RUNNABLE, and nothing but the test's cancels changes them.
	 */
	for (i = 0; i < FLOOD; i++) {
		ls_task_init(&t[i], 1, LS_CPUS(1), LS_GB(1), LS_SEC(1));
		snprintf(t[i].label, sizeof(t[i].label), "flood-%d", i);
	}
	for (i = 0; i < FLOOD; i += 100)
		ASSERT_EQ(0, ls_submit_batch(self->fd, t + i, 100, &idx));
	lib_sleep_ms(300);

	/* The burst did not fit: the read says the socket overflowed. */
	ASSERT_EQ(0, read_until(self->ev, self->g, 0, 5000, &loss));
	TH_LOG("%d of at least %d events heard, %u overflows", self->g->n,
	       FLOOD, loss.overflows);
	EXPECT_LE(1U, loss.overflows);
	EXPECT_GT(FLOOD, self->g->n);

	/* The next event that arrives shows how many were lost. */
	self->g->n = 0;
	ASSERT_EQ(0, ls_cancel(self->fd, t[FLOOD - 1].task_id));
	ASSERT_EQ(0, read_until(self->ev, self->g, t[FLOOD - 1].task_id, 5000,
				&loss));
	EXPECT_LT(0ULL, loss.missed);
	EXPECT_LT(0ULL, self->g->e[0].gap);
	EXPECT_EQ(loss.missed, self->g->e[0].gap);
	heard = self->g->e[self->g->n - 1].seq;

	/*
	 * A change the listener has not read yet, then the dump: the dump
	 * holds it, so after the resync it is dropped.
	 */
	ASSERT_EQ(0, ls_cancel(self->fd, t[FLOOD - 2].task_id));
	ASSERT_LT(0, llms_events_dump_tasks(self->ev, take, d, &dump_seq,
					    &self->err))
		TH_LOG("%s", lib_errmsg(&self->err));
	EXPECT_LT(heard, dump_seq);
	for (j = 0; j < d->n; j++) {
		struct llms_event *e = &d->e[j];

		EXPECT_TRUE(e->from_dump);
		EXPECT_EQ(dump_seq, e->seq);
		EXPECT_EQ(0ULL, e->gap);
		i = (int)(e->task_id - t[0].task_id);
		if (e->task_id < t[0].task_id || i >= FLOOD)
			continue;
		seen[i]++;
		state[i] = e->state;
		EXPECT_STREQ(t[i].label, e->label);
	}
	for (i = 0; i < FLOOD; i++)
		EXPECT_EQ(1, seen[i]) TH_LOG("task %d", i);
	EXPECT_EQ((__u32)LLMSCHED_TASK_CANCELLED, state[FLOOD - 2]);
	llms_events_resync(self->ev, dump_seq);

	/* Changes after the dump: all there, none from before it. */
	self->g->n = 0;
	ASSERT_EQ(0, ls_cancel(self->fd, t[FLOOD - 3].task_id));
	ASSERT_EQ(0, read_until(self->ev, self->g, t[FLOOD - 3].task_id, 5000,
				&loss));
	EXPECT_EQ(0U, loss.overflows);
	EXPECT_EQ(0ULL, loss.missed);
	EXPECT_FALSE(got_task(self->g, t[FLOOD - 2].task_id));
	for (j = 0; j < self->g->n; j++) {
		struct llms_event *e = &self->g->e[j];

		EXPECT_LT(dump_seq, e->seq);
		EXPECT_EQ(0ULL, e->gap);
		i = (int)(e->task_id - t[0].task_id);
		if (e->cmd == LLMSCHED_CMD_TASK_EVENT &&
		    e->task_id >= t[0].task_id && i < FLOOD)
			state[i] = e->state;
	}
	/* The dump and the changes since: what the module says now. */
	for (i = 0; i < FLOOD; i++) {
		ASSERT_EQ(0, ls_query(self->fd, t[i].task_id, &info));
		EXPECT_EQ(info.state, state[i]) TH_LOG("task %d", i);
	}
	free(state);
	free(seen);
	free(t);
	free(d);
}

LLMS_TEST_MAIN
