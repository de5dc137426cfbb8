// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched: the character device /dev/llmsched and module lifetime.
 *
 * The device is a plain character device with a class of its own rather
 * than a misc minor: devtmpfs takes a node's owner and group only from the
 * device type's devnode() callback, which a misc device cannot carry, and
 * the node's group is a module parameter.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/random.h>
#include <linux/uidgid.h>

#include <linux/llmsched.h>

#include "llmsched.h"

static ushort dev_mode = 0660;
module_param(dev_mode, ushort, 0444);
MODULE_PARM_DESC(dev_mode, "Permission bits of /dev/llmsched (default 0660)");

static uint dev_gid;
module_param(dev_gid, uint, 0444);
MODULE_PARM_DESC(dev_gid, "Group id owning /dev/llmsched (default 0, root)");

static dev_t llmsched_devt;
static struct cdev llmsched_cdev;
static struct class *llmsched_class;
static struct device *llmsched_dev;

/* Every argument structure, for one buffer on the stack. */
union llms_ucmd_buffer {
	struct llmsched_version version;
	struct llmsched_task_submit submit;
	struct llmsched_submit_batch batch;
	struct llmsched_task_cancel cancel;
	struct llmsched_task_info info;
	struct llmsched_task_wait wait;
	struct llmsched_task_list list;
	struct llmsched_agent_register agent_register;
	struct llmsched_agent_fetch fetch;
	struct llmsched_agent_task agent_task;
	struct llmsched_agent_complete complete;
	struct llmsched_agent_heartbeat heartbeat;
	struct llmsched_agent_unregister unregister;
	struct llmsched_agent_control control;
	struct llmsched_agent_confirm confirm;
	struct llmsched_load_report load;
	struct llmsched_agent_list agent_list;
	struct llmsched_agent_drain drain;
	struct llmsched_agent_resize resize;
	struct llmsched_capacity capacity;
	struct llmsched_policy policy;
	struct llmsched_estimator estimator;
	struct llmsched_limits limits;
};

/**
 * struct llms_ioctl_op - one ioctl
 * @handler: does the work on the copied-in argument; a handler whose
 *	results must reach the caller before they take effect writes them
 *	itself with llms_ucmd_respond()
 * @size: sizeof() the argument as this module knows it
 * @min_size: the smallest @size a caller may pass (the first version)
 * @admin: needs CAP_SYS_ADMIN
 * @copy_out: the argument has output fields: it is copied back, on
 *	failure too (an index, a needed size, a state), unless the handler
 *	responded itself
 */
struct llms_ioctl_op {
	long (*handler)(struct llms_file *lf, void *arg,
			struct llms_ucmd *ucmd);
	u32 size;
	u32 min_size;
	bool admin;
	bool copy_out;
};

/*
 * One entry of the table: the command, its handler, its structure (whose
 * first version's size the uAPI names as <NAME>_SIZE_VER0), whether it
 * needs CAP_SYS_ADMIN and whether it has output fields.
 */
#define LLMS_IOCTL(_cmd, _fn, _type, _ver0, _admin, _out)		\
	[_IOC_NR(_cmd)] = {						\
		.handler = _fn,						\
		.size = sizeof(struct _type),				\
		.min_size = _ver0,					\
		.admin = _admin,					\
		.copy_out = _out,					\
	}

