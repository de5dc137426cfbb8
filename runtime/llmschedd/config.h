/* SPDX-License-Identifier: GPL-2.0 */
/*
 * llmschedd: its configuration, from an INI file (read with Debian's
 * libinih) and --set KEY=VALUE overrides.  The format, with every key, is
 * in Documentation/admin-guide/llmschedd.rst and llmschedd.conf.example:
 *
 *	[daemon]
 *	cgroup_root = /sys/fs/cgroup/llmsched
 *	[tags]
 *	h200 = 0
 *	[agent big]
 *	count = 2
 *	cpu = 4
 *	memory = 8G
 *	tags = h200
 *
 * Sections are [daemon], [tags], [agent NAME] and [gpu NAME] (gpu.h)
 * (a space between, not a
 * dot: the dot separates the parts of a --set key).  Unknown sections and
 * keys, a key twice in a section, a section twice, a value that does not
 * parse and a line that is not "[section]", "KEY = VALUE", a comment
 * (';' or '#' first) or blank are all errors that name the file, the
 * line, the section and the key, and what is accepted:
 *
 *	/etc/llmsched/llmschedd.conf:12: [agent small] cpu = 'abc': not a
 *	CPU amount: use 2, 0.5 or 500m
 *
 * Nothing is half-applied: llmsd_config_load() and llmsd_config_set()
 * build the whole new configuration aside and replace the old one only
 * when all of it is good.  Errors are EINVAL (ERANGE for a number past
 * its type), ENOENT/EACCES/... for the file, ENOMEM.
 *
 * Thread safety: a configuration belongs to one thread at a time; the
 * functions keep no shared state.
 */
#ifndef LLMSCHED_LLMSCHEDD_CONFIG_H
#define LLMSCHED_LLMSCHEDD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/error.h"
#include "capacity.h"

/* Names of agents and tags: 1 to 31 of [A-Za-z0-9_-], a letter first. */
/* Where llmschedd, llmsub and llmctl look without --config. */
#define LLMSD_DEFAULT_CONFIG "/etc/llmsched/llmschedd.conf"

#define LLMSD_NAME_MAX 32
/* Tags: the module's tag word has 64 bits. */
#define LLMSD_TAGS_MAX 64
/* Bounds of an agent's count and slots. */
#define LLMSD_COUNT_MAX 256
#define LLMSD_SLOTS_MAX 64
/* The least memory an agent may have: less could not run a shell. */
#define LLMSD_MEM_MIN (1ULL << 20)
/* GPUs an agent may reserve. */
#define LLMSD_GPU_MAX 1024
/* [gpu NAME] sections, and GPUs all instances of one agent hold. */
#define LLMSD_GPU_SPECS_MAX 64
#define LLMSD_GPU_HOLD_MAX 64
/* memory_reserve = auto: 10% of MemTotal, at most 2 GiB. */
#define LLMSD_MEM_RESERVE_AUTO UINT64_MAX
#define LLMSD_MEM_RESERVE_AUTO_CAP (2ULL << 30)
/* heartbeat_interval bounds, and its default. */
#define LLMSD_HEARTBEAT_MIN_NS (10ULL * 1000000)
#define LLMSD_HEARTBEAT_MAX_NS (900ULL * 1000000000)
#define LLMSD_HEARTBEAT_DEF_NS (100ULL * 1000000)
/* drain_timeout bounds (0: kill at once), and its default. */
#define LLMSD_DRAIN_MAX_NS (86400ULL * 1000000000)
#define LLMSD_DRAIN_DEF_NS (30ULL * 1000000000)
/*
 * The load figure (loadprobe.h): how often it is measured and reported
 * (faster than scx_layered's 100 ms), the EWMA's time constant (0: no
 * smoothing), the weight of run-queue waiting against running, per mille.
 */
