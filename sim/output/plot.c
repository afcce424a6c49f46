/* Plotting through gnuplot; see include/lbsim/plot.h.
 *
 * What the scripts need to know (design names, workloads, servers, fault
 * windows) comes from the results themselves, read with libcsv, so
 * `lbsim plot DIR` needs nothing but the results folder. Names reach
 * gnuplot as string variables (design1..N, workload1..M), quoted for
 * gnuplot, never spliced into a script (include/lbsim/gnuplot.h).
 */
#include "lbsim/plot.h"
#include "lbsim/csv_in.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lbsim/gnuplot.h"
#include "lbsim/run.h"
#include "lbsim/scenario.h"
#include "lbsim/workload.h"

#define MAX_FAULTS 64

/* The largest result file lbsim plot reads (README, "Limits"): gnuplot
 * reads timeseries.csv once per server and design for the load plot, so
 * beyond this a plot would take hours. */
#define PLOT_MAX_BYTES (1024u << 20)

/* What the plots are about, gathered from the CSV files. */
struct plot_facts {
	char designs[SCN_MAX_DESIGNS][SCN_NAME_MAX];
	unsigned ndesigns;
	int workload_seen[WL_COUNT];
	unsigned long nservers;
	double fault_begin[MAX_FAULTS], fault_end[MAX_FAULTS];
	unsigned nfaults;
	double last_time;
	/* latency.csv: each design's response time at each quantile, to say
	 * when the designs' curves coincide. */
	double latency[SCN_MAX_DESIGNS][RUN_CDF_POINTS];
	unsigned nlatency[SCN_MAX_DESIGNS];
	int bad;
};

/* One CSV file being read: the current row's fields. */
struct row_reader {
	struct plot_facts *facts;
	void (*on_row)(struct plot_facts *f, char fields[][SCN_NAME_MAX], unsigned n);
	char fields[8][SCN_NAME_MAX];
	unsigned nfields;
	unsigned long row;
};

static void on_field(void *data, size_t len, void *ctx)
{
	struct row_reader *rr = ctx;
	if (rr->nfields < 8) {
		if (len >= SCN_NAME_MAX)
			len = SCN_NAME_MAX - 1;
		memcpy(rr->fields[rr->nfields], data, len);
		rr->fields[rr->nfields][len] = '\0';
	}
	rr->nfields++;
}

static void on_row_end(int c, void *ctx)
{
	(void)c;
	struct row_reader *rr = ctx;
	if (rr->row++ > 0) /* skip the header */
		rr->on_row(rr->facts, rr->fields, rr->nfields < 8 ? rr->nfields : 8);
	rr->nfields = 0;
}

static int read_csv(const char *dir, const char *name, struct row_reader *rr, char *err, size_t errlen)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	struct csv_in in = {.path = path, .max_bytes = PLOT_MAX_BYTES, .on_field = on_field, .on_row = on_row_end, .ctx = rr};
	int rc = csv_in_read(&in, err, errlen);
	if (rc == CSV_IN_NO_FILE) {
		size_t used = strlen(err);
		snprintf(err + used, errlen > used ? errlen - used : 0, " (run 'lbsim run' first)");
	}
	return rc == CSV_IN_OK ? 0 : -1;
}

static void add_design(struct plot_facts *f, const char *name)
{
	for (unsigned i = 0; i < f->ndesigns; i++)
		if (strcmp(f->designs[i], name) == 0)
			return;
	if (f->ndesigns == SCN_MAX_DESIGNS) {
		f->bad = 1;
		return;
	}
	snprintf(f->designs[f->ndesigns++], SCN_NAME_MAX, "%s", name);
}

/* summary.csv: design, metric, scope, ... */
static void summary_row(struct plot_facts *f, char fields[][SCN_NAME_MAX], unsigned n)
{
	if (n < 3)
		return;
	add_design(f, fields[0]);
	int w = workload_find(fields[2]);
	if (w >= 0)
		f->workload_seen[w] = 1;
}

/* servers.csv: design, server, ... */
static void servers_row(struct plot_facts *f, char fields[][SCN_NAME_MAX], unsigned n)
{
	if (n < 2)
		return;
	unsigned long s = strtoul(fields[1], NULL, 10);
	if (s > f->nservers)
		f->nservers = s;
}

/* events.csv: design, replication, time_s, event, server, workload, fault.
 * Fault times are the same in every run; take them from the first. */
static void events_row(struct plot_facts *f, char fields[][SCN_NAME_MAX], unsigned n)
{
	if (n < 7 || strcmp(fields[1], "1") != 0 || strcmp(fields[0], f->designs[0]) != 0)
		return;
	unsigned long k = strtoul(fields[6], NULL, 10);
	if (k == 0 || k > MAX_FAULTS)
		return;
	double t = strtod(fields[2], NULL);
	if (strcmp(fields[3], "fault_begin") == 0) {
		f->fault_begin[k - 1] = t;
		if (k > f->nfaults)
			f->nfaults = (unsigned)k;
	} else if (strcmp(fields[3], "fault_end") == 0) {
		f->fault_end[k - 1] = t;
	}
}

/* timeseries.csv: design, replication, time_s, ... */
static void timeseries_row(struct plot_facts *f, char fields[][SCN_NAME_MAX], unsigned n)
{
	if (n < 3)
		return;
	double t = strtod(fields[2], NULL);
	if (t > f->last_time)
		f->last_time = t;
}

/* latency.csv: design, quantile, response_ms, replications; a design's
 * rows in quantile order. */
