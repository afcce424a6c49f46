/* `lbsim check --junit FILE` and `--json FILE`: what a check judged, for
 * CI systems to show; see include/lbsim/check.h.
 *
 * JUnit XML has no standard beyond what Ant wrote and Jenkins, GitLab and
 * GitHub's test reporters read: <testsuites> of <testsuite name tests
 * failures>, each holding <testcase classname name> with a <failure
 * message type> child when it failed; <system-out> holds free text. GitLab
 * links a case to its file with a `file` attribute. Every name from the
 * scenario goes through escape_html (XML-safe); numbers are plain.
 *
 * Both files are written whole or not at all (a temporary file beside
 * the target, renamed into place), and hold no clock time: the same
 * check gives the same bytes.
 */
#include "lbsim/check.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lbsim/file_out.h"
#include "lbsim/escape.h"

#ifndef LBSIM_VERSION
#define LBSIM_VERSION "unknown"
#endif

/* Each file is written whole (file_out.h); "-" is a file name here, as
 * standard output carries check's own lines. */
static int close_target(struct file_out *f, const char *path, char *err, size_t errlen)
{
	if (f->c.error || ferror(f->fp)) {
		snprintf(err, errlen, "%s: write failed (device full?)", path);
		file_out_abort(f);
		return -1;
	}
	return file_out_commit(f, err, errlen);
}

int check_report_path_ok(const char *path, FILE *note, char *err, size_t errlen)
{
	struct file_out f;
	/* The first open of the file: it says what stale temporaries it
	 * removed. */
	if (file_out_open_file(&f, path, note, err, errlen) != 0)
		return -1;
	file_out_abort(&f);
	return 0;
}

/* ---- JUnit ----------------------------------------------------------------- */

static void xml(FILE *fp, const char *s)
{
	escape_html(fp, s);
}

static unsigned count_lines(const struct check_report *r, int baseline, unsigned *failed)
{
	unsigned n = 0;
	*failed = 0;
	for (size_t i = 0; i < r->n; i++)
		if (r->lines[i].baseline == baseline) {
			n++;
			*failed += (unsigned)r->lines[i].failed;
		}
	return n;
}

/* "jain (all) >= 0.95" or "peak_to_mean (owa) within 5 % of the baseline". */
static void case_name(char *buf, size_t len, const struct check_line *l)
{
	const struct scn_expect *e = l->expect;
	int n = snprintf(buf, len, "%s (%s) ", l->metric, l->scope);
	size_t used = n < 0 ? 0 : (size_t)n;
	if (used >= len)
		return;
	if (l->baseline)
		snprintf(buf + used, len - used, "within %g %% of the baseline", 100 * l->tolerance);
	else if (e->has_min && e->has_max)
		snprintf(buf + used, len - used, "in [%g, %g]", e->min, e->max);
	else if (e->has_min)
		snprintf(buf + used, len - used, ">= %g", e->min);
	else
		snprintf(buf + used, len - used, "<= %g", e->max);
}

/* How the expectations were judged, as the reports name it. */
static const char *judge_name(enum judge_mode m)
{
	return m == JUDGE_UPPER ? "interval" : m == JUDGE_EVERY ? "every-replication" : "mean";
}

