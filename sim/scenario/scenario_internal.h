/* Private interface between the files of the scenario loader.
 *
 * Loading goes through three stages, one file each, over the same bytes:
 *   scenario_load.c      read the file, parse it with libyaml into a
 *                        document (syntax errors, exact positions), then
 *                        load it with libcyaml into struct scn_raw;
 *   scenario_cyaml_err.c turn a libcyaml failure (its log and backtrace)
 *                        into a path, and the path into the exact node of
 *                        the libyaml document and a message of our own;
 *   scenario_validate.c  check every value of struct scn_raw and convert it
 *                        to the public struct scenario, reporting the
 *                        position of the offending node (the run, servers,
 *                        populations and clients; scenario_validate_design.c
 *                        the designs; scenario_validate_faults.c the faults
 *                        and the expectations; scenario_check.c the checks
 *                        of single values that they all use).
 * The libyaml document is the index of positions throughout: libcyaml's own
 * positions are those of the previous event, not of the mistake.
 * yaml_document.c composes the document and words syntax errors,
 * yaml_where.c navigates it, scenario_schema.c holds the schema,
 * scenario_suggest.c the "did you mean" distance.
 */
#ifndef LBSIM_SCENARIO_INTERNAL_H
#define LBSIM_SCENARIO_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cyaml/cyaml.h>
#include <yaml.h>

#include "lbsim/lb_param.h"
#include "lbsim/scenario.h"

/* Larger files are refused before parsing: a scenario is a few kilobytes,
 * and the cap bounds the memory and time a hostile file can cost. */
#define SCN_MAX_FILE_BYTES (4u * 1024 * 1024)

/* The scenario as libcyaml loads it. Every leaf is the text as written
 * (NULL when an optional key is absent): libcyaml 1.3.1 reads "-3" into an
 * unsigned field as 2^64 - 3 (strtoull) and refuses ".nan" with a message
 * that names no field, so numbers, durations and names of things are all
 * parsed and checked by scenario_validate*.c, which word their own
 * messages. libcyaml checks the shape: known keys, required keys, repeated
 * keys, scalar versus mapping versus sequence, sequence lengths.
 *
 * Mappings whose keys are workload names hold one pointer per workload,
 * indexed by enum workload (scenario_schema.c lists the keys in that
 * order). The cost overrides are an array indexed by enum scn_cost_key. */
struct scn_raw_server_workload {
	char *demand;
	char *cv;
};

struct scn_raw_server_workloads {
	struct scn_raw_server_workload *wl[WL_COUNT];
};

struct scn_raw_server {
	char *weight;
	char *cores;
	char *maxconn;
	char *backup;
	char *address;
};

struct scn_raw_servers {
	struct scn_raw_server *list;
	unsigned list_count;
	char *address;
	char *maxconn;
	char *count;
	char *cores;
	char *service;
	char *affinity;
	char *affinity_penalty;
	struct scn_raw_server_workloads *workloads;
};

struct scn_raw_client {
	char *connections;
	char *polls;
	char *think;
	char *hold;
	char *changes;
	char *lifetime;
	char *tls_session;
	char *backoff;
	char *backoff_max;
	char *on_error;
	char *reconnect_after;
	char *share;
	char *request_bytes;
	char *response_bytes;
};

struct scn_raw_clients {
	struct scn_raw_client *wl[WL_COUNT];
};

struct scn_raw_profile_point {
	char *at;
	char *share;
};

/* Where a population's public addresses come from (address-plan:). */
struct scn_raw_address_plan {
	char **prefixes;
	unsigned prefixes_count;
	char *shape;
	char **list;
	unsigned list_count;
	char *file;
};

/* A population that replays a log (replay:). */
struct scn_raw_replay {
	char *log;
	char *scale;
	char *demand;
	char *window;
	char *format;
	char *on_error;
	char *client_from;
	char *capture;
	char *user_header;
};

