/* Reading a summary.csv back (lbsim report, check --baseline): the rows
 * as text and numbers, looked up by design, metric and scope.
 *
 * It fails closed, because a gate that reads nothing passes everything:
 * besides what csv_in refuses (not a regular file, NUL bytes, broken
 * quoting, a truncated last row), the header must be summary.csv's, every
 * row must have its 8 fields, a mean or bound must be empty or a finite
 * number, names must fit, a (design, metric, scope) may appear once, and
 * the file must have a row. Each mistake is "path:line: what is wrong".
 * Reading is linear; a lookup is O(log rows) (a sorted index).
 */
#ifndef LBSIM_SUMMARY_CSV_H
#define LBSIM_SUMMARY_CSV_H

#include <stddef.h>

#include "lbsim/scenario.h"

struct csv_in;

struct summary_row {
	char design[SCN_NAME_MAX], metric[48], scope[32];
	double mean, lo, hi;
	unsigned long line;        /* where the file has it */
	int matched;               /* set by a reader that looked it up (check) */
};

struct summary_table {
	struct summary_row *rows;  /* in the file's order */
	size_t n, cap;
	struct summary_row **index; /* sorted by design, metric, scope */
	/* While reading. */
	struct summary_row cur;
	unsigned field;
	unsigned long rows_seen;
	const struct csv_in *in;
	char bad[512];             /* the first mistake found, or "" */
	int oom;
};

/* Read path. Returns 0, or -1 with "path:line: what is wrong" in err.
 * Free with summary_csv_free (also after a failure). */
int summary_csv_read(const char *path, struct summary_table *sm, char *err, size_t errlen);
void summary_csv_free(struct summary_table *sm);

/* The row of (design, metric, scope), or NULL. O(log rows). */
struct summary_row *summary_csv_find(const struct summary_table *sm, const char *design,
				     const char *metric, const char *scope);

#endif
