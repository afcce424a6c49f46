/* The report of a run's folder (`lbsim run`, `lbsim check`): headline
 * numbers, the reference article's pros and cons measured, each
 * workload's figures, the paired differences, the model's scope, the
 * plots and the provenance. See sim/output/report.c. */
#include "report_parts.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lbsim/csv_table.h"
#include "lbsim/plot.h"
#include "lbsim/summary.h"
#include "lbsim/summary_csv.h"
#include "lbsim/workload.h"

#ifndef LBSIM_VERSION
#define LBSIM_VERSION "unknown"
#endif

/* The summary figure (design, metric, scope) in the reader's units. */
static const char *fig(char *buf, size_t len, const struct summary_table *sm, const char *design,
		       const char *metric, const char *scope)
{
	enum summary_scope kind = !strcmp(scope, "all")		? SUMMARY_ALL
				  : !strcmp(scope, "steady")	? SUMMARY_STEADY
				  : !strncmp(scope, "fault", 5) ? SUMMARY_FAULT
								: SUMMARY_WORKLOAD;
	const struct summary_metric *m = summary_metric_find(metric, kind);
	const struct summary_row *r = summary_csv_find(sm, design, metric, scope);
	if (!r || !m)
		return doc_format(buf, len, "", NAN, NAN, NAN);
	return doc_format(buf, len, m->unit, r->mean, r->lo, r->hi);
}

/* One row of figures of a design: its name, then one cell per metric. */
static void figure_row(struct doc *d, const struct summary_table *sm, const char *design,
		       const char *const *metrics, size_t n, const char *scope)
{
	char buf[128];
	doc_cell(d, "%s", design);
	for (size_t i = 0; i < n; i++)
		doc_cell_num(d, "%s", fig(buf, sizeof buf, sm, design, metrics[i], scope));
	doc_row_end(d);
}

static void headline(struct doc *d, const struct scenario *scn, const struct summary_table *sm)
{
	static const char *const header[] = {
		"design", "servers busy (mean)", "busiest server", "p99 response", "failed requests",
		"misrouted requests", "balancer CPU", "balancer memory", "peak/mean", "Jain index"};
	static const char *const metrics[] = {
		"server_busy_mean", "server_busy_max", "response_p99", "failed_requests",
		"misrouted_requests", "lb_cpu_cores", "lb_mem_bytes", "peak_to_mean", "jain"};
	doc_heading(d, 2, "Headline numbers");
	doc_para(d, "Means over %u replication%s; in brackets, 95 %% confidence intervals (each "
		 "within the values its figure can take: see the README, Intervals). Servers busy: "
		 "the share of their cores in use; peak/mean (busiest server's requests over the mean) "
		 "and Jain's index: how evenly requests spread over the servers, both 1 when "
		 "perfectly even.", scn->replications,
		 scn->replications == 1 ? "" : "s");
	doc_table_begin(d, 10, header);
	for (uint32_t k = 0; k < scn->ndesigns; k++)
		figure_row(d, sm, scn->designs[k].name, metrics, 9, "all");
	doc_table_end(d);
}

/* A row of the comparison: a lead and its words, then for each design
 * three figures (scope all) joined by fmt, which holds three %s. */
static void three_figures(struct doc *d, const struct scenario *scn,
			  const struct summary_table *sm, const char *lead, const char *words,
			  const char *fmt, const char *m1, const char *m2, const char *m3)
{
	doc_cell_lead(d, lead, "%s", words);
	for (uint32_t k = 0; k < scn->ndesigns; k++) {
		const char *n = scn->designs[k].name;
		char a[128], b[128], c[128], cellt[512];
		snprintf(cellt, sizeof cellt, fmt, fig(a, sizeof a, sm, n, m1, "all"),
			 fig(b, sizeof b, sm, n, m2, "all"), fig(c, sizeof c, sm, n, m3, "all"));
		doc_cell_num(d, "%s", cellt);
	}
	doc_row_end(d);
}

