// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched selftests: the module speaks to its runtime (uAPI 1.0).
 *
 * The control channel (kill, freeze, thaw, lost), stopping a task only
 * once its agent confirms, time limits, fencing a lost agent until its
 * cgroup is empty so that no task ever runs twice at once, adoption by a
 * restarted runtime, drain and resize, preemption with real frozen
 * processes, workflows in one batch, entries of any size, events with a
 * size, restartable waits, labels.  Runs as root inside the test VM; the
 * test plays the runtime.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/llmsched.h>

#include "kselftest_harness.h"
#include "harness_main.h"
#include "llmsched_util.h"
#include "module_util.h"

/* The 6.1 harness defines FIXTURE_SETUP/TEARDOWN as non-static functions. */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"

#define HOST_CPU	LS_CPUS(32)
#define HOST_MEM	LS_GB(64)
#define NR_AGENTS	4

FIXTURE(ctl) {
	int fd;
	struct ls_agent a[NR_AGENTS];
	struct ls_agent_proc p[NR_AGENTS];
};

FIXTURE_SETUP(ctl)
{
	self->fd = -1;
	ASSERT_EQ(0, llmsched_module_ensure_loaded());
	self->fd = ls_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ls_reset(self->fd, HOST_CPU, HOST_MEM));
}

FIXTURE_TEARDOWN(ctl)
{
	unsigned int i;

	if (self->fd >= 0)
		ls_cancel_all(self->fd);
	for (i = 0; i < NR_AGENTS; i++) {
		ls_agent_destroy(&self->a[i]);
		ls_agent_proc_stop(&self->p[i]);
	}
	if (self->fd >= 0) {
		ls_reset(self->fd, HOST_CPU, HOST_MEM);
		close(self->fd);
	}
}

static int submit_task(int fd, __u32 prio, __u64 cpu, __u64 est,
		       __u64 time_limit, const char *label, __u64 *id)
{
	struct llmsched_task_submit t;
	int ret;

	ls_task_init(&t, prio, cpu, LS_GB(1), est);
	t.time_limit_ns = time_limit;
	if (label)
		snprintf(t.label, sizeof(t.label), "%s", label);
	ret = ls_submit(fd, &t);
	if (!ret && id)
		*id = t.task_id;
	return ret;
}

static __u32 state_of(int fd, __u64 id)
{
	struct llmsched_task_info info;

	return ls_query(fd, id, &info) ? 0 : info.state;
}

static short poll_events(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLPRI };

	return poll(&p, 1, timeout_ms) > 0 ? p.revents : 0;
}

/* ------------------------------------------------------------- stopping */

/*
 * A running task that is cancelled keeps its slot until its agent confirms
 * the kill: no other task runs beside a command that may still run.
 */
TEST_F(ctl, cancelled_running_task_holds_its_slot_until_the_kill)
{
	struct ls_agent *a = &self->a[0];
	struct llmsched_agent_control c;
	struct llmsched_task_submit dep;
	struct llmsched_task_info info;
	__u64 t1, t2;

	ASSERT_EQ(0, ls_agent_spawn(a, 1, LS_CPUS(4), LS_GB(8), 0));
	ASSERT_EQ(0, submit_task(self->fd, 1, LS_CPUS(1), LS_SEC(1), 0, NULL,
				 &t1));
	ls_task_init(&dep, 1, LS_CPUS(1), LS_GB(1), LS_SEC(1));
	dep.nr_deps = 1;
	dep.deps_ptr = (uintptr_t)&t1;
	ASSERT_EQ(0, ls_submit(self->fd, &dep));
	ASSERT_EQ(0, ls_agent_fetch(a->fd, 0, NULL, NULL, 0));
	ASSERT_EQ(0, ls_agent_start(a->fd, t1));
	EXPECT_EQ(0, ls_agent_control(a->fd, 0, &c) == -EAGAIN ? 0 : -1);

	ASSERT_EQ(0, ls_cancel(self->fd, t1));
	ASSERT_EQ(0, ls_query(self->fd, t1, &info));
	EXPECT_EQ(LLMSCHED_TASK_STOPPING, info.state);
	EXPECT_EQ(LLMSCHED_REASON_CANCELLED, info.reason);
	EXPECT_EQ(-EALREADY, ls_cancel(self->fd, t1)) TH_LOG("cancel twice");
	/* Its dependent waits for the end, not for the request. */
	EXPECT_EQ(LLMSCHED_TASK_QUEUED, state_of(self->fd, dep.task_id));
	EXPECT_TRUE(poll_events(a->fd, 1000) & POLLPRI);

	/* The slot is still the cancelled task's. */
	ASSERT_EQ(0, submit_task(self->fd, 1, LS_CPUS(1), LS_SEC(1), 0, NULL,
				 &t2));
	EXPECT_EQ(LLMSCHED_TASK_RUNNABLE, state_of(self->fd, t2));

	ASSERT_EQ(0, ls_agent_control(a->fd, 0, &c));
	EXPECT_EQ((__u32)LLMSCHED_CONTROL_KILL, c.kind);
	EXPECT_EQ((__u32)LLMSCHED_REASON_CANCELLED, c.reason);
	EXPECT_EQ(t1, c.task_id);
	EXPECT_EQ(1ULL, c.seq);
	EXPECT_EQ(-EAGAIN, ls_agent_control(a->fd, 0, &c)) TH_LOG("handed once");
	EXPECT_FALSE(poll_events(a->fd, 0) & POLLPRI);

	EXPECT_EQ(-ENOENT, ls_agent_confirm(a->fd, t1, LLMSCHED_CONTROL_FREEZE))
		TH_LOG("not what was asked");
	EXPECT_EQ(-EINVAL, ls_agent_confirm(a->fd, t1, LLMSCHED_CONTROL_LOST));
	ASSERT_EQ(0, ls_agent_confirm(a->fd, t1, LLMSCHED_CONTROL_KILL));
	EXPECT_EQ(-ENOENT, ls_agent_confirm(a->fd, t1, LLMSCHED_CONTROL_KILL))
		TH_LOG("confirmed twice");
	ASSERT_EQ(0, ls_query(self->fd, t1, &info));
	EXPECT_EQ(LLMSCHED_TASK_CANCELLED, info.state);
	EXPECT_EQ(LLMSCHED_REASON_CANCELLED, info.reason);
	ASSERT_EQ(0, ls_query(self->fd, dep.task_id, &info));
	EXPECT_EQ(LLMSCHED_TASK_FAILED, info.state);
	EXPECT_EQ(LLMSCHED_REASON_DEP_FAILED, info.reason);
	/* Now the slot is free. */
	EXPECT_EQ(LLMSCHED_TASK_ASSIGNED, state_of(self->fd, t2));
}

/* A command that ended by itself before the kill: its report confirms. */
TEST_F(ctl, completing_a_stopping_task_confirms_the_stop)
{
	struct ls_agent *a = &self->a[0];
	struct llmsched_task_info info;
	__u64 t1;

	ASSERT_EQ(0, ls_agent_spawn(a, 1, LS_CPUS(4), LS_GB(8), 0));
	ASSERT_EQ(0, submit_task(self->fd, 1, LS_CPUS(1), LS_SEC(1), 0, NULL,
				 &t1));
	ASSERT_EQ(0, ls_agent_fetch(a->fd, 0, NULL, NULL, 0));
	/* Fetched but not started: it may be starting, so it stops too. */
	ASSERT_EQ(0, ls_cancel(self->fd, t1));
	EXPECT_EQ(LLMSCHED_TASK_STOPPING, state_of(self->fd, t1));
	EXPECT_EQ(-ECANCELED, ls_agent_start(a->fd, t1)) TH_LOG("do not run it");
	EXPECT_EQ(-ECANCELED, ls_agent_complete(a->fd, t1, 0,
						LLMSCHED_REASON_NONE, 0, 1));
	ASSERT_EQ(0, ls_query(self->fd, t1, &info));
	EXPECT_EQ(LLMSCHED_TASK_CANCELLED, info.state);
	/* The record was for nothing now: gone. */
	EXPECT_EQ(-EAGAIN, ls_agent_control(a->fd, 0, NULL));
}

