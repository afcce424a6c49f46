/* The catalogue of summary metrics: every figure lbsim reports per design,
 * its unit, and how to read it from one run. summary.csv lists them all;
 * `expect:` in a scenario and `lbsim check` name them. The README's
 * "Output files" section documents each; keep the two in step. */
#include "lbsim/summary.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

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
GETTER(m_s_peak_to_mean, r->skew_sessions.peak_to_mean)
GETTER(m_s_cov, r->skew_sessions.cov)
GETTER(m_s_jain, r->skew_sessions.jain)
GETTER(m_s_gini, r->skew_sessions.gini)
GETTER(m_connections, r->connections)
GETTER(m_nat_refused, r->nat_refused)
GETTER(m_connect_failed, r->connect_failed)
GETTER(m_tls_full, r->tls_full)
GETTER(m_tls_resumed, r->tls_resumed)
GETTER(m_affinity, r->affinity_breaks)
GETTER(m_server_changes, r->server_changes)
GETTER(m_server_change_ratio, r->sent ? (double)r->server_changes / (double)r->sent : 0)
GETTER(m_redispatched, r->redispatched)
GETTER(m_lb_mem, r->lb_mem_bytes_peak)
GETTER(m_lb_table, r->lb_table_bytes)
GETTER(m_lb_cpu_mean, r->lb_cpu_cores_mean)
GETTER(m_lb_cpu_peak, r->lb_cpu_cores_peak)
GETTER(m_external_ips, r->external_ips)
GETTER(m_lb_refused, r->lb_refused)
GETTER(m_queued, r->queued)
GETTER(m_queue_timeouts, r->queue_timeouts)
/* Little's law: the summed waits over the measured time is the mean
 * number of requests waiting. */
GETTER(m_queue_length, r->window_s > 0 ? r->queue_wait_ns / 1e9 / r->window_s : 0)
/* No request waited: no value (a mean of nothing, not 0 ms). */
static double m_queue_wait(const struct run_result *r, int arg)
{
	(void)arg;
	return r->queued ? MS(r->queue_wait_ns) / (double)r->queued : NAN;
}
/* No persistence configured: no value (not a ratio of 0). */
static double m_persist_hit(const struct run_result *r, int arg)
{
	(void)arg;
	return r->persisted == 0 && !r->has_persistence ? NAN
	       : r->routed ? (double)r->persisted / (double)r->routed : NAN;
}
GETTER(m_lb_busy, r->lb_busy)
GETTER(m_virtual_services, r->virtual_services)
GETTER(m_content_rules, r->content_rules)
GETTER(m_health_checks, r->health_checks)

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
WL(w_peak_to_mean, x->skew.peak_to_mean)
WL(w_cov, x->skew.cov)
WL(w_jain, x->skew.jain)
WL(w_gini, x->skew.gini)
WL(w_chi2_p, x->skew.chi2_p)

/* Steady scope (struct steady_result): no steady time, no value. */
#define ST(fn, expr)                                                            \
	static double fn(const struct run_result *r, int arg)                   \
	{                                                                       \
		(void)arg;                                                      \
		const struct steady_result *x = &r->steady;                     \
		return x->window_s > 0 ? (double)(expr) : NAN;                  \
	}
ST(s_window, x->window_s)
ST(s_sent, x->sent)
ST(s_failed, x->failed)
ST(s_misrouted, x->misrouted)
ST(s_throughput, (double)x->sent / x->window_s)
ST(s_resp_mean, MS(x->response_mean_ns))
ST(s_resp_p50, MS(x->response_p50_ns))
ST(s_resp_p95, MS(x->response_p95_ns))
ST(s_resp_p99, MS(x->response_p99_ns))
ST(s_busy_mean, x->busy_mean)
ST(s_busy_max, x->busy_max)
ST(s_peak_to_mean, x->skew.peak_to_mean)
ST(s_cov, x->skew.cov)
ST(s_jain, x->skew.jain)
ST(s_gini, x->skew.gini)
ST(s_chi2_p, x->skew.chi2_p)
ST(s_lb_cpu_mean, x->lb_cpu_cores_mean)
ST(s_lb_cpu_peak, x->lb_cpu_cores_peak)

