/* `lbsim sweep`; see include/lbsim/sweep.h.
 *
 * Each run keeps the figures of the summary catalogue (sim/runs/summary.c) in
 * a fixed layout: the whole-design metrics, then every workload's metrics
 * (all workloads, used or not, so that the layout is the same for every
 * point), then every fault's. sweep.csv is then written from those
 * figures exactly as experiment_csv.c writes summary.csv from runs: same
 * getters, same estimate_mean_in, same number format, so a point's rows are
 * byte for byte the summary.csv of `lbsim run` with the point's values.
 *
 * Memory: the point scenarios (two small arrays each) and nvalues doubles
 * per run (about 100), never the runs themselves.
 */
#include "lbsim/sweep.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lbsim/csv_out.h"
#include "lbsim/gnuplot.h"
#include "lbsim/stats.h"
#include "lbsim/summary.h"
#include "lbsim/workload.h"


#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- the figures of one run -------------------------------------------- */

/* Where a run's figures keep workload w's metrics, and fault f's. */
static size_t layout_workload(int w)
{
	return summary_design_metrics_len + (size_t)w * summary_workload_metrics_len;
}

static size_t layout_steady(void)
{
	return layout_workload(WL_COUNT);
}

static size_t layout_fault(uint32_t f)
{
	return layout_steady() + summary_steady_metrics_len + (size_t)f * summary_fault_metrics_len;
}

/* The batch hook: every catalogue figure of run r, in layout order. */
static void extract_catalogue(void *ctx, const struct batch_task *t, const struct run_result *r,
			      double *out)
{
	(void)ctx;
	for (size_t m = 0; m < summary_design_metrics_len; m++)
		out[m] = summary_design_metrics[m].get(r, 0);
	for (int w = 0; w < WL_COUNT; w++)
		for (size_t m = 0; m < summary_workload_metrics_len; m++)
			out[layout_workload(w) + m] = summary_workload_metrics[m].get(r, w);
	for (uint32_t f = 0; f < t->scn->nfaults; f++)
		for (size_t m = 0; m < summary_fault_metrics_len; m++)
			out[layout_fault(f) + m] = summary_fault_metrics[m].get(r, (int)f);
	for (size_t m = 0; m < summary_steady_metrics_len; m++)
		out[layout_steady() + m] = summary_steady_metrics[m].get(r, 0);
}

/* ---- the grid ------------------------------------------------------------ */

const char *sweep_point_name(const struct sweep *sw, uint32_t point, char *buf, size_t len)
{
	size_t used = 0;
	if (len)
		buf[0] = '\0';
	for (uint32_t a = 0; a < sw->naxes && used < len; a++) {
		const struct param_axis *ax = &sw->axes[a];
		int k = snprintf(buf + used, len - used, "%s%s=%s", a ? ", " : "", ax->key,
				 ax->values[sw->choice[(size_t)point * sw->naxes + a]].text);
		if (k < 0)
			break;
		used += (size_t)k;
	}
	return buf;
}

int sweep_prepare(struct sweep *sw, const struct scenario *base, const struct param_axis *axes,
		  uint32_t naxes, const struct params_common *common, char *err, size_t errlen)
{
	memset(sw, 0, sizeof *sw);
	sw->base = base;
	sw->axes = axes;
	sw->naxes = naxes;
	uint64_t npoints = 1;
	for (uint32_t a = 0; a < naxes; a++) {
		npoints *= axes[a].nvalues;
		if (npoints > SWEEP_MAX_POINTS) {
			snprintf(err, errlen, "the grid has more than %u points; sweep fewer values",
				 SWEEP_MAX_POINTS);
			return -1;
		}
	}
	sw->npoints = (uint32_t)npoints;
	sw->points = calloc(npoints, sizeof *sw->points);
	sw->choice = calloc(npoints * (naxes ? naxes : 1), sizeof *sw->choice);
	sw->first_task = calloc(npoints + 1, sizeof *sw->first_task);
	if (!sw->points || !sw->choice || !sw->first_task)
		goto oom;
	for (uint32_t p = 0; p < sw->npoints; p++) {
		/* Row-major: the last axis varies fastest. */
		uint32_t rest = p;
		for (uint32_t a = naxes; a-- > 0;) {
			sw->choice[(size_t)p * naxes + a] = rest % axes[a].nvalues;
			rest /= axes[a].nvalues;
		}
		char e[1024], name[1024];
		struct scenario *point;
		if (params_point(base, axes, naxes, &sw->choice[(size_t)p * naxes], common, &point, e,
				 sizeof e) != 0) {
			snprintf(err, errlen, "sweep point %s: %s",
				 sweep_point_name(sw, p, name, sizeof name), e);
			sw->npoints = p;
			return -1;
		}
		/* The point's scenario moves into the array; its text is not
		 * needed any more. */
		sw->points[p] = *point;
		free(point);
		free(sw->points[p].source);
		sw->points[p].source = NULL;
		sw->points[p].source_len = 0;
		sw->first_task[p + 1] = sw->first_task[p] +
					(size_t)sw->points[p].ndesigns * sw->points[p].replications;
	}
	sw->ntasks = sw->first_task[sw->npoints];
	sw->tasks = calloc(sw->ntasks, sizeof *sw->tasks);
	if (!sw->tasks)
		goto oom;
	size_t i = 0;
	for (uint32_t p = 0; p < sw->npoints; p++)
		for (uint32_t d = 0; d < sw->points[p].ndesigns; d++)
			for (uint32_t r = 0; r < sw->points[p].replications; r++)
				sw->tasks[i++] = (struct batch_task){&sw->points[p], d, r};
	sw->nvalues = layout_fault(base->nfaults);
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}

