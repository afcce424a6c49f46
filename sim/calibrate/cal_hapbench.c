/* What a real HAProxy spends on this host (the HAProxy under test of
 * cal_hap.c, driven by cal_load.c): CPU per operation from the process's
 * CPU time over phases that differ in one operation, and memory per
 * connection from its resident memory with N connections held.
 *
 * CPU. Each phase drives one frontend with 16 connections at a time for
 * a while and divides the proxy's CPU time by the connections completed.
 * A phase prices a whole connection; the figures are differences between
 * phases that differ in one thing (cpu_figures[] holds the coefficients):
 *   accept          a connection refused once accepted
 *   relay message   (mode tcp connection with K small exchanges - with 1)
 *                   / (K - 1), halved: a request and its answer are two
 *   connect         a mode tcp connection with one exchange, less accept
 *                   and that exchange
 *   relay           (K large answers - K small ones) / (K x the extra bytes)
 *   http request    (connection with K requests - with 1) / (K - 1)
 *   TLS record      (TLS-terminated connection with K requests - with 1
 *                   - the same in clear) / (K - 1), halved: a request and
 *                   its answer are a record each
 *   TLS handshake   TLS-terminated connection with 1 request - plain one,
 *                   less its request's and answer's records
 *   backend TLS     re-encrypting connection - terminating one, both with
 *                   `http-reuse never` so that every client connection opens
 *                   its own server connection; resumed (HAProxy's default
 *                   ssl-reuse) or full (no-ssl-reuse)
 * The phases run in turn within each repeat, so a neighbour's burst on a
 * shared machine hits every figure of that repeat alike. On loopback the
 * kernel's TCP work for both ends of a socket runs in the sender's
 * context, so the proxy's figures include some of its peers' kernel work:
 * they are prices of a proxy on this host, not of the proxy's code alone.
 *
 * Memory. A fresh proxy for each mode and repeat; a few connections
 * first (so that code paths and pools are warm), then its anonymous
 * resident memory; then N connections opened and left idle (after one
 * request, or after the TLS handshake in passthrough): idle bytes per
 * connection; then one more request on each that the backend holds:
 * active bytes per connection, a request in flight at the server (the
 * proxy holds the server connection and the stream; its buffers are
 * released once their data is passed on, as HAProxy does).
 */
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <openssl/ssl.h>

#include "cal_hap.h"
#include "cal_internal.h"
#include "cal_load.h"
#include "cal_proc.h"
#include "lbsim/cost.h"
#include "lbsim/cost_profile.h"

/* Requests on the long connections of the keep-alive phases. */
#define KEEPALIVE_REQUESTS 20

enum {
	PH_ACCEPT,
	PH_TCP,
	PH_TCP_K,
	PH_TCP_BIG,
	PH_HTTP_1,
	PH_HTTP_K,
	PH_TERM_FULL_RSA,
	PH_TERM_FULL_EC,
	PH_TERM_RESUMED,
	PH_TERM12_RESUMED,
	PH_TERM_NEVER,
	PH_REENC_NEVER,
	PH_REENC_FULL,
	PH_TERM_K,
	PH_TCP_K_SERIAL,
	PH_COUNT
};

enum { K = KEEPALIVE_REQUESTS };
/* The last fields of each, request_bytes, concurrency and think_s, are
 * 0: bare requests, CAL_HAP_CONCURRENCY connections at a time (but for
 * the wake-up phase's one at a time), as fast as they go. */
