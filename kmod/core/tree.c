// SPDX-License-Identifier: GPL-2.0
/*
 * llmsched engine: intrusive treap (see tree.h).
 *
 * A treap is a binary search tree by key and a heap by a per-node priority.
 * With priorities drawn from a hash of the node's address the shape is that
 * of a random binary search tree: expected depth O(log n) whatever the order
 * of insertion.  Every operation here is iterative.
 */
#include "tree.h"

static u32 lsc_node_hash(const struct lsc_node *node)
{
	u64 x = (u64)(unsigned long)node;

	/* splitmix64 finalizer */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return (u32)x;
}

void lsc_tree_init(struct lsc_tree *tree)
{
	tree->root = NULL;
	tree->count = 0;
}

static void lsc_replace_child(struct lsc_tree *tree, struct lsc_node *parent,
			      struct lsc_node *old, struct lsc_node *new)
{
	if (!parent)
		tree->root = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
	if (new)
		new->parent = parent;
}

/* Lift @x above its parent, keeping the in-order sequence. */
static void lsc_rotate_up(struct lsc_tree *tree, struct lsc_node *x)
{
	struct lsc_node *p = x->parent;
	struct lsc_node *g = p->parent;

	if (p->left == x) {
		p->left = x->right;
		if (x->right)
			x->right->parent = p;
		x->right = p;
	} else {
		p->right = x->left;
		if (x->left)
			x->left->parent = p;
		x->left = p;
	}
	p->parent = x;
	lsc_replace_child(tree, g, p, x);
}

void lsc_tree_insert(struct lsc_tree *tree, struct lsc_node *node,
		     lsc_cmp_fn cmp, const void *ctx)
{
	struct lsc_node *parent = NULL;
	struct lsc_node **link = &tree->root;

	while (*link) {
		parent = *link;
		if (cmp(node, parent, ctx) < 0)
			link = &parent->left;
		else
			link = &parent->right;
	}
	node->parent = parent;
	node->left = NULL;
	node->right = NULL;
	node->heap = lsc_node_hash(node);
	node->linked = 1;
	*link = node;
	tree->count++;

	while (node->parent && node->parent->heap > node->heap)
		lsc_rotate_up(tree, node);
}

void lsc_tree_erase(struct lsc_tree *tree, struct lsc_node *node)
{
	if (LSC_WARN_ON(!node->linked))
		return;
	/* Rotate the node down until it has at most one child. */
	while (node->left && node->right) {
		if (node->left->heap < node->right->heap)
			lsc_rotate_up(tree, node->left);
		else
			lsc_rotate_up(tree, node->right);
	}
	lsc_replace_child(tree, node->parent, node,
			  node->left ? node->left : node->right);
	node->parent = NULL;
	node->left = NULL;
	node->right = NULL;
	node->linked = 0;
	tree->count--;
}

void lsc_tree_replace(struct lsc_tree *tree, struct lsc_node *old,
		      struct lsc_node *new)
{
	if (LSC_WARN_ON(!old->linked || new->linked))
		return;
	*new = *old;
	lsc_replace_child(tree, old->parent, old, new);
	if (new->left)
		new->left->parent = new;
	if (new->right)
		new->right->parent = new;
	old->parent = NULL;
	old->left = NULL;
	old->right = NULL;
	old->linked = 0;
}

struct lsc_node *lsc_tree_find_last(const struct lsc_tree *tree,
				    lsc_key_fn keyfn, const void *key,
				    const void *ctx)
{
	struct lsc_node *n = tree->root, *best = NULL;

	while (n) {
		if (keyfn(n, key, ctx) <= 0) {
			best = n;
			n = n->right;
		} else {
			n = n->left;
		}
	}
	return best;
}

struct lsc_node *lsc_tree_find_first(const struct lsc_tree *tree,
				     lsc_key_fn keyfn, const void *key,
				     const void *ctx)
{
	struct lsc_node *n = tree->root, *best = NULL;

	while (n) {
		if (keyfn(n, key, ctx) > 0) {
			best = n;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	return best;
}

struct lsc_node *lsc_tree_first(const struct lsc_tree *tree)
{
	struct lsc_node *n = tree->root;

	if (!n)
		return NULL;
	while (n->left)
		n = n->left;
	return n;
}

struct lsc_node *lsc_tree_last(const struct lsc_tree *tree)
{
	struct lsc_node *n = tree->root;

	if (!n)
		return NULL;
	while (n->right)
		n = n->right;
	return n;
}

struct lsc_node *lsc_tree_next(const struct lsc_node *node)
{
	const struct lsc_node *n = node;

	if (n->right) {
		n = n->right;
		while (n->left)
			n = n->left;
		return (struct lsc_node *)n;
	}
	while (n->parent && n->parent->right == n)
		n = n->parent;
	return n->parent;
}

struct lsc_node *lsc_tree_prev(const struct lsc_node *node)
{
	const struct lsc_node *n = node;

	if (n->left) {
		n = n->left;
		while (n->right)
			n = n->right;
		return (struct lsc_node *)n;
	}
	while (n->parent && n->parent->left == n)
		n = n->parent;
	return n->parent;
}
