/* Atomic CSV output; see include/lbsim/csv_out.h. */
#include "lbsim/csv_out.h"
#include "lbsim/escape.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csv.h>

int csv_out_open(struct csv_out *c, const char *dir, const char *name, char *err, size_t errlen)
{
	memset(c, 0, sizeof *c);
	int n1 = snprintf(c->final_path, sizeof c->final_path, "%s/%s", dir, name);
	int n2 = snprintf(c->tmp_path, sizeof c->tmp_path, "%s/.%s.tmpXXXXXX", dir, name);
	if (n1 < 0 || n2 < 0 || (size_t)n1 >= sizeof c->final_path ||
	    (size_t)n2 >= sizeof c->tmp_path) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	int fd = mkstemp(c->tmp_path);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create a file: %s", dir, strerror(errno));
		return -1;
	}
	/* mkstemp makes the file 0600; results are for sharing. */
	fchmod(fd, 0644);
	c->fp = fdopen(fd, "w");
	if (!c->fp) {
		snprintf(err, errlen, "%s: %s", c->tmp_path, strerror(errno));
		close(fd);
		unlink(c->tmp_path);
		return -1;
	}
	return 0;
}

static void sep(struct csv_out *c)
{
	if (c->fields_in_row++ > 0 && fputc(',', c->fp) == EOF)
		c->error = 1;
}

static int needs_quotes(const char *s)
{
	size_t n = strlen(s);
	if (n > 0 && (s[0] == ' ' || s[n - 1] == ' '))
		return 1;
	return strpbrk(s, ",\"\r\n") != NULL;
}

static void write_str(struct csv_out *c, const char *s)
{
	if (needs_quotes(s)) {
		if (csv_fwrite(c->fp, s, strlen(s)) != 0)
			c->error = 1;
	} else if (fputs(s, c->fp) == EOF && *s) {
		c->error = 1;
	}
}

/* Text that a spreadsheet would run as a formula gets a leading '
 * (include/lbsim/escape.h); csv_in takes it off again. */
void csv_out_str(struct csv_out *c, const char *s)
{
	sep(c);
	if (!escape_csv_guard(s)) {
		write_str(c, s);
		return;
	}
	size_t n = strlen(s);
	char *guarded = malloc(n + 2);
	if (!guarded) {
		c->error = 1;
		return;
	}
	guarded[0] = '\'';
	memcpy(guarded + 1, s, n + 1);
	write_str(c, guarded);
	free(guarded);
}

void csv_out_u64(struct csv_out *c, uint64_t v)
{
	sep(c);
	if (fprintf(c->fp, "%llu", (unsigned long long)v) < 0)
		c->error = 1;
}

void csv_out_num(struct csv_out *c, double v)
{
	sep(c);
	if (isnan(v) || isinf(v))
		return; /* empty field: R, pandas and gnuplot read it as missing */
	if (fprintf(c->fp, "%.10g", v) < 0)
		c->error = 1;
}

void csv_out_end_row(struct csv_out *c)
{
	if (fputc('\n', c->fp) == EOF)
		c->error = 1;
	c->fields_in_row = 0;
}

void csv_out_row(struct csv_out *c, size_t n, const char *const *fields)
{
	for (size_t i = 0; i < n; i++)
		csv_out_str(c, fields[i]);
	csv_out_end_row(c);
}

int csv_out_commit(struct csv_out *c, char *err, size_t errlen)
{
	int failed = c->error || ferror(c->fp) || fflush(c->fp) != 0;
	int saved = errno;
	if (!failed && fsync(fileno(c->fp)) != 0 && errno != EINVAL && errno != EROFS) {
		failed = 1;
		saved = errno;
	}
	if (fclose(c->fp) != 0 && !failed) {
		failed = 1;
		saved = errno;
	}
	c->fp = NULL;
	if (!failed && rename(c->tmp_path, c->final_path) != 0) {
		failed = 1;
		saved = errno;
	}
	if (failed) {
		snprintf(err, errlen, "%s: write failed: %s", c->final_path,
			 saved ? strerror(saved) : "I/O error");
		unlink(c->tmp_path);
		return -1;
	}
	return 0;
}

void csv_out_abort(struct csv_out *c)
{
	if (c->fp)
		fclose(c->fp);
	c->fp = NULL;
	unlink(c->tmp_path);
}

static int mkdir_p(const char *dir)
{
	char path[4096];
	size_t n = strlen(dir);
	if (n == 0 || n >= sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(path, dir, n + 1);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(path, 0755) != 0 && errno != EEXIST)
		return -1;
	struct stat st;
	if (stat(path, &st) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

int output_dir_prepare(const char *dir, char *err, size_t errlen)
{
	if (mkdir_p(dir) != 0) {
		snprintf(err, errlen, "%s: cannot create the output folder: %s", dir, strerror(errno));
		return -1;
	}
	struct csv_out probe;
	if (csv_out_open(&probe, dir, "probe", err, errlen) != 0)
		return -1;
	csv_out_abort(&probe);
	return 0;
}
