// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for llmschedd's GPUs (runtime/llmschedd/gpu.c): discovery on
 * a fake /dev, /proc and /sys in a temporary folder (its device nodes are
 * links to the host's /dev/null, /dev/zero, ...: stat() follows them to
 * real character devices, and no privilege is needed), the plan of who
 * holds which, the allocator, the agent's --agent-gpus line and the
 * environment.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../../runtime/llmschedd/config.h"
#include "../../runtime/llmschedd/gpu.h"

/* The 6.1 harness defines FIXTURE_SETUP/TEARDOWN as non-static functions. */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"

/* mkdir -p @path. */
static void mkdir_p(const char *path)
{
	char buf[512], *slash;

	snprintf(buf, sizeof(buf), "%s", path);
	for (slash = strchr(buf + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(buf, 0755);
		*slash = '/';
	}
	mkdir(buf, 0755);
}

/* Make ROOT/@rel's folders. */
static void mkdirs(const char *root, const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	mkdir_p(path);
}

static int put(const char *root, const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	*strrchr(path, '/') = '\0';
	mkdir_p(path);
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fputs(text, f);
	fclose(f);
	return 0;
}

static int link_at(const char *root, const char *rel, const char *target)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	*strrchr(path, '/') = '\0';
	mkdir_p(path);
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return symlink(target, path) ? -errno : 0;
}

FIXTURE(tree)
{
	char root[64];
	struct llmsd_gpu_inventory inv;
	struct llms_error *err;
};

FIXTURE_SETUP(tree)
{
	const char *pci = "sys/devices/pci0000:00/0000:03:00.0";
	char target[256];

	strcpy(self->root, "/tmp/llmsd-gpu-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->root));
	self->err = NULL;
	/* Two NVIDIA GPUs (null, zero) and their control nodes. */
	ASSERT_EQ(0, link_at(self->root, "dev/nvidia0", "/dev/null"));
	ASSERT_EQ(0, link_at(self->root, "dev/nvidia1", "/dev/zero"));
	ASSERT_EQ(0, link_at(self->root, "dev/nvidiactl", "/dev/full"));
	ASSERT_EQ(0, link_at(self->root, "dev/nvidia-uvm", "/dev/random"));
	/* Not GPUs: a regular file, and a name with more after the digits. */
	ASSERT_EQ(0, put(self->root, "dev/nvidia2", "not a device"));
	ASSERT_EQ(0, link_at(self->root, "dev/nvidia0x", "/dev/null"));
	ASSERT_EQ(0, put(self->root,
			 "proc/driver/nvidia/gpus/0000:3b:00.0/information",
			 "Model: \t\t NVIDIA H200\nIRQ: 42\nDevice Minor: 1\n"));
	ASSERT_EQ(0, put(self->root,
			 "proc/driver/nvidia/gpus/0000:1a:00.0/information",
			 "Model: \t\t NVIDIA A100\nDevice Minor: 0\n"));
	/* An amdgpu card with its render node, and a virtual display. */
	mkdirs(self->root, pci);
	mkdirs(self->root, "sys/bus/pci/drivers/amdgpu");
	mkdirs(self->root, "sys/bus/pci/drivers/bochs-drm");
	mkdirs(self->root, "sys/devices/pci0000:00/0000:00:02.0");
	snprintf(target, sizeof(target), "%s/sys/bus/pci/drivers/amdgpu",
		 self->root);
	ASSERT_EQ(0, link_at(self->root, "sys/devices/pci0000:00/0000:03:00.0/driver",
			     target));
	snprintf(target, sizeof(target), "%s/sys/bus/pci/drivers/bochs-drm",
		 self->root);
	ASSERT_EQ(0, link_at(self->root, "sys/devices/pci0000:00/0000:00:02.0/driver",
			     target));
	ASSERT_EQ(0, put(self->root, "sys/devices/pci0000:00/0000:03:00.0/mem_info_vram_total",
			 "68702699520\n"));
	ASSERT_EQ(0, put(self->root, "sys/devices/pci0000:00/0000:03:00.0/product_name",
			 "mi210\n"));
	snprintf(target, sizeof(target), "%s/%s", self->root, pci);
	ASSERT_EQ(0, link_at(self->root, "sys/class/drm/card0/device", target));
	ASSERT_EQ(0, link_at(self->root, "sys/class/drm/renderD128/device",
			     target));
	ASSERT_EQ(0, put(self->root, "sys/class/drm/card0/dev", "226:0\n"));
	ASSERT_EQ(0, put(self->root, "sys/class/drm/renderD128/dev",
			 "226:128\n"));
	snprintf(target, sizeof(target), "%s/sys/devices/pci0000:00/0000:00:02.0",
		 self->root);
	ASSERT_EQ(0, link_at(self->root, "sys/class/drm/card1/device", target));
	ASSERT_EQ(0, put(self->root, "sys/class/drm/card1/dev", "226:1\n"));
	ASSERT_EQ(0, link_at(self->root, "dev/kfd", "/dev/urandom"));
}

FIXTURE_TEARDOWN(tree)
{
	char cmd[128];

	llms_error_free(&self->err);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->root);
	if (system(cmd))
		TH_LOG("could not remove %s", self->root);
}

