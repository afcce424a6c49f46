/* Lines of a log file, streamed: plain text or gzip, never loaded whole.
 *
 * A reader holds one buffer (1 MiB) and hands out each line as a pointer
 * into it, without its line break (LF or CRLF), valid until the next call.
 * zlib's gzread reads gzip members (several concatenated, as logrotate
 * makes) and copies a plain file through unchanged, so one path serves
 * both; "-" reads standard input. Memory stays one buffer whatever the
 * size of the file; each byte is copied at most once (when a line
 * straddles the end of the buffer, its start moves to the front).
 *
 * A line longer than the buffer is not an error of the reader: it hands
 * out the first LOG_LINE_MAX bytes with `truncated` set, skips the rest up
 * to the next line break, and the caller decides (a malformed line).
 */
#ifndef LBSIM_LOG_LINES_H
#define LBSIM_LOG_LINES_H

#include <stddef.h>
#include <stdint.h>

#define LOG_LINE_MAX (1u << 20)    /* bytes of one line; longer ones are cut */

struct log_lines {
	void *gz;                  /* gzFile */
	char *buf;                 /* LOG_LINE_MAX bytes */
	size_t pos, end;           /* unread bytes are buf[pos .. end) */
	uint64_t lineno;           /* of the line last handed out, from 1 */
	uint64_t bytes;            /* uncompressed bytes handed out, line breaks included */
	int eof;                   /* the file has no more bytes to read */
	int truncated;             /* the line last handed out was longer than LOG_LINE_MAX */
	int skipping;              /* discarding the rest of an overlong line */
	char path[512];
};

/* Open path ("-": standard input). Returns 0, or -1 with the reason in err. */
int log_lines_open(struct log_lines *lr, const char *path, char *err, size_t errlen);

/* The next line in *line and *len (NUL-terminated in place). Returns 1
 * with a line, 0 at the end of the file, -1 when reading failed (a corrupt
 * gzip stream, an I/O error: the reason in err; it happened reading line
 * lr->lineno + 1). */
int log_lines_next(struct log_lines *lr, const char **line, size_t *len, char *err,
		   size_t errlen);

void log_lines_close(struct log_lines *lr);

#endif
