/* ICE on libnice (0.1.21): one NiceAgent, one stream, one component, on a caller-given context.
 *
 * Data flow: libnice signals (new-candidate-full, candidate-gathering-done,
 * component-state-changed) and the attach_recv callback arrive on the agent's context and are
 * forwarded to the ice_callbacks; ice_send() goes straight to nice_agent_send_messages_nonblocking.
 * Remote candidate strings are validated and normalised here (they come from the network), then
 * handed to nice_agent_parse_remote_candidate_sdp(). Libnice's component FAILED is held back
 * until the remote end-of-candidates (trickle: a later candidate may still work), and a FAILED
 * after a pair was selected is consent loss: the selected pair answered none of the STUN
 * binding requests libnice sends on it every 4-6 s ("keepalive-conncheck") for 50 s.
 * libnice's own RFC 7675 mode (NICE_AGENT_OPTION_CONSENT_FRESHNESS) is not used: up to 0.1.21,
 * Debian 12's version, it gives up after 10 s instead of RFC 7675's 30 s (fixed in 0.1.22), so
 * two lost responses under 20 % loss, or any outage over ~5 s, ended the call (measured with
 * tests/bench/soak.py).
 * Polled receive: the component's I/O context (where libnice attaches its socket sources) is
 * moved from the caller's context to a private one that only ice_poll() iterates, once, without
 * blocking: libnice's socket callback reads each ready socket until it would block (STUN is
 * answered inside libnice as before) and calls on_recv for the rest, so nothing is lost or
 * reordered, and libnice's timers (checks, keepalives) stay on the caller's context. The time
 * a datagram arrived, which the caller's jitter buffers need, would be the poll's time; the
 * kernel's receive stamp of the selected pair's socket (SIOCGSTAMP after each read: one
 * syscall, no wake-up) gives it exactly.
 * Lifetime: cb_depth counts our callbacks on the stack; ice_destroy() inside one only marks the
 * object dead and releases it from an idle source, so libnice never returns into freed memory.
 * Thread: the one iterating the context, for every function and callback.
 */
#include "net/ice.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <linux/sockios.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>

#include <nice/agent.h>
#include <nice/interfaces.h>

#define ICE_COMPONENT 1
#define ICE_HOST_MAX 256
#define ICE_SECRET_MAX 512
#define ICE_UFRAG_MAX 256
#define ICE_PWD_MAX 256
#define ICE_MAX_REMOTE_CANDIDATES NICE_AGENT_MAX_REMOTE_CANDIDATES
#define ICE_MAX_TOKENS 32

struct ice {
	GMainContext *ctx;
	NiceAgent *agent;
	guint stream_id;
	struct ice_callbacks cb;
	enum ice_state state;
	char ufrag[ICE_UFRAG_MAX + 1];
	char pwd[ICE_PWD_MAX + 1];
	unsigned int remote_count;
	unsigned int cb_depth;
	bool gathering;
	bool explicit_addrs; /* gathering restricted by ice_config.local_addrs */
	bool remote_eoc;
	bool failed_pending;
	bool had_pair;
	bool use_turn;
	bool dead;

	/* polled receive */
	GMainContext *poll_ctx;	/* the sockets' context while polled; created on first use */
	bool polled;
	bool polling;		/* inside ice_poll */
	int poll_fd;		/* the selected pair's socket during ice_poll, -1 none */
	int64_t poll_now, poll_prev; /* monotonic µs of this poll and the one before */
	int64_t rt_offset;	/* real minus monotonic time, µs, at this poll */
	int64_t arrival_us;	/* of the datagram in recv_cb while polling */
	int polled_n;
};

static bool state_is_terminal(enum ice_state s)
{
	return s == ICE_STATE_FAILED || s == ICE_STATE_CONSENT_LOST;
}

const char *ice_state_name(enum ice_state state)
{
	switch (state) {
	case ICE_STATE_NEW:
		return "new";
	case ICE_STATE_GATHERING:
		return "gathering";
	case ICE_STATE_CONNECTING:
		return "connecting";
	case ICE_STATE_CONNECTED:
		return "connected";
	case ICE_STATE_READY:
		return "ready";
	case ICE_STATE_FAILED:
		return "failed";
	case ICE_STATE_CONSENT_LOST:
		return "consent-lost";
	}
	return "unknown";
}

