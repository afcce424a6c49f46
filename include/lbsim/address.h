/* Network addresses: IPv4 and IPv6 values, their text forms, prefixes
 * (CIDR) and server endpoints ("10.0.0.1:443", "[2001:db8::1]:443").
 *
 * One small type serves every part of lbsim that handles an address: the
 * balancer core (a client's address as a balancer hashes it, a server's
 * address as NGINX and IPVS identify it), the scenario loader (address
 * plans, address files) and anything that reads logs. It is part of the
 * core, so it links against libc alone.
 *
 * struct lb_addr holds the address in network byte order, IPv4 in the first
 * four bytes and the rest zero, so that two equal addresses are equal
 * bytes and an address can be a hash-table key as it is.
 *
 * Parsing is strict and says where and why it failed (for file:line:column
 * errors): IPv4 in dotted-quad form only (four decimal octets 0..255, no
 * leading zeros, which inet_aton would read as octal); IPv6 as RFC 4291
 * writes it (hex groups, one "::", an optional trailing dotted quad).
 * Formatting gives the forms NGINX's $remote_addr and inet_ntop give:
 * dotted quad, and RFC 5952 for IPv6 (lower case, the longest run of two or
 * more zero groups as "::", the first such run on a tie; ::ffff:a.b.c.d for
 * IPv4-mapped addresses).
 */
#ifndef LBSIM_ADDRESS_H
#define LBSIM_ADDRESS_H

#include <stddef.h>
#include <stdint.h>

#include "lbsim/lb_err.h"

enum lb_family {
	LB_AF_INET = 4,
	LB_AF_INET6 = 6,
};

struct lb_addr {
	uint8_t family;      /* enum lb_family */
	uint8_t bytes[16];   /* network order; IPv4 in bytes[0..3], the rest zero */
};

/* A prefix: the address with its host bits zero, and the prefix length
 * (0..32 for IPv4, 0..128 for IPv6). */
struct lb_prefix {
	struct lb_addr addr;
	uint8_t len;
};

/* A server as NGINX and IPVS name it: address and port. */
struct lb_endpoint {
	struct lb_addr addr;
	uint16_t port;
};

/* The longest text of an address, with its terminating NUL
 * ("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"). */
#define LB_ADDR_TEXT_MAX 46

/* Why a parse failed, and at which byte of the text (from 0). */
struct lb_addr_error {
	const char *why;
	size_t at;
};

/* Parse the len bytes of text as an IPv4 or IPv6 address. Returns 0, or
 * LB_EINVAL with *err set (the three parsers alike). */
LB_MUST_CHECK int lb_addr_parse(const char *text, size_t len, struct lb_addr *out, struct lb_addr_error *err);

/* Parse "ADDR/LEN" (LEN optional: a whole address, /32 or /128). Host bits
 * set beyond the prefix are an error ("10.0.0.1/8" is a typo more often
 * than a choice). */
LB_MUST_CHECK int lb_prefix_parse(const char *text, size_t len, struct lb_prefix *out, struct lb_addr_error *err);

/* Parse "IPv4:PORT" or "[IPv6]:PORT" (port 1..65535); *port gets the port. */
LB_MUST_CHECK int lb_endpoint_parse(const char *text, size_t len, struct lb_addr *out, uint16_t *port,
		      struct lb_addr_error *err);

/* Write the text form into buf (n >= LB_ADDR_TEXT_MAX is always enough);
 * returns its length. */
size_t lb_addr_format(const struct lb_addr *a, char *buf, size_t n);

/* "ADDR:PORT", or "[ADDR]:PORT" for IPv6, as an NGINX `server` line writes
 * it; returns the length. */
size_t lb_endpoint_format(const struct lb_addr *a, uint16_t port, char *buf, size_t n);

/* The IPv4 address of a 32-bit value in host order, and back. */
struct lb_addr lb_addr_v4(uint32_t host_order);
uint32_t lb_addr_v4_value(const struct lb_addr *a);

/* The address folded to 32 bits as HAProxy's `balance source` and IPVS's
 * sh and mh schedulers fold it: IPv4 itself, IPv6 the XOR of its four
 * 32-bit words (each read big-endian). */
uint32_t lb_addr_fold32(const struct lb_addr *a);

/* Address number k of prefix p (k from 0, counted in the host bits): 0, or
 * LB_ERANGE when k does not fit. Host bits beyond 64 are zero: a prefix shorter than
 * /64 is walked in its last 64 bits. */
LB_MUST_CHECK int lb_prefix_nth(const struct lb_prefix *p, uint64_t k, struct lb_addr *out);

/* Number of addresses in p, saturated at 2^64 - 1. */
uint64_t lb_prefix_size(const struct lb_prefix *p);

/* Add k to the address (the next k addresses on): 0, or LB_ERANGE when it
 * runs past the end of its family's space (then *a is unchanged). */
LB_MUST_CHECK int lb_addr_add(struct lb_addr *a, uint64_t k);

/* 1 when a and b are the same address. */
int lb_addr_equal(const struct lb_addr *a, const struct lb_addr *b);

#endif
