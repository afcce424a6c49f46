/* Output files are written whole or not at all, and quoted correctly. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lbsim/csv_out.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/lbsim-csv-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];
	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
			unlink(path);
		}
	if (d)
		closedir(d);
	return rmdir(dir);
}

static size_t entries(void)
{
	size_t n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	return n;
}

static void read_file(const char *name, char *buf, size_t len)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *fp = fopen(path, "r");
	assert_non_null(fp);
	size_t n = fread(buf, 1, len - 1, fp);
	buf[n] = '\0';
	fclose(fp);
}

static void test_quoting(void **state)
{
	(void)state;
	struct csv_out c;
	char err[256], buf[512];
	assert_int_equal(csv_out_open(&c, dir, "q.csv", err, sizeof err), 0);
	const char *row[] = {"plain", "a,b", "say \"hi\"", "two\nlines", " padded"};
	csv_out_row(&c, 5, row);
	csv_out_u64(&c, 42);
	csv_out_num(&c, 0.5);
	csv_out_num(&c, NAN);
	csv_out_num(&c, 1e-7);
	csv_out_end_row(&c);
	assert_int_equal(csv_out_commit(&c, err, sizeof err), 0);
	read_file("q.csv", buf, sizeof buf);
	assert_string_equal(buf, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\" padded\"\n"
				 "42,0.5,,1e-07\n");
	assert_int_equal(entries(), 1); /* no temporary left behind */
}

/* A write that fails (the device is full) commits nothing, removes the
 * temporary file and leaves the previous result untouched. */
static void test_full_device_keeps_old_result(void **state)
{
	(void)state;
	struct csv_out c;
	char err[256], buf[512];
	assert_int_equal(csv_out_open(&c, dir, "r.csv", err, sizeof err), 0);
	const char *old[] = {"old"};
	csv_out_row(&c, 1, old);
	assert_int_equal(csv_out_commit(&c, err, sizeof err), 0);

	assert_int_equal(csv_out_open(&c, dir, "r.csv", err, sizeof err), 0);
	fclose(c.fp);
	c.fp = fopen("/dev/full", "w");
	assert_non_null(c.fp);
	const char *row[] = {"new", "data"};
	for (int i = 0; i < 10000; i++)
		csv_out_row(&c, 2, row);
	assert_int_equal(csv_out_commit(&c, err, sizeof err), -1);
	assert_non_null(strstr(err, "write failed"));
	read_file("r.csv", buf, sizeof buf);
	assert_string_equal(buf, "old\n");
	assert_int_equal(entries(), 1);
}

static void test_abort_leaves_nothing(void **state)
{
	(void)state;
	struct csv_out c;
	char err[256];
	assert_int_equal(csv_out_open(&c, dir, "a.csv", err, sizeof err), 0);
	const char *row[] = {"x"};
	csv_out_row(&c, 1, row);
	csv_out_abort(&c);
	assert_int_equal(entries(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_quoting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_device_keeps_old_result, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort_leaves_nothing, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
