/* Client behaviour: the scenario's clients: (every population's
 * starting point) and a population's own client-settings: over them.
 *
 * Each mapping's values are read over the table they override
 * (client_keys), then the table that will run is checked as a whole
 * (client_agree): polls among the connections, a heartbeat for polls, a
 * think time for request connections, and no key that would do nothing
 * (think where every connection polls, hold or changes without polls,
 * reconnect-after without retry), which would otherwise be silently
 * ignored. A disagreement is blamed on a key of the mapping just read
 * when one takes part, else on the mapping (the rest came from the
 * defaults or the scenario's clients:).
 */
#include "scenario_internal.h"

#include <stdio.h>
#include <string.h>

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_MESSAGE_BYTES 1000000000u

static const char *const on_error_names[] = {
	[CLIENT_RETRY] = "retry",
	[CLIENT_RECONNECT] = "reconnect",
};

#define MAX_RECONNECT_AFTER 1000u

/* One workload's client keys rc, written in mapping m, over cfg: the
 * scenario's clients: over the defaults, or a population's
 * client-settings: over the scenario's. */
static void client_keys(struct scn_ctx *c, const struct scn_raw_client *rc, yaml_node_t *m,
			struct client_cfg *cfg)
{
	cfg->connections = scn_whole32(c, m, "connections", rc->connections, 1,
				       SCN_MAX_CONNECTIONS, cfg->connections);
	cfg->polls = scn_whole32(c, m, "polls", rc->polls, 0, SCN_MAX_CONNECTIONS, cfg->polls);
	if (rc->think)
		cfg->think = scn_duration(c, m, "think", rc->think, 1);
	if (rc->hold)
		cfg->hold = scn_duration(c, m, "hold", rc->hold, 1);
	if (rc->changes)
		cfg->changes = scn_duration(c, m, "changes", rc->changes, 1);
	if (rc->lifetime)
		cfg->lifetime = scn_duration(c, m, "lifetime", rc->lifetime, 1);
	if (rc->tls_session)
		cfg->tls_session = scn_duration(c, m, "tls-session", rc->tls_session, 1);
	if (rc->backoff)
		cfg->backoff = scn_duration(c, m, "backoff", rc->backoff, 1);
	if (rc->backoff_max)
		cfg->backoff_max = scn_duration(c, m, "backoff-max", rc->backoff_max, 1);
	if (rc->on_error) {
		int e = scn_pick(c, m, "on-error", rc->on_error, on_error_names,
				 COUNT_OF(on_error_names));
		if (e >= 0)
			cfg->on_error = (enum client_on_error)e;
	}
	cfg->reconnect_after = scn_whole32(c, m, "reconnect-after", rc->reconnect_after, 1,
					   MAX_RECONNECT_AFTER, cfg->reconnect_after);
	if (rc->share)
		scn_number(c, m, "share", rc->share, 0, 0, 1, "(a share of the users)", &cfg->share);
	cfg->request_bytes = scn_whole32(c, m, "request-bytes", rc->request_bytes, 0,
					 MAX_MESSAGE_BYTES, cfg->request_bytes);
	cfg->response_bytes = scn_whole32(c, m, "response-bytes", rc->response_bytes, 0,
					  MAX_MESSAGE_BYTES, cfg->response_bytes);
}

/* The node of m to blame for a disagreement: the first of keys given
 * there, else m itself (the disagreement comes from settings written
 * elsewhere: the defaults or the scenario's clients:). */
static yaml_node_t *blame(struct scn_ctx *c, yaml_node_t *m, const char *const *keys,
			  const int *given, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (given[i])
			return scn_value_of(c, m, keys[i]);
	return m;
}

/* What runs, cfg, must hold together; rc and m are the mapping just read
 * (who says what for workload wname), whose keys are blamed first. */
