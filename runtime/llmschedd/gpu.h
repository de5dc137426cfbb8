/* SPDX-License-Identifier: GPL-2.0 */
/*
 * llmschedd: the host's GPUs, which agent holds which, and which of them
 * each task is handed.
 *
 * The inventory.  Either the [gpu NAME] sections of the configuration
 * (when there is one, nothing is discovered), or what the host shows:
 *
 *	NVIDIA	/dev/nvidiaN, N its index; its model and PCI address from
 *		/proc/driver/nvidia/gpus/ADDR/information ("Device Minor: N");
 *		memory is not exposed there (0: give it with [gpu NAME]).
 *	AMD	/sys/class/drm/cardN whose device/driver is amdgpu: its
 *		/dev/dri/cardN and renderD nodes (major:minor from their dev
 *		files), PCI address, device/product_name, and
 *		device/mem_info_vram_total; the index is its place among them.
 *	control	/dev/nvidiactl, /dev/nvidia-uvm, /dev/nvidia-uvm-tools,
 *		/dev/nvidia-modeset and /dev/kfd where present: every process
 *		using a GPU needs them, and they give no GPU by themselves.
 *
 * Other DRM drivers (a virtual display, an integrated GPU) are not
 * compute GPUs and are left out.  Discovered GPUs are named gpu0, gpu1,
 * ... in the inventory's order (NVIDIA by index, then AMD).
 *
 * The plan (llmsd_gpu_plan()) gives each agent instance the GPUs it
 * holds: the ones its `gpus` key names, split among its `count`
 * instances, or, with only `gpu = N`, N that no agent named, in order.
 * An agent with gpu_compute below 100 holds a share of its one GPU: no
 * whole GPU in the module's ledger, gpu_memory of its memory; shares of
 * one GPU add up to at most 100% and its memory.  No GPU is held whole
 * by two instances, nor held whole and shared.
 *
 * An agent process gets what it holds as one string (llmsd_gpu_encode(),
 * --agent-gpus): its GPUs with their nodes, the device nodes its tasks
 * may always open (the fence's allow list: the ordinary nodes, less any
 * that is some agent's GPU, plus the control nodes and /dev/llmsched),
 * the share, and the fence switch.
 *
 * Thread safety: no shared state.
 */
#ifndef LLMSCHED_LLMSCHEDD_GPU_H
#define LLMSCHED_LLMSCHEDD_GPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/error.h"

struct llmsd_config;

/* GPUs the daemon handles on one host, and one agent instance. */
#define LLMSD_HOST_GPUS_MAX 64
#define LLMSD_AGENT_GPUS_MAX 16
/* Device nodes of one GPU (NVIDIA: 1; AMD: card and render node). */
#define LLMSD_GPU_NODES_MAX 4
/* Entries of a fence allow list (runtime/bpf/gpu_fence.bpf.c's too). */
#define LLMSD_FENCE_RULES_MAX 64
/* A minor number that matches every minor (the pts range). */
#define LLMSD_DEV_ANY_MINOR 0xffffffffu

enum llmsd_gpu_vendor {
	LLMSD_GPU_OTHER = 0,
	LLMSD_GPU_NVIDIA = 1,
	LLMSD_GPU_AMD = 2,
};

/* A character device number. */
struct llmsd_dev {
	uint32_t major, minor;
};

/*
 * One GPU.
 * @name: gpu0 or the [gpu NAME]; what `gpus =`, the logs, the
 *	environment and the history call it.
 * @index: its number for CUDA_VISIBLE_DEVICES / ROCR_VISIBLE_DEVICES.
 * @node: its main device node's path.
 * @devs: the device numbers a process using it opens.
 * @model: its model (a tag name when configured); "" when unknown.
 * @mem: its memory in bytes, 0 when unknown.
 */
struct llmsd_gpu {
	char name[32];
	unsigned int index;
	enum llmsd_gpu_vendor vendor;
	char pci[32];
	char model[64];
	uint64_t mem;
	char node[256];
	struct llmsd_dev devs[LLMSD_GPU_NODES_MAX];
	unsigned int ndevs;
};

struct llmsd_gpu_inventory {
	struct llmsd_gpu gpus[LLMSD_HOST_GPUS_MAX];
	size_t ngpus;
	/* The shared control nodes. */
	struct llmsd_dev ctl[LLMSD_GPU_NODES_MAX * 4];
	size_t nctl;
	bool configured;	/* from [gpu NAME], not discovered */
};

/*
 * Discover the GPUs below @root ("" or NULL: the real /); see above.
 * Nothing found is no error.  Errors: ENOMEM; E2BIG for more than
 * LLMSD_HOST_GPUS_MAX GPUs.
 */
int llmsd_gpu_discover_at(const char *root, struct llmsd_gpu_inventory *inv,
			  struct llms_error **err);

/*
 * The inventory for @c: its [gpu NAME] sections (each node stat()ed:
 * ENOENT, or ENOTTY for a node that is not a character device), or what
 * llmsd_gpu_discover_at(@root) finds when there is none.
 */
int llmsd_gpu_inventory(const struct llmsd_config *c, const char *root,
			struct llmsd_gpu_inventory *inv,
			struct llms_error **err);

/* "nvidia", "amd", "other"; and back (-1 for an unknown word). */
const char *llmsd_gpu_vendor_name(enum llmsd_gpu_vendor v);
int llmsd_gpu_vendor_parse(const char *s);

