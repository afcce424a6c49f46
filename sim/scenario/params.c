/* Parameter overrides (`--set KEY=V1,V2,...`); see include/lbsim/params.h.
 *
 * A key is resolved against the schema (scenario_schema.c: which keys
 * exist, which are single values, which lists are named) and against the
 * file (which populations, designs and faults it has): the result is one
 * path of keys and list items per place the key names ("*" names several).
 * A value is applied by editing the file's text at those paths
 * (scenario_edit.c) and loading it like any file, so every rule is the
 * loader's, the core's parameter tables included (lb_param.h).
 *
 * params_parse tries each value on the file alone, path by path: a value
 * the loader refuses where it was written (a range, a key that does not
 * apply to that design) is refused for a single path, and for "*" marks
 * the places it does not go (cookie persistence: the layer-7 designs
 * only); one that breaks something elsewhere (a fault on a server that
 * servers.count leaves out) may be mended by another key, so it is left to
 * the point, which is loaded whole. Cost: one load of the file per value
 * and path in params_parse, one per point in params_point; a load is
 * linear in the file (a few kilobytes).
 */
#include "lbsim/params.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lbsim/lb_health.h"
#include "lbsim/lb_pers.h"
#include "lbsim/lb_sel.h"
#include "scenario_internal.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_PATHS 4096u    /* places one key may name with its "*"s */

struct param_path {
	struct scn_step step[SCN_PATH_MAX];
	size_t n;
	const cyaml_schema_field_t *parent;  /* the mapping that holds the last key */
	const char *primary;                 /* shorthand: the key of that mapping the value sets */
	char name[PARAMS_KEY_MAX];           /* "designs.l7.check.fall" */
};

/* ---- what a choice takes ---------------------------------------------------
 * A key that chooses an algorithm, method or kind, and the parameter
 * tables of the choices: setting it removes the keys beside it that the
 * new choice does not take. */

static const struct lb_param *sel_own(const char *v)
{
	struct lb_sel_params p;
	memset(&p, 0, sizeof p);
	const struct lb_sel_ops *ops = lb_sel_parse(v, &p);
	return ops ? ops->params : NULL;
}

static int sel_known(const char *v)
{
	struct lb_sel_params p;
	return lb_sel_parse(v, &p) != NULL;
}

static const struct lb_param *pers_own(const char *v)
{
	const struct lb_pers_ops *ops = lb_pers_find(v);
	return ops ? ops->params : NULL;
}

static int pers_known(const char *v)
{
	return lb_pers_find(v) != NULL;
}

static const struct lb_param *hc_own(const char *v)
{
	const struct lb_hc_ops *ops = lb_hc_find(v);
	return ops ? ops->params : NULL;
}

static int hc_known(const char *v)
{
	return lb_hc_find(v) != NULL;
}

static const struct chooser {
	const char *noun;      /* the mapping (scn_schema_mapping_noun) */
	const char *key;       /* the key that chooses */
	const struct lb_param_owners *owners;  /* the universe, the common table included */
	const struct lb_param *(*own)(const char *value);            /* the choice's own table */
	int (*known)(const char *value);
} choosers[] = {
	{"design", "balance", &lb_sel_owners, sel_own, sel_known},
	{"persist", "method", &lb_pers_owners, pers_own, pers_known},
	{"check", "kind", &lb_hc_owners, hc_own, hc_known},
};

/* A mapping given a single value: the key of it the value sets ("none"
 * removes the mapping). */
static const struct {
	const char *noun;
	const char *primary;
} shorthands[] = {
	{"persist", "method"},
	{"check", "kind"},
};

static const struct chooser *chooser_of(const char *noun)
{
	for (size_t i = 0; noun && i < COUNT_OF(choosers); i++)
		if (strcmp(choosers[i].noun, noun) == 0)
			return &choosers[i];
	return NULL;
}

/* ---- resolving a key -------------------------------------------------------- */

struct resolver {
	yaml_document_t *doc;
	const char *key;                 /* as given, for messages */
	struct param_path *paths;
	uint32_t npaths;
	char *err;
	size_t errlen;
};

/* Append ".seg" (or "seg" first) to the path's name. */
static void name_add(struct param_path *p, const char *seg, size_t len)
{
	size_t used = strlen(p->name);
	snprintf(p->name + used, sizeof p->name - used, "%s%.*s", used ? "." : "", (int)len, seg);
}

/* The field of fields that seg (len bytes) names: exactly, with '_' read
 * as '-' (lb_cores), or an old spelling of a top-level list (design,
 * population). */
static const cyaml_schema_field_t *find_key(const cyaml_schema_field_t *fields, const char *seg,
					    size_t len, int top)
{
	const cyaml_schema_field_t *f = scn_schema_field(fields, seg, len);
	if (f || len >= 64)
		return f;
	char alt[72];
	memcpy(alt, seg, len);
	alt[len] = '\0';
	for (size_t i = 0; i < len; i++)
		if (alt[i] == '_')
			alt[i] = '-';
	f = scn_schema_field(fields, alt, len);
	if (!f && top && (strcmp(alt, "design") == 0 || strcmp(alt, "population") == 0)) {
		alt[len] = 's';
		f = scn_schema_field(fields, alt, len + 1);
	}
	return f;
}

