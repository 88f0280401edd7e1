#!/usr/bin/env python3
"""ttymeet against headless Chromium, side by side in one AudioBridge room of one lab (issue 7).
Prints figures; asserts nothing (but says loudly when a client did not really send or receive,
since a benchmark of a client that does not work is worthless). Needs root, a built ttymeet and
scripts/bench-deps.sh (chromium, chromium-driver, janus-demos).

Who is in the room (tests/lab/lab.py: Janus in one network namespace, every client in another):
  - chromium   headless Chromium (Debian's package) driven through chromedriver (W3C WebDriver,
               spoken with the standard library by tests/lab/browser.py) on Janus's own
               AudioBridge demo page (Debian's janus-demos, audiobridgetest.html), served by a
               Python HTTP server on 127.0.0.1 inside the client namespace from a directory of
               links to the demo files plus a settings.js naming the lab's Janus WebSocket. Its
               microphone is Chromium's fake capture device reading the speech WAV (looped).
               Chromium, chromedriver and the HTTP server run in the client namespace: the only
               addresses used are the lab's.
  - tty-c10    one ttymeet participant, --play WAV --loop, Opus complexity 10 (the default);
  - tty-cLOW   the same at --complexity LOW (default 0, for bots);
  - fleet-1..N one ttymeet process with --participants N (default 20), each playing the WAV in
               a loop at --complexity FLEET (--fleet-complexity, default 10: a fleet encodes
               its --play file once for all, so the setting costs it next to nothing); with
               --fleet-decode (the default) they run a script
               with "expect audio", which makes every one of them decode what it receives
               (send + receive in full); --no-fleet-decode measures bots that do not decode.

Sequence and checks:
  1. Chromium joins; a muted ttymeet listener then joins with a script that expects audio and
     expects "talking chromium": met means Chromium's audio went through Janus and was decoded
     by ttymeet while Chromium was the only speaker. Chromium's received audio energy
     (getStats inbound-rtp totalAudioEnergy) is sampled meanwhile: the baseline of a silent mix.
  2. The ttymeet speakers join. Once all report media connected and a warm-up has passed, the
     window starts: --seconds (default 60) of steady state.
  3. CPU: utime+stime from /proc/PID/stat at both ends of the window, as % of one core; for
     Chromium summed over its whole process tree (browser, renderer, GPU, network, audio and
     other utility processes: every descendant of chromedriver, chromedriver itself shown
     apart). Memory at the end of the window: VmRSS (and VmHWM) from /proc/PID/status and PSS
     from /proc/PID/smaps_rollup, summed over the tree for Chromium (RSS sums count shared
     pages once per process; PSS divides them, so it is the fair sum). The fleet's figures are
     also divided by N: "per participant at N".
  4. Verification after the window: the server's participant list (listparticipants) shows
     everyone; Chromium's getStats deltas over the window show packets sent and received,
     decoded samples and non-silent received audio (energy well above the step-1 baseline);
     every ttymeet speaker's stats events in the window show kbps_in and kbps_out > 0 with
     audio_in; the fleet's summaries have every expectation met. Failures are printed as
     "CHECK FAILED" lines and the exit code is 1.

The load of the machine (other processes, e.g. other people's builds) during the window is
printed from /proc/stat: CPU figures of all clients move with it. Janus's CPU is shown too.

Usage (root, after a build and scripts/bench-deps.sh):
    tests/bench/browser_bench.py [--ttymeet build/ttymeet] [--seconds 60] [--participants 20]
        [--low-complexity 0] [--fleet-complexity 10] [--no-fleet-decode] [--keep DIR]
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import procstat  # tests/bench/procstat.py, next to this script

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "integration"))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "lab"))
import browser  # noqa: E402  (tests/lab/browser.py: Chromium and chromedriver in the lab)

DEMO_PAGE = "audiobridgetest.html"
FLEET_RAMP = 10  # joins per second


# ---- /proc --------------------------------------------------------------------------------

def proc_label(pid):
    """What a process is: its executable's name, and for Chromium's children their --type
    (renderer, gpu-process, utility:audio.mojom.AudioService, ...)."""
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            cmd = f.read().replace(b"\0", b" ").decode("utf-8", "replace")
        with open("/proc/%d/comm" % pid) as f:
            comm = f.read().strip()
    except OSError:
        return "?"
    kind = re.search(r"--type=(\S+)", cmd)
    sub = re.search(r"--utility-sub-type=(\S+)", cmd)
    if not kind:
        return comm
    return kind.group(1) + (":" + sub.group(1).split(".")[0] if sub else "")


def descendants(root):
    """PIDs of every descendant of root (not root itself), from /proc/*/stat."""
    children = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(d))
    out, todo = [], [root]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


class CpuMeter:
    """CPU seconds of a set of processes between start() and stop(), per PID: a process that
    appears in between counts from 0, one that dies keeps its last reading (sampled by
    poll())."""

    def __init__(self, pids_fn):
        self.pids_fn = pids_fn
        self.first, self.last = {}, {}

    def start(self):
        self.first = {p: c for p in self.pids_fn() if (c := procstat.cpu_seconds(p)) is not None}
        self.last = dict(self.first)
        self.t0 = time.monotonic()

    def poll(self):
        for p in self.pids_fn():
            c = procstat.cpu_seconds(p)
            if c is not None:
                self.last[p] = c
                self.first.setdefault(p, 0.0)

    def stop(self):
        self.poll()
        self.wall = time.monotonic() - self.t0
        return self.cpu_s()

    def cpu_s(self, pids=None):
        keys = self.last if pids is None else [p for p in pids if p in self.last]
        return sum(self.last[p] - self.first.get(p, 0.0) for p in keys)

    def pct(self, pids=None):
        return 100.0 * self.cpu_s(pids) / self.wall if self.wall > 0 else float("nan")


def memory(pids):
    """Summed VmRSS, VmHWM, PSS and USS in MB of pids."""
    rss = sum(procstat.status_kb(p, "VmRSS") for p in pids)
    hwm = sum(procstat.status_kb(p, "VmHWM") for p in pids)
    roll = [procstat.rollup_kb(p) for p in pids]
    return {"rss_mb": rss / 1024, "hwm_mb": hwm / 1024,
            "pss_mb": sum(r["pss"] for r in roll) / 1024,
            "uss_mb": sum(r["uss"] for r in roll) / 1024}


# ---- Chromium (tests/lab/browser.py) -------------------------------------------------------

class Browser:
    """Chromium on the AudioBridge demo page, as the bench sees it: start() joins, stats()
    is getStats of the page's PeerConnection, tree() its processes, stop()."""

    def __init__(self, the_lab, cfg, log_path):
        self.cfg = cfg
        self.agent = browser.Browser(the_lab, cfg["tmp"], log_path)

    def start(self, timeout=90):
        try:
            self.agent.start()
            self.driver_pid = self.agent.driver_pid
            self.wd, self.version = self.agent.driver("chromium", self.cfg["wav"])
            browser.join_audiobridge(self.wd, self.agent.base, self.cfg["room"],
                                     self.cfg["name"])
        except browser.WebDriverError as e:
            raise RuntimeError("Chromium did not join: %s" % e) from e

    def stats(self):
        try:
            s = self.wd.js_async(browser.AB_STATS_JS)
        except browser.WebDriverError as e:
            raise RuntimeError("browser agent: %s" % e) from e
        if "error" in s:
            raise RuntimeError("Chromium getStats: %s" % s["error"])
        return s

    def tree(self):
        """Chromium's processes (every descendant of chromedriver)."""
        return descendants(self.driver_pid)

    def stop(self):
        self.agent.stop()


# ---- ttymeet side ---------------------------------------------------------------------------

def _imports():
    global harness, lab, T
    import harness  # noqa: F401  (tests/integration/harness.py)
    from harness import lab  # noqa: F401
    import test_audio as T  # noqa: F401


def speech_wav(path):
    """The story (espeak-ng), played looped by every client."""
    return T.speech(path, T.STORY, speed=150)


def media_up(c, who=None, timeout=30):
    return c.wait_event(lambda e: e["event"] == "media" and e.get("kind", "audio") == "audio"
                        and e.get("state") == "connected" and e.get("who") == who, timeout)


def stats_in_window(c, t_lo, t_hi, who=None):
    """A client's stats events whose arrival lies in the window (client time: t)."""
    return [e for e in c.events if e["event"] == "stats" and e.get("who") == who
            and t_lo <= e["t"] <= t_hi]


def client_time(c, mono, who=None, ramp=None):
    """Our monotonic time -> the client's event time t (t = 0 is roughly its start). In a
    --participants process each participant's t counts from its own ramped start: who
    "name-K" started (K - 1) / ramp seconds after the process."""
    t = mono - c.started
    if who and ramp:
        t -= (int(who.rsplit("-", 1)[1]) - 1) / ramp
    return t


def stop_client(c, timeout=30):
    c.send_signal(signal.SIGTERM)
    try:
        return c.wait_exit(timeout)
    except AssertionError:
        return None


def run(args):
    path = harness.ttymeet_path()
    tmp = tempfile.mkdtemp(prefix="ttm-browser-")
    os.chmod(tmp, 0o755)
    wav = os.path.join(tmp, "speech.wav")
    speech_len = speech_wav(wav)
    fails = []
    res = {}
    low = str(args.low_complexity)
    n = args.participants
    print("ttymeet: %s\nspeech: %.1f s WAV (espeak-ng, looped by every client)" % (path,
                                                                                   speech_len))
    try:
        with lab.Lab(save_log_to=os.path.join(tmp, "janus.log")) as L:
            cfg = {"url": L.url, "room": L.room, "name": "chromium", "wav": wav, "tmp": tmp}
            br = Browser(L, cfg, os.path.join(tmp, "agent.log"))
            try:
                res.update(measure(L, br, path, tmp, wav, low, n, args, fails))
            except (RuntimeError, AssertionError, lab.LabError) as e:
                check(fails, False, "the run stopped: %s" % e)
            finally:
                br.stop()
    finally:
        if args.keep:
            os.makedirs(args.keep, exist_ok=True)
            for f in os.listdir(tmp):
                src = os.path.join(tmp, f)
                if os.path.isfile(src):
                    shutil.copy(src, args.keep)
        shutil.rmtree(tmp, ignore_errors=True)
    report(res, args, fails)
    return 1 if fails else 0


def check(fails, ok, what):
    if not ok:
        fails.append(what)
        print("CHECK FAILED: %s" % what)
    return ok


def measure(L, br, path, tmp, wav, low, n, args, fails):
    res = {}
    t = time.monotonic()
    br.start()
    res["chromium_join_s"] = time.monotonic() - t
    res["chromium_version"] = br.version
    print("chromium %s joined in %.1f s (pid tree %s)" % (br.version, res["chromium_join_s"],
                                                        br.tree()))
    # 1. Chromium is the only speaker: a muted ttymeet must hear and see it talking.
    script = os.path.join(tmp, "listen.script")
    with open(script, "w") as f:
        f.write("expect audio within 10s\nexpect talking chromium within 10s\n"
                "expect participants >= 2 within 5s\nat 11s leave\n")
    s0 = br.stats()
    lis = harness.start_client(L, harness.HEADLESS + ["-n", "tty-listen", "--mute", "--script",
                                                      script, L.url, str(L.room)], "listener")
    rc = lis.wait_exit(30)
    s1 = br.stats()
    lsum = [e for e in lis.events if e["event"] == "summary"]
    check(fails, rc == 0 and lsum and lsum[0]["expectations"]["failed"] == 0,
          "ttymeet hears Chromium (listener exit %s, expectations %s)"
          % (rc, lsum[0]["expectations"] if lsum else None))
    lst = [e for e in lis.events if e["event"] == "stats"]
    res["listener_kbps_in"] = max([e["kbps_in"] for e in lst] or [0])
    check(fails, res["listener_kbps_in"] > 5, "listener kbps_in > 5 while only Chromium speaks "
          "(%.1f)" % res["listener_kbps_in"])
    d_in = s1["in_duration"] - s0["in_duration"]
    res["chromium_energy_silent"] = (s1["in_energy"] - s0["in_energy"]) / d_in if d_in else 0
    check(fails, s1["out_packets"] - s0["out_packets"] > 40 * 10,
          "Chromium sends ~50 packets/s (%d packets in the listener's ~11 s)"
          % (s1["out_packets"] - s0["out_packets"]))

    # 2. The ttymeet speakers.
    common = harness.HEADLESS + ["--play", wav, "--loop"]
    c10 = harness.start_client(L, common + ["-n", "tty-c10", "--complexity", "10", L.url,
                                            str(L.room)], "tty-c10")
    clo = harness.start_client(L, common + ["-n", "tty-c%s" % low, "--complexity", low, L.url,
                                            str(L.room)], "tty-c" + low)
    fleet_args = common + ["--participants", str(n), "--ramp", str(FLEET_RAMP), "--name-pattern",
                           "fleet-%d", "--complexity", str(args.fleet_complexity)]
    if args.fleet_decode:
        fscript = os.path.join(tmp, "fleet.script")
        with open(fscript, "w") as f:
            f.write("expect audio within %ds\nexpect participants >= %d within %ds\n"
                    % (n // 10 + 15, n + 3, n // 10 + 15))
        fleet_args += ["--script", fscript]
    fleet = harness.start_client(L, fleet_args + [L.url, str(L.room)], "fleet")
    singles = [("tty-c10", c10), ("tty-c" + low, clo)]
    for name, c in singles:
        media_up(c)
    for i in range(1, n + 1):
        media_up(fleet, "fleet-%d" % i, 30 + n / 10)
    time.sleep(args.warmup)

    # 3. The window.
    meters = {name: CpuMeter(lambda p=c.proc.pid: [p]) for name, c in singles}
    meters["fleet"] = CpuMeter(lambda: [fleet.proc.pid])
    meters["chromium"] = CpuMeter(br.tree)
    meters["chromedriver"] = CpuMeter(lambda: [br.driver_pid])
    meters["janus"] = CpuMeter(lambda: [L.janus_pid])
    sb0 = procstat.machine_ticks()
    st0 = br.stats()
    w0 = time.monotonic()
    for m in meters.values():
        m.start()
    peak_pss = 0.0
    while time.monotonic() - w0 < args.seconds:
        time.sleep(min(5.0, args.seconds - (time.monotonic() - w0)))
        meters["chromium"].poll()
        peak_pss = max(peak_pss, memory(br.tree())["pss_mb"])
    for m in meters.values():
        m.stop()
    w1 = time.monotonic()
    st1 = br.stats()
    sb1 = procstat.machine_ticks()
    res["window_s"] = w1 - w0
    ours = sum(m.cpu_s() for m in meters.values()) * procstat.CLK_TCK
    res["machine_busy_pct"] = 100.0 * (sb1[0] - sb0[0]) / max(1, sb1[1] - sb0[1]) * os.cpu_count()
    res["others_pct"] = 100.0 * ((sb1[0] - sb0[0]) - ours) / max(1, sb1[1] - sb0[1]) * \
        os.cpu_count()
    res["loadavg"] = os.getloadavg()
    tree = br.tree()
    res["chromium_procs"] = sorted(proc_label(p) for p in tree)
    res["mem"] = {name: memory([c.proc.pid]) for name, c in singles}
    res["mem"]["fleet"] = memory([fleet.proc.pid])
    res["mem"]["chromium"] = memory(tree)
    res["mem"]["chromium"]["peak_pss_mb"] = peak_pss
    res["cpu"] = {k: m.pct() for k, m in meters.items()}
    res["per_proc"] = sorted(((proc_label(p), meters["chromium"].pct([p]),
                               procstat.rollup_kb(p)["pss"] / 1024)
                              for p in tree), key=lambda x: -x[1])

    # 4. Verification.
    parts = L.list_participants()
    names = sorted(browser.visible_name(p.get("display", "")) for p in parts)
    want = sorted(["chromium", "tty-c10", "tty-c" + low]
                  + ["fleet-%d" % i for i in range(1, n + 1)])
    res["participants"] = len(parts)
    check(fails, names == want, "the server lists everyone (%d of %d; missing %s)"
          % (len(parts), len(want), sorted(set(want) - set(names))))
    dur = st1["in_duration"] - st0["in_duration"]
    res["chromium_rx"] = {
        "packets_in_per_s": (st1["in_packets"] - st0["in_packets"]) / res["window_s"],
        "packets_out_per_s": (st1["out_packets"] - st0["out_packets"]) / res["window_s"],
        "kbps_in": 8 * (st1["in_bytes"] - st0["in_bytes"]) / res["window_s"] / 1000,
        "kbps_out": 8 * (st1["out_bytes"] - st0["out_bytes"]) / res["window_s"] / 1000,
        "decoded_s": (st1["in_samples"] - st0["in_samples"]) / 48000.0,
        "concealed_pct": 100.0 * (st1["in_concealed"] - st0["in_concealed"])
        / max(1, st1["in_samples"] - st0["in_samples"]),
        "energy": (st1["in_energy"] - st0["in_energy"]) / dur if dur else 0,
        "lost_in": st1["in_lost"] - st0["in_lost"],
        "lost_up": (st1.get("up_lost") or 0) - (st0.get("up_lost") or 0),
    }
    cr = res["chromium_rx"]
    check(fails, cr["packets_out_per_s"] > 40, "Chromium sends ~50 packets/s (%.1f)"
          % cr["packets_out_per_s"])
    check(fails, cr["packets_in_per_s"] > 40, "Chromium receives ~50 packets/s (%.1f)"
          % cr["packets_in_per_s"])
    check(fails, cr["decoded_s"] > 0.9 * res["window_s"], "Chromium decodes in real time "
          "(%.1f s of audio in %.1f s)" % (cr["decoded_s"], res["window_s"]))
    check(fails, cr["energy"] > 10 * max(res["chromium_energy_silent"], 1e-6),
          "Chromium hears ttymeet: received energy %.2e vs %.2e while only it spoke"
          % (cr["energy"], res["chromium_energy_silent"]))
    tl, th = w0, w1
    for name, c in singles:
        st = stats_in_window(c, client_time(c, tl), client_time(c, th))
        ok = st and all(e["kbps_in"] > 5 and e["kbps_out"] > 5 and e.get("audio_in")
                        for e in st)
        res.setdefault("kbps", {})[name] = (
            sum(e["kbps_in"] for e in st) / max(1, len(st)),
            sum(e["kbps_out"] for e in st) / max(1, len(st)))
        check(fails, ok, "%s sends and receives audio in every stats interval (%s)"
              % (name, [(e["kbps_in"], e["kbps_out"], e.get("audio_in")) for e in st]))
    fst = [e for e in fleet.events if e["event"] == "stats" and e.get("who")
           and client_time(fleet, tl, e["who"], FLEET_RAMP) <= e["t"]
           <= client_time(fleet, th, e["who"], FLEET_RAMP)]
    bad = [e["who"] for e in fst if not (e["kbps_in"] > 5 and e["kbps_out"] > 5)]
    check(fails, len({e["who"] for e in fst}) == n and not bad,
          "every fleet participant sends and receives (%d reporting, %d bad intervals)"
          % (len({e["who"] for e in fst}), len(bad)))
    res["fleet_kbps"] = (sum(e["kbps_in"] for e in fst) / max(1, len(fst)),
                         sum(e["kbps_out"] for e in fst) / max(1, len(fst)))
    for name, c in singles + [("fleet", fleet)]:
        rc = stop_client(c, 30 + n)
        check(fails, rc == 0, "%s leaves cleanly (exit %s)" % (name, rc))
    agg = [e for e in fleet.events if e["event"] == "summary" and e.get("who") == "all"]
    if args.fleet_decode:
        ex = agg[0]["expectations"] if agg else None
        res["fleet_expectations"] = ex
        check(fails, ex and ex["failed"] == 0 and ex["met"] == 2 * n,
              "fleet expectations (audio heard, everyone present) all met: %s" % ex)
    return res


def report(res, args, fails):
    if "cpu" not in res:
        return
    n = args.participants
    low, fc = args.low_complexity, args.fleet_complexity
    cpu, mem = res["cpu"], res["mem"]
    rows = [
        ("ttymeet, 1 participant, complexity 10", cpu["tty-c10"], mem["tty-c10"]),
        ("ttymeet, 1 participant, complexity %d" % low, cpu["tty-c%d" % low], mem["tty-c%d" % low]),
        ("ttymeet, %d in one process (whole), complexity %d" % (n, fc), cpu["fleet"],
         mem["fleet"]),
        ("ttymeet, %d in one process, per participant" % n, cpu["fleet"] / n,
         {k: v / n for k, v in mem["fleet"].items()}),
        ("Chromium, whole tree (%d processes)" % len(res["chromium_procs"]), cpu["chromium"],
         mem["chromium"]),
    ]
    print()
    print("window %.0f s; machine busy %.0f %% of one core in total, of which others (not the "
          "clients, Janus or chromedriver) %.0f %%; load average %s"
          % (res["window_s"], res["machine_busy_pct"], res["others_pct"],
             " ".join("%.2f" % x for x in res["loadavg"])))
    print("janus %.1f %% of one core (%d participants); chromedriver %.2f %%"
          % (cpu["janus"], res["participants"], cpu["chromedriver"]))
    print("Chromium %s, processes: %s" % (res.get("chromium_version"),
                                          ", ".join("%s %.1f%% %.0fMB" % p
                                                    for p in res["per_proc"])))
    cr = res["chromium_rx"]
    print("Chromium audio over the window: in %.1f kbps %.1f pkt/s, out %.1f kbps %.1f pkt/s, "
          "decoded %.1f s (%.1f %% concealed), lost in %d, lost up %d"
          % (cr["kbps_in"], cr["packets_in_per_s"], cr["kbps_out"], cr["packets_out_per_s"],
             cr["decoded_s"], cr["concealed_pct"], cr["lost_in"], cr["lost_up"]))
    print("ttymeet kbps in/out: %s; fleet mean %.1f/%.1f%s"
          % (", ".join("%s %.1f/%.1f" % (k, v[0], v[1]) for k, v in res["kbps"].items()),
             res["fleet_kbps"][0], res["fleet_kbps"][1],
             "" if args.fleet_decode else " (fleet does not decode: --no-fleet-decode)"))
    print()
    w = max(len(r[0]) for r in rows)
    print("%-*s  %7s  %7s  %7s  %7s  %7s" % (w, "client", "CPU %", "RSS MB", "HWM MB", "PSS MB",
                                              "USS MB"))
    for name, c, m in rows:
        print("%-*s  %7.2f  %7.1f  %7.1f  %7.1f  %7.1f" % (w, name, c, m["rss_mb"], m["hwm_mb"],
                                                          m["pss_mb"], m["uss_mb"]))
    print("(CPU: %% of one core over the window. RSS and HWM of Chromium are sums over its "
          "processes, shared pages counted once per process; PSS divides shared pages among "
          "the processes mapping them, so a ttymeet's PSS is lowered by the other ttymeet "
          "processes here, which map the same libraries; USS is private memory only. "
          "Chromium's PSS peaked at %.1f MB.)" % mem["chromium"]["peak_pss_mb"])
    print()
    ch_cpu, ch_pss = cpu["chromium"], mem["chromium"]["pss_mb"]
    ch_uss = mem["chromium"]["uss_mb"]
    one, fl = mem["tty-c10"], {k: v / n for k, v in mem["fleet"].items()}
    ratios = [
        ("CPU: Chromium / ttymeet complexity 10", ch_cpu / cpu["tty-c10"], ">= 10"),
        ("CPU: Chromium / ttymeet complexity %d" % low, ch_cpu / cpu["tty-c%d" % low], ">= 10"),
        ("CPU: Chromium / ttymeet per participant at N=%d, complexity %d" % (n, fc),
         ch_cpu / (cpu["fleet"] / n), ">= 10"),
        ("memory: Chromium PSS / ttymeet RSS, 1 participant", ch_pss / one["rss_mb"], ">= 20"),
        ("memory: Chromium PSS / ttymeet PSS, 1 participant", ch_pss / one["pss_mb"], ">= 20"),
        ("memory: Chromium USS / ttymeet USS, 1 participant", ch_uss / one["uss_mb"], ">= 20"),
        ("memory: Chromium PSS / ttymeet RSS per participant at N=%d" % n,
         ch_pss / fl["rss_mb"], ">= 20"),
        ("memory: Chromium PSS / ttymeet PSS per participant at N=%d" % n,
         ch_pss / fl["pss_mb"], ">= 20"),
    ]
    w = max(len(r[0]) for r in ratios)
    print("%-*s  %8s  %s" % (w, "ratio", "measured", "target"))
    for name, v, target in ratios:
        print("%-*s  %8.1f  %s" % (w, name, v, target))
    print()
    print("targets for ttymeet: <= 3 %% of a core at complexity 10 (%.2f), <= 1 %% at a bot "
          "complexity (%.2f at %d; %.2f per participant at N=%d, complexity %d), <= 10 MB RSS "
          "per participant at N=%d (%.1f MB RSS, %.1f MB PSS)"
          % (cpu["tty-c10"], cpu["tty-c%d" % low], low, cpu["fleet"] / n, n, fc, n,
             mem["fleet"]["rss_mb"] / n, mem["fleet"]["pss_mb"] / n))
    if fails:
        print("\n%d CHECKS FAILED: the figures above are not trustworthy" % len(fails))


def main():
    ap = argparse.ArgumentParser(description="ttymeet vs headless Chromium (prints figures)")
    ap.add_argument("--ttymeet", help="binary (default: $TTYMEET or build/ttymeet)")
    ap.add_argument("--seconds", type=float, default=60.0, help="measurement window")
    ap.add_argument("--warmup", type=float, default=5.0, help="after everyone's media is up")
    ap.add_argument("--participants", type=int, default=20, help="fleet size (one process)")
    ap.add_argument("--low-complexity", type=int, default=0, choices=range(0, 11),
                    metavar="0..10", help="Opus complexity of the second single participant")
    ap.add_argument("--fleet-complexity", type=int, default=10, choices=range(0, 11),
                    metavar="0..10", help="Opus complexity of the fleet (default 10)")
    ap.add_argument("--fleet-decode", action=argparse.BooleanOptionalAction, default=True,
                    help="fleet runs 'expect audio', so every bot decodes (default: yes)")
    ap.add_argument("--keep", metavar="DIR", help="keep logs (Janus, chromedriver) in DIR")
    args = ap.parse_args()
    if args.ttymeet:
        os.environ["TTYMEET"] = os.path.abspath(args.ttymeet)
    if os.geteuid() != 0:
        print("browser_bench.py: needs root (network namespaces)", file=sys.stderr)
        return 2
    missing = browser.missing([DEMO_PAGE])
    if missing or not shutil.which("espeak-ng"):
        print("browser_bench.py: missing %s: run scripts/bench-deps.sh as root"
              % (", ".join(missing) or "espeak-ng"), file=sys.stderr)
        return 2
    if args.participants < 1:
        print("browser_bench.py: --participants must be >= 1", file=sys.stderr)
        return 2
    _imports()
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
