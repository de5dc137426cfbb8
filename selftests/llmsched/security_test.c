// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched selftests: the security model (Documentation/userspace-api/
 * llmsched-security.rst), one property per test.
 *
 * What one user can do to others through the device: hold only a bounded
 * amount of kernel memory, in tasks and in bytes; submit above the default
 * priority only with CAP_SYS_NICE; push out only their own retained
 * results; see nothing of another user's tasks.  And what any caller can do
 * to the module: a call that fails changes nothing, even when its argument
 * cannot be written back; memory pressure fails a submission with ENOMEM
 * and never wakes the OOM killer.  Runs as root in the test VM and switches
 * to uids 65534 and 65533 for the unprivileged side.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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
#define AGENT_CPU	LS_CPUS(8)
#define AGENT_MEM	LS_GB(32)
#define PAYLOAD		(64 * 1024)
#define MAX_RESULTS	64

/* What a child running as another uid reports back. */
struct shared {
	int n;
	int ret[MAX_RESULTS];
	__u64 ids[MAX_RESULTS];
	__u32 error_index;
	char payload[PAYLOAD];
};

FIXTURE(security) {
	int fd;
	struct ls_agent agent;
	struct ls_snapshot snap;
	mode_t mode;
	bool chmodded;
	struct shared *sh;
};

FIXTURE_SETUP(security)
{
	self->fd = -1;
	self->agent.fd = -1;
	ASSERT_EQ(0, llmsched_module_ensure_loaded());
	self->fd = ls_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ls_reset(self->fd, HOST_CPU, HOST_MEM));
	/* It never fetches: what it is handed stays, the rest waits. */
	ASSERT_EQ(0, ls_agent_spawn(&self->agent, 4, AGENT_CPU, AGENT_MEM, 0));
	ASSERT_EQ(0, ls_dev_chmod(0666, &self->mode));
	self->chmodded = true;
	self->sh = ls_shared_alloc(sizeof(*self->sh));
	ASSERT_NE(NULL, self->sh);
}

FIXTURE_TEARDOWN(security)
{
	if (self->chmodded)
		ls_dev_chmod(self->mode, NULL);
	if (self->fd >= 0)
		ls_reset(self->fd, HOST_CPU, HOST_MEM);
	ls_agent_destroy(&self->agent);
	if (self->sh)
		ls_shared_free(self->sh, sizeof(*self->sh));
	if (self->fd >= 0)
		close(self->fd);
}

#define SH_CALL(sh, expr) ((sh)->ret[(sh)->n++] = (expr))

#define EXPECT_UNCHANGED(what) do {					\
		char _why[160] = "";					\
		EXPECT_EQ(0, ls_snapshot_check(self->fd, &self->snap,	\
					       _why, sizeof(_why)))	\
			TH_LOG("%s: %s", what, _why);			\
	} while (0)

static void plain_task(struct llmsched_task_submit *t, __u32 prio)
{
	ls_task_init(t, prio, LS_CPUS(1), LS_GB(1), LS_SEC(1));
}

/* ---------------------------------------------------------- priorities */

struct prio_case {
	__u32 prio;
	int want;
};

static const struct prio_case prio_cases[] = {
	{ 0, 0 }, { 99, 0 }, { 100, 0 },		/* up to the ceiling */
	{ 101, -EPERM }, { 255, -EPERM },		/* above it */
	{ 256, -EINVAL },				/* out of range first */
};

static int submit_priorities(void *arg)
{
	struct shared *sh = arg;
	struct llmsched_task_submit t[2];
	unsigned int i;
	int fd = ls_open();

	if (fd < 0)
		return 10;
	for (i = 0; i < LS_ARRAY_SIZE(prio_cases); i++) {
		plain_task(&t[0], prio_cases[i].prio);
		SH_CALL(sh, ls_submit(fd, &t[0]));
	}
	/* A batch names the entry above the ceiling. */
	plain_task(&t[0], 1);
	plain_task(&t[1], 200);
	SH_CALL(sh, ls_submit_batch(fd, t, 2, &sh->error_index));
	close(fd);
	return 0;
}

