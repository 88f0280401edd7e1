#!/usr/bin/env python3
"""Send a list of Janus API requests over one fresh WebSocket and print the replies as JSON.

Usage: janusctl.py [--timeout S] URL < requests.json
The input is a JSON array of request objects. For each one, janusctl fills in what a caller
does not want to track:
  - "transaction" (always, unless given);
  - "session_id" from the last `create` (except for info/ping/create);
  - "handle_id" from the last `attach` (for message/trickle/hangup/detach), or from the handle
    named by "_handle" when the attach carried "_as": "name".
It then waits for the reply with that transaction. For `message`, an `ack` is not final: the
`event` with the same transaction is, and the two may arrive in either order (a late ack is
ignored). A pseudo-request {"_sleep": S} only collects incoming messages for S seconds.
Output (stdout, one JSON object): {"replies": [final reply per request, null for _sleep],
"unsolicited": [every message not matched to a request]}. On a timeout, closed connection or
bad reply it prints the same object plus "error" and exits 1. Keys starting with "_" are never
sent. Single-threaded.
"""

import argparse
import json
import os
import select
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import wsclient  # noqa: E402

NO_SESSION = ("info", "ping", "create")
NEEDS_HANDLE = ("message", "trickle", "hangup", "detach")


class Ctl:
    def __init__(self, url, timeout):
        self.ws = wsclient.WebSocket(url, subprotocol="janus-protocol", timeout=timeout)
        self.timeout = timeout
        self.txn = 0
        self.session_id = None
        self.handle_id = None
        self.handles = {}
        self.unsolicited = []
        self.done_txns = set()

    def _next_message(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        if not self.ws.reader.buf:
            r, _, _ = select.select([self.ws.sock], [], [], remaining)
            if not r:
                return None
        self.ws.settimeout(max(0.05, deadline - time.monotonic()))
        text = self.ws.recv_text()
        return json.loads(text)

    def sleep(self, seconds):
        deadline = time.monotonic() + seconds
        while True:
            msg = self._next_message(deadline)
            if msg is None:
                return
            self._stray(msg)

    def _stray(self, msg):
        # A late ack for an already answered async request is expected, not news.
        if msg.get("janus") == "ack" and msg.get("transaction") in self.done_txns:
            return
        self.unsolicited.append(msg)

    def request(self, req):
        req = dict(req)
        verb = req.get("janus")
        name_as = req.pop("_as", None)
        handle_name = req.pop("_handle", None)
        for k in [k for k in req if k.startswith("_")]:
            del req[k]
        if "transaction" not in req:
            self.txn += 1
            req["transaction"] = "ctl%d" % self.txn
        if verb not in NO_SESSION and "session_id" not in req and self.session_id is not None:
            req["session_id"] = self.session_id
        if verb in NEEDS_HANDLE and "handle_id" not in req:
            if handle_name is not None:
                req["handle_id"] = self.handles[handle_name]
            elif self.handle_id is not None:
                req["handle_id"] = self.handle_id
        txn = req["transaction"]
        self.ws.send(json.dumps(req))
        deadline = time.monotonic() + self.timeout
        while True:
            msg = self._next_message(deadline)
            if msg is None:
                raise TimeoutError("no reply to %s (%s) within %.0f s" % (verb, txn, self.timeout))
            if not isinstance(msg, dict) or msg.get("transaction") != txn:
                self._stray(msg)
                continue
            if msg.get("janus") == "ack" and verb == "message":
                continue
            break
        self.done_txns.add(txn)
        if msg.get("janus") == "success" and verb == "create":
            self.session_id = msg["data"]["id"]
        elif msg.get("janus") == "success" and verb == "attach":
            self.handle_id = msg["data"]["id"]
            if name_as is not None:
                self.handles[name_as] = self.handle_id
        elif msg.get("janus") == "success" and verb == "destroy":
            self.session_id = None
            self.handle_id = None
        return msg


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--timeout", type=float, default=10.0, help="per-request timeout (s)")
    ap.add_argument("url")
    args = ap.parse_args()
    requests = json.load(sys.stdin)
    out = {"replies": [], "unsolicited": []}
    ctl = None
    rc = 0
    try:
        ctl = Ctl(args.url, args.timeout)
        for req in requests:
            if "_sleep" in req:
                ctl.sleep(float(req["_sleep"]))
                out["replies"].append(None)
            else:
                out["replies"].append(ctl.request(req))
    except (OSError, wsclient.WSError, ValueError, KeyError, TimeoutError) as e:
        out["error"] = "%s: %s" % (type(e).__name__, e)
        rc = 1
    finally:
        if ctl is not None:
            out["unsolicited"] = ctl.unsolicited
            ctl.ws.close()
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")
    return rc


if __name__ == "__main__":
    sys.exit(main())
