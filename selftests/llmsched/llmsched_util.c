// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers for the llmsched uAPI selftests.  See llmsched_util.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "llmsched_util.h"
#include "../../runtime/lib/libllmsched.h"

/* ------------------------------------------------------------- device */

int ls_open_flags(int extra_flags)
{
	return llms_open(extra_flags, NULL);
}

int ls_open(void)
{
	return ls_open_flags(0);
}

int ls_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

__u64 ls_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * LS_NSEC_PER_SEC + ts.tv_nsec;
}

bool ls_state_is_terminal(__u32 state)
{
	return state == LLMSCHED_TASK_SUCCEEDED ||
	       state == LLMSCHED_TASK_FAILED ||
	       state == LLMSCHED_TASK_CANCELLED;
}

const char *ls_state_name(__u32 state)
{
	return llms_task_state_name(state);
}

/* -------------------------------------------------------------- tasks */

void ls_task_init(struct llmsched_task_submit *t, __u32 prio, __u64 cpu,
		  __u64 mem, __u64 est_ns)
{
	LS_INIT(*t);
	t->priority = prio;
	t->est_runtime_ns = est_ns;
	t->demand[LLMSCHED_RES_CPU] = cpu;
	t->demand[LLMSCHED_RES_MEM] = mem;
}

int ls_submit(int fd, struct llmsched_task_submit *t)
{
	return llms_submit(fd, t, NULL);
}

int ls_submit_simple(int fd, __u32 prio, __u64 cpu, __u64 mem, __u64 est_ns,
		     __u64 *id)
{
	struct llmsched_task_submit t;
	int ret;

	ls_task_init(&t, prio, cpu, mem, est_ns);
	ret = ls_submit(fd, &t);
	if (!ret && id)
		*id = t.task_id;
	return ret;
}

int ls_submit_batch(int fd, struct llmsched_task_submit *t, __u32 count,
		    __u32 *error_index)
{
	return llms_submit_batch(fd, t, count, error_index, NULL);
}

int ls_submit_batch_raw(int fd, struct llmsched_task_submit *t, __u32 count,
			__u32 *error_index)
{
	struct llmsched_submit_batch b;
	int ret;

	LS_INIT(b);
	b.count = count;
	b.entry_size = sizeof(*t);
	b.entries_ptr = (uintptr_t)t;
	b.error_index = ~0U;
	ret = ls_ioctl(fd, LLMSCHED_IOC_SUBMIT_BATCH, &b);
	if (error_index)
		*error_index = b.error_index;
	return ret;
}

int ls_cancel(int fd, __u64 id)
{
	return llms_cancel(fd, id, 0, NULL);
}

int ls_query(int fd, __u64 id, struct llmsched_task_info *info)
{
	struct llmsched_task_info tmp;

	return llms_task_query(fd, id, info ? info : &tmp, NULL);
}

int ls_wait(int fd, __u64 id, __u64 timeout_ns, struct llmsched_task_wait *w)
{
	struct llmsched_task_wait tmp;

	if (!w)
		w = &tmp;
	memset(w, 0, sizeof(*w));
	w->task_id = id;
	w->timeout_ns = timeout_ns;
	return llms_task_wait(fd, w, NULL);
}

int ls_list(int fd, __u32 flags, __u64 start_id,
	    struct llmsched_task_info *ent, __u32 *count, __u64 *next_id)
{
	struct llmsched_task_list l;
	int ret;

	memset(&l, 0, sizeof(l));
	l.flags = flags;
	l.start_id = start_id;
	l.count = *count;
	l.entries_ptr = (uintptr_t)ent;
	ret = llms_task_list(fd, &l, NULL);
	if (!ret) {
		*count = l.count;
		if (next_id)
			*next_id = l.next_id;
	}
	return ret;
}

int ls_wait_state(int fd, __u64 id, __u32 state, unsigned int timeout_ms,
		  struct llmsched_task_info *info)
{
	struct llmsched_task_info tmp;
	__u64 deadline = ls_now_ns() + LS_MSEC(timeout_ms);
	int ret;

	if (!info)
		info = &tmp;
	for (;;) {
		ret = ls_query(fd, id, info);
		if (ret)
			return ret;
		if (info->state == state)
			return 0;
		if (ls_now_ns() > deadline)
			return -ETIMEDOUT;
		usleep(2000);
	}
}

