/* The review report; see include/lbsim/report.h.
 *
 * The report reads only the results folder: scenario.yaml (saved by the
 * run), summary.csv (libcsv) and the pictures. Every number in it comes
 * from summary.csv with its 95 % interval, so the document and the CSV
 * never disagree.
 */
#include "lbsim/report.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <csv.h>

#include "lbsim/csv_out.h"
#include "lbsim/escape.h"
#include "lbsim/plot.h"
#include "lbsim/scenario.h"
#include "lbsim/summary_csv.h"
#include "lbsim/workload.h"

int report_save_scenario(const char *text, size_t len, const char *dir, char *err,
			 size_t errlen)
{
	struct csv_out out;
	if (csv_out_open(&out, dir, "scenario.yaml", err, errlen) != 0)
		return -1;
	if (len && fwrite(text, 1, len, out.fp) != len)
		out.error = 1;
	return csv_out_commit(&out, err, errlen);
}

/* "12.3 (11.9–12.7)" with a scale and a number of decimals (-1: three
 * significant digits); "–" without a value; no interval when it has no
 * width at the precision shown. */
static void fig(FILE *fp, const struct summary_row *r, double scale, int decimals)
{
	char m[64], lo[64], hi[64];
	if (!r || isnan(r->mean)) {
		fputs("–", fp);
		return;
	}
	const char *fmt = decimals < 0 ? "%.3g" : "%.*f";
	if (decimals < 0) {
		snprintf(m, sizeof m, fmt, r->mean * scale);
		snprintf(lo, sizeof lo, fmt, r->lo * scale);
		snprintf(hi, sizeof hi, fmt, r->hi * scale);
	} else {
		snprintf(m, sizeof m, fmt, decimals, r->mean * scale);
		snprintf(lo, sizeof lo, fmt, decimals, r->lo * scale);
		snprintf(hi, sizeof hi, fmt, decimals, r->hi * scale);
	}
	fputs(m, fp);
	if (!isnan(r->lo) && strcmp(lo, hi) != 0)
		fprintf(fp, " (%s–%s)", lo, hi);
}

static int exists(const char *dir, const char *file)
{
	char path[4096];
	struct stat st;
	snprintf(path, sizeof path, "%s/%s", dir, file);
	return stat(path, &st) == 0;
}

static const char *kind_words(enum scn_design_kind k)
{
	switch (k) {
	case SCN_DESIGN_L4:
		return "simple layer 4: one VIP for every workload, one health check per server";
	case SCN_DESIGN_L4_MULTI:
		return "layer 4 with one namespace (VIP) per workload, each with its own health checks";
	default:
		return "layer 7: TLS terminated on the balancer, one sub-service per workload chosen by URL";
	}
}

static const char *source_words(const struct scn_population *p, char *buf, size_t len)
{
	switch (p->source) {
	case SCN_SOURCE_NAT:
		snprintf(buf, len, "behind NAT: %u public address%s", p->addresses,
			 p->addresses == 1 ? "" : "es");
		break;
	case SCN_SOURCE_CGNAT:
		snprintf(buf, len, "behind carrier-grade NAT: a pool of %u addresses, changing every %.0f min on average",
			 p->addresses, (double)p->churn / 60e9);
		break;
	default:
		snprintf(buf, len, "one public address per device");
	}
	return buf;
}

