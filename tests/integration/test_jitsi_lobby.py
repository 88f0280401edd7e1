#!/usr/bin/env python3
"""Jitsi's lobby and "the meeting has not started yet" against Debian's prosody with our
stand-in of Jitsi's lobby modules (tests/lab/prosody/mod_ttm_lobby.lua: the same join error as
mod_muc_lobby_rooms / mod_muc_wait_for_host) and the stand-in focus. A moderator, played by a
raw XMPP participant (tests/lab/xmppws.py) as lib-jitsi-meet's Lobby does it, turns the lobby on
(members-only), watches the lobby room, and lets ttymeet in (a mediated invite), denies it (a
kick from the lobby room), or, for a meeting waiting for its host, closes the lobby with the
meeting as the new venue. ttymeet says it waits (headless `waiting` event), joins when let in,
ends with exit 4 and the moderator's reason when denied, and waits until --duration when
nobody answers."""

import time

import harness
from harness import HEADLESS, check_error_exit, lab, start_client
from test_tui import Tui
import xmppws

XMPP = ["--xmpp-domain", "localhost", "--xmpp-muc", "conference.localhost"]
MU = "http://jabber.org/protocol/muc#user"
FOCUS_NS = "http://jitsi.org/protocol/focus"


def _base(L, ws):
    return L.meeting_link(ws)


def _item(e):
    return e.find("{%s}x/{%s}item" % (MU, MU))


class Moderator:
    """The first participant (made owner by the focus) who turns the lobby on and sits in the
    lobby room, as a Jitsi moderator's client does."""

    def __init__(self, L, ws, room):
        self.room = "%s@conference.localhost" % room
        self.lobby = "%s@lobby.localhost" % room
        self.a = a = xmppws.Agent(L, ws, "localhost")
        a.send("<iq xmlns='jabber:client' type='set' to='focus.localhost' id='c1'><conference "
               "xmlns='%s' room='%s'/></iq>" % (FOCUS_NS, self.room))
        assert a.wait(lambda e: e.get("id") == "c1", 5) is not None
        a.send("<presence xmlns='jabber:client' to='%s/mod00000'><x xmlns='http://jabber.org/"
               "protocol/muc'/></presence>" % self.room)
        assert a.wait(lambda e: e.get("from") == self.room + "/mod00000" and _item(e) is not None
                      and _item(e).get("affiliation") == "owner", 5) is not None
        self.members_only(True)
        a.send("<presence xmlns='jabber:client' to='%s/mod00000'><x xmlns='http://jabber.org/"
               "protocol/muc'/></presence>" % self.lobby)
        assert a.wait(lambda e: e.get("from") == self.lobby + "/mod00000", 5) is not None

    def members_only(self, on):
        self.a.send("<iq xmlns='jabber:client' type='set' to='%s' id='mo%d'><query xmlns='http://"
                    "jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'><field "
                    "var='FORM_TYPE'><value>http://jabber.org/protocol/muc#roomconfig</value>"
                    "</field><field var='muc#roomconfig_membersonly'><value>%d</value></field>"
                    "</x></query></iq>" % (self.room, on, on))
        r = self.a.wait(lambda e: e.get("id") == "mo%d" % on, 5)
        assert r is not None and r.get("type") == "result", r

    def knocker(self, name, timeout=10):
        """The lobby occupant that shows the display name `name`: (occupant nick, real JID)."""
        nick_tag = "{http://jabber.org/protocol/nick}nick"

        def knocks(e):
            return (e.get("from", "").startswith(self.lobby + "/") and e.get("type") is None
                    and e.findtext(nick_tag) == name)
        e = self.a.wait(knocks, timeout)
        assert e is not None, "%s never knocked" % name
        return e.get("from").split("/", 1)[1], _item(e).get("jid")

    def admit(self, real_jid):
        self.a.send("<message xmlns='jabber:client' to='%s'><x xmlns='%s'><invite to='%s'/></x>"
                    "</message>" % (self.room, MU, real_jid))

    def deny(self, nick, reason):
        self.a.send("<iq xmlns='jabber:client' type='set' to='%s' id='deny'><query xmlns='http://"
                    "jabber.org/protocol/muc#admin'><item nick='%s' role='none'><reason>%s"
                    "</reason></item></query></iq>" % (self.lobby, nick, reason))
        r = self.a.wait(lambda e: e.get("id") == "deny", 5)
        assert r is not None and r.get("type") == "result", r

    def close_lobby_into_meeting(self, reason):
        self.members_only(False)
        self.a.send("<iq xmlns='jabber:client' type='set' to='%s' id='destroy'><query xmlns='"
                    "http://jabber.org/protocol/muc#owner'><destroy jid='%s'><reason>%s</reason>"
                    "</destroy></query></iq>" % (self.lobby, self.room, reason))
        r = self.a.wait(lambda e: e.get("id") == "destroy", 5)
        assert r is not None and r.get("type") == "result", r

    def sees_in_room(self, real_jid, timeout=10):
        return self.a.wait(lambda e: e.get("from", "").startswith(self.room + "/")
                           and e.get("type") is None and _item(e) is not None
                           and _item(e).get("jid") == real_jid, timeout) is not None

    def close(self):
        self.a.close()


