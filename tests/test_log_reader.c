/* Log readers: every field form of IIS W3C lines (quoted user agents, '+'
 * for spaces, '-' for missing, #Date: without a date field, cs-uri, IPv6,
 * X-Forwarded-For), HAProxy httplog lines (syslog prefixes, captures,
 * -1 timers, <BADREQ>), gzip input, the line reader's edges (CRLF, no last
 * line break, overlong lines), and every malformed line reported at its
 * file:line:column, failing or skipped with a count as asked. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "lbsim/log_lines.h"
#include "lbsim/log_reader.h"
#include "lbsim/workload.h"

#define FIELDS "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username " \
	       "c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n"

/* Write text to a fresh temporary file (gzip-compressed when gz); the
 * caller unlinks it. */
static char *temp_log(const char *text, int gz)
{
	char *path = strdup("/tmp/lbsim-test-log-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	if (gz) {
		gzFile g = gzdopen(fd, "wb");
		assert_non_null(g);
		assert_int_equal(gzwrite(g, text, (unsigned)strlen(text)), (int)strlen(text));
		assert_int_equal(gzclose(g), Z_OK);
	} else {
		assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
		close(fd);
	}
	return path;
}

struct read_all {
	struct log_record rec[16];
	char stems[16][64], users[16][64], agents[16][160];
	int n;
	int rc;                    /* of the last log_reader_next */
	struct log_error err;
	struct log_stats stats;
	unsigned nmessages;
	char message0[600];
};

/* Read every record of text (copying what the records point to). */
static void read_all(const char *text, int gz, const struct log_opts *opts, struct read_all *out)
{
	memset(out, 0, sizeof *out);
	char *path = temp_log(text, gz);
	struct log_reader *r;
	assert_int_equal(log_reader_open(&r, path, opts, &out->err), 0);
	struct log_record rec;
	while ((out->rc = log_reader_next(r, &rec, &out->err)) == 1) {
		if (out->n < 16) {
			int i = out->n;
			out->rec[i] = rec;
			struct log_str u = rec.user;
			snprintf(out->stems[i], 64, "%.*s", (int)rec.stem.len, rec.stem.ptr ? rec.stem.ptr : "");
			log_w3c_decode(&u, out->users[i], 64);
			log_w3c_decode(&rec.agent, out->agents[i], 160);
		}
		out->n++;
	}
	out->stats = *log_reader_stats(r);
	out->nmessages = log_reader_nmessages(r);
	if (out->nmessages)
		snprintf(out->message0, sizeof out->message0, "%s", log_reader_message(r, 0));
	/* Error messages name the file: keep only what follows it. */
	log_reader_close(r);
	unlink(path);
	free(path);
}

static const struct log_opts defaults = {0};

