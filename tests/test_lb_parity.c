/* Parity of the hashing profiles with the real balancers.
 *
 * tests/parity/haproxy.csv and nginx.csv were recorded from a real HAProxy
 * 2.6 and NGINX 1.22 on loopback (scripts/parity-haproxy, parity-nginx):
 * one row per (configuration, client) with the server the program chose.
 * tests/parity/ipvs.csv comes from scripts/parity-ipvs, a separate
 * transcription of the kernel's ip_vs_sh.c and ip_vs_mh.c (IPVS cannot run
 * here). This test rebuilds each configuration as a pool of the core with
 * the matching profile and asks it the same questions. A row's optional
 * 11th field names the servers' endpoints ("HOST:PORT ..."; empty or
 * absent: lbsim's defaults), as `servers: list: - address:` does.
 *
 * Truths: the real programs' answers. Asserted: at least 99.9 % of the
 * answers agree in every case (we aim for, and today get, all of them);
 * and the disruption property, measured on the real data against the
 * core: when servers go down (or come back), the share of clients that
 * move is the same, and for consistent hashing only the clients of the
 * servers that went down move.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lbsim/address.h"
#include "lbsim/lb.h"
#include "lbsim/lb_hash.h"
#include "lbsim/lb_sel.h"

#define MAX_SERVERS 16
#define MAX_ROWS 40000
#define MAX_FIELD 160

struct row {
	char cfg[768];      /* everything but down, key and server: one pool */
	char down[64];
	char key[MAX_FIELD];
	int server;         /* from 1 */
	int model;          /* the core's answer, from 1 (0: none) */
};

/* The fields of one CSV line without quotes (the data has none). */
static int split(char *line, char **f, int max)
{
	int n = 0;
	f[n++] = line;
	for (char *p = line; *p && n < max; p++)
		if (*p == ',') {
			*p = '\0';
			f[n++] = p + 1;
		}
	char *nl = strpbrk(f[n - 1], "\r\n");
	if (nl)
		*nl = '\0';
	return n;
}

static int parse_list(const char *text, uint32_t *v, int max)
{
	int n = 0;
	for (const char *p = text; *p && n < max;) {
		char *end;
		unsigned long x = strtoul(p, &end, 10);
		if (end == p)
			break;
		v[n++] = (uint32_t)x;
		p = end;
		while (*p == ' ')
			p++;
	}
	return n;
}

struct pool_cfg {
	const struct lb_sel_ops *ops;
	struct lb_sel_params params;
	struct lb_endpoint endpoints[MAX_SERVERS];
	uint32_t weights[MAX_SERVERS];
	int nservers;
	int balance_hdr;
	int balance_uri;
};

/* The pool a row's configuration describes, as the scenario loader would
 * set it up for `profile: P` and the same keys. */
static void cfg_of(char **f, struct pool_cfg *c)
{
	/* case,profile,balance,hash_type,hash_function,avalanche,weights,... */
	memset(c, 0, sizeof *c);
	int prof = lb_hash_profile_find(f[1]);
	assert_true(prof >= 0);
	c->params.profile = (uint32_t)prof;
	c->ops = lb_sel_parse(f[2], &c->params);
	assert_non_null(c->ops);
	c->balance_hdr = c->ops == &lb_sel_hdr;
	c->balance_uri = c->ops == &lb_sel_uri;
	int type = lb_hash_type_find(f[3]);
	assert_true(type >= 0);
	c->params.hash_type = (uint32_t)type;
	if (prof == LB_PROFILE_HAPROXY) {
		/* hash-type consistent with no function: sdbm and avalanche
		 * (cfgparse-listen.c). */
		if (f[4][0]) {
			c->params.hash_function = (uint32_t)lb_hash_function_find(f[4]);
		} else {
			c->params.hash_function = LB_HASHFN_SDBM;
			c->params.hash_avalanche = type == LB_HASH_CONSISTENT;
		}
		if (strcmp(f[5], "avalanche") == 0)
			c->params.hash_avalanche = 1;
	}
	c->nservers = parse_list(f[6], c->weights, MAX_SERVERS);
	assert_true(c->nservers > 0);
	if (f[10] && f[10][0]) {
		/* "HOST:PORT HOST:PORT ...", one per server. */
		char text[MAX_FIELD * 4];
		assert_true(strlen(f[10]) < sizeof text);
		strcpy(text, f[10]);
		int n = 0;
		for (char *save = NULL, *tok = strtok_r(text, " ", &save); tok;
		     tok = strtok_r(NULL, " ", &save), n++) {
			assert_true(n < c->nservers);
			struct lb_addr_error e;
			assert_int_equal(lb_endpoint_parse(tok, strlen(tok), &c->endpoints[n].addr,
							   &c->endpoints[n].port, &e), 0);
		}
		assert_int_equal(n, c->nservers);
		c->params.endpoints = c->endpoints;
	}
}

