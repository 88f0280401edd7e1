/* Privacy notice text. Every sentence states a fact the code guarantees; when a setting
 * changes what is sent (a STUN/TURN server, publishing video), the notice says so. */
#include "src/privacy.h"

#include "net/ws.h"

void privacy_print_notice(FILE *out, const struct cli_options *o)
{
	bool tls = false;
	char host[256] = "the server", path[256];
	int port = 0;
	if (o->url)
		ws_parse_url(o->url, &tls, host, sizeof(host), &port, path, sizeof(path));

	fprintf(out, "Privacy notice\n\n");
	fprintf(out, "Sent to the meeting server %s%s:\n", host,
		tls ? "" : " (unencrypted signaling: ws://)");
	fprintf(out, "  - your display name \"%s\" and your IP address;\n", o->name);
	fprintf(out, "  - your audio, only while you are not muted%s;\n",
		o->mute ? " (you join muted)" : "");
	fprintf(out, "  - video only if you publish it%s;\n",
		o->video_source ? " (you are publishing video)" : " (you are not)");
	fprintf(out, "  - chat messages you write, to the room through the server.\n");
	if (o->stun || o->turn)
		fprintf(out, "Your IP address is also sent to %s%s%s.\n", o->stun ? o->stun : "",
			o->stun && o->turn ? " and " : "", o->turn ? o->turn : "");
	fprintf(out, "\nKept by ttymeet: nothing on disk — no chat logs, no history, no settings, "
		     "no telemetry.\nChat lives only in locked memory and is wiped when ttymeet "
		     "exits.\n");
	fprintf(out, "\nThe server operator's own processing (logs, recordings, retention) is "
		     "theirs, not ttymeet's.\n\n");
}