/* ------------------------------------------------------ administration */

int ls_set_capacity(int fd, __u64 cpu, __u64 mem)
{
	struct llmsched_capacity c;

	memset(&c, 0, sizeof(c));
	c.capacity[LLMSCHED_RES_CPU] = cpu;
	c.capacity[LLMSCHED_RES_MEM] = mem;
	return llms_set_capacity(fd, &c, NULL);
}

int ls_get_capacity(int fd, struct llmsched_capacity *c)
{
	memset(c, 0, sizeof(*c));
	return llms_get_capacity(fd, c, NULL);
}

int ls_set_limits(int fd, __u32 max_tasks, __u32 per_user, __u32 hb_ms)
{
	struct llmsched_limits l;

	memset(&l, 0, sizeof(l));
	l.max_tasks = max_tasks;
	l.max_tasks_per_user = per_user;
	l.heartbeat_timeout_ms = hb_ms;
	return llms_set_limits(fd, &l, NULL);
}

int ls_get_limits(int fd, struct llmsched_limits *l)
{
	memset(l, 0, sizeof(*l));
	return llms_get_limits(fd, l, NULL);
}

int ls_set_all_limits(int fd, const struct llmsched_limits *want)
{
	struct llmsched_limits l;

	if (want) {
		l = *want;
	} else {
		LS_INIT(l);
		l.max_tasks = LS_DEF_MAX_TASKS;
		l.max_tasks_per_user = LS_DEF_MAX_PER_USER;
		l.heartbeat_timeout_ms = LS_DEF_HEARTBEAT_MS;
		l.retain_ended = LS_DEF_RETAIN_ENDED;
		l.max_bytes_per_user = LS_DEF_MAX_BYTES;
		l.max_user_priority = LS_DEF_MAX_USER_PRIO;
	}
	l.flags = LLMSCHED_LIMITS_USER_PRIORITY;
	return llms_set_limits(fd, &l, NULL);
}

int ls_set_policy(int fd, __u32 policy, __u32 choice, __u32 flags)
{
	struct llmsched_policy p;

	memset(&p, 0, sizeof(p));
	p.flags = flags;
	p.policy = policy;
	p.choice = choice;
	return llms_set_policy(fd, &p, NULL);
}

int ls_cancel_all(int fd)
{
	enum { PAGE = 256 };
	struct llmsched_task_info *ent;
	__u64 start = 0, next;
	int cancelled = 0, ret = 0;
	__u32 i, n;

	ent = calloc(PAGE, sizeof(*ent));
	if (!ent)
		return -ENOMEM;
	do {
		n = PAGE;
		next = 0;
		ret = ls_list(fd, LLMSCHED_LIST_ALL_USERS, start, ent, &n,
			      &next);
		if (ret)
			break;
		for (i = 0; i < n; i++) {
			if (ls_state_is_terminal(ent[i].state))
				continue;
			ret = ls_cancel(fd, ent[i].task_id);
			if (ret && ret != -EALREADY && ret != -ENOENT)
				goto out;
			ret = 0;
			cancelled++;
		}
		start = next;
	} while (next);
out:
	free(ent);
	return ret ? ret : cancelled;
}

int ls_reset(int fd, __u64 cpu, __u64 mem)
{
	struct llmsched_policy p;
	int ret;

	/*
	 * An earlier test's lost agents finish their fences first: their
	 * tasks go back to the run queue, to be cancelled below.
	 */
	ret = ls_wait_no_fencing(fd, 10000);
	if (ret)
		return ret;
	ret = ls_cancel_all(fd);
	if (ret < 0)
		return ret;
	ret = ls_set_all_limits(fd, NULL);
	if (ret)
		return ret;
	/*
	 * The aging step and the imbalance threshold too: 0 would keep what
	 * an earlier test set (a balancer test needs the default threshold).
	 */
	memset(&p, 0, sizeof(p));
	p.policy = LLMSCHED_POLICY_PRIO_FIFO;
	p.choice = LLMSCHED_CHOICE_LEAST_LOADED;
	p.aging_ns = LS_DEF_AGING_NS;
	p.imbalance_threshold = LS_DEF_IMBALANCE;
	ret = llms_set_policy(fd, &p, NULL);
	if (ret)
		return ret;
	return ls_set_capacity(fd, cpu, mem);
}

