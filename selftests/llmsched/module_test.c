// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched selftests: the module's life cycle and its device node.
 *
 * Runs as root inside the test VM, against build/llmsched.ko.  Each test
 * leaves the module loaded with default parameters for the tests after it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <linux/llmsched.h>

#include "kselftest_harness.h"
#include "harness_main.h"
#include "module_util.h"

/* The 6.1 harness defines FIXTURE_SETUP/TEARDOWN as non-static functions. */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"

#define LOAD_CYCLES ((int)test_scale(100))

/*
 * VFS caches, left out of the count: with slub_debug, SLUB gives every
 * kmem_cache a debugfs folder, and the dentry and inode of a destroyed
 * cache's folder stay behind (one per create/destroy cycle, seen with a
 * module that does nothing but create and destroy one cache).  That is the
 * kernel's, not the module's.
 */
static const char *const vfs_caches[] = {
	"dentry", "inode_cache", "lsm_inode_cache", "radix_tree_node",
};

static bool is_vfs_cache(const char *name)
{
	unsigned int i;

	for (i = 0; i < sizeof(vfs_caches) / sizeof(vfs_caches[0]); i++)
		if (!strcmp(name, vfs_caches[i]))
			return true;
	return false;
}

/* Let freed objects settle: drop reclaimable caches, wait for RCU. */
static void settle(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY | O_CLOEXEC);

	sync();
	if (fd >= 0) {
		if (write(fd, "2", 1) < 0)
			perror("drop_caches");
		close(fd);
	}
	usleep(500 * 1000);
}

/*
 * Bytes held by the slab caches other than the VFS ones, from
 * /proc/slabinfo (active objects times object size).  A module that leaked
 * even one object per load would grow this by LOAD_CYCLES objects at least.
 */
static long long slab_active_bytes(long long *objects)
{
	char line[512];
	long long bytes = 0, objs = 0;
	FILE *f;

	settle();
	f = fopen("/proc/slabinfo", "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char name[128];
		long long active, num, size;

		if (line[0] == '#' || !strncmp(line, "slabinfo", 8))
			continue;
		if (sscanf(line, "%127s %lld %lld %lld", name, &active, &num,
			   &size) != 4 || is_vfs_cache(name))
			continue;
		bytes += active * size;
		objs += active;
	}
	fclose(f);
	*objects = objs;
	return bytes;
}

static void reload_defaults(struct __test_metadata *_metadata)
{
	if (llmsched_module_loaded())
		ASSERT_EQ(0, llmsched_module_unload());
	ASSERT_EQ(0, llmsched_module_load(""));
}

/* The module under test is the freshly built one, not some other copy. */
TEST(loaded_module_is_the_built_one)
{
	char loaded[128], want[256], cmd[512];
	FILE *p;

	ASSERT_EQ(0, llmsched_module_ensure_loaded());
	ASSERT_LT(0, read_text_file("/sys/module/llmsched/srcversion", loaded,
				    sizeof(loaded)));
	snprintf(cmd, sizeof(cmd), "modinfo -F srcversion %s", llmsched_ko_path());
	p = popen(cmd, "r");
	ASSERT_NE(NULL, p);
	ASSERT_NE(NULL, fgets(want, sizeof(want), p));
	pclose(p);
	EXPECT_STREQ(want, loaded);
	TH_LOG("llmsched %s loaded from %s", strtok(loaded, "\n"),
	       llmsched_ko_path());
}

FIXTURE(cycles) {
	int unused;
};

FIXTURE_SETUP(cycles)
{
}

FIXTURE_TEARDOWN(cycles)
{
}

/* A hundred loads take a while under software emulation. */
TEST_F_TIMEOUT(cycles, load_unload_cycles_leak_nothing, 600)
{
	long long before, after, objs_before, objs_after;
	int i;

	if (llmsched_module_loaded())
		ASSERT_EQ(0, llmsched_module_unload());
	/* One warm-up cycle: caches the kernel creates on first use stay. */
	ASSERT_EQ(0, llmsched_module_load(""));
	ASSERT_EQ(0, llmsched_module_unload());

	before = slab_active_bytes(&objs_before);
	ASSERT_LE(0, before);
	for (i = 0; i < LOAD_CYCLES; i++) {
		ASSERT_EQ(0, llmsched_module_load("")) TH_LOG("load %d", i);
		ASSERT_TRUE(llmsched_module_loaded());
		ASSERT_EQ(0, llmsched_module_unload()) TH_LOG("unload %d", i);
		ASSERT_FALSE(llmsched_module_loaded());
	}
	after = slab_active_bytes(&objs_after);
	ASSERT_LE(0, after);
	TH_LOG("%d cycles: slab objects %lld -> %lld, bytes %lld -> %lld",
	       LOAD_CYCLES, objs_before, objs_after, before, after);
	/* Less than one object per cycle: unrelated kernel activity only. */
	if (kernel_defers_frees())
		TH_LOG("freed objects are held back here: kmemleak judges leaks");
	else
		EXPECT_LT(objs_after - objs_before, LOAD_CYCLES / 2);
	ASSERT_EQ(0, llmsched_module_load(""));
}