TEST_F(tree, discovery_finds_nvidia_and_amdgpu_and_nothing_else)
{
	const struct llmsd_gpu *g;

	ASSERT_EQ(0, llmsd_gpu_discover_at(self->root, &self->inv, &self->err));
	ASSERT_EQ(3, self->inv.ngpus);
	EXPECT_FALSE(self->inv.configured);

	g = &self->inv.gpus[0];
	EXPECT_STREQ("gpu0", g->name);
	EXPECT_EQ(LLMSD_GPU_NVIDIA, g->vendor);
	EXPECT_EQ(0, g->index);
	EXPECT_STREQ("/dev/nvidia0", g->node);
	EXPECT_STREQ("NVIDIA A100", g->model);
	EXPECT_STREQ("0000:1a:00.0", g->pci);
	ASSERT_EQ(1, g->ndevs);
	EXPECT_EQ(1, g->devs[0].major);
	EXPECT_EQ(3, g->devs[0].minor);
	EXPECT_EQ(0, g->mem);

	g = &self->inv.gpus[1];
	EXPECT_STREQ("gpu1", g->name);
	EXPECT_EQ(1, g->index);
	EXPECT_STREQ("NVIDIA H200", g->model);
	EXPECT_STREQ("0000:3b:00.0", g->pci);
	EXPECT_EQ(5, g->devs[0].minor);

	g = &self->inv.gpus[2];
	EXPECT_STREQ("gpu2", g->name);
	EXPECT_EQ(LLMSD_GPU_AMD, g->vendor);
	EXPECT_EQ(0, g->index);
	EXPECT_STREQ("/dev/dri/card0", g->node);
	EXPECT_STREQ("mi210", g->model);
	EXPECT_STREQ("0000:03:00.0", g->pci);
	EXPECT_EQ(68702699520ULL, g->mem);
	ASSERT_EQ(2, g->ndevs);
	EXPECT_EQ(226, g->devs[0].major);
	EXPECT_EQ(0, g->devs[0].minor);
	EXPECT_EQ(128, g->devs[1].minor);

	/* nvidiactl, nvidia-uvm, kfd. */
	ASSERT_EQ(3, self->inv.nctl);
	EXPECT_EQ(7, self->inv.ctl[0].minor);
	EXPECT_EQ(8, self->inv.ctl[1].minor);
	EXPECT_EQ(9, self->inv.ctl[2].minor);
}

TEST_F(tree, an_empty_host_has_no_gpu)
{
	char empty[96];

	snprintf(empty, sizeof(empty), "%s/empty", self->root);
	mkdir_p(empty);
	ASSERT_EQ(0, llmsd_gpu_discover_at(empty, &self->inv, &self->err));
	EXPECT_EQ(0, self->inv.ngpus);
	EXPECT_EQ(0, self->inv.nctl);
}