static int unknown_key(struct resolver *r, const cyaml_schema_field_t *fields, const char *seg,
		       size_t len, const struct param_path *at)
{
	char keys[1024], shown[160];
	struct scn_suggest s;
	scn_suggest_init(&s, seg, len);
	for (const cyaml_schema_field_t *f = fields; f->key; f++)
		scn_suggest_consider(&s, f->key);
	int top = at->n == 0;
	if (top)
		scn_suggest_consider(&s, "users");
	scn_schema_keys(fields, keys, sizeof keys);
	yw_quote(shown, sizeof shown, seg, len);
	const char *noun = scn_schema_mapping_noun(fields);
	char where[200];
	if (top)
		snprintf(where, sizeof where, "the scenario");
	else {
		const char *last = strrchr(at->name, '.');
		last = last ? last + 1 : at->name;
		if (noun && strcmp(noun, last) != 0)
			snprintf(where, sizeof where, "%s (a %s)", at->name, noun);
		else
			snprintf(where, sizeof where, "%s", at->name);
	}
	if (s.best)
		snprintf(r->err, r->errlen, "--set %s: %s has no key %s; did you mean '%s'? (keys: "
			 "%s%s)", r->key, where, shown, s.best, keys, top ? ", users" : "");
	else
		snprintf(r->err, r->errlen, "--set %s: %s has no key %s (keys: %s%s)", r->key, where,
			 shown, keys, top ? ", users" : "");
	return -1;
}

static int add_path(struct resolver *r, const struct param_path *p)
{
	if (r->npaths == MAX_PATHS) {
		snprintf(r->err, r->errlen, "--set %s names more than %u places", r->key, MAX_PATHS);
		return -1;
	}
	if ((r->npaths & (r->npaths - 1)) == 0) {
		struct param_path *grown = realloc(r->paths, (r->npaths ? 2 * r->npaths : 1) *
						   sizeof *grown);
		if (!grown) {
			snprintf(r->err, r->errlen, "out of memory");
			return -1;
		}
		r->paths = grown;
	}
	r->paths[r->npaths++] = *p;
	return 0;
}

/* What a key names that is not a single value. */
static int not_a_value(struct resolver *r, const struct param_path *p,
		       const cyaml_schema_value_t *v)
{
	char keys[1024];
	if (v->type == CYAML_MAPPING) {
		scn_schema_keys(v->mapping.fields, keys, sizeof keys);
		snprintf(r->err, r->errlen, "--set %s: %s is a mapping; give one of its keys (%s)",
			 r->key, p->name, keys);
	} else {
		snprintf(r->err, r->errlen, "--set %s: %s is a list; give an entry and its key "
			 "(such as %s.1)", r->key, p->name, p->name);
	}
	return -1;
}

static int resolve(struct resolver *r, const cyaml_schema_value_t *schema, yaml_node_t *node,
		   const char *rest, struct param_path cur);

/* The leaf of a key: a single value, or a mapping with a shorthand. */
static int leaf(struct resolver *r, const cyaml_schema_field_t *f,
		const cyaml_schema_field_t *fields, struct param_path *cur)
{
	cur->parent = fields;
	if (f->value.type == CYAML_STRING)
		return add_path(r, cur);
	if (f->value.type == CYAML_MAPPING) {
		const char *noun = scn_schema_mapping_noun(f->value.mapping.fields);
		for (size_t i = 0; noun && i < COUNT_OF(shorthands); i++) {
			if (strcmp(shorthands[i].noun, noun) == 0) {
				cur->parent = f->value.mapping.fields;
				cur->primary = shorthands[i].primary;
				return add_path(r, cur);
			}
		}
	}
	return not_a_value(r, cur, &f->value);
}

/* The entries of a list that rest starts with: "*", a name (the longest
 * that matches: names may hold dots) or a number from 1. */
