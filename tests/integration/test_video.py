"""ASCII-preview video through Janus VideoRoom (issue 6), against a real Janus in the lab.

- test_preview_shows_the_pattern: A publishes the moving test pattern (--video-source
  testpattern: real VP8 over ICE/DTLS-SRTP); B (headless --video) gets video-frame events
  within 3 s of starting, whose ASCII shows the pattern's structure: a bright box on a dark
  background that moves from frame to frame, above grey bars that go from dark (left) to
  bright (right). When A leaves, B reports the video stopped and gets no further frames.
- test_video_off_frees_the_stream: B's script turns the preview off and on again; while off
  no frames arrive and the stats show no video downlink (the subscription is gone), after
  "video on" frames come back.
- test_preview_under_loss: 5 % loss both ways; NACK/RTX and PLI keep the preview going and no
  damaged picture is ever shown.
- test_choose_and_follow: with two publishers, "/video NAME" and "/video next" on stdin pick
  whom to watch (one subscription, switched); a client that never chooses follows the speaker.
- test_vp9_preview: the same with a VP9 publisher (the lab rooms allow vp8 and vp9).
- test_simulcast_lowest_layer: a simulcast publisher (320x180 + 160x90); the preview gets the
  lowest layer.
- test_no_publisher: --video in a room where nobody publishes is quiet and error-free.
- test_next_with_one_sender_or_none: "/video next" says "nobody sends video" before anyone
  publishes, and with one publisher shown that she is the only one (the preview goes on).
"""

import os
import subprocess
import tempfile
import time

import harness
from harness import HEADLESS, lab, start_client

RAMP = " .:-=+*#%@"


def frames(client):
    return [e for e in client.events if e.get("event") == "video-frame"]


def picture_rows(grid):
    """The rows of the letterboxed picture: everything between the first and last row that is
    not blank (the bars' darkest part is blank too, but the bright end never is)."""
    rows = grid.split("\n")
    used = [i for i, r in enumerate(rows) if r.strip()]
    return rows, used[0], used[-1]


def check_structure(grid, cols, rows_n):
    rows, top, bottom = picture_rows(grid)
    assert len(rows) == rows_n and all(len(r) == cols for r in rows), grid
    # bars: the bottom picture row rises from dark to bright, left to right
    bars = rows[bottom]
    levels = [RAMP.index(c) if c in RAMP else -1 for c in bars.rstrip()]
    assert -1 not in levels, bars
    lit = [lv for lv in levels if lv > 0]
    assert len(lit) > cols // 2, bars
    assert all(b >= a for a, b in zip(lit, lit[1:])), bars  # monotonic ramp
    assert levels[-1] >= RAMP.index("%"), bars                 # bright right end
    assert bars[0] == " ", bars                                # dark left end
    # box: some row above the bars holds one run of '@' about a quarter of the width wide
    # (its edge cells may be partly covered: any level), and nothing but dark cells elsewhere
    box_rows = []
    for r in rows[top:bottom - 1]:
        at = [i for i, c in enumerate(r) if c == "@"]
        if at and at[-1] - at[0] + 1 == len(at) and cols // 6 <= len(at) <= cols // 3:
            others = r[:max(0, at[0] - 1)] + r[at[-1] + 2:]
            if all(c in " .:" for c in others):
                box_rows.append(at[0])
    assert box_rows, grid
    return box_rows[0]


