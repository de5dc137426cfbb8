// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched engine: the reservation ledger and what it is made of.
 *
 * Agents and their classes (agents of equal capacity vector and tags), the
 * class slots that partition masks are made of, which slots have an UP or a
 * ready agent, the host's ledger (the sum of reservations never exceeds
 * the host capacity), and the user accounts with their dominant shares.
 *
 * What an agent's tasks hold is in two vectors: &lsc_agent.committed for
 * the tasks that hold a CPU and a slot (&lsc_agent.tasks), and
 * &lsc_agent.frozen for the frozen ones, whose memory, GPUs and GPU memory
 * stay held while their CPU and slot are free (&lsc_agent.frozen_tasks).
 * A lost agent is fenced: the tasks that may run there keep what they hold
 * until the caller removes it.
 */
#include "internal.h"

/* ---------------------------------------------------------- agent order */

/*
 * Agents by (load, id).  The same order indexes a class's ready agents
 * (through &lsc_agent.rnode) and the engine's UP agents (&lsc_agent.lnode):
 * the index passes where its node sits in the agent as @ctx.
 */
#define LSC_NODE_AT(member)	((const void *)offsetof(struct lsc_agent, member))

static const struct lsc_agent *lsc_agent_at(const struct lsc_node *n,
					    const void *at)
{
	return (const struct lsc_agent *)((const char *)n - (unsigned long)at);
}

