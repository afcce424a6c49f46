/* A results folder is replaced whole or not at all (include/lbsim/result_set.h):
 * what a new set keeps and drops, updates, stale work folders, aborts
 * that leave nothing behind. The command-line cases (concurrent writers,
 * signals, full devices, planted links) are in tests/cli_results.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lbsim/result_set.h"

static char root[64];

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof root, "/tmp/lbsim-rs-XXXXXX");
	return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	return system(cmd);
}

static void put(const char *dir, const char *name, const char *text)
{
	char path[8192];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static void assert_text(const char *dir, const char *name, const char *text)
{
	char path[8192], buf[256] = "";
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *fp = fopen(path, "r");
	assert_non_null(fp);
	size_t n = fread(buf, 1, sizeof buf - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	assert_string_equal(buf, text);
}

static int exists(const char *dir, const char *name)
{
	char path[8192];
	struct stat st;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return lstat(path, &st) == 0;
}

/* Entries of dir, less . and .. */
static size_t entries(const char *dir)
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

static void new_set_appears_whole_and_alone(void **state)
{
	(void)state;
	char target[128], err[512];
	struct result_set rs;
	snprintf(target, sizeof target, "%s/a/b/out", root);
	assert_int_equal(result_set_begin(&rs, target, 0, NULL, err, sizeof err), 0);
	assert_false(exists(target, ""));         /* nothing at the target yet */
	assert_int_equal(rs.dir[0], '/');         /* an absolute work folder */
	put(rs.dir, "summary.csv", "new\n");
	assert_int_equal(result_set_commit(&rs, err, sizeof err), 0);
	assert_text(target, "summary.csv", "new\n");
	char parent[128];
	snprintf(parent, sizeof parent, "%s/a/b", root);
	assert_int_equal(entries(parent), 1);     /* no work folder left */
}

static void abort_leaves_nothing(void **state)
{
	(void)state;
	char target[128], err[512];
	struct result_set rs;
	snprintf(target, sizeof target, "%s/x/y/out", root);
	assert_int_equal(result_set_begin(&rs, target, 0, NULL, err, sizeof err), 0);
	put(rs.dir, "summary.csv", "partial");
	result_set_abort(&rs);
	assert_int_equal(entries(root), 0);       /* x and x/y made for it are gone */
}

static void replaces_lbsim_files_keeps_the_users(void **state)
{
	(void)state;
	char target[128], err[512];
	struct result_set rs;
	snprintf(target, sizeof target, "%s/out", root);
	mkdir(target, 0755);
	put(target, "summary.csv", "old\n");
	put(target, "share.png", "old picture");
	put(target, ".summary.csv.tmpAbC123", "an old lbsim's temporary");
	put(target, "notes.txt", "mine");
	assert_int_equal(result_set_begin(&rs, target, 0, NULL, err, sizeof err), 0);
	put(rs.dir, "summary.csv", "new\n");
	assert_text(target, "summary.csv", "old\n"); /* untouched until the swap */
	assert_int_equal(result_set_commit(&rs, err, sizeof err), 0);
	assert_text(target, "summary.csv", "new\n");
	assert_text(target, "notes.txt", "mine");
	assert_false(exists(target, "share.png")); /* a picture of the old set */
	assert_false(exists(target, ".summary.csv.tmpAbC123"));
	assert_int_equal(entries(root), 1);
}

static void refuses_a_foreign_folder_inside(void **state)
{
	(void)state;
	char target[128], sub[160], err[512];
	struct result_set rs;
	snprintf(target, sizeof target, "%s/out", root);
	snprintf(sub, sizeof sub, "%s/data", target);
	mkdir(target, 0755);
	mkdir(sub, 0755);
	assert_int_equal(result_set_begin(&rs, target, 0, NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, "holds data (a folder), which lbsim did not write"));
	assert_int_equal(entries(root), 1);
	assert_int_equal(entries(target), 1);
}

