#!/usr/bin/env python3
"""Userspace L2 forwarder with delay, jitter and loss: the lab's stand-in for netem.

Data flow: runs in the lab's "router" namespace. Two AF_PACKET sockets, one bound to each of
the router's links (side A faces the client, side B the server), receive every frame that
arrives on that link (the links are promiscuous; frames the router itself sends are ignored).
Each frame is dropped with probability loss, else scheduled for release on the other link at
arrival + delay + a random offset (uniform in [-jitter, +jitter], or normal with sigma =
jitter clamped to +-2 sigma; a negative total is clamped to 0) and sent there at that time.
Without --keep-order frames of one direction may overtake each other when their random
offsets differ by more than their spacing (netem's behaviour with jitter); with it, a frame
never leaves before the one received before it in the same direction (its release time is
max(own, previous)). Order can also be kept in one direction only (keep_order "ab" or "ba").
Both directions otherwise use the same settings, each with its own random draws.

Scheduling: the forwarder asks for SCHED_FIFO (priority 10; root in the lab) so that other
processes on a busy machine do not delay its releases: at normal priority, on 2 shared cores,
frames were seen held 110-280 ms with 40 +- 30 ms configured (3 of 5 runs of integ_audio's
impaired-link test), stalls no setting asked for. Without the privilege it runs as it is
(the ready line says "realtime": false).

The sockets use PACKET_VNET_HDR: the kernel hands over each frame with its virtio-net header
(checksum-offload and GSO metadata of veth traffic) and that header goes out unchanged with the
frame, so TCP segments larger than the MTU and frames whose checksum the sender left to
"hardware" cross the router as they would cross a bridge (no ethtool needed).

Control: one JSON object per line on stdin, one JSON reply per line on stdout:
  {"cmd": "set", "delay_ms": D, "jitter_ms": J, "loss_pct": L, "keep_order": bool|"ab"|"ba",
   "dist": "uniform"|"normal"}        (fields may be omitted: unchanged) -> {"ok": true, ...}
  {"cmd": "stats"} -> {"ok": true, "ab": {...}, "ba": {...}} per direction: frames received,
                      sent, dropped (loss), errors, reordered (sent before an earlier one),
                      delay_min_ms/delay_max_ms/delay_sum_ms over sent frames (measured
                      arrival to send, so they include this program's own lateness);
                      "realtime": whether it got SCHED_FIFO.
EOF on stdin or SIGTERM stops it; queued frames are discarded. After the sockets are bound it
prints {"ready": true, "realtime": bool} once. Single-threaded: select() on both sockets and
stdin with a timeout until the next release; timing error is the scheduler's (typically well
under 1 ms; see Scheduling above for a contended CPU).

Usage: forwarder.py IFACE_A IFACE_B [--delay-ms D] [--jitter-ms J] [--loss-pct L]
                    [--keep-order] [--dist uniform|normal] [--seed N]
"""

import argparse
import heapq
import json
import os
import random
import select
import signal
import socket
import sys
import time

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_ADD_MEMBERSHIP = 1
PACKET_MR_PROMISC = 1
PACKET_VNET_HDR = 15
PACKET_IGNORE_OUTGOING = 23
PACKET_OUTGOING = 4
VNET_HDR_LEN = 10
MAX_FRAME = 65536 + VNET_HDR_LEN + 64


class Direction:
    """One way through the router: counters and the release time of its last frame."""

    def __init__(self, name):
        self.name = name
        self.last_release = 0.0
        self.last_seq_sent = -1
        self.keep_order = False
        self.received = self.sent = self.dropped = self.errors = self.reordered = 0
        self.delay_min = self.delay_max = None
        self.delay_sum = 0.0

    def stats(self):
        return {"received": self.received, "sent": self.sent, "dropped": self.dropped,
                "errors": self.errors, "reordered": self.reordered,
                "delay_min_ms": None if self.delay_min is None else round(self.delay_min, 3),
                "delay_max_ms": None if self.delay_max is None else round(self.delay_max, 3),
                "delay_sum_ms": round(self.delay_sum, 3)}


