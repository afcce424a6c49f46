/* `lbsim plan`; see include/lbsim/plan.h.
 *
 * One search per (users level, design). A search keeps every evaluation
 * (a size, simulated with every replication) and decides its next size
 * from them alone:
 *   - nothing known: the scenario's size scaled by users;
 *   - no size meets yet: with a busy target, guess from the busiest
 *     server's load (and never below the work bound), else double the
 *     largest failing size, until one meets, the cap is reached,
 *     or doubling stops helping (a plateau: the target cannot be met by
 *     more servers, and the figures say why);
 *   - a size meets: bisect between the largest failing size below it
 *     (or the work bound) and it, until they are adjacent.
 * Sizes are monotone only up to noise; hi and lo are recomputed from the
 * cache each time (the smallest size that met, the largest that failed
 * below it), so a noisy evaluation never loops the search. With a
 * balancer CPU target the search runs with the balancer unlimited, so
 * that the servers are not sized around a balancer bottleneck; then the
 * balancer gets ceil(peak / U) cores and one more evaluation verifies the
 * targets with the balancer limited (adding a core at a time, at most
 * three times, if its queue breaks a latency target).
 *
 * Cost: O(log2(max size)) evaluations per search for the bracket and as
 * many for the bisection, usually far fewer with the work bound; each
 * evaluation is `replications` runs, all searches' runs of a round in one
 * batch.
 */
#include "lbsim/plan.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lbsim/address.h"
#include "lbsim/csv_out.h"
#include "lbsim/gnuplot.h"
#include "lbsim/model_notes.h"
#include "lbsim/params.h"
#include "lbsim/queueing.h"
#include "lbsim/request.h"
#include "lbsim/run.h"
#include "lbsim/stats.h"
#include "lbsim/summary.h"
#include "lbsim/sweep.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
/* Work conservation: the measured mean busy fraction has a replication
 * noise of well under 1 % at the run lengths plans use; the bound is
 * lowered by 2 % so that noise never excludes the true answer. */
#define BOUND_MARGIN 0.98
/* Doubling capacity should cut a failing figure clearly: less than 10 %
 * while the servers' mean load fell with their number is a plateau. */
#define PLATEAU_GAIN 0.10
#define VERIFY_TRIES 3
#define GUESS_OVER 1.05

/* ---- the figures a plan keeps of each run ------------------------------- */

enum plan_fig {
	F_BUSY_MAX = 0, F_BUSY_MEAN, F_P99, F_MEAN, F_FAILED_SHARE, F_FAILED, F_NAT_REFUSED,
	F_LB_CPU, F_LB_PEAK, F_LB_MEM,
	F_WL_P99,
	F_WL_MEAN = F_WL_P99 + WL_COUNT,
	F_COUNT = F_WL_MEAN + WL_COUNT,
};

/* Catalogue names of the figures that are summary metrics (sim/runs/summary.c),
 * so that a plan judges exactly what summary.csv reports. */
static const char *const fig_metric[F_COUNT] = {
	[F_BUSY_MAX] = "server_busy_max", [F_BUSY_MEAN] = "server_busy_mean",
	[F_P99] = "response_p99", [F_MEAN] = "response_mean",
	[F_FAILED] = "failed_requests", [F_NAT_REFUSED] = "nat_refused",
	[F_LB_CPU] = "lb_cpu_cores", [F_LB_PEAK] = "lb_cpu_cores_peak",
	[F_LB_MEM] = "lb_mem_bytes",
};

/* The values a figure can take, for its interval: busy and failed
 * shares are fractions, the rest times, counts, cores and bytes. */
static enum value_range fig_range(int f)
{
	return f == F_BUSY_MAX || f == F_BUSY_MEAN || f == F_FAILED_SHARE ? RANGE_UNIT
									  : RANGE_NONNEG;
}

struct plan_getters {
	const struct summary_metric *all[F_COUNT];
	const struct summary_metric *wl_p99, *wl_mean;
};

/* The batch hook: a run's plan figures in plan_fig order. */
static void extract(void *ctx, const struct batch_task *t, const struct run_result *r,
		    double *out)
{
	(void)t;
	const struct plan_getters *g = ctx;
	for (int f = 0; f < F_COUNT; f++)
		if (g->all[f])
			out[f] = g->all[f]->get(r, 0);
	out[F_FAILED_SHARE] = r->measured ? (double)r->measured_failed / (double)r->measured : 0;
	for (int w = 0; w < WL_COUNT; w++) {
		out[F_WL_P99 + w] = g->wl_p99->get(r, w);
		out[F_WL_MEAN + w] = g->wl_mean->get(r, w);
	}
}

/* ---- options ------------------------------------------------------------ */

void plan_opts_init(struct plan_opts *o)
{
	memset(o, 0, sizeof *o);
	o->max_failed = -1;
}

/* A share in [0, 1], as 0.25 or (percent_ok) 25%. 0, or -1. */
static int parse_fraction(const char *text, int percent_ok, double *out)
{
	char *end;
	errno = 0;
	double x = strtod(text, &end);
	if (errno || end == text)
		return -1;
	if (percent_ok && *end == '%') {
		x /= 100;
		end++;
	}
	if (*end || !(x >= 0 && x <= 1))
		return -1;
	*out = x;
	return 0;
}

/* "200" (ms), "200ms", "0.2s", with "owa=" before for one workload. */
static int parse_latency(struct plan_opts *o, int p99, const char *value, char *err, size_t errlen)
{
	const char *name = p99 ? "--max-p99" : "--max-mean";
	struct plan_latency l = {.p99 = p99, .workload = -1};
	const char *eq = strchr(value, '=');
	const char *num = value;
	if (eq) {
		char wl[32];
		size_t n = (size_t)(eq - value);
		if (n >= sizeof wl)
			n = sizeof wl - 1;
		memcpy(wl, value, n);
		wl[n] = '\0';
		l.workload = workload_find(wl);
		if (l.workload < 0) {
			snprintf(err, errlen, "%s: unknown workload '%s'", name, wl);
			return -1;
		}
		num = eq + 1;
	}
	char *end;
	errno = 0;
	double ms = strtod(num, &end);
	if (errno || end == num || *end) {
		sim_time_t t;
		const char *why;
		if (scn_parse_duration(num, &t, &why) != 0) {
			snprintf(err, errlen, "%s takes [WORKLOAD=]MILLISECONDS (e.g. 200 or owa=200), "
				 "got '%s'", name, value);
			return -1;
		}
		ms = (double)t / 1e6;
	}
	if (!(ms > 0 && ms < 1e9)) {
		snprintf(err, errlen, "%s: the bound must be above 0 ms, got '%s'", name, value);
		return -1;
	}
	if (o->nlatency == PLAN_MAX_LATENCY) {
		snprintf(err, errlen, "%s: at most %d latency targets", name, PLAN_MAX_LATENCY);
		return -1;
	}
	l.ms = ms;
	o->latency[o->nlatency++] = l;
	return 0;
}

