/* The model's scope in words; see include/lbsim/model_notes.h.
 *
 * A note says what the simulation does with a part of the system, read
 * from the scenario: what the servers are and do, what a response time is
 * made of, what the balancer's CPU and memory figures are priced from,
 * how failures are seen. The "leaves out" notes name what the model has
 * no field for; when one gains a field (network time, a cost profile with
 * its source), its note moves to "includes" by reading that field.
 */
#include "lbsim/model_notes.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lbsim/cost.h"

struct notes {
	struct model_note *n;
	size_t len;
};

__attribute__((format(printf, 4, 5)))
static void note(struct notes *ns, enum model_note_kind kind, const char *topic, const char *fmt,
		 ...)
{
	if (ns->len == MODEL_MAX_NOTES)
		return;
	struct model_note *x = &ns->n[ns->len++];
	x->kind = kind;
	snprintf(x->topic, sizeof x->topic, "%s", topic);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->text, sizeof x->text, fmt, ap);
	va_end(ap);
}

/* Append to buf at *used, never past len. */
__attribute__((format(printf, 4, 5)))
static void add(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
	if (*used >= len)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf + *used, len - *used, fmt, ap);
	va_end(ap);
	*used += n < 0 ? len : (size_t)n;
}

static int open_traffic(const struct scenario *scn)
{
	for (uint32_t i = 0; i < scn->npopulations; i++)
		if (scn->populations[i].request_rate > 0)
			return 1;
	return 0;
}

static uint32_t device_workloads(const struct scenario *scn)
{
	uint32_t mask = 0;
	for (uint32_t i = 0; i < scn->npopulations; i++)
		mask |= scn->populations[i].clients;
	return mask;
}

/* "owa 8 ms, eas 4 ms (constant), open traffic 10 ms (exponential)". */
static void demands(const struct scenario *scn, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	uint32_t mask = device_workloads(scn);
	for (int w = 0; w < WL_COUNT; w++) {
		if (!(mask & (1u << w)))
			continue;
		const struct server_workload_cfg *c = &scn->servers.workloads[w];
		add(buf, len, &used, "%s%s %.3g ms%s", used ? ", " : "", workload_name((enum workload)w),
		    (double)c->demand / 1e6,
		    c->demand_cv == 1 ? "" : c->demand_cv == 0 ? " (constant)" : " (gamma)");
	}
	if (open_traffic(scn))
		add(buf, len, &used, "%sopen traffic %.3g ms (exponential)", used ? ", " : "",
		    (double)scn->servers.service_mean / 1e6);
}

void model_servers_scope(const struct scenario *scn, char *buf, size_t len)
{
	char d[512];
	demands(scn, d, sizeof d);
	char words[128];
	snprintf(buf, len, "\"servers\" are the one tier of pool members behind the balancer "
		 "(%s in the scenario; in the Exchange 2013 case, the "
		 "Client Access role), and the only resource of theirs the model queues for is CPU: each request "
		 "needs its workload's CPU demand (%s) on one core, first come first served. Not "
		 "sized: what sits behind them (the Mailbox role and its databases), their memory, "
		 "storage and network.", scn_servers_words(&scn->servers, words, sizeof words), d);
}

/* The figures `costs:` overrode, named. */
static void cost_overrides(const struct scn_design *d, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int f = 0; f < COST_FIG_COUNT; f++)
		if (d->costs_overridden >> f & 1)
			add(buf, len, &used, "%s%s", used ? ", " : "", cost_figures[f].name);
}

/* How the design's balancer is built, in words a reviewer checks. */
static const char *implementation(const struct scn_design *d)
{
	if (d->kind == SCN_DESIGN_L7)
		return d->tls_reencrypt ? "a proxy terminating TLS and re-encrypting to the servers"
					: "a proxy terminating TLS, plain HTTP to the servers";
	switch (d->impl) {
	case COST_IMPL_KERNEL_NAT:
		return "a kernel forwarder (IPVS NAT: both directions through the box)";
	case COST_IMPL_KERNEL_DR:
		return "a kernel forwarder (IPVS direct return: inbound only)";
	default:
		return "a user-space proxy (HAProxy mode tcp, KEMP or F5 full proxy: accepts, holds "
		       "two sockets, copies every byte; TLS passes through)";
	}
}