/* A configuration from --set assignments, NULL-terminated. */
static int config_of(struct llmsd_config *c, const char *const *sets,
		     struct llms_error **err)
{
	int ret = 0;

	llmsd_config_init(c);
	for (; *sets && !ret; sets++)
		ret = llmsd_config_set(c, *sets, err);
	return ret;
}

TEST_F(tree, configured_gpus_replace_discovery_and_models_become_tags)
{
	char node[128], ctl[128];
	struct llmsd_config c;
	uint64_t bits;
	const char *sets[] = { "tags.avx = 0", node, ctl,
			       "gpu.big.model = h200", "gpu.big.memory = 80G",
			       "gpu.other.node = /dev/full",
			       "agent.a.cpu = 1", "agent.a.memory = 1G",
			       "agent.a.gpus = big", NULL };

	snprintf(node, sizeof(node), "gpu.big.node = %s/dev/nvidia1",
		 self->root);
	snprintf(ctl, sizeof(ctl), "gpu.big.control = %s/dev/nvidiactl",
		 self->root);
	ASSERT_EQ(0, config_of(&c, sets, &self->err));
	ASSERT_EQ(0, llmsd_gpu_inventory(&c, self->root, &self->inv,
					 &self->err));
	EXPECT_TRUE(self->inv.configured);
	ASSERT_EQ(2, self->inv.ngpus);
	EXPECT_STREQ("big", self->inv.gpus[0].name);
	EXPECT_EQ(LLMSD_GPU_NVIDIA, self->inv.gpus[0].vendor);
	EXPECT_EQ(0, self->inv.gpus[0].index);
	EXPECT_EQ(80ULL << 30, self->inv.gpus[0].mem);
	EXPECT_EQ(5, self->inv.gpus[0].devs[0].minor);
	EXPECT_EQ(LLMSD_GPU_OTHER, self->inv.gpus[1].vendor);
	ASSERT_EQ(1, self->inv.nctl);
	EXPECT_EQ(7, self->inv.ctl[0].minor);
	/* h200 took the lowest free bit, and agent a has it. */
	ASSERT_EQ(0, llmsd_tag_bits(&c, "h200", &bits, &self->err));
	EXPECT_EQ(1ULL << 1, bits);
	EXPECT_EQ(1ULL << 1, c.agents[0].tags);
	ASSERT_EQ(0, llmsd_gpu_plan(&c, &self->inv, &self->err));
	EXPECT_EQ(1, c.agents[0].gpu);
	EXPECT_EQ(80ULL << 30, c.agents[0].gpu_mem);
	llmsd_config_free(&c);

	/* A node that is not a character device. */
	{
		const char *bad[] = { "gpu.x.node = /etc/passwd", NULL };

		ASSERT_EQ(0, config_of(&c, bad, &self->err));
		EXPECT_EQ(-ENOTTY, llmsd_gpu_inventory(&c, NULL, &self->inv,
						       &self->err));
		EXPECT_NE(NULL, strstr(self->err->msg, "not a character device"));
		llms_error_free(&self->err);
		llmsd_config_free(&c);
	}
}

TEST_F(tree, the_plan_gives_named_gpus_then_counted_ones)
{
	struct llmsd_config c;
	const char *sets[] = { "agent.a.cpu = 1", "agent.a.memory = 1G",
			       "agent.a.gpus = gpu2, gpu0",
			       "agent.b.cpu = 1", "agent.b.memory = 1G",
			       "agent.b.gpu = 1", NULL };

	ASSERT_EQ(0, llmsd_gpu_discover_at(self->root, &self->inv, &self->err));
	ASSERT_EQ(0, config_of(&c, sets, &self->err));
	ASSERT_EQ(0, llmsd_gpu_plan(&c, &self->inv, &self->err));
	ASSERT_EQ(2, c.agents[0].ngpu_hold);
	EXPECT_EQ(2, c.agents[0].gpu_hold[0]);
	EXPECT_EQ(0, c.agents[0].gpu_hold[1]);
	EXPECT_EQ(2, c.agents[0].gpu);
	EXPECT_EQ(68702699520ULL, c.agents[0].gpu_mem);
	ASSERT_EQ(1, c.agents[1].ngpu_hold);
	EXPECT_EQ(1, c.agents[1].gpu_hold[0]);
	llmsd_config_free(&c);
}

