/* Private interface between the log reader (log_reader.c: files, policy,
 * counts, time order) and its formats (log_w3c.c, log_httplog.c), which
 * turn one line into a record or say what is wrong with it. */
#ifndef LBSIM_LOG_INTERNAL_H
#define LBSIM_LOG_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "lbsim/log_reader.h"

/* The W3C fields a record is made of. */
enum w3c_field {
	W3C_DATE = 0,
	W3C_TIME,
	W3C_METHOD,
	W3C_STEM,
	W3C_QUERY,
	W3C_URI,         /* cs-uri: stem and query together (when no cs-uri-stem) */
	W3C_USER,
	W3C_CIP,
	W3C_AGENT,
	W3C_STATUS,
	W3C_TAKEN,
	W3C_XFF,
	W3C_FIELD_COUNT
};

#define W3C_MAX_COLUMNS 128

struct w3c_state {
	int have_fields;                 /* a #Fields: directive has been read */
	uint64_t fields_line;            /* its line */
	uint32_t ncolumns;
	int8_t field_of[W3C_MAX_COLUMNS];/* column -> enum w3c_field, or -1 */
	int have_day;                    /* a #Date: directive gave the day */
	int64_t directive_day;           /* its day, from 1970-01-01 */
	char date_text[10];              /* the last date field parsed, and its day */
	int64_t date_day;
};

struct log_reader {
	struct log_lines lines;
	struct log_opts opts;
	enum log_format format;
	struct log_stats stats;
	int64_t latest_end_ns;           /* the latest end seen (time order) */
	uint64_t latest_line;
	int have_latest;
	struct w3c_state w3c;
	char **messages;                 /* skipped lines' messages, at most opts.max_messages */
	unsigned nmessages;
};

/* One line (not blank) of each format: 1 with a record (rec->line set by
 * the caller), 0 for a line that is no record (a directive), -1 when the
 * line is malformed (err->column and err->message set; the caller fills
 * the file and line). */
int log_w3c_line(struct log_reader *r, const char *line, size_t len, struct log_record *rec,
		 struct log_error *err);
int log_httplog_line(struct log_reader *r, const char *line, size_t len,
		     struct log_record *rec, struct log_error *err);

/* Shared by the formats (log_fields.c and log_reader.c). */

/* Set err's column and message (printf-style). Returns -1. */
int log_bad(struct log_error *err, unsigned column, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Up to 40 bytes of s in single quotes, control bytes as '?', "..." when
 * cut: for messages. */
const char *log_quote(char *buf, size_t len, const char *s, size_t n);

/* The digits after a decimal point (1 to 9 of them) as nanoseconds. -1
 * when not. */
int log_parse_fraction(const char *s, size_t len, int64_t *ns);

/* A whole number of digits only into *out (no sign). -1 when not. */
int log_parse_u64(const char *s, size_t len, uint64_t *out);

/* Left-most address of an X-Forwarded-For value ("a, b", IIS's "a,+b"),
 * without a port. -1 when it is no address. */
int log_xff_first(const char *s, size_t len, struct log_addr *a);

/* The user named in an ActiveSync query (User=...), as written. */
struct log_str log_eas_user(const struct log_str *query);

/* Keep a skipped line's message (up to the limit), for
 * log_reader_message (log_replay.c keeps its late requests' too). */
void log_reader_keep_message(struct log_reader *r, const struct log_error *err);

/* A user name as a key (log_fields.c): lower case (Windows names ignore
 * case), "%5C" and "%40" and the like decoded (an ActiveSync query's
 * User=DOMAIN%5Cname is the cs-username DOMAIN\name), at most
 * LOG_USER_KEY_MAX bytes (longer names are cut: they stay distinct
 * enough). Returns its length. */
#define LOG_USER_KEY_MAX 256u
size_t log_user_key(const struct log_str *s, char *out);
/* FNV-1a over 64 bits. */
uint64_t log_hash_bytes(const char *s, size_t n);

/* Fill rec's workload and long poll from its stem, method and query. */
void log_classify_record(struct log_record *rec);

#endif
