/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the engine's host unit tests: a small world of agents,
 * users and tasks around one engine, with a log of every callback.
 */
#ifndef _ENGINE_UTIL_H
#define _ENGINE_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"

#define SEC		1000000000ULL
#define GB		(1024ULL * 1024 * 1024)
#define W_AGENTS	16
#define W_TASKS		512
#define W_USERS		4
#define W_LOG		4096

struct ev {
	char kind;		/* 'c' changed, 'a' assigned, 'm' migrated,
				 * 'r' requeued, 's' stop, 'z' freeze, 't' thaw
				 */
	u64 task;
	u32 agent;
	u32 agent2;
	u32 from, to;
	u64 now;
};

struct world {
	struct lsc_engine eng;
	struct lsc_ops ops;
	struct lsc_agent agents[W_AGENTS];
	struct lsc_user users[W_USERS];
	struct lsc_task tasks[W_TASKS];
	struct lsc_dep deps[W_TASKS][4];
	u32 nr_tasks;
	struct ev log[W_LOG];
	u32 nr_log;
	u64 now;
	/* Per task, as seen through callbacks (independent of the engine). */
	u32 seen_state[W_TASKS];
	u32 terminal_calls[W_TASKS];
	int on_agent[W_TASKS];		/* agent index or -1 */
	/* Frozen there: its CPU and slot free, the rest held (from the
	 * FROZEN transition to its thaw callback).
	 */
	bool iced[W_TASKS];
	bool freezing[W_TASKS];		/* task_freeze called, not frozen */
	bool thawing[W_TASKS];		/* task_thaw called, not RUNNING */
	u64 frozen_at[W_TASKS];
	u32 nr_assigned_cb;
	u32 nr_migrated_cb;
	u32 nr_stop_cb, nr_freeze_cb, nr_thaw_cb;
	const char *violation;
	void (*on_assign)(struct world *w, struct lsc_task *t,
			  struct lsc_agent *a);
	/* Called first thing in each callback, when set. */
	void (*on_changed)(struct world *w, struct lsc_task *t, u32 from,
			   u32 to);
	void (*on_freeze)(struct world *w, struct lsc_task *t,
			  struct lsc_agent *a);
	void (*on_thaw)(struct world *w, struct lsc_task *t,
			struct lsc_agent *a);
	void (*on_migrate)(struct world *w, struct lsc_task *t,
			   struct lsc_agent *from, struct lsc_agent *to);
};

/* On an agent: it holds resources there. */
static inline bool on_agent_state(u32 state)
{
	return state == LSC_TASK_ASSIGNED || state == LSC_TASK_RUNNING ||
	       state == LSC_TASK_STOPPING || state == LSC_TASK_FROZEN;
}

static inline struct world *world_of(struct lsc_engine *eng)
{
	return eng->priv;
}

static inline int agent_index(struct world *w, const struct lsc_agent *a)
{
	return (int)(a - w->agents);
}

static inline int task_index(struct world *w, const struct lsc_task *t)
{
	return (int)(t - w->tasks);
}

static inline void w_log(struct world *w, struct ev e)
{
	e.now = w->now;
	if (w->nr_log < W_LOG)
		w->log[w->nr_log++] = e;
}

static inline void cb_changed(struct lsc_engine *eng, struct lsc_task *t,
			      enum lsc_task_state from,
			      enum lsc_task_state to)
{
	struct world *w = world_of(eng);
	int i = task_index(w, t);

	if (w->on_changed)
		w->on_changed(w, t, from, to);
	if (w->seen_state[i] != (u32)from)
		w->violation = "callback 'from' differs from last state";
	if (lsc_task_terminal(from))
		w->violation = "transition out of a terminal state";
	if (t->state != (u8)to)
		w->violation = "callback 'to' differs from task state";
	w->seen_state[i] = to;
	if (lsc_task_terminal(to))
		w->terminal_calls[i]++;
	if (from == LSC_TASK_RUNNING && to == LSC_TASK_FROZEN) {
		w->iced[i] = true;
		w->frozen_at[i] = w->now;
	}
	if (from == LSC_TASK_RUNNING)
		w->freezing[i] = false;
	if (from == LSC_TASK_FROZEN)
		w->thawing[i] = false;
	if (!on_agent_state(to)) {
		w->on_agent[i] = -1;
		w->iced[i] = false;
	}
	w_log(w, (struct ev){ .kind = 'c', .task = t->id, .from = from,
			      .to = to });
}

static inline void cb_assigned(struct lsc_engine *eng, struct lsc_task *t,
			       struct lsc_agent *a)
{
	struct world *w = world_of(eng);

