#!/usr/bin/env python3
"""Keepalive: a headless client staying 90 s in a lab whose Janus drops sessions idle for 60 s
must still be in the room at t=75 s (seen from a third connection), leave by --duration with
exit 0, and never report error or reconnecting. Janus' log must show no session timeout.
Takes about 95 s.

Keepalive answers are checked: with the signaling silently dropped (nftables in the client
namespace drops the WebSocket's TCP segments both ways, so the connection still looks open)
while media keeps flowing, the client must notice within the keepalive period (--keepalive 4)
plus 10 s by the unanswered keepalive (nothing else can: ICE consent stays fine); once the
drop is lifted it rejoins and its audio flows again. Takes about 30 s."""

import signal
import subprocess
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


def test_frozen_server_noticed_and_recovered():
    keepalive = 4
    with lab.Lab() as L:
        c = start_client(L, HEADLESS + ["-n", "frozen", "--keepalive", str(keepalive),
                                        "--duration", "60", L.url, "1234"], "frozen")
        c.wait_event("joined", 15)
        c.wait_event(lambda e: e["event"] == "media" and e.get("kind") == "audio"
                     and e.get("state") == "connected", 15)
        n_before = len(c.events)
        rules = ("table inet ttmsig {\n"
                 " chain out {\n  type filter hook output priority 0; policy accept;\n"
                 "  tcp dport %(p)d drop\n }\n"
                 " chain in {\n  type filter hook input priority 0; policy accept;\n"
                 "  tcp sport %(p)d drop\n }\n"
                 "}\n" % {"p": L.ws_port})
        subprocess.run(["ip", "netns", "exec", L.client_ns, "nft", "-f", "-"], input=rules,
                       text=True, check=True)
        t_stop = c.elapsed()
        try:
            rec = c.wait_event("reconnecting", keepalive + 10 + 2, start=n_before)
            assert rec["t"] - t_stop <= keepalive + 10, (
                "silence noticed after %.1f s (keepalive %d s)\n%s"
                % (rec["t"] - t_stop, keepalive, c.describe()))
            assert "keepalive" in rec.get("message", ""), (
                "noticed by something else than the keepalive\n%s" % c.describe())
            # the path stays silent a little longer: reconnect attempts fail meanwhile
            time.sleep(3)
        finally:
            subprocess.run(["ip", "netns", "exec", L.client_ns, "nft", "delete", "table", "inet",
                            "ttmsig"], check=True)
        n_cont = len(c.events)
        j2 = c.wait_event("joined", 20, start=n_cont)
        c.wait_event(lambda e: e["event"] == "media" and e.get("kind") == "audio"
                     and e.get("state") == "connected", 15, start=n_cont)
        assert participants(L) == {j2["id"]: "frozen"}, c.describe()
        c.send_signal(signal.SIGINT)
        rc = c.wait_exit(15)
        assert rc == 0, "exit %d\n%s" % (rc, c.describe())
        assert not c.find("error"), c.describe()
        c.assert_clean_output()


if __name__ == "__main__":
    harness.require_root()
    harness.run()