def test_preview_shows_the_pattern():
    with lab.Lab() as L:
        a = start_client(L, HEADLESS + ["-n", "alice", "--video-source", "testpattern",
                                        "--duration", "9", L.url, "1234"], "alice")
        a.wait_event(lambda e: e.get("event") == "media" and e.get("kind") == "video"
                     and e.get("state") == "connected", 10)
        b = start_client(L, HEADLESS + ["-n", "bob", "--video", "--video-size", "40x12",
                                        "--duration", "14", L.url, "1234"], "bob")
        first = b.wait_event(lambda e: e.get("event") == "video-frame", 10)
        assert first["t"] <= 3.0, b.describe()
        assert first["from"] == "alice" and first["cols"] == 40 and first["rows"] == 12, first
        assert a.wait_exit(15) == 0, a.describe()
        stopped = b.wait_event(lambda e: e.get("event") == "video" and not e.get("on"), 10)
        assert b.wait_exit(15) == 0, b.describe()

        shown = [e for e in frames(b) if e["t"] <= stopped["t"]]
        assert len(shown) >= 20, len(shown)  # ~5 fps for several seconds
        starts = {check_structure(e["ascii"], 40, 12) for e in shown}
        assert len(starts) >= 3, starts      # the box moves
        after = [e for e in frames(b) if e["t"] > stopped["t"] + 0.5]
        assert after == [], after[:1]
        showing = [e for e in b.events if e.get("event") == "video" and e.get("on")]
        assert showing and showing[0]["from"] == "alice", b.describe()
        # the frame rate cap holds (5 fps by default), measured between the first and last
        span = shown[-1]["t"] - shown[0]["t"]
        assert len(shown) - 1 <= 5 * span + 2, (len(shown), span)
        summary = [e for e in b.events if e.get("event") == "summary"][0]
        assert summary["video_fps"] and summary["video_fps"] >= 5, summary
        # a clean leave with video is no failure, for the publisher nor for the viewer
        for c in (a, b):
            bad = c.find(lambda e: e["event"] in ("error", "reconnecting") or
                         (e["event"] == "media" and e.get("state") == "failed"))
            assert not bad, "%s at a clean leave\n%s" % (bad, c.describe())


def test_video_off_frees_the_stream():
    with tempfile.TemporaryDirectory() as tmp, lab.Lab() as L:
        script = os.path.join(tmp, "b.script")
        with open(script, "w") as f:
            f.write("at 7s video off\nat 12s video on\n")
        a = start_client(L, HEADLESS + ["-n", "alice", "--video-source", "testpattern",
                                        "--duration", "19", L.url, "1234"], "alice")
        a.wait_event(lambda e: e.get("event") == "media" and e.get("kind") == "video"
                     and e.get("state") == "connected", 10)
        b = start_client(L, HEADLESS + ["-n", "bob", "--video", "--script", script,
                                        "--duration", "16", L.url, "1234"], "bob")
        assert b.wait_exit(25) == 0, b.describe()
        assert a.wait_exit(10) == 0, a.describe()
        fr = frames(b)
        assert any(e["t"] < 7 for e in fr), b.describe()
        assert not [e for e in fr if 7.6 < e["t"] < 12], [e["t"] for e in fr]
        assert any(e["t"] > 12 for e in fr), [e["t"] for e in fr]
        off = [e for e in b.events if e.get("event") == "video" and not e.get("on")]
        assert off and off[0]["reason"] == "video is off", b.describe()
        stats = [e for e in b.events if e.get("event") == "stats"]
        # 0..5 s had video; at 10 s the subscription is gone (off since 7 s)
        quiet = [s for s in stats if 9 < s["t"] < 11]
        assert quiet and quiet[0]["video_kbps_in"] == 0 and not quiet[0]["video_in"], stats
        busy = [s for s in stats if s["t"] < 6]
        assert busy and busy[0]["video_in"] and busy[0]["video_kbps_in"] > 2, stats
        # and the publisher's downlink cap: a low layer stays well under 200 kbit/s
        assert all(s["video_kbps_in"] <= 200 for s in stats), stats


def test_preview_under_loss():
    """5 % loss both ways on the client link once both are in (joining under loss is not the
    point here: a lost SYN and SYN-ACK alone cost 3 s of the 4.5 s a first connect may take):
    NACKs (answered by Janus with RTX) repair most losses, keyframe requests the rest; the
    preview keeps going and never shows a damaged picture."""
    with lab.Lab() as L:
        a = start_client(L, HEADLESS + ["-n", "alice", "--video-source", "testpattern",
                                        "--duration", "16", L.url, "1234"], "alice")
        a.wait_event(lambda e: e.get("event") == "media" and e.get("kind") == "video"
                     and e.get("state") == "connected", 15)
        b = start_client(L, HEADLESS + ["-n", "bob", "--video", "--duration", "12",
                                        L.url, "1234"], "bob")
        b.wait_event("joined", 10)
        L.impair(loss_pct=5)
        assert b.wait_exit(25) == 0, b.describe()
        fr = frames(b)
        assert len(fr) >= 30, len(fr)
        for e in fr:
            check_structure(e["ascii"], 40, 12)
        gaps = [y["t"] - x["t"] for x, y in zip(fr, fr[1:])]
        assert max(gaps) < 2.0, gaps  # no stall longer than a keyframe round trip or two
        vids = [e for e in b.events if e.get("event") in ("video", "notice", "media")]
        stats = [e for e in b.events if e.get("event") == "stats"]
        assert any(s["video_nacks"] > 0 for s in stats), (stats, vids)
        # the preview keeps going: if the subscription is ever remade (seen once in a loaded
        # CI run, reason unknown: the events below say), it comes back at once
        ons = [e for e in vids if e["event"] == "video"]
        if len(ons) > 1:
            print("note: the preview was interrupted: %r" % vids)
        assert ons and ons[-1]["on"] and len(ons) <= 3, vids


