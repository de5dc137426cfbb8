// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for llmsub's pure parts (tools/llmsub/): the command line
 * into a struct llmsched_task_submit and its payload, every bad flag with
 * its message, JSON lines with every bad input naming its line and field,
 * dependency resolution into a batch in topological order, tags through
 * llmschedd's configuration, the explanation of a task no agent can hold,
 * and --wait's exit statuses.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "../../runtime/lib/payload.h"
#include "../../runtime/llmschedd/config.h"
#include "../../tools/llmsub/args.h"
#include "../../tools/llmsub/jsonl.h"
#include "../../tools/llmsub/report.h"

#define MAX_ARGS 64

static char *const test_env[] = {
	"PATH=/usr/bin:/bin", "HOME=/home/u", "SECRET_TOKEN=x", "LANG=C",
	"=bad", "NOEQUALS", NULL,
};

/*
 * Parse the words of @line (split at spaces; no quoting) after "llmsub";
 * the return value, the options in *@o and the error in *@err.
 */
static char *last_words;

static int parse(const char *line, struct llmsub_opts *o,
		 struct llms_error **err)
{
	char *copy = strdup(line), *argv[MAX_ARGS], *save = NULL, *w;
	int argc = 0, ret;

	argv[argc++] = "llmsub";
	for (w = strtok_r(copy, " ", &save); w && argc < MAX_ARGS - 1;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	ret = llmsub_parse_args(argc, argv, test_env, o, err);
	/* @file and @config point into the words: kept to the next call. */
	free(last_words);
	last_words = copy;
	return ret;
}

/* An environment entry of @t, NULL when none. */
static const char *env_of(const struct llmsub_task *t, const char *name)
{
	size_t len = strlen(name);
	uint32_t i;

	for (i = 0; i < t->envc; i++)
		if (!strncmp(t->envp[i], name, len) && t->envp[i][len] == '=')
			return t->envp[i] + len + 1;
	return NULL;
}

TEST(flags_fill_the_submission)
{
	struct llms_error *err = NULL;
	struct llms_payload *p = NULL;
	struct llmsub_opts o;

	ASSERT_EQ(0, parse("--priority 200 --cpu 500m --mem 1.5G --gpu 2 "
			   "--gpu-mem 40G --est 5m --after 7 --after 9 "
			   "--tag h200,nvlink --tag avx --retries 3 "
			   "--time-limit 1h -n train --preemptible "
			   "--cwd /srv --env A=1 --env PATH=/opt/bin "
			   "-- /bin/echo hi there", &o, &err))
		TH_LOG("%s", err->msg);
	EXPECT_EQ(200, o.task.sub.priority);
	EXPECT_EQ(500, o.task.sub.demand[LLMSCHED_RES_CPU]);
	EXPECT_EQ(3ULL << 29, o.task.sub.demand[LLMSCHED_RES_MEM]);
	EXPECT_EQ(2, o.task.sub.demand[LLMSCHED_RES_GPU]);
	EXPECT_EQ(40ULL << 30, o.task.sub.demand[LLMSCHED_RES_GPU_MEM]);
	EXPECT_EQ(300ULL * 1000000000, o.task.sub.est_runtime_ns);
	EXPECT_EQ(2, o.task.ndeps);
	EXPECT_EQ(7, o.task.dep_ids[0]);
	EXPECT_EQ(9, o.task.dep_ids[1]);
	EXPECT_STREQ("h200,nvlink,avx", o.task.tag_names);
	EXPECT_EQ(3, o.task.sub.retries);
	EXPECT_EQ(3600ULL * 1000000000, o.task.sub.time_limit_ns);
	EXPECT_STREQ("train", o.task.sub.label);
	EXPECT_EQ(LLMSCHED_SUBMIT_PREEMPTIBLE, o.task.sub.flags);
	EXPECT_STREQ("/srv", o.task.cwd);
	EXPECT_STREQ("1", env_of(&o.task, "A"));
	EXPECT_STREQ("/opt/bin", env_of(&o.task, "PATH"));
	EXPECT_STREQ("/home/u", env_of(&o.task, "HOME"));
	EXPECT_EQ(NULL, env_of(&o.task, "SECRET_TOKEN"));
	EXPECT_EQ(3, o.task.argc);
	EXPECT_STREQ("there", o.task.argv[2]);
	EXPECT_FALSE(o.wait);

	/* The payload carries the command, as the agent will decode it. */
	ASSERT_EQ(0, llmsub_task_finish(&o.task, &err));
	EXPECT_EQ(0, o.task.sub.nr_features);
	ASSERT_EQ(0, llms_payload_decode(o.task.payload, o.task.payload_len,
					 &p, &err));
	EXPECT_STREQ("/bin/echo", p->argv[0]);
	EXPECT_STREQ("/srv", p->cwd);
	EXPECT_STREQ("train", p->label);
	EXPECT_EQ(3600ULL * 1000000000, p->time_limit_ns);
	EXPECT_EQ(4, p->envc);
	llms_payload_free(p);
	llmsub_opts_free(&o);
}

TEST(defaults_are_the_documented_ones)
{
	struct llms_error *err = NULL;
	struct llmsub_opts o;
	char *cwd = getcwd(NULL, 0);

	ASSERT_EQ(0, parse("true", &o, &err));
	EXPECT_EQ(LLMSCHED_PRIO_DEFAULT, o.task.sub.priority);
	EXPECT_EQ(LLMSUB_DEF_CPU, o.task.sub.demand[LLMSCHED_RES_CPU]);
	EXPECT_EQ(LLMSUB_DEF_MEM, o.task.sub.demand[LLMSCHED_RES_MEM]);
	EXPECT_EQ(0, o.task.sub.demand[LLMSCHED_RES_GPU]);
	EXPECT_EQ(LLMSUB_DEF_RETRIES, o.task.sub.retries);
	EXPECT_EQ(0, o.task.sub.time_limit_ns);
	EXPECT_EQ(0, o.task.sub.flags);
	EXPECT_STREQ("", o.task.sub.label);
	EXPECT_STREQ(cwd, o.task.cwd);
	/* The minimal set: what the environment has of it. */
	EXPECT_EQ(3, o.task.envc);
	EXPECT_EQ(NULL, env_of(&o.task, "SECRET_TOKEN"));
	ASSERT_EQ(0, llmsub_task_finish(&o.task, &err));
	EXPECT_EQ(LLMSUB_DEF_EST_NS, o.task.sub.est_runtime_ns);
	EXPECT_EQ(0, o.task.sub.nr_features);
	llmsub_opts_free(&o);
	free(cwd);
}

TEST(export_env_takes_the_whole_environment)
{
	struct llms_error *err = NULL;
	struct llmsub_opts o;

	/* --env before --export-env still goes over it. */
	ASSERT_EQ(0, parse("--env SECRET_TOKEN=y --export-env -- true", &o,
			   &err));
	EXPECT_STREQ("y", env_of(&o.task, "SECRET_TOKEN"));
	/* Entries the payload would refuse are left out. */
	EXPECT_EQ(4, o.task.envc);
	llmsub_opts_free(&o);
}

TEST(features_ask_the_module_to_estimate)
{
	struct llms_error *err = NULL;
	struct llmsub_opts o;

	ASSERT_EQ(0, parse("--input-len 1200 --model-mparams 7000 "
			   "--feature output-tokens=50 --feature 5=9 -- true",
			   &o, &err));
	ASSERT_EQ(0, llmsub_task_finish(&o.task, &err));
	EXPECT_EQ(0, o.task.sub.est_runtime_ns);
	EXPECT_EQ(6, o.task.sub.nr_features);
	EXPECT_EQ(1200, o.task.sub.features[0]);
	EXPECT_EQ(7000, o.task.sub.features[1]);
	EXPECT_EQ(50, o.task.sub.features[2]);
	EXPECT_EQ(0, o.task.sub.features[3]);
	EXPECT_EQ(9, o.task.sub.features[5]);
	llmsub_opts_free(&o);

	/* --est wins over the features for the scheduler. */
	ASSERT_EQ(0, parse("--input-len 5 --est 10s -- true", &o, &err));
	ASSERT_EQ(0, llmsub_task_finish(&o.task, &err));
	EXPECT_EQ(10ULL * 1000000000, o.task.sub.est_runtime_ns);
	EXPECT_EQ(1, o.task.sub.nr_features);
	llmsub_opts_free(&o);
}

TEST(wait_follow_file_config)
{
	struct llms_error *err = NULL;
	struct llmsub_opts o;

	ASSERT_EQ(0, parse("--follow -c /x.conf -- true", &o, &err));
	EXPECT_TRUE(o.wait);
	EXPECT_TRUE(o.follow);
	EXPECT_STREQ("/x.conf", o.config);
	llmsub_opts_free(&o);
	ASSERT_EQ(0, parse("-w --export-env -f -", &o, &err));
	EXPECT_STREQ("-", o.file);
	EXPECT_TRUE(o.export_env);
	llmsub_opts_free(&o);
	/* The first word that is not an option starts the command. */
	ASSERT_EQ(0, parse("--cpu 2 echo --cpu 3", &o, &err));
	EXPECT_EQ(2000, o.task.sub.demand[LLMSCHED_RES_CPU]);
	EXPECT_STREQ("--cpu", o.task.argv[1]);
	llmsub_opts_free(&o);
	ASSERT_EQ(0, parse("--help --cpu bad", &o, &err));
	EXPECT_TRUE(o.help);
	llmsub_opts_free(&o);
}

/* Each bad command line: the words, and what the message must hold. */
static const struct {
	const char *line;
	const char *msg;
} bad_lines[] = {
	{ "--priority 256 -- true", "--priority: '256': out of range: a priority (larger is more urgent) is 0 to 255" },
	{ "--priority -1 -- true", "--priority: '-1': not a priority" },
	{ "--priority 1x -- true", "use a whole number, 0 to 255" },
	{ "--cpu 0 -- true", "--cpu: '0'" },
	{ "--cpu abc -- true", "--cpu: 'abc': not a CPU amount: use 2, 0.5 or 500m" },
	{ "--cpu 300000000000 -- true", "--cpu: '300000000000': more than the module takes" },
	{ "--mem 4g -- true", "--mem: '4g'" },
	{ "--mem 512P -- true", "--mem: '512P': more than the module takes" },
	{ "--gpu 1025 -- true", "--gpu: '1025': out of range: a GPU count is 0 to 1024" },
	{ "--gpu-mem 1.1 -- true", "--gpu-mem: '1.1'" },
	{ "--est 0 -- true", "--est: '0': an estimate must be more than 0" },
	{ "--est 1h30m -- true", "--est: '1h30m'" },
	{ "--input-len -3 -- true", "--input-len: '-3': not a feature value" },
	{ "--feature 8=1 -- true", "--feature: '8=1': unknown feature '8': use a slot 0 to 7" },
	{ "--feature bogus=1 -- true", "unknown feature 'bogus'" },
	{ "--feature 3 -- true", "--feature: '3': not K=V" },
	{ "--feature 3=x -- true", "--feature: 'x': not a feature value" },
	{ "--after 0 -- true", "--after: '0': out of range: a task id is 1 to" },
	{ "--after abc -- true", "--after: 'abc': not a task id" },
	{ "--after 4 --after 4 -- true", "--after: '4': task 4 is given twice" },
	{ "--tag 0bad -- true", "--tag: '0bad': not a tag name" },
	{ "--tag a,,b -- true", "--tag: 'a,,b': not a tag name" },
	{ "--retries 17 -- true", "--retries: '17': out of range: a retry count (requeues when the agent is lost) is 0 to 16" },
	{ "--time-limit soon -- true", "--time-limit: 'soon'" },
	{ "-n 0123456789012345678901234567890123 -- true", "--name: '0123456789012345678901234567890123': a name is 1 to 31 characters, not 34" },
	{ "--time-limit", "--time-limit needs a value" },
	{ "--env NOEQ -- true", "--env: 'NOEQ': not NAME=VALUE" },
	{ "--env =v -- true", "--env: '=v': the name before '=' is empty" },
	{ "--bogus -- true", "unknown option '--bogus': see llmsub --help" },
	{ "--cpu", "--cpu needs a value" },
	{ "-c", "-c needs a value" },
	{ "--cpu 2", "no command: give it after the options" },
	{ "--cpu 2 -f x.jsonl", "--cpu: not with --file" },
	{ "--env A=1 -f x.jsonl", "--env: not with --file" },
	{ "-f x.jsonl extra", "'extra': no command with --file" },
	{ "--follow -f x.jsonl", "--follow: one task only, not with --file" },
};

TEST(every_bad_flag_names_itself_and_the_range)
{
	struct llms_error *err = NULL;
	struct llmsub_opts o;
	size_t i;

	for (i = 0; i < sizeof(bad_lines) / sizeof(bad_lines[0]); i++) {
		int ret = parse(bad_lines[i].line, &o, &err);

		EXPECT_TRUE(ret == -EINVAL || ret == -ERANGE)
			TH_LOG("'%s' gave %d", bad_lines[i].line, ret);
		if (!err) {
			EXPECT_NE(NULL, err) TH_LOG("'%s' set no error",
						   bad_lines[i].line);
			continue;
		}
		EXPECT_NE(NULL, strstr(err->msg, bad_lines[i].msg))
			TH_LOG("'%s': '%s' lacks '%s'", bad_lines[i].line,
			       err->msg, bad_lines[i].msg);
		llms_error_free(&err);
	}
}

TEST(a_relative_cwd_is_taken_from_here)
{
	struct llms_error *err = NULL;
	char *cwd = getcwd(NULL, 0), want[4200];
	struct llmsub_opts o;

	ASSERT_EQ(0, parse("--cwd sub/dir -- true", &o, &err));
	snprintf(want, sizeof(want), "%s/sub/dir", cwd);
	EXPECT_STREQ(want, o.task.cwd);
	llmsub_opts_free(&o);
	free(cwd);
}

TEST(a_payload_too_large_is_refused)
{
	struct llms_error *err = NULL;
	struct llmsub_opts o;
	char *big = malloc(70000);

	ASSERT_NE(NULL, big);
	ASSERT_EQ(0, parse("-- true", &o, &err));
	memset(big, 'x', 69999);
	big[0] = 'V';
	big[1] = '=';
	big[69999] = '\0';
	ASSERT_EQ(0, llmsub_set_env(&o.task, big, &err));
	EXPECT_EQ(-E2BIG, llmsub_task_finish(&o.task, &err));
	ASSERT_NE(NULL, err);
	EXPECT_NE(NULL, strstr(err->msg, "more than 65536 bytes"));
	llms_error_free(&err);
	llmsub_opts_free(&o);
	free(big);
}

/* ----------------------------------------------------------- JSON lines */

/* Read @text as the file "t.jsonl" into @b. */
static int read_text(const char *text, struct llmsub_batch *b,
		     struct llms_error **err)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int ret;

