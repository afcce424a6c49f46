/* The lbsim command line: parse options, load the scenario (refusing bad
 * input with exit 2 before anything runs), run, write results. */
#include "lbsim/cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "lbsim/check.h"
#include "lbsim/csv_out.h"
#include "lbsim/experiment.h"
#include "lbsim/plot.h"
#include "lbsim/report.h"
#include "lbsim/scenario.h"

#ifndef LBSIM_VERSION
#define LBSIM_VERSION "unknown"
#endif

struct cli_opts {
	const char *command;
	const char *file;
	const char *outdir;
	int quiet;
	int plot;
	int strict;
	int seed_set;
	uint64_t seed;
	uint32_t replications;   /* 0: as the scenario says */
	unsigned jobs;           /* 0: one per online processor */
	double scale;            /* 0: as the scenario says; else users x scale */
	double memory_limit;     /* bytes; 0: 80 % of the machine's memory */
	sim_time_t duration;     /* 0: as the scenario says */
};

static void usage(FILE *fp)
{
	fputs("usage: lbsim COMMAND [options] SCENARIO.yaml\n"
	      "\n"
	      "Simulate load-balancer designs on the same client traffic and compare\n"
	      "their distribution skew, cost and availability.\n"
	      "\n"
	      "commands:\n"
	      "  run        simulate every design of the scenario and write CSV results\n"
	      "  validate   check the scenario file and exit (0 valid, 2 invalid)\n"
	      "  check      run, then judge the scenario's expect: list (exit 1 if one fails)\n"
	      "  plot DIR   draw PNG and SVG plots of the results in DIR (needs gnuplot)\n"
	      "  report DIR write DIR/report.md for a design review (plots drawn if missing)\n"
	      "\n"
	      "options:\n"
	      "  -o, --output DIR        folder for results (default: out/<scenario name>)\n"
	      "  -s, --seed N            override the scenario's seed\n"
	      "  -r, --replications N    override the scenario's replications\n"
	      "      --scale F           multiply every population's users by F (0 < F <= 100),\n"
	      "                          e.g. a smaller CI size of a large scenario\n"
	      "      --duration D        override the measured duration (e.g. 10m)\n"
	      "      --memory-limit GIB  refuse a scenario whose runs would need more memory\n"
	      "                          (default: 80 %% of this machine's memory)\n"
	      "  -j, --jobs N            runs in parallel (default: one per processor);\n"
	      "                          the results are the same bytes whatever N is\n"
	      "  -p, --plot              run: draw the plots after writing the CSV\n"
	      "      --strict            check: an interval that straddles a bound fails\n"
	      "  -q, --quiet             no progress messages\n"
	      "  -h, --help              this help\n"
	      "  -V, --version           print the version\n"
	      "\n"
	      "exit status: 0 success, 1 the run failed, 2 bad usage or bad input\n",
	      fp);
}

