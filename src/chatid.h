/* Chat identity: the evidence that a TextRoom user is a given AudioBridge participant.
 *
 * What Janus lets nobody forge, and what it does not (read from Janus 1.1.2's
 * janus_textroom.c and janus_audiobridge.c):
 * - A TextRoom username is chosen by the client, but it is unique in the room while someone
 *   holds it, and the "from" of every message is set by Janus to the sender's username. So
 *   "this line was sent by whoever holds username U" is true.
 * - Nothing links a TextRoom user to an AudioBridge participant: the two are separate handles,
 *   and the AudioBridge id inside our username ("ttm-<16 hex id>-<display>") is just text that
 *   anyone can write (AudioBridge ids can even be requested in the join). Whoever joins the
 *   chat first under "ttm-<bob's id>-bob" would speak as bob, and bob's join would fail.
 * - An AudioBridge participant's display name can be set (join, configure) only by the client
 *   holding that participant, and every participant sees it.
 * So the evidence is a claim in the AudioBridge display: after our TextRoom join succeeds, the
 * session sets its AudioBridge display to our name followed by the claim, H(username) (BLAKE2b,
 * 128 bits, in hex), written in Unicode tag characters (U+E0020-U+E007E mirror ASCII; every
 * client shows them as nothing, and src/text.c strips them from names). Another ttymeet
 * merges a chat user U into the call participant E only if E's display claims H(U) AND U names
 * E's id. A second participant cannot forge this: it cannot set E's display; copying E's claim
 * into its own display fails the id check (its id differs, and Janus refuses a second
 * participant with E's id while E is there); and a username it holds is never claimed by E,
 * because E claims only the username E itself holds (whoever takes "ttm-<id>-bob" first just
 * makes bob join under another username and claim that one). What is not claimed shows as its
 * own chat-only identity. Left open (see src/roster.h): a claim whose user left the chat can be
 * taken by someone who joins the chat under that username before the owner clears the claim;
 * a roster that saw the user leave never re-uses the claim, one that joins in that moment may.
 * Pure functions, any thread.
 */
#ifndef TTM_SRC_CHATID_H
#define TTM_SRC_CHATID_H

#include <stdbool.h>
#include <stddef.h>

#define CHATID_HEX 32 /* a claim: 16 bytes of BLAKE2b in lowercase hex */

/* The claim for a TextRoom username (raw, as Janus has it): out gets CHATID_HEX hex digits
 * and a NUL. */
void chatid_claim(const char *username, char out[CHATID_HEX + 1]);
/* Writes display followed by the claim in tag characters to out (NUL-terminated). -ENOSPC
 * if it does not fit (display + 37 characters of 4 bytes). */
int chatid_display(const char *display, const char *claim, char *out, size_t outlen);
/* Reads the claim from a raw (unsanitized) AudioBridge display: true and out filled when the
 * display carries exactly one well-formed claim, else false and out = "". */
bool chatid_parse(const char *display, size_t len, char out[CHATID_HEX + 1]);

#endif
