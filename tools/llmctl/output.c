// SPDX-License-Identifier: GPL-2.0
/* llmctl's tables and JSON (output.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

void llmctl_table_init(struct llmctl_table *t,
		       const struct llmctl_column *cols, size_t ncols)
{
	memset(t, 0, sizeof(*t));
	t->cols = cols;
	t->ncols = ncols;
}

int llmctl_table_add(struct llmctl_table *t, const char *const *cells)
{
	size_t i;

	if (t->rows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		char **n = reallocarray(t->cells, cap * t->ncols, sizeof(*n));

		if (!n)
			return -ENOMEM;
		t->cells = n;
		t->cap = cap;
	}
	for (i = 0; i < t->ncols; i++) {
		char *c = strdup(cells[i] ? cells[i] : "");

		if (!c) {
			while (i--)
				free(t->cells[t->rows * t->ncols + i]);
			return -ENOMEM;
		}
		t->cells[t->rows * t->ncols + i] = c;
	}
	t->rows++;
	return 0;
}

static void print_cell(FILE *out, const char *s, size_t width,
		       enum llmctl_align align, bool last)
{
	size_t len = strlen(s);

	if (align == LLMCTL_RIGHT)
		fprintf(out, "%*s%s", (int)(width - len), "", s);
	else if (last)
		fputs(s, out);
	else
		fprintf(out, "%s%*s", s, (int)(width - len), "");
}

void llmctl_table_print(const struct llmctl_table *t, FILE *out)
{
	size_t *width = calloc(t->ncols, sizeof(*width));
	size_t r, c;

	if (!width)
		return;
	for (c = 0; c < t->ncols; c++)
		width[c] = strlen(t->cols[c].name);
	for (r = 0; r < t->rows; r++)
		for (c = 0; c < t->ncols; c++) {
			size_t len = strlen(t->cells[r * t->ncols + c]);

			if (len > width[c])
				width[c] = len;
		}
	for (r = 0; r <= t->rows; r++) {
		for (c = 0; c < t->ncols; c++) {
			const char *s = r ? t->cells[(r - 1) * t->ncols + c] :
					    t->cols[c].name;

			if (c)
				fputs("  ", out);
			print_cell(out, s, width[c], t->cols[c].align,
				   c + 1 == t->ncols);
		}
		fputc('\n', out);
	}
	free(width);
}

void llmctl_table_free(struct llmctl_table *t)
{
	size_t i;

	for (i = 0; i < t->rows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

int llmctl_json_print(struct json_object *obj, bool pretty, FILE *out)
{
	int flags = pretty ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED :
			     JSON_C_TO_STRING_PLAIN;
	const char *s = json_object_to_json_string_ext(obj,
			flags | JSON_C_TO_STRING_NOSLASHESCAPE);
	int ret = 0;

	if (!s || fputs(s, out) == EOF || fputc('\n', out) == EOF)
		ret = -EIO;
	json_object_put(obj);
	return ret;
}
