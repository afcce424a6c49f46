/* A process's CPU and memory from /proc; starting and stopping programs
 * (cal_proc.c). */
#ifndef LBSIM_CAL_PROC_H
#define LBSIM_CAL_PROC_H

#include <stddef.h>
#include <sys/types.h>

/* CPU time of every thread of pid (user + system), ns; -1 if unreadable
 * (schedstat, else /proc/PID/stat's ticks). */
double cal_proc_cpu_ns(pid_t pid);
/* Voluntary context switches of every thread of pid (its sleeps, and so
 * its wake-ups); -1 if unreadable. */
double cal_proc_wakeups(pid_t pid);
/* Anonymous resident memory of pid, bytes; -1 if unreadable. */
double cal_proc_rss_bytes(pid_t pid);
/* Start argv[0] (found on PATH) with standard output and error into
 * log_path; it gets SIGTERM if this thread dies first. Returns its pid, or
 * -1 with err. */
pid_t cal_proc_start(char *const argv[], const char *log_path, char *err, size_t errlen);
/* 1 while pid runs (a child that has not been reaped). */
int cal_proc_alive(pid_t pid);
/* SIGTERM, then SIGKILL after 2 s; reaps it. */
void cal_proc_stop(pid_t pid);

#endif
