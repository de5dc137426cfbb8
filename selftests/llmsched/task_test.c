// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched selftests: the life of a task through the real module.
 *
 * Submit, fetch, start, complete; failure reasons and requeues; waiting;
 * query and list; the events read() returns on the submitter's file;
 * dependencies; cancelling a running task; the counters under
 * /sys/kernel/llmsched adding up.  Runs as root inside the test VM.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/llmsched.h>

#include "kselftest_harness.h"
#include "harness_main.h"
#include "llmsched_util.h"
#include "module_util.h"

/* The 6.1 harness defines FIXTURE_SETUP/TEARDOWN as non-static functions. */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"

#define HOST_CPU	LS_CPUS(16)
#define HOST_MEM	LS_GB(64)
#define EV_SIZE		sizeof(struct llmsched_task_event)

FIXTURE(task) {
	int fd;				/* root's file: submits, administers */
	struct ls_agent a;		/* 4 slots, 8 CPUs, 32 GB */
	struct ls_agent b;		/* spare, for some tests */
	mode_t mode;
	bool chmodded;
};

FIXTURE_SETUP(task)
{
	self->fd = -1;
	ASSERT_EQ(0, llmsched_module_ensure_loaded());
	self->fd = ls_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ls_reset(self->fd, HOST_CPU, HOST_MEM));
	ASSERT_EQ(0, ls_agent_spawn(&self->a, 4, LS_CPUS(8), LS_GB(32), 0));
}

FIXTURE_TEARDOWN(task)
{
	if (self->chmodded)
		ls_dev_chmod(self->mode, NULL);
	if (self->fd >= 0)
		ls_cancel_all(self->fd);
	ls_agent_destroy(&self->a);
	ls_agent_destroy(&self->b);
	if (self->fd >= 0)
		close(self->fd);
}

static int submit_on(int fd, __u32 prio, __u32 retries, __u64 *deps,
		     __u32 nr_deps, __u64 *id)
{
	struct llmsched_task_submit t;
	int ret;

	ls_task_init(&t, prio, LS_CPUS(1), LS_GB(1), LS_SEC(1));
	t.retries = retries;
	t.deps_ptr = (uintptr_t)deps;
	t.nr_deps = nr_deps;
	ret = ls_submit(fd, &t);
	if (!ret)
		*id = t.task_id;
	return ret;
}

/* Fetch exactly @id on agent @fd (and nothing else first). */
static int fetch_expect(int fd, __u64 id)
{
	struct llmsched_agent_fetch f;
	int ret = ls_agent_fetch(fd, LS_SEC(2), &f, NULL, 0);

	if (ret)
		return ret;
	return f.task_id == id ? 0 : -EPROTO;
}

static __u64 transition(const char *name)
{
	char rel[96];
	__u64 v = ~0ULL;

	snprintf(rel, sizeof(rel), "transitions/%s", name);
	ls_debugfs_u64(rel, &v);
	return v;
}

/* ---------------------------------------------------------------- life */