/* A task handed over and never fetched never ran: cancelled at once. */
TEST_F(ctl, unfetched_task_is_cancelled_at_once)
{
	struct ls_agent *a = &self->a[0];
	__u64 t1;

	ASSERT_EQ(0, ls_agent_spawn(a, 1, LS_CPUS(4), LS_GB(8), 0));
	ASSERT_EQ(0, submit_task(self->fd, 1, LS_CPUS(1), LS_SEC(1), 0, NULL,
				 &t1));
	EXPECT_EQ(LLMSCHED_TASK_ASSIGNED, state_of(self->fd, t1));
	ASSERT_EQ(0, ls_cancel(self->fd, t1));
	EXPECT_EQ(LLMSCHED_TASK_CANCELLED, state_of(self->fd, t1));
	EXPECT_EQ(-EAGAIN, ls_agent_control(a->fd, 0, NULL));
}

/* While a control record waits, FETCH says so rather than hand a task. */
TEST_F(ctl, fetch_gives_way_to_a_waiting_control_record)
{
	struct ls_agent *a = &self->a[0];
	struct llmsched_agent_fetch f;
	__u64 t1, t2, t0;

	ASSERT_EQ(0, ls_agent_spawn(a, 2, LS_CPUS(4), LS_GB(8), 0));
	ASSERT_EQ(0, submit_task(self->fd, 1, LS_CPUS(1), LS_SEC(1), 0, NULL,
				 &t1));
	ASSERT_EQ(0, ls_agent_fetch(a->fd, 0, NULL, NULL, 0));
	ASSERT_EQ(0, ls_agent_start(a->fd, t1));
	ASSERT_EQ(0, submit_task(self->fd, 1, LS_CPUS(1), LS_SEC(1), 0, NULL,
				 &t2));
	ASSERT_EQ(0, ls_cancel(self->fd, t1));
	EXPECT_EQ(-ENOMSG, ls_agent_fetch(a->fd, 0, &f, NULL, 0));
	/* A blocked fetch wakes for a control record too. */
	ASSERT_EQ(0, ls_agent_control(a->fd, 0, NULL));
	ASSERT_EQ(0, ls_agent_fetch(a->fd, 0, &f, NULL, 0));
	EXPECT_EQ(t2, f.task_id);
	ASSERT_EQ(0, ls_agent_start(a->fd, t2));
	if (!fork()) {
		usleep(200000);
		_exit(ls_cancel(self->fd, t2) ? 1 : 0);
	}
	t0 = ls_now_ns();
	EXPECT_EQ(-ENOMSG, ls_agent_fetch(a->fd, LS_SEC(10), &f, NULL, 0));
	EXPECT_GT(LS_SEC(5), ls_now_ns() - t0);
	wait(NULL);
}

/* Past its time limit a task is killed, and fails with TIMEOUT. */
TEST_F_TIMEOUT(ctl, time_limit_kills_a_task_that_runs_too_long, 60)
{
	struct ls_agent *a = &self->a[0];
	struct llmsched_agent_control c;
	struct llmsched_agent_fetch f;
	struct llmsched_task_info info;
	__u64 t1, t2, t0;

	ASSERT_EQ(0, ls_agent_spawn(a, 2, LS_CPUS(4), LS_GB(8), 0));
	ASSERT_EQ(0, submit_task(self->fd, 1, LS_CPUS(1), LS_SEC(10),
				 LS_MSEC(300), "short", &t1));
	ASSERT_EQ(0, submit_task(self->fd, 1, LS_CPUS(1), LS_SEC(10), 0,
				 "unlimited", &t2));
	ASSERT_EQ(0, ls_agent_fetch(a->fd, 0, &f, NULL, 0));
	EXPECT_EQ(t1, f.task_id);
	EXPECT_EQ(LS_MSEC(300), f.time_limit_ns);
	EXPECT_STREQ("short", f.label);
	ASSERT_EQ(0, ls_agent_start(a->fd, t1));
	ASSERT_EQ(0, ls_agent_fetch(a->fd, 0, &f, NULL, 0));
	ASSERT_EQ(0, ls_agent_start(a->fd, t2));
	t0 = ls_now_ns();
	ASSERT_EQ(0, ls_agent_control(a->fd, LS_SEC(10), &c));
	EXPECT_LE(LS_MSEC(300), ls_now_ns() - t0 + LS_MSEC(50));
	EXPECT_EQ((__u32)LLMSCHED_CONTROL_KILL, c.kind);
	EXPECT_EQ((__u32)LLMSCHED_REASON_TIMEOUT, c.reason);
	EXPECT_EQ(t1, c.task_id);
	ASSERT_EQ(0, ls_query(self->fd, t1, &info));
	EXPECT_EQ(LLMSCHED_TASK_STOPPING, info.state);
	EXPECT_EQ(LLMSCHED_REASON_TIMEOUT, info.reason);
	ASSERT_EQ(0, ls_agent_confirm(a->fd, t1, LLMSCHED_CONTROL_KILL));
	ASSERT_EQ(0, ls_query(self->fd, t1, &info));
	EXPECT_EQ(LLMSCHED_TASK_FAILED, info.state);
	EXPECT_EQ(LLMSCHED_REASON_TIMEOUT, info.reason);
	/* The one without a limit runs on. */
	EXPECT_EQ(LLMSCHED_TASK_RUNNING, state_of(self->fd, t2));
	EXPECT_EQ(-EAGAIN, ls_agent_control(a->fd, 0, NULL));
}

/* ------------------------------------------------------------- fencing */

/*
 * A lost agent that missed its heartbeats hears of it (POLLHUP, a LOST
 * record); its fetched task waits, STOPPING, until nothing of the agent
 * runs, then runs again elsewhere.
 */
