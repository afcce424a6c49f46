/* IIS W3C extended log lines.
 *
 * A log is a sequence of blocks, each opened by directives (#Software,
 * #Version, #Date, #Fields) and followed by request lines whose
 * space-separated fields are those #Fields: names, in order. IIS starts a
 * new block (with possibly other fields) when its site restarts, so every
 * #Fields: line replaces the map of columns. A missing value is '-'; IIS
 * writes the spaces of a user agent as '+'; other W3C writers put a field
 * with spaces in double quotes (a quote inside doubled), which this reader
 * also takes.
 *
 * Cost: one pass over the line, one memchr per field (IIS fields are
 * short; memchr is vectorised), numbers and dates parsed by hand, the
 * last date's conversion cached (a log has one date per day). Nothing is
 * copied: the record's strings point into the line.
 */
#include "log_internal.h"

#include <string.h>

/* The names IIS (and other W3C writers) give the fields we read; lower
 * case, compared case-insensitively. */
static const struct {
	const char *name;
	enum w3c_field field;
} field_names[] = {
	{"date", W3C_DATE},
	{"time", W3C_TIME},
	{"cs-method", W3C_METHOD},
	{"cs-uri-stem", W3C_STEM},
	{"cs-uri-query", W3C_QUERY},
	{"cs-uri", W3C_URI},
	{"cs-username", W3C_USER},
	{"c-ip", W3C_CIP},
	{"cs(user-agent)", W3C_AGENT},
	{"sc-status", W3C_STATUS},
	{"time-taken", W3C_TAKEN},
	/* IIS 8.5+ custom fields are named as configured; these are the
	 * usual names of the client's address behind a balancer. */
	{"x-forwarded-for", W3C_XFF},
	{"cs(x-forwarded-for)", W3C_XFF},
	{"originalip", W3C_XFF},
};

static int same_word(const char *s, size_t len, const char *w)
{
	if (strlen(w) != len)
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != w[i])
			return 0;
	}
	return 1;
}

/* "#Fields: date time ..." (after the '#'): the map of columns. */
static int read_fields(struct log_reader *r, const char *line, size_t len,
		       struct log_error *err)
{
	struct w3c_state *st = &r->w3c;
	size_t i = 8; /* after "#Fields:" */
	uint32_t n = 0;
	int seen[W3C_FIELD_COUNT] = {0};
	while (i < len) {
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i >= len)
			break;
		size_t start = i;
		while (i < len && line[i] != ' ' && line[i] != '\t')
			i++;
		if (n == W3C_MAX_COLUMNS)
			return log_bad(err, (unsigned)start + 1, "#Fields: names more than %d fields",
				       W3C_MAX_COLUMNS);
		int f = -1;
		for (size_t k = 0; k < sizeof field_names / sizeof field_names[0]; k++)
			if (same_word(line + start, i - start, field_names[k].name))
				f = (int)field_names[k].field;
		if (f >= 0 && seen[f]) {
			char q[64];
			return log_bad(err, (unsigned)start + 1, "#Fields: names %s twice",
				       log_quote(q, sizeof q, line + start, i - start));
		}
		if (f >= 0)
			seen[f] = 1;
		st->field_of[n++] = (int8_t)f;
	}
	if (n == 0)
		return log_bad(err, 9, "#Fields: names no field");
	if (!seen[W3C_TIME])
		return log_bad(err, 9, "#Fields: has no 'time' field: lines could not be placed in "
			       "time");
	if (!seen[W3C_STEM] && !seen[W3C_URI])
		return log_bad(err, 9, "#Fields: has no 'cs-uri-stem' (nor 'cs-uri') field: the "
			       "workload of a request could not be told");
	if (!seen[W3C_CIP] && !seen[W3C_XFF])
		return log_bad(err, 9, "#Fields: has no 'c-ip' (nor 'X-Forwarded-For') field: the "
			       "client of a request could not be told");
	if (r->opts.client_from == LOG_CLIENT_XFF && !seen[W3C_XFF])
		return log_bad(err, 9, "#Fields: has no 'X-Forwarded-For' field, and the client "
			       "address was asked to come from it");
	st->ncolumns = n;
	st->have_fields = 1;
	st->fields_line = r->lines.lineno;
	return 0;
}

