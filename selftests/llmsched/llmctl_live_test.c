// SPDX-License-Identifier: GPL-2.0
/*
 * llmctl's live views and history as people use them, against the real
 * runtime: llmschedd started from a configuration file (as
 * llmsub_test.c does), tasks submitted with build/bin/llmsub, and
 * build/bin/llmctl run as a command (watch in the background, top inside
 * tmux) whose exit status and output are checked, the JSON against the
 * schemas of Documentation/admin-guide/llmctl-json/.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

#define TEST_CGROUP_ROOT	"/sys/fs/cgroup/llmctl-live-test"
#define OUT_MAX			65536
#define NOBODY			65534

static const char config_tail[] =
	"[agent small]\n"
	"count = 1\n"
	"cpu = 1\n"
	"memory = 512M\n"
	"slots = 2\n";

/* One batch: two that run at once, one after the first. */
static const char batch[] =
	"{\"name\": \"ok\", \"command\": [\"/bin/sh\", \"-c\", "
	"\"echo out-line; echo err-line >&2; sleep 0.5\"], \"cpu\": \"500m\", "
	"\"mem\": \"64M\", \"est\": \"2s\"}\n"
	"{\"name\": \"bad\", \"command\": [\"/bin/sh\", \"-c\", \"exit 3\"], "
	"\"cpu\": \"500m\", \"mem\": \"64M\"}\n"
	"{\"name\": \"later\", \"after\": [\"ok\"], \"command\": [\"/bin/true\"],"
	" \"cpu\": \"500m\", \"mem\": \"64M\"}\n";

FIXTURE(live) {
	char dir[64];
	char conf[128];
	pid_t daemon;
	int fd;
	mode_t dev_mode;	/* /dev/llmsched's, before the test made it 0666 */
	char out[OUT_MAX];
	char err[OUT_MAX];
};

/*
 * All of @path, malloc()ed (NULL on failure): a watch's output holds
 * every task the module still keeps, from the tests before this one too.
 */
static char *read_all(const char *path)
{
	struct stat st;
	char *buf;

	if (stat(path, &st))
		return NULL;
	buf = malloc((size_t)st.st_size + 1);
	if (buf && tu_read_text(path, buf, (size_t)st.st_size + 1)) {
		free(buf);
		buf = NULL;
	}
	return buf;
}

/*
 * Run @prog -c CONF with the words after it (NULL-terminated) as @uid,
 * standard input from @in_text when not NULL; its exit status, its
 * output in @self->out and @self->err.
 */
static int tool(FIXTURE_DATA(live) *self, const char *prog, int uid,
		const char *in_text, ...)
{
	const struct tu_capture cap = {
		.dir = self->dir, .timeout_ms = 60000,
		.out = self->out, .out_size = sizeof(self->out),
		.err = self->err, .err_size = sizeof(self->err),
	};
	va_list ap;
	int ret;

	va_start(ap, in_text);
	ret = tu_vtool(&cap, self->conf, prog, uid, in_text, ap);
	va_end(ap);
	return ret;
}

#define LLMCTL(self, ...) \
	tool(self, "llmctl", TU_SELF, NULL, __VA_ARGS__, NULL)

/* Wait for @path to exist, up to @timeout_ms. */
static int wait_file(const char *path, int timeout_ms)
{
	int waited;

	for (waited = 0; waited < timeout_ms; waited += 20) {
		if (!access(path, F_OK))
			return 0;
		usleep(20000);
	}
	return -ETIMEDOUT;
}

/* Where @needle is in @hay, or -1. */
static long at(const char *hay, const char *needle)
{
	const char *p = strstr(hay, needle);

	return p ? p - hay : -1;
}

FIXTURE_SETUP(live)
{
	self->daemon = 0;
	self->dev_mode = 0;
	ASSERT_EQ(0, du_module_ready(&self->fd));
	/* nobody submits too (the module's default is root's 0660). */
	ASSERT_EQ(0, ls_dev_chmod(0666, &self->dev_mode));
	ASSERT_EQ(0, du_dir_make(self->dir, sizeof(self->dir), "llmctl-live",
				 self->conf, sizeof(self->conf)));
	ASSERT_EQ(0, du_daemon_start(self->dir, self->conf, TEST_CGROUP_ROOT,
				     "", config_tail, &self->daemon))
		du_daemon_log(self->dir);
	/* nobody's llmctl and llmsub read it too, whatever the umask. */
	ASSERT_EQ(0, chmod(self->conf, 0644));
}

