/* Log-on profiles: a population's share of logged-on users over the day
 * (points of time and share, straight lines between), and each user's
 * logging on and off that follows it.
 *
 * Every user has a fixed level, one uniform draw shared by its devices; it
 * is logged on while the profile is above its level. So the logged-on
 * share follows the profile exactly in expectation, each user changes
 * state only where the profile crosses its level, and a user's devices go
 * together. Logging on opens every connection at once; logging off closes
 * the idle connections at once and the busy ones when their answer comes.
 * One pending event per device; O(profile points) per crossing.
 */
#include "clients_internal.h"
#include "lbsim/event_kind.h"

/* The population's share of logged-on users at t: straight lines between
 * the profile's points, flat before the first and after the last. */
static double profile_share(const struct scn_population *p, sim_time_t t)
{
	if (t <= p->profile[0].at)
		return p->profile[0].share;
	for (uint32_t k = 1; k < p->nprofile; k++)
		if (t <= p->profile[k].at) {
			const struct scn_profile_point *a = &p->profile[k - 1], *b = &p->profile[k];
			return a->share + (b->share - a->share) * (double)(t - a->at) /
						  (double)(b->at - a->at);
		}
	return p->profile[p->nprofile - 1].share;
}

/* The first time after now where the profile crosses level: the user with
 * that level logs on or off there; SIM_TIME_NEVER when it never does. */
static sim_time_t profile_crossing(const struct scn_population *p, double level, sim_time_t now)
{
	for (uint32_t k = 1; k < p->nprofile; k++) {
		const struct scn_profile_point *a = &p->profile[k - 1], *b = &p->profile[k];
		if (b->at <= now || a->share == b->share)
			continue;
		double lo = a->share < b->share ? a->share : b->share;
		double hi = a->share < b->share ? b->share : a->share;
		if (level < lo || level > hi)
			continue;
		double tc = (double)a->at + (level - a->share) / (b->share - a->share) *
						    (double)(b->at - a->at);
		/* Just past the crossing, where the comparison has flipped. */
		sim_time_t t = (sim_time_t)tc + 1;
		if (t > now)
			return t;
	}
	return SIM_TIME_NEVER;
}

/* The user's own fixed level: logged on while the profile is above it. */
static double presence_level(const struct clients *cl, const struct device *d)
{
	struct device user = *d;
	user.id = d->user; /* one draw per user, shared by its devices */
	return draw_u01(cl, &user, 0, DRAW_PRESENCE, 0);
}

static void on_presence(struct sim_engine *eng, struct sim_event *ev)
{
	struct pop_state *ps = ev->ctx;
	struct clients *cl = ps->clients;
	struct device *d = &ps->devices[ev - ps->presence];
	const struct scn_population *p = ps->cfg;
	sim_time_t now = sim_now(eng);
	double level = presence_level(cl, d);
	int on = profile_share(p, now) > level;
	if (on && d->offline) {
		/* Logging on opens every connection at once. */
		d->offline = 0;
		for (uint32_t j = 0; j < d->nconns; j++) {
			struct conn *c = &d->conns[j];
			c->offline = 0;
			if (c->state == CONN_DOWN && !sim_event_pending(&c->ev))
				conn_open(cl, c);
		}
	} else if (!on && !d->offline) {
		/* Logging off closes the idle connections now and the busy ones
		 * when their answer comes. */
		d->offline = 1;
		for (uint32_t j = 0; j < d->nconns; j++) {
			struct conn *c = &d->conns[j];
			c->offline = 1;
			if (c->state == CONN_BUSY)
				continue;
			sim_cancel(eng, &c->ev);
			if (c->state != CONN_DOWN)
				conn_close(cl, c);
		}
	}
	sim_time_t next = profile_crossing(p, level, now);
	if (next != SIM_TIME_NEVER)
		clients_schedule(cl, ev, next - now);
}

int presence_init(struct clients *cl, struct pop_state *ps, struct device *d, uint64_t i)
{
	const struct scn_population *cfg = ps->cfg;
	double level = presence_level(cl, d);
	d->offline = !(profile_share(cfg, 0) > level);
	struct sim_event *presence = &ps->presence[i];
	sim_event_init(presence, on_presence, ps, EV_PRESENCE);
	sim_time_t change = profile_crossing(cfg, level, 0);
	if (change != SIM_TIME_NEVER && sim_schedule(cl->env.eng, presence, change) != 0)
		return -1;
	return 0;
}
