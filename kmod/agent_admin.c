// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched: what the runtime does to agents by id, from any of its files:
 * list them (a restarted runtime finds its agents again), drain them,
 * resize them, and report their measured loads to the balancer.
 */

#include <linux/pid.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "llmsched.h"

#define LLMS_AGENT_LIST_MAX	1024
#define LLMS_LOAD_ENTRIES_MAX	4096
/* Entries a LOAD_REPORT takes on the stack (8 bytes each); more, kvmalloc. */
#define LLMS_LOAD_ENTRIES_ON_STACK	32
#define LLMS_LOAD_MAX		65535

/* Under the lock: @agent's state as the uAPI names it. */
u32 llms_agent_uapi_state(const struct llms_agent *agent)
{
	if (agent->fencing)
		return LLMSCHED_AGENT_FENCING;
	if (agent->core.health == LSC_AGENT_DRAINING)
		return LLMSCHED_AGENT_DRAINING;
	return LLMSCHED_AGENT_UP;
}

/* Under the lock. */
static void llms_fill_agent_info(struct llmsched_agent_info *info,
				 struct llms_agent *agent)
{
	struct llms_task *task;
	unsigned int i;

	memset(info, 0, sizeof(*info));
	info->state = llms_agent_uapi_state(agent);
	info->agent_id = agent->core.id;
	info->pid = pid_vnr(agent->pid);
	info->cgroup_id = agent->cgroup_id;
	info->slots = agent->core.slots;
	info->used_slots = agent->core.used_slots;
	info->load = lsc_agent_load(&agent->core);
	for (i = 0; i < LSC_NR_RES; i++) {
		info->capacity[i] = agent->core.cap[i];
		info->committed[i] = agent->core.committed[i];
		info->frozen[i] = agent->core.frozen[i];
	}
	info->tags = agent->core.tags;
	llms_for_each_agent_task(task, agent)
		info->nr_fetched += task->fetched_by == agent->core.id;
}

long llms_ioc_agent_list(struct llms_file *lf, void *arg,
			 struct llms_ucmd *ucmd)
{
	struct llmsched_agent_list *req = arg;
	struct llmsched_agent_info *infos;
	struct llms_agent *agent;
	unsigned long index;
	u32 n = 0, i;
	int ret;

	if (req->flags)
		return -EINVAL;
	if (!req->count || req->count > LLMS_AGENT_LIST_MAX ||
	    req->entry_size < LLMSCHED_AGENT_INFO_SIZE_VER0 ||
	    req->entry_size > PAGE_SIZE)
		return -EINVAL;
	infos = kvcalloc(req->count, sizeof(*infos), GFP_KERNEL);
	if (!infos)
		return -ENOMEM;

	req->next_id = 0;
	index = max_t(u32, req->start_id, 1);
	spin_lock(&llmsched.lock);
	xa_for_each_start(&llmsched.agents, index, agent, index) {
		if (n == req->count) {
			req->next_id = index;
			break;
		}
		llms_fill_agent_info(&infos[n++], agent);
	}
	spin_unlock(&llmsched.lock);

	for (i = 0; i < n; i++)
		infos[i].size = min_t(u32, req->entry_size, sizeof(*infos));
	ret = llms_put_entries(u64_to_user_ptr(req->entries_ptr),
			       req->entry_size, infos, sizeof(*infos), n);
	req->count = ret ? 0 : n;
	kvfree(infos);
	return ret;
}

/* Under the lock: the live agent @id, or NULL. */
static struct llms_agent *llms_agent_find_locked(u32 id)
{
	struct llms_agent *agent = xa_load(&llmsched.agents, id);

	return agent && !agent->lost ? agent : NULL;
}

long llms_ioc_agent_drain(struct llms_file *lf, void *arg,
			  struct llms_ucmd *ucmd)
{
	struct llmsched_agent_drain *req = arg;
	bool undo = req->flags & LLMSCHED_DRAIN_UNDO;
	struct llms_agent *agent;
	struct llms_task *task;
	u64 now = llms_now();
	int ret = 0;

	if (req->flags & ~LLMSCHED_DRAIN_FLAGS || req->__reserved)
		return -EINVAL;

	spin_lock(&llmsched.lock);
	agent = llms_agent_find_locked(req->agent_id);
	if (!agent) {
		ret = -ENOENT;
	} else if (undo) {
		lsc_agent_set_health(&llmsched.eng, &agent->core,
				     LSC_AGENT_UP, now);
	} else {
		/* What it was handed and did not take goes elsewhere. */
		llms_for_each_agent_task_safe(task, agent)
			if (task->core.state == LSC_TASK_ASSIGNED &&
			    !task->fetched_by)
				lsc_task_requeue(&llmsched.eng, &task->core,
						 false, now);
		lsc_agent_set_health(&llmsched.eng, &agent->core,
				     LSC_AGENT_DRAINING, now);
	}
	if (!ret) {
		llms_netlink_agent_event(agent, llms_agent_uapi_state(agent),
					 now);
		lsc_dispatch(&llmsched.eng, now);
	}
	spin_unlock(&llmsched.lock);
	llms_finish_pending();
	return ret;
}

