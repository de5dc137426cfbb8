// SPDX-License-Identifier: GPL-2.0
/*
 * llmsub: the setters of struct llmsub_task, shared by the command line and
 * the JSON-lines file (task.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../runtime/lib/payload.h"
#include "../../runtime/lib/units.h"
#include "../../runtime/llmschedd/config.h"
#include "task.h"

const char *const llmsub_default_env[] = {
	"PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LC_ALL", "TZ",
	"TERM", NULL,
};

static const char *const feature_names[] = {
	[LLMSUB_FEAT_INPUT_LEN] = "input-len",
	[LLMSUB_FEAT_MODEL_MPARAMS] = "model-mparams",
	[LLMSUB_FEAT_OUTPUT_TOKENS] = "output-tokens",
};

/*
 * A decimal unsigned integer, digits only (no sign, no space, no 0x):
 * 0, -EINVAL or -ERANGE above @max.
 */
static int parse_uint(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *p;

	if (!*s)
		return -EINVAL;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

/* parse_uint() with the message: "'x': not a WHAT: use LO to HI". */
static int set_uint(const char *text, uint64_t lo, uint64_t hi,
		    const char *what, uint64_t *out, struct llms_error **err)
{
	uint64_t v;
	int ret = parse_uint(text, hi, &v);

	if (ret == -EINVAL)
		return llms_error_set(err, EINVAL,
				      "'%s': not %s: use a whole number, %" PRIu64
				      " to %" PRIu64, text, what, lo, hi);
	if (ret || v < lo)
		return llms_error_set(err, ret ? ERANGE : EINVAL,
				      "'%s': out of range: %s is %" PRIu64
				      " to %" PRIu64, text, what, lo, hi);
	*out = v;
	return 0;
}

int llmsub_set_priority(struct llmsub_task *t, const char *text,
			struct llms_error **err)
{
	uint64_t v;
	int ret = set_uint(text, LLMSCHED_PRIO_MIN, LLMSCHED_PRIO_MAX,
			   "a priority (larger is more urgent)", &v, err);

	if (!ret)
		t->sub.priority = (uint32_t)v;
	return ret;
}

/* A demand past the module's bound. */
static int demand_range(const char *text, struct llms_error **err)
{
	return llms_error_set(err, ERANGE,
			      "'%s': more than the module takes (2^48 in "
			      "the kind's unit)", text);
}

int llmsub_set_cpu(struct llmsub_task *t, const char *text,
		   struct llms_error **err)
{
	uint64_t v;
	int ret = llms_parse_cpu(text, &v, err);

	if (ret)
		return ret;
	if (v > LLMSUB_DEMAND_MAX)
		return demand_range(text, err);
	t->sub.demand[LLMSCHED_RES_CPU] = v;
	return 0;
}

int llmsub_set_mem(struct llmsub_task *t, const char *text,
		   struct llms_error **err)
{
	uint64_t v;
	int ret = llms_parse_bytes(text, &v, err);

	if (ret)
		return ret;
	if (v > LLMSUB_DEMAND_MAX)
		return demand_range(text, err);
	t->sub.demand[LLMSCHED_RES_MEM] = v;
	return 0;
}

int llmsub_set_gpu(struct llmsub_task *t, const char *text,
		   struct llms_error **err)
{
	uint64_t v;
	int ret = set_uint(text, 0, LLMSUB_GPU_MAX, "a GPU count", &v, err);

	if (!ret)
		t->sub.demand[LLMSCHED_RES_GPU] = v;
	return ret;
}

int llmsub_set_gpu_mem(struct llmsub_task *t, const char *text,
		       struct llms_error **err)
{
	uint64_t v;
	int ret = llms_parse_bytes(text, &v, err);

	if (ret)
		return ret;
	if (v > LLMSUB_DEMAND_MAX)
		return demand_range(text, err);
	t->sub.demand[LLMSCHED_RES_GPU_MEM] = v;
	return 0;
}

int llmsub_set_est(struct llmsub_task *t, const char *text,
		   struct llms_error **err)
{
	uint64_t v;
	int ret = llms_parse_duration(text, &v, err);

	if (ret)
		return ret;
	if (!v)
		return llms_error_set(err, EINVAL,
				      "'%s': an estimate must be more than 0 "
				      "(leave it out to estimate from the "
				      "features)", text);
	t->sub.est_runtime_ns = v;
	t->est_set = true;
	return 0;
}

int llmsub_set_feature(struct llmsub_task *t, unsigned int slot,
		       const char *text, struct llms_error **err)
{
	uint64_t v;
	int ret;

	if (slot >= LLMSCHED_FEATURES_MAX)
		return llms_error_set(err, EINVAL,
				      "feature slot %u: the slots are 0 to %u",
				      slot, LLMSCHED_FEATURES_MAX - 1);
	ret = set_uint(text, 0, UINT64_MAX, "a feature value", &v, err);
	if (ret)
		return ret;
	t->sub.features[slot] = v;
	t->features_set |= 1U << slot;
	return 0;
}

int llmsub_set_feature_kv(struct llmsub_task *t, const char *text,
			  struct llms_error **err)
{
	const char *eq = strchr(text, '=');
	char key[32];
	size_t klen, i;
	uint64_t slot;

	klen = eq ? (size_t)(eq - text) : 0;
	if (!eq || !klen || klen >= sizeof(key))
		return llms_error_set(err, EINVAL,
				      "'%s': not K=V: K is a slot 0 to %u, "
				      "input-len, model-mparams or "
				      "output-tokens, V a whole number",
				      text, LLMSCHED_FEATURES_MAX - 1);
	memcpy(key, text, klen);
	key[klen] = '\0';
	for (i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]); i++)
		if (!strcmp(key, feature_names[i]))
			return llmsub_set_feature(t, (unsigned int)i, eq + 1,
						  err);
	if (parse_uint(key, LLMSCHED_FEATURES_MAX - 1, &slot))
		return llms_error_set(err, EINVAL,
				      "'%s': unknown feature '%s': use a slot "
				      "0 to %u, input-len, model-mparams or "
				      "output-tokens", text, key,
				      LLMSCHED_FEATURES_MAX - 1);
	return llmsub_set_feature(t, (unsigned int)slot, eq + 1, err);
}

