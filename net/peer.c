/* One WebRTC PeerConnection (see peer.h).
 *
 * Lifetime: entry points from libnice and from our timers hold a reference while they run, so
 * the owner may call peer_destroy() from inside any peer callback; the memory goes when the
 * last reference drops, and no user callback runs after peer_destroy().
 */
#include "net/peer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/ice.h"
#include "net/loop.h"

#define DEFAULT_CONNECT_TIMEOUT_MS 10000

struct peer {
	int refs;
	bool dead; /* peer_destroy called: no more callbacks */
	GMainContext *main;
	struct peer_config cfg;
	struct peer_callbacks cb;
	struct ice *ice;
	struct dtls *dtls;
	struct srtp_session *srtp;
	enum peer_state state;
	enum ice_state ice_state;
	GPtrArray *local_cands; /* char* */
	GPtrArray *early_cands; /* char*: trickled before the remote SDP */
	bool early_eoc;         /* end of candidates trickled before the remote SDP */
	bool gathering_done;
	GSource *dtls_timer, *connect_timer;
	bool batched;         /* wanted: polled receive once connected */
	GSource *poll_timer;  /* while polled: due PEER_POLL_MAX_MS after the last poll */
	gint64 poll_due;      /* monotonic µs; each poll moves it, which wakes nothing */
	struct peer_stats stats;
};

static void peer_ref(struct peer *p)
{
	p->refs++;
}

static void peer_unref(struct peer *p)
{
	if (--p->refs > 0)
		return;
	loop_source_drop(&p->dtls_timer);
	loop_source_drop(&p->connect_timer);
	loop_source_drop(&p->poll_timer);
	srtp_session_destroy(p->srtp);
	dtls_destroy(p->dtls);
	ice_destroy(p->ice);
	g_ptr_array_free(p->local_cands, TRUE);
	g_ptr_array_free(p->early_cands, TRUE);
	free(p);
}

static gboolean poll_timer_cb(gpointer data)
{
	struct peer *p = data;

	p->poll_due = g_get_monotonic_time() + PEER_POLL_MAX_MS * 1000; /* or it stays ready */
	peer_poll(p); /* may release p */
	return G_SOURCE_CONTINUE;
}

/* Polled receive as batched says, from PEER_CONNECTED on. */
static void apply_batched(struct peer *p)
{
	bool on = p->batched && p->state == PEER_CONNECTED && !p->dead;

	if (on == ice_polled(p->ice) || ice_set_polled(p->ice, on) < 0)
		return;
	loop_source_drop(&p->poll_timer);
	if (on) {
		p->poll_due = g_get_monotonic_time() + PEER_POLL_MAX_MS * 1000;
		p->poll_timer = loop_deadline_source_new(&p->poll_due);
		g_source_set_callback(p->poll_timer, poll_timer_cb, p, NULL);
		g_source_attach(p->poll_timer, p->main);
	}
}

static void set_state(struct peer *p, enum peer_state st, int err, const char *reason)
{
	if (p->state == st || p->state == PEER_FAILED || p->state == PEER_CLOSED)
		return;
	p->state = st;
	if (st == PEER_CONNECTED || st == PEER_FAILED || st == PEER_CLOSED)
		loop_source_drop(&p->connect_timer);
	if (st == PEER_CONNECTED)
		apply_batched(p);
	if (!p->dead && p->cb.state_cb)
		p->cb.state_cb(p->cb.user, st, err, reason ? reason : "");
}

static void fail(struct peer *p, int err, const char *reason)
{
	loop_source_drop(&p->dtls_timer);
	set_state(p, PEER_FAILED, err, reason);
}

/* ---- DTLS ---- */

static gboolean dtls_timer_cb(gpointer data);

static void arm_dtls_timer(struct peer *p)
{
	loop_source_drop(&p->dtls_timer);
	if (!p->dtls)
		return;
	int ms = dtls_next_timeout_ms(p->dtls);
	if (ms < 0)
		return;
	p->dtls_timer = g_timeout_source_new((guint)ms);
	g_source_set_callback(p->dtls_timer, dtls_timer_cb, p, NULL);
	g_source_attach(p->dtls_timer, p->main);
}

