// SPDX-License-Identifier: GPL-2.0
/*
 * llmctl cancel ID... / llmctl cancel --user U --state S: cancel tasks,
 * reporting per task what happened.  The module decides who may cancel
 * what (the owner, or CAP_SYS_ADMIN): a task the caller may not cancel
 * reads as not found, as to the module.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

static const char cancel_usage[] =
"Usage: llmctl cancel [--json] ID...\n"
"       llmctl cancel [--json] [--user USER] [--state LIST] [--agent ID]\n"
"                     [--name GLOB]\n"
"\n"
"Cancel the tasks named, or those the filters select among the tasks the\n"
"caller sees (root: every user's; others: their own).  A task that never\n"
"ran is cancelled at once; one that may be running is stopping until its\n"
"agent has killed it.  The filters are those of `llmctl tasks'; with\n"
"filters and no --state, every task that has not ended is taken.\n"
"\n"
"Each task gets one line: cancelled, stopping, not found (or not yours),\n"
"or already ended.\n"
"\n"
"Exit status: 0 when every task is cancelled or stopping (also when the\n"
"filters select none), 3 when some id is not found (or another user's),\n"
"1 when some task had already ended or the module refused, 2 bad option,\n"
"4 --user names somebody else and the caller is not root.\n";

enum outcome { CANCELLED, STOPPING, NOT_FOUND, ENDED, FAILED };

static const char *const outcome_names[] = {
	[CANCELLED] = "cancelled", [STOPPING] = "stopping",
	[NOT_FOUND] = "not-found", [ENDED] = "already-ended",
	[FAILED] = "failed",
};

static enum outcome cancel_one(int fd, uint64_t id, uint32_t *state,
			       char *msg, size_t size)
{
	struct llmsched_task_info t;
	struct llms_error *err = NULL;
	int ret = llms_cancel(fd, id, 0, &err);

	*state = 0;
	msg[0] = '\0';
	if (ret == -ENOENT) {
		llms_error_free(&err);
		return NOT_FOUND;
	}
	if (ret && ret != -EALREADY) {
		llms_error_format(err, msg, size);
		llms_error_free(&err);
		return FAILED;
	}
	llms_error_free(&err);
	if (llms_task_query(fd, id, &t, NULL))
		/* Cancelled and already let go (retain_ended). */
		return ret ? ENDED : CANCELLED;
	*state = t.state;
	if (t.state == LLMSCHED_TASK_STOPPING)
		return STOPPING;
	if (!ret)
		return CANCELLED;
	return t.state == LLMSCHED_TASK_CANCELLED ? CANCELLED : ENDED;
}

int llmctl_cmd_cancel(struct llmctl *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state", required_argument, NULL, 's' },
		{ "user", required_argument, NULL, 'u' },
		{ "agent", required_argument, NULL, 'a' },
		{ "name", required_argument, NULL, 'n' },
		LLMCTL_COMMON_OPTIONS, {}
	};
	struct llmctl_task_filter f = { 0 };
	struct llmsched_task_info *v = NULL;
	struct json_object *arr = NULL;
	uint64_t *ids = NULL;
	size_t n = 0, i, counts[5] = { 0 };
	bool filters = false, all;
	int ch, status, fd;

	while ((ch = getopt_long(argc, argv, "s:u:a:n:" LLMCTL_COMMON_SHORT,
				 opts, NULL)) != -1) {
		if (llmctl_common_option(ctx, ch, cancel_usage, &status)) {
			if (status >= 0)
				return status;
			continue;
		}
		status = llmctl_task_filter_option(ctx, ch, optarg, &f);
		if (status)
			return status;
		filters = true;
	}
	if (filters && optind < argc)
		return llmctl_usage_error(ctx, "give task ids or filters "
					  "(--user, --state, --agent, --name), "
					  "not both");
	if (!filters && optind == argc)
		return llmctl_usage_error(ctx, "give task ids, or filters "
					  "(--user, --state, --agent, --name)");
	if (filters) {
		if (!f.states)
			f.states = LLMCTL_STATES_ACTIVE;
		status = llmctl_list_tasks(ctx, &f, &v, &n, &all);
		if (status)
			return status;
		ids = calloc(n ? n : 1, sizeof(*ids));
		for (i = 0; ids && i < n; i++)
			ids[i] = v[i].task_id;
		free(v);
	} else {
		n = (size_t)(argc - optind);
		ids = calloc(n, sizeof(*ids));
		for (i = 0; ids && i < n; i++) {
			unsigned long long id;

			if (llmctl_parse_id(ctx, "task", argv[optind + i],
					    &id)) {
				free(ids);
				return LLMCTL_EXIT_USAGE;
			}
			ids[i] = id;
		}
	}
	if (!ids) {
		fprintf(stderr, "llmctl cancel: out of memory\n");
		return LLMCTL_EXIT_FAILURE;
	}
	fd = llmctl_fd(ctx);
	if (fd < 0) {
		free(ids);
		return LLMCTL_EXIT_FAILURE;
	}
	if (ctx->json)
		arr = json_object_new_array();
	for (i = 0; i < n; i++) {
		char msg[512];
		uint32_t state;
		enum outcome o = cancel_one(fd, ids[i], &state, msg,
					    sizeof(msg));

		counts[o]++;
		if (arr) {
			struct json_object *e = json_object_new_object();

			json_object_object_add(e, "id", llmctl_json_u64(ids[i]));
			json_object_object_add(e, "result",
				json_object_new_string(outcome_names[o]));
			json_object_object_add(e, "state", state ?
				json_object_new_string(
					llms_task_state_name(state)) : NULL);
			if (msg[0])
				json_object_object_add(e, "error",
					json_object_new_string(msg));
			json_object_array_add(arr, e);
			continue;
		}
		switch (o) {
		case CANCELLED:
			printf("%llu: cancelled\n", (unsigned long long)ids[i]);
			break;
		case STOPPING:
			printf("%llu: stopping (its agent is killing it)\n",
			       (unsigned long long)ids[i]);
			break;
		case NOT_FOUND:
			fprintf(stderr, "llmctl cancel: %llu: no such task%s\n",
				(unsigned long long)ids[i], geteuid() ?
				" of yours (only root cancels other users' "
				"tasks)" : "");
			break;
		case ENDED:
			fprintf(stderr, "llmctl cancel: %llu: already ended "
				"(%s)\n", (unsigned long long)ids[i],
				llms_task_state_name(state));
			break;
		case FAILED:
			fprintf(stderr, "llmctl cancel: %llu: %s\n",
				(unsigned long long)ids[i], msg);
			break;
		}
	}
	free(ids);
	status = counts[ENDED] || counts[FAILED] ? LLMCTL_EXIT_FAILURE :
		 counts[NOT_FOUND] ? LLMCTL_EXIT_NOT_FOUND : 0;
	if (arr) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "results", arr);
		json_object_object_add(o, "cancelled",
				       llmctl_json_u64(counts[CANCELLED]));
		json_object_object_add(o, "stopping",
				       llmctl_json_u64(counts[STOPPING]));
		json_object_object_add(o, "not_found",
				       llmctl_json_u64(counts[NOT_FOUND]));
		json_object_object_add(o, "already_ended",
				       llmctl_json_u64(counts[ENDED]));
		json_object_object_add(o, "failed",
				       llmctl_json_u64(counts[FAILED]));
		if (llmctl_json_print(o, ctx->pretty, stdout))
			status = LLMCTL_EXIT_FAILURE;
	}
	return status;
}
