"""Minimal RFC 6455 WebSocket client for the test lab (Python 3 stdlib only).

Used by janusctl.py to talk to Janus from inside the client namespace: opening handshake with a
subprotocol (Janus wants `janus-protocol`), masked client frames, text/binary messages,
reassembly of fragmented messages, automatic pong replies to pings, close handshake.
Only ws:// is supported (the lab never uses TLS). One thread per connection; not thread-safe.
"""

import base64
import hashlib
import os
import socket
import struct
import urllib.parse

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA

MAX_MESSAGE = 64 * 1024 * 1024


class WSError(Exception):
    """Protocol violation, failed handshake or a closed connection."""


class WSClosed(WSError):
    """The peer closed the connection (close frame or EOF); .code/.reason when known."""

    def __init__(self, code=None, reason=""):
        super().__init__("connection closed (code %s%s)" % (code, ": " + reason if reason else ""))
        self.code = code
        self.reason = reason


def accept_key(key):
    """Sec-WebSocket-Accept value for a Sec-WebSocket-Key (RFC 6455 section 4.2.2)."""
    digest = hashlib.sha1((key + GUID).encode("ascii")).digest()
    return base64.b64encode(digest).decode("ascii")


def encode_frame(opcode, payload, fin=True, mask=True):
    """One frame; masked with a random key when mask is true (client to server)."""
    head = bytearray([(0x80 if fin else 0) | opcode])
    n = len(payload)
    mbit = 0x80 if mask else 0
    if n < 126:
        head.append(mbit | n)
    elif n < 65536:
        head.append(mbit | 126)
        head += struct.pack("!H", n)
    else:
        head.append(mbit | 127)
        head += struct.pack("!Q", n)
    if not mask:
        return bytes(head) + payload
    key = os.urandom(4)
    head += key
    return bytes(head) + apply_mask(payload, key)


