/* The CSV results of an experiment: summary, servers, timeseries, events. Columns
 * are documented in the README ("Output files"); keep the two in step. */
#include "lbsim/experiment.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "lbsim/csv_out.h"
#include "lbsim/stats.h"

/* One summary metric: its name and unit as the CSV shows them, and how to
 * read it from one run; arg is the workload or fault of a scoped metric. */
struct summary_metric {
	const char *name;
	const char *unit;
	double (*get)(const struct run_result *r, int arg);
};

#define MS(ns) ((double)(ns) / 1e6)
#define GETTER(fn, expr) \
	static double fn(const struct run_result *r, int arg) { (void)arg; return (double)(expr); }

GETTER(m_sent, r->sent)
GETTER(m_completed, r->completed)
GETTER(m_failed, r->failed)
GETTER(m_in_flight, r->in_flight)
GETTER(m_failed_measured, r->measured_failed)
GETTER(m_misrouted, r->measured_misrouted)
GETTER(m_throughput, r->window_s > 0 ? (double)r->measured / r->window_s : 0)
GETTER(m_resp_mean, MS(r->response_mean_ns))
GETTER(m_resp_p50, MS(r->response_p50_ns))
GETTER(m_resp_p95, MS(r->response_p95_ns))
GETTER(m_resp_p99, MS(r->response_p99_ns))
GETTER(m_peak_to_mean, r->skew.peak_to_mean)
GETTER(m_cov, r->skew.cov)
GETTER(m_jain, r->skew.jain)
GETTER(m_gini, r->skew.gini)
GETTER(m_chi2_p, r->skew.chi2_p)
GETTER(m_c_peak_to_mean, r->skew_conns.peak_to_mean)
GETTER(m_c_cov, r->skew_conns.cov)
GETTER(m_c_jain, r->skew_conns.jain)
GETTER(m_c_gini, r->skew_conns.gini)
GETTER(m_c_chi2_p, r->skew_conns.chi2_p)
GETTER(m_connections, r->connections)
GETTER(m_nat_refused, r->nat_refused)
GETTER(m_connect_failed, r->connect_failed)
GETTER(m_tls_full, r->tls_full)
GETTER(m_tls_resumed, r->tls_resumed)
GETTER(m_affinity, r->affinity_breaks)
GETTER(m_redispatched, r->redispatched)
GETTER(m_lb_mem, r->lb_mem_bytes_peak)
GETTER(m_lb_table, r->lb_table_bytes)
GETTER(m_lb_cpu_mean, r->lb_cpu_cores_mean)
GETTER(m_lb_cpu_peak, r->lb_cpu_cores_peak)
GETTER(m_external_ips, r->external_ips)

static double m_busy_mean(const struct run_result *r, int arg)
{
	(void)arg;
	double sum = 0;
	for (uint32_t i = 0; i < r->nservers; i++)
		sum += r->servers[i].busy_fraction;
	return r->nservers ? sum / r->nservers : 0;
}

static double m_busy_max(const struct run_result *r, int arg)
{
	(void)arg;
	double max = 0;
	for (uint32_t i = 0; i < r->nservers; i++)
		if (r->servers[i].busy_fraction > max)
			max = r->servers[i].busy_fraction;
	return max;
}

#define WL(fn, expr) \
	static double fn(const struct run_result *r, int w) \
	{ \
		const struct workload_result *x = &r->workloads[w]; \
		return (double)(expr); \
	}
WL(w_sent, x->measured_sent)
WL(w_failed, x->measured_failed)
WL(w_misrouted, x->measured_misrouted)
WL(w_resp_mean, MS(x->response_mean_ns))
WL(w_resp_p50, MS(x->response_p50_ns))
WL(w_resp_p95, MS(x->response_p95_ns))
WL(w_resp_p99, MS(x->response_p99_ns))

static double f_detect(const struct run_result *r, int f) { return r->faults[f].detect_s; }

/* Whole-design metrics (scope "all"). */
static const struct summary_metric design_metrics[] = {
	{"requests_sent", "requests", m_sent},
	{"requests_completed", "requests", m_completed},
	{"requests_failed", "requests", m_failed},
	{"requests_in_flight", "requests", m_in_flight},
	{"failed_requests", "requests", m_failed_measured},
	{"misrouted_requests", "requests", m_misrouted},
	{"throughput", "requests/s", m_throughput},
	{"response_mean", "ms", m_resp_mean},
	{"response_p50", "ms", m_resp_p50},
	{"response_p95", "ms", m_resp_p95},
	{"response_p99", "ms", m_resp_p99},
	{"server_busy_mean", "fraction", m_busy_mean},
	{"server_busy_max", "fraction", m_busy_max},
	{"peak_to_mean", "ratio", m_peak_to_mean},
	{"cov", "ratio", m_cov},
	{"jain", "index", m_jain},
	{"gini", "index", m_gini},
	{"chi2_p", "p-value", m_chi2_p},
	{"peak_to_mean_conns", "ratio", m_c_peak_to_mean},
	{"cov_conns", "ratio", m_c_cov},
	{"jain_conns", "index", m_c_jain},
	{"gini_conns", "index", m_c_gini},
	{"chi2_p_conns", "p-value", m_c_chi2_p},
	{"connections", "connections", m_connections},
	{"nat_refused", "connections", m_nat_refused},
	{"connect_failed", "connections", m_connect_failed},
	{"tls_full_handshakes", "handshakes", m_tls_full},
	{"tls_resumed_handshakes", "handshakes", m_tls_resumed},
	{"affinity_breaks", "requests", m_affinity},
	{"redispatched", "requests", m_redispatched},
	{"lb_cpu_cores", "cores", m_lb_cpu_mean},
	{"lb_cpu_cores_peak", "cores", m_lb_cpu_peak},
	{"lb_mem_bytes", "bytes", m_lb_mem},
	{"persist_table_bytes", "bytes", m_lb_table},
	{"external_ips", "addresses", m_external_ips},
};

