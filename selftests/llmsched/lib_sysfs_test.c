// SPDX-License-Identifier: GPL-2.0
/*
 * libllmsched's sysfs readers (runtime/lib/sysfs.c) against the module:
 * numbers, strings, "KEY VALUE" lists and an agent's folder as the module
 * writes them, and clear errors when the module, an agent or a file is
 * not there.  Runs as root in the test VM, against build/llmsched.ko.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kselftest_harness.h"
#include "harness_main.h"
#include "lib_util.h"
#include "llmsched_util.h"
#include "module_util.h"

/* The 6.1 harness defines FIXTURE_SETUP/TEARDOWN as non-static functions. */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"

#define HOST_CPU LS_CPUS(16)
#define HOST_MEM LS_GB(64)

TEST(module_not_loaded_is_said_so)
{
	struct llms_sysfs_agent agent;
	struct llms_error *err = NULL;
	uint32_t *ids;
	size_t count;
	char *text;
	int ret;

	if (llmsched_module_loaded()) {
		ret = llmsched_module_unload();
		if (ret == -EBUSY)
			SKIP(return, "the module is in use");
		ASSERT_EQ(0, ret);
	}
	EXPECT_EQ(-ENOENT, llms_sysfs_read_string("version", &text, &err));
	ASSERT_NE(NULL, err);
	EXPECT_EQ(LLMS_SYSFS_NO_MODULE, err->code);
	EXPECT_NE(NULL, strstr(err->msg, "not loaded")) TH_LOG("%s", err->msg);
	llms_error_free(&err);
	EXPECT_EQ(-ENOENT, llms_sysfs_agent_ids(&ids, &count, &err));
	EXPECT_EQ(LLMS_SYSFS_NO_MODULE, err->code);
	llms_error_free(&err);
	EXPECT_EQ(-ENOENT, llms_sysfs_read_agent(1, &agent, &err));
	EXPECT_EQ(LLMS_SYSFS_NO_MODULE, err->code);
	llms_error_free(&err);
	ASSERT_EQ(0, llmsched_module_load(""));
}

FIXTURE(sysfs)
{
	int fd;
	struct ls_agent a;
	struct llms_error *err;
};

FIXTURE_SETUP(sysfs)
{
	self->err = NULL;
	memset(&self->a, 0, sizeof(self->a));
	self->a.fd = -1;
	ASSERT_EQ(0, llmsched_module_ensure_loaded());
	self->fd = ls_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ls_reset(self->fd, HOST_CPU, HOST_MEM));
}

FIXTURE_TEARDOWN(sysfs)
{
	llms_error_free(&self->err);
	ls_agent_destroy(&self->a);
	ls_cancel_all(self->fd);
	close(self->fd);
}

TEST_F(sysfs, numbers_and_strings_read_as_the_module_wrote_them)
{
	unsigned int major, minor, patch;
	uint64_t v;
	char *text;

	ASSERT_EQ(0, llms_sysfs_read_string("version", &text, &self->err))
	TH_LOG("%s", lib_errmsg(&self->err));
	EXPECT_EQ(3, sscanf(text, "%u.%u.%u", &major, &minor, &patch));
	EXPECT_EQ(NULL, strchr(text, '\n'));
	free(text);
	ASSERT_EQ(0, llms_sysfs_read_u64("capacity/cpu", &v, &self->err));
	EXPECT_EQ(HOST_CPU, v);
	ASSERT_EQ(0, llms_sysfs_read_u64("capacity/mem", &v, &self->err));
	EXPECT_EQ(HOST_MEM, v);
	ASSERT_EQ(0, llms_sysfs_read_string("policy", &text, &self->err));
	EXPECT_STREQ("prio_fifo", text);
	free(text);
}

TEST_F(sysfs, wrong_shapes_and_paths_are_clear_errors)
{
	struct llms_sysfs_pair *pairs;
	size_t count;
	uint64_t v;
	char *text;

	/* A word is not a number, a version is not a list of pairs. */
	EXPECT_EQ(-EPROTO, llms_sysfs_read_u64("policy", &v, &self->err));
	EXPECT_NE(NULL, strstr(self->err->msg, "not a number"));
	llms_error_free(&self->err);
	EXPECT_EQ(-EPROTO,
		  llms_sysfs_read_pairs("version", &pairs, &count, &self->err));
	llms_error_free(&self->err);
	EXPECT_EQ(-ENOENT,
		  llms_sysfs_read_string("no_such_file", &text, &self->err));
	EXPECT_EQ(LLMS_SYSFS_NO_FILE, self->err->code);
	llms_error_free(&self->err);
	EXPECT_EQ(-EINVAL, llms_sysfs_read_string("../kernel/version", &text,
						  &self->err));
	llms_error_free(&self->err);
	EXPECT_EQ(-EINVAL,
		  llms_sysfs_read_string("queue/..", &text, &self->err));
	llms_error_free(&self->err);
	EXPECT_EQ(-EINVAL,
		  llms_sysfs_read_string("/version", &text, &self->err));
	llms_error_free(&self->err);
	EXPECT_EQ(-EINVAL, llms_sysfs_read_string("", &text, &self->err));
	llms_error_free(&self->err);
	/* A name that merely has dots in it is fine (and absent). */
	EXPECT_EQ(-ENOENT, llms_sysfs_read_string("a..b", &text, &self->err));
	llms_error_free(&self->err);
}

