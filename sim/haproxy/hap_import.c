/* An HAProxy configuration's frontends and backends as lbsim designs; see
 * include/lbsim/haproxy.h for what is read and how designs are formed.
 *
 * A proxy's settings are the lines of the `defaults` section before it,
 * then its own: the last line of a keyword wins, as in HAProxy. Reading a
 * setting marks the line used. A design draws its settings from one
 * backend (the first of its workloads); the other backends of the design
 * are read the same way and every line that would give another value is
 * noted ("differs from ..."): a design has one balance, one persistence,
 * one health check. At the end every line neither used nor explained is
 * listed by hap_print_unmodelled, so nothing is dropped in silence.
 *
 * HAProxy's semantics kept (doc/configuration.txt, src/backend.c):
 * `balance source` hashes the address itself whatever hash function is
 * set (lbsim's hash-function none), other hashes use the hash-type's
 * function (sdbm by default); `balance random` draws 2 by default;
 * durations default to milliseconds; sizes take k, m, g as powers of
 * 1024; the default mode is tcp.
 */
#include "lbsim/haproxy.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lbsim/lb_hash.h"
#include "lbsim/workload.h"

/* A proxy: frontend, backend or listen, with the defaults before it. */
struct proxy {
	const struct hap_section *sec;
	const struct hap_section *defaults;  /* NULL: none */
};

struct ctx {
	struct hap_cfg *cfg;
	struct hap_error *err;
	int failed;
};

/* ---- reading settings ---------------------------------------------------- */

static int bad(struct ctx *x, const struct hap_line *l, unsigned word, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int bad(struct ctx *x, const struct hap_line *l, unsigned word, const char *fmt, ...)
{
	if (x->failed)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	x->err->line = l->line;
	x->err->column = word < l->n ? l->w[word].column : l->w[0].column;
	vsnprintf(x->err->message, sizeof x->err->message, fmt, ap);
	va_end(ap);
	x->failed = 1;
	return -1;
}

static void note(struct hap_line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct hap_line *l, const char *fmt, ...)
{
	if (l->why[0])
		return; /* the first reason stays */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(l->why, sizeof l->why, fmt, ap);
	va_end(ap);
}

static int is(const struct hap_line *l, unsigned i, const char *word)
{
	return i < l->n && strcmp(l->w[i].s, word) == 0;
}

/* The lines of section s, in order. */
static struct hap_line *line_of(struct ctx *x, const struct hap_section *s, unsigned i)
{
	return &x->cfg->lines[s->first + i];
}

/* The last line of a proxy (its defaults first, then its own) whose words
 * start with kw (and kw2 when not NULL). */
static struct hap_line *setting(struct ctx *x, const struct proxy *p, const char *kw,
				const char *kw2)
{
	struct hap_line *found = NULL;
	const struct hap_section *secs[2] = {p->defaults, p->sec};
	for (int k = 0; k < 2; k++) {
		if (!secs[k])
			continue;
		for (unsigned i = 0; i < secs[k]->count; i++) {
			struct hap_line *l = line_of(x, secs[k], i);
			if (is(l, 0, kw) && (!kw2 || is(l, 1, kw2)))
				found = l;
		}
	}
	return found;
}

/* "2s", "500ms", "1m", "2000" (ms by default) into ns. */
static int parse_time(const char *s, uint64_t *ns)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (end == s || *s == '-' || *s == '+')
		return -1;
	static const struct {
		const char *unit;
		uint64_t ns;
	} units[] = {{"", 1000000ull}, {"us", 1000ull}, {"ms", 1000000ull}, {"s", 1000000000ull},
		     {"m", 60000000000ull}, {"h", 3600000000000ull}, {"d", 86400000000000ull}};
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (strcmp(end, units[i].unit) != 0)
			continue;
		if (v > UINT64_MAX / units[i].ns)
			return -1;
		*ns = v * units[i].ns;
		return 0;
	}
	return -1;
}

static int time_of(struct ctx *x, struct hap_line *l, unsigned i, uint64_t *ns)
{
	if (i >= l->n)
		return bad(x, l, i, "'%s' needs a value", l->w[i - 1].s);
	if (parse_time(l->w[i].s, ns) != 0)
		return bad(x, l, i, "'%s' is not a time (a number, ms by default, or with us, ms, "
			   "s, m, h, d)", l->w[i].s);
	return 0;
}

static int whole_of(struct ctx *x, struct hap_line *l, unsigned i, uint64_t lo, uint64_t hi,
		    uint64_t *out)
{
	if (i >= l->n)
		return bad(x, l, i, "'%s' needs a value", l->w[i - 1].s);
	char *end;
	const char *s = l->w[i].s;
	unsigned long long v = strtoull(s, &end, 10);
	if (end == s || *end || *s == '-' || *s == '+' || v < lo || v > hi)
		return bad(x, l, i, "'%s' is not a whole number from %llu to %llu", s,
			   (unsigned long long)lo, (unsigned long long)hi);
	*out = v;
	return 0;
}

/* A stick-table size: a number, with k, m or g as powers of 1024. */
static int size_of(struct ctx *x, struct hap_line *l, unsigned i, uint64_t *out)
{
	if (i >= l->n)
		return bad(x, l, i, "'size' needs a value");
	char *end;
	const char *s = l->w[i].s;
	unsigned long long v = strtoull(s, &end, 10);
	uint64_t mult = *end == 'k' ? 1024 : *end == 'm' ? 1024 * 1024 : *end == 'g' ? 1u << 30 : 1;
	if (mult > 1)
		end++;
	if (end == s || *end || *s == '-' || v == 0 || v > SCN_MAX_PERSIST_SIZE / mult)
		return bad(x, l, i, "size '%s' is not a number of entries from 1 to %u (k, m, g: "
			   "times 1024)", s, SCN_MAX_PERSIST_SIZE);
	*out = v * mult;
	return 0;
}

