/* Parameter tables of the balancer core; see include/lbsim/lb_param.h.
 *
 * Reading and writing a field goes through its declared store, so one
 * table serves structs of 8-, 32- and 64-bit integers and doubles alike.
 * Everything is linear in the table's length (a handful of entries).
 */
#include "lbsim/lb_param.h"

#include <stdio.h>
#include <string.h>

size_t lb_param_count(const struct lb_param *table)
{
	size_t n = 0;
	while (table && table[n].name)
		n++;
	return n;
}

const struct lb_param *lb_param_find(const struct lb_param *table, const char *name, size_t len)
{
	for (; table && table->name; table++)
		if (strlen(table->name) == len && memcmp(table->name, name, len) == 0)
			return table;
	return NULL;
}

double lb_param_get(const struct lb_param *p, const void *base)
{
	const char *f = (const char *)base + p->offset;
	switch (p->store) {
	case LB_STORE_U8: {
		uint8_t v;
		memcpy(&v, f, sizeof v);
		return v;
	}
	case LB_STORE_U32: {
		uint32_t v;
		memcpy(&v, f, sizeof v);
		return v;
	}
	case LB_STORE_U64: {
		uint64_t v;
		memcpy(&v, f, sizeof v);
		return (double)v;
	}
	case LB_STORE_F64: {
		double v;
		memcpy(&v, f, sizeof v);
		return v;
	}
	case LB_STORE_CHARS:
		break;
	}
	return 0;
}

void lb_param_put(const struct lb_param *p, void *base, double x)
{
	char *f = (char *)base + p->offset;
	switch (p->store) {
	case LB_STORE_U8: {
		uint8_t v = (uint8_t)x;
		memcpy(f, &v, sizeof v);
		break;
	}
	case LB_STORE_U32: {
		uint32_t v = (uint32_t)x;
		memcpy(f, &v, sizeof v);
		break;
	}
	case LB_STORE_U64: {
		uint64_t v = (uint64_t)x;
		memcpy(f, &v, sizeof v);
		break;
	}
	case LB_STORE_F64:
		memcpy(f, &x, sizeof x);
		break;
	case LB_STORE_CHARS:
		break;
	}
}

/* x is a whole number a uint64_t holds (the cast is defined only then). */
static int is_whole(double x)
{
	return x >= 0 && x < 18446744073709551616.0 && x == (double)(uint64_t)x;
}

int lb_param_ok(const struct lb_param *p, double x)
{
	if (x == 0 && ((p->flags & LB_PARAM_ZERO_DEFAULT) || p->zero))
		return 1;
	if (!(x == x)) /* NaN, without libm */
		return 0;
	switch (p->kind) {
	case LB_PARAM_BOOL:
		return x == 0 || x == 1;
	case LB_PARAM_CHOICE:
		return is_whole(x) && x < p->nchoices;
	case LB_PARAM_TEXT:
		return 1;
	case LB_PARAM_WHOLE:
		if (!is_whole(x))
			return 0;
		break;
	case LB_PARAM_NUMBER:
	case LB_PARAM_DURATION:
		break;
	}
	if ((p->flags & LB_PARAM_MIN_OPEN) ? !(x > p->min) : !(x >= p->min))
		return 0;
	return x <= p->max;
}

/* A duration of ns nanoseconds in the largest unit that shows it whole
 * ("30d", "2s", "1ns"). */
static void show_duration(char *buf, size_t len, double ns)
{
	static const struct {
		const char *unit;
		double ns;
	} units[] = {
		{"d", 86400e9}, {"h", 3600e9}, {"m", 60e9}, {"s", 1e9},
		{"ms", 1e6}, {"us", 1e3}, {"ns", 1},
	};
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		double q = ns / units[i].ns;
		if (ns >= units[i].ns && is_whole(q)) {
			snprintf(buf, len, "%llu%s", (unsigned long long)q, units[i].unit);
			return;
		}
	}
	snprintf(buf, len, "%gns", ns);
}

/* A number as people write it: whole numbers in full. */
static void show_number(char *buf, size_t len, double x)
{
	if (is_whole(x) && x < 1e15)
		snprintf(buf, len, "%llu", (unsigned long long)x);
	else
		snprintf(buf, len, "%g", x);
}

const char *lb_param_range(const struct lb_param *p, char *buf, size_t len)
{
	char lo[32], hi[32];
	size_t used = 0;
	if (len == 0)
		return buf;
	buf[0] = '\0';
	switch (p->kind) {
	case LB_PARAM_BOOL:
		snprintf(buf, len, "true or false");
		return buf;
	case LB_PARAM_TEXT:
		snprintf(buf, len, "text of at most %zu bytes", p->size ? p->size - 1 : 0);
		return buf;
	case LB_PARAM_CHOICE:
		for (uint32_t i = 0; i < p->nchoices && used < len; i++) {
			const char *sep = i == 0 ? "" : i + 1 == p->nchoices ? " or " : ", ";
			int w = snprintf(buf + used, len - used, "%s%s", sep, p->choices[i]);
			if (w < 0)
				break;
			used += (size_t)w;
		}
		return buf;
	case LB_PARAM_DURATION:
		show_duration(lo, sizeof lo, p->min);
		show_duration(hi, sizeof hi, p->max);
		break;
	case LB_PARAM_WHOLE:
	case LB_PARAM_NUMBER:
		show_number(lo, sizeof lo, p->min);
		show_number(hi, sizeof hi, p->max);
		break;
	}
	if (p->flags & LB_PARAM_MIN_OPEN)
		snprintf(buf, len, "more than %s and at most %s", lo, hi);
	else
		snprintf(buf, len, "%s .. %s", lo, hi);
	return buf;
}

