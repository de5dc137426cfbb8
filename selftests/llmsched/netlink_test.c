// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched selftests: the generic netlink event stream.
 *
 * A listener (libllmsched's, runtime/lib/events.h, on libnl-genl-3) joins
 * family "llmsched", group "events", and must see every state change of
 * every task, in order, with SEQ going up by one per message; agents'
 * arrivals and departures too.  Runs as root inside the test VM.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/family.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/llmsched.h>

#include "../../runtime/lib/events.h"
#include "kselftest_harness.h"
#include "harness_main.h"
#include "llmsched_util.h"
#include "module_util.h"

/* The 6.1 harness defines FIXTURE_SETUP/TEARDOWN as non-static functions. */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"

#define MAX_EVENTS	4096

/*
 * What a test heard, through libllmsched's listener (runtime/lib/events.h):
 * the events in order; @bad messages that did not parse, @dropped those
 * past MAX_EVENTS, the socket's @overflows and the SEQ numbers @missed.
 */
struct listener {
	struct llms_events *ev;
	struct llms_event got[MAX_EVENTS];
	int n, dropped, bad;
	unsigned int overflows;
	__u64 missed;
};

static int on_event(const struct llms_event *e, void *arg)
{
	struct listener *l = arg;

	if (l->n == MAX_EVENTS) {
		l->dropped++;
		return 0;
	}
	l->got[l->n++] = *e;
	return 0;
}

static int listener_open(struct listener *l)
{
	struct llms_error *err = NULL;
	int ret = llms_events_open(&l->ev, &err);

	if (ret)
		llms_error_print(stderr, "listener", err);
	llms_error_free(&err);
	return ret;
}

/*
 * One llms_events_read(): the events into @l, the losses counted; 0, or
 * -errno for a failure other than a message that did not parse.
 */
static int listener_read(struct listener *l)
{
	struct llms_events_loss loss;
	struct llms_error *err = NULL;
	int ret;

	ret = llms_events_read(l->ev, on_event, l, &loss, &err);
	l->overflows += loss.overflows;
	l->missed += loss.missed;
	if (ret == -EPROTO)
		l->bad++;
	else if (ret < 0)
		llms_error_print(stderr, "listener", err);
	llms_error_free(&err);
	return ret < 0 && ret != -EPROTO ? ret : 0;
}

/* Receive until @done(l, arg) or @timeout_ms; 0 or -errno. */
static int listener_run(struct listener *l, unsigned int timeout_ms,
			bool (*done)(struct listener *l, void *arg),
			void *arg)
{
	__u64 deadline = ls_now_ns() + LS_MSEC(timeout_ms);
	struct pollfd pfd = { .fd = llms_events_fd(l->ev), .events = POLLIN };
	unsigned int overflows = l->overflows;
	int ret;

	while (!done(l, arg)) {
		if (ls_now_ns() > deadline)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		ret = listener_read(l);
		if (ret)
			return ret;
		if (l->overflows != overflows)
			return -ENOBUFS;
	}
	return 0;
}

/*
 * Take in whatever messages are waiting, without waiting for more; the
 * number of times the socket overflowed (ENOBUFS: events were lost, which
 * is what a dump resyncs from).
 */
static int listener_drain(struct listener *l)
{
	struct pollfd pfd = { .fd = llms_events_fd(l->ev), .events = POLLIN };
	unsigned int overflows = l->overflows;

	while (poll(&pfd, 1, 0) > 0)
		if (listener_read(l))
			break;
	return (int)(l->overflows - overflows);
}

FIXTURE(netlink) {
	int fd;
	struct ls_agent a;
	struct listener *l;
};

FIXTURE_SETUP(netlink)
{
	self->fd = -1;
	ASSERT_EQ(0, llmsched_module_ensure_loaded());
	self->fd = ls_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ls_reset(self->fd, LS_CPUS(16), LS_GB(64)));
	self->l = calloc(1, sizeof(*self->l));
	ASSERT_NE(NULL, self->l);
	ASSERT_EQ(0, listener_open(self->l));
}

