/* The log reader: a file's lines through its format, under the caller's
 * policy for malformed lines, with time order checked and every line
 * counted. See include/lbsim/log_reader.h. */
#include "log_internal.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lbsim/log_classify.h"
#include "lbsim/workload.h"

#define DEFAULT_MAX_MESSAGES 10u

int log_bad(struct log_error *err, unsigned column, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err->column = column;
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
	return -1;
}

const char *log_quote(char *buf, size_t len, const char *s, size_t n)
{
	size_t max = len > 8 ? len - 8 : 0, k = 0;
	if (max > 40)
		max = 40;
	if (len == 0)
		return buf;
	buf[k++] = '\'';
	for (size_t i = 0; i < n && i < max; i++) {
		unsigned char ch = (unsigned char)s[i];
		buf[k++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	if (n > max) {
		memcpy(buf + k, "...", 3);
		k += 3;
	}
	buf[k++] = '\'';
	buf[k] = '\0';
	return buf;
}

int log_parse_u64(const char *s, size_t len, uint64_t *out)
{
	if (len == 0 || len > 19)
		return -1;
	uint64_t v = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return 0;
}

int log_parse_fraction(const char *s, size_t len, int64_t *ns)
{
	if (len == 0 || len > 9)
		return -1;
	int64_t v = 0, scale = 100000000;
	for (size_t i = 0; i < len; i++, scale /= 10) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v += (s[i] - '0') * scale;
	}
	*ns = v;
	return 0;
}

int log_xff_first(const char *s, size_t len, struct log_addr *a)
{
	const char *comma = memchr(s, ',', len);
	size_t n = comma ? (size_t)(comma - s) : len;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '+'))
		n--;
	while (n > 0 && (s[0] == ' ' || s[0] == '+')) {
		s++;
		n--;
	}
	uint16_t port;
	if (log_addr_parse(s, n, a) == 0 || log_addr_port_parse(s, n, 0, a, &port) == 0)
		return 0;
	return -1;
}

struct log_str log_eas_user(const struct log_str *query)
{
	const char *q = query->ptr;
	size_t len = query->len;
	for (size_t i = 0; q && i + 5 <= len; i++) {
		if ((i == 0 || q[i - 1] == '&') && (q[i] == 'U' || q[i] == 'u') &&
		    memcmp(q + i + 1, "ser=", 4) == 0) {
			const char *v = q + i + 5;
			const char *amp = memchr(v, '&', len - i - 5);
			size_t n = amp ? (size_t)(amp - v) : len - i - 5;
			if (n > 0)
				return (struct log_str){v, (uint32_t)n, 0};
		}
	}
	return (struct log_str){0};
}

void log_classify_record(struct log_record *rec)
{
	rec->workload = log_uri_workload(rec->stem.ptr, rec->stem.len);
	rec->ping = log_is_long_poll(rec->workload, rec->method.ptr, rec->method.len,
				     rec->query.ptr, rec->query.len);
}

int log_reader_open(struct log_reader **out, const char *path, const struct log_opts *opts,
		    struct log_error *err)
{
	memset(err, 0, sizeof *err);
	snprintf(err->file, sizeof err->file, "%s", path);
	struct log_reader *r = calloc(1, sizeof *r);
	if (!r) {
		snprintf(err->message, sizeof err->message, "out of memory");
		return -1;
	}
	if (log_lines_open(&r->lines, path, err->message, sizeof err->message) != 0) {
		snprintf(err->file, sizeof err->file, "%s", r->lines.path);
		free(r);
		return -1;
	}
	r->opts = *opts;
	if (!r->opts.max_messages)
		r->opts.max_messages = DEFAULT_MAX_MESSAGES;
	r->format = opts->format;
	*out = r;
	return 0;
}

/* The format of a log from its first line that is not blank: a W3C log
 * opens with directives, or (its head cut off) with a date "YYYY-MM-DD ";
 * an httplog line never does (syslog's date is "Mon dd"). */
static enum log_format detect(const char *line, size_t len)
{
	int w3c_date = len >= 11 && line[4] == '-' && line[7] == '-' && line[10] == ' ' &&
		       line[0] >= '0' && line[0] <= '9';
	return line[0] == '#' || w3c_date ? LOG_FORMAT_W3C : LOG_FORMAT_HTTPLOG;
}

void log_reader_keep_message(struct log_reader *r, const struct log_error *err)
{
	if (r->nmessages >= r->opts.max_messages)
		return;
	if (!r->messages) {
		r->messages = calloc(r->opts.max_messages, sizeof *r->messages);
		if (!r->messages)
			return;
	}
	char buf[1200];
	log_error_format(err, buf, sizeof buf);
	r->messages[r->nmessages] = strdup(buf);
	if (r->messages[r->nmessages])
		r->nmessages++;
}

