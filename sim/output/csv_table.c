/* Whole small CSV files; see include/lbsim/csv_table.h. */
#include "lbsim/csv_table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lbsim/csv_in.h"

static void add(struct csv_table *t, const char *s, size_t len)
{
	if (t->bad)
		return;
	if (t->used == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 256;
		char **grown = realloc(t->cells, cap * sizeof *grown);
		if (!grown) {
			t->bad = 1;
			return;
		}
		t->cells = grown;
		t->cap = cap;
	}
	char *copy = malloc(len + 1);
	if (!copy) {
		t->bad = 1;
		return;
	}
	memcpy(copy, s, len);
	copy[len] = '\0';
	t->cells[t->used++] = copy;
}

static void on_field(void *data, size_t len, void *ctx)
{
	struct csv_table *t = ctx;
	t->row_fields++;
	add(t, data, len);
}

static void on_row(int c, void *ctx)
{
	(void)c;
	struct csv_table *t = ctx;
	if (t->ncols == 0)
		t->ncols = t->row_fields;
	else if (t->row_fields != t->ncols)
		t->bad = 1;
	else
		t->nrows++;
	t->row_fields = 0;
}

int csv_table_read(struct csv_table *t, const char *path, size_t max_bytes, char *err,
		   size_t errlen)
{
	memset(t, 0, sizeof *t);
	struct csv_in in = {.path = path, .max_bytes = max_bytes, .on_field = on_field,
			    .on_row = on_row, .ctx = t};
	if (csv_in_read(&in, err, errlen) != CSV_IN_OK) {
		csv_table_free(t);
		return -1;
	}
	if (t->bad || t->ncols == 0) {
		snprintf(err, errlen, "%s: %s", path,
			 t->ncols == 0 ? "empty" : "rows of different widths (not lbsim's?)");
		csv_table_free(t);
		return -1;
	}
	return 0;
}

void csv_table_free(struct csv_table *t)
{
	for (size_t i = 0; i < t->used; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof *t);
}

int csv_table_col(const struct csv_table *t, const char *name)
{
	for (size_t c = 0; c < t->ncols; c++)
		if (strcmp(t->cells[c], name) == 0)
			return (int)c;
	return -1;
}

const char *csv_table_get(const struct csv_table *t, size_t r, int c)
{
	if (c < 0 || (size_t)c >= t->ncols || r >= t->nrows)
		return "";
	return t->cells[(r + 1) * t->ncols + (size_t)c];
}

double csv_table_num(const struct csv_table *t, size_t r, int c)
{
	const char *s = csv_table_get(t, r, c);
	char *end;
	double v = strtod(s, &end);
	return *s && !*end ? v : NAN;
}
