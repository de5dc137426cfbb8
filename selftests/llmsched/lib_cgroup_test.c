// SPDX-License-Identifier: GPL-2.0
/*
 * libllmsched's cgroup v2 code (runtime/lib/cgroup.c) against the real
 * thing: folders and controllers, limits written and read back, bad
 * values refused with nothing changed, freezing, killing, accounting and
 * an OOM kill.  Runs as root in the test VM; each test works in a folder
 * of its own below /sys/fs/cgroup and removes it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "harness_main.h"
#include "lib_util.h"

/* The 6.1 harness defines FIXTURE_SETUP/TEARDOWN as non-static functions. */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"

#define MiB (1024ULL * 1024)

static const char *const all_controllers[] = { "cpu", "cpuset", "memory",
					       "pids", NULL };

FIXTURE(cg)
{
	struct llms_cgroup mnt, root;
	struct llms_error *err;
};

FIXTURE_SETUP(cg)
{
	self->err = NULL;
	ASSERT_EQ(0, lib_root_create(&self->mnt, &self->root, "cgroup",
				     all_controllers));
}

FIXTURE_TEARDOWN(cg)
{
	llms_error_free(&self->err);
	lib_root_destroy(&self->mnt, &self->root);
}

/* The text of file @file in @cg's folder, NULL when unreadable. */
static char *cg_file(const struct llms_cgroup *cg, const char *file)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", cg->path, file);
	return lib_read_file(path);
}

/* Whether @cg's file @file exists. */
static int cg_has(const struct llms_cgroup *cg, const char *file)
{
	return faccessat(cg->fd, file, F_OK, 0) == 0;
}

/* The number of folders directly below @cg. */
static int subfolders(const struct llms_cgroup *cg)
{
	char cmd[600], *out, path[64];
	FILE *p;
	int n = -1;

	snprintf(path, sizeof(path), "/tmp/subfolders.%d", (int)getpid());
	snprintf(cmd, sizeof(cmd), "find '%s' -mindepth 1 -type d | wc -l > %s",
		 cg->path, path);
	p = popen(cmd, "r");
	if (p && pclose(p) == 0 && (out = lib_read_file(path))) {
		n = atoi(out);
		free(out);
	}
	unlink(path);
	return n;
}

/* Busy-loop in @cg until killed. */
static int spawn_busy(const struct llms_cgroup *cg, struct llms_child *c)
{
	return lib_spawn_sh(cg, "while :; do :; done", c);
}

/* cpu.stat's usage_usec of @cg, or 0. */
static uint64_t usage_usec(const struct llms_cgroup *cg)
{
	struct llms_error *err = NULL;
	struct llms_cpu_stat st;

	if (llms_cgroup_cpu_stat(cg, &st, &err)) {
		llms_error_free(&err);
		return 0;
	}
	return st.usage_usec;
}

/* ------------------------------------------------------------ folders */

TEST_F(cg, mount_is_found_and_only_cgroup2_opens)
{
	struct llms_cgroup other = LLMS_CGROUP_INIT;
	char *path = NULL;

	ASSERT_EQ(0, llms_cgroup_mount(&path, &self->err))
	TH_LOG("%s", lib_errmsg(&self->err));
	EXPECT_STREQ("/sys/fs/cgroup", path);
	free(path);
	EXPECT_EQ(-EINVAL, llms_cgroup_open(&other, "/proc", &self->err));
	EXPECT_NE(NULL, strstr(self->err->msg, "not in a cgroup2"));
	llms_error_free(&self->err);
	EXPECT_EQ(-ENOENT, llms_cgroup_open(&other, "/sys/fs/cgroup/no-such",
					    &self->err));
	EXPECT_EQ(-1, other.fd);
}

