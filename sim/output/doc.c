/* Markdown and HTML at once; see include/lbsim/doc.h.
 *
 * Every call writes its piece to both files in turn. Text goes through
 * vsnprintf into a buffer first (a piece is at most DOC_TEXT bytes, far
 * above any sentence lbsim writes) and then through the target's escaper;
 * the markup around it is lbsim's own, fixed text.
 */
#include "lbsim/doc.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lbsim/escape.h"

#define DOC_TEXT 4096

static void text_md(struct doc *d, const char *s)
{
	if (d->md)
		escape_md(d->md, s);
}

static void text_html(struct doc *d, const char *s)
{
	if (d->html)
		escape_html(d->html, s);
}

static void raw_md(struct doc *d, const char *s)
{
	if (d->md)
		fputs(s, d->md);
}

static void raw_html(struct doc *d, const char *s)
{
	if (d->html)
		fputs(s, d->html);
}

/* ---- the page ------------------------------------------------------------- */

static const char style[] =
	"body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:76rem;"
	"margin:2rem auto;padding:0 1rem;line-height:1.45;color:#1d1d1f;background:#fff}"
	"h1{font-size:1.7rem}h2{font-size:1.3rem;margin-top:2.2rem;border-bottom:1px solid #ddd}"
	"h3{font-size:1.1rem}"
	"table{border-collapse:collapse;margin:.8rem 0 1.2rem;font-size:.9rem}"
	"th,td{border:1px solid #cfd4da;padding:.3rem .55rem;text-align:left;vertical-align:top}"
	"th{background:#f1f3f6}td.n{text-align:right;font-variant-numeric:tabular-nums;"
	"white-space:nowrap}"
	"figure{margin:1.2rem 0}figure img{max-width:100%;height:auto;border:1px solid #e3e3e3;"
	"background:#fff}figcaption{font-size:.9rem;color:#555;margin-top:.3rem}"
	"li{margin:.25rem 0}"
	"@media print{body{max-width:none;margin:0}h2{break-after:avoid}"
	"table,figure{break-inside:avoid}}";

void doc_begin(struct doc *d, const char *title)
{
	d->ncols = d->col = 0;
	d->list = 0;
	raw_md(d, "# ");
	text_md(d, title);
	raw_md(d, "\n\n");
	raw_html(d, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		    "img-src data:; style-src 'unsafe-inline'\">\n"
		    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		    "<meta name=\"generator\" content=\"lbsim\">\n<title>");
	text_html(d, title);
	raw_html(d, "</title>\n<style>");
	raw_html(d, style);
	raw_html(d, "</style>\n</head>\n<body>\n<h1>");
	text_html(d, title);
	raw_html(d, "</h1>\n");
}

void doc_end(struct doc *d)
{
	raw_html(d, "</body>\n</html>\n");
}

void doc_heading(struct doc *d, int level, const char *text)
{
	if (level < 2)
		level = 2;
	if (level > 4)
		level = 4;
	if (d->md) {
		fprintf(d->md, "%.*s ", level, "####");
		escape_md(d->md, text);
		fputs("\n\n", d->md);
	}
	if (d->html) {
		fprintf(d->html, "<h%d>", level);
		escape_html(d->html, text);
		fprintf(d->html, "</h%d>\n", level);
	}
}

/* lead (bold, may be NULL or "") then the formatted text, in both. */
static void lead_and_text(struct doc *d, const char *lead, const char *fmt, va_list ap)
{
	char text[DOC_TEXT];
	vsnprintf(text, sizeof text, fmt, ap);
	if (lead && *lead) {
		raw_md(d, "**");
		text_md(d, lead);
		raw_md(d, "**");
		raw_html(d, "<strong>");
		text_html(d, lead);
		raw_html(d, "</strong>");
		if (*text) {
			raw_md(d, " ");
			raw_html(d, " ");
		}
	}
	text_md(d, text);
	text_html(d, text);
}

void doc_para(struct doc *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	raw_html(d, "<p>");
	lead_and_text(d, NULL, fmt, ap);
	raw_html(d, "</p>\n");
	raw_md(d, "\n\n");
	va_end(ap);
}

void doc_para_lead(struct doc *d, const char *lead, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	raw_html(d, "<p>");
	lead_and_text(d, lead, fmt, ap);
	raw_html(d, "</p>\n");
	raw_md(d, "\n\n");
	va_end(ap);
}

/* ---- lists ------------------------------------------------------------------- */