static const struct cal_phase phases[PH_COUNT] = {
	[PH_ACCEPT] = {"accept and close", HF_ACCEPT, 0, 0, 0, 0, "/", 1, 0, 0, 0},
	[PH_TCP] = {"mode tcp, 1 request", HF_TCP, 0, 0, 0, 1, "/", 0, 0, 0, 0},
	[PH_TCP_K] = {"mode tcp, keep-alive", HF_TCP, 0, 0, 0, K, "/", 0, 0, 0, 0},
	[PH_TCP_BIG] = {"mode tcp, keep-alive, large answers", HF_TCP, 0, 0, 0, K, "/big", 0, 0, 0, 0},
	[PH_HTTP_1] = {"mode http, 1 request", HF_HTTP, 0, 0, 0, 1, "/", 0, 0, 0, 0},
	[PH_HTTP_K] = {"mode http, keep-alive", HF_HTTP, 0, 0, 0, K, "/", 0, 0, 0, 0},
	[PH_TERM_FULL_RSA] = {"TLS 1.3 full, RSA-2048", HF_TERM_RSA, 1, TLS1_3_VERSION, 0, 1, "/", 0, 0, 0, 0},
	[PH_TERM_FULL_EC] = {"TLS 1.3 full, ECDSA P-256", HF_TERM_EC, 1, TLS1_3_VERSION, 0, 1, "/", 0, 0, 0, 0},
	[PH_TERM_RESUMED] = {"TLS 1.3 resumed", HF_TERM_RSA, 1, TLS1_3_VERSION, 1, 1, "/", 0, 0, 0, 0},
	[PH_TERM12_RESUMED] = {"TLS 1.2 resumed (ticket)", HF_TERM_RSA, 1, TLS1_2_VERSION, 1, 1, "/",
			       0, 0, 0, 0},
	[PH_TERM_NEVER] = {"terminate, reuse never", HF_TERM_NEVER, 1, TLS1_3_VERSION, 1, 1, "/", 0, 0, 0, 0},
	[PH_REENC_NEVER] = {"re-encrypt, reuse never", HF_REENC_NEVER, 1, TLS1_3_VERSION, 1, 1, "/",
			    0, 0, 0, 0},
	[PH_REENC_FULL] = {"re-encrypt, no-ssl-reuse", HF_REENC_FULL, 1, TLS1_3_VERSION, 1, 1, "/",
			   0, 0, 0, 0},
	[PH_TERM_K] = {"TLS 1.3 resumed, keep-alive", HF_TERM_RSA, 1, TLS1_3_VERSION, 1, K, "/", 0,
		       0, 0, 0},
	[PH_TCP_K_SERIAL] = {"mode tcp, keep-alive, one at a time", HF_TCP, 0, 0, 0, K, "/", 0, 0, 1, 0},
};

/* A figure derived from phase costs per connection: the sum of coef[i] x
 * phase i, less records x the TLS record's price (cpu_figures[0]): the
 * records of the request and answer its phases hold, which lbsim charges
 * apart (tls-record), so that a connection's price counts them once. */
struct derived {
	const char *key;
	const char *unit;
	const char *what;
	double coef[PH_COUNT];
	double records;
};

/* The extra bytes of a large answer over a small one ("ok"), per request. */
#define BIG_EXTRA ((double)HAP_BIG_BYTES - 2)

