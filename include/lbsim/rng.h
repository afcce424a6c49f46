/* Random streams: one independent GSL generator per purpose.
 *
 * A stream is named ("arrivals/lan", "demand/lan", ...) and its seed is
 * derived from the scenario seed, the replication number and that name by a
 * hash, never from a shared counter: adding a stream never shifts another,
 * and every design of a replication that asks for "arrivals/lan" gets the
 * same numbers (common random numbers).
 */
#ifndef LBSIM_RNG_H
#define LBSIM_RNG_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

/* The 64-bit seed of stream name in replication rep of a scenario seeded
 * with seed. Pure function; exposed for tests. */
uint64_t rng_stream_seed(uint64_t seed, uint32_t rep, const char *name);

/* A new generator for that stream (free with gsl_rng_free), or NULL when
 * memory is short. */
gsl_rng *rng_stream(uint64_t seed, uint32_t rep, const char *name);

#endif
