// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched: /sys/kernel/llmsched, one value per file (a list of values of
 * one kind where a file says so).  Documentation/ABI/testing/
 * sysfs-kernel-llmsched has an entry for every file.
 */

#include <linux/capability.h>
#include <linux/kobject.h>
#include <linux/pid.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "llmsched.h"

static struct kobject *llmsched_kobj;

/* An attribute whose show() needs an index: a resource kind, a state... */
struct llms_attr {
	struct kobj_attribute attr;
	unsigned int index;
	unsigned int index2;
};

#define to_llms_attr(a) container_of(a, struct llms_attr, attr)

#define LLMS_ATTR_RO(_name, _show, _index)				\
	{ .attr = __ATTR(_name, 0444, _show, NULL), .index = (_index) }

static const char * const llms_policy_names[] = {
	[LSC_POLICY_PRIO_FIFO]	= "prio_fifo",
	[LSC_POLICY_SJF]	= "sjf",
	[LSC_POLICY_MLFQ]	= "mlfq",
	[LSC_POLICY_DRF]	= "drf",
};

static const char * const llms_choice_names[] = {
	[LSC_CHOOSE_LEAST_LOADED]	= "least_loaded",
	[LSC_CHOOSE_BEST_FIT]		= "best_fit",
};

/* ------------------------------------------------------------- top level */

static ssize_t version_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%d.%d.%d\n", LLMSCHED_VERSION_MAJOR,
			  LLMSCHED_VERSION_MINOR, LLMSCHED_VERSION_PATCH);
}

static ssize_t instance_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%016llx\n", llmsched.instance);
}

static ssize_t policy_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  llms_policy_names[READ_ONCE(llmsched.eng.policy)]);
}

static ssize_t policy_store(struct kobject *kobj, struct kobj_attribute *attr,
			    const char *buf, size_t count)
{
	int policy = sysfs_match_string(llms_policy_names, buf);

	if (policy < 0)
		return policy;
	spin_lock(&llmsched.lock);
	/* A switch re-queues a batch here, the rest below. */
	lsc_set_policy(&llmsched.eng, policy);
	lsc_dispatch(&llmsched.eng, llms_now());
	spin_unlock(&llmsched.lock);
	llms_finish_pending();
	return count;
}

static ssize_t choice_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  llms_choice_names[READ_ONCE(llmsched.eng.choice)]);
}

static ssize_t choice_store(struct kobject *kobj, struct kobj_attribute *attr,
			    const char *buf, size_t count)
{
	int choice = sysfs_match_string(llms_choice_names, buf);

	if (choice < 0)
		return choice;
	spin_lock(&llmsched.lock);
	lsc_set_agent_choice(&llmsched.eng, choice);
	/* Another rule may place a waiting task where this one did not. */
	lsc_dispatch(&llmsched.eng, llms_now());
	spin_unlock(&llmsched.lock);
	return count;
}

static ssize_t imbalance_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	u64 v;

	spin_lock(&llmsched.lock);
	v = lsc_imbalance(&llmsched.eng);
	spin_unlock(&llmsched.lock);
	return sysfs_emit(buf, "%llu\n", v);
}

/* The interval in force: the last LOAD_REPORT's, or the default. */
static ssize_t load_interval_ns_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	u64 v;

	spin_lock(&llmsched.lock);
	v = llmsched.eng.tun.load_interval_ns;
	spin_unlock(&llmsched.lock);
	return sysfs_emit(buf, "%llu\n", v);
}

static struct kobj_attribute version_attr = __ATTR_RO(version);
static struct kobj_attribute instance_attr = __ATTR_RO(instance);
static struct kobj_attribute policy_attr = __ATTR_RW(policy);
static struct kobj_attribute choice_attr = __ATTR_RW(choice);
static struct kobj_attribute imbalance_attr = __ATTR_RO(imbalance);
static struct kobj_attribute load_interval_ns_attr =
	__ATTR_RO(load_interval_ns);

static struct attribute *llms_top_attrs[] = {
	&version_attr.attr,
	&instance_attr.attr,
	&policy_attr.attr,
	&choice_attr.attr,
	&imbalance_attr.attr,
	&load_interval_ns_attr.attr,
	NULL,
};

static const struct attribute_group llms_top_group = {
	.attrs = llms_top_attrs,
};

/* ------------------------------------------------- capacity and reserved */

static ssize_t capacity_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  READ_ONCE(llmsched.eng.host_cap[to_llms_attr(attr)->index]));
}

