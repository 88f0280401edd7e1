#!/usr/bin/env python3
"""A Jitsi meeting's chat and room control over Debian's prosody in the lab (tests/lab/lab.py
start_prosody; no focus, no bridge), with a small prosody module written here for what a
moderator or the deployment would do (mod_ttm_lab below: a password on rooms named locked*,
and an occupant's groupchat line "please kick me", "please ban me" or "please close the room"
makes the room kick it (by the room's moderator), ban it, or destroy the room).

test_chat_both_ways: alice says something alone in the room; bob joins and gets it as history
(history true, never as new); then both chat both ways (each line shown once, our own as
self: the room's echo), a private message each way (/msg, private true, to), and bob's rename
(script `nick`) reaches alice as a rename; alice, the room's creator, is shown as moderator
(role events) to herself and to bob.
test_password_room: no password and a wrong one end with exit 4 and one line; the right one
(TTYMEET_PIN, --pin-file) joins; the password is in no output.
test_tui_password_prompt_history_moderator: the terminal UI asks for the password (masked,
again after a wrong one), shows the history marked "(earlier)" and the creator as moderator.
test_kicked_banned_destroyed: kicked (with who and why), banned, and the room destroyed (with
its reason and where the meeting moved) each end with exit 4 and one line saying so.
test_room_creation_restricted: a deployment that does not let guests create rooms: exit 4,
one line saying the room does not exist."""

import os

import harness
from harness import HEADLESS, check_error_exit, lab, start_client

XMPP = ["--xmpp-domain", "localhost", "--xmpp-muc", "conference.localhost"]
PASSWORD = "pass word&<'1"
HOSTILE_SHOWN = "hello alice <b>&amp; red"

MODULE = r"""
-- ttymeet's lab: what a moderator or a deployment does, on cue
local jid_split = require "util.jid".split;
module:hook("muc-room-pre-create", function(event)
	local node = jid_split(event.room.jid);
	if node and node:match("^locked") then event.room:set_password(%s); end
end, -100);
local function moderator_jid(room, but)
	for _, occ in room:each_occupant() do
		if occ.role == "moderator" and occ.nick ~= but then return occ.jid; end
	end
	return true;
end
module:hook("muc-occupant-groupchat", function(event)
	local room, occupant = event.room, event.occupant;
	local body = event.stanza:get_child_text("body");
	if not occupant or not body then return; end
	if body == "please kick me" then
		module:add_timer(0.1, function()
			room:set_role(moderator_jid(room, occupant.nick), occupant.nick, "none", "lab kick: bye");
		end);
		return true;
	elseif body == "please ban me" then
		module:add_timer(0.1, function()
			room:set_affiliation(true, occupant.bare_jid, "outcast", "lab ban");
		end);
		return true;
	elseif body == "please close the room" then
		module:add_timer(0.1, function()
			room:destroy("elsewhere@conference.localhost", "lab closed the room");
		end);
		return true;
	end
end, 10);
""" % ('"%s"' % PASSWORD.replace("\\", "\\\\").replace('"', '\\"'))


def start(L, muc_options=()):
    """prosody with mod_ttm_lab on the MUC; returns the link base http://SERVER:PORT/."""
    d = os.path.join(L.dir, "plugins")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "mod_ttm_lab.lua"), "w") as f:
        f.write(MODULE)
    # plugin_paths is a global option: the config file is Lua, so step out of the component's
    # section for it and back in
    opts = ['rawset(_ENV, "__currenthost", "*")', 'plugin_paths = { "%s" }' % d,
            'rawset(_ENV, "__currenthost", "conference.localhost")',
            'modules_enabled = { "ttm_lab" }'] + list(muc_options)
    ws = L.start_prosody(muc_options=opts)
    return L.meeting_link(ws)


def chats(c, **want):
    return [e for e in c.find("chat") if all(e.get(k) == v for k, v in want.items())]