FIXTURE_TEARDOWN(live)
{
	if (self->fd >= 0)
		ls_cancel_all(self->fd);
	if (du_daemon_stop(&self->daemon))
		du_daemon_log(self->dir);
	if (!_metadata->passed) {
		du_daemon_log(self->dir);
		fprintf(stderr, "# stdout: %s\n# stderr: %s\n", self->out,
			self->err);
	}
	if (self->fd >= 0)
		close(self->fd);
	if (self->dev_mode)
		ls_dev_chmod(self->dev_mode, NULL);
	if (du_dir_remove(self->dir))
		TH_LOG("could not remove %s", self->dir);
}

/* Submit the batch with llmsub; its three ids. */
static int submit_batch(FIXTURE_DATA(live) *self, __u64 *ids)
{
	int ret = tool(self, "llmsub", TU_SELF, batch, "--file", "-", NULL);

	if (ret)
		return -ret;
	return tu_read_ids(self->out, ids, 3) == 3 ? 0 : -EPROTO;
}

/*
 * Two watchers started before the batch (one --json, one in words, both
 * --until-idle) see every task's events in order, and exit by themselves.
 */
TEST_F_TIMEOUT(live, watch_sees_a_batch_in_order, 180)
{
	char jready[160], hready[160], bready[160], jout[160], hout[160];
	char bout[160], errp[160], line[128], *json, *human, *brief;
	const char *jargv[] = { tu_beside("llmctl"), "watch", "--json",
				"--until-idle", "--ready-file", jready,
				"--timeout", "90s", NULL };
	const char *hargv[] = { tu_beside("llmctl"), "watch", "--new",
				"--until-idle", "--ready-file", hready,
				"--timeout", "90s", NULL };
	const char *bargv[] = { tu_beside("llmctl"), "watch", "--new", "--brief",
				"--until-idle", "--ready-file", bready,
				"--timeout", "90s", NULL };
	pid_t jpid, hpid, bpid;
	__u64 ids[3];
	long a, b;
	int i, n;

	snprintf(jready, sizeof(jready), "%s/jready", self->dir);
	snprintf(hready, sizeof(hready), "%s/hready", self->dir);
	snprintf(jout, sizeof(jout), "%s/watch.json", self->dir);
	snprintf(hout, sizeof(hout), "%s/watch.txt", self->dir);
	snprintf(bready, sizeof(bready), "%s/bready", self->dir);
	snprintf(bout, sizeof(bout), "%s/watch.brief", self->dir);
	snprintf(errp, sizeof(errp), "%s/watch.err", self->dir);
	jpid = tu_start(jargv, TU_SELF, NULL, jout, errp);
	hpid = tu_start(hargv, TU_SELF, NULL, hout, errp);
	bpid = tu_start(bargv, TU_SELF, NULL, bout, errp);
	ASSERT_EQ(0, wait_file(jready, 30000));
	ASSERT_EQ(0, wait_file(hready, 30000));
	ASSERT_EQ(0, wait_file(bready, 30000));
	ASSERT_EQ(0, submit_batch(self, ids)) TH_LOG("%s", self->err);
	EXPECT_EQ(0, tu_finish(hpid, 100000));
	EXPECT_EQ(0, tu_finish(jpid, 100000));
	EXPECT_EQ(0, tu_finish(bpid, 100000));
	json = read_all(jout);
	human = read_all(hout);
	brief = read_all(bout);
	ASSERT_NE(NULL, json);
	ASSERT_NE(NULL, human);
	ASSERT_NE(NULL, brief);
	fprintf(stderr, "# watch --new:\n%s", human);
	fprintf(stderr, "# watch --new --brief:\n%s", brief);

	/* --brief: the assignments and the ends, nothing else. */
	for (i = 0, n = 0; brief[i]; i++)
		n += brief[i] == '\n';
	EXPECT_EQ(6, n);
	EXPECT_EQ(-1, at(brief, "running"));
	EXPECT_EQ(-1, at(brief, "runnable"));
	for (i = 0; i < 3; i++) {
		snprintf(line, sizeof(line), "Task %llu assigned to agent ",
			 (unsigned long long)ids[i]);
		EXPECT_LE(0, at(brief, line)) TH_LOG("%s", line);
	}

	/* In words: each task's sentences, in the order they happened. */
	snprintf(line, sizeof(line), "Task %llu assigned to agent ",
		 (unsigned long long)ids[0]);
	a = at(human, line);
	snprintf(line, sizeof(line), "Task %llu completed\n",
		 (unsigned long long)ids[0]);
	b = at(human, line);
	EXPECT_LE(0, a);
	EXPECT_LT(a, b);
	snprintf(line, sizeof(line), "Task %llu failed (exit status 3)\n",
		 (unsigned long long)ids[1]);
	EXPECT_LE(0, at(human, line));
	snprintf(line, sizeof(line), "Task %llu assigned to agent ",
		 (unsigned long long)ids[2]);
	a = at(human, line);
	EXPECT_LT(b, a);	/* "later" runs after "ok" succeeded */
	snprintf(line, sizeof(line), "Task %llu completed\n",
		 (unsigned long long)ids[2]);
	EXPECT_LT(a, at(human, line));
	/* --new: no state first. */
	EXPECT_EQ(-1, at(human, "-- state at seq"));

	/* JSON lines: valid, the state first (the agent), then the same. */
	EXPECT_EQ(0, tu_schema_ok(self->dir, "watch.schema.json", json, true));
	EXPECT_LE(0, at(json, "\"kind\":\"agent\",\"from_dump\":true"))
		TH_LOG("%.2000s", json);
	EXPECT_LE(0, at(json, "\"kind\":\"sync\""));
	snprintf(line, sizeof(line), "\"text\":\"Task %llu completed\"",
		 (unsigned long long)ids[2]);
	EXPECT_LE(0, at(json, line)) TH_LOG("%.2000s", json);
	free(json);
	free(human);
	free(brief);
}

