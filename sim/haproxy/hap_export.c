/* A design as an HAProxy configuration; see include/lbsim/haproxy.h.
 *
 * The layout follows the design's kind:
 *   l4        one mode tcp frontend on :443, one backend of every server,
 *             the check on OWA's page (over TLS: check-ssl);
 *   l4-multi  one mode tcp frontend per workload, each on its own address
 *             (placeholders 198.51.100.1..8: one external address each, as
 *             the design needs), each with its workload's backend and check;
 *   l7        one mode http frontend terminating TLS on :443, a path_beg
 *             rule per workload to its backend (/ and other paths to OWA's,
 *             where IIS would redirect them), servers on 443 with `ssl`
 *             when the design re-encrypts, on 80 otherwise.
 * Every backend carries the design's balance, persistence and check.
 * Persistence: source-ip as `stick-table type ip` with `stick on src`
 * (`src,ipmask(N)` for a netmask, `nopurge` when a full table refuses);
 * ssl-session-id as HAProxy's recipe for the session id of the cleartext
 * hellos (payload_lv(43,1)) on layer 4, and ssl_fc_session_id on layer 7;
 * cookie as `cookie LBSIM insert indirect nocache maxidle <expire>`.
 *
 * Timeouts: a connection may sit idle for a client's think time and a long
 * poll's hold (an ActiveSync ping: 9 min by default), so `timeout client`
 * and `timeout server` are 1.5 times the longest such idle of the
 * scenario's clients, rounded up to minutes: shorter ones would cut every
 * ping (HAProxy's timeouts are inactivity timeouts).
 *
 * Refused, with the reason: what HAProxy 2.6 cannot do as simulated
 * (hash-type maglev; hash functions other than sdbm and djb2 for uri and
 * hdr; balance source with a hash function, since HAProxy hashes the
 * address itself; init-state before HAProxy 3.1). Noted: what HAProxy does
 * not configure (the cost figures, the balancer's queue, the size of a
 * cookie table, placeholders to replace).
 */
#include "lbsim/haproxy.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "lbsim/lb_hash.h"
#include "lbsim/scenario_write.h"
#include "lbsim/workload.h"

#define DEFAULT_CRT "/etc/haproxy/certs/exchange.pem"
#define DEFAULT_SERVER_BASE "192.0.2.1"
#define COOKIE_NAME "LBSIM"
/* A deep check's credentials: "lbsim:change-me", to be replaced by a test
 * mailbox's. */
#define DEEP_AUTH "Basic bGJzaW06Y2hhbmdlLW1l"

static int hashing(const struct lb_sel_ops *ops)
{
	return ops == &lb_sel_source || ops == &lb_sel_uri || ops == &lb_sel_hdr;
}

/* Why HAProxy cannot run design d as simulated; NULL when it can. */
static const char *refusal(const struct scn_design *d, unsigned minor, char *buf, size_t len)
{
	const struct lb_sel_params *p = &d->sel_params;
	if (hashing(d->balance)) {
		if (p->hash_type == LB_HASH_MAGLEV)
			return "hash-type maglev has no HAProxy equivalent (HAProxy has map-based "
			       "and consistent)";
		/* Under profile haproxy, lbsim's `balance source` already hashes
		 * the address itself, whatever function is named. */
		if (d->balance == &lb_sel_source && p->hash_function != LB_HASHFN_NONE &&
		    p->profile != LB_PROFILE_HAPROXY) {
			snprintf(buf, len, "balance source with hash-function %s: HAProxy hashes the "
				 "address itself (lbsim's hash-function none); simulate that to "
				 "export it", lb_hash_function_name(p->hash_function));
			return buf;
		}
		if (d->balance != &lb_sel_source && p->hash_function != LB_HASHFN_SDBM &&
		    p->hash_function != LB_HASHFN_DJB2) {
			snprintf(buf, len, "hash-function %s: HAProxy 2.6 hashes with sdbm, djb2, wt6 "
				 "or crc32 (lbsim has sdbm and djb2)",
				 lb_hash_function_name(p->hash_function));
			return buf;
		}
	}
	if (d->check.params.init != LB_HC_INIT_UP && minor < 31)
		return "check init other than up needs HAProxy 3.1's init-state (give --haproxy 3.1)";
	return NULL;
}

