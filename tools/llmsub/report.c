// SPDX-License-Identifier: GPL-2.0
/*
 * llmsub: refusals and endings in words, and --wait's exit statuses
 * (report.h).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../../runtime/lib/ioctl.h"
#include "../../runtime/lib/units.h"
#include "report.h"

static const char *const kind_names[LLMSCHED_RES_KNOWN] = {
	[LLMSCHED_RES_CPU] = "cpu",
	[LLMSCHED_RES_MEM] = "memory",
	[LLMSCHED_RES_GPU] = "gpu",
	[LLMSCHED_RES_GPU_MEM] = "gpu memory",
};

/* @v of kind @k as the flags write it: "0.5", "4G", "2". */
static void format_kind(unsigned int k, uint64_t v, char *buf, size_t size)
{
	if (k == LLMSCHED_RES_CPU)
		llms_format_cpu(v, buf, size);
	else if (k == LLMSCHED_RES_GPU)
		snprintf(buf, size, "%" PRIu64, v);
	else
		llms_format_bytes(v, buf, size);
}

/* snprintf() that appends at *@off and never runs past @size. */
static void add(char *buf, size_t size, size_t *off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void add(char *buf, size_t size, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*off >= size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *off, size - *off, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off += (size_t)n;
}

/* "agent 2 (cpu 1, memory 1G, gpu 0, gpu memory 0)". */
static void add_agent(char *buf, size_t size, size_t *off,
		      const struct llmsched_agent_info *a)
{
	char v[LLMS_UNITS_BUF];
	unsigned int k;

	add(buf, size, off, "agent %u (", a->agent_id);
	for (k = 0; k < LLMSCHED_RES_KNOWN; k++) {
		format_kind(k, a->capacity[k], v, sizeof(v));
		add(buf, size, off, "%s%s %s", k ? ", " : "", kind_names[k],
		    v);
	}
	add(buf, size, off, ")");
}

int llmsub_explain_fit(const struct llmsched_task_submit *sub,
		       const char *tag_names,
		       const struct llmsched_agent_info *agents, size_t n,
		       int have_tags, char *buf, size_t size)
{
	char want[LLMS_UNITS_BUF];
	size_t off = 0, i, best[LLMSCHED_RES_KNOWN] = { 0 };
	unsigned int k, over = 0;
	int tagged = 0;

	if (size)
		buf[0] = '\0';
	if (!n) {
		add(buf, size, &off,
		    "no agent is registered with the module, so no task can "
		    "run: is llmschedd running?");
		return (int)off;
	}
	for (k = 0; k < LLMSCHED_RES_KNOWN; k++)
		for (i = 1; i < n; i++)
			if (agents[i].capacity[k] > agents[best[k]].capacity[k])
				best[k] = i;
	add(buf, size, &off, "no agent could ever hold it:");
	for (k = 0; k < LLMSCHED_RES_KNOWN; k++) {
		const struct llmsched_agent_info *a = &agents[best[k]];

		if (sub->demand[k] <= a->capacity[k])
			continue;
		format_kind(k, sub->demand[k], want, sizeof(want));
		add(buf, size, &off,
		    "%s %s %s is more than any agent has; the largest is ",
		    over ? ";" : "", kind_names[k], want);
		add_agent(buf, size, &off, a);
		over++;
	}
	if (have_tags && sub->tags) {
		for (i = 0; i < n; i++)
			tagged += (agents[i].tags & sub->tags) == sub->tags;
		if (!tagged) {
			add(buf, size, &off,
			    "%s no agent has all the tags %s (0x%" PRIx64 ")",
			    over ? ";" : "", tag_names ? tag_names : "asked",
			    (uint64_t)sub->tags);
			over++;
		}
	}
	if (!over) {
		/* Each kind fits somewhere, but never all in one agent. */
		add(buf, size, &off,
		    " each kind fits some agent, but no one agent has all of "
		    "it; the agents are ");
		for (i = 0; i < n && i < 8; i++) {
			add(buf, size, &off, "%s", i ? ", " : "");
			add_agent(buf, size, &off, &agents[i]);
		}
		if (n > 8)
			add(buf, size, &off, " and %zu more", n - 8);
	}
	add(buf, size, &off,
	    "; lower the demand, or ask for an agent that fits (llmschedd's "
	    "configuration)");
	return (int)off;
}

int llmsub_exit_code(uint32_t state, uint32_t reason, int32_t exit_status)
{
	if (state == LLMSCHED_TASK_SUCCEEDED)
		return LLMSUB_EXIT_OK;
	if (state == LLMSCHED_TASK_CANCELLED)
		return LLMSUB_EXIT_CANCELLED;
	switch (reason) {
	case LLMSCHED_REASON_EXIT:
		return exit_status >= 1 && exit_status <= 255 ?
			exit_status : LLMSUB_EXIT_FAILURE;
	case LLMSCHED_REASON_SIGNAL:
		return exit_status >= 1 && exit_status < 127 ?
			LLMSUB_EXIT_SIGNAL_BASE + exit_status :
			LLMSUB_EXIT_FAILURE;
	case LLMSCHED_REASON_OOM:
		return LLMSUB_EXIT_OOM;
	case LLMSCHED_REASON_TIMEOUT:
		return LLMSUB_EXIT_TIMEOUT;
	case LLMSCHED_REASON_LAUNCH:
		return LLMSUB_EXIT_LAUNCH;
	case LLMSCHED_REASON_AGENT_LOST:
		return LLMSUB_EXIT_AGENT_LOST;
	case LLMSCHED_REASON_DEP_FAILED:
		return LLMSUB_EXIT_DEP_FAILED;
	case LLMSCHED_REASON_CANCELLED:
		return LLMSUB_EXIT_CANCELLED;
	}
	return LLMSUB_EXIT_FAILURE;
}

int llmsub_ending_text(uint32_t state, uint32_t reason, int32_t exit_status,
		       char *buf, size_t size)
{
	if (state == LLMSCHED_TASK_SUCCEEDED)
		return snprintf(buf, size, "succeeded");
	if (state == LLMSCHED_TASK_CANCELLED ||
	    reason == LLMSCHED_REASON_CANCELLED)
		return snprintf(buf, size, "was cancelled");
	switch (reason) {
	case LLMSCHED_REASON_EXIT:
		return snprintf(buf, size, "failed: exit status %d",
				exit_status);
	case LLMSCHED_REASON_SIGNAL:
		return snprintf(buf, size, "failed: killed by signal %d (%s)",
				exit_status, strsignal(exit_status));
	case LLMSCHED_REASON_OOM:
		return snprintf(buf, size,
				"failed: out of memory (raise --mem)");
	case LLMSCHED_REASON_TIMEOUT:
		return snprintf(buf, size,
				"failed: it ran past its time limit");
	case LLMSCHED_REASON_LAUNCH:
		return snprintf(buf, size,
				"failed: it could not be started (%s; see "
				"its .err log)", strerror(exit_status));
	case LLMSCHED_REASON_AGENT_LOST:
		return snprintf(buf, size,
				"failed: its agent was lost and its retries "
				"are spent");
	case LLMSCHED_REASON_DEP_FAILED:
		return snprintf(buf, size,
				"failed: a task it waited for did not "
				"succeed");
	}
	return snprintf(buf, size, "failed (%s, reason %u, status %d)",
			llms_task_state_name(state), reason, exit_status);
}