FIXTURE_TEARDOWN(netlink)
{
	if (self->fd >= 0)
		ls_cancel_all(self->fd);
	ls_agent_destroy(&self->a);
	if (self->l) {
		llms_events_close(self->l->ev);
		free(self->l);
	}
	if (self->fd >= 0)
		close(self->fd);
}

/*
 * The listener opened (the fixture), so the family and its group resolve;
 * the family also says its version, here through a socket of the test's.
 */
TEST_F(netlink, family_and_group_resolve)
{
	struct nl_cache *cache;
	struct genl_family *fam;
	struct nl_sock *sk;

	ASSERT_NE(NULL, self->l->ev);
	EXPECT_LE(0, llms_events_fd(self->l->ev));
	sk = nl_socket_alloc();
	ASSERT_NE(NULL, sk);
	ASSERT_EQ(0, genl_connect(sk));
	EXPECT_LT(0, genl_ctrl_resolve(sk, LLMSCHED_GENL_NAME));
	EXPECT_LT(0, genl_ctrl_resolve_grp(sk, LLMSCHED_GENL_NAME,
					   LLMSCHED_GENL_MCGRP_EVENTS));
	ASSERT_EQ(0, genl_ctrl_alloc_cache(sk, &cache));
	fam = genl_ctrl_search_by_name(cache, LLMSCHED_GENL_NAME);
	ASSERT_NE(NULL, fam);
	EXPECT_EQ(LLMSCHED_GENL_VERSION, genl_family_get_version(fam));
	genl_family_put(fam);
	nl_cache_free(cache);
	nl_socket_free(sk);
}

#define NL_TASKS	64

struct want_tasks {
	__u64 *ids;
	int n;
	__u32 last_state;
};

/* Every task has reached @last_state. */
static bool all_reached(struct listener *l, void *arg)
{
	struct want_tasks *w = arg;
	int i, j, got = 0;

	for (i = 0; i < w->n; i++)
		for (j = 0; j < l->n; j++)
			if (l->got[j].cmd == LLMSCHED_CMD_TASK_EVENT &&
			    l->got[j].task_id == w->ids[i] &&
			    l->got[j].state == w->last_state) {
				got++;
				break;
			}
	return got == w->n;
}

TEST_F(netlink, every_task_event_arrives_in_order)
{
	static const __u32 life[] = {
		LLMSCHED_TASK_RUNNABLE, LLMSCHED_TASK_ASSIGNED,
		LLMSCHED_TASK_RUNNING, LLMSCHED_TASK_SUCCEEDED,
	};
	struct listener *l = self->l;
	struct llmsched_task_submit t[NL_TASKS];
	__u64 ids[NL_TASKS], t0;
	struct want_tasks w = { ids, NL_TASKS, LLMSCHED_TASK_SUCCEEDED };
	int i, j, k;
	__u32 idx;

	ASSERT_EQ(0, ls_agent_spawn(&self->a, 8, LS_CPUS(8), LS_GB(32), 0));
	for (i = 0; i < NL_TASKS; i++)
		ls_task_init(&t[i], 1 + i % 3, LS_CPUS(1), LS_GB(1), LS_SEC(1));
	ASSERT_EQ(0, ls_submit_batch(self->fd, t, NL_TASKS, &idx));
	for (i = 0; i < NL_TASKS; i++) {
		ids[i] = t[i].task_id;
		ASSERT_EQ(0, ls_agent_run_one(self->a.fd, LS_SEC(2), NULL));
	}
	t0 = ls_now_ns();
	ASSERT_EQ(0, listener_run(l, 10000, all_reached, &w))
		TH_LOG("%d messages received", l->n);
	TH_LOG("%d messages, the last %.1f ms after the last task ended",
	       l->n, (ls_now_ns() - t0) / 1e6);
	EXPECT_EQ(0, l->bad);
	EXPECT_EQ(0, l->dropped);

	/* SEQ: present on every message, up by exactly one each time. */
	for (j = 0; j < l->n; j++) {
		EXPECT_TRUE(llms_event_has(&l->got[j], LLMSCHED_A_SEQ))
			TH_LOG("message %d", j);
		if (j)
			EXPECT_EQ(l->got[j - 1].seq + 1, l->got[j].seq)
				TH_LOG("message %d", j);
	}
	/* Per task: the whole life, in order, each step chained. */
	for (i = 0; i < NL_TASKS; i++) {
		__u64 prev_time = 0;
		__u32 prev_state = 0;

		for (j = 0, k = 0; j < l->n; j++) {
			struct llms_event *e = &l->got[j];

			if (e->cmd != LLMSCHED_CMD_TASK_EVENT ||
			    e->task_id != ids[i])
				continue;
			ASSERT_GT(4, k) TH_LOG("task %d: too many events", i);
			EXPECT_EQ(life[k], e->state)
				TH_LOG("task %d event %d", i, k);
			if (k)
				EXPECT_EQ(prev_state, e->old_state)
					TH_LOG("task %d event %d", i, k);
			EXPECT_TRUE(llms_event_has(e, LLMSCHED_A_OLD_STATE));
			EXPECT_EQ(0U, e->uid);
			EXPECT_EQ(LLMSCHED_REASON_NONE, e->reason);
			if (e->state >= LLMSCHED_TASK_ASSIGNED)
				EXPECT_EQ(self->a.id, e->agent_id);
			EXPECT_LE(prev_time, e->time_ns);
			EXPECT_NE(0ULL, e->time_ns);
			prev_time = e->time_ns;
			prev_state = e->state;
			k++;
		}
		EXPECT_EQ(4, k) TH_LOG("task %d", i);
	}
}