/* --users N1,N2,...: population totals, at least 1 each. */
static int parse_users(struct plan_opts *o, const char *value, char *err, size_t errlen)
{
	const char *p = value;
	o->nusers = 0;
	for (;;) {
		char *end;
		errno = 0;
		if (*p < '0' || *p > '9') {
			snprintf(err, errlen, "--users takes whole numbers separated by commas, got '%s'",
				 value);
			return -1;
		}
		unsigned long long v = strtoull(p, &end, 10);
		if (errno || (*end && *end != ',') || v == 0 ||
		    v > SCN_MAX_USERS * (unsigned long long)SCN_MAX_POPULATIONS) {
			snprintf(err, errlen, "--users takes whole numbers from 1 separated by "
				 "commas, got '%s'", value);
			return -1;
		}
		if (o->nusers == PLAN_MAX_LEVELS) {
			snprintf(err, errlen, "--users: at most %d values", PLAN_MAX_LEVELS);
			return -1;
		}
		o->users[o->nusers++] = v;
		if (!*end)
			return 0;
		p = end + 1;
	}
}

int plan_opts_parse(struct plan_opts *o, const char *name, const char *value, char *err,
		    size_t errlen)
{
	if (strcmp(name, "max-lb-cpu") == 0 || strcmp(name, "max-server-busy") == 0) {
		double x;
		if (parse_fraction(value, 1, &x) != 0 || x == 0) {
			snprintf(err, errlen, "--%s takes a busy fraction above 0 and at most 1 "
				 "(e.g. 0.7 or 70%%), got '%s'", name, value);
			return -1;
		}
		*(name[4] == 'l' ? &o->max_lb_cpu : &o->max_server_busy) = x;
		return 0;
	}
	if (strcmp(name, "max-failed") == 0) {
		if (parse_fraction(value, 1, &o->max_failed) != 0) {
			snprintf(err, errlen, "--max-failed takes a share of requests from 0 to 1 "
				 "(e.g. 0.001 or 0.1%%), got '%s'", value);
			return -1;
		}
		return 0;
	}
	if (strcmp(name, "max-p99") == 0 || strcmp(name, "max-mean") == 0)
		return parse_latency(o, name[4] == 'p', value, err, errlen);
	if (strcmp(name, "users") == 0)
		return parse_users(o, value, err, errlen);
	if (strcmp(name, "size-by") == 0) {
		if (strcmp(value, "servers.count") == 0)
			o->size_key = PLAN_SIZE_SERVERS;
		else if (strcmp(value, "servers.cores") == 0)
			o->size_key = PLAN_SIZE_CORES;
		else {
			snprintf(err, errlen, "--size-by takes servers.count or servers.cores, got '%s'",
				 value);
			return -1;
		}
		return 0;
	}
	if (strcmp(name, "max-size") == 0) {
		char *end;
		errno = 0;
		unsigned long v = strtoul(value, &end, 10);
		if (errno || *end || *value < '0' || *value > '9' || v == 0 || v > SCN_MAX_SERVERS) {
			snprintf(err, errlen, "--max-size takes a whole number from 1 to %u, got '%s'",
				 SCN_MAX_SERVERS, value);
			return -1;
		}
		o->max_size = (uint32_t)v;
		return 0;
	}
	if (strcmp(name, "spare") == 0) {
		char *end;
		errno = 0;
		unsigned long v = strtoul(value, &end, 10);
		if (errno || *end || *value < '0' || *value > '9' || v >= SCN_MAX_SERVERS) {
			snprintf(err, errlen, "--spare takes a whole number of servers from 0 to %u, "
				 "got '%s'", SCN_MAX_SERVERS - 1, value);
			return -1;
		}
		o->spare = (uint32_t)v;
		return 0;
	}
	snprintf(err, errlen, "unknown plan option --%s", name);
	return -1;
}

/* Does any target depend on the servers' size (so that there is a search)? */
static int server_targets(const struct plan_opts *o)
{
	return o->max_server_busy > 0 || o->max_failed >= 0 || o->nlatency > 0;
}

