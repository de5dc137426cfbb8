/* SPDX-License-Identifier: GPL-2.0 */
/*
 * llmsched_floor: the ioctls of /dev/llmsched_floor, the benchmark baseline
 * module (tools/bench/floor/llmsched_floor.c), shared with
 * llmsched-bench-kernel.  Every one takes a struct llmsched_task_submit
 * (<linux/llmsched.h>), passed the way LLMSCHED_IOC_SUBMIT takes it.
 */
#ifndef LLMSCHED_FLOOR_H
#define LLMSCHED_FLOOR_H

#include <linux/ioctl.h>

#define LLMSCHED_FLOOR_DEVICE_NAME	"llmsched_floor"

/* Not LLMSCHED_IOCTL_MAGIC (0xB7): a floor number never means a real one. */
#define LLMSCHED_FLOOR_IOCTL_MAGIC	0xB8

/* The argument copied in and out; task_id gets a fresh id. */
#define LLMSCHED_FLOOR_COPY		_IO(LLMSCHED_FLOOR_IOCTL_MAGIC, 0x01)
/* COPY, plus a zeroed accounted object kept in a table at that id. */
#define LLMSCHED_FLOOR_OBJECT		_IO(LLMSCHED_FLOOR_IOCTL_MAGIC, 0x02)
/* OBJECT, plus payload_len bytes at payload_ptr copied into the object. */
#define LLMSCHED_FLOOR_PAYLOAD		_IO(LLMSCHED_FLOOR_IOCTL_MAGIC, 0x03)
/* Free every object (after an RCU grace period); nothing is copied out. */
#define LLMSCHED_FLOOR_RELEASE		_IO(LLMSCHED_FLOOR_IOCTL_MAGIC, 0x04)

#endif /* LLMSCHED_FLOOR_H */
