/* A request log as a stream of requests in the order they arrived, for
 * replaying it (models/clients/replay.c) and for checking it before a run.
 *
 * Logs are written in the order requests end (log_reader.h), so a
 * 15-minute ActiveSync ping comes after thousands of requests that arrived
 * after it. A replay holds a window: the requests read but not yet handed
 * out, in a min-heap by arrival. Every line still unread ends no earlier
 * than the latest end seen less LOG_ORDER_SLACK_NS, and (when its time
 * taken is at most `window`) arrived no earlier than that less the
 * window; the heap's first request is handed out once it arrived before
 * that bound (or at the end of the file). A request that arrived before
 * one already handed out (its time taken was longer than the window) is a
 * time-order violation: reported "file:line: ..." and, as the log's
 * on-error says, fatal or skipped and counted.
 *
 * Memory: the requests of one window (about 48 bytes each: an hour of a
 * site at 400,000 requests an hour is 20 MB), the distinct user names
 * (their text once) and nothing per line otherwise: the log itself is
 * streamed. Complexity: O(log n) per request for the heap, O(1) expected
 * per user name.
 *
 * A line that is no client request (a balancer's health probe,
 * /powershell, a favicon) is counted and dropped: it was never one of the
 * clients' requests.
 */
#ifndef LBSIM_LOG_REPLAY_H
#define LBSIM_LOG_REPLAY_H

#include <stdint.h>

#include "lbsim/log_classify.h"
#include "lbsim/log_reader.h"

/* One request as the replay hands it out. */
struct replay_req {
	int64_t start_ns;      /* arrival, ns since 1970-01-01 */
	int64_t taken_ns;      /* time taken; -1 when the log does not say */
	uint64_t line;         /* its line in the log, from 1 */
	uint32_t addr;         /* the client's address (log_addr_v4: IPv6 folded) */
	uint32_t user;         /* the user, numbered by first appearance from 0 (one number for
				* every request without a user name) */
	uint8_t workload;      /* enum workload */
	uint8_t kind;          /* enum log_client_kind */
	uint8_t long_poll;     /* a long poll: its time taken is mostly the server holding it */
};

struct replay_counts {
	uint64_t requests;     /* handed out */
	uint64_t not_clients;  /* records that are no client request (probes and others) */
	uint64_t late;         /* time-order violations skipped (arrived before one handed out) */
	uint64_t malformed;    /* lines the reader skipped (its own violations included) */
	uint32_t users;        /* distinct user names seen (the anonymous one included) */
	int64_t first_ns, last_ns; /* the first and last arrival handed out */
	int64_t longest_ns;    /* the longest time taken */
	uint64_t held_bytes;   /* what the replay held at its largest: the window's heap and
				* the user names' map (neither ever shrinks) */
};

struct log_replay;

/* Open path with the reader's options (on_error also rules time-order
 * violations) and a window in ns (> 0). Returns 0, or -1 with *err. */
int log_replay_open(struct log_replay **out, const char *path, const struct log_opts *opts,
		    int64_t window_ns, struct log_error *err);

/* The next request in arrival order: 1 with *req, 0 at the end, -1 on an
 * error that stops the replay (*err: "file:line:column: what"). */
int log_replay_next(struct log_replay *r, struct replay_req *req, struct log_error *err);

const struct replay_counts *log_replay_counts(const struct log_replay *r);
/* The reader's own figures (lines, malformed) and, under skip, the kept
 * messages of skipped lines, late requests among them. */
const struct log_reader *log_replay_reader(const struct log_replay *r);

void log_replay_close(struct log_replay *r);

/* Read a whole log as a replay would (before a run, so that a log that
 * cannot be replayed is told before anything runs): 0 with its figures in
 * *counts and, under skip, up to `messages` kept messages printed to fp
 * (NULL: none), or -1 with *err. */
int log_replay_scan(const char *path, const struct log_opts *opts, int64_t window_ns,
		    struct replay_counts *counts, FILE *fp, struct log_error *err);

#endif