int plan_opts_check(const struct plan_opts *o, const struct scenario *scn, char *err,
		    size_t errlen)
{
	if (!server_targets(o) && o->max_lb_cpu == 0) {
		snprintf(err, errlen, "plan needs a target: --max-server-busy, --max-p99, "
			 "--max-mean, --max-failed or --max-lb-cpu");
		return -1;
	}
	for (unsigned i = 0; i < o->nlatency; i++) {
		int w = o->latency[i].workload;
		if (w >= 0 && !summary_workload_used(scn, w)) {
			snprintf(err, errlen, "--max-%s %s=...: no population of the scenario sends "
				 "%s requests", o->latency[i].p99 ? "p99" : "mean",
				 workload_name((enum workload)w), workload_name((enum workload)w));
			return -1;
		}
	}
	/* Sizing by cores sets servers.cores, which a server with cores of
	 * its own (servers: list:) would ignore: the plan would not be the
	 * size it says. */
	if (o->size_key == PLAN_SIZE_CORES && !scn_servers_uniform_cores(&scn->servers)) {
		snprintf(err, errlen, "--size-by servers.cores: some servers of servers: list: have "
			 "cores of their own, which servers.cores does not change; size by "
			 "servers.count, or give every server the same cores");
		return -1;
	}
	if (o->spare && o->size_key == PLAN_SIZE_CORES && o->spare >= scn->servers.count) {
		snprintf(err, errlen, "--spare %u with --size-by servers.cores: the scenario has %u "
			 "servers, so none would be left to serve", o->spare, scn->servers.count);
		return -1;
	}
	/* Every users level must be one the scenario can take (each
	 * population at least one user, at most the loader's limit): said
	 * now, not by a run that fails halfway through the plan. */
	for (unsigned i = 0; i < o->nusers; i++) {
		struct scenario copy;
		char why[512];
		if (params_copy(&copy, scn) != 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		int bad = params_scale_users(&copy, o->users[i], why, sizeof why) != 0;
		params_copy_free(&copy);
		if (bad) {
			snprintf(err, errlen, "--%s", why);
			return -1;
		}
	}
	uint32_t limit = o->size_key == PLAN_SIZE_CORES ? SCN_MAX_CORES : SCN_MAX_SERVERS;
	if (o->max_size > limit) {
		snprintf(err, errlen, "--max-size %u is above the limit of %u for %s", o->max_size,
			 limit, o->size_key == PLAN_SIZE_CORES ? "servers.cores" : "servers.count");
		return -1;
	}
	/* Servers the plan adds take addresses by rule (consecutive ones,
	 * or 127.0.0.1:10001 + index): one of them must not be a listed
	 * server's, which the loader checked only up to the scenario's own
	 * count. */
	uint32_t first, later;
	int shared = o->size_key == PLAN_SIZE_SERVERS
			     ? scn_servers_shared_endpoint(&scn->servers, o->max_size ? o->max_size : limit,
							   &first, &later)
			     : 0;
	if (shared < 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (shared) {
		char text[LB_ADDR_TEXT_MAX + 8];
		const struct lb_endpoint *ep = &scn->servers.endpoints[later];
		lb_endpoint_format(&ep->addr, ep->port, text, sizeof text);
		snprintf(err, errlen, "--size-by servers.count: growing to %u servers would give server "
			 "%u the address %s, which server %u has; give the servers that share it "
			 "their own addresses (servers: list:), or --max-size %u", later + 1,
			 later + 1, text, first + 1, later);
		return -1;
	}
	return 0;
}

/* ---- targets -------------------------------------------------------------- */

struct target {
	int fig;
	double limit;
	char label[64];              /* "response_p99 (owa)" */
	const char *unit;            /* "ms", "", ... for messages */
};

struct plan_eval {
	uint32_t size, lb_cores;
	int verify;                  /* run with the balancer limited */
	int ok;                      /* every target met */
	int failing;                 /* first target not met, -1 */
	double mean[F_COUNT];
	double lo[F_COUNT], hi[F_COUNT]; /* their 95 % intervals (NaN: one replication) */
	double worst[F_COUNT];       /* the largest over the replications */
	double judged[F_COUNT];      /* mean, interval's upper end or worst (judge_mode) */
};

enum search_state { S_SEARCH = 0, S_VERIFY, S_DONE };

struct plan_search {
	struct scenario scn;         /* the level's scenario; size and lb cores set per probe */
	uint64_t users;
	uint32_t design;
	uint32_t start, min, max;
	uint32_t bound;              /* sizes below it fail (work conservation); 0: unknown */
	struct plan_eval evals[PLAN_MAX_EVALS];
	unsigned nevals;
	enum search_state state;
	uint32_t probe_size, probe_lb;
	unsigned tries;
	int guessed;                 /* the last bracket step was a guess, not a doubling */
	struct plan_row *row;
	/* The scenario's faults, then one per spare server (down from the
	 * start, never back): owned, s->scn.faults points here. */
	struct scn_fault *faults;
	uint32_t nbase_faults;
};

struct plan_ctx {
	const struct plan_opts *o;
	struct target targets[4 + PLAN_MAX_LATENCY];
	unsigned ntargets;
	const char *size_name;       /* "servers" or "cores" */
	FILE *progress;
};

/* Append a target: figure fig at most limit. */
static void add_target(struct plan_ctx *pc, int fig, double limit, const char *label,
		       const char *unit)
{
	struct target *t = &pc->targets[pc->ntargets++];
	t->fig = fig;
	t->limit = limit;
	t->unit = unit;
	snprintf(t->label, sizeof t->label, "%s", label);
}

/* The targets of the options, server busy first (the usual binding one). */
static void build_targets(struct plan_ctx *pc)
{
	const struct plan_opts *o = pc->o;
	if (o->max_server_busy > 0)
		add_target(pc, F_BUSY_MAX, o->max_server_busy, "server_busy_max", "");
	for (unsigned i = 0; i < o->nlatency; i++) {
		const struct plan_latency *l = &o->latency[i];
		char label[64];
		const char *m = l->p99 ? "response_p99" : "response_mean";
		int fig = l->workload < 0 ? (l->p99 ? F_P99 : F_MEAN)
					  : (l->p99 ? F_WL_P99 : F_WL_MEAN) + l->workload;
		if (l->workload < 0)
			snprintf(label, sizeof label, "%s", m);
		else
			snprintf(label, sizeof label, "%s (%s)", m,
				 workload_name((enum workload)l->workload));
		add_target(pc, fig, l->ms, label, " ms");
	}
	if (o->max_failed >= 0)
		add_target(pc, F_FAILED_SHARE, o->max_failed, "failed share", "");
}

/* Set e->ok and e->failing from the judged figures. */
static void judge(const struct plan_ctx *pc, struct plan_eval *e)
{
	e->ok = 1;
	e->failing = -1;
	for (unsigned i = 0; i < pc->ntargets; i++) {
		const struct target *t = &pc->targets[i];
		if (!(e->judged[t->fig] <= t->limit)) {
			e->ok = 0;
			if (e->failing < 0)
				e->failing = (int)i;
		}
	}
}

/* "response_p99 412 ms > 200 ms" */
static void describe_fail(const struct plan_ctx *pc, const struct plan_eval *e, int t, char *buf,
			  size_t len)
{
	const struct target *x = &pc->targets[t];
	snprintf(buf, len, "%s %.4g%s > %.4g%s", x->label, e->judged[x->fig], x->unit, x->limit,
		 x->unit);
}

/* ---- one search ----------------------------------------------------------- */

/* Put the next evaluation's size (and balancer cores, when the plan
 * sizes the balancer) on the search's scenario. */
static void set_probe(struct plan_search *s, const struct plan_opts *o)
{
	if (o->size_key == PLAN_SIZE_CORES)
		s->scn.servers.cores = s->probe_size;
	else
		s->scn.servers.count = s->probe_size;
	/* N+1: the last `spare` servers fail at the start and never come
	 * back; the balancer's health checks take them out (within fall x
	 * inter, in the warm-up when it is longer). The scenario's own
	 * faults stay on the servers before them (init_searches). */
	for (uint32_t k = 0; k < o->spare; k++)
		s->faults[s->nbase_faults + k] = (struct scn_fault){
			.at = 0, .duration = SIM_TIME_NEVER, .kind = SCN_FAULT_SERVER_DOWN,
			.server = s->scn.servers.count - o->spare + k};
	struct scn_design *d = &s->scn.designs[s->design];
	if (o->max_lb_cpu > 0) {
		d->lb_cores = s->probe_lb;
		if (d->lb_cores && d->lb_queue == 0)
			d->lb_queue = SCN_DEFAULT_LB_QUEUE;
	}
}

/* The search evaluation of a size (not a verification), or NULL. */
static const struct plan_eval *eval_at(const struct plan_search *s, uint32_t size)
{
	for (unsigned i = 0; i < s->nevals; i++)
		if (!s->evals[i].verify && s->evals[i].size == size)
			return &s->evals[i];
	return NULL;
}

/* Finish the search with evaluation e: its figures go into the row. */
static void fill_row(struct plan_search *s, const struct plan_eval *e, int met,
		     const struct plan_opts *o)
{
	struct plan_row *r = s->row;
	r->met = met;
	r->servers = o->size_key == PLAN_SIZE_SERVERS ? e->size : s->scn.servers.count;
	r->cores = o->size_key == PLAN_SIZE_CORES ? e->size : s->scn.servers.cores;
	r->spare = o->spare;
	r->lb_cores = o->max_lb_cpu > 0 ? e->lb_cores : s->scn.designs[s->design].lb_cores;
#define FIG(f) ((struct plan_figure){e->mean[f], e->lo[f], e->hi[f]})
	r->lb_cpu_cores = FIG(F_LB_CPU);
	r->lb_cpu_cores_peak = FIG(F_LB_PEAK);
	r->lb_mem_bytes = FIG(F_LB_MEM);
	r->server_busy_max = FIG(F_BUSY_MAX);
	r->response_p99_ms = FIG(F_P99);
	r->failed_share = FIG(F_FAILED_SHARE);
#undef FIG
	r->server_busy_max_worst = e->worst[F_BUSY_MAX];
	r->evaluations = s->nevals;
	r->simulations = s->nevals * s->scn.replications;
	s->state = S_DONE;
}

/* Balancer cores for a peak CPU: the busiest 10 s window, not the mean,
 * because a balancer sized to the mean is saturated in every burst, and
 * a saturated queue grows for the whole window. */
static uint32_t lb_cores_for(const struct plan_ctx *pc, const struct plan_eval *e)
{
	double need = e->judged[F_LB_PEAK] / pc->o->max_lb_cpu;
	double cores = ceil(need * (1 - 1e-12));
	return cores < 1 ? 1 : cores > SCN_MAX_CORES ? SCN_MAX_CORES : (uint32_t)cores;
}

/* A size met the targets: verify with the balancer sized, or finish. */
static int found(struct plan_ctx *pc, struct plan_search *s, const struct plan_eval *e,
		 uint32_t lo, int lo_by_bound)
{
	char *why = s->row->why;
	size_t len = sizeof s->row->why, used = 0;
	const char *unit = pc->size_name;
	char spare[64] = "";
	if (pc->o->spare)
		snprintf(spare, sizeof spare, " with %u server%s down", pc->o->spare,
			 pc->o->spare == 1 ? "" : "s");
	if (!server_targets(pc->o))
		used = (size_t)snprintf(why, len, "%s as the scenario says (no server target)", unit);
	else if (lo == 0 || lo < s->min)
		used = (size_t)snprintf(why, len, "the smallest size (%u %s) meets every target%s",
					e->size, unit, spare);
	else if (lo_by_bound)
		used = (size_t)snprintf(why, len, "%u %s meet every target%s; with %u or fewer the "
					"servers' own work would keep them about %.4g busy or more on "
					"average", e->size, unit, spare, lo, pc->o->max_server_busy);
	else {
		const struct plan_eval *f = eval_at(s, lo);
		char fail[160] = "";
		if (f && f->failing >= 0)
			describe_fail(pc, f, f->failing, fail, sizeof fail);
		used = (size_t)snprintf(why, len, "%u %s meet every target%s; with %u: %s", e->size,
					unit, spare, lo, fail);
	}
	if (pc->o->max_lb_cpu > 0) {
		s->state = S_VERIFY;
		s->probe_size = e->size;
		s->probe_lb = lb_cores_for(pc, e);
		if (used < len)
			snprintf(why + used, len - used, "; balancer cores = ceil(%.4g cores in the "
				 "busiest 10 s / %.4g) = %u", e->judged[F_LB_PEAK], pc->o->max_lb_cpu,
				 s->probe_lb);
		return 1;
	}
	fill_row(s, e, 1, pc->o);
	return 0;
}

/* The servers' mean busy fraction is over every server, the spare ones
 * (down, idle) included: the mean of the servers up is larger by n / (n -
 * spare). */
static double up_share(const struct plan_ctx *pc, const struct plan_search *s, uint32_t size)
{
	uint32_t n = pc->o->size_key == PLAN_SIZE_SERVERS ? size : s->scn.servers.count;
	return n > pc->o->spare ? (double)n / (double)(n - pc->o->spare) : 1;
}

static double up_busy_mean(const struct plan_ctx *pc, const struct plan_search *s,
			   const struct plan_eval *e)
{
	return e->mean[F_BUSY_MEAN] * up_share(pc, s, e->size);
}

/* Why more capacity does not help the failing target t, from the figures
 * at the largest size evaluated. */
static void explain(const struct plan_ctx *pc, const struct plan_search *s,
		    const struct plan_eval *e, int t, char *buf, size_t len)
{
	const struct target *x = &pc->targets[t];
	const struct scenario *scn = &s->scn;
	if (x->fig == F_FAILED_SHARE && e->mean[F_NAT_REFUSED] > 0) {
		snprintf(buf, len, ": %.0f connections were refused by a NAT out of ports "
			 "(nat_refused), which more servers cannot fix; give the NAT populations "
			 "more addresses or ports", e->mean[F_NAT_REFUSED]);
	} else if (x->fig == F_FAILED_SHARE) {
		snprintf(buf, len, ": the failures do not come from server capacity (a fault, or "
			 "the balancer refusing)");
	} else if (x->fig == F_BUSY_MAX) {
		snprintf(buf, len, ": the busiest server keeps its load (%.4g busy while the mean "
			 "of the servers up is %.4g): skew from persistence, hashing or NAT that more "
			 "servers do not spread", e->judged[F_BUSY_MAX], up_busy_mean(pc, s, e));
	} else {
		int open = 1;
		for (uint32_t i = 0; i < scn->npopulations; i++)
			open &= scn->populations[i].request_rate > 0;
		double s_ms = (double)scn->servers.service_mean / 1e6;
		if (open)
			snprintf(buf, len, ": it is close to the service time alone (a request's "
				 "CPU demand: mean %.4g ms, p99 %.4g ms) plus the balancer, which more "
				 "servers do not shorten", s_ms, s_ms * log(100.0));
		else
			snprintf(buf, len, ": the servers are no longer the bottleneck (service "
				 "times, the balancer or the clients set it)");
	}
}

/* Has doubling stopped helping? a and b are failing evaluations, b the
 * larger with at least 1.5 times a's capacity. */
static int plateau(struct plan_ctx *pc, struct plan_search *s, const struct plan_eval *a,
		   const struct plan_eval *b)
{
	double grew = (double)b->size / (double)a->size;
	if (grew < 1.5)
		return 0;
	/* Only conclusive when the servers were not saturated at the smaller
	 * size: then their work is conserved and their mean load falls in
	 * proportion to the capacity (within 10 %). Saturated servers report
	 * less work than is offered, and then any figure may still fall. */
	if (!(b->mean[F_BUSY_MEAN] * grew <= (1 + PLATEAU_GAIN) * a->mean[F_BUSY_MEAN]))
		return 0;
	for (unsigned i = 0; i < pc->ntargets; i++) {
		const struct target *t = &pc->targets[i];
		double va = a->judged[t->fig], vb = b->judged[t->fig];
		if (vb <= t->limit || !(vb > (1 - PLATEAU_GAIN) * va))
			continue;
		char fail[160], cause[400];
		describe_fail(pc, b, (int)i, fail, sizeof fail);
		explain(pc, s, b, (int)i, cause, sizeof cause);
		snprintf(s->row->why, sizeof s->row->why, "cannot be met: %s, and it went only from "
			 "%.4g to %.4g between %u and %u %s%s", fail, va, vb, a->size, b->size,
			 pc->size_name, cause);
		fill_row(s, b, 0, pc->o);
		return 1;
	}
	return 0;
}

/* Finish the search before any simulation when a latency target is below
 * what the service time alone allows (open traffic only: its demand is
 * known). */
static void precheck_floor(struct plan_ctx *pc, struct plan_search *s)
{
	const struct scenario *scn = &s->scn;
	for (uint32_t i = 0; i < scn->npopulations; i++)
		if (!(scn->populations[i].request_rate > 0))
			return;
	/* Open traffic: every request needs an exponential CPU demand of mean
	 * S on a server core, so its response time is at least that: mean S,
	 * p99 S ln 100, before any queueing or balancer time. */
	double s_ms = (double)scn->servers.service_mean / 1e6;
	for (unsigned i = 0; i < pc->ntargets; i++) {
		const struct target *t = &pc->targets[i];
		int p99 = t->fig == F_P99 || (t->fig >= F_WL_P99 && t->fig < F_WL_P99 + WL_COUNT);
		int mean = t->fig == F_MEAN || (t->fig >= F_WL_MEAN && t->fig < F_WL_MEAN + WL_COUNT);
		double floor_ms = p99 ? s_ms * log(100.0) : s_ms;
		/* 1 % below the floor: the histogram resolves p99 to 0.8 %. */
		if (!(p99 || mean) || t->limit >= floor_ms * 0.99)
			continue;
		snprintf(s->row->why, sizeof s->row->why, "cannot be met: the %s target %.4g ms is "
			 "below the service time alone (exponential CPU demand of mean %.4g ms: %s "
			 "%.4g ms before any queueing), whatever the number of servers; no simulation "
			 "needed", t->label, t->limit, s_ms, p99 ? "p99" : "mean", floor_ms);
		struct plan_eval none = {.size = s->start};
		for (int f = 0; f < F_COUNT; f++)
			none.mean[f] = none.lo[f] = none.hi[f] = NAN;
		fill_row(s, &none, 0, pc->o);
		s->row->evaluations = s->row->simulations = 0;
		return;
	}
}

/* Decide the search's next evaluation. Returns 1 with probe_size and
 * probe_lb set, 0 when the search is done (row filled). */
static int next_probe(struct plan_ctx *pc, struct plan_search *s)
{
	if (s->state == S_DONE)
		return 0;
	if (s->nevals == PLAN_MAX_EVALS) {
		snprintf(s->row->why, sizeof s->row->why, "gave up after %d evaluations",
			 PLAN_MAX_EVALS);
		fill_row(s, &s->evals[s->nevals - 1], 0, pc->o);
		return 0;
	}
	if (s->state == S_VERIFY) {
		const struct plan_eval *e = &s->evals[s->nevals - 1];
		if (e->ok) {
			fill_row(s, e, 1, pc->o);
			return 0;
		}
		char fail[160];
		describe_fail(pc, e, e->failing, fail, sizeof fail);
		if (s->tries++ < VERIFY_TRIES && s->probe_lb < SCN_MAX_CORES) {
			s->probe_lb++;
			return 1;
		}
		size_t used = strlen(s->row->why);
		snprintf(s->row->why + used, sizeof s->row->why - used, "; but with the balancer "
			 "limited to %u cores: %s (its queue), and %d more cores did not help",
			 e->lb_cores, fail, VERIFY_TRIES);
		fill_row(s, e, 0, pc->o);
		return 0;
	}
	s->probe_lb = 0;
	if (s->nevals == 0) {
		s->probe_size = s->start;
		return 1;
	}
	if (!server_targets(pc->o))
		return found(pc, s, &s->evals[0], 0, 0);
	uint32_t hi = 0, lo = 0;
	for (unsigned i = 0; i < s->nevals; i++) {
		const struct plan_eval *e = &s->evals[i];
		if (!e->verify && e->ok && (hi == 0 || e->size < hi))
			hi = e->size;
	}
	for (unsigned i = 0; i < s->nevals; i++) {
		const struct plan_eval *e = &s->evals[i];
		if (!e->verify && !e->ok && (hi == 0 || e->size < hi) && e->size > lo)
			lo = e->size;
	}
	if (hi == 0) {
		const struct plan_eval *b = eval_at(s, lo), *a = NULL;
		for (unsigned i = 0; i < s->nevals; i++) {
			const struct plan_eval *e = &s->evals[i];
			if (!e->verify && e->size < lo && (!a || e->size > a->size))
				a = e;
		}
		if (a && plateau(pc, s, a, b))
			return 0;
		if (lo >= s->max) {
			char fail[160];
			describe_fail(pc, b, b->failing, fail, sizeof fail);
			snprintf(s->row->why, sizeof s->row->why, "not met at the limit of %u %s "
				 "(--max-size): %s", s->max, pc->size_name, fail);
			fill_row(s, b, 0, pc->o);
			return 0;
		}
		/* With a busy target, guess where the busiest server would
		 * just meet it if its load fell as 1/size (5 % over, so that
		 * the guess usually meets and bisection closes the gap). A
		 * guess that failed is followed by a doubling, so that skew
		 * falling slower than 1/size cannot make the bracket crawl.
		 * The work bound, a proven floor, always applies. */
		uint64_t next = 2 * (uint64_t)lo;
		double guess = 0;
		int guessed = 0;
		if (pc->o->max_server_busy > 0) {
			double busy = b->judged[F_BUSY_MAX];
			if (!s->guessed && busy < 0.98) {
				/* The servers up share the load: with spare ones,
				 * (size - spare) of them. */
				uint32_t spare = pc->o->size_key == PLAN_SIZE_SERVERS ? pc->o->spare : 0;
				guess = ceil((double)(lo - spare) * busy / pc->o->max_server_busy *
					     GUESS_OVER) + spare;
				guessed = 1;
			}
			if (guess < s->bound) {
				guess = s->bound;
				guessed = 0;
			}
		}
		s->guessed = 0;
		if (guess > lo && guess < (double)next) {
			next = (uint64_t)guess;
			s->guessed = guessed;
		}
		s->probe_size = next > s->max ? s->max : (uint32_t)next;
		return 1;
	}
	uint32_t low = lo;
	int by_bound = 0;
	if (s->bound > 1 && s->bound - 1 > low && s->bound - 1 < hi) {
		low = s->bound - 1;
		by_bound = 1;
	}
	if (s->min > 1 && s->min - 1 > low && s->min - 1 < hi)
		low = s->min - 1;
	if (hi - low <= 1)
		return found(pc, s, eval_at(s, hi), low, by_bound);
	s->probe_size = low + (hi - low) / 2;
	return 1;
}

/* Aggregate the replications of the search's probe into an evaluation. */
static void record(struct plan_ctx *pc, struct plan_search *s, const double *values,
		   size_t first)
{
	uint32_t reps = s->scn.replications;
	struct plan_eval *e = &s->evals[s->nevals++];
	memset(e, 0, sizeof *e);
	e->size = s->probe_size;
	e->lb_cores = s->probe_lb;
	e->verify = s->state == S_VERIFY;
	double buf[SCN_MAX_REPLICATIONS];
	for (int f = 0; f < F_COUNT; f++) {
		for (uint32_t r = 0; r < reps; r++)
			buf[r] = values[(first + r) * F_COUNT + (size_t)f];
		struct estimate est = estimate_mean_in(buf, reps, fig_range(f));
		e->mean[f] = est.mean;
		e->lo[f] = est.ci_low;
		e->hi[f] = est.ci_high;
		/* Every target is an upper limit, so the worst replication
		 * is the largest value (NaN when none has one). */
		e->worst[f] = NAN;
		for (uint32_t r = 0; r < reps; r++)
			if (!isnan(buf[r]) && !(buf[r] <= e->worst[f]))
				e->worst[f] = buf[r];
		e->judged[f] = pc->o->judge == JUDGE_EVERY		  ? e->worst[f]
			       : pc->o->judge == JUDGE_UPPER && est.n > 1 ? est.ci_high
									  : est.mean;
	}
	judge(pc, e);
	/* Work conservation: the servers' busy core-time does not depend on
	 * how many there are, so a size below size * busy_mean / V would
	 * leave them busier than V on average, and the busiest even more. */
	if (!e->verify && pc->o->max_server_busy > 0 && e->mean[F_BUSY_MEAN] > 0) {
		/* With spare servers the work falls on the others: servers
		 * need work / V + spare of them; cores per server need the
		 * servers up to hold it. */
		double need = (double)e->size * e->mean[F_BUSY_MEAN] / pc->o->max_server_busy;
		if (pc->o->size_key == PLAN_SIZE_CORES)
			need *= up_share(pc, s, e->size);
		double b = ceil(need * BOUND_MARGIN) +
			   (pc->o->size_key == PLAN_SIZE_SERVERS ? pc->o->spare : 0);
		if (b > s->max)
			b = s->max;
		if ((uint32_t)b > s->bound)
			s->bound = (uint32_t)b;
	}
	if (pc->progress) {
		char what[200] = "meets the targets";
		if (!e->ok)
			describe_fail(pc, e, e->failing, what, sizeof what);
		char lb[48] = "";
		if (e->verify)
			snprintf(lb, sizeof lb, ", balancer %u cores", e->lb_cores);
		fprintf(pc->progress, "lbsim: plan %llu users, design %s: %u %s%s: %s\n",
			(unsigned long long)s->users, s->scn.designs[s->design].name, e->size,
			pc->size_name, lb, what);
	}
}

/* ---- the analytic reference ------------------------------------------------ */

/* Why the M/M/c reference does not apply to the search, or NULL. */
static const char *no_reference(const struct plan_ctx *pc, const struct plan_search *s)
{
	const struct scenario *scn = &s->scn;
	for (uint32_t i = 0; i < scn->npopulations; i++)
		if (!(scn->populations[i].request_rate > 0))
			return "device traffic: no closed form";
	if (s->nbase_faults)
		return "the scenario has faults";
	if (scn->servers.affinity_required)
		return "affinity required: re-authentication work";
	if (!server_targets(pc->o))
		return "no server target";
	return NULL;
}

struct mmc_case {
	double lambda;               /* requests per second, all servers */
	double s;                    /* mean demand, seconds */
	uint32_t count, cores;       /* the scenario's, for the key not sized */
};

/* The M/M/c model at a size: each of the servers up gets an independent
 * Poisson share. Sets busy and p99 (ms); returns 1 when it meets every
 * server target (failures: none in this model). */
static int mmc_meets(const struct plan_ctx *pc, const struct mmc_case *m, uint32_t size,
		     double *busy, double *p99_ms)
{
	int servers = pc->o->size_key == PLAN_SIZE_SERVERS;
	uint32_t n = servers ? size : m->count, c = servers ? m->cores : size;
	uint32_t up = n > pc->o->spare ? n - pc->o->spare : 0;
	*busy = *p99_ms = NAN;
	if (up == 0)
		return 0;
	double lambda = m->lambda / up;
	*busy = lambda * m->s / c;
	*p99_ms = mmc_response_quantile(c, lambda, m->s, 0.99) * 1e3;
	if (!(*busy < 1))
		return 0;
	double mean_ms = mmc_response_mean(c, lambda, m->s) * 1e3;
	for (unsigned i = 0; i < pc->ntargets; i++) {
		const struct target *t = &pc->targets[i];
		int f = t->fig;
		double v = f == F_BUSY_MAX ? *busy
			   : f == F_P99 || (f >= F_WL_P99 && f < F_WL_P99 + WL_COUNT) ? *p99_ms
			   : f == F_MEAN || (f >= F_WL_MEAN && f < F_WL_MEAN + WL_COUNT) ? mean_ms
			   : 0;
		if (!(v <= t->limit))
			return 0;
	}
	return 1;
}

/* Fill the row's reference columns: the smallest size the model says
 * meets the targets (bisection: its figures fall as capacity grows), and
 * its busy fraction and p99 at the planned size. */
static void reference(struct plan_ctx *pc, struct plan_search *s)
{
	struct plan_row *r = s->row;
	r->erlang_size = r->erlang_busy = r->erlang_p99_ms = NAN;
	r->why_no_reference = no_reference(pc, s);
	if (r->why_no_reference)
		return;
	struct mmc_case m = {.s = (double)s->scn.servers.service_mean / 1e9,
			     .count = s->scn.servers.count, .cores = s->scn.servers.cores};
	for (uint32_t i = 0; i < s->scn.npopulations; i++)
		m.lambda += (double)s->scn.populations[i].users * s->scn.populations[i].request_rate;
	double busy, p99;
	uint32_t planned = pc->o->size_key == PLAN_SIZE_SERVERS ? r->servers : r->cores;
	mmc_meets(pc, &m, planned, &r->erlang_busy, &r->erlang_p99_ms);
	if (!mmc_meets(pc, &m, s->max, &busy, &p99)) {
		r->why_no_reference = "not met up to the size limit";
		return;
	}
	uint32_t lo = s->min, hi = s->max;
	if (mmc_meets(pc, &m, lo, &busy, &p99)) {
		r->erlang_size = lo;
		return;
	}
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		*(mmc_meets(pc, &m, mid, &busy, &p99) ? &hi : &lo) = mid;
	}
	r->erlang_size = hi;
}

/* ---- memory ---------------------------------------------------------------- */

void plan_memory_need(const struct scenario *scn, const struct plan_opts *o, unsigned jobs,
		      struct memory_need *m)
{
	*m = (struct memory_need){0};
	uint64_t base_users = params_total_users(scn);
	unsigned nlevels = o->nusers ? o->nusers : 1;
	uint32_t base_size = o->size_key == PLAN_SIZE_CORES ? scn->servers.cores : scn->servers.count;
	uint32_t max = o->max_size ? o->max_size
		       : o->size_key == PLAN_SIZE_CORES ? SCN_MAX_CORES : SCN_MAX_SERVERS;
	for (unsigned l = 0; l < nlevels; l++) {
		struct scenario s;
		if (params_copy(&s, scn) != 0)
			continue;
		char err[256];
		uint64_t users = o->nusers ? o->users[l] : base_users;
		if (o->nusers && params_scale_users(&s, users, err, sizeof err) != 0) {
			params_copy_free(&s);
			continue;
		}
		/* The first size the search tries (and where a too-small one
		 * piles requests up), and the largest it may reach. */
		double guess = ceil((double)base_size * (double)users / (double)base_users);
		uint32_t sizes[2] = {guess < 1 ? 1 : guess > max ? max : (uint32_t)guess, max};
		for (int k = 0; k < 2; k++) {
			if (o->size_key == PLAN_SIZE_CORES)
				s.servers.cores = sizes[k];
			else
				s.servers.count = sizes[k];
			for (uint32_t d = 0; d < s.ndesigns; d++) {
				double b = (double)run_memory_estimate(&s, d);
				if (b > m->per_run) {
					m->per_run = b;
					m->queued = run_overload(&s, &m->offered, &m->capacity) *
						    sizeof(struct request);
				}
			}
		}
		params_copy_free(&s);
	}
	/* A round runs one evaluation (every replication) of every search. */
	size_t round = (size_t)nlevels * scn->ndesigns * scn->replications;
	m->side_by_side = jobs == 0 ? 1 : jobs < round ? jobs : (unsigned)round;
	/* Each search keeps its evaluations' figures: at most twice log2(max)
	 * sizes, and a few balancer verifications. */
	m->kept = (double)nlevels * scn->ndesigns * (2 * log2((double)max + 1) + 8) *
		  scn->replications * F_COUNT * sizeof(double);
	m->total = m->per_run * m->side_by_side + m->kept;
}

/* ---- the planner ---------------------------------------------------------- */

/* One search per users level and design, each with its own copy of the
 * scenario scaled to its users, and its first size. */
static int init_searches(struct plan_ctx *pc, struct plan *pl, struct plan_search *searches,
			 const struct scenario *base, char *err, size_t errlen)
{
	const struct plan_opts *o = pc->o;
	uint64_t base_users = params_total_users(base);
	unsigned nlevels = o->nusers ? o->nusers : 1;
	uint32_t base_size = o->size_key == PLAN_SIZE_CORES ? base->servers.cores
							      : base->servers.count;
	uint32_t max = o->max_size ? o->max_size
		       : o->size_key == PLAN_SIZE_CORES ? SCN_MAX_CORES : SCN_MAX_SERVERS;
	/* A fault on server k needs k servers at least, and the spare
	 * servers come after the scenario's faulty ones (a fault ending on a
	 * spare server would bring it back). */
	uint32_t spare_servers = o->size_key == PLAN_SIZE_SERVERS ? o->spare : 0;
	uint32_t min = 1 + spare_servers, faulty = 0;
	for (uint32_t f = 0; f < base->nfaults; f++)
		if (base->faults[f].server + 1 > faulty)
			faulty = base->faults[f].server + 1;
	if (o->size_key == PLAN_SIZE_SERVERS && faulty + spare_servers > min)
		min = faulty + spare_servers;
	if (min > max) {
		snprintf(err, errlen, "the scenario's faults%s need %u servers, more than --max-size %u",
			 o->spare ? " and --spare" : "", min, max);
		return -1;
	}
	if (o->spare && o->size_key == PLAN_SIZE_CORES && faulty > base->servers.count - o->spare) {
		snprintf(err, errlen, "--spare %u: the spare servers are the last %u of %u, and the "
			 "scenario has a fault on server %u; give the faults lower servers", o->spare,
			 o->spare, base->servers.count, faulty);
		return -1;
	}
	size_t k = 0;
	for (unsigned l = 0; l < nlevels; l++) {
		uint64_t users = o->nusers ? o->users[l] : base_users;
		for (uint32_t d = 0; d < base->ndesigns; d++, k++) {
			struct plan_search *s = &searches[k];
			s->row = &pl->rows[k];
			s->row->users = users;
			s->row->design = d;
			s->users = users;
			s->design = d;
			if (params_copy(&s->scn, base) != 0) {
				snprintf(err, errlen, "out of memory");
				return -1;
			}
			if (o->nusers && params_scale_users(&s->scn, users, err, errlen) != 0)
				return -1;
			s->nbase_faults = base->nfaults;
			if (o->spare) {
				s->faults = calloc(base->nfaults + o->spare, sizeof *s->faults);
				if (!s->faults) {
					snprintf(err, errlen, "out of memory");
					return -1;
				}
				if (base->nfaults)
					memcpy(s->faults, base->faults, base->nfaults * sizeof *s->faults);
				s->scn.faults = s->faults;
				s->scn.nfaults = base->nfaults + o->spare;
			}
			double guess = ceil((double)base_size * (double)users / (double)base_users) +
				       spare_servers;
			s->start = guess < min ? min : guess > max ? max : (uint32_t)guess;
			s->min = min;
			s->max = max;
			precheck_floor(pc, s);
		}
	}
	return 0;
}

int plan_run(struct plan *pl, const struct scenario *scn, const struct plan_opts *o,
	     const struct batch_comm *comm, unsigned jobs, FILE *progress, char *err,
	     size_t errlen)
{
	memset(pl, 0, sizeof *pl);
	pl->scn = scn;
	pl->opts = *o;
	struct plan_ctx pc = {.o = &pl->opts, .progress = progress,
			      .size_name = o->size_key == PLAN_SIZE_CORES ? "cores" : "servers"};
	build_targets(&pc);
	struct plan_getters g = {0};
	for (int f = 0; f < F_COUNT; f++)
		if (fig_metric[f])
			g.all[f] = summary_metric_find(fig_metric[f], SUMMARY_ALL);
	g.wl_p99 = summary_metric_find("response_p99", SUMMARY_WORKLOAD);
	g.wl_mean = summary_metric_find("response_mean", SUMMARY_WORKLOAD);

	unsigned nlevels = o->nusers ? o->nusers : 1;
	size_t nsearch = (size_t)nlevels * scn->ndesigns;
	pl->nrows = nsearch;
	pl->rows = calloc(nsearch, sizeof *pl->rows);
	struct plan_search *searches = calloc(nsearch, sizeof *searches);
	struct batch_task *tasks = calloc(nsearch * scn->replications, sizeof *tasks);
	size_t *first = calloc(nsearch, sizeof *first);
	double *values = malloc(nsearch * scn->replications * F_COUNT * sizeof *values);
	int rc = -1;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!pl->rows || !searches || !tasks || !first || !values) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (init_searches(&pc, pl, searches, scn, err, errlen) != 0)
		goto out;
	for (;;) {
		size_t ntasks = 0;
		for (size_t i = 0; i < nsearch; i++) {
			struct plan_search *s = &searches[i];
			if (!next_probe(&pc, s))
				continue;
			set_probe(s, &pl->opts);
			if (params_check(&s->scn, err, errlen) != 0)
				goto out;
			first[i] = ntasks;
			for (uint32_t r = 0; r < s->scn.replications; r++)
				tasks[ntasks++] = (struct batch_task){&s->scn, s->design, r};
		}
		if (ntasks == 0)
			break;
		struct batch b = {.tasks = tasks, .ntasks = ntasks, .nvalues = F_COUNT,
				  .extract = extract, .ctx = &g};
		rc = batch_run(&b, comm, jobs, values, err, errlen);
		if (rc != 0)
			goto out;
		rc = -1;
		pl->rounds++;
		pl->simulations += (unsigned)ntasks;
		for (size_t i = 0; i < nsearch; i++)
			if (searches[i].state != S_DONE)
				record(&pc, &searches[i], values, first[i]);
	}
	rc = 0;
out:
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pl->wall_s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
	for (size_t i = 0; searches && i < nsearch; i++) {
		if (rc == 0)
			reference(&pc, &searches[i]);
		params_copy_free(&searches[i].scn);
		free(searches[i].faults);
	}
	free(searches);
	free(tasks);
	free(first);
	free(values);
	return rc;
}

