/* Cost profiles (sim/scenario/cost_profile.c): the shipped ones parse and
 * cover the implementations they are the defaults of; a profile as
 * `lbsim calibrate` writes it reads back figure for figure, every unit
 * converted by hand here; mistakes are refused at their line and column,
 * and a scenario naming a missing or malformed profile, or one that lacks
 * a figure its design needs, is refused at its cost-profile key. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lbsim/cost_profile.h"
#include "lbsim/scenario.h"

/* Every shipped profile parses, names itself as its file, gives a source
 * for what it gives, and the defaults cover what their designs need: a
 * proxy (l4 and l7 with every certificate, cipher, re-encryption) from
 * haproxy, a kernel forwarder from ipvs. */
static void test_builtin_profiles(void **state)
{
	(void)state;
	assert_true(cost_profile_builtin_count() >= 2);
	for (size_t i = 0; i < cost_profile_builtin_count(); i++) {
		struct cost_profile p;
		assert_int_equal(cost_profile_builtin(cost_profile_builtin_name(i), &p), 0);
		assert_string_equal(p.name, cost_profile_builtin_name(i));
		assert_true(p.source[0] != '\0');
		assert_true(p.given != 0);
	}
	struct cost_profile hap, ipvs;
	assert_int_equal(cost_profile_builtin("haproxy", &hap), 0);
	assert_int_equal(cost_profile_builtin("ipvs", &ipvs), 0);
	assert_int_equal(cost_profile_builtin("nginx-maybe", &hap) == 0, 0);
	assert_int_equal(cost_profile_builtin("haproxy", &hap), 0);
	for (int cert = 0; cert < COST_CERT_COUNT; cert++)
		for (int cipher = 0; cipher < COST_CIPHER_COUNT; cipher++)
			for (int re = 0; re < 2; re++) {
				uint64_t need = cost_figures_needed(COST_IMPL_PROXY, 1, cert, cipher, re);
				assert_int_equal(need & ~hap.given, 0);
			}
	assert_int_equal(cost_figures_needed(COST_IMPL_PROXY, 0, 0, 0, 0) & ~hap.given, 0);
	for (int impl = COST_IMPL_KERNEL_NAT; impl < COST_IMPL_COUNT; impl++)
		assert_int_equal(cost_figures_needed(impl, 0, 0, 0, 0) & ~ipvs.given, 0);
	/* Figures the README quotes: the HAProxy manual's rates, inverted. */
	assert_true(hap.p.http_request_ns > 4115 && hap.p.http_request_ns < 4116); /* 1e9 / 243000 */
	assert_true(hap.p.relay_byte_ns == 0.4);                                  /* 8 / 20 Gbit/s */
	assert_true(hap.p.tls_cache_size == 20000);
	assert_true(hap.p.buffer_bytes == 16384);
	assert_true(ipvs.p.flow_bytes == 128 && ipvs.p.flow_buckets == 4096);
	/* TLS 1.3 PSK resumption with (EC)DHE costs more than half a full
	 * ECDSA handshake, and more than a TLS 1.2 resumption */
	assert_true(hap.p.tls_resume_13_ns > hap.p.tls_full_ns[COST_CERT_ECDSA_P256] / 2);
	assert_true(hap.p.tls_resume_13_ns > hap.p.tls_resume_12_ns);
}

/* A measured profile as calibrate writes it: every unit of every kind,
 * read back to the stored unit (ns, ns per byte, bytes, count, s). */
