/* Checking and converting the fault timeline and the expectations of a
 * scenario.
 *
 * Both refer to what comes before them: a fault to a server (counted from
 * 1 in the file, stored from 0) and a time within the run; an expectation
 * to a design by name, a metric of the summary catalogue (sim/runs/summary.c)
 * and a scope: the whole design, a workload that some population uses, or
 * a fault by its number. An expectation remembers where the file states
 * it, for the lines `lbsim check` prints.
 *
 * Cost: linear in the number of faults and expectations, times the
 * designs (a name lookup) and the metric catalogue.
 */
#include "scenario_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lbsim/summary.h"

#define MAX_SLOW_FACTOR 1000.0

static const char *const fault_kind_names[] = {
	[SCN_FAULT_SERVER_DOWN] = "down",
	[SCN_FAULT_WORKLOAD_DOWN] = "workload-down",
	[SCN_FAULT_SLOW] = "slow",
	[SCN_FAULT_AUTH_DOWN] = "auth-down",
	[SCN_FAULT_STORE_DOWN] = "store-down",
	[SCN_FAULT_DRAIN] = "drain",
	[SCN_FAULT_MAINT] = "maint",
};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* server: counted from 1 in the file, stored from 0; checked against the
 * count only when the count is right (nservers > 0). */
static void fault_server(struct scn_ctx *c, const struct scn_raw_fault *rf, yaml_node_t *map,
			 uint32_t nservers, struct scn_fault *f)
{
	uint64_t s;
	if (scn_whole(c, map, "server", rf->server, 1, SCN_MAX_SERVERS, &s) < 0)
		return;
	if (nservers && s > nservers)
		scn_report(c, scn_value_of(c, map, "server"), "server %u does not exist: "
			   "the scenario has %u server%s", (unsigned)s, nservers,
			   nservers == 1 ? "" : "s");
	else
		f->server = (uint32_t)(s - 1);
}

/* One fault. Its kind decides which of workload and factor it needs and
 * which it refuses; an unknown kind leaves them unjudged. */
static void fault(struct scn_ctx *c, const struct scn_raw_fault *rf, yaml_node_t *map,
		  const struct scenario *scn, struct scn_fault *f)
{
	char shown[160];
	unsigned before = c->reports;
	f->at = scn_duration(c, map, "at", rf->at, 1);
	if (c->reports == before && c->run && f->at >= c->run)
		scn_report(c, scn_value_of(c, map, "at"), "'at' must be before the end of "
			   "the run (warmup + duration), got %s",
			   scn_quote(shown, sizeof shown, rf->at));
	fault_server(c, rf, map, scn->servers.count, f);

	int w = -1, k;
	if (rf->workload)
		w = scn_workload(c, scn_value_of(c, map, "workload"), "workload", rf->workload);
	if (rf->kind)
		k = scn_pick(c, map, "kind", rf->kind, fault_kind_names, COUNT_OF(fault_kind_names));
	else
		k = rf->workload ? SCN_FAULT_WORKLOAD_DOWN : SCN_FAULT_SERVER_DOWN;
	if (k >= 0)
		f->kind = (enum scn_fault_kind)k;

	/* workload-down needs a workload; store-down takes one, or fails
	 * every workload's store without; the others take the whole server. */
	if (rf->workload && k >= 0 && k != SCN_FAULT_WORKLOAD_DOWN && k != SCN_FAULT_STORE_DOWN)
		scn_not_here(c, map, "workload", "workload-down and store-down faults, not %s "
			     "(it takes the whole server)", fault_kind_names[k]);
	else if (w >= 0)
		f->workload = (enum workload)w;
	else if (k == SCN_FAULT_WORKLOAD_DOWN && !rf->workload)
		scn_report(c, scn_value_of(c, map, "kind"), "kind 'workload-down' needs "
			   "'workload': the workload that fails");
	else if (k == SCN_FAULT_STORE_DOWN && !rf->workload)
		f->all_workloads = 1;

	if (rf->factor) {
		if (k >= 0 && k != SCN_FAULT_SLOW)
			scn_not_here(c, map, "factor", "slow faults only, not %s",
				     fault_kind_names[k]);
		else
			scn_number(c, map, "factor", rf->factor, 1, 1, MAX_SLOW_FACTOR,
				   "(times the service time)", &f->factor);
	} else if (k == SCN_FAULT_SLOW) {
		scn_report(c, scn_value_of(c, map, "kind"), "kind 'slow' needs 'factor': "
			   "how many times longer the server takes, more than 1 and at most %g",
			   MAX_SLOW_FACTOR);
	}

	f->duration = SIM_TIME_NEVER;
	if (rf->for_) {
		sim_time_t d = scn_duration(c, map, "for", rf->for_, 0);
		if (d)
			f->duration = d;
	}
}

