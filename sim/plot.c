/* Plotting through gnuplot; see include/lbsim/plot.h.
 *
 * The design names and the number of servers come from servers.csv, read
 * with libcsv, so `lbsim plot DIR` needs nothing but the results folder.
 * Names reach gnuplot as design1..designN string variables (quoted for
 * gnuplot), never spliced into the script, so any name plots safely.
 */
#include "lbsim/plot.h"

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csv.h>

#include "lbsim/scenario.h"

#ifndef LBSIM_PLOTS_DIR
#define LBSIM_PLOTS_DIR "plots"
#endif

extern char **environ;

#define MAX_DESIGNS SCN_MAX_DESIGNS

struct servers_csv {
	char designs[MAX_DESIGNS][SCN_NAME_MAX];
	unsigned ndesigns;
	unsigned long nservers;
	unsigned long row, col;
	int bad;
};

static void on_field(void *data, size_t len, void *ctx)
{
	struct servers_csv *s = ctx;
	if (s->row > 0 && s->col == 0) {
		char name[SCN_NAME_MAX];
		if (len >= sizeof name) {
			s->bad = 1;
			len = sizeof name - 1;
		}
		memcpy(name, data, len);
		name[len] = '\0';
		unsigned i;
		for (i = 0; i < s->ndesigns; i++)
			if (strcmp(s->designs[i], name) == 0)
				break;
		if (i == s->ndesigns) {
			if (s->ndesigns == MAX_DESIGNS)
				s->bad = 1;
			else
				memcpy(s->designs[s->ndesigns++], name, len + 1);
		}
	} else if (s->row > 0 && s->col == 1) {
		char num[32];
		if (len >= sizeof num)
			len = sizeof num - 1;
		memcpy(num, data, len);
		num[len] = '\0';
		unsigned long v = strtoul(num, NULL, 10);
		if (v > s->nservers)
			s->nservers = v;
	}
	s->col++;
}

static void on_row(int c, void *ctx)
{
	(void)c;
	struct servers_csv *s = ctx;
	s->row++;
	s->col = 0;
}

static int read_servers_csv(const char *dir, struct servers_csv *s, char *err, size_t errlen)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/servers.csv", dir);
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		snprintf(err, errlen, "%s: %s (run 'lbsim run' first)", path, strerror(errno));
		return -1;
	}
	struct csv_parser p;
	csv_init(&p, CSV_APPEND_NULL);
	memset(s, 0, sizeof *s);
	char buf[8192];
	size_t n;
	int rc = 0;
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
		if (csv_parse(&p, buf, n, on_field, on_row, s) != n) {
			snprintf(err, errlen, "%s: not valid CSV: %s", path,
				 csv_strerror(csv_error(&p)));
			rc = -1;
			break;
		}
	if (rc == 0)
		csv_fini(&p, on_field, on_row, s);
	csv_free(&p);
	fclose(fp);
	if (rc == 0 && (s->bad || s->ndesigns == 0 || s->nservers == 0)) {
		snprintf(err, errlen, "%s: no results to plot", path);
		rc = -1;
	}
	return rc;
}

const char *plot_scripts_dir(void)
{
	const char *env = getenv("LBSIM_PLOTS_DIR");
	return env && *env ? env : LBSIM_PLOTS_DIR;
}

/* Append a gnuplot single-quoted string: ' is written as ''. */
static size_t append_quoted(char *buf, size_t len, size_t used, const char *s)
{
	if (used < len)
		buf[used++] = '\'';
	for (; *s && used + 2 < len; s++) {
		if (*s == '\'')
			buf[used++] = '\'';
		buf[used++] = *s;
	}
	if (used < len)
		buf[used++] = '\'';
	if (used < len)
		buf[used] = '\0';
	return used;
}

static int run_gnuplot(const char *expr, const char *script, int *missing)
{
	char *argv[] = {"gnuplot", "-e", (char *)expr, (char *)script, NULL};
	pid_t pid;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	int rc = posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		*missing = rc == ENOENT;
		return -1;
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static const char *const plot_scripts[] = {"share", "busy"};
static const char *const plot_formats[][2] = {{"png", "pngcairo"}, {"svg", "svg"}};

int plot_results(const char *dir, FILE *log, char *err, size_t errlen)
{
	struct servers_csv s;
	if (read_servers_csv(dir, &s, err, errlen) != 0)
		return -1;
	for (size_t i = 0; i < sizeof plot_scripts / sizeof plot_scripts[0]; i++) {
		for (size_t f = 0; f < 2; f++) {
			char script[4096], out[4096], tmp[4200], expr[8192];
			snprintf(script, sizeof script, "%s/%s.gp", plot_scripts_dir(), plot_scripts[i]);
			snprintf(out, sizeof out, "%s/%s.%s", dir, plot_scripts[i], plot_formats[f][0]);
			snprintf(tmp, sizeof tmp, "%s/.%s.tmp%ld.%s", dir, plot_scripts[i],
				 (long)getpid(), plot_formats[f][0]);
			size_t used = (size_t)snprintf(expr, sizeof expr, "dir=");
			used = append_quoted(expr, sizeof expr, used, dir);
			used += (size_t)snprintf(expr + used, sizeof expr - used, "; out=");
			used = append_quoted(expr, sizeof expr, used, tmp);
			used += (size_t)snprintf(expr + used, sizeof expr - used,
						 "; term='%s'; nservers=%lu; ndesigns=%u",
						 plot_formats[f][1], s.nservers, s.ndesigns);
			for (unsigned d = 0; d < s.ndesigns && used < sizeof expr; d++) {
				used += (size_t)snprintf(expr + used, sizeof expr - used,
							 "; design%u=", d + 1);
				used = append_quoted(expr, sizeof expr, used, s.designs[d]);
			}
			if (used >= sizeof expr) {
				snprintf(err, errlen, "%s: too many designs to plot", dir);
				return -1;
			}
			int missing = 0;
			if (run_gnuplot(expr, script, &missing) != 0) {
				unlink(tmp);
				if (missing) {
					snprintf(err, errlen,
						 "gnuplot is not installed, so no plots were drawn "
						 "(install it with scripts/setup or apt-get install "
						 "gnuplot-nox); the CSV results in %s are complete",
						 dir);
					return 1;
				}
				snprintf(err, errlen, "gnuplot failed on %s", script);
				return -1;
			}
			if (rename(tmp, out) != 0) {
				snprintf(err, errlen, "%s: %s", out, strerror(errno));
				unlink(tmp);
				return -1;
			}
			if (log)
				fprintf(log, "plot: %s\n", out);
		}
	}
	return 0;
}