/*
 * A listener that cannot keep up loses events: stopped while a burst of
 * tasks is submitted, with a small receive buffer, it says so when it
 * goes on, prints the state again, and still ends when the tasks did.
 */
TEST_F_TIMEOUT(live, watch_reports_a_loss_and_resyncs, 180)
{
	char ready[160], out[160], errp[160], *text, *burst;
	const char *argv[] = { tu_beside("llmctl"), "watch", "--new",
			       "--until-idle", "--rcvbuf", "4K",
			       "--ready-file", ready, "--timeout", "120s",
			       NULL };
	size_t used = 0;
	long lost;
	pid_t pid;
	int i;

	burst = malloc(OUT_MAX);
	ASSERT_NE(NULL, burst);
	for (i = 0; i < 40; i++)
		used += (size_t)snprintf(burst + used, OUT_MAX - used,
			"{\"command\": [\"/bin/true\"], \"cpu\": \"100m\", "
			"\"mem\": \"16M\"}\n");
	snprintf(ready, sizeof(ready), "%s/ready", self->dir);
	snprintf(out, sizeof(out), "%s/watch.txt", self->dir);
	snprintf(errp, sizeof(errp), "%s/watch.err", self->dir);
	pid = tu_start(argv, TU_SELF, NULL, out, errp);
	ASSERT_EQ(0, wait_file(ready, 30000));
	ASSERT_EQ(0, kill(pid, SIGSTOP));
	EXPECT_EQ(0, tool(self, "llmsub", TU_SELF, burst, "--file", "-", NULL))
		TH_LOG("%s", self->err);
	usleep(500000);
	ASSERT_EQ(0, kill(pid, SIGCONT));
	EXPECT_EQ(0, tu_finish(pid, 150000));
	text = read_all(out);
	ASSERT_NE(NULL, text);
	fprintf(stderr, "# watch after a loss (head):\n%.1500s\n", text);
	lost = at(text, "Lost events (");
	ASSERT_LE(0, lost) TH_LOG("%.2000s", text);
	/* After the loss: the state, then events again. */
	EXPECT_NE(NULL, strstr(text + lost, "-- state at seq"));
	EXPECT_LE(0, at(text, "receive buffer overflowed: "));
	free(burst);
	free(text);
}