void scn_faults(struct scn_ctx *c, const struct scn_raw *raw, yaml_node_t *root,
		struct scenario *scn)
{
	if (!raw->faults_count)
		return;
	yaml_node_t *seq = scn_value_of(c, root, "faults");
	for (unsigned i = 0; i < raw->faults_count; i++)
		fault(c, &raw->faults[i], scn_item_of(c, seq, i), scn, &scn->faults[i]);
	scn->nfaults = raw->faults_count;
}

/* "fault<N>" with N written plainly (no sign, no leading zero): N, else 0. */
static unsigned long fault_number(const char *text)
{
	if (strncmp(text, "fault", 5) != 0 || text[5] < '1' || text[5] > '9')
		return 0;
	unsigned long n = 0;
	for (const char *p = text + 5; *p; p++) {
		if (*p < '0' || *p > '9' || n > 1000000)
			return 0;
		n = n * 10 + (unsigned long)(*p - '0');
	}
	return n;
}

/* The workloads some population uses, as "a, b" into buf. */
static const char *used_workloads(const struct scenario *scn, char *buf, size_t n)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int w = 0; w < WL_COUNT; w++) {
		if (!summary_workload_used(scn, w))
			continue;
		int k = snprintf(buf + used, n - used, "%s%s", used ? ", " : "",
				 workload_name((enum workload)w));
		if (k > 0 && (size_t)k < n - used)
			used += (size_t)k;
	}
	return buf;
}

/* The scope of an expectation into e; 0, or -1 when it is wrong
 * (reported). */
static int scope(struct scn_ctx *c, const char *text, yaml_node_t *map,
		 const struct scenario *scn, struct scn_expect *e)
{
	yaml_node_t *node = scn_value_of(c, map, "scope");
	char shown[160], used[128];
	if (!scn_has_value(c, node, "scope"))
		return -1;
	scn_quote(shown, sizeof shown, text);
	if (strcmp(text, "all") == 0)
		return 0;
	if (strcmp(text, "steady") == 0) {
		e->scope = SUMMARY_STEADY;
		snprintf(e->scope_name, sizeof e->scope_name, "steady");
		return 0;
	}
	int w = workload_find(text);
	if (w >= 0) {
		if (c->pops_ok && !summary_workload_used(scn, w)) {
			scn_report(c, node, "scope %s: no population uses workload %s "
				   "(used: %s)", shown, text, used_workloads(scn, used, sizeof used));
			return -1;
		}
		e->scope = SUMMARY_WORKLOAD;
		e->arg = w;
		snprintf(e->scope_name, sizeof e->scope_name, "%s", text);
		return 0;
	}
	unsigned long n = fault_number(text);
	if (n) {
		if (n > scn->nfaults) {
			if (scn->nfaults)
				scn_report(c, node, "scope %s names fault %lu, but the scenario has "
					   "%u fault%s", shown, n, scn->nfaults,
					   scn->nfaults == 1 ? "" : "s");
			else
				scn_report(c, node, "scope %s names fault %lu, but the scenario has "
					   "no faults", shown, n);
			return -1;
		}
		e->scope = SUMMARY_FAULT;
		e->arg = (int)(n - 1);
		snprintf(e->scope_name, sizeof e->scope_name, "fault%lu", n);
		return 0;
	}

	/* Unknown: offer all, the workloads in use and the faults there are. */
	const char *names[2 + WL_COUNT + SCN_MAX_FAULTS];
	char faults[SCN_MAX_FAULTS][16];
	size_t k = 0;
	names[k++] = "all";
	names[k++] = "steady";
	for (int i = 0; i < WL_COUNT; i++)
		if (!c->pops_ok || summary_workload_used(scn, i))
			names[k++] = workload_name((enum workload)i);
	for (uint32_t i = 0; i < scn->nfaults && i < SCN_MAX_FAULTS; i++) {
		snprintf(faults[i], sizeof faults[i], "fault%u", i + 1);
		names[k++] = faults[i];
	}
	scn_unknown_name(c, node, "scope", text, strlen(text), names, k);
	return -1;
}

