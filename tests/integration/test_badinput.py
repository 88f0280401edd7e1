#!/usr/bin/env python3
"""Bad input: wrong arguments (exit 2 + usage), unreachable servers (exit 3 within 5 s),
refused rooms and pins (exit 4, "there is no room N on this server" for a missing one, and no
"no sound card" line on such a failed run), local mistakes in file names (exit 6, said before
the privacy notice, headless and in the TUI through tmux), and a broken server for every mode of
tests/fixtures/badserver.py (exit 3, no crash, no hang). For every error: the last non-empty
stderr line is one `ttymeet: ` line, and in headless mode an `error` event carries the exit
code (see harness.check_error_exit)."""

import concurrent.futures
import os
import signal
import tempfile
import time

import harness
from harness import HEADLESS, check_error_exit, lab, start_badserver, start_client, start_local

USAGE_CASES = [
    ("no URL", HEADLESS + ["-n", "x"]),
    ("no room", HEADLESS + ["-n", "x", "ws://198.18.0.2:8188/"]),
    ("only a room", HEADLESS + ["-n", "x", "1234"]),
    ("bad scheme", HEADLESS + ["-n", "x", "http://198.18.0.2:8188/", "1234"]),
    ("no scheme", HEADLESS + ["-n", "x", "198.18.0.2:8188", "1234"]),
    ("room not numeric", HEADLESS + ["-n", "x", "ws://198.18.0.2:8188/", "abc"]),
    ("room negative", HEADLESS + ["-n", "x", "ws://198.18.0.2:8188/", "-5"]),
    ("room overflow", HEADLESS + ["-n", "x", "ws://198.18.0.2:8188/",
                                  "99999999999999999999999"]),
    ("unknown option", HEADLESS + ["--no-such-option", "ws://198.18.0.2:8188/", "1234"]),
    ("extra argument", HEADLESS + ["ws://198.18.0.2:8188/", "1234", "extra"]),
    ("duration not a number", HEADLESS + ["--duration", "soon", "ws://198.18.0.2:8188/",
                                          "1234"]),
]

BAD_MODES = ["garbage", "badutf8", "oversized", "deepjson", "close-midjoin", "silent",
             "wrongtypes", "wrongtypes-attach", "wrongtypes-join", "wrongtypes-envelope",
             "binary", "refuse-subprotocol", "wrong-subprotocol", "hostile-reason"]


def test_usage_errors():
    failures = []
    for what, args in USAGE_CASES:
        c = start_local(args, what)
        try:
            check_error_exit(c, 2, within=5)
            assert any("usage" in ln.lower() for ln in c.stderr.splitlines()), (
                "%s: no usage line on stderr\n%s" % (what, c.describe()))
        except AssertionError as e:
            failures.append(str(e))
    # the missing argument is named
    for what, arg, words in (("no room named", "ws://198.18.0.2:8188/",
                              "missing ROOM after ws://198.18.0.2:8188/"),
                             ("no URL named", "1234", "missing URL before ROOM 1234")):
        c = start_local(HEADLESS + [arg], what)
        try:
            check_error_exit(c, 2, within=5, words=[words])
        except AssertionError as e:
            failures.append(str(e))
    c = start_local([], "no arguments")
    try:
        check_error_exit(c, 2, within=5, headless=False)
        assert "usage" in c.stderr.lower(), c.describe()
    except AssertionError as e:
        failures.append(str(e))
    assert not failures, "\n\n".join(failures)


def test_help_and_version_exit_0():
    for flag in ("--help", "--version"):
        c = start_local([flag], flag)
        rc = c.wait_exit(5)
        assert rc == 0, "%s: exit %d\n%s" % (flag, rc, c.describe())
        assert "ttymeet" in (c.stderr + "".join(c.bad_lines)).lower() or c.events, c.describe()


def test_connection_refused():
    with lab.Lab() as L:
        c = start_client(L, HEADLESS + ["-n", "x", "ws://198.18.0.2:1/", "1234"], "refused")
        check_error_exit(c, 3, within=5)
        first = c.events[0] if c.events else {}
        assert first.get("event") == "connecting", c.describe()


def test_server_never_answers():
    with lab.Lab() as L:
        L.add_silent_route("198.18.0.200")
        t0 = time.monotonic()
        c = start_client(L, HEADLESS + ["-n", "x", "ws://198.18.0.200:8188/", "1234"],
                         "blackhole")
        check_error_exit(c, 3, within=6.5)
        assert time.monotonic() - t0 < 6.5