static gboolean dtls_timer_cb(gpointer data)
{
	struct peer *p = data;
	peer_ref(p);
	g_source_unref(p->dtls_timer);
	p->dtls_timer = NULL;
	dtls_handle_timeout(p->dtls); /* a failure comes back as a DTLS event */
	if (!p->dead)
		arm_dtls_timer(p);
	peer_unref(p);
	return G_SOURCE_REMOVE;
}

static void dtls_send(void *user, const uint8_t *data, size_t len)
{
	struct peer *p = user;
	int rc = ice_send(p->ice, data, len);
	if (rc < 0)
		p->stats.send_errors++;
	else
		p->stats.bytes_out += len;
}

static void dtls_event(void *user, const struct dtls_event *ev)
{
	struct peer *p = user;
	char why[256];
	int rc;

	switch (ev->type) {
	case DTLS_EVENT_CONNECTED:
		p->stats.t_dtls_connected = g_get_monotonic_time();
		if (!ev->keys) {
			fail(p, -EPROTO, "the server agreed no SRTP profile");
			return;
		}
		rc = srtp_session_create(&p->srtp, ev->keys);
		if (rc < 0) {
			snprintf(why, sizeof(why), "cannot set up SRTP (%s)",
				 dtls_srtp_profile_name(ev->keys->profile));
			fail(p, rc, why);
			return;
		}
		set_state(p, PEER_CONNECTED, 0, dtls_srtp_profile_name(ev->keys->profile));
		break;
	case DTLS_EVENT_APP_DATA:
		if (!p->dead && p->cb.data_cb)
			p->cb.data_cb(p->cb.user, ev->data, ev->len);
		break;
	case DTLS_EVENT_CLOSED:
		set_state(p, PEER_CLOSED, 0, "the server closed the media connection");
		break;
	case DTLS_EVENT_FAILED:
		if (ev->err == -EKEYREJECTED) /* the digests are in no way useful to the user */
			snprintf(why, sizeof(why), "DTLS fingerprint mismatch: the media server's "
				 "certificate is not the one its SDP announced; media refused");
		else
			snprintf(why, sizeof(why), "DTLS failed: %s", ev->reason);
		fail(p, ev->err, why);
		break;
	}
}

/* ---- ICE ---- */

static void ice_candidate(void *user, const char *candidate)
{
	struct peer *p = user;
	g_ptr_array_add(p->local_cands, g_strdup(candidate));
	if (!p->dead && p->cb.candidate_cb)
		p->cb.candidate_cb(p->cb.candidate_user ? p->cb.candidate_user : p->cb.user,
				   candidate);
}

static void ice_gathering_done(void *user)
{
	struct peer *p = user;
	p->gathering_done = true;
	if (!p->dead && p->cb.candidate_cb)
		p->cb.candidate_cb(p->cb.candidate_user ? p->cb.candidate_user : p->cb.user,
				   NULL);
}

static void ice_state_changed(void *user, enum ice_state st)
{
	struct peer *p = user;
	peer_ref(p);
	p->ice_state = st;
	switch (st) {
	case ICE_STATE_CONNECTED:
	case ICE_STATE_READY:
		if (!p->stats.t_ice_connected)
			p->stats.t_ice_connected = g_get_monotonic_time();
		if (p->dtls && dtls_get_state(p->dtls) == DTLS_STATE_NEW &&
		    dtls_get_role(p->dtls) == DTLS_ROLE_CLIENT) {
			dtls_start(p->dtls);
			arm_dtls_timer(p);
		}
		break;
	case ICE_STATE_FAILED:
		fail(p, -ECONNREFUSED, "ICE failed: no network path to the media server");
		break;
	case ICE_STATE_CONSENT_LOST:
		fail(p, -ECONNRESET, "the media connection was lost (ICE consent expired)");
		break;
	default:
		break;
	}
	peer_unref(p);
}

