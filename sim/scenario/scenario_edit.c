/* Editing a scenario's text at a path of keys and items, as a person
 * would edit the file, so that `--set` and `sweep` give exactly what the
 * edited file gives: the edited text goes through the loader like any
 * file (sim/scenario/params.c).
 *
 * Each edit composes the text with libyaml and changes bytes at the marks
 * of the nodes it finds, keeping everything else as written (comments,
 * quoting, flow or block style):
 *   - a scalar that is there is replaced where it stands;
 *   - a key that is missing is added to the deepest mapping that is there,
 *     with whatever mappings lie between written in flow style
 *     ("check: {fall: 5}"), which reads the same in a block or a flow
 *     mapping: in a flow mapping after its last pair (", fall: 5"), in a
 *     block mapping on a new line after its last one, at its keys'
 *     indentation;
 *   - a pair is removed with its lines (block) or with its comma (flow).
 * A node shared through a YAML alias is refused: changing it would change
 * every place that refers to it.
 *
 * Every edit is logged: where it wrote (to tell the loader's complaints
 * about the value given from those about the rest of the file) and how
 * many lines it added or removed after which line (to place the rest at
 * their line in the file as written). Columns right of an edit on its own
 * line are not corrected.
 *
 * Cost: each edit composes the text once: linear in its size.
 */
#include "scenario_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int scn_text_init(struct scn_text *t, const char *data, size_t len)
{
	memset(t, 0, sizeof *t);
	t->data = malloc(len + 1);
	if (!t->data)
		return -1;
	memcpy(t->data, data, len);
	t->data[len] = '\0';
	t->len = len;
	return 0;
}

void scn_text_free(struct scn_text *t)
{
	free(t->data);
	free(t->edits);
	memset(t, 0, sizeof *t);
}

/* Text that a YAML plain scalar holds as is, in block and flow context
 * alike: letters, digits and a few marks, no leading indicator, no ": "
 * or " #", no flow indicators, no spaces at either end. */
static int plain_safe(const char *v)
{
	size_t n = strlen(v);
	if (n == 0 || strchr("-?:,[]{}#&*!|>'\"%@` ", v[0]) || v[n - 1] == ' ' || v[n - 1] == ':')
		return 0;
	for (const char *p = v; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch < 0x20 || ch == 0x7f || strchr(",[]{}#\"'\\", ch))
			return 0;
		if (ch == ':' && (p[1] == ' ' || p[1] == '\0'))
			return 0;
	}
	return 1;
}

/* v as a YAML scalar: plain when safe, else double-quoted. */
static char *scalar_text(const char *v)
{
	size_t n = strlen(v);
	char *out = malloc(4 * n + 3);
	if (!out)
		return NULL;
	if (plain_safe(v)) {
		memcpy(out, v, n + 1);
		return out;
	}
	size_t k = 0;
	out[k++] = '"';
	for (const char *p = v; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch == '"' || ch == '\\') {
			out[k++] = '\\';
			out[k++] = (char)ch;
		} else if (ch < 0x20 || ch == 0x7f) {
			k += (size_t)snprintf(out + k, 5, "\\x%02x", ch);
		} else {
			out[k++] = (char)ch;
		}
	}
	out[k++] = '"';
	out[k] = '\0';
	return out;
}

/* Replace bytes [from, to) of t by ins, and log it: the lines from
 * e->line on are e->delta lines further than before, and the bytes
 * written (if any) are now the region of the new entry. */
static int splice(struct scn_text *t, size_t from, size_t to, const char *ins, int wrote)
{
	size_t n = strlen(ins);
	char *d = malloc(t->len - (to - from) + n + 1);
	if (!d)
		return -1;
	struct scn_edit *grown = realloc(t->edits, (t->nedits + 1) * sizeof *t->edits);
	if (!grown) {
		free(d);
		return -1;
	}
	t->edits = grown;
	unsigned l_from, c_from, l_to, c_to;
	yw_position(t->data, t->len, from, &l_from, &c_from);
	yw_position(t->data, t->len, to, &l_to, &c_to);
	memcpy(d, t->data, from);
	memcpy(d + from, ins, n);
	memcpy(d + from + n, t->data + to, t->len - to + 1);
	free(t->data);
	t->data = d;
	t->len = t->len - (to - from) + n;
	struct scn_edit *e = &t->edits[t->nedits];
	memset(e, 0, sizeof *e);
	unsigned l_end, c_end;
	yw_position(t->data, t->len, from + n, &l_end, &c_end);
	/* What followed the old bytes starts at line l_to before and l_end now. */
	e->line = l_end;
	e->column = c_end;
	e->delta = (int)l_end - (int)l_to;
	e->wrote = wrote;
	e->l0 = l_from;
	e->c0 = c_from;
	e->l1 = l_end;
	e->c1 = c_end;
	/* Earlier regions after this edit moved with the lines. */
	for (size_t i = 0; i < t->nedits; i++) {
		struct scn_edit *x = &t->edits[i];
		if (x->l0 > l_to || (x->l0 == l_to && x->c0 >= c_to)) {
			t->edits[i].l0 = (unsigned)((int)t->edits[i].l0 + e->delta);
			t->edits[i].l1 = (unsigned)((int)t->edits[i].l1 + e->delta);
		}
	}
	t->nedits++;
	return 0;
}