/* The field forms of an IIS line, and the record made of them. */
static void test_w3c_field_forms(void **state)
{
	(void)state;
	const char *log =
		"#Software: Microsoft Internet Information Services 8.5\n"
		"#Version: 1.0\n"
		"#Date: 2024-03-04 08:00:00\n"
		FIELDS
		"2024-03-04 08:00:05 10.0.1.11 POST /Microsoft-Server-ActiveSync/default.eas "
		"Cmd=Ping&User=CONTOSO%5Cjdoe&DeviceId=ABC&DeviceType=iPhone 443 CONTOSO\\jdoe "
		"100.64.0.7 Apple-iPhone14C2/2104.110 - 200 0 0 540000\n"
		/* '-' for a missing user and query; '+' for spaces in the agent */
		"2024-03-04 08:00:06 10.0.1.11 GET /owa/auth/logon.aspx - 443 - 10.1.2.3 "
		"Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64) - 302 0 0 15\n"
		/* a quoted agent with spaces and a doubled quote inside */
		"2024-03-04 08:00:07 10.0.1.12 POST /EWS/Exchange.asmx - 443 jdoe@contoso.com "
		"2001:db8::5 \"MacOutlook/16.80 (Intel Mac OS X) \"\"x\"\"\" - 200 0 0 7\n"
		/* IPv4-mapped IPv6 is IPv4; a status, time-taken of 0 */
		"2024-03-04 08:00:07 10.0.1.12 GET /powershell - 80 - ::ffff:10.9.8.7 - - 401 1 0 0\n";
	struct read_all a;
	read_all(log, 0, &defaults, &a);
	assert_int_equal(a.rc, 0);
	assert_int_equal(a.n, 4);

	const struct log_record *r = &a.rec[0];
	assert_int_equal(r->line, 5);
	assert_int_equal(r->workload, WL_EAS);
	assert_true(r->ping);
	/* Ended 08:00:05 after 540 s: arrived 07:51:05 (IIS stamps the end). */
	int64_t day = log_days_from_civil(2024, 3, 4) * 86400ll;
	assert_true(r->end_ns == (day + 8 * 3600 + 5) * 1000000000ll);
	assert_true(r->taken_ns == 540ll * 1000000000ll);
	assert_true(r->start_ns == r->end_ns - r->taken_ns);
	assert_int_equal(r->client.family, 4);
	assert_int_equal(log_addr_v4(&r->client), (100u << 24) | (64u << 16) | 7u);
	assert_string_equal(a.users[0], "CONTOSO\\jdoe");
	assert_int_equal(r->status, 200);
	assert_string_equal(a.stems[0], "/Microsoft-Server-ActiveSync/default.eas");

	r = &a.rec[1];
	assert_null(a.rec[1].user.ptr);
	assert_null(a.rec[1].query.ptr);
	assert_string_equal(a.agents[1], "Mozilla/5.0 (Windows NT 10.0; Win64; x64)");
	assert_int_equal(r->workload, WL_OWA);
	assert_false(r->ping);
	assert_int_equal(r->status, 302);

	r = &a.rec[2];
	assert_int_equal(r->client.family, 6);
	assert_true(r->agent.quoted);
	assert_string_equal(a.agents[2], "MacOutlook/16.80 (Intel Mac OS X) \"x\"");
	assert_string_equal(a.users[2], "jdoe@contoso.com");
	assert_int_equal(r->workload, WL_EWS);

	r = &a.rec[3];
	assert_int_equal(r->client.family, 4);
	assert_int_equal(log_addr_v4(&r->client), (10u << 24) | (9u << 16) | (8u << 8) | 7u);
	assert_int_equal(r->workload, LOG_WL_NONE);
	assert_true(r->taken_ns == 0);
	assert_null(r->agent.ptr);

	/* Every line counted once. */
	assert_int_equal(a.stats.lines, 8);
	assert_int_equal(a.stats.directives, 4);
	assert_int_equal(a.stats.records, 4);
	assert_int_equal(a.stats.lines, a.stats.blank + a.stats.directives + a.stats.records +
					    a.stats.malformed);
}

/* A block without a date field takes its day from #Date:; cs-uri gives
 * stem and query; a fraction of a second is read; a new #Fields: changes
 * the columns mid-file (IIS restarts); CRLF and a last line without a
 * line break are lines like the others. */
static void test_w3c_blocks_and_forms(void **state)
{
	(void)state;
	const char *log =
		"#Date: 2024-03-04 00:00:00\r\n"
		"#Fields: time c-ip cs-method cs-uri sc-status time-taken\r\n"
		"08:00:00.250 10.0.0.1 GET /OAB/3f5c/oab.xml?x=1 200 12\r\n"
		"\r\n"
		"#Fields: date time cs-uri-stem c-ip X-Forwarded-For\n"
		"2024-03-05 09:00:00 /mapi/emsmdb/ 10.0.0.9 198.51.100.7:5123,+10.0.0.2";
	struct read_all a;
	read_all(log, 0, &defaults, &a);
	assert_int_equal(a.rc, 0);
	assert_int_equal(a.n, 2);
	int64_t day4 = log_days_from_civil(2024, 3, 4) * 86400ll;
	assert_true(a.rec[0].end_ns == (day4 + 8 * 3600) * 1000000000ll + 250000000ll);
	assert_true(a.rec[0].resolution_ns == 1000000);
	assert_string_equal(a.stems[0], "/OAB/3f5c/oab.xml");
	assert_int_equal(a.rec[0].workload, WL_OAB);
	assert_int_equal(a.rec[0].query.len, 3);
	/* X-Forwarded-For's left-most address, without its port; c-ip kept as
	 * the peer. */
	assert_int_equal(log_addr_v4(&a.rec[1].client), (198u << 24) | (51u << 16) | (100u << 8) | 7u);
	assert_int_equal(log_addr_v4(&a.rec[1].peer), (10u << 24) | 9u);
	assert_true(a.rec[1].taken_ns == -1);
	assert_int_equal(a.rec[1].line, 6);
	assert_int_equal(a.stats.blank, 1);

	/* --client-from c-ip ignores X-Forwarded-For. */
	struct log_opts peer = {.client_from = LOG_CLIENT_PEER};
	read_all(log, 0, &peer, &a);
	assert_int_equal(log_addr_v4(&a.rec[1].client), (10u << 24) | 9u);
}