/* --task with --until-idle after the task ended: the state says so. */
TEST_F_TIMEOUT(live, watch_state_and_filters, 120)
{
	char id[24], line[96];
	__u64 ids[3];
	struct llmsched_task_wait w;

	ASSERT_EQ(0, submit_batch(self, ids)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, ls_wait(self->fd, ids[2], 60ULL * 1000000000ULL, &w));
	snprintf(id, sizeof(id), "%llu", (unsigned long long)ids[1]);
	ASSERT_EQ(0, LLMCTL(self, "watch", "--task", id, "--until-idle",
			    "--timeout", "30s")) TH_LOG("%s", self->err);
	snprintf(line, sizeof(line), "Task %s failed (exit status 3)\n", id);
	EXPECT_LE(0, at(self->out, line)) TH_LOG("%s", self->out);
	EXPECT_LE(0, at(self->out, "-- state at seq"));
	/* Only that task: no other task, no agent. */
	snprintf(line, sizeof(line), "Task %llu ",
		 (unsigned long long)ids[0]);
	EXPECT_EQ(-1, at(self->out, line));
	EXPECT_EQ(-1, at(self->out, "Agent "));
	/* Nothing happens: the timeout is a failure, said so. */
	EXPECT_EQ(1, LLMCTL(self, "watch", "--new", "--count", "1",
			    "--timeout", "1s"));
	EXPECT_LE(0, at(self->err, "--timeout")) TH_LOG("%s", self->err);
	/* Not root: the group is for administrators. */
	EXPECT_EQ(4, tool(self, "llmctl", NOBODY, NULL, "watch", NULL));
	EXPECT_LE(0, at(self->err, "CAP_SYS_ADMIN")) TH_LOG("%s", self->err);
}

