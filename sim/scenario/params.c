/* Parameter overrides (`--set KEY=V1,V2,...`); see include/lbsim/params.h.
 *
 * The keys are an ordered registry of struct param_def, one designated
 * initializer each: its name pattern, the part of the scenario it
 * addresses (the whole scenario, a population, a design), how its values
 * are read, and the hook that sets one. Population and design keys carry
 * the name of what they address in the middle (population.NAME.users); the
 * name may contain dots, so a key is matched by its prefix and its suffix,
 * and "*" addresses every population or design.
 *
 * What a value needs that cannot change within a sweep (the source of a
 * population, the kind of a design) is checked when the value is parsed,
 * before anything runs; what depends on other values (faults against the
 * server count, an algorithm's limits) is checked by params_check() on
 * each point's scenario. Cost: parsing is linear in the text; applying a
 * value is O(1) except `users` (O(populations)); params_check() is linear
 * in designs, populations and faults.
 */
#include "lbsim/params.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lbsim/lb_pers.h"
#include "lbsim/lb_sel.h"
#include "lbsim/lb_vs.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_RATE 1000.0   /* requests per second per user, as the loader allows */

enum param_scope { SCOPE_SCENARIO = 0, SCOPE_POPULATION, SCOPE_DESIGN };
enum param_type { TYPE_WHOLE = 0, TYPE_DURATION, TYPE_RATE, TYPE_PERSIST, TYPE_BALANCE };

struct param_def {
	const char *name;        /* whole key, or the attribute after population.NAME. / design.NAME. */
	const char *alias;       /* another spelling (the YAML one), or NULL */
	enum param_scope scope;
	enum param_type type;
	uint64_t min, max;       /* whole numbers; durations in ns */
	const char *what;        /* for the list of keys */
	/* Check a parsed value against the population or design it goes to
	 * (not yet applied). NULL: nothing to check. Returns 0, or -1 with a
	 * message. */
	int (*fits)(const struct scenario *scn, int target, const struct param_value *v,
		    char *err, size_t errlen);
	/* Set the value on scn (target: population or design index). */
	int (*apply)(struct scenario *scn, int target, const struct param_value *v, char *err,
		     size_t errlen);
};

/* ---- hooks -------------------------------------------------------------
 * apply hooks set one parsed value on the scenario, t being the index of
 * the population or design it addresses (unused for scenario keys); they
 * return 0, or -1 with a message in e. fits hooks say whether a value
 * may go to population or design t at all (0), or why not (-1). */

static int set_count(struct scenario *s, int t, const struct param_value *v, char *e, size_t n)
{
	(void)t, (void)e, (void)n;
	s->servers.count = (uint32_t)v->whole;
	return 0;
}

static int set_cores(struct scenario *s, int t, const struct param_value *v, char *e, size_t n)
{
	(void)t, (void)e, (void)n;
	s->servers.cores = (uint32_t)v->whole;
	return 0;
}

static int set_service(struct scenario *s, int t, const struct param_value *v, char *e, size_t n)
{
	(void)t, (void)e, (void)n;
	s->servers.service_mean = (sim_time_t)v->whole;
	return 0;
}

static int set_users(struct scenario *s, int t, const struct param_value *v, char *e, size_t n)
{
	(void)t;
	return params_scale_users(s, v->whole, e, n);
}

static int set_duration(struct scenario *s, int t, const struct param_value *v, char *e, size_t n)
{
	(void)t, (void)e, (void)n;
	s->duration = (sim_time_t)v->whole;
	return 0;
}

static int set_warmup(struct scenario *s, int t, const struct param_value *v, char *e, size_t n)
{
	(void)t, (void)e, (void)n;
	s->warmup = (sim_time_t)v->whole;
	return 0;
}

static int set_replications(struct scenario *s, int t, const struct param_value *v, char *e,
			    size_t n)
{
	(void)t, (void)e, (void)n;
	s->replications = (uint32_t)v->whole;
	return 0;
}

