// SPDX-License-Identifier: GPL-2.0
/*
 * llmctl agents / agent ID / agent drain ID [--undo] / agent resize ID:
 * the agents the runtime registered.  Their folders under
 * /sys/kernel/llmsched/agents/ are readable by everyone; what their tasks
 * hold (committed, frozen, used slots, tags) comes from AGENT_LIST and the
 * task lines from agents/ID/tasks, both root's: a user sees the rest.
 *
 * A resize moves the agent's cgroup limits with the module's ledger, in
 * the order the uAPI asks: grown before the module is told, shrunk after,
 * so that the cgroup never holds less than the module hands out.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

static const char agents_usage[] =
"Usage: llmctl agents [--wide] [--json]\n"
"\n"
"List the registered agents: state (up, draining, fencing), slots in use,\n"
"load, reservation and what its tasks hold (root), tags, cgroup.\n"
"  -w, --wide   the pid, the cgroup id and the GPU columns too\n";

static const char agent_usage[] =
"Usage: llmctl agent [--json] ID\n"
"       llmctl agent drain ID [--undo]\n"
"       llmctl agent resize ID [--cpu CPUS] [--mem SIZE] [--gpu N]\n"
"                              [--gpu-mem SIZE] [--slots N]\n"
"\n"
"Show one agent with its tasks, stop giving it new tasks (drain; --undo\n"
"takes it back into service), or change its reservation and slots\n"
"(resize: what is not given is kept; never below what its tasks hold,\n"
"never beyond the host's free capacity).  drain and resize need root.\n"
"\n"
"Exit status: 0, 1 refused (the message says why), 2 bad option,\n"
"3 no such agent, 4 not root.\n";

struct agent_view {
	struct llms_sysfs_agent fs;
	bool have_info;
	struct llmsched_agent_info info;
};

static void views_free(struct agent_view *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		llms_sysfs_agent_free(&v[i].fs);
	free(v);
}

/* The agents, or the one @only (0: all); reports errors itself. */
static int read_agents(struct llmctl *ctx, uint32_t only,
		       struct agent_view **out, size_t *count, bool *privileged)
{
	struct llmsched_agent_info *infos = NULL;
	struct llms_error *err = NULL;
	struct agent_view *v;
	uint32_t *ids = NULL;
	size_t n = 0, ninfo = 0, i, j, kept = 0;
	int fd = llmctl_fd(ctx);

	*out = NULL;
	*count = 0;
	if (fd < 0)
		return LLMCTL_EXIT_FAILURE;
	*privileged = !llms_agent_list_all(fd, &infos, &ninfo, &err);
	if (!*privileged)
		llms_error_free(&err);
	if (only) {
		ids = malloc(sizeof(*ids));
		if (ids) {
			ids[0] = only;
			n = 1;
		}
	} else if (llms_sysfs_agent_ids(&ids, &n, &err)) {
		free(infos);
		return llmctl_fail(ctx, &err);
	}
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v || (only && !ids)) {
		free(v);
		free(ids);
		free(infos);
		fprintf(stderr, "llmctl %s: out of memory\n", ctx->cmd);
		return LLMCTL_EXIT_FAILURE;
	}
	for (i = 0; i < n; i++) {
		if (llms_sysfs_read_agent(ids[i], &v[kept].fs, &err)) {
			if (err->errnum == ENOENT && !only) {
				/* It left between the two reads. */
				llms_error_free(&err);
				continue;
			}
			views_free(v, kept);
			free(ids);
			free(infos);
			if (err->errnum == ENOENT) {
				llms_error_free(&err);
				fprintf(stderr, "llmctl %s: no agent %u: "
					"`llmctl agents' lists them\n",
					ctx->cmd, only);
				return LLMCTL_EXIT_NOT_FOUND;
			}
			return llmctl_fail(ctx, &err);
		}
		for (j = 0; j < ninfo; j++)
			if (infos[j].agent_id == ids[i]) {
				v[kept].info = infos[j];
				v[kept].have_info = true;
			}
		kept++;
	}
	free(ids);
	free(infos);
	*out = v;
	*count = kept;
	return 0;
}