static double f_detect(const struct run_result *r, int f) { return r->faults[f].detect_s; }
static double f_began(const struct run_result *r, int f) { return r->faults[f].began_s; }

/* Whole-design metrics (scope "all"). */
const struct summary_metric summary_design_metrics[] = {
	{"requests_sent", "requests", m_sent, RANGE_NONNEG},
	{"requests_completed", "requests", m_completed, RANGE_NONNEG},
	{"requests_failed", "requests", m_failed, RANGE_NONNEG},
	{"requests_in_flight", "requests", m_in_flight, RANGE_NONNEG},
	{"failed_requests", "requests", m_failed_measured, RANGE_NONNEG},
	{"misrouted_requests", "requests", m_misrouted, RANGE_NONNEG},
	{"throughput", "requests/s", m_throughput, RANGE_NONNEG},
	{"response_mean", "ms", m_resp_mean, RANGE_NONNEG},
	{"response_p50", "ms", m_resp_p50, RANGE_NONNEG},
	{"response_p95", "ms", m_resp_p95, RANGE_NONNEG},
	{"response_p99", "ms", m_resp_p99, RANGE_NONNEG},
	{"server_busy_mean", "fraction", m_busy_mean, RANGE_UNIT},
	{"server_busy_max", "fraction", m_busy_max, RANGE_UNIT},
	{"peak_to_mean", "ratio", m_peak_to_mean, RANGE_ABOVE_ONE},
	{"cov", "ratio", m_cov, RANGE_NONNEG},
	{"jain", "index", m_jain, RANGE_UNIT},
	{"gini", "index", m_gini, RANGE_UNIT},
	{"chi2_p", "p-value", m_chi2_p, RANGE_UNIT},
	{"peak_to_mean_conns", "ratio", m_c_peak_to_mean, RANGE_ABOVE_ONE},
	{"cov_conns", "ratio", m_c_cov, RANGE_NONNEG},
	{"jain_conns", "index", m_c_jain, RANGE_UNIT},
	{"gini_conns", "index", m_c_gini, RANGE_UNIT},
	{"chi2_p_conns", "p-value", m_c_chi2_p, RANGE_UNIT},
	{"peak_to_mean_sessions", "ratio", m_s_peak_to_mean, RANGE_ABOVE_ONE},
	{"cov_sessions", "ratio", m_s_cov, RANGE_NONNEG},
	{"jain_sessions", "index", m_s_jain, RANGE_UNIT},
	{"gini_sessions", "index", m_s_gini, RANGE_UNIT},
	{"connections", "connections", m_connections, RANGE_NONNEG},
	{"nat_refused", "connections", m_nat_refused, RANGE_NONNEG},
	{"connect_failed", "connections", m_connect_failed, RANGE_NONNEG},
	{"tls_full_handshakes", "handshakes", m_tls_full, RANGE_NONNEG},
	{"tls_resumed_handshakes", "handshakes", m_tls_resumed, RANGE_NONNEG},
	{"affinity_breaks", "requests", m_affinity, RANGE_NONNEG},
	{"server_changes", "requests", m_server_changes, RANGE_NONNEG},
	{"server_change_ratio", "fraction", m_server_change_ratio, RANGE_UNIT},
	{"redispatched", "requests", m_redispatched, RANGE_NONNEG},
	{"persist_hit_ratio", "fraction", m_persist_hit, RANGE_UNIT},
	{"lb_cpu_cores", "cores", m_lb_cpu_mean, RANGE_NONNEG},
	{"lb_cpu_cores_peak", "cores", m_lb_cpu_peak, RANGE_NONNEG},
	{"lb_mem_bytes", "bytes", m_lb_mem, RANGE_NONNEG},
	{"persist_table_bytes", "bytes", m_lb_table, RANGE_NONNEG},
	{"lb_busy", "fraction", m_lb_busy, RANGE_UNIT},
	{"lb_refused", "requests", m_lb_refused, RANGE_NONNEG},
	{"queued_requests", "requests", m_queued, RANGE_NONNEG},
	{"queue_timeouts", "requests", m_queue_timeouts, RANGE_NONNEG},
	{"queue_wait_mean", "ms", m_queue_wait, RANGE_NONNEG},
	{"queue_length_mean", "requests", m_queue_length, RANGE_NONNEG},
	{"external_ips", "addresses", m_external_ips, RANGE_NONNEG},
	{"virtual_services", "services", m_virtual_services, RANGE_NONNEG},
	{"content_rules", "rules", m_content_rules, RANGE_NONNEG},
	{"health_checks", "checks", m_health_checks, RANGE_NONNEG},
};

