/* Request logs in: IIS W3C extended logs (as Exchange's Client Access
 * servers write them) and HAProxy `option httplog` lines, streamed record
 * by record.
 *
 * A reader turns each line into a struct log_record: when the request
 * arrived and ended, the client address (c-ip, or the left-most address of
 * X-Forwarded-For when a balancer already sits in front), the method, URI
 * stem and query, user name, user agent, status and time taken; and from
 * them the workload (log_classify.h). Strings point into the line and are
 * valid until the next call. A directive or blank line is no record.
 *
 * Malformed lines (a field that does not parse, a line without the fields
 * it needs, a time that goes backwards) are reported as
 * "file:line:column: what is wrong"; the caller chooses to fail on the
 * first or to skip them with a count (LOG_ON_ERROR_SKIP keeps the first
 * few messages to show). A line whose URI is no client workload (the
 * health pages a balancer probes, /powershell, a favicon) is a record with
 * workload LOG_WL_NONE or LOG_WL_PROBE: the caller counts and drops it.
 *
 * Time: IIS writes UTC with whole seconds, the time the request ended;
 * HAProxy the local time the request was received, with milliseconds
 * (taken as UTC: only differences matter here). Lines come in the order
 * requests ended, so `end_ns` must not decrease; a line whose end is more
 * than LOG_ORDER_SLACK_NS before the latest seen is a time-order violation
 * (a malformed line). Arrival order is not line order: a 15-minute
 * ActiveSync ping is written after thousands of quick requests that
 * arrived later (log_replay.h orders by arrival).
 */
#ifndef LBSIM_LOG_READER_H
#define LBSIM_LOG_READER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lbsim/log_lines.h"

/* A time that goes back by at most this much is not a violation: HAProxy
 * writes a line when the request ends, from several threads, and stamps it
 * with its arrival, so neighbours disagree by up to their durations' noise;
 * IIS stamps whole seconds. */
#define LOG_ORDER_SLACK_NS (1000000000ll)

enum log_format {
	LOG_FORMAT_AUTO = 0,   /* decided by the first line that is not blank */
	LOG_FORMAT_W3C,        /* IIS W3C extended (#Fields: header) */
	LOG_FORMAT_HTTPLOG,    /* HAProxy option httplog, with or without a syslog prefix */
};

enum log_on_error {
	LOG_ON_ERROR_FAIL = 0, /* the first malformed line stops the read */
	LOG_ON_ERROR_SKIP,     /* malformed lines are counted and skipped */
};

/* Where the client's address comes from. */
enum log_client_from {
	LOG_CLIENT_AUTO = 0,   /* X-Forwarded-For when the line has one, else c-ip */
	LOG_CLIENT_PEER,       /* c-ip (HAProxy: the connection's source) always */
	LOG_CLIENT_XFF,        /* X-Forwarded-For; a line without one is malformed */
};

/* Workloads beyond enum workload (workload.h) for requests that are none. */
enum {
	LOG_WL_NONE = -1,      /* not a client workload (/powershell, /, a favicon) */
	LOG_WL_PROBE = -2,     /* a health page (/<vdir>/healthcheck.htm): a balancer's probe */
};

#define LOG_MAX_CAPTURES 16    /* HAProxy: captured request headers we can name */

struct log_opts {
	enum log_format format;
	enum log_on_error on_error;
	enum log_client_from client_from;
	/* HAProxy: the names of the captured request headers, in the order of
	 * the configuration's `capture request header` lines (the log holds
	 * only their values, "{v1|v2}"). The ones read are User-Agent,
	 * X-Forwarded-For and, for a user name, X-User or any name given in
	 * user_header. */
	const char *captures[LOG_MAX_CAPTURES];
	unsigned ncaptures;
	const char *user_header;
	unsigned max_messages;     /* skip: messages kept (0: 10) */
};

/* A piece of the line: ptr[0 .. len); ptr is NULL when the field is
 * missing ('-' or absent from the format). A W3C field written in double
 * quotes comes without them, quoted set (its inner quotes still doubled,
 * its '+' a plus sign); an unquoted one as written (IIS's '+' for a space
 * included): log_w3c_decode gives the text. */
struct log_str {
	const char *ptr;
	uint32_t len;
	uint8_t quoted;
};

/* An address: IPv4 in the first 4 bytes (family 4) or IPv6 (family 6). */
struct log_addr {
	uint8_t family;            /* 0: none, 4, 6 */
	uint8_t bytes[16];
};

struct log_record {
	uint64_t line;             /* line number in its file, from 1 */
	int64_t start_ns;          /* arrival, ns since 1970-01-01 */
	int64_t end_ns;            /* end: start + time taken */
	int64_t taken_ns;          /* time taken; -1 when the log does not say */
	int64_t resolution_ns;     /* the log's time step: 1 s for IIS, 1 ms for HAProxy */
	struct log_addr client;    /* where the request came from (see enum log_client_from) */
	struct log_addr peer;      /* the address of the connection as logged (c-ip) */
	uint16_t client_port;      /* HAProxy only; 0 when not logged */
	int status;                /* HTTP status; -1 when not logged or aborted */
	struct log_str method, stem, query, user, agent, xff;
	struct log_str peer_text;  /* the connection's address as written (c-ip; HAProxy: without the port) */
	struct log_str cookies[2]; /* HAProxy: the captured request and response cookies */
	int workload;              /* enum workload, LOG_WL_NONE or LOG_WL_PROBE */
	int ping;                  /* an ActiveSync Ping (Cmd=Ping): a long poll */
};