/* ---- workloads ------------------------------------------------------------- */

/* The workload of a path ("/owa", "/owa/healthcheck.htm"), or -1. */
static int workload_of_path(const char *path)
{
	for (int w = 0; w < WL_COUNT; w++) {
		const char *p = workload_path((enum workload)w);
		size_t n = strlen(p);
		if (strncasecmp(path, p, n) == 0 && (path[n] == '\0' || path[n] == '/'))
			return w;
	}
	return -1;
}

/* The workload a backend's name suggests ("be_owa", "exchange-eas"), or
 * -1: each workload's name and the usual aliases, whole words of the name. */
static int workload_of_name(const char *name)
{
	static const struct {
		const char *word;
		int w;
	} words[] = {
		{"owa", WL_OWA}, {"ecp", WL_ECP}, {"eas", WL_EAS}, {"activesync", WL_EAS},
		{"ews", WL_EWS}, {"oa", WL_OA}, {"rpc", WL_OA}, {"outlookanywhere", WL_OA},
		{"mapi", WL_MAPI}, {"autodiscover", WL_AUTODISCOVER}, {"oab", WL_OAB},
	};
	char low[128];
	size_t n = 0;
	for (; name[n] && n + 1 < sizeof low; n++)
		low[n] = (char)(name[n] >= 'A' && name[n] <= 'Z' ? name[n] - 'A' + 'a' : name[n]);
	low[n] = '\0';
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
		size_t k = strlen(words[i].word);
		for (const char *p = strstr(low, words[i].word); p; p = strstr(p + 1, words[i].word)) {
			int left = p == low || !((p[-1] >= 'a' && p[-1] <= 'z') || (p[-1] >= '0' && p[-1] <= '9'));
			char r = p[k];
			int right = !((r >= 'a' && r <= 'z') || (r >= '0' && r <= '9'));
			if (left && right)
				return words[i].w;
		}
	}
	return -1;
}

/* ---- proxies ------------------------------------------------------------- */

static int n_proxies(const struct hap_cfg *cfg)
{
	return (int)cfg->nsecs;
}

/* The proxy of section i (with the defaults before it). */
static struct proxy proxy_of(const struct hap_cfg *cfg, unsigned i)
{
	struct proxy p = {&cfg->secs[i], NULL};
	for (unsigned k = i; k-- > 0;)
		if (strcmp(cfg->secs[k].kind, "defaults") == 0) {
			p.defaults = &cfg->secs[k];
			break;
		}
	return p;
}

static int find_backend(const struct hap_cfg *cfg, const char *name, struct proxy *out)
{
	for (unsigned i = 0; i < cfg->nsecs; i++) {
		const struct hap_section *s = &cfg->secs[i];
		if ((strcmp(s->kind, "backend") == 0 || strcmp(s->kind, "listen") == 0) &&
		    strcmp(s->name, name) == 0) {
			*out = proxy_of(cfg, i);
			return 0;
		}
	}
	return -1;
}

static int mode_http(struct ctx *x, const struct proxy *p)
{
	struct hap_line *l = setting(x, p, "mode", NULL);
	if (!l)
		return 0; /* HAProxy's default mode is tcp */
	l->used = 1;
	if (is(l, 1, "http"))
		return 1;
	if (!is(l, 1, "tcp"))
		bad(x, l, 1, "mode '%s': tcp or http", l->n > 1 ? l->w[1].s : "");
	return 0;
}

/* A route of a frontend: a backend and the workload its rule names. */
struct route {
	char backend[128];
	int workload;          /* from the rule's path, the backend's check or name; -1 */
	struct hap_line *line;
};

#define MAX_ROUTES 32

struct entry {
	struct proxy p;
	int http, tls;
	struct route routes[MAX_ROUTES];
	unsigned nroutes;
	int grouped;           /* taken into a design */
};

/* The path prefix an ACL of the frontend (or an anonymous { ... } one)
 * matches: "path_beg [-i] /x" or "path -m beg /x". NULL when none. */
static const char *acl_path(struct ctx *x, const struct proxy *p, struct hap_line *rule,
			    unsigned from)
{
	for (unsigned i = from; i < rule->n; i++) {
		const char *w = rule->w[i].s;
		if (strcmp(w, "path_beg") == 0 || (strcmp(w, "path") == 0 && is(rule, i + 1, "-m") &&
						    is(rule, i + 2, "beg"))) {
			unsigned k = i + (w[4] == '_' ? 1 : 3);
			while (k < rule->n && rule->w[k].s[0] == '-')
				k++;
			if (k < rule->n && rule->w[k].s[0] == '/')
				return rule->w[k].s;
		}
	}
	/* Named ACLs: acl NAME path_beg [-i] /x */
	for (unsigned i = from; i < rule->n; i++) {
		const char *name = rule->w[i].s;
		if (name[0] == '!')
			continue;
		for (unsigned k = 0; k < p->sec->count; k++) {
			struct hap_line *a = line_of(x, p->sec, k);
			if (!is(a, 0, "acl") || !is(a, 1, name))
				continue;
			const char *path = acl_path(x, p, a, 2);
			if (path) {
				a->used = 1;
				return path;
			}
		}
	}
	return NULL;
}

/* The workload a backend serves: its check path, else its name. */
static int backend_workload(struct ctx *x, const struct proxy *b)
{
	struct hap_line *l = setting(x, b, "http-check", "send");
	for (unsigned i = 2; l && i + 1 < l->n; i++)
		if (is(l, i, "uri"))
			return workload_of_path(l->w[i + 1].s) >= 0 ? workload_of_path(l->w[i + 1].s)
								  : workload_of_name(b->sec->name);
	l = setting(x, b, "option", "httpchk");
	if (l && l->n >= 4 && workload_of_path(l->w[3].s) >= 0)
		return workload_of_path(l->w[3].s);
	if (l && l->n == 3 && workload_of_path(l->w[2].s) >= 0)
		return workload_of_path(l->w[2].s);
	return workload_of_name(b->sec->name);
}

