/* Names and lines as terminal chats treat them (see chatview.h). */
#include "ui/chatview.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

unsigned chatview_colour(const char *name)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ lower(*p)) * 16777619u;
	return h % CHATVIEW_PALETTE;
}

static bool match_at(const char *s, const char *needle, size_t nlen)
{
	for (size_t i = 0; i < nlen; i++)
		if (lower((unsigned char)s[i]) != lower((unsigned char)needle[i]))
			return false;
	return true;
}

/* A letter, digit or any byte of a non-ASCII character: part of a word. */
static bool word_byte(unsigned char c)
{
	return (c >= '0' && c <= '9') || (lower(c) >= 'a' && lower(c) <= 'z') || c == '_' ||
	       c >= 0x80;
}

bool chatview_mentions(const char *text, size_t len, const char *name)
{
	size_t nl = strlen(name);
	if (!nl || nl > len)
		return false;
	for (size_t i = 0; i + nl <= len; i++) {
		if (!match_at(text + i, name, nl))
			continue;
		bool before = i == 0 || !word_byte((unsigned char)text[i - 1]) ||
			      !word_byte((unsigned char)name[0]);
		bool after = i + nl == len || !word_byte((unsigned char)text[i + nl]) ||
			     !word_byte((unsigned char)name[nl - 1]);
		if (before && after)
			return true;
	}
	return false;
}

bool chatview_contains(const char *text, size_t len, const char *needle, size_t nlen)
{
	for (size_t i = 0; i + nlen <= len; i++)
		if (match_at(text + i, needle, nlen))
			return true;
	return false;
}

void chatview_suffix(uint64_t id, const uint64_t *others, size_t n,
		     char out[CHATVIEW_SUFFIX_MAX])
{
	bool clash = false;
	for (size_t i = 0; i < n; i++)
		clash |= (others[i] & 0xfff) == (id & 0xfff) && others[i] != id;
	if (clash)
		snprintf(out, CHATVIEW_SUFFIX_MAX, "#%016" PRIx64, id);
	else
		snprintf(out, CHATVIEW_SUFFIX_MAX, "#%03" PRIx64, id & 0xfff);
}
