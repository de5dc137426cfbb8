// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for llmschedd's configuration (runtime/llmschedd/config.c):
 * files written to a temporary folder, every key's accepted and refused
 * values, the messages (file, line, section, key), --set overrides, and
 * the whole checked against a host's capacity.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../../runtime/lib/units.h"
#include "../../runtime/llmschedd/config.h"

/* The 6.1 harness defines FIXTURE_SETUP/TEARDOWN as non-static functions. */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"

FIXTURE(conf)
{
	char dir[64];
	char path[128];
	struct llmsd_config c;
	struct llms_error *err;
};

FIXTURE_SETUP(conf)
{
	strcpy(self->dir, "/tmp/llmsd-config-XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->path, sizeof(self->path), "%s/llmschedd.conf",
		 self->dir);
	llmsd_config_init(&self->c);
	self->err = NULL;
}

FIXTURE_TEARDOWN(conf)
{
	llmsd_config_free(&self->c);
	llms_error_free(&self->err);
	unlink(self->path);
	rmdir(self->dir);
}

/* Write @text as the file and load it; the return of the load. */
static int load(FIXTURE_DATA(conf) *self, const char *text)
{
	FILE *f = fopen(self->path, "w");

	if (!f)
		return -errno;
	fwrite(text, 1, strlen(text), f);
	fclose(f);
	llms_error_free(&self->err);
	return llmsd_config_load(&self->c, self->path, &self->err);
}

/* The message of the last error, "" when none. */
static const char *msg(FIXTURE_DATA(conf) *self)
{
	return self->err ? self->err->msg : "";
}

#define ONE_AGENT "[agent a]\ncpu = 1\nmemory = 1G\n"

TEST_F(conf, defaults)
{
	EXPECT_STREQ("/sys/fs/cgroup/llmsched", self->c.cgroup_root);
	EXPECT_STREQ("/var/lib/llmsched", self->c.state_dir);
	EXPECT_STREQ("/var/log/llmsched", self->c.log_dir);
	EXPECT_STREQ("", self->c.policy);
	EXPECT_EQ(LLMSD_MEM_RESERVE_AUTO, self->c.mem_reserve);
	EXPECT_EQ(100000000ULL, self->c.heartbeat_interval_ns);
	EXPECT_EQ(30000000000ULL, self->c.drain_timeout_ns);
	EXPECT_TRUE(self->c.load_probe);
	EXPECT_EQ(10000000ULL, self->c.load_interval_ns);
	EXPECT_EQ(100000000ULL, self->c.load_window_ns);
	EXPECT_EQ(500, self->c.load_wait_weight);
	EXPECT_FALSE(self->c.resize);
	EXPECT_EQ(500, self->c.resize_step);
	EXPECT_EQ(0, self->c.nagents);
	EXPECT_EQ(0, self->c.ntags);
	EXPECT_EQ(NULL, self->c.path);
}

