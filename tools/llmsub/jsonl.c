// SPDX-License-Identifier: GPL-2.0
/*
 * llmsub --file: JSON lines into a batch (jsonl.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "jsonl.h"

/* The fields a line may have, in the order the messages list them. */
static const char *const fields[] = {
	"name", "command", "priority", "cpu", "mem", "gpu", "gpu_mem", "est",
	"input_len", "model_mparams", "features", "after", "tags", "retries",
	"time_limit", "preemptible", "cwd", "env", "export_env", NULL,
};

typedef int (*setter_fn)(struct llmsub_task *t, const char *text,
			 struct llms_error **err);

/* The fields that take one value, as the flags do. */
static const struct {
	const char *name;
	setter_fn set;
} scalars[] = {
	{ "priority", llmsub_set_priority },
	{ "cpu", llmsub_set_cpu },
	{ "mem", llmsub_set_mem },
	{ "gpu", llmsub_set_gpu },
	{ "gpu_mem", llmsub_set_gpu_mem },
	{ "est", llmsub_set_est },
	{ "retries", llmsub_set_retries },
	{ "time_limit", llmsub_set_time_limit },
	{ "cwd", llmsub_set_cwd },
};

/*
 * A string's text, refused when it holds a NUL (json-c keeps "\u0000",
 * C strings would cut it short).
 */
static int string_of(struct json_object *v, const char **out,
		     struct llms_error **err)
{
	const char *s = json_object_get_string(v);

	if ((size_t)json_object_get_string_len(v) != strlen(s))
		return llms_error_set(err, EINVAL,
				      "a string with a NUL character (\\u0000)");
	*out = s;
	return 0;
}

/*
 * A string or a number, as text for a setter: numbers as they were
 * written (json-c keeps a parsed number's text), so that 0.5 is "0.5".
 */
static int text_of(struct json_object *v, const char **out,
		   struct llms_error **err)
{
	switch (json_object_get_type(v)) {
	case json_type_string:
		return string_of(v, out, err);
	case json_type_int:
	case json_type_double:
		*out = json_object_get_string(v);
		return 0;
	default:
		return llms_error_set(err, EINVAL,
				      "%s: must be a string or a number",
				      json_type_to_name(
					json_object_get_type(v)));
	}
}

static int set_command(struct llmsub_task *t, struct json_object *v,
		       struct llms_error **err)
{
	size_t n, i;
	char **argv;
	int ret = 0;

	if (!json_object_is_type(v, json_type_array) ||
	    !json_object_array_length(v))
		return llms_error_set(err, EINVAL,
				      "must be a non-empty array of strings, "
				      "e.g. [\"/bin/echo\", \"hi\"]");
	n = json_object_array_length(v);
	if (n > UINT32_MAX / 2)
		return llms_error_set(err, E2BIG, "too many arguments");
	argv = calloc(n + 1, sizeof(*argv));
	if (!argv)
		return llms_error_set(err, ENOMEM, "reading the command");
	for (i = 0; i < n && !ret; i++) {
		struct json_object *a = json_object_array_get_idx(v, i);

		if (!json_object_is_type(a, json_type_string))
			ret = llms_error_set(err, EINVAL,
					     "word %zu is %s, not a string",
					     i + 1,
					     json_type_to_name(
						json_object_get_type(a)));
		else
			ret = string_of(a, (const char **)&argv[i], err);
	}
	if (!ret)
		ret = llmsub_set_command(t, argv, (uint32_t)n, err);
	free(argv);
	return ret;
}

static int set_after(struct llmsub_task *t, struct json_object *v,
		     struct llms_error **err)
{
	struct json_object *one = v;
	size_t n = 1, i;
	const char *s = NULL;
	int ret;

	if (json_object_is_type(v, json_type_array))
		n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		if (json_object_is_type(v, json_type_array))
			one = json_object_array_get_idx(v, i);
		switch (json_object_get_type(one)) {
		case json_type_string:
			ret = string_of(one, &s, err);
			if (!ret)
				ret = llmsub_add_after_name(t, s, err);
			break;
		case json_type_int:
			ret = llmsub_add_after_id(t,
						  json_object_get_string(one),
						  err);
			break;
		default:
			ret = llms_error_set(err, EINVAL,
					     "%s: give names of other lines "
					     "(strings) or task ids (numbers)",
					     json_type_to_name(
						json_object_get_type(one)));
		}
		if (ret)
			return ret;
	}
	return 0;
}