TEST_F(security, priority_above_the_ceiling_needs_cap_sys_nice)
{
	struct shared *sh = self->sh;
	unsigned int i;
	__u64 v;

	ASSERT_EQ(0, ls_sysfs_u64("limits/max_user_priority", &v));
	EXPECT_EQ((__u64)LLMSCHED_PRIO_DEFAULT, v);
	ASSERT_EQ(0, ls_snapshot_take(self->fd, &self->snap, NULL, 0));
	ASSERT_EQ(0, ls_run_as(LS_NOBODY, submit_priorities, sh));
	ASSERT_EQ((int)LS_ARRAY_SIZE(prio_cases) + 1, sh->n);
	for (i = 0; i < LS_ARRAY_SIZE(prio_cases); i++)
		EXPECT_EQ(prio_cases[i].want, sh->ret[i])
			TH_LOG("priority %u", prio_cases[i].prio);
	EXPECT_EQ(-EPERM, sh->ret[i]) TH_LOG("batch with an entry at 200");
	EXPECT_EQ(1U, sh->error_index);

	/* Root (CAP_SYS_NICE) submits at any priority. */
	ASSERT_EQ(0, ls_submit_simple(self->fd, 255, LS_CPUS(1), LS_GB(1),
				      LS_SEC(1), NULL));

	/* The operator's ceiling: 0 leaves users only the lowest priority. */
	ASSERT_EQ(0, ls_sysfs_write("limits/max_user_priority", "0"));
	memset(sh, 0, sizeof(*sh));
	ASSERT_EQ(0, ls_run_as(LS_NOBODY, submit_priorities, sh));
	EXPECT_EQ(0, sh->ret[0]) TH_LOG("priority 0 under ceiling 0");
	EXPECT_EQ(-EPERM, sh->ret[1]) TH_LOG("priority 99 under ceiling 0");
	EXPECT_EQ(-EPERM, sh->ret[2]) TH_LOG("priority 100 under ceiling 0");
}

/* ------------------------------------------------------ bytes per user */

/* What one task with a full payload and no dependency counts. */
static __u64 task_bytes(__u32 payload_len)
{
	__u64 obj = 0;

	if (ls_read_u64("/sys/kernel/slab/llms_task/object_size", &obj))
		return 0;
	return obj + payload_len;
}

static int submit_until_refused(void *arg)
{
	struct shared *sh = arg;
	struct llmsched_task_submit t;
	int fd = ls_open(), ret = 0, n = 0;

	if (fd < 0)
		return 10;
	while (n < MAX_RESULTS) {
		plain_task(&t, 1);
		t.payload_ptr = (uintptr_t)sh->payload;
		t.payload_len = PAYLOAD;
		ret = ls_submit(fd, &t);
		if (ret)
			break;
		sh->ids[n++] = t.task_id;
	}
	sh->n = n;
	sh->ret[0] = ret;
	/* The file stays open: its tasks stay held. */
	return 0;
}

static int cancel_first_then_submit(void *arg)
{
	struct shared *sh = arg;
	struct llmsched_task_submit t;
	struct llmsched_task_info info;
	int fd = ls_open();

	if (fd < 0)
		return 10;
	/* An ended task still counts while it is retained ... */
	sh->ret[0] = ls_cancel(fd, sh->ids[0]);
	/* ... until its owner needs the room: it is forgotten for this one. */
	plain_task(&t, 1);
	t.payload_ptr = (uintptr_t)sh->payload;
	t.payload_len = PAYLOAD;
	sh->ret[1] = ls_submit(fd, &t);
	sh->ret[2] = ls_query(fd, sh->ids[0], &info);
	sh->ret[3] = ls_query(fd, sh->ids[1], &info);
	close(fd);
	return 0;
}