static const struct derived cpu_figures[] = {
	/* first: the TLS figures take its price off */
	{"haproxy-tls-record", "ns",
	 "HAProxy terminating TLS: one record sealed or opened beyond its cipher (a request and "
	 "answer more on a kept-alive TLS 1.3 connection less in clear, halved)",
	 {[PH_TERM_K] = 0.5 / (K - 1), [PH_TERM_RESUMED] = -0.5 / (K - 1),
	  [PH_HTTP_K] = -0.5 / (K - 1), [PH_HTTP_1] = 0.5 / (K - 1)}, 0},
	{"haproxy-accept", "ns",
	 "HAProxy: accept a client connection and close it (mode tcp, `tcp-request connection "
	 "reject`)",
	 {[PH_ACCEPT] = 1}, 0},
	{"haproxy-connect", "ns",
	 "HAProxy mode tcp: one connection proxied less accept and its request and answer: the "
	 "server connection opened and closed",
	 {[PH_TCP] = 1 + 1.0 / (K - 1), [PH_TCP_K] = -1.0 / (K - 1), [PH_ACCEPT] = -1}, 0},
	{"haproxy-relay", "ns/byte",
	 "HAProxy mode tcp: one byte more copied through (keep-alive, 12 kB answers against 2 B)",
	 {[PH_TCP_BIG] = 1.0 / (K * BIG_EXTRA), [PH_TCP_K] = -1.0 / (K * BIG_EXTRA)}, 0},
	{"haproxy-relay-message", "ns",
	 "HAProxy mode tcp: one small message relayed (half of one more request and answer on a "
	 "kept-alive connection)",
	 {[PH_TCP_K] = 0.5 / (K - 1), [PH_TCP] = -0.5 / (K - 1)}, 0},
	{"haproxy-http-request", "ns",
	 "HAProxy mode http: one more request on a kept-alive connection (parse, route, forward, "
	 "answer)",
	 {[PH_HTTP_K] = 1.0 / (K - 1), [PH_HTTP_1] = -1.0 / (K - 1)}, 0},
	{"haproxy-http-conn", "ns",
	 "HAProxy mode http: one client connection with one request, that request apart",
	 {[PH_HTTP_1] = 1 + 1.0 / (K - 1), [PH_HTTP_K] = -1.0 / (K - 1)}, 0},
	{"haproxy-tls13-full-rsa2048", "ns",
	 "HAProxy terminating TLS: one TLS 1.3 full handshake, RSA-2048 certificate (its "
	 "request's and answer's records apart)",
	 {[PH_TERM_FULL_RSA] = 1, [PH_HTTP_1] = -1}, 2},
	{"haproxy-tls13-full-ecdsa-p256", "ns",
	 "HAProxy terminating TLS: one TLS 1.3 full handshake, ECDSA P-256 certificate (its "
	 "request's and answer's records apart)",
	 {[PH_TERM_FULL_EC] = 1, [PH_HTTP_1] = -1}, 2},
	{"haproxy-tls13-resumed", "ns",
	 "HAProxy terminating TLS: one TLS 1.3 PSK resumption with X25519 (its request's and "
	 "answer's records apart)",
	 {[PH_TERM_RESUMED] = 1, [PH_HTTP_1] = -1}, 2},
	{"haproxy-tls12-resumed", "ns",
	 "HAProxy terminating TLS: one TLS 1.2 resumption by session ticket (its request's and "
	 "answer's records apart)",
	 {[PH_TERM12_RESUMED] = 1, [PH_HTTP_1] = -1}, 2},
	{"haproxy-reencrypt-resumed", "ns",
	 "HAProxy re-encrypting: a server connection over TLS less one in clear (its handshake "
	 "resumed, as HAProxy does by default), http-reuse never",
	 {[PH_REENC_NEVER] = 1, [PH_TERM_NEVER] = -1}, 2},
	{"haproxy-reencrypt-full", "ns",
	 "HAProxy re-encrypting: the same with a full handshake to the server (no-ssl-reuse); "
	 "both less the server side's request and answer records",
	 {[PH_REENC_FULL] = 1, [PH_TERM_NEVER] = -1}, 2},
};

size_t cal_hap_phase_count(void)
{
	return PH_COUNT;
}

const char *cal_hap_phase_name(size_t i)
{
	return phases[i].name;
}

int cal_hap_keepalive_requests(void)
{
	return K;
}

size_t cal_hap_figure_count(void)
{
	return sizeof cpu_figures / sizeof cpu_figures[0];
}

const char *cal_hap_figure_key(size_t f)
{
	return cpu_figures[f].key;
}

static double linear(const struct derived *d, const double *phase_cost)
{
	double v = 0;
	for (int p = 0; p < PH_COUNT; p++)
		v += d->coef[p] * phase_cost[p];
	return v;
}

double cal_hap_figure_value(size_t f, const double *phase_cost)
{
	double v = linear(&cpu_figures[f], phase_cost);
	if (cpu_figures[f].records > 0)
		v -= cpu_figures[f].records * linear(&cpu_figures[0], phase_cost);
	return v;
}

/* Memory modes: where the held connections go and what makes them busy. */
struct mem_mode {
	const char *name;          /* in the keys: haproxy-NAME-idle-conn */
	const char *what;
	enum hap_front front;
	int requests;              /* before idling: 0 for passthrough (TLS only) */
	const char *held_path;     /* the request left in flight */
};

