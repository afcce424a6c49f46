/* A results folder replaced whole or not at all; see include/lbsim/result_set.h.
 *
 * The steps, and why each is safe to stop at:
 *   begin   parent folders made (remembered, removed again on abort); the
 *           parent's swap lock taken; work folder made (mkdtemp) and
 *           flocked; stale work folders of the same target (flock free:
 *           their process died) removed; lock released (kept for an
 *           update). Killed here: a work folder with no lock holder, which
 *           the next writer removes.
 *   write   the caller writes into rs->dir. Killed: the same.
 *   commit  the swap lock taken; files of the target lbsim does not write
 *           linked into the work folder; one renameat2(RENAME_EXCHANGE)
 *           puts the work folder at the target's name and the old set at
 *           the work folder's; the old set removed; the lock released.
 *           Killed before the rename: the old set stands. After it: the
 *           new set stands and the old one is a stale work folder.
 * A signal handler (SIGINT, SIGTERM, SIGHUP: include/lbsim/temp_files.h)
 * removes the folder at the work folder's name, then dies of the signal
 * as it would have.
 *
 * Linux only: renameat2 (the project targets Debian).
 */
#define _GNU_SOURCE
#include "lbsim/result_set.h"
#include "lbsim/csv_in.h"
#include "lbsim/plot.h"
#include "lbsim/temp_files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define WORK_TAG ".lbsim-"
#define WORK_NAME_MAX 240        /* base names longer leave no room for the tag */

/* ---- what lbsim writes into a results folder ------------------------------ */

/* Add a new output file here: a name on this list is lbsim's, replaced or
 * dropped with the set; anything else is the user's and carried over. */
static const char *const output_names[] = {
	/* lbsim run, check (experiment_csv.c, report.c) */
	"summary.csv", "runs.csv", "servers.csv", "server_workloads.csv", "timeseries.csv",
	"events.csv", "latency.csv", "differences.csv", "costs.csv", "scenario.yaml",
	"provenance.csv",
	/* lbsim report (report.c); junit.xml of older folders (check now
	 * writes --junit where it is told) */
	"report.md", "report.html", "junit.xml",
	/* lbsim sweep, plan */
	"sweep.csv", "plan.csv", "plan.png", "plan.svg",
};

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), k = strlen(tail);
	return n >= k && strcmp(s + n - k, tail) == 0;
}

static int is_picture(const char *name, const char *stem, size_t stem_len)
{
	return strncmp(name, stem, stem_len) == 0 &&
	       (strcmp(name + stem_len, ".png") == 0 || strcmp(name + stem_len, ".svg") == 0);
}

int result_set_is_output(const char *name)
{
	for (size_t i = 0; i < sizeof output_names / sizeof output_names[0]; i++)
		if (strcmp(name, output_names[i]) == 0)
			return 1;
	for (size_t i = 0; plot_name(i); i++)
		if (is_picture(name, plot_name(i), strlen(plot_name(i))))
			return 1;
	/* sweep_<metric>.png and .svg */
	if (strncmp(name, "sweep_", 6) == 0 && (ends_with(name, ".png") || ends_with(name, ".svg")))
		return 1;
	/* Temporaries of older lbsim versions (.summary.csv.tmpXXXXXX,
	 * .share.tmp123.png) and gnuplot's data copies (.lbsim-gp-XXXXXX). */
	return name[0] == '.' && (strstr(name, ".tmp") || strncmp(name, ".lbsim-gp-", 10) == 0);
}

/* ---- the signal handler's record ------------------------------------------ */

/* The work folder's name, for include/lbsim/temp_files.h to remove if a
 * signal ends lbsim: after the swap that name holds the old set, which
 * is as well removed. */
static void arm(struct result_set *rs)
{
	rs->temp_slot = temp_files_track(rs->parent_fd, rs->work_name, 1);
}

static void disarm(struct result_set *rs)
{
	temp_files_forget(rs->temp_slot);
	rs->temp_slot = -1;
}

/* ---- test hook ------------------------------------------------------------ */

void result_set_test_stop(const char *step)
{
	const char *want = getenv("LBSIM_TEST_STOP");
	if (!want)
		return;
	size_t n = strcspn(want, ":");
	if (strlen(step) != n || strncmp(want, step, n) != 0)
		return;
	const char *sig = want[n] ? want + n + 1 : "KILL";
	fflush(NULL);
	raise(!strcmp(sig, "TERM") ? SIGTERM : !strcmp(sig, "INT") ? SIGINT
		 : !strcmp(sig, "HUP") ? SIGHUP : !strcmp(sig, "STOP") ? SIGSTOP : SIGKILL);
}

/* ---- begin ------------------------------------------------------------------ */