/* A malformed line: file:line:column and a message that says what. */
static void expect_error(const char *log, uint64_t line, unsigned column, const char *words)
{
	struct read_all a;
	read_all(log, 0, &defaults, &a);
	if (a.rc != -1 || a.err.line != line || a.err.column != column ||
	    !strstr(a.err.message, words))
		fail_msg("want line %llu column %u '%s'; got rc %d at %llu:%u: %s",
			 (unsigned long long)line, column, words, a.rc,
			 (unsigned long long)a.err.line, a.err.column, a.err.message);
	char text[1200];
	log_error_format(&a.err, text, sizeof text);
	assert_non_null(strstr(text, "/tmp/lbsim-test-log-"));
}

static void test_w3c_malformed(void **state)
{
	(void)state;
	const char *head = "#Fields: date time cs-uri-stem c-ip time-taken sc-status\n";
	char log[1024];
	expect_error("2024-03-04 08:00:00 /owa 10.0.0.1 5 200\n", 1, 1,
		     "before any #Fields:");
	snprintf(log, sizeof log, "%s2024-03-04 08:00:00 /owa 10.0.0.1 5\n", head);
	expect_error(log, 2, 1, "5 field(s) where the #Fields: directive of line 1 names 6");
	snprintf(log, sizeof log, "%s2024-13-04 08:00:00 /owa 10.0.0.1 5 200\n", head);
	expect_error(log, 2, 1, "is not a date");
	snprintf(log, sizeof log, "%s2024-03-04 25:00:00 /owa 10.0.0.1 5 200\n", head);
	expect_error(log, 2, 12, "is not a time of day");
	snprintf(log, sizeof log, "%s2024-03-04 08:00:00 /owa 10.0.0.256 5 200\n", head);
	expect_error(log, 2, 26, "c-ip '10.0.0.256' is not an address");
	snprintf(log, sizeof log, "%s2024-03-04 08:00:00 /owa 10.0.0.1 x5 200\n", head);
	expect_error(log, 2, 35, "time-taken 'x5'");
	snprintf(log, sizeof log, "%s2024-03-04 08:00:00 /owa 10.0.0.1 5 20\n", head);
	expect_error(log, 2, 37, "sc-status '20' is not an HTTP status");
	snprintf(log, sizeof log, "%s2024-03-04 08:00:00 owa 10.0.0.1 5 200\n", head);
	expect_error(log, 2, 21, "URI stem 'owa' is not a path");
	snprintf(log, sizeof log, "%s2024-03-04 08:00:00 \"/owa 10.0.0.1 5 200\n", head);
	expect_error(log, 2, 21, "quoted field does not end");
	expect_error("#Fields: date cs-uri-stem c-ip\n", 1, 9, "no 'time' field");
	expect_error("#Fields: date time c-ip\n", 1, 9, "no 'cs-uri-stem'");
	expect_error("#Fields: date time cs-uri-stem\n", 1, 9, "no 'c-ip'");
	expect_error("#Fields: time cs-uri-stem c-ip\n08:00:00 /owa 10.0.0.1\n", 2, 1, "no date");
	/* Time order: a request that ended 5 s before one written earlier. */
	snprintf(log, sizeof log,
		 "%s2024-03-04 08:00:05 /owa 10.0.0.1 5 200\n2024-03-04 08:00:00 /owa 10.0.0.1 5 200\n",
		 head);
	expect_error(log, 3, 1, "time order: this request ended 5.000 s before one written earlier "
		     "(line 2)");
}

/* Skip: malformed lines (a time-order violation among them) are counted
 * and their messages kept; the good lines are still read. */