def apply_mask(data, key):
    """XOR data with the 4-byte masking key (its own inverse)."""
    if not data:
        return b""
    n = len(data)
    k = int.from_bytes((key * (n // 4 + 1))[:n], "big")
    return (int.from_bytes(data, "big") ^ k).to_bytes(n, "big")


class FrameReader:
    """Reads frames from a socket with an internal buffer; recv_exact honours the socket timeout."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = bytearray()

    def recv_exact(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(max(65536, n - len(self.buf)))
            if not chunk:
                raise WSClosed(None, "EOF")
            self.buf += chunk
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def read_frame(self, max_len=MAX_MESSAGE):
        """Returns (fin, opcode, payload, masked)."""
        b0, b1 = self.recv_exact(2)
        if b0 & 0x70:
            raise WSError("reserved bits set")
        fin, opcode = bool(b0 & 0x80), b0 & 0x0F
        masked, n = bool(b1 & 0x80), b1 & 0x7F
        if n == 126:
            (n,) = struct.unpack("!H", self.recv_exact(2))
        elif n == 127:
            (n,) = struct.unpack("!Q", self.recv_exact(8))
        if n > max_len:
            raise WSError("frame of %d bytes exceeds the limit" % n)
        key = self.recv_exact(4) if masked else None
        payload = self.recv_exact(n)
        if key:
            payload = apply_mask(payload, key)
        return fin, opcode, payload, masked


class WebSocket:
    """A connected client WebSocket. recv() returns (opcode, payload) for whole messages."""

    def __init__(self, url, subprotocol="janus-protocol", timeout=10.0, extra_headers=None):
        u = urllib.parse.urlsplit(url)
        if u.scheme != "ws":
            raise WSError("only ws:// URLs are supported, got %r" % url)
        host = u.hostname
        port = u.port or 80
        path = u.path or "/"
        if u.query:
            path += "?" + u.query
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.reader = FrameReader(self.sock)
        self.subprotocol = None
        self.closed = False
        key = base64.b64encode(os.urandom(16)).decode("ascii")
        hostport = host if port == 80 else "%s:%d" % (host, port)
        lines = [
            "GET %s HTTP/1.1" % path,
            "Host: %s" % hostport,
            "Upgrade: websocket",
            "Connection: Upgrade",
            "Sec-WebSocket-Key: %s" % key,
            "Sec-WebSocket-Version: 13",
        ]
        if subprotocol:
            lines.append("Sec-WebSocket-Protocol: %s" % subprotocol)
        for k, v in (extra_headers or {}).items():
            lines.append("%s: %s" % (k, v))
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("ascii"))
        status, headers = self._read_http_head()
        if not status.startswith("HTTP/1.1 101"):
            raise WSError("handshake refused: %s" % status)
        if headers.get("upgrade", "").lower() != "websocket":
            raise WSError("handshake: missing Upgrade: websocket")
        if headers.get("sec-websocket-accept") != accept_key(key):
            raise WSError("handshake: bad Sec-WebSocket-Accept")
        proto = headers.get("sec-websocket-protocol")
        if subprotocol and proto != subprotocol:
            raise WSError("handshake: server chose subprotocol %r, wanted %r"
                          % (proto, subprotocol))
        self.subprotocol = proto

    def _read_http_head(self):
        while b"\r\n\r\n" not in self.reader.buf:
            if len(self.reader.buf) > 65536:
                raise WSError("handshake: response head too long")
            chunk = self.sock.recv(4096)
            if not chunk:
                raise WSError("handshake: connection closed before the response")
            self.reader.buf += chunk
        end = self.reader.buf.index(b"\r\n\r\n")
        head = bytes(self.reader.buf[:end]).decode("latin-1")
        del self.reader.buf[: end + 4]
        lines = head.split("\r\n")
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        return lines[0], headers

    def settimeout(self, t):
        self.sock.settimeout(t)

    def send(self, data, fragment_size=None):
        """Sends a text (str) or binary (bytes) message, split into fragments if asked."""
        if isinstance(data, str):
            opcode, payload = OP_TEXT, data.encode("utf-8")
        else:
            opcode, payload = OP_BINARY, bytes(data)
        if not fragment_size or len(payload) <= fragment_size:
            self.sock.sendall(encode_frame(opcode, payload))
            return
        chunks = [payload[i:i + fragment_size] for i in range(0, len(payload), fragment_size)]
        for i, c in enumerate(chunks):
            op = opcode if i == 0 else OP_CONT
            self.sock.sendall(encode_frame(op, c, fin=(i == len(chunks) - 1)))

    def ping(self, payload=b""):
        self.sock.sendall(encode_frame(OP_PING, payload))

    def recv(self):
        """Next whole data message as (opcode, bytes); answers pings; raises WSClosed on close."""
        opcode = None
        parts = []
        total = 0
        while True:
            fin, op, payload, masked = self.reader.read_frame()
            if masked:
                raise WSError("server frame is masked")
            if op >= 0x8:
                if not fin or len(payload) > 125:
                    raise WSError("bad control frame")
                if op == OP_PING:
                    self.sock.sendall(encode_frame(OP_PONG, payload))
                elif op == OP_CLOSE:
                    code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                    reason = payload[2:].decode("utf-8", "replace")
                    self._close_reply(payload[:2])
                    raise WSClosed(code, reason)
                elif op != OP_PONG:
                    raise WSError("unknown control opcode %d" % op)
                continue
            if op == OP_CONT:
                if opcode is None:
                    raise WSError("continuation without a first frame")
            elif op in (OP_TEXT, OP_BINARY):
                if opcode is not None:
                    raise WSError("new message inside a fragmented one")
                opcode = op
            else:
                raise WSError("unknown data opcode %d" % op)
            parts.append(payload)
            total += len(payload)
            if total > MAX_MESSAGE:
                raise WSError("message too long")
            if fin:
                return opcode, b"".join(parts)

    def recv_text(self):
        """Next text message as str; a binary message is an error."""
        op, data = self.recv()
        if op != OP_TEXT:
            raise WSError("unexpected binary message")
        return data.decode("utf-8")

    def _close_reply(self, code_bytes):
        if self.closed:
            return
        self.closed = True
        try:
            self.sock.sendall(encode_frame(OP_CLOSE, code_bytes))
        except OSError:
            pass

    def close(self, code=1000, reason=""):
        """Close handshake (bounded by the socket timeout), then the TCP connection."""
        if not self.closed:
            self.closed = True
            try:
                self.sock.sendall(encode_frame(OP_CLOSE, struct.pack("!H", code) + reason.encode()))
                self.sock.settimeout(2.0)
                while True:
                    _, op, _, _ = self.reader.read_frame()
                    if op == OP_CLOSE:
                        break
            except (OSError, WSError):
                pass
        try:
            self.sock.close()
        except OSError:
            pass
