/* The reports of a sweep's folder and a plan's: what was swept or
 * planned, from provenance.csv; the figures, from sweep.csv or plan.csv,
 * with their intervals; the pictures the command drew; the model's scope
 * and the scenario. See sim/output/report.c. */
#include "report_parts.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lbsim/csv_table.h"
#include "lbsim/model_notes.h"
#include "lbsim/provenance.h"
#include "lbsim/sweep.h"

#ifndef LBSIM_VERSION
#define LBSIM_VERSION "unknown"
#endif

/* sweep.csv and plan.csv can be large (a sweep of 10,000 points): a
 * reader's limit, and how many rows a document shows. */
#define BATCH_MAX_BYTES (512u << 20)
#define SHOW_ROWS 200

static int read_table(struct csv_table *t, const char *dir, const char *name, char *err,
		      size_t errlen)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return csv_table_read(t, path, BATCH_MAX_BYTES, err, errlen);
}

/* The provenance fact key, or NULL (the folder may have none). */
static const char *fact(const struct provenance *p, const char *key)
{
	return p ? provenance_get(p, key) : NULL;
}

static struct provenance *read_provenance(const char *dir)
{
	struct provenance *p = malloc(sizeof *p);
	char err[512];
	if (p && provenance_read(p, dir, err, sizeof err) != 0) {
		free(p);
		p = NULL;
	}
	return p;
}

static void truncated(struct doc *d, size_t shown, size_t all, const char *file)
{
	if (shown < all)
		doc_para(d, "The first %zu of %zu rows; %s has them all.", shown, all, file);
}

/* ---- sweeps ----------------------------------------------------------------- */

/* A heading for each metric a sweep plots (sweep_plot_metric). */
static const char *sweep_title(const char *metric)
{
	static const struct {
		const char *metric, *title;
	} titles[] = {
		{"response_p99", "Response time, p99"},
		{"server_busy_max", "Busiest server's CPU"},
		{"peak_to_mean", "Skew: peak/mean requests per server"},
		{"failed_requests", "Failed requests"},
		{"lb_cpu_cores", "Balancer CPU"},
		{"lb_mem_bytes", "Balancer memory"},
	};
	for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++)
		if (!strcmp(titles[i].metric, metric))
			return titles[i].title;
	return metric;
}

/* Rows of one metric, scope all, in file order: one per point and
 * design. A table with the point's values, then one column per design. */
static void sweep_table(struct doc *d, const struct csv_table *t, int nkeys,
			const struct scenario *scn, const char *metric)
{
	int cdes = nkeys, cmet = nkeys + 1, cscope = nkeys + 2, cunit = nkeys + 3,
	    cmean = nkeys + 4, clo = nkeys + 5, chi = nkeys + 6;
	const char *header[16 + SCN_MAX_DESIGNS];
	unsigned ncols = 0;
	for (int k = 0; k < nkeys && ncols < 16; k++)
		header[ncols++] = t->cells[k];
	for (uint32_t k = 0; k < scn->ndesigns; k++)
		header[ncols++] = scn->designs[k].name;
	doc_table_begin(d, ncols, header);
	size_t shown = 0, points = 0;
	int open = 0;
	/* The rows of a point's designs follow each other, the first
	 * design's first: that row starts a point. */
	for (size_t r = 0; r < t->nrows; r++) {
		if (strcmp(csv_table_get(t, r, cmet), metric) || strcmp(csv_table_get(t, r, cscope), "all"))
			continue;
		if (!strcmp(csv_table_get(t, r, cdes), scn->designs[0].name)) {
			if (open)
				doc_row_end(d);
			open = 0;
			points++;
			if (shown < SHOW_ROWS) {
				shown++;
				open = 1;
				for (int k = 0; k < nkeys && k < 16; k++)
					doc_cell(d, "%s", csv_table_get(t, r, k));
			}
		}
		if (!open)
			continue;
		char buf[128];
		doc_cell_num(d, "%s", doc_format(buf, sizeof buf, csv_table_get(t, r, cunit),
						 csv_table_num(t, r, cmean), csv_table_num(t, r, clo),
						 csv_table_num(t, r, chi)));
	}
	if (open)
		doc_row_end(d);
	doc_table_end(d);
	truncated(d, shown, points, "sweep.csv");
}

