// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched engine: queues, fit, agent choice, dependencies, backfilling,
 * fair share, balancing, ledger and estimator.
 *
 * See engine.h for the contract with the caller and
 * Documentation/scheduling/policies.rst for the policies.
 */
#include "engine.h"

#define LSC_NS_PER_SEC	1000000000ULL
/* Tasks skipped before any reservation, beyond backfill_depth. */
#define LSC_SKIP_SLACK	64
/* MLFQ levels moved by a walk beyond which its end rebuilds the tree. */
#define LSC_MLFQ_REBUILD	16

#define task_of_qnode(n)	lsc_container_of(n, struct lsc_task, qnode)
#define task_of_qlink(l)	lsc_container_of(l, struct lsc_task, qlink)
#define class_of_wlink(l)	lsc_container_of(l, struct lsc_rqclass, wlink)
#define task_of_alink(l)	lsc_container_of(l, struct lsc_task, alink)
#define agent_of_rnode(n)	lsc_container_of(n, struct lsc_agent, rnode)
#define agent_of_enode(n)	lsc_container_of(n, struct lsc_agent, enode)
#define agent_of_lnode(n)	lsc_container_of(n, struct lsc_agent, lnode)
#define agent_of_clink(l)	lsc_container_of(l, struct lsc_agent, cls_link)
#define class_of_link(l)	lsc_container_of(l, struct lsc_class, link)
#define user_of_snode(n)	lsc_container_of(n, struct lsc_user, snode)
#define user_of_link(l)		lsc_container_of(l, struct lsc_user, link)
#define dep_of_link(l)		lsc_container_of(l, struct lsc_dep, link)

/* ------------------------------------------------------------- arithmetic */

static int lsc_cmp_u64(u64 a, u64 b)
{
	return a < b ? -1 : a > b;
}

static u64 lsc_add_sat(u64 a, u64 b)
{
	return a > U64_MAX - b ? U64_MAX : a + b;
}

/* @num * @scale / @den, at most @scale when @num >= @den; @den > 0. */
static u64 lsc_ratio(u64 num, u64 den, u64 scale)
{
	if (num >= den)
		return scale;
	if (num <= U64_MAX / scale)
		return lsc_div64_u64(num * scale, den);
	/* Large values: lose the low bits of the denominator instead. */
	return lsc_div64_u64(num, lsc_div64_u64(den, scale) + 1);
}

/* Dominant share of @used in @cap over the kinds @cap has, per @scale. */
static u64 lsc_dominant(const u64 *used, const u64 *cap, u64 scale)
{
	u64 best = 0, s;
	int k;

	for (k = 0; k < LSC_NR_RES; k++) {
		if (!used[k])
			continue;
		s = cap[k] ? lsc_ratio(used[k], cap[k], scale) : scale;
		if (s > best)
			best = s;
	}
	return best;
}

/* -------------------------------------------------------------- names */

static const char * const lsc_state_names[LSC_TASK_NR_STATES] = {
	"new", "queued", "runnable", "assigned", "running", "succeeded",
	"failed", "cancelled",
};

static const char * const lsc_reason_names[LSC_FAIL_NR] = {
	"none", "exit", "agent-lost", "dep-failed", "cancelled",
};

const char *lsc_task_state_name(u32 state)
{
	return state < LSC_TASK_NR_STATES ? lsc_state_names[state] : "?";
}

const char *lsc_fail_reason_name(u32 reason)
{
	return reason < LSC_FAIL_NR ? lsc_reason_names[reason] : "?";
}

/* ----------------------------------------------------------- the engine */

void lsc_default_tunables(struct lsc_tunables *tun)
{
	tun->backfill_depth = 64;
	tun->agent_scan = 64;
	tun->age_ns = 10 * LSC_NS_PER_SEC;
	tun->default_est_ns = 60 * LSC_NS_PER_SEC;
	tun->est_max_ns = 1ULL << 46;
	tun->balance_threshold = 200;
	tun->max_migrations = 16;
}

void lsc_engine_init(struct lsc_engine *eng, const struct lsc_ops *ops,
		     void *priv)
{
	int i;

	memset(eng, 0, sizeof(*eng));
	eng->ops = ops;
	eng->priv = priv;
	eng->policy = LSC_POLICY_PRIO_FIFO;
	eng->choice = LSC_CHOOSE_LEAST_LOADED;
	lsc_default_tunables(&eng->tun);
	lsc_tree_init(&eng->runq);
	for (i = 0; i < LSC_NR_CLASSES; i++) {
		lsc_tree_init(&eng->rq[i].q.tree);
		lsc_list_init(&eng->rq[i].q.fifo);
		lsc_list_init(&eng->rq[i].wlink);
	}
	for (i = 2 * LSC_NR_CLASSES - 1; i > 0; i--) {
		eng->mlfq_t[i].key = U64_MAX;
		eng->mlfq_t[i].id = U64_MAX;
		eng->mlfq_t[i].empty = 1;
		eng->mlfq_t[i].level = i >= LSC_NR_CLASSES ?
				       i - LSC_NR_CLASSES : 0;
	}
	lsc_list_init(&eng->mlfq_walked);
	lsc_tree_init(&eng->users);
	lsc_tree_init(&eng->loads);
	lsc_list_init(&eng->classes);
	lsc_list_init(&eng->user_list);
}

/* ------------------------------------------------------------ run queue */

static u32 lsc_task_level(const struct lsc_task *t)
{
	return t->prio > t->level ? t->prio - t->level : 0;
}

static u64 lsc_mlfq_key(const struct lsc_engine *eng,
			const struct lsc_task *t)
{
	return t->arrival_ns +
	       (u64)(LSC_PRIO_MAX - lsc_task_level(t)) * eng->tun.age_ns;
}

/* Priority (higher first), arrival, id. */
static int lsc_cmp_prio_fifo(const struct lsc_task *a,
			     const struct lsc_task *b)
{
	if (a->prio != b->prio)
		return a->prio > b->prio ? -1 : 1;
	if (a->arrival_ns != b->arrival_ns)
		return lsc_cmp_u64(a->arrival_ns, b->arrival_ns);
	return lsc_cmp_u64(a->id, b->id);
}

static int lsc_qcmp_pf(const struct lsc_node *na, const struct lsc_node *nb,
		       const void *ctx)
{
	return lsc_cmp_prio_fifo(task_of_qnode(na), task_of_qnode(nb));
}

static int lsc_qcmp(const struct lsc_node *na, const struct lsc_node *nb,
		    const void *ctx)
{
	const struct lsc_engine *eng = ctx;
	const struct lsc_task *a = task_of_qnode(na);
	const struct lsc_task *b = task_of_qnode(nb);
	int c;

	switch (eng->policy) {
	case LSC_POLICY_SJF:
		if (a->prio != b->prio)
			return a->prio > b->prio ? -1 : 1;
		if (a->est_ns != b->est_ns)
			return lsc_cmp_u64(a->est_ns, b->est_ns);
		if (a->arrival_ns != b->arrival_ns)
			return lsc_cmp_u64(a->arrival_ns, b->arrival_ns);
		return lsc_cmp_u64(a->id, b->id);
	case LSC_POLICY_MLFQ:
		c = lsc_cmp_u64(lsc_mlfq_key(eng, a), lsc_mlfq_key(eng, b));
		return c ? c : lsc_cmp_u64(a->id, b->id);
	default:
		return lsc_cmp_prio_fifo(a, b);
	}
}

static int lsc_ucmp(const struct lsc_node *na, const struct lsc_node *nb,
		    const void *ctx)
{
	const struct lsc_user *a = user_of_snode(na);
	const struct lsc_user *b = user_of_snode(nb);

	if (a->share != b->share)
		return a->share < b->share ? -1 : 1;
	if (a->uid != b->uid)
		return a->uid < b->uid ? -1 : 1;
	return lsc_cmp_u64((u64)(unsigned long)a, (u64)(unsigned long)b);
}