/* "office lan 0.5 ms (jitter 0.1 ms), mobile mobile 60 ms (...)", each
 * population's network. */
static void networks(const struct scenario *scn, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (uint32_t i = 0; i < scn->npopulations; i++) {
		const struct scn_population *p = &scn->populations[i];
		add(buf, len, &used, "%s%s: %s, %.3g ms", used ? "; " : "", p->name,
		    network_kind_name(p->network), (double)p->net.rtt / 1e6);
		if (p->net.jitter)
			add(buf, len, &used, " plus a jitter of mean %.3g ms",
			    (double)p->net.jitter / 1e6);
	}
}

static void balancer_notes(struct notes *ns, const struct scenario *scn)
{
	for (uint32_t k = 0; k < scn->ndesigns; k++) {
		const struct scn_design *d = &scn->designs[k];
		const struct cost_params *c = &d->costs;
		char over[512], prices[700];
		cost_overrides(d, over, sizeof over);
		if (d->kind == SCN_DESIGN_L7)
			snprintf(prices, sizeof prices,
				 "full TLS handshake (%s) %.4g us, resumed %.4g us (TLS 1.2) and %.4g us "
				 "(TLS 1.3 PSK), HTTP request %.4g us, %s %.4g ns a byte%s, backend "
				 "connections by http-reuse %s%s, a wake-up %.4g us for each message "
				 "that finds its threads idle; memory %.4g kB a connection held, "
				 "%.4g kB more while data moves, TLS session cache %.4g MB",
				 cost_cert_names[d->cert], c->tls_full_ns[d->cert] / 1e3,
				 c->tls_resume_12_ns / 1e3, c->tls_resume_13_ns / 1e3,
				 c->http_request_ns / 1e3, cost_cipher_names[d->cipher],
				 c->crypto_byte_ns[d->cipher],
				 d->tls_reencrypt ? " (twice: TLS to the servers too)" : "",
				 cost_reuse_names[d->reuse],
				 d->tls_reencrypt ? " (each new one a TLS handshake as a client)" : "",
				 c->wakeup_ns / 1e3, (c->conn_bytes + c->tls_state_bytes) / 1e3,
				 (2 * (c->buffer_bytes + c->socket_buffer_bytes) +
				  c->tls_buffer_bytes * (d->tls_reencrypt ? 2 : 1)) / 1e3,
				 c->tls_cache_size * c->tls_cache_entry_bytes / 1e6);
		else if (d->impl == COST_IMPL_PROXY)
			snprintf(prices, sizeof prices,
				 "accept %.4g us and connect %.4g us a connection, %.4g ns a byte "
				 "relayed, a wake-up %.4g us for each message that finds its threads "
				 "idle; memory %.4g kB a connection held (two sockets), %.4g kB more "
				 "while data moves",
				 c->accept_ns / 1e3, c->connect_ns / 1e3, c->relay_byte_ns,
				 c->wakeup_ns / 1e3, 2 * c->conn_bytes / 1e3,
				 2 * (c->buffer_bytes + c->socket_buffer_bytes) / 1e3);
		else
			snprintf(prices, sizeof prices, "%.4g ns a packet, %.4g ns a new flow; memory "
				 "%.4g B a flow (kept %.4g s after its close) and %.4g B for each of "
				 "%.0f hash buckets",
				 c->packet_ns, c->flow_setup_ns, c->flow_bytes, c->flow_linger_s,
				 c->flow_bucket_bytes, c->flow_buckets);
		note(ns, MODEL_INCLUDES, "Balancer cost",
		     "%s (%s) is %s. CPU is the count of every operation priced per operation, "
		     "memory the objects it holds priced per object plus the balancer core's own "
		     "tables as measured: %s; persistence lookup %.4g ns. Figures: cost profile "
		     "'%s', %s (%s: %s)%s%s%s. %s",
		     d->name, scn_design_kind_name(d->kind), implementation(d), prices, c->persist_ns,
		     d->cost_source.name, d->cost_source.where, d->cost_source.kind,
		     d->cost_source.source, over[0] ? "; the scenario's costs: for " : "", over,
		     over[0] ? "" : "",
		     d->lb_cores ? "The balancer has a number of cores: requests wait for them."
		     : d->kind != SCN_DESIGN_L7 && d->impl != COST_IMPL_PROXY
			     ? "The balancer's CPU is counted, never waited for (no lb-cores)."
			     : "The balancer's CPU is counted, never waited for (no lb-cores); its "
			       "wake-ups are counted as if it ran as many threads as its work needs.");
	}
}

