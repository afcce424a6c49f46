/* The balancer façade (models/balancer/) on hand-built sequences of events:
 * what each event costs in operations (struct cost_counts), the work it
 * hands the balancer's cores, the connection states it keeps, the routing
 * decisions it returns, and what a probe does. Every expected count is
 * written from the table at the top of models/balancer/traffic.c, HAProxy's
 * http-reuse semantics and the prices of the shipped profiles, not read
 * back from the code under test. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "lbsim/balancer.h"
#include "lbsim/cost_profile.h"
#include "sim_fixture.h"

#define MS 1000000ULL

struct rig {
	struct fixture f;
	struct balancer b;
	struct lb_request seen;
	uint8_t tls_id[8];
};

/* Design 0 of a 4-server fixture as kind with balance, persistence
 * (NULL: none) and re-encryption, built. */
static void rig_init_impl(struct rig *r, enum scn_design_kind kind, const char *balance,
			  const struct lb_pers_ops *persist, int reencrypt, enum cost_impl impl)
{
	memset(r, 0, sizeof *r);
	fixture_init(&r->f, 4, 1, MS, 100, 1, 60, 0, 1);
	/* Every workload in use: each has its namespace. */
	fixture_devices(&r->f, (1u << WL_COUNT) - 1);
	fixture_design(&r->f, 0, kind, balance);
	struct scn_design *d = &r->f.designs[0];
	d->impl = impl;
	/* The figures of the profile a scenario would give this design. */
	struct cost_profile prof;
	assert_int_equal(cost_profile_builtin(cost_profile_default_name(impl), &prof), 0);
	d->costs = prof.p;
	d->persist = persist;
	d->pers_params = (struct lb_pers_params){.size = 1000, .expire_ns = 60000 * MS};
	d->tls_reencrypt = reencrypt;
	char msg[256];
	assert_int_equal(balancer_init(&r->b, &r->f.scn, d, 0, msg, sizeof msg), 0);
	r->seen = (struct lb_request){.src_ip = 0x0a000001, .src_port = 40000, .dst_port = 443,
				      .path = "/owa/", .cookie = "c1"};
}

static void rig_init(struct rig *r, enum scn_design_kind kind, const char *balance,
		     const struct lb_pers_ops *persist, int reencrypt)
{
	rig_init_impl(r, kind, balance, persist, reencrypt, COST_IMPL_PROXY);
}

static void rig_free(struct rig *r)
{
	balancer_free(&r->b);
}

static const struct cost_params *price(const struct rig *r)
{
	return &r->f.designs[0].costs;
}

static const struct cost_counts *window(const struct rig *r)
{
	return &r->b.ledger.window;
}

static int open_conn(struct rig *r, struct bal_conn *c, enum workload w, enum bal_tls_version v,
		     int resumable)
{
	struct bal_hello h = {.seen = &r->seen, .workload = w, .tls = v, .resumable = (uint8_t)resumable};
	return balancer_conn_open(&r->b, c, &h, 0);
}

/* Layer 4 as a kernel forwarder in NAT mode: open routes and sets up a
 * flow (7 packets: handshake and close both ways); a request and a
 * response cost their packets (ceil(bytes / 1460), at least one); close
 * costs nothing more but leaves the flow's entry to linger. The work
 * handed to the cores is the same counts priced. The connection is
 * active from request to response. */
static void test_l4_connection(void **state)
{
	(void)state;
	struct rig r;
	rig_init_impl(&r, SCN_DESIGN_L4, "leastconn", NULL, 0, COST_IMPL_KERNEL_NAT);
	const struct cost_params *p = price(&r);
	struct bal_conn c;
	assert_int_equal(open_conn(&r, &c, WL_OWA, BAL_TLS_12, 0), 0);
	assert_true(c.flags & BAL_CONN_OPEN);
	int32_t s = bal_conn_server(&c);
	assert_true(s >= 0 && s < 4);
	assert_int_equal(window(&r)->flows, 1);
	/* 7 of TCP and 6 of a full TLS 1.2 handshake passing: the flights
	 * of 188, 2,999 (the certificate chain), 93 and 242 bytes */
	assert_int_equal(window(&r)->packets, 7 + 6);
	assert_int_equal(window(&r)->persist_ops + window(&r)->accepts + window(&r)->connects +
				 window(&r)->tls_full[COST_CERT_RSA_2048],
			 0);
	assert_true(fabs(balancer_take_work_ns(&r.b) - (p->flow_setup_ns + 13 * p->packet_ns)) < 1e-6);
	/* leastconn sees the connection on its server */
	assert_int_equal(lb_vs_pool(&r.b.vs[0], 0)->servers[s].conns, 1);

	assert_int_equal(balancer_request(&r.b, &c, NULL, 3000, 0, 0), s);
	assert_true(c.flags & BAL_CONN_ACTIVE);
	assert_int_equal(balancer_stats(&r.b).conns_active, 1);
	assert_int_equal(window(&r)->packets, 13 + 3);
	assert_true(fabs(balancer_take_work_ns(&r.b) - 3 * p->packet_ns) < 1e-6);

	balancer_response(&r.b, &c, 5000, 0, 0);
	assert_false(c.flags & BAL_CONN_ACTIVE);
	assert_int_equal(balancer_stats(&r.b).conns_active, 0);
	assert_int_equal(window(&r)->packets, 13 + 3 + 4);
	/* an empty message is still one packet */
	assert_int_equal(balancer_request(&r.b, &c, NULL, 0, 0, 0), s);
	balancer_response(&r.b, &c, 0, 0, 0);
	assert_int_equal(window(&r)->packets, 13 + 3 + 4 + 2);
	assert_int_equal(window(&r)->relay_bytes, 0);

	/* the handshake passes in clear: counted as seen, its packets
	 * forwarded, no TLS work */
	struct bal_stats st = balancer_stats(&r.b);
	assert_int_equal(st.tls_full, 1);
	assert_int_equal(st.conns_open, 1);
	balancer_conn_close(&r.b, &c, 0);
	balancer_conn_close(&r.b, &c, 0); /* twice: no-op */
	assert_int_equal(balancer_stats(&r.b).conns_open, 0);
	assert_int_equal(lb_vs_pool(&r.b.vs[0], 0)->servers[s].conns, 0);
	assert_int_equal(window(&r)->packets, 22);
	assert_int_equal(r.b.ledger.window_closes, 1);
	rig_free(&r);
}

/* Where the servers terminate TLS (layer 4), a session resumes only at
 * the server whose cache holds it: an offer routed to that server is a
 * resumed handshake, the same offer routed elsewhere a full one. A
 * layer-7 balancer terminates every connection and resumes the offer
 * whatever server the requests go to. */
