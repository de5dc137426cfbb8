// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched selftests: the agent's side of the uAPI.
 *
 * Registration and its checks, fetch / start / complete / unregister /
 * load reports with their errors, the reference dispatch example, and
 * agents that die: killed, closed, or silent past the heartbeat timeout.
 *
 * The test plays the runtime: it makes a cgroup per agent, forks a process
 * into it, and registers that process (or lets the process register
 * itself).  Runs as root inside the test VM.
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
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/stat.h>
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
#define NO_SUCH_TASK	(1ULL << 62)
#define NR_AGENTS	4

FIXTURE(agent) {
	int fd;				/* root's file; never an agent */
	struct ls_agent a[NR_AGENTS];
	struct ls_agent_proc p[2];
	struct ls_snapshot snap;
};

FIXTURE_SETUP(agent)
{
	self->fd = -1;
	ASSERT_EQ(0, llmsched_module_ensure_loaded());
	self->fd = ls_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ls_reset(self->fd, HOST_CPU, HOST_MEM));
}

FIXTURE_TEARDOWN(agent)
{
	unsigned int i;

	if (self->fd >= 0) {
		ls_cancel_all(self->fd);
		ls_set_limits(self->fd, LS_DEF_MAX_TASKS, LS_DEF_MAX_PER_USER,
			      LS_DEF_HEARTBEAT_MS);
	}
	for (i = 0; i < NR_AGENTS; i++)
		ls_agent_destroy(&self->a[i]);
	for (i = 0; i < 2; i++)
		ls_agent_proc_stop(&self->p[i]);
	if (self->fd >= 0)
		close(self->fd);
}

#define SNAPSHOT(ids, nr) \
	ASSERT_EQ(0, ls_snapshot_take(self->fd, &self->snap, ids, nr))

#define EXPECT_FAILS(err, call, what) do {				\
		char _why[160] = "";					\
		EXPECT_EQ(err, call) TH_LOG("%s", what);		\
		EXPECT_EQ(0, ls_snapshot_check(self->fd, &self->snap,	\
					       _why, sizeof(_why)))	\
			TH_LOG("%s: %s", what, _why);			\
	} while (0)

static int submit(int fd, __u64 cpu, __u64 mem, __u32 retries, __u64 *id)
{
	struct llmsched_task_submit t;
	int ret;

	ls_task_init(&t, LLMSCHED_PRIO_DEFAULT, cpu, mem, LS_SEC(1));
	t.retries = retries;
	ret = ls_submit(fd, &t);
	if (!ret)
		*id = t.task_id;
	return ret;
}

/* ------------------------------------------------------------ register */

TEST_F(agent, register_checks)
{
	struct ls_agent *a = &self->a[0], *s = &self->a[1];
	struct llmsched_agent_register r;
	struct llmsched_capacity c;
	int devnull, dir, closed;
	char path[128], buf[256];
	struct stat st;
	__u64 v;
	__u32 id;

#define REG(fd_, pid_, cg_, slots_, cpu_, mem_) \
	ls_agent_register(fd_, pid_, cg_, slots_, cpu_, mem_, 0, &id)

	ASSERT_EQ(0, ls_agent_spawn(a, 2, LS_CPUS(8), LS_GB(32), 0));
	ASSERT_EQ(0, ls_agent_spawn(s, 1, LS_CPUS(1), LS_GB(1), 0));
	ASSERT_EQ(0, ls_agent_unregister(s->fd));
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, devnull);
	dir = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, dir);
	closed = dup(devnull);
	ASSERT_LE(0, closed);
	close(closed);
	SNAPSHOT(NULL, 0);

	EXPECT_FAILS(-EBUSY, REG(a->fd, a->pid, a->cg.fd, 1, LS_CPUS(1),
				 LS_GB(1)), "file already an agent");
	EXPECT_FAILS(-EBUSY, REG(a->fd, a->pid, -1, 0, 0, 0),
		     "EBUSY checked first");
	EXPECT_FAILS(-EINVAL, REG(s->fd, s->pid, s->cg.fd, 0, LS_CPUS(1),
				  LS_GB(1)), "slots 0");
	EXPECT_FAILS(-EINVAL, REG(s->fd, s->pid, s->cg.fd, 65, LS_CPUS(1),
				  LS_GB(1)), "slots 65");
	EXPECT_FAILS(-EINVAL, REG(s->fd, s->pid, s->cg.fd, 1, 0, 0),
		     "capacity all zero");
	LS_INIT(r);
	r.pid = s->pid;
	r.cgroup_fd = s->cg.fd;
	r.slots = 1;
	r.capacity[LLMSCHED_RES_CPU] = LS_CPUS(1);
	r.capacity[LLMSCHED_RES_KNOWN] = 1;
	EXPECT_FAILS(-EINVAL, ls_ioctl(s->fd, LLMSCHED_IOC_AGENT_REGISTER, &r),
		     "unknown capacity kind");
	EXPECT_FAILS(-EBADF, REG(s->fd, s->pid, -1, 1, LS_CPUS(1), LS_GB(1)),
		     "cgroup_fd -1");
	EXPECT_FAILS(-EBADF, REG(s->fd, s->pid, closed, 1, LS_CPUS(1),
				 LS_GB(1)), "cgroup_fd closed");
	EXPECT_FAILS(-EBADF, REG(s->fd, s->pid, devnull, 1, LS_CPUS(1),
				 LS_GB(1)), "cgroup_fd /dev/null");
	EXPECT_FAILS(-EBADF, REG(s->fd, s->pid, dir, 1, LS_CPUS(1), LS_GB(1)),
		     "cgroup_fd not a cgroup folder");
	EXPECT_FAILS(-ESRCH, REG(s->fd, 0x3ffffff0, s->cg.fd, 1, LS_CPUS(1),
				 LS_GB(1)), "no such pid");
	EXPECT_FAILS(-ESRCH, REG(s->fd, -5, s->cg.fd, 1, LS_CPUS(1),
				 LS_GB(1)), "negative pid");
	EXPECT_FAILS(-EINVAL, REG(s->fd, getpid(), s->cg.fd, 1, LS_CPUS(1),
				  LS_GB(1)), "pid not in the cgroup");
	EXPECT_FAILS(-EINVAL, REG(s->fd, 0, s->cg.fd, 1, LS_CPUS(1),
				  LS_GB(1)), "caller not in the cgroup");
	EXPECT_FAILS(-EINVAL, REG(s->fd, a->pid, s->cg.fd, 1, LS_CPUS(1),
				  LS_GB(1)), "pid in another cgroup");
	/* 8 CPUs and 32 GB are left. */
	EXPECT_FAILS(-ENOSPC, REG(s->fd, s->pid, s->cg.fd, 1, LS_CPUS(9),
				  LS_GB(1)), "over-commit cpu");
	EXPECT_FAILS(-ENOSPC, REG(s->fd, s->pid, s->cg.fd, 1, LS_CPUS(1),
				  LS_GB(33)), "over-commit mem");
	/* One kind alone is a capacity. */
	ASSERT_EQ(0, ls_agent_register(s->fd, s->pid, s->cg.fd, 1,
				       LS_CPUS(1), 0, 0, &id));
	ASSERT_EQ(0, ls_agent_unregister(s->fd));

	/* Checking order: slots, capacity, cgroup, pid, membership, room. */
	EXPECT_FAILS(-EINVAL, REG(s->fd, 0x3ffffff0, -1, 0, LS_CPUS(1),
				  LS_GB(1)), "slots before cgroup_fd");
	EXPECT_FAILS(-EBADF, REG(s->fd, 0x3ffffff0, -1, 1, LS_CPUS(99),
				 LS_GB(1)), "cgroup_fd before pid");
	EXPECT_FAILS(-ESRCH, REG(s->fd, 0x3ffffff0, s->cg.fd, 1, LS_CPUS(99),
				 LS_GB(1)), "pid before room");
	EXPECT_FAILS(-EINVAL, REG(s->fd, getpid(), s->cg.fd, 1, LS_CPUS(99),
				  LS_GB(1)), "membership before room");

	/* Exactly what is left: the host is full. */
	ASSERT_EQ(0, REG(s->fd, s->pid, s->cg.fd, 64, LS_CPUS(8), LS_GB(32)));
	s->id = id;
	EXPECT_LT(a->id, s->id);
	ASSERT_EQ(0, ls_get_capacity(self->fd, &c));
	EXPECT_EQ(HOST_CPU, c.reserved[LLMSCHED_RES_CPU]);
	EXPECT_EQ(HOST_MEM, c.reserved[LLMSCHED_RES_MEM]);
	ASSERT_EQ(0, ls_sysfs_u64("reserved/cpu", &v));
	EXPECT_EQ(HOST_CPU, v);

	/* Its sysfs folder tells what it was registered with. */
	snprintf(path, sizeof(path), "agents/%u/pid", s->id);
	ASSERT_EQ(0, ls_sysfs_u64(path, &v));
	EXPECT_EQ((__u64)s->pid, v);
	snprintf(path, sizeof(path), "agents/%u/slots", s->id);
	ASSERT_EQ(0, ls_sysfs_u64(path, &v));
	EXPECT_EQ(64ULL, v);
	snprintf(path, sizeof(path), "agents/%u/capacity_cpu", s->id);
	ASSERT_EQ(0, ls_sysfs_u64(path, &v));
	EXPECT_EQ(LS_CPUS(8), v);
	snprintf(path, sizeof(path), LS_SYSFS "/agents/%u/cgroup", s->id);
	ASSERT_LT(0, read_text_file(path, buf, sizeof(buf)));
	EXPECT_NE(NULL, strstr(buf, strrchr(s->cg.path, '/')))
		TH_LOG("cgroup file says %s for %s", buf, s->cg.path);
	/* The cgroup id is the folder's inode number, as BPF sees it. */
	ASSERT_EQ(0, fstat(s->cg.fd, &st));
	snprintf(path, sizeof(path), "agents/%u/cgroup_id", s->id);
	ASSERT_EQ(0, ls_sysfs_u64(path, &v));
	EXPECT_EQ((__u64)st.st_ino, v);

	/* Unregistering gives the reservation back. */
	ASSERT_EQ(0, ls_agent_unregister(s->fd));
	ASSERT_EQ(0, ls_get_capacity(self->fd, &c));
	EXPECT_EQ(LS_CPUS(8), c.reserved[LLMSCHED_RES_CPU]);
	EXPECT_EQ(LS_GB(32), c.reserved[LLMSCHED_RES_MEM]);
	snprintf(path, sizeof(path), LS_SYSFS "/agents/%u", s->id);
	EXPECT_NE(0, access(path, F_OK));
	close(devnull);
	close(dir);
