/* Writing a command's result whole or not at all (include/lbsim/cli.h). */
#include "lbsim/cli.h"

#include <stdio.h>

#include "lbsim/file_out.h"

int cli_write_whole(const char *path, const char *text, size_t len, FILE *note)
{
	struct file_out f;
	char err[1024];
	if (file_out_open(&f, path, note, err, sizeof err) != 0) {
		fprintf(stderr, "lbsim: %s\n", err);
		return LBSIM_EXIT_USAGE;
	}
	if (fwrite(text, 1, len, f.fp) != len) {
		file_out_abort(&f);
		fprintf(stderr, "lbsim: %s: write failed\n", path);
		return LBSIM_EXIT_FAILED;
	}
	if (file_out_commit(&f, err, sizeof err) != 0) {
		fprintf(stderr, "lbsim: %s\n", err);
		return LBSIM_EXIT_FAILED;
	}
	return LBSIM_EXIT_OK;
}