TEST_F(task, submit_fetch_start_complete_succeeds)
{
	struct llmsched_task_submit t;
	struct llmsched_agent_fetch f;
	struct llmsched_task_info info;
	struct ls_stats s0, s1;
	__u64 before, r2a, a2r, r2s;
	static const char orig[64] = "echo hello; exit 0\0LLM_MODEL=tiny";
	char payload[64], buf[128];

	ASSERT_EQ(0, ls_stats_read(&s0));
	r2a = transition("runnable_to_assigned");
	a2r = transition("assigned_to_running");
	r2s = transition("running_to_succeeded");
	memcpy(payload, orig, sizeof(payload));
	before = ls_now_ns();
	ls_task_init(&t, 42, LS_CPUS(2), LS_GB(3), LS_MSEC(500));
	t.retries = 3;
	t.payload_ptr = (uintptr_t)payload;
	t.payload_len = sizeof(payload);
	ASSERT_EQ(0, ls_submit(self->fd, &t));
	ASSERT_NE(0ULL, t.task_id);
	/* The kernel copied the payload: changing ours changes nothing. */
	memset(payload, 'x', sizeof(payload));

	ASSERT_EQ(0, ls_query(self->fd, t.task_id, &info));
	EXPECT_EQ(sizeof(info), info.size);
	EXPECT_EQ(t.task_id, info.task_id);
	EXPECT_EQ(LLMSCHED_TASK_ASSIGNED, info.state);
	EXPECT_EQ(LLMSCHED_REASON_NONE, info.reason);
	EXPECT_EQ(0U, info.owner_uid);
	EXPECT_EQ(42U, info.priority);
	EXPECT_EQ(self->a.id, info.agent_id);
	EXPECT_EQ(3U, info.retries_left);
	EXPECT_EQ(0U, info.submit_flags);
	EXPECT_LE(before, info.submit_ns);
	EXPECT_GE(ls_now_ns(), info.submit_ns);
	EXPECT_EQ(0ULL, info.start_ns);
	EXPECT_EQ(0ULL, info.end_ns);
	EXPECT_EQ(LS_MSEC(500), info.est_runtime_ns);
	EXPECT_EQ(0ULL, info.runtime_ns);
	EXPECT_EQ(LS_CPUS(2), info.demand[LLMSCHED_RES_CPU]);
	EXPECT_EQ(LS_GB(3), info.demand[LLMSCHED_RES_MEM]);
	EXPECT_EQ(0ULL, info.tags);
	EXPECT_EQ(sizeof(payload), info.payload_len);
	EXPECT_EQ(0U, info.nr_deps);

	ASSERT_EQ(0, ls_agent_fetch(self->a.fd, LS_SEC(1), &f, buf,
				    sizeof(buf)));
	EXPECT_EQ(t.task_id, f.task_id);
	ASSERT_EQ(sizeof(payload), f.payload_len);
	EXPECT_EQ(0, memcmp(buf, orig, sizeof(orig)));

	ASSERT_EQ(0, ls_agent_start(self->a.fd, t.task_id));
	ASSERT_EQ(0, ls_query(self->fd, t.task_id, &info));
	EXPECT_EQ(LLMSCHED_TASK_RUNNING, info.state);
	EXPECT_LE(info.submit_ns, info.start_ns);
	ASSERT_EQ(0, ls_agent_complete(self->a.fd, t.task_id, 0,
				       LLMSCHED_REASON_NONE, 0, 987654));
	ASSERT_EQ(0, ls_query(self->fd, t.task_id, &info));
	EXPECT_EQ(LLMSCHED_TASK_SUCCEEDED, info.state);
	EXPECT_EQ(LLMSCHED_REASON_NONE, info.reason);
	EXPECT_EQ(0, info.exit_status);
	EXPECT_EQ(987654ULL, info.runtime_ns);
	EXPECT_LE(info.start_ns, info.end_ns);
	EXPECT_EQ(self->a.id, info.agent_id);

	ASSERT_EQ(0, ls_stats_read(&s1));
	EXPECT_EQ(s0.submitted + 1, s1.submitted);
	EXPECT_EQ(s0.dispatched + 1, s1.dispatched);
	EXPECT_EQ(s0.succeeded + 1, s1.succeeded);
	EXPECT_EQ(s0.failed, s1.failed);
	EXPECT_EQ(r2a + 1, transition("runnable_to_assigned"));
	EXPECT_EQ(a2r + 1, transition("assigned_to_running"));
	EXPECT_EQ(r2s + 1, transition("running_to_succeeded"));
}

TEST_F(task, failure_reasons_are_recorded)
{
	static const struct {
		__u32 reason;
		__s32 status;
	} cases[] = {
		{ LLMSCHED_REASON_EXIT, 3 },
		{ LLMSCHED_REASON_EXIT, -1 },
		{ LLMSCHED_REASON_SIGNAL, SIGKILL },
		{ LLMSCHED_REASON_OOM, SIGKILL },
		{ LLMSCHED_REASON_TIMEOUT, SIGTERM },
		{ LLMSCHED_REASON_LAUNCH, 127 },
	};
	struct llmsched_task_info info;
	struct llmsched_task_wait w;
	struct ls_stats s0, s1;
	unsigned int i;
	__u64 id;

	ASSERT_EQ(0, ls_stats_read(&s0));
	for (i = 0; i < LS_ARRAY_SIZE(cases); i++) {
		ASSERT_EQ(0, submit_on(self->fd, 1, 5, NULL, 0, &id));
		ASSERT_EQ(0, fetch_expect(self->a.fd, id));
		ASSERT_EQ(0, ls_agent_start(self->a.fd, id));
		ASSERT_EQ(0, ls_agent_complete(self->a.fd, id, 0,
					       cases[i].reason,
					       cases[i].status, 10));
		ASSERT_EQ(0, ls_query(self->fd, id, &info));
		EXPECT_EQ(LLMSCHED_TASK_FAILED, info.state) TH_LOG("case %u", i);
		EXPECT_EQ(cases[i].reason, info.reason) TH_LOG("case %u", i);
		EXPECT_EQ(cases[i].status, info.exit_status);
		/* A failure of the task itself uses no retry. */
		EXPECT_EQ(5U, info.retries_left);
		ASSERT_EQ(0, ls_wait(self->fd, id, 0, &w));
		EXPECT_EQ(LLMSCHED_TASK_FAILED, w.state);
		EXPECT_EQ(cases[i].reason, w.reason);
		EXPECT_EQ(cases[i].status, w.exit_status);
	}
	ASSERT_EQ(0, ls_stats_read(&s1));
	EXPECT_EQ(s0.failed + LS_ARRAY_SIZE(cases), s1.failed);
	EXPECT_EQ(s0.succeeded, s1.succeeded);
	EXPECT_EQ(s0.requeued, s1.requeued);
}

