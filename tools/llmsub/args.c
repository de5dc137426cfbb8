// SPDX-License-Identifier: GPL-2.0
/*
 * llmsub: the command line (args.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"

const char llmsub_usage[] =
	"Usage: llmsub [OPTION]... [--] COMMAND [ARG]...\n"
	"       llmsub [--wait] [--config FILE] [--export-env] --file FILE|-\n"
	"Submit a task to llmsched and print its id; with --file, submit every\n"
	"line of a JSON-lines file as one batch, all or none, and print the ids\n"
	"one a line in the file's order.\n"
	"\n"
	"The task (defaults in brackets):\n"
	"      --priority N      0 to 255, larger is more urgent [100]; above the\n"
	"                        module's limits/max_user_priority needs CAP_SYS_NICE\n"
	"      --cpu CPU         CPUs: 2, 0.5 or 500m (millicores) [1]\n"
	"      --mem SIZE        memory: 512M, 4G, 1.5G (binary units) [256M]\n"
	"      --gpu N           whole GPUs, 0 to 1024 [0]\n"
	"      --gpu-mem SIZE    GPU memory [0]\n"
	"      --est DURATION    estimated run time: 10s, 5m, 1h [60s without\n"
	"                        features; with features, the module estimates]\n"
	"      --input-len N     estimator feature 0: input length, characters\n"
	"      --model-mparams N estimator feature 1: model size, millions of\n"
	"                        parameters\n"
	"      --feature K=V     feature slot K (0 to 7, or input-len,\n"
	"                        model-mparams, output-tokens = slot 2) is V\n"
	"      --after ID        run after task ID succeeded (repeatable, at most 64)\n"
	"      --tag NAME        run on an agent with this tag, a name from the\n"
	"                        [tags] of the runtime's configuration (repeatable\n"
	"                        or a comma list)\n"
	"      --retries N       requeues when its agent is lost, 0 to 16 [1]\n"
	"      --time-limit DUR  killed past this run time (fails as a timeout)\n"
	"                        [none; 0 is none]\n"
	"  -n, --name NAME       its name, 1 to 31 printable ASCII characters\n"
	"      --preemptible     may be frozen to make room for a more urgent task\n"
	"      --cwd DIR         its working directory [the current one]\n"
	"      --env K=V         set K in its environment (repeatable)\n"
	"      --export-env      give it this whole environment [only PATH, HOME,\n"
	"                        USER, LOGNAME, SHELL, LANG, LC_ALL, TZ, TERM]\n"
	"\n"
	"llmsub itself:\n"
	"  -f, --file FILE       JSON lines, one task a line ('-': standard input);\n"
	"                        see Documentation/admin-guide/llmsub.rst\n"
	"  -w, --wait            wait until the task (every task of the file) ends\n"
	"                        and exit with its status (below)\n"
	"      --follow          print the task's standard output while it runs;\n"
	"                        implies --wait (not with --file)\n"
	"  -c, --config FILE     the runtime's configuration, for tag names and\n"
	"                        its log_dir [" LLMSD_DEFAULT_CONFIG "]\n"
	"  -h, --help            this text\n"
	"  -V, --version         the version\n"
	"\n"
	"Exit status: 0 submitted (with --wait: it succeeded); 1 the module\n"
	"refused the task or llmsub failed; 2 a bad command line or file.\n"
	"With --wait, the task's own ending: its exit status N (1 to 255) when it\n"
	"exited with N, 128+S when killed by signal S, 120 cancelled, 121 a\n"
	"dependency failed, 122 its agent was lost (retries spent), 124 past its\n"
	"time limit, 125 out of memory, 126 it could not be started.  For a file,\n"
	"the status of the first line (in file order) that did not succeed.\n";

enum {
	OPT_PRIORITY = 0x100,
	OPT_CPU,
	OPT_MEM,
	OPT_GPU,
	OPT_GPU_MEM,
	OPT_EST,
	OPT_INPUT_LEN,
	OPT_MODEL_MPARAMS,
	OPT_FEATURE,
	OPT_AFTER,
	OPT_TAG,
	OPT_RETRIES,
	OPT_TIME_LIMIT,
	OPT_PREEMPTIBLE,
	OPT_CWD,
	OPT_ENV,
	OPT_EXPORT_ENV,
	OPT_FOLLOW,
};

static const struct option options[] = {
	{ "priority", required_argument, NULL, OPT_PRIORITY },
	{ "cpu", required_argument, NULL, OPT_CPU },
	{ "mem", required_argument, NULL, OPT_MEM },
	{ "gpu", required_argument, NULL, OPT_GPU },
	{ "gpu-mem", required_argument, NULL, OPT_GPU_MEM },
	{ "est", required_argument, NULL, OPT_EST },
	{ "input-len", required_argument, NULL, OPT_INPUT_LEN },
	{ "model-mparams", required_argument, NULL, OPT_MODEL_MPARAMS },
	{ "feature", required_argument, NULL, OPT_FEATURE },
	{ "after", required_argument, NULL, OPT_AFTER },
	{ "tag", required_argument, NULL, OPT_TAG },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "time-limit", required_argument, NULL, OPT_TIME_LIMIT },
	{ "name", required_argument, NULL, 'n' },
	{ "preemptible", no_argument, NULL, OPT_PREEMPTIBLE },
	{ "cwd", required_argument, NULL, OPT_CWD },
	{ "env", required_argument, NULL, OPT_ENV },
	{ "export-env", no_argument, NULL, OPT_EXPORT_ENV },
	{ "file", required_argument, NULL, 'f' },
	{ "wait", no_argument, NULL, 'w' },
	{ "follow", no_argument, NULL, OPT_FOLLOW },
	{ "config", required_argument, NULL, 'c' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

/* "+": the first word that is not an option starts the command. */
#define SHORT_OPTIONS "+n:f:wc:hV"

