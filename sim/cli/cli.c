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
#include <sys/resource.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "lbsim/check.h"
#include "lbsim/cmd_fit.h"
#include "lbsim/cmd_haproxy.h"
#include "lbsim/csv_out.h"
#include "lbsim/experiment.h"
#include "lbsim/log_replay.h"
#include "lbsim/mpi_batch.h"
#include "lbsim/params.h"
#include "lbsim/plan.h"
#include "lbsim/plot.h"
#include "lbsim/profile.h"
#include "lbsim/provenance.h"
#include "lbsim/report.h"
#include "lbsim/result_set.h"
#include "lbsim/scenario.h"
#include "lbsim/steady.h"
#include "lbsim/summary.h"
#include "lbsim/summary_csv.h"
#include "lbsim/sweep.h"
#include "lbsim/threads.h"

#ifndef LBSIM_VERSION
#define LBSIM_VERSION "unknown"
#endif

struct cli_opts {
	const char *command;
	const char *file;
	const char *outdir;
	int quiet;
	int plot;
	enum judge_mode judge;   /* check, plan: --strict or --every-replication */
	struct params_common common; /* --seed, --replications, --duration, --scale */
	unsigned jobs;           /* 0: one per online processor */
	double memory_limit;     /* bytes; 0: 80 % of the machine's memory */
	const char *baseline;    /* check: a summary.csv to compare with */
	const char *junit;       /* check: write JUnit XML here */
	const char *json;        /* check: write JSON here */
	struct check_tolerance tolerances[32];
	size_t ntolerances;
	double default_tolerance;
	struct lbsim_once once;  /* options of one value given, each once */
	/* run, check, validate, sweep and plan */
	const char *sets[PARAMS_MAX_AXES]; /* --set KEY=V1,V2,... as given */
	unsigned nsets;
	int no_plot;
	int profile;             /* run, check: print where the time went */
	int every_event;         /* run, check: no skipping ahead (RUN_EVERY_EVENT) */
	struct plan_opts plan;
	int argc;                /* the command line, for provenance.csv */
	char **argv;
	int given[64];           /* the options given (their getopt codes), each once */
	unsigned ngiven;
};

/* Long options without a letter (sweep and plan). */
enum {
	OPT_SET = 1000,
	OPT_NO_PLOT,
	OPT_PROFILE,
	OPT_EVERY_EVENT,
	OPT_EVERY_REPLICATION,
	OPT_JUNIT,
	OPT_JSON,
	OPT_PLAN_FIRST,          /* plan options: passed to plan_opts_parse by name */
	OPT_PLAN_LAST = OPT_PLAN_FIRST + 16,
};

/* The tools that read their own options: the engine's, and the
 * program's (lbsim_main_with). */
static const struct lbsim_tool engine_tools[] = {
	{"import-haproxy", "the designs of an HAProxy configuration, as a scenario",
	 cmd_import_haproxy},
	{"export-haproxy", "a design of a scenario as an HAProxy configuration",
	 cmd_export_haproxy},
	{"fit", "a scenario from request logs (users, sources, clients, demand)", cmd_fit},
};
/* Extra tools, as lbsim_main_with gives them. */
struct tool_set {
	const struct lbsim_tool *extra;
	size_t nextra;
};

static void usage_tools(FILE *fp, const struct lbsim_tool *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].name)
			fprintf(fp, "  %-16s %s\n", t[i].name, t[i].summary);
}

