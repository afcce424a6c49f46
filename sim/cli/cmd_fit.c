/* `lbsim fit LOG... -o scenario.yaml`: a scenario from a site's request
 * logs (include/lbsim/log_fit.h has the estimators): its users grouped by
 * where they come from (NAT prefixes and users with addresses of their
 * own), the devices each group runs, think times, long polls, and CPU
 * demand per workload from time taken. The log does not say how many
 * servers or cores there are, nor which designs to compare: those are
 * options and placeholders, said so in the file.
 *
 * The scenario is loaded back before it is written (so what fit writes
 * `lbsim validate` accepts), and written whole or not at all; a log that
 * cannot be read is told with its line, exit 2, nothing written.
 */
#include "lbsim/cmd_fit.h"

#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lbsim/cli.h"
#include "lbsim/file_out.h"
#include "lbsim/log_fit.h"
#include "lbsim/log_opts.h"
#include "lbsim/scenario.h"
#include "lbsim/scenario_write.h"

#define DEFAULT_SERVERS 4u   /* an assumption: the log does not say */
#define DEFAULT_CORES 8u     /* an assumption: the log does not say */

static const char fit_usage[] =
	"usage: lbsim fit [options] LOG...\n"
	"\n"
	"Write a scenario from a site's request logs (IIS W3C or HAProxy httplog, gzip\n"
	"or not): users grouped by source (a NAT per /24 or /64 whose addresses carry\n"
	"two users or more each, the others with addresses of their own), the client\n"
	"kinds each group runs and their shares, think times, long-poll heartbeat and\n"
	"changes, CPU demand per workload from time taken (see README \"Fitting a\n"
	"scenario\"). Servers, cores and designs are placeholders to edit.\n"
	"\n"
	"options:\n"
	"  -o, --output FILE       the scenario (default: standard output)\n"
	"      --name TEXT         the scenario's name (default: from the first log)\n"
	"      --servers N         servers: count (default 4; the log does not say)\n"
	"      --cores N           servers: cores (default 8; the log does not say)\n"
	"      --format F          auto (default), iis or haproxy\n"
	"      --on-error fail|skip  a malformed line stops (default) or is skipped\n"
	"      --client-from W     auto, c-ip or x-forwarded-for\n"
	"      --capture H1,H2     HAProxy: the captured request headers, in order\n"
	"      --user-header H     HAProxy: the captured header naming the user\n"
	"  -q, --quiet             no summary on standard error\n"
	"  -h, --help              this help\n"
	"\n"
	"exit status: 0 written, 1 a write failed, 2 bad usage or a log that cannot be\n"
	"read (file:line:column: what is wrong; nothing written)\n";

struct fit_opts {
	const char *out, *name;
	uint32_t servers, cores;
	int quiet;
	struct log_opts log;
};

/* A duration rounded to a step, as the loader reads it. */
static const char *rounded(double seconds, double step, char *buf, size_t len)
{
	double r = ceil(seconds / step - 0.5) * step;
	if (r < step)
		r = step;
	return scn_format_duration((sim_time_t)(r * 1e9 + 0.5), buf, len);
}

/* A share or cv to three decimals, as the loader reads it. */
static const char *three(double v, char *buf, size_t len)
{
	return scn_format_number(round(v * 1000) / 1000, buf, len);
}

static void write_servers(FILE *fp, const struct fit_opts *o, const struct fit_result *r)
{
	char d[32], cv[32];
	fprintf(fp, "servers:\n  count: %u                   # --servers: the log does not say\n"
		"  cores: %u                   # --cores: the log does not say\n", o->servers,
		o->cores);
	int any = 0;
	for (int w = 0; w < WL_COUNT; w++) {
		const struct fit_workload *k = &r->wl[w];
		if (!k->requests)
			continue;
		double mean = k->taken_sum_s / (double)k->requests;
		double var = k->taken_sq_s / (double)k->requests - mean * mean;
		double c = mean > 0 && var > 0 ? sqrt(var) / mean : 0;
		if (!any++)
			fprintf(fp, "  workloads:                 # mean and cv of time taken (an upper "
				"bound of CPU)\n");
		fprintf(fp, "    %s: { demand: %s, cv: %s }   # %" PRIu64 " requests\n",
			workload_name((enum workload)w), rounded(mean, 1e-6, d, sizeof d),
			three(c > 10 ? 10 : c, cv, sizeof cv), k->requests);
	}
}

