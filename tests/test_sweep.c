/* Parameter overrides and sweeps.
 *
 * Overrides: a key is any path of the scenario; an unknown one suggests
 * the closest; every value is refused as the loader would refuse it in the
 * file (addresses on a unique population, cookie persistence on layer 4,
 * a check's fall above 100), "*" goes where the value fits, a value that
 * chooses an algorithm drops the keys the new one does not take, and the
 * common options go on top. Scaling users to a total is exact and keeps
 * the proportions to within one user.
 *
 * Sweeps: a point's rows in sweep.csv are the bytes of the summary.csv
 * that an experiment of the same scenario writes, the point's scenario
 * here written by hand (not through the override code), and the result is
 * the same bytes on one thread or two.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lbsim/experiment.h"
#include "lbsim/params.h"
#include "lbsim/sweep.h"

/* A scenario as a file says it: one open-traffic population "clients",
 * designs design1 (l4), design2 (l4-multi) and design3 (l7). */
static const char base_yaml[] =
	"name: fixture\n"
	"duration: 60s\n"
	"seed: 1\n"
	"servers: { count: 4, cores: 2, service: 10ms }\n"
	"populations:\n"
	"  - { name: clients, users: 100, rate: 1 }\n"
	"designs:\n"
	"  - name: design1\n"
	"    kind: l4\n"
	"  - { name: design2, kind: l4-multi }\n"
	"  - name: design3\n"
	"    kind: l7\n"
	"    check: { inter: 3s }\n";

static struct scenario *load_yaml(const char *text)
{
	struct scenario *scn = NULL;
	struct scn_error e;
	if (scn_load_buffer("base.yaml", text, strlen(text), &scn, &e) != 0)
		print_message("%s:%u:%u: %s\n", e.file, e.line, e.column, e.message);
	assert_non_null(scn);
	return scn;
}

static void parse_fails(const struct scenario *scn, const char *arg, const char *says)
{
	struct param_axis ax;
	char err[2048] = "";
	assert_int_equal(params_parse(&ax, scn, NULL, 0, arg, err, sizeof err), -1);
	if (!strstr(err, says))
		print_message("--set %s: '%s' does not say '%s'\n", arg, err, says);
	assert_non_null(strstr(err, says));
	params_axis_free(&ax);
}

static void test_parse_errors(void **state)
{
	(void)state;
	struct scenario *scn = load_yaml(base_yaml);
	parse_fails(scn, "servers.cunt=3", "did you mean 'count'?");
	parse_fails(scn, "servers.cunt=3", "keys: count, cores");
	parse_fails(scn, "sevrers.count=3", "did you mean 'servers'?");
	parse_fails(scn, "servers.count", "KEY=VALUE");
	parse_fails(scn, "=4", "KEY=VALUE");
	parse_fails(scn, "servers.count=0", "from 1 to 4096");
	parse_fails(scn, "servers.count=two", "'count' must be a whole number");
	parse_fails(scn, "servers.count=2,", "empty value");
	parse_fails(scn, "servers.count=2,2", "given twice");
	parse_fails(scn, "servers.cores=-1", "'cores' must be a whole number");
	parse_fails(scn, "duration=10", "needs a unit");
	parse_fails(scn, "duration=0s", "more than 0");
	parse_fails(scn, "servers=4", "servers is a mapping; give one of its keys (count,");
	parse_fails(scn, "designs.design1=4", "is a mapping");
	parse_fails(scn, "population.nosuch.users=5", "no entry 'nosuch' (populations: clients");
	parse_fails(scn, "design.design4.lb_cores=2", "did you mean 'design1'?");
	parse_fails(scn, "design.nosuch.lb_cores=2", "designs: design1, design2, design3");
	parse_fails(scn, "population.clients.addresses=4", "'addresses' applies to nat and cgnat");
	parse_fails(scn, "population.*.addresses=4", "'addresses' applies to nat and cgnat");
	parse_fails(scn, "population.clients.rate=0", "more than 0");
	parse_fails(scn, "design.design1.persist=cookie", "needs layer 7");
	parse_fails(scn, "design.design1.persist=sticky", "unknown method 'sticky'");
	parse_fails(scn, "design.design1.balance=uri", "needs layer-7 data");
	parse_fails(scn, "design.design1.balance=fastest", "unknown balance 'fastest'");
	parse_fails(scn, "designs.design3.draws=2", "'draws' applies to balance random only");
	parse_fails(scn, "designs.design3.check.fall=101", "from 1 to 100");
	parse_fails(scn, "faults.1.at=5s", "the scenario has no faults");
	parse_fails(scn, "clients.eas.connections=65", "from 1 to 64");
	parse_fails(scn, "clients.imap.think=1s", "clients has no key 'imap'; did you mean 'mapi'?");
	parse_fails(scn, "users=0", "from 1");
	scn_free(scn);
}