def test_lobby_admitted_and_denied():
    with lab.Lab(janus=False) as L:
        ws = L.start_prosody(focus=True, lobby=True)
        L.start_focus()
        base = _base(L, ws)
        mod = Moderator(L, ws, "lobbyroom")
        try:
            carol = start_client(L, HEADLESS + XMPP + ["-n", "carol", "--duration", "20",
                                                      base + "LobbyRoom"], "carol")
            w = carol.wait_event("waiting", 10)
            assert w.get("kind") == "lobby" and "moderator" in w.get("message", ""), w
            nick, jid = mod.knocker("carol")
            assert not carol.find("joined")
            mod.admit(jid)
            j = carol.wait_event("joined", 10)
            assert j.get("room") == "lobbyroom", j
            assert mod.sees_in_room(jid), "carol is not in the meeting"
            # carol lists the moderator, not the focus
            seen = carol.wait_event("participant-joined", 10)
            assert seen.get("name") == "mod00000", seen
            dave = start_client(L, HEADLESS + XMPP + ["-n", "dave", base + "lobbyroom"], "dave")
            dave.wait_event(lambda e: e["event"] == "waiting" and e.get("kind") == "lobby", 10)
            nick, _ = mod.knocker("dave")
            mod.deny(nick, "not today")
            check_error_exit(dave, 4, 15, words=["denied", "not today"])
            assert not dave.find("joined")
            # nobody answers: ttymeet keeps knocking until --duration (exit 0, never joined)
            erin = start_client(L, HEADLESS + XMPP + ["-n", "erin", "--duration", "3",
                                                     base + "lobbyroom"], "erin")
            erin.wait_event("waiting", 10)
            assert erin.wait_exit(10) == 0, erin.describe()
            assert not erin.find("joined") and not erin.find("error"), erin.describe()
            carol.send_signal(2)
            assert carol.wait_exit(10) == 0, carol.describe()
            for c in (carol, dave, erin):
                c.assert_clean_output()
        finally:
            mod.close()


def test_meeting_not_started_until_the_host_arrives():
    """mod_muc_wait_for_host's shape: the join error says waiting-for-host; ttymeet says the
    meeting has not started and waits in the lobby; when the host arrives the lobby is
    destroyed with the meeting as the new venue, and ttymeet joins it."""
    with lab.Lab(janus=False) as L:
        ws = L.start_prosody(focus=True, lobby=True, lobby_wait_rooms=["waitroom"])
        L.start_focus()
        base = _base(L, ws)
        mod = Moderator(L, ws, "waitroom")
        try:
            c = start_client(L, HEADLESS + XMPP + ["-n", "frank", "--duration", "15",
                                                  base + "waitroom"], "frank")
            w = c.wait_event("waiting", 10)
            assert w.get("kind") == "host" and "not started" in w.get("message", ""), w
            nick, jid = mod.knocker("frank")
            mod.close_lobby_into_meeting("Host arrived.")
            j = c.wait_event("joined", 10)
            assert j.get("room") == "waitroom", j
            notes = [e.get("message", "") for e in c.find("notice")]
            assert any("Host arrived." in n for n in notes), notes
            assert mod.sees_in_room(jid)
            c.send_signal(2)
            assert c.wait_exit(10) == 0, c.describe()
            c.assert_clean_output()
        finally:
            mod.close()


def test_tui_lobby_status():
    """The terminal UI while knocking: the status bar says it waits in the lobby and the chat
    pane says why; let in, it says joined without claiming audio (a Jitsi meeting brings none
    yet)."""
    with lab.Lab(janus=False) as L:
        ws = L.start_prosody(focus=True, lobby=True)
        L.start_focus()
        mod = Moderator(L, ws, "tuiroom")
        t = Tui(L, ["-n", "gina"] + XMPP + [_base(L, ws) + "tuiroom"], cols=100, name="gina")
        try:
            t.wait("Privacy notice")
            time.sleep(0.3)
            t.keys("Enter")
            s = t.wait("in the lobby: waiting to be let in", 15)
            assert "asking to be let in" in s, s
            _, jid = mod.knocker("gina")
            mod.admit(jid)
            s = t.wait("joined, audio starting", 10)  # no bridge in this lab: it stays so
            assert "waiting to be let in" not in s.splitlines()[-1], s
        finally:
            t.kill()
            mod.close()


if __name__ == "__main__":
    harness.require_root()
    harness.run()
