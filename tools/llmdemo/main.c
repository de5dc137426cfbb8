// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched-demo: the project's reference example, end to end, against the
 * real module.  This process plays the runtime and the submitter: it sets
 * the host's capacity, makes a cgroup v2 folder per agent, forks the two
 * agents straight into them, submits the three tasks in one batch and
 * prints the scheduling events as the module reports them.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "llmdemo.h"

#define NR_AGENTS	2
#define NR_TASKS	3
#define MAX_SCALE	100
#define MAX_EVENTS	32
#define NR_STATS	7

/* The reference example (Documentation, agent_test.c). */
static const struct {
	unsigned int cpus;
	unsigned int gb;
} ref_agents[NR_AGENTS] = {
	{ 4, 8 },
	{ 2, 4 },
};

static const struct {
	unsigned int prio;
	unsigned int cpus;
	unsigned int gb;
	unsigned int est_s;
} ref_tasks[NR_TASKS] = {
	{ 3, 2, 4, 10 },
	{ 2, 1, 2, 5 },
	{ 1, 3, 3, 15 },
};

/* What the submitter must see, in this order. */
static const char *const ref_events[] = {
	"Task 1 assigned to agent 1",
	"Task 2 assigned to agent 2",
	"Task 2 completed",
	"Task 1 completed",
	"Task 3 assigned to agent 1",
	"Task 3 completed",
};

#define REF_CPUS	6U
#define REF_GB		12U

struct agent_run {
	unsigned int num;		/* 1, 2: order of registration */
	struct llms_cgroup cg;		/* its reservation */
	struct llms_child child;	/* pidfd -1 when none (or reaped) */
	__u32 id;			/* the kernel's agent id */
};

struct task_run {
	__u64 id;			/* the kernel's task id */
	char payload[32];
	__u32 state;			/* last state seen */
	bool ended;
	bool running;
};

struct demo {
	unsigned int scale;
	bool verbose;
	int fd;				/* admin and submitter file */
	struct agent_run agents[NR_AGENTS];
	struct task_run tasks[NR_TASKS];
	struct llms_cgroup mnt;		/* the cgroup2 mount */
	struct llms_cgroup top;		/* mnt/llmsched-demo */
	bool cgroups_made;		/* top is ours to clear and remove */
	bool submitted;
	bool live_shown;
	unsigned int nr_seen;
	char seen[MAX_EVENTS][64];
	uint64_t stats0[NR_STATS];	/* stats/ when the run began */
};

static const char *const stat_names[NR_STATS] = {
	"submitted", "dispatched", "succeeded", "failed", "cancelled",
	"requeued", "migrated",
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
"Usage: llmsched-demo [--scale N] [--verbose]\n"
"\n"
"Play the runtime for the llmsched reference example against the loaded\n"
"module: host capacity 6 CPUs / 12 GB; agent 1 (4 CPUs, 8 GB) and agent 2\n"
"(2 CPUs, 4 GB), each a process in its own cgroup under\n"
"/sys/fs/cgroup/" DEMO_CG_NAME "; tasks (priority, CPUs, GB, estimate)\n"
"1 = (3, 2, 4, 10 s), 2 = (2, 1, 2, 5 s), 3 = (1, 3, 3, 15 s) submitted in\n"
"one batch.  Prints the scheduling events as the module reports them and\n"
"checks them against the reference order:\n"
"\n");
	fprintf(out, "  %s\n  %s\n  %s\n  %s\n  %s\n  %s\n\n",
		ref_events[0], ref_events[1], ref_events[2], ref_events[3],
		ref_events[4], ref_events[5]);
	fprintf(out,
"Needs root (CAP_SYS_ADMIN), cgroup v2 (at /sys/fs/cgroup) and the module\n"
"loaded (`make demo` does it all in a VM).\n"
"\n"
"Options:\n"
"  -s, --scale N   run time scaled down N times (1 to %d, default 5):\n"
"                  each task runs \"sleep <estimate / N>\"; the module is\n"
"                  given the real estimate\n"
"  -v, --verbose   also the kernel's task and agent ids, pids, RUNNABLE and\n"
"                  RUNNING events, run times and the module's totals\n"
"  -h, --help      this text\n"
"\n"
"Exit status: 0 when the events came in the reference order and every\n"
"task succeeded, 1 otherwise.\n", MAX_SCALE);
}

