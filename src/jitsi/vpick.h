/* Which of the videos a Jitsi bridge forwards the preview shows (issue 15): the answer to
 * src/vrecv.h's prefer_cb, from what the bridge session's sources and its channel say.
 *
 * Data flow: src/jitsi/call.c feeds the bridge session's video sources (source-add /
 * source-remove and the session-initiate: SSRC, owner, source name; jvpick_source) and the
 * bridge channel's word on what it forwards now (src/jitsi/colibri.h's cbs->forwarded:
 * ForwardedSources by source name, 2022+, or LastNEndpointsChangeEvent by endpoint id, 2021;
 * jvpick_forwarded), and asks, for each packet of a stream other than the one shown,
 * jvpick_prefer; vrecv switches when it says so.
 *
 * The rule (highest first): the stream of whom the user picked (/video NAME) if the bridge
 * forwards them, else of the bridge's dominant speaker if it forwards them, else of the first
 * person it lists that we know (the target); then any other stream; last, a stream the bridge
 * says it no longer forwards. So when the bridge stops forwarding the shown stream, the next
 * packet of a forwarded one switches the preview at once instead of after vrecv's 1 s of
 * silence. Before the bridge has said anything (no channel: a bridge without colibri-ws, or
 * it is closed), the target is the picked person, else the dominant speaker, and no stream
 * ranks last: vrecv's 1 s rule is the fallback. Of two streams of one person in the same rank, the
 * one whose source was added later is preferred: a sender whose video SSRC changes is
 * followed at once (also a browser's, whose source-add carries RTX and simulcast SSRCs too),
 * and two streams of one person (camera and screen share, both forwarded) cannot take turns.
 *
 * Source names: a source's own name from the session ("<endpoint>-v0" as Jitsi's clients name
 * them), else "<owner>-v0" (colibri.h's default). Everything from the focus and the bridge is
 * untrusted: at most JVPICK_MAX_SOURCES sources (more are not ranked), ids the bridge names
 * that match no source are ignored, a list of JCOLIBRI_LIST_MAX ids (it may have been cut) is
 * taken as saying nothing. Thread: the loop's (no callbacks).
 */
#ifndef TTM_SRC_JITSI_VPICK_H
#define TTM_SRC_JITSI_VPICK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JVPICK_MAX_SOURCES 512

struct jvpick;

/* 0 and a picker that knows nothing yet, or -ENOMEM. */
int jvpick_create(struct jvpick **out);
/* NULL is fine. */
void jvpick_destroy(struct jvpick *p);
/* A video source of the bridge session came (added) or went. owner: its occupant name (NULL
 * or "": not known; such a source is not ranked by person); name: its source name (NULL or "":
 * none). Owners and names that are not ids (colibri.h's jcolibri_id_ok) are taken as none. */
void jvpick_source(struct jvpick *p, uint32_t ssrc, const char *owner, const char *name,
		   bool added);
/* The occupant owner left the room: their sources are forgotten. */
void jvpick_owner_left(struct jvpick *p, const char *owner);
/* What the bridge forwards to us now (colibri.h's cbs->forwarded): source names (by_source)
 * or endpoint ids; replaces what it said before. */
void jvpick_forwarded(struct jvpick *p, const char *const *ids, size_t n, bool by_source);
/* What the bridge forwards is no longer known (its channel closed). */
void jvpick_unknown(struct jvpick *p);
/* Forgets everything (the bridge session ended). */
void jvpick_reset(struct jvpick *p);
/* The rank of video stream ssrc (see above): 0 the bridge no longer forwards it, 1 any other,
 * 2 the target. picked and dominant are occupant names, NULL or "" for nobody. */
int jvpick_rank(struct jvpick *p, uint32_t ssrc, const char *picked, const char *dominant);
/* src/vrecv.h's prefer_cb: true to show stream ssrc instead of stream shown: it ranks higher,
 * or as high and is the same person's source added later. A strict order. */
bool jvpick_prefer(struct jvpick *p, uint32_t ssrc, uint32_t shown, const char *picked,
		   const char *dominant);

#endif