static void test_l4_resumes_only_at_home(void **state)
{
	(void)state;
	struct rig r;
	rig_init_impl(&r, SCN_DESIGN_L4, "source", NULL, 0, COST_IMPL_KERNEL_NAT);
	struct bal_conn c;
	struct bal_hello h = {.seen = &r.seen, .workload = WL_OWA, .tls = BAL_TLS_12,
			      .resumable = 1};
	assert_int_equal(balancer_conn_open(&r.b, &c, &h, 0), 0);
	uint32_t s = (uint32_t)bal_conn_server(&c); /* source hashing: every time the same */
	balancer_conn_close(&r.b, &c, 0);
	h.session_home = s + 1;                   /* held where it lands */
	uint64_t before = window(&r)->packets;
	assert_int_equal(balancer_conn_open(&r.b, &c, &h, 0), 0);
	assert_int_equal(bal_conn_server(&c), (int32_t)s);
	uint64_t at_home = window(&r)->packets - before;
	balancer_conn_close(&r.b, &c, 0);
	h.session_home = (s + 1) % 4 + 1;         /* held by another server */
	before = window(&r)->packets;
	assert_int_equal(balancer_conn_open(&r.b, &c, &h, 0), 0);
	/* and the full handshake's flights (the certificate) pass the box */
	assert_true(window(&r)->packets - before > at_home);
	balancer_conn_close(&r.b, &c, 0);
	h.resumable = 0;                          /* nothing to offer */
	h.session_home = s + 1;
	assert_int_equal(balancer_conn_open(&r.b, &c, &h, 0), 0);
	balancer_conn_close(&r.b, &c, 0);
	struct bal_stats st = balancer_stats(&r.b);
	assert_int_equal(st.tls_resumed, 2);      /* home unknown, and at home */
	assert_int_equal(st.tls_full, 2);         /* elsewhere, and no offer */
	rig_free(&r);

	rig_init(&r, SCN_DESIGN_L7, "roundrobin", NULL, 0);
	h = (struct bal_hello){.seen = &r.seen, .workload = WL_OWA, .tls = BAL_TLS_12,
			       .resumable = 1, .session_home = 4};
	assert_int_equal(balancer_conn_open(&r.b, &c, &h, 0), 0);
	assert_int_equal(balancer_stats(&r.b).tls_resumed, 1);
	assert_int_equal(window(&r)->tls_full[COST_CERT_RSA_2048], 0);
	assert_int_equal(window(&r)->tls_resume_12, 1);
	balancer_conn_close(&r.b, &c, 0);
	rig_free(&r);
}

/* Direct return: only the client's packets pass the box: 4 for the
 * handshake and close, a request's own, and for a response one ACK every
 * second segment (5000 B = 4 segments: 2 ACKs; 1 segment: 1 ACK). The TLS
 * 1.2 handshake likewise: its client flights (188 and 93 bytes, a packet
 * each) and the ACKs of the server's (2,999 bytes: 3 segments, 2 ACKs;
 * 242: 1). */
static void test_l4_direct_return(void **state)
{
	(void)state;
	struct rig r;
	rig_init_impl(&r, SCN_DESIGN_L4, "roundrobin", NULL, 0, COST_IMPL_KERNEL_DR);
	struct bal_conn c;
	assert_int_equal(open_conn(&r, &c, WL_OWA, BAL_TLS_12, 0), 0);
	assert_int_equal(window(&r)->packets, 4 + 5);
	assert_true(balancer_request(&r.b, &c, NULL, 3000, 0, 0) >= 0);
	balancer_response(&r.b, &c, 5000, 0, 0);
	assert_int_equal(window(&r)->packets, 9 + 3 + 2);
	assert_true(balancer_request(&r.b, &c, NULL, 100, 0, 0) >= 0);
	balancer_response(&r.b, &c, 100, 0, 0);
	assert_int_equal(window(&r)->packets, 9 + 3 + 2 + 1 + 1);
	rig_free(&r);
}

/* Layer 4 as a user-space proxy (HAProxy mode tcp): open accepts the
 * client and connects to the server and relays the TLS handshake's
 * flights; every message either way is relayed through user space (a recv
 * and a send) with its bytes; no packet is priced; the TLS passes
 * through. A full TLS 1.2 handshake is 4 flights of 188 + 2,999 + 93 +
 * 242 = 3,522 bytes. */
static void test_l4_proxy(void **state)
{
	(void)state;
	struct rig r;
	rig_init_impl(&r, SCN_DESIGN_L4, "roundrobin", NULL, 0, COST_IMPL_PROXY);
	const struct cost_params *p = price(&r);
	struct bal_conn c;
	assert_int_equal(open_conn(&r, &c, WL_OWA, BAL_TLS_12, 0), 0);
	assert_int_equal(window(&r)->accepts, 1);
	assert_int_equal(window(&r)->connects, 1);
	assert_int_equal(window(&r)->relay_messages, 4);
	assert_int_equal(window(&r)->relay_bytes, 3522);
	assert_int_equal(window(&r)->flows + window(&r)->packets, 0);
	assert_true(fabs(balancer_take_work_ns(&r.b) -
			 (p->accept_ns + p->connect_ns + 4 * p->relay_message_ns +
			  3522 * p->relay_byte_ns)) < 1e-6);
	assert_true(balancer_request(&r.b, &c, NULL, 3000, 0, 0) >= 0);
	balancer_response(&r.b, &c, 5000, 0, 0);
	assert_int_equal(window(&r)->relay_bytes, 3522 + 8000);
	assert_int_equal(window(&r)->relay_messages, 4 + 2);
	assert_int_equal(window(&r)->crypto_bytes[COST_CIPHER_AES_256_GCM], 0);
	assert_true(fabs(balancer_take_work_ns(&r.b) -
			 (8000 * p->relay_byte_ns + 2 * p->relay_message_ns)) < 1e-6);
	balancer_conn_close(&r.b, &c, 0);
	assert_int_equal(r.b.ledger.window_closes, 0); /* a proxy keeps no flow entry */
	rig_free(&r);
}

/* Messages and bytes a layer-4 proxy relays for one connection opened
 * with hello (tls, resumable), the design's certificate cert. */
static void relayed_at_open(enum bal_tls_version v, int resumable, enum cost_cert cert,
			    uint64_t *messages, uint64_t *bytes)
{
	struct rig r;
	memset(&r, 0, sizeof r);
	fixture_init(&r.f, 4, 1, MS, 100, 1, 60, 0, 1);
	fixture_devices(&r.f, (1u << WL_COUNT) - 1);
	fixture_design(&r.f, 0, SCN_DESIGN_L4, "roundrobin");
	struct scn_design *d = &r.f.designs[0];
	struct cost_profile prof;
	assert_int_equal(cost_profile_builtin("haproxy", &prof), 0);
	d->costs = prof.p;
	d->cert = cert;
	char msg[256];
	assert_int_equal(balancer_init(&r.b, &r.f.scn, d, 0, msg, sizeof msg), 0);
	r.seen = (struct lb_request){.src_ip = 0x0a000001, .src_port = 40000, .dst_port = 443};
	struct bal_conn c;
	assert_int_equal(open_conn(&r, &c, WL_OWA, v, resumable), 0);
	*messages = window(&r)->relay_messages;
	*bytes = window(&r)->relay_bytes;
	rig_free(&r);
}

/* The handshake a passthrough proxy relays, by kind, written from the
 * RFCs' message flows (flights a side writes before it waits) and the
 * sizes of models/tls_flights.c: TLS 1.3 full, RFC 8446 figure 1:
 * ClientHello 225; the server's flight 556 + a 2,600-byte chain (RSA),
 * 184 bytes less signature and a 2,000-byte chain (ECDSA); the client's
 * Finished 80; two tickets 510. TLS 1.3 PSK resumption, figure 3: 496,
 * 241, 80, one ticket 255: as many messages, fewer bytes. TLS 1.2 by
 * ticket (RFC 5077 figure 2): three flights, 396 + 141 + 51. */
