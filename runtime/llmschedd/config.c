// SPDX-License-Identifier: GPL-2.0
/*
 * llmschedd: the configuration file and --set overrides.  See config.h.
 *
 * libinih splits the file into sections and KEY = VALUE pairs; the
 * daemon reads the lines to it itself (ini_parse_stream() with a reader
 * of its own), because the Debian build of libinih does not pass line
 * numbers to the handler, and because a few things are only seen on the
 * raw lines:
 *
 *	- the line number: libinih asks for one line, then hands its pair
 *	  to the handler, so the reader's count is the handler's line;
 *	- section headers, so that an empty or repeated section, or a
 *	  header with text after its ']', is an error on its own line
 *	  (libinih reports sections only through the pairs in them);
 *	- lines longer than libinih's buffer, which it would otherwise cut
 *	  and read the rest of as a line of its own;
 *	- NUL bytes, which would cut a line short;
 *	- indentation, which libinih reads as the continuation of the
 *	  previous value: the reader drops leading blanks, so that there
 *	  are no continuation lines and an indented key is just a key.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "../lib/cgroup.h"
#include "../lib/units.h"
#include "config.h"

const char *const llmsd_policy_names[] = {
	"prio_fifo", "sjf", "mlfq", "drf", NULL,
};

/* ------------------------------------------------------------ helpers */