static const struct llms_ioctl_op llms_ioctl_ops[] = {
	LLMS_IOCTL(LLMSCHED_IOC_VERSION, llms_ioc_version, llmsched_version,
		   LLMSCHED_VERSION_SIZE_VER0, false, true),
	LLMS_IOCTL(LLMSCHED_IOC_SUBMIT, llms_ioc_submit, llmsched_task_submit,
		   LLMSCHED_TASK_SUBMIT_SIZE_VER0, false, true),
	LLMS_IOCTL(LLMSCHED_IOC_SUBMIT_BATCH, llms_ioc_submit_batch,
		   llmsched_submit_batch, LLMSCHED_SUBMIT_BATCH_SIZE_VER0,
		   false, true),
	LLMS_IOCTL(LLMSCHED_IOC_CANCEL, llms_ioc_cancel, llmsched_task_cancel,
		   LLMSCHED_TASK_CANCEL_SIZE_VER0, false, false),
	LLMS_IOCTL(LLMSCHED_IOC_TASK_QUERY, llms_ioc_task_query,
		   llmsched_task_info, LLMSCHED_TASK_INFO_SIZE_VER0, false,
		   true),
	LLMS_IOCTL(LLMSCHED_IOC_TASK_WAIT, llms_ioc_task_wait,
		   llmsched_task_wait, LLMSCHED_TASK_WAIT_SIZE_VER0, false, true),
	LLMS_IOCTL(LLMSCHED_IOC_TASK_LIST, llms_ioc_task_list,
		   llmsched_task_list, LLMSCHED_TASK_LIST_SIZE_VER0, false, true),
	LLMS_IOCTL(LLMSCHED_IOC_GET_CAPACITY, llms_ioc_get_capacity,
		   llmsched_capacity, LLMSCHED_CAPACITY_SIZE_VER0, false, true),
	LLMS_IOCTL(LLMSCHED_IOC_GET_POLICY, llms_ioc_get_policy,
		   llmsched_policy, LLMSCHED_POLICY_SIZE_VER0, false, true),
	LLMS_IOCTL(LLMSCHED_IOC_GET_ESTIMATOR, llms_ioc_get_estimator,
		   llmsched_estimator, LLMSCHED_ESTIMATOR_SIZE_VER0, false,
		   true),
	LLMS_IOCTL(LLMSCHED_IOC_GET_LIMITS, llms_ioc_get_limits,
		   llmsched_limits, LLMSCHED_LIMITS_SIZE_VER0, false, true),

	LLMS_IOCTL(LLMSCHED_IOC_AGENT_REGISTER, llms_ioc_agent_register,
		   llmsched_agent_register, LLMSCHED_AGENT_REGISTER_SIZE_VER0,
		   true, true),
	LLMS_IOCTL(LLMSCHED_IOC_AGENT_FETCH, llms_ioc_agent_fetch,
		   llmsched_agent_fetch, LLMSCHED_AGENT_FETCH_SIZE_VER0, true,
		   true),
	LLMS_IOCTL(LLMSCHED_IOC_AGENT_START, llms_ioc_agent_start,
		   llmsched_agent_task, LLMSCHED_AGENT_TASK_SIZE_VER0, true,
		   false),
	LLMS_IOCTL(LLMSCHED_IOC_AGENT_COMPLETE, llms_ioc_agent_complete,
		   llmsched_agent_complete, LLMSCHED_AGENT_COMPLETE_SIZE_VER0,
		   true, false),
	LLMS_IOCTL(LLMSCHED_IOC_AGENT_HEARTBEAT, llms_ioc_agent_heartbeat,
		   llmsched_agent_heartbeat, LLMSCHED_AGENT_HEARTBEAT_SIZE_VER0,
		   true, false),
	LLMS_IOCTL(LLMSCHED_IOC_AGENT_UNREGISTER, llms_ioc_agent_unregister,
		   llmsched_agent_unregister,
		   LLMSCHED_AGENT_UNREGISTER_SIZE_VER0, true, false),
	LLMS_IOCTL(LLMSCHED_IOC_AGENT_CONTROL, llms_ioc_agent_control,
		   llmsched_agent_control, LLMSCHED_AGENT_CONTROL_SIZE_VER0,
		   true, true),
	LLMS_IOCTL(LLMSCHED_IOC_AGENT_CONFIRM, llms_ioc_agent_confirm,
		   llmsched_agent_confirm, LLMSCHED_AGENT_CONFIRM_SIZE_VER0,
		   true, false),
	LLMS_IOCTL(LLMSCHED_IOC_LOAD_REPORT, llms_ioc_load_report,
		   llmsched_load_report, LLMSCHED_LOAD_REPORT_SIZE_VER0, true,
		   false),
	LLMS_IOCTL(LLMSCHED_IOC_AGENT_LIST, llms_ioc_agent_list,
		   llmsched_agent_list, LLMSCHED_AGENT_LIST_SIZE_VER0, true,
		   true),
	LLMS_IOCTL(LLMSCHED_IOC_AGENT_DRAIN, llms_ioc_agent_drain,
		   llmsched_agent_drain, LLMSCHED_AGENT_DRAIN_SIZE_VER0, true,
		   false),
	LLMS_IOCTL(LLMSCHED_IOC_AGENT_RESIZE, llms_ioc_agent_resize,
		   llmsched_agent_resize, LLMSCHED_AGENT_RESIZE_SIZE_VER0, true,
		   false),

	LLMS_IOCTL(LLMSCHED_IOC_SET_CAPACITY, llms_ioc_set_capacity,
		   llmsched_capacity, LLMSCHED_CAPACITY_SIZE_VER0, true, false),
	LLMS_IOCTL(LLMSCHED_IOC_SET_POLICY, llms_ioc_set_policy,
		   llmsched_policy, LLMSCHED_POLICY_SIZE_VER0, true, false),
	LLMS_IOCTL(LLMSCHED_IOC_SET_ESTIMATOR, llms_ioc_set_estimator,
		   llmsched_estimator, LLMSCHED_ESTIMATOR_SIZE_VER0, true,
		   false),
	LLMS_IOCTL(LLMSCHED_IOC_SET_LIMITS, llms_ioc_set_limits,
		   llmsched_limits, LLMSCHED_LIMITS_SIZE_VER0, true, false),
};