static int submit_one_big(void *arg)
{
	struct shared *sh = arg;
	struct llmsched_task_submit t;
	int fd = ls_open();

	if (fd < 0)
		return 10;
	plain_task(&t, 1);
	t.payload_ptr = (uintptr_t)sh->payload;
	t.payload_len = PAYLOAD;
	sh->ret[0] = ls_submit(fd, &t);
	close(fd);
	return 0;
}

TEST_F(security, kernel_memory_per_user_is_bounded_in_bytes)
{
	struct shared *sh = self->sh;
	__u64 per_task = task_bytes(PAYLOAD), limit = 1 << 20;

	ASSERT_NE(0ULL, per_task);
	ASSERT_EQ(0, ls_sysfs_write("limits/max_bytes_per_user", "1048576"));
	ASSERT_EQ(0, ls_run_as(LS_NOBODY, submit_until_refused, sh));
	EXPECT_EQ(-EDQUOT, sh->ret[0]);
	TH_LOG("%d tasks of %llu bytes fit in %llu", sh->n,
	       (unsigned long long)per_task, (unsigned long long)limit);
	EXPECT_EQ((int)(limit / per_task), sh->n);

	/* The refusal changed nothing; another user is not affected. */
	ASSERT_EQ(0, ls_snapshot_take(self->fd, &self->snap, sh->ids, 2));
	memset(sh->ret, 0, sizeof(sh->ret));
	ASSERT_EQ(0, ls_run_as(LS_NOBODY, submit_one_big, sh));
	EXPECT_EQ(-EDQUOT, sh->ret[0]);
	EXPECT_UNCHANGED("EDQUOT for bytes");
	ASSERT_EQ(0, ls_run_as(LS_NOBODY2, submit_one_big, sh));
	EXPECT_EQ(0, sh->ret[0]) TH_LOG("another uid");

	/* A user's own retained results make room for its submissions. */
	ASSERT_EQ(0, ls_run_as(LS_NOBODY, cancel_first_then_submit, sh));
	EXPECT_EQ(0, sh->ret[0]) TH_LOG("cancel");
	EXPECT_EQ(0, sh->ret[1]) TH_LOG("submit after cancelling one");
	EXPECT_EQ(-ENOENT, sh->ret[2]) TH_LOG("the cancelled one, forgotten");
	EXPECT_EQ(0, sh->ret[3]) TH_LOG("its next one, still held");
}

/* ------------------------------------------------- retention per user */

static int submit_and_cancel(void *arg)
{
	struct shared *sh = arg;
	int fd = ls_open(), i, n = sh->n;

	if (fd < 0)
		return 10;
	for (i = 0; i < n; i++) {
		if (ls_submit_simple(fd, 1, LS_CPUS(1), LS_GB(1), LS_SEC(1),
				     &sh->ids[i]))
			return 11;
		if (ls_cancel(fd, sh->ids[i]))
			return 12;
	}
	close(fd);
	return 0;
}

static int query_ids(void *arg)
{
	struct shared *sh = arg;
	struct llmsched_task_info info;
	int fd = ls_open(), i;

	if (fd < 0)
		return 10;
	for (i = 0; i < sh->n; i++)
		sh->ret[i] = ls_query(fd, sh->ids[i], &info);
	close(fd);
	return 0;
}

TEST_F(security, one_users_ended_tasks_never_push_out_anothers)
{
	struct shared *sh = self->sh;
	__u64 other;
	int i;

	ASSERT_EQ(0, ls_sysfs_write("limits/retain_ended", "8"));
	/* uid 65533 ends one task: its result is retained. */
	sh->n = 1;
	ASSERT_EQ(0, ls_run_as(LS_NOBODY2, submit_and_cancel, sh));
	other = sh->ids[0];
	/* uid 65534 ends forty. */
	sh->n = 40;
	ASSERT_EQ(0, ls_run_as(LS_NOBODY, submit_and_cancel, sh));
	ASSERT_EQ(0, ls_run_as(LS_NOBODY, query_ids, sh));
	for (i = 0; i < 40; i++)
		EXPECT_EQ(i < 32 ? -ENOENT : 0, sh->ret[i])
			TH_LOG("uid %d's task %d of 40", LS_NOBODY, i);
	/* The other user's one result is still there. */
	sh->n = 1;
	sh->ids[0] = other;
	ASSERT_EQ(0, ls_run_as(LS_NOBODY2, query_ids, sh));
	EXPECT_EQ(0, sh->ret[0]);
}

