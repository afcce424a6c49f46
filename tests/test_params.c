/* The one parameter registry and the text edits behind --set.
 *
 * Registry: every parameter table of the balancer core (each selection
 * algorithm, persistence method and check kind) is well formed; every
 * parameter is a key of the scenario schema where it belongs, and every
 * key of persist: and check: is some method's or kind's parameter; and
 * the loader and the core draw the same line: at each boundary of each
 * range (min, max, one step beyond), a scenario loads exactly when the
 * core's own check accepts the value.
 *
 * Edits: keys added to block and flow mappings, pairs removed, values
 * quoted when YAML needs it, aliases refused, line breaks of the file's
 * own kind, and positions after an edit placed back in the file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lbsim/lb_health.h"
#include "lbsim/lb_param.h"
#include "lbsim/lb_pers.h"
#include "lbsim/lb_sel.h"
#include "lbsim/scenario.h"
#include "../sim/scenario/scenario_internal.h"

/* ---- the tables ------------------------------------------------------------- */

static size_t store_size(enum lb_param_store s)
{
	switch (s) {
	case LB_STORE_U8:
		return 1;
	case LB_STORE_U32:
		return 4;
	case LB_STORE_U64:
	case LB_STORE_F64:
		return 8;
	case LB_STORE_CHARS:
		return 0;
	}
	return 0;
}

static void table_sane(const struct lb_param *t, const char *owner)
{
	for (const struct lb_param *p = t; p && p->name; p++) {
		if (p->kind == LB_PARAM_TEXT) {
			assert_int_equal(p->store, LB_STORE_CHARS);
			assert_true(p->size > 1);
		} else {
			if (store_size(p->store) != p->size)
				fail_msg("%s: %s is kept in %zu bytes, its store says %zu", owner,
					 p->name, p->size, store_size(p->store));
		}
		if (p->kind == LB_PARAM_NUMBER)
			assert_int_equal(p->store, LB_STORE_F64);
		assert_true(p->min <= p->max);
		assert_non_null(p->doc);
		assert_true(strlen(p->doc) > 10);
		if (p->kind == LB_PARAM_CHOICE) {
			assert_non_null(p->choices);
			assert_true(p->nchoices >= 2);
			for (uint32_t i = 0; i < p->nchoices; i++)
				assert_non_null(p->choices[i]);
		}
		/* A default is a value the parameter accepts. */
		if (!(p->flags & LB_PARAM_NO_DEFAULT) && p->kind != LB_PARAM_TEXT &&
		    !lb_param_ok(p, p->dflt))
			fail_msg("%s: %s has default %g outside its range", owner, p->name, p->dflt);
		if (p->when) {
			const struct lb_param *w = lb_param_find(t, p->when, strlen(p->when));
			assert_non_null(w);
			assert_int_equal(w->kind, LB_PARAM_CHOICE);
			assert_true(p->when_is < w->nchoices);
		}
		for (const struct lb_param *q = t; q < p; q++)
			assert_string_not_equal(q->name, p->name);
	}
}

/* Every key of fields that owner tables declare, and the reverse. */
static int in_schema(const char *noun, const char *name)
{
	const cyaml_schema_field_t *f = scn_schema_fields(noun);
	assert_non_null(f);
	return scn_schema_field(f, name, strlen(name)) != NULL;
}