def test_rooms_and_pins():
    with lab.Lab() as L:
        cases = [
            # --audio-device: a device is asked for, and the lab has no sound card; the run
            # fails first for the room, so the card is never mentioned
            ("no such room", ["--audio-device", "default", L.url, "999999"],
             ["there is no room 999999 on this server"]),
            ("wrong pin", ["--pin", "wrong", L.url, "4321"], ["pin"]),
            ("missing pin", [L.url, "4321"], ["pin"]),
        ]
        failures = []
        for what, args, words in cases:
            c = start_client(L, HEADLESS + ["-n", "x"] + args, what)
            try:
                check_error_exit(c, 4, within=10, words=words)
                assert not c.find("joined"), "%s: joined anyway\n%s" % (what, c.describe())
                assert "sound card" not in c.stderr, "%s: %s" % (what, c.describe())
            except AssertionError as e:
                failures.append(str(e))
        assert not failures, "\n\n".join(failures)
        assert harness.participants(L, 4321) == {}

        ok = start_client(L, HEADLESS + ["-n", "pinned", "--pin", "s3cret", L.url, "4321"],
                          "right pin")
        j = ok.wait_event("joined", 15)
        assert j.get("room") == 4321, j
        ids = harness.participants(L, 4321)
        assert ids == {j["id"]: "pinned"}, ids
        ok.send_signal(signal.SIGTERM)
        assert ok.wait_exit(5) == 0, ok.describe()
        ok.assert_clean_output()
        assert not ok.find("error"), ok.describe()


def test_audio_room_without_chat_and_video_rooms():
    """Room 5555 exists only in the AudioBridge: the meeting goes on, and the missing TextRoom
    (417) and VideoRoom (426) rooms are said in plain words, not as Janus error text."""
    with lab.Lab(plugin_room_options={"audiobridge": {5555: {}}}) as L:
        c = start_client(L, HEADLESS + ["-n", "x", "--video", "--duration", "2", L.url, "5555"],
                         "audio-only room")
        assert c.wait_exit(15) == 0, c.describe()
        chat = c.find(lambda e: e["event"] == "media" and e.get("kind") == "chat")
        assert chat and chat[0]["state"] == "failed", c.describe()
        assert chat[0]["message"] == "there is no chat room for this meeting on this server", chat
        video = [e["message"] for e in c.find("notice") if "video" in e["message"]]
        assert "no video in this room: there is no video room 5555 on this server" in video, (
            c.describe())


def local_mistakes(d):
    """(what, options, words of the one line) for mistakes in file names, under folder d."""
    notwav = os.path.join(d, "notes.wav")
    with open(notwav, "w") as f:
        f.write("these are notes, not audio; long enough for a RIFF header\n" * 4)
    missing = os.path.join(d, "no-such-folder")
    return [
        ("--play missing", ["--play", os.path.join(d, "nope.wav")],
         ["--play", "there is no such file"]),
        ("--play not a WAV", ["--play", notwav], ["--play", "not a WAV file"]),
        ("--play a folder", ["--play", d], ["--play", "a folder"]),
        ("--record into a missing folder", ["--record", os.path.join(missing, "out.wav")],
         ["--record", "the folder %s does not exist" % missing]),
        ("--record a folder", ["--record", d], ["--record", "it is a folder"]),
        ("--report into a missing folder", ["--report", os.path.join(missing, "r.json")],
         ["--report", "does not exist"]),
        ("--script missing", ["--script", os.path.join(d, "nope.script")],
         ["--script", "no such file"]),
    ]


