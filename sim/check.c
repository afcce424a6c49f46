/* Judging results against expectations; see include/lbsim/check.h. */
#include "lbsim/check.h"

#include <math.h>
#include <stdlib.h>

#include "lbsim/summary.h"

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