void doc_list_begin(struct doc *d, int numbered)
{
	d->list = numbered ? 2 : 1;
	d->item = 0;
	raw_html(d, numbered ? "<ol>\n" : "<ul>\n");
}

void doc_item(struct doc *d, const char *lead, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	d->item++;
	if (d->md) {
		if (d->list == 2)
			fprintf(d->md, "%u. ", d->item);
		else
			fputs("- ", d->md);
	}
	raw_html(d, "<li>");
	lead_and_text(d, lead, fmt, ap);
	raw_html(d, "</li>\n");
	raw_md(d, "\n");
	va_end(ap);
}

void doc_list_end(struct doc *d)
{
	raw_html(d, d->list == 2 ? "</ol>\n" : "</ul>\n");
	raw_md(d, "\n");
	d->list = 0;
}

/* ---- tables ------------------------------------------------------------------ */

void doc_table_begin(struct doc *d, unsigned ncols, const char *const *header)
{
	d->ncols = ncols;
	d->col = 0;
	raw_html(d, "<table>\n<thead><tr>");
	for (unsigned i = 0; i < ncols; i++) {
		raw_md(d, "| ");
		text_md(d, header[i]);
		raw_md(d, " ");
		raw_html(d, "<th>");
		text_html(d, header[i]);
		raw_html(d, "</th>");
	}
	raw_md(d, "|\n");
	for (unsigned i = 0; i < ncols; i++)
		raw_md(d, "|---");
	raw_md(d, "|\n");
	raw_html(d, "</tr></thead>\n<tbody>\n");
}

static void cell(struct doc *d, int num, const char *lead, const char *fmt, va_list ap)
{
	if (d->col == 0)
		raw_html(d, "<tr>");
	raw_md(d, "| ");
	raw_html(d, num ? "<td class=\"n\">" : "<td>");
	lead_and_text(d, lead, fmt, ap);
	raw_md(d, " ");
	raw_html(d, "</td>");
	d->col++;
}

void doc_cell(struct doc *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cell(d, 0, NULL, fmt, ap);
	va_end(ap);
}

void doc_cell_num(struct doc *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cell(d, 1, NULL, fmt, ap);
	va_end(ap);
}

void doc_cell_lead(struct doc *d, const char *lead, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cell(d, 0, lead, fmt, ap);
	va_end(ap);
}

void doc_row_end(struct doc *d)
{
	/* A short row is filled, so that Markdown keeps its columns. */
	while (d->col < d->ncols)
		doc_cell(d, "%s", "");
	raw_md(d, "|\n");
	raw_html(d, "</tr>\n");
	d->col = 0;
}

void doc_table_end(struct doc *d)
{
	raw_html(d, "</tbody>\n</table>\n");
	raw_md(d, "\n");
	d->ncols = 0;
}

/* ---- pictures ----------------------------------------------------------------- */

/* Write the bytes of path as base64 (RFC 4648) to fp. Returns 0, or -1
 * when it cannot be read. */
