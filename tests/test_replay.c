/* Replay pieces against hand-made truth: a log's requests come out in the
 * order they arrived (not the order they were written), once each, with
 * probes dropped and users numbered by first appearance; a request that
 * took longer than the window is a time-order violation at its line,
 * fatal or skipped and counted; the copies of a scaled replay keep the
 * /24 and NAT structure of the logged addresses on fresh /24s. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lbsim/log_replay.h"
#include "lbsim/replay_addr.h"
#include "lbsim/workload.h"

#define FIELDS "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username " \
	       "c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n"
#define LINE(t, stem, user, ip, taken) \
	"2024-03-04 " t " 10.0.1.11 POST " stem " - 443 " user " " ip " x - 200 0 0 " taken "\n"

static char *temp_log(const char *text)
{
	char *path = strdup("/tmp/lbsim-test-replay-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

/* Written in the order they ended (IIS: whole seconds); the 5-minute ping
 * (line 4) arrived first, the probe (line 6) is no client request. */
static const char ordered_log[] =
	FIELDS                                                                  /* line 1 */
	LINE("08:00:10", "/owa/service.svc", "CONTOSO\\ann", "10.1.1.5", "1000")  /* 2: 08:00:09 */
	LINE("08:00:20", "/EWS/Exchange.asmx", "contoso\\BOB", "10.1.1.6", "500") /* 3: 08:00:19.5 */
	LINE("08:05:00", "/Microsoft-Server-ActiveSync/default.eas", "contoso\\ann",
	     "100.64.0.1", "300000")                                               /* 4: 08:00:00 */
	LINE("08:05:01", "/mapi/emsmdb/", "CONTOSO\\bob", "10.1.1.6", "0")      /* 5: 08:05:01 */
	LINE("08:05:02", "/owa/healthcheck.htm", "-", "10.0.0.5", "2")          /* 6: probe */
	LINE("08:05:03", "/ecp/", "-", "10.1.1.7", "3000");                      /* 7: 08:05:00 */

/* A replay of path with a window of window_s seconds. */
static struct log_replay *replay_of(const char *path, enum log_on_error on_error, int64_t window_s)
{
	struct log_opts o = {.on_error = on_error};
	struct log_replay *r;
	struct log_error err;
	assert_int_equal(log_replay_open(&r, path, &o, window_s * 1000000000, &err), 0);
	return r;
}

static void test_arrival_order(void **state)
{
	(void)state;
	char *path = temp_log(ordered_log);
	struct log_replay *r = replay_of(path, LOG_ON_ERROR_FAIL, 600);
	struct log_error err;
	static const struct {
		uint64_t line;
		int64_t at_ms;   /* after 08:00:00 */
		int workload;
	} want[] = {
		{4, 0, WL_EAS}, {2, 9000, WL_OWA}, {3, 19500, WL_EWS}, {7, 300000, WL_ECP},
		{5, 301000, WL_MAPI},
	};
	struct replay_req q;
	int64_t base = 0;
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		assert_int_equal(log_replay_next(r, &q, &err), 1);
		if (i == 0)
			base = q.start_ns;
		assert_int_equal(q.line, want[i].line);
		assert_int_equal((q.start_ns - base) / 1000000, want[i].at_ms);
		assert_int_equal(q.workload, want[i].workload);
	}
	assert_int_equal(log_replay_next(r, &q, &err), 0);
	const struct replay_counts *n = log_replay_counts(r);
	assert_int_equal(n->requests, 5);
	assert_int_equal(n->not_clients, 1);
	assert_int_equal(n->late, 0);
	assert_int_equal(n->longest_ns, 300ll * 1000000000);
	log_replay_close(r);
	unlink(path);
	free(path);
}

/* Users are numbered as the lines are read, which is not arrival order:
 * check the numbers against the names directly. */
static void test_user_numbers(void **state)
{
	(void)state;
	char *path = temp_log(ordered_log);
	struct log_replay *r = replay_of(path, LOG_ON_ERROR_FAIL, 600);
	struct log_error err;
	struct replay_req q;
	uint32_t user_of_line[8] = {0};
	while (log_replay_next(r, &q, &err) == 1)
		user_of_line[q.line] = q.user;
	assert_int_equal(user_of_line[2], user_of_line[4]);   /* ann, both cases */
	assert_int_equal(user_of_line[3], user_of_line[5]);   /* bob, both cases */
	assert_int_not_equal(user_of_line[2], user_of_line[3]);
	assert_int_not_equal(user_of_line[7], user_of_line[2]);
	assert_int_not_equal(user_of_line[7], user_of_line[3]);
	assert_int_equal(log_replay_counts(r)->users, 3);
	log_replay_close(r);
	unlink(path);
	free(path);
}

/* With a 1-minute window, line 3 (ended 08:02:00) lets line 2 out: every
 * line after it arrived after 08:00:59 unless it took over a minute. The
 * 5-minute request of line 4 arrived at 08:00:00, before line 2: late. */
static const char late_log[] =
	FIELDS
	LINE("08:00:10", "/owa/service.svc", "CONTOSO\\ann", "10.1.1.5", "1000")
	LINE("08:02:00", "/EWS/Exchange.asmx", "contoso\\bob", "10.1.1.6", "1000")
	LINE("08:05:00", "/Microsoft-Server-ActiveSync/default.eas", "contoso\\ann",
	     "100.64.0.1", "300000")
	LINE("08:05:01", "/mapi/emsmdb/", "CONTOSO\\bob", "10.1.1.6", "0");

