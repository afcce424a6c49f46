/* HAProxy `option httplog` lines (HAProxy configuration manual, "HTTP log
 * format"):
 *
 *   [syslog prefix] 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in
 *   static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0
 *   {haproxy.1wt.eu|Mozilla/5.0} {} "GET /index.html HTTP/1.1"
 *
 * client address:port, the date the request was received (local time,
 * milliseconds), frontend (a '~' after it: TLS), backend/server, the timers
 * TR/Tw/Tc/Tr/Ta in ms (HAProxy before 1.9: Tq/Tw/Tc/Tr/Tt; the last is
 * the whole time either way, '+' before it with option logasap, -1 parts
 * for what did not happen), status (-1: none), bytes, the captured cookies,
 * termination state, connection counts, queues, the captured request and
 * response headers in braces ('|' between values, present only when the
 * configuration captures some), and the request line in quotes
 * ("<BADREQ>" for one HAProxy could not parse).
 *
 * The syslog prefix varies (RFC 3164 "Feb  6 12:14:14 host haproxy[pid]: ",
 * RFC 5424, none at all with `log stdout format raw`), so the line is
 * anchored on the client: the first " [dd/" after which a date follows,
 * preceded by the address:port token.
 */
#include "log_internal.h"

#include <string.h>

#include "lbsim/workload.h"

static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* "06/Feb/2009:12:14:14.655" (24 bytes; the fraction may be absent). */
static int parse_date(const char *s, size_t len, int64_t *ns)
{
	if (len < 20 || s[2] != '/' || s[6] != '/' || s[11] != ':' || s[14] != ':' || s[17] != ':')
		return -1;
	uint64_t d, y, h, m, sec;
	if (log_parse_u64(s, 2, &d) || log_parse_u64(s + 7, 4, &y) || log_parse_u64(s + 12, 2, &h) ||
	    log_parse_u64(s + 15, 2, &m) || log_parse_u64(s + 18, 2, &sec))
		return -1;
	int mon = -1;
	for (int i = 0; i < 12; i++)
		if (memcmp(s + 3, months[i], 3) == 0)
			mon = i;
	static const unsigned mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (mon < 0 || y < 1970 || d < 1 || d > mdays[mon] || h > 23 || m > 59 || sec > 60)
		return -1;
	int64_t frac = 0;
	if (len > 20 && (s[20] != '.' || log_parse_fraction(s + 21, len - 21, &frac) != 0))
		return -1;
	int64_t day = log_days_from_civil((int64_t)y, (unsigned)mon + 1, (unsigned)d);
	*ns = (day * 86400 + (int64_t)h * 3600 + (int64_t)m * 60 + (int64_t)sec) * 1000000000ll + frac;
	return 0;
}

/* A timer: -1, or digits with an optional '+' (logasap). */
static int parse_timer(const char *s, size_t len, int64_t *ms)
{
	if (len == 2 && s[0] == '-' && s[1] == '1') {
		*ms = -1;
		return 0;
	}
	if (len > 0 && s[0] == '+') {
		s++;
		len--;
	}
	uint64_t v;
	if (log_parse_u64(s, len, &v) != 0 || v > 86400000ull * 30)
		return -1;
	*ms = (int64_t)v;
	return 0;
}

/* The next space-separated token at *pos. 0, or -1 at the end of the line. */
static int token(const char *line, size_t len, size_t *pos, struct log_str *out, unsigned *col)
{
	size_t i = *pos;
	if (i >= len)
		return -1;
	const char *sp = memchr(line + i, ' ', len - i);
	size_t end = sp ? (size_t)(sp - line) : len;
	*out = (struct log_str){line + i, (uint32_t)(end - i), 0};
	*col = (unsigned)i + 1;
	*pos = end + 1;
	return 0;
}

/* The last ':' of s[0 .. len) (the caller knows there is one). */
static const char *strrchr_n(const char *s, size_t len, char ch)
{
	while (len > 0 && s[len - 1] != ch)
		len--;
	return s + (len ? len - 1 : 0);
}

/* Does s[0 .. len) contain w? (memmem is not POSIX.) */
static int has_word(const char *s, size_t len, const char *w)
{
	size_t n = strlen(w);
	for (const char *p = s; (size_t)(p - s) + n <= len; p++) {
		p = memchr(p, w[0], len - (size_t)(p - s));
		if (!p || (size_t)(p - s) + n > len)
			return 0;
		if (memcmp(p, w, n) == 0)
			return 1;
	}
	return 0;
}

/* Find the client token: the first " [" + date, and the token before it. */
static int find_client(const char *line, size_t len, size_t *client, size_t *bracket)
{
	for (size_t i = 0; i + 24 < len; i++) {
		const char *p = memchr(line + i, '[', len - i);
		if (!p)
			return -1;
		i = (size_t)(p - line);
		if (i == 0 || line[i - 1] != ' ' || i + 12 >= len || line[i + 3] != '/' ||
		    line[i + 7] != '/' || line[i + 1] < '0' || line[i + 1] > '9')
			continue;
		size_t end = i - 1, start = end;
		while (start > 0 && line[start - 1] != ' ')
			start--;
		if (start == end)
			continue;
		*client = start;
		*bracket = i;
		return 0;
	}
	return -1;
}

