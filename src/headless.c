/* Headless driver: session events → JSON lines. Field names are a contract (DESIGN.md): they may
 * grow, never change. Strings were sanitized by the session; jansson escapes them for JSON. */
#include "src/headless.h"
#include "src/secmem.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *event_name(enum session_event_type t)
{
	switch (t) {
	case SESSION_EV_CONNECTING: return "connecting";
	case SESSION_EV_JOINED: return "joined";
	case SESSION_EV_PARTICIPANT_JOINED: return "participant-joined";
	case SESSION_EV_PARTICIPANT_LEFT: return "participant-left";
	case SESSION_EV_MUTED: return "muted";
	case SESSION_EV_TALKING: return "talking";
	case SESSION_EV_MEDIA: return "media";
	case SESSION_EV_CHAT: return "chat";
	case SESSION_EV_NOTICE: return "notice";
	case SESSION_EV_STATS: return "stats";
	case SESSION_EV_RECONNECTING: return "reconnecting";
	case SESSION_EV_ERROR: return "error";
	case SESSION_EV_LEFT: return "left";
	case SESSION_EV_VIDEO: return "video";
	case SESSION_EV_VIDEO_FRAME: return "video-frame";
	case SESSION_EV_PIN_NEEDED: return "pin-needed"; /* not headless: no ask_pin there */
	case SESSION_EV_GAVE_UP: return "gave-up"; /* not headless: no hold_on_give_up there */
	case SESSION_EV_RENAMED: return "renamed";
	case SESSION_EV_ROLE: return "role";
	case SESSION_EV_WAITING: return "waiting";
	case SESSION_EV_SPEAKER: return "speaker";
	}
	return "unknown";
}

/* One line, written with write(2) straight from json_dumps' text, which lies in the locked
 * pool (src/secmem.h) and is overwritten when freed: a chat event's text never passes through
 * stdio's buffer, which holds no chat. Whatever out had buffered goes first. */
