// SPDX-License-Identifier: GPL-2.0
/*
 * libllmsched's ioctl wrappers (runtime/lib/ioctl.c) against the module:
 * each wrapper does its call, and its common errors come back with the
 * module's errno, the code of a normal outcome, and a message that names
 * the call and says what to do.  Runs as root in the test VM, against
 * build/llmsched.ko.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "harness_main.h"
#include "lib_util.h"
#include "llmsched_util.h"
#include "module_util.h"

/* The 6.1 harness defines FIXTURE_SETUP/TEARDOWN as non-static functions. */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"

#define HOST_CPU LS_CPUS(16)
#define HOST_MEM LS_GB(64)

/* The error is @e with @code and a message holding @a and @b; freed. */
#define EXPECT_ERR(err, e, c, a, b) do {				\
		ASSERT_NE(NULL, (err));					\
		EXPECT_EQ((e), (err)->errnum) TH_LOG("%s", (err)->msg);	\
		EXPECT_EQ((c), (err)->code) TH_LOG("%s", (err)->msg);	\
		EXPECT_NE(NULL, strstr((err)->msg, (a)))		\
			TH_LOG("no '%s' in: %s", (a), (err)->msg);	\
		EXPECT_NE(NULL, strstr((err)->msg, (b)))		\
			TH_LOG("no '%s' in: %s", (b), (err)->msg);	\
		llms_error_free(&(err));				\
	} while (0)

static void task_init(struct llmsched_task_submit *t, const char *label)
{
	ls_task_init(t, LLMSCHED_PRIO_DEFAULT, LS_CPUS(1), LS_GB(1), LS_SEC(1));
	t->size = 0;	/* the wrapper sets it */
	snprintf(t->label, sizeof(t->label), "%s", label);
}

/* What a call as an unprivileged user said: its errno and message. */
struct as_user {
	int ret;
	char msg[512];
};

static void as_user_keep(struct as_user *r, int ret, struct llms_error **err)
{
	r->ret = ret;
	if (*err)
		snprintf(r->msg, sizeof(r->msg), "%s", (*err)->msg);
	llms_error_free(err);
}

static int open_as_user(void *arg)
{
	struct llms_error *err = NULL;
	struct as_user *r = arg;
	int fd = llms_open(0, &err);

	as_user_keep(r, fd < 0 ? fd : 0, &err);
	if (fd >= 0)
		close(fd);
	return 0;
}

TEST(open_says_who_may_open_the_device)
{
	struct llms_error *err = NULL;
	struct llmsched_version v;
	struct as_user *r;
	mode_t old;
	int fd;

	ASSERT_EQ(0, llmsched_module_ensure_loaded());
	fd = llms_open(0, &err);
	ASSERT_LE(0, fd) TH_LOG("%s", lib_errmsg(&err));
	ASSERT_EQ(0, llms_version(fd, &v, &err)) TH_LOG("%s", lib_errmsg(&err));
	EXPECT_EQ(LLMSCHED_VERSION_MAJOR, v.major);
	EXPECT_EQ(LLMSCHED_RES_KNOWN, v.res_known);
	close(fd);

	r = ls_shared_alloc(sizeof(*r));
	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, ls_dev_chmod(0600, &old));
	ASSERT_EQ(0, ls_run_as(LS_NOBODY, open_as_user, r));
	ASSERT_EQ(0, ls_dev_chmod(old, NULL));
	EXPECT_EQ(-EACCES, r->ret);
	EXPECT_NE(NULL, strstr(r->msg, "dev_gid")) TH_LOG("%s", r->msg);
	EXPECT_NE(NULL, strstr(r->msg, "uid 65534")) TH_LOG("%s", r->msg);
	ls_shared_free(r, sizeof(*r));
}

FIXTURE(ioc)
{
	int fd;
	struct ls_agent a;
	struct llms_error *err;
};

FIXTURE_SETUP(ioc)
{
	self->err = NULL;
	memset(&self->a, 0, sizeof(self->a));
	self->a.fd = -1;
	self->a.cg.fd = -1;
	ASSERT_EQ(0, llmsched_module_ensure_loaded());
	self->fd = llms_open(0, &self->err);
	ASSERT_LE(0, self->fd) TH_LOG("%s", lib_errmsg(&self->err));
	ASSERT_EQ(0, ls_reset(self->fd, HOST_CPU, HOST_MEM));
}