static struct json_object *agent_json(const struct llmsd_config *c,
				      const struct agent_view *a)
{
	struct json_object *o = json_object_new_object(), *t;
	__u64 cap[LLMSCHED_RES_MAX] = {
		a->fs.capacity_cpu, a->fs.capacity_mem, a->fs.capacity_gpu,
		a->fs.capacity_gpu_mem,
	};
	size_t i;

	json_object_object_add(o, "id", llmctl_json_u64(a->fs.id));
	json_object_object_add(o, "state", json_object_new_string(a->fs.state));
	json_object_object_add(o, "pid", json_object_new_int(a->fs.pid));
	json_object_object_add(o, "cgroup", json_object_new_string(
				a->fs.cgroup ? a->fs.cgroup : ""));
	json_object_object_add(o, "cgroup_id", llmctl_json_u64(a->fs.cgroup_id));
	json_object_object_add(o, "slots", llmctl_json_u64(a->fs.slots));
	json_object_object_add(o, "load", llmctl_json_u64(a->fs.load));
	json_object_object_add(o, "capacity", llmctl_json_res(cap));
	if (a->have_info) {
		json_object_object_add(o, "used_slots",
				       llmctl_json_u64(a->info.used_slots));
		json_object_object_add(o, "fetched",
				       llmctl_json_u64(a->info.nr_fetched));
		json_object_object_add(o, "committed",
				       llmctl_json_res(a->info.committed));
		json_object_object_add(o, "frozen",
				       llmctl_json_res(a->info.frozen));
		json_object_object_add(o, "tags",
				       llmctl_json_tags(c, a->info.tags));
	}
	if (a->fs.tasks_read) {
		t = json_object_new_array();
		for (i = 0; i < a->fs.ntasks; i++) {
			struct json_object *e = json_object_new_object();

			json_object_object_add(e, "id",
					llmctl_json_u64(a->fs.tasks[i].id));
			json_object_object_add(e, "state",
				json_object_new_string(a->fs.tasks[i].state));
			json_object_object_add(e, "label",
				json_object_new_string(a->fs.tasks[i].label));
			json_object_array_add(t, e);
		}
		json_object_object_add(o, "tasks", t);
	}
	return o;
}

/* "1.5/4": what its tasks hold of what it has; the reservation alone
 * when the first is not known. */
static void used_of(const struct agent_view *a, unsigned int k, uint64_t cap,
		    char *buf, size_t size)
{
	char x[LLMS_UNITS_BUF], y[LLMS_UNITS_BUF];

	llmctl_format_res(k, cap, y, sizeof(y));
	if (!a->have_info) {
		snprintf(buf, size, "%s", y);
		return;
	}
	llmctl_format_res(k, a->info.committed[k], x, sizeof(x));
	snprintf(buf, size, "%s/%s", x, y);
}

static int agents_table(const struct llmsd_config *c,
			const struct agent_view *v, size_t n, bool wide,
			bool privileged)
{
	static const struct llmctl_column cols[] = {
		{ "ID", LLMCTL_RIGHT }, { "STATE", LLMCTL_LEFT },
		{ "SLOTS", LLMCTL_RIGHT }, { "LOAD", LLMCTL_RIGHT },
		{ "CPU", LLMCTL_RIGHT }, { "MEM", LLMCTL_RIGHT },
		{ "TAGS", LLMCTL_LEFT },
		/* --wide */
		{ "GPU", LLMCTL_RIGHT }, { "GPUMEM", LLMCTL_RIGHT },
		{ "PID", LLMCTL_RIGHT }, { "CGROUP_ID", LLMCTL_RIGHT },
		{ "CGROUP", LLMCTL_LEFT },
	};
	struct llmctl_column use[12];
	struct llmctl_table t;
	size_t i, ncols = wide ? 12 : 8;
	int ret = 0;

	memcpy(use, cols, sizeof(cols));
	if (!wide)
		use[7] = cols[11];
	llmctl_table_init(&t, use, ncols);
	for (i = 0; i < n && !ret; i++) {
		const struct agent_view *a = &v[i];
		char id[12], slots[24], load[48], cpu[72], mem[72], tags[256],
		     gpu[72], gmem[72], pid[12], cgid[24];
		const char *cells[12] = {
			id, a->fs.state, slots, load, cpu, mem, tags, gpu, gmem,
			pid, cgid, a->fs.cgroup ? a->fs.cgroup : "",
		};

		snprintf(id, sizeof(id), "%u", a->fs.id);
		if (a->have_info)
			snprintf(slots, sizeof(slots), "%u/%u",
				 a->info.used_slots, a->info.slots);
		else
			snprintf(slots, sizeof(slots), "%" PRIu64,
				 a->fs.slots);
		/* Per-mille of its CPU reservation, as a percentage. */
		snprintf(load, sizeof(load), "%" PRIu64 ".%" PRIu64 "%%",
			 a->fs.load / 10, a->fs.load % 10);
		used_of(a, LLMSCHED_RES_CPU, a->fs.capacity_cpu, cpu,
			sizeof(cpu));
		used_of(a, LLMSCHED_RES_MEM, a->fs.capacity_mem, mem,
			sizeof(mem));
		used_of(a, LLMSCHED_RES_GPU, a->fs.capacity_gpu, gpu,
			sizeof(gpu));
		used_of(a, LLMSCHED_RES_GPU_MEM, a->fs.capacity_gpu_mem, gmem,
			sizeof(gmem));
		if (a->have_info)
			llmctl_format_tags(c, a->info.tags, tags, sizeof(tags));
		else
			strcpy(tags, "?");
		snprintf(pid, sizeof(pid), "%d", (int)a->fs.pid);
		snprintf(cgid, sizeof(cgid), "%" PRIu64, a->fs.cgroup_id);
		if (!wide)
			cells[7] = cells[11];
		ret = llmctl_table_add(&t, cells);
	}
	if (!ret)
		llmctl_table_print(&t, stdout);
	llmctl_table_free(&t);
	if (!privileged && n)
		printf("(what tasks hold, slots in use and tags: root only)\n");
	return ret ? LLMCTL_EXIT_FAILURE : 0;
}

