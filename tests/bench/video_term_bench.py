#!/usr/bin/env python3
"""Video preview figures of issue 6 in one run: terminal output of ttymeet's video pane against
mpv --vo=tct / --vo=caca playing the same test pattern, the subscriber's video downlink and the
receiver's decode+render CPU. Prints tables and ratios; asserts nothing about the figures (it
exits 1 only when a run could not be made at all, e.g. mpv missing).

Parts (--only mpv,tui,cpu picks some):

mpv   The clip: tests/bench/tp2y4m.c, compiled here with cc against src/testpattern.c (the very
      function the publisher draws with), writes the pattern as Y4M, 320x180, 10 fps, 40 s
      (played with --loop-file=inf, so any window fits). mpv (--no-config --no-audio
      --really-quiet: no status line, only the picture) runs in a pseudo-terminal made here
      (openpty, TIOCSWINSZ, TERM=xterm-256color, no DISPLAY); this script drains the master
      all the time and counts what mpv writes in a window of --seconds after --mpv-warmup.
      Variants at 80x24: --vo=tct (truecolor half blocks, mpv's default), --vo=tct with
      --vo-tct-256=yes, --vo=tct --vo-tct-algo=plain, --vo=caca (libcaca over ncurses, which
      sends only changed cells). Then tct and caca again in ptys the size of ttymeet's picture
      area at 80x24 and at the --big terminal, for a per-cell comparison. mpv plays the clip at
      its own 10 fps (no frame-rate cap; ttymeet's pane is capped at 5 fps).
tui   A lab (tests/lab/lab.py). Publisher "pattern" (headless --video-source testpattern, no
      microphone sound: the AudioBridge is idle) stays for the whole part. For each case a
      fresh TUI client B (--accept-privacy, no sound card) runs in a pty made here like mpv's,
      in the lab's client namespace. Once the roster shows the publisher and (video cases) the
      picture has appeared in the output ('@' of the ASCII ramp; a 256-colour SGR or a half
      block in colour modes), it waits --settle s and counts the bytes of the next --seconds.
      Cases: 80x24 ascii (default: 5 fps, 16 KB/s budget), 80x24 256, the same two with the
      pane in full window ("/video full" typed once the picture shows; the window starts
      --settle s later), 80x24 --no-video, and the same five at the --big size (the pane is a
      quarter of the width, shaped to the 16:9 pattern: 50x14 picture cells at 200x50; full
      window 200x46). Video bytes = case minus the --no-video case of the same size (the rest
      of the UI: clock, status bar); the report says whether each stays within the budget.
      Then Ctrl-C; B must exit 0.
cpu   Two headless receivers join at the same time, so both see the same machine load:
      "with" (--video --video-size 80x24: subscribe, depacketize, decode at 10 fps, render
      and emit video-frame events at 5 fps) and "without" (no --video). After --settle s
      (and the first frame), utime+stime from /proc/PID/stat over --seconds; the difference is
      the cost of video. Downlink: mean video_kbps_in of "with"'s stats events in the window
      (RTP payload rate as the client counts it), and the bytes on the wire: a packet counter
      in the client namespace (this script with --count-udp, AF_PACKET on ttm0) sums the IP
      lengths (IP+UDP headers, SRTP, RTCP, RTX, STUN) of packets arriving at each receiver's UDP
      ports (/proc/PID/fd matched in /proc/PID/net/udp); "with" minus "without" is the video.
      The publisher's CPU (encode 10 fps) is shown too.

Every window also shows the whole machine's busy share (/proc/stat, both cores, including
this run's own processes) and the load average: the machine is shared, run it twice.

Usage (root, after a build):
  sudo bash scripts/bench-deps.sh      # mpv (once)
  sudo tests/bench/video_term_bench.py --ttymeet build/ttymeet [--seconds 30] [--only mpv,tui,cpu]
"""

import argparse
import fcntl
import json
import os
import select
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import termios
import time