static void lock_parent(struct result_set *rs)
{
	if (!rs->locked) {
		while (flock(rs->parent_fd, LOCK_EX) != 0 && errno == EINTR)
			;
		rs->locked = 1;
	}
}

static void unlock_parent(struct result_set *rs)
{
	if (rs->locked) {
		flock(rs->parent_fd, LOCK_UN);
		rs->locked = 0;
	}
}

/* A name for messages: at most 80 bytes of it. */
static const char *shown(const char *s, char *buf, size_t len)
{
	if (strlen(s) <= 80)
		return s;
	snprintf(buf, len, "%.60s...(%zu bytes)", s, strlen(s));
	return buf;
}

/* parent and base of target; a symbolic link, "." or ".." resolved to
 * the folder it names. */
static int split(struct result_set *rs, const char *target, char *err, size_t errlen)
{
	char path[PATH_MAX], show[128];
	size_t n = strlen(target);
	if (n == 0) {
		snprintf(err, errlen, "the results folder name is empty");
		return -1;
	}
	if (n >= sizeof path) {
		snprintf(err, errlen, "%s: the results folder name is %zu bytes long, more than %d",
			 shown(target, show, sizeof show), n, PATH_MAX - 1);
		return -1;
	}
	memcpy(path, target, n + 1);
	while (n > 1 && path[n - 1] == '/')
		path[--n] = '\0';
	char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	struct stat st;
	if (!strcmp(base, ".") || !strcmp(base, "..") || !strcmp(path, "/") ||
	    (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))) {
		char real[PATH_MAX];
		if (!realpath(path, real)) {
			snprintf(err, errlen, "%s: %s", shown(target, show, sizeof show), strerror(errno));
			return -1;
		}
		if (!strcmp(real, "/")) {
			snprintf(err, errlen, "%s: lbsim replaces a results folder whole, and cannot "
				 "replace /", shown(target, show, sizeof show));
			return -1;
		}
		memcpy(path, real, strlen(real) + 1);
		slash = strrchr(path, '/');
		base = slash + 1;
	}
	if (strlen(base) > WORK_NAME_MAX) {
		snprintf(err, errlen, "%s: the folder's name is %zu bytes long, at most %d",
			 shown(target, show, sizeof show), strlen(base), WORK_NAME_MAX);
		return -1;
	}
	memcpy(rs->base, base, strlen(base) + 1);
	if (!slash)
		snprintf(rs->parent, sizeof rs->parent, ".");
	else if (slash == path)
		snprintf(rs->parent, sizeof rs->parent, "/");
	else
		snprintf(rs->parent, sizeof rs->parent, "%.*s", (int)(slash - path), path);
	return 0;
}

/* mkdir -p, remembering the outermost folder made. */
static int make_parents(struct result_set *rs, char *err, size_t errlen)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s", rs->parent);
	size_t n = strlen(path);
	for (size_t i = 1; i <= n; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		char keep = path[i];
		path[i] = '\0';
		if (mkdir(path, 0777) == 0) {
			if (!rs->created[0])
				snprintf(rs->created, sizeof rs->created, "%s", path);
		} else if (errno != EEXIST) {
			snprintf(err, errlen, "%s: cannot create the output folder: %s", rs->target,
				 strerror(errno));
			return -1;
		}
		path[i] = keep;
	}
	return 0;
}

static void remove_created(struct result_set *rs)
{
	if (!rs->created[0])
		return;
	/* From the parent up to the outermost one made, each if empty. */
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s", rs->parent);
	size_t keep = strlen(rs->created);
	while (strlen(path) >= keep) {
		if (rmdir(path) != 0)
			break;
		char *slash = strrchr(path, '/');
		if (!slash || slash == path)
			break;
		*slash = '\0';
	}
	rs->created[0] = '\0';
}

/* The target folder, opened for reading its entries, or NULL (err). */
static DIR *open_target(const struct result_set *rs, char *err, size_t errlen)
{
	int fd = openat(rs->parent_fd, rs->base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		snprintf(err, errlen, "%s: %s", rs->target, strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	return d;
}

/* The target: absent, or a folder of lbsim's files and plain files of
 * the user's. *exists says which. */
static int check_target(struct result_set *rs, int *exists, char *err, size_t errlen)
{
	struct stat st;
	*exists = 0;
	if (fstatat(rs->parent_fd, rs->base, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", rs->target, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: exists and is not a folder", rs->target);
		return -1;
	}
	*exists = 1;
	DIR *d = open_target(rs, err, errlen);
	if (!d)
		return -1;
	int fd = dirfd(d);
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    result_set_is_output(e->d_name))
			continue;
		if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISREG(st.st_mode) &&
		    !S_ISLNK(st.st_mode)) {
			char show[128];
			snprintf(err, errlen, "%s holds %s (%s), which lbsim did not write; lbsim "
				 "replaces a results folder whole: move it away or choose another "
				 "folder (-o)", rs->target, shown(e->d_name, show, sizeof show),
				 file_kind_name(st.st_mode));
			rc = -1;
		}
	}
	closedir(d);
	return rc;
}

