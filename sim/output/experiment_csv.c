/* The CSV results of an experiment: summary, runs, servers, server_workloads,
 * timeseries, events, latency, differences, costs. Columns
 * are documented in the README ("Output files"); keep the two in step. */
#include "lbsim/experiment.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "lbsim/csv_out.h"
#include "lbsim/stats.h"
#include "lbsim/summary.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define MS(ns) ((double)(ns) / 1e6)

struct summary_ctx {
	const struct experiment *ex;
	struct csv_out *c;
	double *buf;
	uint32_t design;
};

static void summary_item_row(void *ctx, const struct summary_item *it)
{
	struct summary_ctx *sc = ctx;
	struct estimate e = summary_estimate(sc->ex, sc->design, it->m, it->arg, sc->buf);
	summary_write_row(sc->c, sc->ex->scn->designs[sc->design].name, it->m, it->scope, &e);
}

static void write_summary(const struct experiment *ex, struct csv_out *c, double *buf)
{
	struct summary_ctx sc = {ex, c, buf, 0};
	csv_out_row(c, SUMMARY_NCOLUMNS, summary_columns);
	for (sc.design = 0; sc.design < ex->scn->ndesigns; sc.design++)
		summary_for_each(ex->scn, summary_item_row, &sc);
}

/* runs.csv: every figure of summary.csv, replication by replication, for
 * statistics of one's own (other intervals, tests, distributions). */
static void runs_item_rows(void *ctx, const struct summary_item *it)
{
	struct summary_ctx *sc = ctx;
	const struct scenario *scn = sc->ex->scn;
	for (uint32_t r = 0; r < scn->replications; r++) {
		csv_out_str(sc->c, scn->designs[sc->design].name);
		csv_out_u64(sc->c, r + 1);
		csv_out_str(sc->c, it->m->name);
		csv_out_str(sc->c, it->scope);
		csv_out_str(sc->c, it->m->unit);
		csv_out_num(sc->c, it->m->get(experiment_run_of(sc->ex, sc->design, r), it->arg));
		csv_out_end_row(sc->c);
	}
}

static void write_runs(const struct experiment *ex, struct csv_out *c, double *buf)
{
	static const char *const header[] = {"design", "replication", "metric", "scope", "unit",
					     "value"};
	struct summary_ctx sc = {ex, c, buf, 0};
	csv_out_row(c, COUNT(header), header);
	for (sc.design = 0; sc.design < ex->scn->ndesigns; sc.design++)
		summary_for_each(ex->scn, runs_item_rows, &sc);
}

/* An estimate as three columns: mean, ci95_low, ci95_high. */
static void write_interval(struct csv_out *c, const struct estimate *e)
{
	csv_out_num(c, e->mean);
	csv_out_num(c, e->ci_low);
	csv_out_num(c, e->ci_high);
}

/* Server s's measured requests (of workload w; -1: all) and its share of
 * the design's (or the workload's) measured requests, each as mean and
 * interval: six columns. Returns the replications behind the share (one
 * without requests has none). */
static size_t write_load(const struct experiment *ex, struct csv_out *c, double *buf,
			 uint32_t d, uint32_t s, int w)
{
	uint32_t reps = ex->scn->replications;
	for (uint32_t r = 0; r < reps; r++) {
		const struct server_result *sr = &experiment_run_of(ex, d, r)->servers[s];
		buf[r] = (double)(w < 0 ? sr->requests : sr->wl_requests[w]);
	}
	struct estimate req = estimate_mean_in(buf, reps, RANGE_NONNEG);
	for (uint32_t r = 0; r < reps; r++) {
		const struct run_result *run = experiment_run_of(ex, d, r);
		uint64_t total = w < 0 ? run->measured : run->workloads[w].measured_sent;
		uint64_t mine = w < 0 ? run->servers[s].requests : run->servers[s].wl_requests[w];
		buf[r] = total ? (double)mine / (double)total : NAN;
	}
	struct estimate share = estimate_mean_in(buf, reps, RANGE_UNIT);
	write_interval(c, &req);
	write_interval(c, &share);
	return share.n;
}

