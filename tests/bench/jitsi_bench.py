#!/usr/bin/env python3
"""The figures of issue 15 (Jitsi Meet media) in the lab: link to first audio heard, peer-to-peer
and through the bridge; the CPU and memory of one ttymeet beside a headless Chromium running
lib-jitsi-meet in the same call; the audio gap at the P2P <-> bridge switches. Prints figures
(medians and ranges over --runs) against the issue's goals; asserts nothing about them, but
prints CHECK FAILED (exit 1) when a figure could not be measured.

The lab (tests/lab/lab.py, network namespaces): Debian's prosody, the stand-in focus
(tests/lab/focus.py) and, for the bridged parts, Janus's AudioBridge as the bridge (focus.py
--bridge, as integ_jitsi_bridge); lib-jitsi-meet (the 2021 npm build) on tests/lab/jitsi/page.html
in Debian's headless Chromium (tests/lab/browser.py), ttymeet given the room's Jitsi link
http://SERVER:PORT/ROOM with --headless. A lab with a passive focus (no bridge) for the P2P
parts, so that nothing but the direct session can carry audio, and bridging ones for the rest.

- p2p: per run, the page (anna: a fake microphone playing espeak-ng speech, or a steady tone
  with --mic tone; audio=1 ap=0; occupant id 00000000, which sorts first, so she offers P2P)
  joins a fresh room, then ttymeet (silent, --record) is started with the link and stays
  --stay seconds. Figures, all from ttymeet's own start (its t = 0, before it parses its
  arguments): the summary's join_ms.first_audio (first decoded non-silent audio: this includes
  the config.js fetch, which answers 404 in the lab (prosody serves no config.js; ttymeet then
  takes the defaults), the XMPP connection, the focus request, the MUC join, the Jingle offer
  and answer, ICE and DTLS), the audio media event's join_ms (start to ICE+DTLS up on the
  session that carries audio) and, from its recording, the first 10 ms window above a tenth
  of the recording's loud level (taken, as integ_jitsi_bridge takes it, to start at ttymeet's
  t = 0; as a check the script prints the summary's duration_s minus the recording's length:
  within +-20 ms in most runs, but the end of a recording may also be cut at exit, so it does
  not bound the start). The media event must say "peer-to-peer".
- bridge: the same in the bridged lab (focus.py --bridge, its offers naming a bridge channel,
  colibri-ws, as jicofo's do: tests/lab/colibri_ws.py) with the page at p2p=0 and ttymeet
  --no-p2p: the focus offers the AudioBridge sessions once two are in the room (as jicofo
  does), so ttymeet is the second participant and every figure counts from the second
  participant's start. The media event must say "through the bridge".
- cpu: one call of the page and one ttymeet (sending speech too: --play --loop, --record),
  after --warmup s of media, --cpu-seconds of utime+stime (/proc/PID/stat) of ttymeet and of
  every process under chromedriver (the browser, renderer, GPU, network, audio, storage and
  zygote processes; chromedriver itself not counted), in % of one core; at the end of the
  window PSS (fair share of shared pages), RSS and USS (private pages), Chromium's summed over
  its processes. Ratios Chromium / ttymeet against the goals (>= 5x CPU, >= 20x memory, taken
  as PSS). Cases, each --runs times:
    P2P             the P2P lab, page ap=0 (no audio processing, as in the tests);
    P2P, page ap=1  the same with Chromium's echo canceller, noise suppression and gain control
                    on, as a person's browser runs them (ttymeet has none of them);
    bridge          the bridged lab with the bridge channel, page p2p=0, ttymeet --no-p2p; the
                    page plays the bridge's mixed stream (ttm.playBridge(): lib-jitsi-meet
                    ignores a stream the bridge owns) so both sides decode and play;
    bridge, page ap=1  the same with Chromium's audio processing on;
    bridge, 2021 loop  the same with a focus that names no bridge channel: the 2021 client then
                    opens an SCTP data channel the offer has no m-line for and renegotiates its
                    bridge session 50-100 times a second (see tests/lab/jitsi/page.js; the
                    page's renegotiate=0 would stop it); no current Jitsi deployment offers
                    that, so it is shown apart (--no-loop skips it).
  In the bridged labs Janus runs on the same machine and maps many of ttymeet's libraries
  (GLib, libnice, OpenSSL...), which lowers ttymeet's PSS; the P2P lab has no Janus.
- switch: tests/integration/test_jitsi_switch.py's method with its helpers: the page sends a
  steady 440 Hz tone, P2P on (id 00000000), bridged lab; ttymeet (bob) records; a second
  ttymeet (carl) joins (the page ends P2P: bob's audio goes through the bridge), stays, leaves
  (after lib-jitsi-meet's backToP2PDelay, 5 s, the page offers P2P again). The gap at each
  switch is the silence in bob's recording (10 ms windows below a tenth of the tone's steady
  level) from 1.5 s before bob said its audio moved to 3 s after; both the total and the
  longest run. Goal: at most ~1 s.

--delay-ms D routes the lab's link through tests/lab/forwarder.py (Lab(impairable=True)) holding
each frame D ms each way: every exchange with the servers (config.js, XMPP, the focus, ICE and
DTLS with Janus) then costs a 2D round trip, as over the Internet. The browser and ttymeet are
both in the client namespace, so their direct (P2P) media path has no delay added; its
signaling (through prosody) has.

The machine's load average (os.getloadavg) is printed at the start and with every part: on a
shared machine the CPU figures, and the join times under load, move with it.

Usage (root, after a build and scripts/deps.sh --with-jitsi-browser):
    tests/bench/jitsi_bench.py [--ttymeet build/ttymeet] [--runs 3] [--only p2p,bridge,cpu,switch]
"""

