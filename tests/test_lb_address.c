/* Tests of the address module of the balancer core (include/lbsim/address.h).
 *
 * Truths used: the C library's inet_pton and inet_ntop (an independent
 * implementation of the same RFCs) on random addresses with random runs of
 * zero groups; NGINX's documented special case (::0.0.1.2, where glibc
 * writes ::102); hand-checked prefixes and endpoints; the exact error
 * position of each kind of malformed text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "lbsim/address.h"

static uint64_t t_rand(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static struct lb_addr parse_ok(const char *text)
{
	struct lb_addr a;
	struct lb_addr_error e = {0};
	if (lb_addr_parse(text, strlen(text), &a, &e) != 0)
		fail_msg("'%s' refused: %s at %zu", text, e.why, e.at);
	return a;
}

static void parse_bad(const char *text, size_t at)
{
	struct lb_addr a;
	struct lb_addr_error e = {0};
	assert_int_equal(lb_addr_parse(text, strlen(text), &a, &e), LB_EINVAL);
	assert_non_null(e.why);
	if (e.at != at)
		fail_msg("'%s': error at %zu (%s), expected %zu", text, e.at, e.why, at);
}

static void test_ipv4(void **state)
{
	(void)state;
	struct lb_addr a = parse_ok("192.0.2.1");
	assert_int_equal(a.family, LB_AF_INET);
	assert_int_equal(lb_addr_v4_value(&a), 0xc0000201u);
	assert_int_equal(lb_addr_fold32(&a), 0xc0000201u);
	struct lb_addr b = lb_addr_v4(0xc0000201u);
	assert_true(lb_addr_equal(&a, &b));
	char buf[LB_ADDR_TEXT_MAX];
	assert_int_equal(lb_addr_format(&a, buf, sizeof buf), 9);
	assert_string_equal(buf, "192.0.2.1");
	parse_ok("0.0.0.0");
	parse_ok("255.255.255.255");
	parse_bad("", 0);
	parse_bad("256.1.1.1", 0);
	parse_bad("1.2.3.400", 6);
	parse_bad("1.2.3", 5);
	parse_bad("1.2.3.4.5", 7);
	parse_bad("1.02.3.4", 2);
	parse_bad("1..3.4", 2);
	parse_bad("1.2.3.4 ", 7);
	parse_bad("a.b.c.d", 0);
	parse_bad("1.2.3.4x", 7);
}

static void test_ipv6_against_libc(void **state)
{
	(void)state;
	uint64_t seed = 7;
	for (int i = 0; i < 20000; i++) {
		uint8_t bytes[16];
		for (int k = 0; k < 16; k++)
			bytes[k] = (uint8_t)t_rand(&seed);
		/* Runs of zero groups of random length and place, so that
		 * every compression case comes up. */
		uint64_t r = t_rand(&seed);
		int start = (int)(r % 8), len = (int)((r >> 8) % 9);
		for (int g = start; g < start + len && g < 8; g++)
			bytes[2 * g] = bytes[2 * g + 1] = 0;
		if ((r >> 16) % 8 == 0) { /* an IPv4-mapped address */
			memset(bytes, 0, 10);
			bytes[10] = bytes[11] = 0xff;
		}
		char ref[INET6_ADDRSTRLEN], ours[LB_ADDR_TEXT_MAX];
		assert_non_null(inet_ntop(AF_INET6, bytes, ref, sizeof ref));
		struct lb_addr a = {.family = LB_AF_INET6};
		memcpy(a.bytes, bytes, 16);
		lb_addr_format(&a, ours, sizeof ours);
		/* NGINX differs from glibc only where seven leading groups are
		 * zero: it writes the last 32 bits as a dotted quad. */
		int seven = 1;
		for (int k = 0; k < 14; k++)
			seven &= bytes[k] == 0;
		if (!seven)
			assert_string_equal(ours, ref);
		/* Our parser reads what libc writes, and what we write. */
		struct lb_addr back = parse_ok(ref), back2 = parse_ok(ours);
		assert_memory_equal(back.bytes, bytes, 16);
		assert_memory_equal(back2.bytes, bytes, 16);
	}
}

