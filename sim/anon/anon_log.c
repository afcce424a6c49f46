/* A log rewritten with its identities anonymised; see anon_log.h for what
 * changes and what stays.
 *
 * Each line is parsed by the log reader (so a line the reader refuses is
 * never copied), then rebuilt: W3C field by field from the #Fields: map
 * (every field is seen, custom ones included), httplog by replacing the
 * spans the reader located (client, cookies, captures, URI) and copying
 * the bytes between them. Values are rewritten into a buffer that grows
 * with the line; nothing is kept between lines but the Crypto-PAn cache.
 */
#include "anon_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

struct buf {
	char *p;
	size_t len, cap;
	int oom;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

struct ctx {
	const struct anon_keys *keys;
	struct cryptopan *cp;
	struct anon_counts *counts;
};

static int ci_eq(const char *s, size_t n, const char *w)
{
	if (strlen(w) != n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
		if (c != w[i])
			return 0;
	}
	return 1;
}

static int has_at(const char *s, size_t n)
{
	if (memchr(s, '@', n))
		return 1;
	for (size_t i = 0; i + 3 <= n; i++)
		if (s[i] == '%' && s[i + 1] == '4' && s[i + 2] == '0')
			return 1;
	return 0;
}

/* One address, with an optional :port or [v6]:port, rewritten; a token
 * that is no address is kept (e.g. "unknown" in X-Forwarded-For). */
static void addr_token(struct ctx *x, struct buf *b, const char *s, size_t n)
{
	struct log_addr a;
	uint16_t port;
	int with_port = 0;
	if (log_addr_parse(s, n, &a) != 0) {
		if (log_addr_port_parse(s, n, 0, &a, &port) != 0) {
			put(b, s, n);
			return;
		}
		with_port = 1;
	}
	char text[64];
	cryptopan_addr(x->cp, &a, &a);
	log_addr_format(&a, text, sizeof text);
	int bracket = with_port && a.family == 6;
	if (bracket)
		puts_(b, "[");
	puts_(b, text);
	if (bracket)
		puts_(b, "]");
	if (with_port) {
		char p[8];
		put(b, p, (size_t)snprintf(p, sizeof p, ":%u", port));
	}
	x->counts->addresses++;
}

/* A list of addresses ("a, b", IIS's "a,+b"): every token rewritten, the
 * separators kept. */
static void addr_list(struct ctx *x, struct buf *b, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j < n && s[j] != ',' && s[j] != ' ' && s[j] != '+')
			j++;
		if (j > i)
			addr_token(x, b, s + i, j - i);
		size_t k = j;
		while (k < n && (s[k] == ',' || s[k] == ' ' || s[k] == '+'))
			k++;
		put(b, s + j, k - j);
		i = k;
	}
}

static void name(struct ctx *x, struct buf *b, const char *s, size_t n, int url_encoded)
{
	char out[128];
	size_t len = anon_name(x->keys, s, n, url_encoded, out, sizeof out);
	put(b, out, len);
	x->counts->names++;
}

/* A query: User= and any value with an e-mail address become pseudonyms,
 * DeviceId= a token; a base64 ActiveSync query (no '=') keeps only its
 * first four characters (version and command: what lbsim reads), since
 * it encodes the device id. */
static void query(struct ctx *x, struct buf *b, const char *s, size_t n)
{
	if (n >= 4 && !memchr(s, '=', n)) {
		put(b, s, 4);
		x->counts->names++;
		return;
	}
	size_t i = 0;
	while (i < n) {
		const char *amp = memchr(s + i, '&', n - i);
		size_t end = amp ? (size_t)(amp - s) : n;
		const char *eq = memchr(s + i, '=', end - i);
		if (eq) {
			size_t klen = (size_t)(eq - s) - i, v = (size_t)(eq - s) + 1;
			put(b, s + i, klen + 1);
			if (ci_eq(s + i, klen, "user") || ci_eq(s + i, klen, "mailbox") ||
			    has_at(s + v, end - v)) {
				name(x, b, s + v, end - v, 1);
			} else if (ci_eq(s + i, klen, "deviceid")) {
				char out[64];
				put(b, out, anon_token(x->keys, "", s + v, end - v, out, sizeof out));
				x->counts->names++;
			} else {
				put(b, s + v, end - v);
			}
		} else if (has_at(s + i, end - i)) {
			name(x, b, s + i, end - i, 1);
		} else {
			put(b, s + i, end - i);
		}
		if (amp)
			put(b, "&", 1);
		i = end + 1;
	}
}