/* The inventory's GPU named @name, NULL when none. */
const struct llmsd_gpu *llmsd_gpu_find(const struct llmsd_gpu_inventory *inv,
				       const char *name);

/*
 * Give every agent of @c its GPUs from @inv (its gpu_hold[]), and set its
 * ledger figures: gpu (whole GPUs per instance) and, unless gpu_memory
 * was given, gpu_mem (the sum of their memory; a share: its
 * gpu_compute % of its GPU's).  EINVAL with the agent, the GPU and the
 * rule that failed; the names known in the message for an unknown one.
 */
int llmsd_gpu_plan(struct llmsd_config *c,
		   const struct llmsd_gpu_inventory *inv,
		   struct llms_error **err);

/* Totals for the module's host capacity. */
void llmsd_gpu_totals(const struct llmsd_gpu_inventory *inv, uint64_t *gpus,
		      uint64_t *mem);

/*
 * All of it at start and on reload: the inventory of @c into @inv, the
 * plan, and the totals as @cap's gpu and gpu_mem.
 */
struct llmsd_capacity;
int llmsd_gpu_prepare(struct llmsd_config *c, struct llmsd_capacity *cap,
		      struct llmsd_gpu_inventory *inv,
		      struct llms_error **err);

/* -------------------------------------------- what an agent process holds */

/* One fence rule: a character device, @minor LLMSD_DEV_ANY_MINOR for all. */
struct llmsd_gpu_set {
	struct llmsd_gpu gpus[LLMSD_AGENT_GPUS_MAX];
	size_t ngpus;
	/* Nodes every task of the agent may open, its GPUs' not included. */
	struct llmsd_dev allow[LLMSD_FENCE_RULES_MAX];
	size_t nallow;
	bool fence;
	bool share;		/* its one GPU is shared with other agents */
	uint32_t compute_pct;	/* of a share, 1..100 */
	uint64_t share_mem;	/* of a share, bytes (0: no limit) */
	char mps_pipe[256];	/* CUDA_MPS_PIPE_DIRECTORY, "" without MPS */
};

/*
 * The set of instance @instance of agent @a (planned) of @c, from @inv:
 * its GPUs, and the allow list (ordinary nodes less every GPU node of
 * @inv, plus @inv's control nodes and @extra, @nextra nodes such as
 * /dev/llmsched).  E2BIG when the allow list overflows.
 */
struct llmsd_agent_spec;
int llmsd_gpu_set_for(const struct llmsd_config *c,
		      const struct llmsd_agent_spec *a, unsigned int instance,
		      const struct llmsd_gpu_inventory *inv,
		      const struct llmsd_dev *extra, size_t nextra,
		      struct llmsd_gpu_set *set, struct llms_error **err);

/*
 * @set as one line for --agent-gpus (fields without ';' ',' '=' or
 * spaces: node paths with them are refused), and back.  Encoding: as
 * snprintf(); decoding: EINVAL naming what did not parse.
 */
int llmsd_gpu_encode(const struct llmsd_gpu_set *set, char *buf, size_t size);
int llmsd_gpu_decode(const char *s, struct llmsd_gpu_set *set,
		     struct llms_error **err);

/*
 * Which task holds which of an agent's GPUs: @owner[i] the task id of
 * GPU i, 0 while it is free.  A shared GPU is never owned: every task
 * that asks for GPU memory gets it.
 */
struct llmsd_gpu_alloc {
	uint64_t owner[LLMSD_AGENT_GPUS_MAX];
	size_t n;
	bool share;
};

/*
 * Give task @task (not 0) @want GPUs: their indexes in the set, lowest
 * first, in @idx (room for LLMSD_AGENT_GPUS_MAX); *@got how many.
 * @want_mem: GPU memory it asks for (a share hands its GPU to a task that
 * asks for memory or a GPU).  -EBUSY (nothing taken) when fewer are free:
 * the module's ledger should make that impossible.
 */
int llmsd_gpu_take(struct llmsd_gpu_alloc *al, uint64_t task, uint64_t want,
		   uint64_t want_mem, unsigned int *idx, unsigned int *got);
/* Free what @task holds; nothing when it holds none. */
void llmsd_gpu_release(struct llmsd_gpu_alloc *al, uint64_t task);

/*
 * The environment of a task given @idx[0..n) of @set: CUDA_VISIBLE_DEVICES
 * and NVIDIA_VISIBLE_DEVICES (NVIDIA and other), ROCR_VISIBLE_DEVICES
 * (AMD), LLMSCHED_GPU_NAMES, LLMSCHED_GPU_NODES, and for a share with
 * MPS, CUDA_MPS_PIPE_DIRECTORY, CUDA_MPS_ACTIVE_THREAD_PERCENTAGE and
 * CUDA_MPS_PINNED_DEVICE_MEM_LIMIT: up to LLMSD_GPU_ENV_MAX malloc()ed
 * "KEY=VALUE" strings in @env, their number returned; -ENOMEM.
 * @names gets "gpu0,gpu1" ("" for none) for logs and the history.
 */
#define LLMSD_GPU_ENV_MAX 8
int llmsd_gpu_env(const struct llmsd_gpu_set *set, const unsigned int *idx,
		  unsigned int n, char **env, char *names, size_t names_size);

#endif /* LLMSCHED_LLMSCHEDD_GPU_H */
