// SPDX-License-Identifier: GPL-2.0
/*
 * llmctl as an operator and a user run it, against the real runtime:
 * llmschedd is started from a configuration file (as llmsub_test.c does),
 * tasks are submitted with build/bin/llmsub, and build/bin/llmctl is run as
 * a command whose exit status, output and messages are what is checked;
 * every --json output is validated against its schema with
 * selftests/llmsched/check-json-schema.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

#define TEST_CGROUP_ROOT	"/sys/fs/cgroup/llmctl-test"
#define OUT_MAX			(256 * 1024)
#define USER_UID		65534	/* nobody */

/*
 * Two agents of 1 CPU and 512M, two slots each, tag "fast" (bit 3): a
 * task of 1 CPU fills an agent, so a third waits.
 */
static const char config_tail[] =
	"[tags]\n"
	"fast = 3\n"
	"slow = 4\n"
	"\n"
	"[agent small]\n"
	"count = 2\n"
	"cpu = 1\n"
	"memory = 512M\n"
	"slots = 2\n"
	"tags = fast\n";

FIXTURE(llmctl) {
	char dir[64];
	char conf[128];
	pid_t daemon;
	int fd;
	/* The last command's standard output and error. */
	char out[OUT_MAX];
	char err[8192];
};

static int vrun(FIXTURE_DATA(llmctl) *self, int uid, const char *prog,
		va_list ap)
{
	const struct tu_capture cap = {
		.dir = self->dir, .timeout_ms = TU_FOREVER,
		.out = self->out, .out_size = sizeof(self->out),
		.err = self->err, .err_size = sizeof(self->err),
	};

	return tu_vtool(&cap, self->conf, prog, uid, NULL, ap);
}

/* llmctl -c CONF WORDS... (NULL-terminated): its exit status. */
static int llmctl(FIXTURE_DATA(llmctl) *self, ...)
{
	va_list ap;
	int ret;

	va_start(ap, self);
	ret = vrun(self, TU_SELF, "llmctl", ap);
	va_end(ap);
	return ret;
}

/* The same as the unprivileged USER_UID. */
static int llmctl_user(FIXTURE_DATA(llmctl) *self, ...)
{
	va_list ap;
	int ret;

	va_start(ap, self);
	ret = vrun(self, USER_UID, "llmctl", ap);
	va_end(ap);
	return ret;
}

static int llmsub(FIXTURE_DATA(llmctl) *self, ...)
{
	va_list ap;
	int ret;

	va_start(ap, self);
	ret = vrun(self, TU_SELF, "llmsub", ap);
	va_end(ap);
	return ret;
}

/* The same as the unprivileged USER_UID. */
static int llmsub_user(FIXTURE_DATA(llmctl) *self, ...)
{
	va_list ap;
	int ret;

	va_start(ap, self);
	ret = vrun(self, USER_UID, "llmsub", ap);
	va_end(ap);
	return ret;
}

/* The last output against llmctl-json/NAME.schema.json: 0 when valid. */
static int check_schema(FIXTURE_DATA(llmctl) *self, const char *name)
{
	char schema[128];

	snprintf(schema, sizeof(schema), "%s.schema.json", name);
	return tu_schema_ok(self->dir, schema, self->out, false);
}

/* Submit COMMAND... with llmsub (options before "--"); its id, 0 on error. */
static __u64 submit(FIXTURE_DATA(llmctl) *self, const char *label,
		    const char *prio, const char *cpu, const char *cmd)
{
	if (llmsub(self, "-n", label, "--priority", prio, "--cpu", cpu, "--",
		   "/bin/sh", "-c", cmd, NULL))
		return 0;
	return strtoull(self->out, NULL, 10);
}