static int parse_options(struct demo *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "scale", required_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long v;
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "s:vh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || v < 1 ||
			    v > MAX_SCALE) {
				demo_fail(0, "try 'llmsched-demo --help'",
					  "--scale wants a whole number from 1 to %d, got '%s'",
					  MAX_SCALE, optarg);
				return -EINVAL;
			}
			d->scale = (unsigned int)v;
			break;
		case 'v':
			d->verbose = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			fprintf(stderr, "try 'llmsched-demo --help'\n");
			return -EINVAL;
		}
	}
	if (optind < argc) {
		demo_fail(0, "try 'llmsched-demo --help'",
			  "unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	return 0;
}

/* "sleep 1", "sleep 0.5": @est_s seconds scaled down, in milliseconds. */
static void make_payload(char *buf, size_t len, unsigned int est_s,
			 unsigned int scale)
{
	unsigned int ms = est_s * 1000 / scale;
	int n;

	n = snprintf(buf, len, "sleep %u.%03u", ms / 1000, ms % 1000);
	/* Drop the trailing zeros, and the point if nothing is left. */
	while (n > 0 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 0 && buf[n - 1] == '.')
		buf[--n] = '\0';
}

/* -------------------------------------------------------------- module */

static int open_device(struct demo *d)
{
	struct llms_error *err = NULL;
	struct llmsched_version v;
	const char *hint = NULL;
	int ret;

	ret = llms_open(0, &err);
	if (ret < 0) {
		if (ret == -ENOENT || ret == -ENXIO || ret == -ENODEV)
			hint = "run 'make demo' (or 'insmod build/llmsched.ko' as root)";
		else if (ret == -EACCES || ret == -EPERM)
			hint = "the demo plays the runtime, which needs CAP_SYS_ADMIN";
		demo_error(&err, hint);
		return ret;
	}
	d->fd = ret;
	ret = llms_version(d->fd, &v, &err);
	if (ret) {
		demo_error(&err, NULL);
		return ret;
	}
	printf("llmsched %u.%u.%u: the reference example, time scaled down %ux\n",
	       v.major, v.minor, v.patch, d->scale);
	return 0;
}

static int setup_module(struct demo *d)
{
	struct llms_error *err = NULL;
	struct llmsched_capacity c;
	struct llmsched_policy p;
	int ret;

	memset(&c, 0, sizeof(c));
	c.capacity[LLMSCHED_RES_CPU] = DEMO_CPUS(REF_CPUS);
	c.capacity[LLMSCHED_RES_MEM] = DEMO_GB(REF_GB);
	ret = llms_set_capacity(d->fd, &c, &err);
	if (ret) {
		llms_error_prefix(&err, "the example's %u CPUs, %u GB",
				  REF_CPUS, REF_GB);
		demo_error(&err, ret == -EBUSY ?
			   "agents of another runtime hold more than that: stop them first" :
			   NULL);
		return ret;
	}
	/* The example's policy: priority then arrival, least loaded agent. */
	memset(&p, 0, sizeof(p));
	p.policy = LLMSCHED_POLICY_PRIO_FIFO;
	p.choice = LLMSCHED_CHOICE_LEAST_LOADED;
	ret = llms_set_policy(d->fd, &p, &err);
	if (ret) {
		demo_error(&err, NULL);
		return ret;
	}
	printf("host capacity: %u CPUs, %u GB; policy prio_fifo, choice least_loaded\n",
	       REF_CPUS, REF_GB);
	return 0;
}

static int read_stats(uint64_t *vals)
{
	struct llms_error *err = NULL;
	char rel[64];
	unsigned int i;
	int ret;

	for (i = 0; i < DEMO_ARRAY_SIZE(stat_names); i++) {
		snprintf(rel, sizeof(rel), "stats/%s", stat_names[i]);
		ret = llms_sysfs_read_u64(rel, &vals[i], &err);
		if (ret) {
			demo_error(&err, NULL);
			return ret;
		}
	}
	return 0;
}

/* -------------------------------------------------------------- agents */

/* cpu.max as the file says it: "QUOTA PERIOD", "max PERIOD"; "?". */
static void cpu_max_text(const struct llms_cgroup *cg, char *buf, size_t len)
{
	struct llms_error *err = NULL;
	uint64_t quota, period;

	if (llms_cgroup_get_cpu_max(cg, &quota, &period, &err)) {
		llms_error_free(&err);
		snprintf(buf, len, "?");
	} else if (quota == LLMS_CGROUP_MAX) {
		snprintf(buf, len, "max %llu", (unsigned long long)period);
	} else {
		snprintf(buf, len, "%llu %llu", (unsigned long long)quota,
			 (unsigned long long)period);
	}
}

/*
 * What a run that died left of agent folder @name: removed, unless
 * processes still live in it (another demo's agent, say).
 */
static int remove_stale(struct demo *d, const char *name)
{
	struct llms_cgroup cg = LLMS_CGROUP_INIT;
	struct llms_error *err = NULL;
	char path[4096];
	bool busy;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", d->top.path, name);
	ret = llms_cgroup_open(&cg, path, &err);
	if (ret == -ENOENT) {
		llms_error_free(&err);
		return 0;
	}
	if (!ret)
		ret = llms_cgroup_populated(&cg, &busy, &err);
	llms_cgroup_close(&cg);
	if (ret) {
		demo_error(&err, NULL);
		return ret;
	}
	if (busy) {
		demo_fail(0, "is another llmsched-demo running? if not, remove it by hand",
			  "%s is in use", path);
		return -EBUSY;
	}
	ret = llms_cgroup_remove(&d->top, name, DEMO_CG_TIMEOUT_MS, &err);
	if (ret && ret != -ENOENT) {
		demo_error(&err, "remove it by hand, then run again");
		return ret;
	}
	llms_error_free(&err);
	return 0;
}

/*
 * llmsched-demo/ below the cgroup2 mount, and in it one folder per agent
 * with its reservation (cpu.max, memory.max): the agent and its task live
 * in it, a leaf, and the controllers are enabled down to it.
 */
static int make_cgroups(struct demo *d)
{
	static const char *const controllers[] = {
		"cpu", "memory", "pids", NULL,
	};
	struct llms_error *err = NULL;
	char name[16], rel[64], buf[64];
	struct agent_run *a;
	char *mount = NULL;
	unsigned int i;
	int ret;

	ret = llms_cgroup_mount(&mount, &err);
	if (!ret)
		ret = llms_cgroup_open(&d->mnt, mount, &err);
	free(mount);
	if (!ret)
		ret = llms_cgroup_create(&d->top, &d->mnt, DEMO_CG_NAME, &err);
	if (ret) {
		demo_error(&err, "cgroup v2 must be mounted and writable (run as root)");
		return ret;
	}
	for (i = 0; i < NR_AGENTS; i++) {
		snprintf(name, sizeof(name), "agent%u", d->agents[i].num);
		ret = remove_stale(d, name);
		if (ret)
			return ret;
	}
	d->cgroups_made = true;
	for (i = 0; i < NR_AGENTS; i++) {
		a = &d->agents[i];
		snprintf(name, sizeof(name), "agent%u", a->num);
		snprintf(rel, sizeof(rel), DEMO_CG_NAME "/%s", name);
		ret = llms_cgroup_create(&a->cg, &d->top, name, &err);
		if (!ret)
			ret = llms_cgroup_enable_controllers(&d->mnt, rel,
							     controllers, &err);
		if (!ret)
			ret = llms_cgroup_set_cpu_max(&a->cg,
						      DEMO_CPUS(ref_agents[i].cpus),
						      0, &err);
		if (!ret)
			ret = llms_cgroup_set_limit(&a->cg, LLMS_MEMORY_MAX,
						    DEMO_GB(ref_agents[i].gb),
						    &err);
		if (ret) {
			demo_error(&err, NULL);
			return ret;
		}
		cpu_max_text(&a->cg, buf, sizeof(buf));
		printf("cgroup %s: cpu.max \"%s\", memory.max %u GB\n",
		       a->cg.path, buf, ref_agents[i].gb);
	}
	return 0;
}

/* Kill what is left in llmsched-demo/, remove it; 0 or -errno. */
static int remove_cgroups(struct demo *d)
{
	struct llms_error *err = NULL;
	unsigned int i;
	int ret;

	for (i = 0; i < NR_AGENTS; i++)
		llms_cgroup_close(&d->agents[i].cg);
	ret = llms_cgroup_kill(&d->top, DEMO_CG_TIMEOUT_MS, &err);
	llms_cgroup_close(&d->top);
	if (!ret)
		ret = llms_cgroup_remove(&d->mnt, DEMO_CG_NAME,
					 DEMO_CG_TIMEOUT_MS, &err);
	if (ret)
		demo_error(&err, NULL);
	return ret;
}

/*
 * The kernel's id of the agent that process @pid registered, 0 when none
 * has (yet); -errno when the module cannot say.
 */
static int64_t registered_id(const struct demo *d, pid_t pid)
{
	struct llmsched_agent_info *agents;
	struct llms_error *err = NULL;
	int64_t id = 0;
	size_t i, n;
	int ret;

	ret = llms_agent_list_all(d->fd, &agents, &n, &err);
	if (ret) {
		demo_error(&err, NULL);
		return ret;
	}
	for (i = 0; i < n; i++)
		if (agents[i].pid == pid)
			id = agents[i].agent_id;
	free(agents);
	return id;
}

/*
 * Start agent @a in its cgroup, "llmsched-demo --agent ...", and wait
 * until it registered itself.
 */
static int start_agent(struct demo *d, struct agent_run *a, unsigned int i)
{
	char num[16], cpu[24], mem[24], parent[16];
	char *argv[] = {
		"/proc/self/exe", "--agent", num, a->cg.path, cpu, mem, parent,
		NULL,
	};
	struct llms_spawn_attr attr = { 0 };
	struct llms_error *err = NULL;
	int64_t id = 0;
	int status, ret, tries;

	snprintf(num, sizeof(num), "%u", a->num);
	snprintf(cpu, sizeof(cpu), "%llu",
		 (unsigned long long)DEMO_CPUS(ref_agents[i].cpus));
	snprintf(mem, sizeof(mem), "%llu",
		 (unsigned long long)DEMO_GB(ref_agents[i].gb));
	snprintf(parent, sizeof(parent), "%d", (int)getpid());
	attr.argv = argv;
	attr.envp = environ;
	attr.cgroup_fd = a->cg.fd;
	attr.inherit_output = true;
	ret = llms_spawn(&attr, &a->child, &err);
	if (ret) {
		llms_error_prefix(&err, "starting agent %u", a->num);
		demo_error(&err, NULL);
		a->child.pidfd = -1;
		return ret;
	}

	/* It registers at once; 10 s for a slow VM. */
	for (tries = 0; tries < 1000 && !id; tries++) {
		id = registered_id(d, a->child.pid);
		if (id < 0)
			return (int)id;
		if (id)
			break;
		ret = llms_child_wait(&a->child, 10, &status, &err);
		if (!ret) {
			demo_fail(0, "its messages above say why",
				  "agent %u (pid %d) exited before it registered (status %#x)",
				  a->num, (int)a->child.pid, status);
			return -ECHILD;
		}
		llms_error_free(&err);
	}
	if (!id) {
		demo_fail(0, NULL, "agent %u (pid %d) did not register in 10 s",
			  a->num, (int)a->child.pid);
		return -ETIMEDOUT;
	}
	a->id = (__u32)id;
	printf("agent %u: registered from inside its cgroup (%u CPUs, %u GB, 1 slot)",
	       a->num, ref_agents[i].cpus, ref_agents[i].gb);
	if (d->verbose)
		printf(": pid %d, kernel agent id %u", (int)a->child.pid,
		       a->id);
	printf("\n");
	return 0;
}

/* Reap agents that exited on their own; -ECHILD if one did. */
static int check_agents(struct demo *d)
{
	struct llms_error *err = NULL;
	struct agent_run *a;
	unsigned int i;
	int status, ret = 0;

	for (i = 0; i < NR_AGENTS; i++) {
		a = &d->agents[i];
		if (a->child.pidfd < 0)
			continue;
		if (llms_child_wait(&a->child, 0, &status, &err)) {
			llms_error_free(&err);
			continue;
		}
		demo_fail(0, "its messages above say why",
			  "agent %u (pid %d) exited early (status %#x)",
			  a->num, (int)a->child.pid, status);
		ret = -ECHILD;
	}
	return ret;
}

/* SIGTERM every agent; each unregisters and exits.  0 if all did. */
static int stop_agents(struct demo *d)
{
	__u64 deadline = demo_now_ns() + 5 * DEMO_NSEC_PER_SEC, now;
	struct llms_error *err = NULL;
	struct agent_run *a;
	int status, ret = 0, got;
	unsigned int i;

	for (i = 0; i < NR_AGENTS; i++)
		if (d->agents[i].child.pidfd >= 0 &&
		    llms_child_signal(&d->agents[i].child, SIGTERM, &err))
			llms_error_free(&err);
	for (i = 0; i < NR_AGENTS; i++) {
		a = &d->agents[i];
		if (a->child.pidfd < 0)
			continue;
		do {
			now = demo_now_ns();
			got = llms_child_wait(&a->child, now < deadline ?
					      (int)((deadline - now) /
						    DEMO_NSEC_PER_MSEC) : 0,
					      &status, &err);
			llms_error_free(&err);
		} while (got == -EINTR);
		if (got == -ETIMEDOUT) {
			demo_fail(0, NULL,
				  "agent %u (pid %d) did not stop in 5 s: killing it",
				  a->num, (int)a->child.pid);
			llms_child_signal(&a->child, SIGKILL, &err);
			llms_error_free(&err);
			got = llms_child_wait(&a->child, -1, &status, &err);
			llms_error_free(&err);
		}
		if (!got && WIFEXITED(status) && !WEXITSTATUS(status)) {
			printf("agent %u: unregistered and exited\n", a->num);
		} else {
			demo_fail(0, NULL, "agent %u (pid %d) ended badly (status %#x)",
				  a->num, (int)a->child.pid, got ? -1 : status);
			ret = -ECHILD;
		}
		if (a->child.pidfd >= 0)
			llms_child_release(&a->child);
	}
	return ret;
}

/* --------------------------------------------------------------- tasks */

static int submit_tasks(struct demo *d)
{
	struct llmsched_task_submit t[NR_TASKS];
	struct llms_error *err = NULL;
	struct task_run *tr;
	uint32_t failed;
	unsigned int i;
	int ret;

	for (i = 0; i < NR_TASKS; i++) {
		tr = &d->tasks[i];
		make_payload(tr->payload, sizeof(tr->payload),
			     ref_tasks[i].est_s, d->scale);
		memset(&t[i], 0, sizeof(t[i]));
		t[i].priority = ref_tasks[i].prio;
		t[i].est_runtime_ns = ref_tasks[i].est_s * DEMO_NSEC_PER_SEC;
		t[i].demand[LLMSCHED_RES_CPU] = DEMO_CPUS(ref_tasks[i].cpus);
		t[i].demand[LLMSCHED_RES_MEM] = DEMO_GB(ref_tasks[i].gb);
		t[i].payload_ptr = (uintptr_t)tr->payload;
		t[i].payload_len = strlen(tr->payload);
	}
	ret = llms_submit_batch(d->fd, t, NR_TASKS, &failed, &err);
	if (ret) {
		if (failed < NR_TASKS)
			llms_error_prefix(&err, "the example's task %u",
					  failed + 1);
		demo_error(&err, ret == -ENOSPC ?
			   "no registered agent can hold it: did the agents register?" :
			   NULL);
		return ret;
	}
	d->submitted = true;
	printf("submitted in one batch (priority, CPUs, GB, estimate, payload):\n");
	for (i = 0; i < NR_TASKS; i++) {
		d->tasks[i].id = t[i].task_id;
		printf("  task %u: %u, %u, %u, %u s, \"%s\"", i + 1,
		       ref_tasks[i].prio, ref_tasks[i].cpus, ref_tasks[i].gb,
		       ref_tasks[i].est_s, d->tasks[i].payload);
		if (d->verbose)
			printf("; kernel task id %llu",
			       (unsigned long long)t[i].task_id);
		printf("\n");
	}
	printf("\n");
	return 0;
}

static int task_index(const struct demo *d, __u64 id)
{
	unsigned int i;

	for (i = 0; i < NR_TASKS; i++)
		if (d->tasks[i].id == id)
			return (int)i;
	return -1;
}

/* "1" for the first agent registered, or the kernel's id when unknown. */
static void agent_name(const struct demo *d, __u32 id, char *buf, size_t len)
{
	unsigned int i;

	for (i = 0; i < NR_AGENTS; i++) {
		if (d->agents[i].id == id) {
			snprintf(buf, len, "%u", d->agents[i].num);
			return;
		}
	}
	snprintf(buf, len, "?(kernel id %u)", id);
}

static const char *reason_text(__u32 reason, __s32 status, char *buf,
			       size_t len)
{
	switch (reason) {
	case LLMSCHED_REASON_EXIT:
		snprintf(buf, len, "exit status %d", status);
		return buf;
	case LLMSCHED_REASON_SIGNAL:
		if (sigabbrev_np(status))
			snprintf(buf, len, "killed by SIG%s",
				 sigabbrev_np(status));
		else
			snprintf(buf, len, "killed by signal %d", status);
		return buf;
	case LLMSCHED_REASON_OOM:
		return "out of memory";
	case LLMSCHED_REASON_TIMEOUT:
		return "timeout";
	case LLMSCHED_REASON_LAUNCH:
		return "could not launch";
	case LLMSCHED_REASON_AGENT_LOST:
		return "agent lost";
	case LLMSCHED_REASON_DEP_FAILED:
		return "a dependency failed";
	case LLMSCHED_REASON_CANCELLED:
		return "cancelled";
	default:
		snprintf(buf, len, "reason %u", reason);
		return buf;
	}
}

/* ---------------------------------------------------------- live view */

/*
 * Agent @a's cgroup.procs, as "NAME (what)" per process.  The agent reports
 * START before it forks the payload: give the payload a moment to exec, so
 * that the view shows it rather than the agent's fork.  0 when it showed
 * a process other than the agent's own image.
 */
static int read_procs(const struct demo *d, const struct agent_run *a,
		      char *out, size_t len)
{
	char comm[64], agent_comm[64];
	struct llms_error *err = NULL;
	size_t i, n, used = 0;
	pid_t pid, *pids;
	int ret = -EAGAIN;

	if (llms_cgroup_procs(&a->cg, &pids, &n, &err)) {
		llms_error_free(&err);
		return -EIO;
	}
	snprintf(agent_comm, sizeof(agent_comm), "llmdemo-agent%u", a->num);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		pid = pids[i];
		if (demo_read_comm(pid, comm, sizeof(comm)))
			snprintf(comm, sizeof(comm), "?");
		if (pid != a->child.pid && strcmp(comm, agent_comm))
			ret = 0;
		used += snprintf(out + used, len - used, "%s%s (%s", used ?
				 ", " : "", comm, pid == a->child.pid ?
				 "the agent" : "its task");
		if (used < len && d->verbose)
			used += snprintf(out + used, len - used, ", pid %d",
					 pid);
		if (used < len)
			used += snprintf(out + used, len - used, ")");
		if (used >= len)
			break;
	}
	free(pids);
	return ret;
}

