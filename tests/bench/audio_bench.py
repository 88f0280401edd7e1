#!/usr/bin/env python3
"""Audio benchmark of ttymeet in the test lab (a real Janus in a network namespace, see
tests/lab/lab.py). Prints figures; asserts nothing. Needs root and a built ttymeet.

(a) Join time. One headless client joins AudioBridge room 1234, --runs times (default 10).
    join_ms is the client's own `media` connected event field (from its session start, just
    after the audio devices and codecs are set up, to ICE+DTLS done); "process" is from this
    script's Popen (which includes `ip netns exec`, exec and library loading) to the moment the
    event line arrived here. Medians (and min/max) are printed.

(b) CPU and memory. Client A plays speech (espeak-ng, 22.05 kHz, resampled by the client) and
    receives B's speech for --cpu-seconds (default 60). A's utime+stime come from
    /proc/PID/stat (10 ms ticks), read when A's media is up and again --cpu-seconds later:
    steady state, start-up excluded (printed separately); resident peak is VmHWM from
    /proc/PID/status. The comparison is Opus alone on the same speech: `opusenc --bitrate 24
    --comp 10 --framesize 20` then `opusdec` (48 kHz out), their CPU time from
    getrusage(RUSAGE_CHILDREN). The client does one encode and one decode per 20 ms too, plus
    resampling, ICE, DTLS, SRTP, RTP/RTCP and the jitter buffer; ratio = client / Opus alone.
    Also printed: wake-ups per second (voluntary context switches of all A's threads over the
    same interval; on this VM each costs some 30-50 us of CPU), Rss and Pss at the end, the
    number of shared libraries mapped and the most resident mappings (smaps, kB per file),
    and the same CPU figure with --complexity N for bots (--low-complexity, a second run).
    --against OTHER runs OTHER and the binary under test at the same time in one room (with a
    talker) over one interval: on a busy machine, a fairer before/after than two runs.
    On a shared machine the figures move by some 10 %; run twice if it matters.

(c) Mouth to ear. A plays a WAV made here (48 kHz, so file sample s is frame s // 960 with no
    resampling): a 40 ms tone at the start, then --clicks clicks (5 ms noise bursts at 0.7 of
    full scale, 1.5 s apart, each 2 ms after a 20 ms frame boundary) in digital silence. B
    records. A sniffer in the client namespace (this script with --sniff, AF_PACKET on the
    client's link, kernel timestamps) logs every RTP/RTCP packet the clients send or receive,
    with UDP ports (A's and B's ports come from /proc/PID/fd and /proc/PID/net/udp).
    - Mouth: RTP timestamps advance 960 per frame of A's file from the tone's first packet
      (file frame 0), so the packet of a click's frame is known; with DTX the frames before
      it are not sent or are tiny, and the script warns if it does not stand out in size.
      That frame left A's clock tick at the packet's send time S; a real microphone would
      have delivered it at that tick, so the click's mouth time is S - 20 ms + 2 ms (its
      offset in the frame).
    - Ear: B plays quiet noise (--play, never DTX), so each of B's ticks sends one RTP packet
      and then writes one frame to the recording (media.c: uplink, then downlink); tick k
      since B's media came up carries RTP timestamp ts0 + 960 k, and the sniffer's time of
      that packet is the time of the tick, also after B moved its clock's phase to its
      downlink or ran a tick early with an arriving packet (media.c coalesces them). Which
      recording frame a tick wrote comes from B's first 25 ticks, still on the grid B
      started with (the least late of them): frame 0 was written 20 ms after the grid point
      nearest the recording file's birth (statx btime, ns; only the Opus codec and jitter
      buffer are set up in between, a few ms, so there is no 20 ms ambiguity; the script
      warns when that point is not 0-12 ms after the birth). Recording sample n (frame
      m = n // 960) is heard at the time of the tick that wrote m plus (n % 960) / 48 kHz.
      The click's ear time is where B's recording first reaches 20 % of the click's peak.
    - Split: B's first large downlink packet after the click left A (the mix carrying it;
      packet sizes are clear in SRTP) divides the figure into "to B's link" and "playout".
    - Error bars: kernel timestamps (us); B's frame is written some 0.1-0.3 ms after its
      packet left (one Opus decode); onset detection (~1 ms, codec pre-echo can move it
      earlier). About +-1.5 ms per click in total, on top of the real spread between clicks
      (jitter buffer steering, the 16 kHz mixer's 20 ms cycle). Not included: sound-card
      buffers on either end (a real device adds its own 10-40 ms). A stall of B's clock
      longer than 100 ms (frames skipped) would break the frame <-> tick mapping: the script
      warns when B's clock origin is not just after its recording's birth, and when A's
      clicks leave at other than real-time spacing.

Usage (root, after a build):  tests/bench/audio_bench.py [--ttymeet build/ttymeet]
        [--runs 10] [--cpu-seconds 60] [--low-complexity 5] [--against OTHER_BINARY]
        [--clicks 8] [--only join,cpu,m2e] [--keep DIR]
"""

