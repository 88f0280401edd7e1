#!/usr/bin/env python3
"""Roster over a real Janus: two headless ttymeet clients in the lab's client namespace join
AudioBridge room 1234, see each other (participant-joined with the right name and id), follow
leaves (--duration, SIGTERM, SIGINT) and mute changes, and leave no session on the server (a
third connection's listparticipants; Janus' log at debug level 5 shows every session
destroyed by request, none dropped with its WebSocket)."""

import signal
import time

import harness
from harness import HEADLESS, lab, participants, start_client


def joined_ok(client, name, room=1234):
    """Waits for `connecting` then `joined`; checks their fields; returns the joined event."""
    j = client.wait_event("joined", 15)
    first = client.events[0]
    assert first["event"] == "connecting", "%s: first event is not connecting\n%s" % (
        client.name, client.describe())
    assert first.get("room") == room and isinstance(first.get("url"), str), first
    assert j.get("room") == room, j
    assert j.get("name") == name, j
    assert isinstance(j.get("id"), int) and not isinstance(j.get("id"), bool) and j["id"] > 0, j
    return j


def sees_join(client, name, pid, timeout=10):
    e = client.wait_event(lambda e: e["event"] == "participant-joined" and e.get("name") == name,
                          timeout)
    assert e.get("id") == pid, "%s reports %s with id %r, Janus id %r" % (
        client.name, name, e.get("id"), pid)
    assert isinstance(e.get("muted"), bool), e
    return e


def sees_leave(client, name, pid, timeout=10):
    e = client.wait_event(lambda e: e["event"] == "participant-left" and e.get("id") == pid,
                          timeout)
    assert e.get("name") == name, e
    return e


def check_clean(client, own_id):
    client.assert_clean_output()
    assert not client.find("error"), client.describe()
    assert not client.find(lambda e: e["event"] == "participant-joined" and
                           e.get("id") == own_id), "%s lists itself\n%s" % (
        client.name, client.describe())
    ts = [e["t"] for e in client.events]
    assert ts == sorted(ts) and ts[0] >= 0, "%s: t not monotonic: %r" % (client.name, ts)


def check_left(client, reason, timeout=10):
    rc = client.wait_exit(timeout)
    assert rc == 0, "%s: exit %d\n%s" % (client.name, rc, client.describe())
    left = client.find("left")
    assert len(left) == 1 and left[0].get("reason") == reason, client.describe()
    after = [e["event"] for e in client.events[client.events.index(left[0]) + 1:]]
    assert set(after) <= {"summary"}, "%s: events after left: %s" % (client.name, after)
    return left[0]


def check_no_session_left(L, timeout=3.0):
    """Every Janus session was destroyed, and by a `destroy` request, not a dropped socket."""
    deadline = time.monotonic() + timeout
    while True:
        s = L.janus_sessions()
        bad = {k: v for k, v in s.items() if not v["destroyed"] or v["abandoned"]}
        if not bad or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert s, "no sessions in Janus' log (debug_level too low?)"
    assert not bad, "sessions not destroyed by the client: %s\nJanus' lines about them:\n%s" % (
        bad, "\n".join(ln for ln in L.log_text().splitlines() if any(str(k) in ln for k in bad)))


def test_roster_duration_then_sigterm():
    with lab.Lab(debug_level=5) as L:
        a = start_client(L, HEADLESS + ["-n", "alice", "--duration", "4", L.url, "1234"],
                         "alice")
        b = start_client(L, HEADLESS + ["-n", "bob", L.url, "1234"], "bob")
        ja = joined_ok(a, "alice")
        jb = joined_ok(b, "bob")
        assert ja["id"] != jb["id"]
        sees_join(a, "bob", jb["id"])
        sees_join(b, "alice", ja["id"])

        left = check_left(a, "duration", timeout=15)
        assert 3.9 <= left["t"] <= 9, "left at t=%.2f for --duration 4" % left["t"]
        sees_leave(b, "alice", ja["id"])
        assert participants(L) == {jb["id"]: "bob"}

        b.send_signal(signal.SIGTERM)
        check_left(b, "signal", timeout=5)
        assert participants(L) == {}
        check_clean(a, ja["id"])
        check_clean(b, jb["id"])
        check_no_session_left(L)


def test_roster_listing_sigint_and_names():
    name_b = "Zoë «bob» \"q\""
    with lab.Lab(debug_level=5) as L:
        a = start_client(L, HEADLESS + ["-n", "alice", L.url, "1234"], "alice")
        ja = joined_ok(a, "alice")
        b = start_client(L, HEADLESS + ["--name", name_b, L.url, "1234"], "bob")
        jb = joined_ok(b, name_b)
        # B joined second: it learns about A from the join reply, A from an event.
        sees_join(b, "alice", ja["id"])
        sees_join(a, name_b, jb["id"])
        assert participants(L) == {ja["id"]: "alice", jb["id"]: name_b}

        a.send_signal(signal.SIGINT)
        check_left(a, "signal", timeout=5)
        sees_leave(b, "alice", ja["id"])
        assert participants(L) == {jb["id"]: name_b}
        b.send_signal(signal.SIGTERM)
        check_left(b, "signal", timeout=5)
        assert participants(L) == {}
        check_clean(a, ja["id"])
        check_clean(b, jb["id"])
        check_no_session_left(L)


def test_muted_events():
    with lab.Lab() as L:
        a = start_client(L, HEADLESS + ["-n", "alice", L.url, "1234"], "alice")
        ja = joined_ok(a, "alice")
        b = start_client(L, HEADLESS + ["-n", "bob", "--mute", L.url, "1234"], "bob")
        jb = joined_ok(b, "bob")
        if sees_join(a, "bob", jb["id"])["muted"] is not True:
            # Joined unmuted and muted right after: a muted event must follow.
            a.wait_event(lambda e: e["event"] == "muted" and e.get("id") == jb["id"]
                         and e.get("on") is True, 5)
        assert sees_join(b, "alice", ja["id"])["muted"] is False

        def admin(request, pid):
            r = L.janus_api([
                {"janus": "create"},
                {"janus": "attach", "plugin": "janus.plugin.audiobridge"},
                {"janus": "message", "body": {"request": request, "room": 1234,
                                              "secret": "adminpwd", "id": pid}},
                {"janus": "destroy"},
            ])
            data = r[2]["plugindata"]["data"]
            assert data.get("audiobridge") == "success", r[2]

        admin("mute", ja["id"])
        b.wait_event(lambda e: e["event"] == "muted" and e.get("id") == ja["id"]
                     and e.get("on") is True, 10)
        admin("unmute", ja["id"])
        b.wait_event(lambda e: e["event"] == "muted" and e.get("id") == ja["id"]
                     and e.get("on") is False, 10)
        admin("unmute", jb["id"])
        a.wait_event(lambda e: e["event"] == "muted" and e.get("id") == jb["id"]
                     and e.get("on") is False, 10)
        for c in (a, b):
            c.send_signal(signal.SIGTERM)
            check_left(c, "signal", timeout=5)
        check_clean(a, ja["id"])
        check_clean(b, jb["id"])


if __name__ == "__main__":
    harness.require_root()
    harness.run()
