// SPDX-License-Identifier: GPL-2.0
/*
 * llmsub: submitting, waiting and following (submit.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../runtime/lib/libllmsched.h"
#include "report.h"
#include "submit.h"

/* How long one wait call blocks; waits go on past it. */
#define WAIT_STEP_NS	(3600ULL * LLMS_NSEC_PER_SEC)

/*
 * The agents that could take a task, into *@out: through AGENT_LIST
 * (with their tags), or, for a caller without CAP_SYS_ADMIN, through
 * sysfs (without: *@have_tags 0).  Lost (fencing) agents are left out.
 */
static int read_agents(int fd, struct llmsched_agent_info **out, size_t *n,
		       int *have_tags)
{
	struct llmsched_agent_info *a = NULL;
	struct llms_error *err = NULL;
	size_t count = 0, i, kept = 0;
	uint32_t *ids = NULL;
	int ret;

	*have_tags = 1;
	ret = llms_agent_list_all(fd, &a, &count, &err);
	llms_error_free(&err);
	if (ret == -EPERM || ret == -EACCES) {
		*have_tags = 0;
		ret = llms_sysfs_agent_ids(&ids, &count, &err);
		llms_error_free(&err);
		if (ret)
			return ret;
		a = calloc(count ? count : 1, sizeof(*a));
		if (!a) {
			free(ids);
			return -ENOMEM;
		}
		for (i = 0; i < count; i++) {
			struct llms_sysfs_agent s;

			if (llms_sysfs_read_agent(ids[i], &s, &err)) {
				/* It left while being read. */
				llms_error_free(&err);
				continue;
			}
			a[kept].agent_id = s.id;
			a[kept].state = s.state && !strcmp(s.state, "lost") ?
				LLMSCHED_AGENT_FENCING : LLMSCHED_AGENT_UP;
			a[kept].capacity[LLMSCHED_RES_CPU] = s.capacity_cpu;
			a[kept].capacity[LLMSCHED_RES_MEM] = s.capacity_mem;
			a[kept].capacity[LLMSCHED_RES_GPU] = s.capacity_gpu;
			a[kept].capacity[LLMSCHED_RES_GPU_MEM] =
				s.capacity_gpu_mem;
			kept++;
			llms_sysfs_agent_free(&s);
		}
		free(ids);
		count = kept;
	} else if (ret) {
		return ret;
	}
	for (i = 0, kept = 0; i < count; i++)
		if (a[i].state != LLMSCHED_AGENT_FENCING)
			a[kept++] = a[i];
	*out = a;
	*n = kept;
	return 0;
}

/*
 * Replace an ENOSPC error for @sub by the reason in the agents' figures,
 * after @prefix; when the agents cannot be read the library's words stay.
 */
static void explain_nospc(int fd, const struct llmsub_task *t,
			  const char *prefix, struct llms_error **err)
{
	struct llmsched_agent_info *agents = NULL;
	int have_tags, saved;
	size_t n = 0;
	char why[2048];

	if (!*err || (*err)->errnum != ENOSPC)
		return;
	if (read_agents(fd, &agents, &n, &have_tags))
		return;
	llmsub_explain_fit(&t->sub, t->tag_names, agents, n, have_tags, why,
			   sizeof(why));
	free(agents);
	saved = (*err)->errnum;
	llms_error_free(err);
	llms_error_set(err, saved, "%s%s", prefix, why);
}

static void point_at(struct llmsched_task_submit *s, struct llmsub_task *t)
{
	s->nr_deps = t->ndeps;
	s->deps_ptr = t->ndeps ? (uintptr_t)t->dep_ids : 0;
	s->payload_ptr = (uintptr_t)t->payload;
	s->payload_len = (uint32_t)t->payload_len;
}

int llmsub_submit_task(int fd, struct llmsub_task *t, struct llms_error **err)
{
	char prefix[80];
	int ret;

	point_at(&t->sub, t);
	ret = llms_submit(fd, &t->sub, err);
	if (ret == -ENOSPC) {
		if (t->sub.label[0])
			snprintf(prefix, sizeof(prefix),
				 "submitting task '%s': ", t->sub.label);
		else
			snprintf(prefix, sizeof(prefix), "submitting: ");
		explain_nospc(fd, t, prefix, err);
	}
	return ret;
}

int llmsub_submit_batch(int fd, struct llmsub_batch *b, const char *fname,
			struct llms_error **err)
{
	struct llmsched_task_submit *subs;
	uint32_t failed = 0;
	char prefix[512];
	size_t i;
	int ret;

	subs = calloc(b->count, sizeof(*subs));
	if (!subs)
		return llms_error_set(err, ENOMEM, "submitting %zu tasks",
				      b->count);
	for (i = 0; i < b->count; i++) {
		subs[i] = b->tasks[i].sub;
		point_at(&subs[i], &b->tasks[i]);
	}
	ret = llms_submit_batch(fd, subs, (uint32_t)b->count, &failed, err);
	if (ret && failed < b->count) {
		const struct llmsub_task *t = &b->tasks[failed];

		if (ret == -ENOSPC) {
			snprintf(prefix, sizeof(prefix),
				 "%s:%u: nothing was submitted: ", fname,
				 t->line);
			explain_nospc(fd, t, prefix, err);
		} else {
			llms_error_prefix(err,
					  "%s:%u: nothing was submitted", fname,
					  t->line);
		}
	} else if (ret) {
		llms_error_prefix(err, "%s: nothing was submitted", fname);
	}
	if (!ret)
		for (i = 0; i < b->count; i++)
			b->tasks[i].sub.task_id = subs[i].task_id;
	free(subs);
	return ret;
}

static int wait_step(int fd, uint64_t id, uint64_t timeout_ns,
		     struct llmsched_task_wait *w, struct llms_error **err)
{
	memset(w, 0, sizeof(*w));
	w->task_id = id;
	w->timeout_ns = timeout_ns;
	return llms_task_wait(fd, w, err);
}

int llmsub_wait_end(int fd, uint64_t id, struct llmsched_task_wait *w,
		    struct llms_error **err)
{
	int ret;

	for (;;) {
		ret = wait_step(fd, id, WAIT_STEP_NS, w, err);
		if (ret != -ETIMEDOUT && ret != -EINTR)
			return ret;
		llms_error_free(err);
	}
}

int llmsub_follow(int fd, uint64_t id, const char *log_dir,
		  struct llmsched_task_wait *w, struct llms_error **err)
{
	char path[4200];
	struct llms_tasklog out = LLMS_TASKLOG_INIT(path, stdout);
	int ret;

	ret = llms_tasklog_path(path, sizeof(path), log_dir,
				(uint32_t)geteuid(), id, LLMS_TASKLOG_STDOUT,
				err);
	if (ret)
		return ret;
	fflush(stdout);
	return llms_tasklog_follow(fd, id, &out, 1, "llmsub: --follow", w,
				   err);
}
