/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libllmsched: the userspace library of llmsched, all of it.
 *
 *	error.h		errors: an errno and a message up the stack
 *	payload.h	the payload format: what a task runs
 *	cgroup.h	cgroup v2 folders, limits, freeze, kill, accounting
 *	spawn.h		clone3() into a cgroup, as a user, with a pidfd
 *	sysfs.h		/sys/kernel/llmsched readers
 *	ioctl.h		/dev/llmsched ioctls, with errors that say what to do
 *	units.h		CPU amounts, sizes and durations: parsed, printed
 *	tasklog.h	a task's stdout and stderr files: paths, copying, following
 *
 * Each header says what its functions do, their errors and their thread
 * safety; runtime/lib/README says how the pieces fit.  Link with
 * $(LIBLLMSCHED_SRCS) (runtime/lib/lib.mk).
 *
 * Not included here: history.h, the history of ended tasks on SQLite.
 * Only the programs that keep or read the history (llmschedd's agents,
 * llmctl history) include it and link $(LIBLLMSCHED_HISTORY_SRCS) with
 * $(LIBLLMSCHED_HISTORY_LDLIBS) (-lsqlite3), so that the others need
 * neither SQLite's headers nor its library.
 */
#ifndef LLMSCHED_LIB_LIBLLMSCHED_H
#define LLMSCHED_LIB_LIBLLMSCHED_H

#include "error.h"
#include "payload.h"
#include "cgroup.h"
#include "spawn.h"
#include "sysfs.h"
#include "ioctl.h"
#include "units.h"
#include "tasklog.h"

#endif /* LLMSCHED_LIB_LIBLLMSCHED_H */