#undef REG
}

/* The process may register itself: pid 0 means the caller. */
static void report_and_wait(int fd, void *arg, int report)
{
	for (;;)
		pause();
}

TEST_F(agent, register_self_from_inside_the_cgroup)
{
	char path[64];
	__u64 v;

	ASSERT_EQ(0, ls_agent_proc_start(&self->p[0], 1, LS_CPUS(1), LS_GB(1),
					 report_and_wait, NULL));
	EXPECT_NE(0U, self->p[0].id);
	snprintf(path, sizeof(path), "agents/%u/pid", self->p[0].id);
	ASSERT_EQ(0, ls_sysfs_u64(path, &v));
	EXPECT_EQ((__u64)self->p[0].pid, v);
}

TEST_F(agent, agent_calls_on_a_plain_file_are_ebadfd)
{
	struct ls_agent *a = &self->a[0];

	ASSERT_EQ(0, ls_agent_spawn(a, 1, LS_CPUS(1), LS_GB(1), 0));
	SNAPSHOT(NULL, 0);
	EXPECT_FAILS(-EBADFD, ls_agent_fetch(self->fd, 0, NULL, NULL, 0),
		     "FETCH");
	EXPECT_FAILS(-EBADFD, ls_agent_start(self->fd, 1), "START");
	EXPECT_FAILS(-EBADFD, ls_agent_complete(self->fd, 1, 0, 0, 0, 0),
		     "COMPLETE");
	EXPECT_FAILS(-EBADFD, ls_agent_heartbeat(self->fd), "HEARTBEAT");
	EXPECT_FAILS(-EBADFD, ls_agent_unregister(self->fd), "UNREGISTER");
	/* The common checks still come first. */
	{
		struct llmsched_agent_heartbeat h = { .size = 4 };

		EXPECT_FAILS(-EINVAL, ls_ioctl(self->fd,
					       LLMSCHED_IOC_AGENT_HEARTBEAT,
					       &h), "short size");
	}
	/* After unregistering, the agent's own file is plain again. */
	ASSERT_EQ(0, ls_agent_unregister(a->fd));
	SNAPSHOT(NULL, 0);
	EXPECT_FAILS(-EBADFD, ls_agent_heartbeat(a->fd), "unregistered");
	EXPECT_FAILS(-EBADFD, ls_agent_unregister(a->fd), "twice");
}

/* --------------------------------------------------------------- fetch */

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	alarms++;
}

/* A signal that interrupts (no SA_RESTART) after @ms. */
static void arm_alarm(unsigned int ms)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { .it_value = { .tv_sec = ms / 1000,
					      .tv_usec = (ms % 1000) * 1000 } };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

TEST_F(agent, fetch_checks)
{
	struct ls_agent *a = &self->a[0];
	struct llmsched_agent_fetch f;
	struct llmsched_task_submit t;
	struct llmsched_task_info info;
	struct pollfd pfd;
	char payload[100], buf[200], *ro;
	__u64 t0, ids[1];
	unsigned int i;

	for (i = 0; i < sizeof(payload); i++)
		payload[i] = (char)(i * 7 + 1);
	ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_EQ(0, ls_agent_spawn(a, 1, LS_CPUS(4), LS_GB(8), 0));

	/* Nothing to fetch. */
	EXPECT_EQ(-EAGAIN, ls_agent_fetch(a->fd, 0, &f, buf, sizeof(buf)));
	t0 = ls_now_ns();
	EXPECT_EQ(-ETIMEDOUT, ls_agent_fetch(a->fd, LS_MSEC(50), &f, buf,
					     sizeof(buf)));
	EXPECT_LE(LS_MSEC(50), ls_now_ns() - t0);
	pfd.fd = a->fd;
	pfd.events = POLLIN;
	EXPECT_EQ(0, poll(&pfd, 1, 0));

	/* A signal interrupts the wait. */
	alarms = 0;
	arm_alarm(50);
	EXPECT_EQ(-EINTR, ls_agent_fetch(a->fd, LS_SEC(5), &f, buf,
					 sizeof(buf)));
	EXPECT_EQ(1, alarms);

	ls_task_init(&t, 7, LS_CPUS(2), LS_GB(3), LS_MSEC(1234));
	t.flags = LLMSCHED_SUBMIT_PREEMPTIBLE;
	t.payload_ptr = (uintptr_t)payload;
	t.payload_len = sizeof(payload);
	ASSERT_EQ(0, ls_submit(self->fd, &t));
	ids[0] = t.task_id;
	ASSERT_EQ(0, ls_wait_state(self->fd, t.task_id,
				   LLMSCHED_TASK_ASSIGNED, 2000, &info));
	EXPECT_EQ(a->id, info.agent_id);
	EXPECT_EQ(1, poll(&pfd, 1, 1000));
	EXPECT_EQ(POLLIN, pfd.revents & POLLIN);
	SNAPSHOT(ids, 1);

	/* Too small a buffer: ENOSPC, the size needed, nothing fetched. */
	EXPECT_FAILS(-ENOSPC, ls_agent_fetch(a->fd, 0, &f, buf, 10),
		     "buffer too small");
	EXPECT_EQ(sizeof(payload), f.payload_len);
	EXPECT_FAILS(-ENOSPC, ls_agent_fetch(a->fd, 0, &f, NULL, 0),
		     "no buffer");
	EXPECT_EQ(sizeof(payload), f.payload_len);
	EXPECT_FAILS(-EFAULT, ls_agent_fetch(a->fd, 0, &f, ro, 4096),
		     "read-only buffer");
	EXPECT_FAILS(-EFAULT, ls_agent_fetch(a->fd, 0, &f, NULL, 4096),
		     "NULL buffer with a length");
	/* Still there: START before FETCH is ENOENT. */
	EXPECT_FAILS(-ENOENT, ls_agent_start(a->fd, t.task_id),
		     "start before fetch");
	EXPECT_FAILS(-ENOENT, ls_agent_complete(a->fd, t.task_id, 0, 0, 0, 0),
		     "complete before fetch");

	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(0, ls_agent_fetch(a->fd, 0, &f, buf, sizeof(buf)));
	EXPECT_EQ(t.task_id, f.task_id);
	EXPECT_EQ(sizeof(payload), f.payload_len);
	EXPECT_EQ(0, memcmp(buf, payload, sizeof(payload)));
	EXPECT_EQ(LS_MSEC(1234), f.est_runtime_ns);
	EXPECT_EQ(LS_CPUS(2), f.demand[LLMSCHED_RES_CPU]);
	EXPECT_EQ(LS_GB(3), f.demand[LLMSCHED_RES_MEM]);
	EXPECT_EQ(0ULL, f.demand[LLMSCHED_RES_GPU]);
	EXPECT_EQ(0U, f.owner_uid);
	EXPECT_EQ(LLMSCHED_SUBMIT_PREEMPTIBLE, f.submit_flags);
	/* Fetched once: nothing more, and poll says so. */
	EXPECT_EQ(-EAGAIN, ls_agent_fetch(a->fd, 0, &f, buf, sizeof(buf)));
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	munmap(ro, 4096);
}

/* A fetch that waits is woken by the task's arrival. */
TEST_F(agent, fetch_waits_for_a_task)
{
	struct ls_agent *a = &self->a[0];
	struct llmsched_agent_fetch f;
	int pfd[2], status;
	__u64 id = 0, t0, waited;
	pid_t pid;

	ASSERT_EQ(0, ls_agent_spawn(a, 1, LS_CPUS(4), LS_GB(8), 0));
	ASSERT_EQ(0, pipe2(pfd, O_CLOEXEC));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(pfd[0]);
		usleep(300000);
		if (ls_submit_simple(self->fd, 1, LS_CPUS(1), LS_GB(1),
				     LS_SEC(1), &id))
			_exit(1);
		_exit(write(pfd[1], &id, sizeof(id)) == sizeof(id) ? 0 : 2);
	}
	close(pfd[1]);
	t0 = ls_now_ns();
	ASSERT_EQ(0, ls_agent_fetch(a->fd, LS_SEC(10), &f, NULL, 0));
	waited = ls_now_ns() - t0;
	/* It slept until the task came, and no longer. */
	EXPECT_LE(LS_MSEC(250), waited);
	EXPECT_GT(LS_SEC(9), waited);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ((ssize_t)sizeof(id), read(pfd[0], &id, sizeof(id)));
	close(pfd[0]);
	EXPECT_EQ(id, f.task_id);
}

