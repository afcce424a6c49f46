/* Escaping names for CSV, Markdown and HTML; see include/lbsim/escape.h.
 *
 * One small writer (struct sink) serves both the FILE and the buffer
 * form, so each escaper is written once. Everything is one pass over the
 * text: O(length), no allocation.
 */
#include "lbsim/escape.h"

#include <stdint.h>
#include <string.h>

/* Where escaped text goes: a FILE, or a buffer of len bytes. */
struct sink {
	FILE *fp;
	char *buf;
	size_t len;
	size_t used;             /* bytes the whole result needs so far */
	int error;
};

static void put(struct sink *k, const char *s, size_t n)
{
	if (k->fp) {
		if (n && fwrite(s, 1, n, k->fp) != n)
			k->error = 1;
	} else if (k->used < k->len) {
		size_t room = k->len - 1 - k->used;
		memcpy(k->buf + k->used, s, n < room ? n : room);
	}
	k->used += n;
}

static void puts_(struct sink *k, const char *s)
{
	put(k, s, strlen(s));
}

static size_t finish(struct sink *k)
{
	if (!k->fp && k->len)
		k->buf[k->used < k->len ? k->used : k->len - 1] = '\0';
	return k->used;
}

/* ---- CSV ------------------------------------------------------------- */

/* What a spreadsheet reads as the start of a formula (OWASP: = + - @,
 * and tab and carriage return, which some strip before looking). */
static int formula_start(char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

int escape_csv_guard(const char *s)
{
	return formula_start(s[0]) || (s[0] == '\'' && (formula_start(s[1]) || s[1] == '\''));
}

size_t escape_csv_unguard(const char *s, size_t len)
{
	return len >= 2 && s[0] == '\'' && (formula_start(s[1]) || s[1] == '\'') ? 1 : 0;
}

/* ---- UTF-8 ------------------------------------------------------------ */

/* The length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t need;
	uint32_t cp;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 2;
		cp = s[0] & 0x1fu;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 3;
		cp = s[0] & 0x0fu;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 4;
		cp = s[0] & 0x07u;
	} else {
		return 0;
	}
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	/* Overlong forms, surrogates and code points past U+10FFFF. */
	if ((need == 3 && cp < 0x800) || (need == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need;
}

#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

/* ---- Markdown --------------------------------------------------------- */

static void md(struct sink *k, const char *s)
{
	for (const char *p = s; *p; p++) {
		char c = *p;
		if ((unsigned char)c < 0x20 || c == 0x7f) {
			put(k, " ", 1); /* a table row or heading stays one line */
		} else if (c == '<') {
			puts_(k, "&lt;");
		} else if (c == '>') {
			puts_(k, "&gt;");
		} else if (c == '&') {
			puts_(k, "&amp;");
		} else if (strchr("\\`*_[]|~!#", c) || (p == s && strchr("-+=.", c))) {
			/* Emphasis, code, links and images, table cells,
			 * strike-through, headings; list and heading markers
			 * at the start. CommonMark takes a backslash before
			 * any ASCII punctuation as "this character, plain". */
			put(k, "\\", 1);
			put(k, &c, 1);
		} else {
			put(k, &c, 1);
		}
	}
}

int escape_md(FILE *fp, const char *s)
{
	struct sink k = {.fp = fp};
	md(&k, s);
	return k.error ? -1 : 0;
}

size_t escape_md_buf(char *buf, size_t len, const char *s)
{
	struct sink k = {.buf = buf, .len = len};
	md(&k, s);
	return finish(&k);
}

/* ---- HTML and XML ------------------------------------------------------ */

/* Walk text as UTF-8: a valid multi-byte sequence is copied, a byte that
 * starts none becomes U+FFFD, and each ASCII byte goes to ascii(). */
static void walk_utf8(struct sink *k, const char *s, void (*ascii)(struct sink *k, char c))
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	while (n > 0) {
		size_t step = utf8_len(p, n);
		if (step == 0) {
			puts_(k, REPLACEMENT);
			step = 1;
		} else if (step > 1) {
			put(k, (const char *)p, step);
		} else {
			ascii(k, (char)*p);
		}
		p += step;
		n -= step;
	}
}

static void html_ascii(struct sink *k, char c)
{
	if (c == '&')
		puts_(k, "&amp;");
	else if (c == '<')
		puts_(k, "&lt;");
	else if (c == '>')
		puts_(k, "&gt;");
	else if (c == '"')
		puts_(k, "&quot;");
	else if (c == '\'')
		puts_(k, "&#39;");
	else if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
		puts_(k, REPLACEMENT);
	else
		put(k, &c, 1);
}

static void html(struct sink *k, const char *s)
{
	walk_utf8(k, s, html_ascii);
}

int escape_html(FILE *fp, const char *s)
{
	struct sink k = {.fp = fp};
	html(&k, s);
	return k.error ? -1 : 0;
}

size_t escape_html_buf(char *buf, size_t len, const char *s)
{
	struct sink k = {.buf = buf, .len = len};
	html(&k, s);
	return finish(&k);
}

/* ---- JSON -------------------------------------------------------------- */

static void json_ascii(struct sink *k, char c)
{
	if (c == '"' || c == '\\') {
		put(k, "\\", 1);
		put(k, &c, 1);
	} else if ((unsigned char)c < 0x20) {
		char u[8];
		snprintf(u, sizeof u, "\\u%04x", (unsigned)c);
		puts_(k, u);
	} else {
		put(k, &c, 1);
	}
}

static void json(struct sink *k, const char *s)
{
	walk_utf8(k, s, json_ascii);
}

int escape_json(FILE *fp, const char *s)
{
	struct sink k = {.fp = fp};
	json(&k, s);
	return k.error ? -1 : 0;
}

size_t escape_json_buf(char *buf, size_t len, const char *s)
{
	struct sink k = {.buf = buf, .len = len};
	json(&k, s);
	return finish(&k);
}