/* What a reader has seen so far. Every line is counted once:
 * lines = blank + directives + records + malformed. */
struct log_stats {
	uint64_t lines;
	uint64_t blank;
	uint64_t directives;       /* W3C lines starting with '#'; HAProxy's own messages */
	uint64_t records;          /* lines read into a record (whatever their workload) */
	uint64_t malformed;        /* skipped (LOG_ON_ERROR_SKIP) */
	uint64_t order_violations; /* among them: a time that went backwards */
	uint64_t bytes;            /* uncompressed bytes read */
};

struct log_reader;

/* A malformed line or an unreadable file: where and what. line and column
 * count from 1; 0 when no position applies. */
struct log_error {
	char file[512];
	uint64_t line;
	unsigned column;
	char message[512];
};

/* Open a log. Returns 0, or -1 with *err filled. */
int log_reader_open(struct log_reader **out, const char *path, const struct log_opts *opts,
		    struct log_error *err);

/* The next record. Returns 1 with *rec filled, 0 at the end of the file,
 * -1 on an error that stops the read (err filled): a malformed line under
 * LOG_ON_ERROR_FAIL, or a file that cannot be read on. */
int log_reader_next(struct log_reader *r, struct log_record *rec, struct log_error *err);

enum log_line_kind {
	LOG_LINE_RECORD = 0,   /* *rec filled */
	LOG_LINE_DIRECTIVE,    /* a W3C directive (#Fields: and the others) */
	LOG_LINE_BLANK,
	LOG_LINE_MALFORMED,    /* skipped (LOG_ON_ERROR_SKIP); err says why */
};

/* The next line whatever it is (for rewriting a log line by line): its
 * text without the line break in *line and *len (valid until the next
 * call), its kind, and the record when it is one. Returns 1, 0 at the
 * end, -1 as log_reader_next. */
int log_reader_next_line(struct log_reader *r, struct log_record *rec, const char **line,
			 size_t *len, enum log_line_kind *kind, struct log_error *err);

const struct log_stats *log_reader_stats(const struct log_reader *r);
enum log_format log_reader_format(const struct log_reader *r);
const char *log_reader_path(const struct log_reader *r);

/* Under LOG_ON_ERROR_SKIP: the i-th kept message of a skipped line (i <
 * log_reader_nmessages), as "file:line:column: what". */
unsigned log_reader_nmessages(const struct log_reader *r);
const char *log_reader_message(const struct log_reader *r, unsigned i);

void log_reader_close(struct log_reader *r);

/* "file:line:column: message" (or shorter when no position applies) and a
 * newline. */
void log_error_print(FILE *fp, const struct log_error *err);
void log_error_format(const struct log_error *err, char *buf, size_t len);

/* ---- pieces the formats share (log_fields.c), exposed for tests -------- */

/* Parse an IPv4 or IPv6 address (IPv6 may carry [brackets] and an
 * IPv4-mapped tail). Returns 0, or -1 when s is no address. */
int log_addr_parse(const char *s, size_t len, struct log_addr *a);
/* An address with its port: "a.b.c.d:port", "[v6]:port", and with
 * bare_v6 HAProxy's "v6:port" (the port after the last ':'). Returns 0,
 * or -1 when s is not one. */
int log_addr_port_parse(const char *s, size_t len, int bare_v6, struct log_addr *a,
			uint16_t *port);
/* The text form of a into buf (at least 46 bytes); returns buf. */
const char *log_addr_format(const struct log_addr *a, char *buf, size_t len);
/* A 32-bit stand-in for a, for the simulator's IPv4 balancer: an IPv4
 * address itself; an IPv6 address folded so that addresses sharing a /64
 * share the upper 24 bits (a /24's worth of structure). */
uint32_t log_addr_v4(const struct log_addr *a);

/* Days from 1970-01-01 to the proleptic Gregorian date y-m-d (Howard
 * Hinnant's days_from_civil). */
int64_t log_days_from_civil(int64_t y, unsigned m, unsigned d);

/* Split a W3C request line into its fields (quoted ones without their
 * quotes, quoted set), at most max. Returns the number of fields (which
 * may exceed max: the rest are not stored), or -1 with the 1-based column
 * of a quoted field that does not close in *bad_column. */
int log_w3c_split(const char *line, size_t len, struct log_str *fields, unsigned max,
		  unsigned *bad_column);

/* Decode a field into out (at most len bytes, NUL-terminated): in an
 * unquoted field '+' becomes a space (IIS writes spaces in the user agent
 * as '+'); in a quoted one a doubled quote becomes one. Returns the
 * decoded length. */
size_t log_w3c_decode(const struct log_str *s, char *out, size_t len);

#endif
