/* Parameters of the balancer core, declared once.
 *
 * Every selection algorithm, health-check kind and persistence method says
 * which parameters it takes, as a table of struct lb_param: the name a
 * scenario writes, the kind of value, where the value lives in the
 * parameter struct the core reads (struct lb_sel_params, lb_hc_params,
 * lb_pers_params), its range, its default and unit, and a line saying
 * what it is. That table is the one rule: the core checks parameters
 * against it (lb_param_check), fills its defaults from it
 * (lb_param_fill_defaults), and the scenario loader, `--set` and `sweep`
 * read scenario values with it (sim/scenario/scenario_param.c), so a range
 * cannot differ between the file and the core.
 *
 * The tables are plain data (HAProxy declares its keywords the same way,
 * src/cfgparse-listen.c): any group of numeric settings can be declared
 * like this, e.g. the cost figures of models/cost.c. A table ends with an
 * entry whose name is NULL (LB_PARAM_END).
 *
 * Numbers are kept as doubles in the table, exact for every value below
 * 2^53: durations are in nanoseconds (30 days is 2.6e15).
 */
#ifndef LBSIM_LB_PARAM_H
#define LBSIM_LB_PARAM_H

#include <stddef.h>
#include <stdint.h>

/* How a value is written. */
enum lb_param_kind {
	LB_PARAM_WHOLE = 0,  /* a whole number in [min, max] */
	LB_PARAM_NUMBER,     /* a finite number in [min, max] ((min, max] with LB_PARAM_MIN_OPEN) */
	LB_PARAM_DURATION,   /* a duration with a unit, kept in nanoseconds, in [min, max] */
	LB_PARAM_BOOL,       /* true or false, kept as 1 or 0 */
	LB_PARAM_CHOICE,     /* one of choices[], kept as its index */
	LB_PARAM_TEXT,       /* text of at most size - 1 bytes, kept NUL-terminated */
};

/* How it is kept in the parameter struct. */
enum lb_param_store {
	LB_STORE_U8 = 0,
	LB_STORE_U32,
	LB_STORE_U64,
	LB_STORE_F64,        /* double (numbers; durations finer than 1 ns) */
	LB_STORE_CHARS,      /* char[size] (text) */
};

enum lb_param_flags {
	LB_PARAM_MIN_OPEN = 1u << 0,      /* number: min itself is refused */
	/* The core reads 0 as `dflt` (lb_param_fill_defaults), so a zeroed
	 * struct is a valid one; the loader leaves an absent key at 0. */
	LB_PARAM_ZERO_DEFAULT = 1u << 1,
	/* No default figure: absent means what `zero` says (fastinter: inter). */
	LB_PARAM_NO_DEFAULT = 1u << 2,
};

struct lb_param {
	const char *name;            /* as a scenario writes it: "draws", "hash-type"; NULL ends a table */
	enum lb_param_kind kind;
	enum lb_param_store store;
	size_t offset;               /* of the field in the parameter struct */
	size_t size;                 /* of the field, in bytes */
	double min, max;             /* whole, number, duration (ns) */
	unsigned flags;              /* enum lb_param_flags */
	double dflt;                 /* the value when a scenario leaves the key out (ns for durations; a choice's index) */
	const char *zero;            /* what 0 means to the core when it is not an ordinary value: "never", "inter"; or NULL */
	const char *unit;            /* of a whole number or number, for messages and help: "entries"; or NULL */
	const char *const *choices;  /* choice: the names, in index order */
	uint32_t nchoices;
	/* The parameter applies only while the choice parameter `when` of the
	 * same struct holds `when_is` (table-size: hash-type maglev); NULL:
	 * always. */
	const char *when;
	uint32_t when_is;
	const char *doc;             /* one line: what it is */
};

#define LB_PARAM_END { .name = NULL }
#define LB_PARAM_APPLIES "%s applies to "
/* .offset and .size of member of type (a struct). */
#define LB_PARAM_FIELD(type, member) \
	.offset = offsetof(type, member), .size = sizeof(((type *)0)->member)

