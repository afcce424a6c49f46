/* The shipped cost profiles as text, generated into the build from
 * profiles/ (cmake/embed_profiles.cmake). */
#ifndef LBSIM_COST_PROFILE_BUILTIN_H
#define LBSIM_COST_PROFILE_BUILTIN_H

#include <stddef.h>

struct cost_profile_text {
	const char *name;   /* the file's base name */
	const char *data;
	size_t len;
};
extern const struct cost_profile_text cost_profile_texts[];
extern const size_t cost_profile_ntexts;

#endif
