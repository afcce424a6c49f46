/* lbsim event engine: simulated time in integer nanoseconds and a pending-event
 * set ordered by (time, sequence number).
 *
 * Events are intrusive: the caller embeds a struct sim_event in its own object
 * (a request, a connection, a timer of a model) and keeps it alive while the
 * event is pending. The engine never allocates per event; its only allocation
 * is the heap array, which grows geometrically and is kept for reuse.
 *
 * Ordering: an event scheduled for time t runs after every event with a
 * smaller time, and after every event for the same t that was scheduled
 * before it (the sequence number only goes up), so runs are reproducible.
 *
 * All state is in struct sim_engine: two engines can run side by side in one
 * process (one per replication and design, on different threads).
 */
#ifndef LBSIM_ENGINE_H
#define LBSIM_ENGINE_H

#include <stddef.h>
#include <stdint.h>

typedef uint64_t sim_time_t; /* nanoseconds since the start of the run */

#define SIM_TIME_NEVER UINT64_MAX
#define SIM_NS_PER_S 1000000000ULL

struct sim_engine;
struct sim_event;

/* Called when the event's time comes; ev is no longer pending at that point,
 * so the handler may schedule it again. */
typedef void (*sim_handler_fn)(struct sim_engine *eng, struct sim_event *ev);

struct sim_event {
	sim_handler_fn fn;
	void *ctx;            /* for the handler: the owning object */
	uint32_t heap_index;  /* position in the heap; SIM_EVENT_IDLE when not pending */
	uint32_t kind;        /* handler kind, for profiling and tracing only */
};

#define SIM_EVENT_IDLE UINT32_MAX

/* One heap slot keeps the key beside the pointer so that sifting compares
 * without touching the events themselves (they are scattered in memory). */
struct sim_heap_slot {
	sim_time_t at;
	uint64_t seq;
	struct sim_event *ev;
};

struct sim_engine {
	sim_time_t now;
	uint64_t next_seq;
	uint64_t events_run;
	struct sim_heap_slot *heap;
	uint32_t count;
	uint32_t capacity;
	int stopped;
};

/* Initialise an engine at time 0 with room for capacity_hint pending events
 * (0 for a default). Returns 0, or -1 when memory is short. */
int sim_engine_init(struct sim_engine *eng, size_t capacity_hint);
void sim_engine_free(struct sim_engine *eng);

/* Prepare an event for use; it is not pending until scheduled. */
void sim_event_init(struct sim_event *ev, sim_handler_fn fn, void *ctx, uint32_t kind);

/* Schedule ev (not pending) at absolute time at >= now. O(log n).
 * Returns 0, or -1 when the heap cannot grow. */
int sim_schedule(struct sim_engine *eng, struct sim_event *ev, sim_time_t at);

/* Schedule ev after delay from now. */
int sim_schedule_in(struct sim_engine *eng, struct sim_event *ev, sim_time_t delay);

/* Remove a pending event; a no-op for an event that is not pending. O(log n). */
void sim_cancel(struct sim_engine *eng, struct sim_event *ev);

static inline int sim_event_pending(const struct sim_event *ev)
{
	return ev->heap_index != SIM_EVENT_IDLE;
}

/* Run events in order until none is left, or the next is later than until
 * (then now becomes until), or a handler calls sim_stop(). Returns the
 * number of events run by this call. */
uint64_t sim_run(struct sim_engine *eng, sim_time_t until);

/* Make sim_run return after the current handler. */
void sim_stop(struct sim_engine *eng);

static inline sim_time_t sim_now(const struct sim_engine *eng) { return eng->now; }
static inline size_t sim_pending(const struct sim_engine *eng) { return eng->count; }

#endif
