/* Cost profiles: price lists for the balancer cost model (lbsim/cost.h),
 * read from YAML files with a source for every figure, or built in
 * (profiles/NAME.yaml, compiled into the program). The file format is in
 * the README, "Cost profiles"; `lbsim calibrate` writes it.
 */
#ifndef LBSIM_COST_PROFILE_H
#define LBSIM_COST_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "lbsim/cost.h"
#include "lbsim/scenario.h"

#define COST_PROFILE_MAX_BYTES (1u << 20)

struct cost_profile {
	char name[64];
	char description[256];
	char kind[16];              /* published, measured, assumed, mixed */
	char source[512];           /* provenance.source */
	char where[512];            /* the file read, or "built in, profiles/NAME.yaml" */
	char host[128], cpu[128], date[40];
	uint32_t repeats;           /* measured: runs each figure is the median of */
	uint64_t given;             /* 1 << enum cost_figure for each figure the file gives */
	struct cost_params p;       /* the figures given; 0 for the others */
};

/* Read a profile from data (len bytes; name stands for the file in
 * messages). 0, or -1 with err set (err->file = name, the line and column
 * of the mistake). */
int cost_profile_parse(const char *name, const char *data, size_t len, struct cost_profile *out,
		       struct scn_error *err);

/* Read the profile file at path. 0, or -1 with err set (a file that cannot
 * be read: err->file is path, no position). */
int cost_profile_load(const char *path, struct cost_profile *out, struct scn_error *err);

/* The built-in profile called name: 0, or -1 when there is none. */
int cost_profile_builtin(const char *name, struct cost_profile *out);

/* The built-in profiles' names, for messages: "haproxy, ipvs". */
size_t cost_profile_builtin_count(void);
const char *cost_profile_builtin_name(size_t i);

/* The built-in profile a design gets when it names none: haproxy for a
 * proxy, ipvs for a kernel forwarder. */
const char *cost_profile_default_name(enum cost_impl impl);

#endif