def test_vp9_preview():
    """A VP9 publisher (the room allows vp8 and vp9): the subscriber negotiates VP9 from Janus'
    offer and shows the same pattern."""
    with lab.Lab() as L:
        a = start_client(L, HEADLESS + ["-n", "alice", "--video-source", "testpattern",
                                        "--video-codec", "vp9", "--duration", "9",
                                        L.url, "1234"], "alice")
        a.wait_event(lambda e: e.get("event") == "media" and e.get("kind") == "video"
                     and e.get("state") == "connected", 10)
        b = start_client(L, HEADLESS + ["-n", "bob", "--video", "--duration", "6",
                                        L.url, "1234"], "bob")
        first = b.wait_event(lambda e: e.get("event") == "video-frame", 10)
        assert first["t"] <= 3.0, b.describe()
        assert b.wait_exit(15) == 0, b.describe()
        fr = frames(b)
        assert len(fr) >= 15, len(fr)
        starts = {check_structure(e["ascii"], 40, 12) for e in fr}
        assert len(starts) >= 3, starts
        # the stream really was VP9 (the codec of the answer bob negotiated)
        assert [e["codec"] for e in showing(b)] == ["vp9"], showing(b)
        assert a.wait_exit(15) == 0, a.describe()


def test_simulcast_lowest_layer():
    """A simulcast publisher sends 320x180 and 160x90; Janus would forward the high layer by
    default (checked by hand with the configure request left out), the preview asks for the
    lowest substream and temporal layer and gets 160x90."""
    with lab.Lab() as L:
        a = start_client(L, HEADLESS + ["-n", "alice", "--video-source", "testpattern",
                                        "--video-simulcast", "--duration", "9",
                                        L.url, "1234"], "alice")
        a.wait_event(lambda e: e.get("event") == "media" and e.get("kind") == "video"
                     and e.get("state") == "connected", 10)
        b = start_client(L, HEADLESS + ["-n", "bob", "--video", "--duration", "6",
                                        L.url, "1234"], "bob")
        assert b.wait_exit(15) == 0, b.describe()
        assert a.wait_exit(15) == 0, a.describe()
        st = [e for e in b.events if e.get("event") == "stats" and e.get("video_in")]
        assert st and (st[-1]["video_width"], st[-1]["video_height"]) == (160, 90), st
        for e in frames(b):
            check_structure(e["ascii"], 40, 12)
        assert len(frames(b)) >= 15, len(frames(b))


def showing(client):
    return [e for e in client.events if e.get("event") == "video" and e.get("on")]


