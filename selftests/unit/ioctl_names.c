// SPDX-License-Identifier: GPL-2.0
/*
 * libllmsched's ioctl wrappers on the host (runtime/lib/ioctl.c): the
 * names of states, reasons and wait reasons are the kernel engine's
 * (kmod/core/engine.c, linked in), for every value; every call's table has
 * advice for each errno the module returns from it (read from kmod/);
 * a wrapper's error names its call and carries the advice, and the normal
 * outcomes of the blocking calls carry their code.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/engine.h"
#include "../../runtime/lib/libllmsched.h"
#include "kselftest_harness.h"

TEST(state_names_are_the_engines)
{
	uint32_t s;

	/* Every uAPI state is the engine's of the same number. */
	for (s = LLMSCHED_TASK_QUEUED; s <= LLMSCHED_TASK_FROZEN; s++)
		EXPECT_STREQ(lsc_task_state_name(s), llms_task_state_name(s))
			TH_LOG("state %u", s);
	EXPECT_EQ(LSC_TASK_NR_STATES, LLMSCHED_TASK_FROZEN + 1);
	/* NEW is never shown by the uAPI; 0 and past the end are unknown. */
	EXPECT_STREQ("?", llms_task_state_name(0));
	EXPECT_STREQ("?", llms_task_state_name(LSC_TASK_NR_STATES));
	EXPECT_STREQ("?", llms_task_state_name(UINT32_MAX));
}

/* The uAPI reasons the engine has a fail reason for, by the kernel's map. */
static const struct {
	uint32_t uapi;
	uint32_t engine;
} reason_map[] = {
	{ LLMSCHED_REASON_NONE, LSC_FAIL_NONE },
	{ LLMSCHED_REASON_EXIT, LSC_FAIL_EXIT },
	{ LLMSCHED_REASON_TIMEOUT, LSC_FAIL_TIMEOUT },
	{ LLMSCHED_REASON_AGENT_LOST, LSC_FAIL_AGENT_LOST },
	{ LLMSCHED_REASON_DEP_FAILED, LSC_FAIL_DEP_FAILED },
	{ LLMSCHED_REASON_CANCELLED, LSC_FAIL_CANCELLED },
};

TEST(reason_names_are_the_engines)
{
	uint32_t r, engine_seen = 0;
	size_t i;

	for (i = 0; i < sizeof(reason_map) / sizeof(reason_map[0]); i++) {
		EXPECT_STREQ(lsc_fail_reason_name(reason_map[i].engine),
			     llms_task_reason_name(reason_map[i].uapi));
		engine_seen |= 1U << reason_map[i].engine;
	}
	/* Every engine reason is covered by the map. */
	EXPECT_EQ((1U << LSC_FAIL_NR) - 1, engine_seen);
	/* The three the engine has not: named, distinct, not "?". */
	EXPECT_STREQ("signal", llms_task_reason_name(LLMSCHED_REASON_SIGNAL));
	EXPECT_STREQ("oom", llms_task_reason_name(LLMSCHED_REASON_OOM));
	EXPECT_STREQ("launch", llms_task_reason_name(LLMSCHED_REASON_LAUNCH));
	for (r = 0; r <= LLMSCHED_REASON_CANCELLED; r++)
		EXPECT_STRNE("?", llms_task_reason_name(r));
	EXPECT_STREQ("?", llms_task_reason_name(LLMSCHED_REASON_CANCELLED + 1));
	EXPECT_STREQ("?", llms_task_reason_name(UINT32_MAX));
}

TEST(wait_names_are_the_engines)
{
	uint32_t w;

	EXPECT_EQ(LSC_WAIT_NR, LLMSCHED_WAIT_REKEY + 1);
	for (w = 0; w < LSC_WAIT_NR; w++)
		EXPECT_STREQ(lsc_wait_name(w), llms_wait_name(w))
			TH_LOG("wait %u", w);
	EXPECT_STREQ("?", llms_wait_name(LSC_WAIT_NR));
	EXPECT_STREQ("?", llms_wait_name(UINT32_MAX));
}

/*
 * Each call and the errnos its handler in kmod/ returns (beyond the
 * dispatcher's ENOTTY, EPERM, EFAULT, EINVAL, E2BIG), 0-terminated.
 */
