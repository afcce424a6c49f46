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
 *                        position of the offending node.
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

#include <cyaml/cyaml.h>
#include <yaml.h>

#include "lbsim/scenario.h"

/* Larger files are refused before parsing: a scenario is a few kilobytes,
 * and the cap bounds the memory and time a hostile file can cost. */
#define SCN_MAX_FILE_BYTES (4u * 1024 * 1024)

/* The scenario as libcyaml loads it. Every leaf is the text as written
 * (NULL when an optional key is absent): libcyaml 1.3.1 reads "-3" into an
 * unsigned field as 2^64 - 3 (strtoull) and refuses ".nan" with a message
 * that names no field, so numbers, durations and names of things are all
 * parsed and checked by scenario_validate.c, which words its own messages.
 * libcyaml checks the shape: known keys, required keys, repeated keys,
 * scalar versus mapping versus sequence. */
struct scn_raw_servers {
	char *count;
	char *cores;
	char *service;
};

struct scn_raw_population {
	char *name;
	char *users;
	char *source;
	char *rate;
};

struct scn_raw_design {
	char *name;
	char *kind;
	char *balance;
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
	struct scn_raw_design *designs;
	unsigned designs_count;
};

/* scenario_schema.c */
extern const cyaml_schema_value_t scn_raw_schema;
/* What a mapping of the schema is called in messages ("design"); NULL for a
 * field array that is not one of ours. */
const char *scn_schema_mapping_noun(const cyaml_schema_field_t *fields);
/* What the value of a scalar key must be, for messages ("a duration such as
 * 20ms"); a generic phrase for a key it does not know. */
const char *scn_schema_key_what(const char *key);
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

/* scenario_validate.c: check raw and build the scenario. Returns 0, or -1
 * with err set to the first mistake in file order. */
int scn_convert(const struct scn_raw *raw, yaml_document_t *doc,
		struct scenario **out, struct scn_error *err);

#endif