static const char *cand_type_name(NiceCandidateType t)
{
	switch (t) {
	case NICE_CANDIDATE_TYPE_HOST:
		return "host";
	case NICE_CANDIDATE_TYPE_SERVER_REFLEXIVE:
		return "srflx";
	case NICE_CANDIDATE_TYPE_PEER_REFLEXIVE:
		return "prflx";
	case NICE_CANDIDATE_TYPE_RELAYED:
		return "relay";
	}
	return "unknown";
}

/* ---- config parsing (all of it from the command line, still bounded and checked) ---- */

static bool str_bounded(const char *s, size_t min, size_t max)
{
	size_t n;

	if (!s)
		return false;
	n = strnlen(s, max + 1);
	return n >= min && n <= max;
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

static int parse_port(const char *s, size_t n, uint16_t *port)
{
	unsigned long v = 0;
	size_t i;

	if (n == 0 || n > 5)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v == 0 || v > 65535)
		return -EINVAL;
	*port = (uint16_t)v;
	return 0;
}

static bool host_char(char c, bool v6)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-' || c == '_' || (v6 && c == ':');
}

/* "host", "host:port", "[v6]", "[v6]:port" or a bare IPv6 address; s has n bytes. */
static int parse_host_port(const char *s, size_t n, char *host, uint16_t *port, uint16_t defport)
{
	const char *h = s, *p = NULL, *colon;
	struct in6_addr a6;
	size_t hlen, plen = 0, i;
	bool v6 = false;

	if (n == 0)
		return -EINVAL;
	if (s[0] == '[') {
		const char *end = memchr(s, ']', n);

		if (!end)
			return -EINVAL;
		h = s + 1;
		hlen = (size_t)(end - h);
		v6 = true;
		if ((size_t)(end - s) + 1 < n) {
			if (end[1] != ':')
				return -EINVAL;
			p = end + 2;
			plen = n - (size_t)(p - s);
		}
	} else {
		colon = memchr(s, ':', n);
		if (colon && memchr(colon + 1, ':', n - (size_t)(colon + 1 - s))) {
			hlen = n;
			v6 = true;
		} else if (colon) {
			hlen = (size_t)(colon - s);
			p = colon + 1;
			plen = n - hlen - 1;
		} else {
			hlen = n;
		}
	}
	if (hlen == 0 || hlen >= ICE_HOST_MAX)
		return -EINVAL;
	for (i = 0; i < hlen; i++)
		if (!host_char(h[i], v6))
			return -EINVAL;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	if (v6 && inet_pton(AF_INET6, host, &a6) != 1)
		return -EINVAL;
	*port = defport;
	if (p)
		return parse_port(p, plen, port);
	return 0;
}

struct turn_server {
	char host[ICE_HOST_MAX];
	uint16_t port;
	NiceRelayType type;
};

static int parse_turn_url(const char *url, struct turn_server *t)
{
	const char *rest, *q;
	size_t n;
	bool secure;

	if (!str_bounded(url, 1, ICE_HOST_MAX + 64))
		return -EINVAL;
	if (strncmp(url, "turn:", 5) == 0) {
		secure = false;
		rest = url + 5;
	} else if (strncmp(url, "turns:", 6) == 0) {
		secure = true;
		rest = url + 6;
	} else {
		return -EINVAL;
	}
	q = strchr(rest, '?');
	n = q ? (size_t)(q - rest) : strlen(rest);
	if (parse_host_port(rest, n, t->host, &t->port, secure ? 5349 : 3478) < 0)
		return -EINVAL;
	t->type = secure ? NICE_RELAY_TYPE_TURN_TLS : NICE_RELAY_TYPE_TURN_UDP;
	if (!q)
		return 0;
	if (strcmp(q, "?transport=udp") == 0 && !secure)
		t->type = NICE_RELAY_TYPE_TURN_UDP;
	else if (strcmp(q, "?transport=tcp") == 0)
		t->type = secure ? NICE_RELAY_TYPE_TURN_TLS : NICE_RELAY_TYPE_TURN_TCP;
	else
		return -EINVAL;
	return 0;
}

