"""Media behind the stand-in focus (tests/lab/focus.py --bridge): Janus's AudioBridge plays the
Jitsi Videobridge. Python standard library only. Written from the wire formats (XEP-0166/0167/
0176/0320/0338/0339, RFC 8866, Janus's AudioBridge API as documented in meetecho/janus-gateway
plugins/janus_audiobridge.c, NOTES §2.2 and §2.6 for what jicofo sends); nothing copied.

Per participant the focus asks the AudioBridge to join with `generate_offer` (Janus offers),
turns Janus's SDP offer into the Jingle `session-initiate` a Jitsi client expects from jicofo
(offer_to_jingle), turns the client's `session-accept` into the SDP answer Janus expects
(accept_to_sdp) and relays candidates both ways (jingle_candidates, candidate_xml). The
client hears the bridge's mix of everyone else (one SSRC, owner `jvb`).

Mapping: Janus offers one audio m-line (mid "0"); Jitsi clients want the contents `audio` and
`video` in one BUNDLE transport. So the offer gets a `video` content with a bridge video source
and nothing behind it (the 2021 lib-jitsi-meet fails without one: NOTES §7), and the answer to
Janus carries the client's audio content only, under Janus's mid. The RTP mid header extension
is not offered to the client (its mid would be `audio`, Janus's is `0`).

JanusLink is a Janus WebSocket API client for a select() loop: a reader thread turns each
message into a call on the owner's thread through a pipe (fileno/drain).
"""

import json
import os
import queue
import random
import threading
import time
from xml.sax.saxutils import quoteattr

import wsclient

NS_JINGLE = "urn:xmpp:jingle:1"
NS_RTP = "urn:xmpp:jingle:apps:rtp:1"
NS_ICE = "urn:xmpp:jingle:transports:ice-udp:1"
NS_DTLS = "urn:xmpp:jingle:apps:dtls:0"
NS_SSMA = "urn:xmpp:jingle:apps:rtp:ssma:0"
NS_HDREXT = "urn:xmpp:jingle:apps:rtp:rtp-hdrext:0"
NS_FB = "urn:xmpp:jingle:apps:rtp:rtcp-fb:0"
NS_GROUP = "urn:xmpp:jingle:apps:grouping:0"
NS_JITMEET = "http://jitsi.org/jitmeet"
NS_FOCUS = "http://jitsi.org/protocol/focus"
NS_COLIBRI = "http://jitsi.org/protocol/colibri"
EXT_MID = "urn:ietf:params:rtp-hdrext:sdes:mid"
BRIDGE_MSID_AUDIO = "mixedmslabel mixedlabelaudio0"
BRIDGE_MSID_VIDEO = "mixedmslabel mixedlabelvideo0"
CAND_ATTRS = ("component", "foundation", "generation", "id", "ip", "network", "port",
              "priority", "protocol", "type", "rel-addr", "rel-port", "tcptype")


def q(v):
    return quoteattr(str(v))