static int pick(struct lb_pool *pool, const struct pool_cfg *c, const char *key)
{
	struct lb_request req;
	memset(&req, 0, sizeof req);
	struct lb_addr a;
	if (c->balance_uri) {
		req.path = key;
	} else if (c->balance_hdr) {
		req.hdr_value = key;
	} else {
		struct lb_addr_error e;
		assert_int_equal(lb_addr_parse(key, strlen(key), &a, &e), 0);
		req.src_ip = lb_addr_fold32(&a);
		req.src_addr = a.family == LB_AF_INET6 ? &a : NULL;
	}
	return lb_pick(pool, &req, 0) + 1;
}

/* Bring the pool's health to the down list (server numbers from 1), one
 * server at a time as health checks would. */
static void apply_down(struct lb_pool *pool, const char *down)
{
	uint32_t v[MAX_SERVERS];
	int n = parse_list(down, v, MAX_SERVERS);
	for (uint32_t s = 0; s < pool->nservers; s++) {
		int is_down = 0;
		for (int k = 0; k < n; k++)
			is_down |= v[k] == s + 1;
		if (pool->servers[s].healthy == is_down)
			assert_int_equal(lb_server_set_healthy(pool, s, !is_down), 0);
	}
}

static struct row *rows;
static int nrows;

/* Read a parity file and answer every row with the core; returns the
 * number of rows. */
static int replay(const char *name)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/tests/parity/%s", LBSIM_SOURCE_DIR, name);
	FILE *fp = fopen(path, "r");
	if (!fp)
		fail_msg("cannot read %s", path);
	char line[1024], cur_cfg[sizeof rows[0].cfg] = "";
	struct lb_pool pool;
	struct pool_cfg c;
	int have_pool = 0, header = 0;
	nrows = 0;
	while (fgets(line, sizeof line, fp)) {
		if (line[0] == '#')
			continue;
		if (!header++)
			continue;
		char *f[11] = {0};
		int nf = split(line, f, 11);
		assert_true(nf == 10 || nf == 11);
		assert_true(nrows < MAX_ROWS);
		struct row *r = &rows[nrows++];
		/* The configuration is the first seven fields and the endpoints. */
		size_t used = 0;
		for (int k = 0; k < 8; k++) {
			const char *field = k < 7 ? f[k] : f[10] ? f[10] : "";
			size_t l = strlen(field);
			assert_true(used + l + 2 < sizeof r->cfg);
			if (k)
				r->cfg[used++] = ',';
			memcpy(r->cfg + used, field, l);
			used += l;
		}
		r->cfg[used] = '\0';
		assert_true(strlen(f[7]) < sizeof r->down && strlen(f[8]) < sizeof r->key);
		memcpy(r->down, f[7], strlen(f[7]) + 1);
		memcpy(r->key, f[8], strlen(f[8]) + 1);
		r->server = atoi(f[9]);
		if (!have_pool || strcmp(cur_cfg, r->cfg) != 0) {
			if (have_pool)
				lb_pool_free(&pool);
			cfg_of(f, &c);
			assert_int_equal(lb_pool_init(&pool, "parity", (uint32_t)c.nservers, c.weights,
						      c.ops, &c.params), 0);
			have_pool = 1;
			memcpy(cur_cfg, r->cfg, sizeof cur_cfg);
		}
		apply_down(&pool, r->down);
		r->model = pick(&pool, &c, r->key);
	}
	if (have_pool)
		lb_pool_free(&pool);
	fclose(fp);
	return nrows;
}

/* Agreement per configuration and down state; prints the cases. */
static void check_agreement(const char *file)
{
	int n = replay(file);
	assert_true(n > 1000);
	int agree_all = 0;
	for (int i = 0; i < n;) {
		int j = i, agree = 0;
		while (j < n && strcmp(rows[j].cfg, rows[i].cfg) == 0 &&
		       strcmp(rows[j].down, rows[i].down) == 0)
			agree += rows[j].model == rows[j].server, j++;
		int shown = 0;
		for (int k = i; k < j && shown < 3; k++)
			if (rows[k].model != rows[k].server) {
				print_message("  mismatch %s down [%s] key %s: real %d, lbsim %d\n",
					      rows[k].cfg, rows[k].down, rows[k].key, rows[k].server,
					      rows[k].model);
				shown++;
			}
		print_message("%-60.60s down [%-5s] %4d/%4d agree\n", rows[i].cfg, rows[i].down,
			      agree, j - i);
		/* At least 99.9 % in every case. */
		assert_true(agree * 1000 >= (j - i) * 999);
		agree_all += agree;
		i = j;
	}
	print_message("%s: %d of %d answers agree\n", file, agree_all, n);
}

