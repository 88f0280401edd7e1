/* Headless driver: session events → JSON lines. Field names are a contract (DESIGN.md): they may
 * grow, never change. Strings were sanitized by the session; jansson escapes them for JSON. */
#include "src/headless.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>

static const char *event_name(enum session_event_type t)
{
	switch (t) {
	case SESSION_EV_CONNECTING: return "connecting";
	case SESSION_EV_JOINED: return "joined";
	case SESSION_EV_PARTICIPANT_JOINED: return "participant-joined";
	case SESSION_EV_PARTICIPANT_LEFT: return "participant-left";
	case SESSION_EV_MUTED: return "muted";
	case SESSION_EV_TALKING: return "talking";
	case SESSION_EV_ERROR: return "error";
	case SESSION_EV_LEFT: return "left";
	}
	return "unknown";
}

int headless_print_event(FILE *out, const struct session_event *ev)
{
	json_t *o = json_object();
	if (!o)
		return -ENOMEM;
	json_object_set_new(o, "event", json_string(event_name(ev->type)));
	json_object_set_new(o, "t", json_real(round(ev->t * 1000.0) / 1000.0));
	switch (ev->type) {
	case SESSION_EV_CONNECTING:
		json_object_set_new(o, "url", json_string(ev->url));
		json_object_set_new(o, "room", json_integer((json_int_t)ev->room));
		break;
	case SESSION_EV_JOINED:
		json_object_set_new(o, "room", json_integer((json_int_t)ev->room));
		json_object_set_new(o, "id", json_integer((json_int_t)ev->id));
		json_object_set_new(o, "name", json_string(ev->name));
		json_object_set_new(o, "muted", json_boolean(ev->on));
		break;
	case SESSION_EV_PARTICIPANT_JOINED:
		json_object_set_new(o, "id", json_integer((json_int_t)ev->id));
		json_object_set_new(o, "name", json_string(ev->name));
		json_object_set_new(o, "muted", json_boolean(ev->on));
		break;
	case SESSION_EV_PARTICIPANT_LEFT:
		json_object_set_new(o, "id", json_integer((json_int_t)ev->id));
		json_object_set_new(o, "name", json_string(ev->name));
		break;
	case SESSION_EV_MUTED:
	case SESSION_EV_TALKING:
		json_object_set_new(o, "id", json_integer((json_int_t)ev->id));
		json_object_set_new(o, "name", json_string(ev->name));
		json_object_set_new(o, "on", json_boolean(ev->on));
		json_object_set_new(o, "self", json_boolean(ev->self));
		break;
	case SESSION_EV_ERROR:
		json_object_set_new(o, "code", json_integer(ev->code));
		json_object_set_new(o, "message", json_string(ev->message));
		break;
	case SESSION_EV_LEFT:
		json_object_set_new(o, "reason", json_string(ev->reason));
		break;
	}
	int rc = json_dumpf(o, out, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
	json_decref(o);
	if (rc < 0 || fputc('\n', out) == EOF || fflush(out) == EOF)
		return -EIO;
	return 0;
}
