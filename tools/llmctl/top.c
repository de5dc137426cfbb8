// SPDX-License-Identifier: GPL-2.0
/*
 * llmctl top: a refreshing terminal view (ncurses) of the agents (load,
 * reservation use, running tasks), the queue and the recent ends, read
 * from the module each refresh: AGENT_LIST and TASK_LIST through
 * runtime/lib/ioctl.h (every user's tasks for root), the agents' sysfs
 * folders for users that may not list agents.  Fits any terminal from
 * 80x24 up, and redraws on resize.
 */
#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>

#include "llmctl.h"

#define TOP_ENDS	5	/* recent ends shown, at most */
#define TOP_MIN_NS	(100ULL * LLMS_NSEC_PER_MSEC)
#define TOP_MAX_NS	(3600ULL * LLMS_NSEC_PER_SEC)

static const char top_usage[] =
"Usage: llmctl top [OPTIONS]\n"
"\n"
"A refreshing view of the agents (state, slots, load, reservation use,\n"
"running tasks), the queue (tasks not ended, by priority) and the recent\n"
"ends.  Root sees every user's tasks, others their own.\n"
"\n"
"Options:\n"
"  -d, --delay TIME       refresh every TIME (2s by default; 0.5, 500ms)\n"
"  -n, --iterations N     exit after N refreshes\n"
"  -s, --sort KEY         the queue's order: prio (default), id, age,\n"
"                         user, state, cpu, mem\n"
"  -f, --filter WORD      only tasks whose user, state or label is WORD\n"
"                         (a label: WORD is a part of it)\n"
"\n"
"Keys: q quit; s next sort key; f or / a filter (empty: none); p or space\n"
"pause; + and - refresh slower or faster; r refresh now.\n"
"\n"
"Exit status: 0; 1 when the module cannot be read or there is no\n"
"terminal; 2 bad command line.\n";

enum sort_key { SORT_PRIO, SORT_ID, SORT_AGE, SORT_USER, SORT_STATE,
		SORT_CPU, SORT_MEM, SORT_NKEYS };

static const char *const sort_names[SORT_NKEYS] = {
	"prio", "id", "age", "user", "state", "cpu", "mem",
};

struct top_agent {
	uint32_t id, state, slots, used, load;
	bool known;			/* committed[] is known (root) */
	uint64_t cap[LLMSCHED_RES_MAX], used_res[LLMSCHED_RES_MAX];
};

struct top {
	struct llmctl *ctx;
	uint64_t delay_ns;
	unsigned long iterations;
	enum sort_key sort;
	char filter[64];
	bool paused;
	struct llmsched_task_info *tasks;
	size_t ntasks;
	struct top_agent *agents;
	size_t nagents;
	char error[256];		/* the last refresh's failure */
};

/* The names of users, cached: a refresh may show the same many times. */
static const char *user_name(uint32_t uid)
{
	static struct { uint32_t uid; char name[32]; } cache[64];
	static size_t n;
	struct passwd *pw;
	size_t i;

	for (i = 0; i < n; i++)
		if (cache[i].uid == uid)
			return cache[i].name;
	i = n < 64 ? n++ : uid % 64;
	cache[i].uid = uid;
	pw = getpwuid(uid);
	if (pw)
		snprintf(cache[i].name, sizeof(cache[i].name), "%s",
			 pw->pw_name);
	else
		snprintf(cache[i].name, sizeof(cache[i].name), "%u",
			 (unsigned int)uid);
	return cache[i].name;
}

static enum sort_key g_sort;

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_task(const void *pa, const void *pb)
{
	const struct llmsched_task_info *a = pa, *b = pb;
	int c = 0;

	switch (g_sort) {
	case SORT_PRIO:
		c = -cmp_u64(a->priority, b->priority);
		break;
	case SORT_AGE:
		c = cmp_u64(a->submit_ns, b->submit_ns);
		break;
	case SORT_USER:
		c = strcmp(user_name(a->owner_uid), user_name(b->owner_uid));
		break;
	case SORT_STATE:
		/* Running first, then assigned, runnable, queued. */
		c = -cmp_u64(a->state, b->state);
		break;
	case SORT_CPU:
		c = -cmp_u64(a->demand[LLMSCHED_RES_CPU],
			     b->demand[LLMSCHED_RES_CPU]);
		break;
	case SORT_MEM:
		c = -cmp_u64(a->demand[LLMSCHED_RES_MEM],
			     b->demand[LLMSCHED_RES_MEM]);
		break;
	default:
		break;
	}
	return c ? c : cmp_u64(a->task_id, b->task_id);
}

