/* The settings of struct log_opts by name ("format", "on-error",
 * "client-from", "capture", "user-header"), as commands and scenarios
 * write them; one parser and one help text for all of them. */
#ifndef LBSIM_LOG_OPTS_H
#define LBSIM_LOG_OPTS_H

#include <stddef.h>

#include "lbsim/log_reader.h"

/* Set key to value. "capture" keeps pointers into value (split in place
 * at its commas), which must outlive o. Returns 0, or -1 with a message. */
int log_opts_set(struct log_opts *o, const char *key, char *value, char *err, size_t errlen);

/* What key accepts, in words. */
const char *log_opts_help(const char *key);

#endif