class Forwarder:
    def __init__(self, iface_a, iface_b, seed=None):
        self.rng = random.Random(seed)
        self.delay = 0.0
        self.jitter = 0.0
        self.loss = 0.0
        self.keep_order = False
        self.dist = "uniform"
        self.realtime = False
        self.socks = [self._open(iface_a), self._open(iface_b)]
        self.dirs = [Direction("ab"), Direction("ba")]
        self.queue = []  # (release, seq, out index, dir index, arrival, frame)
        self.seq = 0

    @staticmethod
    def _open(iface):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.setsockopt(SOL_PACKET, PACKET_VNET_HDR, 1)
        try:
            s.setsockopt(SOL_PACKET, PACKET_IGNORE_OUTGOING, 1)
        except OSError:
            pass  # older kernels: outgoing frames are filtered by pkttype below
        s.bind((iface, ETH_P_ALL))
        ifindex = socket.if_nametoindex(iface)
        mreq = ifindex.to_bytes(4, sys.byteorder) + PACKET_MR_PROMISC.to_bytes(2, sys.byteorder)
        s.setsockopt(SOL_PACKET, PACKET_ADD_MEMBERSHIP, mreq + bytes(10))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
        s.setblocking(False)
        return s

    def configure(self, cfg):
        """Applies a "set" command; raises ValueError on a bad value."""
        d = float(cfg.get("delay_ms", self.delay * 1000)) / 1000
        j = float(cfg.get("jitter_ms", self.jitter * 1000)) / 1000
        loss = float(cfg.get("loss_pct", self.loss * 100)) / 100
        dist = cfg.get("dist", self.dist)
        if not (0 <= d <= 10 and 0 <= j <= 10 and 0 <= loss <= 1):
            raise ValueError("delay/jitter must be 0..10000 ms, loss 0..100 %")
        if dist not in ("uniform", "normal"):
            raise ValueError("dist must be uniform or normal")
        self.delay, self.jitter, self.loss, self.dist = d, j, loss, dist
        keep = cfg.get("keep_order", self.keep_order)
        if keep not in (True, False, "ab", "ba"):
            raise ValueError("keep_order must be true, false, \"ab\" or \"ba\"")
        self.keep_order = keep
        for d in self.dirs:
            d.keep_order = keep is True or keep == d.name
        return self.settings()

    def settings(self):
        return {"delay_ms": self.delay * 1000, "jitter_ms": self.jitter * 1000,
                "loss_pct": self.loss * 100, "keep_order": self.keep_order, "dist": self.dist}

    def _offset(self):
        if self.jitter <= 0:
            return 0.0
        if self.dist == "normal":
            return max(-2 * self.jitter, min(2 * self.jitter, self.rng.gauss(0, self.jitter)))
        return self.rng.uniform(-self.jitter, self.jitter)

    def _receive(self, idx):
        """Drains socket idx into the queue."""
        d = self.dirs[idx]
        sock = self.socks[idx]
        while True:
            try:
                data, addr = sock.recvfrom(MAX_FRAME)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                d.errors += 1
                return
            if addr[2] == PACKET_OUTGOING or len(data) <= VNET_HDR_LEN:
                continue
            now = time.monotonic()
            d.received += 1
            if self.loss > 0 and self.rng.random() < self.loss:
                d.dropped += 1
                continue
            release = now + max(0.0, self.delay + self._offset())
            if d.keep_order:
                release = max(release, d.last_release)
            d.last_release = max(d.last_release, release)
            heapq.heappush(self.queue, (release, self.seq, 1 - idx, idx, now, data))
            self.seq += 1

    def _release_due(self):
        now = time.monotonic()
        while self.queue and self.queue[0][0] <= now:
            _, seq, out, di, arrival, data = heapq.heappop(self.queue)
            d = self.dirs[di]
            try:
                self.socks[out].send(data)
            except OSError:
                d.errors += 1
                continue
            d.sent += 1
            if seq < d.last_seq_sent:
                d.reordered += 1
            d.last_seq_sent = max(d.last_seq_sent, seq)
            ms = (time.monotonic() - arrival) * 1000
            d.delay_min = ms if d.delay_min is None else min(d.delay_min, ms)
            d.delay_max = ms if d.delay_max is None else max(d.delay_max, ms)
            d.delay_sum += ms

    def _command(self, line):
        try:
            req = json.loads(line)
            if not isinstance(req, dict):
                raise ValueError("not an object")
            if req.get("cmd") == "set":
                return dict(ok=True, **self.configure(req))
            if req.get("cmd") == "stats":
                return {"ok": True, "ab": self.dirs[0].stats(), "ba": self.dirs[1].stats(),
                        "queued": len(self.queue), "realtime": self.realtime}
            raise ValueError("unknown command")
        except (ValueError, TypeError) as e:
            return {"ok": False, "error": str(e)}

    def run(self, ctl):
        """Forwards until EOF on ctl (a text stream) or a signal."""
        ctl_fd = ctl.fileno()
        os.set_blocking(ctl_fd, False)
        pending = b""
        fds = [self.socks[0], self.socks[1], ctl_fd]
        while True:
            timeout = None
            if self.queue:
                timeout = max(0.0, self.queue[0][0] - time.monotonic())
            ready, _, _ = select.select(fds, [], [], timeout)
            for r in ready:
                if r is ctl_fd:
                    chunk = os.read(ctl_fd, 65536)
                    if not chunk:
                        return
                    pending += chunk
                    while b"\n" in pending:
                        line, pending = pending.split(b"\n", 1)
                        if line.strip():
                            out = self._command(line.decode("utf-8", "replace"))
                            sys.stdout.write(json.dumps(out) + "\n")
                            sys.stdout.flush()
                else:
                    self._receive(0 if r is self.socks[0] else 1)
            self._release_due()


def main(argv=None):
    ap = argparse.ArgumentParser(prog="forwarder.py", description=__doc__.split("\n")[0])
    ap.add_argument("iface_a")
    ap.add_argument("iface_b")
    ap.add_argument("--delay-ms", type=float, default=0.0)
    ap.add_argument("--jitter-ms", type=float, default=0.0)
    ap.add_argument("--loss-pct", type=float, default=0.0)
    ap.add_argument("--keep-order", action="store_true")
    ap.add_argument("--dist", choices=("uniform", "normal"), default="uniform")
    ap.add_argument("--seed", type=int)
    args = ap.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda s, f: sys.exit(0))
    fw = Forwarder(args.iface_a, args.iface_b, args.seed)
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(10))
        fw.realtime = True
    except (OSError, AttributeError):
        pass
    fw.configure({"delay_ms": args.delay_ms, "jitter_ms": args.jitter_ms,
                  "loss_pct": args.loss_pct, "keep_order": args.keep_order, "dist": args.dist})
    sys.stdout.write(json.dumps({"ready": True, "realtime": fw.realtime}) + "\n")
    sys.stdout.flush()
    try:
        fw.run(sys.stdin)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