static int cmp_end(const void *pa, const void *pb)
{
	const struct llmsched_task_info *a = pa, *b = pb;

	return -cmp_u64(a->end_ns, b->end_ns);
}

static bool matches(const struct top *t, const struct llmsched_task_info *i)
{
	if (!t->filter[0])
		return true;
	return !strcmp(t->filter, user_name(i->owner_uid)) ||
	       !strcmp(t->filter, llms_task_state_name(i->state)) ||
	       strstr(i->label, t->filter);
}

static int read_agents_sysfs(struct top *t)
{
	struct llms_error *err = NULL;
	uint32_t *ids = NULL;
	size_t n = 0, i;

	if (llms_sysfs_agent_ids(&ids, &n, &err)) {
		llms_error_format(err, t->error, sizeof(t->error));
		llms_error_free(&err);
		return -1;
	}
	t->agents = calloc(n ? n : 1, sizeof(*t->agents));
	if (!t->agents) {
		free(ids);
		return -1;
	}
	for (i = 0; i < n; i++) {
		struct top_agent *a = &t->agents[t->nagents];
		struct llms_sysfs_agent s;

		if (llms_sysfs_read_agent(ids[i], &s, &err)) {
			llms_error_free(&err);	/* it left meanwhile */
			continue;
		}
		a->id = s.id;
		a->state = s.state && !strcmp(s.state, "lost") ?
			   LLMSCHED_AGENT_FENCING :
			   s.state && !strcmp(s.state, "draining") ?
			   LLMSCHED_AGENT_DRAINING : LLMSCHED_AGENT_UP;
		a->slots = (uint32_t)s.slots;
		a->load = (uint32_t)s.load;
		a->cap[LLMSCHED_RES_CPU] = s.capacity_cpu;
		a->cap[LLMSCHED_RES_MEM] = s.capacity_mem;
		a->cap[LLMSCHED_RES_GPU] = s.capacity_gpu;
		t->nagents++;
		llms_sysfs_agent_free(&s);
	}
	free(ids);
	return 0;
}

static int refresh_data(struct top *t)
{
	struct llmsched_agent_info *ai = NULL;
	struct llms_error *err = NULL;
	size_t n = 0, i;
	int ret;

	free(t->tasks);
	free(t->agents);
	t->tasks = NULL;
	t->agents = NULL;
	t->ntasks = t->nagents = 0;
	t->error[0] = '\0';
	ret = llms_task_list_all(t->ctx->fd, geteuid() == 0 ?
				 LLMSCHED_LIST_ALL_USERS : 0, 0, &t->tasks,
				 &t->ntasks, &err);
	if (ret) {
		llms_error_format(err, t->error, sizeof(t->error));
		llms_error_free(&err);
		return -1;
	}
	ret = llms_agent_list_all(t->ctx->fd, &ai, &n, &err);
	if (ret == -EPERM || ret == -EACCES) {
		llms_error_free(&err);
		return read_agents_sysfs(t);
	}
	if (ret) {
		llms_error_format(err, t->error, sizeof(t->error));
		llms_error_free(&err);
		return -1;
	}
	t->agents = calloc(n ? n : 1, sizeof(*t->agents));
	for (i = 0; t->agents && i < n; i++) {
		struct top_agent *a = &t->agents[i];

		a->id = ai[i].agent_id;
		a->state = ai[i].state;
		a->slots = ai[i].slots;
		a->used = ai[i].used_slots;
		a->load = ai[i].load;
		a->known = true;
		memcpy(a->cap, ai[i].capacity, sizeof(a->cap));
		memcpy(a->used_res, ai[i].committed, sizeof(a->used_res));
	}
	t->nagents = t->agents ? n : 0;
	free(ai);
	return 0;
}

/* Print at most the screen's width of @fmt on row @y. */
static void line(int y, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void line(int y, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (y >= LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	mvaddnstr(y, 0, buf, COLS);
	clrtoeol();
}

static void cpu_text(uint64_t m, char *buf, size_t len)
{
	llms_format_cpu(m, buf, len);
}

static void running_on(const struct top *t, uint32_t agent, char *buf,
		       size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < t->ntasks && used + 24 < len; i++) {
		const struct llmsched_task_info *k = &t->tasks[i];

		if (k->agent_id != agent || llmctl_task_ended(k->state) ||
		    k->state < LLMSCHED_TASK_ASSIGNED)
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%llu",
					 used ? "," : "",
					 (unsigned long long)k->task_id);
	}
	if (!used)
		snprintf(buf, len, "-");
}

