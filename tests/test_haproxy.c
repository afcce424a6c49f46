/* HAProxy configurations: the tokenizer (quotes, escapes, comments,
 * columns), the import of a hand-written Exchange configuration (designs,
 * and every line not modelled listed with its reason), import(export(d))
 * == d over a catalogue of designs of every kind, balance, persistence and
 * check, refusals of what HAProxy cannot express, and bad configurations
 * reported at their line and column. tests/cli_haproxy.sh runs
 * `haproxy -c` on the exports. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lbsim/haproxy.h"
#include "lbsim/scenario.h"
#include "lbsim/scenario_write.h"
#include "lbsim/workload.h"

static struct hap_cfg *parse(const char *text, struct hap_error *err)
{
	struct hap_cfg *cfg = NULL;
	if (hap_cfg_parse_buffer("t.cfg", text, strlen(text), &cfg, err) != 0)
		return NULL;
	return cfg;
}

static void test_tokenizer(void **state)
{
	(void)state;
	struct hap_error err;
	struct hap_cfg *cfg = parse(
		"# a comment\n"
		"global\n"
		"    log \"/dev/log\" local0   # trailing comment\n"
		"\n"
		"backend be\n"
		"\tacl x hdr(host) -i 'mail.contoso.com' \"a b\\\"c\" d\\ e f\\#g \\x41\n", &err);
	assert_non_null(cfg);
	assert_int_equal(cfg->nsecs, 2);
	assert_string_equal(cfg->secs[0].kind, "global");
	assert_string_equal(cfg->secs[1].kind, "backend");
	assert_string_equal(cfg->secs[1].name, "be");
	assert_int_equal(cfg->nlines, 4);
	const struct hap_line *l = &cfg->lines[1];
	assert_int_equal(l->line, 3);
	assert_int_equal(l->n, 3);
	assert_string_equal(l->w[1].s, "/dev/log");
	assert_int_equal(l->w[1].column, 9);
	l = &cfg->lines[3];
	assert_int_equal(l->n, 9);
	assert_string_equal(l->w[4].s, "mail.contoso.com");
	assert_string_equal(l->w[5].s, "a b\"c");
	assert_string_equal(l->w[6].s, "d e");
	assert_string_equal(l->w[7].s, "f#g");
	assert_string_equal(l->w[8].s, "A");
	assert_int_equal(l->w[0].column, 2);
	assert_int_equal(cfg->secs[1].count, 1);
	hap_cfg_free(cfg);

	assert_null(parse("frontend f\n    bind \"x\n", &err));
	assert_int_equal(err.line, 2);
	assert_int_equal(err.column, 10);
	assert_non_null(strstr(err.message, "does not close"));
	assert_null(parse("  maxconn 10\nglobal\n", &err));
	assert_int_equal(err.line, 1);
	assert_int_equal(err.column, 3);
	assert_non_null(strstr(err.message, "outside any section"));
}

/* An Exchange site's configuration, as an administrator might write it:
 * an l7 frontend with named and anonymous ACLs, an l4 frontend, defaults,
 * a stats listener that is no design. */