/* The plan's refusals, each with the words that say why. */
TEST_F(tree, the_plan_refuses_gpus_held_twice_or_unknown)
{
	static const struct {
		const char *sets[8];
		const char *words;
	} cases[] = {
		{ { "agent.a.gpus = gpu9", NULL },
		  "gpu9, which is not a GPU of this host: the GPUs are gpu0, gpu1 and gpu2" },
		{ { "agent.a.gpus = gpu0", "agent.b.gpus = gpu0", NULL },
		  "gpu0 is held whole by agent a already" },
		{ { "agent.a.gpus = gpu0, gpu0", NULL }, "names gpu0 twice" },
		{ { "agent.a.gpus = gpu0, gpu1", "agent.a.count = 3", NULL },
		  "names 2 GPUs for its 3 instances" },
		{ { "agent.a.gpus = gpu0, gpu1", "agent.a.gpu_compute = 50",
		    NULL }, "is a share of one GPU" },
		{ { "agent.a.gpus = gpu2", "agent.a.gpu_compute = 60",
		    "agent.b.gpus = gpu2", "agent.b.gpu_compute = 50", NULL },
		  "add up to 110%" },
		{ { "agent.a.gpus = gpu2", "agent.a.gpu_compute = 50",
		    "agent.b.gpus = gpu2", NULL },
		  "gpu2 is shared by other agents" },
		{ { "agent.a.gpus = gpu2", "agent.a.gpu_compute = 50",
		    "agent.b.gpu = 3", NULL },
		  "needs 3 GPUs, and only 2 are neither named by another agent nor shared" },
	};
	struct llmsd_config c;
	size_t i;

	ASSERT_EQ(0, llmsd_gpu_discover_at(self->root, &self->inv, &self->err));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ASSERT_EQ(0, config_of(&c, cases[i].sets, &self->err));
		EXPECT_EQ(-EINVAL, llmsd_gpu_plan(&c, &self->inv, &self->err))
			TH_LOG("case %zu", i);
		if (self->err)
			EXPECT_NE(NULL, strstr(self->err->msg, cases[i].words))
				TH_LOG("case %zu: %s", i, self->err->msg);
		llms_error_free(&self->err);
		llmsd_config_free(&c);
	}
}

