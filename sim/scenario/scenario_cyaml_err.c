/* Explaining a libcyaml load failure at the exact place of the mistake.
 *
 * libcyaml (1.3.1) reports an error as log lines: a message, then a
 * backtrace of the containers it was in, innermost first, e.g.
 *   Load: Unexpected key: balence
 *   Load: Backtrace:
 *     in mapping (line: 8, column: 11)
 *     in sequence entry '2' (line: 7, column: 5)
 *     in mapping field 'designs' (line: 6, column: 3)
 * Each backtrace line is one container: a mapping, with the field it was
 * reading if any, or a sequence with its entry number (from 1). The line
 * and column there are those of the last event read, which is not where
 * the mistake is (for an unknown key it is the value before it), and the
 * field of the innermost mapping is stale when a key is missing or
 * repeated. So only the structure is used: the fields and entry numbers
 * lead from the root of the libyaml document to the container, and the
 * container's own pairs, compared with the schema, give the exact node:
 *   Unexpected key           the first key of the mapping that the schema
 *                            does not have;
 *   Mapping field already    the second occurrence of that key;
 *     seen
 *   Missing required         the mapping itself;
 *     mapping field
 *   Expecting X, got event   the value of the field (or the sequence entry)
 *                            being read;
 *   Excessive / Insufficient the sequence, with its length in the document.
 *     entries
 * Anything else (libcyaml also fails without a message on a key that is a
 * sequence or a mapping) is placed at the container, with libcyaml's words.
 */
#include "scenario_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void scn_cyaml_log_fn(cyaml_log_t level, void *ctx, const char *fmt, va_list args)
{
	struct scn_cyaml_log *log = ctx;
	if (level < CYAML_LOG_ERROR || log->count >= SCN_CYAML_LOG_LINES)
		return;
	char *line = log->line[log->count++];
	vsnprintf(line, SCN_CYAML_LOG_LINE_MAX, fmt, args);
	size_t n = strlen(line);
	if (n && line[n - 1] == '\n')
		line[n - 1] = '\0';
}

enum bt_kind { BT_MAPPING, BT_FIELD, BT_SEQUENCE, BT_ENTRY };

struct bt_state {
	enum bt_kind kind;
	const char *key;    /* BT_FIELD: points into the log line */
	size_t key_len;
	unsigned long entry; /* BT_ENTRY: from 1 */
};

static int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* One backtrace line; 0, or -1 when it is not one we know. */
static int parse_state(const char *line, struct bt_state *st)
{
	while (*line == ' ')
		line++;
	if (starts_with(line, "in mapping field '")) {
		const char *key = line + strlen("in mapping field '");
		const char *end = strstr(key, "' (line:");
		if (!end)
			return -1;
		st->kind = BT_FIELD;
		st->key = key;
		st->key_len = (size_t)(end - key);
		return 0;
	}
	if (starts_with(line, "in sequence entry '")) {
		char *end;
		st->kind = BT_ENTRY;
		st->entry = strtoul(line + strlen("in sequence entry '"), &end, 10);
		/* Entry 0: the sequence was empty when libcyaml stopped. */
		return *end == '\'' ? 0 : -1;
	}
	if (starts_with(line, "in mapping (")) {
		st->kind = BT_MAPPING;
		return 0;
	}
	if (starts_with(line, "in sequence (")) {
		st->kind = BT_SEQUENCE;
		return 0;
	}
	return -1;
}

/* Where libcyaml was: the innermost container, its schema, its state, and
 * the key of the field that holds it (NULL for the root or an entry). */
struct where {
	yaml_node_t *node;
	const cyaml_schema_value_t *schema;
	struct bt_state state;
	const char *via_key;
};

static int is_sequence(const cyaml_schema_value_t *schema)
{
	return schema->type == CYAML_SEQUENCE || schema->type == CYAML_SEQUENCE_FIXED;
}

/* Follow the backtrace (lines first .. first + n - 1, innermost first) from
 * the root. Returns 0, or -1 when it does not lead anywhere in doc. */
static int follow(const struct scn_cyaml_log *log, unsigned first, unsigned n,
		  yaml_document_t *doc, struct where *w)
{
	w->node = yaml_document_get_root_node(doc);
	w->schema = &scn_raw_schema;
	w->via_key = NULL;
	if (n == 0)
		return -1;
	for (unsigned i = n; i-- > 0;) {
		if (parse_state(log->line[first + i], &w->state) < 0)
			return -1;
		if (i == 0)
			return 0;
		if (w->state.kind == BT_FIELD && w->schema->type == CYAML_MAPPING) {
			const cyaml_schema_field_t *f = scn_schema_field(
				w->schema->mapping.fields, w->state.key, w->state.key_len);
			if (!f)
				return -1;
			w->node = yw_map_value(doc, w->node, w->state.key, w->state.key_len, 0);
			w->schema = &f->value;
			w->via_key = f->key;
		} else if (w->state.kind == BT_ENTRY && is_sequence(w->schema) &&
			   w->state.entry > 0) {
			w->node = yw_seq_item(doc, w->node, w->state.entry - 1);
			w->schema = w->schema->sequence.entry;
			w->via_key = NULL;
		} else {
			return -1;
		}
		if (!w->node)
			return -1;
	}
	return -1;
}

