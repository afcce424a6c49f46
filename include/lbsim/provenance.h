/* provenance.csv: where a results folder came from, so that a report (or
 * a reader a year later) can say which lbsim, which command, which
 * scenario, seed, replications and duration, and which targets or swept
 * values made it. Two columns, key and value, one row per fact, in a
 * fixed order; keys may repeat (one `set` row per swept key). No clock
 * time: the same command gives the same bytes.
 */
#ifndef LBSIM_PROVENANCE_H
#define LBSIM_PROVENANCE_H

#include <stddef.h>

#include "lbsim/scenario.h"

#define PROVENANCE_MAX_ROWS 64

struct provenance_row {
	char key[32];
	char value[2048];
};

struct provenance {
	struct provenance_row rows[PROVENANCE_MAX_ROWS];
	size_t n;
};

/* The facts every folder has: lbsim's version, the command line (shell-
 * quoted), the command, the scenario file and name, and the scenario as
 * simulated (after --seed, --replications, --duration, --scale): seed,
 * replications, duration_s, warmup_s, users, designs. */
void provenance_init(struct provenance *p, const char *command, int argc, char *const *argv,
		     const char *scenario_path, const struct scenario *scn);

/* One more fact (dropped when the table is full). */
void provenance_add(struct provenance *p, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Write dir/provenance.csv whole or not at all. Returns 0, or -1 (err). */
int provenance_write(const struct provenance *p, const char *dir, char *err, size_t errlen);

/* Read dir/provenance.csv back. Returns 0, or -1 with a message (no file
 * is an error too: older folders have none). */
int provenance_read(struct provenance *p, const char *dir, char *err, size_t errlen);

/* The value of the first row with key, or NULL. */
const char *provenance_get(const struct provenance *p, const char *key);

#endif