/* The batch's done hook (under its lock): count the point's runs down
 * and say when this rank's share of the point is done. */
static void point_done(void *ctx, size_t task, double wall_s)
{
	struct sweep *sw = ctx;
	/* The point of a task: the last whose first task is at or before it. */
	uint32_t lo = 0, hi = sw->npoints - 1;
	while (lo < hi) {
		uint32_t mid = (lo + hi + 1) / 2;
		if (sw->first_task[mid] <= task)
			lo = mid;
		else
			hi = mid - 1;
	}
	sw->point_wall[lo] += wall_s;
	if (--sw->left[lo] > 0 || !sw->progress)
		return;
	char name[1024];
	const struct scenario *s = &sw->points[lo];
	fprintf(sw->progress, "lbsim: point %u/%u (%s): %u design(s) x %u replication(s)%s, "
		"%.2f s of runs\n", lo + 1, sw->npoints, sweep_point_name(sw, lo, name, sizeof name),
		s->ndesigns, s->replications, sw->comm && sw->comm->size > 1 ? " (this rank's share)"
									      : "",
		sw->point_wall[lo]);
}

int sweep_run(struct sweep *sw, const struct batch_comm *comm, unsigned jobs, FILE *progress,
	      char *err, size_t errlen)
{
	sw->values = malloc((sw->ntasks ? sw->ntasks : 1) * sw->nvalues * sizeof *sw->values);
	sw->left = calloc(sw->npoints, sizeof *sw->left);
	sw->point_wall = calloc(sw->npoints, sizeof *sw->point_wall);
	if (!sw->values || !sw->left || !sw->point_wall) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	int rank = comm ? comm->rank : 0, size = comm ? comm->size : 1;
	for (uint32_t p = 0; p < sw->npoints; p++)
		for (size_t i = sw->first_task[p]; i < sw->first_task[p + 1]; i++)
			sw->left[p] += i % (size_t)size == (size_t)rank;
	sw->progress = progress;
	sw->comm = comm;
	struct batch b = {
		.tasks = sw->tasks,
		.ntasks = sw->ntasks,
		.nvalues = sw->nvalues,
		.extract = extract_catalogue,
		.done = point_done,
		.ctx = sw,
	};
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = batch_run(&b, comm, jobs, sw->values, err, errlen);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	sw->wall_s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
	return rc;
}

void sweep_free(struct sweep *sw)
{
	for (uint32_t p = 0; sw->points && p < sw->npoints; p++)
		scn_clear(&sw->points[p]);
	free(sw->points);
	free(sw->choice);
	free(sw->first_task);
	free(sw->tasks);
	free(sw->values);
	free(sw->left);
	free(sw->point_wall);
	memset(sw, 0, sizeof *sw);
}

/* ---- sweep.csv ------------------------------------------------------------ */

struct row_ctx {
	const struct sweep *sw;
	struct csv_out *c;
	uint32_t point, design;
	double *buf;
};

/* One row of sweep.csv: the point's values, then the summary.csv row of
 * the figure, from its slot in the runs' figures. */
