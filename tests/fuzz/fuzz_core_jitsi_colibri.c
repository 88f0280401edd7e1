/* Fuzz target: the bridge channel's messages (src/jitsi/colibri.c), all the bridge's, and
 * the colibri-ws URL, the focus's. Whatever the input: a message is either refused whole or
 * every id kept is a bounded printable ASCII token (nothing that can reach a screen or a JSON
 * or SDP line unescaped), lists stay within JCOLIBRI_LIST_MAX; a URL taken is ws:// or
 * wss://, printable and bounded; our constraints written for any id taken parse back as JSON
 * naming that id. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/jitsi/colibri.h"

static void check_id(const char *s, bool may_be_empty)
{
	if (!*s && may_be_empty)
		return;
	if (!jcolibri_id_ok(s))
		abort();
}

/* Our constraints with id on stage: JSON that names it (or a refusal for a too long name). */
static void check_constraints(const char *id)
{
	struct jcolibri_params p = { .last_n = 1, .max_height = 180, .naming = JCOLIBRI_ENDPOINTS };
	char out[1024];
	if (jcolibri_constraints(&p, id, NULL, out, sizeof(out)) < 0)
		abort(); /* any id taken fits */
	json_t *o = json_loads(out, JSON_REJECT_DUPLICATES, NULL);
	const char *on = json_string_value(json_array_get(json_object_get(o, "onStageEndpoints"), 0));
	if (!o || !on || strcmp(on, id))
		abort();
	json_decref(o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jcolibri_msg m;
	enum jcolibri_kind k = jcolibri_parse((const char *)data, size, &m);
	switch (k) {
	case JCOLIBRI_MSG_DOMINANT:
	case JCOLIBRI_MSG_CONNECTIVITY:
		check_id(m.id, false);
		check_constraints(m.id);
		break;
	case JCOLIBRI_MSG_HELLO:
		check_id(m.id, true);
		break;
	case JCOLIBRI_MSG_FORWARDED:
		if (m.n_ids > JCOLIBRI_LIST_MAX || (m.truncated && m.n_ids != JCOLIBRI_LIST_MAX))
			abort();
		for (size_t i = 0; i < m.n_ids; i++)
			check_id(m.ids[i], false);
		break;
	default:
		if (m.id[0] || m.n_ids)
			abort();
		break;
	}
	/* the input as a URL */
	char url[JCOLIBRI_URL_MAX + 1];
	size_t n = size < sizeof(url) - 1 ? size : sizeof(url) - 1;
	memcpy(url, data, n);
	url[n] = '\0';
	if (jcolibri_url_check(url) == 0) {
		if (strlen(url) >= JCOLIBRI_URL_MAX || (strncmp(url, "ws://", 5) && strncmp(url, "wss://", 6)))
			abort();
		for (const unsigned char *p = (const unsigned char *)url; *p; p++)
			if (*p <= 0x20 || *p >= 0x7f)
				abort();
	}
	return 0;
}