static const struct mem_mode mem_modes[] = {
	{"tcp", "mode tcp passing TLS through", HF_TCP_HELD, 0, "/"},
	{"local", "mode http terminating TLS, answering itself", HF_TERM_LOCAL, 1, "/held"},
	{"terminate", "mode http terminating TLS, plain to the server", HF_TERM_RSA, 1, "/held"},
	{"reencrypt", "mode http terminating TLS and re-encrypting to the server", HF_REENC, 1,
	 "/held"},
};

#define NMEM (sizeof mem_modes / sizeof mem_modes[0])

static int mem_repeats(const struct cal_run *r)
{
	return r->repeats < 3 ? r->repeats : 3;
}

/* The memory modes measured: --quick only those the profile's figures
 * come from (passthrough and answering itself). */
static size_t mem_modes_run(const struct cal_run *r)
{
	return r->quick ? 2 : NMEM;
}

static int held_conns(const struct cal_run *r)
{
	return r->quick ? 300 : 1500;
}

int cal_haproxy_steps(const struct cal_run *r)
{
	return 1 + r->repeats + mem_repeats(r) * (int)mem_modes_run(r);
}

static void spec_for(struct load_spec *s, const struct hap_env *e, enum hap_front front, int tls,
		     int version, int resume, int requests)
{
	memset(s, 0, sizeof *s);
	s->addr.sin_family = AF_INET;
	s->addr.sin_port = htons(e->front[front]);
	s->addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->tls = tls;
	s->tls_version = version ? version : TLS1_3_VERSION;
	s->resume = resume;
	s->tickets = 1;
	s->requests = requests;
	s->concurrency = CAL_HAP_CONCURRENCY;
	s->path = "/";
}

int cal_hap_run_phase(const struct hap_env *e, const struct cal_phase *p, double seconds,
		      struct cal_phase_result *out, char *err, size_t errlen)
{
	struct load_spec s;
	struct load_result res;
	spec_for(&s, e, p->front, p->tls, p->version, p->resume, p->requests);
	s.duration_s = seconds;
	s.path = p->path;
	s.expect_close = p->expect_close;
	s.request_bytes = p->request_bytes;
	if (p->concurrency > 0)
		s.concurrency = p->concurrency;
	s.think_s = p->think_s;
	double cpu0 = cal_proc_cpu_ns(e->proxy), wake0 = cal_proc_wakeups(e->proxy);
	double t0 = cal_wall_s();
	int rc = load_run(&s, &res);
	double cpu1 = cal_proc_cpu_ns(e->proxy), wake1 = cal_proc_wakeups(e->proxy);
	double wall = cal_wall_s() - t0;
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s", p->name, res.error);
		return -1;
	}
	if (cpu0 < 0 || cpu1 < 0 || wake0 < 0 || wake1 < 0 || res.conns == 0 || !(wall > 0)) {
		snprintf(err, errlen, "%s: cannot read HAProxy's CPU time and context switches",
			 p->name);
		return -1;
	}
	out->full_share = res.full + res.resumed > 0
				  ? (double)res.full / (double)(res.full + res.resumed)
				  : 0;
	if (p->tls && p->resume && out->full_share > 0.5) {
		snprintf(err, errlen, "%s: HAProxy resumed %ld of %ld sessions", p->name,
			 res.resumed, res.full + res.resumed);
		return -1;
	}
	out->cpu_ns = (cpu1 - cpu0) / (double)res.conns;
	out->wakeups = (wake1 - wake0) / (double)res.conns;
	out->busy = (cpu1 - cpu0) / 1e9 / wall;
	return 0;
}

/* A resumption phase is a mix: HAProxy 2.6 answers some offered TLS 1.3
 * tickets with a full handshake (about one in ten here, also with
 * `openssl s_client -sess_in`; the first connection of a phase is full
 * by design). Its price per connection is taken back to all-resumed:
 * mix = resumed + share x (full - resumed), where full - resumed comes
 * from the full and resumed TLS 1.3 phases (the resumed one first solved
 * from its own mix against the full phase). TLS 1.2 uses the TLS 1.3
 * difference, a little larger than its own, which matters only in
 * proportion to its share of full handshakes. */
