#!/usr/bin/env python3
"""The conference request and the stand-in focus (tests/lab/focus.py) against Debian's prosody
in the lab: the focus answers only once it is in the room (as `focus`, the room made
non-anonymous); ttymeet asks the focus before it joins the MUC, leaves the focus out of the
roster, retries while the focus is not ready, and ends with the right exit code and one clear
line when the focus wants a login, redirects to a visitor node, answers with an error, or does
not answer at all."""

import os
import time

import harness
from harness import HEADLESS, check_error_exit, lab, start_client
import xmppws

XMPP = ["--xmpp-domain", "localhost", "--xmpp-muc", "conference.localhost"]
NS_FOCUS = "http://jitsi.org/protocol/focus"
NS_CLIENT = "jabber:client"
NS_MUC_USER = "http://jabber.org/protocol/muc#user"


def _base(L, ws):
    return L.meeting_link(ws)


def _conf_iq(room):
    return ("<iq xmlns='jabber:client' type='set' to='focus.localhost' id='c1'>"
            "<conference xmlns='%s' room='%s' machine-uid='0123456789abcdef'>"
            "<property name='visitors-version' value='1'/></conference></iq>" % (NS_FOCUS, room))


def test_standin_focus_joins_before_answering():
    """A raw XMPP participant asks the stand-in focus: the answer (ready='true', focusjid =
    the component) comes after the focus's own presence in the room, and the room then shows
    real JIDs (the focus made it non-anonymous) and the participant is made owner."""
    with lab.Lab(janus=False) as L:
        ws = L.start_prosody(focus=True)
        focus = L.start_focus("--not-ready", "1")
        a = xmppws.Agent(L, ws, "localhost")
        try:
            room = "standin@conference.localhost"
            a.send(_conf_iq(room))
            ans = a.wait(lambda e: e.get("id") == "c1", 5)
            assert ans is not None and ans.get("type") == "result", ans
            conf = ans.find("{%s}conference" % NS_FOCUS)
            assert conf.get("ready") == "false", conf.attrib   # --not-ready 1
            assert not [s for s in focus.sent() if s.startswith("<presence")], focus.sent()
            a.send(_conf_iq(room))
            mark = len(a.stanzas)
            ans = a.wait(lambda e: e.get("id") == "c1", 5, start=mark)
            assert ans is not None and ans.get("type") == "result", ans
            conf = ans.find("{%s}conference" % NS_FOCUS)
            assert conf.get("ready") == "true" and conf.get("focusjid") == "focus.localhost", \
                conf.attrib
            props = {p.get("name"): p.get("value") for p in conf}
            assert props.get("authentication") == "false", props
            sent = focus.sent()
            join = [i for i, s in enumerate(sent) if s.startswith("<presence")]
            cfg = [i for i, s in enumerate(sent) if "muc#roomconfig_whois" in s]
            answer = [i for i, s in enumerate(sent) if "ready='true'" in s]
            assert join and cfg and answer and join[0] < cfg[0] < answer[0], sent
            reqs = focus.requests()
            assert len(reqs) == 2 and reqs[0]["room"] == room, reqs
            assert reqs[0]["attrs"].get("machine-uid") == "0123456789abcdef", reqs
            # joining now: the focus is listed with its real JID, and we are made owner
            a.send("<presence xmlns='jabber:client' to='%s/abcd1234'>"
                   "<x xmlns='http://jabber.org/protocol/muc'/></presence>" % room)

            def focus_item(e):
                if e.get("from") != room + "/focus":
                    return False
                it = e.find("{%s}x/{%s}item" % (NS_MUC_USER, NS_MUC_USER))
                return it is not None and (it.get("jid") or "").startswith("focus.localhost/")
            assert a.wait(focus_item, 5) is not None, [e.attrib for e in a.stanzas]

            def owner(e):
                it = e.find("{%s}x/{%s}item" % (NS_MUC_USER, NS_MUC_USER))
                return (e.get("from") == room + "/abcd1234" and it is not None
                        and it.get("affiliation") == "owner")
            assert a.wait(owner, 5) is not None, [e.attrib for e in a.stanzas]
        finally:
            a.close()