static int resolve_items(struct resolver *r, const cyaml_schema_value_t *schema,
			 yaml_node_t *node, const char *rest, struct param_path cur)
{
	const cyaml_schema_value_t *entry = schema->sequence.entry;
	int named = entry->type == CYAML_MAPPING && scn_schema_field(entry->mapping.fields, "name", 4);
	size_t n = node && node->type == YAML_SEQUENCE_NODE
			   ? (size_t)(node->data.sequence.items.top - node->data.sequence.items.start)
			   : 0;
	const char *list = cur.name;
	if (cur.n == SCN_PATH_MAX) {
		snprintf(r->err, r->errlen, "--set %s: too deep", r->key);
		return -1;
	}
	if (rest[0] == '*' && (rest[1] == '.' || rest[1] == '\0')) {
		if (rest[1] == '\0') {
			cur.step[cur.n] = (struct scn_step){NULL, 0};
			return not_a_value(r, &cur, entry);
		}
		if (n == 0) {
			snprintf(r->err, r->errlen, "--set %s: the scenario has no %s", r->key, list);
			return -1;
		}
		for (size_t i = 0; i < n; i++) {
			struct param_path p = cur;
			p.step[p.n++] = (struct scn_step){NULL, i};
			/* The entry's own name (or number), for messages. */
			yaml_node_t *nm = named ? yw_map_value(r->doc, yw_seq_item(r->doc, node, i),
							       "name", 4, 0)
						: NULL;
			char num[24];
			if (nm && nm->type == YAML_SCALAR_NODE)
				name_add(&p, (const char *)nm->data.scalar.value, nm->data.scalar.length);
			else
				name_add(&p, num, (size_t)snprintf(num, sizeof num, "%zu", i + 1));
			if (resolve(r, entry, yw_seq_item(r->doc, node, i), rest + 2, p) != 0)
				return -1;
		}
		return 0;
	}
	long pick = -1;
	size_t used = 0;
	if (named) {
		for (size_t i = 0; i < n; i++) {
			yaml_node_t *nm = yw_map_value(r->doc, yw_seq_item(r->doc, node, i), "name", 4, 0);
			if (!nm || nm->type != YAML_SCALAR_NODE)
				continue;
			size_t len = nm->data.scalar.length;
			if (len > used && strncmp(rest, (const char *)nm->data.scalar.value, len) == 0 &&
			    (rest[len] == '.' || rest[len] == '\0')) {
				pick = (long)i;
				used = len;
			}
		}
	} else {
		char *end;
		errno = 0;
		unsigned long k = isdigit((unsigned char)rest[0]) ? strtoul(rest, &end, 10) : 0;
		if (k >= 1 && k <= n && !errno && (*end == '.' || *end == '\0')) {
			pick = (long)k - 1;
			used = (size_t)(end - rest);
		}
	}
	if (pick < 0 && n == 0) {
		snprintf(r->err, r->errlen, "--set %s: the scenario has no %s", r->key, list);
		return -1;
	}
	if (pick < 0) {
		char names[768] = "", shown[160];
		size_t seg = strcspn(rest, "."), w = 0;
		struct scn_suggest s;
		scn_suggest_init(&s, rest, seg);
		for (size_t i = 0; named && i < n && w < sizeof names; i++) {
			yaml_node_t *nm = yw_map_value(r->doc, yw_seq_item(r->doc, node, i), "name", 4, 0);
			if (!nm || nm->type != YAML_SCALAR_NODE)
				continue;
			const char *v = (const char *)nm->data.scalar.value;
			scn_suggest_consider(&s, v);
			int k = snprintf(names + w, sizeof names - w, "%s%s", w ? ", " : "", v);
			if (k > 0)
				w += (size_t)k;
		}
		yw_quote(shown, sizeof shown, rest, seg);
		if (!named)
			snprintf(r->err, r->errlen, "--set %s: %s has no entry %s (entries 1 to %zu, "
				 "or * for every one)", r->key, list, shown, n);
		else if (s.best)
			snprintf(r->err, r->errlen, "--set %s: %s has no entry %s; did you mean '%s'? "
				 "(%s: %s; or * for every one)", r->key, list, shown, s.best, list, names);
		else
			snprintf(r->err, r->errlen, "--set %s: %s has no entry %s (%s: %s; or * for "
				 "every one)", r->key, list, shown, list, names);
		return -1;
	}
	cur.step[cur.n++] = (struct scn_step){NULL, (size_t)pick};
	name_add(&cur, rest, used);
	if (rest[used] == '\0')
		return not_a_value(r, &cur, entry);
	return resolve(r, entry, yw_seq_item(r->doc, node, (size_t)pick), rest + used + 1, cur);
}

static int resolve(struct resolver *r, const cyaml_schema_value_t *schema, yaml_node_t *node,
		   const char *rest, struct param_path cur)
{
	if (schema->type == CYAML_SEQUENCE)
		return resolve_items(r, schema, node, rest, cur);
	if (schema->type != CYAML_MAPPING) {
		snprintf(r->err, r->errlen, "--set %s: %s is a single value; nothing is under it",
			 r->key, cur.name);
		return -1;
	}
	const cyaml_schema_field_t *fields = schema->mapping.fields;
	size_t len = strcspn(rest, ".");
	const cyaml_schema_field_t *f = find_key(fields, rest, len, cur.n == 0);
	if (!f)
		return unknown_key(r, fields, rest, len, &cur);
	if (cur.n == SCN_PATH_MAX) {
		snprintf(r->err, r->errlen, "--set %s: too deep", r->key);
		return -1;
	}
	cur.step[cur.n++] = (struct scn_step){f->key, 0};
	name_add(&cur, f->key, strlen(f->key));
	yaml_node_t *child = node ? yw_map_value(r->doc, node, f->key, strlen(f->key), 0) : NULL;
	if (rest[len] == '\0')
		return leaf(r, f, fields, &cur);
	if (f->value.type == CYAML_STRING) {
		snprintf(r->err, r->errlen, "--set %s: %s is a single value; nothing is under it",
			 r->key, cur.name);
		return -1;
	}
	return resolve(r, &f->value, child, rest + len + 1, cur);
}