static const char site_cfg[] =
	"global\n"                                                     /* 1 */
	"    maxconn 20000\n"
	"    nbthread 4\n"
	"defaults\n"
	"    mode http\n"                                              /* 5 */
	"    timeout client 15m\n"
	"    default-server inter 3s rise 3 fall 2\n"
	"frontend exchange\n"
	"    bind 10.0.0.10:443 ssl crt /etc/ssl/mail.pem alpn http/1.1\n"
	"    acl owa path_beg -i /owa /ecp\n"                        /* 10 */
	"    use_backend be_owa if owa\n"
	"    use_backend be_eas if { path_beg -i /Microsoft-Server-ActiveSync }\n"
	"    use_backend be_mapi if { path_beg -i /mapi }\n"
	"    default_backend be_owa\n"
	"backend be_owa\n"                                             /* 15 */
	"    balance leastconn\n"
	"    cookie SRV insert indirect nocache maxidle 2h\n"
	"    option httpchk GET /owa/healthcheck.htm\n"
	"    http-check expect status 200\n"
	"    server cas1 10.0.1.11:443 check ssl verify none weight 10\n" /* 20 */
	"    server cas2 10.0.1.12:443 check ssl verify none\n"
	"    server cas3 10.0.1.13:443 check ssl verify none\n"
	"backend be_eas\n"
	"    balance roundrobin\n"
	"    cookie SRV insert indirect nocache maxidle 2h\n"         /* 25 */
	"    option httpchk GET /Microsoft-Server-ActiveSync/healthcheck.htm\n"
	"    server cas1 10.0.1.11:443 check ssl verify none\n"
	"    server cas2 10.0.1.12:443 check ssl verify none\n"
	"    server cas3 10.0.1.13:443 check ssl verify none\n"
	"backend be_mapi\n"                                            /* 30 */
	"    balance leastconn\n"
	"    cookie SRV insert indirect nocache maxidle 2h\n"
	"    option httpchk GET /owa/healthcheck.htm\n"
	"    server cas1 10.0.1.11:443 check ssl verify none\n"
	"    server cas2 10.0.1.12:443 check ssl verify none\n"      /* 35 */
	"    server cas3 10.0.1.13:443 check ssl verify none\n"
	"frontend exchange-l4\n"
	"    mode tcp\n"
	"    bind 10.0.0.11:443\n"
	"    default_backend be_tcp\n"                                  /* 40 */
	"backend be_tcp\n"
	"    mode tcp\n"
	"    balance source\n"
	"    hash-type consistent\n"
	"    stick-table type ip size 200k expire 30m\n"              /* 45 */
	"    stick on src,ipmask(24)\n"
	"    server cas1 10.0.1.11:443 check\n"
	"    server cas2 10.0.1.12:443 check\n"
	"listen stats\n"
	"    bind :8404\n"                                               /* 50 */
	"    stats enable\n";

/* The printed list of lines not modelled, in a buffer. */
static char *unmodelled(const struct hap_cfg *cfg, unsigned *n)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	*n = hap_print_unmodelled(mem, cfg, "");
	fclose(mem);
	return text;
}

