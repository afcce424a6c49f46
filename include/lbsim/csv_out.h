/* CSV files that are written whole or not at all.
 *
 * A file is written under a temporary name in its final folder and renamed
 * into place by csv_out_commit() only after every byte reached the disk
 * (fflush, fsync, fclose all checked), so a crash or a full device never
 * leaves half a file, and an earlier result of the same name stays intact
 * until the new one is complete. Fields are quoted by libcsv when they need
 * it (comma, quote, line break, outer blanks); numbers are written plain so
 * that gnuplot and spreadsheets read them as numbers.
 */
#ifndef LBSIM_CSV_OUT_H
#define LBSIM_CSV_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct csv_out {
	FILE *fp;
	char tmp_path[4096];
	char final_path[4096];
	int fields_in_row;
	int error;               /* a write failed; commit will fail */
};

/* Create dir/name.tmpXXXXXX for writing. Returns 0, or -1 with a message. */
int csv_out_open(struct csv_out *c, const char *dir, const char *name, char *err, size_t errlen);
void csv_out_str(struct csv_out *c, const char *s);
void csv_out_u64(struct csv_out *c, uint64_t v);
/* A double with enough digits to be read back the same; NaN as empty. */
void csv_out_num(struct csv_out *c, double v);
void csv_out_end_row(struct csv_out *c);
/* Write a header or any row of strings at once. */
void csv_out_row(struct csv_out *c, size_t n, const char *const *fields);
/* Flush, sync, close and rename into place. Returns 0, or -1 with a message
 * (the temporary file is removed). */
int csv_out_commit(struct csv_out *c, char *err, size_t errlen);
/* Give up: close and remove the temporary file. */
void csv_out_abort(struct csv_out *c);

/* mkdir -p dir, then check that a file can be created in it. Returns 0, or
 * -1 with a message. For folders of files that are not a result set
 * (lbsim anonymise -o); results use include/lbsim/result_set.h. */
int output_dir_prepare(const char *dir, char *err, size_t errlen);

#endif