/* The agents' ids, in order. */
static size_t agent_ids(__u32 *ids, size_t room)
{
	struct llms_error *err = NULL;
	uint32_t *v = NULL;
	size_t n = 0, i;

	if (llms_sysfs_agent_ids(&v, &n, &err)) {
		llms_error_free(&err);
		return 0;
	}
	for (i = 0; i < n && i < room; i++)
		ids[i] = v[i];
	free(v);
	return i;
}

/* Wait until task @id is in @state. */
static int wait_state(FIXTURE_DATA(llmctl) *self, __u64 id, __u32 state)
{
	return ls_wait_state(self->fd, id, state, 20000, NULL);
}

FIXTURE_SETUP(llmctl)
{
	self->daemon = 0;
	ASSERT_EQ(0, du_module_ready(&self->fd));
	ASSERT_EQ(0, du_dir_make(self->dir, sizeof(self->dir), "llmctl-test",
				 self->conf, sizeof(self->conf)));
	ASSERT_EQ(0, du_daemon_start(self->dir, self->conf, TEST_CGROUP_ROOT,
				     "", config_tail, &self->daemon))
		du_daemon_log(self->dir);
}

FIXTURE_TEARDOWN(llmctl)
{
	if (self->fd >= 0)
		ls_cancel_all(self->fd);
	if (du_daemon_stop(&self->daemon))
		du_daemon_log(self->dir);
	if (!_metadata->passed) {
		du_daemon_log(self->dir);
		fprintf(stderr, "# llmctl stdout: %.2000s\n# llmctl stderr: "
			"%s\n", self->out, self->err);
	}
	if (self->fd >= 0)
		close(self->fd);
	if (du_dir_remove(self->dir))
		TH_LOG("could not remove %s", self->dir);
}

/* Every command's --help, and the bad values of every flag: exit 2, the
 * flag named in the message. */