/* The entry of table named name (len bytes), or NULL. */
const struct lb_param *lb_param_find(const struct lb_param *table, const char *name, size_t len);

/* Number of entries of table (NULL: 0). */
size_t lb_param_count(const struct lb_param *table);

/* The value of p in the struct at base, as a double (choices, bools and
 * whole numbers as their integer value; text: 0). */
double lb_param_get(const struct lb_param *p, const void *base);
/* Store x (already checked) as p's value in the struct at base. */
void lb_param_put(const struct lb_param *p, void *base, double x);

/* Is x a value p accepts (range, whole, a valid choice)? 1 or 0. The
 * value 0 of a parameter with LB_PARAM_ZERO_DEFAULT or a `zero` meaning is
 * accepted here too: the core reads it as said. */
int lb_param_ok(const struct lb_param *p, double x);

/* Write "1 .. 64", "more than 1 and at most 100", "map-based, consistent
 * or maglev", "a duration from 1ns to 30d" ... into buf: the range of p in
 * words. Returns buf. */
const char *lb_param_range(const struct lb_param *p, char *buf, size_t len);

/* Set every LB_PARAM_ZERO_DEFAULT field of table that is 0 in the struct
 * at base to its default. */
void lb_param_fill_defaults(const struct lb_param *table, void *base);

/* Check the struct at base against table: every value in its range, and a
 * parameter given (non-zero) only where its `when` condition holds. Returns
 * NULL when all is well, else a message in buf naming the parameter
 * ("draws must be 1 .. 64, not 65"); *bad (may be NULL) is then the
 * offending entry. */
const char *lb_param_check(const struct lb_param *table, const void *base, char *buf,
			   size_t len, const struct lb_param **bad);

/* A registry of owners of parameter tables (the selection algorithms,
 * the persistence methods, the check kinds), seen through two accessors,
 * so that one function serves every registry. */
struct lb_param_owners {
	size_t n;
	const struct lb_param *(*table)(size_t i);   /* owner i's own table (may be NULL) */
	const char *(*name)(size_t i);
	const struct lb_param *common;   /* what every owner takes (may be NULL) */
	/* "%s applies to %s checks only, not %s": a parameter, the owners
	 * that take it, the owner given it. It starts with LB_PARAM_APPLIES,
	 * which the scenario loader, quoting the key its own way, skips. */
	const char *applies;
};

/* The index of the owner called name, or -1: one lookup for every
 * registry (SimGrid's find_model_description). */
long lb_param_owner_index(const struct lb_param_owners *o, const char *name);

/* "a, b, c": the owners' names, into buf; returns buf. */
const char *lb_param_owner_names(const struct lb_param_owners *o, char *buf, size_t len);

/* The entry of name in the common table or any owner's (the first), or
 * NULL. */
const struct lb_param *lb_param_any(const struct lb_param_owners *o, const char *name,
				    size_t len);

/* The owners that declare name, as "source, uri and hdr", into buf;
 * returns buf ("" when none does). */
const char *lb_param_owners_of(const struct lb_param_owners *o, const char *name, char *buf,
			       size_t len);

/* A parameter of some owner's table that own does not declare and that is
 * set (non-zero, or non-empty text) in the struct at base: refused, never
 * ignored. NULL when there is none. */
const struct lb_param *lb_param_foreign(const struct lb_param_owners *o,
					const struct lb_param *own, const void *base);

/* The one rule for owner `name` of table own: no foreign parameter set,
 * then the common table and own (lb_param_check). NULL when all is well,
 * else a message in buf; *bad (may be NULL) the parameter at fault. */
const char *lb_param_check_owner(const struct lb_param_owners *o, const char *name,
				 const struct lb_param *own, const void *base, char *buf,
				 size_t len, const struct lb_param **bad);

#endif