static void test_tables(void **state)
{
	(void)state;
	for (size_t i = 0; i < lb_sel_registry_len; i++) {
		const struct lb_sel_ops *ops = lb_sel_registry[i];
		table_sane(ops->params, ops->name);
		for (const struct lb_param *p = ops->params; p && p->name; p++)
			if (!in_schema("design", p->name))
				fail_msg("balance %s: %s is no key of a design", ops->name, p->name);
	}
	table_sane(lb_pers_params_common, "persist");
	table_sane(lb_hc_params_common, "check");
	for (size_t i = 0; i < lb_pers_registry_len; i++) {
		table_sane(lb_pers_registry[i]->params, lb_pers_registry[i]->name);
		for (const struct lb_param *p = lb_pers_registry[i]->params; p && p->name; p++)
			assert_true(in_schema("persist", p->name));
	}
	for (size_t i = 0; i < lb_hc_registry_len; i++) {
		table_sane(lb_hc_registry[i]->params, lb_hc_registry[i]->name);
		for (const struct lb_param *p = lb_hc_registry[i]->params; p && p->name; p++)
			assert_true(in_schema("check", p->name));
	}
	for (const struct lb_param *p = lb_pers_params_common; p->name; p++)
		assert_true(in_schema("persist", p->name));
	for (const struct lb_param *p = lb_hc_params_common; p->name; p++)
		assert_true(in_schema("check", p->name));
	/* The other way: persist: and check: hold the method or kind and
	 * parameters, nothing the core does not know. */
	for (const cyaml_schema_field_t *f = scn_schema_fields("persist"); f->key; f++)
		if (strcmp(f->key, "method") != 0 && !lb_param_any(&lb_pers_owners, f->key, strlen(f->key)))
			fail_msg("persist: %s is no parameter of the core", f->key);
	for (const cyaml_schema_field_t *f = scn_schema_fields("check"); f->key; f++)
		if (strcmp(f->key, "kind") != 0 && !lb_param_any(&lb_hc_owners, f->key, strlen(f->key)))
			fail_msg("check: %s is no parameter of the core", f->key);
}

/* ---- one rule ---------------------------------------------------------------- */

/* value as a scenario writes it. */
static void write_value(const struct lb_param *p, double v, char *buf, size_t len)
{
	if (p->kind == LB_PARAM_DURATION)
		snprintf(buf, len, "%.0fns", v);
	else if (p->kind == LB_PARAM_WHOLE)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.17g", v);
}

/* Load a scenario whose design says `lines` (design-level keys, each line
 * "    key: value\n"); the design, or NULL when the loader refuses. */
static struct scenario *load_design(const char *kind, const char *lines)
{
	char yaml[2048];
	snprintf(yaml, sizeof yaml,
		 "name: rule\nduration: 60s\nservers: { count: 4, service: 10ms }\n"
		 "populations: [{ name: p, users: 10, rate: 1 }]\n"
		 "designs:\n  - name: d\n    kind: %s\n%s", kind, lines);
	struct scenario *scn = NULL;
	struct scn_error e;
	if (scn_load_buffer("rule.yaml", yaml, strlen(yaml), &scn, &e) != 0)
		return NULL;
	return scn;
}

/* The values at and around p's range that a boundary test tries. */
static size_t boundaries(const struct lb_param *p, double *v)
{
	size_t n = 0;
	double step = p->kind == LB_PARAM_NUMBER ? 1e-9 * (p->max > 1 ? p->max : 1) : 1;
	v[n++] = p->min;
	v[n++] = p->max;
	v[n++] = p->max + step;
	if (p->min - step >= 0)
		v[n++] = p->min - step;
	if (p->kind == LB_PARAM_NUMBER)
		v[n++] = p->min + step;
	return n;
}

