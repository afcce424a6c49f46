/* Running gnuplot on lbsim's plot scripts, with nothing a name can inject.
 *
 * gnuplot is a language with a shell inside: a file name that starts with
 * '<' (plot, load) or '|' (set output) is run as a shell command, text in
 * double quotes has its `backquotes` run, and system() runs anything. So
 * no name from a scenario, a results folder or the command line is ever
 * written into script text. Scripts are fixed files (plots/); what they
 * need is handed over as gnuplot variables on -e, each value a gnuplot
 * single-quoted string (where only '' is special: no backquotes, no
 * escapes, no macros), and every path is made to start with '/' or "./"
 * (gp_path), so that gnuplot can never take it for a pipe.
 *
 * Data files go to gnuplot as copies made for it (gp_table): gnuplot
 * splits a CSV line at every comma, knows nothing of CSV quoting, and
 * reads backslashes and quotes in its own way, so a name such as `a,b` or
 * `say "hi"` could never be matched in lbsim's CSV. In the copy each name
 * column holds the name's number instead (1 .. n, the order of the
 * design1..N variables the script is given; 0 for a name not listed) and
 * any other text is made plain; scripts select rows by number.
 */
#ifndef LBSIM_GNUPLOT_H
#define LBSIM_GNUPLOT_H

#include <stddef.h>
#include <stdio.h>

/* Variables for a plot script, as gnuplot -e text. */
struct gp_vars {
	char text[32768];
	size_t used;                 /* past sizeof text: it overflowed */
};

void gp_vars_add(struct gp_vars *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* name='value; ' with value as a gnuplot single-quoted string (' doubled). */
void gp_vars_str(struct gp_vars *g, const char *name, const char *value);

/* path as gnuplot must see it: unchanged when absolute, else with "./"
 * before it, so that it never starts with '<' or '|'. Returns 0, or -1
 * when it does not fit. */
int gp_path(const char *path, char *buf, size_t len);

/* The folder holding the gnuplot scripts: $LBSIM_PLOTS_DIR, or the
 * plots/ folder of the source tree lbsim was built from. */
const char *gp_scripts_dir(void);

/* Run gnuplot -e expr script. Returns 0; -1 when it could not start (then
 * *missing says gnuplot is not installed) or failed (then why holds ": "
 * and the last line of its messages, which are otherwise kept quiet). */
int gp_run(const char *expr, const char *script, int *missing, char *why, size_t len);

/* A column of names to number in a gp_table copy (col from 0). */
struct gp_names {
	unsigned col;
	const char *const *names;
	size_t n;
};

/* A private folder for gnuplot's copies of the data (mkdtemp, 0700)
 * inside dir; gp_data_end removes it with everything in it. */
struct gp_data {
	char path[4200];
	const char *shown;       /* the folder to name in messages and the log */
};
int gp_data_begin(struct gp_data *d, const char *dir, const char *shown, char *err, size_t errlen);
void gp_data_end(struct gp_data *d);

/* Copy CSV file src (lbsim's own, read with csv_in) to d/name for gnuplot:
 * the columns in cols numbered, other text made plain. max_bytes as
 * csv_in (0: its default). Time linear in the file. Returns 0, or -1 with
 * a message. */
int gp_table(const struct gp_data *d, const char *src, const char *name, size_t max_bytes,
	     const struct gp_names *cols, size_t ncols, char *err, size_t errlen);

/* Run plots/<script>.gp with vars plus data (the folder of gp_table
 * copies), out (the picture), lib (the scripts' folder) and term, and
 * write dir/<name>.png and dir/<name>.svg, each into a fresh temporary
 * file (mkstemp) renamed into place when gnuplot succeeded and the
 * picture is complete. log (may be NULL) gets a line per file, named in
 * data->shown. Returns
 * 0; 1 when gnuplot is missing; -1 on another failure (message in err). */
int gp_draw(const char *dir, const struct gp_data *data, const char *script, const char *name,
	    const struct gp_vars *vars, FILE *log, char *err, size_t errlen);

#endif