static void write_row(void *ctx, const struct summary_item *it)
{
	const struct row_ctx *rc = ctx;
	const struct sweep *sw = rc->sw;
	const struct scenario *s = &sw->points[rc->point];
	size_t slot = it->kind == SUMMARY_WORKLOAD ? layout_workload(it->arg) + it->index
		      : it->kind == SUMMARY_FAULT ? layout_fault((uint32_t)it->arg) + it->index
		      : it->kind == SUMMARY_STEADY ? layout_steady() + it->index
						   : it->index;
	size_t first = sw->first_task[rc->point] + (size_t)rc->design * s->replications;
	for (uint32_t r = 0; r < s->replications; r++)
		rc->buf[r] = sw->values[(first + r) * sw->nvalues + slot];
	struct estimate e = estimate_mean_in(rc->buf, s->replications, it->m->range);
	for (uint32_t a = 0; a < sw->naxes; a++)
		csv_out_str(rc->c, sw->axes[a].values[sw->choice[(size_t)rc->point * sw->naxes + a]].text);
	summary_write_row(rc->c, s->designs[rc->design].name, it->m, it->scope, &e);
}

int sweep_write_csv(const struct sweep *sw, const char *dir, char *err, size_t errlen)
{
	uint32_t maxreps = 1;
	for (uint32_t p = 0; p < sw->npoints; p++)
		if (sw->points[p].replications > maxreps)
			maxreps = sw->points[p].replications;
	double *buf = calloc(maxreps, sizeof *buf);
	struct csv_out c;
	if (!buf) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (csv_out_open(&c, dir, "sweep.csv", err, errlen) != 0) {
		free(buf);
		return -1;
	}
	for (uint32_t a = 0; a < sw->naxes; a++)
		csv_out_str(&c, sw->axes[a].key);
	for (size_t k = 0; k < SUMMARY_NCOLUMNS; k++)
		csv_out_str(&c, summary_columns[k]);
	csv_out_end_row(&c);
	struct row_ctx rc = {.sw = sw, .c = &c, .buf = buf};
	for (rc.point = 0; rc.point < sw->npoints; rc.point++)
		for (rc.design = 0; rc.design < sw->points[rc.point].ndesigns; rc.design++)
			summary_for_each(&sw->points[rc.point], write_row, &rc);
	free(buf);
	if (c.error) {
		snprintf(err, errlen, "%s/sweep.csv: write failed (device full?)", dir);
		csv_out_abort(&c);
		return -1;
	}
	return csv_out_commit(&c, err, errlen);
}

/* ---- plots ---------------------------------------------------------------- */

/* The metrics a sweep plots: a design review's first questions. */
static const char *const headline[] = {"response_p99", "server_busy_max", "peak_to_mean",
				       "failed_requests", "lb_cpu_cores", "lb_mem_bytes"};

const char *sweep_plot_metric(size_t i)
{
	return i < COUNT(headline) ? headline[i] : NULL;
}

#define MAX_SERIES 16

/* The number gnuplot's copy of sweep.csv gives value v of axis ax: that of
 * its first occurrence (gp_table numbers a repeated text by its first). */
static uint32_t first_of(const struct param_axis *ax, uint64_t v)
{
	for (uint32_t k = 0; k < v; k++)
		if (strcmp(ax->values[k].text, ax->values[v].text) == 0)
			return k;
	return (uint32_t)v;
}

static int field_is(const char *s, size_t len, const char *want)
{
	return strlen(want) == len && memcmp(s, want, len) == 0;
}

/* Only the rows the plots draw (scope all, the headline metrics): a big
 * grid's sweep.csv has hundreds of rows per point, and gnuplot reads the
 * copy once per line of each plot. */
static int keep_plotted(unsigned col, const char *s, size_t len, void *ctx)
{
	uint32_t naxes = *(const uint32_t *)ctx;
	if (col == naxes + 2)
		return field_is(s, len, "all");
	if (col != naxes + 1)
		return 1;
	for (size_t i = 0; i < COUNT(headline); i++)
		if (field_is(s, len, headline[i]))
			return 1;
	return 0;
}

