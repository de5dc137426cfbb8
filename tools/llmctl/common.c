// SPDX-License-Identifier: GPL-2.0
/* What several llmctl commands share (common.h). */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "../../runtime/llmschedd/estimator.h"

int llmctl_config(const struct llmctl *ctx, struct llmsd_config *c,
		  bool *have)
{
	const char *path = ctx->config ? ctx->config : LLMSD_DEFAULT_CONFIG;
	struct llms_error *err = NULL;
	char prog[64];
	int ret;

	llmsd_config_init(c);
	*have = false;
	ret = llmsd_config_load(c, path, &err);
	if (!ret) {
		*have = true;
		return 0;
	}
	if (ret == -ENOENT && !ctx->config) {
		llms_error_free(&err);
		return 0;
	}
	snprintf(prog, sizeof(prog), "llmctl %s: --config", ctx->cmd);
	llms_error_print(stderr, prog, err);
	llms_error_free(&err);
	return LLMCTL_EXIT_FAILURE;
}

static const char *tag_name(const struct llmsd_config *c, unsigned int bit)
{
	size_t i;

	for (i = 0; c && i < c->ntags; i++)
		if (c->tags[i].bit == bit)
			return c->tags[i].name;
	return NULL;
}

void llmctl_format_tags(const struct llmsd_config *c, uint64_t tags,
			char *buf, size_t size)
{
	size_t len = 0;
	unsigned int bit;

	if (size)
		buf[0] = '\0';
	if (!tags) {
		snprintf(buf, size, "-");
		return;
	}
	for (bit = 0; bit < 64 && len < size; bit++) {
		const char *name;

		if (!(tags & (1ULL << bit)))
			continue;
		name = tag_name(c, bit);
		if (name)
			len += snprintf(buf + len, size - len, "%s%s",
					len ? "," : "", name);
		else
			len += snprintf(buf + len, size - len, "%sbit%u",
					len ? "," : "", bit);
	}
}

struct json_object *llmctl_json_tags(const struct llmsd_config *c,
				     uint64_t tags)
{
	struct json_object *a = json_object_new_array();
	unsigned int bit;
	char name[16];

	for (bit = 0; a && bit < 64; bit++) {
		const char *n;

		if (!(tags & (1ULL << bit)))
			continue;
		n = tag_name(c, bit);
		if (!n) {
			snprintf(name, sizeof(name), "bit%u", bit);
			n = name;
		}
		json_object_array_add(a, json_object_new_string(n));
	}
	return a;
}

static int parse_state_word(const char *w, size_t len, uint32_t *mask)
{
	uint32_t s;

	if (len == 5 && !strncmp(w, "ended", 5)) {
		*mask |= LLMCTL_STATES_ENDED;
		return 0;
	}
	if (len == 6 && !strncmp(w, "active", 6)) {
		*mask |= LLMCTL_STATES_ACTIVE;
		return 0;
	}
	for (s = LLMSCHED_TASK_QUEUED; s <= LLMSCHED_TASK_FROZEN; s++) {
		const char *n = llms_task_state_name(s);

		if (strlen(n) == len && !strncmp(n, w, len)) {
			*mask |= 1U << s;
			return 0;
		}
	}
	return -1;
}

int llmctl_parse_states(const char *list, uint32_t *mask, const char **bad)
{
	const char *p = list;

	do {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if (!len || parse_state_word(p, len, mask)) {
			*bad = p;
			return -1;
		}
		p = comma ? comma + 1 : NULL;
	} while (p);
	return 0;
}

int llmctl_parse_user(const char *s, uid_t *uid)
{
	struct passwd *pw;
	unsigned long v;
	char *end;

	if (!*s)
		return -1;
	pw = getpwnam(s);
	if (pw) {
		*uid = pw->pw_uid;
		return 0;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end || errno || *s == '-' || v >= (uid_t)-1)
		return -1;
	*uid = (uid_t)v;
	return 0;
}

/* A few users hold most tasks: a small cache saves a lookup per row. */
#define USER_CACHE 16
static struct {
	uid_t uid;
	char name[33];
	bool used;
} user_cache[USER_CACHE];
static unsigned int user_next;

const char *llmctl_user_name(uid_t uid)
{
	struct passwd *pw;
	unsigned int i;

	for (i = 0; i < USER_CACHE; i++)
		if (user_cache[i].used && user_cache[i].uid == uid)
			return user_cache[i].name;
	i = user_next++ % USER_CACHE;
	pw = getpwuid(uid);
	user_cache[i].uid = uid;
	user_cache[i].used = true;
	if (pw && strlen(pw->pw_name) < sizeof(user_cache[i].name))
		strcpy(user_cache[i].name, pw->pw_name);
	else
		snprintf(user_cache[i].name, sizeof(user_cache[i].name), "%u",
			 (unsigned int)uid);
	return user_cache[i].name;
}