TEST_F(conf, every_key_is_read)
{
	const struct llmsd_agent_spec *a, *b;

	ASSERT_EQ(0, load(self,
			  "; llmschedd\n"
			  "# comments of both kinds\n"
			  "\n"
			  "[daemon]\n"
			  "cgroup_root = /sys/fs/cgroup/x.slice/llm\n"
			  "state_dir = /srv/llm/state\n"
			  "log_dir = /srv/llm/log\n"
			  "policy = drf\n"
			  "memory_reserve = 1G\n"
			  "heartbeat_interval = 250ms\n"
			  "drain_timeout = 2m ; an inline comment\n"
			  "load_probe = off\n"
			  "load_interval = 5ms\n"
			  "load_window = 0\n"
			  "load_wait_weight = 0\n"
			  "resize = on\n"
			  "resize_step = 1.5\n"
			  "[agent big]\n"
			  "  count = 2\n"
			  "  cpu = 4\n"
			  "  memory = 8G\n"
			  "  memory_high = 7.5G\n"
			  "  swap = max\n"
			  "  gpu = 1\n"
			  "  gpu_memory = 80G\n"
			  "  slots = 4\n"
			  "  tags = h200, avx512\n"
			  "  cpuset = 0-3,8-11\n"
			  "  cpu_weight = 200\n"
			  "  pids_max = 4096\n"
			  "[tags]\n"
			  "h200 = 0\n"
			  "avx512 = 63\n"
			  "[agent small]\n"
			  "cpu = 500m\n"
			  "memory = 512M\n"));
	EXPECT_STREQ(self->path, self->c.path);
	EXPECT_STREQ("/sys/fs/cgroup/x.slice/llm", self->c.cgroup_root);
	EXPECT_STREQ("/srv/llm/state", self->c.state_dir);
	EXPECT_STREQ("/srv/llm/log", self->c.log_dir);
	EXPECT_STREQ("drf", self->c.policy);
	EXPECT_EQ(1ULL << 30, self->c.mem_reserve);
	EXPECT_EQ(250000000ULL, self->c.heartbeat_interval_ns);
	EXPECT_EQ(120000000000ULL, self->c.drain_timeout_ns);
	EXPECT_FALSE(self->c.load_probe);
	EXPECT_EQ(5000000ULL, self->c.load_interval_ns);
	EXPECT_EQ(0, self->c.load_window_ns);
	EXPECT_EQ(0, self->c.load_wait_weight);
	EXPECT_TRUE(self->c.resize);
	EXPECT_EQ(1500, self->c.resize_step);
	ASSERT_EQ(2, self->c.ntags);
	ASSERT_EQ(2, self->c.nagents);
	a = llmsd_config_agent(&self->c, "big");
	ASSERT_NE(NULL, a);
	EXPECT_EQ(2, a->count);
	EXPECT_EQ(4000, a->cpu);
	EXPECT_EQ(8ULL << 30, a->mem);
	EXPECT_EQ(15ULL << 29, a->mem_high);
	EXPECT_EQ(UINT64_MAX, a->swap_max);
	EXPECT_EQ(1, a->gpu);
	EXPECT_EQ(80ULL << 30, a->gpu_mem);
	EXPECT_EQ(4, a->slots);
	/* Tags named before [tags] declares them: resolved at the end. */
	EXPECT_EQ((1ULL << 0) | (1ULL << 63), a->tags);
	EXPECT_STREQ("0-3,8-11", a->cpuset);
	EXPECT_EQ(200, a->cpu_weight);
	EXPECT_EQ(4096, a->pids_max);
	b = llmsd_config_agent(&self->c, "small");
	ASSERT_NE(NULL, b);
	EXPECT_EQ(1, b->count);
	EXPECT_EQ(500, b->cpu);
	EXPECT_EQ(512ULL << 20, b->mem);
	EXPECT_EQ(512ULL << 20, b->mem_high);
	EXPECT_EQ(0, b->swap_max);
	EXPECT_EQ(0, b->gpu);
	EXPECT_EQ(0, b->gpu_mem);
	EXPECT_EQ(1, b->slots);
	EXPECT_EQ(0, b->tags);
	EXPECT_STREQ("", b->cpuset);
	EXPECT_EQ(100, b->cpu_weight);
	EXPECT_EQ(UINT64_MAX, b->pids_max);
}

TEST_F(conf, the_example_file_loads_and_fits_its_host)
{
	struct llmsd_capacity cap = { .cpu = 64000, .mem = 512ULL << 30,
				      .gpu = 8, .ncpus = 64 };

	llms_error_free(&self->err);
	ASSERT_EQ(0, llmsd_config_load(
			     &self->c,
			     "Documentation/admin-guide/llmschedd.conf.example",
			     &self->err))
		TH_LOG("%s", msg(self));
	ASSERT_EQ(0, llmsd_cpulist_parse("0-63", &cap.mask, NULL));
	strcpy(cap.cpus, "0-63");
	EXPECT_EQ(0, llmsd_config_check(&self->c, &cap, &self->err))
		TH_LOG("%s", msg(self));
}

/* Each: a file, and the parts its message must hold. */
struct bad_file {
	const char *text;
	const char *parts[4];
};