static int is_work_name(const char *name, const char *base)
{
	size_t b = strlen(base), t = strlen(WORK_TAG);
	return name[0] == '.' && strncmp(name + 1, base, b) == 0 &&
	       strncmp(name + 1 + b, WORK_TAG, t) == 0 && strlen(name + 1 + b + t) == 6;
}

/* Work folders of the same target nobody holds: left by a killed lbsim. */
static void remove_stale(struct result_set *rs, FILE *note)
{
	int fd = dup(rs->parent_fd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!is_work_name(e->d_name, rs->base) || !strcmp(e->d_name, rs->work_name))
			continue;
		int w = openat(rs->parent_fd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (w < 0)
			continue;
		if (flock(w, LOCK_EX | LOCK_NB) == 0) {
			int ok = temp_files_empty_folder(w) == 0 &&
				 unlinkat(rs->parent_fd, e->d_name, AT_REMOVEDIR) == 0;
			if (note)
				fprintf(note, "lbsim: %s a temporary folder left by an interrupted lbsim: "
					"%s/%s\n", ok ? "removed" : "could not remove", rs->parent,
					e->d_name);
		}
		close(w);
	}
	closedir(d);
}

/* Hard-link (or, where the system refuses a link, copy) name from folder
 * from into folder to. */
static int carry(int from, int to, const char *name)
{
	if (linkat(from, name, to, name, 0) == 0 || errno == EEXIST)
		return 0;
	if (errno != EPERM && errno != EXDEV && errno != EMLINK)
		return -1;
	int in = openat(from, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int out = in >= 0 ? openat(to, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644)
			  : -1;
	int rc = in >= 0 && out >= 0 ? 0 : -1;
	char buf[65536];
	ssize_t n;
	while (rc == 0 && (n = read(in, buf, sizeof buf)) != 0) {
		if (n < 0 || write(out, buf, (size_t)n) != n)
			rc = -1;
	}
	if (out >= 0 && (fsync(out) != 0 || close(out) != 0))
		rc = -1;
	if (in >= 0)
		close(in);
	return rc;
}

/* Link the target's entries into the work folder: all of them (an
 * update), or those lbsim does not write (a new set). */
static int carry_over(struct result_set *rs, int all, char *err, size_t errlen)
{
	DIR *d = open_target(rs, err, errlen);
	if (!d)
		return -1;
	int fd = dirfd(d);
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (e = readdir(d))) {
		const char *name = e->d_name;
		if (!strcmp(name, ".") || !strcmp(name, ".."))
			continue;
		int ours = result_set_is_output(name);
		/* lbsim's temporaries never travel; its results only in an update. */
		if ((ours && !all) || (ours && name[0] == '.'))
			continue;
		if (carry(fd, rs->work_fd, name) != 0) {
			snprintf(err, errlen, "%s/%s: cannot keep it in the new results: %s", rs->target,
				 name, strerror(errno));
			rc = -1;
		}
	}
	closedir(d);
	return rc;
}

