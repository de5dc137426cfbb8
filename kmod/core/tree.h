/* SPDX-License-Identifier: GPL-2.0 */
/*
 * llmsched engine: intrusive ordered index (treap) and doubly linked list.
 *
 * The engine never allocates: every object it orders embeds a struct
 * lsc_node and every list member a struct lsc_list.  The index is a treap
 * whose heap priorities are a hash of the node's address, so its depth is
 * O(log n) expected for any insertion order; insert, erase, first, last,
 * next and prev are O(log n) expected and use no recursion.
 */
#ifndef _LSC_TREE_H
#define _LSC_TREE_H

#include "platform.h"

/**
 * struct lsc_node - link of an object in an ordered index
 * @parent: parent node, NULL at the root
 * @left: subtree of smaller keys
 * @right: subtree of larger keys
 * @heap: heap priority (hash of the node's address), smaller is nearer
 *	the root
 * @linked: true while the node is in an index
 */
struct lsc_node {
	struct lsc_node *parent;
	struct lsc_node *left;
	struct lsc_node *right;
	u32 heap;
	u32 linked;
};

/**
 * typedef lsc_cmp_fn - order of an index
 * @a: first node
 * @b: second node
 * @ctx: the context given to lsc_tree_insert()
 *
 * Return: negative, zero or positive as @a sorts before, equal to or after
 * @b.  Keys of distinct nodes must never compare equal.
 */
typedef int (*lsc_cmp_fn)(const struct lsc_node *a, const struct lsc_node *b,
			  const void *ctx);

/**
 * typedef lsc_key_fn - position of a node relative to a search key
 * @node: a node of the index
 * @key: the key given to lsc_tree_find_last() or lsc_tree_find_first()
 * @ctx: the context given with it
 *
 * Return: negative or zero when @node sorts before or at @key, positive
 * when after; consistent with the index's order.
 */
typedef int (*lsc_key_fn)(const struct lsc_node *node, const void *key,
			  const void *ctx);

/**
 * struct lsc_tree - ordered index of embedded nodes
 * @root: root node, NULL when empty
 * @count: number of nodes
 */
struct lsc_tree {
	struct lsc_node *root;
	u32 count;
};

/**
 * struct lsc_list - doubly linked circular list link (or head)
 * @next: next link
 * @prev: previous link
 */
struct lsc_list {
	struct lsc_list *next;
	struct lsc_list *prev;
};

/**
 * lsc_tree_init() - make an empty index
 * @tree: the index
 */
void lsc_tree_init(struct lsc_tree *tree);

/**
 * lsc_tree_insert() - add a node
 * @tree: the index
 * @node: a node not in any index
 * @cmp: the index's order
 * @ctx: passed to @cmp
 *
 * O(log n) expected.
 */
void lsc_tree_insert(struct lsc_tree *tree, struct lsc_node *node,
		     lsc_cmp_fn cmp, const void *ctx);

/**
 * lsc_tree_erase() - remove a node
 * @tree: the index holding @node
 * @node: the node
 *
 * O(log n) expected.
 */
void lsc_tree_erase(struct lsc_tree *tree, struct lsc_node *node);

/**
 * lsc_tree_replace() - put @new in the place of @old
 * @tree: the index holding @old
 * @old: a node of the index; it leaves the index
 * @new: a node in no index, whose key sorts where @old's does (no node of
 *	the index lies between them)
 *
 * @new takes @old's links and heap priority.  O(1).
 */
void lsc_tree_replace(struct lsc_tree *tree, struct lsc_node *old,
		      struct lsc_node *new);

/**
 * lsc_tree_find_last() - last node at or before a key
 * @tree: the index
 * @keyfn: position of a node relative to @key
 * @key: the search key
 * @ctx: passed to @keyfn
 *
 * O(log n) expected.
 *
 * Return: the last node for which @keyfn returns a value <= 0, or NULL.
 */
struct lsc_node *lsc_tree_find_last(const struct lsc_tree *tree,
				    lsc_key_fn keyfn, const void *key,
				    const void *ctx);

/**
 * lsc_tree_find_first() - first node after a key
 * @tree: the index
 * @keyfn: position of a node relative to @key
 * @key: the search key
 * @ctx: passed to @keyfn
 *
 * O(log n) expected.
 *
 * Return: the first node for which @keyfn returns a value > 0, or NULL.
 */
struct lsc_node *lsc_tree_find_first(const struct lsc_tree *tree,
				     lsc_key_fn keyfn, const void *key,
				     const void *ctx);

/**
 * lsc_tree_first() - smallest node
 * @tree: the index
 *
 * Return: the first node in order, NULL when empty.
 */
struct lsc_node *lsc_tree_first(const struct lsc_tree *tree);

/**
 * lsc_tree_last() - largest node
 * @tree: the index
 *
 * Return: the last node in order, NULL when empty.
 */
struct lsc_node *lsc_tree_last(const struct lsc_tree *tree);

/**
 * lsc_tree_next() - in-order successor
 * @node: a node in an index
 *
 * Return: the next node, NULL after the last.
 */
struct lsc_node *lsc_tree_next(const struct lsc_node *node);

/**
 * lsc_tree_prev() - in-order predecessor
 * @node: a node in an index
 *
 * Return: the previous node, NULL before the first.
 */
struct lsc_node *lsc_tree_prev(const struct lsc_node *node);

static inline bool lsc_node_linked(const struct lsc_node *node)
{
	return node->linked;
}

static inline void lsc_list_init(struct lsc_list *head)
{
	head->next = head;
	head->prev = head;
}

static inline bool lsc_list_empty(const struct lsc_list *head)
{
	return head->next == head;
}

/* Insert @item after @pos. */
static inline void lsc_list_add_after(struct lsc_list *item,
				      struct lsc_list *pos)
{
	item->prev = pos;
	item->next = pos->next;
	pos->next->prev = item;
	pos->next = item;
}

static inline void lsc_list_del(struct lsc_list *item)
{
	item->prev->next = item->next;
	item->next->prev = item->prev;
	item->next = item;
	item->prev = item;
}

#define lsc_container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#endif /* _LSC_TREE_H */