/* ---- callbacks from libnice ---- */

static void emit_state(struct ice *ice, enum ice_state s)
{
	if (ice->dead || s == ice->state || state_is_terminal(ice->state))
		return;
	ice->state = s;
	if (ice->cb.state_cb) {
		ice->cb_depth++;
		ice->cb.state_cb(ice->cb.user, s);
		ice->cb_depth--;
	}
}

static void on_component_state(NiceAgent *agent, guint stream_id, guint component_id,
			       guint nstate, gpointer data)
{
	struct ice *ice = data;

	if (ice->dead || stream_id != ice->stream_id || component_id != ICE_COMPONENT)
		return;
	switch (nstate) {
	case NICE_COMPONENT_STATE_GATHERING:
		if (ice->state < ICE_STATE_CONNECTING)
			emit_state(ice, ICE_STATE_GATHERING);
		break;
	case NICE_COMPONENT_STATE_CONNECTING:
		ice->failed_pending = false;
		emit_state(ice, ICE_STATE_CONNECTING);
		break;
	case NICE_COMPONENT_STATE_CONNECTED:
		ice->failed_pending = false;
		ice->had_pair = true;
		emit_state(ice, ICE_STATE_CONNECTED);
		break;
	case NICE_COMPONENT_STATE_READY:
		ice->failed_pending = false;
		ice->had_pair = true;
		emit_state(ice, ICE_STATE_READY);
		break;
	case NICE_COMPONENT_STATE_FAILED:
		if (ice->had_pair)
			emit_state(ice, ICE_STATE_CONSENT_LOST);
		else if (ice->remote_eoc)
			emit_state(ice, ICE_STATE_FAILED);
		else
			ice->failed_pending = true;
		break;
	default:
		break;
	}
}

static void on_new_candidate(NiceAgent *agent, NiceCandidate *cand, gpointer data)
{
	struct ice *ice = data;
	char buf[ICE_CANDIDATE_MAX + 1];
	gchar *sdp;
	const char *s;

	if (ice->dead || cand->stream_id != ice->stream_id ||
	    cand->component_id != ICE_COMPONENT ||
	    cand->transport != NICE_CANDIDATE_TRANSPORT_UDP)
		return;
	sdp = nice_agent_generate_local_candidate_sdp(agent, cand);
	if (!sdp)
		return;
	s = strncmp(sdp, "a=", 2) == 0 ? sdp + 2 : sdp;
	if (strlen(s) <= ICE_CANDIDATE_MAX && strncmp(s, "candidate:", 10) == 0) {
		strcpy(buf, s);
		if (ice->cb.candidate_cb) {
			ice->cb_depth++;
			ice->cb.candidate_cb(ice->cb.user, buf);
			ice->cb_depth--;
		}
	}
	g_free(sdp);
}

static void on_gathering_done(NiceAgent *agent, guint stream_id, gpointer data)
{
	struct ice *ice = data;

	if (ice->dead || stream_id != ice->stream_id)
		return;
	if (ice->cb.gathering_done_cb) {
		ice->cb_depth++;
		ice->cb.gathering_done_cb(ice->cb.user);
		ice->cb_depth--;
	}
}

static void on_recv(NiceAgent *agent, guint stream_id, guint component_id, guint len,
		    gchar *buf, gpointer data)
{
	struct ice *ice = data;

	if (ice->dead || len == 0 || !ice->cb.recv_cb)
		return;
	/* GLib blocks a source with fds while dispatching it, unless it may recurse, and
	 * unblocking it wakes the loop through its eventfd: two writes and an extra poll round
	 * per packet. Nothing here runs a nested loop, so libnice's socket source may recurse. */
	GSource *src = g_main_current_source();
	if (src && !g_source_get_can_recurse(src))
		g_source_set_can_recurse(src, TRUE);
	if (ice->polling) {
		struct timeval tv;
		int64_t t = ice->poll_now;

		/* No stamp (timestamps just turned on): the kernel says "now", clamped. */
		if (ice->poll_fd >= 0 && ioctl(ice->poll_fd, SIOCGSTAMP, &tv) == 0) {
			t = (int64_t)tv.tv_sec * 1000000 + tv.tv_usec - ice->rt_offset;
			if (t > ice->poll_now)
				t = ice->poll_now;
			if (t < ice->poll_prev)
				t = ice->poll_prev;
		}
		ice->arrival_us = t;
		ice->polled_n++;
	}
	ice->cb_depth++;
	ice->cb.recv_cb(ice->cb.user, (const uint8_t *)buf, len);
	ice->cb_depth--;
}