TEST_F_TIMEOUT(ctl, lost_agent_hears_of_it_and_its_task_runs_elsewhere, 60)
{
	struct ls_agent *a = &self->a[0], *b = &self->a[1];
	struct llmsched_agent_control c;
	struct llmsched_task_submit t;
	__u64 id;
	short ev;

	ASSERT_EQ(0, ls_agent_spawn(a, 1, LS_CPUS(4), LS_GB(8), 0));
	ls_task_init(&t, 1, LS_CPUS(1), LS_GB(1), LS_SEC(1));
	t.retries = 2;
	ASSERT_EQ(0, ls_submit(self->fd, &t));
	id = t.task_id;
	ASSERT_EQ(0, ls_agent_fetch(a->fd, 0, NULL, NULL, 0));
	ASSERT_EQ(0, ls_agent_start(a->fd, id));
	ASSERT_EQ(0, ls_set_limits(self->fd, 0, 0, 100));
	ev = poll_events(a->fd, 5000);
	ASSERT_EQ(0, ls_set_limits(self->fd, 0, 0, LS_DEF_HEARTBEAT_MS));
	EXPECT_TRUE(ev & POLLHUP);
	EXPECT_TRUE(ev & POLLPRI);
	ASSERT_EQ(0, ls_agent_control(a->fd, 0, &c));
	EXPECT_EQ((__u32)LLMSCHED_CONTROL_LOST, c.kind);
	EXPECT_EQ(0ULL, c.task_id);
	EXPECT_EQ(-EBADFD, ls_agent_control(a->fd, 0, &c)) TH_LOG("the last one");
	EXPECT_EQ(-EBADFD, ls_agent_heartbeat(a->fd));
	/* The module killed the agent's process: the fence ends soon. */
	ASSERT_EQ(0, ls_agent_spawn(b, 1, LS_CPUS(4), LS_GB(8), 0));
	ASSERT_EQ(0, ls_wait_state(self->fd, id, LLMSCHED_TASK_ASSIGNED, 5000,
				   NULL));
	ASSERT_EQ(0, ls_agent_run_one(b->fd, LS_SEC(1), &id));
	EXPECT_EQ(0, ls_wait(self->fd, id, LS_SEC(1), NULL));
}

/* What is in @cg, for a failure's message. */
static const char *cgroup_procs_text(const struct ls_cgroup *cg)
{
	static char text[256];
	char path[sizeof(cg->path) + 16];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg->path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, text, sizeof(text) - 1);
	if (fd >= 0)
		close(fd);
	text[n < 0 ? 0 : n] = 0;
	return text;
}

/* A process in the agent's cgroup, outside its process group. */
static pid_t spawn_straggler(const struct ls_cgroup *cg)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	setsid();
	/* Holding a copy of the agent's file would keep the agent alive. */
	close_range(3, ~0U, 0);
	for (;;)
		pause();
}

/*
 * The fence: a lost agent's tasks keep its reservation while anything in
 * its cgroup may still run them, and go on only once it is empty.
 */
TEST_F_TIMEOUT(ctl, fence_holds_until_the_agents_cgroup_is_empty, 60)
{
	struct ls_agent *a = &self->a[0];
	struct llmsched_agent_info ai;
	struct llmsched_capacity cap;
	struct llmsched_task_info info;
	struct llmsched_task_submit t;
	pid_t straggler;
	char path[64];
	__u32 id_a;
	__u64 id;
	int i;

	ASSERT_EQ(0, ls_agent_spawn(a, 1, LS_CPUS(4), LS_GB(8), 0));
	id_a = a->id;
	straggler = spawn_straggler(&a->cg);
	ASSERT_LT(0, straggler);
	ASSERT_EQ(0, ls_cgroup_add(&a->cg, straggler));
	ls_task_init(&t, 1, LS_CPUS(1), LS_GB(1), LS_SEC(1));
	t.retries = 1;
	ASSERT_EQ(0, ls_submit(self->fd, &t));
	id = t.task_id;
	ASSERT_EQ(0, ls_agent_fetch(a->fd, 0, NULL, NULL, 0));
	ASSERT_EQ(0, ls_agent_start(a->fd, id));
	/* The agent's file goes: it is lost, and its process killed. */
	close(a->fd);
	a->fd = -1;
	for (i = 0; i < 20; i++)
		usleep(50000);
	ASSERT_EQ(0, ls_query(self->fd, id, &info));
	EXPECT_EQ(LLMSCHED_TASK_STOPPING, info.state);
	EXPECT_EQ(LLMSCHED_REASON_AGENT_LOST, info.reason);
	EXPECT_EQ(1U, info.retries_left) TH_LOG("spent once it is fenced");
	ASSERT_EQ(0, ls_agent_info(self->fd, id_a, &ai));
	EXPECT_EQ((__u32)LLMSCHED_AGENT_FENCING, ai.state);
	snprintf(path, sizeof(path), LS_SYSFS "/agents/%u/state", id_a);
	{
		char buf[32] = "";
		FILE *f = fopen(path, "re");

		ASSERT_NE(NULL, f);
		EXPECT_EQ(1, fscanf(f, "%31s", buf));
		fclose(f);
		EXPECT_STREQ("fencing", buf);
	}
	ASSERT_EQ(0, ls_get_capacity(self->fd, &cap));
	EXPECT_EQ(LS_CPUS(4), cap.reserved[LLMSCHED_RES_CPU]);

	/* Nothing of it left: the task goes back, the reservation too. */
	ls_kill_reap(straggler);
	/* Runnable on its one retry, waiting for an agent. */
	ASSERT_EQ(0, ls_wait_state(self->fd, id, LLMSCHED_TASK_RUNNABLE, 5000,
				   &info))
		TH_LOG("task %s (reason %u); cgroup.procs: %s",
		       ls_state_name(info.state), info.reason,
		       cgroup_procs_text(&a->cg));
	EXPECT_EQ(0U, info.retries_left);
	EXPECT_EQ((__u32)LLMSCHED_WAIT_NO_AGENT, info.wait);
	EXPECT_EQ(-ENOENT, ls_agent_info(self->fd, id_a, &ai));
	ASSERT_EQ(0, ls_get_capacity(self->fd, &cap));
	EXPECT_EQ(0ULL, cap.reserved[LLMSCHED_RES_CPU]);
}

/*
 * No task ever runs on two agents at once, however its agents die: killed,
 * stopped or hung.  Each command stamps its start, then every few
 * milliseconds that it is alive, then its end; no two attempts of a task
 * may overlap.
 */
#define NT_TASKS	24
#define NT_AGENTS	3
#define NT_STAMP_US	5000

struct nt_shared {
	int stamps_fd;
};

/* The command: stamps for @ms milliseconds. */
static void nt_command(int fd, __u64 id, unsigned int ms)
{
	char line[96];
	__u64 end = ls_now_ns() + LS_MSEC(ms);
	int n;

	n = snprintf(line, sizeof(line), "%llu %d S %llu\n",
		     (unsigned long long)id, getpid(),
		     (unsigned long long)ls_now_ns());
	if (write(fd, line, n) != n)
		_exit(2);
	while (ls_now_ns() < end) {
		usleep(NT_STAMP_US);
		n = snprintf(line, sizeof(line), "%llu %d A %llu\n",
			     (unsigned long long)id, getpid(),
			     (unsigned long long)ls_now_ns());
		if (write(fd, line, n) != n)
			_exit(2);
	}
	n = snprintf(line, sizeof(line), "%llu %d E %llu\n",
		     (unsigned long long)id, getpid(),
		     (unsigned long long)ls_now_ns());
	if (write(fd, line, n) != n)
		_exit(2);
	_exit(0);
}

/*
 * An agent: in a session of its own (so that the module's kill of a lost
 * agent takes its commands along), it fetches, runs each command as a
 * child, and reports.
 */