static void add_route(struct ctx *x, struct entry *e, const char *backend, int workload,
		      struct hap_line *l)
{
	if (e->nroutes == MAX_ROUTES) {
		note(l, "more than %d routes in one frontend: this one is not modelled", MAX_ROUTES);
		return;
	}
	struct route *r = &e->routes[e->nroutes++];
	snprintf(r->backend, sizeof r->backend, "%s", backend);
	r->line = l;
	struct proxy b;
	if (find_backend(x->cfg, backend, &b) != 0) {
		bad(x, l, 1, "backend '%s' is not defined", backend);
		return;
	}
	r->workload = workload >= 0 ? workload : backend_workload(x, &b);
	l->used = 1;
}

/* A frontend or listen: mode, TLS on its binds, where it sends requests. */
static void read_entry(struct ctx *x, struct entry *e)
{
	e->http = mode_http(x, &e->p);
	for (unsigned i = 0; i < e->p.sec->count; i++) {
		struct hap_line *l = line_of(x, e->p.sec, i);
		if (is(l, 0, "bind")) {
			int ssl = 0, crt = 0;
			for (unsigned k = 1; k < l->n; k++) {
				ssl |= is(l, k, "ssl");
				crt |= is(l, k, "crt") || is(l, k, "crt-list");
			}
			if (ssl && crt)
				e->tls = 1;
			l->used = 1;
			if (l->n > 2 && !(ssl && crt && l->n == 5))
				note(l, "bind options other than ssl crt are not modelled");
		} else if (is(l, 0, "use_backend") && l->n >= 2) {
			const char *path = acl_path(x, &e->p, l, 2);
			add_route(x, e, l->w[1].s, path ? workload_of_path(path) : -1, l);
			if (path && workload_of_path(path) < 0)
				note(l, "path %s is no Exchange workload: the route is kept by its "
				     "backend's name or check", path);
		} else if (is(l, 0, "default_backend") && l->n >= 2) {
			add_route(x, e, l->w[1].s, -1, l);
		}
	}
	int servers = 0;
	for (unsigned i = 0; i < e->p.sec->count; i++)
		servers |= is(line_of(x, e->p.sec, i), 0, "server");
	if (strcmp(e->p.sec->kind, "listen") == 0 && e->nroutes == 0 && servers) {
		struct route *r = &e->routes[e->nroutes++];
		snprintf(r->backend, sizeof r->backend, "%s", e->p.sec->name);
		r->workload = backend_workload(x, &e->p);
		r->line = &x->cfg->lines[e->p.sec->header];
	}
	x->cfg->lines[e->p.sec->header].used = 1;
}

/* ---- a backend's settings into a design ---------------------------------- */

/* The values a backend gives; compared across the backends of a design. */
struct backend_view {
	struct scn_design d;
	uint32_t servers;
	struct hap_server each[SCN_MAX_SERVERS]; /* the first `servers` of them */
	int has_checks;        /* some server has 'check' */
	struct hap_line *balance_line, *persist_line, *check_line, *server_line;
};

static void read_balance(struct ctx *x, const struct proxy *b, struct backend_view *v)
{
	struct scn_design *d = &v->d;
	struct hap_line *l = setting(x, b, "balance", NULL);
	d->balance = &lb_sel_roundrobin;
	v->balance_line = l;
	if (l) {
		const char *alg = l->n > 1 ? l->w[1].s : "";
		struct lb_sel_params params = {0};
		const struct lb_sel_ops *ops = NULL;
		uint64_t draws = 0;
		if (strncmp(alg, "random(", 7) == 0 && alg[strlen(alg) - 1] == ')') {
			char *end;
			draws = strtoull(alg + 7, &end, 10);
			if (end == alg + 7 || *end != ')' || draws < 1 || draws > 64)
				bad(x, l, 1, "balance %s: random(N) takes a number of draws from 1 to 64",
				    alg);
			ops = &lb_sel_random;
		} else if (strcmp(alg, "random") == 0) {
			ops = &lb_sel_random;
			draws = 2; /* HAProxy's default */
		} else if (strcmp(alg, "roundrobin") == 0 || strcmp(alg, "static-rr") == 0 ||
			   strcmp(alg, "leastconn") == 0 || strcmp(alg, "first") == 0 ||
			   strcmp(alg, "source") == 0 || strcmp(alg, "uri") == 0 ||
			   strncmp(alg, "hdr(", 4) == 0) {
			ops = lb_sel_parse(alg, &params);
			if (!ops)
				bad(x, l, 1, "balance '%s' does not read (hdr(NAME) takes a header name)",
				    alg);
		}
		if (ops) {
			d->balance = ops;
			d->sel_params = params;
			d->sel_params.draws = (uint32_t)draws;
			l->used = 1;
			if (l->n > 2)
				note(l, "the options of balance %s are not modelled", alg);
		} else {
			note(l, "balance %s is not one of lbsim's algorithms: the design balances "
			     "roundrobin", alg);
		}
	}
	int hashing = d->balance == &lb_sel_source || d->balance == &lb_sel_uri ||
		      d->balance == &lb_sel_hdr;
	/* HAProxy hashes the source address itself; other keys with sdbm
	 * unless hash-type names another function. */
	d->sel_params.hash_function = d->balance == &lb_sel_source ? LB_HASHFN_NONE : LB_HASHFN_SDBM;
	if (!hashing)
		d->sel_params.hash_function = LB_HASHFN_MURMUR;
	struct hap_line *h = setting(x, b, "hash-type", NULL);
	if (h && hashing) {
		h->used = 1;
		if (is(h, 1, "consistent"))
			d->sel_params.hash_type = LB_HASH_CONSISTENT;
		else if (!is(h, 1, "map-based"))
			bad(x, h, 1, "hash-type '%s': map-based or consistent", h->n > 1 ? h->w[1].s : "");
		for (unsigned i = 2; i < h->n; i++) {
			if (is(h, i, "avalanche")) {
				d->sel_params.hash_avalanche = 1;
			} else if (is(h, i, "sdbm") || is(h, i, "djb2")) {
				if (d->balance == &lb_sel_source)
					note(h, "balance source hashes the address itself: HAProxy "
					     "ignores the hash function");
				else
					d->sel_params.hash_function =
						is(h, i, "sdbm") ? LB_HASHFN_SDBM : LB_HASHFN_DJB2;
			} else {
				note(h, "hash function %s is not modelled (lbsim has sdbm, djb2): the "
				     "design hashes with %s", h->w[i].s,
				     lb_hash_function_name(d->sel_params.hash_function));
			}
		}
	} else if (h) {
		note(h, "hash-type applies to hashing algorithms; balance %s hashes nothing",
		     d->balance->name);
	}
	struct hap_line *f = setting(x, b, "hash-balance-factor", NULL);
	if (f && hashing && d->sel_params.hash_type == LB_HASH_CONSISTENT) {
		uint64_t pct;
		if (whole_of(x, f, 1, 0, 10000, &pct) == 0) {
			f->used = 1;
			if (pct > 100)
				d->sel_params.balance_factor = (double)pct / 100.0;
			else if (pct != 0)
				note(f, "a factor of %llu%% (at most 100) bounds nothing lbsim can model",
				     (unsigned long long)pct);
		}
	} else if (f) {
		note(f, "hash-balance-factor applies to hash-type consistent only");
	}
}