int llmctl_cmd_agents(struct llmctl *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "wide", no_argument, NULL, 'w' },
		LLMCTL_COMMON_OPTIONS, {}
	};
	struct agent_view *v = NULL;
	struct llmsd_config c;
	bool wide = false, priv, have;
	size_t n = 0, i;
	int ch, status;

	while ((ch = getopt_long(argc, argv, "+w" LLMCTL_COMMON_SHORT, opts,
				 NULL)) != -1) {
		if (llmctl_common_option(ctx, ch, agents_usage, &status)) {
			if (status >= 0)
				return status;
			continue;
		}
		wide = true;
	}
	if (optind < argc)
		return llmctl_usage_error(ctx, "unexpected '%s': agents takes "
					  "no arguments (llmctl agent ID shows "
					  "one)", argv[optind]);
	status = llmctl_config(ctx, &c, &have);
	if (status)
		return status;
	status = read_agents(ctx, 0, &v, &n, &priv);
	if (!status && ctx->json) {
		struct json_object *o = json_object_new_object();
		struct json_object *a = json_object_new_array();

		for (i = 0; i < n; i++)
			json_object_array_add(a, agent_json(&c, &v[i]));
		json_object_object_add(o, "agents", a);
		status = llmctl_json_print(o, ctx->pretty, stdout) ?
			 LLMCTL_EXIT_FAILURE : 0;
	} else if (!status) {
		status = agents_table(&c, v, n, wide, priv);
	}
	views_free(v, n);
	llmsd_config_free(&c);
	return status;
}

