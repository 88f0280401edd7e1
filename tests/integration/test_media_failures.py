#!/usr/bin/env python3
"""Media failures against the lab's real Janus: a DTLS certificate that does not match the
SDP fingerprint (the test-only hook TTYMEET_TEST_TAMPER_FINGERPRINT=1 of ttymeet-testhooks,
which the shipped ttymeet does not have, corrupts the
server's fingerprint before the check) must abort with exit 5 and no media; a Janus killed
mid-meeting and started again must see both clients reconnect, rejoin within 10 s of Janus
being back and carry A's speech to B again (envelope correlation of the post-restart part of
B's recording, measured as in test_audio.py)."""

import re
import time

import harness
from harness import HEADLESS, check_error_exit, lab, start_client
from test_audio import (STORY, WIN_S, Workdir, aligned_correlation, envelope_of, exit_ok,
                        media_connected, read_wav, speech)

MEDIA_UP_MARKS = ("The DTLS handshake has been completed", "WebRTC media is now available")
HEX_RUN = re.compile(r"(?:[0-9A-Fa-f]{2}:)+[0-9A-Fa-f]{1,2}")


def test_fingerprint_mismatch():
    with lab.Lab() as L:
        a = start_client(L, HEADLESS + ["-n", "alice", L.url, "1234"], "alice",
                         env={"TTYMEET_TEST_TAMPER_FINGERPRINT": "1"},
                         binary=harness.testhooks_path())
        line = check_error_exit(a, 5, 10.0, words=("fingerprint",))
        # If the line quotes fingerprints, it quotes them whole (sha-256: 32 bytes).
        for run in HEX_RUN.findall(line):
            assert len(run) == 95, "fingerprint cut short in the error line: %r" % line
        failed = a.find(lambda e: e["event"] == "media" and e.get("state") == "failed")
        assert failed and failed[0].get("kind") == "audio", a.describe()
        assert not a.find(lambda e: e["event"] == "media" and e.get("state") == "connected"), (
            a.describe())
        assert not a.find("stats") and not a.find("reconnecting"), a.describe()
        assert harness.participants(L) == {}, "alice is still in the room"
        log = L.log_text()
        for mark in MEDIA_UP_MARKS:
            assert mark not in log, "Janus got media from the tampered client: %r" % mark

        # Control: the shipped ttymeet, with the hook's variable set all the same, gets media
        # (it has no such hook), and Janus' log shows it (so the checks above would have seen
        # media had it flowed).
        b = start_client(L, HEADLESS + ["-n", "bob", "--duration", "2", L.url, "1234"], "bob",
                         env={"TTYMEET_TEST_TAMPER_FINGERPRINT": "1"})
        media_connected(b)
        exit_ok(b, 10)
        deadline = time.monotonic() + 3
        while not all(m in L.log_text() for m in MEDIA_UP_MARKS):
            assert time.monotonic() < deadline, "no media marks in Janus' log for bob"
            time.sleep(0.1)


def _after(client, name, t_min, pred=None):
    """First event `name` with t > t_min (and pred), else None."""
    for e in client.find(name):
        if e["t"] > t_min and (pred is None or pred(e)):
            return e
    return None


def test_janus_restart_mid_meeting():
    with Workdir() as wd, lab.Lab() as L:
        src = wd("story.wav")
        length = speech(src, STORY)
        assert length > 30, "espeak-ng made only %.1f s of speech" % length
        a_dur, b_dur = 24.0, 27.0
        b = start_client(L, HEADLESS + ["-n", "bob", "--record", wd("b.wav"), "--duration",
                                        str(b_dur), L.url, "1234"], "bob")
        media_connected(b)
        a = start_client(L, HEADLESS + ["-n", "alice", "--play", src, "--duration", str(a_dur),
                                        L.url, "1234"], "alice")
        ma1 = media_connected(a)
        time.sleep(5.0)

        assert not a.find("reconnecting") and not b.find("reconnecting"), (
            "reconnecting before Janus went away\n%s\n%s" % (a.describe(), b.describe()))
        t_kill = time.monotonic()
        L.stop_janus()
        time.sleep(2.0)
        L.start_janus()
        t_back = time.monotonic()
        print("  Janus down %.2f s (stopped, 2 s pause, started and ready)" % (t_back - t_kill))

        events = {}
        for c in (a, b):
            rc = c.wait_event("reconnecting", 10)
            assert isinstance(rc.get("attempt"), int) and rc["attempt"] >= 1, rc
            assert isinstance(rc.get("message"), str) and rc["message"], rc
            j = c.wait_event(lambda e, t=rc["t"]: e["event"] == "joined" and e["t"] > t, 12)
            took = time.monotonic() - t_back  # when we saw it: never earlier than it happened
            m = c.wait_event(lambda e, t=j["t"]: e["event"] == "media" and e["t"] >= t, 10)
            assert m.get("state") == "connected", "%s: media %s after the rejoin\n%s" % (
                c.name, m.get("state"), c.describe())
            print("  %s: reconnecting (attempt %d: %s), joined <= %.2f s after Janus was back, "
                  "media %.2f s after that" % (c.name, rc["attempt"], rc["message"], took,
                                               m["t"] - j["t"]))
            assert took <= 10.0, "%s rejoined %.1f s after Janus came back\n%s" % (
                c.name, took, c.describe())
            events[c.name] = (rc, j, m)
        exit_ok(a, a_dur + 15)
        exit_ok(b, b_dur + 15)
        for c in (a, b):
            assert not c.find(lambda e: e["event"] == "media" and e.get("state") == "failed"
                              and e["t"] < events[c.name][0]["t"] - 0.5), c.describe()

        # Where A's file resumed: A reads it only while its media is up, so the position at
        # the restart is (loss - first media) and it goes on from A's second media event.
        ra, _, ma2 = events["alice"]
        _, _, mb2 = events["bob"]
        pos_resume = ra["t"] - ma1["t"]
        off = a.started - b.started  # A's clock -> B's clock
        seg_from = max(ma2["t"] + off, mb2["t"]) + 0.5  # both back, on B's clock
        seg_to = a_dur + off - 0.5
        assert seg_to - seg_from > 4, "too little audio after the restart (%.1f s)" % (
            seg_to - seg_from)
        rec = envelope_of(wd("b.wav"))
        seg = rec[int(seg_from / WIN_S):int(seg_to / WIN_S)]
        ref = envelope_of(src)
        # A's file index for seg[0] if the path had no delay; delay moves it earlier.
        p0 = (pos_resume + seg_from - (ma2["t"] + off)) / WIN_S
        r, lags = aligned_correlation(seg, ref, p0 - 1.5 / WIN_S, p0 + 0.5 / WIN_S)
        print("  post-restart: %.1f s of B's recording vs A's file from %.2f s: r=%.3f, "
              "positions %s s" % (seg_to - seg_from, p0 * WIN_S, r,
                                  [x if x is None else round(x * WIN_S, 2) for x in lags]))
        assert r >= 0.6, ("B's recording after the restart does not match A's speech: "
                          "r=%.3f\n%s\n%s" % (r, a.describe(), b.describe()))
        rate, x = read_wav(wd("b.wav"))
        assert len(x) / rate > seg_to, "B's recording is %.1f s long" % (len(x) / rate)


if __name__ == "__main__":
    harness.require_root()
    harness.run()