static void test_parse_and_apply(void **state)
{
	(void)state;
	struct scenario *scn = load_yaml(base_yaml);
	struct param_axis ax;
	char err[1024];
	struct scenario *point;
	uint32_t choice[1] = {1};

	assert_int_equal(params_parse(&ax, scn, NULL, 0, "design.*.check.inter=2s,500ms", err,
				      sizeof err), 0);
	assert_int_equal(ax.nvalues, 2);
	assert_string_equal(ax.values[0].text, "2");     /* durations in seconds */
	assert_string_equal(ax.values[1].text, "0.5");
	assert_int_equal(params_point(scn, &ax, 1, choice, NULL, &point, err, sizeof err), 0);
	for (uint32_t d = 0; d < 3; d++)
		assert_int_equal(point->designs[d].check.params.inter_ns, 500000000ull);
	/* The original is untouched. */
	assert_int_equal(scn->designs[0].check.params.inter_ns, 0);
	assert_int_equal(scn->designs[2].check.params.inter_ns, 3000000000ull);
	scn_free(point);
	params_axis_free(&ax);

	/* Cookie persistence on every design: "*" sets it where it fits
	 * (the l7 design) and leaves the layer-4 ones alone. */
	choice[0] = 0;
	assert_int_equal(params_parse(&ax, scn, NULL, 0, "design.*.persist=cookie", err, sizeof err), 0);
	assert_int_equal(params_point(scn, &ax, 1, choice, NULL, &point, err, sizeof err), 0);
	assert_null(point->designs[0].persist);
	assert_non_null(point->designs[2].persist);
	assert_string_equal(point->designs[2].persist->name, "cookie");
	assert_int_equal(point->designs[2].pers_params.size, 100000);
	scn_free(point);
	params_axis_free(&ax);

	choice[0] = 1;
	assert_int_equal(params_parse(&ax, scn, NULL, 0, "design.design3.lb_cores=0,4", err, sizeof err), 0);
	assert_int_equal(params_point(scn, &ax, 1, choice, NULL, &point, err, sizeof err), 0);
	assert_int_equal(point->designs[2].lb_cores, 4);
	assert_true(point->designs[2].lb_queue > 0);
	scn_free(point);
	params_axis_free(&ax);

	/* The common options go on top of the edited file. */
	assert_int_equal(params_parse(&ax, scn, NULL, 0, "servers.count=1,8", err, sizeof err), 0);
	struct params_common common = {.seed_set = 1, .seed = 99, .replications = 3};
	assert_int_equal(params_point(scn, &ax, 1, choice, &common, &point, err, sizeof err), 0);
	assert_int_equal(point->servers.count, 8);
	assert_int_equal(point->seed, 99);
	assert_int_equal(point->replications, 3);
	assert_int_equal(scn->servers.count, 4);
	scn_free(point);
	params_axis_free(&ax);

	/* users: every population scaled to the total. */
	assert_int_equal(params_parse(&ax, scn, NULL, 0, "users=250,1000", err, sizeof err), 0);
	assert_int_equal(params_point(scn, &ax, 1, choice, NULL, &point, err, sizeof err), 0);
	assert_int_equal(point->populations[0].users, 1000);
	scn_free(point);
	params_axis_free(&ax);

	/* A value that chooses an algorithm removes what the new one does
	 * not take. */
	const char with_hash[] =
		"name: h\nduration: 60s\nservers: { count: 4, service: 10ms }\n"
		"populations: [{ name: p, users: 10, rate: 1 }]\n"
		"designs:\n  - name: d\n    kind: l4\n    balance: source\n"
		"    hash-type: maglev\n    table-size: 251\n";
	struct scenario *h = load_yaml(with_hash);
	choice[0] = 0;
	assert_int_equal(params_parse(&ax, h, NULL, 0, "designs.d.balance=roundrobin", err, sizeof err), 0);
	char *text;
	size_t len;
	assert_int_equal(params_point_text(h, &ax, 1, choice, &text, &len, err, sizeof err), 0);
	assert_string_equal(text, "name: h\nduration: 60s\nservers: { count: 4, service: 10ms }\n"
			    "populations: [{ name: p, users: 10, rate: 1 }]\n"
			    "designs:\n  - name: d\n    kind: l4\n    balance: roundrobin\n");
	free(text);
	params_axis_free(&ax);
	assert_int_equal(params_parse(&ax, h, NULL, 0, "designs.d.hash-type=consistent", err, sizeof err), 0);
	assert_int_equal(params_point_text(h, &ax, 1, choice, &text, &len, err, sizeof err), 0);
	assert_non_null(strstr(text, "hash-type: consistent\n"));
	assert_null(strstr(text, "table-size"));
	free(text);
	params_axis_free(&ax);
	scn_free(h);
	scn_free(scn);
}

