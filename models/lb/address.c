/* Network addresses: parsing, formatting, prefixes; see
 * include/lbsim/address.h.
 *
 * Hand-written rather than inet_pton: a scenario or an address file wants
 * to know which byte is wrong and why, and inet_pton says only "no". The
 * IPv6 text form copies NGINX's ngx_inet6_ntop rule for rule, because
 * NGINX's `hash $remote_addr` hashes exactly that text: a different but
 * equally valid spelling would send the client elsewhere.
 */
#include "lbsim/address.h"

#include <stdio.h>
#include <string.h>

static int fail(struct lb_addr_error *err, const char *why, size_t at)
{
	if (err) {
		err->why = why;
		err->at = at;
	}
	return LB_EINVAL;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four dotted decimal octets from text[0..len) into out[0..4). */
static int parse_v4(const char *text, size_t len, uint8_t *out, size_t base,
		    struct lb_addr_error *err)
{
	size_t i = 0;
	for (int octet = 0; octet < 4; octet++) {
		if (octet > 0) {
			if (i >= len || text[i] != '.')
				return fail(err, i >= len ? "an IPv4 address has four numbers"
							  : "expected '.' between the numbers of an IPv4 address",
					    base + i);
			i++;
		}
		size_t start = i;
		unsigned v = 0;
		while (i < len && is_digit(text[i]) && i - start < 4)
			v = v * 10 + (unsigned)(text[i++] - '0');
		if (i == start)
			return fail(err, i < len ? "expected a number from 0 to 255"
						 : "an IPv4 address has four numbers", base + i);
		if (i - start > 3 || v > 255)
			return fail(err, "a number of an IPv4 address is at most 255", base + start);
		if (i - start > 1 && text[start] == '0')
			return fail(err, "a number of an IPv4 address has no leading zero "
				    "(read as octal by some programs)", base + start);
		out[octet] = (uint8_t)v;
	}
	if (i != len)
		return fail(err, "unexpected text after an IPv4 address", base + i);
	return 0;
}

/* RFC 4291 text: hex groups, at most one "::", an optional dotted quad in
 * the last 32 bits. */
static int parse_v6(const char *text, size_t len, uint8_t *out, struct lb_addr_error *err)
{
	uint16_t head[8], tail[8];
	int nhead = 0, ntail = 0, gap = 0; /* gap: "::" seen */
	size_t i = 0;
	if (len >= 2 && text[0] == ':' && text[1] == ':') {
		gap = 1;
		i = 2;
	} else if (len >= 1 && text[0] == ':') {
		return fail(err, "an IPv6 address starts with a group or '::'", 0);
	}
	while (i < len) {
		int *count = gap ? &ntail : &nhead;
		uint16_t *groups = gap ? tail : head;
		/* A dotted quad ends the address: look for a '.' before the
		 * next ':'. */
		size_t end = i;
		while (end < len && text[end] != ':' && text[end] != '.')
			end++;
		if (end < len && text[end] == '.') {
			size_t stop = i;
			while (stop < len && text[stop] != ':')
				stop++;
			if (stop != len)
				return fail(err, "an IPv4 part may end an IPv6 address only", i);
			if (nhead + ntail + 2 > 8)
				return fail(err, "an IPv6 address has at most eight groups", i);
			uint8_t q[4];
			if (parse_v4(text + i, len - i, q, i, err) != 0)
				return LB_EINVAL;
			groups[(*count)++] = (uint16_t)(q[0] << 8 | q[1]);
			groups[(*count)++] = (uint16_t)(q[2] << 8 | q[3]);
			i = len;
			break;
		}
		size_t start = i;
		unsigned v = 0;
		while (i < len && hex_value(text[i]) >= 0) {
			if (i - start == 4)
				return fail(err, "a group of an IPv6 address has at most four hex digits",
					    start);
			v = v * 16 + (unsigned)hex_value(text[i++]);
		}
		if (i == start)
			return fail(err, "expected a hex group of an IPv6 address", i);
		if (nhead + ntail == 8)
			return fail(err, "an IPv6 address has at most eight groups", start);
		groups[(*count)++] = (uint16_t)v;
		if (i == len)
			break;
		if (text[i] != ':')
			return fail(err, "unexpected character in an IPv6 address", i);
		i++;
		if (i < len && text[i] == ':') {
			if (gap)
				return fail(err, "an IPv6 address has at most one '::'", i - 1);
			gap = 1;
			i++;
		} else if (i == len) {
			return fail(err, "an IPv6 address does not end with a single ':'", i - 1);
		}
	}
	int total = nhead + ntail;
	if (!gap && total != 8)
		return fail(err, "an IPv6 address has eight groups, or '::' for a run of zeros", len);
	if (gap && total > 7)
		return fail(err, "'::' stands for at least one zero group; this address has eight", len);
	memset(out, 0, 16);
	for (int g = 0; g < nhead; g++) {
		out[2 * g] = (uint8_t)(head[g] >> 8);
		out[2 * g + 1] = (uint8_t)head[g];
	}
	for (int g = 0; g < ntail; g++) {
		int at = 8 - ntail + g;
		out[2 * at] = (uint8_t)(tail[g] >> 8);
		out[2 * at + 1] = (uint8_t)tail[g];
	}
	return 0;
}

int lb_addr_parse(const char *text, size_t len, struct lb_addr *out, struct lb_addr_error *err)
{
	struct lb_addr a;
	memset(&a, 0, sizeof a);
	if (len == 0)
		return fail(err, "expected an IPv4 or IPv6 address", 0);
	if (memchr(text, ':', len)) {
		if (parse_v6(text, len, a.bytes, err) != 0)
			return LB_EINVAL;
		a.family = LB_AF_INET6;
	} else {
		if (!is_digit(text[0]))
			return fail(err, "expected an IPv4 or IPv6 address", 0);
		if (parse_v4(text, len, a.bytes, 0, err) != 0)
			return LB_EINVAL;
		a.family = LB_AF_INET;
	}
	*out = a;
	return 0;
}

static unsigned family_bits(const struct lb_addr *a)
{
	return a->family == LB_AF_INET6 ? 128 : 32;
}

int lb_prefix_parse(const char *text, size_t len, struct lb_prefix *out, struct lb_addr_error *err)
{
	const char *slash = memchr(text, '/', len);
	size_t alen = slash ? (size_t)(slash - text) : len;
	struct lb_prefix p;
	if (lb_addr_parse(text, alen, &p.addr, err) != 0)
		return LB_EINVAL;
	unsigned bits = family_bits(&p.addr), plen = bits;
	if (slash) {
		size_t i = alen + 1;
		if (i == len || !is_digit(text[i]))
			return fail(err, "expected a prefix length after '/'", i);
		plen = 0;
		while (i < len && is_digit(text[i]) && plen <= bits)
			plen = plen * 10 + (unsigned)(text[i++] - '0');
		if (i < len && !is_digit(text[i]))
			return fail(err, "unexpected text after a prefix length", i);
		if (plen > bits || i < len)
			return fail(err, bits == 32 ? "an IPv4 prefix length is at most 32"
						    : "an IPv6 prefix length is at most 128", alen + 1);
	}
	for (unsigned b = plen; b < bits; b++)
		if (p.addr.bytes[b / 8] & (0x80u >> (b % 8)))
			return fail(err, "the address has bits set beyond its prefix length "
				    "(write the network address, e.g. 10.0.0.0/8)", 0);
	p.len = (uint8_t)plen;
	*out = p;
	return 0;
}

int lb_endpoint_parse(const char *text, size_t len, struct lb_addr *out, uint16_t *port,
		      struct lb_addr_error *err)
{
	size_t astart = 0, aend, colon;
	if (len > 0 && text[0] == '[') {
		const char *close = memchr(text, ']', len);
		if (!close)
			return fail(err, "an IPv6 address in brackets needs its closing ']'", 0);
		astart = 1;
		aend = (size_t)(close - text);
		colon = aend + 1;
		if (colon >= len || text[colon] != ':')
			return fail(err, "expected ':' and a port after ']'", colon);
	} else {
		const char *c = memchr(text, ':', len);
		if (!c)
			return fail(err, "expected ADDRESS:PORT (an IPv6 address in brackets: [::1]:443)",
				    len);
		aend = colon = (size_t)(c - text);
		if (memchr(c + 1, ':', len - colon - 1))
			return fail(err, "an IPv6 address with a port goes in brackets: [2001:db8::1]:443",
				    0);
	}
	struct lb_addr a;
	if (lb_addr_parse(text + astart, aend - astart, &a, err) != 0) {
		if (err)
			err->at += astart;
		return LB_EINVAL;
	}
	if (astart && a.family != LB_AF_INET6)
		return fail(err, "only an IPv6 address goes in brackets", 1);
	size_t i = colon + 1;
	unsigned long v = 0;
	if (i == len)
		return fail(err, "expected a port number after ':'", i);
	for (; i < len; i++) {
		if (!is_digit(text[i]))
			return fail(err, "a port is a number from 1 to 65535", i);
		v = v * 10 + (unsigned long)(text[i] - '0');
		if (v > 65535)
			return fail(err, "a port is a number from 1 to 65535", colon + 1);
	}
	if (v == 0)
		return fail(err, "a port is a number from 1 to 65535", colon + 1);
	*out = a;
	*port = (uint16_t)v;
	return 0;
}

/* ngx_inet6_ntop's rules: compress the longest run of two or more zero
 * groups (the first on a tie); a run from the start that leaves an
 * IPv4-mapped (::ffff:a.b.c.d) or -compatible address writes the last 32
 * bits as a dotted quad. */
static size_t format_v6(const uint8_t *p, char *buf, size_t n)
{
	char tmp[LB_ADDR_TEXT_MAX];
	size_t zero = (size_t)-1, last = (size_t)-1, max = 1, run = 0, out = 0;
	for (size_t i = 0; i < 16; i += 2) {
		if (p[i] || p[i + 1]) {
			if (max < run) {
				zero = last;
				max = run;
			}
			run = 0;
			continue;
		}
		if (run++ == 0)
			last = i;
	}
	if (max < run) {
		zero = last;
		max = run;
	}
	size_t end = 16;
	if (zero == 0) {
		if ((max == 5 && p[10] == 0xff && p[11] == 0xff) || max == 6 ||
		    (max == 7 && p[14] != 0 && p[15] != 1))
			end = 12;
		tmp[out++] = ':';
	}
	for (size_t i = 0; i < end; i += 2) {
		if (i == zero) {
			tmp[out++] = ':';
			i += (max - 1) * 2;
			continue;
		}
		out += (size_t)snprintf(tmp + out, sizeof tmp - out, "%x", p[i] * 256u + p[i + 1]);
		if (i < 14)
			tmp[out++] = ':';
	}
	if (end == 12)
		out += (size_t)snprintf(tmp + out, sizeof tmp - out, "%u.%u.%u.%u", p[12], p[13],
					p[14], p[15]);
	tmp[out] = '\0';
	return (size_t)snprintf(buf, n, "%s", tmp);
}

size_t lb_addr_format(const struct lb_addr *a, char *buf, size_t n)
{
	if (a->family == LB_AF_INET6)
		return format_v6(a->bytes, buf, n);
	return (size_t)snprintf(buf, n, "%u.%u.%u.%u", a->bytes[0], a->bytes[1], a->bytes[2],
				a->bytes[3]);
}

size_t lb_endpoint_format(const struct lb_addr *a, uint16_t port, char *buf, size_t n)
{
	char text[LB_ADDR_TEXT_MAX];
	lb_addr_format(a, text, sizeof text);
	if (a->family == LB_AF_INET6)
		return (size_t)snprintf(buf, n, "[%s]:%u", text, port);
	return (size_t)snprintf(buf, n, "%s:%u", text, port);
}

struct lb_addr lb_addr_v4(uint32_t v)
{
	struct lb_addr a;
	memset(&a, 0, sizeof a);
	a.family = LB_AF_INET;
	a.bytes[0] = (uint8_t)(v >> 24);
	a.bytes[1] = (uint8_t)(v >> 16);
	a.bytes[2] = (uint8_t)(v >> 8);
	a.bytes[3] = (uint8_t)v;
	return a;
}

static uint32_t word_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

uint32_t lb_addr_v4_value(const struct lb_addr *a)
{
	return word_at(a->bytes);
}

uint32_t lb_addr_fold32(const struct lb_addr *a)
{
	if (a->family != LB_AF_INET6)
		return word_at(a->bytes);
	return word_at(a->bytes) ^ word_at(a->bytes + 4) ^ word_at(a->bytes + 8) ^
	       word_at(a->bytes + 12);
}

uint64_t lb_prefix_size(const struct lb_prefix *p)
{
	unsigned host = family_bits(&p->addr) - p->len;
	return host >= 64 ? UINT64_MAX : (uint64_t)1 << host;
}

int lb_prefix_nth(const struct lb_prefix *p, uint64_t k, struct lb_addr *out)
{
	unsigned bits = family_bits(&p->addr), host = bits - p->len;
	if (host < 64 && k >> host)
		return LB_ERANGE;
	*out = p->addr;
	/* Add k into the last 8 bytes (host bits only, so no carry leaves
	 * them when host <= 64; beyond, the high host bits stay zero). */
	unsigned last = bits / 8;
	for (unsigned b = 0; b < 8 && b < last; b++)
		out->bytes[last - 1 - b] |= (uint8_t)(k >> (8 * b));
	return 0;
}

int lb_addr_equal(const struct lb_addr *a, const struct lb_addr *b)
{
	return a->family == b->family && memcmp(a->bytes, b->bytes, sizeof a->bytes) == 0;
}

int lb_addr_add(struct lb_addr *a, uint64_t k)
{
	struct lb_addr r = *a;
	int last = a->family == LB_AF_INET6 ? 15 : 3;
	unsigned carry = 0;
	for (int i = last; i >= 0; i--) {
		unsigned sum = r.bytes[i] + (unsigned)(k & 0xff) + carry;
		r.bytes[i] = (uint8_t)sum;
		carry = sum >> 8;
		k >>= 8;
	}
	if (carry || k)
		return LB_ERANGE;
	*a = r;
	return 0;
}
