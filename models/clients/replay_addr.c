/* Fresh addresses for a scaled replay's copies; see
 * include/lbsim/replay_addr.h. */
#include "lbsim/replay_addr.h"

int replay_addr_copy(struct replay_addrs *m, uint32_t addr, uint32_t c, uint32_t *out)
{
	if (c == 0) {
		*out = addr;
		return 0;
	}
	uint64_t key = ((uint64_t)(addr >> 8) << 10) | (c & (REPLAY_MAX_COPIES - 1));
	int fresh;
	struct keymap_slot *s = keymap_get(&m->map, key + 1, 0, &fresh);
	if (!s)
		return -1;
	if (fresh) {
		if (m->used == REPLAY_FRESH_PREFIXES) {
			s->v = -1; /* kept: the same copy fails the same way */
			return -2;
		}
		s->v = REPLAY_FRESH_BASE + ((int64_t)m->used++ << 8);
	}
	if (s->v < 0)
		return -2;
	*out = (uint32_t)s->v | (addr & 0xffu);
	return 0;
}

void replay_addrs_free(struct replay_addrs *m)
{
	keymap_free(&m->map);
	m->used = 0;
}