static int base64_file(FILE *fp, const char *path)
{
	static const char digits[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	FILE *in = fopen(path, "rb");
	if (!in)
		return -1;
	unsigned char b[3 * 1024];
	size_t n;
	while ((n = fread(b, 1, sizeof b, in)) > 0) {
		char out[4 * 1024];
		size_t k = 0;
		for (size_t i = 0; i < n; i += 3) {
			uint32_t v = (uint32_t)b[i] << 16 | (i + 1 < n ? (uint32_t)b[i + 1] << 8 : 0) |
				     (i + 2 < n ? b[i + 2] : 0);
			out[k++] = digits[v >> 18 & 63];
			out[k++] = digits[v >> 12 & 63];
			out[k++] = i + 1 < n ? digits[v >> 6 & 63] : '=';
			out[k++] = i + 2 < n ? digits[v & 63] : '=';
		}
		fwrite(out, 1, k, fp);
		/* Only the last block may be short: 3 * 1024 keeps the
		 * groups of three whole across blocks. */
		if (n < sizeof b)
			break;
	}
	int bad = ferror(in);
	fclose(in);
	return bad ? -1 : 0;
}

static int regular_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int doc_picture(struct doc *d, const char *name, const char *caption)
{
	char png[4096], svg[4096];
	snprintf(png, sizeof png, "%s/%s.png", d->dir, name);
	snprintf(svg, sizeof svg, "%s/%s.svg", d->dir, name);
	int has_png = regular_file(png), has_svg = regular_file(svg);
	if (!has_png && !has_svg)
		return -1;
	if (d->md) {
		fputs("![", d->md);
		escape_md(d->md, caption);
		fprintf(d->md, "](%s.%s)\n\n", name, has_png ? "png" : "svg");
	}
	if (d->html) {
		fputs("<figure><img alt=\"", d->html);
		escape_html(d->html, caption);
		fprintf(d->html, "\" src=\"data:image/%s;base64,", has_svg ? "svg+xml" : "png");
		/* A file that cannot be read leaves an empty picture; the
		 * caption still says what it was. */
		base64_file(d->html, has_svg ? svg : png);
		fputs("\"><figcaption>", d->html);
		escape_html(d->html, caption);
		fputs("</figcaption></figure>\n", d->html);
	}
	return 0;
}

/* ---- numbers ----------------------------------------------------------------- */

/* "12,345" from a whole number. */
static void grouped(char *buf, size_t len, double v)
{
	char digits[64];
	snprintf(digits, sizeof digits, "%.0f", fabs(v));
	size_t n = strlen(digits), k = 0;
	char out[96];
	if (v < 0 && strcmp(digits, "0") != 0)
		out[k++] = '-';
	for (size_t i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			out[k++] = ',';
		out[k++] = digits[i];
	}
	out[k] = '\0';
	snprintf(buf, len, "%s", out);
}

/* How a unit is shown: a scale, a suffix, and a printf for one number. */
struct shown {
	double scale;
	const char *suffix;
	int mode;                    /* 0: %.3g; 1: grouped whole; 2: fixed decimals */
	int decimals;
};

static struct shown show(const char *unit, double mean)
{
	double a = fabs(mean);
	if (!strcmp(unit, "bytes"))
		return a >= 1e9 ? (struct shown){1e-9, " GB", 0, 0}
		       : a >= 1e6 ? (struct shown){1e-6, " MB", 0, 0}
		       : a >= 1e3 ? (struct shown){1e-3, " kB", 0, 0} : (struct shown){1, " B", 0, 0};
	if (!strcmp(unit, "fraction"))
		return a >= 0.01 ? (struct shown){100, " %", 2, 1} : (struct shown){100, " %", 0, 0};
	if (!strcmp(unit, "ms"))
		return a >= 10000 ? (struct shown){1e-3, " s", 0, 0} : (struct shown){1, " ms", 0, 0};
	if (!strcmp(unit, "s"))
		return a >= 600 ? (struct shown){1.0 / 60, " min", 0, 0} : (struct shown){1, " s", 0, 0};
	if (!strcmp(unit, "cores"))
		return (struct shown){1, " cores", 0, 0};
	if (!strcmp(unit, "requests/s"))
		return (struct shown){1, " /s", 0, 0};
	if (!strcmp(unit, "ratio") || !strcmp(unit, "index"))
		return (struct shown){1, "", 2, 3};
	if (!strcmp(unit, "p-value"))
		return a >= 0.001 ? (struct shown){1, "", 2, 3} : (struct shown){1, "", 0, 0};
	/* Counts: whole numbers from 100 up, three digits below. */
	return a >= 100 ? (struct shown){1, "", 1, 0} : (struct shown){1, "", 0, 0};
}

static void one(char *buf, size_t len, const struct shown *s, double v)
{
	v *= s->scale;
	if (s->mode == 1)
		grouped(buf, len, v);
	else if (s->mode == 2)
		snprintf(buf, len, "%.*f", s->decimals, v);
	else
		snprintf(buf, len, "%.3g", v);
}

const char *doc_format(char *buf, size_t len, const char *unit, double mean, double lo,
		       double hi)
{
	if (isnan(mean)) {
		snprintf(buf, len, "–");
		return buf;
	}
	struct shown s = show(unit ? unit : "", mean);
	char m[64], l[64], h[64];
	one(m, sizeof m, &s, mean);
	if (isnan(lo) || isnan(hi)) {
		snprintf(buf, len, "%s%s", m, s.suffix);
		return buf;
	}
	one(l, sizeof l, &s, lo);
	one(h, sizeof h, &s, hi);
	if (!strcmp(l, h))
		snprintf(buf, len, "%s%s", m, s.suffix);
	else	/* "(-0.21 to -0.15)": a dash between negative numbers misleads */
		snprintf(buf, len, "%s%s (%s%s%s)", m, s.suffix, l, lo < 0 ? " to " : "–", h);
	return buf;
}
