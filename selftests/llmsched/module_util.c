// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers for the llmsched selftests: load and unload the module under test
 * (and the benchmark's floor module).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "module_util.h"

/*
 * A module built with this program: $@env when set, else
 * build/<@name>.ko beside build/bin/ where this program lives.  The string
 * is the caller's until the next call.
 */
const char *module_ko_path(const char *name, const char *env)
{
	static char path[PATH_MAX];
	const char *val = getenv(env);
	char exe[PATH_MAX];
	ssize_t n;

	if (val && *val)
		return val;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0) {
		snprintf(path, sizeof(path), "build/%s.ko", name);
		return path;
	}
	exe[n] = '\0';
	snprintf(path, sizeof(path), "%s/../%s.ko", dirname(exe), name);
	return path;
}

bool module_loaded(const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return stat(path, &st) == 0;
}

int module_load_file(const char *ko, const char *params)
{
	int fd, ret;

	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params ? params : "", 0);
	ret = ret ? -errno : 0;
	close(fd);
	return ret;
}

int module_unload(const char *name)
{
	if (syscall(SYS_delete_module, name, O_NONBLOCK))
		return -errno;
	return 0;
}

const char *llmsched_ko_path(void)
{
	return module_ko_path("llmsched", "LLMSCHED_KO");
}

bool llmsched_module_loaded(void)
{
	return module_loaded("llmsched");
}

int llmsched_module_load(const char *params)
{
	return module_load_file(llmsched_ko_path(), params);
}

int llmsched_module_unload(void)
{
	return module_unload("llmsched");
}

int llmsched_module_ensure_loaded(void)
{
	if (llmsched_module_loaded())
		return 0;
	return llmsched_module_load("");
}

ssize_t read_text_file(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		n = -errno;
	else
		buf[n] = '\0';
	close(fd);
	return n;
}

bool kernel_defers_frees(void)
{
	return !access("/sys/kernel/debug/kmemleak", F_OK);
}

unsigned int test_scale(unsigned int n)
{
	const char *v = getenv("LLMSCHED_TEST_SLOWDOWN");
	unsigned long div = v ? strtoul(v, NULL, 10) : 1;

	if (div < 1 || div > 1000)
		div = 1;
	return n / div ? n / div : 1;
}
