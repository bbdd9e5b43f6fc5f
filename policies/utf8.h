/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * UTF-8 validation: the one copy user space uses (rule paths, diagnostics,
 * metrics labels). Header-only, so any component can use it without
 * linking the policy library.
 */
#ifndef PALISADE_POLICIES_UTF8_H
#define PALISADE_POLICIES_UTF8_H

#include <stddef.h>

/*
 * Length of the valid UTF-8 sequence at s (left >= 1 bytes there): 1 for
 * any ASCII byte, 2 to 4 for a well-formed sequence (no overlong form, no
 * surrogate, nothing past U+10FFFF), 0 if the bytes are not UTF-8.
 */
static inline size_t pal_utf8_len(const unsigned char *s, size_t left)
{
	size_t n;

	if (s[0] < 0x80)
		return 1;
	n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
	if (s[0] < 0xc2 || s[0] > 0xf4 || left < n)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f))
		return 0; /* overlong, surrogates */
	if ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0; /* overlong, over U+10FFFF */
	return n;
}

/* As pal_utf8_len, but 0 for a control character (C0, DEL, C1) too. */
static inline size_t pal_utf8_char(const unsigned char *s, size_t left)
{
	if (s[0] < 0x20 || s[0] == 0x7f)
		return 0;
	if (s[0] == 0xc2 && left > 1 && s[1] < 0xa0)
		return 0; /* U+0080..U+009F */
	return pal_utf8_len(s, left);
}

#endif /* PALISADE_POLICIES_UTF8_H */