TEST_F(agent, start_and_complete_checks)
{
	struct ls_agent *a = &self->a[0], *b = &self->a[1];
	struct llmsched_task_info info;
	__u64 ids[3];

	ASSERT_EQ(0, ls_agent_spawn(a, 2, LS_CPUS(4), LS_GB(8), 0));
	ASSERT_EQ(0, submit(self->fd, LS_CPUS(1), LS_GB(1), 0, &ids[0]));
	ASSERT_EQ(0, submit(self->fd, LS_CPUS(1), LS_GB(1), 0, &ids[1]));
	ASSERT_EQ(0, ls_agent_fetch(a->fd, LS_SEC(1), NULL, NULL, 0));
	ASSERT_EQ(0, ls_agent_fetch(a->fd, LS_SEC(1), NULL, NULL, 0));
	/* b registers after: nothing is handed to it. */
	ASSERT_EQ(0, ls_agent_spawn(b, 1, LS_CPUS(4), LS_GB(8), 0));
	SNAPSHOT(ids, 2);

	EXPECT_FAILS(-ENOENT, ls_agent_start(a->fd, NO_SUCH_TASK), "unknown");
	EXPECT_FAILS(-ENOENT, ls_agent_start(b->fd, ids[0]),
		     "another agent's task");
	EXPECT_FAILS(-ENOENT, ls_agent_complete(b->fd, ids[0], 0, 0, 0, 0),
		     "complete another agent's task");
	EXPECT_FAILS(-EINVAL, ls_agent_complete(a->fd, ids[0], 0,
						LLMSCHED_REASON_AGENT_LOST, 1,
						0), "reason AGENT_LOST");
	EXPECT_FAILS(-EINVAL, ls_agent_complete(a->fd, ids[0], 0,
						LLMSCHED_REASON_DEP_FAILED, 1,
						0), "reason DEP_FAILED");
	EXPECT_FAILS(-EINVAL, ls_agent_complete(a->fd, ids[0], 0,
						LLMSCHED_REASON_CANCELLED, 1,
						0), "reason CANCELLED");
	EXPECT_FAILS(-EINVAL, ls_agent_complete(a->fd, ids[0], 0, 9, 1, 0),
		     "reason 9");
	EXPECT_FAILS(-EINVAL, ls_agent_complete(a->fd, ids[0], 0, ~0U, 1, 0),
		     "reason ~0");
	EXPECT_FAILS(-EINVAL, ls_agent_complete(a->fd, ids[0], 0,
						LLMSCHED_REASON_NONE, 3, 0),
		     "success with a non-zero status");
	EXPECT_FAILS(-EINVAL, ls_agent_complete(a->fd, ids[0], 1U << 1, 0, 0,
						0), "unknown flag");
	EXPECT_FAILS(-EINVAL, ls_agent_complete(a->fd, NO_SUCH_TASK, 0, 12, 0,
						0), "reason before task");

	ASSERT_EQ(0, ls_agent_start(a->fd, ids[0]));
	ASSERT_EQ(0, ls_query(self->fd, ids[0], &info));
	EXPECT_EQ(LLMSCHED_TASK_RUNNING, info.state);
	EXPECT_NE(0ULL, info.start_ns);
	SNAPSHOT(ids, 2);
	EXPECT_FAILS(-EALREADY, ls_agent_start(a->fd, ids[0]),
		     "started twice");

	/*
	 * Cancelled under the agent's feet: both are stopping, and hold
	 * their slots until the agent says nothing of them runs.
	 */
	ASSERT_EQ(0, ls_cancel(self->fd, ids[0]));
	ASSERT_EQ(0, ls_cancel(self->fd, ids[1]));
	ASSERT_EQ(0, ls_query(self->fd, ids[1], &info));
	EXPECT_EQ(LLMSCHED_TASK_STOPPING, info.state);
	SNAPSHOT(ids, 2);
	EXPECT_FAILS(-ECANCELED, ls_agent_start(a->fd, ids[1]),
		     "start a stopping task");
	/* A report of its end confirms the stop, and says so. */
	EXPECT_EQ(-ECANCELED, ls_agent_complete(a->fd, ids[0], 0, 0, 0, 1000));
	ASSERT_EQ(0, ls_query(self->fd, ids[0], &info));
	EXPECT_EQ(LLMSCHED_TASK_CANCELLED, info.state);
	EXPECT_EQ(LLMSCHED_REASON_CANCELLED, info.reason);
	/* The other one's kill, through the control channel. */
	{
		struct llmsched_agent_control c;

		ASSERT_EQ(0, ls_agent_control(a->fd, 0, &c));
		EXPECT_EQ((__u32)LLMSCHED_CONTROL_KILL, c.kind);
		EXPECT_EQ(ids[1], c.task_id);
		EXPECT_EQ(-EAGAIN, ls_agent_control(a->fd, 0, &c))
			TH_LOG("the ended task's record went with it");
		ASSERT_EQ(0, ls_agent_confirm(a->fd, ids[1],
					      LLMSCHED_CONTROL_KILL));
	}
	EXPECT_EQ(LLMSCHED_TASK_CANCELLED, (ls_query(self->fd, ids[1], &info),
					    info.state));

	/* Complete without start is allowed; then the task is no longer
	 * the agent's.
	 */
	ASSERT_EQ(0, submit(self->fd, LS_CPUS(1), LS_GB(1), 0, &ids[2]));
	ASSERT_EQ(0, ls_agent_fetch(a->fd, LS_SEC(1), NULL, NULL, 0));
	ASSERT_EQ(0, ls_agent_complete(a->fd, ids[2], 0,
				       LLMSCHED_REASON_LAUNCH, 127, 0));
	ASSERT_EQ(0, ls_query(self->fd, ids[2], &info));
	EXPECT_EQ(LLMSCHED_TASK_FAILED, info.state);
	EXPECT_EQ(LLMSCHED_REASON_LAUNCH, info.reason);
	EXPECT_EQ(127, info.exit_status);
	EXPECT_EQ(0ULL, info.start_ns);
	EXPECT_NE(0ULL, info.end_ns);
	/* Reported twice (a retry after a lost answer, say): EALREADY. */
	EXPECT_EQ(-EALREADY, ls_agent_complete(a->fd, ids[2], 0, 0, 0, 0));
	EXPECT_EQ(-EALREADY, ls_agent_start(a->fd, ids[2]));
}

/* ---------------------------------------------------------- unregister */

TEST_F(agent, unregister_rules)
{
	struct ls_agent *a = &self->a[0];
	struct llmsched_task_info info;
	struct llmsched_capacity c;
	struct ls_stats s0, s1;
	__u64 ids[3], id;
	__u32 old;

	ASSERT_EQ(0, ls_agent_spawn(a, 3, LS_CPUS(4), LS_GB(8), 0));
	old = a->id;
	ASSERT_EQ(0, submit(self->fd, LS_CPUS(1), LS_GB(1), 2, &ids[0]));
	ASSERT_EQ(0, submit(self->fd, LS_CPUS(1), LS_GB(1), 2, &ids[1]));
	ASSERT_EQ(0, ls_agent_fetch(a->fd, LS_SEC(1), NULL, NULL, 0));
	ASSERT_EQ(0, submit(self->fd, LS_CPUS(1), LS_GB(1), 2, &ids[2]));
	/* ids[0] fetched, ids[1] and ids[2] assigned, not fetched. */
	SNAPSHOT(ids, 3);
	EXPECT_FAILS(-EBUSY, ls_agent_unregister(a->fd),
		     "fetched task not ended");
	ASSERT_EQ(0, ls_agent_complete(a->fd, ids[0], 0, 0, 0, 1));
	ASSERT_EQ(0, ls_stats_read(&s0));
	ASSERT_EQ(0, ls_agent_unregister(a->fd));
	ASSERT_EQ(0, ls_stats_read(&s1));
	/* Assigned tasks are back in the queue, no retry used. */
	ASSERT_EQ(0, ls_query(self->fd, ids[1], &info));
	EXPECT_EQ(LLMSCHED_TASK_RUNNABLE, info.state);
	EXPECT_EQ(2U, info.retries_left);
	ASSERT_EQ(0, ls_query(self->fd, ids[2], &info));
	EXPECT_EQ(LLMSCHED_TASK_RUNNABLE, info.state);
	EXPECT_EQ(s0.failed, s1.failed);
	ASSERT_EQ(0, ls_get_capacity(self->fd, &c));
	EXPECT_EQ(0ULL, c.reserved[LLMSCHED_RES_CPU]);
	EXPECT_EQ(-EBADFD, ls_agent_fetch(a->fd, 0, NULL, NULL, 0));

	/* The file may register again: a new agent, the tasks go to it. */
	ASSERT_EQ(0, ls_agent_register(a->fd, a->pid, a->cg.fd, 3, LS_CPUS(4),
				       LS_GB(8), 0, &a->id));
	EXPECT_NE(old, a->id);
	ASSERT_EQ(0, ls_agent_run_one(a->fd, LS_SEC(1), &id));
	ASSERT_EQ(0, ls_agent_run_one(a->fd, LS_SEC(1), &id));
	ASSERT_EQ(0, ls_wait(self->fd, ids[1], 0, NULL));
	ASSERT_EQ(0, ls_wait(self->fd, ids[2], 0, NULL));
}

