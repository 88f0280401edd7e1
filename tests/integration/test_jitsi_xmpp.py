#!/usr/bin/env python3
"""The Jitsi Meet backend's first rungs against Debian's prosody in the lab's server namespace
(config written by tests/lab/lab.py start_prosody: anonymous login, a MUC that shows real JIDs
and does not lock new rooms, mod_websocket; no focus, no bridge): two ttymeets given the link
http://SERVER:PORT/ROOM (the room in different letter cases, a #config fragment) derive the
WebSocket URL from the link, log in anonymously, bind, join the MUC and list each other, and
one leaving shows as participant-left; an XMPP domain the server does not serve and a server
that is not there end with exit 3 and one line, within seconds; a token from --jwt-file is
sent (prosody ignores it) and never printed, one too long to send is refused (exit 2); the
WebSocket connects while /config.js loads, kept when config.js confirms it, closed unused
when it names another."""

import json
import os
import queue
import subprocess
import sys
import threading
import time

import harness
from harness import HEADLESS, check_error_exit, lab, start_client
import xmppws  # noqa: E402 (found through harness's path)
import xml.etree.ElementTree as ET

XMPP = ["--xmpp-domain", "localhost", "--xmpp-muc", "conference.localhost"]


def test_two_clients_join_and_list_each_other():
    with lab.Lab(janus=False) as L:
        ws = L.start_prosody()
        base = L.meeting_link(ws)
        bob = start_client(L, HEADLESS + XMPP + ["-n", "bob", "--duration", "8",
                                                base + "TeamRoom"], "bob")
        jb = bob.wait_event("joined", 10)
        assert jb.get("room_type") == "jitsi", jb
        alice = start_client(L, HEADLESS + XMPP + ["-n", "alice", "--duration", "2",
                                                  base + "teamroom#config.startWithAudioMuted=true"],
                             "alice")
        ja = alice.wait_event("joined", 10)
        # each lists the other by the nick from its presence, under its own id
        seen = alice.wait_event("participant-joined", 10)
        assert seen.get("name") == "bob", seen
        seen_b = bob.wait_event("participant-joined", 10)
        assert seen_b.get("name") == "alice", seen_b
        assert seen_b.get("id") != jb.get("id") and seen.get("id") != ja.get("id")
        assert alice.wait_exit(10) == 0, alice.describe()
        left = bob.wait_event("participant-left", 10)
        assert left.get("id") == seen_b.get("id"), (left, seen_b)
        assert bob.wait_exit(15) == 0, bob.describe()
        for c in (alice, bob):
            c.assert_clean_output()
        log = L.prosody_log_tail(200)
        assert "Authenticated as" in log, log


def test_unknown_domain_and_no_server_exit_3():
    with lab.Lab(janus=False) as L:
        ws = L.start_prosody()
        port = int(ws.rsplit(":", 1)[1].split("/")[0])
        c = start_client(L, HEADLESS + ["--xmpp-domain", "nosuch.example",
                                        "http://%s:%d/room" % (L.server_addr, port)], "nodomain")
        check_error_exit(c, 3, 10, words=["XMPP"])
        c = start_client(L, HEADLESS + XMPP + ["http://%s:%d/room" % (L.server_addr, port + 1)],
                         "noserver")
        check_error_exit(c, 3, 10, words=["cannot reach"])
        # a token (from a private file) goes in the WebSocket URL; prosody ignores it and lets
        # us in; one too long for the URL ttymeet can send is refused with one line, exit 2
        d = L.dir
        short = os.path.join(d, "short.jwt")
        longer = os.path.join(d, "long.jwt")
        for path, tok in ((short, "eyJh.eyJi.c2ln"), (longer, "eyJh." + "x" * 900 + ".c2ln")):
            with open(path, "w") as f:
                f.write(tok + "\n")
            os.chmod(path, 0o600)
        url = "http://%s:%d/room" % (L.server_addr, port)
        c = start_client(L, HEADLESS + XMPP + ["--jwt-file", short, "--duration", "1", url],
                         "jwt")
        c.wait_event("joined", 10)
        assert c.wait_exit(10) == 0, c.describe()
        assert "eyJi" not in c.stderr and all("eyJi" not in str(e) for e in c.events)
        c = start_client(L, HEADLESS + XMPP + ["--jwt-file", longer, url], "longjwt")
        check_error_exit(c, 2, 10, words=["token"])


