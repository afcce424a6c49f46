/* The review report; see include/lbsim/report.h.
 *
 * The report reads only the results folder: scenario.yaml and
 * provenance.csv (saved by the command that made the folder), the CSV
 * results and the pictures. Every number in it comes from those files
 * with its 95 % interval, so the documents and the CSV never disagree. It
 * is written once, as a sequence of pieces (include/lbsim/doc.h), into
 * report.md and report.html at the same time.
 *
 * Three kinds of folder: a run's (summary.csv), a sweep's (sweep.csv), a
 * plan's (plan.csv). They share the scenario in words, the model's scope
 * (include/lbsim/model_notes.h) and the provenance; each has its own
 * figures (report_run.c, report_batch.c).
 */
#include "lbsim/report.h"
#include "report_parts.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lbsim/csv_in.h"
#include "lbsim/csv_out.h"
#include "lbsim/model_notes.h"
#include "lbsim/provenance.h"
#include "lbsim/workload.h"

int report_save_scenario(const char *text, size_t len, const char *dir, char *err,
			 size_t errlen)
{
	struct csv_out out;
	if (csv_out_open(&out, dir, "scenario.yaml", err, errlen) != 0)
		return -1;
	if (len && fwrite(text, 1, len, out.fp) != len)
		out.error = 1;
	return csv_out_commit(&out, err, errlen);
}

