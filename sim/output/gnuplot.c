/* Running gnuplot safely; see include/lbsim/gnuplot.h. */
#include "lbsim/gnuplot.h"

#include <errno.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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

int gp_draw(const char *dir, const char *script, const char *name, const struct gp_vars *vars,
	    FILE *log, char *err, size_t errlen)
{
	static const char *const formats[][2] = {{"png", "pngcairo"}, {"svg", "svg"}};
	struct gp_vars *g = malloc(sizeof *g);
	if (!g) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int rc = 0;
	for (size_t k = 0; k < sizeof formats / sizeof formats[0] && rc == 0; k++) {
		char path[4096], lib[4096], gdir[4096], final[4096], tmp[4200], why[600];
		snprintf(final, sizeof final, "%s/%s.%s", dir, name, formats[k][0]);
		int n = snprintf(tmp, sizeof tmp, "%s/.%s.%s.XXXXXX", dir, name, formats[k][0]);
		char rel[4096];
		snprintf(rel, sizeof rel, "%s/%s.gp", gp_scripts_dir(), script);
		if (n < 0 || (size_t)n >= sizeof tmp || gp_path(rel, path, sizeof path) != 0 ||
		    gp_path(gp_scripts_dir(), lib, sizeof lib) != 0 || gp_path(dir, gdir, sizeof gdir) != 0) {
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
		gp_vars_str(g, "dir", gdir);
		gp_vars_str(g, "out", gtmp);
		gp_vars_str(g, "lib", lib);
		gp_vars_str(g, "term", formats[k][1]);
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
		if (rename(tmp, final) != 0) {
			snprintf(err, errlen, "%s: %s", final, strerror(errno));
			unlink(tmp);
			rc = -1;
			break;
		}
		if (log)
			fprintf(log, "plot: %s\n", final);
	}
	free(g);
	return rc;
}
