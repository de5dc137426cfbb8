// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched engine: the run queue.
 *
 * RUNNABLE tasks are split into partitions by their mask: the set of agent
 * class slots whose capacity and tags can hold them (Slurm's per-partition
 * queues).  A dispatch only looks at partitions in which some UP agent has
 * a free slot, so work that no free agent can take costs it nothing.
 *
 * Within a partition tasks form lanes in policy order: one lane per user
 * that has a limit (and per user under DRF), and the partition's own lane
 * for the others.  Only the first task of each lane is visible, in the
 * partition's queue (a treap in the policy order, one task per lane); the
 * others wait hidden in the lane's run queue.  A user at its limit has no
 * visible task at all, so its backlog costs the others nothing either.
 * When a visible task is assigned (or passed over by a walk) the next of
 * its lane becomes visible.
 *
 * A lane's run queue (a user's keeps the lanes of all its partitions) is
 * ordered by (partition generation, partition, policy key, arrival, id).
 * Tasks of equal coarse key (generation, partition, policy key) arrive in
 * arrival order, so each coarse key has one FIFO run: its head sits in the
 * treap, the rest on a list behind it, appended in O(1).  A task that arrives out
 * of order (a requeued task keeps its arrival) goes to the treap alone,
 * after moving the tasks of the run before it there too (each task moves
 * at most once per stay, so inserts are amortized O(log n)).  Every policy
 * is such an order: priority-FIFO by priority, SJF by priority and a
 * quarter-octave bucket of the estimate, MLFQ by a key quantized in aging
 * steps, DRF by priority within a user (users ordered in the partitions'
 * queues by dominant share).
 *
 * The dispatch walk merges the partitions' queues through a tournament
 * tree keyed by each partition's front task.  Re-queueing (a policy switch,
 * a new agent class) moves tasks from the partitions of an older
 * generation into new ones, a bounded number per call.
 */
#include "internal.h"

/* MLFQ keys stop growing after this many aging steps (years of uptime). */
#define LSC_MLFQ_EPOCH_MAX	0x1000000000000ULL
/* Partitions of one generation (the last one being the shared one). */
#define LSC_PARTS_PER_GEN	(LSC_NR_PARTS / 2)
/* Partitions out of date beyond which the tree is rebuilt whole. */
#define LSC_WALK_REBUILD	16

/* ------------------------------------------------------------- orders */

static u32 lsc_task_level(const struct lsc_task *t)
{
	return t->prio > t->level ? t->prio - t->level : 0;
}

/* The major part of @t's order under the current generation's policy. */
static u64 lsc_policy_key(const struct lsc_engine *eng,
			  const struct lsc_task *t)
{
	u64 rank = eng->krank ? 255 - lsc_bucket(t->rank_ns) : 0;
	u64 q;

	switch (eng->kpolicy) {
	case LSC_POLICY_SJF:
		return (u64)(LSC_PRIO_MAX - t->prio) << 16 | rank << 8 |
		       lsc_bucket(t->est_ns);
	case LSC_POLICY_MLFQ:
		q = lsc_div64_u64(t->arrival_ns, eng->kage_ns);
		if (q > LSC_MLFQ_EPOCH_MAX)
			q = LSC_MLFQ_EPOCH_MAX;
		return (q + LSC_PRIO_MAX - lsc_task_level(t)) << 8 | rank;
	default:
		return (u64)(LSC_PRIO_MAX - t->prio) << 16 | rank << 8;
	}
}

/* Arrival, then id: the order of tasks of equal key. */
static int lsc_fine_cmp(const struct lsc_task *a, const struct lsc_task *b)
{
	if (a->arrival_ns != b->arrival_ns)
		return lsc_cmp_u64(a->arrival_ns, b->arrival_ns);
	return lsc_cmp_u64(a->id, b->id);
}

/* The order of one user's tasks in one partition. */
static int lsc_lane_cmp(const struct lsc_task *a, const struct lsc_task *b)
{
	if (a->qkey != b->qkey)
		return lsc_cmp_u64(a->qkey, b->qkey);
	return lsc_fine_cmp(a, b);
}

/* The order of a partition's queue: under DRF, users come first. */
static int lsc_part_order(u32 policy, const struct lsc_task *a,
			  const struct lsc_task *b)
{
	const struct lsc_user *ua = a->user, *ub = b->user;

	if (policy == LSC_POLICY_DRF && ua != ub) {
		if (ua->share != ub->share)
			return ua->share < ub->share ? -1 : 1;
		if (ua->uid != ub->uid)
			return ua->uid < ub->uid ? -1 : 1;
		return lsc_cmp_u64((u64)(unsigned long)ua,
				   (u64)(unsigned long)ub);
	}
	return lsc_lane_cmp(a, b);
}

static int lsc_pq_cmp(const struct lsc_node *na, const struct lsc_node *nb,
		      const void *ctx)
{
	const struct lsc_part *p = ctx;

	return lsc_part_order(p->policy, task_of_qnode(na), task_of_qnode(nb));
}

/* ------------------------------------------------- a user's run queue */

struct lsc_coarse {
	u32 gen;
	u32 part;
	u64 qkey;
};

static void lsc_coarse_of(const struct lsc_engine *eng,
			  const struct lsc_task *t, struct lsc_coarse *c)
{
	c->gen = eng->parts[t->part].gen;
	c->part = t->part;
	c->qkey = t->qkey;
}