static void test_l4_proxy_handshakes(void **state)
{
	(void)state;
	uint64_t m, b;
	relayed_at_open(BAL_TLS_13, 0, COST_CERT_RSA_2048, &m, &b);
	assert_int_equal(m, 4);
	assert_int_equal(b, 225 + 556 + 2600 + 80 + 510);
	relayed_at_open(BAL_TLS_13, 0, COST_CERT_ECDSA_P256, &m, &b);
	assert_int_equal(m, 4);
	assert_int_equal(b, 225 + 556 - 184 + 2000 + 80 + 510);
	relayed_at_open(BAL_TLS_13, 1, COST_CERT_RSA_2048, &m, &b);
	assert_int_equal(m, 4);
	assert_int_equal(b, 496 + 241 + 80 + 255);
	relayed_at_open(BAL_TLS_12, 1, COST_CERT_RSA_2048, &m, &b);
	assert_int_equal(m, 3);
	assert_int_equal(b, 396 + 141 + 51);
	/* a TLS-terminating layer 7 is the handshake's end: no relay of it */
	struct rig r;
	rig_init(&r, SCN_DESIGN_L7, "roundrobin", NULL, 0);
	struct bal_conn c;
	assert_int_equal(open_conn(&r, &c, WL_OWA, BAL_TLS_13, 0), 0);
	assert_int_equal(window(&r)->relay_messages + window(&r)->relay_bytes, 0);
	rig_free(&r);
}

/* Layer 4 with persistence: a keyed connection costs one lookup; a
 * request that carries no key (ssl-session-id without a session id) costs
 * none, because the core searched no table. */
static void test_l4_persistence_lookups(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, SCN_DESIGN_L4, "roundrobin", &lb_pers_source_ip, 0);
	struct bal_conn c1, c2;
	assert_int_equal(open_conn(&r, &c1, WL_OWA, BAL_TLS_12, 0), 0);
	assert_int_equal(open_conn(&r, &c2, WL_OWA, BAL_TLS_12, 0), 0);
	assert_int_equal(window(&r)->persist_ops, 2);
	/* the same address sticks to the same server */
	assert_int_equal(bal_conn_server(&c1), bal_conn_server(&c2));
	rig_free(&r);

	rig_init(&r, SCN_DESIGN_L4, "roundrobin", &lb_pers_ssl_session_id, 0);
	assert_int_equal(open_conn(&r, &c1, WL_OWA, BAL_TLS_12, 0), 0);
	assert_int_equal(window(&r)->persist_ops, 0);
	memcpy(r.tls_id, "session1", 8);
	r.seen.tls_session_id = r.tls_id;
	r.seen.tls_session_id_len = 8;
	assert_int_equal(open_conn(&r, &c2, WL_OWA, BAL_TLS_12, 1), 0);
	assert_int_equal(window(&r)->persist_ops, 1);
	rig_free(&r);
}

/* l4-multi: the connection reaches its workload's VIP, and a pool whose
 * every server is down refuses it (nothing open, nothing charged). */
static void test_l4_multi_refuses(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, SCN_DESIGN_L4_MULTI, "roundrobin", NULL, 0);
	for (uint32_t s = 0; s < 4; s++)
		assert_int_equal(lb_server_set_healthy(lb_vs_pool(&r.b.vs[WL_EAS], 0), s, 0), 0);
	struct bal_conn c;
	assert_int_equal(open_conn(&r, &c, WL_EAS, BAL_TLS_12, 0), -1);
	assert_false(c.flags & BAL_CONN_OPEN);
	assert_int_equal(window(&r)->flows + window(&r)->packets, 0);
	assert_int_equal(balancer_stats(&r.b).conns_open, 0);
	assert_int_equal(open_conn(&r, &c, WL_OWA, BAL_TLS_12, 0), 0);
	assert_int_equal(c.vs, WL_OWA);
	rig_free(&r);
}

/* Layer 7 re-encrypting: open accepts and handshakes (full with the
 * design's certificate, or resumed: TLS 1.2 by session, TLS 1.3 by PSK);
 * a request is parsed, routed by path (a cookie lookup), relayed and its
 * bytes crypted twice, and goes over a new connection to its server (the
 * client connection's first request, http-reuse safe: a connect and a
 * full client handshake, the first to that server); the response's bytes
 * likewise, and it releases the request's server. */
static void test_l7_exchange(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, SCN_DESIGN_L7, "leastconn", &lb_pers_cookie, 1);
	const struct cost_params *p = price(&r);
	const int aes = COST_CIPHER_AES_256_GCM;
	struct bal_conn c, c12, c13;
	assert_int_equal(open_conn(&r, &c, WL_OWA, BAL_TLS_12, 0), 0);
	assert_int_equal(open_conn(&r, &c12, WL_OWA, BAL_TLS_12, 1), 0);
	assert_int_equal(open_conn(&r, &c13, WL_OWA, BAL_TLS_13, 1), 0);
	assert_int_equal(bal_conn_server(&c), -1); /* layer 7 chooses per request */
	assert_int_equal(window(&r)->accepts, 3);
	assert_int_equal(window(&r)->tls_full[COST_CERT_RSA_2048], 1);
	assert_int_equal(window(&r)->tls_resume_12, 1);
	assert_int_equal(window(&r)->tls_resume_13, 1);
	double open_ns = 3 * p->accept_ns + p->tls_full_ns[COST_CERT_RSA_2048] +
			 p->tls_resume_12_ns + p->tls_resume_13_ns;
	assert_true(fabs(balancer_take_work_ns(&r.b) - open_ns) < 1e-6);

	int32_t s = balancer_request(&r.b, &c, &r.seen, 1500, 0, 0);
	assert_true(s >= 0 && s < 4);
	assert_int_equal(window(&r)->http_requests, 1);
	assert_int_equal(window(&r)->relay_bytes, 1500);
	assert_int_equal(window(&r)->crypto_bytes[aes], 3000);
	assert_int_equal(window(&r)->persist_ops, 1);
	assert_int_equal(window(&r)->connects, 1);
	assert_int_equal(window(&r)->tls_backend_full, 1);
	assert_int_equal(window(&r)->tls_records, 2); /* one record, opened and sealed again */
	assert_int_equal(window(&r)->packets, 0);
	double req_ns = p->http_request_ns + 1500 * p->relay_byte_ns +
			3000 * p->crypto_byte_ns[aes] + 2 * p->tls_record_ns + p->persist_ns +
			p->connect_ns + p->tls_backend_full_ns;
	assert_true(fabs(balancer_take_work_ns(&r.b) - req_ns) < 1e-6);
	struct lb_pool *owa = lb_vs_pool(&r.b.vs[0], (uint32_t)c.pool);
	assert_string_equal(owa->name, "owa");
	assert_int_equal(owa->servers[s].conns, 1);
	assert_int_equal(r.b.backends.open, 1);

	balancer_response(&r.b, &c, 12000, 0, 0);
	assert_int_equal(window(&r)->crypto_bytes[aes], 3000 + 24000);
	assert_int_equal(owa->servers[s].conns, 0);
	assert_int_equal(bal_conn_server(&c), -1);
	assert_int_equal(r.b.backends.idle, 1); /* its connection waits in the pool */
	assert_int_equal(window(&r)->tls_records, 2 + 2);
	assert_true(fabs(balancer_take_work_ns(&r.b) -
			 (12000 * p->relay_byte_ns + 24000 * p->crypto_byte_ns[aes] +
			  2 * p->tls_record_ns)) < 1e-6);
	/* the cookie brings the client back to its server, over the idle
	 * connection: no connect, no handshake */
	assert_int_equal(balancer_request(&r.b, &c, &r.seen, 1500, 0, 0), s);
	assert_int_equal(window(&r)->connects, 1);
	assert_int_equal(r.b.backends.idle, 0);
	/* a request routed to another workload's pool */
	r.seen.path = "/Microsoft-Server-ActiveSync";
	r.seen.cookie = "c2";
	assert_true(balancer_request(&r.b, &c12, &r.seen, 800, 0, 0) >= 0);
	assert_string_equal(lb_vs_pool(&r.b.vs[0], (uint32_t)c12.pool)->name, "eas");
	assert_int_equal(r.b.backends.open, 2);
	/* closing with a request in flight releases its server and its
	 * connection to it */
	balancer_conn_close(&r.b, &c, 0);
	assert_int_equal(owa->servers[s].conns, 0);
	assert_int_equal(r.b.backends.open, 1);
	assert_int_equal(balancer_stats(&r.b).conns_active, 1);
	assert_int_equal(balancer_stats(&r.b).conns_open, 2);
	rig_free(&r);
}