static const struct bad_file bad_files[] = {
	/* Values: file, line, section, key, the value and the forms. */
	{ "[agent small]\nmemory = 1G\n\ncpu = abc\n",
	  { ":4: [agent small] cpu = 'abc': not a CPU amount: use 2, 0.5 or 500m" } },
	{ ONE_AGENT "count = 0\n",
	  { ":4: [agent a] count = '0': not a whole number from 1 to 256" } },
	{ ONE_AGENT "count = 257\n", { ":4: [agent a] count = '257'", "1 to 256" } },
	{ ONE_AGENT "count = 2x\n", { ":4: [agent a] count = '2x'" } },
	{ ONE_AGENT "count = -1\n", { ":4: [agent a] count = '-1'" } },
	{ ONE_AGENT "count =\n", { ":4: [agent a] count = ''" } },
	{ "[agent a]\ncpu = 0\nmemory = 1G\n", { ":2: [agent a] cpu = '0': no CPU" } },
	{ "[agent a]\ncpu = 1.0005\nmemory = 1G\n", { ":2: [agent a] cpu = '1.0005': finer than a millicore" } },
	{ "[agent a]\ncpu = 1\nmemory = 4g\n", { ":3: [agent a] memory = '4g': not a size" } },
	{ "[agent a]\ncpu = 1\nmemory = 512K\n", { ":3: [agent a] memory = '512K': less than 1M" } },
	{ ONE_AGENT "memory_high = lots\n", { ":4: [agent a] memory_high = 'lots': not a size" } },
	{ ONE_AGENT "swap = -1\n", { ":4: [agent a] swap = '-1': not a size" } },
	{ ONE_AGENT "gpu = 1025\n", { ":4: [agent a] gpu = '1025'", "0 to 1024" } },
	{ ONE_AGENT "gpu_memory = 80GB\n", { ":4: [agent a] gpu_memory = '80GB'" } },
	{ ONE_AGENT "slots = 0\n", { ":4: [agent a] slots = '0'", "1 to 64" } },
	{ ONE_AGENT "slots = 65\n", { ":4: [agent a] slots = '65'", "1 to 64" } },
	{ ONE_AGENT "cpuset = 0-3;\n", { ":4: [agent a] cpuset = '0-3;'", "not a CPU list" } },
	{ ONE_AGENT "cpuset = 3-1\n", { ":4: [agent a] cpuset = '3-1'", "goes down" } },
	{ ONE_AGENT "cpuset = 0 - 3\n", { ":4: [agent a] cpuset = '0 - 3'", "not a CPU list" } },
	{ ONE_AGENT "cpuset = 9999\n", { ":4: [agent a] cpuset = '9999'", "numbered below 4096" } },
	{ ONE_AGENT "cpu_weight = 0\n", { ":4: [agent a] cpu_weight = '0'", "1 to 10000" } },
	{ ONE_AGENT "cpu_weight = 10001\n", { ":4: [agent a] cpu_weight = '10001'" } },
	{ ONE_AGENT "pids_max = 0\n", { ":4: [agent a] pids_max = '0'", "or max" } },
	{ ONE_AGENT "pids_max = 4194305\n", { ":4: [agent a] pids_max = '4194305'" } },
	{ ONE_AGENT "tags = h100\n", { ":4: [agent a] tags = 'h100': unknown tag: no tags are declared" } },
	{ "[tags]\nh200 = 1\nbig = 2\n" ONE_AGENT "tags = h200,,big\n",
	  { ":7: [agent a] tags = ", "an empty tag name" } },
	{ "[tags]\nh200 = 1\nbig = 2\n" ONE_AGENT "tags = h200,h100\n",
	  { ":7: [agent a] tags = 'h100': unknown tag: the tags are h200 (bit 1), big (bit 2)" } },
	{ "[daemon]\ncgroup_root = relative/path\n", { ":2: [daemon] cgroup_root = 'relative/path': not an absolute path" } },
	{ "[daemon]\ncgroup_root = /\n", { ":2: [daemon] cgroup_root = '/'" } },
	{ "[daemon]\nstate_dir = /var/../etc\n", { ":2: [daemon] state_dir = '/var/../etc'", "'..'" } },
	{ "[daemon]\nlog_dir = /var//log\n", { ":2: [daemon] log_dir = '/var//log'", "empty" } },
	{ "[daemon]\nlog_dir = /var/log/\n", { ":2: [daemon] log_dir = '/var/log/'" } },
	{ "[daemon]\npolicy = fifo\n", { ":2: [daemon] policy = 'fifo': not a policy: use prio_fifo, sjf, mlfq or drf" } },
	{ "[daemon]\nmemory_reserve = some\n", { ":2: [daemon] memory_reserve = 'some': not a size" } },
	{ "[daemon]\nheartbeat_interval = 5ms\n", { ":2: [daemon] heartbeat_interval = '5ms': out of range: use 10ms to 15m" } },
	{ "[daemon]\nheartbeat_interval = 1h\n", { ":2: [daemon] heartbeat_interval = '1h': out of range" } },
	{ "[daemon]\nheartbeat_interval = 1000\n", { ":2: [daemon] heartbeat_interval = '1000': out of range" } },
	{ "[daemon]\ndrain_timeout = 2d\n", { ":2: [daemon] drain_timeout = '2d': out of range: use 0s to 1d" } },
	{ "[daemon]\ndrain_timeout = soon\n", { ":2: [daemon] drain_timeout = 'soon': not a duration" } },
	{ "[daemon]\nload_probe = yes\n", { ":2: [daemon] load_probe = 'yes': use on or off" } },
	{ "[daemon]\nload_interval = 500us\n", { ":2: [daemon] load_interval = '500us': out of range: use 1ms to 1s" } },
	{ "[daemon]\nload_interval = 2s\n", { ":2: [daemon] load_interval = '2s': out of range" } },
	{ "[daemon]\nload_window = 2m\n", { ":2: [daemon] load_window = '2m': out of range" } },
	{ "[daemon]\nload_wait_weight = 1001\n", { ":2: [daemon] load_wait_weight = '1001': not a whole number from 0 to 1000" } },
	{ "[daemon]\nresize = 1\n", { ":2: [daemon] resize = '1': use on or off" } },
	{ "[daemon]\nresize_step = 0\n", { ":2: [daemon] resize_step = '0': no CPU at all" } },
	{ "[tags]\nh200 = 64\n", { ":2: [tags] h200 = '64'", "0 to 63" } },
	{ "[tags]\nh200 = x\n", { ":2: [tags] h200 = 'x'" } },
	{ "[tags]\n9lives = 1\n", { ":2: [tags] 9lives = ", "not a tag name" } },
	{ "[tags]\nh200 = 1\nh100 = 1\n", { ":3: [tags] h100 = ", "bit 1 is already tag h200" } },
	/* Keys and sections. */
	{ ONE_AGENT "cpus = 2\n", { ":4: [agent a] cpus: unknown key: [agent NAME] takes count, cpu, memory" } },
	{ "[daemon]\ncgroup-root = /x\n", { ":2: [daemon] cgroup-root: unknown key: [daemon] takes cgroup_root" } },
	{ "[daemon]\nCgroup_root = /x\n", { ":2: [daemon] Cgroup_root: unknown key" } },
	{ ONE_AGENT "cpu = 2\n", { ":4: [agent a] cpu: given twice (first at line 2)" } },
	{ "[tags]\nh200 = 1\nh200 = 2\n", { ":3: [tags] h200: declared twice (first at line 2)" } },
	{ "cpu = 1\n", { ":1: cpu: a key before any section: begin with [daemon], [tags] or [agent NAME]" } },
	{ "[agents]\n", { ":1: [agents]: unknown section: the sections are [daemon], [tags], [agent NAME] and [gpu NAME]" } },
	{ "[daemon x]\n", { ":1: [daemon x]: unknown section" } },
	{ "[agent a b]\n", { ":1: [agent a b]: unknown section" } },
	{ "[agent.small]\n", { ":1: [agent.small]: unknown section: write [agent small], with a space" } },
	{ "[agent]\n", { ":1: [agent]: an agent needs a name: [agent NAME]" } },
	{ "[agent 1st]\n", { ":1: [agent 1st]: not an agent name: 1 to 31 letters" } },
	{ "[agent a.b]\n", { ":1: [agent a.b]: not an agent name" } },
	{ "[agent abcdefghijabcdefghijabcdefghij12]\n", { ":1: [agent abcdefghij", "not an agent name" } },
	{ ONE_AGENT "[agent a]\n", { ":4: [agent a] again: it began at line 1" } },
	{ "[daemon]\n[daemon]\n", { ":2: [daemon] again: it began at line 1" } },
	{ "[tags]\n[tags]\n", { ":2: [tags] again: it began at line 1" } },
	{ "[agent a\ncpu = 1\n", { ":1: a section line without ']'" } },
	{ "[agent a] cpu = 1\n", { ":1: text after the section's ']'" } },
	{ "[daemon]\njust a line\n", { ":2: not a [section], KEY = VALUE, comment or blank line" } },
	{ "[daemon]\njust a line\npolicy = x\n", { ":2: not a [section]" } },
	{ "[daemon]\n[agent a]\ncpu = 1\nmemory = 1G\n[agent b]\n", { ":5: [agent b]: no cpu: each agent needs cpu and memory" } },
	{ "[agent b]\ncpu = 1\n", { ":1: [agent b]: no memory: each agent needs cpu and memory" } },
	{ ONE_AGENT "memory_high = 2G\n", { ":4: [agent a]: memory_high 2G is above memory 1G" } },
	{ "[agent a]\ncpu = 2.5\nmemory = 1G\ncpuset = 4,5\n", { ":4: [agent a]: cpuset 4,5 has 2 CPUs, fewer than its cpu 2.5" } },
	/* A line past libinih's buffer is an error, never two lines. */
	{ "[daemon]\nstate_dir = /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n",
	  { ":2: longer than 197 characters" } },
	/* A continuation line is not: indentation means nothing. */
	{ "[daemon]\npolicy = drf\n   sjf\n", { ":3: not a [section]" } },
};

