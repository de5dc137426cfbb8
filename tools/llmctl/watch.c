// SPDX-License-Identifier: GPL-2.0
/*
 * llmctl watch: the module's event stream (generic netlink, group
 * "events", through runtime/lib/events.h), one line per event.  It joins
 * the group first, then dumps the tasks and agents (the state the events
 * change), resyncs to the dump's SEQ, and follows; a loss (the socket's
 * buffer overflowed, or a gap in the SEQ numbers) is a line and a new
 * dump.  Needs CAP_SYS_ADMIN, as the group and the dumps do.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../runtime/lib/events.h"
#include "common.h"
#include "llmctl.h"
#include "output.h"

#define WATCH_MAX_IDS	64

static const char watch_usage[] =
"Usage: llmctl watch [OPTIONS]\n"
"\n"
"Print the module's events as they happen, one line each (root).  First\n"
"the current state (every task and agent the module holds), then each\n"
"change.  A lost event is reported as a line, and the state printed again.\n"
"\n"
"Options:\n"
"  -n, --new              only new events: do not print the state first\n"
"  -b, --brief            only tasks' assignments and ends (the lines of\n"
"                         the reference example, as `make demo` shows)\n"
"  -t, --task ID          only this task's events (repeatable)\n"
"  -a, --agent ID         only this agent's events and its tasks'\n"
"                         (repeatable)\n"
"  -u, --user USER        only this user's tasks (name or uid)\n"
"  -N, --count N          exit after N events (the state does not count)\n"
"  -i, --until-idle       exit once no task is waiting or running, after\n"
"                         one was seen; with --task, once those ended\n"
"  -T, --timeout TIME     give up after TIME (10s, 5m): exit status 1\n"
"  -r, --ready-file PATH  create PATH once listening (for scripts that\n"
"                         submit after it)\n"
"  -v, --verbose          add the time, uid, label and SEQ to each line\n"
"      --rcvbuf SIZE      the socket's receive buffer (16M; 64K...): a\n"
"                         small one loses events in bursts\n"
"  -j, --json             one JSON object per line (watch.schema.json)\n"
"\n"
"Lines: \"Task 1 assigned to agent 1\", \"Task 1 running on agent 1\",\n"
"\"Task 2 completed\", \"Task 3 failed (exit status 1)\", \"Task 4 cancelled\",\n"
"\"Task 5 runnable\", \"Agent 1 up\", \"Agent 1 draining\", \"Agent 1 lost\",\n"
"\"Agent 1 left\", \"Lost events (...): resyncing\".\n"
"\n"
"Exit status: 0 at --count, --until-idle or SIGINT/SIGTERM; 1 on a\n"
"timeout or failure; 4 without CAP_SYS_ADMIN.\n";

/* What each task last was, for --until-idle: open addressing on id. */
struct task_slot {
	uint64_t id;		/* 0: empty */
	uint32_t state;
};

struct watch {
	struct llmctl *ctx;
	struct llms_events *ev;
	bool new_only, until_idle, verbose, brief;
	uint64_t tasks[WATCH_MAX_IDS];
	size_t ntasks;
	uint32_t agents[WATCH_MAX_IDS];
	size_t nagents;
	bool by_user;
	uint32_t uid;
	uint64_t count;		/* --count, 0: none */
	uint64_t rcvbuf;	/* --rcvbuf, 0: the library's default */
	uint64_t printed;	/* live events printed */
	bool seen_active;	/* a task not ended was seen */
	struct task_slot *slots;
	size_t nslots, used;
	size_t active;		/* tasks in the table that have not ended */
	bool in_dump;
	size_t dump_tasks, dump_agents;
	int status;		/* < 0: go on */
};

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	stop = 1;
}

static struct task_slot *slot_find(struct watch *w, uint64_t id)
{
	size_t i;

	if (!w->nslots)
		return NULL;
	for (i = (size_t)(id * 0x9e3779b97f4a7c15ULL) & (w->nslots - 1);
	     w->slots[i].id; i = (i + 1) & (w->nslots - 1))
		if (w->slots[i].id == id)
			return &w->slots[i];
	return &w->slots[i];
}