void cal_hap_unmix_resumed(double *cost, const double *share)
{
	double s = share[PH_TERM_RESUMED];
	cost[PH_TERM_RESUMED] = (cost[PH_TERM_RESUMED] - s * cost[PH_TERM_FULL_RSA]) / (1 - s);
	double full_less_resumed = cost[PH_TERM_FULL_RSA] - cost[PH_TERM_RESUMED];
	static const int mixed[] = {PH_TERM12_RESUMED, PH_TERM_NEVER, PH_REENC_NEVER,
				    PH_REENC_FULL, PH_TERM_K};
	for (size_t i = 0; i < sizeof mixed / sizeof mixed[0]; i++)
		cost[mixed[i]] -= share[mixed[i]] * full_less_resumed;
}

double cal_hap_wakeup_value(const double *cost, const double *wakes)
{
	double more = wakes[PH_TCP_K_SERIAL] - wakes[PH_TCP_K];
	if (!(more >= CAL_HAP_MIN_WAKEUPS_MORE))
		return NAN;
	return (cost[PH_TCP_K_SERIAL] - cost[PH_TCP_K]) / more;
}

void cal_hap_take_off_wakeups(double *cost, const double *wakes, double wakeup_ns)
{
	for (int p = 0; p < PH_COUNT; p++)
		cost[p] -= wakeup_ns * wakes[p];
}

/* The price the phases are taken back to a busy proxy's with when this
 * host's could not be measured: the built-in profile's (its source says
 * where it comes from), or none. */
static double fallback_wakeup_ns(void)
{
	struct cost_profile base;
	if (cost_profile_builtin("haproxy", &base) != 0 ||
	    !(base.given & (UINT64_C(1) << COST_FIG_WAKEUP)))
		return 0;
	return base.p.wakeup_ns;
}

/* CPU per operation. Every phase's cost and wake-ups per connection are
 * kept over the repeats; the wake-up's price is the median of the
 * repeats' (cal_hap_wakeup_value), and every phase is then taken back to
 * what a busy proxy, one that never sleeps, would spend on it before the
 * figures are derived: lbsim charges an idle proxy's wake-ups apart, by
 * its load (the `wakeup` figure, models/balancer/ledger.c), so the other
 * prices must not hold them too. */