/* --------------------------------------------------------- load report */

static int load_report(int fd, struct llmsched_load_entry *e, __u32 count,
		       __u32 entry_size)
{
	struct llmsched_load_report r;

	LS_INIT(r);
	r.count = count;
	r.entry_size = entry_size;
	r.entries_ptr = (uintptr_t)e;
	return ls_ioctl(fd, LLMSCHED_IOC_LOAD_REPORT, &r);
}

TEST_F(agent, load_report_checks)
{
	struct ls_agent *a = &self->a[0], *b = &self->a[1];
	struct llmsched_load_entry e[4097];
	struct {
		struct llmsched_load_entry e;
		__u64 tail;
	} wide[33];
	char path[64];
	__u64 v;
	unsigned int i;

	ASSERT_EQ(0, ls_agent_spawn(a, 1, LS_CPUS(4), LS_GB(8), 0));
	ASSERT_EQ(0, ls_agent_spawn(b, 1, LS_CPUS(4), LS_GB(8), 0));
	memset(e, 0, sizeof(e));
	e[0].agent_id = a->id;
	e[0].load = 100;
	e[1].agent_id = b->id;
	e[1].load = 200;
	ASSERT_EQ(0, load_report(self->fd, e, 2, sizeof(e[0])));
	snprintf(path, sizeof(path), "agents/%u/load", a->id);
	ASSERT_EQ(0, ls_sysfs_u64(path, &v));
	EXPECT_EQ(100ULL, v);
	SNAPSHOT(NULL, 0);

	EXPECT_FAILS(-EINVAL, load_report(self->fd, e, 0, sizeof(e[0])),
		     "count 0");
	EXPECT_FAILS(-EINVAL, load_report(self->fd, e, 4097, sizeof(e[0])),
		     "count 4097");
	EXPECT_FAILS(-EINVAL, load_report(self->fd, e, 2, 4), "entry_size 4");
	/* Read as newer 16-byte entries, the first one's tail is not zero. */
	EXPECT_FAILS(-E2BIG, load_report(self->fd, e, 2, 16),
		     "entry_size 16, a tail set");
	EXPECT_FAILS(-EINVAL, load_report(self->fd, e, 2, 8192),
		     "entry_size above a page");
	EXPECT_FAILS(-EFAULT, load_report(self->fd, NULL, 2, sizeof(e[0])),
		     "entries NULL");
	/* One load above the cap: the whole call fails, nothing applied. */
	e[0].load = 5000;
	e[1].load = 65536;
	EXPECT_FAILS(-EINVAL, load_report(self->fd, e, 2, sizeof(e[0])),
		     "load 65536");
	e[1].load = ~0U;
	EXPECT_FAILS(-EINVAL, load_report(self->fd, e, 2, sizeof(e[0])),
		     "load ~0");
	ASSERT_EQ(0, ls_sysfs_u64(path, &v));
	EXPECT_EQ(100ULL, v);

	/* Unknown ids are skipped; the cap itself is accepted. */
	e[0].load = 65535;
	e[1].agent_id = 0x7ffffff0;
	e[1].load = 1;
	ASSERT_EQ(0, load_report(self->fd, e, 2, sizeof(e[0])));
	ASSERT_EQ(0, ls_sysfs_u64(path, &v));
	EXPECT_EQ(65535ULL, v);
	/*
	 * Either side of the 32 entries a call takes on the stack, in this
	 * version's size and in a newer one's with a zero tail: the last
	 * entry of an agent is the one it keeps.
	 */
	for (i = 0; i < 33; i++) {
		e[i].agent_id = a->id;
		e[i].load = 400 + i;
		wide[i].e = e[i];
		wide[i].tail = 0;
	}
	for (i = 32; i <= 33; i++) {
		ASSERT_EQ(0, load_report(self->fd, e, i, sizeof(e[0])));
		ASSERT_EQ(0, ls_sysfs_u64(path, &v));
		EXPECT_EQ(400ULL + i - 1, v);
		ASSERT_EQ(0, load_report(self->fd, &wide[0].e, i,
					 sizeof(wide[0])));
		ASSERT_EQ(0, ls_sysfs_u64(path, &v));
		EXPECT_EQ(400ULL + i - 1, v);
	}
	/* Past the stack too: a bad pointer, a tail set in the last entry. */
	EXPECT_FAILS(-EFAULT, load_report(self->fd, NULL, 33, sizeof(e[0])),
		     "33 entries at NULL");
	wide[32].tail = 1;
	EXPECT_FAILS(-E2BIG, load_report(self->fd, &wide[0].e, 33,
					 sizeof(wide[0])),
		     "33 entries of 16 bytes, the last one's tail set");
	ASSERT_EQ(0, ls_sysfs_u64(path, &v));
	EXPECT_EQ(432ULL, v);
	/* The largest report. */
	for (i = 0; i < 4096; i++) {
		e[i].agent_id = i & 1 ? a->id : 0x7ffffff0 - i;
		e[i].load = 300;
	}
	ASSERT_EQ(0, load_report(self->fd, e, 4096, sizeof(e[0])));
	ASSERT_EQ(0, ls_sysfs_u64(path, &v));
	EXPECT_EQ(300ULL, v);
}

/* A report of @count entries of this version, made every @interval_ns. */
static int load_report_every(int fd, struct llmsched_load_entry *e,
			     __u32 count, __u64 interval_ns)
{
	struct llmsched_load_report r;

	LS_INIT(r);
	r.count = count;
	r.entry_size = sizeof(*e);
	r.entries_ptr = (uintptr_t)e;
	r.interval_ns = interval_ns;
	return ls_ioctl(fd, LLMSCHED_IOC_LOAD_REPORT, &r);
}

/* @a's load in sysfs after a scheduler pass (a report of no agent). */
static __u64 load_after_pass(struct __test_metadata *_metadata, int fd,
			     __u32 id)
{
	struct llmsched_load_entry none = { .agent_id = 0x7ffffff0 };
	char path[64];
	__u64 v = ~0ULL;

	EXPECT_EQ(0, load_report_every(fd, &none, 1, 0));
	snprintf(path, sizeof(path), "agents/%u/load", id);
	EXPECT_EQ(0, ls_sysfs_u64(path, &v));
	return v;
}

/*
 * The report's interval decides when a load goes stale (4 of them): at
 * 1 s a load of 700 is still 700 after 150 ms, at 10 ms it has decayed
 * (15 intervals, 11 halvings: 0).  An interval out of 1 ms .. 10 s fails
 * the call before anything is applied, the interval included; 0 and a
 * first-version structure keep the interval in force.
 */
/* /sys/kernel/llmsched/load_interval_ns; 0 when it cannot be read. */
static __u64 interval_in_force(struct __test_metadata *_metadata)
{
	__u64 v = 0;

	EXPECT_EQ(0, ls_sysfs_u64("load_interval_ns", &v));
	return v;
}

TEST_F(agent, load_report_interval_decides_when_a_load_is_stale)
{
	struct ls_agent *a = &self->a[0];
	struct llmsched_load_entry e = { 0 };
	struct llmsched_load_report r;
	const __u64 ms = 1000000;
	const __u64 bad[] = {
		LLMSCHED_LOAD_INTERVAL_MIN_NS - 1,
		LLMSCHED_LOAD_INTERVAL_MAX_NS + 1,
		1, ~0ULL,
	};
	unsigned int i;

	ASSERT_EQ(0, ls_agent_spawn(a, 1, LS_CPUS(4), LS_GB(8), 0));
	e.agent_id = a->id;
	e.load = 700;
	SNAPSHOT(NULL, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_FAILS(-EINVAL, load_report_every(self->fd, &e, 1, bad[i]),
			     "interval out of range");
		EXPECT_EQ(0ULL, load_after_pass(_metadata, self->fd, a->id))
			TH_LOG("interval %llu: a load was applied",
			       (unsigned long long)bad[i]);
	}
	/* The range's ends are taken. */
	ASSERT_EQ(0, load_report_every(self->fd, &e, 1,
				       LLMSCHED_LOAD_INTERVAL_MAX_NS));
	ASSERT_EQ(0, load_report_every(self->fd, &e, 1,
				       LLMSCHED_LOAD_INTERVAL_MIN_NS));

	/* Every 1 s: fresh after 150 ms. */
	ASSERT_EQ(0, load_report_every(self->fd, &e, 1, 1000 * ms));
	EXPECT_EQ(1000 * ms, interval_in_force(_metadata));
	EXPECT_EQ(700ULL, load_after_pass(_metadata, self->fd, a->id));
	usleep(150000);
	EXPECT_EQ(700ULL, load_after_pass(_metadata, self->fd, a->id));
	/* Interval 0 keeps it. */
	ASSERT_EQ(0, load_report_every(self->fd, &e, 1, 0));
	EXPECT_EQ(1000 * ms, interval_in_force(_metadata));
	usleep(150000);
	EXPECT_EQ(700ULL, load_after_pass(_metadata, self->fd, a->id));

	/* Every 10 ms: decayed after 150 ms. */
	ASSERT_EQ(0, load_report_every(self->fd, &e, 1, 10 * ms));
	EXPECT_EQ(10 * ms, interval_in_force(_metadata));
	usleep(150000);
	EXPECT_GT(100ULL, load_after_pass(_metadata, self->fd, a->id));

	/*
	 * A bad interval is not applied either: the next report, of the
	 * first version (which keeps the interval), is stale as at 10 ms.
	 */
	EXPECT_FAILS(-EINVAL, load_report_every(self->fd, &e, 1,
						20000 * ms),
		     "interval 20 s");
	EXPECT_EQ(10 * ms, interval_in_force(_metadata));
	LS_INIT(r);
	r.size = LLMSCHED_LOAD_REPORT_SIZE_VER0;
	r.count = 1;
	r.entry_size = sizeof(e);
	r.entries_ptr = (uintptr_t)&e;
	ASSERT_EQ(0, ls_ioctl(self->fd, LLMSCHED_IOC_LOAD_REPORT, &r));
	EXPECT_EQ(700ULL, load_after_pass(_metadata, self->fd, a->id));
	usleep(150000);
	EXPECT_GT(100ULL, load_after_pass(_metadata, self->fd, a->id));
}