static const char calibrated[] =
	"lbsim-cost-profile: 1\n"
	"name: host1\n"
	"description: measured here\n"
	"provenance:\n"
	"  kind: measured\n"
	"  source: lbsim calibrate, openssl and haproxy on loopback\n"
	"  host: host1\n"
	"  cpu: AMD EPYC\n"
	"  cores: 2\n"
	"  versions: {haproxy: 2.6.12, openssl: 3.0.19}\n"
	"  date: 2026-12-04T09:30:00Z\n"
	"  repeats: 5\n"
	"  tool: lbsim calibrate\n"
	"figures:\n"
	"  tls-full-rsa-2048: {value: 1000, unit: per-s, source: handshake loop,\n"
	"                      spread: {min: 950, max: 1040, stddev: 30}, measured: true}\n"
	"  tls-resume-13: {value: 0.25, unit: ms, source: x}\n"
	"  accept: {value: 5, unit: us, source: x}\n"
	"  probe: {value: 0.000002, unit: s, source: x}\n"
	"  aes-128-gcm: {value: 4, unit: Gbit/s, source: x}\n"
	"  aes-256-gcm: {value: 2000, unit: MB/s, source: x}\n"
	"  chacha20-poly1305: {value: 1, unit: GB/s, source: x}\n"
	"  relay: {value: 0.5, unit: ns/B, source: x}\n"
	"  tls-record: {value: 4.5, unit: us, source: haproxy keep-alive TLS,\n"
	"               spread: {min: 3.9, max: 5.2, stddev: 0.4}, measured: true}\n"
	"  wakeup: {value: 19.5, unit: us, source: haproxy one connection at a time,\n"
	"           spread: {min: 14, max: 26, stddev: 4.1}, measured: true}\n"
	"  packet: {value: 4e6, unit: per-s, source: x}\n"
	"  conn-bytes: {value: 2.5, unit: kB, source: x}\n"
	"  tls-state-bytes: {value: 4, unit: KiB, source: x}\n"
	"  buffer-bytes: {value: 1, unit: MiB, source: x}\n"
	"  tls-buffer-bytes: {value: 0.5, unit: MB, source: x}\n"
	"  tls-cache-size: {value: 100000, unit: count, source: x}\n"
	"  backend-idle-timeout: {value: 500, unit: ms, source: x}\n"
	"  flow-linger: {value: 2, unit: m, source: x}\n"
	"  mtu: {value: 1400, unit: B, source: x}\n";

static void test_read_back(void **state)
{
	(void)state;
	struct cost_profile p;
	struct scn_error err;
	assert_int_equal(cost_profile_parse("host1.yaml", calibrated, strlen(calibrated), &p, &err), 0);
	assert_string_equal(p.name, "host1");
	assert_string_equal(p.kind, "measured");
	assert_string_equal(p.host, "host1");
	assert_string_equal(p.cpu, "AMD EPYC");
	assert_int_equal(p.repeats, 5);
	assert_true(p.p.tls_full_ns[COST_CERT_RSA_2048] == 1e6);
	assert_true(p.p.tls_resume_13_ns == 250000);
	assert_true(p.p.accept_ns == 5000);
	assert_true(p.p.probe_ns > 1999.999 && p.p.probe_ns < 2000.001);
	assert_true(p.p.crypto_byte_ns[COST_CIPHER_AES_128_GCM] == 2);     /* 8 / 4 Gbit/s */
	assert_true(p.p.crypto_byte_ns[COST_CIPHER_AES_256_GCM] == 0.5);   /* 1e3 / 2000 MB/s */
	assert_true(p.p.crypto_byte_ns[COST_CIPHER_CHACHA20_POLY1305] == 1);
	assert_true(p.p.relay_byte_ns == 0.5);
	assert_true(p.p.tls_record_ns == 4500);
	assert_true(p.p.wakeup_ns == 19500);
	assert_true(p.given >> COST_FIG_WAKEUP & 1);
	assert_true(p.p.packet_ns == 250);                                 /* 1e9 / 4e6 */
	assert_true(p.p.conn_bytes == 2500);
	assert_true(p.p.tls_state_bytes == 4096);
	assert_true(p.p.buffer_bytes == 1048576);
	assert_true(p.p.tls_buffer_bytes == 500000);
	assert_true(p.p.tls_cache_size == 100000);
	assert_true(p.p.backend_idle_timeout_s == 0.5);
	assert_true(p.p.flow_linger_s == 120);
	assert_true(p.p.mtu_payload == 1400);
	assert_int_equal(__builtin_popcountll(p.given), 19);
	assert_true(p.given >> COST_FIG_TLS_FULL_RSA & 1);
	assert_false(p.given >> COST_FIG_TLS_FULL_ECDSA & 1);
}

/* text is refused at line:column with a message holding want. */
static void refused(const char *text, unsigned line, unsigned column, const char *want)
{
	struct cost_profile p;
	struct scn_error err;
	assert_int_equal(cost_profile_parse("bad.yaml", text, strlen(text), &p, &err), -1);
	print_message("%s:%u:%u: %s\n", err.file, err.line, err.column, err.message);
	assert_string_equal(err.file, "bad.yaml");
	assert_int_equal(err.line, line);
	assert_int_equal(err.column, column);
	assert_non_null(strstr(err.message, want));
}