TEST_F(tree, a_share_reserves_memory_not_a_whole_gpu)
{
	struct llmsd_config c;
	struct llmsd_gpu_set set;
	const char *sets[] = { "agent.s.cpu = 1", "agent.s.memory = 1G",
			       "agent.s.gpus = gpu2", "agent.s.gpu_compute = 25",
			       "agent.s.count = 2", "daemon.mps_pipe_directory = /run/mps",
			       NULL };
	char *env[LLMSD_GPU_ENV_MAX] = { 0 }, names[64];
	unsigned int idx[LLMSD_AGENT_GPUS_MAX], got;
	int n, i;

	ASSERT_EQ(0, llmsd_gpu_discover_at(self->root, &self->inv, &self->err));
	ASSERT_EQ(0, config_of(&c, sets, &self->err));
	ASSERT_EQ(0, llmsd_gpu_plan(&c, &self->inv, &self->err));
	EXPECT_EQ(0, c.agents[0].gpu);
	EXPECT_EQ(68702699520ULL / 100 * 25, c.agents[0].gpu_mem);
	ASSERT_EQ(0, llmsd_gpu_set_for(&c, &c.agents[0], 1, &self->inv, NULL,
				       0, &set, &self->err));
	EXPECT_TRUE(set.share);
	ASSERT_EQ(1, set.ngpus);
	{
		struct llmsd_gpu_alloc al = { .n = 1, .share = true };

		/* Every task that asks for GPU memory gets the shared GPU. */
		ASSERT_EQ(0, llmsd_gpu_take(&al, 7, 0, 1 << 20, idx, &got));
		EXPECT_EQ(1, got);
		ASSERT_EQ(0, llmsd_gpu_take(&al, 8, 0, 1 << 20, idx, &got));
		EXPECT_EQ(1, got);
		ASSERT_EQ(0, llmsd_gpu_take(&al, 9, 0, 0, idx, &got));
		EXPECT_EQ(0, got);
	}
	idx[0] = 0;
	n = llmsd_gpu_env(&set, idx, 1, env, names, sizeof(names));
	ASSERT_LT(0, n);
	EXPECT_STREQ("ROCR_VISIBLE_DEVICES=0", env[0]);
	EXPECT_STREQ("LLMSCHED_GPU_NAMES=gpu2", env[1]);
	EXPECT_STREQ("LLMSCHED_GPU_NODES=/dev/dri/card0", env[2]);
	EXPECT_STREQ("CUDA_MPS_PIPE_DIRECTORY=/run/mps", env[3]);
	EXPECT_STREQ("CUDA_MPS_ACTIVE_THREAD_PERCENTAGE=25", env[4]);
	EXPECT_STREQ("CUDA_MPS_PINNED_DEVICE_MEM_LIMIT=0=16379M", env[5]);
	EXPECT_STREQ("gpu2", names);
	for (i = 0; i < n; i++)
		free(env[i]);
	llmsd_config_free(&c);
}

TEST_F(tree, the_allow_list_leaves_out_every_gpu_node)
{
	struct llmsd_config c;
	struct llmsd_gpu_set set, back;
	struct llmsd_dev llmsched = { 10, 123 };
	const char *sets[] = { "agent.a.cpu = 1", "agent.a.memory = 1G",
			       "agent.a.gpus = gpu1, gpu2", NULL };
	char line[4096];
	size_t i;
	bool has_null = false, has_zero = false, has_ctl = false,
	     has_misc = false, has_pts = false;

	ASSERT_EQ(0, llmsd_gpu_discover_at(self->root, &self->inv, &self->err));
	ASSERT_EQ(0, config_of(&c, sets, &self->err));
	ASSERT_EQ(0, llmsd_gpu_plan(&c, &self->inv, &self->err));
	ASSERT_EQ(0, llmsd_gpu_set_for(&c, &c.agents[0], 0, &self->inv,
				       &llmsched, 1, &set, &self->err));
	EXPECT_TRUE(set.fence);		/* auto, and the host has GPUs */
	ASSERT_EQ(2, set.ngpus);
	for (i = 0; i < set.nallow; i++) {
		has_null |= set.allow[i].major == 1 && set.allow[i].minor == 3;
		has_zero |= set.allow[i].major == 1 && set.allow[i].minor == 5;
		has_ctl |= set.allow[i].major == 1 && set.allow[i].minor == 7;
		has_misc |= set.allow[i].major == 10 &&
			    set.allow[i].minor == 123;
		has_pts |= set.allow[i].major == 136 &&
			   set.allow[i].minor == LLMSD_DEV_ANY_MINOR;
	}
	/* null is gpu0 here and zero gpu1: GPUs, not ordinary nodes. */
	EXPECT_FALSE(has_null);
	EXPECT_FALSE(has_zero);
	EXPECT_TRUE(has_ctl);
	EXPECT_TRUE(has_misc);
	EXPECT_TRUE(has_pts);

	/* What the agent process gets is what the supervisor meant. */
	ASSERT_GT((int)sizeof(line), llmsd_gpu_encode(&set, line, sizeof(line)));
	ASSERT_EQ(0, llmsd_gpu_decode(line, &back, &self->err)) TH_LOG("%s", line);
	EXPECT_EQ(set.fence, back.fence);
	EXPECT_EQ(set.nallow, back.nallow);
	EXPECT_EQ(0, memcmp(set.allow, back.allow,
			    set.nallow * sizeof(set.allow[0])));
	ASSERT_EQ(2, back.ngpus);
	EXPECT_STREQ("gpu1", back.gpus[0].name);
	EXPECT_STREQ("/dev/dri/card0", back.gpus[1].node);
	EXPECT_EQ(LLMSD_GPU_AMD, back.gpus[1].vendor);
	EXPECT_EQ(2, back.gpus[1].ndevs);
	EXPECT_EQ(128, back.gpus[1].devs[1].minor);
	EXPECT_EQ(-EINVAL, llmsd_gpu_decode("fence=1;gpu=x,1", &back,
					    &self->err));
	llms_error_free(&self->err);
	EXPECT_EQ(-EINVAL, llmsd_gpu_decode("allow=1:x", &back, &self->err));
	llms_error_free(&self->err);
	llmsd_config_free(&c);
}