TEST_F(conf, bad_lines_name_the_file_line_section_and_key)
{
	char expect[256];
	size_t i, j, failed = 0;

	for (i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++) {
		const struct bad_file *b = &bad_files[i];
		int ret;
		bool ok;

		llmsd_config_free(&self->c);
		ret = load(self, b->text);
		ok = ret < 0 && self->err && ret == -self->err->errnum;

		for (j = 0; ok && j < 4 && b->parts[j]; j++) {
			if (b->parts[j][0] == ':')
				snprintf(expect, sizeof(expect), "%s%s",
					 self->path, b->parts[j]);
			else
				snprintf(expect, sizeof(expect), "%s",
					 b->parts[j]);
			ok = strstr(msg(self), expect) != NULL;
		}
		/* Nothing of a bad file is applied. */
		ok = ok && self->c.nagents == 0 && !self->c.path &&
		     !strcmp(self->c.policy, "") && self->c.ntags == 0;
		if (!ok) {
			failed++;
			TH_LOG("case %zu: ret %d, '%s'", i, ret, msg(self));
		}
	}
	EXPECT_EQ(0, failed);
}

TEST_F(conf, a_nul_byte_and_a_missing_file_are_errors)
{
	FILE *f = fopen(self->path, "w");

	ASSERT_NE(NULL, f);
	fwrite("[daemon]\npolicy = drf\0\n", 1, 23, f);
	fclose(f);
	EXPECT_EQ(-EINVAL, llmsd_config_load(&self->c, self->path, &self->err));
	EXPECT_NE(NULL, strstr(msg(self), ":2: a NUL byte"));
	llms_error_free(&self->err);
	unlink(self->path);
	EXPECT_EQ(-ENOENT, llmsd_config_load(&self->c, self->path, &self->err));
	EXPECT_NE(NULL, strstr(msg(self), "opening "));
	llms_error_free(&self->err);
	EXPECT_EQ(-EINVAL, llmsd_config_load(&self->c, NULL, &self->err));
}

