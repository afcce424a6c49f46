/* A growing hash map of 128-bit keys; see include/lbsim/keymap.h. */
#include "lbsim/keymap.h"

#include <assert.h>
#include <stdlib.h>

/* Both words mixed (the splitmix64 finalizer over their combination):
 * keys that differ in either word spread over the table. */
static uint64_t key_hash(uint64_t a, uint64_t b)
{
	uint64_t x = a * 0x9e3779b97f4a7c15ULL ^ (b + 0x632be59bd9b4e019ULL);
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static int grow(struct keymap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 1024;
	struct keymap_slot *t = calloc(cap, sizeof *t);
	if (!t)
		return -1;
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->t[i].a)
			continue;
		size_t j = key_hash(m->t[i].a, m->t[i].b) & (cap - 1);
		while (t[j].a)
			j = (j + 1) & (cap - 1);
		t[j] = m->t[i];
	}
	free(m->t);
	m->t = t;
	m->cap = cap;
	return 0;
}

struct keymap_slot *keymap_get(struct keymap *m, uint64_t a, uint64_t b, int *fresh)
{
	assert(a != 0);
	if (2 * (m->used + 1) > m->cap && grow(m) != 0)
		return NULL;
	size_t j = key_hash(a, b) & (m->cap - 1);
	while (m->t[j].a && (m->t[j].a != a || m->t[j].b != b))
		j = (j + 1) & (m->cap - 1);
	*fresh = !m->t[j].a;
	if (*fresh) {
		m->t[j] = (struct keymap_slot){a, b, 0};
		m->used++;
	}
	return &m->t[j];
}

void keymap_free(struct keymap *m)
{
	free(m->t);
	*m = (struct keymap){0};
}
