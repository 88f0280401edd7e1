#!/usr/bin/env python3
"""Renaming ourselves in the meeting (/nick; a script's `nick NAME`) over a real Janus.

test_nick_roster_chat_reconnect: bob (headless) and a TUI (carol) are in room 1234; alice
joins headless with a script that renames her to zorro once her chat is up. Alice gets a
`renamed` event (self) and bob one for her id (old and new name, no leave/join pair); Janus
lists her display as "zorro" followed by a chat identity claim (src/chatid.h), and her chat
lines reach bob from "zorro" as her call entry (chat_only false, her id): the claim went with
the new name, so the merge holds. Carol's TUI says "alice is now known as zorro." and lists
zorro in the roster; carol renames herself with /nick carola (bob gets its renamed event).
Then Janus is restarted: alice rejoins as zorro, bob sees zorro join again with alice's new
id, a chat line after the rejoin is still zorro's, and carol's TUI is back as "carola (you)"
(bob sees carola join).

test_nick_video_feed: alice publishes the test pattern and renames herself; bob's pictures
come from zorro after it (VideoRoom "configure" with display, and its display event).

The two run at once, each in a lab of its own (harness.run(concurrent=True)).
"""

import os
import tempfile
import time

import harness
from harness import HEADLESS, lab, participants, start_client
from test_tui import Tui, chat_text


def chat_up(client, start=0, timeout=15):
    return client.wait_event(lambda e: e["event"] == "media" and e.get("kind") == "chat" and
                             e.get("state") == "connected", timeout, start)


def test_nick_roster_chat_reconnect():
    with lab.Lab() as L, tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "alice.txt")
        with open(script, "w") as f:
            f.write("at 3s nick zorro\n")
        bob = start_client(L, HEADLESS + ["-n", "bob", L.url, "1234"], "bob")
        bob.wait_event("joined", 15)
        chat_up(bob)
        t = Tui(L, ["--accept-privacy", "--no-video", "-n", "carol", L.url, "1234"],
                name="nick")
        try:
            t.wait(lambda s: "Chat connected" in s and " bob" in s, 15, "carol in")
            alice = start_client(L, HEADLESS + ["-n", "alice", "--script", script, L.url,
                                                "1234"], "alice")
            aid = alice.wait_event("joined", 15)["id"]
            up = chat_up(alice)
            bob.wait_event(lambda e: e["event"] == "participant-joined" and
                           e.get("id") == aid, 10)
            r = alice.wait_event("renamed", 10)
            assert r["self"] is True and r["id"] == aid, r
            assert r["name"] == "zorro" and r["old_name"] == "alice", r
            assert r["t"] > up["t"], "renamed before the chat claim: %r %r" % (up, r)
            rb = bob.wait_event(lambda e: e["event"] == "renamed" and e.get("id") == aid, 5)
            assert rb["name"] == "zorro" and rb["old_name"] == "alice", rb
            assert rb["self"] is False and rb["audio"] is True, rb
            # Janus has the new display, with the claim after it
            raw = {p["id"]: p.get("display") for p in L.list_participants()}
            assert harness.shown_name(raw[aid]) == "zorro", raw
            assert len(raw[aid]) > len("zorro") and raw[aid].startswith("zorro"), raw
            # alice's chat is zorro's, as her call entry
            alice.write_stdin("hello as zorro\n")
            c = bob.wait_event(lambda e: e["event"] == "chat" and
                               e.get("text") == "hello as zorro", 10)
            assert c["from"] == "zorro" and c.get("id") == aid, c
            assert c["chat_only"] is False, c
            assert not bob.find(lambda e: e["event"] == "participant-left" and
                                e.get("id") == aid), bob.describe()
            # carol's TUI
            s = t.wait("alice is now known as zorro.", 10)
            s = t.wait("zorro: hello as zorro", 10)
            assert " zorro" in s and "alice left" not in chat_text(s), s
            # carol renames herself through the TUI, and stays through the restart below
            cid = bob.wait_event(lambda e: e["event"] == "participant-joined" and
                                 e.get("name") == "carol", 5)["id"]
            t.type("/nick carola")
            t.wait("You are now known as carola.", 10)
            e = bob.wait_event(lambda e: e["event"] == "renamed" and e.get("id") == cid, 10)
            assert e["name"] == "carola" and e["old_name"] == "carol", e

            # A restarted server: alice and carol rejoin under their new names
            na, nb = len(alice.events), len(bob.events)
            L.stop_janus()
            L.start_janus()
            t.wait("Back in the meeting", 40)
            s = t.wait(lambda s: "carola (you)" in s and " zorro" in s, 20, "roster after")
            pc = bob.wait_event(lambda e: e["event"] == "participant-joined" and
                                e.get("name") == "carola", 30, nb)
            assert participants(L)[pc["id"]] == "carola"
            t.keys("C-c")
            assert t.wait_exit(10) == 0
        finally:
            t.kill()

        j = alice.wait_event("joined", 40, na)
        assert j["name"] == "zorro", j
        assert not alice.find(lambda e: e["event"] == "renamed" and
                              alice.events.index(e) >= na), alice.describe()
        bob.wait_event("joined", 40, nb)
        pj = bob.wait_event(lambda e: e["event"] == "participant-joined" and
                            e.get("id") == j["id"], 15, nb)
        assert pj["name"] == "zorro", pj
        assert participants(L)[j["id"]] == "zorro"
        chat_up(alice, na, 20)
        chat_up(bob, nb, 20)
        time.sleep(1.0)  # alice's claim reaches bob just after her chat join
        alice.write_stdin("still zorro\n")
        c = bob.wait_event(lambda e: e["event"] == "chat" and e.get("text") == "still zorro",
                           15, nb)
        assert c["from"] == "zorro" and c.get("id") == j["id"] and c["chat_only"] is False, c
        for cl in (alice, bob):
            cl.send_signal(2)
            assert cl.wait_exit(10) == 0, cl.describe()
            assert not cl.find("error"), cl.describe()


def test_nick_video_feed():
    """alice publishes the test pattern, bob watches it; alice's rename reaches the VideoRoom
    too: bob's pictures come from zorro, on the same subscription (no new "video" event)."""
    with lab.Lab() as L, tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "alice.txt")
        with open(script, "w") as f:
            f.write("at 3s nick zorro\n")
        a = start_client(L, HEADLESS + ["-n", "alice", "--video-source", "testpattern",
                                        "--script", script, "--duration", "9", L.url,
                                        "1234"], "alice")
        b = start_client(L, HEADLESS + ["-n", "bob", "--video", "--video-size", "20x6",
                                        "--duration", "9", L.url, "1234"], "bob")
        first = b.wait_event(lambda e: e["event"] == "video-frame", 10)
        assert first["from"] == "alice", first
        r = a.wait_event("renamed", 10)
        k = b.events.index(first)
        z = b.wait_event(lambda e: e["event"] == "video-frame" and e.get("from") == "zorro",
                         5, k)
        assert z["t"] < r["t"] + 2.0, (r, z)
        after = [e for e in b.events[b.events.index(z):] if e["event"] == "video-frame"]
        assert all(e["from"] == "zorro" for e in after), after[-1]
        shows = [e for e in b.events if e["event"] == "video" and e.get("on")]
        assert len(shows) == 1, shows
        for c in (a, b):
            assert c.wait_exit(15) == 0, c.describe()


if __name__ == "__main__":
    harness.run(globals(), concurrent=True)