def test_local_mistakes_before_notice():
    """Each mistake: exit 6 and one clear line, before the privacy notice. Headless without
    --accept-privacy the notice would be printed (and exit 2): neither happens. In the TUI
    (tmux) the notice never shows, and --log into a missing folder is said the same way."""
    from test_tui import Tui
    failures = []
    with tempfile.TemporaryDirectory(prefix="ttm-early-") as d:
        for what, opts, words in local_mistakes(d):
            c = start_local(["--headless", "-n", "x"] + opts + ["ws://198.18.0.2:8188/", "1234"],
                            what)
            try:
                line = check_error_exit(c, 6, within=5, words=words)
                err = [ln for ln in c.stderr.splitlines() if ln.strip()]
                assert err == [line], "%s: more than one line:\n%s" % (what, c.describe())
                assert "Privacy notice" not in c.stderr and "accept-privacy" not in c.stderr, (
                    "%s: the notice came first\n%s" % (what, c.describe()))
                assert "audio device" not in line, line
            except AssertionError as e:
                failures.append(str(e))
        tui_cases = [("--log into a missing folder",
                      ["--log", os.path.join(d, "gone", "t.log")], ["--log", "does not exist"]),
                     local_mistakes(d)[3]]
        for what, opts, words in tui_cases:
            t = Tui(None, opts + ["ws://198.18.0.2:8188/", "1234"], name="tui " + what)
            try:
                seen = ""
                deadline = time.monotonic() + 5
                while not (os.path.exists(t.rcfile) and open(t.rcfile).read().strip()):
                    seen += t.capture()
                    assert time.monotonic() < deadline, "%s: no exit\n%s" % (what, seen)
                    time.sleep(0.02)
                rc = t.wait_exit(1)
                err = [ln for ln in t.stderr().splitlines() if ln.strip()]
                assert rc == 6, "%s: exit %d\n%s" % (what, rc, err)
                assert len(err) == 1 and err[0].startswith("ttymeet: "), err
                for w in words:
                    assert w in err[0], (w, err)
                assert "Privacy" not in seen, "%s: the notice showed:\n%s" % (what, seen)
            except AssertionError as e:
                failures.append(str(e))
            finally:
                t.kill()
    assert not failures, "\n\n".join(failures)


def one_bad_server(L, mode):
    """ttymeet against the bad-server fixture in one mode: exit 3 within 10 s, never joined, no
    control characters in what it says. Returns a failure text, or None."""
    server, port = start_badserver(L, mode)
    c = start_client(L, HEADLESS + ["-n", "x", "ws://127.0.0.1:%d/" % port, "1234"],
                     "badserver " + mode)
    try:
        line = check_error_exit(c, 3, within=10)
        assert not c.find("joined"), "%s: joined a broken server\n%s" % (mode, c.describe())
        # whatever the server says reaches the terminal without control characters
        assert not any(ord(ch) < 32 or 0x7f <= ord(ch) < 0xa0 for ch in line), (
            "%s: control characters in %r" % (mode, line))
        for e in c.events:
            for v in e.values():
                assert not (isinstance(v, str) and
                            any(ord(ch) < 32 and ch != "\n" or 0x7f <= ord(ch) < 0xa0
                                for ch in v)), "%s: control characters in %r" % (mode, e)
        if mode == "hostile-reason":
            assert "no" in line and "way" in line, line
    except AssertionError as e:
        return str(e)
    finally:
        c.kill()
        server.kill()
        server.wait(5)
    return None


def test_bad_servers():
    """Every mode of the fixture, five at a time (each its own server and client): most end at
    once, "silent" waits out the 6 s request timeout; ~8 s instead of ~20 s one after another."""
    with lab.Lab() as L, concurrent.futures.ThreadPoolExecutor(max_workers=5) as pool:
        failures = [f for f in pool.map(lambda m: one_bad_server(L, m), BAD_MODES) if f]
        assert not failures, "%d of %d modes failed:\n\n%s" % (
            len(failures), len(BAD_MODES), "\n\n".join(failures))


def test_malformed_messages_mid_meeting():
    """A burst of malformed and unexpected messages right after the join: each is ignored,
    said in a (sanitized, rate-limited) notice, and the meeting goes on to a clean leave."""
    with lab.Lab() as L:
        server, port = start_badserver(L, "midmeeting-garbage")
        try:
            c = start_client(L, HEADLESS + ["-n", "x", "--duration", "3",
                                            "ws://127.0.0.1:%d/" % port, "1234"], "midmeeting")
            c.wait_event("joined", 10)
            n = c.wait_event("notice", 5)
            assert "malformed" in n["message"], n
            rc = c.wait_exit(10)
            assert rc == 0, "exit %d\n%s" % (rc, c.describe())
            left = c.find("left")
            assert len(left) == 1 and left[0].get("reason") == "duration", c.describe()
            assert not c.find(lambda e: e["event"] in ("error", "reconnecting")), c.describe()
            notices = [e for e in c.find("notice") if "malformed" in e["message"]]
            assert len(notices) == 1, "not rate-limited: %s" % notices
            for e in c.events:
                for v in e.values():
                    assert not (isinstance(v, str) and
                                any(ord(ch) < 32 and ch != "\n" or 0x7f <= ord(ch) < 0xa0
                                    for ch in v)), "control characters in %r" % e
            # the hostile participant joined the roster under a cleaned name
            evil = [e for e in c.find("participant-joined") if "evil" in e.get("name", "")]
            assert evil, c.describe()
            c.assert_clean_output()
        finally:
            server.kill()
            server.wait(5)


if __name__ == "__main__":
    harness.require_root()
    harness.run()