/* A TLS-terminating balancer seals or opens a record per 16,384 bytes of
 * plaintext (RFC 8446 5.1: no record carries more), at least one per
 * message, on each TLS side: the client's, and the server's when
 * re-encrypting. Counted at the boundaries; priced at tls-record each. */
static void test_tls_records(void **state)
{
	(void)state;
	static const struct {
		uint64_t bytes, records;
	} cases[] = {{0, 1}, {1, 1}, {16383, 1}, {16384, 1}, {16385, 2}, {32768, 2}, {32769, 3}};
	for (int re = 0; re < 2; re++) {
		struct rig r;
		rig_init(&r, SCN_DESIGN_L7, "first", NULL, re);
		const struct cost_params *p = price(&r);
		struct bal_conn c;
		assert_int_equal(open_conn(&r, &c, WL_OWA, BAL_TLS_13, 1), 0);
		uint64_t want = 0;
		for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
			balancer_take_work_ns(&r.b);
			uint64_t before = window(&r)->crypto_bytes[COST_CIPHER_AES_256_GCM];
			assert_int_equal(balancer_request(&r.b, &c, &r.seen, 100, 0, 0), 0);
			balancer_take_work_ns(&r.b);
			want += (uint64_t)(1 + re); /* the request's own record */
			balancer_response(&r.b, &c, cases[i].bytes, 0, 0);
			want += cases[i].records * (uint64_t)(1 + re);
			assert_int_equal(window(&r)->tls_records, want);
			/* the answer's work: relay, cipher per byte, records */
			uint64_t crypted = window(&r)->crypto_bytes[COST_CIPHER_AES_256_GCM] - before;
			assert_int_equal(crypted, (100 + cases[i].bytes) * (uint64_t)(1 + re));
			double ns = (double)cases[i].bytes *
					    (p->relay_byte_ns +
					     (1 + re) * p->crypto_byte_ns[COST_CIPHER_AES_256_GCM]) +
				    (double)(cases[i].records * (uint64_t)(1 + re)) * p->tls_record_ns;
			assert_true(fabs(balancer_take_work_ns(&r.b) - ns) < 1e-6 * (1 + ns));
		}
		rig_free(&r);
	}
}

/* One request and its answer on c at now. */
static void exchange(struct rig *r, struct bal_conn *c, uint64_t now)
{
	assert_int_equal(balancer_request(&r->b, c, &r->seen, 100, 0, now), 0);
	balancer_response(&r->b, c, 100, 0, now);
}

/* http-reuse on hand-built sequences (balance first: every request goes
 * to server 1, so reuse is decided by the mode alone). safe: a client
 * connection's first request opens a connection, later ones take an idle
 * one; always: the first may take one too; never: each client connection
 * keeps its own, closed with it. Re-encrypting, the first connection to
 * the server is a full handshake and the later ones resume. */
static void test_backend_reuse(void **state)
{
	(void)state;
	struct rig r;
	struct bal_conn a, b, c;
	for (int mode = 0; mode < COST_REUSE_COUNT; mode++) {
		rig_init(&r, SCN_DESIGN_L7, "first", NULL, 1);
		r.f.designs[0].reuse = (enum cost_reuse)mode;
		balancer_free(&r.b);
		char msg[128];
		assert_int_equal(balancer_init(&r.b, &r.f.scn, &r.f.designs[0], 0, msg, sizeof msg), 0);
		assert_int_equal(open_conn(&r, &a, WL_OWA, BAL_TLS_12, 0), 0);
		assert_int_equal(open_conn(&r, &b, WL_OWA, BAL_TLS_12, 0), 0);
		exchange(&r, &a, 0);        /* a's first: a new connection everywhere */
		exchange(&r, &a, 1 * MS);   /* a again: its own (never) or the idle one */
		assert_int_equal(window(&r)->connects, 1);
		exchange(&r, &b, 2 * MS);   /* b's first */
		assert_int_equal(window(&r)->connects, mode == COST_REUSE_ALWAYS ? 1 : 2);
		exchange(&r, &b, 3 * MS);
		assert_int_equal(window(&r)->connects, mode == COST_REUSE_ALWAYS ? 1 : 2);
		/* one full handshake to the server, then resumptions */
		assert_int_equal(window(&r)->tls_backend_full, 1);
		assert_int_equal(window(&r)->tls_backend_resume, window(&r)->connects - 1);
		uint64_t open = r.b.backends.open;
		assert_int_equal(open, mode == COST_REUSE_ALWAYS ? 1 : 2);
		balancer_conn_close(&r.b, &a, 4 * MS);
		/* never: a's own connection closes with it; else it stays idle
		 * in the pool */
		assert_int_equal(r.b.backends.open, mode == COST_REUSE_NEVER ? open - 1 : open);
		assert_int_equal(open_conn(&r, &c, WL_OWA, BAL_TLS_12, 0), 0);
		exchange(&r, &c, 5 * MS);
		assert_int_equal(window(&r)->connects,
				 mode == COST_REUSE_ALWAYS ? 1 : mode == COST_REUSE_SAFE ? 3 : 3);
		rig_free(&r);
	}
}

/* An idle connection to a server is closed once idle for the profile's
 * backend-idle-timeout: a later request opens a new one, and the window's
 * memory no longer holds it. */
static void test_backend_idle_timeout(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, SCN_DESIGN_L7, "first", NULL, 0);
	const uint64_t timeout = (uint64_t)(price(&r)->backend_idle_timeout_s * 1e9);
	assert_true(timeout > 0);
	struct bal_conn a;
	assert_int_equal(open_conn(&r, &a, WL_OWA, BAL_TLS_12, 0), 0);
	exchange(&r, &a, 0);
	exchange(&r, &a, timeout - 1); /* still idle in time: reused */
	assert_int_equal(window(&r)->connects, 1);
	double cpu;
	struct cost_mem m;
	balancer_window_close(&r.b, timeout, 2 * timeout - 1, &cpu, &m);
	assert_int_equal(r.b.backends.open, 0); /* idle since timeout - 1: closed */
	assert_true(m.backend == 0);
	exchange(&r, &a, 2 * timeout);
	assert_int_equal(balancer_measured_ops(&r.b)->connects + window(&r)->connects, 2);
	rig_free(&r);
}

/* A layer-7 request whose pool has no usable server fails at the
 * balancer: counted (parsed, decrypted) but its work waits for no core,
 * and the connection stays open and idle. */
static void test_l7_no_server(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, SCN_DESIGN_L7, "roundrobin", NULL, 0);
	const struct cost_params *p = price(&r);
	struct lb_pool *owa = lb_vs_pool(&r.b.vs[0], WL_OWA);
	for (uint32_t s = 0; s < 4; s++)
		assert_int_equal(lb_server_set_healthy(owa, s, 0), 0);
	struct bal_conn c;
	assert_int_equal(open_conn(&r, &c, WL_OWA, BAL_TLS_12, 0), 0);
	assert_int_equal(balancer_request(&r.b, &c, &r.seen, 1500, 0, 0), -1);
	assert_int_equal(window(&r)->http_requests, 1);
	assert_int_equal(window(&r)->crypto_bytes[COST_CIPHER_AES_256_GCM], 1500);
	assert_int_equal(window(&r)->connects, 0);
	assert_false(c.flags & BAL_CONN_ACTIVE);
	assert_true(c.flags & BAL_CONN_OPEN);
	/* only the connection's own work is left for the cores */
	assert_true(fabs(balancer_take_work_ns(&r.b) -
			 (p->accept_ns + p->tls_full_ns[COST_CERT_RSA_2048])) < 1e-6);
	/* a stale answer on an idle connection is counted, nothing else */
	balancer_response(&r.b, &c, 100, 0, 0);
	assert_int_equal(window(&r)->crypto_bytes[COST_CIPHER_AES_256_GCM], 1600);
	assert_int_equal(r.b.backends.open, 0);
	assert_int_equal(balancer_stats(&r.b).conns_active, 0);
	rig_free(&r);
}