static void measure_cpu(struct cal_run *r, struct hap_env *e, struct cal_figure **figs)
{
	const size_t nfig = sizeof cpu_figures / sizeof cpu_figures[0];
	struct cal_figure *wake = cal_figure_add(
		r, "haproxy-wakeup", "ns",
		"HAProxy mode tcp: one wake-up of the idle proxy (a kept-alive connection one at a "
		"time less 16 at a time, per voluntary context switch more)");
	struct cal_figure *wakes_of[PH_COUNT];
	for (int p = 0; p < PH_COUNT; p++) {
		char key[48], what[160];
		snprintf(key, sizeof key, "wakeups: %s", phases[p].name);
		snprintf(what, sizeof what,
			 "HAProxy's voluntary context switches per connection, phase \"%s\"",
			 phases[p].name);
		wakes_of[p] = cal_figure_add(r, key, "per-conn", what);
	}
	static double cost[CAL_MAX_REPEATS][PH_COUNT], wakes[CAL_MAX_REPEATS][PH_COUNT];
	int done = 0;
	for (int rep = 0; rep < r->repeats; rep++, done++) {
		cal_progress(r, "HAProxy %s: CPU per operation, repeat %d of %d", e->version, rep + 1,
			     r->repeats);
		double share[PH_COUNT];
		char err[256];
		for (int p = 0; p < PH_COUNT; p++) {
			struct cal_phase_result res;
			if (cal_hap_run_phase(e, &phases[p], r->hap_phase_s, &res, err, sizeof err) !=
			    0) {
				for (size_t f = 0; f < nfig; f++)
					cal_figure_missing(figs[f], "%s", err);
				for (int q = 0; q < PH_COUNT; q++)
					if (wakes_of[q])
						cal_figure_missing(wakes_of[q], "%s", err);
				if (wake)
					cal_figure_missing(wake, "%s", err);
				return;
			}
			cost[rep][p] = res.cpu_ns;
			wakes[rep][p] = res.wakeups;
			share[p] = res.full_share;
		}
		cal_hap_unmix_resumed(cost[rep], share);
		cal_hap_unmix_resumed(wakes[rep], share);
		for (int p = 0; p < PH_COUNT; p++)
			if (wakes_of[p])
				wakes_of[p]->value[wakes_of[p]->repeats++] = wakes[rep][p];
		double w = cal_hap_wakeup_value(cost[rep], wakes[rep]);
		if (wake && isfinite(w))
			wake->value[wake->repeats++] = w;
	}
	double wakeup_ns;
	if (wake && wake->repeats > 0) {
		double lo, hi;
		cal_figure_summary(wake, &wakeup_ns, &lo, &hi);
	} else {
		wakeup_ns = fallback_wakeup_ns();
		if (wake)
			cal_figure_missing(wake,
					   "one connection at a time woke HAProxy fewer than %g times "
					   "more per connection than 16 at a time",
					   (double)CAL_HAP_MIN_WAKEUPS_MORE);
		cal_note(r, "HAProxy's wake-up not measured: its CPU figures are taken back to a "
			    "busy proxy's at the built-in profile's %.4g ns a wake-up", wakeup_ns);
	}
	for (int rep = 0; rep < done; rep++) {
		cal_hap_take_off_wakeups(cost[rep], wakes[rep], wakeup_ns);
		for (size_t f = 0; f < nfig; f++)
			figs[f]->value[figs[f]->repeats++] = cal_hap_figure_value(f, cost[rep]);
	}
}

/* Sleep while the proxy settles (closes, frees), then read its memory. */
static double settled_rss(pid_t pid, double seconds)
{
	cal_sleep(seconds);
	return cal_proc_rss_bytes(pid);
}

int cal_hap_mem(struct hap_env *e, enum hap_front front, int requests, const char *held_path,
		int n, double *idle, double *active, char *err, size_t errlen)
{
	if (hap_proxy_start(e, err, errlen) != 0)
		return -1;
	struct load_spec s;
	struct load_result warm;
	spec_for(&s, e, front, 1, TLS1_3_VERSION, 0, requests);
	s.duration_s = 0.2;
	s.concurrency = 4;
	int rc = -1;
	struct load_hold *first = NULL, *second = NULL;
	if (requests > 0 && load_run(&s, &warm) != 0) {
		snprintf(err, errlen, "%s", warm.error);
		goto out;
	}
	/* The passthrough frontend's server holds every connection: warm it
	 * with held connections too. */
	first = load_hold_open(&s, 20, err, errlen);
	if (!first)
		goto out;
	load_hold_close(first);
	/* Per connection from the second half of them: opening connections
	 * a batch at a time leaves memory that does not grow with their
	 * number, which the first half pays (HAProxy's pools and malloc keep
	 * what the batch's handshakes and requests used at once, and HAProxy
	 * keeps as many idle server connections as it used at once:
	 * srv_add_to_idle_list, est_need_conns, purged every
	 * pool-purge-delay). lbsim's figures are differences of two sizes
	 * likewise. */
	int half = n / 2, rest = n - half;
	first = load_hold_open(&s, half, err, errlen);
	if (!first)
		goto out;
	double rss_half = settled_rss(e->proxy, 0.3);
	second = load_hold_open(&s, rest, err, errlen);
	if (!second)
		goto out;
	double rss_all = settled_rss(e->proxy, 0.3);
	if (load_hold_send(first, held_path, 0.5, err, errlen) != 0)
		goto out;
	double rss_half_held = cal_proc_rss_bytes(e->proxy);
	if (load_hold_send(second, held_path, 0.5, err, errlen) != 0)
		goto out;
	double rss_all_held = cal_proc_rss_bytes(e->proxy);
	if (rss_half < 0 || rss_all < 0 || rss_half_held < 0 || rss_all_held < 0) {
		snprintf(err, errlen, "cannot read HAProxy's memory (/proc/%d/status)", (int)e->proxy);
		goto out;
	}
	*idle = (rss_all - rss_half) / rest;
	*active = *idle + (rss_all_held - rss_half_held) / rest;
	rc = 0;
out:
	load_hold_close(first);
	load_hold_close(second);
	hap_proxy_stop(e);
	return rc;
}