/* Persistence: cookie insert, or a stick-table with stick on src or on
 * the SSL session id. */
static void read_persist(struct ctx *x, const struct proxy *b, struct backend_view *v)
{
	struct scn_design *d = &v->d;
	struct lb_pers_params *pp = &d->pers_params;
	pp->size = SCN_DEFAULT_PERSIST_SIZE;
	pp->expire_ns = SCN_DEFAULT_PERSIST_EXPIRE;
	pp->full = LB_PERS_FULL_LRU;
	struct hap_line *c = setting(x, b, "cookie", NULL);
	if (c) {
		v->persist_line = c;
		d->persist = &lb_pers_cookie;
		c->used = 1;
		int insert = 0;
		for (unsigned i = 2; i < c->n; i++) {
			if (is(c, i, "insert"))
				insert = 1;
			else if (is(c, i, "maxidle"))
				time_of(x, c, ++i, &pp->expire_ns);
		}
		if (!insert)
			note(c, "a cookie the servers set (rewrite, prefix) is modelled as one the "
			     "balancer inserts");
		return;
	}
	struct hap_line *t = setting(x, b, "stick-table", NULL);
	struct hap_line *on = setting(x, b, "stick", "on");
	if (!t && !on)
		return;
	if (!t || !on) {
		note(t ? t : on, "a stick-table needs 'stick on' (and the other way round) to "
		     "persist anything");
		return;
	}
	v->persist_line = on;
	const char *key = on->n > 2 ? on->w[2].s : "";
	if (strcmp(key, "src") == 0 || strncmp(key, "src,ipmask(", 11) == 0) {
		d->persist = &lb_pers_source_ip;
		if (key[3] == ',') {
			char *end;
			unsigned long m = strtoul(key + 11, &end, 10);
			if (*end != ')' || m < 1 || m > 32)
				bad(x, on, 2, "%s: ipmask() takes a prefix length from 1 to 32", key);
			pp->netmask = (uint8_t)m;
		}
		if (on->n > 3)
			note(on, "the condition of 'stick on' is not modelled");
	} else if (strcmp(key, "ssl_fc_session_id") == 0) {
		/* Layer 7: the session id of the TLS the balancer terminates. */
		d->persist = &lb_pers_ssl_session_id;
	} else if (strcmp(key, "payload_lv(43,1)") == 0) {
		/* HAProxy's recipe for the TLS session id: the ClientHello's
		 * and ServerHello's session id, with the helper lines. */
		d->persist = &lb_pers_ssl_session_id;
		static const char *const helpers[][3] = {
			{"acl", "clienthello", NULL}, {"acl", "serverhello", NULL},
			{"tcp-request", "inspect-delay", NULL}, {"tcp-request", "content", NULL},
			{"tcp-response", "content", NULL}, {"stick", "store-response", NULL},
		};
		for (size_t i = 0; i < sizeof helpers / sizeof helpers[0]; i++) {
			struct hap_line *h = setting(x, b, helpers[i][0], helpers[i][1]);
			if (h)
				h->used = 1;
		}
	} else {
		note(on, "'stick on %s' is not modelled (lbsim sticks on src or the TLS session "
		     "id, payload_lv(43,1))", key);
		return;
	}
	on->used = 1;
	t->used = 1;
	for (unsigned i = 1; i < t->n; i++) {
		if (is(t, i, "size")) {
			uint64_t s = 0;
			if (size_of(x, t, ++i, &s) == 0)
				pp->size = (uint32_t)s;
		} else if (is(t, i, "expire")) {
			if (time_of(x, t, ++i, &pp->expire_ns) == 0 && pp->expire_ns == 0)
				bad(x, t, i, "expire 0: lbsim's tables need a time after which an "
				    "entry expires");
		} else if (is(t, i, "nopurge")) {
			pp->full = LB_PERS_FULL_REFUSE;
		} else if (is(t, i, "type") || is(t, i, "len")) {
			i++;
		} else {
			note(t, "stick-table %s is not modelled", t->w[i].s);
		}
	}
}