size_t model_notes(const struct scenario *scn, struct model_note *notes)
{
	struct notes ns = {notes, 0};
	char d[512], words[128];
	demands(scn, d, sizeof d);
	note(&ns, MODEL_INCLUDES, "Roles",
	     "The clients (%u population%s), one balancer per design (%u design%s, built from "
	     "lbsim's balancer core: selection, persistence, health checks), and one tier of %s "
	     "(in the Exchange 2013 case, the Client Access role).",
	     scn->npopulations, scn->npopulations == 1 ? "" : "s", scn->ndesigns,
	     scn->ndesigns == 1 ? "" : "s", scn_servers_words(&scn->servers, words, sizeof words));
	note(&ns, MODEL_INCLUDES, "Server work",
	     "Each request needs CPU on one core of its server, queued first come first served: "
	     "%s%s.", d,
	     scn->servers.affinity_required ? "; a request away from its session's server adds a "
					      "re-authentication (affinity required)"
					    : "");
	int limited = 0;
	for (uint32_t k = 0; k < scn->ndesigns; k++)
		limited |= scn->designs[k].lb_cores > 0;
	int l7 = 0;
	for (uint32_t k = 0; k < scn->ndesigns; k++)
		l7 |= scn->designs[k].kind == SCN_DESIGN_L7;
	char nets[600];
	networks(scn, nets, sizeof nets);
	note(&ns, MODEL_INCLUDES, "Response time",
	     "From the moment a client sends a request to its answer at the client: on a new "
	     "connection the round trips of its TCP and TLS handshakes first (TCP 1; TLS 1.2 full 2, "
	     "resumed 1; TLS 1.3 1; over layer 4 a session resumes only on the server that made "
	     "it), one round trip of the client's network (%s), the balancer's processing (its "
	     "CPU for the request priced by the cost model%s)%s, the wait for a server core and "
	     "the CPU demand%s. A long poll's hold (ActiveSync's Ping, MAPI's NotificationWait) is "
	     "taken out.",
	     nets,
	     limited ? "; where a design sets lb-cores, the wait for and use of its cores"
		     : ", a delay: no design sets lb-cores, so nothing waits for balancer cores",
	     l7 ? ", on layer 7 the set-up of a connection to the server when no idle one can "
		  "be reused (backend-rtt, backend-idle)"
		: "",
	     scn->servers.affinity_required ? ", plus any re-authentication" : "");
	note(&ns, MODEL_INCLUDES, "Failures",
	     "%u fault%s of the scenario (whole server, one workload, or a slow server); the "
	     "balancer sees them only through its health checks (rise/fall state machines of "
	     "its core), and a client retries a failed request after a back-off.",
	     scn->nfaults, scn->nfaults == 1 ? "" : "s");
	balancer_notes(&ns, scn);
	note(&ns, MODEL_LEAVES_OUT, "Roles behind the servers",
	     "The Mailbox role (its databases, storage, replication): a Client Access server "
	     "proxies to it, and its time is not in the response times.");
	note(&ns, MODEL_LEAVES_OUT, "Network",
	     "Network limits: bandwidth, loss and retransmission, TCP slow start on large answers, "
	     "a phone radio waking from idle; the round trips are fixed per population with an "
	     "exponential jitter. The balancer decides at the moment a request is sent. Over layer "
	     "4 the servers' own TLS handshake work is not charged to them.");
	note(&ns, MODEL_LEAVES_OUT, "Server resources",
	     "Every server resource but CPU cores: memory, disk, connection limits, thread pools.");
	return ns.len;
}
