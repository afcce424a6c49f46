/* Reading a CSV file; see include/lbsim/csv_in.h. */
#include "lbsim/csv_in.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <csv.h>

int csv_in_read(const char *path, csv_in_field_fn on_field, csv_in_row_fn on_row, void *ctx,
		char *err, size_t errlen)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return CSV_IN_NO_FILE;
	}
	struct csv_parser p;
	csv_init(&p, CSV_APPEND_NULL);
	char buf[8192];
	size_t n;
	int rc = CSV_IN_OK;
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
		if (csv_parse(&p, buf, n, on_field, on_row, ctx) != n) {
			snprintf(err, errlen, "%s: not valid CSV: %s", path, csv_strerror(csv_error(&p)));
			rc = CSV_IN_INVALID;
			break;
		}
	if (rc == CSV_IN_OK && ferror(fp)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		rc = CSV_IN_READ;
	}
	if (rc == CSV_IN_OK)
		csv_fini(&p, on_field, on_row, ctx);
	csv_free(&p);
	fclose(fp);
	return rc;
}
