/* Response time as the client sees it, against figures derived by hand in
 * a deterministic scenario: a constant demand D on servers that never
 * queue (1,000 cores), a population on a network of round trip R = 40 ms
 * without jitter, browsers (OWA: two request connections each, a think of
 * 20 s). Every measured request then takes exactly
 *
 *   D + R                       on a kept-alive connection,
 *   D + R + (1 + t) R           as the first request of a new connection,
 *                               t the TLS handshake's round trips: 2 for a
 *                               full TLS 1.2 one, 1 resumed or TLS 1.3;
 *
 * plus, on a layer-7 balancer, its priced work for the request (in and
 * out, rounded to a nanosecond each way as the world keeps time) and a
 * round trip to the server when it opens a connection there. A connection
 * whose lifetime is 0 closes at its next request and opens anew, so every
 * request of it is a new connection's first; one that lives for days
 * carries every measured request on an open connection. The mean of
 * identical values is exact, so the tolerance is 1e-9 relative (the sum
 * of ~5,000 values in a double). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>

#include "lbsim/network.h"
#include "lbsim/run.h"
#include "sim_fixture.h"

#define SEC(x) ((sim_time_t)((x) * 1e9))
#define D SEC(0.002)
#define R SEC(0.040)

/* One server unless told, 200 OWA users over 600 s after 60 s of warm-up
 * (every device's first connection opens in the warm-up), the balancer
 * taking no time of its own unless a test gives it some. */
static void setup(struct fixture *f, uint32_t servers, enum scn_design_kind kind,
		  const char *balance, sim_time_t lifetime, sim_time_t tls_session, double tls13)
{
	fixture_init(f, servers, 1000, 0, 200, 0, 600, 60, 1);
	fixture_devices(f, 1u << WL_OWA);
	fixture_design(f, 0, kind, balance);
	fixture_instant_balancer(f, 0);
	f->scn.servers.workloads[WL_OWA] = (struct server_workload_cfg){.demand = D, .demand_cv = 0};
	f->pop.net = (struct network_cfg){.rtt = R, .jitter = 0};
	f->pop.tls13 = tls13;
	f->pop.client[WL_OWA].lifetime = lifetime;
	f->pop.client[WL_OWA].tls_session = tls_session;
}

static double mean_response(const struct fixture *f)
{
	struct run_result r;
	char err[256];
	int rc = run_design(&f->scn, 0, 0, &r, err, sizeof err);
	if (rc != 0)
		print_error("run_design: %s\n", err);
	assert_int_equal(rc, 0);
	assert_true(r.workloads[WL_OWA].measured_sent > 1000);
	double mean = r.workloads[WL_OWA].response_mean_ns;
	run_result_free(&r);
	return mean;
}

static void assert_exactly(double got, double want, const char *what)
{
	print_message("%s: %.6f ms, expected %.6f ms\n", what, got / 1e6, want / 1e6);
	assert_true(fabs(got / want - 1) < 1e-9);
}

#define NEVER SEC(1e6)   /* a lifetime or TLS session that outlasts the run */

static void test_kept_alive_one_round_trip(void **state)
{
	(void)state;
	struct fixture f;
	setup(&f, 1, SCN_DESIGN_L4, "roundrobin", NEVER, NEVER, 0);
	assert_exactly(mean_response(&f), D + R, "kept alive");
}

static void test_new_connection_handshakes(void **state)
{
	(void)state;
	struct fixture f;
	setup(&f, 1, SCN_DESIGN_L4, "roundrobin", 0, 0, 0);
	assert_exactly(mean_response(&f), D + R + 3 * R, "TLS 1.2 full");
	setup(&f, 1, SCN_DESIGN_L4, "roundrobin", 0, 0, 1);
	assert_exactly(mean_response(&f), D + R + 2 * R, "TLS 1.3");
	/* Resumed on the one server, which made the session. */
	setup(&f, 1, SCN_DESIGN_L4, "roundrobin", 0, NEVER, 0);
	assert_exactly(mean_response(&f), D + R + 2 * R, "TLS 1.2 resumed, layer 4");
	/* A layer-7 balancer keeps the sessions itself: resumed whatever the
	 * server. */
	setup(&f, 4, SCN_DESIGN_L7, "roundrobin", 0, NEVER, 0);
	assert_exactly(mean_response(&f), D + R + 2 * R, "TLS 1.2 resumed, layer 7");
}

/* Over layer 4 the session lives on the server that made it: source
 * hashing sends a device back to it every time (resumed), round robin
 * mostly elsewhere (full: an extra round trip for those). */
static void test_layer4_resumes_at_home_only(void **state)
{
	(void)state;
	struct fixture f;
	setup(&f, 4, SCN_DESIGN_L4, "source", 0, NEVER, 0);
	assert_exactly(mean_response(&f), D + R + 2 * R, "source hashing, resumed at home");
	setup(&f, 4, SCN_DESIGN_L4, "roundrobin", 0, NEVER, 0);
	double rr = mean_response(&f);
	print_message("round robin: %.3f ms, between %.3f and %.3f\n", rr / 1e6,
		      (double)(D + 3 * R) / 1e6, (double)(D + 4 * R) / 1e6);
	/* With 4 servers a new connection meets its home about one time in
	 * four: the mean lies well inside the two. */
	assert_true(rr > (double)(D + 3 * R) + 0.5 * R && rr < (double)(D + 4 * R));
}