static void test_skip_counts(void **state)
{
	(void)state;
	const char *log =
		"#Fields: date time cs-uri-stem c-ip\n"
		"2024-03-04 08:00:05 /owa 10.0.0.1\n"
		"2024-03-04 08:00:06 /owa 10.0.0\n"
		"2024-03-04 08:00:00 /owa 10.0.0.1\n"
		"2024-03-04 08:00:05 /ecp 10.0.0.2\n"
		/* back by exactly the slack (1 s): not a violation */
		"2024-03-04 08:00:04 /ecp 10.0.0.2\n";
	struct log_opts skip = {.on_error = LOG_ON_ERROR_SKIP};
	struct read_all a;
	read_all(log, 0, &skip, &a);
	assert_int_equal(a.rc, 0);
	assert_int_equal(a.n, 3);
	assert_int_equal(a.stats.malformed, 2);
	assert_int_equal(a.stats.order_violations, 1);
	assert_int_equal(a.nmessages, 2);
	assert_non_null(strstr(a.message0, ":3:26: c-ip '10.0.0' is not an address"));
	assert_int_equal(a.stats.lines, a.stats.directives + a.stats.records + a.stats.malformed);
}

/* The same log gzip-compressed reads the same records; a gzip file cut
 * short is an error at the line where it ends, not a quiet end. */
static void test_gzip(void **state)
{
	(void)state;
	char log[8192] = FIELDS;
	for (int i = 0; i < 20; i++) {
		char line[300];
		snprintf(line, sizeof line, "2024-03-04 08:00:%02d 10.0.1.11 GET /owa/ - 443 u%d "
			 "10.0.0.%d Mozilla/5.0 - 200 0 0 %d\n", i, i, i + 1, i * 10);
		strcat(log, line);
	}
	struct read_all plain, gz;
	read_all(log, 0, &defaults, &plain);
	read_all(log, 1, &defaults, &gz);
	assert_int_equal(plain.n, 20);
	assert_int_equal(gz.n, 20);
	for (int i = 0; i < 16; i++) {
		assert_true(plain.rec[i].end_ns == gz.rec[i].end_ns);
		assert_true(plain.rec[i].taken_ns == gz.rec[i].taken_ns);
		assert_string_equal(plain.users[i], gz.users[i]);
	}
	assert_true(plain.stats.bytes == gz.stats.bytes);

	/* Cut the compressed file in the middle. */
	char *path = temp_log(log, 1);
	FILE *fp = fopen(path, "rb");
	char buf[8192];
	size_t n = fread(buf, 1, sizeof buf, fp);
	fclose(fp);
	fp = fopen(path, "wb");
	fwrite(buf, 1, n / 2, fp);
	fclose(fp);
	struct log_reader *r;
	struct log_error err;
	assert_int_equal(log_reader_open(&r, path, &defaults, &err), 0);
	struct log_record rec;
	int rc;
	while ((rc = log_reader_next(r, &rec, &err)) == 1)
		;
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err.message, "gzip data ends early"));
	assert_true(err.line > 1);
	log_reader_close(r);
	unlink(path);
	free(path);

	/* A missing file. */
	assert_int_equal(log_reader_open(&r, "/nonexistent/x.log", &defaults, &err), -1);
	assert_non_null(strstr(err.message, "cannot open"));
	assert_string_equal(err.file, "/nonexistent/x.log");
}

/* Lines longer than the buffer are cut (and flagged), the rest skipped up
 * to the next line break; lines straddling refills come back whole. */
static void test_line_reader_edges(void **state)
{
	(void)state;
	size_t big = LOG_LINE_MAX + 5000;
	size_t total = 3 * LOG_LINE_MAX;
	char *text = malloc(total + 1);
	size_t n = 0;
	memcpy(text + n, "first\n", 6);
	n += 6;
	memset(text + n, 'x', big);
	n += big;
	text[n++] = '\n';
	/* A line ending just past the first refill boundary. */
	size_t mid = LOG_LINE_MAX - n % LOG_LINE_MAX + 100;
	memset(text + n, 'y', mid);
	n += mid;
	text[n++] = '\n';
	memcpy(text + n, "last", 4);
	n += 4;
	text[n] = '\0';
	char *path = temp_log(text, 0);
	struct log_lines lr;
	char err[256];
	assert_int_equal(log_lines_open(&lr, path, err, sizeof err), 0);
	const char *line;
	size_t len;
	assert_int_equal(log_lines_next(&lr, &line, &len, err, sizeof err), 1);
	assert_string_equal(line, "first");
	assert_int_equal(log_lines_next(&lr, &line, &len, err, sizeof err), 1);
	assert_int_equal(len, LOG_LINE_MAX);
	assert_true(lr.truncated);
	assert_int_equal(log_lines_next(&lr, &line, &len, err, sizeof err), 1);
	assert_false(lr.truncated);
	assert_int_equal(len, mid);
	assert_int_equal(strspn(line, "y"), mid);
	assert_int_equal(lr.lineno, 3);
	assert_int_equal(log_lines_next(&lr, &line, &len, err, sizeof err), 1);
	assert_string_equal(line, "last");
	assert_int_equal(log_lines_next(&lr, &line, &len, err, sizeof err), 0);
	assert_int_equal(lr.bytes, n);
	log_lines_close(&lr);
	unlink(path);
	free(path);
	free(text);
}