static void show_procs(const struct demo *d, const struct agent_run *a)
{
	char procs[256];
	int i, ret;

	for (i = 0; i < 30; i++) {
		ret = read_procs(d, a, procs, sizeof(procs));
		if (ret != -EAGAIN)
			break;
		usleep(10000);
	}
	if (ret == -EIO)
		return;
	printf("    processes in %s: %s\n", a->cg.path, procs);
}

/* An agent's tasks (agents/ID/tasks), as the demo's numbers. */
static void show_task_list(const struct demo *d,
			   const struct llms_sysfs_agent *ag)
{
	size_t i;
	int idx;

	for (i = 0; i < ag->ntasks; i++) {
		idx = task_index(d, ag->tasks[i].id);
		printf("%s", i ? ", " : " ");
		if (d->verbose)
			printf("%llu = ",
			       (unsigned long long)ag->tasks[i].id);
		if (idx < 0)
			printf("a task not the demo's");
		else
			printf("task %d", idx + 1);
	}
	if (!ag->ntasks)
		printf(" none");
}

/*
 * What the module and the cgroups say while tasks 1 and 2 run: the queue,
 * the ledger, each agent's tasks and cgroup, and agent 1's limits.
 */
static void live_view(struct demo *d)
{
	static const char *const q[] = {
		"queued", "runnable", "assigned", "running",
	};
	struct llms_sysfs_agent ag;
	struct llms_error *err = NULL;
	const struct agent_run *a;
	char rel[96], buf[256];
	uint64_t v, cap;
	unsigned int i;

	printf("  -- live view while task 1 runs, from " LLMS_SYSFS_ROOT
	       " and the cgroups:\n");
	printf("    queue/:");
	for (i = 0; i < DEMO_ARRAY_SIZE(q); i++) {
		snprintf(rel, sizeof(rel), "queue/%s", q[i]);
		if (llms_sysfs_read_u64(rel, &v, &err)) {
			llms_error_free(&err);
			printf("%s %s ?", i ? "," : "", q[i]);
		} else {
			printf("%s %s %llu", i ? "," : "", q[i],
			       (unsigned long long)v);
		}
	}
	printf("\n");
	if (!llms_sysfs_read_u64("reserved/cpu", &v, &err) &&
	    !llms_sysfs_read_u64("capacity/cpu", &cap, &err))
		printf("    reserved/cpu: %llu of capacity/cpu %llu millicores\n",
		       (unsigned long long)v, (unsigned long long)cap);
	llms_error_free(&err);
	for (i = 0; i < NR_AGENTS; i++) {
		a = &d->agents[i];
		if (d->verbose)
			snprintf(rel, sizeof(rel), "agents/%u", a->id);
		else
			snprintf(rel, sizeof(rel), "agents/<agent %u>",
				 a->num);
		printf("    %s/tasks:", rel);
		if (llms_sysfs_read_agent(a->id, &ag, &err)) {
			llms_error_free(&err);
			printf(" ?; %s/cgroup: ?\n", rel);
			continue;
		}
		if (ag.tasks_read)
			show_task_list(d, &ag);
		else
			printf(" ?");
		printf("; %s/cgroup: %s\n", rel, ag.cgroup ? ag.cgroup : "?");
		llms_sysfs_agent_free(&ag);
	}
	a = &d->agents[0];
	cpu_max_text(&a->cg, buf, sizeof(buf));
	printf("    $ cat %s/cpu.max\n    %s\n", a->cg.path, buf);
	if (llms_cgroup_get_limit(&a->cg, LLMS_MEMORY_MAX, &v, &err)) {
		llms_error_free(&err);
		snprintf(buf, sizeof(buf), "?");
	} else if (v == LLMS_CGROUP_MAX) {
		snprintf(buf, sizeof(buf), "max");
	} else {
		snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	}
	printf("    $ cat %s/memory.max\n    %s\n", a->cg.path, buf);
	show_procs(d, a);
	printf("  --\n");
	d->live_shown = true;
}