TEST_F(task, complete_requeue_spends_retries_then_fails)
{
	struct llmsched_task_info info;
	struct ls_stats s0, s1;
	__u64 id;
	int i;

	ASSERT_EQ(0, ls_stats_read(&s0));
	ASSERT_EQ(0, submit_on(self->fd, 1, 2, NULL, 0, &id));
	for (i = 2; i >= 0; i--) {
		ASSERT_EQ(0, fetch_expect(self->a.fd, id)) TH_LOG("round %d", i);
		ASSERT_EQ(0, ls_agent_start(self->a.fd, id));
		ASSERT_EQ(0, ls_agent_complete(self->a.fd, id,
					       LLMSCHED_COMPLETE_REQUEUE,
					       LLMSCHED_REASON_LAUNCH, 126, 5));
		ASSERT_EQ(0, ls_query(self->fd, id, &info));
		if (i) {
			/* Back in the queue (and at once re-assigned). */
			EXPECT_FALSE(ls_state_is_terminal(info.state));
			EXPECT_EQ((__u32)i - 1, info.retries_left);
			EXPECT_EQ(0ULL, info.end_ns);
		} else {
			EXPECT_EQ(LLMSCHED_TASK_FAILED, info.state);
			EXPECT_EQ(LLMSCHED_REASON_LAUNCH, info.reason);
			EXPECT_EQ(126, info.exit_status);
			EXPECT_EQ(0U, info.retries_left);
		}
	}
	ASSERT_EQ(0, ls_stats_read(&s1));
	EXPECT_EQ(s0.requeued + 2, s1.requeued);
	EXPECT_EQ(s0.failed + 1, s1.failed);
	EXPECT_EQ(s0.submitted + 1, s1.submitted);
	EXPECT_EQ(s0.dispatched + 3, s1.dispatched);
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	alarms++;
}

