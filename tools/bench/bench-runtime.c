// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched-bench-runtime: what llmschedd costs per task, beside the least
 * any runner can do on the same machine, in the same boot.
 *
 * Runs as root where llmsched.ko can be loaded (the test VM, through
 * tools/bench/run-rbench) and prints:
 *
 * - floor A: fork(), execve() of /bin/true, waitpid(), as fast as one
 *   process can: tasks/s, the least any runner can do; and the same
 *   through llms_spawn() (clone3, its error pipe) in the caller's cgroup;
 * - floor B: the same with a cgroup per task: mkdir below a test root
 *   that gives its children cpu and memory, the child started into it
 *   with llms_spawn() (clone3 with CLONE_INTO_CGROUP), reaped, the folder
 *   removed: the least a cgroup-per-task runner can do;
 * - llmschedd with 4 agents: trivial tasks submitted in batches, waited
 *   for, tasks/s end to end, as a ratio to both floors;
 * - submit-to-start latency for an idle agent (the module's start_ns less
 *   its submit_ns, and submit to the task's own first instruction after
 *   exec), beside floor B's fork-to-exec latency;
 * - llmschedd's own memory (VmRSS and Pss of the supervisor and of its
 *   agents) with 16 agents and 1000 tasks queued behind busy agents.
 *
 * It prints figures and never judges them: the exit status is 1 only when
 * the setup failed.  See Documentation/admin-guide/benchmarks.rst.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../runtime/lib/libllmsched.h"
#include "../../selftests/llmsched/module_util.h"

#define RB_TRUE			"/bin/true"
#define RB_SLEEP		"/bin/sleep"
#define RB_CGROUP_MOUNT		"/sys/fs/cgroup"
/* Tasks of the throughput run: two fit in an agent of 500m, 128M. */
#define RB_TASK_CPU		250
#define RB_TASK_MEM		(32ull << 20)
#define RB_TASK_EST_NS		1000000ull
/* Tasks of the memory run: one fills an agent of 100m. */
#define RB_MEM_AGENTS		16
#define RB_MEM_TASK_CPU		100
#define RB_WAIT_NS		(120ull * 1000000000ull)
#define RB_WARMUP		10
#define RB_BATCH_MAX		1024
#define RB_STAMP_ARG		"--stamp"

/* ------------------------------------------------------------ options */

struct rb_opts {
	bool json;
	bool keep_module;
	unsigned int iters;	/* tasks per throughput figure */
	unsigned int lat_iters;	/* rounds per latency figure */
	unsigned int batch;	/* tasks per SUBMIT_BATCH */
	unsigned int queued;	/* tasks queued for the memory figure */
};

static struct rb_opts opt = {
	.iters = 200,
	.lat_iters = 200,
	.batch = 50,
	.queued = 1000,
};

/* ------------------------------------------------------------ results */

struct rb_rate {
	bool ok;
	unsigned int n;
	unsigned int failed;	/* tasks that did not succeed */
	double secs;
	char err[160];
};

struct rb_lat {
	bool ok;
	unsigned int n;
	double p50_ns, p99_ns, min_ns, max_ns;
	char err[160];
};

struct rb_rss {
	bool ok;
	long sup_rss_kb, sup_pss_kb;
	long agents_rss_kb, agents_pss_kb;
	unsigned int agents;
	char err[160];
};

struct rb_results {
	char kernel[128], clocksource[32];
	long cpus;
	struct rb_rate floor_a, floor_a_spawn, floor_b, floor_b_par, daemon;
	struct rb_lat lat_start, lat_exec;		/* llmschedd */
	struct rb_lat lat_floor_exec, lat_floor_spawn;	/* floor B */
	struct rb_rss rss_idle, rss_busy, rss_queued;
	unsigned int queued_seen;	/* of the queued tasks, RUNNABLE */
	char setup_err[256];
};

static struct rb_results res;

/* What the run set up, undone by teardown(). */
static struct {
	bool loaded_module;
	char dir[64];			/* temp folder: configs, state, logs */
	char floor_root[96];		/* the floors' test cgroup */
	struct llms_cgroup mnt, root;	/* the mount, the floors' root */
	pid_t daemon;
	char cgroup_root[96];		/* the running daemon's */
	char log_dir[128];		/* the running daemon's log_dir */
	int fd;
	char self[4096];		/* this program, for --stamp */
} S = { .mnt = LLMS_CGROUP_INIT, .root = LLMS_CGROUP_INIT, .fd = -1 };

static char *rb_env[] = { "PATH=/usr/bin:/bin", "HOME=/tmp", NULL };

/* ------------------------------------------------------------ helpers */