import procstat  # tests/bench/procstat.py, next to this script

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ROOM = "1234"
PUBLISHER = "pattern"
TARGET_TERM = 16384       # bytes/s, video pane at 80x24, 5 fps, ASCII
TARGET_RATIO = 10         # ttymeet at least 10x less than mpv
TARGET_KBPS = 200         # downlink of the subscribed low layer
TARGET_CPU = 5.0          # % of one core, decode + render at 5 fps
# mpv variants: at 80x24, and in ptys the size of ttymeet's picture areas. "5fps": mpv's
# frame rate brought to ttymeet's cap with the lavfi fps filter, for a per-frame comparison.
MPV_WHOLE = [("tct", ["--vo=tct"]), ("tct 256", ["--vo=tct", "--vo-tct-256=yes"]),
             ("tct plain", ["--vo=tct", "--vo-tct-algo=plain"]), ("caca", ["--vo=caca"]),
             ("tct 5fps", ["--vo=tct", "--vf=fps=5"]), ("caca 5fps", ["--vo=caca", "--vf=fps=5"])]
MPV_PANE = [("tct", ["--vo=tct"]), ("caca", ["--vo=caca"]),
            ("caca 5fps", ["--vo=caca", "--vf=fps=5"])]
MPV_QUIT_SIGNAL = 4       # mpv's exit status after SIGTERM
COLOUR_MARKS = (b"48;5;", b"38;5;", b"\xe2\x96\x80", b"\xe2\x96\x84")


# ---- packet counter (runs in the client namespace: video_term_bench.py --count-udp IFACE) ----

def count_udp(iface):
    """Sums the IP length of every IPv4 UDP packet arriving on iface, per destination port.
    Prints {"ready": true}, then on each stdin line the totals so far as one JSON object
    {port: bytes}; exits when stdin closes."""
    eth_p_all = 0x0003
    packet_host = 0
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(eth_p_all))
    s.bind((iface, eth_p_all))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    totals = {}
    print('{"ready": true}', flush=True)
    while True:
        r, _, _ = select.select([s, sys.stdin], [], [])
        if s in r:
            data, addr = s.recvfrom(65536)
            if (addr[2] == packet_host and len(data) >= 14 + 20 + 8
                    and data[12:14] == b"\x08\x00" and data[14 + 9] == 17):
                ihl = (data[14] & 0x0F) * 4
                iplen = struct.unpack_from("!H", data, 16)[0]
                dport = struct.unpack_from("!H", data, 14 + ihl + 2)[0]
                totals[dport] = totals.get(dport, 0) + iplen
        if sys.stdin in r:
            if not sys.stdin.readline():
                return
            print(json.dumps(totals), flush=True)


# ---- processes, load -------------------------------------------------------------------------

class Window:
    """Wall time, the machine's busy share and optionally processes' CPU over one window."""

    def __init__(self, pids=()):
        self.pids = list(pids)
        self.t0 = time.monotonic()
        self.m0 = procstat.machine_ticks()
        self.c0 = {p: procstat.cpu_seconds(p) for p in self.pids}

    def close(self):
        self.secs = time.monotonic() - self.t0
        m1 = procstat.machine_ticks()
        self.busy_pct = 100.0 * (m1[0] - self.m0[0]) / max(1, m1[1] - self.m0[1])
        self.cpu_pct = {p: 100.0 * (procstat.cpu_seconds(p) - self.c0[p]) / self.secs
                        for p in self.pids}
        self.load = open("/proc/loadavg").read().split()[0]
        return self


# ---- a program in a pseudo-terminal ----------------------------------------------------------

def term_env():
    env = dict(os.environ, TERM="xterm-256color", LANG="C.UTF-8")
    for k in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "NO_COLOR", "DISPLAY", "WAYLAND_DISPLAY",
              "COLUMNS", "LINES"):
        env.pop(k, None)
    return env


