// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for llmschedd's capacity discovery
 * (runtime/llmschedd/capacity.c): a fake /proc, cgroup tree and /dev in
 * a temporary folder, the CPU list parser, and one look at the real host.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../../runtime/llmschedd/capacity.h"
#include "../../runtime/llmschedd/config.h"

/* The 6.1 harness defines FIXTURE_SETUP/TEARDOWN as non-static functions. */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"

FIXTURE(host)
{
	char root[64];
	char proc[96], cgroup[96], dev[96];
	struct llmsd_host_paths paths;
	struct llmsd_config c;
	struct llmsd_capacity cap;
	struct llms_error *err;
};

/* Write @text to ROOT/@rel, making its folders. */
static int put(const char *root, const char *rel, const char *text)
{
	char path[512], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (slash = strchr(path + strlen(root) + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fputs(text, f);
	fclose(f);
	return 0;
}

FIXTURE_SETUP(host)
{
	strcpy(self->root, "/tmp/llmsd-capacity-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
	snprintf(self->proc, sizeof(self->proc), "%s/proc", self->root);
	snprintf(self->cgroup, sizeof(self->cgroup), "%s/cgroup", self->root);
	snprintf(self->dev, sizeof(self->dev), "%s/dev", self->root);
	self->paths = (struct llmsd_host_paths){
		.proc = self->proc,
		.cgroup = self->cgroup,
		.dev = self->dev,
		.affinity = "0-7",
	};
	/* 16 GiB, a cgroup without limits, two GPUs and their helpers. */
	ASSERT_EQ(0, put(self->root, "proc/meminfo",
			 "MemTotal:       16777216 kB\n"
			 "MemFree:         1000000 kB\n"));
	ASSERT_EQ(0, put(self->root, "proc/self/cgroup",
			 "0::/system.slice/llmschedd.service\n"));
	ASSERT_EQ(0, put(self->root,
			 "cgroup/system.slice/llmschedd.service/cgroup.procs",
			 "1\n"));
	ASSERT_EQ(0, put(self->root, "dev/nvidia0", ""));
	ASSERT_EQ(0, put(self->root, "dev/nvidia1", ""));
	ASSERT_EQ(0, put(self->root, "dev/nvidiactl", ""));
	ASSERT_EQ(0, put(self->root, "dev/nvidia-uvm", ""));
	ASSERT_EQ(0, put(self->root, "dev/null", ""));
	llmsd_config_init(&self->c);
	self->err = NULL;
}

FIXTURE_TEARDOWN(host)
{
	char cmd[128];

	llms_error_free(&self->err);
	llmsd_config_free(&self->c);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", self->root);
	if (system(cmd))
		TH_LOG("could not remove %s", self->root);
}

static int discover(FIXTURE_DATA(host) *self)
{
	llms_error_free(&self->err);
	return llmsd_capacity_discover_at(&self->c, &self->paths, &self->cap,
					  &self->err);
}

static const char *msg(FIXTURE_DATA(host) *self)
{
	return self->err ? self->err->msg : "";
}

TEST_F(host, cpus_memory_less_the_reserve_and_gpus)
{
	ASSERT_EQ(0, discover(self)) TH_LOG("%s", msg(self));
	EXPECT_EQ(8000, self->cap.cpu);
	EXPECT_EQ(8, self->cap.ncpus);
	EXPECT_STREQ("0-7", self->cap.cpus);
	EXPECT_EQ(16ULL << 30, self->cap.mem_total);
	/* auto: 10% of MemTotal. */
	EXPECT_EQ((16ULL << 30) / 10, self->cap.mem_reserve);
	EXPECT_EQ((16ULL << 30) - (16ULL << 30) / 10, self->cap.mem);
	EXPECT_EQ(UINT64_MAX, self->cap.mem_cgroup);
	EXPECT_EQ(UINT64_MAX, self->cap.cpu_cgroup);
	/* nvidia0 and nvidia1; not nvidiactl or nvidia-uvm. */
	EXPECT_EQ(2, self->cap.gpu);
	EXPECT_EQ(0, self->cap.gpu_mem);
}

TEST_F(host, the_reserve_auto_is_capped_and_a_set_one_is_taken)
{
	ASSERT_EQ(0, put(self->root, "proc/meminfo",
			 "MemFree: 1 kB\nMemTotal: 67108864 kB\n"));
	ASSERT_EQ(0, discover(self));
	EXPECT_EQ(2ULL << 30, self->cap.mem_reserve);
	EXPECT_EQ(62ULL << 30, self->cap.mem);
	ASSERT_EQ(0, llmsd_config_set(&self->c, "daemon.memory_reserve=512M",
				      &self->err));
	ASSERT_EQ(0, discover(self));
	EXPECT_EQ(512ULL << 20, self->cap.mem_reserve);
	EXPECT_EQ((64ULL << 30) - (512ULL << 20), self->cap.mem);
	ASSERT_EQ(0, llmsd_config_set(&self->c, "daemon.memory_reserve=64G",
				      &self->err));
	EXPECT_EQ(-EINVAL, discover(self));
	EXPECT_STREQ("memory_reserve 64G leaves nothing of MemTotal 64G",
		     msg(self));
}

TEST_F(host, the_cgroup_and_its_ancestors_bound_cpu_and_memory)
{
	/* 4 CPUs' worth on the slice, 8G on the service, 12G on the slice. */
	ASSERT_EQ(0, put(self->root, "cgroup/system.slice/cpu.max",
			 "400000 100000\n"));
	ASSERT_EQ(0, put(self->root, "cgroup/system.slice/memory.max",
			 "12884901888\n"));
	ASSERT_EQ(0, put(self->root,
			 "cgroup/system.slice/llmschedd.service/cpu.max",
			 "max 100000\n"));
	ASSERT_EQ(0, put(self->root,
			 "cgroup/system.slice/llmschedd.service/memory.max",
			 "8589934592\n"));
	/* The mount's root is never read: a limit there would be a lie. */
	ASSERT_EQ(0, put(self->root, "cgroup/memory.max", "1\n"));
	ASSERT_EQ(0, discover(self)) TH_LOG("%s", msg(self));
	EXPECT_EQ(4000, self->cap.cpu);
	EXPECT_EQ(4000, self->cap.cpu_cgroup);
	EXPECT_EQ(8ULL << 30, self->cap.mem);
	EXPECT_EQ(8ULL << 30, self->cap.mem_cgroup);
	EXPECT_EQ(8, self->cap.ncpus);

	/* A quota of a fraction of a CPU. */
	ASSERT_EQ(0, put(self->root,
			 "cgroup/system.slice/llmschedd.service/cpu.max",
			 "25000 50000\n"));
	ASSERT_EQ(0, discover(self));
	EXPECT_EQ(500, self->cap.cpu);

	/* A bound above what the host has changes nothing. */
	ASSERT_EQ(0, put(self->root, "cgroup/system.slice/cpu.max",
			 "max 100000\n"));
	ASSERT_EQ(0, put(self->root,
			 "cgroup/system.slice/llmschedd.service/cpu.max",
			 "1600000 100000\n"));
	ASSERT_EQ(0, put(self->root, "cgroup/system.slice/memory.max",
			 "max\n"));
	ASSERT_EQ(0, put(self->root,
			 "cgroup/system.slice/llmschedd.service/memory.max",
			 "1099511627776\n"));
	ASSERT_EQ(0, discover(self));
	EXPECT_EQ(8000, self->cap.cpu);
	EXPECT_EQ(16000, self->cap.cpu_cgroup);
	EXPECT_EQ((16ULL << 30) - (16ULL << 30) / 10, self->cap.mem);
}

TEST_F(host, bad_files_are_errors_that_name_them)
{
	ASSERT_EQ(0, put(self->root,
			 "cgroup/system.slice/llmschedd.service/cpu.max",
			 "lots 100000\n"));
	EXPECT_EQ(-EINVAL, discover(self));
	EXPECT_NE(NULL, strstr(msg(self), "llmschedd.service/cpu.max: not 'QUOTA PERIOD'"));
	ASSERT_EQ(0, put(self->root,
			 "cgroup/system.slice/llmschedd.service/cpu.max",
			 "100000 0\n"));
	EXPECT_EQ(-EINVAL, discover(self));
	ASSERT_EQ(0, put(self->root,
			 "cgroup/system.slice/llmschedd.service/cpu.max",
			 "max 100000\n"));
	ASSERT_EQ(0, put(self->root,
			 "cgroup/system.slice/llmschedd.service/memory.max",
			 "8G\n"));
	EXPECT_EQ(-EINVAL, discover(self));
	EXPECT_NE(NULL, strstr(msg(self), "memory.max: not a number of bytes or max"));
	ASSERT_EQ(0, put(self->root,
			 "cgroup/system.slice/llmschedd.service/memory.max",
			 "max\n"));
	ASSERT_EQ(0, discover(self)) TH_LOG("%s", msg(self));

	ASSERT_EQ(0, put(self->root, "proc/meminfo", "MemFree: 1 kB\n"));
	EXPECT_EQ(-EINVAL, discover(self));
	EXPECT_NE(NULL, strstr(msg(self), "/proc/meminfo: no line 'MemTotal: N kB'"));
	ASSERT_EQ(0, put(self->root, "proc/meminfo", "MemTotal: 16 MB\n"));
	EXPECT_EQ(-EINVAL, discover(self));
	ASSERT_EQ(0, put(self->root, "proc/meminfo",
			 "MemTotal: 99999999999999999999 kB\n"));
	EXPECT_EQ(-EINVAL, discover(self));
	unlink(strcat(strcpy((char[128]){ 0 }, self->proc), "/meminfo"));
	EXPECT_EQ(-ENOENT, discover(self));
	EXPECT_NE(NULL, strstr(msg(self), "reading "));

	self->paths.affinity = "0-3,x";
	EXPECT_EQ(-EINVAL, discover(self));
	EXPECT_NE(NULL, strstr(msg(self), "the CPU affinity: '0-3,x': not a CPU list"));
}

TEST_F(host, no_cgroup_v2_no_dev_and_a_long_cpu_list)
{
	ASSERT_EQ(0, put(self->root, "proc/self/cgroup", "1:cpu:/x\n"));
	ASSERT_EQ(0, put(self->root, "cgroup/x/cpu.max", "1000 100000\n"));
	self->paths.dev = "/nonexistent/dev";
	ASSERT_EQ(0, discover(self)) TH_LOG("%s", msg(self));
	EXPECT_EQ(8000, self->cap.cpu);
	EXPECT_EQ(0, self->cap.gpu);

	/* Every other CPU of 0-255: more than cap.cpus holds. */
	{
		char list[1024];
		size_t used = 0;
		int i;

		for (i = 0; i < 256; i += 2)
			used += (size_t)snprintf(list + used,
						 sizeof(list) - used, "%s%d",
						 i ? "," : "", i);
		self->paths.affinity = list;
		EXPECT_EQ(-E2BIG, discover(self));
		EXPECT_NE(NULL, strstr(msg(self), "usable CPU list is longer than 255"));
		self->paths.affinity = "0-3,5,7-4095";
		ASSERT_EQ(0, discover(self));
		EXPECT_STREQ("0-3,5,7-4095", self->cap.cpus);
		EXPECT_EQ(4094, self->cap.ncpus);
	}
}

TEST(cpu_lists_parse_and_print)
{
	static const char *const good[] = {
		"0", "0-3", "0-3,6", "1,3,5", "0-4095", "7,3-4,1", "2\n",
	};
	static const char *const canonical[] = {
		"0", "0-3", "0-3,6", "1,3,5", "0-4095", "1,3-4,7", "2",
	};
	static const char *const bad[] = {
		"x", "0-", "-3", "0,", ",0", "0 ,1", "0-3:2", "3-1", "4096",
		"0-99999999999", "1\n\n",
	};
	struct llms_error *err = NULL;
	struct llmsd_cpumask m;
	char buf[64];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		EXPECT_EQ(0, llmsd_cpulist_parse(good[i], &m, &err))
			TH_LOG("'%s': %s", good[i], err ? err->msg : "");
		llmsd_cpulist_format(&m, buf, sizeof(buf));
		EXPECT_STREQ(canonical[i], buf);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = llmsd_cpulist_parse(bad[i], &m, &err);

		EXPECT_TRUE(ret == -EINVAL || ret == -ERANGE)
			TH_LOG("'%s' was taken", bad[i]);
		EXPECT_NE(NULL, err);
		if (err)
			EXPECT_EQ(0, strncmp(err->msg, "'", 1));
		llms_error_free(&err);
	}
	EXPECT_EQ(0, llmsd_cpulist_parse("", &m, &err));
	EXPECT_EQ(0, llmsd_cpumask_weight(&m));
	EXPECT_EQ(0, llmsd_cpulist_format(&m, buf, sizeof(buf)));
	EXPECT_STREQ("", buf);
	llmsd_cpulist_parse("0-3,6", &m, NULL);
	EXPECT_EQ(5, llmsd_cpumask_weight(&m));
	/* As snprintf(): the whole length, the text cut. */
	EXPECT_EQ(5, llmsd_cpulist_format(&m, buf, 3));
	EXPECT_STREQ("0-", buf);
}

TEST(the_real_host_follows_the_affinity)
{
	struct llmsd_capacity cap;
	struct llms_error *err = NULL;
	struct llmsd_config c;
	cpu_set_t saved, one;
	int cpu = -1, i;

	llmsd_config_init(&c);
	ASSERT_EQ(0, sched_getaffinity(0, sizeof(saved), &saved));
	ASSERT_EQ(0, llmsd_capacity_discover(&c, &cap, &err))
		TH_LOG("%s", err ? err->msg : "");
	EXPECT_EQ(CPU_COUNT(&saved), (int)cap.ncpus);
	EXPECT_GE(cap.ncpus * 1000ULL, cap.cpu);
	EXPECT_LT(0, cap.mem);
	EXPECT_GT(cap.mem_total, cap.mem);

	for (i = 0; i < CPU_SETSIZE && cpu < 0; i++)
		if (CPU_ISSET(i, &saved))
			cpu = i;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(one), &one));
	EXPECT_EQ(0, llmsd_capacity_discover(&c, &cap, &err));
	sched_setaffinity(0, sizeof(saved), &saved);
	EXPECT_EQ(1, cap.ncpus);
	EXPECT_EQ(cpu, atoi(cap.cpus));
	EXPECT_GE(1000, cap.cpu);
	llms_error_free(&err);
}

TEST_HARNESS_MAIN
