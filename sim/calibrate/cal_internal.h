/* lbsim calibrate, inside: the figures it measures and the pieces that
 * measure them. One job per file:
 *   cal_figures.c  the list of figures, their repeats and spread
 *   cal_tls.c      OpenSSL in memory: handshakes and bulk ciphers
 *   cal_cert.c     throwaway keys and self-signed certificates
 *   cal_proc.c     a process's CPU time and memory from /proc
 *   cal_hap.c      HAProxy processes on loopback: configuration, start, stop
 *   cal_load.c     the load client (epoll, OpenSSL): keep-alive connections
 *   cal_hapbench.c what a real HAProxy spends, from the three above
 *   cal_write.c    the costs file
 *   cal_cli.c      the command
 * Nothing here is shared with the simulator but the output helper
 * (file_out.h): OpenSSL's libssl is linked into this library only.
 */
#ifndef LBSIM_CAL_INTERNAL_H
#define LBSIM_CAL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CAL_MAX_REPEATS 16
#define CAL_MAX_FIGURES 64

/* One measured figure: every repeat's value, and why it is missing when
 * it could not be measured. */
struct cal_figure {
	char key[48];              /* e.g. "tls13-full-rsa2048" */
	char unit[16];             /* "ns", "ns/byte", "bytes" */
	char what[160];            /* one line: what was measured, how */
	double value[CAL_MAX_REPEATS];
	int repeats;
	char missing[200];         /* non-empty: not measured, and why */
};

/* Median, least and greatest of the repeats (f->repeats > 0). */
void cal_figure_summary(const struct cal_figure *f, double *median, double *min, double *max);

/* A run of the command: its options, its progress display, its figures. */
struct cal_run {
	int quick;                 /* fewer repeats, shorter phases */
	int quiet;
	int tty;                   /* stderr is a terminal: progress on one line */
	int step, steps;           /* progress: this step of how many */
	int repeats;               /* repeats of every figure */
	double phase_s;            /* OpenSSL: seconds of handshakes or cipher per repeat */
	double hap_phase_s;        /* HAProxy: seconds of load per phase and repeat */
	struct cal_figure fig[CAL_MAX_FIGURES];
	size_t nfig;
	char notes[8][200];        /* whole parts not measured, and why */
	size_t nnotes;
	char haproxy_version[64];  /* empty when HAProxy was not run */
	long haproxy_bufsize;      /* its tune.bufsize default (haproxy -vv), 0 if unknown */
};

/* A new figure (NULL when the table is full, which is a bug). */
struct cal_figure *cal_figure_add(struct cal_run *r, const char *key, const char *unit,
				  const char *what);
/* The figure of key, or NULL. */
struct cal_figure *cal_figure_find(struct cal_run *r, const char *key);
/* Mark a figure as not measured, with why (printf-like). */
void cal_figure_missing(struct cal_figure *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A note that a whole part was not measured. */
void cal_note(struct cal_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Progress on stderr: a step starts (a terminal shows one updating line,
 * anything else one line per step; nothing when quiet). */
void cal_progress(struct cal_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Close the progress line (a terminal gets its newline). */
void cal_progress_done(struct cal_run *r);

/* Thread CPU time in nanoseconds, and monotonic wall time. */
double cal_thread_cpu_ns(void);
double cal_wall_s(void);
void cal_sleep(double seconds);

/* The OpenSSL part (cal_tls.c): its progress steps, then its figures. */
int cal_tls_steps(void);
void cal_tls_measure(struct cal_run *r);

/* The HAProxy part (cal_hapbench.c): its progress steps, then its
 * figures, or a note of why it could not run. */
int cal_haproxy_steps(const struct cal_run *r);
void cal_haproxy_measure(struct cal_run *r);

/* The HAProxy phases and the CPU figures derived from their costs per
 * connection (cal_hapbench.c; open for tests/test_calibrate.c). */
size_t cal_hap_phase_count(void);
const char *cal_hap_phase_name(size_t i);
int cal_hap_keepalive_requests(void);
size_t cal_hap_figure_count(void);
const char *cal_hap_figure_key(size_t f);
double cal_hap_figure_value(size_t f, const double *phase_cost);
/* The price of one wake-up of the idle proxy, ns, from the phases' costs
 * and wake-ups per connection: a kept-alive mode tcp connection one at a
 * time (the proxy sleeps between its events) less the same 16 at a time
 * (it sleeps less), per wake-up more; NAN when the phases' wake-ups
 * differ by fewer than CAL_HAP_MIN_WAKEUPS_MORE a connection (no
 * difference to price). */
#define CAL_HAP_MIN_WAKEUPS_MORE 5
double cal_hap_wakeup_value(const double *phase_cost, const double *phase_wakeups);
/* Take every phase's cost back to a busy proxy's: less wakeup_ns per
 * wake-up it counted. */
void cal_hap_take_off_wakeups(double *phase_cost, const double *phase_wakeups, double wakeup_ns);
/* Take the resumption phases' costs back to all-resumed, given the share
 * of full handshakes seen in each phase. */
void cal_hap_unmix_resumed(double *phase_cost, const double *full_share);

struct file_out;
/* Write the costs file into out and commit it (cal_write.c). Returns 0,
 * or -1 with err (nothing left). */
int cal_write(const struct cal_run *r, struct file_out *out, char *err, size_t errlen);
/* The profile figures measured; those not, each with why, onto fp. */
size_t cal_measured(const struct cal_run *r);
size_t cal_unmeasured(const struct cal_run *r, FILE *fp);

#endif
