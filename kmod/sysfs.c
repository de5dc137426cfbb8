// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched: /sys/kernel/llmsched, one value per file.
 */

#include <linux/kobject.h>
#include <linux/sysfs.h>

#include <linux/llmsched.h>

#include "llmsched.h"

static struct kobject *llmsched_kobj;

static ssize_t version_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%d.%d.%d\n", LLMSCHED_VERSION_MAJOR,
			  LLMSCHED_VERSION_MINOR, LLMSCHED_VERSION_PATCH);
}

static struct kobj_attribute version_attr = __ATTR_RO(version);

static struct attribute *llmsched_attrs[] = {
	&version_attr.attr,
	NULL,
};

static const struct attribute_group llmsched_attr_group = {
	.attrs = llmsched_attrs,
};

int llmsched_sysfs_init(void)
{
	int ret;

	llmsched_kobj = kobject_create_and_add(LLMSCHED_DEVICE_NAME, kernel_kobj);
	if (!llmsched_kobj)
		return -ENOMEM;

	ret = sysfs_create_group(llmsched_kobj, &llmsched_attr_group);
	if (ret) {
		kobject_put(llmsched_kobj);
		llmsched_kobj = NULL;
	}
	return ret;
}

void llmsched_sysfs_exit(void)
{
	sysfs_remove_group(llmsched_kobj, &llmsched_attr_group);
	kobject_put(llmsched_kobj);
	llmsched_kobj = NULL;
}
