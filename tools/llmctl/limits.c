// SPDX-License-Identifier: GPL-2.0
/*
 * llmctl limits [set KEY=VALUE...]: the module's limits on queued work
 * (struct llmsched_limits).  Reading is open to every user; setting needs
 * CAP_SYS_ADMIN, as the module checks.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llmctl.h"
#include "output.h"

static const char limits_usage[] =
"Usage: llmctl limits [--json] [set KEY=VALUE...]\n"
"\n"
"Print the module's limits on queued work, or change some (root).\n"
"\n"
"Keys:\n"
"  max_tasks             tasks held that have not ended, all users\n"
"  max_tasks_per_user    the same, for one user\n"
"  heartbeat_timeout     an agent silent this long is lost (e.g. 5s, 500ms)\n"
"  retain_ended          ended tasks kept per user for queries\n"
"  max_bytes_per_user    kernel memory one user's tasks may take (64M)\n"
"  max_user_priority     the highest priority without CAP_SYS_NICE (0-255)\n";

struct limit_key {
	const char *name;
	enum { LIMIT_COUNT, LIMIT_MS, LIMIT_BYTES, LIMIT_PRIORITY } kind;
	size_t offset;
	bool is_u64;
};

#define LIMIT(n, k, f, wide) { n, k, offsetof(struct llmsched_limits, f), wide }
static const struct limit_key limit_keys[] = {
	LIMIT("max_tasks", LIMIT_COUNT, max_tasks, false),
	LIMIT("max_tasks_per_user", LIMIT_COUNT, max_tasks_per_user, false),
	LIMIT("heartbeat_timeout", LIMIT_MS, heartbeat_timeout_ms, false),
	LIMIT("retain_ended", LIMIT_COUNT, retain_ended, false),
	LIMIT("max_bytes_per_user", LIMIT_BYTES, max_bytes_per_user, true),
	LIMIT("max_user_priority", LIMIT_PRIORITY, max_user_priority, false),
};
#define NKEYS (sizeof(limit_keys) / sizeof(limit_keys[0]))

static uint64_t limit_get(const struct llmsched_limits *l,
			  const struct limit_key *k)
{
	const char *p = (const char *)l + k->offset;

	return k->is_u64 ? *(const uint64_t *)p : *(const uint32_t *)p;
}

static void limit_put(struct llmsched_limits *l, const struct limit_key *k,
		      uint64_t v)
{
	char *p = (char *)l + k->offset;

	if (k->is_u64)
		*(uint64_t *)p = v;
	else
		*(uint32_t *)p = (uint32_t)v;
}

/* The JSON names carry their unit, as in sysfs: heartbeat_timeout_ms. */
static const char *json_name(const struct limit_key *k)
{
	return k->kind == LIMIT_MS ? "heartbeat_timeout_ms" : k->name;
}

static int print_limits(const struct llmctl *ctx,
			const struct llmsched_limits *l)
{
	static const struct llmctl_column cols[] = {
		{ "LIMIT", LLMCTL_LEFT }, { "VALUE", LLMCTL_RIGHT },
	};
	struct llmctl_table t;
	char buf[64];
	size_t i;
	int ret = 0;

	if (ctx->json) {
		struct json_object *o = json_object_new_object();

		for (i = 0; i < NKEYS; i++)
			json_object_object_add(o, json_name(&limit_keys[i]),
				llmctl_json_u64(limit_get(l, &limit_keys[i])));
		return llmctl_json_print(o, ctx->pretty, stdout) ?
			LLMCTL_EXIT_FAILURE : 0;
	}
	llmctl_table_init(&t, cols, 2);
	for (i = 0; i < NKEYS && !ret; i++) {
		const struct limit_key *k = &limit_keys[i];
		uint64_t v = limit_get(l, k);
		const char *cells[2] = { k->name, buf };

		if (k->kind == LIMIT_MS)
			llms_format_duration(v * 1000000ULL, buf, sizeof(buf));
		else if (k->kind == LIMIT_BYTES)
			llms_format_bytes(v, buf, sizeof(buf));
		else
			snprintf(buf, sizeof(buf), "%" PRIu64, v);
		ret = llmctl_table_add(&t, cells);
	}
	if (!ret)
		llmctl_table_print(&t, stdout);
	llmctl_table_free(&t);
	return ret ? LLMCTL_EXIT_FAILURE : 0;
}

