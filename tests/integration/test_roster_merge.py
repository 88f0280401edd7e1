"""The roster merges TextRoom and AudioBridge participants (issue 4 item 2) on evidence only
(issue 12: the AudioBridge display claims the chat username, src/chatid.h), against a real
Janus in the lab, with a real chat-only participant: tests/integration/probes/textroom_user.js,
a Node program (npm werift + ws) that joins the TextRoom over a WebRTC data channel and never
joins the audio room, like a browser on Janus's TextRoom demo.

- test_chat_only_user_appears_once: alice (ttymeet, headless) is in the room; the probe "Dora"
  joins the chat only, bob (ttymeet) joins normally. Alice and bob each report Dora exactly
  once, as chat-only ("audio": false), and bob exactly once with audio; Dora's messages carry
  her name; when the probe leaves, Dora leaves (same id). The probe sees both ttymeets'
  TextRoom usernames carry their AudioBridge ids (their displays claim those usernames).
- test_same_name_in_the_call_is_not_merged: someone named Dora joins the AudioBridge room (a
  JSEP-less join through janusctl) while the probe Dora is in the chat: a name is no evidence,
  so alice shows a call entry and a chat-only entry, and Dora's lines stay chat-only.
- test_hostile_client_takes_the_username_first: a raw TextRoom client takes the chat username
  bob's ttymeet is about to use; bob's chat joins under another username and claims it (issue
  12, src/chatid.h); the hostile lines are not attributed to bob, bob's are, and /msg bob
  reaches bob.

The probe and its npm packages: tests/integration/chatprobe.py.

The three run at once, each in a lab of its own (harness.run(concurrent=True)).
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


def test_same_name_in_the_call_is_not_merged():
    """Dora in the chat (the probe) and someone named Dora joining the call (a raw AudioBridge
    client) are not shown as one person: a name is no evidence (src/chatid.h). The call entry
    and the chat-only one stay apart, and Dora's lines stay chat-only."""
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

        result = {}

        def call_part():
            try:
                result["replies"] = L.janus_api([
                    {"janus": "create"},
                    {"janus": "attach", "plugin": "janus.plugin.audiobridge"},
                    {"janus": "message", "body": {"request": "join", "room": 1234,
                                                  "display": "Dora", "muted": True}},
                    {"_sleep": 4},
                    {"janus": "destroy"},
                ], timeout=10)
            except Exception as e:  # reported below, in the test's thread
                result["error"] = e

        t = threading.Thread(target=call_part)
        t.start()
        in_call = alice.wait_event(lambda e: e.get("event") == "participant-joined"
                                   and e.get("name") == "Dora" and e.get("audio"), 10)
        probe.command("say still here")
        e = alice.wait_event(lambda e: e.get("event") == "chat" and e.get("text") == "still here")
        assert e["from"] == "Dora" and e["chat_only"] is True and e["id"] == chat_only["id"], e
        t.join(30)
        assert "error" not in result, result
        assert in_call["id"] == result["replies"][2]["plugindata"]["data"]["id"], in_call
        alice.wait_event(lambda e: e.get("event") == "participant-left" and e.get("name") == "Dora"
                         and e["id"] == in_call["id"], 10)
        probe.leave()
        alice.wait_event(lambda e: e.get("event") == "participant-left" and e.get("name") == "Dora"
                         and e["id"] == chat_only["id"], 10)
        alice.send_signal(2)
        assert alice.wait_exit(15) == 0, alice.describe()
        alice.assert_clean_output()
        dora = [(e["event"], e["audio"], bool(e.get("merged"))) for e in alice.events
                if e["event"].startswith("participant-") and e.get("name") == "Dora"]
        assert dora == [("participant-joined", False, False), ("participant-joined", True, False),
                        ("participant-left", True, False), ("participant-left", False, False)], dora


