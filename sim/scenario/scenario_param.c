/* Reading the balancer core's parameters from a scenario with the core's
 * own tables (include/lbsim/lb_param.h).
 *
 * A selection algorithm, a persistence method and a check kind each
 * declare their parameters once, in the core; here a key of the scenario
 * is read with its entry: the kind of value, the range, the default. So
 * the loader, `--set` and `sweep` (which edit the file and load it again,
 * sim/scenario/params.c) and the core refuse exactly the same values, in
 * the words of scenario_check.c.
 *
 * scn_param_keys reads every parameter key of one mapping (a design's
 * algorithm keys, a persist: or check: mapping) in the order of the
 * schema: a key that the chosen algorithm (method, kind) does not take, or
 * whose condition does not hold (table-size without hash-type maglev), is
 * refused where it is written, never ignored.
 *
 * Cost: linear in the keys of the mapping times the length of the tables
 * (a handful of entries each).
 */
#include "scenario_internal.h"

#include <stdio.h>
#include <string.h>

const char *scn_text_of(struct scn_ctx *c, yaml_node_t *map, const char *key)
{
	yaml_node_t *node = yw_map_value(c->doc, map, key, strlen(key), 0);
	if (!node || node->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)node->data.scalar.value;
}

int scn_param(struct scn_ctx *c, yaml_node_t *map, const struct lb_param *p, void *base)
{
	const char *text = scn_text_of(c, map, p->name);
	uint64_t whole;
	double x;
	int on;
	if (!text)
		return scn_has_value(c, scn_value_of(c, map, p->name), p->name) ? 0 : -1;
	switch (p->kind) {
	case LB_PARAM_WHOLE:
		if (scn_whole(c, map, p->name, text, (uint64_t)p->min, (uint64_t)p->max, &whole) != 0)
			return -1;
		lb_param_put(p, base, (double)whole);
		return 0;
	case LB_PARAM_NUMBER:
		if (scn_number(c, map, p->name, text, p->min, (p->flags & LB_PARAM_MIN_OPEN) != 0,
			       p->max, NULL, &x) != 0)
			return -1;
		lb_param_put(p, base, x);
		return 0;
	case LB_PARAM_DURATION:
		/* The hint of what 0 would mean, for a key whose absence
		 * means something else (expire: 30m). */
		if (scn_duration_in(c, map, p->name, text, p->min, p->max,
				    p->flags & LB_PARAM_NO_DEFAULT ? NULL : p->zero,
				    p->store != LB_STORE_F64, &x) != 0)
			return -1;
		lb_param_put(p, base, x);
		return 0;
	case LB_PARAM_BOOL:
		if (scn_bool(c, map, p->name, text, &on) != 0)
			return -1;
		lb_param_put(p, base, on);
		return 0;
	case LB_PARAM_CHOICE: {
		int k = scn_pick(c, map, p->name, text, p->choices, p->nchoices);
		if (k < 0)
			return -1;
		lb_param_put(p, base, k);
		return 0;
	}
	case LB_PARAM_TEXT: {
		size_t len = strlen(text);
		if (!scn_has_value(c, scn_value_of(c, map, p->name), p->name))
			return -1;
		if (len >= p->size) {
			scn_report(c, scn_value_of(c, map, p->name), "'%s' is too long: %zu bytes, "
				   "at most %zu", p->name, len, p->size - 1);
			return -1;
		}
		memcpy((char *)base + p->offset, text, len + 1);
		return 0;
	}
	}
	return -1;
}

void scn_param_defaults(const struct lb_param *table, void *base)
{
	for (; table && table->name; table++)
		if (!(table->flags & (LB_PARAM_ZERO_DEFAULT | LB_PARAM_NO_DEFAULT)) &&
		    table->kind != LB_PARAM_TEXT)
			lb_param_put(table, base, table->dflt);
}

/* The entry of key in the tables the choice takes, or NULL. */
static const struct lb_param *taken(const struct scn_param_owner *o, const char *key)
{
	const struct lb_param *p = lb_param_find(o->common, key, strlen(key));
	return p ? p : lb_param_find(o->own, key, strlen(key));
}

int scn_param_keys(struct scn_ctx *c, yaml_node_t *map, const cyaml_schema_field_t *fields,
		   const struct scn_param_owner *o, void *base)
{
	char who[256];
	const char *failed[16];
	size_t nfailed = 0;
	unsigned before = c->reports;
	scn_param_defaults(o->common, base);
	scn_param_defaults(o->own, base);
	for (; fields && fields->key; fields++) {
		const char *key = fields->key;
		const struct lb_param *p = lb_param_any(o->owners, key, strlen(key));
		if (!p || !yw_map_value(c->doc, map, key, strlen(key), 0))
			continue;
		if (o->chosen) {
			p = taken(o, key);
			if (!p) {
				/* The core's words, after its "%s applies to ". */
				scn_not_here(c, map, key, o->owners->applies + strlen(LB_PARAM_APPLIES),
					     lb_param_owners_of(o->owners, key, who, sizeof who), o->name);
				continue;
			}
		}
		if (p->when) {
			const struct lb_param *w = taken(o, p->when);
			int w_failed = 0;
			for (size_t i = 0; i < nfailed; i++)
				w_failed |= strcmp(failed[i], p->when) == 0;
			double have = w ? lb_param_get(w, base) : p->when_is;
			if (!w_failed && have != p->when_is) {
				scn_not_here(c, map, key, "%s %s, not %s", p->when,
					     w->choices[p->when_is], w->choices[(uint32_t)have]);
				continue;
			}
		}
		int bad = p->kind == LB_PARAM_TEXT && o->text ? o->text(c, map, p, base, o->ctx)
							       : scn_param(c, map, p, base);
		if (bad) {
			if (nfailed < sizeof failed / sizeof failed[0])
				failed[nfailed++] = key;
			continue;
		}
		/* What the owner's own check says once this key is in, said
		 * where the key is written. */
		const char *why = o->chosen && o->check ? o->check(o->ctx, who, sizeof who) : NULL;
		if (why) {
			scn_report(c, scn_value_of(c, map, key), "%s", why);
			return -1;
		}
	}
	return c->reports == before ? 0 : -1;
}
