/* Scenario pieces written back as YAML; see include/lbsim/scenario_write.h.
 *
 * The keys and their defaults are the loader's (scenario_validate_design.c,
 * scenario_schema.c): what is left at its default is left out, so that a
 * written design reads like one a person wrote, and loads back the same.
 */
#include "lbsim/scenario_write.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "lbsim/lb_hash.h"
#include "scenario_internal.h"

const char *scn_format_duration(sim_time_t ns, char *buf, size_t len)
{
	static const struct {
		const char *unit;
		uint64_t ns;
	} units[] = {
		{"d", 86400ull * SIM_NS_PER_S}, {"h", 3600ull * SIM_NS_PER_S},
		{"m", 60ull * SIM_NS_PER_S},    {"s", SIM_NS_PER_S},
		{"ms", 1000000ull},             {"us", 1000ull},
	};
	for (size_t i = 0; ns > 0 && i < sizeof units / sizeof units[0]; i++) {
		if (ns % units[i].ns == 0) {
			snprintf(buf, len, "%" PRIu64 "%s", ns / units[i].ns, units[i].unit);
			return buf;
		}
	}
	snprintf(buf, len, "%" PRIu64 "ns", ns);
	return buf;
}

const char *scn_format_number(double v, char *buf, size_t len)
{
	/* %.17g reads back to the same double; shorter when it can. */
	for (int digits = 6; digits <= 17; digits++) {
		snprintf(buf, len, "%.*g", digits, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	return buf;
}

void scn_write_string(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f)
			fprintf(fp, "\\x%02x", c); /* YAML's escape; the loader refuses them still */
		else if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else
			fputc(c, fp);
	}
	fputc('"', fp);
}

static const char *const full_names[] = {"lru", "refuse"};
static const char *const init_names[] = {"up", "fully-up", "down", "fully-down"};

/* The balance as the loader reads it: a name, or hdr(NAME). */
static void write_balance(FILE *fp, const struct scn_design *d)
{
	if (d->balance == &lb_sel_hdr)
		fprintf(fp, "hdr(%s)", d->sel_params.hdr_name);
	else
		fputs(d->balance->name, fp);
}

static int is_hashing(const struct lb_sel_ops *ops)
{
	return ops == &lb_sel_source || ops == &lb_sel_uri || ops == &lb_sel_hdr;
}

static void write_persist(FILE *fp, const struct scn_design *d, const char *in)
{
	const struct lb_pers_params *p = &d->pers_params;
	char t[64];
	fprintf(fp, "%s  persist:\n%s    method: %s\n", in, in, d->persist->name);
	if (d->persist == &lb_pers_source_ip && p->netmask && p->netmask != 32)
		fprintf(fp, "%s    netmask: %u\n", in, p->netmask);
	if (p->size != SCN_DEFAULT_PERSIST_SIZE)
		fprintf(fp, "%s    size: %u\n", in, p->size);
	if (p->expire_ns != SCN_DEFAULT_PERSIST_EXPIRE)
		fprintf(fp, "%s    expire: %s\n", in, scn_format_duration(p->expire_ns, t, sizeof t));
	if (p->full != LB_PERS_FULL_LRU)
		fprintf(fp, "%s    full: %s\n", in, full_names[p->full]);
}

static void write_check(FILE *fp, const struct scn_design *d, const char *in)
{
	const struct lb_hc_params *p = &d->check.params;
	char t[64];
	const struct {
		const char *key;
		uint64_t ns;
	} times[] = {
		{"inter", p->inter_ns}, {"fastinter", p->fastinter_ns},
		{"downinter", p->downinter_ns}, {"timeout", p->timeout_ns},
	};
	int any = d->check.kind != &lb_hc_http || p->path[0] || p->rise || p->fall ||
		  p->init != LB_HC_INIT_UP;
	for (size_t i = 0; i < sizeof times / sizeof times[0]; i++)
		any |= times[i].ns != 0;
	if (!any)
		return;
	fprintf(fp, "%s  check:\n", in);
	if (d->check.kind != &lb_hc_http)
		fprintf(fp, "%s    kind: %s\n", in, d->check.kind->name);
	if (p->path[0]) {
		fprintf(fp, "%s    path: ", in);
		scn_write_string(fp, p->path);
		fputc('\n', fp);
	}
	for (size_t i = 0; i < sizeof times / sizeof times[0]; i++)
		if (times[i].ns)
			fprintf(fp, "%s    %s: %s\n", in, times[i].key,
				scn_format_duration(times[i].ns, t, sizeof t));
	if (p->rise)
		fprintf(fp, "%s    rise: %u\n", in, p->rise);
	if (p->fall)
		fprintf(fp, "%s    fall: %u\n", in, p->fall);
	if (p->init != LB_HC_INIT_UP)
		fprintf(fp, "%s    init: %s\n", in, init_names[p->init]);
}