static bool got_task_end(struct listener *l, void *arg)
{
	__u64 id = *(__u64 *)arg;
	int j;

	for (j = 0; j < l->n; j++)
		if (l->got[j].cmd == LLMSCHED_CMD_TASK_EVENT &&
		    l->got[j].task_id == id &&
		    ls_state_is_terminal(l->got[j].state))
			return true;
	return false;
}

TEST_F(netlink, ended_tasks_carry_reason_and_status)
{
	struct listener *l = self->l;
	struct llms_event *e = NULL;
	__u64 id, dep;
	int j;

	ASSERT_EQ(0, ls_agent_spawn(&self->a, 1, LS_CPUS(8), LS_GB(32), 0));
	ASSERT_EQ(0, ls_submit_simple(self->fd, 1, LS_CPUS(1), LS_GB(1),
				      LS_SEC(1), &id));
	{
		struct llmsched_task_submit t;

		ls_task_init(&t, 1, LS_CPUS(1), LS_GB(1), LS_SEC(1));
		t.deps_ptr = (uintptr_t)&id;
		t.nr_deps = 1;
		ASSERT_EQ(0, ls_submit(self->fd, &t));
		dep = t.task_id;
	}
	ASSERT_EQ(0, ls_agent_fetch(self->a.fd, LS_SEC(1), NULL, NULL, 0));
	ASSERT_EQ(0, ls_agent_start(self->a.fd, id));
	ASSERT_EQ(0, ls_agent_complete(self->a.fd, id, 0,
				       LLMSCHED_REASON_SIGNAL, 9, 1));
	ASSERT_EQ(0, listener_run(l, 5000, got_task_end, &dep));
	for (j = 0; j < l->n; j++)
		if (l->got[j].task_id == id &&
		    ls_state_is_terminal(l->got[j].state))
			e = &l->got[j];
	ASSERT_NE(NULL, e);
	EXPECT_EQ(LLMSCHED_TASK_FAILED, e->state);
	EXPECT_EQ(LLMSCHED_TASK_RUNNING, e->old_state);
	EXPECT_EQ(LLMSCHED_REASON_SIGNAL, e->reason);
	EXPECT_EQ(9, e->exit_status);
	/* The dependent: QUEUED, then FAILED for its dependency. */
	for (j = 0; j < l->n; j++)
		if (l->got[j].task_id == dep &&
		    ls_state_is_terminal(l->got[j].state))
			e = &l->got[j];
	EXPECT_EQ(LLMSCHED_TASK_FAILED, e->state);
	EXPECT_EQ(LLMSCHED_TASK_QUEUED, e->old_state);
	EXPECT_EQ(LLMSCHED_REASON_DEP_FAILED, e->reason);
}

