#!/usr/bin/env python3
"""XEP-0198 stream management against Debian's prosody 0.12 (its core mod_smacks) in the lab:
a short network drop resumes the XMPP session instead of rejoining the room.

- test_drop_resumes: alice and bob log in (internal_plain accounts) and list each other; the
  link is cut (lab.cut: every packet dropped, like a real outage) until alice's pings go
  unanswered (--keepalive 2) and she says she reconnects, then mended: her next connection
  resumes the session (a notice says so, and joined again), and bob, who stayed, never saw her
  leave or join again. After the resume a chat line of hers still reaches bob.
- test_anonymous_cannot_resume: prosody 0.12 finds a session to resume by the account's user
  name, which an anonymous login gets anew on every connection, so it answers item-not-found;
  ttymeet says so and joins the room again (a new occupant) instead of failing."""

import time

import harness
from harness import HEADLESS, lab, start_client

XMPP = ["--xmpp-domain", "localhost", "--xmpp-muc", "conference.localhost",
        "--xmpp-focus", "none"]


def drop_until_reconnecting(L, c, within=15):
    """Cuts the link until c reports it reconnects; mends it. Returns the event index after."""
    n = len(c.events)
    L.cut(True)
    try:
        c.wait_event("reconnecting", within, start=n)
        time.sleep(0.5)
    finally:
        L.cut(False)
    return n


def test_drop_resumes():
    with lab.Lab(janus=False) as L:
        L.add_prosody_user("alice", "pw-alice")
        L.add_prosody_user("bob", "pw-bob")
        ws = L.start_prosody(auth="internal_plain", modules=["smacks"])
        url = L.meeting_link(ws, "resume")
        bob = start_client(L, HEADLESS + XMPP + ["-n", "bob", "--xmpp-user", "bob",
                                                "--duration", "40", url], "bob",
                           env={"TTYMEET_XMPP_PASSWORD": "pw-bob"})
        bob.wait_event("joined", 10)
        alice = start_client(L, HEADLESS + XMPP + ["-n", "alice", "--xmpp-user", "alice",
                                                  "--keepalive", "2", "--duration", "40", url],
                             "alice", env={"TTYMEET_XMPP_PASSWORD": "pw-alice"})
        alice.wait_event("joined", 10)
        seen = bob.wait_event(lambda e: e["event"] == "participant-joined"
                              and e.get("name") == "alice", 10)
        alice.wait_event("participant-joined", 10)
        n = drop_until_reconnecting(L, alice)
        again = alice.wait_event("joined", 25, start=n)
        notes = [e.get("message", "") for e in alice.events[n:] if e["event"] == "notice"]
        assert any("resumed" in m for m in notes), (notes, alice.describe())
        assert again.get("id") == alice.find("joined")[0].get("id"), again
        # bob never saw alice leave, nor a second alice
        time.sleep(1.0)
        assert not bob.find("participant-left"), bob.describe()
        assert len([e for e in bob.find("participant-joined") if e.get("name") == "alice"]) \
            == 1, bob.describe()
        # the stream works after the resume: alice's chat reaches bob
        alice.write_stdin("after the drop\n")
        bob.wait_event(lambda e: e["event"] == "chat" and e.get("text") == "after the drop", 10)
        assert seen
        for c in (alice, bob):
            c.kill()
            c.assert_clean_output()


def test_anonymous_cannot_resume():
    with lab.Lab(janus=False) as L:
        ws = L.start_prosody(modules=["smacks"])
        url = L.meeting_link(ws, "anonresume")
        alice = start_client(L, HEADLESS + XMPP + ["-n", "alice", "--keepalive", "2",
                                                  "--duration", "30", url], "alice")
        first = alice.wait_event("joined", 10)
        n = drop_until_reconnecting(L, alice)
        alice.wait_event("joined", 25, start=n)
        notes = [e.get("message", "") for e in alice.events[n:] if e["event"] == "notice"]
        assert any("could not resume" in m for m in notes), (notes, alice.describe())
        assert first
        alice.kill()
        alice.assert_clean_output()


if __name__ == "__main__":
    harness.require_root()
    harness.run()