static void measure_mem(struct cal_run *r, struct hap_env *e)
{
	for (size_t m = 0; m < mem_modes_run(r); m++) {
		char key[48], what[160];
		snprintf(key, sizeof key, "haproxy-%s-idle-conn", mem_modes[m].name);
		snprintf(what, sizeof what, "HAProxy %s: resident memory per idle kept-alive connection",
			 mem_modes[m].what);
		struct cal_figure *fi = cal_figure_add(r, key, "bytes", what);
		snprintf(key, sizeof key, "haproxy-%s-active-conn", mem_modes[m].name);
		snprintf(what, sizeof what,
			 "HAProxy %s: resident memory per connection with a request at the server",
			 mem_modes[m].what);
		struct cal_figure *fa = cal_figure_add(r, key, "bytes", what);
		if (!fi || !fa)
			return;
		for (int rep = 0; rep < mem_repeats(r); rep++) {
			cal_progress(r, "HAProxy %s: memory, %s, %d connections, repeat %d of %d",
				     e->version, mem_modes[m].name, held_conns(r), rep + 1, mem_repeats(r));
			double idle, active;
			char err[256];
			const struct mem_mode *mm = &mem_modes[m];
			if (cal_hap_mem(e, mm->front, mm->requests, mm->held_path, held_conns(r), &idle,
					&active, err, sizeof err) != 0) {
				cal_figure_missing(fi, "%s: %s", mm->name, err);
				cal_figure_missing(fa, "%s: %s", mm->name, err);
				break;
			}
			fi->value[fi->repeats++] = idle;
			fa->value[fa->repeats++] = active;
		}
	}
}

/* A re-encrypting proxy's server connection's TLS: the growth of a
 * request held at a TLS server less that of one held at a plain server
 * (the stream and the socket, which both have), repeat by repeat. Not
 * measured with --quick, which runs neither mode. */
static void derive_backend_tls(struct cal_run *r, struct cal_figure *out)
{
	const char *keys[4] = {"haproxy-reencrypt-idle-conn", "haproxy-reencrypt-active-conn",
			       "haproxy-terminate-idle-conn", "haproxy-terminate-active-conn"};
	const struct cal_figure *f[4];
	int repeats = CAL_MAX_REPEATS;
	for (int i = 0; i < 4; i++) {
		f[i] = cal_figure_find(r, keys[i]);
		if (!f[i] || f[i]->repeats == 0) {
			cal_figure_missing(out, "%s", !f[i] ? "--quick measures neither re-encrypting "
							      "nor terminating to a server"
							    : f[i]->missing);
			return;
		}
		if (f[i]->repeats < repeats)
			repeats = f[i]->repeats;
	}
	for (int i = 0; i < repeats; i++)
		out->value[out->repeats++] = (f[1]->value[i] - f[0]->value[i]) -
					     (f[3]->value[i] - f[2]->value[i]);
}

/* The profile's memory figures from the modes' idle memory: a passthrough
 * connection holds two sockets and no TLS (half of it is one side); a
 * TLS connection that the proxy answers itself holds one socket and its
 * TLS state; a request held at the server adds its stream and the server
 * connection's socket. The buffer is HAProxy's own default. */