TEST_F(cg, nested_folders_get_controllers_top_down_and_the_leaf_none)
{
	static const char *const mine[] = { "cpu", "memory", "pids", NULL };
	struct llms_cgroup leaf = LLMS_CGROUP_INIT, a = LLMS_CGROUP_INIT,
			   b = LLMS_CGROUP_INIT;
	char *text;

	ASSERT_EQ(0,
		  llms_cgroup_create(&leaf, &self->root, "a/b/c", &self->err))
	TH_LOG("%s", lib_errmsg(&self->err));
	EXPECT_NE(NULL, strstr(leaf.path, "/a/b/c"));
	/* Before: c has the files of what its parent gives, nothing more. */
	EXPECT_FALSE(cg_has(&leaf, "cpu.max"));
	ASSERT_EQ(0, llms_cgroup_enable_controllers(&self->root, "a/b/c", mine,
						    &self->err))
	TH_LOG("%s", lib_errmsg(&self->err));
	ASSERT_EQ(0, llms_cgroup_create(&a, &self->root, "a", &self->err));
	ASSERT_EQ(0, llms_cgroup_create(&b, &self->root, "a/b", &self->err));
	/* root, a and a/b give cpu, memory and pids; the leaf gives nothing. */
	text = cg_file(&self->root, "cgroup.subtree_control");
	EXPECT_NE(NULL, strstr(text, "cpu"));
	EXPECT_NE(NULL, strstr(text, "memory"));
	EXPECT_NE(NULL, strstr(text, "pids"));
	free(text);
	text = cg_file(&a, "cgroup.subtree_control");
	EXPECT_STREQ("cpu memory pids\n", text);
	free(text);
	text = cg_file(&b, "cgroup.subtree_control");
	EXPECT_STREQ("cpu memory pids\n", text);
	free(text);
	text = cg_file(&leaf, "cgroup.subtree_control");
	EXPECT_STREQ("", text);
	free(text);
	EXPECT_TRUE(cg_has(&leaf, "cpu.max"));
	EXPECT_TRUE(cg_has(&leaf, "memory.max"));
	EXPECT_TRUE(cg_has(&leaf, "pids.max"));
	EXPECT_FALSE(cg_has(&leaf, "cpuset.cpus"));
	/* Again: already enabled is fine, and creating again too. */
	EXPECT_EQ(0, llms_cgroup_enable_controllers(&self->root, "a/b/c", mine,
						    &self->err));
	llms_cgroup_close(&leaf);
	EXPECT_EQ(0,
		  llms_cgroup_create(&leaf, &self->root, "a/b/c", &self->err));
	llms_cgroup_close(&leaf);
	llms_cgroup_close(&a);
	llms_cgroup_close(&b);
}

TEST_F(cg, bad_paths_are_refused_and_create_nothing)
{
	static const char *const bad[] = { "",	    "/abs", "a//b", "../up",
					   "a/./b", "a/..", "a/" };
	struct llms_cgroup c = LLMS_CGROUP_INIT;
	char longname[300];
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EINVAL, llms_cgroup_create(&c, &self->root, bad[i],
						      &self->err))
		TH_LOG("\"%s\"", bad[i]);
		llms_error_free(&self->err);
		EXPECT_EQ(-EINVAL,
			  llms_cgroup_enable_controllers(
				  &self->root, bad[i][0] ? bad[i] : "/",
				  all_controllers, &self->err));
		llms_error_free(&self->err);
		EXPECT_EQ(-EINVAL, llms_cgroup_remove(&self->root, bad[i], 0,
						      &self->err));
		llms_error_free(&self->err);
	}
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	EXPECT_EQ(-ENAMETOOLONG,
		  llms_cgroup_create(&c, &self->root, longname, &self->err));
	EXPECT_EQ(-1, c.fd);
	EXPECT_EQ(0, subfolders(&self->root));
}

TEST_F(cg, unavailable_controller_and_busy_folder_say_why)
{
	static const char *const bogus[] = { "bogus", NULL };
	static const char *const memory[] = { "memory", NULL };
	struct llms_cgroup busy = LLMS_CGROUP_INIT;
	struct llms_child c;

	EXPECT_EQ(-ENOENT, llms_cgroup_enable_controllers(&self->root, "x",
							  bogus, &self->err));
	ASSERT_NE(NULL, self->err);
	EXPECT_NE(NULL, strstr(self->err->msg, "not available"));
	llms_error_free(&self->err);

	/* A folder with a process cannot give controllers to children. */
	ASSERT_EQ(0,
		  llms_cgroup_create(&busy, &self->root, "busy", &self->err));
	ASSERT_EQ(0, lib_spawn_sh(&busy, "sleep 1000", &c));
	EXPECT_EQ(-EBUSY,
		  llms_cgroup_enable_controllers(&self->root, "busy/leaf",
						 memory, &self->err));
	ASSERT_NE(NULL, self->err);
	EXPECT_NE(NULL, strstr(self->err->msg, "no internal processes"))
	TH_LOG("%s", self->err->msg);
	llms_error_free(&self->err);
	/* Nothing was enabled there. */
	EXPECT_STREQ("", cg_file(&busy, "cgroup.subtree_control"));
	ASSERT_EQ(0, llms_child_signal(&c, SIGKILL, &self->err));
	EXPECT_TRUE(WIFSIGNALED(lib_wait(&c, 5000)));
	llms_cgroup_close(&busy);
}

