#!/usr/bin/env python3
"""Keepalive: a headless client with --keepalive 4 staying 22 s in a lab whose Janus drops
sessions idle for 10 s (the ratio of the defaults, 25 s against Janus' 60 s, whose relation
unit_net_janus checks) must still be in the room at t=18 s, past the time Janus would have
dropped a silent session (seen from a third connection), leave by --duration with exit 0, and
never report error or reconnecting. Janus' log must show no session timeout. Takes about 23 s
(it ran 90 s against a 60 s timeout before; with --keepalive 300 it fails).

Keepalive answers are checked. A server that stops answering (Janus frozen with SIGSTOP: its
kernel still acknowledges our TCP segments, so the keepalive reached the host and nobody
answered) must be noticed within the keepalive period (--keepalive 4) plus 10 s, by the
keepalive (ICE would take 50 s), and once Janus runs again the client rejoins and its audio
flows. A 12 s outage of the path (Lab.cut: nftables drops every packet on arrival, both ways,
so the keepalive is never even acknowledged) is not a silent server: no reconnect, the same session goes on and
audio flows again when the link is back. Together about 60 s.

The three run at once, each in a lab of its own (harness.run(concurrent=True)): one idle
client each, waiting on timers, so they cost the machine little; about 32 s in all."""

import os
import signal
import time

import harness
from harness import HEADLESS, lab, participants, start_client


# Janus checks its sessions every 2 s: a session silent since the join (t < 4 s) would be gone
# by t = 16 s. The keepalive period keeps the defaults' ratio (25 s against 60 s).
SESSION_TIMEOUT = 10
KEEPALIVE = 4
CHECK_AT = 18
DURATION = 22


def test_session_survives_the_session_timeout():
    with lab.Lab(session_timeout=SESSION_TIMEOUT, debug_level=5) as L:
        c = start_client(L, HEADLESS + ["-n", "keeper", "--keepalive", str(KEEPALIVE),
                                        "--duration", str(DURATION), L.url, "1234"], "keeper")
        j = c.wait_event("joined", 15)
        assert j.get("name") == "keeper" and isinstance(j.get("id"), int), j
        assert participants(L) == {j["id"]: "keeper"}
        # Sleep until t = CHECK_AT s of the client's clock, watching for early death.
        while c.elapsed() < CHECK_AT:
            assert c.proc.poll() is None, "client exited early\n%s" % c.describe()
            time.sleep(min(1.0, CHECK_AT - c.elapsed()))
        assert participants(L) == {j["id"]: "keeper"}, (
            "client not in the room at t=%d s (session timed out?)\n%s"
            % (CHECK_AT, c.describe()))
        rc = c.wait_exit(30)
        assert rc == 0, "exit %d\n%s" % (rc, c.describe())
        left = c.find("left")
        assert len(left) == 1 and left[0].get("reason") == "duration", c.describe()
        assert DURATION - 1 <= left[0]["t"] <= DURATION + 10, left[0]
        bad = c.find(lambda e: e["event"] in ("error", "reconnecting"))
        assert not bad, "unexpected events %s\n%s" % (bad, c.describe())
        c.assert_clean_output()
        assert participants(L) == {}
        timed_out = [k for k, v in L.janus_sessions().items() if v["timed_out"]]
        assert not timed_out, "Janus timed out sessions %s" % timed_out


def test_frozen_server_noticed_and_recovered():
    keepalive = 4
    with lab.Lab() as L:
        c = start_client(L, HEADLESS + ["-n", "frozen", "--keepalive", str(keepalive),
                                        "--duration", "60", L.url, "1234"], "frozen")
        c.wait_event("joined", 15)
        c.wait_event(lambda e: e["event"] == "media" and e.get("kind") == "audio"
                     and e.get("state") == "connected", 15)
        n_before = len(c.events)
        os.kill(L.janus_pid, signal.SIGSTOP)
        t_stop = c.elapsed()
        try:
            rec = c.wait_event("reconnecting", keepalive + 10 + 2, start=n_before)
            assert rec["t"] - t_stop <= keepalive + 10, (
                "silence noticed after %.1f s (keepalive %d s)\n%s"
                % (rec["t"] - t_stop, keepalive, c.describe()))
            assert "keepalive" in rec.get("message", ""), (
                "noticed by something else than the keepalive\n%s" % c.describe())
            time.sleep(3)  # reconnect attempts meet a frozen server meanwhile
        finally:
            # counted before the server thaws: the rejoin may come within milliseconds, before
            # this thread runs again (CI saw it land 10 ms after SIGCONT and go uncounted)
            n_cont = len(c.events)
            os.kill(L.janus_pid, signal.SIGCONT)
        j2 = c.wait_event("joined", 30, start=n_cont)
        c.wait_event(lambda e: e["event"] == "media" and e.get("kind") == "audio"
                     and e.get("state") == "connected", 15, start=n_cont)
        deadline = time.monotonic() + 15  # Janus drops the old session when it times out
        while participants(L) != {j2["id"]: "frozen"} and time.monotonic() < deadline:
            time.sleep(0.5)
        assert participants(L) == {j2["id"]: "frozen"}, c.describe()
        c.send_signal(signal.SIGINT)
        rc = c.wait_exit(15)
        assert rc == 0, "exit %d\n%s" % (rc, c.describe())
        assert not c.find("error"), c.describe()
        c.assert_clean_output()


def test_link_outage_is_not_a_silent_server():
    keepalive = 4
    with lab.Lab() as L:
        c = start_client(L, HEADLESS + ["-n", "patient", "--keepalive", str(keepalive),
                                        "--duration", "30", L.url, "1234"], "patient")
        j = c.wait_event("joined", 15)
        c.wait_event(lambda e: e["event"] == "media" and e.get("kind") == "audio"
                     and e.get("state") == "connected", 15)
        time.sleep(1)
        L.cut()  # the path, both ways: at least two keepalives go unanswered
        t_down = c.elapsed()
        try:
            time.sleep(12)
        finally:
            L.cut(False)
        c.wait_event(lambda e: e["event"] == "stats" and e["t"] > t_down + 15
                     and e["kbps_in"] > 10, 10)
        assert participants(L) == {j["id"]: "patient"}, c.describe()
        rc = c.wait_exit(25)
        assert rc == 0, "exit %d\n%s" % (rc, c.describe())
        bad = c.find(lambda e: e["event"] in ("error", "reconnecting")
                     or (e["event"] == "media" and e.get("state") == "failed"))
        assert not bad, "the outage was taken for a dead server: %s\n%s" % (bad, c.describe())
        assert len(c.find("joined")) == 1, c.describe()
        c.assert_clean_output()


if __name__ == "__main__":
    harness.require_root()
    harness.run(concurrent=True)