static void test_late(void **state)
{
	(void)state;
	char *path = temp_log(late_log);
	struct log_replay *r = replay_of(path, LOG_ON_ERROR_FAIL, 60);
	struct log_error err;
	struct replay_req q;
	int rc;
	while ((rc = log_replay_next(r, &q, &err)) == 1)
		;
	assert_int_equal(rc, -1);
	assert_int_equal(err.line, 4);
	assert_non_null(strstr(err.message, "time order"));
	log_replay_close(r);

	r = replay_of(path, LOG_ON_ERROR_SKIP, 60);
	uint64_t lines = 0;
	while ((rc = log_replay_next(r, &q, &err)) == 1)
		lines += q.line;
	assert_int_equal(rc, 0);
	assert_int_equal(log_replay_counts(r)->late, 1);
	assert_int_equal(log_replay_counts(r)->requests, 3);
	assert_int_equal(lines, 2 + 3 + 5);
	assert_int_equal(log_reader_nmessages(log_replay_reader(r)), 1);
	assert_non_null(strstr(log_reader_message(log_replay_reader(r), 0), ":4: time order"));
	log_replay_close(r);
	unlink(path);
	free(path);
}

static uint32_t ip(unsigned a, unsigned b, unsigned c, unsigned d)
{
	return (uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | d;
}

static void test_copy_shape(void **state)
{
	(void)state;
	struct replay_addrs m = {0};
	uint32_t a1 = ip(198, 51, 100, 10), a2 = ip(198, 51, 100, 11), b = ip(203, 0, 113, 7);
	uint32_t x;
	assert_int_equal(replay_addr_copy(&m, a1, 0, &x), 0);
	assert_int_equal(x, a1);
	uint32_t c1a1, c1a2, c2a1, c1b, again;
	assert_int_equal(replay_addr_copy(&m, a1, 1, &c1a1), 0);
	assert_int_equal(replay_addr_copy(&m, a2, 1, &c1a2), 0);
	assert_int_equal(replay_addr_copy(&m, a1, 2, &c2a1), 0);
	assert_int_equal(replay_addr_copy(&m, b, 1, &c1b), 0);
	assert_int_equal(replay_addr_copy(&m, a1, 1, &again), 0);
	assert_int_equal(again, c1a1);                       /* one address stays one */
	assert_int_equal(c1a1 >> 8, c1a2 >> 8);              /* a /24 stays a /24 */
	assert_int_equal(c1a1 & 0xff, 10);                   /* the host byte kept */
	assert_int_equal(c1a2 & 0xff, 11);
	assert_int_not_equal(c1a1 >> 8, a1 >> 8);            /* on a fresh /24 */
	assert_int_not_equal(c2a1 >> 8, c1a1 >> 8);          /* each copy its own */
	assert_int_not_equal(c1b >> 8, c1a1 >> 8);           /* each /24 its own */
	assert_int_equal(c1a1 >> 28, 0xF);                   /* from 240.0.0.0/4 */
	assert_int_equal(c1b >> 28, 0xF);
	assert_int_equal(m.used, 3);
	replay_addrs_free(&m);
}

/* What a replay holds is its window, not its log: 3,000 requests, one a
 * second (ended at once), each held until the window has passed. Through
 * a window of an hour all 3,000 are read ahead before the first is
 * handed out, so the heap holds at least 3,000; through a window of 10 s
 * about 10 at a time, so the heap keeps its first allocation (1,024
 * requests). held_bytes is the heap and the user names' map at their
 * largest; a run's memory estimate counts it (cli.c). */
static void test_held_bytes_follow_the_window(void **state)
{
	(void)state;
	enum { N = 3000 };
	size_t cap = strlen(FIELDS) + (size_t)N * 160;
	char *text = malloc(cap), *at = text;
	at += sprintf(at, "%s", FIELDS);
	for (int i = 0; i < N; i++)
		at += sprintf(at, "2024-03-04 %02d:%02d:%02d 10.0.1.11 POST /owa/ - 443 user%d "
			      "10.1.%d.%d x - 200 0 0 0\n", 8 + i / 3600, i / 60 % 60, i % 60, i % 50,
			      i / 250, i % 250);
	char *path = temp_log(text);
	free(text);
	struct log_opts o = {.on_error = LOG_ON_ERROR_FAIL};
	struct replay_counts hour, tens;
	struct log_error err;
	assert_int_equal(log_replay_scan(path, &o, 3600ll * 1000000000, &hour, NULL, &err), 0);
	assert_int_equal(log_replay_scan(path, &o, 10ll * 1000000000, &tens, NULL, &err), 0);
	assert_int_equal(hour.requests, N);
	assert_int_equal(tens.requests, N);
	assert_int_equal(hour.users, 50);
	print_message("held: %llu bytes through an hour, %llu through 10 s\n",
		      (unsigned long long)hour.held_bytes, (unsigned long long)tens.held_bytes);
	assert_true(hour.held_bytes >= N * sizeof(struct replay_req));
	assert_true(tens.held_bytes >= 1024 * sizeof(struct replay_req));
	assert_true(tens.held_bytes < 2048 * sizeof(struct replay_req));
	unlink(path);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arrival_order),
		cmocka_unit_test(test_user_numbers),
		cmocka_unit_test(test_late),
		cmocka_unit_test(test_copy_shape),
		cmocka_unit_test(test_held_bytes_follow_the_window),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
