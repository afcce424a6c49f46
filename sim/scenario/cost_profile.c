/* Reading cost profiles; see include/lbsim/cost_profile.h and the README,
 * "Cost profiles", for the format.
 *
 * A profile is a small YAML document walked node by node with the
 * scenario loader's tools (yaml_document.c composes it and words syntax
 * errors, scenario_check.c checks single values and words their
 * mistakes), so a mistake in a profile reads exactly like one in a
 * scenario: `file:line:column: what is wrong`, the first mistake in file
 * order. Every key is known or refused with the nearest valid one; every
 * figure has a value, a unit of its kind and a source, because a price
 * without a source cannot be defended in a design review.
 *
 * The shipped profiles are the same text compiled in
 * (cost_profile_builtin.h) and read by the same code.
 */
#include "lbsim/cost_profile.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cost_profile_builtin.h"
#include "scenario_internal.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* No figure of any kind is worth more: a price above a second per byte,
 * a terabyte per object or a cache of 10^12 slots is a mistake. */
#define MAX_FIGURE 1e12

static const char *const top_keys[] = {"lbsim-cost-profile", "name", "description",
				       "provenance", "figures"};
static const char *const provenance_keys[] = {"kind", "source", "host", "cpu", "cores",
					      "versions", "date", "repeats", "tool"};
static const char *const figure_keys[] = {"value", "unit", "source", "spread", "measured"};
static const char *const spread_keys[] = {"min", "max", "stddev"};
static const char *const provenance_kinds[] = {"published", "measured", "assumed", "mixed"};

/* The units of each kind and what one of them is in the stored unit (ns
 * per operation or per byte, bytes, a count, seconds); a rate (per-s,
 * B/s) is stored as its inverse: ns = factor / value. */
struct unit {
	const char *name;
	double factor;
	int rate;
};
static const struct unit op_units[] = {
	{"ns", 1, 0}, {"us", 1e3, 0}, {"ms", 1e6, 0}, {"s", 1e9, 0}, {"per-s", 1e9, 1}};
static const struct unit byte_units[] = {
	{"ns/B", 1, 0}, {"B/s", 1e9, 1}, {"MB/s", 1e3, 1}, {"GB/s", 1, 1}, {"Gbit/s", 8, 1}};
static const struct unit mem_units[] = {
	{"B", 1, 0}, {"kB", 1e3, 0}, {"KiB", 1024, 0}, {"MB", 1e6, 0}, {"MiB", 1048576, 0}};
static const struct unit count_units[] = {{"count", 1, 0}};
static const struct unit time_units[] = {{"ms", 1e-3, 0}, {"s", 1, 0}, {"m", 60, 0}};

static const struct {
	const struct unit *u;
	size_t n;
} units_of[] = {
	[COST_KIND_OP] = {op_units, COUNT_OF(op_units)},
	[COST_KIND_BYTE] = {byte_units, COUNT_OF(byte_units)},
	[COST_KIND_MEM] = {mem_units, COUNT_OF(mem_units)},
	[COST_KIND_COUNT] = {count_units, COUNT_OF(count_units)},
	[COST_KIND_TIME] = {time_units, COUNT_OF(time_units)},
};

/* Every key of map is among keys[0..n); each is reported otherwise, with
 * the nearest. what names the mapping in the message. */
static void known_keys(struct scn_ctx *c, yaml_node_t *map, const char *what,
		       const char *const *keys, size_t n)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		if (!k || k->type != YAML_SCALAR_NODE) {
			scn_report(c, k ? k : map, "%s: keys are single words", what);
			continue;
		}
		const char *text = (const char *)k->data.scalar.value;
		size_t i = 0;
		while (i < n && strcmp(keys[i], text) != 0)
			i++;
		if (i == n)
			scn_unknown_name(c, k, what, text, k->data.scalar.length, keys, n);
		/* what: "key", "provenance key", ... as the message says it */
		else if (yw_map_key(c->doc, map, text, strlen(text), 1))
			scn_report(c, yw_map_key(c->doc, map, text, strlen(text), 1),
				   "%s: '%s' given twice", what, text);
	}
}

