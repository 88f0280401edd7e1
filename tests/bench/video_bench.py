#!/usr/bin/env python3
"""Video preview benchmark, offline part (no Janus, no terminal). Prints figures; asserts
nothing. Needs a built tree (the unit test binary unit_core_video has a --bench mode).

What runs: the deterministic test pattern (src/testpattern.c, 320x180 at 10 fps) is encoded
with the project's VP8 encoder (150 kbit/s CBR), packetized (net/vp8.c, 1200-byte payloads),
depacketized, decoded (src/video.c), rendered into an 80x24 grid (ui/ascii.c) and governed
(ui/vbudget.c: 5 fps cap, 16 KB/s budget), for --seconds of simulated time. The pattern is
nearly flat, so --noise adds camera-like luma noise (+-N) as a harder case; the default runs
0, 10 and 30.

Figures per run:
  video_kbps            encoder output (what a subscriber's downlink carries, RTP headers
                        and SRTP not included)
  *_us_per_frame        CPU time of this thread (CLOCK_THREAD_CPUTIME_ID) per frame
  demand B/s            terminal bytes at 5 fps, full detail, no budget (every frame drawn;
                        only changed cells, cursor moves, SGR colour changes)
  governed B/s, fps     what ui/vbudget let through with the 16 KB/s budget
  full redraw B         one whole 80x24 frame
  cpu %                 decode at 10 fps + render/diff at 5 fps, share of one core
Terminal bytes are ui/ascii's estimate (ascii_diff_bytes: the escape sequences an optimal
writer sends; the unit test checks it byte for byte against a reference writer). ncurses'
real output is measured by the integration/TUI benchmark on a pty, which is also where the
comparison with mpv --vo=tct / --vo=caca belongs.

Usage: tests/bench/video_bench.py [--build build] [--seconds 30] [--noise 0,10,30] [--json]
"""

import argparse
import json
import os
import subprocess
import sys


def find_binary(build):
    for rel in ("tests/unit_core_video", "unit_core_video"):
        path = os.path.join(build, rel)
        if os.access(path, os.X_OK):
            return path
    sys.exit(f"unit_core_video not found under {build}: build it first "
             f"(cmake --build {build} --target unit_core_video)")


def run(binary, seconds, noise):
    out = subprocess.run([binary, "--bench", str(seconds), str(noise)], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(root, "build"))
    ap.add_argument("--seconds", type=int, default=30)
    ap.add_argument("--noise", default="0,10,30")
    ap.add_argument("--json", action="store_true", help="print the raw JSON lines")
    args = ap.parse_args()
    binary = find_binary(args.build)
    results = [run(binary, args.seconds, int(n)) for n in args.noise.split(",")]
    if args.json:
        for r in results:
            print(json.dumps(r))
        return
    for r in results:
        print(f"{r['source']}, {r['seconds']:.0f} s, grid {r['grid']}")
        print(f"  video {r['video_kbps']:.1f} kbit/s; per frame: encode "
              f"{r['encode_us_per_frame']:.0f} us, depacketize "
              f"{r['depack_us_per_frame']:.1f} us, decode {r['decode_us_per_frame']:.0f} us")
        print(f"  {'mode':10} {'render us':>9} {'demand B/s':>10} {'governed B/s':>12} "
              f"{'fps':>5} {'level':>5} {'full redraw B':>13} {'cpu %':>6}")
        for mode in ("ascii", "256", "truecolor"):
            m = r[mode]
            print(f"  {mode:10} {m['render_diff_us_per_frame']:9.0f} "
                  f"{m['demand_bytes_per_s_5fps']:10.0f} {m['governed_bytes_per_s']:12.0f} "
                  f"{m['governed_fps']:5.2f} {m['final_level']:5d} "
                  f"{m['full_redraw_bytes']:13d} {m['cpu_pct_decode_10fps_render_5fps']:6.2f}")
        print()


if __name__ == "__main__":
    main()