	if (!f)
		return -errno;
	ret = llmsub_jsonl_read(f, "t.jsonl", test_env, false, b, err);
	fclose(f);
	return ret;
}

/* The task of the file's line index @i (0 = first task). */
static struct llmsub_task *by_line(struct llmsub_batch *b, size_t i)
{
	return &b->tasks[b->line_pos[i]];
}

TEST(a_line_fills_every_field)
{
	struct llms_error *err = NULL;
	struct llmsub_batch b;
	struct llmsub_task *t;

	ASSERT_EQ(0, read_text(
		"# a comment, then a blank line\n"
		"\n"
		"{\"name\": \"t\", \"command\": [\"/bin/sh\", \"-c\", \"x\"], "
		"\"priority\": 7, \"cpu\": 0.5, \"mem\": \"2G\", \"gpu\": 1, "
		"\"gpu_mem\": \"1G\", \"est\": \"10s\", \"input_len\": 3, "
		"\"model_mparams\": \"4\", \"features\": {\"7\": 8}, "
		"\"after\": [12, 13], \"tags\": [\"h200\", \"a,b\"], "
		"\"retries\": 2, \"time_limit\": 30, \"preemptible\": true, "
		"\"cwd\": \"/w\", \"env\": {\"K\": \"v\", \"PATH\": \"/p\"}, "
		"\"export_env\": true}\n", &b, &err)) TH_LOG("%s", err->msg);
	ASSERT_EQ(1, b.count);
	t = by_line(&b, 0);
	EXPECT_EQ(3, t->line);
	EXPECT_STREQ("t", t->sub.label);
	EXPECT_EQ(3, t->argc);
	EXPECT_EQ(7, t->sub.priority);
	EXPECT_EQ(500, t->sub.demand[LLMSCHED_RES_CPU]);
	EXPECT_EQ(2ULL << 30, t->sub.demand[LLMSCHED_RES_MEM]);
	EXPECT_EQ(1, t->sub.demand[LLMSCHED_RES_GPU]);
	EXPECT_EQ(1ULL << 30, t->sub.demand[LLMSCHED_RES_GPU_MEM]);
	EXPECT_EQ(10ULL * 1000000000, t->sub.est_runtime_ns);
	EXPECT_EQ(8, t->sub.nr_features);
	EXPECT_EQ(3, t->sub.features[0]);
	EXPECT_EQ(4, t->sub.features[1]);
	EXPECT_EQ(8, t->sub.features[7]);
	EXPECT_EQ(2, t->ndeps);
	EXPECT_EQ(12, t->dep_ids[0]);
	EXPECT_EQ(13, t->dep_ids[1]);
	EXPECT_STREQ("h200,a,b", t->tag_names);
	EXPECT_EQ(2, t->sub.retries);
	EXPECT_EQ(30ULL * 1000000000, t->sub.time_limit_ns);
	EXPECT_EQ(LLMSCHED_SUBMIT_PREEMPTIBLE, t->sub.flags);
	EXPECT_STREQ("/w", t->cwd);
	EXPECT_STREQ("v", env_of(t, "K"));
	EXPECT_STREQ("/p", env_of(t, "PATH"));
	/* export_env: the secret came along. */
	EXPECT_STREQ("x", env_of(t, "SECRET_TOKEN"));
	EXPECT_NE(NULL, t->payload);
	llmsub_batch_free(&b);
}