/* A path: a segment holding an e-mail address becomes a pseudonym. */
static void stem(struct ctx *x, struct buf *b, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		const char *sl = memchr(s + i, '/', n - i);
		size_t end = sl ? (size_t)(sl - s) : n;
		if (end > i && has_at(s + i, end - i))
			name(x, b, s + i, end - i, 1);
		else
			put(b, s + i, end - i);
		if (sl)
			put(b, "/", 1);
		i = end + 1;
	}
}

/* ---- W3C ---------------------------------------------------------------- */

enum action { KEEP = 0, ADDR, USER, QUERY, STEM, URI, DROP };

static const struct {
	const char *name;
	enum action action;
} w3c_actions[] = {
	{"c-ip", ADDR},
	{"s-ip", ADDR},
	{"x-forwarded-for", ADDR},
	{"cs(x-forwarded-for)", ADDR},
	{"originalip", ADDR},
	{"cs-username", USER},
	{"cs-uri-query", QUERY},
	{"cs-uri-stem", STEM},
	{"cs-uri", URI},
	{"cs(cookie)", DROP},
	{"sc(set-cookie)", DROP},
	{"cs(referer)", DROP},
};

#define MAX_COLUMNS 128

struct w3c_map {
	unsigned n;
	uint8_t action[MAX_COLUMNS];
};

static void read_fields(struct w3c_map *m, const char *line, size_t len)
{
	size_t i = 8;
	m->n = 0;
	while (i < len && m->n < MAX_COLUMNS) {
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		size_t start = i;
		while (i < len && line[i] != ' ' && line[i] != '\t')
			i++;
		if (i == start)
			break;
		enum action a = KEEP;
		for (size_t k = 0; k < sizeof w3c_actions / sizeof w3c_actions[0]; k++)
			if (ci_eq(line + start, i - start, w3c_actions[k].name))
				a = w3c_actions[k].action;
		m->action[m->n++] = (uint8_t)a;
	}
}

static void w3c_line(struct ctx *x, const struct w3c_map *m, struct buf *b, const char *line,
		     size_t len)
{
	struct log_str f[MAX_COLUMNS];
	unsigned bad;
	int n = log_w3c_split(line, len, f, MAX_COLUMNS, &bad);
	for (int i = 0; i < n && i < MAX_COLUMNS; i++) {
		if (i)
			put(b, " ", 1);
		const char *s = f[i].ptr;
		size_t k = f[i].len;
		enum action a = (unsigned)i < m->n ? (enum action)m->action[i] : KEEP;
		int dash = !f[i].quoted && k == 1 && s[0] == '-';
		if (a == KEEP || dash) {
			put(b, s - f[i].quoted, k + 2u * f[i].quoted);
			continue;
		}
		if (f[i].quoted)
			put(b, "\"", 1);
		switch (a) {
		case ADDR:
			addr_list(x, b, s, k);
			break;
		case USER:
			if (f[i].quoted || !memchr(s, '+', k)) {
				name(x, b, s, k, 0);
			} else {
				char dec[512];
				size_t dn = log_w3c_decode(&f[i], dec, sizeof dec);
				name(x, b, dec, dn, 0);
			}
			break;
		case QUERY:
			query(x, b, s, k);
			break;
		case STEM:
			stem(x, b, s, k);
			break;
		case URI: {
			const char *qm = memchr(s, '?', k);
			stem(x, b, s, qm ? (size_t)(qm - s) : k);
			if (qm) {
				put(b, "?", 1);
				query(x, b, qm + 1, (size_t)(s + k - qm - 1));
			}
			break;
		}
		case DROP:
			put(b, "-", 1);
			break;
		case KEEP:
			break;
		}
		if (f[i].quoted)
			put(b, "\"", 1);
	}
}

/* ---- httplog -------------------------------------------------------------- */

struct span {
	const char *at;
	size_t len;
	enum action action;
};