TEST_F_TIMEOUT(llmctl, flags_good_and_bad, 180)
{
	static const char *const cmds[] = {
		"status", "tasks", "task", "agents", "agent", "cancel",
		"policy", "estimator", "limits",
	};
	static const struct {
		const char *argv[8];
		const char *names;
	} bad[] = {
		{ { "tasks", "--state", "bogus" }, "--state 'bogus'" },
		{ { "tasks", "--state", "running,," }, "--state" },
		{ { "tasks", "--sort", "size" }, "--sort 'size'" },
		{ { "tasks", "--user", "no-such-user-xyz" }, "--user" },
		{ { "tasks", "--agent", "0" }, "--agent '0'" },
		{ { "tasks", "--agent", "x1" }, "--agent 'x1'" },
		{ { "tasks", "--bogus" }, "'--bogus'" },
		{ { "tasks", "extra" }, "unexpected 'extra'" },
		{ { "task" }, "give one task id" },
		{ { "task", "abc" }, "task 'abc'" },
		{ { "task", "-5" }, "invalid option" },
		{ { "agents", "--cpu" }, "'--cpu'" },
		{ { "agent", "abc" }, "agent 'abc'" },
		{ { "agent", "drain" }, "drain: give one agent id" },
		{ { "agent", "drain", "1", "--force" }, "'--force'" },
		{ { "agent", "resize", "1" }, "give at least one" },
		{ { "agent", "resize", "1", "--cpu", "abc" }, "--cpu: 'abc'" },
		{ { "agent", "resize", "1", "--cpu", "0" }, "--cpu" },
		{ { "agent", "resize", "1", "--mem", "1x" }, "--mem: '1x'" },
		{ { "agent", "resize", "1", "--mem", "100K" }, "--mem '100K'" },
		{ { "agent", "resize", "1", "--gpu", "-1" }, "--gpu '-1'" },
		{ { "agent", "resize", "1", "--gpu-mem", "lots" }, "--gpu-mem" },
		{ { "agent", "resize", "1", "--slots", "0" }, "--slots '0'" },
		{ { "agent", "resize", "1", "--slots", "65" }, "--slots '65'" },
		{ { "cancel" }, "give task ids" },
		{ { "cancel", "0" }, "task '0'" },
		{ { "cancel", "--state", "done" }, "--state 'done'" },
		{ { "cancel", "5", "--user", "root" }, "not both" },
		{ { "policy", "get" }, "unexpected 'get'" },
		{ { "policy", "set" }, "give a policy name" },
		{ { "policy", "set", "fastest" }, "'fastest' is not a policy" },
		{ { "policy", "set", "--choice", "random" }, "--choice 'random'" },
		{ { "policy", "set", "--aging", "1ns" }, "--aging '1ns'" },
		{ { "policy", "set", "--imbalance", "0" }, "--imbalance '0'" },
		{ { "policy", "set", "--imbalance", "70000" }, "--imbalance" },
		{ { "policy", "set", "--backfill", "maybe" },
		  "--backfill 'maybe'" },
		{ { "policy", "set", "--dag-rank", "2" }, "--dag-rank '2'" },
		{ { "status", "now" }, "unexpected 'now'" },
		{ { "estimator", "fit" }, "unexpected 'fit'" },
		{ { "frobnicate" }, "unknown command 'frobnicate'" },
	};
	size_t i;

	EXPECT_EQ(0, llmctl(self, "--help", NULL));
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		EXPECT_EQ(0, llmctl(self, cmds[i], "--help", NULL))
			TH_LOG("%s --help", cmds[i]);
		EXPECT_NE(NULL, strstr(self->out, "Usage: llmctl"))
			TH_LOG("%s --help: %s", cmds[i], self->out);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *const *a = bad[i].argv;

		EXPECT_EQ(2, llmctl(self, a[0], a[1], a[2], a[3], a[4], a[5],
				    a[6], a[7])) TH_LOG("%s %s %s %s", a[0],
						a[1] ? a[1] : "",
						a[2] ? a[2] : "",
						a[3] ? a[3] : "");
		EXPECT_NE(NULL, strstr(self->err, bad[i].names))
			TH_LOG("%s %s: wanted \"%s\" in: %s", a[0],
			       a[1] ? a[1] : "", bad[i].names, self->err);
	}
	/* Good values of the same flags. */
	EXPECT_EQ(0, llmctl(self, "tasks", "--state", "running,queued",
			    "--state", "ended", "--user", "root", "--sort",
			    "priority", "--reverse", "--name", "x*", "--wide",
			    NULL)) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->out, "LABEL"));
	EXPECT_EQ(0, llmctl(self, "tasks", "--user", "0", "--agent", "1",
			    "--state", "active", NULL)) TH_LOG("%s", self->err);
	EXPECT_EQ(0, llmctl(self, "agents", "--wide", NULL));
	EXPECT_NE(NULL, strstr(self->out, "CGROUP")) TH_LOG("%s", self->out);
	EXPECT_EQ(3, llmctl(self, "task", "99999999", NULL));
	EXPECT_EQ(3, llmctl(self, "agent", "99999", NULL));
	EXPECT_NE(NULL, strstr(self->err, "no agent 99999"));
	EXPECT_EQ(0, llmctl(self, "cancel", "--name", "nothing-like-this",
			    NULL)) TH_LOG("%s", self->err);
}