void plan_free(struct plan *pl)
{
	free(pl->rows);
	memset(pl, 0, sizeof *pl);
}

/* ---- plan.csv and the plot ------------------------------------------------ */

static void write_figure(struct csv_out *c, const struct plan_figure *f)
{
	csv_out_num(c, f->mean);
	csv_out_num(c, f->lo);
	csv_out_num(c, f->hi);
}

int plan_write_csv(const struct plan *pl, const char *dir, char *err, size_t errlen)
{
	static const char *const header[] = {
		"users", "design", "servers", "spare", "server_cores", "lb_cores",
		"lb_cpu_cores", "lb_cpu_cores_ci95_low", "lb_cpu_cores_ci95_high",
		"lb_cpu_cores_peak", "lb_cpu_cores_peak_ci95_low", "lb_cpu_cores_peak_ci95_high",
		"lb_mem_bytes", "lb_mem_bytes_ci95_low", "lb_mem_bytes_ci95_high",
		"server_busy_max", "server_busy_max_ci95_low", "server_busy_max_ci95_high",
		"response_p99_ms", "response_p99_ms_ci95_low", "response_p99_ms_ci95_high",
		"failed_share", "failed_share_ci95_low", "failed_share_ci95_high",
		"erlang_size", "erlang_busy", "erlang_response_p99_ms", "erlang_note",
		"evaluations", "simulations", "met", "why", "server_busy_max_worst"};
	struct csv_out c;
	if (csv_out_open(&c, dir, "plan.csv", err, errlen) != 0)
		return -1;
	csv_out_row(&c, COUNT(header), header);
	for (size_t i = 0; i < pl->nrows; i++) {
		const struct plan_row *r = &pl->rows[i];
		csv_out_u64(&c, r->users);
		csv_out_str(&c, pl->scn->designs[r->design].name);
		csv_out_u64(&c, r->servers);
		csv_out_u64(&c, r->spare);
		csv_out_u64(&c, r->cores);
		if (r->lb_cores)
			csv_out_u64(&c, r->lb_cores);
		else
			csv_out_str(&c, "");
		write_figure(&c, &r->lb_cpu_cores);
		write_figure(&c, &r->lb_cpu_cores_peak);
		write_figure(&c, &r->lb_mem_bytes);
		write_figure(&c, &r->server_busy_max);
		write_figure(&c, &r->response_p99_ms);
		write_figure(&c, &r->failed_share);
		csv_out_num(&c, r->erlang_size);
		csv_out_num(&c, r->erlang_busy);
		csv_out_num(&c, r->erlang_p99_ms);
		csv_out_str(&c, r->why_no_reference ? r->why_no_reference : "");
		csv_out_u64(&c, r->evaluations);
		csv_out_u64(&c, r->simulations);
		csv_out_str(&c, r->met ? "yes" : "no");
		csv_out_str(&c, r->why);
		csv_out_num(&c, r->server_busy_max_worst);
		csv_out_end_row(&c);
	}
	if (c.error) {
		snprintf(err, errlen, "%s/plan.csv: write failed (device full?)", dir);
		csv_out_abort(&c);
		return -1;
	}
	return csv_out_commit(&c, err, errlen);
}

