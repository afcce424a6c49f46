/* Running gnuplot safely; see include/lbsim/gnuplot.h. */
#include "lbsim/gnuplot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lbsim/csv_in.h"

#ifndef LBSIM_PLOTS_DIR
#define LBSIM_PLOTS_DIR "plots"
#endif

extern char **environ;

void gp_vars_add(struct gp_vars *g, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (g->used < sizeof g->text) {
		int n = vsnprintf(g->text + g->used, sizeof g->text - g->used, fmt, ap);
		g->used += n < 0 ? sizeof g->text : (size_t)n;
	}
	va_end(ap);
}

/* Inside gnuplot's single quotes only '' means anything (one quote):
 * backquotes, '@' macros, backslashes and line breaks stay plain text.
 * The name is always one of lbsim's own (letters, digits, '_'). */
void gp_vars_str(struct gp_vars *g, const char *name, const char *value)
{
	gp_vars_add(g, "%s='", name);
	for (const char *s = value; *s; s++)
		gp_vars_add(g, *s == '\'' ? "''" : "%c", *s);
	gp_vars_add(g, "'; ");
}

int gp_path(const char *path, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s%s", path[0] == '/' ? "" : "./", path);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

const char *gp_scripts_dir(void)
{
	const char *env = getenv("LBSIM_PLOTS_DIR");
	return env && *env ? env : LBSIM_PLOTS_DIR;
}

/* gnuplot's messages go to a temporary file: warnings of a successful
 * plot (an all-zero panel) are noise to the user, while the last line of
 * a failure's messages goes into why. */
int gp_run(const char *expr, const char *script, int *missing, char *why, size_t len)
{
	char *argv[] = {"gnuplot", "-e", (char *)expr, (char *)script, NULL};
	FILE *msgs = tmpfile();
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	if (msgs)
		posix_spawn_file_actions_adddup2(&fa, fileno(msgs), STDERR_FILENO);
	pid_t pid;
	int rc = posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	why[0] = '\0';
	*missing = 0;
	if (rc != 0) {
		*missing = rc == ENOENT;
		if (msgs)
			fclose(msgs);
		return -1;
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			break;
	int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	if (!ok && msgs) {
		rewind(msgs);
		char line[512];
		while (fgets(line, sizeof line, msgs))
			if (strspn(line, " \t\n^") != strlen(line)) {
				line[strcspn(line, "\n")] = '\0';
				snprintf(why, len, ": %s", line);
			}
	}
	if (msgs)
		fclose(msgs);
	return ok ? 0 : -1;
}

/* ---- gnuplot's copies of the data ----------------------------------------- */

int gp_data_begin(struct gp_data *d, const char *dir, const char *shown, char *err, size_t errlen)
{
	d->shown = shown;
	int n = snprintf(d->path, sizeof d->path, "%s/.lbsim-gp-XXXXXX", dir);
	if (n < 0 || (size_t)n >= sizeof d->path) {
		snprintf(err, errlen, "%s: path too long", dir);
		d->path[0] = '\0';
		return -1;
	}
	if (!mkdtemp(d->path)) {
		snprintf(err, errlen, "%s: cannot create a folder: %s", dir, strerror(errno));
		d->path[0] = '\0';
		return -1;
	}
	return 0;
}

void gp_data_end(struct gp_data *d)
{
	if (!d->path[0])
		return;
	DIR *dp = opendir(d->path);
	struct dirent *e;
	while (dp && (e = readdir(dp)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(dirfd(dp), e->d_name, 0);
	if (dp)
		closedir(dp);
	rmdir(d->path);
	d->path[0] = '\0';
}

struct name_ref {
	const char *name;
	size_t number;           /* from 1 */
};

static int by_name(const void *a, const void *b)
{
	const struct name_ref *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : (x->number > y->number) - (x->number < y->number);
}

/* One name column, sorted for bsearch: O(log n) a field. */
struct name_index {
	unsigned col;
	struct name_ref *refs;
	size_t n;
};

struct table_copy {
	FILE *out;
	struct name_index *idx;
	size_t nidx;
	unsigned field;
};

static size_t number_of(const struct name_index *ix, const char *name)
{
	size_t lo = 0, hi = ix->n;
	while (lo < hi) { /* the first ref not below name */
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(ix->refs[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ix->n && strcmp(ix->refs[lo].name, name) == 0 ? ix->refs[lo].number : 0;
}

static void copy_field(void *data, size_t len, void *ctx)
{
	struct table_copy *t = ctx;
	const char *s = data ? data : "";
	if (t->field++ > 0)
		fputc(',', t->out);
	for (size_t i = 0; i < t->nidx; i++)
		if (t->idx[i].col == t->field - 1) {
			fprintf(t->out, "%zu", number_of(&t->idx[i], s));
			return;
		}
	/* Plain text: nothing gnuplot would split at or read as quoting. */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		fputc(c < 0x20 || c == 0x7f || strchr(",\"'\\`", c) ? '_' : c, t->out);
	}
}

static void copy_row(int c, void *ctx)
{
	(void)c;
	struct table_copy *t = ctx;
	fputc('\n', t->out);
	t->field = 0;
}

int gp_table(const struct gp_data *d, const char *src, const char *name, size_t max_bytes,
	     const struct gp_names *cols, size_t ncols, char *err, size_t errlen)
{
	char path[4400];
	struct table_copy t = {0};
	int rc = -1;
	snprintf(path, sizeof path, "%s/%s", d->path, name);
	t.idx = calloc(ncols ? ncols : 1, sizeof *t.idx);
	if (!t.idx) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < ncols; i++, t.nidx++) {
		t.idx[i].col = cols[i].col;
		t.idx[i].n = cols[i].n;
		t.idx[i].refs = calloc(cols[i].n ? cols[i].n : 1, sizeof *t.idx[i].refs);
		if (!t.idx[i].refs) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
		for (size_t k = 0; k < cols[i].n; k++)
			t.idx[i].refs[k] = (struct name_ref){cols[i].names[k], k + 1};
		qsort(t.idx[i].refs, cols[i].n, sizeof *t.idx[i].refs, by_name);
	}
	/* The private folder is ours alone; O_EXCL all the same. */
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	t.out = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!t.out) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	struct csv_in in = {.path = src, .max_bytes = max_bytes, .on_field = copy_field,
			    .on_row = copy_row, .ctx = &t};
	if (csv_in_read(&in, err, errlen) == CSV_IN_OK) {
		if (ferror(t.out) | fclose(t.out))
			snprintf(err, errlen, "%s: write failed (device full?)", path);
		else
			rc = 0;
	} else {
		fclose(t.out);
	}
out:
	for (size_t i = 0; i < t.nidx; i++)
		free(t.idx[i].refs);
	free(t.idx);
	return rc;
}

/* gnuplot can exit 0 after a write failed (a full device): a picture
 * counts only when it reached the disk whole, a PNG ending in its IEND
 * chunk, an SVG in its closing tag. */
static int picture_complete(const char *path, int png)
{
	static const unsigned char iend[] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	struct stat st;
	unsigned char tail[64];
	int ok = fsync(fd) == 0 && fstat(fd, &st) == 0 && st.st_size >= (off_t)sizeof tail;
	ok = ok && pread(fd, tail, sizeof tail, st.st_size - (off_t)sizeof tail) == (ssize_t)sizeof tail;
	close(fd);
	if (!ok)
		return 0;
	if (png)
		return memcmp(tail + sizeof tail - sizeof iend, iend, sizeof iend) == 0;
	for (size_t i = 0; i + 6 <= sizeof tail; i++)
		if (memcmp(tail + i, "</svg>", 6) == 0)
			return 1;
	return 0;
}

int gp_draw(const char *dir, const struct gp_data *data, const char *script, const char *name,
	    const struct gp_vars *vars, FILE *log, char *err, size_t errlen)
{
	static const char *const formats[][2] = {{"png", "pngcairo"}, {"svg", "svg"}};
	struct gp_vars *g = malloc(sizeof *g);
	if (!g) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* The SVG's <title>: gnuplot takes an identifier, so the picture's
	 * name is used only when it is one (lbsim's names are). */
	char svg_name[128] = "lbsim";
	if (strlen(name) < sizeof svg_name - 6 && strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(name))
		snprintf(svg_name, sizeof svg_name, "lbsim_%s", name);
	int rc = 0;
	for (size_t k = 0; k < sizeof formats / sizeof formats[0] && rc == 0; k++) {
		char path[4096], lib[4096], gdata[4300], final[4096], tmp[4200], why[600];
		snprintf(final, sizeof final, "%s/%s.%s", dir, name, formats[k][0]);
		int n = snprintf(tmp, sizeof tmp, "%s/.%s.%s.XXXXXX", dir, name, formats[k][0]);
		char rel[4096];
		snprintf(rel, sizeof rel, "%s/%s.gp", gp_scripts_dir(), script);
		if (n < 0 || (size_t)n >= sizeof tmp || gp_path(rel, path, sizeof path) != 0 ||
		    gp_path(gp_scripts_dir(), lib, sizeof lib) != 0 || gp_path(data->path, gdata, sizeof gdata) != 0) {
			snprintf(err, errlen, "%s: path too long", dir);
			rc = -1;
			break;
		}
		/* A fresh file of our own: nothing planted at a guessable name
		 * is followed. gnuplot then writes into it. */
		int fd = mkstemp(tmp);
		if (fd < 0) {
			snprintf(err, errlen, "%s: cannot create a file: %s", dir, strerror(errno));
			rc = -1;
			break;
		}
		fchmod(fd, 0644);
		close(fd);
		char gtmp[4300];
		gp_path(tmp, gtmp, sizeof gtmp);
		g->used = 0;
		gp_vars_str(g, "data", gdata);
		gp_vars_str(g, "out", gtmp);
		gp_vars_str(g, "lib", lib);
		gp_vars_str(g, "term", formats[k][1]);
		gp_vars_str(g, "svgname", svg_name);
		gp_vars_add(g, "%s", vars->used < sizeof vars->text ? vars->text : "");
		if (g->used >= sizeof g->text || vars->used >= sizeof vars->text) {
			snprintf(err, errlen, "%s: too much to describe to gnuplot", name);
			unlink(tmp);
			rc = -1;
			break;
		}
		int missing = 0;
		if (gp_run(g->text, path, &missing, why, sizeof why) != 0) {
			unlink(tmp);
			if (missing) {
				snprintf(err, errlen, "gnuplot is not installed, so no plots were drawn "
					 "(install it with scripts/setup or apt-get install gnuplot-nox); "
					 "the CSV results in %s are complete", dir);
				rc = 1;
			} else {
				snprintf(err, errlen, "gnuplot failed on %s%s", path, why);
				rc = -1;
			}
			break;
		}
		if (!picture_complete(tmp, k == 0)) {
			snprintf(err, errlen, "%s: gnuplot could not write it whole (device full?)",
				 final);
			unlink(tmp);
			rc = -1;
			break;
		}
		if (rename(tmp, final) != 0) {
			snprintf(err, errlen, "%s: %s", final, strerror(errno));
			unlink(tmp);
			rc = -1;
			break;
		}
		if (log)
			fprintf(log, "plot: %s/%s.%s\n", data->shown, name, formats[k][0]);
	}
	free(g);
	return rc;
}
