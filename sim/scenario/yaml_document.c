/* Composing a scenario file into a libyaml document, and saying where and
 * why it is not YAML.
 *
 * libyaml reports a syntax error with the mark (line and column from 0)
 * where it stopped, its own words for the problem, and for some errors a
 * context: the mark where the construct it was reading began (an unclosed
 * bracket or quote). Messages keep libyaml's words and add the context's
 * position. Three of its habits are smoothed over: encoding errors come
 * with a byte offset instead of a mark, a bad UTF-8 continuation byte is
 * reported at itself instead of at its character, and the end of the input
 * is placed on a line after the last one.
 *
 * Cost: linear in the input, in a first pass over the events that bounds
 * nesting and anchors (see check_limits) and a second that composes.
 */
#include "scenario_internal.h"

#include <string.h>

/* Bytes of the line break at data[i]: libyaml counts CR LF, LF and a lone
 * CR as one break each. */
static size_t break_len(const char *data, size_t len, size_t i)
{
	if (data[i] == '\n')
		return 1;
	if (data[i] == '\r')
		return i + 1 < len && data[i + 1] == '\n' ? 2 : 1;
	return 0;
}

static int is_continuation(char b)
{
	return ((unsigned char)b & 0xc0) == 0x80;
}

void yw_position(const char *data, size_t len, size_t offset, unsigned *line,
		 unsigned *column)
{
	unsigned l = 1, c = 1;
	for (size_t i = 0; i < offset && i < len;) {
		size_t br = break_len(data, len, i);
		if (br) {
			l++;
			c = 1;
			i += br;
			continue;
		}
		if (!is_continuation(data[i]))
			c++;
		i++;
	}
	*line = l;
	*column = c;
}

size_t yw_offset(const char *data, size_t len, yaml_mark_t mark)
{
	size_t i = 0, line = 0, col = 0;
	while (i < len && line < mark.line) {
		size_t br = break_len(data, len, i);
		line += br != 0;
		i += br ? br : 1;
	}
	for (; i < len && col < mark.column && !break_len(data, len, i); col++)
		for (i++; i < len && is_continuation(data[i]); i++)
			;
	return i;
}

/* The byte at a libyaml mark (line and column from 0, in characters). */
static int byte_at_mark(const char *data, size_t len, yaml_mark_t mark)
{
	size_t i = yw_offset(data, len, mark);
	return i < len ? (unsigned char)data[i] : -1;
}

static void syntax_error(const yaml_parser_t *parser, const char *data,
			 size_t len, struct scn_error *err)
{
	const char *problem = parser->problem ? parser->problem : "cannot parse";
	unsigned line, column;

	if (parser->error == YAML_READER_ERROR) {
		size_t at = parser->problem_offset;
		/* libyaml gives a bad trailing octet's own offset; the user's
		 * character starts at the leading octet before it. */
		if (strcmp(problem, "invalid trailing UTF-8 octet") == 0) {
			while (at > 0 && at <= len && is_continuation(data[at - 1]))
				at--;
			if (at > 0 && at <= len && ((unsigned char)data[at - 1] & 0xc0) == 0xc0)
				at--;
		}
		yw_position(data, len, at, &line, &column);
		scn_err_set(err, line, column, "invalid YAML: %s%s", problem,
			    strstr(problem, "UTF-8") ? "; the file must be UTF-8 text" : "");
		return;
	}
	if (parser->error == YAML_MEMORY_ERROR) {
		scn_err_set(err, 0, 0, "out of memory while reading the YAML");
		return;
	}
	line = (unsigned)parser->problem_mark.line + 1;
	column = (unsigned)parser->problem_mark.column + 1;
	/* At the end of the input libyaml moves to the start of a line that
	 * is not in the file; an editor cannot go there. Say the end of the
	 * last line instead. */
	unsigned end_line, end_column;
	size_t text_len = len;
	if (text_len && data[text_len - 1] == '\n')
		text_len--;
	if (text_len && data[text_len - 1] == '\r')
		text_len--;
	yw_position(data, len, text_len, &end_line, &end_column);
	if (line > end_line || (line == end_line && column > end_column)) {
		line = end_line;
		column = end_column;
	}
	/* libyaml names a tab in two different ways depending on where it
	 * is; users need to hear the same thing both times. */
	if (byte_at_mark(data, len, parser->problem_mark) == '\t') {
		scn_err_set(err, line, column,
			    "invalid YAML: tab character; YAML indents with spaces only");
		return;
	}
	/* The context tells where an unclosed bracket or quote was opened. */
	if (parser->context && (parser->context_mark.line != parser->problem_mark.line ||
				parser->context_mark.column != parser->problem_mark.column))
		scn_err_set(err, line, column, "invalid YAML: %s (%s started at line %u, column %u)",
			    problem, parser->context, (unsigned)parser->context_mark.line + 1,
			    (unsigned)parser->context_mark.column + 1);
	else
		scn_err_set(err, line, column, "invalid YAML: %s", problem);
}