import argparse
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "integration"))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "lab"))
import procstat  # noqa: E402  (tests/bench/procstat.py)

PARTS = ("p2p", "bridge", "cpu", "switch")
GOAL_JOIN_MS = 1000
GOAL_CPU_X, GOAL_MEM_X = 5.0, 20.0
GOAL_GAP_S = 1.0


def load():
    return "load average %.2f, %.2f, %.2f (%d cores)" % (os.getloadavg() + (os.cpu_count(),))


def tree_pids(root):
    """The descendants of root (not root): Chromium's processes under chromedriver."""
    kids = {}
    for d in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except OSError:
            continue
        kids.setdefault(int(st[st.rindex(")") + 2:].split()[1]), []).append(int(d))
    todo, out = list(kids.get(root, [])), []
    while todo:
        p = todo.pop()
        out.append(p)
        todo += kids.get(p, [])
    return out


def cpu_of(pids):
    """{pid: cpu seconds} of those still alive."""
    out = {}
    for p in pids:
        c = procstat.cpu_seconds(p)
        if c is not None:
            out[p] = c
    return out


def mem_of(pids):
    tot = {"rss": 0, "pss": 0, "uss": 0}
    for p in pids:
        r = procstat.rollup_kb(p)
        for k in tot:
            tot[k] += r[k]
    return tot


def stat(v, fmt="%.0f", unit=""):
    """'median (min-max)' of the values that are not None; '-' without any."""
    v = [x for x in v if x is not None]
    if not v:
        return "-"
    if len(v) == 1:
        return (fmt + "%s") % (v[0], unit)
    return (fmt + "%s (" + fmt + "-" + fmt + ", n=%d)") % (
        statistics.median(v), unit, min(v), max(v), len(v))


def first_sound_s(path, A):
    """Seconds into a WAV of the first 10 ms window above a tenth of its loud level (its 90th
    percentile window), or None when it holds no sound."""
    env = A.envelope_of(path)
    if not env:
        return None
    loud = sorted(env)[int(len(env) * 0.9)]
    if A.dbfs(loud) < -50:
        return None
    for i, v in enumerate(env):
        if v > loud / 10:
            return i * A.WIN_S
    return None