def parse_sdp(sdp):
    """The parts of an SDP the bridge needs: {"fingerprint": (hash, value), "setup", "ufrag",
    "pwd", "media": [{"kind", "pts", "mid", "rtpmap": {pt: "name/rate[/ch]"}, "fmtp": {pt:
    {k: v}}, "fb": {pt: [(type, subtype)]}, "ext": [(id, uri)], "ssrcs": {ssrc: {attr: v}},
    "candidates": ["candidate:..."], ...}]} (media-level ICE/DTLS lines override session ones)."""
    out = {"media": []}
    cur = out
    for line in sdp.replace("\r\n", "\n").split("\n"):
        if line.startswith("m="):
            kind, _, _, *pts = line[2:].split()
            cur = {"kind": kind, "pts": pts, "rtpmap": {}, "fmtp": {}, "fb": {}, "ext": [],
                   "ssrcs": {}, "candidates": []}
            out["media"].append(cur)
            continue
        if not line.startswith("a="):
            continue
        key, _, val = line[2:].partition(":")
        if key == "fingerprint":
            h, _, fp = val.partition(" ")
            cur["fingerprint"] = (h, fp.strip())
        elif key in ("setup", "mid"):
            cur[key] = val.strip()
        elif key == "ice-ufrag":
            cur["ufrag"] = val.strip()
        elif key == "ice-pwd":
            cur["pwd"] = val.strip()
        elif key == "rtpmap":
            pt, _, codec = val.partition(" ")
            cur["rtpmap"][pt] = codec.strip()
        elif key == "fmtp":
            pt, _, params = val.partition(" ")
            # Janus 1.1.2 writes "a=fmtp:111 0 maxplaybackrate=..." (a stray payload number)
            cur["fmtp"][pt] = dict(p.strip().split()[-1].split("=", 1)
                                   for p in params.split(";") if "=" in p)
        elif key == "rtcp-fb":
            pt, _, fb = val.partition(" ")
            t, _, sub = fb.strip().partition(" ")
            cur["fb"].setdefault(pt, []).append((t, sub))
        elif key == "extmap":
            ident, _, uri = val.partition(" ")
            cur["ext"].append((ident.split("/")[0], uri.split()[0]))
        elif key == "ssrc":
            ssrc, _, attr = val.partition(" ")
            k, _, v = attr.partition(":")
            cur["ssrcs"].setdefault(ssrc, {})[k] = v
        elif key == "candidate":
            cur["candidates"].append(line[2:])
    for m in out["media"]:
        for k in ("fingerprint", "setup", "ufrag", "pwd"):
            if k not in m and k in out:
                m[k] = out[k]
    return out


def candidate_xml(line, ident):
    """<candidate/> (XEP-0176) for an SDP candidate line ("candidate:F C proto prio ip port typ
    T [raddr A rport P] [tcptype X] [generation G] ..."); None for one that is not UDP/TCP."""
    f = line.split(":", 1)[-1].split()
    if len(f) < 8 or f[6] != "typ" or f[2].lower() not in ("udp", "tcp"):
        return None
    a = {"foundation": f[0], "component": f[1], "protocol": f[2].lower(), "priority": f[3],
         "ip": f[4], "port": f[5], "type": f[7], "generation": "0", "network": "0", "id": ident}
    rest = f[8:]
    for k, v in zip(rest[::2], rest[1::2]):
        a.update({"raddr": {"rel-addr": v}, "rport": {"rel-port": v}, "tcptype": {"tcptype": v},
                  "generation": {"generation": v}}.get(k, {}))
    return "<candidate %s/>" % " ".join("%s=%s" % (k, q(a[k])) for k in CAND_ATTRS if k in a)


def jingle_candidates(transport):
    """SDP candidate lines ("candidate:...") for the <candidate/>s of a Jingle transport."""
    out = []
    for c in transport.findall("{%s}candidate" % NS_ICE):
        g = c.get
        if not all(g(k) for k in ("foundation", "component", "protocol", "priority", "ip",
                                  "port", "type")):
            continue
        line = "candidate:%s %s %s %s %s %s typ %s" % (
            g("foundation"), g("component"), g("protocol"), g("priority"), g("ip"), g("port"),
            g("type"))
        if g("rel-addr") and g("rel-port"):
            line += " raddr %s rport %s" % (g("rel-addr"), g("rel-port"))
        if g("tcptype"):
            line += " tcptype %s" % g("tcptype")
        out.append(line + " generation %s" % (g("generation") or "0"))
    return out


def _transport_xml(m, with_candidates, colibri=None):
    fp_hash, fp = m["fingerprint"]
    cands = "".join(filter(None, (candidate_xml(c, "c%d" % i)
                                  for i, c in enumerate(m["candidates"])))) \
        if with_candidates else ""
    # the bridge channel's URL, as jicofo puts it in every transport: the bridge's ICE
    # password as its query (here Janus's)
    ws = "<web-socket xmlns='%s' url=%s/>" % (NS_COLIBRI, q("%s?pwd=%s" % (colibri, m["pwd"]))) \
        if colibri else ""
    return ("<transport xmlns='%s' ufrag=%s pwd=%s>%s<fingerprint xmlns='%s' hash=%s "
            "setup='actpass'>%s</fingerprint>%s</transport>"
            % (NS_ICE, q(m["ufrag"]), q(m["pwd"]), ws, NS_DTLS, q(fp_hash), fp, cands))


