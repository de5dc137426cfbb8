// SPDX-License-Identifier: GPL-2.0
/*
 * llmctl policy [set NAME [options]] and llmctl estimator: the module's
 * scheduling policy (struct llmsched_policy) and run-time model (struct
 * llmsched_estimator), with the error the runtime measured for the model
 * (STATE_DIR/estimator.json).  Reading is open to everyone; setting the
 * policy needs CAP_SYS_ADMIN, as the module checks.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"

static const char policy_usage[] =
"Usage: llmctl policy [--json]\n"
"       llmctl policy set [NAME] [--choice CHOICE] [--aging DURATION]\n"
"                         [--imbalance N] [--backfill on|off]\n"
"                         [--dag-rank on|off]\n"
"\n"
"Print the scheduling policy, or change it (root).  What is not given is\n"
"kept.\n"
"  NAME               prio_fifo (priority, then arrival), sjf (priority,\n"
"                     then shortest estimate), mlfq (feedback levels with\n"
"                     aging) or drf (dominant resource fairness)\n"
"  --choice CHOICE    which fitting agent takes a task: least_loaded or\n"
"                     best_fit\n"
"  --aging DURATION   mlfq: the wait worth one level (1us to 2^40 ns)\n"
"  --imbalance N      the balancer migrates while two agents' loads differ\n"
"                     by more than N per-mille (1 to 65535)\n"
"  --backfill on|off  let smaller tasks run ahead of a blocked head\n"
"  --dag-rank on|off  within a priority, the longest remaining path first\n";

static const char estimator_usage[] =
"Usage: llmctl estimator [--json]\n"
"\n"
"The module's run-time model: T = c0 + c1*x1 + ... over the features a\n"
"task is submitted with (llmsub --input-len, --model-mparams, --feature),\n"
"and its mean absolute error over the last tasks, as the runtime measured\n"
"it (STATE_DIR/estimator.json; none until the runtime has learnt).\n";

static struct json_object *policy_json(const struct llmsched_policy *p)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "policy", json_object_new_string(
				llmctl_policy_name(p->policy)));
	json_object_object_add(o, "choice", json_object_new_string(
				llmctl_choice_name(p->choice)));
	json_object_object_add(o, "aging_ns", llmctl_json_u64(p->aging_ns));
	json_object_object_add(o, "imbalance_threshold",
			       llmctl_json_u64(p->imbalance_threshold));
	json_object_object_add(o, "backfill", json_object_new_boolean(
				!(p->flags & LLMSCHED_POLICY_NO_BACKFILL)));
	json_object_object_add(o, "dag_rank", json_object_new_boolean(
				p->flags & LLMSCHED_POLICY_DAG_RANK));
	return o;
}

static int print_policy(const struct llmctl *ctx,
			const struct llmsched_policy *p)
{
	char aging[LLMS_UNITS_BUF];

	if (ctx->json)
		return llmctl_json_print(policy_json(p), ctx->pretty, stdout) ?
		       LLMCTL_EXIT_FAILURE : 0;
	llms_format_duration(p->aging_ns, aging, sizeof(aging));
	printf("%-10s %s\n", "policy", llmctl_policy_name(p->policy));
	printf("%-10s %s\n", "choice", llmctl_choice_name(p->choice));
	printf("%-10s %s\n", "aging", aging);
	printf("%-10s %" PRIu64 " per-mille\n", "imbalance",
	       (uint64_t)p->imbalance_threshold);
	printf("%-10s %s\n", "backfill",
	       p->flags & LLMSCHED_POLICY_NO_BACKFILL ? "off" : "on");
	printf("%-10s %s\n", "dag-rank",
	       p->flags & LLMSCHED_POLICY_DAG_RANK ? "on" : "off");
	return 0;
}

static int policy_set(struct llmctl *ctx, int argc, char **argv)
{
	enum { OPT_CHOICE = 256, OPT_AGING, OPT_IMBALANCE, OPT_BACKFILL,
	       OPT_DAG_RANK };
	static const struct option opts[] = {
		{ "choice", required_argument, NULL, OPT_CHOICE },
		{ "aging", required_argument, NULL, OPT_AGING },
		{ "imbalance", required_argument, NULL, OPT_IMBALANCE },
		{ "backfill", required_argument, NULL, OPT_BACKFILL },
		{ "dag-rank", required_argument, NULL, OPT_DAG_RANK },
		LLMCTL_COMMON_OPTIONS, {}
	};
	struct llms_error *err = NULL;
	struct llmsched_policy p;
	int ch, status, fd;
	long choice = -1, policy = -1;
	int backfill = -1, dag = -1;
	uint64_t aging = 0, imb = 0;
	bool on, any = false;
	char *end;
	long i;

	optind = 0;
	while ((ch = getopt_long(argc, argv, LLMCTL_COMMON_SHORT, opts,
				 NULL)) != -1) {
		if (llmctl_common_option(ctx, ch, policy_usage, &status)) {
			if (status >= 0)
				return status;
			continue;
		}
		any = true;
		switch (ch) {
		case OPT_CHOICE:
			for (i = 0; i < 2; i++)
				if (!strcmp(optarg, llmctl_choice_name(i)))
					choice = i;
			if (choice < 0)
				return llmctl_usage_error(ctx, "--choice '%s': "
					"use least_loaded or best_fit", optarg);
			break;
		case OPT_AGING:
			if (llms_parse_duration(optarg, &aging, &err) ||
			    aging < 1000 || aging > (1ULL << 40)) {
				llms_error_free(&err);
				return llmctl_usage_error(ctx, "--aging '%s': "
					"a duration from 1us to 2^40 ns "
					"(about 18m), e.g. 100ms", optarg);
			}
			break;
		case OPT_IMBALANCE:
			errno = 0;
			imb = strtoull(optarg, &end, 10);
			if (!*optarg || *end || errno || *optarg == '-' ||
			    !imb || imb > 65535)
				return llmctl_usage_error(ctx, "--imbalance "
					"'%s': a whole number from 1 to 65535 "
					"(per-mille of an agent's CPU)",
					optarg);
			break;
		case OPT_BACKFILL:
		case OPT_DAG_RANK:
			if (llmctl_parse_on_off(optarg, &on))
				return llmctl_usage_error(ctx, "--%s '%s': use "
					"on or off", ch == OPT_BACKFILL ?
					"backfill" : "dag-rank", optarg);
			if (ch == OPT_BACKFILL)
				backfill = on;
			else
				dag = on;
			break;
		}
	}
	if (argc - optind > 1)
		return llmctl_usage_error(ctx, "set: one policy name at most, "
					  "then options");
	if (argc - optind == 1) {
		for (i = 0; llmsd_policy_names[i]; i++)
			if (!strcmp(argv[optind], llmsd_policy_names[i]))
				policy = i;
		if (policy < 0)
			return llmctl_usage_error(ctx, "set: '%s' is not a "
						  "policy: use prio_fifo, sjf, "
						  "mlfq or drf", argv[optind]);
		any = true;
	}
	if (!any)
		return llmctl_usage_error(ctx, "set: give a policy name or an "
					  "option");
	fd = llmctl_fd(ctx);
	if (fd < 0)
		return LLMCTL_EXIT_FAILURE;
	/* Policy, choice and flags are values, not "keep" when 0. */
	memset(&p, 0, sizeof(p));
	if (llms_get_policy(fd, &p, &err))
		return llmctl_fail(ctx, &err);
	if (policy >= 0)
		p.policy = (uint32_t)policy;
	if (choice >= 0)
		p.choice = (uint32_t)choice;
	p.aging_ns = aging;
	p.imbalance_threshold = imb;
	if (backfill == 1)
		p.flags &= ~LLMSCHED_POLICY_NO_BACKFILL;
	else if (!backfill)
		p.flags |= LLMSCHED_POLICY_NO_BACKFILL;
	if (dag == 1)
		p.flags |= LLMSCHED_POLICY_DAG_RANK;
	else if (!dag)
		p.flags &= ~LLMSCHED_POLICY_DAG_RANK;
	if (llms_set_policy(fd, &p, &err))
		return llmctl_fail(ctx, &err);
	memset(&p, 0, sizeof(p));
	if (llms_get_policy(fd, &p, &err))
		return llmctl_fail(ctx, &err);
	return print_policy(ctx, &p);
}