/* --------------------------------------------------------- event rings */

TEST_F(security, a_closed_file_keeps_no_event_ring)
{
	struct ls_objects o0, o1, o2;
	__u64 id;
	int fd;

	ASSERT_EQ(0, ls_objects_read(&o0));
	fd = ls_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ls_submit_simple(fd, 1, LS_CPUS(1), LS_GB(1), LS_SEC(1),
				      &id));
	ASSERT_EQ(0, ls_objects_read(&o1));
	EXPECT_EQ(o0.event_rings + 1, o1.event_rings);
	EXPECT_EQ(o0.tasks + 1, o1.tasks);
	close(fd);
	/* The task lives on; the 128 KiB nobody will read are gone. */
	ASSERT_EQ(0, ls_objects_read(&o2));
	EXPECT_EQ(o0.event_rings, o2.event_rings);
	EXPECT_EQ(o1.tasks, o2.tasks);
	EXPECT_EQ(o1.event_sinks, o2.event_sinks);
	EXPECT_EQ(0, ls_cancel(self->fd, id));
}

/* ------------------------------------------- a failed call changes nothing */

/* A page holding @len bytes of @src, then made read-only. */
static void *read_only_copy(const void *src, size_t len)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memcpy(p, src, len);
	if (mprotect(p, 4096, PROT_READ)) {
		munmap(p, 4096);
		return NULL;
	}
	return p;
}

TEST_F(security, submit_into_a_read_only_argument_creates_nothing)
{
	struct llmsched_task_submit t, entries[3], *ro;
	struct llmsched_submit_batch b, *rob;
	struct ls_objects o0, o1;
	unsigned int i;

	ASSERT_EQ(0, ls_snapshot_take(self->fd, &self->snap, NULL, 0));
	ASSERT_EQ(0, ls_objects_read(&o0));

	plain_task(&t, 1);
	ro = read_only_copy(&t, sizeof(t));
	ASSERT_NE(NULL, ro);
	EXPECT_EQ(-EFAULT, ls_ioctl(self->fd, LLMSCHED_IOC_SUBMIT, ro));
	EXPECT_UNCHANGED("SUBMIT, read-only argument");
	munmap(ro, 4096);

	for (i = 0; i < 3; i++)
		plain_task(&entries[i], 1);
	ro = read_only_copy(entries, sizeof(entries));
	ASSERT_NE(NULL, ro);
	LS_INIT(b);
	b.count = 3;
	b.entry_size = sizeof(entries[0]);
	b.entries_ptr = (uintptr_t)ro;
	EXPECT_EQ(-EFAULT, ls_ioctl(self->fd, LLMSCHED_IOC_SUBMIT_BATCH, &b));
	EXPECT_UNCHANGED("SUBMIT_BATCH, read-only entries");
	munmap(ro, 4096);

	b.entries_ptr = (uintptr_t)entries;
	rob = read_only_copy(&b, sizeof(b));
	ASSERT_NE(NULL, rob);
	EXPECT_EQ(-EFAULT, ls_ioctl(self->fd, LLMSCHED_IOC_SUBMIT_BATCH, rob));
	EXPECT_UNCHANGED("SUBMIT_BATCH, read-only batch");
	munmap(rob, 4096);

	ASSERT_EQ(0, ls_objects_read(&o1));
	EXPECT_EQ(o0.tasks, o1.tasks);
}

