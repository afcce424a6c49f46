/* The parts of `lbsim report` (sim/output/report*.c): what every kind of
 * results folder shares, and each kind's own writer. Private to
 * sim/output. */
#ifndef LBSIM_REPORT_PARTS_H
#define LBSIM_REPORT_PARTS_H

#include <stddef.h>
#include <stdio.h>

#include "lbsim/doc.h"
#include "lbsim/scenario.h"

/* 1 when dir/file is a regular file. */
int report_exists(const char *dir, const char *file);

/* The scenario in words: servers, populations, designs, faults. */
void report_scenario(struct doc *d, const struct scenario *scn);
/* "What this model includes and leaves out" (model_notes.h). */
void report_model(struct doc *d, const struct scenario *scn);
/* Skew that depends on the address draw: which designs read the
 * client's address, and their peak/mean and Jain index replication by
 * replication (runs.csv); nothing when no design reads it. */
void report_address_draw(struct doc *d, const char *dir, const struct scenario *scn);
/* The same for a sweep, in words (sweep.csv keeps means only), and for a
 * plan: the busiest server's mean beside its worst replication, from
 * plan.csv t; every_replication: the plan judged the worst. */
struct csv_table;
void report_sweep_draw(struct doc *d, const struct scenario *scn);
void report_plan_draw(struct doc *d, const struct csv_table *t, const struct scenario *scn,
		      int every_replication);
/* provenance.csv as a table (or a word that there is none). */
void report_provenance(struct doc *d, const char *dir);

/* Each kind's document, into d. Return 0, or -1 with a message (a
 * result file missing or unreadable). A run's report draws its plots
 * first when they are missing (log gets a line per picture, naming the
 * folder shown). */
int report_run(struct doc *d, const char *dir, const char *shown, const struct scenario *scn,
	       FILE *log, char *err, size_t errlen);
int report_sweep(struct doc *d, const char *dir, const struct scenario *scn, char *err,
		 size_t errlen);
int report_plan(struct doc *d, const char *dir, const struct scenario *scn, char *err,
		size_t errlen);

#endif
