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

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
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
static struct device llmsched_dev;

static int llmsched_open(struct inode *inode, struct file *file)
{
	return nonseekable_open(inode, file);
}

static long llmsched_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	return -ENOTTY;
}

static const struct file_operations llmsched_fops = {
	.owner		= THIS_MODULE,
	.open		= llmsched_open,
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
	/* llmsched_dev is static; nothing to free. */
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

	ret = llmsched_sysfs_init();
	if (ret)
		goto err_class;

	device_initialize(&llmsched_dev);
	llmsched_dev.devt = llmsched_devt;
	llmsched_dev.class = llmsched_class;
	llmsched_dev.type = &llmsched_device_type;
	llmsched_dev.release = llmsched_dev_release;
	ret = dev_set_name(&llmsched_dev, LLMSCHED_DEVICE_NAME);
	if (ret)
		goto err_put;

	cdev_init(&llmsched_cdev, &llmsched_fops);
	llmsched_cdev.owner = THIS_MODULE;
	ret = cdev_device_add(&llmsched_cdev, &llmsched_dev);
	if (ret)
		goto err_put;

	pr_info("version %d.%d.%d loaded, /dev/%s is %u:%u mode %#o gid %u\n",
		LLMSCHED_VERSION_MAJOR, LLMSCHED_VERSION_MINOR,
		LLMSCHED_VERSION_PATCH, LLMSCHED_DEVICE_NAME,
		MAJOR(llmsched_devt), MINOR(llmsched_devt), dev_mode, dev_gid);
	return 0;

err_put:
	put_device(&llmsched_dev);
	llmsched_sysfs_exit();
err_class:
	class_destroy(llmsched_class);
err_region:
	unregister_chrdev_region(llmsched_devt, 1);
	return ret;
}

static void __exit llmsched_exit(void)
{
	cdev_device_del(&llmsched_cdev, &llmsched_dev);
	put_device(&llmsched_dev);
	llmsched_sysfs_exit();
	class_destroy(llmsched_class);
	unregister_chrdev_region(llmsched_devt, 1);
}

module_init(llmsched_init);
module_exit(llmsched_exit);

MODULE_DESCRIPTION("Scheduler for LLM agent tasks on an inference host");
MODULE_AUTHOR("The llmsched developers");
MODULE_LICENSE("GPL");
