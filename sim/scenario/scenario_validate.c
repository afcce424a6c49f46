/* Checking a loaded scenario and converting it to struct scenario.
 *
 * libcyaml has already checked the shape of the file (scenario_schema.c);
 * here every value is parsed from its text (numbers, durations, names of
 * kinds, sources, workloads and algorithms), checked against its range and
 * against the other keys it depends on (addresses for a nat source, a
 * service time for open traffic), and converted (durations to nanoseconds,
 * names to enums and ops). Each mistake is placed at the node of the
 * libyaml document that holds the value (scenario_check.c).
 *
 * This file converts the run, the servers and the populations (their
 * client behaviour in scenario_validate_clients.c, first the scenario's
 * clients: that every population starts from), then hands the designs to scenario_validate_design.c and the
 * faults and expectations to scenario_validate_faults.c, in that order:
 * each part may check itself against those before it (a fault's server
 * against the servers' count, an expectation's scope against the
 * workloads the populations use), and does so only when those parts had
 * no mistake, so a mistake is never blamed on a key that depends on it.
 *
 * All values are checked even after a first mistake, and the mistake that
 * comes first in the file is the one reported, so that fixing errors top
 * to bottom works the same for syntax, shape and value errors.
 *
 * Cost: linear in the size of the scenario, except the checks that names
 * are unique, quadratic in the number of entries, which libcyaml has
 * already capped (64 populations, 16 designs, 8 clients per population).
 */
#include "scenario_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RATE 1000.0        /* requests per second per user */
#define MAX_DEMAND_CV 10.0     /* a gamma with cv 10 is already absurdly skewed */

static const char *const source_kind_names[] = {
	[SCN_SOURCE_UNIQUE] = "unique",
	[SCN_SOURCE_NAT] = "nat",
	[SCN_SOURCE_CGNAT] = "cgnat",
};

static const char *const affinity_names[] = { "none", "required" };

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

const char *scn_source_kind_name(enum scn_source_kind kind)
{
	return (size_t)kind < COUNT_OF(source_kind_names) ? source_kind_names[kind] : "unknown";
}

/* Names must differ within a sequence; entry i's mapping is item i. */
static void unique_names(struct scn_ctx *c, yaml_node_t *seq, const char *what,
			 const char *(*name_of)(const void *, unsigned),
			 const void *array, unsigned count)
{
	char shown[160];
	for (unsigned i = 1; i < count; i++) {
		for (unsigned j = 0; j < i; j++) {
			if (strcmp(name_of(array, i), name_of(array, j)) != 0)
				continue;
			yaml_node_t *again = scn_value_of(c, scn_item_of(c, seq, i), "name");
			yaml_node_t *first = scn_value_of(c, scn_item_of(c, seq, j), "name");
			scn_quote(shown, sizeof shown, name_of(array, i));
			/* An alias shares its anchor's node: no second place. */
			if (again == first)
				scn_report(c, again, "%s name %s given twice (an alias "
					   "repeats the %s)", what, shown, what);
			else
				scn_report(c, again, "%s name %s given twice (first at "
					   "line %u, column %u)", what, shown,
					   yw_line(first), yw_column(first));
			break;
		}
	}
}

static const char *population_name(const void *array, unsigned i)
{
	return ((const struct scn_raw_population *)array)[i].name;
}

static const char *design_name(const void *array, unsigned i)
{
	return ((const struct scn_raw_design *)array)[i].name;
}

/* Of two nodes, the one that comes later in the file. */
static yaml_node_t *later(yaml_node_t *a, yaml_node_t *b)
{
	if (yw_line(a) != yw_line(b))
		return yw_line(a) > yw_line(b) ? a : b;
	return yw_column(a) > yw_column(b) ? a : b;
}

/* servers: address: the first server's endpoint; the others follow at
 * consecutive addresses, same port (10.0.1.1:443, 10.0.1.2:443, ...). */
