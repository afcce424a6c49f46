/* The balancer's books: operations counted per window and over the
 * measurement, priced at the design's figures (its cost profile), and the
 * memory the design holds; see include/lbsim/balancer.h.
 *
 * CPU of a window is its counts times the per-operation prices divided by
 * its length, so every CPU figure traces back to counts and prices
 * (cost_cpu_ns). A proxy also pays for waking up: every event that
 * reaches it (traffic.c's arrivals) while its thread sleeps costs it a
 * `wakeup`; how many found it asleep is the window's arrivals times its
 * threads' idle share, which the wake-ups themselves shrink (the closed
 * form is cost_wakeups). Computed once per window from the window's
 * counts: no event pays a scan, and the same events give the same
 * figures whatever -j is. Memory is sampled at the end of each window, as a proxy
 * or a kernel holds it (README "Balancer memory"):
 *   conn_base  every client connection open, idle or not: a proxy holds a
 *              socket and its state per side (layer 4: the client's and
 *              the server's), plus the TLS state when it terminates TLS
 *              (record buffers released while idle: OpenSSL's
 *              SSL_MODE_RELEASE_BUFFERS, which HAProxy sets);
 *   buffers    only while a connection's bytes move (bal_hold_buffers):
 *              two data buffers (HAProxy allocates them on demand and
 *              releases them once their data is passed on), the sockets'
 *              kernel buffers, and the TLS record buffers of each TLS side
 *              (OpenSSL's SSL_MODE_RELEASE_BUFFERS frees them likewise);
 *              nothing while a request waits at its server. The window's
 *              mean, by Little's law: the time buffers were held in the
 *              window over its length;
 *   streams    layer 7: each request in flight, from request to answer
 *              (waiting in a queue, at its server, a long poll held), its
 *              stream state (HAProxy's stream, HTTP transaction and stream
 *              connectors; a layer-4 proxy's lives with its connection, in
 *              conn-bytes);
 *   backend    layer 7's connections to the servers, in use or idle in
 *              the pools (a socket each, and TLS state when re-encrypting);
 *   caches     the TLS session cache, allocated whole at start
 *              (tune.ssl.cachesize slots);
 *   tables     what the core's structures measure (pools, persistence
 *              tables, Maglev tables) and, for a kernel forwarder, its
 *              connection table: one entry per open flow and per flow
 *              closed within the linger time (by Little's law, the
 *              window's close rate times the linger), plus the buckets.
 */
#include "balancer_internal.h"
#include "lbsim/network.h"

#include <math.h>

void balancer_measure_start(struct balancer *b)
{
	b->ledger.window = (struct cost_counts){0};
	b->ledger.window_closes = 0;
	b->ledger.charged = 0;
	b->ledger.moving_ns = 0;
	b->ledger.wake_carry = 0;
}

/* How long a message holds its connection's buffers (assumption; README
 * "Balancer memory"): from its first byte's arrival at the proxy to its
 * last byte's acknowledgement by the receiver, its bytes travelling at
 * TCP's pace on the client's side (network_message_flights: slow start
 * from 10 segments). A request comes in over its flights, a round trip
 * each after the first, and is held until the server acknowledges it
 * (the design's backend-rtt); an answer comes from the server at data
 * centre pace and goes out over its flights, the last acknowledged a
 * round trip later. A kernel forwarder holds no buffers. */
void bal_hold_buffers(struct balancer *b, uint64_t bytes, uint64_t rtt_ns, int inbound)
{
	if (b->kernel)
		return;
	double flights = (double)network_message_flights(bytes, (uint64_t)b->ledger.price->mtu_payload);
	double rtt = (double)rtt_ns;
	b->ledger.moving_ns += inbound ? (flights - 1) * rtt + b->backend_rtt_ns : flights * rtt;
}