static void write_scenario(FILE *fp, const struct scenario *scn)
{
	char buf[160];
	fprintf(fp, "## The scenario\n\n");
	fprintf(fp, "%u servers of %u cores each. %.0f minutes measured after %.0f minutes of warm-up, "
		    "%u replication%s (seed %llu); every design sees the same client traffic in each "
		    "replication.\n\n",
		scn->servers.count, scn->servers.cores, (double)scn->duration / 60e9,
		(double)scn->warmup / 60e9, scn->replications, scn->replications == 1 ? "" : "s",
		(unsigned long long)scn->seed);
	fprintf(fp, "| population | users | source | traffic |\n|---|---|---|---|\n");
	for (uint32_t i = 0; i < scn->npopulations; i++) {
		const struct scn_population *p = &scn->populations[i];
		fputs("| ", fp);
		escape_md(fp, p->name);
		fprintf(fp, " | %llu | %s | ", (unsigned long long)p->users,
			source_words(p, buf, sizeof buf));
		if (p->request_rate > 0) {
			fprintf(fp, "%g requests/s per user to %s |\n", p->request_rate,
				workload_name(p->open_workload));
		} else {
			int first = 1;
			for (int w = 0; w < WL_COUNT; w++)
				if (p->clients & (1u << w)) {
					fprintf(fp, "%s%s", first ? "" : ", ", workload_name((enum workload)w));
					first = 0;
				}
			fprintf(fp, " clients |\n");
		}
	}
	fprintf(fp, "\n| design | kind | balance | persistence |\n|---|---|---|---|\n");
	for (uint32_t d = 0; d < scn->ndesigns; d++) {
		const struct scn_design *dz = &scn->designs[d];
		fputs("| ", fp);
		escape_md(fp, dz->name);
		fprintf(fp, " | %s | ", kind_words(dz->kind));
		escape_md(fp, dz->balance->name);
		fprintf(fp, " | %s |\n", dz->persist ? dz->persist->name : "none");
	}
	if (scn->nfaults) {
		fprintf(fp, "\nFaults:\n\n");
		for (uint32_t f = 0; f < scn->nfaults; f++) {
			const struct scn_fault *ft = &scn->faults[f];
			fprintf(fp, "%u. at %.0f s, server %u: ", f + 1, (double)ft->at / 1e9, ft->server + 1);
			if (ft->kind == SCN_FAULT_WORKLOAD_DOWN)
				fprintf(fp, "%s fails (the server's other workloads keep working)",
					workload_name(ft->workload));
			else if (ft->kind == SCN_FAULT_SLOW)
				fprintf(fp, "becomes %g times slower", ft->factor);
			else
				fprintf(fp, "fails completely");
			if (ft->duration != SIM_TIME_NEVER)
				fprintf(fp, ", for %.0f s", (double)ft->duration / 1e9);
			fprintf(fp, "\n");
		}
	}
	fprintf(fp, "\n");
}

static void write_headline(FILE *fp, const struct scenario *scn, const struct summary_table *sm)
{
	fprintf(fp, "## Headline numbers\n\nMeans over replications with 95 %% confidence intervals.\n\n");
	fprintf(fp, "| design | jain (requests) | peak/mean | failed | misrouted | p99 response (ms) | "
		    "balancer CPU (cores) | balancer memory (MB) |\n|---|---|---|---|---|---|---|---|\n");
	for (uint32_t d = 0; d < scn->ndesigns; d++) {
		const char *n = scn->designs[d].name;
		fputs("| ", fp);
		escape_md(fp, n);
		fputs(" | ", fp);
		fig(fp, summary_csv_find(sm, n, "jain", "all"), 1, 3);
		fputs(" | ", fp);
		fig(fp, summary_csv_find(sm, n, "peak_to_mean", "all"), 1, 3);
		fputs(" | ", fp);
		fig(fp, summary_csv_find(sm, n, "failed_requests", "all"), 1, 0);
		fputs(" | ", fp);
		fig(fp, summary_csv_find(sm, n, "misrouted_requests", "all"), 1, 0);
		fputs(" | ", fp);
		fig(fp, summary_csv_find(sm, n, "response_p99", "all"), 1, 1);
		fputs(" | ", fp);
		fig(fp, summary_csv_find(sm, n, "lb_cpu_cores", "all"), 1, -1);
		fputs(" | ", fp);
		fig(fp, summary_csv_find(sm, n, "lb_mem_bytes", "all"), 1e-6, -1);
		fputs(" |\n", fp);
	}
	fprintf(fp, "\n");
}

/* The reference article's comparison (Exchange 2013 load balancing, part
 * 2): easy to set up, balancer resources, per-protocol availability,
 * external addresses; each cell a measured or counted figure. */