long llms_ioc_agent_resize(struct llms_file *lf, void *arg,
			   struct llms_ucmd *ucmd)
{
	struct llmsched_agent_resize *req = arg;
	struct llms_agent *agent;
	u64 cap[LSC_NR_RES];
	bool keep_cap;
	unsigned int i;
	int ret;

	if (req->flags)
		return -EINVAL;
	if (req->slots > LLMSCHED_SLOTS_MAX)
		return -EINVAL;
	ret = llms_res_vector_check(req->capacity, U64_MAX, false);
	if (ret)
		return ret;
	keep_cap = !memchr_inv(req->capacity, 0, sizeof(req->capacity));

	spin_lock(&llmsched.lock);
	agent = llms_agent_find_locked(req->agent_id);
	if (!agent) {
		ret = -ENOENT;
		goto out;
	}
	for (i = 0; i < LSC_NR_RES; i++)
		cap[i] = keep_cap ? agent->core.cap[i] : req->capacity[i];
	ret = lsc_agent_resize(&llmsched.eng, &agent->core, cap, req->slots);
	if (ret == -LSC_EBUSY)
		ret = -EBUSY;
	else if (ret == -LSC_EOVERCOMMIT)
		ret = -ENOSPC;
	else if (ret)
		ret = -EINVAL;
	else
		lsc_dispatch(&llmsched.eng, llms_now());
out:
	spin_unlock(&llmsched.lock);
	/* A new capacity may be a new agent class: re-queue, a batch a hold. */
	llms_finish_pending();
	return ret;
}

long llms_ioc_load_report(struct llms_file *lf, void *arg,
			  struct llms_ucmd *ucmd)
{
	struct llmsched_load_report *req = arg;
	struct llmsched_load_entry few[LLMS_LOAD_ENTRIES_ON_STACK], *entries;
	void __user *uentries = u64_to_user_ptr(req->entries_ptr);
	struct llms_agent *agent;
	u64 now;
	u32 i;
	int ret = 0;

	if (req->flags)
		return -EINVAL;
	if (!req->count || req->count > LLMS_LOAD_ENTRIES_MAX ||
	    req->entry_size < LLMSCHED_LOAD_ENTRY_SIZE_VER0 ||
	    req->entry_size > PAGE_SIZE)
		return -EINVAL;
	/* 0 (and a first-version caller's zero-filled tail) keeps it. */
	if (req->interval_ns &&
	    (req->interval_ns < LLMSCHED_LOAD_INTERVAL_MIN_NS ||
	     req->interval_ns > LLMSCHED_LOAD_INTERVAL_MAX_NS))
		return -EINVAL;

	/* One report every few ms: a small one allocates nothing. */
	entries = req->count <= ARRAY_SIZE(few) ? few :
		  kvmalloc_array(req->count, sizeof(*entries), GFP_KERNEL);
	if (!entries)
		return -ENOMEM;
	if (req->entry_size == sizeof(*entries)) {
		if (copy_from_user(entries, uentries,
				   (size_t)req->count * sizeof(*entries)))
			ret = -EFAULT;
	} else {
		for (i = 0; i < req->count && !ret; i++)
			ret = copy_struct_from_user(&entries[i],
						    sizeof(entries[i]),
						    uentries + (size_t)i *
						    req->entry_size,
						    req->entry_size);
	}
	for (i = 0; i < req->count && !ret; i++)
		if (entries[i].load > LLMS_LOAD_MAX)
			ret = -EINVAL;
	if (ret)
		goto out;

	now = llms_now();
	spin_lock(&llmsched.lock);
	/* Within the engine's range (checked at build time): no failure. */
	if (req->interval_ns)
		lsc_set_load_interval(&llmsched.eng, req->interval_ns);
	for (i = 0; i < req->count; i++) {
		agent = llms_agent_find_locked(entries[i].agent_id);
		if (agent)
			lsc_agent_set_measured(&llmsched.eng, &agent->core,
					       entries[i].load, now);
	}
	lsc_balance(&llmsched.eng, now);
	lsc_dispatch(&llmsched.eng, now);
	spin_unlock(&llmsched.lock);
out:
	if (entries != few)
		kvfree(entries);
	return ret;
}