/* ---- applying a value ------------------------------------------------------- */

/* The path p with key appended (a key of the mapping p leads to). */
static size_t path_plus(const struct param_path *p, size_t n, const char *key,
			struct scn_step *out)
{
	memcpy(out, p->step, n * sizeof *out);
	out[n] = (struct scn_step){key, 0};
	return n + 1;
}

/* After value was set at step[0..n) (its last key in mapping `fields`):
 * remove the keys beside it that the choice it made does not take. */
static int drop_untaken(struct scn_text *t, const struct scn_step *step, size_t n,
			const cyaml_schema_field_t *fields, const char *value, char *err,
			size_t errlen)
{
	const struct chooser *c = chooser_of(scn_schema_mapping_noun(fields));
	const char *key = step[n - 1].key;
	struct scn_step at[SCN_PATH_MAX + 1];
	if (!c)
		return 0;
	memcpy(at, step, (n - 1) * sizeof *at);
	for (const cyaml_schema_field_t *f = fields; f->key; f++) {
		const struct lb_param *p = lb_param_any(c->owners, f->key, strlen(f->key));
		if (!p || lb_param_find(c->owners->common, f->key, strlen(f->key)))
			continue;
		int drop = 0;
		if (strcmp(key, c->key) == 0 && c->known(value))
			drop = !lb_param_find(c->own(value), f->key, strlen(f->key));
		/* A key that applies only under another's choice (table-size
		 * under hash-type maglev). */
		const struct lb_param *w = p->when && strcmp(p->when, key) == 0
						   ? lb_param_any(c->owners, key, strlen(key))
						   : NULL;
		for (uint32_t i = 0; w && w->kind == LB_PARAM_CHOICE && i < w->nchoices; i++)
			if (strcmp(w->choices[i], value) == 0 && i != p->when_is)
				drop = 1;
		at[n - 1] = (struct scn_step){f->key, 0};
		if (drop && scn_text_delete(t, at, n, err, errlen) != 0)
			return -1;
	}
	return 0;
}

/* Apply value at path p of t, as params.h says. */
static int apply_at(struct scn_text *t, const struct param_path *p, const char *value, char *err,
		    size_t errlen)
{
	struct scn_step full[SCN_PATH_MAX + 1];
	if (!p->primary) {
		if (scn_text_set(t, p->step, p->n, value, err, errlen) != 0)
			return -1;
		return drop_untaken(t, p->step, p->n, p->parent, value, err, errlen);
	}
	if (strcmp(value, "none") == 0)
		return scn_text_delete(t, p->step, p->n, err, errlen);
	size_t n = path_plus(p, p->n, p->primary, full);
	if (scn_text_set(t, full, n, value, err, errlen) != 0)
		return -1;
	return drop_untaken(t, full, n, p->parent, value, err, errlen);
}

/* ---- values ------------------------------------------------------------------ */

/* v as sweep.csv shows it: durations in seconds, whole numbers as
 * written, other numbers as csv_out_num writes them, names as given. */
static void show_value(struct param_value *v)
{
	sim_time_t t;
	const char *why;
	char *end;
	memcpy(v->text, v->given, sizeof v->text);
	v->num = NAN;
	if (scn_parse_duration(v->given, &t, &why) == 0) {
		v->num = (double)t / (double)SIM_NS_PER_S;
		snprintf(v->text, sizeof v->text, "%.10g", v->num);
		return;
	}
	size_t digits = strspn(v->given, "0123456789");
	errno = 0;
	double x = strtod(v->given, &end);
	if (digits && !v->given[digits]) {
		v->num = x; /* a seed keeps every digit: it names a stream */
	} else if (!errno && !*end && isfinite(x) && !isspace((unsigned char)v->given[0])) {
		v->num = x;
		snprintf(v->text, sizeof v->text, "%.10g", x);
	}
}

/* Who made an edit: an axis and its value. */
struct owner {
	const struct param_axis *ax;
	uint32_t value;
};

/* An error message into err. A message longer than errlen is cut short:
 * its start says what is wrong and where, which is what the user needs
 * (vsnprintf, so the compiler does not flag the deliberate cut). */