static int set_seed(struct scenario *s, int t, const struct param_value *v, char *e, size_t n)
{
	(void)t, (void)e, (void)n;
	s->seed = v->whole;
	return 0;
}

static int set_pop_users(struct scenario *s, int t, const struct param_value *v, char *e, size_t n)
{
	(void)e, (void)n;
	s->populations[t].users = v->whole;
	return 0;
}

static int nat_only(const struct scenario *s, int t, const struct param_value *v, char *e, size_t n)
{
	(void)v;
	const struct scn_population *p = &s->populations[t];
	if (p->source != SCN_SOURCE_UNIQUE)
		return 0;
	snprintf(e, n, "population %s has source unique (one address per device): public "
		 "addresses and ports apply to nat and cgnat sources only", p->name);
	return -1;
}

static int set_addresses(struct scenario *s, int t, const struct param_value *v, char *e, size_t n)
{
	(void)e, (void)n;
	s->populations[t].addresses = (uint32_t)v->whole;
	return 0;
}

static int set_ports(struct scenario *s, int t, const struct param_value *v, char *e, size_t n)
{
	(void)e, (void)n;
	s->populations[t].port_budget = (uint32_t)v->whole;
	return 0;
}

static int open_only(const struct scenario *s, int t, const struct param_value *v, char *e, size_t n)
{
	(void)v;
	const struct scn_population *p = &s->populations[t];
	if (p->request_rate > 0)
		return 0;
	snprintf(e, n, "population %s runs client devices (clients:): a request rate applies "
		 "to open traffic (rate:) only", p->name);
	return -1;
}

static int set_rate(struct scenario *s, int t, const struct param_value *v, char *e, size_t n)
{
	(void)e, (void)n;
	s->populations[t].request_rate = v->real;
	return 0;
}

static int set_lb_cores(struct scenario *s, int t, const struct param_value *v, char *e, size_t n)
{
	(void)e, (void)n;
	struct scn_design *d = &s->designs[t];
	d->lb_cores = (uint32_t)v->whole;
	/* As the loader does for lb-cores without lb-queue. */
	if (d->lb_cores && d->lb_queue == 0)
		d->lb_queue = SCN_DEFAULT_LB_QUEUE;
	return 0;
}

static int set_inter(struct scenario *s, int t, const struct param_value *v, char *e, size_t n)
{
	(void)e, (void)n;
	s->designs[t].check.params.inter_ns = v->whole;
	return 0;
}

/* The layer a design's balancer sees. */
static enum lb_layer layer_of(const struct scn_design *d)
{
	return d->kind == SCN_DESIGN_L7 ? LB_LAYER_7 : LB_LAYER_4;
}

/* What a layer cannot see, it cannot persist or balance on: cookie
 * persistence or uri hashing on a layer-4 design. */
static int layer_fits(const struct scenario *s, int t, unsigned needs, const char *what, char *e,
		      size_t n)
{
	const struct scn_design *d = &s->designs[t];
	char msg[256];
	if (lb_vs_check_needs(layer_of(d), needs, what, msg, sizeof msg) == 0)
		return 0;
	snprintf(e, n, "design %s (kind %s): %s", d->name, scn_design_kind_name(d->kind), msg);
	return -1;
}

static int persist_fits(const struct scenario *s, int t, const struct param_value *v, char *e,
			size_t n)
{
	const struct lb_pers_ops *ops = v->ops;
	char what[96];
	if (!ops)
		return 0;
	snprintf(what, sizeof what, "persist %s", ops->name);
	return layer_fits(s, t, ops->needs, what, e, n);
}

static int balance_fits(const struct scenario *s, int t, const struct param_value *v, char *e,
			size_t n)
{
	const struct lb_sel_ops *ops = v->ops;
	char what[96];
	snprintf(what, sizeof what, "balance %s", ops->name);
	return layer_fits(s, t, ops->needs, what, e, n);
}