def test_settings_from_config_js():
    """/config.js at the link's origin (served by a plain HTTP server in the server namespace)
    gives the WebSocket URL, the domain and the focus; its MUC is an expression, refused with a
    notice, so conference.DOMAIN is used. Without overrides ttymeet joins. A link whose origin
    has no /config.js says so and falls back to the defaults (which lead nowhere here: exit 3).
    Its hiddenDomain is where recorders log in: an occupant from there is not listed, one from
    the domain is; but the peer-to-peer rule counts it, as lib-jitsi-meet's does: with the
    recorder there, dan's peer-to-peer offer is acknowledged and declined (session-terminate
    decline), as the room is not just the two of them."""
    with lab.Lab(janus=False) as L:
        ws = L.start_prosody(extra_components='VirtualHost "recorder.localhost"\n'
                                              '  authentication = "anonymous"\n')
        web = os.path.join(L.dir, "web")
        os.makedirs(web)
        with open(os.path.join(web, "config.js"), "w") as f:
            f.write("/* a deployment's settings */\nvar subdomain = '';\nvar config = {\n"
                    "    hosts: {\n        domain: 'localhost',\n"
                    "        muc: 'conference.' + subdomain + 'localhost', // an expression\n"
                    "        focus: \"focus.localhost\",\n    },\n"
                    "    // websocket: 'wss://wrong.example/xmpp-websocket',\n"
                    "    websocket: '%s',\n    hiddenDomain: 'recorder.localhost',\n};\n"
                    % ws)
        hport = 20000 + (int(ws.rsplit(":", 1)[1].split("/")[0]) + 1) % 10000
        http = subprocess.Popen(["ip", "netns", "exec", L.server_ns, sys.executable, "-m",
                                 "http.server", str(hport), "--bind", L.server_addr,
                                 "--directory", web], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        try:
            L._wait_ready(http, hport, "http.server", lambda n: "(no log)")
            # a recorder (at the hidden domain) and a person already in the room
            room = "cfgroom@conference.localhost"
            rec = xmppws.Agent(L, ws, "recorder.localhost")
            dan = xmppws.Agent(L, ws, "localhost")
            for a, occ, nick in ((rec, "rec00001", "Recorder"), (dan, "dan00001", "dan")):
                a.send("<presence xmlns='jabber:client' to='%s/%s'><x xmlns='http://jabber.org/"
                       "protocol/muc'/><nick xmlns='http://jabber.org/protocol/nick'>%s</nick>"
                       "</presence>" % (room, occ, nick))
                assert a.wait(lambda el: el.tag.endswith("presence")
                              and el.get("from", "").endswith("/" + occ), 10) is not None
            c = start_client(L, HEADLESS + ["-n", "carol", "--duration", "3",
                                            "http://%s:%d/CfgRoom" % (L.server_addr, hport)],
                             "config")
            j = c.wait_event("joined", 10)
            assert j.get("room_type") == "jitsi", j
            notes = [e.get("message", "") for e in c.find("notice")]
            assert any("hosts.muc" in n for n in notes), notes
            # dan offers carol a direct session: three in the room with the recorder
            pres = dan.wait(lambda el: el.tag.endswith("presence") and any(
                n.tag.endswith("nick") and n.text == "carol" for n in el), 5)
            assert pres is not None, c.describe()
            carol = pres.get("from")
            dan.send("<iq xmlns='jabber:client' type='set' to='%s' id='p2p1'><jingle xmlns="
                     "'urn:xmpp:jingle:1' action='session-initiate' sid='p2psid1' initiator="
                     "'%s/dan00001'/></iq>" % (carol, room))
            ack = dan.wait(lambda el: el.get("id") == "p2p1", 5)
            assert ack is not None and ack.get("type") == "result", c.describe()
            J = "{urn:xmpp:jingle:1}"
            term = dan.wait(lambda el: el.find(J + "jingle") is not None and el.find(
                J + "jingle").get("action") == "session-terminate", 5)
            assert term is not None, c.describe()
            jingle = term.find(J + "jingle")
            assert jingle.get("sid") == "p2psid1", ET.tostring(term)
            assert jingle.find(J + "reason/" + J + "decline") is not None, ET.tostring(term)
            assert c.wait_exit(10) == 0, c.describe()
            names = [e.get("name") for e in c.find("participant-joined")]
            assert names == ["dan"], "listed %s (the recorder must not be)\n%s" % (
                names, c.describe())
            rec.close()
            dan.close()
            os.unlink(os.path.join(web, "config.js"))
            c = start_client(L, HEADLESS + ["http://%s:%d/CfgRoom" % (L.server_addr, hport)],
                             "noconfig")
            check_error_exit(c, 3, 15, words=["xmpp-websocket"])
            notes = [e.get("message", "") for e in c.find("notice")]
            assert any("config.js" in n and "404" in n for n in notes), notes
        finally:
            http.terminate()
            http.wait(5)


def test_websocket_overlaps_config_js():
    """While /config.js loads, the WebSocket the link implies is already connecting (its round
    trips overlap the fetch's). A web front (tests/lab/config_proxy.py: config.js and
    /xmpp-websocket on one port, the latter passed to prosody) holds config.js until a WebSocket
    request has come (1.5 s at most). When config.js names that same WebSocket, ttymeet joins
    over that one connection: one WebSocket request in all, and it came before config.js was
    answered. When config.js names another (prosody's own port), the early one is closed unused
    and ttymeet joins over the one named."""
    proxy_py = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lab",
                            "config_proxy.py")
    with lab.Lab(janus=False) as L:
        ws = L.start_prosody()
        up = ws.split("//", 1)[1].split("/", 1)[0]
        cfg = os.path.join(L.dir, "front-config.js")
        open(cfg, "w").close()
        proxy = subprocess.Popen(["ip", "netns", "exec", L.server_ns, sys.executable, proxy_py,
                                  "--host", L.server_addr, "--upstream", up, "--config", cfg,
                                  "--hold", "1.5"],
                                 stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True,
                                 start_new_session=True)
        events = queue.Queue()
        try:
            line = proxy.stdout.readline()
            assert line.startswith("PORT "), line
            front = "%s:%s" % (L.server_addr, line.split()[1])
            threading.Thread(target=lambda: [events.put(json.loads(x)) for x in proxy.stdout],
                             daemon=True).start()

            def next_event(timeout=10):
                return events.get(timeout=timeout)

            for named, same in (("ws://%s/xmpp-websocket" % front, True), (ws, False)):
                with open(cfg, "w") as f:
                    f.write("var config = {\n    hosts: { domain: 'localhost', muc: "
                            "'conference.localhost' },\n    websocket: '%s',\n};\n" % named)
                c = start_client(L, HEADLESS + ["-n", "erin", "--duration", "2.5",
                                                "http://%s/FrontRoom" % front], "front")
                try:
                    c.wait_event("joined", 10)
                    seen = [next_event(), next_event()]
                    assert [e["event"] for e in seen] == ["websocket", "config"], seen
                    # the counts are the front's since it started: this run's request is the
                    # latest, and it came before config.js was answered
                    assert seen[1]["websockets_before"] == seen[0]["n"] == (1 if same else 2), \
                        seen
                    if not same:  # the early one goes, unused, while erin stays in the room
                        e = next_event(5)
                        assert e == {"event": "websocket-closed", "n": seen[0]["n"]}, e
                        assert c.proc.poll() is None, c.describe()
                    assert c.wait_exit(10) == 0, c.describe()
                    c.assert_clean_output()
                    time.sleep(0.3)
                    rest = []
                    while not events.empty():
                        rest.append(events.get())
                    # the same: the one connection carried the call and closed at the end;
                    # another: no second request came to the front
                    want = ([{"event": "websocket-closed", "n": seen[0]["n"]}] if same else [])
                    assert rest == want, (named, rest)
                finally:
                    c.kill()
        finally:
            os.killpg(proxy.pid, 9)
            proxy.wait(5)


if __name__ == "__main__":
    harness.require_root()
    harness.run()