/* clients: think from the gaps (per request connection of the default
 * device), hold and changes from the long polls. */
static void write_clients(FILE *fp, const struct fit_result *r)
{
	char a[32], b[32];
	int any = 0;
	for (int w = 0; w < WL_COUNT; w++) {
		const struct fit_workload *k = &r->wl[w];
		const struct client_cfg *def = workload_default_client((enum workload)w);
		uint32_t requests = def->connections - def->polls;
		int think = requests && k->gaps;
		int polls = def->polls && k->polls && k->changed;
		if (!think && !polls)
			continue;
		if (!any++)
			fputs("clients:                      # connections and polls: lbsim's defaults\n", fp);
		fprintf(fp, "  %s: { connections: %u, polls: %u", workload_name((enum workload)w),
			def->connections, def->polls);
		if (think)
			fprintf(fp, ", think: %s",
				rounded(k->gap_sum_s / (double)k->gaps * requests, 1e-3, a, sizeof a));
		if (polls)
			fprintf(fp, ", hold: %s, changes: %s",
				rounded((double)k->held_max_ns / 1e9, 1, a, sizeof a),
				rounded(k->held_sum_s / (double)k->changed, 1e-3, b, sizeof b));
		fputs(" }\n", fp);
		if (think)
			fprintf(fp, "    # think: %" PRIu64 " gaps of a mean %.3f s, times %u request "
				"connections\n", k->gaps, k->gap_sum_s / (double)k->gaps, requests);
		if (polls)
			fprintf(fp, "    # %" PRIu64 " polls, %" PRIu64 " ended by a change\n", k->polls,
				k->changed);
	}
}

/* address-plan: the group's own addresses when the list may hold them,
 * else its prefixes, else none (said so). */
static void write_plan(FILE *fp, const struct fit_group *g)
{
	char text[64];
	int list = g->naddrs <= SCN_MAX_PLAN_LIST;
	uint32_t n = list ? g->naddrs : g->nnets;
	if (!list && n > SCN_MAX_PLAN_LIST) {
		fprintf(fp, "    # no address-plan: %u prefixes, more than a plan lists\n", n);
		return;
	}
	fprintf(fp, "    address-plan:               # the %s seen in the log\n      %s: [",
		list ? "addresses" : "prefixes", list ? "list" : "prefixes");
	for (uint32_t i = 0; i < n; i++) {
		const struct log_addr *a = list ? &g->addrs[i] : &g->nets[i];
		log_addr_format(a, text, sizeof text);
		if (!list)
			snprintf(text + strlen(text), sizeof text - strlen(text), "/%d",
				 a->family == 4 ? 24 : 64);
		fprintf(fp, "%s\"%s\"", i ? (i % 4 ? ", " : ",\n        ") : "", text);
	}
	fputs("]\n", fp);
}

static void write_populations(FILE *fp, const struct fit_result *r)
{
	char s[32];
	fputs("populations:\n", fp);
	for (uint32_t i = 0; i < r->ngroups; i++) {
		const struct fit_group *g = &r->groups[i];
		if (!g->users)
			continue;
		fputs("  - name: ", fp);
		scn_write_string(fp, g->name);
		fprintf(fp, "\n    users: %" PRIu64 "\n", g->users);
		if (g->nat)
			fprintf(fp, "    source: nat\n    addresses: %" PRIu64 "\n", g->addresses);
		else
			fprintf(fp, "    # %" PRIu64 " addresses of their own\n", g->addresses);
		write_plan(fp, g);
		fputs("    clients: [", fp);
		int n = 0;
		for (int w = 0; w < WL_COUNT; w++)
			if (g->wl_users[w])
				fprintf(fp, "%s%s", n++ ? ", " : "", workload_name((enum workload)w));
		fputs("]\n", fp);
		n = 0;
		for (int w = 0; w < WL_COUNT; w++) {
			double share = (double)g->wl_users[w] / (double)g->users;
			if (!g->wl_users[w] || round(share * 1000) >= 1000)
				continue;
			if (!n++)
				fputs("    client-settings:\n", fp);
			fprintf(fp, "      %s: { share: %s }\n", workload_name((enum workload)w),
				three(share, s, sizeof s));
		}
	}
}