static void agent_show(const struct llmsd_config *c, const struct agent_view *a)
{
	__u64 cap[LLMSCHED_RES_KNOWN] = {
		a->fs.capacity_cpu, a->fs.capacity_mem, a->fs.capacity_gpu,
		a->fs.capacity_gpu_mem,
	};
	char b[3][LLMS_UNITS_BUF], tags[256];
	unsigned int k;
	size_t i;

	printf("%-12s %u\n", "agent", a->fs.id);
	printf("%-12s %s\n", "state", a->fs.state);
	printf("%-12s %d\n", "pid", (int)a->fs.pid);
	printf("%-12s %s (id %" PRIu64 ")\n", "cgroup",
	       a->fs.cgroup ? a->fs.cgroup : "?", a->fs.cgroup_id);
	if (a->have_info)
		printf("%-12s %u of %u in use, %u fetched\n", "slots",
		       a->info.used_slots, a->info.slots, a->info.nr_fetched);
	else
		printf("%-12s %" PRIu64 "\n", "slots", a->fs.slots);
	printf("%-12s %" PRIu64 ".%" PRIu64 "%% of its CPU\n", "load",
	       a->fs.load / 10, a->fs.load % 10);
	if (a->have_info) {
		llmctl_format_tags(c, a->info.tags, tags, sizeof(tags));
		printf("%-12s %s\n", "tags", tags);
	}
	printf("\n%-10s  %10s  %10s  %10s\n", "RESOURCE", "RESERVED",
	       a->have_info ? "COMMITTED" : "", a->have_info ? "FROZEN" : "");
	for (k = 0; k < LLMSCHED_RES_KNOWN; k++) {
		llmctl_format_res(k, cap[k], b[0], sizeof(b[0]));
		b[1][0] = b[2][0] = '\0';
		if (a->have_info) {
			llmctl_format_res(k, a->info.committed[k], b[1],
					  sizeof(b[1]));
			llmctl_format_res(k, a->info.frozen[k], b[2],
					  sizeof(b[2]));
		}
		printf("%-10s  %10s  %10s  %10s\n", llmctl_res_names[k], b[0],
		       b[1], b[2]);
	}
	if (!a->fs.tasks_read) {
		printf("\ntasks: root only\n");
		return;
	}
	printf("\n%zu task%s%s\n", a->fs.ntasks, a->fs.ntasks == 1 ? "" : "s",
	       a->fs.ntasks ? ":" : "");
	for (i = 0; i < a->fs.ntasks; i++)
		printf("  %-8" PRIu64 " %-9s %s\n", a->fs.tasks[i].id,
		       a->fs.tasks[i].state, a->fs.tasks[i].label);
}

/* One agent, shown (or as JSON): `llmctl agent ID`. */
static int print_agent(struct llmctl *ctx, uint32_t id)
{
	struct agent_view *v = NULL;
	struct llmsd_config c;
	size_t n = 0;
	bool priv, have;
	int status;

	status = llmctl_config(ctx, &c, &have);
	if (status)
		return status;
	status = read_agents(ctx, id, &v, &n, &priv);
	if (!status && ctx->json)
		status = llmctl_json_print(agent_json(&c, &v[0]), ctx->pretty,
					   stdout) ? LLMCTL_EXIT_FAILURE : 0;
	else if (!status)
		agent_show(&c, &v[0]);
	views_free(v, n);
	llmsd_config_free(&c);
	return status;
}

static int agent_id_arg(struct llmctl *ctx, const char *s, uint32_t *id)
{
	unsigned long long v;

	if (llmctl_parse_id(ctx, "agent", s, &v))
		return LLMCTL_EXIT_USAGE;
	if (v > UINT32_MAX)
		return llmctl_usage_error(ctx, "agent '%s': agent ids are "
					  "below 2^32", s);
	*id = (uint32_t)v;
	return 0;
}

static int agent_drain(struct llmctl *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "undo", no_argument, NULL, 'u' },
		LLMCTL_COMMON_OPTIONS, {}
	};
	struct llms_error *err = NULL;
	uint32_t id = 0, flags = 0;
	int ch, status, fd;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "u" LLMCTL_COMMON_SHORT, opts,
				 NULL)) != -1) {
		if (llmctl_common_option(ctx, ch, agent_usage, &status)) {
			if (status >= 0)
				return status;
			continue;
		}
		flags = LLMSCHED_DRAIN_UNDO;
	}
	if (argc - optind != 1)
		return llmctl_usage_error(ctx, "drain: give one agent id");
	status = agent_id_arg(ctx, argv[optind], &id);
	if (status)
		return status;
	fd = llmctl_fd(ctx);
	if (fd < 0)
		return LLMCTL_EXIT_FAILURE;
	if (llms_agent_drain(fd, id, flags, &err))
		return llmctl_fail(ctx, &err);
	if (ctx->json)
		return print_agent(ctx, id);
	printf("agent %u: %s\n", id, flags ? "back in service (up)" :
	       "draining: it finishes its tasks and takes no new one");
	return 0;
}

