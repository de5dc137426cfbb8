/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the VM tests of libllmsched (runtime/lib/): lib_cgroup_test,
 * lib_spawn_test, lib_sysfs_test.  They run as root in the test VM, with
 * cgroup v2 mounted at /sys/fs/cgroup.
 */
#ifndef LLMSCHED_SELFTEST_LIB_UTIL_H
#define LLMSCHED_SELFTEST_LIB_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "../../runtime/lib/libllmsched.h"

/*
 * The error's full text, for a test's log, and the error freed: use it in
 * a TH_LOG() after an ASSERT, which runs only when the check failed.  The
 * string lives until the next call.
 */
const char *lib_errmsg(struct llms_error **err);

/*
 * A folder of the test's own below the cgroup2 mount,
 * "llmsched-lib-<test>-<pid>", created with its parent enabling
 * @controllers (NULL-terminated) for it; @mnt the mount, @root the new
 * folder.  0 or -errno (the error printed).
 */
int lib_root_create(struct llms_cgroup *mnt, struct llms_cgroup *root,
		    const char *test, const char *const *controllers);
/* Kill everything in @root, remove it and all below, close both. */
void lib_root_destroy(struct llms_cgroup *mnt, struct llms_cgroup *root);

/*
 * Start /bin/sh -c @script in @cg (NULL: the caller's cgroup) with PATH
 * set, output to /dev/null; 0 or -errno (the error printed).
 */
int lib_spawn_sh(const struct llms_cgroup *cg, const char *script,
		 struct llms_child *child);

/* Wait for @child up to @timeout_ms: its wait status, or -errno. */
int lib_wait(struct llms_child *child, int timeout_ms);

/* The whole file at @path, NUL-terminated (malloc()ed), or NULL. */
char *lib_read_file(const char *path);

/* Sleep @ms milliseconds, signals notwithstanding. */
void lib_sleep_ms(unsigned int ms);

#endif