/* A record's end may not fall back by more than the slack. */
static int check_order(struct log_reader *r, const struct log_record *rec, struct log_error *err)
{
	if (r->have_latest && rec->end_ns < r->latest_end_ns - LOG_ORDER_SLACK_NS) {
		double back = (double)(r->latest_end_ns - rec->end_ns) / 1e9;
		r->stats.order_violations++;
		return log_bad(err, 1, "time order: this request ended %.3f s before one written "
			       "earlier (line %" PRIu64 "); a log must be in the order it was "
			       "written (merge logs with several files, not by concatenating)",
			       back, r->latest_line);
	}
	if (!r->have_latest || rec->end_ns > r->latest_end_ns) {
		r->latest_end_ns = rec->end_ns;
		r->latest_line = r->lines.lineno;
		r->have_latest = 1;
	}
	return 0;
}

int log_reader_next_line(struct log_reader *r, struct log_record *rec, const char **line,
			 size_t *len, enum log_line_kind *kind, struct log_error *err)
{
	int got = log_lines_next(&r->lines, line, len, err->message, sizeof err->message);
	if (got < 0) {
		snprintf(err->file, sizeof err->file, "%s", r->lines.path);
		err->line = r->lines.lineno + 1;
		err->column = 0;
		return -1;
	}
	r->stats.bytes = r->lines.bytes;
	if (got == 0)
		return 0;
	r->stats.lines++;
	size_t n = *len;
	while (n > 0 && ((*line)[n - 1] == ' ' || (*line)[n - 1] == '\t'))
		n--;
	if (n == 0) {
		r->stats.blank++;
		*kind = LOG_LINE_BLANK;
		return 1;
	}
	err->line = r->lines.lineno;
	int rc;
	if (r->lines.truncated) {
		rc = log_bad(err, 1, "the line is longer than %u bytes", LOG_LINE_MAX);
	} else {
		if (r->format == LOG_FORMAT_AUTO)
			r->format = detect(*line, n);
		rc = r->format == LOG_FORMAT_W3C ? log_w3c_line(r, *line, n, rec, err)
						 : log_httplog_line(r, *line, n, rec, err);
		if (rc == 1 && check_order(r, rec, err) != 0)
			rc = -1;
	}
	if (rc == 1) {
		rec->line = r->lines.lineno;
		r->stats.records++;
		*kind = LOG_LINE_RECORD;
		return 1;
	}
	if (rc == 0) {
		r->stats.directives++;
		*kind = LOG_LINE_DIRECTIVE;
		return 1;
	}
	snprintf(err->file, sizeof err->file, "%s", r->lines.path);
	if (r->opts.on_error == LOG_ON_ERROR_FAIL)
		return -1;
	r->stats.malformed++;
	log_reader_keep_message(r, err);
	*kind = LOG_LINE_MALFORMED;
	return 1;
}

int log_reader_next(struct log_reader *r, struct log_record *rec, struct log_error *err)
{
	const char *line;
	size_t len;
	enum log_line_kind kind;
	int rc;
	while ((rc = log_reader_next_line(r, rec, &line, &len, &kind, err)) == 1)
		if (kind == LOG_LINE_RECORD)
			return 1;
	return rc;
}

const struct log_stats *log_reader_stats(const struct log_reader *r)
{
	return &r->stats;
}

enum log_format log_reader_format(const struct log_reader *r)
{
	return r->format;
}

const char *log_reader_path(const struct log_reader *r)
{
	return r->lines.path;
}

unsigned log_reader_nmessages(const struct log_reader *r)
{
	return r->nmessages;
}

const char *log_reader_message(const struct log_reader *r, unsigned i)
{
	return i < r->nmessages ? r->messages[i] : "";
}

void log_reader_close(struct log_reader *r)
{
	if (!r)
		return;
	log_lines_close(&r->lines);
	for (unsigned i = 0; i < r->nmessages; i++)
		free(r->messages[i]);
	free(r->messages);
	free(r);
}

void log_error_format(const struct log_error *err, char *buf, size_t len)
{
	if (err->line && err->column)
		snprintf(buf, len, "%s:%" PRIu64 ":%u: %s", err->file, err->line, err->column,
			 err->message);
	else if (err->line)
		snprintf(buf, len, "%s:%" PRIu64 ": %s", err->file, err->line, err->message);
	else
		snprintf(buf, len, "%s: %s", err->file, err->message);
}

void log_error_print(FILE *fp, const struct log_error *err)
{
	char buf[1200];
	log_error_format(err, buf, sizeof buf);
	fprintf(fp, "%s\n", buf);
}
