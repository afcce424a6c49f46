/* Loading a scenario file: read it, check its YAML, load it, validate it.
 *
 * The stages, each stopping at the first mistake it finds:
 *   1. read the file whole (refusing directories, unreadable files, files
 *      over SCN_MAX_FILE_BYTES, binary files, empty files);
 *   2. compose it with libyaml into a document: syntax errors come out here
 *      with libyaml's exact position; the document is kept as the index of
 *      positions for the later stages (see scenario_internal.h);
 *   3. load the same bytes with libcyaml into struct scn_raw: the shape of
 *      the file (unknown, missing and repeated keys, wrong kinds of value),
 *      explained by scenario_cyaml_err.c;
 *   4. check every value and convert units (scenario_validate.c).
 * Every error carries the file name and, where one applies, the line and
 * column of the mistake. Nothing is printed here; scn_error_print() does.
 * A scenario that loads keeps the name it was loaded as (scenario.path),
 * which `lbsim check` prints before the line of each expectation.
 *
 * Cost: linear in the size of the file, which is capped at 4 MiB; while
 * loading, the bytes, the document and the raw struct are all in memory,
 * and all are freed before returning.
 */
#include "scenario_internal.h"

#include "lbsim/address_plan.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void scn_err_vset(struct scn_error *err, unsigned line, unsigned column,
		  const char *fmt, va_list ap)
{
	err->line = line;
	err->column = line ? column : 0;
	vsnprintf(err->message, sizeof err->message, fmt, ap);
}

void scn_err_set(struct scn_error *err, unsigned line, unsigned column,
		 const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	scn_err_vset(err, line, column, fmt, ap);
	va_end(ap);
}

void scn_error_print(FILE *fp, const struct scn_error *err)
{
	if (err->line)
		fprintf(fp, "%s:%u:%u: %s\n", err->file, err->line, err->column,
			err->message);
	else
		fprintf(fp, "%s: %s\n", err->file, err->message);
}

static void err_begin(struct scn_error *err, const char *name)
{
	memset(err, 0, sizeof *err);
	snprintf(err->file, sizeof err->file, "%s", name ? name : "(scenario)");
}

/* YAML 1.1 reads U+0085 (NEL), U+2028 and U+2029 as line breaks where
 * editors and grep do not, so every line number given after one would be
 * off. Refused where it stands, in lines as an editor counts them. */
static int refuse_yaml_breaks(const char *data, size_t len, struct scn_error *err)
{
	unsigned line = 1, column = 1;
	for (size_t i = 0; i < len; i++) {
		const unsigned char *u = (const unsigned char *)data + i;
		size_t left = len - i;
		const char *what = NULL;
		if (left >= 2 && u[0] == 0xc2 && u[1] == 0x85)
			what = "U+0085 (next line)";
		else if (left >= 3 && u[0] == 0xe2 && u[1] == 0x80 && u[2] == 0xa8)
			what = "U+2028 (line separator)";
		else if (left >= 3 && u[0] == 0xe2 && u[1] == 0x80 && u[2] == 0xa9)
			what = "U+2029 (paragraph separator)";
		if (what) {
			scn_err_set(err, line, column, "a %s character, which YAML reads as a line "
				    "break where editors do not; remove it", what);
			return -1;
		}
		if (u[0] == '\n') {
			line++;
			column = 1;
		} else if ((u[0] & 0xc0) != 0x80) {
			column++; /* a character starts here: columns count characters */
		}
	}
	return 0;
}

int scn_load_buffer(const char *name, const char *data, size_t len,
		    struct scenario **out, struct scn_error *err)
{
	return scn_load_buffer_in(name, NULL, data, len, out, err);
}

int scn_load_buffer_in(const char *name, const char *files_dir, const char *data, size_t len,
		       struct scenario **out, struct scn_error *err)
{
	struct scn_cyaml_log log = { 0 };
	const cyaml_config_t config = {
		.log_fn = scn_cyaml_log_fn,
		.log_ctx = &log,
		.mem_fn = cyaml_mem,
		.log_level = CYAML_LOG_ERROR,
		.flags = CYAML_CFG_DEFAULT,
	};
	struct scn_raw *raw = NULL;
	yaml_document_t doc;
	int rc = -1;