static void lsc_user_update_share(struct lsc_engine *eng, struct lsc_user *u)
{
	u32 share = (u32)lsc_dominant(u->alloc, eng->reserved, LSC_SHARE_ONE);

	if (share == u->share)
		return;
	if (lsc_node_linked(&u->snode)) {
		lsc_tree_erase(&eng->users, &u->snode);
		u->share = share;
		lsc_tree_insert(&eng->users, &u->snode, lsc_ucmp, eng);
	} else {
		u->share = share;
	}
}

/* Re-key every user after the DRF denominators changed. */
static void lsc_users_rekey(struct lsc_engine *eng)
{
	struct lsc_list *l;

	for (l = eng->user_list.next; l != &eng->user_list; l = l->next)
		lsc_user_update_share(eng, user_of_link(l));
}

/*
 * A run queue class (struct lsc_fifoq): a treap of its smaller keys, then a
 * FIFO list of its larger keys.  @t->qwhere says which holds a task.
 */
#define LSC_Q_NONE	0
#define LSC_Q_TREE	1
#define LSC_Q_FIFO	2

static bool lsc_fq_empty(const struct lsc_fifoq *q)
{
	return !q->tree.root && lsc_list_empty(&q->fifo);
}

static struct lsc_task *lsc_fq_fifo_first(const struct lsc_fifoq *q)
{
	return lsc_list_empty(&q->fifo) ? NULL : task_of_qlink(q->fifo.next);
}

static struct lsc_task *lsc_fq_first(const struct lsc_fifoq *q)
{
	struct lsc_node *n = lsc_tree_first(&q->tree);

	return n ? task_of_qnode(n) : lsc_fq_fifo_first(q);
}

static struct lsc_task *lsc_fq_next(const struct lsc_fifoq *q,
				    const struct lsc_task *t)
{
	struct lsc_node *n;

	if (t->qwhere == LSC_Q_TREE) {
		n = lsc_tree_next(&t->qnode);
		return n ? task_of_qnode(n) : lsc_fq_fifo_first(q);
	}
	return t->qlink.next == &q->fifo ? NULL : task_of_qlink(t->qlink.next);
}

static void lsc_fq_to_tree(struct lsc_fifoq *q, struct lsc_task *t,
			   lsc_cmp_fn cmp, const void *ctx)
{
	t->qwhere = LSC_Q_TREE;
	lsc_tree_insert(&q->tree, &t->qnode, cmp, ctx);
}

/*
 * O(1) when @t sorts after every task of @q (the common case), else
 * O(log n) plus O(log n) per FIFO task that moves to the treap.
 */
static void lsc_fq_insert(struct lsc_fifoq *q, struct lsc_task *t,
			  lsc_cmp_fn cmp, const void *ctx)
{
	struct lsc_node *last;
	struct lsc_task *h;

	if (lsc_list_empty(&q->fifo)) {
		last = lsc_tree_last(&q->tree);
		if (last && cmp(&t->qnode, last, ctx) < 0) {
			lsc_fq_to_tree(q, t, cmp, ctx);
			return;
		}
	} else if (cmp(&t->qnode, &task_of_qlink(q->fifo.prev)->qnode,
		       ctx) < 0) {
		/* Out of order: the FIFO tasks before @t go to the treap. */
		while ((h = lsc_fq_fifo_first(q)) &&
		       cmp(&h->qnode, &t->qnode, ctx) < 0) {
			lsc_list_del(&h->qlink);
			lsc_fq_to_tree(q, h, cmp, ctx);
		}
		lsc_fq_to_tree(q, t, cmp, ctx);
		return;
	}
	t->qwhere = LSC_Q_FIFO;
	lsc_list_add_after(&t->qlink, q->fifo.prev);
}

static void lsc_fq_erase(struct lsc_fifoq *q, struct lsc_task *t)
{
	if (t->qwhere == LSC_Q_TREE)
		lsc_tree_erase(&q->tree, &t->qnode);
	else
		lsc_list_del(&t->qlink);
	t->qwhere = LSC_Q_NONE;
}

/* --- priority-FIFO: one class per priority, a bitmap of non-empty ones */

/* Highest non-empty priority at most @p, or -1. */
static int lsc_pf_at_most(const struct lsc_engine *eng, int p)
{
	int w;
	u64 m;

	if (p < 0)
		return -1;
	w = p >> 6;
	m = eng->rq_map[w] & (~0ULL >> (63 - (p & 63)));
	for (;;) {
		if (m)
			return w * 64 + (int)lsc_fls64(m) - 1;
		if (--w < 0)
			return -1;
		m = eng->rq_map[w];
	}
}

static struct lsc_task *lsc_pf_first_at_most(const struct lsc_engine *eng,
					     int p)
{
	p = lsc_pf_at_most(eng, p);
	return p < 0 ? NULL : lsc_fq_first(&eng->rq[p].q);
}

static void lsc_pf_add(struct lsc_engine *eng, struct lsc_task *t)
{
	u32 p = t->prio;

	lsc_fq_insert(&eng->rq[p].q, t, lsc_qcmp_pf, eng);
	eng->rq_map[p >> 6] |= 1ULL << (p & 63);
}

static void lsc_pf_del(struct lsc_engine *eng, struct lsc_task *t)
{
	u32 p = t->prio;

	lsc_fq_erase(&eng->rq[p].q, t);
	if (lsc_fq_empty(&eng->rq[p].q))
		eng->rq_map[p >> 6] &= ~(1ULL << (p & 63));
}

static struct lsc_task *lsc_pf_next(const struct lsc_engine *eng,
				    const struct lsc_task *t)
{
	struct lsc_task *n = lsc_fq_next(&eng->rq[t->prio].q, t);

	return n ? n : lsc_pf_first_at_most(eng, (int)t->prio - 1);
}

/*
 * --- MLFQ: one class per level.  A tournament tree over the levels, keyed
 * by the key of each level's front task (&lsc_rqclass.front), gives the
 * level holding the first task (&lsc_engine.mlfq_t).  A walk of lsc_dispatch() merges the
 * levels: stepping past a task moves its level's front to the level's next
 * task; when the walk ends every level it moved gets its first task back
 * as front.  Every step is O(log LSC_NR_CLASSES) on the engine's arrays.
 */

static struct lsc_rqclass *lsc_mlfq_class(struct lsc_engine *eng,
					  const struct lsc_task *t)
{
	return &eng->rq[lsc_task_level(t)];
}

/* Does @b come before @a (as 1 or 0, without a branch)? */
static u32 lsc_tnode_before(const struct lsc_tnode *b,
			    const struct lsc_tnode *a)
{
	return (b->key < a->key) |
	       ((b->key == a->key) &
		((b->id < a->id) | ((b->id == a->id) & (b->empty < a->empty))));
}

/* Set the front of level @c in its leaf; false when it did not change. */
static bool lsc_mlfq_set_leaf(struct lsc_engine *eng, struct lsc_rqclass *c,
			      struct lsc_task *t)
{
	struct lsc_tnode *n = &eng->mlfq_t[LSC_NR_CLASSES + (c - eng->rq)];

	if (c->front == t)
		return false;
	c->front = t;
	n->key = t ? lsc_mlfq_key(eng, t) : U64_MAX;
	n->id = t ? t->id : U64_MAX;
	n->empty = !t;
	return true;
}

/* Replay the matches from node @i up to the root, until nothing changes. */
static void lsc_mlfq_replay(struct lsc_engine *eng, u32 i)
{
	struct lsc_tnode *n = eng->mlfq_t, w = n[i];

	for (; i > 1; i /= 2) {
		if (lsc_tnode_before(&n[i ^ 1], &w))
			w = n[i ^ 1];
		if (w.key == n[i / 2].key && w.id == n[i / 2].id &&
		    w.empty == n[i / 2].empty && w.level == n[i / 2].level)
			break;
		n[i / 2] = w;
	}
}