/* top draws in tmux, at 100x30 and at 80x24, sorts, and quits on q. */
TEST_F_TIMEOUT(live, top_draws_sorts_and_quits, 180)
{
	char sock[160], cmd[8192], screen[160];
	char *text = malloc(OUT_MAX);
	int i, found = 0;
	__u64 id;

	ASSERT_NE(NULL, text);
	ASSERT_EQ(0, tool(self, "llmsub", TU_SELF, NULL, "-n", "sleeper", "--cpu",
			  "500m", "--mem", "64M", "--", "/bin/sleep", "60",
			  NULL)) TH_LOG("%s", self->err);
	ASSERT_EQ(1, tu_read_ids(self->out, &id, 1));
	snprintf(sock, sizeof(sock), "%s/tmux.sock", self->dir);
	snprintf(screen, sizeof(screen), "%s/screen", self->dir);
	snprintf(cmd, sizeof(cmd),
		 "TERM=xterm tmux -S %s new-session -d -x 100 -y 30 "
		 "'%s -c %s top -d 0.3; echo top-exit=$?; sleep 30'",
		 sock, tu_beside("llmctl"), self->conf);
	ASSERT_EQ(0, system(cmd));
	snprintf(cmd, sizeof(cmd), "tmux -S %s capture-pane -p > %s", sock,
		 screen);
	for (i = 0; i < 100 && !found; i++) {
		usleep(100000);
		if (!system(cmd) && !tu_read_text(screen, text, OUT_MAX))
			found = at(text, "sleeper") >= 0 &&
				at(text, "AGENT") >= 0;
	}
	fprintf(stderr, "# top at 100x30:\n%s", text);
	ASSERT_TRUE(found);
	EXPECT_LE(0, at(text, "sorted by prio"));
	EXPECT_LE(0, at(text, "running"));
	EXPECT_LE(0, at(text, "q quit"));

	/* s: the next sort key. */
	snprintf(cmd, sizeof(cmd), "tmux -S %s send-keys s", sock);
	ASSERT_EQ(0, system(cmd));
	snprintf(cmd, sizeof(cmd), "tmux -S %s capture-pane -p > %s", sock,
		 screen);
	for (i = 0, found = 0; i < 50 && !found; i++) {
		usleep(100000);
		if (!system(cmd) && !tu_read_text(screen, text, OUT_MAX))
			found = at(text, "sorted by id") >= 0;
	}
	EXPECT_TRUE(found) TH_LOG("%s", text);

	/* f: a filter that matches nothing, then none again; p pauses. */
	snprintf(cmd, sizeof(cmd), "tmux -S %s send-keys f nomatch Enter",
		 sock);
	ASSERT_EQ(0, system(cmd));
	snprintf(cmd, sizeof(cmd), "tmux -S %s capture-pane -p > %s", sock,
		 screen);
	for (i = 0, found = 0; i < 50 && !found; i++) {
		usleep(100000);
		if (!system(cmd) && !tu_read_text(screen, text, OUT_MAX))
			found = at(text, "filter: nomatch") >= 0 &&
				at(text, "matches the filter") >= 0 &&
				at(text, "sleeper") < 0;
	}
	EXPECT_TRUE(found) TH_LOG("%s", text);
	snprintf(cmd, sizeof(cmd), "tmux -S %s send-keys f Enter p", sock);
	ASSERT_EQ(0, system(cmd));
	snprintf(cmd, sizeof(cmd), "tmux -S %s capture-pane -p > %s", sock,
		 screen);
	for (i = 0, found = 0; i < 50 && !found; i++) {
		usleep(100000);
		if (!system(cmd) && !tu_read_text(screen, text, OUT_MAX))
			found = at(text, "[paused]") >= 0 &&
				at(text, "sleeper") >= 0;
	}
	EXPECT_TRUE(found) TH_LOG("%s", text);
	snprintf(cmd, sizeof(cmd), "tmux -S %s send-keys p", sock);
	ASSERT_EQ(0, system(cmd));

	/* 80x24: everything still within the screen, keys on the last row. */
	snprintf(cmd, sizeof(cmd), "tmux -S %s resize-window -x 80 -y 24",
		 sock);
	ASSERT_EQ(0, system(cmd));
	snprintf(cmd, sizeof(cmd), "tmux -S %s capture-pane -p > %s", sock,
		 screen);
	for (i = 0, found = 0; i < 50 && !found; i++) {
		usleep(100000);
		if (!system(cmd) && !tu_read_text(screen, text, OUT_MAX)) {
			char *last = text + strlen(text);
			int rows = 0;

			for (char *p = text; *p; p++)
				rows += *p == '\n';
			while (last > text && last[-1] == '\n')
				last--;
			while (last > text && last[-1] != '\n')
				last--;
			found = rows == 24 && !strncmp(last, "q quit", 6);
		}
	}
	fprintf(stderr, "# top at 80x24:\n%s", text);
	EXPECT_TRUE(found);
	EXPECT_LE(0, at(text, "sleeper"));

	/* q: it exits 0, and the shell after it says so. */
	snprintf(cmd, sizeof(cmd), "tmux -S %s send-keys q", sock);
	ASSERT_EQ(0, system(cmd));
	snprintf(cmd, sizeof(cmd), "tmux -S %s capture-pane -p > %s", sock,
		 screen);
	for (i = 0, found = 0; i < 50 && !found; i++) {
		usleep(100000);
		if (!system(cmd) && !tu_read_text(screen, text, OUT_MAX))
			found = at(text, "top-exit=0") >= 0;
	}
	EXPECT_TRUE(found) TH_LOG("%s", text);
	snprintf(cmd, sizeof(cmd), "tmux -S %s kill-server", sock);
	if (system(cmd))
		TH_LOG("tmux kill-server failed");
	free(text);
}

