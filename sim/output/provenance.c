/* provenance.csv; see include/lbsim/provenance.h. */
/* realpath (POSIX.1-2008) */
#define _XOPEN_SOURCE 700

#include "lbsim/provenance.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lbsim/csv_in.h"
#include "lbsim/csv_out.h"

#ifndef LBSIM_VERSION
#define LBSIM_VERSION "unknown"
#endif

void provenance_add(struct provenance *p, const char *key, const char *fmt, ...)
{
	if (p->n == PROVENANCE_MAX_ROWS)
		return;
	struct provenance_row *r = &p->rows[p->n++];
	snprintf(r->key, sizeof r->key, "%s", key);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->value, sizeof r->value, fmt, ap);
	va_end(ap);
}

/* A word as a POSIX shell reads it back: bare when it holds only safe
 * characters, else in single quotes (a quote as '\''). */
static size_t shell_word(char *buf, size_t len, const char *w)
{
	size_t used = 0;
	int bare = *w != '\0';
	for (const char *c = w; *c; c++)
		bare &= strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			       "-_./=,:+%@", *c) != NULL;
#define PUT(s) do { int k_ = snprintf(buf + used, used < len ? len - used : 0, "%s", s); \
		    used += k_ < 0 ? 0 : (size_t)k_; } while (0)
	if (bare) {
		PUT(w);
		return used;
	}
	PUT("'");
	for (const char *c = w; *c; c++) {
		char one[2] = {*c, '\0'};
		PUT(*c == '\'' ? "'\\''" : one);
	}
	PUT("'");
#undef PUT
	return used;
}

void provenance_init(struct provenance *p, const char *command, int argc, char *const *argv,
		     const char *scenario_path, const struct scenario *scn)
{
	memset(p, 0, sizeof *p);
	provenance_add(p, "lbsim_version", "%s", LBSIM_VERSION);
	char line[2048];
	size_t used = 0;
	line[0] = '\0';
	for (int i = 0; i < argc && used < sizeof line; i++) {
		if (i)
			line[used++] = ' ';
		used += shell_word(line + used, sizeof line - used, argv[i]);
	}
	if (used >= sizeof line)
		memcpy(line + sizeof line - 4, "...", 4);
	provenance_add(p, "command_line", "%s", line);
	provenance_add(p, "command", "%s", command);
	provenance_add(p, "scenario_file", "%s", scenario_path);
	/* Where the scenario's relative cost-profile files are: the report
	 * reads them from there (the folder keeps the scenario's bytes). */
	char folder[4096];
	const char *slash = strrchr(scenario_path, '/');
	snprintf(folder, sizeof folder, "%.*s", slash ? (int)(slash - scenario_path) : 1,
		 slash ? scenario_path : ".");
	char *real = realpath(folder[0] ? folder : "/", NULL);
	provenance_add(p, "scenario_dir", "%s", real ? real : folder);
	free(real);
	provenance_add(p, "scenario_name", "%s", scn->name);
	provenance_add(p, "seed", "%llu", (unsigned long long)scn->seed);
	provenance_add(p, "replications", "%u", scn->replications);
	provenance_add(p, "duration_s", "%.10g", (double)scn->duration / 1e9);
	provenance_add(p, "warmup_s", "%.10g", (double)scn->warmup / 1e9);
	unsigned long long users = 0;
	for (uint32_t i = 0; i < scn->npopulations; i++)
		users += scn->populations[i].users;
	provenance_add(p, "users", "%llu", users);
	provenance_add(p, "servers", "%u", scn->servers.count);
	provenance_add(p, "server_cores", "%u", scn->servers.cores);
	provenance_add(p, "designs", "%u", scn->ndesigns);
}

int provenance_write(const struct provenance *p, const char *dir, char *err, size_t errlen)
{
	static const char *const header[] = {"key", "value"};
	struct csv_out c;
	if (csv_out_open(&c, dir, "provenance.csv", err, errlen) != 0)
		return -1;
	csv_out_row(&c, 2, header);
	for (size_t i = 0; i < p->n; i++) {
		csv_out_str(&c, p->rows[i].key);
		csv_out_str(&c, p->rows[i].value);
		csv_out_end_row(&c);
	}
	return csv_out_commit(&c, err, errlen);
}

struct reader {
	struct provenance *p;
	struct provenance_row cur;
	unsigned field;
	unsigned long line;
};

static void on_field(void *data, size_t len, void *ctx)
{
	struct reader *r = ctx;
	char *dst = r->field == 0 ? r->cur.key : r->field == 1 ? r->cur.value : NULL;
	size_t cap = r->field == 0 ? sizeof r->cur.key : sizeof r->cur.value;
	r->field++;
	if (!dst)
		return;
	if (len >= cap)
		len = cap - 1;
	memcpy(dst, data, len);
	dst[len] = '\0';
}

static void on_row(int c, void *ctx)
{
	(void)c;
	struct reader *r = ctx;
	if (r->line++ > 0 && r->field >= 2 && r->p->n < PROVENANCE_MAX_ROWS)
		r->p->rows[r->p->n++] = r->cur;
	r->field = 0;
}

int provenance_read(struct provenance *p, const char *dir, char *err, size_t errlen)
{
	char path[4096];
	memset(p, 0, sizeof *p);
	snprintf(path, sizeof path, "%s/provenance.csv", dir);
	struct reader r = {.p = p};
	/* A provenance file is a few kB: a large one is not lbsim's. */
	struct csv_in in = {.path = path, .max_bytes = 1u << 20, .on_field = on_field,
			    .on_row = on_row, .ctx = &r};
	return csv_in_read(&in, err, errlen) == CSV_IN_OK ? 0 : -1;
}

const char *provenance_get(const struct provenance *p, const char *key)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->rows[i].key, key) == 0)
			return p->rows[i].value;
	return NULL;
}
