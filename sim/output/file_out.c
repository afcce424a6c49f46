/* One user-named output file, atomically; see include/lbsim/file_out.h. */
#include "lbsim/file_out.h"
#include "lbsim/result_set.h"
#include "lbsim/temp_files.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

int file_out_open_file(struct file_out *f, const char *path, FILE *note, char *err,
		       size_t errlen)
{
	memset(f, 0, sizeof *f);
	f->lock_fd = f->temp_slot = -1;
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
	/* The folder locked while stale temporaries are looked for and ours
	 * is made and locked: another lbsim's, made but not locked yet, must
	 * not look stale. (result_set.c takes the same lock for its swaps.) */
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0)
		while (flock(dfd, LOCK_EX) != 0 && errno == EINTR)
			;
	temp_files_remove_stale(dir, base, note);
	sigset_t held;
	temp_files_hold(&held);
	int rc = csv_out_open(&f->c, dir, base, err, errlen);
	if (rc == 0) {
		f->fp = f->c.fp;
		/* A lock of its own descriptor, so that it outlives the fclose
		 * of csv_out_commit until the rename is done. */
		f->lock_fd = dup(fileno(f->fp));
		if (f->lock_fd >= 0)
			flock(f->lock_fd, LOCK_EX | LOCK_NB);
		f->temp_slot = temp_files_track(AT_FDCWD, f->c.tmp_path, 0);
	}
	temp_files_release(&held);
	if (dfd >= 0)
		close(dfd);
	if (rc == 0)
		result_set_test_stop("opened");
	return rc;
}

int file_out_open(struct file_out *f, const char *path, FILE *note, char *err, size_t errlen)
{
	if (strcmp(path, "-") == 0) {
		memset(f, 0, sizeof *f);
		f->lock_fd = f->temp_slot = -1;
		f->to_stdout = 1;
		f->fp = stdout;
		return 0;
	}
	return file_out_open_file(f, path, note, err, errlen);
}

static void release(struct file_out *f)
{
	temp_files_forget(f->temp_slot);
	f->temp_slot = -1;
	if (f->lock_fd >= 0)
		close(f->lock_fd);
	f->lock_fd = -1;
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
	int rc = csv_out_commit(&f->c, err, errlen);
	release(f);
	return rc;
}

void file_out_abort(struct file_out *f)
{
	if (f->to_stdout)
		return;
	csv_out_abort(&f->c);
	release(f);
}