/* history after real tasks: filters, summaries, JSON, and who sees what. */
TEST_F_TIMEOUT(live, history_filters_and_summaries, 180)
{
	struct llmsched_task_wait w;
	__u64 ids[3], mine;
	int i;

	ASSERT_EQ(0, submit_batch(self, ids)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, ls_wait(self->fd, ids[2], 60ULL * 1000000000ULL, &w));
	ASSERT_EQ(0, tool(self, "llmsub", NOBODY, NULL, "--wait", "--cwd",
			  "/tmp", "-n", "nobodys", "--cpu", "500m", "--mem",
			  "64M", "--", "/bin/echo", "mine", NULL))
		TH_LOG("%s", self->err);
	ASSERT_EQ(1, tu_read_ids(self->out, &mine, 1));
	/* The agent records a task as it ends: give it a moment. */
	for (i = 0; i < 100; i++) {
		if (!LLMCTL(self, "--json", "history") &&
		    at(self->out, "\"nobodys\"") >= 0)
			break;
		usleep(100000);
	}
	ASSERT_LE(0, at(self->out, "\"nobodys\"")) TH_LOG("%s", self->out);
	EXPECT_EQ(0, tu_schema_ok(self->dir, "history.schema.json", self->out,
			       false));

	ASSERT_EQ(0, LLMCTL(self, "history", "--state", "failed"));
	fprintf(stderr, "# history --state failed:\n%s", self->out);
	EXPECT_LE(0, at(self->out, "exit status 3"));
	EXPECT_EQ(-1, at(self->out, " ok "));
	EXPECT_LE(0, at(self->out, "COMMAND"));

	ASSERT_EQ(0, LLMCTL(self, "--json", "history", "--name", "[ol]*",
			    "--since", "-1h", "--until", "now"));
	EXPECT_LE(0, at(self->out, "\"label\":\"ok\""));
	EXPECT_LE(0, at(self->out, "\"label\":\"later\""));
	EXPECT_EQ(-1, at(self->out, "\"label\":\"bad\""));
	ASSERT_EQ(0, LLMCTL(self, "--json", "history", "--until",
			    "2000-01-01"));
	EXPECT_STREQ("{\"tasks\":[]}\n", self->out);

	ASSERT_EQ(0, LLMCTL(self, "--json", "history", "--summary"));
	EXPECT_EQ(0, tu_schema_ok(self->dir, "history.schema.json", self->out,
			       false));
	EXPECT_LE(0, at(self->out, "\"uid\":0,\"user\":\"root\",\"count\":3,"
			"\"succeeded\":2,\"failed\":1,\"cancelled\":0"))
		TH_LOG("%s", self->out);
	EXPECT_LE(0, at(self->out, "\"user\":\"nobody\",\"count\":1"));
	ASSERT_EQ(0, LLMCTL(self, "history", "--summary"));
	fprintf(stderr, "# history --summary:\n%s", self->out);
	EXPECT_LE(0, at(self->out, "MEAN EST ERROR"));
	ASSERT_EQ(0, LLMCTL(self, "history", "--user", "nobody"));
	EXPECT_LE(0, at(self->out, "nobodys"));
	EXPECT_EQ(-1, at(self->out, "later"));

	/* Not root: another user's tasks are refused, before any file. */
	EXPECT_EQ(4, tool(self, "llmctl", NOBODY, NULL, "history", "--user",
			  "root", NULL));
	EXPECT_LE(0, at(self->err, "only root")) TH_LOG("%s", self->err);
	/* Its own: the file is root's and the group's (0640). */
	EXPECT_EQ(4, tool(self, "llmctl", NOBODY, NULL, "history", NULL));
	EXPECT_LE(0, at(self->err, "ask an administrator"))
		TH_LOG("%s", self->err);
}

