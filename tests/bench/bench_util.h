/* Small helpers shared by the benchmarks in tests/bench/: a monotonic clock,
 * peak resident memory, a best-of-k timer, a one-line machine description
 * and a table printer.
 *
 * Header-only (static inline) so each benchmark stays a single file and
 * needs nothing beyond the engine library. Benchmarks print figures and
 * ratios against a baseline measured in the same run; they never pass or
 * fail on time.
 *
 * Why best-of-k: the machines we run on are shared, and interference only
 * ever adds time, so the minimum of a few repetitions is the figure least
 * polluted by other processes. Benchmarks say so in their output.
 */
#ifndef LBSIM_BENCH_UTIL_H
#define LBSIM_BENCH_UTIL_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* Nanoseconds on the monotonic clock (origin unspecified: use differences). */
static inline uint64_t bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* CPU time of this process (every thread, user and system) so far, in ns.
 * On a shared machine wall time x threads also counts the time other
 * jobs held the cores; CPU time counts only ours (cache sharing still
 * adds to it). */
static inline uint64_t bench_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Peak resident set size of this process so far, in bytes (0 if unknown).
 * Linux reports ru_maxrss in KiB. It only grows, so a benchmark that wants
 * one figure per size should run its sizes from small to large. */
static inline uint64_t bench_peak_rss_bytes(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_SELF, &ru) != 0 || ru.ru_maxrss < 0)
		return 0;
	return (uint64_t)ru.ru_maxrss * 1024;
}

/* Run fn(arg) reps times and return the smallest wall time in ns.
 * fn must leave arg ready for the next repetition (re-initialise inside). */
static inline uint64_t bench_best_of(int reps, void (*fn)(void *arg), void *arg)
{
	uint64_t best = UINT64_MAX;
	for (int r = 0; r < reps; r++) {
		uint64_t t0 = bench_now_ns();
		fn(arg);
		uint64_t dt = bench_now_ns() - t0;
		if (dt < best)
			best = dt;
	}
	return best;
}

/* Print one line naming the machine (CPU model, cores online, kernel, load
 * average), so that figures copied into the README say where they came
 * from. */
static inline void bench_print_machine(FILE *out)
{
	char model[128] = "unknown CPU";
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (f) {
		char line[256];
		while (fgets(line, sizeof line, f)) {
			if (strncmp(line, "model name", 10) != 0)
				continue;
			const char *v = strchr(line, ':');
			if (v) {
				v++;
				while (*v == ' ' || *v == '\t')
					v++;
				snprintf(model, sizeof model, "%.*s", (int)strcspn(v, "\n"), v);
			}
			break;
		}
		fclose(f);
	}
	/* The load average tells a reader whether other work shared the
	 * machine while the figures were taken. */
	double load = -1;
	f = fopen("/proc/loadavg", "r");
	if (f) {
		if (fscanf(f, "%lf", &load) != 1)
			load = -1;
		fclose(f);
	}
	struct utsname u;
	int have_uname = uname(&u) == 0;
	fprintf(out, "machine: %s, %ld cores online, %s %s", model,
		sysconf(_SC_NPROCESSORS_ONLN), have_uname ? u.sysname : "?",
		have_uname ? u.release : "?");
	if (load >= 0)
		fprintf(out, ", load average %.2f", load);
	fputc('\n', out);
}

/* An aligned text table printed row by row as results arrive, so that a long
 * benchmark shows progress. Column widths are fixed up front (the larger of
 * the title and min_width); the first column is left-aligned (a label), the
 * others right-aligned (numbers). A cell wider than its column just pushes
 * the rest of the row right. */
#define BENCH_TABLE_MAX_COLS 16

struct bench_table {
	FILE *out;
	size_t ncols;
	size_t col; /* next cell in the current row */
	int width[BENCH_TABLE_MAX_COLS];
};

/* Start a table of ncols (<= BENCH_TABLE_MAX_COLS) columns and print the
 * header line and a rule under it. */
static inline void bench_table_begin(struct bench_table *t, FILE *out,
				     const char *const *titles, size_t ncols,
				     int min_width)
{
	if (ncols > BENCH_TABLE_MAX_COLS)
		ncols = BENCH_TABLE_MAX_COLS;
	t->out = out;
	t->ncols = ncols;
	t->col = 0;
	int total = 0;
	for (size_t i = 0; i < ncols; i++) {
		int w = (int)strlen(titles[i]);
		t->width[i] = w > min_width ? w : min_width;
		fprintf(out, i == 0 ? "%-*s" : "  %*s", t->width[i], titles[i]);
		total += t->width[i] + (i ? 2 : 0);
	}
	fputc('\n', out);
	for (int i = 0; i < total; i++)
		fputc('-', out);
	fputc('\n', out);
}

/* Print the next cell, formatted like printf; the row ends (and is flushed)
 * after its last column. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static inline void bench_table_cell(struct bench_table *t, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	size_t i = t->col;
	fprintf(t->out, i == 0 ? "%-*s" : "  %*s", t->width[i], buf);
	if (++t->col == t->ncols) {
		fputc('\n', t->out);
		fflush(t->out);
		t->col = 0;
	}
}

#endif
