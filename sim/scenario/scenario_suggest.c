/* "Did you mean": the candidate nearest to a mistyped word by Levenshtein
 * distance (insertions, deletions, substitutions), when it is at most
 * SCN_SUGGEST_MAX edits away. Ties go to the candidate offered first, so
 * the order of the schema or registry decides, and messages are stable.
 *
 * Cost: O(|word| * |candidate|) per candidate with two rows of the dynamic
 * programming table on the stack. Words longer than SUGGEST_LEN_MAX are not
 * compared at all: the candidates are short keys and names, and a word that
 * long is more than two edits from any of them anyway.
 */
#include "scenario_internal.h"

#include <string.h>

#define SUGGEST_LEN_MAX 64u

static size_t edit_distance(const char *a, size_t la, const char *b, size_t lb)
{
	size_t prev[SUGGEST_LEN_MAX + 1], cur[SUGGEST_LEN_MAX + 1];
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1;
			size_t ins = cur[j - 1] + 1;
			size_t best = sub < del ? sub : del;
			cur[j] = best < ins ? best : ins;
		}
		memcpy(prev, cur, (lb + 1) * sizeof prev[0]);
	}
	return prev[lb];
}

void scn_suggest_init(struct scn_suggest *s, const char *word, size_t len)
{
	s->word = word;
	s->word_len = len;
	s->best = NULL;
	s->best_dist = SCN_SUGGEST_MAX + 1;
}

void scn_suggest_consider(struct scn_suggest *s, const char *candidate)
{
	size_t lc = strlen(candidate);
	size_t lw = s->word_len;
	size_t gap = lc > lw ? lc - lw : lw - lc;
	if (gap > SCN_SUGGEST_MAX || lc > SUGGEST_LEN_MAX || lw > SUGGEST_LEN_MAX)
		return;
	size_t d = edit_distance(s->word, lw, candidate, lc);
	/* A word of one or two letters is within two edits of every short
	 * candidate; only suggest when fewer edits than letters are needed. */
	if (d < s->best_dist && d < lw && d < lc) {
		s->best = candidate;
		s->best_dist = d;
	}
}