TEST_F(cg, remove_takes_nested_folders_and_waits_out_busy_ones)
{
	struct llms_cgroup c = LLMS_CGROUP_INIT;
	struct llms_child child;

	ASSERT_EQ(0, llms_cgroup_create(&c, &self->root, "r/s/t", &self->err));
	llms_cgroup_close(&c);
	ASSERT_EQ(0, llms_cgroup_create(&c, &self->root, "r/u", &self->err));
	llms_cgroup_close(&c);
	EXPECT_EQ(0, llms_cgroup_remove(&self->root, "r", 1000, &self->err))
	TH_LOG("%s", lib_errmsg(&self->err));
	EXPECT_EQ(0, subfolders(&self->root));
	EXPECT_EQ(-ENOENT, llms_cgroup_remove(&self->root, "r", 0, &self->err));
	llms_error_free(&self->err);

	/* A folder with a live process stays, EBUSY once the time is up. */
	ASSERT_EQ(0, llms_cgroup_create(&c, &self->root, "v/w", &self->err));
	ASSERT_EQ(0, lib_spawn_sh(&c, "sleep 1000", &child));
	EXPECT_EQ(-EBUSY,
		  llms_cgroup_remove(&self->root, "v/w", 200, &self->err));
	llms_error_free(&self->err);
	EXPECT_TRUE(cg_has(&c, "cgroup.procs"));
	/* Killed, it goes, right after. */
	ASSERT_EQ(0, llms_cgroup_kill(&c, 5000, &self->err))
	TH_LOG("%s", lib_errmsg(&self->err));
	EXPECT_EQ(0, llms_cgroup_remove(&self->root, "v/w", 5000, &self->err))
	TH_LOG("%s", lib_errmsg(&self->err));
	EXPECT_TRUE(WIFSIGNALED(lib_wait(&child, 5000)));
	llms_cgroup_close(&c);
}

TEST_F(cg, processes_are_listed_moved_and_located)
{
	struct llms_cgroup p = LLMS_CGROUP_INIT, q = LLMS_CGROUP_INIT;
	char *where = NULL, want[256];
	struct llms_child child;
	size_t count = 0;
	pid_t *pids = NULL;
	uint64_t id;
	struct stat st;

	ASSERT_EQ(0, llms_cgroup_create(&p, &self->root, "p", &self->err));
	ASSERT_EQ(0, llms_cgroup_create(&q, &self->root, "q", &self->err));
	ASSERT_EQ(0, lib_spawn_sh(&p, "sleep 1000", &child));
	ASSERT_EQ(0, llms_cgroup_procs(&p, &pids, &count, &self->err));
	ASSERT_EQ(1, count);
	EXPECT_EQ(child.pid, pids[0]);
	free(pids);
	ASSERT_EQ(0, llms_cgroup_of_pid(child.pid, &where, &self->err));
	snprintf(want, sizeof(want), "%s", p.path + strlen("/sys/fs/cgroup"));
	EXPECT_STREQ(want, where);
	free(where);

	ASSERT_EQ(0, llms_cgroup_attach(&q, child.pid, &self->err));
	ASSERT_EQ(0, llms_cgroup_of_pid(child.pid, &where, &self->err));
	EXPECT_STREQ(q.path + strlen("/sys/fs/cgroup"), where);
	free(where);
	ASSERT_EQ(0, llms_cgroup_procs(&p, &pids, &count, &self->err));
	EXPECT_EQ(0, count);
	EXPECT_EQ(NULL, pids);

	EXPECT_EQ(-ESRCH, llms_cgroup_attach(&q, 0x3fffffff, &self->err));
	llms_error_free(&self->err);
	EXPECT_EQ(-ESRCH, llms_cgroup_of_pid(0x3fffffff, &where, &self->err));
	llms_error_free(&self->err);
	/* A folder that gives controllers may not take a process. */
	EXPECT_EQ(-EBUSY,
		  llms_cgroup_attach(&self->root, child.pid, &self->err));
	EXPECT_NE(NULL, strstr(self->err->msg, "no internal processes"));
	llms_error_free(&self->err);

	ASSERT_EQ(0, llms_cgroup_id(&q, &id, &self->err));
	ASSERT_EQ(0, stat(q.path, &st));
	EXPECT_EQ((uint64_t)st.st_ino, id);

	ASSERT_EQ(0, llms_child_signal(&child, SIGKILL, &self->err));
	EXPECT_TRUE(WIFSIGNALED(lib_wait(&child, 5000)));
	llms_cgroup_close(&p);
	llms_cgroup_close(&q);
}

/* ------------------------------------------------------------- limits */