/* Users scaled to a total: exact, at least one each, each within one
 * user of its exact share. */
static void test_scale_users(void **state)
{
	(void)state;
	struct scn_population pops[3] = {{.users = 1}, {.users = 2}, {.users = 7}};
	snprintf(pops[0].name, sizeof pops[0].name, "a");
	snprintf(pops[1].name, sizeof pops[1].name, "b");
	snprintf(pops[2].name, sizeof pops[2].name, "c");
	struct scenario scn = {.populations = pops, .npopulations = 3};
	char err[256];
	static const uint64_t totals[] = {3, 4, 10, 11, 99, 1000, 123457};
	for (size_t i = 0; i < sizeof totals / sizeof totals[0]; i++) {
		pops[0].users = 1, pops[1].users = 2, pops[2].users = 7;
		assert_int_equal(params_scale_users(&scn, totals[i], err, sizeof err), 0);
		assert_int_equal(params_total_users(&scn), totals[i]);
		static const double share[] = {0.1, 0.2, 0.7};
		for (int k = 0; k < 3; k++) {
			assert_true(pops[k].users >= 1);
			double exact = 1 + share[k] * (double)(totals[i] - 3);
			assert_true((double)pops[k].users > exact - 1 && (double)pops[k].users < exact + 1);
		}
	}
	pops[0].users = 1, pops[1].users = 2, pops[2].users = 7;
	assert_int_equal(params_scale_users(&scn, 2, err, sizeof err), -1);
	assert_non_null(strstr(err, "3 populations"));
}

/* ---- sweep against experiments ---------------------------------------------- */

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	long n = ftell(fp);
	rewind(fp);
	char *buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

/* Lines of sweep.csv whose first naxes fields are the point's values,
 * without those fields, joined: what the point's summary.csv holds after
 * its header. */
static char *point_rows(const char *sweep, unsigned naxes, const char *const *values)
{
	size_t cap = strlen(sweep) + 1, used = 0;
	char *out = malloc(cap);
	assert_non_null(out);
	out[0] = '\0';
	const char *line = strchr(sweep, '\n') + 1; /* skip the header */
	while (*line) {
		const char *end = strchr(line, '\n');
		const char *p = line;
		int match = 1;
		for (unsigned a = 0; a < naxes; a++) {
			size_t n = strcspn(p, ",");
			match &= strlen(values[a]) == n && strncmp(p, values[a], n) == 0;
			p += n + 1;
		}
		if (match) {
			memcpy(out + used, p, (size_t)(end - p) + 1);
			used += (size_t)(end - p) + 1;
			out[used] = '\0';
		}
		line = end + 1;
	}
	return out;
}

/* The scenario of the sweep, with count servers and design2 limited to
 * lb_cores balancer cores (0: unlimited), written by hand. */
static char *sweep_yaml(unsigned count, unsigned lb_cores)
{
	char *s = malloc(1024);
	assert_non_null(s);
	snprintf(s, 1024,
		 "name: sweep fixture\n"
		 "duration: 30s\n"
		 "warmup: 5s\n"
		 "seed: 5\n"
		 "replications: 2\n"
		 "servers: { count: %u, cores: 2, service: 10ms }\n"
		 "populations:\n"
		 "  - { name: clients, users: 200, rate: 1 }\n"
		 "designs:\n"
		 "  - { name: design1, kind: l4 }\n"
		 "  - name: design2\n"
		 "    kind: l4-multi\n"
		 "%s",
		 count, lb_cores ? "    lb-cores: 1\n" : "");
	return s;
}