/* ------------------------------------------------------------- events */

/* Print one event; the lines the reference knows are kept for the check. */
static void handle_event(struct demo *d, const struct llmsched_task_event *e)
{
	char line[64], agent[32], rbuf[64];
	struct task_run *t;
	bool keep = true;
	int idx;

	idx = task_index(d, e->task_id);
	if (idx < 0) {
		if (d->verbose)
			printf("(event of kernel task %llu, not the demo's)\n",
			       (unsigned long long)e->task_id);
		return;
	}
	t = &d->tasks[idx];
	agent_name(d, e->agent_id, agent, sizeof(agent));
	switch (e->state) {
	case LLMSCHED_TASK_ASSIGNED:
		snprintf(line, sizeof(line), "Task %d assigned to agent %s",
			 idx + 1, agent);
		break;
	case LLMSCHED_TASK_SUCCEEDED:
		snprintf(line, sizeof(line), "Task %d completed", idx + 1);
		break;
	case LLMSCHED_TASK_FAILED:
		snprintf(line, sizeof(line), "Task %d failed (%s)", idx + 1,
			 reason_text(e->reason, e->exit_status, rbuf,
				     sizeof(rbuf)));
		break;
	case LLMSCHED_TASK_CANCELLED:
		snprintf(line, sizeof(line), "Task %d cancelled", idx + 1);
		break;
	case LLMSCHED_TASK_RUNNING:
		snprintf(line, sizeof(line), "Task %d running on agent %s",
			 idx + 1, agent);
		keep = false;
		t->running = true;
		break;
	default:
		snprintf(line, sizeof(line), "Task %d %s", idx + 1,
			 llms_task_state_name(e->state));
		keep = false;
		break;
	}
	t->state = e->state;
	if (e->state >= LLMSCHED_TASK_SUCCEEDED)
		t->ended = true;

	if (keep && d->nr_seen < MAX_EVENTS)
		snprintf(d->seen[d->nr_seen++], sizeof(d->seen[0]), "%s",
			 line);
	if (keep || d->verbose) {
		printf("%s", line);
		if (d->verbose)
			printf("  [kernel task %llu, agent %u]",
			       (unsigned long long)e->task_id, e->agent_id);
		printf("\n");
	}
	/* Once tasks 1 and 2 both run: the reservation, as it is. */
	if (!d->live_shown && d->tasks[0].running && d->tasks[1].running &&
	    !d->tasks[0].ended && !d->tasks[1].ended)
		live_view(d);
	fflush(stdout);
}