static struct cost_mem memory_now(const struct balancer *b, double window_s)
{
	const struct cost_params *p = b->ledger.price;
	struct cost_mem m = {.tables = (double)balancer_mem_bytes(b)};
	double open = (double)b->stats.conns_open;
	double moving = window_s > 0 ? b->ledger.moving_ns / 1e9 / window_s : 0;
	if (b->kernel) {
		double closed_rate = window_s > 0 ? (double)b->ledger.window_closes / window_s : 0;
		m.tables += (open + closed_rate * p->flow_linger_s) * p->flow_bytes +
			    p->flow_buckets * p->flow_bucket_bytes;
		return m;
	}
	double sides_active = 2 * (p->buffer_bytes + p->socket_buffer_bytes);
	if (!b->terminates_tls) {
		m.conn_base = open * 2 * p->conn_bytes;
		m.buffers = moving * sides_active;
		return m;
	}
	m.conn_base = open * (p->conn_bytes + p->tls_state_bytes);
	m.buffers = moving * (sides_active + p->tls_buffer_bytes * (b->reencrypt ? 2 : 1));
	m.streams = (double)b->stats.conns_active * p->stream_bytes;
	m.backend = (double)b->backends.open *
		    (p->conn_bytes + (b->reencrypt ? p->tls_backend_state_bytes : 0));
	m.caches = p->tls_cache_size * p->tls_cache_entry_bytes;
	return m;
}

/* Messages of a health check's probe that reach a proxy: the server's
 * answer. */
enum { PROBE_ARRIVALS = 1 };

/* The window's wake-ups (a proxy's; a kernel forwarder has no thread
 * that sleeps), from its operations' CPU base_ns: cost_wakeups, with the
 * design's lb-cores as threads, or without them as many threads as the
 * window's work needs (ceil(base / window), at least one: a proxy sized
 * to its load, the assumption the README states). Counted whole,
 * rounded: the rest (a half at most either way) is carried to the next
 * window, so that the measurement's count is the windows' sum to within
 * a half, and the same sequence of windows gives the same counts. */
static uint64_t window_wakeups(struct balancer *b, double base_ns, double window_ns)
{
	struct bal_ledger *l = &b->ledger;
	if (b->kernel)
		return 0;
	l->window.arrivals += PROBE_ARRIVALS * l->window.probes;
	double threads = b->threads ? (double)b->threads : ceil(base_ns / window_ns);
	if (threads < 1)
		threads = 1;
	double w = cost_wakeups(base_ns, (double)l->window.arrivals, l->price->wakeup_ns, window_ns,
				threads) + l->wake_carry;
	double whole = floor(w + 0.5);
	l->wake_carry = w - whole;
	return (uint64_t)whole;
}

void balancer_window_close(struct balancer *b, uint64_t window_ns, uint64_t now_ns,
			   double *cpu_cores, struct cost_mem *mem)
{
	struct bal_ledger *l = &b->ledger;
	double window_s = (double)window_ns / 1e9;
	if (b->per_request)
		bal_backends_expire(&b->backends, now_ns);
	double cpu_ns;
	if (l->charged) {
		cpu_ns = cost_cpu_ns(l->price, &l->window);
	} else {
		/* Only probes: the same price as the last quiet window of as
		 * many. */
		if (!l->quiet_priced || l->quiet_probes != l->window.probes) {
			l->quiet_ns = cost_cpu_ns(l->price, &l->window);
			l->quiet_probes = l->window.probes;
			l->quiet_priced = 1;
		}
		cpu_ns = l->quiet_ns;
	}
	/* Wake-ups last: the operations' CPU decides how idle the proxy was. */
	l->window.wakeups = window_wakeups(b, cpu_ns, (double)window_ns);
	cpu_ns += (double)l->window.wakeups * l->price->wakeup_ns;
	*cpu_cores = cpu_ns / (double)window_ns;
	*mem = memory_now(b, window_s);
	if (l->charged) {
		cost_counts_add(&l->measured, &l->window);
		l->window = (struct cost_counts){0};
	} else {
		/* A quiet window counts probes alone, and what they woke. */
		l->measured.probes += l->window.probes;
		l->measured.arrivals += l->window.arrivals;
		l->measured.wakeups += l->window.wakeups;
		l->window.probes = 0;
		l->window.arrivals = 0;
		l->window.wakeups = 0;
	}
	l->window_closes = 0;
	l->moving_ns = 0;
	l->charged = 0;
}

const struct cost_counts *balancer_measured_ops(const struct balancer *b)
{
	return &b->ledger.measured;
}

double balancer_measured_cpu_ns(const struct balancer *b)
{
	return cost_cpu_ns(b->ledger.price, &b->ledger.measured);
}
