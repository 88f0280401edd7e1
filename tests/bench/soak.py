#!/usr/bin/env python3
"""Reliability figures of ttymeet in the lab (issue 12): a long call, an outage, heavy loss.
Prints figures and PASS/MISS per goal; a missed goal is a result, not a failure: the exit code
is 0 whenever the run itself worked, 1 when it broke (a client died, media never came up, the
lab failed), 2 for a bad command line or a missing tool. Needs root and a built ttymeet.

Who is in the room (tests/lab/lab.py: a real Janus in one network namespace, both clients in
another; AudioBridge, VideoRoom and TextRoom room 1234):
  - speaker   --play SPEECH --loop (espeak-ng, the story of tests/integration/test_audio.py),
              --video-source testpattern (VP8 to the VideoRoom), and one chat line every 5 s
              (written to its standard input, which headless mode sends as chat);
  - listener  --mute --video (the ASCII preview: video-frame events, counted) --record REC.wav
              (what it hears, 48 kHz mono: the audio figures below are read from it).

Phases (flags choose them; none, or --all, runs all three in this order in one call):
  soak     MINUTES (default 30) of the call as it is. Figures, per client:
           - RSS growth: VmRSS (/proc/PID/status) one minute into the phase and at its end
             (sampled every 5 s; the growth of anonymous memory from smaps_rollup and a
             least-squares slope over the phase are shown too). Goal: < 1 MB.
           - jitter buffer delay drift: the `jitter_buffer_ms` of the client's stats events
             (every 5 s: the playout delay over the fastest recent packet, audio/jitter.c),
             median per minute. Two drift figures, each against the goal (within +-20 ms):
             the change of a least-squares line through all values over the phase (a delay
             that creeps), and the largest distance of a later minute's median from the first
             minute's (an excursion, e.g. while the machine is overloaded: arrivals bunch up,
             the buffer grows at once by concealing frames and shrinks again at 20 ms/s).
             The listener is the one that matters: the speaker hears the AudioBridge mix of a
             muted listener, i.e. silence.
           - concealment: growth of the stats' `concealed` counter over the phase / 50 frames
             per second; FEC-recovered frames the same way.
           - CPU: utime+stime over the phase in % of one core (procstat.py); Janus and the
             rest of the machine beside them: the machine is shared, so these move with
             whatever else runs on it.
           - reconnects: `reconnecting` events and `joined` events after the first. Goal: 0.
  outage   All traffic between the clients and the server dropped for --outage-s (10) s:
           Lab.cut(): every packet dropped on arrival at both ends of the link (TCP of the
           WebSocket included), so both sides keep sending as over a real broken path. Then --observe-s (20) s.
           - resume: from the moment the drop rule is gone to the first non-silent frame the
             listener writes to its recording. Goal: <= 3 s.
           - no rejoin: no `reconnecting`, second `joined`, `error` or failed `media` event of
             either client from the outage start to the end of the observation.
  loss     --loss-pct (20) % random loss each way for --loss-s (30) s (the same nftables
           table with `numgen random`), after a --loss-s window on the clean link as baseline.
           - stall: the longest run of silent frames in the listener's recording during the
             loss (the same figure for the clean window and for the speech file itself,
             whose pauses set the floor). Goal: no gap longer than 1 s.
           - concealment and measured loss: from the listener's stats events inside the
             window.

How audio is timed: the recording grows by one 20 ms frame (1920 bytes) per media tick
(src/media.c writes every tick, silence included), and stdio writes it out in 4 KB blocks; a
thread here samples the file size every 20 ms, so the moment each frame was written is known
to about 40 ms. A frame is silent when its RMS is at most -55 dBov (the client's own
threshold, SILENT_DBOV in src/media.c).

Usage (root, after a build):
    tests/bench/soak.py [MINUTES] [--all | --soak --outage --loss] [--ttymeet build/ttymeet]
        [--outage-s 10] [--observe-s 20] [--loss-pct 20] [--loss-s 30] [--extra ARGS]
        [--keep DIR]
"""

import argparse
import array
import bisect
import json
import math
import os
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import browser_bench as B  # noqa: E402  (the lab and harness imports, CpuMeter, the speech WAV)
import procstat  # noqa: E402

