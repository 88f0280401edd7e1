#!/usr/bin/env python3
"""Bad input: wrong arguments (exit 2 + usage), unreachable servers (exit 3 within 5 s),
refused rooms and pins (exit 4), and a broken server for every mode of
tests/fixtures/badserver.py (exit 3, no crash, no hang). For every error: the last non-empty
stderr line is one `ttymeet: ` line, and in headless mode an `error` event carries the exit
code (see harness.check_error_exit)."""

import signal
import time

import harness
from harness import HEADLESS, check_error_exit, lab, start_badserver, start_client, start_local

USAGE_CASES = [
    ("no URL", HEADLESS + ["-n", "x"]),
    ("no room", HEADLESS + ["-n", "x", "ws://198.18.0.2:8188/"]),
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
            ("no such room", [L.url, "999999"], ["999999"]),
            ("wrong pin", ["--pin", "wrong", L.url, "4321"], ["pin"]),
            ("missing pin", [L.url, "4321"], ["pin"]),
        ]
        failures = []
        for what, args, words in cases:
            c = start_client(L, HEADLESS + ["-n", "x"] + args, what)
            try:
                check_error_exit(c, 4, within=10, words=words)
                assert not c.find("joined"), "%s: joined anyway\n%s" % (what, c.describe())
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


def test_bad_servers():
    with lab.Lab() as L:
        failures = []
        for mode in BAD_MODES:
            server, port = start_badserver(L, mode)
            c = start_client(L, HEADLESS + ["-n", "x", "ws://127.0.0.1:%d/" % port, "1234"],
                             "badserver " + mode)
            try:
                line = check_error_exit(c, 3, within=10)
                assert not c.find("joined"), "%s: joined a broken server\n%s" % (
                    mode, c.describe())
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
                failures.append(str(e))
            finally:
                c.kill()
                server.kill()
                server.wait(5)
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
