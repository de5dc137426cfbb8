// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for llmctl's sentences (tools/llmctl/text.c): the lines
 * `llmctl watch` prints are the reference example's ("Task 1 assigned to
 * agent 1", "Task 2 completed"), which `make demo` and scripts match, so
 * each form is pinned here; and the short durations of the tables.
 */
#include <signal.h>
#include <string.h>

#include "kselftest_harness.h"
#include "../../tools/llmctl/llmctl.h"

static const char *task(uint64_t id, uint32_t state, uint32_t reason,
			int32_t status, uint32_t agent)
{
	static char buf[128];

	llmctl_task_sentence(id, state, reason, status, agent, buf,
			     sizeof(buf));
	return buf;
}

TEST(sentences)
{
	EXPECT_STREQ("Task 1 assigned to agent 1",
		     task(1, LLMSCHED_TASK_ASSIGNED, 0, 0, 1));
	EXPECT_STREQ("Task 2 running on agent 2",
		     task(2, LLMSCHED_TASK_RUNNING, 0, 0, 2));
	EXPECT_STREQ("Task 2 completed",
		     task(2, LLMSCHED_TASK_SUCCEEDED, 0, 0, 2));
	EXPECT_STREQ("Task 3 failed (exit status 3)",
		     task(3, LLMSCHED_TASK_FAILED, LLMSCHED_REASON_EXIT, 3, 1));
	EXPECT_STREQ("Task 3 failed (killed by SIGKILL)",
		     task(3, LLMSCHED_TASK_FAILED, LLMSCHED_REASON_SIGNAL,
			  SIGKILL, 1));
	EXPECT_STREQ("Task 3 failed (killed by signal 200)",
		     task(3, LLMSCHED_TASK_FAILED, LLMSCHED_REASON_SIGNAL,
			  200, 1));
	EXPECT_STREQ("Task 4 failed (out of memory)",
		     task(4, LLMSCHED_TASK_FAILED, LLMSCHED_REASON_OOM, 0, 1));
	EXPECT_STREQ("Task 4 failed (timeout)",
		     task(4, LLMSCHED_TASK_FAILED, LLMSCHED_REASON_TIMEOUT, 0,
			  1));
	EXPECT_STREQ("Task 4 failed (a dependency failed)",
		     task(4, LLMSCHED_TASK_FAILED, LLMSCHED_REASON_DEP_FAILED,
			  0, 0));
	EXPECT_STREQ("Task 4 failed (agent lost)",
		     task(4, LLMSCHED_TASK_FAILED, LLMSCHED_REASON_AGENT_LOST,
			  0, 0));
	EXPECT_STREQ("Task 4 failed (could not launch)",
		     task(4, LLMSCHED_TASK_FAILED, LLMSCHED_REASON_LAUNCH, 0,
			  0));
	EXPECT_STREQ("Task 4 failed (reason 99)",
		     task(4, LLMSCHED_TASK_FAILED, 99, 0, 0));
	EXPECT_STREQ("Task 5 cancelled",
		     task(5, LLMSCHED_TASK_CANCELLED,
			  LLMSCHED_REASON_CANCELLED, 0, 0));
	EXPECT_STREQ("Task 6 runnable", task(6, LLMSCHED_TASK_RUNNABLE, 0, 0,
					     0));
	EXPECT_STREQ("Task 6 queued", task(6, LLMSCHED_TASK_QUEUED, 0, 0, 0));
	EXPECT_STREQ("Task 18446744073709551615 frozen",
		     task(18446744073709551615ULL, LLMSCHED_TASK_FROZEN, 0, 0,
			  1));
	EXPECT_STREQ("up", llmctl_agent_state_text(LLMSCHED_AGENT_UP));
	EXPECT_STREQ("draining",
		     llmctl_agent_state_text(LLMSCHED_AGENT_DRAINING));
	EXPECT_STREQ("lost", llmctl_agent_state_text(LLMSCHED_AGENT_FENCING));
	EXPECT_STREQ("left", llmctl_agent_state_text(0));
	EXPECT_TRUE(llmctl_task_ended(LLMSCHED_TASK_CANCELLED));
	EXPECT_FALSE(llmctl_task_ended(LLMSCHED_TASK_STOPPING));
}

TEST(durations)
{
	static const struct { uint64_t ns; const char *text; } d[] = {
		{ 0, "0ms" },
		{ 17000, "17us" },
		{ 850000000ULL, "850ms" },
		{ 3199000000ULL, "3.1s" },
		{ 42000000000ULL, "42s" },
		{ 303000000000ULL, "5m03s" },
		{ 7500000000000ULL, "2h05m" },
		{ 273600000000000ULL, "3d04h" },
	};
	char buf[32];
	size_t i;

	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++)
		EXPECT_STREQ(d[i].text,
			     llmctl_duration_text(d[i].ns, buf, sizeof(buf)));
}

TEST_HARNESS_MAIN