TEST_F(cg, limits_are_written_and_read_back)
{
	struct llms_cgroup c = LLMS_CGROUP_INIT;
	uint64_t quota, period, v;
	char *cpus;

	ASSERT_EQ(0, llms_cgroup_create(&c, &self->root, "lim", &self->err));

	ASSERT_EQ(0, llms_cgroup_set_cpu_max(&c, 1500, 0, &self->err))
	TH_LOG("%s", lib_errmsg(&self->err));
	ASSERT_EQ(0, llms_cgroup_get_cpu_max(&c, &quota, &period, &self->err));
	EXPECT_EQ(150000, quota);
	EXPECT_EQ(LLMS_CPU_PERIOD_US, period);
	EXPECT_STREQ("150000 100000\n", cg_file(&c, "cpu.max"));
	ASSERT_EQ(0, llms_cgroup_set_cpu_max(&c, 250, 20000, &self->err));
	ASSERT_EQ(0, llms_cgroup_get_cpu_max(&c, &quota, &period, &self->err));
	EXPECT_EQ(5000, quota);
	EXPECT_EQ(20000, period);
	ASSERT_EQ(0,
		  llms_cgroup_set_cpu_max(&c, LLMS_CGROUP_MAX, 0, &self->err));
	ASSERT_EQ(0, llms_cgroup_get_cpu_max(&c, &quota, &period, &self->err));
	EXPECT_EQ(LLMS_CGROUP_MAX, quota);
	EXPECT_EQ(LLMS_CPU_PERIOD_US, period);

	ASSERT_EQ(0, llms_cgroup_set_cpu_weight(&c, 250, &self->err));
	ASSERT_EQ(0, llms_cgroup_get_cpu_weight(&c, &v, &self->err));
	EXPECT_EQ(250, v);

	ASSERT_EQ(0, llms_cgroup_set_cpuset_cpus(&c, "0", &self->err))
	TH_LOG("%s", lib_errmsg(&self->err));
	ASSERT_EQ(0, llms_cgroup_get_cpuset_cpus(&c, &cpus, &self->err));
	EXPECT_STREQ("0", cpus);
	free(cpus);

	ASSERT_EQ(0, llms_cgroup_set_limit(&c, LLMS_MEMORY_MAX, 64 * MiB,
					   &self->err));
	ASSERT_EQ(0,
		  llms_cgroup_get_limit(&c, LLMS_MEMORY_MAX, &v, &self->err));
	EXPECT_EQ(64 * MiB, v);
	ASSERT_EQ(0, llms_cgroup_set_limit(&c, LLMS_MEMORY_HIGH, 48 * MiB,
					   &self->err));
	ASSERT_EQ(0,
		  llms_cgroup_get_limit(&c, LLMS_MEMORY_HIGH, &v, &self->err));
	EXPECT_EQ(48 * MiB, v);
	ASSERT_EQ(0, llms_cgroup_set_limit(&c, LLMS_MEMORY_SWAP_MAX, 0,
					   &self->err));
	ASSERT_EQ(0, llms_cgroup_get_limit(&c, LLMS_MEMORY_SWAP_MAX, &v,
					   &self->err));
	EXPECT_EQ(0, v);
	ASSERT_EQ(0, llms_cgroup_set_limit(&c, LLMS_PIDS_MAX, 32, &self->err));
	ASSERT_EQ(0, llms_cgroup_get_limit(&c, LLMS_PIDS_MAX, &v, &self->err));
	EXPECT_EQ(32, v);
	/* Memory is kept in whole pages. */
	ASSERT_EQ(0, llms_cgroup_set_limit(&c, LLMS_MEMORY_MAX, 12345,
					   &self->err));
	ASSERT_EQ(0,
		  llms_cgroup_get_limit(&c, LLMS_MEMORY_MAX, &v, &self->err));
	EXPECT_EQ(12345 / 4096 * 4096, v);
	/* "max" both ways. */
	ASSERT_EQ(0, llms_cgroup_set_limit(&c, LLMS_MEMORY_MAX, LLMS_CGROUP_MAX,
					   &self->err));
	EXPECT_STREQ("max\n", cg_file(&c, "memory.max"));
	ASSERT_EQ(0,
		  llms_cgroup_get_limit(&c, LLMS_MEMORY_MAX, &v, &self->err));
	EXPECT_EQ(LLMS_CGROUP_MAX, v);
	ASSERT_EQ(0, llms_cgroup_set_limit(&c, LLMS_PIDS_MAX, LLMS_CGROUP_MAX,
					   &self->err));
	ASSERT_EQ(0, llms_cgroup_get_limit(&c, LLMS_PIDS_MAX, &v, &self->err));
	EXPECT_EQ(LLMS_CGROUP_MAX, v);
	llms_cgroup_close(&c);
}

/*
 * Expect @call to fail with @errnum and a message that says @text, and
 * free its error.  The library's own checks say what is wrong, where the
 * kernel's EINVAL would only be "Invalid argument".
 */