/* What HAProxy can do that comes nearest to d, each change noted. */
static void nearest(struct scn_design *d, unsigned minor, FILE *notes)
{
	struct lb_sel_params *p = &d->sel_params;
	FILE *n = notes ? notes : stderr;
	if (hashing(d->balance) && p->hash_type == LB_HASH_MAGLEV) {
		fprintf(n, "nearest: hash-type maglev written as consistent (HAProxy's ring)\n");
		p->hash_type = LB_HASH_CONSISTENT;
		p->table_size = 0;
	}
	if (d->balance == &lb_sel_source && p->hash_function != LB_HASHFN_NONE &&
	    p->profile != LB_PROFILE_HAPROXY) {
		fprintf(n, "nearest: balance source hashes the address itself in HAProxy, not "
			"with %s\n", lb_hash_function_name(p->hash_function));
		p->hash_function = LB_HASHFN_NONE;
	} else if (hashing(d->balance) && p->hash_function != LB_HASHFN_SDBM &&
		   p->hash_function != LB_HASHFN_DJB2) {
		fprintf(n, "nearest: hash-function %s written as sdbm (HAProxy's default)\n",
			lb_hash_function_name(p->hash_function));
		p->hash_function = LB_HASHFN_SDBM;
	}
	if (d->check.params.init != LB_HC_INIT_UP && minor < 31) {
		fprintf(n, "nearest: check init written as up (HAProxy before 3.1 has no "
			"init-state)\n");
		d->check.params.init = LB_HC_INIT_UP;
	}
}

/* A duration in HAProxy's units (us at the finest). */
static const char *hap_time(uint64_t ns, char *buf, size_t len)
{
	return scn_format_duration(ns < 1000 ? 1000 : ns - ns % 1000, buf, len);
}

/* The longest a client connection may sit idle: think time (bounded by
 * the connection's life) plus a long poll's hold. */
static uint64_t longest_idle_ns(const struct scenario *scn)
{
	uint64_t m = 0;
	for (int w = 0; w < WL_COUNT; w++) {
		const struct client_cfg *c = &scn->clients[w];
		uint64_t think = c->think < c->lifetime ? c->think : c->lifetime;
		if (think + c->hold > m)
			m = think + c->hold;
	}
	return m;
}

static void write_persist(FILE *fp, const struct scn_design *d, int http)
{
	const struct lb_pers_params *p = &d->pers_params;
	char t[64];
	if (!d->persist)
		return;
	if (d->persist == &lb_pers_cookie) {
		fprintf(fp, "    cookie " COOKIE_NAME " insert indirect nocache maxidle %s\n",
			hap_time(p->expire_ns, t, sizeof t));
		return;
	}
	int ip = d->persist == &lb_pers_source_ip;
	fprintf(fp, "    stick-table type %s size %u expire %s%s\n",
		ip ? "ip" : "binary len 32", p->size, hap_time(p->expire_ns, t, sizeof t),
		p->full == LB_PERS_FULL_REFUSE ? " nopurge" : "");
	if (ip) {
		if (p->netmask && p->netmask < 32)
			fprintf(fp, "    stick on src,ipmask(%u)\n", p->netmask);
		else
			fputs("    stick on src\n", fp);
	} else if (http) {
		fputs("    stick on ssl_fc_session_id\n", fp);
	} else {
		/* HAProxy's recipe (configuration manual, "stick store-response"). */
		fputs("    acl clienthello req_ssl_hello_type 1\n"
		      "    acl serverhello rep_ssl_hello_type 2\n"
		      "    tcp-request inspect-delay 5s\n"
		      "    tcp-request content accept if clienthello\n"
		      "    tcp-response content accept if serverhello\n"
		      "    stick on payload_lv(43,1) if clienthello\n"
		      "    stick store-response payload_lv(43,1) if serverhello\n", fp);
	}
}

/* The backend of workload w (-1: every workload, an l4 design). base:
 * the first placeholder address; own_addresses: write the scenario's
 * server addresses instead (servers: address:, a list entry's address:). */
