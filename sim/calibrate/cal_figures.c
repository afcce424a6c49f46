/* The figures of a calibration, their spread over repeats, and the
 * progress line. A figure keeps every repeat so that the file can give
 * its median and its range: on a shared machine the least value is often
 * the truest (the others were slowed by neighbours), but the median is
 * what the file gives as the figure, the range says how far to trust it. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "cal_internal.h"

void cal_figure_summary(const struct cal_figure *f, double *median, double *min, double *max)
{
	double v[CAL_MAX_REPEATS];
	size_t n = (size_t)f->repeats;
	memcpy(v, f->value, n * sizeof v[0]);
	gsl_sort(v, 1, n);
	*median = gsl_stats_median_from_sorted_data(v, 1, n);
	*min = v[0];
	*max = v[n - 1];
}

struct cal_figure *cal_figure_add(struct cal_run *r, const char *key, const char *unit,
				  const char *what)
{
	if (r->nfig >= CAL_MAX_FIGURES)
		return NULL;
	struct cal_figure *f = &r->fig[r->nfig++];
	memset(f, 0, sizeof *f);
	snprintf(f->key, sizeof f->key, "%s", key);
	snprintf(f->unit, sizeof f->unit, "%s", unit);
	snprintf(f->what, sizeof f->what, "%s", what);
	return f;
}

struct cal_figure *cal_figure_find(struct cal_run *r, const char *key)
{
	for (size_t i = 0; i < r->nfig; i++)
		if (strcmp(r->fig[i].key, key) == 0)
			return &r->fig[i];
	return NULL;
}

void cal_figure_missing(struct cal_figure *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->missing, sizeof f->missing, fmt, ap);
	va_end(ap);
	f->repeats = 0;
}

void cal_note(struct cal_run *r, const char *fmt, ...)
{
	if (r->nnotes >= sizeof r->notes / sizeof r->notes[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->notes[r->nnotes++], sizeof r->notes[0], fmt, ap);
	va_end(ap);
}

void cal_progress(struct cal_run *r, const char *fmt, ...)
{
	r->step++;
	if (r->quiet)
		return;
	char line[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (r->tty)
		fprintf(stderr, "\r\033[Kcalibrate: [%d/%d] %s", r->step, r->steps, line);
	else
		fprintf(stderr, "calibrate: [%d/%d] %s\n", r->step, r->steps, line);
	fflush(stderr);
}

void cal_progress_done(struct cal_run *r)
{
	if (!r->quiet && r->tty)
		fputs("\r\033[K", stderr);
}

double cal_thread_cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

double cal_wall_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void cal_sleep(double seconds)
{
	struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}
