"""The roster merges TextRoom and AudioBridge participants (issue 4 item 2), against a real
Janus in the lab, with a real chat-only participant: tests/integration/probes/textroom_user.js,
a Node program (npm werift + ws) that joins the TextRoom over a WebRTC data channel and never
joins the audio room, like a browser on Janus's TextRoom demo.

- test_chat_only_user_appears_once: alice (ttymeet, headless) is in the room; the probe "Dora"
  joins the chat only, bob (ttymeet) joins normally. Alice and bob each report Dora exactly
  once, as chat-only ("audio": false), and bob exactly once with audio; Dora's messages carry
  her name; when the probe leaves, Dora leaves (same id). The probe sees both ttymeets'
  TextRoom usernames carry their AudioBridge ids, which is what lets the roster merge them.
- test_promotion_to_the_call: Dora (chat-only) then joins the AudioBridge room under the same
  name (a JSEP-less join through janusctl): alice reports the chat-only entry leaving with
  "merged" and Dora joining with audio, never two Doras at once; when the call part ends, she
  is chat-only again after the grace period, and leaves with the probe.

The probe and its npm packages: tests/integration/chatprobe.py.
"""

import threading
import time

import harness
from chatprobe import Probe, ensure_node_deps
from harness import HEADLESS, lab, start_client

GRACE_S = 2.0  # src/roster.h ROSTER_GRACE_MS


def wait_chat_ready(c, timeout=10):
    c.wait_event(lambda e: e.get("event") == "media" and e.get("kind") == "chat"
                 and e.get("state") == "connected", timeout)


def roster_timeline(client):
    """Replays participant events; fails if a name is ever present twice. Returns the final
    {id: (name, audio)} and the list of (event, name, audio, merged) in order."""
    present, seq = {}, []
    for e in client.events:
        if e["event"] == "participant-joined":
            assert e["id"] not in present, "%s joined twice\n%s" % (e, client.describe())
            names = [n for n, _ in present.values()]
            assert e["name"] not in names, "%s present twice at t=%s\n%s" % (
                e["name"], e["t"], client.describe())
            present[e["id"]] = (e["name"], e["audio"])
        elif e["event"] == "participant-left":
            assert present.get(e["id"], (None,))[0] == e["name"], (e, client.describe())
            assert present.pop(e["id"])[1] == e["audio"], (e, client.describe())
        else:
            continue
        seq.append((e["event"], e["name"], e["audio"], bool(e.get("merged"))))
    return present, seq


def joins(client, name, audio=None):
    return [e for e in client.events if e["event"] == "participant-joined" and e["name"] == name
            and (audio is None or e["audio"] == audio)]


def test_chat_only_user_appears_once():
    ensure_node_deps()
    with lab.Lab() as L:
        alice = start_client(L, HEADLESS + ["-n", "alice", "--duration", "25", L.url, "1234"],
                             "alice")
        wait_chat_ready(alice)
        probe = Probe(L, "web-dora", "Dora")
        probe.wait(lambda m: m.get("probe") == "ready")
        bob = start_client(L, HEADLESS + ["-n", "bob", "--duration", "20", L.url, "1234"], "bob")
        wait_chat_ready(bob)
        d_alice = alice.wait_event(lambda e: e.get("event") == "participant-joined"
                                   and e.get("name") == "Dora", 10)
        assert d_alice["audio"] is False, d_alice
        d_bob = bob.wait_event(lambda e: e.get("event") == "participant-joined"
                               and e.get("name") == "Dora", 10)
        assert d_bob["audio"] is False, d_bob

        # Both ttymeets are in the TextRoom under "ttm-<their AudioBridge id in hex>-<name>".
        for c, name in ((alice, "alice"), (bob, "bob")):
            own = c.wait_event("joined")["id"]
            user = "ttm-%016x-%s" % (own, name)
            probe.wait(lambda m, u=user: m.get("textroom") == "join" and m.get("username") == u
                       or m.get("probe") == "ready" and
                       any(p.get("username") == u for p in m.get("participants", [])))

        probe.command("say hello from a browser")
        for c in (alice, bob):
            e = c.wait_event(lambda e: e.get("event") == "chat"
                             and e.get("text") == "hello from a browser", 10)
            assert e["from"] == "Dora" and e["self"] is False, e
        bob.write_stdin("hi Dora\n")
        m = probe.wait(lambda m: m.get("textroom") == "message" and m.get("text") == "hi Dora")
        assert m["from"].startswith("ttm-") and m["from"].endswith("-bob"), m

        time.sleep(GRACE_S + 1)  # a late duplicate would have shown by now
        probe.leave()
        for c in (alice, bob):
            gone = c.wait_event(lambda e: e.get("event") == "participant-left"
                                and e.get("name") == "Dora", 10)
            assert gone["audio"] is False and not gone.get("merged"), gone
        bob.send_signal(2)
        assert bob.wait_exit(15) == 0, bob.describe()
        alice.wait_event(lambda e: e.get("event") == "participant-left"
                         and e.get("name") == "bob", 10)
        alice.send_signal(2)
        assert alice.wait_exit(15) == 0, alice.describe()

        for c, other in ((alice, "bob"), (bob, "alice")):
            c.assert_clean_output()
            present, seq = roster_timeline(c)
            assert len(joins(c, "Dora")) == 1, seq
            assert len(joins(c, other)) == 1 and joins(c, other)[0]["audio"] is True, seq
            assert all(e["id"] == joins(c, "Dora")[0]["id"] for e in c.events
                       if e["event"] == "participant-left" and e["name"] == "Dora"), seq
        assert d_alice["id"] >= 2 ** 53, d_alice  # not an AudioBridge id
        # Alice saw bob as a call participant only, never as a chat-only one.
        assert not joins(alice, "bob", audio=False), roster_timeline(alice)[1]