FRAME_BYTES = 960 * 2          # one 20 ms frame of the 48 kHz mono 16-bit recording
SILENT_RMS = 10 ** (-55 / 20)  # -55 dBov, as SILENT_DBOV in src/media.c
CHAT_EVERY_S = 5.0
WARMUP_S = 10.0
GOAL_RSS_MB = 1.0
GOAL_DRIFT_MS = 20.0
GOAL_RESUME_S = 3.0
GOAL_GAP_S = 1.0


class Broke(Exception):
    """The run itself failed: a client died, media did not come up, the lab failed."""


# ---- clients ---------------------------------------------------------------------------------

def client_class():
    """harness.Client whose events carry "_arrival" (our monotonic clock) and which keeps only
    the arrival times of video-frame events (a 30-minute preview would hold 9000 pictures)."""
    class SoakClient(B.harness.Client):
        def __init__(self, popen, name):
            self.frames = []
            super().__init__(popen, name)

        def _read_stdout(self):
            for raw in self.proc.stdout:
                now = time.monotonic()
                line = raw.decode("utf-8", "replace").rstrip("\n")
                try:
                    ev = json.loads(line)
                except ValueError:
                    ev = None
                with self._cond:
                    if isinstance(ev, dict) and ev.get("event") == "video-frame":
                        self.frames.append(now)
                    elif isinstance(ev, dict) and isinstance(ev.get("event"), str):
                        ev["_arrival"] = now
                        self._events.append(ev)
                    else:
                        self._bad_lines.append(line)
                    self._cond.notify_all()
            with self._cond:
                self._stdout_done = True
                self._cond.notify_all()
    return SoakClient


def events_between(c, name, t_lo, t_hi):
    return [e for e in c.events if e["event"] == name and t_lo <= e["_arrival"] <= t_hi]


def trouble(c, t_lo, t_hi, first_join):
    """Events that mean a rejoin or a failure in [t_lo, t_hi]: list of short strings."""
    out = []
    for e in c.events:
        if not t_lo <= e["_arrival"] <= t_hi:
            continue
        if e["event"] == "reconnecting":
            out.append("reconnecting (%s)" % e.get("message", ""))
        elif e["event"] == "joined" and e is not first_join:
            out.append("joined again")
        elif e["event"] == "error":
            out.append("error %s: %s" % (e.get("code"), e.get("message", "")))
        elif e["event"] == "media" and e.get("state") == "failed":
            out.append("media %s failed: %s" % (e.get("kind"), e.get("message", "")))
    return out


# ---- the recording ---------------------------------------------------------------------------

