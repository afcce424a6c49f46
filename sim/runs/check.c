/* Judging results against expectations; see include/lbsim/check.h. */
#include "lbsim/check.h"

#include <math.h>
#include <stdlib.h>

#include "lbsim/summary.h"
#include "lbsim/summary_csv.h"

#include <stdio.h>
#include <string.h>

static const struct summary_metric *metric_of(const struct scn_expect *e)
{
	return summary_metric_find(e->metric, (enum summary_scope)e->scope);
}

static enum check_verdict judge(const struct scn_expect *e, const struct estimate *est)
{
	if (isnan(est->mean))
		return CHECK_FAIL;
	double lo = isnan(est->ci_low) ? est->mean : est->ci_low;
	double hi = isnan(est->ci_high) ? est->mean : est->ci_high;
	int inside_all = (!e->has_min || lo >= e->min) && (!e->has_max || hi <= e->max);
	int outside_all = (e->has_min && hi < e->min) || (e->has_max && lo > e->max);
	if (inside_all)
		return CHECK_PASS;
	if (outside_all)
		return CHECK_FAIL;
	int mean_ok = (!e->has_min || est->mean >= e->min) && (!e->has_max || est->mean <= e->max);
	return mean_ok ? CHECK_UNCERTAIN_PASS : CHECK_UNCERTAIN_FAIL;
}

static void print_bound(FILE *out, const struct scn_expect *e)
{
	if (e->has_min && e->has_max)
		fprintf(out, "in [%g, %g]", e->min, e->max);
	else if (e->has_min)
		fprintf(out, ">= %g", e->min);
	else
		fprintf(out, "<= %g", e->max);
}

unsigned check_expectations(const struct experiment *ex, int strict, FILE *out)
{
	const struct scenario *scn = ex->scn;
	double *buf = calloc(scn->replications, sizeof *buf);
	unsigned failed = 0;
	if (!buf) {
		fprintf(out, "lbsim: out of memory\n");
		return scn->nexpects ? scn->nexpects : 1;
	}
	for (uint32_t i = 0; i < scn->nexpects; i++) {
		const struct scn_expect *e = &scn->expects[i];
		const struct summary_metric *m = metric_of(e);
		struct estimate est = summary_estimate(ex, e->design, m, e->arg, buf);
		enum check_verdict v = judge(e, &est);
		int fail = v == CHECK_FAIL || v == CHECK_UNCERTAIN_FAIL ||
			   (strict && v == CHECK_UNCERTAIN_PASS);
		failed += (unsigned)fail;
		fprintf(out, "%s  %s:%u: %s %s (%s) = ", fail ? "FAIL" : "PASS", scn->path, e->line,
			scn->designs[e->design].name, e->metric, e->scope_name);
		if (isnan(est.mean))
			fprintf(out, "no value");
		else if (isnan(est.ci_low))
			fprintf(out, "%.6g", est.mean);
		else
			fprintf(out, "%.6g [%.6g, %.6g]", est.mean, est.ci_low, est.ci_high);
		fprintf(out, " %s, expected ", m->unit);
		print_bound(out, e);
		if (v == CHECK_UNCERTAIN_PASS || v == CHECK_UNCERTAIN_FAIL)
			fprintf(out, " (uncertain: the interval straddles the bound%s)",
				strict ? "; --strict fails it" : "; the mean decides");
		fputc('\n', out);
	}
	free(buf);
	return failed;
}

static double tolerance_of(const char *metric, const struct check_tolerance *tol, size_t ntol,
			   double default_rel)
{
	for (size_t i = 0; i < ntol; i++)
		if (strcmp(tol[i].metric, metric) == 0)
			return tol[i].rel;
	return default_rel;
}