def _source_xml(ssrc, name, msid):
    return ("<source xmlns='%s' ssrc=%s name=%s><parameter name='msid' value=%s/>"
            "<ssrc-info xmlns='%s' owner='jvb'/></source>" % (NS_SSMA, q(ssrc), q(name), q(msid),
                                                             NS_JITMEET))


def _payloads_xml(m):
    pts = ""
    for pt in m["pts"]:
        name, rate, *ch = m["rtpmap"].get(pt, "").split("/")
        if not name:
            continue
        params = "".join("<parameter name=%s value=%s/>" % (q(k), q(v))
                         for k, v in m["fmtp"].get(pt, {}).items())
        fbs = "".join("<rtcp-fb xmlns='%s' type=%s%s/>" % (NS_FB, q(t), " subtype=%s" % q(sub)
                                                            if sub else "")
                      for t, sub in m["fb"].get(pt, []))
        pts += "<payload-type id=%s name=%s clockrate=%s channels=%s>%s%s</payload-type>" % (
            q(pt), q(name), q(rate), q(ch[0] if ch else "1"), params, fbs)
    return pts


def offer_to_jingle(sdp, sid, initiator, video_ssrc, colibri=None, real_video=False):
    """The <jingle action='session-initiate'> for Janus's SDP offer: an `audio` content with
    Janus's audio m-line (its codecs, feedback, the audio level extension, its SSRC as the
    bridge's source), a `video` content with VP8 and the bridge source video_ssrc but no media
    behind it, one ICE-UDP transport with DTLS fingerprint and Janus's candidates in both, a
    BUNDLE group and a bridge-session, as jicofo sends. colibri: the bridge channel's URL
    without its query (ws://HOST:PORT/colibri-ws/SERVER/CONF/ENDPOINT), put in both transports
    with ?pwd=<the ICE password> as jicofo does; None: no bridge channel. real_video: the
    offer's own video m-line (its codecs and feedback) makes the video content (the forwarding
    bridge, jsfu.py), still with the bridge source video_ssrc."""
    s = parse_sdp(sdp)
    m = next(x for x in s["media"] if x["kind"] == "audio")
    exts = "".join("<rtp-hdrext xmlns='%s' id=%s uri=%s/>" % (NS_HDREXT, q(i), q(u))
                   for i, u in m["ext"] if u != EXT_MID)
    sources = "".join(_source_xml(ssrc, "jvb-a%d" % i, BRIDGE_MSID_AUDIO)
                      for i, ssrc in enumerate(m["ssrcs"]))
    audio = ("<content creator='initiator' name='audio' senders='both'><description xmlns='%s' "
             "media='audio' maxptime='60'>%s%s<rtcp-mux/>%s</description>%s</content>"
             % (NS_RTP, _payloads_xml(m), exts, sources, _transport_xml(m, True, colibri)))
    v = next((x for x in s["media"] if x["kind"] == "video"), None) if real_video else None
    if v is not None:
        vpts = _payloads_xml(v) + "".join(
            "<rtp-hdrext xmlns='%s' id=%s uri=%s/>" % (NS_HDREXT, q(i), q(u))
            for i, u in v["ext"] if u != EXT_MID)
    else:
        vpts = ("<payload-type id='100' name='VP8' clockrate='90000' channels='1'>"
                "<rtcp-fb xmlns='%s' type='nack'/><rtcp-fb xmlns='%s' type='nack' subtype='pli'/>"
                "</payload-type>" % (NS_FB, NS_FB))
    video = ("<content creator='initiator' name='video' senders='both'><description xmlns='%s' "
             "media='video'>%s<rtcp-mux/>%s</description>%s</content>"
             % (NS_RTP, vpts, _source_xml(video_ssrc, "jvb-v0", BRIDGE_MSID_VIDEO),
                _transport_xml(m, True, colibri)))
    return ("<jingle xmlns='%s' action='session-initiate' initiator=%s sid=%s>%s%s"
            "<group xmlns='%s' semantics='BUNDLE'><content name='audio'/><content name='video'/>"
            "</group><bridge-session xmlns='%s' id=%s/></jingle>"
            % (NS_JINGLE, q(initiator), q(sid), audio, video, NS_GROUP, NS_FOCUS, q(sid)))