class Recording:
    """The listener's --record file as it grows: a thread samples its size every 20 ms, so
    frame k (0-based) is known to have been written by the first sample that shows it."""

    def __init__(self, path):
        self.path = path
        self.offset = None
        self.times, self.sizes = [], []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.wait(0.02):
            try:
                size = os.stat(self.path).st_size
            except OSError:
                continue
            if self.offset is None:
                self.offset = self._data_offset()
                if self.offset is None:
                    continue
            self.times.append(time.monotonic())
            self.sizes.append(size)

    def _data_offset(self):
        """Offset of the samples: after the "data" chunk header (the writer fixes the sizes
        only at the end, so the header is parsed, not read with the wave module)."""
        try:
            with open(self.path, "rb") as f:
                head = f.read(4096)
        except OSError:
            return None
        pos = 12
        while pos + 8 <= len(head):
            cid, size = head[pos:pos + 4], int.from_bytes(head[pos + 4:pos + 8], "little")
            if cid == b"data":
                return pos + 8
            pos += 8 + size + (size & 1)
        return None

    def stop(self):
        self._stop.set()
        self._thread.join(2)

    def frames_at(self, t):
        """Frames written by our monotonic time t."""
        i = bisect.bisect_right(self.times, t) - 1
        if i < 0 or self.offset is None:
            return 0
        return max(0, (self.sizes[i] - self.offset) // FRAME_BYTES)

    def written_at(self, k):
        """Our monotonic time by which frame k had been written (None: not yet)."""
        need = self.offset + (k + 1) * FRAME_BYTES
        i = bisect.bisect_left(self.sizes, need)
        return self.times[i] if i < len(self.times) else None

    def silent(self, k0, k1):
        """[bool] for frames k0..k1-1: RMS at most -55 dBov."""
        if k1 <= k0:
            return []
        with open(self.path, "rb") as f:
            f.seek(self.offset + k0 * FRAME_BYTES)
            raw = f.read((k1 - k0) * FRAME_BYTES)
        x = array.array("h")
        x.frombytes(raw[:len(raw) - len(raw) % FRAME_BYTES])
        if sys.byteorder == "big":
            x.byteswap()
        return frames_silent(x)


def frames_silent(x, frame=960):
    lim = (SILENT_RMS * 32768) ** 2 * frame
    out = []
    for i in range(0, len(x) - frame + 1, frame):
        w = x[i:i + frame]
        out.append(max(w) == 0 == min(w) or sum(v * v for v in w) <= lim)
    return out


def longest_run(flags):
    best = run = 0
    for f in flags:
        run = run + 1 if f else 0
        best = max(best, run)
    return best


def source_longest_pause_s(wav):
    """Longest run of silent 20 ms windows in the speech file, played in a loop."""
    rate, x = B.T.read_wav(wav)
    n = rate // 50
    flags = frames_silent(x, n)
    return longest_run(flags + flags) * 0.02


# ---- memory and CPU --------------------------------------------------------------------------

class Sampler:
    """Every 5 s: VmRSS and anonymous kB of each named PID."""

    def __init__(self, pids):
        self.pids = pids
        self.samples = []  # (t, {name: (rss_kb, anon_kb)})
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while True:
            row = {n: (procstat.status_kb(p, "VmRSS"), procstat.rollup_kb(p)["anonymous"])
                   for n, p in self.pids.items()}
            self.samples.append((time.monotonic(), row))
            if self._stop.wait(5.0):
                return

    def stop(self):
        self._stop.set()
        self._thread.join(2)

    def at(self, t):
        """The first sample at or after t (else the last one)."""
        for s in self.samples:
            if s[0] >= t:
                return s
        return self.samples[-1]

    def slope_mb_per_h(self, name, t_lo, t_hi):
        pts = [(t, row[name][0] / 1024) for t, row in self.samples if t_lo <= t <= t_hi]
        if len(pts) < 3:
            return float("nan")
        mt = sum(p[0] for p in pts) / len(pts)
        mv = sum(p[1] for p in pts) / len(pts)
        den = sum((p[0] - mt) ** 2 for p in pts)
        return sum((p[0] - mt) * (p[1] - mv) for p in pts) / den * 3600 if den else float("nan")


# ---- the run ---------------------------------------------------------------------------------

class Run:
    def __init__(self, L, args, tmp, wav):
        self.L, self.args, self.tmp, self.wav = L, args, tmp, wav
        self.rec_path = os.path.join(tmp, "listener.wav")
        self.res = {}
        self.chat_sent = []
        self._stop = threading.Event()

    def start(self):
        cls = client_class()
        H = B.harness.HEADLESS
        url, room = self.L.url, str(self.L.room)
        extra = self.args.extra.split() if self.args.extra else []
        self.speaker = cls(self.L.client([B.harness.ttymeet_path()] + H + extra + [
            "-n", "speaker", "--play", self.wav, "--loop", "--video-source", "testpattern",
            url, room]), "speaker")
        self.listener = cls(self.L.client([B.harness.ttymeet_path()] + H + extra + [
            "-n", "listener", "--mute", "--video", "--record", self.rec_path, url, room]),
            "listener")
        self.clients = (self.speaker, self.listener)
        self.recording = Recording(self.rec_path)
        for c in self.clients:
            for kind in ("audio", "chat"):
                try:
                    c.wait_event(lambda e, k=kind: e["event"] == "media" and e.get("kind") == k
                                 and e.get("state") == "connected", 30)
                except AssertionError as e:
                    raise Broke("%s: %s media did not come up\n%s" % (c.name, kind, e)) from None
        try:
            self.speaker.wait_event(lambda e: e["event"] == "media" and e.get("kind") == "video"
                                    and e.get("state") == "connected", 30)
            self.listener.wait_event(lambda e: e["event"] == "video" and e.get("on"), 30)
        except AssertionError as e:
            raise Broke("video did not come up\n%s" % e) from None
        self.joins = {c.name: c.wait_event("joined", 1) for c in self.clients}
        self.sampler = Sampler({"speaker": self.speaker.proc.pid,
                                "listener": self.listener.proc.pid,
                                "janus": self.L.janus_pid})
        self.chat_thread = threading.Thread(target=self._chat, daemon=True)
        self.chat_thread.start()
        self.t_start = time.monotonic()
        self.sleep(WARMUP_S)

    def _chat(self):
        n = 0
        while not self._stop.wait(CHAT_EVERY_S):
            n += 1
            try:
                self.speaker.write_stdin("soak chat %d\n" % n)
            except OSError:
                return
            self.chat_sent.append((time.monotonic(), "soak chat %d" % n))

    def sleep(self, s):
        """Sleeps s seconds; raises Broke when a client exits meanwhile."""
        end = time.monotonic() + s
        while True:
            for c in self.clients:
                if c.proc.poll() is not None:
                    raise Broke("%s exited (%s) during the run\n%s"
                                % (c.name, c.proc.returncode, c.describe()))
            left = end - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(left, 0.5))

    def stop(self):
        self._stop.set()
        rcs = {}
        for c in self.clients:
            rcs[c.name] = B.stop_client(c)
        self.recording.stop()
        self.sampler.stop()
        return rcs

    # ---- soak --------------------------------------------------------------------------------

    def soak(self, minutes):
        pids = {c.name: c.proc.pid for c in self.clients}
        pids["janus"] = self.L.janus_pid
        meter = B.CpuMeter(lambda: list(pids.values()))
        m0 = procstat.machine_ticks()
        t0 = time.monotonic()
        meter.start()
        print("soak: %d min from %s" % (minutes, time.strftime("%H:%M:%S")), flush=True)
        end = t0 + minutes * 60
        while time.monotonic() < end:
            self.sleep(min(60.0, end - time.monotonic()))
            k = int(round((time.monotonic() - t0) / 60))
            row = self.sampler.samples[-1][1]
            print("  minute %d: RSS speaker %.1f MB, listener %.1f MB"
                  % (k, row["speaker"][0] / 1024, row["listener"][0] / 1024), flush=True)
        meter.stop()
        t1 = time.monotonic()
        m1 = procstat.machine_ticks()
        r = {"t0": t0, "t1": t1, "minutes": (t1 - t0) / 60}
        wall = t1 - t0
        busy, total = m1[0] - m0[0], max(1, m1[1] - m0[1])
        ours = meter.cpu_s() * procstat.CLK_TCK
        r["machine_pct"] = 100.0 * busy / total * os.cpu_count()
        r["others_pct"] = 100.0 * (busy - ours) / total * os.cpu_count()
        base_t = t0 + min(60.0, wall / 2)
        s_base, s_end = self.sampler.at(base_t), self.sampler.samples[-1]
        for name, pid in pids.items():
            d = {"cpu_pct": meter.pct([pid]),
                 "rss_base_mb": s_base[1][name][0] / 1024, "rss_end_mb": s_end[1][name][0] / 1024,
                 "anon_growth_mb": (s_end[1][name][1] - s_base[1][name][1]) / 1024,
                 "rss_peak_mb": max(s[1][name][0] for s in self.sampler.samples
                                    if t0 <= s[0] <= t1) / 1024,
                 "slope_mb_h": self.sampler.slope_mb_per_h(name, base_t, t1)}
            d["rss_growth_mb"] = d["rss_end_mb"] - d["rss_base_mb"]
            r[name] = d
        for c in self.clients:
            d = r[c.name]
            st = events_between(c, "stats", t0, t1)
            by_min = {}
            for e in st:
                if isinstance(e.get("jitter_buffer_ms"), (int, float)):
                    by_min.setdefault(int((e["_arrival"] - t0) // 60),
                                      []).append(e["jitter_buffer_ms"])
            meds = [statistics.median(by_min[k]) for k in sorted(by_min)]
            d["jb_minute_medians"] = meds
            d["jb_all"] = [e["jitter_buffer_ms"] for e in st
                           if isinstance(e.get("jitter_buffer_ms"), (int, float))]
            d["drift_ms"] = (max((m - meds[0] for m in meds[1:]), key=abs, default=0.0)
                             if meds else float("nan"))
            d["drift_minute"] = (max(range(1, len(meds)), key=lambda k: abs(meds[k] - meds[0]),
                                     default=0) + 1 if meds else 0)
            d["trend_ms"] = fit_change([(e["_arrival"], e["jitter_buffer_ms"]) for e in st
                                        if isinstance(e.get("jitter_buffer_ms"), (int, float))])
            d["concealed_pct"], d["fec_pct"] = counter_pct(st)
            d["loss_pct"] = mean([e.get("loss_pct") for e in st])
            d["troubles"] = trouble(c, t0, t1, self.joins[c.name])
            d["reconnects"] = sum(1 for e in events_between(c, "reconnecting", t0, t1))
            d["rejoins"] = sum(1 for e in events_between(c, "joined", t0, t1))
        frames = [t for t in self.listener.frames if t0 <= t <= t1]
        r["video_fps"] = len(frames) / wall
        sent = [x for x in self.chat_sent if t0 <= x[0] <= t1]
        got = {e.get("text") for e in self.listener.events if e["event"] == "chat"
               and e.get("from") == "speaker"}
        r["chat"] = (sum(1 for _, text in sent if text in got), len(sent))
        self.res["soak"] = r

    # ---- outage ------------------------------------------------------------------------------

    def outage(self):
        a = self.args
        print("outage: all traffic dropped for %.0f s at %s" % (a.outage_s,
                                                              time.strftime("%H:%M:%S")),
              flush=True)
        t_drop = time.monotonic()
        self.L.cut()
        try:
            self.sleep(a.outage_s)
        finally:
            self.L.cut(False)
        t_back = time.monotonic()
        self.sleep(a.observe_s)
        t_end = time.monotonic()
        rec = self.recording
        r = {"drop_s": t_back - t_drop}
        k_back, k_end = rec.frames_at(t_back), rec.frames_at(t_end)
        flags = rec.silent(k_back, k_end)
        first = next((i for i, s in enumerate(flags) if not s), None)
        r["resume_s"] = (rec.written_at(k_back + first) - t_back if first is not None
                         else float("inf"))
        # when the listener went quiet (its buffer conceals for up to a second, then waits)
        k_drop = rec.frames_at(t_drop)
        fl = rec.silent(k_drop, k_back)
        q = next((i for i, s in enumerate(fl) if s), None)
        r["quiet_after_s"] = rec.written_at(k_drop + q) - t_drop if q is not None else None
        r["troubles"] = {c.name: trouble(c, t_drop, t_end, self.joins[c.name])
                         for c in self.clients}
        last5 = [t for t in self.listener.frames if t_end - 5 <= t <= t_end]
        r["video_fps_after"] = len(last5) / 5.0
        self.res["outage"] = r

    # ---- loss --------------------------------------------------------------------------------

    def loss(self):
        a = self.args
        rec = self.recording
        print("loss: clean window of %.0f s, then %.0f %% loss for %.0f s"
              % (a.loss_s, a.loss_pct, a.loss_s), flush=True)
        t_c = time.monotonic()
        self.sleep(a.loss_s)
        t_a = time.monotonic()
        self.L.impair(loss_pct=a.loss_pct)
        try:
            self.sleep(a.loss_s)
        finally:
            self.L.impair(loss_pct=0)
        t_b = time.monotonic()
        self.sleep(6.0)  # the stats event that covers the last seconds
        r = {}
        for key, lo, hi in (("clean", t_c, t_a), ("lossy", t_a, t_b)):
            flags = rec.silent(rec.frames_at(lo), rec.frames_at(hi))
            st = events_between(self.listener, "stats", lo + 0.5, hi + 0.5)
            conc, fec = counter_pct(st)
            r[key] = {"gap_s": longest_run(flags) * 0.02, "frames": len(flags),
                      "silent_pct": 100.0 * sum(flags) / len(flags) if flags else float("nan"),
                      "concealed_pct": conc, "fec_pct": fec,
                      "loss_pct": mean([e.get("loss_pct") for e in st]),
                      "loss_up_pct": mean([e.get("loss_up_pct") for e in
                                           events_between(self.speaker, "stats", lo + 0.5,
                                                          hi + 0.5)]),
                      "audio_in": sum(1 for e in st if e.get("audio_in")), "stats": len(st)}
        r["troubles"] = {c.name: trouble(c, t_c, time.monotonic(), self.joins[c.name])
                         for c in self.clients}
        self.res["loss"] = r


def fit_change(pts):
    """Least-squares line through (t, v): its change from the first t to the last."""
    if len(pts) < 3:
        return float("nan")
    mt = sum(p[0] for p in pts) / len(pts)
    mv = sum(p[1] for p in pts) / len(pts)
    den = sum((p[0] - mt) ** 2 for p in pts)
    slope = sum((p[0] - mt) * (p[1] - mv) for p in pts) / den if den else float("nan")
    return slope * (pts[-1][0] - pts[0][0])


def mean(xs):
    xs = [x for x in xs if isinstance(x, (int, float))]
    return sum(xs) / len(xs) if xs else float("nan")


def counter_pct(st):
    """Concealed and FEC frames between the first and last of these stats events, in % of
    the frames played meanwhile (50 a second)."""
    if len(st) < 2:
        return float("nan"), float("nan")
    dt = st[-1]["_arrival"] - st[0]["_arrival"]
    if dt <= 0:
        return float("nan"), float("nan")
    return tuple(100.0 * (st[-1].get(k, 0) - st[0].get(k, 0)) / (50 * dt)
                 for k in ("concealed", "fec"))


# ---- the table -------------------------------------------------------------------------------

def verdict(ok):
    return "PASS" if ok else "MISS"


def report(res, args, pause_s):
    rows = []  # (figure, speaker, listener, goal, verdict)

    def row(fig, sp="", li="", goal="", ok=None):
        rows.append((fig, sp, li, goal, "" if ok is None else verdict(ok)))

    s = res.get("soak")
    if s:
        sp, li = s["speaker"], s["listener"]
        row("soak length", "%.1f min" % s["minutes"])
        row("RSS 1 min in / end (MB)", "%.1f / %.1f" % (sp["rss_base_mb"], sp["rss_end_mb"]),
            "%.1f / %.1f" % (li["rss_base_mb"], li["rss_end_mb"]))
        row("RSS growth after 1 min (MB)", "%+.2f" % sp["rss_growth_mb"],
            "%+.2f" % li["rss_growth_mb"], "< %g MB" % GOAL_RSS_MB,
            max(sp["rss_growth_mb"], li["rss_growth_mb"]) < GOAL_RSS_MB)
        row("  anonymous growth (MB)", "%+.2f" % sp["anon_growth_mb"],
            "%+.2f" % li["anon_growth_mb"])
        row("  RSS trend (MB/h, fit)", "%+.2f" % sp["slope_mb_h"], "%+.2f" % li["slope_mb_h"])
        row("  RSS peak (MB)", "%.1f" % sp["rss_peak_mb"], "%.1f" % li["rss_peak_mb"])

        def jb(d):
            a = d["jb_all"]
            return "%d..%d, med %g" % (min(a), max(a), statistics.median(a)) if a else "-"
        row("jitter buffer delay (ms)", jb(sp), jb(li))
        row("  first-minute median (ms)",
            "%g" % sp["jb_minute_medians"][0] if sp["jb_minute_medians"] else "-",
            "%g" % li["jb_minute_medians"][0] if li["jb_minute_medians"] else "-")
        row("delay drift: trend (ms, fit)", "%+.1f" % sp["trend_ms"], "%+.1f" % li["trend_ms"],
            "within +-%g ms" % GOAL_DRIFT_MS,
            abs(sp["trend_ms"]) <= GOAL_DRIFT_MS and abs(li["trend_ms"]) <= GOAL_DRIFT_MS)
        row("delay drift: worst minute (ms)", "%+g (min %d)" % (sp["drift_ms"], sp["drift_minute"]),
            "%+g (min %d)" % (li["drift_ms"], li["drift_minute"]),
            "within +-%g ms" % GOAL_DRIFT_MS,
            abs(sp["drift_ms"]) <= GOAL_DRIFT_MS and abs(li["drift_ms"]) <= GOAL_DRIFT_MS)
        row("concealed (% of frames)", "%.3f" % sp["concealed_pct"], "%.3f" % li["concealed_pct"])
        row("FEC-recovered (% of frames)", "%.3f" % sp["fec_pct"], "%.3f" % li["fec_pct"])
        row("downlink loss (%, stats)", "%.3f" % sp["loss_pct"], "%.3f" % li["loss_pct"])
        row("CPU (% of one core)*", "%.2f" % sp["cpu_pct"], "%.2f" % li["cpu_pct"])
        row("  Janus CPU / RSS growth*", "%.2f %% / %+.2f MB" % (s["janus"]["cpu_pct"],
                                                               s["janus"]["rss_growth_mb"]))
        row("  whole machine / others*", "%.0f %% / %.0f %%" % (s["machine_pct"],
                                                              s["others_pct"]),
            "of %d %%" % (100 * os.cpu_count()))
        row("reconnects (+ rejoins)", "%d + %d" % (sp["reconnects"], sp["rejoins"]),
            "%d + %d" % (li["reconnects"], li["rejoins"]), "0",
            sp["reconnects"] + sp["rejoins"] + li["reconnects"] + li["rejoins"] == 0)
        row("video preview (frames/s)", "", "%.2f" % s["video_fps"])
        row("chat delivered", "", "%d of %d" % s["chat"])
    o = res.get("outage")
    if o:
        row("outage: link down (s)", "%.1f" % o["drop_s"])
        row("outage: listener quiet after (s)", "",
            "%.2f" % o["quiet_after_s"] if o["quiet_after_s"] is not None else "never")
        row("outage: audio back after (s)", "", "%.2f" % o["resume_s"],
            "<= %g s" % GOAL_RESUME_S, o["resume_s"] <= GOAL_RESUME_S)
        tr = o["troubles"]
        row("outage: rejoins / failures", "%d" % len(tr["speaker"]), "%d" % len(tr["listener"]),
            "0", not tr["speaker"] and not tr["listener"])
        row("outage: video after (frames/s)", "", "%.2f" % o["video_fps_after"])
    lo = res.get("loss")
    if lo:
        c, x = lo["clean"], lo["lossy"]
        row("loss %g %%: measured down/up (%%)" % args.loss_pct, "",
            "%.1f / %.1f" % (x["loss_pct"], x["loss_up_pct"]))
        row("loss: longest silence (s)", "clean %.2f" % c["gap_s"], "%.2f" % x["gap_s"],
            "<= %g s" % GOAL_GAP_S, x["gap_s"] <= GOAL_GAP_S)
        row("  longest pause in the speech (s)", "%.2f" % pause_s)
        row("loss: silent frames (%)", "clean %.1f" % c["silent_pct"], "%.1f" % x["silent_pct"])
        row("loss: concealed / FEC (%)", "clean %.1f / %.1f" % (c["concealed_pct"],
                                                             c["fec_pct"]),
            "%.1f / %.1f" % (x["concealed_pct"], x["fec_pct"]))
        tr = lo["troubles"]
        row("loss: rejoins / failures", "%d" % len(tr["speaker"]), "%d" % len(tr["listener"]),
            "0", not tr["speaker"] and not tr["listener"])
    w = [max(len(r[i]) for r in rows + [("figure", "speaker", "listener", "goal", "")])
         for i in range(5)]
    print()
    fmt = "%-*s  %*s  %*s  %-*s  %s"
    print(fmt % (w[0], "figure", w[1], "speaker", w[2], "listener", w[3], "goal", "result"))
    for r in rows:
        print(fmt % (w[0], r[0], w[1], r[1], w[2], r[2], w[3], r[3], r[4]))
    print("* the machine is shared (other builds and tests run on its %d cores): CPU figures "
          "move with its load" % os.cpu_count())
    for phase in ("outage", "loss"):
        for name, tr in (res.get(phase) or {}).get("troubles", {}).items():
            for t in tr:
                print("%s: %s: %s" % (phase, name, t))
    for name in ("speaker", "listener"):
        for t in (s or {}).get(name, {}).get("troubles", []):
            print("soak: %s: %s" % (name, t))
    for name in ("speaker", "listener"):
        if s and s[name]["jb_minute_medians"]:
            print("%s: jitter buffer delay, median of each minute (ms): %s"
                  % (name, " ".join("%g" % m for m in s[name]["jb_minute_medians"])))
    misses = sum(1 for r in rows if r[4] == "MISS")
    print("%d goals, %d met, %d missed" % (sum(1 for r in rows if r[4]),
                                           sum(1 for r in rows if r[4] == "PASS"), misses))


def main():
    ap = argparse.ArgumentParser(description="ttymeet reliability figures in the lab")
    ap.add_argument("minutes", nargs="?", type=float, default=30.0, help="soak length")
    ap.add_argument("--all", action="store_true", help="soak, outage, loss (the default)")
    ap.add_argument("--soak", action="store_true")
    ap.add_argument("--outage", action="store_true")
    ap.add_argument("--loss", action="store_true")
    ap.add_argument("--ttymeet", help="binary (default: $TTYMEET or build/ttymeet)")
    ap.add_argument("--outage-s", type=float, default=10.0)
    ap.add_argument("--observe-s", type=float, default=20.0)
    ap.add_argument("--loss-pct", type=float, default=20.0)
    ap.add_argument("--loss-s", type=float, default=30.0)
    ap.add_argument("--extra", metavar="ARGS", help="more ttymeet options for both clients "
                    "(one string, split at spaces), e.g. --extra '--keepalive 5'")
    ap.add_argument("--keep", metavar="DIR", help="keep events, recording and Janus log")
    args = ap.parse_args()
    if not (args.soak or args.outage or args.loss) or args.all:
        args.soak = args.outage = args.loss = True
    if (args.minutes <= 0 or args.outage_s <= 0 or args.observe_s < 5 or args.loss_s < 5
            or not 0 < args.loss_pct < 100):
        print("soak.py: MINUTES, --outage-s must be > 0, --observe-s and --loss-s >= 5, "
              "--loss-pct in (0, 100)", file=sys.stderr)
        return 2
    if args.ttymeet:
        os.environ["TTYMEET"] = os.path.abspath(args.ttymeet)
    if os.geteuid() != 0:
        print("soak.py: needs root (network namespaces)", file=sys.stderr)
        return 2
    for tool in ("espeak-ng", "nft", "janus"):
        if not shutil.which(tool):
            print("soak.py: %s is missing (scripts/deps.sh)" % tool, file=sys.stderr)
            return 2
    B._imports()
    try:
        path = B.harness.ttymeet_path()
    except AssertionError as e:
        print("soak.py: %s" % e, file=sys.stderr)
        return 2
    tmp = tempfile.mkdtemp(prefix="ttm-soak-")
    wav = os.path.join(tmp, "speech.wav")
    speech_s = B.speech_wav(wav)
    pause_s = source_longest_pause_s(wav)
    phases = [p for p in ("soak", "outage", "loss") if getattr(args, p)]
    print("ttymeet: %s; %d cores; phases: %s; speech %.1f s looped (longest pause %.2f s)"
          % (path, os.cpu_count(), ", ".join(phases), speech_s, pause_s), flush=True)
    run = None
    broke = None
    rcs = {}
    try:
        with B.lab.Lab(save_log_to=os.path.join(tmp, "janus.log")) as L:
            run = Run(L, args, tmp, wav)
            try:
                run.start()
                if args.soak:
                    run.soak(args.minutes)
                if args.outage:
                    run.outage()
                if args.loss:
                    run.loss()
            except (Broke, B.lab.LabError) as e:
                broke = str(e)
            finally:
                if getattr(run, "clients", None):
                    rcs = run.stop()
            if args.keep:
                os.makedirs(args.keep, exist_ok=True)
                for c in getattr(run, "clients", ()):
                    with open(os.path.join(args.keep, c.name + ".jsonl"), "w") as f:
                        for e in c.events:
                            f.write(json.dumps(e) + "\n")
                    with open(os.path.join(args.keep, c.name + ".stderr"), "w") as f:
                        f.write(c.stderr)
    finally:
        if args.keep:
            for f in ("listener.wav", "janus.log", "speech.wav"):
                if os.path.exists(os.path.join(tmp, f)):
                    shutil.copy(os.path.join(tmp, f), args.keep)
        shutil.rmtree(tmp, ignore_errors=True)
    for name, rc in rcs.items():
        if rc != 0 and not broke:
            broke = "%s exited %s at the end" % (name, rc)
    if run is not None and run.res:
        report(run.res, args, pause_s)
    if broke:
        print("RUN BROKE: %s" % broke)
        return 1
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main())