int report_sweep(struct doc *d, const char *dir, const struct scenario *scn, char *err,
		 size_t errlen)
{
	struct csv_table t;
	if (read_table(&t, dir, "sweep.csv", err, errlen) != 0)
		return -1;
	int nkeys = csv_table_col(&t, "design");
	if (nkeys < 0 || csv_table_col(&t, "ci95_high") != nkeys + 6) {
		snprintf(err, errlen, "%s/sweep.csv: not a sweep's table (no design column after "
			 "the swept keys)", dir);
		csv_table_free(&t);
		return -1;
	}
	struct provenance *p = read_provenance(dir);
	char title[256];
	snprintf(title, sizeof title, "%s: sweep", scn->name);
	doc_begin(d, title);
	doc_para(d, "Every design of the scenario simulated at each point of a grid of scenario "
		 "values, on the same client traffic, by lbsim %s. Figures are means over "
		 "replications with their 95 %% confidence intervals in brackets; sweep.csv has "
		 "every figure of every point.", LBSIM_VERSION);
	doc_heading(d, 2, "What was swept");
	doc_list_begin(d, 0);
	for (size_t i = 0; p && i < p->n; i++)
		if (!strcmp(p->rows[i].key, "set"))
			doc_item(d, NULL, "%s", p->rows[i].value);
	if (!p)
		for (int k = 0; k < nkeys; k++)
			doc_item(d, NULL, "%s", t.cells[k]);
	doc_list_end(d);
	if (fact(p, "points"))
		doc_para(d, "%s points, %s runs (points x designs x replications), %s replication(s) "
			 "of %s s each after %s s of warm-up, seed %s.", fact(p, "points"),
			 fact(p, "runs") ? fact(p, "runs") : "?", fact(p, "replications"),
			 fact(p, "duration_s"), fact(p, "warmup_s"), fact(p, "seed"));
	for (size_t i = 0; sweep_plot_metric(i); i++) {
		const char *metric = sweep_plot_metric(i);
		char pic[96];
		doc_heading(d, 2, sweep_title(metric));
		sweep_table(d, &t, nkeys, scn, metric);
		snprintf(pic, sizeof pic, "sweep_%s", metric);
		doc_picture(d, pic, sweep_title(metric));
	}
	report_sweep_draw(d, scn);
	report_model(d, scn);
	doc_para(d, "The scenario below is the sweep's base: each point changes it as listed above.");
	report_scenario(d, scn);
	report_provenance(d, dir);
	doc_end(d);
	free(p);
	csv_table_free(&t);
	return 0;
}

/* ---- plans -------------------------------------------------------------------- */

/* plan.csv's figure f (mean, _ci95_low, _ci95_high) of row r in a unit. */
static const char *plan_fig(char *buf, size_t len, const struct csv_table *t, size_t r,
			    const char *f, const char *unit)
{
	char lo[64], hi[64];
	snprintf(lo, sizeof lo, "%s_ci95_low", f);
	snprintf(hi, sizeof hi, "%s_ci95_high", f);
	return doc_format(buf, len, unit, csv_table_num(t, r, csv_table_col(t, f)),
			  csv_table_num(t, r, csv_table_col(t, lo)),
			  csv_table_num(t, r, csv_table_col(t, hi)));
}

