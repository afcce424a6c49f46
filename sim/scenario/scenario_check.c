/* Checking single values of a scenario, for the scenario_validate*.c files.
 *
 * Each check takes the mapping that holds a key, the key and the text that
 * libcyaml loaded for it; it parses the text itself (see scn_raw in
 * scenario_internal.h for why), checks the range, and reports a mistake at
 * the node of the libyaml document that holds the value, in words that
 * name the key and quote the value back. scn_report keeps only the
 * mistake that comes first in the file, so the callers check everything
 * and need not stop at the first mistake.
 *
 * Cost: each check is linear in the length of its text, plus one scan of
 * the pairs of its mapping to find the node (yaml_where.c).
 */
#include "scenario_internal.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void scn_file_path(const struct scn_ctx *c, const char *name, char *out, size_t n)
{
	const char *slash = strrchr(c->scenario_file, '/');
	if (name[0] == '/')
		snprintf(out, n, "%s", name);
	else if (c->files_dir)
		snprintf(out, n, "%s/%s", c->files_dir, name);
	else if (!slash)
		snprintf(out, n, "%s", name);
	else
		snprintf(out, n, "%.*s/%s", (int)(slash - c->scenario_file), c->scenario_file, name);
}

/* Keep the first mistake in file order. */
static void report_vat(struct scn_ctx *c, unsigned line, unsigned column, const char *fmt,
		       va_list ap)
{
	c->reports++;
	if (c->failed && (line > c->kept_line ||
			  (line == c->kept_line && column >= c->kept_column)))
		return;
	c->failed = 1;
	c->kept_line = line;
	c->kept_column = column;
	snprintf(c->err->file, sizeof c->err->file, "%s", c->scenario_file);
	scn_err_vset(c->err, line, column, fmt, ap);
}

void scn_report_in_file(struct scn_ctx *c, const yaml_node_t *node, const char *file,
			unsigned line, unsigned column, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	unsigned before = c->kept_line, before_col = c->kept_column;
	int was = c->failed;
	report_vat(c, yw_line(node), yw_column(node), fmt, ap);
	va_end(ap);
	if (c->failed && (!was || c->kept_line != before || c->kept_column != before_col)) {
		snprintf(c->err->file, sizeof c->err->file, "%s", file);
		c->err->line = line;
		c->err->column = column;
	}
}

void scn_report_at(struct scn_ctx *c, const yaml_node_t *node, size_t at, const char *fmt, ...)
{
	unsigned column = yw_column(node);
	/* The byte of a scalar written on one line: past the opening quote
	 * of a quoted one. */
	if (node->type == YAML_SCALAR_NODE && node->start_mark.line == node->end_mark.line) {
		int quoted = node->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
			     node->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
		column += (unsigned)at + (unsigned)quoted;
	}
	va_list ap;
	va_start(ap, fmt);
	report_vat(c, yw_line(node), column, fmt, ap);
	va_end(ap);
}

void scn_report(struct scn_ctx *c, const yaml_node_t *node, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report_vat(c, yw_line(node), yw_column(node), fmt, ap);
	va_end(ap);
}

yaml_node_t *scn_value_of(struct scn_ctx *c, yaml_node_t *map, const char *key)
{
	yaml_node_t *node = yw_map_value(c->doc, map, key, strlen(key), 0);
	return node ? node : map;
}

yaml_node_t *scn_key_of(struct scn_ctx *c, yaml_node_t *map, const char *key)
{
	yaml_node_t *node = yw_map_key(c->doc, map, key, strlen(key), 0);
	return node ? node : map;
}

yaml_node_t *scn_item_of(struct scn_ctx *c, yaml_node_t *seq, size_t i)
{
	yaml_node_t *node = yw_seq_item(c->doc, seq, i);
	return node ? node : seq;
}

const char *scn_quote(char *buf, size_t n, const char *text)
{
	return yw_quote(buf, n, text, strlen(text));
}

int scn_has_value(struct scn_ctx *c, const yaml_node_t *node, const char *key)
{
	if (!yw_is_null(node))
		return 1;
	scn_report(c, node, "'%s' has no value", key);
	return 0;
}

/* Decimal notation only: digits, perhaps a fraction, perhaps an
 * exponent ("1e6", "2.5e3"). strtod would also take a sign, leading
 * spaces, hex ("0x10") and hex floats ("0x1p4"), which the README does
 * not promise and a reader would not expect to be a count. */
static int decimal_notation(const char *p)
{
	int digits = 0;
	for (; *p >= '0' && *p <= '9'; p++)
		digits++;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			digits++;
	if (!digits)
		return 0;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (*p < '0' || *p > '9')
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	return *p == '\0';
}

/* A whole number in [min, max]. Decimal digits; where max is below 2^53,
 * also any number in decimal notation a double holds exactly that is
 * whole ("1e6"). */
