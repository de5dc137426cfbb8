// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched selftests: /sys/kernel/llmsched against its ABI document,
 * Documentation/ABI/testing/sysfs-kernel-llmsched.
 *
 * With an agent registered (so that agents/<id>/ exists), every file has
 * exactly one entry and every entry one file; each file's mode matches the
 * (RO) / (RW) / (RO, root only) of its entry; every file reads as
 * newline-terminated text; and every writable file takes its good values,
 * refuses its bad ones with EINVAL leaving the value as it was, and is
 * closed to other users.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "harness_main.h"
#include "llmsched_util.h"
#include "module_util.h"

/* The 6.1 harness defines FIXTURE_SETUP/TEARDOWN as non-static functions. */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"

#define MAX_ENTRIES 512

enum abi_access { ABI_RO, ABI_RW, ABI_RO_ROOT };

struct abi {
	char *what[MAX_ENTRIES];
	enum abi_access access[MAX_ENTRIES];
	int seen[MAX_ENTRIES];
	int n;
};

/* The entries: each What: line, with the access its Description starts with. */
static int load_abi(struct abi *abi)
{
	char exe[PATH_MAX], path[PATH_MAX], line[512];
	int first = 0;
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
		char *p = line + strspn(line, " \t");
		int i;

		if (!strncmp(p, "What:", 5)) {
			p += 5;
			p += strspn(p, " \t");
			p[strcspn(p, "\n")] = '\0';
			/* Several What: lines may share one description. */
			if (abi->n == first || abi->what[abi->n - 1] == NULL)
				first = abi->n;
			abi->what[abi->n] = strdup(p);
			abi->access[abi->n] = ABI_RO;
			abi->seen[abi->n] = 0;
			abi->n++;
			continue;
		}
		if (!strncmp(p, "(RW)", 4) || !strncmp(p, "(RO", 3)) {
			enum abi_access a = !strncmp(p, "(RW)", 4) ? ABI_RW :
					    strstr(p, "root only") ? ABI_RO_ROOT :
					    ABI_RO;

			for (i = first; i < abi->n; i++)
				abi->access[i] = a;
			first = abi->n;
		}
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

static int entry_of(const struct abi *abi, const char *path)
{
	char norm[PATH_MAX];
	int i;

	normalize(path, norm, sizeof(norm));
	for (i = 0; i < abi->n; i++)
		if (!strcmp(abi->what[i], norm))
			return i;
	return -1;
}

static mode_t expected_mode(enum abi_access a)
{
	return a == ABI_RW ? 0644 : a == ABI_RO_ROOT ? 0400 : 0444;
}

/*
 * Walk @dir: count the files, the undocumented ones and those whose mode
 * or content is not what the entry says.
 */
static void walk(struct __test_metadata *_metadata, struct abi *abi,
		 const char *dir, int *files, int *bad)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	ASSERT_NE(NULL, d) TH_LOG("%s", dir);
	while ((de = readdir(d))) {
		char path[PATH_MAX], buf[4096];
		struct stat st;
		ssize_t n;
		int e, fd;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		ASSERT_EQ(0, lstat(path, &st));
		if (S_ISDIR(st.st_mode)) {
			walk(_metadata, abi, path, files, bad);
			continue;
		}
		(*files)++;
		e = entry_of(abi, path);
		if (e < 0) {
			(*bad)++;
			TH_LOG("%s has no ABI entry", path);
			continue;
		}
		abi->seen[e]++;
		if ((st.st_mode & 0777) != expected_mode(abi->access[e])) {
			(*bad)++;
			TH_LOG("%s: mode %o, its entry says %o", path,
			       st.st_mode & 0777, expected_mode(abi->access[e]));
		}
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			(*bad)++;
			TH_LOG("%s: cannot open: %s", path, strerror(errno));
			continue;
		}
		n = read(fd, buf, sizeof(buf));
		close(fd);
		if (n < 0 || (n > 0 && buf[n - 1] != '\n')) {
			(*bad)++;
			TH_LOG("%s: not newline-terminated text (%zd bytes)",
			       path, n);
		}
	}
	closedir(d);
}

FIXTURE(abi) {
	struct abi abi;
	int fd;
	struct ls_agent agent;
};

FIXTURE_SETUP(abi)
{
	self->fd = -1;
	memset(&self->agent, 0, sizeof(self->agent));
	self->agent.fd = -1;
	ASSERT_EQ(0, llmsched_module_ensure_loaded());
	ASSERT_EQ(0, load_abi(&self->abi));
	self->fd = ls_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ls_reset(self->fd, LS_CPUS(8), LS_GB(16)));
	/* agents/<id>/ exists while an agent does. */
	ASSERT_EQ(0, ls_agent_spawn(&self->agent, 2, LS_CPUS(2), LS_GB(2), 0));
}

