#!/usr/bin/env python3
"""Forged packets against a live meeting with the lab's real Janus. Someone on the path who
holds no keys sprays both clients' ICE sockets with packets that claim to come from Janus's own
ICE ports (raw IPv4 with the source address and port spoofed): forged DTLS records of every
type, epoch and length (among them the 30-byte epoch-1 record that OpenSSL 3.0.19 turns into a
fatal internal_error), forged fatal alerts in clear and in epoch 1, and forged RTP and RTCP
(BYE) packets. The meeting must not notice: no media failure, no reconnect, speech still
arrives, and chat (SCTP inside the very DTLS association that was attacked) still works."""

import re
import subprocess
import sys
import time

import harness
from harness import HEADLESS, lab, start_client
from test_audio import STORY, Workdir, exit_ok, media_connected, speech

SPRAY = r"""
import random, socket, struct, sys, time
src, dst = sys.argv[1], sys.argv[2]
pairs = [tuple(map(int, p.split(":"))) for p in sys.argv[3:]]
rng = random.Random(1207)

def record(ctype, epoch, body, version=0xfefd, seq=None):
    seq = rng.randrange(1 << 16) if seq is None else seq
    return (struct.pack("!BHH", ctype, version, epoch) + seq.to_bytes(6, "big")
            + struct.pack("!H", len(body)) + body)

def packets():
    out = [record(20, 1, bytes(rng.randrange(256) for _ in range(17)))]  # the 3.0.19 one
    for desc in (0, 10, 20, 40, 42, 48, 80):
        out.append(record(21, 0, bytes([2, desc])))
        out.append(record(21, 1, bytes([2, desc]) + bytes(rng.randrange(256) for _ in range(24))))
    for _ in range(150):
        n = rng.choice((0, 1, 7, 17, 23, 24, 25, 40, 100, 300, 1100))
        out.append(record(rng.choice((20, 21, 22, 23)), rng.choice((0, 1, 1, 2)),
                          bytes(rng.randrange(256) for _ in range(n))))
    for _ in range(40):  # RTP (Opus and video payload types) and RTCP, no valid tag
        pt = rng.choice((111, 96, 100, 200, 201, 203))
        body = bytes(rng.randrange(256) for _ in range(rng.choice((12, 40, 160))))
        out.append(bytes([0x80, pt]) + body)
    return out

def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload  # no checksum

def ip4(payload):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0, 64, 17, 0,
                      socket.inet_aton(src), socket.inet_aton(dst))
    return hdr + payload  # the kernel fills in the id and the checksum

s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
sent = 0
for rnd in range(3):
    for sport, dport in pairs:
        for p in packets():
            s.sendto(ip4(udp(sport, dport, p)), (dst, 0))
            sent += 1
    time.sleep(0.5)
print(sent)
"""


def udp_ports(ns, proc_name, lo=1, hi=65535):
    out = subprocess.run(["ip", "netns", "exec", ns, "ss", "-u", "-a", "-n", "-p"],
                         capture_output=True, text=True, check=True).stdout
    ports = set()
    for line in out.splitlines():
        if '"%s"' % proc_name not in line:
            continue
        m = re.search(r"\s(\S+):(\d+)\s+\S+:\*", line)
        if m and lo <= int(m.group(2)) <= hi:
            ports.add(int(m.group(2)))
    return sorted(ports)


def stats_after(client, t):
    return [e for e in client.find("stats") if e["t"] > t]


def test_forged_packets_do_not_end_the_meeting():
    with Workdir() as wd, lab.Lab() as L:
        src = wd("story.wav")
        assert speech(src, STORY) > 20
        b = start_client(L, HEADLESS + ["-n", "bob", "--duration", "26", L.url, "1234"], "bob")
        media_connected(b)
        a = start_client(L, HEADLESS + ["-n", "alice", "--play", src, "--duration", "24",
                                        L.url, "1234"], "alice")
        media_connected(a)
        for c in (a, b):
            c.wait_event(lambda e: e.get("event") == "media" and e.get("kind") == "chat"
                         and e.get("state") == "connected", 10)
        for c in (a, b):  # a clean meeting refuses nothing
            st = c.wait_event(lambda e: e["event"] == "stats", 10)
            assert st["rejected_in"] == 0, st
        janus_ports = udp_ports(L.server_ns, "janus", 40000, 40999)
        client_ports = udp_ports(L.client_ns, "ttymeet")
        assert janus_ports and len(client_ports) >= 4, (janus_ports, client_ports)
        pairs = ["%d:%d" % (j, c) for j in janus_ports for c in client_ports]
        t_spray = max(a.elapsed(), b.elapsed())
        r = subprocess.run(["ip", "netns", "exec", L.server_ns, sys.executable, "-c", SPRAY,
                            L.server_addr, L.client_addr] + pairs,
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        print("  sprayed %s forged packets over %d port pairs" % (r.stdout.strip(), len(pairs)))
        time.sleep(1.0)
        a.write_stdin("still here after the spray\n")
        b.wait_event(lambda e: e.get("event") == "chat"
                     and e.get("text") == "still here after the spray", 10)
        b.wait_event(lambda e: e["event"] == "stats" and e["t"] > t_spray + 6, 15)
        for c in (a, b):
            bad = c.find(lambda e: e["event"] in ("reconnecting", "error")
                         or (e["event"] == "media" and e.get("state") == "failed"))
            assert not bad, "the forged packets hurt %s: %s\n%s" % (c.name, bad, c.describe())
        # The forged packets did reach both clients' audio connections, and were refused there.
        for c in (a, b):
            last = c.find("stats")[-1]
            assert last["rejected_in"] > 100, "%s: %s" % (c.name, last)
        late = stats_after(b, t_spray + 2)
        assert late and all(e["kbps_in"] > 10 for e in late), b.describe()
        assert any(e.get("audio_in") is True for e in late), b.describe()
        exit_ok(a, 30)
        exit_ok(b, 30)


if __name__ == "__main__":
    harness.require_root()
    harness.run()
