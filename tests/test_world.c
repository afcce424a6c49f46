/* The simulated world with client devices: NAT collapse, partial failures
 * and health checks, common random numbers across designs, request rates
 * per client kind, fault timing and conservation under faults. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>

#include "lbsim/cost.h"
#include "lbsim/cost_profile.h"
#include "lbsim/event_kind.h"
#include "lbsim/run.h"
#include "lbsim/server.h"
#include "lbsim/tls_flights.h"
#include "sim_fixture.h"

#define BIT(w) (1u << (w))

static void run_ok(struct fixture *f, uint32_t d, struct run_result *res)
{
	char err[256];
	int rc = run_design(&f->scn, d, 0, res, err, sizeof err);
	if (rc != 0)
		print_error("run_design: %s\n", err);
	assert_int_equal(rc, 0);
	for (int k = 0; k < WL_COUNT; k++) {
		const struct workload_result *wr = &res->workloads[k];
		assert_int_equal(wr->sent, wr->ok + wr->failed + wr->in_flight);
	}
}

static uint32_t servers_used(const struct run_result *r)
{
	uint32_t used = 0;
	for (uint32_t i = 0; i < r->nservers; i++)
		used += r->servers[i].requests > 0;
	return used;
}

/* The profile of a device-driven layer-7 run with persistence (the path
 * where the look-ahead prefetches devices, connections and table slots):
 * every event is counted once under its kind, connection timers and
 * completions among them, and the results are those of an unprofiled run. */
static void test_profile_devices_l7(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, 4, 4, 0, 500, 0, 300, 30, 1);
	fixture_devices(&f, BIT(WL_OWA) | BIT(WL_MAPI));
	fixture_design(&f, 0, SCN_DESIGN_L7, "roundrobin");
	f.designs[0].persist = lb_pers_find("cookie");
	f.designs[0].pers_params = (struct lb_pers_params){.size = 2000, .expire_ns = 600 * SIM_NS_PER_S};
	struct run_result plain, timed;
	run_ok(&f, 0, &plain);
	struct sim_profile prof = {0};
	struct run_progress progress = {.profile = &prof};
	char err[256];
	assert_int_equal(run_design_watched(&f.scn, 0, 0, &timed, err, sizeof err, &progress, 0), 0);
	uint64_t events = 0;
	for (unsigned k = 0; k < SIM_PROFILE_KINDS; k++)
		events += prof.events[k];
	assert_int_equal(events, timed.events);
	assert_true(prof.events[EV_CONN] > 0);
	assert_true(prof.events[EV_SERVER_DONE] > 0);
	assert_int_equal(plain.events, timed.events);
	assert_int_equal(plain.sent, timed.sent);
	assert_int_equal(plain.persisted, timed.persisted);
	assert_int_equal(plain.traffic_checksum, timed.traffic_checksum);
	assert_true(plain.persisted > 0);
	run_result_free(&plain);
	run_result_free(&timed);
}

/* Layer 7 with ssl-session-id persistence reads each request's TLS
 * session id, which the clients fetch from the device only for a design
 * that reads it (clients.requests_carry_tls_id). TLS 1.2 OWA devices keep
 * one session the whole run (it lives 10 minutes), so every request but
 * a device's first few finds its server in the table: at 20 s of think
 * time some 15 requests a device, a hit ratio near 0.9. Requests sent
 * without their id would never be stored: nothing would persist. */
static void test_l7_ssl_session_sees_ids(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, 4, 4, 0, 500, 0, 300, 30, 1);
	fixture_devices(&f, BIT(WL_OWA));
	fixture_design(&f, 0, SCN_DESIGN_L7, "roundrobin");
	f.designs[0].persist = lb_pers_find("ssl-session-id");
	f.designs[0].pers_params = (struct lb_pers_params){.size = 2000, .expire_ns = 600 * SIM_NS_PER_S};
	struct run_result r;
	run_ok(&f, 0, &r);
	assert_true(r.sent > 5000);
	assert_true(r.persisted > r.sent / 2);
	run_result_free(&r);
}

/* 3,000 users behind 3 NAT addresses, 8 servers. Balancing on the source
 * address (or sticking to it) can use at most 3 servers, and then
 * jain <= 3/8 exactly (Cauchy-Schwarz: (sum x)^2 <= k sum x^2 over the k
 * servers with load). Round robin without persistence spreads the same
 * traffic evenly: jain near 1 (requests differ by the random number of
 * requests per connection only). */
