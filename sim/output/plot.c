/* Plotting through gnuplot; see include/lbsim/plot.h.
 *
 * What the scripts need to know (design names, workloads, servers, fault
 * windows) comes from the results themselves, read with libcsv, so
 * `lbsim plot DIR` needs nothing but the results folder. Names reach
 * gnuplot as string variables (design1..N, workload1..M), quoted for
 * gnuplot, never spliced into a script, so any name plots safely.
 */
#include "lbsim/plot.h"
#include "lbsim/csv_in.h"

#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lbsim/scenario.h"
#include "lbsim/workload.h"

#ifndef LBSIM_PLOTS_DIR
#define LBSIM_PLOTS_DIR "plots"
#endif

extern char **environ;

#define MAX_FAULTS 64

/* What the plots are about, gathered from the CSV files. */
struct plot_facts {
	char designs[SCN_MAX_DESIGNS][SCN_NAME_MAX];
	unsigned ndesigns;
	int workload_seen[WL_COUNT];
	unsigned long nservers;
	double fault_begin[MAX_FAULTS], fault_end[MAX_FAULTS];
	unsigned nfaults;
	double last_time;
	int bad;
};

/* One CSV file being read: the current row's fields. */
struct row_reader {
	struct plot_facts *facts;
	void (*on_row)(struct plot_facts *f, char fields[][SCN_NAME_MAX], unsigned n);
	char fields[8][SCN_NAME_MAX];
	unsigned nfields;
	unsigned long row;
};

static void on_field(void *data, size_t len, void *ctx)
{
	struct row_reader *rr = ctx;
	if (rr->nfields < 8) {
		if (len >= SCN_NAME_MAX)
			len = SCN_NAME_MAX - 1;
		memcpy(rr->fields[rr->nfields], data, len);
		rr->fields[rr->nfields][len] = '\0';
	}
	rr->nfields++;
}

static void on_row_end(int c, void *ctx)
{
	(void)c;
	struct row_reader *rr = ctx;
	if (rr->row++ > 0) /* skip the header */
		rr->on_row(rr->facts, rr->fields, rr->nfields < 8 ? rr->nfields : 8);
	rr->nfields = 0;
}

static int read_csv(const char *dir, const char *name, struct row_reader *rr, char *err, size_t errlen)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int rc = csv_in_read(path, on_field, on_row_end, rr, err, errlen);
	if (rc == CSV_IN_NO_FILE) {
		size_t used = strlen(err);
		snprintf(err + used, errlen > used ? errlen - used : 0, " (run 'lbsim run' first)");
	}
	return rc == CSV_IN_OK ? 0 : -1;
}

static void add_design(struct plot_facts *f, const char *name)
{
	for (unsigned i = 0; i < f->ndesigns; i++)
		if (strcmp(f->designs[i], name) == 0)
			return;
	if (f->ndesigns == SCN_MAX_DESIGNS) {
		f->bad = 1;
		return;
	}
	snprintf(f->designs[f->ndesigns++], SCN_NAME_MAX, "%s", name);
}

/* summary.csv: design, metric, scope, ... */
static void summary_row(struct plot_facts *f, char fields[][SCN_NAME_MAX], unsigned n)
{
	if (n < 3)
		return;
	add_design(f, fields[0]);
	int w = workload_find(fields[2]);
	if (w >= 0)
		f->workload_seen[w] = 1;
}

/* servers.csv: design, server, ... */
static void servers_row(struct plot_facts *f, char fields[][SCN_NAME_MAX], unsigned n)
{
	if (n < 2)
		return;
	unsigned long s = strtoul(fields[1], NULL, 10);
	if (s > f->nservers)
		f->nservers = s;
}

/* events.csv: design, replication, time_s, event, server, workload, fault.
 * Fault times are the same in every run; take them from the first. */
static void events_row(struct plot_facts *f, char fields[][SCN_NAME_MAX], unsigned n)
{
	if (n < 7 || strcmp(fields[1], "1") != 0 || strcmp(fields[0], f->designs[0]) != 0)
		return;
	unsigned long k = strtoul(fields[6], NULL, 10);
	if (k == 0 || k > MAX_FAULTS)
		return;
	double t = strtod(fields[2], NULL);
	if (strcmp(fields[3], "fault_begin") == 0) {
		f->fault_begin[k - 1] = t;
		if (k > f->nfaults)
			f->nfaults = (unsigned)k;
	} else if (strcmp(fields[3], "fault_end") == 0) {
		f->fault_end[k - 1] = t;
	}
}

/* timeseries.csv: design, replication, time_s, ... */
static void timeseries_row(struct plot_facts *f, char fields[][SCN_NAME_MAX], unsigned n)
{
	if (n < 3)
		return;
	double t = strtod(fields[2], NULL);
	if (t > f->last_time)
		f->last_time = t;
}

static int gather(const char *dir, struct plot_facts *f, char *err, size_t errlen)
{
	memset(f, 0, sizeof *f);
	for (unsigned i = 0; i < MAX_FAULTS; i++)
		f->fault_end[i] = NAN;
	struct {
		const char *file;
		void (*fn)(struct plot_facts *, char[][SCN_NAME_MAX], unsigned);
	} files[] = {
		{"summary.csv", summary_row},
		{"servers.csv", servers_row},
		{"events.csv", events_row},
		{"timeseries.csv", timeseries_row},
	};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		struct row_reader rr = {.facts = f, .on_row = files[i].fn};
		if (read_csv(dir, files[i].file, &rr, err, errlen) != 0)
			return -1;
	}
	if (f->bad || f->ndesigns == 0 || f->nservers == 0) {
		snprintf(err, errlen, "%s: no results to plot", dir);
		return -1;
	}
	/* A fault that never recovered is shaded to the end of the run. */
	for (unsigned k = 0; k < f->nfaults; k++)
		if (isnan(f->fault_end[k]))
			f->fault_end[k] = f->last_time;
	return 0;
}