#define HEAD "lbsim-cost-profile: 1\nname: x\nprovenance: {kind: assumed, source: s}\n"

static void test_malformed(void **state)
{
	(void)state;
	refused(HEAD "figures:\n  accept: {value: 5, unit: sec, source: x}\n", 5, 28,
		"unknown unit 'sec'");
	refused(HEAD "figures:\n  acept: {value: 5, unit: us, source: x}\n", 5, 3,
		"did you mean 'accept'");
	refused(HEAD "figures:\n  accept: {value: 5, unit: us}\n", 5, 11, "'source' is required");
	refused(HEAD "figures:\n  accept: {value: -5, unit: us, source: x}\n", 5, 19, "-5");
	refused(HEAD "figures:\n  accept: {value: 0, unit: per-s, source: x}\n", 5, 19, "> 0");
	refused(HEAD "figures:\n  conn-bytes: {value: 5, unit: us, source: x}\n", 5, 32,
		"unknown unit 'us'");
	/* a record is priced per operation, not per byte */
	refused(HEAD "figures:\n  tls-record: {value: 5, unit: ns/B, source: x}\n", 5, 32,
		"unknown unit 'ns/B'");
	refused(HEAD "figures:\n  tls-record: {value: five, unit: us, source: x}\n", 5, 23,
		"five");
	/* a wake-up is an operation too, and its value a number */
	refused(HEAD "figures:\n  wakeup: {value: 19, unit: ns/B, source: x}\n", 5, 29,
		"unknown unit 'ns/B'");
	refused(HEAD "figures:\n  wakeup: {value: fast, unit: us, source: x}\n", 5, 19, "fast");
	refused(HEAD "figures:\n  wakeup: {value: -1, unit: us, source: x}\n", 5, 19, "-1");
	refused(HEAD "figures:\n  tls-recrd: {value: 5, unit: us, source: x}\n", 5, 3,
		"did you mean 'tls-record'");
	refused(HEAD "figures:\n  accept: {value: 5, unit: us, source: x}\n"
		     "  accept: {value: 6, unit: us, source: x}\n", 6, 3, "given twice");
	refused(HEAD "figures: {}\n", 4, 10, "no figure");
	refused("lbsim-cost-profile: 2\nname: x\nprovenance: {kind: assumed, source: s}\n"
		"figures: {mtu: {value: 1500, unit: B, source: x}}\n", 1, 21, "version 1");
	refused("name: x\nprovenance: {kind: assumed, source: s}\n"
		"figures: {mtu: {value: 1500, unit: B, source: x}}\n", 1, 1,
		"'lbsim-cost-profile' is required");
	refused("lbsim-cost-profile: 1\nname: x\nprovenance: {kind: measured, source: s}\n"
		"figures: {mtu: {value: 1500, unit: B, source: x}}\n", 3, 13, "'host' is required");
	refused("lbsim-cost-profile: 1\nname: x\nprovenance: {kind: assumed, source: s}\n"
		"figures: {mtu: {value: 1500, unit: B, source: x}}\nextra: 1\n", 5, 1,
		"unknown key 'extra'");
	refused("lbsim-cost-profile: 1\nname: [x\n", 2, 9, "invalid YAML");
	refused("- a list\n", 1, 1, "a cost profile is a YAML mapping");
}

/* A scenario naming a profile file: read relative to the scenario's
 * folder; a missing file, a malformed one, and one that lacks a figure
 * the design needs are refused at the design's cost-profile key. */