/* ------------------------------------------------------------- agents */

int ls_agent_register(int fd, pid_t pid, int cgroup_fd, __u32 slots,
		      __u64 cpu, __u64 mem, __u64 tags, __u32 *agent_id)
{
	struct llmsched_agent_register r;
	int ret;

	memset(&r, 0, sizeof(r));
	r.pid = pid;
	r.cgroup_fd = cgroup_fd;
	r.slots = slots;
	r.capacity[LLMSCHED_RES_CPU] = cpu;
	r.capacity[LLMSCHED_RES_MEM] = mem;
	r.tags = tags;
	ret = llms_agent_register(fd, &r, NULL);
	if (!ret && agent_id)
		*agent_id = r.agent_id;
	return ret;
}

int ls_agent_fetch(int fd, __u64 timeout_ns, struct llmsched_agent_fetch *f,
		   void *buf, __u32 buflen)
{
	struct llmsched_agent_fetch tmp;

	if (!f)
		f = &tmp;
	memset(f, 0, sizeof(*f));
	f->timeout_ns = timeout_ns;
	f->payload_ptr = (uintptr_t)buf;
	f->payload_len = buflen;
	return llms_agent_fetch(fd, f, NULL);
}

int ls_agent_start(int fd, __u64 task_id)
{
	return llms_agent_start(fd, task_id, NULL);
}

int ls_agent_complete(int fd, __u64 task_id, __u32 flags, __u32 reason,
		      __s32 exit_status, __u64 runtime_ns)
{
	struct llmsched_agent_complete c;

	memset(&c, 0, sizeof(c));
	c.flags = flags;
	c.task_id = task_id;
	c.reason = reason;
	c.exit_status = exit_status;
	c.runtime_ns = runtime_ns;
	return llms_agent_complete(fd, &c, NULL);
}

int ls_agent_heartbeat(int fd)
{
	return llms_agent_heartbeat(fd, NULL);
}

int ls_agent_unregister(int fd)
{
	return llms_agent_unregister(fd, NULL);
}

int ls_agent_control(int fd, __u64 timeout_ns,
		     struct llmsched_agent_control *c)
{
	struct llmsched_agent_control mine;

	if (!c)
		c = &mine;
	memset(c, 0, sizeof(*c));
	c->timeout_ns = timeout_ns;
	return llms_agent_control(fd, c, NULL);
}

int ls_agent_confirm(int fd, __u64 task_id, __u32 kind)
{
	return llms_agent_confirm(fd, task_id, kind, NULL);
}

int ls_agent_list(int fd, __u32 start_id, struct llmsched_agent_info *ent,
		  __u32 *count, __u32 *next_id)
{
	struct llmsched_agent_list l;
	int ret;

	memset(&l, 0, sizeof(l));
	l.start_id = start_id;
	l.count = *count;
	l.entries_ptr = (uintptr_t)ent;
	ret = llms_agent_list(fd, &l, NULL);
	*count = l.count;
	if (next_id)
		*next_id = l.next_id;
	return ret;
}

int ls_wait_no_fencing(int fd, unsigned int timeout_ms)
{
	__u64 deadline = ls_now_ns() + LS_MSEC(timeout_ms);
	struct llmsched_agent_info ent[64];
	__u32 n, i, start, next;
	bool fencing;
	int ret;

	do {
		fencing = false;
		start = 0;
		do {
			n = LS_ARRAY_SIZE(ent);
			ret = ls_agent_list(fd, start, ent, &n, &next);
			if (ret)
				return ret;
			for (i = 0; i < n; i++)
				fencing |= ent[i].state == LLMSCHED_AGENT_FENCING;
			start = next;
		} while (next);
		if (!fencing)
			return 0;
		usleep(10000);
	} while (ls_now_ns() < deadline);
	return -ETIMEDOUT;
}

int ls_agent_info(int fd, __u32 agent_id, struct llmsched_agent_info *info)
{
	__u32 n = 1;
	int ret = ls_agent_list(fd, agent_id, info, &n, NULL);

	if (ret)
		return ret;
	return n && info->agent_id == agent_id ? 0 : -ENOENT;
}

