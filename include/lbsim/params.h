/* Parameter overrides: `--set KEY=V1,V2,...` on a loaded scenario.
 *
 * A key addresses one field of struct scenario (servers.count,
 * population.lan.users, design.l7.persist, ...; params_keys() lists them).
 * params_parse() reads the key and every value against the loaded
 * scenario, so a typo is refused before anything runs; params_apply() sets
 * one value on a copy of the scenario; params_check() then re-checks what
 * the new value may have broken elsewhere (a fault on a server that no
 * longer exists, an algorithm that refuses the new server count). Sweeps
 * and plans take their parameters from here, not from new YAML keys.
 */
#ifndef LBSIM_PARAMS_H
#define LBSIM_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "lbsim/scenario.h"

#define PARAMS_MAX_VALUES 64      /* values of one key */
#define PARAMS_MAX_AXES 8         /* --set options of one command */
#define PARAMS_KEY_MAX 160

/* A design given balancer cores by an override waits in a queue of the
 * loader's default length (scenario.h defines it with the loader). */
#ifndef SCN_DEFAULT_LB_QUEUE
#define SCN_DEFAULT_LB_QUEUE 10000u
#endif

struct param_def;

/* One value of a key, parsed. */
struct param_value {
	char text[72];     /* as sweep.csv shows it: a number (durations in seconds) or a name */
	double num;        /* the number shown; NaN for a name */
	uint64_t whole;    /* whole numbers; durations in ns */
	double real;       /* rates */
	const void *ops;   /* persist (NULL: none) or balance ops */
	struct lb_sel_params sel;  /* balance: parameters its spec carries (hdr name) */
};

/* One --set option: a key and its values. */
struct param_axis {
	char key[PARAMS_KEY_MAX];      /* as given, e.g. "population.lan.users" */
	const struct param_def *def;
	int target;                    /* population or design index; -1: every one ("*") */
	uint32_t nvalues;
	struct param_value values[PARAMS_MAX_VALUES];
};

/* Parse "KEY=V1,V2,..." against scn (names of populations and designs,
 * sources, design kinds). Returns 0, or -1 with a message in err (an
 * unknown key lists the valid ones). */
int params_parse(struct param_axis *ax, const struct scenario *scn, const char *arg,
		 char *err, size_t errlen);

/* 1, with a message, when axes a and b set the same field of the same
 * population or design (the same key twice, NAME and *, users and
 * population.NAME.users): the later would override the earlier while
 * sweep.csv labels rows with both. */
int params_conflict(const struct param_axis *a, const struct param_axis *b, char *err,
		    size_t errlen);

/* The field an axis sets, without its population or design: "seed",
 * "users", "persist", ... */
const char *params_field(const struct param_axis *ax);

/* Set value number i of ax on scn (a copy made by params_copy). Returns 0,
 * or -1 with a message. Call params_check once every axis is applied. */
int params_apply(const struct param_axis *ax, uint32_t i, struct scenario *scn, char *err,
		 size_t errlen);

/* What the overrides may have broken elsewhere in scn. Returns 0, or -1
 * with a message. */
int params_check(const struct scenario *scn, char *err, size_t errlen);

/* dst = src with its own populations and designs (the arrays overrides
 * change); faults and expectations are shared, read-only. Free with
 * params_copy_free, never scn_free. Returns 0, or -1 (out of memory). */
int params_copy(struct scenario *dst, const struct scenario *src);
void params_copy_free(struct scenario *scn);

/* Scale every population so that users add up to total (largest
 * remainder: the total is exact and every population keeps at least one
 * user). Returns 0, or -1 with a message (total below the number of
 * populations, or above the limit). */
int params_scale_users(struct scenario *scn, uint64_t total, char *err, size_t errlen);

/* Users of every population added up. */
uint64_t params_total_users(const struct scenario *scn);

/* "servers.count, servers.cores, ...": the keys, for messages and help. */
const char *params_keys(char *buf, size_t len);

#endif