static void write_pros_cons(FILE *fp, const struct scenario *scn, const struct summary_table *sm)
{
	fprintf(fp, "## Pros and cons, measured\n\n");
	fprintf(fp, "| | ");
	for (uint32_t d = 0; d < scn->ndesigns; d++) {
		escape_md(fp, scn->designs[d].name);
		fputs(" | ", fp);
	}
	fprintf(fp, "\n|---|");
	for (uint32_t d = 0; d < scn->ndesigns; d++)
		fprintf(fp, "---|");
	fprintf(fp, "\n| **Set-up**: virtual services / content rules / health checks | ");
	for (uint32_t d = 0; d < scn->ndesigns; d++) {
		const char *n = scn->designs[d].name;
		fig(fp, summary_csv_find(sm, n, "virtual_services", "all"), 1, 0);
		fputs(" / ", fp);
		fig(fp, summary_csv_find(sm, n, "content_rules", "all"), 1, 0);
		fputs(" / ", fp);
		fig(fp, summary_csv_find(sm, n, "health_checks", "all"), 1, 0);
		fputs(" | ", fp);
	}
	fprintf(fp, "\n| **Balancer resources**: CPU cores / memory MB | ");
	for (uint32_t d = 0; d < scn->ndesigns; d++) {
		const char *n = scn->designs[d].name;
		fig(fp, summary_csv_find(sm, n, "lb_cpu_cores", "all"), 1, -1);
		fputs(", peak ", fp);
		fig(fp, summary_csv_find(sm, n, "lb_cpu_cores_peak", "all"), 1, -1);
		fputs(" / ", fp);
		fig(fp, summary_csv_find(sm, n, "lb_mem_bytes", "all"), 1e-6, -1);
		fputs(" | ", fp);
	}
	fprintf(fp, "\n| **Per-protocol availability**: misrouted requests");
	for (uint32_t f = 0; f < scn->nfaults; f++)
		fprintf(fp, "; fault %u detected after (s)", f + 1);
	fprintf(fp, " | ");
	for (uint32_t d = 0; d < scn->ndesigns; d++) {
		const char *n = scn->designs[d].name;
		fig(fp, summary_csv_find(sm, n, "misrouted_requests", "all"), 1, 0);
		for (uint32_t f = 0; f < scn->nfaults; f++) {
			char scope[32];
			snprintf(scope, sizeof scope, "fault%u", f + 1);
			const struct summary_row *r = summary_csv_find(sm, n, "detect_s", scope);
			fputs("; ", fp);
			if (!r || isnan(r->mean))
				fputs("never", fp);
			else
				fig(fp, r, 1, 1);
		}
		fputs(" | ", fp);
	}
	fprintf(fp, "\n| **External addresses** (and names on the certificate) | ");
	for (uint32_t d = 0; d < scn->ndesigns; d++) {
		fig(fp, summary_csv_find(sm, scn->designs[d].name, "external_ips", "all"), 1, 0);
		fputs(" | ", fp);
	}
	fprintf(fp, "\n\n");
}

static void write_plots(FILE *fp, const char *dir)
{
	static const struct {
		const char *file, *caption;
	} plots[] = {
		{"share.png", "Share of requests per server"},
		{"conns.png", "Connections opened per server"},
		{"load.png", "Load per server over time, faults shaded, health transitions marked"},
		{"cost.png", "Balancer CPU and memory"},
		{"availability.png", "Failed and misrouted requests per workload"},
		{"latency.png", "Response-time distribution"},
		{"busy.png", "Server CPU busy"},
	};
	fprintf(fp, "## Plots\n\n");
	int any = 0;
	for (size_t i = 0; i < sizeof plots / sizeof plots[0]; i++)
		if (exists(dir, plots[i].file)) {
			fprintf(fp, "### %s\n\n![%s](%s)\n\n", plots[i].caption, plots[i].caption,
				plots[i].file);
			any = 1;
		}
	if (!any)
		fprintf(fp, "No plots: gnuplot was not available when the report was written.\n\n");
}

int report_write(const char *dir, const char *shown, FILE *log, char *err, size_t errlen)
{
	char path[4096];
	struct scenario *scn;
	struct scn_error serr;
	snprintf(path, sizeof path, "%s/scenario.yaml", dir);
	if (scn_load(path, &scn, &serr) != 0) {
		snprintf(err, errlen, "%s: %s%s", path, serr.message,
			 serr.line ? "" : " (run 'lbsim run' first)");
		return -1;
	}
	struct summary_table sm;
	char spath[4096];
	snprintf(spath, sizeof spath, "%s/summary.csv", dir);
	if (summary_csv_read(spath, &sm, err, errlen) != 0) {
		scn_free(scn);
		return -1;
	}
	if (!exists(dir, "share.png")) {
		char perr[1024];
		if (plot_results(dir, shown, log, perr, sizeof perr) != 0 && log)
			fprintf(log, "report: %s\n", perr);
	}
	struct csv_out out;
	int rc = -1;
	if (csv_out_open(&out, dir, "report.md", err, errlen) == 0) {
		FILE *fp = out.fp;
		fputs("# ", fp);
		escape_md(fp, scn->name);
		fprintf(fp, "\n\nA comparison of load-balancer designs on the same client traffic, "
			    "simulated by lbsim. Figures in brackets are 95 %% confidence intervals.\n\n");
		write_scenario(fp, scn);
		write_headline(fp, scn, &sm);
		write_pros_cons(fp, scn, &sm);
		write_plots(fp, dir);
		fprintf(fp, "Every figure is in summary.csv; the columns are described in lbsim's README.\n");
		rc = csv_out_commit(&out, err, errlen);
		if (rc == 0 && log)
			fprintf(log, "report: %s/report.md\n", shown);
	}
	summary_csv_free(&sm);
	scn_free(scn);
	return rc;
}