FIXTURE_TEARDOWN(ioc)
{
	llms_error_free(&self->err);
	ls_cancel_all(self->fd);
	ls_agent_destroy(&self->a);
	ls_reset(self->fd, HOST_CPU, HOST_MEM);
	close(self->fd);
}

TEST_F(ioc, submit_query_wait_cancel)
{
	struct llmsched_task_submit t;
	struct llmsched_task_info info;
	struct llmsched_task_wait w;

	/* No agent: nothing could ever hold it. */
	task_init(&t, "lonely");
	EXPECT_EQ(-ENOSPC, llms_submit(self->fd, &t, &self->err));
	EXPECT_ERR(self->err, ENOSPC, LLMS_IOCTL_FAILED,
		   "submitting task 'lonely'", "register (or resize) an agent");

	ASSERT_EQ(0, ls_agent_spawn(&self->a, 1, LS_CPUS(2), LS_GB(2), 0));
	t.demand[LLMSCHED_RES_CPU] = LS_CPUS(3);
	EXPECT_EQ(-ENOSPC, llms_submit(self->fd, &t, &self->err));
	EXPECT_ERR(self->err, ENOSPC, 0, "submitting task 'lonely'",
		   "larger than every agent's reservation");

	task_init(&t, "");
	t.payload_len = LLMSCHED_PAYLOAD_MAX + 1;
	EXPECT_EQ(-E2BIG, llms_submit(self->fd, &t, &self->err));
	EXPECT_ERR(self->err, E2BIG, 0, "submitting a task", "65536 bytes");

	task_init(&t, "bad\x7f");
	EXPECT_EQ(-EINVAL, llms_submit(self->fd, &t, &self->err));
	EXPECT_ERR(self->err, EINVAL, 0, "submitting task 'bad?'",
		   "printable ASCII");

	task_init(&t, "dep");
	{
		__u64 dep = 1ULL << 40;

		t.nr_deps = 1;
		t.deps_ptr = (uintptr_t)&dep;
		EXPECT_EQ(-ENOENT, llms_submit(self->fd, &t, &self->err));
		EXPECT_ERR(self->err, ENOENT, 0, "submitting task 'dep'",
			   "check the dependency ids");
	}

	task_init(&t, "one");
	ASSERT_EQ(0, llms_submit(self->fd, &t, &self->err))
		TH_LOG("%s", lib_errmsg(&self->err));
	ASSERT_NE(0, t.task_id);
	EXPECT_EQ(sizeof(t), t.size);

	ASSERT_EQ(0, llms_task_query(self->fd, t.task_id, &info, &self->err));
	EXPECT_EQ(t.task_id, info.task_id);
	EXPECT_EQ(LLMSCHED_TASK_ASSIGNED, info.state);
	EXPECT_STREQ("assigned", llms_task_state_name(info.state));
	EXPECT_STREQ("one", info.label);

	memset(&w, 0, sizeof(w));
	w.task_id = t.task_id;
	EXPECT_EQ(-EAGAIN, llms_task_wait(self->fd, &w, &self->err));
	EXPECT_EQ(LLMSCHED_TASK_ASSIGNED, w.state);
	EXPECT_ERR(self->err, EAGAIN, LLMS_IOCTL_NOT_YET,
		   "waiting for task", "has not ended");
	w.timeout_ns = LS_MSEC(20);
	EXPECT_EQ(-ETIMEDOUT, llms_task_wait(self->fd, &w, &self->err));
	EXPECT_ERR(self->err, ETIMEDOUT, LLMS_IOCTL_TIMED_OUT,
		   "waiting for task", "within the timeout");

	EXPECT_EQ(-EINVAL, llms_cancel(self->fd, t.task_id, 1, &self->err));
	EXPECT_ERR(self->err, EINVAL, 0, "cancelling task", "flags");
	ASSERT_EQ(0, llms_cancel(self->fd, t.task_id, 0, &self->err));
	EXPECT_EQ(-EALREADY, llms_cancel(self->fd, t.task_id, 0, &self->err));
	EXPECT_ERR(self->err, EALREADY, 0, "cancelling task",
		   "nothing to cancel");
	ASSERT_EQ(0, llms_task_query(self->fd, t.task_id, &info, &self->err));
	EXPECT_EQ(LLMSCHED_TASK_CANCELLED, info.state);
	EXPECT_STREQ("cancelled", llms_task_reason_name(info.reason));
	w.timeout_ns = 0;
	EXPECT_EQ(0, llms_task_wait(self->fd, &w, &self->err));
	EXPECT_EQ(LLMSCHED_TASK_CANCELLED, w.state);

	EXPECT_EQ(-ENOENT, llms_task_query(self->fd, 1ULL << 50, &info,
					   &self->err));
	EXPECT_ERR(self->err, ENOENT, 0, "querying task 1125899906842624",
		   "no task of the caller");
	EXPECT_EQ(-ENOENT, llms_cancel(self->fd, 1ULL << 50, 0, &self->err));
	EXPECT_ERR(self->err, ENOENT, 0, "cancelling task", "never existed");
}