/* Replay every match, bottom-up: cheaper than many single replays. */
static void lsc_mlfq_rebuild(struct lsc_engine *eng)
{
	struct lsc_tnode *n = eng->mlfq_t;
	u32 i;

	for (i = LSC_NR_CLASSES - 1; i > 0; i--)
		n[i] = n[2 * i + lsc_tnode_before(&n[2 * i + 1], &n[2 * i])];
}

static void lsc_mlfq_set_front(struct lsc_engine *eng, struct lsc_rqclass *c,
			       struct lsc_task *t)
{
	if (lsc_mlfq_set_leaf(eng, c, t))
		lsc_mlfq_replay(eng, LSC_NR_CLASSES + (u32)(c - eng->rq));
}

static void lsc_mlfq_add(struct lsc_engine *eng, struct lsc_task *t)
{
	struct lsc_rqclass *c = lsc_mlfq_class(eng, t);

	lsc_fq_insert(&c->q, t, lsc_qcmp, eng);
	if (!c->front || lsc_qcmp(&t->qnode, &c->front->qnode, eng) < 0)
		lsc_mlfq_set_front(eng, c, t);
}

static void lsc_mlfq_del(struct lsc_engine *eng, struct lsc_task *t)
{
	struct lsc_rqclass *c = lsc_mlfq_class(eng, t);

	if (c->front == t)
		lsc_mlfq_set_front(eng, c, lsc_fq_next(&c->q, t));
	lsc_fq_erase(&c->q, t);
}

static struct lsc_task *lsc_mlfq_first(const struct lsc_engine *eng)
{
	return eng->rq[eng->mlfq_t[1].level].front;
}

/* Walk step: @t is the first front; the next task is the new first. */
static struct lsc_task *lsc_mlfq_next(struct lsc_engine *eng,
				      const struct lsc_task *t)
{
	struct lsc_rqclass *c = lsc_mlfq_class(eng, t);

	if (LSC_WARN_ON(c->front != t))
		return NULL;
	if (lsc_list_empty(&c->wlink)) {
		lsc_list_add_after(&c->wlink, &eng->mlfq_walked);
		eng->mlfq_nr_walked++;
	}
	lsc_mlfq_set_front(eng, c, lsc_fq_next(&c->q, t));
	return lsc_mlfq_first(eng);
}

/* End of a walk: every level's front is its first task again. */
static void lsc_rq_walk_end(struct lsc_engine *eng)
{
	bool many = eng->mlfq_nr_walked > LSC_MLFQ_REBUILD;
	struct lsc_rqclass *c;

	while (!lsc_list_empty(&eng->mlfq_walked)) {
		c = class_of_wlink(eng->mlfq_walked.next);
		lsc_list_del(&c->wlink);
		if (many)
			lsc_mlfq_set_leaf(eng, c, lsc_fq_first(&c->q));
		else
			lsc_mlfq_set_front(eng, c, lsc_fq_first(&c->q));
	}
	if (many)
		lsc_mlfq_rebuild(eng);
	eng->mlfq_nr_walked = 0;
}

/* --- all policies */

static void lsc_rq_add(struct lsc_engine *eng, struct lsc_task *t)
{
	struct lsc_user *u = t->user;

	switch (eng->policy) {
	case LSC_POLICY_PRIO_FIFO:
		lsc_pf_add(eng, t);
		return;
	case LSC_POLICY_MLFQ:
		lsc_mlfq_add(eng, t);
		return;
	case LSC_POLICY_SJF:
		lsc_tree_insert(&eng->runq, &t->qnode, lsc_qcmp, eng);
		return;
	}
	lsc_tree_insert(&u->runq, &t->qnode, lsc_qcmp_pf, eng);
	if (!lsc_node_linked(&u->snode))
		lsc_tree_insert(&eng->users, &u->snode, lsc_ucmp, eng);
}

static void lsc_rq_del(struct lsc_engine *eng, struct lsc_task *t)
{
	struct lsc_user *u = t->user;

	switch (eng->policy) {
	case LSC_POLICY_PRIO_FIFO:
		lsc_pf_del(eng, t);
		return;
	case LSC_POLICY_MLFQ:
		lsc_mlfq_del(eng, t);
		return;
	case LSC_POLICY_SJF:
		lsc_tree_erase(&eng->runq, &t->qnode);
		return;
	}
	lsc_tree_erase(&u->runq, &t->qnode);
	if (!u->runq.root && lsc_node_linked(&u->snode))
		lsc_tree_erase(&eng->users, &u->snode);
}

static struct lsc_task *lsc_user_first(const struct lsc_node *un)
{
	struct lsc_node *n;

	for (; un; un = lsc_tree_next(un)) {
		n = lsc_tree_first(&user_of_snode(un)->runq);
		if (n)
			return task_of_qnode(n);
	}
	return NULL;
}

static struct lsc_task *lsc_rq_first(const struct lsc_engine *eng)
{
	struct lsc_node *n;

	switch (eng->policy) {
	case LSC_POLICY_PRIO_FIFO:
		return lsc_pf_first_at_most(eng, LSC_PRIO_MAX);
	case LSC_POLICY_MLFQ:
		return lsc_mlfq_first(eng);
	case LSC_POLICY_SJF:
		n = lsc_tree_first(&eng->runq);
		return n ? task_of_qnode(n) : NULL;
	}
	return lsc_user_first(lsc_tree_first(&eng->users));
}

/*
 * The task after @t in a walk of the run queue in order from its first
 * task (the only use: lsc_dispatch(), which calls it once per task
 * reached, in order, and may only remove tasks already passed; it ends
 * with lsc_rq_walk_end()).  Under MLFQ, lsc_dispatch() steps lazily: it
 * calls this only to pass a task that stays queued; past a task it
 * assigned, lsc_rq_first() is the next (removing the walk's current task
 * moved its level's front already).
 */
static struct lsc_task *lsc_rq_next(struct lsc_engine *eng,
				    const struct lsc_task *t)
{
	struct lsc_node *n;

	switch (eng->policy) {
	case LSC_POLICY_PRIO_FIFO:
		return lsc_pf_next(eng, t);
	case LSC_POLICY_MLFQ:
		return lsc_mlfq_next(eng, t);
	}
	n = lsc_tree_next(&t->qnode);
	if (n)
		return task_of_qnode(n);
	if (eng->policy != LSC_POLICY_DRF)
		return NULL;
	return lsc_user_first(lsc_tree_next(&t->user->snode));
}

/* First task of the user after @t's user (DRF), or the next task. */
static struct lsc_task *lsc_rq_next_user(struct lsc_engine *eng,
					 const struct lsc_task *t)
{
	if (eng->policy != LSC_POLICY_DRF)
		return lsc_rq_next(eng, t);
	return lsc_user_first(lsc_tree_next(&t->user->snode));
}

/*
 * Take every RUNNABLE task out of the queues, chained through ->work in
 * queue order (so that a refill under the same order appends).
 */
static struct lsc_task *lsc_rq_drain(struct lsc_engine *eng)
{
	struct lsc_task *head = NULL, **tail = &head, *t;

	while ((t = lsc_rq_first(eng))) {
		lsc_rq_del(eng, t);
		t->work = NULL;
		*tail = t;
		tail = &t->work;
	}
	return head;
}

static void lsc_rq_refill(struct lsc_engine *eng, struct lsc_task *head)
{
	struct lsc_task *t;

	while (head) {
		t = head;
		head = t->work;
		t->work = NULL;
		lsc_rq_add(eng, t);
	}
}

int lsc_set_policy(struct lsc_engine *eng, u32 policy)
{
	struct lsc_task *head;

	if (policy >= LSC_POLICY_NR)
		return -LSC_EINVAL;
	if (policy == eng->policy)
		return 0;
	head = lsc_rq_drain(eng);
	eng->policy = policy;
	lsc_rq_refill(eng, head);
	return 0;
}

int lsc_set_agent_choice(struct lsc_engine *eng, u32 choice)
{
	if (choice >= LSC_CHOOSE_NR)
		return -LSC_EINVAL;
	eng->choice = choice;
	return 0;
}