	*out = NULL;
	err_begin(err, name);
	if (len > SCN_MAX_FILE_BYTES) {
		scn_err_set(err, 0, 0, "file too large for a scenario (over %u MiB)",
			    SCN_MAX_FILE_BYTES >> 20);
		return -1;
	}
	if (len && memchr(data, '\0', len)) {
		scn_err_set(err, 0, 0, "binary file, not a YAML scenario");
		return -1;
	}
	if (refuse_yaml_breaks(data, len, err) != 0)
		return -1;
	if (yw_load_document(data, len, &doc, err) < 0)
		return -1;

	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (!root || yw_is_null(root)) {
		scn_err_set(err, 0, 0, "empty scenario");
		goto done;
	}
	if (root->type != YAML_MAPPING_NODE) {
		scn_err_set(err, yw_line(root), yw_column(root),
			    "a scenario is a YAML mapping of keys such as name, "
			    "duration, servers, populations, designs");
		goto done;
	}

	cyaml_err_t cerr = cyaml_load_data((const uint8_t *)data, len, &config,
					   &scn_raw_schema, (void **)&raw, NULL);
	if (cerr != CYAML_OK) {
		scn_cyaml_explain(&log, cerr, &doc, err);
		goto done;
	}
	rc = scn_convert(raw, &doc, files_dir, out, err);
	if (rc == 0) {
		struct scenario *s = *out;
		snprintf(s->path, sizeof s->path, "%s", err->file);
		s->source = malloc(len + 1);
		if (!s->source) {
			scn_free(s);
			*out = NULL;
			scn_err_set(err, 0, 0, "out of memory while loading the scenario");
			rc = -1;
			goto done;
		}
		memcpy(s->source, data, len);
		s->source[len] = '\0';
		s->source_len = len;
	}
done:
	if (raw)
		cyaml_free(&config, &scn_raw_schema, raw, 0);
	yaml_document_delete(&doc);
	return rc;
}

int scn_load(const char *path, struct scenario **out, struct scn_error *err)
{
	return scn_load_in(path, NULL, out, err);
}

int scn_load_in(const char *path, const char *files_dir, struct scenario **out,
		struct scn_error *err)
{
	struct stat st;
	char *data = NULL;
	size_t len = 0;
	int fd, rc = -1;

	*out = NULL;
	err_begin(err, path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		scn_err_set(err, 0, 0, "cannot open: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		scn_err_set(err, 0, 0, "cannot read: %s", strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		scn_err_set(err, 0, 0, "is a directory, not a scenario file");
		goto out;
	}
	/* Read to the cap plus one byte whatever st_size says: pipes and
	 * /dev files report no size, and a file may grow while we read. */
	data = malloc(SCN_MAX_FILE_BYTES + 1);
	if (!data) {
		scn_err_set(err, 0, 0, "out of memory");
		goto out;
	}
	while (len <= SCN_MAX_FILE_BYTES) {
		ssize_t n = read(fd, data + len, SCN_MAX_FILE_BYTES + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			scn_err_set(err, 0, 0, "cannot read: %s", strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	rc = scn_load_buffer_in(path, files_dir, data, len, out, err);
out:
	free(data);
	close(fd);
	return rc;
}

void scn_clear(struct scenario *scn)
{
	if (!scn)
		return;
	for (uint32_t i = 0; scn->populations && i < scn->npopulations; i++)
		if (scn->populations[i].plan) {
			addr_plan_free(scn->populations[i].plan);
			free(scn->populations[i].plan);
		}
	free(scn->populations);
	free(scn->designs);
	free(scn->faults);
	free(scn->expects);
	free(scn->source);
	free(scn->servers.endpoints);
	free(scn->servers.each);
	scn->populations = NULL;
	scn->designs = NULL;
	scn->faults = NULL;
	scn->expects = NULL;
	scn->source = NULL;
	scn->servers.endpoints = NULL;
	scn->servers.each = NULL;
}

void scn_free(struct scenario *scn)
{
	scn_clear(scn);
	free(scn);
}
