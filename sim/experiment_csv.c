/* The CSV results of an experiment: summary.csv and servers.csv. Columns
 * are documented in the README ("Output files"); keep the two in step. */
#include "lbsim/experiment.h"

#include <math.h>
#include <stdlib.h>

#include "lbsim/csv_out.h"
#include "lbsim/stats.h"

/* One summary metric: its name and unit as the CSV shows them, and how to
 * read it from one run. */
struct summary_metric {
	const char *name;
	const char *unit;
	double (*get)(const struct run_result *r);
};

#define MS(ns) ((double)(ns) / 1e6)

static double m_sent(const struct run_result *r) { return (double)r->sent; }
static double m_completed(const struct run_result *r) { return (double)r->completed; }
static double m_failed(const struct run_result *r) { return (double)r->failed; }
static double m_in_flight(const struct run_result *r) { return (double)r->in_flight; }
static double m_throughput(const struct run_result *r)
{
	return r->window_s > 0 ? (double)r->measured / r->window_s : 0;
}
static double m_resp_mean(const struct run_result *r) { return MS(r->response_mean_ns); }
static double m_resp_p50(const struct run_result *r) { return MS(r->response_p50_ns); }
static double m_resp_p95(const struct run_result *r) { return MS(r->response_p95_ns); }
static double m_resp_p99(const struct run_result *r) { return MS(r->response_p99_ns); }
static double m_busy_mean(const struct run_result *r)
{
	double sum = 0;
	for (uint32_t i = 0; i < r->nservers; i++)
		sum += r->servers[i].busy_fraction;
	return r->nservers ? sum / r->nservers : 0;
}
static double m_busy_max(const struct run_result *r)
{
	double max = 0;
	for (uint32_t i = 0; i < r->nservers; i++)
		if (r->servers[i].busy_fraction > max)
			max = r->servers[i].busy_fraction;
	return max;
}
static double m_peak_to_mean(const struct run_result *r) { return r->skew.peak_to_mean; }
static double m_cov(const struct run_result *r) { return r->skew.cov; }
static double m_jain(const struct run_result *r) { return r->skew.jain; }
static double m_gini(const struct run_result *r) { return r->skew.gini; }
static double m_chi2_p(const struct run_result *r) { return r->skew.chi2_p; }

static const struct summary_metric summary_metrics[] = {
	{"requests_sent", "requests", m_sent},
	{"requests_completed", "requests", m_completed},
	{"requests_failed", "requests", m_failed},
	{"requests_in_flight", "requests", m_in_flight},
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
};

static void write_estimate(struct csv_out *c, const double *x, size_t n)
{
	struct estimate e = estimate_mean(x, n);
	csv_out_num(c, e.mean);
	csv_out_num(c, e.ci_low);
	csv_out_num(c, e.ci_high);
	csv_out_u64(c, e.n);
}

static void write_summary(const struct experiment *ex, struct csv_out *c, double *buf)
{
	static const char *const header[] = {"design", "metric", "unit", "mean",
					     "ci95_low", "ci95_high", "replications"};
	const struct scenario *scn = ex->scn;
	csv_out_row(c, sizeof header / sizeof header[0], header);
	for (uint32_t d = 0; d < scn->ndesigns; d++) {
		for (size_t m = 0; m < sizeof summary_metrics / sizeof summary_metrics[0]; m++) {
			for (uint32_t r = 0; r < scn->replications; r++)
				buf[r] = summary_metrics[m].get(experiment_run_of(ex, d, r));
			csv_out_str(c, scn->designs[d].name);
			csv_out_str(c, summary_metrics[m].name);
			csv_out_str(c, summary_metrics[m].unit);
			write_estimate(c, buf, scn->replications);
			csv_out_end_row(c);
		}
	}
}

static void write_servers(const struct experiment *ex, struct csv_out *c, double *buf)
{
	static const char *const header[] = {
		"design", "server", "requests", "requests_ci95", "share",
		"busy_fraction", "response_mean_ms", "response_p99_ms", "replications"};
	const struct scenario *scn = ex->scn;
	uint32_t reps = scn->replications;
	csv_out_row(c, sizeof header / sizeof header[0], header);
	for (uint32_t d = 0; d < scn->ndesigns; d++) {
		for (uint32_t s = 0; s < scn->servers.count; s++) {
			double share = 0, busy = 0, mean = 0, p99 = 0;
			for (uint32_t r = 0; r < reps; r++) {
				const struct run_result *run = experiment_run_of(ex, d, r);
				const struct server_result *sr = &run->servers[s];
				buf[r] = (double)sr->requests;
				share += run->measured ? (double)sr->requests / (double)run->measured : 0;
				busy += sr->busy_fraction;
				mean += MS(sr->response_mean_ns);
				p99 += MS(sr->response_p99_ns);
			}
			struct estimate e = estimate_mean(buf, reps);
			csv_out_str(c, scn->designs[d].name);
			csv_out_u64(c, s + 1);
			csv_out_num(c, e.mean);
			csv_out_num(c, e.n > 1 ? e.ci_high - e.mean : NAN);
			csv_out_num(c, share / reps);
			csv_out_num(c, busy / reps);
			csv_out_num(c, mean / reps);
			csv_out_num(c, p99 / reps);
			csv_out_u64(c, reps);
			csv_out_end_row(c);
		}
	}
}

int experiment_write_csv(const struct experiment *ex, const char *dir, char *err, size_t errlen)
{
	struct csv_out summary, servers;
	double *buf = calloc(ex->scn->replications, sizeof *buf);
	if (!buf) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (csv_out_open(&summary, dir, "summary.csv", err, errlen) != 0) {
		free(buf);
		return -1;
	}
	if (csv_out_open(&servers, dir, "servers.csv", err, errlen) != 0) {
		csv_out_abort(&summary);
		free(buf);
		return -1;
	}
	write_summary(ex, &summary, buf);
	write_servers(ex, &servers, buf);
	free(buf);
	/* Check both before renaming either, so that a failure leaves the
	 * previous pair of results in place. */
	if (summary.error || servers.error || fflush(summary.fp) != 0 || fflush(servers.fp) != 0) {
		snprintf(err, errlen, "%s: write failed (device full?)", dir);
		csv_out_abort(&summary);
		csv_out_abort(&servers);
		return -1;
	}
	if (csv_out_commit(&summary, err, errlen) != 0) {
		csv_out_abort(&servers);
		return -1;
	}
	return csv_out_commit(&servers, err, errlen);
}