/* A server line's address (its third word) into srv, as lbsim writes
 * an endpoint; a name, or an address without its port (HAProxy then
 * keeps the client's), leaves it "" with a note: lbsim's servers take
 * addresses, which the nginx and ipvs profiles hash. */
/* The first n servers of a and b alike, field by field (not memcmp: a
 * struct's padding is not copied by assignment in every compiler). */
static int servers_same(const struct hap_server *a, const struct hap_server *b, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (a[i].weight != b[i].weight || a[i].maxconn != b[i].maxconn ||
		    a[i].backup != b[i].backup || strcmp(a[i].address, b[i].address) != 0)
			return 0;
	return 1;
}

static void server_address(struct hap_line *l, struct hap_server *srv)
{
	const char *text = l->w[2].s;
	struct lb_endpoint ep;
	struct lb_addr_error e;
	if (lb_endpoint_parse(text, strlen(text), &ep.addr, &ep.port, &e) == 0) {
		lb_endpoint_format(&ep.addr, ep.port, srv->address, sizeof srv->address);
		return;
	}
	note(l, "the server's address %s is not an address with its port: kept out of the "
	     "scenario (servers keep lbsim's default addresses, which only the nginx and ipvs "
	     "profiles hash)", text);
}

/* A server or default-server line's check settings into p. */
static void read_server_check(struct ctx *x, struct hap_line *l, struct lb_hc_params *p,
			      int *check, int *ssl, struct hap_server *srv)
{
	static const char *const inits[] = {"up", "fully-up", "down", "fully-down"};
	unsigned first = is(l, 0, "server") ? 3 : 1;
	char unmodelled[160] = "";
	size_t un = 0;
	for (unsigned i = first; i < l->n; i++) {
		const char *w = l->w[i].s;
		uint64_t v;
		if (strcmp(w, "check") == 0) {
			*check = 1;
		} else if (strcmp(w, "ssl") == 0) {
			*ssl = 1;
		} else if (strcmp(w, "inter") == 0) {
			time_of(x, l, ++i, &p->inter_ns);
		} else if (strcmp(w, "fastinter") == 0) {
			time_of(x, l, ++i, &p->fastinter_ns);
		} else if (strcmp(w, "downinter") == 0) {
			time_of(x, l, ++i, &p->downinter_ns);
		} else if (strcmp(w, "rise") == 0) {
			if (whole_of(x, l, ++i, 1, 100, &v) == 0)
				p->rise = (uint32_t)v;
		} else if (strcmp(w, "fall") == 0) {
			if (whole_of(x, l, ++i, 1, 100, &v) == 0)
				p->fall = (uint32_t)v;
		} else if (strcmp(w, "weight") == 0) {
			/* HAProxy: 0 .. 256 (configuration manual 5.2). */
			if (whole_of(x, l, ++i, 0, LB_MAX_WEIGHT, &v) == 0)
				srv->weight = (uint32_t)v;
		} else if (strcmp(w, "maxconn") == 0) {
			if (whole_of(x, l, ++i, 0, SCN_MAX_MAXCONN, &v) == 0)
				srv->maxconn = (uint32_t)v;
		} else if (strcmp(w, "backup") == 0) {
			srv->backup = 1;
		} else if (strcmp(w, "init-state") == 0) {
			int k = -1;
			for (int j = 0; j < 4 && i + 1 < l->n; j++)
				if (is(l, i + 1, inits[j]))
					k = j;
			if (k < 0)
				bad(x, l, i + 1, "init-state takes up, fully-up, down or fully-down");
			else
				p->init = (enum lb_hc_init)k;
			i++;
		} else if (strcmp(w, "verify") == 0 || strcmp(w, "cookie") == 0 ||
			   strcmp(w, "check-ssl") == 0 || strcmp(w, "no-check-ssl") == 0) {
			/* How the check or TLS is made, not what lbsim times:
			 * understood, nothing to model. */
			if (strcmp(w, "verify") == 0 || strcmp(w, "cookie") == 0)
				i++;
		} else if (un + strlen(w) + 3 < sizeof unmodelled) {
			un += (size_t)snprintf(unmodelled + un, sizeof unmodelled - un, "%s%s",
					       un ? ", " : "", w);
			/* Skip the keyword's value, if it has one. */
			if (i + 1 < l->n && strcmp(w, "backup") != 0 && strcmp(w, "disabled") != 0 &&
			    strcmp(w, "no-sslv3") != 0 && strcmp(w, "send-proxy") != 0)
				i++;
		}
	}
	l->used = 1;
	if (un)
		note(l, "%s: not modelled", unmodelled);
}