const char *plot_scripts_dir(void)
{
	const char *env = getenv("LBSIM_PLOTS_DIR");
	return env && *env ? env : LBSIM_PLOTS_DIR;
}

/* Build gnuplot's -e text: appends with bounds checks; *used past len
 * marks an overflow. */
struct expr {
	char text[16384];
	size_t used;
};

static void expr_add(struct expr *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void expr_add(struct expr *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (e->used < sizeof e->text) {
		int n = vsnprintf(e->text + e->used, sizeof e->text - e->used, fmt, ap);
		e->used += n < 0 ? sizeof e->text : (size_t)n;
	}
	va_end(ap);
}

/* A gnuplot single-quoted string: ' is written as ''. */
static void expr_quoted(struct expr *e, const char *s)
{
	expr_add(e, "'");
	for (; *s; s++)
		expr_add(e, *s == '\'' ? "''" : "%c", *s);
	expr_add(e, "'");
}

/* Run gnuplot on script. Its messages go to a temporary file: warnings of
 * a successful plot (an all-zero panel) are noise to the user, while the
 * first line of a failure's messages goes into why. */
int plot_run_gnuplot(const char *expr, const char *script, int *missing, char *why, size_t len)
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
	if (rc != 0) {
		*missing = rc == ENOENT;
		if (msgs)
			fclose(msgs);
		return -1;
	}
	int status;
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

static const char *const plot_scripts[] = {"share", "conns", "busy", "load", "cost",
					    "availability", "latency"};
static const char *const plot_formats[][2] = {{"png", "pngcairo"}, {"svg", "svg"}};

static void describe(struct expr *e, const struct plot_facts *f, const char *dir, const char *tmp,
		     const char *term)
{
	expr_add(e, "dir=");
	expr_quoted(e, dir);
	expr_add(e, "; out=");
	expr_quoted(e, tmp);
	expr_add(e, "; lib=");
	expr_quoted(e, plot_scripts_dir());
	expr_add(e, "; term='%s'; nservers=%lu; ndesigns=%u", term, f->nservers, f->ndesigns);
	for (unsigned d = 0; d < f->ndesigns; d++) {
		expr_add(e, "; design%u=", d + 1);
		expr_quoted(e, f->designs[d]);
	}
	unsigned nw = 0;
	for (int w = 0; w < WL_COUNT; w++)
		if (f->workload_seen[w])
			expr_add(e, "; workload%u='%s'", ++nw, workload_name((enum workload)w));
	expr_add(e, "; nworkloads=%u; nfaults=%u", nw, f->nfaults);
	for (unsigned k = 0; k < f->nfaults; k++)
		expr_add(e, "; fault_begin%u=%.17g; fault_end%u=%.17g", k + 1, f->fault_begin[k], k + 1,
			 f->fault_end[k]);
}

int plot_results(const char *dir, FILE *log, char *err, size_t errlen)
{
	struct plot_facts *f = malloc(sizeof *f);
	struct expr *e = malloc(sizeof *e);
	int rc = -1;
	if (!f || !e) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (gather(dir, f, err, errlen) != 0)
		goto out;
	for (size_t i = 0; i < sizeof plot_scripts / sizeof plot_scripts[0]; i++) {
		for (size_t k = 0; k < 2; k++) {
			char script[4096], final[4096], tmp[4200];
			snprintf(script, sizeof script, "%s/%s.gp", plot_scripts_dir(), plot_scripts[i]);
			snprintf(final, sizeof final, "%s/%s.%s", dir, plot_scripts[i], plot_formats[k][0]);
			snprintf(tmp, sizeof tmp, "%s/.%s.tmp%ld.%s", dir, plot_scripts[i], (long)getpid(),
				 plot_formats[k][0]);
			e->used = 0;
			describe(e, f, dir, tmp, plot_formats[k][1]);
			if (e->used >= sizeof e->text) {
				snprintf(err, errlen, "%s: too much to describe to gnuplot", dir);
				goto out;
			}
			int missing = 0;
			char why[600];
			if (plot_run_gnuplot(e->text, script, &missing, why, sizeof why) != 0) {
				unlink(tmp);
				if (missing) {
					snprintf(err, errlen,
						 "gnuplot is not installed, so no plots were drawn "
						 "(install it with scripts/setup or apt-get install "
						 "gnuplot-nox); the CSV results in %s are complete",
						 dir);
					rc = 1;
				} else {
					snprintf(err, errlen, "gnuplot failed on %s%s", script, why);
				}
				goto out;
			}
			if (rename(tmp, final) != 0) {
				snprintf(err, errlen, "%s: %s", final, strerror(errno));
				unlink(tmp);
				goto out;
			}
			if (log)
				fprintf(log, "plot: %s\n", final);
		}
	}
	rc = 0;
out:
	free(f);
	free(e);
	return rc;
}
