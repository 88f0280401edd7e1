"""Media behind the stand-in focus (tests/lab/focus.py --sfu): tests/lab/sfu.js, a werift
forwarding bridge, plays the Jitsi Videobridge. Python standard library only; written from the
wire formats (XEP-0166/0167/0339, NOTES §2.2-2.3 for what jicofo sends); nothing copied.

Unlike --bridge (Janus's AudioBridge: one mixed stream), every participant's own audio and
video reach the others as the participant sent them, under its own SSRCs, on one bundled audio
and one video m-line, and the focus tells each participant whose SSRC is whose as jicofo does:
- once two participants are in the room, each gets a session-initiate made from sfu.js's SDP
  offer (jbridge.offer_to_jingle with real_video: audio and VP8 video, BUNDLE, the bridge's own
  sources owned by `jvb`, and the bridge channel sfu.js serves named in the transports:
  ws://ADDRESS:PORT/colibri-ws/default-id/ROOM/NICK?pwd=ICEPWD), after the focus has its
  disco#info answer; a late joiner's carries the sources of everyone whose session is
  accepted, as jicofo's does;
- its session-accept becomes sfu.js's SDP answer (jbridge.accept_to_sdp, audio and video),
  its video source names go to sfu.js (for on-stage source names), its candidates (in the
  accept or in transport-info) go to sfu.js; sfu.js's candidates are all in its offer;
- when a participant's accept arrives, its audio and video sources go to every other
  participant with an accepted session as `source-add`, and it gets one source-add with
  everyone else's: as JSON (`<json-message>`, owner the endpoint id; video sources first, as
  jicofo encodes them) to a participant whose disco#info (asked when it is invited) lists
  json-encoded-sources, as jicofo does, else (or for a display name in focus.py's
  --xml-sources) as XML `<source>`s with `<ssrc-info owner='ROOM@MUC/nick'/>` in an audio and
  a video content;
- which videos each participant receives is sfu.js's (its bridge channel's
  ReceiverVideoConstraints, the dominant speaker: see sfu.js);
- when it leaves (or ends its session) the others get `source-remove` for its sources and
  sfu.js drops it; drop() (focus.py's sfu_drop command) does the same to someone who stays in
  the room (sfu.js stops forwarding their media), as a bridge that lost their sources.
Logged as {"sfu": what, "occupant", ...} records: features (json: True if it gets JSON
sources), offered, accepted (sources: its audio SSRCs, video: its video SSRCs), candidates,
source-add, source-remove (owners: {occupant: [SSRCs, audio and video]}), connected, ssrc (a
new SSRC sfu.js receives from it; kind; level: its first packet carries the audio level
extension), removed (packets received from it, sent to it, video_sent: {sender: video packets
sent to it}), dropped, video (on: its video taken as stopped or back, focus.py's sfu_video),
new-ssrc (old, ssrc: focus.py's sfu_new_ssrc) and alias (ssrc: sfu.js forwards the video under
it from now on), left, terminated, error; and sfu.js's channel (open), refused,
constraints (msg, invalid), dominant, forwarding (video: the senders it now gets, pli: those
asked for a keyframe, told: the ForwardedSources or LastNEndpointsChangeEvent its channel was
sent, null if not open), pli (a receiver's picture loss relayed to it: ssrc, for);
"offered" has the occupant's display name (its presence's <nick>), json and the owners whose
sources its session-initiate carries.

SfuLink runs `node sfu.js ADDRESS` (in the focus's namespace) and is select()able like
jbridge.JanusLink: fileno() / drain() hand sfu.js's JSON lines to on_event.
"""

import json
import os
import random
import subprocess
from xml.sax.saxutils import escape, quoteattr

import jbridge

SFU_JS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sfu.js")
NS_JINGLE = jbridge.NS_JINGLE
EXT_LEVEL = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
NS_DISCO_INFO = "http://jabber.org/protocol/disco#info"
JSON_SOURCES = "http://jitsi.org/json-encoded-sources"


