/* Parameter overrides and sweeps.
 *
 * Overrides: every key reads its values, refuses bad ones with a message
 * that says what is valid, and refuses what the loader would refuse
 * (addresses on a unique population, cookie persistence on layer 4, a
 * fault on a server the new count leaves out). Scaling users to a total
 * is exact and keeps the proportions to within one user.
 *
 * Sweeps: a point's rows in sweep.csv are the bytes of the summary.csv
 * that an experiment of the same scenario writes, the scenario here set
 * by hand (not through the override code), and the result is the same
 * bytes on one thread or two.
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
#include "sim_fixture.h"

static void parse_fails(const struct scenario *scn, const char *arg, const char *says)
{
	struct param_axis ax;
	char err[2048] = "";
	assert_int_equal(params_parse(&ax, scn, arg, err, sizeof err), -1);
	if (!strstr(err, says))
		print_message("--set %s: '%s' does not say '%s'\n", arg, err, says);
	assert_non_null(strstr(err, says));
}

static void test_parse_errors(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, 4, 2, 10000000, 100, 1, 60, 0, 3);
	parse_fails(&f.scn, "servers.cunt=3", "valid keys: servers.count");
	parse_fails(&f.scn, "servers.count", "KEY=VALUE");
	parse_fails(&f.scn, "=4", "KEY=VALUE");
	parse_fails(&f.scn, "servers.count=0", "from 1 to 4096");
	parse_fails(&f.scn, "servers.count=two", "not a whole number");
	parse_fails(&f.scn, "servers.count=2,", "empty value");
	parse_fails(&f.scn, "servers.count=2,2", "given twice");
	parse_fails(&f.scn, "servers.cores=-1", "not a whole number");
	parse_fails(&f.scn, "duration=10", "not a duration");
	parse_fails(&f.scn, "duration=0s", "not a duration");
	parse_fails(&f.scn, "population.nosuch.users=5", "no population 'nosuch' (populations: clients");
	parse_fails(&f.scn, "design.nosuch.lb_cores=2", "designs: design1, design2, design3");
	parse_fails(&f.scn, "population.clients.addresses=4", "source unique");
	parse_fails(&f.scn, "population.*.addresses=4", "source unique");
	parse_fails(&f.scn, "population.clients.rate=0", "above 0");
	parse_fails(&f.scn, "design.design1.persist=cookie", "design1 (kind l4)");
	parse_fails(&f.scn, "design.design1.persist=sticky", "unknown persistence 'sticky' (none, ");
	parse_fails(&f.scn, "design.design1.balance=uri", "design1 (kind l4)");
	parse_fails(&f.scn, "design.design1.balance=fastest", "unknown balance 'fastest'");
	parse_fails(&f.scn, "users=0", "from 1");
}

static void test_parse_and_apply(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, 4, 2, 10000000, 100, 1, 60, 0, 3);
	struct param_axis ax;
	char err[1024];
	struct scenario copy;
	assert_int_equal(params_copy(&copy, &f.scn), 0);

	assert_int_equal(params_parse(&ax, &f.scn, "design.*.check.inter=2s,500ms", err,
				      sizeof err), 0);
	assert_int_equal(ax.nvalues, 2);
	assert_string_equal(ax.values[0].text, "2");     /* durations in seconds */
	assert_string_equal(ax.values[1].text, "0.5");
	assert_int_equal(params_apply(&ax, 1, &copy, err, sizeof err), 0);
	for (uint32_t d = 0; d < 3; d++)
		assert_int_equal(copy.designs[d].check.params.inter_ns, 500000000ull);
	/* The copy owns its designs: the original is untouched. */
	assert_int_equal(f.designs[0].check.params.inter_ns, 0);

	/* Cookie persistence on every design: "*" sets it where it fits
	 * (the l7 design) and leaves the layer-4 ones alone. */
	assert_int_equal(params_parse(&ax, &f.scn, "design.*.persist=cookie", err, sizeof err), 0);
	assert_int_equal(params_apply(&ax, 0, &copy, err, sizeof err), 0);
	assert_null(copy.designs[0].persist);
	assert_non_null(copy.designs[2].persist);
	assert_string_equal(copy.designs[2].persist->name, "cookie");
	assert_true(copy.designs[2].pers_params.size > 0);

	assert_int_equal(params_parse(&ax, &f.scn, "design.design3.lb-cores=0,4", err,
				      sizeof err), 0);
	assert_int_equal(params_apply(&ax, 1, &copy, err, sizeof err), 0);
	assert_int_equal(copy.designs[2].lb_cores, 4);
	assert_true(copy.designs[2].lb_queue > 0);

	assert_int_equal(params_parse(&ax, &f.scn, "servers.count=1,8", err, sizeof err), 0);
	assert_int_equal(params_apply(&ax, 1, &copy, err, sizeof err), 0);
	assert_int_equal(copy.servers.count, 8);
	assert_int_equal(f.scn.servers.count, 4);

	/* A fault on server 3 needs 3 servers: check refuses 2. */
	struct scn_fault fault = {.at = 10 * SIM_NS_PER_S, .duration = SIM_TIME_NEVER, .server = 2};
	copy.faults = &fault;
	copy.nfaults = 1;
	assert_int_equal(params_parse(&ax, &f.scn, "servers.count=2", err, sizeof err), 0);
	assert_int_equal(params_apply(&ax, 0, &copy, err, sizeof err), 0);
	assert_int_equal(params_check(&copy, err, sizeof err), -1);
	assert_non_null(strstr(err, "fault 1 is on server 3"));
	copy.servers.count = 3;
	assert_int_equal(params_check(&copy, err, sizeof err), 0);
	params_copy_free(&copy);
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