static int lsc_coarse_cmp(const struct lsc_coarse *a,
			  const struct lsc_coarse *b)
{
	if (a->gen != b->gen)
		return a->gen < b->gen ? -1 : 1;
	if (a->part != b->part)
		return a->part < b->part ? -1 : 1;
	return lsc_cmp_u64(a->qkey, b->qkey);
}

static int lsc_urq_cmp(const struct lsc_node *na, const struct lsc_node *nb,
		       const void *ctx)
{
	const struct lsc_task *a = task_of_qnode(na), *b = task_of_qnode(nb);
	struct lsc_coarse ca, cb;
	int c;

	lsc_coarse_of(ctx, a, &ca);
	lsc_coarse_of(ctx, b, &cb);
	c = lsc_coarse_cmp(&ca, &cb);
	return c ? c : lsc_fine_cmp(a, b);
}

/* Node against a coarse key: <= 0 up to and including that key. */
static int lsc_urq_key(const struct lsc_node *n, const void *key,
		       const void *ctx)
{
	struct lsc_coarse c;

	lsc_coarse_of(ctx, task_of_qnode(n), &c);
	return lsc_coarse_cmp(&c, key) > 0;
}

/*
 * The same for a partition's own lane, whose tasks all have its generation
 * and index: the policy key decides alone (one cache line a node).
 */
static int lsc_prq_cmp(const struct lsc_node *na, const struct lsc_node *nb,
		       const void *ctx)
{
	return lsc_lane_cmp(task_of_qnode(na), task_of_qnode(nb));
}

static int lsc_prq_key(const struct lsc_node *n, const void *key,
		       const void *ctx)
{
	return task_of_qnode(n)->qkey > ((const struct lsc_coarse *)key)->qkey;
}

/* Lane search: > 0 from the lane (@after: from the next lane) on. */
struct lsc_lane_key {
	u32 gen;
	u32 part;
	bool after;
};

static int lsc_lane_key(const struct lsc_node *n, const void *key,
			const void *ctx)
{
	const struct lsc_lane_key *k = key;
	const struct lsc_task *t = task_of_qnode(n);
	const struct lsc_engine *eng = ctx;
	u32 gen = eng->parts[t->part].gen;

	if (gen != k->gen)
		return gen > k->gen ? 1 : -1;
	if (t->part != k->part)
		return t->part > k->part ? 1 : -1;
	return k->after ? -1 : 1;
}

/*
 * A lane: one user's tasks in one partition (@own), or the partition's own
 * lane; its hidden tasks are in @runq, its visible ones on @visible.
 */
struct lsc_lane {
	struct lsc_tree *runq;
	struct lsc_list *visible;
	u32 part;
	bool own;
};

static void lsc_lane_init(struct lsc_engine *eng, struct lsc_lane *lane,
			  struct lsc_user *u, u32 part, bool own)
{
	struct lsc_part *p = &eng->parts[part];

	lane->runq = own ? &u->runq : &p->runq;
	lane->visible = own ? &u->visible : &p->visible;
	lane->part = part;
	lane->own = own;
}

static void lsc_lane_of(struct lsc_engine *eng, const struct lsc_task *t,
			struct lsc_lane *lane)
{
	lsc_lane_init(eng, lane, t->user, t->part,
		      t->flags & LSC_TASK_F_OWN_LANE);
}

/*
 * The run cache (&lsc_engine.run_cache): heads of recently used FIFO runs,
 * by lane and coarse key, in sets of LSC_RUN_WAYS.  It is a shortcut past
 * the search of a lane's treap and nothing more: an entry is used only
 * while it still heads a run of that lane and key, and it is cleared (or
 * handed to the next head) when its task leaves a run queue, so that it
 * never points at a task the caller may free.
 */
static u32 lsc_run_set(const struct lsc_engine *eng, const struct lsc_task *t)
{
	u64 h = t->qkey * 0x9e3779b97f4a7c15ULL ^ ((u64)t->part << 40);

	if (t->flags & LSC_TASK_F_OWN_LANE)
		h ^= (u64)(unsigned long)t->user;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return ((u32)h & (LSC_RUN_CACHE / LSC_RUN_WAYS - 1)) * LSC_RUN_WAYS;
}

/* Same lane and coarse key (a partition's index fixes its generation). */
static bool lsc_same_run(const struct lsc_task *a, const struct lsc_task *b)
{
	return a->qkey == b->qkey && a->part == b->part &&
	       !((a->flags ^ b->flags) & LSC_TASK_F_OWN_LANE) &&
	       (!(a->flags & LSC_TASK_F_OWN_LANE) || a->user == b->user);
}

static struct lsc_task *lsc_run_lookup(const struct lsc_engine *eng,
				       const struct lsc_task *x)
{
	struct lsc_task *const *set = &eng->run_cache[lsc_run_set(eng, x)];
	u32 i;

	for (i = 0; i < LSC_RUN_WAYS; i++)
		if (set[i] && set[i]->qwhere == LSC_Q_HEAD &&
		    lsc_same_run(set[i], x))
			return set[i];
	return NULL;
}

static void lsc_run_remember(struct lsc_engine *eng, struct lsc_task *head)
{
	struct lsc_task **set = &eng->run_cache[lsc_run_set(eng, head)];
	u32 i;

	if (set[0] == head)
		return;
	for (i = LSC_RUN_WAYS - 1; i > 0; i--)
		set[i] = set[i - 1] == head ? set[i] : set[i - 1];
	set[0] = head;
}

/* @t leaves its run queue; @by (or nobody) takes its place as head. */
static void lsc_run_forget(struct lsc_engine *eng, const struct lsc_task *t,
			   struct lsc_task *by)
{
	struct lsc_task **set = &eng->run_cache[lsc_run_set(eng, t)];
	u32 i;