TEST_F(ioc, batch_names_the_bad_entry)
{
	struct llmsched_task_submit t[3];
	uint32_t bad = 99;

	ASSERT_EQ(0, ls_agent_spawn(&self->a, 1, LS_CPUS(2), LS_GB(2), 0));
	task_init(&t[0], "a");
	task_init(&t[1], "b");
	task_init(&t[2], "c");
	t[1].priority = 300;
	EXPECT_EQ(-EINVAL, llms_submit_batch(self->fd, t, 3, &bad, &self->err));
	EXPECT_EQ(1, bad);
	EXPECT_ERR(self->err, EINVAL, 0, "batch entry 1 (task 'b') of 3",
		   "priority above 255");
	EXPECT_EQ(0, t[0].task_id);

	/* A whole-batch fault: the per-user limit. */
	ASSERT_EQ(0, ls_set_limits(self->fd, 0, 2, 0));
	t[1].priority = 1;
	EXPECT_EQ(-EDQUOT, llms_submit_batch(self->fd, t, 3, &bad, &self->err));
	EXPECT_EQ(3, bad);
	EXPECT_ERR(self->err, EDQUOT, 0, "submitting a batch of 3 tasks",
		   "max_tasks_per_user");

	ASSERT_EQ(0, llms_submit_batch(self->fd, t, 2, &bad, &self->err))
		TH_LOG("%s", lib_errmsg(&self->err));
	EXPECT_EQ(2, bad);
	EXPECT_NE(0, t[0].task_id);
	EXPECT_EQ(t[0].task_id + 1, t[1].task_id);
	EXPECT_EQ(-EDQUOT, llms_submit(self->fd, &t[2], &self->err));
	EXPECT_ERR(self->err, EDQUOT, 0, "submitting task 'c'",
		   "per-user limit");
}

#define MANY 600

TEST_F(ioc, list_all_reads_every_page)
{
	struct llmsched_task_submit *t = calloc(MANY, sizeof(*t));
	struct llmsched_task_info *all = NULL, *mine = NULL;
	struct llmsched_task_list l;
	size_t n = 0, i, j, found = 0;

	ASSERT_NE(NULL, t);
	ASSERT_EQ(0, ls_agent_spawn(&self->a, 4, LS_CPUS(8), LS_GB(8), 0));
	for (i = 0; i < MANY; i++)
		task_init(&t[i], "many");
	ASSERT_EQ(0, llms_submit_batch(self->fd, t, MANY, NULL, &self->err))
		TH_LOG("%s", lib_errmsg(&self->err));
	ASSERT_EQ(0, llms_task_list_all(self->fd, 0, 0, &all, &n, &self->err))
		TH_LOG("%s", lib_errmsg(&self->err));
	EXPECT_LE(MANY, n);
	for (i = 1; i < n; i++)
		ASSERT_LT(all[i - 1].task_id, all[i].task_id);
	for (i = 0, j = 0; i < MANY && j < n; j++)
		if (all[j].task_id == t[i].task_id) {
			found++;
			i++;
		}
	EXPECT_EQ(MANY, found);
	free(all);

	/* The agent's tasks: its 4 slots. */
	ASSERT_EQ(0, llms_task_list_all(self->fd, LLMSCHED_LIST_AGENT,
					self->a.id, &mine, &n, &self->err));
	EXPECT_EQ(4, n);
	for (i = 0; i < n; i++)
		EXPECT_EQ(self->a.id, mine[i].agent_id);
	free(mine);

	memset(&l, 0, sizeof(l));
	l.agent_id = 3;
	l.count = 1;
	EXPECT_EQ(-EINVAL, llms_task_list(self->fd, &l, &self->err));
	EXPECT_ERR(self->err, EINVAL, 0, "listing the caller's tasks",
		   "only with LLMSCHED_LIST_AGENT");
	free(t);
}