/*
 * The first version of every structure is the one this module was built
 * with: 1.0 is where they all start.  A later field moves sizeof() past
 * _SIZE_VER0, never the other way.
 */
/* A structure as this module builds it is its first version. */
#define LLMS_VER0(type, ver0)	BUILD_BUG_ON(sizeof(struct type) != (ver0))

/* Two constants of two enums that must be equal. */
#define LLMS_SAME(a, b)	BUILD_BUG_ON((int)(a) != (int)(b))

static void __init llms_uapi_checks(void)
{
	/* One definition of each constant: the engine's are the uAPI's. */
	LLMS_SAME(LSC_TASK_QUEUED, LLMSCHED_TASK_QUEUED);
	LLMS_SAME(LSC_TASK_RUNNABLE, LLMSCHED_TASK_RUNNABLE);
	LLMS_SAME(LSC_TASK_ASSIGNED, LLMSCHED_TASK_ASSIGNED);
	LLMS_SAME(LSC_TASK_RUNNING, LLMSCHED_TASK_RUNNING);
	LLMS_SAME(LSC_TASK_SUCCEEDED, LLMSCHED_TASK_SUCCEEDED);
	LLMS_SAME(LSC_TASK_FAILED, LLMSCHED_TASK_FAILED);
	LLMS_SAME(LSC_TASK_CANCELLED, LLMSCHED_TASK_CANCELLED);
	LLMS_SAME(LSC_TASK_STOPPING, LLMSCHED_TASK_STOPPING);
	LLMS_SAME(LSC_TASK_FROZEN, LLMSCHED_TASK_FROZEN);
	LLMS_SAME(LSC_TASK_NR_STATES, LLMSCHED_TASK_FROZEN + 1);
	LLMS_SAME(LSC_POLICY_PRIO_FIFO, LLMSCHED_POLICY_PRIO_FIFO);
	LLMS_SAME(LSC_POLICY_SJF, LLMSCHED_POLICY_SJF);
	LLMS_SAME(LSC_POLICY_MLFQ, LLMSCHED_POLICY_MLFQ);
	LLMS_SAME(LSC_POLICY_DRF, LLMSCHED_POLICY_DRF);
	LLMS_SAME(LSC_POLICY_NR, LLMSCHED_POLICY_DRF + 1);
	LLMS_SAME(LSC_CHOOSE_LEAST_LOADED, LLMSCHED_CHOICE_LEAST_LOADED);
	LLMS_SAME(LSC_CHOOSE_BEST_FIT, LLMSCHED_CHOICE_BEST_FIT);
	LLMS_SAME(LSC_CHOOSE_NR, LLMSCHED_CHOICE_BEST_FIT + 1);
	LLMS_SAME(LSC_RES_CPU, LLMSCHED_RES_CPU);
	LLMS_SAME(LSC_RES_MEM, LLMSCHED_RES_MEM);
	LLMS_SAME(LSC_RES_GPU, LLMSCHED_RES_GPU);
	LLMS_SAME(LSC_RES_GPU_MEM, LLMSCHED_RES_GPU_MEM);
	LLMS_SAME(LSC_NR_RES, LLMSCHED_RES_KNOWN);
	LLMS_SAME(LSC_MAX_RES, LLMSCHED_RES_MAX);
	LLMS_SAME(LSC_PRIO_MIN, LLMSCHED_PRIO_MIN);
	LLMS_SAME(LSC_PRIO_MAX, LLMSCHED_PRIO_MAX);
	LLMS_SAME(LSC_PRIO_DEFAULT, LLMSCHED_PRIO_DEFAULT);
	LLMS_SAME(LSC_EST_MAX_FEATURES, LLMSCHED_FEATURES_MAX);
	BUILD_BUG_ON(LSC_AGENT_MAX_SLOTS < LLMSCHED_SLOTS_MAX);
	/* A load report's interval is one the engine takes. */
	BUILD_BUG_ON(LLMSCHED_LOAD_INTERVAL_MIN_NS < 1000 ||
		     LLMSCHED_LOAD_INTERVAL_MAX_NS > (1ULL << 40));
	LLMS_SAME(LSC_WAIT_NONE, LLMSCHED_WAIT_NONE);
	LLMS_SAME(LSC_WAIT_DEPS, LLMSCHED_WAIT_DEPS);
	LLMS_SAME(LSC_WAIT_TURN, LLMSCHED_WAIT_TURN);
	LLMS_SAME(LSC_WAIT_USER_LIMIT, LLMSCHED_WAIT_USER_LIMIT);
	LLMS_SAME(LSC_WAIT_NO_AGENT, LLMSCHED_WAIT_NO_AGENT);
	LLMS_SAME(LSC_WAIT_REKEY, LLMSCHED_WAIT_REKEY);
	LLMS_SAME(LSC_WAIT_NR, LLMSCHED_WAIT_REKEY + 1);

	LLMS_VER0(llmsched_version, LLMSCHED_VERSION_SIZE_VER0);
	LLMS_VER0(llmsched_task_submit, LLMSCHED_TASK_SUBMIT_SIZE_VER0);
	LLMS_VER0(llmsched_submit_batch, LLMSCHED_SUBMIT_BATCH_SIZE_VER0);
	LLMS_VER0(llmsched_task_cancel, LLMSCHED_TASK_CANCEL_SIZE_VER0);
	LLMS_VER0(llmsched_task_info, LLMSCHED_TASK_INFO_SIZE_VER0);
	LLMS_VER0(llmsched_task_wait, LLMSCHED_TASK_WAIT_SIZE_VER0);
	LLMS_VER0(llmsched_task_list, LLMSCHED_TASK_LIST_SIZE_VER0);
	LLMS_VER0(llmsched_agent_register, LLMSCHED_AGENT_REGISTER_SIZE_VER0);
	LLMS_VER0(llmsched_agent_fetch, LLMSCHED_AGENT_FETCH_SIZE_VER1);
	LLMS_VER0(llmsched_agent_task, LLMSCHED_AGENT_TASK_SIZE_VER0);
	LLMS_VER0(llmsched_agent_complete, LLMSCHED_AGENT_COMPLETE_SIZE_VER0);
	LLMS_VER0(llmsched_agent_heartbeat, LLMSCHED_AGENT_HEARTBEAT_SIZE_VER0);
	LLMS_VER0(llmsched_agent_unregister, LLMSCHED_AGENT_UNREGISTER_SIZE_VER0);
	LLMS_VER0(llmsched_agent_control, LLMSCHED_AGENT_CONTROL_SIZE_VER0);
	LLMS_VER0(llmsched_agent_confirm, LLMSCHED_AGENT_CONFIRM_SIZE_VER0);
	LLMS_VER0(llmsched_load_entry, LLMSCHED_LOAD_ENTRY_SIZE_VER0);
	LLMS_VER0(llmsched_load_report, LLMSCHED_LOAD_REPORT_SIZE_VER1);
	LLMS_VER0(llmsched_agent_info, LLMSCHED_AGENT_INFO_SIZE_VER0);
	LLMS_VER0(llmsched_agent_list, LLMSCHED_AGENT_LIST_SIZE_VER0);
	LLMS_VER0(llmsched_agent_drain, LLMSCHED_AGENT_DRAIN_SIZE_VER0);
	LLMS_VER0(llmsched_agent_resize, LLMSCHED_AGENT_RESIZE_SIZE_VER0);
	LLMS_VER0(llmsched_capacity, LLMSCHED_CAPACITY_SIZE_VER0);
	LLMS_VER0(llmsched_policy, LLMSCHED_POLICY_SIZE_VER0);
	LLMS_VER0(llmsched_estimator, LLMSCHED_ESTIMATOR_SIZE_VER0);
	LLMS_VER0(llmsched_limits, LLMSCHED_LIMITS_SIZE_VER0);
	BUILD_BUG_ON(sizeof(union llms_ucmd_buffer) > 512);
}