/* costs: the figures the scenario overrode, in the loader's forms
 * (durations to a fraction of a ns, amounts, the MTU). */
static void write_costs(FILE *fp, const struct scn_design *d, const char *in)
{
	int header = 0;
	for (int f = 0; f < COST_FIG_COUNT; f++) {
		if (!(d->costs_overridden >> f & 1))
			continue;
		double v = cost_figure_get(&d->costs, (enum cost_figure)f);
		if (!header)
			fprintf(fp, "%s  costs:\n", in);
		header = 1;
		char t[64];
		switch (cost_figures[f].kind) {
		case COST_KIND_OP:
		case COST_KIND_BYTE:
			if (v == floor(v) && v < 1.8e19)
				scn_format_duration((sim_time_t)v, t, sizeof t);
			else {
				char num[40];
				snprintf(t, sizeof t, "%sns", scn_format_number(v, num, sizeof num));
			}
			break;
		case COST_KIND_TIME:
			scn_format_duration((sim_time_t)llround(v * 1e9), t, sizeof t);
			break;
		case COST_KIND_MEM:
		case COST_KIND_COUNT:
			scn_format_number(v, t, sizeof t);
			break;
		}
		fprintf(fp, "%s    %s: %s\n", in, cost_figures[f].name, t);
	}
}

/* How the balancer is built and priced, where not the defaults. */
static void write_implementation(FILE *fp, const struct scn_design *d, const char *in)
{
	struct scn_design def = *d;
	scn_set_design_defaults(&def);
	if (d->kind != SCN_DESIGN_L7 && d->impl != def.impl)
		fprintf(fp, "%s  implementation: %s\n", in, cost_impl_names[d->impl]);
	if (d->cert != def.cert)
		fprintf(fp, "%s  certificate: %s\n", in, cost_cert_names[d->cert]);
	if (d->cipher != def.cipher)
		fprintf(fp, "%s  cipher: %s\n", in, cost_cipher_names[d->cipher]);
	if (d->reuse != def.reuse)
		fprintf(fp, "%s  http-reuse: %s\n", in, cost_reuse_names[d->reuse]);
	/* A file by the path it was read from (absolute), so the scenario
	 * written elsewhere still finds it; a built-in profile by name. */
	if (d->cost_source.as_written[0]) {
		fprintf(fp, "%s  cost-profile: ", in);
		scn_write_string(fp, strncmp(d->cost_source.where, "built in", 8) == 0
					     ? d->cost_source.name
					     : d->cost_source.where);
		fputc('\n', fp);
	}
}

void scn_write_design(FILE *fp, const struct scn_design *d, const char *in)
{
	const struct lb_sel_params *sp = &d->sel_params;
	char t[64];
	fprintf(fp, "%s- name: ", in);
	scn_write_string(fp, d->name);
	fprintf(fp, "\n%s  kind: %s\n", in, scn_design_kind_name(d->kind));
	if (d->balance && d->balance != &lb_sel_roundrobin) {
		fprintf(fp, "%s  balance: ", in);
		write_balance(fp, d);
		fputc('\n', fp);
	}
	if (d->balance && is_hashing(d->balance)) {
		if (sp->hash_type != LB_HASH_MAP_BASED)
			fprintf(fp, "%s  hash-type: %s\n", in, lb_hash_type_name(sp->hash_type));
		if (sp->hash_function != LB_HASHFN_MURMUR)
			fprintf(fp, "%s  hash-function: %s\n", in,
				lb_hash_function_name(sp->hash_function));
		if (sp->hash_avalanche)
			fprintf(fp, "%s  avalanche: true\n", in);
		if (sp->balance_factor > 0)
			fprintf(fp, "%s  hash-balance-factor: %s\n", in,
				scn_format_number(sp->balance_factor, t, sizeof t));
		if (sp->table_size)
			fprintf(fp, "%s  table-size: %u\n", in, sp->table_size);
	}
	if (d->balance == &lb_sel_random && sp->draws)
		fprintf(fp, "%s  draws: %u\n", in, sp->draws);
	if (d->persist)
		write_persist(fp, d, in);
	write_check(fp, d, in);
	if (d->tls_reencrypt)
		fprintf(fp, "%s  reencrypt: true\n", in);
	write_implementation(fp, d, in);
	if (d->queue_timeout) {
		char qt[32];
		fprintf(fp, "%s  timeout-queue: %s\n", in,
			scn_format_duration(d->queue_timeout, qt, sizeof qt));
	}
	if (d->lb_cores) {
		fprintf(fp, "%s  lb-cores: %u\n", in, d->lb_cores);
		if (d->lb_queue != SCN_DEFAULT_LB_QUEUE)
			fprintf(fp, "%s  lb-queue: %u\n", in, d->lb_queue);
	}
	write_costs(fp, d, in);
}