struct want_agent {
	__u32 id, state;
};

static bool got_agent(struct listener *l, void *arg)
{
	struct want_agent *w = arg;
	int j;

	for (j = 0; j < l->n; j++)
		if (l->got[j].cmd == LLMSCHED_CMD_AGENT_EVENT &&
		    l->got[j].agent_id == w->id && l->got[j].state == w->state)
			return true;
	return false;
}

TEST_F(netlink, agent_arrival_and_departure)
{
	struct want_agent w;

	ASSERT_EQ(0, ls_agent_spawn(&self->a, 1, LS_CPUS(1), LS_GB(1), 0));
	w.id = self->a.id;
	w.state = 1;
	EXPECT_EQ(0, listener_run(self->l, 5000, got_agent, &w));
	ASSERT_EQ(0, ls_agent_unregister(self->a.fd));
	w.state = 0;
	EXPECT_EQ(0, listener_run(self->l, 5000, got_agent, &w));
	/* A lost agent leaves too. */
	ASSERT_EQ(0, ls_agent_register(self->a.fd, self->a.pid,
				       self->a.cg.fd, 1, LS_CPUS(1), LS_GB(1),
				       0, &w.id));
	w.state = 1;
	EXPECT_EQ(0, listener_run(self->l, 5000, got_agent, &w));
	close(self->a.fd);
	self->a.fd = -1;
	w.state = 0;
	EXPECT_EQ(0, listener_run(self->l, 5000, got_agent, &w));
}


/*
 * The events name every user's tasks: only an administrator may listen.
 * As uid 65534 without capabilities, joining the group is refused, and
 * the listener says why.
 */
static int join_as_unprivileged(void *arg)
{
	struct llms_error *err = NULL;
	const char *want;
	struct llms_events *ev;
	int ret;

	ret = llms_events_open(&ev, &err);
	if (!ret) {
		llms_events_close(ev);
		return 1;
	}
	want = "listening to llmsched events needs CAP_SYS_ADMIN: run as root";
	ret = ret == -EPERM && err->errnum == EPERM && strstr(err->msg, want) ?
		      0 : 2;
	if (ret)
		llms_error_print(stderr, "nobody", err);
	llms_error_free(&err);
	return ret;
}

TEST_F(netlink, joining_the_group_needs_cap_sys_admin)
{
	EXPECT_EQ(0, ls_run_as(LS_NOBODY, join_as_unprivileged, NULL));
}

static int submit_one_as(void *arg)
{
	__u64 *id = arg;
	int fd = ls_open();

	if (fd < 0)
		return 10;
	if (ls_submit_simple(fd, 1, LS_CPUS(1), LS_GB(1), LS_SEC(1), id))
		return 11;
	close(fd);
	return 0;
}

static bool got_task(struct listener *l, void *arg)
{
	__u64 id = *(__u64 *)arg;
	int j;

	for (j = 0; j < l->n; j++)
		if (l->got[j].task_id == id)
			return true;
	return false;
}

/* Events say whose task it is: the submitter's uid, here not root's. */
TEST_F(netlink, events_carry_an_unprivileged_submitters_uid)
{
	struct listener *l = self->l;
	mode_t mode;
	__u64 *id;
	int j, seen = 0;

	id = ls_shared_alloc(sizeof(*id));
	ASSERT_NE(NULL, id);
	ASSERT_EQ(0, ls_agent_spawn(&self->a, 1, LS_CPUS(8), LS_GB(32), 0));
	ASSERT_EQ(0, ls_dev_chmod(0666, &mode));
	EXPECT_EQ(0, ls_run_as(LS_NOBODY, submit_one_as, id));
	ls_dev_chmod(mode, NULL);
	ASSERT_NE(0ULL, *id);
	ASSERT_EQ(0, listener_run(l, 5000, got_task, id));
	for (j = 0; j < l->n; j++) {
		if (l->got[j].task_id != *id)
			continue;
		EXPECT_EQ((__u32)LS_NOBODY, l->got[j].uid);
		seen++;
	}
	EXPECT_LT(0, seen);
	ls_shared_free(id, sizeof(*id));
}