/* Each bad file: its text, and what the message must hold. */
static const struct {
	const char *text;
	const char *msg;
} bad_files[] = {
	{ "", "t.jsonl: no task in the file" },
	{ "# only a comment\n\n", "t.jsonl: no task in the file" },
	{ "{\"command\": [\"a\"]}\n{\"command\": [\"b\"]\n",
	  "t.jsonl:2: the line ends inside a JSON value" },
	{ "{\"command\": [\"a\"]} x\n", "t.jsonl:1: column 20: more after the task's object" },
	{ "{\"command\": [\"a\"]}{}\n", "t.jsonl:1: column 19: more after" },
	{ "{command: 1}\n", "t.jsonl:1: column 2: not JSON" },
	{ "[\"a\"]\n", "t.jsonl:1: a line is a JSON object of one task's fields, not array" },
	{ "{}\n", "t.jsonl:1: field \"command\": missing" },
	{ "{\"command\": []}\n", "t.jsonl:1: field \"command\": must be a non-empty array of strings" },
	{ "{\"command\": \"echo hi\"}\n", "field \"command\": must be a non-empty array" },
	{ "{\"command\": [\"a\", 3]}\n", "t.jsonl:1: field \"command\": word 2 is int, not a string" },
	{ "{\"command\": [\"\"]}\n", "field \"command\": the program (the first word) is empty" },
	{ "{\"command\": [\"a\\u0000b\"]}\n", "field \"command\": a string with a NUL character" },
	{ "{\"command\": [\"a\"], \"cpus\": 2}\n", "t.jsonl:1: field \"cpus\": unknown field: a line has name, command" },
	{ "{\"command\": [\"a\"], \"name\": 3}\n", "field \"name\": must be a string" },
	{ "{\"command\": [\"a\"], \"name\": \"\"}\n", "field \"name\": '': a name is 1 to 31 characters" },
	{ "{\"command\": [\"a\"], \"name\": \"a\\tb\"}\n", "field \"name\": 'a\tb': a name is printable ASCII" },
	{ "{\"command\": [\"a\"], \"priority\": 300}\n", "t.jsonl:1: field \"priority\": '300': out of range" },
	{ "{\"command\": [\"a\"], \"priority\": true}\n", "field \"priority\": boolean: must be a string or a number" },
	{ "{\"command\": [\"a\"], \"cpu\": \"abc\"}\n", "t.jsonl:1: field \"cpu\": 'abc': not a CPU amount: use 2, 0.5 or 500m" },
	{ "{\"command\": [\"a\"], \"cpu\": -1}\n", "field \"cpu\": '-1'" },
	{ "{\"command\": [\"a\"], \"mem\": \"lots\"}\n", "field \"mem\": 'lots'" },
	{ "{\"command\": [\"a\"], \"mem\": null}\n", "field \"mem\": null: must be a string or a number" },
	{ "{\"command\": [\"a\"], \"gpu\": 2000}\n", "field \"gpu\": '2000': out of range" },
	{ "{\"command\": [\"a\"], \"gpu_mem\": \"1.1\"}\n", "field \"gpu_mem\": '1.1'" },
	{ "{\"command\": [\"a\"], \"est\": \"0s\"}\n", "field \"est\": '0s': an estimate must be more than 0" },
	{ "{\"command\": [\"a\"], \"input_len\": 1.5}\n", "field \"input_len\": '1.5': not a feature value" },
	{ "{\"command\": [\"a\"], \"model_mparams\": [1]}\n", "field \"model_mparams\": array" },
	{ "{\"command\": [\"a\"], \"features\": [1]}\n", "field \"features\": must be an object" },
	{ "{\"command\": [\"a\"], \"features\": {\"9\": 1}}\n", "field \"features\": '9=1': unknown feature '9'" },
	{ "{\"command\": [\"a\"], \"features\": {\"1\": \"x\"}}\n", "field \"features\": 'x': not a feature value" },
	{ "{\"command\": [\"a\"], \"after\": [true]}\n", "field \"after\": boolean: give names of other lines" },
	{ "{\"command\": [\"a\"], \"after\": [0]}\n", "field \"after\": '0': out of range: a task id" },
	{ "{\"command\": [\"a\"], \"after\": [\"\"]}\n", "field \"after\": an empty name" },
	{ "{\"name\": \"x\", \"command\": [\"a\"]}\n{\"command\": [\"a\"], \"after\": [\"x\", \"x\"]}\n", "t.jsonl:2: field \"after\": 'x' is given twice" },
	{ "{\"command\": [\"a\"], \"tags\": 5}\n", "field \"tags\": must be an array of tag names" },
	{ "{\"command\": [\"a\"], \"tags\": [\"ok\", 5]}\n", "field \"tags\": tag 2 is not a string" },
	{ "{\"command\": [\"a\"], \"tags\": [\"9lives\"]}\n", "field \"tags\": '9lives': not a tag name" },
	{ "{\"command\": [\"a\"], \"retries\": 99}\n", "field \"retries\": '99': out of range" },
	{ "{\"command\": [\"a\"], \"time_limit\": \"1x\"}\n", "field \"time_limit\": '1x'" },
	{ "{\"command\": [\"a\"], \"preemptible\": 1}\n", "field \"preemptible\": must be true or false, not 1" },
	{ "{\"command\": [\"a\"], \"export_env\": \"yes\"}\n", "field \"export_env\": must be true or false" },
	{ "{\"command\": [\"a\"], \"cwd\": \"\"}\n", "field \"cwd\": an empty path" },
	{ "{\"command\": [\"a\"], \"env\": [\"A=1\"]}\n", "field \"env\": must be an object of strings" },
	{ "{\"command\": [\"a\"], \"env\": {\"A\": 1}}\n", "field \"env\": \"A\": the value must be a string" },
	{ "{\"command\": [\"a\"], \"env\": {\"\": \"1\"}}\n", "field \"env\": '=1': the name before '=' is empty" },
	{ "{\"command\": [\"a\"], \"env\": {\"A=B\": \"1\"}}\n", "field \"env\": \"A=B\": a name with '='" },
	/* Names and dependencies. */
	{ "{\"name\": \"a\", \"command\": [\"x\"]}\n{\"name\": \"a\", \"command\": [\"y\"]}\n",
	  "t.jsonl:2: field \"name\": 'a' is also the name of line 1" },
	{ "{\"command\": [\"x\"], \"after\": [\"nope\"]}\n", "t.jsonl:1: field \"after\": no line is named 'nope'" },
	{ "{\"name\": \"me\", \"command\": [\"x\"], \"after\": \"me\"}\n", "t.jsonl:1: field \"after\": 'me' is this line itself" },
	{ "{\"name\": \"a\", \"command\": [\"x\"], \"after\": [\"c\"]}\n"
	  "{\"name\": \"b\", \"command\": [\"x\"], \"after\": [\"a\"]}\n"
	  "{\"name\": \"c\", \"command\": [\"x\"], \"after\": [\"b\"]}\n"
	  "{\"name\": \"d\", \"command\": [\"x\"]}\n",
	  "t.jsonl:1: field \"after\": a cycle: line 1 ('a') waits for line 3 ('c') waits for line 2 ('b') waits for line 1" },
};