static void test_import_site(void **state)
{
	(void)state;
	struct hap_error err;
	struct hap_cfg *cfg = parse(site_cfg, &err);
	assert_non_null(cfg);
	struct hap_import *im = malloc(sizeof *im);
	if (hap_import(cfg, im, &err) != 0)
		fail_msg("%u:%u: %s", err.line, err.column, err.message);
	/* Two designs: the stats listener sends nowhere and is listed. */
	assert_int_equal(im->ndesigns, 2);
	assert_int_equal(im->servers, 3);
	/* The servers from the first design's first backend (be_owa): cas1
	 * with weight 10, the others HAProxy's default 1. */
	assert_int_equal(im->neach, 3);
	assert_int_equal(im->each[0].weight, 10);
	assert_int_equal(im->each[1].weight, 1);
	assert_int_equal(im->each[2].weight, 1);
	/* Each server line's address and port, as lbsim writes an endpoint. */
	assert_string_equal(im->each[0].address, "10.0.1.11:443");
	assert_string_equal(im->each[2].address, "10.0.1.13:443");

	const struct scn_design *l7 = &im->designs[0];
	assert_string_equal(l7->name, "exchange");
	assert_int_equal(l7->kind, SCN_DESIGN_L7);
	/* be_owa (the first workload's) sets the design. */
	assert_ptr_equal(l7->balance, &lb_sel_leastconn);
	assert_ptr_equal(l7->persist, &lb_pers_cookie);
	assert_true(l7->pers_params.expire_ns == 2ull * 3600 * SIM_NS_PER_S);
	assert_ptr_equal(l7->check.kind, &lb_hc_http);
	assert_true(l7->check.params.inter_ns == 3ull * SIM_NS_PER_S);
	assert_int_equal(l7->check.params.rise, 3);
	assert_int_equal(l7->check.params.fall, 2);
	assert_int_equal(l7->check.params.expect_status, 200);
	assert_string_equal(l7->check.params.path, "");
	assert_true(l7->tls_reencrypt);
	assert_int_equal(l7->lb_cores, 4);

	const struct scn_design *l4 = &im->designs[1];
	assert_string_equal(l4->name, "exchange-l4");
	assert_int_equal(l4->kind, SCN_DESIGN_L4);
	assert_ptr_equal(l4->balance, &lb_sel_source);
	assert_int_equal(l4->sel_params.hash_type, 1 /* consistent */);
	assert_ptr_equal(l4->persist, &lb_pers_source_ip);
	assert_int_equal(l4->pers_params.netmask, 24);
	assert_int_equal(l4->pers_params.size, 200 * 1024);
	assert_ptr_equal(l4->check.kind, &lb_hc_tcp);

	unsigned n;
	char *list = unmodelled(cfg, &n);
	static const char *const expected[] = {
		"t.cfg:2: maxconn 20000: not modelled",
		"t.cfg:3: nbthread 4: taken as the balancer's cores",
		"t.cfg:6: timeout client 15m: not modelled",
		"t.cfg:9: bind 10.0.0.10:443 ssl crt ...: bind options other than ssl crt",
		"t.cfg:24: balance roundrobin: balance differs from backend be_owa's",
		("t.cfg:27: server cas1 10.0.1.11:443 check ...: server weights, maxconn, "
		 "backup or addresses differ from backend be_owa's"),
		("t.cfg:34: server cas1 10.0.1.11:443 check ...: server weights, maxconn, "
		 "backup or addresses differ from backend be_owa's"),
		("t.cfg:47: server cas1 10.0.1.11:443 check: server weights, maxconn, backup or "
		 "addresses differ from another design's backend"),
		("t.cfg:33: option httpchk GET /owa/healthcheck.htm: backend be_mapi checks "
		"/owa/healthcheck.htm, not its workload's page /mapi/healthcheck.htm"),
		"t.cfg:49: listen stats: sends nowhere",
		"t.cfg:50: bind :8404: not modelled",
		"t.cfg:51: stats enable: not modelled",
	};
	for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
		if (!strstr(list, expected[i]))
			fail_msg("missing '%s' in:\n%s", expected[i], list);
	assert_int_equal(n, sizeof expected / sizeof expected[0]);
	free(list);
	free(im);
	hap_cfg_free(cfg);
}

/* A scenario with the given designs (YAML text of the designs list). */
static struct scenario *scenario(const char *designs)
{
	char text[8192];
	snprintf(text, sizeof text,
		 "name: roundtrip\nduration: 10m\nservers: { count: 5 }\n"
		 "populations:\n  - { name: u, users: 10, clients: [owa, eas] }\n"
		 "designs:\n%s", designs);
	struct scenario *scn;
	struct scn_error err;
	if (scn_load_buffer("roundtrip.yaml", text, strlen(text), &scn, &err) != 0)
		fail_msg("%u:%u: %s", err.line, err.column, err.message);
	return scn;
}