#define LLMSD_LOAD_INTERVAL_MIN_NS (1ULL * 1000000)
#define LLMSD_LOAD_INTERVAL_MAX_NS (1000ULL * 1000000)
#define LLMSD_LOAD_INTERVAL_DEF_NS (10ULL * 1000000)
#define LLMSD_LOAD_WINDOW_MAX_NS (60ULL * 1000000000)
#define LLMSD_LOAD_WINDOW_DEF_NS (100ULL * 1000000)
#define LLMSD_LOAD_WAIT_WEIGHT_MAX 1000
#define LLMSD_LOAD_WAIT_WEIGHT_DEF 500
/* resize = on: the CPU an agent grows or shrinks by at once (millicores). */
#define LLMSD_RESIZE_STEP_DEF 500
/*
 * The module calls an agent dead after heartbeat_timeout_ms without a
 * call; the daemon beats at least this many times in that window.
 */
#define LLMSD_HEARTBEATS_PER_TIMEOUT 4

/*
 * One [agent NAME] section: @count agents of this shape, each with its
 * own cgroup folder and reservation.
 * @tag_names: the tags as written ("h200,avx512"), resolved into @tags
 *	against [tags] whenever either changes.
 * @mem_high_set: memory_high was given; else @mem_high follows @mem.
 */
struct llmsd_agent_spec {
	char name[LLMSD_NAME_MAX];
	unsigned int count;	/* 1..LLMSD_COUNT_MAX, default 1 */
	uint64_t cpu;		/* millicores, required */
	uint64_t mem;		/* bytes, required, >= LLMSD_MEM_MIN */
	uint64_t gpu, gpu_mem;	/* default 0 */
	uint32_t slots;		/* tasks at once, 1..64, default 1 */
	uint64_t tags;		/* the module's tag bits */
	char cpuset[128];	/* "" = not pinned; else a CPU list */
	uint64_t cpu_weight;	/* cpu.weight, 1..10000, default 100 */
	uint64_t pids_max;	/* pids.max, UINT64_MAX ("max") by default */
	uint64_t mem_high;	/* memory.high, <= mem, default mem */
	uint64_t swap_max;	/* memory.swap.max, default 0, UINT64_MAX "max" */
	char tag_names[LLMSD_TAGS_MAX * LLMSD_NAME_MAX];
	bool mem_high_set;
	/*
	 * GPUs (gpu.h): @gpu_names as written ("gpu0, gpu1"), @gpu_compute
	 * the share's percentage (100: whole GPUs), and what llmsd_gpu_plan()
	 * gave all its instances: instance K holds @gpu_hold[K * gpu ..] (a
	 * share: @gpu_hold[0]), indexes into the GPU inventory.
	 */
	char gpu_names[512];
	uint32_t gpu_compute;
	bool gpu_set, gpu_mem_set;
	uint16_t gpu_hold[LLMSD_GPU_HOLD_MAX];
	unsigned int ngpu_hold;
};

/* A [gpu NAME] section: a GPU given rather than discovered (gpu.h). */
struct llmsd_gpu_spec {
	char name[LLMSD_NAME_MAX];
	char nodes[512];	/* device nodes, comma-separated, required */
	char control[512];	/* shared control nodes, comma-separated */
	int vendor;		/* enum llmsd_gpu_vendor; -1: from the node */
	int64_t index;		/* -1: its place among its vendor's */
	uint64_t mem;		/* bytes, 0 unknown */
	char model[LLMSD_NAME_MAX];	/* "" or a tag name */
};

/* [daemon] gpu_fence. */
enum llmsd_gpu_fence_mode {
	LLMSD_GPU_FENCE_AUTO = 0,	/* on when the host has a GPU */
	LLMSD_GPU_FENCE_ON,
	LLMSD_GPU_FENCE_OFF,
};

/* A tag: the name llmsub --tag and the agents use, and its bit. */
struct llmsd_tag {
	char name[LLMSD_NAME_MAX];
	unsigned int bit;
};