	for (i = 0; i < LSC_RUN_WAYS; i++)
		if (set[i] == t)
			set[i] = by;
}

static void lsc_urq_tree_add(struct lsc_engine *eng,
			     const struct lsc_lane *lane, struct lsc_task *t,
			     u32 where)
{
	t->qwhere = where;
	lsc_tree_insert(lane->runq, &t->qnode,
			lane->own ? lsc_urq_cmp : lsc_prq_cmp, eng);
}

/* File hidden @x in @lane's run queue. */
static void lsc_urq_insert(struct lsc_engine *eng,
			   const struct lsc_lane *lane, struct lsc_task *x)
{
	struct lsc_task *e, *f, *m, *next, *tail;
	struct lsc_coarse c, ce;
	struct lsc_node *n;

	lsc_list_init(&x->qlink);
	/* The common case: @x comes last in a run the cache knows. */
	e = lsc_run_lookup(eng, x);
	if (e) {
		tail = task_of_qlink(e->qlink.prev);
		if (lsc_fine_cmp(x, tail) > 0) {
			x->qwhere = LSC_Q_MEMBER;
			lsc_list_add_after(&x->qlink, &tail->qlink);
			return;
		}
	}
	lsc_coarse_of(eng, x, &c);
	n = lsc_tree_find_last(lane->runq,
			       lane->own ? lsc_urq_key : lsc_prq_key, &c, eng);
	e = n ? task_of_qnode(n) : NULL;
	if (e) {
		lsc_coarse_of(eng, e, &ce);
		if (lsc_coarse_cmp(&ce, &c))
			e = NULL;
	}
	if (!e || (e->qwhere == LSC_Q_SINGLE && lsc_fine_cmp(x, e) > 0)) {
		/* No run of this key yet: @x starts one (it comes last). */
		lsc_urq_tree_add(eng, lane, x, LSC_Q_HEAD);
		lsc_run_remember(eng, x);
		return;
	}
	if (e->qwhere == LSC_Q_SINGLE) {
		lsc_urq_tree_add(eng, lane, x, LSC_Q_SINGLE);
		return;
	}
	tail = task_of_qlink(e->qlink.prev);
	if (lsc_fine_cmp(x, tail) > 0) {
		x->qwhere = LSC_Q_MEMBER;
		lsc_list_add_after(&x->qlink, &tail->qlink);
		lsc_run_remember(eng, e);
		return;
	}
	if (lsc_fine_cmp(x, e) > 0) {
		/* Inside the run: its tasks before @x go to the treap. */
		f = task_of_qlink(e->qlink.next);
		while (lsc_fine_cmp(f, x) < 0)
			f = task_of_qlink(f->qlink.next);
		m = task_of_qlink(e->qlink.next);
		lsc_list_del(&e->qlink);
		e->qwhere = LSC_Q_SINGLE;
		while (m != f) {
			next = task_of_qlink(m->qlink.next);
			lsc_list_del(&m->qlink);
			lsc_urq_tree_add(eng, lane, m, LSC_Q_SINGLE);
			m = next;
		}
		lsc_urq_tree_add(eng, lane, f, LSC_Q_HEAD);
	}
	lsc_urq_tree_add(eng, lane, x, LSC_Q_SINGLE);
}

static void lsc_urq_erase(struct lsc_engine *eng, struct lsc_tree *runq,
			  struct lsc_task *t)
{
	struct lsc_task *f = NULL;

	if (t->qwhere == LSC_Q_SINGLE) {
		lsc_tree_erase(runq, &t->qnode);
	} else if (t->qwhere == LSC_Q_HEAD) {
		if (lsc_list_empty(&t->qlink)) {
			lsc_tree_erase(runq, &t->qnode);
		} else {
			/* The next of the run takes the head's place. */
			f = task_of_qlink(t->qlink.next);
			lsc_tree_replace(runq, &t->qnode, &f->qnode);
			f->qwhere = LSC_Q_HEAD;
		}
	}
	lsc_run_forget(eng, t, f);
	lsc_list_del(&t->qlink);
	t->qwhere = LSC_Q_NONE;
}

/* The first hidden task of @lane (its next). */
static struct lsc_task *lsc_lane_first(const struct lsc_engine *eng,
				       const struct lsc_lane *lane)
{
	struct lsc_lane_key k = { eng->parts[lane->part].gen, lane->part,
				   false };
	struct lsc_node *n;
	struct lsc_task *t;

	n = lsc_tree_find_first(lane->runq, lsc_lane_key, &k, eng);
	t = n ? task_of_qnode(n) : NULL;
	return t && t->part == lane->part ? t : NULL;
}

/* The smallest visible task of @lane, or NULL. */
static struct lsc_task *lsc_lane_visible(const struct lsc_lane *lane)
{
	struct lsc_task *best = NULL, *t;
	const struct lsc_list *l;

	for (l = lane->visible->next; l != lane->visible; l = l->next) {
		t = task_of_alink(l);
		if (t->part == lane->part &&
		    (!best || lsc_lane_cmp(t, best) < 0))
			best = t;
	}
	return best;
}

/* Is visible @t the last visible task of its lane? */
static bool lsc_lane_last(const struct lsc_lane *lane,
			  const struct lsc_task *t)
{
	const struct lsc_list *l;
	const struct lsc_task *o;

	for (l = lane->visible->next; l != lane->visible; l = l->next) {
		o = task_of_alink(l);
		if (o->part == t->part && lsc_lane_cmp(o, t) > 0)
			return false;
	}
	return true;
}