static int list_all_users_as_user(void *arg)
{
	struct llmsched_task_info *all;
	struct llms_error *err = NULL;
	struct as_user *r = arg;
	size_t n;
	int fd = llms_open(0, &err);

	if (fd < 0) {
		as_user_keep(r, fd, &err);
		return 0;
	}
	as_user_keep(r, llms_task_list_all(fd, LLMSCHED_LIST_ALL_USERS, 0,
					   &all, &n, &err), &err);
	close(fd);
	return 0;
}

static int set_limits_as_user(void *arg)
{
	struct llmsched_limits lim = { .max_tasks = 10 };
	struct llms_error *err = NULL;
	struct as_user *r = arg;
	int fd = llms_open(0, &err);

	if (fd < 0) {
		as_user_keep(r, fd, &err);
		return 0;
	}
	as_user_keep(r, llms_set_limits(fd, &lim, &err), &err);
	close(fd);
	return 0;
}

static int submit_urgent_as_user(void *arg)
{
	struct llmsched_task_submit t;
	struct llms_error *err = NULL;
	struct as_user *r = arg;
	int fd = llms_open(0, &err);

	if (fd < 0) {
		as_user_keep(r, fd, &err);
		return 0;
	}
	task_init(&t, "urgent");
	t.priority = 200;
	as_user_keep(r, llms_submit(fd, &t, &err), &err);
	close(fd);
	return 0;
}

TEST_F(ioc, unprivileged_callers_are_told_what_they_lack)
{
	struct as_user *r = ls_shared_alloc(sizeof(*r));
	mode_t old;

	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, ls_agent_spawn(&self->a, 1, LS_CPUS(2), LS_GB(2), 0));
	ASSERT_EQ(0, ls_dev_chmod(0666, &old));
	ASSERT_EQ(0, ls_run_as(LS_NOBODY, set_limits_as_user, r));
	EXPECT_EQ(-EPERM, r->ret);
	EXPECT_NE(NULL, strstr(r->msg, "setting the limits: setting the "
			       "limits needs CAP_SYS_ADMIN"))
		TH_LOG("%s", r->msg);
	ASSERT_EQ(0, ls_run_as(LS_NOBODY, list_all_users_as_user, r));
	EXPECT_EQ(-EPERM, r->ret);
	EXPECT_NE(NULL, strstr(r->msg, "LLMSCHED_LIST_ALL_USERS needs "
			       "CAP_SYS_ADMIN")) TH_LOG("%s", r->msg);
	ASSERT_EQ(0, ls_run_as(LS_NOBODY, submit_urgent_as_user, r));
	EXPECT_EQ(-EPERM, r->ret);
	EXPECT_NE(NULL, strstr(r->msg, "submitting task 'urgent'"))
		TH_LOG("%s", r->msg);
	EXPECT_NE(NULL, strstr(r->msg, "CAP_SYS_NICE")) TH_LOG("%s", r->msg);
	ASSERT_EQ(0, ls_dev_chmod(old, NULL));
	ls_shared_free(r, sizeof(*r));
}

