/* The scenario loader: converted values of the good files, the duration
 * parser, and errors of inline buffers that the file catalogue
 * (tests/scenarios/bad, run by cli_scenario_errors.sh) cannot hold or does
 * not reach: buffers without a NUL at the end, oversized and hostile
 * inputs, the choice between several mistakes, the printed format.
 *
 * Expected values are written out by hand from the schema (1.5h is
 * 5400 s, 12.5ms is 12500000 ns), not computed by the code under test.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lbsim/cost.h"
#include "lbsim/lb_hash.h"
#include "lbsim/lb_health.h"
#include "lbsim/lb_pers.h"
#include "lbsim/lb_sel.h"
#include "lbsim/cost_profile.h"
#include "lbsim/scenario.h"
#include "lbsim/summary.h"
#include "lbsim/workload.h"

#define GOOD_DIR LBSIM_SOURCE_DIR "/tests/scenarios/good"
#define NS_PER_S SIM_NS_PER_S

static struct scenario *load_good(const char *file)
{
	char path[1024];
	struct scenario *scn = NULL;
	struct scn_error err;
	snprintf(path, sizeof path, "%s/%s", GOOD_DIR, file);
	if (scn_load(path, &scn, &err) != 0) {
		scn_error_print(stderr, &err);
		fail_msg("%s did not load", path);
	}
	assert_non_null(scn);
	return scn;
}

static void test_minimal_defaults(void **state)
{
	(void)state;
	struct scenario *scn = load_good("minimal.yaml");
	assert_string_equal(scn->name, "minimal");
	assert_int_equal(scn->duration, 90 * NS_PER_S);
	assert_int_equal(scn->warmup, 0);
	assert_int_equal(scn->seed, 1);
	assert_int_equal(scn->replications, 1);
	assert_int_equal(scn->servers.count, 1);
	assert_int_equal(scn->servers.cores, 1);
	assert_int_equal(scn->servers.service_mean, 250000);
	assert_int_equal(scn->npopulations, 1);
	assert_string_equal(scn->populations[0].name, "everyone");
	assert_int_equal(scn->populations[0].users, 1);
	assert_int_equal(scn->populations[0].source, SCN_SOURCE_UNIQUE);
	assert_true(scn->populations[0].request_rate == 2.5);
	assert_int_equal(scn->ndesigns, 1);
	assert_string_equal(scn->designs[0].name, "only");
	assert_int_equal(scn->designs[0].kind, SCN_DESIGN_L4);
	assert_ptr_equal(scn->designs[0].balance, &lb_sel_roundrobin);

	assert_string_equal(scn->path, GOOD_DIR "/minimal.yaml");

	/* What the file leaves out takes the documented defaults: zero
	 * (no persistence, no faults, no affinity, no balancer core limit),
	 * an http check with every parameter at the core's default, open
	 * traffic asking for owa, and the tables of models/. */
	struct cost_profile haproxy;
	assert_int_equal(cost_profile_builtin("haproxy", &haproxy), 0);
	const struct scn_design *d = &scn->designs[0];
	assert_memory_equal(&d->costs, &haproxy.p, sizeof haproxy.p);
	assert_int_equal(d->impl, COST_IMPL_PROXY);
	assert_string_equal(d->cost_source.name, "haproxy");
	assert_int_equal(d->costs_overridden, 0);
	assert_null(d->persist);
	assert_ptr_equal(d->check.kind, &lb_hc_http);
	struct lb_hc_params zero_hc;
	memset(&zero_hc, 0, sizeof zero_hc);
	assert_memory_equal(&d->check.params, &zero_hc, sizeof zero_hc);
	struct lb_sel_params zero_sel;
	memset(&zero_sel, 0, sizeof zero_sel);
	assert_memory_equal(&d->sel_params, &zero_sel, sizeof zero_sel);
	assert_int_equal(d->tls_reencrypt, 0);
	assert_int_equal(d->lb_cores, 0);
	assert_int_equal(d->lb_queue, 0);
	const struct scn_population *p = &scn->populations[0];
	assert_int_equal(p->clients, 0);
	assert_int_equal(p->open_workload, WL_OWA);
	assert_int_equal(p->addresses, 0);
	assert_int_equal(p->port_budget, 0);
	assert_int_equal(p->churn, 0);
	assert_true(p->tls13 == 0);
	assert_int_equal(p->logon, 0);
	assert_int_equal(scn->servers.affinity_required, 0);
	assert_int_equal(scn->servers.affinity_penalty, 0);
	assert_int_equal(scn->nfaults, 0);
	assert_int_equal(scn->nexpects, 0);
	for (int w = 0; w < WL_COUNT; w++) {
		assert_memory_equal(&scn->clients[w], workload_default_client((enum workload)w),
				    sizeof scn->clients[w]);
		assert_memory_equal(&scn->servers.workloads[w],
				    workload_default_server((enum workload)w),
				    sizeof scn->servers.workloads[w]);
	}
	scn_free(scn);
}

static void test_full_every_key(void **state)
{
	(void)state;
	struct scenario *scn = load_good("full.yaml");
	assert_string_equal(scn->name, "Full: every key, three populations");
	assert_int_equal(scn->duration, 5400 * NS_PER_S);
	assert_int_equal(scn->warmup, 90 * NS_PER_S);
	assert_true(scn->seed == UINT64_MAX);
	assert_int_equal(scn->replications, SCN_MAX_REPLICATIONS);
	assert_int_equal(scn->servers.count, SCN_MAX_SERVERS);
	assert_int_equal(scn->servers.cores, SCN_MAX_CORES);
	assert_int_equal(scn->servers.service_mean, 12500000);

	assert_int_equal(scn->npopulations, 3);
	assert_string_equal(scn->populations[0].name, "lan");
	assert_int_equal(scn->populations[0].users, SCN_MAX_USERS);
	assert_int_equal(scn->populations[0].source, SCN_SOURCE_UNIQUE);
	assert_true(scn->populations[0].request_rate == 1000.0);
	assert_string_equal(scn->populations[1].name, "wan");
	assert_int_equal(scn->populations[1].users, 1000);
	/* strtod returns the double nearest to the decimal text, and so does
	 * the compiler for the literal: the two are the same double. */
	assert_true(scn->populations[1].request_rate == 0.001);
	assert_string_equal(scn->populations[2].name, "mobile users");
	assert_int_equal(scn->populations[2].users, 7);
	assert_true(scn->populations[2].request_rate == 1.25e-2);

	assert_int_equal(scn->ndesigns, 4);
	assert_string_equal(scn->designs[0].name, "l4");
	assert_int_equal(scn->designs[0].kind, SCN_DESIGN_L4);
	assert_ptr_equal(scn->designs[0].balance, &lb_sel_leastconn);
	assert_string_equal(scn->designs[1].name, "l4-multi");
	assert_int_equal(scn->designs[1].kind, SCN_DESIGN_L4_MULTI);
	assert_ptr_equal(scn->designs[1].balance, &lb_sel_source);
	assert_string_equal(scn->designs[2].name, "l7");
	assert_int_equal(scn->designs[2].kind, SCN_DESIGN_L7);
	assert_ptr_equal(scn->designs[2].balance, &lb_sel_uri);
	assert_string_equal(scn->designs[3].name, "by header");
	assert_int_equal(scn->designs[3].kind, SCN_DESIGN_L7);
	assert_ptr_equal(scn->designs[3].balance, &lb_sel_hdr);
	assert_string_equal(scn->designs[3].sel_params.hdr_name, "X-Forwarded-For");
	scn_free(scn);
}

/* Within a relative tolerance of 1e-15: a cost written with a fraction
 * ("70.1us") is the double nearest 70.1 times 1000, two roundings of at
 * most 2^-53 each, so it may miss the double nearest 70100 by an ulp. */
static void assert_close(double got, double want)
{
	if (fabs(got - want) > 1e-15 * fabs(want))
		fail_msg("got %.17g, want %.17g", got, want);
}

/* Field by field: struct client_cfg has padding. */
static void assert_client_equal(const struct client_cfg *got, const struct client_cfg *want)
{
	assert_int_equal(got->connections, want->connections);
	assert_int_equal(got->polls, want->polls);
	assert_int_equal(got->think, want->think);
	assert_int_equal(got->hold, want->hold);
	assert_int_equal(got->changes, want->changes);
	assert_int_equal(got->lifetime, want->lifetime);
	assert_int_equal(got->tls_session, want->tls_session);
	assert_int_equal(got->backoff, want->backoff);
	assert_int_equal(got->backoff_max, want->backoff_max);
	assert_int_equal(got->on_error, want->on_error);
	assert_int_equal(got->reconnect_after, want->reconnect_after);
	assert_true(got->share == want->share);
	assert_int_equal(got->request_bytes, want->request_bytes);
	assert_int_equal(got->response_bytes, want->response_bytes);
}

