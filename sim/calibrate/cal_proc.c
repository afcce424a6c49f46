/* Another process's CPU time and memory, from /proc, and starting and
 * stopping the programs the calibration measures.
 *
 * CPU: the time on a CPU of every thread of the process, in nanoseconds,
 * from /proc/PID/task/TID/schedstat (the scheduler's own sum, the same
 * time as utime + stime); where the kernel has no schedstat, utime +
 * stime of /proc/PID/stat, in clock ticks (usually 100 a second), with
 * which a phase must burn a second of the process's CPU to be good to a
 * percent. Ticks are too coarse for a proxy that only relays: in
 * passthrough most of the work is its peers' TLS, and the proxy burns a
 * few ticks a second.
 *
 * Wake-ups: the voluntary context switches of every thread
 * (voluntary_ctxt_switches in /proc/PID/task/TID/status): a thread
 * switches out voluntarily when it blocks, which an event-driven proxy
 * does only in epoll_wait with nothing to do, so each is one sleep and
 * the wake-up that ends it.
 *
 * Memory: RssAnon of /proc/PID/status (anonymous resident pages: the heap
 * and HAProxy's pools, not the program and libraries mapped from files,
 * whose pages come and go with what code runs), VmRSS where the kernel
 * has no RssAnon.
 */
#include "cal_proc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cal_internal.h"

/* One number of one thread's file (its task folder's `file`): the first
 * field (schedstat) or the value after `key` (status). */
static int task_value(pid_t pid, const char *tid, const char *file, const char *key, double *v)
{
	char path[300], line[256];
	snprintf(path, sizeof path, "/proc/%d/task/%.32s/%s", (int)pid, tid, file);
	FILE *fp = fopen(path, "r");
	if (!fp)
		return 0;
	unsigned long long n = 0;
	int found = 0;
	size_t klen = key ? strlen(key) : 0;
	while (!found && fgets(line, sizeof line, fp))
		found = (!key || strncmp(line, key, klen) == 0) &&
			sscanf(line + klen, "%llu", &n) == 1;
	fclose(fp);
	*v = (double)n;
	return found;
}

/* The sum over every thread of pid of task_value, or -1 when no thread
 * has it. */
static double tasks_sum(pid_t pid, const char *file, const char *key)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	double sum = 0, v;
	int found = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (task_value(pid, de->d_name, file, key, &v)) {
			sum += v;
			found = 1;
		}
	}
	closedir(d);
	return found ? sum : -1;
}

/* The sum of the first field of every thread's schedstat, or -1. */
static double schedstat_ns(pid_t pid)
{
	return tasks_sum(pid, "schedstat", NULL);
}

static double stat_ns(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	FILE *fp = fopen(path, "r");
	if (!fp)
		return -1;
	size_t n = fread(buf, 1, sizeof buf - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	/* The command name may hold spaces and parentheses: fields start
	 * after the last ')'. utime and stime are fields 14 and 15, the 12th
	 * and 13th after it. */
	char *p = strrchr(buf, ')');
	if (!p)
		return -1;
	unsigned long long utime = 0, stime = 0;
	if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime,
		   &stime) != 2)
		return -1;
	long tck = sysconf(_SC_CLK_TCK);
	return (double)(utime + stime) * 1e9 / (double)(tck > 0 ? tck : 100);
}

double cal_proc_cpu_ns(pid_t pid)
{
	double ns = schedstat_ns(pid);
	return ns >= 0 ? ns : stat_ns(pid);
}

double cal_proc_wakeups(pid_t pid)
{
	return tasks_sum(pid, "status", "voluntary_ctxt_switches:");
}

double cal_proc_rss_bytes(pid_t pid)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *fp = fopen(path, "r");
	if (!fp)
		return -1;
	double anon = -1, rss = -1, kb;
	while (fgets(line, sizeof line, fp)) {
		if (sscanf(line, "RssAnon: %lf kB", &kb) == 1)
			anon = kb * 1024;
		else if (sscanf(line, "VmRSS: %lf kB", &kb) == 1)
			rss = kb * 1024;
	}
	fclose(fp);
	return anon >= 0 ? anon : rss;
}

pid_t cal_proc_start(char *const argv[], const char *log_path, char *err, size_t errlen)
{
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		/* Stopped with us if we die without stopping it. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(127);
		int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd < 0 || null < 0 || dup2(null, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid;
}

int cal_proc_alive(pid_t pid)
{
	/* WNOWAIT: look without reaping, so that the pid stays ours until
	 * cal_proc_stop. */
	siginfo_t info;
	memset(&info, 0, sizeof info);
	return waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
	       info.si_pid == 0;
}

void cal_proc_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (int i = 0; i < 100; i++) {
		int status;
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid || (r < 0 && errno == ECHILD))
			return;
		cal_sleep(0.02);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}