/* libyaml 0.2.5 spends time proportional to the flow nesting depth on
 * every token, and its document loader compares each anchor and alias with
 * every anchor before it: a hostile 4 MiB file of nested brackets or of
 * anchors keeps it busy for minutes. A scenario needs a few levels and a
 * handful of anchors, so a first pass over the events (linear once the
 * depth is bounded) refuses more before the document is composed. It
 * also caps the number of values, which bounds the document's memory. Syntax
 * errors are left to the composing pass, which reports them the same way. */
#define MAX_NESTING 32
#define MAX_ANCHORS 1000 /* anchors and aliases together */
/* Values of any kind. The document costs about a hundred bytes a node, so
 * this also bounds the memory a 4 MiB file can take to some 10 MB, where
 * two million one-byte scalars would take hundreds. */
#define MAX_NODES 100000

static int check_limits(const char *data, size_t len, struct scn_error *err)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	unsigned depth = 0, anchors = 0, nodes = 0;
	int rc = 0, done = 0;

	if (!yaml_parser_initialize(&parser))
		return 0; /* the composing pass reports the lack of memory */
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	while (!done && rc == 0 && yaml_parser_parse(&parser, &ev)) {
		const unsigned char *anchor = NULL;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			anchor = ev.type == YAML_SEQUENCE_START_EVENT
					 ? ev.data.sequence_start.anchor
					 : ev.data.mapping_start.anchor;
			if (++depth > MAX_NESTING) {
				scn_err_set(err, (unsigned)ev.start_mark.line + 1,
					    (unsigned)ev.start_mark.column + 1,
					    "nested more than %u levels deep; a scenario "
					    "needs a few", MAX_NESTING);
				rc = -1;
			}
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		case YAML_SCALAR_EVENT:
			anchor = ev.data.scalar.anchor;
			break;
		case YAML_ALIAS_EVENT:
			anchor = ev.data.alias.anchor;
			break;
		default:
			break;
		}
		int is_node = ev.type == YAML_SCALAR_EVENT || ev.type == YAML_ALIAS_EVENT ||
			      ev.type == YAML_SEQUENCE_START_EVENT ||
			      ev.type == YAML_MAPPING_START_EVENT;
		if (rc == 0 && is_node && ++nodes > MAX_NODES) {
			scn_err_set(err, (unsigned)ev.start_mark.line + 1,
				    (unsigned)ev.start_mark.column + 1,
				    "more than %u values; a scenario needs a few hundred",
				    MAX_NODES);
			rc = -1;
		}
		if (rc == 0 && anchor && ++anchors > MAX_ANCHORS) {
			scn_err_set(err, (unsigned)ev.start_mark.line + 1,
				    (unsigned)ev.start_mark.column + 1,
				    "more than %u anchors and aliases; a scenario "
				    "needs a few", MAX_ANCHORS);
			rc = -1;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return rc;
}

int yw_load_document(const char *data, size_t len, yaml_document_t *doc,
			 struct scn_error *err)
{
	yaml_parser_t parser;
	yaml_document_t extra;
	int rc = -1;

	if (!yaml_parser_initialize(&parser)) {
		scn_err_set(err, 0, 0, "out of memory while reading the YAML");
		return -1;
	}
	if (check_limits(data, len, err) < 0) {
		yaml_parser_delete(&parser);
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
	if (!yaml_parser_load(&parser, doc)) {
		syntax_error(&parser, data, len, err);
		goto out;
	}
	/* libcyaml reads the first document only; a second one would be
	 * ignored without a word, and its syntax never checked. Empty
	 * documents (a stray "---" at the end) do no harm. */
	for (;;) {
		if (!yaml_parser_load(&parser, &extra)) {
			syntax_error(&parser, data, len, err);
			yaml_document_delete(doc);
			goto out;
		}
		yaml_node_t *next = yaml_document_get_root_node(&extra);
		if (!next)
			break;
		if (!yw_is_null(next)) {
			scn_err_set(err, yw_line(next), yw_column(next),
				    "a second YAML document; a scenario file holds one");
			yaml_document_delete(&extra);
			yaml_document_delete(doc);
			goto out;
		}
		yaml_document_delete(&extra);
	}
	yaml_document_delete(&extra);
	rc = 0;
out:
	yaml_parser_delete(&parser);
	return rc;
}
