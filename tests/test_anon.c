/* Anonymisation: Crypto-PAn against the reference implementation's sample
 * (the key and trace of Xu et al.'s distribution, as Yawning Angel's Go
 * port checks them, with its IPv6 vectors), the prefix-preserving property
 * on random pairs with every common-prefix length, stability under one key
 * and difference under another, and user-name pseudonyms that keep a
 * name's shape and ignore its case. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "lbsim/anon.h"
#include "lbsim/log_reader.h"
#include "lbsim/rng.h"

/* The sample key of the Crypto-PAn reference distribution. */
static const uint8_t reference_key[32] = {
	21, 34, 23, 141, 51, 164, 207, 128, 19, 10, 91, 22, 73, 144, 125, 16,
	216, 152, 143, 131, 121, 121, 101, 39, 98, 87, 76, 45, 42, 132, 34, 2,
};

/* sample_trace_raw.dat -> sample_trace_sanitized.dat (every distinct
 * address of the sample). */
static const char *const v4_vectors[][2] = {
		{"128.11.68.132", "135.242.180.132"},
		{"129.118.74.4", "134.136.186.123"},
		{"130.132.252.244", "133.68.164.234"},
		{"141.223.7.43", "141.167.8.160"},
		{"141.233.145.108", "141.129.237.235"},
		{"152.163.225.39", "151.140.114.167"},
		{"156.29.3.236", "147.225.12.42"},
		{"165.247.96.84", "162.9.99.234"},
		{"166.107.77.190", "160.132.178.185"},
		{"192.102.249.13", "252.138.62.131"},
		{"192.215.32.125", "252.43.47.189"},
		{"192.233.80.103", "252.25.108.8"},
		{"192.41.57.43", "252.222.221.184"},
		{"193.150.244.223", "253.169.52.216"},
		{"195.205.63.100", "255.186.223.5"},
		{"198.200.171.101", "249.199.68.213"},
		{"198.26.132.101", "249.36.123.202"},
		{"198.36.213.5", "249.7.21.132"},
		{"198.51.77.238", "249.18.186.254"},
		{"199.217.79.101", "248.38.184.213"},
		{"202.49.198.20", "245.206.7.234"},
		{"203.12.160.252", "244.248.163.4"},
		{"204.184.162.189", "243.192.77.90"},
		{"204.202.136.230", "243.178.4.198"},
		{"204.29.20.4", "243.33.20.123"},
		{"205.178.38.67", "242.108.198.51"},
		{"205.188.147.153", "242.96.16.101"},
		{"205.188.248.25", "242.96.88.27"},
		{"205.245.121.43", "242.21.121.163"},
		{"207.105.49.5", "241.118.205.138"},
		{"207.135.65.238", "241.202.129.222"},
		{"207.155.9.214", "241.220.250.22"},
		{"207.188.7.45", "241.255.249.220"},
		{"207.25.71.27", "241.33.119.156"},
		{"207.33.151.131", "241.1.233.131"},
		{"208.147.89.59", "227.237.98.191"},
		{"208.234.120.210", "227.154.67.17"},
		{"208.28.185.184", "227.39.94.90"},
		{"208.52.56.122", "227.8.63.165"},
		{"209.12.231.7", "226.243.167.8"},
		{"209.238.72.3", "226.6.119.243"},
		{"209.246.74.109", "226.22.124.76"},
		{"209.68.60.238", "226.184.220.233"},
		{"209.85.249.6", "226.170.70.6"},
		{"212.120.124.31", "228.135.163.231"},
		{"212.146.8.236", "228.19.4.234"},
		{"212.186.227.154", "228.59.98.98"},
		{"212.204.172.118", "228.71.195.169"},
		{"212.206.130.201", "228.69.242.193"},
		{"216.148.237.145", "235.84.194.111"},
		{"216.157.30.252", "235.89.31.26"},
		{"216.184.159.48", "235.96.225.78"},
		{"216.227.10.221", "235.28.253.36"},
		{"216.254.18.172", "235.7.16.162"},
		{"216.32.132.250", "235.192.139.38"},
		{"216.35.217.178", "235.195.157.81"},
		{"24.0.250.221", "100.15.198.226"},
		{"24.13.62.231", "100.2.192.247"},
		{"24.14.213.138", "100.1.42.141"},
		{"24.5.0.80", "100.9.15.210"},
		{"24.7.198.88", "100.10.6.25"},
		{"24.94.26.44", "100.88.228.35"},
		{"38.15.67.68", "64.3.66.187"},
		{"4.3.88.225", "124.60.155.63"},
		{"63.14.55.111", "95.9.215.7"},
		{"63.195.241.44", "95.179.238.44"},
		{"63.97.7.140", "95.97.9.123"},
		{"64.14.118.196", "0.255.183.58"},
		{"64.34.154.117", "0.221.154.117"},
		{"64.39.15.238", "0.219.7.41"},
		{"10.185.25.118", "117.161.29.118"},
};

