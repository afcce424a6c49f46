/* `lbsim report DIR`: one Markdown document for a design review, written
 * beside the results: the scenario in words, the designs, the headline
 * numbers with their intervals, the plots, and the reference article's
 * pros-and-cons table filled with this run's measured numbers. */
#ifndef LBSIM_REPORT_H
#define LBSIM_REPORT_H

#include <stddef.h>
#include <stdio.h>

/* Write the scenario's text (the file as run: with its --set values) into
 * the results folder (scenario.yaml), whole or not at all, so the folder
 * describes itself. Returns 0 or -1 (err). */
int report_save_scenario(const char *text, size_t len, const char *dir, char *err,
			 size_t errlen);

/* Write DIR/report.md from DIR's scenario.yaml and CSV files, drawing the
 * plots first when they are missing. DIR is a result set's work folder
 * (include/lbsim/result_set.h); log lines name folder shown instead.
 * Returns 0 or -1 (err). */
int report_write(const char *dir, const char *shown, FILE *log, char *err, size_t errlen);

#endif