static unsigned int tasks_ended(const struct demo *d)
{
	unsigned int i, n = 0;

	for (i = 0; i < NR_TASKS; i++)
		n += d->tasks[i].ended;
	return n;
}

/* Read the submitter's events until every task ended. */
static int watch_events(struct demo *d)
{
	struct llmsched_task_event ev[16];
	struct pollfd pfd = { .fd = d->fd, .events = POLLIN };
	__u64 total_s = 0, budget_ns, deadline;
	unsigned int i;
	ssize_t n;
	int ret;

	for (i = 0; i < NR_TASKS; i++)
		total_s += ref_tasks[i].est_s;
	/* Three times the scaled run time, and 20 s for a slow VM. */
	budget_ns = (3 * total_s * DEMO_NSEC_PER_SEC) / d->scale +
		    20 * DEMO_NSEC_PER_SEC;
	deadline = demo_now_ns() + budget_ns;

	while (tasks_ended(d) < NR_TASKS) {
		if (interrupted) {
			demo_fail(0, NULL, "interrupted");
			return -EINTR;
		}
		ret = check_agents(d);
		if (ret)
			return ret;
		if (demo_now_ns() > deadline) {
			demo_fail(0, "the events so far are above; see "
				  LLMS_SYSFS_ROOT "/queue and dmesg",
				  "the tasks did not end in %llu s",
				  (unsigned long long)(budget_ns /
						       DEMO_NSEC_PER_SEC));
			return -ETIMEDOUT;
		}
		ret = poll(&pfd, 1, 200);
		if (ret <= 0)
			continue;
		n = read(d->fd, ev, sizeof(ev));
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			ret = -errno;
			demo_fail(-ret, ret == -EOVERFLOW ?
				  "events were dropped: the check cannot be made" :
				  NULL, "read() of the task events failed");
			return ret;
		}
		for (i = 0; i < n / sizeof(ev[0]); i++)
			handle_event(d, &ev[i]);
	}
	return 0;
}

