/* servers: list: the servers one by one, as HAProxy's `server` lines give
 * them (weight, cores), and what the rest of lbsim asks of them.
 *
 * The list gives the servers from the first; `count`, when given beside
 * it, may be larger (the servers past the list take the defaults), never
 * smaller: a list longer than the pool would name servers that do not
 * exist. The entries live in an array of SCN_MAX_SERVERS so that a count
 * raised later (--set servers.count, lbsim plan) finds its servers with
 * the defaults, as it finds their addresses (servers: address:).
 *
 * Defaults, from HAProxy's configuration manual (section 5.2, "weight"):
 * a server's weight is 1 unless set, 0 .. 256, and weight 0 takes it out
 * of load balancing while it still accepts persistent traffic; lbsim's
 * balancer core has the same range (LB_MAX_WEIGHT) and the same meaning
 * (lb_server_usable: no new traffic at eweight 0).
 *
 * maxconn, from the same manual (5.2, "maxconn"): 0, the default, is no
 * limit; lbsim caps it at 1,000,000 (SCN_MAX_MAXCONN), far above any
 * server's. backup (5.2, "backup"): a backup server takes traffic only
 * while no active server is usable, and then, without `option
 * allbackups`, only the first backup that is (models/lb/pool.c).
 *
 * A list entry's `address:` names that server as the balancer core names
 * it for hashing (NGINX's `server ADDR:PORT` text, IPVS's address and
 * port; HAProxy hashes its server ids, whatever the address): the others
 * keep `servers: address:`'s consecutive addresses, or the core's
 * default (127.0.0.1:10001, :10002, ...). Two servers may not share an
 * endpoint: NGINX and IPVS would see one server twice.
 *
 * Cost: linear in the list, and n log n to find a shared endpoint.
 */
#include "scenario_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lbsim/lb_hash.h"

/* Entry i of the list: its weight and cores into *out. */
static void one_server(struct scn_ctx *c, const struct scn_raw_server *rs, yaml_node_t *map,
		       struct scn_server *out)
{
	out->weight = scn_whole32(c, map, "weight", rs->weight, 0, LB_MAX_WEIGHT,
				  SCN_DEFAULT_WEIGHT);
	out->cores = rs->cores ? scn_whole32(c, map, "cores", rs->cores, 1, SCN_MAX_CORES, 0) : 0;
	out->maxconn = rs->maxconn ? scn_whole32(c, map, "maxconn", rs->maxconn, 0, SCN_MAX_MAXCONN,
						 SCN_MAXCONN_UNSET)
				   : SCN_MAXCONN_UNSET;
	int backup = 0;
	if (rs->backup && scn_bool(c, map, "backup", rs->backup, &backup) == 0)
		out->backup = (uint8_t)backup;
}

void scn_servers_list(struct scn_ctx *c, const struct scn_raw_servers *rs, yaml_node_t *map,
		      struct scn_servers *s)
{
	if (rs->maxconn)
		s->maxconn = scn_whole32(c, map, "maxconn", rs->maxconn, 0, SCN_MAX_MAXCONN, 0);
	if (!rs->list) {
		if (!rs->count)
			scn_report(c, map, "servers is missing key 'count' (how many servers) or "
				   "'list' (the servers one by one)");
		return;
	}
	yaml_node_t *seq = scn_value_of(c, map, "list");
	s->each = malloc(SCN_MAX_SERVERS * sizeof *s->each);
	if (!s->each) {
		scn_report(c, seq, "out of memory");
		return;
	}
	for (uint32_t i = 0; i < SCN_MAX_SERVERS; i++)
		s->each[i] = (struct scn_server){.weight = SCN_DEFAULT_WEIGHT,
						 .maxconn = SCN_MAXCONN_UNSET};
	s->listed = rs->list_count;
	for (unsigned i = 0; i < rs->list_count; i++)
		one_server(c, &rs->list[i], scn_item_of(c, seq, i), &s->each[i]);
	uint32_t weighed = 0, active = 0;
	for (unsigned i = 0; i < rs->list_count; i++) {
		weighed += s->each[i].weight > 0;
		active += !s->each[i].backup;
	}
	/* A pool of backups alone would have nothing to stand in for. */
	if (active == 0 && (!s->count || s->count <= rs->list_count))
		scn_report(c, seq, "every server of the list is a backup: backup servers stand "
			   "in only while no active server is usable, so one must be active");
	/* Servers past the list weigh 1; a list of zeros alone would send
	 * nothing anywhere, which no scenario means. */
	if (weighed == 0 && (!s->count || s->count <= rs->list_count))
		scn_report(c, seq, "every server of the list has weight 0: none would get new "
			   "traffic (weight 0 takes a server out of load balancing)");
	if (!rs->count) {
		s->count = rs->list_count;
	} else if (s->count && s->count < rs->list_count) {
		scn_report(c, scn_value_of(c, map, "count"), "count %u is less than the %u servers "
			   "of the list (line %u): give count at least %u, or leave it out",
			   s->count, rs->list_count, yw_line(scn_key_of(c, map, "list")), rs->list_count);
	}
}

struct endpoint_at {
	struct lb_endpoint ep;
	uint32_t server;           /* index */
};