/* The metric of an expectation, in the scope already set in e. */
static void metric(struct scn_ctx *c, const char *text, yaml_node_t *map,
		   struct scn_expect *e)
{
	static const char *const nouns[] = {
		[SUMMARY_ALL] = "metric",
		[SUMMARY_WORKLOAD] = "workload metric",
		[SUMMARY_FAULT] = "fault metric",
		[SUMMARY_STEADY] = "steady metric",
	};
	yaml_node_t *node = scn_value_of(c, map, "metric");
	if (!scn_has_value(c, node, "metric"))
		return;
	enum summary_scope s = (enum summary_scope)e->scope;
	if (summary_metric_find(text, s) && strlen(text) < sizeof e->metric) {
		memcpy(e->metric, text, strlen(text) + 1);
		return;
	}
	const struct summary_metric *table = summary_design_metrics;
	size_t n = summary_design_metrics_len;
	if (s == SUMMARY_WORKLOAD) {
		table = summary_workload_metrics;
		n = summary_workload_metrics_len;
	} else if (s == SUMMARY_FAULT) {
		table = summary_fault_metrics;
		n = summary_fault_metrics_len;
	} else if (s == SUMMARY_STEADY) {
		table = summary_steady_metrics;
		n = summary_steady_metrics_len;
	}
	const char *names[128];
	if (n > COUNT_OF(names))
		n = COUNT_OF(names);
	for (size_t i = 0; i < n; i++)
		names[i] = table[i].name;
	scn_unknown_name(c, node, nouns[s], text, strlen(text), names, n);
}

/* One expectation, with the line and column of its entry. */
static void expect(struct scn_ctx *c, const struct scn_raw *raw, const struct scn_raw_expect *re,
		   yaml_node_t *map, const struct scenario *scn, struct scn_expect *e)
{
	char lo[160], hi[160];
	e->line = yw_line(map);
	e->column = yw_column(map);

	yaml_node_t *node = scn_value_of(c, map, "design");
	if (scn_has_value(c, node, "design")) {
		const char *names[SCN_MAX_DESIGNS];
		uint32_t n = 0, found = UINT32_MAX;
		for (unsigned i = 0; i < raw->designs_count && n < SCN_MAX_DESIGNS; i++) {
			names[n++] = raw->designs[i].name;
			if (found == UINT32_MAX && strcmp(raw->designs[i].name, re->design) == 0)
				found = i;
		}
		if (found == UINT32_MAX)
			scn_unknown_name(c, node, "design", re->design, strlen(re->design), names, n);
		else
			e->design = found;
	}

	snprintf(e->scope_name, sizeof e->scope_name, "all");
	e->scope = SUMMARY_ALL;
	/* The metric is judged within its scope: a wrong scope leaves
	 * nothing to judge it by. */
	if (!re->scope || scope(c, re->scope, map, scn, e) == 0)
		metric(c, re->metric, map, e);

	if (!re->min && !re->max)
		scn_report(c, map, "expect needs 'min' or 'max' (or both): the bound the "
			   "metric must meet");
	if (re->min)
		e->has_min = scn_number(c, map, "min", re->min, -INFINITY, 0, INFINITY, NULL,
					&e->min) == 0;
	if (re->max)
		e->has_max = scn_number(c, map, "max", re->max, -INFINITY, 0, INFINITY, NULL,
					&e->max) == 0;
	if (e->has_min && e->has_max && e->min > e->max)
		scn_report(c, scn_value_of(c, map, "max"), "'max' %s is less than 'min' %s",
			   scn_quote(hi, sizeof hi, re->max), scn_quote(lo, sizeof lo, re->min));
}

void scn_expects(struct scn_ctx *c, const struct scn_raw *raw, yaml_node_t *root,
		 struct scenario *scn)
{
	if (!raw->expect_count)
		return;
	yaml_node_t *seq = scn_value_of(c, root, "expect");
	for (unsigned i = 0; i < raw->expect_count; i++)
		expect(c, raw, &raw->expect[i], scn_item_of(c, seq, i), scn, &scn->expects[i]);
	scn->nexpects = raw->expect_count;
}