/* Every command's --json output matches its schema. */
TEST_F_TIMEOUT(llmctl, json_matches_the_schemas, 180)
{
	char idbuf[24], agbuf[24];
	__u32 agents[4];
	__u64 id, dead;

	ASSERT_EQ(2, agent_ids(agents, 4));
	id = submit(self, "json-sleep", "120", "500m", "sleep 300");
	ASSERT_NE(0, id) TH_LOG("%s", self->err);
	dead = submit(self, "json-true", "100", "500m", "true");
	ASSERT_NE(0, dead) TH_LOG("%s", self->err);
	ASSERT_EQ(0, wait_state(self, id, LLMSCHED_TASK_RUNNING));
	ASSERT_EQ(0, wait_state(self, dead, LLMSCHED_TASK_SUCCEEDED));
	snprintf(idbuf, sizeof(idbuf), "%llu", (unsigned long long)id);
	snprintf(agbuf, sizeof(agbuf), "%u", agents[0]);

	ASSERT_EQ(0, llmctl(self, "--json", "status", NULL)) TH_LOG("%s",
								  self->err);
	EXPECT_EQ(0, check_schema(self, "status"));
	EXPECT_NE(NULL, strstr(self->out, "\"up\":2")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "\"in_use\":"));

	ASSERT_EQ(0, llmctl(self, "tasks", "--json", NULL));
	EXPECT_EQ(0, check_schema(self, "tasks"));
	EXPECT_NE(NULL, strstr(self->out, "\"label\":\"json-sleep\""));
	EXPECT_NE(NULL, strstr(self->out, "\"state\":\"succeeded\""));
	EXPECT_NE(NULL, strstr(self->out, "\"all_users\":true"));
	ASSERT_EQ(0, llmctl(self, "-p", "tasks", "--state", "running", NULL));
	EXPECT_EQ(0, check_schema(self, "tasks"));
	EXPECT_EQ(NULL, strstr(self->out, "succeeded")) TH_LOG("%s", self->out);

	ASSERT_EQ(0, llmctl(self, "task", idbuf, "--json", NULL));
	EXPECT_EQ(0, check_schema(self, "task"));
	EXPECT_NE(NULL, strstr(self->out, "\"tags\":[]"));
	EXPECT_NE(NULL, strstr(self->out, "/log/tasks/0/task-")) TH_LOG("%s",
								   self->out);

	ASSERT_EQ(0, llmctl(self, "agents", "--json", NULL));
	EXPECT_EQ(0, check_schema(self, "agents"));
	EXPECT_NE(NULL, strstr(self->out, "\"tags\":[\"fast\"]"))
		TH_LOG("%s", self->out);
	ASSERT_EQ(0, llmctl(self, "agent", agbuf, "--json", NULL));
	EXPECT_EQ(0, check_schema(self, "agent"));

	ASSERT_EQ(0, llmctl(self, "policy", "--json", NULL));
	EXPECT_EQ(0, check_schema(self, "policy"));
	ASSERT_EQ(0, llmctl(self, "estimator", "--json", NULL));
	EXPECT_EQ(0, check_schema(self, "estimator"));
	ASSERT_EQ(0, llmctl(self, "limits", "--json", NULL));
	EXPECT_EQ(0, check_schema(self, "limits"));

	/* One cancelled, one already ended, one not there: 1 wins. */
	snprintf(agbuf, sizeof(agbuf), "%llu", (unsigned long long)dead);
	EXPECT_EQ(1, llmctl(self, "cancel", "--json", idbuf, agbuf,
			    "99999999", NULL));
	EXPECT_EQ(0, check_schema(self, "cancel"));
	EXPECT_NE(NULL, strstr(self->out, "\"result\":\"already-ended\""))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "\"result\":\"not-found\""));
	EXPECT_NE(NULL, strstr(self->out, "\"not_found\":1"));

	/* The human forms print and say what matters. */
	ASSERT_EQ(0, llmctl(self, "status", NULL));
	EXPECT_NE(NULL, strstr(self->out, "RESOURCE")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "agents:    2 up"));
	/* What an operator sees, in the log. */
	TH_LOG("llmctl status:\n%s", self->out);
	ASSERT_EQ(0, llmctl(self, "tasks", "--wide", NULL));
	TH_LOG("llmctl tasks --wide:\n%s", self->out);
	ASSERT_EQ(0, llmctl(self, "agents", NULL));
	TH_LOG("llmctl agents:\n%s", self->out);
	ASSERT_EQ(0, llmctl(self, "task", idbuf, NULL));
	EXPECT_NE(NULL, strstr(self->out, "json-sleep")) TH_LOG("%s",
								self->out);
}