TEST_F(task, wait_times_out_then_sees_the_end)
{
	struct llmsched_task_wait w;
	__u64 id, t0;
	pid_t pid;
	int status;

	ASSERT_EQ(0, submit_on(self->fd, 1, 0, NULL, 0, &id));
	t0 = ls_now_ns();
	EXPECT_EQ(-ETIMEDOUT, ls_wait(self->fd, id, LS_MSEC(50), &w));
	EXPECT_LE(LS_MSEC(50), ls_now_ns() - t0);
	EXPECT_EQ(LLMSCHED_TASK_ASSIGNED, w.state);
	EXPECT_EQ(LLMSCHED_REASON_NONE, w.reason);

	/* A signal interrupts the wait. */
	{
		struct sigaction sa = { .sa_handler = on_alarm };
		struct itimerval it = { .it_value = { .tv_usec = 50000 } };

		sigemptyset(&sa.sa_mask);
		ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
		ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
		EXPECT_EQ(-EINTR, ls_wait(self->fd, id, LS_SEC(10), &w));
		EXPECT_EQ(1, alarms);
	}

	/* The agent (another process, on the same file) ends it later. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		usleep(100000);
		_exit(ls_agent_run_one(self->a.fd, LS_SEC(2), NULL) ? 1 : 0);
	}
	t0 = ls_now_ns();
	ASSERT_EQ(0, ls_wait(self->fd, id, LS_SEC(20), &w));
	EXPECT_GT(LS_SEC(15), ls_now_ns() - t0);
	EXPECT_EQ(LLMSCHED_TASK_SUCCEEDED, w.state);
	EXPECT_EQ(0, w.exit_status);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
}

/* ---------------------------------------------------------------- list */

TEST_F(task, list_pages_through_own_tasks_in_id_order)
{
	struct llmsched_task_info ent[3];
	__u64 ids[10], start, next, seen[16], last = 0;
	unsigned int i, nseen = 0, pages = 0;
	__u32 n;

	for (i = 0; i < 10; i++)
		ASSERT_EQ(0, submit_on(self->fd, 1, 0, NULL, 0, &ids[i]));
	start = ids[0];
	do {
		n = LS_ARRAY_SIZE(ent);
		ASSERT_EQ(0, ls_list(self->fd, 0, start, ent, &n, &next));
		ASSERT_GE(3U, n);
		pages++;
		for (i = 0; i < n; i++) {
			EXPECT_LT(last, ent[i].task_id);
			last = ent[i].task_id;
			EXPECT_EQ(sizeof(ent[i]), ent[i].size);
			EXPECT_EQ(0U, ent[i].owner_uid);
			if (nseen < LS_ARRAY_SIZE(seen))
				seen[nseen++] = ent[i].task_id;
		}
		if (next)
			EXPECT_LT(last, next);
		start = next;
	} while (next && pages < 100);
	ASSERT_EQ(10U, nseen);
	for (i = 0; i < 10; i++)
		EXPECT_EQ(ids[i], seen[i]);
	EXPECT_LE(4U, pages);

	/* Starting in the middle. */
	n = LS_ARRAY_SIZE(ent);
	ASSERT_EQ(0, ls_list(self->fd, 0, ids[5], ent, &n, &next));
	ASSERT_EQ(3U, n);
	EXPECT_EQ(ids[5], ent[0].task_id);
	EXPECT_EQ(ids[7], ent[2].task_id);
	/* Past the end: nothing, no next page. */
	n = LS_ARRAY_SIZE(ent);
	ASSERT_EQ(0, ls_list(self->fd, 0, ids[9] + 1000000, ent, &n, &next));
	EXPECT_EQ(0U, n);
	EXPECT_EQ(0ULL, next);
}

static int submit_as_user(void *arg)
{
	__u64 *id = arg;
	int fd = ls_open();

	if (fd < 0)
		return 1;
	if (ls_submit_simple(fd, 1, LS_CPUS(1), LS_GB(1), LS_SEC(1), id))
		return 2;
	close(fd);
	return 0;
}

TEST_F(task, list_all_users_shows_everyones_tasks)
{
	struct llmsched_task_info ent[8];
	__u64 *theirs, mine, next;
	bool saw_theirs = false, saw_mine = false;
	__u32 n, i;

	theirs = ls_shared_alloc(sizeof(*theirs));
	ASSERT_NE(NULL, theirs);
	ASSERT_EQ(0, ls_dev_chmod(0666, &self->mode));
	self->chmodded = true;
	ASSERT_EQ(0, submit_on(self->fd, 1, 0, NULL, 0, &mine));
	ASSERT_EQ(0, ls_run_as(LS_NOBODY, submit_as_user, theirs));

	n = LS_ARRAY_SIZE(ent);
	ASSERT_EQ(0, ls_list(self->fd, 0, mine, ent, &n, &next));
	for (i = 0; i < n; i++) {
		EXPECT_NE(*theirs, ent[i].task_id);
		saw_mine |= ent[i].task_id == mine;
	}
	EXPECT_TRUE(saw_mine);
	n = LS_ARRAY_SIZE(ent);
	saw_mine = false;
	ASSERT_EQ(0, ls_list(self->fd, LLMSCHED_LIST_ALL_USERS, mine, ent, &n,
			     &next));
	for (i = 0; i < n; i++) {
		if (ent[i].task_id == *theirs) {
			saw_theirs = true;
			EXPECT_EQ((__u32)LS_NOBODY, ent[i].owner_uid);
		}
		saw_mine |= ent[i].task_id == mine;
	}
	EXPECT_TRUE(saw_theirs);
	EXPECT_TRUE(saw_mine);
	ls_shared_free(theirs, sizeof(*theirs));
}

/* -------------------------------------------------------------- events */

/* Read every pending event from @fd (O_NONBLOCK) into @ev; count. */
static int drain_events(int fd, struct llmsched_task_event *ev, int max)
{
	int n = 0;
	ssize_t r;

	while (n < max) {
		r = read(fd, &ev[n], (max - n) * EV_SIZE);
		if (r < 0)
			return errno == EAGAIN ? n : -errno;
		if (r % EV_SIZE)
			return -EPROTO;
		n += r / EV_SIZE;
	}
	return n;
}

TEST_F(task, events_on_the_submitters_file_come_in_order)
{
	static const __u32 life[] = {
		LLMSCHED_TASK_RUNNABLE, LLMSCHED_TASK_ASSIGNED,
		LLMSCHED_TASK_RUNNING, LLMSCHED_TASK_SUCCEEDED,
	};
	struct llmsched_task_event ev[64], one;
	struct pollfd pfd;
	__u64 ids[3], prev_time = 0;
	unsigned int i, k[3] = { 0 };
	int fd2, n, j;
	char small[EV_SIZE - 1];

	fd2 = ls_open_flags(O_NONBLOCK);
	ASSERT_LE(0, fd2);
	pfd.fd = fd2;
	pfd.events = POLLIN;
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	EXPECT_EQ(-1, read(fd2, &one, sizeof(one)));
	EXPECT_EQ(EAGAIN, errno);

	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, submit_on(fd2, 1, 0, NULL, 0, &ids[i]));
	EXPECT_EQ(1, poll(&pfd, 1, 1000));
	/* Less than one record: EINVAL, nothing consumed. */
	EXPECT_EQ(-1, read(fd2, small, sizeof(small)));
	EXPECT_EQ(EINVAL, errno);
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, ls_agent_run_one(self->a.fd, LS_SEC(1), NULL));
	/* Nothing was recorded on the file the tasks were not submitted on. */
	{
		int fl = fcntl(self->fd, F_GETFL);

		ASSERT_EQ(0, fcntl(self->fd, F_SETFL, fl | O_NONBLOCK));
		EXPECT_EQ(-1, read(self->fd, &one, sizeof(one)));
		EXPECT_EQ(EAGAIN, errno);
		ASSERT_EQ(0, fcntl(self->fd, F_SETFL, fl));
	}

	/* One record and a half: one record. */
	{
		char buf[EV_SIZE + EV_SIZE / 2];

		ASSERT_EQ((ssize_t)EV_SIZE, read(fd2, buf, sizeof(buf)));
		memcpy(&ev[0], buf, EV_SIZE);
	}
	n = drain_events(fd2, &ev[1], LS_ARRAY_SIZE(ev) - 1);
	ASSERT_EQ(11, n);
	n++;
	for (j = 0; j < n; j++) {
		for (i = 0; i < 3 && ev[j].task_id != ids[i]; i++)
			;
		ASSERT_GT(3U, i) TH_LOG("event for unknown task %llu",
					 (unsigned long long)ev[j].task_id);
		ASSERT_GT(4U, k[i]);
		EXPECT_EQ(life[k[i]], ev[j].state)
			TH_LOG("task %u event %u", i, k[i]);
		if (ev[j].state >= LLMSCHED_TASK_ASSIGNED)
			EXPECT_EQ(self->a.id, ev[j].agent_id);
		EXPECT_EQ(LLMSCHED_REASON_NONE, ev[j].reason);
		EXPECT_EQ(0, ev[j].exit_status);
		EXPECT_LE(prev_time, ev[j].time_ns);
		prev_time = ev[j].time_ns;
		k[i]++;
	}
	for (i = 0; i < 3; i++)
		EXPECT_EQ(4U, k[i]);
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	close(fd2);
}

