/* Parameter overrides: `--set KEY=V1,V2,...` on a scenario file.
 *
 * A key is any path to a single value of the scenario, as the file
 * writes it: servers.count, clients.eas.hold,
 * populations.lan.users, designs.l7.check.fall, designs.l4.costs.tls-full,
 * faults.1.at. Entries of a list are named by their name (populations,
 * designs) or their number from 1 (faults, expect, profile points); "*"
 * stands for every entry. The older spellings still work: population.NAME
 * and design.NAME for populations.NAME and designs.NAME, and _ for - in a
 * key (lb_cores). Two keys are more than a path:
 *   users                    every population scaled to this total
 *                            (proportions kept, exact total);
 *   designs.NAME.persist     none, or a method (persist.method), and
 *   designs.NAME.check       a check kind (check.kind) as shorthands.
 * A value that chooses an algorithm, method or kind (balance,
 * persist.method, check.kind, hash-type) also removes the keys beside it
 * that the new choice does not take (hash-type from a design set to
 * roundrobin), as a person editing the file would.
 *
 * A value is applied by editing the file's text (sim/scenario/
 * scenario_edit.c) and loading the result like any file, so a `--set` run
 * gives exactly the bytes of a run of the edited file, and a value is
 * refused with the loader's own words and limits (there is one rule, and
 * the balancer core's parameters take theirs from the core's tables,
 * lb_param.h). params_parse() reads the key against the schema and the
 * file (an unknown key suggests the closest, or lists the valid ones) and
 * tries every value before anything runs; params_point() builds a
 * scenario with one value of each key.
 */
#ifndef LBSIM_PARAMS_H
#define LBSIM_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "lbsim/scenario.h"

#define PARAMS_MAX_VALUES 64      /* values of one key */
#define PARAMS_MAX_AXES 8         /* --set options of one command */
#define PARAMS_KEY_MAX 160

/* One value of a key. */
struct param_value {
	char given[72];    /* as given on the command line */
	char text[72];     /* as sweep.csv shows it: a number (durations in seconds) or a name */
	double num;        /* the number shown; NaN for a name */
};

struct param_path;

/* One --set option: a key and its values. */
struct param_axis {
	char key[PARAMS_KEY_MAX];      /* as given, e.g. "population.lan.users" */
	uint32_t nvalues;
	struct param_value values[PARAMS_MAX_VALUES];
	/* Private to params.c: */
	int users;                     /* the `users` key */
	struct param_path *paths;      /* the places the key names (several with "*") */
	uint32_t npaths;
	uint8_t *fits;                 /* [value * npaths + path]: the value applies there */
	uint64_t *shares;              /* users: [value * npaths + population] */
};

/* The command's own options, applied on top of the (edited) file as on a
 * file: --seed, --replications, --duration (faults past the end then
 * never happen), --scale. */
struct params_common {
	int seed_set;
	uint64_t seed;
	uint32_t replications;         /* 0: as the file says */
	sim_time_t duration;           /* 0: as the file says */
	double scale;                  /* 0: as the file says; else users x scale */
};

void params_apply_common(const struct params_common *o, struct scenario *scn);

/* Parse "KEY=V1,V2,..." against scn (loaded from a file: its text is
 * scn->source) and try every value on it, with the first value of each
 * axis of before[0..nbefore) (the --set options before this one) applied.
 * Returns 0, or -1 with a message in err. Free with params_axis_free. */
int params_parse(struct param_axis *ax, const struct scenario *scn,
		 const struct param_axis *before, uint32_t nbefore, const char *arg, char *err,
		 size_t errlen);
void params_axis_free(struct param_axis *ax);

/* 1 when axis ax sets the value at path name (as the file writes it:
 * "seed", "designs.l7.check.fall"); name "users" also matches any
 * population's users. */
int params_sets(const struct param_axis *ax, const char *name);

/* 1, with a message, when axes a and b set the same value (the same key
 * twice, NAME and *, users and populations.NAME.users, a shorthand and
 * the key it stands for): the later would override the earlier while the
 * rows are labelled with both. params_parse refuses such an axis. */
int params_conflict(const struct param_axis *a, const struct param_axis *b, char *err,
		    size_t errlen);

/* The text of base's file with value choice[a] of every axis a, into
 * *text (malloc'd, NUL-terminated; free it). Returns 0, or -1 with a
 * message. */
int params_point_text(const struct scenario *base, const struct param_axis *axes,
		      uint32_t naxes, const uint32_t *choice, char **text, size_t *len, char *err,
		      size_t errlen);

/* That text loaded (named as base's file), with the common options (may be
 * NULL) applied: *out to free with scn_free. Returns 0, or -1 with the
 * loader's message (placed in the file as written, or at the --set that
 * caused it). */
int params_point(const struct scenario *base, const struct param_axis *axes, uint32_t naxes,
		 const uint32_t *choice, const struct params_common *common,
		 struct scenario **out, char *err, size_t errlen);

/* What a change made outside the loader (a plan's server count) may have
 * broken elsewhere in scn. Returns 0, or -1 with a message. */
int params_check(const struct scenario *scn, char *err, size_t errlen);

/* dst = src with its own populations and designs (the arrays a plan
 * changes); faults, expectations and the text are shared, read-only. Free
 * with params_copy_free, never scn_free. Returns 0, or -1 (out of memory). */
int params_copy(struct scenario *dst, const struct scenario *src);
void params_copy_free(struct scenario *scn);

/* Scale every population so that users add up to total (largest
 * remainder: the total is exact and every population keeps at least one
 * user). Returns 0, or -1 with a message (total below the number of
 * populations, or above the limit). */
int params_scale_users(struct scenario *scn, uint64_t total, char *err, size_t errlen);

/* Users of every population added up. */
uint64_t params_total_users(const struct scenario *scn);

#endif
