/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * llmsched: scheduling of LLM agent tasks on an inference host.
 *
 * This header is the only contract between llmsched.ko and userspace: the
 * character device /dev/llmsched, its ioctls and their structures, the
 * generic netlink family and the names under /sys/kernel/llmsched.
 * Documentation/userspace-api/llmsched.rst is its reference.
 */
#ifndef _UAPI_LINUX_LLMSCHED_H
#define _UAPI_LINUX_LLMSCHED_H

#include <linux/ioctl.h>
#include <linux/types.h>

/* Name of the character device under /dev and of the sysfs folder. */
#define LLMSCHED_DEVICE_NAME	"llmsched"

/*
 * Version of the module, as /sys/kernel/llmsched/version prints it:
 * MAJOR.MINOR.PATCH.  MAJOR changes only if this contract breaks, which it is
 * designed never to do.
 */
#define LLMSCHED_VERSION_MAJOR	0
#define LLMSCHED_VERSION_MINOR	1
#define LLMSCHED_VERSION_PATCH	0

/* All llmsched ioctls use this type (see Documentation/.../ioctl-number.rst). */
#define LLMSCHED_IOCTL_MAGIC	0xB7

#endif /* _UAPI_LINUX_LLMSCHED_H */
