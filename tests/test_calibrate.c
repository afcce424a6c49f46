/* lbsim calibrate's arithmetic (sim/calibrate/): the CPU figures it
 * derives from HAProxy's phases, and the median and range of repeats.
 *
 * The phases are priced here from a model of what each connection of a
 * phase makes the proxy do (made-up prices, each a distinct power of
 * two so that a wrong coefficient cannot cancel out), and every derived
 * figure must give back the price it stands for: the coefficients of
 * cal_hapbench.c are checked against that construction, not against
 * themselves.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "../sim/calibrate/cal_hap.h"
#include "../sim/calibrate/cal_internal.h"

/* Made-up prices, ns (relay: ns per byte). */
enum { ACCEPT = 1 << 10, CONNECT = 1 << 11, MESSAGE = 1 << 12, HTTP_CONN = 1 << 13,
       HTTP_REQ = 1 << 14, FULL_RSA = 1 << 15, FULL_EC = 1 << 16, RESUME13 = 1 << 17,
       RESUME12 = 1 << 18, SERVER_CONN = 1 << 19, BACKEND_RES = 1 << 20,
       BACKEND_FULL = 1 << 21, RECORD = 1 << 22, WAKE = 1 << 23 };
static const double RELAY = 0.25;

/* What one connection of the named phase costs the proxy. */
static double phase_cost(const char *name)
{
	const double k = cal_hap_keepalive_requests();
	const double extra = HAP_BIG_BYTES - 2; /* a large answer less "ok" */
	const double http1 = ACCEPT + HTTP_CONN + HTTP_REQ;
	/* a TLS side seals or opens a record per request and per answer */
	const double tls1 = http1 + 2 * RECORD;
	if (strcmp(name, "accept and close") == 0)
		return ACCEPT;
	if (strcmp(name, "mode tcp, 1 request") == 0)
		return ACCEPT + CONNECT + MESSAGE;
	/* one at a time the same work: only its wake-ups differ */
	if (strcmp(name, "mode tcp, keep-alive") == 0 ||
	    strcmp(name, "mode tcp, keep-alive, one at a time") == 0)
		return ACCEPT + CONNECT + k * MESSAGE;
	if (strcmp(name, "mode tcp, keep-alive, large answers") == 0)
		return ACCEPT + CONNECT + k * MESSAGE + k * extra * RELAY;
	if (strcmp(name, "mode http, 1 request") == 0)
		return http1;
	if (strcmp(name, "mode http, keep-alive") == 0)
		return ACCEPT + HTTP_CONN + k * HTTP_REQ;
	if (strcmp(name, "TLS 1.3 full, RSA-2048") == 0)
		return tls1 + FULL_RSA;
	if (strcmp(name, "TLS 1.3 full, ECDSA P-256") == 0)
		return tls1 + FULL_EC;
	if (strcmp(name, "TLS 1.3 resumed") == 0)
		return tls1 + RESUME13;
	if (strcmp(name, "TLS 1.3 resumed, keep-alive") == 0)
		return ACCEPT + HTTP_CONN + k * (HTTP_REQ + 2 * RECORD) + RESUME13;
	if (strcmp(name, "TLS 1.2 resumed (ticket)") == 0)
		return tls1 + RESUME12;
	if (strcmp(name, "terminate, reuse never") == 0)
		return tls1 + RESUME13 + SERVER_CONN;
	/* re-encrypting: the server side's records too */
	if (strcmp(name, "re-encrypt, reuse never") == 0)
		return tls1 + 2 * RECORD + RESUME13 + SERVER_CONN + BACKEND_RES;
	if (strcmp(name, "re-encrypt, no-ssl-reuse") == 0)
		return tls1 + 2 * RECORD + RESUME13 + SERVER_CONN + BACKEND_FULL;
	fail_msg("phase '%s' has no model in this test", name);
	return 0;
}