/* ---- lifetime ---- */

static void drop_recv(NiceAgent *agent, guint stream_id, guint component_id, guint len,
		      gchar *buf, gpointer data)
{
}

static void on_agent_closed(GObject *src, GAsyncResult *res, gpointer data)
{
	g_object_unref(src);
}

static void release(struct ice *ice)
{
	if (ice->agent) {
		if (ice->use_turn && ice->gathering) {
			/* The task's callback lands on the thread-default context: make it ours. */
			g_main_context_push_thread_default(ice->ctx);
			nice_agent_close_async(ice->agent, on_agent_closed, NULL);
			g_main_context_pop_thread_default(ice->ctx);
		} else {
			g_object_unref(ice->agent);
		}
	}
	g_main_context_unref(ice->ctx);
	if (ice->poll_ctx)
		g_main_context_unref(ice->poll_ctx);
	free(ice);
}

static gboolean release_idle(gpointer data)
{
	struct ice *ice = data;

	if (ice->cb_depth == 0)
		return G_SOURCE_REMOVE;
	/* A callback iterates the context itself: let everything else run until it returns. */
	g_source_set_priority(g_main_current_source(), G_PRIORITY_DEFAULT_IDLE);
	return G_SOURCE_CONTINUE;
}

static void release_notify(gpointer data)
{
	release(data);
}

void ice_destroy(struct ice *ice)
{
	GSource *src;

	if (!ice || ice->dead)
		return;
	ice->dead = true;
	if (ice->agent) {
		g_signal_handlers_disconnect_by_data(ice->agent, ice);
		/* Not NULL: libnice 0.1.21 would stop reading but keep the socket sources, and one
		 * unread datagram then spins the context until the agent is gone. */
		if (ice->stream_id)
			nice_agent_attach_recv(ice->agent, ice->stream_id, ICE_COMPONENT, ice->ctx,
					       drop_recv, NULL);
	}
	if (ice->cb_depth == 0) {
		release(ice);
		return;
	}
	src = g_idle_source_new();
	g_source_set_priority(src, G_PRIORITY_HIGH);
	g_source_set_callback(src, release_idle, ice, release_notify);
	g_source_attach(src, ice->ctx);
	g_source_unref(src);
}

static int add_local_addr(NiceAgent *agent, const char *entry)
{
	NiceAddress addr;
	gchar *ip;
	char name[64];
	bool ok;

	if (!str_bounded(entry, 1, sizeof(name) - 1) || !printable(entry))
		return -EINVAL;
	nice_address_init(&addr);
	if (!nice_address_set_from_string(&addr, entry)) {
		strcpy(name, entry);
		ip = nice_interfaces_get_ip_for_interface(name);
		if (!ip)
			return -ENODEV;
		ok = nice_address_set_from_string(&addr, ip);
		g_free(ip);
		if (!ok)
			return -ENODEV;
	}
	nice_address_set_port(&addr, 0);
	return nice_agent_add_local_address(agent, &addr) ? 0 : -ENOMEM;
}

/* Adds every IPv4 address of an up, non-loopback interface; false if there is none. Done with
 * getifaddrs because libnice's own enumeration also skips interfaces named veth*, docker*,
 * virbr*, which is where a client in a container or network namespace has its address. */
static bool add_ipv4_addrs(NiceAgent *agent)
{
	struct ifaddrs *ifa_list, *ifa;
	bool any = false;
	if (getifaddrs(&ifa_list) < 0)
		return false;
	for (ifa = ifa_list; ifa; ifa = ifa->ifa_next) {
		if (!ifa->ifa_addr || ifa->ifa_addr->sa_family != AF_INET ||
		    (ifa->ifa_flags & IFF_LOOPBACK) || !(ifa->ifa_flags & IFF_UP))
			continue;
		NiceAddress addr;
		nice_address_init(&addr);
		nice_address_set_from_sockaddr(&addr, ifa->ifa_addr);
		nice_address_set_port(&addr, 0);
		if (nice_agent_add_local_address(agent, &addr))
			any = true;
	}
	freeifaddrs(ifa_list);
	return any;
}