#define E(...) { __VA_ARGS__, 0 }
static const struct {
	unsigned long cmd;
	int errnos[16];
} call_errnos[] = {
	{ LLMSCHED_IOC_VERSION, E(EINVAL) },
	{ LLMSCHED_IOC_SUBMIT, E(EINVAL, E2BIG, EPERM, ENOENT, ENOSPC, EDQUOT,
				  EAGAIN, EFAULT, ENOMEM) },
	{ LLMSCHED_IOC_SUBMIT_BATCH, E(EINVAL, EDQUOT, EAGAIN, EFAULT,
					ENOMEM) },
	{ LLMSCHED_IOC_CANCEL, E(EINVAL, ENOENT, EALREADY) },
	{ LLMSCHED_IOC_TASK_QUERY, E(EINVAL, ENOENT) },
	{ LLMSCHED_IOC_TASK_WAIT, E(EINVAL, ENOENT, EAGAIN, ETIMEDOUT,
				     EINTR) },
	{ LLMSCHED_IOC_TASK_LIST, E(EINVAL, EPERM, ENOMEM) },
	{ LLMSCHED_IOC_GET_CAPACITY, E(EINVAL) },
	{ LLMSCHED_IOC_GET_POLICY, E(EINVAL) },
	{ LLMSCHED_IOC_GET_ESTIMATOR, E(EINVAL) },
	{ LLMSCHED_IOC_GET_LIMITS, E(EINVAL) },
	{ LLMSCHED_IOC_AGENT_REGISTER, E(EPERM, EINVAL, EBUSY, EBADF, ESRCH,
					  ECHILD, ENOSPC, ENOMEM) },
	{ LLMSCHED_IOC_AGENT_FETCH, E(EPERM, EINVAL, EBADFD, EAGAIN,
				       ETIMEDOUT, ENOMSG, ENOSPC, EFAULT,
				       EINTR) },
	{ LLMSCHED_IOC_AGENT_START, E(EPERM, EINVAL, EBADFD, ENOENT,
				       ECANCELED, EALREADY) },
	{ LLMSCHED_IOC_AGENT_COMPLETE, E(EPERM, EINVAL, EBADFD, ENOENT,
					  ECANCELED, EALREADY) },
	{ LLMSCHED_IOC_AGENT_HEARTBEAT, E(EPERM, EINVAL, EBADFD) },
	{ LLMSCHED_IOC_AGENT_UNREGISTER, E(EPERM, EINVAL, EBADFD, EBUSY) },
	{ LLMSCHED_IOC_AGENT_CONTROL, E(EPERM, EINVAL, EBADFD, EAGAIN,
					 ETIMEDOUT, EINTR) },
	{ LLMSCHED_IOC_AGENT_CONFIRM, E(EPERM, EINVAL, EBADFD, ENOENT) },
	{ LLMSCHED_IOC_LOAD_REPORT, E(EPERM, EINVAL, EFAULT, ENOMEM) },
	{ LLMSCHED_IOC_AGENT_LIST, E(EPERM, EINVAL, ENOMEM) },
	{ LLMSCHED_IOC_AGENT_DRAIN, E(EPERM, EINVAL, ENOENT) },
	{ LLMSCHED_IOC_AGENT_RESIZE, E(EPERM, EINVAL, ENOENT, EBUSY, ENOSPC) },
	{ LLMSCHED_IOC_SET_CAPACITY, E(EPERM, EINVAL, EBUSY) },
	{ LLMSCHED_IOC_SET_POLICY, E(EPERM, EINVAL) },
	{ LLMSCHED_IOC_SET_ESTIMATOR, E(EPERM, EINVAL) },
	{ LLMSCHED_IOC_SET_LIMITS, E(EPERM, EINVAL) },
};

/* What the dispatcher (kmod/main.c) may answer for any call. */
static const int common_errnos[] = { ENOTTY, EBADF, EFAULT, E2BIG, EINVAL };

#define NR_CALLS (sizeof(call_errnos) / sizeof(call_errnos[0]))

TEST(every_call_has_advice_for_its_errnos)
{
	size_t i, j;

	/* Every ioctl of the uAPI is in the list (and so in the library). */
	EXPECT_EQ(27, NR_CALLS);
	for (i = 0; i < NR_CALLS; i++) {
		unsigned long cmd = call_errnos[i].cmd;
		const char *name = llms_ioctl_name(cmd);

		ASSERT_NE(NULL, name) TH_LOG("ioctl %#lx", cmd);
		for (j = 0; call_errnos[i].errnos[j]; j++) {
			int e = call_errnos[i].errnos[j];
			const char *hint = llms_ioctl_hint(cmd, e);

			EXPECT_NE(NULL, hint)
				TH_LOG("%s has no advice for %s", name,
				       strerror(e));
			/* Advice is a sentence, not a word. */
			if (hint)
				EXPECT_LT(20, strlen(hint));
		}
		for (j = 0; j < sizeof(common_errnos) / sizeof(int); j++)
			EXPECT_NE(NULL, llms_ioctl_hint(cmd, common_errnos[j]))
				TH_LOG("%s, %s", name,
				       strerror(common_errnos[j]));
	}
	EXPECT_EQ(NULL, llms_ioctl_name(_IO(LLMSCHED_IOCTL_MAGIC, 0x7f)));
	EXPECT_EQ(NULL, llms_ioctl_hint(_IO(LLMSCHED_IOCTL_MAGIC, 0x7f),
					EINVAL));
	/* An errno no call returns has no advice: the message says less. */
	EXPECT_EQ(NULL, llms_ioctl_hint(LLMSCHED_IOC_CANCEL, EXDEV));
}