static void server_address(struct scn_ctx *c, yaml_node_t *map, const char *text,
			   struct scn_servers *s)
{
	yaml_node_t *node = scn_value_of(c, map, "address");
	if (!scn_has_value(c, node, "address"))
		return;
	struct lb_endpoint first;
	struct lb_addr_error e;
	char shown[160];
	if (lb_endpoint_parse(text, strlen(text), &first.addr, &first.port, &e) != 0) {
		scn_report_at(c, node, e.at, "address %s: %s", scn_quote(shown, sizeof shown, text),
			      e.why);
		return;
	}
	s->endpoints = calloc(SCN_MAX_SERVERS, sizeof *s->endpoints);
	if (!s->endpoints) {
		scn_report(c, node, "out of memory");
		return;
	}
	for (uint32_t i = 0; i < SCN_MAX_SERVERS; i++) {
		s->endpoints[i] = first;
		/* Beyond the count (reached only by --set servers.count)
		 * the names wrap round the address space. */
		if (lb_addr_add(&s->endpoints[i].addr, i) != 0 && i < s->count) {
			scn_report(c, node, "address %s: %u servers from there run past the "
				   "end of the address space",
				   scn_quote(shown, sizeof shown, text), s->count);
			return;
		}
	}
}

/* servers: everything but `service`, which depends on the populations. */
static void servers(struct scn_ctx *c, const struct scn_raw_servers *rs, yaml_node_t *map,
		    struct scn_servers *s)
{
	s->count = rs->count ? scn_whole32(c, map, "count", rs->count, 1, SCN_MAX_SERVERS, 0) : 0;
	s->cores = scn_whole32(c, map, "cores", rs->cores, 1, SCN_MAX_CORES, 1);
	scn_servers_list(c, rs, map, s);
	if (rs->address)
		server_address(c, map, rs->address, s);
	scn_servers_addresses(c, rs, map, s);
	int affinity = 0; /* none */
	if (rs->affinity)
		affinity = scn_pick(c, map, "affinity", rs->affinity, affinity_names,
				    COUNT_OF(affinity_names));
	s->affinity_required = affinity == 1;
	if (rs->affinity_penalty) {
		if (affinity == 0)
			scn_not_here(c, map, "affinity-penalty", "affinity: required only");
		else
			s->affinity_penalty = scn_duration(c, map, "affinity-penalty",
							   rs->affinity_penalty, 1);
	} else if (s->affinity_required) {
		s->affinity_penalty = SCN_DEFAULT_AFFINITY_PENALTY;
	}
	if (!rs->workloads)
		return;
	yaml_node_t *wmap = scn_value_of(c, map, "workloads");
	for (int w = 0; w < WL_COUNT; w++) {
		const struct scn_raw_server_workload *rw = rs->workloads->wl[w];
		if (!rw)
			continue;
		yaml_node_t *m = scn_value_of(c, wmap, workload_name((enum workload)w));
		struct server_workload_cfg *cfg = &s->workloads[w];
		if (rw->demand)
			cfg->demand = scn_duration(c, m, "demand", rw->demand, 0);
		if (rw->cv)
			scn_number(c, m, "cv", rw->cv, 0, 0, MAX_DEMAND_CV, NULL, &cfg->demand_cv);
	}
}

/* The NAT keys of a population whose source is src (src_ok: it was
 * understood; if not, nothing is said about keys that depend on it). */
static void nat_keys(struct scn_ctx *c, const struct scn_raw_population *rp,
		     yaml_node_t *map, enum scn_source_kind src, int src_ok,
		     struct scn_population *p)
{
	const char *name = source_kind_names[src];
	int nat = src != SCN_SOURCE_UNIQUE;
	if (rp->addresses) {
		if (src_ok && !nat)
			scn_not_here(c, map, "addresses", "nat and cgnat sources, not %s", name);
		else
			p->addresses = scn_whole32(c, map, "addresses", rp->addresses, 1,
						   SCN_MAX_ADDRESSES, 0);
	} else if (src_ok && nat) {
		scn_report(c, scn_value_of(c, map, "source"), "source '%s' needs 'addresses': "
			   "how many public addresses its devices share, from 1 to %u",
			   name, SCN_MAX_ADDRESSES);
	}
	if (rp->churn) {
		if (src_ok && src != SCN_SOURCE_CGNAT)
			scn_not_here(c, map, "churn", "cgnat sources only, not %s", name);
		else
			p->churn = scn_duration(c, map, "churn", rp->churn, 0);
	} else if (src == SCN_SOURCE_CGNAT) {
		p->churn = SCN_DEFAULT_CHURN;
	}
	if (rp->ports) {
		if (src_ok && !nat)
			scn_not_here(c, map, "ports", "nat and cgnat sources, not %s", name);
		else
			p->port_budget = scn_whole32(c, map, "ports", rp->ports, 1,
						     SCN_MAX_PORTS, 0);
	}
}