int llmctl_cmd_policy(struct llmctl *ctx, int argc, char **argv)
{
	static const struct option opts[] = { LLMCTL_COMMON_OPTIONS, {} };
	struct llms_error *err = NULL;
	struct llmsched_policy p;
	int ch, status, fd;

	if (argc > 1 && !strcmp(argv[1], "set"))
		return policy_set(ctx, argc - 1, argv + 1);
	while ((ch = getopt_long(argc, argv, LLMCTL_COMMON_SHORT, opts,
				 NULL)) != -1)
		if (llmctl_common_option(ctx, ch, policy_usage, &status) &&
		    status >= 0)
			return status;
	if (optind < argc)
		return llmctl_usage_error(ctx, "unexpected '%s'; the only "
					  "subcommand is set", argv[optind]);
	fd = llmctl_fd(ctx);
	if (fd < 0)
		return LLMCTL_EXIT_FAILURE;
	memset(&p, 0, sizeof(p));
	if (llms_get_policy(fd, &p, &err))
		return llmctl_fail(ctx, &err);
	return print_policy(ctx, &p);
}

/* A coefficient in ns (per feature unit), from 2^-16 ns fixed point. */
static double coeff_ns(int64_t c)
{
	return (double)c / (double)(1LL << LLMSCHED_ESTIMATOR_SHIFT);
}

