/* lbsim's temporaries, removed when a signal ends the process.
 *
 * A writer registers each temporary it makes (a work folder of a result
 * set, the temporary file behind a user-named output) and forgets it once
 * the temporary is renamed into place or removed. If SIGINT, SIGTERM or
 * SIGHUP ends lbsim in between, a handler removes every registered
 * temporary with plain system calls (async-signal-safe, never following a
 * symbolic link), then lets the signal end the process as it would have.
 * A temporary left anyway (SIGKILL, power loss, a registry full) is
 * flocked by its owner while it lives, so the next writer of the same
 * output can tell it is stale and remove it.
 *
 * The registry is the one piece of process-wide state here: a signal
 * handler has no other way in. Its slots are claimed and released with
 * atomic operations, so a handler running on any thread sees each slot
 * whole or not at all.
 */
#ifndef LBSIM_TEMP_FILES_H
#define LBSIM_TEMP_FILES_H

#include <signal.h>
#include <stdio.h>

/* Temporaries registered at one time: more than lbsim opens at once (a
 * run writes ~10 files into one work folder; anonymise keeps one file per
 * log open, and the open-file limit stops it first). */
#define TEMP_FILES_SLOTS 1024

/* Hold off SIGINT, SIGTERM and SIGHUP in this thread (installing the
 * handlers first) while a temporary is made and tracked, so that no signal
 * can fall between the two; release delivers one that came meanwhile. */
void temp_files_hold(sigset_t *old);
void temp_files_release(const sigset_t *old);

/* Register dirfd/name (dirfd may be AT_FDCWD), a file or (folder) a
 * folder of lbsim's whole. Returns a slot to forget, or -1 when the
 * registry is full (the temporary is then left to the next writer).
 * Installs the signal handlers on first use; a signal that is ignored
 * (nohup) stays ignored. */
int temp_files_track(int dirfd, const char *name, int folder);
void temp_files_forget(int slot);

/* Remove dirfd/name, a folder of lbsim's, with what it holds (folders in
 * it to two levels), never following a symbolic link. Returns 0, or -1
 * when something stayed. */
int temp_files_remove_folder(int dirfd, const char *name);
/* The same for the folder open as fd: its contents only. */
int temp_files_empty_folder(int fd);

/* Remove dir/.BASE.tmpXXXXXX files (csv_out.h's temporaries of dir/BASE)
 * that no living lbsim holds (flock free), saying so on note (may be
 * NULL). Regular files only: anything else of that name is left alone. */
void temp_files_remove_stale(const char *dir, const char *base, FILE *note);

#endif