static ssize_t reserved_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  READ_ONCE(llmsched.eng.reserved[to_llms_attr(attr)->index]));
}

static struct llms_attr llms_capacity_attrs[] = {
	LLMS_ATTR_RO(cpu, capacity_show, LSC_RES_CPU),
	LLMS_ATTR_RO(mem, capacity_show, LSC_RES_MEM),
	LLMS_ATTR_RO(gpu, capacity_show, LSC_RES_GPU),
	LLMS_ATTR_RO(gpu_mem, capacity_show, LSC_RES_GPU_MEM),
};

static struct llms_attr llms_reserved_attrs[] = {
	LLMS_ATTR_RO(cpu, reserved_show, LSC_RES_CPU),
	LLMS_ATTR_RO(mem, reserved_show, LSC_RES_MEM),
	LLMS_ATTR_RO(gpu, reserved_show, LSC_RES_GPU),
	LLMS_ATTR_RO(gpu_mem, reserved_show, LSC_RES_GPU_MEM),
};

static struct attribute *llms_capacity_list[] = {
	&llms_capacity_attrs[0].attr.attr, &llms_capacity_attrs[1].attr.attr,
	&llms_capacity_attrs[2].attr.attr, &llms_capacity_attrs[3].attr.attr,
	NULL,
};

static struct attribute *llms_reserved_list[] = {
	&llms_reserved_attrs[0].attr.attr, &llms_reserved_attrs[1].attr.attr,
	&llms_reserved_attrs[2].attr.attr, &llms_reserved_attrs[3].attr.attr,
	NULL,
};

static const struct attribute_group llms_capacity_group = {
	.name = "capacity",
	.attrs = llms_capacity_list,
};

static const struct attribute_group llms_reserved_group = {
	.name = "reserved",
	.attrs = llms_reserved_list,
};

/* ----------------------------------------------------------------- limits */

enum {
	LLMS_LIMIT_MAX_TASKS,
	LLMS_LIMIT_MAX_TASKS_PER_USER,
	LLMS_LIMIT_HEARTBEAT,
	LLMS_LIMIT_RETAIN,
	LLMS_LIMIT_MAX_BYTES_PER_USER,
	LLMS_LIMIT_MAX_USER_PRIORITY,
};

static u64 llms_limit_get(const struct llms_limits *l, unsigned int index)
{
	switch (index) {
	case LLMS_LIMIT_MAX_TASKS:
		return l->max_tasks;
	case LLMS_LIMIT_MAX_TASKS_PER_USER:
		return l->max_tasks_per_user;
	case LLMS_LIMIT_HEARTBEAT:
		return l->heartbeat_timeout_ms;
	case LLMS_LIMIT_RETAIN:
		return l->retain_ended;
	case LLMS_LIMIT_MAX_BYTES_PER_USER:
		return l->max_bytes_per_user;
	default:
		return l->max_user_priority;
	}
}

static ssize_t limit_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	u64 v;

	spin_lock(&llmsched.lock);
	v = llms_limit_get(&llmsched.limits, to_llms_attr(attr)->index);
	spin_unlock(&llmsched.lock);
	return sysfs_emit(buf, "%llu\n", v);
}

static ssize_t limit_store(struct kobject *kobj, struct kobj_attribute *attr,
			   const char *buf, size_t count)
{
	struct llms_limits changes = { .max_user_priority = LLMS_LIMIT_KEEP };
	unsigned int index = to_llms_attr(attr)->index;
	u64 v;
	int ret;

	ret = kstrtou64(buf, 0, &v);
	if (ret)
		return ret;
	/* A priority ceiling of 0 is meaningful; elsewhere 0 is out of range. */
	if (index == LLMS_LIMIT_MAX_USER_PRIORITY) {
		if (v > LLMSCHED_PRIO_MAX)
			return -EINVAL;
		changes.max_user_priority = v;
	} else if (!v) {
		return -EINVAL;
	} else if (index == LLMS_LIMIT_MAX_BYTES_PER_USER) {
		changes.max_bytes_per_user = v;
	} else if (v > U32_MAX) {
		return -EINVAL;
	} else if (index == LLMS_LIMIT_MAX_TASKS) {
		changes.max_tasks = v;
	} else if (index == LLMS_LIMIT_MAX_TASKS_PER_USER) {
		changes.max_tasks_per_user = v;
	} else if (index == LLMS_LIMIT_HEARTBEAT) {
		changes.heartbeat_timeout_ms = v;
	} else {
		changes.retain_ended = v;
	}
	ret = llms_apply_limits(&changes);
	return ret ? ret : count;
}

