// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers for the VM tests of libllmsched.  See lib_util.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib_util.h"

const char *lib_errmsg(struct llms_error **err)
{
	static char text[1024];

	llms_error_format(*err, text, sizeof(text));
	llms_error_free(err);
	return text;
}

static int report(struct llms_error **err, int ret)
{
	llms_error_print(stderr, "# lib_util", *err);
	llms_error_free(err);
	return ret;
}

int lib_root_create(struct llms_cgroup *mnt, struct llms_cgroup *root,
		    const char *test, const char *const *controllers)
{
	struct llms_error *err = NULL;
	char name[128], leaf[160];
	char *path;
	int ret;

	*mnt = (struct llms_cgroup)LLMS_CGROUP_INIT;
	*root = (struct llms_cgroup)LLMS_CGROUP_INIT;
	ret = llms_cgroup_mount(&path, &err);
	if (ret)
		return report(&err, ret);
	ret = llms_cgroup_open(mnt, path, &err);
	free(path);
	if (ret)
		return report(&err, ret);
	snprintf(name, sizeof(name), "llmsched-lib-%s-%d", test, (int)getpid());
	ret = llms_cgroup_create(root, mnt, name, &err);
	if (ret)
		return report(&err, ret);
	/* The mount's root gives the controllers to the test's folder. */
	snprintf(leaf, sizeof(leaf), "%s/x", name);
	ret = llms_cgroup_enable_controllers(mnt, leaf, controllers, &err);
	if (ret)
		return report(&err, ret);
	return 0;
}

void lib_root_destroy(struct llms_cgroup *mnt, struct llms_cgroup *root)
{
	struct llms_error *err = NULL;
	const char *name;

	if (root->fd >= 0) {
		if (llms_cgroup_kill(root, 10000, &err))
			report(&err, 0);
		name = strrchr(root->path, '/') + 1;
		if (llms_cgroup_remove(mnt, name, 10000, &err))
			report(&err, 0);
	}
	llms_cgroup_close(root);
	llms_cgroup_close(mnt);
}

int lib_spawn_sh(const struct llms_cgroup *cg, const char *script,
		 struct llms_child *child)
{
	char *argv[] = { "/bin/sh", "-c", (char *)script, NULL };
	static char *const envp[] = { "PATH=/usr/bin:/bin", NULL };
	struct llms_spawn_attr attr = {
		.argv = argv,
		.envp = envp,
		.cgroup_fd = cg ? cg->fd : -1,
	};
	struct llms_error *err = NULL;
	int ret;

	ret = llms_spawn(&attr, child, &err);
	if (ret)
		return report(&err, ret);
	return 0;
}

int lib_wait(struct llms_child *child, int timeout_ms)
{
	struct llms_error *err = NULL;
	int status, ret;

	ret = llms_child_wait(child, timeout_ms, &status, &err);
	if (ret)
		return report(&err, ret);
	return status;
}

char *lib_read_file(const char *path)
{
	char *text = NULL;
	size_t size = 0, n;
	FILE *f = fopen(path, "re");

	if (!f)
		return NULL;
	for (;;) {
		char *grown = realloc(text, size + 4097);

		if (!grown) {
			free(text);
			text = NULL;
			break;
		}
		text = grown;
		n = fread(text + size, 1, 4096, f);
		size += n;
		text[size] = '\0';
		if (n < 4096)
			break;
	}
	fclose(f);
	return text;
}

void lib_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}