static void client_agree(struct scn_ctx *c, const struct scn_raw_client *rc, yaml_node_t *m,
			 const char *wname, const struct client_cfg *cfg)
{
	if (cfg->polls > cfg->connections) {
		const char *keys[] = {"polls", "connections"};
		int given[] = {rc->polls != NULL, rc->connections != NULL};
		scn_report(c, blame(c, m, keys, given, 2), "%s has polls: %u of connections: %u; "
			   "polls are some of its connections", wname, cfg->polls, cfg->connections);
		return;
	}
	uint32_t requests = cfg->connections - cfg->polls;
	/* A zero hold or think is blamed on the key itself, or else on the
	 * mapping, not on the polls or connections that expose it: --set
	 * clients.eas.polls=0 --set clients.eas.think=20s is a fine pair,
	 * and a value refused where it was written would refuse the first
	 * alone (params.c). */
	if (cfg->polls && cfg->hold == 0) {
		const char *keys[] = {"hold"};
		int given[] = {rc->hold != NULL};
		scn_report(c, blame(c, m, keys, given, 1), "'hold' of %s is 0: its long polls "
			   "(polls: %u) would come back at once; give the heartbeat, such as 30m",
			   wname, cfg->polls);
	}
	/* A request connection sends its next request think after an
	 * answer: at zero it would spin, sending at the speed of the
	 * simulation. */
	if (requests && cfg->think == 0) {
		const char *keys[] = {"think"};
		int given[] = {rc->think != NULL};
		scn_report(c, blame(c, m, keys, given, 1), "'think' of %s is 0: its %u request "
			   "connection%s would send requests without pause; give think a duration "
			   "(or make every connection a long poll: polls: %u)", wname, requests,
			   requests == 1 ? "" : "s", cfg->connections);
	}
	if (rc->think && !requests)
		scn_not_here(c, m, "think", "request connections; every %s connection carries a "
			     "long poll (polls: %u of connections: %u)", wname, cfg->polls,
			     cfg->connections);
	if (rc->hold && !cfg->polls)
		scn_not_here(c, m, "hold", "long polls; %s has none (give polls: 1 or more)", wname);
	if (rc->changes && !cfg->polls)
		scn_not_here(c, m, "changes", "long polls; %s has none (give polls: 1 or more)",
			     wname);
	if (rc->backoff_max && cfg->backoff_max < cfg->backoff) {
		char shown[160];
		scn_report(c, scn_value_of(c, m, "backoff-max"), "'backoff-max' %s of %s is below "
			   "its backoff; the back-off only grows", scn_quote(shown, sizeof shown,
									 rc->backoff_max), wname);
	}
	if (rc->reconnect_after && cfg->on_error != CLIENT_RETRY)
		scn_not_here(c, m, "reconnect-after", "on-error: retry, not %s",
			     on_error_names[cfg->on_error]);
}

/* clients: the scenario's overrides of the client behaviour by workload,
 * for every population. */
void scn_clients(struct scn_ctx *c, const struct scn_raw *raw, yaml_node_t *root,
		    struct scenario *scn)
{
	c->clients_ok = 1;
	if (!raw->clients)
		return;
	yaml_node_t *cmap = scn_value_of(c, root, "clients");
	unsigned before = c->reports;
	for (int w = 0; w < WL_COUNT; w++) {
		const struct scn_raw_client *rc = raw->clients->wl[w];
		if (!rc)
			continue;
		const char *wname = workload_name((enum workload)w);
		yaml_node_t *m = scn_value_of(c, cmap, wname);
		unsigned mine = c->reports;
		client_keys(c, rc, m, &scn->clients[w]);
		if (c->reports == mine)
			client_agree(c, rc, m, wname, &scn->clients[w]);
	}
	c->clients_ok = c->reports == before;
}

/* A population's client-settings: over the scenario's clients:, for
 * the workloads it runs (mask). */
void scn_client_settings(struct scn_ctx *c, const struct scn_raw_population *rp,
			    yaml_node_t *map, uint32_t mask, struct scn_population *p)
{
	yaml_node_t *smap = scn_value_of(c, map, "client-settings");
	for (int w = 0; w < WL_COUNT; w++) {
		const struct scn_raw_client *rc = rp->client_settings->wl[w];
		if (!rc)
			continue;
		const char *wname = workload_name((enum workload)w);
		if (!(mask >> w & 1u)) {
			char runs[128], shown[160];
			size_t used = 0;
			runs[0] = '\0';
			for (int k = 0; k < WL_COUNT; k++) {
				if (!(mask >> k & 1u))
					continue;
				int n = snprintf(runs + used, sizeof runs - used, "%s%s", used ? ", " : "",
						 workload_name((enum workload)k));
				if (n > 0 && (size_t)n < sizeof runs - used)
					used += (size_t)n;
			}
			scn_report(c, scn_key_of(c, smap, wname), "population %s has client-settings "
				   "for %s, which it does not run (its clients: [%s])",
				   scn_quote(shown, sizeof shown, p->name), wname, runs);
			continue;
		}
		yaml_node_t *m = scn_value_of(c, smap, wname);
		unsigned mine = c->reports;
		client_keys(c, rc, m, &p->client[w]);
		if (c->reports == mine && c->clients_ok)
			client_agree(c, rc, m, wname, &p->client[w]);
	}
}
