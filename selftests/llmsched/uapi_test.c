// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched selftests: argument checking of every ioctl.
 *
 * Each test walks good and bad input for one call, asserts the exact errno
 * of Documentation/userspace-api/llmsched.rst, and after every failed call
 * checks that nothing changed: no task was created, the tasks made before
 * are as they were, and capacity, policy, limits and counters are intact.
 *
 * Runs as root inside the test VM; the unprivileged cases run in a child
 * that switched to uid 65534 (the device is made 0666 for them).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
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
#define NO_SUCH_TASK	(1ULL << 62)

/* A task the agent of the fixture can hold. */
static void small_task(struct llmsched_task_submit *t)
{
	ls_task_init(t, LLMSCHED_PRIO_DEFAULT, LS_CPUS(1), LS_GB(1), LS_SEC(1));
}

FIXTURE(uapi) {
	int fd;			/* root's file; never an agent */
	struct ls_agent agent;	/* registered: 4 slots, 8 CPUs, 32 GB */
	struct ls_agent spare;	/* cgroup and process; file not an agent */
	__u64 ids[2];		/* a task not ended, a cancelled task */
	__u64 cancel_id;	/* the task the CANCEL checks use */
	struct ls_snapshot snap;
	struct llmsched_task_submit batch[2];
	struct llmsched_task_info list[4];
	struct llmsched_agent_info agents[4];
	struct llmsched_load_entry load;
	char payload[256];
	size_t page;
	char *buf;		/* 2 pages read-write, then 1 PROT_NONE */
};

FIXTURE_SETUP(uapi)
{
	self->fd = -1;
	ASSERT_EQ(0, llmsched_module_ensure_loaded());
	self->fd = ls_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ls_reset(self->fd, HOST_CPU, HOST_MEM));
	ASSERT_EQ(0, ls_agent_spawn(&self->agent, 4, AGENT_CPU, AGENT_MEM, 0));
	ASSERT_EQ(0, ls_agent_spawn(&self->spare, 1, LS_CPUS(1), LS_GB(1), 0));
	ASSERT_EQ(0, ls_agent_unregister(self->spare.fd));
	ASSERT_EQ(0, ls_submit_simple(self->fd, LLMSCHED_PRIO_DEFAULT,
				      LS_CPUS(1), LS_GB(1), LS_SEC(1),
				      &self->ids[0]));
	ASSERT_EQ(0, ls_submit_simple(self->fd, LLMSCHED_PRIO_DEFAULT,
				      LS_CPUS(1), LS_GB(1), LS_SEC(1),
				      &self->ids[1]));
	ASSERT_EQ(0, ls_cancel(self->fd, self->ids[1]));
	self->page = sysconf(_SC_PAGESIZE);
	self->buf = mmap(NULL, 3 * self->page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
	ASSERT_EQ(0, mprotect(self->buf + 2 * self->page, self->page,
			      PROT_NONE));
}

FIXTURE_TEARDOWN(uapi)
{
	if (self->fd >= 0) {
		ls_cancel_all(self->fd);
		ls_set_limits(self->fd, LS_DEF_MAX_TASKS, LS_DEF_MAX_PER_USER,
			      LS_DEF_HEARTBEAT_MS);
	}
	ls_agent_destroy(&self->agent);
	ls_agent_destroy(&self->spare);
	if (self->buf && self->buf != MAP_FAILED)
		munmap(self->buf, 3 * self->page);
	if (self->fd >= 0)
		close(self->fd);
}

/* Take the reference snapshot, tracking the fixture's two tasks. */
#define SNAPSHOT() \
	ASSERT_EQ(0, ls_snapshot_take(self->fd, &self->snap, self->ids, 2))

/* After a failed call: no task created, nothing else changed. */
#define EXPECT_NOTHING_LOST(what) do {					\
		char _why[160] = "";					\
		EXPECT_EQ(0, ls_snapshot_check(self->fd, &self->snap,	\
					       _why, sizeof(_why)))	\
			TH_LOG("%s: %s", what, _why);			\
	} while (0)

/* Expect @call to fail with @err and change nothing. */
#define EXPECT_FAILS(err, call, what) do {				\
		EXPECT_EQ(err, call) TH_LOG("%s", what);		\
		EXPECT_NOTHING_LOST(what);				\
	} while (0)

/* ------------------------------------------------------ per-ioctl table */

enum which_fd { FD_ADMIN, FD_AGENT, FD_SPARE };

struct ioc_desc {
	const char *name;
	unsigned long cmd;
	size_t size;
	enum which_fd fd;
	__u32 first_bad_flag;
	size_t rsv_off, rsv_len;	/* rsv_len 0: no __reserved field */
	/* Write a valid argument (size excluded) at @arg; 0 or -errno. */
	int (*fill)(FIXTURE_DATA(uapi) *self, void *arg);
	int good;			/* what the valid argument gives */
};

/* The fixture's agent may have been unregistered by a previous call. */
static int ensure_agent(FIXTURE_DATA(uapi) *self)
{
	int ret = ls_agent_heartbeat(self->agent.fd);

	if (ret != -EBADFD)
		return ret;
	return ls_agent_register(self->agent.fd, self->agent.pid,
				 self->agent.cg.fd, 4, AGENT_CPU, AGENT_MEM, 0,
				 &self->agent.id);
}

static int fill_none(FIXTURE_DATA(uapi) *self, void *arg)
{
	return 0;
}

static int fill_submit(FIXTURE_DATA(uapi) *self, void *arg)
{
	struct llmsched_task_submit *t = arg;

	small_task(t);
	t->payload_ptr = (uintptr_t)self->payload;
	t->payload_len = 16;
	return 0;
}

static int fill_batch(FIXTURE_DATA(uapi) *self, void *arg)
{
	struct llmsched_submit_batch *b = arg;

	small_task(&self->batch[0]);
	small_task(&self->batch[1]);
	b->count = 2;
	b->entry_size = sizeof(self->batch[0]);
	b->entries_ptr = (uintptr_t)self->batch;
	return 0;
}

/* A task to cancel: the same one until a call cancelled it. */
static int fill_cancel(FIXTURE_DATA(uapi) *self, void *arg)
{
	struct llmsched_task_cancel *c = arg;
	struct llmsched_task_info info;

	if (!self->cancel_id || ls_query(self->fd, self->cancel_id, &info) ||
	    ls_state_is_terminal(info.state)) {
		int ret = ls_submit_simple(self->fd, LLMSCHED_PRIO_DEFAULT,
					   LS_CPUS(1), LS_GB(1), LS_SEC(1),
					   &self->cancel_id);
		if (ret)
			return ret;
	}
	c->task_id = self->cancel_id;
	return 0;
}

static int fill_query(FIXTURE_DATA(uapi) *self, void *arg)
{
	struct llmsched_task_info *i = arg;

	i->task_id = self->ids[0];
	return 0;
}

static int fill_wait(FIXTURE_DATA(uapi) *self, void *arg)
{
	struct llmsched_task_wait *w = arg;

	w->task_id = self->ids[1];	/* ended: the wait returns at once */
	return 0;
}

static int fill_list(FIXTURE_DATA(uapi) *self, void *arg)
{
	struct llmsched_task_list *l = arg;

	l->count = LS_ARRAY_SIZE(self->list);
	l->entry_size = sizeof(self->list[0]);
	l->entries_ptr = (uintptr_t)self->list;
	return 0;
}

static int fill_register(FIXTURE_DATA(uapi) *self, void *arg)
{
	struct llmsched_agent_register *r = arg;

	ls_agent_unregister(self->spare.fd);
	r->pid = self->spare.pid;
	r->cgroup_fd = self->spare.cg.fd;
	r->slots = 1;
	r->capacity[LLMSCHED_RES_CPU] = LS_CPUS(1);
	r->capacity[LLMSCHED_RES_MEM] = LS_GB(1);
	return 0;
}

static int fill_fetch(FIXTURE_DATA(uapi) *self, void *arg)
{
	struct llmsched_agent_fetch *f = arg;
	int ret;

	/* Nothing assigned: the fetch finds nothing (EAGAIN). */
	ret = ls_cancel_all(self->fd);
	if (ret < 0)
		return ret;
	f->payload_ptr = (uintptr_t)self->payload;
	f->payload_len = sizeof(self->payload);
	return ensure_agent(self);
}

static int fill_agent_task(FIXTURE_DATA(uapi) *self, void *arg)
{
	struct llmsched_agent_task *t = arg;

	t->task_id = NO_SUCH_TASK;
	return ensure_agent(self);
}

static int fill_complete(FIXTURE_DATA(uapi) *self, void *arg)
{
	struct llmsched_agent_complete *c = arg;

	c->task_id = NO_SUCH_TASK;
	return ensure_agent(self);
}

static int fill_agent(FIXTURE_DATA(uapi) *self, void *arg)
{
	return ensure_agent(self);
}

static int fill_load(FIXTURE_DATA(uapi) *self, void *arg)
{
	struct llmsched_load_report *l = arg;
	int ret = ensure_agent(self);

	self->load.agent_id = self->agent.id;
	self->load.load = 512;
	l->count = 1;
	l->entry_size = sizeof(self->load);
	l->entries_ptr = (uintptr_t)&self->load;
	return ret;
}

static int fill_capacity(FIXTURE_DATA(uapi) *self, void *arg)
{
	struct llmsched_capacity *c = arg;

	c->capacity[LLMSCHED_RES_CPU] = HOST_CPU;
	c->capacity[LLMSCHED_RES_MEM] = HOST_MEM;
	return 0;
}

/* The spare agent registered again, to be drained (and undrained). */
static int fill_drain(FIXTURE_DATA(uapi) *self, void *arg)
{
	struct llmsched_agent_drain *d = arg;
	int ret;

	ls_agent_unregister(self->spare.fd);
	ret = ls_agent_register(self->spare.fd, self->spare.pid,
				self->spare.cg.fd, 1, LS_CPUS(1), LS_GB(1), 0,
				&self->spare.id);
	d->agent_id = self->spare.id;
	return ret;
}

/* The fixture's agent, resized to what it is. */
static int fill_resize(FIXTURE_DATA(uapi) *self, void *arg)
{
	struct llmsched_agent_resize *r = arg;
	int ret = ensure_agent(self);

	r->agent_id = self->agent.id;
	r->slots = 4;
	r->capacity[LLMSCHED_RES_CPU] = AGENT_CPU;
	r->capacity[LLMSCHED_RES_MEM] = AGENT_MEM;
	return ret;
}

static int fill_agent_list(FIXTURE_DATA(uapi) *self, void *arg)
{
	struct llmsched_agent_list *l = arg;

	l->count = LS_ARRAY_SIZE(self->agents);
	l->entry_size = sizeof(self->agents[0]);
	l->entries_ptr = (uintptr_t)self->agents;
	return 0;
}

