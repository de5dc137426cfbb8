// SPDX-License-Identifier: GPL-2.0
/*
 * llmschedd: the host's GPUs, the agents' holdings and the tasks' share
 * of them.  See gpu.h.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../lib/fileio.h"
#include "../lib/units.h"
#include "config.h"
#include "gpu.h"

/* ------------------------------------------------------------ helpers */

static const char *const vendor_names[] = {
	[LLMSD_GPU_OTHER] = "other",
	[LLMSD_GPU_NVIDIA] = "nvidia",
	[LLMSD_GPU_AMD] = "amd",
};

const char *llmsd_gpu_vendor_name(enum llmsd_gpu_vendor v)
{
	return (unsigned int)v < 3 ? vendor_names[v] : "other";
}

int llmsd_gpu_vendor_parse(const char *s)
{
	int i;

	for (i = 0; i < 3; i++)
		if (!strcmp(s, vendor_names[i]))
			return i;
	return -1;
}

const struct llmsd_gpu *llmsd_gpu_find(const struct llmsd_gpu_inventory *inv,
				       const char *name)
{
	size_t i;

	for (i = 0; i < inv->ngpus; i++)
		if (!strcmp(inv->gpus[i].name, name))
			return &inv->gpus[i];
	return NULL;
}

/* @src in @dst, cut to fit. */
static void set_str(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* The whole of a small file, its trailing blanks cut; -errno. */
static int read_small(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -errno;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	return 0;
}

/* A character device's number, following links; -ENOTTY for another kind. */
static int char_dev(const char *path, struct llmsd_dev *d)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	if (!S_ISCHR(st.st_mode))
		return -ENOTTY;
	d->major = major(st.st_rdev);
	d->minor = minor(st.st_rdev);
	return 0;
}

static bool same_dev(const struct llmsd_dev *a, const struct llmsd_dev *b)
{
	return a->major == b->major &&
	       (a->minor == b->minor || a->minor == LLMSD_DEV_ANY_MINOR ||
		b->minor == LLMSD_DEV_ANY_MINOR);
}

static void add_ctl(struct llmsd_gpu_inventory *inv, const struct llmsd_dev *d)
{
	size_t i;

	for (i = 0; i < inv->nctl; i++)
		if (same_dev(&inv->ctl[i], d))
			return;
	if (inv->nctl < sizeof(inv->ctl) / sizeof(inv->ctl[0]))
		inv->ctl[inv->nctl++] = *d;
}

/* -------------------------------------------------------- discovery */