TEST_F(ioc, admin_calls_round_trip)
{
	struct llmsched_capacity c;
	struct llmsched_policy p;
	struct llmsched_estimator e;
	struct llmsched_limits l;

	memset(&c, 0, sizeof(c));
	ASSERT_EQ(0, llms_get_capacity(self->fd, &c, &self->err));
	EXPECT_EQ(HOST_CPU, c.capacity[LLMSCHED_RES_CPU]);
	c.capacity[LLMSCHED_RES_CPU] = LS_CPUS(12);
	ASSERT_EQ(0, llms_set_capacity(self->fd, &c, &self->err));
	memset(&c, 0, sizeof(c));
	ASSERT_EQ(0, llms_get_capacity(self->fd, &c, &self->err));
	EXPECT_EQ(LS_CPUS(12), c.capacity[LLMSCHED_RES_CPU]);
	ASSERT_EQ(0, ls_agent_spawn(&self->a, 1, LS_CPUS(8), LS_GB(2), 0));
	c.capacity[LLMSCHED_RES_CPU] = LS_CPUS(4);
	EXPECT_EQ(-EBUSY, llms_set_capacity(self->fd, &c, &self->err));
	EXPECT_ERR(self->err, EBUSY, 0, "setting the host capacity",
		   "what the agents have reserved");
	c.capacity[LLMSCHED_RES_MAX - 1] = 1;
	EXPECT_EQ(-EINVAL, llms_set_capacity(self->fd, &c, &self->err));
	EXPECT_ERR(self->err, EINVAL, 0, "setting the host capacity",
		   "past the resource kinds");

	memset(&p, 0, sizeof(p));
	p.policy = LLMSCHED_POLICY_SJF;
	p.choice = LLMSCHED_CHOICE_BEST_FIT;
	ASSERT_EQ(0, llms_set_policy(self->fd, &p, &self->err));
	memset(&p, 0, sizeof(p));
	ASSERT_EQ(0, llms_get_policy(self->fd, &p, &self->err));
	EXPECT_EQ(LLMSCHED_POLICY_SJF, p.policy);
	EXPECT_EQ(LLMSCHED_CHOICE_BEST_FIT, p.choice);
	p.policy = 9;
	EXPECT_EQ(-EINVAL, llms_set_policy(self->fd, &p, &self->err));
	EXPECT_ERR(self->err, EINVAL, 0, "setting the scheduling policy",
		   "policy must be 0 to 3");
	p.flags = 1U << 31;
	EXPECT_EQ(-EINVAL, llms_get_policy(self->fd, &p, &self->err));
	EXPECT_ERR(self->err, EINVAL, 0, "reading the scheduling policy",
		   "flags must be zero");

	memset(&e, 0, sizeof(e));
	e.nr_coeffs = 2;
	e.coeff[0] = 1000LL << LLMSCHED_ESTIMATOR_SHIFT;
	e.coeff[1] = 3LL << LLMSCHED_ESTIMATOR_SHIFT;
	ASSERT_EQ(0, llms_set_estimator(self->fd, &e, &self->err));
	memset(&e, 0, sizeof(e));
	ASSERT_EQ(0, llms_get_estimator(self->fd, &e, &self->err));
	EXPECT_EQ(2, e.nr_coeffs);
	EXPECT_EQ(3LL << LLMSCHED_ESTIMATOR_SHIFT, e.coeff[1]);
	e.nr_coeffs = 0;
	EXPECT_EQ(-EINVAL, llms_set_estimator(self->fd, &e, &self->err));
	EXPECT_ERR(self->err, EINVAL, 0, "setting the estimator",
		   "nr_coeffs must be 1 to");

	memset(&l, 0, sizeof(l));
	l.max_tasks_per_user = 7;
	l.flags = LLMSCHED_LIMITS_USER_PRIORITY;
	l.max_user_priority = 50;
	ASSERT_EQ(0, llms_set_limits(self->fd, &l, &self->err));
	memset(&l, 0, sizeof(l));
	ASSERT_EQ(0, llms_get_limits(self->fd, &l, &self->err));
	EXPECT_EQ(7, l.max_tasks_per_user);
	EXPECT_EQ(50, l.max_user_priority);
	memset(&l, 0, sizeof(l));
	l.heartbeat_timeout_ms = 5;
	EXPECT_EQ(-EINVAL, llms_set_limits(self->fd, &l, &self->err));
	EXPECT_ERR(self->err, EINVAL, 0, "setting the limits",
		   "heartbeat_timeout_ms outside 100 to 3600000");
}