/* The mapping under key of map, or NULL (reported when required or when
 * it is not a mapping). */
static yaml_node_t *mapping_of(struct scn_ctx *c, yaml_node_t *map, const char *key, int required)
{
	yaml_node_t *v = yw_map_value(c->doc, map, key, strlen(key), 0);
	if (!v) {
		if (required)
			scn_report(c, map, "'%s' is required", key);
		return NULL;
	}
	if (v->type != YAML_MAPPING_NODE) {
		scn_report(c, v, "'%s' must be a mapping, got %s", key, yw_node_kind(v));
		return NULL;
	}
	return v;
}

/* The text of scalar key of map, copied into dst (len bytes); 0, or -1
 * when absent (reported when required), not a scalar, empty or too long. */
static int text_of(struct scn_ctx *c, yaml_node_t *map, const char *key, int required, char *dst,
		   size_t len)
{
	yaml_node_t *v = yw_map_value(c->doc, map, key, strlen(key), 0);
	if (!v) {
		if (required)
			scn_report(c, map, "'%s' is required", key);
		return -1;
	}
	if (v->type != YAML_SCALAR_NODE || yw_is_null(v)) {
		scn_report(c, v, "'%s' must be a text, got %s", key, yw_node_kind(v));
		return -1;
	}
	if (v->data.scalar.length >= len) {
		scn_report(c, v, "'%s' is longer than %zu bytes", key, len - 1);
		return -1;
	}
	for (size_t i = 0; i < v->data.scalar.length; i++)
		if ((unsigned char)v->data.scalar.value[i] < 0x20) {
			scn_report(c, v, "'%s' holds a control character", key);
			return -1;
		}
	memcpy(dst, v->data.scalar.value, v->data.scalar.length);
	dst[v->data.scalar.length] = '\0';
	return 0;
}

static void provenance(struct scn_ctx *c, yaml_node_t *root, struct cost_profile *out)
{
	yaml_node_t *map = mapping_of(c, root, "provenance", 1);
	if (!map)
		return;
	known_keys(c, map, "provenance key", provenance_keys, COUNT_OF(provenance_keys));
	int kind = -1;
	if (text_of(c, map, "kind", 1, out->kind, sizeof out->kind) == 0)
		kind = scn_pick(c, map, "kind", out->kind, provenance_kinds,
				COUNT_OF(provenance_kinds));
	text_of(c, map, "source", 1, out->source, sizeof out->source);
	int measured = kind == 1;
	text_of(c, map, "host", measured, out->host, sizeof out->host);
	text_of(c, map, "cpu", measured, out->cpu, sizeof out->cpu);
	text_of(c, map, "date", measured, out->date, sizeof out->date);
	char scratch[256];
	text_of(c, map, "tool", 0, scratch, sizeof scratch);
	const char *cores = scn_text_of(c, map, "cores");
	uint64_t v;
	if (cores)
		scn_whole(c, map, "cores", cores, 1, 65536, &v);
	const char *repeats = scn_text_of(c, map, "repeats");
	if (repeats) {
		if (scn_whole(c, map, "repeats", repeats, 1, 1000000, &v) == 0)
			out->repeats = (uint32_t)v;
	} else if (measured) {
		scn_report(c, map, "'repeats' is required for a measured profile");
	}
	yaml_node_t *versions = mapping_of(c, map, "versions", measured);
	if (!versions)
		return;
	for (yaml_node_pair_t *p = versions->data.mapping.pairs.start;
	     p < versions->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *val = yaml_document_get_node(c->doc, p->value);
		if (!k || k->type != YAML_SCALAR_NODE || !val || val->type != YAML_SCALAR_NODE ||
		    yw_is_null(val))
			scn_report(c, val ? val : versions,
				   "versions: each entry is a name and a version text");
	}
}

