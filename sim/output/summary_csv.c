/* Reading summary.csv back; see include/lbsim/summary_csv.h. */
#include "lbsim/summary_csv.h"
#include "lbsim/csv_in.h"
#include "lbsim/summary.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Note the first mistake (where csv_in is now) and ignore the rest. */
static void bad(struct summary_table *sm, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void bad(struct summary_table *sm, const char *fmt, ...)
{
	if (sm->bad[0])
		return;
	int n = snprintf(sm->bad, sizeof sm->bad, "%s:%lu: ", sm->in->path, sm->in->line);
	va_list ap;
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof sm->bad)
		vsnprintf(sm->bad + n, sizeof sm->bad - (size_t)n, fmt, ap);
	va_end(ap);
}

/* An empty field is a missing value; anything else must be a finite
 * number, whole. */
static int number(const char *s, size_t len, double *out)
{
	char tmp[64];
	if (len == 0) {
		*out = NAN;
		return 0;
	}
	if (len >= sizeof tmp)
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	char *end;
	*out = strtod(tmp, &end);
	/* strtod sets ERANGE on underflow too: a p-value of 1e-320 (a
	 * subnormal lbsim wrote itself) is a number; overflow is not finite. */
	return *end || !isfinite(*out) ? -1 : 0;
}

static void text(struct summary_table *sm, char *dst, size_t cap, const char *what,
		 const char *s, size_t len)
{
	if (len == 0 || len >= cap) {
		bad(sm, "%s %s (a summary.csv %s has 1 to %zu bytes)", what,
		    len ? "too long" : "empty", what, cap - 1);
		len = len >= cap ? cap - 1 : len;
	}
	memcpy(dst, s, len);
	dst[len] = '\0';
}

static void on_field(void *data, size_t len, void *ctx)
{
	struct summary_table *sm = ctx;
	const char *s = data ? data : "";
	unsigned k = sm->field++;
	if (sm->rows_seen == 0) {
		/* The header: summary.csv's columns, in order. */
		if (k < SUMMARY_NCOLUMNS && (strlen(summary_columns[k]) != len ||
					     memcmp(summary_columns[k], s, len) != 0))
			bad(sm, "not a summary.csv: column %u is '%.*s', expected '%s'", k + 1,
			    (int)(len > 40 ? 40 : len), s, summary_columns[k]);
		return;
	}
	double *slot = k == 4 ? &sm->cur.mean : k == 5 ? &sm->cur.lo : k == 6 ? &sm->cur.hi : NULL;
	switch (k) {
	case 0: text(sm, sm->cur.design, sizeof sm->cur.design, "design", s, len); break;
	case 1: text(sm, sm->cur.metric, sizeof sm->cur.metric, "metric", s, len); break;
	case 2: text(sm, sm->cur.scope, sizeof sm->cur.scope, "scope", s, len); break;
	case 4: case 5: case 6:
		if (number(s, len, slot) != 0)
			bad(sm, "%s '%.*s' is not a number", summary_columns[k],
			    (int)(len > 40 ? 40 : len), s);
		break;
	default: break;
	}
}

static void on_row(int c, void *ctx)
{
	(void)c;
	struct summary_table *sm = ctx;
	unsigned fields = sm->field;
	sm->field = 0;
	if (sm->rows_seen++ == 0) {
		if (fields != SUMMARY_NCOLUMNS)
			bad(sm, "not a summary.csv: the header has %u columns, expected %d", fields,
			    SUMMARY_NCOLUMNS);
		return;
	}
	if (fields != SUMMARY_NCOLUMNS)
		bad(sm, "a row of %u field%s; a summary.csv row has %d", fields, fields == 1 ? "" : "s",
		    SUMMARY_NCOLUMNS);
	if (sm->bad[0] || sm->oom)
		return;
	if (sm->n == sm->cap) {
		size_t cap = sm->cap ? sm->cap * 2 : 256;
		struct summary_row *grown = realloc(sm->rows, cap * sizeof *grown);
		if (!grown) {
			sm->oom = 1;
			return;
		}
		sm->rows = grown;
		sm->cap = cap;
	}
	sm->cur.line = sm->in->line;
	sm->cur.matched = 0;
	sm->rows[sm->n++] = sm->cur;
	memset(&sm->cur, 0, sizeof sm->cur);
}

static int key_cmp(const struct summary_row *a, const char *design, const char *metric,
		   const char *scope)
{
	int c = strcmp(a->design, design);
	if (!c)
		c = strcmp(a->metric, metric);
	return c ? c : strcmp(a->scope, scope);
}

static int by_key(const void *x, const void *y)
{
	const struct summary_row *a = *(struct summary_row *const *)x, *b = *(struct summary_row *const *)y;
	int c = key_cmp(a, b->design, b->metric, b->scope);
	return c ? c : (a->line > b->line) - (a->line < b->line);
}

int summary_csv_read(const char *path, struct summary_table *sm, char *err, size_t errlen)
{
	memset(sm, 0, sizeof *sm);
	struct csv_in in = {.path = path, .max_bytes = SUMMARY_CSV_MAX_BYTES, .on_field = on_field,
			    .on_row = on_row, .ctx = sm};
	sm->in = &in;
	int rc = csv_in_read(&in, err, errlen);
	sm->in = NULL;
	if (rc != CSV_IN_OK)
		return -1;
	if (sm->oom) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	if (sm->bad[0]) {
		snprintf(err, errlen, "%s", sm->bad);
		return -1;
	}
	if (sm->rows_seen == 0) {
		snprintf(err, errlen, "%s: empty: not a summary.csv", path);
		return -1;
	}
	if (sm->n == 0) {
		snprintf(err, errlen, "%s:1: a header and no rows: not the summary of a run", path);
		return -1;
	}
	sm->index = malloc(sm->n * sizeof *sm->index);
	if (!sm->index) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	for (size_t i = 0; i < sm->n; i++)
		sm->index[i] = &sm->rows[i];
	qsort(sm->index, sm->n, sizeof *sm->index, by_key);
	for (size_t i = 1; i < sm->n; i++) {
		const struct summary_row *a = sm->index[i - 1], *b = sm->index[i];
		if (key_cmp(a, b->design, b->metric, b->scope) == 0) {
			snprintf(err, errlen, "%s:%lu: a second row for design %s, metric %s, scope %s "
				 "(the first is line %lu)", path, b->line, b->design, b->metric,
				 b->scope, a->line);
			return -1;
		}
	}
	return 0;
}

struct summary_row *summary_csv_find(const struct summary_table *sm, const char *design,
				     const char *metric, const char *scope)
{
	size_t lo = 0, hi = sm->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = key_cmp(sm->index[mid], design, metric, scope);
		if (c == 0)
			return sm->index[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void summary_csv_free(struct summary_table *sm)
{
	free(sm->rows);
	free(sm->index);
	memset(sm, 0, sizeof *sm);
}