def test_chat_both_ways():
    with lab.Lab(janus=False) as L:
        base = start(L)
        script = os.path.join(L.dir, "bob.script")
        with open(script, "w") as f:
            f.write("at 5s nick bobby\n")
        alice = start_client(L, HEADLESS + XMPP + ["-n", "alice", "--duration", "14",
                                                  base + "chatroom"], "alice")
        alice.wait_event("joined", 10)
        alice.write_stdin("said before bob came\n")
        alice.wait_event(lambda e: e.get("event") == "chat" and e.get("self"), 10)
        bob = start_client(L, HEADLESS + XMPP + ["-n", "bob", "--duration", "10", "--script",
                                                script, base + "ChatRoom"], "bob")
        bob.wait_event("joined", 10)
        h = bob.wait_event(lambda e: e.get("event") == "chat" and
                           e.get("text") == "said before bob came", 10)
        assert h["history"] is True and h["self"] is False and h["private"] is False, h
        assert h["from"] == "alice", h
        alice.wait_event(lambda e: e.get("event") == "participant-joined" and
                         e.get("name") == "bob", 10)
        # alice created the room: the MUC made her its moderator, and both show it
        ja = alice.find("joined")[0]
        alice.wait_event(lambda e: e.get("event") == "role" and e.get("self") and
                         e.get("moderator") is True and e.get("id") == ja["id"], 10)
        ma = bob.wait_event(lambda e: e.get("event") == "role", 10)
        assert ma["name"] == "alice" and ma["moderator"] is True and not ma["self"], ma
        # room lines both ways, each shown once; ours as self (the room's echo)
        bob.write_stdin("hello alice <b>&amp; \x1b[31mred\n")
        alice.write_stdin("hello bob\n")
        a = alice.wait_event(lambda e: e.get("event") == "chat" and e.get("from") == "bob", 10)
        assert a["text"] == HOSTILE_SHOWN, a  # XML-special characters kept, the CSI gone
        assert a["history"] is False and a["self"] is False and a["private"] is False, a
        b = bob.wait_event(lambda e: e.get("event") == "chat" and e.get("text") == "hello bob",
                           10)
        assert b["from"] == "alice" and b["history"] is False and b["chat_only"] is False, b
        # private messages both ways
        bob.write_stdin("/msg alice just for you\n")
        p = alice.wait_event(lambda e: e.get("event") == "chat" and e.get("private"), 10)
        assert p["from"] == "bob" and p["text"] == "just for you" and not p["self"], p
        alice.write_stdin("/msg bob got it\n")
        q = bob.wait_event(lambda e: e.get("event") == "chat" and e.get("private") and
                           not e.get("self"), 10)
        assert q["from"] == "alice" and q["text"] == "got it", q
        sent = bob.wait_event(lambda e: e.get("event") == "chat" and e.get("private") and
                              e.get("self"), 10)
        assert sent["to"] == "alice" and sent["text"] == "just for you", sent
        # bob's rename reaches alice as a rename of the same entry
        r = alice.wait_event(lambda e: e.get("event") == "renamed", 10)
        assert r["old_name"] == "bob" and r["name"] == "bobby" and not r["self"], r
        bob.wait_event(lambda e: e.get("event") == "renamed" and e.get("self"), 10)
        assert bob.wait_exit(15) == 0, bob.describe()
        assert alice.wait_exit(15) == 0, alice.describe()
        # nothing shown twice, history never as new
        for c, mine in ((alice, ["said before bob came", "hello bob"]),
                        (bob, [HOSTILE_SHOWN])):
            for text in mine:
                n = [e for e in chats(c, self=True, text=text) if e.get("private") is False]
                assert len(n) == 1, (c.name, text, c.describe())
        assert len(chats(bob, text="said before bob came")) == 1, bob.describe()
        assert not chats(alice, history=True), alice.describe()
        for c in (alice, bob):
            c.assert_clean_output()


def test_password_room():
    with lab.Lab(janus=False) as L:
        base = start(L)
        url = base + "locked-room"
        c = start_client(L, HEADLESS + XMPP + [url], "nopw")
        check_error_exit(c, 4, 10, words=["password", "--pin-file"])
        c = start_client(L, HEADLESS + XMPP + [url], "wrongpw", env={"TTYMEET_PIN": "wrong"})
        check_error_exit(c, 4, 10, words=["refused the password"])
        c = start_client(L, HEADLESS + XMPP + ["--duration", "1", url], "rightpw",
                         env={"TTYMEET_PIN": PASSWORD})
        c.wait_event("joined", 10)
        assert c.wait_exit(10) == 0, c.describe()
        pinfile = os.path.join(L.dir, "pin")
        with open(pinfile, "w") as f:
            f.write(PASSWORD + "\n")
        os.chmod(pinfile, 0o600)
        d = start_client(L, HEADLESS + XMPP + ["--duration", "1", "--pin-file", pinfile, url],
                         "pinfile")
        d.wait_event("joined", 10)
        assert d.wait_exit(10) == 0, d.describe()
        for x in (c, d):
            x.assert_clean_output()
            assert "pass word" not in x.stderr and all("pass word" not in str(e)
                                                      for e in x.events), x.describe()


