/* A population that replays a request log (replay:): its keys checked and
 * converted, the log's path resolved from the scenario's folder (the
 * commands that replay read it before anything runs, sim/cli/cli.c, and
 * place a log they cannot read at its `log:` key), and the keys of
 * the other kinds of population refused beside it (a replayed log has its
 * own users, addresses and traffic).
 *
 * The default window, 1 h, covers the longest long poll Exchange clients
 * make: an ActiveSync Ping's heartbeat is at most 3,540 s ([MS-ASCMD]
 * 2.2.3.79, HeartbeatInterval) and MAPI/HTTP's NotificationWait is
 * shorter; Outlook Anywhere's RPC_IN_DATA / RPC_OUT_DATA channels can
 * last longer, and then the replay says so (a time-order violation) and
 * asks for a longer window.
 */
#include "scenario_internal.h"

#include <stdio.h>
#include <string.h>

#include "lbsim/log_opts.h"

/* Keys a replay population does not take, with what they belong to. */
static const char *const not_with_replay[] = {
	"users", "source", "addresses", "churn", "ports", "clients", "rate", "workload",
	"tls13", "profile", "logon", "client-settings",
};

static int given(const struct scn_raw_population *rp, const char *key)
{
	if (strcmp(key, "users") == 0)
		return rp->users != NULL;
	if (strcmp(key, "source") == 0)
		return rp->source != NULL;
	if (strcmp(key, "addresses") == 0)
		return rp->addresses != NULL;
	if (strcmp(key, "churn") == 0)
		return rp->churn != NULL;
	if (strcmp(key, "ports") == 0)
		return rp->ports != NULL;
	if (strcmp(key, "clients") == 0)
		return rp->clients != NULL;
	if (strcmp(key, "rate") == 0)
		return rp->rate != NULL;
	if (strcmp(key, "workload") == 0)
		return rp->workload != NULL;
	if (strcmp(key, "tls13") == 0)
		return rp->tls13 != NULL;
	if (strcmp(key, "profile") == 0)
		return rp->profile != NULL;
	if (strcmp(key, "logon") == 0)
		return rp->logon != NULL;
	return rp->client_settings != NULL;
}

/* The log's path: as written when absolute, else from the scenario's
 * folder (scenario is the name it was loaded as). */
static int resolve(const char *scenario, const char *log, char *out, size_t len)
{
	const char *slash = strrchr(scenario, '/');
	int n;
	if (log[0] == '/' || strcmp(log, "-") == 0 || !slash)
		n = snprintf(out, len, "%s", log);
	else
		n = snprintf(out, len, "%.*s/%s", (int)(slash - scenario), scenario, log);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* A log setting through the one parser the commands use (log_opts.h). */
static void log_setting(struct scn_ctx *c, yaml_node_t *rmap, const char *key, const char *text,
			struct log_opts *o)
{
	char value[256], why[512];
	snprintf(value, sizeof value, "%s", text);
	if (log_opts_set(o, key, value, why, sizeof why) != 0) {
		char shown[160];
		scn_report(c, scn_value_of(c, rmap, key), "%s %s: %s", key,
			   scn_quote(shown, sizeof shown, text), log_opts_help(key));
	}
}

void scn_replay(struct scn_ctx *c, const struct scn_raw_population *rp, yaml_node_t *map,
		struct scn_population *p)
{
	const struct scn_raw_replay *rr = rp->replay;
	yaml_node_t *rmap = scn_value_of(c, map, "replay");
	struct scn_replay *r = &p->replay;
	for (size_t i = 0; i < sizeof not_with_replay / sizeof *not_with_replay; i++)
		if (given(rp, not_with_replay[i]))
			scn_not_here(c, map, not_with_replay[i], "populations without replay (a "
				     "replayed log brings its own users, addresses and requests)");
	r->scale = scn_whole32(c, rmap, "scale", rr->scale, 1, SCN_MAX_REPLAY_SCALE, 1);
	r->window = rr->window ? scn_duration(c, rmap, "window", rr->window, 0)
			       : SCN_DEFAULT_REPLAY_WINDOW;
	if (rr->demand) {
		static const char *const demands[] = {"workload", "time-taken"};
		int k = scn_pick(c, rmap, "demand", rr->demand, demands, 2);
		r->demand_from_log = k == 1;
	}
	struct log_opts o = {0};
	if (rr->format)
		log_setting(c, rmap, "format", rr->format, &o);
	if (rr->on_error)
		log_setting(c, rmap, "on-error", rr->on_error, &o);
	if (rr->client_from)
		log_setting(c, rmap, "client-from", rr->client_from, &o);
	if (rr->capture) {
		log_setting(c, rmap, "capture", rr->capture, &o);
		snprintf(r->capture, sizeof r->capture, "%s", rr->capture);
	}
	if (rr->user_header) {
		log_setting(c, rmap, "user-header", rr->user_header, &o);
		snprintf(r->user_header, sizeof r->user_header, "%s", rr->user_header);
	}
	r->format = o.format;
	r->on_error = o.on_error;
	r->client_from = o.client_from;

	yaml_node_t *lnode = scn_value_of(c, rmap, "log");
	char shown[160];
	if (!rr->log[0]) {
		scn_report(c, lnode, "log: the name of a request log to replay");
		return;
	}
	if (resolve(c->err->file, rr->log, r->log, sizeof r->log) != 0) {
		scn_report(c, lnode, "log %s: the path is too long",
			   scn_quote(shown, sizeof shown, rr->log));
		r->log[0] = '\0';
		return;
	}
	/* Not opened here: a results folder's copy of the scenario loads
	 * without its log (lbsim report); the commands that replay read it
	 * first, and tell a log they cannot read at this key. */
	snprintf(r->written, sizeof r->written, "%s", rr->log);
	r->line = yw_line(lnode);
	r->column = yw_column(lnode);
	if (strcmp(r->log, "-") == 0) {
		scn_report(c, lnode, "log: a replay reads a file, not standard input");
		r->log[0] = '\0';
	}
}

void scn_replay_log_opts(const struct scn_replay *r, struct log_opts *o, char *buf, size_t len)
{
	char why[256];
	*o = (struct log_opts){.format = r->format, .on_error = r->on_error,
			       .client_from = r->client_from};
	if (r->capture[0]) {
		snprintf(buf, len, "%s", r->capture);
		(void)log_opts_set(o, "capture", buf, why, sizeof why); /* checked at load */
	}
	if (r->user_header[0])
		o->user_header = r->user_header;
}