void plan_scope(const struct plan *pl, char *buf, size_t len)
{
	size_t used = 0;
	int n = snprintf(buf, len, "Scope: ");
	used = n < 0 ? len : (size_t)n;
	if (used < len)
		model_servers_scope(pl->scn, buf + used, len - used);
	used = strlen(buf);
	if (pl->opts.spare && used < len)
		snprintf(buf + used, len - used, " With --spare %u, every size counts %u server%s "
			 "that %s down for the whole run (N+1: the targets hold without %s).",
			 pl->opts.spare, pl->opts.spare, pl->opts.spare == 1 ? "" : "s",
			 pl->opts.spare == 1 ? "is" : "are", pl->opts.spare == 1 ? "it" : "them");
}

void plan_targets_text(const struct plan_opts *o, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
#define ADD(...) do { \
		if (used < len) { \
			int k_ = snprintf(buf + used, len - used, __VA_ARGS__); \
			used += k_ < 0 ? len : (size_t)k_; \
		} \
	} while (0)
	if (o->max_server_busy > 0)
		ADD("%s--max-server-busy %g", used ? " " : "", o->max_server_busy);
	for (unsigned i = 0; i < o->nlatency; i++) {
		const struct plan_latency *l = &o->latency[i];
		ADD("%s--max-%s ", used ? " " : "", l->p99 ? "p99" : "mean");
		if (l->workload >= 0)
			ADD("%s=", workload_name((enum workload)l->workload));
		ADD("%g", l->ms);
	}
	if (o->max_failed >= 0)
		ADD("%s--max-failed %g", used ? " " : "", o->max_failed);
	if (o->max_lb_cpu > 0)
		ADD("%s--max-lb-cpu %g", used ? " " : "", o->max_lb_cpu);
	if (o->spare)
		ADD("%s--spare %u", used ? " " : "", o->spare);
	if (o->judge != JUDGE_MEAN)
		ADD("%s%s", used ? " " : "", judge_option(o->judge));