/*
 * The balancer on measured loads: agent a holds four queued tasks (assigned,
 * never fetched: 500 m each, 125 per-mille of its 4 CPUs) when agent b
 * registers; the probe then says a is at 400 and b at 100: a's queued tasks,
 * which used none of it, add their 500 on top (900).  Each move takes
 * a task's share off a's estimate and puts it on b's (900/100 -> 775/225
 * -> 650/350 -> 525/475); a fourth would raise the imbalance.  The moves
 * happen inside the report's call, so the counts do not depend on timing.
 */
TEST_F(agent, load_report_moves_queued_tasks_to_the_idle_agent)
{
	struct ls_agent *a = &self->a[0], *b = &self->a[1];
	struct llmsched_load_entry e[2];
	struct llmsched_agent_fetch f;
	struct llmsched_task_info info;
	__u64 ids[4], m0, m1, i0, i1;
	unsigned int i, on_b = 0;

	ASSERT_EQ(0, ls_agent_spawn(a, 8, LS_CPUS(4), LS_GB(8), 0));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, submit(self->fd, 500, LS_GB(1), 0,
				    &ids[i]));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, ls_query(self->fd, ids[i], &info));
		ASSERT_EQ(LLMSCHED_TASK_ASSIGNED, info.state);
		ASSERT_EQ(a->id, info.agent_id);
	}
	ASSERT_EQ(0, ls_agent_spawn(b, 8, LS_CPUS(4), LS_GB(8), 0));
	ASSERT_EQ(0, ls_sysfs_u64("stats/migrated", &m0));
	ASSERT_EQ(0, ls_sysfs_u64("imbalance", &i0));
	/* Held shares only: a at 500, b at 0. */
	EXPECT_EQ(500ULL, i0);

	memset(e, 0, sizeof(e));
	e[0].agent_id = a->id;
	e[0].load = 400;
	e[1].agent_id = b->id;
	e[1].load = 100;
	ASSERT_EQ(0, load_report(self->fd, e, 2, sizeof(e[0])));
	ASSERT_EQ(0, ls_sysfs_u64("stats/migrated", &m1));
	ASSERT_EQ(0, ls_sysfs_u64("imbalance", &i1));
	EXPECT_EQ(3ULL, m1 - m0);
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, ls_query(self->fd, ids[i], &info));
		EXPECT_EQ(LLMSCHED_TASK_ASSIGNED, info.state);
		on_b += info.agent_id == b->id;
	}
	EXPECT_EQ(3U, on_b);
	/*
	 * 50 right after the report (525/475); a later dispatch may have let
	 * the reports decay already (a slow machine), toward 125/375: 250.
	 * Either way below the 800 the reports alone would have made.
	 */
	EXPECT_LT(i1, i0);
	EXPECT_LE(i1, 250ULL);
	TH_LOG("imbalance %llu before the report, %llu after; %llu migrated",
	       (unsigned long long)i0, (unsigned long long)i1,
	       (unsigned long long)(m1 - m0));
	/* The moved tasks really are b's: b fetches one of them. */
	ASSERT_EQ(0, ls_agent_fetch(b->fd, 0, &f, NULL, 0));
	ASSERT_EQ(0, ls_query(self->fd, f.task_id, &info));
	EXPECT_EQ(b->id, info.agent_id);
}

/* --------------------------------------------------- reference example */

/*
 * The design's worked example: capacity 6 CPUs / 12 GB; agent 1 (4 CPUs,
 * 8 GB) and agent 2 (2 CPUs, 4 GB), one slot each; tasks (priority, CPUs,
 * GB, estimate) T1 (3, 2, 4, 10 s), T2 (2, 1, 2, 5 s), T3 (1, 3, 3, 15 s)
 * in one batch.  T1 goes to agent 1 (least loaded, then lowest id), T2 to
 * agent 2, and T3, which only agent 1 can hold, waits for T1 to end.
 */
TEST_F(agent, reference_example_dispatch_order)
{
	struct ls_agent *a1 = &self->a[0], *a2 = &self->a[1];
	struct llmsched_task_submit t[3];
	struct llmsched_agent_fetch f;
	struct llmsched_task_info info;
	__u32 idx;

	ASSERT_EQ(0, ls_set_capacity(self->fd, LS_CPUS(6), LS_GB(12)));
	ASSERT_EQ(0, ls_agent_spawn(a1, 1, LS_CPUS(4), LS_GB(8), 0));
	ASSERT_EQ(0, ls_agent_spawn(a2, 1, LS_CPUS(2), LS_GB(4), 0));
	ASSERT_LT(a1->id, a2->id);
	ls_task_init(&t[0], 3, LS_CPUS(2), LS_GB(4), LS_SEC(10));
	ls_task_init(&t[1], 2, LS_CPUS(1), LS_GB(2), LS_SEC(5));
	ls_task_init(&t[2], 1, LS_CPUS(3), LS_GB(3), LS_SEC(15));
	ASSERT_EQ(0, ls_submit_batch(self->fd, t, 3, &idx));

	ASSERT_EQ(0, ls_agent_fetch(a1->fd, LS_SEC(2), &f, NULL, 0));
	EXPECT_EQ(t[0].task_id, f.task_id);
	ASSERT_EQ(0, ls_agent_fetch(a2->fd, LS_SEC(2), &f, NULL, 0));
	EXPECT_EQ(t[1].task_id, f.task_id);
	ASSERT_EQ(0, ls_agent_start(a1->fd, t[0].task_id));
	ASSERT_EQ(0, ls_agent_start(a2->fd, t[1].task_id));
	EXPECT_EQ(-EAGAIN, ls_agent_fetch(a1->fd, 0, &f, NULL, 0));
	EXPECT_EQ(-EAGAIN, ls_agent_fetch(a2->fd, 0, &f, NULL, 0));
	ASSERT_EQ(0, ls_query(self->fd, t[2].task_id, &info));
	EXPECT_EQ(LLMSCHED_TASK_RUNNABLE, info.state);

	/* T2 ends first: agent 2 is free but cannot hold T3. */
	ASSERT_EQ(0, ls_agent_complete(a2->fd, t[1].task_id, 0, 0, 0,
				       LS_SEC(5)));
	EXPECT_EQ(-EAGAIN, ls_agent_fetch(a2->fd, 0, &f, NULL, 0));
	ASSERT_EQ(0, ls_query(self->fd, t[2].task_id, &info));
	EXPECT_EQ(LLMSCHED_TASK_RUNNABLE, info.state);

	/* T1 ends: T3 goes to agent 1. */
	ASSERT_EQ(0, ls_agent_complete(a1->fd, t[0].task_id, 0, 0, 0,
				       LS_SEC(10)));
	ASSERT_EQ(0, ls_agent_fetch(a1->fd, LS_SEC(2), &f, NULL, 0));
	EXPECT_EQ(t[2].task_id, f.task_id);
	ASSERT_EQ(0, ls_query(self->fd, t[2].task_id, &info));
	EXPECT_EQ(a1->id, info.agent_id);
	EXPECT_EQ(-EAGAIN, ls_agent_fetch(a2->fd, 0, &f, NULL, 0));
	ASSERT_EQ(0, ls_agent_start(a1->fd, t[2].task_id));
	ASSERT_EQ(0, ls_agent_complete(a1->fd, t[2].task_id, 0, 0, 0,
				       LS_SEC(15)));
	ASSERT_EQ(0, ls_query(self->fd, t[2].task_id, &info));
	EXPECT_EQ(LLMSCHED_TASK_SUCCEEDED, info.state);
}

/* --------------------------------------------------------- agent death */

/* The agent process: fetch one task, start it, report it, hang. */
static void hold_one(int fd, void *arg, int report)
{
	struct llmsched_agent_fetch f;
	__u64 id = 0;

	if (!ls_agent_fetch(fd, LS_SEC(10), &f, NULL, 0) &&
	    !ls_agent_start(fd, f.task_id))
		id = f.task_id;
	if (write(report, &id, sizeof(id)) != sizeof(id))
		_exit(3);
	for (;;)
		pause();
}