int report_plan(struct doc *d, const char *dir, const struct scenario *scn, char *err,
		size_t errlen)
{
	struct csv_table t;
	if (read_table(&t, dir, "plan.csv", err, errlen) != 0)
		return -1;
	if (csv_table_col(&t, "met") < 0 || csv_table_col(&t, "servers") < 0) {
		snprintf(err, errlen, "%s/plan.csv: not a plan's table", dir);
		csv_table_free(&t);
		return -1;
	}
	struct provenance *p = read_provenance(dir);
	char title[256], scope[2048];
	snprintf(title, sizeof title, "%s: capacity plan", scn->name);
	doc_begin(d, title);
	doc_para(d, "For each design and population size, the smallest number of servers (or "
		 "cores per server) that meets the targets, found by lbsim %s with a simulation at "
		 "each size it tried; the balancer's cores and memory at that size. Figures are "
		 "means over replications with their 95 %% confidence intervals in brackets.",
		 LBSIM_VERSION);
	doc_heading(d, 2, "Targets and scope");
	if (fact(p, "targets"))
		doc_para_lead(d, "Targets:", "%s.", fact(p, "targets"));
	if (fact(p, "scope")) {
		snprintf(scope, sizeof scope, "%s", fact(p, "scope"));
	} else {
		model_servers_scope(scn, scope, sizeof scope);
	}
	doc_para(d, "%s", scope);
	int cu = csv_table_col(&t, "users"), cd = csv_table_col(&t, "design"),
	    cs = csv_table_col(&t, "servers"), csp = csv_table_col(&t, "spare"),
	    cc = csv_table_col(&t, "server_cores"), clb = csv_table_col(&t, "lb_cores"),
	    ce = csv_table_col(&t, "erlang_size"), cn = csv_table_col(&t, "erlang_note"),
	    cm = csv_table_col(&t, "met"), cw = csv_table_col(&t, "why");
	static const char *const header[] = {
		"users", "design", "servers (spare)", "cores each", "balancer cores",
		"balancer memory", "busiest server", "p99 response", "failed share",
		"M/M/c reference", "met"};
	doc_heading(d, 2, "The plan");
	doc_table_begin(d, 11, header);
	size_t shown = t.nrows < SHOW_ROWS ? t.nrows : SHOW_ROWS;
	for (size_t r = 0; r < shown; r++) {
		char a[128];
		doc_cell_num(d, "%s", csv_table_get(&t, r, cu));
		doc_cell(d, "%s", csv_table_get(&t, r, cd));
		doc_cell_num(d, "%s (%s)", csv_table_get(&t, r, cs),
			     *csv_table_get(&t, r, csp) ? csv_table_get(&t, r, csp) : "0");
		doc_cell_num(d, "%s", csv_table_get(&t, r, cc));
		doc_cell_num(d, "%s", *csv_table_get(&t, r, clb) ? csv_table_get(&t, r, clb)
								 : "unlimited");
		doc_cell_num(d, "%s", plan_fig(a, sizeof a, &t, r, "lb_mem_bytes", "bytes"));
		doc_cell_num(d, "%s", plan_fig(a, sizeof a, &t, r, "server_busy_max", "fraction"));
		doc_cell_num(d, "%s", plan_fig(a, sizeof a, &t, r, "response_p99_ms", "ms"));
		doc_cell_num(d, "%s", plan_fig(a, sizeof a, &t, r, "failed_share", "fraction"));
		if (*csv_table_get(&t, r, ce))
			doc_cell_num(d, "%s", csv_table_get(&t, r, ce));
		else
			doc_cell(d, "– (%s)", csv_table_get(&t, r, cn));
		doc_cell(d, "%s", csv_table_get(&t, r, cm));
		doc_row_end(d);
	}
	doc_table_end(d);
	truncated(d, shown, t.nrows, "plan.csv");
	doc_para(d, "M/M/c reference: the size at which every server up would meet the server "
		 "targets if each got an independent Poisson share of the requests (Erlang C); a "
		 "design that spreads better than random needs no more, one that skews may need "
		 "more (see the README, Capacity planning).");
	doc_heading(d, 3, "Why each answer");
	doc_list_begin(d, 0);
	for (size_t r = 0; r < shown; r++) {
		char lead[160];
		snprintf(lead, sizeof lead, "%s users, %s:", csv_table_get(&t, r, cu),
			 csv_table_get(&t, r, cd));
		doc_item(d, lead, "%s", csv_table_get(&t, r, cw));
	}
	doc_list_end(d);
	if (doc_picture(d, "plan", "Servers, balancer cores and memory against users") != 0)
		doc_para(d, "No plot: gnuplot was not available when the plan ran.");
	const char *targets = fact(p, "targets");
	report_plan_draw(d, &t, scn, targets && strstr(targets, "--every-replication") != NULL);
	report_model(d, scn);
	report_scenario(d, scn);
	report_provenance(d, dir);
	doc_end(d);
	free(p);
	csv_table_free(&t);
	return 0;
}
