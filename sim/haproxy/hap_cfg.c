/* haproxy.cfg into sections, lines and words.
 *
 * The words are cut as HAProxy's parse_line() (src/tools.c) cuts them:
 * spaces and tabs between words; '#' outside quotes starts a comment;
 * double quotes group a word with spaces (and HAProxy expands ${VAR} in
 * them: we keep the text, since the variables are the target machine's);
 * single quotes group without any expansion; a backslash (outside quotes
 * and inside double ones) escapes the next character (\\, \", \', \#, a
 * space) and \r \n \t \xHH are the bytes they name. A line that starts with a section keyword opens a section
 * (its name is the next word); every other line belongs to the section
 * before it. Each word keeps its column, for messages. There is no line
 * continuation in HAProxy's format, and none here.
 *
 * Size: a file of at most 16 MiB, lines of at most 64 KiB (HAProxy's own
 * limit is lower); everything is copied once into small allocations.
 */
#include "lbsim/haproxy.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FILE (16u << 20)
#define MAX_LINE (64u << 10)
#define MAX_WORDS 256

static const char *const section_kinds[] = {
	"global", "defaults", "frontend", "backend", "listen", "userlist", "peers",
	"resolvers", "mailers", "program", "http-errors", "ring", "cache", "fcgi-app",
	"crt-store", "traces", "log-forward",
};

void hap_error_print(FILE *fp, const struct hap_error *err)
{
	if (err->line && err->column)
		fprintf(fp, "%s:%u:%u: %s\n", err->file, err->line, err->column, err->message);
	else if (err->line)
		fprintf(fp, "%s:%u: %s\n", err->file, err->line, err->message);
	else
		fprintf(fp, "%s: %s\n", err->file, err->message);
}

