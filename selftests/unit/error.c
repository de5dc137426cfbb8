// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for libllmsched's errors (runtime/lib/error.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../../runtime/lib/error.h"

/* What llms_error_print() writes, as a string the caller frees. */
static char *printed(const char *prog, const struct llms_error *err)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	if (!out)
		return NULL;
	llms_error_print(out, prog, err);
	fclose(out);
	return text;
}

TEST(set_keeps_errno_and_message_and_returns_minus_errno)
{
	struct llms_error *err = NULL;

	EXPECT_EQ(-EACCES, llms_error_set(&err, EACCES, "opening %s", "/x"));
	ASSERT_NE(NULL, err);
	EXPECT_EQ(EACCES, err->errnum);
	EXPECT_EQ(0, err->code);
	EXPECT_STREQ("opening /x", err->msg);
	llms_error_free(&err);
	EXPECT_EQ(NULL, err);
}

TEST(set_takes_a_negative_errno_and_never_makes_errno_zero)
{
	struct llms_error *err = NULL;

	EXPECT_EQ(-ENOENT, llms_error_set(&err, -ENOENT, "stat"));
	EXPECT_EQ(ENOENT, err->errnum);
	llms_error_free(&err);
	EXPECT_EQ(-EIO, llms_error_set(&err, 0, "no errno given"));
	EXPECT_EQ(EIO, err->errnum);
	llms_error_free(&err);
}

TEST(set_without_a_place_to_keep_it_only_returns)
{
	EXPECT_EQ(-EPERM, llms_error_set(NULL, EPERM, "nobody listens"));
	EXPECT_EQ(-EPERM, llms_error_set_code(NULL, EPERM, 3, "nor here"));
}

TEST(set_code_keeps_the_code_through_prefixes)
{
	struct llms_error *err = NULL;

	EXPECT_EQ(-EBADMSG, llms_error_set_code(&err, EBADMSG, 7, "inner"));
	EXPECT_EQ(7, err->code);
	EXPECT_EQ(-EBADMSG, llms_error_prefix(&err, "middle %d", 2));
	EXPECT_EQ(-EBADMSG, llms_error_prefix(&err, "outer"));
	EXPECT_EQ(7, err->code);
	EXPECT_EQ(EBADMSG, err->errnum);
	EXPECT_STREQ("outer: middle 2: inner", err->msg);
	llms_error_free(&err);
}

TEST(prefix_of_no_error_is_itself_an_error)
{
	struct llms_error *err = NULL;

	EXPECT_EQ(-EIO, llms_error_prefix(&err, "creating %s", "x"));
	ASSERT_NE(NULL, err);
	EXPECT_EQ(EIO, err->errnum);
	EXPECT_NE(NULL, strstr(err->msg, "internal error"));
	llms_error_free(&err);
	EXPECT_EQ(-EIO, llms_error_prefix(NULL, "nothing at all"));
}

TEST(print_ends_with_the_errno_text_once)
{
	struct llms_error *err = NULL;
	char *text;

	llms_error_set(&err, EACCES, "mkdir");
	llms_error_prefix(&err, "creating cgroup %s", "/sys/fs/cgroup/a");
	text = printed("llmschedd", err);
	ASSERT_NE(NULL, text);
	EXPECT_STREQ("llmschedd: creating cgroup /sys/fs/cgroup/a: mkdir: "
		     "Permission denied\n",
		     text);
	free(text);
	text = printed(NULL, err);
	EXPECT_STREQ("creating cgroup /sys/fs/cgroup/a: mkdir: "
		     "Permission denied\n",
		     text);
	free(text);
	text = printed("prog", NULL);
	EXPECT_STREQ("prog: no error\n", text);
	free(text);
	llms_error_free(&err);
}

TEST(format_gives_the_same_text_and_its_full_length)
{
	struct llms_error *err = NULL;
	char buf[64], small[8];
	int len;

	llms_error_set(&err, ENOENT, "reading %s", "cpu.stat");
	len = llms_error_format(err, buf, sizeof(buf));
	EXPECT_STREQ("reading cpu.stat: No such file or directory", buf);
	EXPECT_EQ((int)strlen(buf), len);
	/* Cut to fit, NUL-terminated, the whole length still told. */
	EXPECT_EQ(len, llms_error_format(err, small, sizeof(small)));
	EXPECT_STREQ("reading", small);
	EXPECT_EQ(len, llms_error_format(err, NULL, 0));
	llms_error_free(&err);
	llms_error_format(NULL, buf, sizeof(buf));
	EXPECT_STREQ("no error", buf);
}

TEST(unknown_errno_is_printed_as_a_number)
{
	struct llms_error *err = NULL;
	char buf[64];

	llms_error_set(&err, 4000, "odd");
	llms_error_format(err, buf, sizeof(buf));
	EXPECT_STREQ("odd: Unknown error 4000", buf);
	llms_error_free(&err);
}

TEST(free_is_safe_on_nothing_and_twice)
{
	struct llms_error *err = NULL;

	llms_error_free(NULL);
	llms_error_free(&err);
	llms_error_set(&err, EINVAL, "x");
	llms_error_free(&err);
	EXPECT_EQ(NULL, err);
	llms_error_free(&err);
}

/*
 * With no memory for the message, the caller still gets an error (ENOMEM,
 * "out of memory") that prefix leaves alone and free takes.  In a child
 * under a small address-space limit, so that the allocation really fails;
 * ASan reserves terabytes of shadow, so that build cannot run it.
 */
TEST(out_of_memory_still_gives_an_error)
{
#if defined(__SANITIZE_ADDRESS__)
	SKIP(return, "address-space limits do not work under ASan");
#else
	struct rlimit lim = { 64 << 20, 64 << 20 };
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct llms_error *err = NULL;
		char *text;

		if (setrlimit(RLIMIT_AS, &lim))
			_exit(10);
		/* A 256 MiB message cannot be made under 64 MiB. */
		if (llms_error_set(&err, EACCES, "%*s", 256 << 20, "") !=
		    -ENOMEM)
			_exit(11);
		if (!err || err->errnum != ENOMEM ||
		    strcmp(err->msg, "out of memory"))
			_exit(12);
		if (llms_error_prefix(&err, "context") != -ENOMEM ||
		    strcmp(err->msg, "out of memory"))
			_exit(13);
		text = printed("p", err);
		if (!text ||
		    strcmp(text, "p: out of memory: Cannot allocate memory\n"))
			_exit(14);
		free(text);
		llms_error_free(&err);
		if (err)
			_exit(15);
		/* An existing error that cannot grow stays as it was. */
		llms_error_set(&err, EPERM, "inner");
		if (llms_error_prefix(&err, "%*s", 256 << 20, "") != -EPERM ||
		    strcmp(err->msg, "inner"))
			_exit(16);
		llms_error_free(&err);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
#endif
}

TEST_HARNESS_MAIN