int ls_agent_drain(int fd, __u32 agent_id, __u32 flags)
{
	return llms_agent_drain(fd, agent_id, flags, NULL);
}

int ls_agent_resize(int fd, __u32 agent_id, __u32 slots, __u64 cpu,
		    __u64 mem)
{
	struct llmsched_agent_resize r;

	memset(&r, 0, sizeof(r));
	r.agent_id = agent_id;
	r.slots = slots;
	r.capacity[LLMSCHED_RES_CPU] = cpu;
	r.capacity[LLMSCHED_RES_MEM] = mem;
	return llms_agent_resize(fd, &r, NULL);
}

int ls_agent_run_one(int fd, __u64 timeout_ns, __u64 *id)
{
	struct llmsched_agent_fetch f;
	char buf[256];
	int ret;

	ret = ls_agent_fetch(fd, timeout_ns, &f, buf, sizeof(buf));
	if (ret)
		return ret;
	if (id)
		*id = f.task_id;
	ret = ls_agent_start(fd, f.task_id);
	if (ret)
		return ret;
	return ls_agent_complete(fd, f.task_id, 0, LLMSCHED_REASON_NONE, 0,
				 1000);
}

/* -------------------------------------------------------------- sysfs */

int ls_read_u64(const char *path, __u64 *val)
{
	char buf[64], *end;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	errno = 0;
	*val = strtoull(buf, &end, 0);
	if (errno || end == buf)
		return -EINVAL;
	return 0;
}

unsigned int ls_heartbeat_ms(void)
{
	const char *v = getenv("LLMSCHED_TEST_HEARTBEAT_MS");
	unsigned long ms;

	if (!v || !*v)
		return 10000;
	ms = strtoul(v, NULL, 10);
	return ms >= 100 && ms <= 3600000 ? ms : 10000;
}

int ls_sysfs_u64(const char *rel, __u64 *val)
{
	uint64_t v;
	int ret = llms_sysfs_read_u64(rel, &v, NULL);

	if (!ret)
		*val = v;
	return ret;
}

int ls_debugfs_u64(const char *rel, __u64 *val)
{
	char path[256];

	snprintf(path, sizeof(path), LS_DEBUGFS "/%s", rel);
	return ls_read_u64(path, val);
}

int ls_objects_read(struct ls_objects *o)
{
	char line[64], name[32];
	long long v;
	FILE *f;
	int n = 0;

	memset(o, 0, sizeof(*o));
	f = fopen(LS_DEBUGFS "/objects", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%31s %lld", name, &v) != 2)
			continue;
		n++;
		if (!strcmp(name, "tasks"))
			o->tasks = v;
		else if (!strcmp(name, "agents"))
			o->agents = v;
		else if (!strcmp(name, "users"))
			o->users = v;
		else if (!strcmp(name, "event_sinks"))
			o->event_sinks = v;
		else if (!strcmp(name, "event_rings"))
			o->event_rings = v;
		else if (!strcmp(name, "files"))
			o->files = v;
		else
			n--;
	}
	fclose(f);
	return n == 6 ? 0 : -EPROTO;
}

int ls_write_file(const char *path, const char *val)
{
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

int ls_sysfs_write(const char *rel, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), LS_SYSFS "/%s", rel);
	return ls_write_file(path, val);
}

int ls_stats_read(struct ls_stats *s)
{
	static const struct {
		const char *name;
		size_t off;
	} f[] = {
		{ "stats/submitted", offsetof(struct ls_stats, submitted) },
		{ "stats/dispatched", offsetof(struct ls_stats, dispatched) },
		{ "stats/succeeded", offsetof(struct ls_stats, succeeded) },
		{ "stats/failed", offsetof(struct ls_stats, failed) },
		{ "stats/cancelled", offsetof(struct ls_stats, cancelled) },
		{ "stats/requeued", offsetof(struct ls_stats, requeued) },
		{ "stats/migrated", offsetof(struct ls_stats, migrated) },
	};
	unsigned int i;
	int ret;

	for (i = 0; i < LS_ARRAY_SIZE(f); i++) {
		ret = ls_sysfs_u64(f[i].name,
				   (__u64 *)((char *)s + f[i].off));
		if (ret)
			return ret;
	}
	return 0;
}