static void test_nat_collapse(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, 8, 8, 0, 3000, 0, 600, 60, 3);
	fixture_devices(&f, BIT(WL_OWA));
	f.pop.source = SCN_SOURCE_NAT;
	f.pop.addresses = 3;
	fixture_design(&f, 0, SCN_DESIGN_L4, "source");
	fixture_design(&f, 1, SCN_DESIGN_L4, "roundrobin");
	f.designs[1].persist = lb_pers_find("source-ip");
	f.designs[1].pers_params = (struct lb_pers_params){.size = 1000, .expire_ns = 1800 * SIM_NS_PER_S};
	fixture_design(&f, 2, SCN_DESIGN_L4, "roundrobin");
	struct run_result r;
	for (uint32_t d = 0; d < 2; d++) {
		run_ok(&f, d, &r);
		print_message("%s: %u servers used, jain %.4f\n", d ? "source-ip persistence" : "source hash",
			      servers_used(&r), r.skew.jain);
		assert_true(servers_used(&r) <= 3);
		assert_true(r.skew.jain <= 3.0 / 8 + 1e-12);
		/* Active sessions (layer-4 connections bound to a server) skew
		 * the same way, and they add up to the connections the devices
		 * hold: 3,000 users x 2 OWA connections, all open but for the
		 * instant of a reconnect. */
		assert_true(r.skew_sessions.jain <= 3.0 / 8 + 1e-12);
		double held = 0;
		for (uint32_t i = 0; i < r.nservers; i++)
			held += r.servers[i].sessions;
		assert_true(fabs(held / 6000 - 1) < 0.01);
		/* The core's memory includes the persistence table, as the
		 * table itself sizes it (a regression once reported only the
		 * service's own few hundred bytes). */
		size_t table = lb_pers_table_bytes(1000, 0);
		if (d == 1)
			assert_true(r.lb_table_bytes >= table);
		else
			assert_true(r.lb_table_bytes < table);
		run_result_free(&r);
	}
	run_ok(&f, 2, &r);
	print_message("roundrobin: %u servers used, jain %.6f\n", servers_used(&r), r.skew.jain);
	/* All traffic is OWA: the OWA pool's skew is the design's. */
	assert_true(r.workloads[WL_OWA].skew.jain == r.skew.jain);
	assert_true(isnan(r.workloads[WL_EAS].skew.jain)); /* no ActiveSync traffic */
	assert_int_equal(servers_used(&r), 8);
	assert_true(r.skew.jain > 0.999);
	run_result_free(&r);
}

/* ActiveSync fails on server 3 (index 2) from 300 s to 900 s; OWA there
 * keeps working. With inter 2 s and fall 3, a per-workload check marks it
 * down after 3 failed probes: at most fall x inter + inter (the phase of
 * the first failed probe) = 8 s after the fault. l4 checks OWA only and
 * never notices, so it keeps misrouting ActiveSync for the whole fault:
 * the phones whose connection is on server 3 retry on it (HTTP clients
 * keep their connection after an error), and every eighth new connection
 * lands there. l4-multi stops sending new connections there once it
 * notices, but the connections already there stay (a balancer does not
 * cut established connections when a check fails) and their phones go on
 * retrying: fewer misrouted requests than l4, still many. l7 chooses a
 * server per request, so it misroutes only until it notices. */
static void test_partial_failure(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, 8, 8, 0, 4000, 0, 1200, 60, 3);
	fixture_devices(&f, BIT(WL_OWA) | BIT(WL_EAS));
	fixture_design(&f, 0, SCN_DESIGN_L4, "roundrobin");
	fixture_design(&f, 1, SCN_DESIGN_L4_MULTI, "roundrobin");
	fixture_design(&f, 2, SCN_DESIGN_L7, "roundrobin");
	struct scn_fault fault = {.at = 300 * SIM_NS_PER_S, .duration = 600 * SIM_NS_PER_S,
				  .server = 2, .kind = SCN_FAULT_WORKLOAD_DOWN, .workload = WL_EAS};
	f.scn.faults = &fault;
	f.scn.nfaults = 1;
	struct run_result r[3];
	for (uint32_t d = 0; d < 3; d++) {
		run_ok(&f, d, &r[d]);
		print_message("%s: eas misrouted %llu, failed %llu of %llu; owa failed %llu; detect %.1f s\n",
			      scn_design_kind_name(f.designs[d].kind),
			      (unsigned long long)r[d].workloads[WL_EAS].measured_misrouted,
			      (unsigned long long)r[d].workloads[WL_EAS].measured_failed,
			      (unsigned long long)r[d].workloads[WL_EAS].measured_sent,
			      (unsigned long long)r[d].workloads[WL_OWA].measured_failed,
			      r[d].faults[0].detect_s);
		/* OWA is never hurt by an ActiveSync failure. */
		assert_int_equal(r[d].workloads[WL_OWA].measured_failed, 0);
	}
	assert_true(isnan(r[0].faults[0].detect_s));
	for (uint32_t d = 1; d < 3; d++) {
		assert_true(r[d].faults[0].detect_s > 0);
		assert_true(r[d].faults[0].detect_s <= 8.0);
	}
	uint64_t l4 = r[0].workloads[WL_EAS].measured_misrouted;
	uint64_t multi = r[1].workloads[WL_EAS].measured_misrouted;
	uint64_t l7 = r[2].workloads[WL_EAS].measured_misrouted;
	assert_true(l4 > multi);
	assert_true(multi > 20 * (l7 + 1));
	/* l7 misroutes within its 8 s of detection only: the ActiveSync
	 * requests of 8 s, an eighth of them to server 3, with room for the
	 * syncs that follow polls there. */
	double per_s = (double)r[2].workloads[WL_EAS].measured_sent / r[2].window_s;
	assert_true((double)l7 < 8 * per_s / 8 * 3 + 10);
	for (uint32_t d = 0; d < 3; d++)
		run_result_free(&r[d]);
}

/* With servers that never queue (1,000 cores each), a request's response
 * time is its demand alone in every design, so the designs must send
 * exactly the same requests: the same count and the same checksum of
 * (device, connection, request number, demand). */
