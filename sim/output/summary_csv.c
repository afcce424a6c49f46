/* Reading summary.csv back; see include/lbsim/summary_csv.h. */
#include "lbsim/summary_csv.h"
#include "lbsim/csv_in.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

static double num(const char *s, size_t len)
{
	char tmp[64];
	if (len == 0 || len >= sizeof tmp)
		return NAN;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	return strtod(tmp, NULL);
}

static void copy_field(char *dst, size_t cap, const char *s, size_t len)
{
	if (len >= cap)
		len = cap - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
}

static void on_field(void *data, size_t len, void *ctx)
{
	struct summary_table *sm = ctx;
	const char *s = data;
	switch (sm->field++) {
	case 0: copy_field(sm->cur.design, sizeof sm->cur.design, s, len); break;
	case 1: copy_field(sm->cur.metric, sizeof sm->cur.metric, s, len); break;
	case 2: copy_field(sm->cur.scope, sizeof sm->cur.scope, s, len); break;
	case 4: sm->cur.mean = num(s, len); break;
	case 5: sm->cur.lo = num(s, len); break;
	case 6: sm->cur.hi = num(s, len); break;
	default: break;
	}
}

static void on_row(int c, void *ctx)
{
	(void)c;
	struct summary_table *sm = ctx;
	if (sm->line++ > 0 && sm->field >= 7) {
		if (sm->n == sm->cap) {
			size_t cap = sm->cap ? sm->cap * 2 : 256;
			struct summary_row *grown = realloc(sm->rows, cap * sizeof *grown);
			if (!grown) {
				sm->oom = 1;
				sm->field = 0;
				return;
			}
			sm->rows = grown;
			sm->cap = cap;
		}
		sm->rows[sm->n++] = sm->cur;
	}
	sm->field = 0;
}

int summary_csv_read(const char *path, struct summary_table *sm, char *err, size_t errlen)
{
	memset(sm, 0, sizeof *sm);
	struct csv_in in = {.path = path, .on_field = on_field, .on_row = on_row, .ctx = sm};
	if (csv_in_read(&in, err, errlen) != CSV_IN_OK)
		return -1;
	if (sm->oom) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

const struct summary_row *summary_csv_find(const struct summary_table *sm, const char *design, const char *metric,
			       const char *scope)
{
	for (size_t i = 0; i < sm->n; i++)
		if (!strcmp(sm->rows[i].design, design) && !strcmp(sm->rows[i].metric, metric) &&
		    !strcmp(sm->rows[i].scope, scope))
			return &sm->rows[i];
	return NULL;
}


void summary_csv_free(struct summary_table *sm)
{
	free(sm->rows);
	sm->rows = NULL;
	sm->n = sm->cap = 0;
}