class SfuLink:
    """sfu.js as a child process: send(obj) writes a command line, drain() reads its lines."""

    def __init__(self, address, on_event):
        self.proc = subprocess.Popen(["node", SFU_JS, address], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, bufsize=0)
        self.on_event = on_event
        self.buf = b""
        line = self.proc.stdout.readline()
        try:
            self.colibri_port = int(json.loads(line)["colibri"])
        except (ValueError, KeyError, TypeError):
            raise SystemExit("focus: sfu.js did not start: %r" % line)

    def fileno(self):
        return self.proc.stdout.fileno()

    def send(self, obj):
        self.proc.stdin.write((json.dumps(obj) + "\n").encode())

    def drain(self):
        data = os.read(self.fileno(), 1 << 20)
        if not data:
            raise SystemExit("focus: sfu.js ended (exit %s)" % self.proc.poll())
        self.buf += data
        *lines, self.buf = self.buf.split(b"\n")
        for line in lines:
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            self.on_event(msg)


def accept_sources(jingle):
    """[(ssrc, name, msid, kind)] of the audio and video contents of a session-accept (XML
    sources)."""
    out = []
    for c in jingle.findall("{%s}content" % NS_JINGLE):
        d = c.find("{%s}description" % jbridge.NS_RTP)
        kind = (d.get("media") or c.get("name")) if d is not None else None
        if kind not in ("audio", "video"):
            continue
        for s in d.findall("{%s}source" % jbridge.NS_SSMA):
            ssrc = s.get("ssrc") or ""
            if not ssrc.isdigit() or not 0 < int(ssrc) < 1 << 32:
                continue
            msid = next((p.get("value") for p in s.findall("{%s}parameter" % jbridge.NS_SSMA)
                         if p.get("name") == "msid"), None)
            out.append((ssrc, s.get("name"), msid, kind))
    return out


def sources_jingle(action, sid, owners, as_json=False):
    """<jingle action=source-add|source-remove> with the sources of owners: {occupant JID:
    [(ssrc, name, msid, kind)]}, as jicofo relays them: XML <source>s each with its ssrc-info
    owner in an audio and a video content, or with as_json one <json-message> {"sources":
    {endpoint id (the occupant's nick): [[video {"s", "n", "m"}...], [], [audio ...]]}}
    (jicofo's compact encoding: video sources, video groups, audio sources; trailing empty
    lists left out)."""
    def one(ssrc, name, msid):
        return dict({"s": int(ssrc)}, **{k: v for k, v in (("n", name), ("m", msid)) if v})

    if as_json:
        msg = {"sources": {}}
        for owner, lst in owners.items():
            video = [one(s, n, m) for s, n, m, k in lst if k == "video"]
            audio = [one(s, n, m) for s, n, m, k in lst if k == "audio"]
            msg["sources"][owner.rsplit("/", 1)[-1]] = [video, [], audio] if audio else [video]
        return ("<jingle xmlns='%s' action='%s' sid=%s><json-message xmlns='%s'>%s"
                "</json-message></jingle>" % (NS_JINGLE, action, quoteattr(sid),
                                              jbridge.NS_JITMEET, escape(json.dumps(msg))))
    contents = ""
    for kind in ("audio", "video"):
        srcs = source_elems(owners, kind)
        if srcs:
            contents += ("<content creator='initiator' name='%s'><description xmlns='%s' "
                         "media='%s'>%s</description></content>"
                         % (kind, jbridge.NS_RTP, kind, srcs))
    return ("<jingle xmlns='%s' action='%s' sid=%s>%s</jingle>"
            % (NS_JINGLE, action, quoteattr(sid), contents))


def source_elems(owners, kind):
    """The XML <source>s of kind (audio, video) of owners (as sources_jingle's)."""
    srcs = ""
    for owner, lst in owners.items():
        for ssrc, name, msid, k in lst:
            if k == kind:
                srcs += ("<source xmlns='%s' ssrc=%s%s>%s<ssrc-info xmlns='%s' owner=%s/>"
                         "</source>" % (jbridge.NS_SSMA, quoteattr(ssrc),
                                        " name=%s" % quoteattr(name) if name else "",
                                        "<parameter name='msid' value=%s/>" % quoteattr(msid)
                                        if msid else "", jbridge.NS_JITMEET, quoteattr(owner)))
    return srcs


