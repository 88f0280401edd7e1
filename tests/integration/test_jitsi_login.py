#!/usr/bin/env python3
"""Logging in to a Jitsi deployment's XMPP server, against Debian's prosody in the lab: a
"secure domain" setup as Jitsi documents it (hosts.domain with accounts, internal_plain;
hosts.anonymousdomain for guests) whose config.js is served in the lab. A guest without
credentials joins anonymously at the anonymous domain; alice logs in with --xmpp-user and a
password file (SCRAM) at the domain, and both list each other; a wrong password (from
TTYMEET_XMPP_PASSWORD) ends with exit 4 and one line naming the refusal; no credentials where
the server wants them ends with exit 4 saying how to give them; config.js's legalUrls.privacy
is shown as a notice. Then a server offering only PLAIN over ws://: refused without
--xmpp-allow-plain (exit 4, nothing sent), used with it. The password never shows in the
output."""

import os
import subprocess
import sys

import harness
from harness import HEADLESS, check_error_exit, lab, start_client

PASSWORD = "w0nder-land!"


def serve(L, ws, body):
    """A plain HTTP server for config.js in the server namespace; returns (proc, base URL)."""
    web = os.path.join(L.dir, "web")
    os.makedirs(web, exist_ok=True)
    with open(os.path.join(web, "config.js"), "w") as f:
        f.write(body)
    hport = 20000 + (int(ws.rsplit(":", 1)[1].split("/")[0]) + 3) % 10000
    http = subprocess.Popen(["ip", "netns", "exec", L.server_ns, sys.executable, "-m",
                             "http.server", str(hport), "--bind", L.server_addr,
                             "--directory", web], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    L._wait_ready(http, hport, "http.server", lambda n: "(no log)")
    return http, "http://%s:%d/" % (L.server_addr, hport)


def secret_file(L, name, text):
    path = os.path.join(L.dir, name)
    with open(path, "w") as f:
        f.write(text + "\n")
    os.chmod(path, 0o600)
    return path


def no_password(c):
    assert PASSWORD not in c.stderr and all(PASSWORD not in str(e) for e in c.events), \
        c.describe()


def test_secure_domain_login_and_guest():
    with lab.Lab(janus=False) as L:
        L.add_prosody_user("alice", PASSWORD)
        ws = L.start_prosody(auth="internal_plain",
                             extra_components='VirtualHost "guest.localhost"\n'
                                              '  authentication = "anonymous"\n')
        http, base = serve(L, ws, "var config = {\n  hosts: {\n    domain: 'localhost',\n"
                           "    anonymousdomain: 'guest.localhost',\n"
                           "    muc: 'conference.localhost',\n  },\n  websocket: '%s',\n"
                           "  legalUrls: {\n    helpCentre: 'https://example.org/help',\n"
                           "    privacy: 'https://example.org/privacy?lang=en',\n  },\n};\n"
                           % ws)
        try:
            pw = secret_file(L, "alice.pw", PASSWORD)
            guest = start_client(L, HEADLESS + ["-n", "guest", "--duration", "8",
                                                base + "Standup"], "guest")
            guest.wait_event("joined", 10)
            notes = [e.get("message", "") for e in guest.find("notice")]
            assert any("privacy policy" in n and "https://example.org/privacy?lang=en" in n
                       for n in notes), notes
            alice = start_client(L, HEADLESS + ["-n", "Alice", "--duration", "3",
                                                "--xmpp-user", "alice", "--xmpp-password-file",
                                                pw, base + "standup"], "alice")
            alice.wait_event("joined", 10)
            seen = alice.wait_event("participant-joined", 10)
            assert seen.get("name") == "guest", seen
            seen = guest.wait_event("participant-joined", 10)
            assert seen.get("name") == "Alice", seen
            assert alice.wait_exit(10) == 0, alice.describe()
            log = L.prosody_log_tail(300)
            assert "Authenticated as alice@localhost" in log, log
            assert "@guest.localhost" in log, log  # the guest logged in at anonymousdomain
            # a wrong password, from the environment: the room refuses (exit 4), one line
            bad = start_client(L, HEADLESS + ["--xmpp-user", "alice", base + "standup"], "bad",
                               env={"TTYMEET_XMPP_PASSWORD": "not-" + PASSWORD})
            check_error_exit(bad, 4, 10, words=["refused the login as alice",
                                                "not-authorized"])
            # the domain itself wants a login: without one, exit 4 saying how to give it
            anon = start_client(L, HEADLESS + ["--xmpp-domain", "localhost", "--xmpp-muc",
                                               "conference.localhost", base + "standup"],
                                "anon")
            check_error_exit(anon, 4, 10, words=["login", "--xmpp-user"])
            for c in (guest, alice, bad):
                no_password(c)
            assert guest.wait_exit(15) == 0, guest.describe()
        finally:
            http.terminate()
            http.wait(5)


def test_plain_only_over_ws():
    with lab.Lab(janus=False) as L:
        L.add_prosody_user("alice", PASSWORD)
        ws = L.start_prosody(auth="internal_plain", host_lines=[
            'disable_sasl_mechanisms = { "SCRAM-SHA-1", "SCRAM-SHA-256", "DIGEST-MD5" }'])
        pw = secret_file(L, "alice.pw", PASSWORD)
        url = L.meeting_link(ws, "room")
        args = HEADLESS + ["--xmpp-domain", "localhost", "--xmpp-muc", "conference.localhost",
                           "--xmpp-user", "alice", "--xmpp-password-file", pw]
        c = start_client(L, args + [url], "refused")
        check_error_exit(c, 4, 10, words=["PLAIN", "--xmpp-allow-plain"])
        c = start_client(L, args + ["--xmpp-allow-plain", "--duration", "1", url], "plain")
        c.wait_event("joined", 10)
        assert c.wait_exit(10) == 0, c.describe()
        no_password(c)
        assert "Authenticated as alice@localhost" in L.prosody_log_tail(100)


if __name__ == "__main__":
    harness.require_root()
    harness.run()