static int set_tags(struct llmsub_task *t, struct json_object *v,
		    struct llms_error **err)
{
	size_t n, i;
	const char *s = NULL;
	int ret;

	if (json_object_is_type(v, json_type_string)) {
		ret = string_of(v, &s, err);
		return ret ? ret : llmsub_add_tags(t, s, err);
	}
	if (!json_object_is_type(v, json_type_array))
		return llms_error_set(err, EINVAL,
				      "must be an array of tag names (or one "
				      "comma-separated string)");
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		struct json_object *a = json_object_array_get_idx(v, i);

		if (!json_object_is_type(a, json_type_string))
			return llms_error_set(err, EINVAL,
					      "tag %zu is not a string", i + 1);
		ret = string_of(a, &s, err);
		if (!ret)
			ret = llmsub_add_tags(t, s, err);
		if (ret)
			return ret;
	}
	return 0;
}

/* {"input-len": 100, "5": 7}: the keys of --feature K=V. */
static int set_features(struct llmsub_task *t, struct json_object *v,
			struct llms_error **err)
{
	char kv[256];
	const char *s = NULL;
	int ret;

	if (!json_object_is_type(v, json_type_object))
		return llms_error_set(err, EINVAL,
				      "must be an object of slots and values, "
				      "e.g. {\"input-len\": 1200, \"3\": 7}");
	json_object_object_foreach(v, key, val) {
		ret = text_of(val, &s, err);
		if (ret)
			return llms_error_prefix(err, "\"%s\"", key);
		if ((size_t)snprintf(kv, sizeof(kv), "%s=%s", key, s) >=
		    sizeof(kv))
			return llms_error_set(err, EINVAL,
					      "\"%s\": too long", key);
		ret = llmsub_set_feature_kv(t, kv, err);
		if (ret)
			return ret;
	}
	return 0;
}

static int set_env(struct llmsub_task *t, struct json_object *v,
		   struct llms_error **err)
{
	char *kv;
	const char *s = NULL;
	int ret;

	if (!json_object_is_type(v, json_type_object))
		return llms_error_set(err, EINVAL,
				      "must be an object of strings, e.g. "
				      "{\"OMP_NUM_THREADS\": \"4\"}");
	json_object_object_foreach(v, key, val) {
		if (!json_object_is_type(val, json_type_string))
			return llms_error_set(err, EINVAL,
					      "\"%s\": the value must be a "
					      "string", key);
		ret = string_of(val, &s, err);
		if (ret)
			return llms_error_prefix(err, "\"%s\"", key);
		if (strchr(key, '='))
			return llms_error_set(err, EINVAL,
					      "\"%s\": a name with '='", key);
		if (asprintf(&kv, "%s=%s", key, s) < 0)
			return llms_error_set(err, ENOMEM,
					      "copying the environment");
		ret = llmsub_set_env(t, kv, err);
		free(kv);
		if (ret)
			return ret;
	}
	return 0;
}

static int get_bool(struct json_object *v, bool *out,
		    struct llms_error **err)
{
	if (!json_object_is_type(v, json_type_boolean))
		return llms_error_set(err, EINVAL,
				      "must be true or false, not %s",
				      json_object_to_json_string(v));
	*out = json_object_get_boolean(v);
	return 0;
}