long scn_text_origin(const struct scn_text *t, unsigned *line, unsigned column)
{
	long ours = -1;
	for (size_t i = 0; i < t->nedits; i++) {
		const struct scn_edit *e = &t->edits[i];
		if (!e->wrote)
			continue;
		int after_start = *line > e->l0 || (*line == e->l0 && column >= e->c0);
		int before_end = *line < e->l1 || (*line == e->l1 && column <= e->c1);
		if (after_start && before_end)
			ours = (long)i;
	}
	for (size_t i = t->nedits; i-- > 0;) {
		const struct scn_edit *e = &t->edits[i];
		if (*line > e->line || (*line == e->line && column >= e->column))
			*line = (unsigned)((int)*line - e->delta);
	}
	return ours;
}

/* ---- the document -------------------------------------------------------- */

struct composed {
	yaml_document_t doc;
	unsigned *refs;   /* times each node (by index from 1) is referred to */
	size_t nnodes;
};

static int compose(const struct scn_text *t, struct composed *cp, char *err, size_t errlen)
{
	struct scn_error e;
	memset(cp, 0, sizeof *cp);
	memset(&e, 0, sizeof e);
	if (yw_load_document(t->data, t->len, &cp->doc, &e) != 0) {
		snprintf(err, errlen, "%u:%u: %s", e.line, e.column, e.message);
		return -1;
	}
	cp->nnodes = (size_t)(cp->doc.nodes.top - cp->doc.nodes.start);
	cp->refs = calloc(cp->nnodes + 2, sizeof *cp->refs);
	if (!cp->refs) {
		yaml_document_delete(&cp->doc);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (yaml_node_t *n = cp->doc.nodes.start; n < cp->doc.nodes.top; n++) {
		if (n->type == YAML_MAPPING_NODE) {
			for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
			     p < n->data.mapping.pairs.top; p++) {
				cp->refs[p->key]++;
				cp->refs[p->value]++;
			}
		} else if (n->type == YAML_SEQUENCE_NODE) {
			for (yaml_node_item_t *i = n->data.sequence.items.start;
			     i < n->data.sequence.items.top; i++)
				cp->refs[*i]++;
		}
	}
	return 0;
}

static void composed_free(struct composed *cp)
{
	yaml_document_delete(&cp->doc);
	free(cp->refs);
}

static int node_id(struct composed *cp, const yaml_node_t *n)
{
	return (int)(n - cp->doc.nodes.start) + 1;
}

/* Byte offset just past the last thing written in node's subtree: a
 * block collection's own end mark lies at the next token, possibly lines
 * further on, so its last scalar (or flow collection) decides. */
static size_t subtree_end(struct composed *cp, const struct scn_text *t, yaml_node_t *n)
{
	if (n->type == YAML_MAPPING_NODE && n->data.mapping.style == YAML_BLOCK_MAPPING_STYLE &&
	    n->data.mapping.pairs.top > n->data.mapping.pairs.start) {
		yaml_node_pair_t *last = n->data.mapping.pairs.top - 1;
		size_t k = subtree_end(cp, t, yaml_document_get_node(&cp->doc, last->key));
		size_t v = subtree_end(cp, t, yaml_document_get_node(&cp->doc, last->value));
		return k > v ? k : v;
	}
	if (n->type == YAML_SEQUENCE_NODE && n->data.sequence.style == YAML_BLOCK_SEQUENCE_STYLE &&
	    n->data.sequence.items.top > n->data.sequence.items.start)
		return subtree_end(cp, t, yaml_document_get_node(&cp->doc,
								 n->data.sequence.items.top[-1]));
	return yw_offset(t->data, t->len, n->end_mark);
}

/* Where path leads: the nodes along it while they exist. */
struct walk {
	yaml_node_t *node[SCN_PATH_MAX + 1];  /* node[0] the root; node[i] after i steps */
	size_t have;                          /* steps that exist */
};

