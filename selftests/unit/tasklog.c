// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for libllmsched's task logs (runtime/lib/tasklog.c): the
 * paths the agent writes, and copying only what is new from a log that
 * grows, is not there yet, or cannot be read.  (Following a task through
 * the module is tested in the VM: selftest-llmsub, selftest-llmctl-live.)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../../runtime/lib/tasklog.h"

/* The 6.1 harness defines FIXTURE_SETUP/TEARDOWN as non-static functions. */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"

TEST(paths)
{
	struct llms_error *err = NULL;
	char buf[128], small[20];

	ASSERT_EQ(0, llms_tasklog_path(buf, sizeof(buf), "/var/log/llmsched",
				       1000, 17, LLMS_TASKLOG_STDOUT, &err));
	EXPECT_STREQ("/var/log/llmsched/tasks/1000/task-17.out", buf);
	ASSERT_EQ(0, llms_tasklog_path(buf, sizeof(buf), "/l", 0,
				       18446744073709551615ULL,
				       LLMS_TASKLOG_STDERR, &err));
	EXPECT_STREQ("/l/tasks/0/task-18446744073709551615.err", buf);
	EXPECT_EQ(-ENAMETOOLONG,
		  llms_tasklog_path(small, sizeof(small), "/var/log/llmsched",
				    1, 1, LLMS_TASKLOG_STDOUT, &err));
	ASSERT_NE(NULL, err);
	EXPECT_NE(NULL, strstr(err->msg, "/var/log/llmsched"));
	llms_error_free(&err);
	EXPECT_EQ(-EINVAL, llms_tasklog_path(buf, sizeof(buf), "", 1, 1,
					     LLMS_TASKLOG_STDOUT, &err));
	llms_error_free(&err);
}

/* Write @s at the end of @path. */
static void append(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0600);

	if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		abort();
	close(fd);
}

FIXTURE(pump) {
	char dir[64];
	char path[128];
	char *text;
	size_t len;
	FILE *out;
};

FIXTURE_SETUP(pump)
{
	strcpy(self->dir, "/tmp/unit-tasklog-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->path, sizeof(self->path), "%s/task-1.out", self->dir);
	self->out = open_memstream(&self->text, &self->len);
	ASSERT_NE(NULL, self->out);
}

FIXTURE_TEARDOWN(pump)
{
	fclose(self->out);
	free(self->text);
	unlink(self->path);
	rmdir(self->dir);
}

TEST_F(pump, copies_only_what_is_new)
{
	struct llms_tasklog l = LLMS_TASKLOG_INIT(self->path, self->out);
	struct llms_error *err = NULL;

	/* Not there yet: nothing, no error, tried again later. */
	EXPECT_EQ(0, llms_tasklog_pump(&l, false, &err));
	EXPECT_FALSE(l.done);
	append(self->path, "one\n");
	EXPECT_EQ(4, llms_tasklog_pump(&l, false, &err));
	EXPECT_EQ(0, llms_tasklog_pump(&l, false, &err));
	append(self->path, "two\nthree\n");
	EXPECT_EQ(10, llms_tasklog_pump(&l, true, &err));
	EXPECT_EQ(14, l.copied);
	EXPECT_EQ(14, self->len);
	EXPECT_STREQ("one\ntwo\nthree\n", self->text);
	llms_tasklog_close(&l);
	EXPECT_EQ(-1, l.fd);
	llms_tasklog_close(&l);
}

TEST_F(pump, missing_once_ended)
{
	struct llms_tasklog l = LLMS_TASKLOG_INIT(self->path, self->out);
	struct llms_error *err = NULL;

	EXPECT_EQ(-ENOENT, llms_tasklog_pump(&l, true, &err));
	ASSERT_NE(NULL, err);
	EXPECT_NE(NULL, strstr(err->msg, self->path));
	llms_error_free(&err);
	EXPECT_TRUE(l.done);
	/* Given up: not tried again, even once it is there. */
	append(self->path, "late\n");
	EXPECT_EQ(0, llms_tasklog_pump(&l, true, &err));
	EXPECT_EQ(0, self->len);
}

TEST_F(pump, unreadable)
{
	struct llms_tasklog l = LLMS_TASKLOG_INIT(self->path, self->out);
	struct llms_error *err = NULL;
	int ret;

	append(self->path, "secret\n");
	ASSERT_EQ(0, chmod(self->path, 0));
	ret = llms_tasklog_pump(&l, false, &err);
	if (geteuid() == 0) {
		/* Root reads it anyway: nothing to refuse. */
		EXPECT_EQ(7, ret);
	} else {
		EXPECT_EQ(-EACCES, ret);
		llms_error_free(&err);
		EXPECT_TRUE(l.done);
	}
	llms_tasklog_close(&l);
}

TEST_F(pump, a_folder_is_an_error)
{
	struct llms_tasklog l = LLMS_TASKLOG_INIT(self->dir, self->out);
	struct llms_error *err = NULL;

	EXPECT_EQ(-EISDIR, llms_tasklog_pump(&l, false, &err));
	llms_error_free(&err);
	EXPECT_TRUE(l.done);
	llms_tasklog_close(&l);
}

TEST_HARNESS_MAIN