#define LLMS_LIMIT_ATTR(_name, _index)					\
	{ .attr = __ATTR(_name, 0644, limit_show, limit_store),		\
	  .index = (_index) }

static struct llms_attr llms_limit_attrs[] = {
	LLMS_LIMIT_ATTR(max_tasks, LLMS_LIMIT_MAX_TASKS),
	LLMS_LIMIT_ATTR(max_tasks_per_user, LLMS_LIMIT_MAX_TASKS_PER_USER),
	LLMS_LIMIT_ATTR(heartbeat_timeout_ms, LLMS_LIMIT_HEARTBEAT),
	LLMS_LIMIT_ATTR(retain_ended, LLMS_LIMIT_RETAIN),
	LLMS_LIMIT_ATTR(max_bytes_per_user, LLMS_LIMIT_MAX_BYTES_PER_USER),
	LLMS_LIMIT_ATTR(max_user_priority, LLMS_LIMIT_MAX_USER_PRIORITY),
};

static struct attribute *llms_limit_list[] = {
	&llms_limit_attrs[0].attr.attr, &llms_limit_attrs[1].attr.attr,
	&llms_limit_attrs[2].attr.attr, &llms_limit_attrs[3].attr.attr,
	&llms_limit_attrs[4].attr.attr, &llms_limit_attrs[5].attr.attr,
	NULL,
};

static const struct attribute_group llms_limits_group = {
	.name = "limits",
	.attrs = llms_limit_list,
};

/* ------------------------------------------------------------------ stats */

enum {
	LLMS_STAT_SUBMITTED,
	LLMS_STAT_DISPATCHED,
	LLMS_STAT_SUCCEEDED,
	LLMS_STAT_FAILED,
	LLMS_STAT_CANCELLED,
	LLMS_STAT_REQUEUED,
	LLMS_STAT_MIGRATED,
};

/* Under the lock: transitions into @to from any state. */
static u64 llms_entered(unsigned int to)
{
	u64 sum = 0;
	unsigned int from;

	for (from = 0; from < LSC_TASK_NR_STATES; from++)
		sum += llmsched.eng.stats.transitions[from][to];
	return sum;
}

static ssize_t stat_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	const struct lsc_stats *st = &llmsched.eng.stats;
	u64 v;

	spin_lock(&llmsched.lock);
	switch (to_llms_attr(attr)->index) {
	case LLMS_STAT_SUBMITTED:
		v = st->submitted;
		break;
	case LLMS_STAT_DISPATCHED:
		v = st->assigned;
		break;
	case LLMS_STAT_SUCCEEDED:
		v = llms_entered(LSC_TASK_SUCCEEDED);
		break;
	case LLMS_STAT_FAILED:
		v = llms_entered(LSC_TASK_FAILED);
		break;
	case LLMS_STAT_CANCELLED:
		v = llms_entered(LSC_TASK_CANCELLED);
		break;
	case LLMS_STAT_REQUEUED:
		v = st->requeues;
		break;
	default:
		v = st->migrations;
		break;
	}
	spin_unlock(&llmsched.lock);
	return sysfs_emit(buf, "%llu\n", v);
}

static struct llms_attr llms_stat_attrs[] = {
	LLMS_ATTR_RO(submitted, stat_show, LLMS_STAT_SUBMITTED),
	LLMS_ATTR_RO(dispatched, stat_show, LLMS_STAT_DISPATCHED),
	LLMS_ATTR_RO(succeeded, stat_show, LLMS_STAT_SUCCEEDED),
	LLMS_ATTR_RO(failed, stat_show, LLMS_STAT_FAILED),
	LLMS_ATTR_RO(cancelled, stat_show, LLMS_STAT_CANCELLED),
	LLMS_ATTR_RO(requeued, stat_show, LLMS_STAT_REQUEUED),
	LLMS_ATTR_RO(migrated, stat_show, LLMS_STAT_MIGRATED),
};

static struct attribute *llms_stat_list[] = {
	&llms_stat_attrs[0].attr.attr, &llms_stat_attrs[1].attr.attr,
	&llms_stat_attrs[2].attr.attr, &llms_stat_attrs[3].attr.attr,
	&llms_stat_attrs[4].attr.attr, &llms_stat_attrs[5].attr.attr,
	&llms_stat_attrs[6].attr.attr, NULL,
};

static const struct attribute_group llms_stats_group = {
	.name = "stats",
	.attrs = llms_stat_list,
};