int ls_tasks_held(__u64 *held)
{
	static const char *const q[] = {
		"queue/queued", "queue/runnable", "queue/assigned",
		"queue/running",
	};
	unsigned int i;
	__u64 v;
	int ret;

	*held = 0;
	for (i = 0; i < LS_ARRAY_SIZE(q); i++) {
		ret = ls_sysfs_u64(q[i], &v);
		if (ret)
			return ret;
		*held += v;
	}
	return 0;
}

int ls_snapshot_take(int fd, struct ls_snapshot *s, const __u64 *ids,
		     unsigned int nr)
{
	struct llmsched_task_info info;
	unsigned int i;
	int ret;

	memset(s, 0, sizeof(*s));
	ret = ls_stats_read(&s->stats);
	if (!ret)
		ret = ls_tasks_held(&s->held);
	if (!ret)
		ret = ls_get_capacity(fd, &s->cap);
	if (!ret)
		ret = llms_get_policy(fd, &s->policy, NULL);
	if (!ret)
		ret = ls_sysfs_u64("limits/max_tasks", &s->max_tasks);
	if (!ret)
		ret = ls_sysfs_u64("limits/max_tasks_per_user",
				   &s->max_per_user);
	if (!ret)
		ret = ls_sysfs_u64("limits/heartbeat_timeout_ms",
				   &s->heartbeat_ms);
	if (ret)
		return ret;
	if (nr > LS_SNAP_TASKS)
		nr = LS_SNAP_TASKS;
	s->nr = nr;
	for (i = 0; i < nr; i++) {
		s->ids[i] = ids[i];
		ret = ls_query(fd, ids[i], &info);
		if (ret)
			return ret;
		s->states[i] = info.state;
		s->agents[i] = info.agent_id;
	}
	return 0;
}

#define SNAP_CMP(field) do {						\
		if (a->field != b.field) {				\
			snprintf(why, len, "%s changed: %llu -> %llu",	\
				 #field, (unsigned long long)a->field,	\
				 (unsigned long long)b.field);		\
			return -EUCLEAN;				\
		}							\
	} while (0)

int ls_snapshot_check(int fd, const struct ls_snapshot *a, char *why,
		      size_t len)
{
	struct ls_snapshot b;
	unsigned int i;
	int ret;

	ret = ls_snapshot_take(fd, &b, a->ids, a->nr);
	if (ret) {
		snprintf(why, len, "snapshot failed: %s", strerror(-ret));
		return ret;
	}
	SNAP_CMP(stats.submitted);
	SNAP_CMP(stats.dispatched);
	SNAP_CMP(stats.succeeded);
	SNAP_CMP(stats.failed);
	SNAP_CMP(stats.cancelled);
	SNAP_CMP(stats.requeued);
	SNAP_CMP(held);
	for (i = 0; i < LLMSCHED_RES_MAX; i++) {
		SNAP_CMP(cap.capacity[i]);
		SNAP_CMP(cap.reserved[i]);
	}
	SNAP_CMP(policy.policy);
	SNAP_CMP(policy.choice);
	SNAP_CMP(policy.flags);
	SNAP_CMP(policy.aging_ns);
	SNAP_CMP(policy.imbalance_threshold);
	SNAP_CMP(max_tasks);
	SNAP_CMP(max_per_user);
	SNAP_CMP(heartbeat_ms);
	for (i = 0; i < a->nr; i++) {
		SNAP_CMP(states[i]);
		SNAP_CMP(agents[i]);
	}
	return 0;
}

/* ------------------------------------------------------------ cgroups */

/*
 * The library's view of @cg: the same descriptor and path, borrowed (the
 * library only reads them).
 */
static struct llms_cgroup ls_llms_cg(const struct ls_cgroup *cg)
{
	struct llms_cgroup c = { .fd = cg->fd, .path = (char *)cg->path };

	return c;
}

