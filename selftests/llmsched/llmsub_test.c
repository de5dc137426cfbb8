// SPDX-License-Identifier: GPL-2.0
/*
 * llmsub as a person uses it, against the real runtime: llmschedd is
 * started from a configuration file (as llmschedd_test.c does), and
 * build/bin/llmsub is run as a command whose exit status, standard output
 * and standard error are what is checked, with the tasks' logs and the
 * module's own view of them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

#define TEST_CGROUP_ROOT	"/sys/fs/cgroup/llmsub-test"
#define OUT_MAX			8192

/*
 * One agent of 1 CPU and 512M with the tag "fast" (bit 3); "slow" (bit 4)
 * is a tag no agent has.
 */
static const char config_tail[] =
	"[tags]\n"
	"fast = 3\n"
	"slow = 4\n"
	"\n"
	"[agent small]\n"
	"count = 1\n"
	"cpu = 1\n"
	"memory = 512M\n"
	"slots = 2\n"
	"tags = fast\n";

FIXTURE(llmsub) {
	char dir[64];
	char conf[128];
	pid_t daemon;
	int fd;
	/* The last llmsub run's standard output and error. */
	char out[OUT_MAX];
	char err[OUT_MAX];
};

/*
 * Run llmsub -c CONF with the words after it (NULL-terminated), standard
 * input from @in_text when not NULL; its exit status, with its output in
 * @self->out and @self->err.
 */
static int llmsub(FIXTURE_DATA(llmsub) *self, const char *in_text, ...)
{
	const struct tu_capture cap = {
		.dir = self->dir, .timeout_ms = TU_FOREVER,
		.out = self->out, .out_size = sizeof(self->out),
		.err = self->err, .err_size = sizeof(self->err),
	};
	va_list ap;
	int ret;

	va_start(ap, in_text);
	ret = tu_vtool(&cap, self->conf, "llmsub", TU_SELF, in_text, ap);
	va_end(ap);
	return ret;
}

FIXTURE_SETUP(llmsub)
{
	self->daemon = 0;
	ASSERT_EQ(0, du_module_ready(&self->fd));
	ASSERT_EQ(0, du_dir_make(self->dir, sizeof(self->dir), "llmsub-test",
				 self->conf, sizeof(self->conf)));
	ASSERT_EQ(0, du_daemon_start(self->dir, self->conf, TEST_CGROUP_ROOT,
				     "", config_tail, &self->daemon))
		du_daemon_log(self->dir);
}

FIXTURE_TEARDOWN(llmsub)
{
	if (du_daemon_stop(&self->daemon))
		du_daemon_log(self->dir);
	if (!_metadata->passed) {
		du_daemon_log(self->dir);
		fprintf(stderr, "# llmsub stdout: %s\n# llmsub stderr: %s\n",
			self->out, self->err);
	}
	if (self->fd >= 0) {
		ls_cancel_all(self->fd);
		close(self->fd);
	}
	if (du_dir_remove(self->dir))
		TH_LOG("could not remove %s", self->dir);
}

/* echo hi: exit 0, its id printed, "hi" in its log. */
TEST_F_TIMEOUT(llmsub, echo_waits_and_logs, 120)
{
	char path[256], log[256];
	__u64 id;

	ASSERT_EQ(0, llmsub(self, NULL, "--wait", "-n", "greet", "--",
			    "/bin/echo", "hi", NULL)) TH_LOG("%s", self->err);
	ASSERT_EQ(1, tu_read_ids(self->out, &id, 1)) TH_LOG("%s", self->out);
	EXPECT_STREQ("", self->err);
	snprintf(path, sizeof(path), "%s/log/tasks/0/task-%llu.out",
		 self->dir, (unsigned long long)id);
	ASSERT_EQ(0, tu_read_text(path, log, sizeof(log)));
	EXPECT_STREQ("hi\n", log);
}

/* --follow prints what the task writes, after its id. */
TEST_F_TIMEOUT(llmsub, follow_streams_the_output, 120)
{
	ASSERT_EQ(0, llmsub(self, NULL, "--follow", "--", "/bin/sh", "-c",
			    "echo one; sleep 1; echo two", NULL))
		TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->out, "\none\ntwo\n")) TH_LOG("%s",
								self->out);
}

