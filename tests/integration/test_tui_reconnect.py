#!/usr/bin/env python3
"""The terminal UI when the server goes away (issue 16), through tmux against a real Janus in
the lab (tmux and helpers from test_tui.py).

- test_outage_calm: Janus stopped for 15 s mid-meeting. At most 2 new chat rows during the
  outage (one says "Lost contact with the server"), the status bar follows the attempts in
  place (its try number changes while the chat does not), the title's head count and the
  roster are marked stale and the rates/RTT too; no "ICE"/"consent" words on screen. A /msg
  typed while down is queued and reaches bob after the rejoin. Back: one "Back in the
  meeting" line, the roster holds alice once and bob once, no "bob left."/"bob joined.", the
  stale marks are gone.
- test_frozen_server: Janus frozen with SIGSTOP (client --keepalive 3). bob's video picture
  is marked "(frozen)" within a few seconds; after SIGCONT alice rejoins: the roster shows
  alice once and bob once, bob (who never left) gets no joined/left line, and the video line
  is not said again. (In this lab Janus drops alice's old session when it resumes and sees
  the closed WebSocket, so her old participant is not listed at the rejoin; hiding it when
  it is listed is tested in tests/unit/test_core_roster.c.)
- test_give_up_screen: --give-up-after 4 with Janus stopped: the meeting view stays with the
  conversation, the chat says the meeting is lost with the keys, the status bar shows them;
  r tries again (Janus back: "Back in the meeting"); given up again, q quits with exit 3.

The three run at once, each with its own lab, tmux and clients (harness.run(concurrent=True)):
they mostly wait on Janus being away and on reconnect timers; ~33 s in all instead of ~70 s.
"""

import os
import re
import signal
import time

import harness
from harness import HEADLESS, lab, start_client
from test_tui import Tui, row

LOST = "Lost contact with the server"


def chat_rows(screen):
    """Non-empty rows of the chat pane (left of the first separator), title/status/input
    excluded."""
    return [ln.split("│")[0].rstrip() for ln in screen.split("\n")[1:-3]
            if ln.split("│")[0].strip()]


def roster_names(screen):
    out = []
    for ln in screen.split("\n")[1:-2]:
        k = ln.rfind("│")
        if k >= 0:
            if ln[k + 1:].startswith("─"):
                break  # the video pane below
            out.append(ln[k + 1:].strip())
    return out


def person(names, name):
    """The roster rows of everyone called name (marks stripped: "alice (you)", "bob")."""
    return [re.sub(r"^[*cM ]+", "", n) for n in names
            if re.sub(r"^[*cM ]+", "", n).split(" (")[0].split("#")[0] == name]


def status_row(screen):
    lines = screen.rstrip("\n").split("\n")
    return lines[-2] if len(lines) >= 2 else ""


def join_tui(L, args, rows=40):
    t = Tui(L, ["--accept-privacy", "-n", "alice"] + args + [L.url, "1234"], rows=rows,
            cols=140, name="alice")
    t.wait(lambda s: "alice (you)" in s and "Chat connected" in s and " bob" in s, 20,
           "alice joined with bob and chat")
    return t