static void path_text(const struct scn_step *path, size_t n, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && used < len; i++) {
		int w = path[i].key ? snprintf(buf + used, len - used, "%s%s", i ? "." : "", path[i].key)
				    : snprintf(buf + used, len - used, "%s%zu", i ? "." : "",
					       path[i].index + 1);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

static int walk(struct composed *cp, const struct scn_step *path, size_t n, struct walk *w,
		char *err, size_t errlen)
{
	char where[256];
	w->node[0] = yaml_document_get_root_node(&cp->doc);
	w->have = 0;
	for (size_t i = 0; i < n; i++) {
		yaml_node_t *cur = w->node[i], *next;
		if (cp->refs[node_id(cp, cur)] > 1) {
			path_text(path, i, where, sizeof where);
			snprintf(err, errlen, "%s is shared with another place through a YAML alias "
				 "(line %u): edit the file itself", where, yw_line(cur));
			return -1;
		}
		next = path[i].key ? yw_map_value(&cp->doc, cur, path[i].key, strlen(path[i].key), 0)
				   : yw_seq_item(&cp->doc, cur, path[i].index);
		if (!next)
			return 0;
		w->node[i + 1] = next;
		w->have = i + 1;
	}
	yaml_node_t *last = w->node[n];
	if (n && cp->refs[node_id(cp, last)] > 1) {
		path_text(path, n, where, sizeof where);
		snprintf(err, errlen, "%s is shared with another place through a YAML alias (line "
			 "%u): edit the file itself", where, yw_line(last));
		return -1;
	}
	return 0;
}

int scn_text_has(const struct scn_text *t, const struct scn_step *path, size_t n)
{
	struct composed cp;
	struct walk w;
	char err[256];
	if (compose(t, &cp, err, sizeof err) != 0)
		return 0;
	int found = walk(&cp, path, n, &w, err, sizeof err) == 0 && w.have == n;
	composed_free(&cp);
	return found;
}

/* "k1: {k2: {k3: v}}" for the keys path[from..n) and the value. */
static char *nested(const struct scn_step *path, size_t from, size_t n, const char *value)
{
	size_t len = strlen(value) + 1;
	for (size_t i = from; i < n; i++)
		len += strlen(path[i].key) + 6;
	char *out = malloc(len);
	if (!out)
		return NULL;
	size_t k = 0;
	for (size_t i = from; i < n; i++)
		k += (size_t)sprintf(out + k, i + 1 < n ? "%s: {" : "%s: ", path[i].key);
	k += (size_t)sprintf(out + k, "%s", value);
	for (size_t i = from; i + 1 < n; i++)
		out[k++] = '}';
	out[k] = '\0';
	return out;
}

/* Add pair (text kv) to mapping m of t. */
static int add_pair(struct scn_text *t, struct composed *cp, yaml_node_t *m, const char *kv,
		    char *err, size_t errlen)
{
	yaml_node_pair_t *first = m->data.mapping.pairs.start, *top = m->data.mapping.pairs.top;
	char *ins;
	size_t at;
	if (m->data.mapping.style == YAML_FLOW_MAPPING_STYLE) {
		if (top > first) {
			at = subtree_end(cp, t, yaml_document_get_node(&cp->doc, top[-1].value));
			ins = malloc(strlen(kv) + 3);
			if (ins)
				sprintf(ins, ", %s", kv);
		} else {
			at = yw_offset(t->data, t->len, m->end_mark);
			at = at > 0 ? at - 1 : 0; /* the closing brace */
			ins = malloc(strlen(kv) + 1);
			if (ins)
				strcpy(ins, kv);
		}
	} else {
		if (top == first) {
			snprintf(err, errlen, "an empty block mapping at line %u cannot be added to; "
				 "edit the file itself", yw_line(m));
			return -1;
		}
		yaml_node_t *k0 = yaml_document_get_node(&cp->doc, first->key);
		size_t indent = k0->start_mark.column;
		at = subtree_end(cp, t, m);
		/* A line break of the file's own kind. */
		const char *br = memchr(t->data, '\r', t->len) ? "\r\n" : "\n";
		ins = malloc(strlen(kv) + indent + 4);
		if (!ins)
			goto oom;
		if (at > 0 && t->data[at - 1] == '\n') {
			/* At a line's start (after a block scalar): a line of our own. */
			memset(ins, ' ', indent);
			sprintf(ins + indent, "%s%s", kv, br);
		} else {
			while (at < t->len && t->data[at] != '\n' && t->data[at] != '\r')
				at++;
			size_t b = strlen(br);
			memcpy(ins, br, b);
			memset(ins + b, ' ', indent);
			strcpy(ins + b + indent, kv);
		}
	}
	if (!ins)
		goto oom;
	int rc = splice(t, at, at, ins, 1);
	free(ins);
	if (rc == 0)
		return 0;
oom:
	snprintf(err, errlen, "out of memory");
	return -1;
}

int scn_text_set(struct scn_text *t, const struct scn_step *path, size_t n, const char *value,
		 char *err, size_t errlen)
{
	struct composed cp;
	struct walk w;
	char where[256];
	int rc = -1;
	if (n == 0 || n > SCN_PATH_MAX || compose(t, &cp, err, errlen) != 0)
		return -1;
	char *v = scalar_text(value);
	if (!v || walk(&cp, path, n, &w, err, errlen) != 0)
		goto out;
	if (w.have == n) {
		yaml_node_t *leaf = w.node[n];
		if (leaf->type != YAML_SCALAR_NODE) {
			path_text(path, n, where, sizeof where);
			snprintf(err, errlen, "%s is %s in the file, not a single value", where,
				 yw_node_kind(leaf));
			goto out;
		}
		size_t from = yw_offset(t->data, t->len, leaf->start_mark);
		size_t to = yw_offset(t->data, t->len, leaf->end_mark);
		if (to < from)
			to = from;
		rc = splice(t, from, to, v, 1);
	} else {
		yaml_node_t *m = w.node[w.have];
		for (size_t i = w.have; i < n; i++) {
			if (!path[i].key) {
				path_text(path, i + 1, where, sizeof where);
				snprintf(err, errlen, "%s is not in the file", where);
				goto out;
			}
		}
		if (m->type != YAML_MAPPING_NODE) {
			path_text(path, w.have, where, sizeof where);
			snprintf(err, errlen, "%s is %s in the file, not a mapping", where[0] ? where
				 : "the scenario", yw_node_kind(m));
			goto out;
		}
		char *kv = nested(path, w.have, n, v);
		rc = kv ? add_pair(t, &cp, m, kv, err, errlen) : -1;
		free(kv);
	}
	if (rc != 0 && !err[0])
		snprintf(err, errlen, "out of memory");
out:
	free(v);
	composed_free(&cp);
	return rc;
}

int scn_text_delete(struct scn_text *t, const struct scn_step *path, size_t n, char *err,
		    size_t errlen)
{
	struct composed cp;
	struct walk w;
	char where[256];
	int rc = -1;
	if (n == 0 || n > SCN_PATH_MAX || !path[n - 1].key || compose(t, &cp, err, errlen) != 0)
		return -1;
	if (walk(&cp, path, n, &w, err, errlen) != 0)
		goto out;
	if (w.have < n) {
		rc = 0; /* nothing to remove */
		goto out;
	}
	yaml_node_t *m = w.node[n - 1];
	yaml_node_pair_t *first = m->data.mapping.pairs.start, *top = m->data.mapping.pairs.top, *p;
	for (p = first; p < top; p++)
		if (yw_scalar_is(yaml_document_get_node(&cp.doc, p->key), path[n - 1].key,
				 strlen(path[n - 1].key)))
			break;
	yaml_node_t *k = yaml_document_get_node(&cp.doc, p->key);
	yaml_node_t *v = yaml_document_get_node(&cp.doc, p->value);
	size_t from = yw_offset(t->data, t->len, k->start_mark), to = subtree_end(&cp, t, v);
	if (m->data.mapping.style == YAML_FLOW_MAPPING_STYLE) {
		if (p + 1 < top)
			to = yw_offset(t->data, t->len,
				       yaml_document_get_node(&cp.doc, p[1].key)->start_mark);
		else if (p > first)
			from = subtree_end(&cp, t, yaml_document_get_node(&cp.doc, p[-1].value));
	} else {
		size_t line = from;
		while (line > 0 && t->data[line - 1] != '\n' && t->data[line - 1] != '\r')
			line--;
		for (size_t i = line; i < from; i++) {
			if (t->data[i] != ' ') {
				path_text(path, n, where, sizeof where);
				snprintf(err, errlen, "%s shares line %u with what comes before it: edit "
					 "the file itself", where, yw_line(k));
				goto out;
			}
		}
		if (top - first == 1) {
			path_text(path, n, where, sizeof where);
			snprintf(err, errlen, "%s is the only key of its mapping: remove the mapping",
				 where);
			goto out;
		}
		from = line;
		while (to < t->len && t->data[to] != '\n' && t->data[to] != '\r')
			to++;
		if (to < t->len)
			to += t->data[to] == '\r' && to + 1 < t->len && t->data[to + 1] == '\n' ? 2 : 1;
	}
	rc = splice(t, from, to, "", 0);
	if (rc != 0)
		snprintf(err, errlen, "out of memory");
out:
	composed_free(&cp);
	return rc;
}
