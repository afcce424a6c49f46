/* A log's requests in arrival order, through a window of requests read
 * ahead; see include/lbsim/log_replay.h for the design.
 *
 * Two structures: a binary min-heap of the requests read and not yet
 * handed out, ordered by (arrival, line) so that ties come out in the
 * order they were written whatever the heap's shape; and a keymap of user
 * names' hashes that numbers each name at its first appearance.
 */
#include "log_internal.h"

#include "lbsim/keymap.h"
#include "lbsim/log_replay.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct log_replay {
	struct log_reader *reader;
	int64_t window_ns;
	struct replay_req *heap;
	size_t nheap, heap_cap;
	int eof;
	int64_t latest_end_ns;   /* the latest end read */
	int have_end;
	int64_t emitted_ns;      /* arrival of the last request handed out */
	uint64_t emitted_line;
	int have_emitted;
	struct keymap users;     /* a name's 64-bit hash -> its number */
	struct replay_counts counts;
};

static int before(const struct replay_req *a, const struct replay_req *b)
{
	return a->start_ns != b->start_ns ? a->start_ns < b->start_ns : a->line < b->line;
}

static int heap_push(struct log_replay *r, const struct replay_req *q)
{
	if (r->nheap == r->heap_cap) {
		size_t cap = r->heap_cap ? r->heap_cap * 2 : 1024;
		struct replay_req *h = realloc(r->heap, cap * sizeof *h);
		if (!h)
			return -1;
		r->heap = h;
		r->heap_cap = cap;
	}
	size_t i = r->nheap++;
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!before(q, &r->heap[parent]))
			break;
		r->heap[i] = r->heap[parent];
		i = parent;
	}
	r->heap[i] = *q;
	return 0;
}

static void heap_pop(struct log_replay *r, struct replay_req *out)
{
	*out = r->heap[0];
	struct replay_req last = r->heap[--r->nheap];
	size_t i = 0, n = r->nheap;
	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= n)
			break;
		if (child + 1 < n && before(&r->heap[child + 1], &r->heap[child]))
			child++;
		if (!before(&r->heap[child], &last))
			break;
		r->heap[i] = r->heap[child];
		i = child;
	}
	if (n)
		r->heap[i] = last;
}

/* The number of the user named s (an empty name is a user too: the
 * requests nobody signed). A name is known by its 64-bit hash: n names
 * share one with odds of about n^2 / 2^65, 3e-10 for 100,000 users.
 * Returns 0, or -1 when memory is short. */
static int user_id(struct log_replay *r, const struct log_str *s, uint32_t *id)
{
	char key[LOG_USER_KEY_MAX];
	uint64_t h = log_hash_bytes(key, log_user_key(s, key));
	int fresh;
	struct keymap_slot *slot = keymap_get(&r->users, h | 1, h, &fresh);
	if (!slot)
		return -1;
	if (fresh)
		slot->v = r->counts.users++;
	*id = (uint32_t)slot->v;
	return 0;
}

int log_replay_open(struct log_replay **out, const char *path, const struct log_opts *opts,
		    int64_t window_ns, struct log_error *err)
{
	struct log_replay *r = calloc(1, sizeof *r);
	if (!r) {
		memset(err, 0, sizeof *err);
		snprintf(err->file, sizeof err->file, "%s", path);
		snprintf(err->message, sizeof err->message, "out of memory");
		return -1;
	}
	if (log_reader_open(&r->reader, path, opts, err) != 0) {
		free(r);
		return -1;
	}
	r->window_ns = window_ns > 0 ? window_ns : 1;
	*out = r;
	return 0;
}

static int out_of_memory(struct log_replay *r, struct log_error *err)
{
	snprintf(err->file, sizeof err->file, "%s", log_reader_path(r->reader));
	err->line = err->column = 0;
	snprintf(err->message, sizeof err->message, "out of memory holding the replay's window");
	return -1;
}

/* A request that arrived before one already handed out: -1 to stop, 0 to
 * skip it (counted, its message kept). */
