/* The report's word on skew that depends on the address draw (issue 14,
 * item 5). A design that picks servers from the client's address (source
 * hashing, source-ip persistence) spreads load as the addresses fall:
 * the addresses are drawn anew in every replication (address plans), so
 * its peak/mean and Jain index vary from one replication to the next as
 * another draw of the same network would make them. The mean's interval
 * in the headline narrows with more replications; the spread between
 * replications does not, and it is what one real network may get. This
 * section says which designs are affected, how few addresses each
 * population shows, and the spread: every replication's value (from
 * runs.csv), or their range and median when there are many. A sweep's
 * report says the same in words (sweep.csv keeps means only); a plan's
 * sets the busiest server's mean beside its worst replication
 * (plan.csv's server_busy_max_worst).
 */
#include "report_parts.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lbsim/address_plan.h"
#include "lbsim/csv_table.h"

/* Values listed one by one up to this many replications; beyond, the
 * least, the median and the largest. */
#define LIST_MAX 12

/* How many distinct addresses population p can show at most. */
static uint64_t population_addresses(const struct scn_population *p)
{
	uint64_t n = p->users;
	if (p->source != SCN_SOURCE_UNIQUE) {
		n = (uint64_t)p->addresses * (p->sites ? p->sites : 1);
	} else if (p->address_per_device) {
		uint64_t kinds = 0;
		for (int w = 0; w < WL_COUNT; w++)
			kinds += (p->clients >> w) & 1u;
		n = p->users * (kinds ? kinds : 1);
	}
	if (p->plan && !p->plan->nprefixes) {
		uint64_t entries = addr_list_count(&p->plan->list);
		n = n < entries ? n : entries;
	}
	return n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The cell of design's metric (scope all) over the replications of t. */
static void spread_cell(struct doc *d, const struct csv_table *t, const char *design,
			const char *metric, uint32_t reps)
{
	int cd = csv_table_col(t, "design"), cm = csv_table_col(t, "metric"),
	    cs = csv_table_col(t, "scope"), cv = csv_table_col(t, "value");
	double *v = malloc((reps ? reps : 1) * sizeof *v);
	uint32_t n = 0;
	for (size_t r = 0; v && r < t->nrows && n < reps; r++)
		if (!strcmp(csv_table_get(t, r, cd), design) && !strcmp(csv_table_get(t, r, cm), metric) &&
		    !strcmp(csv_table_get(t, r, cs), "all") && !isnan(csv_table_num(t, r, cv)))
			v[n++] = csv_table_num(t, r, cv);
	char text[LIST_MAX * 12 + 64];
	size_t used = 0;
	text[0] = '\0';
	if (n && n <= LIST_MAX) {
		for (uint32_t i = 0; i < n; i++)
			used += (size_t)snprintf(text + used, sizeof text - used, "%s%.2f", i ? ", " : "",
						 v[i]);
	} else if (n) {
		qsort(v, n, sizeof *v, cmp_double);
		double median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
		snprintf(text, sizeof text, "%.2f to %.2f, median %.2f", v[0], v[n - 1], median);
	}
	doc_cell_num(d, "%s", n ? text : "-");
	free(v);
}

void report_address_draw(struct doc *d, const char *dir, const struct scenario *scn)
{
	uint32_t reading = 0;
	for (uint32_t k = 0; k < scn->ndesigns; k++)
		reading += (uint32_t)scn_design_reads_source(&scn->designs[k]);
	if (!reading)
		return;
	char path[4096], err[512];
	struct csv_table t;
	snprintf(path, sizeof path, "%s/runs.csv", dir);
	if (!report_exists(dir, "runs.csv") || csv_table_read(&t, path, 0, err, sizeof err))
		return;
	doc_heading(d, 2, "Skew that depends on the address draw");
	char pops[1024];
	size_t used = 0;
	pops[0] = '\0';
	for (uint32_t i = 0; i < scn->npopulations && used < sizeof pops; i++) {
		const struct scn_population *p = &scn->populations[i];
		uint64_t n = population_addresses(p);
		used += (size_t)snprintf(pops + used, sizeof pops - used, "%s%s %llu", i ? "; " : "",
					 p->name, (unsigned long long)n);
	}
	doc_para(d, "%u of the designs pick%s servers from the client's address (source hashing "
		 "or source-IP persistence). Which addresses the clients have is drawn anew in "
		 "every replication (the populations' address plans), so how evenly these designs "
		 "spread load depends on the draw: with few addresses, another draw of the same "
		 "network puts more or fewer of them on one server. Below, each replication's "
		 "value: the spread a real network of this shape may see. More replications "
		 "narrow the interval of the mean, not this spread. Distinct public addresses per "
		 "population, at most: %s.", reading, reading == 1 ? "s" : "", pops);
	static const char *const header[] = {"design", "peak/mean by replication",
					     "Jain index by replication"};
	doc_table_begin(d, 3, header);
	for (uint32_t k = 0; k < scn->ndesigns; k++) {
		if (!scn_design_reads_source(&scn->designs[k]))
			continue;
		doc_cell(d, "%s", scn->designs[k].name);
		spread_cell(d, &t, scn->designs[k].name, "peak_to_mean", scn->replications);
		spread_cell(d, &t, scn->designs[k].name, "jain", scn->replications);
		doc_row_end(d);
	}
	doc_table_end(d);
	csv_table_free(&t);
}

/* The names of scn's designs that read the client's address, "a, b",
 * into buf; returns how many. */
static uint32_t reading_designs(const struct scenario *scn, char *buf, size_t len)
{
	uint32_t n = 0;
	size_t used = 0;
	buf[0] = '\0';
	for (uint32_t k = 0; k < scn->ndesigns; k++) {
		if (!scn_design_reads_source(&scn->designs[k]))
			continue;
		if (used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", n ? ", " : "",
						 scn->designs[k].name);
		n++;
	}
	return n;
}

void report_sweep_draw(struct doc *d, const struct scenario *scn)
{
	char names[512];
	uint32_t n = reading_designs(scn, names, sizeof names);
	if (!n)
		return;
	doc_heading(d, 2, "Skew that depends on the address draw");
	doc_para(d, "%s pick%s servers from the client's address (source hashing or source-IP "
		 "persistence; in the base scenario), so how evenly %s spread%s load depends on "
		 "which addresses the clients show, drawn anew in every replication. The intervals "
		 "here are of the mean over replications: one real network is one draw, and its "
		 "skew can fall further from the mean than the interval. To see the spread, run a "
		 "point with lbsim run (its report lists each replication), or plan with "
		 "--every-replication.",
		 names, n == 1 ? "s" : "", n == 1 ? "it" : "they", n == 1 ? "s" : "");
}

void report_plan_draw(struct doc *d, const struct csv_table *t, const struct scenario *scn,
		      int every_replication)
{
	char names[512];
	int cw = csv_table_col(t, "server_busy_max_worst"), cd = csv_table_col(t, "design"),
	    cu = csv_table_col(t, "users"), cb = csv_table_col(t, "server_busy_max"),
	    cl = csv_table_col(t, "server_busy_max_ci95_low"),
	    ch = csv_table_col(t, "server_busy_max_ci95_high");
	uint32_t n = reading_designs(scn, names, sizeof names);
	if (!n || cw < 0 || cd < 0 || cu < 0 || cb < 0)
		return;
	doc_heading(d, 2, "Skew that depends on the address draw");
	doc_para(d, "%s pick%s servers from the client's address, so the busiest server's load "
		 "depends on which addresses the clients show, drawn anew in every replication. "
		 "Below, at each planned size, the busiest server's busy fraction as a mean over "
		 "the replications and in the worst of them: one real network is one draw. %s",
		 names, n == 1 ? "s" : "",
		 every_replication ? "This plan judged the worst replication (--every-replication)."
				   : "This plan judged the mean; --every-replication sizes so that "
				     "every replication meets the targets.");
	static const char *const header[] = {"users", "design", "busiest server, mean",
					     "busiest server, worst replication"};
	doc_table_begin(d, 4, header);
	for (size_t r = 0; r < t->nrows; r++) {
		const char *design = csv_table_get(t, r, cd);
		uint32_t k = 0;
		while (k < scn->ndesigns && strcmp(scn->designs[k].name, design))
			k++;
		if (k == scn->ndesigns || !scn_design_reads_source(&scn->designs[k]))
			continue;
		char a[128];
		doc_cell_num(d, "%s", csv_table_get(t, r, cu));
		doc_cell(d, "%s", design);
		doc_cell_num(d, "%s", doc_format(a, sizeof a, "fraction", csv_table_num(t, r, cb),
						 cl < 0 ? NAN : csv_table_num(t, r, cl),
						 ch < 0 ? NAN : csv_table_num(t, r, ch)));
		doc_cell_num(d, "%s", doc_format(a, sizeof a, "fraction", csv_table_num(t, r, cw),
						 NAN, NAN));
		doc_row_end(d);
	}
	doc_table_end(d);
}