static int llmsched_open(struct inode *inode, struct file *file)
{
	struct llms_file *lf;

	lf = kzalloc(sizeof(*lf), LLMS_GFP_USER);
	if (!lf)
		return -ENOMEM;
	lf->events = llms_events_alloc();
	if (!lf->events) {
		kfree(lf);
		return -ENOMEM;
	}
	mutex_init(&lf->agent_lock);
	init_waitqueue_head(&lf->agent_wq);
	llms_obj_inc(LLMS_OBJ_FILE);
	file->private_data = lf;
	return nonseekable_open(inode, file);
}

/*
 * Every close() of a descriptor: when the agent's own process lets go of
 * its last descriptor of the file, the agent ends now, even if another of
 * its threads still sleeps in a call on the file (which keeps the file, but
 * not the agent, alive).
 */
static int llmsched_flush(struct file *file, fl_owner_t id)
{
	llms_agent_file_flush(file->private_data, file);
	return 0;
}

static int llmsched_release(struct inode *inode, struct file *file)
{
	struct llms_file *lf = file->private_data;

	llms_agent_file_release(lf);
	llms_events_close(lf->events);
	llms_events_put(lf->events);
	mutex_destroy(&lf->agent_lock);
	kfree(lf);
	llms_obj_dec(LLMS_OBJ_FILE);
	return 0;
}

