// SPDX-License-Identifier: GPL-2.0
/*
 * GPUs held by agents, handed to tasks and fenced, with stand-in GPUs: the
 * VM has none, so character nodes made in the test folder with the
 * numbers of /dev/zero (1:5) and /dev/full (1:7) are configured as
 * [gpu NAME]s.  A node that is some agent's GPU is off the ordinary list,
 * so a task may open it only when it was handed that GPU.
 *
 * What is checked is what a task and an operator see: which nodes a task
 * can open (EPERM for the rest), its environment and log, the history,
 * llmsub's refusals, and `bpftool cgroup tree` before and after the daemon.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "harness_main.h"
#include "../../runtime/lib/libllmsched.h"
#include "../../runtime/lib/history.h"
#include "daemon_util.h"
#include "tool_util.h"

/* Its own root, so that it never meets another test's agents. */
#define TEST_CGROUP_ROOT	"/sys/fs/cgroup/llmsched-gpu-test"
#include "llmsched_util.h"
#include "module_util.h"

/* The 6.1 harness defines FIXTURE_SETUP/TEARDOWN as non-static functions. */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"

FIXTURE(gpu) {
	char dir[64];
	char devdir[64];
	char conf[128];
	char gpu_a[128], gpu_b[128];
	pid_t daemon;
	int fd;
};