TEST_F(security, register_into_a_read_only_argument_makes_no_agent)
{
	struct llmsched_agent_register r, *ro;
	struct ls_objects o0, o1;
	struct ls_agent a = { .fd = -1 };
	__u32 id;

	ASSERT_EQ(0, ls_agent_spawn(&a, 1, LS_CPUS(1), LS_GB(1), 0));
	ASSERT_EQ(0, ls_agent_unregister(a.fd));
	ASSERT_EQ(0, ls_objects_read(&o0));
	LS_INIT(r);
	r.pid = a.pid;
	r.cgroup_fd = a.cg.fd;
	r.slots = 1;
	r.capacity[LLMSCHED_RES_CPU] = LS_CPUS(1);
	ro = read_only_copy(&r, sizeof(r));
	ASSERT_NE(NULL, ro);
	EXPECT_EQ(-EFAULT, ls_ioctl(a.fd, LLMSCHED_IOC_AGENT_REGISTER, ro));
	munmap(ro, 4096);
	ASSERT_EQ(0, ls_objects_read(&o1));
	EXPECT_EQ(o0.agents, o1.agents);
	/* The file is no agent: it registers, and the heartbeat says so. */
	EXPECT_EQ(-EBADFD, ls_agent_heartbeat(a.fd));
	EXPECT_EQ(0, ls_agent_register(a.fd, a.pid, a.cg.fd, 1, LS_CPUS(1),
				       0, 0, &id));
	ls_agent_destroy(&a);
}

TEST_F(security, fetch_into_a_read_only_argument_leaves_the_task)
{
	struct llmsched_agent_fetch f, *ro;
	struct llmsched_task_submit t;
	char *buf, good[16];
	__u64 id;

	/* The struct cannot be written back: the task is not fetched. */
	ASSERT_EQ(0, ls_submit_simple(self->fd, 1, LS_CPUS(1), LS_GB(1),
				      LS_SEC(1), &id));
	LS_INIT(f);
	ro = read_only_copy(&f, sizeof(f));
	ASSERT_NE(NULL, ro);
	EXPECT_EQ(-EFAULT, ls_ioctl(self->agent.fd, LLMSCHED_IOC_AGENT_FETCH,
				    ro));
	munmap(ro, 4096);
	/* Not fetched: the next fetch gets the same task. */
	ASSERT_EQ(0, ls_agent_fetch(self->agent.fd, 0, &f, NULL, 0));
	EXPECT_EQ(id, f.task_id);
	EXPECT_EQ(0, ls_agent_complete(self->agent.fd, id, 0,
				       LLMSCHED_REASON_NONE, 0, 1));

	/* The payload buffer cannot be written: the same. */
	plain_task(&t, 1);
	t.payload_ptr = (uintptr_t)"payload";
	t.payload_len = 8;
	ASSERT_EQ(0, ls_submit(self->fd, &t));
	buf = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	EXPECT_EQ(-EFAULT, ls_agent_fetch(self->agent.fd, 0, &f, buf, 4096));
	munmap(buf, 4096);
	EXPECT_EQ(-ENOSPC, ls_agent_fetch(self->agent.fd, 0, &f, NULL, 0));
	ASSERT_EQ(0, ls_agent_fetch(self->agent.fd, 0, &f, good, sizeof(good)));
	EXPECT_EQ(t.task_id, f.task_id);
	EXPECT_STREQ("payload", good);
	EXPECT_EQ(-EBUSY, ls_agent_unregister(self->agent.fd));
	EXPECT_EQ(0, ls_agent_complete(self->agent.fd, t.task_id, 0,
				       LLMSCHED_REASON_NONE, 0, 1));
}

/* ------------------------------------------------------ memory pressure */

/* What the flooder reports, in memory shared before it starts. */
struct flood_result {
	int n;
	int err;
};

/*
 * Submit until refused, then report through memory mapped beforehand:
 * anything that allocates now (a pipe write) would meet the same full
 * memory cgroup and wake its OOM killer, which is not the module's doing.
 */
