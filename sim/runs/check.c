/* Judging results against expectations; see include/lbsim/check.h. */
#include "lbsim/check.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>

#include "lbsim/summary.h"
#include "lbsim/summary_csv.h"

#include <stdio.h>
#include <string.h>

static const struct summary_metric *metric_of(const struct scn_expect *e)
{
	return summary_metric_find(e->metric, (enum summary_scope)e->scope);
}

const char *judge_option(enum judge_mode m)
{
	return m == JUDGE_UPPER ? "--strict" : m == JUDGE_EVERY ? "--every-replication" : "";
}

static int within(const struct scn_expect *e, double v)
{
	return (!e->has_min || v >= e->min) && (!e->has_max || v <= e->max);
}

/* --every-replication: each replication's value against the bound; the
 * line keeps the least and the largest, and how many had no value. */
static enum check_verdict judge_every(const struct scn_expect *e, const double *v, uint32_t n,
				      struct check_line *l)
{
	int all_in = n > 0;
	l->rep_min = l->rep_max = NAN;
	l->rep_missing = 0;
	for (uint32_t r = 0; r < n; r++) {
		if (isnan(v[r])) {
			l->rep_missing++;
			all_in = 0;
			continue;
		}
		if (!(v[r] >= l->rep_min))
			l->rep_min = v[r];
		if (!(v[r] <= l->rep_max))
			l->rep_max = v[r];
		all_in &= within(e, v[r]);
	}
	return all_in ? CHECK_PASS : CHECK_FAIL;
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
	return within(e, est->mean) ? CHECK_UNCERTAIN_PASS : CHECK_UNCERTAIN_FAIL;
}

/* Append to a line's text. */
__attribute__((format(printf, 2, 3)))
static void say(struct check_line *l, const char *fmt, ...)
{
	size_t used = strlen(l->text);
	if (used + 1 >= sizeof l->text)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(l->text + used, sizeof l->text - used, fmt, ap);
	va_end(ap);
}

static void say_bound(struct check_line *l, const struct scn_expect *e)
{
	if (e->has_min && e->has_max)
		say(l, "in [%g, %g]", e->min, e->max);
	else if (e->has_min)
		say(l, ">= %g", e->min);
	else
		say(l, "<= %g", e->max);
}

/* Print the line (out may be NULL) and keep it in rep (may be NULL). */
static void emit(FILE *out, struct check_report *rep, const struct check_line *l)
{
	if (out)
		fprintf(out, "%s\n", l->text);
	if (!rep)
		return;
	if (rep->n == rep->cap) {
		size_t cap = rep->cap ? 2 * rep->cap : 64;
		struct check_line *grown = realloc(rep->lines, cap * sizeof *grown);
		if (!grown) {
			rep->oom = 1;
			return;
		}
		rep->lines = grown;
		rep->cap = cap;
	}
	rep->lines[rep->n++] = *l;
}

void check_report_free(struct check_report *r)
{
	free(r->lines);
	r->lines = NULL;
	r->n = r->cap = 0;
}