/* Check i's probe answered at now: a server whose every part works (ok)
 * or whose health page answers 503. */
static int probe(struct balancer *b, uint32_t i, uint64_t now, int ok)
{
	struct lb_hc_reply reply = {.connected = 1, .status = ok ? 200 : 503,
				    .authenticated = 1, .end_to_end_ok = ok};
	return balancer_probe_reply(b, i, now, &reply);
}

/* Probes: each costs one probe operation and no request's work; `fall`
 * failures take the server out of its pool, `rise` successes bring it
 * back, each change logged once. */
static void test_probes(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, SCN_DESIGN_L4, "roundrobin", NULL, 0);
	r.f.designs[0].check.params.fall = 3;
	r.f.designs[0].check.params.rise = 2;
	rig_free(&r);
	char msg[128];
	assert_int_equal(balancer_init(&r.b, &r.f.scn, &r.f.designs[0], 0, msg, sizeof msg), 0);
	assert_int_equal(balancer_stats(&r.b).health_checks, 4);
	struct bal_probe_target t = balancer_probe_target(&r.b, 2);
	assert_int_equal(t.server, 2);
	assert_int_equal(t.workload, WL_OWA); /* l4 checks OWA's page by default */
	/* fully up after a success, then three failures */
	assert_int_equal(probe(&r.b, 2, 1 * MS, 1), 0);
	assert_int_equal(probe(&r.b, 2, 2 * MS, 0), 0);
	assert_int_equal(probe(&r.b, 2, 3 * MS, 0), 0);
	assert_int_equal(probe(&r.b, 2, 4 * MS, 0), 1);
	assert_false(lb_vs_pool(&r.b.vs[0], 0)->servers[2].healthy);
	assert_int_equal(probe(&r.b, 2, 5 * MS, 1), 0);
	assert_int_equal(probe(&r.b, 2, 6 * MS, 1), 1);
	assert_true(lb_vs_pool(&r.b.vs[0], 0)->servers[2].healthy);
	assert_int_equal(window(&r)->probes, 6);
	assert_true(balancer_take_work_ns(&r.b) == 0);
	assert_int_equal(balancer_transitions(&r.b), 2);
	struct bal_transition down = balancer_transition(&r.b, 0), up = balancer_transition(&r.b, 1);
	assert_int_equal(down.at_ns, 4 * MS);
	assert_int_equal(down.server, 2);
	assert_false(down.up);
	assert_int_equal(up.at_ns, 6 * MS);
	assert_true(up.up);
	/* the next probe is one interval (default 2 s) after the last result */
	assert_int_equal(balancer_probe_due(&r.b, 2, 6 * MS), 6 * MS + LB_HC_DEFAULT_INTER_NS);
	balancer_free(&r.b);
}

/* The check's kind judges the server's answer in the core. A logon
 * refused behind a health page that answers 200 passes tcp and http and
 * fails deep; a page answering 503 fails http and deep, not tcp; a refused
 * connection fails all three. What a probe sends follows its kind, and
 * its server work grows from tcp to deep (each kind's file gives its
 * figure). */
static void test_probe_kinds(void **state)
{
	(void)state;
	const struct lb_hc_ops *kinds[] = {&lb_hc_tcp, &lb_hc_http, &lb_hc_deep};
	const enum lb_hc_probe sends[] = {LB_HC_PROBE_CONNECT, LB_HC_PROBE_PAGE,
					  LB_HC_PROBE_TRANSACTION};
	const struct lb_hc_reply no_logon = {.connected = 1, .status = 200};
	const struct lb_hc_reply page_503 = {.connected = 1, .status = 503, .authenticated = 1};
	const struct lb_hc_reply refused = {.connected = 0};
	const struct lb_hc_reply *replies[] = {&no_logon, &page_503, &refused};
	/* passes[kind][reply] */
	const int passes[3][3] = {{1, 1, 0}, {1, 0, 0}, {0, 0, 0}};
	uint32_t last_work = 0;
	for (int k = 0; k < 3; k++) {
		struct rig r;
		rig_init(&r, SCN_DESIGN_L4_MULTI, "roundrobin", NULL, 0);
		rig_free(&r);
		r.f.designs[0].check.kind = kinds[k];
		r.f.designs[0].check.params.init = LB_HC_INIT_UP; /* the first failure takes it down */
		char msg[128];
		assert_int_equal(balancer_init(&r.b, &r.f.scn, &r.f.designs[0], 0, msg, sizeof msg), 0);
		struct bal_probe_target t = balancer_probe_target(&r.b, 0);
		assert_int_equal(t.sends, sends[k]);
		assert_true(t.work_units > last_work);
		last_work = t.work_units;
		for (uint32_t i = 0; i < 3; i++) {
			int changed = balancer_probe_reply(&r.b, i, MS, replies[i]);
			assert_int_equal(changed, !passes[k][i]);
			assert_int_equal(lb_vs_pool(&r.b.vs[0], 0)->servers[i].healthy, passes[k][i]);
		}
		balancer_free(&r.b);
	}
}

/* A pool that cannot take a server's new state (its algorithm fails to
 * rebuild) is reported, not ignored, and the server keeps its old state. */
static int failing_rebuild(struct lb_pool *pool)
{
	(void)pool;
	return -1;
}

static void test_probe_commit_failure(void **state)
{
	(void)state;
	struct lb_sel_ops broken = lb_sel_roundrobin;
	broken.servers_changed = failing_rebuild;
	struct rig r;
	rig_init(&r, SCN_DESIGN_L4, "roundrobin", NULL, 0);
	balancer_free(&r.b);
	r.f.designs[0].balance = &broken;
	r.f.designs[0].check.params.init = LB_HC_INIT_UP; /* the first failure takes it down */
	char msg[128];
	assert_int_equal(balancer_init(&r.b, &r.f.scn, &r.f.designs[0], 0, msg, sizeof msg), 0);
	assert_int_equal(probe(&r.b, 0, MS, 0), -1);
	assert_true(lb_vs_pool(&r.b.vs[0], 0)->servers[0].healthy);
	balancer_free(&r.b);
}

/* A request that waits in the maxconn queue, then takes a slot and a
 * connection to its server (queue.c take_slot -> bal_backend_for_waiting),
 * step by step: 4 servers of maxconn 1, balance first, re-encrypting. Four
 * requests fill the servers (four connections, four full handshakes); a
 * fifth waits, holding its stream but no server connection; the first
 * answer frees server 0's slot and leaves its connection idle. http-reuse
 * safe: the waiting request is its connection's first, so it opens a new
 * connection (resumed: server 0 has a session) beside the idle one;
 * always: it takes the idle one. Its second request reuses either way.
 * Memory follows at each step (streams, backend connections), and once
 * every answer has passed it is the idle base again. */
