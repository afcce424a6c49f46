/* `lbsim report DIR`: a document for a design review, written beside the
 * results twice with the same content, report.md (Markdown) and
 * report.html (self-contained: include/lbsim/doc.h). For a run's folder:
 * the headline numbers with their intervals, the reference article's
 * pros-and-cons table measured, each workload's figures, the paired
 * differences, what the model includes and leaves out, the scenario in
 * words, the plots and the provenance; for a sweep's and a plan's folder,
 * their tables and plots (sim/output/report*.c). */
#ifndef LBSIM_REPORT_H
#define LBSIM_REPORT_H

#include <stddef.h>
#include <stdio.h>

/* Write the scenario's text (the file as run: with its --set values) into
 * the results folder (scenario.yaml), whole or not at all, so the folder
 * describes itself. Returns 0 or -1 (err). */
int report_save_scenario(const char *text, size_t len, const char *dir, char *err,
			 size_t errlen);

/* Write DIR/report.md and DIR/report.html from DIR's scenario.yaml,
 * provenance.csv and CSV files (summary.csv, sweep.csv or plan.csv, which
 * says the kind of folder), drawing a run's plots first when they are
 * missing. DIR is a result set's work folder (include/lbsim/result_set.h);
 * log lines name the folder shown instead. Returns 0 or -1 (err). */
int report_write(const char *dir, const char *shown, FILE *log, char *err, size_t errlen);

#endif