int ls_cgroup_create(struct ls_cgroup *cg)
{
	static unsigned int seq;
	struct llms_cgroup mnt = LLMS_CGROUP_INIT, c = LLMS_CGROUP_INIT;
	char name[64];
	int ret;

	cg->fd = -1;
	cg->path[0] = '\0';
	snprintf(name, sizeof(name), "llmsched-test-%d-%u", getpid(), seq++);
	ret = llms_cgroup_open(&mnt, LS_CGROUP_ROOT, NULL);
	if (!ret)
		ret = llms_cgroup_create(&c, &mnt, name, NULL);
	llms_cgroup_close(&mnt);
	if (ret)
		return ret;
	snprintf(cg->path, sizeof(cg->path), "%s", c.path);
	/* The folder is ours now: keep its descriptor, drop the rest. */
	cg->fd = c.fd;
	c.fd = -1;
	llms_cgroup_close(&c);
	return 0;
}

int ls_cgroup_add(const struct ls_cgroup *cg, pid_t pid)
{
	struct llms_cgroup c = ls_llms_cg(cg);

	return llms_cgroup_attach(&c, pid, NULL);
}

int ls_cgroup_destroy(struct ls_cgroup *cg)
{
	struct llms_cgroup c = ls_llms_cg(cg), mnt = LLMS_CGROUP_INIT;
	int ret;

	if (cg->path[0] && cg->fd > 0)
		llms_cgroup_kill(&c, 2000, NULL);
	if (cg->fd > 0)
		close(cg->fd);
	cg->fd = -1;
	if (!cg->path[0])
		return 0;
	ret = llms_cgroup_open(&mnt, LS_CGROUP_ROOT, NULL);
	if (!ret)
		ret = llms_cgroup_remove(&mnt, cg->path +
					 strlen(LS_CGROUP_ROOT "/"), 2000,
					 NULL);
	llms_cgroup_close(&mnt);
	cg->path[0] = '\0';
	return ret;
}

/*
 * In a freshly forked child: close every file the test process had open
 * (the device files in particular, so that an agent's file is released when
 * the test closes it) except @keep.
 */
static void close_inherited(int keep1, int keep2, int keep3)
{
	int max = (int)sysconf(_SC_OPEN_MAX), i;

	if (max < 0 || max > 65536)
		max = 65536;
	for (i = 3; i < max; i++)
		if (i != keep1 && i != keep2 && i != keep3)
			close(i);
}

static pid_t spawn_in(const struct ls_cgroup *cg, bool spin)
{
	int p[2], ret;
	pid_t pid;
	char c;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(p[0]);
		close(p[1]);
		return ret;
	}
	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close_inherited(p[1], -1, -1);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		close(p[1]);
		for (;;)
			if (!spin)
				pause();
	}
	close(p[1]);
	/* Wait until the child let go of the test's files. */
	ret = read(p[0], &c, 1) == 1 ? 0 : -ECHILD;
	close(p[0]);
	if (!ret)
		ret = ls_cgroup_add(cg, pid);
	if (ret) {
		ls_kill_reap(pid);
		return ret;
	}
	return pid;
}

pid_t ls_spawn_sleeper(const struct ls_cgroup *cg)
{
	return spawn_in(cg, false);
}

pid_t ls_spawn_spinner(const struct ls_cgroup *cg)
{
	return spawn_in(cg, true);
}