/* YYYY-MM-DD into a day number. -1 when not a date. */
static int parse_date(const char *s, size_t len, int64_t *day)
{
	if (len != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	uint64_t y, m, d;
	if (log_parse_u64(s, 4, &y) || log_parse_u64(s + 5, 2, &m) || log_parse_u64(s + 8, 2, &d))
		return -1;
	static const unsigned mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return -1;
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (m == 2 && d == 29 && !leap)
		return -1;
	*day = log_days_from_civil((int64_t)y, (unsigned)m, (unsigned)d);
	return 0;
}

/* HH:MM:SS with an optional fraction (.sss): ns into the day. */
static int parse_time(const char *s, size_t len, int64_t *ns, int *fraction)
{
	if (len < 8 || s[2] != ':' || s[5] != ':')
		return -1;
	uint64_t h, m, sec;
	if (log_parse_u64(s, 2, &h) || log_parse_u64(s + 3, 2, &m) || log_parse_u64(s + 6, 2, &sec))
		return -1;
	if (h > 23 || m > 59 || sec > 60)
		return -1;
	int64_t frac = 0;
	*fraction = len > 8;
	if (len > 8 && (s[8] != '.' || log_parse_fraction(s + 9, len - 9, &frac) != 0))
		return -1;
	*ns = ((int64_t)h * 3600 + (int64_t)m * 60 + (int64_t)sec) * 1000000000ll + frac;
	return 0;
}

/* "#Date: 2024-03-01 00:00:00": the day of a block without a date field. */
static void read_date_directive(struct w3c_state *st, const char *line, size_t len)
{
	size_t i = 6;
	while (i < len && line[i] == ' ')
		i++;
	int64_t day;
	if (i + 10 <= len && parse_date(line + i, 10, &day) == 0) {
		st->have_day = 1;
		st->directive_day = day;
	}
}

/* Cut the next field at *pos: an unquoted run up to a space, or a quoted
 * string (quotes doubled inside). Returns 0, or -1 for a quote that does
 * not close. */
static int next_field(const char *line, size_t len, size_t *pos, struct log_str *out)
{
	size_t i = *pos;
	out->quoted = 0;
	if (i < len && line[i] == '"') {
		size_t k = i + 1;
		for (;;) {
			const char *q = memchr(line + k, '"', len - k);
			if (!q)
				return -1;
			k = (size_t)(q - line);
			if (k + 1 < len && line[k + 1] == '"') {
				k += 2;
				continue;
			}
			break;
		}
		if (k + 1 < len && line[k + 1] != ' ')
			return -1;
		out->ptr = line + i + 1;
		out->len = (uint32_t)(k - i - 1);
		out->quoted = 1;
		*pos = k + 2;
		return 0;
	}
	const char *sp = memchr(line + i, ' ', len - i);
	size_t end = sp ? (size_t)(sp - line) : len;
	out->ptr = line + i;
	out->len = (uint32_t)(end - i);
	*pos = end + 1;
	return 0;
}

int log_w3c_split(const char *line, size_t len, struct log_str *fields, unsigned max,
		  unsigned *bad_column)
{
	size_t pos = 0;
	unsigned n = 0;
	/* next_field leaves pos one past the line after its last field. */
	while (pos <= len) {
		struct log_str s;
		size_t at = pos;
		if (next_field(line, len, &pos, &s) != 0) {
			*bad_column = (unsigned)at + 1;
			return -1;
		}
		if (n < max)
			fields[n] = s;
		n++;
	}
	return (int)n;
}

static int missing(const struct log_str *s)
{
	return !s->quoted && s->len == 1 && s->ptr[0] == '-';
}

int log_w3c_line(struct log_reader *r, const char *line, size_t len, struct log_record *rec,
		 struct log_error *err)
{
	struct w3c_state *st = &r->w3c;
	char q[64];
	if (line[0] == '#') {
		if (len >= 8 && same_word(line, 8, "#fields:"))
			return read_fields(r, line, len, err) == 0 ? 0 : -1;
		if (len >= 6 && same_word(line, 6, "#date:"))
			read_date_directive(st, line, len);
		return 0;
	}
	if (!st->have_fields)
		return log_bad(err, 1, "a request line before any #Fields: directive (is this an "
			       "IIS W3C log?)");

	struct log_str cols[W3C_MAX_COLUMNS];
	unsigned bad;
	int got = log_w3c_split(line, len, cols, W3C_MAX_COLUMNS, &bad);
	if (got < 0)
		return log_bad(err, bad, "a quoted field does not end with a quote followed by a "
			       "space");
	uint32_t n = (uint32_t)got;
	struct log_str f[W3C_FIELD_COUNT];
	unsigned col[W3C_FIELD_COUNT];
	memset(f, 0, sizeof f);
	memset(col, 0, sizeof col);
	for (uint32_t i = 0; i < n && i < st->ncolumns; i++) {
		int k = st->field_of[i];
		if (k >= 0) {
			f[k] = missing(&cols[i]) ? (struct log_str){0} : cols[i];
			col[k] = (unsigned)(cols[i].ptr - line) + 1 - cols[i].quoted;
		}
	}
	if (n != st->ncolumns)
		return log_bad(err, 1, "%u field(s) where the #Fields: directive of line %llu names %u",
			       n, (unsigned long long)st->fields_line, st->ncolumns);

	memset(rec, 0, sizeof *rec);
	rec->resolution_ns = 1000000000ll;
	/* Time: the day from the date field (cached: one date a day), or
	 * from the block's #Date: directive. */
	int64_t day;
	if (f[W3C_DATE].ptr) {
		const struct log_str *d = &f[W3C_DATE];
		if (d->len == 10 && memcmp(d->ptr, st->date_text, 10) == 0) {
			day = st->date_day;
		} else if (parse_date(d->ptr, d->len, &day) == 0) {
			memcpy(st->date_text, d->ptr, 10);
			st->date_day = day;
		} else {
			return log_bad(err, col[W3C_DATE], "date %s is not a date (YYYY-MM-DD)",
				       log_quote(q, sizeof q, d->ptr, d->len));
		}
	} else if (st->have_day) {
		day = st->directive_day;
	} else {
		return log_bad(err, col[W3C_DATE] ? col[W3C_DATE] : 1,
			       "no date: the line has no date field and its block no #Date: "
			       "directive");
	}
	int64_t tod;
	int fraction;
	if (!f[W3C_TIME].ptr || parse_time(f[W3C_TIME].ptr, f[W3C_TIME].len, &tod, &fraction) != 0)
		return log_bad(err, col[W3C_TIME], "time %s is not a time of day (HH:MM:SS)",
			       f[W3C_TIME].ptr ? log_quote(q, sizeof q, f[W3C_TIME].ptr, f[W3C_TIME].len)
					       : "'-'");
	if (fraction)
		rec->resolution_ns = 1000000;
	rec->end_ns = day * 86400ll * 1000000000ll + tod;
	rec->taken_ns = -1;
	if (f[W3C_TAKEN].ptr) {
		uint64_t ms;
		if (log_parse_u64(f[W3C_TAKEN].ptr, f[W3C_TAKEN].len, &ms) != 0 || ms > 86400000ull * 30)
			return log_bad(err, col[W3C_TAKEN], "time-taken %s is not a whole number of "
				       "milliseconds (at most 30 days)",
				       log_quote(q, sizeof q, f[W3C_TAKEN].ptr, f[W3C_TAKEN].len));
		rec->taken_ns = (int64_t)ms * 1000000;
	}
	rec->start_ns = rec->end_ns - (rec->taken_ns > 0 ? rec->taken_ns : 0);

	/* The request. */
	if (f[W3C_STEM].ptr) {
		rec->stem = f[W3C_STEM];
		rec->query = f[W3C_QUERY];
	} else if (f[W3C_URI].ptr) {
		const char *qm = memchr(f[W3C_URI].ptr, '?', f[W3C_URI].len);
		rec->stem = f[W3C_URI];
		if (qm) {
			rec->stem.len = (uint32_t)(qm - f[W3C_URI].ptr);
			rec->query.ptr = qm + 1;
			rec->query.len = (uint32_t)(f[W3C_URI].len - rec->stem.len - 1);
		}
	}
	if (!rec->stem.ptr || rec->stem.len == 0 || rec->stem.ptr[0] != '/')
		return log_bad(err, col[W3C_STEM] ? col[W3C_STEM] : col[W3C_URI] ? col[W3C_URI] : 1,
			       "the URI stem %s is not a path",
			       rec->stem.ptr ? log_quote(q, sizeof q, rec->stem.ptr, rec->stem.len)
					     : "'-'");
	rec->method = f[W3C_METHOD];
	rec->user = f[W3C_USER];
	rec->agent = f[W3C_AGENT];
	rec->xff = f[W3C_XFF];
	rec->peer_text = f[W3C_CIP];
	rec->status = -1;
	if (f[W3C_STATUS].ptr) {
		uint64_t s;
		if (log_parse_u64(f[W3C_STATUS].ptr, f[W3C_STATUS].len, &s) != 0 || s < 100 || s > 999)
			return log_bad(err, col[W3C_STATUS], "sc-status %s is not an HTTP status",
				       log_quote(q, sizeof q, f[W3C_STATUS].ptr, f[W3C_STATUS].len));
		rec->status = (int)s;
	}

	/* The client: c-ip, or the left-most X-Forwarded-For address. */
	if (f[W3C_CIP].ptr && log_addr_parse(f[W3C_CIP].ptr, f[W3C_CIP].len, &rec->peer) != 0)
		return log_bad(err, col[W3C_CIP], "c-ip %s is not an address",
			       log_quote(q, sizeof q, f[W3C_CIP].ptr, f[W3C_CIP].len));
	int xff_ok = 0;
	struct log_addr xff;
	if (f[W3C_XFF].ptr && r->opts.client_from != LOG_CLIENT_PEER) {
		if (log_xff_first(f[W3C_XFF].ptr, f[W3C_XFF].len, &xff) != 0)
			return log_bad(err, col[W3C_XFF], "X-Forwarded-For %s does not start with an "
				       "address", log_quote(q, sizeof q, f[W3C_XFF].ptr, f[W3C_XFF].len));
		xff_ok = 1;
	}
	if (xff_ok)
		rec->client = xff;
	else if (r->opts.client_from == LOG_CLIENT_XFF)
		return log_bad(err, col[W3C_XFF] ? col[W3C_XFF] : 1, "no X-Forwarded-For address, "
			       "and the client address was asked to come from it");
	else if (rec->peer.family)
		rec->client = rec->peer;
	else
		return log_bad(err, col[W3C_CIP] ? col[W3C_CIP] : 1, "no client address ('-')");
	log_classify_record(rec);
	return 1;
}