static void ice_recv(void *user, const uint8_t *buf, size_t len)
{
	struct peer *p = user;
	/* SRTP works in place on 4-byte aligned memory. */
	uint32_t aligned[(PEER_PACKET_MAX + SRTP_SESSION_HEADROOM + 3) / 4];
	uint8_t *pkt = (uint8_t *)aligned;

	if (len == 0 || p->dead)
		return;
	peer_ref(p);
	p->stats.bytes_in += len;
	uint8_t b0 = buf[0];
	if (b0 >= 20 && b0 <= 63) {
		if (p->dtls) {
			dtls_handle_incoming(p->dtls, buf, len);
			if (!p->dead)
				arm_dtls_timer(p);
		}
	} else if (b0 >= 128 && b0 <= 191 && len >= 12 && len <= sizeof(aligned) && p->srtp) {
		memcpy(pkt, buf, len);
		size_t n = len;
		uint8_t pt = buf[1];
		if (pt >= 192 && pt <= 223) { /* RTCP (RFC 5761 §4) */
			if (srtp_session_unprotect_rtcp(p->srtp, pkt, &n) < 0) {
				p->stats.srtp_errors++;
			} else {
				p->stats.rtcp_in++;
				if (p->cb.rtcp_cb)
					p->cb.rtcp_cb(p->cb.user, pkt, n);
			}
		} else if (srtp_session_unprotect_rtp(p->srtp, pkt, &n) < 0) {
			p->stats.srtp_errors++;
		} else {
			p->stats.rtp_in++;
			if (p->cb.rtp_cb)
				p->cb.rtp_cb(p->cb.user, pkt, n);
		}
	}
	peer_unref(p);
}

/* ---- public ---- */

static gboolean connect_timeout_cb(gpointer data)
{
	struct peer *p = data;
	peer_ref(p);
	g_source_unref(p->connect_timer);
	p->connect_timer = NULL;
	char why[160];
	snprintf(why, sizeof(why), "media did not connect within %u s (%s)",
		 (p->cfg.connect_timeout_ms ? p->cfg.connect_timeout_ms : DEFAULT_CONNECT_TIMEOUT_MS) / 1000,
		 p->ice_state == ICE_STATE_CONNECTED || p->ice_state == ICE_STATE_READY
			 ? "ICE connected, DTLS did not finish"
			 : "ICE found no working path");
	fail(p, -ETIMEDOUT, why);
	peer_unref(p);
	return G_SOURCE_REMOVE;
}

int peer_create(GMainContext *main, const struct peer_config *cfg, const struct peer_callbacks *cbs,
		struct peer **out)
{
	struct peer *p = calloc(1, sizeof(*p));
	int rc;
	if (!p)
		return -ENOMEM;
	p->refs = 1;
	p->main = main;
	p->cfg = *cfg;
	p->cb = *cbs;
	p->local_cands = g_ptr_array_new_with_free_func(g_free);
	p->early_cands = g_ptr_array_new_with_free_func(g_free);
	struct ice_config icfg = {
		.controlling = cfg->offerer,
		.stun_server = cfg->stun_server,
		.turn_url = cfg->turn_url,
		.turn_user = cfg->turn_user,
		.turn_password = cfg->turn_password,
		.local_addrs = cfg->local_addrs,
	};
	struct ice_callbacks icb = {
		.candidate_cb = ice_candidate,
		.gathering_done_cb = ice_gathering_done,
		.state_cb = ice_state_changed,
		.recv_cb = ice_recv,
		.user = p,
	};
	if ((rc = ice_create(main, &icfg, &icb, &p->ice)) < 0)
		goto out;
	if ((rc = ice_gather(p->ice)) < 0)
		goto out;
	*out = p;
	return 0;
out:
	p->dead = true;
	peer_unref(p);
	return rc;
}