/* Per-workload metrics (scope: the workload's name). */
const struct summary_metric summary_workload_metrics[] = {
	{"requests_sent", "requests", w_sent, RANGE_NONNEG},
	{"failed_requests", "requests", w_failed, RANGE_NONNEG},
	{"misrouted_requests", "requests", w_misrouted, RANGE_NONNEG},
	{"response_mean", "ms", w_resp_mean, RANGE_NONNEG},
	{"response_p50", "ms", w_resp_p50, RANGE_NONNEG},
	{"response_p95", "ms", w_resp_p95, RANGE_NONNEG},
	{"response_p99", "ms", w_resp_p99, RANGE_NONNEG},
	{"peak_to_mean", "ratio", w_peak_to_mean, RANGE_ABOVE_ONE},
	{"cov", "ratio", w_cov, RANGE_NONNEG},
	{"jain", "index", w_jain, RANGE_UNIT},
	{"gini", "index", w_gini, RANGE_UNIT},
	{"chi2_p", "p-value", w_chi2_p, RANGE_UNIT},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const struct summary_metric summary_fault_metrics[] = {
	{"fault_began", "s", f_began, RANGE_NONNEG},
	{"detect_s", "s", f_detect, RANGE_NONNEG},
};

/* The steady state's metrics (scope "steady"): those of the whole design
 * that change over time, over the steady 10-s windows (skew, busy, the
 * balancer's CPU) or the requests sent and answered in steady time
 * (counts, response times). */
const struct summary_metric summary_steady_metrics[] = {
	{"steady_s", "s", s_window, RANGE_NONNEG},
	{"requests_sent", "requests", s_sent, RANGE_NONNEG},
	{"failed_requests", "requests", s_failed, RANGE_NONNEG},
	{"misrouted_requests", "requests", s_misrouted, RANGE_NONNEG},
	{"throughput", "requests/s", s_throughput, RANGE_NONNEG},
	{"response_mean", "ms", s_resp_mean, RANGE_NONNEG},
	{"response_p50", "ms", s_resp_p50, RANGE_NONNEG},
	{"response_p95", "ms", s_resp_p95, RANGE_NONNEG},
	{"response_p99", "ms", s_resp_p99, RANGE_NONNEG},
	{"server_busy_mean", "fraction", s_busy_mean, RANGE_UNIT},
	{"server_busy_max", "fraction", s_busy_max, RANGE_UNIT},
	{"peak_to_mean", "ratio", s_peak_to_mean, RANGE_ABOVE_ONE},
	{"cov", "ratio", s_cov, RANGE_NONNEG},
	{"jain", "index", s_jain, RANGE_UNIT},
	{"gini", "index", s_gini, RANGE_UNIT},
	{"chi2_p", "p-value", s_chi2_p, RANGE_UNIT},
	{"lb_cpu_cores", "cores", s_lb_cpu_mean, RANGE_NONNEG},
	{"lb_cpu_cores_peak", "cores", s_lb_cpu_peak, RANGE_NONNEG},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
const size_t summary_steady_metrics_len = COUNT(summary_steady_metrics);
const size_t summary_design_metrics_len = COUNT(summary_design_metrics);
const size_t summary_workload_metrics_len = COUNT(summary_workload_metrics);
const size_t summary_fault_metrics_len = COUNT(summary_fault_metrics);

static const struct summary_metric *table_of(enum summary_scope scope, size_t *n)
{
	switch (scope) {
	case SUMMARY_WORKLOAD:
		*n = summary_workload_metrics_len;
		return summary_workload_metrics;
	case SUMMARY_FAULT:
		*n = summary_fault_metrics_len;
		return summary_fault_metrics;
	case SUMMARY_STEADY:
		*n = summary_steady_metrics_len;
		return summary_steady_metrics;
	default:
		*n = summary_design_metrics_len;
		return summary_design_metrics;
	}
}

const struct summary_metric *summary_metric_find(const char *name, enum summary_scope scope)
{
	size_t n;
	const struct summary_metric *t = table_of(scope, &n);
	for (size_t i = 0; name && i < n; i++)
		if (strcmp(t[i].name, name) == 0)
			return &t[i];
	return NULL;
}

const char *summary_metric_names(char *buf, size_t len, enum summary_scope scope)
{
	size_t n, used = 0;
	const struct summary_metric *t = table_of(scope, &n);
	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < n && used < len; i++) {
		int k = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", t[i].name);
		if (k < 0)
			break;
		used += (size_t)k;
	}
	return buf;
}

const char *const summary_columns[SUMMARY_NCOLUMNS] = {
	"design", "metric", "scope", "unit", "mean", "ci95_low", "ci95_high", "replications",
};

void summary_write_estimate(struct csv_out *c, const struct estimate *e)
{
	csv_out_num(c, e->mean);
	csv_out_num(c, e->ci_low);
	csv_out_num(c, e->ci_high);
	csv_out_u64(c, e->n);
}

void summary_write_row(struct csv_out *c, const char *design, const struct summary_metric *m,
		       const char *scope, const struct estimate *e)
{
	csv_out_str(c, design);
	csv_out_str(c, m->name);
	csv_out_str(c, scope);
	csv_out_str(c, m->unit);
	summary_write_estimate(c, e);
	csv_out_end_row(c);
}

struct estimate summary_estimate(const struct experiment *ex, uint32_t design,
				 const struct summary_metric *m, int arg, double *buf)
{
	uint32_t reps = ex->scn->replications;
	for (uint32_t r = 0; r < reps; r++)
		buf[r] = m->get(experiment_run_of(ex, design, r), arg);
	return estimate_mean_in(buf, reps, m->range);
}

int summary_workload_used(const struct scenario *scn, int w)
{
	return (scn_workloads_used(scn) >> w) & 1u;
}

void summary_for_each(const struct scenario *scn,
		      void (*visit)(void *ctx, const struct summary_item *it), void *ctx)
{
	struct summary_item it = {.kind = SUMMARY_ALL, .scope = "all"};
	for (it.index = 0; it.index < summary_design_metrics_len; it.index++) {
		it.m = &summary_design_metrics[it.index];
		visit(ctx, &it);
	}
	it.kind = SUMMARY_WORKLOAD;
	for (int w = 0; w < WL_COUNT; w++) {
		if (!summary_workload_used(scn, w))
			continue;
		it.scope = workload_name((enum workload)w);
		it.arg = w;
		for (it.index = 0; it.index < summary_workload_metrics_len; it.index++) {
			it.m = &summary_workload_metrics[it.index];
			visit(ctx, &it);
		}
	}
	/* With faults, the steady state apart (without, it is the measured
	 * time: the design metrics say it). */
	it.kind = SUMMARY_STEADY;
	it.scope = "steady";
	it.arg = 0;
	for (it.index = 0; scn->nfaults && it.index < summary_steady_metrics_len; it.index++) {
		it.m = &summary_steady_metrics[it.index];
		visit(ctx, &it);
	}
	it.kind = SUMMARY_FAULT;
	for (uint32_t f = 0; f < scn->nfaults; f++) {
		char scope[32];
		snprintf(scope, sizeof scope, "fault%u", f + 1);
		it.scope = scope;
		it.arg = (int)f;
		for (it.index = 0; it.index < summary_fault_metrics_len; it.index++) {
			it.m = &summary_fault_metrics[it.index];
			visit(ctx, &it);
		}
	}
}
