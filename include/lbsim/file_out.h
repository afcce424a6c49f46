/* One output file named by the user (`-o FILE`), written whole or not at
 * all: under a temporary name in its folder, renamed into place by
 * file_out_commit once every byte is on disk (csv_out.h does the work).
 * "-" writes standard output instead (nothing to rename).
 *
 * The temporary (.NAME.tmpXXXXXX beside NAME) is flocked while it lives
 * and removed if SIGINT, SIGTERM or SIGHUP ends lbsim (temp_files.h); one
 * left by a killed lbsim (its lock free) is removed by the next write of
 * the same file, which says so on note. */
#ifndef LBSIM_FILE_OUT_H
#define LBSIM_FILE_OUT_H

#include <stddef.h>
#include <stdio.h>

#include "lbsim/csv_out.h"

struct file_out {
	struct csv_out c;
	FILE *fp;                /* where to write: the temporary file or stdout */
	int to_stdout;
	/* private */
	int lock_fd;             /* holds the temporary's flock until it is renamed */
	int temp_slot;           /* the temporary's in temp_files.h, or -1 */
};

/* Returns 0, or -1 with a message (the folder does not exist, cannot be
 * written). note (may be NULL) hears of stale temporaries removed. */
int file_out_open(struct file_out *f, const char *path, FILE *note, char *err, size_t errlen);
/* The same, where "-" is a file name like any other. */
int file_out_open_file(struct file_out *f, const char *path, FILE *note, char *err,
		       size_t errlen);
/* Flush, sync, rename. Returns 0, or -1 with a message (nothing left). */
int file_out_commit(struct file_out *f, char *err, size_t errlen);
void file_out_abort(struct file_out *f);

#endif