TEST_F(conf, a_bad_reload_keeps_the_configuration_in_force)
{
	ASSERT_EQ(0, load(self, "[daemon]\npolicy = sjf\n" ONE_AGENT));
	ASSERT_EQ(1, self->c.nagents);
	EXPECT_EQ(-EINVAL, load(self, "[daemon]\npolicy = mlfq\n" ONE_AGENT
				      "[agent b]\ncpu = x\n"));
	EXPECT_STREQ("sjf", self->c.policy);
	EXPECT_EQ(1, self->c.nagents);
	/* A good reload replaces the whole: what it does not say is default. */
	ASSERT_EQ(0, load(self, "[agent z]\ncpu = 2\nmemory = 2G\n"));
	EXPECT_STREQ("", self->c.policy);
	ASSERT_EQ(1, self->c.nagents);
	EXPECT_STREQ("z", self->c.agents[0].name);
}

TEST_F(conf, a_bom_crlf_and_the_other_value_forms_are_fine)
{
	ASSERT_EQ(0, load(self, "\xef\xbb\xbf[daemon]\r\npolicy: prio_fifo\r\n"
				"memory_reserve = auto\r\n"
				"drain_timeout = 0\r\n"
				"[ agent  a ] ; a comment\r\n"
				"cpu = 1\r\nmemory = 1G\r\ntags =\r\n"))
		TH_LOG("%s", msg(self));
	EXPECT_STREQ("prio_fifo", self->c.policy);
	EXPECT_EQ(LLMSD_MEM_RESERVE_AUTO, self->c.mem_reserve);
	EXPECT_EQ(0, self->c.drain_timeout_ns);
	ASSERT_EQ(1, self->c.nagents);
	EXPECT_STREQ("a", self->c.agents[0].name);
	EXPECT_EQ(0, self->c.agents[0].tags);
}

