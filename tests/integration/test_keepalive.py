#!/usr/bin/env python3
"""Keepalive: a headless client staying 90 s in a lab whose Janus drops sessions idle for 60 s
must still be in the room at t=75 s (seen from a third connection), leave by --duration with
exit 0, and never report error or reconnecting. Janus' log must show no session timeout.
Takes about 95 s."""

import time

import harness
from harness import HEADLESS, lab, participants, start_client


def test_session_survives_90s():
    with lab.Lab(session_timeout=60, debug_level=5) as L:
        c = start_client(L, HEADLESS + ["-n", "keeper", "--duration", "90", L.url, "1234"],
                         "keeper")
        j = c.wait_event("joined", 15)
        assert j.get("name") == "keeper" and isinstance(j.get("id"), int), j
        assert participants(L) == {j["id"]: "keeper"}
        # Sleep until t = 75 s of the client's clock, watching for early death.
        while c.elapsed() < 75:
            assert c.proc.poll() is None, "client exited early\n%s" % c.describe()
            time.sleep(min(1.0, 75 - c.elapsed()))
        assert participants(L) == {j["id"]: "keeper"}, (
            "client not in the room at t=75 s (session timed out?)\n%s" % c.describe())
        rc = c.wait_exit(30)
        assert rc == 0, "exit %d\n%s" % (rc, c.describe())
        left = c.find("left")
        assert len(left) == 1 and left[0].get("reason") == "duration", c.describe()
        assert 89 <= left[0]["t"] <= 100, left[0]
        bad = c.find(lambda e: e["event"] in ("error", "reconnecting"))
        assert not bad, "unexpected events %s\n%s" % (bad, c.describe())
        c.assert_clean_output()
        assert participants(L) == {}
        timed_out = [k for k, v in L.janus_sessions().items() if v["timed_out"]]
        assert not timed_out, "Janus timed out sessions %s" % timed_out


if __name__ == "__main__":
    harness.require_root()
    harness.run()
