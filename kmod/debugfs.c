// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched: /sys/kernel/debug/llmsched, what tests and developers look at
 * and no program should depend on (it is not a stable ABI):
 *
 * - transitions/<from>_to_<to>: how often tasks made each transition of the
 *   state machine (the engine counts every one in one place);
 * - objects: the module's live objects by kind, for leak checks.
 */

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "llmsched.h"

static const char * const llms_object_names[] = {
	[LLMS_OBJ_TASK]		= "tasks",
	[LLMS_OBJ_AGENT]	= "agents",
	[LLMS_OBJ_USER]		= "users",
	[LLMS_OBJ_EVENTS]	= "event_sinks",
	[LLMS_OBJ_EVENT_RING]	= "event_rings",
	[LLMS_OBJ_FILE]		= "files",
};

static int objects_show(struct seq_file *m, void *unused)
{
	unsigned int i;

	BUILD_BUG_ON(ARRAY_SIZE(llms_object_names) != LLMS_OBJ_NR);
	for (i = 0; i < LLMS_OBJ_NR; i++)
		seq_printf(m, "%s %ld\n", llms_object_names[i],
			   atomic_long_read(&llmsched.nr_objects[i]));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(objects);

/* The file's private data is from * LSC_TASK_NR_STATES + to. */
static int transition_show(struct seq_file *m, void *unused)
{
	unsigned long index = (unsigned long)m->private;
	u64 v;

	spin_lock(&llmsched.lock);
	v = llmsched.eng.stats.transitions[index / LSC_TASK_NR_STATES]
					  [index % LSC_TASK_NR_STATES];
	spin_unlock(&llmsched.lock);
	seq_printf(m, "%llu\n", v);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(transition);

/*
 * One file per transition the state machine may make: from every state
 * that is not terminal to every other state but NEW.
 */
static void llms_debugfs_transitions(struct dentry *dir)
{
	unsigned long from, to;
	char name[40];

	for (from = LSC_TASK_NEW; from < LSC_TASK_NR_STATES; from++) {
		if (lsc_task_terminal(from))
			continue;
		for (to = LSC_TASK_QUEUED; to < LSC_TASK_NR_STATES; to++) {
			if (to == from)
				continue;
			snprintf(name, sizeof(name), "%s_to_%s",
				 lsc_task_state_name(from),
				 lsc_task_state_name(to));
			debugfs_create_file(name, 0400, dir,
					    (void *)(from * LSC_TASK_NR_STATES + to),
					    &transition_fops);
		}
	}
}

/* debugfs is optional: failures leave the module working without it. */
void llms_debugfs_init(void)
{
	struct dentry *dir;

	dir = debugfs_create_dir(LLMSCHED_DEVICE_NAME, NULL);
	llmsched.debugfs = dir;
	debugfs_create_file("objects", 0400, dir, NULL, &objects_fops);
	llms_debugfs_transitions(debugfs_create_dir("transitions", dir));
}

void llms_debugfs_exit(void)
{
	debugfs_remove(llmsched.debugfs);
	llmsched.debugfs = NULL;
}