#define EXPECT_REFUSED_SAYING(errnum, text, call)                     \
	do {                                                          \
		EXPECT_EQ(-(errnum), (call));                         \
		EXPECT_NE(NULL, self->err);                           \
		if (self->err) {                                      \
			EXPECT_NE(NULL, strstr(self->err->msg, text)) \
			TH_LOG("\"%s\" not said", text);              \
			TH_LOG("refused: %s", self->err->msg);        \
		}                                                     \
		llms_error_free(&self->err);                          \
	} while (0)

#define EXPECT_REFUSED(errnum, call) EXPECT_REFUSED_SAYING(errnum, "", call)

TEST_F(cg, bad_values_are_refused_and_change_nothing)
{
	struct llms_cgroup c = LLMS_CGROUP_INIT, bare = LLMS_CGROUP_INIT;
	char *before[6], *after;
	static const char *const files[] = { "cpu.max",	    "cpu.weight",
					     "cpuset.cpus", "memory.max",
					     "pids.max",    "memory.high" };
	unsigned int i;
	uint64_t v;

	ASSERT_EQ(0, llms_cgroup_create(&c, &self->root, "bad", &self->err));
	ASSERT_EQ(0, llms_cgroup_set_cpu_max(&c, 500, 0, &self->err));
	ASSERT_EQ(0, llms_cgroup_set_cpu_weight(&c, 42, &self->err));
	ASSERT_EQ(0, llms_cgroup_set_cpuset_cpus(&c, "0", &self->err));
	ASSERT_EQ(0, llms_cgroup_set_limit(&c, LLMS_MEMORY_MAX, 32 * MiB,
					   &self->err));
	ASSERT_EQ(0, llms_cgroup_set_limit(&c, LLMS_PIDS_MAX, 7, &self->err));
	for (i = 0; i < 6; i++)
		before[i] = cg_file(&c, files[i]);

	/* The library's own checks, before anything is written... */
	EXPECT_REFUSED_SAYING(
		EINVAL, "a period of 999 us",
		llms_cgroup_set_cpu_max(&c, 1000, 999, &self->err));
	EXPECT_REFUSED_SAYING(
		EINVAL, "outside 1000 to 1000000",
		llms_cgroup_set_cpu_max(&c, 1000, 1000001, &self->err));
	EXPECT_REFUSED_SAYING(EINVAL, "0 millicores",
			      llms_cgroup_set_cpu_max(&c, 0, 0, &self->err));
	/* 5 millicores of 100 ms: a 500 us quota, under the 1 ms floor. */
	EXPECT_REFUSED_SAYING(EINVAL, "a quota of 500 us",
			      llms_cgroup_set_cpu_max(&c, 5, 0, &self->err));
	EXPECT_REFUSED_SAYING(
		EINVAL, "too many",
		llms_cgroup_set_cpu_max(&c, UINT64_MAX - 1, 0, &self->err));
	EXPECT_REFUSED_SAYING(EINVAL, "0 is outside 1 to 10000",
			      llms_cgroup_set_cpu_weight(&c, 0, &self->err));
	EXPECT_REFUSED_SAYING(
		EINVAL, "10001 is outside",
		llms_cgroup_set_cpu_weight(&c, 10001, &self->err));
	EXPECT_REFUSED_SAYING(
		EINVAL, "not a list of CPUs",
		llms_cgroup_set_cpuset_cpus(&c, "zero", &self->err));
	EXPECT_REFUSED_SAYING(
		EINVAL, "not a list of CPUs",
		llms_cgroup_set_cpuset_cpus(&c, "0 1", &self->err));
	EXPECT_REFUSED_SAYING(EINVAL, "more than the kernel's 4194304",
			      llms_cgroup_set_limit(&c, LLMS_PIDS_MAX,
						    LLMS_PIDS_MAX_LIMIT + 1,
						    &self->err));
	EXPECT_REFUSED_SAYING(EINVAL, "unknown limit 99",
			      llms_cgroup_set_limit(&c,
						    (enum llms_cgroup_limit)99,
						    1, &self->err));
	EXPECT_REFUSED_SAYING(
		EINVAL, "unknown limit -1",
		llms_cgroup_get_limit(&c, (enum llms_cgroup_limit) - 1, &v,
				      &self->err));
	/* ...and the kernel's: a quota past its ceiling, CPUs it lacks. */
	EXPECT_REFUSED(EINVAL, llms_cgroup_set_cpu_max(&c, 1000000000000ULL, 0,
						       &self->err));
	EXPECT_REFUSED(ERANGE,
		       llms_cgroup_set_cpuset_cpus(&c, "0-4095", &self->err));
	EXPECT_REFUSED(EINVAL,
		       llms_cgroup_set_cpuset_cpus(&c, "1-0", &self->err));

	for (i = 0; i < 6; i++) {
		after = cg_file(&c, files[i]);
		EXPECT_STREQ(before[i], after) TH_LOG("%s", files[i]);
		free(after);
		free(before[i]);
	}

	/* A controller not enabled: said as such. */
	ASSERT_EQ(0, llms_cgroup_create(&bare, &c, "x", &self->err))
	TH_LOG("%s", lib_errmsg(&self->err));
	EXPECT_EQ(-ENOENT, llms_cgroup_get_cpu_max(&bare, &v, &v, &self->err));
	ASSERT_NE(NULL, self->err);
	EXPECT_NE(NULL, strstr(self->err->msg, "cpu controller is not enabled"))
	TH_LOG("%s", self->err->msg);
	llms_error_free(&self->err);
	EXPECT_EQ(-ENOENT,
		  llms_cgroup_set_limit(&bare, LLMS_MEMORY_MAX, 1, &self->err));
	EXPECT_NE(NULL, strstr(self->err->msg, "memory controller"));
	llms_error_free(&self->err);
	llms_cgroup_close(&bare);
	llms_cgroup_close(&c);
}

