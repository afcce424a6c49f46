/* Reading a summary.csv back (lbsim report, check --baseline): the rows
 * as text and numbers, looked up by design, metric and scope. */
#ifndef LBSIM_SUMMARY_CSV_H
#define LBSIM_SUMMARY_CSV_H

#include <stddef.h>

#include "lbsim/scenario.h"

struct summary_row {
	char design[SCN_NAME_MAX], metric[48], scope[32];
	double mean, lo, hi;
};

struct summary_table {
	struct summary_row *rows;
	size_t n, cap;
	struct summary_row cur;
	unsigned field;
	unsigned long line;
	int oom;
};

/* Read path. Returns 0, or -1 with a message. Free with summary_csv_free. */
int summary_csv_read(const char *path, struct summary_table *sm, char *err, size_t errlen);
void summary_csv_free(struct summary_table *sm);

/* The row of (design, metric, scope), or NULL. O(rows). */
const struct summary_row *summary_csv_find(const struct summary_table *sm, const char *design,
					   const char *metric, const char *scope);

#endif
