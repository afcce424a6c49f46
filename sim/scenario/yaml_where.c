/* Positions and navigation in a libyaml document (yaml_document_t).
 *
 * The loader keeps the document that libyaml composed from the scenario
 * file as the index of positions: every node carries the mark (line and
 * column from 0, counted in characters) where it starts, which for a key
 * or a scalar value is its first character, quote included.
 *
 * Lookups scan the pairs of one mapping or the items of one sequence:
 * O(size of that collection); the loader does a bounded number of them per
 * key of the scenario, so no index is built.
 */
#include "scenario_internal.h"

#include <stdio.h>
#include <string.h>

unsigned yw_line(const yaml_node_t *node)
{
	return (unsigned)node->start_mark.line + 1;
}

unsigned yw_column(const yaml_node_t *node)
{
	return (unsigned)node->start_mark.column + 1;
}

int yw_scalar_is(const yaml_node_t *node, const char *text, size_t len)
{
	return node && node->type == YAML_SCALAR_NODE &&
	       node->data.scalar.length == len &&
	       memcmp(node->data.scalar.value, text, len) == 0;
}

/* The nth pair whose key is text: index into map's pairs, or -1. */
static long find_pair(yaml_document_t *doc, yaml_node_t *map, const char *key,
		      size_t len, unsigned nth)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return -1;
	yaml_node_pair_t *start = map->data.mapping.pairs.start;
	yaml_node_pair_t *top = map->data.mapping.pairs.top;
	for (yaml_node_pair_t *p = start; p < top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		if (yw_scalar_is(k, key, len) && nth-- == 0)
			return (long)(p - start);
	}
	return -1;
}

yaml_node_t *yw_map_key(yaml_document_t *doc, yaml_node_t *map,
			const char *key, size_t len, unsigned nth)
{
	long i = find_pair(doc, map, key, len, nth);
	return i < 0 ? NULL
		     : yaml_document_get_node(doc, map->data.mapping.pairs.start[i].key);
}

yaml_node_t *yw_map_value(yaml_document_t *doc, yaml_node_t *map,
			  const char *key, size_t len, unsigned nth)
{
	long i = find_pair(doc, map, key, len, nth);
	return i < 0 ? NULL
		     : yaml_document_get_node(doc, map->data.mapping.pairs.start[i].value);
}

yaml_node_t *yw_seq_item(yaml_document_t *doc, yaml_node_t *seq, size_t index)
{
	if (!seq || seq->type != YAML_SEQUENCE_NODE)
		return NULL;
	yaml_node_item_t *start = seq->data.sequence.items.start;
	if (index >= (size_t)(seq->data.sequence.items.top - start))
		return NULL;
	return yaml_document_get_node(doc, start[index]);
}

int yw_is_null(const yaml_node_t *node)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
	if (!node || node->type != YAML_SCALAR_NODE ||
	    node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++)
		if (yw_scalar_is(node, nulls[i], strlen(nulls[i])))
			return 1;
	return 0;
}

const char *yw_node_kind(const yaml_node_t *node)
{
	if (!node)
		return "nothing";
	switch (node->type) {
	case YAML_SEQUENCE_NODE:
		return "a sequence";
	case YAML_MAPPING_NODE:
		return "a mapping";
	case YAML_SCALAR_NODE:
		return yw_is_null(node) ? "nothing" : "a single value";
	default:
		return "nothing";
	}
}

/* Values are quoted back to the user as written, but a message is one line
 * of a terminal: control bytes are escaped and long values shortened. */
#define QUOTE_SHOWN_MAX 40u

const char *yw_quote(char *buf, size_t n, const char *text, size_t len)
{
	size_t used = 0;
	if (n < 8) {
		if (n)
			buf[0] = '\0';
		return buf;
	}
	buf[used++] = '\'';
	size_t shown = len > QUOTE_SHOWN_MAX ? QUOTE_SHOWN_MAX - 3 : len;
	/* Cut between characters, not inside a UTF-8 sequence. */
	while (shown < len && shown > 0 && ((unsigned char)text[shown] & 0xc0) == 0x80)
		shown--;
	int cut = shown < len;
	for (size_t i = 0; i < shown; i++) {
		unsigned char c = (unsigned char)text[i];
		/* Room for "\xNN", "...", the closing quote and the NUL. */
		if (used + 4 + 3 + 1 + 1 > n) {
			cut = 1;
			break;
		}
		if (c < 0x20 || c == 0x7f)
			used += (size_t)snprintf(buf + used, n - used, "\\x%02x", c);
		else
			buf[used++] = (char)c;
	}
	if (cut) {
		memcpy(buf + used, "...", 3);
		used += 3;
	}
	buf[used++] = '\'';
	buf[used] = '\0';
	return buf;
}