/* gnuplot's copy of sweep.csv: each key's values and the designs numbered. */
static int copy_sweep_table(const struct sweep *sw, const char *dir, const struct gp_data *data,
			    char *err, size_t errlen)
{
	const struct scenario *s = &sw->points[0];
	struct gp_names cols[PARAMS_MAX_AXES + 1];
	const char **texts = calloc(PARAMS_MAX_AXES * (size_t)PARAMS_MAX_VALUES + SCN_MAX_DESIGNS,
				    sizeof *texts);
	if (!texts) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	const char **next = texts;
	for (uint32_t a = 0; a < sw->naxes; a++) {
		cols[a] = (struct gp_names){.col = a, .names = next, .n = sw->axes[a].nvalues};
		for (uint32_t v = 0; v < sw->axes[a].nvalues; v++)
			*next++ = sw->axes[a].values[v].text;
	}
	cols[sw->naxes] = (struct gp_names){.col = sw->naxes, .names = next, .n = s->ndesigns};
	for (uint32_t d = 0; d < s->ndesigns; d++)
		*next++ = s->designs[d].name;
	char src[4096];
	snprintf(src, sizeof src, "%s/sweep.csv", dir);
	uint32_t naxes = sw->naxes;
	int rc = gp_table(data, src, "sweep.csv", 0, cols, sw->naxes + 1, keep_plotted, &naxes, err,
			  errlen);
	free(texts);
	return rc;
}

/* One line per design and combination of the other axes' values, as many
 * as fit in MAX_SERIES; past that, the other axes stay at their first
 * value (the title says so). */
static void describe_series(const struct sweep *sw, struct gp_vars *g)
{
	const struct scenario *s = &sw->points[0];
	uint64_t combos = 1;
	for (uint32_t a = 1; a < sw->naxes; a++)
		combos *= sw->axes[a].nvalues;
	int all = combos * s->ndesigns <= MAX_SERIES;
	if (!all)
		combos = 1;
	unsigned n = 0;
	for (uint32_t d = 0; d < s->ndesigns; d++) {
		for (uint64_t k = 0; k < combos; k++) {
			char var[48], title[512];
			n++;
			gp_vars_add(g, "sdesign%u=%u; ", n, d + 1);
			size_t used = (size_t)snprintf(title, sizeof title, "%s", s->designs[d].name);
			uint64_t rest = k;
			for (uint32_t a = sw->naxes; a-- > 1;) {
				const struct param_axis *ax = &sw->axes[a];
				uint64_t value = rest % ax->nvalues;
				const char *v = ax->values[value].text;
				rest /= ax->nvalues;
				gp_vars_add(g, "sval%u_%u=%u; ", n, a + 1, first_of(ax, value) + 1);
				if (used < sizeof title)
					used += (size_t)snprintf(title + used, sizeof title - used,
								 ", %s=%s", ax->key, v);
			}
			snprintf(var, sizeof var, "stitle%u", n);
			gp_vars_str(g, var, title);
		}
	}
	gp_vars_add(g, "nseries=%u; partial=%d; ", n, !all);
}

int sweep_plot(const struct sweep *sw, const char *dir, const char *shown, FILE *log, char *err,
	       size_t errlen)
{
	if (sw->naxes == 0)
		return 0;
	struct gp_vars *g = malloc(sizeof *g);
	if (!g) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	struct gp_data data = {.path = ""};
	if (gp_data_begin(&data, dir, shown, err, errlen) != 0 ||
	    copy_sweep_table(sw, dir, &data, err, errlen) != 0) {
		gp_data_end(&data);
		free(g);
		return -1;
	}
	const struct param_axis *x = &sw->axes[0];
	int numeric = 1;
	for (uint32_t v = 0; v < x->nvalues; v++)
		numeric &= !isnan(x->values[v].num);
	int rc = 0;
	for (size_t i = 0; i < COUNT(headline) && rc == 0; i++) {
		const struct summary_metric *m = summary_metric_find(headline[i], SUMMARY_ALL);
		char name[96];
		g->used = 0;
		gp_vars_str(g, "metric", m->name);
		gp_vars_str(g, "unit", m->unit);
		gp_vars_str(g, "xkey", x->key);
		gp_vars_add(g, "nkeys=%u; xnumeric=%d; ncats=%u; ", sw->naxes, numeric, x->nvalues);
		for (uint32_t v = 0; v < x->nvalues; v++) {
			char var[32];
			snprintf(var, sizeof var, "xcat%u", v + 1);
			gp_vars_str(g, var, x->values[v].text);
		}
		describe_series(sw, g);
		snprintf(name, sizeof name, "sweep_%s", m->name);
		rc = gp_draw(dir, &data, "sweep", name, g, log, err, errlen);
	}
	gp_data_end(&data);
	free(g);
	return rc;
}
