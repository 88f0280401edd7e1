#!/usr/bin/env python3
"""The bridge channel of a Jitsi meeting (colibri-ws, issue 15) in the lab: the stand-in focus
(tests/lab/focus.py --bridge, media on Janus's AudioBridge) names a bridge channel in each
offer (--colibri-ws: <web-socket url='ws://.../colibri-ws/default-id/ROOM/NICK?pwd=ICEPWD'/>
in every transport, as jicofo does), served by the stand-in bridge channel
tests/lab/colibri_ws.py in the server namespace. Two ttymeets (no browser) join, bob with
--video, carl without, both --no-p2p (the two of them would otherwise go peer-to-peer):
- each opens its own channel (the URL of its offer: its endpoint) while its audio goes through
  the bridge, and its first message asks for one video (lastN 1; carl, who takes none: 0) at
  180 lines, by source name (the offer's sources are named jvb-a0/-v0) with nobody on stage;
- the channel lost twice comes back each time (1 s, then 2 s later), said in one notice;
  the audio is not touched;
- bob's /video carl asks the bridge to put carl's video on stage (onStageSources: his
  endpoint's -v0), /video next hands the stage back to whoever speaks (none on stage);
- the bridge's dominant speaker is the roster's main speaker: a `speaker` event naming the
  other participant (on), off when the bridge says silence; a third, dora, in the terminal
  UI, shows ">" before the name the bridge names and loses it with silence;
- the ICE password the URL carries shows nowhere in what ttymeet prints;
- all leave cleanly; their channels close.
"""

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time

import harness
from harness import HEADLESS, lab, start_client
from test_tui import Tui, roster_lines

XMPP = ["--xmpp-domain", "localhost", "--xmpp-muc", "conference.localhost"]
COLIBRI = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lab", "colibri_ws.py")


class Standin:
    """colibri_ws.py in the lab's server namespace; its events in a queue."""

    def __init__(self, L):
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", L.server_ns, sys.executable, COLIBRI, "--host",
             L.server_addr], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            start_new_session=True)
        line = self.proc.stdout.readline()
        assert line.startswith("PORT "), line
        self.port = int(line.split()[1])
        self.events = queue.Queue()
        self.seen = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            try:
                self.events.put(json.loads(line))
            except ValueError:
                pass

    def wait(self, kind, n, timeout=10.0):
        """The event kind on connection n (earlier ones of other kinds are kept)."""
        for e in self.seen:
            if e.get("event") == kind and e.get("n") == n:
                self.seen.remove(e)
                return e
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                e = self.events.get(timeout=0.2)
            except queue.Empty:
                continue
            if e.get("event") == kind and e.get("n") == n:
                return e
            self.seen.append(e)
        raise AssertionError("no %r on connection %d of the stand-in bridge (seen: %s)"
                             % (kind, n, self.seen[-10:]))

    def command(self, obj):
        self.proc.stdin.write(json.dumps(obj) + "\n")
        self.proc.stdin.flush()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)


def audio_up(e):
    return e["event"] == "media" and e.get("kind") == "audio" and e.get("state") == "connected"


def check_constraints(msg, last_n=(0, 1)):
    assert msg.get("colibriClass") == "ReceiverVideoConstraints", msg
    assert msg.get("lastN") in last_n, msg
    assert msg.get("defaultConstraints") == {"maxHeight": 180}, msg
    assert msg.get("onStageSources") == [] and "onStageEndpoints" not in msg, msg


def dominant(endpoint, silence=False):
    return {"send": {"colibriClass": "DominantSpeakerEndpointChangeEvent",
                     "dominantSpeakerEndpoint": endpoint, "silence": silence}}


def speaker_seen(client, name, on, start):
    return client.wait_event(lambda e: e["event"] == "speaker" and e.get("name") == name and
                             e.get("on") is on and e.get("self") is False, 10, start)


def marked(screen, name):
    """The roster row of name: its talking/speaker column (None: not listed)."""
    for r in roster_lines(screen):
        if r[3:].split(" (")[0].strip() == name:
            return r[1]
    return None