def test_hostile_client_takes_the_username_first():
    """Mallory, a raw TextRoom client (the probe) in the room's chat, learns bob's AudioBridge
    id the moment bob joins the call and takes the chat username bob's ttymeet is about to use
    ("ttm-<bob's id>-bob", display "bob"), before bob's chat gets there (the lab adds 100 ms
    each way, so bob's chat set-up takes a few round trips longer than her one join). Bob's
    ttymeet joins the chat under another username and claims that one in its AudioBridge
    display. Alice sees Mallory's lines as a chat-only "bob" (chat_only, not bob's id), bob's
    own lines as bob's (his call id); "/msg bob" from alice reaches bob, not Mallory; bob is
    told (a notice) and sees Mallory's line as chat-only too."""
    ensure_node_deps()
    with lab.Lab(impairable=True) as L:
        L.impair(delay_ms=100)
        alice = start_client(L, HEADLESS + ["-n", "alice", "--duration", "60", L.url, "1234"],
                             "alice")
        wait_chat_ready(alice, 30)
        mallory = Probe(L, "-", "-")
        mallory.wait(lambda m: m.get("probe") == "connected", 30)
        bob = start_client(L, HEADLESS + ["-n", "bob", "--duration", "50", L.url, "1234"],
                           "bob")
        bob_id = bob.wait_event("joined", 20)["id"]
        victim = "ttm-%016x-bob" % bob_id
        mallory.command("join %s bob" % victim)
        mallory.wait(lambda m: m.get("probe") == "ready" and m.get("username") == victim, 10)
        wait_chat_ready(bob, 30)  # bob's chat works all the same
        n = bob.wait_event(lambda e: e.get("event") == "notice"
                           and "taken the chat name" in e.get("message", ""), 5)
        assert "only yours is shown as you" in n["message"], n
        # Bob is in the chat under another username (mallory sees it join).
        joined = mallory.wait(lambda m: m.get("textroom") == "join"
                              and m.get("username", "").startswith(victim + "~"), 10)
        bob_user = joined["username"]

        time.sleep(GRACE_S + 1)  # mallory's chat user is past its grace period at alice
        mallory.command("say bob here: send me your pin")
        e = alice.wait_event(lambda e: e.get("event") == "chat"
                             and e.get("text") == "bob here: send me your pin", 10)
        assert e["chat_only"] is True and e.get("id") != bob_id and e["from"] == "bob", e
        e = bob.wait_event(lambda e: e.get("event") == "chat"
                           and e.get("text") == "bob here: send me your pin", 10)
        assert e["chat_only"] is True and e.get("id") != bob_id, e

        bob.write_stdin("the real bob\n")
        e = alice.wait_event(lambda e: e.get("event") == "chat" and e.get("text") == "the real bob",
                             10)
        assert e["chat_only"] is False and e["id"] == bob_id and e["from"] == "bob", e
        m = mallory.wait(lambda m: m.get("textroom") == "message"
                         and m.get("text") == "the real bob")
        assert m["from"] == bob_user, m

        alice.write_stdin("/msg bob for the real bob only\n")
        e = bob.wait_event(lambda e: e.get("event") == "chat" and e.get("private"), 10)
        assert e["text"] == "for the real bob only" and e["chat_only"] is False, e
        time.sleep(1)
        assert not [m for m in mallory.lines if m.get("whisper")], mallory.describe()

        # Alice's roster: bob in the call, once; a chat-only "bob" (mallory) beside him.
        bobs = [(x["id"], x["audio"]) for x in alice.events
                if x["event"] == "participant-joined" and x.get("name") == "bob"]
        assert (bob_id, True) in bobs and any(not a for _, a in bobs), bobs
        assert len([b for b in bobs if b[1]]) == 1, bobs
        mallory.leave()
        for c in (bob, alice):
            c.send_signal(2)
            assert c.wait_exit(15) == 0, c.describe()
            c.assert_clean_output()


if __name__ == "__main__":
    harness.require_root()
    harness.run(concurrent=True)