/*
 * Write a handler's argument back now, before its call takes effect: an id
 * the caller cannot receive means the call fails with nothing done.  The
 * dispatcher then does not copy it again, unless the handler clears
 * @ucmd->responded to report a later failure.
 */
/*
 * Write @n entries of @ksize bytes from @src to an array of the caller's
 * whose entries are @esize bytes: each gets what both sizes hold, and an
 * entry larger than the kernel's is zeroed past it (fields this kernel does
 * not know are absent, and absent is zero).
 */
int llms_put_entries(void __user *dst, u32 esize, const void *src,
		     size_t ksize, u32 n)
{
	size_t copy = min_t(size_t, esize, ksize);
	u32 i;

	for (i = 0; i < n; i++) {
		void __user *to = dst + (size_t)i * esize;

		if (copy_to_user(to, src + i * ksize, copy))
			return -EFAULT;
		if (esize > copy && clear_user(to + copy, esize - copy))
			return -EFAULT;
	}
	return 0;
}

int llms_ucmd_respond(struct llms_ucmd *ucmd, const void *arg)
{
	ucmd->responded = true;
	if (copy_to_user(ucmd->uarg, arg, min(ucmd->usize, ucmd->size)))
		return -EFAULT;
	return 0;
}

/*
 * The iommufd model: the command number carries no size; each argument
 * starts with its own size, and copy_struct_from_user() takes older and
 * newer callers alike (missing fields read as zero, unknown ones must be).
 */
