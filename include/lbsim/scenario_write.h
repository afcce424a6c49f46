/* Writing pieces of a scenario back as YAML the loader reads: durations
 * in their largest exact unit, and whole designs. For the commands that
 * write scenarios (lbsim fit, lbsim import-haproxy); a written design loads
 * back into the same struct scn_design (tests/test_haproxy.c checks it).
 * Only what differs from the loader's defaults is written. */
#ifndef LBSIM_SCENARIO_WRITE_H
#define LBSIM_SCENARIO_WRITE_H

#include <stddef.h>
#include <stdio.h>

#include "lbsim/scenario.h"

/* ns as "2h", "90s", "1500ms", ... (the largest unit that writes it
 * exactly) into buf; returns buf. */
const char *scn_format_duration(sim_time_t ns, char *buf, size_t len);

/* A number as the loader reads it back to the same double. */
const char *scn_format_number(double v, char *buf, size_t len);

/* One design as an item of a `designs:` sequence, each line prefixed by
 * indent. */
void scn_write_design(FILE *fp, const struct scn_design *d, const char *indent);

/* A name as a YAML double-quoted scalar (escapes as YAML needs them). */
void scn_write_string(FILE *fp, const char *s);

#endif
