/* A hash map from 128-bit keys to 64-bit values, for counting distinct
 * things in a stream (users, addresses, devices of a log) and for the
 * replay's fresh addresses: open addressing with linear probing, at most
 * half full, doubling when it would be more. O(1) expected per look-up;
 * 24 bytes a slot, at most 4 slots per key. The core keeps its own tables
 * (models/lb/pers_table.c: bounded, with expiry); this one only grows.
 */
#ifndef LBSIM_KEYMAP_H
#define LBSIM_KEYMAP_H

#include <stddef.h>
#include <stdint.h>

struct keymap_slot {
	uint64_t a, b;            /* the key; a == 0 marks an empty slot */
	int64_t v;                /* the caller's value */
};

struct keymap {
	struct keymap_slot *t;
	size_t cap, used;         /* cap a power of two (0: nothing yet) */
};

/* The slot of key (a, b), a != 0; a new one (v = 0) when absent, with
 * *fresh set to 1 (else 0). NULL when memory is short. The slot is valid
 * until the next keymap_get. */
struct keymap_slot *keymap_get(struct keymap *m, uint64_t a, uint64_t b, int *fresh);
void keymap_free(struct keymap *m);

#endif