static int set_persist(struct scenario *s, int t, const struct param_value *v, char *e, size_t n)
{
	struct scn_design *d = &s->designs[t];
	const struct lb_pers_ops *ops = v->ops;
	d->persist = ops;
	if (!ops)
		return 0;
	/* A design that had no persistence gets the loader's defaults. */
	if (d->pers_params.size == 0) {
		d->pers_params.size = SCN_DEFAULT_PERSIST_SIZE;
		d->pers_params.expire_ns = SCN_DEFAULT_PERSIST_EXPIRE;
		d->pers_params.full = LB_PERS_FULL_LRU;
	}
	if (ops != &lb_pers_source_ip)
		d->pers_params.netmask = 0;
	if (ops->check_params && ops->check_params(&d->pers_params) != 0) {
		snprintf(e, n, "design %s: persist %s refuses the design's persistence parameters",
			 d->name, ops->name);
		return -1;
	}
	return 0;
}

static int set_balance(struct scenario *s, int t, const struct param_value *v, char *e, size_t n)
{
	(void)e, (void)n;
	struct scn_design *d = &s->designs[t];
	d->balance = v->ops;
	memcpy(d->sel_params.hdr_name, v->sel.hdr_name, sizeof d->sel_params.hdr_name);
	return 0;
}

/* ---- the registry ------------------------------------------------------ */

#define DAY (86400ull * SIM_NS_PER_S)

static const struct param_def param_defs[] = {
	{.name = "servers.count", .scope = SCOPE_SCENARIO, .type = TYPE_WHOLE, .min = 1,
	 .max = SCN_MAX_SERVERS, .what = "number of servers", .apply = set_count},
	{.name = "servers.cores", .scope = SCOPE_SCENARIO, .type = TYPE_WHOLE, .min = 1,
	 .max = SCN_MAX_CORES, .what = "cores per server", .apply = set_cores},
	{.name = "servers.service", .scope = SCOPE_SCENARIO, .type = TYPE_DURATION, .min = 1,
	 .max = SCN_MAX_DURATION, .what = "mean CPU demand of an open-traffic request",
	 .apply = set_service},
	{.name = "users", .scope = SCOPE_SCENARIO, .type = TYPE_WHOLE, .min = 1,
	 .max = SCN_MAX_USERS * SCN_MAX_POPULATIONS,
	 .what = "every population scaled to this total", .apply = set_users},
	{.name = "duration", .scope = SCOPE_SCENARIO, .type = TYPE_DURATION, .min = 1,
	 .max = SCN_MAX_DURATION, .what = "measured time", .apply = set_duration},
	{.name = "warmup", .scope = SCOPE_SCENARIO, .type = TYPE_DURATION, .min = 0,
	 .max = SCN_MAX_DURATION, .what = "discarded start", .apply = set_warmup},
	{.name = "replications", .scope = SCOPE_SCENARIO, .type = TYPE_WHOLE, .min = 1,
	 .max = SCN_MAX_REPLICATIONS, .what = "replications of every design",
	 .apply = set_replications},
	{.name = "seed", .scope = SCOPE_SCENARIO, .type = TYPE_WHOLE, .min = 0, .max = UINT64_MAX,
	 .what = "random seed", .apply = set_seed},
	{.name = "users", .scope = SCOPE_POPULATION, .type = TYPE_WHOLE, .min = 1,
	 .max = SCN_MAX_USERS, .what = "users of the population", .apply = set_pop_users},
	{.name = "addresses", .scope = SCOPE_POPULATION, .type = TYPE_WHOLE, .min = 1,
	 .max = SCN_MAX_ADDRESSES, .what = "public addresses of a nat or cgnat population",
	 .fits = nat_only, .apply = set_addresses},
	{.name = "ports", .scope = SCOPE_POPULATION, .type = TYPE_WHOLE, .min = 1,
	 .max = SCN_MAX_PORTS, .what = "ports per public address", .fits = nat_only,
	 .apply = set_ports},
	{.name = "rate", .scope = SCOPE_POPULATION, .type = TYPE_RATE,
	 .what = "requests per second per user (open traffic)", .fits = open_only,
	 .apply = set_rate},
	{.name = "lb_cores", .alias = "lb-cores", .scope = SCOPE_DESIGN, .type = TYPE_WHOLE,
	 .min = 0, .max = SCN_MAX_CORES, .what = "balancer cores (0: unlimited)",
	 .apply = set_lb_cores},
	{.name = "check.inter", .scope = SCOPE_DESIGN, .type = TYPE_DURATION, .min = 1,
	 .max = DAY, .what = "health-check interval", .apply = set_inter},
	{.name = "persist", .scope = SCOPE_DESIGN, .type = TYPE_PERSIST,
	 .what = "persistence method, or none", .fits = persist_fits, .apply = set_persist},
	{.name = "balance", .scope = SCOPE_DESIGN, .type = TYPE_BALANCE,
	 .what = "selection algorithm", .fits = balance_fits, .apply = set_balance},
};