/* export, parse, import: the same design, and 5 servers. */
static void roundtrip(const struct scenario *scn, uint32_t d)
{
	char *text = NULL, err[512];
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	struct hap_export_opts o = {.haproxy_minor = 31};
	if (hap_export(mem, scn, d, &o, NULL, err, sizeof err) != 0)
		fail_msg("export %s: %s", scn->designs[d].name, err);
	fclose(mem);
	struct hap_error herr;
	struct hap_cfg *cfg = parse(text, &herr);
	if (!cfg)
		fail_msg("%s: %u:%u: %s\n%s", scn->designs[d].name, herr.line, herr.column,
			 herr.message, text);
	struct hap_import *im = malloc(sizeof *im);
	if (hap_import(cfg, im, &herr) != 0)
		fail_msg("%s: %u:%u: %s\n%s", scn->designs[d].name, herr.line, herr.column,
			 herr.message, text);
	assert_int_equal(im->ndesigns, 1);
	assert_int_equal(im->servers, 5);
	char why[256];
	if (hap_design_compare(&scn->designs[d], &im->designs[0], why, sizeof why) != 0)
		fail_msg("%s: %s\n%s", scn->designs[d].name, why, text);
	/* The imported design, written and loaded back: still the same. */
	char *y = NULL;
	size_t ylen = 0;
	mem = open_memstream(&y, &ylen);
	fprintf(mem, "name: again\nduration: 10m\nservers: { count: 5 }\npopulations:\n"
		"  - { name: u, users: 10, clients: [owa, eas] }\ndesigns:\n");
	scn_write_design(mem, &im->designs[0], "  ");
	fclose(mem);
	struct scenario *again;
	struct scn_error serr;
	if (scn_load_buffer("again.yaml", y, ylen, &again, &serr) != 0)
		fail_msg("%u:%u: %s\n%s", serr.line, serr.column, serr.message, y);
	if (hap_design_compare(&scn->designs[d], &again->designs[0], why, sizeof why) != 0)
		fail_msg("%s written and loaded: %s\n%s", scn->designs[d].name, why, y);
	scn_free(again);
	free(y);
	free(im);
	hap_cfg_free(cfg);
	free(text);
}

/* Every design of the catalogue survives import(export(d)). */
static void test_roundtrip_catalogue(void **state)
{
	(void)state;
	static const char *const catalogue[] = {
		"  - { name: a, kind: l4 }\n",
		"  - { name: a, kind: l4-multi, balance: leastconn }\n",
		"  - { name: a, kind: l7, balance: static-rr }\n",
		"  - { name: a, kind: l4, balance: first }\n",
		"  - { name: a, kind: l4, balance: random }\n",
		"  - { name: a, kind: l7, balance: random, draws: 2 }\n",
		"  - { name: a, kind: l4, balance: source, hash-function: none }\n",
		("  - { name: a, kind: l4, balance: source, hash-type: consistent, hash-function: none,"
		" avalanche: true, hash-balance-factor: 1.5 }\n"),
		"  - { name: a, kind: l7, balance: uri, hash-function: sdbm }\n",
		"  - { name: a, kind: l7, balance: uri, hash-type: consistent, hash-function: djb2 }\n",
		"  - { name: a, kind: l7, balance: hdr(Host), hash-function: djb2, avalanche: true }\n",
		"  - { name: a, kind: l4, persist: { method: source-ip } }\n",
		("  - { name: a, kind: l4-multi, persist: { method: source-ip, netmask: 24, size: 5000,"
		" expire: 2h, full: refuse } }\n"),
		"  - { name: a, kind: l4, persist: { method: ssl-session-id, size: 30000, expire: 5m } }\n",
		"  - { name: a, kind: l7, persist: { method: ssl-session-id, expire: 90s } }\n",
		"  - { name: a, kind: l7, persist: { method: cookie, expire: 45m } }\n",
		"  - { name: a, kind: l4, check: { kind: tcp, inter: 5s, rise: 3, fall: 4 } }\n",
		("  - { name: a, kind: l4, check: { kind: http, path: /ecp/healthcheck.htm, inter: 1500ms,"
		" fastinter: 500ms, downinter: 30s, timeout: 1s } }\n"),
		"  - { name: a, kind: l4-multi, check: { kind: deep, inter: 10s } }\n",
		"  - { name: a, kind: l4, check: { kind: deep, path: /ews/ } }\n",
		"  - { name: a, kind: l7, check: { init: fully-down, rise: 1 } }\n",
		"  - { name: a, kind: l7, reencrypt: true, lb-cores: 4 }\n",
		"  - { name: a, kind: l4, lb-cores: 2 }\n",
	};
	for (size_t i = 0; i < sizeof catalogue / sizeof catalogue[0]; i++) {
		struct scenario *scn = scenario(catalogue[i]);
		roundtrip(scn, 0);
		scn_free(scn);
	}
}