struct scn_raw_population {
	/* Address keys (issue 14), one block: */
	char *address_per;
	char *sites;
	struct scn_raw_address_plan *address_plan;
	char *name;
	char *users;
	char *source;
	char *addresses;
	char *churn;
	char *ports;
	char **clients;
	unsigned clients_count;
	char *rate;
	char *workload;
	char *tls13;
	char *logon;
	struct scn_raw_profile_point *profile;
	unsigned profile_count;
	/* Client keys (issue 15), one block: */
	struct scn_raw_clients *client_settings;
	char *network;
	char *rtt;
	char *jitter;
	/* Replay keys (issue 18), one block: */
	struct scn_raw_replay *replay;
};


struct scn_raw_persist {
	char *method;
	char *netmask;
	char *size;
	char *expire;
	char *full;
};

struct scn_raw_check {
	char *kind;
	char *path;
	char *inter;
	char *fastinter;
	char *downinter;
	char *timeout;
	char *rise;
	char *fall;
	char *init;
};

/* The keys of `costs:` are the cost figures' names (lbsim/cost.h), one
 * text each, indexed by enum cost_figure. */
struct scn_raw_costs {
	char *v[COST_FIG_COUNT];
};

struct scn_raw_design {
	/* Hashing keys of real balancers (issue 14), one block: */
	char *profile;
	char *name;
	char *kind;
	char *balance;
	char *hash_type;
	char *hash_function;
	char *avalanche;
	char *hash_balance_factor;
	char *draws;
	char *table_size;
	char *ring_points;
	struct scn_raw_persist *persist;
	struct scn_raw_check *check;
	char *reencrypt;
	char *lb_cores;
	char *lb_queue;
	char *timeout_queue;
	struct scn_raw_costs *costs;
	char *implementation;
	char *certificate;
	char *cipher;
	char *http_reuse;
	char *cost_profile;
	/* Latency keys (issue 15): */
	char *backend_rtt;
};

struct scn_raw_fault {
	char *at;
	char *server;
	char *workload;
	char *kind;
	char *for_;
	char *factor;
};

struct scn_raw_expect {
	char *design;
	char *metric;
	char *scope;
	char *min;
	char *max;
};

struct scn_raw {
	char *name;
	char *duration;
	char *warmup;
	char *seed;
	char *replications;
	struct scn_raw_servers *servers;
	struct scn_raw_population *populations;
	unsigned populations_count;
	struct scn_raw_clients *clients;
	struct scn_raw_design *designs;
	unsigned designs_count;
	struct scn_raw_fault *faults;
	unsigned faults_count;
	struct scn_raw_expect *expect;
	unsigned expect_count;
	char *cost_profile;
};

/* scenario_schema.c */
extern const cyaml_schema_value_t scn_raw_schema;
/* What a mapping of the schema is called in messages ("design"); NULL for a
 * field array that is not one of ours. */
const char *scn_schema_mapping_noun(const cyaml_schema_field_t *fields);
/* What the value of scalar key of the mapping fields must be, for messages
 * ("a duration such as 20ms"); a generic phrase for a key it does not
 * know. */
const char *scn_schema_key_what(const cyaml_schema_field_t *fields, const char *key);
/* What an entry of a sequence of scalars is, plural ("workload names such
 * as [mapi, owa]"), or NULL when entry is not a scalar of ours. */
const char *scn_schema_entries_what(const cyaml_schema_value_t *entry);
/* The fields of the mapping messages call noun ("design", "persist"), or
 * NULL. */
const cyaml_schema_field_t *scn_schema_fields(const char *noun);
/* The schema field of key in fields, or NULL. */
const cyaml_schema_field_t *scn_schema_field(const cyaml_schema_field_t *fields,
					     const char *key, size_t len);
/* Write "a, b, c" (the keys of fields) into buf of size n. */
void scn_schema_keys(const cyaml_schema_field_t *fields, char *buf, size_t n);