static void test_common_random_numbers_across_designs(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, 4, 1000, 0, 2000, 0, 300, 30, 3);
	fixture_devices(&f, BIT(WL_OWA) | BIT(WL_MAPI) | BIT(WL_EAS));
	fixture_design(&f, 0, SCN_DESIGN_L4, "roundrobin");
	fixture_design(&f, 1, SCN_DESIGN_L4_MULTI, "leastconn");
	fixture_design(&f, 2, SCN_DESIGN_L7, "source");
	struct run_result r[3];
	for (uint32_t d = 0; d < 3; d++)
		run_ok(&f, d, &r[d]);
	for (uint32_t d = 1; d < 3; d++) {
		assert_int_equal(r[d].sent, r[0].sent);
		assert_true(r[d].traffic_checksum == r[0].traffic_checksum);
	}
	/* Another replication draws other traffic. */
	struct run_result other;
	char err[256];
	assert_int_equal(run_design(&f.scn, 0, 1, &other, err, sizeof err), 0);
	assert_true(other.traffic_checksum != r[0].traffic_checksum);
	run_result_free(&other);
	for (uint32_t d = 0; d < 3; d++)
		run_result_free(&r[d]);
}

/* Open traffic draws who sends only where it matters (source hashing
 * here; not for roundrobin), and the streams stand alone: both designs
 * get the same arrivals and demands. With servers that never queue, a
 * response is its demand, so the two mean response times are equal to
 * the last bit, while the requests spread differently over the servers. */
static void test_open_traffic_users_drawn_only_when_read(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, 4, 1000, 10 * 1000000, 500, 0.2, 200, 0, 2);
	fixture_design(&f, 0, SCN_DESIGN_L4, "roundrobin");
	fixture_design(&f, 1, SCN_DESIGN_L4, "source");
	struct run_result r[2];
	for (uint32_t d = 0; d < 2; d++)
		run_ok(&f, d, &r[d]);
	assert_int_equal(r[1].sent, r[0].sent);
	assert_true(r[1].response_mean_ns == r[0].response_mean_ns);
	/* Roundrobin splits exactly; 500 users hashed over 4 servers do not. */
	assert_true(r[0].skew.peak_to_mean < 1.001);
	assert_true(r[1].skew.peak_to_mean > 1.01);
	for (uint32_t d = 0; d < 2; d++)
		run_result_free(&r[d]);
}

/* A request connection sends, waits for the response (its demand, no
 * queueing here), thinks (exponential, mean T), sends again: a renewal
 * process of mean cycle T + demand. A poll connection sends a poll held
 * min(H, Exp(C)) (H the heartbeat, C the mean time between changes),
 * then, when a change ended it (probability P = 1 - exp(-H/C)), a sync;
 * each at once: 1 + P requests per E[min(H, Exp(C))] + (1 + P) demand,
 * with E[min] = C P. Counts are large (tens of thousands and up): we
 * allow 3 %, several standard deviations of the Poisson-like count. */
static void test_request_rates_per_kind(void **state)
{
	(void)state;
	struct fixture f;
	const uint64_t users = 3000;
	fixture_init(&f, 4, 1000, 0, users, 0, 3600, 600, 1);
	const enum workload kinds[] = {WL_OWA, WL_EAS, WL_MAPI, WL_EWS};
	fixture_devices(&f, BIT(WL_OWA) | BIT(WL_EAS) | BIT(WL_MAPI) | BIT(WL_EWS));
	struct run_result r;
	run_ok(&f, 0, &r);
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		const struct client_cfg *c = &f.pop.client[kinds[i]];
		double d = (double)f.scn.servers.workloads[kinds[i]].demand / 1e9;
		double want = (double)users * (c->connections - c->polls) / ((double)c->think / 1e9 + d);
		if (c->polls) {
			double h = (double)c->hold / 1e9, cc = (double)c->changes / 1e9;
			double p = cc > 0 ? 1 - exp(-h / cc) : 0, held = cc > 0 ? cc * p : h;
			want += (double)users * c->polls * (1 + p) / (held + (1 + p) * d);
		}
		double got = (double)r.workloads[kinds[i]].measured_sent / r.window_s;
		print_message("%s: %.2f requests/s, expected %.2f\n", workload_name(kinds[i]), got, want);
		assert_true(fabs(got / want - 1) < 0.03);
	}
	run_result_free(&r);
}

/* Faults fire at exactly their times; every request is accounted for
 * under a whole-server failure, a workload failure and a slow server. */