/* clients: [a, b]: the bit mask of the workloads named, each once. */
static uint32_t client_list(struct scn_ctx *c, const struct scn_raw_population *rp,
			    yaml_node_t *map)
{
	yaml_node_t *seq = scn_value_of(c, map, "clients");
	uint32_t mask = 0;
	yaml_node_t *where[WL_COUNT] = { 0 };
	for (unsigned i = 0; i < rp->clients_count; i++) {
		yaml_node_t *item = scn_item_of(c, seq, i);
		if (yw_is_null(item)) {
			scn_report(c, item, "entry %u of 'clients' has no value", i + 1);
			continue;
		}
		int w = scn_workload(c, item, "clients", rp->clients[i]);
		if (w < 0)
			continue;
		if (mask & (1u << w)) {
			scn_report(c, item, "workload '%s' is listed twice in 'clients' "
				   "(first at line %u, column %u)", workload_name((enum workload)w),
				   yw_line(where[w]), yw_column(where[w]));
			continue;
		}
		mask |= 1u << w;
		where[w] = item;
	}
	return mask;
}

/* The traffic of a population: devices (clients) or open (rate), and the
 * keys that belong to one or the other. */
static void traffic(struct scn_ctx *c, const struct scn_raw_population *rp,
		    yaml_node_t *map, const struct scenario *scn, struct scn_population *p)
{
	memcpy(p->client, scn->clients, sizeof p->client);
	int devices = rp->clients != NULL, open = rp->rate != NULL;
	if (devices && open)
		scn_report(c, later(scn_key_of(c, map, "clients"), scn_key_of(c, map, "rate")),
			   "a population has either 'clients' (device traffic) or 'rate' "
			   "(open traffic), not both");
	else if (!devices && !open)
		scn_report(c, map, "population needs 'clients' (device traffic: the workloads "
			   "its users run, as in clients: [mapi, owa]) or 'rate' (open traffic: "
			   "requests per second per user)");
	if (devices)
		p->clients = client_list(c, rp, map);
	if (open)
		scn_number(c, map, "rate", rp->rate, 0, 1, MAX_RATE,
			   "(requests per second per user)", &p->request_rate);

	/* Keys of one kind of traffic are refused on the other; with both or
	 * neither given, that is the mistake to fix first. */
	int only_devices = devices && !open, only_open = open && !devices;
	p->open_workload = WL_OWA;
	if (rp->workload) {
		if (only_devices) {
			scn_not_here(c, map, "workload", "open traffic (rate); device traffic "
				     "names its workloads in 'clients'");
		} else {
			int w = scn_workload(c, scn_value_of(c, map, "workload"), "workload",
					     rp->workload);
			if (w >= 0)
				p->open_workload = (enum workload)w;
		}
	}
	if (rp->client_settings) {
		if (only_open)
			scn_not_here(c, map, "client-settings", "device traffic (clients) only");
		else if (devices)
			scn_client_settings(c, rp, map, p->clients, p);
	}
	if (rp->tls13) {
		if (only_open)
			scn_not_here(c, map, "tls13", "device traffic (clients) only");
		else
			scn_number(c, map, "tls13", rp->tls13, 0, 0, 1, "(a share of the devices)",
				   &p->tls13);
	}
	if (rp->profile) {
		yaml_node_t *seq = scn_value_of(c, map, "profile");
		if (only_open)
			scn_not_here(c, map, "profile", "device traffic (clients) only");
		else if (rp->logon)
			scn_not_here(c, map, "profile", "populations without 'logon' (the profile "
				     "says when users log on)");
		for (unsigned k = 0; k < rp->profile_count && !only_open && !rp->logon; k++) {
			yaml_node_t *pt = scn_item_of(c, seq, k);
			const struct scn_raw_profile_point *rpp = &rp->profile[k];
			unsigned before = c->reports;
			sim_time_t at = scn_duration(c, pt, "at", rpp->at, 1);
			double share = 0;
			scn_number(c, pt, "share", rpp->share, 0, 0, 1, "(a share of the users)",
				   &share);
			if (c->reports != before)
				continue;
			char shown[160];
			if (k > 0 && at <= p->profile[k - 1].at)
				scn_report(c, scn_value_of(c, pt, "at"), "profile times must increase: "
					   "%s is not after the point before it",
					   scn_quote(shown, sizeof shown, rpp->at));
			else if (c->run && at >= c->run)
				scn_report(c, scn_value_of(c, pt, "at"), "'at' must be before the end "
					   "of the run (warmup + duration), got %s",
					   scn_quote(shown, sizeof shown, rpp->at));
			p->profile[k] = (struct scn_profile_point){at, share};
		}
		if (!only_open && !rp->logon)
			p->nprofile = rp->profile_count;
	}
	if (rp->logon) {
		if (only_open) {
			scn_not_here(c, map, "logon", "device traffic (clients) only");
		} else {
			unsigned before = c->reports;
			p->logon = scn_duration(c, map, "logon", rp->logon, 1);
			char shown[160];
			if (c->reports == before && c->run && p->logon >= c->run)
				scn_report(c, scn_value_of(c, map, "logon"), "'logon' must be "
					   "shorter than the run (warmup + duration), got %s",
					   scn_quote(shown, sizeof shown, rp->logon));
		}
	}
}