/* TASK_WAIT on each task; 0 when all succeeded. */
static int wait_tasks(struct demo *d)
{
	struct llms_error *err = NULL;
	struct llmsched_task_info info;
	struct llmsched_task_wait w;
	char agent[32], rbuf[64];
	unsigned int i;
	int ret, bad = 0;

	printf("\n");
	for (i = 0; i < NR_TASKS; i++) {
		memset(&w, 0, sizeof(w));
		w.task_id = d->tasks[i].id;
		w.timeout_ns = 5 * DEMO_NSEC_PER_SEC;
		ret = llms_task_wait(d->fd, &w, &err);
		if (ret) {
			llms_error_prefix(&err, "the example's task %u", i + 1);
			demo_error(&err, NULL);
			bad = ret;
			continue;
		}
		if (llms_task_query(d->fd, w.task_id, &info, &err)) {
			llms_error_free(&err);
			memset(&info, 0, sizeof(info));
		}
		agent_name(d, info.agent_id, agent, sizeof(agent));
		printf("task %u: %s", i + 1, llms_task_state_name(w.state));
		if (w.state != LLMSCHED_TASK_SUCCEEDED) {
			printf(" (%s)", reason_text(w.reason, w.exit_status,
						    rbuf, sizeof(rbuf)));
			bad = -EIO;
		}
		printf(" on agent %s", agent);
		if (d->verbose)
			printf(", ran %llu ms (estimate %u s); kernel task %llu",
			       (unsigned long long)(info.runtime_ns /
						    DEMO_NSEC_PER_MSEC),
			       ref_tasks[i].est_s,
			       (unsigned long long)w.task_id);
		printf("\n");
	}
	return bad;
}