/* A command that exits 3 makes llmsub --wait exit 3, and say so. */
TEST_F_TIMEOUT(llmsub, wait_exits_with_the_task_status, 120)
{
	EXPECT_EQ(3, llmsub(self, NULL, "--wait", "--", "/bin/sh", "-c",
			    "exit 3", NULL));
	EXPECT_NE(NULL, strstr(self->err, "failed: exit status 3"))
		TH_LOG("%s", self->err);
	/* Past its time limit: 124. */
	EXPECT_EQ(124, llmsub(self, NULL, "--wait", "--time-limit", "500ms",
			      "--", "/bin/sleep", "100", NULL));
	EXPECT_NE(NULL, strstr(self->err, "time limit")) TH_LOG("%s",
							       self->err);
	/* Killed by SIGTERM: 128 + 15. */
	EXPECT_EQ(143, llmsub(self, NULL, "--wait", "--", "/bin/sh", "-c",
			      "kill -TERM $$", NULL));
}

/*
 * Three lines, the join written first: it runs last, after both of the
 * others succeeded; --wait returns once all ended.
 */
TEST_F_TIMEOUT(llmsub, a_dag_from_a_file_runs_in_order, 120)
{
	struct llmsched_task_info a, b, c;
	__u64 ids[3];

	ASSERT_EQ(0, llmsub(self,
		"{\"name\": \"join\", \"after\": [\"left\", \"right\"], "
		"\"command\": [\"/bin/true\"], \"cpu\": \"500m\"}\n"
		"{\"name\": \"left\", \"command\": [\"/bin/sleep\", \"0.5\"], "
		"\"cpu\": \"500m\", \"mem\": \"64M\"}\n"
		"# the other branch\n"
		"{\"name\": \"right\", \"command\": [\"/bin/sleep\", \"0.3\"], "
		"\"cpu\": 0.5, \"est\": \"1s\"}\n",
		"--wait", "--file", "-", NULL)) TH_LOG("%s", self->err);
	ASSERT_EQ(3, tu_read_ids(self->out, ids, 3)) TH_LOG("%s", self->out);
	ASSERT_EQ(0, ls_query(self->fd, ids[0], &c));
	ASSERT_EQ(0, ls_query(self->fd, ids[1], &a));
	ASSERT_EQ(0, ls_query(self->fd, ids[2], &b));
	EXPECT_EQ(LLMSCHED_TASK_SUCCEEDED, a.state);
	EXPECT_EQ(LLMSCHED_TASK_SUCCEEDED, b.state);
	EXPECT_EQ(LLMSCHED_TASK_SUCCEEDED, c.state);
	EXPECT_EQ(2, c.nr_deps);
	EXPECT_STREQ("join", c.label);
	EXPECT_LE(a.end_ns, c.start_ns);
	EXPECT_LE(b.end_ns, c.start_ns);
	EXPECT_EQ(64ULL << 20, a.demand[LLMSCHED_RES_MEM]);
	EXPECT_EQ(1000000000ULL, b.est_runtime_ns);
}

/* A failing branch: its dependent fails too, and --wait says which. */
TEST_F_TIMEOUT(llmsub, a_failed_branch_fails_its_dependents, 120)
{
	EXPECT_EQ(4, llmsub(self,
		"{\"name\": \"bad\", \"command\": [\"/bin/sh\", \"-c\", "
		"\"exit 4\"]}\n"
		"{\"name\": \"after-bad\", \"after\": \"bad\", "
		"\"command\": [\"/bin/true\"]}\n",
		"--wait", "-f", "-", NULL));
	EXPECT_NE(NULL, strstr(self->err, "<stdin>:1: task ")) TH_LOG("%s",
								     self->err);
	EXPECT_NE(NULL, strstr(self->err, "('after-bad') failed: a task it "
			       "waited for did not succeed"))
		TH_LOG("%s", self->err);
}