	if (t->state != LSC_TASK_ASSIGNED || t->agent != a)
		w->violation = "task_assigned on a task not ASSIGNED there";
	w->on_agent[task_index(w, t)] = agent_index(w, a);
	w->nr_assigned_cb++;
	w_log(w, (struct ev){ .kind = 'a', .task = t->id, .agent = a->id });
	if (w->on_assign)
		w->on_assign(w, t, a);
}

static inline void cb_migrated(struct lsc_engine *eng, struct lsc_task *t,
			       struct lsc_agent *from, struct lsc_agent *to)
{
	struct world *w = world_of(eng);

	if (w->on_migrate)
		w->on_migrate(w, t, from, to);
	if (t->state != LSC_TASK_ASSIGNED || t->agent != to)
		w->violation = "migrated task not ASSIGNED on its target";
	w->on_agent[task_index(w, t)] = agent_index(w, to);
	w->nr_migrated_cb++;
	w_log(w, (struct ev){ .kind = 'm', .task = t->id, .agent = from->id,
			      .agent2 = to->id });
}

static inline void cb_requeued(struct lsc_engine *eng, struct lsc_task *t,
			       struct lsc_agent *a)
{
	struct world *w = world_of(eng);

	w_log(w, (struct ev){ .kind = 'r', .task = t->id, .agent = a->id });
}

static inline void cb_stop(struct lsc_engine *eng, struct lsc_task *t,
			   struct lsc_agent *a, enum lsc_stop_reason reason)
{
	struct world *w = world_of(eng);

	if (t->state != LSC_TASK_STOPPING || t->stop_reason != reason ||
	    t->agent != a || reason == LSC_STOP_AGENT_LOST)
		w->violation = "task_stop on a task not STOPPING there";
	w->nr_stop_cb++;
	w_log(w, (struct ev){ .kind = 's', .task = t->id, .agent = a->id,
			      .to = reason });
}

static inline void cb_freeze(struct lsc_engine *eng, struct lsc_task *t,
			     struct lsc_agent *a)
{
	struct world *w = world_of(eng);
	int i = task_index(w, t);

	if (w->on_freeze)
		w->on_freeze(w, t, a);
	if (t->state != LSC_TASK_RUNNING || t->agent != a || w->freezing[i])
		w->violation = "task_freeze on a task not RUNNING there";
	w->freezing[i] = true;
	w->nr_freeze_cb++;
	w_log(w, (struct ev){ .kind = 'z', .task = t->id, .agent = a->id });
}

static inline void cb_thaw(struct lsc_engine *eng, struct lsc_task *t,
			   struct lsc_agent *a)
{
	struct world *w = world_of(eng);
	int i = task_index(w, t);

	if (t->state != LSC_TASK_FROZEN || t->agent != a || !w->iced[i])
		w->violation = "task_thaw on a task not FROZEN there";
	if (w->on_thaw)
		w->on_thaw(w, t, a);
	w->iced[i] = false;
	w->thawing[i] = true;
	w->nr_thaw_cb++;
	w_log(w, (struct ev){ .kind = 't', .task = t->id, .agent = a->id });
}

static inline struct world *world_new(void)
{
	struct world *w = calloc(1, sizeof(*w));
	u64 host[LSC_NR_RES] = { 1000000, 1024 * GB, 64, 1024 * GB };
	int i;

	w->ops.task_changed = cb_changed;
	w->ops.task_assigned = cb_assigned;
	w->ops.task_migrated = cb_migrated;
	w->ops.task_requeued = cb_requeued;
	w->ops.task_stop = cb_stop;
	w->ops.task_freeze = cb_freeze;
	w->ops.task_thaw = cb_thaw;
	lsc_engine_init(&w->eng, &w->ops, w);
	lsc_set_host_capacity(&w->eng, host);
	for (i = 0; i < W_USERS; i++) {
		lsc_user_init(&w->users[i], 1000 + i);
		lsc_user_add(&w->eng, &w->users[i]);
	}
	for (i = 0; i < W_TASKS; i++)
		w->on_agent[i] = -1;
	return w;
}

/* Agent number @id (index id - 1) with @cpus CPUs and @gb GB, one slot. */
static inline struct lsc_agent *add_agent(struct world *w, u32 id, u64 cpus,
					  u64 gb, u32 slots, u64 tags)
{
	struct lsc_agent *a = &w->agents[id - 1];
	int ret;

	lsc_agent_init(a, id);
	a->cap[LSC_RES_CPU] = cpus * 1000;
	a->cap[LSC_RES_MEM] = gb * GB;
	a->slots = slots;
	a->tags = tags;
	ret = lsc_agent_add(&w->eng, a, w->now);
	return ret ? NULL : a;
}