def _answer_media(jingle, offer, kind):
    """(content, payload types, m-section lines) of a session-accept's content of media kind
    for the offer's m-line offer; None when the client left that content out (or, not audio,
    has none of the offer's codecs). ValueError for audio without one of the offer's codecs."""
    found = None
    for c in jingle.findall("{%s}content" % NS_JINGLE):
        d = c.find("{%s}description" % NS_RTP)
        if d is not None and (d.get("media") == kind or c.get("name") == kind):
            found = (c, d)
            break
    if found is None:
        return None
    c, d = found
    lines = []
    pts = []
    for p in d.findall("{%s}payload-type" % NS_RTP):
        pt = p.get("id")
        if pt not in offer["pts"]:
            continue
        pts.append(pt)
        lines.append("a=rtpmap:%s %s/%s/%s" % (pt, p.get("name"), p.get("clockrate"),
                                              p.get("channels") or "1"))
        params = ";".join("%s=%s" % (x.get("name"), x.get("value"))
                          for x in p.findall("{%s}parameter" % NS_RTP))
        if params:
            lines.append("a=fmtp:%s %s" % (pt, params))
        for fb in p.findall("{%s}rtcp-fb" % NS_FB):
            sub = " " + fb.get("subtype") if fb.get("subtype") else ""
            lines.append("a=rtcp-fb:%s %s%s" % (pt, fb.get("type"), sub))
    if not pts and kind != "audio":
        return None  # a video content without a codec of ours: as if left out
    if not pts:
        raise ValueError("session-accept: no codec of the offer in the audio content")
    for e in d.findall("{%s}rtp-hdrext" % NS_HDREXT):
        if any(e.get("uri") == u and e.get("id") == i for i, u in offer["ext"]):
            lines.append("a=extmap:%s %s" % (e.get("id"), e.get("uri")))
    for src in d.findall("{%s}source" % NS_SSMA):
        ssrc = src.get("ssrc")
        if not (ssrc or "").isdigit():
            continue
        lines.append("a=ssrc:%s cname:%s" % (ssrc, "jitsi-%s" % ssrc))
        for prm in src.findall("{%s}parameter" % NS_SSMA):
            if prm.get("name") == "msid" and prm.get("value"):
                lines.append("a=ssrc:%s msid:%s" % (ssrc, prm.get("value")))
    return c, pts, lines


def accept_to_sdp(jingle, offer_sdp, kinds=("audio",)):
    """The SDP answer for the bridge from a client's <jingle action='session-accept'>: for each
    m-line of the offer whose kind is in kinds (Janus: audio only, under Janus's mid), the
    client's content of that kind (its codecs and sources; a content left out is refused, port
    0), then the client's transport (ICE credentials, fingerprint and setup role, candidates if
    any) once. ValueError when it has no usable audio content."""
    media = [m for m in parse_sdp(offer_sdp)["media"] if m["kind"] in kinds]
    t = fp = None
    for c in jingle.findall("{%s}content" % NS_JINGLE):
        t = c.find("{%s}transport" % NS_ICE)
        fp = t.find("{%s}fingerprint" % NS_DTLS) if t is not None else None
        if t is not None and fp is not None and t.get("ufrag") and t.get("pwd"):
            break
    got = [_answer_media(jingle, m, m["kind"]) for m in media]
    if not any(g is not None and m["kind"] == "audio" for g, m in zip(got, media)):
        raise ValueError("session-accept without an audio content")
    if t is None or fp is None or not t.get("ufrag") or not t.get("pwd"):
        raise ValueError("session-accept without ICE credentials or DTLS fingerprint")
    mids = [m.get("mid") or str(i) for i, m in enumerate(media)]
    sdp = ["v=0", "o=- %d 2 IN IP4 0.0.0.0" % random.randrange(1 << 40), "s=-", "t=0 0",
           "a=group:BUNDLE %s" % " ".join(mid for mid, g in zip(mids, got) if g is not None)]
    first = True
    for m, mid, g in zip(media, mids, got):
        if g is None:
            sdp += ["m=%s 0 UDP/TLS/RTP/SAVPF %s" % (m["kind"], m["pts"][0]),
                    "c=IN IP4 0.0.0.0", "a=inactive", "a=mid:%s" % mid]
            continue
        c, pts, lines = g
        # the answer is the client's, the responder's: senders='responder' is what it sends
        direction = {"both": "sendrecv", "responder": "sendonly", "initiator": "recvonly",
                     "none": "inactive"}.get(c.get("senders") or "both", "sendrecv")
        sdp += ["m=%s 9 UDP/TLS/RTP/SAVPF %s" % (m["kind"], " ".join(pts)),
                "c=IN IP4 0.0.0.0", "a=%s" % direction, "a=mid:%s" % mid, "a=rtcp-mux",
                "a=ice-ufrag:%s" % t.get("ufrag"), "a=ice-pwd:%s" % t.get("pwd"),
                "a=fingerprint:%s %s" % (fp.get("hash"), (fp.text or "").strip()),
                "a=setup:%s" % (fp.get("setup") or "active")] + lines
        if first:  # bundled: the candidates once
            sdp += ["a=" + x for x in jingle_candidates(t)]
        first = False
    return "\r\n".join(sdp) + "\r\n"