/* value, unit and source of one figure into out->p. */
static void figure(struct scn_ctx *c, yaml_node_t *key, yaml_node_t *map, enum cost_figure f,
		   struct cost_profile *out)
{
	const char *name = cost_figures[f].name;
	if (map->type != YAML_MAPPING_NODE) {
		scn_report(c, map, "figure '%s' must be a mapping of value, unit and source, got %s",
			   name, yw_node_kind(map));
		return;
	}
	known_keys(c, map, "figure key", figure_keys, COUNT_OF(figure_keys));
	char source[512], unit[16];
	text_of(c, map, "source", 1, source, sizeof source);
	double value = 0;
	const char *vtext = scn_text_of(c, map, "value");
	int ok = 0;
	if (!vtext)
		scn_report(c, yw_map_value(c->doc, map, "value", 5, 0) ? yw_map_value(c->doc, map, "value", 5, 0) : map,
			   "figure '%s': 'value' is required, a number", name);
	else
		ok = scn_number(c, map, "value", vtext, 0, 0, MAX_FIGURE, NULL, &value) == 0;
	if (text_of(c, map, "unit", 1, unit, sizeof unit) != 0)
		return;
	const struct unit *units = units_of[cost_figures[f].kind].u;
	size_t n = units_of[cost_figures[f].kind].n;
	const struct unit *u = NULL;
	for (size_t i = 0; i < n && !u; i++)
		if (strcmp(units[i].name, unit) == 0)
			u = &units[i];
	if (!u) {
		const char *names[8];
		for (size_t i = 0; i < n; i++)
			names[i] = units[i].name;
		scn_unknown_name(c, yw_map_value(c->doc, map, "unit", 4, 0), "unit", unit, strlen(unit),
				 names, n);
		return;
	}
	if (u->rate && ok && !(value > 0)) {
		scn_report(c, yw_map_value(c->doc, map, "value", 5, 0),
			   "figure '%s': a rate (%s) must be > 0", name, u->name);
		return;
	}
	if (f == COST_FIG_MTU && ok && !(value >= 1 && value <= 65535 && value == floor(value))) {
		scn_report(c, yw_map_value(c->doc, map, "value", 5, 0),
			   "figure 'mtu': a whole number of bytes 1 .. 65535");
		return;
	}
	yaml_node_t *spread = mapping_of(c, map, "spread", 0);
	if (spread) {
		known_keys(c, spread, "spread key", spread_keys, COUNT_OF(spread_keys));
		for (size_t i = 0; i < COUNT_OF(spread_keys); i++) {
			const char *t = scn_text_of(c, spread, spread_keys[i]);
			double x;
			if (t)
				scn_number(c, spread, spread_keys[i], t, 0, 0, MAX_FIGURE, NULL, &x);
		}
	}
	const char *measured = scn_text_of(c, map, "measured");
	int m;
	if (measured)
		scn_bool(c, map, "measured", measured, &m);
	if (!ok)
		return;
	*cost_figure_ptr(&out->p, f) = u->rate ? u->factor / value : value * u->factor;
	out->given |= UINT64_C(1) << f;
	(void)key;
}

static void figures(struct scn_ctx *c, yaml_node_t *root, struct cost_profile *out)
{
	yaml_node_t *map = mapping_of(c, root, "figures", 1);
	if (!map)
		return;
	const char *names[COST_FIG_COUNT];
	for (int i = 0; i < COST_FIG_COUNT; i++)
		names[i] = cost_figures[i].name;
	if (map->data.mapping.pairs.start == map->data.mapping.pairs.top)
		scn_report(c, map, "'figures' gives no figure");
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(c->doc, p->value);
		if (!k || k->type != YAML_SCALAR_NODE || !v) {
			scn_report(c, k ? k : map, "figures: keys are figure names");
			continue;
		}
		const char *text = (const char *)k->data.scalar.value;
		int f = cost_figure_find(text, k->data.scalar.length);
		if (f < 0) {
			scn_unknown_name(c, k, "figure", text, k->data.scalar.length, names,
					 COST_FIG_COUNT);
			continue;
		}
		if (yw_map_key(c->doc, map, text, k->data.scalar.length, 1) == k) {
			scn_report(c, k, "figure '%s' given twice", text);
			continue;
		}
		figure(c, k, v, (enum cost_figure)f, out);
	}
}

