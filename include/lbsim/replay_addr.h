/* Fresh addresses for the copies of a scaled replay (models/clients/
 * replay_addr.c): copy c (1 .. k - 1) of an address keeps its host byte
 * in a fresh /24 that stands for the original's /24 in that copy, so
 * addresses that shared a /24 share one in every copy and one address
 * stays one address per copy. Fresh /24s come from 240.0.0.0/4 (reserved,
 * RFC 1112 section 4: no client of a log comes from there), handed out in
 * order of first use: REPLAY_FRESH_PREFIXES of them.
 *
 * Memory: a keymap slot per (original /24, copy); O(1) expected per
 * address.
 */
#ifndef LBSIM_REPLAY_ADDR_H
#define LBSIM_REPLAY_ADDR_H

#include <stddef.h>
#include <stdint.h>

#include "lbsim/keymap.h"

#define REPLAY_FRESH_BASE 0xF0000000u        /* 240.0.0.0/4 */
#define REPLAY_FRESH_PREFIXES (1u << 20)     /* its /24s */
#define REPLAY_MAX_COPIES 1024u              /* copies a key can tell apart */

struct replay_addrs {
	struct keymap map;         /* (original /24) << 10 | copy -> fresh /24 */
	uint32_t used;             /* fresh /24s handed out */
};

/* Copy c (< REPLAY_MAX_COPIES) of IPv4 address addr (host order) into
 * *out; copy 0 is addr itself. Returns 0, -1 when memory is short, -2
 * when the fresh /24s have run out. */
int replay_addr_copy(struct replay_addrs *m, uint32_t addr, uint32_t c, uint32_t *out);
void replay_addrs_free(struct replay_addrs *m);

#endif