/* ------------------------------------------------ freeze, thaw, kill */

TEST_F(cg, frozen_cgroup_uses_no_cpu_until_thawed)
{
	struct llms_cgroup c = LLMS_CGROUP_INIT;
	struct llms_child child;
	uint64_t u0, u1, u2, u3;
	char *events;

	ASSERT_EQ(0, llms_cgroup_create(&c, &self->root, "freeze", &self->err));
	/* Empty, it freezes and thaws at once. */
	ASSERT_EQ(0, llms_cgroup_freeze(&c, 1000, &self->err))
	TH_LOG("%s", lib_errmsg(&self->err));
	ASSERT_EQ(0, llms_cgroup_thaw(&c, 1000, &self->err));

	ASSERT_EQ(0, spawn_busy(&c, &child));
	u0 = usage_usec(&c);
	lib_sleep_ms(200);
	ASSERT_LT(u0, usage_usec(&c));

	ASSERT_EQ(0, llms_cgroup_freeze(&c, 5000, &self->err))
	TH_LOG("%s", lib_errmsg(&self->err));
	events = cg_file(&c, "cgroup.events");
	EXPECT_NE(NULL, strstr(events, "frozen 1"));
	free(events);
	u1 = usage_usec(&c);
	lib_sleep_ms(500);
	u2 = usage_usec(&c);
	/* A few microseconds of accounting in flight at most. */
	EXPECT_GE(u1 + 1000, u2)
	TH_LOG("frozen, it used %llu us in 500 ms",
	       (unsigned long long)(u2 - u1));

	ASSERT_EQ(0, llms_cgroup_thaw(&c, 5000, &self->err))
	TH_LOG("%s", lib_errmsg(&self->err));
	events = cg_file(&c, "cgroup.events");
	EXPECT_NE(NULL, strstr(events, "frozen 0"));
	free(events);
	lib_sleep_ms(500);
	u3 = usage_usec(&c);
	/* Busy again: wide, emulation shares two CPUs with everything. */
	EXPECT_LT(u2 + 20000, u3)
	TH_LOG("thawed, it used %llu us in 500 ms",
	       (unsigned long long)(u3 - u2));

	ASSERT_EQ(0, llms_cgroup_kill(&c, 5000, &self->err));
	EXPECT_EQ(SIGKILL, WTERMSIG(lib_wait(&child, 5000)));
	llms_cgroup_close(&c);
}

/* Wait until @cg holds at least @n processes; how many it holds. */
static size_t wait_procs(const struct llms_cgroup *cg, size_t n)
{
	struct llms_error *err = NULL;
	size_t count = 0;
	pid_t *pids;
	int i;

	for (i = 0; i < 3000; i++) {
		if (llms_cgroup_procs(cg, &pids, &count, &err)) {
			llms_error_free(&err);
			return 0;
		}
		free(pids);
		if (count >= n)
			break;
		lib_sleep_ms(10);
	}
	return count;
}

/* 30 sleepers and their shell, in @cg. */
#define FLOCK 30
#define FLOCK_SCRIPT "for i in $(seq 30); do sleep 1000 & done; wait"
/* 62 forks and execs take most of a minute on the debug kernel under TCG. */
#define FLOCK_TIMEOUT 180

