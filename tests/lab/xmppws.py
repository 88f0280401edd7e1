"""A minimal XMPP-over-WebSocket (RFC 7395) client for lab tests (Python stdlib + wsclient.py):
SASL ANONYMOUS, resource binding, then raw stanzas in and out, each parsed with ElementTree.
Used to drive the stand-in focus (tests/lab/focus.py) and to play a second Jitsi participant
(e.g. the lobby's moderator) from a test, in the client namespace (run it with
`ip netns exec` or from a script the lab starts there). Not thread-safe."""

import base64
import time
import uuid
import xml.etree.ElementTree as ET

import wsclient

NS_CLIENT = "jabber:client"
NS_FRAMING = "urn:ietf:params:xml:ns:xmpp-framing"
NS_SASL = "urn:ietf:params:xml:ns:xmpp-sasl"
NS_BIND = "urn:ietf:params:xml:ns:xmpp-bind"


def q(ns, name):
    return "{%s}%s" % (ns, name)


class XmppWs:
    def __init__(self, url, domain, timeout=10.0):
        self.domain = domain
        self.ws = wsclient.WebSocket(url, subprotocol="xmpp", timeout=timeout)
        self.jid = None
        self.queue = []
        self._open()
        feats = self._wait_features()
        if feats.find(q(NS_SASL, "mechanisms")) is None:
            raise RuntimeError("no SASL offered")
        self.ws.send("<auth xmlns='%s' mechanism='ANONYMOUS'/>" % NS_SASL)
        r = self._next_raw()
        if r.tag != q(NS_SASL, "success"):
            raise RuntimeError("SASL ANONYMOUS failed: %s" % r.tag)
        self._open()
        self._wait_features()
        self.ws.send("<iq xmlns='%s' type='set' id='bind1'><bind xmlns='%s'/></iq>"
                     % (NS_CLIENT, NS_BIND))
        r = self._next_raw()
        self.jid = r.find(q(NS_BIND, "bind")).find(q(NS_BIND, "jid")).text

    def _open(self):
        self.ws.send("<open xmlns='%s' to='%s' version='1.0'/>" % (NS_FRAMING, self.domain))

    def _next_raw(self):
        while True:
            text = self.ws.recv_text()
            el = ET.fromstring(text)
            if el.tag != q(NS_FRAMING, "open"):
                return el

    def _wait_features(self):
        el = self._next_raw()
        if not el.tag.endswith("}features"):
            raise RuntimeError("expected features, got %s" % el.tag)
        return el

    def send(self, xml):
        """Sends one stanza (its default namespace must be jabber:client)."""
        self.ws.send(xml)

    def recv(self, timeout=5.0, match=None):
        """The next stanza (ElementTree element) for which match(el) is true, within timeout
        seconds; others are kept for later calls. None on timeout."""
        deadline = time.monotonic() + timeout
        for i, el in enumerate(self.queue):
            if match is None or match(el):
                return self.queue.pop(i)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.ws.settimeout(left)
            try:
                el = ET.fromstring(self.ws.recv_text())
            except (TimeoutError, OSError):
                return None
            if match is None or match(el):
                return el
            self.queue.append(el)

    def iq(self, xml_inner, to, typ="set", timeout=5.0):
        """Sends an iq and returns its answer (or None)."""
        iid = uuid.uuid4().hex[:12]
        self.send("<iq xmlns='%s' type='%s' to='%s' id='%s'>%s</iq>" % (NS_CLIENT, typ, to, iid,
                                                                         xml_inner))
        return self.recv(timeout, lambda e: e.tag == q(NS_CLIENT, "iq") and e.get("id") == iid)

    def close(self):
        try:
            self.ws.send("<close xmlns='%s'/>" % NS_FRAMING)
            self.ws.close()
        except Exception:
            pass


def b64(s):
    return base64.b64encode(s.encode()).decode()


# ---- agent mode: a participant driven over pipes ---------------------------------------------
#
# `python3 xmppws.py WS_URL DOMAIN` logs in, prints {"jid": ...}, then prints every stanza it
# receives as {"xml": TEXT} (one JSON line each) and sends every stdin line's {"send": XML}.
# Agent (below) runs it in the lab's client namespace and waits on its output from a test.

def _agent_main(argv):
    import json
    import select
    import sys
    c = XmppWs(argv[1], argv[2])
    print(json.dumps({"jid": c.jid}), flush=True)
    while True:
        r, _, _ = select.select([c.ws.sock, sys.stdin], [], [], 1.0)
        if sys.stdin in r:
            line = sys.stdin.readline()
            if not line:
                c.close()
                return
            c.send(json.loads(line)["send"])
        if c.ws.sock in r or c.ws.reader.buf:
            try:
                c.ws.settimeout(10)
                text = c.ws.recv_text()
            except wsclient.WSClosed:
                print(json.dumps({"closed": True}), flush=True)
                return
            print(json.dumps({"xml": text}), flush=True)


class Agent:
    """A second XMPP participant in the lab's client namespace (see _agent_main)."""

    def __init__(self, the_lab, ws_url, domain, timeout=10.0):
        import json
        import os
        import subprocess
        import sys
        import threading
        self._json = json
        self.proc = the_lab.client([sys.executable, os.path.abspath(__file__), ws_url, domain],
                                   stderr=subprocess.PIPE)
        self.stanzas = []
        self.cond = threading.Condition()
        self.jid = None
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + timeout
        with self.cond:
            while self.jid is None:
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    raise RuntimeError("the XMPP agent did not log in")
                self.cond.wait(left)

    def _read(self):
        for line in self.proc.stdout:
            try:
                rec = self._json.loads(line)
            except ValueError:
                continue
            with self.cond:
                if "jid" in rec:
                    self.jid = rec["jid"]
                elif "xml" in rec:
                    self.stanzas.append(ET.fromstring(rec["xml"]))
                self.cond.notify_all()

    def send(self, xml):
        self.proc.stdin.write((self._json.dumps({"send": xml}) + "\n").encode())
        self.proc.stdin.flush()

    def wait(self, pred, timeout=10.0, start=0):
        """The first stanza (index >= start) with pred(el) true, within timeout; None if not."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for el in self.stanzas[start:]:
                    if pred(el):
                        return el
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)

    def close(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(3)
        except Exception:
            self.proc.kill()


if __name__ == "__main__":
    import sys as _sys
    _agent_main(_sys.argv)