TEST(every_bad_line_names_its_line_and_field)
{
	struct llms_error *err = NULL;
	struct llmsub_batch b;
	size_t i;

	for (i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++) {
		int ret = read_text(bad_files[i].text, &b, &err);

		EXPECT_TRUE(ret == -EINVAL || ret == -ERANGE)
			TH_LOG("file %zu gave %d", i, ret);
		/* Nothing is kept of a bad file. */
		EXPECT_EQ(0, b.count);
		EXPECT_EQ(NULL, b.tasks);
		if (!err) {
			EXPECT_NE(NULL, err) TH_LOG("file %zu: no error", i);
			continue;
		}
		EXPECT_NE(NULL, strstr(err->msg, bad_files[i].msg))
			TH_LOG("file %zu: '%s' lacks '%s'", i, err->msg,
			       bad_files[i].msg);
		llms_error_free(&err);
	}
}

TEST(a_nul_byte_in_a_line_is_refused)
{
	static const char text[] = "{\"command\": [\"a\"]}\n{\"com\0\"}\n";
	struct llms_error *err = NULL;
	struct llmsub_batch b;
	FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");

	ASSERT_NE(NULL, f);
	EXPECT_EQ(-EINVAL, llmsub_jsonl_read(f, "t.jsonl", test_env, false,
					     &b, &err));
	fclose(f);
	ASSERT_NE(NULL, err);
	EXPECT_STREQ("t.jsonl:2: a NUL byte in the line", err->msg);
	llms_error_free(&err);
}