class SfuMedia:
    """The focus's --sfu media: one sfu.js participant and Jingle session per occupant. focus
    is the focus.Focus (send, note, reply_result, full, args.nick)."""

    def __init__(self, focus, address):
        self.f = focus
        self.address = address
        self.link = SfuLink(address, self.on_event)
        # occupant JID -> {"occ", "room", "sid", "offer", "sources" (its own), "accepted",
        # "name", "json" (None until its disco#info answer), "known" (occupants whose sources
        # it was sent)}
        self.parts = {}

    def fileno(self):
        return self.link.fileno()

    def drain(self):
        self.link.drain()

    def note(self, what, occ, **kw):
        self.f.note(dict({"sfu": what, "occupant": occ}, **kw))

    def invite(self, room):
        """As jicofo (min-participants = 2): once two are in the room, each without a
        session gets one (its offer comes back from sfu.js in on_event)."""
        if len(room.occupants) < 2:
            return
        for nick, o in room.occupants.items():
            occ = "%s/%s" % (room.jid, nick)
            if occ in self.parts or not o["jid"]:
                continue
            self.parts[occ] = {"occ": occ, "room": room.jid, "sid": os.urandom(6).hex(),
                               "offer": None, "sources": [], "accepted": False,
                               "name": o.get("name"), "json": None, "known": set()}
            # what it understands, as jicofo asks each participant (json-encoded-sources)
            self.f.send("<iq type='get' id=%s from=%s to=%s><query xmlns='%s'/></iq>"
                        % (quoteattr("sfu-disco-" + self.parts[occ]["sid"]),
                           quoteattr(self.f.full), quoteattr(occ), NS_DISCO_INFO))
            self.link.send({"op": "create", "id": occ, "room": room.jid.split("@")[0],
                            "endpoint": nick,
                            "lastNEndpoints": o.get("name") in self.f.args.lastn_event})

    def on_answer(self, iq):
        """An iq result/error for the focus: True if it answers our disco#info."""
        ident = iq.get("id") or ""
        part = next((p for p in self.parts.values() if ident == "sfu-disco-" + p["sid"]), None)
        if part is None:
            return False
        q = iq.find("{%s}query" % NS_DISCO_INFO)
        feats = [f.get("var") for f in q.findall("{%s}feature" % NS_DISCO_INFO)] \
            if q is not None and iq.get("type") == "result" else []
        part["json"] = JSON_SOURCES in feats and part["name"] not in self.f.args.xml_sources
        self.note("features", part["occ"], json=part["json"])
        self.offer(part)
        return True

    def others(self, part):
        return [p for p in self.parts.values()
                if p is not part and p["room"] == part["room"] and p["accepted"]]

    def send_sources(self, to, action, owners):
        owners = {k: v for k, v in owners.items() if v}
        if action == "source-add":
            owners = {k: v for k, v in owners.items() if k not in to["known"]}
            to["known"].update(owners)
        if not owners:
            return
        self.f.send("<iq type='set' id=%s from=%s to=%s>%s</iq>"
                    % (quoteattr(self.f.next_id("src")), quoteattr(self.f.full),
                       quoteattr(to["occ"]), sources_jingle(action, to["sid"], owners,
                                                            to["json"])))
        self.note(action, to["occ"], owners={k: [s[0] for s in v] for k, v in owners.items()},
                  json=to["json"])

    def leave(self, occ, why):
        part = self.parts.pop(occ, None)
        if part is None:
            return
        self.link.send({"op": "remove", "id": occ})
        if part["accepted"]:
            for o in self.others(part):
                self.send_sources(o, "source-remove", {occ: part["sources"]})
        if why:
            self.note(why, occ)

    def offer(self, part):
        """The session-initiate, once both sfu.js's offer and the participant's features are
        in: sfu.js's SDP as jicofo's Jingle (jbridge.offer_to_jingle), plus, as jicofo puts
        them there for a late joiner, the sources of everyone with an accepted session (XML
        <source>s in the audio description, or one <json-message>)."""
        if part["offer"] is None or part["json"] is None or part.get("offered"):
            return
        part["offered"] = True
        occ, room = part["occ"], part["room"]
        # the bridge channel, served by sfu.js: the endpoint is the occupant's nick
        colibri = "ws://%s:%d/colibri-ws/default-id/%s/%s" % (
            self.address, self.link.colibri_port, room.split("@")[0], occ.rsplit("/", 1)[1]) \
            if part["name"] not in self.f.args.no_channel else None
        jingle = jbridge.offer_to_jingle(part["offer"], part["sid"],
                                         "%s/%s" % (room, self.f.args.nick),
                                         random.randrange(1, 1 << 32), colibri, real_video=True)
        owners = {o["occ"]: o["sources"] for o in self.others(part) if o["sources"]}
        if owners:
            if part["json"]:
                extra = sources_jingle("x", "x", owners, True)
                inner = extra[extra.index("<json-message"):extra.index("</jingle>")]
                jingle = jingle.replace("</jingle>", inner + "</jingle>")
            else:  # audio sources in the audio description, video in the video one
                head, audio_end, rest = jingle.partition("</description>")
                mid, video_end, tail = rest.partition("</description>")
                jingle = (head + source_elems(owners, "audio") + audio_end + mid +
                          source_elems(owners, "video") + video_end + tail)
            part["known"].update(owners)
        self.f.send("<iq type='set' id=%s from=%s to=%s>%s</iq>"
                    % (quoteattr("si-" + part["sid"]), quoteattr(self.f.full),
                       quoteattr(occ), jingle))
        self.note("offered", occ, sid=part["sid"], name=part["name"], json=part["json"],
                  owners={k: [s[0] for s in v] for k, v in owners.items()})

    def drop(self, name, keep_forwarding=False):
        """The bridge drops the audio of the participant with display name `name` (it stays
        in the room): the others get source-remove for it and sfu.js stops forwarding it
        (unless keep_forwarding: then its packets still reach the others, now announced as
        nobody's, which isolates what the source-remove alone does to a receiver)."""
        part = next((p for p in self.parts.values() if p["name"] == name), None)
        if part is None:
            self.note("error", None, error="sfu_drop: nobody named %r" % name)
            return
        if not keep_forwarding:
            self.link.send({"op": "drop", "id": part["occ"]})
        for o in self.others(part):
            self.send_sources(o, "source-remove", {part["occ"]: part["sources"]})
            o["known"].discard(part["occ"])
        part["sources"] = []
        self.note("dropped", part["occ"], forwarding=keep_forwarding)

    def video(self, name, on):
        """The bridge takes the video of the participant with display name `name` as stopped
        (on False: as a camera gone off; sfu.js forwards it to nobody) or back (on True)."""
        part = next((p for p in self.parts.values() if p["name"] == name), None)
        if part is None:
            self.note("error", None, error="sfu_video: nobody named %r" % name)
            return
        self.link.send({"op": "video", "id": part["occ"], "on": on})
        self.note("video", part["occ"], on=on)

    def new_video_ssrc(self, name):
        """The participant with display name `name` sends its video under a new SSRC, as
        jicofo relays a sender whose video SSRC changed: the others get a source-add for the
        new one (its name and msid as before, its owner), 0.3 s later sfu.js forwards the
        video under it (the header rewritten: sfu.js's alias), and 1 s after that the others
        get a source-remove for the old one."""
        part = next((p for p in self.parts.values() if p["name"] == name), None)
        old = [x for x in part["sources"] if x[3] == "video"] if part else []
        if not old:
            self.note("error", None, error="sfu_new_ssrc: no video of %r" % name)
            return
        new = (str(random.randrange(1, 1 << 31)), old[0][1], old[0][2], "video")
        occ = part["occ"]
        for o in self.others(part):
            self.f.send("<iq type='set' id=%s from=%s to=%s>%s</iq>"
                        % (quoteattr(self.f.next_id("src")), quoteattr(self.f.full),
                           quoteattr(o["occ"]), sources_jingle("source-add", o["sid"],
                                                               {occ: [new]}, o["json"])))
        part["sources"] = [x for x in part["sources"] if x[3] != "video"] + [new]
        self.note("new-ssrc", occ, old=[x[0] for x in old], ssrc=new[0])

        def switch():
            self.link.send({"op": "alias", "id": occ, "ssrc": int(new[0])})
            self.note("alias", occ, ssrc=new[0])

        def remove_old():
            for o in self.others(part):
                self.send_sources(o, "source-remove", {occ: old})
        self.f.later(0.3, switch)
        self.f.later(1.3, remove_old)

    def on_event(self, msg):
        occ = msg.get("id")
        part = self.parts.get(occ)
        if "error" in msg:
            self.note("error", occ, error=msg["error"])
            return
        if msg.get("removed"):
            self.note("removed", occ, received=msg.get("in"), sent=msg.get("out"),
                      video_sent=msg.get("vout"))
        if part is None:
            return
        if "offer" in msg:
            part["offer"] = msg["offer"]
            self.offer(part)
        elif msg.get("event") in ("connected", "failed"):
            self.note(msg["event"], occ)
        elif msg.get("event") == "ssrc":
            level = [i for i, u in jbridge.parse_sdp(part["offer"])["media"][0]["ext"]
                     if u == EXT_LEVEL]
            self.note("ssrc", occ, ssrc=msg.get("ssrc"), kind=msg.get("kind"),
                      level=bool(level) and int(level[0]) in (msg.get("ext") or []))
        elif msg.get("event") in ("channel", "refused", "constraints", "dominant", "forwarding",
                                  "pli", "channel-message"):
            self.note(msg["event"], occ, **{k: v for k, v in msg.items()
                                            if k not in ("id", "event")})

    def jingle(self, iq, jingle):
        """A Jingle iq from a participant: the answers to our session-initiate."""
        occ = iq.get("from") or ""
        part = self.parts.get(occ)
        action = jingle.get("action")
        if part is None or jingle.get("sid") != part["sid"]:
            self.f.send("<iq type='error' id=%s from=%s to=%s><error type='cancel'><item-not-found"
                        " xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><unknown-session xmlns="
                        "'urn:xmpp:jingle:errors:1'/></error></iq>"
                        % (quoteattr(iq.get("id", "")), quoteattr(iq.get("to", self.f.jid)),
                           quoteattr(occ)))
            return
        self.f.reply_result(iq)
        try:
            if action == "session-accept" and not part["accepted"]:
                self.link.send({"op": "answer", "id": occ,
                                "sdp": jbridge.accept_to_sdp(jingle, part["offer"],
                                                             ("audio", "video"))})
                part["sources"] = accept_sources(jingle)
                part["accepted"] = True
                video = [{"ssrc": int(x[0]), "name": x[1]} for x in part["sources"]
                         if x[3] == "video"]
                self.link.send({"op": "sources", "id": occ, "video": video})
                self.note("accepted", occ,
                          sources=[x[0] for x in part["sources"] if x[3] == "audio"],
                          video=[x[0] for x in part["sources"] if x[3] == "video"])
                others = self.others(part)
                self.send_sources(part, "source-add", {o["occ"]: o["sources"] for o in others})
                for o in others:
                    self.send_sources(o, "source-add", {occ: part["sources"]})
            if action in ("session-accept", "transport-info"):
                n = 0
                for t in jingle.iter("{%s}transport" % jbridge.NS_ICE):
                    for line in jbridge.jingle_candidates(t):
                        self.link.send({"op": "candidate", "id": occ, "candidate": line})
                        n += 1
                if n:
                    self.note("candidates", occ, n=n)
            elif action == "session-terminate":
                self.leave(occ, "terminated")
        except ValueError as e:
            self.note("error", occ, action=action, error=str(e))