TEST_F(task, blocking_read_wakes_on_an_event)
{
	struct llmsched_task_event ev;
	__u64 id;
	pid_t pid;
	int fd2;

	fd2 = ls_open();
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, submit_on(fd2, 1, 0, NULL, 0, &id));
	/* Consume RUNNABLE and ASSIGNED. */
	ASSERT_EQ((ssize_t)EV_SIZE, read(fd2, &ev, sizeof(ev)));
	EXPECT_EQ(LLMSCHED_TASK_RUNNABLE, ev.state);
	ASSERT_EQ((ssize_t)EV_SIZE, read(fd2, &ev, sizeof(ev)));
	EXPECT_EQ(LLMSCHED_TASK_ASSIGNED, ev.state);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		usleep(100000);
		_exit(ls_agent_fetch(self->a.fd, LS_SEC(1), NULL, NULL, 0) ||
		      ls_agent_start(self->a.fd, id) ||
		      ls_agent_complete(self->a.fd, id, 0, LLMSCHED_REASON_EXIT,
					9, 1));
	}
	ASSERT_EQ((ssize_t)EV_SIZE, read(fd2, &ev, sizeof(ev)));
	EXPECT_EQ(LLMSCHED_TASK_RUNNING, ev.state);
	ASSERT_EQ((ssize_t)EV_SIZE, read(fd2, &ev, sizeof(ev)));
	EXPECT_EQ(id, ev.task_id);
	EXPECT_EQ(LLMSCHED_TASK_FAILED, ev.state);
	EXPECT_EQ(LLMSCHED_REASON_EXIT, ev.reason);
	EXPECT_EQ(9, ev.exit_status);
	ls_kill_reap(pid);
	close(fd2);
}

