/* The balancer's books: operations counted per window and over the
 * measurement, priced at the design's figures (models/cost.c), and the
 * memory the design holds; see include/lbsim/balancer.h.
 *
 * CPU of a window is its counts times the per-operation prices divided by
 * its length, so every CPU figure traces back to counts and prices
 * (cost_cpu_ns). Memory is sampled at the end of each window: what the
 * core's structures measure (pools, persistence tables) plus, priced per
 * object, the connection table (layer 4) or the proxied connections and
 * the TLS session cache (layer 7). The cache holds the sessions created
 * within its lifetime: by Little's law, the full-handshake rate of the
 * window times the lifetime.
 */
#include "balancer_internal.h"

void balancer_measure_start(struct balancer *b)
{
	b->ledger.window = (struct cost_counts){0};
}

static double memory_now(const struct balancer *b, double window_s)
{
	const struct cost_params *p = b->ledger.price;
	double bytes = (double)balancer_mem_bytes(b);
	double conns = (double)b->stats.conns_open;
	if (b->terminates_tls) {
		bytes += conns * (b->reencrypt ? p->conn_reencrypt_bytes : p->conn_bytes);
		double rate = window_s > 0 ? (double)b->ledger.window.tls_full / window_s : 0;
		bytes += rate * p->tls_cache_lifetime_s * p->tls_cache_entry_bytes;
	} else {
		bytes += conns * p->flow_bytes + p->flow_buckets * p->flow_bucket_bytes;
	}
	return bytes;
}

void balancer_window_close(struct balancer *b, uint64_t window_ns, double *cpu_cores,
			   double *mem_bytes)
{
	struct bal_ledger *l = &b->ledger;
	double window_s = (double)window_ns / 1e9;
	*cpu_cores = cost_cpu_ns(l->price, &l->window) / (double)window_ns;
	*mem_bytes = memory_now(b, window_s);
	cost_counts_add(&l->measured, &l->window);
	l->window = (struct cost_counts){0};
}

const struct cost_counts *balancer_measured_ops(const struct balancer *b)
{
	return &b->ledger.measured;
}

double balancer_measured_cpu_ns(const struct balancer *b)
{
	return cost_cpu_ns(b->ledger.price, &b->ledger.measured);
}
