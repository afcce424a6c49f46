/* lbsim's temporaries, removed when a signal ends the process; see
 * include/lbsim/temp_files.h.
 *
 * A slot goes FREE -> FILLING (claimed by one writer, by compare and
 * exchange) -> ARMED (the handler may remove it) -> FREE. The handler
 * reads only ARMED slots, whose fields are written before the state and
 * not again until the slot is FREE, so it never sees half a name. Slots
 * are searched from 0 up to the highest ever used, which stays small.
 *
 * Linux only: getdents64 (the project targets Debian).
 */
#define _GNU_SOURCE
#include "lbsim/temp_files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { FREE, FILLING, ARMED };

struct slot {
	atomic_int state;
	int dirfd;
	int folder;
	char name[PATH_MAX];
};

/* Static storage: a slot's page is touched only once it is used. */
static struct slot slots[TEMP_FILES_SLOTS];
static atomic_int slots_used;            /* 1 + the highest slot ever claimed */
static atomic_flag handling = ATOMIC_FLAG_INIT;

/* ---- removing without following anything ------------------------------- */

struct dirent64_raw {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

enum { DIR_BUF = 8192, DEPTH = 2 };

/* Remove everything in the folder open as fd, folders inside it to depth
 * levels, never following a symbolic link (unlinkat removes the link).
 * Plain system calls only, so that the signal handler may call it; buf
 * holds a getdents buffer per level, the caller's (the handler's are
 * static: its stack may be small). A file already gone (another remover)
 * is no error. Returns 0, or -1 when something stayed. */
static int remove_contents(int fd, int depth, char (*buf)[DIR_BUF])
{
	char *b = buf[depth];
	int failed = 0;
	for (;;) {
		if (lseek(fd, 0, SEEK_SET) < 0)
			return -1;
		long n = syscall(SYS_getdents64, fd, b, (size_t)DIR_BUF);
		if (n < 0)
			return -1;
		int removed = 0, others = 0;
		for (long off = 0; off < n;) {
			struct dirent64_raw *e = (struct dirent64_raw *)(b + off);
			off += e->reclen;
			if (!strcmp(e->name, ".") || !strcmp(e->name, ".."))
				continue;
			if (unlinkat(fd, e->name, 0) == 0 || errno == ENOENT) {
				removed++;
				continue;
			}
			if ((errno == EISDIR || errno == EPERM) && depth > 0) {
				int sub = openat(fd, e->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
				if (sub >= 0) {
					remove_contents(sub, depth - 1, buf);
					close(sub);
				}
				if (unlinkat(fd, e->name, AT_REMOVEDIR) == 0 || errno == ENOENT) {
					removed++;
					continue;
				}
			}
			others++;
		}
		if (n == 0 || removed == 0) {
			failed = others > 0;
			break;
		}
	}
	return failed ? -1 : 0;
}

static int remove_folder(int dirfd, const char *name, char (*buf)[DIR_BUF])
{
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	remove_contents(fd, DEPTH, buf);
	close(fd);
	return unlinkat(dirfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT ? 0 : -1;
}

int temp_files_remove_folder(int dirfd, const char *name)
{
	char buf[DEPTH + 1][DIR_BUF];
	return remove_folder(dirfd, name, buf);
}

int temp_files_empty_folder(int fd)
{
	char buf[DEPTH + 1][DIR_BUF];
	return remove_contents(fd, DEPTH, buf);
}

/* ---- the signal handler ---------------------------------------------------- */

static void on_signal(int sig)
{
	/* One remover: a second signal on another thread waits for the first
	 * to end the process. */
	if (atomic_flag_test_and_set(&handling)) {
		for (;;)
			pause();
	}
	static char buf[DEPTH + 1][DIR_BUF];
	int used = atomic_load(&slots_used);
	for (int i = 0; i < used; i++) {
		struct slot *s = &slots[i];
		if (atomic_load(&s->state) != ARMED)
			continue;
		if (s->folder)
			remove_folder(s->dirfd, s->name, buf);
		else
			unlinkat(s->dirfd, s->name, 0);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/* The signals that remove lbsim's temporaries. */
static void cleanup_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
}

static void install(void)
{
	static atomic_flag installed = ATOMIC_FLAG_INIT;
	if (atomic_flag_test_and_set(&installed))
		return;
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa = {.sa_handler = on_signal};
	cleanup_signals(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		struct sigaction old;
		/* An ignored signal (nohup) stays ignored. */
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
	}
}

void temp_files_hold(sigset_t *old)
{
	install();
	sigset_t set;
	cleanup_signals(&set);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

void temp_files_release(const sigset_t *old)
{
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

int temp_files_track(int dirfd, const char *name, int folder)
{
	size_t n = strlen(name);
	if (n >= PATH_MAX)
		return -1;
	install();
	for (int i = 0; i < TEMP_FILES_SLOTS; i++) {
		int want = FREE;
		if (!atomic_compare_exchange_strong(&slots[i].state, &want, FILLING))
			continue;
		slots[i].dirfd = dirfd;
		slots[i].folder = folder;
		memcpy(slots[i].name, name, n + 1);
		int used = atomic_load(&slots_used);
		while (used < i + 1 && !atomic_compare_exchange_weak(&slots_used, &used, i + 1))
			;
		atomic_store(&slots[i].state, ARMED);
		return i;
	}
	return -1;
}

void temp_files_forget(int slot)
{
	if (slot >= 0 && slot < TEMP_FILES_SLOTS)
		atomic_store(&slots[slot].state, FREE);
}

/* ---- stale temporaries of a file ------------------------------------------ */

/* .BASE.tmpXXXXXX: what csv_out_open makes for dir/BASE. */
static int is_temp_of(const char *name, const char *base)
{
	size_t b = strlen(base);
	return name[0] == '.' && strncmp(name + 1, base, b) == 0 &&
	       strncmp(name + 1 + b, ".tmp", 4) == 0 && strlen(name + 1 + b + 4) == 6;
}

void temp_files_remove_stale(const char *dir, const char *base, FILE *note)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	int dfd = dirfd(d);
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!is_temp_of(e->d_name, base))
			continue;
		/* O_NONBLOCK: a FIFO planted under that name must not block
		 * us; it is no file of ours and stays. */
		int fd = openat(dfd, e->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		struct stat st;
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && flock(fd, LOCK_EX | LOCK_NB) == 0) {
			int ok = unlinkat(dfd, e->d_name, 0) == 0 || errno == ENOENT;
			if (note)
				fprintf(note, "lbsim: %s a temporary file left by an interrupted lbsim: "
					"%s/%s\n", ok ? "removed" : "could not remove", dir, e->d_name);
		}
		close(fd);
	}
	closedir(d);
}