/* ---------------------------------------------------------------- dumps */

/*
 * Dump @cmd into @l (through libllmsched, on a socket of its own): 0, or
 * the -errno of the kernel's refusal; the dump's SEQ in *@seq (may be
 * NULL).
 */
static int dump(int cmd, struct listener *l, __u64 *seq)
{
	struct llms_error *err = NULL;
	uint64_t s = 0;
	int ret;

	if (cmd == LLMSCHED_CMD_GET_TASK)
		ret = llms_events_dump_tasks(l->ev, on_event, l, &s, &err);
	else
		ret = llms_events_dump_agents(l->ev, on_event, l, &s, &err);
	if (ret == -EPROTO)
		l->bad++;
	if (ret < 0 && ret != -EPERM)
		llms_error_print(stderr, "dump", err);
	llms_error_free(&err);
	if (seq)
		*seq = s;
	return ret < 0 ? ret : 0;
}

#define DUMP_TASKS	600

/*
 * A listener that joined, then dumped, has the whole state: every task
 * once (over many messages of many dump calls), with its label, priority
 * and wait, the dump's SEQ no older than what it heard, and every later
 * change with a SEQ past the dump's.
 */
TEST_F_TIMEOUT(netlink, dump_gives_the_whole_state_and_its_seq, 120)
{
	struct llmsched_task_submit *t;
	struct listener *d;
	__u64 heard = 0, dump_seq = 0;
	int *seen, i, j, runnable = 0, assigned = 0, overflows;
	struct llmsched_agent_info ai;
	__u32 idx;
	bool saw_later = false;

	t = calloc(DUMP_TASKS, sizeof(*t));
	seen = calloc(DUMP_TASKS, sizeof(*seen));
	d = calloc(1, sizeof(*d));
	ASSERT_NE(NULL, t);
	ASSERT_NE(NULL, seen);
	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, ls_agent_spawn(&self->a, 2, LS_CPUS(8), LS_GB(32), 0));
	for (i = 0; i < DUMP_TASKS; i++) {
		ls_task_init(&t[i], 1 + i % 7, LS_CPUS(1), LS_GB(1), LS_SEC(1));
		snprintf(t[i].label, sizeof(t[i].label), "dump-%d", i);
	}
	for (i = 0; i < DUMP_TASKS; i += 100)
		ASSERT_EQ(0, ls_submit_batch(self->fd, t + i, 100, &idx));
	/* What the listener heard before the dump. */
	usleep(200000);
	overflows = listener_drain(self->l);
	for (j = 0; j < self->l->n; j++)
		if (self->l->got[j].seq > heard)
			heard = self->l->got[j].seq;
	ASSERT_LT(0ULL, heard);

	ASSERT_EQ(0, dump(LLMSCHED_CMD_GET_TASK, d, NULL));
	EXPECT_EQ(0, d->bad);
	EXPECT_EQ(0, d->dropped);
	for (j = 0; j < d->n; j++) {
		struct llms_event *e = &d->got[j];

		EXPECT_EQ(LLMSCHED_CMD_TASK_EVENT, e->cmd);
		EXPECT_TRUE(llms_event_has(e, LLMSCHED_A_SEQ));
		if (!j)
			dump_seq = e->seq;
		EXPECT_EQ(dump_seq, e->seq) TH_LOG("one SEQ for the dump");
		EXPECT_FALSE(llms_event_has(e, LLMSCHED_A_OLD_STATE));
		i = (int)(e->task_id - t[0].task_id);
		if (e->task_id < t[0].task_id || i >= DUMP_TASKS)
			continue;
		seen[i]++;
		EXPECT_STREQ(t[i].label, e->label);
		EXPECT_EQ(t[i].priority, e->priority);
		EXPECT_EQ(0U, e->uid);
		if (e->state == LLMSCHED_TASK_RUNNABLE) {
			runnable++;
			EXPECT_TRUE(llms_event_has(e, LLMSCHED_A_WAIT));
			EXPECT_EQ((__u32)LLMSCHED_WAIT_TURN, e->wait);
		} else if (e->state == LLMSCHED_TASK_ASSIGNED) {
			assigned++;
			EXPECT_EQ(self->a.id, e->agent_id);
		}
	}
	TH_LOG("%d messages; SEQ %llu heard (the socket overflowed %d times), %llu in the dump",
	       d->n, (unsigned long long)heard, overflows,
	       (unsigned long long)dump_seq);
	EXPECT_LE(heard, dump_seq);
	for (i = 0; i < DUMP_TASKS; i++)
		EXPECT_EQ(1, seen[i]) TH_LOG("task %d", i);
	EXPECT_EQ(2, assigned);
	EXPECT_EQ(DUMP_TASKS - 2, runnable);

	/* Agents: slots, use and cgroup. */
	memset(d, 0, sizeof(*d));
	ASSERT_EQ(0, dump(LLMSCHED_CMD_GET_AGENT, d, NULL));
	ASSERT_EQ(0, ls_agent_info(self->fd, self->a.id, &ai));
	for (j = 0, i = 0; j < d->n; j++) {
		struct llms_event *e = &d->got[j];

		EXPECT_EQ(LLMSCHED_CMD_AGENT_EVENT, e->cmd);
		if (e->agent_id != self->a.id)
			continue;
		i++;
		EXPECT_EQ((__u32)LLMSCHED_AGENT_UP, e->state);
		EXPECT_EQ(2U, e->slots);
		EXPECT_EQ(2U, e->used_slots);
		EXPECT_EQ(ai.cgroup_id, e->cgroup_id);
		EXPECT_NE(0ULL, e->cgroup_id);
	}
	EXPECT_EQ(1, i);

	/* A change after the dump comes with a later SEQ. */
	self->l->n = 0;
	ASSERT_EQ(0, ls_cancel(self->fd, t[DUMP_TASKS - 1].task_id));
	ASSERT_EQ(0, listener_run(self->l, 5000, got_task,
				  &t[DUMP_TASKS - 1].task_id));
	for (j = 0; j < self->l->n; j++)
		if (self->l->got[j].task_id == t[DUMP_TASKS - 1].task_id) {
			EXPECT_LT(dump_seq, self->l->got[j].seq);
			saw_later = true;
		}
	EXPECT_TRUE(saw_later);
	free(d);
	free(seen);
	free(t);
}