static void nt_agent(int fd, void *arg, int report)
{
	const char *stamps = arg;
	struct llmsched_agent_fetch f;
	int sfd, status, ret;
	pid_t pid;

	setsid();
	sfd = open(stamps, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (sfd < 0)
		_exit(3);
	for (;;) {
		ret = ls_agent_fetch(fd, LS_MSEC(200), &f, NULL, 0);
		if (ret == -ETIMEDOUT || ret == -EAGAIN)
			continue;
		if (ret)
			_exit(4);
		if (ls_agent_start(fd, f.task_id))
			continue;
		pid = fork();
		if (!pid)
			nt_command(sfd, f.task_id, 150);
		while (waitpid(pid, &status, 0) < 0)
			;
		ls_agent_complete(fd, f.task_id, 0,
				  WIFEXITED(status) && !WEXITSTATUS(status) ?
				  LLMSCHED_REASON_NONE : LLMSCHED_REASON_EXIT,
				  WIFEXITED(status) ? WEXITSTATUS(status) : 1,
				  LS_MSEC(150));
	}
}

struct nt_attempt {
	__u64 task;
	int pid;
	__u64 first, last;
	bool ended;
};

/* Read the stamps back into attempts (one per task and process). */
static int nt_attempts(const char *path, struct nt_attempt *at, int max)
{
	unsigned long long id, t;
	int pid, n = 0, i;
	char kind;
	FILE *f = fopen(path, "re");

	if (!f)
		return -errno;
	while (fscanf(f, "%llu %d %c %llu", &id, &pid, &kind, &t) == 4) {
		for (i = 0; i < n; i++)
			if (at[i].task == id && at[i].pid == pid)
				break;
		if (i == n) {
			if (n == max)
				break;
			at[n] = (struct nt_attempt){ .task = id, .pid = pid,
						     .first = t };
			n++;
		}
		if (t < at[i].first)
			at[i].first = t;
		if (t > at[i].last)
			at[i].last = t;
		if (kind == 'E')
			at[i].ended = true;
	}
	fclose(f);
	return n;
}

#define NT_MAX_AGENTS	256

TEST_F_TIMEOUT(ctl, no_task_runs_twice_when_agents_die, 240)
{
	char stamps[] = "/tmp/llmsched-stamps-XXXXXX";
	struct ls_agent_proc *procs;
	struct nt_attempt *at;
	__u64 ids[NT_TASKS];
	unsigned int seed = 1, deaths = 0, i, j, ended = 0, twice = 0;
	int live[NT_AGENTS], nprocs = 0, n, k, fd;

	procs = calloc(NT_MAX_AGENTS, sizeof(*procs));
	ASSERT_NE(NULL, procs);
	fd = mkstemp(stamps);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, ls_set_limits(self->fd, 0, 0, 300));
	for (k = 0; k < NT_AGENTS; k++) {
		live[k] = nprocs;
		ASSERT_EQ(0, ls_agent_proc_start(&procs[nprocs++], 1,
						 LS_CPUS(2), LS_GB(2), nt_agent,
						 stamps));
	}
	for (i = 0; i < NT_TASKS; i++) {
		struct llmsched_task_submit t;

		ls_task_init(&t, 1, LS_CPUS(1), LS_GB(1), LS_MSEC(150));
		t.retries = 16;
		ASSERT_EQ(0, ls_submit(self->fd, &t));
		ids[i] = t.task_id;
	}
	/*
	 * Kill, stop or hang an agent now and then, and start another one
	 * beside it.  The dead one's cgroup stays as the module left it: only
	 * the module's fence stands between its commands and the next
	 * attempt.
	 */
	for (;;) {
		for (i = 0, ended = 0; i < NT_TASKS; i++)
			ended += ls_state_is_terminal(state_of(self->fd, ids[i]));
		if (ended == NT_TASKS)
			break;
		ASSERT_GT(NT_MAX_AGENTS, nprocs) TH_LOG("tasks do not end");
		usleep(120000 + rand_r(&seed) % 200000);
		k = rand_r(&seed) % NT_AGENTS;
		/* Stopped or hung alike: silent past its heartbeats. */
		kill(procs[live[k]].pid, deaths++ % 2 ? SIGSTOP : SIGKILL);
		live[k] = nprocs;
		ASSERT_EQ(0, ls_agent_proc_start(&procs[nprocs++], 1,
						 LS_CPUS(2), LS_GB(2), nt_agent,
						 stamps));
	}
	ASSERT_EQ(0, ls_set_limits(self->fd, 0, 0, LS_DEF_HEARTBEAT_MS));
	for (i = 0; i < NT_TASKS; i++)
		EXPECT_EQ(LLMSCHED_TASK_SUCCEEDED, state_of(self->fd, ids[i]))
			TH_LOG("task %u of %u", i, NT_TASKS);

	at = calloc(4096, sizeof(*at));
	ASSERT_NE(NULL, at);
	n = nt_attempts(stamps, at, 4096);
	ASSERT_LT(0, n);
	for (i = 0; i < (unsigned int)n; i++)
		for (j = i + 1; j < (unsigned int)n; j++)
			if (at[i].task == at[j].task &&
			    at[i].first <= at[j].last &&
			    at[j].first <= at[i].last) {
				twice++;
				TH_LOG("task %llu ran twice: pids %d and %d",
				       (unsigned long long)at[i].task,
				       at[i].pid, at[j].pid);
			}
	TH_LOG("%u agents died, %d attempts for %d tasks", deaths, n,
	       NT_TASKS);
	EXPECT_EQ(0U, twice);
	EXPECT_LT(NT_TASKS, n) TH_LOG("no attempt was ever cut short");
	for (k = 0; k < nprocs; k++)
		ls_agent_proc_stop(&procs[k]);
	free(procs);
	free(at);
	unlink(stamps);
}

/* ----------------------------------------------------------- preemption */