static void read_check(struct ctx *x, const struct proxy *b, struct backend_view *v)
{
	struct scn_design *d = &v->d;
	struct lb_hc_params *p = &d->check.params;
	d->check.kind = &lb_hc_tcp;
	/* default-server lines (defaults, then the backend), then the
	 * first server's own. */
	int check = 0, ssl = 0;
	struct hap_server dsrv = {.weight = SCN_DEFAULT_WEIGHT};
	const struct hap_section *secs[2] = {b->defaults, b->sec};
	for (int k = 0; k < 2; k++) {
		for (unsigned i = 0; secs[k] && i < secs[k]->count; i++) {
			struct hap_line *l = line_of(x, secs[k], i);
			if (is(l, 0, "default-server"))
				read_server_check(x, l, p, &check, &ssl, &dsrv);
		}
	}
	struct lb_hc_params defaults = *p;
	int dcheck = check, dssl = ssl;
	v->servers = 0;
	for (unsigned i = 0; i < b->sec->count; i++) {
		struct hap_line *l = line_of(x, b->sec, i);
		if (!is(l, 0, "server"))
			continue;
		if (l->n < 3) {
			bad(x, l, 0, "'server' needs a name and an address");
			return;
		}
		struct lb_hc_params sp = defaults;
		int scheck = dcheck, sssl = dssl;
		struct hap_server srv = dsrv;
		read_server_check(x, l, &sp, &scheck, &sssl, &srv);
		server_address(l, &srv);
		if (v->servers < SCN_MAX_SERVERS)
			v->each[v->servers] = srv;
		if (v->servers == 0) {
			*p = sp;
			check = scheck;
			ssl = sssl;
			v->server_line = l;
		} else if (memcmp(&sp, p, sizeof sp) != 0 || scheck != check || sssl != ssl) {
			note(l, "its check or TLS settings differ from the first server's (line %u): "
			     "a design checks every server alike", v->server_line->line);
		}
		v->servers++;
	}
	v->has_checks = check;
	d->tls_reencrypt = ssl;
	struct hap_line *h = setting(x, b, "option", "httpchk");
	struct hap_line *send = setting(x, b, "http-check", "send");
	struct hap_line *expect = setting(x, b, "http-check", "expect");
	struct hap_line *tmo = setting(x, b, "timeout", "check");
	if (tmo && time_of(x, tmo, 2, &p->timeout_ns) == 0)
		tmo->used = 1;
	v->check_line = h ? h : v->server_line;
	if (!h) {
		if (send)
			note(send, "http-check send without option httpchk is not used by HAProxy");
		return;
	}
	h->used = 1;
	d->check.kind = &lb_hc_http;
	/* option httpchk [METH] URI [VER]: the URI is the second word after
	 * the method, or the only one. */
	const char *uri = h->n >= 4 ? h->w[3].s : h->n == 3 ? h->w[2].s : NULL;
	int auth = 0;
	if (send) {
		send->used = 1;
		for (unsigned i = 2; i + 1 < send->n; i++) {
			if (is(send, i, "uri"))
				uri = send->w[++i].s;
			else if (is(send, i, "hdr") && i + 2 < send->n) {
				auth |= strcasecmp(send->w[i + 1].s, "Authorization") == 0;
				i += 2;
			} else if (is(send, i, "meth") || is(send, i, "ver"))
				i++;
		}
	}
	if (auth)
		d->check.kind = &lb_hc_deep;
	if (uri && strlen(uri) < LB_HC_PATH_MAX)
		snprintf(p->path, sizeof p->path, "%s", uri);
	else if (uri)
		note(h, "the check path is longer than lbsim keeps (%d bytes)", LB_HC_PATH_MAX - 1);
	if (expect) {
		uint64_t status;
		if (is(expect, 2, "status") && whole_of(x, expect, 3, 100, 599, &status) == 0) {
			expect->used = 1;
			p->expect_status = (int)status;
		} else if (!x->failed) {
			note(expect, "only 'http-check expect status N' is modelled");
		}
	}
	if (!check)
		note(h, "no server has 'check': HAProxy sends no probe; the design checks anyway");
}

/* Read one backend into a view; http is its frontend's mode. */
static void read_backend(struct ctx *x, const struct proxy *b, struct backend_view *v, int http)
{
	memset(v, 0, sizeof *v);
	struct hap_line *m = setting(x, b, "mode", NULL);
	if (mode_http(x, b) != http)
		bad(x, m ? m : &x->cfg->lines[b->sec->header], 1, "backend %s is mode %s, its "
		    "frontend mode %s: HAProxy refuses that", b->sec->name, http ? "tcp" : "http",
		    http ? "http" : "tcp");
	read_balance(x, b, v);
	/* timeout queue: how long a request waits for a server slot; only a
	 * layer-7 design queues (a mode tcp one refuses past maxconn). */
	struct hap_line *tq = setting(x, b, "timeout", "queue");
	if (tq && http && time_of(x, tq, 2, &v->d.queue_timeout) == 0)
		tq->used = 1;
	else if (tq && !http)
		note(tq, "mode tcp: lbsim's layer 4 has no queue (a connection past maxconn is "
		     "refused)");
	read_persist(x, b, v);
	read_check(x, b, v);
	x->cfg->lines[b->sec->header].used = 1;
}

/* ---- designs ------------------------------------------------------------- */

/* The design's settings from its first backend; every other backend that
 * differs is noted at the line that differs. */
static void merge_backend(const struct backend_view *first, const struct backend_view *v,
			  const char *first_name)
{
	if (v->d.balance != first->d.balance ||
	    memcmp(&v->d.sel_params, &first->d.sel_params, sizeof v->d.sel_params) != 0)
		note(v->balance_line ? v->balance_line : v->server_line,
		     "balance differs from backend %s's: a design balances every pool alike",
		     first_name);
	if (v->d.persist != first->d.persist ||
	    memcmp(&v->d.pers_params, &first->d.pers_params, sizeof v->d.pers_params) != 0)
		note(v->persist_line ? v->persist_line : v->server_line,
		     "persistence differs from backend %s's: a design persists alike everywhere",
		     first_name);
	struct lb_hc_params a = v->d.check.params, b = first->d.check.params;
	memset(a.path, 0, sizeof a.path); /* each workload checks its own page */
	memset(b.path, 0, sizeof b.path);
	/* No 'expect' is the kind's own status. */
	if (!a.expect_status)
		a.expect_status = v->d.check.kind->default_status;
	if (!b.expect_status)
		b.expect_status = first->d.check.kind->default_status;
	if (v->d.check.kind != first->d.check.kind || memcmp(&a, &b, sizeof a) != 0)
		note(v->check_line ? v->check_line : v->server_line,
		     "health check differs from backend %s's: a design checks alike everywhere",
		     first_name);
	if (v->d.tls_reencrypt != first->d.tls_reencrypt)
		note(v->server_line, "TLS to the servers differs from backend %s's", first_name);
	uint32_t n = v->servers < first->servers ? v->servers : first->servers;
	if (n > SCN_MAX_SERVERS)
		n = SCN_MAX_SERVERS;
	if (!servers_same(v->each, first->each, n))
		note(v->server_line, "server weights, maxconn, backup or addresses differ from "
		     "backend %s's: "
		     "lbsim's servers are one set for every pool", first_name);
}