#define MS(x) ((sim_time_t)(x) * 1000000ull)
#define S(x) ((sim_time_t)(x) * NS_PER_S)

/* devices.yaml: every key of devices, NAT, designs, faults and
 * expectations, each value converted exactly, and the defaults of what
 * the file leaves out. */
static void test_devices_every_key(void **state)
{
	(void)state;
	struct scenario *scn = load_good("devices.yaml");
	assert_string_equal(scn->path, GOOD_DIR "/devices.yaml");
	assert_int_equal(scn->duration, S(7200));
	assert_int_equal(scn->warmup, S(600));

	/* servers */
	const struct scn_servers *sv = &scn->servers;
	assert_int_equal(sv->count, 8);
	assert_int_equal(sv->cores, 4);
	assert_int_equal(sv->service_mean, MS(15));
	assert_int_equal(sv->affinity_required, 1);
	assert_int_equal(sv->affinity_penalty, MS(45));
	static const struct {
		sim_time_t demand; /* 0: the default */
		double cv;         /* < 0: the default */
	} wl[WL_COUNT] = {
		[WL_OWA] = { MS(9), 0.5 },      [WL_ECP] = { MS(10), -1 },
		[WL_EAS] = { 0, 0 },            [WL_EWS] = { MS(5), 2 },
		[WL_OA] = { 3500000, -1 },      [WL_MAPI] = { 2500000, 1.5 },
		[WL_AUTODISCOVER] = { MS(1), 10 }, [WL_OAB] = { MS(50), 0.25 },
	};
	for (int w = 0; w < WL_COUNT; w++) {
		const struct server_workload_cfg *dflt = workload_default_server((enum workload)w);
		assert_int_equal(sv->workloads[w].demand, wl[w].demand ? wl[w].demand : dflt->demand);
		assert_true(sv->workloads[w].demand_cv == (wl[w].cv >= 0 ? wl[w].cv : dflt->demand_cv));
	}

	/* populations */
	assert_int_equal(scn->npopulations, 4);
	const struct scn_population *lan = &scn->populations[0], *branch = &scn->populations[1],
				    *mobile = &scn->populations[2], *kiosk = &scn->populations[3];
	assert_string_equal(lan->name, "lan");
	assert_int_equal(lan->users, 6000);
	assert_int_equal(lan->source, SCN_SOURCE_UNIQUE);
	assert_int_equal(lan->addresses, 0);
	assert_int_equal(lan->clients, (1u << WL_MAPI) | (1u << WL_OWA) | (1u << WL_EAS));
	assert_true(lan->request_rate == 0);
	assert_true(lan->tls13 == 0.2);
	assert_int_equal(lan->logon, S(1800));
	assert_int_equal(branch->source, SCN_SOURCE_NAT);
	assert_int_equal(branch->addresses, 3);
	assert_int_equal(branch->port_budget, 1000);
	assert_int_equal(branch->churn, 0);
	assert_int_equal(branch->clients, (1u << WL_OA) | (1u << WL_EWS));
	assert_true(branch->tls13 == 0);
	assert_int_equal(branch->logon, 0);
	assert_int_equal(mobile->source, SCN_SOURCE_CGNAT);
	assert_int_equal(mobile->addresses, 200);
	assert_int_equal(mobile->churn, S(600));
	assert_int_equal(mobile->port_budget, 64512);
	assert_int_equal(mobile->clients, (1u << WL_EAS) | (1u << WL_AUTODISCOVER) |
					  (1u << WL_OAB) | (1u << WL_ECP));
	assert_true(mobile->tls13 == 1);
	assert_int_equal(kiosk->source, SCN_SOURCE_CGNAT);
	assert_int_equal(kiosk->addresses, 2);
	assert_int_equal(kiosk->churn, S(1800)); /* the default: 30 min */
	assert_int_equal(kiosk->port_budget, 0);  /* the default: 64512 */
	assert_int_equal(kiosk->clients, 0);
	assert_true(kiosk->request_rate == 0.5);
	assert_int_equal(kiosk->open_workload, WL_EWS);

	/* clients: each workload's defaults with the file's overrides */
	struct client_cfg want[WL_COUNT];
	for (int w = 0; w < WL_COUNT; w++)
		want[w] = *workload_default_client((enum workload)w);
	want[WL_OWA].connections = 3;
	want[WL_OWA].think = S(15);
	want[WL_OWA].on_error = CLIENT_RECONNECT;
	want[WL_OWA].share = 0.5;
	want[WL_ECP].connections = 64;
	want[WL_ECP].think = S(300);
	want[WL_ECP].reconnect_after = 3;
	want[WL_EAS] = (struct client_cfg){ .connections = 2, .polls = 1, .think = S(2),
					    .hold = S(480), .changes = S(180), .lifetime = S(540),
					    .tls_session = S(240), .backoff = S(12),
					    .backoff_max = S(120), .share = 1, .request_bytes = 900,
					    .response_bytes = 4500 };
	want[WL_EWS].request_bytes = 0;
	want[WL_OA].polls = 10;
	want[WL_OA].hold = S(1);
	want[WL_OA].changes = 0;
	want[WL_MAPI].lifetime = 0;
	want[WL_AUTODISCOVER].tls_session = 0;
	want[WL_OAB].response_bytes = 1000000000;
	for (int w = 0; w < WL_COUNT; w++)
		assert_client_equal(&scn->clients[w], &want[w]);
	/* Every population runs the scenario's clients:, but lan, which
	 * sets some keys of its own over them. */
	for (int w = 0; w < WL_COUNT; w++) {
		assert_client_equal(&branch->client[w], &want[w]);
		assert_client_equal(&mobile->client[w], &want[w]);
		assert_client_equal(&kiosk->client[w], &want[w]);
	}
	struct client_cfg lan_want[WL_COUNT];
	memcpy(lan_want, want, sizeof lan_want);
	lan_want[WL_EAS].hold = S(1200);
	lan_want[WL_EAS].share = 0.4;
	lan_want[WL_MAPI].on_error = CLIENT_RECONNECT;
	lan_want[WL_MAPI].connections = 4;
	for (int w = 0; w < WL_COUNT; w++)
		assert_client_equal(&lan->client[w], &lan_want[w]);

	/* designs */
	assert_int_equal(scn->ndesigns, 4);
	struct cost_profile haproxy, ipvs;
	assert_int_equal(cost_profile_builtin("haproxy", &haproxy), 0);
	assert_int_equal(cost_profile_builtin("ipvs", &ipvs), 0);
	const struct cost_params dflt_costs = haproxy.p;

	const struct scn_design *l4 = &scn->designs[0];
	assert_int_equal(l4->kind, SCN_DESIGN_L4);
	assert_ptr_equal(l4->balance, &lb_sel_source);
	assert_int_equal(l4->sel_params.hash_type, LB_HASH_MAGLEV);
	assert_int_equal(l4->sel_params.hash_function, LB_HASHFN_SDBM);
	assert_int_equal(l4->sel_params.hash_avalanche, 1);
	assert_int_equal(l4->sel_params.table_size, 65521);
	assert_true(l4->sel_params.balance_factor == 0);
	assert_int_equal(l4->sel_params.draws, 0);
	assert_ptr_equal(l4->persist, &lb_pers_source_ip);
	assert_int_equal(l4->pers_params.netmask, 24);
	assert_int_equal(l4->pers_params.size, 5000);
	assert_int_equal(l4->pers_params.expire_ns, S(1200));
	assert_int_equal(l4->pers_params.full, LB_PERS_FULL_REFUSE);
	assert_int_equal(l4->pers_params.buckets, 0);
	assert_ptr_equal(l4->check.kind, &lb_hc_http);
	assert_string_equal(l4->check.params.path, "/ecp/healthcheck.htm");
	assert_int_equal(l4->check.params.inter_ns, S(5));
	assert_int_equal(l4->check.params.fastinter_ns, S(1));
	assert_int_equal(l4->check.params.downinter_ns, S(10));
	assert_int_equal(l4->check.params.timeout_ns, S(2));
	assert_int_equal(l4->check.params.rise, 3);
	assert_int_equal(l4->check.params.fall, 4);
	assert_int_equal(l4->check.params.init, LB_HC_INIT_FULLY_UP);
	assert_int_equal(l4->tls_reencrypt, 0);
	assert_int_equal(l4->lb_cores, 4);
	assert_int_equal(l4->lb_queue, 10000); /* the default with lb-cores */
	/* implementation kernel-nat: the ipvs profile, then costs: */
	assert_int_equal(l4->impl, COST_IMPL_KERNEL_NAT);
	assert_string_equal(l4->cost_source.name, "ipvs");
	struct cost_params c4 = ipvs.p;
	c4.packet_ns = 250;
	c4.flow_setup_ns = 1500;
	c4.flow_bytes = 160;
	c4.flow_linger_s = 60;
	c4.flow_buckets = 65536;
	c4.mtu_payload = 1400;
	assert_memory_equal(&l4->costs, &c4, sizeof c4);

	const struct scn_design *multi = &scn->designs[1];
	assert_int_equal(multi->kind, SCN_DESIGN_L4_MULTI);
	assert_ptr_equal(multi->balance, &lb_sel_source);
	assert_int_equal(multi->sel_params.hash_type, LB_HASH_CONSISTENT);
	assert_int_equal(multi->sel_params.hash_function, LB_HASHFN_MURMUR);
	assert_int_equal(multi->sel_params.hash_avalanche, 0);
	assert_true(multi->sel_params.balance_factor == 1.25);
	assert_ptr_equal(multi->persist, &lb_pers_ssl_session_id);
	/* The table's defaults: 100,000 entries, 30 min, evict the LRU. */
	assert_int_equal(multi->pers_params.size, 100000);
	assert_int_equal(multi->pers_params.expire_ns, S(1800));
	assert_int_equal(multi->pers_params.full, LB_PERS_FULL_LRU);
	assert_int_equal(multi->pers_params.netmask, 0);
	assert_ptr_equal(multi->check.kind, &lb_hc_tcp);
	assert_int_equal(multi->check.params.inter_ns, S(3));
	assert_int_equal(multi->check.params.init, LB_HC_INIT_DOWN);
	assert_int_equal(multi->check.params.rise, 0);
	assert_string_equal(multi->check.params.path, "");
	assert_int_equal(multi->lb_cores, 0);
	assert_int_equal(multi->lb_queue, 0);
	assert_memory_equal(&multi->costs, &dflt_costs, sizeof dflt_costs);

	const struct scn_design *l7 = &scn->designs[2];
	assert_int_equal(l7->kind, SCN_DESIGN_L7);
	assert_ptr_equal(l7->balance, &lb_sel_random);
	assert_int_equal(l7->sel_params.draws, 2);
	assert_ptr_equal(l7->persist, &lb_pers_cookie);
	assert_int_equal(l7->pers_params.size, 100000000);
	assert_int_equal(l7->pers_params.expire_ns, S(3600));
	assert_ptr_equal(l7->check.kind, &lb_hc_deep);
	assert_int_equal(l7->check.params.rise, 1);
	assert_int_equal(l7->check.params.fall, 100);
	assert_int_equal(l7->check.params.init, LB_HC_INIT_FULLY_DOWN);
	assert_int_equal(l7->tls_reencrypt, 1);
	assert_int_equal(l7->lb_cores, 2);
	assert_int_equal(l7->lb_queue, 50);
	assert_int_equal(l7->reuse, COST_REUSE_NEVER);
	assert_int_equal(l7->cert, COST_CERT_RSA_2048);
	assert_int_equal(l7->cipher, COST_CIPHER_AES_256_GCM);
	assert_true(l7->costs.accept_ns == 12000);
	assert_true(l7->costs.tls_full_ns[COST_CERT_RSA_2048] == 769000);
	assert_close(l7->costs.tls_resume_13_ns, 70100);
	assert_true(l7->costs.http_request_ns == 6250);
	assert_true(l7->costs.persist_ns == 500);
	assert_true(l7->costs.probe_ns == 0);
	assert_true(l7->costs.crypto_byte_ns[COST_CIPHER_AES_256_GCM] == 1.74); /* below a ns: kept */
	assert_true(l7->costs.conn_bytes == 125000);
	assert_true(l7->costs.tls_state_bytes == 200000);
	assert_true(l7->costs.tls_cache_entry_bytes == 256.5);
	assert_true(l7->costs.backend_idle_timeout_s == 600);
	assert_int_equal(__builtin_popcountll(l7->costs_overridden), 11);
	/* and the keys not given keep the profile's */
	assert_true(l7->costs.connect_ns == dflt_costs.connect_ns);
	assert_true(l7->costs.tls_resume_12_ns == dflt_costs.tls_resume_12_ns);
	assert_true(l7->costs.mtu_payload == dflt_costs.mtu_payload);

	const struct scn_design *plain = &scn->designs[3];
	assert_string_equal(plain->name, "l7 plain");
	assert_ptr_equal(plain->balance, &lb_sel_hdr);
	assert_string_equal(plain->sel_params.hdr_name, "Host");
	assert_int_equal(plain->sel_params.hash_function, LB_HASHFN_MURMUR);
	assert_int_equal(plain->sel_params.hash_avalanche, 0);
	assert_int_equal(plain->tls_reencrypt, 0);
	assert_int_equal(plain->cert, COST_CERT_ECDSA_P256);
	assert_int_equal(plain->cipher, COST_CIPHER_CHACHA20_POLY1305);
	assert_int_equal(plain->reuse, COST_REUSE_SAFE);
	assert_null(plain->persist);
	assert_ptr_equal(plain->check.kind, &lb_hc_http);

	/* faults: servers count from 1 in the file */
	assert_int_equal(scn->nfaults, 7);
	const struct scn_fault *f = scn->faults;
	assert_int_equal(f[0].at, S(1800));
	assert_int_equal(f[0].server, 2);
	assert_int_equal(f[0].kind, SCN_FAULT_WORKLOAD_DOWN);
	assert_int_equal(f[0].workload, WL_EAS);
	assert_int_equal(f[0].duration, S(900));
	assert_int_equal(f[1].at, S(2400));
	assert_int_equal(f[1].server, 1);
	assert_int_equal(f[1].kind, SCN_FAULT_SERVER_DOWN);
	assert_int_equal(f[1].duration, S(300));
	assert_int_equal(f[2].at, S(3000));
	assert_int_equal(f[2].server, 7);
	assert_int_equal(f[2].kind, SCN_FAULT_SLOW);
	assert_true(f[2].factor == 4);
	assert_true(f[2].duration == SIM_TIME_NEVER);
	assert_int_equal(f[3].at, 0);
	assert_int_equal(f[3].server, 0);
	assert_int_equal(f[3].kind, SCN_FAULT_WORKLOAD_DOWN);
	assert_int_equal(f[3].workload, WL_OWA);
	assert_int_equal(f[3].duration, 1500000000);
	assert_int_equal(f[4].kind, SCN_FAULT_AUTH_DOWN);
	assert_int_equal(f[4].server, 3);
	assert_int_equal(f[4].duration, S(60));
	assert_int_equal(scn_fault_workload(&f[4]), -1);
	assert_int_equal(f[5].kind, SCN_FAULT_STORE_DOWN);
	assert_true(f[5].all_workloads);
	assert_int_equal(scn_fault_workload(&f[5]), -1);
	assert_int_equal(f[6].kind, SCN_FAULT_STORE_DOWN);
	assert_false(f[6].all_workloads);
	assert_int_equal(scn_fault_workload(&f[6]), WL_MAPI);
	assert_int_equal(scn_fault_workload(&f[0]), WL_EAS);

	/* expectations, resolved against the catalogue, with their place */
	assert_int_equal(scn->nexpects, 5);
	const struct scn_expect *e = scn->expects;
	assert_int_equal(e[0].design, 1);
	assert_string_equal(e[0].metric, "peak_to_mean");
	assert_int_equal(e[0].scope, SUMMARY_ALL);
	assert_string_equal(e[0].scope_name, "all");
	assert_false(e[0].has_min);
	assert_true(e[0].has_max && e[0].max == 1.15);
	assert_int_equal(e[0].line, 151);
	assert_int_equal(e[0].column, 5);
	assert_int_equal(e[1].design, 0);
	assert_string_equal(e[1].metric, "misrouted_requests");
	assert_int_equal(e[1].scope, SUMMARY_WORKLOAD);
	assert_int_equal(e[1].arg, WL_EAS);
	assert_string_equal(e[1].scope_name, "eas");
	assert_true(e[1].has_min && e[1].min == 1);
	assert_false(e[1].has_max);
	assert_int_equal(e[1].line, 152);
	assert_int_equal(e[2].design, 2);
	assert_string_equal(e[2].metric, "detect_s");
	assert_int_equal(e[2].scope, SUMMARY_FAULT);
	assert_int_equal(e[2].arg, 3);
	assert_string_equal(e[2].scope_name, "fault4");
	assert_true(e[2].has_max && e[2].max == 10);
	assert_int_equal(e[2].line, 153);
	assert_int_equal(e[3].design, 3);
	assert_string_equal(e[3].metric, "lb_cpu_cores");
	assert_int_equal(e[3].scope, SUMMARY_ALL);
	assert_true(e[3].has_min && e[3].min == -0.5);
	assert_true(e[3].has_max && e[3].max == 1000);
	assert_int_equal(e[3].line, 154);
	assert_int_equal(e[3].column, 5);
	assert_true(e[4].has_min && e[4].has_max && e[4].min == 0.5 && e[4].max == 0.5);
	assert_int_equal(e[4].line, 159);
	/* Every expectation names a metric the catalogue has in its scope. */
	for (uint32_t i = 0; i < scn->nexpects; i++)
		assert_non_null(summary_metric_find(e[i].metric, (enum summary_scope)e[i].scope));
	scn_free(scn);
}