/* Compare one figure; 1 when it changed. */
static int compare_one(FILE *out, const char *design, const struct summary_metric *m,
		       const char *scope, const struct estimate *now,
		       const struct summary_row *then, double rel)
{
	if (isnan(now->mean) && isnan(then->mean))
		return 0;
	double diff = fabs(now->mean - then->mean);
	double allowed = then->mean != 0 ? rel * fabs(then->mean) : rel;
	int moved = isnan(now->mean) != isnan(then->mean) || diff > allowed;
	int overlap = 0;
	if (!isnan(now->ci_low) && !isnan(then->lo))
		overlap = now->ci_low <= then->hi && then->lo <= now->ci_high;
	if (!moved || overlap)
		return 0;
	fprintf(out, "CHANGED  %s %s (%s): %.6g -> %.6g %s (%+.1f %%, tolerance %.1f %%)\n", design,
		m->name, scope, then->mean, now->mean, m->unit,
		then->mean != 0 ? 100 * (now->mean - then->mean) / fabs(then->mean) : 0.0, 100 * rel);
	return 1;
}

/* ---- the baseline's rows against the run's --------------------------------- */

struct match {
	const struct scenario *scn;
	struct summary_table *base;
	uint32_t design;
	unsigned missing;
	char first[256];          /* the first row the baseline lacks */
};

static void match_item(void *ctx, const struct summary_item *it)
{
	struct match *m = ctx;
	const char *name = m->scn->designs[m->design].name;
	struct summary_row *row = summary_csv_find(m->base, name, it->m->name, it->scope);
	if (row) {
		row->matched = 1;
		return;
	}
	if (m->missing++ == 0)
		snprintf(m->first, sizeof m->first, "design %s, metric %s, scope %s", name, it->m->name,
			 it->scope);
}

int check_baseline_match(const struct scenario *scn, struct summary_table *base, const char *path,
			 char *err, size_t errlen)
{
	struct match m = {.scn = scn, .base = base};
	for (size_t i = 0; i < base->n; i++)
		base->rows[i].matched = 0;
	for (m.design = 0; m.design < scn->ndesigns; m.design++)
		summary_for_each(scn, match_item, &m);
	if (m.missing) {
		snprintf(err, errlen, "%s: lacks %u figure%s this run reports (the first: %s): the "
			 "baseline is of another scenario or an older lbsim; write it again with "
			 "lbsim run", path, m.missing, m.missing == 1 ? "" : "s", m.first);
		return -1;
	}
	for (size_t i = 0; i < base->n; i++) {
		const struct summary_row *r = &base->rows[i];
		if (!r->matched) {
			snprintf(err, errlen, "%s:%lu: design %s, metric %s, scope %s: this run has no "
				 "such figure: the baseline is of another scenario", path, r->line,
				 r->design, r->metric, r->scope);
			return -1;
		}
	}
	return 0;
}

/* ---- comparing ------------------------------------------------------------------ */

struct compare {
	const struct experiment *ex;
	const struct summary_table *base;
	const struct check_tolerance *tol;
	size_t ntol;
	double default_rel;
	FILE *out;
	double *buf;
	uint32_t design;
	unsigned compared, changed;
};

static void compare_item(void *ctx, const struct summary_item *it)
{
	struct compare *c = ctx;
	const char *name = c->ex->scn->designs[c->design].name;
	const struct summary_row *then = summary_csv_find(c->base, name, it->m->name, it->scope);
	if (!then) /* check_baseline_match said so before the run */
		return;
	struct estimate now = summary_estimate(c->ex, c->design, it->m, it->arg, c->buf);
	c->compared++;
	c->changed += (unsigned)compare_one(c->out, name, it->m, it->scope, &now, then,
					    tolerance_of(it->m->name, c->tol, c->ntol,
							 c->default_rel));
}

unsigned check_baseline(const struct experiment *ex, const struct summary_table *base,
			const struct check_tolerance *tol, size_t ntol, double default_rel, FILE *out)
{
	const struct scenario *scn = ex->scn;
	struct compare c = {.ex = ex, .base = base, .tol = tol, .ntol = ntol,
			    .default_rel = default_rel, .out = out};
	c.buf = calloc(scn->replications, sizeof *c.buf);
	if (!c.buf) {
		fprintf(out, "lbsim: out of memory\n");
		return 1;
	}
	for (c.design = 0; c.design < scn->ndesigns; c.design++)
		summary_for_each(scn, compare_item, &c);
	free(c.buf);
	fprintf(out, "baseline: %u figures compared, %u changed beyond tolerance\n", c.compared,
		c.changed);
	return c.changed;
}