static void write_servers(const struct experiment *ex, struct csv_out *c, double *buf)
{
	static const char *const header[] = {
		"design", "server", "requests", "requests_ci95_low", "requests_ci95_high", "share",
		"share_ci95_low", "share_ci95_high", "connections", "busy_fraction",
		"busy_ci95_low", "busy_ci95_high", "response_mean_ms", "response_p99_ms",
		"replications"};
	const struct scenario *scn = ex->scn;
	uint32_t reps = scn->replications;
	csv_out_row(c, COUNT(header), header);
	for (uint32_t d = 0; d < scn->ndesigns; d++) {
		for (uint32_t s = 0; s < scn->servers.count; s++) {
			csv_out_str(c, scn->designs[d].name);
			csv_out_u64(c, s + 1);
			write_load(ex, c, buf, d, s, -1);
			double mean = 0, p99 = 0, conns = 0;
			for (uint32_t r = 0; r < reps; r++) {
				const struct server_result *sr = &experiment_run_of(ex, d, r)->servers[s];
				buf[r] = sr->busy_fraction;
				conns += (double)sr->connections;
				mean += MS(sr->response_mean_ns);
				p99 += MS(sr->response_p99_ns);
			}
			struct estimate busy = estimate_mean_in(buf, reps, RANGE_UNIT);
			csv_out_num(c, conns / reps);
			write_interval(c, &busy);
			csv_out_num(c, mean / reps);
			csv_out_num(c, p99 / reps);
			csv_out_u64(c, reps);
			csv_out_end_row(c);
		}
	}
}

/* server_workloads.csv: each workload's requests over the servers (the
 * pool behind each workload in l4-multi and l7; one shared pool in l4). */
static void write_server_workloads(const struct experiment *ex, struct csv_out *c, double *buf)
{
	static const char *const header[] = {
		"design", "workload", "server", "requests", "requests_ci95_low",
		"requests_ci95_high", "share", "share_ci95_low", "share_ci95_high",
		"replications"};
	const struct scenario *scn = ex->scn;
	csv_out_row(c, COUNT(header), header);
	for (uint32_t d = 0; d < scn->ndesigns; d++) {
		for (int w = 0; w < WL_COUNT; w++) {
			if (!summary_workload_used(scn, w))
				continue;
			for (uint32_t s = 0; s < scn->servers.count; s++) {
				csv_out_str(c, scn->designs[d].name);
				csv_out_str(c, workload_name((enum workload)w));
				csv_out_u64(c, s + 1);
				csv_out_u64(c, write_load(ex, c, buf, d, s, w));
				csv_out_end_row(c);
			}
		}
	}
}

static void series_row(struct csv_out *c, const char *design, uint32_t rep,
		       const struct lb_sample *at, const char *series, uint32_t server, double value)
{
	csv_out_str(c, design);
	csv_out_u64(c, rep);
	csv_out_num(c, at->t_s);
	csv_out_str(c, series);
	if (server)
		csv_out_u64(c, server);
	else
		csv_out_str(c, "");
	csv_out_num(c, value);
	csv_out_num(c, at->window_s);
	csv_out_end_row(c);
}

/* One series after another (each in time order), so that a series is a
 * contiguous block: plotting tools draw it as one line. Only the first
 * replications have series (include/lbsim/run.h: RUN_SERIES_*). */
static void write_timeseries(const struct experiment *ex, struct csv_out *c, double *buf)
{
	(void)buf;
	static const char *const header[] = {"design", "replication", "time_s", "series", "server",
					     "value", "window_s"};
	const struct scenario *scn = ex->scn;
	uint32_t n = scn->servers.count;
	csv_out_row(c, COUNT(header), header);
	for (uint32_t d = 0; d < scn->ndesigns; d++) {
		const char *name = scn->designs[d].name;
		for (uint32_t r = 0; r < scn->replications; r++) {
			const struct run_result *run = experiment_run_of(ex, d, r);
			const struct lb_sample *at = run->samples;
			for (uint32_t i = 0; i < run->nsamples; i++)
				series_row(c, name, r + 1, &at[i], "lb_cpu_cores", 0, at[i].cpu_cores);
			for (uint32_t i = 0; i < run->nsamples; i++)
				series_row(c, name, r + 1, &at[i], "lb_mem_bytes", 0, at[i].mem_bytes);
			for (uint32_t s = 0; s < n; s++)
				for (uint32_t i = 0; i < run->nsamples; i++)
					series_row(c, name, r + 1, &at[i], "requests", s + 1,
						   run->window_requests[(size_t)i * n + s]);
		}
	}
}

