#!/usr/bin/env python3
"""A Jitsi deployment's web front for ttymeet's tests: /config.js and /xmpp-websocket on one
port, as nginx serves them in front of prosody.

Usage: config_proxy.py --host ADDR --upstream HOST:PORT --config FILE [--hold 3]
Listens on ADDR (a free port; prints "PORT <n>" first). A request for /xmpp-websocket... is
passed, head and all, to the upstream (prosody's HTTP port) and piped both ways; one for
/config.js is answered with FILE's text, but held until a WebSocket request has arrived on
another connection since the last config.js was answered, or --hold seconds have passed. One JSON line on stdout per event:
  {"event":"websocket","n":N}                      the Nth WebSocket request
  {"event":"websocket-closed","n":N}               its client side ended
  {"event":"config","websockets_before":K}         config.js answered; K WebSocket requests
                                                   had arrived by then
Run it in a network namespace the test created (`ip netns exec`), never on another address.
Python 3 standard library only.
"""

import argparse
import json
import socket
import sys
import threading

_lock = threading.Lock()


def emit_locked(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def emit(obj):
    with _lock:
        emit_locked(obj)


def read_head(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk or len(data) > 65536:
            return None
        data += chunk
    return data


def pipe(src, dst):
    try:
        while True:
            chunk = src.recv(65536)
            if not chunk:
                break
            dst.sendall(chunk)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", required=True)
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--hold", type=float, default=3.0)
    a = ap.parse_args()
    up_host, up_port = a.upstream.rsplit(":", 1)
    state = {"ws": 0, "answered": 0}  # WebSocket requests so far; by the last config.js
    news = threading.Condition(_lock)

    def serve(c):
        head = read_head(c)
        if head is None:
            c.close()
            return
        path = head.split(b" ", 2)[1] if head.count(b" ") >= 2 else b""
        if path.startswith(b"/xmpp-websocket"):
            with news:  # said before a held config.js can be answered
                state["ws"] += 1
                n = state["ws"]
                emit_locked({"event": "websocket", "n": n})
                news.notify_all()
            u = socket.create_connection((up_host, int(up_port)))
            u.sendall(head)
            threading.Thread(target=pipe, args=(u, c), daemon=True).start()
            pipe(c, u)
            emit({"event": "websocket-closed", "n": n})
        elif path.startswith(b"/config.js"):
            # (one run after another: the request of this run, not an earlier one's)
            with news:
                news.wait_for(lambda: state["ws"] > state["answered"], a.hold)
                k = state["answered"] = state["ws"]
            with open(a.config, "rb") as f:  # read now: the test writes it after our PORT
                body = f.read()
            c.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: application/javascript\r\n"
                      b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
            emit({"event": "config", "websockets_before": k})
            c.close()
        else:
            c.sendall(b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            c.close()

    ls = socket.socket(socket.AF_INET6 if ":" in a.host else socket.AF_INET)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((a.host, 0))
    ls.listen(16)
    print("PORT %d" % ls.getsockname()[1], flush=True)
    while True:
        c, _ = ls.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()


if __name__ == "__main__":
    main()