/* ------------------------------------------------------------------ queue */

static ssize_t queue_state_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	u64 v;

	spin_lock(&llmsched.lock);
	v = llmsched.by_state[to_llms_attr(attr)->index];
	spin_unlock(&llmsched.lock);
	return sysfs_emit(buf, "%llu\n", v);
}

/* "PRIORITY COUNT" lines for the priorities with waiting tasks, highest
 * first: the depth of the queue per priority.
 */
static ssize_t by_priority_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	const u32 *counts = llmsched.waiting_by_prio;
	ssize_t len = 0;
	int p;

	/* At most 256 short lines: well within the page, and no sleeping. */
	spin_lock(&llmsched.lock);
	for (p = LLMSCHED_PRIO_MAX; p >= 0; p--)
		if (counts[p])
			len += sysfs_emit_at(buf, len, "%d %u\n", p, counts[p]);
	spin_unlock(&llmsched.lock);
	return len;
}

static struct llms_attr llms_queue_attrs[] = {
	LLMS_ATTR_RO(queued, queue_state_show, LSC_TASK_QUEUED),
	LLMS_ATTR_RO(runnable, queue_state_show, LSC_TASK_RUNNABLE),
	LLMS_ATTR_RO(assigned, queue_state_show, LSC_TASK_ASSIGNED),
	LLMS_ATTR_RO(running, queue_state_show, LSC_TASK_RUNNING),
	LLMS_ATTR_RO(by_priority, by_priority_show, 0),
};

static struct attribute *llms_queue_list[] = {
	&llms_queue_attrs[0].attr.attr, &llms_queue_attrs[1].attr.attr,
	&llms_queue_attrs[2].attr.attr, &llms_queue_attrs[3].attr.attr,
	&llms_queue_attrs[4].attr.attr, NULL,
};

static const struct attribute_group llms_queue_group = {
	.name = "queue",
	.attrs = llms_queue_list,
};

static const struct attribute_group *llms_groups[] = {
	&llms_top_group,
	&llms_capacity_group,
	&llms_reserved_group,
	&llms_limits_group,
	&llms_stats_group,
	&llms_queue_group,
	NULL,
};

/* ----------------------------------------------------------------- agents */

#define to_agent(k) container_of(k, struct llms_agent, kobj)

static ssize_t agent_pid_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", pid_nr(to_agent(kobj)->pid));
}

static ssize_t agent_cgroup_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", to_agent(kobj)->cgroup_path);
}

static ssize_t agent_cgroup_id_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", to_agent(kobj)->cgroup_id);
}

static ssize_t agent_capacity_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	struct llms_agent *agent = to_agent(kobj);
	u64 v;

	spin_lock(&llmsched.lock);
	v = agent->core.cap[to_llms_attr(attr)->index];
	spin_unlock(&llmsched.lock);
	return sysfs_emit(buf, "%llu\n", v);
}

enum {
	LLMS_AGENT_LOAD,
	LLMS_AGENT_SLOTS,
};

static ssize_t agent_value_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	struct llms_agent *agent = to_agent(kobj);
	u32 v;

	spin_lock(&llmsched.lock);
	if (to_llms_attr(attr)->index == LLMS_AGENT_LOAD)
		v = lsc_agent_load(&agent->core);
	else
		v = agent->core.slots;
	spin_unlock(&llmsched.lock);
	return sysfs_emit(buf, "%u\n", v);
}

static ssize_t agent_state_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	struct llms_agent *agent = to_agent(kobj);
	const char *state;

	spin_lock(&llmsched.lock);
	if (agent->fencing)
		state = "fencing";
	else if (agent->lost)
		state = "lost";
	else if (agent->core.health == LSC_AGENT_DRAINING)
		state = "draining";
	else
		state = "up";
	spin_unlock(&llmsched.lock);
	return sysfs_emit(buf, "%s\n", state);
}

/*
 * Its tasks, one per line: "ID STATE LABEL", or "ID STATE" without a label.
 * Other users' tasks, so for root only (mode 0400).  At most 64 slots (and
 * the frozen tasks beside them) of under 64 bytes each: lines past the
 * page are left out rather than cut.
 */
static ssize_t agent_tasks_show(struct kobject *kobj,
				struct kobj_attribute *attr, char *buf)
{
	struct llms_agent *agent = to_agent(kobj);
	struct llms_task *task;
	char line[80];
	ssize_t len = 0;
	int n;