static void set_bool_prop(NiceAgent *agent, const char *name, gboolean v)
{
	if (g_object_class_find_property(G_OBJECT_GET_CLASS(agent), name))
		g_object_set(agent, name, v, NULL);
}

static int configure(struct ice *ice, const struct ice_config *cfg)
{
	char host[ICE_HOST_MAX];
	struct turn_server turn;
	gchar *u = NULL, *p = NULL;
	uint16_t port;
	size_t i;
	int ret;

	g_object_set(ice->agent, "controlling-mode", cfg->controlling ? TRUE : FALSE, NULL);
	set_bool_prop(ice->agent, "ice-tcp", FALSE);
	set_bool_prop(ice->agent, "upnp", FALSE);
	/* Binding requests (not indications) as keepalives: answered, so a dead pair fails. */
	set_bool_prop(ice->agent, "keepalive-conncheck", TRUE);

	if (cfg->stun_server) {
		if (!str_bounded(cfg->stun_server, 1, ICE_HOST_MAX + 8))
			return -EINVAL;
		ret = parse_host_port(cfg->stun_server, strlen(cfg->stun_server), host, &port,
				      3478);
		if (ret < 0)
			return ret;
		g_object_set(ice->agent, "stun-server", host, "stun-server-port", (guint)port,
			     NULL);
	}

	if (cfg->local_addrs) {
		ice->explicit_addrs = cfg->local_addrs[0] != NULL;
		for (i = 0; cfg->local_addrs[i]; i++) {
			if (i >= ICE_MAX_LOCAL_ADDRS)
				return -EINVAL;
			ret = add_local_addr(ice->agent, cfg->local_addrs[i]);
			if (ret < 0)
				return ret;
		}
	}

	ice->stream_id = nice_agent_add_stream(ice->agent, 1);
	if (ice->stream_id == 0)
		return -ENOMEM;

	if (cfg->port_min || cfg->port_max) {
		if (cfg->port_min == 0 || cfg->port_max < cfg->port_min)
			return -EINVAL;
		nice_agent_set_port_range(ice->agent, ice->stream_id, ICE_COMPONENT,
					  cfg->port_min, cfg->port_max);
	}

	if (cfg->turn_url) {
		if (parse_turn_url(cfg->turn_url, &turn) < 0 ||
		    !str_bounded(cfg->turn_user, 1, ICE_SECRET_MAX) || !printable(cfg->turn_user) ||
		    !str_bounded(cfg->turn_password, 1, ICE_SECRET_MAX) ||
		    !printable(cfg->turn_password))
			return -EINVAL;
		if (!nice_agent_set_relay_info(ice->agent, ice->stream_id, ICE_COMPONENT, turn.host,
					       turn.port, cfg->turn_user, cfg->turn_password,
					       turn.type))
			return -EINVAL;
		ice->use_turn = true;
	}

	if (!nice_agent_get_local_credentials(ice->agent, ice->stream_id, &u, &p))
		return -ENOMEM;
	ret = 0;
	if (strlen(u) > ICE_UFRAG_MAX || strlen(p) > ICE_PWD_MAX)
		ret = -EINVAL;
	else {
		strcpy(ice->ufrag, u);
		strcpy(ice->pwd, p);
	}
	g_free(u);
	g_free(p);
	if (ret < 0)
		return ret;

	g_signal_connect(ice->agent, "component-state-changed", G_CALLBACK(on_component_state),
			 ice);
	g_signal_connect(ice->agent, "new-candidate-full", G_CALLBACK(on_new_candidate), ice);
	g_signal_connect(ice->agent, "candidate-gathering-done", G_CALLBACK(on_gathering_done),
			 ice);
	if (!nice_agent_attach_recv(ice->agent, ice->stream_id, ICE_COMPONENT, ice->ctx, on_recv,
				    ice))
		return -EINVAL;
	return 0;
}