int llmctl_parse_on_off(const char *s, bool *on)
{
	static const char *const yes[] = { "on", "yes", "true", "1" };
	static const char *const no[] = { "off", "no", "false", "0" };
	size_t i;

	for (i = 0; i < 4; i++) {
		if (!strcmp(s, yes[i])) {
			*on = true;
			return 0;
		}
		if (!strcmp(s, no[i])) {
			*on = false;
			return 0;
		}
	}
	return -1;
}

const char *const llmctl_res_names[LLMSCHED_RES_KNOWN] = {
	[LLMSCHED_RES_CPU] = "cpu",
	[LLMSCHED_RES_MEM] = "memory",
	[LLMSCHED_RES_GPU] = "gpu",
	[LLMSCHED_RES_GPU_MEM] = "gpu memory",
};

void llmctl_format_res(unsigned int kind, uint64_t v, char *buf, size_t size)
{
	switch (kind) {
	case LLMSCHED_RES_CPU:
		llms_format_cpu(v, buf, size);
		break;
	case LLMSCHED_RES_MEM:
	case LLMSCHED_RES_GPU_MEM:
		/* A table's figure; the JSON has the exact bytes. */
		llms_format_bytes_short(v, buf, size);
		break;
	default:
		snprintf(buf, size, "%llu", (unsigned long long)v);
	}
}

struct json_object *llmctl_json_res(const __u64 *v)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "cpu_mcpu",
			       llmctl_json_u64(v[LLMSCHED_RES_CPU]));
	json_object_object_add(o, "mem_bytes",
			       llmctl_json_u64(v[LLMSCHED_RES_MEM]));
	json_object_object_add(o, "gpu", llmctl_json_u64(v[LLMSCHED_RES_GPU]));
	json_object_object_add(o, "gpu_mem_bytes",
			       llmctl_json_u64(v[LLMSCHED_RES_GPU_MEM]));
	return o;
}

uint64_t llmctl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void llmctl_format_age(uint64_t ns, bool zero_dash, char *buf, size_t size)
{
	if (!ns && zero_dash) {
		snprintf(buf, size, "-");
		return;
	}
	if (ns >= 10 * LLMS_NSEC_PER_SEC)
		ns = (ns + LLMS_NSEC_PER_SEC / 2) / LLMS_NSEC_PER_SEC *
		     LLMS_NSEC_PER_SEC;
	else if (ns >= LLMS_NSEC_PER_MSEC)
		ns = (ns + LLMS_NSEC_PER_MSEC / 2) / LLMS_NSEC_PER_MSEC *
		     LLMS_NSEC_PER_MSEC;
	llms_format_duration(ns, buf, size);
}

void llmctl_est_state(const struct llmsd_config *c,
		      struct llmctl_est_state *st)
{
	struct json_object *o, *v;

	memset(st, 0, sizeof(*st));
	snprintf(st->path, sizeof(st->path), "%s/%s", c->state_dir,
		 LLMSD_EST_FILE);
	o = json_object_from_file(st->path);
	if (!o)
		return;
	st->found = json_object_is_type(o, json_type_object);
	if (json_object_object_get_ex(o, "mae_ns", &v))
		st->mae_ns = json_object_get_double(v);
	if (json_object_object_get_ex(o, "samples", &v))
		st->samples = json_object_get_int64(v);
	if (json_object_object_get_ex(o, "window", &v))
		st->window = json_object_get_int64(v);
	if (json_object_object_get_ex(o, "updated", &v))
		st->updated = json_object_get_int64(v);
	if (json_object_object_get_ex(o, "features", &v))
		st->features = json_object_get_int(v);
	json_object_put(o);
}

const char *llmctl_choice_name(uint32_t choice)
{
	switch (choice) {
	case LLMSCHED_CHOICE_LEAST_LOADED:
		return "least_loaded";
	case LLMSCHED_CHOICE_BEST_FIT:
		return "best_fit";
	default:
		return "?";
	}
}

const char *llmctl_policy_name(uint32_t policy)
{
	uint32_t i;

	for (i = 0; llmsd_policy_names[i]; i++)
		if (i == policy)
			return llmsd_policy_names[i];
	return "?";
}