/* Unread events beyond the ring: the oldest go, one read says so. */
TEST_F(task, unread_events_overflow_once)
{
	struct llmsched_task_submit *t;
	struct llmsched_task_event ev[64], last;
	__u64 first_kept = 0, prev = ~0ULL, first_id, id, last_id;
	unsigned int i, total, not_cancel = 0, out_of_order = 0;
	__u32 idx;
	int fd2, n;

	t = calloc(LLMSCHED_BATCH_MAX, sizeof(*t));
	ASSERT_NE(NULL, t);
	fd2 = ls_open_flags(O_NONBLOCK);
	ASSERT_LE(0, fd2);
	/* Two batches and a cancel of each: over 16384 records, 4096 kept. */
	for (i = 0; i < LLMSCHED_BATCH_MAX; i++)
		ls_task_init(&t[i], 1, LS_CPUS(1), LS_GB(1), LS_SEC(1));
	ASSERT_EQ(0, ls_submit_batch(fd2, t, LLMSCHED_BATCH_MAX, &idx));
	first_id = t[0].task_id;
	ASSERT_EQ(0, ls_submit_batch(fd2, t, LLMSCHED_BATCH_MAX, &idx));
	last_id = t[LLMSCHED_BATCH_MAX - 1].task_id;
	/*
	 * Newest first, so that no cancellation frees room for a task not
	 * cancelled yet: the last records are all cancellations.
	 */
	for (id = last_id; id >= first_id; id--)
		ASSERT_EQ(0, ls_cancel(self->fd, id));
	EXPECT_EQ(-1, read(fd2, ev, sizeof(ev)));
	EXPECT_EQ(EOVERFLOW, errno);
	/*
	 * Then exactly the newest 4096, oldest first: the cancellations of
	 * the first batch, from its last task down to its first.
	 */
	last.state = 0;
	total = 0;
	for (;;) {
		n = read(fd2, ev, sizeof(ev));
		if (n < 0)
			break;
		ASSERT_EQ(0, n % (int)EV_SIZE);
		ASSERT_LT(0, n);
		for (i = 0; i < n / EV_SIZE; i++) {
			if (!total++)
				first_kept = ev[i].task_id;
			not_cancel += ev[i].state != LLMSCHED_TASK_CANCELLED;
			out_of_order += ev[i].task_id >= prev;
			prev = ev[i].task_id;
		}
		last = ev[n / EV_SIZE - 1];
	}
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(4096U, total);
	EXPECT_EQ(0U, not_cancel);
	EXPECT_EQ(0U, out_of_order);
	EXPECT_EQ(first_id + LLMSCHED_BATCH_MAX - 1, first_kept);
	EXPECT_EQ(first_id, last.task_id);
	/* The overflow was reported once. */
	EXPECT_EQ(-1, read(fd2, ev, sizeof(ev)));
	EXPECT_EQ(EAGAIN, errno);
	close(fd2);
	free(t);
}