FIXTURE_TEARDOWN(abi)
{
	int i;

	ls_agent_destroy(&self->agent);
	for (i = 0; i < self->abi.n; i++)
		free(self->abi.what[i]);
	if (self->fd >= 0) {
		ls_reset(self->fd, LS_CPUS(8), LS_GB(16));
		close(self->fd);
	}
}

TEST_F(abi, every_sysfs_file_has_one_entry_and_reads_as_it_says)
{
	int files = 0, bad = 0, i;

	walk(_metadata, &self->abi, LS_SYSFS, &files, &bad);
	TH_LOG("%d files, %d ABI entries", files, self->abi.n);
	EXPECT_EQ(0, bad);
	for (i = 0; i < self->abi.n; i++)
		EXPECT_EQ(1, self->abi.seen[i])
			TH_LOG("%s: %d files", self->abi.what[i],
			       self->abi.seen[i]);
	EXPECT_EQ(self->abi.n, files);
}

TEST_F(abi, every_abi_entry_names_a_file)
{
	char path[PATH_MAX], id[16];
	int i, stale = 0;

	snprintf(id, sizeof(id), "%u", self->agent.id);
	for (i = 0; i < self->abi.n; i++) {
		const char *w = self->abi.what[i], *a = strstr(w, "<id>");
		struct stat st;

		if (a)
			snprintf(path, sizeof(path), "%.*s%s%s", (int)(a - w),
				 w, id, a + 4);
		else
			snprintf(path, sizeof(path), "%s", w);
		if (stat(path, &st)) {
			stale++;
			TH_LOG("%s is documented but absent", path);
		}
	}
	EXPECT_EQ(0, stale);
}

/* What a file reads, without its newline. */
static int read_value(const char *rel, char *buf, size_t len)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), LS_SYSFS "/%s", rel);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

struct write_case {
	const char *file;
	const char *good[4];	/* each read back as written */
	const char *bad[8];	/* each EINVAL, the value unchanged */
};

static const struct write_case write_cases[] = {
	{ "policy", { "sjf", "mlfq", "drf", "prio_fifo" },
	  { "fifo", "SJF", "prio_fifo2", "0", "drf drf" } },
	{ "choice", { "best_fit", "least_loaded" },
	  { "best", "random", "1" } },
	{ "limits/max_tasks", { "10000000", "123456", "1000000" },
	  { "0", "10000001", "-1", "abc", "49999", "99999999999" } },
	{ "limits/max_tasks_per_user", { "1", "1000000", "50000" },
	  { "0", "1000001", "-5", "x", "4294967296" } },
	{ "limits/heartbeat_timeout_ms", { "100", "3600000", "10000" },
	  { "0", "99", "3600001", "1.5" } },
	{ "limits/retain_ended", { "1", "1000000", "1024" },
	  { "0", "1000001", "ten" } },
	{ "limits/max_bytes_per_user",
	  { "68719476736", "1048576", "268435456" },
	  { "0", "1024", "68719476737", "1M" } },
	{ "limits/max_user_priority", { "0", "255", "100" },
	  { "256", "-1", "high", "1000" } },
};

/* As another user: 0 when opening @arg for writing is refused (EACCES). */
static int write_open_refused(void *arg)
{
	int fd = open(arg, O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		close(fd);
		return 1;
	}
	return errno == EACCES ? 0 : 2;
}

TEST_F(abi, writable_files_take_good_values_and_refuse_bad_ones)
{
	char before[64], after[64], path[PATH_MAX];
	unsigned int c, i;

	for (c = 0; c < LS_ARRAY_SIZE(write_cases); c++) {
		const struct write_case *w = &write_cases[c];

		for (i = 0; i < LS_ARRAY_SIZE(w->good) && w->good[i]; i++) {
			EXPECT_EQ(0, ls_sysfs_write(w->file, w->good[i]))
				TH_LOG("%s <- '%s'", w->file, w->good[i]);
			ASSERT_EQ(0, read_value(w->file, after, sizeof(after)));
			EXPECT_STREQ(w->good[i], after);
		}
		ASSERT_EQ(0, read_value(w->file, before, sizeof(before)));
		for (i = 0; i < LS_ARRAY_SIZE(w->bad) && w->bad[i]; i++) {
			EXPECT_EQ(-EINVAL, ls_sysfs_write(w->file, w->bad[i]))
				TH_LOG("%s <- '%s'", w->file, w->bad[i]);
			ASSERT_EQ(0, read_value(w->file, after, sizeof(after)));
			EXPECT_STREQ(before, after)
				TH_LOG("%s changed by '%s'", w->file,
				       w->bad[i]);
		}
		/* Mode 0644: another user cannot even open it to write. */
		snprintf(path, sizeof(path), LS_SYSFS "/%s", w->file);
		EXPECT_EQ(0, ls_run_as(LS_NOBODY, write_open_refused, path))
			TH_LOG("%s opens for writing as uid %d", path,
			       LS_NOBODY);
	}
}

LLMS_TEST_MAIN