/* ---------------------------------------------------------- tournament */

static bool lsc_part_live(const struct lsc_engine *eng,
			  const struct lsc_part *p)
{
	return p->used && p->gen == eng->gen && !p->out && p->front;
}

/*
 * The match of two nodes' winners.  While leaves are out of date a node
 * may name a partition that is no longer live: it loses (its own replay,
 * still to come, puts it right).
 */
static u8 lsc_tour_win(const struct lsc_engine *eng, u8 a, u8 b)
{
	if (a == LSC_PART_NONE || !lsc_part_live(eng, &eng->parts[a]))
		return b == LSC_PART_NONE ||
		       !lsc_part_live(eng, &eng->parts[b]) ? LSC_PART_NONE : b;
	if (b == LSC_PART_NONE || !lsc_part_live(eng, &eng->parts[b]))
		return a;
	return lsc_part_order(eng->kpolicy, eng->parts[a].front,
			      eng->parts[b].front) <= 0 ? a : b;
}

/*
 * The node of the tree over the partitions in use: partitions are taken
 * lowest index first, so those in use lie below 2^tour_levels, and the
 * nodes above that subtree's root would only repeat it.
 */
static u32 lsc_tour_top(const struct lsc_engine *eng)
{
	return LSC_NR_PARTS >> eng->tour_levels;
}

/* Partition @pi's front changed: replay its matches up to the top. */
static void lsc_tour_update(struct lsc_engine *eng, u32 pi)
{
	u32 i = LSC_NR_PARTS + pi, top = lsc_tour_top(eng);
	u8 w;

	eng->tour[i] = lsc_part_live(eng, &eng->parts[pi]) ? pi :
		       LSC_PART_NONE;
	for (i /= 2; i >= top; i /= 2) {
		w = lsc_tour_win(eng, eng->tour[2 * i], eng->tour[2 * i + 1]);
		if (w == eng->tour[i] && w != pi)
			break;
		eng->tour[i] = w;
	}
}

static void lsc_tour_rebuild(struct lsc_engine *eng)
{
	u32 i;

	memset(eng->tour_dirty, 0, sizeof(eng->tour_dirty));
	for (i = 0; i < LSC_NR_PARTS; i++)
		eng->tour[LSC_NR_PARTS + i] =
			lsc_part_live(eng, &eng->parts[i]) ? i : LSC_PART_NONE;
	for (i = LSC_NR_PARTS - 1; i > 0; i--)
		eng->tour[i] = lsc_tour_win(eng, eng->tour[2 * i],
					    eng->tour[2 * i + 1]);
}

/*
 * Partition @pi's leaf is out of date.  The tree is brought up to date
 * when it is read (lsc_tour_flush()): fronts change several times between
 * two reads (a submission, an assignment and its lane's next task), and
 * each replay walks to the root.
 */
static void lsc_tour_mark(struct lsc_engine *eng, u32 pi)
{
	eng->tour_dirty[pi / 64] |= 1ULL << (pi % 64);
}

static void lsc_tour_flush(struct lsc_engine *eng)
{
	u32 w, n = 0, pi;
	u64 m;

	for (w = 0; w < LSC_NR_PARTS / 64; w++) {
		m = eng->tour_dirty[w];
		while (m) {
			n++;
			m &= m - 1;
		}
	}
	if (n > LSC_WALK_REBUILD) {
		lsc_tour_rebuild(eng);
		return;
	}
	for (w = 0; w < LSC_NR_PARTS / 64; w++) {
		while ((m = eng->tour_dirty[w])) {
			pi = w * 64 + lsc_fls64(m) - 1;
			eng->tour_dirty[w] &= ~(1ULL << (pi % 64));
			lsc_tour_update(eng, pi);
		}
	}
}

static void lsc_set_front(struct lsc_engine *eng, struct lsc_part *p,
			  struct lsc_task *t)
{
	p->front = t;
	if (eng->walking && lsc_list_empty(&p->wlink))
		lsc_list_add_after(&p->wlink, &eng->walked);
	lsc_tour_mark(eng, (u32)(p - eng->parts));
}

static struct lsc_task *lsc_pq_next(const struct lsc_task *t)
{
	struct lsc_node *n = lsc_tree_next(&t->qnode);

	return n ? task_of_qnode(n) : NULL;
}

/* --------------------------------------------------------- partitions */

static u32 lsc_part_slot(u64 mask, u32 gen)
{
	u64 x = mask ^ ((u64)gen * 0x9e3779b97f4a7c15ULL);

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 29;
	return (u32)x & (LSC_PART_HASH - 1);
}

static u32 lsc_part_find(const struct lsc_engine *eng, u64 mask)
{
	u32 i = lsc_part_slot(mask, eng->gen), pi;

	while (eng->part_hash[i]) {
		pi = eng->part_hash[i] - 1;
		if (eng->parts[pi].mask == mask &&
		    eng->parts[pi].gen == eng->gen && !eng->parts[pi].shared)
			return pi;
		i = (i + 1) & (LSC_PART_HASH - 1);
	}
	return LSC_PART_NONE;
}