static long llmsched_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	const struct llms_ioctl_op *op;
	union llms_ucmd_buffer buf;
	unsigned int nr = _IOC_NR(cmd);
	struct llms_ucmd ucmd;
	u32 usize;
	long ret;

	if (cmd != _IO(LLMSCHED_IOCTL_MAGIC, nr) ||
	    nr >= ARRAY_SIZE(llms_ioctl_ops) || !llms_ioctl_ops[nr].handler)
		return -ENOTTY;
	op = &llms_ioctl_ops[nr];
	if (op->admin && !capable(CAP_SYS_ADMIN))
		return -EPERM;

	if (get_user(usize, (u32 __user *)uarg))
		return -EFAULT;
	if (usize < op->min_size)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	ret = copy_struct_from_user(&buf, op->size, uarg, usize);
	if (ret)
		return ret;

	ucmd.uarg = uarg;
	ucmd.usize = usize;
	ucmd.size = op->size;
	ucmd.responded = false;
	ret = op->handler(file->private_data, &buf, &ucmd);
	if (op->copy_out && !ucmd.responded &&
	    copy_to_user(uarg, &buf, min_t(u32, usize, op->size)) && !ret)
		ret = -EFAULT;
	return ret;
}

static __poll_t llmsched_poll(struct file *file, poll_table *wait)
{
	struct llms_file *lf = file->private_data;
	struct llms_agent *agent;
	__poll_t mask = 0;

	/*
	 * Both queues live as long as the file: a poller added before the
	 * file registers an agent, or still there after the agent ended, is
	 * never left on freed memory.
	 */
	poll_wait(file, &lf->events->wq, wait);
	poll_wait(file, &lf->agent_wq, wait);
	mutex_lock(&lf->agent_lock);
	agent = lf->agent;
	if (agent)
		mask |= llms_agent_poll(agent);
	mutex_unlock(&lf->agent_lock);

	spin_lock(&llmsched.lock);
	if (llms_events_ready(lf->events))
		mask |= EPOLLIN | EPOLLRDNORM;
	spin_unlock(&llmsched.lock);
	return mask;
}

static ssize_t llmsched_read(struct file *file, char __user *buf,
			     size_t count, loff_t *ppos)
{
	return llms_events_read(file->private_data, buf, count,
				file->f_flags & O_NONBLOCK);
}

static const struct file_operations llmsched_fops = {
	.owner		= THIS_MODULE,
	.open		= llmsched_open,
	.flush		= llmsched_flush,
	.release	= llmsched_release,
	.read		= llmsched_read,
	.poll		= llmsched_poll,
	.unlocked_ioctl	= llmsched_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= no_llseek,
};

static char *llmsched_devnode(struct device *dev, umode_t *mode,
			      kuid_t *uid, kgid_t *gid)
{
	if (mode)
		*mode = dev_mode & 0777;
	if (gid)
		*gid = make_kgid(&init_user_ns, dev_gid);
	return NULL;
}