int lsc_set_tunables(struct lsc_engine *eng, const struct lsc_tunables *tun)
{
	struct lsc_task *head;
	bool rekey;

	if (tun->backfill_depth > 65536 || !tun->agent_scan ||
	    tun->agent_scan > 65536 || !tun->age_ns ||
	    tun->age_ns > (1ULL << 40) || !tun->est_max_ns ||
	    tun->est_max_ns > (1ULL << 47) || !tun->default_est_ns ||
	    tun->default_est_ns > tun->est_max_ns ||
	    tun->balance_threshold > LSC_LOAD_MAX ||
	    tun->max_migrations > 65536)
		return -LSC_EINVAL;
	rekey = eng->policy == LSC_POLICY_MLFQ &&
		tun->age_ns != eng->tun.age_ns;
	head = rekey ? lsc_rq_drain(eng) : NULL;
	eng->tun = *tun;
	lsc_rq_refill(eng, head);
	return 0;
}

/* ------------------------------------------------------------ estimator */

int lsc_set_estimator(struct lsc_engine *eng, const s64 *coef, u32 nr)
{
	u32 i;

	if (nr > LSC_EST_MAX_FEATURES || (nr && !coef))
		return -LSC_EINVAL;
	memset(eng->est_coef, 0, sizeof(eng->est_coef));
	for (i = 0; nr && i <= nr; i++)
		eng->est_coef[i] = coef[i];
	eng->est_nr = nr;
	return 0;
}

static s64 lsc_add_s64_sat(s64 a, s64 b)
{
	s64 r;

	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? S64_MAX : S64_MIN;
	return r;
}

u64 lsc_estimate(const struct lsc_engine *eng, const u64 *features, u32 nr)
{
	s64 sum, prod, c;
	u64 x, est, ac;
	u32 i;

	if (!eng->est_nr)
		return 0;
	sum = eng->est_coef[0];
	for (i = 0; i < eng->est_nr && i < nr && features; i++) {
		c = eng->est_coef[i + 1];
		x = features[i];
		if (!c || !x)
			continue;
		/* |c| * x > S64_MAX saturates (no 128-bit arithmetic). */
		ac = c < 0 ? -(u64)c : (u64)c;
		if (x > (u64)S64_MAX || ac > lsc_div64_u64(S64_MAX, x))
			prod = c > 0 ? S64_MAX : S64_MIN;
		else
			prod = c * (s64)x;
		sum = lsc_add_s64_sat(sum, prod);
	}
	if (sum <= 0)
		return 0;
	est = (u64)sum;
	est = est > U64_MAX - 0x8000 ? est >> 16 : (est + 0x8000) >> 16;
	return est > eng->tun.est_max_ns ? eng->tun.est_max_ns : est;
}

/* ---------------------------------------------------------------- users */

void lsc_user_init(struct lsc_user *user, u32 uid)
{
	memset(user, 0, sizeof(*user));
	user->uid = uid;
	lsc_tree_init(&user->runq);
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
	lsc_list_del(&user->link);
	user->registered = 0;
	eng->nr_users--;
	return 0;
}

/* --------------------------------------------------------------- agents */