int ice_create(GMainContext *ctx, const struct ice_config *cfg, const struct ice_callbacks *cbs,
	       struct ice **out)
{
	struct ice *ice;
	int ret;

	*out = NULL;
	if (!ctx || !cfg)
		return -EINVAL;
	ice = calloc(1, sizeof(*ice));
	if (!ice)
		return -ENOMEM;
	ice->ctx = g_main_context_ref(ctx);
	if (cbs)
		ice->cb = *cbs;
	ice->state = ICE_STATE_NEW;
	ice->agent = nice_agent_new_full(ctx, NICE_COMPATIBILITY_RFC5245,
					 NICE_AGENT_OPTION_ICE_TRICKLE);
	if (!ice->agent) {
		ret = -ENOMEM;
		goto out;
	}
	ret = configure(ice, cfg);
out:
	if (ret < 0) {
		ice_destroy(ice);
		return ret;
	}
	*out = ice;
	return 0;
}

const char *ice_local_ufrag(const struct ice *ice)
{
	return ice->ufrag;
}

const char *ice_local_pwd(const struct ice *ice)
{
	return ice->pwd;
}

int ice_gather(struct ice *ice)
{
	if (ice->dead)
		return -ENOTCONN;
	if (ice->gathering)
		return -EALREADY;
	ice->gathering = true;
	if (nice_agent_gather_candidates(ice->agent, ice->stream_id))
		return 0;
	/* libnice gives up on every address when one cannot be bound — typically an IPv6
	 * address still in duplicate address detection ("tentative"). Retry on the IPv4
	 * addresses alone (Janus ignores IPv6 candidates by default anyway). */
	if (ice->explicit_addrs || !add_ipv4_addrs(ice->agent) ||
	    !nice_agent_gather_candidates(ice->agent, ice->stream_id))
		return -EADDRNOTAVAIL;
	return 0;
}

static bool ice_chars(const char *s, size_t min, size_t max)
{
	size_t n = 0;

	if (!s)
		return false;
	for (; *s; s++, n++) {
		char c = *s;

		if (n >= max)
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '+' || c == '/'))
			return false;
	}
	return n >= min;
}

int ice_set_remote_credentials(struct ice *ice, const char *ufrag, const char *pwd)
{
	if (ice->dead)
		return -ENOTCONN;
	if (!ice_chars(ufrag, 4, ICE_UFRAG_MAX) || !ice_chars(pwd, 22, ICE_PWD_MAX))
		return -EINVAL;
	if (!nice_agent_set_remote_credentials(ice->agent, ice->stream_id, ufrag, pwd))
		return -EINVAL;
	return 0;
}

