/* Stream seeds: FNV-1a over the name, mixed with the scenario seed and the
 * replication number through the splitmix64 finalizer, which spreads
 * neighbouring inputs (rep 1, rep 2) over unrelated seeds.
 *
 * The generator is GSL's MT19937. Its seeding function keeps 32 bits of the
 * seed, so we fold the 64-bit hash to 32 bits; with the few hundred streams
 * of a run the chance that two share a seed is below 1e-5.
 */
#include "lbsim/rng.h"

uint64_t rng_mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

uint64_t rng_stream_seed(uint64_t seed, uint32_t rep, const char *name)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a offset basis */
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	return rng_mix64(rng_mix64(seed ^ rng_mix64(h)) + rep);
}

gsl_rng *rng_stream(uint64_t seed, uint32_t rep, const char *name)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	if (!r)
		return NULL;
	uint64_t s = rng_stream_seed(seed, rep, name);
	unsigned long folded = (unsigned long)((s ^ (s >> 32)) & 0xffffffffUL);
	/* MT19937 treats seed 0 as its default seed 4357; avoid the alias. */
	gsl_rng_set(r, folded ? folded : 1);
	return r;
}
