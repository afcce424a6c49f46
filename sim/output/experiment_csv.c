/* The CSV results of an experiment: summary, servers, timeseries, events. Columns
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

static void write_metric(const struct experiment *ex, struct csv_out *c, double *buf, uint32_t d,
			 const struct summary_metric *m, const char *scope, int arg)
{
	struct estimate e = summary_estimate(ex, d, m, arg, buf);
	summary_write_row(c, ex->scn->designs[d].name, m, scope, &e);
}

static void write_summary(const struct experiment *ex, struct csv_out *c, double *buf)
{
	const struct scenario *scn = ex->scn;
	csv_out_row(c, SUMMARY_NCOLUMNS, summary_columns);
	for (uint32_t d = 0; d < scn->ndesigns; d++) {
		for (size_t m = 0; m < summary_design_metrics_len; m++)
			write_metric(ex, c, buf, d, &summary_design_metrics[m], "all", 0);
		for (int w = 0; w < WL_COUNT; w++) {
			if (!summary_workload_used(scn, w))
				continue;
			for (size_t m = 0; m < summary_workload_metrics_len; m++)
				write_metric(ex, c, buf, d, &summary_workload_metrics[m],
					     workload_name((enum workload)w), w);
		}
		for (uint32_t f = 0; f < scn->nfaults; f++) {
			char scope[32];
			snprintf(scope, sizeof scope, "fault%u", f + 1);
			for (size_t m = 0; m < summary_fault_metrics_len; m++)
				write_metric(ex, c, buf, d, &summary_fault_metrics[m], scope, (int)f);
		}
	}
}

static void write_servers(const struct experiment *ex, struct csv_out *c, double *buf)
{
	static const char *const header[] = {
		"design", "server", "requests", "requests_ci95", "share", "connections",
		"busy_fraction", "response_mean_ms", "response_p99_ms", "replications"};
	const struct scenario *scn = ex->scn;
	uint32_t reps = scn->replications;
	csv_out_row(c, sizeof header / sizeof header[0], header);
	for (uint32_t d = 0; d < scn->ndesigns; d++) {
		for (uint32_t s = 0; s < scn->servers.count; s++) {
			double share = 0, busy = 0, mean = 0, p99 = 0, conns = 0;
			for (uint32_t r = 0; r < reps; r++) {
				const struct run_result *run = experiment_run_of(ex, d, r);
				const struct server_result *sr = &run->servers[s];
				buf[r] = (double)sr->requests;
				share += run->measured ? (double)sr->requests / (double)run->measured : 0;
				busy += sr->busy_fraction;
				conns += (double)sr->connections;
				mean += MS(sr->response_mean_ns);
				p99 += MS(sr->response_p99_ns);
			}
			struct estimate e = estimate_mean(buf, reps);
			csv_out_str(c, scn->designs[d].name);
			csv_out_u64(c, s + 1);
			csv_out_num(c, e.mean);
			csv_out_num(c, e.n > 1 ? e.ci_high - e.mean : NAN);
			csv_out_num(c, share / reps);
			csv_out_num(c, conns / reps);
			csv_out_num(c, busy / reps);
			csv_out_num(c, mean / reps);
			csv_out_num(c, p99 / reps);
			csv_out_u64(c, reps);
			csv_out_end_row(c);
		}
	}
}

static void series_row(struct csv_out *c, const char *design, uint32_t rep, double t,
		       const char *series, uint32_t server, double value)
{
	csv_out_str(c, design);
	csv_out_u64(c, rep);
	csv_out_num(c, t);
	csv_out_str(c, series);
	if (server)
		csv_out_u64(c, server);
	else
		csv_out_str(c, "");
	csv_out_num(c, value);
	csv_out_end_row(c);
}

/* One series after another (each in time order), so that a series is a
 * contiguous block: plotting tools draw it as one line. */
static void write_timeseries(const struct experiment *ex, struct csv_out *c, double *buf)
{
	(void)buf;
	static const char *const header[] = {"design", "replication", "time_s", "series", "server",
					     "value"};
	const struct scenario *scn = ex->scn;
	uint32_t n = scn->servers.count;
	csv_out_row(c, COUNT(header), header);
	for (uint32_t d = 0; d < scn->ndesigns; d++) {
		const char *name = scn->designs[d].name;
		for (uint32_t r = 0; r < scn->replications; r++) {
			const struct run_result *run = experiment_run_of(ex, d, r);
			for (uint32_t i = 0; i < run->nsamples; i++)
				series_row(c, name, r + 1, run->samples[i].t_s, "lb_cpu_cores", 0,
					   run->samples[i].cpu_cores);
			for (uint32_t i = 0; i < run->nsamples; i++)
				series_row(c, name, r + 1, run->samples[i].t_s, "lb_mem_bytes", 0,
					   run->samples[i].mem_bytes);
			for (uint32_t s = 0; s < n; s++)
				for (uint32_t i = 0; i < run->nsamples; i++)
					series_row(c, name, r + 1, run->samples[i].t_s, "requests", s + 1,
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

/* The result files, written as one set. */
static const struct {
	const char *name;
	void (*write)(const struct experiment *ex, struct csv_out *c, double *buf);
} result_files[] = {
	{"summary.csv", write_summary},
	{"servers.csv", write_servers},
	{"timeseries.csv", write_timeseries},
	{"events.csv", write_events},
	{"latency.csv", write_latency},
	{"differences.csv", write_differences},
};

#define NFILES COUNT(result_files)

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