static int fill_confirm(FIXTURE_DATA(uapi) *self, void *arg)
{
	struct llmsched_agent_confirm *c = arg;

	c->task_id = NO_SUCH_TASK;
	c->kind = LLMSCHED_CONTROL_KILL;
	return ensure_agent(self);
}

static int fill_estimator(FIXTURE_DATA(uapi) *self, void *arg)
{
	struct llmsched_estimator *e = arg;

	e->nr_coeffs = 1;
	e->coeff[0] = (__s64)LS_SEC(1) << LLMSCHED_ESTIMATOR_SHIFT;
	return 0;
}

#define IOC(_name, _cmd, _type, _fd, _bad, _fill, _good)		\
	{ .name = _name, .cmd = _cmd, .size = sizeof(struct _type),	\
	  .fd = _fd, .first_bad_flag = _bad, .fill = _fill,		\
	  .good = _good }
#define IOC_RSV(_name, _cmd, _type, _fd, _bad, _fill, _good)		\
	{ .name = _name, .cmd = _cmd, .size = sizeof(struct _type),	\
	  .fd = _fd, .first_bad_flag = _bad, .fill = _fill,		\
	  .good = _good,						\
	  .rsv_off = offsetof(struct _type, __reserved),		\
	  .rsv_len = sizeof(((struct _type *)0)->__reserved) }

static const struct ioc_desc ioctls[] = {
	IOC("VERSION", LLMSCHED_IOC_VERSION, llmsched_version, FD_ADMIN,
	    1U << 0, fill_none, 0),
	IOC_RSV("SUBMIT", LLMSCHED_IOC_SUBMIT, llmsched_task_submit, FD_ADMIN,
		1U << 1, fill_submit, 0),
	IOC_RSV("SUBMIT_BATCH", LLMSCHED_IOC_SUBMIT_BATCH,
		llmsched_submit_batch, FD_ADMIN, 1U << 0, fill_batch, 0),
	IOC("CANCEL", LLMSCHED_IOC_CANCEL, llmsched_task_cancel, FD_ADMIN,
	    1U << 0, fill_cancel, 0),
	/* Only @task_id and @flags are read: the rest is the answer. */
	IOC("TASK_QUERY", LLMSCHED_IOC_TASK_QUERY, llmsched_task_info,
	    FD_ADMIN, 1U << 0, fill_query, 0),
	IOC_RSV("TASK_WAIT", LLMSCHED_IOC_TASK_WAIT, llmsched_task_wait,
		FD_ADMIN, 1U << 0, fill_wait, 0),
	IOC_RSV("TASK_LIST", LLMSCHED_IOC_TASK_LIST, llmsched_task_list,
		FD_ADMIN, 1U << 2, fill_list, 0),
	IOC("GET_CAPACITY", LLMSCHED_IOC_GET_CAPACITY, llmsched_capacity,
	    FD_ADMIN, 1U << 0, fill_none, 0),
	IOC("GET_POLICY", LLMSCHED_IOC_GET_POLICY, llmsched_policy, FD_ADMIN,
	    1U << 0, fill_none, 0),
	IOC_RSV("GET_ESTIMATOR", LLMSCHED_IOC_GET_ESTIMATOR,
		llmsched_estimator, FD_ADMIN, 1U << 0, fill_none, 0),
	IOC_RSV("GET_LIMITS", LLMSCHED_IOC_GET_LIMITS, llmsched_limits,
		FD_ADMIN, 1U << 0, fill_none, 0),
	IOC_RSV("AGENT_REGISTER", LLMSCHED_IOC_AGENT_REGISTER,
		llmsched_agent_register, FD_SPARE, 1U << 0, fill_register, 0),
	IOC_RSV("AGENT_FETCH", LLMSCHED_IOC_AGENT_FETCH, llmsched_agent_fetch,
		FD_AGENT, 1U << 0, fill_fetch, -EAGAIN),
	IOC("AGENT_START", LLMSCHED_IOC_AGENT_START, llmsched_agent_task,
	    FD_AGENT, 1U << 0, fill_agent_task, -ENOENT),
	IOC("AGENT_COMPLETE", LLMSCHED_IOC_AGENT_COMPLETE,
	    llmsched_agent_complete, FD_AGENT, 1U << 1, fill_complete,
	    -ENOENT),
	IOC("AGENT_HEARTBEAT", LLMSCHED_IOC_AGENT_HEARTBEAT,
	    llmsched_agent_heartbeat, FD_AGENT, 1U << 0, fill_agent, 0),
	IOC("AGENT_UNREGISTER", LLMSCHED_IOC_AGENT_UNREGISTER,
	    llmsched_agent_unregister, FD_AGENT, 1U << 0, fill_agent, 0),
	IOC("AGENT_CONTROL", LLMSCHED_IOC_AGENT_CONTROL,
	    llmsched_agent_control, FD_AGENT, 1U << 0, fill_agent, -EAGAIN),
	IOC_RSV("AGENT_CONFIRM", LLMSCHED_IOC_AGENT_CONFIRM,
		llmsched_agent_confirm, FD_AGENT, 1U << 0, fill_confirm,
		-ENOENT),
	IOC("LOAD_REPORT", LLMSCHED_IOC_LOAD_REPORT, llmsched_load_report,
	    FD_ADMIN, 1U << 0, fill_load, 0),
	IOC("AGENT_LIST", LLMSCHED_IOC_AGENT_LIST, llmsched_agent_list,
	    FD_ADMIN, 1U << 0, fill_agent_list, 0),
	IOC_RSV("AGENT_DRAIN", LLMSCHED_IOC_AGENT_DRAIN, llmsched_agent_drain,
		FD_ADMIN, 1U << 1, fill_drain, 0),
	IOC("AGENT_RESIZE", LLMSCHED_IOC_AGENT_RESIZE, llmsched_agent_resize,
	    FD_ADMIN, 1U << 0, fill_resize, 0),
	IOC("SET_CAPACITY", LLMSCHED_IOC_SET_CAPACITY, llmsched_capacity,
	    FD_ADMIN, 1U << 0, fill_capacity, 0),
	IOC("SET_POLICY", LLMSCHED_IOC_SET_POLICY, llmsched_policy, FD_ADMIN,
	    1U << 2, fill_none, 0),
	IOC_RSV("SET_ESTIMATOR", LLMSCHED_IOC_SET_ESTIMATOR,
		llmsched_estimator, FD_ADMIN, 1U << 0, fill_estimator, 0),
	IOC_RSV("SET_LIMITS", LLMSCHED_IOC_SET_LIMITS, llmsched_limits,
		FD_ADMIN, 1U << 1, fill_none, 0),
};

static int desc_fd(FIXTURE_DATA(uapi) *self, const struct ioc_desc *d)
{
	switch (d->fd) {
	case FD_AGENT:
		return self->agent.fd;
	case FD_SPARE:
		return self->spare.fd;
	default:
		return self->fd;
	}
}

/* Fill a fresh valid argument for @d at @arg (zeroed over @span bytes). */
static int refill(FIXTURE_DATA(uapi) *self, const struct ioc_desc *d,
		  char *arg, size_t span, __u32 size)
{
	int ret;

	memset(arg, 0, span);
	ret = d->fill(self, arg);
	*(__u32 *)arg = size;
	return ret;
}

/*
 * The smallest @size the kernel takes: the structure's first version.
 * Equal to sizeof but for the structures that grew since 1.0.
 */
static size_t first_size(const struct ioc_desc *d)
{
	if (d->cmd == LLMSCHED_IOC_AGENT_FETCH)
		return LLMSCHED_AGENT_FETCH_SIZE_VER0;
	if (d->cmd == LLMSCHED_IOC_LOAD_REPORT)
		return LLMSCHED_LOAD_REPORT_SIZE_VER0;
	return d->size;
}

static void check_one_ioctl(struct __test_metadata *_metadata,
			    FIXTURE_DATA(uapi) *self, const struct ioc_desc *d)
{
	char *buf = self->buf, *unmapped, *edge, what[96];
	size_t page = self->page, i;
	int fd = desc_fd(self, d), ret;
	__u32 *flags = (__u32 *)(buf + 4);

	/* An address with nothing mapped. */
	unmapped = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	ASSERT_NE(MAP_FAILED, unmapped);
	ASSERT_EQ(0, munmap(unmapped, page));

	ASSERT_EQ(0, refill(self, d, buf, 2 * page, d->size))
		TH_LOG("%s: fill", d->name);
	SNAPSHOT();

	snprintf(what, sizeof(what), "%s: NULL argument", d->name);
	EXPECT_FAILS(-EFAULT, ls_ioctl(fd, d->cmd, NULL), what);
	snprintf(what, sizeof(what), "%s: unmapped argument", d->name);
	EXPECT_FAILS(-EFAULT, ls_ioctl(fd, d->cmd, unmapped), what);

	/* @size readable, the rest of the structure not. */
	edge = buf + 2 * page - sizeof(__u32);
	*(__u32 *)edge = d->size;
	snprintf(what, sizeof(what), "%s: argument crosses into PROT_NONE",
		 d->name);
	EXPECT_FAILS(-EFAULT, ls_ioctl(fd, d->cmd, edge), what);

	ASSERT_EQ(0, refill(self, d, buf, 2 * page, 0));
	snprintf(what, sizeof(what), "%s: size 0", d->name);
	EXPECT_FAILS(-EINVAL, ls_ioctl(fd, d->cmd, buf), what);
	ASSERT_EQ(0, refill(self, d, buf, 2 * page, sizeof(__u32)));
	snprintf(what, sizeof(what), "%s: size 4", d->name);
	EXPECT_FAILS(-EINVAL, ls_ioctl(fd, d->cmd, buf), what);
	ASSERT_EQ(0, refill(self, d, buf, 2 * page, first_size(d) - 1));
	snprintf(what, sizeof(what), "%s: size %zu (one short)", d->name,
		 first_size(d) - 1);
	EXPECT_FAILS(-EINVAL, ls_ioctl(fd, d->cmd, buf), what);

	ASSERT_EQ(0, refill(self, d, buf, 2 * page, page + 1));
	snprintf(what, sizeof(what), "%s: size PAGE_SIZE + 1", d->name);
	EXPECT_FAILS(-E2BIG, ls_ioctl(fd, d->cmd, buf), what);
	ASSERT_EQ(0, refill(self, d, buf, 2 * page, ~0U));
	snprintf(what, sizeof(what), "%s: size 0xffffffff", d->name);
	EXPECT_FAILS(-E2BIG, ls_ioctl(fd, d->cmd, buf), what);

	/* A newer caller's fields, set: the kernel cannot honour them. */
	ASSERT_EQ(0, refill(self, d, buf, 2 * page, d->size + 8));
	buf[d->size] = 1;
	snprintf(what, sizeof(what), "%s: non-zero first byte past sizeof",
		 d->name);
	EXPECT_FAILS(-E2BIG, ls_ioctl(fd, d->cmd, buf), what);
	ASSERT_EQ(0, refill(self, d, buf, 2 * page, d->size + 8));
	buf[d->size + 7] = 0x80;
	snprintf(what, sizeof(what), "%s: non-zero last byte past sizeof",
		 d->name);
	EXPECT_FAILS(-E2BIG, ls_ioctl(fd, d->cmd, buf), what);
	ASSERT_EQ(0, refill(self, d, buf, 2 * page, page));
	buf[page - 1] = 1;
	snprintf(what, sizeof(what), "%s: size PAGE_SIZE, last byte set",
		 d->name);
	EXPECT_FAILS(-E2BIG, ls_ioctl(fd, d->cmd, buf), what);

	/* Unknown flags: the first undefined bit and the top one. */
	ASSERT_EQ(0, refill(self, d, buf, 2 * page, d->size));
	*flags |= d->first_bad_flag;
	snprintf(what, sizeof(what), "%s: flag %#x", d->name,
		 d->first_bad_flag);
	EXPECT_FAILS(-EINVAL, ls_ioctl(fd, d->cmd, buf), what);
	ASSERT_EQ(0, refill(self, d, buf, 2 * page, d->size));
	*flags |= 1U << 31;
	snprintf(what, sizeof(what), "%s: flag 1 << 31", d->name);
	EXPECT_FAILS(-EINVAL, ls_ioctl(fd, d->cmd, buf), what);

	/* Every byte of __reserved counts. */
	for (i = 0; i < d->rsv_len; i++) {
		ASSERT_EQ(0, refill(self, d, buf, 2 * page, d->size));
		buf[d->rsv_off + i] = 1;
		snprintf(what, sizeof(what), "%s: __reserved byte %zu set",
			 d->name, i);
		EXPECT_FAILS(-EINVAL, ls_ioctl(fd, d->cmd, buf), what);
	}

	/* The valid argument, at its size, larger with a zero tail, and
	 * at one page with a zero tail: the same answer each time, and
	 * nothing written past @size.
	 */
	ASSERT_EQ(0, refill(self, d, buf, 2 * page, d->size));
	EXPECT_EQ(d->good, ls_ioctl(fd, d->cmd, buf))
		TH_LOG("%s: valid argument", d->name);

	ASSERT_EQ(0, refill(self, d, buf, 2 * page, d->size + 8));
	memset(buf + d->size + 8, 0xa5, 64);
	ret = ls_ioctl(fd, d->cmd, buf);
	EXPECT_EQ(d->good, ret) TH_LOG("%s: size + 8, zero tail", d->name);
	for (i = d->size; i < d->size + 8; i++)
		EXPECT_EQ(0, buf[i]) TH_LOG("%s: tail byte %zu written",
					    d->name, i);
	for (i = d->size + 8; i < d->size + 8 + 64; i++)
		EXPECT_EQ((char)0xa5, buf[i])
			TH_LOG("%s: byte %zu past size written", d->name, i);

	ASSERT_EQ(0, refill(self, d, buf, 2 * page, page));
	EXPECT_EQ(d->good, ls_ioctl(fd, d->cmd, buf))
		TH_LOG("%s: size PAGE_SIZE, zero tail", d->name);
}