/* One value of a captured block "{a|b|c}": the index-th. */
static struct log_str capture(const struct log_str *block, unsigned index)
{
	const char *p = block->ptr, *end = block->ptr + block->len;
	for (unsigned i = 0; i < index && p; i++) {
		p = memchr(p, '|', (size_t)(end - p));
		if (p)
			p++;
	}
	if (!p)
		return (struct log_str){0};
	const char *bar = memchr(p, '|', (size_t)(end - p));
	size_t n = (size_t)((bar ? bar : end) - p);
	if (n == 0 || (n == 1 && *p == '-'))
		return (struct log_str){0};
	return (struct log_str){p, (uint32_t)n, 0};
}

static int same_header(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
		char y = *b >= 'A' && *b <= 'Z' ? (char)(*b - 'A' + 'a') : *b;
		if (x != y)
			return 0;
	}
	return *a == *b;
}

/* Fill agent, xff and user from the captured request headers. */
static void read_captures(const struct log_opts *o, const struct log_str *block,
			  struct log_record *rec)
{
	for (unsigned i = 0; i < o->ncaptures; i++) {
		const char *name = o->captures[i];
		struct log_str v = capture(block, i);
		if (!v.ptr)
			continue;
		if (same_header(name, "User-Agent"))
			rec->agent = v;
		else if (same_header(name, "X-Forwarded-For"))
			rec->xff = v;
		else if (o->user_header ? same_header(name, o->user_header)
					: same_header(name, "X-User"))
			rec->user = v;
	}
}

int log_httplog_line(struct log_reader *r, const char *line, size_t len,
		     struct log_record *rec, struct log_error *err)
{
	char q[64];
	size_t cpos, bpos;
	memset(rec, 0, sizeof *rec);
	if (find_client(line, len, &cpos, &bpos) != 0) {
		/* HAProxy's own messages ("Proxy fe started.", "Server be/s1
		 * is DOWN") share its log: no request, no mistake. */
		if (has_word(line, len, "haproxy["))
			return 0;
		return log_bad(err, 1, "not an HAProxy httplog line: no 'address:port "
			       "[dd/Mon/yyyy:hh:mm:ss.mmm]' in it");
	}
	/* Client address and port: the port follows the last ':'. */
	const char *c = line + cpos;
	size_t clen = bpos - 1 - cpos;
	const char *close = memchr(line + bpos, ']', len - bpos);
	if (close && memchr(line + bpos, ' ', (size_t)(close - line - bpos)))
		return log_bad(err, 1, "not an HAProxy httplog line but the Common Log Format (a "
			       "web server's access log, or option httplog clf); lbsim reads "
			       "HAProxy's default httplog");
	if (log_addr_port_parse(c, clen, 1, &rec->peer, &rec->client_port) != 0)
		return log_bad(err, (unsigned)cpos + 1, "client %s is not address:port",
			       log_quote(q, sizeof q, c, clen));
	rec->peer_text = (struct log_str){c, (uint32_t)(strrchr_n(c, clen, ':') - c), 0};
	if (!close || parse_date(line + bpos + 1, (size_t)(close - line - bpos - 1), &rec->start_ns) != 0)
		return log_bad(err, (unsigned)bpos + 2, "date %s is not dd/Mon/yyyy:hh:mm:ss.mmm",
			       log_quote(q, sizeof q, line + bpos + 1,
					 close ? (size_t)(close - line - bpos - 1) : len - bpos - 1));
	rec->resolution_ns = 1000000;