FIXTURE_SETUP(gpu)
{
	self->fd = -1;
	self->daemon = 0;
	ASSERT_EQ(0, llmsched_module_ensure_loaded());
	self->fd = ls_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ls_reset(self->fd, LS_CPUS(2), LS_GB(2)));
	strcpy(self->dir, "/tmp/llmsd-gpu-test-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, chmod(self->dir, 0755));
	snprintf(self->conf, sizeof(self->conf), "%s/llmschedd.conf",
		 self->dir);
	/* Device nodes open only on a mount without nodev: /dev's. */
	strcpy(self->devdir, "/dev/llmsd-gpu-test-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->devdir));
	snprintf(self->gpu_a, sizeof(self->gpu_a), "%s/gpu-a", self->devdir);
	snprintf(self->gpu_b, sizeof(self->gpu_b), "%s/gpu-b", self->devdir);
	ASSERT_EQ(0, mknod(self->gpu_a, S_IFCHR | 0666, makedev(1, 5)));
	ASSERT_EQ(0, mknod(self->gpu_b, S_IFCHR | 0666, makedev(1, 7)));
}

FIXTURE_TEARDOWN(gpu)
{
	char cmd[192];

	if (self->daemon > 0 && du_daemon_stop(&self->daemon))
		du_daemon_log(self->dir);
	if (!_metadata->passed)
		du_daemon_log(self->dir);
	if (self->fd >= 0) {
		ls_cancel_all(self->fd);
		close(self->fd);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s", self->dir, self->devdir);
	if (system(cmd))
		TH_LOG("could not remove %s", self->dir);
}

/* The two stand-in GPUs, then @agents. */
static int start(struct _test_data_gpu *self, const char *agents)
{
	char text[4096];

	snprintf(text, sizeof(text),
		 "[tags]\nb200 = 9\n"
		 "[gpu sa]\nnode = %s\nvendor = nvidia\nmemory = 1G\nmodel = h200\n"
		 "[gpu sb]\nnode = %s\nvendor = nvidia\nmemory = 1G\nmodel = a100\n"
		 "%s",
		 self->gpu_a, self->gpu_b, agents);
	return du_daemon_start(self->dir, self->conf, TEST_CGROUP_ROOT, "",
			       text, &self->daemon);
}

/*
 * What a task reports: whether it could open each stand-in and its GPU
 * environment, then it sleeps @sleep_s (to overlap with another).
 */
static int submit_probe(struct _test_data_gpu *self, __u64 gpus, __u64 tags,
			unsigned int sleep_s, __u64 *id)
{
	char script[1024];
	const char *argv[] = { "/bin/sh", "-c", script, NULL };
	struct llmsched_task_submit t;
	int ret;

	snprintf(script, sizeof(script),
		 "if head -c1 <%s >/dev/null; then echo a=open; else echo a=denied; fi;"
		 "if head -c1 <%s >/dev/null; then echo b=open; else echo b=denied; fi;"
		 "echo cuda=$CUDA_VISIBLE_DEVICES;"
		 "echo nvidia=$NVIDIA_VISIBLE_DEVICES;"
		 "echo names=$LLMSCHED_GPU_NAMES;"
		 "sleep %u",
		 self->gpu_a, self->gpu_b, sleep_s);
	ls_task_init(&t, 100, 100, (32ULL << 20), LS_SEC(1));
	t.demand[LLMSCHED_RES_GPU] = gpus;
	t.tags = tags;
	ret = du_submit_task(self->fd, argv, &t);
	if (!ret)
		*id = t.task_id;
	return ret;
}

static int wait_end(int fd, __u64 id, struct llmsched_task_info *info)
{
	struct llmsched_task_wait w;
	int ret = ls_wait(fd, id, LS_SEC(60), &w);

	return ret ? ret : ls_query(fd, id, info);
}

/* Task @id's file LOG/tasks/0/task-ID.@ext into @buf. */
static int task_log(struct _test_data_gpu *self, __u64 id, const char *ext,
		    char *buf, size_t size)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/log/tasks/0/task-%llu.%s", self->dir,
		 (unsigned long long)id, ext);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

/* Run @cmd with sh, its output (stdout and stderr) in @buf; its status. */
static int run_capture(const char *cmd, char *buf, size_t size)
{
	FILE *p;
	size_t n;
	int status;

	fflush(stdout);
	p = popen(cmd, "r");
	if (!p)
		return -errno;
	n = fread(buf, 1, size - 1, p);
	buf[n] = '\0';
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 256;
}

static int fence_count(void)
{
	char out[65536];
	const char *p = out;
	int n = 0;

	if (run_capture("bpftool cgroup tree 2>&1", out, sizeof(out)) != 0)
		return -1;
	while ((p = strstr(p, "llmsd_gpu_fence"))) {
		n++;
		p++;
	}
	return n;
}

static const char two_agents[] =
	"[agent a]\ncpu = 0.5\nmemory = 128M\ngpus = sa\n"
	"[agent b]\ncpu = 0.5\nmemory = 128M\ngpus = sb\n";

/* Tag bits as the configuration gives them: [tags] b200 = 9, then models. */
#define TAG_H200	(1ULL << 0)
#define TAG_A100	(1ULL << 1)

TEST_F_TIMEOUT(gpu, each_task_opens_its_own_gpu_and_no_other, 120)
{
	struct llmsched_task_info ia, ib;
	char out[2048], err[2048];
	__u64 a, b;

	ASSERT_EQ(0, start(self, two_agents));
	/* One fence on each agent's folder. */
	EXPECT_EQ(2, fence_count());
	ASSERT_EQ(0, submit_probe(self, 1, TAG_H200, 0, &a));
	ASSERT_EQ(0, submit_probe(self, 1, TAG_A100, 0, &b));
	ASSERT_EQ(0, wait_end(self->fd, a, &ia));
	ASSERT_EQ(0, wait_end(self->fd, b, &ib));
	EXPECT_EQ(LLMSCHED_TASK_SUCCEEDED, ia.state);
	EXPECT_EQ(LLMSCHED_TASK_SUCCEEDED, ib.state);
	EXPECT_NE(ia.agent_id, ib.agent_id);

	ASSERT_EQ(0, task_log(self, a, "out", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "a=open\n")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "b=denied\n")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "cuda=0\n")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "nvidia=0\n")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "names=sa\n")) TH_LOG("%s", out);
	ASSERT_EQ(0, task_log(self, a, "err", err, sizeof(err)));
	EXPECT_NE(NULL, strstr(err, "Operation not permitted")) TH_LOG("%s", err);
	EXPECT_NE(NULL, strstr(err, "holds GPU(s) sa of agent a-0")) TH_LOG("%s", err);

	ASSERT_EQ(0, task_log(self, b, "out", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "a=denied\n")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "b=open\n")) TH_LOG("%s", out);
	/* sb is the second NVIDIA GPU configured: index 1. */
	EXPECT_NE(NULL, strstr(out, "cuda=1\n")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "names=sb\n")) TH_LOG("%s", out);

	/* The task folders went, and their fences with them. */
	EXPECT_EQ(2, fence_count());
	ASSERT_EQ(0, du_daemon_stop(&self->daemon));
	EXPECT_EQ(0, fence_count());
}

/* A task that asks for no GPU gets none, though its agent holds one. */
TEST_F_TIMEOUT(gpu, a_task_without_gpus_sees_none, 120)
{
	struct llmsched_task_info info;
	char out[2048];
	__u64 id;

	ASSERT_EQ(0, start(self, two_agents));
	ASSERT_EQ(0, submit_probe(self, 0, TAG_H200, 0, &id));
	ASSERT_EQ(0, wait_end(self->fd, id, &info));
	EXPECT_EQ(LLMSCHED_TASK_SUCCEEDED, info.state);
	ASSERT_EQ(0, task_log(self, id, "out", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "a=denied\n")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "b=denied\n")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "cuda=\n")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "nvidia=void\n")) TH_LOG("%s", out);
}

