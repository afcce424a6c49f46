/* What a scenario's model includes and what it leaves out, in words, for
 * the review report ("What this model includes and leaves out") and the
 * planner's scope line. Every note is written from the scenario's own
 * data (servers and their cores, the work of each workload, the designs'
 * cost figures and checks, faults), so the block grows as the scenario
 * grows fields: a model that gains a latency component or a cost profile
 * adds its note here and every document that prints the block says it.
 */
#ifndef LBSIM_MODEL_NOTES_H
#define LBSIM_MODEL_NOTES_H

#include <stddef.h>

#include "lbsim/scenario.h"

enum model_note_kind {
	MODEL_INCLUDES = 0,
	MODEL_LEAVES_OUT,
};

struct model_note {
	enum model_note_kind kind;
	char topic[48];              /* "Roles", "Response time", ... */
	char text[2048];             /* plain text; names as written (escape to render) */
};

#define MODEL_MAX_NOTES 24

/* Fill notes (room for MODEL_MAX_NOTES) for scn; returns how many. */
size_t model_notes(const struct scenario *scn, struct model_note *notes);

/* One sentence on what "servers" means in scn's model, for the
 * planner's scope line: the tier they form, their cores, the only
 * resource modelled (CPU) and what sits behind them unmodelled. */
void model_servers_scope(const struct scenario *scn, char *buf, size_t len);

#endif