static int cg_write(const struct ls_cgroup *cg, const char *file,
		    const char *val)
{
	int fd = openat(cg->fd, file, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* The value of "@key N" in @file of @cg, or -1. */
static long long cg_key(const struct ls_cgroup *cg, const char *file,
			const char *key)
{
	char buf[1024], *at;
	long long v = -1;
	ssize_t n;
	int fd;

	fd = openat(cg->fd, file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	for (at = buf; at && *at; at = strchr(at, '\n'), at = at ? at + 1 : NULL)
		if (!strncmp(at, key, strlen(key)) && at[strlen(key)] == ' ')
			v = strtoll(at + strlen(key) + 1, NULL, 10);
	return v;
}

/* What an agent does for FREEZE and THAW: cgroup.freeze, then wait. */
static int cg_freeze(const struct ls_cgroup *cg, bool freeze)
{
	int ret, i;

	ret = cg_write(cg, "cgroup.freeze", freeze ? "1" : "0");
	for (i = 0; !ret && i < 500; i++) {
		if (cg_key(cg, "cgroup.events", "frozen") == freeze)
			return 0;
		usleep(10000);
	}
	return ret ?: -ETIMEDOUT;
}

/* CPU time used in @cg over @ms milliseconds, in microseconds. */
static long long cpu_used_over(const struct ls_cgroup *cg, unsigned int ms)
{
	long long before = cg_key(cg, "cpu.stat", "usage_usec");

	usleep(ms * 1000);
	return cg_key(cg, "cpu.stat", "usage_usec") - before;
}

/*
 * Preemption with a real command: the urgent task takes the slot of a
 * frozen one, whose process then uses no CPU, keeps its memory in the
 * ledger, and whose time limit does not run while it is frozen.
 */
TEST_F_TIMEOUT(ctl, preempted_task_is_frozen_and_its_time_stands_still, 90)
{
	struct ls_agent *a = &self->a[0];
	struct llmsched_agent_control c;
	struct llmsched_task_submit lo;
	struct llmsched_agent_info ai;
	struct llmsched_task_info info;
	struct ls_cgroup tc = { .fd = -1 };
	long long frozen_us, running_us;
	__u64 hi, t_thaw, limit = LS_MSEC(1500);
	pid_t spinner;

	ASSERT_EQ(0, ls_agent_spawn(a, 1, LS_CPUS(4), LS_GB(8), 0));
	/* The low-priority task, preemptible, with a time limit. */
	ls_task_init(&lo, 50, LS_CPUS(4), LS_GB(2), LS_SEC(10));
	lo.flags = LLMSCHED_SUBMIT_PREEMPTIBLE;
	lo.time_limit_ns = limit;
	ASSERT_EQ(0, ls_submit(self->fd, &lo));
	ASSERT_EQ(0, ls_agent_fetch(a->fd, 0, NULL, NULL, 0));
	ASSERT_EQ(0, ls_cgroup_create(&tc));
	spinner = ls_spawn_spinner(&tc);
	ASSERT_LT(0, spinner);
	ASSERT_EQ(0, ls_agent_start(a->fd, lo.task_id));
	running_us = cpu_used_over(&tc, 200);
	TH_LOG("running: %lld us of CPU in 200 ms", running_us);
	EXPECT_LT(20000, running_us);

	/* The urgent one fits only in the low one's place. */
	ASSERT_EQ(0, submit_task(self->fd, 150, LS_CPUS(4), LS_SEC(1), 0, NULL,
				 &hi));
	EXPECT_EQ(LLMSCHED_TASK_RUNNABLE, state_of(self->fd, hi));
	ASSERT_EQ(0, ls_agent_control(a->fd, LS_SEC(5), &c));
	EXPECT_EQ((__u32)LLMSCHED_CONTROL_FREEZE, c.kind);
	EXPECT_EQ(lo.task_id, c.task_id);
	/* Not the slot yet: the low one still runs until it is frozen. */
	EXPECT_EQ(LLMSCHED_TASK_RUNNABLE, state_of(self->fd, hi));
	ASSERT_EQ(0, cg_freeze(&tc, true));
	ASSERT_EQ(0, ls_agent_confirm(a->fd, lo.task_id,
				      LLMSCHED_CONTROL_FREEZE));
	EXPECT_EQ(LLMSCHED_TASK_FROZEN, state_of(self->fd, lo.task_id));
	EXPECT_EQ(LLMSCHED_TASK_ASSIGNED, state_of(self->fd, hi));
	ASSERT_EQ(0, ls_agent_info(self->fd, a->id, &ai));
	EXPECT_EQ(LS_GB(2), ai.frozen[LLMSCHED_RES_MEM]);
	EXPECT_EQ(0ULL, ai.frozen[LLMSCHED_RES_CPU]);
	EXPECT_EQ(LS_CPUS(4), ai.committed[LLMSCHED_RES_CPU]);

	/* Frozen past its time limit, the urgent task running. */
	ASSERT_EQ(0, ls_agent_fetch(a->fd, 0, NULL, NULL, 0));
	ASSERT_EQ(0, ls_agent_start(a->fd, hi));
	frozen_us = cpu_used_over(&tc, 2000);
	TH_LOG("frozen: %lld us of CPU in 2 s", frozen_us);
	EXPECT_GT(2000, frozen_us);
	EXPECT_EQ(LLMSCHED_TASK_FROZEN, state_of(self->fd, lo.task_id))
		TH_LOG("its time limit ran while it was frozen");
	EXPECT_EQ(-EAGAIN, ls_agent_control(a->fd, 0, &c));

	/* The slot comes free: it is thawed and runs again. */
	ASSERT_EQ(0, ls_agent_complete(a->fd, hi, 0, LLMSCHED_REASON_NONE, 0,
				       LS_MSEC(2000)));
	ASSERT_EQ(0, ls_agent_control(a->fd, LS_SEC(5), &c));
	EXPECT_EQ((__u32)LLMSCHED_CONTROL_THAW, c.kind);
	EXPECT_EQ(lo.task_id, c.task_id);
	ASSERT_EQ(0, cg_freeze(&tc, false));
	ASSERT_EQ(0, ls_agent_confirm(a->fd, lo.task_id,
				      LLMSCHED_CONTROL_THAW));
	t_thaw = ls_now_ns();
	EXPECT_EQ(LLMSCHED_TASK_RUNNING, state_of(self->fd, lo.task_id));
	EXPECT_LT(20000, cpu_used_over(&tc, 200));
	ASSERT_EQ(0, ls_agent_info(self->fd, a->id, &ai));
	EXPECT_EQ(0ULL, ai.frozen[LLMSCHED_RES_MEM]);

	/* What is left of its limit runs out only now. */
	ASSERT_EQ(0, ls_agent_control(a->fd, LS_SEC(10), &c));
	EXPECT_EQ((__u32)LLMSCHED_CONTROL_KILL, c.kind);
	EXPECT_EQ((__u32)LLMSCHED_REASON_TIMEOUT, c.reason);
	TH_LOG("killed %.2f s after the thaw (limit %.1f s)",
	       (ls_now_ns() - t_thaw) / 1e9, limit / 1e9);
	EXPECT_LT(LS_MSEC(700), ls_now_ns() - t_thaw);
	ASSERT_EQ(0, cg_write(&tc, "cgroup.kill", "1"));
	ls_kill_reap(spinner);
	ASSERT_EQ(0, ls_agent_confirm(a->fd, lo.task_id,
				      LLMSCHED_CONTROL_KILL));
	ASSERT_EQ(0, ls_query(self->fd, lo.task_id, &info));
	EXPECT_EQ(LLMSCHED_TASK_FAILED, info.state);
	EXPECT_EQ(LLMSCHED_REASON_TIMEOUT, info.reason);
	ls_cgroup_destroy(&tc);
}

/* ------------------------------------------------------------- adoption */

static void hold_agent(int fd, void *arg, int report)
{
	__u64 fd64 = fd;

	/* Tell the parent which descriptor holds the agent's file. */
	if (write(report, &fd64, sizeof(fd64)) != sizeof(fd64))
		_exit(2);
	for (;;) {
		usleep(100000);
		ls_agent_heartbeat(fd);
	}
}

/*
 * A runtime that restarted finds its agents and their tasks, and takes an
 * agent's file from its process (pidfd_getfd) to act for it.
 */
TEST_F(ctl, restarted_runtime_finds_and_takes_over_its_agents)
{
	struct ls_agent_proc *p = &self->p[0];
	struct llmsched_agent_info ai;
	struct llmsched_task_info ent[4];
	struct llmsched_task_list l;
	struct stat st;
	__u64 agent_fd, id;
	int pidfd, fd;

	ASSERT_EQ(0, ls_agent_proc_start(p, 2, LS_CPUS(2), LS_GB(2),
					 hold_agent, NULL));
	ASSERT_EQ(0, ls_agent_proc_read(p, &agent_fd, 2000));
	ASSERT_EQ(0, submit_task(self->fd, 1, LS_CPUS(1), LS_SEC(1), 0,
				 "adopted", &id));

	ASSERT_EQ(0, ls_agent_info(self->fd, p->id, &ai));
	EXPECT_EQ((__u32)LLMSCHED_AGENT_UP, ai.state);
	EXPECT_EQ(p->pid, ai.pid);
	EXPECT_EQ(2U, ai.slots);
	EXPECT_EQ(1U, ai.used_slots);
	EXPECT_EQ(0U, ai.nr_fetched);
	ASSERT_EQ(0, fstat(p->cg.fd, &st));
	EXPECT_EQ((__u64)st.st_ino, ai.cgroup_id);
	EXPECT_EQ(LS_CPUS(1), ai.committed[LLMSCHED_RES_CPU]);

	/* Its file, taken from its process. */
	pidfd = syscall(SYS_pidfd_open, p->pid, 0);
	ASSERT_LE(0, pidfd);
	fd = syscall(SYS_pidfd_getfd, pidfd, (int)agent_fd, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ls_agent_fetch(fd, 0, NULL, NULL, 0));

	LS_INIT(l);
	l.flags = LLMSCHED_LIST_AGENT | LLMSCHED_LIST_ALL_USERS;
	l.agent_id = p->id;
	l.count = 4;
	l.entry_size = sizeof(ent[0]);
	l.entries_ptr = (uintptr_t)ent;
	ASSERT_EQ(0, ls_ioctl(self->fd, LLMSCHED_IOC_TASK_LIST, &l));
	ASSERT_EQ(1U, l.count);
	EXPECT_EQ(id, ent[0].task_id);
	EXPECT_EQ(LLMSCHED_INFO_FETCHED, ent[0].flags);
	EXPECT_STREQ("adopted", ent[0].label);
	EXPECT_EQ(0ULL, l.next_id);
	ASSERT_EQ(0, ls_agent_info(self->fd, p->id, &ai));
	EXPECT_EQ(1U, ai.nr_fetched);

	/* The adopter acts as the agent; the agent's process lives on. */
	ASSERT_EQ(0, ls_agent_start(fd, id));
	ASSERT_EQ(0, ls_agent_complete(fd, id, 0, LLMSCHED_REASON_NONE, 0, 1));
	EXPECT_EQ(LLMSCHED_TASK_SUCCEEDED, state_of(self->fd, id));
	close(fd);
	close(pidfd);
	EXPECT_EQ(0, kill(p->pid, 0));
	EXPECT_EQ(0, ls_agent_info(self->fd, p->id, &ai));
}

/* ------------------------------------------------------- drain, resize */

TEST_F(ctl, drained_agent_finishes_its_work_and_takes_no_more)
{
	struct ls_agent *a = &self->a[0], *b = &self->a[1];
	struct llmsched_agent_info ai;
	__u64 run, wait_id, later;

	ASSERT_EQ(0, ls_agent_spawn(a, 2, LS_CPUS(4), LS_GB(8), 0));
	ASSERT_EQ(0, submit_task(self->fd, 1, LS_CPUS(1), LS_SEC(1), 0, NULL,
				 &run));
	ASSERT_EQ(0, ls_agent_fetch(a->fd, 0, NULL, NULL, 0));
	ASSERT_EQ(0, ls_agent_start(a->fd, run));
	ASSERT_EQ(0, submit_task(self->fd, 1, LS_CPUS(1), LS_SEC(1), 0, NULL,
				 &wait_id));
	EXPECT_EQ(LLMSCHED_TASK_ASSIGNED, state_of(self->fd, wait_id));

	EXPECT_EQ(-ENOENT, ls_agent_drain(self->fd, 12345, 0));
	ASSERT_EQ(0, ls_agent_drain(self->fd, a->id, 0));
	ASSERT_EQ(0, ls_agent_info(self->fd, a->id, &ai));
	EXPECT_EQ((__u32)LLMSCHED_AGENT_DRAINING, ai.state);
	/* What it had not taken went back; nothing new comes to it. */
	EXPECT_EQ(LLMSCHED_TASK_RUNNABLE, state_of(self->fd, wait_id));
	ASSERT_EQ(0, submit_task(self->fd, 1, LS_CPUS(1), LS_SEC(1), 0, NULL,
				 &later));
	EXPECT_EQ(LLMSCHED_TASK_RUNNABLE, state_of(self->fd, later));
	EXPECT_EQ(LLMSCHED_TASK_RUNNING, state_of(self->fd, run));
	ASSERT_EQ(0, ls_agent_spawn(b, 2, LS_CPUS(4), LS_GB(8), 0));
	EXPECT_EQ(LLMSCHED_TASK_ASSIGNED, state_of(self->fd, wait_id));
	/* Its running task finishes; then it may go. */
	EXPECT_EQ(-EBUSY, ls_agent_unregister(a->fd));
	ASSERT_EQ(0, ls_agent_complete(a->fd, run, 0, 0, 0, 1));
	EXPECT_EQ(LLMSCHED_TASK_SUCCEEDED, state_of(self->fd, run));

	/* Back in service instead. */
	ASSERT_EQ(0, ls_agent_drain(self->fd, a->id, LLMSCHED_DRAIN_UNDO));
	ASSERT_EQ(0, ls_agent_info(self->fd, a->id, &ai));
	EXPECT_EQ((__u32)LLMSCHED_AGENT_UP, ai.state);
	ASSERT_EQ(0, ls_agent_drain(self->fd, a->id, 0));
	EXPECT_EQ(0, ls_agent_unregister(a->fd));
}

TEST_F(ctl, resize_stays_within_the_host_and_above_what_tasks_hold)
{
	struct ls_agent *a = &self->a[0];
	struct llmsched_agent_info ai;
	struct llmsched_capacity cap;
	__u64 ids[3];
	int i;

	ASSERT_EQ(0, ls_agent_spawn(a, 1, LS_CPUS(2), LS_GB(4), 0));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, submit_task(self->fd, 1, LS_CPUS(1), LS_SEC(1), 0,
					 NULL, &ids[i]));
	EXPECT_EQ(LLMSCHED_TASK_RUNNABLE, state_of(self->fd, ids[1]));

	/* Grow: more slots and CPU, at once used by the waiting tasks. */
	ASSERT_EQ(0, ls_agent_resize(self->fd, a->id, 3, LS_CPUS(3), LS_GB(4)));
	for (i = 0; i < 3; i++)
		EXPECT_EQ(LLMSCHED_TASK_ASSIGNED, state_of(self->fd, ids[i]));
	ASSERT_EQ(0, ls_get_capacity(self->fd, &cap));
	EXPECT_EQ(LS_CPUS(3), cap.reserved[LLMSCHED_RES_CPU]);

	/* Never below what the tasks hold; never above the host. */
	EXPECT_EQ(-EBUSY, ls_agent_resize(self->fd, a->id, 2, 0, 0));
	EXPECT_EQ(-EBUSY, ls_agent_resize(self->fd, a->id, 0, LS_CPUS(2),
					  LS_GB(4)));
	EXPECT_EQ(-ENOSPC, ls_agent_resize(self->fd, a->id, 0, HOST_CPU + 1,
					   LS_GB(4)));
	EXPECT_EQ(-EINVAL, ls_agent_resize(self->fd, a->id,
					   LLMSCHED_SLOTS_MAX + 1, 0, 0));
	EXPECT_EQ(-ENOENT, ls_agent_resize(self->fd, 9999, 1, 0, 0));
	ASSERT_EQ(0, ls_agent_info(self->fd, a->id, &ai));
	EXPECT_EQ(3U, ai.slots) TH_LOG("a refused resize changed nothing");
	EXPECT_EQ(LS_CPUS(3), ai.capacity[LLMSCHED_RES_CPU]);

	/* Shrink once the work is done. */
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, ls_cancel(self->fd, ids[i]));
	ASSERT_EQ(0, ls_agent_resize(self->fd, a->id, 1, LS_CPUS(1),
				     LS_GB(1)));
	ASSERT_EQ(0, ls_get_capacity(self->fd, &cap));
	EXPECT_EQ(LS_CPUS(1), cap.reserved[LLMSCHED_RES_CPU]);
}

/* ----------------------------------------------------------- workflows */

static void dag_entry(struct llmsched_task_submit *t, __u64 *deps, __u32 n)
{
	ls_task_init(t, 1, LS_CPUS(1), LS_GB(1), LS_SEC(1));
	t->nr_deps = n;
	t->deps_ptr = (uintptr_t)deps;
}

TEST_F(ctl, a_whole_workflow_goes_in_one_batch)
{
	struct ls_agent *a = &self->a[0];
	struct llmsched_task_submit t[5];
	struct ls_snapshot snap;
	__u64 d1[] = { LLMSCHED_DEP_BATCH_INDEX | 0 };
	__u64 d2[] = { LLMSCHED_DEP_BATCH_INDEX | 0 };
	__u64 d3[] = { LLMSCHED_DEP_BATCH_INDEX | 1,
		       LLMSCHED_DEP_BATCH_INDEX | 2 };
	__u64 fwd[] = { LLMSCHED_DEP_BATCH_INDEX | 3 };
	__u64 self_dep[] = { LLMSCHED_DEP_BATCH_INDEX | 1 };
	__u64 far[] = { LLMSCHED_DEP_BATCH_INDEX | 4096 };
	char why[160];
	__u64 done;
	__u32 idx;
	int i;

	ASSERT_EQ(0, ls_agent_spawn(a, 1, LS_CPUS(4), LS_GB(8), 0));
	ASSERT_EQ(0, ls_snapshot_take(self->fd, &snap, NULL, 0));
	/* An index only means something in a batch, and only backwards. */
	dag_entry(&t[0], d1, 1);
	EXPECT_EQ(-EINVAL, ls_submit(self->fd, &t[0])) TH_LOG("outside a batch");
	dag_entry(&t[0], NULL, 0);
	dag_entry(&t[1], fwd, 1);
	dag_entry(&t[2], NULL, 0);
	dag_entry(&t[3], NULL, 0);
	EXPECT_EQ(-EINVAL, ls_submit_batch(self->fd, t, 4, &idx));
	EXPECT_EQ(1U, idx) TH_LOG("forward reference");
	dag_entry(&t[1], self_dep, 1);
	EXPECT_EQ(-EINVAL, ls_submit_batch(self->fd, t, 4, &idx));
	EXPECT_EQ(1U, idx) TH_LOG("itself");
	dag_entry(&t[1], far, 1);
	EXPECT_EQ(-EINVAL, ls_submit_batch(self->fd, t, 4, &idx));
	EXPECT_EQ(1U, idx) TH_LOG("past the batch");
	EXPECT_EQ(0, ls_snapshot_check(self->fd, &snap, why, sizeof(why)))
		TH_LOG("%s", why);

	/* A diamond: 0 -> 1, 2 -> 3, and 4 alone. */
	dag_entry(&t[0], NULL, 0);
	dag_entry(&t[1], d1, 1);
	dag_entry(&t[2], d2, 1);
	dag_entry(&t[3], d3, 2);
	dag_entry(&t[4], NULL, 0);
	ASSERT_EQ(0, ls_submit_batch(self->fd, t, 5, &idx));
	EXPECT_EQ(LLMSCHED_TASK_QUEUED, state_of(self->fd, t[1].task_id));
	EXPECT_EQ(LLMSCHED_TASK_QUEUED, state_of(self->fd, t[3].task_id));
	/* Run it on the one-slot agent: each only after what it needs. */
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, ls_agent_run_one(a->fd, LS_SEC(2), &done));
		if (done == t[3].task_id) {
			EXPECT_EQ(LLMSCHED_TASK_SUCCEEDED,
				  state_of(self->fd, t[1].task_id));
			EXPECT_EQ(LLMSCHED_TASK_SUCCEEDED,
				  state_of(self->fd, t[2].task_id));
		}
		if (done == t[1].task_id || done == t[2].task_id)
			EXPECT_EQ(LLMSCHED_TASK_SUCCEEDED,
				  state_of(self->fd, t[0].task_id));
	}
	EXPECT_EQ(LLMSCHED_TASK_SUCCEEDED, state_of(self->fd, t[3].task_id));
}