static void test_queue_then_pool(void **state)
{
	(void)state;
	for (int mode = COST_REUSE_SAFE; mode <= COST_REUSE_ALWAYS; mode += COST_REUSE_ALWAYS) {
		struct rig r;
		rig_init(&r, SCN_DESIGN_L7, "first", NULL, 1);
		r.f.scn.servers.maxconn = 1;
		r.f.designs[0].reuse = (enum cost_reuse)mode;
		balancer_free(&r.b);
		char msg[128];
		assert_int_equal(balancer_init(&r.b, &r.f.scn, &r.f.designs[0], 0, msg, sizeof msg), 0);
		r.b.backend_rtt_ns = 0; /* no buffers held: memory is streams and connections */
		const struct cost_params *p = price(&r);
		const double server_conn = p->conn_bytes + p->tls_backend_state_bytes; /* re-encrypting */
		struct bal_conn c[5];
		for (int i = 0; i < 5; i++)
			assert_int_equal(open_conn(&r, &c[i], WL_OWA, BAL_TLS_12, 0), 0);
		for (int i = 0; i < 4; i++)
			assert_int_equal(balancer_request(&r.b, &c[i], &r.seen, 100, 0, 0), i);
		assert_int_equal(window(&r)->connects, 4);
		assert_int_equal(window(&r)->tls_backend_full, 4);
		assert_int_equal(r.b.backends.open, 4);
		/* the fifth: every server is full */
		assert_int_equal(balancer_request(&r.b, &c[4], &r.seen, 100, 0, 1 * MS), BAL_WAIT);
		struct bal_wait w;
		assert_int_equal(balancer_wait(&r.b, &w, &c[4], 1 * MS), BAL_WAIT);
		assert_int_equal(balancer_stats(&r.b).queued, 1);
		assert_int_equal(window(&r)->connects, 4);
		double cpu;
		struct cost_mem m;
		balancer_window_close(&r.b, 10 * MS, 1 * MS, &cpu, &m);
		assert_true(fabs(m.streams - 5 * p->stream_bytes) < 1e-9);
		assert_true(fabs(m.backend - 4 * server_conn) < 1e-6);
		assert_true(m.buffers == 0);
		assert_null(balancer_ready_pop(&r.b));
		/* server 0 answers c[0]: its slot goes to the waiting request */
		balancer_response(&r.b, &c[0], 100, 0, 2 * MS);
		assert_ptr_equal(balancer_ready_pop(&r.b), &w);
		assert_int_equal(bal_conn_server(&c[4]), 0);
		assert_false(c[4].flags & BAL_CONN_WAITING);
		int safe = mode == COST_REUSE_SAFE;
		assert_int_equal(window(&r)->connects, safe ? 1 : 0);
		assert_int_equal(window(&r)->tls_backend_resume, safe ? 1 : 0);
		assert_int_equal(window(&r)->tls_backend_full, 0);
		assert_int_equal(r.b.backends.open, safe ? 5 : 4);
		assert_int_equal(r.b.backends.idle, safe ? 1 : 0);
		balancer_window_close(&r.b, 10 * MS, 2 * MS, &cpu, &m);
		assert_true(fabs(m.streams - 4 * p->stream_bytes) < 1e-9);
		assert_true(fabs(m.backend - (safe ? 5 : 4) * server_conn) < 1e-6);
		/* its answer, then its second request: an idle connection to
		 * server 0 either way */
		balancer_response(&r.b, &c[4], 100, 0, 3 * MS);
		assert_int_equal(balancer_request(&r.b, &c[4], &r.seen, 100, 0, 4 * MS), 0);
		assert_int_equal(window(&r)->connects, 0);
		balancer_response(&r.b, &c[4], 100, 0, 5 * MS);
		for (int i = 1; i < 4; i++)
			balancer_response(&r.b, &c[i], 100, 0, 5 * MS);
		balancer_window_close(&r.b, 10 * MS, 5 * MS, &cpu, &m);
		assert_int_equal(balancer_stats(&r.b).conns_active, 0);
		assert_int_equal(r.b.backends.idle, r.b.backends.open);
		assert_true(m.streams == 0 && m.buffers == 0);
		assert_true(fabs(m.conn_base - 5 * (p->conn_bytes + p->tls_state_bytes)) < 1e-6);
		assert_true(fabs(m.backend - (safe ? 5 : 4) * server_conn) < 1e-6);
		rig_free(&r);
	}
}

/* Closing a window prices its counts (CPU in cores over the window) and
 * measures memory by what holds it. A kernel forwarder: the core's tables
 * plus the flow table (open entries, the entries of flows closed within
 * the linger time at the window's close rate, and the buckets). A layer-7
 * proxy: a base per connection held (socket and TLS state), buffers only
 * for the time a message's bytes move (its flights at the client's round
 * trip; a request also the server's acknowledgement), a stream per
 * request from request to answer, the backend connections, and the TLS
 * session cache whole from the start; after the answer, the idle base
 * again. Counts move to the measured. */
static void test_windows(void **state)
{
	(void)state;
	struct rig r;
	rig_init_impl(&r, SCN_DESIGN_L4, "roundrobin", NULL, 0, COST_IMPL_KERNEL_NAT);
	const struct cost_params *p = price(&r);
	struct bal_conn c[3];
	for (int i = 0; i < 3; i++)
		assert_int_equal(open_conn(&r, &c[i], WL_OWA, BAL_TLS_12, 0), 0);
	balancer_conn_close(&r.b, &c[2], 0);
	double cpu;
	struct cost_mem m;
	balancer_window_close(&r.b, 10000 * MS, 10000 * MS, &cpu, &m);
	/* a connection's 7 TCP packets and its full TLS 1.2 handshake's 6 */
	double want_cpu = 3 * (p->flow_setup_ns + 13 * p->packet_ns) / (10000.0 * MS);
	assert_true(fabs(cpu - want_cpu) < 1e-15);
	double want_tables = (double)balancer_mem_bytes(&r.b) +
			     (2 + 1 / 10.0 * p->flow_linger_s) * p->flow_bytes +
			     p->flow_buckets * p->flow_bucket_bytes;
	assert_true(fabs(m.tables - want_tables) < 1e-6);
	assert_true(m.conn_base + m.buffers + m.streams + m.backend + m.caches == 0);
	assert_int_equal(window(&r)->flows, 0);
	assert_int_equal(balancer_measured_ops(&r.b)->flows, 3);
	assert_true(fabs(balancer_measured_cpu_ns(&r.b) - want_cpu * 10000.0 * MS) < 1e-3);
	rig_free(&r);

	rig_init(&r, SCN_DESIGN_L7, "first", NULL, 1);
	p = price(&r);
	r.b.backend_rtt_ns = 0.2 * MS;
	/* What a connection holds while its bytes move: two data buffers,
	 * two sockets' kernel buffers, a TLS side's record buffers each
	 * (re-encrypting: two sides). */
	const double moving = 2 * (p->buffer_bytes + p->socket_buffer_bytes) + 2 * p->tls_buffer_bytes;
	const double idle_base = 3 * (p->conn_bytes + p->tls_state_bytes);
	for (int i = 0; i < 3; i++)
		assert_int_equal(open_conn(&r, &c[i], WL_OWA, BAL_TLS_12, i == 2), 0);
	/* A request of 1,500 B from a client 40 ms away: one segment, one
	 * flight, held from its arrival until the server acknowledges it
	 * (0.2 ms): the window of 10 s holds its buffers 0.2 ms of 10 s. Its
	 * stream lives from request to answer; one connection to the
	 * server. */
	assert_int_equal(balancer_request(&r.b, &c[0], &r.seen, 1500, 40 * MS, 0), 0);
	balancer_window_close(&r.b, 10000 * MS, 10000 * MS, &cpu, &m);
	assert_true(fabs(m.conn_base - idle_base) < 1e-6);
	assert_true(fabs(m.buffers - 0.2 / 10000 * moving) < 1e-6);
	assert_true(fabs(m.streams - p->stream_bytes) < 1e-9);
	/* The server connection is TLS (re-encrypting), priced as the
	 * client side of TLS, not as a client's connection to the proxy. */
	assert_true(p->tls_backend_state_bytes != p->tls_state_bytes);
	assert_true(fabs(m.backend - (p->conn_bytes + p->tls_backend_state_bytes)) < 1e-6);
	assert_true(fabs(m.caches - p->tls_cache_size * p->tls_cache_entry_bytes) < 1e-6);
	assert_true(fabs(m.tables - (double)balancer_mem_bytes(&r.b)) < 1e-6);
	/* The next window the request waits at its server (a long poll):
	 * its stream and its server connection, no buffers. */
	balancer_window_close(&r.b, 10000 * MS, 20000 * MS, &cpu, &m);
	assert_true(m.buffers == 0);
	assert_true(fabs(m.streams - p->stream_bytes) < 1e-9);
	assert_true(fabs(m.backend - (p->conn_bytes + p->tls_backend_state_bytes)) < 1e-6);
	/* Its answer of 30,000 B: 21 segments, two flights under slow start
	 * (10, then 20: RFC 6928, RFC 5681), the last acknowledged a round
	 * trip after it left: held 2 x 40 ms. */
	balancer_response(&r.b, &c[0], 30000, 40 * MS, 30000 * MS);
	balancer_window_close(&r.b, 10000 * MS, 30000 * MS, &cpu, &m);
	assert_true(fabs(m.buffers - 80.0 / 10000 * moving) < 1e-6);
	assert_true(m.streams == 0);
	/* Answered: back to the idle base, its server connection idle in
	 * the pool (within backend-idle-timeout of its answer). */
	balancer_window_close(&r.b, 1 * MS, 30000 * MS + 1 * MS, &cpu, &m);
	assert_true(m.buffers == 0 && m.streams == 0);
	assert_true(fabs(cost_mem_total(&m) -
			 (idle_base + p->conn_bytes + p->tls_backend_state_bytes +
			  p->tls_cache_size * p->tls_cache_entry_bytes + (double)balancer_mem_bytes(&r.b))) <
		    1e-6);
	/* after balancer_measure_start the window is empty again */
	assert_int_equal(open_conn(&r, &c[0], WL_OWA, BAL_TLS_12, 0), 0);
	balancer_measure_start(&r.b);
	assert_int_equal(window(&r)->accepts, 0);
	rig_free(&r);
}