static void progress(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("rbench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Put @err's message (or @what and @ret) in @buf, and free @err. */
static void say_err(char *buf, size_t size, const char *what, int ret,
		    struct llms_error **err)
{
	char text[512] = "";

	if (err && *err)
		llms_error_format(*err, text, sizeof(text));
	else
		snprintf(text, sizeof(text), "%s", strerror(-ret));
	snprintf(buf, size, "%s: %s", what, text);
	if (err)
		llms_error_free(err);
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -errno;
	fputs(text, f);
	return fclose(f) ? -errno : 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* p50, p99, min and max of @n samples (sorted in place) into @l. */
static void lat_fill(struct rb_lat *l, double *v, unsigned int n)
{
	if (!n) {
		if (!l->err[0])
			snprintf(l->err, sizeof(l->err), "no sample");
		return;
	}
	qsort(v, n, sizeof(*v), cmp_double);
	l->n = n;
	l->p50_ns = v[(n - 1) / 2];
	l->p99_ns = v[(size_t)((n - 1) * 0.99 + 0.5)];
	l->min_ns = v[0];
	l->max_ns = v[n - 1];
	l->ok = true;
}

static void environment(void)
{
	struct utsname u;

	if (!uname(&u))
		snprintf(res.kernel, sizeof(res.kernel), "%s", u.release);
	res.cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (read_text_file("/sys/devices/system/clocksource/clocksource0/current_clocksource",
			   res.clocksource, sizeof(res.clocksource)) < 0)
		snprintf(res.clocksource, sizeof(res.clocksource), "?");
	res.clocksource[strcspn(res.clocksource, "\n")] = '\0';
}

/*
 * The helper mode: print CLOCK_MONOTONIC and exit.  Started as a task's
 * command, it says when the task's own code began to run: after the
 * exec and the dynamic loader, as any program's main() would.
 */
static int stamp_main(void)
{
	printf("%llu\n", (unsigned long long)now_ns());
	return fflush(stdout) ? 1 : 0;
}

static int read_stamp(const char *path, uint64_t *stamp)
{
	char buf[64];
	char *end;

	if (read_text_file(path, buf, sizeof(buf)) <= 0)
		return -ENOENT;
	*stamp = strtoull(buf, &end, 10);
	return end == buf ? -EBADMSG : 0;
}

/* ------------------------------------------------------------- floors */

static int run_fork_exec(void)
{
	char *const argv[] = { RB_TRUE, NULL };
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		execve(argv[0], argv, rb_env);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -ECHILD;
}

/* Through llms_spawn() into @cgroup_fd (-1: ours); its exit status. */
static int run_spawn(char *const *argv, int cgroup_fd, const char *out,
		     struct llms_error **err)
{
	struct llms_spawn_attr attr = {
		.argv = argv, .envp = rb_env, .cwd = "/tmp",
		.cgroup_fd = cgroup_fd, .stdout_path = out,
	};
	struct llms_child child;
	int ret, status;

	ret = llms_spawn(&attr, &child, err);
	if (ret)
		return ret;
	ret = llms_child_wait(&child, -1, &status, err);
	if (ret)
		return ret;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 :
		llms_error_set(err, ECHILD, "%s did not exit 0", argv[0]);
}

/* One task of floor B: its own cgroup, created, used, removed. */
static int run_in_cgroup(unsigned int i, char *const *argv, const char *out,
			 uint64_t *spawned, struct llms_error **err)
{
	struct llms_spawn_attr attr = {
		.argv = argv, .envp = rb_env, .cwd = "/tmp",
		.stdout_path = out,
	};
	struct llms_cgroup cg = LLMS_CGROUP_INIT;
	struct llms_child child;
	char name[32];
	int ret, status;

	snprintf(name, sizeof(name), "task-%u", i);
	ret = llms_cgroup_create(&cg, &S.root, name, err);
	if (ret)
		return ret;
	attr.cgroup_fd = cg.fd;
	ret = llms_spawn(&attr, &child, err);
	if (spawned)
		*spawned = now_ns();
	if (!ret)
		ret = llms_child_wait(&child, -1, &status, err);
	if (!ret && !(WIFEXITED(status) && !WEXITSTATUS(status)))
		ret = llms_error_set(err, ECHILD, "%s did not exit 0", argv[0]);
	llms_cgroup_close(&cg);
	if (!ret)
		ret = llms_cgroup_remove(&S.root, name, 5000, err);
	else
		llms_cgroup_remove(&S.root, name, 5000, NULL);
	return ret;
}

enum rb_floor { RB_FLOOR_A, RB_FLOOR_A_SPAWN, RB_FLOOR_B };

static void floor_rate(enum rb_floor kind, struct rb_rate *r)
{
	char *const argv[] = { RB_TRUE, NULL };
	struct llms_error *err = NULL;
	unsigned int i, total = RB_WARMUP + opt.iters;
	uint64_t t0 = 0;
	int ret = 0;

	for (i = 0; i < total && !ret; i++) {
		if (i == RB_WARMUP)
			t0 = now_ns();
		if (kind == RB_FLOOR_A)
			ret = run_fork_exec();
		else if (kind == RB_FLOOR_A_SPAWN)
			ret = run_spawn(argv, -1, NULL, &err);
		else
			ret = run_in_cgroup(i, argv, NULL, NULL, &err);
	}
	if (ret) {
		say_err(r->err, sizeof(r->err), "task", ret, &err);
		return;
	}
	r->secs = (double)(now_ns() - t0) / 1e9;
	r->n = opt.iters;
	r->ok = true;
}

/*
 * Floor B with one process per CPU at once, opt.iters tasks between them:
 * what a cgroup-per-task runner gets from this machine's CPUs, as
 * llmschedd's agents run tasks side by side.
 */
static void floor_rate_parallel(struct rb_rate *r)
{
	char *const argv[] = { RB_TRUE, NULL };
	unsigned int w, i, nw = res.cpus > 1 ? (unsigned int)res.cpus : 1;
	int status, bad = 0;
	pid_t pids[64];
	uint64_t t0;

	if (nw > 64)
		nw = 64;
	fflush(NULL);
	t0 = now_ns();
	for (w = 0; w < nw; w++) {
		pids[w] = fork();
		if (pids[w] < 0) {
			snprintf(r->err, sizeof(r->err), "fork: %s",
				 strerror(errno));
			nw = w;
			bad = 1;
			break;
		}
		if (!pids[w]) {
			/* Worker w runs tasks w, w + nw, ...: iters in all. */
			for (i = w; i < opt.iters; i += nw)
				if (run_in_cgroup(1000000 * (w + 1) + i, argv,
						  NULL, NULL, NULL))
					_exit(1);
			_exit(0);
		}
	}
	for (w = 0; w < nw; w++)
		if (waitpid(pids[w], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			bad = 1;
	if (bad) {
		if (!r->err[0])
			snprintf(r->err, sizeof(r->err),
				 "a worker's task failed");
		return;
	}
	r->secs = (double)(now_ns() - t0) / 1e9;
	r->n = opt.iters;
	r->ok = true;
}

/* Floor B's latency: before the mkdir to the spawn's return and to exec. */
static void floor_latency(void)
{
	char *const argv[] = { S.self, RB_STAMP_ARG, NULL };
	struct llms_error *err = NULL;
	double *ve, *vs;
	unsigned int i, n = 0;
	uint64_t t0, spawned, stamp;
	char out[128];
	int ret = 0;

	ve = calloc(opt.lat_iters, sizeof(*ve));
	vs = calloc(opt.lat_iters, sizeof(*vs));
	if (!ve || !vs) {
		snprintf(res.lat_floor_exec.err, sizeof(res.lat_floor_exec.err),
			 "out of memory");
		goto out;
	}
	snprintf(out, sizeof(out), "%s/stamp.out", S.dir);
	for (i = 0; i < RB_WARMUP + opt.lat_iters; i++) {
		t0 = now_ns();
		ret = run_in_cgroup(i, argv, out, &spawned, &err);
		if (!ret)
			ret = read_stamp(out, &stamp);
		if (ret)
			break;
		if (i < RB_WARMUP)
			continue;
		ve[n] = (double)(stamp - t0);
		vs[n] = (double)(spawned - t0);
		n++;
	}
	if (ret)
		say_err(res.lat_floor_exec.err, sizeof(res.lat_floor_exec.err),
			"stamp task", ret, &err);
	lat_fill(&res.lat_floor_exec, ve, n);
out:
	memcpy(res.lat_floor_spawn.err, res.lat_floor_exec.err,
	       sizeof(res.lat_floor_spawn.err));
	if (vs)
		lat_fill(&res.lat_floor_spawn, vs, n);
	free(ve);
	free(vs);
}

static int setup_floor_root(void)
{
	static const char *const ctrl[] = { "cpu", "memory", NULL };
	struct llms_error *err = NULL;
	char rel[64], task[80];
	int ret;

	snprintf(rel, sizeof(rel), "llmsched-rbench-%d", (int)getpid());
	snprintf(task, sizeof(task), "%s/task", rel);
	ret = llms_cgroup_open(&S.mnt, RB_CGROUP_MOUNT, &err);
	if (!ret)
		ret = llms_cgroup_create(&S.root, &S.mnt, rel, &err);
	if (!ret) {
		snprintf(S.floor_root, sizeof(S.floor_root), "%s", rel);
		ret = llms_cgroup_enable_controllers(&S.mnt, task, ctrl, &err);
	}
	if (ret)
		say_err(res.floor_b.err, sizeof(res.floor_b.err),
			"the test cgroup", ret, &err);
	return ret;
}

static void measure_floors(void)
{
	progress("floor A: %u x fork, exec %s, wait", opt.iters, RB_TRUE);
	floor_rate(RB_FLOOR_A, &res.floor_a);
	progress("floor A: the same through llms_spawn()");
	floor_rate(RB_FLOOR_A_SPAWN, &res.floor_a_spawn);
	if (setup_floor_root()) {
		res.lat_floor_exec = (struct rb_lat){ 0 };
		memcpy(res.lat_floor_exec.err, res.floor_b.err,
		       sizeof(res.lat_floor_exec.err));
		res.lat_floor_spawn = res.lat_floor_exec;
		return;
	}
	progress("floor B: %u x cgroup, clone3 into it, wait, rmdir",
		 opt.iters);
	floor_rate(RB_FLOOR_B, &res.floor_b);
	progress("floor B: the same, %ld processes at once", res.cpus);
	floor_rate_parallel(&res.floor_b_par);
	progress("floor B: fork-to-exec latency, %u rounds", opt.lat_iters);
	floor_latency();
}

/* ---------------------------------------------------------- llmschedd */

/* build/bin/llmschedd, beside this program. */
static const char *llmschedd_path(void)
{
	static char path[sizeof(S.self) + 16];
	char *slash;

	snprintf(path, sizeof(path), "%s", S.self);
	slash = strrchr(path, '/');
	if (!slash)
		return "llmschedd";
	strcpy(slash + 1, "llmschedd");
	return path;
}

static pid_t daemon_pid(const char *state)
{
	char path[160], buf[32];

	snprintf(path, sizeof(path), "%s/llmschedd.lock", state);
	if (read_text_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	return (pid_t)atoi(buf);
}

/* Wait until @pid (not our child) is gone. */
static int wait_gone(pid_t pid, int timeout_ms)
{
	struct pollfd pfd = { .events = POLLIN };
	int ret = 0;

	pfd.fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pfd.fd < 0)
		return errno == ESRCH ? 0 : -errno;
	if (poll(&pfd, 1, timeout_ms) != 1)
		ret = -ETIMEDOUT;
	close(pfd.fd);
	return ret;
}

/*
 * Start llmschedd from a configuration named @name with the agent
 * sections @agents, as an operator would: `llmschedd -c FILE`, which
 * returns once every agent has registered.
 */
static int daemon_start(const char *name, const char *agents)
{
	char conf[160], text[2048], state[128], log[160];
	int status, fd, ret;
	pid_t pid;

	snprintf(S.cgroup_root, sizeof(S.cgroup_root),
		 RB_CGROUP_MOUNT "/llmsched-rbench-%s-%d", name, (int)getpid());
	snprintf(state, sizeof(state), "%s/%s-state", S.dir, name);
	snprintf(S.log_dir, sizeof(S.log_dir), "%s/%s-log", S.dir, name);
	snprintf(conf, sizeof(conf), "%s/%s.conf", S.dir, name);
	snprintf(log, sizeof(log), "%s/%s-daemon.log", S.dir, name);
	snprintf(text, sizeof(text),
		 "# Written by llmsched-bench-runtime.\n"
		 "[daemon]\n"
		 "cgroup_root = %s\n"
		 "state_dir = %s\n"
		 "log_dir = %s\n"
		 "drain_timeout = 5s\n"
		 "\n%s",
		 S.cgroup_root, state, S.log_dir, agents);
	ret = write_file(conf, text);
	if (ret)
		return ret;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		execl(llmschedd_path(), "llmschedd", "-c", conf, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		snprintf(res.setup_err, sizeof(res.setup_err),
			 "llmschedd -c %.100s exited with %d: see %.100s", conf,
			 WIFEXITED(status) ? WEXITSTATUS(status) : 256, log);
		return -ECHILD;
	}
	S.daemon = daemon_pid(state);
	return S.daemon > 0 ? 0 : -ESRCH;
}

static void daemon_stop(void)
{
	if (S.daemon <= 0)
		return;
	if (!kill(S.daemon, SIGTERM) && wait_gone(S.daemon, 60000))
		progress("llmschedd %d did not stop within 60 s", (int)S.daemon);
	S.daemon = 0;
}

/*
 * The agent processes: the pids in CGROUP_ROOT/NAME-I/agent/cgroup.procs.
 * At most @room in @pids; their number.
 */
static unsigned int agent_pids(pid_t *pids, unsigned int room)
{
	struct llms_cgroup cg = LLMS_CGROUP_INIT;
	unsigned int n = 0;
	struct dirent *de;
	char path[512];
	size_t i, got;
	pid_t *procs;
	DIR *d;

	d = opendir(S.cgroup_root);
	if (!d)
		return 0;
	while ((de = readdir(d)) && n < room) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/agent", S.cgroup_root,
			 de->d_name);
		if (llms_cgroup_open(&cg, path, NULL))
			continue;
		if (!llms_cgroup_procs(&cg, &procs, &got, NULL)) {
			for (i = 0; i < got && n < room; i++)
				pids[n++] = procs[i];
			free(procs);
		}
		llms_cgroup_close(&cg);
	}
	closedir(d);
	return n;
}

/* Wait until each agent sleeps (state S), at most @ms: whether they all did. */
static bool agents_idle(unsigned int ms)
{
	uint64_t end = now_ns() + (uint64_t)ms * 1000000;
	char path[64], buf[512], *p;
	pid_t pids[64];
	unsigned int i, n;
	bool idle;

	do {
		n = agent_pids(pids, 64);
		idle = n > 0;
		for (i = 0; i < n && idle; i++) {
			snprintf(path, sizeof(path), "/proc/%d/stat",
				 (int)pids[i]);
			if (read_text_file(path, buf, sizeof(buf)) <= 0)
				continue;
			p = strrchr(buf, ')');
			idle = p && p[1] == ' ' && p[2] == 'S';
		}
		if (idle)
			return true;
		sleep_ms(1);
	} while (now_ns() < end);
	return false;
}

/* @key of /proc/PID/@file, in kB; -1 when it cannot be read. */
static long proc_kb(pid_t pid, const char *file, const char *key)
{
	char path[64], buf[4096], *p;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	if (read_text_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	p = strstr(buf, key);
	if (!p)
		return -1;
	return strtol(p + strlen(key), NULL, 10);
}

static void measure_rss(struct rb_rss *m)
{
	pid_t pids[RB_MEM_AGENTS + 8];
	unsigned int i, n;
	long rss, pss;

	m->sup_rss_kb = proc_kb(S.daemon, "status", "VmRSS:");
	m->sup_pss_kb = proc_kb(S.daemon, "smaps_rollup", "Pss:");
	if (m->sup_rss_kb < 0) {
		snprintf(m->err, sizeof(m->err), "reading /proc/%d/status",
			 (int)S.daemon);
		return;
	}
	n = agent_pids(pids, sizeof(pids) / sizeof(pids[0]));
	for (i = 0; i < n; i++) {
		rss = proc_kb(pids[i], "status", "VmRSS:");
		pss = proc_kb(pids[i], "smaps_rollup", "Pss:");
		if (rss < 0)
			continue;
		m->agents_rss_kb += rss;
		m->agents_pss_kb += pss > 0 ? pss : 0;
		m->agents++;
	}
	m->ok = true;
}

/* A task that runs @argv, asks for @cpu and RB_TASK_MEM; *@buf to free. */
static int fill_task(struct llmsched_task_submit *t, char *const *argv,
		     uint64_t cpu, void **buf, struct llms_error **err)
{
	struct llms_payload p = {
		.cwd = "/tmp", .argv = argv, .envc = 2, .envp = rb_env,
	};
	size_t len;
	int ret;

	while (argv[p.argc])
		p.argc++;
	ret = llms_payload_encode(&p, buf, &len, err);
	if (ret)
		return ret;
	memset(t, 0, sizeof(*t));
	t->priority = LLMSCHED_PRIO_DEFAULT;
	t->est_runtime_ns = RB_TASK_EST_NS;
	t->demand[LLMSCHED_RES_CPU] = cpu;
	t->demand[LLMSCHED_RES_MEM] = RB_TASK_MEM;
	t->payload_ptr = (uintptr_t)*buf;
	t->payload_len = (uint32_t)len;
	return 0;
}

/*
 * Submit @n copies of @proto in batches of opt.batch; their ids in @ids.
 * 0 or -errno with *@err set.
 */
static int submit_n(const struct llmsched_task_submit *proto, unsigned int n,
		    uint64_t *ids, struct llms_error **err)
{
	static struct llmsched_task_submit e[RB_BATCH_MAX];
	unsigned int i, done, k;
	int ret;

	for (done = 0; done < n; done += k) {
		k = n - done < opt.batch ? n - done : opt.batch;
		for (i = 0; i < k; i++)
			e[i] = *proto;
		ret = llms_submit_batch(S.fd, e, k, NULL, err);
		if (ret)
			return ret;
		for (i = 0; i < k; i++)
			ids[done + i] = e[i].task_id;
	}
	return 0;
}

/* Wait for each of @ids; the number that did not succeed in *@failed. */
static int wait_all(const uint64_t *ids, unsigned int n, unsigned int *failed,
		    struct llms_error **err)
{
	struct llmsched_task_wait w;
	unsigned int i;
	int ret;

	*failed = 0;
	for (i = 0; i < n; i++) {
		memset(&w, 0, sizeof(w));
		w.task_id = ids[i];
		w.timeout_ns = RB_WAIT_NS;
		ret = llms_task_wait(S.fd, &w, err);
		if (ret)
			return ret;
		if (w.state != LLMSCHED_TASK_SUCCEEDED)
			(*failed)++;
	}
	return 0;
}

static void daemon_rate(void)
{
	char *const argv[] = { RB_TRUE, NULL };
	struct llmsched_task_submit t;
	struct llms_error *err = NULL;
	struct rb_rate *r = &res.daemon;
	void *payload = NULL;
	unsigned int warm_failed;
	uint64_t *ids, t0;
	int ret;

	ids = calloc(opt.iters + RB_WARMUP, sizeof(*ids));
	if (!ids) {
		snprintf(r->err, sizeof(r->err), "out of memory");
		return;
	}
	ret = fill_task(&t, argv, RB_TASK_CPU, &payload, &err);
	/* Warm-up: each agent has run a task, its pages are in. */
	if (!ret)
		ret = submit_n(&t, RB_WARMUP, ids, &err);
	if (!ret)
		ret = wait_all(ids, RB_WARMUP, &warm_failed, &err);
	if (!ret) {
		agents_idle(2000);
		t0 = now_ns();
		ret = submit_n(&t, opt.iters, ids, &err);
		if (!ret)
			ret = wait_all(ids, opt.iters, &r->failed, &err);
		r->secs = (double)(now_ns() - t0) / 1e9;
	}
	if (ret) {
		say_err(r->err, sizeof(r->err), "tasks", ret, &err);
	} else {
		r->n = opt.iters;
		r->ok = true;
		if (warm_failed || r->failed)
			progress("warning: %u of %u tasks did not succeed (see the daemon's log in %s)",
				 warm_failed + r->failed, opt.iters + RB_WARMUP,
				 S.dir);
	}
	free(payload);
	free(ids);
}

static void daemon_latency(void)
{
	char *const argv[] = { S.self, RB_STAMP_ARG, NULL };
	struct llmsched_task_submit t, e;
	struct llmsched_task_info info;
	struct llms_error *err = NULL;
	void *payload = NULL;
	unsigned int i, n = 0, failed;
	uint64_t t0, stamp, id;
	double *vs, *ve;
	char out[256];
	int ret;

	vs = calloc(opt.lat_iters, sizeof(*vs));
	ve = calloc(opt.lat_iters, sizeof(*ve));
	ret = vs && ve ? 0 : -ENOMEM;
	if (!ret)
		ret = fill_task(&t, argv, RB_TASK_CPU, &payload, &err);
	for (i = 0; !ret && i < RB_WARMUP + opt.lat_iters; i++) {
		/* An idle agent: every agent asleep in poll(). */
		agents_idle(1000);
		e = t;
		t0 = now_ns();
		ret = llms_submit(S.fd, &e, &err);
		id = e.task_id;
		if (!ret)
			ret = wait_all(&id, 1, &failed, &err);
		if (!ret && failed)
			ret = llms_error_set(&err, ECHILD, "task %llu failed",
					     (unsigned long long)e.task_id);
		if (!ret)
			ret = llms_task_query(S.fd, e.task_id, &info, &err);
		if (ret)
			break;
		snprintf(out, sizeof(out), "%s/tasks/0/task-%llu.out",
			 S.log_dir, (unsigned long long)e.task_id);
		ret = read_stamp(out, &stamp);
		if (ret) {
			ret = llms_error_set(&err, -ret, "reading %s", out);
			break;
		}
		if (i < RB_WARMUP)
			continue;
		vs[n] = (double)(info.start_ns - info.submit_ns);
		ve[n] = (double)(stamp - t0);
		n++;
	}
	if (ret)
		say_err(res.lat_start.err, sizeof(res.lat_start.err),
			"latency", ret, &err);
	memcpy(res.lat_exec.err, res.lat_start.err, sizeof(res.lat_exec.err));
	if (vs && ve) {
		lat_fill(&res.lat_start, vs, n);
		lat_fill(&res.lat_exec, ve, n);
	}
	free(payload);
	free(vs);
	free(ve);
}

static const char four_agents[] =
	"[agent rb]\n"
	"count = 4\n"
	"cpu = 500m\n"
	"memory = 128M\n"
	"slots = 2\n";

static const char sixteen_agents[] =
	"[agent rb]\n"
	"count = 16\n"
	"cpu = 100m\n"
	"memory = 48M\n"
	"slots = 1\n";

static int open_device(void)
{
	struct llms_error *err = NULL;
	int ret;

	if (!llmsched_module_loaded()) {
		ret = llmsched_module_load("");
		if (ret) {
			snprintf(res.setup_err, sizeof(res.setup_err),
				 "loading %s: %s", llmsched_ko_path(),
				 strerror(-ret));
			return ret;
		}
		S.loaded_module = true;
	}
	S.fd = llms_open(0, &err);
	if (S.fd < 0) {
		say_err(res.setup_err, sizeof(res.setup_err), "opening the device",
			S.fd, &err);
		return S.fd;
	}
	return 0;
}

static void measure_daemon(void)
{
	progress("llmschedd: 4 agents of 500m, 2 slots");
	if (daemon_start("four", four_agents)) {
		if (!res.setup_err[0])
			snprintf(res.setup_err, sizeof(res.setup_err),
				 "llmschedd did not start");
		return;
	}
	progress("llmschedd: %u x %s in batches of %u", opt.iters, RB_TRUE,
		 opt.batch);
	daemon_rate();
	progress("llmschedd: submit-to-start latency, %u rounds",
		 opt.lat_iters);
	daemon_latency();
	daemon_stop();
}

/*
 * 16 agents, each kept busy by a sleeping task that takes its whole
 * reservation, and opt.queued tasks behind them, RUNNABLE in the module's
 * queue with no room to go to: what the daemon holds while work waits.
 */
static void measure_memory(void)
{
	char *const sleep_argv[] = { RB_SLEEP, "3600", NULL };
	char *const true_argv[] = { RB_TRUE, NULL };
	struct llmsched_task_submit t;
	struct llmsched_task_info info;
	struct llms_error *err = NULL;
	unsigned int i, running = 0;
	void *p1 = NULL, *p2 = NULL;
	uint64_t *ids, end;
	int ret;

	progress("memory: 16 agents of 100m, %u tasks queued behind busy ones",
		 opt.queued);
	ids = calloc(RB_MEM_AGENTS + opt.queued, sizeof(*ids));
	if (!ids) {
		snprintf(res.rss_queued.err, sizeof(res.rss_queued.err),
			 "out of memory");
		return;
	}
	if (daemon_start("sixteen", sixteen_agents)) {
		snprintf(res.rss_queued.err, sizeof(res.rss_queued.err),
			 "%.150s", res.setup_err[0] ? res.setup_err :
			 "llmschedd did not start");
		res.rss_idle = res.rss_queued;
		res.rss_busy = res.rss_queued;
		res.setup_err[0] = '\0';
		free(ids);
		return;
	}
	agents_idle(5000);
	sleep_ms(500);
	measure_rss(&res.rss_idle);

	ret = fill_task(&t, sleep_argv, RB_MEM_TASK_CPU, &p1, &err);
	if (!ret)
		ret = submit_n(&t, RB_MEM_AGENTS, ids, &err);
	end = now_ns() + RB_WAIT_NS;
	while (!ret && running < RB_MEM_AGENTS && now_ns() < end) {
		for (i = 0, running = 0; !ret && i < RB_MEM_AGENTS; i++) {
			ret = llms_task_query(S.fd, ids[i], &info, &err);
			running += info.state == LLMSCHED_TASK_RUNNING;
		}
		if (running < RB_MEM_AGENTS)
			sleep_ms(50);
	}
	if (!ret && running < RB_MEM_AGENTS)
		ret = llms_error_set(&err, ETIMEDOUT,
				     "only %u of %u sleeping tasks started",
				     running, RB_MEM_AGENTS);
	if (!ret) {
		agents_idle(5000);
		sleep_ms(500);
		measure_rss(&res.rss_busy);
		ret = fill_task(&t, true_argv, RB_MEM_TASK_CPU, &p2, &err);
	}
	if (!ret)
		ret = submit_n(&t, opt.queued, ids + RB_MEM_AGENTS, &err);
	if (!ret) {
		agents_idle(5000);
		sleep_ms(500);
		for (i = 0; !ret && i < opt.queued; i++) {
			ret = llms_task_query(S.fd, ids[RB_MEM_AGENTS + i],
					      &info, &err);
			res.queued_seen += info.state == LLMSCHED_TASK_RUNNABLE;
		}
	}
	if (!ret)
		measure_rss(&res.rss_queued);
	else
		say_err(res.rss_queued.err, sizeof(res.rss_queued.err),
			"queueing", ret, &err);
	/* The queued ones first, or they would start as the sleepers end. */
	for (i = RB_MEM_AGENTS + opt.queued; i-- > 0;)
		if (ids[i])
			llms_cancel(S.fd, ids[i], 0, NULL);
	daemon_stop();
	free(p1);
	free(p2);
	free(ids);
}

static void teardown(void)
{
	char cmd[128];

	daemon_stop();
	if (S.fd >= 0)
		close(S.fd);
	S.fd = -1;
	llms_cgroup_close(&S.root);
	if (S.floor_root[0])
		llms_cgroup_remove(&S.mnt, S.floor_root, 5000, NULL);
	llms_cgroup_close(&S.mnt);
	if (S.loaded_module && !opt.keep_module &&
	    llmsched_module_unload())
		progress("could not unload the module");
	if (S.dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", S.dir);
		if (system(cmd))
			progress("could not remove %s", S.dir);
	}
}

/* --------------------------------------------------------------- output */

static double rate(const struct rb_rate *r)
{
	return r->ok && r->secs > 0 ? r->n / r->secs : 0;
}

static void print_rate(const char *what, const struct rb_rate *r)
{
	const struct rb_rate *b = &res.floor_b, *a = &res.floor_a;

	if (!r->ok) {
		printf("  %-46s %9s   %s\n", what, "n/a",
		       r->err[0] ? r->err : "not measured");
		return;
	}
	printf("  %-46s %9.1f %7.2fx %7.2fx", what, rate(r),
	       a->ok ? rate(r) / rate(a) : 0, b->ok ? rate(r) / rate(b) : 0);
	if (r->failed)
		printf("   (%u failed)", r->failed);
	putchar('\n');
}

static void print_lat(const char *what, const struct rb_lat *l)
{
	if (!l->ok) {
		printf("  %-46s n/a: %s\n", what, l->err[0] ? l->err :
		       "not measured");
		return;
	}
	printf("  %-46s %8.0f %8.0f %8.0f %8.0f\n", what, l->p50_ns / 1000,
	       l->p99_ns / 1000, l->min_ns / 1000, l->max_ns / 1000);
}

static void print_rss(const char *what, const struct rb_rss *m)
{
	if (!m->ok) {
		printf("  %-34s n/a: %s\n", what, m->err[0] ? m->err :
		       "not measured");
		return;
	}
	printf("  %-34s %8ld %8ld   %2u agents: %6ld %6ld  (%ld / %ld each)\n",
	       what, m->sup_rss_kb, m->sup_pss_kb, m->agents, m->agents_rss_kb,
	       m->agents_pss_kb, m->agents ? m->agents_rss_kb / m->agents : 0,
	       m->agents ? m->agents_pss_kb / m->agents : 0);
}

static void print_table(void)
{
	const struct rb_rate *d = &res.daemon, *b = &res.floor_b;
	char label[64];

	printf("llmsched runtime benchmark: kernel %s, %ld CPUs, clocksource %s\n",
	       res.kernel, res.cpus, res.clocksource);
	printf("%u tasks per rate after %u warm-up; %u latency rounds; batches of %u\n",
	       opt.iters, RB_WARMUP, opt.lat_iters, opt.batch);

	printf("\n  %-46s %9s %8s %8s\n", "throughput of " RB_TRUE,
	       "tasks/s", "/floorA", "/floorB");
	print_rate("floor A: fork, exec, wait", &res.floor_a);
	print_rate("floor A: the same through llms_spawn()",
		   &res.floor_a_spawn);
	print_rate("floor B: + a cgroup per task (mkdir, rmdir)", b);
	snprintf(label, sizeof(label), "floor B: %ld processes at once",
		 res.cpus);
	print_rate(label, &res.floor_b_par);
	print_rate("llmschedd, 4 agents x 2 slots", d);

	printf("\n  %-46s %8s %8s %8s %8s\n", "latency (us)", "p50", "p99",
	       "min", "max");
	print_lat("llmschedd: submit to start (module's times)",
		  &res.lat_start);
	print_lat("llmschedd: submit to the task's main()", &res.lat_exec);
	print_lat("floor B: mkdir to llms_spawn() returned",
		  &res.lat_floor_spawn);
	print_lat("floor B: mkdir to the child's main()",
		  &res.lat_floor_exec);

	printf("\n  %-34s %8s %8s   %s\n", "llmschedd memory (kB)",
	       "VmRSS", "Pss", "agents' sum: VmRSS Pss");
	print_rss("16 agents, idle", &res.rss_idle);
	print_rss("16 agents, each running a sleep", &res.rss_busy);
	snprintf(label, sizeof(label), "the same, %u tasks queued",
		 opt.queued);
	print_rss(label, &res.rss_queued);
	if (res.rss_queued.ok && res.queued_seen != opt.queued)
		printf("  warning: only %u of the %u queued tasks were RUNNABLE\n",
		       res.queued_seen, opt.queued);

	printf("\n  target (informational)\n");
	if (d->ok && b->ok)
		printf("  [%s] llmschedd >= 0.5x floor B: %.2fx\n",
		       rate(d) >= 0.5 * rate(b) ? "pass" : "miss",
		       rate(d) / rate(b));
	if (d->ok && res.floor_b_par.ok)
		printf("  [info] llmschedd / floor B with %ld processes at once: %.2fx\n",
		       res.cpus, rate(d) / rate(&res.floor_b_par));
	if (res.setup_err[0])
		printf("\n  setup failed: %s\n", res.setup_err);
}

static void json_str(const char *key, const char *v, bool comma)
{
	const char *p;

	printf("\"%s\": \"", key);
	for (p = v; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if ((unsigned char)*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	printf("\"%s", comma ? ", " : "");
}

static void json_rate(const char *key, const struct rb_rate *r, bool comma)
{
	printf("    \"%s\": ", key);
	if (!r->ok) {
		printf("{ ");
		json_str("error", r->err[0] ? r->err : "not measured", false);
		printf(" }");
	} else {
		printf("{ \"tasks\": %u, \"failed\": %u, \"seconds\": %.4f, \"tasks_per_s\": %.2f }",
		       r->n, r->failed, r->secs, rate(r));
	}
	printf("%s\n", comma ? "," : "");
}

static void json_lat(const char *key, const struct rb_lat *l, bool comma)
{
	printf("    \"%s\": ", key);
	if (!l->ok) {
		printf("{ ");
		json_str("error", l->err[0] ? l->err : "not measured", false);
		printf(" }");
	} else {
		printf("{ \"n\": %u, \"p50_ns\": %.0f, \"p99_ns\": %.0f, \"min_ns\": %.0f, \"max_ns\": %.0f }",
		       l->n, l->p50_ns, l->p99_ns, l->min_ns, l->max_ns);
	}
	printf("%s\n", comma ? "," : "");
}

static void json_rss(const char *key, const struct rb_rss *m, bool comma)
{
	printf("    \"%s\": ", key);
	if (!m->ok) {
		printf("{ ");
		json_str("error", m->err[0] ? m->err : "not measured", false);
		printf(" }");
	} else {
		printf("{ \"supervisor_rss_kb\": %ld, \"supervisor_pss_kb\": %ld, \"agents\": %u, \"agents_rss_kb\": %ld, \"agents_pss_kb\": %ld }",
		       m->sup_rss_kb, m->sup_pss_kb, m->agents,
		       m->agents_rss_kb, m->agents_pss_kb);
	}
	printf("%s\n", comma ? "," : "");
}

static void print_json(void)
{
	const struct rb_rate *d = &res.daemon;

	printf("{\n  ");
	json_str("kernel", res.kernel, true);
	printf("\"cpus\": %ld, ", res.cpus);
	json_str("clocksource", res.clocksource, true);
	printf("\n  \"iters\": %u, \"lat_iters\": %u, \"batch\": %u, \"queued\": %u,\n",
	       opt.iters, opt.lat_iters, opt.batch, opt.queued);
	printf("  \"throughput\": {\n");
	json_rate("floor_a", &res.floor_a, true);
	json_rate("floor_a_spawn", &res.floor_a_spawn, true);
	json_rate("floor_b", &res.floor_b, true);
	json_rate("floor_b_parallel", &res.floor_b_par, true);
	json_rate("llmschedd", d, false);
	printf("  },\n  \"ratios\": { ");
	if (d->ok && res.floor_a.ok)
		printf("\"llmschedd_vs_floor_a\": %.3f, ",
		       rate(d) / rate(&res.floor_a));
	else
		printf("\"llmschedd_vs_floor_a\": null, ");
	if (d->ok && res.floor_b.ok)
		printf("\"llmschedd_vs_floor_b\": %.3f, ",
		       rate(d) / rate(&res.floor_b));
	else
		printf("\"llmschedd_vs_floor_b\": null, ");
	if (d->ok && res.floor_b_par.ok)
		printf("\"llmschedd_vs_floor_b_parallel\": %.3f },\n",
		       rate(d) / rate(&res.floor_b_par));
	else
		printf("\"llmschedd_vs_floor_b_parallel\": null },\n");
	printf("  \"latency\": {\n");
	json_lat("llmschedd_submit_to_start", &res.lat_start, true);
	json_lat("llmschedd_submit_to_main", &res.lat_exec, true);
	json_lat("floor_b_to_spawn_return", &res.lat_floor_spawn, true);
	json_lat("floor_b_to_main", &res.lat_floor_exec, false);
	printf("  },\n  \"memory\": {\n");
	json_rss("idle", &res.rss_idle, true);
	json_rss("busy", &res.rss_busy, true);
	json_rss("queued", &res.rss_queued, true);
	printf("    \"queued_runnable\": %u\n  },\n  ", res.queued_seen);
	json_str("setup_error", res.setup_err, false);
	printf("\n}\n");
}

/* ----------------------------------------------------------------- main */

static void usage(FILE *f)
{
	fprintf(f,
"Usage: llmsched-bench-runtime [OPTIONS]\n"
"\n"
"Measure llmschedd in this boot beside the least any runner can do here:\n"
"tasks/s of fork+exec+wait of /bin/true (floor A), the same with a cgroup\n"
"per task (floor B), and llmschedd with 4 agents; submit-to-start latency\n"
"for an idle agent beside floor B's fork-to-exec; the daemon's memory with\n"
"16 agents and queued tasks.  Runs as root; loads build/llmsched.ko (next\n"
"to this program's bin/ folder, or $LLMSCHED_KO) when the module is not\n"
"loaded and unloads it at the end; starts build/bin/llmschedd (beside this\n"
"program) from configurations it writes in a temporary folder.\n"
"\n"
"Options:\n"
"  --json         print JSON instead of the table\n"
"  --iters N      tasks per throughput figure (default %u)\n"
"  --lat-iters N  rounds per latency figure (default %u)\n"
"  --batch N      tasks per SUBMIT_BATCH, 1 to %u (default %u)\n"
"  --queued N     tasks queued for the memory figure (default %u)\n"
"  --quick        a sixth of the counts (a smoke test)\n"
"  --keep-module  leave the module loaded if this run loaded it\n"
"  -h, --help     this text\n"
"\n"
"Figures only: the exit status is 0 when the measurements ran (a figure\n"
"that failed prints n/a and why), 1 when the setup failed, 2 on a usage\n"
"error.\n",
		opt.iters, opt.lat_iters, RB_BATCH_MAX, opt.batch, opt.queued);
}

static unsigned int parse_uint(const char *name, const char *s,
			       unsigned int min, unsigned int max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || !*s || v < min || v > max) {
		fprintf(stderr, "llmsched-bench-runtime: %s wants a number from %u to %u\n",
			name, min, max);
		exit(2);
	}
	return (unsigned int)v;
}

static void parse_args(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "iters", required_argument, NULL, 'i' },
		{ "lat-iters", required_argument, NULL, 'l' },
		{ "batch", required_argument, NULL, 'b' },
		{ "queued", required_argument, NULL, 'Q' },
		{ "quick", no_argument, NULL, 'q' },
		{ "keep-module", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'j':
			opt.json = true;
			break;
		case 'i':
			opt.iters = parse_uint("--iters", optarg, 1, 100000);
			break;
		case 'l':
			opt.lat_iters = parse_uint("--lat-iters", optarg, 1,
						   100000);
			break;
		case 'b':
			opt.batch = parse_uint("--batch", optarg, 1,
					       RB_BATCH_MAX);
			break;
		case 'Q':
			opt.queued = parse_uint("--queued", optarg, 1, 40000);
			break;
		case 'q':
			opt.iters = (opt.iters + 5) / 6;
			opt.lat_iters = (opt.lat_iters + 5) / 6;
			opt.queued = (opt.queued + 5) / 6;
			break;
		case 'k':
			opt.keep_module = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "llmsched-bench-runtime: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		exit(2);
	}
}

int main(int argc, char **argv)
{
	ssize_t n;
	int ret = 1;

	if (argc == 2 && !strcmp(argv[1], RB_STAMP_ARG))
		return stamp_main();
	parse_args(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stderr, NULL, _IONBF, 0);
	environment();

	n = readlink("/proc/self/exe", S.self, sizeof(S.self) - 1);
	if (n < 0) {
		snprintf(res.setup_err, sizeof(res.setup_err),
			 "readlink /proc/self/exe: %s", strerror(errno));
		goto out;
	}
	S.self[n] = '\0';
	if (geteuid()) {
		snprintf(res.setup_err, sizeof(res.setup_err),
			 "needs root (run it in the VM: tools/bench/run-rbench)");
		goto out;
	}
	snprintf(S.dir, sizeof(S.dir), "/tmp/llmsched-rbench-XXXXXX");
	if (!mkdtemp(S.dir) || chmod(S.dir, 0755)) {
		snprintf(res.setup_err, sizeof(res.setup_err), "mkdtemp: %s",
			 strerror(errno));
		S.dir[0] = '\0';
		goto out;
	}
	if (open_device())
		goto out;
	/* The floors first, with no daemon running beside them. */
	measure_floors();
	measure_daemon();
	if (res.setup_err[0])
		goto out;
	measure_memory();
	ret = 0;
out:
	teardown();
	/* What was measured before a failed setup is still worth seeing. */
	if (!ret || opt.json || res.floor_a.ok)
		opt.json ? print_json() : print_table();
	fflush(stdout);
	if (ret)
		fprintf(stderr, "llmsched-bench-runtime: setup failed: %s\n",
			res.setup_err);
	return ret;
}
