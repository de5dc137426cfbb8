/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the llmsched selftests: load and unload the module under test
 * (build/llmsched.ko, found next to the test binaries) and read small files.
 */
#ifndef LLMSCHED_SELFTEST_MODULE_UTIL_H
#define LLMSCHED_SELFTEST_MODULE_UTIL_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Path of module @name's .ko built with this program: $@env, else
 * build/<name>.ko beside build/bin/.  Valid until the next call.
 */
const char *module_ko_path(const char *name, const char *env);

bool module_loaded(const char *name);

/* Load the .ko at @ko with @params (NULL or "" for none); 0 or -errno. */
int module_load_file(const char *ko, const char *params);

/* Unload without waiting for users; 0 or -errno (EBUSY when in use). */
int module_unload(const char *name);

/* Path of the llmsched.ko this test binary was built with. */
const char *llmsched_ko_path(void);

bool llmsched_module_loaded(void);

/* Load with the given parameters ("" for none); returns 0 or -errno. */
int llmsched_module_load(const char *params);

/* Unload without waiting for users; returns 0 or -errno (EBUSY when in use). */
int llmsched_module_unload(void);

/* Make sure the module is loaded with default parameters; 0 or -errno. */
int llmsched_module_ensure_loaded(void);

/* Read a whole small file into buf (NUL-terminated); bytes read or -errno. */
ssize_t read_text_file(const char *path, char *buf, size_t size);

/*
 * Whether this kernel holds freed objects back (KASAN's quarantine, on the
 * debug kernel, which has kmemleak): counts of slab objects then say
 * nothing about leaks, and kmemleak is the judge.
 */
bool kernel_defers_frees(void);

/*
 * @n, divided by $LLMSCHED_TEST_SLOWDOWN (at least 1): how many rounds a
 * test of scale runs on a kernel several times slower (the debug kernel of
 * make check-debug runs them at a quarter), so that it stays within its
 * timeout and still runs each round for real.
 */
unsigned int test_scale(unsigned int n);

#endif