static int dep_room(const struct llmsub_task *t, struct llms_error **err)
{
	if (t->ndeps >= LLMSCHED_DEPS_MAX)
		return llms_error_set(err, EINVAL,
				      "more than %u dependencies: a task may "
				      "wait for at most %u", LLMSCHED_DEPS_MAX,
				      LLMSCHED_DEPS_MAX);
	return 0;
}

int llmsub_add_after_id(struct llmsub_task *t, const char *text,
			struct llms_error **err)
{
	uint64_t id;
	uint32_t i;
	int ret;

	ret = set_uint(text, 1, (uint64_t)INT64_MAX, "a task id", &id, err);
	if (ret)
		return ret;
	for (i = 0; i < t->ndeps; i++)
		if (!t->deps[i].name && t->deps[i].id == id)
			return llms_error_set(err, EINVAL,
					      "'%s': task %" PRIu64 " is "
					      "given twice", text, id);
	ret = dep_room(t, err);
	if (ret)
		return ret;
	t->deps[t->ndeps].id = id;
	t->deps[t->ndeps].name = NULL;
	t->ndeps++;
	return 0;
}

int llmsub_add_after_name(struct llmsub_task *t, const char *name,
			  struct llms_error **err)
{
	uint32_t i;
	char *copy;
	int ret;

	if (!*name)
		return llms_error_set(err, EINVAL,
				      "an empty name: give the \"name\" of "
				      "another line, or a task id");
	for (i = 0; i < t->ndeps; i++)
		if (t->deps[i].name && !strcmp(t->deps[i].name, name))
			return llms_error_set(err, EINVAL,
					      "'%s' is given twice", name);
	ret = dep_room(t, err);
	if (ret)
		return ret;
	copy = strdup(name);
	if (!copy)
		return llms_error_set(err, ENOMEM, "copying a name");
	t->deps[t->ndeps].id = 0;
	t->deps[t->ndeps].name = copy;
	t->ndeps++;
	return 0;
}

/* A tag name as llmschedd's configuration allows: a letter, then
 * letters, digits, '_' or '-', 1 to 31 in all. */
