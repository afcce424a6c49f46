/* The scenario file schema, as libcyaml field arrays, and the words that
 * messages use for its parts.
 *
 * The schema (the README copies this block):
 *
 *   name: Exchange 2013, 8 CAS   # required, 1 to 127 bytes
 *   duration: 1h                 # required duration, > 0 and <= 30d: the
 *                                #   measured part of the run
 *   warmup: 10m                  # optional duration <= 30d, default 0: run
 *                                #   before measuring, then discarded
 *   seed: 42                     # optional whole number 0 .. 2^64-1, default 1
 *   replications: 5              # optional 1 .. 1000, default 1
 *   servers:                     # required mapping
 *     count: 8                   #   required 1 .. 4096
 *     cores: 8                   #   optional 1 .. 1024, default 1
 *     service: 20ms              #   required duration > 0 (<= 30d): mean CPU
 *                                #   demand of one request (exponential)
 *   populations:                 # required sequence of 1 .. 64 entries
 *     - name: lan                #   required, 1 to 63 bytes, unique among
 *                                #     populations
 *       users: 6000              #   required 1 .. 10,000,000
 *       source: unique           #   optional, default unique: how devices
 *                                #     show up at the balancer (unique: one
 *                                #     public address per device)
 *       rate: 0.1                #   required, requests per second per user
 *                                #     (Poisson), > 0 and <= 1000
 *   designs:                     # required sequence of 1 .. 16 entries
 *     - name: l4                 #   required, 1 to 63 bytes, unique among
 *                                #     designs
 *       kind: l4                 #   required: l4, l4-multi or l7
 *       balance: roundrobin      #   optional, default roundrobin: a selection
 *                                #     algorithm of the balancer core; one
 *                                #     that needs layer-7 data (uri, ...)
 *                                #     needs kind l7
 *
 * Durations are a number, whole or decimal, and a unit: ns, us, ms, s, m, h,
 * d ("250ms", "1.5s", "2h"); a space between them is allowed. Whole numbers
 * are written in decimal ("6000"; "1e3" is also read as 1000, except for
 * the seed, which takes digits only). Names may hold any text without
 * control characters. Keys are case-sensitive; an unknown key is an error,
 * never ignored, so a misspelt optional key cannot silently fall back to
 * its default. A file holds one YAML document of at most 4 MiB, nested at
 * most 32 levels, with at most 100,000 values and 1,000 anchors and
 * aliases; YAML merge keys ("<<") are not supported.
 */
#include "scenario_internal.h"

#include <string.h>

#define STR(key, flags, type, member)                                         \
	CYAML_FIELD_STRING_PTR(key, CYAML_FLAG_POINTER | (flags), type, member, \
			       0, CYAML_UNLIMITED)

static const cyaml_schema_field_t servers_fields[] = {
	STR("count", CYAML_FLAG_DEFAULT, struct scn_raw_servers, count),
	STR("cores", CYAML_FLAG_OPTIONAL, struct scn_raw_servers, cores),
	STR("service", CYAML_FLAG_DEFAULT, struct scn_raw_servers, service),
	CYAML_FIELD_END,
};

static const cyaml_schema_field_t population_fields[] = {
	STR("name", CYAML_FLAG_DEFAULT, struct scn_raw_population, name),
	STR("users", CYAML_FLAG_DEFAULT, struct scn_raw_population, users),
	STR("source", CYAML_FLAG_OPTIONAL, struct scn_raw_population, source),
	STR("rate", CYAML_FLAG_DEFAULT, struct scn_raw_population, rate),
	CYAML_FIELD_END,
};

static const cyaml_schema_field_t design_fields[] = {
	STR("name", CYAML_FLAG_DEFAULT, struct scn_raw_design, name),
	STR("kind", CYAML_FLAG_DEFAULT, struct scn_raw_design, kind),
	STR("balance", CYAML_FLAG_OPTIONAL, struct scn_raw_design, balance),
	CYAML_FIELD_END,
};

static const cyaml_schema_value_t population_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct scn_raw_population,
			    population_fields),
};

