#!/usr/bin/env python3
"""Secrets off the command line, against the lab's real Janus (room 4321 has pin "s3cret"):
--pin-file (mode 0600) and TTYMEET_PIN join and the pin never shows in /proc/PID/cmdline;
--pin (and TURN credentials in the --turn URL) still work but warn, and their argv copies
are blanked once read; a pin file others can
read (0644) is refused with exit 6 before anything connects; a room that needs a pin nobody
gave, or a wrong pin from a file, ends headless runs with exit 4 and a line saying how to
give one. The recording of --record is private (0600) and a symlink at its path is refused."""

import os
import signal
import tempfile

import harness
from harness import HEADLESS, check_error_exit, lab, start_client

PIN = "s3cret"
TURN_PASS = "turnpa55"


def write_secret(d, name, text, mode):
    path = os.path.join(d, name)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)
    return path


def cmdline(client):
    with open("/proc/%d/cmdline" % client.proc.pid, "rb") as f:
        return f.read().decode("utf-8", "replace")


def test_pin_sources_join_and_stay_hidden():
    with lab.Lab() as L, tempfile.TemporaryDirectory() as d:
        pin_file = write_secret(d, "pin", PIN + "\n", 0o600)
        clients = {
            "file": start_client(L, HEADLESS + ["-n", "viafile", "--pin-file", pin_file,
                                                L.url, "4321"], "pin-file"),
            "env": start_client(L, HEADLESS + ["-n", "viaenv", L.url, "4321"], "env",
                                env={"TTYMEET_PIN": PIN}),
            # TURN credentials in the --turn URL: warned about and masked too (the relay is
            # an address of the lab where nothing listens; host candidates carry the call)
            "argv": start_client(L, HEADLESS + ["-n", "viaargv", "--pin", PIN, "--turn",
                                                "turn:tuser:%s@%s:3478" % (TURN_PASS,
                                                                           lab.SERVER_ADDR),
                                                L.url, "4321"], "argv"),
        }
        ids = {}
        for what, c in clients.items():
            j = c.wait_event("joined", 20)
            assert j.get("room") == 4321, (what, j)
            ids[j["id"]] = "via" + what
            line = cmdline(c)
            assert "ttymeet" in line and "4321" in line, (what, line)
            assert PIN not in line, "%s: the pin shows in /proc/PID/cmdline: %r" % (what, line)
            assert TURN_PASS not in line, "%s: the TURN password shows: %r" % (what, line)
        assert harness.participants(L, 4321) == ids, (harness.participants(L, 4321), ids)
        for c in clients.values():
            c.send_signal(signal.SIGTERM)
        for what, c in clients.items():
            assert c.wait_exit(10) == 0, c.describe()
            c.assert_clean_output()
            assert not c.find("error"), c.describe()
            warned = [ln for ln in c.stderr.splitlines() if "visible to other local users" in ln]
            assert len(warned) == (2 if what == "argv" else 0), "%s: warnings %r\n%s" % (
                what, warned, c.describe())
            for secret in (PIN, TURN_PASS):
                assert secret not in c.stderr and secret not in "".join(map(str, c.events)), (
                    c.describe())


def test_pin_refusals():
    with lab.Lab() as L, tempfile.TemporaryDirectory() as d:
        open_file = write_secret(d, "open", PIN + "\n", 0o644)
        wrong_file = write_secret(d, "wrong", "nope\n", 0o600)
        c = start_client(L, HEADLESS + ["-n", "x", "--pin-file", open_file, L.url, "4321"],
                         "0644 pin file")
        line = check_error_exit(c, 6, within=3, words=["chmod 600", open_file])
        assert PIN not in line
        assert not c.find("connecting"), "connected with a refused pin file\n" + c.describe()

        c = start_client(L, HEADLESS + ["-n", "x", L.url, "4321"], "no pin")
        check_error_exit(c, 4, within=10,
                         words=["room 4321 needs a pin", "--pin-file", "TTYMEET_PIN"])
        c = start_client(L, HEADLESS + ["-n", "x", "--pin-file", wrong_file, L.url, "4321"],
                         "wrong pin")
        check_error_exit(c, 4, within=10, words=["refused the pin"])
        assert harness.participants(L, 4321) == {}


def test_record_is_private():
    with lab.Lab() as L, tempfile.TemporaryDirectory() as d:
        os.chmod(d, 0o755)
        rec = os.path.join(d, "rec.wav")
        old = os.umask(0)
        try:
            c = start_client(L, HEADLESS + ["-n", "rec", "--record", rec, "--duration", "1",
                                            L.url, "1234"], "record")
            assert c.wait_exit(20) == 0, c.describe()
        finally:
            os.umask(old)
        assert os.stat(rec).st_mode & 0o7777 == 0o600, oct(os.stat(rec).st_mode)
        assert os.path.getsize(rec) > 44
        os.unlink(rec)
        victim = write_secret(d, "victim", "keep me", 0o644)
        os.symlink(victim, rec)
        c = start_client(L, HEADLESS + ["-n", "rec", "--record", rec, "--duration", "1",
                                        L.url, "1234"], "record via symlink")
        check_error_exit(c, 6, within=5, words=["symbolic link"])
        with open(victim) as f:
            assert f.read() == "keep me"


if __name__ == "__main__":
    harness.require_root()
    harness.run()