TEST(too_many_lines_for_one_batch)
{
	struct llms_error *err = NULL;
	struct llmsub_batch b;
	const char *line = "{\"command\": [\"a\"]}\n";
	size_t len = strlen(line), i;
	char *text = malloc(len * (LLMSCHED_BATCH_MAX + 1) + 1);

	ASSERT_NE(NULL, text);
	for (i = 0; i <= LLMSCHED_BATCH_MAX; i++)
		memcpy(text + i * len, line, len);
	text[len * (LLMSCHED_BATCH_MAX + 1)] = '\0';
	EXPECT_EQ(-EINVAL, read_text(text, &b, &err));
	ASSERT_NE(NULL, err);
	EXPECT_STREQ("t.jsonl:4097: more than 4096 tasks: a batch holds at "
		     "most 4096 (split the file)", err->msg);
	llms_error_free(&err);
	/* One fewer is one batch. */
	text[len * LLMSCHED_BATCH_MAX] = '\0';
	ASSERT_EQ(0, read_text(text, &b, &err));
	EXPECT_EQ(LLMSCHED_BATCH_MAX, b.count);
	llmsub_batch_free(&b);
	free(text);
}

TEST(forward_references_are_put_in_topological_order)
{
	struct llms_error *err = NULL;
	struct llmsub_batch b;
	struct llmsub_task *join, *left, *right, *root;

	/* A diamond written bottom up, with an old task's id mixed in. */
	ASSERT_EQ(0, read_text(
		"{\"name\": \"join\", \"command\": [\"j\"], "
		"\"after\": [\"left\", \"right\", 40]}\n"
		"{\"name\": \"left\", \"command\": [\"l\"], \"after\": \"root\"}\n"
		"{\"name\": \"right\", \"command\": [\"r\"], \"after\": [\"root\"]}\n"
		"{\"name\": \"root\", \"command\": [\"x\"]}\n"
		"{\"command\": [\"alone\"]}\n", &b, &err))
		TH_LOG("%s", err->msg);
	ASSERT_EQ(5, b.count);
	join = by_line(&b, 0);
	left = by_line(&b, 1);
	right = by_line(&b, 2);
	root = by_line(&b, 3);
	EXPECT_STREQ("join", join->sub.label);
	EXPECT_STREQ("root", root->sub.label);
	/* Those ready from the start come first, in file order. */
	EXPECT_EQ(0, b.line_pos[3]);
	EXPECT_EQ(1, b.line_pos[4]);
	EXPECT_EQ(4, b.line_pos[0]);
	EXPECT_LT(b.line_pos[3], b.line_pos[1]);
	EXPECT_LT(b.line_pos[2], b.line_pos[0]);
	EXPECT_EQ(LLMSCHED_DEP_BATCH_INDEX | b.line_pos[3], left->dep_ids[0]);
	EXPECT_EQ(LLMSCHED_DEP_BATCH_INDEX | b.line_pos[3], right->dep_ids[0]);
	EXPECT_EQ(3, join->ndeps);
	EXPECT_EQ(LLMSCHED_DEP_BATCH_INDEX | b.line_pos[1], join->dep_ids[0]);
	EXPECT_EQ(LLMSCHED_DEP_BATCH_INDEX | b.line_pos[2], join->dep_ids[1]);
	EXPECT_EQ(40, join->dep_ids[2]);
	EXPECT_EQ(0, root->ndeps);
	llmsub_batch_free(&b);
}