/* Grow (@before) or shrink (!@before) the agent's cgroup limits to @r. */
static int resize_cgroup(const struct llmctl *ctx, const char *rel,
			 const __u64 *old, const __u64 *want,
			 bool before, struct llms_error **err)
{
	struct llms_cgroup cg = LLMS_CGROUP_INIT;
	char *mnt = NULL, *path = NULL;
	uint64_t high;
	int ret;

	(void)ctx;
	ret = llms_cgroup_mount(&mnt, err);
	if (ret)
		return ret;
	if (asprintf(&path, "%s%s", mnt, rel) < 0) {
		free(mnt);
		return llms_error_set(err, ENOMEM, "cgroup path");
	}
	free(mnt);
	ret = llms_cgroup_open(&cg, path, err);
	free(path);
	if (ret)
		return ret;
	if ((want[LLMSCHED_RES_CPU] > old[LLMSCHED_RES_CPU]) == before &&
	    want[LLMSCHED_RES_CPU] != old[LLMSCHED_RES_CPU])
		ret = llms_cgroup_set_cpu_max(&cg, want[LLMSCHED_RES_CPU], 0,
					      err);
	if (!ret && (want[LLMSCHED_RES_MEM] > old[LLMSCHED_RES_MEM]) == before &&
	    want[LLMSCHED_RES_MEM] != old[LLMSCHED_RES_MEM]) {
		/* memory.high follows memory.max where it did (the default). */
		bool follow = !llms_cgroup_get_limit(&cg, LLMS_MEMORY_HIGH,
						     &high, NULL) &&
			      high >= (old[LLMSCHED_RES_MEM] & ~4095ULL) &&
			      high != LLMS_CGROUP_MAX;

		if (before) {
			ret = llms_cgroup_set_limit(&cg, LLMS_MEMORY_MAX,
						    want[LLMSCHED_RES_MEM], err);
			if (!ret && follow)
				ret = llms_cgroup_set_limit(&cg,
					LLMS_MEMORY_HIGH,
					want[LLMSCHED_RES_MEM], err);
		} else {
			if (follow)
				ret = llms_cgroup_set_limit(&cg,
					LLMS_MEMORY_HIGH,
					want[LLMSCHED_RES_MEM], err);
			if (!ret)
				ret = llms_cgroup_set_limit(&cg,
					LLMS_MEMORY_MAX,
					want[LLMSCHED_RES_MEM], err);
		}
	}
	llms_cgroup_close(&cg);
	return ret;
}

static int resize_value(struct llmctl *ctx, int c, const char *arg,
			struct llmsched_agent_resize *r, bool *given)
{
	struct llms_error *err = NULL;
	const char *flag = "--cpu";
	uint64_t v;
	char *end;

	switch (c) {
	case 'C':
		if (!llms_parse_cpu(arg, &v, &err)) {
			r->capacity[LLMSCHED_RES_CPU] = v;
			given[LLMSCHED_RES_CPU] = true;
			return 0;
		}
		break;
	case 'M':
		flag = "--mem";
		if (!llms_parse_bytes(arg, &v, &err)) {
			if (v < LLMSD_MEM_MIN)
				return llmctl_usage_error(ctx, "--mem '%s': at "
					"least 1M (an agent needs a shell)", arg);
			r->capacity[LLMSCHED_RES_MEM] = v;
			given[LLMSCHED_RES_MEM] = true;
			return 0;
		}
		break;
	case 'G':
		errno = 0;
		v = strtoull(arg, &end, 10);
		if (!*arg || *end || errno || *arg == '-' || v > LLMSD_GPU_MAX)
			return llmctl_usage_error(ctx, "--gpu '%s': a whole "
						  "number of GPUs, 0 to %d",
						  arg, LLMSD_GPU_MAX);
		r->capacity[LLMSCHED_RES_GPU] = v;
		given[LLMSCHED_RES_GPU] = true;
		return 0;
	case 'g':
		flag = "--gpu-mem";
		if (!llms_parse_bytes(arg, &v, &err)) {
			r->capacity[LLMSCHED_RES_GPU_MEM] = v;
			given[LLMSCHED_RES_GPU_MEM] = true;
			return 0;
		}
		break;
	case 'S':
		errno = 0;
		v = strtoull(arg, &end, 10);
		if (!*arg || *end || errno || *arg == '-' || !v ||
		    v > LLMSCHED_SLOTS_MAX)
			return llmctl_usage_error(ctx, "--slots '%s': a whole "
						  "number from 1 to %d", arg,
						  LLMSCHED_SLOTS_MAX);
		r->slots = (uint32_t)v;
		return 0;
	default:
		return llmctl_usage_error(ctx, "resize: unknown option");
	}
	llmctl_usage_error(ctx, "%s: %s", flag, err->msg);
	llms_error_free(&err);
	return LLMCTL_EXIT_USAGE;
}