static const cyaml_schema_value_t design_entry = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, struct scn_raw_design, design_fields),
};

static const cyaml_schema_field_t scenario_fields[] = {
	STR("name", CYAML_FLAG_DEFAULT, struct scn_raw, name),
	STR("duration", CYAML_FLAG_DEFAULT, struct scn_raw, duration),
	STR("warmup", CYAML_FLAG_OPTIONAL, struct scn_raw, warmup),
	STR("seed", CYAML_FLAG_OPTIONAL, struct scn_raw, seed),
	STR("replications", CYAML_FLAG_OPTIONAL, struct scn_raw, replications),
	CYAML_FIELD_MAPPING_PTR("servers", CYAML_FLAG_POINTER, struct scn_raw,
				servers, servers_fields),
	/* The caps matter to libcyaml itself: it grows a sequence one entry
	 * at a time (quadratic copying where realloc cannot extend in place,
	 * as under AddressSanitizer), so it must stop at the cap, not after
	 * reading a hundred thousand entries. */
	CYAML_FIELD_SEQUENCE("populations", CYAML_FLAG_POINTER, struct scn_raw,
			     populations, &population_entry, 1, SCN_MAX_POPULATIONS),
	CYAML_FIELD_SEQUENCE("designs", CYAML_FLAG_POINTER, struct scn_raw,
			     designs, &design_entry, 1, SCN_MAX_DESIGNS),
	CYAML_FIELD_END,
};

const cyaml_schema_value_t scn_raw_schema = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct scn_raw, scenario_fields),
};

static const struct {
	const cyaml_schema_field_t *fields;
	const char *noun;
} mapping_nouns[] = {
	{ scenario_fields, "the scenario" },
	{ servers_fields, "servers" },
	{ population_fields, "population" },
	{ design_fields, "design" },
};

/* Keys of the same name mean the same kind of value at every level (both
 * "name"s are names), so one flat table is enough. */
static const struct {
	const char *key;
	const char *what;
} key_whats[] = {
	{ "name", "a name" },
	{ "duration", "a duration such as 1h" },
	{ "warmup", "a duration such as 10m" },
	{ "seed", "a whole number" },
	{ "replications", "a whole number" },
	{ "count", "a whole number" },
	{ "cores", "a whole number" },
	{ "service", "a duration such as 20ms" },
	{ "users", "a whole number" },
	{ "source", "a source such as unique" },
	{ "rate", "a number (requests per second per user)" },
	{ "kind", "a kind (l4, l4-multi or l7)" },
	{ "balance", "an algorithm name such as roundrobin" },
};

const char *scn_schema_mapping_noun(const cyaml_schema_field_t *fields)
{
	for (size_t i = 0; i < sizeof mapping_nouns / sizeof mapping_nouns[0]; i++)
		if (mapping_nouns[i].fields == fields)
			return mapping_nouns[i].noun;
	return NULL;
}

const char *scn_schema_key_what(const char *key)
{
	for (size_t i = 0; i < sizeof key_whats / sizeof key_whats[0]; i++)
		if (strcmp(key_whats[i].key, key) == 0)
			return key_whats[i].what;
	return "a single value";
}

const cyaml_schema_field_t *scn_schema_field(const cyaml_schema_field_t *fields,
					     const char *key, size_t len)
{
	for (; fields && fields->key; fields++)
		if (strlen(fields->key) == len && memcmp(fields->key, key, len) == 0)
			return fields;
	return NULL;
}

void scn_schema_keys(const cyaml_schema_field_t *fields, char *buf, size_t n)
{
	size_t used = 0;
	if (n == 0)
		return;
	buf[0] = '\0';
	for (; fields && fields->key && used + 1 < n; fields++) {
		size_t klen = strlen(fields->key);
		size_t sep = used ? 2 : 0;
		if (used + sep + klen + 1 > n)
			break;
		if (sep)
			memcpy(buf + used, ", ", 2);
		memcpy(buf + used + sep, fields->key, klen + 1);
		used += sep + klen;
	}
}
