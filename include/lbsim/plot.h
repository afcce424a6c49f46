/* Plots: run gnuplot on the scripts in plots/ over a results folder,
 * writing PNG and SVG beside the CSV. gnuplot is run as a program; when it
 * is missing, plotting says so and the CSV stays as it is. */
#ifndef LBSIM_PLOT_H
#define LBSIM_PLOT_H

#include <stddef.h>
#include <stdio.h>

/* Plot the results in dir (a result set's work folder: see
 * include/lbsim/result_set.h). Each picture is written under a temporary
 * name and renamed when gnuplot succeeded. log (may be NULL) gets one line
 * per file written, named in folder shown (the results folder the user
 * gave). Returns 0; 1 when gnuplot is missing (message in err);
 * -1 on another failure (message in err). */
int plot_results(const char *dir, const char *shown, FILE *log, char *err, size_t errlen);

/* The i-th picture plot_results draws (name.png and name.svg), NULL past
 * the last. */
const char *plot_name(size_t i);

#endif