static bool tag_name_ok(const char *s, size_t len)
{
	size_t i;

	if (!len || len >= LLMSD_NAME_MAX)
		return false;
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return false;
	for (i = 1; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

int llmsub_add_tags(struct llmsub_task *t, const char *text,
		    struct llms_error **err)
{
	const char *p = text, *end;
	size_t have, add;
	char *grown;

	/* Each name is checked here, so that the message names it. */
	do {
		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		while (p < end && *p == ' ')
			p++;
		add = (size_t)(end - p);
		while (add && p[add - 1] == ' ')
			add--;
		if (!tag_name_ok(p, add))
			return llms_error_set(err, EINVAL,
					      "'%s': not a tag name (or a comma "
					      "list of them): a name is 1 to "
					      "31 letters, digits, '_' or '-', "
					      "a letter first", text);
		p = *end ? end + 1 : end;
	} while (*end);

	have = t->tag_names ? strlen(t->tag_names) : 0;
	add = strlen(text);
	grown = realloc(t->tag_names, have + add + 2);
	if (!grown)
		return llms_error_set(err, ENOMEM, "adding tags");
	if (have)
		grown[have++] = ',';
	memcpy(grown + have, text, add + 1);
	t->tag_names = grown;
	return 0;
}

int llmsub_set_retries(struct llmsub_task *t, const char *text,
		       struct llms_error **err)
{
	uint64_t v;
	int ret = set_uint(text, 0, LLMSUB_RETRIES_MAX,
			   "a retry count (requeues when the agent is lost)",
			   &v, err);

	if (!ret)
		t->sub.retries = (uint32_t)v;
	return ret;
}

int llmsub_set_time_limit(struct llmsub_task *t, const char *text,
			  struct llms_error **err)
{
	uint64_t v;
	int ret = llms_parse_duration(text, &v, err);

	if (!ret)
		t->sub.time_limit_ns = v;
	return ret;
}

int llmsub_set_name(struct llmsub_task *t, const char *text,
		    struct llms_error **err)
{
	size_t len = strlen(text), i;

	if (!len || len > LLMSUB_NAME_MAX)
		return llms_error_set(err, EINVAL,
				      "'%s': a name is 1 to %d characters, not "
				      "%zu", text, LLMSUB_NAME_MAX, len);
	for (i = 0; i < len; i++)
		if (text[i] < 0x20 || text[i] > 0x7e)
			return llms_error_set(err, EINVAL,
					      "'%s': a name is printable ASCII "
					      "(space to '~'); character %zu "
					      "is not", text, i + 1);
	memset(t->sub.label, 0, sizeof(t->sub.label));
	memcpy(t->sub.label, text, len);
	return 0;
}

int llmsub_set_cwd(struct llmsub_task *t, const char *text,
		   struct llms_error **err)
{
	char *path, *base = NULL;
	size_t blen;

	if (!*text)
		return llms_error_set(err, EINVAL,
				      "an empty path: give a directory");
	if (text[0] == '/') {
		path = strdup(text);
	} else {
		/* Relative to where llmsub runs, as a shell would read it. */
		base = getcwd(NULL, 0);
		if (!base)
			return llms_error_set(err, errno,
					      "'%s' is relative and the "
					      "current directory is unknown",
					      text);
		blen = strlen(base);
		path = malloc(blen + strlen(text) + 2);
		if (path)
			sprintf(path, "%s%s%s", base,
				blen && base[blen - 1] == '/' ? "" : "/", text);
		free(base);
	}
	if (!path)
		return llms_error_set(err, ENOMEM, "copying a path");
	if (strlen(path) >= LLMS_PAYLOAD_CWD_MAX) {
		free(path);
		return llms_error_set(err, ENAMETOOLONG,
				      "'%s': a working directory is shorter "
				      "than %d bytes", text,
				      LLMS_PAYLOAD_CWD_MAX);
	}
	free(t->cwd);
	t->cwd = path;
	return 0;
}

/* Put a copy of @entry ("K=V") in the environment, over an entry K. */
static int env_put(struct llmsub_task *t, const char *entry,
		   struct llms_error **err)
{
	size_t klen = (size_t)(strchr(entry, '=') - entry);
	char *copy = strdup(entry), **grown;
	uint32_t i;

	if (!copy)
		return llms_error_set(err, ENOMEM, "copying the environment");
	for (i = 0; i < t->envc; i++) {
		if (!strncmp(t->envp[i], entry, klen + 1)) {
			free(t->envp[i]);
			t->envp[i] = copy;
			return 0;
		}
	}
	grown = realloc(t->envp, (t->envc + 2) * sizeof(*grown));
	if (!grown) {
		free(copy);
		return llms_error_set(err, ENOMEM, "growing the environment");
	}
	t->envp = grown;
	t->envp[t->envc++] = copy;
	t->envp[t->envc] = NULL;
	return 0;
}

int llmsub_set_env(struct llmsub_task *t, const char *text,
		   struct llms_error **err)
{
	const char *eq = strchr(text, '=');

	if (!eq)
		return llms_error_set(err, EINVAL,
				      "'%s': not NAME=VALUE", text);
	if (eq == text)
		return llms_error_set(err, EINVAL,
				      "'%s': the name before '=' is empty",
				      text);
	return env_put(t, text, err);
}

int llmsub_set_command(struct llmsub_task *t, char *const *argv,
		       uint32_t argc, struct llms_error **err)
{
	char **copy;
	uint32_t i;

	if (!argc)
		return llms_error_set(err, EINVAL,
				      "no command: give the program and its "
				      "arguments");
	if (!argv[0][0])
		return llms_error_set(err, EINVAL,
				      "the program (the first word) is empty");
	copy = calloc(argc + 1, sizeof(*copy));
	if (!copy)
		return llms_error_set(err, ENOMEM, "copying the command");
	for (i = 0; i < argc; i++) {
		copy[i] = strdup(argv[i]);
		if (!copy[i]) {
			while (i--)
				free(copy[i]);
			free(copy);
			return llms_error_set(err, ENOMEM,
					      "copying the command");
		}
	}
	for (i = 0; i < t->argc; i++)
		free(t->argv[i]);
	free(t->argv);
	t->argv = copy;
	t->argc = argc;
	return 0;
}

int llmsub_task_init(struct llmsub_task *t, struct llms_error **err)
{
	memset(t, 0, sizeof(*t));
	t->sub.size = sizeof(t->sub);
	t->sub.priority = LLMSCHED_PRIO_DEFAULT;
	t->sub.retries = LLMSUB_DEF_RETRIES;
	t->sub.demand[LLMSCHED_RES_CPU] = LLMSUB_DEF_CPU;
	t->sub.demand[LLMSCHED_RES_MEM] = LLMSUB_DEF_MEM;
	t->cwd = getcwd(NULL, 0);
	if (!t->cwd)
		return llms_error_set(err, errno,
				      "reading the current directory (give "
				      "--cwd)");
	return 0;
}

int llmsub_task_base_env(struct llmsub_task *t, char *const *environ,
			 bool export_env, struct llms_error **err)
{
	size_t i, j, klen;
	int ret;

	for (i = 0; i < t->envc; i++)
		free(t->envp[i]);
	free(t->envp);
	t->envp = NULL;
	t->envc = 0;
	for (i = 0; environ && environ[i]; i++) {
		const char *e = environ[i], *eq = strchr(e, '=');

		/* The payload refuses these, and so would a shell. */
		if (!eq || eq == e)
			continue;
		if (!export_env) {
			klen = (size_t)(eq - e);
			for (j = 0; llmsub_default_env[j]; j++)
				if (strlen(llmsub_default_env[j]) == klen &&
				    !strncmp(llmsub_default_env[j], e, klen))
					break;
			if (!llmsub_default_env[j])
				continue;
		}
		ret = env_put(t, e, err);
		if (ret)
			return ret;
	}
	return 0;
}

void llmsub_task_free(struct llmsub_task *t)
{
	uint32_t i;

	for (i = 0; i < t->ndeps; i++)
		free(t->deps[i].name);
	for (i = 0; i < t->argc; i++)
		free(t->argv[i]);
	free(t->argv);
	for (i = 0; i < t->envc; i++)
		free(t->envp[i]);
	free(t->envp);
	free(t->cwd);
	free(t->tag_names);
	free(t->payload);
	memset(t, 0, sizeof(*t));
}

int llmsub_task_resolve_tags(struct llmsub_task *t,
			     const struct llmsd_config *config,
			     struct llms_error **err)
{
	uint64_t bits = 0;
	int ret;

	if (!t->tag_names)
		return 0;
	ret = llmsd_tag_bits(config, t->tag_names, &bits, err);
	if (!ret)
		t->sub.tags = bits;
	return ret;
}

void llmsub_task_use_ids(struct llmsub_task *t)
{
	uint32_t i;

	for (i = 0; i < t->ndeps; i++)
		t->dep_ids[i] = t->deps[i].id;
}

int llmsub_task_finish(struct llmsub_task *t, struct llms_error **err)
{
	struct llms_payload p = { 0 };
	uint32_t i;
	int ret;

	if (!t->argc)
		return llms_error_set(err, EINVAL,
				      "no command: give it after '--' (or as "
				      "\"command\": [\"prog\", \"arg\"])");
	/*
	 * The module refuses a task with neither an estimate nor features;
	 * features alone ask it to estimate, and with neither llmsub gives
	 * the engine's own default, so that the task is placed as the engine
	 * would place one it knows nothing about.
	 */
	for (i = LLMSCHED_FEATURES_MAX; i > 0; i--)
		if (t->features_set & (1U << (i - 1)))
			break;
	t->sub.nr_features = i;
	if (!t->est_set)
		t->sub.est_runtime_ns = i ? 0 : LLMSUB_DEF_EST_NS;

	p.time_limit_ns = t->sub.time_limit_ns;
	p.label = t->sub.label;
	p.cwd = t->cwd;
	p.argc = t->argc;
	p.argv = t->argv;
	p.envc = t->envc;
	p.envp = t->envp;
	free(t->payload);
	t->payload = NULL;
	ret = llms_payload_encode(&p, &t->payload, &t->payload_len, err);
	if (ret == -E2BIG) {
		llms_error_free(err);
		return llms_error_set(err, E2BIG,
				      "the command, its environment and its "
				      "working directory take more than %d "
				      "bytes together: shorten them (without "
				      "--export-env, fewer variables go)",
				      LLMSCHED_PAYLOAD_MAX);
	}
	return ret;
}