TEST(a_long_chain_written_backwards)
{
	struct llms_error *err = NULL;
	struct llmsub_batch b;
	size_t n = 300, i, off = 0;
	char *text = malloc(n * 80);

	ASSERT_NE(NULL, text);
	/* t0 waits for t1, ... t298 for t299: the file runs backwards. */
	for (i = 0; i < n; i++) {
		if (i + 1 < n)
			off += (size_t)sprintf(text + off,
				"{\"name\": \"t%zu\", \"command\": [\"x\"], "
				"\"after\": \"t%zu\"}\n", i, i + 1);
		else
			off += (size_t)sprintf(text + off,
				"{\"name\": \"t%zu\", \"command\": [\"x\"]}\n",
				i);
	}
	ASSERT_EQ(0, read_text(text, &b, &err));
	for (i = 0; i < n; i++) {
		EXPECT_EQ(n - 1 - i, b.line_pos[i]);
		if (i + 1 < n)
			EXPECT_EQ(LLMSCHED_DEP_BATCH_INDEX | (n - 2 - i),
				  by_line(&b, i)->dep_ids[0]);
	}
	llmsub_batch_free(&b);
	free(text);
}

/* ----------------------------------------------------------------- tags */

TEST(tags_come_from_the_runtime_configuration)
{
	char dir[] = "/tmp/llmsub-unit-XXXXXX", path[64];
	struct llms_error *err = NULL;
	struct llmsd_config c;
	struct llmsub_opts o;
	FILE *f;

	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/llmschedd.conf", dir);
	f = fopen(path, "w");
	ASSERT_NE(NULL, f);
	fputs("[tags]\nh200 = 0\nnvlink = 5\n[agent a]\ncpu = 1\n"
	      "memory = 1G\ntags = h200\n", f);
	fclose(f);
	llmsd_config_init(&c);
	ASSERT_EQ(0, llmsd_config_load(&c, path, &err));

	ASSERT_EQ(0, parse("--tag h200 --tag nvlink -- true", &o, &err));
	ASSERT_EQ(0, llmsub_task_resolve_tags(&o.task, &c, &err));
	EXPECT_EQ((1ULL << 0) | (1ULL << 5), o.task.sub.tags);
	llmsub_opts_free(&o);

	ASSERT_EQ(0, parse("--tag h100 -- true", &o, &err));
	EXPECT_EQ(-EINVAL, llmsub_task_resolve_tags(&o.task, &c, &err));
	ASSERT_NE(NULL, err);
	EXPECT_NE(NULL, strstr(err->msg, "h100")) TH_LOG("%s", err->msg);
	EXPECT_NE(NULL, strstr(err->msg, "h200")) TH_LOG("%s", err->msg);
	EXPECT_EQ(0, o.task.sub.tags);
	llms_error_free(&err);
	llmsub_opts_free(&o);

	llmsd_config_free(&c);
	unlink(path);
	rmdir(dir);
}