/* Task number @id (index id - 1), user 0, no dependency. */
static inline struct lsc_task *mk_task(struct world *w, u64 id, u32 prio,
				       u64 millicpu, u64 gb, u64 est_s)
{
	struct lsc_task *t = &w->tasks[id - 1];

	lsc_task_init(t, id);
	t->prio = prio;
	t->demand[LSC_RES_CPU] = millicpu;
	t->demand[LSC_RES_MEM] = gb * GB;
	t->est_ns = est_s * SEC;
	if (id > w->nr_tasks)
		w->nr_tasks = id;
	return t;
}

static inline int submit(struct world *w, struct lsc_task *t, int user)
{
	return lsc_task_submit(&w->eng, t, &w->users[user], NULL, 0, NULL, 0,
			       w->now);
}

static inline struct lsc_task *add_task(struct world *w, u64 id, u32 prio,
					u64 millicpu, u64 gb, u64 est_s)
{
	struct lsc_task *t = mk_task(w, id, prio, millicpu, gb, est_s);

	return submit(w, t, 0) ? NULL : t;
}

static inline struct lsc_task *T(struct world *w, u64 id)
{
	return &w->tasks[id - 1];
}

static inline struct lsc_agent *A(struct world *w, u32 id)
{
	return &w->agents[id - 1];
}

/*
 * Run the world like the simulator does: every assigned task starts at
 * once and completes after its estimate; dispatch after every event.
 * Completion times tie-break by lower task id.  Stops when nothing is
 * active.  Returns the final time.
 */
static inline u64 run_to_idle(struct world *w)
{
	u32 i;

	lsc_dispatch(&w->eng, w->now);
	for (;;) {
		struct lsc_task *next = NULL;

		for (i = 0; i < w->nr_tasks; i++) {
			struct lsc_task *t = &w->tasks[i];

			if (t->state == LSC_TASK_ASSIGNED)
				lsc_task_start(&w->eng, t, w->now);
		}
		for (i = 0; i < w->nr_tasks; i++) {
			struct lsc_task *t = &w->tasks[i];

			if (t->state != LSC_TASK_RUNNING)
				continue;
			if (!next || t->start_ns + t->est_ns <
				     next->start_ns + next->est_ns)
				next = t;
		}
		if (!next)
			return w->now;
		w->now = next->start_ns + next->est_ns;
		lsc_task_complete(&w->eng, next, 0, w->now);
		lsc_dispatch(&w->eng, w->now);
	}
}

/* The log as text: "Task 1 assigned to agent 1", "Task 2 completed", ... */
static inline void log_text(struct world *w, char *buf, size_t len)
{
	size_t off = 0;
	u32 i;

	buf[0] = 0;
	for (i = 0; i < w->nr_log && off < len; i++) {
		struct ev *e = &w->log[i];

		if (e->kind == 'a')
			off += snprintf(buf + off, len - off,
					"Task %llu assigned to agent %u\n",
					(unsigned long long)e->task, e->agent);
		else if (e->kind == 'c' && e->to == LSC_TASK_SUCCEEDED)
			off += snprintf(buf + off, len - off,
					"Task %llu completed\n",
					(unsigned long long)e->task);
	}
}

/*
 * The documented quarter-octave bucket of SJF and dag_rank, computed the
 * slow way: 4 * floor(log2 x) plus the two bits below the leading one.
 */
static inline u32 ref_bucket(u64 x)
{
	u32 b = 0;

	if (x < 4)
		return (u32)x;
	while (x >> (b + 1))
		b++;
	return 4 * b + (u32)((x >> (b - 2)) & 3);
}

/* Order in which tasks get one single-slot agent, one after the other. */
static inline void serial_order(struct world *w, u64 *order, u32 n)
{
	u32 i, k = 0;

	run_to_idle(w);
	for (i = 0; i < w->nr_log && k < n; i++)
		if (w->log[i].kind == 'a')
			order[k++] = w->log[i].task;
}

static inline int submit_deps(struct world *w, struct lsc_task *t, u64 a,
			      u64 b)
{
	struct lsc_dep *d = w->deps[task_index(w, t)];
	u32 n = 0;

	if (a)
		d[n++].on = T(w, a);
	if (b)
		d[n++].on = T(w, b);
	return lsc_task_submit(&w->eng, t, &w->users[0], d, n, NULL, 0,
			       w->now);
}

#endif /* _ENGINE_UTIL_H */