def test_outage_calm():
    with lab.Lab() as L:
        bob = start_client(L, HEADLESS + ["-n", "bob", L.url, "1234"], "bob")
        bob.wait_event("joined", 15)
        t = join_tui(L, ["--no-video"])
        try:
            t.wait("audio ok", 10)
            t.wait(lambda s: "RTT" in status_row(s), 10, "stats in the status bar")
            time.sleep(1.0)
            before = chat_rows(t.capture())
            L.stop_janus()
            t_stop = time.monotonic()
            s = t.wait(LOST, 20)
            t.wait(lambda s: "stale" in row(s, 0), 5, "stale head count")
            tries = set()
            shots = []
            while time.monotonic() - t_stop < 15:
                s = t.capture()
                shots.append(s)
                m = re.search(r"reconnecting \(try (\d+)\)", status_row(s))
                if m:
                    tries.add(int(m.group(1)))
                time.sleep(0.5)
            s = t.capture()
            during = chat_rows(s)
            new = during[len(before):] if during[:len(before)] == before else during
            print("  rows added during the 15 s outage: %d %r" % (len(new), new))
            assert len(new) <= 2, "chat rows added during the outage:\n%s" % s
            assert sum(LOST in r for r in during) == 1, s
            assert len(tries) >= 3, "status bar try numbers seen: %s\n%s" % (tries, s)
            assert "(stale)" in row(s, 0), s
            assert any("People (2, stale)" in r for r in roster_names(s)), s
            assert "kbps (stale)" in status_row(s) and "ms (stale)" in status_row(s), s
            for shot in shots:
                assert "consent" not in shot.lower() and "ICE" not in shot, shot
            # a private message typed while down waits for bob
            t.type("/msg bob typed while the server was away")
            t.wait("your message waits", 5)
            L.start_janus()
            s = t.wait("Back in the meeting", 20)
            e = bob.wait_event(lambda e: e["event"] == "chat" and e.get("private"), 25)
            assert e["from"] == "alice" and e["text"] == "typed while the server was away", e
            time.sleep(7.0)  # the roster settles (chat users rejoin, grace period)
            s = t.capture()
            names = roster_names(s)
            assert person(names, "alice") == ["alice (you)"], s
            assert person(names, "bob") == ["bob"], s
            after = s[s.index(LOST):]
            assert "bob left" not in after and "bob joined" not in after, s
            assert "stale" not in s, s
            assert "2 in the room" in row(s, 0), s
            t.keys("C-c")
            assert t.wait_exit(10) == 0
        finally:
            t.kill()
            bob.kill()


def test_frozen_server():
    with lab.Lab() as L:
        bob = start_client(L, HEADLESS + ["-n", "bob", "--video-source", "testpattern",
                                          "--keepalive", "3", L.url, "1234"], "bob")
        bob.wait_event("joined", 15)
        t = join_tui(L, ["--keepalive", "3"])
        try:
            t.wait(lambda s: "bob" in s and "Video" not in s.split("\n")[0], 5)
            pid = L.janus_pid
            time.sleep(3.0)
            os.kill(pid, signal.SIGSTOP)
            try:
                t.wait("bob (frozen)", 8)
                t.wait(LOST, 20)
                time.sleep(2.0)
            finally:
                os.kill(pid, signal.SIGCONT)
            s = t.wait("Back in the meeting", 30)
            print("  Janus lists at the rejoin: %r" % L.list_participants(1234))
            time.sleep(7.0)
            s = t.capture()
            names = roster_names(s)
            print("  roster after the rejoin: %r" % [n for n in names if n])
            assert person(names, "alice") == ["alice (you)"], s
            assert person(names, "bob") == ["bob"], s
            after = s[s.index(LOST):]
            assert "bob left" not in after and "bob joined" not in after, s
            assert "alice joined" not in after, s
            assert s.count("Video: showing bob") == 1, s  # not said again after the rejoin
        finally:
            t.kill()
            bob.kill()


def test_give_up_screen():
    with lab.Lab() as L:
        bob = start_client(L, HEADLESS + ["-n", "bob", L.url, "1234"], "bob")
        bob.wait_event("joined", 15)
        t = join_tui(L, ["--no-video", "--give-up-after", "4"])
        try:
            bob.wait_event(lambda e: e["event"] == "media" and e.get("kind") == "chat", 10)
            bob.write_stdin("a line worth keeping\n")
            t.wait("bob: a line worth keeping", 10)
            L.stop_janus()
            s = t.wait("meeting lost: r retry, q quit", 20)
            assert "The meeting is lost" in s and "Press r to try again or q to quit" in s, s
            assert "bob: a line worth keeping" in s, s
            assert "meeting lost: r retry, q quit" in status_row(s), s
            time.sleep(1.0)
            assert not os.path.exists(t.rcfile) or not open(t.rcfile).read().strip(), \
                "exited after giving up"
            L.start_janus()
            t.keys("r")
            t.wait("Trying again", 5)
            t.wait("Back in the meeting", 20)
            L.stop_janus()
            s = t.wait(lambda s: s.count("The meeting is lost") == 2, 25, "given up again")
            t.keys("q")
            assert t.wait_exit(10) == 3
        finally:
            t.kill()
            bob.kill()


if __name__ == "__main__":
    harness.require_root()
    harness.run(concurrent=True)
