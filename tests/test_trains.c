/* The arithmetic that keeps a probe train off the instants where the
 * order of same-instant events would decide something
 * (sim/world/world_trains.c): whether a probe t0 + k x every ever falls,
 * by the run's end, on a sampling window's end (warm-up + j x 10 s).
 * Checked against walking the probes one by one, on random cases with
 * every kind of interval: multiples and divisors of 10 s, intervals
 * sharing only a few factors with it, and meetings placed on purpose. The
 * identity of the results themselves is tests/cli_skip.sh's.
 *
 * Links the engine library and cmocka.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../sim/world/world.h"

#define S 1000000000ULL

/* The truth, by walking the probes. */
static int walk(sim_time_t t0, sim_time_t every, sim_time_t warmup, sim_time_t end)
{
	for (sim_time_t t = t0; t <= end; t += every)
		if (t >= warmup && (t - warmup) % SAMPLE_WINDOW_NS == 0)
			return 1;
	return 0;
}

/* xorshift64*: a test's own fixed stream. */
static uint64_t next_u64(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static void test_meets_window_against_walking(void **state)
{
	(void)state;
	uint64_t seed = 19;
	unsigned met = 0, missed = 0;
	static const sim_time_t shapes[] = {2 * S, 5 * S, 10 * S, 20 * S, 3 * S, 7 * S, 1500000000,
					    1234000000, 999999999, 1234567891, 250000000};
	for (int i = 0; i < 20000; i++) {
		sim_time_t every = shapes[next_u64(&seed) % (sizeof shapes / sizeof shapes[0])];
		if (next_u64(&seed) % 4 == 0) /* now and then any interval from 100 ms to 30 s */
			every = 100000000 + next_u64(&seed) % (30 * S);
		sim_time_t warmup = next_u64(&seed) % 3 == 0 ? 0 : next_u64(&seed) % (600 * S);
		sim_time_t t0 = next_u64(&seed) % (900 * S);
		if (next_u64(&seed) % 3 == 0) {
			/* On purpose: a probe on some window's end, before or after t0's start. */
			sim_time_t w = warmup + (next_u64(&seed) % 50) * SAMPLE_WINDOW_NS;
			sim_time_t k = next_u64(&seed) % 20;
			t0 = w >= k * every ? w - k * every : w % every;
		}
		sim_time_t end = warmup + next_u64(&seed) % (2000 * S);
		int want = walk(t0, every, warmup, end);
		int got = world_train_meets_window(t0, every, warmup, end);
		if (got != want)
			fail_msg("t0 %llu every %llu warmup %llu end %llu: %d, walking says %d",
				 (unsigned long long)t0, (unsigned long long)every,
				 (unsigned long long)warmup, (unsigned long long)end, got, want);
		met += (unsigned)want;
		missed += (unsigned)!want;
	}
	/* Both answers were exercised. */
	assert_true(met > 2000);
	assert_true(missed > 2000);
}

/* A few by hand: probes every 2 s from warm-up's end meet it; from 1 ns
 * later never (2 s and 10 s share 2 s: the phase must agree modulo 2 s);
 * every 3 s from 1 s after warm-up meets the window at 10 s (1 + 3k = 10
 * at k = 3), unless the run ends before; an interval with no factor in
 * common with 10 s meets some window eventually, and the end decides. */
static void test_meets_window_by_hand(void **state)
{
	(void)state;
	sim_time_t wu = 300 * S;
	assert_true(world_train_meets_window(wu, 2 * S, wu, wu + 3600 * S));
	assert_false(world_train_meets_window(wu + 1, 2 * S, wu, wu + 3600 * S));
	assert_true(world_train_meets_window(wu + 1 * S, 3 * S, wu, wu + 10 * S));
	assert_false(world_train_meets_window(wu + 1 * S, 3 * S, wu, wu + 10 * S - 1));
	/* Before warm-up's end, the meetings before it do not count. */
	assert_true(world_train_meets_window(wu - 20 * S, 20 * S, wu, wu));
	assert_false(world_train_meets_window(wu - 20 * S, 20 * S, wu, wu - 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_meets_window_by_hand),
		cmocka_unit_test(test_meets_window_against_walking),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