static int print_line(FILE *out, json_t *o)
{
	char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	int rc = 0;
	json_decref(o);
	if (!text)
		return -ENOMEM;
	size_t len = strlen(text);
	text[len] = '\n'; /* the NUL becomes the newline; len + 1 bytes are written */
	int fd = fileno(out);
	if (fflush(out) == EOF)
		rc = -EIO;
	else if (fd < 0 && (fwrite(text, 1, len + 1, out) != len + 1 || fflush(out) == EOF))
		rc = -EIO; /* not a file descriptor (a memory stream): stdio it is */
	for (size_t off = 0; rc == 0 && fd >= 0 && off < len + 1;) {
		ssize_t n = write(fd, text + off, len + 1 - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			rc = -EIO;
		else
			off += (size_t)n;
	}
	secmem_json_free(text); /* locked pool memory, overwritten as it is freed */
	return rc;
}

int headless_print_summary(FILE *out, const char *who, double t, json_t *summary)
{
	json_t *o = json_object();
	if (!o)
		return -ENOMEM;
	json_object_set_new(o, "event", json_string("summary"));
	json_object_set_new(o, "t", json_real(round(t * 1000.0) / 1000.0));
	if (who)
		json_object_set_new(o, "who", json_string(who));
	json_object_update(o, summary);
	return print_line(out, o);
}

int headless_print_video_frame(FILE *out, const char *who, const struct session_event *ev,
			       const struct ascii_grid *grid)
{
	size_t need = ascii_grid_text(grid, NULL, 0) + 1;
	char *text = malloc(need);
	json_t *o = json_object();
	if (!o || !text) {
		free(text);
		json_decref(o);
		return -ENOMEM;
	}
	ascii_grid_text(grid, text, need);
	json_object_set_new(o, "event", json_string("video-frame"));
	json_object_set_new(o, "t", json_real(round(ev->t * 1000.0) / 1000.0));
	if (who)
		json_object_set_new(o, "who", json_string(who));
	json_object_set_new(o, "from", json_string(ev->name));
	json_object_set_new(o, "id", json_integer((json_int_t)ev->id));
	json_object_set_new(o, "cols", json_integer(grid->cols));
	json_object_set_new(o, "rows", json_integer(grid->rows));
	json_object_set_new(o, "ascii", json_string(text));
	free(text);
	return print_line(out, o);
}

int headless_print_event(FILE *out, const struct session_event *ev)
{
	return headless_print_event_who(out, NULL, ev);
}

int headless_print_event_who(FILE *out, const char *who, const struct session_event *ev)
{
	json_t *o = json_object();
	if (!o)
		return -ENOMEM;
	json_object_set_new(o, "event", json_string(event_name(ev->type)));
	json_object_set_new(o, "t", json_real(round(ev->t * 1000.0) / 1000.0));
	if (who)
		json_object_set_new(o, "who", json_string(who));
	switch (ev->type) {
	case SESSION_EV_CONNECTING:
		json_object_set_new(o, "url", json_string(ev->url));
		json_object_set_new(o, "room", ev->room_name ? json_string(ev->room_name)
							     : json_integer((json_int_t)ev->room));
		break;
	case SESSION_EV_JOINED:
		json_object_set_new(o, "room", ev->room_name ? json_string(ev->room_name)
							     : json_integer((json_int_t)ev->room));
		json_object_set_new(o, "id", json_integer((json_int_t)ev->id));
		json_object_set_new(o, "name", json_string(ev->name));
		json_object_set_new(o, "muted", json_boolean(ev->on));
		if (ev->kind)
			json_object_set_new(o, "room_type", json_string(ev->kind));
		if (ev->no_audio)
			json_object_set_new(o, "audio", json_false());
		break;
	case SESSION_EV_PARTICIPANT_JOINED:
		json_object_set_new(o, "id", json_integer((json_int_t)ev->id));
		json_object_set_new(o, "name", json_string(ev->name));
		json_object_set_new(o, "muted", json_boolean(ev->on));
		json_object_set_new(o, "audio", json_boolean(!ev->chat_only && !ev->no_audio));
		break;
	case SESSION_EV_PARTICIPANT_LEFT:
		json_object_set_new(o, "id", json_integer((json_int_t)ev->id));
		json_object_set_new(o, "name", json_string(ev->name));
		json_object_set_new(o, "audio", json_boolean(!ev->chat_only));
		if (ev->merged)
			json_object_set_new(o, "merged", json_true());
		break;
	case SESSION_EV_MUTED:
	case SESSION_EV_TALKING:
	case SESSION_EV_SPEAKER:
		json_object_set_new(o, "id", json_integer((json_int_t)ev->id));
		json_object_set_new(o, "name", json_string(ev->name));
		json_object_set_new(o, "on", json_boolean(ev->on));
		json_object_set_new(o, "self", json_boolean(ev->self));
		break;
	case SESSION_EV_MEDIA:
		json_object_set_new(o, "kind", json_string(ev->kind));
		json_object_set_new(o, "state", json_string(ev->state));
		if (ev->message && *ev->message)
			json_object_set_new(o, "message", json_string(ev->message));
		if (!strcmp(ev->state, "connected") && ev->join_ms > 0)
			json_object_set_new(o, "join_ms", json_real(round(ev->join_ms * 10) / 10));
		if (!strcmp(ev->state, "connected") && ev->dtls_ms > 0) {
			json_object_set_new(o, "signaling_ms",
					    json_real(round(ev->signaling_ms * 10) / 10));
			json_object_set_new(o, "ice_ms", json_real(round(ev->ice_ms * 10) / 10));
			json_object_set_new(o, "dtls_ms", json_real(round(ev->dtls_ms * 10) / 10));
		}
		break;
	case SESSION_EV_CHAT:
		json_object_set_new(o, "from", json_string(ev->name));
		if (ev->id)
			json_object_set_new(o, "id", json_integer((json_int_t)ev->id));
		json_object_set_new(o, "chat_only", json_boolean(ev->chat_only));
		json_object_set_new(o, "text", json_string(ev->text));
		json_object_set_new(o, "self", json_boolean(ev->self));
		json_object_set_new(o, "private", json_boolean(ev->private_msg));
		json_object_set_new(o, "history", json_boolean(ev->history));
		if (ev->to)
			json_object_set_new(o, "to", json_string(ev->to));
		break;
	case SESSION_EV_NOTICE:
		json_object_set_new(o, "message", json_string(ev->message));
		break;
	case SESSION_EV_WAITING:
		json_object_set_new(o, "kind", json_string(ev->kind ? ev->kind : ""));
		json_object_set_new(o, "message", json_string(ev->message));
		break;
	case SESSION_EV_STATS: {
		const struct media_stats *st = ev->stats;
		json_object_set_new(o, "rtt_ms", st->rtt_ms < 0 ? json_null() : json_real(round(st->rtt_ms)));
		json_object_set_new(o, "jitter_ms", json_real(round(st->jitter_ms * 10) / 10));
		json_object_set_new(o, "loss_pct", json_real(round(st->loss_pct * 100) / 100));
		json_object_set_new(o, "loss_up_pct", st->loss_up_pct < 0 ? json_null()
						: json_real(round(st->loss_up_pct * 100) / 100));
		json_object_set_new(o, "fec_up_pct", json_integer(st->fec_up_pct));
		json_object_set_new(o, "kbps_in", json_real(round(st->kbps_in * 10) / 10));
		json_object_set_new(o, "kbps_out", json_real(round(st->kbps_out * 10) / 10));
		json_object_set_new(o, "jitter_buffer_ms", json_integer(st->jitter_delay_ms));
		json_object_set_new(o, "concealed", json_integer((json_int_t)st->frames_concealed));
		json_object_set_new(o, "fec", json_integer((json_int_t)st->frames_fec));
		json_object_set_new(o, "late_in", json_integer((json_int_t)st->packets_late));
		json_object_set_new(o, "rejected_in", json_integer((json_int_t)st->rejected_in));
		json_object_set_new(o, "audio_in", st->decoding ? json_boolean(st->receiving_audio)
								 : json_null());
		if (ev->participants)
			json_object_set_new(o, "participants", json_integer(ev->participants));
		if (ev->trickled)
			json_object_set_new(o, "trickled", json_pack(
				"{sI sI sI}", "audio", (json_int_t)ev->trickled[SESSION_TRICKLE_AUDIO],
				"chat", (json_int_t)ev->trickled[SESSION_TRICKLE_CHAT],
				"video", (json_int_t)ev->trickled[SESSION_TRICKLE_VIDEO]));
		if (ev->video) {
			const struct session_video_stats *v = ev->video;
			json_object_set_new(o, "video_in", json_boolean(v->receiving));
			json_object_set_new(o, "video_fps_in", json_real(round(v->fps_in * 10) / 10));
			json_object_set_new(o, "video_kbps_in", json_real(round(v->kbps_in * 10) / 10));
			json_object_set_new(o, "video_lost", json_integer((json_int_t)v->lost));
			json_object_set_new(o, "video_nacks", json_integer((json_int_t)v->nacks));
			json_object_set_new(o, "video_plis", json_integer((json_int_t)v->plis));
			if (v->width > 0) {
				json_object_set_new(o, "video_width", json_integer(v->width));
				json_object_set_new(o, "video_height", json_integer(v->height));
			}
			if (v->publishing) {
				json_object_set_new(o, "video_fps_out",
						    json_real(round(v->fps_out * 10) / 10));
				json_object_set_new(o, "video_kbps_out",
						    json_real(round(v->kbps_out * 10) / 10));
			}
		}
		break;
	}
	case SESSION_EV_RECONNECTING:
		json_object_set_new(o, "attempt", json_integer(ev->attempt));
		json_object_set_new(o, "message", json_string(ev->message));
		break;
	case SESSION_EV_ERROR:
		json_object_set_new(o, "code", json_integer(ev->code));
		json_object_set_new(o, "message", json_string(ev->message));
		break;
	case SESSION_EV_LEFT:
		json_object_set_new(o, "reason", json_string(ev->reason));
		break;
	case SESSION_EV_VIDEO:
		json_object_set_new(o, "on", json_boolean(ev->on));
		if (ev->on) {
			json_object_set_new(o, "from", json_string(ev->name));
			json_object_set_new(o, "id", json_integer((json_int_t)ev->id));
			if (ev->kind)
				json_object_set_new(o, "codec", json_string(ev->kind));
		} else if (ev->message) {
			json_object_set_new(o, "reason", json_string(ev->message));
		}
		break;
	case SESSION_EV_VIDEO_FRAME: /* printed with its grid: headless_print_video_frame() */
		json_object_set_new(o, "from", json_string(ev->name));
		break;
	case SESSION_EV_PIN_NEEDED:
		json_object_set_new(o, "room", json_integer((json_int_t)ev->room));
		json_object_set_new(o, "message", json_string(ev->message));
		break;
	case SESSION_EV_GAVE_UP:
		json_object_set_new(o, "message", json_string(ev->message));
		break;
	case SESSION_EV_ROLE:
		json_object_set_new(o, "id", json_integer((json_int_t)ev->id));
		json_object_set_new(o, "name", json_string(ev->name));
		json_object_set_new(o, "moderator", json_boolean(ev->on));
		json_object_set_new(o, "self", json_boolean(ev->self));
		break;
	case SESSION_EV_RENAMED:
		json_object_set_new(o, "id", json_integer((json_int_t)ev->id));
		json_object_set_new(o, "name", json_string(ev->name));
		json_object_set_new(o, "old_name", json_string(ev->old_name));
		json_object_set_new(o, "self", json_boolean(ev->self));
		json_object_set_new(o, "audio", json_boolean(!ev->chat_only));
		break;
	}
	return print_line(out, o);
}