/*
 * The checks every call makes, in every call: pointers (EFAULT), size
 * (EINVAL below, E2BIG above a page or with unknown fields set, accepted
 * with a zero tail), flags and __reserved (EINVAL).
 */
TEST_F_TIMEOUT(uapi, every_ioctl_checks_pointer_size_flags_and_reserved, 120)
{
	unsigned int i;

	for (i = 0; i < LS_ARRAY_SIZE(ioctls); i++)
		check_one_ioctl(_metadata, self, &ioctls[i]);
}

/* The ioctl numbers carry no size; anything else is ENOTTY. */
TEST_F(uapi, unknown_command_is_enotty)
{
	unsigned long cmds[] = {
		_IO(LLMSCHED_IOCTL_MAGIC, 0x0b),
		_IO(LLMSCHED_IOCTL_MAGIC, 0x14),
		_IO(LLMSCHED_IOCTL_MAGIC, 0x2c),
		_IO(LLMSCHED_IOCTL_MAGIC, 0x44),
		_IO(LLMSCHED_IOCTL_MAGIC, 0x7f),
		_IO(LLMSCHED_IOCTL_MAGIC, 0xff),
		/* The right number with a size encoded: a different command. */
		_IOWR(LLMSCHED_IOCTL_MAGIC, 0x01,
		      struct llmsched_task_submit),
		_IOW(LLMSCHED_IOCTL_MAGIC, 0x00, struct llmsched_version),
		_IO(LLMSCHED_IOCTL_MAGIC + 1, 0x01),
		_IO('T', 0x01),
		0,
	};
	struct llmsched_task_submit t;
	unsigned int i;

	SNAPSHOT();
	for (i = 0; i < LS_ARRAY_SIZE(cmds); i++) {
		small_task(&t);
		EXPECT_FAILS(-ENOTTY, ls_ioctl(self->fd, cmds[i], &t),
			     "unknown command");
		EXPECT_FAILS(-ENOTTY, ls_ioctl(self->fd, cmds[i], NULL),
			     "unknown command, NULL");
	}
}

TEST_F(uapi, version_reports_module_version)
{
	struct llmsched_version v;

	LS_INIT(v);
	ASSERT_EQ(0, ls_ioctl(self->fd, LLMSCHED_IOC_VERSION, &v));
	EXPECT_EQ(sizeof(v), v.size);
	EXPECT_EQ(0U, v.flags);
	EXPECT_EQ(LLMSCHED_VERSION_MAJOR, v.major);
	EXPECT_EQ(LLMSCHED_VERSION_MINOR, v.minor);
	EXPECT_EQ(LLMSCHED_VERSION_PATCH, v.patch);
	EXPECT_EQ(LLMSCHED_RES_KNOWN, v.res_known);
}

/* The checks are made in a fixed order, so each errno means one thing. */
TEST_F(uapi, common_checks_ordering)
{
	struct {
		struct llmsched_task_submit t;
		char tail[8];
	} big;

	SNAPSHOT();
	/* Unknown command (0x3f: no range holds it) before the argument. */
	EXPECT_FAILS(-ENOTTY, ls_ioctl(self->fd, _IO(LLMSCHED_IOCTL_MAGIC,
						       0x3f), (void *)8),
		     "ENOTTY before EFAULT");
	/* The size before the flags and the content. */
	memset(&big, 0, sizeof(big));
	small_task(&big.t);
	big.t.size = sizeof(big);
	big.tail[0] = 1;
	big.t.flags = 1U << 30;
	big.t.priority = 1000;
	EXPECT_FAILS(-E2BIG, ls_ioctl(self->fd, LLMSCHED_IOC_SUBMIT, &big.t),
		     "E2BIG before flags");
	big.t.size = sizeof(big.t) - 8;
	EXPECT_FAILS(-EINVAL, ls_ioctl(self->fd, LLMSCHED_IOC_SUBMIT, &big.t),
		     "short size with bad flags");
	/* Flags and __reserved before the content (content would be
	 * ENOSPC: no agent has that much).
	 */
	small_task(&big.t);
	big.t.demand[LLMSCHED_RES_CPU] = LS_CPUS(1000);
	big.t.flags = 1U << 30;
	EXPECT_FAILS(-EINVAL, ls_submit(self->fd, &big.t),
		     "flags before ENOSPC");
	small_task(&big.t);
	big.t.demand[LLMSCHED_RES_CPU] = LS_CPUS(1000);
	big.t.__reserved = 1;
	EXPECT_FAILS(-EINVAL, ls_submit(self->fd, &big.t),
		     "__reserved before ENOSPC");
	small_task(&big.t);
	big.t.demand[LLMSCHED_RES_CPU] = LS_CPUS(1000);
	EXPECT_FAILS(-ENOSPC, ls_submit(self->fd, &big.t), "ENOSPC alone");
}

/* --------------------------------------------------------------- SUBMIT */

