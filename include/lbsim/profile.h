/* `lbsim run --profile`: where a simulation's time went, per event kind. */
#ifndef LBSIM_PROFILE_H
#define LBSIM_PROFILE_H

#include <stddef.h>
#include <stdio.h>

#include "lbsim/engine.h"

/* Print p (summed over runs) as a table, heaviest kind first, with the
 * engine's own share (time in sim_run outside the handlers). */
void profile_print(FILE *out, const struct sim_profile *p, size_t runs);

#endif