static u32 lsc_part_alloc(struct lsc_engine *eng, u64 mask, bool shared)
{
	struct lsc_part *p;
	u32 pi, i;

	for (pi = 0; pi < LSC_NR_PARTS && eng->parts[pi].used; pi++)
		;
	if (LSC_WARN_ON(pi == LSC_NR_PARTS))
		return LSC_PART_NONE;
	if (pi >= (1U << eng->tour_levels)) {
		/* The tree over the partitions in use grows a level. */
		while (pi >= (1U << eng->tour_levels))
			eng->tour_levels++;
		eng->tour_dirty[0] = ~0ULL;
	}
	p = &eng->parts[pi];
	p->used = 1;
	p->mask = mask;
	p->gen = eng->gen;
	p->policy = (u8)eng->kpolicy;
	p->shared = shared;
	p->nr_tasks = 0;
	p->front = NULL;
	p->out = 0;
	p->skips = 0;
	lsc_tree_init(&p->q);
	lsc_tree_init(&p->runq);
	lsc_list_init(&p->visible);
	eng->nr_parts_used++;
	eng->nr_parts_fresh++;
	if (shared) {
		eng->shared_part = (u8)pi;
		return pi;
	}
	i = lsc_part_slot(mask, p->gen);
	while (eng->part_hash[i])
		i = (i + 1) & (LSC_PART_HASH - 1);
	eng->part_hash[i] = (u8)(pi + 1);
	return pi;
}

/* Remove @pi from the hash (linear probing: shift the run back). */
static void lsc_part_unhash(struct lsc_engine *eng, u32 pi)
{
	u32 i, j, h, m = LSC_PART_HASH - 1;
	struct lsc_part *q;

	i = lsc_part_slot(eng->parts[pi].mask, eng->parts[pi].gen);
	while (eng->part_hash[i] != pi + 1)
		i = (i + 1) & m;
	for (j = (i + 1) & m; eng->part_hash[j]; j = (j + 1) & m) {
		q = &eng->parts[eng->part_hash[j] - 1];
		h = lsc_part_slot(q->mask, q->gen);
		/* Entry j may move to i when i lies on its probe path. */
		if (((j - h) & m) >= ((j - i) & m)) {
			eng->part_hash[i] = eng->part_hash[j];
			i = j;
		}
	}
	eng->part_hash[i] = 0;
}

static void lsc_part_free(struct lsc_engine *eng, u32 pi)
{
	struct lsc_part *p = &eng->parts[pi];

	if (p->shared) {
		if (eng->shared_part == pi)
			eng->shared_part = LSC_PART_NONE;
	} else {
		lsc_part_unhash(eng, pi);
	}
	if (p->gen == eng->gen)
		eng->nr_parts_fresh--;
	eng->nr_parts_used--;
	p->used = 0;
	p->front = NULL;
	if (!lsc_list_empty(&p->wlink))
		lsc_list_del(&p->wlink);
	lsc_tour_mark(eng, pi);
}

/*
 * The partition of the current generation for @mask.  A generation has at
 * most LSC_PARTS_PER_GEN partitions; tasks of further masks share the last
 * one, whose mask holds every slot.
 */
static u32 lsc_part_get(struct lsc_engine *eng, u64 mask)
{
	u32 pi = lsc_part_find(eng, mask);

	if (pi != LSC_PART_NONE)
		return pi;
	if (eng->nr_parts_fresh < LSC_PARTS_PER_GEN - 1)
		return lsc_part_alloc(eng, mask, false);
	if (eng->shared_part != LSC_PART_NONE &&
	    eng->parts[eng->shared_part].gen == eng->gen)
		return eng->shared_part;
	return lsc_part_alloc(eng, ~0ULL, true);
}

static bool lsc_part_stale(const struct lsc_engine *eng, u32 pi)
{
	return eng->parts[pi].gen != eng->gen;
}

/* ------------------------------------------------------ visible tasks */

/* Hidden (or new) @t becomes visible in its partition's queue. */
static void lsc_show(struct lsc_engine *eng, struct lsc_task *t)
{
	struct lsc_part *p = &eng->parts[t->part];
	struct lsc_lane lane;

	lsc_lane_of(eng, t, &lane);
	if (t->qwhere != LSC_Q_NONE)
		lsc_urq_erase(eng, lane.runq, t);
	t->qwhere = LSC_Q_VISIBLE;
	lsc_tree_insert(&p->q, &t->qnode, lsc_pq_cmp, p);
	lsc_list_add_after(&t->alink, lane.visible);
	if (!p->front || lsc_part_order(p->policy, t, p->front) < 0)
		lsc_set_front(eng, p, t);
}

/* Visible @t leaves its partition's queue (to nowhere yet). */
static void lsc_unshow(struct lsc_engine *eng, struct lsc_task *t)
{
	struct lsc_part *p = &eng->parts[t->part];

	if (p->front == t)
		lsc_set_front(eng, p, lsc_pq_next(t));
	lsc_tree_erase(&p->q, &t->qnode);
	lsc_list_del(&t->alink);
	t->qwhere = LSC_Q_NONE;
	t->flags &= ~LSC_TASK_F_EXTRA;
}

static void lsc_hide(struct lsc_engine *eng, struct lsc_task *t)
{
	struct lsc_lane lane;

	lsc_lane_of(eng, t, &lane);
	lsc_unshow(eng, t);
	lsc_urq_insert(eng, &lane, t);
}

/*
 * A task of @lane (of user @u) left the visible set, or the walk passed
 * one (@was_last: it was the last visible task of its lane): make the
 * lane's next task visible.  During a walk a lane may so have several
 * visible tasks (the extra ones go back at the walk's end).
 */