TEST_F(agent, killed_agent_task_is_requeued_and_runs_elsewhere)
{
	struct ls_agent_proc *p = &self->p[0];
	struct ls_agent *b = &self->a[0];
	struct llmsched_task_info info;
	struct llmsched_agent_fetch f;
	struct llmsched_capacity c;
	struct ls_stats s0, s1;
	__u64 id, got;

	ASSERT_EQ(0, ls_agent_proc_start(p, 1, LS_CPUS(4), LS_GB(8), hold_one,
					 NULL));
	ASSERT_EQ(0, submit(self->fd, LS_CPUS(1), LS_GB(1), 2, &id));
	ASSERT_EQ(0, ls_agent_proc_read(p, &got, 10000));
	ASSERT_EQ(id, got);
	ASSERT_EQ(0, ls_query(self->fd, id, &info));
	EXPECT_EQ(LLMSCHED_TASK_RUNNING, info.state);
	EXPECT_EQ(p->id, info.agent_id);
	EXPECT_EQ(2U, info.retries_left);
	ASSERT_EQ(0, ls_agent_spawn(b, 1, LS_CPUS(4), LS_GB(8), 0));
	/* Pinned: the running task stays with the first agent. */
	EXPECT_EQ(-EAGAIN, ls_agent_fetch(b->fd, 0, &f, NULL, 0));

	ASSERT_EQ(0, ls_stats_read(&s0));
	ls_kill_reap(p->pid);
	p->pid = 0;
	ASSERT_EQ(0, ls_agent_fetch(b->fd, LS_SEC(5), &f, NULL, 0));
	EXPECT_EQ(id, f.task_id);
	ASSERT_EQ(0, ls_stats_read(&s1));
	EXPECT_EQ(s0.requeued + 1, s1.requeued);
	ASSERT_EQ(0, ls_query(self->fd, id, &info));
	EXPECT_EQ(1U, info.retries_left);
	EXPECT_EQ(b->id, info.agent_id);
	/* The dead agent's reservation went back. */
	ASSERT_EQ(0, ls_get_capacity(self->fd, &c));
	EXPECT_EQ(LS_CPUS(4), c.reserved[LLMSCHED_RES_CPU]);
	ASSERT_EQ(0, ls_agent_start(b->fd, id));
	ASSERT_EQ(0, ls_agent_complete(b->fd, id, 0, 0, 0, 1));
	ASSERT_EQ(0, ls_query(self->fd, id, &info));
	EXPECT_EQ(LLMSCHED_TASK_SUCCEEDED, info.state);
}

/* The agent's process dies while its file stays open: lost all the same. */
TEST_F(agent, agent_process_exit_with_no_retries_fails_agent_lost)
{
	struct ls_agent *a = &self->a[0];
	struct llmsched_task_wait w;
	struct ls_stats s0, s1;
	__u64 id;

	ASSERT_EQ(0, ls_agent_spawn(a, 1, LS_CPUS(4), LS_GB(8), 0));
	ASSERT_EQ(0, submit(self->fd, LS_CPUS(1), LS_GB(1), 0, &id));
	ASSERT_EQ(0, ls_agent_fetch(a->fd, LS_SEC(1), NULL, NULL, 0));
	ASSERT_EQ(0, ls_agent_start(a->fd, id));
	ASSERT_EQ(0, ls_stats_read(&s0));
	ls_kill_reap(a->pid);
	a->pid = 0;
	ASSERT_EQ(0, ls_wait(self->fd, id, LS_SEC(5), &w));
	EXPECT_EQ(LLMSCHED_TASK_FAILED, w.state);
	EXPECT_EQ(LLMSCHED_REASON_AGENT_LOST, w.reason);
	ASSERT_EQ(0, ls_stats_read(&s1));
	EXPECT_EQ(s0.failed + 1, s1.failed);
	EXPECT_EQ(s0.requeued, s1.requeued);
	/* The file of a lost agent answers EBADFD. */
	EXPECT_EQ(-EBADFD, ls_agent_heartbeat(a->fd));
	EXPECT_EQ(-EBADFD, ls_agent_complete(a->fd, id, 0, 0, 0, 0));
}

/* Closing the agent's file loses the agent at once. */
TEST_F(agent, closed_agent_file_requeues_its_tasks)
{
	struct ls_agent *a = &self->a[0];
	struct llmsched_task_info info;
	__u64 ids[2];

	ASSERT_EQ(0, ls_agent_spawn(a, 2, LS_CPUS(4), LS_GB(8), 0));
	ASSERT_EQ(0, submit(self->fd, LS_CPUS(1), LS_GB(1), 1, &ids[0]));
	ASSERT_EQ(0, submit(self->fd, LS_CPUS(1), LS_GB(1), 1, &ids[1]));
	ASSERT_EQ(0, ls_agent_fetch(a->fd, LS_SEC(1), NULL, NULL, 0));
	ASSERT_EQ(0, ls_agent_start(a->fd, ids[0]));
	close(a->fd);
	a->fd = -1;
	/*
	 * Both back in the queue: the one never fetched (it never ran) at
	 * once and at no cost; the one that ran once nothing of the agent
	 * runs any more (the module killed its process), with a retry used.
	 */
	ASSERT_EQ(0, ls_wait_state(self->fd, ids[0], LLMSCHED_TASK_RUNNABLE,
				   5000, &info));
	EXPECT_EQ(0U, info.retries_left);
	ASSERT_EQ(0, ls_query(self->fd, ids[1], &info));
	EXPECT_EQ(LLMSCHED_TASK_RUNNABLE, info.state);
	EXPECT_EQ(1U, info.retries_left);
}

TEST_F_TIMEOUT(agent, silent_agent_is_lost_after_heartbeat_timeout, 60)
{
	struct ls_agent *a = &self->a[0], *b = &self->a[1];
	struct llmsched_agent_fetch f;
	struct llmsched_task_info info;
	__u64 id, t0, lost, deadline;
	int ret;

	ASSERT_EQ(0, ls_agent_spawn(a, 1, LS_CPUS(4), LS_GB(8), 0));
	ASSERT_EQ(0, ls_agent_spawn(b, 1, LS_CPUS(4), LS_GB(8), 0));
	ASSERT_EQ(0, submit(self->fd, LS_CPUS(1), LS_GB(1), 1, &id));
	ASSERT_EQ(0, ls_agent_fetch(a->fd, LS_SEC(1), &f, NULL, 0));
	ASSERT_EQ(id, f.task_id);
	ASSERT_EQ(0, ls_agent_heartbeat(b->fd));
	ASSERT_EQ(0, ls_set_limits(self->fd, 0, 0, 200));
	ASSERT_EQ(0, ls_agent_heartbeat(b->fd));
	/* a's last word. */
	ASSERT_EQ(0, ls_agent_start(a->fd, id));
	t0 = ls_now_ns();
	/* b keeps calling (each call is a heartbeat); a says nothing. */
	deadline = t0 + LS_SEC(10);
	do {
		ret = ls_agent_fetch(b->fd, LS_MSEC(40), &f, NULL, 0);
	} while (ret == -ETIMEDOUT && ls_now_ns() < deadline);
	lost = ls_now_ns() - t0;
	ASSERT_EQ(0, ret);
	EXPECT_EQ(id, f.task_id);
	/* Not before its time; and found within a few watchdog rounds. */
	EXPECT_LE(LS_MSEC(200), lost);
	EXPECT_GE(LS_MSEC(3000), lost);
	TH_LOG("silent agent lost after %llu ms",
	       (unsigned long long)(lost / LS_NSEC_PER_MSEC));
	ASSERT_EQ(0, ls_query(self->fd, id, &info));
	EXPECT_EQ(0U, info.retries_left);
	EXPECT_EQ(-EBADFD, ls_agent_heartbeat(a->fd));
	/* b, which kept calling, is alive. */
	ASSERT_EQ(0, ls_agent_start(b->fd, id));
	ASSERT_EQ(0, ls_agent_complete(b->fd, id, 0, 0, 0, 1));
	ASSERT_EQ(0, ls_set_limits(self->fd, 0, 0, LS_DEF_HEARTBEAT_MS));
}

/* Heartbeats keep an idle agent alive past the timeout. */
TEST_F_TIMEOUT(agent, heartbeats_keep_an_idle_agent, 60)
{
	struct ls_agent *a = &self->a[0];
	unsigned int i;

	ASSERT_EQ(0, ls_agent_spawn(a, 1, LS_CPUS(4), LS_GB(8), 0));
	ASSERT_EQ(0, ls_set_limits(self->fd, 0, 0, 300));
	for (i = 0; i < 20; i++) {
		usleep(50000);
		ASSERT_EQ(0, ls_agent_heartbeat(a->fd)) TH_LOG("beat %u", i);
	}
	ASSERT_EQ(0, ls_set_limits(self->fd, 0, 0, LS_DEF_HEARTBEAT_MS));
}

/* An agent waiting in FETCH longer than the timeout is alive, not lost. */
TEST_F_TIMEOUT(agent, waiting_in_fetch_keeps_an_agent, 60)
{
	struct ls_agent *a = &self->a[0];
	struct llmsched_agent_fetch f;

	ASSERT_EQ(0, ls_agent_spawn(a, 1, LS_CPUS(4), LS_GB(8), 0));
	ASSERT_EQ(0, ls_set_limits(self->fd, 0, 0, 200));
	/* Five timeouts' worth of waiting, with no other call. */
	EXPECT_EQ(-ETIMEDOUT, ls_agent_fetch(a->fd, LS_SEC(1), &f, NULL, 0));
	EXPECT_EQ(0, ls_agent_heartbeat(a->fd));
	ASSERT_EQ(0, ls_set_limits(self->fd, 0, 0, LS_DEF_HEARTBEAT_MS));
}


/* ------------------------------------------------------ poll and epoll */

/*
 * An epoll entry on an agent's file stays valid however the agent ends:
 * the wait queue belongs to the file.  (A module whose queue was in the
 * agent freed it under epoll's entry: list corruption on EPOLL_CTL_DEL, a
 * spin in remove_wait_queue on close.)
 */