static void latency_row(struct plot_facts *f, char fields[][SCN_NAME_MAX], unsigned n)
{
	if (n < 3)
		return;
	for (unsigned d = 0; d < f->ndesigns; d++)
		if (strcmp(f->designs[d], fields[0]) == 0 && f->nlatency[d] < RUN_CDF_POINTS) {
			f->latency[d][f->nlatency[d]++] = strtod(fields[2], NULL);
			return;
		}
}

/* The largest relative gap between the designs' response times at any
 * quantile, in %: below a couple of % their curves are drawn on top of
 * each other, and the plot must say so. */
static double latency_spread(const struct plot_facts *f)
{
	double worst = 0;
	for (unsigned q = 0; q < RUN_CDF_POINTS; q++) {
		double lo = INFINITY, hi = 0;
		for (unsigned d = 0; d < f->ndesigns; d++) {
			if (q >= f->nlatency[d])
				return NAN;
			lo = fmin(lo, f->latency[d][q]);
			hi = fmax(hi, f->latency[d][q]);
		}
		if (hi > 0 && 100 * (hi - lo) / hi > worst)
			worst = 100 * (hi - lo) / hi;
	}
	return worst;
}

static int gather(const char *dir, struct plot_facts *f, char *err, size_t errlen)
{
	memset(f, 0, sizeof *f);
	for (unsigned i = 0; i < MAX_FAULTS; i++)
		f->fault_end[i] = NAN;
	struct {
		const char *file;
		void (*fn)(struct plot_facts *, char[][SCN_NAME_MAX], unsigned);
	} files[] = {
		{"summary.csv", summary_row},
		{"servers.csv", servers_row},
		{"events.csv", events_row},
		{"timeseries.csv", timeseries_row},
		{"latency.csv", latency_row},
	};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		struct row_reader rr = {.facts = f, .on_row = files[i].fn};
		if (read_csv(dir, files[i].file, &rr, err, errlen) != 0)
			return -1;
	}
	if (f->bad || f->ndesigns == 0 || f->nservers == 0) {
		snprintf(err, errlen, "%s: no results to plot", dir);
		return -1;
	}
	/* A fault that never recovered is shaded to the end of the run. */
	for (unsigned k = 0; k < f->nfaults; k++)
		if (isnan(f->fault_end[k]))
			f->fault_end[k] = f->last_time;
	return 0;
}

static const char *const plot_scripts[] = {"share", "conns", "busy", "load", "cost",
					    "availability", "latency"};

const char *plot_name(size_t i)
{
	return i < sizeof plot_scripts / sizeof plot_scripts[0] ? plot_scripts[i] : NULL;
}
static void describe(struct gp_vars *g, const struct plot_facts *f)
{
	gp_vars_add(g, "nservers=%lu; ndesigns=%u; ", f->nservers, f->ndesigns);
	for (unsigned d = 0; d < f->ndesigns; d++) {
		char var[32];
		snprintf(var, sizeof var, "design%u", d + 1);
		gp_vars_str(g, var, f->designs[d]);
	}
	unsigned nw = 0;
	for (int w = 0; w < WL_COUNT; w++)
		if (f->workload_seen[w])
			gp_vars_add(g, "workload%u='%s'; ", ++nw, workload_name((enum workload)w));
	gp_vars_add(g, "nworkloads=%u; nfaults=%u; ", nw, f->nfaults);
	/* Curves within 2 % of each other at every quantile coincide. */
	double spread = latency_spread(f);
	gp_vars_add(g, "coincide=%d; spread=%.3g; ", f->ndesigns > 1 && spread <= 2, isnan(spread) ? -1 : spread);
	for (unsigned k = 0; k < f->nfaults; k++)
		gp_vars_add(g, "fault_begin%u=%.17g; fault_end%u=%.17g; ", k + 1, f->fault_begin[k],
			    k + 1, f->fault_end[k]);
}

/* gnuplot's copies of the files the scripts read, designs numbered. */
static int copy_tables(const char *dir, const struct plot_facts *f, const struct gp_data *data,
		       char *err, size_t errlen)
{
	static const char *const files[] = {"summary.csv", "servers.csv", "timeseries.csv",
					    "events.csv", "latency.csv"};
	const char *names[SCN_MAX_DESIGNS];
	for (unsigned d = 0; d < f->ndesigns; d++)
		names[d] = f->designs[d];
	struct gp_names designs = {.col = 0, .names = names, .n = f->ndesigns};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char src[4096];
		snprintf(src, sizeof src, "%s/%s", dir, files[i]);
		if (gp_table(data, src, files[i], PLOT_MAX_BYTES, &designs, 1, err, errlen) != 0)
			return -1;
	}
	return 0;
}

int plot_results(const char *dir, const char *shown, FILE *log, char *err, size_t errlen)
{
	struct plot_facts *f = malloc(sizeof *f);
	struct gp_vars *g = malloc(sizeof *g);
	struct gp_data data = {.path = ""};
	int rc = -1;
	if (!f || !g) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (gather(dir, f, err, errlen) != 0 || gp_data_begin(&data, dir, shown, err, errlen) != 0 ||
	    copy_tables(dir, f, &data, err, errlen) != 0)
		goto out;
	g->used = 0;
	describe(g, f);
	for (size_t i = 0; i < sizeof plot_scripts / sizeof plot_scripts[0]; i++) {
		rc = gp_draw(dir, &data, plot_scripts[i], plot_scripts[i], g, log, err, errlen);
		if (rc != 0)
			goto out;
	}
	rc = 0;
out:
	gp_data_end(&data);
	free(f);
	free(g);
	return rc;
}