static void lsc_lane_advance(struct lsc_engine *eng,
			     const struct lsc_lane *lane,
			     const struct lsc_user *u, bool was_last)
{
	struct lsc_task *h, *vis;

	if ((lane->own && lsc_user_blocked(eng, u)) ||
	    !eng->parts[lane->part].used || lsc_part_stale(eng, lane->part))
		return;
	vis = lsc_lane_visible(lane);
	if (vis && !was_last)
		return;
	h = lsc_lane_first(eng, lane);
	if (!h)
		return;
	lsc_show(eng, h);
	if (vis) {
		h->flags |= LSC_TASK_F_EXTRA;
		h->work = eng->extra;
		eng->extra = h;
	}
}

bool lsc_rq_lane_last(struct lsc_engine *eng, const struct lsc_task *t)
{
	struct lsc_lane lane;

	lsc_lane_of(eng, t, &lane);
	return lsc_lane_last(&lane, t);
}

void lsc_rq_lane_advance(struct lsc_engine *eng, const struct lsc_task *t,
			 u32 part, bool was_last)
{
	struct lsc_lane lane;

	lsc_lane_init(eng, &lane, t->user, part,
		      t->flags & LSC_TASK_F_OWN_LANE);
	lsc_lane_advance(eng, &lane, t->user, was_last);
}

void lsc_rq_user_blocked(struct lsc_engine *eng, struct lsc_user *u,
			 bool blocked)
{
	struct lsc_lane_key k = { 0, 0, true };
	struct lsc_node *n, *next;
	struct lsc_lane lane;
	struct lsc_task *t;

	if (blocked) {
		while (!lsc_list_empty(&u->visible))
			lsc_hide(eng, task_of_alink(u->visible.next));
		return;
	}
	/* The first task of each lane (of the current generation) shows. */
	for (n = lsc_tree_first(&u->runq); n; n = next) {
		t = task_of_qnode(n);
		k.gen = eng->parts[t->part].gen;
		k.part = t->part;
		next = lsc_tree_find_first(&u->runq, lsc_lane_key, &k, eng);
		lsc_lane_init(eng, &lane, u, t->part, true);
		if (!lsc_part_stale(eng, t->part) && !lsc_lane_visible(&lane))
			lsc_show(eng, t);
	}
}

/* The walk's head needs its user's last free slot: hide the user's tasks. */
void lsc_rq_hold_user(struct lsc_engine *eng, struct lsc_user *u)
{
	eng->held_user = u;
	lsc_rq_user_blocked(eng, u, true);
}

void lsc_rq_share_changed(struct lsc_engine *eng, struct lsc_user *u,
			  u32 share)
{
	struct lsc_list *l;
	struct lsc_task *t;
	struct lsc_part *p;

	/* DRF queues order by share: out with the old key, in with the new. */
	for (l = u->visible.next; l != &u->visible; l = l->next) {
		t = task_of_alink(l);
		p = &eng->parts[t->part];
		if (p->policy != LSC_POLICY_DRF)
			continue;
		if (p->front == t)
			lsc_set_front(eng, p, lsc_pq_next(t));
		lsc_tree_erase(&p->q, &t->qnode);
	}
	u->share = share;
	for (l = u->visible.next; l != &u->visible; l = l->next) {
		t = task_of_alink(l);
		p = &eng->parts[t->part];
		if (p->policy != LSC_POLICY_DRF)
			continue;
		lsc_tree_insert(&p->q, &t->qnode, lsc_pq_cmp, p);
		if (!p->front || lsc_part_order(p->policy, t, p->front) < 0)
			lsc_set_front(eng, p, t);
	}
}

/* ------------------------------------------------------- add and del */

void lsc_rq_add(struct lsc_engine *eng, struct lsc_task *t)
{
	struct lsc_user *u = t->user;
	struct lsc_task *vis;
	struct lsc_lane lane;
	bool own;
	u32 pi;

	pi = lsc_part_get(eng, lsc_task_mask(eng, t));
	own = eng->kpolicy == LSC_POLICY_DRF || u->max_active;
	t->part = pi;
	t->qkey = lsc_policy_key(eng, t);
	t->qwhere = LSC_Q_NONE;
	t->flags &= ~(LSC_TASK_F_EXTRA | LSC_TASK_F_OWN_LANE);
	if (own)
		t->flags |= LSC_TASK_F_OWN_LANE;
	eng->parts[pi].nr_tasks++;
	lsc_lane_init(eng, &lane, u, pi, own);
	if (own && lsc_user_at_limit(u)) {
		lsc_urq_insert(eng, &lane, t);
		return;
	}
	vis = lsc_lane_visible(&lane);
	if (vis && lsc_lane_cmp(t, vis) > 0) {
		lsc_urq_insert(eng, &lane, t);
		return;
	}
	if (vis)
		lsc_hide(eng, vis);
	lsc_show(eng, t);
}

void lsc_rq_take(struct lsc_engine *eng, struct lsc_task *t)
{
	struct lsc_part *p = &eng->parts[t->part];
	struct lsc_lane lane;

	if (t->qwhere == LSC_Q_VISIBLE) {
		lsc_unshow(eng, t);
	} else {
		lsc_lane_of(eng, t, &lane);
		lsc_urq_erase(eng, lane.runq, t);
	}
	if (p->gen != eng->gen)
		eng->nr_stale--;
	if (!--p->nr_tasks)
		lsc_part_free(eng, t->part);
}

void lsc_rq_del(struct lsc_engine *eng, struct lsc_task *t)
{
	u32 part = t->part;

	lsc_rq_take(eng, t);
	lsc_rq_lane_advance(eng, t, part, false);
}