static void test_loader_and_core_agree(void **state)
{
	(void)state;
	char line[256], value[64], why[256];
	unsigned tried = 0;
	/* Selection: each algorithm's numeric parameters, on a design of its
	 * own with the condition the parameter needs. */
	for (size_t i = 0; i < lb_sel_registry_len; i++) {
		const struct lb_sel_ops *ops = lb_sel_registry[i];
		if (ops == &lb_sel_hdr)
			continue; /* the same table as uri */
		for (const struct lb_param *p = ops->params; p && p->name; p++) {
			if (p->kind != LB_PARAM_WHOLE && p->kind != LB_PARAM_NUMBER)
				continue;
			double v[8];
			size_t n = boundaries(p, v);
			for (size_t k = 0; k < n; k++) {
				char cond[64] = "";
				if (p->when)
					snprintf(cond, sizeof cond, "    %s: %s\n", p->when,
						 lb_param_find(ops->params, p->when, strlen(p->when))
							 ->choices[p->when_is]);
				write_value(p, v[k], value, sizeof value);
				snprintf(line, sizeof line, "    balance: %s\n%s    %s: %s\n", ops->name,
					 cond, p->name, value);
				struct scenario *scn = load_design(ops->needs & LB_NEED_L7 ? "l7" : "l4",
								   line);
				struct lb_sel_params sp;
				memset(&sp, 0, sizeof sp);
				if (p->when)
					lb_param_put(lb_param_find(ops->params, p->when, strlen(p->when)),
						     &sp, p->when_is);
				lb_param_put(p, &sp, v[k]);
				int core = lb_sel_check(ops, &sp, 4, why, sizeof why, NULL) == NULL &&
					   v[k] >= 0 && (p->kind != LB_PARAM_WHOLE || v[k] == floor(v[k]));
				/* 0 means the default to the core, never to a file. */
				if (v[k] == 0 && ((p->flags & LB_PARAM_ZERO_DEFAULT) || p->zero))
					core = 0;
				if ((scn != NULL) != core)
					fail_msg("balance %s, %s = %s: the loader %s, the core %s", ops->name,
						 p->name, value, scn ? "accepts" : "refuses",
						 core ? "accepts" : "refuses");
				scn_free(scn);
				tried++;
			}
		}
	}
	/* Persistence and checks: the common parameters and each method's or
	 * kind's own. */
	const struct {
		const char *map, *selector;
		const struct lb_param *table;
		const char *choice;
		int is_pers;
	} groups[] = {
		{"persist", "method", lb_pers_params_common, "source-ip", 1},
		{"persist", "method", lb_pers_source_ip.params, "source-ip", 1},
		{"check", "kind", lb_hc_params_common, "http", 0},
	};
	for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
		for (const struct lb_param *p = groups[g].table; p && p->name; p++) {
			if (p->kind != LB_PARAM_WHOLE && p->kind != LB_PARAM_DURATION)
				continue;
			double v[8];
			size_t n = boundaries(p, v);
			for (size_t k = 0; k < n; k++) {
				write_value(p, v[k], value, sizeof value);
				snprintf(line, sizeof line, "    %s: { %s: %s, %s: %s }\n", groups[g].map,
					 groups[g].selector, groups[g].choice, p->name, value);
				struct scenario *scn = load_design("l4", line);
				int core;
				if (groups[g].is_pers) {
					struct lb_pers_params pp = {.size = 1000, .expire_ns = 1};
					lb_param_put(p, &pp, v[k]);
					core = lb_pers_check(&lb_pers_source_ip, &pp, why, sizeof why, NULL) ==
					       NULL;
				} else {
					struct lb_hc_params hp;
					memset(&hp, 0, sizeof hp);
					lb_param_put(p, &hp, v[k]);
					core = lb_hc_check(&lb_hc_http, &hp, why, sizeof why, NULL) == NULL;
				}
				/* 0 means a default or "never" to the core, never to a file. */
				if (v[k] == 0)
					core = 0;
				if ((scn != NULL) != core)
					fail_msg("%s %s = %s: the loader %s, the core %s", groups[g].map,
						 p->name, value, scn ? "accepts" : "refuses",
						 core ? "accepts" : "refuses");
				scn_free(scn);
				tried++;
			}
		}
	}
	assert_true(tried >= 40);
}

/* ---- text edits --------------------------------------------------------------- */

/* text edited by one set (value non-NULL) or delete, at the path written
 * as dotted keys and #N items (from 1). */
static char *edit(const char *text, const char *dotted, const char *value, char *err,
		  size_t errlen)
{
	struct scn_step path[SCN_PATH_MAX];
	char keys[256];
	size_t n = 0;
	snprintf(keys, sizeof keys, "%s", dotted);
	for (char *tok = strtok(keys, "."); tok; tok = strtok(NULL, "."))
		path[n++] = tok[0] == '#' ? (struct scn_step){NULL, (size_t)atoi(tok + 1) - 1}
					  : (struct scn_step){tok, 0};
	struct scn_text t;
	assert_int_equal(scn_text_init(&t, text, strlen(text)), 0);
	int rc = value ? scn_text_set(&t, path, n, value, err, errlen)
		       : scn_text_delete(&t, path, n, err, errlen);
	char *out = rc == 0 ? strdup(t.data) : NULL;
	scn_text_free(&t);
	return out;
}

static void edits_to(const char *text, const char *path, const char *value, const char *want)
{
	char err[256] = "";
	char *got = edit(text, path, value, err, sizeof err);
	if (!got)
		fail_msg("%s: %s", path, err);
	assert_string_equal(got, want);
	free(got);
}