/* Every file of the good folder loads, whatever else is added to it. */
static void test_every_good_file_loads(void **state)
{
	(void)state;
	DIR *dir = opendir(GOOD_DIR);
	struct dirent *de;
	unsigned loaded = 0;
	assert_non_null(dir);
	while ((de = readdir(dir)) != NULL) {
		size_t n = strlen(de->d_name);
		if (n < 6 || strcmp(de->d_name + n - 5, ".yaml") != 0)
			continue;
		scn_free(load_good(de->d_name));
		loaded++;
	}
	closedir(dir);
	assert_true(loaded >= 2);
}

static void test_duration_good(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		sim_time_t ns;
	} cases[] = {
		{ "1ns", 1 },
		{ "1us", 1000 },
		{ "250ms", 250000000 },
		{ "5s", 5 * NS_PER_S },
		{ "10m", 600 * NS_PER_S },
		{ "2h", 7200 * NS_PER_S },
		{ "1d", 86400 * NS_PER_S },
		{ "30d", SCN_MAX_DURATION },
		{ "0s", 0 },
		{ "1.5s", 1500000000 },
		{ "0.1s", 100000000 },   /* exact: no binary fraction on the way */
		{ ".5m", 30 * NS_PER_S },
		{ "1.25h", 4500 * NS_PER_S },
		{ "007s", 7 * NS_PER_S },
		{ "5 s", 5 * NS_PER_S },
		{ "0.0000000015s", 2 },  /* 1.5 ns rounds half up */
		{ "0.0000000014s", 1 },
		{ "1.0000000005s", 1000000001 },
		/* digits past the 15th are dropped: 1.123456789123456 s */
		{ "1.123456789123456789s", 1123456789 },
		{ "0.000001d", 86400000 },
		{ "18446744073709551615ns", UINT64_MAX },
		/* 213503 days is the longest whole number of days below 2^64 ns */
		{ "213503d", 213503ull * 86400 * NS_PER_S },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sim_time_t got = 0;
		const char *why = NULL;
		if (scn_parse_duration(cases[i].text, &got, &why) != 0)
			fail_msg("'%s' refused: %s", cases[i].text, why);
		if (got != cases[i].ns)
			fail_msg("'%s': got %llu ns, want %llu", cases[i].text,
				 (unsigned long long)got, (unsigned long long)cases[i].ns);
	}
}