/* @t's key may have changed (its rank grew): file it again if it did. */
void lsc_rq_refile(struct lsc_engine *eng, struct lsc_task *t)
{
	if (t->qkey == lsc_policy_key(eng, t) && !lsc_part_stale(eng, t->part))
		return;
	lsc_rq_del(eng, t);
	lsc_rq_add(eng, t);
}

void lsc_rq_init(struct lsc_engine *eng)
{
	u32 i;

	for (i = 0; i < LSC_NR_PARTS; i++) {
		lsc_tree_init(&eng->parts[i].q);
		lsc_tree_init(&eng->parts[i].runq);
		lsc_list_init(&eng->parts[i].visible);
		lsc_list_init(&eng->parts[i].wlink);
	}
	memset(eng->tour, LSC_PART_NONE, sizeof(eng->tour));
	eng->shared_part = LSC_PART_NONE;
	lsc_list_init(&eng->walked);
	eng->gen = 1;
	eng->kpolicy = eng->policy;
	eng->kage_ns = eng->tun.age_ns;
	eng->krank = eng->tun.dag_rank;
}

/* --------------------------------------------------------------- walk */

struct lsc_part *lsc_walk_first(struct lsc_engine *eng)
{
	u8 pi;

	lsc_tour_flush(eng);
	pi = eng->tour[lsc_tour_top(eng)];

	return pi == LSC_PART_NONE ? NULL : &eng->parts[pi];
}

void lsc_walk_pass(struct lsc_engine *eng, struct lsc_part *p)
{
	struct lsc_task *t = p->front;
	struct lsc_lane lane;

	eng->stats.passed++;
	/* Behind @t, its lane's next task is now in line for this walk. */
	lsc_lane_of(eng, t, &lane);
	if (lsc_lane_last(&lane, t))
		lsc_lane_advance(eng, &lane, t->user, true);
	lsc_set_front(eng, p, lsc_pq_next(t));
}

void lsc_walk_out(struct lsc_engine *eng, struct lsc_part *p)
{
	p->out = 1;
	lsc_set_front(eng, p, p->front);
}

void lsc_walk_end(struct lsc_engine *eng)
{
	struct lsc_task *t = eng->extra, *next;
	struct lsc_lane lane;
	struct lsc_user *u;
	struct lsc_part *p;

	/* Each lane keeps one visible task, its first. */
	eng->extra = NULL;
	for (; t; t = next) {
		next = t->work;
		t->work = NULL;
		if (!(t->flags & LSC_TASK_F_EXTRA))
			continue;
		t->flags &= ~LSC_TASK_F_EXTRA;
		lsc_lane_of(eng, t, &lane);
		if (lsc_lane_visible(&lane) != t)
			lsc_hide(eng, t);
	}
	/* The user held behind the head shows its lanes again. */
	u = eng->held_user;
	eng->held_user = NULL;
	if (u && !lsc_user_at_limit(u))
		lsc_rq_user_blocked(eng, u, false);
	eng->walking = 0;
	while (!lsc_list_empty(&eng->walked)) {
		p = part_of_wlink(eng->walked.next);
		lsc_list_del(&p->wlink);
		p->out = 0;
		p->skips = 0;
		p->front = p->used ? (p->q.root ?
			   task_of_qnode(lsc_tree_first(&p->q)) : NULL) : NULL;
		lsc_tour_mark(eng, (u32)(p - eng->parts));
	}
}

/* ---------------------------------------------------------- re-queueing */

static bool lsc_order_current(const struct lsc_engine *eng)
{
	return eng->kpolicy == eng->policy && eng->krank == eng->tun.dag_rank &&
	       (eng->policy != LSC_POLICY_MLFQ ||
		eng->kage_ns == eng->tun.age_ns);
}

static void lsc_adopt_order(struct lsc_engine *eng)
{
	eng->kpolicy = eng->policy;
	eng->kage_ns = eng->tun.age_ns;
	eng->krank = eng->tun.dag_rank;
}

/*
 * Every RUNNABLE task is to be filed again (the order or the classes
 * changed).  While a re-queueing is pending, the next one waits for it.
 */
void lsc_rq_rekey_start(struct lsc_engine *eng)
{
	if (eng->nr_stale) {
		eng->rekey_again = 1;
		return;
	}
	eng->rekey_again = 0;
	lsc_adopt_order(eng);
	if (!eng->nr_runnable)
		return;
	eng->stats.rekeys++;
	eng->gen++;
	eng->nr_stale = eng->nr_runnable;
	eng->nr_parts_fresh = 0;
	eng->shared_part = LSC_PART_NONE;
	eng->rekey_part = 0;
	eng->rekey_user = user_of_link(eng->user_list.next);
	lsc_tour_rebuild(eng);
}

void lsc_rq_rekey_user_gone(struct lsc_engine *eng, struct lsc_user *u)
{
	if (eng->rekey_user != u)
		return;
	eng->rekey_user = u->link.next == &eng->user_list ? NULL :
			  user_of_link(u->link.next);
}

/* A task of an older generation's partition in a lane's queues, or NULL. */
static struct lsc_task *lsc_stale_task(const struct lsc_engine *eng,
				       const struct lsc_tree *runq,
				       const struct lsc_list *visible)
{
	const struct lsc_list *l;
	struct lsc_task *t;
	struct lsc_node *n;

	for (l = visible->next; l != visible; l = l->next) {
		t = task_of_alink(l);
		if (lsc_part_stale(eng, t->part))
			return t;
	}
	/* Older generations sort first in a run queue. */
	n = lsc_tree_first(runq);
	t = n ? task_of_qnode(n) : NULL;
	return t && lsc_part_stale(eng, t->part) ? t : NULL;
}