int cost_profile_parse(const char *name, const char *data, size_t len, struct cost_profile *out,
		       struct scn_error *err)
{
	memset(out, 0, sizeof *out);
	memset(err, 0, sizeof *err);
	snprintf(err->file, sizeof err->file, "%s", name);
	snprintf(out->where, sizeof out->where, "%s", name);
	if (len > COST_PROFILE_MAX_BYTES) {
		scn_err_set(err, 0, 0, "file too large for a cost profile (over %u MiB)",
			    COST_PROFILE_MAX_BYTES >> 20);
		return -1;
	}
	if (len && memchr(data, '\0', len)) {
		scn_err_set(err, 0, 0, "binary file, not a YAML cost profile");
		return -1;
	}
	yaml_document_t doc;
	if (yw_load_document(data, len, &doc, err) < 0)
		return -1;
	struct scn_ctx c = {.doc = &doc, .err = err};
	snprintf(c.scenario_file, sizeof c.scenario_file, "%s", name); /* the file mistakes name */
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (!root || yw_is_null(root)) {
		scn_err_set(err, 0, 0, "empty cost profile");
		c.failed = 1;
	} else if (root->type != YAML_MAPPING_NODE) {
		scn_report(&c, root, "a cost profile is a YAML mapping of lbsim-cost-profile, name, "
				     "provenance and figures");
	} else {
		known_keys(&c, root, "key", top_keys, COUNT_OF(top_keys));
		const char *version = scn_text_of(&c, root, "lbsim-cost-profile");
		if (!version)
			scn_report(&c, root, "'lbsim-cost-profile' is required: the format "
					     "version, 1");
		else if (strcmp(version, "1") != 0)
			scn_report(&c, scn_value_of(&c, root, "lbsim-cost-profile"),
				   "lbsim-cost-profile %s: this lbsim reads version 1", version);
		if (text_of(&c, root, "name", 1, out->name, sizeof out->name) == 0)
			scn_name(&c, root, out->name, sizeof out->name - 1, out->name);
		text_of(&c, root, "description", 0, out->description, sizeof out->description);
		provenance(&c, root, out);
		figures(&c, root, out);
	}
	yaml_document_delete(&doc);
	return c.failed ? -1 : 0;
}

int cost_profile_load(const char *path, struct cost_profile *out, struct scn_error *err)
{
	memset(err, 0, sizeof *err);
	snprintf(err->file, sizeof err->file, "%s", path);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		scn_err_set(err, 0, 0, "cannot open the cost profile: %s", strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		scn_err_set(err, 0, 0, "not a regular file, not a cost profile");
		close(fd);
		return -1;
	}
	char *data = malloc(COST_PROFILE_MAX_BYTES + 1);
	size_t len = 0;
	int rc = -1;
	if (!data) {
		scn_err_set(err, 0, 0, "out of memory");
		goto out;
	}
	while (len <= COST_PROFILE_MAX_BYTES) {
		ssize_t n = read(fd, data + len, COST_PROFILE_MAX_BYTES + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			scn_err_set(err, 0, 0, "cannot read the cost profile: %s", strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	rc = cost_profile_parse(path, data, len, out, err);
out:
	free(data);
	close(fd);
	return rc;
}

int cost_profile_builtin(const char *name, struct cost_profile *out)
{
	for (size_t i = 0; i < cost_profile_ntexts; i++) {
		const struct cost_profile_text *t = &cost_profile_texts[i];
		if (strcmp(t->name, name) != 0)
			continue;
		char where[128];
		snprintf(where, sizeof where, "built in, profiles/%s.yaml", t->name);
		struct scn_error err;
		/* tests/test_cost_profile.c reads every shipped profile: a
		 * mistake in one fails the build's tests, never a run. */
		if (cost_profile_parse(where, t->data, t->len, out, &err) != 0)
			return -1;
		return 0;
	}
	return -1;
}

size_t cost_profile_builtin_count(void)
{
	return cost_profile_ntexts;
}

const char *cost_profile_builtin_name(size_t i)
{
	return i < cost_profile_ntexts ? cost_profile_texts[i].name : NULL;
}

const char *cost_profile_default_name(enum cost_impl impl)
{
	return impl == COST_IMPL_PROXY ? "haproxy" : "ipvs";
}