/* scenario_suggest.c: the closest candidate within SCN_SUGGEST_MAX edits. */
#define SCN_SUGGEST_MAX 2u
struct scn_suggest {
	const char *word;
	size_t word_len;
	const char *best;   /* NULL while nothing is close enough */
	size_t best_dist;
};
void scn_suggest_init(struct scn_suggest *s, const char *word, size_t len);
void scn_suggest_consider(struct scn_suggest *s, const char *candidate);

/* yaml_where.c: positions and navigation in a libyaml document. */
unsigned yw_line(const yaml_node_t *node);   /* from 1 */
unsigned yw_column(const yaml_node_t *node); /* from 1 */
int yw_scalar_is(const yaml_node_t *node, const char *text, size_t len);
/* The key node and the value node of the nth (from 0) pair of map whose key
 * is the scalar text; NULL when there are fewer. */
yaml_node_t *yw_map_key(yaml_document_t *doc, yaml_node_t *map,
			const char *key, size_t len, unsigned nth);
yaml_node_t *yw_map_value(yaml_document_t *doc, yaml_node_t *map,
			  const char *key, size_t len, unsigned nth);
yaml_node_t *yw_seq_item(yaml_document_t *doc, yaml_node_t *seq, size_t index);
/* A plain scalar that YAML reads as null: empty, ~, null. */
int yw_is_null(const yaml_node_t *node);
/* "a single value", "a sequence", "a mapping", "nothing" (null). */
const char *yw_node_kind(const yaml_node_t *node);
/* Quote text for a message: 'text', control bytes as \xNN, long texts cut
 * with "...". Returns buf. */
const char *yw_quote(char *buf, size_t n, const char *text, size_t len);

/* yaml_document.c: the byte offset in data of a libyaml mark (line and
 * column from 0, in characters), and the line and column (from 1, in
 * characters) of a byte offset. */
size_t yw_offset(const char *data, size_t len, yaml_mark_t mark);
void yw_position(const char *data, size_t len, size_t offset, unsigned *line,
		 unsigned *column);
/* yaml_document.c: compose data into *doc (the first document; later
 * ones must be empty). Returns 0, or -1 with err set to the syntax error or
 * a refused limit (and nothing to free). */
int yw_load_document(const char *data, size_t len, yaml_document_t *doc,
		     struct scn_error *err);