struct gpu_rows {
	char gpus[4][64];
	__u64 ids[4];
	int n;
};

static int take_row(const struct llms_history_row *r, void *arg)
{
	struct gpu_rows *g = arg;

	if (g->n < 4) {
		g->ids[g->n] = r->task_id;
		snprintf(g->gpus[g->n], sizeof(g->gpus[0]), "%.60s", r->gpus);
		g->n++;
	}
	return 0;
}

TEST_F_TIMEOUT(gpu, two_tasks_at_once_get_different_gpus, 120)
{
	static const char big[] =
		"[agent big]\ncpu = 1\nmemory = 256M\nslots = 2\n"
		"gpus = sa, sb\n";
	struct llmsched_task_info i1, i2;
	struct llms_history *h = NULL;
	struct llms_error *e = NULL;
	struct gpu_rows rows = { 0 };
	char o1[2048], o2[2048], path[160], cmd[512], text[4096], want[64];
	__u64 t1, t2;
	bool one_a, two_a;
	int k;

	ASSERT_EQ(0, start(self, big));
	ASSERT_EQ(0, submit_probe(self, 1, 0, 2, &t1));
	ASSERT_EQ(0, submit_probe(self, 1, 0, 2, &t2));
	ASSERT_EQ(0, wait_end(self->fd, t1, &i1));
	ASSERT_EQ(0, wait_end(self->fd, t2, &i2));
	EXPECT_EQ(LLMSCHED_TASK_SUCCEEDED, i1.state);
	EXPECT_EQ(LLMSCHED_TASK_SUCCEEDED, i2.state);
	/* They ran at the same time. */
	ASSERT_LT(i1.start_ns, i2.end_ns);
	ASSERT_LT(i2.start_ns, i1.end_ns);
	ASSERT_EQ(0, task_log(self, t1, "out", o1, sizeof(o1)));
	ASSERT_EQ(0, task_log(self, t2, "out", o2, sizeof(o2)));
	/* Each sees one GPU, can open only it, and not the same one. */
	one_a = strstr(o1, "a=open\n") != NULL;
	two_a = strstr(o2, "a=open\n") != NULL;
	EXPECT_NE(one_a, two_a) TH_LOG("%s---\n%s", o1, o2);
	EXPECT_NE(NULL, strstr(o1, one_a ? "b=denied\n" : "b=open\n"));
	EXPECT_NE(NULL, strstr(o1, one_a ? "cuda=0\n" : "cuda=1\n"));
	EXPECT_NE(NULL, strstr(o1, one_a ? "names=sa\n" : "names=sb\n"));
	EXPECT_NE(NULL, strstr(o2, two_a ? "b=denied\n" : "b=open\n"));
	EXPECT_NE(NULL, strstr(o2, two_a ? "cuda=0\n" : "cuda=1\n"));
	EXPECT_NE(NULL, strstr(o2, two_a ? "names=sa\n" : "names=sb\n"));
	/* llmctl task says so too (here from the history). */
	snprintf(cmd, sizeof(cmd), "%s -c %s task %llu 2>&1",
		 tu_beside("llmctl"), self->conf, (unsigned long long)t1);
	ASSERT_EQ(0, run_capture(cmd, text, sizeof(text))) TH_LOG("%s", text);
	/* llmctl's "KEY  VALUE" lines: the key in 14 columns. */
	snprintf(want, sizeof(want), "%-14s %s\n", "gpus", one_a ? "sa" : "sb");
	EXPECT_NE(NULL, strstr(text, want)) TH_LOG("%s", text);

	/* The history says which GPUs each had. */
	ASSERT_EQ(0, du_daemon_stop(&self->daemon));
	snprintf(path, sizeof(path), "%s/state/history.db", self->dir);
	ASSERT_EQ(0, llms_history_open(&h, path, LLMS_HISTORY_READONLY, &e));
	ASSERT_EQ(2, llms_history_query(h, NULL, take_row, &rows, &e));
	llms_history_close(h);
	for (k = 0; k < 2; k++) {
		bool a_run = rows.ids[k] == t1 ? one_a : two_a;

		EXPECT_STREQ(a_run ? "sa" : "sb", rows.gpus[k]);
	}
	EXPECT_EQ(0, fence_count());
}

/* Run llmsub with @args (after -c CONF); its status, output in @out. */
static int llmsub(struct _test_data_gpu *self, const char *args, char *out,
		  size_t size)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "%s -c %s --cpu 0.1 --mem 32M %s 2>&1",
		 tu_beside("llmsub"),
		 self->conf, args);
	return run_capture(cmd, out, size);
}