def test_tui_password_prompt_history_moderator():
    """The terminal UI in a password room: a masked prompt (the typed password never shown), a
    wrong one asked again, the right one joins; the history is marked "(earlier)" and the
    room's creator "(moderator)"."""
    from test_tui import Tui
    with lab.Lab(janus=False) as L:
        base = start(L)
        url = base + "locked-tui"
        alice = start_client(L, HEADLESS + XMPP + ["-n", "alice", "--duration", "40", url],
                             "alice", env={"TTYMEET_PIN": PASSWORD})
        alice.wait_event("joined", 10)
        alice.write_stdin("said before the tui came\n")
        alice.wait_event(lambda e: e.get("event") == "chat" and e.get("self"), 10)
        t = Tui(L, ["--accept-privacy", "-n", "tui"] + XMPP + [url], cols=100, name="jitsi-tui")
        try:
            s = t.wait("needs a pin", 15)
            assert "pin for room locked-tui:" in s, s
            t.type("wrong", enter=False)
            s = t.wait("pin for room locked-tui: *****", 5)
            assert "wrong" not in s, s
            t.keys("Enter")
            t.wait("refused the pin", 15)
            t.type(PASSWORD, enter=False)
            s = t.wait("pin for room locked-tui: " + "*" * len(PASSWORD), 5)
            t.keys("Enter")
            s = t.wait(lambda x: "tui (you)" in x and "said before the tui came" in x, 20,
                       "joined, with the history")
            line = [ln for ln in s.split("\n") if "said before the tui came" in ln][0]
            assert "(earlier) alice:" in line, s
            t.wait("alice (moderator)", 10)
            alice.write_stdin("and now live\n")
            s = t.wait("and now live", 10)
            line = [ln for ln in s.split("\n") if "and now live" in ln][0]
            assert "(earlier)" not in line and "alice:" in line, s
            assert "pass word" not in s, s
            t.keys("C-c")
            assert t.wait_exit(10) == 0
            assert "pass word" not in t.stderr()
        finally:
            t.kill()
        alice.send_signal(2)
        alice.wait_exit(10)


def test_kicked_banned_destroyed():
    with lab.Lab(janus=False) as L:
        base = start(L)
        url = base + "strictroom"
        bob = start_client(L, HEADLESS + XMPP + ["-n", "bob", "--duration", "30", url], "bob")
        bob.wait_event("joined", 10)
        alice = start_client(L, HEADLESS + XMPP + ["-n", "alice", url], "alice")
        alice.wait_event("joined", 10)
        alice.write_stdin("please kick me\n")
        line = check_error_exit(alice, 4, 15, words=["kicked", "by bob", "lab kick: bye"])
        n = bob.wait_event(lambda e: e.get("event") == "notice" and
                           "alice was kicked" in e.get("message", ""), 10)
        assert "lab kick" in n["message"], n
        carol = start_client(L, HEADLESS + XMPP + ["-n", "carol", url], "carol")
        carol.wait_event("joined", 10)
        carol.write_stdin("please ban me\n")
        check_error_exit(carol, 4, 15, words=["banned", "lab ban"])
        bob.write_stdin("please close the room\n")
        check_error_exit(bob, 4, 10, words=["closed", "lab closed the room",
                                            "elsewhere@conference.localhost"])
        assert "kicked" in line


def test_room_creation_restricted():
    with lab.Lab(janus=False) as L:
        base = start(L, muc_options=["restrict_room_creation = true"])
        c = start_client(L, HEADLESS + XMPP + [base + "nosuchroom"], "nosuch")
        check_error_exit(c, 4, 10, words=["does not exist"])


if __name__ == "__main__":
    harness.run()