void peer_destroy(struct peer *p)
{
	if (!p)
		return;
	if (p->dtls && dtls_get_state(p->dtls) == DTLS_STATE_CONNECTED)
		dtls_shutdown(p->dtls); /* close_notify goes out through ICE right now */
	p->dead = true;
	peer_unref(p);
}

const char *peer_ice_ufrag(const struct peer *p)
{
	return ice_local_ufrag(p->ice);
}

const char *peer_ice_pwd(const struct peer *p)
{
	return ice_local_pwd(p->ice);
}

const char *peer_fingerprint(const struct peer *p)
{
	return dtls_cert_fingerprint(p->cfg.cert);
}

const char *const *peer_local_candidates(const struct peer *p, size_t *n_out)
{
	*n_out = p->local_cands->len;
	return (const char *const *)p->local_cands->pdata;
}

bool peer_gathering_done(const struct peer *p)
{
	return p->gathering_done;
}

void peer_sdp_local(const struct peer *p, struct sdp_local *out)
{
	memset(out, 0, sizeof(*out));
	out->sess_id = g_random_int();
	out->sess_version = 1;
	out->ice_ufrag = peer_ice_ufrag(p);
	out->ice_pwd = peer_ice_pwd(p);
	out->fingerprint = peer_fingerprint(p);
	out->cands = peer_local_candidates(p, &out->n_cands);
	out->cands_done = peer_gathering_done(p);
}

int peer_set_remote(struct peer *p, const struct sdp_session *remote, int mline)
{
	const struct sdp_media *m;
	int rc;

	if (mline < 0 || mline >= remote->n_media)
		return -EINVAL;
	if (p->dtls)
		return -EALREADY;
	m = &remote->media[mline];
	if (!m->ice_ufrag[0] || !m->ice_pwd[0])
		return -EINVAL;
	if (strcmp(m->fp.alg, "sha-256") || m->fp.len != 32)
		return -EINVAL;

	struct dtls_config dc = {
		.cert = p->cfg.cert,
		.send_cb = dtls_send,
		.event_cb = dtls_event,
		.user = p,
	};
	/* The answer's setup decides; to an offer (actpass) we answer active = DTLS client. */
	if (m->setup == SDP_SETUP_ACTIVE)
		dc.role = DTLS_ROLE_SERVER;
	else if (m->setup == SDP_SETUP_PASSIVE || m->setup == SDP_SETUP_ACTPASS)
		dc.role = DTLS_ROLE_CLIENT;
	else
		return -EINVAL;
	snprintf(dc.remote_fp.alg, sizeof(dc.remote_fp.alg), "%s", m->fp.alg);
	memcpy(dc.remote_fp.bytes, m->fp.bytes, m->fp.len);
	dc.remote_fp.len = m->fp.len;
	if (p->cfg.tamper_remote_fingerprint)
		dc.remote_fp.bytes[0] ^= 0x5a;
	if ((rc = dtls_create(&p->dtls, &dc)) < 0)
		return rc;
	if ((rc = ice_set_remote_credentials(p->ice, m->ice_ufrag, m->ice_pwd)) < 0)
		return rc;
	for (unsigned i = 0; i < m->n_cands; i++) {
		const struct sdp_candidate *c = sdp_media_cand(remote, m, i);
		char line[300];
		snprintf(line, sizeof(line), "candidate:%s", c->raw);
		ice_add_remote_candidate(p->ice, line); /* unusable ones (tcp, v6) are skipped */
	}
	for (guint i = 0; i < p->early_cands->len; i++)
		ice_add_remote_candidate(p->ice, p->early_cands->pdata[i]);
	g_ptr_array_set_size(p->early_cands, 0);
	set_state(p, PEER_CONNECTING, 0, NULL);
	unsigned ms = p->cfg.connect_timeout_ms ? p->cfg.connect_timeout_ms
						: DEFAULT_CONNECT_TIMEOUT_MS;
	p->connect_timer = g_timeout_source_new(ms);
	g_source_set_callback(p->connect_timer, connect_timeout_cb, p, NULL);
	g_source_attach(p->connect_timer, p->main);
	if (m->end_of_candidates || p->early_eoc)
		ice_remote_end_of_candidates(p->ice);
	/* ICE may already be connected (it can be, with prflx candidates): start DTLS now. */
	if ((p->ice_state == ICE_STATE_CONNECTED || p->ice_state == ICE_STATE_READY) &&
	    dc.role == DTLS_ROLE_CLIENT) {
		dtls_start(p->dtls);
		arm_dtls_timer(p);
	}
	return 0;
}