/* ----------------------------------------------------- entries grow */

TEST_F(ctl, entries_of_any_size_from_their_first_version)
{
	struct ls_agent *a = &self->a[0];
	enum { BIG = sizeof(struct llmsched_task_submit) + 16 };
	char entries[2][BIG], out[2][sizeof(struct llmsched_task_info) + 24];
	struct llmsched_submit_batch b;
	struct llmsched_task_list l;
	struct llmsched_task_info *info;
	__u64 ids[2];
	int i;

	ASSERT_EQ(0, ls_agent_spawn(a, 2, LS_CPUS(4), LS_GB(8), 0));
	memset(entries, 0, sizeof(entries));
	for (i = 0; i < 2; i++) {
		struct llmsched_task_submit *t = (void *)entries[i];

		ls_task_init(t, 1, LS_CPUS(1), LS_GB(1), LS_SEC(1));
		t->size = BIG;
	}
	LS_INIT(b);
	b.count = 2;
	b.entry_size = BIG;
	b.entries_ptr = (uintptr_t)entries;
	ASSERT_EQ(0, ls_ioctl(self->fd, LLMSCHED_IOC_SUBMIT_BATCH, &b))
		TH_LOG("newer entries, zero tail");
	for (i = 0; i < 2; i++)
		ids[i] = ((struct llmsched_task_submit *)entries[i])->task_id;
	EXPECT_NE(0ULL, ids[1]);
	EXPECT_EQ(ids[0] + 1, ids[1]);
	entries[1][BIG - 1] = 1;
	EXPECT_EQ(-E2BIG, ls_ioctl(self->fd, LLMSCHED_IOC_SUBMIT_BATCH, &b));
	EXPECT_EQ(1U, b.error_index);
	entries[1][BIG - 1] = 0;
	b.entry_size = LLMSCHED_TASK_SUBMIT_SIZE_VER0 - 8;
	EXPECT_EQ(-EINVAL, ls_ioctl(self->fd, LLMSCHED_IOC_SUBMIT_BATCH, &b));
	b.entry_size = 8192;
	EXPECT_EQ(-EINVAL, ls_ioctl(self->fd, LLMSCHED_IOC_SUBMIT_BATCH, &b));

	/* A newer reader's list entries: the kernel's part, then zeros. */
	memset(out, 0xaa, sizeof(out));
	LS_INIT(l);
	l.count = 2;
	l.entry_size = sizeof(out[0]);
	l.entries_ptr = (uintptr_t)out;
	/* From the batch on: earlier tests' ended tasks are still listed. */
	l.start_id = ids[0];
	ASSERT_EQ(0, ls_ioctl(self->fd, LLMSCHED_IOC_TASK_LIST, &l));
	ASSERT_EQ(2U, l.count);
	for (i = 0; i < 2; i++) {
		unsigned int j;

		info = (void *)out[i];
		EXPECT_EQ(sizeof(*info), info->size);
		EXPECT_EQ(ids[i], info->task_id);
		for (j = sizeof(*info); j < sizeof(out[i]); j++)
			EXPECT_EQ(0, out[i][j]) TH_LOG("byte %u", j);
	}
	l.entry_size = LLMSCHED_TASK_INFO_SIZE_VER0 - 1;
	EXPECT_EQ(-EINVAL, ls_ioctl(self->fd, LLMSCHED_IOC_TASK_LIST, &l));
}

