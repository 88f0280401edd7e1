#!/usr/bin/env python3
"""Which meeting a room number means (issue 13; the rule is in src/janus/choose.c), real Janus
in the lab. The lab's room 1234 exists in AudioBridge, VideoRoom and TextRoom alike (as in
Debian's default configuration); 5555 only in the VideoRoom; 7777 nowhere.

- test_room_choice:
  1. vpub publishes speech in the VideoRoom 1234 (--room-type videoroom), the AudioBridge
     1234 is empty: a default ttymeet joins the video room (joined room_type "videoroom"),
     lists vpub and hears it (talking, expect
     audio), and the server's VideoRoom lists it as a publisher.
  2. apub talks in the AudioBridge 1234 (--room-type audiobridge): now a default ttymeet joins
     the audio bridge (room_type "audiobridge"), lists and hears apub and not vpub, and the
     server's AudioBridge lists it; --room-type videoroom joins the video room (lists and
     hears vpub, not apub; the VideoRoom lists it as a publisher); --room-type audiobridge
     joins the audio bridge (apub, not vpub). (Everyone in 1234 also meets in the TextRoom
     1234 chat, so the others appear there as chat-only entries, audio false: not call
     participants, and not counted here.) (Everyone in 1234 also meets in the TextRoom
     1234 chat, so the others appear there as chat-only entries, audio false: not call
     participants, and not counted here.)
  3. Room 5555 (VideoRoom only) joins the video room by default and exits 0, with
     --room-type audiobridge it is refused (exit 4); room 7777 (in neither) exits 4 saying
     there is no room.
"""

import harness
from harness import HEADLESS, lab, start_client
import test_audio as A
import test_videoroom as V

VR_ONLY = 5555
NOWHERE = 7777


def check_joined(c, kind):
    j = c.wait_event("joined", 15)
    assert j.get("room_type") == kind, "%s joined %r, expected %s\n%s" % (
        c.name, j.get("room_type"), kind, c.describe())
    return j


def names_seen(c):
    """The call participants c listed (those only in the shared chat room, TextRoom 1234,
    come with audio false)."""
    return {e.get("name") for e in c.find(lambda e: e["event"] == "participant-joined"
                                          and e.get("audio") is True)}


def talking_names(c):
    return {e.get("name") for e in c.find(lambda e: e["event"] == "talking"
                                          and e.get("on") is True and not e.get("self"))}


def vr_publishers(L, room=1234):
    return {harness.shown_name(p.get("display"))
            for p in L.list_participants(room, plugin="videoroom")
            if p.get("publisher")}


def ab_names(L, room=1234):
    return set(harness.participants(L, room).values())


def heard(c, who, other, kind):
    """c (exited 0 after its script) listed and heard who, and neither listed nor heard
    other."""
    rc = c.wait_exit(20)
    assert rc == 0, "%s: exit %d\n%s" % (c.name, rc, c.describe())
    c.assert_clean_output()
    names = names_seen(c)
    print("  %s (%s): %s" % (c.name, kind, [(e["event"], e.get("name"), e.get("audio"))
                                            for e in c.find(lambda e: e["event"] in (
                                                "participant-joined", "participant-left",
                                                "talking"))]))
    assert who in names and other not in names, "%s (%s) listed %s\n%s" % (
        c.name, kind, names, c.describe())
    talk = talking_names(c)
    assert who in talk and other not in talk, "%s (%s) saw talking: %s\n%s" % (
        c.name, kind, talk, c.describe())


def test_room_choice():
    with A.Workdir() as wd, lab.Lab(plugin_room_options={"videoroom": {VR_ONLY: {}}}) as L:
        sa, sb = wd("a.wav"), wd("b.wav")
        A.speech(sa, V.SENTENCES[0])
        A.speech(sb, V.SENTENCES[1])
        expect = V.write_script(wd("expect.txt"), [
            "expect audio within 5s", "expect no error", "at 5s leave"])

        def probe(name, extra, room=1234):
            return start_client(L, HEADLESS + ["-n", name, "--script", expect] + extra
                                + [L.url, str(room)], name)

        vpub = start_client(L, HEADLESS + ["-n", "vpub", "--room-type", "videoroom", "--play",
                                           sa, "--loop", "--duration", "40", L.url, "1234"],
                            "vpub")
        check_joined(vpub, "videoroom")
        A.media_connected(vpub)

        # 1. Only the video room has people: the default joins it.
        d1 = probe("d1", [])
        check_joined(d1, "videoroom")
        A.media_connected(d1)
        assert "d1" in vr_publishers(L) and "vpub" in vr_publishers(L), vr_publishers(L)
        assert not ab_names(L), ab_names(L)
        heard(d1, "vpub", "apub", "default, video room busy")

        # 2. The audio bridge has someone too: the default joins it; each forced choice
        # joins what it says.
        apub = start_client(L, HEADLESS + ["-n", "apub", "--room-type", "audiobridge",
                                           "--play", sb, "--loop", "--duration", "30",
                                           L.url, "1234"], "apub")
        check_joined(apub, "audiobridge")
        A.media_connected(apub)
        d2 = probe("d2", [])
        fvr = probe("fvr", ["--room-type", "videoroom"])
        fab = probe("fab", ["--room-type", "audiobridge"])
        only = start_client(L, HEADLESS + ["-n", "only", "--script", V.write_script(
            wd("only.txt"), ["expect participants == 1 within 4s", "expect no error",
                             "at 4s leave"]), L.url, str(VR_ONLY)], "only")
        only_ab = start_client(L, HEADLESS + ["-n", "oab", "--room-type", "audiobridge",
                                              L.url, str(VR_ONLY)], "oab")
        nowhere = start_client(L, HEADLESS + ["-n", "nw", L.url, str(NOWHERE)], "nw")
        check_joined(d2, "audiobridge")
        check_joined(fvr, "videoroom")
        check_joined(fab, "audiobridge")
        check_joined(only, "videoroom")
        for c in (d2, fvr, fab):
            A.media_connected(c)
        ab, vr = ab_names(L), vr_publishers(L)
        assert {"apub", "d2", "fab"} <= ab and not ab & {"vpub", "fvr"}, ab
        assert {"vpub", "fvr"} <= vr and not vr & {"apub", "d2", "fab"}, vr
        heard(d2, "apub", "vpub", "default, both busy")
        heard(fvr, "vpub", "apub", "--room-type videoroom")
        heard(fab, "apub", "vpub", "--room-type audiobridge")

        # 3. A room only in the VideoRoom, and one nowhere.
        rc = only.wait_exit(20)
        assert rc == 0, "%s: exit %d\n%s" % (only.name, rc, only.describe())
        harness.check_error_exit(only_ab, 4, 10)
        line = harness.check_error_exit(nowhere, 4, 10, words=["no room"])
        print("  room in neither plugin: %r" % line)
        for c in (vpub, apub):
            c.send_signal(15)
            c.wait_exit(10)


if __name__ == "__main__":
    harness.require_root()
    harness.run()