static int parse_whole(const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = text;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (p == text || *p) {
		if (max >= (1ull << 53) || !decimal_notation(text))
			return -1;
		char *end;
		double x = strtod(text, &end);
		if (*end || !isfinite(x) || x != floor(x) || x < 0 || x > (double)max)
			return -1;
		v = (uint64_t)x;
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int scn_whole(struct scn_ctx *c, yaml_node_t *map, const char *key, const char *text,
	      uint64_t min, uint64_t max, uint64_t *out)
{
	yaml_node_t *node = scn_value_of(c, map, key);
	char shown[160];
	if (!scn_has_value(c, node, key))
		return -1;
	if (parse_whole(text, min, max, out) == 0)
		return 0;
	scn_report(c, node, "'%s' must be a whole number from %" PRIu64 " to %" PRIu64 ", got %s",
		   key, min, max, scn_quote(shown, sizeof shown, text));
	return -1;
}

uint32_t scn_whole32(struct scn_ctx *c, yaml_node_t *map, const char *key,
		     const char *text, uint32_t min, uint32_t max, uint32_t dflt)
{
	uint64_t v = dflt;
	if (text && scn_whole(c, map, key, text, min, max, &v) < 0)
		v = dflt;
	return (uint32_t)v;
}

/* A duration as the limits of a range say it ("30d", "1ns"). */
static const char *shown_duration(char *buf, size_t n, double ns)
{
	static const struct {
		const char *unit;
		double ns;
	} units[] = {
		{"d", 86400e9}, {"h", 3600e9}, {"m", 60e9}, {"s", 1e9}, {"ms", 1e6}, {"us", 1e3},
	};
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (ns >= units[i].ns && fmod(ns, units[i].ns) == 0) {
			snprintf(buf, n, "%.0f%s", ns / units[i].ns, units[i].unit);
			return buf;
		}
	}
	snprintf(buf, n, "%gns", ns);
	return buf;
}

int scn_duration_in(struct scn_ctx *c, yaml_node_t *map, const char *key, const char *text,
		    double min_ns, double max_ns, const char *zero, int whole, double *out)
{
	yaml_node_t *node = scn_value_of(c, map, key);
	double v = 0;
	sim_time_t t = 0;
	const char *why;
	char shown[160], lo[32], hi[32], hint[160] = "";
	if (!scn_has_value(c, node, key))
		return -1;
	scn_quote(shown, sizeof shown, text);
	/* Whole nanoseconds are judged as stored: rounded half up. */
	if (whole ? scn_parse_duration(text, &t, &why) < 0 : scn_parse_duration_ns(text, &v, &why) < 0) {
		scn_report(c, node, "%s %s %s", key, shown, why);
		return -1;
	}
	if (whole)
		v = (double)t;
	if (v >= min_ns && v <= max_ns) {
		*out = v;
		return 0;
	}
	shown_duration(hi, sizeof hi, max_ns);
	/* 0 means something else to the core (a table that never forgets):
	 * a file says that in words it cannot mistype ("0m" for "10m"). */
	if (v == 0 && zero)
		snprintf(hint, sizeof hint, " (0 would mean %s: for that, give a long duration "
			 "such as %s)", zero, hi);
	if (min_ns <= 0)
		scn_report(c, node, "'%s' must be at most %s, got %s", key, hi, shown);
	else if (min_ns <= 1)
		scn_report(c, node, "'%s' must be more than 0 and at most %s, got %s%s", key, hi,
			   shown, hint);
	else
		scn_report(c, node, "'%s' must be from %s to %s, got %s%s", key,
			   shown_duration(lo, sizeof lo, min_ns), hi, shown, hint);
	return -1;
}

sim_time_t scn_duration(struct scn_ctx *c, yaml_node_t *map, const char *key,
			const char *text, int zero_ok)
{
	double v = 0;
	if (scn_duration_in(c, map, key, text, zero_ok ? 0 : 1, (double)SCN_MAX_DURATION, NULL, 1,
			    &v) != 0)
		return 0;
	return (sim_time_t)v;
}

/* %g, but whole numbers in full ("1000000", not "1e+06"). */
static const char *shown_number(char *buf, size_t n, double x)
{
	snprintf(buf, n, x == floor(x) && fabs(x) < 1e15 ? "%.0f" : "%g", x);
	return buf;
}

int scn_number(struct scn_ctx *c, yaml_node_t *map, const char *key, const char *text,
	       double lo, int lo_open, double hi, const char *unit, double *out)
{
	yaml_node_t *node = scn_value_of(c, map, key);
	char shown[160], los[40], his[40], range[120], *end = (char *)text;
	if (!scn_has_value(c, node, key))
		return -1;
	/* strtod skips leading spaces and reads "nan", "inf" and hex; only a
	 * finite decimal number written whole is taken. */
	int plain = *text && !isspace((unsigned char)*text) && !strpbrk(text, "xX");
	double x = plain ? strtod(text, &end) : NAN;
	if (isfinite(x) && !*end && (lo_open ? x > lo : x >= lo) && x <= hi) {
		*out = x;
		return 0;
	}
	shown_number(los, sizeof los, lo);
	shown_number(his, sizeof his, hi);
	if (isinf(lo) && isinf(hi))
		snprintf(range, sizeof range, "finite");
	else if (lo_open)
		snprintf(range, sizeof range, "more than %s and at most %s", los, his);
	else
		snprintf(range, sizeof range, "from %s to %s", los, his);
	scn_report(c, node, "'%s' must be a %s%s%s%s, got %s", key,
		   isinf(lo) && isinf(hi) ? "finite number" : "number ",
		   isinf(lo) && isinf(hi) ? "" : range, unit ? " " : "", unit ? unit : "",
		   scn_quote(shown, sizeof shown, text));
	return -1;
}

int scn_bool(struct scn_ctx *c, yaml_node_t *map, const char *key, const char *text,
	     int *out)
{
	static const char *const yes[] = { "true", "True", "TRUE" };
	static const char *const no[] = { "false", "False", "FALSE" };
	yaml_node_t *node = scn_value_of(c, map, key);
	char shown[160];
	if (!scn_has_value(c, node, key))
		return -1;
	for (size_t i = 0; i < 3; i++) {
		if (strcmp(text, yes[i]) == 0 || strcmp(text, no[i]) == 0) {
			*out = strcmp(text, yes[i]) == 0;
			return 0;
		}
	}
	scn_report(c, node, "'%s' must be true or false, got %s", key,
		   scn_quote(shown, sizeof shown, text));
	return -1;
}

void scn_unknown_name(struct scn_ctx *c, const yaml_node_t *node, const char *key,
		      const char *text, size_t len, const char *const *names, size_t n)
{
	/* valid: room for the longest catalogue (summary metrics, some 800
	 * characters); a list that still does not fit ends in "..." rather
	 * than dropping names silently. */
	char shown[160], valid[1024];
	size_t used = 0;
	struct scn_suggest s;
	scn_suggest_init(&s, text, len);
	valid[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (!names[i])
			continue;
		scn_suggest_consider(&s, names[i]);
		int w = snprintf(valid + used, sizeof valid - used, "%s%s",
				 used ? ", " : "", names[i]);
		if (w > 0 && (size_t)w < sizeof valid - used) {
			used += (size_t)w;
		} else {
			valid[used] = '\0';
			if (used + 5 < sizeof valid)
				strcpy(valid + used, ", ...");
			break;
		}
	}
	yw_quote(shown, sizeof shown, text, strlen(text));
	if (s.best)
		scn_report(c, node, "unknown %s %s; did you mean '%s'? (valid: %s)", key,
			   shown, s.best, valid);
	else
		scn_report(c, node, "unknown %s %s (valid: %s)", key, shown, valid);
}

int scn_pick(struct scn_ctx *c, yaml_node_t *map, const char *key, const char *text,
	     const char *const *names, size_t n)
{
	yaml_node_t *node = scn_value_of(c, map, key);
	if (!scn_has_value(c, node, key))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (names[i] && strcmp(names[i], text) == 0)
			return (int)i;
	scn_unknown_name(c, node, key, text, strlen(text), names, n);
	return -1;
}

int scn_workload(struct scn_ctx *c, const yaml_node_t *node, const char *key,
		 const char *text)
{
	const char *names[WL_COUNT];
	if (yw_is_null(node)) {
		scn_report(c, node, "'%s' has no value", key);
		return -1;
	}
	int w = workload_find(text);
	if (w >= 0)
		return w;
	for (int i = 0; i < WL_COUNT; i++)
		names[i] = workload_name((enum workload)i);
	scn_unknown_name(c, node, "workload", text, strlen(text), names, WL_COUNT);
	return -1;
}

void scn_name(struct scn_ctx *c, yaml_node_t *map, const char *text, size_t max, char *dst)
{
	yaml_node_t *node = scn_value_of(c, map, "name");
	size_t len = strlen(text);
	if (!scn_has_value(c, node, "name"))
		return;
	if (len == 0) {
		scn_report(c, node, "'name' must not be empty");
		return;
	}
	if (len > max) {
		scn_report(c, node, "'name' is too long: %zu bytes, at most %zu", len, max);
		return;
	}
	/* A NUL written as "\0" ends the C string early: compare lengths. */
	int control = node->type == YAML_SCALAR_NODE && node->data.scalar.length != len;
	for (size_t i = 0; i < len; i++) {
		const unsigned char *u = (const unsigned char *)text + i;
		control |= u[0] < 0x20 || u[0] == 0x7f;
		/* C1 controls (U+0080..U+009F, NEL among them) and the line and
		 * paragraph separators U+2028, U+2029: YAML, a CSV viewer or a
		 * Markdown renderer may each take them for a line break. */
		control |= (u[0] == 0xc2 && u[1] >= 0x80 && u[1] <= 0x9f) ||
			   (u[0] == 0xe2 && u[1] == 0x80 && (u[2] == 0xa8 || u[2] == 0xa9));
	}
	if (control) {
		scn_report(c, node, "'name' must not contain control characters");
		return;
	}
	memcpy(dst, text, len + 1);
}

void scn_not_here(struct scn_ctx *c, yaml_node_t *map, const char *key, const char *fmt, ...)
{
	char why[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	scn_report(c, scn_key_of(c, map, key), "'%s' applies to %s", key, why);
}
