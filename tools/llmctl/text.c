// SPDX-License-Identifier: GPL-2.0
/*
 * The words llmctl's live views and history use for how a task ended
 * and what a task or agent became (llmctl.h): the sentences of the
 * reference example ("Task 1 assigned to agent 1", "Task 2 completed"),
 * which tools/llmdemo prints too and `make demo` checks.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "llmctl.h"

const char *llmctl_reason_text(uint32_t reason, int32_t status, char *buf,
			       size_t len)
{
	switch (reason) {
	case LLMSCHED_REASON_EXIT:
		snprintf(buf, len, "exit status %d", status);
		return buf;
	case LLMSCHED_REASON_SIGNAL:
		if (sigabbrev_np(status))
			snprintf(buf, len, "killed by SIG%s",
				 sigabbrev_np(status));
		else
			snprintf(buf, len, "killed by signal %d", status);
		return buf;
	case LLMSCHED_REASON_OOM:
		return "out of memory";
	case LLMSCHED_REASON_TIMEOUT:
		return "timeout";
	case LLMSCHED_REASON_LAUNCH:
		return "could not launch";
	case LLMSCHED_REASON_AGENT_LOST:
		return "agent lost";
	case LLMSCHED_REASON_DEP_FAILED:
		return "a dependency failed";
	case LLMSCHED_REASON_CANCELLED:
		return "cancelled";
	default:
		snprintf(buf, len, "reason %u", (unsigned int)reason);
		return buf;
	}
}

void llmctl_task_sentence(uint64_t id, uint32_t state, uint32_t reason,
			  int32_t status, uint32_t agent, char *buf,
			  size_t len)
{
	unsigned long long n = (unsigned long long)id;
	char why[64];

	switch (state) {
	case LLMSCHED_TASK_ASSIGNED:
		snprintf(buf, len, "Task %llu assigned to agent %u", n, agent);
		break;
	case LLMSCHED_TASK_RUNNING:
		snprintf(buf, len, "Task %llu running on agent %u", n, agent);
		break;
	case LLMSCHED_TASK_SUCCEEDED:
		snprintf(buf, len, "Task %llu completed", n);
		break;
	case LLMSCHED_TASK_FAILED:
		snprintf(buf, len, "Task %llu failed (%s)", n,
			 llmctl_reason_text(reason, status, why, sizeof(why)));
		break;
	case LLMSCHED_TASK_CANCELLED:
		snprintf(buf, len, "Task %llu cancelled", n);
		break;
	default:
		snprintf(buf, len, "Task %llu %s", n,
			 llms_task_state_name(state));
		break;
	}
}

const char *llmctl_agent_state_text(uint32_t state)
{
	switch (state) {
	case 0:
		return "left";
	case LLMSCHED_AGENT_UP:
		return "up";
	case LLMSCHED_AGENT_DRAINING:
		return "draining";
	case LLMSCHED_AGENT_FENCING:
		return "lost";
	default:
		return "?";
	}
}

bool llmctl_task_ended(uint32_t state)
{
	return state == LLMSCHED_TASK_SUCCEEDED ||
	       state == LLMSCHED_TASK_FAILED ||
	       state == LLMSCHED_TASK_CANCELLED;
}

const char *llmctl_duration_text(uint64_t ns, char *buf, size_t len)
{
	unsigned long long ms = ns / LLMS_NSEC_PER_MSEC, s = ms / 1000;

	if (ns && ms == 0)
		snprintf(buf, len, "%lluus", (unsigned long long)(ns / 1000));
	else if (ms < 1000)
		snprintf(buf, len, "%llums", ms);
	else if (s < 10)
		snprintf(buf, len, "%llu.%llus", s, ms % 1000 / 100);
	else if (s < 60)
		snprintf(buf, len, "%llus", s);
	else if (s < 3600)
		snprintf(buf, len, "%llum%02llus", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%lluh%02llum", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%llud%02lluh", s / 86400, s % 86400 / 3600);
	return buf;
}
