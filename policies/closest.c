// SPDX-License-Identifier: GPL-2.0-only
/* "did you mean": the closest known word by case-insensitive edit distance. */
#include <ctype.h>
#include <string.h>

#include "policies/policy_int.h"

#define CLOSEST_LEN_MAX 32 /* longer words get no suggestion (bounds the work) */

static unsigned int min3(unsigned int a, unsigned int b, unsigned int c)
{
	unsigned int m = a < b ? a : b;

	return m < c ? m : c;
}

/* Optimal string alignment distance (Levenshtein plus adjacent swaps). */
static unsigned int distance(const char *a, size_t n, const char *b, size_t m)
{
	unsigned int d[CLOSEST_LEN_MAX + 1][CLOSEST_LEN_MAX + 1];

	for (size_t i = 0; i <= n; i++)
		d[i][0] = (unsigned int)i;
	for (size_t j = 0; j <= m; j++)
		d[0][j] = (unsigned int)j;
	for (size_t i = 1; i <= n; i++) {
		for (size_t j = 1; j <= m; j++) {
			int ca = tolower((unsigned char)a[i - 1]);
			int cb = tolower((unsigned char)b[j - 1]);
			unsigned int cost = ca != cb;

			d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < d[i][j])
				d[i][j] = d[i - 2][j - 2] + 1;
		}
	}
	return d[n][m];
}

const char *pal_closest(const char *word, size_t len, const char *const *cands, size_t n)
{
	const char *best = NULL;
	unsigned int best_d = ~0u;

	if (!len || len > CLOSEST_LEN_MAX)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t m = strlen(cands[i]);
		size_t longer = m > len ? m : len;
		unsigned int limit = longer <= 4 ? 1 : 2;
		unsigned int d;

		if (m > CLOSEST_LEN_MAX)
			continue;
		d = distance(word, len, cands[i], m);
		if (d <= limit && d < best_d) {
			best = cands[i];
			best_d = d;
		}
	}
	return best;
}