static void write_scenario(FILE *fp, const struct fit_opts *o, int nlogs, char **logs,
			   const struct fit_result *r)
{
	char d[32];
	fputs("# Fitted by lbsim fit from", fp);
	for (int i = 0; i < nlogs; i++) {
		fputc(' ', fp);
		for (const char *c = logs[i]; *c; c++)
			fputc((unsigned char)*c < 0x20 || *c == 0x7f ? '?' : *c, fp);
	}
	fprintf(fp, ":\n# %" PRIu64 " client requests of %" PRIu64 " users over %.0f s. A user "
		"whose devices come\n# from several places is counted in each population they "
		"come from.\n", r->requests, r->users, (double)(r->last_ns - r->first_ns) / 1e9);
	fputs("name: ", fp);
	scn_write_string(fp, o->name);
	fprintf(fp, "\nduration: %s\nwarmup: 10m                    # an assumption: simulated "
		"devices start together\nreplications: 3\n",
		rounded((double)(r->last_ns - r->first_ns) / 1e9, 60, d, sizeof d));
	write_servers(fp, o, r);
	write_clients(fp, r);
	write_populations(fp, r);
	fputs("designs:                      # placeholders: put yours (lbsim import-haproxy)\n"
	      "  - { name: l4-source, kind: l4, balance: source }\n"
	      "  - { name: l7-roundrobin, kind: l7, balance: roundrobin }\n", fp);
}

/* One log being merged: its reader and its next record. */
struct source {
	struct log_reader *rd;
	struct log_record rec;
	int have;                   /* rec holds the next record */
};

static void tell_skipped(const struct fit_opts *o, const struct source *s, const char *path)
{
	const struct log_stats *st = log_reader_stats(s->rd);
	if (o->quiet || !st->malformed)
		return;
	for (unsigned k = 0; k < log_reader_nmessages(s->rd); k++)
		fprintf(stderr, "%s\n", log_reader_message(s->rd, k));
	fprintf(stderr, "%s: %" PRIu64 " malformed lines skipped\n", path, st->malformed);
}

/* Read every log into f, merged in the order requests ended (each log
 * is in that order; ties go to the log named first): the logs of several
 * servers make one site, and a device whose requests alternate between
 * servers shows its real gaps. Returns 0, or an exit status. */
static int read_logs(struct log_fit *f, const struct fit_opts *o, int nlogs, char **logs)
{
	struct source *src = calloc((size_t)nlogs, sizeof *src);
	struct log_error err;
	int rc = 0;
	if (!src) {
		fprintf(stderr, "lbsim fit: out of memory\n");
		return LBSIM_EXIT_FAILED;
	}
	for (int i = 0; i < nlogs && rc == 0; i++) {
		if (log_reader_open(&src[i].rd, logs[i], &o->log, &err) != 0)
			rc = LBSIM_EXIT_USAGE;
		else if ((src[i].have = log_reader_next(src[i].rd, &src[i].rec, &err)) < 0)
			rc = LBSIM_EXIT_USAGE;
	}
	while (rc == 0) {
		int next = -1;
		for (int i = 0; i < nlogs; i++)
			if (src[i].have == 1 && (next < 0 || src[i].rec.end_ns < src[next].rec.end_ns))
				next = i;
		if (next < 0)
			break;
		if (log_fit_add(f, &src[next].rec) != 0) {
			fprintf(stderr, "lbsim fit: out of memory\n");
			rc = LBSIM_EXIT_FAILED;
		} else if ((src[next].have = log_reader_next(src[next].rd, &src[next].rec, &err)) < 0) {
			rc = LBSIM_EXIT_USAGE;
		}
	}
	if (rc == LBSIM_EXIT_USAGE)
		log_error_print(stderr, &err);
	for (int i = 0; i < nlogs; i++) {
		if (rc == 0)
			tell_skipped(o, &src[i], logs[i]);
		log_reader_close(src[i].rd);
	}
	free(src);
	return rc;
}

