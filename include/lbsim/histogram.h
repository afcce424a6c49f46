/* Latency histogram with bounded relative error, O(1) record, fixed memory.
 *
 * Log-linear buckets (the HdrHistogram layout, which has no Debian C
 * package): values below 2^SUB_BITS nanoseconds are exact; above, each power
 * of two is cut into 2^SUB_BITS equal sub-buckets, so any recorded value is
 * known within 1/2^SUB_BITS (0.8 % with 7 bits). Quantiles interpolate
 * within the bucket that holds them. No allocation after init, so a run
 * records millions of latencies without growing.
 *
 * A bucket's count is kept as a 16-bit word that recording touches and a
 * 32-bit word of carries, in separate arrays: a record touches only the
 * low word (the high one takes a carry once per 2^16 samples of a
 * bucket), so the part of a histogram that recording reads and writes is
 * a quarter of a 64-bit layout's. A run records into one histogram per
 * server and one per workload, and at 8 bytes a bucket the few octaves
 * that latencies occupy (~7 KB each) outgrew the first-level cache
 * (issue 19: 7-11 % of the peer benchmark's time, mostly those misses);
 * at 1,000,000 users there are 571 servers, whose buckets a completion
 * missed in the second-level cache too (issue 19 item 5). A bucket
 * counts up to 2^48 samples (the total of a run is far below: 2^48 is
 * a year of events at 10 million a second).
 */
#ifndef LBSIM_HISTOGRAM_H
#define LBSIM_HISTOGRAM_H

#include <stdint.h>

#define HIST_SUB_BITS 7
#define HIST_SUB (1u << HIST_SUB_BITS)
#define HIST_BUCKETS ((64 - HIST_SUB_BITS + 1) * HIST_SUB)
#define HIST_LOW_BITS 16

struct histogram {
	uint64_t count;
	uint64_t min, max;
	double sum;               /* for the exact mean */
	uint16_t bins[HIST_BUCKETS];       /* low 16 bits of each bucket's count */
	uint32_t bins_high[HIST_BUCKETS];  /* the count >> 16: carries, cold */
};

void hist_init(struct histogram *h);
void hist_record(struct histogram *h, uint64_t value);
/* A sample's count, sum, min and max without its bucket: for a histogram
 * of a subset of the samples another records whole (the steady state's
 * answers are among the measured ones: a second bucket count per
 * request was some 2 % of the peer benchmark, issue 19), whose buckets
 * hist_buckets_less fills at the end. */
void hist_note(struct histogram *h, uint64_t value);
/* h's buckets become all's less part's, where h noted (hist_note)
 * exactly the samples all recorded and part did not, part's samples
 * being among all's. h's count, sum, min and max stay its own, so h is
 * then the histogram its samples would have recorded, to the bit. */
void hist_buckets_less(struct histogram *h, const struct histogram *all,
		       const struct histogram *part);
/* Ask for the lines hist_record(h, value) will write, ahead of it: a run
 * records into one histogram per server, and at scale the bucket is a
 * cache miss (issue 19 item 5). Reads nothing of h's counts. */
void hist_prefetch(const struct histogram *h, uint64_t value);
/* The number of samples in bucket b (< HIST_BUCKETS). */
uint64_t hist_bucket_count(const struct histogram *h, unsigned b);
/* Add every sample of src into dst. */
void hist_merge(struct histogram *dst, const struct histogram *src);
double hist_mean(const struct histogram *h);
/* The q-quantile (0 <= q <= 1), interpolated within its bucket, so within
 * 1/2^HIST_SUB_BITS of the true sample quantile, and between min and max;
 * 0 for an empty histogram. */
uint64_t hist_quantile(const struct histogram *h, double q);

#endif