static void junit_suite(FILE *fp, const struct check_report *r, const struct scenario *scn,
			int baseline)
{
	unsigned failed, n = count_lines(r, baseline, &failed);
	fputs("  <testsuite name=\"", fp);
	xml(fp, scn->name);
	fputs(baseline ? " (baseline " : " (expectations)", fp);
	if (baseline) {
		xml(fp, r->baseline_path);
		fputs(")", fp);
	}
	fprintf(fp, "\" tests=\"%u\" failures=\"%u\" errors=\"0\" skipped=\"0\">\n", n, failed);
	fputs("    <properties>\n", fp);
	fprintf(fp, "      <property name=\"lbsim_version\" value=\"%s\"/>\n", LBSIM_VERSION);
	fputs("      <property name=\"scenario\" value=\"", fp);
	xml(fp, scn->path);
	fprintf(fp, "\"/>\n      <property name=\"seed\" value=\"%llu\"/>\n"
		    "      <property name=\"replications\" value=\"%u\"/>\n"
		    "      <property name=\"strict\" value=\"%s\"/>\n"
		    "      <property name=\"judge\" value=\"%s\"/>\n    </properties>\n",
		(unsigned long long)scn->seed, scn->replications, r->mode == JUDGE_UPPER ? "yes" : "no",
		judge_name(r->mode));
	for (size_t i = 0; i < r->n; i++) {
		const struct check_line *l = &r->lines[i];
		if (l->baseline != baseline)
			continue;
		char name[256];
		case_name(name, sizeof name, l);
		fputs("    <testcase classname=\"lbsim.", fp);
		xml(fp, scn->name);
		fputs(".", fp);
		xml(fp, l->design);
		fputs("\" name=\"", fp);
		xml(fp, name);
		fputs("\"", fp);
		if (!baseline) {
			fputs(" file=\"", fp);
			xml(fp, scn->path);
			fprintf(fp, "\" line=\"%u\"", l->expect->line);
		}
		fputs(">\n", fp);
		if (l->failed) {
			fprintf(fp, "      <failure type=\"%s\" message=\"", baseline ? "changed" : "expectation");
			xml(fp, l->text);
			fputs("\">", fp);
			xml(fp, l->text);
			fputs("</failure>\n", fp);
		} else {
			fputs("      <system-out>", fp);
			xml(fp, l->text);
			fputs("</system-out>\n", fp);
		}
		fputs("    </testcase>\n", fp);
	}
	fputs("  </testsuite>\n", fp);
}

int check_write_junit(const struct check_report *r, const struct scenario *scn,
		      const char *path, char *err, size_t errlen)
{
	struct file_out f;
	if (file_out_open_file(&f, path, NULL, err, errlen) != 0)
		return -1;
	FILE *fp = f.fp;
	unsigned fe, fb;
	unsigned ne = count_lines(r, 0, &fe), nb = count_lines(r, 1, &fb);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", fp);
	fprintf(fp, "<testsuites name=\"lbsim check\" tests=\"%u\" failures=\"%u\" errors=\"0\">\n",
		ne + nb, fe + fb);
	if (scn->nexpects || !r->baseline_path)
		junit_suite(fp, r, scn, 0);
	if (r->baseline_path)
		junit_suite(fp, r, scn, 1);
	fputs("</testsuites>\n", fp);
	return close_target(&f, path, err, errlen);
}

/* ---- JSON ------------------------------------------------------------------- */

static void jstr(FILE *fp, const char *s)
{
	fputc('"', fp);
	escape_json(fp, s ? s : "");
	fputc('"', fp);
}

/* A number, or null for NaN and infinities (JSON has neither). */
static void jnum(FILE *fp, double v)
{
	if (isfinite(v))
		fprintf(fp, "%.10g", v);
	else
		fputs("null", fp);
}

static void jfigure(FILE *fp, const char *prefix, const struct estimate *e)
{
	fprintf(fp, "\"%smean\": ", prefix);
	jnum(fp, e->mean);
	fprintf(fp, ", \"%sci95_low\": ", prefix);
	jnum(fp, e->ci_low);
	fprintf(fp, ", \"%sci95_high\": ", prefix);
	jnum(fp, e->ci_high);
}

/* "design": ..., "metric": ..., "scope": ..., "unit": ... of a line. */
static void jnames(FILE *fp, const struct check_line *l)
{
	fputs("\"design\": ", fp);
	jstr(fp, l->design);
	fputs(", \"metric\": ", fp);
	jstr(fp, l->metric);
	fputs(", \"scope\": ", fp);
	jstr(fp, l->scope);
	fputs(", \"unit\": ", fp);
	jstr(fp, l->unit);
}