static int parse_value(const struct llmctl *ctx, const struct limit_key *k,
		       const char *s, uint64_t *v)
{
	struct llms_error *err = NULL;
	uint64_t ns;
	char *end;

	switch (k->kind) {
	case LIMIT_MS:
		if (llms_parse_duration(s, &ns, &err))
			break;
		if (ns < 1000000ULL || ns / 1000000ULL > UINT32_MAX) {
			llmctl_usage_error(ctx, "heartbeat_timeout '%s': from "
					   "1ms to %" PRIu32 "ms", s,
					   UINT32_MAX);
			return -1;
		}
		*v = ns / 1000000ULL;
		return 0;
	case LIMIT_BYTES:
		if (llms_parse_bytes(s, v, &err))
			break;
		if (!*v) {
			llmctl_usage_error(ctx, "max_bytes_per_user: 0 means "
					   "\"keep\" to the module; give a size");
			return -1;
		}
		return 0;
	default:
		errno = 0;
		*v = strtoull(s, &end, 10);
		if (!*s || *end || errno || *s == '-' ||
		    *v > (k->kind == LIMIT_PRIORITY ? 255 : UINT32_MAX) ||
		    (!*v && k->kind != LIMIT_PRIORITY)) {
			llmctl_usage_error(ctx, "%s '%s': expected a whole "
					   "number from %d to %" PRIu32, k->name,
					   s, k->kind == LIMIT_PRIORITY ? 0 : 1,
					   k->kind == LIMIT_PRIORITY ? 255 :
					   UINT32_MAX);
			return -1;
		}
		return 0;
	}
	llmctl_usage_error(ctx, "%s: %s", k->name, err->msg);
	llms_error_free(&err);
	return -1;
}

static int set_limits(struct llmctl *ctx, int argc, char **argv)
{
	struct llms_error *err = NULL;
	struct llmsched_limits l;
	int i, fd;

	memset(&l, 0, sizeof(l));	/* 0: keep the current value */
	if (argc == 0)
		return llmctl_usage_error(ctx, "set: give KEY=VALUE pairs");
	for (i = 0; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		const struct limit_key *k = NULL;
		uint64_t v;
		size_t j;

		for (j = 0; eq && j < NKEYS; j++)
			if (strlen(limit_keys[j].name) == (size_t)(eq - argv[i]) &&
			    !strncmp(limit_keys[j].name, argv[i], eq - argv[i]))
				k = &limit_keys[j];
		if (!k)
			return llmctl_usage_error(ctx, "set: '%s' is not "
						  "KEY=VALUE with a known key",
						  argv[i]);
		if (parse_value(ctx, k, eq + 1, &v))
			return LLMCTL_EXIT_USAGE;
		limit_put(&l, k, v);
		if (k->kind == LIMIT_PRIORITY)
			l.flags |= LLMSCHED_LIMITS_USER_PRIORITY;
	}
	fd = llmctl_fd(ctx);
	if (fd < 0)
		return LLMCTL_EXIT_FAILURE;
	if (llms_set_limits(fd, &l, &err))
		return llmctl_fail(ctx, &err);
	memset(&l, 0, sizeof(l));
	if (llms_get_limits(fd, &l, &err))
		return llmctl_fail(ctx, &err);
	return print_limits(ctx, &l);
}

int llmctl_cmd_limits(struct llmctl *ctx, int argc, char **argv)
{
	static const struct option opts[] = { LLMCTL_COMMON_OPTIONS, {} };
	struct llms_error *err = NULL;
	struct llmsched_limits l;
	int c, status, fd;

	while ((c = getopt_long(argc, argv, "+" LLMCTL_COMMON_SHORT, opts,
				NULL)) != -1)
		if (llmctl_common_option(ctx, c, limits_usage, &status) &&
		    status >= 0)
			return status;
	argc -= optind;
	argv += optind;
	memset(&l, 0, sizeof(l));	/* GET_LIMITS wants zero flags */
	if (argc && !strcmp(argv[0], "set"))
		return set_limits(ctx, argc - 1, argv + 1);
	if (argc)
		return llmctl_usage_error(ctx, "unexpected '%s'; the only "
					  "subcommand is set", argv[0]);
	fd = llmctl_fd(ctx);
	if (fd < 0)
		return LLMCTL_EXIT_FAILURE;
	if (llms_get_limits(fd, &l, &err))
		return llmctl_fail(ctx, &err);
	return print_limits(ctx, &l);
}