static void test_scenario_names_file(void **state)
{
	(void)state;
	char dir[] = "/tmp/lbsim-costprof-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256], scn_path[256];
	snprintf(path, sizeof path, "%s/host1.yaml", dir);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(calibrated, fp);
	fclose(fp);
	snprintf(path, sizeof path, "%s/bad.yaml", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(HEAD "figures:\n  accept: {value: 5, unit: sec, source: x}\n", fp);
	fclose(fp);
	/* A profile written before wake-ups were priced: every figure a
	 * layer-4 proxy reads but `wakeup`. Refused, as one lacking any
	 * other figure is (rerun lbsim calibrate, or name it in costs:). */
	snprintf(path, sizeof path, "%s/old.yaml", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(HEAD "figures:\n"
		   "  accept: {value: 5, unit: us, source: x}\n"
		   "  connect: {value: 5, unit: us, source: x}\n"
		   "  relay: {value: 0.1, unit: ns/B, source: x}\n"
		   "  relay-message: {value: 5, unit: us, source: x}\n"
		   "  persist: {value: 500, unit: ns, source: x}\n"
		   "  probe: {value: 10, unit: us, source: x}\n"
		   "  mtu: {value: 1460, unit: B, source: x}\n"
		   "  conn-bytes: {value: 1700, unit: B, source: x}\n"
		   "  socket-buffer-bytes: {value: 6216, unit: B, source: x}\n"
		   "  buffer-bytes: {value: 16384, unit: B, source: x}\n",
	      fp);
	fclose(fp);
	static const char *const head =
		"name: s\nduration: 1h\nservers: {count: 2}\n"
		"populations: [{name: lan, users: 5, clients: [owa]}]\n";
	/* Each mistake is reported on line 6 (the design's) at mark. */
	struct {
		const char *design, *mark, *want;
	} cases[] = {
		{"{name: d, kind: l4, implementation: kernel-nat, cost-profile: ./none.yaml}",
		 "./none", "cannot open"},
		{"{name: d, kind: l7, cost-profile: bad.yaml}", "bad.yaml",
		 "bad.yaml:5:28: unknown unit 'sec'"},
		/* host1 gives no connect, relay, socket buffers... for a proxy */
		{"{name: d, kind: l4, cost-profile: host1.yaml}", "host1", "gives no connect"},
		{"{name: d, kind: l4, cost-profile: old.yaml}", "old.yaml", "gives no wakeup"},
		{"{name: d, kind: l4, cost-profile: haproxi}", "haproxi", "did you mean 'haproxy'"},
		{"{name: d, kind: l4, implementation: kernel-nat, costs: {relay: 1ns}}", "relay",
		 "'relay' applies to designs that read it"},
		{"{name: d, kind: l7, implementation: kernel-dr}", "kernel-dr", "only a proxy"},
		{"{name: d, kind: l4, http-reuse: always}", "http-reuse", "kind l7 only"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(scn_path, sizeof scn_path, "%s/s.yaml", dir);
		fp = fopen(scn_path, "w");
		assert_non_null(fp);
		fprintf(fp, "%sdesigns:\n  - %s\n", head, cases[i].design);
		fclose(fp);
		struct scenario *scn;
		struct scn_error err;
		assert_int_equal(scn_load(scn_path, &scn, &err), -1);
		print_message("%s:%u:%u: %s\n", err.file, err.line, err.column, err.message);
		assert_string_equal(err.file, scn_path);
		assert_int_equal(err.line, 6);
		/* "  - " opens the line; columns count from 1 */
		assert_int_equal(err.column, 5 + (strstr(cases[i].design, cases[i].mark) -
						  cases[i].design));
		assert_non_null(strstr(err.message, cases[i].want));
	}
	/* the top-level key names the profile of every design; the file's
	 * figures price them, the rest is refused only where needed */
	fp = fopen(scn_path, "w");
	assert_non_null(fp);
	fprintf(fp, "%scost-profile: ipvs\ndesigns:\n  - {name: k, kind: l4, implementation: kernel-dr}\n"
		"  - {name: x, kind: l4-multi, implementation: kernel-nat}\n", head);
	fclose(fp);
	struct scenario *scn;
	struct scn_error err;
	assert_int_equal(scn_load(scn_path, &scn, &err), 0);
	assert_string_equal(scn->designs[1].cost_source.name, "ipvs");
	assert_string_equal(scn->designs[0].cost_source.as_written, "ipvs");
	assert_int_equal(scn->designs[0].impl, COST_IMPL_KERNEL_DR);
	scn_free(scn);
	snprintf(path, sizeof path, "%s/host1.yaml", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/bad.yaml", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/old.yaml", dir);
	unlink(path);
	unlink(scn_path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_profiles),
		cmocka_unit_test(test_read_back),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_scenario_names_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