	spin_lock(&llmsched.lock);
	llms_for_each_agent_task(task, agent) {
		n = snprintf(line, sizeof(line), "%llu %s%s%s\n",
			     task->core.id,
			     lsc_task_state_name(task->core.state),
			     task->label[0] ? " " : "", task->label);
		if (len + n >= PAGE_SIZE)
			break;
		len += sysfs_emit_at(buf, len, "%s", line);
	}
	spin_unlock(&llmsched.lock);
	return len;
}

static struct kobj_attribute agent_pid_attr =
	__ATTR(pid, 0444, agent_pid_show, NULL);
static struct kobj_attribute agent_cgroup_attr =
	__ATTR(cgroup, 0444, agent_cgroup_show, NULL);
static struct kobj_attribute agent_cgroup_id_attr =
	__ATTR(cgroup_id, 0444, agent_cgroup_id_show, NULL);
static struct kobj_attribute agent_state_attr =
	__ATTR(state, 0444, agent_state_show, NULL);
static struct kobj_attribute agent_tasks_attr =
	__ATTR(tasks, 0400, agent_tasks_show, NULL);

static struct llms_attr llms_agent_attrs[] = {
	LLMS_ATTR_RO(capacity_cpu, agent_capacity_show, LSC_RES_CPU),
	LLMS_ATTR_RO(capacity_mem, agent_capacity_show, LSC_RES_MEM),
	LLMS_ATTR_RO(capacity_gpu, agent_capacity_show, LSC_RES_GPU),
	LLMS_ATTR_RO(capacity_gpu_mem, agent_capacity_show, LSC_RES_GPU_MEM),
	LLMS_ATTR_RO(load, agent_value_show, LLMS_AGENT_LOAD),
	LLMS_ATTR_RO(slots, agent_value_show, LLMS_AGENT_SLOTS),
};

static struct attribute *llms_agent_attrs_list[] = {
	&agent_pid_attr.attr,
	&agent_cgroup_attr.attr,
	&agent_cgroup_id_attr.attr,
	&agent_state_attr.attr,
	&agent_tasks_attr.attr,
	&llms_agent_attrs[0].attr.attr, &llms_agent_attrs[1].attr.attr,
	&llms_agent_attrs[2].attr.attr, &llms_agent_attrs[3].attr.attr,
	&llms_agent_attrs[4].attr.attr, &llms_agent_attrs[5].attr.attr,
	NULL,
};

static const struct attribute_group llms_agent_group = {
	.attrs = llms_agent_attrs_list,
};

static const struct attribute_group *llms_agent_groups[] = {
	&llms_agent_group,
	NULL,
};

static const struct kobj_type llms_agent_ktype = {
	.release	= llms_agent_release,
	.sysfs_ops	= &kobj_sysfs_ops,
	.default_groups	= llms_agent_groups,
};

void llms_agent_kobj_init(struct llms_agent *agent)
{
	kobject_init(&agent->kobj, &llms_agent_ktype);
}

int llms_agent_sysfs_add(struct llms_agent *agent)
{
	int ret;

	ret = kobject_add(&agent->kobj, llmsched.agents_kobj, "%u",
			  agent->core.id);
	if (!ret)
		agent->kobj_added = true;
	return ret;
}

void llms_agent_sysfs_del(struct llms_agent *agent)
{
	if (agent->kobj_added) {
		kobject_del(&agent->kobj);
		agent->kobj_added = false;
	}
}

/* -------------------------------------------------------------- init/exit */

int llmsched_sysfs_init(void)
{
	int ret;

	llmsched_kobj = kobject_create_and_add(LLMSCHED_DEVICE_NAME, kernel_kobj);
	if (!llmsched_kobj)
		return -ENOMEM;

	ret = sysfs_create_groups(llmsched_kobj, llms_groups);
	if (ret)
		goto err_put;

	llmsched.agents_kobj = kobject_create_and_add("agents", llmsched_kobj);
	if (!llmsched.agents_kobj) {
		ret = -ENOMEM;
		goto err_groups;
	}
	return 0;

err_groups:
	sysfs_remove_groups(llmsched_kobj, llms_groups);
err_put:
	kobject_put(llmsched_kobj);
	llmsched_kobj = NULL;
	return ret;
}

void llmsched_sysfs_exit(void)
{
	kobject_put(llmsched.agents_kobj);
	llmsched.agents_kobj = NULL;
	sysfs_remove_groups(llmsched_kobj, llms_groups);
	kobject_put(llmsched_kobj);
	llmsched_kobj = NULL;
}
