#!/usr/bin/env python3
"""The figures of issue 13: a listener in a Janus VideoRoom meeting (forwarded streams, the
loudest 3 decoded) beside the same listener in an AudioBridge meeting (one mixed stream), in
the test lab (a real Janus in a network namespace, tests/lab/lab.py). Prints a table; asserts
nothing. Needs root and a built ttymeet.

Room 1234 exists in both plugins (the lab's default), so the only difference between the two
cases is --room-type. The VideoRoom room takes 30 publishers here (the lab's template: 6).

(a) CPU of one listener with N publishers talking (--speakers, default 1,5,20). The speakers
    are one fleet process (--participants N --play story --loop, which encodes the file once
    for all; each still sends its own RTP stream), started first; then the listener
    (--record to a file in the temp dir, so it decodes and mixes what it hears; silent
    microphone). The listener's utime+stime from /proc/PID/stat over --cpu-seconds (default
    20) once its media is up and 2 s more have passed; % of one core. With the VideoRoom the
    listener receives N streams and decodes the loudest 3; with the AudioBridge one mix.
    Beside it: the listener's kbps_in (median of its stats), its wake-ups per second
    (voluntary context switches of all its threads, procstat.wakeups), how many of the fleet's
    participants joined and for how many the listener saw talking.
(b) Join to first audio from an already-talking publisher: a talker (--play --loop) is in the
    room; a listener joins --runs times (default 5) and leaves after 4 s; the figure is its
    summary's join_ms.first_audio (from its start to the first decoded non-silent frame:
    signaling, ICE, DTLS, the subscription, jitter buffer and decode), median and range;
    beside it the first talking event for the talker minus the listener's connecting event.
(c) Mouth to ear: tests/bench/audio_bench.py's measure (clicks in A's file, timed on A's RTP
    packets and B's ticks from a sniffer on the lab link; method and error bars in its
    docstring), once through each plugin.

Goals (issue 13): VideoRoom CPU <= 1.5x the AudioBridge case at 5 talking and flat beyond 3
(only 3 are decoded); join to first audio <= 500 ms; mouth-to-ear <= 120 ms and lower than
through the AudioBridge's mixer.

Usage (root, after a build):  tests/bench/vr_bench.py [--ttymeet build/ttymeet]
        [--speakers 1,5,20] [--cpu-seconds 20] [--runs 5] [--clicks 8] [--only cpu,join,m2e]
        [--keep DIR]
On a shared machine the CPU figures move by 10 % or more; run twice if it matters.
VRB_KINDS=videoroom (or audiobridge) in the environment measures only that case.
"""

import argparse
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time

import audio_bench as AB  # tests/bench/audio_bench.py: lab helpers, story, mouth-to-ear
import procstat

KINDS = tuple(os.environ.get("VRB_KINDS", "videoroom,audiobridge").split(","))
VR_PUBLISHERS = 30


def new_lab():
    return AB.lab.Lab(plugin_room_options={"videoroom": {1234: {"publishers": VR_PUBLISHERS}}})


def client(L, name, args, kind):
    return AB.StampedClient.make(L, AB.harness.HEADLESS + ["-n", name, "--room-type", kind]
                                 + list(args) + [L.url, "1234"], name)


def fleet(L, n, wav, kind):
    return client(L, "fleet", ["--participants", str(n), "--name-pattern", "spk-%d",
                               "--ramp", "20", "--play", wav, "--loop"], kind)


