/* Checking a loaded scenario and converting it to struct scenario.
 *
 * libcyaml has already checked the shape of the file (scenario_schema.c);
 * here every value is parsed from its text (numbers, durations, names of
 * kinds, sources and algorithms), checked against its range, and converted
 * (durations to nanoseconds, names to enums and ops). Each mistake is
 * placed at the node of the libyaml document that holds the value.
 *
 * All values are checked even after a first mistake, and the mistake that
 * comes first in the file is the one reported, so that fixing errors top
 * to bottom works the same for syntax, shape and value errors.
 *
 * Cost: linear in the size of the scenario, except the check that names
 * are unique, quadratic in the number of entries, which libcyaml has
 * already capped (64 populations, 16 designs).
 */
#include "scenario_internal.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RATE 1000.0 /* requests per second per user */

static const char *const design_kind_names[] = {
	[SCN_DESIGN_L4] = "l4",
	[SCN_DESIGN_L4_MULTI] = "l4-multi",
	[SCN_DESIGN_L7] = "l7",
};

static const char *const source_kind_names[] = {
	[SCN_SOURCE_UNIQUE] = "unique",
	[SCN_SOURCE_NAT] = "nat",
	[SCN_SOURCE_CGNAT] = "cgnat",
};

/* The sources a scenario file can name so far: nat and cgnat need their
 * address counts, which the schema has no keys for yet. */
static const char *const source_file_names[] = {
	[SCN_SOURCE_UNIQUE] = "unique",
};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

const char *scn_design_kind_name(enum scn_design_kind kind)
{
	return (size_t)kind < COUNT_OF(design_kind_names) ? design_kind_names[kind] : "unknown";
}

const char *scn_source_kind_name(enum scn_source_kind kind)
{
	return (size_t)kind < COUNT_OF(source_kind_names) ? source_kind_names[kind] : "unknown";
}

struct check {
	yaml_document_t *doc;
	struct scn_error *err;
	int failed;
};

