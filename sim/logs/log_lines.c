/* Streamed lines of plain or gzip logs; see include/lbsim/log_lines.h.
 *
 * One buffer of LOG_LINE_MAX bytes (plus one for the terminating NUL of a
 * line that fills it). gzread fills it from `end`; lines are cut with
 * memchr, which glibc runs a word (or a vector) at a time, so finding a
 * line costs well under a nanosecond a byte. When the rest of the buffer
 * holds no line break, the partial line moves to the front and the read
 * continues behind it: a byte is moved at most once.
 */
#include "lbsim/log_lines.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

/* zlib's own buffer: large reads make gzread pass plain files straight
 * into ours and inflate in long runs. */
#define GZ_BUFFER (256u * 1024)

int log_lines_open(struct log_lines *lr, const char *path, char *err, size_t errlen)
{
	memset(lr, 0, sizeof *lr);
	snprintf(lr->path, sizeof lr->path, "%s", strcmp(path, "-") == 0 ? "(stdin)" : path);
	lr->buf = malloc(LOG_LINE_MAX + 1);
	if (!lr->buf) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	gzFile gz;
	errno = 0;
	if (strcmp(path, "-") == 0) {
		int fd = dup(STDIN_FILENO);
		gz = fd >= 0 ? gzdopen(fd, "rb") : NULL;
		if (!gz && fd >= 0)
			close(fd);
	} else {
		gz = gzopen(path, "rb");
	}
	if (!gz) {
		snprintf(err, errlen, "cannot open: %s", errno ? strerror(errno) : "out of memory");
		free(lr->buf);
		lr->buf = NULL;
		return -1;
	}
	gzbuffer(gz, GZ_BUFFER);
	lr->gz = gz;
	return 0;
}

/* Hand out buf[pos, pos + len) as the line (len excludes the line break;
 * a CR before it is dropped). */
static const char *take(struct log_lines *lr, size_t len, size_t consumed, size_t *out_len)
{
	char *line = lr->buf + lr->pos;
	lr->pos += consumed;
	lr->bytes += consumed;
	lr->lineno++;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	line[len] = '\0';
	*out_len = len;
	return line;
}

/* Read more bytes behind `end`. Returns 0, or -1 with a message. */
static int fill(struct log_lines *lr, char *err, size_t errlen)
{
	if (lr->pos > 0) {
		memmove(lr->buf, lr->buf + lr->pos, lr->end - lr->pos);
		lr->end -= lr->pos;
		lr->pos = 0;
	}
	int n = gzread(lr->gz, lr->buf + lr->end, (unsigned)(LOG_LINE_MAX - lr->end));
	if (n < 0) {
		int code;
		const char *why = gzerror(lr->gz, &code);
		snprintf(err, errlen, "cannot read on: %s", code == Z_ERRNO ? strerror(errno) : why);
		return -1;
	}
	if (n == 0) {
		/* A gzip stream cut short reads as an end without error from
		 * gzread; gzerror tells it apart. */
		int code;
		const char *why = gzerror(lr->gz, &code);
		if (code != Z_OK && code != Z_BUF_ERROR) {
			snprintf(err, errlen, "cannot read on: %s", why);
			return -1;
		}
		if (code == Z_BUF_ERROR) {
			snprintf(err, errlen, "the gzip data ends early (a file cut short?)");
			return -1;
		}
		lr->eof = 1;
	}
	lr->end += (size_t)n;
	return 0;
}

int log_lines_next(struct log_lines *lr, const char **line, size_t *len, char *err,
		   size_t errlen)
{
	for (;;) {
		char *start = lr->buf + lr->pos;
		char *nl = memchr(start, '\n', lr->end - lr->pos);
		if (nl) {
			size_t n = (size_t)(nl - start);
			if (lr->skipping) {
				lr->pos += n + 1;
				lr->bytes += n + 1;
				lr->skipping = 0;
				continue;
			}
			lr->truncated = 0;
			*line = take(lr, n, n + 1, len);
			return 1;
		}
		if (lr->skipping) {
			lr->bytes += lr->end - lr->pos;
			lr->pos = lr->end = 0;
		}
		if (lr->eof) {
			if (lr->pos == lr->end)
				return 0;
			/* The last line has no line break. */
			size_t n = lr->end - lr->pos;
			lr->truncated = 0;
			*line = take(lr, n, n, len);
			return 1;
		}
		if (lr->pos == 0 && lr->end == LOG_LINE_MAX) {
			/* A full buffer without a line break: hand out its
			 * start, drop the rest of the line. */
			lr->truncated = 1;
			lr->skipping = 1;
			*line = take(lr, LOG_LINE_MAX, LOG_LINE_MAX, len);
			lr->pos = lr->end = 0;
			return 1;
		}
		if (fill(lr, err, errlen) != 0)
			return -1;
	}
}

void log_lines_close(struct log_lines *lr)
{
	if (lr->gz)
		gzclose(lr->gz);
	free(lr->buf);
	lr->gz = NULL;
	lr->buf = NULL;
}