/* The price each derived figure must give back. */
static double expected(const char *key)
{
	const struct {
		const char *key;
		double price;
	} want[] = {
		{"haproxy-accept", ACCEPT},
		{"haproxy-connect", CONNECT},
		{"haproxy-relay", RELAY},
		/* MESSAGE prices a request and its answer: two messages */
		{"haproxy-relay-message", MESSAGE / 2.0},
		{"haproxy-http-request", HTTP_REQ},
		{"haproxy-http-conn", ACCEPT + HTTP_CONN},
		{"haproxy-tls13-full-rsa2048", FULL_RSA},
		{"haproxy-tls13-full-ecdsa-p256", FULL_EC},
		{"haproxy-tls13-resumed", RESUME13},
		{"haproxy-tls12-resumed", RESUME12},
		{"haproxy-reencrypt-resumed", BACKEND_RES},
		{"haproxy-reencrypt-full", BACKEND_FULL},
		{"haproxy-tls-record", RECORD},
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		if (strcmp(want[i].key, key) == 0)
			return want[i].price;
	fail_msg("figure '%s' has no expected price in this test", key);
	return 0;
}

static void derived_figures_give_back_their_prices(void **state)
{
	(void)state;
	double cost[32];
	size_t n = cal_hap_phase_count();
	assert_true(n <= sizeof cost / sizeof cost[0]);
	for (size_t i = 0; i < n; i++)
		cost[i] = phase_cost(cal_hap_phase_name(i));
	assert_true(cal_hap_figure_count() >= 13);
	for (size_t f = 0; f < cal_hap_figure_count(); f++) {
		double got = cal_hap_figure_value(f, cost), want = expected(cal_hap_figure_key(f));
		if (fabs(got - want) > 1e-9 * (ACCEPT + RECORD))
			fail_msg("%s: %.6f, want %.6f", cal_hap_figure_key(f), got, want);
	}
}

/* HAProxy answers some offered tickets with a full handshake: a phase
 * whose connections resumed in part must still give the resumed prices. */
static void resumption_phases_are_taken_back_to_all_resumed(void **state)
{
	(void)state;
	double cost[32], share[32] = {0};
	size_t n = cal_hap_phase_count();
	for (size_t i = 0; i < n; i++) {
		const char *name = cal_hap_phase_name(i);
		cost[i] = phase_cost(name);
		/* TLS 1.3 resumption phases: 1/10 of their connections made a
		 * full handshake instead (FULL_RSA - RESUME13 more). */
		int resumed13 = strcmp(name, "TLS 1.3 resumed") == 0 ||
				strcmp(name, "TLS 1.3 resumed, keep-alive") == 0 ||
				strcmp(name, "terminate, reuse never") == 0 ||
				strcmp(name, "re-encrypt, reuse never") == 0 ||
				strcmp(name, "re-encrypt, no-ssl-reuse") == 0;
		if (resumed13) {
			share[i] = 0.1;
			cost[i] += 0.1 * (FULL_RSA - RESUME13);
		}
	}
	cal_hap_unmix_resumed(cost, share);
	for (size_t f = 0; f < cal_hap_figure_count(); f++) {
		double got = cal_hap_figure_value(f, cost), want = expected(cal_hap_figure_key(f));
		if (fabs(got - want) > 1e-9 * (ACCEPT + RECORD))
			fail_msg("%s: %.6f, want %.6f", cal_hap_figure_key(f), got, want);
	}
}

/* The phases also woke the proxy, each a different number of times a
 * connection (made up, none a multiple of another), at WAKE each: the
 * wake-up's price comes back from the one-at-a-time phase against the
 * kept-alive one, and once every phase is taken back to a busy proxy's
 * the figures give back their prices as before. */
static void wakeups_priced_and_taken_off(void **state)
{
	(void)state;
	double cost[32], wakes[32];
	size_t n = cal_hap_phase_count();
	for (size_t i = 0; i < n; i++) {
		const char *name = cal_hap_phase_name(i);
		wakes[i] = 0.37 * (double)(i + 1);
		if (strcmp(name, "mode tcp, keep-alive, one at a time") == 0)
			wakes[i] = 27.3; /* it sleeps between its events */
		cost[i] = phase_cost(name) + WAKE * wakes[i];
	}
	assert_true(fabs(cal_hap_wakeup_value(cost, wakes) - WAKE) < 1e-9 * WAKE);
	cal_hap_take_off_wakeups(cost, wakes, WAKE);
	for (size_t f = 0; f < cal_hap_figure_count(); f++) {
		double got = cal_hap_figure_value(f, cost), want = expected(cal_hap_figure_key(f));
		if (fabs(got - want) > 1e-9 * (ACCEPT + WAKE))
			fail_msg("%s: %.6f, want %.6f", cal_hap_figure_key(f), got, want);
	}
	/* fewer wake-ups more one at a time than CAL_HAP_MIN_WAKEUPS_MORE:
	 * no price */
	size_t serial = n, kept = n;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(cal_hap_phase_name(i), "mode tcp, keep-alive, one at a time") == 0)
			serial = i;
		if (strcmp(cal_hap_phase_name(i), "mode tcp, keep-alive") == 0)
			kept = i;
	}
	assert_true(serial < n && kept < n);
	wakes[serial] = wakes[kept] + CAL_HAP_MIN_WAKEUPS_MORE - 0.5;
	assert_true(isnan(cal_hap_wakeup_value(cost, wakes)));
}

static void median_and_range_of_repeats(void **state)
{
	(void)state;
	struct cal_figure f = {.repeats = 5, .value = {9, 1, 5, 7, 3}};
	double med, lo, hi;
	cal_figure_summary(&f, &med, &lo, &hi);
	assert_true(med == 5 && lo == 1 && hi == 9);
	f.repeats = 4; /* 9 1 5 7: the mean of the middle two */
	cal_figure_summary(&f, &med, &lo, &hi);
	assert_true(med == 6 && lo == 1 && hi == 9);
	/* the summary sorts a copy: the repeats stay in their order */
	assert_true(f.value[0] == 9 && f.value[1] == 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(derived_figures_give_back_their_prices),
		cmocka_unit_test(resumption_phases_are_taken_back_to_all_resumed),
		cmocka_unit_test(wakeups_priced_and_taken_off),
		cmocka_unit_test(median_and_range_of_repeats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