def test_choose_and_follow():
    """Two publishers. bob picks one by name and then the next (the VideoRoom "switch" on one
    subscription); dave never chooses and follows whoever speaks."""
    with tempfile.TemporaryDirectory() as tmp, lab.Lab() as L:
        speech = os.path.join(tmp, "speech.wav")
        subprocess.run(["espeak-ng", "-w", speech, "I am carol and I am talking now, " * 3],
                       check=True, timeout=30)
        a = start_client(L, HEADLESS + ["-n", "alice", "--video-source", "testpattern",
                                        "--duration", "30", L.url, "1234"], "alice")
        a.wait_event(lambda e: e.get("event") == "media" and e.get("kind") == "video", 10)
        d = start_client(L, HEADLESS + ["-n", "dave", "--video", "--duration", "25",
                                        L.url, "1234"], "dave")
        d.wait_event(lambda e: e.get("event") == "video" and e.get("from") == "alice", 10)
        b = start_client(L, HEADLESS + ["-n", "bob", "--video", "--duration", "25",
                                        L.url, "1234"], "bob")
        b.wait_event(lambda e: e.get("event") == "video" and e.get("on"), 10)
        # carol publishes too, and speaks after a few seconds of silence
        c = start_client(L, HEADLESS + ["-n", "carol", "--video-source", "testpattern",
                                        "--script", "/dev/stdin", "--duration", "25",
                                        L.url, "1234"], "carol",)
        c.proc.stdin.write(("at 5s say %s\n" % speech).encode())
        c.proc.stdin.close()
        c.wait_event(lambda e: e.get("event") == "media" and e.get("kind") == "video", 10)
        b.proc.stdin.write(b"/video carol\n")
        b.proc.stdin.flush()
        b.wait_event(lambda e: e.get("event") == "video" and e.get("from") == "carol", 10)
        b.wait_event(lambda e: e.get("event") == "video-frame" and e.get("from") == "carol", 10)
        b.proc.stdin.write(b"/video next\n/video nobody\n")
        b.proc.stdin.flush()
        b.wait_event(lambda e: e.get("event") == "video" and e.get("from") == "alice"
                     and e["t"] > showing(b)[-1]["t"] - 0.001 and len(showing(b)) >= 3, 10)
        b.wait_event(lambda e: e.get("event") == "notice" and "nobody" in e.get("message", ""),
                     5)
        # dave: carol's talking makes her the one shown, without anyone choosing
        d.wait_event(lambda e: e.get("event") == "talking" and e.get("name") == "carol"
                     and e.get("on"), 20)
        d.wait_event(lambda e: e.get("event") == "video" and e.get("from") == "carol", 6)
        d.wait_event(lambda e: e.get("event") == "video-frame" and e.get("from") == "carol", 5)
        for cl in (a, b, c, d):
            cl.proc.terminate()
            assert cl.wait_exit(10) == 0, cl.describe()
        # bob's pick holds: carol's speech did not move him away from alice
        assert showing(b)[-1]["from"] == "alice", showing(b)


def test_no_publisher():
    with lab.Lab() as L:
        b = start_client(L, HEADLESS + ["-n", "bob", "--video", "--duration", "4",
                                        L.url, "1234"], "bob")
        assert b.wait_exit(10) == 0, b.describe()
        assert frames(b) == [], b.describe()
        assert not [e for e in b.events if e.get("event") in ("error", "notice")], b.describe()


def test_next_with_one_sender_or_none():
    with lab.Lab() as L:
        b = start_client(L, HEADLESS + ["-n", "bob", "--video", "--duration", "20",
                                        L.url, "1234"], "bob")
        b.wait_event(lambda e: e.get("event") == "media" and e.get("kind") == "audio"
                     and e.get("state") == "connected", 15)

        def notice(text, start):
            return b.wait_event(lambda e: e.get("event") == "notice"
                                and text in e.get("message", ""), 5, start)
        # the video link starts after the audio join: ask until it answers "nobody"
        deadline = time.monotonic() + 10
        while True:
            n = len(b.events)
            b.write_stdin("/video next\n")
            try:
                notice("/video next: nobody sends video", n)
                break
            except AssertionError:
                if time.monotonic() > deadline:
                    raise
        a = start_client(L, HEADLESS + ["-n", "alice", "--video-source", "testpattern",
                                        "--duration", "15", L.url, "1234"], "alice")
        b.wait_event(lambda e: e.get("event") == "video-frame" and e.get("from") == "alice", 15)
        n = len(b.events)
        b.write_stdin("/video next\n")
        ev = notice("the only one sending video is shown already", n)
        b.wait_event(lambda e: e.get("event") == "video-frame" and e["t"] > ev["t"], 5)
        assert not b.find(lambda e: e.get("event") == "video" and not e.get("on")), b.describe()
        for c in (a, b):
            c.proc.terminate()
            assert c.wait_exit(10) == 0, c.describe()


if __name__ == "__main__":
    harness.run(globals())