static void derive_mem(struct cal_run *r, const struct hap_env *e)
{
	const struct cal_figure *tcp = cal_figure_find(r, "haproxy-tcp-idle-conn");
	const struct cal_figure *local = cal_figure_find(r, "haproxy-local-idle-conn");
	struct cal_figure *conn = cal_figure_add(
		r, "haproxy-conn-bytes", "bytes",
		"HAProxy: one side of an idle connection (half a passthrough connection's memory)");
	struct cal_figure *tls = cal_figure_add(
		r, "haproxy-tls-state-bytes", "bytes",
		"HAProxy: an idle TLS connection it answers itself, less one side's connection");
	struct cal_figure *buf = cal_figure_add(r, "haproxy-buffer-bytes", "bytes",
						"HAProxy's default tune.bufsize, from haproxy -vv");
	const struct cal_figure *local_active = cal_figure_find(r, "haproxy-local-active-conn");
	struct cal_figure *stream = cal_figure_add(
		r, "haproxy-stream-bytes", "bytes",
		"HAProxy: what a request held at the server adds to a TLS connection it terminates, "
		"less the server connection's side");
	struct cal_figure *backend_tls = cal_figure_add(
		r, "haproxy-tls-backend-state-bytes", "bytes",
		"HAProxy: what a request held at a TLS server adds to a re-encrypting connection, "
		"less what one held at a plain server adds to a terminating one");
	if (!tcp || !local || !conn || !tls || !buf || !local_active || !stream || !backend_tls)
		return;
	derive_backend_tls(r, backend_tls);
	if (tcp->repeats == 0)
		cal_figure_missing(conn, "%s", tcp->missing);
	if (tcp->repeats == 0 || local->repeats == 0)
		cal_figure_missing(tls, "%s", tcp->repeats ? local->missing : tcp->missing);
	for (int i = 0; i < tcp->repeats; i++)
		conn->value[conn->repeats++] = tcp->value[i] / 2;
	for (int i = 0; i < tcp->repeats && i < local->repeats; i++)
		tls->value[tls->repeats++] = local->value[i] - tcp->value[i] / 2;
	/* The request's stream, its HTTP transaction and stream connectors:
	 * the growth from idle to a request held at the server, less the
	 * server connection (one side's socket, as conn-bytes). HAProxy
	 * holds no buffer while the request waits. */
	if (tcp->repeats == 0 || local_active->repeats == 0)
		cal_figure_missing(stream, "%s",
				   tcp->repeats ? local_active->missing : tcp->missing);
	for (int i = 0; i < tcp->repeats && i < local->repeats && i < local_active->repeats; i++)
		stream->value[stream->repeats++] =
			local_active->value[i] - local->value[i] - tcp->value[i] / 2;
	if (e->bufsize > 0)
		buf->value[buf->repeats++] = (double)e->bufsize;
	else
		cal_figure_missing(buf, "haproxy -vv did not say its bufsize");
}

void cal_haproxy_measure(struct cal_run *r)
{
	struct hap_env e;
	char err[256];
	cal_progress(r, "HAProxy: certificates, configurations, backend");
	if (hap_env_init(&e, err, sizeof err) != 0) {
		cal_note(r, "HAProxy not measured: %s", err);
		r->step += r->repeats + mem_repeats(r) * (int)mem_modes_run(r);
		return;
	}
	snprintf(r->haproxy_version, sizeof r->haproxy_version, "%s", e.version);
	r->haproxy_bufsize = e.bufsize;
	const size_t nfig = sizeof cpu_figures / sizeof cpu_figures[0];
	struct cal_figure *figs[sizeof cpu_figures / sizeof cpu_figures[0]];
	for (size_t f = 0; f < nfig; f++)
		figs[f] = cal_figure_add(r, cpu_figures[f].key, cpu_figures[f].unit,
					 cpu_figures[f].what);
	if (hap_proxy_start(&e, err, sizeof err) != 0) {
		for (size_t f = 0; f < nfig; f++)
			cal_figure_missing(figs[f], "%s", err);
		r->step += r->repeats;
	} else {
		measure_cpu(r, &e, figs);
		hap_proxy_stop(&e);
	}
	measure_mem(r, &e);
	derive_mem(r, &e);
	hap_env_free(&e);
}
