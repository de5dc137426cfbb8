/* SPDX-License-Identifier: GPL-2.0 */
/*
 * llmctl's two forms of output: aligned tables for people, JSON (json-c)
 * for programs, with one schema (Documentation/admin-guide/llmctl.rst).
 */
#ifndef LLMCTL_OUTPUT_H
#define LLMCTL_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <json-c/json.h>

enum llmctl_align { LLMCTL_LEFT, LLMCTL_RIGHT };

struct llmctl_column {
	const char *name;		/* the heading */
	enum llmctl_align align;	/* numbers right, text left */
};

/*
 * A table gathered row by row and printed aligned: each column as wide as
 * its widest cell, two spaces between columns, the last column not padded
 * (so that a long command line or label does not push the others).
 */
struct llmctl_table {
	const struct llmctl_column *cols;
	size_t ncols;
	char **cells;			/* rows * ncols strings */
	size_t rows, cap;
};

void llmctl_table_init(struct llmctl_table *t,
		       const struct llmctl_column *cols, size_t ncols);
/* Add one row: @cells holds ncols strings, copied; 0 or -ENOMEM. */
int llmctl_table_add(struct llmctl_table *t, const char *const *cells);
void llmctl_table_print(const struct llmctl_table *t, FILE *out);
void llmctl_table_free(struct llmctl_table *t);

/*
 * Print @obj as one line of JSON (or indented when @pretty), then a
 * newline, and drop the reference.  Returns -EIO when stdout failed.
 */
int llmctl_json_print(struct json_object *obj, bool pretty, FILE *out);

/*
 * json-c has no unsigned 64-bit number before 0.14's json_object_new_uint64;
 * Debian 12 has 0.16, so ids and byte counts above INT64_MAX stay exact.
 */
static inline struct json_object *llmctl_json_u64(unsigned long long v)
{
	return json_object_new_uint64(v);
}

#endif /* LLMCTL_OUTPUT_H */