static void at(struct scn_error *err, const yaml_node_t *node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void at(struct scn_error *err, const yaml_node_t *node, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	scn_err_vset(err, yw_line(node), yw_column(node), fmt, ap);
	va_end(ap);
}

static const char *noun_of(const cyaml_schema_value_t *schema)
{
	const char *noun = schema->type == CYAML_MAPPING
				   ? scn_schema_mapping_noun(schema->mapping.fields)
				   : NULL;
	return noun ? noun : "this mapping";
}

static void unknown_key(const struct where *w, yaml_document_t *doc,
			struct scn_error *err)
{
	const cyaml_schema_field_t *fields = w->schema->mapping.fields;
	yaml_node_pair_t *p = w->node->data.mapping.pairs.start;
	for (; p < w->node->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		if (k->type != YAML_SCALAR_NODE)
			continue;
		const char *key = (const char *)k->data.scalar.value;
		size_t len = k->data.scalar.length;
		if (scn_schema_field(fields, key, len))
			continue;

		char shown[160], valid[768];
		yw_quote(shown, sizeof shown, key, len);
		if (yw_scalar_is(k, "<<", 2)) {
			at(err, k, "merge keys ('<<') are not supported; write the keys out");
			return;
		}
		struct scn_suggest s;
		scn_suggest_init(&s, key, len);
		for (const cyaml_schema_field_t *f = fields; f->key; f++)
			scn_suggest_consider(&s, f->key);
		if (s.best) {
			at(err, k, "unknown key %s in %s; did you mean '%s'?", shown,
			   noun_of(w->schema), s.best);
		} else {
			scn_schema_keys(fields, valid, sizeof valid);
			at(err, k, "unknown key %s in %s (valid: %s)", shown,
			   noun_of(w->schema), valid);
		}
		return;
	}
	at(err, w->node, "unknown key in %s", noun_of(w->schema));
}

static void repeated_key(const struct where *w, const char *key,
			 yaml_document_t *doc, struct scn_error *err)
{
	size_t len = strlen(key);
	yaml_node_t *first = yw_map_key(doc, w->node, key, len, 0);
	yaml_node_t *again = yw_map_key(doc, w->node, key, len, 1);
	if (!first || !again) {
		at(err, w->node, "a key is given twice in %s", noun_of(w->schema));
		return;
	}
	char shown[160];
	at(err, again, "key %s given twice (first at line %u, column %u)",
	   yw_quote(shown, sizeof shown, key, len), yw_line(first), yw_column(first));
}

/* The value being read has the wrong kind (a sequence for a number, ...). */
static void wrong_kind(const struct where *w, yaml_document_t *doc,
		       struct scn_error *err)
{
	const cyaml_schema_value_t *want;
	const char *what = "a single value";
	yaml_node_t *node;
	char name[200], keys[256];

	if (w->state.kind == BT_FIELD && w->schema->type == CYAML_MAPPING) {
		const cyaml_schema_field_t *f = scn_schema_field(
			w->schema->mapping.fields, w->state.key, w->state.key_len);
		node = f ? yw_map_value(doc, w->node, w->state.key, w->state.key_len, 0) : NULL;
		if (!node) {
			at(err, w->node, "a value of the wrong kind in %s", noun_of(w->schema));
			return;
		}
		want = &f->value;
		what = scn_schema_key_what(w->schema->mapping.fields, f->key);
		snprintf(name, sizeof name, "'%s'", f->key);
	} else if (w->state.kind == BT_ENTRY && is_sequence(w->schema) && w->state.entry > 0) {
		node = yw_seq_item(doc, w->node, w->state.entry - 1);
		if (!node) {
			at(err, w->node, "an entry of the wrong kind in this sequence");
			return;
		}
		want = w->schema->sequence.entry;
		if (want->type == CYAML_MAPPING || !w->via_key)
			snprintf(name, sizeof name, "%s entry %lu", noun_of(want), w->state.entry);
		else
			snprintf(name, sizeof name, "entry %lu of '%s'", w->state.entry, w->via_key);
		if (want->type != CYAML_MAPPING && scn_schema_entries_what(want))
			what = "one name";
	} else {
		at(err, w->node, "a value of the wrong kind here");
		return;
	}

	const char *got = yw_node_kind(node);
	int empty = yw_is_null(node);
	switch (want->type) {
	case CYAML_MAPPING:
		scn_schema_keys(want->mapping.fields, keys, sizeof keys);
		if (empty)
			at(err, node, "%s has no value; it must be a mapping of keys %s",
			   name, keys);
		else
			at(err, node, "%s must be a mapping of keys %s, not %s", name,
			   keys, got);
		return;
	case CYAML_SEQUENCE:
	case CYAML_SEQUENCE_FIXED:
		if (scn_schema_entries_what(want->sequence.entry)) {
			const char *of = scn_schema_entries_what(want->sequence.entry);
			if (empty)
				at(err, node, "%s has no value; it must be a sequence of %s", name, of);
			else
				at(err, node, "%s must be a sequence of %s, not %s", name, of, got);
			return;
		}
		if (empty)
			at(err, node, "%s has no value; it must be a sequence of %s "
			   "entries, each starting with '- '", name, noun_of(want->sequence.entry));
		else
			at(err, node, "%s must be a sequence of %s entries, each "
			   "starting with '- ', not %s", name,
			   noun_of(want->sequence.entry), got);
		return;
	default:
		at(err, node, "%s must be %s, not %s", name, what, got);
		return;
	}
}

/* Too few or too many entries: libcyaml stops at the first one past the
 * cap, the document knows how many there are. */
static void entry_count(const struct where *w, struct scn_error *err)
{
	yaml_node_t *seq = w->node;
	size_t n = (size_t)(seq->data.sequence.items.top - seq->data.sequence.items.start);
	const char *key = w->via_key ? w->via_key : "this sequence";
	if (w->schema->sequence.min == 0)
		at(err, seq, "'%s' must have at most %u entries, got %zu", key,
		   w->schema->sequence.max, n);
	else
		at(err, seq, "'%s' must have %u to %u entries, got %zu", key,
		   w->schema->sequence.min, w->schema->sequence.max, n);
}

/* A key that is itself a sequence or a mapping: libcyaml fails on it
 * without a message. Returns 1 when w's container has one (err set). */
static int complex_key(const struct where *w, yaml_document_t *doc,
		       struct scn_error *err)
{
	if (!w->node || w->node->type != YAML_MAPPING_NODE)
		return 0;
	yaml_node_pair_t *p = w->node->data.mapping.pairs.start;
	for (; p < w->node->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		if (k->type != YAML_SCALAR_NODE) {
			at(err, k, "a key must be a name, not %s", yw_node_kind(k));
			return 1;
		}
	}
	return 0;
}

void scn_cyaml_explain(const struct scn_cyaml_log *log, cyaml_err_t cerr,
		       yaml_document_t *doc, struct scn_error *err)
{
	const char *msg = NULL;
	unsigned bt = log->count; /* first backtrace line */

	if (cerr == CYAML_ERR_OOM) {
		scn_err_set(err, 0, 0, "out of memory while loading the scenario");
		return;
	}
	for (unsigned i = 0; i < log->count; i++) {
		const char *line = log->line[i];
		if (starts_with(line, "Load: "))
			line += strlen("Load: ");
		if (strcmp(line, "Backtrace:") == 0) {
			bt = i + 1;
			break;
		}
		if (!msg)
			msg = line;
	}
	if (!msg)
		msg = cyaml_strerror(cerr);

	struct where w = { 0 };
	if (follow(log, bt, log->count - bt, doc, &w) < 0) {
		yaml_node_t *root = yaml_document_get_root_node(doc);
		scn_err_set(err, yw_line(root), yw_column(root),
			    "cannot load the scenario: %s", msg);
		return;
	}
	int in_mapping = w.schema->type == CYAML_MAPPING &&
			 w.node->type == YAML_MAPPING_NODE;

	if (in_mapping && starts_with(msg, "Unexpected key: ")) {
		unknown_key(&w, doc, err);
	} else if (in_mapping && starts_with(msg, "Mapping field already seen: ")) {
		repeated_key(&w, msg + strlen("Mapping field already seen: "), doc, err);
	} else if (in_mapping && starts_with(msg, "Missing required mapping field: ")) {
		at(err, w.node, "%s is missing required key '%s'", noun_of(w.schema),
		   msg + strlen("Missing required mapping field: "));
	} else if (is_sequence(w.schema) && w.node->type == YAML_SEQUENCE_NODE &&
		   (starts_with(msg, "Excessive entries") ||
		    starts_with(msg, "Insufficient entries"))) {
		entry_count(&w, err);
	} else if (starts_with(msg, "Expecting ")) {
		wrong_kind(&w, doc, err);
	} else if (!complex_key(&w, doc, err)) {
		at(err, w.node, "cannot load the scenario: %s", msg);
	}
}