int report_exists(const char *dir, const char *file)
{
	char path[4096];
	struct stat st;
	snprintf(path, sizeof path, "%s/%s", dir, file);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* ---- the scenario in words ------------------------------------------------- */

static const char *kind_words(enum scn_design_kind k)
{
	switch (k) {
	case SCN_DESIGN_L4:
		return "simple layer 4: one VIP for every workload, one health check per server";
	case SCN_DESIGN_L4_MULTI:
		return "layer 4 with one namespace (VIP) per workload, each with its own health checks";
	default:
		return "layer 7: TLS terminated on the balancer, one sub-service per workload chosen by URL";
	}
}

static const char *source_words(const struct scn_population *p, char *buf, size_t len)
{
	switch (p->source) {
	case SCN_SOURCE_NAT:
		snprintf(buf, len, "behind NAT: %u public address%s", p->addresses,
			 p->addresses == 1 ? "" : "es");
		break;
	case SCN_SOURCE_CGNAT:
		snprintf(buf, len, "behind carrier-grade NAT: a pool of %u addresses, changing every "
			 "%.0f min on average", p->addresses, (double)p->churn / 60e9);
		break;
	default:
		snprintf(buf, len, "one public address per device");
	}
	return buf;
}

void report_scenario(struct doc *d, const struct scenario *scn)
{
	char buf[512];
	doc_heading(d, 2, "The scenario");
	char words[128];
	doc_para(d, "%s%s. %.4g minutes measured after %.4g minutes of "
		 "warm-up, %u replication%s (seed %llu); every design sees the same client traffic "
		 "in each replication.", scn_servers_words(&scn->servers, words, sizeof words),
		 scn->servers.listed ? " (weights and cores from servers: list:)" : "",
		 (double)scn->duration / 60e9, (double)scn->warmup / 60e9, scn->replications,
		 scn->replications == 1 ? "" : "s", (unsigned long long)scn->seed);
	static const char *const pop_header[] = {"population", "users", "source", "traffic"};
	doc_table_begin(d, 4, pop_header);
	for (uint32_t i = 0; i < scn->npopulations; i++) {
		const struct scn_population *p = &scn->populations[i];
		doc_cell(d, "%s", p->name);
		if (scn_is_replay(p)) {
			/* A replayed log has its own users and addresses. */
			doc_cell(d, "the log's");
			doc_cell(d, "as logged%s", p->replay.scale > 1 ? ", copies on fresh /24s" : "");
			doc_cell(d, "replay of %s (x %u)", p->replay.written, p->replay.scale);
			doc_row_end(d);
			continue;
		}
		doc_cell_num(d, "%llu", (unsigned long long)p->users);
		doc_cell(d, "%s", source_words(p, buf, sizeof buf));
		if (p->request_rate > 0) {
			doc_cell(d, "%g requests/s per user to %s", p->request_rate,
				 workload_name(p->open_workload));
		} else {
			size_t used = 0;
			buf[0] = '\0';
			for (int w = 0; w < WL_COUNT && used < sizeof buf; w++)
				if (p->clients & (1u << w))
					used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s",
								 used ? ", " : "",
								 workload_name((enum workload)w));
			doc_cell(d, "%s clients", buf);
		}
		doc_row_end(d);
	}
	doc_table_end(d);
	static const char *const design_header[] = {"design", "kind", "balance", "persistence"};
	doc_table_begin(d, 4, design_header);
	for (uint32_t k = 0; k < scn->ndesigns; k++) {
		const struct scn_design *x = &scn->designs[k];
		doc_cell(d, "%s", x->name);
		doc_cell(d, "%s", kind_words(x->kind));
		doc_cell(d, "%s", x->balance->name);
		doc_cell(d, "%s", x->persist ? x->persist->name : "none");
		doc_row_end(d);
	}
	doc_table_end(d);
	if (!scn->nfaults)
		return;
	doc_para(d, "Faults:");
	doc_list_begin(d, 1);
	for (uint32_t f = 0; f < scn->nfaults; f++) {
		const struct scn_fault *ft = &scn->faults[f];
		char what[160], until[64] = "";
		if (ft->kind == SCN_FAULT_WORKLOAD_DOWN)
			snprintf(what, sizeof what, "%s fails (the server's other workloads keep working)",
				 workload_name(ft->workload));
		else if (ft->kind == SCN_FAULT_SLOW)
			snprintf(what, sizeof what, "becomes %g times slower", ft->factor);
		else if (ft->kind == SCN_FAULT_AUTH_DOWN)
			snprintf(what, sizeof what, "logons fail (its health pages still answer 200)");
		else if (ft->kind == SCN_FAULT_STORE_DOWN && ft->all_workloads)
			snprintf(what, sizeof what, "its mailbox store fails (its health pages still "
				 "answer 200)");
		else if (ft->kind == SCN_FAULT_STORE_DOWN)
			snprintf(what, sizeof what, "the mailbox store behind %s fails (its health "
				 "page still answers 200)", workload_name(ft->workload));
		else if (ft->kind == SCN_FAULT_DRAIN)
			snprintf(what, sizeof what, "drained at the balancer (no new connections or "
				 "sessions; those there finish)");
		else if (ft->kind == SCN_FAULT_MAINT)
			snprintf(what, sizeof what, "in maintenance at the balancer (no traffic, no "
				 "checks; connections there finish)");
		else
			snprintf(what, sizeof what, "fails completely");
		if (ft->duration != SIM_TIME_NEVER)
			snprintf(until, sizeof until, ", for %.0f s", (double)ft->duration / 1e9);
		doc_item(d, NULL, "at %.0f s, server %u: %s%s", (double)ft->at / 1e9, ft->server + 1,
			 what, until);
	}
	doc_list_end(d);
}

/* ---- what the model includes and leaves out ----------------------------------- */

void report_model(struct doc *d, const struct scenario *scn)
{
	struct model_note *notes = calloc(MODEL_MAX_NOTES, sizeof *notes);
	if (!notes)
		return;
	size_t n = model_notes(scn, notes);
	doc_heading(d, 2, "What this model includes and leaves out");
	doc_para(d, "Written from the scenario's own data: what the figures above are made of, "
		 "and what they cannot show.");
	for (int kind = MODEL_INCLUDES; kind <= MODEL_LEAVES_OUT; kind++) {
		doc_para_lead(d, kind == MODEL_INCLUDES ? "Included:" : "Left out:", "%s", "");
		doc_list_begin(d, 0);
		for (size_t i = 0; i < n; i++)
			if ((int)notes[i].kind == kind) {
				char lead[64];
				snprintf(lead, sizeof lead, "%s:", notes[i].topic);
				doc_item(d, lead, "%s", notes[i].text);
			}
		doc_list_end(d);
	}
	free(notes);
}

