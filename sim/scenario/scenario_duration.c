/* Durations with units ("250ms", "1.5s", "2h") into integer nanoseconds.
 *
 * The arithmetic is exact, in integers, never through a double: 0.1s is
 * 100000000 ns, not 99999999. Every unit is m * 10^e nanoseconds with
 * m in {1, 6, 36, 864}, so a fraction F / 10^k of a unit is
 * F * m * 10^(e - k) ns; with at most FRAC_DIGITS_MAX digits F * m stays
 * below 2^64, and the power of ten is applied by multiplying or by a
 * rounded division. Digits beyond FRAC_DIGITS_MAX are read but weigh less
 * than a tenth of a nanosecond even in days, so they are dropped. The
 * result rounds half up to whole nanoseconds. Anything that would pass
 * 2^64 - 1 ns (about 584 years) is refused, not wrapped.
 *
 * scn_parse_duration_ns reads the same grammar into a double, for the
 * balancer's per-operation costs, which are finer than a nanosecond.
 */
#include "scenario_internal.h"

#include <stdlib.h>
#include <string.h>

#define FRAC_DIGITS_MAX 15

struct unit {
	const char *name;
	uint64_t mult;  /* m */
	unsigned exp10; /* e */
};

/* Longest names first, so "ms" is not read as "m" followed by "s". */
static const struct unit units[] = {
	{ "ns", 1, 0 },  { "us", 1, 3 },  { "ms", 1, 6 },   { "s", 1, 9 },
	{ "m", 6, 10 },  { "h", 36, 11 }, { "d", 864, 11 },
};

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static uint64_t pow10u(unsigned e)
{
	uint64_t p = 1;
	while (e--)
		p *= 10;
	return p;
}

/* a * b into *out; 0, or -1 on overflow. */
static int mul_u64(uint64_t a, uint64_t b, uint64_t *out)
{
	if (a && b > UINT64_MAX / a)
		return -1;
	*out = a * b;
	return 0;
}

#define NOT_A_DURATION "is not a duration such as 250ms, 1.5s, 10m or 2h"

/* A duration as written: digits, optionally a point and more digits,
 * optional spaces, a unit. */
struct duration_text {
	const char *whole;        /* the digits before the point */
	size_t nwhole;
	const char *frac;         /* the digits after it (nfrac 0: none) */
	size_t nfrac;
	const char *number_end;   /* past the last digit */
	const struct unit *unit;
};

/* Check text against the grammar, the one both parsers read. Returns 0, or
 * -1 with *why. A leading minus is refused: "is negative" when the rest is
 * a duration (one level deep, so "-----..." cannot recurse). */
static int scan_duration(const char *text, struct duration_text *d, const char **why)
{
	const char *p = text;
	if (!text || !*text) {
		*why = "is empty";
		return -1;
	}
	if (*p == '-') {
		struct duration_text ignored;
		if (p[1] == '-')
			*why = NOT_A_DURATION;
		else if (scan_duration(p + 1, &ignored, why) == 0)
			*why = "is negative";
		return -1;
	}
	d->whole = p;
	for (; is_digit(*p); p++)
		;
	d->nwhole = (size_t)(p - d->whole);
	d->frac = p;
	d->nfrac = 0;
	if (*p == '.') {
		p++;
		if (!is_digit(*p)) {
			*why = NOT_A_DURATION;
			return -1;
		}
		d->frac = p;
		for (; is_digit(*p); p++)
			;
		d->nfrac = (size_t)(p - d->frac);
	}
	if (d->nwhole + d->nfrac == 0) {
		*why = NOT_A_DURATION;
		return -1;
	}
	d->number_end = p;
	while (*p == ' ')
		p++;
	if (*p == '\0') {
		*why = "needs a unit: ns, us, ms, s, m, h or d";
		return -1;
	}
	d->unit = NULL;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strcmp(p, units[i].name) == 0)
			d->unit = &units[i];
	if (!d->unit) {
		*why = "has an unknown unit; use ns, us, ms, s, m, h or d";
		return -1;
	}
	return 0;
}

int scn_parse_duration(const char *text, sim_time_t *out, const char **why)
{
	struct duration_text d;
	if (scan_duration(text, &d, why) != 0)
		return -1;
	uint64_t whole = 0, frac = 0;
	int whole_overflow = 0;
	for (size_t i = 0; i < d.nwhole; i++) {
		unsigned digit = (unsigned)(d.whole[i] - '0');
		if (whole > (UINT64_MAX - digit) / 10)
			whole_overflow = 1;
		else
			whole = whole * 10 + digit;
	}
	unsigned frac_digits = d.nfrac < FRAC_DIGITS_MAX ? (unsigned)d.nfrac : FRAC_DIGITS_MAX;
	for (unsigned i = 0; i < frac_digits; i++)
		frac = frac * 10 + (uint64_t)(d.frac[i] - '0');

	const struct unit *u = d.unit;
	uint64_t unit_ns = u->mult * pow10u(u->exp10);
	uint64_t ns, part = frac * u->mult; /* < 10^15 * 864 < 2^64 */
	if (u->exp10 >= frac_digits) {
		if (mul_u64(part, pow10u(u->exp10 - frac_digits), &part) < 0)
			goto too_large;
	} else {
		uint64_t div = pow10u(frac_digits - u->exp10);
		part = part / div + (part % div >= div - div / 2);
	}
	if (whole_overflow || mul_u64(whole, unit_ns, &ns) < 0 || ns > UINT64_MAX - part)
		goto too_large;
	*out = ns + part;
	return 0;

too_large:
	*why = "is too large (more than 584 years in nanoseconds)";
	return -1;
}

/* The same grammar read into a double, for costs finer than a nanosecond
 * (AES-GCM at 4.6 Gbit/s is 1.74 ns per byte): the number is parsed by
 * strtod once the grammar has been checked by scan_duration, so that
 * strtod's own extensions (signs, exponents, hex, inf, nan, leading spaces)
 * never get in. A double carries 15 significant digits, far below any
 * figure a cost model can claim. */
int scn_parse_duration_ns(const char *text, double *ns, const char **why)
{
	struct duration_text d;
	if (scan_duration(text, &d, why) != 0)
		return -1;
	char number[64];
	size_t len = (size_t)(d.number_end - text);
	if (len >= sizeof number) {
		*why = "is too long a number";
		return -1;
	}
	memcpy(number, text, len);
	number[len] = '\0';
	*ns = strtod(number, NULL) * (double)(d.unit->mult * pow10u(d.unit->exp10));
	return 0;
}