TEST(advice_is_the_calls_own_where_the_errno_means_something_there)
{
	/* The same errno, different meanings: each call says its own. */
	EXPECT_NE(NULL, strstr(llms_ioctl_hint(LLMSCHED_IOC_SUBMIT, ENOSPC),
			       "agent"));
	EXPECT_NE(NULL, strstr(llms_ioctl_hint(LLMSCHED_IOC_AGENT_FETCH,
					       ENOSPC), "payload_len"));
	EXPECT_NE(NULL, strstr(llms_ioctl_hint(LLMSCHED_IOC_SUBMIT, EDQUOT),
			       "max_tasks_per_user"));
	EXPECT_NE(NULL, strstr(llms_ioctl_hint(LLMSCHED_IOC_SUBMIT, EAGAIN),
			       "max_tasks"));
	EXPECT_NE(NULL, strstr(llms_ioctl_hint(LLMSCHED_IOC_SET_LIMITS,
					       EPERM), "CAP_SYS_ADMIN"));
	EXPECT_NE(NULL, strstr(llms_ioctl_hint(LLMSCHED_IOC_SUBMIT, EPERM),
			       "CAP_SYS_NICE"));
	EXPECT_NE(NULL, strstr(llms_ioctl_hint(LLMSCHED_IOC_VERSION, ENOTTY),
			       "older"));
	/* GET calls need no privilege: no advice to become root. */
	EXPECT_EQ(NULL, llms_ioctl_hint(LLMSCHED_IOC_GET_LIMITS, EPERM));
}

/* On a file that is not the device, each wrapper fails with ENOTTY. */
TEST(a_wrapper_names_its_call_and_says_what_to_do)
{
	struct llmsched_task_submit t;
	struct llms_error *err = NULL;
	uint32_t idx = 7;
	int fd;

	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	memset(&t, 0, sizeof(t));
	strcpy(t.label, "build\x01x");
	EXPECT_EQ(-ENOTTY, llms_submit(fd, &t, &err));
	ASSERT_NE(NULL, err);
	EXPECT_EQ(sizeof(t), t.size);
	EXPECT_EQ(ENOTTY, err->errnum);
	EXPECT_EQ(LLMS_IOCTL_FAILED, err->code);
	/* The label, its bad byte made printable. */
	EXPECT_NE(NULL, strstr(err->msg, "submitting task 'build?x'"))
		TH_LOG("%s", err->msg);
	EXPECT_NE(NULL, strstr(err->msg, "not /dev/llmsched"));
	llms_error_free(&err);

	EXPECT_EQ(-ENOTTY, llms_submit_batch(fd, &t, 1, &idx, &err));
	EXPECT_EQ(1, idx);
	EXPECT_NE(NULL, strstr(err->msg, "batch of 1")) TH_LOG("%s", err->msg);
	llms_error_free(&err);

	EXPECT_EQ(-ENOTTY, llms_cancel(fd, 42, 0, &err));
	EXPECT_NE(NULL, strstr(err->msg, "cancelling task 42"));
	llms_error_free(&err);

	EXPECT_EQ(-ENOTTY, llms_agent_drain(fd, 3, LLMSCHED_DRAIN_UNDO, &err));
	EXPECT_NE(NULL, strstr(err->msg, "agent 3"));
	llms_error_free(&err);

	/* A NULL err: only the return value tells. */
	EXPECT_EQ(-ENOTTY, llms_agent_heartbeat(fd, NULL));
	close(fd);

	/* A closed descriptor. */
	EXPECT_EQ(-EBADF, llms_agent_unregister(fd, &err));
	EXPECT_NE(NULL, strstr(err->msg, "unregistering the agent: "
			       "the descriptor is not open"))
		TH_LOG("%s", err->msg);
	llms_error_free(&err);
}

TEST(list_all_fails_whole)
{
	struct llmsched_task_info *tasks = (void *)1;
	struct llmsched_agent_info *agents = (void *)1;
	struct llms_error *err = NULL;
	size_t n = 5;

	EXPECT_EQ(-EBADF, llms_task_list_all(-1, 0, 0, &tasks, &n, &err));
	EXPECT_EQ(NULL, tasks);
	EXPECT_EQ(0, n);
	EXPECT_NE(NULL, strstr(err->msg, "listing the caller's tasks"))
		TH_LOG("%s", err->msg);
	llms_error_free(&err);
	n = 5;
	EXPECT_EQ(-EBADF, llms_agent_list_all(-1, &agents, &n, &err));
	EXPECT_EQ(NULL, agents);
	EXPECT_EQ(0, n);
	llms_error_free(&err);
}

TEST_HARNESS_MAIN