/* A bad third line: exit 2, the line and field named, nothing submitted. */
TEST_F_TIMEOUT(llmsub, a_bad_line_submits_nothing, 120)
{
	struct ls_stats before, after;
	char path[160];

	snprintf(path, sizeof(path), "%s/tasks.jsonl", self->dir);
	ASSERT_EQ(0, tu_write_text(path,
		"{\"name\": \"a\", \"command\": [\"/bin/true\"]}\n"
		"{\"name\": \"b\", \"command\": [\"/bin/true\"]}\n"
		"{\"name\": \"c\", \"command\": [\"/bin/true\"], "
		"\"cpu\": \"lots\"}\n"));
	ASSERT_EQ(0, ls_stats_read(&before));
	EXPECT_EQ(2, llmsub(self, NULL, "--file", path, NULL));
	ASSERT_EQ(0, ls_stats_read(&after));
	EXPECT_EQ(before.submitted, after.submitted);
	EXPECT_STREQ("", self->out);
	EXPECT_NE(NULL, strstr(self->err, "tasks.jsonl:3: field \"cpu\": "
			       "'lots': not a CPU amount"))
		TH_LOG("%s", self->err);

	/*
	 * A line the module refuses (a demand no agent holds) is the same:
	 * the batch goes all or none.
	 */
	ASSERT_EQ(0, tu_write_text(path,
		"{\"name\": \"a\", \"command\": [\"/bin/true\"]}\n"
		"{\"name\": \"big\", \"command\": [\"/bin/true\"], "
		"\"mem\": \"1G\"}\n"));
	EXPECT_EQ(1, llmsub(self, NULL, "--file", path, NULL));
	ASSERT_EQ(0, ls_stats_read(&after));
	EXPECT_EQ(before.submitted, after.submitted);
	EXPECT_NE(NULL, strstr(self->err, "tasks.jsonl:2: nothing was "
			       "submitted: no agent could ever hold it: "
			       "memory 1G")) TH_LOG("%s", self->err);
}

/* More than every agent has: refused, with the largest agent's figures. */
TEST_F_TIMEOUT(llmsub, a_demand_too_big_names_the_largest_agent, 120)
{
	struct ls_stats before, after;

	ASSERT_EQ(0, ls_stats_read(&before));
	EXPECT_EQ(1, llmsub(self, NULL, "--mem", "4G", "--", "/bin/true",
			    NULL));
	EXPECT_NE(NULL, strstr(self->err, "no agent could ever hold it: "
			       "memory 4G is more than any agent has; the "
			       "largest is agent ")) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->err, "(cpu 1, memory 512M, gpu 0, gpu "
			       "memory 0)")) TH_LOG("%s", self->err);
	EXPECT_EQ(1, llmsub(self, NULL, "--cpu", "3", "--", "/bin/true",
			    NULL));
	EXPECT_NE(NULL, strstr(self->err, "cpu 3 is more than any agent "
			       "has")) TH_LOG("%s", self->err);
	ASSERT_EQ(0, ls_stats_read(&after));
	EXPECT_EQ(before.submitted, after.submitted);
}

/* Tags by the names of the runtime's configuration. */
TEST_F_TIMEOUT(llmsub, tags_by_name_from_the_config, 120)
{
	struct llmsched_task_info info;
	__u64 id;

	ASSERT_EQ(0, llmsub(self, NULL, "--wait", "--tag", "fast", "--",
			    "/bin/true", NULL)) TH_LOG("%s", self->err);
	ASSERT_EQ(1, tu_read_ids(self->out, &id, 1));
	ASSERT_EQ(0, ls_query(self->fd, id, &info));
	EXPECT_EQ(1ULL << 3, info.tags);
	EXPECT_EQ(LLMSCHED_TASK_SUCCEEDED, info.state);

	/* A name the configuration lacks: a usage error with the known. */
	EXPECT_EQ(2, llmsub(self, NULL, "--tag", "gpu", "--", "/bin/true",
			    NULL));
	EXPECT_NE(NULL, strstr(self->err, "--tag")) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->err, "fast")) TH_LOG("%s", self->err);
	/* A known tag no agent has: the module refuses, llmsub says why. */
	EXPECT_EQ(1, llmsub(self, NULL, "--tag", "slow", "--", "/bin/true",
			    NULL));
	EXPECT_NE(NULL, strstr(self->err, "no agent has all the tags slow"))
		TH_LOG("%s", self->err);
}

/* --help, --version, and a bad flag's exit status. */
TEST_F(llmsub, help_version_usage)
{
	EXPECT_EQ(0, llmsub(self, NULL, "--help", NULL));
	EXPECT_NE(NULL, strstr(self->out, "Exit status:"));
	EXPECT_EQ(0, llmsub(self, NULL, "--version", NULL));
	EXPECT_NE(NULL, strstr(self->out, "llmsub 1.0"));
	EXPECT_EQ(2, llmsub(self, NULL, "--priority", "999", "--", "true",
			    NULL));
	EXPECT_NE(NULL, strstr(self->err, "--priority: '999': out of range"));
}

LLMS_TEST_MAIN