/* Every field of @obj into @t; the message without the line. */
static int read_fields(struct json_object *obj, char *const *environ,
		       bool export_env, struct llmsub_task *t,
		       const char **field, struct llms_error **err)
{
	struct json_object *v;
	const char *s = NULL;
	bool b;
	size_t i;
	int ret;

	json_object_object_foreach(obj, key, val) {
		(void)val;
		for (i = 0; fields[i]; i++)
			if (!strcmp(key, fields[i]))
				break;
		if (!fields[i]) {
			*field = key;
			return llms_error_set(err, EINVAL,
					      "unknown field: a line has name, "
					      "command, priority, cpu, mem, gpu, "
					      "gpu_mem, est, input_len, "
					      "model_mparams, features, after, "
					      "tags, retries, time_limit, "
					      "preemptible, cwd, env, "
					      "export_env");
		}
	}

	/* The environment first: "env" goes over it. */
	*field = "export_env";
	if (json_object_object_get_ex(obj, "export_env", &v)) {
		ret = get_bool(v, &b, err);
		if (ret)
			return ret;
		export_env = export_env || b;
	}
	ret = llmsub_task_base_env(t, environ, export_env, err);
	if (ret)
		return ret;

	*field = "name";
	if (json_object_object_get_ex(obj, "name", &v)) {
		if (!json_object_is_type(v, json_type_string))
			return llms_error_set(err, EINVAL,
					      "must be a string");
		ret = string_of(v, &s, err);
		if (!ret)
			ret = llmsub_set_name(t, s, err);
		if (ret)
			return ret;
	}
	*field = "command";
	if (!json_object_object_get_ex(obj, "command", &v))
		return llms_error_set(err, EINVAL,
				      "missing: every line gives its command, "
				      "e.g. \"command\": [\"/bin/echo\", "
				      "\"hi\"]");
	ret = set_command(t, v, err);
	if (ret)
		return ret;
	for (i = 0; i < sizeof(scalars) / sizeof(scalars[0]); i++) {
		*field = scalars[i].name;
		if (!json_object_object_get_ex(obj, scalars[i].name, &v))
			continue;
		ret = text_of(v, &s, err);
		if (!ret)
			ret = scalars[i].set(t, s, err);
		if (ret)
			return ret;
	}
	*field = "input_len";
	if (json_object_object_get_ex(obj, "input_len", &v)) {
		ret = text_of(v, &s, err);
		if (!ret)
			ret = llmsub_set_feature(t, LLMSUB_FEAT_INPUT_LEN, s,
						 err);
		if (ret)
			return ret;
	}
	*field = "model_mparams";
	if (json_object_object_get_ex(obj, "model_mparams", &v)) {
		ret = text_of(v, &s, err);
		if (!ret)
			ret = llmsub_set_feature(t, LLMSUB_FEAT_MODEL_MPARAMS,
						 s, err);
		if (ret)
			return ret;
	}
	*field = "features";
	if (json_object_object_get_ex(obj, "features", &v)) {
		ret = set_features(t, v, err);
		if (ret)
			return ret;
	}
	*field = "after";
	if (json_object_object_get_ex(obj, "after", &v)) {
		ret = set_after(t, v, err);
		if (ret)
			return ret;
	}
	*field = "tags";
	if (json_object_object_get_ex(obj, "tags", &v)) {
		ret = set_tags(t, v, err);
		if (ret)
			return ret;
	}
	*field = "preemptible";
	if (json_object_object_get_ex(obj, "preemptible", &v)) {
		ret = get_bool(v, &b, err);
		if (ret)
			return ret;
		if (b)
			t->sub.flags |= LLMSCHED_SUBMIT_PREEMPTIBLE;
	}
	*field = "env";
	if (json_object_object_get_ex(obj, "env", &v)) {
		ret = set_env(t, v, err);
		if (ret)
			return ret;
	}
	*field = NULL;
	return 0;
}

int llmsub_jsonl_line(const char *fname, unsigned int line, const char *text,
		      char *const *environ, bool export_env,
		      struct llmsub_task *t, struct llms_error **err)
{
	struct json_tokener *tok;
	struct json_object *obj;
	enum json_tokener_error jerr;
	const char *p = text, *field = NULL;
	size_t len = strlen(text), end;
	int ret;

	while (*p == ' ' || *p == '\t' || *p == '\r')
		p++;
	if (!*p || *p == '#')
		return 1;
	tok = json_tokener_new();
	if (!tok)
		return llms_error_set(err, ENOMEM, "%s:%u: reading JSON", fname,
				      line);
	obj = json_tokener_parse_ex(tok, text, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (jerr == json_tokener_continue) {
		json_object_put(obj);
		return llms_error_set(err, EINVAL,
				      "%s:%u: the line ends inside a JSON "
				      "value (each task is one whole line)",
				      fname, line);
	}
	if (jerr != json_tokener_success) {
		json_object_put(obj);
		return llms_error_set(err, EINVAL,
				      "%s:%u: column %zu: not JSON: %s", fname,
				      line, end + 1,
				      json_tokener_error_desc(jerr));
	}
	for (; end < len; end++) {
		if (text[end] != ' ' && text[end] != '\t' &&
		    text[end] != '\r') {
			json_object_put(obj);
			return llms_error_set(err, EINVAL,
					      "%s:%u: column %zu: more after "
					      "the task's object (one task a "
					      "line)", fname, line, end + 1);
		}
	}
	if (!json_object_is_type(obj, json_type_object)) {
		ret = llms_error_set(err, EINVAL,
				     "%s:%u: a line is a JSON object of one "
				     "task's fields, not %s", fname, line,
				     json_type_to_name(
					json_object_get_type(obj)));
		json_object_put(obj);
		return ret;
	}

	ret = llmsub_task_init(t, err);
	if (!ret) {
		t->line = line;
		ret = read_fields(obj, environ, export_env, t, &field, err);
	}
	if (!ret)
		ret = llmsub_task_finish(t, err);
	if (ret) {
		if (field)
			llms_error_prefix(err, "%s:%u: field \"%s\"", fname,
					  line, field);
		else
			llms_error_prefix(err, "%s:%u", fname, line);
		llmsub_task_free(t);
	}
	json_object_put(obj);
	return ret;
}

void llmsub_batch_free(struct llmsub_batch *b)
{
	size_t i;

	for (i = 0; i < b->count; i++)
		llmsub_task_free(&b->tasks[i]);
	free(b->tasks);
	free(b->line_pos);
	memset(b, 0, sizeof(*b));
}

int llmsub_jsonl_read(FILE *f, const char *fname, char *const *environ,
		      bool export_env, struct llmsub_batch *b,
		      struct llms_error **err)
{
	size_t cap = 0, size = 0;
	unsigned int line = 0;
	struct llmsub_task t;
	char *text = NULL;
	ssize_t n;
	int ret = 0;

