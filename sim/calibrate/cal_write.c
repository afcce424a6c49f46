/* The costs file: a cost profile (format version 1, README "Calibrating
 * this host") whose figures are this host's measurements.
 *
 * A profile figure comes from the best measurement there is: what the
 * real HAProxy spent when it ran (its TLS, its copying, its memory), else
 * OpenSSL's own price in memory (no proxy work around it), and each says
 * which in its `source`. A figure that nothing measured is left out, never
 * guessed, and named with why in the comments at the top of the file (and
 * on standard error). Every measurement, also those no figure takes, is
 * listed in the comments at the end, with its spread.
 *
 * The figures calibrate cannot measure here (persistence, probes, the
 * kernel's socket buffers, the TLS cache's size, idle timeouts, the MTU)
 * are taken from the built-in `haproxy` profile, each saying so in its
 * `source` and without `measured: true`, and the provenance is then
 * `mixed`: the file prices every design a proxy profile can (a kernel
 * forwarder's figures are not HAProxy's and are left out).
 *
 * The file is written whole or not at all (file_out.h).
 */
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_statistics_double.h>
#include <openssl/crypto.h>

#include "cal_internal.h"
#include "lbsim/cost.h"
#include "lbsim/cost_profile.h"
#include "lbsim/file_out.h"

/* A profile figure and the measurements that can give it, best first. */
struct figure_map {
	const char *name;          /* the profile's figure name */
	const char *unit;          /* as written: ns, ns/B, B */
	const char *from[2];       /* cal_figure keys, the first measured wins */
};

static const struct figure_map figure_maps[] = {
	{"accept", "ns", {"haproxy-accept"}},
	{"connect", "ns", {"haproxy-connect"}},
	{"http-request", "ns", {"haproxy-http-request"}},
	{"tls-full-rsa-2048", "ns", {"haproxy-tls13-full-rsa2048", "tls13-full-rsa2048"}},
	{"tls-full-ecdsa-p256", "ns", {"haproxy-tls13-full-ecdsa-p256", "tls13-full-ecdsa-p256"}},
	{"tls-resume-12", "ns", {"haproxy-tls12-resumed", "tls12-resumed-ticket"}},
	{"tls-resume-13", "ns", {"haproxy-tls13-resumed", "tls13-resumed-psk"}},
	{"tls-backend-full", "ns", {"haproxy-reencrypt-full", "tls13-full-client"}},
	{"tls-backend-resume", "ns", {"haproxy-reencrypt-resumed", "tls13-resumed-client"}},
	{"relay", "ns/B", {"haproxy-relay"}},
	{"relay-message", "ns", {"haproxy-relay-message"}},
	{"aes-128-gcm", "ns/B", {"aes-128-gcm"}},
	{"aes-256-gcm", "ns/B", {"aes-256-gcm"}},
	{"chacha20-poly1305", "ns/B", {"chacha20-poly1305"}},
	{"tls-record", "ns", {"haproxy-tls-record"}},
	{"wakeup", "ns", {"haproxy-wakeup"}},
	{"conn-bytes", "B", {"haproxy-conn-bytes"}},
	{"tls-state-bytes", "B", {"haproxy-tls-state-bytes"}},
	{"buffer-bytes", "B", {"haproxy-buffer-bytes"}},
	{"stream-bytes", "B", {"haproxy-stream-bytes"}},
	{"tls-backend-state-bytes", "B", {"haproxy-tls-backend-state-bytes"}},
};

#define NMAPS (sizeof figure_maps / sizeof figure_maps[0])

/* A YAML double-quoted scalar of s (controls escaped). */
static void put_quoted(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(fp, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(fp, "\\x%02x", *p);
		else
			fputc(*p, fp);
	}
	fputc('"', fp);
}