static void test_duration_bad(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		const char *why;
	} cases[] = {
		{ "", "is empty" },
		{ "30", "needs a unit: ns, us, ms, s, m, h or d" },
		{ "1.5", "needs a unit: ns, us, ms, s, m, h or d" },
		{ "-5s", "is negative" },
		{ "-0.5ms", "is negative" },
		{ "-x", "is not a duration such as 250ms, 1.5s, 10m or 2h" },
		{ "--5s", "is not a duration such as 250ms, 1.5s, 10m or 2h" },
		{ "soon", "is not a duration such as 250ms, 1.5s, 10m or 2h" },
		{ "s", "is not a duration such as 250ms, 1.5s, 10m or 2h" },
		{ ".s", "is not a duration such as 250ms, 1.5s, 10m or 2h" },
		{ "1.s", "is not a duration such as 250ms, 1.5s, 10m or 2h" },
		{ "+5s", "is not a duration such as 250ms, 1.5s, 10m or 2h" },
		{ " 5s", "is not a duration such as 250ms, 1.5s, 10m or 2h" },
		{ "nan", "is not a duration such as 250ms, 1.5s, 10m or 2h" },
		{ ".nan", "is not a duration such as 250ms, 1.5s, 10m or 2h" },
		{ ".inf", "is not a duration such as 250ms, 1.5s, 10m or 2h" },
		{ "5y", "has an unknown unit; use ns, us, ms, s, m, h or d" },
		{ "5S", "has an unknown unit; use ns, us, ms, s, m, h or d" },
		{ "5ms5", "has an unknown unit; use ns, us, ms, s, m, h or d" },
		{ "1..5s", "is not a duration such as 250ms, 1.5s, 10m or 2h" },
		{ "1e3s", "has an unknown unit; use ns, us, ms, s, m, h or d" },
		{ "5s ", "has an unknown unit; use ns, us, ms, s, m, h or d" },
		{ "18446744073709551616ns", "is too large (more than 584 years in nanoseconds)" },
		{ "213504d", "is too large (more than 584 years in nanoseconds)" },
		{ "1000000000000s", "is too large (more than 584 years in nanoseconds)" },
		{ "99999999999999999999999999h", "is too large (more than 584 years in nanoseconds)" },
		/* A minus before a well-formed duration is "negative", however
		 * large the rest; before anything else the grammar speaks. */
		{ "-5m", "is negative" },
		{ "-1000000000000s", "is negative" },
		{ "--5s", "is not a duration such as 250ms, 1.5s, 10m or 2h" },
		{ "-5", "needs a unit: ns, us, ms, s, m, h or d" },
		{ "-x", "is not a duration such as 250ms, 1.5s, 10m or 2h" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sim_time_t got = 12345;
		const char *why = NULL;
		if (scn_parse_duration(cases[i].text, &got, &why) == 0)
			fail_msg("'%s' accepted as %llu ns", cases[i].text,
				 (unsigned long long)got);
		assert_non_null(why);
		if (strcmp(why, cases[i].why) != 0)
			fail_msg("'%s': why '%s', want '%s'", cases[i].text, why, cases[i].why);
	}
}

/* A complete valid scenario, to which the cases below append or in which
 * they replace one line; every line number below counts from it. */
#define HEAD "name: inline\n"                      /* 1 */ \
	     "duration: 1h\n"                      /* 2 */ \
	     "servers: {count: 2, service: 1ms}\n" /* 3 */
#define POPS "populations:\n"                      /* 4 */ \
	     "  - {name: lan, users: 10, rate: 1}\n" /* 5 */
#define DESIGNS "designs:\n"                       /* 6 */ \
		"  - {name: d, kind: l4}\n"        /* 7 */
#define VALID HEAD POPS DESIGNS

struct error_case {
	const char *yaml;
	unsigned line, column;
	const char *message;
};

static void check_error(const char *yaml, size_t len, unsigned line,
			unsigned column, const char *message)
{
	struct scenario *scn = (struct scenario *)&scn; /* must become NULL */
	struct scn_error err;
	int rc = scn_load_buffer("inline", yaml, len, &scn, &err);
	if (rc == 0)
		fail_msg("accepted: %.200s", yaml);
	assert_int_equal(rc, -1);
	assert_null(scn);
	assert_string_equal(err.file, "inline");
	if (strcmp(err.message, message) != 0 || err.line != line || err.column != column)
		fail_msg("got %u:%u: %s\nwant %u:%u: %s", err.line, err.column,
			 err.message, line, column, message);
}