TEST_F(task, dependency_success_releases_dependents)
{
	struct llmsched_task_info info;
	__u64 a, b, c, x, d[2];

	ASSERT_EQ(0, submit_on(self->fd, 1, 0, NULL, 0, &a));
	ASSERT_EQ(0, submit_on(self->fd, 1, 0, &a, 1, &b));
	ASSERT_EQ(0, submit_on(self->fd, 1, 0, &b, 1, &c));
	ASSERT_EQ(0, submit_on(self->fd, 1, 0, NULL, 0, &x));
	d[0] = a;
	d[1] = x;
	ASSERT_EQ(0, submit_on(self->fd, 1, 0, d, 2, &d[0]));
	ASSERT_EQ(0, ls_query(self->fd, b, &info));
	EXPECT_EQ(LLMSCHED_TASK_QUEUED, info.state);
	EXPECT_EQ(1U, info.nr_deps);
	ASSERT_EQ(0, ls_query(self->fd, c, &info));
	EXPECT_EQ(LLMSCHED_TASK_QUEUED, info.state);

	ASSERT_EQ(0, fetch_expect(self->a.fd, a));
	ASSERT_EQ(0, ls_agent_complete(self->a.fd, a, 0, 0, 0, 1));
	ASSERT_EQ(0, ls_query(self->fd, b, &info));
	EXPECT_FALSE(info.state == LLMSCHED_TASK_QUEUED);
	EXPECT_FALSE(ls_state_is_terminal(info.state));
	ASSERT_EQ(0, ls_query(self->fd, c, &info));
	EXPECT_EQ(LLMSCHED_TASK_QUEUED, info.state);
	/* d waits for x too. */
	ASSERT_EQ(0, ls_query(self->fd, d[0], &info));
	EXPECT_EQ(LLMSCHED_TASK_QUEUED, info.state);

	ASSERT_EQ(0, fetch_expect(self->a.fd, x));
	ASSERT_EQ(0, ls_agent_complete(self->a.fd, x, 0, 0, 0, 1));
	ASSERT_EQ(0, ls_query(self->fd, d[0], &info));
	EXPECT_NE(LLMSCHED_TASK_QUEUED, info.state);
	ASSERT_EQ(0, fetch_expect(self->a.fd, b));
	ASSERT_EQ(0, ls_agent_complete(self->a.fd, b, 0, 0, 0, 1));
	ASSERT_EQ(0, ls_query(self->fd, c, &info));
	EXPECT_NE(LLMSCHED_TASK_QUEUED, info.state);
	/* A dependency that already succeeded: runnable at once. */
	ASSERT_EQ(0, submit_on(self->fd, 1, 0, &a, 1, &x));
	ASSERT_EQ(0, ls_query(self->fd, x, &info));
	EXPECT_NE(LLMSCHED_TASK_QUEUED, info.state);
	EXPECT_FALSE(ls_state_is_terminal(info.state));
}

TEST_F(task, dependency_failure_and_cancel_propagate)
{
	struct llmsched_task_info info;
	struct ls_stats s0, s1;
	__u64 a, b, c, d, deps[2], e, f, g;

	ASSERT_EQ(0, ls_stats_read(&s0));
	/* a <- b <- c, and d <- {a, b}: a fails. */
	ASSERT_EQ(0, submit_on(self->fd, 1, 0, NULL, 0, &a));
	ASSERT_EQ(0, submit_on(self->fd, 1, 0, &a, 1, &b));
	ASSERT_EQ(0, submit_on(self->fd, 1, 0, &b, 1, &c));
	deps[0] = b;
	deps[1] = a;
	ASSERT_EQ(0, submit_on(self->fd, 1, 0, deps, 2, &d));
	ASSERT_EQ(0, fetch_expect(self->a.fd, a));
	ASSERT_EQ(0, ls_agent_start(self->a.fd, a));
	ASSERT_EQ(0, ls_agent_complete(self->a.fd, a, 0, LLMSCHED_REASON_EXIT,
				       1, 1));
	ASSERT_EQ(0, ls_query(self->fd, b, &info));
	EXPECT_EQ(LLMSCHED_TASK_FAILED, info.state);
	EXPECT_EQ(LLMSCHED_REASON_DEP_FAILED, info.reason);
	ASSERT_EQ(0, ls_query(self->fd, c, &info));
	EXPECT_EQ(LLMSCHED_TASK_FAILED, info.state);
	EXPECT_EQ(LLMSCHED_REASON_DEP_FAILED, info.reason);
	ASSERT_EQ(0, ls_query(self->fd, d, &info));
	EXPECT_EQ(LLMSCHED_TASK_FAILED, info.state);
	EXPECT_EQ(LLMSCHED_REASON_DEP_FAILED, info.reason);

	/* e <- f <- g: cancelling e fails f and g. */
	ASSERT_EQ(0, submit_on(self->fd, 1, 0, NULL, 0, &e));
	ASSERT_EQ(0, submit_on(self->fd, 1, 0, &e, 1, &f));
	ASSERT_EQ(0, submit_on(self->fd, 1, 0, &f, 1, &g));
	ASSERT_EQ(0, ls_cancel(self->fd, e));
	ASSERT_EQ(0, ls_query(self->fd, e, &info));
	EXPECT_EQ(LLMSCHED_TASK_CANCELLED, info.state);
	EXPECT_EQ(LLMSCHED_REASON_CANCELLED, info.reason);
	ASSERT_EQ(0, ls_query(self->fd, g, &info));
	EXPECT_EQ(LLMSCHED_TASK_FAILED, info.state);
	EXPECT_EQ(LLMSCHED_REASON_DEP_FAILED, info.reason);
	/* Cancelling a queued dependent fails its own dependents. */
	ASSERT_EQ(0, submit_on(self->fd, 1, 0, NULL, 0, &e));
	ASSERT_EQ(0, submit_on(self->fd, 1, 0, &e, 1, &f));
	ASSERT_EQ(0, submit_on(self->fd, 1, 0, &f, 1, &g));
	ASSERT_EQ(0, ls_cancel(self->fd, f));
	ASSERT_EQ(0, ls_query(self->fd, g, &info));
	EXPECT_EQ(LLMSCHED_TASK_FAILED, info.state);
	EXPECT_EQ(LLMSCHED_REASON_DEP_FAILED, info.reason);
	ASSERT_EQ(0, ls_query(self->fd, e, &info));
	EXPECT_FALSE(ls_state_is_terminal(info.state));

	ASSERT_EQ(0, ls_stats_read(&s1));
	/* a, b, c, d; f, g; the second g failed.  Two cancelled. */
	EXPECT_EQ(s0.failed + 7, s1.failed);
	EXPECT_EQ(s0.cancelled + 2, s1.cancelled);
}