static void test_faults_timing_and_conservation(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, 4, 4, 0, 2000, 0, 600, 60, 3);
	fixture_devices(&f, BIT(WL_OWA) | BIT(WL_EAS) | BIT(WL_MAPI));
	fixture_design(&f, 0, SCN_DESIGN_L4, "leastconn");
	fixture_design(&f, 1, SCN_DESIGN_L4_MULTI, "roundrobin");
	fixture_design(&f, 2, SCN_DESIGN_L7, "roundrobin");
	struct scn_fault faults[] = {
		{.at = 100 * SIM_NS_PER_S, .duration = 50 * SIM_NS_PER_S, .server = 0,
		 .kind = SCN_FAULT_SERVER_DOWN},
		{.at = 200 * SIM_NS_PER_S, .duration = 100 * SIM_NS_PER_S, .server = 1,
		 .kind = SCN_FAULT_WORKLOAD_DOWN, .workload = WL_MAPI},
		{.at = 250 * SIM_NS_PER_S, .duration = SIM_TIME_NEVER, .server = 3,
		 .kind = SCN_FAULT_SLOW, .factor = 5},
	};
	f.scn.faults = faults;
	f.scn.nfaults = 3;
	for (uint32_t d = 0; d < 3; d++) {
		struct run_result r;
		run_ok(&f, d, &r); /* conservation per workload is checked there */
		assert_true(r.faults[0].began_s == 100.0 && r.faults[0].ended_s == 150.0);
		assert_true(r.faults[1].began_s == 200.0 && r.faults[1].ended_s == 300.0);
		assert_true(r.faults[2].began_s == 250.0 && isnan(r.faults[2].ended_s));
		/* Server 1 down: every design sees it (each checks every server). */
		assert_true(r.faults[0].detect_s > 0 && r.faults[0].detect_s <= 8.0);
		/* The event log: in time order, the fault's begin and end at
		 * their times, a marked_down of server 1 at the detection time. */
		int begin = 0, end = 0, down = 0;
		for (uint32_t i = 0; i < r.nhappenings; i++) {
			const struct run_event *e = &r.happenings[i];
			if (i)
				assert_true(e->t_s >= r.happenings[i - 1].t_s);
			begin += e->kind == RUN_EVENT_FAULT_BEGIN && e->fault == 0 && e->t_s == 100.0;
			end += e->kind == RUN_EVENT_FAULT_END && e->fault == 0 && e->t_s == 150.0;
			down += e->kind == RUN_EVENT_CHECK_DOWN && e->server == 0 &&
				fabs(e->t_s - 100.0 - r.faults[0].detect_s) < 1e-9;
		}
		assert_int_equal(begin, 1);
		assert_int_equal(end, 1);
		assert_true(down >= 1);
		assert_true(r.failed > 0);
		run_result_free(&r);
	}
}

/* The server answers a probe from its state, as a real one would: the
 * Managed Availability page of a failed workload answers 503 while the
 * other workloads' pages answer 200; the anonymous pages do not see a
 * failed logon or mailbox store, a logged-on transaction does (401, 503);
 * a dead server refuses the connection. Each answer costs the server the
 * probe's work, times its slow factor. */
static void test_probe_answers(void **state)
{
	(void)state;
	struct sim_engine eng;
	struct sim_server srv;
	static struct histogram latency;
	assert_int_equal(sim_engine_init(&eng, 0), 0);
	assert_int_equal(server_init(&srv, 0, 1, &latency, NULL, NULL, NULL), 0);
	struct lb_hc_reply r = server_probe(&srv, -1, LB_HC_PROBE_CONNECT, 1);
	assert_true(r.connected && r.status == 0 && r.elapsed_ns == SERVER_PROBE_UNIT_NS);
	r = server_probe(&srv, WL_EAS, LB_HC_PROBE_TRANSACTION, 20);
	assert_true(r.connected && r.status == 200 && r.authenticated && r.end_to_end_ok);
	assert_true(srv.busy_core_ns == 21.0 * SERVER_PROBE_UNIT_NS);

	server_set_workload_down(&eng, &srv, WL_EAS, 1);
	assert_int_equal(server_probe(&srv, WL_EAS, LB_HC_PROBE_PAGE, 2).status, 503);
	assert_int_equal(server_probe(&srv, WL_OWA, LB_HC_PROBE_PAGE, 2).status, 200);
	r = server_probe(&srv, WL_EAS, LB_HC_PROBE_TRANSACTION, 20);
	assert_true(r.authenticated && !r.end_to_end_ok && r.status == 503);
	server_set_workload_down(&eng, &srv, WL_EAS, 0);

	server_set_auth_down(&srv, 1);
	assert_int_equal(server_probe(&srv, WL_EAS, LB_HC_PROBE_PAGE, 2).status, 200);
	r = server_probe(&srv, WL_EAS, LB_HC_PROBE_TRANSACTION, 20);
	assert_true(r.connected && !r.authenticated && !r.end_to_end_ok && r.status == 401);
	server_set_auth_down(&srv, 0);

	server_set_store_down(&eng, &srv, WL_EAS, 1);
	assert_int_equal(server_probe(&srv, WL_EAS, LB_HC_PROBE_PAGE, 2).status, 200);
	r = server_probe(&srv, WL_EAS, LB_HC_PROBE_TRANSACTION, 20);
	assert_true(r.authenticated && !r.end_to_end_ok && r.status == 503);
	assert_true(server_probe(&srv, WL_OWA, LB_HC_PROBE_TRANSACTION, 20).end_to_end_ok);
	/* A transaction of no particular workload needs every store. */
	assert_false(server_probe(&srv, -1, LB_HC_PROBE_TRANSACTION, 20).end_to_end_ok);
	server_set_store_down(&eng, &srv, WL_EAS, 0);

	double before = srv.busy_core_ns;
	server_set_slow(&srv, 4);
	r = server_probe(&srv, WL_OWA, LB_HC_PROBE_PAGE, 2);
	assert_true(r.status == 200 && r.elapsed_ns == 8 * SERVER_PROBE_UNIT_NS);
	assert_true(srv.busy_core_ns - before == 8.0 * SERVER_PROBE_UNIT_NS);
	server_set_slow(&srv, 1);

	server_set_down(&eng, &srv, 1);
	before = srv.busy_core_ns;
	for (int k = LB_HC_PROBE_CONNECT; k <= LB_HC_PROBE_TRANSACTION; k++)
		assert_false(server_probe(&srv, WL_OWA, (enum lb_hc_probe)k, 20).connected);
	assert_true(srv.busy_core_ns == before); /* a dead server spends nothing */
	server_free(&srv);
	sim_engine_free(&eng);
}