/* @s for a message: see quote() in runtime/lib/units.c. */
static void quote(char *dst, size_t size, const char *s)
{
	size_t i, n = strlen(s), max = size - 4;

	for (i = 0; i < n && i < max; i++)
		dst[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (n > max) {
		memcpy(dst + i, "...", 3);
		i += 3;
	}
	dst[i] = '\0';
}

static bool valid_name(const char *s)
{
	size_t i, n = strlen(s);

	if (!n || n >= LLMSD_NAME_MAX || !isalpha((unsigned char)s[0]))
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			return false;
	return true;
}

#define NAME_RULE "1 to 31 letters, digits, '_' or '-', a letter first"

/*
 * A whole number from @min to @max (and "max" for UINT64_MAX when
 * @max_word), digits only.
 */
static int parse_range(const char *v, uint64_t min, uint64_t max,
		       bool max_word, uint64_t *out, struct llms_error **err)
{
	uint64_t n = 0;
	char q[48];
	const char *p;

	if (max_word && !strcmp(v, "max")) {
		*out = UINT64_MAX;
		return 0;
	}
	for (p = v; *p >= '0' && *p <= '9'; p++) {
		if (n > (UINT64_MAX - (uint64_t)(*p - '0')) / 10) {
			n = UINT64_MAX;
			break;
		}
		n = n * 10 + (uint64_t)(*p - '0');
	}
	if (p == v || *p || n < min || n > max) {
		quote(q, sizeof(q), v);
		return llms_error_set(err, p == v || *p ? EINVAL : ERANGE,
				      "'%s': not a whole number from %" PRIu64
				      " to %" PRIu64 "%s",
				      q, min, max, max_word ? ", or max" : "");
	}
	*out = n;
	return 0;
}

/* An absolute path without ".", ".." or empty components. */
static int parse_path(char *dst, size_t size, const char *v,
		      struct llms_error **err)
{
	const char *p;
	char q[48];

	quote(q, sizeof(q), v);
	if (v[0] != '/' || !v[1])
		return llms_error_set(err, EINVAL,
				      "'%s': not an absolute path below /: begin with /",
				      q);
	if (strlen(v) >= size)
		return llms_error_set(err, ENAMETOOLONG,
				      "'%s': longer than %zu characters", q,
				      size - 1);
	for (p = v; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return llms_error_set(err, EINVAL,
					      "'%s': a control character in a path",
					      q);
	for (p = v; *p; ) {
		const char *c = ++p, *e = strchrnul(c, '/');

		if (e == c || (e - c == 1 && c[0] == '.') ||
		    (e - c == 2 && c[0] == '.' && c[1] == '.'))
			return llms_error_set(err, EINVAL,
					      "'%s': an empty, '.' or '..' component: write the path plainly",
					      q);
		p = e;
	}
	strcpy(dst, v);
	return 0;
}

/* ---------------------------------------------------------- the keys */

typedef int (*setter_fn)(struct llmsd_config *c, struct llmsd_agent_spec *a,
			 const char *v, struct llms_error **err);

struct key {
	const char *name;
	setter_fn set;
};

static int set_cgroup_root(struct llmsd_config *c, struct llmsd_agent_spec *a,
			   const char *v, struct llms_error **err)
{
	return parse_path(c->cgroup_root, sizeof(c->cgroup_root), v, err);
}

static int set_state_dir(struct llmsd_config *c, struct llmsd_agent_spec *a,
			 const char *v, struct llms_error **err)
{
	return parse_path(c->state_dir, sizeof(c->state_dir), v, err);
}

static int set_log_dir(struct llmsd_config *c, struct llmsd_agent_spec *a,
		       const char *v, struct llms_error **err)
{
	return parse_path(c->log_dir, sizeof(c->log_dir), v, err);
}

static int set_policy(struct llmsd_config *c, struct llmsd_agent_spec *a,
		      const char *v, struct llms_error **err)
{
	const char *const *p;
	char q[48];

	for (p = llmsd_policy_names; *p; p++)
		if (!strcmp(v, *p))
			break;
	if (*v && !*p) {
		quote(q, sizeof(q), v);
		return llms_error_set(err, EINVAL,
				      "'%s': not a policy: use prio_fifo, sjf, mlfq or drf, or nothing to keep the module's",
				      q);
	}
	strcpy(c->policy, v);
	return 0;
}

static int set_memory_reserve(struct llmsd_config *c,
			      struct llmsd_agent_spec *a, const char *v,
			      struct llms_error **err)
{
	if (!strcmp(v, "auto")) {
		c->mem_reserve = LLMSD_MEM_RESERVE_AUTO;
		return 0;
	}
	return llms_parse_bytes(v, &c->mem_reserve, err);
}

static int parse_duration_range(const char *v, uint64_t min, uint64_t max,
				uint64_t *out, struct llms_error **err)
{
	char q[48], lo[LLMS_UNITS_BUF], hi[LLMS_UNITS_BUF];
	uint64_t ns;
	int ret;

	ret = llms_parse_duration(v, &ns, err);
	if (ret)
		return ret;
	if (ns < min || ns > max) {
		quote(q, sizeof(q), v);
		llms_format_duration(min, lo, sizeof(lo));
		llms_format_duration(max, hi, sizeof(hi));
		return llms_error_set(err, ERANGE,
				      "'%s': out of range: use %s to %s", q,
				      lo, hi);
	}
	*out = ns;
	return 0;
}

static int set_heartbeat(struct llmsd_config *c, struct llmsd_agent_spec *a,
			 const char *v, struct llms_error **err)
{
	return parse_duration_range(v, LLMSD_HEARTBEAT_MIN_NS,
				    LLMSD_HEARTBEAT_MAX_NS,
				    &c->heartbeat_interval_ns, err);
}

static int set_drain(struct llmsd_config *c, struct llmsd_agent_spec *a,
		     const char *v, struct llms_error **err)
{
	return parse_duration_range(v, 0, LLMSD_DRAIN_MAX_NS,
				    &c->drain_timeout_ns, err);
}

static int set_gpu_fence(struct llmsd_config *c, struct llmsd_agent_spec *a,
			 const char *v, struct llms_error **err)
{
	char q[48];

	if (!strcmp(v, "auto"))
		c->gpu_fence = LLMSD_GPU_FENCE_AUTO;
	else if (!strcmp(v, "on"))
		c->gpu_fence = LLMSD_GPU_FENCE_ON;
	else if (!strcmp(v, "off"))
		c->gpu_fence = LLMSD_GPU_FENCE_OFF;
	else {
		quote(q, sizeof(q), v);
		return llms_error_set(err, EINVAL,
				      "'%s': use auto (on when the host has a GPU), on or off",
				      q);
	}
	return 0;
}

static int set_mps_pipe(struct llmsd_config *c, struct llmsd_agent_spec *a,
			const char *v, struct llms_error **err)
{
	if (!*v) {
		c->mps_pipe[0] = '\0';
		return 0;
	}
	return parse_path(c->mps_pipe, sizeof(c->mps_pipe), v, err);
}

static int parse_on_off(const char *v, bool *out, struct llms_error **err)
{
	char q[48];

	if (!strcmp(v, "on") || !strcmp(v, "off")) {
		*out = v[1] == 'n';
		return 0;
	}
	quote(q, sizeof(q), v);
	return llms_error_set(err, EINVAL, "'%s': use on or off", q);
}

static int set_load_probe(struct llmsd_config *c, struct llmsd_agent_spec *a,
			  const char *v, struct llms_error **err)
{
	return parse_on_off(v, &c->load_probe, err);
}

static int set_load_interval(struct llmsd_config *c,
			     struct llmsd_agent_spec *a, const char *v,
			     struct llms_error **err)
{
	return parse_duration_range(v, LLMSD_LOAD_INTERVAL_MIN_NS,
				    LLMSD_LOAD_INTERVAL_MAX_NS,
				    &c->load_interval_ns, err);
}

static int set_load_window(struct llmsd_config *c, struct llmsd_agent_spec *a,
			   const char *v, struct llms_error **err)
{
	return parse_duration_range(v, 0, LLMSD_LOAD_WINDOW_MAX_NS,
				    &c->load_window_ns, err);
}

static int set_load_wait_weight(struct llmsd_config *c,
				struct llmsd_agent_spec *a, const char *v,
				struct llms_error **err)
{
	uint64_t n;
	int ret = parse_range(v, 0, LLMSD_LOAD_WAIT_WEIGHT_MAX, false, &n,
			      err);

	if (!ret)
		c->load_wait_weight = (uint32_t)n;
	return ret;
}

static int set_resize(struct llmsd_config *c, struct llmsd_agent_spec *a,
		      const char *v, struct llms_error **err)
{
	return parse_on_off(v, &c->resize, err);
}

static int set_resize_step(struct llmsd_config *c, struct llmsd_agent_spec *a,
			   const char *v, struct llms_error **err)
{
	/* It refuses 0, a step of nothing. */
	return llms_parse_cpu(v, &c->resize_step, err);
}

static const struct key daemon_keys[] = {
	{ "cgroup_root", set_cgroup_root },
	{ "state_dir", set_state_dir },
	{ "log_dir", set_log_dir },
	{ "policy", set_policy },
	{ "memory_reserve", set_memory_reserve },
	{ "heartbeat_interval", set_heartbeat },
	{ "drain_timeout", set_drain },
	{ "gpu_fence", set_gpu_fence },
	{ "mps_pipe_directory", set_mps_pipe },
	{ "load_probe", set_load_probe },
	{ "load_interval", set_load_interval },
	{ "load_window", set_load_window },
	{ "load_wait_weight", set_load_wait_weight },
	{ "resize", set_resize },
	{ "resize_step", set_resize_step },
	{ NULL, NULL },
};

static int set_count(struct llmsd_config *c, struct llmsd_agent_spec *a,
		     const char *v, struct llms_error **err)
{
	uint64_t n;
	int ret = parse_range(v, 1, LLMSD_COUNT_MAX, false, &n, err);

	if (!ret)
		a->count = (unsigned int)n;
	return ret;
}

static int set_cpu(struct llmsd_config *c, struct llmsd_agent_spec *a,
		   const char *v, struct llms_error **err)
{
	return llms_parse_cpu(v, &a->cpu, err);
}

static int parse_mem(const char *v, uint64_t *out, struct llms_error **err)
{
	uint64_t bytes;
	char q[48];
	int ret = llms_parse_bytes(v, &bytes, err);

	if (ret)
		return ret;
	if (bytes < LLMSD_MEM_MIN) {
		quote(q, sizeof(q), v);
		return llms_error_set(err, ERANGE,
				      "'%s': less than 1M: an agent needs at least 1M",
				      q);
	}
	*out = bytes;
	return 0;
}

static int set_memory(struct llmsd_config *c, struct llmsd_agent_spec *a,
		      const char *v, struct llms_error **err)
{
	return parse_mem(v, &a->mem, err);
}

static int set_memory_high(struct llmsd_config *c, struct llmsd_agent_spec *a,
			   const char *v, struct llms_error **err)
{
	int ret = parse_mem(v, &a->mem_high, err);

	if (!ret)
		a->mem_high_set = true;
	return ret;
}

static int set_swap(struct llmsd_config *c, struct llmsd_agent_spec *a,
		    const char *v, struct llms_error **err)
{
	if (!strcmp(v, "max")) {
		a->swap_max = UINT64_MAX;
		return 0;
	}
	return llms_parse_bytes(v, &a->swap_max, err);
}

static int set_gpu(struct llmsd_config *c, struct llmsd_agent_spec *a,
		   const char *v, struct llms_error **err)
{
	a->gpu_set = true;
	return parse_range(v, 0, LLMSD_GPU_MAX, false, &a->gpu, err);
}

static int set_gpu_memory(struct llmsd_config *c, struct llmsd_agent_spec *a,
			  const char *v, struct llms_error **err)
{
	a->gpu_mem_set = true;
	return llms_parse_bytes(v, &a->gpu_mem, err);
}

/* Names of GPUs, resolved against the inventory by llmsd_gpu_plan(). */
static int set_gpus(struct llmsd_config *c, struct llmsd_agent_spec *a,
		    const char *v, struct llms_error **err)
{
	char q[48];

	if (strlen(v) >= sizeof(a->gpu_names)) {
		quote(q, sizeof(q), v);
		return llms_error_set(err, E2BIG,
				      "'%s': longer than %zu characters", q,
				      sizeof(a->gpu_names) - 1);
	}
	strcpy(a->gpu_names, v);
	return 0;
}

static int set_gpu_compute(struct llmsd_config *c, struct llmsd_agent_spec *a,
			   const char *v, struct llms_error **err)
{
	uint64_t n;
	int ret = parse_range(v, 1, 100, false, &n, err);

	if (!ret)
		a->gpu_compute = (uint32_t)n;
	return ret;
}

static int set_slots(struct llmsd_config *c, struct llmsd_agent_spec *a,
		     const char *v, struct llms_error **err)
{
	uint64_t n;
	int ret = parse_range(v, 1, LLMSD_SLOTS_MAX, false, &n, err);

	if (!ret)
		a->slots = (uint32_t)n;
	return ret;
}

static int set_tags(struct llmsd_config *c, struct llmsd_agent_spec *a,
		    const char *v, struct llms_error **err)
{
	char q[48];

	/* Resolved against [tags] once the whole is read: see finalize(). */
	if (strlen(v) >= sizeof(a->tag_names)) {
		quote(q, sizeof(q), v);
		return llms_error_set(err, E2BIG,
				      "'%s': longer than %zu characters", q,
				      sizeof(a->tag_names) - 1);
	}
	strcpy(a->tag_names, v);
	return 0;
}

static int set_cpuset(struct llmsd_config *c, struct llmsd_agent_spec *a,
		      const char *v, struct llms_error **err)
{
	struct llmsd_cpumask mask;
	char q[48];
	int ret;

	if (strlen(v) >= sizeof(a->cpuset)) {
		quote(q, sizeof(q), v);
		return llms_error_set(err, E2BIG,
				      "'%s': longer than %zu characters", q,
				      sizeof(a->cpuset) - 1);
	}
	ret = llmsd_cpulist_parse(v, &mask, err);
	if (ret)
		return ret;
	strcpy(a->cpuset, v);
	return 0;
}

static int set_cpu_weight(struct llmsd_config *c, struct llmsd_agent_spec *a,
			  const char *v, struct llms_error **err)
{
	return parse_range(v, LLMS_CPU_WEIGHT_MIN, LLMS_CPU_WEIGHT_MAX, false,
			   &a->cpu_weight, err);
}

static int set_pids_max(struct llmsd_config *c, struct llmsd_agent_spec *a,
			const char *v, struct llms_error **err)
{
	return parse_range(v, 1, LLMS_PIDS_MAX_LIMIT, true, &a->pids_max,
			   err);
}

static const struct key agent_keys[] = {
	{ "count", set_count },
	{ "cpu", set_cpu },
	{ "memory", set_memory },
	{ "memory_high", set_memory_high },
	{ "swap", set_swap },
	{ "gpu", set_gpu },
	{ "gpu_memory", set_gpu_memory },
	{ "gpus", set_gpus },
	{ "gpu_compute", set_gpu_compute },
	{ "slots", set_slots },
	{ "tags", set_tags },
	{ "cpuset", set_cpuset },
	{ "cpu_weight", set_cpu_weight },
	{ "pids_max", set_pids_max },
	{ NULL, NULL },
};
#define KEYS_MAX 16

/* [gpu NAME]: a GPU of the configuration (gpu.h). */
typedef int (*gpu_setter_fn)(struct llmsd_gpu_spec *g, const char *v,
			     struct llms_error **err);

struct gpu_key {
	const char *name;
	gpu_setter_fn set;
};

/*
 * A comma-separated list of absolute paths (blanks around the commas are
 * fine), each without ';', '=' or a blank: the agent's --agent-gpus
 * line separates its fields with them (gpu.h).
 */
static int set_path_list(char *dst, size_t size, const char *v,
			 struct llms_error **err)
{
	const char *p = v;
	size_t n;
	char q[48];

	quote(q, sizeof(q), v);
	if (strlen(v) >= size)
		return llms_error_set(err, E2BIG,
				      "'%s': longer than %zu characters", q,
				      size - 1);
	while (*p) {
		p += strspn(p, " \t");
		n = strcspn(p, ",");
		if (*p != '/')
			return llms_error_set(err, EINVAL,
					      "'%s': not a list of absolute paths: begin each with /",
					      q);
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (strcspn(p, ";= \t") < n)
			return llms_error_set(err, EINVAL,
					      "'%s': a path with ';', '=' or a blank in it: use a link without",
					      q);
		p += strcspn(p, ",");
		if (*p)
			p++;
	}
	strcpy(dst, v);
	return 0;
}

static int gpu_set_nodes(struct llmsd_gpu_spec *g, const char *v,
			 struct llms_error **err)
{
	return set_path_list(g->nodes, sizeof(g->nodes), v, err);
}

static int gpu_set_control(struct llmsd_gpu_spec *g, const char *v,
			   struct llms_error **err)
{
	return set_path_list(g->control, sizeof(g->control), v, err);
}

static int gpu_set_vendor(struct llmsd_gpu_spec *g, const char *v,
			  struct llms_error **err)
{
	/* enum llmsd_gpu_vendor (gpu.h), which this file does not link. */
	static const char *const vendors[] = { "other", "nvidia", "amd" };
	int vendor;
	char q[48];

	for (vendor = 2; vendor >= 0 && strcmp(v, vendors[vendor]); vendor--)
		;
	if (vendor < 0) {
		quote(q, sizeof(q), v);
		return llms_error_set(err, EINVAL,
				      "'%s': not a vendor: use nvidia, amd or other",
				      q);
	}
	g->vendor = vendor;
	return 0;
}

static int gpu_set_index(struct llmsd_gpu_spec *g, const char *v,
			 struct llms_error **err)
{
	uint64_t n;
	int ret = parse_range(v, 0, LLMSD_GPU_SPECS_MAX - 1, false, &n, err);

	if (!ret)
		g->index = (int64_t)n;
	return ret;
}

static int gpu_set_memory(struct llmsd_gpu_spec *g, const char *v,
			  struct llms_error **err)
{
	return llms_parse_bytes(v, &g->mem, err);
}

static int gpu_set_model(struct llmsd_gpu_spec *g, const char *v,
			 struct llms_error **err)
{
	char q[48];

	if (*v && !valid_name(v)) {
		quote(q, sizeof(q), v);
		return llms_error_set(err, EINVAL,
				      "'%s': not a model name, which is also a tag name (llmsub --tag): " NAME_RULE,
				      q);
	}
	strcpy(g->model, v);
	return 0;
}

static const struct gpu_key gpu_keys[] = {
	{ "node", gpu_set_nodes },
	{ "control", gpu_set_control },
	{ "vendor", gpu_set_vendor },
	{ "index", gpu_set_index },
	{ "memory", gpu_set_memory },
	{ "model", gpu_set_model },
	{ NULL, NULL },
};

static int find_gpu_key(const char *name)
{
	int i;

	for (i = 0; gpu_keys[i].name; i++)
		if (!strcmp(gpu_keys[i].name, name))
			return i;
	return -1;
}

#define GPU_KEY_LIST "node, control, vendor, index, memory and model"

static void gpu_spec_init(struct llmsd_gpu_spec *g, const char *name)
{
	memset(g, 0, sizeof(*g));
	strcpy(g->name, name);
	g->vendor = -1;
	g->index = -1;
}

static struct llmsd_gpu_spec *config_gpu(struct llmsd_config *c,
					 const char *name)
{
	size_t i;

	for (i = 0; i < c->ngpus; i++)
		if (!strcmp(c->gpus[i].name, name))
			return &c->gpus[i];
	return NULL;
}

/* The index of @name in @keys, -1 when none. */
static int find_key(const struct key *keys, const char *name)
{
	int i;

	for (i = 0; keys[i].name; i++)
		if (!strcmp(keys[i].name, name))
			return i;
	return -1;
}

/* "a, b and c": the names of @keys, for messages. */
static void key_list(const struct key *keys, char *buf, size_t size)
{
	size_t used = 0;
	int i, n;

	buf[0] = '\0';
	for (n = 0; keys[n].name; n++)
		;
	for (i = 0; i < n && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s",
					 i == 0 ? "" :
					 i == n - 1 ? " and " : ", ",
					 keys[i].name);
}

/* [tags] NAME = BIT: a new tag, or (from --set) a new bit for one. */
static int set_tag(struct llmsd_config *c, const char *name, const char *v,
		   struct llms_error **err)
{
	uint64_t bit;
	size_t i;
	int ret;

	if (!valid_name(name))
		return llms_error_set(err, EINVAL,
				      "not a tag name: " NAME_RULE);
	ret = parse_range(v, 0, LLMSD_TAGS_MAX - 1, false, &bit, err);
	if (ret)
		return ret;
	for (i = 0; i < c->ntags; i++)
		if (c->tags[i].bit == bit && strcmp(c->tags[i].name, name))
			return llms_error_set(err, EINVAL,
					      "bit %" PRIu64 " is already tag %s: one name a bit",
					      bit, c->tags[i].name);
	for (i = 0; i < c->ntags; i++)
		if (!strcmp(c->tags[i].name, name))
			break;
	if (i == c->ntags) {
		/* 64 names on 64 distinct bits: this cannot be the 65th. */
		c->ntags++;
		strcpy(c->tags[i].name, name);
	}
	c->tags[i].bit = (unsigned int)bit;
	return 0;
}

/* --------------------------------------------------------- the whole */

static void agent_init(struct llmsd_agent_spec *a, const char *name)
{
	memset(a, 0, sizeof(*a));
	strcpy(a->name, name);
	a->count = 1;
	a->slots = 1;
	a->cpu_weight = 100;
	a->pids_max = UINT64_MAX;
	a->gpu_compute = 100;
}

void llmsd_config_init(struct llmsd_config *c)
{
	memset(c, 0, sizeof(*c));
	strcpy(c->cgroup_root, "/sys/fs/cgroup/llmsched");
	strcpy(c->state_dir, "/var/lib/llmsched");
	strcpy(c->log_dir, "/var/log/llmsched");
	c->mem_reserve = LLMSD_MEM_RESERVE_AUTO;
	c->heartbeat_interval_ns = LLMSD_HEARTBEAT_DEF_NS;
	c->drain_timeout_ns = LLMSD_DRAIN_DEF_NS;
	c->load_probe = true;
	c->load_interval_ns = LLMSD_LOAD_INTERVAL_DEF_NS;
	c->load_window_ns = LLMSD_LOAD_WINDOW_DEF_NS;
	c->load_wait_weight = LLMSD_LOAD_WAIT_WEIGHT_DEF;
	c->resize_step = LLMSD_RESIZE_STEP_DEF;
}

void llmsd_config_free(struct llmsd_config *c)
{
	free(c->path);
	free(c->agents);
	llmsd_config_init(c);
}

struct llmsd_agent_spec *llmsd_config_agent(const struct llmsd_config *c,
					    const char *name)
{
	size_t i;

	for (i = 0; i < c->nagents; i++)
		if (!strcmp(c->agents[i].name, name))
			return &c->agents[i];
	return NULL;
}

static struct llmsd_agent_spec *add_agent(struct llmsd_config *c,
					  const char *name)
{
	struct llmsd_agent_spec *grown;

	grown = realloc(c->agents, (c->nagents + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	c->agents = grown;
	agent_init(&c->agents[c->nagents], name);
	return &c->agents[c->nagents++];
}

/* A deep copy of @src in @dst, for changes made aside. */
static int config_copy(struct llmsd_config *dst, const struct llmsd_config *src)
{
	*dst = *src;
	dst->path = NULL;
	dst->agents = NULL;
	if (src->path && !(dst->path = strdup(src->path)))
		return -ENOMEM;
	if (src->nagents) {
		dst->agents = malloc(src->nagents * sizeof(*src->agents));
		if (!dst->agents) {
			free(dst->path);
			return -ENOMEM;
		}
		memcpy(dst->agents, src->agents,
		       src->nagents * sizeof(*src->agents));
	}
	return 0;
}

int llmsd_tag_bits(const struct llmsd_config *c, const char *names_csv,
		   uint64_t *bits, struct llms_error **err)
{
	char known[LLMSD_TAGS_MAX * (LLMSD_NAME_MAX + 12)], q[48];
	char name[LLMSD_NAME_MAX];
	const char *p = names_csv, *start, *end;
	uint64_t out = 0;
	size_t i, used = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p) {
		*bits = 0;
		return 0;
	}
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		start = p;
		end = strchrnul(p, ',');
		p = end;
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (end == start) {
			quote(q, sizeof(q), names_csv);
			return llms_error_set(err, EINVAL,
					      "'%s': an empty tag name: write names between commas, such as h200,avx512",
					      q);
		}
		for (i = 0; i < c->ntags; i++)
			if (strlen(c->tags[i].name) == (size_t)(end - start) &&
			    !strncmp(c->tags[i].name, start, end - start))
				break;
		if (i == c->ntags) {
			snprintf(name, sizeof(name), "%.*s",
				 (int)(end - start), start);
			quote(q, sizeof(q), name);
			if (!c->ntags)
				return llms_error_set(err, EINVAL,
						      "'%s': unknown tag: no tags are declared ([tags] NAME = BIT)",
						      q);
			known[0] = '\0';
			for (i = 0; i < c->ntags && used < sizeof(known); i++)
				used += (size_t)snprintf(
					known + used, sizeof(known) - used,
					"%s%s (bit %u)", i ? ", " : "",
					c->tags[i].name, c->tags[i].bit);
			return llms_error_set(err, EINVAL,
					      "'%s': unknown tag: the tags are %s",
					      q, known);
		}
		out |= 1ULL << c->tags[i].bit;
		if (!*p)
			break;
		p++;
	}
	*bits = out;
	return 0;
}

/*
 * Where a message comes from: "FILE:LINE: [SECTION] KEY" for the file,
 * "--set KEY" for an override, in @loc (malloc()ed by the caller's
 * asprintf()); @value says whether what follows is about the value
 * (" = 'VALUE': ...") or the key (": ...").
 */
static int relocate(struct llms_error **err, struct llms_error *inner,
		    const char *loc, bool file, bool value)
{
	int ret = llms_error_set_code(err, inner->errnum, inner->code, "%s%s%s",
				      loc, file && value ? " = " : ": ",
				      inner->msg);

	llms_error_free(&inner);
	return ret;
}

static int located(struct llms_error **err, int errnum, const char *loc,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int located(struct llms_error **err, int errnum, const char *loc,
		   const char *fmt, ...)
{
	struct llms_error *inner = NULL;
	char *msg = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return llms_error_set(err, ENOMEM, "%s", loc);
	llms_error_set(&inner, errnum, "%s", msg);
	free(msg);
	return relocate(err, inner, loc, false, false);
}

/*
 * Each [gpu NAME] model is a tag of the same name (llmsub --tag h200):
 * one [tags] gives its bit, or the lowest bit no tag has.
 */
static int model_tags(struct llmsd_config *c, struct llms_error **err)
{
	uint64_t used = 0;
	size_t i, t;
	unsigned int bit;

	for (t = 0; t < c->ntags; t++)
		used |= 1ULL << c->tags[t].bit;
	for (i = 0; i < c->ngpus; i++) {
		const char *m = c->gpus[i].model;

		if (!m[0])
			continue;
		for (t = 0; t < c->ntags; t++)
			if (!strcmp(c->tags[t].name, m))
				break;
		if (t < c->ntags)
			continue;
		for (bit = 0; bit < LLMSD_TAGS_MAX && (used >> bit & 1); bit++)
			;
		if (bit == LLMSD_TAGS_MAX || c->ntags == LLMSD_TAGS_MAX)
			return llms_error_set(err, EINVAL,
					      "[gpu %s] model %s: no tag bit is left for it: the 64 are taken",
					      c->gpus[i].name, m);
		strcpy(c->tags[c->ntags].name, m);
		c->tags[c->ntags++].bit = bit;
		used |= 1ULL << bit;
	}
	return 0;
}

/* The tags of the models of the [gpu NAME]s that @a's gpus names. */
static int gpu_model_bits(const struct llmsd_config *c,
			  struct llmsd_agent_spec *a, struct llms_error **err)
{
	const char *p = a->gpu_names;
	size_t i, n, t;

	while (*p) {
		p += strspn(p, " \t,");
		n = strcspn(p, ", \t");
		for (i = 0; n && i < c->ngpus; i++) {
			if (strlen(c->gpus[i].name) != n ||
			    strncmp(c->gpus[i].name, p, n) ||
			    !c->gpus[i].model[0])
				continue;
			for (t = 0; t < c->ntags; t++)
				if (!strcmp(c->tags[t].name, c->gpus[i].model))
					a->tags |= 1ULL << c->tags[t].bit;
		}
		p += n;
	}
	(void)err;
	return 0;
}

/*
 * After a change: memory_high follows memory where it was not given, and
 * every agent's tags are resolved against [tags].  @agent_loc gives the
 * location of agent @i's tags for messages.
 */
static int finalize(struct llmsd_config *c,
		    int (*agent_loc)(void *arg, size_t i, char **loc),
		    void *arg, bool file, struct llms_error **err)
{
	struct llms_error *inner = NULL;
	size_t i;
	char *loc;
	int ret;

	ret = model_tags(c, err);
	if (ret)
		return ret;
	for (i = 0; i < c->nagents; i++) {
		struct llmsd_agent_spec *a = &c->agents[i];

		if (!a->mem_high_set)
			a->mem_high = a->mem;
		if (llmsd_tag_bits(c, a->tag_names, &a->tags, &inner) < 0 ||
		    gpu_model_bits(c, a, &inner) < 0) {
			if (agent_loc(arg, i, &loc) < 0) {
				llms_error_free(&inner);
				return llms_error_set(err, ENOMEM,
						      "configuration");
			}
			ret = relocate(err, inner, loc, file, true);
			free(loc);
			return ret;
		}
	}
	return 0;
}

/* The checks between an agent's keys, with no host needed. */
static int agent_consistent(const struct llmsd_agent_spec *a, char *why,
			    size_t size)
{
	char x[LLMS_UNITS_BUF], y[LLMS_UNITS_BUF];
	struct llmsd_cpumask mask;
	unsigned int n;

	if (!a->cpu || !a->mem) {
		snprintf(why, size, "no %s: each agent needs cpu and memory",
			 a->cpu ? "memory" : "cpu");
		return 1;
	}
	if (a->mem_high > a->mem) {
		llms_format_bytes(a->mem_high, x, sizeof(x));
		llms_format_bytes(a->mem, y, sizeof(y));
		snprintf(why, size,
			 "memory_high %s is above memory %s: memory.high throttles below memory.max",
			 x, y);
		return 2;
	}
	if (a->cpuset[0] && !llmsd_cpulist_parse(a->cpuset, &mask, NULL)) {
		n = llmsd_cpumask_weight(&mask);
		if ((uint64_t)n * 1000 < a->cpu) {
			llms_format_cpu(a->cpu, x, sizeof(x));
			snprintf(why, size,
				 "cpuset %s has %u CPU%s, fewer than its cpu %s",
				 a->cpuset, n, n == 1 ? "" : "s", x);
			return 3;
		}
	}
	return 0;
}

/* ---------------------------------------------------------- the file */

enum section_kind { SEC_NONE, SEC_DAEMON, SEC_TAGS, SEC_AGENT, SEC_GPU };

struct agent_lines {
	unsigned int section;
	unsigned int key[KEYS_MAX];
};

struct load_ctx {
	struct llmsd_config *c;
	const char *file;
	FILE *f;
	char *buf;
	size_t bufsize;
	unsigned int line;
	enum section_kind kind;
	size_t agent;			/* the current [agent], in c->agents */
	char raw[64];			/* the section as libinih gives it */
	char disp[64];			/* the section for messages */
	unsigned int daemon_line, tags_line;
	unsigned int daemon_key[KEYS_MAX];
	unsigned int tag_line[LLMSD_TAGS_MAX];
	struct agent_lines *lines;	/* one per agent */
	size_t gpu;			/* the current [gpu], in c->gpus */
	unsigned int gpu_section[LLMSD_GPU_SPECS_MAX];
	unsigned int gpu_key[LLMSD_GPU_SPECS_MAX][KEYS_MAX];
	struct llms_error *err;
	unsigned int err_line;
};

static int ctx_fail(struct load_ctx *x, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int ctx_fail(struct load_ctx *x, int errnum, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		llms_error_set(&x->err, ENOMEM, "%s:%u", x->file, x->line);
	else
		llms_error_set(&x->err, errnum, "%s:%u: %s", x->file, x->line,
			       msg);
	free(msg);
	x->err_line = x->line;
	return 0;
}

/* A "[...]" line at @p: the new section, checked. */
static void section_start(struct load_ctx *x, const char *p)
{
	const char *close = strchr(p, ']'), *after, *w1, *w1e, *w2, *w2e;
	char q[64], name[LLMSD_NAME_MAX];
	struct llmsd_agent_spec *a;
	struct agent_lines *grown;
	size_t len;

	if (!close) {
		ctx_fail(x, EINVAL, "a section line without ']'");
		return;
	}
	for (after = close + 1; *after == ' ' || *after == '\t'; after++)
		;
	if (*after && *after != ';' && *after != '#' && *after != '\n' &&
	    *after != '\r') {
		ctx_fail(x, EINVAL,
			 "text after the section's ']': only a comment may follow");
		return;
	}
	len = (size_t)(close - p - 1);
	if (len >= 48) {
		ctx_fail(x, EINVAL, "a section name longer than 47 characters");
		return;
	}
	memcpy(x->raw, p + 1, len);
	x->raw[len] = '\0';
	quote(q, sizeof(q), x->raw);

	for (w1 = x->raw; *w1 == ' ' || *w1 == '\t'; w1++)
		;
	for (w1e = w1; *w1e && *w1e != ' ' && *w1e != '\t'; w1e++)
		;
	for (w2 = w1e; *w2 == ' ' || *w2 == '\t'; w2++)
		;
	for (w2e = w2; *w2e && *w2e != ' ' && *w2e != '\t'; w2e++)
		;
	if (*w2e) {
		for (p = w2e; *p == ' ' || *p == '\t'; p++)
			;
		if (*p) {
			ctx_fail(x, EINVAL,
				 "[%s]: unknown section: the sections are [daemon], [tags], [agent NAME] and [gpu NAME]",
				 q);
			return;
		}
	}
#define WORD_IS(s, e, lit) ((size_t)((e) - (s)) == strlen(lit) && \
			    !strncmp((s), (lit), strlen(lit)))
	if (w2 == w2e && (WORD_IS(w1, w1e, "daemon") ||
			  WORD_IS(w1, w1e, "tags"))) {
		bool daemon = WORD_IS(w1, w1e, "daemon");
		unsigned int *first = daemon ? &x->daemon_line : &x->tags_line;

		if (*first) {
			ctx_fail(x, EINVAL,
				 "[%s] again: it began at line %u; write each section once",
				 daemon ? "daemon" : "tags", *first);
			return;
		}
		*first = x->line;
		x->kind = daemon ? SEC_DAEMON : SEC_TAGS;
		strcpy(x->disp, daemon ? "daemon" : "tags");
		return;
	}
	if (WORD_IS(w1, w1e, "gpu") || WORD_IS(w1, w1e, "accelerator")) {
		struct llmsd_gpu_spec *g;

		if (w2 == w2e || (size_t)(w2e - w2) >= sizeof(name)) {
			ctx_fail(x, EINVAL,
				 "[%s]: a GPU needs a name: [gpu NAME], " NAME_RULE,
				 q);
			return;
		}
		memcpy(name, w2, (size_t)(w2e - w2));
		name[w2e - w2] = '\0';
		if (!valid_name(name)) {
			ctx_fail(x, EINVAL, "[%s]: not a GPU name: " NAME_RULE,
				 q);
			return;
		}
		g = config_gpu(x->c, name);
		if (g) {
			ctx_fail(x, EINVAL,
				 "[gpu %s] again: it began at line %u; one section per GPU",
				 name, x->gpu_section[g - x->c->gpus]);
			return;
		}
		if (x->c->ngpus == LLMSD_GPU_SPECS_MAX) {
			ctx_fail(x, EINVAL, "[%s]: more than %d GPUs", q,
				 LLMSD_GPU_SPECS_MAX);
			return;
		}
		x->gpu = x->c->ngpus++;
		gpu_spec_init(&x->c->gpus[x->gpu], name);
		x->gpu_section[x->gpu] = x->line;
		x->kind = SEC_GPU;
		snprintf(x->disp, sizeof(x->disp), "gpu %s", name);
		return;
	}
	if (!WORD_IS(w1, w1e, "agent")) {
		if (w1e - w1 > 6 && !strncmp(w1, "agent.", 6))
			ctx_fail(x, EINVAL,
				 "[%s]: unknown section: write [agent %.*s], with a space",
				 q, (int)(w1e - w1 - 6), w1 + 6);
		else
			ctx_fail(x, EINVAL,
				 "[%s]: unknown section: the sections are [daemon], [tags], [agent NAME] and [gpu NAME]",
				 q);
		return;
	}
	if (w2 == w2e) {
		ctx_fail(x, EINVAL, "[%s]: an agent needs a name: [agent NAME]",
			 q);
		return;
	}
	if ((size_t)(w2e - w2) >= sizeof(name)) {
		ctx_fail(x, EINVAL, "[%s]: not an agent name: " NAME_RULE, q);
		return;
	}
	memcpy(name, w2, (size_t)(w2e - w2));
	name[w2e - w2] = '\0';
	if (!valid_name(name)) {
		ctx_fail(x, EINVAL, "[%s]: not an agent name: " NAME_RULE, q);
		return;
	}
	a = llmsd_config_agent(x->c, name);
	if (a) {
		ctx_fail(x, EINVAL,
			 "[agent %s] again: it began at line %u; one section per agent, with count for several alike",
			 name, x->lines[a - x->c->agents].section);
		return;
	}
	grown = realloc(x->lines, (x->c->nagents + 1) * sizeof(*grown));
	if (!grown) {
		ctx_fail(x, ENOMEM, "[agent %s]", name);
		return;
	}
	x->lines = grown;
	if (!add_agent(x->c, name)) {
		ctx_fail(x, ENOMEM, "[agent %s]", name);
		return;
	}
	memset(&x->lines[x->c->nagents - 1], 0, sizeof(*grown));
	x->lines[x->c->nagents - 1].section = x->line;
	x->agent = x->c->nagents - 1;
	x->kind = SEC_AGENT;
	snprintf(x->disp, sizeof(x->disp), "agent %s", name);
}

/* libinih's fgets(): one line, counted, checked, without indentation. */
static char *reader(char *str, int num, void *stream)
{
	struct load_ctx *x = stream;
	ssize_t n;
	size_t len;
	char *p;

	if (x->err)
		return NULL;
	n = getline(&x->buf, &x->bufsize, x->f);
	if (n < 0) {
		if (ferror(x->f)) {
			llms_error_set(&x->err, EIO, "reading %s", x->file);
			x->err_line = x->line + 1;
		}
		return NULL;
	}
	x->line++;
	if (memchr(x->buf, '\0', (size_t)n)) {
		ctx_fail(x, EINVAL, "a NUL byte in the line");
		return NULL;
	}
	len = (size_t)n;
	while (len && (x->buf[len - 1] == '\n' || x->buf[len - 1] == '\r'))
		len--;
	/* libinih keeps room for "\r\n" and the NUL. */
	if (num < 4 || len > (size_t)num - 3) {
		ctx_fail(x, EINVAL, "longer than %d characters", num - 3);
		return NULL;
	}
	p = x->buf;
	if (x->line == 1 && !strncmp(p, "\xef\xbb\xbf", 3))
		p += 3;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '[') {
		section_start(x, p);
		if (x->err)
			return NULL;
	}
	strcpy(str, p);
	return str;
}

static int handler(void *user, const char *section, const char *name,
		   const char *value)
{
	struct load_ctx *x = user;
	struct llms_error *inner = NULL;
	const struct key *keys;
	unsigned int *lines;
	char *loc = NULL, q[48], list[256];
	int k;

	if (x->err)
		return 0;
	if (strcmp(section, x->raw)) {
		/* The reader and libinih disagree: a bug, said as one. */
		llms_error_set(&x->err, EIO,
			       "%s:%u: libinih saw section [%s], the reader [%s]",
			       x->file, x->line, section, x->raw);
		x->err_line = x->line;
		return 0;
	}
	quote(q, sizeof(q), name);
	if (x->kind == SEC_NONE) {
		ctx_fail(x, EINVAL,
			 "%s: a key before any section: begin with [daemon], [tags] or [agent NAME]",
			 q);
		return 0;
	}
	if (x->kind == SEC_TAGS) {
		size_t i;

		for (i = 0; i < x->c->ntags; i++)
			if (!strcmp(x->c->tags[i].name, name)) {
				ctx_fail(x, EINVAL,
					 "[tags] %s: declared twice (first at line %u)",
					 q, x->tag_line[i]);
				return 0;
			}
		if (x->c->ntags == LLMSD_TAGS_MAX) {
			ctx_fail(x, EINVAL, "[tags] %s: more than %d tags", q,
				 LLMSD_TAGS_MAX);
			return 0;
		}
		if (set_tag(x->c, name, value, &inner) < 0)
			goto fail_value;
		x->tag_line[x->c->ntags - 1] = x->line;
		return 1;
	}
	if (x->kind == SEC_GPU) {
		k = find_gpu_key(name);
		if (k < 0) {
			ctx_fail(x, EINVAL,
				 "[%s] %s: unknown key: [gpu NAME] takes " GPU_KEY_LIST,
				 x->disp, q);
			return 0;
		}
		if (x->gpu_key[x->gpu][k]) {
			ctx_fail(x, EINVAL,
				 "[%s] %s: given twice (first at line %u)",
				 x->disp, q, x->gpu_key[x->gpu][k]);
			return 0;
		}
		x->gpu_key[x->gpu][k] = x->line;
		if (gpu_keys[k].set(&x->c->gpus[x->gpu], value, &inner) < 0)
			goto fail_value;
		return 1;
	}
	keys = x->kind == SEC_DAEMON ? daemon_keys : agent_keys;
	lines = x->kind == SEC_DAEMON ? x->daemon_key : x->lines[x->agent].key;
	k = find_key(keys, name);
	if (k < 0) {
		key_list(keys, list, sizeof(list));
		ctx_fail(x, EINVAL, "[%s] %s: unknown key: [%s] takes %s",
			 x->disp, q, x->kind == SEC_DAEMON ? "daemon" : "agent NAME",
			 list);
		return 0;
	}
	if (lines[k]) {
		ctx_fail(x, EINVAL, "[%s] %s: given twice (first at line %u)",
			 x->disp, q, lines[k]);
		return 0;
	}
	lines[k] = x->line;
	if (keys[k].set(x->c, x->kind == SEC_AGENT ?
				      &x->c->agents[x->agent] : NULL,
			value, &inner) < 0)
		goto fail_value;
	return 1;

fail_value:
	if (asprintf(&loc, "%s:%u: [%s] %s", x->file, x->line, x->disp, q) < 0) {
		llms_error_free(&inner);
		llms_error_set(&x->err, ENOMEM, "%s:%u", x->file, x->line);
	} else {
		relocate(&x->err, inner, loc, true, true);
		free(loc);
	}
	x->err_line = x->line;
	return 0;
}

static int load_agent_loc(void *arg, size_t i, char **loc)
{
	struct load_ctx *x = arg;
	int k = find_key(agent_keys, "tags");

	return asprintf(loc, "%s:%u: [agent %s] tags", x->file,
			x->lines[i].key[k], x->c->agents[i].name) < 0 ?
		       -ENOMEM : 0;
}

int llmsd_config_load(struct llmsd_config *c, const char *path,
		      struct llms_error **err)
{
	struct llmsd_config fresh;
	struct load_ctx x;
	char why[256];
	size_t i;
	int ret, k;

	if (!path)
		return llms_error_set(err, EINVAL,
				      "reading the configuration: no file named");
	llmsd_config_init(&fresh);
	memset(&x, 0, sizeof(x));
	x.c = &fresh;
	x.file = path;
	x.f = fopen(path, "re");
	if (!x.f)
		return llms_error_set(err, errno, "opening %s", path);
	ret = ini_parse_stream(reader, &x, handler, &x);
	fclose(x.f);
	free(x.buf);

	if (ret == -2 && !x.err)
		llms_error_set(&x.err, ENOMEM, "reading %s", path);
	if (ret > 0 && (!x.err || (unsigned int)ret < x.err_line)) {
		/* libinih's own: no '=' on a line, no ']' on a header. */
		llms_error_free(&x.err);
		llms_error_set(&x.err, EINVAL,
			       "%s:%d: not a [section], KEY = VALUE, comment or blank line",
			       path, ret);
	}
	if (!x.err)
		finalize(&fresh, load_agent_loc, &x, true, &x.err);
	for (i = 0; !x.err && i < fresh.nagents; i++) {
		struct llmsd_agent_spec *a = &fresh.agents[i];
		unsigned int line = x.lines[i].section;

		ret = agent_consistent(a, why, sizeof(why));
		if (ret == 2)
			k = find_key(agent_keys, "memory_high");
		else if (ret == 3)
			k = find_key(agent_keys, "cpuset");
		else
			k = -1;
		if (k >= 0)
			line = x.lines[i].key[k];
		if (ret)
			llms_error_set(&x.err, EINVAL, "%s:%u: [agent %s]: %s",
				       path, line, a->name, why);
	}
	for (i = 0; !x.err && i < fresh.ngpus; i++)
		if (!fresh.gpus[i].nodes[0])
			llms_error_set(&x.err, EINVAL,
				       "%s:%u: [gpu %s]: no node: a GPU needs its device node (node = /dev/nvidia0)",
				       path, x.gpu_section[i], fresh.gpus[i].name);
	free(x.lines);
	if (!x.err && !(fresh.path = strdup(path)))
		llms_error_set(&x.err, ENOMEM, "reading %s", path);
	if (x.err) {
		llmsd_config_free(&fresh);
		ret = -x.err->errnum;
		*err = x.err;
		return ret;
	}
	llmsd_config_free(c);
	*c = fresh;
	return 0;
}

/* ----------------------------------------------------------- --set */

static int set_agent_loc(void *arg, size_t i, char **loc)
{
	return (*loc = strdup(arg)) ? 0 : -ENOMEM;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

static int apply_set(struct llmsd_config *c, char *key, const char *value,
		     const char *loc, struct llms_error **err)
{
	struct llms_error *inner = NULL;
	struct llmsd_agent_spec *a = NULL;
	const struct key *keys;
	char *dot, *name, list[256], q[48];
	int k;

	if (!strncmp(key, "tags.", 5)) {
		name = key + 5;
		if (set_tag(c, name, value, &inner) < 0)
			return relocate(err, inner, loc, false, true);
		return 0;
	}
	if (!strncmp(key, "gpu.", 4)) {
		struct llmsd_gpu_spec *g;

		dot = strchr(key + 4, '.');
		if (!dot)
			return located(err, EINVAL, loc,
				       "no key: use gpu.NAME.KEY=VALUE");
		*dot = '\0';
		if (!valid_name(key + 4)) {
			quote(q, sizeof(q), key + 4);
			return located(err, EINVAL, loc,
				       "'%s': not a GPU name: " NAME_RULE, q);
		}
		k = find_gpu_key(dot + 1);
		if (k < 0) {
			quote(q, sizeof(q), dot + 1);
			return located(err, EINVAL, loc,
				       "'%s': unknown key: gpu.NAME. takes " GPU_KEY_LIST,
				       q);
		}
		g = config_gpu(c, key + 4);
		if (!g) {
			if (c->ngpus == LLMSD_GPU_SPECS_MAX)
				return located(err, EINVAL, loc,
					       "more than %d GPUs",
					       LLMSD_GPU_SPECS_MAX);
			g = &c->gpus[c->ngpus++];
			gpu_spec_init(g, key + 4);
		}
		if (gpu_keys[k].set(g, value, &inner) < 0)
			return relocate(err, inner, loc, false, true);
		return 0;
	}
	if (!strncmp(key, "daemon.", 7)) {
		keys = daemon_keys;
		name = key + 7;
	} else if (!strncmp(key, "agent.", 6)) {
		keys = agent_keys;
		dot = strchr(key + 6, '.');
		if (!dot)
			return located(err, EINVAL, loc,
				       "no key: use agent.NAME.KEY=VALUE");
		*dot = '\0';
		name = dot + 1;
		if (!valid_name(key + 6)) {
			quote(q, sizeof(q), key + 6);
			return located(err, EINVAL, loc,
				       "'%s': not an agent name: " NAME_RULE,
				       q);
		}
		a = llmsd_config_agent(c, key + 6);
		if (!a && find_key(keys, name) >= 0) {
			a = add_agent(c, key + 6);
			if (!a)
				return llms_error_set(err, ENOMEM, "%s", loc);
		}
	} else {
		return located(err, EINVAL, loc,
			       "not a key: use daemon.KEY, tags.NAME, agent.NAME.KEY or gpu.NAME.KEY");
	}
	k = find_key(keys, name);
	if (k < 0) {
		key_list(keys, list, sizeof(list));
		quote(q, sizeof(q), name);
		return located(err, EINVAL, loc, "'%s': unknown key: %s takes %s",
			       q, keys == daemon_keys ? "daemon." : "agent.NAME.",
			       list);
	}
	if (keys[k].set(c, a, value, &inner) < 0)
		return relocate(err, inner, loc, false, true);
	return 0;
}

int llmsd_config_set(struct llmsd_config *c, const char *assignment,
		     struct llms_error **err)
{
	struct llmsd_config copy;
	char *text, *eq, *key, *value, *loc = NULL, q[48];
	int ret;

	eq = strchr(assignment, '=');
	if (!eq) {
		quote(q, sizeof(q), assignment);
		return llms_error_set(err, EINVAL,
				      "--set %s: not KEY=VALUE: use daemon.KEY=VALUE, tags.NAME=BIT or agent.NAME.KEY=VALUE",
				      q);
	}
	text = strdup(assignment);
	if (!text)
		return llms_error_set(err, ENOMEM, "--set");
	eq = text + (eq - assignment);
	*eq = '\0';
	key = trim(text);
	value = trim(eq + 1);
	quote(q, sizeof(q), key);
	if (asprintf(&loc, "--set %s", q) < 0) {
		free(text);
		return llms_error_set(err, ENOMEM, "--set");
	}
	if (config_copy(&copy, c) < 0) {
		ret = llms_error_set(err, ENOMEM, "%s", loc);
		goto out;
	}
	ret = apply_set(&copy, key, value, loc, err);
	if (!ret)
		ret = finalize(&copy, set_agent_loc, loc, false, err);
	if (ret) {
		llmsd_config_free(&copy);
		goto out;
	}
	llmsd_config_free(c);
	*c = copy;
out:
	free(loc);
	free(text);
	return ret;
}

/* ----------------------------------------------------------- checks */

/* "@what: the agents reserve A, more than the host's B (@how)". */
static int over(struct llms_error **err, const char *what, const char *want,
		const char *have, const char *how)
{
	return llms_error_set(err, EINVAL,
			      "%s: the agents reserve %s altogether (count x each), more than the host's %s (%s)",
			      what, want, have, how);
}

int llmsd_config_check(const struct llmsd_config *c,
		       const struct llmsd_capacity *cap,
		       struct llms_error **err)
{
	unsigned __int128 cpu = 0, mem = 0, gpu = 0, gpu_mem = 0;
	char want[LLMS_UNITS_BUF], have[LLMS_UNITS_BUF], why[256];
	char tot[LLMS_UNITS_BUF], res[LLMS_UNITS_BUF], how[512], list[256];
	struct llmsd_cpumask mask, other;
	size_t i, j, w;

	if (!c->nagents)
		return llms_error_set(err, EINVAL,
				      "no agent: add an [agent NAME] section with cpu and memory");
	for (i = 0; i < c->nagents; i++) {
		const struct llmsd_agent_spec *a = &c->agents[i];

		for (j = 0; j < i; j++)
			if (!strcmp(a->name, c->agents[j].name))
				return llms_error_set(err, EINVAL,
						      "agent %s: defined twice",
						      a->name);
		if (agent_consistent(a, why, sizeof(why)))
			return llms_error_set(err, EINVAL, "agent %s: %s",
					      a->name, why);
		cpu += (unsigned __int128)a->count * a->cpu;
		mem += (unsigned __int128)a->count * a->mem;
		gpu += (unsigned __int128)a->count * a->gpu;
		gpu_mem += (unsigned __int128)a->count * a->gpu_mem;
	}
#define FIG(fmt, v, buf) ((v) > UINT64_MAX ? \
		snprintf(buf, sizeof(buf), "too much") : \
		fmt((uint64_t)(v), buf, sizeof(buf)))
	if (cpu > cap->cpu) {
		FIG(llms_format_cpu, cpu, want);
		llms_format_cpu(cap->cpu, have, sizeof(have));
		snprintf(how, sizeof(how), "%u usable CPUs %s%s", cap->ncpus,
			 cap->cpus,
			 cap->cpu_cgroup == cap->cpu ? ", bounded by cpu.max" :
						       "");
		return over(err, "cpu", want, have, how);
	}
	if (mem > cap->mem) {
		FIG(llms_format_bytes, mem, want);
		llms_format_bytes(cap->mem, have, sizeof(have));
		llms_format_bytes(cap->mem_total, tot, sizeof(tot));
		llms_format_bytes(cap->mem_reserve, res, sizeof(res));
		snprintf(how, sizeof(how),
			 "MemTotal %s less memory_reserve %s%s", tot, res,
			 cap->mem_cgroup != UINT64_MAX &&
					 cap->mem_cgroup == cap->mem ?
				 ", bounded by memory.max" : "");
		return over(err, "memory", want, have, how);
	}
	if (gpu > cap->gpu) {
		snprintf(want, sizeof(want), "%" PRIu64, (uint64_t)gpu);
		snprintf(have, sizeof(have), "%" PRIu64, cap->gpu);
		return over(err, "gpu", want, have, "/dev/nvidiaN nodes");
	}
	if (gpu_mem > cap->gpu_mem) {
		FIG(llms_format_bytes, gpu_mem, want);
		llms_format_bytes(cap->gpu_mem, have, sizeof(have));
		return over(err, "gpu_memory", want, have,
			    "GPU memory is not yet discovered: leave gpu_memory at 0");
	}
	for (i = 0; i < c->nagents; i++) {
		const struct llmsd_agent_spec *a = &c->agents[i];
		unsigned __int128 pinned = 0;

		if (!a->cpuset[0] ||
		    llmsd_cpulist_parse(a->cpuset, &mask, NULL))
			continue;
		for (w = 0; w < LLMSD_CPU_WORDS; w++)
			other.bits[w] = mask.bits[w] & ~cap->mask.bits[w];
		if (llmsd_cpumask_weight(&other)) {
			llmsd_cpulist_format(&other, list, sizeof(list));
			return llms_error_set(err, EINVAL,
					      "agent %s: cpuset %s names CPUs %s, which the daemon may not use (usable: %s)",
					      a->name, a->cpuset, list,
					      cap->cpus);
		}
		/* Every agent pinned inside this set shares its CPUs. */
		for (j = 0; j < c->nagents; j++) {
			const struct llmsd_agent_spec *b = &c->agents[j];

			if (!b->cpuset[0] ||
			    llmsd_cpulist_parse(b->cpuset, &other, NULL))
				continue;
			for (w = 0; w < LLMSD_CPU_WORDS; w++)
				if (other.bits[w] & ~mask.bits[w])
					break;
			if (w == LLMSD_CPU_WORDS)
				pinned += (unsigned __int128)b->count * b->cpu;
		}
		if (pinned >
		    (unsigned __int128)llmsd_cpumask_weight(&mask) * 1000) {
			FIG(llms_format_cpu, pinned, want);
			return llms_error_set(err, EINVAL,
					      "cpuset %s: the agents pinned within it reserve %s CPUs (count x each), more than its %u",
					      a->cpuset, want,
					      llmsd_cpumask_weight(&mask));
		}
	}
	return 0;
}

int llmsd_config_check_heartbeat(const struct llmsd_config *c,
				 uint64_t heartbeat_timeout_ms,
				 struct llms_error **err)
{
	char beat[LLMS_UNITS_BUF];

	if ((unsigned __int128)c->heartbeat_interval_ns *
		    LLMSD_HEARTBEATS_PER_TIMEOUT >
	    (unsigned __int128)heartbeat_timeout_ms * 1000000) {
		llms_format_duration(c->heartbeat_interval_ns, beat,
				     sizeof(beat));
		return llms_error_set(err, EINVAL,
				      "heartbeat_interval %s: the module's heartbeat_timeout_ms is %" PRIu64
				      ": beat at least %d times in it (an interval of %" PRIu64
				      "ms or less), or raise the timeout",
				      beat, heartbeat_timeout_ms,
				      LLMSD_HEARTBEATS_PER_TIMEOUT,
				      heartbeat_timeout_ms /
					      LLMSD_HEARTBEATS_PER_TIMEOUT);
	}
	return 0;
}