static void usage(FILE *fp, const struct tool_set *ts)
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
	      "  report DIR write DIR/report.md and report.html for a design review (of a\n"
	      "             run, sweep or plan folder; plots drawn if missing)\n"
	      "  sweep      simulate a grid of --set values; write sweep.csv and plots\n"
	      "  plan       find the smallest servers and balancer meeting targets; plan.csv\n"
	      "\n"
	      "logs and configurations (each takes --help):\n",
	      fp);
	usage_tools(fp, engine_tools, sizeof engine_tools / sizeof engine_tools[0]);
	usage_tools(fp, ts->extra, ts->nextra);
	fputs("\n"
	      "options:\n"
	      "  -o, --output DIR        folder for results (default: out/<scenario name>)\n"
	      "  -s, --seed N            override the scenario's seed\n"
	      "  -r, --replications N    override the scenario's replications\n"
	      "      --scale F           multiply every population's users by F (0 < F <= 100),\n"
	      "                          e.g. a smaller CI size of a large scenario\n"
	      "      --duration D        override the measured duration (e.g. 10m)\n"
	      "      --memory-limit GIB  refuse a scenario whose runs would need more memory\n"
	      "                          (default: 80 % of this machine's memory)\n"
	      "  -j, --jobs N            runs in parallel (default: one per processor);\n"
	      "                          the results are the same bytes whatever N is.\n"
	      "                          run, check: with more runs than N, one more is\n"
	      "                          held started (if memory allows) and the threads\n"
	      "                          take turns so that the last runs end together\n"
	      "  -p, --plot              run: draw the plots after writing the CSV\n"
	      "      --strict            check: an interval that straddles a bound fails\n"
	      "      --every-replication\n"
	      "                          check, plan: every replication must meet each bound\n"
	      "                          and target, not their mean (the worst draw decides)\n"
	      "      --baseline FILE     check: also compare with a stored summary.csv\n"
	      "      --tolerance [M=]F   check --baseline: allowed relative change (default 0.05)\n"
	      "      --junit FILE        check: also write the verdicts as JUnit XML (for CI)\n"
	      "      --json FILE         check: also write the verdicts as JSON\n"
	      "  -q, --quiet             no progress messages\n"
	      "      --profile           run, check: print where the time went, per kind of\n"
	      "                          event (timing slows the run a little)\n"
	      "      --every-event       run, check: run every health probe and sampling\n"
	      "                          window as its own event, not skipping ahead (the\n"
	      "                          same results, byte for byte, slower: a check)\n"
	      "\n"
	      "      --set KEY=V         run, check, validate, plan: change one value of the\n"
	      "                          scenario, as if the file said so (repeatable); KEY is\n"
	      "                          any path to a single value: servers.count,\n"
	      "                          clients.eas.hold, populations.lan.users,\n"
	      "                          designs.l7.check.fall, designs.*.costs.tls-full,\n"
	      "                          faults.1.at (* for every entry), or users (every\n"
	      "                          population scaled to this total)\n"
	      "\n"
	      "sweep and plan:\n"
	      "      --set KEY=V1,V2,... sweep: the values of one axis of the grid (repeat for\n"
	      "                          a grid)\n"
	      "      --no-plot           write the CSV only\n"
	      "      --max-server-busy V plan: busiest server at most V busy (0.7 or 70%)\n"
	      "      --max-p99 [WL=]MS   plan: response p99 at most MS ms (of workload WL)\n"
	      "      --max-mean [WL=]MS  plan: mean response time at most MS ms\n"
	      "      --max-failed F      plan: failed requests at most a share F (0.001 or 0.1%)\n"
	      "      --max-lb-cpu U      plan: balancer cores busy at most U in the busiest 10 s\n"
	      "      --users N1,N2,...   plan: population totals to plan for (default: as is)\n"
	      "      --size-by KEY       plan: servers.count (default) or servers.cores\n"
	      "      --max-size N        plan: give up above N servers (or cores)\n"
	      "      --spare N           plan: the targets must hold with N servers down (N+1)\n"
	      "      --strict            plan: judge the 95 % interval's upper end, not the mean\n"
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

/* --tolerance METRIC=REL: a metric summary.csv reports, once; no more
 * than there is room for. Nothing is dropped or ignored. */
static int add_tolerance(struct cli_opts *o, const char *metric, size_t len, double rel)
{
	struct check_tolerance t = {.rel = rel};
	memcpy(t.metric, metric, len);
	t.metric[len] = '\0';
	if (!summary_metric_find(t.metric, SUMMARY_ALL) && !summary_metric_find(t.metric, SUMMARY_WORKLOAD) &&
	    !summary_metric_find(t.metric, SUMMARY_FAULT)) {
		char names[1024];
		fprintf(stderr, "lbsim: --tolerance: unknown metric '%s'; metrics: %s\n", t.metric,
			summary_metric_names(names, sizeof names, SUMMARY_ALL));
		return -1;
	}
	for (size_t i = 0; i < o->ntolerances; i++)
		if (strcmp(o->tolerances[i].metric, t.metric) == 0) {
			fprintf(stderr, "lbsim: --tolerance %s is given twice\n", t.metric);
			return -1;
		}
	if (o->ntolerances == sizeof o->tolerances / sizeof o->tolerances[0]) {
		fprintf(stderr, "lbsim: at most %zu --tolerance METRIC=F options\n",
			sizeof o->tolerances / sizeof o->tolerances[0]);
		return -1;
	}
	o->tolerances[o->ntolerances++] = t;
	return 0;
}

/* Which commands take each option: one given to a command that would
 * ignore it is an error, never silently dropped. -q applies to all. */
static const struct {
	int code;
	const char *name;
	const char *commands;    /* space-separated */
} option_commands[] = {
	{'o', "--output", "run check sweep plan"},
	{'s', "--seed", "run check sweep plan"},
	{'r', "--replications", "run check sweep plan"},
	{'F', "--scale", "run check sweep plan"},
	{'D', "--duration", "run check sweep plan"},
	{'M', "--memory-limit", "run check sweep plan"},
	{'j', "--jobs", "run check sweep plan"},
	{'p', "--plot", "run check"},
	{'S', "--strict", "check plan"},
	{OPT_EVERY_REPLICATION, "--every-replication", "check plan"},
	{'B', "--baseline", "check"},
	{'T', "--tolerance", "check"},
	{OPT_JUNIT, "--junit", "check"},
	{OPT_JSON, "--json", "check"},
	{OPT_PROFILE, "--profile", "run check"},
	{OPT_EVERY_EVENT, "--every-event", "run check"},
	{OPT_SET, "--set", "run check validate sweep plan"},
	{OPT_NO_PLOT, "--no-plot", "sweep plan"},
	{OPT_PLAN_FIRST, "--max-server-busy", "plan"},
	{OPT_PLAN_FIRST + 1, "--max-p99", "plan"},
	{OPT_PLAN_FIRST + 2, "--max-mean", "plan"},
	{OPT_PLAN_FIRST + 3, "--max-failed", "plan"},
	{OPT_PLAN_FIRST + 4, "--max-lb-cpu", "plan"},
	{OPT_PLAN_FIRST + 5, "--users", "plan"},
	{OPT_PLAN_FIRST + 6, "--size-by", "plan"},
	{OPT_PLAN_FIRST + 7, "--max-size", "plan"},
	{OPT_PLAN_FIRST + 8, "--spare", "plan"},
};

static int word_in(const char *word, const char *list)
{
	size_t n = strlen(word);
	for (const char *p = list; *p;) {
		size_t k = strcspn(p, " ");
		if (k == n && strncmp(p, word, n) == 0)
			return 1;
		p += k + (p[k] == ' ');
	}
	return 0;
}

/* "run and check", "run, check, sweep and plan" */
static const char *commands_words(const char *list, char *buf, size_t len)
{
	size_t words = 1, used = 0;
	for (const char *p = list; *p; p++)
		words += *p == ' ';
	buf[0] = '\0';
	size_t i = 0;
	for (const char *p = list; *p && used < len; i++) {
		size_t k = strcspn(p, " ");
		int n = snprintf(buf + used, len - used, "%s%.*s",
				 i == 0 ? "" : i + 1 == words ? " and " : ", ", (int)k, p);
		used += n < 0 ? len : (size_t)n;
		p += k + (p[k] == ' ');
	}
	return buf;
}

static int options_apply(const struct cli_opts *o)
{
	for (unsigned g = 0; g < o->ngiven; g++)
		for (size_t i = 0; i < sizeof option_commands / sizeof option_commands[0]; i++) {
			if (option_commands[i].code != o->given[g] ||
			    word_in(o->command, option_commands[i].commands))
				continue;
			char words[128];
			fprintf(stderr, "lbsim %s: %s applies to %s only\n", o->command,
				option_commands[i].name,
				commands_words(option_commands[i].commands, words, sizeof words));
			return -1;
		}
	if (o->ntolerances && !o->baseline) {
		fprintf(stderr, "lbsim %s: --tolerance needs --baseline\n", o->command);
		return -1;
	}
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
		{"baseline", required_argument, NULL, 'B'},
		{"tolerance", required_argument, NULL, 'T'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{"set", required_argument, NULL, OPT_SET},
		{"no-plot", no_argument, NULL, OPT_NO_PLOT},
		{"profile", no_argument, NULL, OPT_PROFILE},
		{"every-event", no_argument, NULL, OPT_EVERY_EVENT},
		{"every-replication", no_argument, NULL, OPT_EVERY_REPLICATION},
		{"junit", required_argument, NULL, OPT_JUNIT},
		{"json", required_argument, NULL, OPT_JSON},
		{"max-server-busy", required_argument, NULL, OPT_PLAN_FIRST},
		{"max-p99", required_argument, NULL, OPT_PLAN_FIRST + 1},
		{"max-mean", required_argument, NULL, OPT_PLAN_FIRST + 2},
		{"max-failed", required_argument, NULL, OPT_PLAN_FIRST + 3},
		{"max-lb-cpu", required_argument, NULL, OPT_PLAN_FIRST + 4},
		{"users", required_argument, NULL, OPT_PLAN_FIRST + 5},
		{"size-by", required_argument, NULL, OPT_PLAN_FIRST + 6},
		{"max-size", required_argument, NULL, OPT_PLAN_FIRST + 7},
		{"spare", required_argument, NULL, OPT_PLAN_FIRST + 8},
		{NULL, 0, NULL, 0},
	};
	memset(o, 0, sizeof *o);
	o->argc = argc;
	o->argv = argv;
	o->default_tolerance = 0.05;
	plan_opts_init(&o->plan);
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
		int seen = 0;
		for (unsigned g = 0; g < o->ngiven; g++)
			seen |= o->given[g] == c;
		if (!seen && o->ngiven < sizeof o->given / sizeof o->given[0])
			o->given[o->ngiven++] = c;
		/* An option of one value given twice would drop the first
		 * silently. --set and --tolerance METRIC=... repeat by design
		 * (each checks its own repeats). */
		if (c != OPT_SET && !(c == 'T' && strchr(optarg, '=')) &&
		    lbsim_once(&o->once, longopts, c, optarg, o->command ? o->command : "") != 0)
			return -1;
		switch (c) {
		case 'o':
			o->outdir = optarg;
			break;
		case 's':
			if (parse_u64(optarg, UINT64_MAX, &v) != 0) {
				fprintf(stderr, "lbsim: --seed takes a whole number, got '%s'\n", optarg);
				return -1;
			}
			o->common.seed = v;
			o->common.seed_set = 1;
			break;
		case 'r':
			if (parse_u64(optarg, SCN_MAX_REPLICATIONS, &v) != 0 || v == 0) {
				fprintf(stderr, "lbsim: --replications takes a whole number from 1 to %u, got '%s'\n",
					SCN_MAX_REPLICATIONS, optarg);
				return -1;
			}
			o->common.replications = (uint32_t)v;
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
		case OPT_EVERY_REPLICATION: {
			enum judge_mode m = c == 'S' ? JUDGE_UPPER : JUDGE_EVERY;
			if (o->judge != JUDGE_MEAN && o->judge != m) {
				fprintf(stderr, "lbsim: --strict and --every-replication: choose one "
						"(--every-replication is the stricter)\n");
				return -1;
			}
			o->judge = m;
			break;
		}
		case 'F': {
			char *end;
			errno = 0;
			double f = strtod(optarg, &end);
			if (errno || *end || !(f > 0 && f <= 100)) {
				fprintf(stderr, "lbsim: --scale takes a number above 0 and at most 100, got '%s'\n",
					optarg);
				return -1;
			}
			o->common.scale = f;
			break;
		}
		case 'B':
			o->baseline = optarg;
			break;
		case 'T': {
			/* METRIC=REL sets one metric's tolerance; a bare REL the default. */
			const char *eq = strchr(optarg, '=');
			const char *num = eq ? eq + 1 : optarg;
			char *end;
			errno = 0;
			double rel = strtod(num, &end);
			size_t klen = eq ? (size_t)(eq - optarg) : 0;
			if (errno || *end || !(rel >= 0 && rel <= 100) || (eq && (klen == 0 || klen >= 48))) {
				fprintf(stderr, "lbsim: --tolerance takes METRIC=FRACTION or FRACTION "
						"(0.05 is 5 %%), got '%s'\n", optarg);
				return -1;
			}
			if (!eq) {
				o->default_tolerance = rel;
				break;
			}
			if (add_tolerance(o, optarg, klen, rel) != 0)
				return -1;
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
			if (scn_parse_duration(optarg, &o->common.duration, &why) != 0 ||
			    o->common.duration == 0 || o->common.duration > SCN_MAX_DURATION) {
				fprintf(stderr, "lbsim: --duration takes a duration such as 10m, got '%s'\n",
					optarg);
				return -1;
			}
			break;
		}
		case OPT_SET:
			if (o->nsets == PARAMS_MAX_AXES) {
				fprintf(stderr, "lbsim: at most %d --set options\n", PARAMS_MAX_AXES);
				return -1;
			}
			o->sets[o->nsets++] = optarg;
			break;
		case OPT_NO_PLOT:
			o->no_plot = 1;
			break;
		case OPT_PROFILE:
			o->profile = 1;
			break;
		case OPT_EVERY_EVENT:
			o->every_event = 1;
			break;
		case OPT_JUNIT:
			o->junit = optarg;
			break;
		case OPT_JSON:
			o->json = optarg;
			break;
		case 'h':
			o->command = "help";
			return 0;
		case 'V':
			o->command = "version";
			return 0;
		default:
			if (c >= OPT_PLAN_FIRST && c < OPT_PLAN_LAST) {
				char err[512];
				const char *name = "";
				for (const struct option *lo = longopts; lo->name; lo++)
					if (lo->val == c)
						name = lo->name;
				if (plan_opts_parse(&o->plan, name, optarg, err, sizeof err) != 0) {
					fprintf(stderr, "lbsim: %s\n", err);
					return -1;
				}
				break;
			}
			if (optopt >= OPT_SET) {
				for (const struct option *lo = longopts; lo->name; lo++)
					if (lo->val == optopt)
						fprintf(stderr, "lbsim: option --%s needs a value\n", lo->name);
				return -1;
			}
			if (optopt)
				fprintf(stderr, "lbsim: option -%c %s\n", optopt,
					strchr("osrjFDMBT", optopt) ? "needs a value" : "is unknown");
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

/* Parse every --set of o against scn (its file); axes: PARAMS_MAX_AXES
 * entries. Messages on stderr when lead (MPI: rank 0 only, since every
 * rank finds the same mistake). 0 or -1. */
static int parse_sets(const struct cli_opts *o, int lead, const struct scenario *scn,
		      struct param_axis *axes)
{
	char err[2048];
	for (unsigned i = 0; i < o->nsets; i++) {
		if (params_parse(&axes[i], scn, axes, i, o->sets[i], err, sizeof err) != 0) {
			if (lead)
				fprintf(stderr, "lbsim: %s\n", err);
			return -1;
		}
		/* The command's own options apply on top of the edited file:
		 * with --set of the same value, one would be dropped, and a
		 * sweep's rows labelled with values they did not run with. */
		const struct params_common *c = &o->common;
		const char *both = c->seed_set && params_sets(&axes[i], "seed") ? "--seed"
				   : c->replications && params_sets(&axes[i], "replications") ? "--replications"
				   : c->duration && params_sets(&axes[i], "duration") ? "--duration"
				   : c->scale > 0 && params_sets(&axes[i], "users") ? "--scale"
				   : o->plan.nusers && params_sets(&axes[i], "users") ? "--users" : NULL;
		if (both) {
			if (lead)
				fprintf(stderr, "lbsim: %s and --set %s set the same value; give one of "
					"them\n", both, axes[i].key);
			return -1;
		}
	}
	return 0;
}

static void free_sets(struct param_axis *axes, unsigned n)
{
	for (unsigned i = 0; axes && i < n; i++)
		params_axis_free(&axes[i]);
	free(axes);
}

/* Every replayed log read through once, as the runs will read it, so that
 * a line that stops a replay (on-error: fail) is told with its place and
 * exit 2 before anything runs; under skip, what was skipped is said
 * (unless quiet). What the replay held at its largest is kept in the
 * population for the memory estimate. Returns 0, or -1 (told on stderr
 * when lead). */
static int check_replays(const struct cli_opts *o, int lead, struct scenario *scn)
{
	for (uint32_t i = 0; i < scn->npopulations; i++) {
		struct scn_population *p = &scn->populations[i];
		if (!scn_is_replay(p))
			continue;
		struct log_opts lo;
		char buf[256];
		struct replay_counts n;
		struct log_error err;
		scn_replay_log_opts(&p->replay, &lo, buf, sizeof buf);
		FILE *msgs = lead && !o->quiet ? stderr : NULL;
		if (log_replay_scan(p->replay.log, &lo, (int64_t)p->replay.window, &n, msgs,
				    &err) != 0) {
			/* A log that does not open is the scenario's mistake, at its key. */
			if (lead && err.line == 0)
				fprintf(stderr, "%s:%u:%u: log '%s': %s\n", scn->path, p->replay.line,
					p->replay.column, p->replay.written, err.message);
			else if (lead)
				log_error_print(stderr, &err);
			return -1;
		}
		p->replay.held_bytes = (double)n.held_bytes;
		if (msgs && (n.malformed || n.late))
			fprintf(stderr, "%s: population %s replays %" PRIu64 " requests; %" PRIu64
				" malformed lines and %" PRIu64 " late requests skipped\n",
				p->replay.log, p->name, n.requests, n.malformed, n.late);
	}
	return 0;
}

/* Load the scenario with the --set values (one each: the file as edited)
 * and the common options. Returns 0 and *scn, or -1 (told on stderr when
 * lead). */
static int load(const struct cli_opts *o, int lead, struct scenario **scn)
{
	struct scn_error serr;
	char err[2048];
	struct scenario *file;
	*scn = NULL;
	if (scn_load(o->file, &file, &serr) != 0) {
		if (lead)
			scn_error_print(stderr, &serr);
		return -1;
	}
	if (check_replays(o, lead, file) != 0) {
		scn_free(file);
		return -1;
	}
	if (o->nsets == 0) {
		params_apply_common(&o->common, file);
		*scn = file;
		return 0;
	}
	struct param_axis *axes = calloc(PARAMS_MAX_AXES, sizeof *axes);
	uint32_t choice[PARAMS_MAX_AXES] = {0};
	int rc = -1;
	if (!axes) {
		fprintf(stderr, "lbsim: out of memory\n");
		goto out;
	}
	if (parse_sets(o, lead, file, axes) != 0)
		goto out;
	for (unsigned i = 0; i < o->nsets; i++) {
		if (axes[i].nvalues != 1) {
			if (lead)
				fprintf(stderr, "lbsim %s: --set %s takes one value in a %s; sweep "
					"several with lbsim sweep\n", o->command, axes[i].key,
					strcmp(o->command, "plan") == 0 ? "plan" : "single run");
			goto out;
		}
	}
	if (params_point(file, axes, o->nsets, choice, &o->common, scn, err, sizeof err) != 0) {
		/* A place in the file is told as the loader tells it. */
		if (lead)
			fprintf(stderr, "%s%s\n", strncmp(err, "--set", 5) == 0 ? "lbsim: " : "",
				err);
		goto out;
	}
	rc = 0;
out:
	free_sets(axes, o->nsets);
	scn_free(file);
	return rc;
}

static int cmd_validate(const struct cli_opts *o)
{
	struct scenario *scn;
	if (load(o, 1, &scn) != 0)
		return LBSIM_EXIT_USAGE;
	printf("%s: ok\n", o->file);
	scn_free(scn);
	return LBSIM_EXIT_OK;
}

/* Plot or report into a results folder: an update of its result set, so
 * that a failure (gnuplot, a full device) leaves the folder as it was. */
static int update_results(const struct cli_opts *o,
			  int (*write)(const char *dir, const char *shown, FILE *log, char *err,
				       size_t errlen))
{
	char err[4096];
	struct result_set rs;
	if (result_set_begin(&rs, o->file, RESULT_SET_UPDATE, o->quiet ? NULL : stderr, err,
			     sizeof err) != 0) {
		fprintf(stderr, "lbsim: %s\n", err);
		return LBSIM_EXIT_FAILED;
	}
	if (write(rs.dir, o->file, o->quiet ? NULL : stdout, err, sizeof err) != 0) {
		result_set_message(&rs, err, sizeof err);
		result_set_abort(&rs);
		fprintf(stderr, "lbsim: %s\n", err);
		return LBSIM_EXIT_FAILED;
	}
	if (result_set_commit(&rs, err, sizeof err) != 0) {
		fprintf(stderr, "lbsim: %s\n", err);
		return LBSIM_EXIT_FAILED;
	}
	return LBSIM_EXIT_OK;
}

static int cmd_plot(const struct cli_opts *o)
{
	return update_results(o, plot_results);
}

/* Bytes the runs may use: --memory-limit; else the least of 80 % of this
 * machine's memory, 80 % of the container's (cgroup v2 memory.max) and
 * 90 % of the process's address-space and data limits (ulimit -v, -d);
 * 0 when none is known: no limit. */
static double memory_limit_of(const struct cli_opts *o)
{
	if (o->memory_limit > 0)
		return o->memory_limit;
	double limit = 0;
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	if (pages > 0 && page > 0)
		limit = 0.8 * (double)pages * (double)page;
	FILE *fp = fopen("/sys/fs/cgroup/memory.max", "r");
	unsigned long long cg;
	if (fp) {
		if (fscanf(fp, "%llu", &cg) == 1 && (limit == 0 || 0.8 * (double)cg < limit))
			limit = 0.8 * (double)cg;
		fclose(fp);
	}
	static const int kinds[] = {RLIMIT_AS, RLIMIT_DATA};
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		struct rlimit rl;
		if (getrlimit(kinds[i], &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
		    (limit == 0 || 0.9 * (double)rl.rlim_cur < limit))
			limit = 0.9 * (double)rl.rlim_cur;
	}
	return limit;
}

/* Refuse, with the estimate and what makes it, a command whose runs would
 * not fit: better now than killed by the kernel halfway. */
static int refuse_memory(const struct cli_opts *o, const struct memory_need *m)
{
	double limit = memory_limit_of(o), gib = 1073741824.0;
	if (limit == 0 || m->total <= limit)
		return 0;
	fprintf(stderr, "%s: the simulation would need about %.3g GiB (%.3g GiB per run, %u run%s "
		"side by side, %.3g GiB of results kept), more than the limit of %.3g GiB",
		o->file, m->total / gib, m->per_run / gib, m->side_by_side,
		m->side_by_side == 1 ? "" : "s", m->kept / gib, limit / gib);
	if (m->queued > 0.05 * m->per_run)
		fprintf(stderr, "; %.3g GiB of a run are requests piling up on servers that cannot "
			"keep up (open traffic brings %.4g cores of work to %.4g cores): give the "
			"servers more cores, or the traffic a lower rate", m->queued / gib, m->offered,
			m->capacity);
	fprintf(stderr, "; use fewer users (--scale), fewer parallel runs (-j), fewer "
		"replications, smaller persistence tables, or --memory-limit\n");
	return -1;
}

/* A fault the measured time does not hold whole: at or after the end of
 * the run (--duration or --set duration shortened it; the loader refuses
 * one in a file) it never happens; begun in the warm-up, or running with
 * its recovery past the end, the measurement holds only part of it, in a
 * share the run's length sets, so a bound on scope all moves with
 * --duration: said, with the scope that does not (steady). Returns how
 * many faults are so. */
static int late_faults(const struct scenario *scn, int say)
{
	sim_time_t end = scn->warmup + scn->duration;
	sim_time_t recovery = steady_recovery_ns(scn);
	int n = 0;
	for (uint32_t f = 0; f < scn->nfaults; f++) {
		const struct scn_fault *x = &scn->faults[f];
		double at = (double)x->at / 1e9;
		int lasts = x->duration != SIM_TIME_NEVER;
		sim_time_t over = lasts ? x->at + x->duration : SIM_TIME_NEVER;
		sim_time_t settled = lasts && over + recovery > over ? over + recovery : SIM_TIME_NEVER;
		if (x->at >= end) {
			n++;
			if (say)
				fprintf(stderr, "lbsim: warning: %s: fault %u (at %.6g s) is at or after "
					"the end of the run (%.6g s): it never happens, and its figures "
					"have no value\n", scn->path, f + 1, at, (double)end / 1e9);
		} else if (x->at < scn->warmup) {
			n++;
			if (say)
				fprintf(stderr, "lbsim: warning: %s: fault %u (at %.6g s) begins in the "
					"warm-up (measuring from %.6g s): %s\n", scn->path, f + 1, at,
					(double)scn->warmup / 1e9,
					over <= scn->warmup ? "it is over before the measurement begins"
							    : "the measurement holds only its end");
		} else if (lasts && settled > end) {
			n++;
			if (say)
				fprintf(stderr, "lbsim: warning: %s: fault %u (%.6g s to %.6g s, settled "
					"%.6g s later) runs past the end of the run (%.6g s): the "
					"measurement holds only part of it and its recovery, in a share "
					"the run's length sets; bounds meant for steady state belong in "
					"scope: steady\n", scn->path, f + 1, at, (double)over / 1e9,
					(double)recovery / 1e9, (double)end / 1e9);
		}
	}
	return n;
}

static void warn_late_faults(const struct scenario *scn)
{
	late_faults(scn, 1);
}

/* Open traffic the servers cannot keep up with makes queues without a
 * bound: response times then say how long the run was, not how the
 * design behaves. Said, not refused (the memory check refuses what does
 * not fit). */
static void warn_overload(const struct scenario *scn)
{
	double offered, capacity;
	if (run_overload(scn, &offered, &capacity) > 0)
		fprintf(stderr, "lbsim: warning: %s: open traffic brings %.4g cores of work to servers "
			"with %.4g cores%s: their queues grow for as long as the run lasts\n",
			scn->path, offered, capacity,
			capacity < (double)scn_servers_total_cores(&scn->servers) ? " while faults last"
										   : "");
}

static unsigned jobs_of(const struct cli_opts *o)
{
	if (o->jobs)
		return o->jobs;
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	return online > 0 ? (unsigned)online : 1;
}

/* The folder's scenario.yaml and provenance.csv: the facts every
 * command records, plus what extra adds (targets, swept keys). */
static int save_provenance(const struct cli_opts *o, const struct scenario *scn,
			   const char *outdir, void (*extra)(struct provenance *p, const void *ctx),
			   const void *ctx, char *err, size_t errlen)
{
	struct provenance *p = malloc(sizeof *p);
	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	provenance_init(p, o->command, o->argc, o->argv, o->file, scn);
	if (extra)
		extra(p, ctx);
	/* The text as run: the file with its --set values. */
	int rc = report_save_scenario(scn->source, scn->source_len, outdir, err, errlen) != 0 ||
		 provenance_write(p, outdir, err, errlen) != 0 ? -1 : 0;
	free(p);
	return rc;
}

static void check_provenance(struct provenance *p, const void *ctx)
{
	const struct cli_opts *o = ctx;
	if (o->baseline)
		provenance_add(p, "baseline", "%s", o->baseline);
	if (o->judge == JUDGE_UPPER)
		provenance_add(p, "strict", "yes");
	if (o->judge == JUDGE_EVERY)
		provenance_add(p, "every_replication", "yes");
}

/* Load, simulate, write the CSV (and plots); then, for `check`, judge
 * the expectations. */
static int simulate(const struct cli_opts *o, int checking)
{
	struct scenario *scn;
	char err[4096];
	char defdir[4096];
	const char *outdir = o->outdir;
	if (load(o, 1, &scn) != 0)
		return LBSIM_EXIT_USAGE;
	if (checking && scn->nexpects == 0 && !o->baseline) {
		fprintf(stderr, "%s: nothing to check: the scenario has no expect: list\n", o->file);
		scn_free(scn);
		return LBSIM_EXIT_USAGE;
	}
	if (!outdir) {
		default_outdir(scn->name, defdir, sizeof defdir);
		outdir = defdir;
	}
	unsigned jobs = jobs_of(o);
	/* The spare run started beside the threads' (experiment_in_flight)
	 * is held only where it fits the memory limit. */
	struct memory_need need;
	experiment_memory_need(scn, jobs, 1, &need);
	double limit = memory_limit_of(o);
	int no_spare = limit > 0 && need.total > limit;
	if (no_spare)
		experiment_memory_need(scn, jobs, 0, &need);
	warn_overload(scn);
	warn_late_faults(scn);
	if (refuse_memory(o, &need) != 0) {
		scn_free(scn);
		return LBSIM_EXIT_USAGE;
	}
	/* Read the baseline, if any, before spending time simulating. */
	struct summary_table base = {0};
	/* A report file that cannot be written is refused before simulating. */
	FILE *note = o->quiet ? NULL : stderr;
	if ((o->junit && check_report_path_ok(o->junit, note, err, sizeof err) != 0) ||
	    (o->json && check_report_path_ok(o->json, note, err, sizeof err) != 0)) {
		fprintf(stderr, "lbsim: %s\n", err);
		scn_free(scn);
		return LBSIM_EXIT_USAGE;
	}
	if (checking && o->baseline &&
	    (summary_csv_read(o->baseline, &base, err, sizeof err) != 0 ||
	     check_baseline_match(scn, &base, o->baseline, err, sizeof err) != 0)) {
		fprintf(stderr, "lbsim: %s\n", err);
		summary_csv_free(&base);
		scn_free(scn);
		return LBSIM_EXIT_USAGE;
	}
	/* Refuse an unusable output folder before spending time simulating;
	 * the results go into a private folder swapped in whole at the end. */
	struct result_set rs;
	if (result_set_begin(&rs, outdir, 0, o->quiet ? NULL : stderr, err, sizeof err) != 0) {
		fprintf(stderr, "lbsim: %s\n", err);
		summary_csv_free(&base);
		scn_free(scn);
		return LBSIM_EXIT_USAGE;
	}
	/* Progress is for a person watching: on a terminal only. */
	FILE *progress = !o->quiet && isatty(STDERR_FILENO) ? stderr : NULL;
	if (progress)
		fprintf(progress, "lbsim: %s: %u design(s) x %u replication(s), seed %" PRIu64 "\n",
			scn->name, scn->ndesigns, scn->replications, scn->seed);
	struct experiment ex = {.profile = o->profile, .every_event = o->every_event,
				.no_spare = no_spare};
	int rc = LBSIM_EXIT_OK, written = 0, plotted = 0;
	if (experiment_run(&ex, scn, jobs, progress, err, sizeof err) != 0) {
		result_set_abort(&rs);
		fprintf(stderr, "lbsim: %s\n", err);
		rc = LBSIM_EXIT_FAILED;
	} else {
		written = experiment_write_csv(&ex, rs.dir, err, sizeof err) == 0 &&
			  save_provenance(o, scn, rs.dir, checking ? check_provenance : NULL, o, err,
					  sizeof err) == 0;
		/* A missing gnuplot does not fail the run: the CSV is the result. */
		if (written && o->plot) {
			char perr[1024];
			plotted = plot_results(rs.dir, outdir, NULL, perr, sizeof perr) == 0;
			if (!plotted) {
				result_set_message(&rs, perr, sizeof perr);
				fprintf(stderr, "lbsim: %s\n", perr);
			}
		}
		if (!written || result_set_commit(&rs, err, sizeof err) != 0) {
			result_set_message(&rs, err, sizeof err);
			result_set_abort(&rs);
			fprintf(stderr, "lbsim: %s\n", err);
			rc = LBSIM_EXIT_FAILED;
			written = 0;
		}
	}
	if (written) {
		if (!o->quiet) {
			if (progress)
				fprintf(stderr, "lbsim: %.2f s, %" PRIu64 " events (%.2f M/s)\n",
					ex.wall_s, ex.events,
					ex.wall_s > 0 ? (double)ex.events / ex.wall_s / 1e6 : 0.0);
			/* Every file the run wrote, on one line. */
			printf("results: %s/", outdir);
			for (size_t i = 0; experiment_csv_name(i); i++)
				printf("%s%s", i ? " " : "", experiment_csv_name(i));
			printf(" scenario.yaml provenance.csv");
			for (size_t i = 0; plotted && plot_name(i); i++)
				printf(" %s.png %s.svg", plot_name(i), plot_name(i));
			printf("\n");
		}
		if (o->profile)
			profile_print(stderr, &ex.profile_sum, (size_t)scn->ndesigns * scn->replications);
		if (checking) {
			struct check_report rep = {.baseline_path = o->baseline};
			struct check_report *keep = o->junit || o->json ? &rep : NULL;
			unsigned failed = check_expectations(&ex, o->judge, stdout, keep);
			if (scn->nexpects)
				printf("%u passed, %u failed\n", scn->nexpects - failed, failed);
			unsigned changed = o->baseline ? check_baseline(&ex, &base, o->tolerances,
									o->ntolerances,
									o->default_tolerance, stdout,
									keep)
						       : 0;
			rc = failed || changed ? LBSIM_EXIT_FAILED : LBSIM_EXIT_OK;
			/* A report that cannot be written (or kept whole) fails
			 * the check: CI must not read a partial verdict. */
			if (rep.oom || (o->junit && check_write_junit(&rep, scn, o->junit, err,
								      sizeof err) != 0) ||
			    (o->json && check_write_json(&rep, scn, o->json, err, sizeof err) != 0)) {
				fprintf(stderr, "lbsim: %s\n", rep.oom ? "out of memory" : err);
				rc = LBSIM_EXIT_FAILED;
			}
			check_report_free(&rep);
		}
	}
	experiment_free(&ex);
	summary_csv_free(&base);
	scn_free(scn);
	return rc;
}

static int cmd_report(const struct cli_opts *o)
{
	return update_results(o, report_write);
}

static int cmd_run(const struct cli_opts *o)
{
	return simulate(o, 0);
}

static int cmd_check(const struct cli_opts *o)
{
	return simulate(o, 1);
}

/* ---- sweep and plan --------------------------------------------------------
 * Both may run as MPI ranks (mpirun -np N lbsim sweep ...): every rank
 * parses, loads and decides alike; rank 0 alone talks and writes. A
 * decision only one rank can make (its output folder, its memory) is
 * agreed on by all before anything runs, so that no rank waits forever
 * for one that left. */

/* Load the file and parse every --set against it. Messages on rank 0
 * only: every rank finds the same mistake. */
static int load_with_sets(const struct cli_opts *o, int lead, struct scenario **scn,
			  struct param_axis *axes)
{
	struct scn_error serr;
	if (scn_load(o->file, scn, &serr) != 0) {
		if (lead)
			scn_error_print(stderr, &serr);
		return -1;
	}
	if (check_replays(o, lead, *scn) != 0)
		return -1;
	return parse_sets(o, lead, *scn, axes);
}

/* The output folder on rank 0 (made and tested), agreed by every rank. */
static int prepare_output(const struct cli_opts *o, const struct batch_comm *comm,
			  const struct scenario *scn, const char *suffix, const struct memory_need *need,
			  char *buf, size_t len, const char **outdir, struct result_set *rs)
{
	char err[4096];
	int ok = 1;
	if (o->outdir) {
		*outdir = o->outdir;
	} else {
		char base[4096];
		default_outdir(scn->name, base, sizeof base);
		snprintf(buf, len, "%s-%s", base, suffix);
		*outdir = buf;
	}
	if (refuse_memory(o, need) != 0)
		ok = 0;
	if (ok && comm->rank == 0 &&
	    result_set_begin(rs, *outdir, 0, o->quiet ? NULL : stderr, err, sizeof err) != 0) {
		fprintf(stderr, "lbsim: %s\n", err);
		ok = 0;
	}
	if (!batch_comm_all_ok(comm, ok)) {
		if (ok && comm->rank == 0)
			result_set_abort(rs);
		return -1;
	}
	return 0;
}

/* What sweep and plan write: the CSV, the plots, their provenance facts. */
struct output_step {
	int (*write)(const void *what, const char *dir, char *err, size_t errlen);
	int (*plot)(const void *what, const char *dir, const char *shown, FILE *log, char *err,
		    size_t errlen);
	void (*provenance)(struct provenance *p, const void *what);
	const void *what;
};

/* Rank 0 writes the results (the CSV, scenario.yaml and provenance.csv,
 * then plots unless --no-plot) into the work folder and swaps it in. A
 * missing gnuplot does not fail: the CSV is the result (*plotted says
 * whether the pictures are there). Returns 0, or -1 (said, the folder as
 * it was). */
static int finish_output(const struct cli_opts *o, const struct scenario *scn,
			 struct result_set *rs, const char *outdir, const struct output_step *step,
			 int *plotted)
{
	char err[4096];
	*plotted = 0;
	if (step->write(step->what, rs->dir, err, sizeof err) != 0 ||
	    save_provenance(o, scn, rs->dir, step->provenance, step->what, err, sizeof err) != 0)
		goto fail;
	if (!o->no_plot) {
		*plotted = step->plot(step->what, rs->dir, outdir, NULL, err, sizeof err) == 0;
		if (!*plotted) {
			result_set_message(rs, err, sizeof err);
			fprintf(stderr, "lbsim: %s\n", err);
		}
	}
	if (result_set_commit(rs, err, sizeof err) != 0) {
		fprintf(stderr, "lbsim: %s\n", err);
		*plotted = 0;
		return -1;
	}
	return 0;
fail:
	result_set_message(rs, err, sizeof err);
	result_set_abort(rs);
	fprintf(stderr, "lbsim: %s\n", err);
	return -1;
}

static int write_sweep(const void *what, const char *dir, char *err, size_t errlen)
{
	return sweep_write_csv(what, dir, err, errlen);
}

static int plot_sweep(const void *what, const char *dir, const char *shown, FILE *log, char *err,
		      size_t errlen)
{
	return sweep_plot(what, dir, shown, log, err, errlen);
}

static int write_plan(const void *what, const char *dir, char *err, size_t errlen)
{
	return plan_write_csv(what, dir, err, errlen);
}

static int plot_plan(const void *what, const char *dir, const char *shown, FILE *log, char *err,
		     size_t errlen)
{
	return plan_plot(what, dir, shown, log, err, errlen);
}

/* The outcome b of a batch run on every rank: a failure is told once (by
 * rank 0, or by a rank whose own run failed, b == -1). 1 when it failed. */
static int batch_failed(int b, int lead, const char *err)
{
	if (b == 0)
		return 0;
	if (lead || b == -1)
		fprintf(stderr, "lbsim: %s\n", err);
	return 1;
}

/* A sweep's keys and values as given, and its size. */
static void sweep_provenance(struct provenance *p, const void *ctx)
{
	const struct sweep *sw = ctx;
	for (uint32_t a = 0; a < sw->naxes; a++) {
		char values[1800];
		size_t used = 0;
		values[0] = '\0';
		for (uint32_t v = 0; v < sw->axes[a].nvalues && used < sizeof values; v++) {
			int k = snprintf(values + used, sizeof values - used, "%s%s", v ? "," : "",
					 sw->axes[a].values[v].text);
			used += k < 0 ? sizeof values : (size_t)k;
		}
		provenance_add(p, "set", "%s=%s", sw->axes[a].key, values);
	}
	provenance_add(p, "points", "%u", sw->npoints);
	provenance_add(p, "runs", "%zu", sw->ntasks);
}

static int cmd_sweep(const struct cli_opts *o)
{
	struct batch_comm comm;
	char err[2048], defdir[4200];
	const char *outdir = NULL;
	if (batch_comm_init(&comm, err, sizeof err) != 0) {
		fprintf(stderr, "lbsim: %s\n", err);
		return LBSIM_EXIT_USAGE;
	}
	int lead = comm.rank == 0, rc = LBSIM_EXIT_USAGE;
	struct scenario *scn = NULL;
	struct param_axis *axes = calloc(PARAMS_MAX_AXES, sizeof *axes);
	struct sweep sw = {0};
	struct result_set rs;
	int begun = 0;           /* rank 0 holds a result set to finish or abort */
	if (!axes) {
		fprintf(stderr, "lbsim: out of memory\n");
		goto out;
	}
	if (o->nsets == 0) {
		if (lead)
			fprintf(stderr, "lbsim sweep: give the values to sweep with --set KEY=V1,V2,... "
				"(e.g. --set servers.count=4,8,16)\n");
		goto out;
	}
	if (load_with_sets(o, lead, &scn, axes) != 0)
		goto out;
	if (sweep_prepare(&sw, scn, axes, o->nsets, &o->common, err, sizeof err) != 0) {
		if (lead)
			fprintf(stderr, "lbsim: %s\n", err);
		goto out;
	}
	unsigned jobs = jobs_of(o);
	/* Each point's own: --set duration may end one before a fault. */
	for (uint32_t p = 0; lead && p < sw.npoints; p++) {
		double offered, capacity;
		if (run_overload(&sw.points[p], &offered, &capacity) > 0 ||
		    late_faults(&sw.points[p], 0)) {
			char name[512];
			fprintf(stderr, "lbsim: point %s:\n", sweep_point_name(&sw, p, name, sizeof name));
			warn_overload(&sw.points[p]);
			warn_late_faults(&sw.points[p]);
		}
	}
	struct batch all = {.tasks = sw.tasks, .ntasks = sw.ntasks, .nvalues = sw.nvalues};
	struct memory_need need;
	batch_memory_need(&all, jobs, &need);
	if (prepare_output(o, &comm, scn, "sweep", &need, defdir,
			   sizeof defdir, &outdir, &rs) != 0)
		goto out;
	begun = lead;
	FILE *progress = o->quiet || !lead ? NULL : stderr;
	if (progress)
		fprintf(progress, "lbsim: %s: sweep of %u point(s), %zu run(s), seed %" PRIu64 "\n",
			scn->name, sw.npoints, sw.ntasks, scn->seed);
	if (progress && comm.size > 1)
		fprintf(progress, "lbsim: %d MPI ranks, %u thread(s) each\n", comm.size, jobs);
	if (batch_failed(sweep_run(&sw, &comm, jobs, progress, err, sizeof err), lead, err)) {
		rc = LBSIM_EXIT_FAILED;
		goto out;
	}
	rc = LBSIM_EXIT_OK;
	if (!lead)
		goto out;
	begun = 0;
	struct output_step sweep_step = {write_sweep, plot_sweep, sweep_provenance, &sw};
	int plotted;
	if (finish_output(o, scn, &rs, outdir, &sweep_step, &plotted) != 0) {
		rc = LBSIM_EXIT_FAILED;
		goto out;
	}
	if (!o->quiet) {
		fprintf(stderr, "lbsim: %.2f s\n", sw.wall_s);
		printf("results: %s/sweep.csv scenario.yaml provenance.csv", outdir);
		for (size_t i = 0; plotted && sweep_plot_metric(i); i++)
			printf(" sweep_%s.png sweep_%s.svg", sweep_plot_metric(i), sweep_plot_metric(i));
		printf("\n");
	}
out:
	if (begun)
		result_set_abort(&rs);
	sweep_free(&sw);
	if (scn)
		scn_free(scn);
	free_sets(axes, o->nsets);
	batch_comm_finish(&comm);
	return rc;
}

/* A plan's targets, levels, what it sized and its scope. */
static void plan_provenance(struct provenance *p, const void *ctx)
{
	const struct plan *pl = ctx;
	const struct plan_opts *po = &pl->opts;
	char text[2048];
	plan_targets_text(po, text, sizeof text);
	provenance_add(p, "targets", "%s", text);
	size_t used = 0;
	text[0] = '\0';
	for (unsigned i = 0; i < po->nusers && used < sizeof text; i++) {
		int k = snprintf(text + used, sizeof text - used, "%s%llu", i ? "," : "",
				 (unsigned long long)po->users[i]);
		used += k < 0 ? sizeof text : (size_t)k;
	}
	if (po->nusers)
		provenance_add(p, "users_levels", "%s", text);
	provenance_add(p, "size_by", "%s", po->size_key == PLAN_SIZE_CORES ? "servers.cores"
									  : "servers.count");
	if (po->max_size)
		provenance_add(p, "max_size", "%u", po->max_size);
	provenance_add(p, "spare", "%u", po->spare);
	plan_scope(pl, text, sizeof text);
	provenance_add(p, "scope", "%s", text);
	provenance_add(p, "simulations", "%u", pl->simulations);
}

static int cmd_plan(const struct cli_opts *o)
{
	struct batch_comm comm;
	char err[2048], defdir[4200];
	const char *outdir = NULL;
	if (batch_comm_init(&comm, err, sizeof err) != 0) {
		fprintf(stderr, "lbsim: %s\n", err);
		return LBSIM_EXIT_USAGE;
	}
	int lead = comm.rank == 0, rc = LBSIM_EXIT_USAGE;
	struct scenario *scn = NULL;
	struct plan pl = {0};
	struct result_set rs;
	int begun = 0;           /* rank 0 holds a result set to finish or abort */
	struct plan_opts po = o->plan;
	po.judge = o->judge;
	if (load(o, lead, &scn) != 0)
		goto out;
	if (plan_opts_check(&po, scn, err, sizeof err) != 0) {
		if (lead)
			fprintf(stderr, "lbsim: %s\n", err);
		goto out;
	}
	unsigned jobs = jobs_of(o);
	struct memory_need need;
	plan_memory_need(scn, &po, jobs, &need);
	if (lead)
		warn_late_faults(scn);
	if (prepare_output(o, &comm, scn, "plan", &need, defdir,
			   sizeof defdir, &outdir, &rs) != 0)
		goto out;
	begun = lead;
	FILE *progress = o->quiet || !lead ? NULL : stderr;
	if (progress)
		fprintf(progress, "lbsim: %s: plan for %u design(s) x %u users level(s), %u "
			"replication(s) per evaluation, seed %" PRIu64 "\n", scn->name, scn->ndesigns,
			po.nusers ? po.nusers : 1, scn->replications, scn->seed);
	if (batch_failed(plan_run(&pl, scn, &po, &comm, jobs, progress, err, sizeof err), lead, err)) {
		rc = LBSIM_EXIT_FAILED;
		goto out;
	}
	rc = LBSIM_EXIT_OK;
	if (!lead)
		goto out;
	begun = 0;
	struct output_step plan_step = {write_plan, plot_plan, plan_provenance, &pl};
	int plotted;
	if (finish_output(o, scn, &rs, outdir, &plan_step, &plotted) != 0) {
		rc = LBSIM_EXIT_FAILED;
		goto out;
	}
	if (!o->quiet) {
		char scope[2048];
		plan_scope(&pl, scope, sizeof scope);
		printf("%s\n", scope);
		for (size_t i = 0; i < pl.nrows; i++) {
			const struct plan_row *r = &pl.rows[i];
			printf("%llu users, %s: %s\n", (unsigned long long)r->users,
			       scn->designs[r->design].name, r->why);
		}
		printf("%u simulation(s) in %u round(s), %.2f s\n", pl.simulations, pl.rounds,
		       pl.wall_s);
		printf("results: %s/plan.csv scenario.yaml provenance.csv%s\n", outdir,
		       plotted ? " plan.png plan.svg" : "");
	}
out:
	if (begun)
		result_set_abort(&rs);
	plan_free(&pl);
	if (scn)
		scn_free(scn);
	batch_comm_finish(&comm);
	return rc;
}

int lbsim_tool_usage(const char *text, int help)
{
	if (help) {
		fputs(text, stdout);
		return LBSIM_EXIT_OK;
	}
	fputs("Try 'lbsim COMMAND --help'.\n", stderr);
	return LBSIM_EXIT_USAGE;
}

int lbsim_once(struct lbsim_once *once, const struct option *longopts, int c, const char *arg,
	       const char *cmd)
{
	const struct option *opt = NULL;
	for (const struct option *lo = longopts; lo->name; lo++)
		if (lo->val == c)
			opt = lo;
	if (!opt || opt->has_arg != required_argument)
		return 0;
	for (unsigned i = 0; i < once->n; i++)
		if (once->given[i] == c) {
			fprintf(stderr, "lbsim%s%s: --%s is given twice (the second: '%s'): give it "
				"once\n", *cmd ? " " : "", cmd, opt->name, arg);
			return -1;
		}
	if (once->n < sizeof once->given / sizeof once->given[0])
		once->given[once->n++] = c;
	return 0;
}

static const struct lbsim_tool *find_tool(const struct tool_set *ts, const char *name)
{
	for (size_t i = 0; i < sizeof engine_tools / sizeof engine_tools[0]; i++)
		if (engine_tools[i].name && strcmp(engine_tools[i].name, name) == 0)
			return &engine_tools[i];
	for (size_t i = 0; i < ts->nextra; i++)
		if (strcmp(ts->extra[i].name, name) == 0)
			return &ts->extra[i];
	return NULL;
}

int lbsim_main(int argc, char **argv)
{
	return lbsim_main_with(argc, argv, NULL, 0);
}

static int lbsim_main_on_stack(int argc, char **argv, const struct lbsim_tool *tools,
			       size_t ntools);

struct main_args {
	int argc;
	char **argv;
	const struct lbsim_tool *tools;
	size_t ntools;
	int rc;
};

static void *main_thread(void *p)
{
	struct main_args *a = p;
	a->rc = lbsim_main_on_stack(a->argc, a->argv, a->tools, a->ntools);
	return NULL;
}

/* The whole program runs on a thread whose stack lbsim chooses
 * (include/lbsim/threads.h), so that a small `ulimit -s` cannot crash
 * it; the first thread waits for it. */
int lbsim_main_with(int argc, char **argv, const struct lbsim_tool *tools, size_t ntools)
{
	struct main_args a = {argc, argv, tools, ntools, LBSIM_EXIT_FAILED};
	pthread_t t;
	if (lbsim_thread_create(&t, main_thread, &a) != 0) {
		fprintf(stderr, "lbsim: cannot start: no memory for a %u MiB stack\n",
			LBSIM_STACK_BYTES >> 20);
		return LBSIM_EXIT_FAILED;
	}
	pthread_join(t, NULL);
	return a.rc;
}

static int lbsim_main_on_stack(int argc, char **argv, const struct lbsim_tool *tools,
			       size_t ntools)
{
	const struct tool_set ts = {tools, ntools};
	struct cli_opts o;
	/* GSL's default error handler aborts; lbsim checks every result. */
	gsl_set_error_handler_off();
	/* A write past a file-size limit should fail like a full disk (and
	 * leave the previous results), not kill the process mid-write. */
	signal(SIGXFSZ, SIG_IGN);
	const struct lbsim_tool *tool = argc > 1 ? find_tool(&ts, argv[1]) : NULL;
	if (tool)
		return tool->main(argc - 1, argv + 1);
	if (parse_args(argc, argv, &o) != 0) {
		fputs("Try 'lbsim --help'.\n", stderr);
		return LBSIM_EXIT_USAGE;
	}
	if (!o.command || strcmp(o.command, "help") == 0) {
		usage(o.command ? stdout : stderr, &ts);
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
		{"sweep", cmd_sweep, "SCENARIO.yaml"},
		{"plan", cmd_plan, "SCENARIO.yaml"},
	};
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		if (strcmp(o.command, commands[i].name) != 0)
			continue;
		if (!o.file) {
			fprintf(stderr, "lbsim %s: missing %s; usage: lbsim %s [options] %s\n",
				o.command, commands[i].arg, o.command, commands[i].arg);
			return LBSIM_EXIT_USAGE;
		}
		if (options_apply(&o) != 0)
			return LBSIM_EXIT_USAGE;
		return commands[i].fn(&o);
	}
	fprintf(stderr, "lbsim: unknown command '%s' (commands: run, check, validate, plot, "
		"report, sweep, plan", o.command);
	for (size_t i = 0; i < sizeof engine_tools / sizeof engine_tools[0]; i++)
		if (engine_tools[i].name)
			fprintf(stderr, ", %s", engine_tools[i].name);
	for (size_t i = 0; i < ts.nextra; i++)
		fprintf(stderr, ", %s", ts.extra[i].name);
	fprintf(stderr, ")\n");
	return LBSIM_EXIT_USAGE;
}