/* ---- provenance ---------------------------------------------------------------- */

void report_provenance(struct doc *d, const char *dir)
{
	struct provenance *p = malloc(sizeof *p);
	char err[512];
	if (!p)
		return;
	doc_heading(d, 2, "Provenance");
	if (provenance_read(p, dir, err, sizeof err) != 0) {
		doc_para(d, "This folder has no provenance.csv (written by an lbsim before it kept "
			 "one): the lbsim version and command line are unknown.");
		free(p);
		return;
	}
	static const char *const header[] = {"fact", "value"};
	doc_table_begin(d, 2, header);
	for (size_t i = 0; i < p->n; i++) {
		if (!strcmp(p->rows[i].key, "scope"))
			continue; /* said in words where it matters */
		doc_cell(d, "%s", p->rows[i].key);
		doc_cell(d, "%s", p->rows[i].value);
		doc_row_end(d);
	}
	doc_table_end(d);
	free(p);
}

/* ---- the two files --------------------------------------------------------------- */

enum report_kind { REPORT_RUN, REPORT_SWEEP, REPORT_PLAN };

int report_write(const char *dir, const char *shown, FILE *log, char *err, size_t errlen)
{
	enum report_kind kind = report_exists(dir, "plan.csv")    ? REPORT_PLAN
				: report_exists(dir, "sweep.csv") ? REPORT_SWEEP
								  : REPORT_RUN;
	char path[4096];
	struct scenario *scn;
	struct scn_error serr;
	snprintf(path, sizeof path, "%s/scenario.yaml", dir);
	/* A results folder's scenario is a file lbsim wrote: a FIFO there
	 * would block the read forever (scn_load takes pipes, for `run
	 * <(...)`). The folder is locked for the update, so it stays what
	 * stat saw. */
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file (%s)", path,
			 file_kind_name(st.st_mode));
		return -1;
	}
	/* Cost-profile files named relative to the scenario are where the
	 * scenario was when it ran. */
	struct provenance *prov = malloc(sizeof *prov);
	char perr[256];
	const char *scenario_dir = NULL;
	if (prov && provenance_read(prov, dir, perr, sizeof perr) == 0)
		scenario_dir = provenance_get(prov, "scenario_dir");
	int loaded = scn_load_in(path, scenario_dir, &scn, &serr);
	free(prov);
	if (loaded != 0) {
		snprintf(err, errlen, "%s: %s%s", path, serr.message,
			 serr.line ? "" : " (run 'lbsim run', 'sweep' or 'plan' first)");
		return -1;
	}
	struct csv_out md, html;
	int rc = -1;
	if (csv_out_open(&md, dir, "report.md", err, errlen) != 0) {
		scn_free(scn);
		return -1;
	}
	if (csv_out_open(&html, dir, "report.html", err, errlen) != 0) {
		csv_out_abort(&md);
		scn_free(scn);
		return -1;
	}
	struct doc d = {.md = md.fp, .html = html.fp, .dir = dir};
	int wrote = kind == REPORT_PLAN	   ? report_plan(&d, dir, scn, err, errlen)
		    : kind == REPORT_SWEEP ? report_sweep(&d, dir, scn, err, errlen)
					   : report_run(&d, dir, shown, scn, log, err, errlen);
	/* Both files or neither: check both before renaming either. */
	if (wrote == 0 && (md.error || ferror(md.fp) || html.error || ferror(html.fp))) {
		snprintf(err, errlen, "%s: writing the report failed (device full?)", dir);
		wrote = -1;
	}
	if (wrote != 0) {
		csv_out_abort(&md);
		csv_out_abort(&html);
	} else if (csv_out_commit(&md, err, errlen) != 0) {
		csv_out_abort(&html);
	} else {
		rc = csv_out_commit(&html, err, errlen);
	}
	if (rc == 0 && log)
		fprintf(log, "report: %s/report.md %s/report.html\n", shown, shown);
	scn_free(scn);
	return rc;
}