TEST_F(conf, overrides_change_one_key_each)
{
	struct llmsd_agent_spec *a;

	ASSERT_EQ(0, load(self, "[tags]\nh200 = 0\n[agent small]\ncpu = 1\n"
				"memory = 1G\ntags = h200\n"));
	EXPECT_EQ(0, llmsd_config_set(&self->c, "daemon.cgroup_root=/x",
				      &self->err));
	EXPECT_STREQ("/x", self->c.cgroup_root);
	EXPECT_EQ(0, llmsd_config_set(&self->c, "agent.small.count=3",
				      &self->err));
	a = llmsd_config_agent(&self->c, "small");
	ASSERT_NE(NULL, a);
	EXPECT_EQ(3, a->count);
	/* memory_high follows memory until it is set itself. */
	EXPECT_EQ(0, llmsd_config_set(&self->c, "agent.small.memory=2G",
				      &self->err));
	a = llmsd_config_agent(&self->c, "small");
	EXPECT_EQ(2ULL << 30, a->mem_high);
	/* A tag moved to another bit moves in the agents that have it. */
	EXPECT_EQ(0, llmsd_config_set(&self->c, "tags.h200=5", &self->err));
	a = llmsd_config_agent(&self->c, "small");
	EXPECT_EQ(1ULL << 5, a->tags);
	EXPECT_EQ(0, llmsd_config_set(&self->c, "tags.avx=6", &self->err));
	EXPECT_EQ(0, llmsd_config_set(&self->c, " agent.small.tags = h200,avx ",
				      &self->err));
	a = llmsd_config_agent(&self->c, "small");
	EXPECT_EQ((1ULL << 5) | (1ULL << 6), a->tags);
	/* A new agent, from flags alone. */
	EXPECT_EQ(0, llmsd_config_set(&self->c, "agent.big.cpu=4", &self->err));
	EXPECT_EQ(2, self->c.nagents);
	EXPECT_EQ(0, llmsd_config_set(&self->c, "agent.big.memory=8G",
				      &self->err));
	a = llmsd_config_agent(&self->c, "big");
	ASSERT_NE(NULL, a);
	EXPECT_EQ(4000, a->cpu);
	EXPECT_EQ(8ULL << 30, a->mem_high);
	EXPECT_EQ(0, llmsd_config_set(&self->c, "daemon.policy=", &self->err));
	EXPECT_STREQ("", self->c.policy);
	EXPECT_EQ(NULL, self->err);
}

TEST_F(conf, bad_overrides_name_the_flag_and_change_nothing)
{
	static const struct {
		const char *set;
		const char *msg;
	} bad[] = {
		{ "agent.small.count", "--set agent.small.count: not KEY=VALUE" },
		{ "agent.small.count=0", "--set agent.small.count: '0': not a whole number from 1 to 256" },
		{ "agent.small.cpu=abc", "--set agent.small.cpu: 'abc': not a CPU amount: use 2, 0.5 or 500m" },
		{ "agent.small.cpus=2", "--set agent.small.cpus: 'cpus': unknown key: agent.NAME. takes count, cpu" },
		{ "agent.small=2", "--set agent.small: no key: use agent.NAME.KEY=VALUE" },
		{ "agent.9.cpu=2", "--set agent.9.cpu: '9': not an agent name" },
		{ "agent.small.tags=h100", "--set agent.small.tags: 'h100': unknown tag: the tags are h200 (bit 0)" },
		{ "daemon.policy=fifo", "--set daemon.policy: 'fifo': not a policy" },
		{ "daemon.nope=1", "--set daemon.nope: 'nope': unknown key: daemon. takes cgroup_root" },
		{ "tags.h100=0", "--set tags.h100: bit 0 is already tag h200" },
		{ "tags.h100=64", "--set tags.h100: '64': not a whole number from 0 to 63" },
		{ "cgroup_root=/x", "--set cgroup_root: not a key: use daemon.KEY, tags.NAME, agent.NAME.KEY or gpu.NAME.KEY" },
		{ "=1", "--set : not a key" },
	};
	size_t i, failed = 0;
	int ret;

	ASSERT_EQ(0, load(self, "[tags]\nh200 = 0\n[agent small]\ncpu = 1\n"
				"memory = 1G\n"));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		llms_error_free(&self->err);
		ret = llmsd_config_set(&self->c, bad[i].set, &self->err);
		if (ret != -EINVAL && ret != -ERANGE)
			ret = 0;
		if (!ret || !strstr(msg(self), bad[i].msg) ||
		    self->c.nagents != 1 || self->c.agents[0].count != 1 ||
		    self->c.ntags != 1 || self->c.tags[0].bit != 0 ||
		    strcmp(self->c.cgroup_root, "/sys/fs/cgroup/llmsched")) {
			failed++;
			TH_LOG("--set %s: '%s'", bad[i].set, msg(self));
		}
	}
	EXPECT_EQ(0, failed);
}