/* "population.", "design." or "" before a key of that scope. */
static const char *scope_prefix(enum param_scope s)
{
	return s == SCOPE_POPULATION ? "population." : s == SCOPE_DESIGN ? "design." : "";
}

const char *params_keys(char *buf, size_t len)
{
	size_t used = 0;
	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < COUNT_OF(param_defs) && used < len; i++) {
		const struct param_def *d = &param_defs[i];
		const char *mid = d->scope == SCOPE_POPULATION ? "NAME." : d->scope == SCOPE_DESIGN
										? "NAME."
										: "";
		int k = snprintf(buf + used, len - used, "%s%s%s%s", i ? ", " : "",
				 scope_prefix(d->scope), mid, d->name);
		if (k < 0)
			break;
		used += (size_t)k;
	}
	return buf;
}

/* ---- parsing ----------------------------------------------------------- */

static const char *name_of(const struct scenario *scn, enum param_scope s, uint32_t i)
{
	return s == SCOPE_POPULATION ? scn->populations[i].name : scn->designs[i].name;
}

/* How many populations or designs a scope addresses. */
static uint32_t count_of(const struct scenario *scn, enum param_scope s)
{
	return s == SCOPE_POPULATION ? scn->npopulations : scn->ndesigns;
}

/* "lan, remote": the names a population or design key may address. */
static void names_of(const struct scenario *scn, enum param_scope s, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (uint32_t i = 0; i < count_of(scn, s) && used < len; i++) {
		int k = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", name_of(scn, s, i));
		if (k < 0)
			break;
		used += (size_t)k;
	}
}

/* Does key (length n) name def? Sets *target (-1: "*"). Returns 1 when
 * it does, 0 when not, -1 when the attribute matches but the name is
 * unknown (message in err). */
static int key_matches(const struct param_def *def, const struct scenario *scn, const char *key,
		       size_t n, int *target, char *err, size_t errlen)
{
	if (def->scope == SCOPE_SCENARIO) {
		*target = -1;
		return strlen(def->name) == n && strncmp(key, def->name, n) == 0;
	}
	const char *prefix = scope_prefix(def->scope);
	size_t lp = strlen(prefix);
	for (int spelling = 0; spelling < 2; spelling++) {
		const char *attr = spelling ? def->alias : def->name;
		if (!attr)
			continue;
		size_t la = strlen(attr);
		if (n < lp + la + 2 || strncmp(key, prefix, lp) != 0 ||
		    strncmp(key + n - la, attr, la) != 0 || key[n - la - 1] != '.')
			continue;
		const char *name = key + lp;
		size_t ln = n - lp - la - 1;
		if (ln == 1 && name[0] == '*') {
			*target = -1;
			return 1;
		}
		for (uint32_t i = 0; i < count_of(scn, def->scope); i++) {
			const char *have = name_of(scn, def->scope, i);
			if (strlen(have) == ln && strncmp(have, name, ln) == 0) {
				*target = (int)i;
				return 1;
			}
		}
		char names[512];
		names_of(scn, def->scope, names, sizeof names);
		snprintf(err, errlen, "--set %.*s: the scenario has no %s '%.*s' (%ss: %s; or * for "
			 "every one)", (int)n, key, def->scope == SCOPE_POPULATION ? "population"
			 : "design", (int)ln, name, def->scope == SCOPE_POPULATION ? "population"
			 : "design", names);
		return -1;
	}
	return 0;
}