class JanusLink:
    """One Janus API session over WebSocket, for the focus's select() loop. call() sends a
    request and waits for its final reply (for a plugin `message`: its event, not the ack);
    send() sends one whose reply does not matter (trickle, detach, keepalive). Every other
    message (trickle, webrtcup, hangup, media, plugin notifications) goes to on_event(msg),
    from drain() when fileno() is readable, or from inside call() while it waits. Owner thread
    only; a reader thread only reads the socket into a queue and wakes the pipe."""

    def __init__(self, url, on_event, timeout=10.0):
        self.ws = wsclient.WebSocket(url, subprotocol="janus-protocol", timeout=timeout)
        self.ws.settimeout(None)
        self.timeout = timeout
        self.on_event = on_event
        self.seq = 0
        self.session = None
        self.ignored = set()   # transactions of send(): their replies are dropped
        self.inbox = queue.Queue()
        self.rfd, self.wfd = os.pipe()
        threading.Thread(target=self._read, daemon=True).start()
        self.session = self.call({"janus": "create"})["data"]["id"]

    def _read(self):
        try:
            while True:
                self.inbox.put(json.loads(self.ws.recv_text()))
                os.write(self.wfd, b"m")
        except (OSError, ValueError, wsclient.WSError) as e:
            self.inbox.put({"janus": "closed", "error": str(e)})
            os.write(self.wfd, b"x")

    def fileno(self):
        return self.rfd

    def _dispatch(self, msg):
        if msg.get("janus") == "closed":
            raise SystemExit("focus: the Janus connection closed: %s" % msg.get("error"))
        txn = msg.get("transaction")
        if txn in self.ignored:
            if msg.get("janus") != "ack" or not txn.startswith("fm"):
                self.ignored.discard(txn)
            return
        if msg.get("janus") != "ack":
            self.on_event(msg)

    def drain(self):
        os.read(self.rfd, 4096)
        while True:
            try:
                msg = self.inbox.get_nowait()
            except queue.Empty:
                return
            self._dispatch(msg)

    def _send(self, body, handle, prefix):
        self.seq += 1
        body = dict(body, transaction="%s%d" % (prefix, self.seq))
        if self.session is not None:
            body["session_id"] = self.session
        if handle is not None:
            body["handle_id"] = handle
        self.ws.send(json.dumps(body))
        return body["transaction"]

    def send(self, body, handle=None):
        # a message's ack is followed by its event; other requests have one reply
        self.ignored.add(self._send(body, handle, "fm" if body["janus"] == "message" else "fx"))

    def call(self, body, handle=None):
        """The final reply to body; RuntimeError on a Janus error or after timeout s."""
        txn = self._send(body, handle, "fc")
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                msg = self.inbox.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                raise RuntimeError("Janus: no answer to %s in %.0f s" % (body, self.timeout))
            if msg.get("transaction") != txn:
                self._dispatch(msg)
                continue
            if msg.get("janus") == "ack":
                continue
            data = msg.get("plugindata", {}).get("data", {})
            if msg.get("janus") == "error" or "error_code" in data:
                raise RuntimeError("Janus: %s -> %s" % (body, msg))
            return msg