/* The proxy's threads' busy share u solved independently of
 * cost_wakeups: f(u) = u c T - B - w m (1 - u) rises with u (its slope
 * c T + w m > 0), from f(0) < 0; bisection to 1e-15 on [0, 1], or 1 when
 * f(1) <= 0 (the work fills the window). */
static double busy_share_by_bisection(double B, double m, double w, double T, double c)
{
	double lo = 0, hi = 1;
	if (c * T - B <= 0)
		return 1;
	for (int i = 0; i < 60; i++) {
		double mid = (lo + hi) / 2;
		if (mid * c * T - B - w * m * (1 - mid) < 0)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

/* cost_wakeups' closed form against that solution, over parameters from
 * idle to saturated (a fixed sequence: B from none to twice the
 * threads' capacity, wake-ups from a few to more than the window holds):
 * within 1e-9 of a wake-up per arrival. */
static void test_wakeups_closed_form(void **state)
{
	(void)state;
	uint64_t x = 12345;
	for (int i = 0; i < 2000; i++) {
		double u01[4];
		for (int k = 0; k < 4; k++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			u01[k] = (double)(x >> 11) / 9007199254740992.0;
		}
		double T = 1e10, c = 1 + (i % 4);
		double B = 2 * u01[0] * c * T;
		double m = 1e7 * u01[1] * u01[1];
		double w = 1e3 + 5e4 * u01[2];
		double u = busy_share_by_bisection(B, m, w, T, c);
		double want = m * (1 - u);
		double got = cost_wakeups(B, m, w, T, c);
		if (fabs(got - want) > 1e-9 * (m + 1))
			fail_msg("B %g m %g w %g c %g: %.9g wake-ups, want %.9g", B, m, w, c, got, want);
		/* the wake-ups' own work never makes the threads more than busy */
		assert_true(B + w * got <= c * T * (1 + 1e-12) || got == 0);
	}
	/* the limits: nothing arrives; no other work and wake-ups that take
	 * no time: every arrival wakes; the work fills the window: none */
	assert_true(cost_wakeups(5e9, 0, 2e4, 1e10, 1) == 0);
	assert_true(cost_wakeups(0, 1000, 0, 1e10, 1) == 1000);
	assert_true(cost_wakeups(1e10, 1000, 2e4, 1e10, 1) == 0);
	assert_true(cost_wakeups(3e10, 1000, 2e4, 1e10, 2) == 0);
}

/* The sequence of an exchange through a design: a TLS 1.3 connection
 * (full), one request of 1,500 B, its answer of 12,000 B, the close. */
static void one_connection(struct rig *r)
{
	struct bal_conn c;
	assert_int_equal(open_conn(r, &c, WL_OWA, BAL_TLS_13, 0), 0);
	assert_true(balancer_request(&r->b, &c, &r->seen, 1500, 0, 0) >= 0);
	balancer_response(&r->b, &c, 12000, 0, 0);
	balancer_conn_close(&r->b, &c, 0);
}

/* An idle proxy: one connection in a window of 10 s is nowhere near
 * its thread's capacity, so every message that reaches it wakes it:
 * a layer-4 proxy the 4 flights of a TLS 1.3 handshake, the request and
 * the answer (6); a layer-7 proxy the client's 2 flights, the request and
 * the answer (4), re-encrypting also the server's 2 flights (6). The
 * window's CPU is its operations' plus a wake-up's price each. A kernel
 * forwarder has no thread to wake and reads no wakeup figure. */
static void test_wakeups_idle(void **state)
{
	(void)state;
	static const struct {
		enum scn_design_kind kind;
		enum cost_impl impl;
		int reencrypt;
		uint64_t wakeups;
	} cases[] = {
		{SCN_DESIGN_L4, COST_IMPL_PROXY, 0, 6},
		{SCN_DESIGN_L7, COST_IMPL_PROXY, 0, 4},
		{SCN_DESIGN_L7, COST_IMPL_PROXY, 1, 6},
		{SCN_DESIGN_L4, COST_IMPL_KERNEL_NAT, 0, 0},
		{SCN_DESIGN_L4, COST_IMPL_KERNEL_DR, 0, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct rig r;
		rig_init_impl(&r, cases[i].kind, "first", NULL, cases[i].reencrypt, cases[i].impl);
		const struct cost_params *p = price(&r);
		if (cases[i].impl == COST_IMPL_PROXY)
			assert_true(p->wakeup_ns > 0);
		one_connection(&r);
		assert_int_equal(window(&r)->arrivals, cases[i].wakeups);
		double base = cost_cpu_ns(p, window(&r));
		double cpu;
		struct cost_mem m;
		balancer_window_close(&r.b, 10000 * MS, 10000 * MS, &cpu, &m);
		const struct cost_counts *got = balancer_measured_ops(&r.b);
		assert_int_equal(got->wakeups, cases[i].wakeups);
		double want = base + (double)cases[i].wakeups * p->wakeup_ns;
		assert_true(fabs(cpu * 10000.0 * MS - want) < 1e-6 * want);
		assert_true(fabs(balancer_measured_cpu_ns(&r.b) - want) < 1e-6 * want);
		rig_free(&r);
	}
	uint64_t kernel = cost_figures_needed(COST_IMPL_KERNEL_NAT, 0, COST_CERT_RSA_2048,
					      COST_CIPHER_AES_256_GCM, 0);
	uint64_t proxy = cost_figures_needed(COST_IMPL_PROXY, 0, COST_CERT_RSA_2048,
					     COST_CIPHER_AES_256_GCM, 0);
	assert_false(kernel >> COST_FIG_WAKEUP & 1);
	assert_true(proxy >> COST_FIG_WAKEUP & 1);
}

/* A saturated proxy never sleeps: with one thread (lb-cores 1) and more
 * work in the window than it holds (three full RSA handshakes, 2.2 ms,
 * in a window of 1 ms), no message wakes it and the window costs its
 * operations alone. Half as much work in a window twice as long leaves
 * it idle a share of the time, and wake-ups are that share of the
 * messages (cost_wakeups, rounded). Without lb-cores the proxy has as
 * many threads as its work needs: 2.2 ms in 1 ms, three. */
static void test_wakeups_busy(void **state)
{
	(void)state;
	struct rig r;
	rig_init(&r, SCN_DESIGN_L7, "first", NULL, 0);
	const struct cost_params *p = price(&r);
	r.b.threads = 1;
	for (int i = 0; i < 3; i++)
		one_connection(&r);
	double base = cost_cpu_ns(p, window(&r));
	assert_true(base > 1 * MS);
	double cpu;
	struct cost_mem m;
	balancer_window_close(&r.b, 1 * MS, 1 * MS, &cpu, &m);
	assert_int_equal(balancer_measured_ops(&r.b)->wakeups, 0);
	assert_true(fabs(cpu * MS - base) < 1e-6 * base);

	/* 12 messages in a window of 4 ms with 2.2 ms of work */
	balancer_measure_start(&r.b);
	for (int i = 0; i < 3; i++)
		one_connection(&r);
	base = cost_cpu_ns(p, window(&r));
	double u = busy_share_by_bisection(base, 12, p->wakeup_ns, 4 * MS, 1);
	balancer_window_close(&r.b, 4 * MS, 5 * MS, &cpu, &m);
	uint64_t want = (uint64_t)floor(12 * (1 - u) + 0.5);
	assert_true(want > 0 && want < 12);
	assert_int_equal(balancer_measured_ops(&r.b)->wakeups, want);

	/* no lb-cores: threads enough for the work, ceil(2.2 ms / 1 ms) */
	uint64_t before = balancer_measured_ops(&r.b)->wakeups;
	balancer_measure_start(&r.b);
	r.b.threads = 0;
	for (int i = 0; i < 3; i++)
		one_connection(&r);
	base = cost_cpu_ns(p, window(&r));
	u = busy_share_by_bisection(base, 12, p->wakeup_ns, 1 * MS, ceil(base / MS));
	balancer_window_close(&r.b, 1 * MS, 6 * MS, &cpu, &m);
	want = (uint64_t)floor(12 * (1 - u) + 0.5);
	assert_int_equal(balancer_measured_ops(&r.b)->wakeups - before, want);
	rig_free(&r);
}

/* Wake-ups are counted whole per window, the rest carried: windows of
 * one message each at a load that leaves a fraction of a wake-up each
 * add up over the windows to their exact sum, within a half. The same
 * windows give the same counts again. */
static void test_wakeups_carried(void **state)
{
	(void)state;
	uint64_t counts[2];
	for (int run = 0; run < 2; run++) {
		struct rig r;
		rig_init(&r, SCN_DESIGN_L7, "first", NULL, 0);
		const struct cost_params *p = price(&r);
		r.b.threads = 1;
		struct bal_conn c;
		assert_int_equal(open_conn(&r, &c, WL_OWA, BAL_TLS_13, 1), 0);
		balancer_measure_start(&r.b);
		double exact = 0;
		for (int i = 0; i < 50; i++) {
			/* one request and its answer: 2 messages */
			assert_true(balancer_request(&r.b, &c, &r.seen, 100, 0, 0) >= 0);
			balancer_response(&r.b, &c, 100, 0, 0);
			double base = cost_cpu_ns(p, window(&r));
			double T = floor(base * 1.3); /* busy most of the window */
			double u = busy_share_by_bisection(base, 2, p->wakeup_ns, T, 1);
			exact += 2 * (1 - u);
			double cpu;
			struct cost_mem m;
			balancer_window_close(&r.b, (uint64_t)T, (uint64_t)(i + 1) * MS, &cpu, &m);
		}
		counts[run] = balancer_measured_ops(&r.b)->wakeups;
		assert_true(fabs((double)counts[run] - exact) <= 0.5 + 1e-9);
		assert_true(exact - floor(exact) > 0.01); /* a fraction was carried */
		rig_free(&r);
	}
	assert_int_equal(counts[0], counts[1]);
}

/* l4-multi and l7 give a namespace (a VIP with its external address, a
 * content rule) and a check per server only to the workloads some
 * population uses; a kind no user runs (share 0) is not used. l4 has one
 * VIP and one check per server whatever is used. */
static void test_namespaces_of_used_workloads(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, 4, 1, MS, 100, 0, 60, 0, 3);
	fixture_devices(&f, (1u << WL_OWA) | (1u << WL_EAS) | (1u << WL_MAPI) | (1u << WL_OAB));
	f.pop.client[WL_OAB].share = 0;
	static const struct {
		uint32_t vs, rules, checks, ips;
	} want[3] = {
		[SCN_DESIGN_L4] = {1, 0, 4, 1},
		[SCN_DESIGN_L4_MULTI] = {3, 0, 3 * 4, 3},
		[SCN_DESIGN_L7] = {1, 3, 3 * 4, 1},
	};
	for (uint32_t k = 0; k < 3; k++) {
		struct balancer b;
		char msg[256];
		assert_int_equal(f.designs[k].kind, k);
		assert_int_equal(balancer_nchecks_of(&f.scn, &f.designs[k]), want[k].checks);
		assert_int_equal(balancer_init(&b, &f.scn, &f.designs[k], 0, msg, sizeof msg), 0);
		struct bal_stats s = balancer_stats(&b);
		assert_int_equal(s.virtual_services, want[k].vs);
		assert_int_equal(s.content_rules, want[k].rules);
		assert_int_equal(s.health_checks, want[k].checks);
		assert_int_equal(s.external_ips, want[k].ips);
		/* Every check watches a used workload's page (l4: OWA's). */
		for (uint32_t i = 0; i < s.health_checks; i++) {
			int32_t w = balancer_probe_target(&b, i).workload;
			assert_true(w == WL_OWA || w == WL_EAS || w == WL_MAPI);
		}
		balancer_free(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_namespaces_of_used_workloads),
		cmocka_unit_test(test_l4_connection),
		cmocka_unit_test(test_l4_direct_return),
		cmocka_unit_test(test_l4_resumes_only_at_home),
		cmocka_unit_test(test_l4_proxy),
		cmocka_unit_test(test_l4_proxy_handshakes),
		cmocka_unit_test(test_l4_persistence_lookups),
		cmocka_unit_test(test_l4_multi_refuses),
		cmocka_unit_test(test_l7_exchange),
		cmocka_unit_test(test_tls_records),
		cmocka_unit_test(test_l7_no_server),
		cmocka_unit_test(test_backend_reuse),
		cmocka_unit_test(test_backend_idle_timeout),
		cmocka_unit_test(test_probes),
		cmocka_unit_test(test_probe_kinds),
		cmocka_unit_test(test_probe_commit_failure),
		cmocka_unit_test(test_windows),
		cmocka_unit_test(test_wakeups_closed_form),
		cmocka_unit_test(test_wakeups_idle),
		cmocka_unit_test(test_wakeups_busy),
		cmocka_unit_test(test_wakeups_carried),
		cmocka_unit_test(test_queue_then_pool),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