/* A round trip or jitter of the population's network: a duration 0 ..
 * NETWORK_MAX_RTT, or dflt when absent. */
static sim_time_t network_time(struct scn_ctx *c, yaml_node_t *map, const char *key,
			       const char *text, sim_time_t dflt)
{
	double v;
	if (!text)
		return dflt;
	if (scn_duration_in(c, map, key, text, 0, (double)NETWORK_MAX_RTT, NULL, 1, &v) != 0)
		return dflt;
	return (sim_time_t)v;
}

/* The network a population reaches the balancer over: its kind's figures
 * (models/network.c), its own rtt and jitter over them. Open traffic too:
 * its one-request connections pay the same round trips. */
static void network(struct scn_ctx *c, const struct scn_raw_population *rp, yaml_node_t *map,
		    struct scn_population *p)
{
	int k = NETWORK_LAN;
	if (rp->network) {
		const char *names[NETWORK_COUNT];
		for (int i = 0; i < NETWORK_COUNT; i++)
			names[i] = network_kind_name((enum network_kind)i);
		k = scn_pick(c, map, "network", rp->network, names, NETWORK_COUNT);
		if (k < 0)
			k = NETWORK_LAN;
	}
	p->network = (enum network_kind)k;
	const struct network_cfg *d = network_default(p->network);
	p->net.rtt = network_time(c, map, "rtt", rp->rtt, d->rtt);
	p->net.jitter = network_time(c, map, "jitter", rp->jitter, d->jitter);
}

/* Every population; c->pops_ok says afterwards whether all were right. */
static void populations(struct scn_ctx *c, const struct scn_raw *raw, yaml_node_t *root,
			struct scenario *scn)
{
	yaml_node_t *seq = scn_value_of(c, root, "populations");
	unsigned before = c->reports;
	for (unsigned i = 0; i < raw->populations_count; i++) {
		const struct scn_raw_population *rp = &raw->populations[i];
		struct scn_population *p = &scn->populations[i];
		yaml_node_t *map = scn_item_of(c, seq, i);
		scn_name(c, map, rp->name, SCN_NAME_MAX - 1, p->name);
		if (rp->replay) {
			memcpy(p->client, scn->clients, sizeof p->client);
			scn_replay(c, rp, map, p);
			continue;
		}
		if (!rp->users)
			scn_report(c, map, "population is missing required key 'users'");
		else
			scn_whole(c, map, "users", rp->users, 1, SCN_MAX_USERS, &p->users);
		int src = SCN_SOURCE_UNIQUE;
		if (rp->source)
			src = scn_pick(c, map, "source", rp->source, source_kind_names,
				       COUNT_OF(source_kind_names));
		p->source = src >= 0 ? (enum scn_source_kind)src : SCN_SOURCE_UNIQUE;
		nat_keys(c, rp, map, p->source, src >= 0, p);
		traffic(c, rp, map, scn, p);
		scn_population_addresses(c, rp, map, src >= 0, p);
		network(c, rp, map, p);
	}
	unique_names(c, seq, "population", population_name, raw->populations,
		     raw->populations_count);
	scn->npopulations = raw->populations_count;
	c->pops_ok = c->reports == before;
}