/* The next task to re-queue: partitions' own lanes first, then users'. */
static struct lsc_task *lsc_rekey_next(struct lsc_engine *eng)
{
	struct lsc_part *p;
	struct lsc_user *u;
	struct lsc_task *t;

	for (; eng->rekey_part < LSC_NR_PARTS; eng->rekey_part++) {
		p = &eng->parts[eng->rekey_part];
		if (!p->used || p->gen == eng->gen)
			continue;
		t = lsc_stale_task(eng, &p->runq, &p->visible);
		if (t)
			return t;
	}
	while ((u = eng->rekey_user)) {
		t = lsc_stale_task(eng, &u->runq, &u->visible);
		if (t)
			return t;
		lsc_rq_rekey_user_gone(eng, u);
	}
	return NULL;
}

u32 lsc_rekey_step(struct lsc_engine *eng, u32 budget)
{
	struct lsc_task *t;
	u32 moved = 0;

	for (;;) {
		if (!eng->nr_stale) {
			eng->rekey_user = NULL;
			if (!eng->rekey_again)
				return 0;
			lsc_rq_rekey_start(eng);
			continue;
		}
		if (budget && moved == budget)
			return 1;
		t = lsc_rekey_next(eng);
		if (LSC_WARN_ON(!t))
			return 0;
		lsc_rq_del(eng, t);
		lsc_rq_add(eng, t);
		moved++;
		eng->stats.rekeyed++;
	}
}

void lsc_set_rekey_budget(struct lsc_engine *eng, u32 tasks)
{
	eng->rekey_budget = tasks;
}

/* The order settings changed: re-queue when they differ from the keys. */
static void lsc_rq_order_changed(struct lsc_engine *eng)
{
	if (lsc_order_current(eng))
		return;
	lsc_rq_rekey_start(eng);
	lsc_rekey_step(eng, eng->rekey_budget);
}

int lsc_set_policy(struct lsc_engine *eng, u32 policy)
{
	if (policy >= LSC_POLICY_NR)
		return -LSC_EINVAL;
	if (policy == eng->policy)
		return 0;
	eng->policy = policy;
	lsc_rq_order_changed(eng);
	return 0;
}

int lsc_set_load_interval(struct lsc_engine *eng, u64 ns)
{
	if (ns < 1000 || ns > (1ULL << 40))
		return -LSC_EINVAL;
	/* Stale loads are looked at again on the new interval's terms. */
	if (ns != eng->tun.load_interval_ns)
		eng->load_check_ns = 0;
	eng->tun.load_interval_ns = ns;
	return 0;
}

int lsc_set_tunables(struct lsc_engine *eng, const struct lsc_tunables *tun)
{
	if (tun->backfill_depth > 65536 || !tun->agent_scan ||
	    tun->agent_scan > 65536 || tun->age_ns < 1000 ||
	    tun->age_ns > (1ULL << 40) || !tun->est_max_ns ||
	    tun->est_max_ns > (1ULL << 47) || !tun->default_est_ns ||
	    tun->default_est_ns > tun->est_max_ns ||
	    tun->balance_threshold > LSC_LOAD_MAX ||
	    tun->max_migrations > 65536 || tun->dag_rank > 1 ||
	    tun->load_interval_ns < 1000 ||
	    tun->load_interval_ns > (1ULL << 40))
		return -LSC_EINVAL;
	/* Stale loads are looked at again on the new interval's terms. */
	if (tun->load_interval_ns != eng->tun.load_interval_ns)
		eng->load_check_ns = 0;
	eng->tun = *tun;
	lsc_rq_order_changed(eng);
	return 0;
}

int lsc_user_set_limit(struct lsc_engine *eng, struct lsc_user *user,
		       u32 max_active)
{
	bool was, regroup;

	if (!user->registered)
		return -LSC_ENOENT;
	was = lsc_user_at_limit(user);
	regroup = !max_active != !user->max_active && user->nr_runnable &&
		  eng->kpolicy != LSC_POLICY_DRF;
	user->max_active = max_active;
	if (regroup) {
		/* Its tasks move between its lanes and the partitions'. */
		lsc_rq_rekey_start(eng);
		lsc_rekey_step(eng, eng->rekey_budget);
	}
	if (was != lsc_user_at_limit(user))
		lsc_rq_user_blocked(eng, user, !was);
	return 0;
}

/* ----------------------------------------------------------- reporting */

static bool lsc_part_parked(const struct lsc_engine *eng,
			    const struct lsc_part *p)
{
	return !(p->mask & eng->up_slots);
}

u32 lsc_task_wait(const struct lsc_engine *eng, const struct lsc_task *t)
{
	const struct lsc_part *p;

	if (t->state == LSC_TASK_QUEUED)
		return LSC_WAIT_DEPS;
	if (t->state != LSC_TASK_RUNNABLE)
		return LSC_WAIT_NONE;
	p = &eng->parts[t->part];
	if (p->gen != eng->gen)
		return LSC_WAIT_REKEY;
	if (lsc_part_parked(eng, p))
		return LSC_WAIT_NO_AGENT;
	if (lsc_user_at_limit(t->user))
		return LSC_WAIT_USER_LIMIT;
	return LSC_WAIT_TURN;
}

u64 lsc_nr_parked(const struct lsc_engine *eng)
{
	const struct lsc_part *p;
	u64 n = 0;

	for (p = eng->parts; p < eng->parts + LSC_NR_PARTS; p++)
		if (p->used && p->gen == eng->gen && lsc_part_parked(eng, p))
			n += p->nr_tasks;
	return n;
}
