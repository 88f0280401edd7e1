#!/usr/bin/env python3
"""A stand-in Jitsi focus (jicofo) for the lab's prosody: an XEP-0114 external component
`focus.<domain>`, Python standard library only. Written from the wire format (notes in
../shared/jitsi/NOTES.md §2; lib-jitsi-meet modules/xmpp/moderator.js; jicofo
ConferenceIqHandler.kt and ChatRoomImpl.kt were read, nothing copied).

What it does, as jicofo does it as far as a Jitsi client can see:
- answers the conference request `<iq type='set'><conference xmlns='http://jitsi.org/protocol/
  focus' room='ROOM@MUC' machine-uid=...>` with `ready='true' focusjid='<our bare JID>'` and
  `<property name='authentication' value='false'/>` ONLY after it has joined ROOM@MUC as nick
  `focus` and made the room non-anonymous (muc#roomconfig_whois=anyone, the owner form); a
  second request for a room it is in is answered at once;
- grants owner to the first participant when no participant owns the room (jicofo's
  enable-auto-owner), and leaves a room when the last participant has left;
- answers disco#info, pings, and every other iq-get/set with service-unavailable; Jingle
  iqs are acknowledged and logged (session-initiate from the focus is issue 15: see
  `handle_jingle`).

Behaviours for tests (command line, or at run time as a JSON line on stdin
`{"set": {"not_ready": 2}}`):
  --not-ready N       the first N requests per room get ready='false' (the client retries)
  --auth-required     error not-authorized "not authorized user domain" (+ authentication=true)
  --auth-property     the answers say authentication=true (deployment with logins)
  --vnode NAME        ready='true' vnode=NAME focusjid='focus@NAME.<domain>' (visitor redirect)
  --not-live          ready='false' + property live=false (a visitor queue: lib-jitsi-meet fails)
  --error COND        an error answer with that RFC 6120 condition (type from the condition)
  --silent            never answer conference requests (they are still logged)
  --no-auto-owner     never grant owner
  --bridge JANUS_WS   media through Janus's AudioBridge standing in for the videobridge
                      (tests/lab/jbridge.py): once two participants are in a room (as jicofo
                      waits for two), each gets a Jingle session-initiate whose media is an
                      AudioBridge participant (Janus makes the offer; the client hears the mix
                      of everyone else); session-accept and transport-info go on to Janus,
                      Janus's trickle back, and leaving or session-terminate tears the Janus
                      participant down. Logged as {"bridge": what, "occupant", ...} records
                      (offered, accepted, candidates, trickled, janus, terminated, left,
                      error).
  --colibri-ws BASE   with --bridge: each offer names a bridge channel (colibri-ws) at
                      BASE/colibri-ws/default-id/<room>/<nick>?pwd=<ICE pwd>, BASE being
                      ws://HOST:PORT of a stand-in bridge channel (tests/lab/colibri_ws.py)
  --sfu               media through tests/lab/sfu.js, a werift forwarding bridge
                      (tests/lab/jsfu.py): each participant's audio and VP8 video reach the
                      others under its own SSRCs on one bundled audio and one video m-line,
                      announced with source-add / source-remove and ssrc-info owner; which
                      videos each receives follows its bridge channel (colibri-ws, served by
                      sfu.js and named in every offer) and the dominant speaker, as the
                      videobridge's do. Logged as {"sfu": what, ...} records.
                      Sources go as JSON (json-message) to participants whose disco#info
                      lists http://jitsi.org/json-encoded-sources, as jicofo sends them,
                      else as XML <source>s.
  --xml-sources NAME  with --sfu: XML sources for the participant with that display name
                      whatever it advertises (repeatable)
  --no-channel NAME   with --sfu: the offer to the participant with that display name names no
                      bridge channel (a deployment without colibri-ws: the bridge forwards it
                      every video, its default) (repeatable)
  --lastn-event NAME  with --sfu: the bridge tells the participant with that display name what
                      video it forwards with LastNEndpointsChangeEvent (endpoint ids), as 2021
                      bridges did, instead of ForwardedSources (source names) (repeatable)

Every stanza received is logged as one JSON line to --log (conference requests parsed:
room, attrs, properties), and a line `ready` is printed on stdout once the component is
connected. Stdin commands (JSON lines): {"set": {option: value}}, {"send": "<raw xml/>"},
{"grant": {"room": ROOM_JID, "nick": NICK, "affiliation": "owner"}}, {"quit": true}, and with
--sfu {"sfu_drop": DISPLAY_NAME} (the others get source-remove for that participant's audio
while it stays in the room, and the bridge stops forwarding it unless "keep_forwarding": true)
and {"sfu_video": DISPLAY_NAME, "on": false} (the bridge takes that participant's video as
stopped, as when a camera goes off: it forwards it to nobody, and its receivers get what comes
next in their allocation; "on": true, back) and {"sfu_new_ssrc": DISPLAY_NAME} (that
participant's video goes on under a new SSRC: source-add for it, then the bridge forwards it
so, then source-remove for the old one, as jicofo relays a sender whose video SSRC changed).
"""