unsigned check_expectations(const struct experiment *ex, enum judge_mode mode, FILE *out,
			    struct check_report *rep)
{
	const struct scenario *scn = ex->scn;
	double *buf = calloc(scn->replications, sizeof *buf);
	unsigned failed = 0;
	if (!buf) {
		fprintf(out, "lbsim: out of memory\n");
		return scn->nexpects ? scn->nexpects : 1;
	}
	int strict = mode == JUDGE_UPPER;
	if (rep)
		rep->mode = mode;
	for (uint32_t i = 0; i < scn->nexpects; i++) {
		const struct scn_expect *e = &scn->expects[i];
		const struct summary_metric *m = metric_of(e);
		struct check_line l = {.design = scn->designs[e->design].name, .metric = e->metric,
				       .unit = m->unit, .expect = e};
		snprintf(l.scope, sizeof l.scope, "%s", e->scope_name);
		l.now = summary_estimate(ex, e->design, m, e->arg, buf);
		l.rep_min = l.rep_max = NAN;
		l.verdict = mode == JUDGE_EVERY ? judge_every(e, buf, scn->replications, &l)
						: judge(e, &l.now);
		l.failed = l.verdict == CHECK_FAIL || l.verdict == CHECK_UNCERTAIN_FAIL ||
			   (strict && l.verdict == CHECK_UNCERTAIN_PASS);
		failed += (unsigned)l.failed;
		say(&l, "%s  %s:%u: %s %s (%s) = ", l.failed ? "FAIL" : "PASS", scn->path, e->line,
		    l.design, e->metric, e->scope_name);
		if (isnan(l.now.mean))
			say(&l, "no value");
		else if (isnan(l.now.ci_low))
			say(&l, "%.6g", l.now.mean);
		else
			say(&l, "%.6g [%.6g, %.6g]", l.now.mean, l.now.ci_low, l.now.ci_high);
		say(&l, " %s", m->unit);
		if (mode == JUDGE_EVERY) {
			if (!isnan(l.rep_min))
				say(&l, ", replications %.6g to %.6g", l.rep_min, l.rep_max);
			if (l.rep_missing)
				say(&l, ", %u with no value", l.rep_missing);
		}
		say(&l, ", expected ");
		say_bound(&l, e);
		if (mode == JUDGE_EVERY)
			say(&l, " in every replication");
		if (l.verdict == CHECK_UNCERTAIN_PASS || l.verdict == CHECK_UNCERTAIN_FAIL)
			say(&l, " (uncertain: the interval straddles the bound%s)",
			    strict ? "; --strict fails it" : "; the mean decides");
		emit(out, rep, &l);
	}
	free(buf);
	if (rep)
		rep->expect_failed = failed;
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

/* Compare one figure; 1 when it changed. Every figure compared is a line
 * of the report; only a changed one is printed. */
static int compare_one(FILE *out, struct check_report *rep, const char *design,
		       const struct summary_metric *m, const char *scope,
		       const struct estimate *now, const struct summary_row *then, double rel)
{
	struct check_line l = {.baseline = 1, .design = design, .metric = m->name,
			       .unit = m->unit, .now = *now, .then_mean = then->mean,
			       .then_lo = then->lo, .then_hi = then->hi, .tolerance = rel};
	snprintf(l.scope, sizeof l.scope, "%s", scope);
	double diff = fabs(now->mean - then->mean);
	double allowed = then->mean != 0 ? rel * fabs(then->mean) : rel;
	int moved = isnan(now->mean) != isnan(then->mean) || diff > allowed;
	int overlap = 0;
	if (!isnan(now->ci_low) && !isnan(then->lo))
		overlap = now->ci_low <= then->hi && then->lo <= now->ci_high;
	l.failed = !(isnan(now->mean) && isnan(then->mean)) && moved && !overlap;
	say(&l, "%s  %s %s (%s): %.6g -> %.6g %s (%+.1f %%, tolerance %.1f %%)",
	    l.failed ? "CHANGED" : "same", design, m->name, scope, then->mean, now->mean, m->unit,
	    then->mean != 0 ? 100 * (now->mean - then->mean) / fabs(then->mean) : 0.0, 100 * rel);
	if (l.failed)
		emit(out, rep, &l);
	else
		emit(NULL, rep, &l);
	return l.failed;
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
	struct check_report *rep;
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
	c->changed += (unsigned)compare_one(c->out, c->rep, name, it->m, it->scope, &now, then,
					    tolerance_of(it->m->name, c->tol, c->ntol,
							 c->default_rel));
}

unsigned check_baseline(const struct experiment *ex, const struct summary_table *base,
			const struct check_tolerance *tol, size_t ntol, double default_rel, FILE *out,
			struct check_report *rep)
{
	const struct scenario *scn = ex->scn;
	struct compare c = {.ex = ex, .base = base, .tol = tol, .ntol = ntol,
			    .default_rel = default_rel, .out = out, .rep = rep};
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
	if (rep) {
		rep->compared = c.compared;
		rep->changed = c.changed;
	}
	return c.changed;
}
