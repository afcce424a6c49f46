/* Random streams and variates of the simulation.
 *
 * A stream is named ("arrivals/lan", "demand/lan", ...) and is a
 * xoshiro256++ generator (Blackman and Vigna, "Scrambled linear
 * pseudorandom number generators", ACM TOMS 47(4), 2021): 256 bits of
 * state, period 2^256 - 1, four xors, two shifts, two rotations and two
 * additions per 64-bit output, no multiply, and it passes BigCrush and
 * PractRand in every bit (the ++ scrambler, unlike +, leaves no weak low
 * bits). The stream of (seed, rep, name) starts where splitmix64 expands
 * a hash of (seed, name) into a state, then jumps rep times by 2^128: the
 * replications of one stream are disjoint stretches of one sequence,
 * provably non-overlapping for 2^128 draws each, and the streams of
 * different names start at independent random points of the 2^256 cycle.
 * No stream's seed depends on a shared counter: adding a stream never
 * shifts another, and every design of a replication that asks for
 * "arrivals/lan" gets the same numbers (common random numbers).
 *
 * Variates: uniform on (0, 1) from the top 53 bits; integers below n by
 * Lemire's multiply-and-reject (no modulo bias); exponential and normal by
 * the ziggurat of Marsaglia and Tsang (2000) with 256 layers, one 64-bit
 * draw and no logarithm in 98 % of cases (sim/engine/rng.c explains it). GSL keeps
 * the distributions it does best (gamma quantiles, statistics) and the
 * tests' reference distribution functions.
 */
#ifndef LBSIM_RNG_H
#define LBSIM_RNG_H

#include <stddef.h>
#include <stdint.h>

struct rng {
	uint64_t s[4];
};

/* The 64-bit seed of stream name in replication rep of a scenario seeded
 * with seed. Pure function; also the base of counter-based draws. */
uint64_t rng_stream_seed(uint64_t seed, uint32_t rep, const char *name);

/* Set r to the stream name of replication rep (see above). */
void rng_stream(struct rng *r, uint64_t seed, uint32_t rep, const char *name);

/* Set r's state from a 64-bit seed (splitmix64 expansion; never all zero). */
void rng_seed(struct rng *r, uint64_t seed);

/* Advance r by 2^128 draws (the generator's published jump polynomial). */
void rng_jump(struct rng *r);

static inline uint64_t rng_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* The next 64 random bits. */
static inline uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rng_rotl(s[0] + s[3], 23) + s[0];
	uint64_t t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rng_rotl(s[3], 45);
	return result;
}

/* 64 bits to a uniform number strictly inside (0, 1): the top 53 bits
 * and half a step, so that log() of it is always finite. */
static inline double rng_bits_u01(uint64_t x)
{
	return ((double)(x >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

static inline double rng_u01(struct rng *r)
{
	return rng_bits_u01(rng_next(r));
}

/* Uniform in [0, n), n > 0, without modulo bias (Lemire, ACM TOMACS
 * 29(1), 2019). */
static inline uint32_t rng_below(struct rng *r, uint32_t n)
{
	uint64_t m = (rng_next(r) >> 32) * (uint64_t)n;
	if ((uint32_t)m < n) {
		uint32_t threshold = (uint32_t)-n % n;
		while ((uint32_t)m < threshold)
			m = (rng_next(r) >> 32) * (uint64_t)n;
	}
	return (uint32_t)(m >> 32);
}

/* ---- ziggurat --------------------------------------------------------- */

#define RNG_ZIG_LAYERS 256

/* A ziggurat of 256 layers of equal area v under the density
 * f(x) = exp(-x) or exp(-x^2/2) on x >= 0: x[1] = r is where the tail
 * starts, x[0] = v / f(r) the base strip's width as a rectangle, x[256] = 0;
 * f[i] = f(x[i]). Computed at build time by sim/engine/gen/rng_zig_gen.c. */
struct rng_zig {
	double r, v;
	double x[RNG_ZIG_LAYERS + 1];
	double f[RNG_ZIG_LAYERS + 1];
};
extern const struct rng_zig rng_zig_exp, rng_zig_normal;

/* The rare paths (2.2 % of exponential draws, 1.5 % of normal ones):
 * bits was the first draw, more gives any further bits needed (NULL: a
 * generator seeded with bits, so that the variate is a function of bits). */
double rng__exp_slow(uint64_t bits, struct rng *more);
double rng__normal_slow(uint64_t bits, struct rng *more);

/* An Exp(1) variate from the first draw bits: layer from the low 8 bits,
 * position from the top 53; more as for rng__exp_slow. */
static inline double rng_exp_bits(uint64_t bits, struct rng *more)
{
	unsigned i = (unsigned)(bits & 0xff);
	double x = (double)(bits >> 11) * (1.0 / 9007199254740992.0) * rng_zig_exp.x[i];
	if (x < rng_zig_exp.x[i + 1])
		return x;
	return rng__exp_slow(bits, more);
}

/* Exp(1): mean 1. Multiply by the mean for another. */
static inline double rng_exp(struct rng *r)
{
	return rng_exp_bits(rng_next(r), r);
}

/* N(0, 1): layer from the low 8 bits, sign from bit 8, magnitude from the
 * top 53. */
static inline double rng_normal(struct rng *r)
{
	uint64_t bits = rng_next(r);
	unsigned i = (unsigned)(bits & 0xff);
	double x = (double)(bits >> 11) * (1.0 / 9007199254740992.0) * rng_zig_normal.x[i];
	if (x < rng_zig_normal.x[i + 1])
		return (bits & 0x100) ? -x : x;
	return rng__normal_slow(bits, r);
}

/* ---- counter-based draws ------------------------------------------------ */

/* The splitmix64 finalizer of x + the golden gamma (Steele, Lea and Flood,
 * OOPSLA 2014): a bijection on 64 bits whose outputs over a Weyl sequence
 * pass BigCrush. */
static inline uint64_t rng_mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Counter-based draws: 64 random bits that are a pure function of
 * (base, a, b), for base = rng_stream_seed(...) of a named stream. The
 * world uses them for per-device traffic (a = device, connection and
 * purpose; b = the connection's request number), so that request k of a
 * connection has the same think time and demand in every design, whatever
 * order the events of a design happen in: common random numbers that
 * survive different queueing. For each a, the draws over b are splitmix64's
 * own sequence (the finalizer over a Weyl sequence of the golden gamma)
 * started at a point that the finalizer of base ^ a scatters: two
 * finalizers per draw. */
static inline uint64_t rng_hash64(uint64_t base, uint64_t a, uint64_t b)
{
	return rng_mix64(rng_mix64(base ^ a) + b * 0x9e3779b97f4a7c15ULL);
}

static inline double rng_hash_u01(uint64_t base, uint64_t a, uint64_t b)
{
	return rng_bits_u01(rng_hash64(base, a, b));
}

/* Exp(1) as a pure function of (base, a, b): the ziggurat on the hashed
 * bits; its rare further draws come from a generator seeded with them. */
static inline double rng_hash_exp(uint64_t base, uint64_t a, uint64_t b)
{
	return rng_exp_bits(rng_hash64(base, a, b), NULL);
}

#endif
