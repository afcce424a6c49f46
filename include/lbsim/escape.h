/* Names are data: escaping text for each place lbsim writes it.
 *
 * Scenario names (designs, populations, the scenario's own) and anything
 * read back from a results folder may hold any text. Wherever such text
 * lands in a document that something else interprets, it goes through
 * one of these, never raw:
 *   - CSV (escape_csv_guard): a spreadsheet runs a cell that starts with
 *     = + - @ (or a tab or carriage return before one) as a formula
 *     (OWASP "CSV injection"); such a text cell gets a leading ' which
 *     spreadsheets show as text. escape_csv_unguard undoes it when lbsim
 *     reads its own files back (csv_in does, for every field), so the
 *     pair is exact: a text that starts with ' followed by one of those
 *     characters, or by a second ', is guarded too. Quoting of commas,
 *     quotes and line breaks stays libcsv's job (csv_out). Numbers are
 *     never guarded (a negative mean stays a number).
 *   - Markdown (escape_md): every character that could start emphasis,
 *     code, a link or an image, a table cell, raw HTML or an entity is
 *     escaped, so `![x](http://…)`, `<script>` or `a|b` are shown as
 *     typed; line breaks become spaces (a table row stays one line).
 *   - HTML and XML text or attribute values (escape_html): & < > " ' as
 *     entities; control characters, which XML 1.0 forbids, and bytes
 *     that are not UTF-8 become U+FFFD. Safe inside any quoted attribute
 *     and any element except <script> and <style>, where names never go.
 *   - JSON string contents (escape_json): " and \ escaped, control
 *     characters as \u00XX, bytes that are not UTF-8 as U+FFFD (JSON is
 *     UTF-8); the caller writes the surrounding quotes.
 *
 * Each writes to a FILE (returning -1 on a write error) or into a buffer
 * (returning the length the whole result needs, like snprintf; the
 * buffer holds as much as fits, always terminated when len > 0).
 */
#ifndef LBSIM_ESCAPE_H
#define LBSIM_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/* 1 when text s must be written as "'" + s in a CSV cell. */
int escape_csv_guard(const char *s);
/* Bytes to drop from the front of a CSV field of length len as read
 * back (0 or 1): the guard escape_csv_guard asked for. */
size_t escape_csv_unguard(const char *s, size_t len);

int escape_md(FILE *fp, const char *s);
size_t escape_md_buf(char *buf, size_t len, const char *s);

int escape_html(FILE *fp, const char *s);
size_t escape_html_buf(char *buf, size_t len, const char *s);

int escape_json(FILE *fp, const char *s);
size_t escape_json_buf(char *buf, size_t len, const char *s);

#endif