/* log: the owner's output; another user's task is "no such task". */
TEST_F_TIMEOUT(live, log_for_the_owner_only, 180)
{
	struct llmsched_task_wait w;
	char id[24], mine_id[24];
	__u64 ids[3], mine;

	ASSERT_EQ(0, submit_batch(self, ids)) TH_LOG("%s", self->err);
	ASSERT_EQ(0, ls_wait(self->fd, ids[0], 60ULL * 1000000000ULL, &w));
	snprintf(id, sizeof(id), "%llu", (unsigned long long)ids[0]);

	ASSERT_EQ(0, LLMCTL(self, "log", id)) TH_LOG("%s", self->err);
	EXPECT_STREQ("out-line\n", self->out);
	EXPECT_STREQ("err-line\n", self->err);
	ASSERT_EQ(0, LLMCTL(self, "log", "--stderr", id));
	EXPECT_STREQ("err-line\n", self->out);
	ASSERT_EQ(0, LLMCTL(self, "log", "--stdout", id));
	EXPECT_STREQ("out-line\n", self->out);

	/* Someone else: as if there were no such task. */
	EXPECT_EQ(3, tool(self, "llmctl", NOBODY, NULL, "log", id, NULL));
	EXPECT_LE(0, at(self->err, "no task")) TH_LOG("%s", self->err);
	EXPECT_EQ(3, LLMCTL(self, "log", "999999"));

	/* --follow, as its owner (not root), while it runs. */
	ASSERT_EQ(0, tool(self, "llmsub", NOBODY, NULL, "--cwd", "/tmp",
			  "--cpu", "500m", "--mem", "64M", "--", "/bin/sh",
			  "-c", "echo first; sleep 1; echo second; "
			  "echo third >&2", NULL)) TH_LOG("%s", self->err);
	ASSERT_EQ(1, tu_read_ids(self->out, &mine, 1));
	snprintf(mine_id, sizeof(mine_id), "%llu", (unsigned long long)mine);
	ASSERT_EQ(0, tool(self, "llmctl", NOBODY, NULL, "log", "--follow",
			  mine_id, NULL)) TH_LOG("%s", self->err);
	EXPECT_STREQ("first\nsecond\n", self->out);
	EXPECT_STREQ("third\n", self->err);
	/* Root may read it too. */
	ASSERT_EQ(0, LLMCTL(self, "log", "--stdout", mine_id));
	EXPECT_STREQ("first\nsecond\n", self->out);
}

/* Bad command lines: exit 2, the flag named. */
TEST_F(live, bad_flags_name_the_flag)
{
	EXPECT_EQ(2, LLMCTL(self, "watch", "--bogus"));
	EXPECT_LE(0, at(self->err, "--bogus")) TH_LOG("%s", self->err);
	EXPECT_EQ(2, LLMCTL(self, "watch", "--count", "0"));
	EXPECT_LE(0, at(self->err, "--count"));
	EXPECT_EQ(2, LLMCTL(self, "watch", "--task", "x"));
	EXPECT_LE(0, at(self->err, "task 'x'"));
	EXPECT_EQ(2, LLMCTL(self, "history", "--state", "done"));
	EXPECT_LE(0, at(self->err, "--state 'done'"));
	EXPECT_LE(0, at(self->err, "succeeded, failed or cancelled"));
	EXPECT_EQ(2, LLMCTL(self, "history", "--since", "yesterday"));
	EXPECT_LE(0, at(self->err, "--since"));
	EXPECT_EQ(2, LLMCTL(self, "history", "--user", "no-such-user-x"));
	EXPECT_LE(0, at(self->err, "--user"));
	EXPECT_EQ(2, LLMCTL(self, "top", "--sort", "size"));
	EXPECT_LE(0, at(self->err, "--sort 'size'"));
	EXPECT_EQ(2, LLMCTL(self, "top", "-d", "0"));
	EXPECT_LE(0, at(self->err, "--delay"));
	EXPECT_EQ(2, LLMCTL(self, "log", "--follow"));
	EXPECT_LE(0, at(self->err, "task's ID"));
	EXPECT_EQ(2, LLMCTL(self, "log", "1", "2"));
	EXPECT_EQ(0, LLMCTL(self, "watch", "--help"));
	EXPECT_LE(0, at(self->out, "--until-idle"));
	EXPECT_EQ(0, LLMCTL(self, "history", "--help"));
	EXPECT_EQ(0, LLMCTL(self, "top", "--help"));
	EXPECT_EQ(0, LLMCTL(self, "log", "--help"));
	/* top without a terminal says so. */
	EXPECT_EQ(1, LLMCTL(self, "top"));
	EXPECT_LE(0, at(self->err, "terminal"));
}

LLMS_TEST_MAIN
