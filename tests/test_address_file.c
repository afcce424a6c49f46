/* A file of 10 million addresses (made here, in a temporary folder) loads
 * with its scenario, every address read, within the memory its estimate
 * gives (addr_list_bytes: 4 bytes an IPv4 address), measured by glibc's
 * own count of the bytes in use (mallinfo2) before and after the load;
 * and a mistake on its last line is reported at that line. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lbsim/address_plan.h"
#include "lbsim/scenario.h"

#define COUNT 10000000u

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

static char dir[] = "/tmp/lbsim-addrfile-XXXXXX";

static void write_files(const char *last_line)
{
	char path[256];
	snprintf(path, sizeof path, "%s/many.txt", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	/* Distinct addresses from 10.0.0.0 on, as a log would list them. */
	for (uint32_t i = 0; i < COUNT - 1; i++) {
		uint32_t a = 0x0a000000u + i;
		fprintf(f, "%u.%u.%u.%u\n", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
	}
	fprintf(f, "%s\n", last_line);
	assert_int_equal(fclose(f), 0);
	snprintf(path, sizeof path, "%s/s.yaml", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("name: many\nduration: 1m\nservers: {count: 8, service: 20ms}\n"
	      "populations:\n  - {name: lan, users: 10, rate: 1, address-plan: {file: many.txt}}\n"
	      "designs:\n  - {name: l4, kind: l4, balance: source}\n", f);
	assert_int_equal(fclose(f), 0);
}

static void remove_files(void)
{
	char path[256];
	snprintf(path, sizeof path, "%s/many.txt", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/s.yaml", dir);
	unlink(path);
}

static void test_ten_million_within_estimate(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(dir));
	write_files("2001:db8::1 # the last line, IPv6");
	char path[256];
	snprintf(path, sizeof path, "%s/s.yaml", dir);
	struct mallinfo2 before = mallinfo2();
	struct scenario *scn;
	struct scn_error err;
	int rc = scn_load(path, &scn, &err);
	if (rc != 0)
		scn_error_print(stderr, &err);
	assert_int_equal(rc, 0);
	struct mallinfo2 after = mallinfo2();
	const struct addr_plan *plan = scn->populations[0].plan;
	assert_non_null(plan);
	assert_int_equal(plan->list.n4, COUNT - 1);
	assert_int_equal(plan->list.n6, 1);
	assert_int_equal(plan->has_v6, 1);
	double estimate = addr_list_bytes(COUNT - 1, 1, 0);
	double used = (double)(after.uordblks + after.hblkhd) - (double)(before.uordblks + before.hblkhd);
	print_message("10 million addresses: %.1f MB in use, estimate %.1f MB\n", used / 1e6,
		      estimate / 1e6);
	/* The scenario's own structures besides the list: well under 1 MB. */
	if (!SANITIZED)
		assert_true(used <= estimate + (1 << 20));
	scn_free(scn);
	remove_files();
}

static void test_mistake_on_the_last_line(void **state)
{
	(void)state;
	write_files("10.0.0.1 0.5 x");
	char path[256], want[300];
	snprintf(path, sizeof path, "%s/s.yaml", dir);
	struct scenario *scn;
	struct scn_error err;
	assert_int_equal(scn_load(path, &scn, &err), -1);
	snprintf(want, sizeof want, "%s/many.txt", dir);
	assert_string_equal(err.file, want);
	assert_int_equal(err.line, COUNT);
	assert_int_equal(err.column, 14);
	remove_files();
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ten_million_within_estimate),
		cmocka_unit_test(test_mistake_on_the_last_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