TEST_F(uapi, submit_rejects_bad_content)
{
	struct llmsched_task_submit t;
	struct llmsched_task_info info;

	SNAPSHOT();
#define BAD_SUBMIT(err, stmt) do {				\
		small_task(&t);					\
		stmt;						\
		EXPECT_FAILS(err, ls_submit(self->fd, &t), #stmt);	\
		EXPECT_EQ(0ULL, t.task_id) TH_LOG("id written: " #stmt); \
	} while (0)

	BAD_SUBMIT(-EINVAL, t.priority = LLMSCHED_PRIO_MAX + 1);
	BAD_SUBMIT(-EINVAL, t.priority = ~0U);
	BAD_SUBMIT(-EINVAL, t.retries = 17);
	BAD_SUBMIT(-EINVAL, t.demand[LLMSCHED_RES_CPU] = 0;
			    t.demand[LLMSCHED_RES_MEM] = 0);
	BAD_SUBMIT(-EINVAL, t.demand[LLMSCHED_RES_KNOWN] = 1);
	BAD_SUBMIT(-EINVAL, t.demand[LLMSCHED_RES_MAX - 1] = 1);
	BAD_SUBMIT(-EINVAL, t.demand[LLMSCHED_RES_CPU] = (1ULL << 48) + 1);
	BAD_SUBMIT(-EINVAL, t.demand[LLMSCHED_RES_GPU_MEM] = ~0ULL);
	BAD_SUBMIT(-EINVAL, t.nr_features = LLMSCHED_FEATURES_MAX + 1);
	BAD_SUBMIT(-EINVAL, t.nr_features = 2; t.features[2] = 1);
	BAD_SUBMIT(-EINVAL, t.features[LLMSCHED_FEATURES_MAX - 1] = 1);
	BAD_SUBMIT(-EINVAL, t.est_runtime_ns = 0);
	BAD_SUBMIT(-E2BIG, t.payload_ptr = (uintptr_t)self->payload;
			   t.payload_len = LLMSCHED_PAYLOAD_MAX + 1);
	BAD_SUBMIT(-E2BIG, t.payload_len = ~0U);
	BAD_SUBMIT(-EINVAL, t.nr_deps = LLMSCHED_DEPS_MAX + 1);
	BAD_SUBMIT(-EINVAL, t.nr_deps = ~0U);
	BAD_SUBMIT(-EINVAL, t.flags = 1U << 1);
	BAD_SUBMIT(-EINVAL, t.__reserved = 1);

	/* The limits themselves are accepted. */
	small_task(&t);
	t.priority = LLMSCHED_PRIO_MAX;
	t.retries = 16;
	t.flags = LLMSCHED_SUBMIT_PREEMPTIBLE;
	ASSERT_EQ(0, ls_submit(self->fd, &t));
	EXPECT_NE(0ULL, t.task_id);
	ASSERT_EQ(0, ls_query(self->fd, t.task_id, &info));
	EXPECT_EQ(LLMSCHED_PRIO_MAX, info.priority);
	EXPECT_EQ(16U, info.retries_left);
	EXPECT_EQ(LLMSCHED_SUBMIT_PREEMPTIBLE, info.submit_flags);
	small_task(&t);
	t.priority = LLMSCHED_PRIO_MIN;
	ASSERT_EQ(0, ls_submit(self->fd, &t));
	/* est 0 with features: the estimator gives the estimate. */
	small_task(&t);
	t.est_runtime_ns = 0;
	t.nr_features = 1;
	t.features[0] = 10;
	ASSERT_EQ(0, ls_submit(self->fd, &t));
	/* A payload length of 0 ignores the pointer. */
	small_task(&t);
	t.payload_ptr = 0xdead0000;
	ASSERT_EQ(0, ls_submit(self->fd, &t));
#undef BAD_SUBMIT
}

/* 2^48 is still a valid number, but no agent has that much. */
TEST_F(uapi, submit_demand_above_every_agent_is_enospc)
{
	struct llmsched_task_submit t;

	SNAPSHOT();
	small_task(&t);
	t.demand[LLMSCHED_RES_CPU] = 1ULL << 48;
	EXPECT_FAILS(-ENOSPC, ls_submit(self->fd, &t), "cpu 2^48");
	small_task(&t);
	t.demand[LLMSCHED_RES_CPU] = AGENT_CPU + 1;
	EXPECT_FAILS(-ENOSPC, ls_submit(self->fd, &t), "cpu above agent");
	small_task(&t);
	t.demand[LLMSCHED_RES_MEM] = AGENT_MEM + 1;
	EXPECT_FAILS(-ENOSPC, ls_submit(self->fd, &t), "mem above agent");
	small_task(&t);
	t.demand[LLMSCHED_RES_GPU] = 1;
	EXPECT_FAILS(-ENOSPC, ls_submit(self->fd, &t), "gpu, agent has none");
	small_task(&t);
	t.tags = 1;
	EXPECT_FAILS(-ENOSPC, ls_submit(self->fd, &t), "tag no agent has");

	/* Exactly the agent's capacity fits. */
	small_task(&t);
	t.demand[LLMSCHED_RES_CPU] = AGENT_CPU;
	t.demand[LLMSCHED_RES_MEM] = AGENT_MEM;
	EXPECT_EQ(0, ls_submit(self->fd, &t));

	/* With no agent at all, nothing fits. */
	ASSERT_LE(0, ls_cancel_all(self->fd));
	ls_agent_destroy(&self->agent);
	SNAPSHOT();
	small_task(&t);
	EXPECT_FAILS(-ENOSPC, ls_submit(self->fd, &t), "no agent");
}

TEST_F(uapi, submit_bad_pointers_are_efault)
{
	struct llmsched_task_submit t;
	char *unmapped;
	__u64 deps[1];

	unmapped = mmap(NULL, self->page, PROT_READ,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, unmapped);
	ASSERT_EQ(0, munmap(unmapped, self->page));
	SNAPSHOT();

	small_task(&t);
	t.payload_len = 10;
	EXPECT_FAILS(-EFAULT, ls_submit(self->fd, &t), "payload NULL");
	t.payload_ptr = (uintptr_t)unmapped;
	EXPECT_FAILS(-EFAULT, ls_submit(self->fd, &t), "payload unmapped");
	/* The payload's last byte on the PROT_NONE page. */
	t.payload_ptr = (uintptr_t)(self->buf + 2 * self->page - 9);
	EXPECT_FAILS(-EFAULT, ls_submit(self->fd, &t), "payload straddles");
	t.payload_ptr = ~0ULL - 4;
	EXPECT_FAILS(-EFAULT, ls_submit(self->fd, &t), "payload wraps");

	small_task(&t);
	t.nr_deps = 1;
	EXPECT_FAILS(-EFAULT, ls_submit(self->fd, &t), "deps NULL");
	t.deps_ptr = (uintptr_t)unmapped;
	EXPECT_FAILS(-EFAULT, ls_submit(self->fd, &t), "deps unmapped");
	t.nr_deps = 2;
	t.deps_ptr = (uintptr_t)(self->buf + 2 * self->page - 8);
	memcpy(self->buf + 2 * self->page - 8, &self->ids[0], 8);
	EXPECT_FAILS(-EFAULT, ls_submit(self->fd, &t), "deps straddle");

	/* nr_deps 0 ignores the pointer. */
	small_task(&t);
	t.deps_ptr = (uintptr_t)unmapped;
	EXPECT_EQ(0, ls_submit(self->fd, &t));
	deps[0] = self->ids[0];
	small_task(&t);
	t.nr_deps = 1;
	t.deps_ptr = (uintptr_t)deps;
	EXPECT_EQ(0, ls_submit(self->fd, &t));
}

TEST_F(uapi, submit_dependency_rules)
{
	struct llmsched_task_submit t;
	struct llmsched_task_info info;
	__u64 deps[LLMSCHED_DEPS_MAX + 1], id;
	unsigned int i;

	for (i = 0; i < LLMSCHED_DEPS_MAX; i++)
		ASSERT_EQ(0, ls_submit_simple(self->fd, 1, LS_CPUS(1),
					      LS_GB(1), LS_SEC(1), &deps[i]));
	SNAPSHOT();

	small_task(&t);
	t.deps_ptr = (uintptr_t)deps;
	t.nr_deps = 2;
	deps[1] = deps[0];
	EXPECT_FAILS(-EINVAL, ls_submit(self->fd, &t), "duplicate dep");
	ASSERT_EQ(0, ls_submit_simple(self->fd, 1, LS_CPUS(1), LS_GB(1),
				      LS_SEC(1), &deps[1]));
	SNAPSHOT();
	deps[2] = NO_SUCH_TASK;
	t.nr_deps = 3;
	EXPECT_FAILS(-ENOENT, ls_submit(self->fd, &t), "unknown dep");
	deps[2] = 0;
	EXPECT_FAILS(-ENOENT, ls_submit(self->fd, &t), "dep id 0");
	/* A duplicate is found whatever its position. */
	deps[2] = deps[0];
	EXPECT_FAILS(-EINVAL, ls_submit(self->fd, &t), "duplicate, apart");
	t.nr_deps = LLMSCHED_DEPS_MAX + 1;
	EXPECT_FAILS(-EINVAL, ls_submit(self->fd, &t), "65 deps");

	/* 64 distinct known deps: accepted, waits in QUEUED. */
	ASSERT_EQ(0, ls_submit_simple(self->fd, 1, LS_CPUS(1), LS_GB(1),
				      LS_SEC(1), &deps[2]));
	t.nr_deps = LLMSCHED_DEPS_MAX;
	ASSERT_EQ(0, ls_submit(self->fd, &t));
	ASSERT_EQ(0, ls_query(self->fd, t.task_id, &info));
	EXPECT_EQ(LLMSCHED_TASK_QUEUED, info.state);
	EXPECT_EQ((__u32)LLMSCHED_DEPS_MAX, info.nr_deps);

	/* Depending on a cancelled task: accepted, failed at once. */
	small_task(&t);
	t.deps_ptr = (uintptr_t)&self->ids[1];
	t.nr_deps = 1;
	ASSERT_EQ(0, ls_submit(self->fd, &t));
	ASSERT_EQ(0, ls_query(self->fd, t.task_id, &info));
	EXPECT_EQ(LLMSCHED_TASK_FAILED, info.state);
	EXPECT_EQ(LLMSCHED_REASON_DEP_FAILED, info.reason);
	id = t.task_id;
	EXPECT_EQ(-EALREADY, ls_cancel(self->fd, id));
}

/* Content checks come in the documented order. */
TEST_F(uapi, submit_checks_ordering)
{
	struct llmsched_task_submit t;
	__u64 unknown = NO_SUCH_TASK;

	ASSERT_EQ(0, ls_set_limits(self->fd, 0, 2, 0));
	SNAPSHOT();
	/* priority before payload size */
	small_task(&t);
	t.priority = 256;
	t.payload_len = LLMSCHED_PAYLOAD_MAX + 1;
	EXPECT_FAILS(-EINVAL, ls_submit(self->fd, &t), "prio, payload");
	/* demand before payload size */
	small_task(&t);
	t.demand[LLMSCHED_RES_CPU] = 0;
	t.demand[LLMSCHED_RES_MEM] = 0;
	t.payload_len = LLMSCHED_PAYLOAD_MAX + 1;
	EXPECT_FAILS(-EINVAL, ls_submit(self->fd, &t), "demand, payload");
	/* payload size before the dependency count */
	small_task(&t);
	t.payload_len = LLMSCHED_PAYLOAD_MAX + 1;
	t.nr_deps = 100;
	EXPECT_FAILS(-E2BIG, ls_submit(self->fd, &t), "payload, nr_deps");
	/* payload pointer before unknown dependency */
	small_task(&t);
	t.payload_len = 8;
	t.nr_deps = 1;
	t.deps_ptr = (uintptr_t)&unknown;
	EXPECT_FAILS(-EFAULT, ls_submit(self->fd, &t), "payload ptr, dep");
	/* unknown dependency before "no agent can hold it" */
	small_task(&t);
	t.demand[LLMSCHED_RES_GPU] = 1;
	t.nr_deps = 1;
	t.deps_ptr = (uintptr_t)&unknown;
	EXPECT_FAILS(-ENOENT, ls_submit(self->fd, &t), "dep, ENOSPC");
	/* "no agent can hold it" before the limits */
	ASSERT_EQ(0, ls_submit_simple(self->fd, 1, LS_CPUS(1), LS_GB(1),
				      LS_SEC(1), NULL));
	SNAPSHOT();
	small_task(&t);
	t.demand[LLMSCHED_RES_GPU] = 1;
	EXPECT_FAILS(-ENOSPC, ls_submit(self->fd, &t), "ENOSPC, EDQUOT");
	small_task(&t);
	EXPECT_FAILS(-EDQUOT, ls_submit(self->fd, &t), "EDQUOT alone");
}

/* --------------------------------------------------------- SUBMIT_BATCH */

TEST_F(uapi, submit_batch_is_all_or_nothing)
{
	struct llmsched_task_submit t[5];
	struct llmsched_task_info info;
	__u64 unknown = NO_SUCH_TASK;
	__u32 idx, i, j;
	char *unmapped;

	unmapped = mmap(NULL, self->page, PROT_READ,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, unmapped);
	ASSERT_EQ(0, munmap(unmapped, self->page));
	SNAPSHOT();

#define BAD_ENTRY(err, bad, stmt) do {					\
		for (i = 0; i < 5; i++)					\
			small_task(&t[i]);				\
		{ struct llmsched_task_submit *e = &t[bad]; stmt; }	\
		EXPECT_FAILS(err, ls_submit_batch_raw(self->fd, t, 5,	\
						      &idx), #stmt);	\
		EXPECT_EQ((__u32)(bad), idx) TH_LOG(#stmt);		\
		for (i = 0; i < 5; i++)					\
			EXPECT_EQ(0ULL, t[i].task_id) TH_LOG(#stmt);	\
	} while (0)

	BAD_ENTRY(-EINVAL, 0, e->priority = 300);
	BAD_ENTRY(-EINVAL, 2, e->priority = 300);
	BAD_ENTRY(-EINVAL, 4, e->priority = 300);
	BAD_ENTRY(-EINVAL, 1, e->size = sizeof(*e) - 8);
	BAD_ENTRY(-EINVAL, 3, e->size = sizeof(*e) + 8);
	BAD_ENTRY(-EINVAL, 2, e->flags = 1U << 5);
	BAD_ENTRY(-EINVAL, 2, e->__reserved = 1);
	BAD_ENTRY(-EINVAL, 3, e->demand[LLMSCHED_RES_CPU] = 0;
		  e->demand[LLMSCHED_RES_MEM] = 0);
	BAD_ENTRY(-E2BIG, 1, e->payload_len = LLMSCHED_PAYLOAD_MAX + 1);
	BAD_ENTRY(-EFAULT, 3, e->payload_len = 4;
		  e->payload_ptr = (uintptr_t)unmapped);
	BAD_ENTRY(-EFAULT, 4, e->nr_deps = 1;
		  e->deps_ptr = (uintptr_t)unmapped);
	BAD_ENTRY(-ENOENT, 4, e->nr_deps = 1;
		  e->deps_ptr = (uintptr_t)&unknown);
	BAD_ENTRY(-ENOSPC, 0, e->demand[LLMSCHED_RES_CPU] = AGENT_CPU + 1);
	BAD_ENTRY(-ENOSPC, 2, e->tags = 1ULL << 63);
#undef BAD_ENTRY

	/* All good: every id written back, distinct, and each task known. */
	for (i = 0; i < 5; i++)
		small_task(&t[i]);
	ASSERT_EQ(0, ls_submit_batch(self->fd, t, 5, &idx));
	EXPECT_EQ(5U, idx);
	for (i = 0; i < 5; i++) {
		EXPECT_NE(0ULL, t[i].task_id);
		for (j = 0; j < i; j++)
			EXPECT_NE(t[j].task_id, t[i].task_id);
		ASSERT_EQ(0, ls_query(self->fd, t[i].task_id, &info));
		EXPECT_FALSE(ls_state_is_terminal(info.state));
	}
}

/*
 * The kernel copies a batch in chunks: an entry at fault in a later chunk
 * still undoes the chunks prepared before it, and is the one named.
 */
TEST_F(uapi, submit_batch_bad_entry_in_a_later_chunk)
{
	static const __u32 bad_at[] = { 64, 130, 257, 299 };
	__u64 unknown = NO_SUCH_TASK;
	struct llmsched_task_submit *t;
	__u32 n = 300, idx, i, b, k;
	char *unmapped;

	t = calloc(n, sizeof(*t));
	ASSERT_NE(NULL, t);
	unmapped = mmap(NULL, self->page, PROT_READ,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, unmapped);
	ASSERT_EQ(0, munmap(unmapped, self->page));
	SNAPSHOT();

	for (b = 0; b < LS_ARRAY_SIZE(bad_at); b++) {
		for (k = 0; k < 3; k++) {
			struct llmsched_task_submit *e = &t[bad_at[b]];
			int err;

			for (i = 0; i < n; i++)
				small_task(&t[i]);
			switch (k) {
			case 0:
				e->priority = 300;
				err = -EINVAL;
				break;
			case 1:
				e->nr_deps = 1;
				e->deps_ptr = (uintptr_t)&unknown;
				err = -ENOENT;
				break;
			default:
				e->payload_len = 4;
				e->payload_ptr = (uintptr_t)unmapped;
				err = -EFAULT;
				break;
			}
			EXPECT_FAILS(err, ls_submit_batch(self->fd, t, n, &idx),
				     "bad entry in a later chunk");
			EXPECT_EQ(bad_at[b], idx) TH_LOG("kind %u", k);
			for (i = 0; i < n; i++)
				ASSERT_EQ(0ULL, t[i].task_id);
		}
	}

	/* The first bad entry is named, whatever is wrong with a later one. */
	for (i = 0; i < n; i++)
		small_task(&t[i]);
	t[70].nr_deps = 1;
	t[70].deps_ptr = (uintptr_t)&unknown;
	t[100].priority = 300;
	EXPECT_FAILS(-ENOENT, ls_submit_batch(self->fd, t, n, &idx),
		     "unknown dependency, then bad priority");
	EXPECT_EQ(70U, idx);
	t[70] = t[100];
	small_task(&t[100]);
	t[100].nr_deps = 1;
	t[100].deps_ptr = (uintptr_t)&unknown;
	EXPECT_FAILS(-EINVAL, ls_submit_batch(self->fd, t, n, &idx),
		     "bad priority, then unknown dependency");
	EXPECT_EQ(70U, idx);
	free(t);
}

TEST_F(uapi, submit_batch_checks_count_and_entry_size)
{
	struct llmsched_submit_batch b;
	struct llmsched_task_submit *t;
	__u32 i, n = LLMSCHED_BATCH_MAX + 1;
	struct ls_stats before, after;

	t = calloc(n, sizeof(*t));
	ASSERT_NE(NULL, t);
	for (i = 0; i < n; i++)
		small_task(&t[i]);
	SNAPSHOT();

	LS_INIT(b);
	b.entry_size = sizeof(*t);
	b.entries_ptr = (uintptr_t)t;
	b.count = 0;
	EXPECT_FAILS(-EINVAL, ls_ioctl(self->fd, LLMSCHED_IOC_SUBMIT_BATCH,
				       &b), "count 0");
	b.count = LLMSCHED_BATCH_MAX + 1;
	EXPECT_FAILS(-EINVAL, ls_ioctl(self->fd, LLMSCHED_IOC_SUBMIT_BATCH,
				       &b), "count 4097");
	b.count = 2;
	b.entry_size = LLMSCHED_TASK_SUBMIT_SIZE_VER0 - 8;
	EXPECT_FAILS(-EINVAL, ls_ioctl(self->fd, LLMSCHED_IOC_SUBMIT_BATCH,
				       &b), "entry_size below the first version");
	b.entry_size = self->page + 8;
	EXPECT_FAILS(-EINVAL, ls_ioctl(self->fd, LLMSCHED_IOC_SUBMIT_BATCH,
				       &b), "entry_size over a page");
	/* Read at the longer stride, entry 0's tail is entry 1's head. */
	b.entry_size = sizeof(*t) + 8;
	EXPECT_FAILS(-E2BIG, ls_ioctl(self->fd, LLMSCHED_IOC_SUBMIT_BATCH,
				      &b), "entry_size longer, tail not zero");
	/* Each entry's own size must be the batch's entry_size. */
	memset(self->buf, 0, sizeof(*t) + 8);
	memcpy(self->buf, t, sizeof(*t));
	b.entries_ptr = (uintptr_t)self->buf;
	b.count = 1;
	EXPECT_FAILS(-EINVAL, ls_ioctl(self->fd, LLMSCHED_IOC_SUBMIT_BATCH,
				       &b), "entry size unlike entry_size");
	EXPECT_EQ(0U, b.error_index);
	b.entries_ptr = (uintptr_t)t;
	b.count = 2;
	b.entry_size = 0;
	EXPECT_FAILS(-EINVAL, ls_ioctl(self->fd, LLMSCHED_IOC_SUBMIT_BATCH,
				       &b), "entry_size 0");
	b.entry_size = sizeof(*t);
	b.entries_ptr = 0;
	EXPECT_FAILS(-EFAULT, ls_ioctl(self->fd, LLMSCHED_IOC_SUBMIT_BATCH,
				       &b), "entries NULL");
	/* The last entry's end on the PROT_NONE page. */
	memcpy(self->buf + 2 * self->page - 2 * sizeof(*t) + 8, t,
	       sizeof(*t));
	b.entries_ptr = (uintptr_t)(self->buf + 2 * self->page -
				    2 * sizeof(*t) + 8);
	EXPECT_FAILS(-EFAULT, ls_ioctl(self->fd, LLMSCHED_IOC_SUBMIT_BATCH,
				       &b), "entries straddle");

	/* The largest batch is accepted. */
	ASSERT_EQ(0, ls_stats_read(&before));
	ASSERT_EQ(0, ls_submit_batch(self->fd, t, LLMSCHED_BATCH_MAX, &i));
	EXPECT_EQ((__u32)LLMSCHED_BATCH_MAX, i);
	ASSERT_EQ(0, ls_stats_read(&after));
	EXPECT_EQ(before.submitted + LLMSCHED_BATCH_MAX, after.submitted);
	EXPECT_NE(0ULL, t[LLMSCHED_BATCH_MAX - 1].task_id);
	EXPECT_EQ(0ULL, t[LLMSCHED_BATCH_MAX].task_id);
	free(t);
}

/* ---------------------------------------------------------------- limits */

TEST_F(uapi, limits_bound_queued_work)
{
	struct llmsched_task_submit t[2];
	__u64 id[3];
	__u32 idx, i;

	/* After the fixture, root holds one task that has not ended. */
	ASSERT_EQ(0, ls_set_limits(self->fd, 5, 3, 0));
	ASSERT_EQ(0, ls_submit_simple(self->fd, 1, LS_CPUS(1), LS_GB(1),
				      LS_SEC(1), &id[0]));
	SNAPSHOT();
	/* A batch that would go over: none of it is taken. */
	for (i = 0; i < 2; i++)
		small_task(&t[i]);
	EXPECT_FAILS(-EDQUOT, ls_submit_batch(self->fd, t, 2, &idx),
		     "batch over per-user limit");
	EXPECT_EQ(0ULL, t[0].task_id);
	EXPECT_EQ(0ULL, t[1].task_id);
	ASSERT_EQ(0, ls_submit_simple(self->fd, 1, LS_CPUS(1), LS_GB(1),
				      LS_SEC(1), &id[1]));
	SNAPSHOT();
	EXPECT_FAILS(-EDQUOT, ls_submit_simple(self->fd, 1, LS_CPUS(1),
					       LS_GB(1), LS_SEC(1), NULL),
		     "per-user limit");
	/* An ended task no longer counts. */
	ASSERT_EQ(0, ls_cancel(self->fd, id[1]));
	ASSERT_EQ(0, ls_submit_simple(self->fd, 1, LS_CPUS(1), LS_GB(1),
				      LS_SEC(1), &id[2]));
	SNAPSHOT();
	EXPECT_FAILS(-EDQUOT, ls_submit_simple(self->fd, 1, LS_CPUS(1),
					       LS_GB(1), LS_SEC(1), NULL),
		     "per-user limit again");

	/*
	 * Lowering the limits below what is held is allowed: nothing held
	 * is dropped, new work is refused.  (EAGAIN, the global limit, is
	 * proven with two users in unpriv.limits_are_per_user_then_global.)
	 */
	ASSERT_EQ(0, ls_set_limits(self->fd, 1, 1, 0));
	SNAPSHOT();
	EXPECT_FAILS(-EDQUOT, ls_submit_simple(self->fd, 1, LS_CPUS(1),
					       LS_GB(1), LS_SEC(1), NULL),
		     "lowered below held");
	ASSERT_EQ(0, ls_query(self->fd, id[2], NULL));
}

TEST_F(uapi, set_limits_checks)
{
	__u64 v;

	SNAPSHOT();
	EXPECT_FAILS(-EINVAL, ls_set_limits(self->fd, 0, 0, 99), "hb 99");
	EXPECT_FAILS(-EINVAL, ls_set_limits(self->fd, 0, 0, 3600001),
		     "hb 3600001");
	EXPECT_FAILS(-EINVAL, ls_set_limits(self->fd, 10000001, 0, 0),
		     "max_tasks 10000001");
	EXPECT_FAILS(-EINVAL, ls_set_limits(self->fd, 10, 11, 0),
		     "per user above max");
	/* per user alone above the current max (1000000) */
	EXPECT_FAILS(-EINVAL, ls_set_limits(self->fd, 0, 1000001, 0),
		     "per user above current max");
	/* max alone below the current per user (the default) */
	EXPECT_FAILS(-EINVAL, ls_set_limits(self->fd, LS_DEF_MAX_PER_USER - 1,
					    0, 0),
		     "max below current per user");
	/* a bad field fails the whole call: nothing applied */
	EXPECT_FAILS(-EINVAL, ls_set_limits(self->fd, 500, 400, 50),
		     "good limits with a bad heartbeat");

	/* The bounds are accepted, and 0 keeps a value. */
	ASSERT_EQ(0, ls_set_limits(self->fd, 10000000, 10000000, 100));
	ASSERT_EQ(0, ls_set_limits(self->fd, 0, 0, 3600000));
	ASSERT_EQ(0, ls_sysfs_u64("limits/max_tasks", &v));
	EXPECT_EQ(10000000ULL, v);
	ASSERT_EQ(0, ls_sysfs_u64("limits/max_tasks_per_user", &v));
	EXPECT_EQ(10000000ULL, v);
	ASSERT_EQ(0, ls_sysfs_u64("limits/heartbeat_timeout_ms", &v));
	EXPECT_EQ(3600000ULL, v);
	ASSERT_EQ(0, ls_set_limits(self->fd, LS_DEF_MAX_TASKS,
				   LS_DEF_MAX_PER_USER, LS_DEF_HEARTBEAT_MS));
}

/* ----------------------------------------------- CANCEL, QUERY, WAIT, LIST */

TEST_F(uapi, cancel_query_wait_on_unknown_or_ended_task)
{
	struct llmsched_task_info info;
	struct llmsched_task_wait w;

	SNAPSHOT();
	EXPECT_FAILS(-ENOENT, ls_cancel(self->fd, NO_SUCH_TASK), "cancel");
	EXPECT_FAILS(-ENOENT, ls_cancel(self->fd, 0), "cancel id 0");
	EXPECT_FAILS(-ENOENT, ls_query(self->fd, NO_SUCH_TASK, &info),
		     "query");
	EXPECT_FAILS(-ENOENT, ls_wait(self->fd, NO_SUCH_TASK, 0, &w), "wait");
	EXPECT_FAILS(-EALREADY, ls_cancel(self->fd, self->ids[1]),
		     "cancel ended");

	/* Waiting on an ended task returns at once, timeout or not. */
	ASSERT_EQ(0, ls_wait(self->fd, self->ids[1], 0, &w));
	EXPECT_EQ(LLMSCHED_TASK_CANCELLED, w.state);
	EXPECT_EQ(LLMSCHED_REASON_CANCELLED, w.reason);
	ASSERT_EQ(0, ls_wait(self->fd, self->ids[1], LS_SEC(3600), &w));
	/* Not ended, timeout 0: only looks. */
	/* A timeout of 0 only looks: EAGAIN, as for AGENT_FETCH. */
	EXPECT_EQ(-EAGAIN, ls_wait(self->fd, self->ids[0], 0, &w));
	EXPECT_FALSE(ls_state_is_terminal(w.state));
	EXPECT_EQ(0U, w.reason);
}

TEST_F(uapi, task_list_checks)
{
	struct llmsched_task_list l;

	SNAPSHOT();
#define LIST_CALL() ls_ioctl(self->fd, LLMSCHED_IOC_TASK_LIST, &l)
#define LIST_INIT() do {					\
		LS_INIT(l);					\
		l.count = LS_ARRAY_SIZE(self->list);		\
		l.entry_size = sizeof(self->list[0]);		\
		l.entries_ptr = (uintptr_t)self->list;		\
	} while (0)
	LIST_INIT();
	l.count = 0;
	EXPECT_FAILS(-EINVAL, LIST_CALL(), "count 0");
	LIST_INIT();
	l.count = 1025;
	EXPECT_FAILS(-EINVAL, LIST_CALL(), "count 1025");
	LIST_INIT();
	l.entry_size = LLMSCHED_TASK_INFO_SIZE_VER0 - 8;
	EXPECT_FAILS(-EINVAL, LIST_CALL(), "entry_size below the first version");
	LIST_INIT();
	l.entry_size = self->page + 8;
	EXPECT_FAILS(-EINVAL, LIST_CALL(), "entry_size over a page");
	LIST_INIT();
	l.agent_id = 1;
	EXPECT_FAILS(-EINVAL, LIST_CALL(), "agent_id without LIST_AGENT");
	LIST_INIT();
	l.entries_ptr = 0;
	EXPECT_FAILS(-EFAULT, LIST_CALL(), "entries NULL");
	LIST_INIT();
	l.entries_ptr = (uintptr_t)(self->buf + 2 * self->page -
				    sizeof(self->list[0]));
	/* Room for 4 entries declared, one before the PROT_NONE page. */
	EXPECT_FAILS(-EFAULT, LIST_CALL(), "entries straddle");
	LIST_INIT();
	l.flags = 1U << 2;
	EXPECT_FAILS(-EINVAL, LIST_CALL(), "unknown flag");
	/* The largest page is accepted. */
	LIST_INIT();
	l.count = 1024;
	l.entries_ptr = (uintptr_t)calloc(1024, sizeof(self->list[0]));
	ASSERT_NE(0ULL, l.entries_ptr);
	l.start_id = self->ids[0];
	EXPECT_EQ(0, LIST_CALL());
	EXPECT_LE(2U, l.count);
	free((void *)(uintptr_t)l.entries_ptr);
#undef LIST_CALL
#undef LIST_INIT
}

/* ------------------------------------------------------- administration */

TEST_F(uapi, set_capacity_checks)
{
	struct llmsched_capacity c;

	SNAPSHOT();
	LS_INIT(c);
	c.capacity[LLMSCHED_RES_CPU] = HOST_CPU;
	c.capacity[LLMSCHED_RES_MEM] = HOST_MEM;
	c.capacity[LLMSCHED_RES_KNOWN] = 1;
	EXPECT_FAILS(-EINVAL, ls_ioctl(self->fd, LLMSCHED_IOC_SET_CAPACITY,
				       &c), "unknown kind");
	c.capacity[LLMSCHED_RES_KNOWN] = 0;
	c.capacity[LLMSCHED_RES_MAX - 1] = 1;
	EXPECT_FAILS(-EINVAL, ls_ioctl(self->fd, LLMSCHED_IOC_SET_CAPACITY,
				       &c), "last kind");
	/* Below the agent's reservation, in one kind or the other. */
	EXPECT_FAILS(-EBUSY, ls_set_capacity(self->fd, AGENT_CPU - 1,
					     HOST_MEM), "cpu below reserved");
	EXPECT_FAILS(-EBUSY, ls_set_capacity(self->fd, HOST_CPU,
					     AGENT_MEM - 1),
		     "mem below reserved");
	EXPECT_FAILS(-EBUSY, ls_set_capacity(self->fd, 0, 0), "zero");

	/* Exactly the reservations is fine; GET reads it back. */
	ASSERT_EQ(0, ls_set_capacity(self->fd, AGENT_CPU, AGENT_MEM));
	ASSERT_EQ(0, ls_get_capacity(self->fd, &c));
	EXPECT_EQ(AGENT_CPU, c.capacity[LLMSCHED_RES_CPU]);
	EXPECT_EQ(AGENT_MEM, c.capacity[LLMSCHED_RES_MEM]);
	EXPECT_EQ(AGENT_CPU, c.reserved[LLMSCHED_RES_CPU]);
	EXPECT_EQ(AGENT_MEM, c.reserved[LLMSCHED_RES_MEM]);
	EXPECT_EQ(0ULL, c.capacity[LLMSCHED_RES_GPU]);
	EXPECT_EQ(0ULL, c.reserved[LLMSCHED_RES_GPU]);
}

TEST_F(uapi, policy_checks_and_reads_back)
{
	struct llmsched_policy p;

	SNAPSHOT();
	EXPECT_FAILS(-EINVAL, ls_set_policy(self->fd, 4, 0, 0), "policy 4");
	EXPECT_FAILS(-EINVAL, ls_set_policy(self->fd, ~0U, 0, 0), "policy ~0");
	EXPECT_FAILS(-EINVAL, ls_set_policy(self->fd, 0, 2, 0), "choice 2");
	EXPECT_FAILS(-EINVAL, ls_set_policy(self->fd, 0, 0, 1U << 2),
		     "flag 4");

	LS_INIT(p);
	p.policy = LLMSCHED_POLICY_MLFQ;
	p.choice = LLMSCHED_CHOICE_BEST_FIT;
	p.flags = LLMSCHED_POLICY_NO_BACKFILL;
	p.aging_ns = LS_MSEC(250);
	p.imbalance_threshold = 777;
	ASSERT_EQ(0, ls_ioctl(self->fd, LLMSCHED_IOC_SET_POLICY, &p));
	/* 0 keeps the current aging and threshold. */
	ASSERT_EQ(0, ls_set_policy(self->fd, LLMSCHED_POLICY_DRF,
				   LLMSCHED_CHOICE_BEST_FIT, 0));
	LS_INIT(p);
	ASSERT_EQ(0, ls_ioctl(self->fd, LLMSCHED_IOC_GET_POLICY, &p));
	EXPECT_EQ(LLMSCHED_POLICY_DRF, p.policy);
	EXPECT_EQ(LLMSCHED_CHOICE_BEST_FIT, p.choice);
	EXPECT_EQ(0U, p.flags);
	EXPECT_EQ(LS_MSEC(250), p.aging_ns);
	EXPECT_EQ(777ULL, p.imbalance_threshold);
}

TEST_F(uapi, estimator_checks_and_estimates)
{
	struct llmsched_estimator e;
	struct llmsched_task_submit t;
	struct llmsched_task_info info;

	SNAPSHOT();
#define EST_CALL() ls_ioctl(self->fd, LLMSCHED_IOC_SET_ESTIMATOR, &e)
	LS_INIT(e);
	EXPECT_FAILS(-EINVAL, EST_CALL(), "nr_coeffs 0");
	e.nr_coeffs = LLMSCHED_FEATURES_MAX + 2;
	EXPECT_FAILS(-EINVAL, EST_CALL(), "nr_coeffs 10");
	e.nr_coeffs = 2;
	e.coeff[2] = 1;
	EXPECT_FAILS(-EINVAL, EST_CALL(), "coeff past nr_coeffs");
	e.coeff[2] = 0;
	e.coeff[LLMSCHED_FEATURES_MAX] = -1;
	EXPECT_FAILS(-EINVAL, EST_CALL(), "last coeff past nr_coeffs");

	/* T = 2 s + 3 ms per unit of feature 0 + 1 us per unit of feature 1 */
	LS_INIT(e);
	e.nr_coeffs = 3;
	e.coeff[0] = (__s64)LS_SEC(2) << LLMSCHED_ESTIMATOR_SHIFT;
	e.coeff[1] = (__s64)LS_MSEC(3) << LLMSCHED_ESTIMATOR_SHIFT;
	e.coeff[2] = (__s64)1000 << LLMSCHED_ESTIMATOR_SHIFT;
	ASSERT_EQ(0, EST_CALL());
	small_task(&t);
	t.est_runtime_ns = 0;
	t.nr_features = 2;
	t.features[0] = 1000;
	t.features[1] = 500;
	ASSERT_EQ(0, ls_submit(self->fd, &t));
	ASSERT_EQ(0, ls_query(self->fd, t.task_id, &info));
	EXPECT_EQ(LS_SEC(2) + LS_SEC(3) + 500000ULL, info.est_runtime_ns);
	/* A given estimate is used as it is. */
	small_task(&t);
	t.est_runtime_ns = 12345;
	t.nr_features = 1;
	t.features[0] = 1000;
	ASSERT_EQ(0, ls_submit(self->fd, &t));
	ASSERT_EQ(0, ls_query(self->fd, t.task_id, &info));
	EXPECT_EQ(12345ULL, info.est_runtime_ns);
	/* An estimate of 0 or below counts as 60 s. */
	LS_INIT(e);
	e.nr_coeffs = 2;
	e.coeff[1] = -((__s64)LS_SEC(1) << LLMSCHED_ESTIMATOR_SHIFT);
	ASSERT_EQ(0, EST_CALL());
	small_task(&t);
	t.est_runtime_ns = 0;
	t.nr_features = 1;
	t.features[0] = 10;
	ASSERT_EQ(0, ls_submit(self->fd, &t));
	ASSERT_EQ(0, ls_query(self->fd, t.task_id, &info));
	EXPECT_EQ(LS_SEC(60), info.est_runtime_ns);
	/* Rounded to the nearest nanosecond: 2.5 ns per unit, 3 units. */
	LS_INIT(e);
	e.nr_coeffs = 2;
	e.coeff[1] = 5 << (LLMSCHED_ESTIMATOR_SHIFT - 1);
	ASSERT_EQ(0, EST_CALL());
	t.features[0] = 3;
	ASSERT_EQ(0, ls_submit(self->fd, &t));
	ASSERT_EQ(0, ls_query(self->fd, t.task_id, &info));
	EXPECT_EQ(8ULL, info.est_runtime_ns);
	/* Clamped to 2^46 ns, however large. */
	LS_INIT(e);
	e.nr_coeffs = 2;
	e.coeff[1] = INT64_MAX;
	ASSERT_EQ(0, EST_CALL());
	t.features[0] = ~0ULL;
	ASSERT_EQ(0, ls_submit(self->fd, &t));
	ASSERT_EQ(0, ls_query(self->fd, t.task_id, &info));
	EXPECT_EQ(1ULL << 46, info.est_runtime_ns);
	/* Back to something neutral for the tests after. */
	LS_INIT(e);
	e.nr_coeffs = 1;
	e.coeff[0] = (__s64)LS_SEC(1) << LLMSCHED_ESTIMATOR_SHIFT;
	ASSERT_EQ(0, EST_CALL());
#undef EST_CALL
}

/* ------------------------------------------------------------ privilege */

/*
 * Results of the calls an unprivileged child makes, in shared memory: the
 * parent asserts on them.
 */
struct unpriv {
	__u64 root_task;	/* in: a task of root's */
	__u64 other_task;	/* in: a task of the other user's */
	__u64 own[4];		/* out: tasks the child submitted */
	int ret[64];		/* out: results, in call order */
	__u32 state[8];
	__u32 owner[8];
	__u32 listed, listed_other;
	int n;
};

FIXTURE(unpriv) {
	int fd;
	struct ls_agent agent;
	mode_t mode;
	bool chmodded;
	struct unpriv *u;
};

FIXTURE_SETUP(unpriv)
{
	self->fd = -1;
	ASSERT_EQ(0, llmsched_module_ensure_loaded());
	self->fd = ls_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ls_reset(self->fd, HOST_CPU, HOST_MEM));
	ASSERT_EQ(0, ls_agent_spawn(&self->agent, 4, AGENT_CPU, AGENT_MEM, 0));
	ASSERT_EQ(0, ls_dev_chmod(0666, &self->mode));
	self->chmodded = true;
	self->u = ls_shared_alloc(sizeof(*self->u));
	ASSERT_NE(NULL, self->u);
}

FIXTURE_TEARDOWN(unpriv)
{
	if (self->chmodded)
		ls_dev_chmod(self->mode, NULL);
	if (self->fd >= 0)
		ls_cancel_all(self->fd);
	ls_agent_destroy(&self->agent);
	ls_shared_free(self->u, sizeof(*self->u));
	if (self->fd >= 0)
		close(self->fd);
}

#define U_CALL(u, expr) ((u)->ret[(u)->n++] = (expr))

static const unsigned long privileged_cmds[] = {
	LLMSCHED_IOC_AGENT_REGISTER, LLMSCHED_IOC_AGENT_FETCH,
	LLMSCHED_IOC_AGENT_START, LLMSCHED_IOC_AGENT_COMPLETE,
	LLMSCHED_IOC_AGENT_HEARTBEAT, LLMSCHED_IOC_AGENT_UNREGISTER,
	LLMSCHED_IOC_AGENT_CONTROL, LLMSCHED_IOC_AGENT_CONFIRM,
	LLMSCHED_IOC_LOAD_REPORT, LLMSCHED_IOC_AGENT_LIST,
	LLMSCHED_IOC_AGENT_DRAIN, LLMSCHED_IOC_AGENT_RESIZE,
	LLMSCHED_IOC_SET_CAPACITY, LLMSCHED_IOC_SET_POLICY,
	LLMSCHED_IOC_SET_ESTIMATOR, LLMSCHED_IOC_SET_LIMITS,
};

static int unpriv_privileged_calls(void *arg)
{
	struct unpriv *u = arg;
	char buf[512];
	unsigned int i;
	int fd = ls_open();

	if (fd < 0)
		return 10;
	for (i = 0; i < LS_ARRAY_SIZE(privileged_cmds); i++) {
		/* A plausible argument, a NULL one, a bad size: all EPERM. */
		memset(buf, 0, sizeof(buf));
		*(__u32 *)buf = 64;
		U_CALL(u, ls_ioctl(fd, privileged_cmds[i], buf));
		U_CALL(u, ls_ioctl(fd, privileged_cmds[i], NULL));
		*(__u32 *)buf = 0;
		U_CALL(u, ls_ioctl(fd, privileged_cmds[i], buf));
	}
	{
		struct llmsched_task_info ent[2];
		__u32 n = 2;

		U_CALL(u, ls_list(fd, LLMSCHED_LIST_ALL_USERS, 0, ent, &n,
				  NULL));
	}
	close(fd);
	return 0;
}

/* Agent and administration calls need CAP_SYS_ADMIN, checked first. */
TEST_F(unpriv, agent_and_admin_calls_are_eperm)
{
	struct ls_snapshot snap;
	char why[160] = "";
	unsigned int i;

	ASSERT_EQ(0, ls_snapshot_take(self->fd, &snap, NULL, 0));
	ASSERT_EQ(0, ls_run_as(LS_NOBODY, unpriv_privileged_calls, self->u));
	ASSERT_EQ(3 * LS_ARRAY_SIZE(privileged_cmds) + 1,
		  (unsigned int)self->u->n);
	for (i = 0; i < 3 * LS_ARRAY_SIZE(privileged_cmds); i++)
		EXPECT_EQ(-EPERM, self->u->ret[i])
			TH_LOG("cmd %#lx, case %u", privileged_cmds[i / 3],
			       i % 3);
	EXPECT_EQ(-EPERM, self->u->ret[i]) TH_LOG("LIST_ALL_USERS");
	EXPECT_EQ(0, ls_snapshot_check(self->fd, &snap, why, sizeof(why)))
		TH_LOG("%s", why);
}

static int unpriv_own_tasks(void *arg)
{
	struct unpriv *u = arg;
	struct llmsched_task_info info, ent[8];
	struct llmsched_task_wait w;
	struct llmsched_version v;
	__u64 next;
	__u32 n = 8, i;
	int fd = ls_open();

	if (fd < 0)
		return 10;
	LS_INIT(v);
	U_CALL(u, ls_ioctl(fd, LLMSCHED_IOC_VERSION, &v));
	for (i = 0; i < 3; i++)
		U_CALL(u, ls_submit_simple(fd, 10, LS_CPUS(1), LS_GB(1),
					   LS_SEC(1), &u->own[i]));
	U_CALL(u, ls_query(fd, u->own[0], &info));
	u->owner[0] = info.owner_uid;
	U_CALL(u, ls_cancel(fd, u->own[1]));
	U_CALL(u, ls_wait(fd, u->own[1], LS_SEC(1), &w));
	u->state[0] = w.state;
	U_CALL(u, ls_wait(fd, u->own[0], 0, &w));
	U_CALL(u, ls_list(fd, 0, u->own[0], ent, &n, &next));
	u->listed = n;
	for (i = 0; i < n; i++)
		if (ent[i].owner_uid != LS_NOBODY)
			u->listed_other++;
	close(fd);
	return 0;
}

/* The getters show what sysfs shows everyone: no privilege needed. */
static int unpriv_getters(void *arg)
{
	struct unpriv *u = arg;
	struct llmsched_capacity c;
	struct llmsched_policy p;
	struct llmsched_estimator e;
	struct llmsched_limits l;
	int fd = ls_open();

	if (fd < 0)
		return 10;
	LS_INIT(c);
	U_CALL(u, ls_ioctl(fd, LLMSCHED_IOC_GET_CAPACITY, &c));
	u->own[0] = c.capacity[LLMSCHED_RES_CPU];
	LS_INIT(p);
	U_CALL(u, ls_ioctl(fd, LLMSCHED_IOC_GET_POLICY, &p));
	u->state[0] = p.policy;
	LS_INIT(e);
	U_CALL(u, ls_ioctl(fd, LLMSCHED_IOC_GET_ESTIMATOR, &e));
	u->state[1] = e.nr_coeffs;
	LS_INIT(l);
	U_CALL(u, ls_ioctl(fd, LLMSCHED_IOC_GET_LIMITS, &l));
	u->state[2] = l.max_tasks_per_user;
	close(fd);
	return 0;
}

TEST_F(unpriv, getters_need_no_privilege)
{
	struct llmsched_estimator e;

	LS_INIT(e);
	e.nr_coeffs = 2;
	e.coeff[0] = (__s64)LS_SEC(1) << LLMSCHED_ESTIMATOR_SHIFT;
	e.coeff[1] = 1000LL << LLMSCHED_ESTIMATOR_SHIFT;
	ASSERT_EQ(0, ls_ioctl(self->fd, LLMSCHED_IOC_SET_ESTIMATOR, &e));
	ASSERT_EQ(0, ls_set_policy(self->fd, LLMSCHED_POLICY_SJF,
				   LLMSCHED_CHOICE_LEAST_LOADED, 0));
	ASSERT_EQ(0, ls_run_as(LS_NOBODY, unpriv_getters, self->u));
	ASSERT_EQ(4, self->u->n);
	EXPECT_EQ(0, self->u->ret[0]) TH_LOG("GET_CAPACITY");
	EXPECT_EQ(0, self->u->ret[1]) TH_LOG("GET_POLICY");
	EXPECT_EQ(0, self->u->ret[2]) TH_LOG("GET_ESTIMATOR");
	EXPECT_EQ(0, self->u->ret[3]) TH_LOG("GET_LIMITS");
	EXPECT_EQ(HOST_CPU, self->u->own[0]);
	EXPECT_EQ((__u32)LLMSCHED_POLICY_SJF, self->u->state[0]);
	EXPECT_EQ(2U, self->u->state[1]);
	EXPECT_EQ(LS_DEF_MAX_PER_USER, self->u->state[2]);
	e.nr_coeffs = 1;
	e.coeff[1] = 0;
	ls_ioctl(self->fd, LLMSCHED_IOC_SET_ESTIMATOR, &e);
}

/* An unprivileged user submits, queries, waits on and cancels its own. */
TEST_F(unpriv, user_owns_its_tasks)
{
	struct llmsched_task_info info;
	struct unpriv *u = self->u;

	/* Root's tasks must not show in the user's list. */
	ASSERT_EQ(0, ls_submit_simple(self->fd, 1, LS_CPUS(1), LS_GB(1),
				      LS_SEC(1), NULL));
	ASSERT_EQ(0, ls_run_as(LS_NOBODY, unpriv_own_tasks, u));
	ASSERT_EQ(9, u->n);
	EXPECT_EQ(0, u->ret[0]) TH_LOG("VERSION");
	EXPECT_EQ(0, u->ret[1]) TH_LOG("SUBMIT");
	EXPECT_EQ(0, u->ret[2]) TH_LOG("SUBMIT");
	EXPECT_EQ(0, u->ret[3]) TH_LOG("SUBMIT");
	EXPECT_EQ(0, u->ret[4]) TH_LOG("QUERY own");
	EXPECT_EQ((__u32)LS_NOBODY, u->owner[0]);
	EXPECT_EQ(0, u->ret[5]) TH_LOG("CANCEL own");
	EXPECT_EQ(0, u->ret[6]) TH_LOG("WAIT own, ended");
	EXPECT_EQ(LLMSCHED_TASK_CANCELLED, u->state[0]);
	EXPECT_EQ(-EAGAIN, u->ret[7]) TH_LOG("WAIT own, timeout 0");
	EXPECT_EQ(0, u->ret[8]) TH_LOG("LIST own");
	EXPECT_EQ(3U, u->listed);
	EXPECT_EQ(0U, u->listed_other);

	/* Root sees and may cancel the user's task. */
	ASSERT_EQ(0, ls_query(self->fd, u->own[2], &info));
	EXPECT_EQ((__u32)LS_NOBODY, info.owner_uid);
	EXPECT_EQ(0, ls_cancel(self->fd, u->own[2]));
}

static int unpriv_others_tasks(void *arg)
{
	struct unpriv *u = arg;
	struct llmsched_task_info info;
	struct llmsched_task_wait w;
	struct llmsched_task_submit t;
	int fd = ls_open();

	if (fd < 0)
		return 10;
	U_CALL(u, ls_query(fd, u->root_task, &info));
	U_CALL(u, ls_wait(fd, u->root_task, 0, &w));
	U_CALL(u, ls_cancel(fd, u->root_task));
	U_CALL(u, ls_query(fd, u->other_task, &info));
	U_CALL(u, ls_wait(fd, u->other_task, LS_MSEC(10), &w));
	U_CALL(u, ls_cancel(fd, u->other_task));
	U_CALL(u, ls_query(fd, NO_SUCH_TASK, &info));
	U_CALL(u, ls_cancel(fd, NO_SUCH_TASK));
	/* Another user's task cannot be depended on: as if unknown. */
	ls_task_init(&t, 1, LS_CPUS(1), LS_GB(1), LS_SEC(1));
	t.nr_deps = 1;
	t.deps_ptr = (uintptr_t)&u->root_task;
	U_CALL(u, ls_submit(fd, &t));
	t.deps_ptr = (uintptr_t)&u->other_task;
	U_CALL(u, ls_submit(fd, &t));
	close(fd);
	return 0;
}

static int unpriv_submit_one(void *arg)
{
	struct unpriv *u = arg;
	int fd = ls_open();

	if (fd < 0)
		return 10;
	U_CALL(u, ls_submit_simple(fd, 1, LS_CPUS(1), LS_GB(1), LS_SEC(1),
				   &u->other_task));
	close(fd);
	return 0;
}

/* Another uid's task is EPERM; an unknown one is ENOENT. */
TEST_F(unpriv, user_cannot_touch_other_users_tasks)
{
	struct llmsched_task_info info;
	struct ls_snapshot snap;
	struct unpriv *u = self->u;
	char why[160] = "";
	__u64 ids[2];

	ASSERT_EQ(0, ls_submit_simple(self->fd, 1, LS_CPUS(1), LS_GB(1),
				      LS_SEC(1), &u->root_task));
	ASSERT_EQ(0, ls_run_as(LS_NOBODY2, unpriv_submit_one, u));
	ASSERT_EQ(0, u->ret[0]);
	u->n = 0;
	ids[0] = u->root_task;
	ids[1] = u->other_task;
	ASSERT_EQ(0, ls_snapshot_take(self->fd, &snap, ids, 2));
	ASSERT_EQ(0, ls_run_as(LS_NOBODY, unpriv_others_tasks, u));
	ASSERT_EQ(10, u->n);
	/* Another user's task answers exactly as one that does not exist. */
	EXPECT_EQ(-ENOENT, u->ret[0]) TH_LOG("QUERY root's");
	EXPECT_EQ(-ENOENT, u->ret[1]) TH_LOG("WAIT root's");
	EXPECT_EQ(-ENOENT, u->ret[2]) TH_LOG("CANCEL root's");
	EXPECT_EQ(-ENOENT, u->ret[3]) TH_LOG("QUERY other user's");
	EXPECT_EQ(-ENOENT, u->ret[4]) TH_LOG("WAIT other user's");
	EXPECT_EQ(-ENOENT, u->ret[5]) TH_LOG("CANCEL other user's");
	EXPECT_EQ(-ENOENT, u->ret[6]) TH_LOG("QUERY unknown");
	EXPECT_EQ(-ENOENT, u->ret[7]) TH_LOG("CANCEL unknown");
	EXPECT_EQ(-ENOENT, u->ret[8]) TH_LOG("dep on root's");
	EXPECT_EQ(-ENOENT, u->ret[9]) TH_LOG("dep on other user's");
	EXPECT_EQ(0, ls_snapshot_check(self->fd, &snap, why, sizeof(why)))
		TH_LOG("%s", why);
	/* Root may depend on anyone's task. */
	{
		struct llmsched_task_submit t;

		small_task(&t);
		t.nr_deps = 1;
		t.deps_ptr = (uintptr_t)&u->other_task;
		EXPECT_EQ(0, ls_submit(self->fd, &t));
		ASSERT_EQ(0, ls_query(self->fd, t.task_id, &info));
		EXPECT_EQ(LLMSCHED_TASK_QUEUED, info.state);
	}
}

/* Per-user limits count each uid apart; the global limit all of them. */
static int unpriv_submit_two(void *arg)
{
	struct unpriv *u = arg;
	int fd = ls_open();

	if (fd < 0)
		return 10;
	U_CALL(u, ls_submit_simple(fd, 1, LS_CPUS(1), LS_GB(1), LS_SEC(1),
				   NULL));
	U_CALL(u, ls_submit_simple(fd, 1, LS_CPUS(1), LS_GB(1), LS_SEC(1),
				   NULL));
	U_CALL(u, ls_submit_simple(fd, 1, LS_CPUS(1), LS_GB(1), LS_SEC(1),
				   NULL));
	close(fd);
	return 0;
}

TEST_F(unpriv, limits_are_per_user_then_global)
{
	struct unpriv *u = self->u;

	ASSERT_EQ(0, ls_set_limits(self->fd, 4, 2, 0));
	ASSERT_EQ(0, ls_submit_simple(self->fd, 1, LS_CPUS(1), LS_GB(1),
				      LS_SEC(1), NULL));
	ASSERT_EQ(0, ls_submit_simple(self->fd, 1, LS_CPUS(1), LS_GB(1),
				      LS_SEC(1), NULL));
	EXPECT_EQ(-EDQUOT, ls_submit_simple(self->fd, 1, LS_CPUS(1), LS_GB(1),
					    LS_SEC(1), NULL));
	/* nobody: its own 2 fit under the per-user limit; then global 4. */
	ASSERT_EQ(0, ls_run_as(LS_NOBODY, unpriv_submit_two, u));
	ASSERT_EQ(3, u->n);
	EXPECT_EQ(0, u->ret[0]);
	EXPECT_EQ(0, u->ret[1]);
	EXPECT_EQ(-EDQUOT, u->ret[2]);
	u->n = 0;
	ASSERT_EQ(0, ls_run_as(LS_NOBODY2, unpriv_submit_two, u));
	EXPECT_EQ(-EAGAIN, u->ret[0]);
	EXPECT_EQ(-EAGAIN, u->ret[1]);
	ASSERT_EQ(0, ls_set_limits(self->fd, LS_DEF_MAX_TASKS,
				   LS_DEF_MAX_PER_USER, 0));
}

LLMS_TEST_MAIN
