/* One user-named output file, atomically; see include/lbsim/file_out.h. */
#include "lbsim/file_out.h"

#include <string.h>

int file_out_open(struct file_out *f, const char *path, char *err, size_t errlen)
{
	memset(f, 0, sizeof *f);
	if (strcmp(path, "-") == 0) {
		f->to_stdout = 1;
		f->fp = stdout;
		return 0;
	}
	char dir[4096];
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	if (!*base) {
		snprintf(err, errlen, "%s: names a folder; give a file name", path);
		return -1;
	}
	size_t dlen = slash ? (size_t)(slash - path) : 1;
	if (dlen >= sizeof dir) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	if (slash && dlen == 0)
		dlen = 1; /* "/name": the root */
	memcpy(dir, slash ? path : ".", dlen);
	dir[dlen] = '\0';
	if (csv_out_open(&f->c, dir, base, err, errlen) != 0)
		return -1;
	f->fp = f->c.fp;
	return 0;
}

int file_out_commit(struct file_out *f, char *err, size_t errlen)
{
	if (f->to_stdout) {
		if (fflush(stdout) != 0 || ferror(stdout)) {
			snprintf(err, errlen, "cannot write to standard output");
			return -1;
		}
		return 0;
	}
	return csv_out_commit(&f->c, err, errlen);
}

void file_out_abort(struct file_out *f)
{
	if (!f->to_stdout)
		csv_out_abort(&f->c);
}