TEST(device_node_has_default_mode_and_owner)
{
	struct stat st;

	reload_defaults(_metadata);
	ASSERT_EQ(0, stat("/dev/" LLMSCHED_DEVICE_NAME, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0660U, st.st_mode & 07777);
	EXPECT_EQ(0U, st.st_uid);
	EXPECT_EQ(0U, st.st_gid);
}

TEST(device_node_takes_mode_and_group_parameters)
{
	struct stat st;

	if (llmsched_module_loaded())
		ASSERT_EQ(0, llmsched_module_unload());
	ASSERT_EQ(0, llmsched_module_load("dev_mode=0640 dev_gid=1234"));
	ASSERT_EQ(0, stat("/dev/" LLMSCHED_DEVICE_NAME, &st));
	EXPECT_EQ(0640U, st.st_mode & 07777);
	EXPECT_EQ(1234U, st.st_gid);
	reload_defaults(_metadata);
}

TEST(bad_module_parameters_are_refused)
{
	if (llmsched_module_loaded())
		ASSERT_EQ(0, llmsched_module_unload());
	EXPECT_EQ(-EINVAL, llmsched_module_load("dev_mode=01777"));
	EXPECT_FALSE(llmsched_module_loaded());
	EXPECT_EQ(-EINVAL, llmsched_module_load("dev_gid=4294967295"));
	EXPECT_FALSE(llmsched_module_loaded());
	reload_defaults(_metadata);
}

TEST(sysfs_version_reads_back)
{
	char buf[64], want[64];

	ASSERT_EQ(0, llmsched_module_ensure_loaded());
	ASSERT_LT(0, read_text_file("/sys/kernel/llmsched/version", buf,
				    sizeof(buf)));
	snprintf(want, sizeof(want), "%d.%d.%d\n", LLMSCHED_VERSION_MAJOR,
		 LLMSCHED_VERSION_MINOR, LLMSCHED_VERSION_PATCH);
	EXPECT_STREQ(want, buf);
}

/* Each load has its own instance number; it stays while loaded. */
TEST(sysfs_instance_changes_with_each_load)
{
	char first[64], again[64], next[64];

	ASSERT_EQ(0, llmsched_module_ensure_loaded());
	ASSERT_EQ(17, read_text_file("/sys/kernel/llmsched/instance", first,
				     sizeof(first)));
	EXPECT_EQ(16U, strspn(first, "0123456789abcdef")) TH_LOG("%s", first);
	EXPECT_STRNE("0000000000000000\n", first);
	ASSERT_EQ(17, read_text_file("/sys/kernel/llmsched/instance", again,
				     sizeof(again)));
	EXPECT_STREQ(first, again);
	reload_defaults(_metadata);
	ASSERT_EQ(17, read_text_file("/sys/kernel/llmsched/instance", next,
				     sizeof(next)));
	EXPECT_STRNE(first, next);
}

TEST(unknown_ioctl_is_enotty)
{
	unsigned long cmds[] = {
		0,
		_IO(LLMSCHED_IOCTL_MAGIC, 0xff),
		_IOWR(LLMSCHED_IOCTL_MAGIC, 0xfe, __u64),
		_IO('T', 0x01),
	};
	unsigned int i;
	int fd;

	ASSERT_EQ(0, llmsched_module_ensure_loaded());
	fd = open("/dev/" LLMSCHED_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		errno = 0;
		EXPECT_EQ(-1, ioctl(fd, cmds[i], 0)) TH_LOG("cmd %#lx", cmds[i]);
		EXPECT_EQ(ENOTTY, errno) TH_LOG("cmd %#lx", cmds[i]);
	}
	close(fd);
}

TEST(unload_is_refused_while_device_is_open)
{
	int fd;

	ASSERT_EQ(0, llmsched_module_ensure_loaded());
	fd = open("/dev/" LLMSCHED_DEVICE_NAME, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EWOULDBLOCK, llmsched_module_unload());
	EXPECT_TRUE(llmsched_module_loaded());
	close(fd);
}

LLMS_TEST_MAIN