int result_set_begin(struct result_set *rs, const char *target, unsigned flags, FILE *note,
		     char *err, size_t errlen)
{
	memset(rs, 0, sizeof *rs);
	rs->parent_fd = rs->work_fd = rs->temp_slot = -1;
	rs->flags = flags;
	snprintf(rs->target, sizeof rs->target, "%s", target);
	if (split(rs, target, err, errlen) != 0)
		return -1;
	if (!(flags & RESULT_SET_UPDATE) && make_parents(rs, err, errlen) != 0)
		goto fail;
	rs->parent_fd = open(rs->parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char real[PATH_MAX];
	if (rs->parent_fd < 0 || !realpath(rs->parent, real)) {
		snprintf(err, errlen, "%s: %s%s", rs->target,
			 flags & RESULT_SET_UPDATE ? "" : "cannot create the output folder: ",
			 strerror(errno));
		goto fail;
	}
	snprintf(rs->parent, sizeof rs->parent, "%s", real);
	int exists;
	lock_parent(rs);
	if (check_target(rs, &exists, err, errlen) != 0)
		goto fail;
	if ((flags & RESULT_SET_UPDATE) && !exists) {
		snprintf(err, errlen, "%s: no such folder (run 'lbsim run' first)", rs->target);
		goto fail;
	}
	char path[PATH_MAX + 300];
	int n = snprintf(path, sizeof path, "%s/.%s" WORK_TAG "XXXXXX", rs->parent, rs->base);
	if (n < 0 || (size_t)n >= sizeof rs->dir) {
		snprintf(err, errlen, "%s: the folder's path is too long", rs->target);
		goto fail;
	}
	/* No signal between making the work folder and tracking it: it
	 * would leave the folder behind. */
	sigset_t held;
	temp_files_hold(&held);
	const char *made = mkdtemp(path);
	int saved = errno;
	if (made) {
		memcpy(rs->dir, path, (size_t)n + 1);
		snprintf(rs->work_name, sizeof rs->work_name, "%s", strrchr(path, '/') + 1);
		arm(rs);
	}
	temp_files_release(&held);
	if (!made) {
		snprintf(err, errlen, "%s: cannot create the output folder: %s", rs->target,
			 strerror(saved));
		goto fail;
	}
	rs->work_fd = open(rs->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (rs->work_fd < 0 || flock(rs->work_fd, LOCK_EX | LOCK_NB) != 0) {
		snprintf(err, errlen, "%s: %s", rs->dir, strerror(errno));
		goto fail;
	}
	/* mkdtemp makes it 0700; results are for sharing, as the umask says. */
	mode_t mask = umask(0);
	umask(mask);
	fchmod(rs->work_fd, 0777 & ~mask);
	remove_stale(rs, note);
	if ((flags & RESULT_SET_UPDATE) && carry_over(rs, 1, err, errlen) != 0)
		goto fail;
	if (!(flags & RESULT_SET_UPDATE))
		unlock_parent(rs);
	result_set_test_stop("begun");
	return 0;
fail:
	result_set_abort(rs);
	return -1;
}

/* ---- commit and abort ------------------------------------------------------- */

int result_set_commit(struct result_set *rs, char *err, size_t errlen)
{
	result_set_test_stop("written");
	if (fsync(rs->work_fd) != 0 && errno != EINVAL) {
		snprintf(err, errlen, "%s: %s", rs->target, strerror(errno));
		goto fail;
	}
	lock_parent(rs);
	int exists;
	if (check_target(rs, &exists, err, errlen) != 0 ||
	    (exists && carry_over(rs, 0, err, errlen) != 0))
		goto fail;
	int rc = renameat2(rs->parent_fd, rs->work_name, rs->parent_fd, rs->base,
			   exists ? RENAME_EXCHANGE : RENAME_NOREPLACE);
	if (rc != 0 && exists && (errno == EINVAL || errno == ENOSYS)) {
		/* A file system without RENAME_EXCHANGE: the old set to a
		 * fresh name, the new one to the target's. A reader may find
		 * no folder for that instant, never a mixed one. */
		char old[PATH_MAX + 300];
		snprintf(old, sizeof old, "%s/.%s" WORK_TAG "XXXXXX", rs->parent, rs->base);
		rc = mkdtemp(old) ? 0 : -1;
		if (rc == 0)
			rc = renameat(rs->parent_fd, rs->base, rs->parent_fd, strrchr(old, '/') + 1);
		if (rc == 0) {
			rc = renameat(rs->parent_fd, rs->work_name, rs->parent_fd, rs->base);
			if (rc == 0) {
				disarm(rs);
				snprintf(rs->work_name, sizeof rs->work_name, "%s", strrchr(old, '/') + 1);
			}
		}
	}
	if (rc != 0) {
		snprintf(err, errlen, "%s: cannot put the new results in place: %s%s", rs->target,
			 strerror(errno), errno == EXDEV || errno == EBUSY
			 ? " (a mount point: give a folder inside it)" : "");
		goto fail;
	}
	/* The old set now has the work folder's name. */
	result_set_test_stop("swapped");
	disarm(rs);
	temp_files_remove_folder(rs->parent_fd, rs->work_name);
	fsync(rs->parent_fd);
	unlock_parent(rs);
	close(rs->work_fd);
	close(rs->parent_fd);
	rs->work_fd = rs->parent_fd = -1;
	rs->work_name[0] = '\0';
	return 0;
fail:
	result_set_abort(rs);
	return -1;
}

void result_set_abort(struct result_set *rs)
{
	disarm(rs);
	if (rs->parent_fd >= 0 && rs->work_name[0])
		temp_files_remove_folder(rs->parent_fd, rs->work_name);
	rs->work_name[0] = '\0';
	if (rs->work_fd >= 0)
		close(rs->work_fd);
	unlock_parent(rs);
	if (rs->parent_fd >= 0)
		close(rs->parent_fd);
	rs->work_fd = rs->parent_fd = -1;
	remove_created(rs);
}

void result_set_message(const struct result_set *rs, char *err, size_t errlen)
{
	size_t n = strlen(rs->dir);
	char *at = n ? strstr(err, rs->dir) : NULL;
	if (!at)
		return;
	char *copy = strdup(at + n);
	if (!copy)
		return;
	snprintf(at, errlen - (size_t)(at - err), "%s%s", rs->target, copy);
	free(copy);
}