static void write_backend(FILE *fp, const struct scenario *scn, const struct scn_design *d,
			  int w, const char *name, uint32_t base, int own_addresses, int http)
{
	const struct lb_sel_params *sp = &d->sel_params;
	const struct lb_hc_params *hp = &d->check.params;
	char t[64];
	fprintf(fp, "\nbackend %s\n", name);
	if (d->balance == &lb_sel_hdr)
		fprintf(fp, "    balance hdr(%s)\n", sp->hdr_name);
	else if (d->balance == &lb_sel_random)
		fprintf(fp, "    balance random(%u)\n", sp->draws ? sp->draws : 1);
	else
		fprintf(fp, "    balance %s\n", d->balance->name);
	if (hashing(d->balance)) {
		fprintf(fp, "    hash-type %s", sp->hash_type == LB_HASH_CONSISTENT ? "consistent"
										    : "map-based");
		if (d->balance != &lb_sel_source)
			fprintf(fp, " %s", lb_hash_function_name(sp->hash_function));
		else if (sp->hash_avalanche)
			/* `balance source` hashes the address itself, but the
			 * parser wants a function before the avalanche modifier
			 * (HAProxy 2.6 cfgparse: "only supports 'sdbm', ..."). */
			fputs(" sdbm", fp);
		fprintf(fp, "%s\n", sp->hash_avalanche ? " avalanche" : "");
		if (sp->balance_factor > 0)
			fprintf(fp, "    hash-balance-factor %ld\n", lround(sp->balance_factor * 100));
	}
	write_persist(fp, d, http);
	const struct lb_hc_ops *kind = d->check.kind ? d->check.kind : &lb_hc_http;
	if (kind->default_path) {
		const char *path = hp->path[0] ? hp->path
				   : w >= 0 ? workload_health_path((enum workload)w)
					    : kind->default_path;
		if (kind == &lb_hc_http && w < 0 && !hp->path[0])
			path = workload_health_path(WL_OWA);
		fprintf(fp, "    option httpchk\n    http-check send meth GET uri %s ver HTTP/1.1 "
			"hdr Host mail.contoso.com", path);
		if (kind == &lb_hc_deep)
			fputs(" hdr Authorization \"" DEEP_AUTH "\"", fp);
		fprintf(fp, "\n    http-check expect status %d\n",
			hp->expect_status ? hp->expect_status : kind->default_status);
	}
	fputs("    default-server check", fp);
	const struct {
		const char *kw;
		uint64_t ns;
	} times[] = {{"inter", hp->inter_ns}, {"fastinter", hp->fastinter_ns},
		     {"downinter", hp->downinter_ns}};
	for (size_t i = 0; i < sizeof times / sizeof times[0]; i++)
		if (times[i].ns)
			fprintf(fp, " %s %s", times[i].kw, hap_time(times[i].ns, t, sizeof t));
	if (hp->rise)
		fprintf(fp, " rise %u", hp->rise);
	if (hp->fall)
		fprintf(fp, " fall %u", hp->fall);
	static const char *const inits[] = {"up", "fully-up", "down", "fully-down"};
	if (hp->init != LB_HC_INIT_UP)
		fprintf(fp, " init-state %s", inits[hp->init]);
	/* Exchange serves its pages over TLS: a layer-4 design's HTTP check
	 * speaks TLS itself; a re-encrypting one's servers all do. */
	int tls_servers = !http || d->tls_reencrypt;
	if (http && d->tls_reencrypt)
		fputs(" ssl verify none", fp);
	else if (!http && kind->default_path)
		fputs(" check-ssl verify none", fp);
	fputc('\n', fp);
	for (uint32_t s = 0; s < scn->servers.count; s++) {
		char addr[LB_ADDR_TEXT_MAX + 8];
		if (own_addresses) {
			const struct lb_endpoint *ep = &scn->servers.endpoints[s];
			lb_endpoint_format(&ep->addr, ep->port, addr, sizeof addr);
		} else {
			struct in_addr a = {htonl(base + s)};
			char ip[INET_ADDRSTRLEN];
			inet_ntop(AF_INET, &a, ip, sizeof ip);
			snprintf(addr, sizeof addr, "%s:%d", ip, tls_servers ? 443 : 80);
		}
		fprintf(fp, "    server cas%u %s", s + 1, addr);
		/* HAProxy's weight is 1 unless set (configuration manual 5.2). */
		if (scn_server_weight(&scn->servers, s) != SCN_DEFAULT_WEIGHT)
			fprintf(fp, " weight %u", scn_server_weight(&scn->servers, s));
		if (scn_server_maxconn(&scn->servers, s))
			fprintf(fp, " maxconn %u", scn_server_maxconn(&scn->servers, s));
		if (scn_server_backup(&scn->servers, s))
			fputs(" backup", fp);
		if (d->persist == &lb_pers_cookie)
			fprintf(fp, " cookie cas%u", s + 1);
		fputc('\n', fp);
	}
}