import argparse
import hashlib
import heapq
import json
import os
import random
import select
import socket
import sys
import time
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

import jbridge
import jsfu

NS_COMPONENT = "jabber:component:accept"
NS_STREAM = "http://etherx.jabber.org/streams"
NS_FOCUS = "http://jitsi.org/protocol/focus"
NS_MUC = "http://jabber.org/protocol/muc"
NS_MUC_USER = NS_MUC + "#user"
NS_MUC_OWNER = NS_MUC + "#owner"
NS_MUC_ADMIN = NS_MUC + "#admin"
NS_DISCO_INFO = "http://jabber.org/protocol/disco#info"
NS_PING = "urn:xmpp:ping"
NS_JINGLE = "urn:xmpp:jingle:1"
NS_STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas"
NS_DATA = "jabber:x:data"
AB = "janus.plugin.audiobridge"

# RFC 6120 §8.3.3: the error type each condition usually carries
ERROR_TYPES = {"bad-request": "modify", "conflict": "cancel", "feature-not-implemented": "cancel",
               "forbidden": "auth", "internal-server-error": "wait", "item-not-found": "cancel",
               "not-acceptable": "modify", "not-allowed": "cancel", "not-authorized": "auth",
               "policy-violation": "modify", "recipient-unavailable": "wait",
               "resource-constraint": "wait", "service-unavailable": "cancel"}

DEFAULTS = {"not_ready": 0, "auth_required": False, "auth_property": False, "vnode": None,
            "not_live": False, "error": None, "silent": False, "auto_owner": True}


def tag(ns, name):
    return "{%s}%s" % (ns, name)


def local(el):
    return el.tag.rsplit("}", 1)[-1]


def ns_of(el):
    return el.tag[1:].split("}", 1)[0] if el.tag.startswith("{") else ""


def bare(jid):
    return (jid or "").split("/", 1)[0]


def resource(jid):
    return jid.split("/", 1)[1] if jid and "/" in jid else ""


class Room:
    """One MUC room the focus is in (or joining)."""

    def __init__(self, jid):
        self.jid = jid
        self.state = "joining"   # joining -> configuring -> joined
        self.pending = []        # conference iqs waiting for the join
        self.requests = 0        # conference requests seen
        self.occupants = {}      # nick -> {"jid", "role", "affiliation"}
        self.config_id = None