static const char *verdict_name(enum check_verdict v)
{
	switch (v) {
	case CHECK_PASS:
		return "pass";
	case CHECK_FAIL:
		return "fail";
	case CHECK_UNCERTAIN_PASS:
		return "uncertain-pass";
	default:
		return "uncertain-fail";
	}
}

int check_write_json(const struct check_report *r, const struct scenario *scn,
		     const char *path, char *err, size_t errlen)
{
	struct file_out f;
	if (file_out_open_file(&f, path, NULL, err, errlen) != 0)
		return -1;
	FILE *fp = f.fp;
	unsigned fe, fb;
	unsigned ne = count_lines(r, 0, &fe);
	count_lines(r, 1, &fb);
	fputs("{\n  \"lbsim_version\": ", fp);
	jstr(fp, LBSIM_VERSION);
	fputs(",\n  \"scenario\": {\"file\": ", fp);
	jstr(fp, scn->path);
	fputs(", \"name\": ", fp);
	jstr(fp, scn->name);
	fprintf(fp, "},\n  \"seed\": %llu,\n  \"replications\": %u,\n  \"strict\": %s,\n"
		    "  \"judge\": \"%s\",\n",
		(unsigned long long)scn->seed, scn->replications,
		r->mode == JUDGE_UPPER ? "true" : "false", judge_name(r->mode));
	fprintf(fp, "  \"result\": \"%s\",\n  \"passed\": %u,\n  \"failed\": %u,\n",
		fe + fb ? "fail" : "pass", ne - fe, fe);
	fputs("  \"expectations\": [", fp);
	int first = 1;
	for (size_t i = 0; i < r->n; i++) {
		const struct check_line *l = &r->lines[i];
		if (l->baseline)
			continue;
		const struct scn_expect *e = l->expect;
		fputs(first ? "\n    {" : ",\n    {", fp);
		first = 0;
		fprintf(fp, "\"line\": %u, ", e->line);
		jnames(fp, l);
		fputs(", ", fp);
		jfigure(fp, "", &l->now);
		fprintf(fp, ", \"replications\": %zu, \"min\": ", l->now.n);
		jnum(fp, e->has_min ? e->min : NAN);
		fputs(", \"max\": ", fp);
		jnum(fp, e->has_max ? e->max : NAN);
		if (r->mode == JUDGE_EVERY) {
			fputs(", \"replication_least\": ", fp);
			jnum(fp, l->rep_min);
			fputs(", \"replication_largest\": ", fp);
			jnum(fp, l->rep_max);
			fprintf(fp, ", \"replications_without_value\": %u", l->rep_missing);
		}
		fprintf(fp, ", \"verdict\": \"%s\", \"failed\": %s, \"text\": ", verdict_name(l->verdict),
			l->failed ? "true" : "false");
		jstr(fp, l->text);
		fputs("}", fp);
	}
	fputs(first ? "],\n" : "\n  ],\n", fp);
	fputs("  \"baseline\": ", fp);
	if (!r->baseline_path) {
		fputs("null\n}\n", fp);
		return close_target(&f, path, err, errlen);
	}
	fputs("{\"file\": ", fp);
	jstr(fp, r->baseline_path);
	fprintf(fp, ", \"compared\": %u, \"changed\": %u, \"figures\": [", r->compared, r->changed);
	first = 1;
	for (size_t i = 0; i < r->n; i++) {
		const struct check_line *l = &r->lines[i];
		if (!l->baseline)
			continue;
		fputs(first ? "\n    {" : ",\n    {", fp);
		first = 0;
		jnames(fp, l);
		fputs(", ", fp);
		struct estimate then = {.mean = l->then_mean, .ci_low = l->then_lo, .ci_high = l->then_hi};
		jfigure(fp, "baseline_", &then);
		fputs(", ", fp);
		jfigure(fp, "", &l->now);
		fputs(", \"tolerance\": ", fp);
		jnum(fp, l->tolerance);
		fprintf(fp, ", \"changed\": %s}", l->failed ? "true" : "false");
	}
	fputs(first ? "]}\n}\n" : "\n  ]}\n}\n", fp);
	return close_target(&f, path, err, errlen);
}