	memset(b, 0, sizeof(*b));
	errno = 0;
	while ((n = getline(&text, &size, f)) >= 0) {
		line++;
		if (n && text[n - 1] == '\n')
			text[--n] = '\0';
		if (strlen(text) != (size_t)n) {
			ret = llms_error_set(err, EINVAL,
					     "%s:%u: a NUL byte in the line",
					     fname, line);
			goto fail;
		}
		ret = llmsub_jsonl_line(fname, line, text, environ, export_env,
					&t, err);
		if (ret == 1)
			continue;
		if (ret)
			goto fail;
		if (b->count == LLMSCHED_BATCH_MAX) {
			llmsub_task_free(&t);
			ret = llms_error_set(err, EINVAL,
					     "%s:%u: more than %u tasks: a batch "
					     "holds at most %u (split the file)",
					     fname, line, LLMSCHED_BATCH_MAX,
					     LLMSCHED_BATCH_MAX);
			goto fail;
		}
		if (b->count == cap) {
			struct llmsub_task *grown;

			cap = cap ? cap * 2 : 16;
			grown = realloc(b->tasks, cap * sizeof(*grown));
			if (!grown) {
				llmsub_task_free(&t);
				ret = llms_error_set(err, ENOMEM,
						     "%s:%u: reading", fname,
						     line);
				goto fail;
			}
			b->tasks = grown;
		}
		b->tasks[b->count++] = t;
		errno = 0;
	}
	if (ferror(f)) {
		ret = llms_error_set(err, errno ? errno : EIO, "reading %s",
				     fname);
		goto fail;
	}
	if (!b->count) {
		ret = llms_error_set(err, EINVAL,
				     "%s: no task in the file (one JSON object "
				     "a line)", fname);
		goto fail;
	}
	free(text);
	ret = llmsub_batch_resolve(b, fname, err);
	if (ret)
		llmsub_batch_free(b);
	return ret;
fail:
	free(text);
	llmsub_batch_free(b);
	return ret;
}

/* The index of the task named @name, or -1. */
static long find_name(const struct llmsub_batch *b, const char *name)
{
	size_t i;

	for (i = 0; i < b->count; i++)
		if (!strcmp(b->tasks[i].sub.label, name))
			return (long)i;
	return -1;
}

/* Name a cycle among the tasks not placed (@placed false), from @start. */
static int report_cycle(const struct llmsub_batch *b, const char *fname,
			const bool *placed, size_t start,
			struct llms_error **err)
{
	size_t *path, len = 0, i, j, at = start;
	char text[512];
	int off = 0;
	long dep;