static const char *const v6_vectors[][2] = {
	{"::1", "78ff:f001:9fc0:20df:8380:b1f1:704:ed"},
	{"::2", "78ff:f001:9fc0:20df:8380:b1f1:704:ef"},
	{"::ffff", "78ff:f001:9fc0:20df:8380:b1f1:704:f838"},
	{"2001:db8::1", "4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1e"},
	{"2001:db8::2", "4401:2bc:603f:d91d:27f:ff8e:e6f1:dc1c"},
};

static void anonymise_text(struct cryptopan *cp, const char *in, char *out, size_t len)
{
	struct log_addr a;
	assert_int_equal(log_addr_parse(in, strlen(in), &a), 0);
	cryptopan_addr(cp, &a, &a);
	log_addr_format(&a, out, len);
}

static void test_reference_vectors(void **state)
{
	(void)state;
	struct cryptopan cp;
	assert_int_equal(cryptopan_init(&cp, reference_key), 0);
	char out[64];
	for (int pass = 0; pass < 2; pass++) /* the second through the cache */
		for (size_t i = 0; i < sizeof v4_vectors / sizeof v4_vectors[0]; i++) {
			anonymise_text(&cp, v4_vectors[i][0], out, sizeof out);
			if (strcmp(out, v4_vectors[i][1]) != 0)
				fail_msg("%s -> %s, want %s", v4_vectors[i][0], out, v4_vectors[i][1]);
		}
	for (size_t i = 0; i < sizeof v6_vectors / sizeof v6_vectors[0]; i++) {
		anonymise_text(&cp, v6_vectors[i][0], out, sizeof out);
		if (strcmp(out, v6_vectors[i][1]) != 0)
			fail_msg("%s -> %s, want %s", v6_vectors[i][0], out, v6_vectors[i][1]);
	}
	cryptopan_free(&cp);
}

static unsigned common_prefix(uint32_t a, uint32_t b)
{
	unsigned k = 0;
	while (k < 32 && ((a ^ b) >> (31 - k) & 1) == 0)
		k++;
	return k;
}

/* Two addresses sharing exactly k leading bits map to two sharing exactly
 * k: for every k, on random pairs; and the map is one-to-one on a /16. */
static void test_prefix_preserving(void **state)
{
	(void)state;
	struct cryptopan cp;
	uint8_t key[32];
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)(rng_mix64((uint64_t)i) >> 7);
	assert_int_equal(cryptopan_init(&cp, key), 0);
	uint64_t x = 12345;
	for (unsigned k = 0; k < 32; k++) {
		for (int trial = 0; trial < 200; trial++) {
			x = rng_mix64(x);
			uint32_t a = (uint32_t)x;
			/* b: a's first k bits, then the opposite bit k, then anything. */
			uint32_t rest = (uint32_t)(x >> 32);
			uint32_t keep = k ? ~0u << (32 - k) : 0;
			uint32_t flip = 1u << (31 - k);
			uint32_t b = (a & keep) | (~a & flip) | (rest & (flip - 1));
			assert_int_equal(common_prefix(a, b), k);
			uint32_t ea = cryptopan_v4(&cp, a), eb = cryptopan_v4(&cp, b);
			if (common_prefix(ea, eb) != k)
				fail_msg("k=%u: %08x,%08x -> %08x,%08x", k, a, b, ea, eb);
		}
	}
	/* One-to-one: the 65536 addresses of a /16 stay 65536 addresses of
	 * one /16. */
	static uint8_t seen[65536];
	memset(seen, 0, sizeof seen);
	uint32_t top = cryptopan_v4(&cp, 0x0a000000u) >> 16;
	for (uint32_t i = 0; i < 65536; i++) {
		uint32_t e = cryptopan_v4(&cp, 0x0a000000u | i);
		assert_int_equal(e >> 16, top);
		assert_int_equal(seen[e & 0xffff], 0);
		seen[e & 0xffff] = 1;
	}
	cryptopan_free(&cp);
}