/* With some list entries' addresses given and not the others', the others
 * take lbsim's default (127.0.0.1:10001 + index, lb_default_endpoint):
 * loopback addresses written as if they were the scenario's. Say which. */
static void note_default_addresses(FILE *notes, const struct scn_servers *s)
{
	uint32_t n = 0, first = 0;
	for (uint32_t i = 0; i < s->count; i++) {
		struct lb_endpoint def = lb_default_endpoint(i);
		if (lb_addr_equal(&s->endpoints[i].addr, &def.addr) &&
		    s->endpoints[i].port == def.port && n++ == 0)
			first = i;
	}
	if (n)
		fprintf(notes, "servers: %u of %u (the first cas%u) have lbsim's default loopback "
			"address (127.0.0.1:10001 on; the scenario gives them none): replace them "
			"with your Client Access servers'\n", n, s->count, first + 1);
}

/* server_base: the placeholders' first address, NULL when the servers
 * have the scenario's own. */
static void notes_of(FILE *notes, const struct scenario *scn, const struct scn_design *d,
		     const char *server_base)
{
	if (!notes)
		return;
	struct scn_design def = *d;
	scn_set_design_defaults(&def);
	if (d->kind != SCN_DESIGN_L7 && d->impl != COST_IMPL_PROXY)
		fprintf(notes, "implementation %s: HAProxy is a user-space proxy; this configuration "
			"is the mode tcp proxy, not the kernel forwarder the design is priced as\n",
			cost_impl_names[d->impl]);
	if (memcmp(&def.costs, &d->costs, sizeof def.costs) != 0)
		fprintf(notes, "costs: lbsim's price of the balancer's work, not a setting of "
			"HAProxy; not written\n");
	if (d->lb_cores && d->lb_queue != SCN_DEFAULT_LB_QUEUE)
		fprintf(notes, "lb-queue %u: HAProxy has no such queue (connections beyond maxconn "
			"wait in the kernel); not written\n", d->lb_queue);
	if (d->persist == &lb_pers_cookie &&
	    (d->pers_params.size != SCN_DEFAULT_PERSIST_SIZE || d->pers_params.full))
		fprintf(notes, "persist cookie size and full: HAProxy's inserted cookie names the "
			"server and needs no table; not written\n");
	if (d->check.kind == &lb_hc_deep)
		fprintf(notes, "check deep: the probe logs on with %s, placeholder credentials "
			"(lbsim:change-me): put a test mailbox's there\n", DEEP_AUTH);
	if (server_base)
		fprintf(notes, "servers cas1..cas%u: placeholder addresses from %s; replace them "
			"with your Client Access servers' (or give them in the scenario: servers: "
			"address:, or a list entry's address:)\n", scn->servers.count, server_base);
	else if (scn->servers.endpoints)
		note_default_addresses(notes, &scn->servers);
	int limited = 0;
	for (uint32_t s = 0; s < scn->servers.count; s++)
		limited |= scn_server_maxconn(&scn->servers, s) != 0;
	if (limited && d->kind != SCN_DESIGN_L7)
		fprintf(notes, "maxconn on a mode tcp backend: HAProxy queues the connections past "
			"it (timeout queue) where lbsim's layer 4, a forwarder, refuses them\n");
	if (!scn_servers_uniform_cores(&scn->servers))
		fprintf(notes, "servers' own cores: the size of lbsim's servers, not a setting of "
			"HAProxy; not written\n");
	if (d->kind == SCN_DESIGN_L4_MULTI)
		fprintf(notes, "frontends bind placeholder addresses 198.51.100.1..%d, one per "
			"workload (one name each in DNS)\n", WL_COUNT);
}