/* Per-workload metrics (scope: the workload's name). */
static const struct summary_metric workload_metrics[] = {
	{"requests_sent", "requests", w_sent},
	{"failed_requests", "requests", w_failed},
	{"misrouted_requests", "requests", w_misrouted},
	{"response_mean", "ms", w_resp_mean},
	{"response_p50", "ms", w_resp_p50},
	{"response_p95", "ms", w_resp_p95},
	{"response_p99", "ms", w_resp_p99},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void write_estimate(struct csv_out *c, const double *x, size_t n)
{
	struct estimate e = estimate_mean(x, n);
	csv_out_num(c, e.mean);
	csv_out_num(c, e.ci_low);
	csv_out_num(c, e.ci_high);
	csv_out_u64(c, e.n);
}

static void write_metric(const struct experiment *ex, struct csv_out *c, double *buf, uint32_t d,
			 const struct summary_metric *m, const char *scope, int arg)
{
	const struct scenario *scn = ex->scn;
	for (uint32_t r = 0; r < scn->replications; r++)
		buf[r] = m->get(experiment_run_of(ex, d, r), arg);
	csv_out_str(c, scn->designs[d].name);
	csv_out_str(c, m->name);
	csv_out_str(c, scope);
	csv_out_str(c, m->unit);
	write_estimate(c, buf, scn->replications);
	csv_out_end_row(c);
}

/* A workload is reported when some population asks for it. */
static int workload_used(const struct scenario *scn, int w)
{
	for (uint32_t i = 0; i < scn->npopulations; i++) {
		const struct scn_population *p = &scn->populations[i];
		if (p->request_rate > 0 ? (int)p->open_workload == w : (p->clients >> w) & 1u)
			return 1;
	}
	return 0;
}

static void write_summary(const struct experiment *ex, struct csv_out *c, double *buf)
{
	static const char *const header[] = {"design", "metric", "scope", "unit", "mean",
					     "ci95_low", "ci95_high", "replications"};
	const struct scenario *scn = ex->scn;
	csv_out_row(c, COUNT(header), header);
	for (uint32_t d = 0; d < scn->ndesigns; d++) {
		for (size_t m = 0; m < COUNT(design_metrics); m++)
			write_metric(ex, c, buf, d, &design_metrics[m], "all", 0);
		for (int w = 0; w < WL_COUNT; w++) {
			if (!workload_used(scn, w))
				continue;
			for (size_t m = 0; m < COUNT(workload_metrics); m++)
				write_metric(ex, c, buf, d, &workload_metrics[m],
					     workload_name((enum workload)w), w);
		}
		static const struct summary_metric detect = {"detect_s", "s", f_detect};
		for (uint32_t f = 0; f < scn->nfaults; f++) {
			char scope[32];
			snprintf(scope, sizeof scope, "fault%u", f + 1);
			write_metric(ex, c, buf, d, &detect, scope, (int)f);
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

static void write_timeseries(const struct experiment *ex, struct csv_out *c, double *buf)
{
	(void)buf;
	static const char *const header[] = {"design", "replication", "time_s", "series", "server",
					     "value"};
	const struct scenario *scn = ex->scn;
	uint32_t n = scn->servers.count;
	csv_out_row(c, COUNT(header), header);
	for (uint32_t d = 0; d < scn->ndesigns; d++) {
		for (uint32_t r = 0; r < scn->replications; r++) {
			const struct run_result *run = experiment_run_of(ex, d, r);
			for (uint32_t i = 0; i < run->nsamples; i++) {
				const struct lb_sample *smp = &run->samples[i];
				struct {
					const char *series;
					double value;
				} rows[] = {{"lb_cpu_cores", smp->cpu_cores}, {"lb_mem_bytes", smp->mem_bytes}};
				for (size_t k = 0; k < COUNT(rows); k++) {
					csv_out_str(c, scn->designs[d].name);
					csv_out_u64(c, r + 1);
					csv_out_num(c, smp->t_s);
					csv_out_str(c, rows[k].series);
					csv_out_str(c, "");
					csv_out_num(c, rows[k].value);
					csv_out_end_row(c);
				}
				for (uint32_t s = 0; s < n; s++) {
					csv_out_str(c, scn->designs[d].name);
					csv_out_u64(c, r + 1);
					csv_out_num(c, smp->t_s);
					csv_out_str(c, "requests");
					csv_out_u64(c, s + 1);
					csv_out_u64(c, run->window_requests[(size_t)i * n + s]);
					csv_out_end_row(c);
				}
			}
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

/* The result files, written as one set. */
static const struct {
	const char *name;
	void (*write)(const struct experiment *ex, struct csv_out *c, double *buf);
} result_files[] = {
	{"summary.csv", write_summary},
	{"servers.csv", write_servers},
	{"timeseries.csv", write_timeseries},
	{"events.csv", write_events},
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
