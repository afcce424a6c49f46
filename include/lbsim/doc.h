/* A review document written twice at once: Markdown (report.md) and one
 * self-contained HTML file (report.html).
 *
 * The writers of `lbsim report` describe a document once, as headings,
 * paragraphs, lists, tables and pictures, and this module renders each
 * piece to both files as it comes, so the two never disagree. All text
 * handed in is plain text: the renderer escapes every piece of it for its
 * target (escape_md, escape_html: include/lbsim/escape.h), so a name from
 * a scenario shows as typed and never becomes markup. Bold is the one
 * emphasis, as a "lead" before a paragraph, list item or cell.
 *
 * The HTML needs nothing outside itself: its style is inline, and each
 * picture is the plot's SVG carried as a data: URI in an <img>. An SVG
 * shown as an image never runs scripts or loads anything, and the page's
 * Content-Security-Policy allows no source but data: images and its own
 * style, so opening it makes no network request.
 *
 * Numbers: doc_format writes a figure in the unit a reader uses (GB, MB
 * or kB for bytes, % for fractions, ms or s for times, thousands
 * separators for counts) with its 95 % interval in brackets, both at the
 * same scale.
 */
#ifndef LBSIM_DOC_H
#define LBSIM_DOC_H

#include <stddef.h>
#include <stdio.h>

struct doc {
	FILE *md, *html;             /* either may be NULL */
	const char *dir;             /* where pictures are read from */
	unsigned ncols, col;         /* the table being written */
	int list;                    /* 0: none; 1: bullets; 2: numbered */
	unsigned item;
};

/* Open the document: a title (h1) and, for HTML, the head and style. */
void doc_begin(struct doc *d, const char *title);
/* Close it (HTML: the body and the page). */
void doc_end(struct doc *d);

void doc_heading(struct doc *d, int level, const char *text);
void doc_para(struct doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A paragraph that opens with lead in bold. */
void doc_para_lead(struct doc *d, const char *lead, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void doc_list_begin(struct doc *d, int numbered);
void doc_item(struct doc *d, const char *lead, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void doc_list_end(struct doc *d);

/* A table of ncols columns with its header row. */
void doc_table_begin(struct doc *d, unsigned ncols, const char *const *header);
/* A cell of text; doc_cell_num aligns it as a number (HTML). */
void doc_cell(struct doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void doc_cell_num(struct doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void doc_cell_lead(struct doc *d, const char *lead, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void doc_row_end(struct doc *d);
void doc_table_end(struct doc *d);

/* A picture of the results folder, name without extension: Markdown links
 * name.png, HTML carries name.svg (or name.png) inside. Returns 0, or -1
 * (nothing written) when the folder has no such picture. */
int doc_picture(struct doc *d, const char *name, const char *caption);

/* A figure as text: mean, then (lo–hi) when the interval is known and has
 * a width at the precision shown; "–" without a value. unit is the
 * summary catalogue's (bytes, fraction, ms, s, cores, ratio, index,
 * p-value, requests, ...). Returns buf. */
const char *doc_format(char *buf, size_t len, const char *unit, double mean, double lo,
		       double hi);

#endif