static const struct device_type llmsched_device_type = {
	.name		= LLMSCHED_DEVICE_NAME,
	.devnode	= llmsched_devnode,
};

static void llmsched_dev_release(struct device *dev)
{
	kfree(dev);
}

static int __init llmsched_init(void)
{
	int ret;

	llms_uapi_checks();
	if (dev_mode & ~0777) {
		pr_err("dev_mode %#o has bits outside 0777\n", dev_mode);
		return -EINVAL;
	}
	if (!gid_valid(make_kgid(&init_user_ns, dev_gid))) {
		pr_err("dev_gid %u is not a valid group id\n", dev_gid);
		return -EINVAL;
	}

	ret = alloc_chrdev_region(&llmsched_devt, 0, 1, LLMSCHED_DEVICE_NAME);
	if (ret)
		return ret;

	llmsched_class = class_create(THIS_MODULE, LLMSCHED_DEVICE_NAME);
	if (IS_ERR(llmsched_class)) {
		ret = PTR_ERR(llmsched_class);
		goto err_region;
	}

	ret = llms_sched_init();
	if (ret)
		goto err_class;
	llmsched.instance = get_random_u64() ?: 1;

	ret = llmsched_sysfs_init();
	if (ret)
		goto err_sched;

	ret = llms_netlink_init();
	if (ret)
		goto err_sysfs;
	llms_debugfs_init();

	ret = -ENOMEM;
	llmsched_dev = kzalloc(sizeof(*llmsched_dev), GFP_KERNEL);
	if (!llmsched_dev)
		goto err_netlink;
	device_initialize(llmsched_dev);
	llmsched_dev->devt = llmsched_devt;
	llmsched_dev->class = llmsched_class;
	llmsched_dev->type = &llmsched_device_type;
	llmsched_dev->release = llmsched_dev_release;
	ret = dev_set_name(llmsched_dev, LLMSCHED_DEVICE_NAME);
	if (ret)
		goto err_put;

	cdev_init(&llmsched_cdev, &llmsched_fops);
	llmsched_cdev.owner = THIS_MODULE;
	ret = cdev_device_add(&llmsched_cdev, llmsched_dev);
	if (ret)
		goto err_put;

	pr_info("version %d.%d.%d loaded, /dev/%s is %u:%u mode %#o gid %u\n",
		LLMSCHED_VERSION_MAJOR, LLMSCHED_VERSION_MINOR,
		LLMSCHED_VERSION_PATCH, LLMSCHED_DEVICE_NAME,
		MAJOR(llmsched_devt), MINOR(llmsched_devt), dev_mode, dev_gid);
	return 0;

err_put:
	put_device(llmsched_dev);
err_netlink:
	llms_debugfs_exit();
	llms_netlink_exit();
err_sysfs:
	llmsched_sysfs_exit();
err_sched:
	llms_sched_exit();
err_class:
	class_destroy(llmsched_class);
err_region:
	unregister_chrdev_region(llmsched_devt, 1);
	return ret;
}

static void __exit llmsched_exit(void)
{
	cdev_device_del(&llmsched_cdev, llmsched_dev);
	put_device(llmsched_dev);
	llms_watchdog_stop();
	llms_agents_exit();
	llms_debugfs_exit();
	llms_netlink_exit();
	llmsched_sysfs_exit();
	llms_sched_exit();
	class_destroy(llmsched_class);
	unregister_chrdev_region(llmsched_devt, 1);
}

module_init(llmsched_init);
module_exit(llmsched_exit);

MODULE_DESCRIPTION("Scheduler for LLM agent tasks on an inference host");
MODULE_AUTHOR("The llmsched developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(__stringify(LLMSCHED_VERSION_MAJOR) "."
	       __stringify(LLMSCHED_VERSION_MINOR) "."
	       __stringify(LLMSCHED_VERSION_PATCH));