/* Every record read() returns says its size. */
TEST_F(ctl, events_carry_their_size)
{
	struct ls_agent *a = &self->a[0];
	char buf[4096];
	ssize_t n, off;
	int fd, count = 0;

	ASSERT_EQ(0, ls_agent_spawn(a, 1, LS_CPUS(4), LS_GB(8), 0));
	fd = ls_open_flags(O_NONBLOCK);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, submit_task(fd, 1, LS_CPUS(1), LS_SEC(1), 0, NULL, NULL));
	n = read(fd, buf, sizeof(buf));
	ASSERT_LT(0, n);
	for (off = 0; off < n; count++) {
		struct llmsched_task_event *e = (void *)(buf + off);

		ASSERT_EQ(sizeof(*e), e->size);
		off += e->size;
	}
	EXPECT_EQ(n, off);
	EXPECT_EQ(2, count) TH_LOG("runnable, then assigned");
	close(fd);
}

/* ------------------------------------------------------------- waiting */

static void on_alarm(int sig)
{
}

static void *alarm_soon(void *arg)
{
	pthread_t *target = arg;

	usleep(200000);
	pthread_kill(*target, SIGALRM);
	return NULL;
}

/*
 * A signal does not shorten or lengthen a wait: with SA_RESTART the call
 * goes on with the time left; without, it fails with EINTR and says what
 * was left.
 */