TEST_F(agent, epoll_entry_outlives_the_agent)
{
	struct ls_agent *a = &self->a[0];
	struct epoll_event ev = { .events = EPOLLIN };
	int round, ep;

	for (round = 0; round < 4; round++) {
		ASSERT_EQ(0, ls_agent_spawn(a, 1, LS_CPUS(1), LS_GB(1), 0));
		ep = epoll_create1(EPOLL_CLOEXEC);
		ASSERT_LE(0, ep);
		ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, a->fd, &ev));
		if (round & 1) {
			ASSERT_EQ(0, ls_agent_unregister(a->fd));
		} else {
			ls_kill_reap(a->pid);
			a->pid = 0;
		}
		/* The watchdog may find the killed one first: either way. */
		usleep(50000);
		if (round & 2) {
			EXPECT_EQ(0, epoll_ctl(ep, EPOLL_CTL_DEL, a->fd, NULL));
		}
		close(ep);
		ls_agent_destroy(a);
	}
}

struct poller {
	int fd;
	int ret;
	short revents;
	__u64 took_ns;
};

static void *poll_thread(void *arg)
{
	struct poller *p = arg;
	struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
	__u64 t0 = ls_now_ns();

	p->ret = poll(&pfd, 1, 1000);
	p->revents = pfd.revents;
	p->took_ns = ls_now_ns() - t0;
	return NULL;
}

/* A thread asleep in poll() while another unregisters the agent. */
TEST_F(agent, poll_asleep_while_the_agent_unregisters)
{
	struct ls_agent *a = &self->a[0];
	struct poller p = {};
	pthread_t th;

	ASSERT_EQ(0, ls_agent_spawn(a, 1, LS_CPUS(1), LS_GB(1), 0));
	p.fd = a->fd;
	ASSERT_EQ(0, pthread_create(&th, NULL, poll_thread, &p));
	usleep(200000);
	ASSERT_EQ(0, ls_agent_unregister(a->fd));
	ASSERT_EQ(0, pthread_join(th, NULL));
	/* No longer an agent: nothing to report, and poll() came back. */
	EXPECT_EQ(0, p.ret);
	EXPECT_GT(LS_SEC(2), p.took_ns);
}

/* A file in epoll before it registers hears of its agent's work. */
TEST_F(agent, epoll_added_before_register_sees_agent_work)
{
	struct ls_agent *a = &self->a[0];
	struct epoll_event ev = { .events = EPOLLIN }, out;
	__u64 id;
	int ep;

	ASSERT_EQ(0, ls_agent_spawn(a, 1, LS_CPUS(1), LS_GB(1), 0));
	ASSERT_EQ(0, ls_agent_unregister(a->fd));
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, a->fd, &ev));
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	ASSERT_EQ(0, ls_agent_register(a->fd, a->pid, a->cg.fd, 1, LS_CPUS(1),
				       LS_GB(1), 0, &a->id));
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0)) TH_LOG("no work yet");
	ASSERT_EQ(0, submit(self->fd, LS_CPUS(1), LS_GB(1), 0, &id));
	EXPECT_EQ(1, epoll_wait(ep, &out, 1, 2000));
	EXPECT_TRUE(out.events & EPOLLIN);
	close(ep);
}

/* ------------------------------------------------- how an agent ends */

/* An agent the watchdog found lost leaves a file that can start over. */
TEST_F_TIMEOUT(agent, lost_agent_file_unregisters_and_registers_again, 60)
{
	struct ls_agent *a = &self->a[0];
	char path[64];
	__u32 old;

	ASSERT_EQ(0, ls_set_limits(self->fd, 0, 0, 100));
	ASSERT_EQ(0, ls_agent_spawn(a, 1, LS_CPUS(1), LS_GB(1), 0));
	old = a->id;
	snprintf(path, sizeof(path), LS_SYSFS "/agents/%u", old);
	/* Silent past the heartbeat timeout. */
	usleep(600000);
	EXPECT_NE(0, access(path, F_OK)) TH_LOG("agent %u not lost", old);
	EXPECT_EQ(-EBADFD, ls_agent_heartbeat(a->fd));
	EXPECT_EQ(0, ls_agent_unregister(a->fd));
	EXPECT_EQ(-EBADFD, ls_agent_unregister(a->fd));
	ASSERT_EQ(0, ls_set_limits(self->fd, 0, 0, LS_DEF_HEARTBEAT_MS));
	ASSERT_EQ(0, ls_agent_register(a->fd, a->pid, a->cg.fd, 1, LS_CPUS(1),
				       LS_GB(1), 0, &a->id));
	EXPECT_NE(old, a->id);
	/* And a lost file registers again without unregistering first. */
	ASSERT_EQ(0, ls_set_limits(self->fd, 0, 0, 100));
	usleep(600000);
	ASSERT_EQ(0, ls_set_limits(self->fd, 0, 0, LS_DEF_HEARTBEAT_MS));
	EXPECT_EQ(0, ls_agent_register(a->fd, a->pid, a->cg.fd, 1, LS_CPUS(1),
				       LS_GB(1), 0, &a->id));
}

struct fetcher {
	int fd;
	int ret;
};

static void *fetch_thread(void *arg)
{
	struct fetcher *f = arg;

	/* A year: only the agent's end wakes it. */
	f->ret = ls_agent_fetch(f->fd, LS_SEC(365ULL * 24 * 3600), NULL,
				NULL, 0);
	return NULL;
}

/*
 * In the agent process: one thread waits in FETCH, the other closes the
 * file; report the fetch's errno and how long it took to come back.
 */
static void close_under_a_fetch(int fd, void *arg, int report)
{
	struct fetcher f = { .fd = fd };
	pthread_t th;
	__u64 t0, rep[2];

	if (pthread_create(&th, NULL, fetch_thread, &f))
		_exit(3);
	usleep(300000);
	t0 = ls_now_ns();
	close(fd);
	pthread_join(th, NULL);
	rep[0] = (__u64)(__s64)f.ret;
	rep[1] = (ls_now_ns() - t0) / LS_NSEC_PER_MSEC;
	if (write(report, rep, sizeof(rep)) != sizeof(rep))
		_exit(2);
	for (;;)
		pause();
}

TEST_F(agent, closing_the_file_ends_the_agent_under_a_waiting_fetch)
{
	struct ls_agent_proc *p = &self->p[0];
	char path[64];
	__u64 ret, ms;

	ASSERT_EQ(0, ls_agent_proc_start(p, 1, LS_CPUS(1), LS_GB(1),
					 close_under_a_fetch, NULL));
	ASSERT_EQ(0, ls_agent_proc_read(p, &ret, 5000));
	ASSERT_EQ(0, ls_agent_proc_read(p, &ms, 1000));
	EXPECT_EQ(-EBADFD, (int)(__s64)ret);
	EXPECT_GT(2000ULL, ms) TH_LOG("the fetch came back after %llu ms",
				      (unsigned long long)ms);
	snprintf(path, sizeof(path), LS_SYSFS "/agents/%u", p->id);
	EXPECT_NE(0, access(path, F_OK)) TH_LOG("agent %u still up", p->id);
}

/* ------------------------------------------------------------ processes */

struct thread_reg {
	int cgroup_fd;
	int ret;
	__u32 id;
	int fd;
};

static void *register_thread(void *arg)
{
	struct thread_reg *r = arg;

	r->fd = ls_open();
	if (r->fd < 0) {
		r->ret = r->fd;
		return NULL;
	}
	r->ret = ls_agent_register(r->fd, 0, r->cgroup_fd, 1, LS_CPUS(1),
				   LS_GB(1), 0, &r->id);
	return NULL;
}

/*
 * The agent is its process, not the thread that registered it: a worker
 * thread registers (pid 0) and exits, the process lives on and so does the
 * agent, and sysfs shows the process.
 */
TEST_F_TIMEOUT(agent, an_agent_is_its_process_not_the_registering_thread, 60)
{
	struct ls_cgroup cg = { .fd = -1 };
	int go[2], rep[2];
	char path[64], state[16] = "";
	__u32 id = 0;
	pid_t pid;
	__u64 v;
	FILE *f;

	ASSERT_EQ(0, ls_cgroup_create(&cg));
	ASSERT_EQ(0, pipe2(go, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(rep, O_CLOEXEC));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct thread_reg r = { .cgroup_fd = cg.fd };
		pthread_t th;
		char c;

		if (read(go[0], &c, 1) != 1)
			_exit(1);
		if (pthread_create(&th, NULL, register_thread, &r))
			_exit(2);
		pthread_join(th, NULL);
		if (r.ret)
			r.id = 0;
		if (write(rep[1], &r.id, sizeof(r.id)) != sizeof(r.id))
			_exit(3);
		/* Alive, with heartbeats, the registering thread gone. */
		for (;;) {
			usleep(200000);
			ls_agent_heartbeat(r.fd);
		}
	}
	close(go[0]);
	close(rep[1]);
	ASSERT_EQ(0, ls_cgroup_add(&cg, pid));
	ASSERT_EQ(1, write(go[1], "g", 1));
	ASSERT_EQ((ssize_t)sizeof(id), read(rep[0], &id, sizeof(id)));
	ASSERT_NE(0U, id);
	snprintf(path, sizeof(path), "agents/%u/pid", id);
	ASSERT_EQ(0, ls_sysfs_u64(path, &v));
	EXPECT_EQ((__u64)pid, v);
	/* Past two watchdog rounds. */
	sleep(3);
	snprintf(path, sizeof(path), LS_SYSFS "/agents/%u/state", id);
	f = fopen(path, "re");
	EXPECT_NE(NULL, f) TH_LOG("agent %u is gone", id);
	if (f) {
		EXPECT_EQ(1, fscanf(f, "%15s", state));
		fclose(f);
		EXPECT_STREQ("up", state);
	}
	ls_kill_reap(pid);
	close(go[1]);
	close(rep[0]);
	ls_cgroup_destroy(&cg);
}

