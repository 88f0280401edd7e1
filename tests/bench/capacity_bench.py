#!/usr/bin/env python3
"""How many ttymeet participants one machine sustains in the lab (issue 7). Prints figures; the
exit code says only whether the bench itself could run (0) or not (2).

Each step N (default 10, 20, 30, ..., 80, 100, 120, 150, 200) gets a fresh lab (tests/lab/lab.py:
a real Janus in one network namespace, ttymeet in another, on the same machine) and one
AudioBridge room, and starts --procs ttymeet processes (default 1) that together run N
participants (--participants, --name-pattern, --ramp; each plays the espeak-ng speech WAV in a
loop at --complexity, default 0 as bots would). Every participant runs this script (times from
its own ramped start; R = N / ramp seconds):
    expect participants >= N within R+20s
    expect audio within R+20s          (so every participant decodes what it receives)
    expect no error
Once every participant has reported media connected, a warm-up (5 s) passes and the window
(--seconds, default 30) begins: CPU of the ttymeet processes and of Janus (utime+stime from
/proc, % of one core; Janus's busiest thread too, which for one room is its AudioBridge mixer)
and of the whole machine (/proc/stat: what other people's work adds). At the start of the
window the server's participant list must show N. After it, SIGTERM: every participant leaves,
prints its summary, and the processes exit.

A step is good when: every participant connected, the server listed N, every process exited 0,
every expectation of every participant was met, and the packet loss in the window (the mean,
over participants, of their stats events' loss_pct (down) and loss_up_pct (up) inside the
window) is at most --max-loss (1 %) each way. Two more conditions catch an overloaded client
that loss does not show: every participant's send rate in the window is at least
--min-kbps-out (27 kbps on the wire; 24 kbps Opus is 34-38 with headers: a participant whose
20 ms clock is starved for more than 100 ms at a time skips frames, which no loss counter sees,
since the packets it does send are numbered without gaps) and the
mean of the summaries' MOS (E-model: delay, loss, codec) is at least --min-mos (3.6; a jitter
buffer swollen by late packets lowers it). The summaries' whole-session figures (loss,
concealed ratio, jitter, MOS, join time) are printed too. Stepping stops at the first step that
is not good (--keep-going runs them all); the largest good N is the answer.

Janus shares the machine (2 cores here) and mixes every participant's audio in one thread per
room, so the figure is the lab's (ttymeet plus Janus on one machine), not ttymeet's alone.

Usage (root, after a build):
    tests/bench/capacity_bench.py [--ttymeet build/ttymeet] [--steps 10,20,40,...] [--procs 1]
        [--seconds 30] [--ramp 10] [--complexity 0] [--max-loss 1] [--min-kbps-out 27]
        [--min-mos 3.6] [--keep-going]
        [--keep DIR]   (DIR: every step's events and Janus log)
"""

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import browser_bench as B  # noqa: E402  (the lab helpers, the speech WAV)
import procstat  # noqa: E402

DEFAULT_STEPS = "10,20,30,40,50,60,70,80,100,120,150,200"