TEST_F(conf, tag_bits_maps_names_and_lists_the_known_ones)
{
	uint64_t bits = 7;

	ASSERT_EQ(0, load(self, "[tags]\nh200 = 0\navx512 = 3\nnvlink = 63\n"));
	EXPECT_EQ(0, llmsd_tag_bits(&self->c, "h200,avx512", &bits,
				    &self->err));
	EXPECT_EQ(9, bits);
	EXPECT_EQ(0, llmsd_tag_bits(&self->c, " nvlink , h200", &bits,
				    &self->err));
	EXPECT_EQ((1ULL << 63) | 1, bits);
	EXPECT_EQ(0, llmsd_tag_bits(&self->c, "", &bits, &self->err));
	EXPECT_EQ(0, bits);
	bits = 7;
	EXPECT_EQ(-EINVAL, llmsd_tag_bits(&self->c, "h200,a100", &bits,
					  &self->err));
	EXPECT_EQ(7, bits);
	EXPECT_STREQ("'a100': unknown tag: the tags are h200 (bit 0), avx512 (bit 3), nvlink (bit 63)",
		     msg(self));
	llms_error_free(&self->err);
	EXPECT_EQ(-EINVAL, llmsd_tag_bits(&self->c, "h200,", &bits,
					  &self->err));
	EXPECT_NE(NULL, strstr(msg(self), "an empty tag name"));
	llms_error_free(&self->err);
	EXPECT_EQ(-EINVAL, llmsd_tag_bits(&self->c, "H200", &bits,
					  &self->err));
}

/* A host of 8 CPUs (0-7) and 16 GiB, 2 GPUs. */
static void host(struct llmsd_capacity *cap)
{
	memset(cap, 0, sizeof(*cap));
	cap->cpu = 8000;
	cap->ncpus = 8;
	strcpy(cap->cpus, "0-7");
	llmsd_cpulist_parse("0-7", &cap->mask, NULL);
	cap->mem_total = 18ULL << 30;
	cap->mem_reserve = 2ULL << 30;
	cap->mem = 16ULL << 30;
	cap->mem_cgroup = UINT64_MAX;
	cap->cpu_cgroup = UINT64_MAX;
	cap->gpu = 2;
}