TEST_F_TIMEOUT(gpu, llmsub_refuses_what_no_agent_holds, 120)
{
	static const char agents[] =
		"[agent big]\ncpu = 0.5\nmemory = 128M\ngpus = sa, sb\n";
	char out[4096];
	int ret;

	ASSERT_EQ(0, start(self, agents));
	ret = llmsub(self, "--gpu 3 -- true", out, sizeof(out));
	EXPECT_NE(0, ret);
	EXPECT_NE(NULL, strstr(out, "gpu 3 is more than any agent has; the largest is agent"))
		TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "gpu 2")) TH_LOG("%s", out);
	ret = llmsub(self, "--gpu-mem 3G -- true", out, sizeof(out));
	EXPECT_NE(0, ret);
	EXPECT_NE(NULL, strstr(out, "gpu memory 3G is more than any agent has"))
		TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "gpu memory 2G")) TH_LOG("%s", out);
	/* A model tag no agent has; the agent's own models are fine. */
	ret = llmsub(self, "--tag b200 -- true", out, sizeof(out));
	EXPECT_NE(0, ret);
	EXPECT_NE(NULL, strstr(out, "no agent has all the tags b200"))
		TH_LOG("%s", out);
	ret = llmsub(self, "--wait --gpu 2 --tag h200,a100 -- true", out,
		     sizeof(out));
	EXPECT_EQ(0, ret) TH_LOG("%s", out);
}

TEST_F_TIMEOUT(gpu, fence_off_lets_a_task_open_every_gpu, 120)
{
	struct llmsched_task_info info;
	char out[2048], text[4096];
	__u64 id;

	snprintf(text, sizeof(text),
		 "[gpu sa]\nnode = %s\nvendor = nvidia\n"
		 "[gpu sb]\nnode = %s\nvendor = nvidia\n"
		 "[agent a]\ncpu = 0.5\nmemory = 128M\ngpus = sa\n",
		 self->gpu_a, self->gpu_b);
	ASSERT_EQ(0, du_daemon_start(self->dir, self->conf, TEST_CGROUP_ROOT,
				     "gpu_fence = off\n", text,
				     &self->daemon));
	EXPECT_EQ(0, fence_count());
	ASSERT_EQ(0, submit_probe(self, 1, 0, 0, &id));
	ASSERT_EQ(0, wait_end(self->fd, id, &info));
	ASSERT_EQ(0, task_log(self, id, "out", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "a=open\n")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "b=open\n")) TH_LOG("%s", out);
	/* The environment still says which it was given. */
	EXPECT_NE(NULL, strstr(out, "cuda=0\n")) TH_LOG("%s", out);
}

/*
 * A killed agent is replaced: its folder (and fence) went, the new one is
 * fenced once, not twice, and its task still gets only its own GPU.
 */
TEST_F_TIMEOUT(gpu, a_replaced_agent_is_fenced_once_again, 120)
{
	struct llmsched_agent_info ent[4];
	struct llmsched_task_info info;
	char out[2048];
	__u32 count = 4, next = 0;
	pid_t old;
	__u64 id;
	int i;

	ASSERT_EQ(0, start(self, two_agents));
	ASSERT_EQ(0, ls_agent_list(self->fd, 0, ent, &count, &next));
	ASSERT_EQ(2, count);
	old = ent[0].pid;
	ASSERT_EQ(0, kill(old, SIGKILL));
	ASSERT_EQ(0, du_wait_gone(old, 10000));
	/* Its replacement registers. */
	for (i = 0; i < 200; i++) {
		count = 4;
		ASSERT_EQ(0, ls_agent_list(self->fd, 0, ent, &count, &next));
		if (count == 2 && ent[0].pid != old && ent[1].pid != old &&
		    ent[0].state == LLMSCHED_AGENT_UP &&
		    ent[1].state == LLMSCHED_AGENT_UP)
			break;
		usleep(50000);
	}
	ASSERT_LT(i, 200) TH_LOG("no replacement agent registered");
	EXPECT_EQ(2, fence_count());
	ASSERT_EQ(0, submit_probe(self, 1, TAG_H200, 0, &id));
	ASSERT_EQ(0, wait_end(self->fd, id, &info));
	EXPECT_EQ(LLMSCHED_TASK_SUCCEEDED, info.state);
	ASSERT_EQ(0, task_log(self, id, "out", out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "a=open\n")) TH_LOG("%s", out);
	EXPECT_NE(NULL, strstr(out, "b=denied\n")) TH_LOG("%s", out);
	ASSERT_EQ(0, du_daemon_stop(&self->daemon));
	EXPECT_EQ(0, fence_count());
}

LLMS_TEST_MAIN