/* The reference article's comparison (Exchange 2013 load balancing, part
 * 2): set-up, balancer resources, per-protocol availability, external
 * addresses; each cell a measured or counted figure. */
static void pros_cons(struct doc *d, const struct scenario *scn, const struct summary_table *sm)
{
	const char *header[1 + SCN_MAX_DESIGNS];
	header[0] = "";
	for (uint32_t k = 0; k < scn->ndesigns; k++)
		header[1 + k] = scn->designs[k].name;
	doc_heading(d, 2, "Pros and cons, measured");
	doc_table_begin(d, 1 + scn->ndesigns, header);
	char a[128], e[128];
	three_figures(d, scn, sm, "Set-up:", "virtual services / content rules / health checks",
		      "%s / %s / %s", "virtual_services", "content_rules", "health_checks");
	three_figures(d, scn, sm, "Balancer resources:", "CPU (mean, busiest 10 s) / memory",
		      "%s, peak %s / %s", "lb_cpu_cores", "lb_cpu_cores_peak", "lb_mem_bytes");
	char what[256];
	size_t used = (size_t)snprintf(what, sizeof what, "misrouted requests");
	for (uint32_t f = 0; f < scn->nfaults && used < sizeof what; f++)
		used += (size_t)snprintf(what + used, sizeof what - used, "; fault %u detected after",
					 f + 1);
	doc_cell_lead(d, "Per-protocol availability:", "%s", what);
	for (uint32_t k = 0; k < scn->ndesigns; k++) {
		const char *n = scn->designs[k].name;
		char cellt[512];
		used = (size_t)snprintf(cellt, sizeof cellt, "%s",
					fig(a, sizeof a, sm, n, "misrouted_requests", "all"));
		for (uint32_t f = 0; f < scn->nfaults && used < sizeof cellt; f++) {
			char scope[32];
			snprintf(scope, sizeof scope, "fault%u", f + 1);
			const struct summary_row *r = summary_csv_find(sm, n, "detect_s", scope);
			used += (size_t)snprintf(cellt + used, sizeof cellt - used, "; %s",
						 !r || isnan(r->mean) ? "never"
						 : fig(e, sizeof e, sm, n, "detect_s", scope));
		}
		doc_cell_num(d, "%s", cellt);
	}
	doc_row_end(d);
	doc_cell_lead(d, "External addresses", "(and names on the certificate)");
	for (uint32_t k = 0; k < scn->ndesigns; k++)
		doc_cell_num(d, "%s", fig(a, sizeof a, sm, scn->designs[k].name, "external_ips", "all"));
	doc_row_end(d);
	doc_table_end(d);
}

/* Each workload some population uses: its requests, failures and
 * latency, and how its pool spread it, per design. */
static void workloads(struct doc *d, const struct scenario *scn, const struct summary_table *sm)
{
	static const char *const header[] = {
		"design", "requests", "failed", "misrouted", "p50 response", "p99 response",
		"peak/mean", "Jain index"};
	static const char *const metrics[] = {
		"requests_sent", "failed_requests", "misrouted_requests", "response_p50",
		"response_p99", "peak_to_mean", "jain"};
	doc_heading(d, 2, "Per workload");
	doc_para(d, "Measured requests of each workload, and the skew of the workload's own "
		 "requests over the servers: in l4-multi and l7 the skew of the workload's pool, "
		 "in l4 of its part of the one shared pool (server_workloads.csv has them server by "
		 "server).");
	for (int w = 0; w < WL_COUNT; w++) {
		if (!summary_workload_used(scn, w))
			continue;
		char title[96];
		snprintf(title, sizeof title, "%s (%s)", workload_name((enum workload)w),
			 workload_path((enum workload)w));
		doc_heading(d, 3, title);
		doc_table_begin(d, 8, header);
		for (uint32_t k = 0; k < scn->ndesigns; k++)
			figure_row(d, sm, scn->designs[k].name, metrics, 7,
				   workload_name((enum workload)w));
		doc_table_end(d);
	}
}

