/* Random streams and the ziggurat's rare paths; see include/lbsim/rng.h.
 *
 * Stream seeds: FNV-1a over the name, mixed with the scenario seed through
 * the splitmix64 finalizer, which spreads neighbouring inputs over
 * unrelated seeds; splitmix64 then expands that seed into the generator's
 * 256-bit state (the seeding its authors recommend), and replication rep
 * jumps rep times by 2^128 from there.
 *
 * The ziggurat (Marsaglia and Tsang, "The Ziggurat Method for Generating
 * Random Variables", J. Stat. Software 5(8), 2000). The area under the
 * density f on x >= 0 is covered by 256 horizontal layers of equal area:
 * layers 1..255 are rectangles [0, x[i]] x [f(x[i]), f(x[i+1])]; layer 0 is
 * the base strip [0, r] x [0, f(r)] plus the tail beyond r. Pick a layer at
 * random (8 bits) and a uniform point x = u x[i] across it (53 other bits
 * of the same draw). If x < x[i+1], the point's whole column lies under
 * the curve: accept. This is the fast path, inline in the header, taken by
 * 97.8 % (exponential) and 98.5 % (normal) of draws. Otherwise:
 *  - in a layer i >= 1, draw the point's height uniformly in the layer and
 *    accept when it is under f(x) (one exp()); else start again;
 *  - in the base strip (x >= r), sample the tail: for the exponential,
 *    r + Exp(1) (memoryless, one log); for the normal, Marsaglia's (1964)
 *    method: a = -log(u1) / r, b = -log(u2) until 2b > a^2, then r + a.
 * Exact, not an approximation: every accepted x has density proportional
 * to f. Unlike the 2000 paper's 32-bit code, the layer index (bits 0-7),
 * the normal's sign (bit 8) and the position (bits 11-63) come from
 * disjoint bits of a 64-bit draw, which avoids the correlation Doornik
 * (2005) found in the original between the layer and the value.
 * tests/test_rng.c checks the tables' equal areas, the distributions by
 * Kolmogorov-Smirnov and chi-square against the exact CDFs, and the tails.
 */
#include "lbsim/rng.h"

#include <math.h>

/* (seed, name) to the 64-bit key of a stream, before the replication. */
static uint64_t stream_key(uint64_t seed, const char *name)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a offset basis */
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	return rng_mix64(seed ^ rng_mix64(h));
}

uint64_t rng_stream_seed(uint64_t seed, uint32_t rep, const char *name)
{
	return rng_mix64(rng_mix64(stream_key(seed, name)) + rep);
}

void rng_seed(struct rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++) {
		seed += 0x9e3779b97f4a7c15ULL;
		uint64_t z = seed;
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		r->s[i] = z ^ (z >> 31);
	}
	/* All zero is the one state the generator never leaves; splitmix64's
	 * outputs are a bijection of distinct counters, so four zeros cannot
	 * happen, but say so rather than rely on it silently. */
	if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
		r->s[0] = 1;
}

void rng_jump(struct rng *r)
{
	/* The jump polynomial of xoshiro256 (Blackman and Vigna's reference
	 * code): the state 2^128 steps ahead. */
	static const uint64_t jump[4] = {0x180ec6d33cfd0abaULL, 0xd5a61266f0c9392cULL,
					 0xa9582618e03fc9aaULL, 0x39abdc4529b1661cULL};
	uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
	for (int i = 0; i < 4; i++)
		for (int b = 0; b < 64; b++) {
			if (jump[i] & ((uint64_t)1 << b)) {
				s0 ^= r->s[0];
				s1 ^= r->s[1];
				s2 ^= r->s[2];
				s3 ^= r->s[3];
			}
			(void)rng_next(r);
		}
	r->s[0] = s0;
	r->s[1] = s1;
	r->s[2] = s2;
	r->s[3] = s3;
}

void rng_stream(struct rng *r, uint64_t seed, uint32_t rep, const char *name)
{
	rng_seed(r, stream_key(seed, name));
	for (uint32_t k = 0; k < rep; k++)
		rng_jump(r);
}

static inline double bits_unit(uint64_t bits)
{
	return (double)(bits >> 11) * (1.0 / 9007199254740992.0);
}

double rng__exp_slow(uint64_t bits, struct rng *more)
{
	struct rng own;
	if (!more) {
		rng_seed(&own, bits);
		more = &own;
	}
	const struct rng_zig *z = &rng_zig_exp;
	for (;;) {
		unsigned i = (unsigned)(bits & 0xff);
		double x = bits_unit(bits) * z->x[i];
		if (x < z->x[i + 1])
			return x;
		if (i == 0)
			return z->r - log(rng_u01(more));
		if (z->f[i] + (z->f[i + 1] - z->f[i]) * rng_u01(more) < exp(-x))
			return x;
		bits = rng_next(more);
	}
}

double rng__normal_slow(uint64_t bits, struct rng *more)
{
	struct rng own;
	if (!more) {
		rng_seed(&own, bits);
		more = &own;
	}
	const struct rng_zig *z = &rng_zig_normal;
	for (;;) {
		unsigned i = (unsigned)(bits & 0xff);
		int negative = (bits & 0x100) != 0;
		double x = bits_unit(bits) * z->x[i];
		if (x >= z->x[i + 1]) {
			if (i == 0) {
				double a, b;
				do {
					a = -log(rng_u01(more)) / z->r;
					b = -log(rng_u01(more));
				} while (b + b < a * a);
				x = z->r + a;
			} else if (z->f[i] + (z->f[i + 1] - z->f[i]) * rng_u01(more) >= exp(-0.5 * x * x)) {
				bits = rng_next(more);
				continue;
			}
		}
		return negative ? -x : x;
	}
}
