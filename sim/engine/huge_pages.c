/* Transparent huge pages for large arrays; see include/lbsim/huge_pages.h.
 * madvise and MADV_HUGEPAGE are not POSIX; glibc declares them with
 * _DEFAULT_SOURCE. */
#define _DEFAULT_SOURCE 1

#include "lbsim/huge_pages.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define LINE 64u
#define HUGE_PAGE ((size_t)2 << 20) /* a transparent huge page on x86-64 and arm64/4K */

/* Advise the whole huge pages inside [p, p + size). */
static void advise(void *p, size_t size)
{
#ifdef MADV_HUGEPAGE
	uintptr_t lo = ((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
	uintptr_t hi = ((uintptr_t)p + size) & ~(uintptr_t)(HUGE_PAGE - 1);
	if (hi > lo)
		(void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE); /* a hint: failure is harmless */
#else
	(void)p;
	(void)size;
#endif
}

void *huge_calloc(size_t n, size_t size)
{
	if (n == 0 || size == 0 || n > SIZE_MAX / size)
		return NULL;
	size_t bytes = n * size;
	size_t align = bytes >= HUGE_PAGE ? HUGE_PAGE : LINE;
	void *p = NULL;
	if (posix_memalign(&p, align, bytes) != 0)
		return NULL;
	if (align == HUGE_PAGE)
		advise(p, bytes);
	memset(p, 0, bytes);
	return p;
}

void *huge_realloc(void *p, size_t size)
{
	void *q = realloc(p, size);
	if (q && size >= HUGE_PAGE)
		advise(q, size);
	return q;
}