/* Control characters as '?': a scenario's names (and comments) hold none. */
static void printable(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static void design_name(struct hap_import *out, const char *want, char *name)
{
	char base[SCN_NAME_MAX - 12];
	snprintf(base, sizeof base, "%s", want);
	printable(base);
	snprintf(name, SCN_NAME_MAX, "%s", base);
	for (unsigned k = 2;; k++) {
		int clash = 0;
		for (unsigned i = 0; i < out->ndesigns; i++)
			clash |= strcmp(out->designs[i].name, name) == 0;
		if (!clash)
			return;
		snprintf(name, SCN_NAME_MAX, "%s-%u", base, k);
	}
}

/* Build a design of kind from the routes of entries es[0..n). */
static void build_design(struct ctx *x, struct hap_import *out, enum scn_design_kind kind,
			 struct entry **es, unsigned n, const char *name, uint32_t lb_cores)
{
	if (out->ndesigns == SCN_MAX_DESIGNS) {
		note(&x->cfg->lines[es[0]->p.sec->header], "more than %u designs: this frontend is "
		     "not imported", SCN_MAX_DESIGNS);
		return;
	}
	struct scn_design *d = &out->designs[out->ndesigns];
	struct backend_view first, v;
	const char *first_name = NULL;
	int have = 0;
	/* The backends in workload order, those of no known workload last;
	 * the first sets the design. Each backend once. */
	const char *done[MAX_ROUTES * 4];
	unsigned ndone = 0;
	for (int pass = 0; pass <= WL_COUNT; pass++) {
		int w = pass < WL_COUNT ? pass : -1;
		for (unsigned e = 0; e < n; e++) {
			for (unsigned r = 0; r < es[e]->nroutes; r++) {
				struct route *rt = &es[e]->routes[r];
				if (w >= 0 ? rt->workload != w : rt->workload >= 0)
					continue;
				int again = 0;
				for (unsigned k = 0; k < ndone; k++)
					again |= strcmp(done[k], rt->backend) == 0;
				struct proxy b;
				if (again || find_backend(x->cfg, rt->backend, &b) != 0)
					continue;
				if (ndone < sizeof done / sizeof done[0])
					done[ndone++] = rt->backend;
				struct backend_view *bv = have ? &v : &first;
				read_backend(x, &b, bv, es[e]->http);
				if (!have) {
					first_name = b.sec->name;
					have = 1;
				} else {
					merge_backend(&first, &v, first_name);
					if (v.servers > out->servers)
						out->servers = v.servers;
				}
				/* lbsim checks each workload's own page. */
				const char *path = bv->d.check.params.path;
				if (kind != SCN_DESIGN_L4 && w >= 0 && path[0] &&
				    bv->d.check.kind->default_path &&
				    strcasecmp(path, workload_health_path((enum workload)w)) != 0)
					note(bv->check_line, "backend %s checks %s, not its workload's page "
					     "%s, which lbsim's design checks", b.sec->name, path,
					     workload_health_path((enum workload)w));
			}
		}
	}
	if (!have || x->failed)
		return;
	*d = first.d;
	d->kind = kind;
	design_name(out, name, d->name);
	if (first.servers > out->servers)
		out->servers = first.servers;
	uint32_t ns = first.servers < SCN_MAX_SERVERS ? first.servers : SCN_MAX_SERVERS;
	if (out->neach == 0) {
		memcpy(out->each, first.each, ns * sizeof *out->each);
		out->neach = ns;
	} else if (!servers_same(out->each, first.each, ns < out->neach ? ns : out->neach)) {
		note(first.server_line, "server weights, maxconn, backup or addresses differ from "
		     "another "
		     "design's backend: lbsim's servers are one set for every design; the first "
		     "design's are kept");
	}
	if (kind != SCN_DESIGN_L4)
		d->check.params.path[0] = '\0'; /* each workload's own page */
	else if (strcmp(d->check.params.path, workload_health_path(WL_OWA)) == 0 &&
		 d->check.kind == &lb_hc_http)
		d->check.params.path[0] = '\0'; /* the default */
	if (d->check.kind == &lb_hc_deep && strcmp(d->check.params.path, "/owa/") == 0)
		d->check.params.path[0] = '\0';
	if (d->persist == &lb_pers_cookie && kind != SCN_DESIGN_L7) {
		note(first.persist_line, "cookie persistence needs layer 7: a mode tcp design cannot "
		     "read cookies");
		first.persist_line->used = 0;
		d->persist = NULL;
	}
	if (kind != SCN_DESIGN_L7 && d->tls_reencrypt) {
		note(first.server_line, "'ssl' on a mode tcp backend's servers: lbsim's layer-4 "
		     "designs forward the client's TLS");
		d->tls_reencrypt = 0;
	}
	if (lb_cores) {
		d->lb_cores = lb_cores;
		d->lb_queue = SCN_DEFAULT_LB_QUEUE;
	}
	scn_set_design_defaults(d);
	/* "frontend a, backend b": sections that do not fit are left out whole
	 * (snprintf into the remainder would cut one in the middle). */
	char *from = out->from[out->ndesigns];
	size_t k = 0;
	from[0] = '\0';
	for (unsigned e = 0; e < n; e++) {
		char part[sizeof out->from[0]];
		int w = snprintf(part, sizeof part, "%s%s %s", e ? ", " : "", es[e]->p.sec->kind,
				 es[e]->p.sec->name);
		if (w < 0 || (size_t)w >= sizeof out->from[0] - k)
			break;
		memcpy(from + k, part, (size_t)w + 1);
		k += (size_t)w;
	}
	printable(from);
	out->ndesigns++;
}

int hap_import(struct hap_cfg *cfg, struct hap_import *out, struct hap_error *err)
{
	memset(out, 0, sizeof *out);
	memset(err, 0, sizeof *err);
	snprintf(err->file, sizeof err->file, "%s", cfg->path);
	struct ctx x = {cfg, err, 0};
	uint32_t lb_cores = 0;
	for (unsigned s = 0; s < cfg->nsecs; s++) {
		const struct hap_section *sec = &cfg->secs[s];
		if (strcmp(sec->kind, "global") != 0 && strcmp(sec->kind, "defaults") != 0)
			continue;
		cfg->lines[sec->header].used = 1;
		for (unsigned i = 0; i < sec->count; i++) {
			struct hap_line *l = line_of(&x, sec, i);
			uint64_t v;
			if (strcmp(sec->kind, "global") == 0 && is(l, 0, "nbthread") &&
			    whole_of(&x, l, 1, 1, SCN_MAX_CORES, &v) == 0) {
				lb_cores = (uint32_t)v;
				l->used = 1;
				note(l, "taken as the balancer's cores (lb-cores)");
			}
		}
	}
	struct entry *entries = calloc((size_t)n_proxies(cfg), sizeof *entries);
	struct entry **group = calloc((size_t)n_proxies(cfg), sizeof *group);
	unsigned nentries = 0;
	if (!entries || !group) {
		free(entries);
		free(group);
		snprintf(err->message, sizeof err->message, "out of memory");
		return -1;
	}
	for (unsigned s = 0; s < cfg->nsecs && !x.failed; s++) {
		const char *kind = cfg->secs[s].kind;
		if (strcmp(kind, "frontend") != 0 && strcmp(kind, "listen") != 0)
			continue;
		struct entry *e = &entries[nentries++];
		e->p = proxy_of(cfg, s);
		read_entry(&x, e);
		if (e->nroutes == 0 && !x.failed) {
			for (unsigned k = 0; k < e->p.sec->count; k++)
				line_of(&x, e->p.sec, k)->used = 0;
			note(&cfg->lines[e->p.sec->header], "sends nowhere (no default_backend, no "
			     "use_backend): not imported");
			cfg->lines[e->p.sec->header].used = 0;
			e->grouped = 1;
		}
	}
	if (!x.failed && nentries == 0) {
		snprintf(err->message, sizeof err->message, "no frontend or listen section: the "
			 "configuration describes no service to import");
		free(entries);
		free(group);
		return -1;
	}
	/* mode tcp frontends with one backend each, every one a distinct
	 * workload: together, one l4-multi design. */
	unsigned ntcp = 0, distinct = 1;
	unsigned seen = 0;
	for (unsigned i = 0; i < nentries; i++) {
		struct entry *e = &entries[i];
		if (e->http || e->grouped)
			continue;
		int w = e->nroutes == 1 ? e->routes[0].workload : -1;
		if (w < 0 || (seen & (1u << w)))
			distinct = 0;
		else
			seen |= 1u << w;
		group[ntcp++] = e;
	}
	if (!x.failed && ntcp >= 2 && distinct) {
		build_design(&x, out, SCN_DESIGN_L4_MULTI, group, ntcp, "l4-multi", lb_cores);
		for (unsigned i = 0; i < ntcp; i++)
			group[i]->grouped = 1;
	}
	for (unsigned i = 0; i < nentries && !x.failed; i++) {
		struct entry *e = &entries[i];
		if (e->grouped)
			continue;
		if (e->http && !e->tls)
			note(&cfg->lines[e->p.sec->header], "mode http without 'ssl crt' on a bind: "
			     "lbsim's l7 design terminates TLS, and counts its cost");
		build_design(&x, out, e->http ? SCN_DESIGN_L7 : SCN_DESIGN_L4, &e, 1, e->p.sec->name,
			     lb_cores);
	}
	free(entries);
	free(group);
	if (x.failed)
		return -1;
	if (out->servers == 0) {
		snprintf(err->message, sizeof err->message, "no backend lists a server: nothing to "
			 "balance over");
		return -1;
	}
	if (out->servers > SCN_MAX_SERVERS)
		out->servers = SCN_MAX_SERVERS;
	return 0;
}

unsigned hap_print_unmodelled(FILE *fp, const struct hap_cfg *cfg, const char *prefix)
{
	unsigned n = 0;
	for (unsigned i = 0; i < cfg->nlines; i++) {
		const struct hap_line *l = &cfg->lines[i];
		if (l->used && !l->why[0])
			continue;
		/* One line of text whatever the words hold: it may land in a
		 * YAML comment. */
		char text[1024];
		size_t k = (size_t)snprintf(text, sizeof text, "%s:%u: ", cfg->path, l->line);
		for (unsigned w = 0; w < l->n && w < 4 && k < sizeof text; w++)
			k += (size_t)snprintf(text + k, sizeof text - k, "%s%s", w ? " " : "", l->w[w].s);
		if (k < sizeof text)
			snprintf(text + k, sizeof text - k, "%s: %s", l->n > 4 ? " ..." : "",
				 l->why[0] ? l->why : "not modelled");
		printable(text);
		fprintf(fp, "%s%s\n", prefix, text);
		n++;
	}
	return n;
}