/* The faults only a deep check sees. Logons fail on server 3 (index 2)
 * from 300 s to 900 s, then its ActiveSync mailbox store fails from 1000 s
 * to 1300 s; the health pages answer 200 throughout. Two l7 designs (a
 * server chosen per request, so a server marked down gets no more) differ
 * in their check only: http never notices, and keeps sending
 * users to a server where every request fails; deep marks the server
 * down (the logon: every workload's check) or its ActiveSync (the store:
 * that workload's check), within fall probes: at most inter (the phase of
 * the first failed probe) + (fall - 1) x inter = 6 s after the fault. */
static void test_deep_sees_what_http_misses(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, 8, 8, 0, 2000, 0, 1300, 60, 2);
	fixture_devices(&f, BIT(WL_OWA) | BIT(WL_EAS));
	fixture_design(&f, 0, SCN_DESIGN_L7, "roundrobin");
	fixture_design(&f, 1, SCN_DESIGN_L7, "roundrobin");
	f.designs[0].check.kind = &lb_hc_http;
	f.designs[1].check.kind = &lb_hc_deep;
	struct scn_fault faults[] = {
		{.at = 300 * SIM_NS_PER_S, .duration = 600 * SIM_NS_PER_S, .server = 2,
		 .kind = SCN_FAULT_AUTH_DOWN},
		{.at = 1000 * SIM_NS_PER_S, .duration = 300 * SIM_NS_PER_S, .server = 2,
		 .kind = SCN_FAULT_STORE_DOWN, .workload = WL_EAS},
	};
	f.scn.faults = faults;
	f.scn.nfaults = 2;
	struct run_result r[2];
	for (uint32_t d = 0; d < 2; d++) {
		run_ok(&f, d, &r[d]);
		print_message("check %s: detect %.2f s, %.2f s; misrouted owa %llu eas %llu\n",
			      f.designs[d].check.kind->name, r[d].faults[0].detect_s,
			      r[d].faults[1].detect_s,
			      (unsigned long long)r[d].workloads[WL_OWA].measured_misrouted,
			      (unsigned long long)r[d].workloads[WL_EAS].measured_misrouted);
	}
	for (uint32_t k = 0; k < 2; k++) {
		assert_true(isnan(r[0].faults[k].detect_s));
		assert_true(r[1].faults[k].detect_s > 0 && r[1].faults[k].detect_s <= 6.0);
	}
	/* http misroutes OWA for the whole logon failure; deep for its
	 * seconds of detection only. */
	assert_true(r[0].workloads[WL_OWA].measured_misrouted >
		    20 * (r[1].workloads[WL_OWA].measured_misrouted + 1));
	for (uint32_t d = 0; d < 2; d++)
		run_result_free(&r[d]);
}

/* The checks start at a random phase per (seed, replication, design), so
 * the time from a fault to its detection varies between replications as
 * it does on a real balancer started at a moment unrelated to the fault.
 * A server dies at 20 s; its check (inter 2 s, fall 3, fastinter unset:
 * 2 s) is fully up by then, so the first failed probe comes U after the
 * fault, U uniform on (0, inter], and the fall-th failure (fall - 1)
 * intervals later:
 *   detect = U + (fall - 1) x inter,  E = inter / 2 + (fall - 1) x inter = 5 s,
 *   Var = inter^2 / 12 = 1/3 s^2.
 * Over 200 replications the mean is within 4 standard errors
 * (4 x sqrt(1/3 / 200) = 0.16 s) of 5 s, every value in (4, 6], and the
 * sample variance within 30 % of 1/3 (its relative standard error for a
 * uniform, kurtosis 9/5, is sqrt((9/5 - 1) / 200) = 0.063: 30 % is more
 * than 4 of them). A second design of the same scenario draws its own
 * phase: the two designs' times differ. */
static void test_check_phase_per_replication(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, 2, 2, SIM_NS_PER_S / 1000, 10, 0.1, 30, 0, 2);
	fixture_design(&f, 0, SCN_DESIGN_L4, "roundrobin");
	fixture_design(&f, 1, SCN_DESIGN_L4, "roundrobin");
	struct scn_fault fault = {.at = 20 * SIM_NS_PER_S, .duration = SIM_TIME_NEVER,
				  .server = 1, .kind = SCN_FAULT_SERVER_DOWN};
	f.scn.faults = &fault;
	f.scn.nfaults = 1;
	enum { REPS = 200 };
	const double inter = 2.0, fall = 3.0;
	double sum = 0, sum2 = 0;
	int differ = 0;
	for (uint32_t rep = 0; rep < REPS; rep++) {
		double t[2];
		for (uint32_t d = 0; d < 2; d++) {
			struct run_result r;
			char err[256];
			assert_int_equal(run_design(&f.scn, d, rep, &r, err, sizeof err), 0);
			t[d] = r.faults[0].detect_s;
			run_result_free(&r);
		}
		assert_true(t[0] > (fall - 1) * inter && t[0] <= fall * inter);
		sum += t[0];
		sum2 += t[0] * t[0];
		differ += t[0] != t[1];
	}
	double mean = sum / REPS;
	double var = (sum2 - REPS * mean * mean) / (REPS - 1);
	double want_mean = inter / 2 + (fall - 1) * inter, want_var = inter * inter / 12;
	print_message("detect_s over %d replications: mean %.4f (exact %.4f), variance %.4f "
		      "(exact %.4f); designs differ in %d\n", REPS, mean, want_mean, var, want_var,
		      differ);
	assert_true(fabs(mean - want_mean) < 4 * sqrt(want_var / REPS));
	assert_true(fabs(var / want_var - 1) < 0.3);
	assert_true(differ > REPS * 9 / 10);
}