struct llmsd_config {
	char *path;			/* the file read, NULL when none */
	char cgroup_root[4096];		/* default /sys/fs/cgroup/llmsched */
	char state_dir[4096];		/* default /var/lib/llmsched */
	char log_dir[4096];		/* default /var/log/llmsched */
	char policy[32];		/* "" = leave the module's */
	uint64_t mem_reserve;		/* bytes, or LLMSD_MEM_RESERVE_AUTO */
	uint64_t heartbeat_interval_ns;	/* default 100 ms */
	uint64_t drain_timeout_ns;	/* default 30 s */
	bool load_probe;		/* default on; off: cgroup figures */
	uint64_t load_interval_ns;	/* default 10 ms */
	uint64_t load_window_ns;	/* default 100 ms */
	uint32_t load_wait_weight;	/* per mille, default 500 */
	bool resize;			/* default off */
	uint64_t resize_step;		/* millicores, default 500 */
	struct llmsd_tag tags[LLMSD_TAGS_MAX];
	size_t ntags;
	struct llmsd_agent_spec *agents;
	size_t nagents;
	struct llmsd_gpu_spec gpus[LLMSD_GPU_SPECS_MAX];
	size_t ngpus;
	enum llmsd_gpu_fence_mode gpu_fence;
	char mps_pipe[256];		/* "" = no MPS daemon */
};

/* The defaults, no agent, no tag, no file. */
void llmsd_config_init(struct llmsd_config *c);

/*
 * Read the file @path into @c, replacing what @c held (defaults for
 * what the file does not say: --set overrides are applied again after a
 * reload).  On error @c is unchanged.  Each [agent NAME] must give cpu
 * and memory; memory_high <= memory; a cpuset holds at least the agent's
 * CPUs; agents' tags name tags of [tags] (which may come later in the
 * file).  Lines are at most libinih's line length (199 characters).
 */
int llmsd_config_load(struct llmsd_config *c, const char *path,
		      struct llms_error **err);

/*
 * Apply one "--set KEY=VALUE": KEY is daemon.NAME, tags.NAME or
 * agent.AGENT.NAME, with the names and values of the file.  An agent the
 * configuration lacks is added (and needs cpu and memory from more
 * --set's before llmsd_config_check() accepts it).  Messages begin
 * "--set KEY: ".  On error @c is unchanged.
 */
int llmsd_config_set(struct llmsd_config *c, const char *assignment,
		     struct llms_error **err);

/*
 * Check the whole against the host @cap: at least one agent, names
 * unique, each with cpu and memory, the agents' total CPU (count x cpu),
 * memory and GPUs within @cap (the message gives both figures), each
 * cpuset within the usable CPUs, and the agents pinned within any
 * cpuset no more than its CPUs can hold.  EINVAL.
 */
int llmsd_config_check(const struct llmsd_config *c,
		       const struct llmsd_capacity *cap,
		       struct llms_error **err);

/*
 * Check heartbeat_interval against the module's heartbeat_timeout_ms
 * (limits/heartbeat_timeout_ms): at least LLMSD_HEARTBEATS_PER_TIMEOUT
 * beats must fit in it.  EINVAL, with both figures.
 */
int llmsd_config_check_heartbeat(const struct llmsd_config *c,
				 uint64_t heartbeat_timeout_ms,
				 struct llms_error **err);

/* Free what @c holds; @c is left as llmsd_config_init() makes it. */
void llmsd_config_free(struct llmsd_config *c);

/* The agent named @name, NULL when none. */
struct llmsd_agent_spec *llmsd_config_agent(const struct llmsd_config *c,
					    const char *name);

/*
 * @names_csv ("h200,avx512"; spaces around the commas are fine; "" is
 * no tag) as the module's tag bits in *@bits.  An unknown name is EINVAL
 * with the known ones in the message (llmsub --tag uses this).
 */
int llmsd_tag_bits(const struct llmsd_config *c, const char *names_csv,
		   uint64_t *bits, struct llms_error **err);

/* The module's policy names, NULL-terminated (kmod/sysfs.c). */
extern const char *const llmsd_policy_names[];

#endif /* LLMSCHED_LLMSCHEDD_CONFIG_H */
