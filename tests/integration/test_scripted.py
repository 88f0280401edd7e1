"""Scripted headless participants (issue 7), against a real Janus in the lab.

- test_three_participant_script: alice and bob run scripts with say/chat/mute/unmute/leave and
  expectations that can all be met (carol just sits in the room): both exit 0, every
  expectation is reported met in their summaries, and the summary carries the join phases.
- test_unmeetable_expectation: an expectation that cannot be met makes ttymeet exit 7 and name
  the failed line on stderr and in the summary.
- test_script_errors: a broken script stops ttymeet before it connects, with line and column.
- test_twenty_in_one_process: --participants 20 joins all 20 to one room (the server's own
  participant list shows 20), each leaves cleanly, and the aggregate summary counts 20; their
  stats say audio_in null (they do not decode) while audio arrives.
- test_report_file: --report writes the summary to the file named, mode 0600, and nothing else.
- test_fleet_plays_one_encoding: two bots of one process playing the same --play file send
  it encoded once (a notice says so): a listener's recording matches the speech, and the
  listener sees both talking.
"""

import json
import os
import subprocess
import tempfile
import time
import wave

import harness
from harness import HEADLESS, lab, start_client


def speech(path, text):
    subprocess.run(["espeak-ng", "-w", path, text], check=True, capture_output=True)


def summary(c, who=None):
    s = [e for e in c.events if e.get("event") == "summary" and e.get("who") == who]
    assert len(s) == 1, c.describe()
    return s[0]


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def test_three_participant_script():
    tmp = tempfile.mkdtemp(prefix="ttm-script-")
    wav = os.path.join(tmp, "hello.wav")
    speech(wav, "Hello everybody, this is a scripted participant speaking in the room.")
    write(os.path.join(tmp, "alice"), f"""# alice greets, mutes for a while, leaves
at 1s say {wav}
at 2s chat hello everyone
at 3s mute
at 4s unmute
expect participants >= 3 within 6s
expect audio within 8s
expect chat "hi alice" from bob within 8s
expect no error
at 9s leave
""")
    write(os.path.join(tmp, "bob"), f"""at 1.5s say "{wav}"
at 3s chat hi alice
at 4s chat to alice "a private word"
expect chat "hello" from alice within 8s
expect talking alice within 9s
expect participants >= 3 within 6s
at 9s leave
""")
    with lab.Lab() as L:
        carol = start_client(L, HEADLESS + ["-n", "carol", "--duration", "13", L.url, "1234"], "carol")
        carol.wait_event("joined", 10)
        a = start_client(L, HEADLESS + ["-n", "alice", "--script", os.path.join(tmp, "alice"),
                                        L.url, "1234"], "alice")
        b = start_client(L, HEADLESS + ["-n", "bob", "--script", os.path.join(tmp, "bob"),
                                        L.url, "1234"], "bob")
        assert a.wait_exit(25) == 0, a.describe()
        assert b.wait_exit(25) == 0, b.describe()
        for c in (a, b):
            s = summary(c)
            ex = s["expectations"]
            assert ex["failed"] == 0 and ex["pending"] == 0 and ex["met"] >= 3, s
            assert all(e["state"] == "met" for e in ex["list"]), ex
            for phase in ("signaling", "ice", "dtls", "total"):
                assert 0 < s["join_ms"][phase] < 5000, s["join_ms"]
            assert c.events[-1]["event"] == "left" and c.events[-1]["reason"] == "script"
        # bob's private word reached alice only
        pa = [e for e in a.events if e.get("event") == "chat" and e.get("private")]
        assert [e["text"] for e in pa] == ["a private word"], pa
        assert not [e for e in carol.events if e.get("event") == "chat" and e.get("private")]
        # alice was muted between 3 s and 4 s: the others saw it
        assert any(e.get("event") == "muted" and e["name"] == "alice" and e["on"]
                   for e in carol.events), carol.describe()
        carol.wait_exit(20)


def test_unmeetable_expectation():
    tmp = tempfile.mkdtemp(prefix="ttm-script-")
    path = os.path.join(tmp, "s")
    write(path, "expect participants >= 1 within 5s\n"
                "expect participants == 5 within 3s\n"
                "at 4s leave\n")
    with lab.Lab() as L:
        c = start_client(L, HEADLESS + ["-n", "dave", "--script", path, L.url, "1234"], "dave")
        assert c.wait_exit(20) == 7, c.describe()
        assert "line 2: expect participants == 5 within 3s" in c.stderr, c.stderr
        ex = summary(c)["expectations"]
        assert ex["met"] == 1 and ex["failed"] == 1, ex
        assert summary(c)["exit_code"] == 7