static void report(struct check *c, const yaml_node_t *node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Keep the mistake that comes first in the file. */
static void report(struct check *c, const yaml_node_t *node, const char *fmt, ...)
{
	unsigned line = yw_line(node), column = yw_column(node);
	if (c->failed && (line > c->err->line ||
			  (line == c->err->line && column >= c->err->column)))
		return;
	c->failed = 1;
	va_list ap;
	va_start(ap, fmt);
	scn_err_vset(c->err, line, column, fmt, ap);
	va_end(ap);
}

/* The value node of key in map. libcyaml loaded it, so it is there; the
 * map itself stands in should that ever not hold. */
static yaml_node_t *value_of(struct check *c, yaml_node_t *map, const char *key)
{
	yaml_node_t *node = yw_map_value(c->doc, map, key, strlen(key), 0);
	return node ? node : map;
}

static const char *quote(char *buf, size_t n, const char *text)
{
	return yw_quote(buf, n, text, strlen(text));
}

/* An explicit "key:" with nothing after it. Returns 1 when it has a value. */
static int has_value(struct check *c, const yaml_node_t *node, const char *key)
{
	if (!yw_is_null(node))
		return 1;
	report(c, node, "'%s' has no value", key);
	return 0;
}

/* A whole number in [min, max]. Decimal digits; where max is below 2^53,
 * also any number a double holds exactly that is whole ("1e6"). */
static int parse_whole(const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = text;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (p == text || *p) {
		if (max >= (1ull << 53) || !*text || isspace((unsigned char)*text))
			return -1;
		char *end;
		double x = strtod(text, &end);
		if (*end || !isfinite(x) || x != floor(x) || x < 0 || x > (double)max)
			return -1;
		v = (uint64_t)x;
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int whole(struct check *c, yaml_node_t *map, const char *key,
		 const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
	yaml_node_t *node = value_of(c, map, key);
	char shown[160];
	if (!has_value(c, node, key))
		return -1;
	if (parse_whole(text, min, max, out) == 0)
		return 0;
	report(c, node, "'%s' must be a whole number from %" PRIu64 " to %" PRIu64 ", got %s",
	       key, min, max, quote(shown, sizeof shown, text));
	return -1;
}

static uint32_t whole32(struct check *c, yaml_node_t *map, const char *key,
			const char *text, uint32_t min, uint32_t max, uint32_t dflt)
{
	uint64_t v = dflt;
	if (text)
		whole(c, map, key, text, min, max, &v);
	return (uint32_t)v;
}

/* A duration in (0, SCN_MAX_DURATION], or [0, ...] when zero_ok. */
static sim_time_t duration(struct check *c, yaml_node_t *map, const char *key,
			   const char *text, int zero_ok)
{
	yaml_node_t *node = value_of(c, map, key);
	sim_time_t v = 0;
	const char *why;
	char shown[160];
	if (!has_value(c, node, key))
		return 0;
	quote(shown, sizeof shown, text);
	if (scn_parse_duration(text, &v, &why) < 0) {
		report(c, node, "%s %s %s", key, shown, why);
		return 0;
	}
	if (v > SCN_MAX_DURATION || (v == 0 && !zero_ok))
		report(c, node, "'%s' must be %sat most 30d, got %s", key,
		       zero_ok ? "" : "more than 0 and ", shown);
	return v;
}

static double rate(struct check *c, yaml_node_t *map, const char *text)
{
	yaml_node_t *node = value_of(c, map, "rate");
	char shown[160], *end = (char *)text;
	if (!has_value(c, node, "rate"))
		return 0;
	/* strtod skips leading spaces and reads "nan" and "inf"; only a
	 * finite number written whole is a rate. */
	double x = *text && !isspace((unsigned char)*text) ? strtod(text, &end) : NAN;
	if (isfinite(x) && !*end && x > 0 && x <= MAX_RATE)
		return x;
	report(c, node, "'rate' must be a number more than 0 and at most %g "
	       "(requests per second per user), got %s", MAX_RATE,
	       quote(shown, sizeof shown, text));
	return 0;
}

/* A name of 1 to max bytes into dst (of max + 1 bytes). */
static void name(struct check *c, yaml_node_t *map, const char *text,
		 size_t max, char *dst)
{
	yaml_node_t *node = value_of(c, map, "name");
	size_t len = strlen(text);
	if (!has_value(c, node, "name"))
		return;
	if (len == 0) {
		report(c, node, "'name' must not be empty");
		return;
	}
	if (len > max) {
		report(c, node, "'name' is too long: %zu bytes, at most %zu", len, max);
		return;
	}
	/* A NUL written as "\0" ends the C string early: compare lengths. */
	int control = node->type == YAML_SCALAR_NODE && node->data.scalar.length != len;
	for (size_t i = 0; i < len; i++)
		control |= (unsigned char)text[i] < 0x20 || text[i] == 0x7f;
	if (control) {
		report(c, node, "'name' must not contain control characters");
		return;
	}
	memcpy(dst, text, len + 1);
}

/* "unknown kind 'l5'; did you mean 'l4'? (valid: l4, l4-multi, l7)" for
 * text (of which the first len bytes are the name) among names[0..n). */
static void unknown_name(struct check *c, const yaml_node_t *node, const char *key,
			 const char *text, size_t len, const char *const *names, size_t n)
{
	char shown[160], valid[256];
	size_t used = 0;
	struct scn_suggest s;
	scn_suggest_init(&s, text, len);
	valid[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (!names[i])
			continue;
		scn_suggest_consider(&s, names[i]);
		int w = snprintf(valid + used, sizeof valid - used, "%s%s",
				 used ? ", " : "", names[i]);
		if (w > 0 && (size_t)w < sizeof valid - used)
			used += (size_t)w;
	}
	quote(shown, sizeof shown, text);
	if (s.best)
		report(c, node, "unknown %s %s; did you mean '%s'? (valid: %s)", key,
		       shown, s.best, valid);
	else
		report(c, node, "unknown %s %s (valid: %s)", key, shown, valid);
}

/* text among names[0..n) (NULL entries skipped): its index, or -1. */
static int pick(struct check *c, yaml_node_t *map, const char *key,
		const char *text, const char *const *names, size_t n)
{
	yaml_node_t *node = value_of(c, map, key);
	if (!has_value(c, node, key))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (names[i] && strcmp(names[i], text) == 0)
			return (int)i;
	unknown_name(c, node, key, text, strlen(text), names, n);
	return -1;
}

/* Why lb_sel_parse() refused text: an unknown name, or an argument where
 * none is taken, or a missing or malformed one (only hdr takes one). */
static void bad_balance(struct check *c, const yaml_node_t *node, const char *text)
{
	char base[64], shown[160];
	size_t len = strcspn(text, "(");
	const struct lb_sel_ops *ops = NULL;
	if (len < sizeof base) {
		memcpy(base, text, len);
		base[len] = '\0';
		ops = lb_sel_find(base);
	}
	quote(shown, sizeof shown, text);
	if (ops == &lb_sel_hdr) {
		report(c, node, "balance %s needs a header name in parentheses, "
		       "as in hdr(Host)", shown);
	} else if (ops) {
		report(c, node, "balance %s: '%s' takes no argument", shown, ops->name);
	} else {
		const char *names[64];
		size_t n = lb_sel_registry_len < COUNT_OF(names) ? lb_sel_registry_len
								 : COUNT_OF(names);
		for (size_t i = 0; i < n; i++)
			names[i] = lb_sel_registry[i]->name;
		unknown_name(c, node, "balance", text, len, names, n);
	}
}

/* The algorithm of a design and its parameters (the header of hdr(NAME)).
 * nservers is what the algorithm's own check needs (maglev tables). */
static const struct lb_sel_ops *balance(struct check *c, yaml_node_t *map,
					const char *text, enum scn_design_kind kind,
					int kind_ok, uint32_t nservers,
					struct lb_sel_params *params)
{
	const struct lb_sel_ops *ops;
	char shown[160];

	memset(params, 0, sizeof *params);
	if (!text) {
		ops = lb_sel_find("roundrobin");
		if (!ops)
			report(c, map, "this build has no default balance 'roundrobin'");
		return ops;
	}
	yaml_node_t *node = value_of(c, map, "balance");
	if (!has_value(c, node, "balance"))
		return NULL;
	ops = lb_sel_parse(text, params);
	if (!ops) {
		bad_balance(c, node, text);
		return NULL;
	}
	const char *why = lb_sel_check(ops, params, nservers);
	if (why)
		report(c, node, "balance %s: %s", quote(shown, sizeof shown, text), why);
	if ((ops->needs & LB_NEED_L7) && kind_ok && kind != SCN_DESIGN_L7)
		report(c, node, "balance '%s' needs layer-7 data; a kind %s design sees "
		       "only addresses and ports", ops->name, scn_design_kind_name(kind));
	return ops;
}

/* Names must differ within a sequence; item(i) is entry i's mapping. */
static void unique_names(struct check *c, yaml_node_t *seq, const char *what,
			 const char *(*name_of)(const void *, unsigned),
			 const void *array, unsigned count)
{
	char shown[160];
	for (unsigned i = 1; i < count; i++) {
		for (unsigned j = 0; j < i; j++) {
			if (strcmp(name_of(array, i), name_of(array, j)) != 0)
				continue;
			yaml_node_t *again = value_of(c, yw_seq_item(c->doc, seq, i), "name");
			yaml_node_t *first = value_of(c, yw_seq_item(c->doc, seq, j), "name");
			quote(shown, sizeof shown, name_of(array, i));
			/* An alias shares its anchor's node: no second place. */
			if (again == first)
				report(c, again, "%s name %s given twice (an alias "
				       "repeats the %s)", what, shown, what);
			else
				report(c, again, "%s name %s given twice (first at "
				       "line %u, column %u)", what, shown,
				       yw_line(first), yw_column(first));
			break;
		}
	}
}

static const char *population_name(const void *array, unsigned i)
{
	return ((const struct scn_raw_population *)array)[i].name;
}

static const char *design_name(const void *array, unsigned i)
{
	return ((const struct scn_raw_design *)array)[i].name;
}

static enum scn_source_kind source(struct check *c, yaml_node_t *map, const char *text)
{
	char shown[160];
	for (size_t i = COUNT_OF(source_file_names); i < COUNT_OF(source_kind_names); i++) {
		if (strcmp(text, source_kind_names[i]) == 0) {
			report(c, value_of(c, map, "source"), "source %s is not supported "
			       "in scenario files yet (valid: unique)",
			       quote(shown, sizeof shown, text));
			return SCN_SOURCE_UNIQUE;
		}
	}
	int k = pick(c, map, "source", text, source_file_names, COUNT_OF(source_file_names));
	return k >= 0 ? (enum scn_source_kind)k : SCN_SOURCE_UNIQUE;
}

static void populations(struct check *c, const struct scn_raw *raw,
			yaml_node_t *root, struct scenario *scn)
{
	yaml_node_t *seq = value_of(c, root, "populations");
	for (unsigned i = 0; i < raw->populations_count; i++) {
		const struct scn_raw_population *rp = &raw->populations[i];
		struct scn_population *p = &scn->populations[i];
		yaml_node_t *map = yw_seq_item(c->doc, seq, i);
		if (!map)
			map = seq;
		name(c, map, rp->name, SCN_NAME_MAX - 1, p->name);
		whole(c, map, "users", rp->users, 1, SCN_MAX_USERS, &p->users);
		p->source = SCN_SOURCE_UNIQUE;
		if (rp->source)
			p->source = source(c, map, rp->source);
		p->request_rate = rate(c, map, rp->rate);
	}
	unique_names(c, seq, "population", population_name, raw->populations,
		     raw->populations_count);
	scn->npopulations = raw->populations_count;
}

static void designs(struct check *c, const struct scn_raw *raw,
		    yaml_node_t *root, struct scenario *scn)
{
	yaml_node_t *seq = value_of(c, root, "designs");
	for (unsigned i = 0; i < raw->designs_count; i++) {
		const struct scn_raw_design *rd = &raw->designs[i];
		struct scn_design *d = &scn->designs[i];
		yaml_node_t *map = yw_seq_item(c->doc, seq, i);
		if (!map)
			map = seq;
		name(c, map, rd->name, SCN_NAME_MAX - 1, d->name);
		int k = pick(c, map, "kind", rd->kind, design_kind_names,
			     COUNT_OF(design_kind_names));
		d->kind = k >= 0 ? (enum scn_design_kind)k : SCN_DESIGN_L4;
		d->balance = balance(c, map, rd->balance, d->kind, k >= 0,
				     scn->servers.count, &d->sel_params);
		scn_set_design_defaults(d);
	}
	unique_names(c, seq, "design", design_name, raw->designs, raw->designs_count);
	scn->ndesigns = raw->designs_count;
}

int scn_convert(const struct scn_raw *raw, yaml_document_t *doc,
		struct scenario **out, struct scn_error *err)
{
	struct check c = { .doc = doc, .err = err, .failed = 0 };
	yaml_node_t *root = yaml_document_get_root_node(doc);
	struct scenario *scn = calloc(1, sizeof *scn);
	if (!scn)
		goto oom;
	scn->populations = calloc(raw->populations_count ? raw->populations_count : 1,
				  sizeof *scn->populations);
	scn->designs = calloc(raw->designs_count ? raw->designs_count : 1,
			      sizeof *scn->designs);
	if (!scn->populations || !scn->designs)
		goto oom;

	/* Everything the schema has no key for yet keeps the documented
	 * defaults: zero (no persistence, no health check, no faults, open
	 * traffic) or the tables of scn_set_*_defaults(). */
	scn_set_workload_defaults(scn);
	name(&c, root, raw->name, sizeof scn->name - 1, scn->name);
	scn->duration = duration(&c, root, "duration", raw->duration, 0);
	scn->warmup = raw->warmup ? duration(&c, root, "warmup", raw->warmup, 1) : 0;
	scn->seed = 1;
	if (raw->seed)
		whole(&c, root, "seed", raw->seed, 0, UINT64_MAX, &scn->seed);
	scn->replications = whole32(&c, root, "replications", raw->replications, 1,
				    SCN_MAX_REPLICATIONS, 1);

	yaml_node_t *servers = value_of(&c, root, "servers");
	const struct scn_raw_servers *rs = raw->servers;
	scn->servers.count = whole32(&c, servers, "count", rs->count, 1, SCN_MAX_SERVERS, 0);
	scn->servers.cores = whole32(&c, servers, "cores", rs->cores, 1, SCN_MAX_CORES, 1);
	scn->servers.service_mean = duration(&c, servers, "service", rs->service, 0);

	populations(&c, raw, root, scn);
	designs(&c, raw, root, scn);

	if (c.failed) {
		scn_free(scn);
		return -1;
	}
	*out = scn;
	return 0;
oom:
	scn_free(scn);
	scn_err_set(err, 0, 0, "out of memory while loading the scenario");
	return -1;
}