static int draw_agents(const struct top *t, int y, int max)
{
	size_t i;

	attron(A_BOLD);
	line(y++, "AGENT STATE     SLOTS  LOAD   CPU USED/CAP     MEM USED/CAP"
	     "     TASKS");
	attroff(A_BOLD);
	for (i = 0; i < t->nagents && max > 1; i++, max--) {
		const struct top_agent *a = &t->agents[i];
		char cu[16], cc[16], mu[16], mc[16], run[128], slots[16];

		cpu_text(a->cap[LLMSCHED_RES_CPU], cc, sizeof(cc));
		llms_format_bytes(a->cap[LLMSCHED_RES_MEM], mc, sizeof(mc));
		if (a->known) {
			cpu_text(a->used_res[LLMSCHED_RES_CPU], cu,
				 sizeof(cu));
			llms_format_bytes(a->used_res[LLMSCHED_RES_MEM], mu,
					  sizeof(mu));
			snprintf(slots, sizeof(slots), "%u/%u", a->used,
				 a->slots);
		} else {
			snprintf(cu, sizeof(cu), "-");
			snprintf(mu, sizeof(mu), "-");
			snprintf(slots, sizeof(slots), "%u", a->slots);
		}
		running_on(t, a->id, run, sizeof(run));
		line(y++, "%5u %-9s %5s %4u.%u%% %6s/%-8s %7s/%-8s %s", a->id,
		     llmctl_agent_state_text(a->state), slots, a->load / 10,
		     a->load % 10, cu, cc, mu, mc, run);
	}
	if (!t->nagents)
		line(y++, "  (no agent registered: start llmschedd)");
	return y;
}

static int draw_queue(const struct top *t, int y, int max, uint64_t now)
{
	size_t i, shown = 0, total = 0;
	int head = y;

	y += 2;
	for (i = 0; i < t->ntasks; i++) {
		const struct llmsched_task_info *k = &t->tasks[i];
		char cpu[16], mem[16], est[16], age[16];

		if (llmctl_task_ended(k->state) || !matches(t, k))
			continue;
		total++;
		if ((int)shown >= max - 2)
			continue;
		cpu_text(k->demand[LLMSCHED_RES_CPU], cpu, sizeof(cpu));
		llms_format_bytes(k->demand[LLMSCHED_RES_MEM], mem,
				  sizeof(mem));
		llmctl_duration_text(k->est_runtime_ns, est, sizeof(est));
		/* Whole seconds: the age ticks, it does not flicker. */
		llmctl_duration_text(now > k->submit_ns ?
				     (now - k->submit_ns) /
				     LLMS_NSEC_PER_SEC * LLMS_NSEC_PER_SEC :
				     0, age, sizeof(age));
		line(y++, "%7llu %-8.8s %4u %-9s %-10s %5s %6s %6s %6s %s",
		     (unsigned long long)k->task_id,
		     user_name(k->owner_uid), k->priority,
		     llms_task_state_name(k->state),
		     k->state <= LLMSCHED_TASK_RUNNABLE ?
		     llms_wait_name(k->wait) : "-", cpu, mem, est, age,
		     k->label);
		shown++;
	}
	attron(A_BOLD);
	line(head, "QUEUE: %zu not ended%s, sorted by %s", total,
	     total > shown ? " (more below the screen)" : "",
	     sort_names[t->sort]);
	line(head + 1, "%7s %-8s %4s %-9s %-10s %5s %6s %6s %6s %s", "ID",
	     "USER", "PRIO", "STATE", "WAITS", "CPU", "MEM", "EST", "AGE",
	     "NAME");
	attroff(A_BOLD);
	if (!total)
		line(y++, "  (nothing waiting or running%s)",
		     t->filter[0] ? " that matches the filter" : "");
	return y;
}