/* HAProxy: the manual's example line with its syslog prefix, the same
 * without a prefix and with RFC 5424's, IPv6 clients, captures, aborted
 * requests (-1), logasap ('+'), an absolute URI, <BADREQ>. */
static void test_httplog_forms(void **state)
{
	(void)state;
	const char *log =
		"Feb  6 12:14:14 localhost haproxy[14389]: 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] "
		"http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 {1wt.eu} {} "
		"\"GET /index.html HTTP/1.1\"\n"
		"<134>1 2009-02-06T12:14:16.000Z lb haproxy 1 - - 2001:db8::7:443 "
		"[06/Feb/2009:12:14:16.001] fe be/<NOSRV> -1/-1/-1/-1/+5 -1 0 - - CR-- 1/1/0/0/0 0/0 "
		"\"GET https://mail.contoso.com/owa/?ae=Item HTTP/1.1\"\n"
		"10.0.1.4:1 [06/Feb/2009:12:14:17.000] fe be/<NOSRV> -1/-1/-1/-1/0 400 187 - - PR-- "
		"1/1/0/0/0 0/0 \"<BADREQ>\"\n"
		/* HAProxy's own messages in the same log: no request, no mistake */
		"Feb  6 12:14:18 localhost haproxy[14389]: Server be_eas/cas2 is DOWN, reason: Layer4 "
		"timeout\n"
		/* written when it ended, 9 minutes after it arrived */
		"10.0.1.3:40000 [06/Feb/2009:12:14:15.000] fe~ be_eas/cas1 0/0/1/2/540003 200 300 "
		"- - ---- 1/1/1/1/0 0/0 {mail.contoso.com|Apple-iPhone14C2/2104.110|198.51.100.9, 10.0.0.1} "
		"\"POST /Microsoft-Server-ActiveSync/default.eas?Cmd=Ping&User=CONTOSO%5Cjdoe HTTP/1.1\"\n"
		;
	struct log_opts o = {.captures = {"Host", "User-Agent", "X-Forwarded-For"}, .ncaptures = 3};
	struct read_all a;
	read_all(log, 0, &o, &a);
	if (a.rc != 0)
		fail_msg("%llu:%u: %s", (unsigned long long)a.err.line, a.err.column, a.err.message);
	assert_int_equal(a.n, 4);
	assert_int_equal(a.stats.directives, 1);

	const struct log_record *r = &a.rec[0];
	int64_t day = log_days_from_civil(2009, 2, 6) * 86400ll;
	assert_true(r->start_ns == (day + 12 * 3600 + 14 * 60 + 14) * 1000000000ll + 655000000ll);
	assert_true(r->taken_ns == 109000000ll);
	assert_true(r->end_ns == r->start_ns + r->taken_ns);
	assert_int_equal(r->client_port, 33317);
	assert_int_equal(r->status, 200);
	assert_string_equal(a.stems[0], "/index.html");
	assert_int_equal(r->workload, LOG_WL_NONE);

	r = &a.rec[3];
	assert_int_equal(r->workload, WL_EAS);
	assert_true(r->ping);
	assert_string_equal(a.agents[3], "Apple-iPhone14C2/2104.110");
	/* X-Forwarded-For captured: the client is its left-most address. */
	assert_int_equal(log_addr_v4(&r->client), (198u << 24) | (51u << 16) | (100u << 8) | 9u);
	assert_int_equal(log_addr_v4(&r->peer), (10u << 24) | (1u << 8) | 3u);
	/* No user header: the ActiveSync query names the user. */
	assert_string_equal(a.users[3], "CONTOSO%5Cjdoe");

	r = &a.rec[1];
	assert_int_equal(r->client.family, 6);
	assert_int_equal(r->client_port, 443);
	assert_int_equal(r->status, -1);
	assert_true(r->taken_ns == 5000000);
	assert_int_equal(r->workload, WL_OWA);
	assert_string_equal(a.stems[1], "/owa/");

	r = &a.rec[2];
	assert_int_equal(r->workload, LOG_WL_NONE);
	assert_null(r->method.ptr);
	assert_int_equal(r->status, 400);
}