class Pty:
    """cmd in a new pseudo-terminal of cols x rows; the caller drains it with read()."""

    def __init__(self, cmd, cols, rows):
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave,
                                     env=term_env(), start_new_session=True,
                                     preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
        os.close(slave)
        self.seen = bytearray()   # everything before the window (for the readiness checks)
        self.eof = False

    def read(self, seconds, keep=True, until=None):
        """Drains the master for up to `seconds` (or until until(self.seen) holds); returns
        the number of bytes read."""
        total = 0
        deadline = time.monotonic() + seconds
        while not self.eof:
            if until and until(self.seen):
                break
            left = deadline - time.monotonic()
            if left <= 0:
                break
            r, _, _ = select.select([self.master], [], [], min(left, 0.2))
            if not r:
                continue
            try:
                data = os.read(self.master, 65536)
            except OSError:  # EIO: the child closed the terminal
                data = b""
            if not data:
                self.eof = True
                break
            total += len(data)
            if keep:
                self.seen += data
        return total

    def stop(self, first, grace):
        """Sends `first` (bytes to type, or a signal number), keeps draining, SIGKILLs after
        grace seconds. Returns the exit status (negative: signal) or "killed"."""
        if isinstance(first, bytes):
            os.write(self.master, first)
        else:
            os.killpg(self.proc.pid, first)
        deadline = time.monotonic() + grace
        rc = None
        while time.monotonic() < deadline:
            self.read(0.2, keep=False)
            rc = self.proc.poll()
            if rc is not None:
                break
        if rc is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)
            rc = "killed"
        os.close(self.master)
        return rc


# ---- mpv -------------------------------------------------------------------------------------

def make_clip(tmp):
    exe = os.path.join(tmp, "tp2y4m")
    subprocess.run(["cc", "-std=c11", "-O2", "-I", ROOT, os.path.join(HERE, "tp2y4m.c"),
                    os.path.join(ROOT, "src", "testpattern.c"), "-o", exe], check=True)
    clip = os.path.join(tmp, "testpattern.y4m")
    with open(clip, "wb") as f:
        subprocess.run([exe, "320", "180", "10", "40"], stdout=f, check=True)
    return clip


def mpv_run(clip, vo, cols, rows, warmup, seconds):
    p = Pty(["mpv", "--no-config", "--no-audio", "--really-quiet", "--loop-file=inf",
             "--no-input-default-bindings"] + vo + [clip], cols, rows)
    p.read(warmup)
    start = len(p.seen)
    if p.eof:
        return {"error": "mpv exited: %r" % bytes(p.seen[-300:])}
    w = Window([p.proc.pid])
    n = p.read(seconds, keep=False)
    w.close()
    rc = p.stop(signal.SIGTERM, 3)
    return {"bytes": n, "secs": w.secs, "rate": n / w.secs, "cpu": w.cpu_pct[p.proc.pid],
            "busy": w.busy_pct, "load": w.load, "startup": start,
            "rc": 0 if rc == MPV_QUIT_SIGNAL else rc}


# ---- ttymeet ---------------------------------------------------------------------------------

PIC_ASPECT = 320 / 180    # the test pattern's shape: the TUI sizes its pane to it
SIZES = {"normal": b"", "full": b"/video full\r"}  # pane size: what is typed to get it