/* A comment line's text: no line breaks. */
static void put_comment(FILE *fp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put_comment(FILE *fp, const char *fmt, ...)
{
	char text[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	for (char *p = text; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	fprintf(fp, "# %s\n", text);
}

static const struct cal_figure *find(const struct cal_run *r, const char *key)
{
	for (size_t i = 0; i < r->nfig; i++)
		if (strcmp(r->fig[i].key, key) == 0)
			return &r->fig[i];
	return NULL;
}

/* The measurement a profile figure takes, or NULL with why not (the
 * best candidate's reason). */
static const struct cal_figure *pick(const struct cal_run *r, const struct figure_map *m,
				     char *why, size_t whylen)
{
	why[0] = '\0';
	for (int i = 0; i < 2 && m->from[i]; i++) {
		const struct cal_figure *f = find(r, m->from[i]);
		if (!f)
			continue;
		if (f->repeats == 0) {
			if (!why[0])
				snprintf(why, whylen, "%s", f->missing[0] ? f->missing : "not measured");
			continue;
		}
		double med, lo, hi;
		cal_figure_summary(f, &med, &lo, &hi);
		if (med > 0)
			return f;
		if (!why[0])
			snprintf(why, whylen,
				 "%s: the difference of two phases is within noise (median %.4g %s)",
				 f->key, med, f->unit);
	}
	if (!why[0])
		snprintf(why, whylen, "not measured");
	return NULL;
}

static void host_facts(char *host, size_t hostlen, char *kernel, size_t kernellen, char *cpu,
		       size_t cpulen)
{
	struct utsname u;
	if (uname(&u) == 0) {
		snprintf(host, hostlen, "%s", u.nodename);
		snprintf(kernel, kernellen, "%s", u.release);
	} else {
		snprintf(host, hostlen, "unknown");
		snprintf(kernel, kernellen, "unknown");
	}
	snprintf(cpu, cpulen, "unknown");
	FILE *fp = fopen("/proc/cpuinfo", "r");
	char line[512];
	while (fp && fgets(line, sizeof line, fp)) {
		char *colon = strchr(line, ':');
		if (strncmp(line, "model name", 10) == 0 && colon) {
			colon += 1 + (colon[1] == ' ');
			colon[strcspn(colon, "\n")] = '\0';
			snprintf(cpu, cpulen, "%s", colon);
			break;
		}
	}
	if (fp)
		fclose(fp);
}

/* v with six significant digits in plain decimals: scenario numbers are
 * read without exponents. */
static void put_number(FILE *fp, double v)
{
	double a = fabs(v);
	int decimals = a >= 1e5 || v == floor(v) ? 0 : 5 - (int)floor(log10(a));
	fprintf(fp, "%.*f", decimals > 12 ? 12 : decimals, v);
}

static void write_figure(FILE *fp, const struct figure_map *m, const struct cal_figure *f)
{
	double med, lo, hi;
	cal_figure_summary(f, &med, &lo, &hi);
	double sd = f->repeats > 1 ? gsl_stats_sd(f->value, 1, (size_t)f->repeats) : 0;
	fprintf(fp, "  %s:\n    value: ", m->name);
	put_number(fp, med);
	fprintf(fp, "\n    unit: %s\n    source: ", m->unit);
	char src[400];
	snprintf(src, sizeof src, "measured by lbsim calibrate (%s): %s; median of %d", f->key,
		 f->what, f->repeats);
	put_quoted(fp, src);
	fputc('\n', fp);
	if (f->repeats > 1 && lo >= 0) {
		fputs("    spread: { min: ", fp);
		put_number(fp, lo);
		fputs(", max: ", fp);
		put_number(fp, hi);
		fputs(", stddev: ", fp);
		put_number(fp, sd);
		fputs(" }\n", fp);
	} else if (f->repeats > 1) {
		/* A profile's spread is never below zero; a difference of two
		 * noisy phases can be. */
		put_comment(fp, "  spread not given: its least repeat is below zero (%.4g .. %.4g, "
				"stddev %.4g): the difference of two phases is near noise",
			    lo, hi, sd);
	}
	fputs("    measured: true\n", fp);
}

/* The unit a figure of kind is written in: the reader's own. */
static const char *const stored_units[] = {
	[COST_KIND_OP] = "ns", [COST_KIND_BYTE] = "ns/B", [COST_KIND_MEM] = "B",
	[COST_KIND_COUNT] = "count", [COST_KIND_TIME] = "s",
};

/* The built-in haproxy profile's figures that no measurement gives: a
 * bit (1 << enum cost_figure) each, 0 when there is no such profile. */
static uint64_t borrowed(const struct cal_run *r, struct cost_profile *base)
{
	if (cost_profile_builtin("haproxy", base) != 0)
		return 0;
	uint64_t mask = base->given;
	char why[300];
	for (size_t i = 0; i < NMAPS; i++) {
		int f = cost_figure_find(figure_maps[i].name, strlen(figure_maps[i].name));
		if (f >= 0 && pick(r, &figure_maps[i], why, sizeof why))
			mask &= ~(UINT64_C(1) << f);
	}
	return mask;
}

static void write_borrowed(FILE *fp, const struct cost_profile *base, uint64_t mask)
{
	for (int f = 0; f < COST_FIG_COUNT; f++) {
		if (!(mask & (UINT64_C(1) << f)))
			continue;
		fprintf(fp, "  %s:\n    value: ", cost_figures[f].name);
		put_number(fp, cost_figure_get(&base->p, (enum cost_figure)f));
		fprintf(fp, "\n    unit: %s\n    source: ", stored_units[cost_figures[f].kind]);
		put_quoted(fp, "not measured by lbsim calibrate: the built-in haproxy profile's "
			       "(profiles/haproxy.yaml cites its source)");
		fputc('\n', fp);
	}
}

static int write_profile(const struct cal_run *r, FILE *fp)
{
	char host[256], kernel[256], cpu[256], date[32], why[300];
	host_facts(host, sizeof host, kernel, sizeof kernel, cpu, sizeof cpu);
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	put_comment(fp, "Cost profile of this host, measured by lbsim calibrate%s on %s (%s), %s.",
		    r->quick ? " --quick" : "", host, cpu, date);
	put_comment(fp, "Format: lbsim README, \"Calibrating this host\". Each figure is the median of its "
			"repeats, its spread the least, greatest and standard deviation.");
	size_t nmissing = 0;
	for (size_t i = 0; i < NMAPS; i++)
		if (!pick(r, &figure_maps[i], why, sizeof why))
			nmissing++;
	if (nmissing || r->nnotes) {
		put_comment(fp, "Not measured on this host:");
		for (size_t i = 0; i < r->nnotes; i++)
			put_comment(fp, "  %s", r->notes[i]);
		for (size_t i = 0; i < NMAPS; i++)
			if (!pick(r, &figure_maps[i], why, sizeof why))
				put_comment(fp, "  %s: %s", figure_maps[i].name, why);
	}
	struct cost_profile base;
	uint64_t borrow = borrowed(r, &base);
	if (borrow) {
		char names[600] = "";
		size_t len = 0;
		for (int f = 0; f < COST_FIG_COUNT && len < sizeof names; f++)
			if (borrow & (UINT64_C(1) << f))
				len += (size_t)snprintf(names + len, sizeof names - len, "%s%s",
							len ? ", " : "", cost_figures[f].name);
		put_comment(fp, "Taken from the built-in haproxy profile (not measured here): %s.",
			    names);
	}
	fputs("lbsim-cost-profile: 1\nname: ", fp);
	char name[64];
	snprintf(name, sizeof name, "calibrated-%.40s", host);
	put_quoted(fp, name);
	fputs("\ndescription: ", fp);
	char desc[256];
	snprintf(desc, sizeof desc, "measured on %.80s (%.100s)", host, cpu);
	put_quoted(fp, desc);
	fprintf(fp, "\nprovenance:\n  kind: %s\n  source: ", borrow ? "mixed" : "measured");
	char source[256];
	if (r->haproxy_version[0])
		snprintf(source, sizeof source,
			 "lbsim calibrate: OpenSSL handshakes and ciphers in memory; HAProxy %s on "
			 "loopback, one thread, CPU and RssAnon from /proc%s",
			 r->haproxy_version, borrow ? "; the rest from the built-in haproxy profile" : "");
	else
		snprintf(source, sizeof source,
			 "lbsim calibrate: OpenSSL handshakes and ciphers in memory (no HAProxy)%s",
			 borrow ? "; the rest from the built-in haproxy profile" : "");
	put_quoted(fp, source);
	fputs("\n  host: ", fp);
	put_quoted(fp, host);
	fputs("\n  cpu: ", fp);
	put_quoted(fp, cpu);
	fprintf(fp, "\n  cores: %ld\n  versions:\n    lbsim: ", cores > 0 ? cores : 1);
	put_quoted(fp, LBSIM_VERSION);
	fputs("\n    openssl: ", fp);
	put_quoted(fp, OpenSSL_version(OPENSSL_VERSION));
	if (r->haproxy_version[0]) {
		fputs("\n    haproxy: ", fp);
		put_quoted(fp, r->haproxy_version);
	}
	fputs("\n    kernel: ", fp);
	put_quoted(fp, kernel);
	fprintf(fp, "\n  date: %s\n  repeats: %d\n  tool: \"lbsim calibrate%s\"\nfigures:\n", date,
		r->repeats, r->quick ? " --quick" : "");
	for (size_t i = 0; i < NMAPS; i++) {
		const struct cal_figure *f = pick(r, &figure_maps[i], why, sizeof why);
		if (f)
			write_figure(fp, &figure_maps[i], f);
	}
	write_borrowed(fp, &base, borrow);
	fputs("\n", fp);
	put_comment(fp, "Every measurement (median [least .. greatest] over repeats):");
	for (size_t i = 0; i < r->nfig; i++) {
		const struct cal_figure *f = &r->fig[i];
		if (f->repeats == 0) {
			put_comment(fp, "  %-30s not measured: %s", f->key, f->missing);
			continue;
		}
		double med, lo, hi;
		cal_figure_summary(f, &med, &lo, &hi);
		put_comment(fp, "  %-30s %10.4g %-7s [%.4g .. %.4g]  %s", f->key, med, f->unit, lo, hi,
			    f->what);
	}
	return ferror(fp) ? -1 : 0;
}

size_t cal_unmeasured(const struct cal_run *r, FILE *fp)
{
	char why[300];
	size_t n = 0;
	for (size_t i = 0; i < r->nnotes; i++)
		fprintf(fp, "calibrate: %s\n", r->notes[i]);
	for (size_t i = 0; i < NMAPS; i++) {
		if (pick(r, &figure_maps[i], why, sizeof why))
			continue;
		fprintf(fp, "calibrate: not measured: %s: %s\n", figure_maps[i].name, why);
		n++;
	}
	return n;
}

size_t cal_measured(const struct cal_run *r)
{
	char why[300];
	size_t n = 0;
	for (size_t i = 0; i < NMAPS; i++)
		n += pick(r, &figure_maps[i], why, sizeof why) != NULL;
	return n;
}

int cal_write(const struct cal_run *r, struct file_out *out, char *err, size_t errlen)
{
	if (write_profile(r, out->fp) != 0) {
		snprintf(err, errlen, "write failed");
		file_out_abort(out);
		return -1;
	}
	return file_out_commit(out, err, errlen);
}
