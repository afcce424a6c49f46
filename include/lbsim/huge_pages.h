/* Large arrays that a run reads at random (devices, connections, the event
 * queue's chunks, latency histograms) on transparent huge pages. (Request
 * slabs, 0.9 MB each, come from malloc: on huge pages they saved about 1 %
 * of the user time at 1,000,000 users and cost more system time, README
 * Performance.)
 *
 * Why: at 100,000 users a run's working set is hundreds of megabytes read
 * in no order, so with 4 KB pages nearly every cache miss is also a TLB
 * miss and a page walk. Where THP is in "madvise" mode (Debian's default)
 * only ranges advised with MADV_HUGEPAGE get 2 MB pages; advice is not
 * POSIX and may be refused, so it is a hint: nothing depends on it but
 * speed (issue 19 item 5, measured in the README's Performance). The
 * balancer core has its own such allocator (models/lb/pers_table.c), as
 * it links libc alone.
 */
#ifndef LBSIM_HUGE_PAGES_H
#define LBSIM_HUGE_PAGES_H

#include <stddef.h>

/* n zeroed objects of size bytes, aligned on a cache line, and on a huge
 * page (advised before first touch) when they fill one or more. NULL when
 * n * size is 0 or overflows, or memory is short. Free with free(). */
void *huge_calloc(size_t n, size_t size);

/* realloc(p, size) for a block of old_size bytes (its first old_size bytes
 * kept, as realloc keeps them): a block of a huge page or more moves to
 * new memory aligned on one and advised before it is touched, so that the
 * whole of it is on huge pages (glibc's realloc would move the old pages,
 * small ones, with mremap). On failure p is untouched and NULL returned. */
void *huge_realloc(void *p, size_t old_size, size_t size);

#endif