static int parse_u64(const char *text, uint64_t max, uint64_t *out)
{
	if (!text || !*text || *text == '-' || *text == '+')
		return -1;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct cli_opts *o)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"seed", required_argument, NULL, 's'},
		{"replications", required_argument, NULL, 'r'},
		{"jobs", required_argument, NULL, 'j'},
		{"quiet", no_argument, NULL, 'q'},
		{"plot", no_argument, NULL, 'p'},
		{"strict", no_argument, NULL, 'S'},
		{"scale", required_argument, NULL, 'F'},
		{"duration", required_argument, NULL, 'D'},
		{"memory-limit", required_argument, NULL, 'M'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	memset(o, 0, sizeof *o);
	opterr = 0;
	int c;
	uint64_t v;
	/* '+' stops at the first non-option: the command; options may come
	 * after it, so parse twice around it. */
	optind = 1;
	while ((c = getopt_long(argc, argv, "+o:s:r:j:pqhV", longopts, NULL)) != -1 || optind < argc) {
		if (c == -1) {
			if (!o->command)
				o->command = argv[optind];
			else if (!o->file)
				o->file = argv[optind];
			else {
				fprintf(stderr, "lbsim: unexpected argument '%s'\n", argv[optind]);
				return -1;
			}
			optind++;
			continue;
		}
		switch (c) {
		case 'o':
			o->outdir = optarg;
			break;
		case 's':
			if (parse_u64(optarg, UINT64_MAX, &v) != 0) {
				fprintf(stderr, "lbsim: --seed takes a whole number, got '%s'\n", optarg);
				return -1;
			}
			o->seed = v;
			o->seed_set = 1;
			break;
		case 'r':
			if (parse_u64(optarg, SCN_MAX_REPLICATIONS, &v) != 0 || v == 0) {
				fprintf(stderr, "lbsim: --replications takes a whole number from 1 to %u, got '%s'\n",
					SCN_MAX_REPLICATIONS, optarg);
				return -1;
			}
			o->replications = (uint32_t)v;
			break;
		case 'j':
			if (parse_u64(optarg, 1024, &v) != 0 || v == 0) {
				fprintf(stderr, "lbsim: --jobs takes a whole number from 1 to 1024, got '%s'\n",
					optarg);
				return -1;
			}
			o->jobs = (unsigned)v;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'p':
			o->plot = 1;
			break;
		case 'S':
			o->strict = 1;
			break;
		case 'F': {
			char *end;
			errno = 0;
			double f = strtod(optarg, &end);
			if (errno || *end || !(f > 0 && f <= 100)) {
				fprintf(stderr, "lbsim: --scale takes a number above 0 and at most 100, got '%s'\n",
					optarg);
				return -1;
			}
			o->scale = f;
			break;
		}
		case 'M': {
			char *end;
			errno = 0;
			double gib = strtod(optarg, &end);
			if (errno || *end || !(gib > 0 && gib < 1e6)) {
				fprintf(stderr, "lbsim: --memory-limit takes GiB as a number, got '%s'\n", optarg);
				return -1;
			}
			o->memory_limit = gib * 1073741824.0;
			break;
		}
		case 'D': {
			const char *why;
			if (scn_parse_duration(optarg, &o->duration, &why) != 0 || o->duration == 0 ||
			    o->duration > SCN_MAX_DURATION) {
				fprintf(stderr, "lbsim: --duration takes a duration such as 10m, got '%s'\n",
					optarg);
				return -1;
			}
			break;
		}
		case 'h':
			o->command = "help";
			return 0;
		case 'V':
			o->command = "version";
			return 0;
		default:
			if (optopt)
				fprintf(stderr, "lbsim: option -%c %s\n", optopt,
					strchr("osrjFDM", optopt) ? "needs a value" : "is unknown");
			else
				fprintf(stderr, "lbsim: unknown option '%s'\n", argv[optind - 1]);
			return -1;
		}
	}
	return 0;
}

/* out/<name>, with the name reduced to lower-case letters, digits and
 * single dashes, so that it is a safe folder name. */
static void default_outdir(const char *name, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "out/");
	int dash = 1;
	for (const char *p = name; *p && n + 2 < len; p++) {
		char ch = *p;
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
			buf[n++] = ch;
			dash = 0;
		} else if (!dash) {
			buf[n++] = '-';
			dash = 1;
		}
	}
	while (n > 4 && buf[n - 1] == '-')
		n--;
	if (n == 4)
		n += (size_t)snprintf(buf + n, len - n, "scenario");
	buf[n] = '\0';
}

static int load(const char *file, struct scenario **scn)
{
	struct scn_error err;
	if (scn_load(file, scn, &err) != 0) {
		scn_error_print(stderr, &err);
		return -1;
	}
	return 0;
}

static int cmd_validate(const struct cli_opts *o)
{
	struct scenario *scn;
	if (load(o->file, &scn) != 0)
		return LBSIM_EXIT_USAGE;
	printf("%s: ok\n", o->file);
	scn_free(scn);
	return LBSIM_EXIT_OK;
}