TEST_F_TIMEOUT(cg, kill_leaves_no_process, FLOCK_TIMEOUT)
{
	struct llms_cgroup c = LLMS_CGROUP_INIT;
	struct llms_child child;
	bool populated = true;
	size_t count;
	pid_t *pids;

	ASSERT_EQ(0, llms_cgroup_create(&c, &self->root, "kill", &self->err));
	ASSERT_EQ(0, lib_spawn_sh(&c, FLOCK_SCRIPT, &child));
	ASSERT_EQ(FLOCK + 1, wait_procs(&c, FLOCK + 1));
	ASSERT_EQ(0, llms_cgroup_kill(&c, 5000, &self->err))
	TH_LOG("%s", lib_errmsg(&self->err));
	ASSERT_EQ(0, llms_cgroup_populated(&c, &populated, &self->err));
	EXPECT_FALSE(populated);
	ASSERT_EQ(0, llms_cgroup_procs(&c, &pids, &count, &self->err));
	EXPECT_EQ(0, count);
	EXPECT_EQ(SIGKILL, WTERMSIG(lib_wait(&child, 5000)));
	/* An empty folder is killed at once. */
	EXPECT_EQ(0, llms_cgroup_kill(&c, 0, &self->err));
	llms_cgroup_close(&c);
}

TEST_F_TIMEOUT(cg, kill_each_empties_a_tree_without_cgroup_kill,
	       FLOCK_TIMEOUT)
{
	struct llms_cgroup top = LLMS_CGROUP_INIT, x = LLMS_CGROUP_INIT,
			   y = LLMS_CGROUP_INIT;
	struct llms_child cx, cy;
	bool populated = true;
	char *events;

	ASSERT_EQ(0, llms_cgroup_create(&x, &self->root, "each/x", &self->err));
	ASSERT_EQ(0, llms_cgroup_create(&y, &self->root, "each/y", &self->err));
	ASSERT_EQ(0, llms_cgroup_create(&top, &self->root, "each", &self->err));
	ASSERT_EQ(0, lib_spawn_sh(&x, FLOCK_SCRIPT, &cx));
	ASSERT_EQ(0, lib_spawn_sh(&y, FLOCK_SCRIPT, &cy));
	ASSERT_EQ(FLOCK + 1, wait_procs(&x, FLOCK + 1));
	ASSERT_EQ(FLOCK + 1, wait_procs(&y, FLOCK + 1));
	/* A fork bomb of FLOCK forks per tree: slow on a debug kernel. */
	ASSERT_EQ(0, llms_cgroup_kill_each(&top, 30000, &self->err))
	TH_LOG("%s", lib_errmsg(&self->err));
	ASSERT_EQ(0, llms_cgroup_populated(&top, &populated, &self->err));
	EXPECT_FALSE(populated);
	/* Not left frozen. */
	events = cg_file(&top, "cgroup.events");
	EXPECT_NE(NULL, strstr(events, "frozen 0"));
	free(events);
	EXPECT_EQ(SIGKILL, WTERMSIG(lib_wait(&cx, 5000)));
	EXPECT_EQ(SIGKILL, WTERMSIG(lib_wait(&cy, 5000)));
	llms_cgroup_close(&x);
	llms_cgroup_close(&y);
	llms_cgroup_close(&top);
}

TEST_F(cg, waits_time_out_while_processes_live)
{
	struct llms_cgroup c = LLMS_CGROUP_INIT;
	struct llms_child child;

	ASSERT_EQ(0, llms_cgroup_create(&c, &self->root, "wait", &self->err));
	ASSERT_EQ(0, lib_spawn_sh(&c, "sleep 1000", &child));
	EXPECT_REFUSED(ETIMEDOUT, llms_cgroup_wait_empty(&c, 100, &self->err));
	ASSERT_EQ(0, llms_cgroup_kill(&c, 5000, &self->err));
	EXPECT_EQ(0, llms_cgroup_wait_empty(&c, 0, &self->err));
	EXPECT_EQ(SIGKILL, WTERMSIG(lib_wait(&child, 5000)));
	llms_cgroup_close(&c);
}

/* --------------------------------------------------------- accounting */

TEST_F(cg, cpu_stat_counts_use_and_throttling)
{
	struct llms_cgroup c = LLMS_CGROUP_INIT;
	struct llms_cpu_stat st;
	struct llms_child child;

	ASSERT_EQ(0, llms_cgroup_create(&c, &self->root, "stat", &self->err));
	ASSERT_EQ(0, llms_cgroup_cpu_stat(&c, &st, &self->err));
	EXPECT_EQ(0, st.usage_usec);
	EXPECT_TRUE(st.bandwidth);
	/* Half a CPU in 10 ms periods, against a busy loop. */
	ASSERT_EQ(0, llms_cgroup_set_cpu_max(&c, 500, 10000, &self->err));
	ASSERT_EQ(0, spawn_busy(&c, &child));
	lib_sleep_ms(1000);
	ASSERT_EQ(0, llms_cgroup_cpu_stat(&c, &st, &self->err));
	EXPECT_LT(50000, st.usage_usec);
	/* user and system add up to usage, to the kernel's rounding. */
	EXPECT_GE(st.usage_usec + 1000, st.user_usec + st.system_usec);
	EXPECT_LT(10, st.nr_periods);
	EXPECT_LT(0, st.nr_throttled);
	EXPECT_LT(0, st.throttled_usec);
	ASSERT_EQ(0, llms_cgroup_kill(&c, 5000, &self->err));
	EXPECT_EQ(SIGKILL, WTERMSIG(lib_wait(&child, 5000)));
	llms_cgroup_close(&c);
}