/* A probe costs the server its kind's work (lb_hc_ops.cost tcp probes of
 * SERVER_PROBE_UNIT_NS each): with no traffic at all, a server's busy time
 * is its probes' work alone, a whole number of probes, about one per
 * check and interval. */
static void test_probe_cost_on_server(void **state)
{
	(void)state;
	const struct lb_hc_ops *kinds[] = {&lb_hc_tcp, &lb_hc_http, &lb_hc_deep};
	for (int k = 0; k < 3; k++) {
		struct fixture f;
		/* One user asking once in about 30 years: no request comes. */
		fixture_init(&f, 2, 2, SIM_NS_PER_S / 1000, 1, 1e-9, 600, 60, 1);
		fixture_design(&f, 0, SCN_DESIGN_L4_MULTI, "roundrobin");
		f.designs[0].check.kind = kinds[k];
		struct run_result r;
		run_ok(&f, 0, &r);
		assert_int_equal(r.sent, 0);
		double per_probe = (double)kinds[k]->cost * SERVER_PROBE_UNIT_NS;
		/* l4-multi checks each workload in use on each server: here
		 * the one open traffic asks for (owa). */
		const double checks = 1;
		assert_int_equal(r.health_checks, checks * r.nservers);
		double expect = checks * r.window_s / 2.0; /* inter 2 s */
		for (uint32_t s = 0; s < r.nservers; s++) {
			double busy_ns = r.servers[s].busy_fraction * r.window_s * 1e9 * 2;
			double probes = busy_ns / per_probe;
			assert_true(fabs(probes - round(probes)) < 1e-6 * probes);
			assert_true(fabs(probes - expect) <= checks);
		}
		run_result_free(&r);
	}
}

/* Balancer cost. The counts are checked against the traffic the run
 * reports (requests sent and answered per workload and their configured
 * sizes, connections per server), and CPU is their price at the design's
 * figures: so the l7 (TLS re-encrypted) to l4 CPU ratio is the one the
 * per-operation costs imply, and l7 needs more CPU and memory for the same
 * traffic. Without warm-up the measurement is the whole run, so every
 * request sent counts its request and every one answered its response
 * (a response is charged when it passes back; requests still in flight at
 * the end have none). */