def test_promotion_to_the_call():
    ensure_node_deps()
    with lab.Lab() as L:
        alice = start_client(L, HEADLESS + ["-n", "alice", "--duration", "30", L.url, "1234"],
                             "alice")
        wait_chat_ready(alice)
        probe = Probe(L, "web-dora", "Dora")
        probe.wait(lambda m: m.get("probe") == "ready")
        chat_only = alice.wait_event(lambda e: e.get("event") == "participant-joined"
                                     and e.get("name") == "Dora", 10)
        assert chat_only["audio"] is False, chat_only

        # Dora joins the call (no media: a JSEP-less AudioBridge join) for 5 s.
        result = {}

        def call_part():
            try:
                result["replies"] = L.janus_api([
                    {"janus": "create"},
                    {"janus": "attach", "plugin": "janus.plugin.audiobridge"},
                    {"janus": "message", "body": {"request": "join", "room": 1234,
                                                  "display": "Dora", "muted": True}},
                    {"_sleep": 5},
                    {"janus": "destroy"},
                ], timeout=10)
            except Exception as e:  # reported below, in the test's thread
                result["error"] = e

        t = threading.Thread(target=call_part)
        t.start()
        promoted = alice.wait_event(lambda e: e.get("event") == "participant-joined"
                                    and e.get("name") == "Dora" and e.get("audio"), 10)
        t.join(30)
        assert "error" not in result, result
        ab_id = result["replies"][2]["plugindata"]["data"]["id"]
        assert promoted["id"] == ab_id, (promoted, ab_id)
        # Back to chat-only once the call part is gone (after the grace period).
        again = alice.wait_event(lambda e: e.get("event") == "participant-joined"
                                 and e.get("name") == "Dora" and e.get("audio") is False
                                 and e["t"] > promoted["t"], GRACE_S + 8)
        probe.command("say still here")
        e = alice.wait_event(lambda e: e.get("event") == "chat" and e.get("text") == "still here")
        assert e["from"] == "Dora", e
        probe.leave()
        alice.wait_event(lambda e: e.get("event") == "participant-left" and e.get("name") == "Dora"
                         and e["id"] == again["id"], 10)
        alice.send_signal(2)
        assert alice.wait_exit(15) == 0, alice.describe()
        alice.assert_clean_output()

        present, seq = roster_timeline(alice)
        dora = [s for s in seq if s[1] == "Dora"]
        assert dora == [("participant-joined", "Dora", False, False),
                        ("participant-left", "Dora", False, True),
                        ("participant-joined", "Dora", True, False),
                        ("participant-left", "Dora", True, False),
                        ("participant-joined", "Dora", False, False),
                        ("participant-left", "Dora", False, False)], dora
        left_call = [e for e in alice.events if e["event"] == "participant-left"
                     and e["name"] == "Dora" and e["audio"]][0]
        assert again["t"] - left_call["t"] >= GRACE_S - 0.2, (left_call, again)


if __name__ == "__main__":
    harness.require_root()
    harness.run()