static int cmp_gpu(const void *a, const void *b)
{
	const struct llmsd_gpu *x = a, *y = b;

	if (x->vendor != y->vendor)
		return x->vendor == LLMSD_GPU_NVIDIA ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* /proc/driver/nvidia/gpus/ADDR/information: model and address of minor N. */
static void nvidia_info(const char *root, struct llmsd_gpu *g)
{
	char dir[PATH_MAX], path[PATH_MAX + 300], line[256], model[64] = "";
	struct dirent *d;
	DIR *dp;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/proc/driver/nvidia/gpus", root);
	dp = opendir(dir);
	if (!dp)
		return;
	while ((d = readdir(dp))) {
		long minor = -1;

		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/information", dir,
			 d->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		model[0] = '\0';
		while (fgets(line, sizeof(line), f)) {
			char *v = strchr(line, ':');

			if (!v)
				continue;
			*v++ = '\0';
			v += strspn(v, " \t");
			v[strcspn(v, "\n")] = '\0';
			if (!strcmp(line, "Model"))
				set_str(model, sizeof(model), v);
			else if (!strcmp(line, "Device Minor"))
				minor = strtol(v, NULL, 10);
		}
		fclose(f);
		if (minor == (long)g->index) {
			set_str(g->model, sizeof(g->model), model);
			set_str(g->pci, sizeof(g->pci), d->d_name);
			break;
		}
	}
	closedir(dp);
}

static int discover_nvidia(const char *root, struct llmsd_gpu_inventory *inv,
			   struct llms_error **err)
{
	static const char *const ctl[] = { "nvidiactl", "nvidia-uvm",
					   "nvidia-uvm-tools",
					   "nvidia-modeset", NULL };
	char dev[PATH_MAX], path[PATH_MAX + 300];
	struct llmsd_dev d;
	struct dirent *e;
	DIR *dp;
	size_t i;

	snprintf(dev, sizeof(dev), "%s/dev", root);
	for (i = 0; ctl[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s", dev, ctl[i]);
		if (!char_dev(path, &d))
			add_ctl(inv, &d);
	}
	dp = opendir(dev);
	if (!dp)
		return 0;
	while ((e = readdir(dp))) {
		const char *p = e->d_name + 6;
		struct llmsd_gpu *g;

		if (strncmp(e->d_name, "nvidia", 6) || !*p ||
		    strspn(p, "0123456789") != strlen(p) || strlen(p) > 4)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dev, e->d_name);
		if (char_dev(path, &d))
			continue;
		if (inv->ngpus == LLMSD_HOST_GPUS_MAX) {
			closedir(dp);
			return llms_error_set(err, E2BIG,
					      "more than %d GPUs in %s",
					      LLMSD_HOST_GPUS_MAX, dev);
		}
		g = &inv->gpus[inv->ngpus++];
		memset(g, 0, sizeof(*g));
		g->vendor = LLMSD_GPU_NVIDIA;
		g->index = (unsigned int)atoi(p);
		snprintf(g->node, sizeof(g->node), "/dev/%.200s", e->d_name);
		g->devs[g->ndevs++] = d;
		nvidia_info(root, g);
	}
	closedir(dp);
	return 0;
}

/* "226:128" from a sysfs dev file. */
static int sysfs_dev(const char *path, struct llmsd_dev *d)
{
	char buf[32];
	unsigned int ma, mi;

	if (read_small(path, buf, sizeof(buf)) ||
	    sscanf(buf, "%u:%u", &ma, &mi) != 2)
		return -EINVAL;
	d->major = ma;
	d->minor = mi;
	return 0;
}

/* The last part of the link at @path, in @buf; "" when it is none. */
static void link_base(const char *path, char *buf, size_t size)
{
	char target[PATH_MAX];
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	const char *slash;

	buf[0] = '\0';
	if (n <= 0)
		return;
	target[n] = '\0';
	slash = strrchr(target, '/');
	set_str(buf, size, slash ? slash + 1 : target);
}

static int discover_amd(const char *root, struct llmsd_gpu_inventory *inv,
			struct llms_error **err)
{
	char drm[PATH_MAX], path[PATH_MAX + 300], driver[64], pci[64];
	char buf[128], rpci[64];
	struct llmsd_gpu found[LLMSD_HOST_GPUS_MAX];
	struct dirent *e, *r;
	struct llmsd_dev d;
	size_t n = 0, i;
	DIR *dp, *rp;
	unsigned int card;

	snprintf(path, sizeof(path), "%s/dev/kfd", root);
	if (!char_dev(path, &d))
		add_ctl(inv, &d);
	snprintf(drm, sizeof(drm), "%s/sys/class/drm", root);
	dp = opendir(drm);
	if (!dp)
		return 0;
	while ((e = readdir(dp))) {
		struct llmsd_gpu *g;
		uint64_t mem;

		if (sscanf(e->d_name, "card%u", &card) != 1 ||
		    strspn(e->d_name + 4, "0123456789") !=
			    strlen(e->d_name + 4))
			continue;
		snprintf(path, sizeof(path), "%s/%s/device/driver", drm,
			 e->d_name);
		link_base(path, driver, sizeof(driver));
		if (strcmp(driver, "amdgpu"))
			continue;
		if (n == LLMSD_HOST_GPUS_MAX) {
			closedir(dp);
			return llms_error_set(err, E2BIG, "more than %d GPUs in %s",
					      LLMSD_HOST_GPUS_MAX, drm);
		}
		g = &found[n++];
		memset(g, 0, sizeof(*g));
		g->vendor = LLMSD_GPU_AMD;
		g->index = card;	/* for sorting; renumbered below */
		snprintf(path, sizeof(path), "%s/%s/device", drm, e->d_name);
		link_base(path, pci, sizeof(pci));
		set_str(g->pci, sizeof(g->pci), pci);
		snprintf(g->node, sizeof(g->node), "/dev/dri/%.200s", e->d_name);
		snprintf(path, sizeof(path), "%s/%s/dev", drm, e->d_name);
		if (!sysfs_dev(path, &d))
			g->devs[g->ndevs++] = d;
		snprintf(path, sizeof(path), "%s/%s/device/product_name", drm,
			 e->d_name);
		if (!read_small(path, buf, sizeof(buf)))
			set_str(g->model, sizeof(g->model), buf);
		snprintf(path, sizeof(path), "%s/%s/device/mem_info_vram_total",
			 drm, e->d_name);
		if (!read_small(path, buf, sizeof(buf)) &&
		    !llms_parse_u64(buf, &mem))
			g->mem = mem;
		/* Its render node: the one on the same device. */
		rp = opendir(drm);
		while (rp && (r = readdir(rp))) {
			if (strncmp(r->d_name, "renderD", 7) ||
			    g->ndevs == LLMSD_GPU_NODES_MAX)
				continue;
			snprintf(path, sizeof(path), "%s/%s/device", drm,
				 r->d_name);
			link_base(path, rpci, sizeof(rpci));
			snprintf(path, sizeof(path), "%s/%s/dev", drm,
				 r->d_name);
			if (rpci[0] && !strcmp(rpci, pci) &&
			    !sysfs_dev(path, &d))
				g->devs[g->ndevs++] = d;
		}
		if (rp)
			closedir(rp);
	}
	closedir(dp);
	qsort(found, n, sizeof(found[0]), cmp_gpu);
	for (i = 0; i < n; i++) {
		if (inv->ngpus == LLMSD_HOST_GPUS_MAX)
			return llms_error_set(err, E2BIG, "more than %d GPUs",
					      LLMSD_HOST_GPUS_MAX);
		found[i].index = (unsigned int)i;
		inv->gpus[inv->ngpus++] = found[i];
	}
	return 0;
}

int llmsd_gpu_discover_at(const char *root, struct llmsd_gpu_inventory *inv,
			  struct llms_error **err)
{
	size_t i;
	int ret;

	if (!root)
		root = "";
	memset(inv, 0, sizeof(*inv));
	ret = discover_nvidia(root, inv, err);
	if (!ret) {
		qsort(inv->gpus, inv->ngpus, sizeof(inv->gpus[0]), cmp_gpu);
		ret = discover_amd(root, inv, err);
	}
	for (i = 0; i < inv->ngpus; i++)
		snprintf(inv->gpus[i].name, sizeof(inv->gpus[i].name), "gpu%zu",
			 i);
	return ret;
}

/* The next path of the comma list at *@p, trimmed, in @buf; false at end. */
static bool next_path(const char **p, char *buf, size_t size)
{
	size_t n;

	*p += strspn(*p, " \t,");
	if (!**p)
		return false;
	n = strcspn(*p, ",");
	snprintf(buf, size, "%.*s", (int)n, *p);
	*p += n;
	n = strlen(buf);
	while (n && (buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		buf[--n] = '\0';
	return true;
}

int llmsd_gpu_inventory(const struct llmsd_config *c, const char *root,
			struct llmsd_gpu_inventory *inv,
			struct llms_error **err)
{
	unsigned int next_index[3] = { 0 };
	char path[300];
	size_t i;
	int ret;

	if (!c->ngpus)
		return llmsd_gpu_discover_at(root, inv, err);
	memset(inv, 0, sizeof(*inv));
	inv->configured = true;
	for (i = 0; i < c->ngpus; i++) {
		const struct llmsd_gpu_spec *s = &c->gpus[i];
		struct llmsd_gpu *g = &inv->gpus[inv->ngpus++];
		const char *p = s->nodes;
		struct llmsd_dev d;
		const char *base;

		memset(g, 0, sizeof(*g));
		set_str(g->name, sizeof(g->name), s->name);
		set_str(g->model, sizeof(g->model), s->model);
		g->mem = s->mem;
		while (next_path(&p, path, sizeof(path))) {
			ret = char_dev(path, &d);
			if (ret)
				return llms_error_set(err, -ret,
						      "[gpu %s] node %s: %s",
						      s->name, path,
						      ret == -ENOTTY ?
							      "not a character device" :
							      strerror(-ret));
			if (!g->ndevs)
				set_str(g->node, sizeof(g->node), path);
			if (g->ndevs == LLMSD_GPU_NODES_MAX)
				return llms_error_set(err, E2BIG,
						      "[gpu %s] node: more than %d nodes",
						      s->name,
						      LLMSD_GPU_NODES_MAX);
			g->devs[g->ndevs++] = d;
		}
		base = strrchr(g->node, '/');
		base = base ? base + 1 : g->node;
		if (s->vendor >= 0)
			g->vendor = (enum llmsd_gpu_vendor)s->vendor;
		else if (!strncmp(base, "nvidia", 6))
			g->vendor = LLMSD_GPU_NVIDIA;
		else
			g->vendor = LLMSD_GPU_OTHER;
		g->index = s->index >= 0 ? (unsigned int)s->index :
					   next_index[g->vendor];
		next_index[g->vendor] = g->index + 1;
		p = s->control;
		while (next_path(&p, path, sizeof(path))) {
			ret = char_dev(path, &d);
			if (ret)
				return llms_error_set(err, -ret,
						      "[gpu %s] control %s: %s",
						      s->name, path,
						      ret == -ENOTTY ?
							      "not a character device" :
							      strerror(-ret));
			add_ctl(inv, &d);
		}
	}
	return 0;
}

void llmsd_gpu_totals(const struct llmsd_gpu_inventory *inv, uint64_t *gpus,
		      uint64_t *mem)
{
	size_t i;

	*gpus = inv->ngpus;
	*mem = 0;
	for (i = 0; i < inv->ngpus; i++)
		*mem += inv->gpus[i].mem;
}

int llmsd_gpu_prepare(struct llmsd_config *c, struct llmsd_capacity *cap,
		      struct llmsd_gpu_inventory *inv,
		      struct llms_error **err)
{
	int ret = llmsd_gpu_inventory(c, NULL, inv, err);

	if (!ret)
		ret = llmsd_gpu_plan(c, inv, err);
	if (!ret)
		llmsd_gpu_totals(inv, &cap->gpu, &cap->gpu_mem);
	return ret;
}

/* ------------------------------------------------------------- plan */

/* "gpu0, gpu1 and gpu2", for messages. */
static void gpu_list(const struct llmsd_gpu_inventory *inv, char *buf,
		     size_t size)
{
	size_t i, used = 0;

	buf[0] = '\0';
	if (!inv->ngpus)
		snprintf(buf, size, "none (no GPU was found)");
	for (i = 0; i < inv->ngpus && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s",
					 i == 0 ? "" :
					 i == inv->ngpus - 1 ? " and " : ", ",
					 inv->gpus[i].name);
}

int llmsd_gpu_plan(struct llmsd_config *c,
		   const struct llmsd_gpu_inventory *inv,
		   struct llms_error **err)
{
	/* Per GPU: held whole by (agent index + 1), or shared: % and bytes. */
	size_t whole[LLMSD_HOST_GPUS_MAX] = { 0 };
	uint32_t pct[LLMSD_HOST_GPUS_MAX] = { 0 };
	uint64_t shared_mem[LLMSD_HOST_GPUS_MAX] = { 0 };
	char name[64], known[1024], x[LLMS_UNITS_BUF], y[LLMS_UNITS_BUF];
	size_t i, j, k;

	gpu_list(inv, known, sizeof(known));
	/* First the named GPUs, then gpu = N from what is left. */
	for (i = 0; i < c->nagents; i++) {
		struct llmsd_agent_spec *a = &c->agents[i];
		const char *p = a->gpu_names;
		bool share = a->gpu_compute < 100;

		a->ngpu_hold = 0;
		while (*p) {
			const struct llmsd_gpu *g;
			size_t n;

			p += strspn(p, " \t,");
			n = strcspn(p, ", \t");
			if (!n)
				break;
			snprintf(name, sizeof(name), "%.*s", (int)n, p);
			p += n;
			g = llmsd_gpu_find(inv, name);
			if (!g)
				return llms_error_set(err, EINVAL,
						      "agent %s: gpus names %s, which is not a GPU of this host: the GPUs are %s",
						      a->name, name, known);
			k = (size_t)(g - inv->gpus);
			for (j = 0; j < a->ngpu_hold; j++)
				if (a->gpu_hold[j] == k)
					return llms_error_set(err, EINVAL,
							      "agent %s: gpus names %s twice",
							      a->name, name);
			if (a->ngpu_hold == LLMSD_GPU_HOLD_MAX)
				return llms_error_set(err, EINVAL,
						      "agent %s: gpus names more than %d GPUs",
						      a->name,
						      LLMSD_GPU_HOLD_MAX);
			if (whole[k])
				return llms_error_set(err, EINVAL,
						      "agent %s: %s is held whole by agent %s already: a GPU is one agent's, or shared (gpu_compute below 100)",
						      a->name, name,
						      c->agents[whole[k] - 1].name);
			if (!share && pct[k])
				return llms_error_set(err, EINVAL,
						      "agent %s: %s is shared by other agents: hold it whole only if no one shares it",
						      a->name, name);
			a->gpu_hold[a->ngpu_hold++] = (uint16_t)k;
			if (!share)
				whole[k] = i + 1;
		}
		if (share) {
			const struct llmsd_gpu *g;
			uint64_t m;

			if (a->ngpu_hold != 1)
				return llms_error_set(err, EINVAL,
						      "agent %s: gpu_compute %u%% is a share of one GPU: name it with gpus = NAME (it names %u)",
						      a->name, a->gpu_compute,
						      a->ngpu_hold);
			if (a->gpu_set && a->gpu)
				return llms_error_set(err, EINVAL,
						      "agent %s: a share (gpu_compute %u%%) holds no whole GPU: leave gpu out",
						      a->name, a->gpu_compute);
			k = a->gpu_hold[0];
			g = &inv->gpus[k];
			m = a->gpu_mem_set ? a->gpu_mem :
					     g->mem / 100 * a->gpu_compute;
			pct[k] += a->gpu_compute * a->count;
			shared_mem[k] += m * a->count;
			if (pct[k] > 100)
				return llms_error_set(err, EINVAL,
						      "agent %s: the shares of %s add up to %u%% of its compute (count x gpu_compute), more than 100%%",
						      a->name, g->name, pct[k]);
			if (g->mem && shared_mem[k] > g->mem) {
				llms_format_bytes(shared_mem[k], x, sizeof(x));
				llms_format_bytes(g->mem, y, sizeof(y));
				return llms_error_set(err, EINVAL,
						      "agent %s: the shares of %s hold %s of its memory (count x gpu_memory), more than its %s",
						      a->name, g->name, x, y);
			}
			a->gpu = 0;
			a->gpu_mem = m;
			continue;
		}
		if (!a->ngpu_hold)
			continue;
		if (a->ngpu_hold % a->count)
			return llms_error_set(err, EINVAL,
					      "agent %s: gpus names %u GPUs for its %u instances (count): name a multiple of count, split among them in order",
					      a->name, a->ngpu_hold, a->count);
		if (a->gpu_set && a->gpu != a->ngpu_hold / a->count)
			return llms_error_set(err, EINVAL,
					      "agent %s: gpu = %" PRIu64 " but gpus gives each instance %u: leave gpu out",
					      a->name, a->gpu,
					      a->ngpu_hold / a->count);
		a->gpu = a->ngpu_hold / a->count;
	}
	for (i = 0; i < c->nagents; i++) {
		struct llmsd_agent_spec *a = &c->agents[i];
		uint64_t want, m = 0;

		if (a->gpu_compute < 100)
			continue;
		if (a->gpu_names[strspn(a->gpu_names, " \t,")] == '\0' &&
		    a->gpu) {
			want = a->gpu * a->count;
			for (k = 0; k < inv->ngpus && a->ngpu_hold < want; k++)
				if (!whole[k] && !pct[k] &&
				    a->ngpu_hold < LLMSD_GPU_HOLD_MAX) {
					whole[k] = i + 1;
					a->gpu_hold[a->ngpu_hold++] =
						(uint16_t)k;
				}
			/*
			 * Fewer than asked for, once the named and shared
			 * ones are out: the module would be promised GPUs
			 * that no task could be handed.
			 */
			if (a->ngpu_hold < want)
				return llms_error_set(err, EINVAL,
						      "agent %s: gpu = %" PRIu64 " for each of its %u instances needs %" PRIu64 " GPUs, and only %u are neither named by another agent nor shared: lower gpu, or name the GPUs (gpus =)",
						      a->name, a->gpu, a->count,
						      want, a->ngpu_hold);
		}
		if (a->gpu_mem_set || !a->ngpu_hold)
			continue;
		/* Each instance: the memory of its own GPUs (the first's). */
		for (k = 0; k < a->gpu && k < a->ngpu_hold; k++)
			m += inv->gpus[a->gpu_hold[k]].mem;
		a->gpu_mem = m;
	}
	return 0;
}

/* ------------------------------------------------ an agent's holding */

/*
 * The nodes every process needs: mem's null, zero, full, random and
 * urandom; tty, console and ptmx; the pseudo-terminals.
 */
static const struct llmsd_dev ordinary[] = {
	{ 1, 3 }, { 1, 5 }, { 1, 7 }, { 1, 8 }, { 1, 9 },
	{ 5, 0 }, { 5, 1 }, { 5, 2 },
	{ 136, LLMSD_DEV_ANY_MINOR }, { 137, LLMSD_DEV_ANY_MINOR },
	{ 138, LLMSD_DEV_ANY_MINOR }, { 139, LLMSD_DEV_ANY_MINOR },
	{ 140, LLMSD_DEV_ANY_MINOR }, { 141, LLMSD_DEV_ANY_MINOR },
	{ 142, LLMSD_DEV_ANY_MINOR }, { 143, LLMSD_DEV_ANY_MINOR },
};

static bool is_gpu_dev(const struct llmsd_gpu_inventory *inv,
		       const struct llmsd_dev *d)
{
	size_t i, j;

	for (i = 0; i < inv->ngpus; i++)
		for (j = 0; j < inv->gpus[i].ndevs; j++)
			if (same_dev(&inv->gpus[i].devs[j], d))
				return true;
	return false;
}

static int allow_add(struct llmsd_gpu_set *set, const struct llmsd_dev *d,
		     struct llms_error **err)
{
	size_t i;

	for (i = 0; i < set->nallow; i++)
		if (set->allow[i].major == d->major &&
		    set->allow[i].minor == d->minor)
			return 0;
	if (set->nallow == LLMSD_FENCE_RULES_MAX)
		return llms_error_set(err, E2BIG,
				      "more than %d device nodes to allow",
				      LLMSD_FENCE_RULES_MAX);
	set->allow[set->nallow++] = *d;
	return 0;
}

int llmsd_gpu_set_for(const struct llmsd_config *c,
		      const struct llmsd_agent_spec *a, unsigned int instance,
		      const struct llmsd_gpu_inventory *inv,
		      const struct llmsd_dev *extra, size_t nextra,
		      struct llmsd_gpu_set *set, struct llms_error **err)
{
	size_t i, first, n;
	int ret;

	memset(set, 0, sizeof(*set));
	set->fence = c->gpu_fence == LLMSD_GPU_FENCE_ON ||
		     (c->gpu_fence == LLMSD_GPU_FENCE_AUTO && inv->ngpus);
	set->share = a->gpu_compute < 100;
	set->compute_pct = a->gpu_compute;
	set_str(set->mps_pipe, sizeof(set->mps_pipe), c->mps_pipe);
	if (set->share) {
		first = 0;
		n = a->ngpu_hold ? 1 : 0;
		set->share_mem = a->gpu_mem;
	} else {
		first = (size_t)instance * a->gpu;
		n = a->gpu;
		if (first + n > a->ngpu_hold)
			n = 0;
	}
	if (n > LLMSD_AGENT_GPUS_MAX)
		return llms_error_set(err, E2BIG,
				      "agent %s: more than %d GPUs an instance",
				      a->name, LLMSD_AGENT_GPUS_MAX);
	for (i = 0; i < n; i++)
		set->gpus[set->ngpus++] = inv->gpus[a->gpu_hold[first + i]];
	for (i = 0; i < sizeof(ordinary) / sizeof(ordinary[0]); i++)
		if (!is_gpu_dev(inv, &ordinary[i])) {
			ret = allow_add(set, &ordinary[i], err);
			if (ret)
				return ret;
		}
	for (i = 0; i < inv->nctl; i++) {
		ret = allow_add(set, &inv->ctl[i], err);
		if (ret)
			return ret;
	}
	for (i = 0; i < nextra; i++) {
		ret = allow_add(set, &extra[i], err);
		if (ret)
			return ret;
	}
	return 0;
}

/* ------------------------------------------------------ the encoding */

static void add(char *buf, size_t size, size_t *off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void add(char *buf, size_t size, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(*off < size ? buf + *off : NULL,
		      *off < size ? size - *off : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off += (size_t)n;
}

static void add_dev(char *buf, size_t size, size_t *off,
		    const struct llmsd_dev *d, const char *sep)
{
	if (d->minor == LLMSD_DEV_ANY_MINOR)
		add(buf, size, off, "%s%u:*", sep, d->major);
	else
		add(buf, size, off, "%s%u:%u", sep, d->major, d->minor);
}

/*
 * fence=0|1;share=PCT:BYTES;mps=DIR;allow=M:m,M:*;
 * gpu=NAME,INDEX,VENDOR,PATH,M:m+M:m;gpu=...
 */
int llmsd_gpu_encode(const struct llmsd_gpu_set *set, char *buf, size_t size)
{
	size_t off = 0, i, j;

	if (size)
		buf[0] = '\0';
	add(buf, size, &off, "fence=%d", set->fence);
	if (set->share)
		add(buf, size, &off, ";share=%u:%" PRIu64, set->compute_pct,
		    set->share_mem);
	if (set->mps_pipe[0])
		add(buf, size, &off, ";mps=%s", set->mps_pipe);
	add(buf, size, &off, ";allow=");
	for (i = 0; i < set->nallow; i++)
		add_dev(buf, size, &off, &set->allow[i], i ? "," : "");
	for (i = 0; i < set->ngpus; i++) {
		const struct llmsd_gpu *g = &set->gpus[i];

		add(buf, size, &off, ";gpu=%s,%u,%s,%s,", g->name, g->index,
		    llmsd_gpu_vendor_name(g->vendor), g->node);
		for (j = 0; j < g->ndevs; j++)
			add_dev(buf, size, &off, &g->devs[j], j ? "+" : "");
	}
	return (int)off;
}

static int parse_dev(const char *s, struct llmsd_dev *d)
{
	unsigned int ma, mi;
	char c;

	if (sscanf(s, "%u:*%c", &ma, &c) == 1 && s[strlen(s) - 1] == '*') {
		d->major = ma;
		d->minor = LLMSD_DEV_ANY_MINOR;
		return 0;
	}
	if (sscanf(s, "%u:%u%c", &ma, &mi, &c) != 2)
		return -EINVAL;
	d->major = ma;
	d->minor = mi;
	return 0;
}

static int decode_gpu(char *v, struct llmsd_gpu *g)
{
	char *f[5], *save = NULL, *dev, *t;
	int n = 0, vendor;

	memset(g, 0, sizeof(*g));
	for (t = strtok_r(v, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (n == 5)
			return -EINVAL;
		f[n++] = t;
	}
	if (n != 5)
		return -EINVAL;
	vendor = llmsd_gpu_vendor_parse(f[2]);
	if (strlen(f[0]) >= sizeof(g->name) || vendor < 0 ||
	    strspn(f[1], "0123456789") != strlen(f[1]) ||
	    strlen(f[3]) >= sizeof(g->node))
		return -EINVAL;
	strcpy(g->name, f[0]);
	g->index = (unsigned int)strtoul(f[1], NULL, 10);
	g->vendor = (enum llmsd_gpu_vendor)vendor;
	strcpy(g->node, f[3]);
	save = NULL;
	for (dev = strtok_r(f[4], "+", &save); dev;
	     dev = strtok_r(NULL, "+", &save)) {
		if (g->ndevs == LLMSD_GPU_NODES_MAX ||
		    parse_dev(dev, &g->devs[g->ndevs]))
			return -EINVAL;
		g->ndevs++;
	}
	return g->ndevs ? 0 : -EINVAL;
}

int llmsd_gpu_decode(const char *s, struct llmsd_gpu_set *set,
		     struct llms_error **err)
{
	char *text = strdup(s), *field, *save = NULL, *v, *dev, *dsave;
	int ret = 0;

	if (!text)
		return llms_error_set(err, ENOMEM, "--agent-gpus");
	memset(set, 0, sizeof(*set));
	for (field = strtok_r(text, ";", &save); field && !ret;
	     field = strtok_r(NULL, ";", &save)) {
		v = strchr(field, '=');
		if (!v) {
			ret = -EINVAL;
			break;
		}
		*v++ = '\0';
		if (!strcmp(field, "fence")) {
			set->fence = !strcmp(v, "1");
		} else if (!strcmp(field, "share")) {
			set->share = true;
			if (sscanf(v, "%" SCNu32 ":%" SCNu64, &set->compute_pct,
				   &set->share_mem) != 2 ||
			    !set->compute_pct || set->compute_pct > 100)
				ret = -EINVAL;
		} else if (!strcmp(field, "mps")) {
			if (strlen(v) >= sizeof(set->mps_pipe))
				ret = -EINVAL;
			else
				strcpy(set->mps_pipe, v);
		} else if (!strcmp(field, "allow")) {
			dsave = NULL;
			for (dev = strtok_r(v, ",", &dsave); dev && !ret;
			     dev = strtok_r(NULL, ",", &dsave)) {
				if (set->nallow == LLMSD_FENCE_RULES_MAX ||
				    parse_dev(dev, &set->allow[set->nallow]))
					ret = -EINVAL;
				else
					set->nallow++;
			}
		} else if (!strcmp(field, "gpu")) {
			if (set->ngpus == LLMSD_AGENT_GPUS_MAX ||
			    decode_gpu(v, &set->gpus[set->ngpus]))
				ret = -EINVAL;
			else
				set->ngpus++;
		} else {
			ret = -EINVAL;
		}
	}
	if (ret)
		llms_error_set(err, EINVAL,
			       "--agent-gpus '%s': field %s does not parse",
			       s, field ? field : "?");
	free(text);
	return ret;
}

/* ------------------------------------------------------- allocation */

int llmsd_gpu_take(struct llmsd_gpu_alloc *al, uint64_t task, uint64_t want,
		   uint64_t want_mem, unsigned int *idx, unsigned int *got)
{
	size_t i, n = 0;

	*got = 0;
	if (al->share) {
		if ((want || want_mem) && al->n) {
			idx[0] = 0;
			*got = 1;
		}
		return 0;
	}
	if (want > al->n)
		return -EBUSY;
	for (i = 0; i < al->n && n < want; i++)
		if (!al->owner[i])
			n++;
	if (n < want)
		return -EBUSY;
	for (i = 0, n = 0; i < al->n && n < want; i++)
		if (!al->owner[i]) {
			al->owner[i] = task;
			idx[n++] = (unsigned int)i;
		}
	*got = (unsigned int)n;
	return 0;
}

void llmsd_gpu_release(struct llmsd_gpu_alloc *al, uint64_t task)
{
	size_t i;

	if (!task)
		return;
	for (i = 0; i < al->n; i++)
		if (al->owner[i] == task)
			al->owner[i] = 0;
}

/* ------------------------------------------------------ environment */

int llmsd_gpu_env(const struct llmsd_gpu_set *set, const unsigned int *idx,
		  unsigned int n, char **env, char *names, size_t names_size)
{
	char cuda[256] = "", rocr[256] = "", nodes[1024] = "";
	size_t oc = 0, orr = 0, on = 0, onames = 0;
	bool any_cuda = false, any_amd = false;
	unsigned int i;
	int k = 0;

	if (names_size)
		names[0] = '\0';
	for (i = 0; i < set->ngpus; i++) {
		any_amd |= set->gpus[i].vendor == LLMSD_GPU_AMD;
		any_cuda |= set->gpus[i].vendor != LLMSD_GPU_AMD;
	}
	for (i = 0; i < n; i++) {
		const struct llmsd_gpu *g = &set->gpus[idx[i]];

		if (g->vendor == LLMSD_GPU_AMD)
			add(rocr, sizeof(rocr), &orr, "%s%u", orr ? "," : "",
			    g->index);
		else
			add(cuda, sizeof(cuda), &oc, "%s%u", oc ? "," : "",
			    g->index);
		add(nodes, sizeof(nodes), &on, "%s%s", on ? "," : "", g->node);
		add(names, names_size, &onames, "%s%s", onames ? "," : "",
		    g->name);
	}
	/* A task given no GPU of a kind sees none of it, not all. */
	if (any_cuda &&
	    (asprintf(&env[k++], "CUDA_VISIBLE_DEVICES=%s", cuda) < 0 ||
	     asprintf(&env[k++], "NVIDIA_VISIBLE_DEVICES=%s",
		      oc ? cuda : "void") < 0))
		goto nomem;
	if (any_amd &&
	    asprintf(&env[k++], "ROCR_VISIBLE_DEVICES=%s", orr ? rocr : "-1") < 0)
		goto nomem;
	if (asprintf(&env[k++], "LLMSCHED_GPU_NAMES=%s",
		     names_size ? names : "") < 0 ||
	    asprintf(&env[k++], "LLMSCHED_GPU_NODES=%s", nodes) < 0)
		goto nomem;
	if (set->share && n && set->mps_pipe[0]) {
		if (asprintf(&env[k++], "CUDA_MPS_PIPE_DIRECTORY=%s",
			     set->mps_pipe) < 0 ||
		    asprintf(&env[k++], "CUDA_MPS_ACTIVE_THREAD_PERCENTAGE=%u",
			     set->compute_pct) < 0)
			goto nomem;
		/* The only device it sees is device 0 to it. */
		if (set->share_mem &&
		    asprintf(&env[k++], "CUDA_MPS_PINNED_DEVICE_MEM_LIMIT=0=%" PRIu64 "M",
			     set->share_mem >> 20) < 0)
			goto nomem;
	}
	return k;
nomem:
	env[k - 1] = NULL;
	while (k-- > 0)
		free(env[k]);
	return -ENOMEM;
}