def wait_fleet(f, n, timeout):
    """Waits until n fleet participants have media (or timeout); returns how many did."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        up = {e.get("who") for e in f.find(lambda e: e["event"] == "media"
                                           and e.get("state") == "connected")}
        if len(up) >= n:
            return len(up)
        time.sleep(0.2)
    return len({e.get("who") for e in f.find(lambda e: e["event"] == "media"
                                             and e.get("state") == "connected")})


def bench_cpu(tmp, wav, kind, n, seconds):
    res = {"kind": kind, "n": n}
    with new_lab() as L:
        f = fleet(L, n, wav, kind)
        try:
            res["fleet_up"] = wait_fleet(f, n, 15 + n / 5)
            time.sleep(1.0)
            lis = client(L, "listener", ["--record", os.path.join(tmp, "lis-%s-%d.wav" % (
                kind, n))], kind)
            try:
                AB.T.media_connected(lis, 15)
                time.sleep(2.0)
                pid = lis.proc.pid
                c0, w0, v0 = procstat.cpu_seconds(pid), time.monotonic(), procstat.wakeups(pid)
                time.sleep(seconds)
                c1, w1, v1 = procstat.cpu_seconds(pid), time.monotonic(), procstat.wakeups(pid)
                res["cpu_pct"] = 100 * (c1 - c0) / (w1 - w0)
                res["wakeups_per_s"] = (v1 - v0) / (w1 - w0)
                st = lis.find("stats")
                res["kbps_in"] = AB.median([e["kbps_in"] for e in st[1:]])
                res["audio_in"] = sum(1 for e in st if e.get("audio_in")) / max(1, len(st))
                res["talking"] = len({e.get("id") for e in lis.find(
                    lambda e: e["event"] == "talking" and e.get("on") is True)})
                res["participants"] = st[-1].get("participants") if st else None
            finally:
                AB.stop(lis)
        finally:
            AB.stop(f, 20)
    return res


def bench_join(tmp, wav, kind, runs):
    out = []
    with new_lab() as L:
        talker = client(L, "talker", ["--play", wav, "--loop"], kind)
        try:
            AB.T.media_connected(talker, 15)
            tid = talker.wait_event("joined", 5)["id"]
            time.sleep(1.0)
            for i in range(runs):
                c = client(L, "j%d" % i, ["--duration", "4"], kind)
                rc = c.wait_exit(20)
                summ = c.find("summary")
                conn = c.find("connecting")
                talk = c.find(lambda e: e["event"] == "talking" and e.get("id") == tid
                              and e.get("on") is True)
                item = {"rc": rc}
                if summ:
                    item["first_audio_ms"] = summ[-1].get("join_ms", {}).get("first_audio")
                    item["total_ms"] = summ[-1].get("join_ms", {}).get("total")
                if conn and talk:
                    item["talking_ms"] = (talk[0]["t"] - conn[0]["t"]) * 1000
                out.append(item)
                time.sleep(0.5)
        finally:
            AB.stop(talker)
    return out


def fmt(xs, unit="ms"):
    xs = [x for x in xs if isinstance(x, (int, float))]
    if not xs:
        return "n/a", ""
    return "%.0f %s" % (statistics.median(xs), unit), "min %.0f max %.0f, n=%d" % (
        min(xs), max(xs), len(xs))


def main():
    ap = argparse.ArgumentParser(description="ttymeet VideoRoom benchmark (prints figures)")
    ap.add_argument("--ttymeet", help="binary (default: $TTYMEET or build/ttymeet)")
    ap.add_argument("--speakers", default="1,5,20")
    ap.add_argument("--cpu-seconds", type=float, default=20.0)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--clicks", type=int, default=8)
    ap.add_argument("--only", default="cpu,join,m2e")
    ap.add_argument("--keep", metavar="DIR", help="keep the WAV files in DIR")
    args = ap.parse_args()
    if args.ttymeet:
        os.environ["TTYMEET"] = os.path.abspath(args.ttymeet)
    AB._imports()
    if os.geteuid() != 0:
        print("vr_bench.py: needs root (network namespaces)", file=sys.stderr)
        return 2
    if not shutil.which("espeak-ng"):
        print("vr_bench.py: espeak-ng is missing (scripts/deps.sh)", file=sys.stderr)
        return 2
    print("binary: %s" % AB.harness.ttymeet_path())
    only = set(args.only.split(","))
    speakers = [int(x) for x in args.speakers.split(",") if x]
    tmp = tempfile.mkdtemp(prefix="ttm-vrbench-")
    rows = []
    try:
        wav = os.path.join(tmp, "story.wav")
        AB.story_wav(wav, 30)
        if "cpu" in only:
            cpu = {}
            for n in speakers:
                for kind in KINDS:
                    r = bench_cpu(tmp, wav, kind, n, args.cpu_seconds)
                    cpu[(kind, n)] = r
                    print("cpu: %s" % r, flush=True)
            for n in speakers:
                vr, ab = cpu[("videoroom", n)], cpu[("audiobridge", n)]
                ratio = vr.get("cpu_pct", 0) / ab["cpu_pct"] if ab.get("cpu_pct") else 0
                for r in (vr, ab):
                    rows.append(("cpu: listener, %d talking, %s" % (n, r["kind"]),
                                 "%.2f %%" % r.get("cpu_pct", float("nan")),
                                 "<= 1.5x AB" if r is vr and n == 5 else "",
                                 "kbps in %.0f, %.0f wake-ups/s, %d/%d speakers up, talking "
                                 "seen for %s%s" % (
                                     r.get("kbps_in", 0), r.get("wakeups_per_s", 0),
                                     r.get("fleet_up", 0), n, r.get("talking"),
                                     ", VR/AB %.2fx" % ratio if r is vr else "")))
        if "join" in only:
            for kind in KINDS:
                j = bench_join(tmp, wav, kind, args.runs)
                print("join %s: %s" % (kind, j), flush=True)
                m, rng = fmt([x.get("first_audio_ms") for x in j])
                rows.append(("join to first audio, %s (first_audio)" % kind, m,
                             "<= 500 ms" if kind == "videoroom" else "", rng))
                m, rng = fmt([x.get("talking_ms") for x in j])
                rows.append(("join to talking seen, %s (connecting -> talking)" % kind, m, "",
                             rng))
        if "m2e" in only:
            for kind in KINDS:
                sub = os.path.join(tmp, "m2e-" + kind)  # a new recording: its birth time counts
                os.makedirs(sub)
                with new_lab() as L:
                    m = AB.bench_m2e(L, sub, args.clicks, extra=["--room-type", kind])
                vals = [x["mouth_to_ear_ms"] for x in m["clicks"] if "mouth_to_ear_ms" in x]
                for x in m["clicks"]:
                    if "error" in x:
                        print("m2e %s: %s" % (kind, x["error"]))
                for w in m["warnings"]:
                    print("m2e %s WARNING: %s" % (kind, w))
                print("m2e %s per click (ms): %s" % (kind, ", ".join("%.1f" % v for v in vals)))
                split = [(x["to_b_ms"], x["playout_ms"]) for x in m["clicks"] if "to_b_ms" in x]
                note = "min %.1f max %.1f, %d/%d clicks" % (
                    min(vals or [0]), max(vals or [0]), len(vals), len(m["clicks"]))
                if split:
                    note += "; to B's link %.1f, playout %.1f" % (
                        AB.median([s[0] for s in split]), AB.median([s[1] for s in split]))
                rows.append(("mouth-to-ear, %s, median" % kind, "%.1f ms" % AB.median(vals),
                             "<= 120 ms" if kind == "videoroom" else "", note))
    finally:
        if args.keep:
            os.makedirs(args.keep, exist_ok=True)
            shutil.copytree(tmp, args.keep, dirs_exist_ok=True)
        shutil.rmtree(tmp, ignore_errors=True)
    w = max(len(r[0]) for r in rows) if rows else 10
    print()
    print("%-*s  %10s  %10s  %s" % (w, "figure", "measured", "target", "notes"))
    for r in rows:
        print("%-*s  %10s  %10s  %s" % (w, r[0], r[1], r[2], r[3]))
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main())