static void test_ipv6_cases(void **state)
{
	(void)state;
	char buf[LB_ADDR_TEXT_MAX];
	struct lb_addr a = parse_ok("::");
	lb_addr_format(&a, buf, sizeof buf);
	assert_string_equal(buf, "::");
	a = parse_ok("::1");
	lb_addr_format(&a, buf, sizeof buf);
	assert_string_equal(buf, "::1");
	a = parse_ok("::102"); /* NGINX: ::0.0.1.2 */
	lb_addr_format(&a, buf, sizeof buf);
	assert_string_equal(buf, "::0.0.1.2");
	a = parse_ok("2001:DB8:0:0:1:0:0:1");
	lb_addr_format(&a, buf, sizeof buf);
	assert_string_equal(buf, "2001:db8::1:0:0:1");
	a = parse_ok("::ffff:192.0.2.1");
	lb_addr_format(&a, buf, sizeof buf);
	assert_string_equal(buf, "::ffff:192.0.2.1");
	assert_int_equal(a.bytes[15], 1);
	/* The fold: XOR of the four words. */
	a = parse_ok("2001:db8:1:2:3:4:5:6");
	assert_int_equal(lb_addr_fold32(&a), 0x20010db8u ^ 0x00010002u ^ 0x00030004u ^ 0x00050006u);
	parse_bad(":1::2", 0);
	parse_bad("1:::2", 3);
	parse_bad("1::2::3", 4);
	parse_bad("12345::", 0);
	parse_bad("1:2:3:4:5:6:7", 13);
	parse_bad("1:2:3:4:5:6:7:8:9", 16);
	parse_bad("1:2:3:4:5:6:7::8", 16);
	parse_bad("1:", 1);
	parse_bad("g::", 0);
	parse_bad("::1.2.3.4:5", 2);
	parse_bad("::1.2.3.256", 8);
}

static void test_prefixes(void **state)
{
	(void)state;
	struct lb_prefix p;
	struct lb_addr_error e = {0};
	assert_int_equal(lb_prefix_parse("10.1.0.0/16", 11, &p, &e), 0);
	assert_int_equal(p.len, 16);
	assert_int_equal(lb_prefix_size(&p), 65536);
	struct lb_addr a;
	assert_int_equal(lb_prefix_nth(&p, 258, &a), 0);
	assert_int_equal(lb_addr_v4_value(&a), 0x0a010102u);
	assert_int_equal(lb_prefix_nth(&p, 65536, &a), LB_ERANGE);
	assert_int_equal(lb_prefix_parse("192.0.2.7", 9, &p, &e), 0);
	assert_int_equal(p.len, 32);
	assert_int_equal(lb_prefix_size(&p), 1);
	assert_int_equal(lb_prefix_parse("10.1.0.1/16", 11, &p, &e), LB_EINVAL);
	assert_int_equal(e.at, 0);
	assert_int_equal(lb_prefix_parse("10.0.0.0/33", 11, &p, &e), LB_EINVAL);
	assert_int_equal(e.at, 9);
	assert_int_equal(lb_prefix_parse("10.0.0.0/", 9, &p, &e), LB_EINVAL);
	assert_int_equal(e.at, 9);
	assert_int_equal(lb_prefix_parse("10.0.0.0/8x", 11, &p, &e), LB_EINVAL);
	assert_int_equal(e.at, 10);
	assert_int_equal(lb_prefix_parse("2001:db8::/32", 13, &p, &e), 0);
	assert_int_equal(lb_prefix_size(&p), UINT64_MAX);
	assert_int_equal(lb_prefix_nth(&p, 0x0102, &a), 0);
	char buf[LB_ADDR_TEXT_MAX];
	lb_addr_format(&a, buf, sizeof buf);
	assert_string_equal(buf, "2001:db8::102");
	assert_int_equal(lb_prefix_parse("2001:db8::/129", 14, &p, &e), LB_EINVAL);
}

static void test_endpoints(void **state)
{
	(void)state;
	struct lb_addr a;
	uint16_t port;
	struct lb_addr_error e = {0};
	char buf[64];
	assert_int_equal(lb_endpoint_parse("127.0.0.1:10001", 15, &a, &port, &e), 0);
	assert_int_equal(port, 10001);
	lb_endpoint_format(&a, port, buf, sizeof buf);
	assert_string_equal(buf, "127.0.0.1:10001");
	assert_int_equal(lb_endpoint_parse("[2001:db8::1]:443", 17, &a, &port, &e), 0);
	assert_int_equal(a.family, LB_AF_INET6);
	lb_endpoint_format(&a, port, buf, sizeof buf);
	assert_string_equal(buf, "[2001:db8::1]:443");
	assert_int_equal(lb_endpoint_parse("10.0.0.1", 8, &a, &port, &e), LB_EINVAL);
	assert_int_equal(lb_endpoint_parse("10.0.0.1:0", 10, &a, &port, &e), LB_EINVAL);
	assert_int_equal(e.at, 9);
	assert_int_equal(lb_endpoint_parse("10.0.0.1:65536", 14, &a, &port, &e), LB_EINVAL);
	assert_int_equal(lb_endpoint_parse("2001:db8::1:443", 15, &a, &port, &e), LB_EINVAL);
	assert_int_equal(lb_endpoint_parse("[10.0.0.1]:443", 14, &a, &port, &e), LB_EINVAL);
	assert_int_equal(lb_endpoint_parse("10.0.0.300:80", 13, &a, &port, &e), LB_EINVAL);
	assert_int_equal(e.at, 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_ipv6_against_libc),
		cmocka_unit_test(test_ipv6_cases),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_endpoints),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
