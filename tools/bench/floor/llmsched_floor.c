// SPDX-License-Identifier: GPL-2.0
/**
 * DOC: llmsched_floor - the least work any SUBMIT does, as a baseline
 *
 * A benchmark baseline for llmsched-bench-kernel, never loaded in
 * production.  /dev/llmsched_floor (mode 0600, CAP_SYS_ADMIN to open)
 * answers ioctls that take a struct llmsched_task_submit exactly the way
 * llmsched's dispatcher takes LLMSCHED_IOC_SUBMIT (kmod/main.c: the size
 * read first, checked, the argument copied into a stack buffer with
 * copy_struct_from_user() and copied back with copy_to_user()) and then do
 * only the steps that any submission must do, one more per ioctl:
 *
 * - %LLMSCHED_FLOOR_COPY: nothing but a fresh sequential id in @task_id;
 * - %LLMSCHED_FLOOR_OBJECT: a zeroed object of @obj_size bytes from a
 *   SLAB_ACCOUNT cache, kept in an xarray at that id, both allocations
 *   charged to the caller's memory cgroup (GFP_KERNEL_ACCOUNT), as
 *   llmsched keeps a task;
 * - %LLMSCHED_FLOOR_PAYLOAD: the same, plus a copy of the payload in
 *   memory of its own (kvmalloc(), GFP_KERNEL_ACCOUNT);
 * - %LLMSCHED_FLOOR_RELEASE: every object out of the table and freed after
 *   an RCU grace period, as llmsched frees a task.  Not timed.
 *
 * Timed in the same boot as SUBMIT, they show how much of its cost the
 * machine imposes on any such ioctl: under QEMU's software emulation the
 * string instructions behind user copies and zeroing (rep movsb/stosb,
 * and init_on_alloc=1 zeroes every allocation) cost a few nanoseconds per
 * byte, far more than the system call around them.
 *
 * @obj_size should be the size of llmsched's task object
 * (/sys/kernel/slab/llms_task/object_size), which the benchmark passes.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include <linux/llmsched.h>

#include "llmsched_floor.h"

#define FLOOR_OBJ_SIZE_MIN	64
#define FLOOR_OBJ_SIZE_MAX	4096

static uint obj_size = 336;
module_param(obj_size, uint, 0444);
MODULE_PARM_DESC(obj_size,
		 "Bytes of each object, 64 to 4096 (default 336): llmsched's task object size");

/**
 * struct floor_obj - the start of every object; the rest is zeroed filler
 * @rcu: frees it after a grace period
 * @payload: the payload's copy (%LLMSCHED_FLOOR_PAYLOAD), or NULL
 */
struct floor_obj {
	struct rcu_head rcu;
	void *payload;
};

static struct kmem_cache *floor_cache;
static DEFINE_XARRAY(floor_objs);
static atomic64_t floor_next_id;

static void floor_obj_free_rcu(struct rcu_head *rcu)
{
	kmem_cache_free(floor_cache, container_of(rcu, struct floor_obj, rcu));
}

/* An object that never entered the table. */
static void floor_obj_free(struct floor_obj *obj)
{
	kvfree(obj->payload);
	kmem_cache_free(floor_cache, obj);
}

/* A new object, with a copy of the payload when @payload is true. */
static long floor_insert(struct llmsched_task_submit *req, bool payload)
{
	struct floor_obj *obj;
	u64 id;
	int ret;

	if (payload && req->payload_len > LLMSCHED_PAYLOAD_MAX)
		return -E2BIG;
	obj = kmem_cache_zalloc(floor_cache, GFP_KERNEL_ACCOUNT);
	if (!obj)
		return -ENOMEM;
	if (payload && req->payload_len) {
		ret = -ENOMEM;
		obj->payload = kvmalloc(req->payload_len, GFP_KERNEL_ACCOUNT);
		if (!obj->payload)
			goto err_free;
		ret = -EFAULT;
		if (copy_from_user(obj->payload,
				   u64_to_user_ptr(req->payload_ptr),
				   req->payload_len))
			goto err_free;
	}
	id = atomic64_inc_return(&floor_next_id);
	ret = xa_insert(&floor_objs, id, obj, GFP_KERNEL_ACCOUNT);
	if (ret)
		goto err_free;
	req->task_id = id;
	return 0;

err_free:
	floor_obj_free(obj);
	return ret;
}

static long floor_ioc_copy(struct llmsched_task_submit *req)
{
	req->task_id = atomic64_inc_return(&floor_next_id);
	return 0;
}

static long floor_ioc_object(struct llmsched_task_submit *req)
{
	return floor_insert(req, false);
}

static long floor_ioc_payload(struct llmsched_task_submit *req)
{
	return floor_insert(req, true);
}