#undef ADD
}

int plan_plot(const struct plan *pl, const char *dir, const char *shown, FILE *log, char *err,
	      size_t errlen)
{
	struct gp_vars *g = malloc(sizeof *g);
	if (!g) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	g->used = 0;
	gp_vars_add(g, "ndesigns=%u; ", pl->scn->ndesigns);
	for (uint32_t d = 0; d < pl->scn->ndesigns; d++) {
		char var[32];
		snprintf(var, sizeof var, "design%u", d + 1);
		gp_vars_str(g, var, pl->scn->designs[d].name);
	}
	gp_vars_str(g, "sizelabel", pl->opts.size_key == PLAN_SIZE_CORES ? "cores per server"
									 : "servers");
	gp_vars_add(g, "sizecol=%d; nlevels=%u; ", pl->opts.size_key == PLAN_SIZE_CORES ? 5 : 3,
		    pl->opts.nusers ? pl->opts.nusers : 1);
	const char *names[SCN_MAX_DESIGNS];
	for (uint32_t d = 0; d < pl->scn->ndesigns; d++)
		names[d] = pl->scn->designs[d].name;
	struct gp_names designs = {.col = 1, .names = names, .n = pl->scn->ndesigns};
	struct gp_data data = {.path = ""};
	char src[4096];
	snprintf(src, sizeof src, "%s/plan.csv", dir);
	int rc = -1;
	if (gp_data_begin(&data, dir, shown, err, errlen) == 0 &&
	    gp_table(&data, src, "plan.csv", 0, &designs, 1, NULL, NULL, err, errlen) == 0)
		rc = gp_draw(dir, &data, "plan", "plan", g, log, err, errlen);
	gp_data_end(&data);
	free(g);
	return rc;
}