/* A user sees their own tasks only, and others' read as not found. */
TEST_F_TIMEOUT(llmctl, a_user_sees_only_their_own, 180)
{
	char mine[24], theirs[24];
	__u64 root_id, user_id;
	mode_t old;

	root_id = submit(self, "root-sleep", "100", "500m", "sleep 300");
	ASSERT_NE(0, root_id) TH_LOG("%s", self->err);
	ASSERT_EQ(0, ls_dev_chmod(0666, &old));
	/* The user submits with llmsub too. */
	EXPECT_EQ(0, llmsub_user(self, "-n", "user-true", "--", "/bin/true",
				 NULL)) TH_LOG("%s", self->err);
	user_id = strtoull(self->out, NULL, 10);
	ASSERT_NE(0, user_id);
	snprintf(mine, sizeof(mine), "%llu", (unsigned long long)user_id);
	snprintf(theirs, sizeof(theirs), "%llu", (unsigned long long)root_id);

	EXPECT_EQ(0, llmctl_user(self, "tasks", "--json", NULL))
		TH_LOG("%s", self->err);
	EXPECT_EQ(0, check_schema(self, "tasks"));
	EXPECT_NE(NULL, strstr(self->out, "\"all_users\":false"));
	EXPECT_NE(NULL, strstr(self->out, "\"label\":\"user-true\""));
	EXPECT_EQ(NULL, strstr(self->out, "root-sleep")) TH_LOG("%s",
								self->out);
	EXPECT_EQ(NULL, strstr(self->out, "\"uid\":0,"));
	EXPECT_EQ(0, llmctl_user(self, "task", mine, NULL));
	EXPECT_EQ(3, llmctl_user(self, "task", theirs, NULL));
	EXPECT_NE(NULL, strstr(self->err, "only root sees")) TH_LOG("%s",
								   self->err);
	EXPECT_EQ(4, llmctl_user(self, "tasks", "--user", "root", NULL));
	EXPECT_NE(NULL, strstr(self->err, "--user root")) TH_LOG("%s",
								 self->err);
	EXPECT_EQ(3, llmctl_user(self, "cancel", theirs, NULL));
	/* A filter takes the user's own only; the root task lives on. */
	EXPECT_EQ(0, llmctl_user(self, "cancel", "--state", "active", NULL));
	{
		__u32 agents[4];
		char a[16];

		ASSERT_EQ(2, agent_ids(agents, 4));
		snprintf(a, sizeof(a), "%u", agents[0]);
		EXPECT_EQ(4, llmctl_user(self, "agent", "resize", a,
					 "--slots", "1", NULL));
		EXPECT_EQ(4, llmctl_user(self, "agent", "drain", a, NULL));
	}
	EXPECT_EQ(4, llmctl_user(self, "policy", "set", "sjf", NULL));
	EXPECT_EQ(0, llmctl_user(self, "status", "--json", NULL));
	EXPECT_EQ(0, check_schema(self, "status"));
	EXPECT_EQ(NULL, strstr(self->out, "\"in_use\""));
	EXPECT_EQ(0, llmctl_user(self, "agents", "--json", NULL));
	EXPECT_EQ(0, check_schema(self, "agents"));
	EXPECT_EQ(0, llmctl(self, "task", theirs, NULL));
	EXPECT_NE(NULL, strstr(self->out, "running")) TH_LOG("%s", self->out);
	ls_dev_chmod(old, NULL);
}