TEST_F(ioc, an_agent_fetches_runs_and_is_told_to_kill)
{
	struct llmsched_agent_register reg;
	struct llmsched_agent_fetch f;
	struct llmsched_agent_control ctl;
	struct llmsched_agent_complete done;
	struct llmsched_agent_resize rs;
	struct llmsched_agent_info *agents, ai;
	struct llmsched_task_submit t;
	struct llmsched_task_info info;
	struct llmsched_task_wait w;
	struct llmsched_load_entry load;
	struct ls_cgroup cg = { .fd = -1 };
	char payload[64];
	size_t n, i;
	pid_t pid;
	int afd;

	ASSERT_EQ(0, ls_cgroup_create(&cg));
	pid = ls_spawn_sleeper(&cg);
	ASSERT_LT(0, pid);
	afd = llms_open(0, &self->err);
	ASSERT_LE(0, afd);

	/* Bad registrations first. */
	memset(&reg, 0, sizeof(reg));
	reg.pid = pid;
	reg.cgroup_fd = -1;
	reg.slots = 2;
	reg.capacity[LLMSCHED_RES_CPU] = LS_CPUS(4);
	reg.capacity[LLMSCHED_RES_MEM] = LS_GB(4);
	EXPECT_EQ(-EBADF, llms_agent_register(afd, &reg, &self->err));
	EXPECT_ERR(self->err, EBADF, 0, "registering an agent",
		   "cgroup_fd is not an open cgroup v2 folder");
	reg.cgroup_fd = cg.fd;
	reg.pid = 1;
	EXPECT_EQ(-ECHILD, llms_agent_register(afd, &reg, &self->err));
	EXPECT_ERR(self->err, ECHILD, 0, "registering an agent (pid 1",
		   "child of the caller");
	reg.pid = pid;
	reg.capacity[LLMSCHED_RES_CPU] = HOST_CPU * 2;
	EXPECT_EQ(-ENOSPC, llms_agent_register(afd, &reg, &self->err));
	EXPECT_ERR(self->err, ENOSPC, 0, "registering an agent",
		   "over-commit the host");
	reg.capacity[LLMSCHED_RES_CPU] = LS_CPUS(4);
	EXPECT_EQ(-EBADFD, llms_agent_heartbeat(afd, &self->err));
	EXPECT_ERR(self->err, EBADFD, 0, "sending a heartbeat",
		   "not a registered agent");

	ASSERT_EQ(0, llms_agent_register(afd, &reg, &self->err))
		TH_LOG("%s", lib_errmsg(&self->err));
	ASSERT_NE(0, reg.agent_id);
	EXPECT_EQ(-EBUSY, llms_agent_register(afd, &reg, &self->err));
	EXPECT_ERR(self->err, EBUSY, 0, "registering an agent",
		   "an agent already");
	EXPECT_EQ(0, llms_agent_heartbeat(afd, &self->err));

	/* Nothing to fetch yet. */
	memset(&f, 0, sizeof(f));
	EXPECT_EQ(-EAGAIN, llms_agent_fetch(afd, &f, &self->err));
	EXPECT_ERR(self->err, EAGAIN, LLMS_IOCTL_NOT_YET, "fetching a task",
		   "no task is waiting");
	f.timeout_ns = LS_MSEC(20);
	EXPECT_EQ(-ETIMEDOUT, llms_agent_fetch(afd, &f, &self->err));
	EXPECT_ERR(self->err, ETIMEDOUT, LLMS_IOCTL_TIMED_OUT,
		   "fetching a task", "within the timeout");

	task_init(&t, "victim");
	t.payload_ptr = (uintptr_t)"hello";
	t.payload_len = 5;
	ASSERT_EQ(0, llms_submit(self->fd, &t, &self->err));

	/* A buffer too small: the size needed, nothing fetched. */
	memset(&f, 0, sizeof(f));
	f.payload_ptr = (uintptr_t)payload;
	f.payload_len = 2;
	EXPECT_EQ(-ENOSPC, llms_agent_fetch(afd, &f, &self->err));
	EXPECT_EQ(5, f.payload_len);
	EXPECT_ERR(self->err, ENOSPC, LLMS_IOCTL_PAYLOAD_TOO_BIG,
		   "fetching a task (buffer of 2 bytes)", "grow the buffer");
	f.payload_len = sizeof(payload);
	ASSERT_EQ(0, llms_agent_fetch(afd, &f, &self->err))
		TH_LOG("%s", lib_errmsg(&self->err));
	EXPECT_EQ(t.task_id, f.task_id);
	EXPECT_EQ(5, f.payload_len);
	EXPECT_EQ(0, memcmp(payload, "hello", 5));
	EXPECT_STREQ("victim", f.label);

	ASSERT_EQ(0, llms_agent_start(afd, f.task_id, &self->err));
	EXPECT_EQ(-EALREADY, llms_agent_start(afd, f.task_id, &self->err));
	EXPECT_ERR(self->err, EALREADY, 0, "reporting the start of task",
		   "started already");
	EXPECT_EQ(-ENOENT, llms_agent_start(afd, 1ULL << 50, &self->err));
	EXPECT_ERR(self->err, ENOENT, 0, "reporting the start of task",
		   "did not fetch");
	EXPECT_EQ(-EBUSY, llms_agent_unregister(afd, &self->err));
	EXPECT_ERR(self->err, EBUSY, 0, "unregistering the agent",
		   "fetched tasks that have not ended");

	/* Cancel the running task: the agent is told to kill it. */
	ASSERT_EQ(0, llms_cancel(self->fd, t.task_id, 0, &self->err));
	ASSERT_EQ(0, llms_task_query(self->fd, t.task_id, &info, &self->err));
	EXPECT_EQ(LLMSCHED_TASK_STOPPING, info.state);
	memset(&f, 0, sizeof(f));
	EXPECT_EQ(-ENOMSG, llms_agent_fetch(afd, &f, &self->err));
	EXPECT_ERR(self->err, ENOMSG, LLMS_IOCTL_CONTROL_WAITS,
		   "fetching a task", "llms_agent_control()");
	EXPECT_EQ(-ENOENT, llms_agent_confirm(afd, t.task_id,
					      LLMSCHED_CONTROL_KILL,
					      &self->err));
	EXPECT_ERR(self->err, ENOENT, 0, "confirming the kill of task",
		   "not read yet");
	memset(&ctl, 0, sizeof(ctl));
	ctl.timeout_ns = LS_SEC(1);
	ASSERT_EQ(0, llms_agent_control(afd, &ctl, &self->err));
	EXPECT_EQ(LLMSCHED_CONTROL_KILL, ctl.kind);
	EXPECT_EQ(t.task_id, ctl.task_id);
	EXPECT_EQ(LLMSCHED_REASON_CANCELLED, ctl.reason);
	EXPECT_EQ(-EINVAL, llms_agent_confirm(afd, t.task_id,
					      LLMSCHED_CONTROL_LOST,
					      &self->err));
	EXPECT_ERR(self->err, EINVAL, 0, "confirming the lost of task",
		   "kind must be");
	ASSERT_EQ(0, llms_agent_confirm(afd, t.task_id, LLMSCHED_CONTROL_KILL,
					&self->err));
	ASSERT_EQ(0, llms_task_query(self->fd, t.task_id, &info, &self->err));
	EXPECT_EQ(LLMSCHED_TASK_CANCELLED, info.state);
	memset(&ctl, 0, sizeof(ctl));
	EXPECT_EQ(-EAGAIN, llms_agent_control(afd, &ctl, &self->err));
	EXPECT_ERR(self->err, EAGAIN, LLMS_IOCTL_NOT_YET,
		   "reading the next control record", "no control record");

	/* A task that runs to its end. */
	task_init(&t, "good");
	ASSERT_EQ(0, llms_submit(self->fd, &t, &self->err));
	memset(&f, 0, sizeof(f));
	f.timeout_ns = LS_SEC(1);
	ASSERT_EQ(0, llms_agent_fetch(afd, &f, &self->err));
	ASSERT_EQ(t.task_id, f.task_id);
	ASSERT_EQ(0, llms_agent_start(afd, f.task_id, &self->err));
	memset(&done, 0, sizeof(done));
	done.task_id = f.task_id;
	done.exit_status = 3;
	EXPECT_EQ(-EINVAL, llms_agent_complete(afd, &done, &self->err));
	EXPECT_ERR(self->err, EINVAL, 0, "reporting the end of task",
		   "exit_status 0 on success");
	done.exit_status = 0;
	done.runtime_ns = LS_MSEC(5);
	ASSERT_EQ(0, llms_agent_complete(afd, &done, &self->err));
	EXPECT_EQ(-EALREADY, llms_agent_complete(afd, &done, &self->err));
	EXPECT_ERR(self->err, EALREADY, 0, "reporting the end of task",
		   "ended already");
	memset(&w, 0, sizeof(w));
	w.task_id = t.task_id;
	w.timeout_ns = LS_SEC(1);
	ASSERT_EQ(0, llms_task_wait(self->fd, &w, &self->err));
	EXPECT_EQ(LLMSCHED_TASK_SUCCEEDED, w.state);

	/* The agent among the others, drained, resized, loaded. */
	ASSERT_EQ(0, ls_agent_spawn(&self->a, 1, LS_CPUS(1), LS_GB(1), 0));
	ASSERT_EQ(0, llms_agent_list_all(self->fd, &agents, &n, &self->err));
	ASSERT_LE(2, n);
	for (i = 0; i < n && agents[i].agent_id != reg.agent_id; i++)
		;
	ASSERT_LT(i, n);
	EXPECT_EQ(2, agents[i].slots);
	EXPECT_EQ(LLMSCHED_AGENT_UP, agents[i].state);
	free(agents);

	ASSERT_EQ(0, llms_agent_drain(self->fd, reg.agent_id, 0, &self->err));
	ASSERT_EQ(0, ls_agent_info(self->fd, reg.agent_id, &ai));
	EXPECT_EQ(LLMSCHED_AGENT_DRAINING, ai.state);
	ASSERT_EQ(0, llms_agent_drain(self->fd, reg.agent_id,
				      LLMSCHED_DRAIN_UNDO, &self->err));
	EXPECT_EQ(-ENOENT, llms_agent_drain(self->fd, 99999, 0, &self->err));
	EXPECT_ERR(self->err, ENOENT, 0, "draining agent 99999",
		   "no agent of this id");
	EXPECT_EQ(-EINVAL, llms_agent_drain(self->fd, reg.agent_id, 1U << 7,
					    &self->err));
	EXPECT_ERR(self->err, EINVAL, 0, "agent", "LLMSCHED_DRAIN_");

	memset(&rs, 0, sizeof(rs));
	rs.agent_id = reg.agent_id;
	rs.slots = 3;
	ASSERT_EQ(0, llms_agent_resize(self->fd, &rs, &self->err));
	rs.capacity[LLMSCHED_RES_CPU] = HOST_CPU;
	rs.capacity[LLMSCHED_RES_MEM] = LS_GB(4);
	EXPECT_EQ(-ENOSPC, llms_agent_resize(self->fd, &rs, &self->err));
	EXPECT_ERR(self->err, ENOSPC, 0, "resizing agent",
		   "beyond the host's free capacity");
	rs.capacity[LLMSCHED_RES_CPU] = 0;
	rs.capacity[LLMSCHED_RES_MEM] = 0;
	rs.agent_id = 99999;
	EXPECT_EQ(-ENOENT, llms_agent_resize(self->fd, &rs, &self->err));
	EXPECT_ERR(self->err, ENOENT, 0, "resizing agent 99999",
		   "no agent of this id");

	load.agent_id = reg.agent_id;
	load.load = 500;
	EXPECT_EQ(0, llms_load_report(self->fd, &load, 1, 10000000,
				      &self->err));
	EXPECT_EQ(0, llms_load_report(self->fd, &load, 1, 0, &self->err));
	load.load = 70000;
	EXPECT_EQ(-EINVAL, llms_load_report(self->fd, &load, 1, 0,
					    &self->err));
	EXPECT_ERR(self->err, EINVAL, 0, "reporting the loads of 1 agents",
		   "at most 65535");
	load.load = 500;
	EXPECT_EQ(-EINVAL, llms_load_report(self->fd, &load, 1, 999999,
					    &self->err));
	EXPECT_ERR(self->err, EINVAL, 0,
		   "reporting the loads of 1 agents every 999999 ns",
		   "the interval 1 ms to 10 s");

	ASSERT_EQ(0, llms_agent_unregister(afd, &self->err));
	EXPECT_EQ(-EBADFD, llms_agent_unregister(afd, &self->err));
	EXPECT_ERR(self->err, EBADFD, 0, "unregistering the agent",
		   "not a registered agent");
	close(afd);
	ls_kill_reap(pid);
	ls_cgroup_destroy(&cg);
}

LLMS_TEST_MAIN