static int agent_resize(struct llmctl *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cpu", required_argument, NULL, 'C' },
		{ "mem", required_argument, NULL, 'M' },
		{ "gpu", required_argument, NULL, 'G' },
		{ "gpu-mem", required_argument, NULL, 'g' },
		{ "slots", required_argument, NULL, 'S' },
		LLMCTL_COMMON_OPTIONS, {}
	};
	struct llmsched_agent_resize r = { 0 };
	bool given[LLMSCHED_RES_MAX] = { false };
	__u64 old[LLMSCHED_RES_MAX] = { 0 };
	struct llms_error *err = NULL;
	struct agent_view *v = NULL;
	size_t n = 0;
	bool priv, any = false;
	int ch, status, fd, k;
	uint32_t id = 0;

	optind = 0;
	while ((ch = getopt_long(argc, argv, LLMCTL_COMMON_SHORT, opts,
				 NULL)) != -1) {
		if (llmctl_common_option(ctx, ch, agent_usage, &status)) {
			if (status >= 0)
				return status;
			continue;
		}
		status = resize_value(ctx, ch, optarg, &r, given);
		if (status)
			return status;
		any = true;
	}
	if (argc - optind != 1)
		return llmctl_usage_error(ctx, "resize: give one agent id");
	if (!any)
		return llmctl_usage_error(ctx, "resize: give at least one of "
					  "--cpu, --mem, --gpu, --gpu-mem, "
					  "--slots");
	status = agent_id_arg(ctx, argv[optind], &id);
	if (status)
		return status;
	status = read_agents(ctx, id, &v, &n, &priv);
	if (status)
		return status;
	if (!priv || !v[0].have_info) {
		views_free(v, n);
		fprintf(stderr, "llmctl agent: resize needs CAP_SYS_ADMIN "
			"(run it as root)\n");
		return LLMCTL_EXIT_PERMISSION;
	}
	/* A zero vector keeps all; a partial one must say every kind. */
	for (k = 0; k < LLMSCHED_RES_KNOWN; k++) {
		old[k] = v[0].info.capacity[k];
		if (!given[k])
			r.capacity[k] = old[k];
	}
	r.agent_id = id;
	fd = llmctl_fd(ctx);
	status = resize_cgroup(ctx, v[0].fs.cgroup, old, r.capacity, true,
			       &err);
	if (!status) {
		status = llms_agent_resize(fd, &r, &err);
		if (status)
			/* Put the grown limits back; the first error tells. */
			resize_cgroup(ctx, v[0].fs.cgroup, r.capacity, old,
				      false, NULL);
	}
	if (!status)
		status = resize_cgroup(ctx, v[0].fs.cgroup, old, r.capacity,
				       false, &err);
	views_free(v, n);
	if (status)
		return llmctl_fail(ctx, &err);
	if (ctx->json)
		return print_agent(ctx, id);
	{
		char b[2][LLMS_UNITS_BUF];

		llmctl_format_res(LLMSCHED_RES_CPU, r.capacity[0], b[0],
				  sizeof(b[0]));
		llmctl_format_res(LLMSCHED_RES_MEM, r.capacity[1], b[1],
				  sizeof(b[1]));
		printf("agent %u: cpu %s, memory %s, gpu %llu%s\n", id, b[0],
		       b[1], (unsigned long long)r.capacity[2],
		       r.slots ? "" : " (slots kept)");
	}
	return 0;
}

int llmctl_cmd_agent(struct llmctl *ctx, int argc, char **argv)
{
	static const struct option opts[] = { LLMCTL_COMMON_OPTIONS, {} };
	int ch, status;
	uint32_t id = 0;

	/* The subcommand first, so that each parses its own options. */
	if (argc > 1 && !strcmp(argv[1], "drain"))
		return agent_drain(ctx, argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "resize"))
		return agent_resize(ctx, argc - 1, argv + 1);
	while ((ch = getopt_long(argc, argv, LLMCTL_COMMON_SHORT, opts,
				 NULL)) != -1)
		if (llmctl_common_option(ctx, ch, agent_usage, &status) &&
		    status >= 0)
			return status;
	if (argc - optind != 1)
		return llmctl_usage_error(ctx, "give one agent id, or drain "
					  "or resize and an id");
	status = agent_id_arg(ctx, argv[optind], &id);
	if (status)
		return status;
	return print_agent(ctx, id);
}