/* cancel, drain and resize change what status and agents show. */
TEST_F_TIMEOUT(llmctl, cancel_drain_resize_show_in_status, 180)
{
	char a[16], idbuf[3][24], cpu_max[64], path[256];
	struct llms_sysfs_agent fs;
	struct llms_error *err = NULL;
	__u64 ids[3];
	__u32 agents[4];
	int i;

	ASSERT_EQ(2, agent_ids(agents, 4));
	snprintf(a, sizeof(a), "%u", agents[0]);

	/* Two fill both agents' CPU, the third waits. */
	for (i = 0; i < 3; i++) {
		char label[16];

		snprintf(label, sizeof(label), "fill-%d", i);
		ids[i] = submit(self, label, i == 2 ? "50" : "100", "1",
				"sleep 300");
		ASSERT_NE(0, ids[i]) TH_LOG("%s", self->err);
		snprintf(idbuf[i], sizeof(idbuf[i]), "%llu",
			 (unsigned long long)ids[i]);
	}
	ASSERT_EQ(0, wait_state(self, ids[0], LLMSCHED_TASK_RUNNING));
	ASSERT_EQ(0, wait_state(self, ids[1], LLMSCHED_TASK_RUNNING));
	ASSERT_EQ(0, llmctl(self, "--json", "status", NULL));
	EXPECT_NE(NULL, strstr(self->out, "\"runnable\":1")) TH_LOG("%s",
								   self->out);
	EXPECT_NE(NULL, strstr(self->out, "\"running\":2"));
	EXPECT_NE(NULL, strstr(self->out, "\"by_priority\":[{\"priority\":50,"
			       "\"count\":1}]"));
	ASSERT_EQ(0, llmctl(self, "tasks", "--state", "runnable", NULL));
	EXPECT_NE(NULL, strstr(self->out, "fill-2")) TH_LOG("%s", self->out);
	EXPECT_EQ(NULL, strstr(self->out, "fill-0"));
	ASSERT_EQ(0, llmctl(self, "tasks", "--sort", "priority", NULL));
	EXPECT_LT(strstr(self->out, "fill-0"), strstr(self->out, "fill-2"));
	ASSERT_EQ(0, llmctl(self, "tasks", "--name", "fill-[12]", "--json",
			    NULL));
	EXPECT_NE(NULL, strstr(self->out, "\"count\":2")) TH_LOG("%s",
								 self->out);

	/* Cancel the waiting one by filter: at once; a running one: stopping. */
	ASSERT_EQ(0, llmctl(self, "cancel", "--state", "runnable", "--user",
			    "root", NULL)) TH_LOG("%s", self->err);
	EXPECT_NE(NULL, strstr(self->out, "cancelled")) TH_LOG("%s", self->out);
	ASSERT_EQ(0, wait_state(self, ids[2], LLMSCHED_TASK_CANCELLED));
	ASSERT_EQ(0, llmctl(self, "cancel", idbuf[0], NULL));
	ASSERT_EQ(0, wait_state(self, ids[0], LLMSCHED_TASK_CANCELLED));
	/* Cancelled already: what was asked holds. */
	EXPECT_EQ(0, llmctl(self, "cancel", idbuf[0], NULL));
	EXPECT_NE(NULL, strstr(self->out, "cancelled")) TH_LOG("%s",
							       self->out);
	ASSERT_EQ(0, llmctl(self, "--json", "status", NULL));
	EXPECT_NE(NULL, strstr(self->out, "\"runnable\":0"));
	EXPECT_NE(NULL, strstr(self->out, "\"running\":1"));
	/* Nothing may hold the agent that is shrunk below. */
	ASSERT_EQ(0, llmctl(self, "cancel", idbuf[1], NULL));
	ASSERT_EQ(0, wait_state(self, ids[1], LLMSCHED_TASK_CANCELLED));

	/* Drain, and back. */
	ASSERT_EQ(0, llmctl(self, "agent", "drain", a, NULL)) TH_LOG("%s",
								   self->err);
	ASSERT_EQ(0, llmctl(self, "--json", "status", NULL));
	EXPECT_NE(NULL, strstr(self->out, "\"draining\":1")) TH_LOG("%s",
								    self->out);
	ASSERT_EQ(0, llmctl(self, "agent", "--json", a, NULL));
	EXPECT_NE(NULL, strstr(self->out, "\"state\":\"draining\""));
	ASSERT_EQ(0, llmctl(self, "agent", "drain", a, "--undo", NULL));
	ASSERT_EQ(0, llmctl(self, "agents", NULL));
	EXPECT_EQ(NULL, strstr(self->out, "draining")) TH_LOG("%s", self->out);

	/* Resize down, as the module and the cgroup see it, and back. */
	llmctl(self, "-j", "agent", a, NULL);
	EXPECT_NE(NULL, strstr(self->out, "\"capacity\":{\"cpu_mcpu\":1000,"));
	ASSERT_EQ(0, llmctl(self, "agent", "resize", a, "--cpu", "500m",
			    "--mem", "256M", "--slots", "1", NULL))
		TH_LOG("%s", self->err);
	ASSERT_EQ(0, llmctl(self, "-j", "agent", a, NULL));
	EXPECT_NE(NULL, strstr(self->out, "\"slots\":1,"));
	EXPECT_NE(NULL, strstr(self->out, "\"capacity\":{\"cpu_mcpu\":500,"
			       "\"mem_bytes\":268435456,")) TH_LOG("%s",
								   self->out);
	ASSERT_EQ(0, llmctl(self, "-j", "status", NULL));
	EXPECT_NE(NULL, strstr(self->out, "\"reserved\":{\"cpu_mcpu\":1500,"))
		TH_LOG("%s", self->out);
	ASSERT_EQ(0, llms_sysfs_read_agent(agents[0], &fs, &err));
	snprintf(path, sizeof(path), "/sys/fs/cgroup%s/cpu.max", fs.cgroup);
	llms_sysfs_agent_free(&fs);
	ASSERT_EQ(0, tu_read_text(path, cpu_max, sizeof(cpu_max)));
	EXPECT_STREQ("50000 100000\n", cpu_max);
	ASSERT_EQ(0, llmctl(self, "agent", "resize", a, "--cpu", "1",
			    "--mem", "512M", "--slots", "2", NULL))
		TH_LOG("%s", self->err);
	ASSERT_EQ(0, tu_read_text(path, cpu_max, sizeof(cpu_max)));
	EXPECT_STREQ("100000 100000\n", cpu_max);
	/* GPUs: none on this host, so 0 is the only good value. */
	EXPECT_EQ(0, llmctl(self, "agent", "resize", a, "--gpu", "0",
			    "--gpu-mem", "0", NULL)) TH_LOG("%s", self->err);
	EXPECT_EQ(1, llmctl(self, "agent", "resize", a, "--gpu", "1", NULL));
	/* Beyond the host's free capacity: refused, nothing changed. */
	EXPECT_EQ(1, llmctl(self, "agent", "resize", a, "--cpu", "3", NULL));
	ASSERT_EQ(0, tu_read_text(path, cpu_max, sizeof(cpu_max)));
	EXPECT_STREQ("100000 100000\n", cpu_max);

	/* The policy, set and read back. */
	ASSERT_EQ(0, llmctl(self, "policy", "set", "sjf", "--choice",
			    "best_fit", "--dag-rank", "on", "--backfill", "off",
			    "--aging", "2s", "--imbalance", "300", NULL))
		TH_LOG("%s", self->err);
	ASSERT_EQ(0, llmctl(self, "-j", "policy", NULL));
	EXPECT_STREQ("{\"policy\":\"sjf\",\"choice\":\"best_fit\","
		     "\"aging_ns\":2000000000,\"imbalance_threshold\":300,"
		     "\"backfill\":false,\"dag_rank\":true}\n", self->out);
	ASSERT_EQ(0, llmctl(self, "policy", "set", "prio_fifo", "--choice",
			    "least_loaded", "--dag-rank", "off", "--backfill",
			    "on", NULL));
	ASSERT_EQ(0, llmctl(self, "status", NULL));
	EXPECT_NE(NULL, strstr(self->out, "policy prio_fifo"));
}

LLMS_TEST_MAIN