static int lsc_acmp_load(const struct lsc_node *na, const struct lsc_node *nb,
			 const void *ctx)
{
	const struct lsc_agent *a = lsc_agent_at(na, ctx);
	const struct lsc_agent *b = lsc_agent_at(nb, ctx);

	if (a->load != b->load)
		return a->load < b->load ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

static int lsc_acmp_end(const struct lsc_node *na, const struct lsc_node *nb,
			const void *ctx)
{
	const struct lsc_agent *a = agent_of_enode(na);
	const struct lsc_agent *b = agent_of_enode(nb);

	if (a->next_end != b->next_end)
		return a->next_end < b->next_end ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* CPU share of @cpu millicores in @a's reservation, per-mille. */
static s64 lsc_cpu_share(const struct lsc_agent *a, u64 cpu)
{
	if (!a->cap[LSC_RES_CPU])
		return 0;
	return (s64)lsc_ratio(cpu, a->cap[LSC_RES_CPU], LSC_LOAD_SCALE);
}

/* CPU held by @a's tasks that have started (all but the ASSIGNED ones). */
static u64 lsc_started_cpu(const struct lsc_agent *a)
{
	return a->committed[LSC_RES_CPU] - a->unstarted_cpu;
}

/* What the last report adds to the engine's own estimate, decayed. */
static s64 lsc_meas_excess(const struct lsc_agent *a)
{
	s64 e = a->meas_excess;

	if (a->meas_shift >= LSC_LOAD_DECAY)
		return 0;
	/* Halve the magnitude: a negative excess decays toward 0 too. */
	return e < 0 ? -((-e) >> a->meas_shift) : e >> a->meas_shift;
}

/*
 * max(dominant held share, estimated CPU load): the CPU share of
 * @committed plus what the last report measured beyond the share its
 * started tasks held then.  The ASSIGNED tasks count at their demand, on
 * top of the measurement, which they were no part of.  With @committed
 * other than @a's own (ASSIGNED tasks added or taken away), the load @a
 * would have.
 */
u32 lsc_load_of(const struct lsc_agent *a, const u64 *committed)
{
	u64 held[LSC_NR_RES], dom;
	s64 est;
	int k;

	for (k = 0; k < LSC_NR_RES; k++)
		held[k] = committed[k] + a->frozen[k];
	dom = lsc_dominant(held, a->cap, LSC_LOAD_SCALE);
	est = lsc_cpu_share(a, committed[LSC_RES_CPU]) + lsc_meas_excess(a);
	if (est > LSC_LOAD_MAX)
		est = LSC_LOAD_MAX;
	return (u32)(est > (s64)dom ? est : (s64)dom);
}

/* ---------------------------------------------------------------- slots */

/* The slot bits of @c's class follow whether it has UP and ready agents. */
static void lsc_class_sync(struct lsc_engine *eng, struct lsc_class *c)
{
	bool up = c->nr_up > 0, ready = c->ready.count > 0;
	u64 bit = 1ULL << c->slot;

	if (c->slot != LSC_SLOT_SHARED) {
		eng->up_slots = up ? eng->up_slots | bit : eng->up_slots & ~bit;
		eng->ready_slots = ready ? eng->ready_slots | bit :
				   eng->ready_slots & ~bit;
		return;
	}
	if (up != !!(c->counted & LSC_CLS_COUNTED_UP)) {
		eng->nr_shared_up += up ? 1 : -1;
		c->counted ^= LSC_CLS_COUNTED_UP;
	}
	if (ready != !!(c->counted & LSC_CLS_COUNTED_READY)) {
		eng->nr_shared_ready += ready ? 1 : -1;
		c->counted ^= LSC_CLS_COUNTED_READY;
	}
	eng->up_slots = eng->nr_shared_up ? eng->up_slots | bit :
			eng->up_slots & ~bit;
	eng->ready_slots = eng->nr_shared_ready ? eng->ready_slots | bit :
			   eng->ready_slots & ~bit;
}

/*
 * A slot for a new class: one that no class holds and no partition's mask
 * still names (a mask may outlive its class until re-queueing), else the
 * shared one.  O(partitions).
 */
static u32 lsc_slot_alloc(const struct lsc_engine *eng)
{
	u64 taken = 0;
	u32 s;

	for (s = 0; s < LSC_SLOT_SHARED; s++)
		if (eng->slot_cls[s])
			taken |= 1ULL << s;
	for (s = 0; s < LSC_NR_PARTS; s++)
		if (eng->parts[s].used && !eng->parts[s].shared)
			taken |= eng->parts[s].mask;
	for (s = 0; s < LSC_SLOT_SHARED; s++)
		if (!(taken & (1ULL << s)))
			return s;
	return LSC_SLOT_SHARED;
}

struct lsc_class *lsc_next_class(const struct lsc_engine *eng, u64 *slots,
				 const struct lsc_list **pos)
{
	struct lsc_class *c;
	u32 s;

	if (*pos) {
		*pos = (*pos)->next;
		if (*pos != &eng->shared_classes)
			return class_of_slink(*pos);
		*pos = NULL;
	}
	while (*slots) {
		s = lsc_fls64(*slots) - 1;
		*slots &= ~(1ULL << s);
		if (s == LSC_SLOT_SHARED) {
			if (lsc_list_empty(&eng->shared_classes))
				continue;
			*pos = eng->shared_classes.next;
			return class_of_slink(*pos);
		}
		c = eng->slot_cls[s];
		if (c)
			return c;
	}
	return NULL;
}

u64 lsc_task_mask(const struct lsc_engine *eng, const struct lsc_task *t)
{
	const struct lsc_class *c;
	const struct lsc_list *l;
	u64 mask = 0;

	for (l = eng->classes.next; l != &eng->classes; l = l->next) {
		c = class_of_link(l);
		if (lsc_cap_fits(c->cap, c->tags, t))
			mask |= 1ULL << c->slot;
	}
	return mask;
}

/* ------------------------------------------------------- agent indexes */

/* Take @a out of every index (before changing what they order by). */
void lsc_agent_unindex(struct lsc_engine *eng, struct lsc_agent *a)
{
	if (lsc_node_linked(&a->rnode)) {
		lsc_tree_erase(&a->cls->ready, &a->rnode);
		lsc_class_sync(eng, a->cls);
	}
	if (lsc_node_linked(&a->enode))
		lsc_tree_erase(&a->cls->release, &a->enode);
	if (lsc_node_linked(&a->lnode))
		lsc_tree_erase(&eng->loads, &a->lnode);
}

/* Recompute @a's derived fields and put it back where it belongs. */
void lsc_agent_index(struct lsc_engine *eng, struct lsc_agent *a)
{
	a->load = lsc_load_of(a, a->committed);
	a->next_end = lsc_list_empty(&a->tasks) ? U64_MAX :
		      lsc_task_end(task_of_alink(a->tasks.next));
	/* What it holds changed: its first frozen task may thaw now. */
	if (a->nr_frozen)
		lsc_thaw_queue(eng, a);
	if (a->health != LSC_AGENT_UP)
		return;
	lsc_tree_insert(&eng->loads, &a->lnode, lsc_acmp_load,
			LSC_NODE_AT(lnode));
	if (a->used_slots < a->slots) {
		lsc_tree_insert(&a->cls->ready, &a->rnode, lsc_acmp_load,
				LSC_NODE_AT(rnode));
		lsc_class_sync(eng, a->cls);
	}
	if (a->used_slots)
		lsc_tree_insert(&a->cls->release, &a->enode, lsc_acmp_end,
				eng);
}

/* Insert @t in its agent's task list, kept in order of expected end. */
void lsc_agent_link_task(struct lsc_agent *a, struct lsc_task *t)
{
	struct lsc_list *pos = a->tasks.prev;
	u64 end = lsc_task_end(t);

	while (pos != &a->tasks && lsc_task_end(task_of_alink(pos)) > end)
		pos = pos->prev;
	lsc_list_add_after(&t->alink, pos);
}

/*
 * Commit @t's demand on @a (agent side only): it is being assigned or
 * migrated there, and has not started.
 */
void lsc_agent_take(struct lsc_engine *eng, struct lsc_agent *a,
		    struct lsc_task *t, u64 now)
{
	lsc_agent_unindex(eng, a);
	lsc_vec_add(a->committed, t->demand);
	a->unstarted_cpu += t->demand[LSC_RES_CPU];
	a->used_slots++;
	a->nr_assigned++;
	t->agent = a;
	t->start_ns = now;
	lsc_agent_link_task(a, t);
	lsc_agent_index(eng, a);
}

/* Release what @t holds from its agent (agent side only). */
void lsc_agent_give(struct lsc_engine *eng, struct lsc_task *t)
{
	struct lsc_agent *a = t->agent;
	u64 held[LSC_NR_RES];

	lsc_agent_unindex(eng, a);
	if (t->flags & LSC_TASK_F_ICED) {
		lsc_task_held(t, held);
		lsc_vec_sub(a->frozen, held);
		a->nr_frozen--;
		t->flags &= ~LSC_TASK_F_ICED;
	} else {
		lsc_vec_sub(a->committed, t->demand);
		a->used_slots--;
		if (t->state == LSC_TASK_ASSIGNED)
			a->unstarted_cpu -= t->demand[LSC_RES_CPU];
	}
	lsc_list_del(&t->alink);
	t->agent = NULL;
	lsc_agent_index(eng, a);
}

/*
 * Frozen tasks in thaw order: higher priority first, then frozen earlier,
 * then lower id; the STOPPING ones (cancelled while frozen) come last.
 */
static bool lsc_thaw_before(const struct lsc_task *a, const struct lsc_task *b)
{
	if (b->state != LSC_TASK_FROZEN)
		return true;
	if (a->prio != b->prio)
		return a->prio > b->prio;
	if (a->frozen_ns != b->frozen_ns)
		return a->frozen_ns < b->frozen_ns;
	return a->id < b->id;
}

/*
 * RUNNING @t froze: its CPU and slot go back to its agent, the rest of
 * its demand stays held there, as frozen.  O(log n + frozen tasks).
 */
void lsc_agent_ice(struct lsc_engine *eng, struct lsc_task *t, u64 now)
{
	struct lsc_agent *a = t->agent;
	struct lsc_list *pos = &a->frozen_tasks;
	u64 held[LSC_NR_RES];

	lsc_user_charge_cpu(eng, t, false);
	lsc_agent_unindex(eng, a);
	lsc_vec_sub(a->committed, t->demand);
	a->used_slots--;
	lsc_list_del(&t->alink);
	t->flags |= LSC_TASK_F_ICED;
	t->frozen_ns = now;
	lsc_task_held(t, held);
	lsc_vec_add(a->frozen, held);
	a->nr_frozen++;
	while (pos->next != &a->frozen_tasks &&
	       !lsc_thaw_before(t, task_of_alink(pos->next)))
		pos = pos->next;
	lsc_list_add_after(&t->alink, pos);
	lsc_agent_index(eng, a);
}

/*
 * Frozen @t thaws: its CPU and slot are committed again, and its expected
 * end moves by the time it spent frozen.  O(log n + slots).
 */
void lsc_agent_unice(struct lsc_engine *eng, struct lsc_task *t, u64 now)
{
	struct lsc_agent *a = t->agent;
	u64 held[LSC_NR_RES];

	lsc_agent_unindex(eng, a);
	lsc_task_held(t, held);
	lsc_vec_sub(a->frozen, held);
	a->nr_frozen--;
	t->flags &= ~LSC_TASK_F_ICED;
	lsc_vec_add(a->committed, t->demand);
	a->used_slots++;
	lsc_list_del(&t->alink);
	t->start_ns = lsc_add_sat(t->start_ns, now - t->frozen_ns);
	lsc_agent_link_task(a, t);
	lsc_agent_index(eng, a);
	lsc_user_charge_cpu(eng, t, true);
}

/* -------------------------------------------------------------- classes */

static bool lsc_class_matches(const struct lsc_class *c, const u64 *cap,
			      u64 tags)
{
	int k;

	if (c->tags != tags)
		return false;
	for (k = 0; k < LSC_NR_RES; k++)
		if (c->cap[k] != cap[k])
			return false;
	return true;
}

/* Join the class of @a's shape, making it when new (then return true). */
static bool lsc_agent_join_class(struct lsc_engine *eng, struct lsc_agent *a)
{
	struct lsc_class *c = NULL;
	struct lsc_list *l;
	bool made = false;

	for (l = eng->classes.next; l != &eng->classes; l = l->next) {
		if (lsc_class_matches(class_of_link(l), a->cap, a->tags)) {
			c = class_of_link(l);
			break;
		}
	}
	if (!c) {
		c = &a->cls_store;
		memset(c, 0, sizeof(*c));
		memcpy(c->cap, a->cap, sizeof(c->cap));
		c->tags = a->tags;
		lsc_tree_init(&c->ready);
		lsc_tree_init(&c->release);
		lsc_list_init(&c->members);
		lsc_list_init(&c->slink);
		c->slot = lsc_slot_alloc(eng);
		if (c->slot == LSC_SLOT_SHARED)
			lsc_list_add_after(&c->slink, eng->shared_classes.prev);
		else
			eng->slot_cls[c->slot] = c;
		lsc_list_add_after(&c->link, eng->classes.prev);
		eng->nr_classes++;
		made = true;
	}
	lsc_list_add_after(&a->cls_link, c->members.prev);
	c->nr_members++;
	if (a->health == LSC_AGENT_UP)
		c->nr_up++;
	a->cls = c;
	lsc_class_sync(eng, c);
	return made;
}

static void lsc_list_moved(struct lsc_list *l)
{
	l->next->prev = l;
	l->prev->next = l;
}

/* @a must be out of the class's trees.  O(members) if @a hosts the class. */
static void lsc_agent_leave_class(struct lsc_engine *eng, struct lsc_agent *a)
{
	struct lsc_class *c = a->cls, *nc;
	struct lsc_agent *m;
	struct lsc_list *l;

	lsc_list_del(&a->cls_link);
	c->nr_members--;
	if (a->health == LSC_AGENT_UP)
		c->nr_up--;
	a->cls = NULL;
	lsc_class_sync(eng, c);
	if (!c->nr_members) {
		lsc_list_del(&c->link);
		if (c->slot == LSC_SLOT_SHARED)
			lsc_list_del(&c->slink);
		else
			eng->slot_cls[c->slot] = NULL;
		eng->nr_classes--;
		return;
	}
	if (c != &a->cls_store)
		return;
	/* Move the class into another member's storage. */
	m = agent_of_clink(c->members.next);
	nc = &m->cls_store;
	*nc = *c;
	lsc_list_moved(&nc->members);
	lsc_list_moved(&nc->link);
	if (nc->slot == LSC_SLOT_SHARED)
		lsc_list_moved(&nc->slink);
	else
		eng->slot_cls[nc->slot] = nc;
	for (l = nc->members.next; l != &nc->members; l = l->next)
		agent_of_clink(l)->cls = nc;
}

bool lsc_task_can_ever_fit(const struct lsc_engine *eng,
			   const struct lsc_task *task)
{
	const struct lsc_class *c;
	const struct lsc_list *l, *m;

	for (l = eng->classes.next; l != &eng->classes; l = l->next) {
		c = class_of_link(l);
		if (!lsc_cap_fits(c->cap, c->tags, task))
			continue;
		for (m = c->members.next; m != &c->members; m = m->next)
			if (agent_of_clink(m)->health != LSC_AGENT_LOST)
				return true;
	}
	return false;
}

/* A new class: file the RUNNABLE tasks again, so that it is in their masks. */
static void lsc_classes_changed(struct lsc_engine *eng)
{
	lsc_rq_rekey_start(eng);
	lsc_rekey_step(eng, eng->rekey_budget);
}

/* ---------------------------------------------------------------- users */

void lsc_user_update_share(struct lsc_engine *eng, struct lsc_user *u)
{
	u32 share = (u32)lsc_dominant(u->alloc, eng->reserved, LSC_SHARE_ONE);

	if (share != u->share)
		lsc_rq_share_changed(eng, u, share);
}

/* The DRF denominators changed: every user's share follows. */
static void lsc_users_rekey(struct lsc_engine *eng)
{
	struct lsc_list *l;

	for (l = eng->user_list.next; l != &eng->user_list; l = l->next)
		lsc_user_update_share(eng, user_of_link(l));
}

/* What @t holds joins (@add) or leaves its user's allocation. */
void lsc_user_charge(struct lsc_engine *eng, struct lsc_task *t, bool add)
{
	u64 held[LSC_NR_RES];

	lsc_task_held(t, held);
	if (add)
		lsc_vec_add(t->user->alloc, held);
	else
		lsc_vec_sub(t->user->alloc, held);
	lsc_user_update_share(eng, t->user);
}

/* @t's CPU alone: it froze (leaves) or thawed (joins). */
void lsc_user_charge_cpu(struct lsc_engine *eng, struct lsc_task *t,
			 bool add)
{
	u64 *cpu = &t->user->alloc[LSC_RES_CPU];

	LSC_WARN_ON(!add && *cpu < t->demand[LSC_RES_CPU]);
	*cpu = add ? *cpu + t->demand[LSC_RES_CPU] :
	       *cpu - t->demand[LSC_RES_CPU];
	lsc_user_update_share(eng, t->user);
}

void lsc_user_init(struct lsc_user *user, u32 uid)
{
	memset(user, 0, sizeof(*user));
	user->uid = uid;
	lsc_tree_init(&user->runq);
	lsc_list_init(&user->visible);
	lsc_list_init(&user->link);
}

int lsc_user_add(struct lsc_engine *eng, struct lsc_user *user)
{
	if (user->registered)
		return -LSC_EEXIST;
	user->registered = 1;
	user->share = 0;
	memset(user->alloc, 0, sizeof(user->alloc));
	user->nr_tasks = 0;
	user->nr_runnable = 0;
	user->nr_active = 0;
	lsc_tree_init(&user->runq);
	lsc_list_init(&user->visible);
	lsc_list_add_after(&user->link, eng->user_list.prev);
	eng->nr_users++;
	return 0;
}

int lsc_user_remove(struct lsc_engine *eng, struct lsc_user *user)
{
	if (!user->registered)
		return -LSC_ENOENT;
	if (user->nr_tasks)
		return -LSC_EBUSY;
	lsc_rq_rekey_user_gone(eng, user);
	lsc_list_del(&user->link);
	user->registered = 0;
	eng->nr_users--;
	return 0;
}

/* ---------------------------------------------------------------- agents */

int lsc_set_host_capacity(struct lsc_engine *eng, const u64 *cap)
{
	int k;

	for (k = 0; k < LSC_NR_RES; k++)
		if (cap[k] < eng->reserved[k])
			return -LSC_EOVERCOMMIT;
	memcpy(eng->host_cap, cap, sizeof(eng->host_cap));
	return 0;
}

void lsc_agent_init(struct lsc_agent *agent, u32 id)
{
	memset(agent, 0, sizeof(*agent));
	agent->id = id;
	agent->slots = 1;
	lsc_list_init(&agent->tasks);
	lsc_list_init(&agent->frozen_tasks);
	lsc_list_init(&agent->tlink);
	lsc_list_init(&agent->cls_link);
}

int lsc_agent_add(struct lsc_engine *eng, struct lsc_agent *agent, u64 now)
{
	bool made;
	int k;

	if (agent->registered)
		return -LSC_EEXIST;
	if (!agent->slots || agent->slots > LSC_AGENT_MAX_SLOTS)
		return -LSC_EINVAL;
	for (k = 0; k < LSC_NR_RES; k++)
		if (agent->cap[k] > eng->host_cap[k] - eng->reserved[k])
			return -LSC_EOVERCOMMIT;
	agent->health = LSC_AGENT_UP;
	agent->registered = 1;
	agent->used_slots = 0;
	agent->unstarted_cpu = 0;
	agent->measured = 0;
	agent->meas_excess = 0;
	agent->meas_shift = 0;
	agent->meas_ns = now;
	memset(agent->committed, 0, sizeof(agent->committed));
	memset(agent->frozen, 0, sizeof(agent->frozen));
	agent->nr_frozen = 0;
	agent->nr_freezing = 0;
	agent->nr_preemptible = 0;
	agent->preempt_for = NULL;
	agent->thaw_queued = 0;
	memset(&agent->rnode, 0, sizeof(agent->rnode));
	memset(&agent->enode, 0, sizeof(agent->enode));
	memset(&agent->lnode, 0, sizeof(agent->lnode));
	lsc_list_init(&agent->tasks);
	lsc_list_init(&agent->frozen_tasks);
	lsc_list_init(&agent->tlink);
	made = lsc_agent_join_class(eng, agent);
	lsc_agent_index(eng, agent);
	lsc_vec_add(eng->reserved, agent->cap);
	lsc_vec_add(eng->up_cap, agent->cap);
	eng->nr_agents++;
	lsc_users_rekey(eng);
	if (made)
		lsc_classes_changed(eng);
	return 0;
}

int lsc_agent_set_measured(struct lsc_engine *eng, struct lsc_agent *agent,
			   u32 permille, u64 now)
{
	if (!agent->registered)
		return -LSC_ENOENT;
	lsc_agent_unindex(eng, agent);
	agent->measured = permille > LSC_LOAD_MAX ? LSC_LOAD_MAX : permille;
	agent->meas_excess = (s32)((s64)agent->measured -
				   lsc_cpu_share(agent,
						 lsc_started_cpu(agent)));
	agent->meas_shift = 0;
	agent->meas_ns = now;
	lsc_agent_index(eng, agent);
	return 0;
}

/* Halvings a report of @a is due at @now (0 while fresh). */
static u32 lsc_meas_age(const struct lsc_engine *eng,
			const struct lsc_agent *a, u64 now)
{
	u64 iv = eng->tun.load_interval_ns, stale, n;

	stale = lsc_add_sat(a->meas_ns, LSC_LOAD_STALE * iv);
	if (now <= stale)
		return 0;
	n = lsc_div64_u64(now - stale, iv) + 1;
	return n > LSC_LOAD_DECAY ? LSC_LOAD_DECAY : (u32)n;
}

/*
 * One pass over the agents once per load interval: an agent whose report
 * is due more halvings is re-indexed with its decayed load.
 */
void lsc_loads_refresh(struct lsc_engine *eng, u64 now)
{
	struct lsc_list *cl, *ml;
	struct lsc_agent *a;
	struct lsc_class *c;
	u32 shift;

	if (now < eng->load_check_ns)
		return;
	eng->load_check_ns = lsc_add_sat(now, eng->tun.load_interval_ns);
	for (cl = eng->classes.next; cl != &eng->classes; cl = cl->next) {
		c = class_of_link(cl);
		for (ml = c->members.next; ml != &c->members; ml = ml->next) {
			a = agent_of_clink(ml);
			if (!a->meas_excess || a->meas_shift >= LSC_LOAD_DECAY)
				continue;
			shift = lsc_meas_age(eng, a, now);
			if (shift == a->meas_shift)
				continue;
			lsc_agent_unindex(eng, a);
			a->meas_shift = shift;
			lsc_agent_index(eng, a);
		}
	}
}

/* Could every frozen task of @a thaw within @cap?  O(frozen tasks). */
static bool lsc_frozen_fit(const struct lsc_agent *a, const u64 *cap)
{
	const struct lsc_list *l;
	const struct lsc_task *f;
	int k;

	for (l = a->frozen_tasks.next; l != &a->frozen_tasks; l = l->next) {
		f = task_of_alink(l);
		if (f->state != LSC_TASK_FROZEN)
			continue;
		for (k = 0; k < LSC_NR_RES; k++)
			if (f->demand[k] > cap[k])
				return false;
	}
	return true;
}

/*
 * The excess of the last report in per-mille of a CPU reservation of @to
 * millicores instead of @from: the same millicores beyond the estimate,
 * saturating at LSC_LOAD_MAX either way.  No CPU reserved before or after:
 * there are no millicores to keep, and it is dropped.
 */
static s32 lsc_excess_rescale(s32 e, u64 from, u64 to)
{
	u64 m;

	if (from == to)
		return e;
	if (!from || !to)
		return 0;
	m = lsc_muldiv_sat(e < 0 ? -(s64)e : e, from, to, LSC_LOAD_MAX);
	return e < 0 ? -(s32)m : (s32)m;
}

int lsc_agent_resize(struct lsc_engine *eng, struct lsc_agent *agent,
		     const u64 *cap, u32 slots)
{
	bool made;
	int k;

	if (!agent->registered)
		return -LSC_ENOENT;
	if (slots > LSC_AGENT_MAX_SLOTS)
		return -LSC_EINVAL;
	if (!slots)
		slots = agent->slots;
	for (k = 0; k < LSC_NR_RES; k++)
		if (cap[k] < agent->frozen[k] ||
		    cap[k] - agent->frozen[k] < agent->committed[k])
			return -LSC_EBUSY;
	if (slots < agent->used_slots || !lsc_frozen_fit(agent, cap))
		return -LSC_EBUSY;
	for (k = 0; k < LSC_NR_RES; k++)
		if (cap[k] > agent->cap[k] &&
		    cap[k] - agent->cap[k] >
		    eng->host_cap[k] - eng->reserved[k])
			return -LSC_EOVERCOMMIT;
	lsc_agent_unindex(eng, agent);
	lsc_agent_leave_class(eng, agent);
	lsc_vec_sub(eng->reserved, agent->cap);
	if (agent->health == LSC_AGENT_UP)
		lsc_vec_sub(eng->up_cap, agent->cap);
	agent->meas_excess = lsc_excess_rescale(agent->meas_excess,
						agent->cap[LSC_RES_CPU],
						cap[LSC_RES_CPU]);
	memcpy(agent->cap, cap, sizeof(agent->cap));
	agent->slots = slots;
	lsc_vec_add(eng->reserved, agent->cap);
	if (agent->health == LSC_AGENT_UP)
		lsc_vec_add(eng->up_cap, agent->cap);
	made = lsc_agent_join_class(eng, agent);
	lsc_agent_index(eng, agent);
	lsc_users_rekey(eng);
	if (made)
		lsc_classes_changed(eng);
	return 0;
}

/* Never fetched: it never ran, whatever happens to its agent. */
static bool lsc_unfetched(const struct lsc_task *t)
{
	return t->state == LSC_TASK_ASSIGNED &&
	       !(t->flags & LSC_TASK_F_PINNED);
}

/*
 * @a is fenced (LOST): its tasks that never ran go back to the queue at
 * no cost; those that may run become STOPPING and keep what they hold.
 * A freeze round in flight is dropped with them.
 */
static void lsc_agent_fence(struct lsc_engine *eng, struct lsc_agent *a,
			    u64 now)
{
	struct lsc_list *l, *next;
	struct lsc_task *t;

	if (a->preempt_for)
		lsc_preempt_detach(eng, a->preempt_for);
	for (l = a->tasks.next; l != &a->tasks; l = next) {
		next = l->next;
		t = task_of_alink(l);
		if (lsc_unfetched(t))
			lsc_requeue(eng, t, now, false);
		else if (t->state != LSC_TASK_STOPPING)
			lsc_stop(eng, t, LSC_STOP_AGENT_LOST, false);
	}
	/* Frozen ones move behind the others as they stop. */
	while ((t = lsc_thaw_next(a)))
		lsc_stop(eng, t, LSC_STOP_AGENT_LOST, false);
}

/*
 * @a leaves: nothing of it runs any more.  Its STOPPING tasks end as
 * their stop reason says; the others as if fenced and stopped.
 */
static void lsc_agent_evict(struct lsc_engine *eng, struct lsc_agent *a,
			    u64 now)
{
	struct lsc_list *list = &a->tasks;
	struct lsc_task *t;

	if (a->preempt_for)
		lsc_preempt_detach(eng, a->preempt_for);
	for (;;) {
		if (lsc_list_empty(list)) {
			if (list == &a->frozen_tasks)
				break;
			list = &a->frozen_tasks;
			continue;
		}
		t = task_of_alink(list->next);
		if (lsc_unfetched(t)) {
			lsc_requeue(eng, t, now, false);
			continue;
		}
		if (t->state != LSC_TASK_STOPPING)
			t->stop_reason = LSC_STOP_AGENT_LOST;
		lsc_stop_resolve(eng, t, now);
	}
	lsc_prop_flush(eng);
}

int lsc_agent_set_health(struct lsc_engine *eng, struct lsc_agent *agent,
			 u32 health, u64 now)
{
	if (!agent->registered)
		return -LSC_ENOENT;
	if (health > LSC_AGENT_LOST)
		return -LSC_EINVAL;
	if (health == agent->health)
		return 0;
	lsc_agent_unindex(eng, agent);
	if (agent->health == LSC_AGENT_UP) {
		lsc_vec_sub(eng->up_cap, agent->cap);
		agent->cls->nr_up--;
	}
	agent->health = health;
	if (health == LSC_AGENT_UP) {
		lsc_vec_add(eng->up_cap, agent->cap);
		agent->cls->nr_up++;
	}
	lsc_class_sync(eng, agent->cls);
	lsc_agent_index(eng, agent);
	if (health != LSC_AGENT_UP && agent->preempt_for)
		lsc_preempt_detach(eng, agent->preempt_for);
	if (health == LSC_AGENT_LOST)
		lsc_agent_fence(eng, agent, now);
	return 0;
}

int lsc_agent_remove(struct lsc_engine *eng, struct lsc_agent *agent,
		     u64 now)
{
	if (!agent->registered)
		return -LSC_ENOENT;
	lsc_agent_evict(eng, agent, now);
	lsc_agent_unindex(eng, agent);
	if (agent->thaw_queued) {
		lsc_list_del(&agent->tlink);
		agent->thaw_queued = 0;
	}
	if (agent->health == LSC_AGENT_UP)
		lsc_vec_sub(eng->up_cap, agent->cap);
	lsc_agent_leave_class(eng, agent);
	lsc_vec_sub(eng->reserved, agent->cap);
	agent->registered = 0;
	agent->health = LSC_AGENT_LOST;
	eng->nr_agents--;
	if (eng->resv_agent == agent) {
		eng->resv_agent = NULL;
		eng->resv_task = NULL;
	}
	lsc_users_rekey(eng);
	return 0;
}