/* The flag's name as the user knows it, for messages. */
static const char *flag_name(int c)
{
	static char buf[40];
	const struct option *o;

	for (o = options; o->name; o++)
		if (o->val == c) {
			snprintf(buf, sizeof(buf), "--%s", o->name);
			return buf;
		}
	return "?";
}

/* Apply one flag that describes the task. */
static int task_flag(struct llmsub_task *t, int c, const char *arg,
		     struct llms_error **err)
{
	switch (c) {
	case OPT_PRIORITY:
		return llmsub_set_priority(t, arg, err);
	case OPT_CPU:
		return llmsub_set_cpu(t, arg, err);
	case OPT_MEM:
		return llmsub_set_mem(t, arg, err);
	case OPT_GPU:
		return llmsub_set_gpu(t, arg, err);
	case OPT_GPU_MEM:
		return llmsub_set_gpu_mem(t, arg, err);
	case OPT_EST:
		return llmsub_set_est(t, arg, err);
	case OPT_INPUT_LEN:
		return llmsub_set_feature(t, LLMSUB_FEAT_INPUT_LEN, arg, err);
	case OPT_MODEL_MPARAMS:
		return llmsub_set_feature(t, LLMSUB_FEAT_MODEL_MPARAMS, arg,
					  err);
	case OPT_FEATURE:
		return llmsub_set_feature_kv(t, arg, err);
	case OPT_AFTER:
		return llmsub_add_after_id(t, arg, err);
	case OPT_TAG:
		return llmsub_add_tags(t, arg, err);
	case OPT_RETRIES:
		return llmsub_set_retries(t, arg, err);
	case OPT_TIME_LIMIT:
		return llmsub_set_time_limit(t, arg, err);
	case 'n':
		return llmsub_set_name(t, arg, err);
	case OPT_PREEMPTIBLE:
		t->sub.flags |= LLMSCHED_SUBMIT_PREEMPTIBLE;
		return 0;
	case OPT_CWD:
		return llmsub_set_cwd(t, arg, err);
	}
	return llms_error_set(err, EINVAL, "an option llmsub does not know");
}

