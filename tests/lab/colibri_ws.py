#!/usr/bin/env python3
"""A stand-in Jitsi videobridge bridge channel (colibri-ws) for ttymeet's tests.

Usage: colibri_ws.py [--host 127.0.0.1] [--port 0] [--version V]
Listens on host:port (port 0: a free one) and prints "PORT <n>" as the first line of stdout.
host: loopback, or the address of a network namespace the test created (run it there with
`ip netns exec`, as lab.py runs focus.py), never another address. Like the bridge, it takes WebSocket connections on /colibri-ws/<server>/<conf>/
<endpoint>?pwd=<pwd> (any path here: the test checks what it was), without a subprotocol,
and greets each with {"colibriClass":"ServerHello","version":V}.

Everything that happens is one JSON line on stdout:
  {"event":"connect","n":N,"path":"/colibri-ws/...","protocol":null|"..."}
  {"event":"recv","n":N,"msg":<the client's message, parsed; or "text" if not JSON>}
  {"event":"closed","n":N}
Commands, one JSON line each on stdin, act on the latest connection:
  {"send": <object>}       sends it as one text message
  {"send_text": "..."}     sends the text as is (malformed input on purpose)
  {"close": 1001}          close frame with that code, then the TCP connection ends
  {"drop": true}           the TCP connection ends without a close frame
The messages it may send are the bridge's (jitsi-videobridge BridgeChannelMessage.kt):
DominantSpeakerEndpointChangeEvent, EndpointConnectivityStatusChangeEvent, ForwardedSources...
Python 3 standard library only; one thread per connection.
"""

import argparse
import base64
import hashlib
import json
import os
import socket
import struct
import sys
import threading

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MAX_IN = 1 << 20

_out_lock = threading.Lock()


def emit(obj):
    with _out_lock:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()


def frame(opcode, payload):
    head = bytearray([0x80 | opcode])
    n = len(payload)
    if n < 126:
        head.append(n)
    elif n < 65536:
        head.append(126)
        head += struct.pack("!H", n)
    else:
        head.append(127)
        head += struct.pack("!Q", n)
    return bytes(head) + payload


class Conn:
    def __init__(self, sock, n, version):
        self.sock = sock
        self.n = n
        self.version = version
        self.buf = b""
        self.lock = threading.Lock()
        self.closed = False

    def _read(self, k):
        while len(self.buf) < k:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk
        out, self.buf = self.buf[:k], self.buf[k:]
        return out

    def handshake(self):
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(4096)
            if not chunk or len(self.buf) > 16384:
                raise EOFError
            self.buf += chunk
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        path = lines[0].split(" ")[1]
        hdr = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            hdr[k.strip().lower()] = v.strip()
        key = hdr.get("sec-websocket-key", "")
        acc = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
        # the bridge names no subprotocol in its answer
        self.sock.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                           "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n" % acc).encode())
        emit({"event": "connect", "n": self.n, "path": path,
              "protocol": hdr.get("sec-websocket-protocol")})

    def send_raw(self, opcode, payload):
        with self.lock:
            if not self.closed:
                self.sock.sendall(frame(opcode, payload))

    def send_text(self, text):
        self.send_raw(0x1, text.encode())

    def shut(self, code=None):
        with self.lock:
            if self.closed:
                return
            if code is not None:
                try:
                    self.sock.sendall(frame(0x8, struct.pack("!H", code)))
                except OSError:
                    pass
            self.closed = True
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def serve(self):
        try:
            self.handshake()
            hello = {"colibriClass": "ServerHello"}
            if self.version:
                hello["version"] = self.version
            self.send_text(json.dumps(hello))
            msg = b""
            while True:
                b0, b1 = self._read(2)
                op, fin = b0 & 0x0F, b0 & 0x80
                n = b1 & 0x7F
                if n == 126:
                    n = struct.unpack("!H", self._read(2))[0]
                elif n == 127:
                    n = struct.unpack("!Q", self._read(8))[0]
                if n > MAX_IN:
                    break
                mask = self._read(4) if b1 & 0x80 else b"\0\0\0\0"
                data = bytes(c ^ mask[i % 4] for i, c in enumerate(self._read(n)))
                if op == 0x8:
                    self.shut(1000)
                    break
                if op == 0x9:
                    self.send_raw(0xA, data)
                    continue
                if op in (0x0, 0x1, 0x2):
                    msg += data
                    if not fin:
                        continue
                    text = msg.decode("utf-8", "replace")
                    msg = b""
                    try:
                        parsed = json.loads(text)
                    except ValueError:
                        parsed = text
                    emit({"event": "recv", "n": self.n, "msg": parsed})
        except (EOFError, OSError, IndexError):
            pass
        finally:
            self.shut()
            self.sock.close()
            emit({"event": "closed", "n": self.n})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--version", default="standin-1")
    a = ap.parse_args()
    ls = socket.socket(socket.AF_INET6 if ":" in a.host else socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((a.host, a.port))
    ls.listen(8)
    print("PORT %d" % ls.getsockname()[1], flush=True)
    state = {"conn": None, "n": 0}

    def accept_loop():
        while True:
            s, _ = ls.accept()
            state["n"] += 1
            c = Conn(s, state["n"], a.version)
            state["conn"] = c
            threading.Thread(target=c.serve, daemon=True).start()

    threading.Thread(target=accept_loop, daemon=True).start()
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        cmd = json.loads(line)
        c = state["conn"]
        if c is None:
            emit({"event": "error", "why": "no connection"})
            continue
        try:
            if "send" in cmd:
                c.send_text(json.dumps(cmd["send"]))
            elif "send_text" in cmd:
                c.send_text(cmd["send_text"])
            elif "close" in cmd:
                c.shut(int(cmd["close"]))
            elif "drop" in cmd:
                c.shut()
        except OSError as e:
            emit({"event": "error", "why": str(e)})
    os._exit(0)


if __name__ == "__main__":
    main()
