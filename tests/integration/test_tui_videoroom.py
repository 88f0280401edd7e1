#!/usr/bin/env python3
"""The terminal UI in a Janus VideoRoom meeting (issue 13), driven through tmux as in
test_tui.py, against a real Janus in the lab whose room 5555 exists only in the VideoRoom
plugin.

- test_videoroom_meeting: the TUI joins by the number alone (the room choice finds the
  VideoRoom); the status bar says "video room"; a headless publisher already there and one
  joining later are listed; the first one's speech shows her talking mark ("*") while she
  speaks and not before; her mute (by script) shows the muted mark ("M", seen from her
  stream stopping) and it clears when she unmutes; the TUI's own /mute reaches the
  headless participants as a `muted` event (she stops her stream); a publisher leaving
  leaves the roster; /quit exits 0.
"""

import time

import harness
import test_audio as A
from harness import HEADLESS, start_client
from test_tui import Tui, roster_lines, wait_muted
from test_videoroom import ROOM, vr_lab, write_script


def roster_row(screen, name):
    """The roster row of `name` (marks included), or None."""
    for ln in roster_lines(screen):
        if ln[3:].strip().split(" ")[0] == name:
            return ln
    return None


def marks(screen, name):
    """(talking, muted) marks of `name`'s roster row: its second and third columns (after a
    blank one, ui/draw.c)."""
    r = roster_row(screen, name)
    if r is None:
        return None
    return (r[1:2] == "*", r[2:3] == "M")


def test_videoroom_meeting():
    with A.Workdir() as wd, vr_lab() as L:
        say = wd("s.wav")
        length = A.speech(say, A.STORY[:120])
        speak_at, mute_at = 6.0, 6.0 + length + 1.5
        unmute_at = mute_at + 4.0
        duration = unmute_at + 6.0
        dora = start_client(L, HEADLESS + [
            "-n", "dora", "--script", write_script(wd("dora.txt"), [
                "at %.1fs say %s" % (speak_at, say), "at %.1fs mute" % mute_at,
                "at %.1fs unmute" % unmute_at]),
            "--duration", "%.1f" % duration, L.url, str(ROOM)], "dora")
        jd = dora.wait_event("joined", 15)
        assert jd.get("room_type") == "videoroom", jd
        t = Tui(L, ["-n", "alice", L.url, str(ROOM)], cols=100, rows=30, name="alice")
        try:
            t.wait("Enter: accept and join")
            t.keys("Enter")
            s = t.wait(lambda s: "alice (you)" in s and roster_row(s, "dora"), 15,
                       "alice and dora in the roster")
            rows = s.split("\n")
            assert "room %d" % ROOM in rows[0], s
            t.wait(lambda s: "video room" in s.split("\n")[-3] and "audio ok" in s, 10,
                   "the status bar: audio ok, video room")
            alice_id = dora.wait_event(lambda e: e["event"] == "participant-joined"
                                       and e.get("name") == "alice", 10)["id"]
            # Before her turn dora is silent (DTX): neither talking nor muted.
            assert marks(s, "dora") == (False, False), s
            erin = start_client(L, HEADLESS + ["-n", "erin", "--duration", "%.1f" % (
                speak_at + length), L.url, str(ROOM)], "erin")
            t.wait(lambda s: roster_row(s, "erin") is not None, 15, "erin in the roster")

            # dora speaks: her talking mark shows while she does (times on dora's clock)
            t_speak = dora.origin + speak_at
            try:
                s = t.wait(lambda s: (marks(s, "dora") or (0, 0))[0], speak_at + length + 10,
                           "dora's talking mark")
            except AssertionError as e:
                raise AssertionError("%s\n%s" % (e, dora.describe())) from None
            now = time.monotonic()
            assert now >= t_speak - 0.3, "talking shown %.1f s before dora spoke:\n%s" % (
                t_speak - now, s)
            # ... and goes off after it
            t.wait(lambda s: marks(s, "dora") == (False, False), length + 5,
                   "dora's talking mark off after her turn")

            # erin's --duration ended: she leaves the roster
            t.wait(lambda s: roster_row(s, "erin") is None, 15, "erin gone from the roster")

            # dora mutes (her stream stops): the muted mark, then cleared on unmute
            s = t.wait(lambda s: (marks(s, "dora") or (0, 0))[1], mute_at - speak_at + 8,
                       "dora's muted mark")
            now = time.monotonic()
            assert now >= dora.origin + mute_at, "muted shown before dora muted:\n" + s
            t.wait(lambda s: marks(s, "dora") == (False, False), 12, "dora unmuted")

            # our own /mute reaches dora as a muted event
            n = len(dora.events)
            t.type("/mute")
            wait_muted(t, dora, alice_id, True, start=n, timeout=10)
            t.type("/quit")
            assert t.wait_exit(10) == 0
        finally:
            t.kill()
        left = dora.wait_event(lambda e: e["event"] == "participant-left"
                               and e.get("id") == alice_id, 10)
        assert left, dora.describe()
        dora.wait_exit(duration + 15)


if __name__ == "__main__":
    harness.require_root()
    harness.run()