static void update_starts_from_the_target(void **state)
{
	(void)state;
	char target[128], err[512], path[8300];
	struct result_set rs;
	struct stat before, after;
	snprintf(target, sizeof target, "%s/out", root);
	mkdir(target, 0755);
	put(target, "summary.csv", "results\n");
	put(target, "report.md", "old report");
	snprintf(path, sizeof path, "%s/summary.csv", target);
	assert_int_equal(stat(path, &before), 0);
	assert_int_equal(result_set_begin(&rs, target, RESULT_SET_UPDATE, NULL, err, sizeof err), 0);
	assert_text(rs.dir, "summary.csv", "results\n");
	/* Replace, never write into, a file of the old set. */
	char tmp[8300], fin[8300];
	snprintf(tmp, sizeof tmp, "%s/.report.md.tmp", rs.dir);
	snprintf(fin, sizeof fin, "%s/report.md", rs.dir);
	put(rs.dir, ".report.md.tmp", "new report");
	assert_int_equal(rename(tmp, fin), 0);
	assert_text(target, "report.md", "old report");
	assert_int_equal(result_set_commit(&rs, err, sizeof err), 0);
	assert_text(target, "report.md", "new report");
	assert_int_equal(stat(path, &after), 0);
	assert_true(before.st_ino == after.st_ino); /* linked, not copied */
	assert_int_equal(entries(root), 1);
}

static void update_of_nothing_is_an_error(void **state)
{
	(void)state;
	char target[128], err[512];
	struct result_set rs;
	snprintf(target, sizeof target, "%s/none", root);
	assert_int_equal(result_set_begin(&rs, target, RESULT_SET_UPDATE, NULL, err, sizeof err), -1);
	assert_non_null(strstr(err, "run 'lbsim run' first"));
	assert_int_equal(entries(root), 0);
}

static void stale_work_folders_go_busy_ones_stay(void **state)
{
	(void)state;
	char target[128], stale[160], busy[160], err[512];
	struct result_set rs;
	snprintf(target, sizeof target, "%s/out", root);
	snprintf(stale, sizeof stale, "%s/.out.lbsim-AAAAAA", root);
	snprintf(busy, sizeof busy, "%s/.out.lbsim-BBBBBB", root);
	mkdir(stale, 0700);
	put(stale, "summary.csv", "half");
	mkdir(busy, 0700);
	int fd = open(busy, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0); /* another lbsim at work */
	char *said = NULL;
	size_t len = 0;
	FILE *note = open_memstream(&said, &len);
	assert_int_equal(result_set_begin(&rs, target, 0, note, err, sizeof err), 0);
	fclose(note);
	assert_non_null(strstr(said, "removed a temporary folder left by an interrupted lbsim"));
	assert_non_null(strstr(said, ".out.lbsim-AAAAAA"));
	free(said);
	assert_false(exists(stale, ""));
	assert_true(exists(busy, ""));
	result_set_abort(&rs);
	close(fd);
}

static void messages_name_the_target(void **state)
{
	(void)state;
	char target[128], err[8400];
	struct result_set rs;
	snprintf(target, sizeof target, "%s/out", root);
	assert_int_equal(result_set_begin(&rs, target, 0, NULL, err, sizeof err), 0);
	snprintf(err, sizeof err, "%s/summary.csv: write failed", rs.dir);
	result_set_message(&rs, err, sizeof err);
	char want[256];
	snprintf(want, sizeof want, "%s/summary.csv: write failed", target);
	assert_string_equal(err, want);
	result_set_abort(&rs);
}

static void outputs_are_known_by_name(void **state)
{
	(void)state;
	static const char *const ours[] = {"summary.csv", "timeseries.csv", "scenario.yaml", "report.md",
					   "share.png", "latency.svg", "sweep_response_p99.png",
					   "plan.csv", ".events.csv.tmpX1y2Z3", ".lbsim-gp-abcdef"};
	static const char *const theirs[] = {"notes.txt", "data.csv", "share.jpg", "sweep.txt",
					     ".git", "README"};
	for (size_t i = 0; i < sizeof ours / sizeof ours[0]; i++)
		assert_true(result_set_is_output(ours[i]));
	for (size_t i = 0; i < sizeof theirs / sizeof theirs[0]; i++)
		assert_false(result_set_is_output(theirs[i]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(new_set_appears_whole_and_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(abort_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(replaces_lbsim_files_keeps_the_users, setup, teardown),
		cmocka_unit_test_setup_teardown(refuses_a_foreign_folder_inside, setup, teardown),
		cmocka_unit_test_setup_teardown(update_starts_from_the_target, setup, teardown),
		cmocka_unit_test_setup_teardown(update_of_nothing_is_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(stale_work_folders_go_busy_ones_stay, setup, teardown),
		cmocka_unit_test_setup_teardown(messages_name_the_target, setup, teardown),
		cmocka_unit_test(outputs_are_known_by_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
