// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched selftests: every file under /sys/kernel/llmsched has its entry in
 * Documentation/ABI/testing/sysfs-kernel-llmsched, and every entry names a
 * file that exists, so that the ABI document stays in step with the module.
 */
#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "module_util.h"

/* The 6.1 harness defines FIXTURE_SETUP/TEARDOWN as non-static functions. */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"

#define SYSFS_ROOT "/sys/kernel/llmsched"
#define MAX_ENTRIES 512

struct abi {
	char *what[MAX_ENTRIES];
	int n;
};

static int load_abi(struct abi *abi)
{
	char exe[PATH_MAX], path[PATH_MAX], line[512];
	ssize_t len;
	FILE *f;

	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len < 0)
		return -1;
	exe[len] = '\0';
	snprintf(path, sizeof(path),
		 "%s/../../Documentation/ABI/testing/sysfs-kernel-llmsched",
		 dirname(exe));
	f = fopen(path, "re");
	if (!f)
		return -1;
	abi->n = 0;
	while (fgets(line, sizeof(line), f) && abi->n < MAX_ENTRIES) {
		char *p = line;

		if (strncmp(p, "What:", 5))
			continue;
		p += 5;
		p += strspn(p, " \t");
		p[strcspn(p, "\n")] = '\0';
		abi->what[abi->n++] = strdup(p);
	}
	fclose(f);
	return 0;
}

/* agents/17/load -> agents/<id>/load */
static void normalize(const char *path, char *out, size_t size)
{
	const char *a = strstr(path, "/agents/");

	if (a && a[8] >= '0' && a[8] <= '9') {
		const char *rest = a + 8 + strspn(a + 8, "0123456789");

		snprintf(out, size, "%.*s/agents/<id>%s", (int)(a - path),
			 path, rest);
		return;
	}
	snprintf(out, size, "%s", path);
}

static bool documented(const struct abi *abi, const char *path)
{
	char norm[PATH_MAX];
	int i;

	normalize(path, norm, sizeof(norm));
	for (i = 0; i < abi->n; i++)
		if (!strcmp(abi->what[i], norm))
			return true;
	return false;
}

/* Walk @dir; count files and the undocumented ones. */
static void walk(struct __test_metadata *_metadata, const struct abi *abi,
		 const char *dir, int *files, int *missing)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	ASSERT_NE(NULL, d) TH_LOG("%s", dir);
	while ((de = readdir(d))) {
		char path[PATH_MAX];
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		ASSERT_EQ(0, lstat(path, &st));
		if (S_ISDIR(st.st_mode)) {
			walk(_metadata, abi, path, files, missing);
			continue;
		}
		(*files)++;
		if (!documented(abi, path)) {
			(*missing)++;
			TH_LOG("%s has no ABI entry", path);
		}
	}
	closedir(d);
}

FIXTURE(abi) {
	struct abi abi;
	int fd;
};

FIXTURE_SETUP(abi)
{
	ASSERT_EQ(0, llmsched_module_ensure_loaded());
	ASSERT_EQ(0, load_abi(&self->abi));
	self->fd = -1;
}

FIXTURE_TEARDOWN(abi)
{
	int i;

	for (i = 0; i < self->abi.n; i++)
		free(self->abi.what[i]);
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(abi, every_sysfs_file_has_an_abi_entry)
{
	int files = 0, missing = 0;

	walk(_metadata, &self->abi, SYSFS_ROOT, &files, &missing);
	TH_LOG("%d files, %d ABI entries", files, self->abi.n);
	EXPECT_LT(30, files);
	EXPECT_EQ(0, missing);
}

TEST_F(abi, every_abi_entry_names_a_file)
{
	int i, stale = 0;

	for (i = 0; i < self->abi.n; i++) {
		struct stat st;

		/* Per-agent files exist only while an agent does. */
		if (strstr(self->abi.what[i], "/agents/<id>/"))
			continue;
		if (stat(self->abi.what[i], &st)) {
			stale++;
			TH_LOG("%s is documented but absent", self->abi.what[i]);
		}
	}
	EXPECT_EQ(0, stale);
}

TEST_HARNESS_MAIN