def test_conference_request_then_join():
    """ttymeet asks the focus before it joins (machine-uid, no visitors support announced),
    says once that it waits while the focus is not ready and asks again after 1 s and 2 s, then
    joins; headless `joined` names the room; the focus is not in either roster (it has no nick
    and is known by its JID), and the meeting and its people carry audio (Jingle: issue 15)."""
    with lab.Lab(janus=False) as L:
        ws = L.start_prosody(focus=True)
        focus = L.start_focus("--not-ready", "2")
        base = _base(L, ws)
        bob = start_client(L, HEADLESS + XMPP + ["-n", "bob", "--duration", "9",
                                                base + "TeamRoom"], "bob")
        w = bob.wait_event("waiting", 10)
        assert w.get("kind") == "focus" and "not ready" in w.get("message", ""), w
        jb = bob.wait_event("joined", 10)
        assert jb.get("room") == "teamroom" and jb.get("room_type") == "jitsi", jb
        assert jb.get("audio") is not False, jb
        assert len(bob.find("waiting")) == 1, bob.describe()
        c = bob.find("connecting")[0]
        assert c.get("room") == "teamroom", c
        reqs = focus.requests()
        assert len(reqs) == 3, reqs
        for r in reqs:
            assert r["room"] == "teamroom@conference.localhost", r
            assert len(r["attrs"].get("machine-uid", "")) == 32, r
            assert r["properties"] == {"rtcstatsEnabled": "false"}, r
        assert len({r["attrs"]["machine-uid"] for r in reqs}) == 1, reqs
        gaps = [b["t"] - a["t"] for a, b in zip(reqs, reqs[1:])]
        assert 0.9 <= gaps[0] < 1.8 and 1.9 <= gaps[1] < 3.0, gaps
        # the request came before the join: the focus saw bob's presence after answering
        deadline = time.monotonic() + 5
        while True:
            recs = focus.records()
            bob_in = [r["t"] for r in recs if r.get("stanza") == "presence"
                      and not r["from"].endswith("/focus")]
            if bob_in or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        ready_at = [r["t"] for r in recs if "ready='true'" in r.get("sent", "")][0]
        assert bob_in and min(bob_in) >= ready_at, (ready_at, bob_in)
        alice = start_client(L, HEADLESS + XMPP + ["-n", "alice", "--duration", "2",
                                                  base + "teamroom"], "alice")
        alice.wait_event("joined", 10)
        seen = alice.wait_event("participant-joined", 10)
        assert seen.get("name") == "bob" and seen.get("audio") is True, seen
        assert alice.wait_exit(10) == 0, alice.describe()
        assert bob.wait_exit(15) == 0, bob.describe()
        for cl in (alice, bob):
            cl.assert_clean_output()
            names = [e.get("name") for e in cl.find("participant-joined")]
            assert "focus" not in names, names
        assert not alice.find("waiting"), alice.describe()  # the focus was in the room


def test_waiting_for_a_moderator_until_duration():
    """A focus that wants a logged-in user to start the meeting (not-authorized, as jicofo with
    authentication answers a guest): ttymeet says the meeting has not started, asks again every
    5 s, and keeps waiting until --duration ends the run (exit 0, never joined). With a token,
    the same answer means the token was refused: exit 4."""
    with lab.Lab(janus=False) as L:
        ws = L.start_prosody(focus=True)
        focus = L.start_focus("--auth-required")
        base = _base(L, ws)
        c = start_client(L, HEADLESS + XMPP + ["--duration", "7", base + "room1"], "guest")
        w = c.wait_event("waiting", 10)
        assert w.get("kind") == "host" and "moderator" in w.get("message", ""), w
        assert c.wait_exit(15) == 0, c.describe()
        assert not c.find("joined") and not c.find("error"), c.describe()
        assert c.find("left")[-1].get("reason") == "duration", c.describe()
        assert len(focus.requests()) == 2, focus.requests()  # at 0 s and 5 s
        tok = L.dir + "/t.jwt"
        with open(tok, "w") as f:
            f.write("eyJh.eyJi.c2ln\n")
        os.chmod(tok, 0o600)
        c = start_client(L, HEADLESS + XMPP + ["--jwt-file", tok, base + "room2"], "token")
        check_error_exit(c, 4, 10, words=["token"])
        assert focus.requests()[-1]["attrs"].get("token") == "eyJh.eyJi.c2ln"


def test_focus_failures():
    """A visitor redirect (exit 4), an error answer (exit 3, its condition said), a focus that
    never answers (exit 3 after 10 s), and a server without a focus (a notice, then the join
    without one) and --xmpp-focus none (no request at all)."""
    with lab.Lab(janus=False) as L:
        ws = L.start_prosody(focus=True)
        base = _base(L, ws)
        focus = L.start_focus("--vnode", "v1")
        c = start_client(L, HEADLESS + XMPP + [base + "room3"], "vnode")
        check_error_exit(c, 4, 10, words=["visitor node", "v1"])
        focus.stop()
        focus = L.start_focus("--error", "internal-server-error")
        c = start_client(L, HEADLESS + XMPP + [base + "room4"], "error")
        check_error_exit(c, 3, 10, words=["internal-server-error"])
        focus.stop()
        focus = L.start_focus("--silent")
        c = start_client(L, HEADLESS + XMPP + [base + "room5"], "silent")
        check_error_exit(c, 3, 16, words=["did not answer", "focus.localhost"])
        assert c.elapsed() > 9.5, c.elapsed()
        assert len(focus.requests()) == 1, focus.requests()
        focus.stop()
        # the component is configured but not connected: prosody answers for it
        c = start_client(L, HEADLESS + XMPP + ["--duration", "1", base + "room6"], "nofocus")
        c.wait_event("joined", 10)
        notes = [e.get("message", "") for e in c.find("notice")]
        assert any("without a focus" in n and "remote-server-timeout" in n for n in notes), notes
        assert c.wait_exit(10) == 0, c.describe()
        c = start_client(L, HEADLESS + XMPP + ["--xmpp-focus", "none", "--duration", "1",
                                               base + "room7"], "none")
        c.wait_event("joined", 10)
        notes = [e.get("message", "") for e in c.find("notice")]
        assert any("--xmpp-focus none" in n for n in notes), notes
        assert c.wait_exit(10) == 0, c.describe()


if __name__ == "__main__":
    harness.require_root()
    harness.run()