static void write_events(const struct experiment *ex, struct csv_out *c, double *buf)
{
	(void)buf;
	static const char *const header[] = {"design", "replication", "time_s", "event", "server",
					     "workload", "fault"};
	static const char *const names[] = {
		[RUN_EVENT_FAULT_BEGIN] = "fault_begin", [RUN_EVENT_FAULT_END] = "fault_end",
		[RUN_EVENT_CHECK_DOWN] = "marked_down", [RUN_EVENT_CHECK_UP] = "marked_up"};
	const struct scenario *scn = ex->scn;
	csv_out_row(c, COUNT(header), header);
	for (uint32_t d = 0; d < scn->ndesigns; d++) {
		for (uint32_t r = 0; r < scn->replications; r++) {
			const struct run_result *run = experiment_run_of(ex, d, r);
			for (uint32_t i = 0; i < run->nhappenings; i++) {
				const struct run_event *e = &run->happenings[i];
				csv_out_str(c, scn->designs[d].name);
				csv_out_u64(c, r + 1);
				csv_out_num(c, e->t_s);
				csv_out_str(c, names[e->kind]);
				csv_out_u64(c, (uint64_t)e->server + 1);
				csv_out_str(c, e->workload >= 0 ? workload_name((enum workload)e->workload) : "");
				if (e->fault >= 0)
					csv_out_u64(c, (uint64_t)e->fault + 1);
				else
					csv_out_str(c, "");
				csv_out_end_row(c);
			}
		}
	}
}

static void write_latency(const struct experiment *ex, struct csv_out *c, double *buf)
{
	static const char *const header[] = {"design", "quantile", "response_ms", "replications"};
	const struct scenario *scn = ex->scn;
	csv_out_row(c, COUNT(header), header);
	for (uint32_t d = 0; d < scn->ndesigns; d++) {
		for (unsigned i = 0; i < RUN_CDF_POINTS; i++) {
			for (uint32_t r = 0; r < scn->replications; r++)
				buf[r] = MS(experiment_run_of(ex, d, r)->response_cdf_ns[i]);
			struct estimate e = estimate_mean(buf, scn->replications);
			csv_out_str(c, scn->designs[d].name);
			csv_out_num(c, run_cdf_q(i));
			csv_out_num(c, e.mean);
			csv_out_u64(c, e.n);
			csv_out_end_row(c);
		}
	}
}

/* Paired differences: every design against the first, replication by
 * replication. Common random numbers make the pairs share their traffic,
 * so the interval of the mean difference is much narrower than the two
 * designs' own intervals suggest. */
static void write_differences(const struct experiment *ex, struct csv_out *c, double *buf)
{
	static const char *const header[] = {"design", "baseline", "metric", "unit", "difference",
					     "ci95_low", "ci95_high", "replications"};
	static const char *const metrics[] = {"lb_cpu_cores", "lb_mem_bytes", "failed_requests",
					      "misrouted_requests", "jain", "peak_to_mean",
					      "response_p99", "external_ips"};
	const struct scenario *scn = ex->scn;
	csv_out_row(c, COUNT(header), header);
	for (uint32_t d = 1; d < scn->ndesigns; d++) {
		for (size_t k = 0; k < COUNT(metrics); k++) {
			const struct summary_metric *m = summary_metric_find(metrics[k], SUMMARY_ALL);
			for (uint32_t r = 0; r < scn->replications; r++)
				buf[r] = m->get(experiment_run_of(ex, d, r), 0) -
					 m->get(experiment_run_of(ex, 0, r), 0);
			struct estimate e = estimate_mean(buf, scn->replications);
			csv_out_str(c, scn->designs[d].name);
			csv_out_str(c, scn->designs[0].name);
			csv_out_str(c, m->name);
			csv_out_str(c, m->unit);
			summary_write_estimate(c, &e);
			csv_out_end_row(c);
		}
	}
}

/* costs.csv: where each design's balancer CPU and memory go, replication
 * by replication. CPU rows: every operation the design's implementation
 * prices (its cost profile's figures it reads), how many it performed over
 * the measurement and their CPU in core-seconds; the rows of a design add
 * up to its lb_cpu_cores mean times the measured time. Memory rows: each
 * part of what it holds, time-weighted mean over the 10 s windows and the
 * largest window; `total` is the whole (its peak is lb_mem_bytes). */