void llmsub_opts_free(struct llmsub_opts *o)
{
	llmsub_task_free(&o->task);
	memset(o, 0, sizeof(*o));
}

int llmsub_parse_args(int argc, char **argv, char *const *environ,
		      struct llmsub_opts *o, struct llms_error **err)
{
	const char **envs = NULL;
	size_t nenv = 0, i;
	int c, ret;

	memset(o, 0, sizeof(*o));
	ret = llmsub_task_init(&o->task, err);
	if (ret)
		return ret;
	envs = calloc((size_t)argc + 1, sizeof(*envs));
	if (!envs) {
		ret = llms_error_set(err, ENOMEM, "reading the command line");
		goto fail;
	}
	/* 0 restarts glibc's getopt, its own state included. */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, SHORT_OPTIONS, options,
				NULL)) != -1) {
		switch (c) {
		case 'f':
			o->file = optarg;
			break;
		case 'w':
			o->wait = true;
			break;
		case OPT_FOLLOW:
			o->follow = o->wait = true;
			break;
		case 'c':
			o->config = optarg;
			break;
		case 'h':
			o->help = true;
			goto out;
		case 'V':
			o->version = true;
			goto out;
		case OPT_EXPORT_ENV:
			o->export_env = true;
			break;
		case OPT_ENV:
			/* Applied over the environment once it is known. */
			envs[nenv++] = optarg;
			if (!o->task_flag[0])
				strcpy(o->task_flag, "--env");
			break;
		case '?':
			if (optopt >= 0x100)
				ret = llms_error_set(err, EINVAL,
						     "%s needs a value",
						     flag_name(optopt));
			else if (optopt && strchr("nfc", optopt))
				ret = llms_error_set(err, EINVAL,
						     "-%c needs a value",
						     optopt);
			else
				ret = llms_error_set(err, EINVAL,
						     "unknown option '%s': see "
						     "llmsub --help",
						     argv[optind - 1]);
			goto fail;
		default:
			if (!o->task_flag[0])
				snprintf(o->task_flag, sizeof(o->task_flag),
					 "%s", flag_name(c));
			ret = task_flag(&o->task, c, optarg, err);
			if (ret) {
				llms_error_prefix(err, "%s", flag_name(c));
				goto fail;
			}
			break;
		}
	}
	if (o->help || o->version)
		goto out;

	ret = llmsub_task_base_env(&o->task, environ, o->export_env, err);
	if (ret)
		goto fail;
	for (i = 0; i < nenv; i++) {
		ret = llmsub_set_env(&o->task, envs[i], err);
		if (ret) {
			llms_error_prefix(err, "--env");
			goto fail;
		}
	}

	if (o->file) {
		if (o->task_flag[0]) {
			ret = llms_error_set(err, EINVAL,
					     "%s: not with --file, whose lines "
					     "give each task's own fields",
					     o->task_flag);
			goto fail;
		}
		if (optind < argc) {
			ret = llms_error_set(err, EINVAL,
					     "'%s': no command with --file: each "
					     "line gives its \"command\"",
					     argv[optind]);
			goto fail;
		}
		if (o->follow) {
			ret = llms_error_set(err, EINVAL,
					     "--follow: one task only, not with "
					     "--file (use --wait)");
			goto fail;
		}
		goto out;
	}
	if (optind >= argc) {
		ret = llms_error_set(err, EINVAL,
				     "no command: give it after the options, "
				     "e.g. llmsub --cpu 2 -- ./run.sh (or "
				     "--file FILE)");
		goto fail;
	}
	ret = llmsub_set_command(&o->task, argv + optind,
				 (uint32_t)(argc - optind), err);
	if (ret)
		goto fail;
	llmsub_task_use_ids(&o->task);
out:
	free(envs);
	return 0;
fail:
	free(envs);
	llmsub_opts_free(o);
	return ret;
}