/* The same secret gives the same map (and names) in another instance; a
 * different secret another map. */
static void test_stable_under_one_key(void **state)
{
	(void)state;
	struct anon_keys k1, k2, k3;
	const uint8_t s1[] = "0123456789abcdef0123456789abcdef";
	const uint8_t s2[] = "0123456789abcdef0123456789abcdeF";
	anon_keys_derive(&k1, s1, 32);
	anon_keys_derive(&k2, s1, 32);
	anon_keys_derive(&k3, s2, 32);
	assert_memory_equal(&k1, &k2, sizeof k1);
	assert_memory_not_equal(k1.cryptopan, k1.names, 32);
	struct cryptopan a, b, c;
	assert_int_equal(cryptopan_init(&a, k1.cryptopan), 0);
	assert_int_equal(cryptopan_init(&b, k2.cryptopan), 0);
	assert_int_equal(cryptopan_init(&c, k3.cryptopan), 0);
	unsigned differ = 0;
	for (uint32_t i = 0; i < 1000; i++) {
		uint32_t addr = (uint32_t)rng_mix64(i);
		assert_int_equal(cryptopan_v4(&a, addr), cryptopan_v4(&b, addr));
		differ += cryptopan_v4(&a, addr) != cryptopan_v4(&c, addr);
	}
	assert_true(differ > 990);
	cryptopan_free(&a);
	cryptopan_free(&b);
	cryptopan_free(&c);

	char n1[128], n2[128];
	anon_name(&k1, "CONTOSO\\jdoe", 12, 0, n1, sizeof n1);
	anon_name(&k2, "CONTOSO\\jdoe", 12, 0, n2, sizeof n2);
	assert_string_equal(n1, n2);
	anon_name(&k3, "CONTOSO\\jdoe", 12, 0, n2, sizeof n2);
	assert_string_not_equal(n1, n2);
}

/* A name keeps its shape, ignores case, and is the same user whether
 * written plain or percent-encoded; one domain stays one domain. */
static void test_names(void **state)
{
	(void)state;
	struct anon_keys k;
	anon_keys_derive(&k, (const uint8_t *)"a secret of at least 32 bytes....", 33);
	char a[128], b[128], c[128], d[128];
	anon_name(&k, "CONTOSO\\jdoe", 12, 0, a, sizeof a);
	anon_name(&k, "contoso\\JDOE", 12, 0, b, sizeof b);
	assert_string_equal(a, b);
	assert_int_equal(strlen(a), 1 + 12 + 1 + 1 + 16);
	assert_int_equal(a[0], 'd');
	assert_int_equal(a[13], '\\');
	assert_int_equal(a[14], 'u');
	/* Percent-encoded (an ActiveSync query's User=): the same pseudonym,
	 * its separator encoded too. */
	anon_name(&k, "CONTOSO%5Cjdoe", 14, 1, c, sizeof c);
	assert_memory_equal(c, a, 13);
	assert_memory_equal(c + 13, "%5C", 3);
	assert_string_equal(c + 16, a + 14);
	/* Another user of the domain: same domain part, another user part. */
	anon_name(&k, "CONTOSO\\asmith", 14, 0, d, sizeof d);
	assert_memory_equal(d, a, 13);
	assert_string_not_equal(d + 14, a + 14);
	/* user@domain: the same user part as DOMAIN\user when the names
	 * agree (the pseudonym is per user name and per domain name). */
	anon_name(&k, "jdoe@contoso.com", 16, 0, b, sizeof b);
	assert_int_equal(b[0], 'u');
	assert_memory_equal(b, a + 14, 17);
	/* A plain name, and a token (device id) that keeps case. */
	anon_name(&k, "jdoe", 4, 0, c, sizeof c);
	assert_memory_equal(c, a + 14, 17);
	anon_token(&k, "", "ABC123", 6, c, sizeof c);
	anon_token(&k, "", "abc123", 6, d, sizeof d);
	assert_int_equal(strlen(c), 16);
	assert_string_not_equal(c, d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_vectors),
		cmocka_unit_test(test_prefix_preserving),
		cmocka_unit_test(test_stable_under_one_key),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