/* ---------------------------------------------------------- counters */

TEST_F(task, sysfs_counters_add_up)
{
	struct ls_stats s0, s1;
	__u64 held0, held1, ids[10], v;
	char rel[96], buf[256], *tok;
	unsigned int i;

	ASSERT_EQ(0, ls_stats_read(&s0));
	ASSERT_EQ(0, ls_tasks_held(&held0));
	/* Since the module was loaded, every task is in one place. */
	EXPECT_EQ(s0.submitted, s0.succeeded + s0.failed + s0.cancelled +
				held0);
	EXPECT_LE(s0.succeeded, s0.dispatched);

	for (i = 0; i < 10; i++)
		ASSERT_EQ(0, submit_on(self->fd, 1, 0, NULL, 0, &ids[i]));
	/* 4 slots: ids[0..3] assigned, the rest runnable. */
	ASSERT_EQ(0, ls_sysfs_u64("queue/assigned", &v));
	EXPECT_EQ(4ULL, v);
	ASSERT_EQ(0, ls_sysfs_u64("queue/runnable", &v));
	EXPECT_EQ(6ULL, v);
	/* The agent's folder lists the tasks it holds: "ID STATE LABEL". */
	snprintf(rel, sizeof(rel), LS_SYSFS "/agents/%u/tasks", self->a.id);
	ASSERT_LT(0, read_text_file(rel, buf, sizeof(buf)));
	for (i = 0, tok = strtok(buf, "\n"); tok; tok = strtok(NULL, "\n"), i++) {
		unsigned long long id;
		char state[16];

		ASSERT_EQ(2, sscanf(tok, "%llu %15s", &id, state))
			TH_LOG("line %u: \"%s\"", i, tok);
		ASSERT_GT(4U, i);
		EXPECT_EQ(ids[i], id) TH_LOG("line %u", i);
		EXPECT_STREQ("assigned", state);
	}
	EXPECT_EQ(4U, i);
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, ls_agent_run_one(self->a.fd, LS_SEC(1), NULL));
	for (i = 0; i < 2; i++) {
		struct llmsched_agent_fetch f;

		ASSERT_EQ(0, ls_agent_fetch(self->a.fd, LS_SEC(1), &f, NULL,
					    0));
		ASSERT_EQ(0, ls_agent_complete(self->a.fd, f.task_id, 0,
					       LLMSCHED_REASON_EXIT, 2, 1));
	}
	ASSERT_EQ(0, ls_cancel(self->fd, ids[8]));
	ASSERT_EQ(0, ls_cancel(self->fd, ids[9]));
	ASSERT_EQ(0, ls_agent_fetch(self->a.fd, LS_SEC(1), NULL, NULL, 0));
	ASSERT_EQ(0, ls_sysfs_u64("queue/running", &v));
	EXPECT_EQ(0ULL, v);

	ASSERT_EQ(0, ls_stats_read(&s1));
	ASSERT_EQ(0, ls_tasks_held(&held1));
	EXPECT_EQ(s0.submitted + 10, s1.submitted);
	EXPECT_EQ(s0.succeeded + 4, s1.succeeded);
	EXPECT_EQ(s0.failed + 2, s1.failed);
	EXPECT_EQ(s0.cancelled + 2, s1.cancelled);
	EXPECT_EQ(held0 + 2, held1);
	EXPECT_EQ(s1.submitted, s1.succeeded + s1.failed + s1.cancelled +
				held1);
	EXPECT_LE(s0.dispatched + 7, s1.dispatched);
	EXPECT_LE(s1.succeeded, s1.dispatched);
}

LLMS_TEST_MAIN
