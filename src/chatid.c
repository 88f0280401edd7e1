/* Chat identity evidence (see chatid.h): the claim is "ttm1:" and CHATID_HEX hex digits,
 * each character written as its tag character (U+E0000 + ASCII), closed by CANCEL TAG. */
#include "src/chatid.h"

#include <errno.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "src/text.h"

#define PREFIX "ttm1:"
#define TAG_BASE 0xE0000u
#define TAG_CANCEL 0xE007Fu

void chatid_claim(const char *username, char out[CHATID_HEX + 1])
{
	unsigned char h[CHATID_HEX / 2];
	crypto_generichash(h, sizeof(h), (const unsigned char *)username, strlen(username),
			   NULL, 0);
	for (size_t i = 0; i < sizeof(h); i++)
		snprintf(out + 2 * i, 3, "%02x", h[i]);
}

int chatid_display(const char *display, const char *claim, char *out, size_t outlen)
{
	char tags[(sizeof(PREFIX) + CHATID_HEX) * 4 + 1];
	size_t n = 0;
	char plain[sizeof(PREFIX) + CHATID_HEX];
	snprintf(plain, sizeof(plain), PREFIX "%s", claim);
	for (const char *p = plain; *p; p++)
		n += text_utf8_encode(TAG_BASE + (unsigned char)*p, tags + n);
	n += text_utf8_encode(TAG_CANCEL, tags + n);
	tags[n] = '\0';
	int w = snprintf(out, outlen, "%s%s", display, tags);
	return w < 0 || (size_t)w >= outlen ? -ENOSPC : 0;
}

bool chatid_parse(const char *display, size_t len, char out[CHATID_HEX + 1])
{
	char seen[sizeof(PREFIX) + CHATID_HEX + 1];
	size_t n = 0, i = 0;
	bool closed = false, bad = false;

	out[0] = '\0';
	while (i < len) {
		uint32_t cp;
		i += text_utf8_decode(display + i, len - i, &cp);
		if (cp < TAG_BASE || cp > TAG_CANCEL)
			continue;
		if (closed || cp == TAG_BASE) { /* a second tag run, or the unused U+E0000 */
			bad = true;
			break;
		}
		if (cp == TAG_CANCEL) {
			closed = true;
			continue;
		}
		if (n + 1 >= sizeof(seen)) {
			bad = true;
			break;
		}
		seen[n++] = (char)(cp - TAG_BASE);
	}
	seen[n] = '\0';
	if (bad || !closed || n != strlen(PREFIX) + CHATID_HEX || strncmp(seen, PREFIX,
									   strlen(PREFIX)))
		return false;
	for (size_t k = strlen(PREFIX); k < n; k++)
		if (!((seen[k] >= '0' && seen[k] <= '9') || (seen[k] >= 'a' && seen[k] <= 'f')))
			return false;
	memcpy(out, seen + strlen(PREFIX), CHATID_HEX + 1);
	return true;
}