static void write_costs(const struct experiment *ex, struct csv_out *c, double *buf)
{
	(void)buf;
	static const char *const header[] = {"design", "replication", "kind", "item", "unit",
					     "count", "cpu_core_s", "mean", "peak"};
	const struct scenario *scn = ex->scn;
	csv_out_row(c, COUNT(header), header);
	for (uint32_t d = 0; d < scn->ndesigns; d++) {
		const struct scn_design *sd = &scn->designs[d];
		int l7 = sd->kind == SCN_DESIGN_L7;
		uint64_t reads = cost_figures_needed(l7 ? COST_IMPL_PROXY : sd->impl, l7, sd->cert,
						     sd->cipher, l7 && sd->tls_reencrypt);
		for (uint32_t r = 0; r < scn->replications; r++) {
			const struct run_result *rr = experiment_run_of(ex, d, r);
			for (int f = 0; f < COST_FIG_COUNT; f++) {
				enum cost_kind k = cost_figures[f].kind;
				if (!(reads >> f & 1) || (k != COST_KIND_OP && k != COST_KIND_BYTE))
					continue;
				uint64_t n = cost_count_of(&rr->ops, (enum cost_figure)f);
				csv_out_str(c, sd->name);
				csv_out_u64(c, r + 1);
				csv_out_str(c, "cpu");
				csv_out_str(c, cost_figures[f].name);
				csv_out_str(c, k == COST_KIND_OP ? "operations" : "bytes");
				csv_out_u64(c, n);
				csv_out_num(c, (double)n * cost_figure_get(&sd->costs, (enum cost_figure)f) / 1e9);
				csv_out_str(c, "");
				csv_out_str(c, "");
				csv_out_end_row(c);
			}
			const struct cost_mem *mean = &rr->lb_mem_mean, *peak = &rr->lb_mem_peak;
			const struct {
				const char *item;
				double mean, peak;
			} parts[] = {
				{"conn_base", mean->conn_base, peak->conn_base},
				{"buffers", mean->buffers, peak->buffers},
				{"streams", mean->streams, peak->streams},
				{"backend", mean->backend, peak->backend},
				{"caches", mean->caches, peak->caches},
				{"tables", mean->tables, peak->tables},
				{"total", cost_mem_total(mean), rr->lb_mem_bytes_peak},
			};
			for (size_t i = 0; i < COUNT(parts); i++) {
				csv_out_str(c, sd->name);
				csv_out_u64(c, r + 1);
				csv_out_str(c, "memory");
				csv_out_str(c, parts[i].item);
				csv_out_str(c, "bytes");
				csv_out_str(c, "");
				csv_out_str(c, "");
				csv_out_num(c, parts[i].mean);
				csv_out_num(c, parts[i].peak);
				csv_out_end_row(c);
			}
		}
	}
}

/* The result files, written as one set. */
static const struct {
	const char *name;
	void (*write)(const struct experiment *ex, struct csv_out *c, double *buf);
} result_files[] = {
	{"summary.csv", write_summary},
	{"runs.csv", write_runs},
	{"servers.csv", write_servers},
	{"server_workloads.csv", write_server_workloads},
	{"timeseries.csv", write_timeseries},
	{"events.csv", write_events},
	{"latency.csv", write_latency},
	{"differences.csv", write_differences},
	{"costs.csv", write_costs},
};

#define NFILES COUNT(result_files)

const char *experiment_csv_name(size_t i)
{
	return i < NFILES ? result_files[i].name : NULL;
}

int experiment_write_csv(const struct experiment *ex, const char *dir, char *err, size_t errlen)
{
	struct csv_out out[NFILES];
	size_t opened = 0;
	double *buf = calloc(ex->scn->replications, sizeof *buf);
	if (!buf) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (; opened < NFILES; opened++)
		if (csv_out_open(&out[opened], dir, result_files[opened].name, err, errlen) != 0)
			goto fail;
	for (size_t i = 0; i < NFILES; i++)
		result_files[i].write(ex, &out[i], buf);
	/* Check every file before renaming any, so that a failure leaves the
	 * previous set of results in place. */
	for (size_t i = 0; i < NFILES; i++)
		if (out[i].error || fflush(out[i].fp) != 0) {
			snprintf(err, errlen, "%s/%s: write failed (device full?)", dir,
				 result_files[i].name);
			goto fail;
		}
	for (size_t i = 0; i < NFILES; i++) {
		if (csv_out_commit(&out[i], err, errlen) != 0) {
			for (size_t j = i + 1; j < NFILES; j++)
				csv_out_abort(&out[j]);
			free(buf);
			return -1;
		}
	}
	free(buf);
	return 0;
fail:
	for (size_t i = 0; i < opened; i++)
		csv_out_abort(&out[i]);
	free(buf);
	return -1;
}