/* ----------------------------------------------------- refusals, endings */

static void agent(struct llmsched_agent_info *a, __u32 id, __u64 cpu,
		  __u64 mem, __u64 tags)
{
	memset(a, 0, sizeof(*a));
	a->agent_id = id;
	a->state = LLMSCHED_AGENT_UP;
	a->capacity[LLMSCHED_RES_CPU] = cpu;
	a->capacity[LLMSCHED_RES_MEM] = mem;
	a->tags = tags;
}

TEST(a_demand_above_every_agent_names_the_largest)
{
	struct llmsched_task_submit s = { 0 };
	struct llmsched_agent_info a[3];
	char buf[1024];

	agent(&a[0], 1, 1000, 1ULL << 30, 1);
	agent(&a[1], 2, 4000, 512ULL << 20, 0);
	agent(&a[2], 3, 2000, 2ULL << 30, 0);

	s.demand[LLMSCHED_RES_CPU] = 1000;
	s.demand[LLMSCHED_RES_MEM] = 8ULL << 30;
	llmsub_explain_fit(&s, NULL, a, 3, 1, buf, sizeof(buf));
	EXPECT_NE(NULL, strstr(buf, "no agent could ever hold it: memory 8G "
			       "is more than any agent has; the largest is "
			       "agent 3 (cpu 2, memory 2G, gpu 0, gpu memory "
			       "0)")) TH_LOG("%s", buf);
	EXPECT_EQ(NULL, strstr(buf, "cpu 1 is"));

	s.demand[LLMSCHED_RES_CPU] = 8000;
	s.demand[LLMSCHED_RES_GPU] = 1;
	llmsub_explain_fit(&s, NULL, a, 3, 1, buf, sizeof(buf));
	EXPECT_NE(NULL, strstr(buf, "cpu 8 is more than any agent has; the "
			       "largest is agent 2 (cpu 4")) TH_LOG("%s", buf);
	EXPECT_NE(NULL, strstr(buf, "gpu 1 is more than")) TH_LOG("%s", buf);

	/* Each kind fits somewhere, never together. */
	s.demand[LLMSCHED_RES_CPU] = 4000;
	s.demand[LLMSCHED_RES_MEM] = 2ULL << 30;
	s.demand[LLMSCHED_RES_GPU] = 0;
	llmsub_explain_fit(&s, NULL, a, 3, 1, buf, sizeof(buf));
	EXPECT_NE(NULL, strstr(buf, "no one agent has all of it; the agents "
			       "are agent 1 (cpu 1")) TH_LOG("%s", buf);

	/* Tags. */
	s.demand[LLMSCHED_RES_CPU] = 1000;
	s.demand[LLMSCHED_RES_MEM] = 1ULL << 20;
	s.tags = 3;
	llmsub_explain_fit(&s, "h200,nvlink", a, 3, 1, buf, sizeof(buf));
	EXPECT_NE(NULL, strstr(buf, "no agent has all the tags h200,nvlink"))
		TH_LOG("%s", buf);

	llmsub_explain_fit(&s, NULL, NULL, 0, 1, buf, sizeof(buf));
	EXPECT_NE(NULL, strstr(buf, "no agent is registered"));
	/* A small buffer is cut, never overrun. */
	EXPECT_LT(20, llmsub_explain_fit(&s, NULL, a, 3, 1, buf, 8));
	EXPECT_EQ(7, strlen(buf));
}