static int cmd_plot(const struct cli_opts *o)
{
	char err[1024];
	int rc = plot_results(o->file, stdout, err, sizeof err);
	if (rc != 0) {
		fprintf(stderr, "lbsim: %s\n", err);
		return LBSIM_EXIT_FAILED;
	}
	return LBSIM_EXIT_OK;
}

/* The largest runs that may run side by side must fit in memory: refuse up
 * front, with the estimate, rather than be killed by the kernel. */
static int refuse_if_too_big(const struct cli_opts *o, const struct scenario *scn, unsigned jobs)
{
	double limit = o->memory_limit;
	if (limit == 0) {
		long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
		limit = pages > 0 && page > 0 ? 0.8 * (double)pages * (double)page : 0;
	}
	if (limit == 0)
		return 0;
	double biggest = 0;
	for (uint32_t d = 0; d < scn->ndesigns; d++) {
		double b = (double)run_memory_estimate(scn, d);
		if (b > biggest)
			biggest = b;
	}
	unsigned side_by_side = jobs < scn->ndesigns * scn->replications ? jobs
									   : scn->ndesigns * scn->replications;
	double need = biggest * side_by_side;
	if (need <= limit)
		return 0;
	fprintf(stderr,
		"%s: the simulation would need about %.3g GiB (%.3g GiB per run, %u runs side by side), "
		"more than the limit of %.3g GiB: use fewer users (--scale), fewer parallel runs (-j), "
		"smaller persistence tables, or --memory-limit\n",
		o->file, need / 1073741824.0, biggest / 1073741824.0, side_by_side,
		limit / 1073741824.0);
	return -1;
}

/* Load, simulate, write the CSV (and plots); then, for `check`, judge
 * the expectations. */
static int simulate(const struct cli_opts *o, int checking)
{
	struct scenario *scn;
	char err[1024];
	char outdir[4096];
	if (load(o->file, &scn) != 0)
		return LBSIM_EXIT_USAGE;
	if (checking && scn->nexpects == 0) {
		fprintf(stderr, "%s: nothing to check: the scenario has no expect: list\n", o->file);
		scn_free(scn);
		return LBSIM_EXIT_USAGE;
	}
	if (o->seed_set)
		scn->seed = o->seed;
	if (o->replications)
		scn->replications = o->replications;
	if (o->duration)
		scn->duration = o->duration;
	for (uint32_t i = 0; o->scale > 0 && i < scn->npopulations; i++) {
		double users = (double)scn->populations[i].users * o->scale;
		scn->populations[i].users = users < 1 ? 1 : users > SCN_MAX_USERS ? SCN_MAX_USERS
										 : (uint64_t)users;
	}
	if (o->outdir)
		snprintf(outdir, sizeof outdir, "%s", o->outdir);
	else
		default_outdir(scn->name, outdir, sizeof outdir);
	unsigned jobs = o->jobs;
	if (jobs == 0) {
		long online = sysconf(_SC_NPROCESSORS_ONLN);
		jobs = online > 0 ? (unsigned)online : 1;
	}
	if (refuse_if_too_big(o, scn, jobs) != 0) {
		scn_free(scn);
		return LBSIM_EXIT_USAGE;
	}
	/* Refuse an unusable output folder before spending time simulating. */
	if (output_dir_prepare(outdir, err, sizeof err) != 0) {
		fprintf(stderr, "lbsim: %s\n", err);
		scn_free(scn);
		return LBSIM_EXIT_USAGE;
	}
	FILE *progress = o->quiet ? NULL : stderr;
	if (progress)
		fprintf(progress, "lbsim: %s: %u design(s) x %u replication(s), seed %" PRIu64 "\n",
			scn->name, scn->ndesigns, scn->replications, scn->seed);
	struct experiment ex = {0};
	int rc = LBSIM_EXIT_OK;
	if (experiment_run(&ex, scn, jobs, progress, err, sizeof err) != 0) {
		fprintf(stderr, "lbsim: %s\n", err);
		rc = LBSIM_EXIT_FAILED;
	} else if (experiment_write_csv(&ex, outdir, err, sizeof err) != 0 ||
		   report_save_scenario(o->file, outdir, err, sizeof err) != 0) {
		fprintf(stderr, "lbsim: %s\n", err);
		rc = LBSIM_EXIT_FAILED;
	} else {
		if (!o->quiet) {
			fprintf(stderr, "lbsim: %.2f s, %" PRIu64 " events (%.2f M/s)\n", ex.wall_s,
				ex.events, ex.wall_s > 0 ? (double)ex.events / ex.wall_s / 1e6 : 0.0);
			printf("results: %s/summary.csv servers.csv timeseries.csv events.csv\n", outdir);
		}
		/* A missing gnuplot does not fail the run: the CSV is the result. */
		if (o->plot && plot_results(outdir, o->quiet ? NULL : stdout, err, sizeof err) != 0)
			fprintf(stderr, "lbsim: %s\n", err);
		if (checking) {
			unsigned failed = check_expectations(&ex, o->strict, stdout);
			printf("%u passed, %u failed\n", scn->nexpects - failed, failed);
			rc = failed ? LBSIM_EXIT_FAILED : LBSIM_EXIT_OK;
		}
	}
	experiment_free(&ex);
	scn_free(scn);
	return rc;
}

