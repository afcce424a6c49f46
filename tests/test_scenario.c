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
#include "lbsim/lb_sel.h"
#include "lbsim/scenario.h"
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

	/* What the file cannot say yet is left as the C fixtures leave it:
	 * zero, or the documented tables. */
	struct cost_params costs;
	cost_params_default(&costs);
	assert_memory_equal(&scn->designs[0].costs, &costs, sizeof costs);
	assert_null(scn->designs[0].persist);
	assert_null(scn->designs[0].check.kind);
	assert_string_equal(scn->designs[0].sel_params.hdr_name, "");
	assert_int_equal(scn->populations[0].clients, 0);
	assert_int_equal(scn->nfaults, 0);
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
			"(valid: name, duration, warmup, seed, replications, servers, populations, designs)" },
		{ VALID "\"a\\tb\": 1\n", 8, 1,
		  "unknown key 'a\\x09b' in the scenario (valid: name, duration, warmup, "
		  "seed, replications, servers, populations, designs)" },
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
		  4, 45, "source 'nat' is not supported in scenario files yet (valid: unique)" },
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
				    "name, users, source, rate, not a sequence");
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
				    "populations, designs)");
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
		cmocka_unit_test(test_every_good_file_loads),
		cmocka_unit_test(test_duration_good),
		cmocka_unit_test(test_duration_bad),
		cmocka_unit_test(test_buffer_errors),
		cmocka_unit_test(test_buffer_length_is_respected),
		cmocka_unit_test(test_hostile_inputs),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_error_print),
		cmocka_unit_test(test_kind_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