/* A layer-7 balancer without cores to wait for still takes its priced
 * work as time (the default cost profile's prices, as the façade charges
 * them, models/balancer/traffic.c): the request's parse, relay and
 * decryption (its bytes and records) on the way in, the answer's relay
 * and encryption on the way out, each rounded to a nanosecond as the world keeps time.
 *
 * http-reuse never, one server, connections that live for days: each
 * client connection keeps its own connection to the server, opened in the
 * warm-up, so a measured request adds its work and nothing more. */
static void test_layer7_work(void **state)
{
	(void)state;
	struct fixture f;
	setup(&f, 1, SCN_DESIGN_L7, "roundrobin", NEVER, NEVER, 0);
	struct scn_design *d = &f.designs[0];
	scn_set_design_defaults(d);
	d->reuse = COST_REUSE_NEVER;
	const struct cost_params *p = &d->costs;
	const struct client_cfg *cc = &f.pop.client[WL_OWA];
	double in = 0, out = 0;
	in += p->http_request_ns;
	in += (double)cc->request_bytes * p->relay_byte_ns;
	in += (double)cc->request_bytes * p->crypto_byte_ns[d->cipher];
	in += (double)cost_tls_records(cc->request_bytes) * p->tls_record_ns;
	out += (double)cc->response_bytes * p->relay_byte_ns;
	out += (double)cc->response_bytes * p->crypto_byte_ns[d->cipher];
	out += (double)cost_tls_records(cc->response_bytes) * p->tls_record_ns;
	sim_time_t lb = (sim_time_t)(in + 0.5) + (sim_time_t)(out + 0.5);
	assert_true(lb > 0);
	assert_exactly(mean_response(&f), D + R + lb, "layer 7, kept alive");
}

/* http-reuse safe sends a client connection's first request over a new
 * connection to the server: with a new client connection for every
 * request (lifetime 0, its TLS 1.2 session resumed), each request waits
 * for the client's handshakes (TCP and a resumed TLS: 2 R), the
 * balancer's accept and resumption, the request's work and the connect to
 * the server, and that connection's TCP round trip at backend-rtt. */
static void test_layer7_new_server_connection(void **state)
{
	(void)state;
	struct fixture f;
	setup(&f, 1, SCN_DESIGN_L7, "roundrobin", 0, NEVER, 0);
	struct scn_design *d = &f.designs[0];
	scn_set_design_defaults(d);
	d->reuse = COST_REUSE_SAFE;
	d->backend_rtt = SEC(0.0005);
	const struct cost_params *p = &d->costs;
	const struct client_cfg *cc = &f.pop.client[WL_OWA];
	double in = 0, out = 0;
	in += p->accept_ns;
	in += p->tls_resume_12_ns;
	in += p->http_request_ns;
	in += (double)cc->request_bytes * p->relay_byte_ns;
	in += (double)cc->request_bytes * p->crypto_byte_ns[d->cipher];
	in += (double)cost_tls_records(cc->request_bytes) * p->tls_record_ns;
	in += p->connect_ns;
	out += (double)cc->response_bytes * p->relay_byte_ns;
	out += (double)cc->response_bytes * p->crypto_byte_ns[d->cipher];
	out += (double)cost_tls_records(cc->response_bytes) * p->tls_record_ns;
	sim_time_t lb = (sim_time_t)(in + 0.5) + (sim_time_t)(out + 0.5);
	assert_exactly(mean_response(&f), D + R + 2 * R + lb + d->backend_rtt,
		       "layer 7, a new server connection each");
}

/* Slow start's flights from an initial window of 10 segments, doubling
 * (RFC 6928, RFC 5681): up to 10 segments one flight, up to 30 two, up to
 * 70 three; an empty message is still one. */
static void test_message_flights(void **state)
{
	(void)state;
	assert_int_equal(network_message_flights(0, 1460), 1);
	assert_int_equal(network_message_flights(14600, 1460), 1);
	assert_int_equal(network_message_flights(14601, 1460), 2);
	assert_int_equal(network_message_flights(30 * 1460, 1460), 2);
	assert_int_equal(network_message_flights(30 * 1460 + 1, 1460), 3);
	assert_int_equal(network_message_flights(70 * 1460, 1460), 3);
	assert_int_equal(network_message_flights(70 * 1460 + 1, 1460), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_message_flights),
		cmocka_unit_test(test_kept_alive_one_round_trip),
		cmocka_unit_test(test_new_connection_handshakes),
		cmocka_unit_test(test_layer4_resumes_at_home_only),
		cmocka_unit_test(test_layer7_work),
		cmocka_unit_test(test_layer7_new_server_connection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