def test_script_errors():
    tmp = tempfile.mkdtemp(prefix="ttm-script-")
    path = os.path.join(tmp, "bad")
    write(path, "at 1s chat fine\nat soon mute\n")
    with lab.Lab() as L:
        c = start_client(L, HEADLESS + ["-n", "erin", "--script", path, L.url, "1234"], "erin")
        code = c.wait_exit(10)
        assert code == 2, c.describe()
        assert "line 2, column 4" in c.stderr, c.stderr
        assert not [e for e in c.events if e.get("event") == "connecting"], c.describe()
        assert len(L.list_participants()) == 0


def test_twenty_in_one_process():
    with lab.Lab() as L:
        c = start_client(L, HEADLESS + ["--participants", "20", "--ramp", "20",
                                        "--name-pattern", "load-%d", "--duration", "9",
                                        L.url, "1234"], "fleet")
        deadline = time.monotonic() + 8
        names = []
        while time.monotonic() < deadline:
            names = L.list_participants()
            if len(names) == 20:
                break
            time.sleep(0.5)
        assert len(names) == 20, names
        assert sorted(harness.shown_name(p["display"]) for p in names) == sorted("load-%d" % i for i in range(1, 21)), names
        assert c.wait_exit(30) == 0, c.describe()
        lefts = [e for e in c.events if e.get("event") == "left"]
        assert len(lefts) == 20 and all(e["reason"] == "duration" for e in lefts), lefts
        agg = summary(c, "all")
        assert agg["kind"] == "aggregate" and agg["count"] == 20, agg
        # Nobody listens to these bots, so they do not decode: audio_in is unknown, not false.
        st = c.find("stats")
        assert st and all(e["audio_in"] is None and e["kbps_in"] > 1 for e in st), st[:3]
        assert agg["exit_codes"] == {"0": 20}, agg
        time.sleep(1)
        assert len(L.list_participants()) == 0, L.list_participants()


def test_report_file():
    tmp = tempfile.mkdtemp(prefix="ttm-report-")
    out = os.path.join(tmp, "summary.json")
    with lab.Lab() as L:
        c = start_client(L, HEADLESS + ["-n", "frank", "--duration", "6", "--report", out,
                                        L.url, "1234"], "frank")
        assert c.wait_exit(20) == 0, c.describe()
    assert os.listdir(tmp) == ["summary.json"], os.listdir(tmp)
    assert (os.stat(out).st_mode & 0o777) == 0o600
    data = json.load(open(out))
    assert data["schema"] == "ttymeet-summary/1" and data["name"] == "frank", data
    assert data["samples"] >= 1 and data["exit_code"] == 0, data


def test_fleet_plays_one_encoding():
    import test_audio as T  # the speech and correlation helpers
    with T.Workdir() as wd, lab.Lab() as L:
        src = wd("speech.wav")
        length = T.speech(src)
        dur = length + 4.0
        b = start_client(L, HEADLESS + ["-n", "bob", "--record", wd("b.wav"), "--duration",
                                        "%.1f" % (dur + 4.0), L.url, "1234"], "bob")
        T.media_connected(b)
        f = start_client(L, HEADLESS + ["--participants", "2", "--ramp", "50", "--name-pattern",
                                        "play-%d", "--play", src, "--duration", "%.1f" % dur,
                                        L.url, "1234"], "fleet")
        note = f.wait_event(lambda e: e["event"] == "notice" and e.get("who") == "all", 10)
        assert "encoded once for all 2 participants" in note["message"], note
        starts = [f.wait_event(lambda e, w=w: e["event"] == "media" and e.get("who") == w
                               and e.get("state") == "connected", 15)["t"]
                  for w in ("play-1", "play-2")]
        assert f.wait_exit(dur + 15) == 0, f.describe()
        assert b.wait_exit(dur + 20) == 0, b.describe()
        start_on_rec = T.on_rec(min(starts), f, T.recording_origin(wd("b.wav")))
        r, offset, lags = T.two_voices_correlation(src, wd("b.wav"), start_on_rec)
        other = wd("other.wav")
        T.speech(other, T.STORY[:150])
        r_other, _, _ = T.two_voices_correlation(other, wd("b.wav"), start_on_rec)
        print("  bots started %.3f s apart; envelope correlation %.3f with the second voice "
              "%.2f s behind, lags %s s; an unrelated sentence: %.3f"
              % (abs(starts[0] - starts[1]), r, offset, lags, r_other))
        assert r >= 0.7, "bob's recording does not match the bots' speech: r=%.3f\n%s" % (
            r, b.describe())
        assert r_other < 0.5, "the measure does not discriminate: r=%.3f" % r_other
        talking = {e["name"] for e in b.find("talking") if e.get("on")}
        assert {"play-1", "play-2"} <= talking, b.describe()


if __name__ == "__main__":
    harness.require_root()
    harness.run()