static void test_balancer_cost(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, 4, 8, 0, 2000, 0, 600, 0, 3);
	fixture_devices(&f, BIT(WL_OWA) | BIT(WL_MAPI) | BIT(WL_EAS));
	fixture_design(&f, 0, SCN_DESIGN_L4, "roundrobin");
	fixture_design(&f, 1, SCN_DESIGN_L7, "roundrobin");
	fixture_design(&f, 2, SCN_DESIGN_L4, "roundrobin");
	f.designs[1].tls_reencrypt = 1;
	/* design 0 a kernel forwarder (NAT) priced by the ipvs profile,
	 * design 2 a user-space proxy priced by haproxy's (the default) */
	struct cost_profile ipvs;
	assert_int_equal(cost_profile_builtin("ipvs", &ipvs), 0);
	f.designs[0].impl = COST_IMPL_KERNEL_NAT;
	f.designs[0].costs = ipvs.p;
	struct run_result r[3];
	for (uint32_t d = 0; d < 3; d++)
		run_ok(&f, d, &r[d]);
	const struct cost_params *p = &f.designs[0].costs;
	uint64_t packets = 0, bytes = 0, requests = 0, flows = 0, bytes2 = 0, conns2 = 0, msgs2 = 0;
	uint64_t records = 0;
	for (int k = 0; k < WL_COUNT; k++) {
		const struct client_cfg *c = &f.pop.client[k];
		const struct workload_result *w0 = &r[0].workloads[k], *w1 = &r[1].workloads[k],
					     *w2 = &r[2].workloads[k];
		assert_int_equal(w0->failed + w1->failed + w2->failed, 0); /* no fault */
		packets += w0->sent * cost_packets(p, c->request_bytes) +
			   w0->ok * cost_packets(p, c->response_bytes);
		bytes += w1->sent * (uint64_t)c->request_bytes + w1->ok * (uint64_t)c->response_bytes;
		records += w1->sent * cost_tls_records(c->request_bytes) +
			   w1->ok * cost_tls_records(c->response_bytes);
		bytes2 += w2->sent * (uint64_t)c->request_bytes + w2->ok * (uint64_t)c->response_bytes;
		msgs2 += w2->sent + w2->ok;
		requests += w1->sent;
	}
	for (uint32_t s = 0; s < r[0].nservers; s++)
		flows += r[0].servers[s].connections;
	for (uint32_t s = 0; s < r[2].nservers; s++)
		conns2 += r[2].servers[s].connections;
	/* Every client speaks TLS 1.2 here (the fixture's tls13 share is 0):
	 * a layer-4 design sees each connection's handshake pass, 4 flights
	 * when full (1 + 3 + 1 + 1 packets of 1460 B: the server's flight
	 * holds the certificate chain), 3 resumed (1 packet each;
	 * lbsim/tls_flights.h gives their bytes). */
	struct tls_flight fl[TLS_MAX_FLIGHTS];
	uint64_t full_bytes = 0, resumed_bytes = 0;
	assert_int_equal(tls_handshake_flights(0, 0, COST_CERT_RSA_2048, fl), 4);
	for (int i = 0; i < 4; i++)
		full_bytes += fl[i].bytes;
	assert_int_equal(tls_handshake_flights(0, 1, COST_CERT_RSA_2048, fl), 3);
	for (int i = 0; i < 3; i++)
		resumed_bytes += fl[i].bytes;
	assert_int_equal(r[0].tls_full + r[0].tls_resumed, flows);
	assert_true(r[0].tls_full > 0 && r[0].tls_resumed > 0);
	/* l4 kernel NAT: a flow per connection (7 packets of set-up and
	 * tear-down, and its handshake's), and every packet of every request
	 * and response. */
	assert_int_equal(r[0].ops.flows, flows);
	assert_int_equal(r[0].ops.packets,
			 packets + 7 * flows + 6 * r[0].tls_full + 3 * r[0].tls_resumed);
	assert_int_equal(r[0].ops.http_requests + r[0].ops.accepts + r[0].ops.relay_bytes, 0);
	/* l4 proxy: an accept and a connect per connection, every byte
	 * relayed, the handshake's flights too, no packet priced, no TLS
	 * work (it passes through) */
	assert_int_equal(r[2].ops.accepts, conns2);
	assert_int_equal(r[2].ops.connects, conns2);
	assert_int_equal(r[2].tls_full + r[2].tls_resumed, conns2);
	assert_int_equal(r[2].ops.relay_bytes,
			 bytes2 + full_bytes * r[2].tls_full + resumed_bytes * r[2].tls_resumed);
	assert_int_equal(r[2].ops.relay_messages, msgs2 + 4 * r[2].tls_full + 3 * r[2].tls_resumed);
	assert_int_equal(r[2].ops.packets + r[2].ops.tls_full[COST_CERT_RSA_2048] +
				 r[2].ops.crypto_bytes[COST_CIPHER_AES_256_GCM],
			 0);
	/* l7: every request parsed, every byte relayed once and crypted twice
	 * (re-encrypted), one handshake per accepted connection, and as many
	 * client handshakes to the servers as connections opened to them. */
	const struct cost_counts *o = &r[1].ops;
	assert_int_equal(o->http_requests, requests);
	assert_int_equal(o->relay_bytes, bytes);
	assert_int_equal(o->crypto_bytes[COST_CIPHER_AES_256_GCM], 2 * bytes);
	assert_int_equal(o->tls_records, 2 * records);
	assert_int_equal(o->accepts, o->tls_full[COST_CERT_RSA_2048] + o->tls_resume_12 +
					     o->tls_resume_13);
	assert_int_equal(o->connects, o->tls_backend_full + o->tls_backend_resume);
	assert_true(o->connects >= 1 && o->connects <= o->http_requests);
	/* one full handshake per (pool, server) at most: a session each */
	assert_true(o->tls_backend_full <= WL_COUNT * 4);
	assert_int_equal(o->packets, 0);
	double cpu0 = cost_cpu_ns(p, &r[0].ops), cpu1 = cost_cpu_ns(&f.designs[1].costs, &r[1].ops);
	assert_true(fabs(r[0].lb_cpu_ns - cpu0) <= 1e-6 * cpu0);
	assert_true(fabs(r[1].lb_cpu_ns - cpu1) <= 1e-6 * cpu1);
	print_message("lb cpu: l4 kernel %.4f cores, l4 proxy %.4f, l7+reencrypt %.4f cores "
		      "(ratio to the proxy %.1f); memory %.0f, %.0f, %.0f bytes\n",
		      r[0].lb_cpu_cores_mean, r[2].lb_cpu_cores_mean, r[1].lb_cpu_cores_mean,
		      r[1].lb_cpu_cores_mean / r[2].lb_cpu_cores_mean, r[0].lb_mem_bytes_peak,
		      r[2].lb_mem_bytes_peak, r[1].lb_mem_bytes_peak);
	assert_true(fabs(r[1].lb_cpu_cores_mean / r[0].lb_cpu_cores_mean - cpu1 / cpu0) < 1e-9 * cpu1 / cpu0);
	assert_true(cpu1 > cpu0);
	assert_true(r[1].lb_cpu_cores_mean > r[2].lb_cpu_cores_mean);
	assert_true(r[1].lb_mem_bytes_peak > r[2].lb_mem_bytes_peak);
	assert_true(r[2].lb_mem_bytes_peak > r[0].lb_mem_bytes_peak);
	assert_true(r[0].lb_cpu_cores_peak >= r[0].lb_cpu_cores_mean);
	for (uint32_t d = 0; d < 3; d++)
		run_result_free(&r[d]);
}