static int endpoint_cmp(const void *a, const void *b)
{
	const struct endpoint_at *x = a, *y = b;
	int c = memcmp(&x->ep.addr, &y->ep.addr, sizeof x->ep.addr);
	if (c)
		return c;
	if (x->ep.port != y->ep.port)
		return x->ep.port < y->ep.port ? -1 : 1;
	return x->server < y->server ? -1 : x->server > y->server;
}

int scn_servers_shared_endpoint(const struct scn_servers *s, uint32_t count, uint32_t *first,
				uint32_t *later)
{
	if (!s->endpoints || count < 2)
		return 0;
	struct endpoint_at *all = malloc(count * sizeof *all);
	if (!all)
		return -1;
	for (uint32_t i = 0; i < count; i++) {
		all[i].ep = s->endpoints[i];
		all[i].server = i;
	}
	qsort(all, count, sizeof *all, endpoint_cmp);
	int found = 0;
	for (uint32_t i = 1; i < count; i++) {
		if (!lb_addr_equal(&all[i].ep.addr, &all[i - 1].ep.addr) ||
		    all[i].ep.port != all[i - 1].ep.port)
			continue;
		/* The lowest pair in server order, so that the report does not
		 * depend on the sort's order of addresses. */
		if (!found || all[i].server < *later ||
		    (all[i].server == *later && all[i - 1].server < *first)) {
			*first = all[i - 1].server;
			*later = all[i].server;
		}
		found = 1;
	}
	free(all);
	return found;
}

/* Two of the first count servers with one endpoint: reported at the later
 * one's list entry (a listed server has one: one of them gave it). */
static void shared_endpoints(struct scn_ctx *c, const struct scn_raw_servers *rs,
			     const struct scn_servers *s, yaml_node_t *seq)
{
	uint32_t first = 0, later = 0;
	int found = scn_servers_shared_endpoint(s, s->count, &first, &later);
	if (found < 0) {
		scn_report(c, seq, "out of memory");
		return;
	}
	if (!found)
		return;
	/* The list entry that gave it, the later of two that did. */
	uint32_t at = later < s->listed ? later : first, other = at == later ? first : later;
	char text[LB_ADDR_TEXT_MAX + 8];
	lb_endpoint_format(&s->endpoints[at].addr, s->endpoints[at].port, text, sizeof text);
	scn_report(c, scn_item_of(c, seq, at),
		   "server %u's address %s is also server %u's%s: each server needs its own "
		   "(NGINX and IPVS hash a server by its address and port)",
		   at + 1, text, other + 1,
		   other < rs->list_count && rs->list[other].address ? ""
		   : " (by default: servers without an address of their own take "
		     "consecutive ones)");
}

void scn_servers_addresses(struct scn_ctx *c, const struct scn_raw_servers *rs, yaml_node_t *map,
			   struct scn_servers *s)
{
	int given = 0;
	for (unsigned i = 0; rs->list && i < rs->list_count; i++)
		given |= rs->list[i].address != NULL;
	if (!given || !s->each)
		return;
	yaml_node_t *seq = scn_value_of(c, map, "list");
	if (!s->endpoints) {
		s->endpoints = calloc(SCN_MAX_SERVERS, sizeof *s->endpoints);
		if (!s->endpoints) {
			scn_report(c, seq, "out of memory");
			return;
		}
		for (uint32_t i = 0; i < SCN_MAX_SERVERS; i++)
			s->endpoints[i] = lb_default_endpoint(i);
	}
	int bad = 0;
	for (unsigned i = 0; i < rs->list_count; i++) {
		const char *text = rs->list[i].address;
		if (!text)
			continue;
		yaml_node_t *entry = scn_item_of(c, seq, i);
		yaml_node_t *node = scn_value_of(c, entry, "address");
		if (!scn_has_value(c, node, "address")) {
			bad = 1;
			continue;
		}
		struct lb_addr_error e;
		char shown[160];
		if (lb_endpoint_parse(text, strlen(text), &s->endpoints[i].addr,
				      &s->endpoints[i].port, &e) != 0) {
			scn_report_at(c, node, e.at, "address %s: %s",
				      scn_quote(shown, sizeof shown, text), e.why);
			bad = 1;
		}
	}
	if (!bad && s->count)
		shared_endpoints(c, rs, s, seq);
}

uint64_t scn_servers_total_cores(const struct scn_servers *s)
{
	uint64_t sum = 0;
	for (uint32_t i = 0; i < s->count; i++)
		sum += scn_server_cores(s, i);
	return sum;
}

int scn_servers_uniform_cores(const struct scn_servers *s)
{
	for (uint32_t i = 0; s->each && i < s->count; i++)
		if (s->each[i].cores && s->each[i].cores != s->cores)
			return 0;
	return 1;
}

const char *scn_servers_words(const struct scn_servers *s, char *buf, size_t len)
{
	if (scn_servers_uniform_cores(s)) {
		snprintf(buf, len, "%u server%s of %u core%s each", s->count, s->count == 1 ? "" : "s",
			 s->cores, s->cores == 1 ? "" : "s");
		return buf;
	}
	uint32_t lo = UINT32_MAX, hi = 0;
	for (uint32_t i = 0; i < s->count; i++) {
		uint32_t k = scn_server_cores(s, i);
		lo = k < lo ? k : lo;
		hi = k > hi ? k : hi;
	}
	snprintf(buf, len, "%u servers of %u to %u cores, %llu in all", s->count, lo, hi,
		 (unsigned long long)scn_servers_total_cores(s));
	return buf;
}