static void test_buffer_errors(void **state)
{
	(void)state;
	static const struct error_case cases[] = {
		/* Of several value mistakes, the first in the file is told,
		 * whatever order the checks run in. */
		{ "name: inline\nduration: 0s\nservers: {count: 0, service: 1ms}\n"
		  POPS DESIGNS,
		  2, 11, "'duration' must be more than 0 and at most 30d, got '0s'" },
		{ "designs: [{name: d, kind: l9}]\nname: inline\nduration: 0s\n"
		  "servers: {count: 2, service: 1ms}\n" POPS,
		  1, 27, "unknown kind 'l9'; did you mean 'l4'? (valid: l4, l4-multi, l7)" },
		/* Limits, one past them. */
		{ HEAD "populations: [" 
		  "{name: p0, users: 1, rate: 1}, {name: p1, users: 1, rate: 1}, "
		  "{name: p2, users: 1, rate: 1}, {name: p3, users: 1, rate: 1}, "
		  "{name: p4, users: 1, rate: 1}, {name: p5, users: 1, rate: 1}, "
		  "{name: p6, users: 1, rate: 1}, {name: p7, users: 1, rate: 1}, "
		  "{name: p8, users: 1, rate: 1}, {name: p9, users: 1, rate: 1}, "
		  "{name: pa, users: 1, rate: 1}, {name: pb, users: 1, rate: 1}, "
		  "{name: pc, users: 1, rate: 1}, {name: pd, users: 1, rate: 1}, "
		  "{name: pe, users: 1, rate: 1}, {name: pf, users: 1, rate: 1}, "
		  "{name: pg, users: 1, rate: 1}, {name: ph, users: 1, rate: 1}, "
		  "{name: pi, users: 1, rate: 1}, {name: pj, users: 1, rate: 1}, "
		  "{name: pk, users: 1, rate: 1}, {name: pl, users: 1, rate: 1}, "
		  "{name: pm, users: 1, rate: 1}, {name: pn, users: 1, rate: 1}, "
		  "{name: po, users: 1, rate: 1}, {name: pp, users: 1, rate: 1}, "
		  "{name: pq, users: 1, rate: 1}, {name: pr, users: 1, rate: 1}, "
		  "{name: ps, users: 1, rate: 1}, {name: pt, users: 1, rate: 1}, "
		  "{name: pu, users: 1, rate: 1}, {name: pv, users: 1, rate: 1}, "
		  "{name: pw, users: 1, rate: 1}, {name: px, users: 1, rate: 1}, "
		  "{name: py, users: 1, rate: 1}, {name: pz, users: 1, rate: 1}, "
		  "{name: q0, users: 1, rate: 1}, {name: q1, users: 1, rate: 1}, "
		  "{name: q2, users: 1, rate: 1}, {name: q3, users: 1, rate: 1}, "
		  "{name: q4, users: 1, rate: 1}, {name: q5, users: 1, rate: 1}, "
		  "{name: q6, users: 1, rate: 1}, {name: q7, users: 1, rate: 1}, "
		  "{name: q8, users: 1, rate: 1}, {name: q9, users: 1, rate: 1}, "
		  "{name: qa, users: 1, rate: 1}, {name: qb, users: 1, rate: 1}, "
		  "{name: qc, users: 1, rate: 1}, {name: qd, users: 1, rate: 1}, "
		  "{name: qe, users: 1, rate: 1}, {name: qf, users: 1, rate: 1}, "
		  "{name: qg, users: 1, rate: 1}, {name: qh, users: 1, rate: 1}, "
		  "{name: qi, users: 1, rate: 1}, {name: qj, users: 1, rate: 1}, "
		  "{name: qk, users: 1, rate: 1}, {name: ql, users: 1, rate: 1}, "
		  "{name: qm, users: 1, rate: 1}, {name: qn, users: 1, rate: 1}, "
		  "{name: qo, users: 1, rate: 1}, {name: qp, users: 1, rate: 1}, "
		  "{name: qq, users: 1, rate: 1}, {name: qr, users: 1, rate: 1}, "
		  "{name: qs, users: 1, rate: 1}]\n" DESIGNS,
		  4, 14, "'populations' must have 1 to 64 entries, got 65" },
		{ "name: " "0123456789012345678901234567890123456789012345678901234567890123"
		  "0123456789012345678901234567890123456789012345678901234567890123\n"
		  "duration: 1h\nservers: {count: 2, service: 1ms}\n" POPS DESIGNS,
		  1, 7, "'name' is too long: 128 bytes, at most 127" },
		{ VALID "warmup: 30d1s\n", 8, 9, "warmup '30d1s' has an unknown unit; use ns, us, ms, s, m, h or d" },
		{ VALID "warmup: 30.000001d\n", 8, 9, "'warmup' must be at most 30d, got '30.000001d'" },
		{ VALID "replications: 1001\n", 8, 15,
		  "'replications' must be a whole number from 1 to 1000, got '1001'" },
		{ VALID "seed: 4.5\n", 8, 7,
		  "'seed' must be a whole number from 0 to 18446744073709551615, got '4.5'" },
		/* Whole numbers in float notation are read exactly when small. */
		{ HEAD "populations: [{name: lan, users: 1.0000001e7, rate: 1}]\n" DESIGNS,
		  4, 34, "'users' must be a whole number from 1 to 10000000, got '1.0000001e7'" },
		{ HEAD "populations: [{name: lan, users: .inf, rate: 1}]\n" DESIGNS,
		  4, 34, "'users' must be a whole number from 1 to 10000000, got '.inf'" },
		{ HEAD "populations: [{name: lan, users: ' 5', rate: 1}]\n" DESIGNS,
		  4, 34, "'users' must be a whole number from 1 to 10000000, got ' 5'" },
		{ HEAD "populations: [{name: lan, users: 5, rate: nan}]\n" DESIGNS,
		  4, 43, "'rate' must be a number more than 0 and at most 1000 "
			 "(requests per second per user), got 'nan'" },
		{ HEAD "populations: [{name: lan, users: 5, rate: 1e400}]\n" DESIGNS,
		  4, 43, "'rate' must be a number more than 0 and at most 1000 "
			 "(requests per second per user), got '1e400'" },
		{ HEAD "populations: [{name: lan, users: 5, rate: 2 rps}]\n" DESIGNS,
		  4, 43, "'rate' must be a number more than 0 and at most 1000 "
			 "(requests per second per user), got '2 rps'" },
		/* Values are quoted back on one line, shortened and escaped. */
		{ VALID "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk: 1\n",
		  8, 1, "unknown key 'kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk...' in the scenario "
			"(valid: name, duration, warmup, seed, replications, servers, populations, "
			"clients, designs, faults, expect, cost-profile)" },
		{ VALID "\"a\\tb\": 1\n", 8, 1,
		  "unknown key 'a\\x09b' in the scenario (valid: name, duration, warmup, "
		  "seed, replications, servers, populations, clients, designs, faults, expect, cost-profile)" },
		/* Close to a key, but keys are case-sensitive. */
		{ VALID "Seed: 3\n", 8, 1, "unknown key 'Seed' in the scenario; did you mean 'seed'?" },
		{ VALID "---\nname: again\n", 9, 1, "a second YAML document; a scenario file holds one" },
		{ HEAD POPS "designs:\n  - name: d\n    kind: l4\n    kind: l7\n", 9, 5,
		  "key 'kind' given twice (first at line 8, column 5)" },
		{ HEAD POPS "designs:\n  - {name: d, kind: l4, balance: ~}\n", 7, 34,
		  "'balance' has no value" },
		{ HEAD POPS "designs:\n  - {name: d, kind: l4, balance: hdr(Host)}\n", 7, 34,
		  "balance 'hdr' needs layer-7 data; a kind l4 design sees only "
		  "addresses and ports" },
		{ HEAD POPS "designs:\n  - {name: d, kind: l7, balance: hdr()}\n", 7, 34,
		  "balance 'hdr()' needs a header name in parentheses, as in hdr(Host)" },
		{ HEAD "populations: [{name: lan, users: 5, source: nat, rate: 1}]\n" DESIGNS,
		  4, 45, "source 'nat' needs 'addresses': how many public addresses its "
			 "devices share, from 1 to 1000000" },
		{ HEAD POPS "designs:\n  - {name: d, kind: l4-multi, balance: hdr(Host}\n", 7, 40,
		  "balance 'hdr(Host' needs a header name in parentheses, as in hdr(Host)" },
		{ HEAD POPS "designs:\n  - {name: d, kind: l4-multi, balance: uri}\n", 7, 40,
		  "balance 'uri' needs layer-7 data; a kind l4-multi design sees only "
		  "addresses and ports" },
		{ "name: inline\nduration: 1h\nservers: {count: 2, service: 1ms}\n"
		  "populations: 3\n" DESIGNS,
		  4, 14, "'populations' must be a sequence of population entries, each "
			 "starting with '- ', not a single value" },
		{ "name: inline\nduration: 1h\nservers: {count: 2, service: 1ms}\n"
		  "populations:\n" DESIGNS,
		  4, 13, "'populations' has no value; it must be a sequence of population "
			 "entries, each starting with '- '" },
		{ "[1, 2]\n", 1, 1, "a scenario is a YAML mapping of keys such as name, "
				    "duration, servers, populations, designs" },
		{ "\xef\xbb\xbf" "name: x\n", 1, 1, "the scenario is missing required key 'duration'" },
		{ "name: x\r\nduration: 1h\r\nnope: 1\r\n", 3, 1,
		  "unknown key 'nope' in the scenario; did you mean 'name'?" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check_error(cases[i].yaml, strlen(cases[i].yaml), cases[i].line,
			    cases[i].column, cases[i].message);
}

/* Mistakes of the newer keys that the catalogue does not show: one key
 * judged against another (a scope against the workloads in use, a fault
 * against the servers' count, a log-on period against the run), where a
 * mistake in the key depended on must be the one told, not a consequence
 * of it; edges of lists, scopes, paths and cost figures. Lines and
 * columns were found by locating the value's text in each buffer. */
static void test_dependent_errors(void **state)
{
	(void)state;
	static const struct error_case cases[] = {
		{ "name: inline\nduration: 1h\nexpect: [{design: d, metric: failed_requests, scope: oab, max: 0}]\nservers: {count: 2, service: 1ms}\npopulations: [{name: lan, users: 0, clients: [owa]}]\ndesigns:\n  - {name: d, kind: l4}\n",
		  5, 34, "'users' must be a whole number from 1 to 10000000, got '0'" },
		{ "name: inline\nduration: 1h\nfaults: [{at: 1m, server: 3}]\nservers: {count: 0, service: 1ms}\npopulations:\n  - {name: lan, users: 10, clients: [owa]}\ndesigns:\n  - {name: d, kind: l4}\n",
		  4, 18, "'count' must be a whole number from 1 to 4096, got '0'" },
		{ "name: inline\npopulations: [{name: lan, users: 5, clients: [owa], logon: 2h}]\nduration: 0s\nservers: {count: 2}\ndesigns:\n  - {name: d, kind: l4}\n",
		  3, 11, "'duration' must be more than 0 and at most 30d, got '0s'" },
		{ "name: inline\nwarmup: 30m\nduration: 1h\nservers: {count: 2}\npopulations: [{name: lan, users: 5, clients: [owa], logon: 90m}]\ndesigns:\n  - {name: d, kind: l4}\n",
		  5, 60, "'logon' must be shorter than the run (warmup + duration), got '90m'" },
		{ "name: inline\nduration: 1h\nservers: {count: 2, service: 1ms}\npopulations: [{name: lan, users: 5, clients: [owa, ~]}]\ndesigns:\n  - {name: d, kind: l4}\n",
		  4, 52, "entry 2 of 'clients' has no value" },
		{ "name: inline\nduration: 1h\nservers: {count: 2, service: 1ms}\npopulations: [{name: lan, users: 5, clients: []}]\ndesigns:\n  - {name: d, kind: l4}\n",
		  4, 46, "'clients' must have 1 to 8 entries, got 0" },
		{ "name: inline\nduration: 1h\nservers: {count: 2, service: 1ms}\npopulations: [{name: lan, users: 5, clients: [owa], workload: ~}]\ndesigns:\n  - {name: d, kind: l4}\n",
		  4, 53, "'workload' applies to open traffic (rate); device traffic names its workloads in 'clients'" },
		{ "name: inline\nduration: 1h\nservers: {count: 2, service: 1ms}\npopulations:\n  - {name: lan, users: 10, clients: [owa]}\ndesigns:\n  - {name: d, kind: l4}\nfaults: [{at: 1m, server: 1, for: 1m}]\nexpect: [{design: d, metric: detect_s, scope: fault0, max: 1}]\n",
		  9, 47, "unknown scope 'fault0'; did you mean 'fault1'? (valid: all, steady, owa, fault1)" },
		{ "name: inline\nduration: 1h\nservers: {count: 2, service: 1ms}\npopulations:\n  - {name: lan, users: 10, clients: [owa]}\ndesigns:\n  - {name: d, kind: l4}\nexpect: [{design: d, metric: detect_s, scope: fault01, max: 1}]\n",
		  8, 47, "unknown scope 'fault01' (valid: all, steady, owa)" },
		{ "name: inline\nduration: 1h\nservers: {count: 2, service: 1ms}\npopulations:\n  - {name: lan, users: 10, clients: [owa]}\ndesigns:\n  - {name: d, kind: l4}\nexpect: [{design: d, metric: detect_s, scope: fault1, max: 1}]\n",
		  8, 47, "scope 'fault1' names fault 1, but the scenario has no faults" },
		{ "name: inline\nduration: 1h\nservers: {count: 2, service: 1ms}\npopulations:\n  - {name: lan, users: 10, clients: [owa]}\ndesigns:\n  - {name: d, kind: l4}\nexpect: [{design: d, metric: nonsense, scope: owaa, max: 1}]\n",
		  8, 47, "unknown scope 'owaa'; did you mean 'owa'? (valid: all, steady, owa)" },
		{ "name: inline\nduration: 1h\nservers: {count: 2, service: 1ms}\npopulations:\n  - {name: lan, users: 10, clients: [owa]}\ndesigns:\n  - {name: d, kind: l4}\nexpect: [{design: e, metric: jain, min: 1}]\n",
		  8, 19, "unknown design 'e' (valid: d)" },
		{ "name: inline\nduration: 1h\nservers: {count: 2, service: 1ms}\npopulations:\n  - {name: lan, users: 10, clients: [owa]}\ndesigns:\n  - {name: d, kind: l4}\nexpect: [{design: d, metric: jain, min: 1, max: ~}]\n",
		  8, 49, "'max' has no value" },
		{ "name: inline\nduration: 1h\nservers: {count: 2, service: 1ms}\nservers2: 1\npopulations:\n  - {name: lan, users: 10, clients: [owa]}\ndesigns:\n  - {name: d, kind: l4}\n",
		  4, 1, "unknown key 'servers2' in the scenario; did you mean 'servers'?" },
		{ "name: inline\nduration: 1h\nservers: {count: 2, service: 1ms}\npopulations:\n  - {name: lan, users: 10, clients: [owa]}\ndesigns:\n  - {name: d, kind: l4}\nfaults: [{at: 1m, server: 3}]\n",
		  8, 27, "server 3 does not exist: the scenario has 2 servers" },
		{ "name: inline\nduration: 1h\nservers: {count: 1}\npopulations:\n  - {name: lan, users: 10, clients: [owa]}\ndesigns:\n  - {name: d, kind: l4}\nfaults: [{at: 1m, server: 2}]\n",
		  8, 27, "server 2 does not exist: the scenario has 1 server" },
		{ "name: inline\nduration: 1h\nservers: {count: 2, service: 1ms}\npopulations:\n  - {name: lan, users: 10, clients: [owa]}\ndesigns:\n  - {name: d, kind: l4}\nfaults: [{at: 1m, server: 1, workload: owa, kind: down}]\n",
		  8, 30, "'workload' applies to workload-down and store-down faults, not down (it takes the whole server)" },
		{ "name: inline\nduration: 1h\nservers: {count: 2, service: 1ms}\npopulations:\n  - {name: lan, users: 10, clients: [owa]}\ndesigns:\n  - {name: d, kind: l4, hash-function: djb2}\n",
		  7, 25, "'hash-function' applies to balance source, uri and hdr only, not roundrobin" },
		{ "name: inline\nduration: 1h\nservers: {count: 8}\npopulations:\n  - {name: lan, users: 10, clients: [owa]}\ndesigns:\n  - {name: d, kind: l4, balance: source, hash-type: maglev, table-size: 7}\n",
		  7, 73, "maglev table size must be at least the number of servers" },
		{ "name: inline\nduration: 1h\nservers: {count: 2, service: 1ms}\npopulations:\n  - {name: lan, users: 10, clients: [owa]}\ndesigns:\n  - {name: d, kind: l4, balance: source, avalanche: yes}\n",
		  7, 53, "'avalanche' must be true or false, got 'yes'" },
		{ "name: inline\nduration: 1h\nservers: {count: 2, service: 1ms}\npopulations:\n  - {name: lan, users: 10, clients: [owa]}\ndesigns:\n  - {name: d, kind: l4-multi, persist: {method: cookie}}\n",
		  7, 49, "persist cookie needs layer 7: a layer-4 virtual service cannot read the URL, headers or cookies (it sees addresses, ports and the cleartext TLS ClientHello)" },
		{ "name: inline\nduration: 1h\nservers: {count: 2, service: 1ms}\npopulations:\n  - {name: lan, users: 10, clients: [owa]}\ndesigns:\n  - {name: d, kind: l7, check: {path: /owa/healthcheck.htm}}\n",
		  7, 33, "'path' applies to kind l4 only: a kind l7 design checks each workload's own page (/<workload>/healthcheck.htm)" },
		{ "name: inline\nduration: 1h\nservers: {count: 2, service: 1ms}\npopulations:\n  - {name: lan, users: 10, clients: [owa]}\ndesigns:\n  - {name: d, kind: l4, check: {path: /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}}\n",
		  7, 39, "'path' is too long: 64 bytes, at most 63" },
		{ "name: inline\nduration: 1h\nservers: {count: 2, service: 1ms}\npopulations:\n  - {name: lan, users: 10, clients: [owa]}\ndesigns:\n  - {name: d, kind: l4, check: {path: '/owa/health check.htm'}}\n",
		  7, 39, "'path' must not contain spaces or control characters" },
		{ "name: inline\nduration: 1h\nservers: {count: 2, service: 1ms}\npopulations:\n  - {name: lan, users: 10, clients: [owa]}\ndesigns:\n  - {name: d, kind: l4, persist: cookie}\n",
		  7, 34, "'persist' must be a mapping of keys method, netmask, size, expire, full, not a single value" },
		{ "name: inline\nduration: 1h\nservers: {count: 2, service: 1ms}\npopulations:\n  - {name: lan, users: 10, clients: [owa]}\ndesigns:\n  - {name: d, kind: l4}\nclients: {owa: 3}\n",
		  8, 16, "'owa' must be a mapping of keys connections, polls, think, hold, changes, lifetime, tls-session, backoff, backoff-max, on-error, reconnect-after, share, request-bytes, response-bytes, not a single value" },
		{ "name: inline\nduration: 1h\nservers: {count: 2, service: 1ms}\npopulations:\n  - {name: lan, users: 10, clients: [owa]}\ndesigns:\n  - {name: d, kind: l4}\nclients: {owa: {think: 0s, hold: 0ms}}\n",
		  8, 24, "'think' of owa is 0: its 2 request connections would send requests without pause; give think a duration (or make every connection a long poll: polls: 2)" },
		{ "name: inline\nduration: 1h\nservers: {count: 2, service: 1ms}\npopulations:\n  - {name: lan, users: 10, clients: [owa]}\ndesigns:\n  - {name: d, kind: l7, costs: {aes-256-gcm: 1.74}}\n",
		  7, 46, "aes-256-gcm '1.74' needs a unit: ns, us, ms, s, m, h or d" },
		{ "name: inline\nduration: 1h\nservers: {count: 2, service: 1ms}\npopulations:\n  - {name: lan, users: 10, clients: [owa]}\ndesigns:\n  - {name: d, kind: l7, costs: {accept: 31d}}\n",
		  7, 41, "'accept' must be at most 30d, got '31d'" },
		{ "name: inline\nduration: 1h\nservers: {count: 2, service: 1ms}\npopulations:\n  - {name: lan, users: 10, clients: [owa]}\ndesigns:\n  - {name: d, kind: l7, costs: {accept: 1e3ns}}\n",
		  7, 41, "accept '1e3ns' has an unknown unit; use ns, us, ms, s, m, h or d" },
		{ "name: inline\nduration: 1h\nservers: {count: 2, service: 1ms}\npopulations:\n  - {name: lan, users: 10, clients: [owa]}\ndesigns:\n  - {name: d, kind: l7, costs: {conn-bytes: .nan}}\n",
		  7, 45, "'conn-bytes' must be a number from 0 to 1000000000000, got '.nan'" },
		{ "name: inline\nduration: 1h\nservers: {count: 2, service: 1ms}\npopulations: [{name: lan, users: 5, source: unique, ports: 100, clients: [owa]}]\ndesigns:\n  - {name: d, kind: l4}\n",
		  4, 53, "'ports' applies to nat and cgnat sources, not unique" },
		{ "name: inline\nduration: 1h\nservers: {count: 2, service: 1ms}\npopulations: [{name: lan, users: 5, source: nate, churn: 1m, clients: [owa]}]\ndesigns:\n  - {name: d, kind: l4}\n",
		  4, 45, "unknown source 'nate'; did you mean 'nat'? (valid: unique, nat, cgnat)" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		check_error(cases[i].yaml, strlen(cases[i].yaml), cases[i].line,
			    cases[i].column, cases[i].message);
}

/* An unknown metric of the whole design lists the catalogue's names of
 * that scope (sim/runs/summary.c, which grows) and suggests the closest. */
static void test_unknown_metric_lists_catalogue(void **state)
{
	(void)state;
	char names[1024], want[1200];
	summary_metric_names(names, sizeof names, SUMMARY_ALL);
	snprintf(want, sizeof want, "unknown metric 'peak_to_men'; did you mean "
		 "'peak_to_mean'? (valid: %s)", names);
	check_error(HEAD POPS DESIGNS "expect: [{design: d, metric: peak_to_men, max: 1}]\n",
		    strlen(HEAD POPS DESIGNS "expect: [{design: d, metric: peak_to_men, max: 1}]\n"),
		    8, 30, want);
}

static struct scenario *load_inline(const char *yaml)
{
	struct scenario *scn = NULL;
	struct scn_error err;
	if (scn_load_buffer("inline", yaml, strlen(yaml), &scn, &err) != 0)
		fail_msg("refused: %s:%u:%u: %s", err.file, err.line, err.column, err.message);
	return scn;
}

/* Profiles: each balancer's defaults (HAProxy: sdbm, and avalanche on a
 * ring when no function is named, as cfgparse-listen.c sets them), the
 * ring points key, and the servers' addresses counted on from the first. */
static void test_profiles(void **state)
{
	(void)state;
	struct scenario *scn = load_inline(
		"name: p\nduration: 1h\nservers: {count: 4, address: '10.0.1.254:443'}\n"
		"populations: [{name: a, users: 10, clients: [owa]}]\ndesigns:\n"
		"  - {name: h, kind: l4, balance: source, profile: haproxy, hash-type: consistent}\n"
		"  - {name: h2, kind: l4, balance: source, profile: haproxy, hash-type: consistent,\n"
		"     hash-function: djb2, ring-points: 40}\n"
		"  - {name: n, kind: l4, balance: source, profile: nginx}\n"
		"  - {name: i, kind: l4, balance: source, profile: ipvs, hash-type: maglev,\n"
		"     table-size: 251}\n"
		"  - {name: l, kind: l4, balance: source}\n");
	const struct lb_sel_params *h = &scn->designs[0].sel_params;
	assert_int_equal(h->profile, LB_PROFILE_HAPROXY);
	assert_int_equal(h->hash_function, LB_HASHFN_SDBM);
	assert_int_equal(h->hash_avalanche, 1);
	assert_int_equal(h->ring_points, 0);
	const struct lb_sel_params *h2 = &scn->designs[1].sel_params;
	assert_int_equal(h2->hash_function, LB_HASHFN_DJB2);
	assert_int_equal(h2->hash_avalanche, 0);
	assert_int_equal(h2->ring_points, 40);
	assert_int_equal(scn->designs[2].sel_params.profile, LB_PROFILE_NGINX);
	assert_int_equal(scn->designs[3].sel_params.table_size, 251);
	assert_int_equal(scn->designs[4].sel_params.profile, LB_PROFILE_LBSIM);
	assert_int_equal(scn->designs[4].sel_params.hash_function, LB_HASHFN_MURMUR);
	const struct lb_endpoint *ep = scn->designs[0].sel_params.endpoints;
	assert_non_null(ep);
	char text[64];
	lb_endpoint_format(&ep[0].addr, ep[0].port, text, sizeof text);
	assert_string_equal(text, "10.0.1.254:443");
	lb_endpoint_format(&ep[3].addr, ep[3].port, text, sizeof text);
	assert_string_equal(text, "10.0.2.1:443");
	scn_free(scn);
}

/* What is accepted at the edges: no service time without open traffic, a
 * kind whose every connection polls (no think time), a kind no user runs
 * (share 0), costs finer than a nanosecond, a
 * bounded-load factor just above 1, ssl-session-id on layer 4 (the
 * ClientHello travels in clear), the path a scenario was loaded as. */
static void test_edges_accepted(void **state)
{
	(void)state;
	struct scenario *scn = load_inline(
		"name: inline\nduration: 1h\nservers: {count: 2}\n"
		"populations: [{name: lan, users: 5, clients: [eas, mapi, owa]}]\n"
		"clients: {mapi: {polls: 3}, owa: {share: 0}}\n"
		"designs:\n"
		"  - {name: d, kind: l4, persist: {method: ssl-session-id},\n"
		"     costs: {relay: 0.001ns, connect: 0.5ms, probe: 1.5 us}}\n"
		"  - {name: f, kind: l7, costs: {backend-idle-timeout: 0s}}\n"
		"  - {name: e, kind: l4, balance: source, hash-type: consistent,\n"
		"     hash-balance-factor: 1.000001}\n");
	assert_string_equal(scn->path, "inline");
	assert_int_equal(scn->servers.service_mean, 0);
	assert_int_equal(scn->clients[WL_MAPI].polls, 3);
	assert_int_equal(scn->populations[0].client[WL_MAPI].polls, 3);
	assert_true(scn->populations[0].client[WL_OWA].share == 0);
	assert_int_equal(scn_workloads_used(scn), (1u << WL_EAS) | (1u << WL_MAPI));
	assert_ptr_equal(scn->designs[0].persist, &lb_pers_ssl_session_id);
	assert_true(scn->designs[0].costs.relay_byte_ns == 0.001);
	assert_true(scn->designs[0].costs.connect_ns == 500000);
	assert_true(scn->designs[0].costs.probe_ns == 1500);
	assert_true(scn->designs[1].costs.backend_idle_timeout_s == 0);
	assert_true(scn->designs[2].sel_params.balance_factor == 1.000001);
	scn_free(scn);
}

/* The length given is the whole input: no NUL is needed after it, and
 * bytes after it are not read. */
static void test_buffer_length_is_respected(void **state)
{
	(void)state;
	static const char text[] = VALID "this: [is not read";
	size_t len = strlen(VALID);
	char *copy = malloc(len); /* no terminating NUL */
	struct scenario *scn = NULL;
	struct scn_error err;
	assert_non_null(copy);
	memcpy(copy, text, len);
	assert_int_equal(scn_load_buffer("inline", copy, len, &scn, &err), 0);
	assert_int_equal(scn->servers.count, 2);
	scn_free(scn);
	free(copy);

	check_error(text, sizeof text - 1, 8, 19,
		    "invalid YAML: did not find expected ',' or ']' "
		    "(while parsing a flow sequence started at line 8, column 7)");
	/* A NUL inside the given length makes it binary. */
	check_error("name: a\0b\n", 10, 0, 0, "binary file, not a YAML scenario");
	check_error("", 0, 0, 0, "empty scenario");
	check_error(" \n  \n# nothing\n", 15, 0, 0, "empty scenario");
	check_error("---\n...\n", 8, 0, 0, "empty scenario");
}

static void test_hostile_inputs(void **state)
{
	(void)state;
	const size_t max = 4u * 1024 * 1024;
	char *big = malloc(max + 2);
	assert_non_null(big);

	/* One byte over the cap is refused before parsing, whatever it is. */
	memset(big, '#', max + 1);
	check_error(big, max + 1, 0, 0, "file too large for a scenario (over 4 MiB)");
	/* At the cap it is read: here all comment, so empty. */
	check_error(big, max, 0, 0, "empty scenario");

	/* Nesting: libyaml costs time proportional to the flow depth on
	 * every token, so depth is capped at 32 collections (the root
	 * mapping counts). 31 brackets under the root are 32 levels: past
	 * the cap check, refused by the schema; 32 brackets are not. */
	size_t n = 0;
	n += (size_t)sprintf(big + n, "populations: ");
	memset(big + n, '[', 31);
	memset(big + n + 31, ']', 31);
	n += 62;
	check_error(big, n, 1, 15, "population entry 1 must be a mapping of keys "
				    "name, users, source, addresses, churn, ports, sites, address-per, address-plan, clients, "
				    "rate, workload, tls13, logon, profile, client-settings, network, rtt, jitter, replay, not a sequence");
	n = (size_t)sprintf(big, "populations: ");
	memset(big + n, '[', 200000);
	memset(big + n + 200000, ']', 200000);
	n += 400000;
	check_error(big, n, 1, 45, "nested more than 32 levels deep; a scenario needs a few");

	/* Anchors and aliases: libyaml compares each with all before it,
	 * so 1000 in all are allowed and the 1001st is refused. The 1000th
	 * alias starts at column 8 + 4 * 1000 - 1. */
	for (unsigned aliases = 999; aliases <= 1000; aliases++) {
		n = (size_t)sprintf(big, "%s", VALID "x: [&a 1");
		for (unsigned i = 0; i < aliases; i++)
			n += (size_t)sprintf(big + n, ", *a");
		n += (size_t)sprintf(big + n, "]\n");
		if (aliases == 999)
			check_error(big, n, 8, 1, "unknown key 'x' in the scenario (valid: "
				    "name, duration, warmup, seed, replications, servers, "
				    "populations, clients, designs, faults, expect, cost-profile)");
		else
			check_error(big, n, 8, 4007, "more than 1000 anchors and aliases; "
						      "a scenario needs a few");
	}

	/* A long sequence is refused on its size: libcyaml stops at the
	 * 17th entry (it would copy the growing array for every entry), and
	 * the count comes from the document. */
	n = (size_t)sprintf(big, "%s", HEAD "designs:\n");
	for (unsigned i = 0; i < 10000; i++)
		n += (size_t)sprintf(big + n, "- {name: d, kind: l4}\n");
	n += (size_t)sprintf(big + n, "%s", POPS);
	check_error(big, n, 5, 1, "'designs' must have 1 to 16 entries, got 10000");

	/* At most 100000 values of any kind: the root mapping, the key x
	 * and the sequence are three, so the 99998th scalar is one too many;
	 * it starts at column 5 + 2 * 99997. */
	n = (size_t)sprintf(big, "x: [");
	for (unsigned i = 0; i < 200000; i++)
		n += (size_t)sprintf(big + n, "1,");
	n += (size_t)sprintf(big + n, "1]\n");
	check_error(big, n, 1, 199999, "more than 100000 values; a scenario needs a few hundred");
	free(big);
}

static void test_file_errors(void **state)
{
	(void)state;
	struct scenario *scn = NULL;
	struct scn_error err;
	assert_int_equal(scn_load(LBSIM_SOURCE_DIR "/tests/scenarios/no-such-file.yaml",
				  &scn, &err), -1);
	assert_null(scn);
	assert_int_equal(err.line, 0);
	assert_string_equal(err.file, LBSIM_SOURCE_DIR "/tests/scenarios/no-such-file.yaml");
	assert_string_equal(err.message, "cannot open: No such file or directory");

	assert_int_equal(scn_load(LBSIM_SOURCE_DIR "/tests/scenarios", &scn, &err), -1);
	assert_int_equal(err.line, 0);
	assert_string_equal(err.message, "is a directory, not a scenario file");
}

static void test_error_print(void **state)
{
	(void)state;
	struct scn_error err = { .file = "a.yaml", .line = 3, .column = 7,
				 .message = "unknown key 'x' in design" };
	char buf[256] = "";
	FILE *fp = fmemopen(buf, sizeof buf, "w");
	assert_non_null(fp);
	scn_error_print(fp, &err);
	err.line = 0;
	err.column = 0;
	snprintf(err.message, sizeof err.message, "empty scenario");
	scn_error_print(fp, &err);
	fclose(fp);
	assert_string_equal(buf, "a.yaml:3:7: unknown key 'x' in design\n"
				 "a.yaml: empty scenario\n");
}

static void test_kind_names(void **state)
{
	(void)state;
	assert_string_equal(scn_design_kind_name(SCN_DESIGN_L4), "l4");
	assert_string_equal(scn_design_kind_name(SCN_DESIGN_L4_MULTI), "l4-multi");
	assert_string_equal(scn_design_kind_name(SCN_DESIGN_L7), "l7");
	assert_string_equal(scn_design_kind_name((enum scn_design_kind)99), "unknown");
	assert_string_equal(scn_source_kind_name(SCN_SOURCE_UNIQUE), "unique");
	assert_string_equal(scn_source_kind_name(SCN_SOURCE_NAT), "nat");
	assert_string_equal(scn_source_kind_name(SCN_SOURCE_CGNAT), "cgnat");
	assert_string_equal(scn_source_kind_name((enum scn_source_kind)99), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal_defaults),
		cmocka_unit_test(test_full_every_key),
		cmocka_unit_test(test_devices_every_key),
		cmocka_unit_test(test_every_good_file_loads),
		cmocka_unit_test(test_duration_good),
		cmocka_unit_test(test_duration_bad),
		cmocka_unit_test(test_buffer_errors),
		cmocka_unit_test(test_dependent_errors),
		cmocka_unit_test(test_unknown_metric_lists_catalogue),
		cmocka_unit_test(test_edges_accepted),
		cmocka_unit_test(test_buffer_length_is_respected),
		cmocka_unit_test(test_hostile_inputs),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_error_print),
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_profiles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
