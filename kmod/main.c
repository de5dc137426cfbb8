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
	struct llmsched_load_report load;
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

static const struct llms_ioctl_op llms_ioctl_ops[] = {
	[_IOC_NR(LLMSCHED_IOC_VERSION)] = {
		.handler = llms_ioc_version,
		.size = sizeof(struct llmsched_version),
		.min_size = offsetofend(struct llmsched_version, res_known),
		.copy_out = true,
	},
	[_IOC_NR(LLMSCHED_IOC_SUBMIT)] = {
		.handler = llms_ioc_submit,
		.size = sizeof(struct llmsched_task_submit),
		.min_size = offsetofend(struct llmsched_task_submit, __reserved),
		.copy_out = true,
	},
	[_IOC_NR(LLMSCHED_IOC_SUBMIT_BATCH)] = {
		.handler = llms_ioc_submit_batch,
		.size = sizeof(struct llmsched_submit_batch),
		.min_size = offsetofend(struct llmsched_submit_batch, __reserved),
		.copy_out = true,
	},
	[_IOC_NR(LLMSCHED_IOC_CANCEL)] = {
		.handler = llms_ioc_cancel,
		.size = sizeof(struct llmsched_task_cancel),
		.min_size = offsetofend(struct llmsched_task_cancel, task_id),
	},
	[_IOC_NR(LLMSCHED_IOC_TASK_QUERY)] = {
		.handler = llms_ioc_task_query,
		.size = sizeof(struct llmsched_task_info),
		.min_size = offsetofend(struct llmsched_task_info, nr_deps),
		.copy_out = true,
	},
	[_IOC_NR(LLMSCHED_IOC_TASK_WAIT)] = {
		.handler = llms_ioc_task_wait,
		.size = sizeof(struct llmsched_task_wait),
		.min_size = offsetofend(struct llmsched_task_wait, __reserved),
		.copy_out = true,
	},
	[_IOC_NR(LLMSCHED_IOC_TASK_LIST)] = {
		.handler = llms_ioc_task_list,
		.size = sizeof(struct llmsched_task_list),
		.min_size = offsetofend(struct llmsched_task_list, entries_ptr),
		.copy_out = true,
	},
	[_IOC_NR(LLMSCHED_IOC_AGENT_REGISTER)] = {
		.handler = llms_ioc_agent_register,
		.size = sizeof(struct llmsched_agent_register),
		.min_size = offsetofend(struct llmsched_agent_register, tags),
		.admin = true,
		.copy_out = true,
	},
	[_IOC_NR(LLMSCHED_IOC_AGENT_FETCH)] = {
		.handler = llms_ioc_agent_fetch,
		.size = sizeof(struct llmsched_agent_fetch),
		.min_size = offsetofend(struct llmsched_agent_fetch, __reserved),
		.admin = true,
		.copy_out = true,
	},
	[_IOC_NR(LLMSCHED_IOC_AGENT_START)] = {
		.handler = llms_ioc_agent_start,
		.size = sizeof(struct llmsched_agent_task),
		.min_size = offsetofend(struct llmsched_agent_task, task_id),
		.admin = true,
	},
	[_IOC_NR(LLMSCHED_IOC_AGENT_COMPLETE)] = {
		.handler = llms_ioc_agent_complete,
		.size = sizeof(struct llmsched_agent_complete),
		.min_size = offsetofend(struct llmsched_agent_complete, runtime_ns),
		.admin = true,
	},
	[_IOC_NR(LLMSCHED_IOC_AGENT_HEARTBEAT)] = {
		.handler = llms_ioc_agent_heartbeat,
		.size = sizeof(struct llmsched_agent_heartbeat),
		.min_size = offsetofend(struct llmsched_agent_heartbeat, flags),
		.admin = true,
	},
	[_IOC_NR(LLMSCHED_IOC_AGENT_UNREGISTER)] = {
		.handler = llms_ioc_agent_unregister,
		.size = sizeof(struct llmsched_agent_unregister),
		.min_size = offsetofend(struct llmsched_agent_unregister, flags),
		.admin = true,
	},
	[_IOC_NR(LLMSCHED_IOC_LOAD_REPORT)] = {
		.handler = llms_ioc_load_report,
		.size = sizeof(struct llmsched_load_report),
		.min_size = offsetofend(struct llmsched_load_report, entries_ptr),
		.admin = true,
	},
	[_IOC_NR(LLMSCHED_IOC_SET_CAPACITY)] = {
		.handler = llms_ioc_set_capacity,
		.size = sizeof(struct llmsched_capacity),
		.min_size = offsetofend(struct llmsched_capacity, reserved),
		.admin = true,
	},
	[_IOC_NR(LLMSCHED_IOC_GET_CAPACITY)] = {
		.handler = llms_ioc_get_capacity,
		.size = sizeof(struct llmsched_capacity),
		.min_size = offsetofend(struct llmsched_capacity, reserved),
		.admin = true,
		.copy_out = true,
	},
	[_IOC_NR(LLMSCHED_IOC_SET_POLICY)] = {
		.handler = llms_ioc_set_policy,
		.size = sizeof(struct llmsched_policy),
		.min_size = offsetofend(struct llmsched_policy, imbalance_threshold),
		.admin = true,
	},
	[_IOC_NR(LLMSCHED_IOC_GET_POLICY)] = {
		.handler = llms_ioc_get_policy,
		.size = sizeof(struct llmsched_policy),
		.min_size = offsetofend(struct llmsched_policy, imbalance_threshold),
		.admin = true,
		.copy_out = true,
	},
	[_IOC_NR(LLMSCHED_IOC_SET_ESTIMATOR)] = {
		.handler = llms_ioc_set_estimator,
		.size = sizeof(struct llmsched_estimator),
		.min_size = offsetofend(struct llmsched_estimator, coeff),
		.admin = true,
	},
	[_IOC_NR(LLMSCHED_IOC_SET_LIMITS)] = {
		.handler = llms_ioc_set_limits,
		.size = sizeof(struct llmsched_limits),
		.min_size = offsetofend(struct llmsched_limits, __reserved),
		.admin = true,
	},
};

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
	if (agent && llms_agent_has_work(agent))
		mask |= EPOLLIN | EPOLLRDNORM;
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