static void draw_ends(const struct top *t, int y, int max)
{
	struct llmsched_task_info *ends;
	size_t i, n = 0;

	ends = calloc(t->ntasks ? t->ntasks : 1, sizeof(*ends));
	if (!ends)
		return;
	for (i = 0; i < t->ntasks; i++)
		if (llmctl_task_ended(t->tasks[i].state) &&
		    matches(t, &t->tasks[i]))
			ends[n++] = t->tasks[i];
	qsort(ends, n, sizeof(*ends), cmp_end);
	attron(A_BOLD);
	line(y++, "RECENT ENDS    ID USER     RUN      END");
	attroff(A_BOLD);
	for (i = 0; i < n && (int)i < max - 1 && i < TOP_ENDS; i++) {
		char run[16], text[96];

		llmctl_duration_text(ends[i].runtime_ns, run, sizeof(run));
		llmctl_task_sentence(ends[i].task_id, ends[i].state,
				     ends[i].reason, ends[i].exit_status, 0,
				     text, sizeof(text));
		line(y++, "%17llu %-8.8s %-8s %s%s%s",
		     (unsigned long long)ends[i].task_id,
		     user_name(ends[i].owner_uid), run, text,
		     ends[i].label[0] ? "  " : "", ends[i].label);
	}
	if (!n)
		line(y, "  (none yet)");
	free(ends);
}

static void draw(struct top *t)
{
	char when[16], delay[16];
	size_t i, counts[LLMSCHED_TASK_FROZEN + 1] = { 0 };
	struct timespec ts;
	time_t now = time(NULL);
	struct tm tm;
	int y = 0, rest, agent_rows, queue_rows;

	erase();
	localtime_r(&now, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	llms_format_duration(t->delay_ns, delay, sizeof(delay));
	clock_gettime(CLOCK_MONOTONIC, &ts);
	for (i = 0; i < t->ntasks; i++)
		if (t->tasks[i].state <= LLMSCHED_TASK_FROZEN)
			counts[t->tasks[i].state]++;
	attron(A_REVERSE);
	line(y++, "llmctl top  %s  every %s  sort: %s  filter: %s%s", when,
	     delay, sort_names[t->sort], t->filter[0] ? t->filter : "-",
	     t->paused ? "  [paused]" : "");
	attroff(A_REVERSE);
	line(y++, "tasks: %zu queued, %zu runnable, %zu assigned, %zu running,"
	     " %zu frozen; %zu agents", counts[LLMSCHED_TASK_QUEUED],
	     counts[LLMSCHED_TASK_RUNNABLE], counts[LLMSCHED_TASK_ASSIGNED],
	     counts[LLMSCHED_TASK_RUNNING] + counts[LLMSCHED_TASK_STOPPING],
	     counts[LLMSCHED_TASK_FROZEN], t->nagents);
	if (t->error[0]) {
		line(y++, "error: %s", t->error);
	}
	/* What is left, less the key line: agents, queue, ends. */
	rest = LINES - y - 1;
	agent_rows = (int)t->nagents + 1;
	if (agent_rows > rest / 3)
		agent_rows = rest / 3 > 2 ? rest / 3 : 2;
	queue_rows = rest - agent_rows - (TOP_ENDS + 1) - 2;
	if (queue_rows < 3)
		queue_rows = 3;
	y = draw_agents(t, y, agent_rows);
	y++;
	g_sort = t->sort;
	qsort(t->tasks, t->ntasks, sizeof(*t->tasks), cmp_task);
	y = draw_queue(t, y, queue_rows,
		       (uint64_t)ts.tv_sec * LLMS_NSEC_PER_SEC +
		       (uint64_t)ts.tv_nsec);
	y++;
	if (y < LINES - 2)
		draw_ends(t, y, LINES - 1 - y);
	attron(A_REVERSE);
	line(LINES - 1, "q quit  s sort  f filter  p pause  +/- slower/faster"
	     "  r refresh");
	attroff(A_REVERSE);
	refresh();
}

static void prompt_filter(struct top *t)
{
	char buf[sizeof(t->filter)];

	line(LINES - 1, "filter (user, state or a part of a label; empty: "
	     "none): ");
	echo();
	curs_set(1);
	timeout(-1);
	if (getnstr(buf, sizeof(buf) - 1) == ERR)
		buf[0] = '\0';
	noecho();
	curs_set(0);
	snprintf(t->filter, sizeof(t->filter), "%s", buf);
}

/* One key: 1 to quit, 0 to go on. */
static int key(struct top *t, int c, bool *now)
{
	switch (c) {
	case 'q':
	case 'Q':
		return 1;
	case 's':
		t->sort = (t->sort + 1) % SORT_NKEYS;
		break;
	case 'f':
	case '/':
		prompt_filter(t);
		break;
	case 'p':
	case ' ':
		t->paused = !t->paused;
		break;
	case '+':
		if (t->delay_ns * 2 <= TOP_MAX_NS)
			t->delay_ns *= 2;
		break;
	case '-':
		if (t->delay_ns / 2 >= TOP_MIN_NS)
			t->delay_ns /= 2;
		break;
	case 'r':
		*now = true;
		break;
	case KEY_RESIZE:
		break;
	default:
		return 0;
	}
	return 0;
}

static int parse_args(struct top *t, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "delay", required_argument, NULL, 'd' },
		{ "iterations", required_argument, NULL, 'n' },
		{ "sort", required_argument, NULL, 's' },
		{ "filter", required_argument, NULL, 'f' },
		LLMCTL_COMMON_OPTIONS,
		{}
	};
	struct llms_error *err = NULL;
	int c, status, i;
	char *end;

	while ((c = getopt_long(argc, argv, "+d:n:s:f:" LLMCTL_COMMON_SHORT,
				opts, NULL)) != -1) {
		if (llmctl_common_option(t->ctx, c, top_usage, &status)) {
			if (status >= 0)
				return status;
			continue;
		}
		switch (c) {
		case 'd':
			if (llms_parse_duration(optarg, &t->delay_ns, &err) ||
			    t->delay_ns < TOP_MIN_NS ||
			    t->delay_ns > TOP_MAX_NS) {
				status = llmctl_usage_error(t->ctx, "--delay "
					"'%s': %s%sfrom 0.1 to 3600 seconds",
					optarg, err ? err->msg : "",
					err ? "; " : "");
				llms_error_free(&err);
				return status;
			}
			break;
		case 'n':
			errno = 0;
			t->iterations = strtoul(optarg, &end, 10);
			if (!*optarg || *end || errno || *optarg == '-' ||
			    !t->iterations)
				return llmctl_usage_error(t->ctx, "--iterations"
					" '%s': expected a whole number, 1 or "
					"more", optarg);
			break;
		case 's':
			for (i = 0; i < SORT_NKEYS; i++)
				if (!strcmp(optarg, sort_names[i]))
					break;
			if (i == SORT_NKEYS)
				return llmctl_usage_error(t->ctx, "--sort '%s':"
					" expected prio, id, age, user, state, "
					"cpu or mem", optarg);
			t->sort = (enum sort_key)i;
			break;
		case 'f':
			snprintf(t->filter, sizeof(t->filter), "%s", optarg);
			break;
		}
	}
	if (optind < argc)
		return llmctl_usage_error(t->ctx, "unexpected '%s': top takes "
					  "options only", argv[optind]);
	if (t->ctx->json)
		return llmctl_usage_error(t->ctx, "--json: top is for a "
					  "terminal; `llmctl watch --json` "
					  "streams the same changes");
	return -1;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * LLMS_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