/* The events shown against the reference; 0 when they match. */
static int check_order(const struct demo *d)
{
	unsigned int i, n = DEMO_ARRAY_SIZE(ref_events);
	bool same = d->nr_seen == n;

	for (i = 0; same && i < n; i++)
		same = !strcmp(d->seen[i], ref_events[i]);
	if (same) {
		printf("the events came in the reference order\n");
		return 0;
	}
	demo_fail(0, "when only the completions are out of order, the machine "
		  "was too slow\n" DEMO_PROG ": for the scaled run times: try "
		  "a smaller --scale (tools/demo --scale 2)",
		  "the events differ from the reference (*):");
	fprintf(stderr, "    %-30s  %s\n", "expected", "got");
	for (i = 0; i < n || i < d->nr_seen; i++)
		fprintf(stderr, "  %s %-30s  %s\n",
			i < n && i < d->nr_seen &&
			!strcmp(d->seen[i], ref_events[i]) ? " " : "*",
			i < n ? ref_events[i] : "(none)",
			i < d->nr_seen ? d->seen[i] : "(none)");
	return -EPROTO;
}

static void show_end_state(struct demo *d)
{
	struct llms_error *err = NULL;
	struct llmsched_capacity c;
	uint64_t now[NR_STATS];
	unsigned int i;

	memset(&c, 0, sizeof(c));	/* @flags is an input, zero */
	if (llms_get_capacity(d->fd, &c, &err))
		demo_error(&err, NULL);
	else
		printf("reserved after the agents left: %llu millicores, %llu bytes\n",
		       (unsigned long long)c.reserved[LLMSCHED_RES_CPU],
		       (unsigned long long)c.reserved[LLMSCHED_RES_MEM]);
	if (read_stats(now))
		return;
	printf(LLMS_SYSFS_ROOT "/stats, this run%s:\n",
	       d->verbose ? " (since the module loaded)" : "");
	for (i = 0; i < DEMO_ARRAY_SIZE(stat_names); i++) {
		printf("  %-10s %llu", stat_names[i],
		       (unsigned long long)(now[i] - d->stats0[i]));
		if (d->verbose)
			printf(" (%llu)", (unsigned long long)now[i]);
		printf("\n");
	}
}