int hap_export(FILE *fp, const struct scenario *scn, uint32_t di,
	       const struct hap_export_opts *o, FILE *notes, char *err, size_t errlen)
{
	const struct scn_design *d = &scn->designs[di];
	const char *crt = o && o->crt ? o->crt : DEFAULT_CRT;
	const char *server_base = o && o->server_base ? o->server_base : DEFAULT_SERVER_BASE;
	/* The scenario's own server addresses, unless --server-base asks for
	 * placeholders. */
	int own = scn->servers.endpoints && !(o && o->server_base);
	unsigned minor = o && o->haproxy_minor ? o->haproxy_minor : 26;
	char why[256];
	const char *no = refusal(d, minor, why, sizeof why);
	struct scn_design near;
	if (no && !(o && o->nearest)) {
		snprintf(err, errlen, "design %s: %s (--nearest writes what comes nearest)", d->name, no);
		return -1;
	}
	if (no) {
		near = *d;
		nearest(&near, minor, notes);
		d = &near;
	}
	struct in_addr base;
	if (inet_pton(AF_INET, server_base, &base) != 1) {
		snprintf(err, errlen, "--server-base %s is not an IPv4 address", server_base);
		return -1;
	}
	uint32_t b = ntohl(base.s_addr);
	if (b > UINT32_MAX - scn->servers.count) {
		snprintf(err, errlen, "--server-base %s leaves no room for %u servers", server_base,
			 scn->servers.count);
		return -1;
	}
	for (const char *c = crt; *c; c++)
		if (*c == ' ' || *c == '#' || *c == '"' || *c == '\\' || (unsigned char)*c < 0x20) {
			snprintf(err, errlen, "--crt: a path without spaces, quotes, '#' or '\\'");
			return -1;
		}
	int http = d->kind == SCN_DESIGN_L7;
	char t[64];
	uint64_t idle = longest_idle_ns(scn) * 3 / 2;
	uint64_t minutes = (idle + 60ull * SIM_NS_PER_S - 1) / (60ull * SIM_NS_PER_S);
	if (minutes < 1)
		minutes = 1;
	fprintf(fp, "# HAProxy configuration for design \"%s\" (kind %s) of scenario \"%s\",\n"
		"# written by lbsim export-haproxy. `lbsim import-haproxy` reads it back into the\n"
		"# same design. %s\n",
		d->name, scn_design_kind_name(d->kind), scn->name,
		own ? "Server addresses are the scenario's." : "Server addresses are placeholders: "
							     "replace them.");
	/* Debian's packaged defaults for logging (syslog on /dev/log). */
	fputs("\nglobal\n    log /dev/log local0\n", fp);
	if (d->lb_cores)
		fprintf(fp, "    nbthread %u\n", d->lb_cores);
	fprintf(fp, "\ndefaults\n    log global\n    mode %s\n    timeout connect 5s\n",
		http ? "http" : "tcp");
	fprintf(fp, "    # idle client connections: think time plus a long poll's hold, x 1.5\n"
		"    timeout client %" PRIu64 "m\n    timeout server %" PRIu64 "m\n", minutes, minutes);
	if (d->check.params.timeout_ns)
		fprintf(fp, "    timeout check %s\n", hap_time(d->check.params.timeout_ns, t, sizeof t));
	/* Unset, HAProxy waits `timeout connect` (5s above) in a queue,
	 * which is lbsim's default: written only when the design says. */
	if (http && d->queue_timeout)
		fprintf(fp, "    timeout queue %s\n", hap_time(d->queue_timeout, t, sizeof t));
	if (http)
		fputs("    option httplog\n"
		      "    # lbsim reads these logs with --capture Host,User-Agent\n", fp);
	else
		fputs("    option tcplog\n", fp);

	char name[SCN_NAME_MAX + 8];
	if (d->kind == SCN_DESIGN_L4) {
		fputs("\nfrontend fe_exchange\n    bind :443\n    default_backend be_exchange\n", fp);
		write_backend(fp, scn, d, -1, "be_exchange", b, own, 0);
	} else if (d->kind == SCN_DESIGN_L4_MULTI) {
		for (int w = 0; w < WL_COUNT; w++)
			fprintf(fp, "\nfrontend fe_%s\n    bind 198.51.100.%d:443\n    default_backend "
				"be_%s\n", workload_name((enum workload)w), w + 1,
				workload_name((enum workload)w));
		for (int w = 0; w < WL_COUNT; w++) {
			snprintf(name, sizeof name, "be_%s", workload_name((enum workload)w));
			write_backend(fp, scn, d, w, name, b, own, 0);
		}
	} else {
		fprintf(fp, "\nfrontend fe_exchange\n    bind :443 ssl crt %s\n"
			"    capture request header Host len 64\n"
			"    capture request header User-Agent len 160\n", crt);
		for (int w = 0; w < WL_COUNT; w++)
			fprintf(fp, "    acl wl_%s path_beg -i %s\n", workload_name((enum workload)w),
				workload_path((enum workload)w));
		for (int w = 0; w < WL_COUNT; w++)
			fprintf(fp, "    use_backend be_%s if wl_%s\n", workload_name((enum workload)w),
				workload_name((enum workload)w));
		fputs("    # / and other paths: OWA's servers, as IIS redirects them there\n"
		      "    default_backend be_owa\n", fp);
		for (int w = 0; w < WL_COUNT; w++) {
			snprintf(name, sizeof name, "be_%s", workload_name((enum workload)w));
			write_backend(fp, scn, d, w, name, b, own, 1);
		}
	}
	notes_of(notes, scn, d, own ? NULL : server_base);
	if (ferror(fp)) {
		snprintf(err, errlen, "write failed");
		return -1;
	}
	return 0;
}