/* differences.csv: every design against the first, replication by
 * replication, on the same traffic. */
static void differences(struct doc *d, const char *dir)
{
	char path[4096], err[512];
	struct csv_table t;
	snprintf(path, sizeof path, "%s/differences.csv", dir);
	if (!report_exists(dir, "differences.csv") || csv_table_read(&t, path, 0, err, sizeof err))
		return;
	if (t.nrows == 0) {
		csv_table_free(&t);
		return;
	}
	int cd = csv_table_col(&t, "design"), cb = csv_table_col(&t, "baseline"),
	    cm = csv_table_col(&t, "metric"), cu = csv_table_col(&t, "unit"),
	    cv = csv_table_col(&t, "difference"), cl = csv_table_col(&t, "ci95_low"),
	    ch = csv_table_col(&t, "ci95_high");
	doc_heading(d, 2, "Compared with the first design");
	doc_para(d, "Mean difference (design minus %s) over the replications, each pair on the "
		 "same client traffic, with its 95 %% interval: an interval that excludes 0 is a "
		 "difference the noise does not explain.", csv_table_get(&t, 0, cb));
	static const char *const header[] = {"design", "metric", "difference"};
	doc_table_begin(d, 3, header);
	for (size_t r = 0; r < t.nrows; r++) {
		char buf[128];
		doc_cell(d, "%s", csv_table_get(&t, r, cd));
		doc_cell(d, "%s", csv_table_get(&t, r, cm));
		doc_cell_num(d, "%s", doc_format(buf, sizeof buf, csv_table_get(&t, r, cu),
						 csv_table_num(&t, r, cv), csv_table_num(&t, r, cl),
						 csv_table_num(&t, r, ch)));
		doc_row_end(d);
	}
	doc_table_end(d);
	csv_table_free(&t);
}

static void pictures(struct doc *d)
{
	static const struct {
		const char *name, *caption;
	} plots[] = {
		{"share", "Share of requests per server, with 95 % intervals"},
		{"busy", "Server CPU busy"},
		{"conns", "Connections opened per server"},
		{"load", "Load per server over time, faults shaded, health transitions marked"},
		{"cost", "Balancer CPU and memory"},
		{"availability", "Failed and misrouted requests per workload"},
		{"latency", "Response-time distribution"},
	};
	doc_heading(d, 2, "Plots");
	int any = 0;
	for (size_t i = 0; i < sizeof plots / sizeof plots[0]; i++)
		any |= doc_picture(d, plots[i].name, plots[i].caption) == 0;
	if (!any)
		doc_para(d, "No plots: gnuplot was not available when the report was written.");
}

int report_run(struct doc *d, const char *dir, const char *shown, const struct scenario *scn,
	       FILE *log, char *err, size_t errlen)
{
	struct summary_table sm;
	char path[4096];
	snprintf(path, sizeof path, "%s/summary.csv", dir);
	if (summary_csv_read(path, &sm, err, errlen) != 0)
		return -1;
	if (!report_exists(dir, "share.svg")) {
		char perr[1024];
		if (plot_results(dir, shown, log, perr, sizeof perr) != 0 && log)
			fprintf(log, "report: %s\n", perr);
	}
	doc_begin(d, scn->name);
	doc_para(d, "A comparison of load-balancer designs on the same client traffic, simulated "
		 "by lbsim %s. Every figure is a mean over replications with its 95 %% confidence "
		 "interval in brackets; every one is in the folder's CSV files (summary.csv, "
		 "runs.csv per replication), described in lbsim's README.", LBSIM_VERSION);
	headline(d, scn, &sm);
	report_address_draw(d, dir, scn);
	pros_cons(d, scn, &sm);
	workloads(d, scn, &sm);
	differences(d, dir);
	report_model(d, scn);
	report_scenario(d, scn);
	pictures(d);
	report_provenance(d, dir);
	doc_end(d);
	summary_csv_free(&sm);
	return 0;
}