static int late(struct log_replay *r, const struct log_record *rec, struct log_error *err)
{
	snprintf(err->file, sizeof err->file, "%s", log_reader_path(r->reader));
	err->line = rec->line;
	err->column = 0;
	snprintf(err->message, sizeof err->message,
		 "time order: this request arrived %.3f s before one already replayed (line %"
		 PRIu64 "): its time taken, %.3f s, is longer than the replay's window of %.0f s "
		 "(raise the population's replay: window:)",
		 (double)(r->emitted_ns - rec->start_ns) / 1e9, r->emitted_line,
		 (double)rec->taken_ns / 1e9, (double)r->window_ns / 1e9);
	if (r->reader->opts.on_error == LOG_ON_ERROR_FAIL)
		return -1;
	r->counts.late++;
	log_reader_keep_message(r->reader, err);
	return 0;
}

/* Read one record into the window. 1 when one was read (or dropped), 0 at
 * the end of the file, -1 on an error that stops the replay. */
static int read_one(struct log_replay *r, struct log_error *err)
{
	struct log_record rec;
	int rc = log_reader_next(r->reader, &rec, err);
	r->counts.malformed = log_reader_stats(r->reader)->malformed;
	if (rc <= 0)
		return rc;
	if (!r->have_end || rec.end_ns > r->latest_end_ns) {
		r->latest_end_ns = rec.end_ns;
		r->have_end = 1;
	}
	if (rec.workload < 0) {
		r->counts.not_clients++;
		return 1;
	}
	if (r->have_emitted && rec.start_ns < r->emitted_ns)
		return late(r, &rec, err) == 0 ? 1 : -1;
	struct replay_req q = {
		.start_ns = rec.start_ns, .taken_ns = rec.taken_ns, .line = rec.line,
		.addr = log_addr_v4(&rec.client), .workload = (uint8_t)rec.workload,
		.kind = (uint8_t)log_client_kind(rec.agent.ptr, rec.agent.len, rec.workload),
		.long_poll = (uint8_t)(rec.ping != 0),
	};
	if (user_id(r, &rec.user, &q.user) != 0 || heap_push(r, &q) != 0)
		return out_of_memory(r, err);
	r->counts.held_bytes = r->heap_cap * sizeof *r->heap + r->users.cap * sizeof *r->users.t;
	if (rec.taken_ns > r->counts.longest_ns)
		r->counts.longest_ns = rec.taken_ns;
	return 1;
}

int log_replay_next(struct log_replay *r, struct replay_req *req, struct log_error *err)
{
	for (;;) {
		/* Every line still unread arrived at or after this bound, unless
		 * it took longer than the window (and is then late). */
		int64_t bound = r->latest_end_ns - LOG_ORDER_SLACK_NS - r->window_ns;
		if (r->nheap && (r->eof || r->heap[0].start_ns <= bound)) {
			heap_pop(r, req);
			if (!r->have_emitted)
				r->counts.first_ns = req->start_ns;
			r->counts.last_ns = req->start_ns;
			r->emitted_ns = req->start_ns;
			r->emitted_line = req->line;
			r->have_emitted = 1;
			r->counts.requests++;
			return 1;
		}
		if (r->eof)
			return 0;
		int rc = read_one(r, err);
		if (rc < 0)
			return -1;
		if (rc == 0)
			r->eof = 1;
	}
}

const struct replay_counts *log_replay_counts(const struct log_replay *r)
{
	return &r->counts;
}

const struct log_reader *log_replay_reader(const struct log_replay *r)
{
	return r->reader;
}

void log_replay_close(struct log_replay *r)
{
	if (!r)
		return;
	log_reader_close(r->reader);
	free(r->heap);
	keymap_free(&r->users);
	free(r);
}

int log_replay_scan(const char *path, const struct log_opts *opts, int64_t window_ns,
		    struct replay_counts *counts, FILE *fp, struct log_error *err)
{
	struct log_replay *r;
	struct replay_req q;
	if (log_replay_open(&r, path, opts, window_ns, err) != 0)
		return -1;
	int rc;
	while ((rc = log_replay_next(r, &q, err)) == 1)
		;
	*counts = r->counts;
	for (unsigned i = 0; fp && i < log_reader_nmessages(r->reader); i++)
		fprintf(fp, "%s\n", log_reader_message(r->reader, i));
	log_replay_close(r);
	return rc;
}