def test_bridge_channel():
    with lab.Lab() as L:
        ws = L.start_prosody(focus=True)
        b = Standin(L)
        clients = []
        try:
            L.start_focus("--bridge", L.url, "--colibri-ws",
                          "ws://%s:%d" % (L.server_addr, b.port))
            link = L.meeting_link(ws, "ColibriRoom")
            for nick, video in (("bob", ["--video"]), ("carl", [])):
                # --no-p2p: two people would go peer-to-peer (the smaller id offers), and
                # the bridge session would idle (lastN 0)
                clients.append(start_client(L, HEADLESS + XMPP + video + [
                    "-n", nick, "--no-p2p", "--duration", "40", link], nick))
            for c in clients:
                c.wait_event(audio_up, 25)
            # two channels, one per participant, each asking for one small video by source
            paths, last_ns = [], []
            for n in (1, 2):
                paths.append(b.wait("connect", n)["path"])
                msg = b.wait("recv", n)["msg"]
                check_constraints(msg)
                last_ns.append(msg["lastN"])
            assert sorted(last_ns) == [0, 1], last_ns
            prefix = "/colibri-ws/default-id/colibriroom/"
            endpoints = [p[len(prefix):].split("?")[0] for p in paths]
            assert all(p.startswith(prefix) and "?pwd=" in p for p in paths), paths
            assert len(set(endpoints)) == 2 and all(endpoints), paths
            pwds = [p.split("?pwd=", 1)[1] for p in paths]
            # /video carl: bob asks the bridge to put carl on stage; /video next: the speaker
            bob_n, carl_ep = 1 + last_ns.index(1), endpoints[last_ns.index(0)]
            clients[0].write_stdin("/video carl\n")
            msg = b.wait("recv", bob_n)["msg"]
            assert msg.get("onStageSources") == [carl_ep + "-v0"] and msg.get("lastN") == 1, msg
            clients[0].write_stdin("/video next\n")
            check_constraints(b.wait("recv", bob_n)["msg"], [1])
            # lost twice: back each time, said once
            t0 = time.monotonic()
            b.command({"drop": True})  # the latest: connection 2's client
            b.wait("connect", 3)
            check_constraints(b.wait("recv", 3)["msg"], [last_ns[1]])
            b.command({"drop": True})
            b.wait("connect", 4)
            check_constraints(b.wait("recv", 4)["msg"], [last_ns[1]])
            back = time.monotonic() - t0
            time.sleep(0.5)
            said = [(c.name, e["message"]) for c in clients for e in c.find("notice")
                    if "bridge channel" in e.get("message", "")]
            assert len(said) == 1, said
            assert "the audio goes on" in said[0][1], said
            for c in clients:  # the audio stayed up
                evs = c.events
                up = next(i for i, e in enumerate(evs) if audio_up(e))
                assert not [e for e in evs[up:] if e["event"] == "media" and
                            e.get("kind") == "audio" and e.get("state") != "connected"], \
                    c.describe()
            # the dominant speaker, to the latest channel (connection 4: the second's client)
            second = clients[0] if last_ns[1] == 1 else clients[1]
            other = clients[1] if second is clients[0] else clients[0]
            mark = len(second.events)
            b.command(dominant(endpoints[0]))
            speaker_seen(second, other.name, True, mark)
            b.command(dominant(endpoints[0], silence=True))
            speaker_seen(second, other.name, False, mark)
            assert len(second.find("speaker")) == 2, second.describe()
            # dora in the terminal UI: ">" before the dominant speaker's name, none after silence
            t = Tui(L, ["--accept-privacy", "-n", "dora"] + XMPP + [link], cols=100,
                    name="dora-tui")
            clients.append(t)
            try:
                b.wait("connect", 5, 25)
                b.wait("recv", 5)
                t.wait(lambda s: marked(s, "bob") == " " and marked(s, "carl") == " ", 10,
                       "bob and carl listed")
                b.command(dominant(endpoints[last_ns.index(0)]))  # carl's endpoint
                s = t.wait(lambda s: marked(s, "carl") == ">", 10, "> before carl")
                assert marked(s, "bob") == " ", s
                b.command(dominant(endpoints[0], silence=True))
                t.wait(lambda s: marked(s, "carl") == " ", 10, "carl no longer marked")
                t.keys("C-c")
                assert t.wait_exit(10) == 0
            finally:
                clients.remove(t)
                t.kill()
            for c in clients:
                c.send_signal(signal.SIGINT)
            for c in clients:
                assert c.wait_exit(10) == 0, c.describe()
            closed = {b.wait("closed", n)["n"] for n in (1, 2, 3, 4, 5)}
            assert closed == {1, 2, 3, 4, 5}, closed
            for c in clients:
                c.assert_clean_output()
                out = json.dumps(c.events) + c.stderr
                for pwd in pwds:
                    assert pwd not in out, "%s shows the bridge's ICE password" % c.name
            print("  bridge channels opened by %s; lost twice, back after %.1f s in all, "
                  "said once: %r" % (", ".join(c.name for c in clients), back, said[0][1]))
        finally:
            for c in clients:
                c.kill()
            b.stop()


if __name__ == "__main__":
    harness.require_root()
    harness.run()
