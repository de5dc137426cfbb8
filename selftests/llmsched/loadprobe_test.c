// SPDX-License-Identifier: GPL-2.0
/*
 * llmschedd's measured load (runtime/llmschedd/loadprobe.h) in the VM: two
 * agents, one running busy loops and one idle; the figure the module gets
 * (sysfs agents/<id>/load) is checked against the agents' own cpu.stat
 * over the same window, from the BPF probe and from the cgroup fallback;
 * resize = on grows a throttled agent into idle CPU and shrinks it back;
 * and nothing of the probe is left once the daemon stops.
 *
 * Emulation makes every figure rough: the tolerances are wide (stated at
 * each check), and the checks compare figures of the same window.
 */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/mount.h>
#include <sys/utsname.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "harness_main.h"
#include "../../runtime/lib/libllmsched.h"
#include "daemon_util.h"
#include "llmsched_util.h"
#include "module_util.h"
#include "tool_util.h"

/* The 6.1 harness defines FIXTURE_SETUP/TEARDOWN as non-static functions. */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"

#define ROOT		"/sys/fs/cgroup/llmsched-loadtest"
/*
 * A measured figure, for the log: a test runs in a child that leaves
 * with _exit(), so stdout (a pipe) is flushed at once.
 */
#define figure(...)                          \
	do {                                 \
		printf(__VA_ARGS__);         \
		fflush(stdout);              \
	} while (0)

/* The tag that sends the busy tasks to the busy agent only. */
#define HOT_TAG		1ULL

FIXTURE(loadprobe) {
	char dir[64];
	char conf[128];
	pid_t daemon;
	int fd;
};

FIXTURE_SETUP(loadprobe)
{
	self->daemon = 0;
	ASSERT_EQ(0, du_module_ready(&self->fd));
	ASSERT_EQ(0, du_dir_make(self->dir, sizeof(self->dir), "loadprobe-test",
				 self->conf, sizeof(self->conf)));
}