class Focus:
    def __init__(self, args):
        self.args = args
        self.jid = args.domain                   # our bare JID, the focusjid
        self.full = "%s/%s" % (args.domain, args.nick)
        self.opts = dict(DEFAULTS)
        for k in DEFAULTS:
            v = getattr(args, k, None)
            if v is not None:
                self.opts[k] = v
        self.rooms = {}
        self.not_ready_seen = {}  # room -> ready='false' answers given before the focus joined
        self.timers = []
        self.seq = 0
        self.sock = None
        self.parser = None
        self.depth = 0
        self.root = None
        self.stream_id = None
        self.ready = False
        self.log = open(args.log, "a", buffering=1) if args.log else None
        self.t0 = time.monotonic()
        self.janus = None        # jbridge.JanusLink with --bridge
        self.ab_admin = None     # its handle for AudioBridge room requests
        self.ab_rooms = {}       # room JID -> AudioBridge room number
        self.parts = {}          # occupant JID -> bridged participant (see bridge_join)
        self.sfu = None          # jsfu.SfuMedia with --sfu

    # ---- plumbing ----------------------------------------------------------------------------

    def note(self, rec):
        if self.log:
            rec["t"] = round(time.monotonic() - self.t0, 3)
            self.log.write(json.dumps(rec) + "\n")

    def send(self, text):
        self.note({"sent": text[:4000]})
        self.sock.sendall(text.encode())

    def next_id(self, prefix):
        self.seq += 1
        return "%s-%d" % (prefix, self.seq)

    def later(self, seconds, fn):
        self.seq += 1
        heapq.heappush(self.timers, (time.monotonic() + seconds, self.seq, fn))

    def connect(self):
        deadline = time.monotonic() + self.args.connect_timeout
        while True:
            try:
                self.sock = socket.create_connection((self.args.host, self.args.port), 5)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self.parser = ET.XMLPullParser(events=("start", "end"))
        self.sock.sendall(("<?xml version='1.0'?><stream:stream xmlns='%s' xmlns:stream='%s' "
                           "to=%s>" % (NS_COMPONENT, NS_STREAM, quoteattr(self.jid))).encode())

    def feed(self, data):
        self.parser.feed(data)
        for ev, el in self.parser.read_events():
            if ev == "start":
                self.depth += 1
                if self.depth == 1:
                    self.root = el
                    self.stream_id = el.get("id")
                    digest = hashlib.sha1((self.stream_id + self.args.secret).encode()).hexdigest()
                    self.sock.sendall(("<handshake>%s</handshake>" % digest).encode())
            else:
                self.depth -= 1
                if self.depth == 1:
                    self.root.remove(el)
                    self.stanza(el)
                elif self.depth == 0:
                    raise SystemExit("focus: the server closed the stream")

    # ---- stanzas -----------------------------------------------------------------------------

    def stanza(self, st):
        name = local(st)
        if name == "handshake":
            self.ready = True
            print("ready", flush=True)
            return
        if name == "error" and ns_of(st) == NS_STREAM:
            raise SystemExit("focus: stream error: %s" % [local(c) for c in st])
        rec = {"stanza": name, "from": st.get("from"), "to": st.get("to"),
               "type": st.get("type"), "id": st.get("id"),
               "children": ["%s %s" % (ns_of(c), local(c)) for c in st]}
        conf = st.find(tag(NS_FOCUS, "conference")) if name == "iq" else None
        if conf is not None:
            rec["conference"] = {"room": conf.get("room"), "attrs": dict(conf.attrib),
                                 "properties": {p.get("name"): p.get("value")
                                                for p in conf.findall(tag(NS_FOCUS, "property"))}}
        self.note(rec)
        if name == "iq":
            self.on_iq(st, conf)
        elif name == "presence":
            self.on_presence(st)

    def reply_error(self, iq, cond, text=None, etype=None):
        if iq.get("type") in ("result", "error"):
            return
        self.send("<iq type='error' id=%s from=%s to=%s><error type=%s><%s xmlns='%s'/>%s"
                  "</error></iq>"
                  % (quoteattr(iq.get("id", "")), quoteattr(iq.get("to", self.jid)),
                     quoteattr(iq.get("from", "")), quoteattr(etype or ERROR_TYPES.get(cond, "cancel")),
                     cond, NS_STANZAS,
                     "<text xmlns='%s'>%s</text>" % (NS_STANZAS, escape(text)) if text else ""))

    def reply_result(self, iq, inner=""):
        self.send("<iq type='result' id=%s from=%s to=%s>%s</iq>"
                  % (quoteattr(iq.get("id", "")), quoteattr(iq.get("to", self.jid)),
                     quoteattr(iq.get("from", "")), inner))

    def on_iq(self, iq, conf):
        typ = iq.get("type")
        if typ in ("result", "error"):
            self.on_iq_answer(iq)
            return
        if conf is not None and typ == "set":
            self.on_conference(iq, conf)
            return
        child = next(iter(iq), None)
        if child is None:
            self.reply_error(iq, "bad-request")
        elif ns_of(child) == NS_PING:
            self.reply_result(iq)
        elif ns_of(child) == NS_DISCO_INFO and typ == "get":
            feats = "".join("<feature var='%s'/>" % f for f in (
                NS_DISCO_INFO, NS_FOCUS, NS_JINGLE, "urn:xmpp:jingle:apps:rtp:1",
                "urn:xmpp:jingle:transports:ice-udp:1", "urn:xmpp:jingle:apps:dtls:0"))
            self.reply_result(iq, "<query xmlns='%s'><identity category='conference' "
                                  "type='focus' name='Jitsi Meet Focus (stand-in)'/>%s</query>"
                              % (NS_DISCO_INFO, feats))
        elif ns_of(child) == NS_JINGLE:
            self.handle_jingle(iq, child)
        else:
            self.reply_error(iq, "service-unavailable")

    def handle_jingle(self, iq, jingle):
        """A Jingle iq from a participant: without --bridge acknowledged only; with it, the
        answers to our session-initiate (bridge_jingle)."""
        if self.sfu is not None:
            self.sfu.jingle(iq, jingle)
        elif self.janus is None:
            self.reply_result(iq)
        else:
            self.bridge_jingle(iq, jingle)

    def on_iq_answer(self, iq):
        if self.sfu is not None and self.sfu.on_answer(iq):
            return
        for room in self.rooms.values():
            if room.config_id and iq.get("id") == room.config_id + "-get":
                self.submit_config(room)
                return
            if room.config_id and iq.get("id") == room.config_id + "-set":
                self.room_ready(room)
                return

    # ---- the conference request --------------------------------------------------------------

    def answer(self, iq, room_jid, ready, extra_attrs="", props=None, focusjid=None):
        p = [("authentication", "true" if self.opts["auth_property"] else "false")]
        p += props or []
        self.send("<iq type='result' id=%s from=%s to=%s><conference xmlns='%s' room=%s "
                  "ready='%s' focusjid=%s%s>%s</conference></iq>"
                  % (quoteattr(iq.get("id", "")), quoteattr(self.jid), quoteattr(iq.get("from", "")),
                     NS_FOCUS, quoteattr(room_jid), "true" if ready else "false",
                     quoteattr(focusjid or self.jid), extra_attrs,
                     "".join("<property name=%s value=%s/>" % (quoteattr(k), quoteattr(v))
                             for k, v in p)))

    def on_conference(self, iq, conf):
        room_jid = (conf.get("room") or "").lower()
        if "@" not in room_jid or "/" in room_jid:
            self.reply_error(iq, "bad-request", "No 'room' specified.")
            return
        o = self.opts
        if o["silent"]:
            return
        if o["error"]:
            self.reply_error(iq, o["error"], "stand-in focus: configured error")
            return
        if o["auth_required"] and room_jid not in self.rooms:
            self.opts["auth_property"] = True
            self.reply_error(iq, "not-authorized", "not authorized user domain")
            return
        room = self.rooms.get(room_jid)
        counted = room.requests if room else self.not_ready_seen.get(room_jid, 0)
        if counted < o["not_ready"]:
            self.not_ready_seen[room_jid] = counted + 1
            if room:
                room.requests += 1
            self.answer(iq, room_jid, False)
            return
        if o["not_live"]:
            self.answer(iq, room_jid, False, props=[("live", "false")])
            return
        if room is None:
            room = self.rooms[room_jid] = Room(room_jid)
            room.requests = counted
            self.join(room)
        room.requests += 1
        if room.state == "joined":
            self.answer_joined(iq, room)
        else:
            room.pending.append(iq)

    def answer_joined(self, iq, room):
        vnode = self.opts["vnode"]
        if vnode:
            # jicofo names the visitor node's focus (its XmppConfig.visitors[vnode].jid)
            self.answer(iq, room.jid, True, " vnode=%s" % quoteattr(vnode),
                        focusjid="focus@%s.%s" % (vnode, self.jid.split(".", 1)[-1]))
            return
        self.answer(iq, room.jid, True)

    def join(self, room):
        self.send("<presence from=%s to=%s><x xmlns='%s'/>"
                  "<versions xmlns='http://jitsi.org/jitmeet'><version name='focus'>standin"
                  "</version></versions></presence>"
                  % (quoteattr(self.full), quoteattr("%s/%s" % (room.jid, self.args.nick)), NS_MUC))

    def submit_config(self, room):
        room.state = "configuring"
        self.send("<iq type='set' id=%s from=%s to=%s><query xmlns='%s'><x xmlns='%s' "
                  "type='submit'><field var='FORM_TYPE'><value>%s#roomconfig</value></field>"
                  "<field var='muc#roomconfig_whois'><value>anyone</value></field></x>"
                  "</query></iq>"
                  % (quoteattr(room.config_id + "-set"), quoteattr(self.full), quoteattr(room.jid),
                     NS_MUC_OWNER, NS_DATA, NS_MUC))

    def room_ready(self, room):
        room.state = "joined"
        self.bridge_invite(room)
        pending, room.pending = room.pending, []
        for iq in pending:
            self.answer_joined(iq, room)
        self.maybe_grant_owner(room)

    # ---- the room ----------------------------------------------------------------------------

    def on_presence(self, p):
        frm = p.get("from") or ""
        room = self.rooms.get(bare(frm).lower())
        if room is None:
            return
        nick = resource(frm)
        x = p.find(tag(NS_MUC_USER, "x"))
        codes = {s.get("code") for s in x.findall(tag(NS_MUC_USER, "status"))} if x is not None else set()
        if p.get("type") == "error":
            if nick == self.args.nick and room.state == "joining":
                for iq in room.pending:
                    self.reply_error(iq, "internal-server-error", "the focus cannot join the room")
                del self.rooms[room.jid]
            return
        if nick == self.args.nick or "110" in codes:
            if p.get("type") == "unavailable":
                self.rooms.pop(room.jid, None)
            elif room.state == "joining":
                room.config_id = self.next_id("cfg")
                self.send("<iq type='get' id=%s from=%s to=%s><query xmlns='%s'/></iq>"
                          % (quoteattr(room.config_id + "-get"), quoteattr(self.full),
                             quoteattr(room.jid), NS_MUC_OWNER))
            return
        if p.get("type") == "unavailable":
            room.occupants.pop(nick, None)
            self.bridge_leave("%s/%s" % (room.jid, nick), "left")
            if not room.occupants:
                self.send("<presence type='unavailable' from=%s to=%s/>"
                          % (quoteattr(self.full), quoteattr("%s/%s" % (room.jid, self.args.nick))))
                self.rooms.pop(room.jid, None)
                self.not_ready_seen.pop(room.jid, None)
            else:
                self.maybe_grant_owner(room)
            return
        item = x.find(tag(NS_MUC_USER, "item")) if x is not None else None
        new = nick not in room.occupants
        room.occupants[nick] = {"jid": item.get("jid") if item is not None else None,
                                "role": item.get("role") if item is not None else None,
                                "affiliation": item.get("affiliation") if item is not None else None,
                                "name": p.findtext("{http://jabber.org/protocol/nick}nick")}
        if new and room.state == "joined":
            self.bridge_invite(room)
        self.maybe_grant_owner(room)

    def maybe_grant_owner(self, room):
        """jicofo's auto-owner: a room without an owning participant makes the earliest one
        owner (granted by real JID)."""
        if not self.opts["auto_owner"] or room.state != "joined":
            return
        occ = room.occupants
        if not occ or any(o["affiliation"] == "owner" for o in occ.values()):
            return
        nick, o = next(iter(occ.items()))
        if o["jid"]:
            self.grant(room, o["jid"], "owner")
            o["affiliation"] = "owner"

    def grant(self, room, real_jid, affiliation):
        self.send("<iq type='set' id=%s from=%s to=%s><query xmlns='%s'><item affiliation=%s "
                  "jid=%s/></query></iq>"
                  % (quoteattr(self.next_id("grant")), quoteattr(self.full), quoteattr(room.jid),
                     NS_MUC_ADMIN, quoteattr(affiliation), quoteattr(bare(real_jid))))

    # ---- commands from the test --------------------------------------------------------------

    def command(self, line):
        try:
            cmd = json.loads(line)
        except ValueError:
            return
        if "set" in cmd:
            for k, v in cmd["set"].items():
                if k in DEFAULTS:
                    self.opts[k] = v
        if "send" in cmd:
            self.send(cmd["send"])
        if "grant" in cmd:
            g = cmd["grant"]
            room = self.rooms.get(g["room"].lower())
            o = room.occupants.get(g["nick"]) if room else None
            if o and o["jid"]:
                self.grant(room, o["jid"], g.get("affiliation", "owner"))
        if "sfu_drop" in cmd and self.sfu is not None:
            self.sfu.drop(cmd["sfu_drop"], bool(cmd.get("keep_forwarding")))
        if "sfu_video" in cmd and self.sfu is not None:
            self.sfu.video(cmd["sfu_video"], bool(cmd.get("on")))
        if "sfu_new_ssrc" in cmd and self.sfu is not None:
            self.sfu.new_video_ssrc(cmd["sfu_new_ssrc"])
        if cmd.get("quit"):
            raise SystemExit(0)
        self.note({"command": cmd})

    # ---- media: Janus's AudioBridge as the videobridge (--bridge) ----------------------------

    def bridge_start(self):
        self.janus = jbridge.JanusLink(self.args.bridge, self.on_janus_event)
        self.ab_admin = self.janus.call({"janus": "attach", "plugin": AB})["data"]["id"]
        self.keepalive()

    def keepalive(self):
        self.janus.send({"janus": "keepalive"})
        self.later(20, self.keepalive)

    def bridge_invite(self, room):
        """As jicofo (min-participants = 2): once two participants are in the room, each one
        without a session gets one."""
        if self.sfu is not None:
            self.sfu.invite(room)
            return
        if len(room.occupants) >= 2:
            for nick in list(room.occupants):
                self.bridge_join(room, nick)

    def bridge_join(self, room, nick):
        """Allocates an AudioBridge participant for occupant nick (in an AudioBridge room of
        its own per MUC room) and sends its offer as our session-initiate, from the focus's
        occupant (the MUC rewrites our from), as jicofo invites a participant."""
        occ = "%s/%s" % (room.jid, nick)
        if self.janus is None or occ in self.parts or not room.occupants[nick]["jid"]:
            return
        part = self.parts[occ] = {"occ": occ, "sid": os.urandom(6).hex(), "handle": None,
                                  "offer": None, "actions": {}, "early": []}
        try:
            if room.jid not in self.ab_rooms:
                number = 7000 + len(self.ab_rooms)
                self.janus.call({"janus": "message", "body": {
                    "request": "create", "room": number, "sampling_rate": 48000,
                    "audiolevel_ext": True}}, self.ab_admin)
                self.ab_rooms[room.jid] = number
            part["handle"] = self.janus.call({"janus": "attach", "plugin": AB})["data"]["id"]
            ev = self.janus.call({"janus": "message", "body": {
                "request": "join", "room": self.ab_rooms[room.jid], "display": nick,
                "generate_offer": True}}, part["handle"])
            part["offer"] = ev["jsep"]["sdp"]
            colibri = "%s/colibri-ws/default-id/%s/%s" % (
                self.args.colibri_ws, room.jid.split("@")[0], nick) \
                if self.args.colibri_ws else None
            jingle = jbridge.offer_to_jingle(part["offer"], part["sid"],
                                             "%s/%s" % (room.jid, self.args.nick),
                                             random.randrange(1, 1 << 32), colibri)
        except (RuntimeError, KeyError, StopIteration, ValueError) as e:
            self.note({"bridge": "error", "occupant": occ, "error": str(e)})
            self.bridge_leave(occ, None)
            return
        self.send("<iq type='set' id=%s from=%s to=%s>%s</iq>"
                  % (quoteattr("si-" + part["sid"]), quoteattr(self.full), quoteattr(occ), jingle))
        self.note({"bridge": "offered", "occupant": occ, "sid": part["sid"],
                   "handle": part["handle"], "room": self.ab_rooms[room.jid]})
        early, part["early"] = part["early"], None
        for line in early:
            self.trickle_to_client(part, line)

    def bridge_leave(self, occ, why):
        if self.sfu is not None:
            self.sfu.leave(occ, why)
            return
        part = self.parts.pop(occ, None)
        if part is None:
            return
        if part["handle"] is not None:
            self.janus.send({"janus": "detach"}, part["handle"])
        if why:
            self.note({"bridge": why, "occupant": occ, "actions": part["actions"]})

    def bridge_jingle(self, iq, jingle):
        occ = iq.get("from") or ""
        part = self.parts.get(occ)
        action = jingle.get("action")
        if part is None or jingle.get("sid") != part["sid"]:
            self.send("<iq type='error' id=%s from=%s to=%s><error type='cancel'><item-not-found "
                      "xmlns='%s'/><unknown-session xmlns='urn:xmpp:jingle:errors:1'/></error></iq>"
                      % (quoteattr(iq.get("id", "")), quoteattr(iq.get("to", self.jid)),
                         quoteattr(occ), NS_STANZAS))
            return
        self.reply_result(iq)
        part["actions"][action] = part["actions"].get(action, 0) + 1
        try:
            if action == "session-accept":
                answer = jbridge.accept_to_sdp(jingle, part["offer"])
                self.janus.call({"janus": "message", "body": {"request": "configure"},
                                 "jsep": {"type": "answer", "sdp": answer}}, part["handle"])
                self.note({"bridge": "accepted", "occupant": occ})
            if action in ("session-accept", "transport-info"):
                # the 2021 client names the content by its mid ('0'): every candidate of the
                # session is on Janus's one bundled m-line
                n = 0
                for t in jingle.iter("{%s}transport" % jbridge.NS_ICE):
                    for line in jbridge.jingle_candidates(t):
                        self.janus.send({"janus": "trickle", "candidate": {
                            "candidate": line, "sdpMid": "0", "sdpMLineIndex": 0}},
                            part["handle"])
                        n += 1
                if n:
                    self.note({"bridge": "candidates", "occupant": occ, "n": n})
            elif action == "session-terminate":
                self.bridge_leave(occ, "terminated")
        except (RuntimeError, ValueError) as e:
            self.note({"bridge": "error", "occupant": occ, "action": action, "error": str(e)})

    def on_janus_event(self, msg):
        """Janus's own messages: its candidates go to the participant as transport-info
        (when Janus trickles), the rest is logged."""
        part = next((p for p in self.parts.values() if p["handle"] == msg.get("sender")), None)
        self.note({"bridge": "janus", "occupant": part and part["occ"],
                   "janus": msg.get("janus"), "msg": json.dumps(msg)[:300]})
        cand = msg.get("candidate") if msg.get("janus") == "trickle" else None
        if part is None or not isinstance(cand, dict) or not cand.get("candidate"):
            return
        if part["early"] is not None:  # Janus trickles before our session-initiate is out
            part["early"].append(cand["candidate"])
        else:
            self.trickle_to_client(part, cand["candidate"])

    def trickle_to_client(self, part, line):
        m = next(x for x in jbridge.parse_sdp(part["offer"])["media"] if x["kind"] == "audio")
        xml = jbridge.candidate_xml(line, "t%d" % self.seq)
        if xml:
            self.send("<iq type='set' id=%s from=%s to=%s><jingle xmlns='%s' "
                      "action='transport-info' sid=%s><content creator='initiator' name='audio'>"
                      "<transport xmlns='%s' ufrag=%s pwd=%s>%s</transport></content></jingle></iq>"
                      % (quoteattr(self.next_id("ti")), quoteattr(self.full),
                         quoteattr(part["occ"]), NS_JINGLE, quoteattr(part["sid"]),
                         jbridge.NS_ICE, quoteattr(m["ufrag"]), quoteattr(m["pwd"]), xml))
            self.note({"bridge": "trickled", "occupant": part["occ"]})

    def run(self):
        self.connect()
        inputs = [self.sock, sys.stdin]
        if self.args.bridge:
            self.bridge_start()
            inputs.append(self.janus)
        if self.args.sfu:
            self.sfu = jsfu.SfuMedia(self, self.args.host)
            inputs.append(self.sfu)
        while True:
            now = time.monotonic()
            while self.timers and self.timers[0][0] <= now:
                heapq.heappop(self.timers)[2]()
            wait = max(0.0, self.timers[0][0] - now) if self.timers else 1.0
            r, _, _ = select.select(inputs, [], [], wait)
            if self.sock in r:
                data = self.sock.recv(65536)
                if not data:
                    raise SystemExit("focus: the server closed the connection")
                self.feed(data)
            if self.sfu is not None and self.sfu in r:
                self.sfu.drain()
            if self.janus is not None and self.janus in r:
                self.janus.drain()
            if sys.stdin in r:
                line = sys.stdin.readline()
                if not line:
                    inputs.remove(sys.stdin)
                else:
                    self.command(line)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--secret", default=os.environ.get("FOCUS_SECRET", ""))
    ap.add_argument("--domain", required=True, help="the component's JID, e.g. focus.localhost")
    ap.add_argument("--nick", default="focus")
    ap.add_argument("--log")
    ap.add_argument("--connect-timeout", type=float, default=10.0)
    ap.add_argument("--not-ready", type=int, dest="not_ready")
    ap.add_argument("--auth-required", action="store_true", default=None, dest="auth_required")
    ap.add_argument("--auth-property", action="store_true", default=None, dest="auth_property")
    ap.add_argument("--vnode")
    ap.add_argument("--not-live", action="store_true", default=None, dest="not_live")
    ap.add_argument("--error")
    ap.add_argument("--silent", action="store_true", default=None)
    ap.add_argument("--no-auto-owner", action="store_false", default=None, dest="auto_owner")
    ap.add_argument("--bridge", metavar="JANUS_WS", help="media through Janus's AudioBridge")
    ap.add_argument("--colibri-ws", metavar="BASE", dest="colibri_ws",
                    help="with --bridge: offers name a bridge channel there")
    ap.add_argument("--sfu", action="store_true",
                    help="media through tests/lab/sfu.js, a forwarding bridge (see jsfu.py)")
    ap.add_argument("--xml-sources", metavar="NAME", action="append", default=[],
                    dest="xml_sources", help="with --sfu: XML sources for that display name")
    ap.add_argument("--no-channel", metavar="NAME", action="append", default=[],
                    dest="no_channel", help="with --sfu: no bridge channel for that display name")
    ap.add_argument("--lastn-event", metavar="NAME", action="append", default=[],
                    dest="lastn_event", help="with --sfu: LastNEndpointsChangeEvent for that "
                    "display name (a 2021 bridge), not ForwardedSources")
    args = ap.parse_args(argv)
    if args.error and args.error not in ERROR_TYPES:
        ap.error("--error: one of %s" % ", ".join(sorted(ERROR_TYPES)))
    try:
        Focus(args).run()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