/* Memory as the proxies hold it, over a run of 2,000 users 40 ms away:
 * every part's mean over the windows is at most its peak, and the total's
 * too; a layer-4 proxy holds no streams (its stream is its connection),
 * layer 7 does (long polls held at the servers); bytes move, so buffers
 * are held, but for a small share of the time (their mean below one
 * moving connection's buffers per hundred users); the same seed gives the
 * same bytes. */
static void test_balancer_memory_invariants(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, 4, 8, 0, 2000, 0, 300, 60, 3);
	fixture_devices(&f, BIT(WL_OWA) | BIT(WL_MAPI) | BIT(WL_EAS));
	f.pop.net = (struct network_cfg){.rtt = 40 * 1000 * 1000, .jitter = 0};
	fixture_design(&f, 0, SCN_DESIGN_L4, "roundrobin");
	fixture_design(&f, 1, SCN_DESIGN_L7, "roundrobin");
	fixture_design(&f, 2, SCN_DESIGN_L7, "roundrobin");
	f.designs[2].tls_reencrypt = 1;
	for (uint32_t d = 0; d < 3; d++) {
		struct run_result r, again;
		run_ok(&f, d, &r);
		run_ok(&f, d, &again);
		const struct cost_mem *mean = &r.lb_mem_mean, *peak = &r.lb_mem_peak;
		const double means[] = {mean->conn_base, mean->buffers, mean->streams,
					mean->backend, mean->caches, mean->tables};
		const double peaks[] = {peak->conn_base, peak->buffers, peak->streams,
					peak->backend, peak->caches, peak->tables};
		for (size_t i = 0; i < sizeof means / sizeof means[0]; i++)
			assert_true(means[i] <= peaks[i] * (1 + 1e-12));
		assert_true(cost_mem_total(mean) <= r.lb_mem_bytes_peak * (1 + 1e-12));
		const struct cost_params *p = &f.designs[d].costs;
		assert_true(mean->buffers > 0);
		assert_true(mean->buffers < 2000 / 100.0 * 2 * (p->buffer_bytes + p->socket_buffer_bytes +
								   p->tls_buffer_bytes));
		if (d == 0)
			assert_true(peak->streams == 0 && peak->backend == 0);
		else
			assert_true(mean->streams > 0 && fmod(peak->streams, p->stream_bytes) == 0);
		assert_memory_equal(&r.lb_mem_mean, &again.lb_mem_mean, sizeof r.lb_mem_mean);
		assert_memory_equal(&r.lb_mem_peak, &again.lb_mem_peak, sizeof r.lb_mem_peak);
		run_result_free(&r);
		run_result_free(&again);
	}
}

/* A daily profile: 20 % of the users logged on until 20 min, then all of
 * them from 30 min on. Each user is on while the profile exceeds its own
 * uniform level, so the requests per 10 s window follow the profile: the
 * rate from 35 to 50 min is five times the rate from 5 to 20 min. The
 * number of users below 0.2 is Binomial(4000, 0.2): relative sd
 * sqrt(0.8 / 800) = 3.2 %; the request counts (~75,000 at 20 %) add about
 * 0.5 %: a 10 % band is three standard deviations of the ratio. */
static void test_profile_follows_users(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, 4, 8, 0, 4000, 0, 3000, 0, 1);
	fixture_devices(&f, BIT(WL_OWA));
	f.pop.profile[0] = (struct scn_profile_point){0, 0.2};
	f.pop.profile[1] = (struct scn_profile_point){1200 * SIM_NS_PER_S, 0.2};
	f.pop.profile[2] = (struct scn_profile_point){1800 * SIM_NS_PER_S, 1.0};
	f.pop.nprofile = 3;
	struct run_result r;
	run_ok(&f, 0, &r);
	double low = 0, high = 0;
	for (uint32_t i = 0; i < r.nsamples; i++) {
		double t = r.samples[i].t_s, sum = 0;
		for (uint32_t s = 0; s < r.nservers; s++)
			sum += r.window_requests[(size_t)i * r.nservers + s];
		if (t > 300 && t <= 1200)
			low += sum;
		else if (t > 2100 && t <= 3000)
			high += sum;
	}
	print_message("requests 5-20 min %.0f, 35-50 min %.0f: ratio %.3f\n", low, high, high / low);
	assert_true(fabs(high / low / 5.0 - 1) < 0.10);
	/* Idle users hold no connections: sessions at the end are all users'. */
	double held = 0;
	for (uint32_t i = 0; i < r.nservers; i++)
		held += r.servers[i].sessions;
	assert_true(held < 0.8 * 4000 * 2); /* averaged over the day, below everyone's */
	run_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_answers),
		cmocka_unit_test(test_deep_sees_what_http_misses),
		cmocka_unit_test(test_probe_cost_on_server),
		cmocka_unit_test(test_check_phase_per_replication),
		cmocka_unit_test(test_nat_collapse),
		cmocka_unit_test(test_profile_devices_l7),
		cmocka_unit_test(test_partial_failure),
		cmocka_unit_test(test_common_random_numbers_across_designs),
		cmocka_unit_test(test_open_traffic_users_drawn_only_when_read),
		cmocka_unit_test(test_request_rates_per_kind),
		cmocka_unit_test(test_faults_timing_and_conservation),
		cmocka_unit_test(test_balancer_cost),
		cmocka_unit_test(test_balancer_memory_invariants),
		cmocka_unit_test(test_profile_follows_users),
		cmocka_unit_test(test_l7_ssl_session_sees_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