static int by_position(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	return x->at < y->at ? -1 : x->at > y->at;
}

static void httplog_line(struct ctx *x, const struct log_record *rec, struct buf *b,
			 const char *line, size_t len)
{
	struct span sp[8];
	int n = 0;
	const char *q0 = rec->query.ptr, *q1 = q0 ? q0 + rec->query.len : NULL;
	sp[n++] = (struct span){rec->peer_text.ptr, rec->peer_text.len, ADDR};
	for (int i = 0; i < 2; i++)
		if (rec->cookies[i].ptr)
			sp[n++] = (struct span){rec->cookies[i].ptr, rec->cookies[i].len, DROP};
	if (rec->xff.ptr)
		sp[n++] = (struct span){rec->xff.ptr, rec->xff.len, ADDR};
	/* A user from a captured header (one from the query is rewritten
	 * with it). */
	if (rec->user.ptr && !(q0 && rec->user.ptr >= q0 && rec->user.ptr < q1))
		sp[n++] = (struct span){rec->user.ptr, rec->user.len, USER};
	if (rec->stem.ptr && rec->method.ptr)
		sp[n++] = (struct span){rec->stem.ptr, rec->stem.len, STEM};
	if (q0)
		sp[n++] = (struct span){q0, rec->query.len, QUERY};
	qsort(sp, (size_t)n, sizeof sp[0], by_position);
	const char *p = line;
	for (int i = 0; i < n; i++) {
		if (sp[i].at < p)
			continue; /* overlaps the previous span: already rewritten */
		put(b, p, (size_t)(sp[i].at - p));
		switch (sp[i].action) {
		case ADDR:
			addr_list(x, b, sp[i].at, sp[i].len);
			break;
		case USER:
			name(x, b, sp[i].at, sp[i].len, 0);
			break;
		case STEM:
			stem(x, b, sp[i].at, sp[i].len);
			break;
		case QUERY:
			query(x, b, sp[i].at, sp[i].len);
			break;
		default:
			put(b, "-", 1);
			break;
		}
		p = sp[i].at + sp[i].len;
	}
	put(b, p, (size_t)(line + len - p));
}

int anon_log_rewrite(const struct anon_keys *keys, struct cryptopan *cp, const char *in_path,
		     void *out, const struct log_opts *opts, struct anon_counts *counts,
		     struct log_error *err, FILE *messages)
{
	struct log_reader *r;
	if (log_reader_open(&r, in_path, opts, err) != 0)
		return -1;
	struct ctx x = {keys, cp, counts};
	struct w3c_map map = {0};
	struct buf b = {0};
	struct log_record rec;
	const char *line;
	size_t len;
	enum log_line_kind kind;
	int rc;
	while ((rc = log_reader_next_line(r, &rec, &line, &len, &kind, err)) == 1) {
		counts->lines_in++;
		b.len = 0;
		switch (kind) {
		case LOG_LINE_MALFORMED:
			counts->dropped++;
			continue;
		case LOG_LINE_BLANK:
			break;
		case LOG_LINE_DIRECTIVE:
			if (len >= 8 && ci_eq(line, 8, "#fields:"))
				read_fields(&map, line, len);
			put(&b, line, len);
			break;
		case LOG_LINE_RECORD:
			counts->records++;
			if (log_reader_format(r) == LOG_FORMAT_W3C)
				w3c_line(&x, &map, &b, line, len);
			else
				httplog_line(&x, &rec, &b, line, len);
			break;
		}
		put(&b, "\n", 1);
		if (b.oom) {
			snprintf(err->message, sizeof err->message, "out of memory");
			err->column = 0;
			rc = -1;
			break;
		}
		if (gzwrite(out, b.p, (unsigned)b.len) != (int)b.len) {
			int code;
			snprintf(err->message, sizeof err->message, "cannot write the result: %s",
				 gzerror(out, &code));
			err->line = 0;
			err->column = 0;
			rc = -1;
			break;
		}
		counts->lines_out++;
	}
	if (rc == 0 && messages) {
		for (unsigned i = 0; i < log_reader_nmessages(r); i++)
			fprintf(messages, "%s (line dropped)\n", log_reader_message(r, i));
	}
	free(b.p);
	log_reader_close(r);
	return rc;
}