static int parse(int argc, char **argv, struct fit_opts *o, char *name_buf, size_t name_len)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'}, {"name", required_argument, NULL, 'n'},
		{"servers", required_argument, NULL, 'S'}, {"cores", required_argument, NULL, 'C'},
		{"format", required_argument, NULL, 'f'}, {"on-error", required_argument, NULL, 'e'},
		{"client-from", required_argument, NULL, 'c'},
		{"capture", required_argument, NULL, 'p'},
		{"user-header", required_argument, NULL, 'u'},
		{"quiet", no_argument, NULL, 'q'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c, idx;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:qh", longopts, &idx)) != -1) {
		char err[256], *end;
		unsigned long v;
		switch (c) {
		case 'o':
			o->out = optarg;
			break;
		case 'n':
			o->name = optarg;
			break;
		case 'S':
		case 'C':
			v = strtoul(optarg, &end, 10);
			if (*end || !*optarg || v < 1 ||
			    v > (c == 'S' ? SCN_MAX_SERVERS : SCN_MAX_CORES)) {
				fprintf(stderr, "lbsim fit: --%s takes a whole number from 1 to %u\n",
					c == 'S' ? "servers" : "cores",
					c == 'S' ? SCN_MAX_SERVERS : SCN_MAX_CORES);
				return -1;
			}
			*(c == 'S' ? &o->servers : &o->cores) = (uint32_t)v;
			break;
		case 'f':
		case 'e':
		case 'c':
		case 'p':
		case 'u':
			if (log_opts_set(&o->log, longopts[idx].name, optarg, err, sizeof err) != 0) {
				fprintf(stderr, "lbsim fit: %s\n", err);
				return -1;
			}
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'h':
			return 1;
		default:
			fprintf(stderr, "lbsim fit: bad option '%s'\n", argv[optind - 1]);
			return -1;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "lbsim fit: give one log or more\n");
		return -1;
	}
	if (!o->name) {
		const char *base = strrchr(argv[optind], '/');
		snprintf(name_buf, name_len, "Fitted from %s", base ? base + 1 : argv[optind]);
		o->name = name_buf;
	}
	return 0;
}

int cmd_fit(int argc, char **argv)
{
	struct fit_opts o = {.out = "-", .servers = DEFAULT_SERVERS, .cores = DEFAULT_CORES};
	char name[128];
	int p = parse(argc, argv, &o, name, sizeof name);
	if (p != 0)
		return lbsim_tool_usage(fit_usage, p > 0);
	struct log_fit *f;
	if (log_fit_new(&f) != 0) {
		fprintf(stderr, "lbsim fit: out of memory\n");
		return LBSIM_EXIT_FAILED;
	}
	int rc = read_logs(f, &o, argc - optind, argv + optind);
	struct fit_result r = {0};
	char *text = NULL;
	size_t len = 0;
	if (rc == 0 && log_fit_finish(f, SCN_MAX_POPULATIONS, &r) != 0)
		rc = LBSIM_EXIT_FAILED;
	if (rc == 0 && r.requests == 0) {
		fprintf(stderr, "lbsim fit: the logs hold no client request\n");
		rc = LBSIM_EXIT_USAGE;
	}
	FILE *mem = rc == 0 ? open_memstream(&text, &len) : NULL;
	if (rc == 0 && !mem)
		rc = LBSIM_EXIT_FAILED;
	if (mem) {
		write_scenario(mem, &o, argc - optind, argv + optind, &r);
		fclose(mem);
	}
	/* What fit writes, the loader takes: checked before it is written. */
	struct scenario *scn = NULL;
	struct scn_error serr;
	if (rc == 0 && scn_load_buffer(o.out, text, len, &scn, &serr) != 0) {
		fprintf(stderr, "lbsim fit: internal error: the fitted scenario does not load: ");
		scn_error_print(stderr, &serr);
		rc = LBSIM_EXIT_FAILED;
	}
	scn_free(scn);
	if (rc == 0)
		rc = cli_write_whole(o.out, text, len, o.quiet ? NULL : stderr);
	if (rc == 0 && !o.quiet)
		fprintf(stderr, "lbsim fit: %" PRIu64 " requests of %" PRIu64 " users, %u "
			"populations: %s\n", r.requests, r.users, r.ngroups, o.out);
	free(text);
	log_fit_result_free(&r);
	log_fit_free(f);
	return rc;
}