	path = calloc(b->count + 1, sizeof(*path));
	if (!path)
		return llms_error_set(err, ENOMEM, "%s: reading", fname);
	/*
	 * Each unplaced task waits for at least one unplaced task, so
	 * walking those links must come back to a task already walked.
	 */
	for (;;) {
		for (i = 0; i < len; i++)
			if (path[i] == at)
				goto found;
		path[len++] = at;
		for (j = 0; j < b->tasks[at].ndeps; j++) {
			if (!b->tasks[at].deps[j].name)
				continue;
			dep = find_name(b, b->tasks[at].deps[j].name);
			if (!placed[dep]) {
				at = (size_t)dep;
				break;
			}
		}
	}
found:
	for (j = i; j < len && off < (int)sizeof(text) - 64; j++)
		off += snprintf(text + off, sizeof(text) - (size_t)off,
				"line %u ('%s') waits for ",
				b->tasks[path[j]].line,
				b->tasks[path[j]].sub.label);
	snprintf(text + off, sizeof(text) - (size_t)off, "line %u",
		 b->tasks[path[i]].line);
	free(path);
	return llms_error_set(err, EINVAL,
			      "%s:%u: field \"after\": a cycle: %s; a task "
			      "cannot wait for itself", fname,
			      b->tasks[start].line, text);
}

int llmsub_batch_resolve(struct llmsub_batch *b, const char *fname,
			 struct llms_error **err)
{
	size_t *pending = NULL, *order = NULL, *queue = NULL;
	size_t n = b->count, i, j, k, head = 0, tail = 0, placed_n = 0;
	struct llmsub_task *sorted = NULL;
	bool *placed = NULL;
	int ret = 0;
	long dep;

	/* Names: unique, and every one waited for exists. */
	for (i = 0; i < n; i++) {
		if (!b->tasks[i].sub.label[0])
			continue;
		dep = find_name(b, b->tasks[i].sub.label);
		if ((size_t)dep != i)
			return llms_error_set(err, EINVAL,
					      "%s:%u: field \"name\": '%s' is "
					      "also the name of line %u: names "
					      "in a file are unique",
					      fname, b->tasks[i].line,
					      b->tasks[i].sub.label,
					      b->tasks[dep].line);
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < b->tasks[i].ndeps; j++) {
			const char *name = b->tasks[i].deps[j].name;

			if (!name)
				continue;
			dep = find_name(b, name);
			if (dep < 0)
				return llms_error_set(err, EINVAL,
						      "%s:%u: field \"after\": "
						      "no line is named '%s'",
						      fname, b->tasks[i].line,
						      name);
			if ((size_t)dep == i)
				return llms_error_set(err, EINVAL,
						      "%s:%u: field \"after\": "
						      "'%s' is this line "
						      "itself", fname,
						      b->tasks[i].line, name);
		}
	}

	/* Kahn's algorithm, lines in file order among those ready. */
	pending = calloc(n, sizeof(*pending));
	order = calloc(n, sizeof(*order));
	queue = calloc(n, sizeof(*queue));
	placed = calloc(n, sizeof(*placed));
	sorted = calloc(n, sizeof(*sorted));
	b->line_pos = calloc(n, sizeof(*b->line_pos));
	if (!pending || !order || !queue || !placed || !sorted ||
	    !b->line_pos) {
		ret = llms_error_set(err, ENOMEM, "%s: ordering the tasks",
				     fname);
		goto out;
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < b->tasks[i].ndeps; j++)
			pending[i] += b->tasks[i].deps[j].name != NULL;
		if (!pending[i])
			queue[tail++] = i;
	}
	while (head < tail) {
		i = queue[head++];
		placed[i] = true;
		order[placed_n++] = i;
		/* Those waiting for i have one fewer to wait for. */
		for (k = 0; k < n; k++) {
			if (placed[k] || !pending[k])
				continue;
			for (j = 0; j < b->tasks[k].ndeps; j++) {
				const char *name = b->tasks[k].deps[j].name;

				if (name && b->tasks[i].sub.label[0] &&
				    !strcmp(name, b->tasks[i].sub.label) &&
				    !--pending[k])
					queue[tail++] = k;
			}
		}
	}
	if (placed_n < n) {
		for (i = 0; placed[i]; i++)
			;
		ret = report_cycle(b, fname, placed, i, err);
		goto out;
	}

	for (i = 0; i < n; i++)
		b->line_pos[order[i]] = i;
	for (i = 0; i < n; i++) {
		struct llmsub_task *t = &b->tasks[order[i]];

		for (j = 0; j < t->ndeps; j++)
			t->dep_ids[j] = t->deps[j].name ?
				LLMSCHED_DEP_BATCH_INDEX |
				b->line_pos[find_name(b, t->deps[j].name)] :
				t->deps[j].id;
		sorted[i] = *t;
	}
	free(b->tasks);
	b->tasks = sorted;
	sorted = NULL;
out:
	if (ret) {
		free(b->line_pos);
		b->line_pos = NULL;
	}
	free(pending);
	free(order);
	free(queue);
	free(placed);
	free(sorted);
	return ret;
}
