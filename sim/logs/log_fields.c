/* Field pieces every log format needs: addresses, civil dates, W3C string
 * decoding. See include/lbsim/log_reader.h. */
#include "log_internal.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* Dotted quad, each part 0..255 without a sign; the common case, parsed
 * by hand because it runs once per line. */
static int parse_v4(const char *s, size_t len, uint8_t out[4])
{
	size_t i = 0;
	for (int part = 0; part < 4; part++) {
		if (part > 0) {
			if (i >= len || s[i] != '.')
				return -1;
			i++;
		}
		unsigned v = 0, digits = 0;
		while (i < len && s[i] >= '0' && s[i] <= '9' && digits < 4) {
			v = v * 10 + (unsigned)(s[i] - '0');
			i++;
			digits++;
		}
		if (digits == 0 || digits > 3 || v > 255)
			return -1;
		out[part] = (uint8_t)v;
	}
	return i == len ? 0 : -1;
}

int log_addr_parse(const char *s, size_t len, struct log_addr *a)
{
	memset(a, 0, sizeof *a);
	if (len == 0)
		return -1;
	if (parse_v4(s, len, a->bytes) == 0) {
		a->family = 4;
		return 0;
	}
	if (s[0] == '[' && len > 2 && s[len - 1] == ']') {
		s++;
		len -= 2;
	}
	char tmp[INET6_ADDRSTRLEN + 1];
	if (len >= sizeof tmp || !memchr(s, ':', len))
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	/* A zone ("%eth0") names a link, not a client: cut it. */
	char *zone = strchr(tmp, '%');
	if (zone)
		*zone = '\0';
	if (inet_pton(AF_INET6, tmp, a->bytes) != 1) {
		memset(a, 0, sizeof *a);
		return -1;
	}
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (memcmp(a->bytes, mapped, sizeof mapped) == 0) {
		/* ::ffff:a.b.c.d is an IPv4 client on a dual-stack socket. */
		memmove(a->bytes, a->bytes + 12, 4);
		memset(a->bytes + 4, 0, 12);
		a->family = 4;
	} else {
		a->family = 6;
	}
	return 0;
}

int log_addr_port_parse(const char *s, size_t len, int bare_v6, struct log_addr *a,
			uint16_t *port)
{
	size_t colon = len;
	while (colon > 0 && s[colon - 1] != ':')
		colon--;
	if (colon < 2 || colon == len || len - colon > 5)
		return -1;
	unsigned v = 0;
	for (size_t i = colon; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	size_t alen = colon - 1;
	int bracketed = s[0] == '[';
	if (v > 65535 || log_addr_parse(s, alen, a) != 0)
		return -1;
	if (a->family == 6 && !bracketed && !bare_v6)
		return -1; /* "2001:db8::1" alone: its last group is no port */
	*port = (uint16_t)v;
	return 0;
}

const char *log_addr_format(const struct log_addr *a, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (a->family == 4)
		snprintf(buf, len, "%u.%u.%u.%u", a->bytes[0], a->bytes[1], a->bytes[2],
			 a->bytes[3]);
	else if (a->family == 6 && !inet_ntop(AF_INET6, a->bytes, buf, (socklen_t)len))
		buf[0] = '\0';
	return buf;
}

/* FNV-1a over n bytes: a fixed, seedless fold (the stand-in must be the
 * same in every run and on every machine). */
static uint32_t fnv1a(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

uint32_t log_addr_v4(const struct log_addr *a)
{
	if (a->family == 4)
		return (uint32_t)a->bytes[0] << 24 | (uint32_t)a->bytes[1] << 16 |
		       (uint32_t)a->bytes[2] << 8 | a->bytes[3];
	if (a->family != 6)
		return 0;
	/* A /64 is one site or one subscriber: its hosts share the top 24
	 * bits, as the hosts of an IPv4 /24 do. */
	return (fnv1a(a->bytes, 8) & 0xffffff00u) | (fnv1a(a->bytes + 8, 8) & 0xffu);
}

int64_t log_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (int64_t)(m + (m > 2 ? -3 : 9)) + 2) / 5 + (int64_t)d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

size_t log_w3c_decode(const struct log_str *s, char *out, size_t len)
{
	size_t n = 0;
	if (len == 0)
		return 0;
	if (!s->ptr) {
		out[0] = '\0';
		return 0;
	}
	const char *p = s->ptr, *end = s->ptr + s->len;
	int quoted = s->quoted;
	for (; p < end && n + 1 < len; p++) {
		char c = *p;
		if (quoted && c == '"' && p + 1 < end && p[1] == '"')
			p++;
		else if (!quoted && c == '+')
			c = ' ';
		out[n++] = c;
	}
	out[n] = '\0';
	return n;
}

size_t log_user_key(const struct log_str *s, char *out)
{
	size_t n = 0;
	for (uint32_t i = 0; s->ptr && i < s->len && n < LOG_USER_KEY_MAX; i++) {
		char ch = s->ptr[i];
		if (ch == '%' && i + 2 < s->len && isxdigit((unsigned char)s->ptr[i + 1]) &&
		    isxdigit((unsigned char)s->ptr[i + 2])) {
			char hex[3] = {s->ptr[i + 1], s->ptr[i + 2], 0};
			ch = (char)strtol(hex, NULL, 16);
			i += 2;
		}
		out[n++] = (char)tolower((unsigned char)ch);
	}
	return n;
}

uint64_t log_hash_bytes(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return h;
}