	size_t pos = (size_t)(close - line) + 2;
	struct log_str t;
	unsigned col;
	/* frontend, backend/server */
	if (token(line, len, &pos, &t, &col) || token(line, len, &pos, &t, &col))
		return log_bad(err, (unsigned)len, "the line ends after the date");
	/* Timers: five, '/' between. */
	if (token(line, len, &pos, &t, &col))
		return log_bad(err, (unsigned)len, "the line ends before the timers");
	int64_t timers[5];
	const char *p = t.ptr, *end = t.ptr + t.len;
	int slashes = 0;
	for (const char *k = p; k < end; k++)
		slashes += *k == '/';
	if (slashes == 2)
		return log_bad(err, col, "a tcplog line (Tw/Tc/Tt timers: a mode tcp frontend): it "
			       "names no request; lbsim reads option httplog lines");
	for (int i = 0; i < 5; i++) {
		const char *slash = i < 4 ? memchr(p, '/', (size_t)(end - p)) : end;
		if (!slash || parse_timer(p, (size_t)(slash - p), &timers[i]) != 0)
			return log_bad(err, col, "timers %s are not TR/Tw/Tc/Tr/Ta in milliseconds",
				       log_quote(q, sizeof q, t.ptr, t.len));
		p = slash + 1;
	}
	rec->taken_ns = timers[4] >= 0 ? timers[4] * 1000000 : -1;
	rec->end_ns = rec->start_ns + (rec->taken_ns > 0 ? rec->taken_ns : 0);
	/* Status: -1 or three digits. */
	if (token(line, len, &pos, &t, &col))
		return log_bad(err, (unsigned)len, "the line ends before the status");
	uint64_t st;
	if (t.len == 2 && t.ptr[0] == '-' && t.ptr[1] == '1')
		rec->status = -1;
	else if (log_parse_u64(t.ptr, t.len, &st) == 0 && st >= 100 && st <= 999)
		rec->status = (int)st;
	else
		return log_bad(err, col, "status %s is not an HTTP status",
			       log_quote(q, sizeof q, t.ptr, t.len));
	/* bytes, request cookie, response cookie, termination state,
	 * connections, queues: read past, the cookies kept. */
	for (int i = 0; i < 6; i++) {
		if (token(line, len, &pos, &t, &col))
			return log_bad(err, (unsigned)len, "the line ends before the request");
		if ((i == 1 || i == 2) && !(t.len == 1 && t.ptr[0] == '-'))
			rec->cookies[i - 1] = t;
	}
	if (!memchr(t.ptr, '/', t.len))
		return log_bad(err, col, "queues %s are not srv_queue/backend_queue",
			       log_quote(q, sizeof q, t.ptr, t.len));
	/* Captured headers: up to two blocks in braces. */
	for (int block = 0; block < 2 && pos < len && line[pos] == '{'; block++) {
		const char *cl = memchr(line + pos, '}', len - pos);
		if (!cl)
			return log_bad(err, (unsigned)pos + 1, "a captured header block does not close");
		struct log_str b = {line + pos + 1, (uint32_t)(cl - line - pos - 1), 0};
		if (block == 0)
			read_captures(&r->opts, &b, rec);
		pos = (size_t)(cl - line) + 2;
	}
	/* The request line, in quotes. */
	if (pos >= len || line[pos] != '"')
		return log_bad(err, pos < len ? (unsigned)pos + 1 : (unsigned)len,
			       "no quoted request line (\"GET /path HTTP/1.1\") where it belongs");
	size_t rq = pos + 1, rend = len;
	if (rend > rq && line[rend - 1] == '"')
		rend--;
	const char *sp = memchr(line + rq, ' ', rend - rq);
	if (!sp) {
		/* "<BADREQ>", or a request HAProxy cut short: no client workload. */
		rec->stem = (struct log_str){line + rq, (uint32_t)(rend - rq), 0};
		rec->workload = LOG_WL_NONE;
	} else {
		rec->method = (struct log_str){line + rq, (uint32_t)(sp - line - rq), 0};
		size_t u = (size_t)(sp - line) + 1;
		const char *sp2 = memchr(line + u, ' ', rend - u);
		size_t uend = sp2 ? (size_t)(sp2 - line) : rend;
		const char *uri = line + u;
		size_t ulen = uend - u;
		/* An absolute URI (a proxy request): from its path on. */
		const char *scheme = ulen > 8 ? memchr(uri, ':', ulen < 8 ? ulen : 8) : NULL;
		if (scheme && scheme + 2 < uri + ulen && scheme[1] == '/' && scheme[2] == '/') {
			const char *path = memchr(scheme + 3, '/', (size_t)(uri + ulen - scheme - 3));
			ulen = path ? (size_t)(uri + ulen - path) : 0;
			uri = path ? path : uri;
		}
		const char *qm = memchr(uri, '?', ulen);
		rec->stem = (struct log_str){uri, (uint32_t)(qm ? (size_t)(qm - uri) : ulen), 0};
		if (qm && (size_t)(qm - uri) + 1 < ulen)
			rec->query = (struct log_str){qm + 1, (uint32_t)(ulen - (size_t)(qm - uri) - 1), 0};
		if (rec->stem.len == 0 || rec->stem.ptr[0] != '/')
			return log_bad(err, (unsigned)u + 1, "the request URI %s is not a path",
				       log_quote(q, sizeof q, line + u, uend - u));
		log_classify_record(rec);
	}
	/* The user: a captured header, else the ActiveSync query's User=. */
	if (!rec->user.ptr)
		rec->user = log_eas_user(&rec->query);
	/* The client. */
	if (rec->xff.ptr && r->opts.client_from != LOG_CLIENT_PEER) {
		if (log_xff_first(rec->xff.ptr, rec->xff.len, &rec->client) != 0)
			return log_bad(err, 1, "captured X-Forwarded-For %s does not start with an "
				       "address", log_quote(q, sizeof q, rec->xff.ptr, rec->xff.len));
	} else if (r->opts.client_from == LOG_CLIENT_XFF) {
		return log_bad(err, 1, "no captured X-Forwarded-For, and the client address was "
			       "asked to come from it (name the captures with --capture)");
	} else {
		rec->client = rec->peer;
	}
	return 1;
}