FIXTURE_TEARDOWN(loadprobe)
{
	if (self->fd >= 0)
		ls_cancel_all(self->fd);
	if (self->daemon > 0 && du_daemon_stop(&self->daemon))
		du_daemon_log(self->dir);
	if (!_metadata->passed)
		du_daemon_log(self->dir);
	if (self->fd >= 0)
		close(self->fd);
	if (du_dir_remove(self->dir))
		TH_LOG("could not remove %s", self->dir);
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int agent_info(int fd, __u32 id, struct llmsched_agent_info *out)
{
	struct llmsched_agent_info ent[16];
	__u32 count = 16, next = 0, i;
	int ret = ls_agent_list(fd, 0, ent, &count, &next);

	if (ret)
		return ret;
	for (i = 0; i < count; i++)
		if (ent[i].agent_id == id) {
			*out = ent[i];
			return 0;
		}
	return -ENOENT;
}

static uint64_t usage_usec(const char *name)
{
	struct llms_cgroup cg = LLMS_CGROUP_INIT;
	struct llms_cpu_stat st = { 0 };
	char path[128];

	snprintf(path, sizeof(path), ROOT "/%s", name);
	if (!llms_cgroup_open(&cg, path, NULL)) {
		llms_cgroup_cpu_stat(&cg, &st, NULL);
		llms_cgroup_close(&cg);
	}
	return st.usage_usec;
}

/* STATE_DIR/load.json, whole, into @buf. */
static int load_json(const char *dir, char *buf, size_t size)
{
	char path[128];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/state/load.json", dir);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	return 0;
}

/* The number after "@key": in load.json's text; -1 when not there. */
static long json_number(const char *text, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(text, pat);
	return p ? strtol(p + strlen(pat), NULL, 10) : -1;
}

static const char two_agents[] =
	"[tags]\n"
	"hot = 0\n"
	"[agent busy]\n"
	"cpu = 1\n"
	"memory = 256M\n"
	"slots = 2\n"
	"tags = hot\n"
	"[agent idle]\n"
	"cpu = 500m\n"
	"memory = 256M\n";

/* @loops busy loops in one task of @cpu millicores, for the busy agent. */
static int submit_busy(int fd, int loops, __u64 cpu, __u64 *id)
{
	const char *const one[] = { "/bin/sh", "-c", "while :; do :; done",
				    NULL };
	const char *const two[] = {
		"/bin/sh", "-c",
		"(while :; do :; done) & while :; do :; done", NULL
	};

	return du_submit(fd, loops == 2 ? two : one, 100, 0, HOT_TAG, cpu, 0,
			 0, id);
}

/*
 * Work in the agent's folder beyond its tasks' demands (a task holds to
 * its own cpu.max, its demand; this is held only by the agent's): busy
 * loops in the leaf ROOT/@agent/extra.
 */
#define EXTRA(agent)	ROOT "/" agent "/extra"

static int wait_running(int fd, __u64 id, int timeout_ms)
{
	struct llmsched_task_info info;
	int waited;

	for (waited = 0; waited < timeout_ms; waited += 50) {
		if (!ls_query(fd, id, &info) &&
		    info.state == LLMSCHED_TASK_RUNNING)
			return 0;
		usleep(50000);
	}
	return -ETIMEDOUT;
}

/*
 * With one busy loop in the busy agent (1 CPU) and nothing in the idle
 * one (0.5 CPU), over @window_ms: the mean of the figure the module holds
 * for each, and what their cpu.stat says they used of their reservations
 * in the same window, per mille.
 */
struct measured {
	double load[2];
	double used[2];
};

static void measure(struct __test_metadata *_metadata, int fd, __u32 ids[2],
		    int window_ms, struct measured *m)
{
	static const char *const names[2] = { "busy-0", "idle-0" };
	static const double cpus[2] = { 1.0, 0.5 };
	uint64_t u0[2], u1[2], t0, t1;
	double sum[2] = { 0, 0 };
	int samples = 0, i, k;
	char rel[64];
	__u64 v;

	t0 = now_us();
	for (k = 0; k < 2; k++)
		u0[k] = usage_usec(names[k]);
	for (i = 0; i < window_ms / 100; i++) {
		usleep(100000);
		for (k = 0; k < 2; k++) {
			snprintf(rel, sizeof(rel), "agents/%u/load", ids[k]);
			ASSERT_EQ(0, ls_sysfs_u64(rel, &v));
			sum[k] += (double)v;
		}
		samples++;
	}
	t1 = now_us();
	for (k = 0; k < 2; k++) {
		u1[k] = usage_usec(names[k]);
		m->load[k] = sum[k] / samples;
		m->used[k] = 1000.0 * (double)(u1[k] - u0[k]) /
			     (cpus[k] * (double)(t1 - t0));
	}
	figure("# load busy %.0f idle %.0f; cpu.stat busy %.0f idle %.0f (per mille of the reservation)\n",
	       m->load[0], m->load[1], m->used[0], m->used[1]);
}

/*
 * The figures agree with cpu.stat within 200 per mille plus 20% (one
 * emulated CPU is far from steady), and so does their gap.
 */
static void check_gap(struct __test_metadata *_metadata, const struct measured *m)
{
	double gap = m->load[0] - m->load[1], want = m->used[0] - m->used[1];
	int k;

	for (k = 0; k < 2; k++)
		EXPECT_GE(200 + 0.2 * m->used[k],
			  m->load[k] > m->used[k] ? m->load[k] - m->used[k] :
						    m->used[k] - m->load[k]);
	EXPECT_LT(400, want) TH_LOG("the busy loop did not run: %.0f", want);
	EXPECT_GE(200 + 0.2 * want, gap > want ? gap - want : want - gap)
	TH_LOG("load gap %.0f, cpu.stat gap %.0f", gap, want);
}

/*
 * The daemon with @keys and two_agents, one busy loop of 1 CPU in the
 * busy agent: the figures the module holds against cpu.stat
 * (check_gap()), and load.json, which says @source and some reports, in
 * @text.
 */
static void busy_and_measured(struct __test_metadata *_metadata,
			      FIXTURE_DATA(loadprobe) *self, const char *keys,
			      const char *source, char *text, size_t size)
{
	struct measured m;
	char want[32];
	__u32 ids[2];
	__u64 id;

	ASSERT_EQ(0, du_daemon_start(self->dir, self->conf, ROOT, keys,
				     two_agents, &self->daemon));
	ids[0] = du_agent_id(self->fd, ROOT, "busy-0");
	ids[1] = du_agent_id(self->fd, ROOT, "idle-0");
	ASSERT_NE(0, ids[0]);
	ASSERT_NE(0, ids[1]);
	ASSERT_EQ(0, submit_busy(self->fd, 1, LS_CPUS(1), &id));
	ASSERT_EQ(0, wait_running(self->fd, id, 10000));
	/* The mean catches up (load_window 100 ms) long before this. */
	sleep(1);
	measure(_metadata, self->fd, ids, 3000, &m);
	check_gap(_metadata, &m);
	ASSERT_EQ(0, load_json(self->dir, text, size));
	snprintf(want, sizeof(want), "\"source\":\"%s\"", source);
	EXPECT_NE(NULL, strstr(text, want)) TH_LOG("%s", text);
	EXPECT_LT(0, json_number(text, "reports"));
	EXPECT_EQ(0, json_number(text, "report_errors"));
}

/* The busy agent's figure follows cpu.stat, from the probe. */
TEST_F_TIMEOUT(loadprobe, probe_load_matches_cpu_stat, 120)
{
	char text[8192];

	busy_and_measured(_metadata, self, "load_wait_weight = 0\n", "bpf",
			  text, sizeof(text));
	/* The probe counts the busy loop's switches. */
	EXPECT_LT(0, json_number(strstr(text, "busy-0"), "switches"));
}

/* load_probe = off: the same figure from cpu.stat and cpu.pressure. */
TEST_F_TIMEOUT(loadprobe, cgroup_fallback_gives_the_same_figure, 120)
{
	char text[8192];

	busy_and_measured(_metadata, self,
			  "load_probe = off\nload_wait_weight = 0\n", "cgroup",
			  text, sizeof(text));
}

/* Run llmctl -c CONF WORDS... (NULL-terminated) into @out; its status. */
static int llmctl(FIXTURE_DATA(loadprobe) *self, char *out, size_t size, ...)
{
	char err[4096];
	const struct tu_capture cap = {
		.dir = self->dir, .timeout_ms = 30000,
		.out = out, .out_size = size,
		.err = err, .err_size = sizeof(err),
	};
	va_list ap;
	int ret;

	va_start(ap, size);
	ret = tu_vtool(&cap, self->conf, "llmctl", TU_SELF, NULL, ap);
	va_end(ap);
	return ret;
}

/* Times @needle is in @text. */
static int count_of(const char *text, const char *needle)
{
	int n = 0;

	for (; (text = strstr(text, needle)); text++)
		n++;
	return n;
}

/*
 * The probe asked for (the default) but unable to load: here the kernel's
 * BTF is hidden (/dev/null bound over /sys/kernel/btf/vmlinux, in a mount
 * namespace of this test's own), so CO-RE cannot relocate.  The daemon
 * says so once in its log, measures from the cgroups with the same
 * meaning, and llmctl status shows which source is in use.
 */
TEST_F_TIMEOUT(loadprobe, probe_that_cannot_load_falls_back_to_the_cgroups,
	       120)
{
	char text[8192], log[65536], path[128];

	/* Where libbpf 1.1 looks for the kernel's BTF, after sysfs. */
	static const char *const elsewhere[] = {
		"/boot/vmlinux-%s", "/lib/modules/%s/vmlinux-%s",
		"/lib/modules/%s/build/vmlinux", "/usr/lib/modules/%s/kernel/vmlinux",
		"/usr/lib/debug/boot/vmlinux-%s", "/usr/lib/debug/boot/vmlinux-%s.debug",
		"/usr/lib/debug/lib/modules/%s/vmlinux",
	};
	struct utsname u;
	size_t k;

	if (access("/sys/kernel/btf/vmlinux", R_OK))
		SKIP(return, "this kernel has no BTF: the probe never loads here");
	ASSERT_EQ(0, uname(&u));
	/* Where the programs are, found before /proc/self/exe stops saying. */
	tu_beside("llmschedd");
	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	ASSERT_EQ(0, mount("/dev/null", "/sys/kernel/btf/vmlinux", NULL,
			   MS_BIND, NULL));
	for (k = 0; k < sizeof(elsewhere) / sizeof(elsewhere[0]); k++) {
		snprintf(path, sizeof(path), elsewhere[k], u.release, u.release);
		if (!access(path, F_OK))
			ASSERT_EQ(0, mount("/dev/null", path, NULL, MS_BIND, NULL));
	}
	busy_and_measured(_metadata, self, "load_wait_weight = 0\n", "cgroup",
			  text, sizeof(text));

	snprintf(path, sizeof(path), "%s/daemon.log", self->dir);
	ASSERT_EQ(0, tu_read_text(path, log, sizeof(log)));
	EXPECT_EQ(1, count_of(log, "the BPF probe is off")) TH_LOG("%s", log);
	EXPECT_NE(NULL, strstr(log, "BTF")) TH_LOG("%s", log);

	ASSERT_EQ(0, llmctl(self, text, sizeof(text), "status", NULL));
	EXPECT_NE(NULL, strstr(text, "load:      from the cgroups' cpu.stat"))
	TH_LOG("%s", text);
	ASSERT_EQ(0, llmctl(self, text, sizeof(text), "status", "--json", NULL));
	EXPECT_EQ(0, tu_schema_ok(self->dir, "status.schema.json", text, false));
	EXPECT_NE(NULL, strstr(text, "\"load\":{\"source\":\"cgroup\""))
	TH_LOG("%s", text);
}

/*
 * @of_thread's figure for each thread of agent @agent (the threads of
 * its leaves' cgroup.threads), summed; -1 when the leaves cannot be read.
 * A thread gone before it is read counts nothing.
 */
static long long sum_over_threads(const char *agent,
				  long long (*of_thread)(int tid))
{
	char pattern[256];
	long long sum = 0;
	glob_t g;
	size_t i;

	snprintf(pattern, sizeof(pattern), "%s/*/cgroup.threads", agent);
	if (glob(pattern, 0, NULL, &g))
		return -1;
	for (i = 0; i < g.gl_pathc; i++) {
		FILE *f = fopen(g.gl_pathv[i], "re");
		int tid;

		if (!f)
			continue;
		while (fscanf(f, "%d", &tid) == 1)
			sum += of_thread(tid);
		fclose(f);
	}
	globfree(&g);
	return sum;
}

/* The time @tid waited for a CPU (/proc/TID/schedstat's second field). */
static long long thread_run_delay(int tid)
{
	unsigned long long delay = 0;
	char path[64];
	FILE *st;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", tid);
	st = fopen(path, "re");
	if (!st)
		return 0;
	if (fscanf(st, "%*s %llu", &delay) != 1)
		delay = 0;
	fclose(st);
	return (long long)delay;
}

/* @tid's context switches, voluntary and not (/proc/TID/status). */
static long long thread_ctxt_switches(int tid)
{
	char path[64], line[128];
	long long sum = 0, n;
	FILE *st;

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	st = fopen(path, "re");
	if (!st)
		return 0;
	while (fgets(line, sizeof(line), st))
		if (sscanf(line, "voluntary_ctxt_switches: %lld", &n) == 1 ||
		    sscanf(line, "nonvoluntary_ctxt_switches: %lld", &n) == 1)
			sum += n;
	fclose(st);
	return sum;
}

/*
 * The scheduler's own count of the time @agent's threads waited for a CPU,
 * summed over its leaves, in ns; -1 when it cannot be read.
 */
static long long run_delay_ns(const char *agent)
{
	return sum_over_threads(agent, thread_run_delay);
}

/* The context switches of @agent's threads; -1 when they cannot be read. */
static long long ctxt_switches(const char *agent)
{
	return sum_over_threads(agent, thread_ctxt_switches);
}

/*
 * load.json as the daemon writes it next (every LLMSD_LOAD_DECIDE_MS),
 * read at once, so that a figure read beside it is of the same moment.
 */
static int next_load_json(const char *dir, char *buf, size_t size)
{
	char path[128];
	struct stat a, b;
	int waited;

	snprintf(path, sizeof(path), "%s/state/load.json", dir);
	if (stat(path, &a))
		return -errno;
	/* Written aside and renamed in: a new file each time. */
	for (waited = 0; waited < 2000; waited++) {
		if (!stat(path, &b) && b.st_ino != a.st_ino)
			return load_json(dir, buf, size);
		usleep(1000);
	}
	return -ETIMEDOUT;
}

/*
 * Over 3 s, the waiting of agent busy-0 as the probe counts it (load.json)
 * against the scheduler's count in its threads' schedstat, which must be
 * above @least_ms.  The probe charges a wait when the run after it ends,
 * schedstat when that run begins: a run apart at each end (cpu.max's
 * period is 100 ms), hence 10% and 100 ms.
 */
static void waits_match_schedstat(struct __test_metadata *_metadata,
				  FIXTURE_DATA(loadprobe) *self,
				  long long least_ms)
{
	long long delay[2], wait[2], d, w;
	char text[8192];
	int k;

	for (k = 0; k < 2; k++) {
		if (k)
			sleep(3);
		ASSERT_EQ(0, next_load_json(self->dir, text, sizeof(text)));
		delay[k] = run_delay_ns(ROOT "/busy-0");
		ASSERT_NE(NULL, strstr(text, "busy-0")) TH_LOG("%s", text);
		wait[k] = json_number(strstr(text, "busy-0"), "wait_usec");
		ASSERT_LE(0, delay[k]);
		ASSERT_LE(0, wait[k]);
	}
	d = delay[1] - delay[0];
	w = (wait[1] - wait[0]) * 1000;
	figure("# waited in 3 s: probe %lld ms, schedstat run_delay %lld ms\n",
	       w / 1000000, d / 1000000);
	EXPECT_LT(least_ms * 1000000, d);
	EXPECT_GE(d / 10 + 100000000LL, llabs(w - d));
}

/*
 * Waiting counts: two busy loops in a task held to half a CPU wait most
 * of the time, so with the default weight (500 per mille) the figure is
 * above what they use, which is all of the agent's half CPU.  What the
 * probe counts as waiting is what the scheduler counts in the threads'
 * schedstat.
 */
TEST_F_TIMEOUT(loadprobe, run_queue_waiting_raises_the_figure, 120)
{
	char text[8192], rel[64];
	__u64 a, load;
	__u32 busy;
	int i;

	ASSERT_EQ(0, du_daemon_start(self->dir, self->conf, ROOT, "",
				     "[tags]\nhot = 0\n"
				     "[agent busy]\ncpu = 500m\nmemory = 256M\n"
				     "slots = 2\ntags = hot\n",
				     &self->daemon));
	busy = du_agent_id(self->fd, ROOT, "busy-0");
	ASSERT_NE(0, busy);
	ASSERT_EQ(0, submit_busy(self->fd, 2, 500, &a));
	ASSERT_EQ(0, wait_running(self->fd, a, 10000));
	sleep(2);
	snprintf(rel, sizeof(rel), "agents/%u/load", busy);
	for (i = 0, load = 0; i < 10; i++) {
		__u64 v;

		ASSERT_EQ(0, ls_sysfs_u64(rel, &v));
		load += v;
		usleep(100000);
	}
	load /= 10;
	ASSERT_EQ(0, load_json(self->dir, text, sizeof(text)));
	figure("# held to its reservation, two loops: load %llu per mille\n",
	       (unsigned long long)load);
	/* Using all of it (1000) plus waiting, weighed by a half. */
	EXPECT_LT(1100, load) TH_LOG("%s", text);
	EXPECT_LT(0, json_number(strstr(text, "busy-0"), "wait_usec"));

	/* Two loops held to half a CPU wait 1.5 s a second between them. */
	waits_match_schedstat(_metadata, self, 3000);
}

/*
 * Four loops on the host's two CPUs, not held back (the agent has both):
 * each waits half the time, and the kernel's load balancing moves them
 * between the CPUs, also while they wait.
 */
TEST_F_TIMEOUT(loadprobe, waiting_of_loops_sharing_cpus_matches_schedstat,
	       120)
{
	pid_t pids[4];

	ASSERT_EQ(0, du_daemon_start(self->dir, self->conf, ROOT, "",
				     "[agent busy]\ncpu = 2\nmemory = 256M\n",
				     &self->daemon));
	ASSERT_EQ(0, du_busy_start(EXTRA("busy-0"), 4, pids));
	sleep(1);
	/* 4 loops on 2 CPUs: 2 s of waiting a second between them. */
	waits_match_schedstat(_metadata, self, 4000);
	du_busy_stop(EXTRA("busy-0"), 4, pids);
}

/*
 * Two agents whose loops share one CPU: a (1 CPU) and b (a quarter of a
 * CPU, which cpu.max holds it to), so that the CPU goes from one to the
 * other at nearly every switch and each has a share of its own: b 250
 * ms a second, a the rest.  What the probe charged each over 3 s is what
 * its cpu.stat says it used (a charge to the wrong agent, or one lost
 * when the CPU goes to the other, would show), and the switches it
 * counted are those of the agent's threads.
 */
TEST_F_TIMEOUT(loadprobe, agents_sharing_a_cpu_are_each_charged_their_own,
	       120)
{
	static const char *const names[2] = { "a-0", "b-0" };
	/*
	 * a's loops join its agent process's leaf, which the probe saw
	 * before the daemon listed the agent: what the probe took it for
	 * then must not stick.
	 */
	static const char *const leaves[2] = { ROOT "/a-0/agent",
					       EXTRA("b-0") };
	static const char *const folders[2] = { ROOT "/a-0", ROOT "/b-0" };
	long long run[2][2], used[2][2], sw[2][2], ctxt[2][2], d, r;
	char text[8192], key[16];
	pid_t pids[2][2];
	cpu_set_t one;
	int i, k, t;

	ASSERT_EQ(0, du_daemon_start(self->dir, self->conf, ROOT, "",
				     "[agent a]\ncpu = 1\nmemory = 256M\n"
				     "[agent b]\ncpu = 250m\nmemory = 256M\n",
				     &self->daemon));
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	for (k = 0; k < 2; k++) {
		ASSERT_EQ(0, du_busy_start(leaves[k], 2, pids[k]));
		for (i = 0; i < 2; i++)
			ASSERT_EQ(0, sched_setaffinity(pids[k][i], sizeof(one),
						       &one));
	}
	sleep(1);
	for (t = 0; t < 2; t++) {
		if (t)
			sleep(3);
		ASSERT_EQ(0, next_load_json(self->dir, text, sizeof(text)));
		for (k = 0; k < 2; k++) {
			used[k][t] = (long long)usage_usec(names[k]);
			ctxt[k][t] = ctxt_switches(folders[k]);
			snprintf(key, sizeof(key), "\"%s\"", names[k]);
			ASSERT_NE(NULL, strstr(text, key)) TH_LOG("%s", text);
			run[k][t] = json_number(strstr(text, key), "run_usec");
			sw[k][t] = json_number(strstr(text, key), "switches");
			ASSERT_LE(0, run[k][t]);
			ASSERT_LE(0, sw[k][t]);
			ASSERT_LE(0, ctxt[k][t]);
		}
	}
	for (k = 0; k < 2; k++) {
		r = run[k][1] - run[k][0];
		d = used[k][1] - used[k][0];
		figure("# %s ran in 3 s: probe %lld ms, cpu.stat %lld ms; switched out: probe %lld, its threads %lld\n",
		       names[k], r / 1000, d / 1000, sw[k][1] - sw[k][0],
		       ctxt[k][1] - ctxt[k][0]);
		/* The same clock: a few ms apart at each end, read in turn. */
		EXPECT_GE(d * 3 / 100 + 30000, llabs(r - d))
		TH_LOG("%s", names[k]);
		d = ctxt[k][1] - ctxt[k][0];
		r = sw[k][1] - sw[k][0];
		EXPECT_LT(100, d);
		EXPECT_GE(d / 20 + 20, llabs(r - d)) TH_LOG("%s", names[k]);
	}
	/* Each had a share of its own: b the quarter cpu.max holds it to. */
	EXPECT_LT(1000000, used[0][1] - used[0][0]);
	EXPECT_LT(300000, used[1][1] - used[1][0]);
	EXPECT_GT(1000000, used[1][1] - used[1][0]);
	for (k = 0; k < 2; k++)
		du_busy_stop(leaves[k], 2, pids[k]);
}

/* The busy agent's CPU reservation, as the module has it; 0 on error. */
static __u64 reserved_cpu(int fd, __u32 id)
{
	struct llmsched_agent_info info;

	return agent_info(fd, id, &info) ? 0 : info.capacity[LLMSCHED_RES_CPU];
}

/*
 * resize = on: the busy agent (0.5 CPU) runs two loops beyond its tasks
 * and is throttled while the host has idle CPU: it grows, never past what
 * the host has free (2 CPUs less the idle agent's 0.5).  Then a task
 * holds 1 CPU of it and the loops stop: it cannot shrink below that
 * (EBUSY, counted as refused); once the task ends it shrinks back to its
 * configured 0.5 CPU.  The resizes are counted in load.json.
 */
TEST_F_TIMEOUT(loadprobe, resize_grows_into_idle_cpu_and_shrinks_back, 120)
{
	const char *const nap[] = { "/bin/sleep", "1000", NULL };
	__u64 most = 0, cpu = 0, id;
	pid_t pids[2] = { 0, 0 };
	char text[8192];
	__u32 busy;
	int i;

	ASSERT_EQ(0, du_daemon_start(self->dir, self->conf, ROOT,
				     "resize = on\nresize_step = 500m\n",
				     "[tags]\nhot = 0\n"
				     "[agent busy]\ncpu = 500m\nmemory = 256M\n"
				     "slots = 2\ntags = hot\n"
				     "[agent idle]\ncpu = 500m\nmemory = 256M\n",
				     &self->daemon));
	busy = du_agent_id(self->fd, ROOT, "busy-0");
	ASSERT_NE(0, busy);
	ASSERT_EQ(0, du_busy_start(EXTRA("busy-0"), 2, pids));
	for (i = 0; i < 200 && most < 1000; i++) {
		usleep(100000);
		cpu = reserved_cpu(self->fd, busy);
		if (cpu > most)
			most = cpu;
	}
	figure("# grown to %llu millicores in %.1f s\n",
	       (unsigned long long)most, i / 10.0);
	EXPECT_LE(1000, most);
	EXPECT_GE(1500, most);
	/* The task of 1 CPU goes to the busy agent (its tag), grown. */
	ASSERT_EQ(0, du_submit(self->fd, nap, 100, 0, HOT_TAG, LS_CPUS(1), 0,
			       0, &id));
	EXPECT_EQ(0, wait_running(self->fd, id, 10000));
	du_busy_stop(EXTRA("busy-0"), 2, pids);
	sleep(3);
	cpu = reserved_cpu(self->fd, busy);
	figure("# holding a task of 1 CPU, idle: %llu millicores\n",
	       (unsigned long long)cpu);
	EXPECT_LE(1000, cpu);
	ASSERT_EQ(0, load_json(self->dir, text, sizeof(text)));
	EXPECT_LE(1, json_number(strstr(text, "busy-0"), "refused"))
	TH_LOG("%s", text);
	ASSERT_EQ(0, ls_cancel(self->fd, id));
	for (i = 0; i < 200; i++) {
		usleep(100000);
		cpu = reserved_cpu(self->fd, busy);
		if (cpu == 500)
			break;
	}
	figure("# back to %llu millicores in %.1f s\n",
	       (unsigned long long)cpu, i / 10.0);
	EXPECT_EQ(500, cpu);
	/* load.json is written every 250 ms. */
	usleep(600000);
	ASSERT_EQ(0, load_json(self->dir, text, sizeof(text)));
	EXPECT_LE(2, json_number(text, "resizes")) TH_LOG("%s", text);
	EXPECT_LE(1, json_number(strstr(text, "busy-0"), "grown"));
	EXPECT_LE(1, json_number(strstr(text, "busy-0"), "shrunk"));
	du_busy_stop(EXTRA("busy-0"), 2, pids);
}

/* `bpftool ... show -j` contains @needle. */
static int bpftool_has(const char *what, const char *needle)
{
	char cmd[64], buf[65536];
	size_t n = 0, r;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "bpftool -j %s show 2>/dev/null", what);
	p = popen(cmd, "re");
	if (!p)
		return -errno;
	while (n < sizeof(buf) - 1 &&
	       (r = fread(buf + n, 1, sizeof(buf) - 1 - n, p)) > 0)
		n += r;
	buf[n] = '\0';
	if (pclose(p))
		return -EIO;
	return strstr(buf, needle) != NULL;
}

