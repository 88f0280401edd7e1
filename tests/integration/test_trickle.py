#!/usr/bin/env python3
"""Trickle from the server: with Janus configured with full_trickle, its SDPs carry no
candidates and every candidate of its comes as a `trickle` event on the handle it belongs to.
A publisher (audio, chat, test-pattern video) and a viewer (audio, chat, video preview) join;
every link connects, the viewer shows the publisher's picture, and the `stats` events count
the server's trickled candidates each link took (audio: AudioBridge, chat: TextRoom,
video: VideoRoom publisher or subscriber). Both leave cleanly. Takes about 15 s."""

import harness
from harness import HEADLESS, lab, start_client


def connected(kind):
    return lambda e: (e["event"] == "media" and e.get("kind") == kind
                      and e.get("state") == "connected")


def test_full_trickle():
    with lab.Lab(full_trickle=True) as L:
        a = start_client(L, HEADLESS + ["-n", "alice", "--video-source", "testpattern",
                                        "--duration", "10", L.url, "1234"], "alice")
        for kind in ("audio", "chat", "video"):
            a.wait_event(connected(kind), 10)
        b = start_client(L, HEADLESS + ["-n", "bob", "--video", "--duration", "7", L.url,
                                        "1234"], "bob")
        for kind in ("audio", "chat"):
            b.wait_event(connected(kind), 10)
        f = b.wait_event("video-frame", 10)
        assert f["from"] == "alice", f
        assert b.wait_exit(15) == 0, b.describe()
        assert a.wait_exit(15) == 0, a.describe()
        for c in (a, b):
            stats = [e for e in c.find("stats") if "trickled" in e]
            assert stats, "no stats with trickle counts\n%s" % c.describe()
            # both are in the room while bob is (stats also count the room)
            assert 2 in [e.get("participants") for e in stats], stats
            t = stats[-1]["trickled"]
            for kind in ("audio", "chat", "video"):
                assert t[kind] >= 1, "%s: no trickled candidate used for %s: %s" % (
                    c.name, kind, t)
            bad = c.find(lambda e: e["event"] in ("error", "reconnecting") or
                         (e["event"] == "media" and e.get("state") == "failed"))
            assert not bad, "%s\n%s" % (bad, c.describe())
            c.assert_clean_output()


if __name__ == "__main__":
    harness.require_root()
    harness.run()
