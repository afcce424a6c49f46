/* Reading a CSV file; see include/lbsim/csv_in.h. */
#include "lbsim/csv_in.h"
#include "lbsim/escape.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csv.h>

static void unguard_field(void *data, size_t len, void *ctx)
{
	struct csv_in *in = ctx;
	size_t skip = data ? escape_csv_unguard(data, len) : 0;
	in->on_field((char *)data + skip, len - skip, in->ctx);
}

static void row_end(int c, void *ctx)
{
	struct csv_in *in = ctx;
	in->on_row(c, in->ctx);
}

const char *file_kind_name(mode_t mode)
{
	return S_ISDIR(mode) ? "a folder" : S_ISFIFO(mode) ? "a FIFO" : S_ISSOCK(mode) ? "a socket"
										   : "a device";
}

/* Open path for reading only if it is a regular file: O_NONBLOCK so that
 * opening a FIFO with no writer does not wait forever. */
static FILE *open_regular(struct csv_in *in, size_t max, char *err, size_t errlen, int *rc)
{
	int fd = open(in->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", in->path, strerror(errno));
		*rc = CSV_IN_NO_FILE;
		return NULL;
	}
	*rc = CSV_IN_READ;
	if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "%s: %s", in->path, strerror(errno));
	} else if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file (%s)", in->path,
			 file_kind_name(st.st_mode));
	} else if ((unsigned long long)st.st_size > max) {
		snprintf(err, errlen, "%s: %llu bytes, more than the %zu MiB lbsim reads here",
			 in->path, (unsigned long long)st.st_size, max >> 20);
	} else {
		int flags = fcntl(fd, F_GETFL);
		FILE *fp = flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0 ? NULL
											: fdopen(fd, "rb");
		if (fp)
			return fp;
		snprintf(err, errlen, "%s: %s", in->path, strerror(errno));
	}
	close(fd);
	return NULL;
}

int csv_in_read(struct csv_in *in, char *err, size_t errlen)
{
	size_t max = in->max_bytes ? in->max_bytes : CSV_IN_MAX_BYTES;
	int rc;
	in->line = 0;
	FILE *fp = open_regular(in, max, err, errlen, &rc);
	if (!fp)
		return rc;
	struct csv_parser p;
	csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
	char *line = NULL;
	size_t cap = 0, total = 0;
	ssize_t n;
	int ended = 1;   /* the last line read ended with a line break */
	rc = CSV_IN_OK;
	while ((n = getline(&line, &cap, fp)) > 0) {
		in->line++;
		total += (size_t)n;
		/* It may have grown since fstat. */
		if (total > max) {
			snprintf(err, errlen, "%s: more than the %zu MiB lbsim reads here", in->path,
				 max >> 20);
			rc = CSV_IN_READ;
			break;
		}
		if (memchr(line, '\0', (size_t)n)) {
			snprintf(err, errlen, "%s:%lu: a NUL byte: not a CSV file", in->path, in->line);
			rc = CSV_IN_INVALID;
			break;
		}
		ended = line[n - 1] == '\n';
		if (csv_parse(&p, line, (size_t)n, unguard_field, row_end, in) != (size_t)n) {
			snprintf(err, errlen, "%s:%lu: not valid CSV: %s", in->path, in->line,
				 csv_strerror(csv_error(&p)));
			rc = CSV_IN_INVALID;
			break;
		}
	}
	if (rc == CSV_IN_OK && ferror(fp)) {
		snprintf(err, errlen, "%s: %s", in->path, strerror(errno));
		rc = CSV_IN_READ;
	}
	if (rc == CSV_IN_OK && (!ended || csv_fini(&p, unguard_field, row_end, in) != 0)) {
		snprintf(err, errlen, "%s:%lu: the file ends in the middle of a row (truncated?)",
			 in->path, in->line);
		rc = CSV_IN_INVALID;
	}
	free(line);
	csv_free(&p);
	fclose(fp);
	return rc;
}