static bool all_digits(const char *s, size_t maxlen)
{
	size_t n = strlen(s);

	if (n == 0 || n > maxlen)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* Splits a candidate line into tokens (in place) and checks the fixed fields; the result is
 * rejoined with single spaces into norm as "a=candidate:...". */
static int normalise_candidate(char *line, char *norm, size_t normlen)
{
	static const char *const types[] = { "host", "srflx", "prflx", "relay" };
	char *tok[ICE_MAX_TOKENS];
	size_t n = 0, i, off;
	char *s = line, *save = NULL;
	bool typ = false;
	int w;

	for (s = strtok_r(s, " ", &save); s; s = strtok_r(NULL, " ", &save)) {
		if (n >= ICE_MAX_TOKENS)
			return -EINVAL;
		tok[n++] = s;
	}
	/* foundation component transport priority address port typ <type> [name value]... */
	if (n < 8 || (n - 6) % 2 != 0)
		return -EINVAL;
	if (strlen(tok[0]) > 32 || !all_digits(tok[1], 3) || !all_digits(tok[3], 10) ||
	    strtoull(tok[3], NULL, 10) > UINT32_MAX || !all_digits(tok[5], 5) ||
	    strtoul(tok[5], NULL, 10) == 0 || strtoul(tok[5], NULL, 10) > 65535 ||
	    strlen(tok[4]) > 255)
		return -EINVAL;
	for (i = 6; i < n; i += 2) {
		if (strcmp(tok[i], "typ") == 0) {
			size_t k;

			for (k = 0; k < G_N_ELEMENTS(types); k++)
				if (strcmp(tok[i + 1], types[k]) == 0)
					typ = true;
		} else if (strcmp(tok[i], "rport") == 0 && !all_digits(tok[i + 1], 5)) {
			return -EINVAL;
		}
	}
	if (!typ)
		return -EINVAL;
	if (strcmp(tok[1], "1") != 0 || g_ascii_strcasecmp(tok[2], "udp") != 0)
		return -ENOTSUP;

	w = snprintf(norm, normlen, "a=candidate:%s", tok[0]);
	if (w < 0 || (size_t)w >= normlen)
		return -EINVAL;
	off = (size_t)w;
	for (i = 1; i < n; i++) {
		w = snprintf(norm + off, normlen - off, " %s", tok[i]);
		if (w < 0 || (size_t)w >= normlen - off)
			return -EINVAL;
		off += (size_t)w;
	}
	return 0;
}

int ice_add_remote_candidate(struct ice *ice, const char *candidate)
{
	char line[ICE_CANDIDATE_MAX + 1], norm[ICE_CANDIDATE_MAX + 16];
	NiceCandidate *c;
	GSList list = { 0 };
	size_t n;
	int ret, added;

	if (ice->dead)
		return -ENOTCONN;
	if (ice->remote_eoc || state_is_terminal(ice->state))
		return -EALREADY;
	if (!candidate)
		return -EINVAL;
	if (strncmp(candidate, "a=", 2) == 0)
		candidate += 2;
	n = strnlen(candidate, ICE_CANDIDATE_MAX + 3);
	if (n > ICE_CANDIDATE_MAX + 2)
		return -EINVAL;
	while (n > 0 && (candidate[n - 1] == '\n' || candidate[n - 1] == '\r'))
		n--;
	if (n > ICE_CANDIDATE_MAX || n <= 10 || strncmp(candidate, "candidate:", 10) != 0)
		return -EINVAL;
	memcpy(line, candidate + 10, n - 10);
	line[n - 10] = '\0';
	if (!printable(line))
		return -EINVAL;
	ret = normalise_candidate(line, norm, sizeof(norm));
	if (ret < 0)
		return ret;
	if (ice->remote_count >= ICE_MAX_REMOTE_CANDIDATES)
		return -ENOSPC;

	c = nice_agent_parse_remote_candidate_sdp(ice->agent, ice->stream_id, norm);
	if (!c)
		return -EINVAL;
	if (c->component_id != ICE_COMPONENT || c->transport != NICE_CANDIDATE_TRANSPORT_UDP) {
		nice_candidate_free(c);
		return -ENOTSUP;
	}
	list.data = c;
	/* Signals (state changes) may run our callbacks, and ice_destroy, from inside this call. */
	ice->cb_depth++;
	added = nice_agent_set_remote_candidates(ice->agent, ice->stream_id, ICE_COMPONENT, &list);
	ice->cb_depth--;
	nice_candidate_free(c);
	if (added < 1)
		return -EINVAL;
	ice->remote_count++;
	return 0;
}

int ice_remote_end_of_candidates(struct ice *ice)
{
	if (ice->dead)
		return -ENOTCONN;
	if (ice->remote_eoc)
		return 0;
	ice->remote_eoc = true;
	nice_agent_peer_candidate_gathering_done(ice->agent, ice->stream_id);
	if (ice->failed_pending &&
	    nice_agent_get_component_state(ice->agent, ice->stream_id, ICE_COMPONENT) ==
		    NICE_COMPONENT_STATE_FAILED)
		emit_state(ice, ICE_STATE_FAILED);
	return 0;
}

int ice_send(struct ice *ice, const void *buf, size_t len)
{
	GOutputVector vec;
	NiceOutputMessage msg;
	GError *err = NULL;
	gint n;
	int ret;

	if (ice->dead || (ice->state != ICE_STATE_CONNECTED && ice->state != ICE_STATE_READY))
		return -ENOTCONN;
	if (!buf || len == 0)
		return -EINVAL;
	if (len > ICE_DATAGRAM_MAX)
		return -EMSGSIZE;
	vec.buffer = buf;
	vec.size = len;
	msg.buffers = &vec;
	msg.n_buffers = 1;
	n = nice_agent_send_messages_nonblocking(ice->agent, ice->stream_id, ICE_COMPONENT, &msg, 1,
						 NULL, &err);
	if (n == 1)
		return (int)len;
	if (n == 0)
		return -EAGAIN;
	if (err && err->domain == G_IO_ERROR) {
		switch (err->code) {
		case G_IO_ERROR_WOULD_BLOCK:
			ret = -EAGAIN;
			break;
		case G_IO_ERROR_BROKEN_PIPE:
		case G_IO_ERROR_NOT_CONNECTED:
			ret = -ENOTCONN;
			break;
		case G_IO_ERROR_PERMISSION_DENIED:
			ret = -EACCES;
			break;
		case G_IO_ERROR_MESSAGE_TOO_LARGE:
			ret = -EMSGSIZE;
			break;
		default:
			ret = -EIO;
			break;
		}
	} else {
		ret = -EIO;
	}
	g_clear_error(&err);
	return ret;
}

int ice_set_polled(struct ice *ice, bool polled)
{
	if (ice->dead)
		return -ENOTCONN;
	if (polled == ice->polled)
		return 0;
	if (polled && !ice->poll_ctx) {
		ice->poll_ctx = g_main_context_new();
		if (!ice->poll_ctx)
			return -ENOMEM;
	}
	/* Moves libnice's socket sources (and the datagrams queued on them) to that context. */
	if (!nice_agent_attach_recv(ice->agent, ice->stream_id, ICE_COMPONENT,
				    polled ? ice->poll_ctx : ice->ctx, on_recv, ice))
		return -ENOMEM;
	ice->polled = polled;
	ice->poll_prev = g_get_monotonic_time();
	if (polled) {
		/* The first SIOCGSTAMP turns the socket's receive stamps on (the kernel's first
		 * user anywhere takes a moment): before that, a datagram has none. */
		GSocket *sock = nice_agent_get_selected_socket(ice->agent, ice->stream_id,
							       ICE_COMPONENT);
		struct timeval tv;

		if (sock) {
			(void)ioctl(g_socket_get_fd(sock), SIOCGSTAMP, &tv);
			g_object_unref(sock);
		}
	}
	return 0;
}

bool ice_polled(const struct ice *ice)
{
	return ice->polled;
}

int ice_poll(struct ice *ice)
{
	GSocket *sock;
	int n;

	if (ice->dead || !ice->polled || ice->polling)
		return 0;
	sock = nice_agent_get_selected_socket(ice->agent, ice->stream_id, ICE_COMPONENT);
	ice->poll_fd = sock ? g_socket_get_fd(sock) : -1;
	ice->poll_now = g_get_monotonic_time();
	ice->rt_offset = g_get_real_time() - ice->poll_now;
	ice->polled_n = 0;
	ice->polling = true;
	ice->cb_depth++; /* an ice_destroy in recv_cb releases the agent only after this */
	/* One iteration: each ready socket is read until it would block. */
	g_main_context_iteration(ice->poll_ctx, FALSE);
	ice->cb_depth--;
	ice->polling = false;
	ice->poll_prev = ice->poll_now;
	n = ice->polled_n;
	if (sock)
		g_object_unref(sock);
	return n;
}

int64_t ice_arrival_us(const struct ice *ice)
{
	return ice->polling ? ice->arrival_us : g_get_monotonic_time();
}

enum ice_state ice_get_state(const struct ice *ice)
{
	return ice->state;
}

int ice_get_selected_pair(struct ice *ice, struct ice_pair_info *out)
{
	NiceCandidate *l = NULL, *r = NULL;

	memset(out, 0, sizeof(*out));
	if (ice->dead ||
	    !nice_agent_get_selected_pair(ice->agent, ice->stream_id, ICE_COMPONENT, &l, &r) ||
	    !l || !r)
		return -ENOTCONN;
	nice_address_to_string(&l->addr, out->local_addr);
	out->local_port = (uint16_t)nice_address_get_port(&l->addr);
	out->local_type = cand_type_name(l->type);
	nice_address_to_string(&r->addr, out->remote_addr);
	out->remote_port = (uint16_t)nice_address_get_port(&r->addr);
	out->remote_type = cand_type_name(r->type);
	return 0;
}