/* Two busy loops held to half a CPU: they wait, and PSI says so. */
TEST_F(cg, cpu_pressure_grows_while_tasks_wait)
{
	struct llms_cgroup c = LLMS_CGROUP_INIT;
	struct llms_child child, other;
	struct llms_pressure before, after;

	ASSERT_EQ(0, llms_cgroup_create(&c, &self->root, "psi", &self->err));
	ASSERT_EQ(0, llms_cgroup_cpu_pressure(&c, &before, &self->err))
	TH_LOG("%s", lib_errmsg(&self->err));
	EXPECT_EQ(0, before.some_total_usec);
	ASSERT_EQ(0, llms_cgroup_set_cpu_max(&c, 500, 10000, &self->err));
	ASSERT_EQ(0, spawn_busy(&c, &child));
	ASSERT_EQ(0, spawn_busy(&c, &other));
	/* PSI updates its averages every 2 s. */
	lib_sleep_ms(2500);
	ASSERT_EQ(0, llms_cgroup_cpu_pressure(&c, &after, &self->err));
	/* Half a CPU for two loops: waiting most of the time. */
	EXPECT_LT(250000, after.some_total_usec);
	EXPECT_GE(after.some_total_usec, after.full_total_usec);
	EXPECT_LT(0, after.some_avg10);
	EXPECT_GE(10000, after.some_avg10);
	ASSERT_EQ(0, llms_cgroup_kill(&c, 5000, &self->err));
	EXPECT_EQ(SIGKILL, WTERMSIG(lib_wait(&child, 5000)));
	EXPECT_EQ(SIGKILL, WTERMSIG(lib_wait(&other, 5000)));
	llms_cgroup_close(&c);
}

TEST_F(cg, memory_is_accounted_and_an_oom_kill_is_told)
{
	struct llms_cgroup c = LLMS_CGROUP_INIT;
	struct llms_memory_events ev;
	struct llms_child child;
	uint64_t current, peak;
	int status;

	ASSERT_EQ(0, llms_cgroup_create(&c, &self->root, "oom", &self->err));
	ASSERT_EQ(0, llms_cgroup_memory_events(&c, &ev, &self->err));
	EXPECT_EQ(0, ev.oom_kill);
	EXPECT_EQ(0, ev.oom);
	ASSERT_EQ(0, llms_cgroup_set_limit(&c, LLMS_MEMORY_MAX, 50 * MiB,
					   &self->err));
	ASSERT_EQ(0, llms_cgroup_set_limit(&c, LLMS_MEMORY_SWAP_MAX, 0,
					   &self->err));
	/* A process that holds a little, to be seen. */
	ASSERT_EQ(0, lib_spawn_sh(&c, "sleep 1000", &child));
	ASSERT_EQ(0, llms_cgroup_memory_current(&c, &current, &self->err));
	EXPECT_LT(0, current);
	ASSERT_EQ(0, llms_cgroup_kill(&c, 5000, &self->err));
	EXPECT_EQ(SIGKILL, WTERMSIG(lib_wait(&child, 5000)));

	/* dd reads 200 MB of zeros into one buffer: every page touched. */
	ASSERT_EQ(0,
		  lib_spawn_sh(
			  &c,
			  "exec dd if=/dev/zero of=/dev/null bs=200M count=1",
			  &child));
	status = lib_wait(&child, 60000);
	ASSERT_TRUE(WIFSIGNALED(status)) TH_LOG("status %#x", status);
	EXPECT_EQ(SIGKILL, WTERMSIG(status));
	ASSERT_EQ(0, llms_cgroup_memory_events(&c, &ev, &self->err));
	EXPECT_EQ(1, ev.oom_kill);
	EXPECT_LE(1, ev.oom);
	EXPECT_LE(1, ev.max);
	ASSERT_EQ(0, llms_cgroup_memory_peak(&c, &peak, &self->err))
	TH_LOG("%s", lib_errmsg(&self->err));
	EXPECT_LE(40 * MiB, peak);
	EXPECT_GE(50 * MiB, peak);
	llms_cgroup_close(&c);
}

LLMS_TEST_MAIN