void lb_param_fill_defaults(const struct lb_param *table, void *base)
{
	for (; table && table->name; table++)
		if ((table->flags & LB_PARAM_ZERO_DEFAULT) && table->kind != LB_PARAM_TEXT &&
		    lb_param_get(table, base) == 0)
			lb_param_put(table, base, table->dflt);
}

/* Does p's `when` condition hold in the struct at base? */
static int condition_holds(const struct lb_param *table, const struct lb_param *p,
			   const void *base)
{
	if (!p->when)
		return 1;
	const struct lb_param *w = lb_param_find(table, p->when, strlen(p->when));
	return !w || lb_param_get(w, base) == p->when_is;
}

const char *lb_param_check(const struct lb_param *table, const void *base, char *buf,
			   size_t len, const struct lb_param **bad)
{
	char range[160], shown[32];
	if (bad)
		*bad = NULL;
	for (const struct lb_param *p = table; p && p->name; p++) {
		if (p->kind == LB_PARAM_TEXT) {
			if (memchr((const char *)base + p->offset, '\0', p->size))
				continue;
			snprintf(buf, len, "%s is longer than %zu bytes", p->name, p->size - 1);
		} else {
			double x = lb_param_get(p, base);
			if (!lb_param_ok(p, x)) {
				if (p->kind == LB_PARAM_DURATION)
					show_duration(shown, sizeof shown, x);
				else
					show_number(shown, sizeof shown, x);
				snprintf(buf, len, "%s must be %s, not %s", p->name,
					 lb_param_range(p, range, sizeof range), shown);
			} else if (x != 0 && !condition_holds(table, p, base)) {
				const struct lb_param *w = lb_param_find(table, p->when, strlen(p->when));
				snprintf(buf, len, "%s applies to %s %s only", p->name, p->when,
					 w->choices[p->when_is]);
			} else {
				continue;
			}
		}
		if (bad)
			*bad = p;
		return buf;
	}
	return NULL;
}

const struct lb_param *lb_param_any(const struct lb_param_owners *o, const char *name,
				    size_t len)
{
	const struct lb_param *c = lb_param_find(o->common, name, len);
	if (c)
		return c;
	for (size_t i = 0; i < o->n; i++) {
		const struct lb_param *p = lb_param_find(o->table(i), name, len);
		if (p)
			return p;
	}
	return NULL;
}

const char *lb_param_owners_of(const struct lb_param_owners *o, const char *name, char *buf,
			       size_t len)
{
	size_t used = 0, count = 0, total = 0;
	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < o->n; i++)
		total += lb_param_find(o->table(i), name, strlen(name)) != NULL;
	for (size_t i = 0; i < o->n && used < len; i++) {
		if (!lb_param_find(o->table(i), name, strlen(name)))
			continue;
		count++;
		const char *sep = count == 1 ? "" : count == total ? " and " : ", ";
		int w = snprintf(buf + used, len - used, "%s%s", sep, o->name(i));
		if (w < 0)
			break;
		used += (size_t)w;
	}
	return buf;
}

/* Is p's field of the struct at base set: non-zero, or non-empty text? */
static int is_set(const struct lb_param *p, const void *base)
{
	if (p->kind == LB_PARAM_TEXT)
		return ((const char *)base)[p->offset] != '\0';
	return lb_param_get(p, base) != 0;
}

const struct lb_param *lb_param_foreign(const struct lb_param_owners *o,
					const struct lb_param *own, const void *base)
{
	for (size_t i = 0; i < o->n; i++)
		for (const struct lb_param *p = o->table(i); p && p->name; p++)
			if (!lb_param_find(own, p->name, strlen(p->name)) && is_set(p, base))
				return p;
	return NULL;
}

const char *lb_param_check_owner(const struct lb_param_owners *o, const char *name,
				 const struct lb_param *own, const void *base, char *buf,
				 size_t len, const struct lb_param **bad)
{
	if (bad)
		*bad = NULL;
	const struct lb_param *other = lb_param_foreign(o, own, base);
	if (other) {
		char who[128];
		snprintf(buf, len, o->applies, other->name,
			 lb_param_owners_of(o, other->name, who, sizeof who), name);
		if (bad)
			*bad = other;
		return buf;
	}
	if (lb_param_check(o->common, base, buf, len, bad) || lb_param_check(own, base, buf, len, bad))
		return buf;
	return NULL;
}

long lb_param_owner_index(const struct lb_param_owners *o, const char *name)
{
	for (size_t i = 0; name && i < o->n; i++)
		if (strcmp(o->name(i), name) == 0)
			return (long)i;
	return -1;
}

const char *lb_param_owner_names(const struct lb_param_owners *o, char *buf, size_t len)
{
	size_t used = 0;
	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < o->n && used < len; i++) {
		int w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", o->name(i));
		if (w < 0)
			break;
		used += (size_t)w;
	}
	return buf;
}