TEST_F(sysfs, by_priority_lists_waiting_tasks_highest_first)
{
	struct llms_sysfs_pair *pairs = NULL;
	size_t count = 9;
	unsigned int i;

	/* One slot: the first task is assigned, the others wait. */
	ASSERT_EQ(0, ls_agent_spawn(&self->a, 1, LS_CPUS(1), LS_GB(1), 0));
	ASSERT_EQ(0, ls_submit_simple(self->fd, 100, LS_CPUS(1), 0, LS_SEC(1),
				      NULL));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, ls_submit_simple(self->fd, 50, LS_CPUS(1), 0,
					      LS_SEC(1), NULL));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, ls_submit_simple(self->fd, 200, LS_CPUS(1), 0,
					      LS_SEC(1), NULL));
	ASSERT_EQ(0, llms_sysfs_read_pairs("queue/by_priority", &pairs, &count,
					   &self->err))
	TH_LOG("%s", lib_errmsg(&self->err));
	ASSERT_EQ(2, count);
	EXPECT_STREQ("200", pairs[0].key);
	EXPECT_EQ(3, pairs[0].value);
	EXPECT_STREQ("50", pairs[1].key);
	EXPECT_EQ(2, pairs[1].value);
	llms_sysfs_pairs_free(pairs, count);

	ASSERT_LT(0, ls_cancel_all(self->fd));
	ASSERT_EQ(0, llms_sysfs_read_pairs("queue/by_priority", &pairs, &count,
					   &self->err));
	EXPECT_EQ(0, count);
	EXPECT_EQ(NULL, pairs);
}

/* The agent the unprivileged reader looks at, and what it should see. */
static struct llms_sysfs_agent expected;

/* As another user: all but the root-only task list. */
static int read_agent_unprivileged(void *arg)
{
	struct llms_error *err = NULL;
	struct llms_sysfs_agent a;

	if (llms_sysfs_read_agent(expected.id, &a, &err)) {
		llms_error_free(&err);
		return 1;
	}
	if (a.tasks_read || a.ntasks || a.pid != expected.pid ||
	    a.slots != expected.slots || strcmp(a.state, "up"))
		return 2;
	llms_sysfs_agent_free(&a);
	return 0;
}

TEST_F(sysfs, agent_folder_is_read_whole)
{
	struct llmsched_task_submit labelled;
	struct llms_sysfs_agent a;
	uint32_t *ids = NULL;
	size_t count = 0, i;
	int found = 0, tries;
	struct stat st;
	__u64 task;

	ASSERT_EQ(0, ls_agent_spawn(&self->a, 2, LS_CPUS(2), LS_GB(1), 0));
	ASSERT_EQ(0, ls_submit_simple(self->fd, 100, LS_CPUS(1), 0, LS_SEC(1),
				      &task));
	/* A label with a space: the rest of its line. */
	ls_task_init(&labelled, 100, LS_CPUS(1), 0, LS_SEC(1));
	strcpy(labelled.label, "eval shard 7");
	ASSERT_EQ(0, ls_submit(self->fd, &labelled));
	ASSERT_EQ(0, llms_sysfs_read_agent(self->a.id, &a, &self->err))
	TH_LOG("%s", lib_errmsg(&self->err));
	EXPECT_EQ(self->a.id, a.id);
	EXPECT_EQ(self->a.pid, a.pid);
	EXPECT_STREQ(self->a.cg.path + strlen(LS_CGROUP_ROOT), a.cgroup);
	ASSERT_EQ(0, fstat(self->a.cg.fd, &st));
	EXPECT_EQ((uint64_t)st.st_ino, a.cgroup_id);
	EXPECT_EQ(LS_CPUS(2), a.capacity_cpu);
	EXPECT_EQ(LS_GB(1), a.capacity_mem);
	EXPECT_EQ(0, a.capacity_gpu);
	EXPECT_EQ(0, a.capacity_gpu_mem);
	EXPECT_EQ(2, a.slots);
	EXPECT_STREQ("up", a.state);
	EXPECT_TRUE(a.tasks_read);
	ASSERT_EQ(2, a.ntasks);
	EXPECT_EQ(task, a.tasks[0].id);
	EXPECT_STREQ("assigned", a.tasks[0].state);
	EXPECT_STREQ("", a.tasks[0].label);
	EXPECT_EQ(labelled.task_id, a.tasks[1].id);
	EXPECT_STREQ("assigned", a.tasks[1].state);
	EXPECT_STREQ("eval shard 7", a.tasks[1].label);
	expected = a;
	EXPECT_EQ(0, ls_run_as(LS_NOBODY, read_agent_unprivileged, NULL));
	llms_sysfs_agent_free(&a);

	ASSERT_EQ(0, llms_sysfs_agent_ids(&ids, &count, &self->err));
	for (i = 0; i < count; i++) {
		found += ids[i] == self->a.id;
		if (i)
			EXPECT_LT(ids[i - 1], ids[i]);
	}
	EXPECT_EQ(1, found);
	free(ids);

	/* Gone: its folder with it. */
	ls_agent_destroy(&self->a);
	for (tries = 0; tries < 200; tries++) {
		if (llms_sysfs_read_agent(expected.id, &a, &self->err) !=
		    -ENOENT) {
			if (!self->err)
				llms_sysfs_agent_free(&a);
			llms_error_free(&self->err);
			lib_sleep_ms(10);
			continue;
		}
		break;
	}
	ASSERT_NE(NULL, self->err);
	EXPECT_EQ(LLMS_SYSFS_NO_AGENT, self->err->code);
	EXPECT_NE(NULL, strstr(self->err->msg, "not registered"))
	TH_LOG("%s", self->err->msg);
}

LLMS_TEST_MAIN