int llmctl_cmd_top(struct llmctl *ctx, int argc, char **argv)
{
	struct top t = { .ctx = ctx, .delay_ns = 2 * LLMS_NSEC_PER_SEC };
	unsigned long done = 0;
	uint64_t next = 0;
	bool want = true;
	SCREEN *scr;
	int status;

	status = parse_args(&t, argc, argv);
	if (status >= 0)
		return status;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fputs("llmctl top: needs a terminal on standard input and "
		      "output; for scripts use `llmctl watch` or "
		      "`llmctl history --json`\n", stderr);
		return LLMCTL_EXIT_FAILURE;
	}
	if (llmctl_fd(ctx) < 0)
		return LLMCTL_EXIT_FAILURE;
	setlocale(LC_ALL, "");
	scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		fprintf(stderr, "llmctl top: the terminal '%s' is not known "
			"to terminfo; set TERM (e.g. TERM=xterm)\n",
			getenv("TERM") ? getenv("TERM") : "");
		return LLMCTL_EXIT_FAILURE;
	}
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	for (;;) {
		uint64_t now = mono_ns();
		int c, wait_ms;

		if (want || (!t.paused && now >= next)) {
			refresh_data(&t);
			next = now + t.delay_ns;
			done++;
			want = false;
		}
		draw(&t);
		if (t.iterations && done >= t.iterations)
			break;
		wait_ms = t.paused ? -1 : (int)((next > now ? next - now : 0) /
						LLMS_NSEC_PER_MSEC) + 1;
		timeout(wait_ms);
		c = getch();
		if (c != ERR && key(&t, c, &want))
			break;
	}
	endwin();
	delscreen(scr);
	free(t.tasks);
	free(t.agents);
	return LLMCTL_EXIT_OK;
}