/* servers: service, which open traffic needs (device traffic takes its
 * CPU figures from servers: workloads:). */
static void service(struct scn_ctx *c, const struct scn_raw *raw, yaml_node_t *map,
		    struct scn_servers *s)
{
	if (raw->servers->service) {
		s->service_mean = scn_duration(c, map, "service", raw->servers->service, 0);
		return;
	}
	for (unsigned i = 0; i < raw->populations_count; i++) {
		if (!raw->populations[i].rate)
			continue;
		char shown[160];
		scn_report(c, map, "servers is missing key 'service' (the mean CPU demand of "
			   "a request), which population %s needs for its open traffic (rate)",
			   scn_quote(shown, sizeof shown, raw->populations[i].name));
		return;
	}
}

int scn_convert(const struct scn_raw *raw, yaml_document_t *doc, const char *files_dir,
		struct scenario **out, struct scn_error *err)
{
	struct scn_ctx c = { .doc = doc, .err = err, .files_dir = files_dir };
	snprintf(c.scenario_file, sizeof c.scenario_file, "%s", err->file);
	yaml_node_t *root = yaml_document_get_root_node(doc);
	struct scenario *scn = calloc(1, sizeof *scn);
	if (!scn)
		goto oom;
	/* At least one element each, so that no count of zero asks calloc
	 * for nothing (which may return NULL). */
	scn->populations = calloc(raw->populations_count + 1, sizeof *scn->populations);
	scn->designs = calloc(raw->designs_count + 1, sizeof *scn->designs);
	scn->faults = calloc(raw->faults_count + 1, sizeof *scn->faults);
	scn->expects = calloc(raw->expect_count + 1, sizeof *scn->expects);
	if (!scn->populations || !scn->designs || !scn->faults || !scn->expects)
		goto oom;

	/* The tables of client and server figures start at their documented
	 * defaults, which the file then overrides key by key. */
	scn_set_workload_defaults(scn);
	scn_name(&c, root, raw->name, sizeof scn->name - 1, scn->name);
	unsigned before = c.reports;
	scn->duration = scn_duration(&c, root, "duration", raw->duration, 0);
	scn->warmup = raw->warmup ? scn_duration(&c, root, "warmup", raw->warmup, 1) : 0;
	c.run = c.reports == before ? scn->warmup + scn->duration : 0;
	scn->seed = 1;
	if (raw->seed)
		scn_whole(&c, root, "seed", raw->seed, 0, UINT64_MAX, &scn->seed);
	scn->replications = scn_whole32(&c, root, "replications", raw->replications, 1,
					SCN_MAX_REPLICATIONS, 1);

	yaml_node_t *smap = scn_value_of(&c, root, "servers");
	servers(&c, raw->servers, smap, &scn->servers);
	/* The scenario's clients: first: each population starts from them. */
	scn_clients(&c, raw, root, scn);
	populations(&c, raw, root, scn);
	service(&c, raw, smap, &scn->servers);
	scn_designs(&c, raw, root, scn);
	unique_names(&c, scn_value_of(&c, root, "designs"), "design", design_name,
		     raw->designs, raw->designs_count);
	scn_faults(&c, raw, root, scn);
	scn_expects(&c, raw, root, scn);

	if (c.failed) {
		scn_free(scn);
		return -1;
	}
	*out = scn;
	return 0;
oom:
	scn_free(scn);
	scn_err_set(err, 0, 0, "out of memory while loading the scenario");
	return -1;
}