static int lsc_acmp_load(const struct lsc_node *na, const struct lsc_node *nb,
			 const void *ctx)
{
	const struct lsc_agent *a = lsc_container_of(na, struct lsc_agent,
						     rnode);
	const struct lsc_agent *b = lsc_container_of(nb, struct lsc_agent,
						     rnode);

	if (a->load != b->load)
		return a->load < b->load ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

static int lsc_acmp_lnode(const struct lsc_node *na,
			  const struct lsc_node *nb, const void *ctx)
{
	const struct lsc_agent *a = agent_of_lnode(na);
	const struct lsc_agent *b = agent_of_lnode(nb);

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

static u64 lsc_task_end(const struct lsc_task *t)
{
	return lsc_add_sat(t->start_ns, t->est_ns);
}

static u32 lsc_load_of(const struct lsc_agent *a, const u64 *committed)
{
	u64 dom = lsc_dominant(committed, a->cap, LSC_LOAD_SCALE);

	return (u32)(dom > a->measured ? dom : a->measured);
}

/* Take @a out of every index (before changing what they order by). */
static void lsc_agent_unindex(struct lsc_engine *eng, struct lsc_agent *a)
{
	if (lsc_node_linked(&a->rnode))
		lsc_tree_erase(&a->cls->ready, &a->rnode);
	if (lsc_node_linked(&a->enode))
		lsc_tree_erase(&a->cls->release, &a->enode);
	if (lsc_node_linked(&a->lnode))
		lsc_tree_erase(&eng->loads, &a->lnode);
}

/* Recompute @a's derived fields and put it back where it belongs. */
static void lsc_agent_index(struct lsc_engine *eng, struct lsc_agent *a)
{
	a->load = lsc_load_of(a, a->committed);
	a->next_end = lsc_list_empty(&a->tasks) ? U64_MAX :
		      lsc_task_end(task_of_alink(a->tasks.next));
	if (a->health != LSC_AGENT_UP)
		return;
	lsc_tree_insert(&eng->loads, &a->lnode, lsc_acmp_lnode, eng);
	if (a->used_slots < a->slots)
		lsc_tree_insert(&a->cls->ready, &a->rnode, lsc_acmp_load, eng);
	if (a->used_slots)
		lsc_tree_insert(&a->cls->release, &a->enode, lsc_acmp_end,
				eng);
}

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

static void lsc_agent_join_class(struct lsc_engine *eng, struct lsc_agent *a)
{
	struct lsc_class *c = NULL;
	struct lsc_list *l;

	for (l = eng->classes.next; l != &eng->classes; l = l->next) {
		if (lsc_class_matches(class_of_link(l), a->cap, a->tags)) {
			c = class_of_link(l);
			break;
		}
	}
	if (!c) {
		c = &a->cls_store;
		memcpy(c->cap, a->cap, sizeof(c->cap));
		c->tags = a->tags;
		lsc_tree_init(&c->ready);
		lsc_tree_init(&c->release);
		lsc_list_init(&c->members);
		c->nr_members = 0;
		lsc_list_add_after(&c->link, eng->classes.prev);
		eng->nr_classes++;
	}
	lsc_list_add_after(&a->cls_link, c->members.prev);
	c->nr_members++;
	a->cls = c;
}

/* @a must be out of the class's trees.  O(members) if @a hosts the class. */
static void lsc_agent_leave_class(struct lsc_engine *eng, struct lsc_agent *a)
{
	struct lsc_class *c = a->cls, *nc;
	struct lsc_agent *m;
	struct lsc_list *l;

	lsc_list_del(&a->cls_link);
	c->nr_members--;
	a->cls = NULL;
	if (!c->nr_members) {
		lsc_list_del(&c->link);
		eng->nr_classes--;
		return;
	}
	if (c != &a->cls_store)
		return;
	/* Move the class into another member's storage. */
	m = agent_of_clink(c->members.next);
	nc = &m->cls_store;
	*nc = *c;
	nc->members.next->prev = &nc->members;
	nc->members.prev->next = &nc->members;
	nc->link.next->prev = &nc->link;
	nc->link.prev->next = &nc->link;
	for (l = nc->members.next; l != &nc->members; l = l->next)
		agent_of_clink(l)->cls = nc;
}

static void lsc_ledger_add(u64 *sum, const u64 *v)
{
	int k;

	for (k = 0; k < LSC_NR_RES; k++)
		sum[k] += v[k];
}

static void lsc_ledger_sub(u64 *sum, const u64 *v)
{
	int k;

	for (k = 0; k < LSC_NR_RES; k++) {
		LSC_WARN_ON(sum[k] < v[k]);
		sum[k] -= v[k];
	}
}

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
	lsc_list_init(&agent->cls_link);
}

int lsc_agent_add(struct lsc_engine *eng, struct lsc_agent *agent, u64 now)
{
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
	agent->measured = 0;
	memset(agent->committed, 0, sizeof(agent->committed));
	memset(&agent->rnode, 0, sizeof(agent->rnode));
	memset(&agent->enode, 0, sizeof(agent->enode));
	memset(&agent->lnode, 0, sizeof(agent->lnode));
	lsc_list_init(&agent->tasks);
	lsc_agent_join_class(eng, agent);
	lsc_agent_index(eng, agent);
	lsc_ledger_add(eng->reserved, agent->cap);
	lsc_ledger_add(eng->up_cap, agent->cap);
	eng->nr_agents++;
	lsc_users_rekey(eng);
	return 0;
}

int lsc_agent_set_measured(struct lsc_engine *eng, struct lsc_agent *agent,
			   u32 permille)
{
	if (!agent->registered)
		return -LSC_ENOENT;
	lsc_agent_unindex(eng, agent);
	agent->measured = permille > LSC_LOAD_MAX ? LSC_LOAD_MAX : permille;
	lsc_agent_index(eng, agent);
	return 0;
}

int lsc_agent_resize(struct lsc_engine *eng, struct lsc_agent *agent,
		     const u64 *cap)
{
	int k;

	if (!agent->registered)
		return -LSC_ENOENT;
	for (k = 0; k < LSC_NR_RES; k++)
		if (cap[k] < agent->committed[k])
			return -LSC_EBUSY;
	for (k = 0; k < LSC_NR_RES; k++)
		if (cap[k] > agent->cap[k] &&
		    cap[k] - agent->cap[k] >
		    eng->host_cap[k] - eng->reserved[k])
			return -LSC_EOVERCOMMIT;
	lsc_agent_unindex(eng, agent);
	lsc_agent_leave_class(eng, agent);
	lsc_ledger_sub(eng->reserved, agent->cap);
	if (agent->health == LSC_AGENT_UP)
		lsc_ledger_sub(eng->up_cap, agent->cap);
	memcpy(agent->cap, cap, sizeof(agent->cap));
	lsc_ledger_add(eng->reserved, agent->cap);
	if (agent->health == LSC_AGENT_UP)
		lsc_ledger_add(eng->up_cap, agent->cap);
	lsc_agent_join_class(eng, agent);
	lsc_agent_index(eng, agent);
	lsc_users_rekey(eng);
	return 0;
}

/* ------------------------------------------------------- state machine */

/*
 * The one place where a task changes state: counters, per-user and engine
 * tallies, then the caller's callback.  Queue and resource bookkeeping is
 * done by the caller of this function, before it.
 */
static void lsc_set_state(struct lsc_engine *eng, struct lsc_task *t,
			  u32 to, u32 reason)
{
	u32 from = t->state;
	struct lsc_user *u = t->user;

	LSC_WARN_ON(lsc_task_terminal(from));
	eng->stats.transitions[from][to]++;
	if (from == LSC_TASK_RUNNABLE) {
		eng->nr_runnable--;
		u->nr_runnable--;
	}
	if (from == LSC_TASK_ASSIGNED || from == LSC_TASK_RUNNING) {
		eng->nr_active--;
		u->nr_active--;
	}
	if (to == LSC_TASK_RUNNABLE) {
		eng->nr_runnable++;
		u->nr_runnable++;
	}
	if (to == LSC_TASK_ASSIGNED || to == LSC_TASK_RUNNING) {
		eng->nr_active++;
		u->nr_active++;
	}
	if (lsc_task_terminal(to)) {
		u->nr_tasks--;
		t->reason = reason;
		if (eng->resv_task == t)
			eng->resv_task = NULL;
	}
	t->state = to;
	if (eng->ops && eng->ops->task_changed)
		eng->ops->task_changed(eng, t, from, to);
}

/* Insert @t in its agent's task list, kept in order of expected end. */
static void lsc_agent_link_task(struct lsc_agent *a, struct lsc_task *t)
{
	struct lsc_list *pos = a->tasks.prev;
	u64 end = lsc_task_end(t);

	while (pos != &a->tasks && lsc_task_end(task_of_alink(pos)) > end)
		pos = pos->prev;
	lsc_list_add_after(&t->alink, pos);
}

/* Commit @t's demand on @a (agent side only). */
static void lsc_agent_take(struct lsc_engine *eng, struct lsc_agent *a,
			   struct lsc_task *t, u64 now)
{
	lsc_agent_unindex(eng, a);
	lsc_ledger_add(a->committed, t->demand);
	a->used_slots++;
	a->nr_assigned++;
	t->agent = a;
	t->start_ns = now;
	lsc_agent_link_task(a, t);
	lsc_agent_index(eng, a);
}

/* Release @t's demand from its agent (agent side only). */
static void lsc_agent_give(struct lsc_engine *eng, struct lsc_task *t)
{
	struct lsc_agent *a = t->agent;

	lsc_agent_unindex(eng, a);
	lsc_ledger_sub(a->committed, t->demand);
	a->used_slots--;
	lsc_list_del(&t->alink);
	t->agent = NULL;
	lsc_agent_index(eng, a);
}

static void lsc_assign(struct lsc_engine *eng, struct lsc_task *t,
		       struct lsc_agent *a, u64 now)
{
	lsc_rq_del(eng, t);
	lsc_agent_take(eng, a, t, now);
	lsc_ledger_add(t->user->alloc, t->demand);
	lsc_user_update_share(eng, t->user);
	eng->stats.assigned++;
	lsc_set_state(eng, t, LSC_TASK_ASSIGNED, LSC_FAIL_NONE);
	if (eng->ops && eng->ops->task_assigned)
		eng->ops->task_assigned(eng, t, a);
}

static void lsc_release(struct lsc_engine *eng, struct lsc_task *t)
{
	lsc_agent_give(eng, t);
	lsc_ledger_sub(t->user->alloc, t->demand);
	lsc_user_update_share(eng, t->user);
}

/*
 * Put an ASSIGNED or RUNNING task back in the run queue.  @failed: it
 * failed there (agent lost, retried exit), which spends one retry.  A task
 * that failed, or that ran past its estimate, moves down one MLFQ level.
 */
static void lsc_requeue(struct lsc_engine *eng, struct lsc_task *t, u64 now,
			bool failed)
{
	struct lsc_agent *a = t->agent;
	bool overran = t->state == LSC_TASK_RUNNING && now > lsc_task_end(t);

	lsc_release(eng, t);
	t->flags &= ~LSC_TASK_F_PINNED;
	if (failed) {
		t->retries--;
		eng->stats.requeues++;
	}
	if ((failed || overran) && t->level < 255)
		t->level++;
	lsc_rq_add(eng, t);
	lsc_set_state(eng, t, LSC_TASK_RUNNABLE, LSC_FAIL_NONE);
	if (eng->ops && eng->ops->task_requeued)
		eng->ops->task_requeued(eng, t, a);
}

/* Resolve the unresolved edges of QUEUED task @t (it ends first). */
static void lsc_drop_own_deps(struct lsc_task *t)
{
	u32 i;

	for (i = 0; i < t->nr_deps; i++) {
		struct lsc_dep *d = &t->deps[i];

		if (d->resolved)
			continue;
		lsc_list_del(&d->link);
		d->resolved = 1;
		d->on = NULL;
	}
	t->nr_pending = 0;
}

/*
 * Resolve up to @budget (0: all) edges of the propagation stack
 * &lsc_engine.prop, top first.  A dependent that fails goes right below the
 * task being worked on, so that the order of transitions is the same
 * depth-first order whatever the budget.  Tasks whose dependents list is
 * empty leave the stack at no cost.  Return: true while work remains.
 */
static bool lsc_prop_run(struct lsc_engine *eng, u32 budget)
{
	struct lsc_task *p, *d;
	struct lsc_dep *e;
	u32 done = 0;

	while ((p = eng->prop)) {
		if (lsc_list_empty(&p->dependents)) {
			eng->prop = p->work;
			p->work = NULL;
			p->flags &= ~LSC_TASK_F_PROPAGATING;
			continue;
		}
		if (budget && done == budget)
			return true;
		done++;
		e = dep_of_link(p->dependents.next);
		lsc_list_del(&e->link);
		e->resolved = 1;
		e->on = NULL;
		d = e->owner;
		if (LSC_WARN_ON(d->state != LSC_TASK_QUEUED))
			continue;
		if (p->state == LSC_TASK_SUCCEEDED) {
			if (--d->nr_pending)
				continue;
			lsc_rq_add(eng, d);
			lsc_set_state(eng, d, LSC_TASK_RUNNABLE,
				      LSC_FAIL_NONE);
			continue;
		}
		lsc_drop_own_deps(d);
		lsc_set_state(eng, d, LSC_TASK_FAILED, LSC_FAIL_DEP_FAILED);
		if (lsc_list_empty(&d->dependents))
			continue;
		d->flags |= LSC_TASK_F_PROPAGATING;
		d->work = p->work;
		p->work = d;
	}
	return false;
}

/*
 * @t just reached a terminal state: resolve the edges pointing at it and
 * propagate, iteratively, through the propagation stack.  Without a budget
 * all of it happens now; with one, the public call that ended @t resolves
 * a budget's worth before it returns (lsc_prop_flush()).
 */
static void lsc_propagate(struct lsc_engine *eng, struct lsc_task *t)
{
	if (!lsc_list_empty(&t->dependents)) {
		t->flags |= LSC_TASK_F_PROPAGATING;
		t->work = eng->prop;
		eng->prop = t;
	}
	if (!eng->prop_budget)
		lsc_prop_run(eng, 0);
}

/* End of a public call that may have ended tasks: one budget's worth. */
static void lsc_prop_flush(struct lsc_engine *eng)
{
	if (eng->prop_budget)
		lsc_prop_run(eng, eng->prop_budget);
}

void lsc_set_propagation_budget(struct lsc_engine *eng, u32 edges)
{
	eng->prop_budget = edges;
}

u32 lsc_propagate_pending(struct lsc_engine *eng, u32 budget)
{
	return lsc_prop_run(eng, budget) ? 1 : 0;
}

bool lsc_task_releasable(const struct lsc_task *t)
{
	return lsc_task_terminal(t->state) &&
	       lsc_list_empty(&t->dependents) &&
	       !(t->flags & LSC_TASK_F_PROPAGATING);
}

/* End @t in terminal state @to, whatever state it is in now. */
static void lsc_finish(struct lsc_engine *eng, struct lsc_task *t, u32 to,
		       u32 reason)
{
	switch (t->state) {
	case LSC_TASK_QUEUED:
		lsc_drop_own_deps(t);
		break;
	case LSC_TASK_RUNNABLE:
		lsc_rq_del(eng, t);
		break;
	case LSC_TASK_ASSIGNED:
	case LSC_TASK_RUNNING:
		lsc_release(eng, t);
		break;
	}
	lsc_set_state(eng, t, to, reason);
	lsc_propagate(eng, t);
}

/* ---------------------------------------------------------------- tasks */

void lsc_task_init(struct lsc_task *task, u64 id)
{
	memset(task, 0, sizeof(*task));
	task->id = id;
	task->prio = LSC_PRIO_DEFAULT;
	task->state = LSC_TASK_NEW;
	lsc_list_init(&task->dependents);
	lsc_list_init(&task->alink);
}

int lsc_task_submit(struct lsc_engine *eng, struct lsc_task *task,
		    struct lsc_user *user, struct lsc_dep *deps, u32 nr_deps,
		    const u64 *features, u32 nr_features, u64 now)
{
	bool dep_failed = false;
	struct lsc_task *on;
	u32 i;

	if (task->state != LSC_TASK_NEW || task->user ||
	    task->prio > LSC_PRIO_MAX ||
	    (task->flags & ~LSC_TASK_F_CALLER_MASK) ||
	    !user || !user->registered ||
	    nr_features > LSC_EST_MAX_FEATURES ||
	    (nr_features && !features) || (nr_deps && !deps))
		return -LSC_EINVAL;
	for (i = 0; i < nr_deps; i++) {
		on = deps[i].on;
		if (!on || on == task || on->state == LSC_TASK_NEW)
			return -LSC_EINVAL;
	}

	task->user = user;
	task->arrival_ns = now;
	task->start_ns = 0;
	task->agent = NULL;
	task->level = 0;
	task->reason = LSC_FAIL_NONE;
	task->work = NULL;
	lsc_list_init(&task->dependents);
	lsc_list_init(&task->alink);
	memset(&task->qnode, 0, sizeof(task->qnode));
	task->qwhere = LSC_Q_NONE;
	if (!task->est_ns && eng->est_nr && nr_features) {
		task->est_ns = lsc_estimate(eng, features, nr_features);
		task->flags |= LSC_TASK_F_ESTIMATED;
	}
	if (!task->est_ns)
		task->est_ns = eng->tun.default_est_ns;
	if (task->est_ns > eng->tun.est_max_ns)
		task->est_ns = eng->tun.est_max_ns;

	task->deps = deps;
	task->nr_deps = nr_deps;
	task->nr_pending = 0;
	for (i = 0; i < nr_deps; i++) {
		struct lsc_dep *d = &deps[i];

		on = d->on;
		d->owner = task;
		d->on_id = on->id;
		lsc_list_init(&d->link);
		if (lsc_task_terminal(on->state)) {
			d->resolved = 1;
			d->on = NULL;
			if (on->state != LSC_TASK_SUCCEEDED)
				dep_failed = true;
			continue;
		}
		d->resolved = 0;
		lsc_list_add_after(&d->link, on->dependents.prev);
		task->nr_pending++;
	}

	user->nr_tasks++;
	eng->stats.submitted++;
	if (dep_failed) {
		lsc_drop_own_deps(task);
		lsc_set_state(eng, task, LSC_TASK_FAILED, LSC_FAIL_DEP_FAILED);
	} else if (task->nr_pending) {
		lsc_set_state(eng, task, LSC_TASK_QUEUED, LSC_FAIL_NONE);
	} else {
		lsc_rq_add(eng, task);
		lsc_set_state(eng, task, LSC_TASK_RUNNABLE, LSC_FAIL_NONE);
	}
	return 0;
}

int lsc_task_start(struct lsc_engine *eng, struct lsc_task *task, u64 now)
{
	struct lsc_agent *a = task->agent;

	if (task->state != LSC_TASK_ASSIGNED || !a)
		return -LSC_EINVAL;
	lsc_agent_unindex(eng, a);
	lsc_list_del(&task->alink);
	task->start_ns = now;
	lsc_agent_link_task(a, task);
	lsc_agent_index(eng, a);
	lsc_set_state(eng, task, LSC_TASK_RUNNING, LSC_FAIL_NONE);
	return 0;
}

int lsc_task_complete(struct lsc_engine *eng, struct lsc_task *task,
		      s32 exit_status, u64 now)
{
	if (task->state != LSC_TASK_ASSIGNED &&
	    task->state != LSC_TASK_RUNNING)
		return -LSC_EINVAL;
	task->exit_status = exit_status;
	if (!exit_status)
		lsc_finish(eng, task, LSC_TASK_SUCCEEDED, LSC_FAIL_NONE);
	else if ((task->flags & LSC_TASK_F_RETRY_ON_EXIT) && task->retries)
		lsc_requeue(eng, task, now, true);
	else
		lsc_finish(eng, task, LSC_TASK_FAILED, LSC_FAIL_EXIT);
	lsc_prop_flush(eng);
	return 0;
}

int lsc_task_requeue(struct lsc_engine *eng, struct lsc_task *task,
		     bool use_retry, u64 now)
{
	if (task->state != LSC_TASK_ASSIGNED &&
	    task->state != LSC_TASK_RUNNING)
		return -LSC_EINVAL;
	if (use_retry && !task->retries)
		lsc_finish(eng, task, LSC_TASK_FAILED, LSC_FAIL_EXIT);
	else
		lsc_requeue(eng, task, now, use_retry);
	lsc_prop_flush(eng);
	return 0;
}

int lsc_task_cancel(struct lsc_engine *eng, struct lsc_task *task, u64 now)
{
	if (task->state == LSC_TASK_NEW || lsc_task_terminal(task->state))
		return -LSC_EINVAL;
	lsc_finish(eng, task, LSC_TASK_CANCELLED, LSC_FAIL_CANCELLED);
	lsc_prop_flush(eng);
	return 0;
}

/* ------------------------------------------------------------------ fit */

static bool lsc_cap_fits(const u64 *cap, u64 tags, const struct lsc_task *t)
{
	int k;

	if ((t->tags & tags) != t->tags)
		return false;
	for (k = 0; k < LSC_NR_RES; k++)
		if (t->demand[k] > cap[k])
			return false;
	return true;
}

static bool lsc_fits_now(const struct lsc_agent *a, const struct lsc_task *t)
{
	int k;

	if (a->health != LSC_AGENT_UP || a->used_slots >= a->slots)
		return false;
	if ((t->tags & a->tags) != t->tags)
		return false;
	for (k = 0; k < LSC_NR_RES; k++)
		if (t->demand[k] > a->cap[k] - a->committed[k])
			return false;
	return true;
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

/* The kind in which @t asks for the largest share of the host. */
static int lsc_dominant_kind(const struct lsc_engine *eng,
			     const struct lsc_task *t)
{
	u64 best = 0, s;
	int k, kind = 0;

	for (k = 0; k < LSC_NR_RES; k++) {
		if (!t->demand[k] || !eng->host_cap[k])
			continue;
		s = lsc_ratio(t->demand[k], eng->host_cap[k], 1ULL << 32);
		if (s > best) {
			best = s;
			kind = k;
		}
	}
	return kind;
}

/* Does agent @a (score @sa) beat the current best @b (score @sb)? */
static bool lsc_better(const struct lsc_agent *a, u64 sa,
		       const struct lsc_agent *b, u64 sb)
{
	if (!b)
		return true;
	if (sa != sb)
		return sa < sb;
	if (a->load != b->load)
		return a->load < b->load;
	return a->id < b->id;
}

/*
 * The agent @t goes to now, or NULL: per class that can hold @t, the first
 * agent in (load, id) order that fits (least loaded) or the one with the
 * least left over in @t's dominant kind among the first agent_scan ones
 * (best fit); then the best over classes.  @skip is never chosen.
 */
static struct lsc_agent *lsc_pick_agent(const struct lsc_engine *eng,
					const struct lsc_task *t,
					const struct lsc_agent *skip)
{
	struct lsc_agent *best = NULL, *a;
	const struct lsc_class *c;
	const struct lsc_list *l;
	struct lsc_node *n;
	u64 best_score = 0, score;
	int kind = 0;
	u32 seen;

	if (eng->choice == LSC_CHOOSE_BEST_FIT)
		kind = lsc_dominant_kind(eng, t);
	for (l = eng->classes.next; l != &eng->classes; l = l->next) {
		c = class_of_link(l);
		if (!c->ready.root || !lsc_cap_fits(c->cap, c->tags, t))
			continue;
		seen = 0;
		for (n = lsc_tree_first(&c->ready);
		     n && seen < eng->tun.agent_scan;
		     n = lsc_tree_next(n), seen++) {
			a = agent_of_rnode(n);
			if (a == skip || !lsc_fits_now(a, t))
				continue;
			if (eng->choice == LSC_CHOOSE_LEAST_LOADED) {
				if (lsc_better(a, 0, best, 0))
					best = a;
				break;
			}
			score = a->cap[kind] - a->committed[kind] -
				t->demand[kind];
			if (lsc_better(a, score, best, best_score)) {
				best = a;
				best_score = score;
			}
		}
	}
	return best;
}

/* -------------------------------------------------------------- backfill */

/**
 * struct lsc_resv - reservation of the blocked head task
 * @agent: the agent it will start on
 * @at: its shadow time (expected start there)
 * @extra: what the agent will have left over at @at once the head started
 * @extra_slots: slots left over then
 */
struct lsc_resv {
	struct lsc_agent *agent;
	u64 at;
	u64 extra[LSC_NR_RES];
	u32 extra_slots;
};

/*
 * Earliest expected time @t fits on @a if nothing else is assigned there,
 * releasing @a's tasks in order of expected end.  O(slots).
 */
static u64 lsc_fit_time(const struct lsc_agent *a, const struct lsc_task *t,
			u64 now, u64 *extra, u32 *extra_slots)
{
	const struct lsc_list *l;
	const struct lsc_task *u;
	u64 free[LSC_NR_RES];
	u64 at = now;
	u32 slots = a->slots - a->used_slots;
	int k;

	for (k = 0; k < LSC_NR_RES; k++)
		free[k] = a->cap[k] - a->committed[k];
	l = a->tasks.next;
	for (;;) {
		bool ok = slots > 0;

		for (k = 0; ok && k < LSC_NR_RES; k++)
			ok = t->demand[k] <= free[k];
		if (ok) {
			for (k = 0; k < LSC_NR_RES; k++)
				extra[k] = free[k] - t->demand[k];
			*extra_slots = slots - 1;
			return at;
		}
		if (l == &a->tasks)
			return U64_MAX;
		u = task_of_alink(l);
		for (k = 0; k < LSC_NR_RES; k++)
			free[k] += u->demand[k];
		slots++;
		if (lsc_task_end(u) > at)
			at = lsc_task_end(u);
		l = l->next;
	}
}

/*
 * Reserve for the blocked head @t: over the UP agents of the classes that
 * can hold it, in order of their earliest task end, the earliest fit time.
 * An agent's fit time is at least its earliest task end, so the walk stops
 * as soon as that passes the best found.  Returns false when no UP agent can
 * ever hold @t.
 */
static bool lsc_reserve(const struct lsc_engine *eng,
			const struct lsc_task *t, u64 now,
			struct lsc_resv *r)
{
	u64 extra[LSC_NR_RES], at;
	const struct lsc_class *c;
	const struct lsc_list *l;
	struct lsc_agent *a;
	struct lsc_node *n;
	u32 seen, xs = 0;

	r->agent = NULL;
	r->at = U64_MAX;
	for (l = eng->classes.next; l != &eng->classes; l = l->next) {
		c = class_of_link(l);
		if (!lsc_cap_fits(c->cap, c->tags, t))
			continue;
		seen = 0;
		for (n = lsc_tree_first(&c->release);
		     n && seen < eng->tun.agent_scan;
		     n = lsc_tree_next(n), seen++) {
			a = agent_of_enode(n);
			if ((a->next_end > now ? a->next_end : now) > r->at)
				break;
			at = lsc_fit_time(a, t, now, extra, &xs);
			if (at < r->at || (at == r->at && r->agent &&
					   a->id < r->agent->id)) {
				r->agent = a;
				r->at = at;
				memcpy(r->extra, extra, sizeof(r->extra));
				r->extra_slots = xs;
			}
		}
	}
	return r->agent;
}

/* May @t start on @a now without delaying the reservation @r? */
static bool lsc_backfill_ok(const struct lsc_task *t,
			    const struct lsc_agent *a,
			    const struct lsc_resv *r, u64 now)
{
	int k;

	if (a != r->agent || lsc_add_sat(now, t->est_ns) <= r->at)
		return true;
	if (!r->extra_slots)
		return false;
	for (k = 0; k < LSC_NR_RES; k++)
		if (t->demand[k] > r->extra[k])
			return false;
	return true;
}

static bool lsc_user_at_limit(const struct lsc_user *u)
{
	return u->max_active && u->nr_active >= u->max_active;
}

/* Whether some UP agent has a free slot: only then can a task be assigned. */
static bool lsc_any_ready(const struct lsc_engine *eng)
{
	const struct lsc_list *l;

	for (l = eng->classes.next; l != &eng->classes; l = l->next)
		if (class_of_link(l)->ready.count)
			return true;
	return false;
}

u32 lsc_dispatch(struct lsc_engine *eng, u64 now)
{
	struct lsc_task *t, *next;
	struct lsc_agent *a;
	struct lsc_resv r;
	bool have_resv = false, restart;
	bool lazy = eng->policy == LSC_POLICY_MLFQ;
	bool any_ready = false;
	u32 assigned = 0, scanned = 0;
	int k;

	memset(&r, 0, sizeof(r));
	eng->stats.dispatches++;
	eng->resv_task = NULL;
	eng->resv_agent = NULL;
	eng->resv_ns = 0;
	t = lsc_rq_first(eng);
	while (t) {
		/*
		 * No agent has a free slot (and none gains one here; checked
		 * when the reservation is made and after each backfill): once
		 * the head's reservation is known, nothing behind it can run.
		 */
		if (have_resv && !any_ready)
			break;
		restart = false;
		if (lsc_user_at_limit(t->user)) {
			next = lazy ? NULL : lsc_rq_next_user(eng, t);
			goto skip;
		}
		next = lazy ? NULL : lsc_rq_next(eng, t);
		a = lsc_pick_agent(eng, t, NULL);
		if (!have_resv) {
			if (a) {
				lsc_assign(eng, t, a, now);
				assigned++;
				restart = eng->policy == LSC_POLICY_DRF;
				goto advance;
			}
			if (lsc_reserve(eng, t, now, &r)) {
				have_resv = true;
				eng->resv_task = t;
				eng->resv_agent = r.agent;
				eng->resv_ns = r.at;
				/* The assignments above may have filled them. */
				any_ready = lsc_any_ready(eng);
			}
			goto skip;
		}
		if (a && !lsc_backfill_ok(t, a, &r, now))
			a = lsc_pick_agent(eng, t, r.agent);
		if (a && lsc_backfill_ok(t, a, &r, now)) {
			if (a == r.agent &&
			    lsc_add_sat(now, t->est_ns) > r.at) {
				for (k = 0; k < LSC_NR_RES; k++)
					r.extra[k] -= t->demand[k];
				r.extra_slots--;
			}
			lsc_assign(eng, t, a, now);
			assigned++;
			eng->stats.backfilled++;
			any_ready = lsc_any_ready(eng);
			restart = eng->policy == LSC_POLICY_DRF;
			goto advance;
		}
skip:
		/*
		 * Bound the work: behind a reservation, backfill_depth tasks;
		 * before one, tasks that cannot go anywhere (user at its limit,
		 * no UP agent can ever hold them) are skipped up to
		 * backfill_depth + LSC_SKIP_SLACK.
		 */
		if (++scanned > eng->tun.backfill_depth +
				(have_resv ? 0 : LSC_SKIP_SLACK))
			break;
advance:
		if (restart || (lazy && t->state != LSC_TASK_RUNNABLE))
			t = lsc_rq_first(eng);
		else
			t = lazy ? lsc_rq_next(eng, t) : next;
	}
	lsc_rq_walk_end(eng);
	return assigned;
}

/* ------------------------------------------------------- agent health */

/* Requeue or fail every task of @a (it was lost or is leaving). */
static void lsc_agent_evict(struct lsc_engine *eng, struct lsc_agent *a,
			    u64 now)
{
	struct lsc_task *t;

	while (!lsc_list_empty(&a->tasks)) {
		t = task_of_alink(a->tasks.next);
		if (t->retries)
			lsc_requeue(eng, t, now, true);
		else
			lsc_finish(eng, t, LSC_TASK_FAILED,
				   LSC_FAIL_AGENT_LOST);
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
	if (agent->health == LSC_AGENT_UP)
		lsc_ledger_sub(eng->up_cap, agent->cap);
	agent->health = health;
	if (health == LSC_AGENT_UP)
		lsc_ledger_add(eng->up_cap, agent->cap);
	lsc_agent_index(eng, agent);
	if (health == LSC_AGENT_LOST)
		lsc_agent_evict(eng, agent, now);
	return 0;
}

int lsc_agent_remove(struct lsc_engine *eng, struct lsc_agent *agent,
		     u64 now)
{
	if (!agent->registered)
		return -LSC_ENOENT;
	lsc_agent_evict(eng, agent, now);
	lsc_agent_unindex(eng, agent);
	if (agent->health == LSC_AGENT_UP)
		lsc_ledger_sub(eng->up_cap, agent->cap);
	lsc_agent_leave_class(eng, agent);
	lsc_ledger_sub(eng->reserved, agent->cap);
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

/* ------------------------------------------------------------ balancing */

u64 lsc_imbalance(const struct lsc_engine *eng)
{
	const struct lsc_node *n;
	s64 sum = 0, n_agents = eng->loads.count, k = 0;

	for (n = lsc_tree_first(&eng->loads); n; n = lsc_tree_next(n), k++)
		sum += (s64)agent_of_lnode(n)->load * (2 * k - n_agents + 1);
	return sum > 0 ? (u64)sum : 0;
}

static bool lsc_balanced(const struct lsc_engine *eng)
{
	u64 n = eng->loads.count;

	if (n < 2)
		return true;
	return lsc_imbalance(eng) <=
	       (u64)eng->tun.balance_threshold * (n * (n - 1) / 2);
}

/* Load @a would have with @t's demand added (@add) or removed. */
static u32 lsc_load_with(const struct lsc_agent *a, const struct lsc_task *t,
			 bool add)
{
	u64 c[LSC_NR_RES];
	int k;

	for (k = 0; k < LSC_NR_RES; k++)
		c[k] = add ? a->committed[k] + t->demand[k] :
			     a->committed[k] - t->demand[k];
	return lsc_load_of(a, c);
}

/* Least loaded agent other than @src that @t fits now. */
static struct lsc_agent *lsc_pick_least(struct lsc_engine *eng,
					const struct lsc_task *t,
					const struct lsc_agent *src)
{
	u32 choice = eng->choice;
	struct lsc_agent *a;

	eng->choice = LSC_CHOOSE_LEAST_LOADED;
	a = lsc_pick_agent(eng, t, src);
	eng->choice = choice;
	return a;
}

/* Try one migration away from @src; true if a task moved. */
static bool lsc_migrate_one(struct lsc_engine *eng, struct lsc_agent *src,
			    u64 now)
{
	struct lsc_agent *dst;
	struct lsc_task *t;
	struct lsc_list *l;

	for (l = src->tasks.next; l != &src->tasks; l = l->next) {
		t = task_of_alink(l);
		if (t->state != LSC_TASK_ASSIGNED ||
		    (t->flags & LSC_TASK_F_PINNED))
			continue;
		dst = lsc_pick_least(eng, t, src);
		if (!dst || lsc_load_with(dst, t, true) >= src->load ||
		    lsc_load_with(src, t, false) >= src->load)
			continue;
		lsc_agent_give(eng, t);
		src->nr_migrated_out++;
		lsc_agent_take(eng, dst, t, now);
		eng->stats.migrations++;
		if (eng->ops && eng->ops->task_migrated)
			eng->ops->task_migrated(eng, t, src, dst);
		return true;
	}
	return false;
}

u32 lsc_balance(struct lsc_engine *eng, u64 now)
{
	struct lsc_node *n;
	u32 moved = 0, seen;
	bool progress = true;

	while (progress && moved < eng->tun.max_migrations &&
	       !lsc_balanced(eng)) {
		progress = false;
		seen = 0;
		for (n = lsc_tree_last(&eng->loads);
		     n && seen < eng->tun.agent_scan;
		     n = lsc_tree_prev(n), seen++) {
			if (lsc_migrate_one(eng, agent_of_lnode(n), now)) {
				moved++;
				progress = true;
				break;
			}
		}
	}
	return moved;
}
