/* Reading a CSV file with libcsv: the one loop every reader of lbsim's own
 * results shares (summary_csv.c, plot.c).
 *
 * It fails closed: a file that is not a regular file (a FIFO would block
 * forever, a device never end), is larger than its reader allows, holds a
 * NUL byte, breaks CSV quoting, or ends in the middle of a row (lbsim ends
 * every row with a line break, so that is a truncated file) is an error
 * naming the file and line. Time and memory are linear in the file: it is
 * fed to libcsv line by line. Every field loses the formula guard csv_out
 * gave it (include/lbsim/escape.h) before the callbacks see it.
 */
#ifndef LBSIM_CSV_IN_H
#define LBSIM_CSV_IN_H

#include <stddef.h>
#include <sys/types.h>

/* The largest file a reader takes unless it says otherwise: far above
 * any summary lbsim writes (16 designs: about 300 kB), low enough that a
 * stray file cannot keep a reader busy for minutes. */
#define CSV_IN_MAX_BYTES (256u << 20)

/* What a path that is not a regular file is, for a message: "a folder",
 * "a FIFO", "a socket" or "a device" (every reader that refuses one words
 * it the same way). */
const char *file_kind_name(mode_t mode);

/* libcsv's callbacks: a field (data, its length) and the end of a row. */
typedef void (*csv_in_field_fn)(void *data, size_t len, void *ctx);
typedef void (*csv_in_row_fn)(int terminator, void *ctx);

enum {
	CSV_IN_OK = 0,
	CSV_IN_NO_FILE = -1,   /* it could not be opened: err says why */
	CSV_IN_INVALID = -2,   /* not valid CSV, NUL bytes, truncated: err says where */
	CSV_IN_READ = -3,      /* reading failed (a folder, a FIFO, too large, an I/O error) */
};

struct csv_in {
	const char *path;
	size_t max_bytes;      /* refuse a larger file; 0: CSV_IN_MAX_BYTES */
	csv_in_field_fn on_field;
	csv_in_row_fn on_row;
	void *ctx;
	unsigned long line;    /* while reading: the line (from 1) being parsed,
				* so a callback knows where the row it ends is */
};

/* Feed every field and row end of in->path to the callbacks. Returns
 * CSV_IN_OK, or a negative code with "path[:line]: reason" in err. */
int csv_in_read(struct csv_in *in, char *err, size_t errlen);

#endif