static void test_httplog_malformed(void **state)
{
	(void)state;
	expect_error("10.0.1.2 - - [06/Feb/2009:12:14:14 +0000] \"GET / HTTP/1.1\" 200 1\n", 1, 1,
		     "not an HAProxy httplog line");
	expect_error("10.0.1.2:33317 [06/Feb/2009:12:14:14.655] fe be/s 0/1/5 100 -- 1/1/1/1/0 0/0\n",
		     1, 51, "a tcplog line");
	expect_error("10.0.1.2:33317 [06/Fev/2009:12:14:14.655] fe be/s 1/2/3/4/5 200 1 - - ---- "
		     "1/1/1/1/0 0/0 \"GET / HTTP/1.1\"\n", 1, 17, "is not dd/Mon/yyyy");
	expect_error("10.0.1.2:33317 [06/Feb/2009:12:14:14.655] fe be/s 1/2/3/x/5 200 1 - - ---- "
		     "1/1/1/1/0 0/0 \"GET / HTTP/1.1\"\n", 1, 51, "timers '1/2/3/x/5'");
	expect_error("10.0.1.2:99999 [06/Feb/2009:12:14:14.655] fe be/s 1/2/3/4/5 200 1 - - ---- "
		     "1/1/1/1/0 0/0 \"GET / HTTP/1.1\"\n", 1, 1, "is not address:port");
	expect_error("10.0.1.2:1 [06/Feb/2009:12:14:14.655] fe be/s 1/2/3/4/5 200 1 - - ---- "
		     "1/1/1/1/0 0/0 GET / HTTP/1.1\n", 1, 86, "no quoted request line");
}

static void test_addresses(void **state)
{
	(void)state;
	struct log_addr a;
	char buf[64];
	assert_int_equal(log_addr_parse("0.0.0.0", 7, &a), 0);
	assert_int_equal(log_addr_parse("255.255.255.255", 15, &a), 0);
	assert_int_equal(log_addr_parse("1.2.3", 5, &a), -1);
	assert_int_equal(log_addr_parse("1.2.3.4.5", 9, &a), -1);
	assert_int_equal(log_addr_parse("01.2.3.4", 8, &a), 0); /* leading zeros read as decimal */
	assert_int_equal(log_addr_parse("1.2.3.0400", 10, &a), -1);
	assert_int_equal(log_addr_parse("[2001:db8::1]", 13, &a), 0);
	assert_int_equal(a.family, 6);
	assert_string_equal(log_addr_format(&a, buf, sizeof buf), "2001:db8::1");
	assert_int_equal(log_addr_parse("fe80::1%eth0", 12, &a), 0);
	assert_int_equal(log_addr_parse("2001:db8::g", 11, &a), -1);
	/* IPv6 stand-ins: one /64 shares the top 24 bits. */
	struct log_addr b;
	log_addr_parse("2001:db8:1:2::5", 15, &a);
	log_addr_parse("2001:db8:1:2:ffff::9", 20, &b);
	assert_int_equal(log_addr_v4(&a) >> 8, log_addr_v4(&b) >> 8);
	assert_int_equal(log_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(log_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(log_days_from_civil(2024, 2, 29), 19782);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_w3c_field_forms),
		cmocka_unit_test(test_w3c_blocks_and_forms),
		cmocka_unit_test(test_w3c_malformed),
		cmocka_unit_test(test_skip_counts),
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_line_reader_edges),
		cmocka_unit_test(test_httplog_forms),
		cmocka_unit_test(test_httplog_malformed),
		cmocka_unit_test(test_addresses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
