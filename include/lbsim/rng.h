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

/* Counter-based draws: a uniform number in (0, 1) that is a pure function
 * of (base, a, b), for base = rng_stream_seed(...) of a named stream. The
 * world uses them for per-device traffic (a = device and connection, b = the
 * connection's request number), so that request k of a connection has the
 * same think time and demand in every design, whatever order the events of
 * a design happen in: common random numbers that survive different
 * queueing. GSL has no counter-based generator; splitmix64, used here as
 * the mixing function, passes BigCrush on sequential inputs (Steele, Lea
 * and Flood, OOPSLA 2014). */
uint64_t rng_mix64(uint64_t x);

static inline double rng_hash_u01(uint64_t base, uint64_t a, uint64_t b)
{
	uint64_t x = rng_mix64(base ^ rng_mix64(a ^ rng_mix64(b)));
	return ((double)(x >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

#endif