static void test_edits(void **state)
{
	(void)state;
	const char *block = "a:\n  b: 1   # one\n  c:\n    d: 2\n\ne: 3\n";
	edits_to(block, "a.b", "5", "a:\n  b: 5   # one\n  c:\n    d: 2\n\ne: 3\n");
	edits_to(block, "a.x", "5", "a:\n  b: 1   # one\n  c:\n    d: 2\n  x: 5\n\ne: 3\n");
	edits_to(block, "a.c.y.z", "5",
		 "a:\n  b: 1   # one\n  c:\n    d: 2\n    y: {z: 5}\n\ne: 3\n");
	edits_to(block, "f", "5", "a:\n  b: 1   # one\n  c:\n    d: 2\n\ne: 3\nf: 5\n");
	edits_to(block, "a.b", NULL, "a:\n  c:\n    d: 2\n\ne: 3\n");
	edits_to(block, "a.c", NULL, "a:\n  b: 1   # one\n\ne: 3\n");
	/* Flow mappings: after the last pair, or inside empty braces. */
	const char *flow = "s: { a: 1, b: 2 }\nt: {}\n";
	edits_to(flow, "s.c", "3", "s: { a: 1, b: 2, c: 3 }\nt: {}\n");
	edits_to(flow, "t.c", "3", "s: { a: 1, b: 2 }\nt: {c: 3}\n");
	edits_to(flow, "s.a", NULL, "s: { b: 2 }\nt: {}\n");
	edits_to(flow, "s.b", NULL, "s: { a: 1 }\nt: {}\n");
	/* Items of a list, by number. */
	edits_to("l:\n  - {x: 1}\n  - {x: 2}\n", "l.#2.x", "9", "l:\n  - {x: 1}\n  - {x: 9}\n");
	/* Values YAML would read otherwise are quoted. */
	edits_to("a: 1\n", "a", "x: y", "a: \"x: y\"\n");
	edits_to("a: 1\n", "a", "#z", "a: \"#z\"\n");
	edits_to("a: {b: 1}\n", "a.b", "p,q", "a: {b: \"p,q\"}\n");
	edits_to("a: 1\n", "a", "hdr(X-User)", "a: hdr(X-User)\n");
	/* A quoted value is replaced whole. */
	edits_to("a: 'old one'\n", "a", "new", "a: new\n");
	/* Line breaks of the file's own kind. */
	edits_to("a:\r\n  b: 1\r\n", "a.c", "2", "a:\r\n  b: 1\r\n  c: 2\r\n");
	/* Shared through an alias: refused. */
	char err[256] = "";
	assert_null(edit("a: &x {b: 1}\nc: *x\n", "a.b", "2", err, sizeof err));
	assert_non_null(strstr(err, "alias"));
	/* A scalar where a mapping is needed. */
	assert_null(edit("a: 1\n", "a.b", "2", err, sizeof err));
	assert_non_null(strstr(err, "not a mapping"));
}

/* Positions after edits: a line written by an edit is the edit's, the
 * rest go back to their line in the file as written. */
static void test_origin(void **state)
{
	(void)state;
	const char *text = "a:\n  b: 1\nc: 2\nd:\n  e: 3\n  f: 4\ng: 5\n";
	struct scn_text t;
	char err[256];
	assert_int_equal(scn_text_init(&t, text, strlen(text)), 0);
	struct scn_step add[] = {{"a", 0}, {"x", 0}};
	struct scn_step del[] = {{"d", 0}, {"e", 0}};
	assert_int_equal(scn_text_set(&t, add, 2, "7", err, sizeof err), 0);
	assert_int_equal(scn_text_delete(&t, del, 2, err, sizeof err), 0);
	assert_string_equal(t.data, "a:\n  b: 1\n  x: 7\nc: 2\nd:\n  f: 4\ng: 5\n");
	unsigned line = 3;
	assert_int_equal(scn_text_origin(&t, &line, 6), 0);  /* "7": the first edit's */
	line = 4;
	assert_int_equal(scn_text_origin(&t, &line, 1), -1); /* c: 2 */
	assert_int_equal(line, 3);
	line = 6;
	assert_int_equal(scn_text_origin(&t, &line, 3), -1); /* f: 4 */
	assert_int_equal(line, 6);
	line = 7;
	assert_int_equal(scn_text_origin(&t, &line, 1), -1); /* g: 5 */
	assert_int_equal(line, 7);
	scn_text_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_loader_and_core_agree),
		cmocka_unit_test(test_edits),
		cmocka_unit_test(test_origin),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
