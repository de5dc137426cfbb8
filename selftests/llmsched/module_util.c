// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers for the llmsched selftests: load and unload the module under test.
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

const char *llmsched_ko_path(void)
{
	static char path[PATH_MAX];
	char exe[PATH_MAX];
	const char *env = getenv("LLMSCHED_KO");
	ssize_t n;

	if (env && *env)
		return env;
	if (path[0])
		return path;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return "build/llmsched.ko";
	exe[n] = '\0';
	/* build/bin/<test> -> build/llmsched.ko */
	snprintf(path, sizeof(path), "%s/../llmsched.ko", dirname(exe));
	return path;
}

bool llmsched_module_loaded(void)
{
	struct stat st;

	return stat("/sys/module/llmsched", &st) == 0;
}

int llmsched_module_load(const char *params)
{
	int fd, ret;

	fd = open(llmsched_ko_path(), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params ? params : "", 0);
	ret = ret ? -errno : 0;
	close(fd);
	return ret;
}

int llmsched_module_unload(void)
{
	if (syscall(SYS_delete_module, "llmsched", O_NONBLOCK))
		return -errno;
	return 0;
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
