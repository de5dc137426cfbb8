/* SPDX-License-Identifier: GPL-2.0 */
/*
 * llmsub: what it tells the user about the module's answers, pure code:
 * why no agent could hold a task (from the agents' figures), and how a
 * task ended, as words and as llmsub's exit status with --wait.
 */
#ifndef LLMSCHED_LLMSUB_REPORT_H
#define LLMSCHED_LLMSUB_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include <linux/llmsched.h>

/* Exit statuses (--help, Documentation/admin-guide/llmsub.rst). */
#define LLMSUB_EXIT_OK		0
/* The module refused, or llmsub failed. */
#define LLMSUB_EXIT_FAILURE	1
#define LLMSUB_EXIT_USAGE	2	/* a bad command line or file */
/* With --wait, how the task ended (an exit N is N, a signal S 128+S). */
#define LLMSUB_EXIT_CANCELLED	120
#define LLMSUB_EXIT_DEP_FAILED	121
#define LLMSUB_EXIT_AGENT_LOST	122
#define LLMSUB_EXIT_TIMEOUT	124
#define LLMSUB_EXIT_OOM		125
#define LLMSUB_EXIT_LAUNCH	126
#define LLMSUB_EXIT_SIGNAL_BASE	128

/*
 * Why @sub fits no agent of the @n at @agents (NULL with @n 0: none is
 * registered), in @buf: for each kind its demand exceeds in every agent,
 * the demand and the largest agent's figures in that kind; tags no agent
 * has all of; or, when each kind fits some agent but no agent holds all
 * of it, the agents' figures.  @tag_names (may be NULL) are the tags as
 * the user wrote them.  @have_tags: @agents' tags are known (the sysfs
 * fallback has none).  Returns the length, as snprintf().
 */
int llmsub_explain_fit(const struct llmsched_task_submit *sub,
		       const char *tag_names,
		       const struct llmsched_agent_info *agents, size_t n,
		       int have_tags, char *buf, size_t size);

/*
 * The exit status for a task that ended in @state with @reason and
 * @exit_status (a LLMSCHED_TASK_SUCCEEDED task is 0).
 */
int llmsub_exit_code(uint32_t state, uint32_t reason, int32_t exit_status);

/* "succeeded", "failed: exit status 3", "failed: out of memory", ... */
int llmsub_ending_text(uint32_t state, uint32_t reason, int32_t exit_status,
		       char *buf, size_t size);

#endif /* LLMSCHED_LLMSUB_REPORT_H */