__attribute__((format(printf, 3, 4))) static void say(char *err, size_t errlen,
							const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Load text as the file base was loaded from. On failure err says why:
 * "--set KEY=VALUE: message" when the loader's complaint is about what
 * edit e wrote (made by owner[e], or by *all when owner is NULL), else
 * the position in the file as written. *ours (may be NULL) is set to 1 in
 * the first case. */
static int load_text(const struct scenario *base, const struct scn_text *t,
		     const struct owner *owner, const struct owner *all, struct scenario **out,
		     int *ours, char *err, size_t errlen)
{
	struct scn_error e;
	if (ours)
		*ours = 0;
	if (scn_load_buffer(base->path, t->data, t->len, out, &e) == 0)
		return 0;
	unsigned line = e.line;
	long k = line ? scn_text_origin(t, &line, e.column) : -1;
	const struct owner *o = k < 0 ? NULL : owner ? &owner[k] : all;
	if (o && o->ax) {
		say(err, errlen, "--set %s=%s: %s", o->ax->key, o->ax->values[o->value].given,
			 e.message);
		if (ours)
			*ours = 1;
	} else if (line) {
		say(err, errlen, "%s:%u:%u: %s", e.file, line, e.column, e.message);
	} else {
		say(err, errlen, "%s: %s", e.file, e.message);
	}
	return -1;
}

/* The `users` key: value k's users of each population, into
 * ax->paths (populations.N.users) and ax->shares (value-major). */
static int users_axis(struct param_axis *ax, const struct scenario *file, char *err,
		      size_t errlen)
{
	uint32_t np = file->npopulations;
	ax->paths = calloc(np, sizeof *ax->paths);
	ax->shares = calloc((size_t)ax->nvalues * np, sizeof *ax->shares);
	if (!ax->paths || !ax->shares) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	ax->npaths = np;
	for (uint32_t i = 0; i < np; i++) {
		struct param_path *p = &ax->paths[i];
		p->step[0] = (struct scn_step){"populations", 0};
		p->step[1] = (struct scn_step){NULL, i};
		p->step[2] = (struct scn_step){"users", 0};
		p->n = 3;
		p->parent = scn_schema_fields("population");
		snprintf(p->name, sizeof p->name, "populations.%s.users", file->populations[i].name);
	}
	for (uint32_t k = 0; k < ax->nvalues; k++) {
		char *end;
		const char *g = ax->values[k].given;
		errno = 0;
		unsigned long long total = isdigit((unsigned char)g[0]) ? strtoull(g, &end, 10) : 0;
		struct scenario copy;
		if (errno || !total || *end || total > SCN_MAX_USERS * SCN_MAX_POPULATIONS) {
			snprintf(err, errlen, "--set %s: '%s' is not a whole number from 1 to %llu",
				 ax->key, g, (unsigned long long)(SCN_MAX_USERS * SCN_MAX_POPULATIONS));
			return -1;
		}
		if (params_copy(&copy, file) != 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		char why[256];
		int rc = params_scale_users(&copy, total, why, sizeof why);
		for (uint32_t i = 0; rc == 0 && i < np; i++)
			ax->shares[(size_t)k * np + i] = copy.populations[i].users;
		params_copy_free(&copy);
		if (rc != 0) {
			snprintf(err, errlen, "--set %s: %s", ax->key, why);
			return -1;
		}
	}
	return 0;
}

/* The text of value k of ax at path i ("users": that population's
 * share). */
static const char *value_at(const struct param_axis *ax, uint32_t k, uint32_t i, char *buf,
			    size_t len)
{
	if (!ax->users)
		return ax->values[k].given;
	snprintf(buf, len, "%llu", (unsigned long long)ax->shares[(size_t)k * ax->npaths + i]);
	return buf;
}

static int point_text(const struct scenario *base, const struct param_axis *axes,
		      uint32_t naxes, const uint32_t *choice, struct scn_text *t,
		      struct owner **owners, char *err, size_t errlen);

/* Every value of ax tried, path by path, on the file with the first value
 * of each axis before it (so that --set balance=random --set draws=3
 * works; see the top of this file). */
static int try_values(struct param_axis *ax, const struct scenario *base,
		      const struct param_axis *before, uint32_t nbefore, char *err, size_t errlen)
{
	uint32_t zeros[PARAMS_MAX_AXES] = {0};
	for (uint32_t k = 0; k < ax->nvalues; k++) {
		uint32_t fit = 0;
		char first[1400] = "";
		for (uint32_t i = 0; i < ax->npaths; i++) {
			struct scn_text t;
			struct scenario *s = NULL;
			struct owner *owners = NULL;
			char buf[32], why[1024];
			int ours = 0;
			if (point_text(base, before, nbefore, zeros, &t, &owners, err, errlen) != 0)
				return -1;
			size_t mine = t.nedits;
			int rc = apply_at(&t, &ax->paths[i], value_at(ax, k, i, buf, sizeof buf), why,
					  sizeof why);
			struct owner *grown = rc == 0 ? realloc(owners, (t.nedits + 1) * sizeof *owners)
						      : NULL;
			if (!grown) {
				if (rc == 0)
					snprintf(why, sizeof why, "out of memory");
				snprintf(err, errlen, "--set %s=%s: %s", ax->key, ax->values[k].given, why);
				free(owners);
				scn_text_free(&t);
				return -1;
			}
			owners = grown;
			for (size_t e = mine; e < t.nedits; e++)
				owners[e] = (struct owner){ax, k};
			int ok = load_text(base, &t, owners, NULL, &s, &ours, why, sizeof why) == 0;
			free(owners);
			scn_free(s);
			scn_text_free(&t);
			/* Broken elsewhere: perhaps mended by another key; the point says. */
			int fits = ok || !ours;
			ax->fits[(size_t)k * ax->npaths + i] = (uint8_t)fits;
			fit += (uint32_t)fits;
			if (!fits && !first[0])
				snprintf(first, sizeof first, "at %.160s, %.1000s", ax->paths[i].name,
					 strstr(why, ": ") ? strstr(why, ": ") + 2 : why);
			if (!fits && ax->npaths == 1) {
				snprintf(err, errlen, "%s", why);
				return -1;
			}
		}
		if (fit == 0) {
			snprintf(err, errlen, "--set %s=%s applies nowhere: %.1000s", ax->key,
				 ax->values[k].given, first);
			return -1;
		}
	}
	return 0;
}

int params_parse(struct param_axis *ax, const struct scenario *scn,
		 const struct param_axis *before, uint32_t nbefore, const char *arg, char *err,
		 size_t errlen)
{
	memset(ax, 0, sizeof *ax);
	err[0] = '\0';
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg) {
		snprintf(err, errlen, "--set takes KEY=VALUE[,VALUE...], got '%s'", arg);
		return -1;
	}
	size_t n = (size_t)(eq - arg);
	if (n >= sizeof ax->key) {
		snprintf(err, errlen, "--set: key too long: '%.40s...'", arg);
		return -1;
	}
	memcpy(ax->key, arg, n);
	ax->key[n] = '\0';
	if (!scn->source) {
		snprintf(err, errlen, "--set %s: the scenario has no file text to edit", ax->key);
		return -1;
	}
	for (const char *p = eq + 1;;) {
		size_t len = strcspn(p, ",");
		struct param_value *v = &ax->values[ax->nvalues];
		if (len == 0 || len >= sizeof v->given) {
			snprintf(err, errlen, "--set %s: %s value in '%s'", ax->key,
				 len ? "a too long" : "an empty", eq + 1);
			return -1;
		}
		if (ax->nvalues == PARAMS_MAX_VALUES) {
			snprintf(err, errlen, "--set %s: more than %d values", ax->key,
				 PARAMS_MAX_VALUES);
			return -1;
		}
		memcpy(v->given, p, len);
		v->given[len] = '\0';
		for (uint32_t i = 0; i < ax->nvalues; i++) {
			if (strcmp(ax->values[i].given, v->given) == 0) {
				snprintf(err, errlen, "--set %s: the value '%s' is given twice",
					 ax->key, v->given);
				return -1;
			}
		}
		show_value(v);
		ax->nvalues++;
		if (!p[len])
			break;
		p += len + 1;
	}

	/* The file as written, without the command's own options. */
	struct scenario *file = NULL;
	struct scn_error e;
	if (scn_load_buffer(scn->path, scn->source, scn->source_len, &file, &e) != 0) {
		snprintf(err, errlen, "%s: %s", e.file, e.message);
		return -1;
	}
	int rc = -1;
	if (strcmp(ax->key, "users") == 0) {
		ax->users = 1;
		if (users_axis(ax, file, err, errlen) != 0)
			goto out;
	} else {
		yaml_document_t doc;
		if (yw_load_document(scn->source, scn->source_len, &doc, &e) != 0) {
			snprintf(err, errlen, "%s: %s", e.file, e.message);
			goto out;
		}
		struct resolver r = {.doc = &doc, .key = ax->key, .err = err, .errlen = errlen};
		struct param_path start;
		memset(&start, 0, sizeof start);
		int bad = resolve(&r, &scn_raw_schema, yaml_document_get_root_node(&doc), ax->key,
				  start);
		yaml_document_delete(&doc);
		ax->paths = r.paths;
		ax->npaths = r.npaths;
		if (bad)
			goto out;
	}
	for (uint32_t b = 0; b < nbefore; b++)
		if (params_conflict(&before[b], ax, err, errlen))
			goto out;
	ax->fits = calloc((size_t)ax->nvalues * ax->npaths + 1, 1);
	if (!ax->fits) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	rc = try_values(ax, scn, before, nbefore, err, errlen);
out:
	scn_free(file);
	return rc;
}

/* The value a path sets: its name, and a shorthand's key after it
 * (designs.l7.check=tcp sets designs.l7.check.kind). */
static void effective(const struct param_path *p, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", p->name, p->primary ? "." : "", p->primary ? p->primary : "");
}

int params_sets(const struct param_axis *ax, const char *name)
{
	for (uint32_t i = 0; i < ax->npaths; i++) {
		char e[PARAMS_KEY_MAX + 32];
		effective(&ax->paths[i], e, sizeof e);
		if (strcmp(e, name) == 0)
			return 1;
		/* "users": every population's users. */
		if (strcmp(name, "users") == 0 && strncmp(e, "populations.", 12) == 0 &&
		    strlen(e) > 6 && strcmp(e + strlen(e) - 6, ".users") == 0)
			return 1;
	}
	return 0;
}

int params_conflict(const struct param_axis *a, const struct param_axis *b, char *err,
		    size_t errlen)
{
	for (uint32_t i = 0; i < a->npaths; i++) {
		char e[PARAMS_KEY_MAX + 32];
		effective(&a->paths[i], e, sizeof e);
		if (!params_sets(b, e))
			continue;
		if (strcmp(a->key, b->key) == 0)
			snprintf(err, errlen, "--set %s is given twice: give all its values in one "
				 "--set (%s=V1,V2,...); the later would override the earlier while "
				 "the rows are labelled with both", b->key, b->key);
		else
			snprintf(err, errlen, "--set %s and --set %s both set %s; give one of them",
				 a->key, b->key, e);
		return 1;
	}
	return 0;
}

void params_axis_free(struct param_axis *ax)
{
	free(ax->paths);
	free(ax->fits);
	free(ax->shares);
	ax->paths = NULL;
	ax->fits = NULL;
	ax->shares = NULL;
	ax->npaths = 0;
}

/* ---- points ----------------------------------------------------------------- */

/* base's text with value choice[a] of every axis; owners (may be NULL)
 * gets who made each edit (free it; NULL when none was made). */
static int point_text(const struct scenario *base, const struct param_axis *axes,
		      uint32_t naxes, const uint32_t *choice, struct scn_text *t,
		      struct owner **owners, char *err, size_t errlen)
{
	if (owners)
		*owners = NULL;
	if (!base->source || scn_text_init(t, base->source, base->source_len) != 0) {
		snprintf(err, errlen, base->source ? "out of memory" : "the scenario has no text");
		return -1;
	}
	struct owner *who = NULL;
	for (uint32_t a = 0; a < naxes; a++) {
		const struct param_axis *ax = &axes[a];
		uint32_t k = choice[a];
		for (uint32_t i = 0; i < ax->npaths; i++) {
			char buf[32], why[1024];
			size_t before = t->nedits;
			if (!ax->fits[(size_t)k * ax->npaths + i])
				continue;
			if (apply_at(t, &ax->paths[i], value_at(ax, k, i, buf, sizeof buf), why,
				     sizeof why) != 0) {
				snprintf(err, errlen, "--set %s=%s: %s", ax->key, ax->values[k].given, why);
				goto fail;
			}
			if (!owners)
				continue;
			struct owner *grown = realloc(who, (t->nedits + 1) * sizeof *who);
			if (!grown) {
				snprintf(err, errlen, "out of memory");
				goto fail;
			}
			who = grown;
			for (size_t e = before; e < t->nedits; e++)
				who[e] = (struct owner){ax, k};
		}
	}
	if (owners)
		*owners = who;
	return 0;
fail:
	free(who);
	scn_text_free(t);
	return -1;
}

int params_point_text(const struct scenario *base, const struct param_axis *axes,
		      uint32_t naxes, const uint32_t *choice, char **text, size_t *len, char *err,
		      size_t errlen)
{
	struct scn_text t;
	if (point_text(base, axes, naxes, choice, &t, NULL, err, errlen) != 0)
		return -1;
	*text = t.data;
	*len = t.len;
	t.data = NULL;
	scn_text_free(&t);
	return 0;
}

/* A point is loaded anew from its text: what lbsim measured of a replayed
 * log before the runs (scn_replay.held_bytes) is carried over where the
 * point replays the same log through the same window, and left unknown
 * (0) where a --set changed them. */
static void keep_replay_measures(const struct scenario *base, struct scenario *point)
{
	for (uint32_t i = 0; i < point->npopulations; i++) {
		struct scn_replay *to = &point->populations[i].replay;
		for (uint32_t j = 0; scn_is_replay(&point->populations[i]) && j < base->npopulations;
		     j++) {
			const struct scn_replay *from = &base->populations[j].replay;
			if (strcmp(base->populations[j].name, point->populations[i].name) == 0 &&
			    strcmp(from->log, to->log) == 0 && from->window == to->window)
				to->held_bytes = from->held_bytes;
		}
	}
}

int params_point(const struct scenario *base, const struct param_axis *axes, uint32_t naxes,
		 const uint32_t *choice, const struct params_common *common,
		 struct scenario **out, char *err, size_t errlen)
{
	struct scn_text t;
	struct owner *owners = NULL;
	*out = NULL;
	if (point_text(base, axes, naxes, choice, &t, &owners, err, errlen) != 0)
		return -1;
	int rc = load_text(base, &t, owners, NULL, out, NULL, err, errlen);
	free(owners);
	scn_text_free(&t);
	if (rc == 0 && common)
		params_apply_common(common, *out);
	if (rc == 0)
		keep_replay_measures(base, *out);
	return rc;
}

void params_apply_common(const struct params_common *o, struct scenario *scn)
{
	if (o->seed_set)
		scn->seed = o->seed;
	if (o->replications)
		scn->replications = o->replications;
	if (o->duration)
		scn->duration = o->duration;
	for (uint32_t i = 0; o->scale > 0 && i < scn->npopulations; i++) {
		if (scn_is_replay(&scn->populations[i]))
			continue; /* its log has its users; replay: scale: copies them */
		double users = (double)scn->populations[i].users * o->scale;
		scn->populations[i].users = users < 1 ? 1 : users > SCN_MAX_USERS ? SCN_MAX_USERS
										 : (uint64_t)users;
	}
}

/* ---- changes made outside the loader ---------------------------------------- */

int params_check(const struct scenario *scn, char *err, size_t errlen)
{
	/* A fault or a log-on spread past the end of a shorter run is left
	 * alone, as `lbsim run --duration` leaves it: it never happens, and
	 * the results say so (detect_s has no value). A fault on a server
	 * that no longer exists cannot run at all. */
	for (uint32_t f = 0; f < scn->nfaults; f++) {
		const struct scn_fault *x = &scn->faults[f];
		if (x->server >= scn->servers.count) {
			snprintf(err, errlen, "fault %u is on server %u, but servers.count is %u",
				 f + 1, x->server + 1, scn->servers.count);
			return -1;
		}
	}
	for (uint32_t d = 0; d < scn->ndesigns; d++) {
		const struct scn_design *x = &scn->designs[d];
		char why[256];
		if (lb_sel_check(x->balance, &x->sel_params, scn->servers.count, why, sizeof why,
				 NULL)) {
			snprintf(err, errlen, "design %s: balance %s with %u servers: %s", x->name,
				 x->balance->name, scn->servers.count, why);
			return -1;
		}
	}
	return 0;
}

/* ---- copies and users -------------------------------------------------- */

int params_copy(struct scenario *dst, const struct scenario *src)
{
	*dst = *src;
	dst->populations = malloc(src->npopulations * sizeof *dst->populations);
	dst->designs = malloc(src->ndesigns * sizeof *dst->designs);
	if (!dst->populations || !dst->designs) {
		params_copy_free(dst);
		return -1;
	}
	memcpy(dst->populations, src->populations, src->npopulations * sizeof *dst->populations);
	memcpy(dst->designs, src->designs, src->ndesigns * sizeof *dst->designs);
	return 0;
}

void params_copy_free(struct scenario *scn)
{
	free(scn->populations);
	free(scn->designs);
	scn->populations = NULL;
	scn->designs = NULL;
}

uint64_t params_total_users(const struct scenario *scn)
{
	uint64_t total = 0;
	for (uint32_t i = 0; i < scn->npopulations; i++)
		total += scn->populations[i].users;
	return total;
}

int params_scale_users(struct scenario *scn, uint64_t total, char *err, size_t errlen)
{
	uint32_t np = scn->npopulations;
	uint64_t have = params_total_users(scn);
	if (total < np || have == 0) {
		snprintf(err, errlen, "users %llu: every one of the %u populations needs a user at "
			 "least", (unsigned long long)total, np);
		return -1;
	}
	/* Each population gets 1 + its share of the rest, floored; the users
	 * left go one each to the largest remainders, ties to the first
	 * population: exact and deterministic. */
	uint64_t rest = total - np, given = 0;
	double frac[SCN_MAX_POPULATIONS];
	uint64_t users[SCN_MAX_POPULATIONS];
	for (uint32_t i = 0; i < np; i++) {
		long double share = (long double)rest * scn->populations[i].users / have;
		uint64_t whole = (uint64_t)share;
		users[i] = 1 + whole;
		frac[i] = (double)(share - whole);
		given += whole;
	}
	for (uint64_t left = rest - given; left > 0; left--) {
		uint32_t best = 0;
		for (uint32_t i = 1; i < np; i++)
			if (frac[i] > frac[best])
				best = i;
		users[best]++;
		frac[best] = -1;
	}
	for (uint32_t i = 0; i < np; i++) {
		if (users[i] > SCN_MAX_USERS) {
			snprintf(err, errlen, "users %llu: population %s would have %llu users, more "
				 "than %llu", (unsigned long long)total, scn->populations[i].name,
				 (unsigned long long)users[i], (unsigned long long)SCN_MAX_USERS);
			return -1;
		}
	}
	for (uint32_t i = 0; i < np; i++)
		scn->populations[i].users = users[i];
	return 0;
}