int llmctl_cmd_estimator(struct llmctl *ctx, int argc, char **argv)
{
	static const struct option opts[] = { LLMCTL_COMMON_OPTIONS, {} };
	struct llms_error *err = NULL;
	struct llmctl_est_state st;
	struct llmsched_estimator e;
	struct llmsd_config c;
	int ch, status, fd;
	bool have;
	uint32_t i;

	while ((ch = getopt_long(argc, argv, LLMCTL_COMMON_SHORT, opts,
				 NULL)) != -1)
		if (llmctl_common_option(ctx, ch, estimator_usage, &status) &&
		    status >= 0)
			return status;
	if (optind < argc)
		return llmctl_usage_error(ctx, "unexpected '%s': estimator "
					  "takes no arguments", argv[optind]);
	fd = llmctl_fd(ctx);
	if (fd < 0)
		return LLMCTL_EXIT_FAILURE;
	memset(&e, 0, sizeof(e));
	if (llms_get_estimator(fd, &e, &err))
		return llmctl_fail(ctx, &err);
	status = llmctl_config(ctx, &c, &have);
	if (status)
		return status;
	llmctl_est_state(&c, &st);
	llmsd_config_free(&c);
	if (ctx->json) {
		struct json_object *o = json_object_new_object();
		struct json_object *a = json_object_new_array();

		for (i = 0; i < e.nr_coeffs && i <= LLMSCHED_FEATURES_MAX; i++)
			json_object_array_add(a, json_object_new_double(
						coeff_ns(e.coeff[i])));
		json_object_object_add(o, "coefficients_ns", a);
		json_object_object_add(o, "coefficients_fixed",
				       json_object_new_array());
		a = json_object_object_get(o, "coefficients_fixed");
		for (i = 0; i < e.nr_coeffs && i <= LLMSCHED_FEATURES_MAX; i++)
			json_object_array_add(a,
				json_object_new_int64(e.coeff[i]));
		json_object_object_add(o, "mae_ns", st.found ?
			json_object_new_int64((int64_t)(st.mae_ns + 0.5)) :
			NULL);
		json_object_object_add(o, "samples", st.found ?
			json_object_new_int64(st.samples) : NULL);
		json_object_object_add(o, "window", st.found ?
			json_object_new_int64(st.window) : NULL);
		json_object_object_add(o, "updated", st.found ?
			json_object_new_int64(st.updated) : NULL);
		json_object_object_add(o, "state_file",
				       json_object_new_string(st.path));
		return llmctl_json_print(o, ctx->pretty, stdout) ?
		       LLMCTL_EXIT_FAILURE : 0;
	}
	if (!e.nr_coeffs) {
		printf("no model: tasks without an estimate count as 60s\n");
	} else {
		printf("T = %.3f ns", coeff_ns(e.coeff[0]));
		for (i = 1; i < e.nr_coeffs && i <= LLMSCHED_FEATURES_MAX; i++)
			printf(" %c %.3f ns * x%u", e.coeff[i] < 0 ? '-' : '+',
			       coeff_ns(e.coeff[i] < 0 ? -e.coeff[i] :
					e.coeff[i]), i - 1);
		printf("\n");
	}
	if (st.found) {
		char mae[LLMS_UNITS_BUF], when[64];
		time_t t = (time_t)st.updated;
		struct tm tm;

		llmctl_format_age((uint64_t)(st.mae_ns + 0.5), false, mae,
				  sizeof(mae));
		if (!localtime_r(&t, &tm) ||
		    !strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm))
			snprintf(when, sizeof(when), "%" PRId64, st.updated);
		printf("mean absolute error %s over the last %" PRId64
		       " tasks; %" PRId64 " learnt, updated %s\n", mae,
		       st.window, st.samples, when);
	} else {
		printf("error: not measured (no %s: the runtime has not "
		       "learnt yet)\n", st.path);
	}
	return 0;
}