/*
 * xa_for_each() and xa_erase() take the xarray's lock only inside each
 * step, so the loop may sleep between objects.  An object is freed by the
 * caller that erased it, should two releases race.
 */
static void floor_release_all(void)
{
	struct floor_obj *obj;
	unsigned long id;

	xa_for_each(&floor_objs, id, obj) {
		obj = xa_erase(&floor_objs, id);
		if (obj) {
			kvfree(obj->payload);
			call_rcu(&obj->rcu, floor_obj_free_rcu);
		}
		cond_resched();
	}
}

static long floor_ioc_release(struct llmsched_task_submit *req)
{
	floor_release_all();
	return 0;
}

/**
 * struct floor_ioctl_op - one ioctl
 * @handler: does the work on the copied-in argument
 * @copy_out: the argument is copied back, as SUBMIT's is
 */
struct floor_ioctl_op {
	long (*handler)(struct llmsched_task_submit *req);
	bool copy_out;
};

static const struct floor_ioctl_op floor_ioctl_ops[] = {
	[_IOC_NR(LLMSCHED_FLOOR_COPY)] = {
		.handler = floor_ioc_copy,
		.copy_out = true,
	},
	[_IOC_NR(LLMSCHED_FLOOR_OBJECT)] = {
		.handler = floor_ioc_object,
		.copy_out = true,
	},
	[_IOC_NR(LLMSCHED_FLOOR_PAYLOAD)] = {
		.handler = floor_ioc_payload,
		.copy_out = true,
	},
	[_IOC_NR(LLMSCHED_FLOOR_RELEASE)] = {
		.handler = floor_ioc_release,
	},
};

/*
 * The privilege is checked here rather than per call: llmsched checks none
 * for SUBMIT, so a check in the ioctl path would raise the floor.
 */
static int floor_open(struct inode *inode, struct file *file)
{
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	return nonseekable_open(inode, file);
}

/* llmsched_ioctl() in kmod/main.c, step for step. */
static long floor_ioctl(struct file *file, unsigned int cmd,
			unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	const u32 min_size = offsetofend(struct llmsched_task_submit,
					 __reserved);
	const struct floor_ioctl_op *op;
	struct llmsched_task_submit req;
	unsigned int nr = _IOC_NR(cmd);
	u32 usize;
	long ret;

	if (cmd != _IO(LLMSCHED_FLOOR_IOCTL_MAGIC, nr) ||
	    nr >= ARRAY_SIZE(floor_ioctl_ops) || !floor_ioctl_ops[nr].handler)
		return -ENOTTY;
	op = &floor_ioctl_ops[nr];

	if (get_user(usize, (u32 __user *)uarg))
		return -EFAULT;
	if (usize < min_size)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	ret = copy_struct_from_user(&req, sizeof(req), uarg, usize);
	if (ret)
		return ret;

	ret = op->handler(&req);
	if (op->copy_out &&
	    copy_to_user(uarg, &req, min_t(u32, usize, sizeof(req))) && !ret)
		ret = -EFAULT;
	return ret;
}

static const struct file_operations floor_fops = {
	.owner		= THIS_MODULE,
	.open		= floor_open,
	.unlocked_ioctl	= floor_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= no_llseek,
};

static struct miscdevice floor_dev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= LLMSCHED_FLOOR_DEVICE_NAME,
	.fops	= &floor_fops,
	.mode	= 0600,
};

static int __init floor_init(void)
{
	int ret;

	BUILD_BUG_ON(sizeof(struct floor_obj) > FLOOR_OBJ_SIZE_MIN);
	if (obj_size < FLOOR_OBJ_SIZE_MIN || obj_size > FLOOR_OBJ_SIZE_MAX) {
		pr_err("obj_size %u is not within %u to %u\n", obj_size,
		       FLOOR_OBJ_SIZE_MIN, FLOOR_OBJ_SIZE_MAX);
		return -EINVAL;
	}
	floor_cache = kmem_cache_create(LLMSCHED_FLOOR_DEVICE_NAME, obj_size,
					__alignof__(struct floor_obj),
					SLAB_ACCOUNT, NULL);
	if (!floor_cache)
		return -ENOMEM;
	ret = misc_register(&floor_dev);
	if (ret) {
		kmem_cache_destroy(floor_cache);
		return ret;
	}
	return 0;
}

static void __exit floor_exit(void)
{
	misc_deregister(&floor_dev);
	floor_release_all();
	xa_destroy(&floor_objs);
	/* The objects are freed after a grace period, from the cache. */
	rcu_barrier();
	kmem_cache_destroy(floor_cache);
}

module_init(floor_init);
module_exit(floor_exit);

MODULE_DESCRIPTION("llmsched benchmark baseline: the least work of a SUBMIT");
MODULE_LICENSE("GPL");