import argparse
import calendar
import json
import math
import os
import random
import resource
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time

import procstat  # tests/bench/procstat.py, next to this script

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "integration"))

RATE = 48000
FRAME = 960
CLICK_OFFSET = 96  # samples after a frame boundary
CLICK_LEN = 240    # 5 ms
CLICK_SPACING_S = 1.5
CLICK_FIRST_S = 1.5
CLICK_AMP = 0.7 * 32767


# ---- the sniffer (runs in the client namespace: audio_bench.py --sniff IFACE) ---------------

def sniff(iface):
    """Prints one JSON line per RTP/RTCP packet sent or received on iface: t
    (CLOCK_MONOTONIC, from the kernel's timestamp), dir ("out"/"in"), sport, dport, kind, pt,
    ssrc, seq, ts, len. Runs until killed."""
    ETH_P_ALL = 0x0003  # outgoing frames reach only ETH_P_ALL taps
    SO_TIMESTAMPNS = 35
    PACKET_OUTGOING = 4
    PACKET_HOST = 0
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((iface, ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    out = sys.stdout
    out.write('{"ready": true}\n')
    out.flush()
    offset, offset_at = None, 0.0
    while True:
        data, anc, _, addr = s.recvmsg(4096, 64)
        mono_now = time.monotonic()
        if (addr[2] not in (PACKET_OUTGOING, PACKET_HOST) or len(data) < 14 + 20 + 8 + 12
                or data[12:14] != b"\x08\x00"):
            continue
        ihl = (data[14] & 0x0F) * 4
        if data[14 + 9] != 17:
            continue
        u = 14 + ihl
        sport, dport = struct.unpack_from("!HH", data, u)
        p = data[u + 8:]
        if len(p) < 12 or p[0] & 0xC0 != 0x80:
            continue
        t = mono_now
        for level, typ, val in anc:
            if level == socket.SOL_SOCKET and typ == SO_TIMESTAMPNS and len(val) >= 16:
                sec, nsec = struct.unpack_from("qq", val)
                if sec:
                    if offset is None or mono_now - offset_at > 1.0:
                        offset, offset_at = time.time() - time.monotonic(), mono_now
                    t = sec + nsec / 1e9 - offset
        ev = {"t": round(t, 6), "dir": "out" if addr[2] == PACKET_OUTGOING else "in",
              "sport": sport, "dport": dport, "len": len(p)}
        if 192 <= p[1] <= 223:
            ev.update(kind="rtcp", pt=p[1], ssrc=struct.unpack_from("!I", p, 4)[0])
        else:
            seq, ts, ssrc = struct.unpack_from("!HII", p, 2)
            ev.update(kind="rtp", pt=p[1] & 0x7F, seq=seq, ts=ts, ssrc=ssrc)
        out.write(json.dumps(ev) + "\n")
        out.flush()


# ---- helpers ---------------------------------------------------------------------------------

def _imports():
    global harness, lab, T
    import harness  # noqa: F401  (tests/integration/harness.py)
    from harness import lab  # noqa: F401
    import test_audio as T  # noqa: F401  (the audio helpers)


class StampedClient:
    """harness.Client whose events also carry "_arrival" (this process' monotonic time)."""

    @staticmethod
    def make(the_lab, args, name):
        cls = StampedClient.cls()
        p = the_lab.client([harness.ttymeet_path()] + list(args))
        return cls(p, name)

    _cls = None

    @staticmethod
    def cls():
        if StampedClient._cls is None:
            class _C(harness.Client):
                def _read_stdout(self):
                    for raw in self.proc.stdout:
                        now = time.monotonic()
                        line = raw.decode("utf-8", "replace").rstrip("\n")
                        with self._cond:
                            try:
                                ev = json.loads(line)
                            except ValueError:
                                ev = None
                            if isinstance(ev, dict) and isinstance(ev.get("event"), str):
                                ev["_arrival"] = now
                                self._events.append(ev)
                            else:
                                self._bad_lines.append(line)
                            self._cond.notify_all()
                    with self._cond:
                        self._stdout_done = True
                        self._cond.notify_all()
            StampedClient._cls = _C
        return StampedClient._cls


def t0_estimate(client):
    """The client's t = 0 on our monotonic clock: min over events of arrival - t."""
    return min(e["_arrival"] - e["t"] for e in client.events if "_arrival" in e)


def memory_map(pid):
    """Rss, Pss and anonymous kB, the resident kB per mapped file and how many of those are
    shared libraries."""
    res = procstat.rollup_kb(pid)
    res["files"] = procstat.resident_by_file(pid)
    res["libraries"] = sum(1 for n in res["files"] if ".so" in n)
    return res


def birth_time_mono(path):
    """A file's creation time (statx btime, ns) on the monotonic clock."""
    txt = subprocess.run(["stat", "-c", "%w", path], capture_output=True, text=True,
                         check=True).stdout.strip()
    day, clock, zone = txt.split()
    hms, frac = clock.split(".")
    st = time.strptime("%s %s %s" % (day, hms, zone), "%Y-%m-%d %H:%M:%S %z")
    real = calendar.timegm(st) - (int(zone[:3]) * 3600 + int(zone[0] + zone[3:]) * 60) + float(
        "0." + frac)
    return real - (time.time() - time.monotonic())


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def stop(client, timeout=10):
    client.send_signal(signal.SIGTERM)
    try:
        return client.wait_exit(timeout)
    except AssertionError:
        return None


def story_wav(path, seconds):
    """At least `seconds` of espeak-ng speech (the story, repeated if needed)."""
    part = path + ".part.wav"
    T.speech(part, T.STORY, speed=150)
    rate, x = T.read_wav(part)
    os.unlink(part)
    reps = int(math.ceil(seconds * rate / len(x)))
    T.write_wav(path, rate, list(x) * reps)
    return len(x) * reps / rate


# ---- (a) join time ---------------------------------------------------------------------------

def bench_join(L, runs):
    join_ms, proc_ms = [], []
    for i in range(runs):
        t_start = time.monotonic()
        c = StampedClient.make(L, harness.HEADLESS + ["-n", "j%d" % i, L.url, "1234"], "j%d" % i)
        try:
            m = T.media_connected(c, 15)
        except AssertionError as e:
            print("  run %d: no media: %s" % (i, str(e).splitlines()[0]))
            stop(c)
            continue
        join_ms.append(m.get("join_ms", float("nan")))
        proc_ms.append((m["_arrival"] - t_start) * 1000)
        stop(c)
    return join_ms, proc_ms


# ---- (b) CPU and memory ----------------------------------------------------------------------

def opus_alone(wav, tmp):
    """CPU seconds of opusenc + opusdec on wav at the client's settings."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    enc = os.path.join(tmp, "x.opus")
    dec = os.path.join(tmp, "x.dec.wav")
    subprocess.run(["opusenc", "--quiet", "--bitrate", "24", "--comp", "10", "--framesize",
                    "20", wav, enc], check=True)
    mid = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(["opusdec", "--quiet", enc, dec], check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)

    def cpu(a, b):
        return (b.ru_utime - a.ru_utime) + (b.ru_stime - a.ru_stime)
    return cpu(before, mid), cpu(mid, after)


def bench_cpu(L, tmp, seconds, complexity=None):
    wav = os.path.join(tmp, "long.wav")
    if not os.path.exists(wav):
        story_wav(wav, seconds + 15)
    rate, x = T.read_wav(wav)
    length = len(x) / rate
    b = StampedClient.make(L, harness.HEADLESS + ["-n", "bob", "--play", wav, L.url, "1234"],
                           "bob")
    extra = ["--complexity", str(complexity)] if complexity is not None else []
    a = StampedClient.make(L, harness.HEADLESS + ["-n", "alice", "--play", wav] + extra +
                           [L.url, "1234"], "alice")
    res = {}
    try:
        T.media_connected(b, 15)
        T.media_connected(a, 15)
        time.sleep(1.0)
        pid = a.proc.pid
        c0, w0, v0 = procstat.cpu_seconds(pid), time.monotonic(), procstat.wakeups(pid)
        res["startup_cpu_s"] = c0
        time.sleep(seconds)
        c1, w1, v1 = procstat.cpu_seconds(pid), time.monotonic(), procstat.wakeups(pid)
        res["hwm_kb"] = procstat.status_kb(pid, "VmHWM")
        res["mem"] = memory_map(pid)
        res["cpu_s"] = c1 - c0
        res["wall_s"] = w1 - w0
        res["wakeups_per_s"] = (v1 - v0) / (w1 - w0)
        st = a.find("stats")
        res["kbps_out"] = median([e["kbps_out"] for e in st[1:]])
        res["kbps_in"] = median([e["kbps_in"] for e in st[1:]])
        res["source_ended"] = (res["wall_s"] + 1) > length
    finally:
        stop(a)
        stop(b)
    if complexity is not None:
        return res
    # Opus alone on the same amount of speech.
    cut = os.path.join(tmp, "cut.wav")
    T.write_wav(cut, rate, x[:int(rate * res["wall_s"])])
    res["opusenc_s"], res["opusdec_s"] = opus_alone(cut, tmp)
    return res


def bench_against(L, tmp, seconds, binaries):
    """(b) for two binaries at once: both in one room with a talker, measured over the same
    interval, so a busy machine slows both alike. Returns [(path, cpu %, wake-ups/s, VmHWM kB)]."""
    wav = os.path.join(tmp, "long.wav")
    if not os.path.exists(wav):
        story_wav(wav, seconds + 15)
    talker = StampedClient.make(L, harness.HEADLESS + ["-n", "bob", "--play", wav, L.url,
                                                       "1234"], "bob")
    clients = []
    try:
        T.media_connected(talker, 15)
        for i, path in enumerate(binaries):
            p = L.client([path] + harness.HEADLESS + ["-n", "ab%d" % i, "--play", wav, L.url,
                                                      "1234"])
            clients.append(harness.Client(p, "ab%d" % i))
        for c in clients:
            T.media_connected(c, 15)
        time.sleep(1.0)
        pids = [c.proc.pid for c in clients]
        before = [(procstat.cpu_seconds(p), procstat.wakeups(p)) for p in pids]
        w0 = time.monotonic()
        time.sleep(seconds)
        after = [(procstat.cpu_seconds(p), procstat.wakeups(p)) for p in pids]
        wall = time.monotonic() - w0
        return [(path, 100 * (a[0] - b[0]) / wall, (a[1] - b[1]) / wall,
                 procstat.status_kb(p, "VmHWM"))
                for path, p, b, a in zip(binaries, pids, before, after)]
    finally:
        for c in clients:
            stop(c)
        stop(talker)


# ---- (c) mouth to ear ------------------------------------------------------------------------

def click_wav(path, clicks):
    rng = random.Random(1)
    n = int((CLICK_FIRST_S + CLICK_SPACING_S * clicks + 1.0) * RATE)
    x = [0.0] * n
    for i in range(2 * FRAME):  # the sync tone: file frames 0 and 1
        x[i] = 0.3 * 32767 * math.sin(2 * math.pi * 1000 * i / RATE)
    starts = []
    for j in range(clicks):
        s = int(round((CLICK_FIRST_S + CLICK_SPACING_S * j) * RATE / FRAME)) * FRAME
        s += CLICK_OFFSET
        for i in range(CLICK_LEN):
            x[s + i] = rng.uniform(-CLICK_AMP, CLICK_AMP)
        starts.append(s)
    T.write_wav(path, RATE, x)
    return starts


def onset(x, lo, hi):
    """First sample in x[lo:hi] reaching 20 % of that range's peak; (index, peak) or None."""
    lo, hi = max(0, lo), min(len(x), hi)
    if hi <= lo:
        return None
    seg = x[lo:hi]
    peak = max(abs(v) for v in seg)
    if peak < 1000:  # -30 dBFS: nothing there
        return None
    for i, v in enumerate(seg):
        if abs(v) >= 0.2 * peak:
            return lo + i, peak
    return None


def bench_m2e(L, tmp, clicks, extra=()):
    """(c); extra: more ttymeet options for both A and B (vr_bench.py: --room-type)."""
    wav = os.path.join(tmp, "clicks.wav")
    rec = os.path.join(tmp, "b.wav")
    starts = click_wav(wav, clicks)
    file_s = len(T.read_wav(wav)[1]) / RATE
    sn = L.client([sys.executable, os.path.abspath(__file__), "--sniff", "ttm0"],
                  stderr=subprocess.DEVNULL)
    packets = []
    ready = threading.Event()

    def reader():
        for raw in sn.stdout:
            try:
                ev = json.loads(raw)
            except ValueError:
                continue
            if ev.get("ready"):
                ready.set()
            else:
                packets.append(ev)
    threading.Thread(target=reader, daemon=True).start()
    if not ready.wait(10):
        raise RuntimeError("sniffer did not start")
    noise = os.path.join(tmp, "noise.wav")
    rng = random.Random(2)
    T.write_wav(noise, RATE, [rng.uniform(-1000, 1000) for _ in range(RATE)])
    b = StampedClient.make(L, harness.HEADLESS + ["-n", "bob", "--record", rec, "--play", noise,
                                                  "--loop"] + list(extra) + [L.url, "1234"],
                           "bob")
    T.media_connected(b, 15)
    time.sleep(2.0)  # B's clock has settled on the phase of its downlink
    a = StampedClient.make(L, harness.HEADLESS + ["-n", "alice", "--play", wav] + list(extra)
                           + [L.url, "1234"], "alice")
    try:
        T.media_connected(a, 15)
        ports_a, ports_b = procstat.udp_ports(a.proc.pid), procstat.udp_ports(b.proc.pid)
        time.sleep(file_s + 1.5)
        bstats = b.find("stats")
    finally:
        stop(a)
        stop(b)
        time.sleep(0.2)
        sn.kill()
        sn.wait()
    with open(os.path.join(tmp, "packets.json"), "w") as f:
        json.dump({"packets": packets, "ports_a": sorted(ports_a), "ports_b": sorted(ports_b),
                   "b_events": b.events, "a_events": a.events}, f)

    out = {"ports": (sorted(ports_a), sorted(ports_b)), "clicks": [], "warnings": [],
           "jitter_buffer_ms": [e.get("jitter_buffer_ms") for e in bstats]}
    out_pk = [p for p in packets if p["dir"] == "out"]
    rtp_a = [p for p in out_pk if p["kind"] == "rtp" and p["sport"] in ports_a]
    rtp_b = [p for p in out_pk if p["kind"] == "rtp" and p["sport"] in ports_b]
    down_b = [p for p in packets if p["dir"] == "in" and p["kind"] == "rtp"
              and p["dport"] in ports_b]
    quiet = statistics.median([p["len"] for p in down_b]) if down_b else 0
    if not rtp_a or len(rtp_b) < 50:
        out["warnings"].append("sniffer saw %d RTP packets of A, %d of B"
                               % (len(rtp_a), len(rtp_b)))
        return out
    # B's ticks: B plays noise (never DTX), so each tick sends one RTP packet, right before
    # the same tick writes its frame to the recording; tick k since B's media came up has
    # RTP timestamp ts0 + 960 k. Its packets give every tick's time, also after B moved its
    # clock's phase to the arrivals (media.c) or ran a tick early with an arriving packet.
    ts0 = rtp_b[0]["ts"]
    tick_t = {}
    for p in rtp_b:
        tick_t.setdefault(((p["ts"] - ts0) & 0xFFFFFFFF) // FRAME, p["t"])
    # The recording's frame m was written at the tick c + ... : before B first looks at the
    # arrival phases (after 50 packets) its ticks are on the grid it started with, 20 ms
    # after the recording file was created (only the codec and jitter buffer are set up in
    # between, a few ms): the grid from B's first packets, the point nearest the file's
    # birth is the origin O, frame 0 was written at O + 20 ms.
    # Those ticks can be late (a busy loop at start-up) but not early by more than the 1 ms
    # media.c always coalesces: the least late one is on the grid.
    first = sorted(k for k in tick_t if k < 25)
    offs = sorted(tick_t[k] - tick_t[0] - 0.02 * k for k in first)
    grid = tick_t[0] + offs[0]
    out["b_early_tick_lateness_ms"] = (offs[len(offs) // 2] - offs[0]) * 1000  # median
    born = birth_time_mono(rec)
    origin = grid + 0.02 * round((born - grid) / 0.02)
    out["b_born_to_origin_ms"] = (origin - born) * 1000
    c = int(round((grid - origin) / 0.02)) - 1  # recording frame written at uplink tick 0
    if not -2 <= out["b_born_to_origin_ms"] <= 12:
        out["warnings"].append("B's clock origin is %.1f ms after its recording's birth: the "
                               "frame <-> tick mapping may be off by a frame"
                               % out["b_born_to_origin_ms"])
    rate, y = T.read_wav(rec)

    ts0_a = rtp_a[0]["ts"]
    usual = statistics.median([p["len"] for p in rtp_a])
    by_frame = {((p["ts"] - ts0_a) & 0xFFFFFFFF) // FRAME: p for p in rtp_a}
    for j, s in enumerate(starts):
        k = s // FRAME
        pkt = by_frame.get(k)
        item = {"click": j, "frame": k}
        if pkt is None:
            item["error"] = "no RTP packet of A for file frame %d" % k
            out["clicks"].append(item)
            continue
        if pkt["len"] < usual + 15 or (k - 1) in by_frame and by_frame[k - 1]["len"] > usual:
            out["warnings"].append("click %d: frame %d's packet does not stand out (%d bytes, "
                                   "silence %d)" % (j, k, pkt["len"], usual))
        mouth = pkt["t"] - 0.020 + CLICK_OFFSET / RATE
        # The mix carrying the click: B's first big downlink packet after A sent it.
        down = next((p for p in down_b if p["t"] > pkt["t"] and p["len"] > quiet + 15), None)
        # The click reaches B after mouth; look from there on (the early grid is close
        # enough to find the frame).
        n_exp = int((mouth - origin - 0.020) * RATE)
        o = onset(y, n_exp - int(0.05 * RATE), n_exp + int(0.6 * RATE))
        if o is None:
            item["error"] = "click %d not found in B's recording" % j
            out["clicks"].append(item)
            continue
        n, peak = o
        written = tick_t.get(n // FRAME - c)
        if written is None:
            item["error"] = "click %d: no RTP packet of B for its tick" % j
            out["clicks"].append(item)
            continue
        ear = written + (n % FRAME) / RATE
        item.update(mouth_to_ear_ms=(ear - mouth) * 1000, peak_dbfs=T.dbfs(peak / 32768),
                    sent=pkt["t"])
        if down is not None and down["t"] - pkt["t"] < 0.5:
            item.update(to_b_ms=(down["t"] - mouth) * 1000, playout_ms=(ear - down["t"]) * 1000)
        out["clicks"].append(item)
    sent = [c["sent"] for c in out["clicks"] if "sent" in c]
    if len(sent) >= 2:
        speed = ((starts[-1] - starts[0]) / RATE) / (sent[-1] - sent[0])
        out["a_playback_speed"] = speed
        if abs(speed - 1) > 0.02:
            out["warnings"].append("A played its file at %.2fx real time (the clicks left %.2f s "
                                   "apart, not %.2f s)" % (speed, (sent[-1] - sent[0]),
                                                            (starts[-1] - starts[0]) / RATE))
    return out


# ---- main ------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description="ttymeet audio benchmark (prints figures)")
    ap.add_argument("--ttymeet", help="binary (default: $TTYMEET or build/ttymeet)")
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--cpu-seconds", type=float, default=60.0)
    ap.add_argument("--clicks", type=int, default=8)
    ap.add_argument("--low-complexity", type=int, default=5, metavar="N",
                    help="also measure the CPU at --complexity N (-1: skip)")
    ap.add_argument("--against", metavar="PATH",
                    help="cpu: also run PATH and the binary under test side by side")
    ap.add_argument("--only", default="join,cpu,m2e")
    ap.add_argument("--keep", metavar="DIR", help="keep the WAV files in DIR")
    ap.add_argument("--sniff", metavar="IFACE", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.sniff:
        try:
            sniff(args.sniff)
        except (KeyboardInterrupt, BrokenPipeError):
            pass
        return 0
    if args.ttymeet:
        os.environ["TTYMEET"] = os.path.abspath(args.ttymeet)
    _imports()
    if os.geteuid() != 0:
        print("audio_bench.py: needs root (network namespaces)", file=sys.stderr)
        return 2
    for tool in ("espeak-ng", "opusenc", "opusdec"):
        if not shutil.which(tool):
            print("audio_bench.py: %s is missing (scripts/deps.sh)" % tool, file=sys.stderr)
            return 2
    path = harness.ttymeet_path()
    only = set(args.only.split(","))
    tmp = tempfile.mkdtemp(prefix="ttm-bench-")
    rows = []
    print("ttymeet: %s" % path)
    try:
        if "join" in only:
            with lab.Lab() as L:
                j, p = bench_join(L, args.runs)
            rows.append(("join: process start -> media connected (join_ms), median",
                         "%.0f ms" % median(j), "<= 500 ms",
                         "min %.0f max %.0f, n=%d" % (min(j or [0]), max(j or [0]), len(j))))
            rows.append(("join: Popen -> media event arrived, median", "%.0f ms" % median(p),
                         "", "min %.0f max %.0f" % (min(p or [0]), max(p or [0]))))
        if "cpu" in only:
            with lab.Lab() as L:
                c = bench_cpu(L, tmp, args.cpu_seconds)
            pct = 100 * c["cpu_s"] / c["wall_s"]
            opus = c["opusenc_s"] + c["opusdec_s"]
            opus_pct = 100 * opus / c["wall_s"]
            rows.append(("cpu: one participant send+receive, steady", "%.2f %%" % pct, "<= 3 %",
                         "%.2f s CPU in %.1f s; start-up %.2f s CPU" % (
                             c["cpu_s"], c["wall_s"], c["startup_cpu_s"])))
            rows.append(("cpu: opusenc+opusdec, same speech", "%.2f %%" % opus_pct, "",
                         "enc %.2f s + dec %.2f s" % (c["opusenc_s"], c["opusdec_s"])))
            rows.append(("cpu: ratio client / Opus alone",
                         "%.2f" % (c["cpu_s"] / opus if opus else float("nan")), "<= 1.5", ""))
            rows.append(("cpu: wake-ups (all threads)", "%.0f /s" % c["wakeups_per_s"], "",
                         "voluntary context switches"))
            rows.append(("memory: VmHWM", "%.1f MB" % (c["hwm_kb"] / 1024), "<= 20 MB",
                         "kbps out %.1f in %.1f" % (c["kbps_out"], c["kbps_in"])))
            mem = c["mem"]
            rows.append(("memory: Rss / Pss at the end", "%.1f MB" % (mem["rss"] / 1024), "",
                         "Pss %.1f MB, anonymous %.1f MB, %d shared libraries mapped" % (
                             mem["pss"] / 1024, mem["anonymous"] / 1024, mem["libraries"])))
            top = sorted(mem["files"].items(), key=lambda kv: -kv[1])[:8]
            print("memory: most resident mappings (kB): %s" % ", ".join(
                "%s %d" % kv for kv in top))
            if args.against:
                with lab.Lab() as L:
                    ab = bench_against(L, tmp, args.cpu_seconds,
                                       [os.path.abspath(args.against), path])
                for p, pct, wk, hwm in ab:
                    rows.append(("cpu: side by side, %s" % os.path.basename(p), "%.2f %%" % pct,
                                 "", "%.0f wake-ups/s, VmHWM %.1f MB" % (wk, hwm / 1024)))
            if args.low_complexity >= 0:
                with lab.Lab() as L:
                    lo = bench_cpu(L, tmp, args.cpu_seconds, args.low_complexity)
                rows.append(("cpu: same with --complexity %d (bots)" % args.low_complexity,
                             "%.2f %%" % (100 * lo["cpu_s"] / lo["wall_s"]), "",
                             "%.2f s CPU in %.1f s, %.0f wake-ups/s, VmHWM %.1f MB" % (
                                 lo["cpu_s"], lo["wall_s"], lo["wakeups_per_s"],
                                 lo["hwm_kb"] / 1024)))
        if "m2e" in only:
            with lab.Lab() as L:
                m = bench_m2e(L, tmp, args.clicks)
            vals = [x["mouth_to_ear_ms"] for x in m["clicks"] if "mouth_to_ear_ms" in x]
            for x in m["clicks"]:
                if "error" in x:
                    print("m2e: %s" % x["error"])
            rows.append(("mouth-to-ear (lab link, AudioBridge), median",
                         "%.1f ms" % median(vals), "<= 150 ms",
                         "min %.1f max %.1f, %d/%d clicks" % (
                             min(vals or [0]), max(vals or [0]), len(vals), len(m["clicks"]))))
            print("m2e per click (ms): %s" % ", ".join("%.1f" % v for v in vals))
            split = [(x["to_b_ms"], x["playout_ms"]) for x in m["clicks"] if "to_b_ms" in x]
            if split:
                print("m2e split, median: mouth -> B's link (capture frame, A's tick, network, "
                      "Janus) %.1f ms; B's link -> ear (jitter buffer, decode, tick) %.1f ms"
                      % (median([s[0] for s in split]), median([s[1] for s in split])))
            print("m2e: B's origin %.1f ms after its file's birth; its first ticks late by "
                  "%.1f ms (median); B's jitter buffer %s ms, A's playback speed %s"
                  % (m.get("b_born_to_origin_ms", float("nan")),
                     m.get("b_early_tick_lateness_ms", float("nan")), m["jitter_buffer_ms"],
                     "%.3fx" % m["a_playback_speed"] if "a_playback_speed" in m else "?"))
            for w in m["warnings"]:
                print("m2e WARNING: %s" % w)
    finally:
        if args.keep:
            os.makedirs(args.keep, exist_ok=True)
            for f in os.listdir(tmp):
                shutil.copy(os.path.join(tmp, f), args.keep)
        shutil.rmtree(tmp, ignore_errors=True)
    w = max(len(r[0]) for r in rows) if rows else 10
    print()
    print("%-*s  %10s  %10s  %s" % (w, "figure", "measured", "target", "notes"))
    for r in rows:
        print("%-*s  %10s  %10s  %s" % (w, r[0], r[1], r[2], r[3]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