/* llms_switch and llms_attach. */
#define PROBE_PROGS	2

/* The ids of our programs in `bpftool -j prog show`, as "prog_id":N. */
static int our_prog_ids(char ids[PROBE_PROGS][32])
{
	char buf[65536], *p;
	size_t n = 0, r;
	int k = 0;
	FILE *f = popen("bpftool -j prog show 2>/dev/null", "re");

	if (!f)
		return -errno;
	while (n < sizeof(buf) - 1 &&
	       (r = fread(buf + n, 1, sizeof(buf) - 1 - n, f)) > 0)
		n += r;
	buf[n] = '\0';
	pclose(f);
	/* Each entry: {"id":N,"type":"tracing","name":"llms_switch",... */
	for (p = buf; k < PROBE_PROGS && (p = strstr(p, "{\"id\":")); p++) {
		char *name = strstr(p, "\"name\":\"");
		long id = strtol(p + 6, NULL, 10);

		if (name && !strncmp(name + 8, "llms_", 5) &&
		    name < strchr(p + 1, '}'))
			snprintf(ids[k++], 32, "\"prog_id\":%ld", id);
	}
	return k;
}

/* Stopped, the daemon leaves no program and no link of the probe. */
TEST_F_TIMEOUT(loadprobe, stopped_daemon_leaves_no_probe, 120)
{
	char ids[PROBE_PROGS][32];
	int k, n;

	/* None before: another daemon's would confuse what follows. */
	ASSERT_EQ(0, bpftool_has("prog", "\"name\":\"llms_"));
	ASSERT_EQ(0, du_daemon_start(self->dir, self->conf, ROOT, "",
				     two_agents, &self->daemon));
	n = our_prog_ids(ids);
	EXPECT_EQ(PROBE_PROGS, n) TH_LOG("the probe's programs are not loaded");
	for (k = 0; k < n; k++)
		EXPECT_EQ(1, bpftool_has("link", ids[k]))
		TH_LOG("no link for %s", ids[k]);
	ASSERT_EQ(0, du_daemon_stop(&self->daemon));
	EXPECT_EQ(0, bpftool_has("prog", "\"name\":\"llms_"));
	for (k = 0; k < n; k++)
		EXPECT_EQ(0, bpftool_has("link", ids[k])) TH_LOG("%s", ids[k]);
	EXPECT_NE(0, access(ROOT, F_OK));
}

LLMS_TEST_MAIN