/* As nobody: EPERM, and the error says what is needed. */
static int dump_as_unprivileged(void *arg)
{
	struct llms_error *err = NULL;
	struct listener *l = calloc(1, sizeof(*l));
	int cmd = *(int *)arg, ret;
	const char *want;

	if (!l)
		return 10;
	if (cmd == LLMSCHED_CMD_GET_TASK) {
		ret = llms_events_dump_tasks(NULL, on_event, l, NULL, &err);
		want = "dumping llmsched tasks needs CAP_SYS_ADMIN: run as root";
	} else {
		ret = llms_events_dump_agents(NULL, on_event, l, NULL, &err);
		want = "dumping llmsched agents needs CAP_SYS_ADMIN: run as root";
	}
	free(l);
	if (ret >= 0)
		return 1;
	ret = ret == -EPERM && strstr(err->msg, want) ? 0 : 2;
	if (ret)
		llms_error_print(stderr, "nobody", err);
	llms_error_free(&err);
	return ret;
}

/* Dumps show every user's tasks: for an administrator only. */
TEST_F(netlink, dumps_need_cap_sys_admin)
{
	int cmd;

	cmd = LLMSCHED_CMD_GET_TASK;
	EXPECT_EQ(0, ls_run_as(LS_NOBODY, dump_as_unprivileged, &cmd));
	cmd = LLMSCHED_CMD_GET_AGENT;
	EXPECT_EQ(0, ls_run_as(LS_NOBODY, dump_as_unprivileged, &cmd));
}

LLMS_TEST_MAIN