/* ---- comparing designs --------------------------------------------------- */

static int differ(char *why, size_t len, const char *what)
{
	snprintf(why, len, "%s differs", what);
	return -1;
}

int hap_design_compare(const struct scn_design *a, const struct scn_design *b, char *why,
		       size_t len)
{
	if (a->kind != b->kind)
		return differ(why, len, "kind");
	if (a->balance != b->balance)
		return differ(why, len, "balance");
	const struct lb_sel_params *x = &a->sel_params, *y = &b->sel_params;
	if (a->balance == &lb_sel_random &&
	    (x->draws ? x->draws : 1) != (y->draws ? y->draws : 1))
		return differ(why, len, "draws");
	if (a->balance == &lb_sel_hdr && strcmp(x->hdr_name, y->hdr_name) != 0)
		return differ(why, len, "hdr name");
	if (hashing(a->balance) &&
	    (x->hash_type != y->hash_type || x->hash_function != y->hash_function ||
	     x->hash_avalanche != y->hash_avalanche || x->balance_factor != y->balance_factor ||
	     x->table_size != y->table_size))
		return differ(why, len, "hashing (hash-type, hash-function, avalanche, factor)");
	if (a->persist != b->persist)
		return differ(why, len, "persist method");
	if (a->persist) {
		const struct lb_pers_params *p = &a->pers_params, *q = &b->pers_params;
		if (p->expire_ns != q->expire_ns)
			return differ(why, len, "persist expire");
		if (a->persist != &lb_pers_cookie && (p->size != q->size || p->full != q->full))
			return differ(why, len, "persist size or full");
		if (a->persist == &lb_pers_source_ip &&
		    (p->netmask ? p->netmask : 32) != (q->netmask ? q->netmask : 32))
			return differ(why, len, "persist netmask");
	}
	const struct lb_hc_ops *ka = a->check.kind ? a->check.kind : &lb_hc_http;
	const struct lb_hc_ops *kb = b->check.kind ? b->check.kind : &lb_hc_http;
	if (ka != kb)
		return differ(why, len, "check kind");
	const struct lb_hc_params *h = &a->check.params, *k = &b->check.params;
	if (h->inter_ns != k->inter_ns || h->fastinter_ns != k->fastinter_ns ||
	    h->downinter_ns != k->downinter_ns || h->timeout_ns != k->timeout_ns ||
	    h->rise != k->rise || h->fall != k->fall || h->init != k->init)
		return differ(why, len, "check timing (inter, fastinter, downinter, timeout, rise, "
			      "fall, init)");
	if (ka->default_path) {
		const char *pa = h->path[0] ? h->path : "", *pb = k->path[0] ? k->path : "";
		if (strcmp(pa, pb) != 0)
			return differ(why, len, "check path");
		if ((h->expect_status ? h->expect_status : ka->default_status) !=
		    (k->expect_status ? k->expect_status : kb->default_status))
			return differ(why, len, "check status");
	}
	if (a->tls_reencrypt != b->tls_reencrypt)
		return differ(why, len, "reencrypt");
	if (a->lb_cores != b->lb_cores || (a->lb_cores && a->lb_queue != b->lb_queue))
		return differ(why, len, "lb-cores or lb-queue");
	if (a->queue_timeout != b->queue_timeout)
		return differ(why, len, "timeout-queue");
	return 0;
}