/* ---------------------------------------------------------------- main */

/* Everything up to the check; the caller cleans up. */
static int run(struct demo *d)
{
	unsigned int i;
	int ret;

	ret = open_device(d);
	if (ret)
		return ret;
	ret = read_stats(d->stats0);
	if (ret)
		return ret;
	ret = setup_module(d);
	if (ret)
		return ret;
	ret = make_cgroups(d);
	if (ret)
		return ret;
	/* One after the other: agent 1 registers first, gets the lower id. */
	for (i = 0; i < NR_AGENTS; i++) {
		ret = start_agent(d, &d->agents[i], i);
		if (ret)
			return ret;
	}
	ret = submit_tasks(d);
	if (ret)
		return ret;
	ret = watch_events(d);
	if (ret)
		return ret;
	ret = wait_tasks(d);
	if (!d->live_shown)
		printf("(no live view: tasks 1 and 2 were never seen running together)\n");
	return check_order(d) ?: ret;
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	struct demo d;
	unsigned int i;
	int ret;

	/* The demo starts its agents as itself: "llmsched-demo --agent ...". */
	if (argc > 1 && !strcmp(argv[1], "--agent"))
		return demo_agent_exec_main(argc, argv);
	memset(&d, 0, sizeof(d));
	d.fd = -1;
	d.mnt = (struct llms_cgroup)LLMS_CGROUP_INIT;
	d.top = (struct llms_cgroup)LLMS_CGROUP_INIT;
	d.scale = 5;
	for (i = 0; i < NR_AGENTS; i++) {
		d.agents[i].num = i + 1;
		d.agents[i].cg = (struct llms_cgroup)LLMS_CGROUP_INIT;
		d.agents[i].child.pidfd = -1;
	}
	if (parse_options(&d, argc, argv))
		return 1;
	setvbuf(stdout, NULL, _IOLBF, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	ret = run(&d);

	/* Whatever happened: stop the agents, show the books, clean up. */
	if (stop_agents(&d) && !ret)
		ret = -ECHILD;
	if (d.submitted)
		show_end_state(&d);
	if (d.cgroups_made) {
		if (remove_cgroups(&d))
			ret = ret ?: -EBUSY;
		else
			printf("removed the cgroups and %s/" DEMO_CG_NAME "\n",
			       d.mnt.path);
	}
	for (i = 0; i < NR_AGENTS; i++)
		llms_cgroup_close(&d.agents[i].cg);
	llms_cgroup_close(&d.top);
	llms_cgroup_close(&d.mnt);
	if (d.fd >= 0)
		close(d.fd);
	if (ret)
		fprintf(stderr, DEMO_PROG ": FAILED\n");
	else
		printf(DEMO_PROG ": ok\n");
	return ret ? 1 : 0;
}