/* Disruption: for every pair of down states of one configuration over the
 * same keys (consecutive in the file), the share of keys whose server
 * changed, in the real data and in the core's answers. */
static void check_disruption(const char *file, const char *consistent_tag)
{
	int n = replay(file);
	int groups = 0;
	for (int i = 0; i < n;) {
		int j = i;
		while (j < n && strcmp(rows[j].cfg, rows[i].cfg) == 0 &&
		       strcmp(rows[j].down, rows[i].down) == 0)
			j++;
		int len = j - i;
		/* The next block of the same configuration (or the next case
		 * differing only by its down list and name suffix) with the
		 * same keys in the same order. */
		if (j + len <= n && strcmp(rows[j].key, rows[i].key) == 0 &&
		    strcmp(rows[j + len - 1].key, rows[j - 1].key) == 0 &&
		    strcmp(rows[j].down, rows[i].down) != 0) {
			const char *cfg_a = strchr(rows[i].cfg, ','), *cfg_b = strchr(rows[j].cfg, ',');
			/* Same configuration apart from the case name. */
			if (strcmp(cfg_a, cfg_b) == 0) {
				int moved_real = 0, moved_model = 0, bad_real = 0, bad_model = 0;
				uint32_t downs[MAX_SERVERS];
				int nd = parse_list(rows[j].down, downs, MAX_SERVERS);
				for (int k = 0; k < len; k++) {
					const struct row *a = &rows[i + k], *b = &rows[j + k];
					assert_string_equal(a->key, b->key);
					int mr = a->server != b->server, mm = a->model != b->model;
					moved_real += mr;
					moved_model += mm;
					/* Consistent hashing moves only the clients of
					 * servers that went down. */
					int was_on_down = 0;
					for (int d = 0; d < nd; d++)
						was_on_down |= (uint32_t)a->server == downs[d];
					bad_real += mr && !was_on_down;
					bad_model += mm && !was_on_down;
				}
				int consistent = strstr(rows[i].cfg, consistent_tag) != NULL;
				print_message("%-48.48s [%s] -> [%s]: %5.1f%% moved (reference), %5.1f%% (lbsim)%s\n",
					      rows[i].cfg, rows[i].down, rows[j].down,
					      100.0 * moved_real / len, 100.0 * moved_model / len,
					      consistent ? ", consistent" : "");
				/* The same share of clients moves, within 0.1 %. */
				assert_true(abs(moved_real - moved_model) * 1000 <= len);
				if (consistent && nd > 0 && strlen(rows[j].down) > strlen(rows[i].down)) {
					/* ... and, on a ring, none but those of the
					 * servers that went down: in the real program
					 * as in the core. */
					assert_int_equal(bad_real, 0);
					assert_int_equal(bad_model, 0);
				}
				groups++;
			}
		}
		i = j;
	}
	print_message("%s: %d transitions compared\n", file, groups);
	assert_true(groups >= 3);
}

static void test_haproxy(void **state)
{
	(void)state;
	check_agreement("haproxy.csv");
}

static void test_haproxy_disruption(void **state)
{
	(void)state;
	check_disruption("haproxy.csv", ",consistent,");
}

static void test_nginx(void **state)
{
	(void)state;
	check_agreement("nginx.csv");
}

static void test_nginx_disruption(void **state)
{
	(void)state;
	check_disruption("nginx.csv", ",consistent,");
}

static void test_ipvs(void **state)
{
	(void)state;
	check_agreement("ipvs.csv");
}

static void test_ipvs_disruption(void **state)
{
	(void)state;
	check_disruption("ipvs.csv", ",no-ring-here,");
}

static int setup(void **state)
{
	(void)state;
	rows = calloc(MAX_ROWS, sizeof *rows);
	return rows ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(rows);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_haproxy),
		cmocka_unit_test(test_haproxy_disruption),
		cmocka_unit_test(test_nginx),
		cmocka_unit_test(test_nginx_disruption),
		cmocka_unit_test(test_ipvs),
		cmocka_unit_test(test_ipvs_disruption),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