static int slot_grow(struct watch *w)
{
	struct task_slot *old = w->slots;
	size_t n = w->nslots, i;

	w->nslots = n ? n * 2 : 256;
	w->slots = calloc(w->nslots, sizeof(*w->slots));
	if (!w->slots) {
		w->slots = old;
		w->nslots = n;
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		if (old[i].id)
			*slot_find(w, old[i].id) = old[i];
	free(old);
	return 0;
}

/* Task @id is now in @state; keeps the count of tasks not ended. */
static int track(struct watch *w, uint64_t id, uint32_t state)
{
	struct task_slot *s;

	if ((w->used + 1) * 2 > w->nslots && slot_grow(w))
		return -ENOMEM;
	s = slot_find(w, id);
	if (!s->id) {
		s->id = id;
		s->state = 0;
		w->used++;
	} else if (s->state && !llmctl_task_ended(s->state)) {
		w->active--;
	}
	s->state = state;
	if (!llmctl_task_ended(state)) {
		w->active++;
		w->seen_active = true;
	}
	return 0;
}

static void forget_all(struct watch *w)
{
	if (w->slots)
		memset(w->slots, 0, w->nslots * sizeof(*w->slots));
	w->used = w->active = 0;
}

static bool idle(struct watch *w)
{
	size_t i;

	if (!w->until_idle)
		return false;
	if (w->ntasks) {
		for (i = 0; i < w->ntasks; i++) {
			struct task_slot *s = slot_find(w, w->tasks[i]);

			if (!s || !s->id || !llmctl_task_ended(s->state))
				return false;
		}
		return true;
	}
	return w->seen_active && !w->active;
}

/*
 * Task @e counts for --until-idle: it passes --task and --user (--agent
 * and --brief choose lines, not tasks: a runnable task is on no agent).
 */
static bool counted(const struct watch *w, const struct llms_event *e)
{
	size_t i;

	if (e->cmd != LLMSCHED_CMD_TASK_EVENT)
		return false;
	if (w->ntasks) {
		for (i = 0; i < w->ntasks; i++)
			if (w->tasks[i] == e->task_id)
				break;
		if (i == w->ntasks)
			return false;
	}
	return !w->by_user || e->uid == w->uid;
}

/* @e is printed. */
static bool wanted(const struct watch *w, const struct llms_event *e)
{
	bool task = e->cmd == LLMSCHED_CMD_TASK_EVENT;
	size_t i;

	if ((w->ntasks || w->by_user) && !counted(w, e))
		return false;
	if (w->nagents) {
		for (i = 0; i < w->nagents; i++)
			if (w->agents[i] == e->agent_id)
				break;
		if (i == w->nagents)
			return false;
	}
	if (w->brief && (!task || (e->state != LLMSCHED_TASK_ASSIGNED &&
				   !llmctl_task_ended(e->state))))
		return false;
	return true;
}

static void sentence(const struct llms_event *e, char *buf, size_t len)
{
	if (e->cmd == LLMSCHED_CMD_TASK_EVENT)
		llmctl_task_sentence(e->task_id, e->state, e->reason,
				     e->exit_status, e->agent_id, buf, len);
	else if (e->cmd == LLMSCHED_CMD_AGENT_EVENT)
		snprintf(buf, len, "Agent %u %s", e->agent_id,
			 llmctl_agent_state_text(e->state));
	else
		snprintf(buf, len, "(message %s)",
			 llms_event_cmd_name(e->cmd));
}

static int print_json(const struct watch *w, const struct llms_event *e,
		      const char *text)
{
	struct json_object *o = json_object_new_object();
	bool task = e->cmd == LLMSCHED_CMD_TASK_EVENT;

	json_object_object_add(o, "kind", json_object_new_string(
		task ? "task" : e->cmd == LLMSCHED_CMD_AGENT_EVENT ? "agent" :
		"unknown"));
	json_object_object_add(o, "from_dump",
			       json_object_new_boolean(e->from_dump));
	json_object_object_add(o, "seq", llmctl_json_u64(e->seq));
	if (llms_event_has(e, LLMSCHED_A_TIME_NS))
		json_object_object_add(o, "time_ns",
				       llmctl_json_u64(e->time_ns));
	if (llms_event_has(e, LLMSCHED_A_AGENT_ID))
		json_object_object_add(o, "agent_id",
				       llmctl_json_u64(e->agent_id));
	if (task) {
		json_object_object_add(o, "task_id",
				       llmctl_json_u64(e->task_id));
		json_object_object_add(o, "state", json_object_new_string(
			llms_task_state_name(e->state)));
		if (llms_event_has(e, LLMSCHED_A_OLD_STATE))
			json_object_object_add(o, "old_state",
				json_object_new_string(e->old_state ?
				llms_task_state_name(e->old_state) : "none"));
		json_object_object_add(o, "reason", json_object_new_string(
			llms_task_reason_name(e->reason)));
		json_object_object_add(o, "exit_status",
				       json_object_new_int(e->exit_status));
		json_object_object_add(o, "uid", llmctl_json_u64(e->uid));
		json_object_object_add(o, "label",
				       json_object_new_string(e->label));
		if (llms_event_has(e, LLMSCHED_A_PRIORITY))
			json_object_object_add(o, "priority",
					       llmctl_json_u64(e->priority));
		if (llms_event_has(e, LLMSCHED_A_WAIT))
			json_object_object_add(o, "wait",
				json_object_new_string(llms_wait_name(e->wait)));
	} else if (e->cmd == LLMSCHED_CMD_AGENT_EVENT) {
		json_object_object_add(o, "state", json_object_new_string(
			llmctl_agent_state_text(e->state)));
		if (llms_event_has(e, LLMSCHED_A_SLOTS))
			json_object_object_add(o, "slots",
					       llmctl_json_u64(e->slots));
		if (llms_event_has(e, LLMSCHED_A_USED_SLOTS))
			json_object_object_add(o, "used_slots",
					llmctl_json_u64(e->used_slots));
		if (llms_event_has(e, LLMSCHED_A_LOAD))
			json_object_object_add(o, "load_permille",
					       llmctl_json_u64(e->load));
	}
	json_object_object_add(o, "text", json_object_new_string(text));
	return llmctl_json_print(o, w->ctx->pretty, stdout);
}

static int print_event(const struct watch *w, const struct llms_event *e)
{
	char text[160];

	sentence(e, text, sizeof(text));
	if (w->ctx->json)
		return print_json(w, e, text);
	fputs(text, stdout);
	if (w->verbose) {
		printf("  [seq %" PRIu64 ", time %" PRIu64 ".%09" PRIu64,
		       e->seq, (uint64_t)(e->time_ns / LLMS_NSEC_PER_SEC),
		       (uint64_t)(e->time_ns % LLMS_NSEC_PER_SEC));
		if (e->cmd == LLMSCHED_CMD_TASK_EVENT) {
			printf(", uid %u", e->uid);
			if (e->label[0])
				printf(", label %s", e->label);
			if (llms_event_has(e, LLMSCHED_A_WAIT) && e->wait)
				printf(", waits: %s", llms_wait_name(e->wait));
		} else if (llms_event_has(e, LLMSCHED_A_SLOTS)) {
			printf(", slots %u/%u, load %u.%u%%", e->used_slots,
			       e->slots, e->load / 10, e->load % 10);
		}
		fputc(']', stdout);
	}
	return fputc('\n', stdout) == EOF ? -EIO : 0;
}

static int on_event(const struct llms_event *e, void *arg)
{
	struct watch *w = arg;
	bool want = wanted(w, e);

	if (counted(w, e) && track(w, e->task_id, e->state))
		return -ENOMEM;
	if (e->from_dump) {
		if (e->cmd == LLMSCHED_CMD_TASK_EVENT)
			w->dump_tasks += want;
		else
			w->dump_agents += want;
		if (w->new_only || !want)
			return 0;
		return print_event(w, e);
	}
	if (want) {
		if (print_event(w, e))
			return -EIO;
		w->printed++;
	}
	if ((w->count && w->printed >= w->count) || idle(w)) {
		w->status = LLMCTL_EXIT_OK;
		return -ECANCELED;	/* stop reading: done */
	}
	return 0;
}

static void print_marker(struct watch *w, const char *kind, uint64_t seq,
			 const struct llms_events_loss *loss)
{
	struct json_object *o;

	if (!w->ctx->json) {
		if (loss)
			/*
			 * An overflow's events are not counted: the gap
			 * they leave shows only at the next event, which
			 * the resync makes moot.
			 */
			printf("Lost events (receive buffer overflowed: %u, "
			       "SEQ numbers missing: %" PRIu64 "): "
			       "resyncing\n", loss->overflows, loss->missed);
		else if (!w->new_only)
			printf("-- state at seq %" PRIu64 ": %zu tasks, %zu "
			       "agents; events follow --\n", seq,
			       w->dump_tasks, w->dump_agents);
		return;
	}
	if (!loss && w->new_only)
		return;
	o = json_object_new_object();
	json_object_object_add(o, "kind", json_object_new_string(kind));
	json_object_object_add(o, "seq", llmctl_json_u64(seq));
	if (loss) {
		json_object_object_add(o, "overflows",
				       llmctl_json_u64(loss->overflows));
		json_object_object_add(o, "missed",
				       llmctl_json_u64(loss->missed));
	} else {
		json_object_object_add(o, "tasks",
				       llmctl_json_u64(w->dump_tasks));
		json_object_object_add(o, "agents",
				       llmctl_json_u64(w->dump_agents));
	}
	llmctl_json_print(o, false, stdout);
}

/*
 * The whole state: tasks (whose SEQ the listener resyncs to), then
 * agents; printed unless --new (after a loss too: it replaces what was
 * missed).
 */
static int resync(struct watch *w, bool after_loss)
{
	struct llms_error *err = NULL;
	uint64_t seq = 0, aseq = 0;
	bool quiet = w->new_only;

	forget_all(w);
	w->dump_tasks = w->dump_agents = 0;
	if (after_loss)
		w->new_only = false;
	if (llms_events_dump_tasks(w->ev, on_event, w, &seq, &err) < 0 ||
	    llms_events_dump_agents(w->ev, on_event, w, &aseq, &err) < 0) {
		w->new_only = quiet;
		return llmctl_fail(w->ctx, &err);
	}
	llms_events_resync(w->ev, seq);
	print_marker(w, "sync", seq ? seq : aseq, NULL);
	w->new_only = quiet;
	return idle(w) ? LLMCTL_EXIT_OK : -1;
}

static int add_id(struct watch *w, int c, const char *arg)
{
	unsigned long long id;

	if ((c == 't' ? w->ntasks : w->nagents) == WATCH_MAX_IDS)
		return llmctl_usage_error(w->ctx, "--%s: at most %d of them",
					  c == 't' ? "task" : "agent",
					  WATCH_MAX_IDS);
	if (llmctl_parse_id(w->ctx, c == 't' ? "task" : "agent", arg, &id))
		return LLMCTL_EXIT_USAGE;
	if (c == 't') {
		w->tasks[w->ntasks++] = id;
	} else {
		if (id > UINT32_MAX)
			return llmctl_usage_error(w->ctx, "--agent %s: agent "
						  "ids are below 2^32", arg);
		w->agents[w->nagents++] = (uint32_t)id;
	}
	return -1;
}

static int parse_args(struct watch *w, int argc, char **argv,
		      uint64_t *timeout_ns, const char **ready)
{
	static const struct option opts[] = {
		{ "new", no_argument, NULL, 'n' },
		{ "brief", no_argument, NULL, 'b' },
		{ "task", required_argument, NULL, 't' },
		{ "agent", required_argument, NULL, 'a' },
		{ "user", required_argument, NULL, 'u' },
		{ "count", required_argument, NULL, 'N' },
		{ "until-idle", no_argument, NULL, 'i' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "ready-file", required_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "rcvbuf", required_argument, NULL, 'R' },
		LLMCTL_COMMON_OPTIONS,
		{}
	};
	struct llms_error *err = NULL;
	int c, status;
	char *end;

	while ((c = getopt_long(argc, argv, "+nbt:a:u:N:iT:r:v"
				LLMCTL_COMMON_SHORT, opts, NULL)) != -1) {
		if (llmctl_common_option(w->ctx, c, watch_usage, &status)) {
			if (status >= 0)
				return status;
			continue;
		}
		switch (c) {
		case 'n':
			w->new_only = true;
			break;
		case 'b':
			w->brief = true;
			break;
		case 't':
		case 'a':
			status = add_id(w, c, optarg);
			if (status >= 0)
				return status;
			break;
		case 'u':
			if (llmctl_parse_user(optarg, &w->uid))
				return llmctl_usage_error(w->ctx, "--user '%s': "
					"neither a user name nor a uid", optarg);
			w->by_user = true;
			break;
		case 'N':
			errno = 0;
			w->count = strtoull(optarg, &end, 10);
			if (!*optarg || *end || errno || *optarg == '-' ||
			    !w->count)
				return llmctl_usage_error(w->ctx, "--count '%s': "
					"expected a whole number of events, 1 "
					"or more", optarg);
			break;
		case 'i':
			w->until_idle = true;
			break;
		case 'T':
			if (llms_parse_duration(optarg, timeout_ns, &err) ||
			    !*timeout_ns) {
				status = llmctl_usage_error(w->ctx,
					"--timeout '%s': %s", optarg, err ?
					err->msg : "give a time above 0");
				llms_error_free(&err);
				return status;
			}
			break;
		case 'r':
			*ready = optarg;
			break;
		case 'v':
			w->verbose = true;
			break;
		case 'R':
			if (llms_parse_bytes(optarg, &w->rcvbuf, &err) ||
			    !w->rcvbuf || w->rcvbuf > INT_MAX / 2) {
				status = llmctl_usage_error(w->ctx,
					"--rcvbuf '%s': %s", optarg, err ?
					err->msg : "from 1 byte to 1G");
				llms_error_free(&err);
				return status;
			}
			break;
		}
	}
	if (optind < argc)
		return llmctl_usage_error(w->ctx, "unexpected '%s': watch "
					  "takes options only", argv[optind]);
	return -1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * LLMS_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static int mark_ready(const struct llmctl *ctx, const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0) {
		fprintf(stderr, "llmctl watch: --ready-file %s: %s\n", path,
			strerror(errno));
		return LLMCTL_EXIT_FAILURE;
	}
	close(fd);
	return -1;
}

static int follow(struct watch *w, uint64_t timeout_ns)
{
	uint64_t deadline = timeout_ns ? now_ns() + timeout_ns : 0;
	struct pollfd pfd = { .fd = llms_events_fd(w->ev), .events = POLLIN };
	struct llms_events_loss loss;
	struct llms_error *err = NULL;
	int ret, status;

	for (;;) {
		int wait_ms = 1000;

		if (stop)
			return LLMCTL_EXIT_OK;
		if (deadline) {
			uint64_t now = now_ns();

			if (now >= deadline) {
				fprintf(stderr, "llmctl watch: --timeout passed"
					" (%" PRIu64 " events printed)\n",
					w->printed);
				return LLMCTL_EXIT_FAILURE;
			}
			if (deadline - now < 1000ULL * LLMS_NSEC_PER_MSEC)
				wait_ms = (int)((deadline - now) /
						LLMS_NSEC_PER_MSEC) + 1;
		}
		ret = poll(&pfd, 1, wait_ms);
		if (ret < 0 && errno != EINTR) {
			perror("llmctl watch: poll");
			return LLMCTL_EXIT_FAILURE;
		}
		if (ret <= 0)
			continue;
		memset(&loss, 0, sizeof(loss));
		ret = llms_events_read(w->ev, on_event, w, &loss, &err);
		if (ret == -ECANCELED && w->status >= 0) {
			llms_error_free(&err);
			return w->status;
		}
		if (ret == -EPROTO) {
			/* Skipped; it shows as a gap, reported below. */
			llms_error_print(stderr, "llmctl watch", err);
			llms_error_free(&err);
		} else if (ret < 0) {
			return llmctl_fail(w->ctx, &err);
		}
		if (loss.overflows || loss.missed) {
			print_marker(w, "loss", 0, &loss);
			status = resync(w, true);
			if (status >= 0)
				return status;
		}
	}
}

int llmctl_cmd_watch(struct llmctl *ctx, int argc, char **argv)
{
	struct watch w = { .ctx = ctx, .status = -1 };
	struct llms_error *err = NULL;
	struct sigaction sa = { .sa_handler = on_stop };
	const char *ready = NULL;
	uint64_t timeout_ns = 0;
	int status;

	status = parse_args(&w, argc, argv, &timeout_ns, &ready);
	if (status >= 0)
		return status;
	/* A line as soon as it is known, into a pipe too. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (llms_events_open(&w.ev, &err) < 0)
		return llmctl_fail(ctx, &err);
	if (w.rcvbuf && llms_events_set_rcvbuf(w.ev, w.rcvbuf, &err) < 0) {
		llms_events_close(w.ev);
		return llmctl_fail(ctx, &err);
	}
	status = resync(&w, false);
	if (status < 0 && ready)
		status = mark_ready(ctx, ready);
	if (status < 0)
		status = follow(&w, timeout_ns);
	llms_events_close(w.ev);
	free(w.slots);
	return status;
}
