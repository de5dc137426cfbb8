// SPDX-License-Identifier: GPL-2.0
/*
 * One task as llmctl's JSON (llmctl-json/task.schema.json, the entries of
 * tasks.schema.json), two ways that must give the same document: a json-c
 * tree, for --pretty and `task ID`, and a direct writer for the plain
 * `tasks --json`, which with 100,000 tasks would otherwise spend most of
 * its time and hundreds of megabytes building trees.  unit-llmctl checks
 * that the two agree.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common.h"

const char *llmctl_task_label(const struct llmsched_task_info *t, char *buf)
{
	memcpy(buf, t->label, LLMSCHED_LABEL_MAX);
	buf[LLMSCHED_LABEL_MAX - 1] = '\0';
	return buf;
}

struct json_object *llmctl_task_json(const struct llmsd_config *c,
				     const struct llmsched_task_info *t)
{
	struct json_object *o = json_object_new_object();
	char label[LLMSCHED_LABEL_MAX];

	json_object_object_add(o, "id", llmctl_json_u64(t->task_id));
	json_object_object_add(o, "label",
			       json_object_new_string(llmctl_task_label(t, label)));
	json_object_object_add(o, "uid", llmctl_json_u64(t->owner_uid));
	json_object_object_add(o, "user", json_object_new_string(
				llmctl_user_name(t->owner_uid)));
	json_object_object_add(o, "priority", llmctl_json_u64(t->priority));
	json_object_object_add(o, "state", json_object_new_string(
				llms_task_state_name(t->state)));
	json_object_object_add(o, "reason", json_object_new_string(
				llms_task_reason_name(t->reason)));
	json_object_object_add(o, "wait", json_object_new_string(
				llms_wait_name(t->wait)));
	json_object_object_add(o, "agent_id", llmctl_json_u64(t->agent_id));
	json_object_object_add(o, "exit_status",
			       json_object_new_int(t->exit_status));
	json_object_object_add(o, "retries_left",
			       llmctl_json_u64(t->retries_left));
	json_object_object_add(o, "preemptible", json_object_new_boolean(
			t->submit_flags & LLMSCHED_SUBMIT_PREEMPTIBLE));
	json_object_object_add(o, "fetched", json_object_new_boolean(
			t->flags & LLMSCHED_INFO_FETCHED));
	json_object_object_add(o, "submit_ns", llmctl_json_u64(t->submit_ns));
	json_object_object_add(o, "start_ns", llmctl_json_u64(t->start_ns));
	json_object_object_add(o, "end_ns", llmctl_json_u64(t->end_ns));
	json_object_object_add(o, "est_runtime_ns",
			       llmctl_json_u64(t->est_runtime_ns));
	json_object_object_add(o, "runtime_ns", llmctl_json_u64(t->runtime_ns));
	json_object_object_add(o, "time_limit_ns",
			       llmctl_json_u64(t->time_limit_ns));
	json_object_object_add(o, "demand", llmctl_json_res(t->demand));
	json_object_object_add(o, "tags", llmctl_json_tags(c, t->tags));
	json_object_object_add(o, "nr_deps", llmctl_json_u64(t->nr_deps));
	json_object_object_add(o, "payload_len",
			       llmctl_json_u64(t->payload_len));
	return o;
}

/* @s as a JSON string, as json-c writes it (no escaping of '/'). */
static void json_string(FILE *out, const char *s)
{
	putc('"', out);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", out);
		else if (ch == '\t')
			fputs("\\t", out);
		else if (ch == '\r')
			fputs("\\r", out);
		else if (ch == '\b')
			fputs("\\b", out);
		else if (ch == '\f')
			fputs("\\f", out);
		else if (ch < 0x20)
			fprintf(out, "\\u%04x", ch);
		else
			putc(ch, out);
	}
	putc('"', out);
}

static void key_u64(FILE *out, const char *key, unsigned long long v)
{
	fprintf(out, ",\"%s\":%llu", key, v);
}

static void key_str(FILE *out, const char *key, const char *v)
{
	fprintf(out, ",\"%s\":", key);
	json_string(out, v);
}

static void key_bool(FILE *out, const char *key, bool v)
{
	fprintf(out, ",\"%s\":%s", key, v ? "true" : "false");
}

void llmctl_task_json_write(FILE *out, const struct llmsd_config *c,
			    const struct llmsched_task_info *t)
{
	char label[LLMSCHED_LABEL_MAX];
	struct json_object *tags;

	fprintf(out, "{\"id\":%llu", (unsigned long long)t->task_id);
	key_str(out, "label", llmctl_task_label(t, label));
	key_u64(out, "uid", t->owner_uid);
	key_str(out, "user", llmctl_user_name(t->owner_uid));
	key_u64(out, "priority", t->priority);
	key_str(out, "state", llms_task_state_name(t->state));
	key_str(out, "reason", llms_task_reason_name(t->reason));
	key_str(out, "wait", llms_wait_name(t->wait));
	key_u64(out, "agent_id", t->agent_id);
	fprintf(out, ",\"exit_status\":%d", t->exit_status);
	key_u64(out, "retries_left", t->retries_left);
	key_bool(out, "preemptible",
		 t->submit_flags & LLMSCHED_SUBMIT_PREEMPTIBLE);
	key_bool(out, "fetched", t->flags & LLMSCHED_INFO_FETCHED);
	key_u64(out, "submit_ns", t->submit_ns);
	key_u64(out, "start_ns", t->start_ns);
	key_u64(out, "end_ns", t->end_ns);
	key_u64(out, "est_runtime_ns", t->est_runtime_ns);
	key_u64(out, "runtime_ns", t->runtime_ns);
	key_u64(out, "time_limit_ns", t->time_limit_ns);
	fprintf(out, ",\"demand\":{\"cpu_mcpu\":%llu,\"mem_bytes\":%llu,"
		"\"gpu\":%llu,\"gpu_mem_bytes\":%llu}",
		(unsigned long long)t->demand[LLMSCHED_RES_CPU],
		(unsigned long long)t->demand[LLMSCHED_RES_MEM],
		(unsigned long long)t->demand[LLMSCHED_RES_GPU],
		(unsigned long long)t->demand[LLMSCHED_RES_GPU_MEM]);
	if (!t->tags) {
		fputs(",\"tags\":[]", out);
	} else {
		/* Rare, and names may need escaping: json-c does it. */
		tags = llmctl_json_tags(c, t->tags);
		fprintf(out, ",\"tags\":%s", json_object_to_json_string_ext(tags,
			JSON_C_TO_STRING_PLAIN |
			JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(tags);
	}
	key_u64(out, "nr_deps", t->nr_deps);
	key_u64(out, "payload_len", t->payload_len);
	putc('}', out);
}
