/* SPDX-License-Identifier: GPL-2.0 */
/*
 * llmsched: definitions shared by the module's own files.
 */
#ifndef _LLMSCHED_H
#define _LLMSCHED_H

#include <linux/types.h>

int llmsched_sysfs_init(void);
void llmsched_sysfs_exit(void);

#endif /* _LLMSCHED_H */
