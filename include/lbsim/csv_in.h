/* Reading a CSV file with libcsv: the one loop every reader of lbsim's own
 * results shares (summary_csv.c, plot.c). */
#ifndef LBSIM_CSV_IN_H
#define LBSIM_CSV_IN_H

#include <stddef.h>

/* libcsv's callbacks: a field (data, its length) and the end of a row. */
typedef void (*csv_in_field_fn)(void *data, size_t len, void *ctx);
typedef void (*csv_in_row_fn)(int terminator, void *ctx);

enum {
	CSV_IN_OK = 0,
	CSV_IN_NO_FILE = -1,   /* it could not be opened: err says why */
	CSV_IN_INVALID = -2,   /* it is not valid CSV: err says where libcsv stopped */
	CSV_IN_READ = -3,      /* reading it failed (e.g. a folder, an I/O error) */
};

/* Feed every field and row end of the file at path to the callbacks.
 * Returns CSV_IN_OK, or a negative code with "path: reason" in err. */
int csv_in_read(const char *path, csv_in_field_fn on_field, csv_in_row_fn on_row, void *ctx,
		char *err, size_t errlen);

#endif