static void test_sweep_equals_runs(void **state)
{
	(void)state;
	/* 3 x 2 = 6 points, 2 designs, 2 replications: 24 short runs. */
	char *base_text = sweep_yaml(3, 0);
	struct scenario *scn = load_yaml(base_text);
	struct param_axis axes[2];
	char err[1024];
	assert_int_equal(params_parse(&axes[0], scn, NULL, 0, "servers.count=2,3,5", err, sizeof err), 0);
	assert_int_equal(params_parse(&axes[1], scn, axes, 1, "design.design2.lb_cores=0,1", err,
				      sizeof err), 0);
	struct sweep sw;
	assert_int_equal(sweep_prepare(&sw, scn, axes, 2, NULL, err, sizeof err), 0);
	assert_int_equal(sw.npoints, 6);
	assert_int_equal(sw.ntasks, 24);
	assert_int_equal(sweep_run(&sw, NULL, 2, NULL, err, sizeof err), 0);

	char dir[] = "/tmp/lbsim-test-sweep-XXXXXX";
	assert_non_null(mkdtemp(dir));
	assert_int_equal(sweep_write_csv(&sw, dir, err, sizeof err), 0);
	char path[512];
	snprintf(path, sizeof path, "%s/sweep.csv", dir);
	char *sweep = slurp(path);
	assert_int_equal(strncmp(sweep, "servers.count,design.design2.lb_cores,design,metric,scope,"
				 "unit,mean,ci95_low,ci95_high,replications\n", 92), 0);

	/* One thread: the same bytes. */
	struct sweep one;
	assert_int_equal(sweep_prepare(&one, scn, axes, 2, NULL, err, sizeof err), 0);
	assert_int_equal(sweep_run(&one, NULL, 1, NULL, err, sizeof err), 0);
	char dir1[] = "/tmp/lbsim-test-sweep1-XXXXXX";
	assert_non_null(mkdtemp(dir1));
	assert_int_equal(sweep_write_csv(&one, dir1, err, sizeof err), 0);
	snprintf(path, sizeof path, "%s/sweep.csv", dir1);
	char *sweep1 = slurp(path);
	assert_string_equal(sweep, sweep1);

	static const unsigned counts[] = {2, 3, 5};
	static const char *const count_text[] = {"2", "3", "5"};
	static const char *const cores_text[] = {"0", "1"};
	for (int c = 0; c < 3; c++) {
		for (int l = 0; l < 2; l++) {
			/* The point's scenario, written by hand. */
			char *text = sweep_yaml(counts[c], (unsigned)l);
			struct scenario *g = load_yaml(text);
			struct experiment ex = {0};
			assert_int_equal(experiment_run(&ex, g, 1, NULL, err, sizeof err), 0);
			char pdir[] = "/tmp/lbsim-test-point-XXXXXX";
			assert_non_null(mkdtemp(pdir));
			assert_int_equal(experiment_write_csv(&ex, pdir, err, sizeof err), 0);
			experiment_free(&ex);
			snprintf(path, sizeof path, "%s/summary.csv", pdir);
			char *summary = slurp(path);
			const char *values[] = {count_text[c], cores_text[l]};
			char *rows = point_rows(sweep, 2, values);
			assert_string_equal(rows, strchr(summary, '\n') + 1);
			free(rows);
			free(summary);
			scn_free(g);
			free(text);
			char cmd[600];
			snprintf(cmd, sizeof cmd, "rm -rf '%s'", pdir);
			assert_int_equal(system(cmd), 0);
		}
	}
	free(sweep);
	free(sweep1);
	sweep_free(&sw);
	sweep_free(&one);
	params_axis_free(&axes[0]);
	params_axis_free(&axes[1]);
	scn_free(scn);
	free(base_text);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", dir, dir1);
	assert_int_equal(system(cmd), 0);
}

/* A point the loader refuses stops the sweep before any run, and the
 * message names the point and the place in the file. */
static void test_sweep_refuses_bad_point(void **state)
{
	(void)state;
	static const char text[] =
		"name: f\nduration: 60s\nservers: { count: 4, service: 10ms }\n"
		"populations: [{ name: p, users: 100, rate: 1 }]\n"
		"designs: [{ name: d, kind: l4 }]\n"
		"faults:\n  - { at: 10s, server: 4 }\n";
	struct scenario *scn = load_yaml(text);
	struct param_axis ax;
	char err[1024];
	assert_int_equal(params_parse(&ax, scn, NULL, 0, "servers.count=8,4,2", err, sizeof err), 0);
	struct sweep sw;
	assert_int_equal(sweep_prepare(&sw, scn, &ax, 1, NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, "servers.count=2"));
	assert_non_null(strstr(err, "base.yaml:7:24: server 4 does not exist"));
	sweep_free(&sw);
	params_axis_free(&ax);
	scn_free(scn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_and_apply),
		cmocka_unit_test(test_scale_users),
		cmocka_unit_test(test_sweep_equals_runs),
		cmocka_unit_test(test_sweep_refuses_bad_point),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
