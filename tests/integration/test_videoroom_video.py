#!/usr/bin/env python3
"""Video in Janus VideoRoom meetings (issue 13), against a real Janus in the lab, in a room that
exists only in the VideoRoom plugin and announces attendees (notify_joining): a ttymeet is one
participant of the room, with its audio and its video on one PeerConnection, and its preview
picks among the meeting's own people.

- test_one_participant_with_video: bob joins with the preview on (--video) and records; alice
  joins with --video-source testpattern and plays a sentence. The server (listparticipants
  from a third connection) lists exactly alice and bob, once each, both publishers; each saw
  the other join exactly once (with notify_joining, a second join of the same ttymeet would
  show as a second participant); bob's preview shows alice's pictures under her name and her
  roster id, and bob hears her sentence (envelope correlation >= 0.7, test_audio.py's
  measure); alice's video is connected and counted in her stats. Before the video link used
  the meeting's handle, both counts were two: the link joined the room a second time.
- test_vp9_and_simulcast: the other encodings go out on the meeting's connection too: a VP9
  publisher is shown as VP9 (the codec bob's preview negotiated), a simulcast one (VP8,
  320x180 + 160x90) gives the preview the lowest layer (160x90); each publisher is still
  one participant of the room.
"""

import test_video as V

import harness
from harness import HEADLESS, lab, start_client
import test_audio as A

ROOM = 5555  # only in the VideoRoom plugin: the default room choice joins it


def vr_lab():
    return lab.Lab(plugin_room_options={"videoroom": {ROOM: {"publishers": 6,
                                                             "notify_joining": True}}})


def joined(c, name):
    return [e for e in c.events if e["event"] == "participant-joined" and e.get("name") == name]


def test_one_participant_with_video():
    with A.Workdir() as wd, vr_lab() as L:
        src = wd("speech.wav")
        length = A.speech(src)
        a_dur = length + 5.0
        b_dur = a_dur + 6.0
        b = start_client(L, HEADLESS + ["-n", "bob", "--video", "--video-size", "40x12",
                                        "--record", wd("b.wav"), "--duration", "%.1f" % b_dur,
                                        L.url, str(ROOM)], "bob")
        jb = b.wait_event("joined", 15)
        assert jb.get("room_type") == "videoroom", jb
        A.media_connected(b)
        a = start_client(L, HEADLESS + ["-n", "alice", "--video-source", "testpattern",
                                        "--play", src, "--duration", "%.1f" % a_dur,
                                        L.url, str(ROOM)], "alice")
        ja = a.wait_event("joined", 15)
        ma = a.wait_event(lambda e: e["event"] == "media" and e.get("kind") != "video"
                          and e.get("state") == "connected", 15)
        a.wait_event(lambda e: e["event"] == "media" and e.get("kind") == "video"
                     and e.get("state") == "connected", 10)
        b.wait_event(lambda e: e["event"] == "video-frame", 10)
        # the server: one entry each, both publishing
        parts = L.list_participants(ROOM, plugin="videoroom")
        names = sorted(harness.shown_name(p.get("display")) for p in parts)
        assert names == ["alice", "bob"], parts
        assert all(p.get("publisher") is True for p in parts), parts
        ids = {harness.shown_name(p.get("display")): p["id"] for p in parts}
        assert ids["alice"] == ja["id"] and ids["bob"] == jb["id"], (parts, ja, jb)

        A.exit_ok(a, a_dur + 15)
        A.exit_ok(b, b_dur + 15)
        # each saw the other once, and nobody else
        assert len(joined(b, "alice")) == 1, b.describe()
        assert len(joined(a, "bob")) == 1, a.describe()
        for c in (a, b):
            others = [e for e in c.events if e["event"] == "participant-joined"]
            assert len(others) == 1, c.describe()
        # bob's preview: alice's pictures, by her name and her participant id
        fr = [e for e in b.events if e["event"] == "video-frame"]
        assert len(fr) >= 10, len(fr)
        assert all(e["from"] == "alice" and e.get("id") == ja["id"] for e in fr), fr[:1]
        # bob heard alice's sentence
        # (a place in bob's recording is reckoned from the file's birth and alice's own clock:
        # A.recording_origin). Alice's stream reaches him on a PeerConnection of its own, set
        # up once she publishes (ICE and DTLS took 0.7-1 s of it under ASan with the machine
        # busy): searched up to 2.5 s after her media came up.
        start_on_rec = A.on_rec(ma["t"], a, A.recording_origin(wd("b.wav")))
        r, lags = A.correlate_recording(src, wd("b.wav"), start_on_rec, hi_s=2.5)
        print("  envelope correlation %.3f, lags %s s (alice's media up at %.2f s of the "
              "recording)" % (r, lags, start_on_rec))
        assert r >= 0.7, "bob's recording does not match alice's speech: r=%.3f\n%s\n%s" % (
            r, a.describe(), b.describe())
        # alice's video went out on the meeting's connection and was counted
        st = a.find("stats")
        assert any(e.get("video_kbps_out", 0) > 2 for e in st), st
        for c in (a, b):
            bad = c.find(lambda e: e["event"] in ("error", "reconnecting") or
                         (e["event"] == "media" and e.get("state") == "failed"
                          and e.get("kind") != "chat"))  # no TextRoom 5555 in the lab
            assert not bad, "%s\n%s" % (bad, c.describe())


def test_vp9_and_simulcast():
    with vr_lab() as L:
        for name, extra, check in (
                ("vera", ["--video-codec", "vp9"],
                 lambda b: [e["codec"] for e in V.showing(b)] == ["vp9"]),
                ("sim", ["--video-simulcast"],
                 lambda b: [(e["video_width"], e["video_height"]) for e in b.find("stats")
                            if e.get("video_in")][-1:] == [(160, 90)])):
            a = start_client(L, HEADLESS + ["-n", name, "--video-source", "testpattern",
                                            "--duration", "9"] + extra + [L.url, str(ROOM)],
                             name)
            a.wait_event(lambda e: e["event"] == "media" and e.get("kind") == "video"
                         and e.get("state") == "connected", 10)
            b = start_client(L, HEADLESS + ["-n", "bob", "--video", "--duration", "6",
                                            L.url, str(ROOM)], "bob")
            b.wait_event(lambda e: e["event"] == "video-frame", 10)
            parts = L.list_participants(ROOM, plugin="videoroom")
            assert sorted(harness.shown_name(p.get("display")) for p in parts) == sorted(
                ["bob", name]), parts
            assert b.wait_exit(15) == 0, b.describe()
            assert a.wait_exit(15) == 0, a.describe()
            fr = V.frames(b)
            assert len(fr) >= 15 and all(e["from"] == name for e in fr), len(fr)
            for e in fr:
                V.check_structure(e["ascii"], 40, 12)
            assert check(b), "%s\n%s" % (name, b.describe())


if __name__ == "__main__":
    harness.run(globals())