/* scenario_load.c: set err's position and message (err->file is kept). */
void scn_err_set(struct scn_error *err, unsigned line, unsigned column,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void scn_err_vset(struct scn_error *err, unsigned line, unsigned column,
		  const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

/* scenario_cyaml_err.c: libcyaml's log, captured instead of printed. */
#define SCN_CYAML_LOG_LINES 48
#define SCN_CYAML_LOG_LINE_MAX 256
struct scn_cyaml_log {
	unsigned count;
	char line[SCN_CYAML_LOG_LINES][SCN_CYAML_LOG_LINE_MAX];
};
void scn_cyaml_log_fn(cyaml_log_t level, void *ctx, const char *fmt, va_list args);
/* Explain a failed cyaml_load_data (code cerr) with the captured log. */
void scn_cyaml_explain(const struct scn_cyaml_log *log, cyaml_err_t cerr,
		       yaml_document_t *doc, struct scn_error *err);

/* scenario_duration.c: a duration as double nanoseconds, for figures
 * finer than a nanosecond (a cost per byte: "1.74ns"). Same grammar and
 * reasons as scn_parse_duration. Returns 0, or -1 with why set. */
int scn_parse_duration_ns(const char *text, double *ns, const char **why);

/* scenario_check.c: checking values, shared by the scenario_validate*.c
 * files. Every check parses the text of one key of one mapping; a mistake
 * is reported at the node of the document that holds it, and of all the
 * mistakes reported only the first in the file is kept. */
struct scn_ctx {
	yaml_document_t *doc;
	struct scn_error *err;
	int failed;
	unsigned reports;          /* mistakes seen, kept or not */
	/* Where in the scenario the kept mistake is: err's position, unless
	 * the mistake is in a file the scenario names (an address file),
	 * whose own file and line err then gives. */
	unsigned kept_line, kept_column;
	char scenario_file[512];   /* the scenario's name, as err began with it */
	/* What later parts check against, once known to be right: */
	sim_time_t run;            /* warmup + duration; 0 when either is wrong */
	int pops_ok;               /* the populations converted without a mistake */
	int clients_ok;            /* the scenario's clients: converted without a mistake */
	const char *files_dir;     /* files the scenario names by a relative path (cost
				    * profiles, address files) are read from here (NULL:
				    * the scenario file's folder) */
};

void scn_report(struct scn_ctx *c, const yaml_node_t *node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same at byte at of the scalar node (a column within its text, for
 * a mistake inside an address); the node's start for other nodes. */
void scn_report_at(struct scn_ctx *c, const yaml_node_t *node, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The value (or key) node of key in map; map itself stands in when key is
 * absent, which the callers only ask of keys libcyaml has loaded. */
yaml_node_t *scn_value_of(struct scn_ctx *c, yaml_node_t *map, const char *key);
yaml_node_t *scn_key_of(struct scn_ctx *c, yaml_node_t *map, const char *key);
/* Entry i of sequence seq, or seq itself should there be none. */
yaml_node_t *scn_item_of(struct scn_ctx *c, yaml_node_t *seq, size_t i);
const char *scn_quote(char *buf, size_t n, const char *text);
/* A mistake in a file the scenario names at node (an address file), at
 * line and column of that file: kept in the scenario's order of node. */
void scn_report_in_file(struct scn_ctx *c, const yaml_node_t *node, const char *file,
			unsigned line, unsigned column, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* address_file.c: an address list entry "ADDRESS [WEIGHT]" (len bytes of
 * text): 0, or -1 with *why and the byte *at where it is wrong. weighted
 * says whether a weight was written (else *weight is 1). */
struct lb_addr;
struct addr_list;
int scn_address_entry(const char *text, size_t len, struct lb_addr *addr, double *weight,
		      int *weighted, const char **why, size_t *at);
/* Read the address file path (shown: its name quoted for messages) into
 * list, whose `file:` key is at node: 0, or -1 (reported, in the file's
 * own line and column where the mistake is in it). */
int scn_address_file(struct scn_ctx *c, const yaml_node_t *node, const char *shown,
		     const char *path, struct addr_list *list);
/* scenario_validate_address.c: a population's address keys (address-per,
 * sites, address-plan), after its source and traffic are known. */
void scn_population_addresses(struct scn_ctx *c, const struct scn_raw_population *rp,
			      yaml_node_t *map, int src_ok, struct scn_population *p);
/* An explicit "key:" with nothing after it: reported. 1 when it has a value. */
int scn_has_value(struct scn_ctx *c, const yaml_node_t *node, const char *key);
/* The path of a file the scenario names: as written when absolute, else
 * in c->files_dir when set, else beside the scenario file. */
void scn_file_path(const struct scn_ctx *c, const char *name, char *out, size_t n);
/* A whole number in [min, max] into *out: 0, or -1 (reported). */
int scn_whole(struct scn_ctx *c, yaml_node_t *map, const char *key, const char *text,
	      uint64_t min, uint64_t max, uint64_t *out);
/* The same into 32 bits; dflt when text is NULL (absent) or wrong. */
uint32_t scn_whole32(struct scn_ctx *c, yaml_node_t *map, const char *key,
		     const char *text, uint32_t min, uint32_t max, uint32_t dflt);
/* A duration in [min_ns, max_ns] into *out (ns; whole: judged rounded to
 * whole nanoseconds, as kept). zero (may be NULL) is what 0 would mean to
 * the core, for the message. 0, or -1 (reported). */
int scn_duration_in(struct scn_ctx *c, yaml_node_t *map, const char *key, const char *text,
		    double min_ns, double max_ns, const char *zero, int whole, double *out);
/* A duration in (0, SCN_MAX_DURATION], or [0, ...] when zero_ok; 0 when
 * wrong (reported). */
sim_time_t scn_duration(struct scn_ctx *c, yaml_node_t *map, const char *key,
			const char *text, int zero_ok);
/* A finite number in [lo, hi], or (lo, hi] when lo_open; unit (may be
 * NULL) says what it counts in the message. 0, or -1 (reported). */
int scn_number(struct scn_ctx *c, yaml_node_t *map, const char *key, const char *text,
	       double lo, int lo_open, double hi, const char *unit, double *out);
/* true or false (also True, TRUE, False, FALSE): 0, or -1 (reported). */
int scn_bool(struct scn_ctx *c, yaml_node_t *map, const char *key, const char *text,
	     int *out);
/* text among names[0..n) (NULL entries skipped): its index, or -1 with
 * "unknown KEY 'x'; did you mean 'y'? (valid: ...)" reported. */
int scn_pick(struct scn_ctx *c, yaml_node_t *map, const char *key, const char *text,
	     const char *const *names, size_t n);
/* Report text (its first len bytes are the word) as an unknown key-thing
 * at node, with the closest of names[0..n) and the list of them. */
void scn_unknown_name(struct scn_ctx *c, const yaml_node_t *node, const char *key,
		      const char *text, size_t len, const char *const *names, size_t n);
/* A workload name at node (a value of key, or an entry of a list named
 * key): its enum workload, or -1 (reported). */
int scn_workload(struct scn_ctx *c, const yaml_node_t *node, const char *key,
		 const char *text);
/* A name of 1 to max bytes without control characters into dst. */
void scn_name(struct scn_ctx *c, yaml_node_t *map, const char *text, size_t max, char *dst);
/* key is given in map but does not apply: "'key' applies to WHY", at the
 * key. */
void scn_not_here(struct scn_ctx *c, yaml_node_t *map, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* scenario_param.c: core parameters (lb_param.h) read with their tables. */
/* The text of scalar key in map, from the document; NULL when absent or
 * not a scalar. */
const char *scn_text_of(struct scn_ctx *c, yaml_node_t *map, const char *key);
/* Read key p->name of map into the struct at base: 0, or -1 (reported);
 * 0 when the key is absent. */
int scn_param(struct scn_ctx *c, yaml_node_t *map, const struct lb_param *p, void *base);
/* What a scenario that leaves a key out gets: every parameter of table
 * without LB_PARAM_ZERO_DEFAULT or LB_PARAM_NO_DEFAULT set to its default. */
void scn_param_defaults(const struct lb_param *table, void *base);
/* Who owns a mapping's parameter keys: an algorithm, method or kind. */
struct scn_param_owner {
	const struct lb_param *common;   /* every choice takes these; may be NULL */
	const struct lb_param *own;      /* the chosen one's own table; may be NULL */
	int chosen;                      /* the choice is known (else only values are checked) */
	const char *name;                /* the chosen one's name */
	const struct lb_param_owners *owners;  /* every choice: the universe of keys */
	/* The owner's own check once a key is in (may be NULL): a message in
	 * buf, or NULL. */
	const char *(*check)(void *ctx, char *buf, size_t len);
	/* Reads a text parameter (may be NULL: length checked only). 0 or -1. */
	int (*text)(struct scn_ctx *c, yaml_node_t *map, const struct lb_param *p, void *base,
		    void *ctx);
	void *ctx;
};
/* Read every key of map that is a parameter of o's universe, in the order
 * of fields (the mapping's schema), into base: defaults first, then each
 * key given checked for applying to the choice and its condition. 0, or
 * -1 when something was reported. */
int scn_param_keys(struct scn_ctx *c, yaml_node_t *map, const cyaml_schema_field_t *fields,
		   const struct scn_param_owner *o, void *base);

/* scenario_edit.c: a scenario's text edited at a path, as a person would
 * edit the file (for --set and sweep). */
#define SCN_PATH_MAX 8
struct scn_step {
	const char *key;     /* a mapping's key; NULL: item `index` (from 0) of a sequence */
	size_t index;
};
struct scn_edit {
	unsigned line, column;  /* where what followed the old bytes now starts (from 1) */
	int delta;              /* lines it moved down (negative: up) */
	int wrote;              /* the edit wrote a value (not only removed) */
	unsigned l0, c0, l1, c1; /* what it wrote, in the latest text's lines */
};
struct scn_text {
	char *data;             /* NUL-terminated */
	size_t len;
	struct scn_edit *edits;
	size_t nedits;
};
int scn_text_init(struct scn_text *t, const char *data, size_t len);  /* 0 or -1 */
void scn_text_free(struct scn_text *t);
/* Set the scalar at path[0..n) to value, adding the keys that are missing.
 * 0, or -1 with a message. */
int scn_text_set(struct scn_text *t, const struct scn_step *path, size_t n, const char *value,
		 char *err, size_t errlen);
/* Remove the pair at path (its last step a key); nothing when absent. 0,
 * or -1 with a message. */
int scn_text_delete(struct scn_text *t, const struct scn_step *path, size_t n, char *err,
		    size_t errlen);
/* 1 when path is in the text. */
int scn_text_has(const struct scn_text *t, const struct scn_step *path, size_t n);
/* A position (line, column from 1) of the latest text: the edit that
 * wrote it, or -1; *line becomes its line in the text before any edit. */
long scn_text_origin(const struct scn_text *t, unsigned *line, unsigned column);

/* scenario_validate.c: check raw and build the scenario. Returns 0, or -1
 * with err set to the first mistake in file order. */
int scn_convert(const struct scn_raw *raw, yaml_document_t *doc, const char *files_dir,
		struct scenario **out, struct scn_error *err);
/* scenario_validate_clients.c: the scenario's clients: (sets
 * c->clients_ok), and population p's client-settings: for the workloads
 * in mask (p->client already holds the scenario's). */
void scn_clients(struct scn_ctx *c, const struct scn_raw *raw, yaml_node_t *root,
		 struct scenario *scn);
void scn_client_settings(struct scn_ctx *c, const struct scn_raw_population *rp,
			 yaml_node_t *map, uint32_t mask, struct scn_population *p);
/* scenario_validate_servers.c: servers: list: (or, without one, that
 * count is there); s->count already read when given. */
void scn_servers_list(struct scn_ctx *c, const struct scn_raw_servers *rs, yaml_node_t *map,
		      struct scn_servers *s);
/* servers: list: entries' own address: (after servers: address:, whose
 * consecutive addresses the others keep); refuses two servers with one. */
void scn_servers_addresses(struct scn_ctx *c, const struct scn_raw_servers *rs, yaml_node_t *map,
			   struct scn_servers *s);
/* scenario_validate_design.c: the designs (servers and populations
 * already converted). */
/* scenario_validate_costs.c: design d's implementation, TLS and reuse
 * keys, its cost profile and `costs:` (after its kind, hashing and
 * reencrypt are known). */
void scn_design_costs(struct scn_ctx *c, const struct scn_raw *raw, yaml_node_t *root,
		      const struct scn_raw_design *rd, yaml_node_t *map, int kind_ok,
		      struct scn_design *d);
void scn_designs(struct scn_ctx *c, const struct scn_raw *raw, yaml_node_t *root,
		 struct scenario *scn);
/* scenario_validate_faults.c: the faults, then the expectations (every
 * other part already converted). */
void scn_faults(struct scn_ctx *c, const struct scn_raw *raw, yaml_node_t *root,
		struct scenario *scn);
void scn_expects(struct scn_ctx *c, const struct scn_raw *raw, yaml_node_t *root,
		 struct scenario *scn);

/* scenario_validate_replay.c: a population with replay: (its other keys
 * refused, its log opened once). */
void scn_replay(struct scn_ctx *c, const struct scn_raw_population *rp, yaml_node_t *map,
		struct scn_population *p);

#endif