TEST(wait_exit_codes_follow_the_table)
{
	char text[128];

	EXPECT_EQ(0, llmsub_exit_code(LLMSCHED_TASK_SUCCEEDED, 0, 0));
	EXPECT_EQ(3, llmsub_exit_code(LLMSCHED_TASK_FAILED,
				      LLMSCHED_REASON_EXIT, 3));
	EXPECT_EQ(255, llmsub_exit_code(LLMSCHED_TASK_FAILED,
					LLMSCHED_REASON_EXIT, 255));
	EXPECT_EQ(1, llmsub_exit_code(LLMSCHED_TASK_FAILED,
				      LLMSCHED_REASON_EXIT, 256));
	EXPECT_EQ(137, llmsub_exit_code(LLMSCHED_TASK_FAILED,
					LLMSCHED_REASON_SIGNAL, 9));
	EXPECT_EQ(LLMSUB_EXIT_OOM, llmsub_exit_code(LLMSCHED_TASK_FAILED,
						    LLMSCHED_REASON_OOM, 9));
	EXPECT_EQ(124, llmsub_exit_code(LLMSCHED_TASK_FAILED,
					LLMSCHED_REASON_TIMEOUT, 0));
	EXPECT_EQ(126, llmsub_exit_code(LLMSCHED_TASK_FAILED,
					LLMSCHED_REASON_LAUNCH, ENOENT));
	EXPECT_EQ(122, llmsub_exit_code(LLMSCHED_TASK_FAILED,
					LLMSCHED_REASON_AGENT_LOST, 0));
	EXPECT_EQ(121, llmsub_exit_code(LLMSCHED_TASK_FAILED,
					LLMSCHED_REASON_DEP_FAILED, 0));
	EXPECT_EQ(120, llmsub_exit_code(LLMSCHED_TASK_CANCELLED,
					LLMSCHED_REASON_CANCELLED, 0));
	llmsub_ending_text(LLMSCHED_TASK_FAILED, LLMSCHED_REASON_EXIT, 3,
			   text, sizeof(text));
	EXPECT_STREQ("failed: exit status 3", text);
	llmsub_ending_text(LLMSCHED_TASK_FAILED, LLMSCHED_REASON_OOM, 9,
			   text, sizeof(text));
	EXPECT_STREQ("failed: out of memory (raise --mem)", text);
	llmsub_ending_text(LLMSCHED_TASK_CANCELLED, LLMSCHED_REASON_CANCELLED,
			   0, text, sizeof(text));
	EXPECT_STREQ("was cancelled", text);
}

TEST_HARNESS_MAIN
