/* One complete result set, always: a results folder is replaced whole or
 * not at all.
 *
 * Every command that writes results (run, check, sweep, plan, plot,
 * report) writes them into a private work folder beside the target,
 * `.NAME.lbsim-XXXXXX` in the same parent (mkdtemp: a fresh name, mode
 * 0700, so nothing can be planted in it), and swaps it in with one
 * rename (renameat2 RENAME_EXCHANGE), then removes the old set. A reader
 * therefore sees the old set or the new one, never a mix, and a failure
 * at any point (a full device, a killed process, a bad scenario found
 * late) leaves the previous set byte for byte as it was.
 *
 * - Updates (plot, report: RESULT_SET_UPDATE) start the work folder with
 *   hard links to the target's files and replace the ones they write by
 *   renaming over the link, so the old set's files are never written to.
 * - Writers to the same parent folder take turns for the swap (flock on
 *   the parent folder), and an update holds that lock from its first read
 *   to its swap, so it cannot swap back files a concurrent run replaced.
 * - Files in the target that lbsim never writes (a user's notes) are
 *   carried over into the new set (hard links); a folder or a special file
 *   there is refused before anything runs (lbsim would not know what to
 *   do with it), as is a target that is not a folder.
 * - The work folder is flocked by its owner while it lives; one whose
 *   lock is free was left by a killed process, and the next writer to the
 *   same target removes it (and says so). SIGINT, SIGTERM and SIGHUP
 *   remove the work folder before the process dies.
 * - Parent folders created for the target are removed again when the set
 *   is abandoned, so a failed run leaves nothing behind.
 *
 * Tests stop a writer at a chosen step with LBSIM_TEST_STOP=STEP[:SIGNAL]
 * (STEP: begun, written, swapped; opened for a user-named file of
 * file_out.h, its temporary made; SIGNAL: KILL, the default, TERM, INT, HUP,
 * or STOP to pause until a SIGCONT): the process sends itself the signal
 * there.
 */
#ifndef LBSIM_RESULT_SET_H
#define LBSIM_RESULT_SET_H

#include <stddef.h>
#include <stdio.h>

enum {
	RESULT_SET_UPDATE = 1,   /* start from the target's files (plot, report) */
};

struct result_set {
	char target[4096];       /* the results folder as given, for messages */
	char dir[4096];          /* write here: the work folder (absolute path) */
	/* private */
	char parent[4096];       /* the target's parent folder (absolute) */
	char base[256];          /* the target's last name */
	char work_name[256];     /* the work folder's name in parent */
	char created[4096];      /* the outermost parent folder this set made, or "" */
	int parent_fd, work_fd;
	int locked;              /* holds the parent's swap lock */
	int temp_slot;           /* the work folder's in temp_files.h, or -1 */
	unsigned flags;
};

/* Check the target (a folder lbsim may replace, or none yet), create the
 * parent folders it needs and the work folder, remove stale work folders
 * of the same target (a line to note, which may be NULL, for each).
 * Returns 0; -1 with a message when the target cannot be written (a bad
 * name, not a folder, a foreign folder inside, no permission): bad usage,
 * nothing is left behind. */
int result_set_begin(struct result_set *rs, const char *target, unsigned flags, FILE *note,
		     char *err, size_t errlen);

/* Swap the work folder in as the target. Returns 0; -1 with a message
 * (the work folder is then removed and the target untouched). */
int result_set_commit(struct result_set *rs, char *err, size_t errlen);

/* Give up: remove the work folder (and parent folders made for it). */
void result_set_abort(struct result_set *rs);

/* Rewrite err, in place, to name the target where it names the work
 * folder (messages of writers that wrote into rs->dir). */
void result_set_message(const struct result_set *rs, char *err, size_t errlen);

/* 1 when name is a file lbsim writes into a results folder (a result
 * file, a picture, a report, a temporary of an older lbsim): dropped when
 * a new set replaces the folder; anything else is carried over. A new
 * output file must be added to the list in result_set.c. */
int result_set_is_output(const char *name);

/* The LBSIM_TEST_STOP hook (see above), for writers with steps of their
 * own. */
void result_set_test_stop(const char *step);

#endif