TEST(the_allocator_never_gives_one_gpu_to_two_tasks)
{
	struct llmsd_gpu_alloc al = { .n = 3 };
	unsigned int idx[LLMSD_AGENT_GPUS_MAX], got;

	ASSERT_EQ(0, llmsd_gpu_take(&al, 11, 2, 0, idx, &got));
	ASSERT_EQ(2, got);
	EXPECT_EQ(0, idx[0]);
	EXPECT_EQ(1, idx[1]);
	/* Two asked, one free: nothing taken. */
	EXPECT_EQ(-EBUSY, llmsd_gpu_take(&al, 12, 2, 0, idx, &got));
	EXPECT_EQ(0, got);
	EXPECT_EQ(0, al.owner[2]);
	ASSERT_EQ(0, llmsd_gpu_take(&al, 12, 1, 0, idx, &got));
	EXPECT_EQ(2, idx[0]);
	/* A task that asks for none gets none. */
	ASSERT_EQ(0, llmsd_gpu_take(&al, 13, 0, 0, idx, &got));
	EXPECT_EQ(0, got);
	llmsd_gpu_release(&al, 11);
	EXPECT_EQ(0, al.owner[0]);
	EXPECT_EQ(0, al.owner[1]);
	EXPECT_EQ(12, al.owner[2]);
	ASSERT_EQ(0, llmsd_gpu_take(&al, 14, 2, 0, idx, &got));
	EXPECT_EQ(0, idx[0]);
	EXPECT_EQ(1, idx[1]);
	/* More than the agent has at all. */
	EXPECT_EQ(-EBUSY, llmsd_gpu_take(&al, 15, 4, 0, idx, &got));
	llmsd_gpu_release(&al, 99);	/* holds none: nothing changes */
	EXPECT_EQ(14, al.owner[0]);
}

TEST(a_task_given_no_gpu_is_told_so)
{
	struct llmsd_gpu_set set = { 0 };
	char *env[LLMSD_GPU_ENV_MAX] = { 0 }, names[64];
	int n, i;

	set.ngpus = 1;
	strcpy(set.gpus[0].name, "gpu0");
	set.gpus[0].vendor = LLMSD_GPU_NVIDIA;
	n = llmsd_gpu_env(&set, NULL, 0, env, names, sizeof(names));
	ASSERT_EQ(4, n);
	EXPECT_STREQ("CUDA_VISIBLE_DEVICES=", env[0]);
	EXPECT_STREQ("NVIDIA_VISIBLE_DEVICES=void", env[1]);
	EXPECT_STREQ("LLMSCHED_GPU_NAMES=", env[2]);
	EXPECT_STREQ("", names);
	for (i = 0; i < n; i++)
		free(env[i]);
}

TEST_HARNESS_MAIN
