/* A small CSV file of lbsim's own, read whole into memory: its header
 * and its rows as text, a column found by name. For the files a report
 * reads row by row (sweep.csv, plan.csv, differences.csv); summary.csv
 * has its own indexed reader (summary_csv.h). */
#ifndef LBSIM_CSV_TABLE_H
#define LBSIM_CSV_TABLE_H

#include <stddef.h>

struct csv_table {
	char **cells;                /* [row * ncols + col]; row 0 is the header */
	size_t nrows;                /* rows after the header */
	size_t ncols;                /* the header's columns */
	/* private */
	size_t cap, used, row_fields;
	int bad;                     /* a row of another width, or out of memory */
};

/* Read path (at most max_bytes; 0: csv_in's default). Returns 0, or -1
 * with a message (a missing file, bad CSV, rows of different widths). */
int csv_table_read(struct csv_table *t, const char *path, size_t max_bytes, char *err,
		   size_t errlen);
void csv_table_free(struct csv_table *t);

/* The column named name, or -1. */
int csv_table_col(const struct csv_table *t, const char *name);
/* Row r's (from 0, after the header) field in column c; "" when c < 0. */
const char *csv_table_get(const struct csv_table *t, size_t r, int c);
/* The same as a number (NaN when empty or not a number). */
double csv_table_num(const struct csv_table *t, size_t r, int c);

#endif