static int flood_until_refused(int fd, struct flood_result *res)
{
	static char payload[PAYLOAD];
	struct llmsched_task_submit t;
	int ret, n = 0;

	for (;;) {
		plain_task(&t, 1);
		t.payload_ptr = (uintptr_t)payload;
		t.payload_len = PAYLOAD;
		ret = ls_submit(fd, &t);
		if (ret)
			break;
		n++;
	}
	res->n = n;
	res->err = ret;
	return 0;
}

TEST_F_TIMEOUT(security, memory_pressure_fails_submit_with_enomem, 120)
{
	struct ls_cgroup cg = { .fd = -1 };
	struct flood_result *res;
	char path[192], line[64];
	long long oom_kills = -1;
	int status, err;
	pid_t pid;
	FILE *f;

	/*
	 * Only memory stops it: no per-user limit comes first (a module from
	 * before limits/max_bytes_per_user has none to raise).
	 */
	ASSERT_EQ(0, ls_set_limits(self->fd, 10000000, 10000000, 0));
	err = ls_sysfs_write("limits/max_bytes_per_user", "68719476736");
	ASSERT_TRUE(!err || err == -ENOENT);
	res = ls_shared_alloc(sizeof(*res));
	ASSERT_NE(NULL, res);
	res->err = 1;
	ASSERT_EQ(0, ls_cgroup_create(&cg));
	snprintf(path, sizeof(path), "%s/memory.max", cg.path);
	ASSERT_EQ(0, ls_write_file(path, "24M"));
	snprintf(path, sizeof(path), "%s/memory.swap.max", cg.path);
	ls_write_file(path, "0");
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int fd;

		if (ls_cgroup_add(&cg, getpid()))
			_exit(3);
		fd = ls_open();
		if (fd < 0)
			_exit(4);
		_exit(flood_until_refused(fd, res));
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status))
		TH_LOG("the flooder was killed by signal %d",
		       WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	if (WIFEXITED(status))
		EXPECT_EQ(0, WEXITSTATUS(status));
	TH_LOG("%d tasks of 64 KiB in 24M, then %s", res->n,
	       strerror(-res->err));
	EXPECT_EQ(-ENOMEM, res->err);
	EXPECT_LT(50, res->n);
	snprintf(path, sizeof(path), "%s/memory.events", cg.path);
	f = fopen(path, "re");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		sscanf(line, "oom_kill %lld", &oom_kills);
	fclose(f);
	EXPECT_EQ(0LL, oom_kills);
	ASSERT_LE(0, ls_cancel_all(self->fd));
	ls_cgroup_destroy(&cg);
	ls_shared_free(res, sizeof(*res));
}

/* ------------------------------------------------------- checking order */

TEST_F(security, sizes_are_checked_before_what_pointers_point_at)
{
	struct llmsched_task_submit t;

	ASSERT_EQ(0, ls_snapshot_take(self->fd, &self->snap, NULL, 0));
	plain_task(&t, 1);
	t.nr_deps = LLMSCHED_DEPS_MAX + 1;
	t.deps_ptr = 8;
	t.payload_ptr = 8;
	t.payload_len = 16;
	EXPECT_EQ(-EINVAL, ls_submit(self->fd, &t)) TH_LOG("nr_deps 65");
	t.nr_deps = 1;
	EXPECT_EQ(-EFAULT, ls_submit(self->fd, &t)) TH_LOG("bad payload");
	t.payload_len = 0;
	EXPECT_EQ(-EFAULT, ls_submit(self->fd, &t)) TH_LOG("bad deps");
	EXPECT_UNCHANGED("checking order");
}

TEST_F(security, a_removed_cgroup_is_ebadf)
{
	struct ls_cgroup cg = { .fd = -1 };
	int fd = ls_open();
	__u32 id;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ls_cgroup_create(&cg));
	ASSERT_EQ(0, rmdir(cg.path));
	EXPECT_EQ(-EBADF, ls_agent_register(fd, 0, cg.fd, 1, LS_CPUS(1), 0, 0,
					    &id));
	close(cg.fd);
	cg.fd = -1;
	close(fd);
}

LLMS_TEST_MAIN