static void test_sweep_equals_runs(void **state)
{
	(void)state;
	struct fixture f;
	/* 3 x 2 = 6 points, 2 designs, 2 replications: 24 short runs. */
	fixture_init(&f, 3, 2, 10000000, 200, 1, 30, 5, 2);
	f.scn.replications = 2;
	f.scn.seed = 5;
	struct param_axis axes[2];
	char err[1024];
	assert_int_equal(params_parse(&axes[0], &f.scn, "servers.count=2,3,5", err, sizeof err), 0);
	assert_int_equal(params_parse(&axes[1], &f.scn, "design.design2.lb_cores=0,1", err,
				      sizeof err), 0);
	struct sweep sw;
	assert_int_equal(sweep_prepare(&sw, &f.scn, axes, 2, err, sizeof err), 0);
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
	assert_int_equal(sweep_prepare(&one, &f.scn, axes, 2, err, sizeof err), 0);
	assert_int_equal(sweep_run(&one, NULL, 1, NULL, err, sizeof err), 0);
	char dir1[] = "/tmp/lbsim-test-sweep1-XXXXXX";
	assert_non_null(mkdtemp(dir1));
	assert_int_equal(sweep_write_csv(&one, dir1, err, sizeof err), 0);
	snprintf(path, sizeof path, "%s/sweep.csv", dir1);
	char *sweep1 = slurp(path);
	assert_string_equal(sweep, sweep1);

	static const uint32_t counts[] = {2, 3, 5};
	static const char *const count_text[] = {"2", "3", "5"};
	static const char *const cores_text[] = {"0", "1"};
	for (int c = 0; c < 3; c++) {
		for (int l = 0; l < 2; l++) {
			/* The point's scenario, set by hand. */
			struct fixture g = f;
			g.scn.populations = &g.pop;
			g.scn.designs = g.designs;
			g.scn.servers.count = counts[c];
			g.designs[1].lb_cores = (uint32_t)l;
			g.designs[1].lb_queue = l ? SCN_DEFAULT_LB_QUEUE : 0;
			struct experiment ex = {0};
			assert_int_equal(experiment_run(&ex, &g.scn, 1, NULL, err, sizeof err), 0);
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
			char cmd[600];
			snprintf(cmd, sizeof cmd, "rm -rf '%s'", pdir);
			assert_int_equal(system(cmd), 0);
		}
	}
	free(sweep);
	free(sweep1);
	sweep_free(&sw);
	sweep_free(&one);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", dir, dir1);
	assert_int_equal(system(cmd), 0);
}

/* A point the override checks refuse stops the sweep before any run,
 * and the message names the point. */
static void test_sweep_refuses_bad_point(void **state)
{
	(void)state;
	struct fixture f;
	fixture_init(&f, 4, 1, 10000000, 100, 1, 60, 0, 1);
	struct scn_fault fault = {.at = 10 * SIM_NS_PER_S, .duration = SIM_TIME_NEVER, .server = 3};
	f.scn.faults = &fault;
	f.scn.nfaults = 1;
	struct param_axis ax;
	char err[1024];
	assert_int_equal(params_parse(&ax, &f.scn, "servers.count=8,4,2", err, sizeof err), 0);
	struct sweep sw;
	assert_int_equal(sweep_prepare(&sw, &f.scn, &ax, 1, err, sizeof err), -1);
	assert_non_null(strstr(err, "servers.count=2"));
	assert_non_null(strstr(err, "fault 1 is on server 4"));
	sweep_free(&sw);
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