TEST_F(ctl, waits_restart_with_the_time_left)
{
	struct ls_agent *a = &self->a[0];
	struct llmsched_task_wait w;
	struct sigaction sa = { .sa_handler = on_alarm };
	pthread_t me = pthread_self(), th;
	__u64 id, t0, took;
	int ret;

	ASSERT_EQ(0, ls_agent_spawn(a, 1, LS_CPUS(4), LS_GB(8), 0));
	ASSERT_EQ(0, submit_task(self->fd, 1, LS_CPUS(1), LS_SEC(1), 0, NULL,
				 &id));

	sa.sa_flags = SA_RESTART;
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, pthread_create(&th, NULL, alarm_soon, &me));
	t0 = ls_now_ns();
	ret = ls_wait(self->fd, id, LS_MSEC(700), &w);
	took = ls_now_ns() - t0;
	pthread_join(th, NULL);
	EXPECT_EQ(-ETIMEDOUT, ret);
	EXPECT_LE(LS_MSEC(700), took) TH_LOG("%llu ms",
					     (unsigned long long)took / 1000000);
	EXPECT_GT(LS_MSEC(850), took) TH_LOG("%llu ms: started over?",
					     (unsigned long long)took / 1000000);

	sa.sa_flags = 0;
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, pthread_create(&th, NULL, alarm_soon, &me));
	LS_INIT(w);
	w.task_id = id;
	w.timeout_ns = LS_MSEC(700);
	ret = ls_ioctl(self->fd, LLMSCHED_IOC_TASK_WAIT, &w);
	pthread_join(th, NULL);
	EXPECT_EQ(-EINTR, ret);
	EXPECT_LT(LS_MSEC(300), w.timeout_ns) TH_LOG("left: %llu ms",
			(unsigned long long)w.timeout_ns / 1000000);
	EXPECT_GT(LS_MSEC(560), w.timeout_ns);
	signal(SIGALRM, SIG_DFL);
}

/* --------------------------------------------------------------- labels */

TEST_F(ctl, labels_are_printable_and_shown)
{
	struct ls_agent *a = &self->a[0];
	struct llmsched_task_submit t;
	struct llmsched_task_info info;
	char path[128], buf[256];
	int fd;
	ssize_t n;

	ASSERT_EQ(0, ls_agent_spawn(a, 1, LS_CPUS(4), LS_GB(8), 0));
	ls_task_init(&t, 1, LS_CPUS(1), LS_GB(1), LS_SEC(1));
	memset(t.label, 'x', sizeof(t.label));
	EXPECT_EQ(-EINVAL, ls_submit(self->fd, &t)) TH_LOG("no NUL");
	memset(t.label, 0, sizeof(t.label));
	strcpy(t.label, "tab\there");
	EXPECT_EQ(-EINVAL, ls_submit(self->fd, &t)) TH_LOG("control character");
	memset(t.label, 0, sizeof(t.label));
	strcpy(t.label, "ok");
	t.label[5] = 'z';
	EXPECT_EQ(-EINVAL, ls_submit(self->fd, &t)) TH_LOG("byte past the NUL");
	memset(t.label, 0, sizeof(t.label));
	strcpy(t.label, "summarize the 3rd chapter, v2");
	ASSERT_EQ(0, ls_submit(self->fd, &t));
	ASSERT_EQ(0, ls_query(self->fd, t.task_id, &info));
	EXPECT_STREQ(t.label, info.label);

	snprintf(path, sizeof(path), LS_SYSFS "/agents/%u/tasks", a->id);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	ASSERT_LT(0, n);
	buf[n] = '\0';
	snprintf(path, sizeof(path), "%llu assigned %s\n",
		 (unsigned long long)t.task_id, t.label);
	EXPECT_STREQ(path, buf);
}

/*
 * 1.1: the fetch gives the task's estimator features, for the runtime to
 * fit the estimator from; a fetch of the first version's size gets what
 * it always did and nothing is written past it.
 */
TEST_F(ctl, fetch_gives_the_features_to_fit_from)
{
	struct ls_agent *a = &self->a[0];
	struct llmsched_task_submit t;
	union {
		struct llmsched_agent_fetch f;
		unsigned char bytes[512];
	} u;
	unsigned int i;

	ASSERT_EQ(0, ls_agent_spawn(a, 2, LS_CPUS(4), LS_GB(8), 0));
	ls_task_init(&t, 100, LS_CPUS(1), LS_GB(1), 0);
	t.nr_features = 3;
	t.features[0] = 4096;
	t.features[1] = 7000;
	t.features[2] = 1;
	ASSERT_EQ(0, ls_submit(self->fd, &t));
	memset(&u, 0xaa, sizeof(u));
	ASSERT_EQ(0, ls_agent_fetch(a->fd, 0, &u.f, NULL, 0));
	EXPECT_EQ(t.task_id, u.f.task_id);
	EXPECT_EQ(3U, u.f.nr_features);
	EXPECT_EQ(0U, u.f.__reserved2);
	EXPECT_EQ(4096ULL, u.f.features[0]);
	EXPECT_EQ(7000ULL, u.f.features[1]);
	EXPECT_EQ(1ULL, u.f.features[2]);
	for (i = 3; i < LLMSCHED_FEATURES_MAX; i++)
		EXPECT_EQ(0ULL, u.f.features[i]);

	/* The first version's size: no features, nothing past it. */
	ls_task_init(&t, 100, LS_CPUS(1), LS_GB(1), 0);
	t.nr_features = 1;
	t.features[0] = 5;
	ASSERT_EQ(0, ls_submit(self->fd, &t));
	memset(&u, 0xaa, sizeof(u));
	memset(&u.f, 0, LLMSCHED_AGENT_FETCH_SIZE_VER0);
	u.f.size = LLMSCHED_AGENT_FETCH_SIZE_VER0;
	ASSERT_EQ(0, ioctl(a->fd, LLMSCHED_IOC_AGENT_FETCH, &u.f));
	EXPECT_EQ(t.task_id, u.f.task_id);
	for (i = LLMSCHED_AGENT_FETCH_SIZE_VER0; i < sizeof(u); i++)
		ASSERT_EQ(0xaa, u.bytes[i]) TH_LOG("byte %u written", i);
	EXPECT_EQ(LLMSCHED_AGENT_FETCH_SIZE_VER1, sizeof(u.f));
}

LLMS_TEST_MAIN