static int fail(struct hap_error *err, unsigned line, unsigned column, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(struct hap_error *err, unsigned line, unsigned column, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err->line = line;
	err->column = column;
	vsnprintf(err->message, sizeof err->message, fmt, ap);
	va_end(ap);
	return -1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The byte a backslash sequence at s[*i] stands for (outside quotes and
 * inside double quotes alike); *i moves past it. */
static char escaped(const char *s, size_t len, size_t *i)
{
	char e = s[*i + 1];
	*i += 2;
	switch (e) {
	case 'r':
		return '\r';
	case 'n':
		return '\n';
	case 't':
		return '\t';
	case 'x':
		if (*i + 1 < len && hexval(s[*i]) >= 0 && hexval(s[*i + 1]) >= 0) {
			char b = (char)(hexval(s[*i]) * 16 + hexval(s[*i + 1]));
			*i += 2;
			return b;
		}
		return e;
	default:
		return e;
	}
}

/* Cut one line into words. Returns the number of words, or -1 with err. */
static int cut_line(const char *s, size_t len, unsigned lineno, struct hap_word *words,
		    char *buf, struct hap_error *err)
{
	size_t i = 0, out = 0;
	int n = 0;
	for (;;) {
		while (i < len && (s[i] == ' ' || s[i] == '\t'))
			i++;
		if (i >= len || s[i] == '#')
			return n;
		if (n == MAX_WORDS)
			return fail(err, lineno, (unsigned)i + 1, "more than %d words on a line",
				    MAX_WORDS);
		words[n].column = (unsigned)i + 1;
		words[n].s = buf + out;
		char quote = 0;
		size_t qstart = 0;
		while (i < len) {
			char c = s[i];
			if (quote) {
				if (c == quote) {
					quote = 0;
					i++;
					continue;
				}
				if (quote == '"' && c == '\\' && i + 1 < len) {
					buf[out++] = escaped(s, len, &i);
					continue;
				}
				buf[out++] = c;
				i++;
				continue;
			}
			if (c == ' ' || c == '\t' || c == '#')
				break;
			if (c == '"' || c == '\'') {
				quote = c;
				qstart = i;
				i++;
				continue;
			}
			if (c == '\\' && i + 1 < len) {
				buf[out++] = escaped(s, len, &i);
				continue;
			}
			buf[out++] = c;
			i++;
		}
		if (quote)
			return fail(err, lineno, (unsigned)qstart + 1, "the quote %c opened here does "
				    "not close on this line", quote);
		buf[out++] = '\0';
		n++;
	}
}

static const char *section_kind(const char *word)
{
	for (size_t i = 0; i < sizeof section_kinds / sizeof section_kinds[0]; i++)
		if (strcmp(word, section_kinds[i]) == 0)
			return section_kinds[i];
	return NULL;
}

void hap_cfg_free(struct hap_cfg *cfg)
{
	if (!cfg)
		return;
	for (unsigned i = 0; i < cfg->nlines; i++) {
		if (cfg->lines[i].n)
			free(cfg->lines[i].w[0].s);
		free(cfg->lines[i].w);
	}
	free(cfg->lines);
	free(cfg->secs);
	free(cfg);
}

/* Append a line of n words (copied out of the scratch buffer). */
static int add_line(struct hap_cfg *cfg, unsigned lineno, const struct hap_word *w, int n,
		    const char *buf, size_t buflen)
{
	if ((cfg->nlines & (cfg->nlines - 1)) == 0 || cfg->nlines < 16) {
		size_t cap = cfg->nlines < 16 ? 16 : (size_t)cfg->nlines * 2;
		struct hap_line *p = realloc(cfg->lines, cap * sizeof *p);
		if (!p)
			return -1;
		cfg->lines = p;
	}
	struct hap_line *l = &cfg->lines[cfg->nlines];
	memset(l, 0, sizeof *l);
	l->line = lineno;
	l->w = calloc((size_t)n, sizeof *l->w);
	char *text = malloc(buflen);
	if (!l->w || !text) {
		free(l->w);
		free(text);
		return -1;
	}
	memcpy(text, buf, buflen);
	for (int i = 0; i < n; i++) {
		l->w[i].s = text + (w[i].s - buf);
		l->w[i].column = w[i].column;
	}
	l->n = (unsigned)n;
	cfg->nlines++;
	return 0;
}

int hap_cfg_parse_buffer(const char *name, const char *text, size_t len, struct hap_cfg **out,
			 struct hap_error *err)
{
	memset(err, 0, sizeof *err);
	snprintf(err->file, sizeof err->file, "%s", name);
	struct hap_cfg *cfg = calloc(1, sizeof *cfg);
	struct hap_word *words = malloc(MAX_WORDS * sizeof *words);
	char *buf = malloc(MAX_LINE + MAX_WORDS + 1);
	if (!cfg || !words || !buf) {
		free(cfg);
		free(words);
		free(buf);
		return fail(err, 0, 0, "out of memory");
	}
	snprintf(cfg->path, sizeof cfg->path, "%s", name);
	unsigned lineno = 0, nsecs_cap = 0;
	int rc = 0;
	size_t pos = 0;
	while (pos < len && rc == 0) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		lineno++;
		size_t llen = end - pos;
		if (llen > 0 && text[end - 1] == '\r')
			llen--;
		if (llen > MAX_LINE) {
			rc = fail(err, lineno, 1, "the line is longer than %u bytes", MAX_LINE);
			break;
		}
		if (memchr(text + pos, '\0', llen)) {
			rc = fail(err, lineno, 1, "a NUL byte: this is no text configuration");
			break;
		}
		int n = cut_line(text + pos, llen, lineno, words, buf, err);
		pos = end + 1;
		if (n < 0) {
			rc = -1;
			break;
		}
		if (n == 0)
			continue;
		const char *kind = section_kind(words[0].s);
		if (kind) {
			if (cfg->nsecs == nsecs_cap) {
				nsecs_cap = nsecs_cap ? nsecs_cap * 2 : 16;
				struct hap_section *s = realloc(cfg->secs, nsecs_cap * sizeof *s);
				if (!s) {
					rc = fail(err, lineno, 0, "out of memory");
					break;
				}
				cfg->secs = s;
			}
			struct hap_section *s = &cfg->secs[cfg->nsecs];
			memset(s, 0, sizeof *s);
			s->kind = kind;
			s->line = lineno;
			if (n > 1)
				snprintf(s->name, sizeof s->name, "%s", words[1].s);
			s->header = (int)cfg->nlines;
			s->first = cfg->nlines + 1;
			cfg->nsecs++;
		} else if (cfg->nsecs == 0) {
			rc = fail(err, lineno, words[0].column, "'%s' outside any section (a section "
				  "starts with global, defaults, frontend, backend or listen)",
				  words[0].s);
			break;
		}
		size_t used = (size_t)(words[n - 1].s - buf) + strlen(words[n - 1].s) + 1;
		if (add_line(cfg, lineno, words, n, buf, used) != 0) {
			rc = fail(err, lineno, 0, "out of memory");
			break;
		}
		cfg->lines[cfg->nlines - 1].section = (int)cfg->nsecs - 1;
		if (!kind)
			cfg->secs[cfg->nsecs - 1].count++;
	}
	free(words);
	free(buf);
	if (rc != 0) {
		hap_cfg_free(cfg);
		return -1;
	}
	*out = cfg;
	return 0;
}

int hap_cfg_parse(const char *path, struct hap_cfg **out, struct hap_error *err)
{
	memset(err, 0, sizeof *err);
	snprintf(err->file, sizeof err->file, "%s", path);
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return fail(err, 0, 0, "cannot open: %s", strerror(errno));
	char *text = malloc(MAX_FILE + 1);
	size_t n = text ? fread(text, 1, MAX_FILE + 1, fp) : 0;
	int bad = !text || ferror(fp);
	fclose(fp);
	if (bad) {
		free(text);
		return fail(err, 0, 0, "cannot read");
	}
	if (n > MAX_FILE) {
		free(text);
		return fail(err, 0, 0, "larger than %u MiB: is this a configuration?", MAX_FILE >> 20);
	}
	int rc = hap_cfg_parse_buffer(path, text, n, out, err);
	free(text);
	return rc;
}