def split(n, procs):
    """N participants over procs processes, as evenly as possible, at least 2 in each (a
    process of one prints its events without "who")."""
    procs = max(1, min(procs, n // 2))
    return [n // procs + (1 if i < n % procs else 0) for i in range(procs)]


def window_stats(clients, t_lo, t_hi, ramp):
    """Per participant, the mean loss_pct, loss_up_pct and kbps_out of its stats events in the
    window [t_lo, t_hi] (our monotonic clock; ramp: joins per second of each process):
    {who: (down, up, kbps_out, intervals)}."""
    per = {}
    for c in clients:
        for e in c.events:
            who = e.get("who")
            if (e["event"] == "stats" and who
                    and B.client_time(c, t_lo, who, ramp) <= e["t"]
                    <= B.client_time(c, t_hi, who, ramp)):
                d = per.setdefault(who, [[], [], []])
                for i, key in enumerate(("loss_pct", "loss_up_pct", "kbps_out")):
                    if isinstance(e.get(key), (int, float)):
                        d[i].append(e[key])
    mean = (lambda xs: sum(xs) / len(xs) if xs else float("nan"))
    return {w: (mean(d[0]), mean(d[1]), mean(d[2]), max(len(x) for x in d))
            for w, d in per.items()}


def step(n, args, wav, tmp):
    """Runs one step; returns a dict of figures and "problems" (empty: a good step)."""
    res = {"n": n, "problems": []}
    prob = res["problems"]
    sizes = split(n, args.procs)
    res["procs"] = len(sizes)
    ramp_s = n / args.ramp
    script = os.path.join(tmp, "cap%d.script" % n)
    with open(script, "w") as f:
        f.write("expect participants >= %d within %ds\nexpect audio within %ds\n"
                "expect no error\n" % (n, ramp_s + 20, ramp_s + 20))
    log = os.path.join(args.keep, "n%d-janus.log" % n) if args.keep else None
    if log:
        os.makedirs(args.keep, exist_ok=True)
    with B.lab.Lab(save_log_to=log) as L:
        clients = []
        # Processes start together; each ramps its own share at ramp / procs joins per second.
        for i, size in enumerate(sizes):
            c = B.harness.start_client(
                L, B.harness.HEADLESS + ["--participants", str(size), "--ramp",
                                         "%g" % (args.ramp / len(sizes)), "--name-pattern",
                                         "p%d-%%d" % (i + 1), "--play", wav, "--loop",
                                         "--complexity", str(args.complexity), "--script",
                                         script, L.url, str(L.room)], "proc%d" % (i + 1))
            clients.append(c)
        t_start = time.monotonic()
        deadline = t_start + ramp_s + 30
        pending = {(c, "p%d-%d" % (i + 1, k)) for i, (c, size) in enumerate(zip(clients, sizes))
                   for k in range(1, size + 1)}
        while pending and time.monotonic() < deadline:
            for c, who in list(pending):
                if c.find(lambda e, w=who: e["event"] == "media" and e.get("who") == w
                          and e.get("state") == "connected"):
                    pending.discard((c, who))
            if any(c.proc.poll() is not None for c in clients):
                break
            time.sleep(0.2)
        res["connect_s"] = time.monotonic() - t_start
        res["connected"] = n - len(pending)
        if pending:
            prob.append("%d of %d connected within %.0f s" % (n - len(pending), n,
                                                             ramp_s + 30))
        if not pending:
            time.sleep(args.warmup)
            try:
                res["listed"] = len(L.list_participants())
            except B.lab.LabError as e:
                res["listed"] = None
                prob.append("listparticipants failed: %s" % e)
            if res["listed"] is not None and res["listed"] != n:
                prob.append("the server lists %s participants, not %d" % (res["listed"], n))
            pids = [c.proc.pid for c in clients]
            tty = B.CpuMeter(lambda: pids)
            jan = B.CpuMeter(lambda: [L.janus_pid])
            jt0 = procstat.threads_cpu(L.janus_pid)
            sb0 = procstat.machine_ticks()
            w0 = time.monotonic()
            tty.start()
            jan.start()
            time.sleep(args.seconds)
            tty.stop()
            jan.stop()
            w1 = time.monotonic()
            sb1 = procstat.machine_ticks()
            jt1 = procstat.threads_cpu(L.janus_pid)
            wall = w1 - w0
            res["window_s"] = wall
            res["tty_cpu"] = tty.pct()
            res["tty_cpu_max_proc"] = max(tty.pct([p]) for p in pids)
            res["janus_cpu"] = jan.pct()
            busiest = max(((jt1[t][1] - jt0.get(t, ("", 0.0))[1], jt1[t][0]) for t in jt1),
                          default=(0.0, "?"))
            res["janus_thread"] = (busiest[1], 100.0 * busiest[0] / wall)
            busy = sb1[0] - sb0[0]
            total = max(1, sb1[1] - sb0[1])
            res["machine_pct"] = 100.0 * busy / total * os.cpu_count()
            res["others_pct"] = 100.0 * (busy - (tty.cpu_s() + jan.cpu_s()) * procstat.CLK_TCK) \
                / total * os.cpu_count()
            res["loadavg"] = os.getloadavg()[0]
            mem = B.memory(pids)
            res["rss_per_participant_mb"] = mem["rss_mb"] / n
            res["pss_per_participant_mb"] = mem["pss_mb"] / n
            loss = window_stats(clients, w0, w1, args.ramp / len(sizes))
            res["reporting"] = len(loss)
            downs = [v[0] for v in loss.values() if v[0] == v[0]]
            ups = [v[1] for v in loss.values() if v[1] == v[1]]
            outs = [v[2] for v in loss.values() if v[2] == v[2]]
            res["kbps_out"] = (sum(outs) / len(outs) if outs else float("nan"),
                               min(outs, default=float("nan")))
            slow = [v for v in outs if not v >= args.min_kbps_out]
            if slow or not outs:
                prob.append("%d participants sent under %.0f kbps (lowest %.1f): their loop "
                            "fell behind" % (len(slow), args.min_kbps_out, res["kbps_out"][1]))
            res["loss_down"] = (sum(downs) / len(downs) if downs else float("nan"),
                                max(downs, default=float("nan")))
            res["loss_up"] = (sum(ups) / len(ups) if ups else float("nan"),
                              max(ups, default=float("nan")))
            if len(loss) < n:
                prob.append("only %d of %d participants reported stats in the window"
                            % (len(loss), n))
            for label, (mean, worst) in (("down", res["loss_down"]), ("up", res["loss_up"])):
                if not mean <= args.max_loss:
                    prob.append("loss %s %.2f %% (worst participant %.2f %%)"
                                % (label, mean, worst))
        for c in clients:
            c.send_signal(signal.SIGTERM)
        for c in clients:
            try:
                rc = c.wait_exit(30 + n / 5)
            except AssertionError:
                rc = None
            if rc != 0:
                prob.append("%s exited %s" % (c.name, rc))
                err = c.stderr.strip().splitlines()
                if err:
                    prob.append("%s stderr: %s" % (c.name, err[-1][:200]))
        parts = []
        for c in clients:
            agg = [e for e in c.events if e["event"] == "summary" and e.get("who") == "all"]
            got = agg[0].get("participants") or [] if agg else []
            if not got:
                prob.append("%s: no summary" % c.name)
            parts.extend(got)
        res["summaries"] = len(parts)
        met = sum(p["expectations"]["met"] for p in parts)
        failed = [p["name"] for p in parts if p["expectations"]["failed"]
                  or p["expectations"]["pending"]]
        res["expectations"] = (met, len(failed))
        if failed:
            first = [x for x in next(p for p in parts if p["name"] == failed[0])
                     ["expectations"]["list"] if x["state"] != "met"]
            prob.append("%d participants with expectations not met (e.g. %s: %s)"
                        % (len(failed), failed[0], first[0].get("message") or first[0]["source"]
                           if first else "?"))
        if res["summaries"] != n:
            prob.append("%d summaries for %d participants" % (res["summaries"], n))

        def agg_mean(key, sub="mean"):
            vals = [p[key][sub] if isinstance(p.get(key), dict) else p.get(key) for p in parts]
            vals = [v for v in vals if isinstance(v, (int, float))]
            return (sum(vals) / len(vals), max(vals)) if vals else (float("nan"),) * 2
        res["sum_loss_down"] = agg_mean("loss_down_pct")
        res["sum_loss_up"] = agg_mean("loss_up_pct")
        res["concealed"] = agg_mean("concealed_ratio")
        res["jitter_ms"] = agg_mean("jitter_ms")
        res["mos"] = agg_mean("mos")
        if not res["mos"][0] >= args.min_mos:
            prob.append("mean MOS %.2f under %.2f" % (res["mos"][0], args.min_mos))
        joins = sorted(p["join_ms"].get("total") for p in parts
                       if isinstance(p.get("join_ms", {}).get("total"), (int, float)))
        res["join_p95_ms"] = joins[int(0.95 * (len(joins) - 1))] if joins else float("nan")
        if args.keep:
            for c in clients:
                with open(os.path.join(args.keep, "n%d-%s.jsonl" % (n, c.name)), "w") as f:
                    for e in c.events:
                        f.write(json.dumps(e) + "\n")
    return res


def fmt_pair(p, d=2):
    return "%.*f/%.*f" % (d, p[0], d, p[1])


def print_row(r):
    good = "good" if not r["problems"] else "NOT GOOD"
    if "window_s" not in r:
        print("N=%-4d %s: %s" % (r["n"], good, "; ".join(r["problems"])))
        return
    print("N=%d (%d process%s): %s" % (r["n"], r["procs"], "" if r["procs"] == 1 else "es",
                                          good))
    print("    CPU %% of one core: ttymeet %.1f (busiest process %.1f), Janus %.1f (busiest thread "
          "%r %.1f); whole machine %.0f of %d, others %.0f; load average %.2f"
          % (r["tty_cpu"], r["tty_cpu_max_proc"], r["janus_cpu"], r["janus_thread"][0],
             r["janus_thread"][1], r["machine_pct"], 100 * os.cpu_count(), r["others_pct"],
             r["loadavg"]))
    print("    window: loss down %s, up %s %% (mean/worst); kbps out %s (mean/lowest)"
          % (fmt_pair(r["loss_down"]), fmt_pair(r["loss_up"]), fmt_pair(r["kbps_out"], 1)))
    print("    summaries: loss down %s up %s, concealed %s, jitter %s ms, MOS %s, join p95 "
          "%.0f ms, expectations met %d (participants failing %d), RSS %.1f MB PSS %.1f MB per "
          "participant" % (fmt_pair(r["sum_loss_down"]), fmt_pair(r["sum_loss_up"]),
                           fmt_pair(r["concealed"], 3), fmt_pair(r["jitter_ms"], 1),
                           fmt_pair(r["mos"]), r["join_p95_ms"], r["expectations"][0],
                           r["expectations"][1], r["rss_per_participant_mb"],
                           r["pss_per_participant_mb"]))
    for p in r["problems"]:
        print("    problem: %s" % p)


def main():
    ap = argparse.ArgumentParser(description="ttymeet capacity in the lab (prints figures)")
    ap.add_argument("--ttymeet", help="binary (default: $TTYMEET or build/ttymeet)")
    ap.add_argument("--steps", default=DEFAULT_STEPS, help="participant counts, in order")
    ap.add_argument("--procs", type=int, default=1, help="ttymeet processes sharing N")
    ap.add_argument("--seconds", type=float, default=30.0, help="measurement window per step")
    ap.add_argument("--warmup", type=float, default=5.0)
    ap.add_argument("--ramp", type=float, default=10.0, help="joins per second, all processes")
    ap.add_argument("--complexity", type=int, default=0, choices=range(0, 11), metavar="0..10")
    ap.add_argument("--max-loss", type=float, default=1.0, help="percent, each way")
    ap.add_argument("--min-kbps-out", type=float, default=27.0,
                    help="each participant's send rate in the window (on the wire)")
    ap.add_argument("--min-mos", type=float, default=3.6, help="mean of the summaries' MOS")
    ap.add_argument("--keep-going", action="store_true", help="run every step")
    ap.add_argument("--keep", metavar="DIR", help="keep every step's events in DIR")
    args = ap.parse_args()
    if args.ttymeet:
        os.environ["TTYMEET"] = os.path.abspath(args.ttymeet)
    if os.geteuid() != 0:
        print("capacity_bench.py: needs root (network namespaces)", file=sys.stderr)
        return 2
    if not shutil.which("espeak-ng"):
        print("capacity_bench.py: espeak-ng is missing (scripts/deps.sh)", file=sys.stderr)
        return 2
    try:
        steps = [int(x) for x in args.steps.split(",") if x.strip()]
    except ValueError:
        steps = []
    if not steps or min(steps) < 2 or args.procs < 1 or args.ramp <= 0:
        print("capacity_bench.py: bad --steps (each >= 2), --procs or --ramp", file=sys.stderr)
        return 2
    B._imports()
    tmp = tempfile.mkdtemp(prefix="ttm-capacity-")
    wav = os.path.join(tmp, "speech.wav")
    B.speech_wav(wav)
    print("ttymeet: %s; %d cores; steps %s; %s process(es); complexity %d; window %.0f s"
          % (B.harness.ttymeet_path(), os.cpu_count(), steps, args.procs, args.complexity,
             args.seconds))
    results = []
    try:
        for n in steps:
            r = step(n, args, wav, tmp)
            results.append(r)
            print_row(r)
            sys.stdout.flush()
            if r["problems"] and not args.keep_going:
                break
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    good = [r["n"] for r in results if not r["problems"]]
    first_bad = next((r["n"] for r in results if r["problems"]), None)
    print()
    print("%5s  %11s  %9s  %14s  %11s  %11s  %8s  %5s  %s"
          % ("N", "ttymeet CPU", "Janus CPU", "machine/others", "loss down", "loss up",
             "kbps out", "MOS", "verdict"))
    for r in results:
        if "window_s" not in r:
            print("%5d  %s" % (r["n"], "not good: " + r["problems"][0]))
            continue
        print("%5d  %10.1f%%  %8.1f%%  %8.0f/%4.0f%%  %11s  %11s  %8.1f  %5.2f  %s"
              % (r["n"], r["tty_cpu"], r["janus_cpu"], r["machine_pct"], r["others_pct"],
                 fmt_pair(r["loss_down"]), fmt_pair(r["loss_up"]), r["kbps_out"][0],
                 r["mos"][0], "good" if not r["problems"] else "NOT GOOD"))
    print()
    print("largest good N: %s%s" % (max(good) if good else "none",
                                    "" if first_bad is None else
                                    " (first step not good: N=%d)" % first_bad))
    return 0


if __name__ == "__main__":
    sys.exit(main())