def pane_size(cols, rows, size="normal"):
    """The TUI's picture area (columns, rows) at a terminal size for the test pattern, by
    ui/layout.c's rule: normal, the right column a quarter of the width (at least 18, leaving
    the chat 40) and the picture's rows for it (3..half the middle rows with the pane's title
    row); full window, every column and the middle rows less the pane's title row."""
    mid = rows - 3
    if size == "full":
        return cols, mid - 1
    side = min(max(cols // 4, 18), cols - 41)
    video_h = min(max(int(side / (2 * PIC_ASPECT)) + 1, 3), mid // 2)
    return side, video_h - 1


def tui_run(L, ttymeet, cols, rows, extra, settle, seconds, name, keys=b""):
    cmd = ["ip", "netns", "exec", L.client_ns, ttymeet, "--accept-privacy", "-n", name]
    p = Pty(cmd + extra + [L.url, ROOM], cols, rows)
    res = {}
    p.read(20, until=lambda s: PUBLISHER.encode() in s)
    if PUBLISHER.encode() not in p.seen:
        res["warning"] = "the roster never showed the publisher"
    if "--no-video" not in extra:
        colour = "--video-color" in extra
        after = len(p.seen)

        def shows(s):
            tail = bytes(s[after:])
            return any(m in tail for m in COLOUR_MARKS) if colour else b"@" in tail
        p.read(20, until=shows)
        if not shows(p.seen):
            res["warning"] = "no picture seen in the output within 20 s"
        if keys:  # another pane size: typed once the picture shows, the window after settle
            os.write(p.master, keys)
    p.read(settle)
    res["startup"] = len(p.seen)
    w = Window([p.proc.pid])
    n = p.read(seconds, keep=False)
    w.close()
    res.update(bytes=n, secs=w.secs, rate=n / w.secs, cpu=w.cpu_pct[p.proc.pid],
               busy=w.busy_pct, load=w.load)
    res["rc"] = p.stop(b"\x03", 10)
    if p.eof and res["rc"] not in (0,):
        res.setdefault("warning", "the TUI ended early")
    return res


def video_fields(stats):
    """The video_* fields of the last of some stats events."""
    return {k: v for k, v in (stats[-1] if stats else {}).items() if k.startswith("video")}


def cpu_run(L, harness, ttymeet, publisher, settle, seconds):
    """Headless receivers with and without --video, side by side; CPU and downlink."""
    counter = L.client([sys.executable, os.path.abspath(__file__), "--count-udp", "ttm0"],
                       stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def totals():
        counter.stdin.write(b"\n")
        counter.stdin.flush()
        return {int(k): v for k, v in json.loads(counter.stdout.readline()).items()}
    if json.loads(counter.stdout.readline()).get("ready") is not True:
        raise RuntimeError("packet counter did not start")
    base = harness.HEADLESS
    rx_on = harness.start_client(L, base + ["-n", "rx-video", "--video", "--video-size",
                                            "80x24", L.url, ROOM], "rx-video")
    rx_off = harness.start_client(L, base + ["-n", "rx-plain", L.url, ROOM], "rx-plain")
    rx_on.wait_event("video-frame", 20)
    rx_off.wait_event("joined", 20)
    time.sleep(settle)
    ports_on, ports_off = procstat.udp_ports(rx_on.proc.pid), procstat.udp_ports(rx_off.proc.pid)
    n0 = len(rx_on.events)
    b0 = totals()
    w = Window([rx_on.proc.pid, rx_off.proc.pid, publisher.proc.pid])
    time.sleep(seconds)
    w.close()
    b1 = totals()
    ev = rx_on.events[n0:]
    pub_stats = [e for e in publisher.events if e.get("event") == "stats"]
    for c in (rx_on, rx_off):
        c.send_signal(signal.SIGINT)
    rcs = [c.wait_exit(15) for c in (rx_on, rx_off)]
    counter.stdin.close()
    counter.wait(5)

    def wire(ports):
        return sum(b1.get(p, 0) - b0.get(p, 0) for p in ports) * 8 / 1000 / w.secs
    stats = [e for e in ev if e.get("event") == "stats"]
    kbps = [e["video_kbps_in"] for e in stats if "video_kbps_in" in e]
    fps = [e["video_fps_in"] for e in stats if "video_fps_in" in e]
    frames = [e for e in ev if e.get("event") == "video-frame"]
    return {"secs": w.secs, "busy": w.busy_pct, "load": w.load,
            "cpu_on": w.cpu_pct[rx_on.proc.pid], "cpu_off": w.cpu_pct[rx_off.proc.pid],
            "cpu_pub": w.cpu_pct[publisher.proc.pid],
            "kbps_stats": sum(kbps) / len(kbps) if kbps else None,
            "kbps_stats_max": max(kbps) if kbps else None,
            "fps_in": sum(fps) / len(fps) if fps else None,
            "frames_out": len(frames) / w.secs,
            "wire_on": wire(ports_on), "wire_off": wire(ports_off),
            "ports_on": len(ports_on), "ports_off": len(ports_off), "rcs": rcs,
            "pub_video": video_fields(pub_stats), "rx_video": video_fields(stats)}


# ---- report ----------------------------------------------------------------------------------

def fmt_rate(r):
    return "%9.0f" % r if r is not None else "%9s" % "-"


def line(label, size, r):
    if "error" in r:
        print("  %-34s %-7s %s" % (label, size, r["error"]))
        return
    print("  %-34s %-7s %s %9.1f %6.1f %6.1f %5s %s" % (
        label, size, fmt_rate(r["rate"]), r["rate"] / 1024, r["cpu"], r["busy"], r["load"],
        "" if r.get("rc") in (0, None) else "exit %s" % r["rc"])
          + ("  WARNING: " + r["warning"] if r.get("warning") else ""), flush=True)


def header(title):
    print(title)
    print("  %-34s %-7s %9s %9s %6s %6s %5s" % ("what", "pty", "bytes/s", "KB/s", "cpu %",
                                                 "busy %", "load"), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ttymeet", default=os.environ.get("TTYMEET")
                    or os.path.join(ROOT, "build", "ttymeet"))
    ap.add_argument("--seconds", type=float, default=30.0, help="each measurement window")
    ap.add_argument("--mpv-warmup", type=float, default=3.0)
    ap.add_argument("--settle", type=float, default=3.0,
                    help="wait after the picture shows (tui) / the first frame (cpu)")
    ap.add_argument("--big", default="200x50", help="the larger TUI terminal, COLSxROWS")
    ap.add_argument("--only", default="mpv,tui,cpu")
    ap.add_argument("--count-udp", metavar="IFACE", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.count_udp:
        count_udp(args.count_udp)
        return 0
    parts = set(args.only.split(","))
    big = tuple(int(x) for x in args.big.lower().split("x"))
    ttymeet = os.path.abspath(args.ttymeet)
    sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
    os.environ["TTYMEET"] = ttymeet
    import harness
    harness.require_root()
    if "mpv" in parts and not shutil.which("mpv"):
        sys.exit("mpv not found: sudo bash scripts/bench-deps.sh")
    if parts & {"tui", "cpu"} and not os.access(ttymeet, os.X_OK):
        sys.exit("ttymeet not found at %s" % ttymeet)

    small = (80, 24)
    pane_s, pane_b = pane_size(*small), pane_size(*big)
    sz = lambda c: "%dx%d" % c  # noqa: E731
    print("video terminal bench: windows of %.0f s; %s; %d CPUs; load %s at start"
          % (args.seconds, time.strftime("%Y-%m-%d %H:%M:%S"), os.cpu_count(),
             open("/proc/loadavg").read().split()[0]), flush=True)
    print("ttymeet's picture area: %s at 80x24, %s at %s (ui/layout.c)\n"
          % (sz(pane_s), sz(pane_b), sz(big)), flush=True)
    mpv, tui, cpu = {}, {}, None
    tmp = tempfile.mkdtemp(prefix="ttm-vterm-")
    try:
        if "mpv" in parts:
            clip = make_clip(tmp)
            header("mpv playing the test pattern clip (Y4M 320x180, 10 fps), bytes to the pty")
            runs = [(label, vo, size) for label, vo in MPV_WHOLE for size in [small]]
            runs += [(label, vo, size) for label, vo in MPV_PANE for size in (pane_s, pane_b)]
            for label, vo, size in runs:
                r = mpv_run(clip, vo, size[0], size[1], args.mpv_warmup, args.seconds)
                mpv[(label, size)] = r
                line("mpv " + " ".join(vo), sz(size), r)
            print()
        if parts & {"tui", "cpu"}:
            from harness import lab
            with lab.Lab() as L:
                pub = harness.start_client(L, harness.HEADLESS + [
                    "-n", PUBLISHER, "--video-source", "testpattern", L.url, ROOM], PUBLISHER)
                pub.wait_event(lambda e: e.get("event") == "media" and e.get("kind") == "video"
                               and e.get("state") == "connected", 20)
                if "tui" in parts:
                    header("ttymeet TUI receiving the pattern, bytes to the pty "
                           "(--video-fps 5, --video-budget 16384 by default)")
                    cases = [("ascii", [], "normal"), ("256", ["--video-color", "256"], "normal"),
                             ("ascii", [], "full"), ("256", ["--video-color", "256"], "full"),
                             ("no-video", ["--no-video"], "normal")]
                    for size in (small, big):
                        for label, extra, pane in cases:
                            r = tui_run(L, ttymeet, size[0], size[1], extra, args.settle,
                                        args.seconds, "viewer%d" % len(tui), SIZES[pane])
                            tui[(label, size, pane)] = r
                            line("ttymeet " + (" ".join(extra) or "(ascii)")
                                 + ("" if pane == "normal" else " /video " + pane), sz(size), r)
                    print()
                if "cpu" in parts:
                    cpu = cpu_run(L, harness, ttymeet, pub, args.settle, args.seconds)
                pub.send_signal(signal.SIGINT)
                pub.wait_exit(15)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    report(args, mpv, tui, cpu, small, big, pane_s, pane_b)
    return 0


def report(args, mpv, tui, cpu, small, big, pane_s, pane_b):
    sz = lambda c: "%dx%d" % c  # noqa: E731
    if tui:
        print("ttymeet video bytes/s (case minus --no-video of the same size):")
        video = {}
        for size in (small, big):
            base = tui.get(("no-video", size, "normal"))
            for pane in SIZES:
                area = pane_size(size[0], size[1], pane)
                for mode in ("ascii", "256"):
                    r = tui.get((mode, size, pane))
                    if not r or not base or "rate" not in r:
                        continue
                    v = r["rate"] - base["rate"]
                    video[(mode, size, pane)] = v
                    cells = area[0] * area[1]
                    print("  %-6s %-7s %-6s pane %-7s %7.0f B/s (%5.1f KB/s), %5.1f B/s per "
                          "cell, budget %d: %s" % (mode, sz(size), pane, sz(area), v, v / 1024,
                                                   v / cells, TARGET_TERM,
                                                   "held" if v <= TARGET_TERM else "EXCEEDED"))
        a = tui.get(("ascii", small, "normal"))
        if a and "rate" in a:
            print("  target: 80x24 5 fps ASCII <= %d B/s: whole TUI %.0f, video part %.0f -> %s"
                  % (TARGET_TERM, a["rate"], video.get(("ascii", small, "normal"), float("nan")),
                     "met" if a["rate"] <= TARGET_TERM else "NOT met"))
        print()
        if mpv:
            print("ratios mpv / ttymeet (ttymeet = whole TUI; in brackets: video part only):")
            for mode in ("ascii", "256"):
                for size, pane in ((small, small), (small, pane_s), (big, pane_b)):
                    t = tui.get((mode, size, "normal"))
                    if not t or "rate" not in t:
                        continue
                    v = video.get((mode, size, "normal"))
                    for label, _ in MPV_WHOLE:
                        m = mpv.get((label, pane))
                        if not m or "rate" not in m:
                            continue
                        print("  ttymeet %-5s %-6s vs mpv %-9s at %-6s: %7.1fx  [%s]" % (
                            mode, sz(size), label, sz(pane), m["rate"] / max(t["rate"], 1),
                            "%.1fx" % (m["rate"] / v) if v and v > 0 else "-"))
            print("  target: >= %dx less than mpv at the same terminal size" % TARGET_RATIO)
            print()
    if cpu:
        print("receiver CPU and downlink (headless, %.0f s window, machine busy %.0f %%, load %s):"
              % (cpu["secs"], cpu["busy"], cpu["load"]))
        print("  CPU with --video (80x24 grid):   %5.2f %% of one core" % cpu["cpu_on"])
        print("  CPU without --video:            %5.2f %%" % cpu["cpu_off"])
        d = cpu["cpu_on"] - cpu["cpu_off"]
        print("  video cost (difference):        %5.2f %%  target <= %.0f %% -> %s"
              % (d, TARGET_CPU, "met" if d <= TARGET_CPU else "NOT met"))
        print("  publisher CPU (encode 10 fps):  %5.2f %%" % cpu["cpu_pub"])
        if cpu["kbps_stats"] is not None:
            print("  video_kbps_in (stats): mean %.1f, max %.1f kbit/s; video_fps_in %.1f; "
                  "video-frame events %.2f/s" % (cpu["kbps_stats"], cpu["kbps_stats_max"],
                                                 cpu["fps_in"] or 0, cpu["frames_out"]))
        print("  publisher's last stats: %s" % json.dumps(cpu["pub_video"]))
        print("  receiver's last stats:  %s" % json.dumps(cpu["rx_video"]))
        wd = cpu["wire_on"] - cpu["wire_off"]
        print("  on the wire (IP bytes in): with %.1f kbit/s (%d ports), without %.1f (%d ports)"
              % (cpu["wire_on"], cpu["ports_on"], cpu["wire_off"], cpu["ports_off"]))
        print("  video downlink on the wire:     %5.1f kbit/s  target <= %d -> %s"
              % (wd, TARGET_KBPS, "met" if wd <= TARGET_KBPS else "NOT met"))
        if any(rc != 0 for rc in cpu["rcs"]):
            print("  WARNING: receivers exited %s" % cpu["rcs"])


if __name__ == "__main__":
    sys.exit(main())
