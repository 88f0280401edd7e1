#!/usr/bin/env python3
"""The conference request and the stand-in focus (tests/lab/focus.py) against Debian's prosody
in the lab: the focus answers only once it is in the room (as `focus`, the room made
non-anonymous); ttymeet asks the focus before it joins the MUC, leaves the focus out of the
roster, retries while the focus is not ready, and ends with the right exit code and one clear
line when the focus wants a login, redirects to a visitor node, answers with an error, or does
not answer at all."""

import time

import harness
from harness import HEADLESS, check_error_exit, lab, start_client
import xmppws

XMPP = ["--xmpp-domain", "localhost", "--xmpp-muc", "conference.localhost"]
NS_FOCUS = "http://jitsi.org/protocol/focus"
NS_CLIENT = "jabber:client"
NS_MUC_USER = "http://jabber.org/protocol/muc#user"


def _base(L, ws):
    port = int(ws.rsplit(":", 1)[1].split("/")[0])
    return "http://%s:%d/" % (L.server_addr, port)


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


if __name__ == "__main__":
    harness.require_root()
    harness.run()