void ls_kill_reap(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

int ls_agent_spawn(struct ls_agent *a, __u32 slots, __u64 cpu, __u64 mem,
		   __u64 tags)
{
	int ret;

	memset(a, 0, sizeof(*a));
	a->fd = -1;
	a->cg.fd = -1;
	ret = ls_cgroup_create(&a->cg);
	if (ret)
		return ret;
	a->pid = ls_spawn_sleeper(&a->cg);
	if (a->pid < 0) {
		ret = a->pid;
		a->pid = 0;
		goto err;
	}
	a->fd = ls_open();
	if (a->fd < 0) {
		ret = a->fd;
		goto err;
	}
	ret = ls_agent_register(a->fd, a->pid, a->cg.fd, slots, cpu, mem, tags,
				&a->id);
	if (ret)
		goto err;
	return 0;
err:
	ls_agent_destroy(a);
	return ret;
}

void ls_agent_destroy(struct ls_agent *a)
{
	if (a->fd > 0)
		close(a->fd);
	a->fd = -1;
	ls_kill_reap(a->pid);
	a->pid = 0;
	if (a->cg.path[0])
		ls_cgroup_destroy(&a->cg);
}

int ls_agent_proc_start(struct ls_agent_proc *a, __u32 slots, __u64 cpu,
			__u64 mem, ls_agent_fn fn, void *arg)
{
	int go[2], rep[2], ret, fd;
	__u32 id;
	pid_t pid;
	char c;

	memset(a, 0, sizeof(*a));
	a->report_fd = -1;
	ret = ls_cgroup_create(&a->cg);
	if (ret)
		return ret;
	if (pipe2(go, O_CLOEXEC))
		goto err_errno;
	if (pipe2(rep, O_CLOEXEC)) {
		close(go[0]);
		close(go[1]);
		goto err_errno;
	}
	pid = fork();
	if (pid < 0) {
		close(go[0]);
		close(go[1]);
		close(rep[0]);
		close(rep[1]);
		goto err_errno;
	}
	if (!pid) {
		int err;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close_inherited(go[0], rep[1], a->cg.fd);
		/* Wait until the parent moved us into the cgroup. */
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		close(go[0]);
		fd = ls_open();
		if (fd < 0) {
			err = fd;
			if (write(rep[1], &err, sizeof(err)) < 0)
				_exit(2);
			_exit(1);
		}
		ret = ls_agent_register(fd, 0, a->cg.fd, slots, cpu, mem, 0,
					&id);
		if (ret) {
			err = ret;
			if (write(rep[1], &err, sizeof(err)) < 0)
				_exit(2);
			_exit(1);
		}
		if (write(rep[1], &id, sizeof(id)) != sizeof(id))
			_exit(2);
		fn(fd, arg, rep[1]);
		_exit(0);
	}
	close(go[0]);
	close(rep[1]);
	a->pid = pid;
	a->report_fd = rep[0];
	ret = ls_cgroup_add(&a->cg, pid);
	if (!ret && write(go[1], "x", 1) != 1)
		ret = -EPIPE;
	close(go[1]);
	if (ret)
		goto err;
	{
		struct pollfd pfd = { .fd = a->report_fd, .events = POLLIN };
		int v;

		if (poll(&pfd, 1, 10000) != 1) {
			ret = -ETIMEDOUT;
			goto err;
		}
		if (read(a->report_fd, &v, sizeof(v)) != sizeof(v)) {
			ret = -EPIPE;
			goto err;
		}
		if (v < 0) {
			ret = v;
			goto err;
		}
		a->id = (__u32)v;
	}
	return 0;
err_errno:
	ret = -errno;
err:
	ls_agent_proc_stop(a);
	return ret;
}

int ls_agent_proc_read(struct ls_agent_proc *a, __u64 *val,
		       unsigned int timeout_ms)
{
	struct pollfd pfd = { .fd = a->report_fd, .events = POLLIN };
	ssize_t n;

	if (poll(&pfd, 1, timeout_ms) != 1)
		return -ETIMEDOUT;
	n = read(a->report_fd, val, sizeof(*val));
	if (n != sizeof(*val))
		return -EPIPE;
	return 0;
}

void ls_agent_proc_stop(struct ls_agent_proc *a)
{
	ls_kill_reap(a->pid);
	a->pid = 0;
	if (a->report_fd > 0)
		close(a->report_fd);
	a->report_fd = -1;
	if (a->cg.path[0])
		ls_cgroup_destroy(&a->cg);
}

/* ---------------------------------------------------------- privilege */

int ls_run_as(uid_t uid, int (*fn)(void *arg), void *arg)
{
	pid_t pid;
	int status;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		if (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
		    setresuid(uid, uid, uid))
			_exit(254);
		/* A non-root uid keeps no capability after setresuid(). */
		_exit(fn(arg) & 0xff);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 256 + WTERMSIG(status);
}

void *ls_shared_alloc(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void ls_shared_free(void *p, size_t size)
{
	if (p)
		munmap(p, size);
}

int ls_dev_chmod(mode_t mode, mode_t *old)
{
	struct stat st;

	if (stat(LS_DEV_PATH, &st))
		return -errno;
	if (old)
		*old = st.st_mode & 07777;
	return chmod(LS_DEV_PATH, mode) ? -errno : 0;
}