/*
 * Another process is registered only if it is the caller's own child:
 * its pid cannot be reused while the caller has not reaped it.
 */
TEST_F(agent, registering_another_process_needs_a_child)
{
	struct ls_agent *a = &self->a[0];
	__u32 id;

	ASSERT_EQ(0, ls_agent_spawn(a, 1, LS_CPUS(1), LS_GB(1), 0));
	ASSERT_EQ(0, ls_agent_unregister(a->fd));
	SNAPSHOT(NULL, 0);
	EXPECT_FAILS(-ECHILD, ls_agent_register(a->fd, 1, a->cg.fd, 1,
						LS_CPUS(1), 0, 0, &id),
		     "pid 1");
	EXPECT_FAILS(-ECHILD, ls_agent_register(a->fd, getppid(), a->cg.fd,
						1, LS_CPUS(1), 0, 0, &id),
		     "the caller's parent");
	/* Our own child in the cgroup is fine. */
	EXPECT_EQ(0, ls_agent_register(a->fd, a->pid, a->cg.fd, 1,
				       LS_CPUS(1), 0, 0, &id));
}

/* ------------------------------------------- dispatch, balancing, fit */

/* Slots are not the only bound: committed resources are. */
TEST_F(agent, fit_is_bound_by_resources_not_only_by_slots)
{
	struct ls_agent *a = &self->a[0];
	struct llmsched_task_info info;
	__u64 ids[3];
	int i;

	ASSERT_EQ(0, ls_agent_spawn(a, 4, LS_CPUS(2), LS_GB(8), 0));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, submit(self->fd, LS_CPUS(1), LS_GB(1), 0,
				    &ids[i]));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, ls_query(self->fd, ids[i], &info));
		EXPECT_EQ(i < 2 ? LLMSCHED_TASK_ASSIGNED :
				  LLMSCHED_TASK_RUNNABLE, info.state)
			TH_LOG("task %d of 3, each 1 CPU of 2", i);
	}
	/* Memory binds too. */
	ASSERT_EQ(0, ls_cancel_all(self->fd) < 0);
	ASSERT_EQ(0, submit(self->fd, 1, LS_GB(5), 0, &ids[0]));
	ASSERT_EQ(0, submit(self->fd, 1, LS_GB(5), 0, &ids[1]));
	ASSERT_EQ(0, ls_query(self->fd, ids[1], &info));
	EXPECT_EQ(LLMSCHED_TASK_RUNNABLE, info.state) TH_LOG("5 GB + 5 GB of 8");
	/* Freed resources go to the one waiting. */
	ASSERT_EQ(0, ls_agent_run_one(a->fd, LS_SEC(1), &ids[2]));
	EXPECT_EQ(ids[0], ids[2]);
	ASSERT_EQ(0, ls_query(self->fd, ids[1], &info));
	EXPECT_EQ(LLMSCHED_TASK_ASSIGNED, info.state);
}

/*
 * LOAD_REPORT runs the balancer, which moves tasks not yet fetched from a
 * loaded agent to an idle one, and never a fetched one (which may already
 * run: moving it would run it twice).
 */
TEST_F(agent, balancer_moves_unfetched_tasks_and_never_a_fetched_one)
{
	struct ls_agent *a = &self->a[0], *b = &self->a[1];
	struct llmsched_load_entry e[2];
	struct llmsched_load_report r;
	struct llmsched_task_info info;
	struct llmsched_agent_fetch f;
	struct ls_stats s0, s1;
	unsigned int on_b = 0;
	__u64 ids[4];
	int i;

	/* Four tasks of 2 of A's 8 CPUs: A is fully committed. */
	ASSERT_EQ(0, ls_agent_spawn(a, 4, LS_CPUS(8), LS_GB(8), 0));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, submit(self->fd, LS_CPUS(2), LS_GB(1), 0,
				    &ids[i]));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, ls_query(self->fd, ids[i], &info));
		ASSERT_EQ(LLMSCHED_TASK_ASSIGNED, info.state);
		ASSERT_EQ(a->id, info.agent_id);
	}
	ASSERT_EQ(0, ls_agent_fetch(a->fd, 0, &f, NULL, 0));
	EXPECT_EQ(ids[0], f.task_id);
	ASSERT_EQ(0, ls_agent_spawn(b, 4, LS_CPUS(8), LS_GB(8), 0));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, ls_query(self->fd, ids[i], &info));
		ASSERT_EQ(a->id, info.agent_id) TH_LOG("task %d moved early", i);
	}
	ASSERT_EQ(0, ls_stats_read(&s0));

	LS_INIT(r);
	e[0].agent_id = a->id;
	e[0].load = 0;
	e[1].agent_id = b->id;
	e[1].load = 0;
	r.count = 2;
	r.entry_size = sizeof(e[0]);
	r.entries_ptr = (uintptr_t)e;
	ASSERT_EQ(0, ls_ioctl(a->fd, LLMSCHED_IOC_LOAD_REPORT, &r));
	ASSERT_EQ(0, ls_stats_read(&s1));

	ASSERT_EQ(0, ls_query(self->fd, ids[0], &info));
	EXPECT_EQ(a->id, info.agent_id) TH_LOG("the fetched task moved");
	for (i = 1; i < 4; i++) {
		ASSERT_EQ(0, ls_query(self->fd, ids[i], &info));
		EXPECT_EQ(LLMSCHED_TASK_ASSIGNED, info.state);
		on_b += info.agent_id == b->id;
	}
	/* 1000 / 0 per mille becomes 500 / 500 in two moves. */
	EXPECT_EQ(2U, on_b);
	EXPECT_EQ(s0.migrated + 2, s1.migrated);
	ASSERT_EQ(0, ls_agent_complete(a->fd, ids[0], 0, 0, 0, 1));
}

/* NO_BACKFILL reads back, and a small task then waits behind the head. */
TEST_F(agent, no_backfill_reads_back_and_holds_smaller_tasks)
{
	struct ls_agent *a = &self->a[0];
	struct llmsched_task_submit t;
	struct llmsched_task_info info;
	struct llmsched_policy p;
	__u64 big, head, small;

	ASSERT_EQ(0, ls_set_policy(self->fd, LLMSCHED_POLICY_PRIO_FIFO,
				   LLMSCHED_CHOICE_LEAST_LOADED,
				   LLMSCHED_POLICY_NO_BACKFILL));
	LS_INIT(p);
	ASSERT_EQ(0, ls_ioctl(self->fd, LLMSCHED_IOC_GET_POLICY, &p));
	EXPECT_EQ(LLMSCHED_POLICY_NO_BACKFILL, p.flags);

	ASSERT_EQ(0, ls_agent_spawn(a, 4, LS_CPUS(4), LS_GB(8), 0));
	ls_task_init(&t, 1, LS_CPUS(3), LS_GB(1), LS_SEC(100));
	ASSERT_EQ(0, ls_submit(self->fd, &t));
	big = t.task_id;
	ASSERT_EQ(0, ls_agent_fetch(a->fd, 0, NULL, NULL, 0));
	ASSERT_EQ(0, ls_agent_start(a->fd, big));
	/* The head needs the whole agent; the small one would fit now. */
	ls_task_init(&t, 1, LS_CPUS(4), LS_GB(1), LS_SEC(1));
	ASSERT_EQ(0, ls_submit(self->fd, &t));
	head = t.task_id;
	ls_task_init(&t, 1, LS_CPUS(1), LS_GB(1), LS_SEC(1));
	ASSERT_EQ(0, ls_submit(self->fd, &t));
	small = t.task_id;
	ASSERT_EQ(0, ls_query(self->fd, small, &info));
	EXPECT_EQ(LLMSCHED_TASK_RUNNABLE, info.state) TH_LOG("no backfilling");
	ASSERT_EQ(0, ls_query(self->fd, head, &info));
	EXPECT_EQ(LLMSCHED_TASK_RUNNABLE, info.state);

	/* Backfilling on: it ends long before the head could start. */
	ASSERT_EQ(0, ls_set_policy(self->fd, LLMSCHED_POLICY_PRIO_FIFO,
				   LLMSCHED_CHOICE_LEAST_LOADED, 0));
	LS_INIT(p);
	ASSERT_EQ(0, ls_ioctl(self->fd, LLMSCHED_IOC_GET_POLICY, &p));
	EXPECT_EQ(0U, p.flags);
	ASSERT_EQ(0, ls_query(self->fd, small, &info));
	EXPECT_EQ(LLMSCHED_TASK_ASSIGNED, info.state) TH_LOG("backfilled");
	ASSERT_EQ(0, ls_query(self->fd, head, &info));
	EXPECT_EQ(LLMSCHED_TASK_RUNNABLE, info.state);
	ASSERT_EQ(0, ls_agent_complete(a->fd, big, 0, 0, 0, 1));
}

LLMS_TEST_MAIN
