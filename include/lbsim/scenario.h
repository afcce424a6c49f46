/* Scenario files: loading, validation, and the validated scenario.
 *
 * A scenario is a YAML file (see scenarios/ and the README for the schema).
 * scn_load() reads it with libcyaml, converts units, checks every value, and
 * either returns a complete, valid struct scenario or an error that names the
 * file, line and column of the mistake. Nothing is simulated or written
 * before a scenario has loaded cleanly.
 */
#ifndef LBSIM_SCENARIO_H
#define LBSIM_SCENARIO_H

#include <stdint.h>
#include <stdio.h>

#include "lbsim/engine.h"
#include "lbsim/lb_sel.h"

#define SCN_NAME_MAX 64

/* Limits beyond which a scenario is refused before anything runs. */
#define SCN_MAX_SERVERS 4096u
#define SCN_MAX_CORES 1024u
#define SCN_MAX_USERS 10000000ull          /* ten million users */
#define SCN_MAX_DURATION (30ull * 86400 * SIM_NS_PER_S) /* thirty days */
#define SCN_MAX_REPLICATIONS 1000u
#define SCN_MAX_POPULATIONS 64u
#define SCN_MAX_DESIGNS 16u

enum scn_design_kind {
	SCN_DESIGN_L4 = 0,   /* one VIP for every workload */
	SCN_DESIGN_L4_MULTI, /* one VIP per workload */
	SCN_DESIGN_L7,       /* TLS terminated, content switching */
};

enum scn_source_kind {
	SCN_SOURCE_UNIQUE = 0, /* one public address per device */
};

struct scn_servers {
	uint32_t count;
	uint32_t cores;            /* per server */
	sim_time_t service_mean;   /* mean CPU demand of one request (exponential) */
};

struct scn_population {
	char name[SCN_NAME_MAX];
	uint64_t users;
	enum scn_source_kind source;
	double request_rate;       /* requests per second per user (Poisson) */
};

struct scn_design {
	char name[SCN_NAME_MAX];
	enum scn_design_kind kind;
	const struct lb_sel_ops *balance;
};

struct scenario {
	char name[128];
	sim_time_t duration;       /* measured part of the run, after warmup */
	sim_time_t warmup;         /* discarded start of the run */
	uint64_t seed;
	uint32_t replications;
	struct scn_servers servers;
	struct scn_population *populations;
	uint32_t npopulations;
	struct scn_design *designs;
	uint32_t ndesigns;
};

/* A load error. line and column count from 1; 0 when no position applies
 * (a missing file, an unreadable one). */
struct scn_error {
	char file[512];
	unsigned line;
	unsigned column;
	char message[512];
};

/* Load and validate path. Returns 0 and a scenario to free with scn_free(),
 * or -1 with *err filled. */
int scn_load(const char *path, struct scenario **out, struct scn_error *err);

/* The same from a buffer (for tests and fuzzing); name stands for the file
 * in error messages. */
int scn_load_buffer(const char *name, const char *data, size_t len,
		    struct scenario **out, struct scn_error *err);

void scn_free(struct scenario *scn);

/* Print "file:line:column: message" (or "file: message") and a newline. */
void scn_error_print(FILE *fp, const struct scn_error *err);

/* Parse a duration with a unit: "250ms", "5s", "10m", "2h", also "us", "ns",
 * "d", and decimals such as "1.5s". Returns 0, or -1 with a reason in why. */
int scn_parse_duration(const char *text, sim_time_t *out, const char **why);

const char *scn_design_kind_name(enum scn_design_kind kind);
const char *scn_source_kind_name(enum scn_source_kind kind);

#endif
