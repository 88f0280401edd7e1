#!/usr/bin/env python3
"""Join to first audio both ways between ttymeet and a person on Janus's VideoRoom demo page
(issue 13's figure "join to first audio heard from an already-talking publisher"). Prints
figures; exits 1 only when a figure is missing.

In a lab (tests/lab/lab.py) whose room 5678 exists only in the VideoRoom (audiolevel_ext on,
audiolevel_event off, as Debian's default room), headless Chromium (tests/lab/browser.py) joins
videoroomtest.html as "chromium" with a microphone that never pauses (a 440 Hz tone, so the
figures hold no speech pauses). Then, --runs times, a ttymeet joins with the default room
choice, sends a 1000 Hz tone and leaves after 4 s. Per run:
  - ttymeet hears Chromium: its summary's join_ms (total: start to ICE+DTLS up; first_audio:
    start to the first decoded non-silent audio) and its first talking event for chromium;
  - Chromium hears ttymeet: seconds from ttymeet's start until the page shows the joining
    ttymeet's panel with an audio track, and until getStats of that subscription counts audio
    energy (polled as fast as WebDriver answers: about every 20-50 ms).
A join that heard nothing from Chromium prints that ttymeet's events.

Usage (root, after a build and scripts/bench-deps.sh):
    tests/bench/browser_join_bench.py [--ttymeet build/ttymeet] [--runs 5]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "integration"))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "lab"))
import browser  # noqa: E402  (tests/lab/browser.py)

ROOM = 5678
STAY_S = 4.0


def one_join(L, page, harness, tone, name):
    """One ttymeet join; returns its figures (None where something was never seen)."""
    tty = harness.start_client(L, harness.HEADLESS + ["-n", name, "--play", tone, "--loop",
                                                      "--duration", "%g" % STAY_S, L.url,
                                                      str(ROOM)], name)
    t_track = t_energy = None
    while time.monotonic() - tty.started < STAY_S and t_energy is None:
        if t_track is None:
            st = page.js(browser.VR_STATE_JS)
            if any(p["display"] == name and p["audio"] for p in st["publishers"]):
                t_track = time.monotonic() - tty.started
        elif (page.js_async(browser.VR_STATS_JS, name).get("in_energy") or 0) > 0:
            t_energy = time.monotonic() - tty.started
    rc = tty.wait_exit(STAY_S + 20)
    summ = tty.find("summary")
    join = summ[-1].get("join_ms", {}) if summ else {}
    talk = [e["t"] for e in tty.find("talking") if e.get("name") == "chromium" and e["on"]]
    joined = tty.find("joined")
    if not talk or not join.get("first_audio"):
        print("ttymeet %s: no audio or no talking from chromium:\n%s" % (name, tty.describe()))
    return {"rc": rc, "room_type": joined[0].get("room_type") if joined else None,
            "join_ms": join.get("total"), "first_audio_ms": join.get("first_audio"),
            "talking_s": talk[0] if talk else None, "page_track_s": t_track,
            "page_energy_s": t_energy}


def fmt(v, scale=1.0, unit=""):
    return "-" if v is None else "%.0f%s" % (v * scale, unit)


def run(args, harness, lab):
    tmp = tempfile.mkdtemp(prefix="ttm-joinbench-")
    os.chmod(tmp, 0o755)
    # Two tones: were ttymeet to send Chromium's own, Chromium's echo canceller would take
    # its microphone for the echo of what it plays and send silence (it did, in 1 to 3 of
    # 6-10 joins).
    tone, tty_tone = os.path.join(tmp, "tone.wav"), os.path.join(tmp, "tty-tone.wav")
    for path, hz in ((tone, 440), (tty_tone, 1000)):
        subprocess.run(["sox", "-n", "-r", "48000", "-b", "16", "-c", "1", path, "synth", "30",
                        "sine", str(hz), "vol", "0.3"], check=True)
    rows = []
    try:
        with lab.Lab(plugin_room_options={"videoroom": {ROOM: {
                "audiolevel_ext": True, "audiolevel_event": False}}}) as L:
            br = browser.Browser(L, tmp, os.path.join(tmp, "agent.log")).start()
            try:
                page, version = br.driver("chromium", tone)
                browser.join_videoroom(page, br.base, ROOM, "chromium")
                print("Chromium %s on videoroomtest.html, sending a tone" % version)
                browser.wait_for("the page's own audio to flow", lambda: (
                    page.js_async(browser.VR_STATS_JS, "").get("out_packets") or 0) > 50, 10)
                for i in range(args.runs):
                    rows.append(one_join(L, page, harness, tty_tone, "tty%d" % i))
                    r = rows[-1]
                    print("run %d (%s, exit %s): ttymeet join %s, first audio %s, chromium "
                          "talking at %s; the page has its track at %s, first energy at %s"
                          % (i + 1, r["room_type"], r["rc"], fmt(r["join_ms"], 1, " ms"),
                             fmt(r["first_audio_ms"], 1, " ms"),
                             fmt(r["talking_s"], 1000, " ms"),
                             fmt(r["page_track_s"], 1000, " ms"),
                             fmt(r["page_energy_s"], 1000, " ms")))
                    time.sleep(1.0)  # the page drops the feed before the next one comes
            finally:
                br.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print()
    fails = 0
    for key, what, scale in (("first_audio_ms", "ttymeet hears Chromium (start to first "
                                                 "audio)", 1),
                             ("talking_s", "ttymeet shows Chromium talking", 1000),
                             ("page_energy_s", "Chromium hears ttymeet (ttymeet's start to "
                                               "the page's first audio energy)", 1000)):
        v = [r[key] * scale for r in rows if r[key] is not None]
        fails += len(rows) - len(v)
        if v:
            print("%-75s median %4.0f ms, min %4.0f, max %4.0f (%d of %d runs)"
                  % (what, statistics.median(v), min(v), max(v), len(v), len(rows)))
        else:
            print("%-75s never (%d runs)" % (what, len(rows)))
    if fails:
        print("CHECK FAILED: %d figures missing: a join heard nothing or showed nobody "
              "talking" % fails)
    return 1 if fails else 0


def main():
    ap = argparse.ArgumentParser(description="join to first audio, ttymeet and Chromium "
                                             "in a Janus VideoRoom (prints figures)")
    ap.add_argument("--ttymeet", help="binary (default: $TTYMEET or build/ttymeet)")
    ap.add_argument("--runs", type=int, default=5, help="ttymeet joins")
    args = ap.parse_args()
    if args.ttymeet:
        os.environ["TTYMEET"] = os.path.abspath(args.ttymeet)
    if os.geteuid() != 0:
        print("browser_join_bench.py: needs root (network namespaces)", file=sys.stderr)
        return 2
    missing = browser.missing(["videoroomtest.html"])
    if missing or not shutil.which("sox"):
        print("browser_join_bench.py: missing %s: run scripts/bench-deps.sh as root"
              % (", ".join(missing) or "sox"), file=sys.stderr)
        return 2
    import harness  # tests/integration/harness.py
    from harness import lab
    return run(args, harness, lab)


if __name__ == "__main__":
    sys.exit(main())