static int cmd_report(const struct cli_opts *o)
{
	char err[1024];
	if (report_write(o->file, stdout, err, sizeof err) != 0) {
		fprintf(stderr, "lbsim: %s\n", err);
		return LBSIM_EXIT_FAILED;
	}
	return LBSIM_EXIT_OK;
}

static int cmd_run(const struct cli_opts *o)
{
	return simulate(o, 0);
}

static int cmd_check(const struct cli_opts *o)
{
	return simulate(o, 1);
}

int lbsim_main(int argc, char **argv)
{
	struct cli_opts o;
	/* GSL's default error handler aborts; lbsim checks every result. */
	gsl_set_error_handler_off();
	/* A write past a file-size limit should fail like a full disk (and
	 * leave the previous results), not kill the process mid-write. */
	signal(SIGXFSZ, SIG_IGN);
	if (parse_args(argc, argv, &o) != 0) {
		fputs("Try 'lbsim --help'.\n", stderr);
		return LBSIM_EXIT_USAGE;
	}
	if (!o.command || strcmp(o.command, "help") == 0) {
		usage(o.command ? stdout : stderr);
		return o.command ? LBSIM_EXIT_OK : LBSIM_EXIT_USAGE;
	}
	if (strcmp(o.command, "version") == 0) {
		printf("lbsim %s\n", LBSIM_VERSION);
		return LBSIM_EXIT_OK;
	}
	static const struct {
		const char *name;
		int (*fn)(const struct cli_opts *o);
		const char *arg;
	} commands[] = {
		{"run", cmd_run, "SCENARIO.yaml"},
		{"validate", cmd_validate, "SCENARIO.yaml"},
		{"check", cmd_check, "SCENARIO.yaml"},
		{"plot", cmd_plot, "RESULTS-DIR"},
		{"report", cmd_report, "RESULTS-DIR"},
	};
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(o.command, commands[i].name) != 0)
			continue;
		if (!o.file) {
			fprintf(stderr, "lbsim %s: missing %s; usage: lbsim %s [options] %s\n",
				o.command, commands[i].arg, o.command, commands[i].arg);
			return LBSIM_EXIT_USAGE;
		}
		return commands[i].fn(&o);
	}
	fprintf(stderr, "lbsim: unknown command '%s' (commands: run, check, validate, plot, report)\n", o.command);
	return LBSIM_EXIT_USAGE;
}