TEST_F(conf, check_fits_the_agents_in_the_host)
{
	struct llmsd_capacity cap;

	host(&cap);
	/* Exactly the host is fine. */
	ASSERT_EQ(0, load(self, "[agent a]\ncount = 2\ncpu = 3\nmemory = 4G\n"
				"gpu = 1\ncpuset = 0-2\n"
				"[agent b]\ncpu = 2\nmemory = 8G\n"));
	EXPECT_EQ(-EINVAL, llmsd_config_check(&self->c, &cap, &self->err));
	/* Two agents of 3 CPUs pinned to 3 CPUs do not fit there. */
	EXPECT_NE(NULL, strstr(msg(self), "cpuset 0-2: the agents pinned within it reserve 6 CPUs"));
	llms_error_free(&self->err);
	ASSERT_EQ(0, llmsd_config_set(&self->c, "agent.a.cpuset=0-5",
				      &self->err));
	EXPECT_EQ(0, llmsd_config_check(&self->c, &cap, &self->err))
		TH_LOG("%s", msg(self));

	ASSERT_EQ(0, llmsd_config_set(&self->c, "agent.b.cpu=2.001",
				      &self->err));
	EXPECT_EQ(-EINVAL, llmsd_config_check(&self->c, &cap, &self->err));
	EXPECT_STREQ("cpu: the agents reserve 8.001 altogether (count x each), more than the host's 8 (8 usable CPUs 0-7)",
		     msg(self));
	llms_error_free(&self->err);
	ASSERT_EQ(0, llmsd_config_set(&self->c, "agent.b.cpu=2", &self->err));

	ASSERT_EQ(0, llmsd_config_set(&self->c, "agent.b.memory=9G",
				      &self->err));
	EXPECT_EQ(-EINVAL, llmsd_config_check(&self->c, &cap, &self->err));
	EXPECT_STREQ("memory: the agents reserve 17G altogether (count x each), more than the host's 16G (MemTotal 18G less memory_reserve 2G)",
		     msg(self));
	llms_error_free(&self->err);
	ASSERT_EQ(0, llmsd_config_set(&self->c, "agent.b.memory=8G",
				      &self->err));

	ASSERT_EQ(0, llmsd_config_set(&self->c, "agent.b.gpu=1", &self->err));
	EXPECT_EQ(-EINVAL, llmsd_config_check(&self->c, &cap, &self->err));
	EXPECT_NE(NULL, strstr(msg(self), "gpu: the agents reserve 3 altogether (count x each), more than the host's 2"));
	llms_error_free(&self->err);
	ASSERT_EQ(0, llmsd_config_set(&self->c, "agent.b.gpu=0", &self->err));

	ASSERT_EQ(0, llmsd_config_set(&self->c, "agent.b.gpu_memory=1G",
				      &self->err));
	EXPECT_EQ(-EINVAL, llmsd_config_check(&self->c, &cap, &self->err));
	EXPECT_NE(NULL, strstr(msg(self), "gpu_memory: the agents reserve 1G"));
	llms_error_free(&self->err);
	ASSERT_EQ(0, llmsd_config_set(&self->c, "agent.b.gpu_memory=0",
				      &self->err));

	ASSERT_EQ(0, llmsd_config_set(&self->c, "agent.b.cpuset=6-9",
				      &self->err));
	EXPECT_EQ(-EINVAL, llmsd_config_check(&self->c, &cap, &self->err));
	EXPECT_STREQ("agent b: cpuset 6-9 names CPUs 8-9, which the daemon may not use (usable: 0-7)",
		     msg(self));
	llms_error_free(&self->err);
	ASSERT_EQ(0, llmsd_config_set(&self->c, "agent.b.cpuset=6-7",
				      &self->err));
	EXPECT_EQ(0, llmsd_config_check(&self->c, &cap, &self->err));

	/* An agent from --set alone needs both cpu and memory. */
	ASSERT_EQ(0, llmsd_config_set(&self->c, "agent.c.cpu=1", &self->err));
	EXPECT_EQ(-EINVAL, llmsd_config_check(&self->c, &cap, &self->err));
	EXPECT_STREQ("agent c: no memory: each agent needs cpu and memory",
		     msg(self));
	llms_error_free(&self->err);
	/* Cross-key checks wait for check(), so --set order is free. */
	ASSERT_EQ(0, llmsd_config_set(&self->c, "agent.c.memory_high=2G",
				      &self->err));
	ASSERT_EQ(0, llmsd_config_set(&self->c, "agent.c.memory=1G",
				      &self->err));
	EXPECT_EQ(-EINVAL, llmsd_config_check(&self->c, &cap, &self->err));
	EXPECT_STREQ("agent c: memory_high 2G is above memory 1G: memory.high throttles below memory.max",
		     msg(self));
}

TEST_F(conf, check_wants_an_agent_and_counts_overflow_as_too_much)
{
	struct llmsd_capacity cap;

	host(&cap);
	EXPECT_EQ(-EINVAL, llmsd_config_check(&self->c, &cap, &self->err));
	EXPECT_STREQ("no agent: add an [agent NAME] section with cpu and memory",
		     msg(self));
	llms_error_free(&self->err);
	ASSERT_EQ(0, load(self, "[agent a]\ncount = 256\ncpu = 18446744073709551\n"
				"memory = 1G\n"));
	EXPECT_EQ(-EINVAL, llmsd_config_check(&self->c, &cap, &self->err));
	EXPECT_NE(NULL, strstr(msg(self), "cpu: the agents reserve too much"));
}

TEST_F(conf, heartbeat_must_beat_four_times_in_the_module_timeout)
{
	EXPECT_EQ(0, llmsd_config_check_heartbeat(&self->c, 10000, &self->err));
	EXPECT_EQ(0, llmsd_config_check_heartbeat(&self->c, 400, &self->err));
	EXPECT_EQ(-EINVAL,
		  llmsd_config_check_heartbeat(&self->c, 399, &self->err));
	EXPECT_STREQ("heartbeat_interval 100ms: the module's heartbeat_timeout_ms is 399: beat at least 4 times in it (an interval of 99ms or less), or raise the timeout",
		     msg(self));
}

TEST_HARNESS_MAIN