/* What HAProxy cannot run as simulated is refused, with the reason. */
static void test_refusals(void **state)
{
	(void)state;
	static const struct {
		const char *design;
		const char *why;
	} cases[] = {
		{"  - { name: a, kind: l4, balance: source, hash-type: maglev, hash-function: none }\n",
		 "maglev has no HAProxy equivalent"},
		{"  - { name: a, kind: l4, balance: source }\n",
		 "HAProxy hashes the address itself"},
		{"  - { name: a, kind: l7, balance: uri }\n", "hash-function murmur"},
		{"  - { name: a, kind: l7, check: { init: down } }\n", "init-state"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct scenario *scn = scenario(cases[i].design);
		char err[512];
		FILE *null = fopen("/dev/null", "w");
		struct hap_export_opts o = {.haproxy_minor = 26};
		assert_int_equal(hap_export(null, scn, 0, &o, NULL, err, sizeof err), -1);
		if (!strstr(err, cases[i].why))
			fail_msg("%s: '%s'", cases[i].design, err);
		/* --nearest writes something HAProxy runs, and says what changed. */
		char *notes = NULL;
		size_t nlen = 0;
		FILE *mem = open_memstream(&notes, &nlen);
		o.nearest = 1;
		assert_int_equal(hap_export(null, scn, 0, &o, mem, err, sizeof err), 0);
		fclose(mem);
		assert_non_null(strstr(notes, "nearest: "));
		free(notes);
		fclose(null);
		scn_free(scn);
	}
}

static void expect_bad(const char *text, unsigned line, unsigned column, const char *words)
{
	struct hap_error err;
	struct hap_cfg *cfg = parse(text, &err);
	assert_non_null(cfg);
	struct hap_import *im = malloc(sizeof *im);
	int rc = hap_import(cfg, im, &err);
	if (rc != -1 || err.line != line || err.column != column || !strstr(err.message, words))
		fail_msg("want %u:%u '%s', got rc %d %u:%u '%s'", line, column, words, rc, err.line,
			 err.column, err.message);
	free(im);
	hap_cfg_free(cfg);
}

static void test_bad_values(void **state)
{
	(void)state;
	const char *fe = "frontend f\n  bind :443\n  default_backend b\nbackend b\n";
	char text[1024];
	snprintf(text, sizeof text, "%s  server s1 10.0.0.1:443 check inter 2x\n", fe);
	expect_bad(text, 5, 38, "'2x' is not a time");
	snprintf(text, sizeof text, "%s  server s1 10.0.0.1:443 check rise 0\n", fe);
	expect_bad(text, 5, 37, "'0' is not a whole number from 1 to 100");
	snprintf(text, sizeof text, "%s  stick-table type ip size 10q expire 1m\n  stick on src\n"
		 "  server s1 10.0.0.1:443\n", fe);
	expect_bad(text, 5, 28, "size '10q'");
	snprintf(text, sizeof text, "%s  balance random(0)\n  server s1 10.0.0.1:443\n", fe);
	expect_bad(text, 5, 11, "random(N) takes a number of draws");
	snprintf(text, sizeof text, "%s  mode http\n  server s1 10.0.0.1:443\n", fe);
	expect_bad(text, 5, 8, "backend b is mode http, its frontend mode tcp");
	expect_bad("frontend f\n  bind :443\n  default_backend nope\n", 3, 19,
		   "backend 'nope' is not defined");
	expect_bad("global\n  maxconn 1\nbackend b\n  server s1 10.0.0.1:443\n", 0, 0,
		   "no frontend or listen");
	expect_bad("frontend f\n  bind :443\n  default_backend b\nbackend b\n  balance roundrobin\n", 0,
		   0, "no backend lists a server");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tokenizer),
		cmocka_unit_test(test_import_site),
		cmocka_unit_test(test_roundtrip_catalogue),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_bad_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