def wav_seconds(path, A):
    rate, x = A.read_wav(path)
    return len(x) / rate


class Bench:
    def __init__(self, args, tmp):
        import harness
        import browser
        import test_audio as A
        import test_browser_jitsi as TBJ
        import test_jitsi_switch as TJS
        from harness import lab
        self.args, self.tmp = args, tmp
        self.H, self.B, self.A, self.TBJ, self.TJS, self.lab = harness, browser, A, TBJ, TJS, lab
        self.fails = []
        self.n = 0
        self.speech = os.path.join(tmp, "anna.wav")
        self.tty_speech = os.path.join(tmp, "tty.wav")
        A.speech(self.speech, A.SENTENCE)
        A.speech(self.tty_speech, A.STORY[:160])
        self.tone = os.path.join(tmp, "tone.wav")
        TJS.tone(self.tone, seconds=30.0)

    def fail(self, what):
        print("  FAILED: %s" % what)
        self.fails.append(what)

    def room(self, base):
        self.n += 1
        return "%s%d" % (base, self.n)

    def open_lab(self, kind):
        """(Lab, ws URL, link base, Browser) of a started lab (closed by close_lab): kind "p2p"
        (a passive focus, no Janus), "bridge" (focus.py --bridge naming a bridge channel,
        colibri-ws, as jicofo does) or "nochannel" (--bridge without a bridge channel: the
        2021 client's renegotiation loop)."""
        kw = dict(impairable=True) if self.args.delay_ms else {}
        L = self.lab.Lab(janus=False, **kw) if kind == "p2p" else \
            self.lab.Lab(full_trickle=True, **kw)
        L.__enter__()
        try:
            if self.args.delay_ms:
                L.impair(delay_ms=self.args.delay_ms)
            ws = L.start_prosody(focus=True)
            if kind == "bridge":
                L.start_focus("--bridge", L.url, "--colibri-ws", L.start_bridge_channel())
            elif kind == "nochannel":
                L.start_focus("--bridge", L.url)
            else:
                L.start_focus()
            port = int(ws.rsplit(":", 1)[1].split("/")[0])
            br = self.B.Browser(L, L.dir, os.path.join(L.dir, "agent.log"),
                                serve=self.TBJ.PAGE_DIR).start()
        except BaseException:
            L.__exit__(*sys.exc_info())
            raise
        return L, ws, "http://%s:%d/" % (L.server_addr, port), br

    def close_lab(self, L, br):
        try:
            br.stop()
        finally:
            L.__exit__(None, None, None)

    def start_tty(self, L, name, link, extra, duration):
        return self.H.start_client(L, self.H.HEADLESS + self.TBJ.XMPP + [
            "-n", name, "--duration", "%g" % duration] + extra + [link], name)

    # --- link to first audio -----------------------------------------------------------

    def join_runs(self, bridged):
        kind = "bridge" if bridged else "p2p"
        want = "through the bridge" if bridged else "peer-to-peer"
        mic = self.tone if self.args.mic == "tone" else self.speech
        print("\n== link to first audio, %s (%s; page microphone: %s) ==" % (
            "through the bridge (AudioBridge)" if bridged else "peer-to-peer", load(),
            self.args.mic))
        L, ws, base, br = self.open_lab("bridge" if bridged else "p2p")
        rows = []
        try:
            page, version = br.driver("anna", wav=mic)
            print("  Chromium %s" % version)
            opts = dict(audio=1, ap=0)
            opts.update(dict(p2p=0) if bridged else dict(id="00000000"))
            for i in range(self.args.runs):
                room = self.room("Join" + kind.capitalize())
                sp, _ = self.TBJ.join(br, page, ws, room.lower(), "anna", **opts)
                time.sleep(1.0)  # the page's microphone track is sending before ttymeet comes
                rec = os.path.join(L.dir, "%s-%d.wav" % (kind, i))
                tty = self.start_tty(L, "ttybob", base + room, ["--record", rec] + (
                    ["--no-p2p"] if bridged else []), self.args.stay)
                rc = tty.wait_exit(self.args.stay + 30)
                media = [e for e in tty.find("media") if e.get("kind") == "audio" and
                         e.get("state") == "connected"]
                summ = tty.find("summary")
                j = summ[-1].get("join_ms", {}) if summ else {}
                joined = tty.find("joined")
                r = {"first_audio": j.get("first_audio"), "total": j.get("total"),
                     "joined": 1000 * joined[0]["t"] if joined else None,
                     "media": media[0].get("join_ms") if media else None,
                     "via": media[0].get("message") if media else None, "rec": None,
                     "offset": None}
                if os.path.exists(rec):
                    fs = first_sound_s(rec, self.A)
                    r["rec"] = fs * 1000 if fs is not None else None
                    if summ and summ[-1].get("duration_s"):
                        r["offset"] = 1000 * (summ[-1]["duration_s"] - wav_seconds(rec, self.A))
                print("  run %d (exit %s): in the room (joined event) at %s ms, audio %s, media "
                      "up %s ms, first audio %s ms (summary), first sound in the recording %s "
                      "ms (run minus recording length %s ms)" % (
                          i + 1, rc, fmt(r["joined"]), r["via"], fmt(r["media"]),
                          fmt(r["first_audio"]), fmt(r["rec"]), fmt(r["offset"])))
                if i == 0:
                    for e in tty.find(lambda e: e["event"] == "notice" and "config.js" in
                                      e.get("message", "")):
                        print("  ttymeet said at %.0f ms: %s" % (1000 * e["t"], e["message"]))
                if not r["via"] or not r["via"].startswith(want) or r["first_audio"] is None:
                    self.fail("%s run %d: audio %s, first audio %s\n%s" % (
                        kind, i + 1, r["via"], r["first_audio"], tty.describe()))
                rows.append(r)
                time.sleep(0.5)
        finally:
            self.close_lab(L, br)
        fa = [r["first_audio"] for r in rows]
        print("  -- %s: first audio (summary) %s, in the room %s, media up %s, first sound "
              "recorded %s; goal <= %d ms: %s (%s)" % (
                  kind, stat(fa, unit=" ms"), stat([r["joined"] for r in rows], unit=" ms"),
                  stat([r["media"] for r in rows], unit=" ms"),
                  stat([r["rec"] for r in rows], unit=" ms"), GOAL_JOIN_MS,
                  verdict([x <= GOAL_JOIN_MS for x in fa if x is not None]), load()))
        return rows

    # --- CPU and memory ------------------------------------------------------------------

    def cpu_call(self, L, ws, base, br, page, bridged, ap):
        """One call, the page and one ttymeet; returns the figures of the window."""
        room = self.room("Cpu")
        opts = dict(audio=1, ap=ap)
        opts.update(dict(p2p=0) if bridged else dict(id="00000000"))
        self.TBJ.join(br, page, ws, room.lower(), "anna", **opts)
        dur = 15 + self.args.warmup + self.args.cpu_seconds
        tty = self.start_tty(L, "ttybob", base + room, [
            "--play", self.tty_speech, "--loop", "--record", os.path.join(L.dir, "cpu.wav")] +
            (["--no-p2p"] if bridged else []), dur)
        try:
            up = tty.wait_event(lambda e: e["event"] == "media" and e.get("kind") == "audio",
                                20)
            if bridged:
                self.TBJ.wait_page(page, "the page's bridge session", lambda s: page.js(
                    "var pc = ttm.pc(); return pc && pc.iceConnectionState;") in (
                        "connected", "completed"), 20)
                page.js("return ttm.playBridge();")
            else:
                self.TBJ.wait_page(page, "the page's P2P status", lambda s: s["p2p"], 10)
            time.sleep(self.args.warmup)
            s0 = self.TBJ.state(page)
            pids = tree_pids(br.driver_pid)
            c0, t0_tty, t0 = cpu_of(pids), procstat.cpu_seconds(tty.proc.pid), time.monotonic()
            time.sleep(self.args.cpu_seconds)
            pids2 = tree_pids(br.driver_pid)
            c1, t1_tty = cpu_of(pids2), procstat.cpu_seconds(tty.proc.pid)
            span = time.monotonic() - t0
            # processes born in the window count from 0, those gone in it are lost (rare)
            c_cpu = sum(c1[p] - c0.get(p, 0.0) for p in c1)
            m_c, m_t = mem_of(pids2), mem_of([tty.proc.pid])
            st = self.TBJ.state(page)
        finally:
            tty.send_signal(signal.SIGINT)
            tty.wait_exit(10)
        ok = up.get("state") == "connected" and (
            "through the bridge" if bridged else "peer-to-peer") in up.get("message", "")
        if not ok or st.get("errors") or s0.get("errors"):
            self.fail("cpu call (%s): %s %s" % ("bridge" if bridged else "p2p", up,
                                                st.get("errors")))
        return {"c_cpu": 100 * c_cpu / span, "t_cpu": 100 * (t1_tty - t0_tty) / span,
                "c_mem": m_c, "t_mem": m_t, "c_procs": len(pids2), "span": span}

    def cpu_runs(self):
        print("\n== CPU and memory: ttymeet beside Chromium with lib-jitsi-meet, one call "
              "(%s) ==" % load())
        cases = [("P2P", "p2p", 0), ("P2P, page ap=1", "p2p", 1), ("bridge", "bridge", 0),
                 ("bridge, page ap=1", "bridge", 1)]
        if not self.args.no_loop:
            cases += [("bridge, 2021 loop", "nochannel", 0)]
        res = {c[0]: [] for c in cases}
        for kind in ("p2p", "bridge", "nochannel"):
            mine = [c for c in cases if c[1] == kind]
            if not mine:
                continue
            L, ws, base, br = self.open_lab(kind)
            try:
                page, version = br.driver("anna", wav=self.speech)
                for i in range(self.args.runs):
                    for label, _, ap in mine:
                        r = self.cpu_call(L, ws, base, br, page, kind != "p2p", ap)
                        res[label].append(r)
                        print_cpu(label, i, r)
            finally:
                self.close_lab(L, br)
        print("  -- CPU in % of one core, memory in MB, ratio = Chromium / ttymeet; "
              "median (range):")
        for label, rows in res.items():
            if not rows:
                continue
            cx = [ratio(r["c_cpu"], r["t_cpu"]) for r in rows]
            mx = [ratio(r["c_mem"]["pss"], r["t_mem"]["pss"]) for r in rows]
            ux = [ratio(r["c_mem"]["uss"], r["t_mem"]["uss"]) for r in rows]
            rx = [ratio(r["c_mem"]["rss"], r["t_mem"]["rss"]) for r in rows]
            print("  %-22s Chromium %s %%, ttymeet %s %%: %s (goal >= %gx: %s)" % (
                label, stat([r["c_cpu"] for r in rows]),
                stat([r["t_cpu"] for r in rows], "%.2f"), stat(cx, "%.1f", "x"), GOAL_CPU_X,
                verdict([x >= GOAL_CPU_X for x in cx])))
            print("  %-22s PSS Chromium %s MB, ttymeet %s MB: %s (goal >= %gx: %s); USS %s, "
                  "RSS %s" % (
                      "", stat([r["c_mem"]["pss"] / 1024 for r in rows]),
                      stat([r["t_mem"]["pss"] / 1024 for r in rows], "%.1f"),
                      stat(mx, "%.1f", "x"), GOAL_MEM_X, verdict([x >= GOAL_MEM_X for x in mx]),
                      stat(ux, "%.1f", "x"), stat(rx, "%.1f", "x")))
        return res

    # --- the switches --------------------------------------------------------------------

    def switch_once(self, L, ws, base, br, page, i):
        TJS = self.TJS
        room = self.room("Switch")
        self.TBJ.join(br, page, ws, room.lower(), "anna", id="00000000", audio=1, ap=0)
        rec = os.path.join(L.dir, "switch-%d.wav" % i)
        bob = self.start_tty(L, "bob", base + room, ["--record", rec], 60)
        carl = None
        try:
            i_p2p = TJS.wait_said(bob, "peer-to-peer", 0, 25)
            self.TBJ.wait_page(page, "the page's P2P status", lambda s: s["p2p"], 10)
            time.sleep(3.0)
            carl = self.start_tty(L, "carl", base + room, [], 40)
            carl.wait_event("joined", 10)
            i_bridge = TJS.wait_said(bob, "through the bridge", i_p2p + 1, 15)
            self.TBJ.wait_page(page, "the page's P2P status off", lambda s: s["p2p"] is False,
                               10)
            time.sleep(3.0)
            carl.send_signal(signal.SIGINT)
            carl.wait_exit(10)
            i_back = TJS.wait_said(bob, "peer-to-peer", i_bridge + 1, 20)
            time.sleep(3.5)
        finally:
            bob.send_signal(signal.SIGINT)
            bob.wait_exit(10)
            if carl and carl.proc.poll() is None:
                carl.proc.kill()
        A = self.A
        env = A.envelope_of(rec)
        t = {k: bob.events[j]["t"] for k, j in (("p2p", i_p2p), ("bridge", i_bridge),
                                                ("back", i_back))}
        steady = sorted(env[int(t["p2p"] / A.WIN_S) + 50:int(t["bridge"] / A.WIN_S) - 50])
        level = steady[len(steady) // 2] if steady else 0
        mid = sorted(env[int(t["bridge"] / A.WIN_S) + 150:int(t["back"] / A.WIN_S) - 50])
        mid_level = mid[len(mid) // 2] if mid else 0
        if A.dbfs(level) < -40 or A.dbfs(mid_level) < -40:
            self.fail("switch run %d: no tone heard (P2P %.1f dBFS, bridged %.1f dBFS)" % (
                i + 1, A.dbfs(level), A.dbfs(mid_level)))
            return None
        g = {k: TJS.gap_around(env, t[k], level / 10) for k in ("bridge", "back")}
        print("  run %d (%s): P2P at %.2f s, bridge at %.2f s (%.1f s after carl's start), "
              "P2P again at %.2f s; gap P2P -> bridge %.2f s (longest %.2f), bridge -> P2P "
              "%.2f s (longest %.2f)" % (
                  i + 1, load(), t["p2p"], t["bridge"], t["bridge"] - (carl.started - bob.started),
                  t["back"], g["bridge"][0], g["bridge"][1], g["back"][0], g["back"][1]))
        return g

    def switch_runs(self):
        print("\n== audio gap at the P2P <-> bridge switches (%s) ==" % load())
        L, ws, base, br = self.open_lab("bridge")
        rows = []
        try:
            page, _ = br.driver("anna", wav=self.tone)
            for i in range(self.args.runs):
                try:
                    g = self.switch_once(L, ws, base, br, page, i)
                except AssertionError as e:
                    self.fail("switch run %d: %s" % (i + 1, str(e)[:2000]))
                    g = None
                if g:
                    rows.append(g)
        finally:
            self.close_lab(L, br)
        for k, what in (("bridge", "P2P -> bridge"), ("back", "bridge -> P2P")):
            tot = [r[k][0] for r in rows]
            print("  -- %s: silent %s s in all, %s s at once; goal <= %g s: %s" % (
                what, stat(tot, "%.2f"), stat([r[k][1] for r in rows], "%.2f"), GOAL_GAP_S,
                verdict([x <= GOAL_GAP_S for x in tot])))
        return rows


def print_cpu(label, i, r):
    print("  %s run %d (%.1f s, %s): Chromium %.1f %% of a core (%d processes), PSS %.0f MB, "
          "RSS %.0f MB, USS %.0f MB; ttymeet %.2f %%, PSS %.1f MB, RSS %.1f MB, USS %.1f MB; "
          "ratios CPU %.1fx, PSS %.1fx" % (
              label, i + 1, r["span"], load(), r["c_cpu"], r["c_procs"],
              r["c_mem"]["pss"] / 1024, r["c_mem"]["rss"] / 1024, r["c_mem"]["uss"] / 1024,
              r["t_cpu"], r["t_mem"]["pss"] / 1024, r["t_mem"]["rss"] / 1024,
              r["t_mem"]["uss"] / 1024, ratio(r["c_cpu"], r["t_cpu"]),
              ratio(r["c_mem"]["pss"], r["t_mem"]["pss"])))


def fmt(v):
    return "-" if v is None else "%.0f" % v


def ratio(a, b):
    return a / b if b else float("inf")


def verdict(oks):
    if not oks:
        return "not measured"
    n = sum(oks)
    return "met" if n == len(oks) else ("missed" if n == 0 else "met in %d of %d" % (n, len(oks)))


def main():
    ap = argparse.ArgumentParser(description="Jitsi Meet figures of issue 15 in the lab "
                                             "(prints figures)")
    ap.add_argument("--ttymeet", help="binary (default: $TTYMEET or build/ttymeet)")
    ap.add_argument("--runs", type=int, default=3, help="runs of each part")
    ap.add_argument("--only", default=",".join(PARTS), help="parts: " + ",".join(PARTS))
    ap.add_argument("--mic", choices=("speech", "tone"), default="speech",
                    help="the page's microphone in the join parts")
    ap.add_argument("--stay", type=float, default=8.0, help="seconds ttymeet stays per join")
    ap.add_argument("--cpu-seconds", type=float, default=10.0, help="CPU/memory window")
    ap.add_argument("--warmup", type=float, default=3.0, help="media up to window start")
    ap.add_argument("--delay-ms", type=float, default=0,
                    help="one-way delay each way between the client and server namespaces "
                    "(Lab(impairable=True)'s forwarder; 0: the plain lab link)")
    ap.add_argument("--no-loop", action="store_true",
                    help="skip the bridged CPU call without a bridge channel (the 2021 "
                    "client's renegotiation loop)")
    args = ap.parse_args()
    parts = [p for p in args.only.split(",") if p]
    if any(p not in PARTS for p in parts) or args.runs < 1:
        print("jitsi_bench.py: --only takes %s; --runs >= 1" % ",".join(PARTS),
              file=sys.stderr)
        return 2
    if args.ttymeet:
        os.environ["TTYMEET"] = os.path.abspath(args.ttymeet)
    if os.geteuid() != 0:
        print("jitsi_bench.py: needs root (network namespaces)", file=sys.stderr)
        return 2
    import test_browser_jitsi as TBJ
    miss = TBJ.missing()
    if miss:
        print("jitsi_bench.py: missing %s: run scripts/deps.sh --with-jitsi-browser as root"
              % ", ".join(miss), file=sys.stderr)
        return 2
    tmp = tempfile.mkdtemp(prefix="ttm-jitsibench-")
    os.chmod(tmp, 0o755)
    try:
        b = Bench(args, tmp)
        print("jitsi_bench: %s, %d runs, %s, %s" % (
            os.environ.get("TTYMEET", "build/ttymeet"), args.runs,
            "%g ms one-way delay each way between the clients and the servers" % args.delay_ms
            if args.delay_ms else "the plain lab link", load()))
        if "p2p" in parts:
            b.join_runs(False)
        if "bridge" in parts:
            b.join_runs(True)
        if "cpu" in parts:
            b.cpu_runs()
        if "switch" in parts:
            b.switch_runs()
        print("\nend: %s" % load())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if b.fails:
        print("CHECK FAILED: %d figures not measured" % len(b.fails))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