int peer_add_remote_candidate(struct peer *p, const char *candidate)
{
	if (!p->dtls) { /* no remote SDP yet: keep it for peer_set_remote */
		if (p->early_eoc)
			return -EALREADY;
		if (!candidate) {
			p->early_eoc = true;
			return 0;
		}
		if (strnlen(candidate, 512) >= 512)
			return -EINVAL;
		if (p->early_cands->len >= PEER_EARLY_CANDIDATES)
			return -ENOSPC;
		g_ptr_array_add(p->early_cands, g_strdup(candidate));
		return 0;
	}
	if (!candidate)
		return ice_remote_end_of_candidates(p->ice);
	return ice_add_remote_candidate(p->ice, candidate);
}

static int send_protected(struct peer *p, uint8_t *buf, size_t len, size_t cap, bool rtcp)
{
	size_t n = len;
	int rc;
	if (p->state != PEER_CONNECTED || !p->srtp)
		return -ENOTCONN;
	rc = rtcp ? srtp_session_protect_rtcp(p->srtp, buf, &n, cap)
		  : srtp_session_protect_rtp(p->srtp, buf, &n, cap);
	if (rc < 0)
		return rc;
	rc = ice_send(p->ice, buf, n);
	if (rc < 0) {
		p->stats.send_errors++;
		return rc;
	}
	p->stats.bytes_out += n;
	if (rtcp)
		p->stats.rtcp_out++;
	else
		p->stats.rtp_out++;
	return 0;
}

int peer_send_rtp(struct peer *p, uint8_t *buf, size_t len, size_t cap)
{
	return send_protected(p, buf, len, cap, false);
}

int peer_send_rtcp(struct peer *p, uint8_t *buf, size_t len, size_t cap)
{
	return send_protected(p, buf, len, cap, true);
}

int peer_send_data(struct peer *p, const uint8_t *buf, size_t len)
{
	if (p->state != PEER_CONNECTED)
		return -ENOTCONN;
	int rc = dtls_send_app(p->dtls, buf, len);
	if (rc == 0)
		arm_dtls_timer(p);
	return rc;
}

void peer_set_batched(struct peer *p, bool on)
{
	p->batched = on;
	apply_batched(p);
}

int peer_poll(struct peer *p)
{
	int n;

	if (p->dead || !ice_polled(p->ice))
		return 0;
	p->poll_due = g_get_monotonic_time() + PEER_POLL_MAX_MS * 1000;
	peer_ref(p);
	n = ice_poll(p->ice);
	peer_unref(p);
	return n;
}

int64_t peer_arrival_us(const struct peer *p)
{
	return ice_arrival_us(p->ice);
}

enum peer_state peer_get_state(const struct peer *p)
{
	return p->state;
}

void peer_get_stats(const struct peer *p, struct peer_stats *out)
{
	*out = p->stats;
	out->dtls_screened = p->dtls ? dtls_get_screened(p->dtls) : 0;
}

int peer_describe_path(struct peer *p, char *buf, size_t len)
{
	struct ice_pair_info pi;
	int rc = ice_get_selected_pair(p->ice, &pi);
	if (rc < 0)
		return rc;
	snprintf(buf, len, "udp %s:%u %s <-> %s:%u %s", pi.local_addr, pi.local_port, pi.local_type,
		 pi.remote_addr, pi.remote_port, pi.remote_type);
	return 0;
}