/* A whole number in plain digits, nothing around it. 0, or -1. */
static int parse_whole(const char *text, uint64_t *out)
{
	if (!*text || *text == '-' || *text == '+' || *text == ' ')
		return -1;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

/* v shows x, as csv_out_num writes numbers. */
static void show_number(struct param_value *v, double x)
{
	v->num = x;
	snprintf(v->text, sizeof v->text, "%.10g", x);
}

/* One value of def from text (NUL-terminated). */
static int parse_value(const struct param_def *def, const char *key, const char *text,
		       struct param_value *v, char *err, size_t errlen)
{
	memset(v, 0, sizeof *v);
	v->num = NAN;
	switch (def->type) {
	case TYPE_WHOLE:
		if (parse_whole(text, &v->whole) != 0 || v->whole < def->min || v->whole > def->max) {
			snprintf(err, errlen, "--set %s: '%s' is not a whole number from %llu to %llu",
				 key, text, (unsigned long long)def->min,
				 (unsigned long long)def->max);
			return -1;
		}
		show_number(v, (double)v->whole);
		/* A seed is a name for a stream, not a quantity: keep every digit. */
		snprintf(v->text, sizeof v->text, "%llu", (unsigned long long)v->whole);
		return 0;
	case TYPE_DURATION: {
		sim_time_t t;
		const char *why = "";
		if (scn_parse_duration(text, &t, &why) != 0 || t < def->min || t > def->max) {
			snprintf(err, errlen, "--set %s: '%s' is not a duration %s (such as 500ms, "
				 "5s, 10m)%s%s", key, text, def->min ? "above 0 and at most 30d"
				 : "of at most 30d", *why ? ": " : "", why);
			return -1;
		}
		v->whole = t;
		show_number(v, (double)t / (double)SIM_NS_PER_S);
		return 0;
	}
	case TYPE_RATE: {
		char *end;
		errno = 0;
		double x = strtod(text, &end);
		if (errno || *end || !*text || !(x > 0 && x <= MAX_RATE)) {
			snprintf(err, errlen, "--set %s: '%s' is not a number above 0 and at most %g",
				 key, text, MAX_RATE);
			return -1;
		}
		v->real = x;
		show_number(v, x);
		return 0;
	}
	case TYPE_PERSIST:
		snprintf(v->text, sizeof v->text, "%s", text);
		if (strcmp(text, "none") == 0)
			return 0;
		v->ops = lb_pers_find(text);
		if (!v->ops) {
			char names[256];
			size_t used = 0;
			for (size_t i = 0; i < lb_pers_registry_len && used < sizeof names; i++)
				used += (size_t)snprintf(names + used, sizeof names - used, ", %s",
							 lb_pers_registry[i]->name);
			snprintf(err, errlen, "--set %s: unknown persistence '%s' (none%s)", key, text,
				 names);
			return -1;
		}
		return 0;
	case TYPE_BALANCE:
		snprintf(v->text, sizeof v->text, "%s", text);
		v->ops = lb_sel_parse(text, &v->sel);
		if (!v->ops) {
			char names[256];
			snprintf(err, errlen, "--set %s: unknown balance '%s' (%s)", key, text,
				 lb_sel_names(names, sizeof names));
			return -1;
		}
		return 0;
	}
	return -1;
}

/* Check v against every population or design the axis addresses. With
 * "*", a key that fits only some (addresses: nat populations) addresses
 * those, and is refused when it fits none. */
static int check_fits(struct param_axis *ax, const struct scenario *scn,
		      const struct param_value *v, char *err, size_t errlen)
{
	const struct param_def *def = ax->def;
	if (!def->fits)
		return 0;
	if (ax->target >= 0)
		return def->fits(scn, ax->target, v, err, errlen) == 0 ? 0 : -1;
	uint32_t fit = 0;
	char why[512] = "";
	for (uint32_t i = 0; i < count_of(scn, def->scope); i++)
		fit += def->fits(scn, (int)i, v, why, sizeof why) == 0;
	if (fit)
		return 0;
	snprintf(err, errlen, "--set %s: %s", ax->key, why);
	return -1;
}

const char *params_field(const struct param_axis *ax)
{
	return ax->def->name;
}

int params_conflict(const struct param_axis *a, const struct param_axis *b, char *err,
		    size_t errlen)
{
	int same = a->def == b->def && (a->target == b->target || a->target < 0 || b->target < 0);
	/* users scales every population; population.NAME.users sets one. */
	int users = (a->def->apply == set_users && b->def->apply == set_pop_users) ||
		    (a->def->apply == set_pop_users && b->def->apply == set_users);
	if (!same && !users)
		return 0;
	if (strcmp(a->key, b->key) == 0)
		snprintf(err, errlen, "--set %s is given twice: give all its values in one --set "
			 "(%s=V1,V2,...), or the rows would be labelled with values they did not "
			 "run with", b->key, b->key);
	else
		snprintf(err, errlen, "--set %s and --set %s set the same value; give one of them",
			 a->key, b->key);
	return 1;
}

int params_parse(struct param_axis *ax, const struct scenario *scn, const char *arg,
		 char *err, size_t errlen)
{
	memset(ax, 0, sizeof *ax);
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
	for (size_t i = 0; i < COUNT_OF(param_defs) && !ax->def; i++) {
		int m = key_matches(&param_defs[i], scn, ax->key, n, &ax->target, err, errlen);
		if (m < 0)
			return -1;
		if (m)
			ax->def = &param_defs[i];
	}
	if (!ax->def) {
		char keys[1024];
		snprintf(err, errlen, "--set: unknown key '%s'; valid keys: %s (NAME: a population "
			 "or design of the scenario, or *)", ax->key, params_keys(keys, sizeof keys));
		return -1;
	}
	const char *p = eq + 1;
	for (;;) {
		size_t len = strcspn(p, ",");
		char text[sizeof ax->values[0].text];
		if (len == 0 || len >= sizeof text) {
			snprintf(err, errlen, "--set %s: %s value in '%s'", ax->key,
				 len ? "a too long" : "an empty", eq + 1);
			return -1;
		}
		if (ax->nvalues == PARAMS_MAX_VALUES) {
			snprintf(err, errlen, "--set %s: more than %d values", ax->key,
				 PARAMS_MAX_VALUES);
			return -1;
		}
		memcpy(text, p, len);
		text[len] = '\0';
		struct param_value *v = &ax->values[ax->nvalues];
		if (parse_value(ax->def, ax->key, text, v, err, errlen) != 0 ||
		    check_fits(ax, scn, v, err, errlen) != 0)
			return -1;
		for (uint32_t i = 0; i < ax->nvalues; i++)
			if (strcmp(ax->values[i].text, v->text) == 0) {
				snprintf(err, errlen, "--set %s: the value '%s' is given twice",
					 ax->key, text);
				return -1;
			}
		ax->nvalues++;
		if (!p[len])
			break;
		p += len + 1;
	}
	return 0;
}

/* ---- applying and checking -------------------------------------------- */

int params_apply(const struct param_axis *ax, uint32_t i, struct scenario *scn, char *err,
		 size_t errlen)
{
	const struct param_def *def = ax->def;
	const struct param_value *v = &ax->values[i];
	if (def->scope == SCOPE_SCENARIO || ax->target >= 0)
		return def->apply(scn, ax->target, v, err, errlen);
	char why[256];
	for (uint32_t k = 0; k < count_of(scn, def->scope); k++) {
		/* "*": only where the key applies (checked by params_parse). */
		if (def->fits && def->fits(scn, (int)k, v, why, sizeof why) != 0)
			continue;
		if (def->apply(scn, (int)k, v, err, errlen) != 0)
			return -1;
	}
	return 0;
}

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
		const char *why = lb_sel_check(x->balance, &x->sel_params, scn->servers.count);
		if (why) {
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
