#!/usr/bin/env python3
"""Terminal output of the TUI in an idle meeting: bytes written to the pty per second.

Issue 5 asks for at most 2 KB/s over one minute of an idle meeting with three participants
talking (talking indicators changing), so the TUI stays usable over a slow SSH link.

Method: a lab (tests/lab/lab.py: Janus in a network namespace). Three headless ttymeet
participants play espeak-ng speech with long pauses on a loop (different lengths, so the
AudioBridge's talking/stopped-talking events keep flipping at different times). The TUI runs
with --accept-privacy in a pseudo-terminal of 80x24 (TERM=xterm-256color, LANG=C.UTF-8) created
here; this script reads everything it writes to the pty. After a warm-up (joined, all three in
the roster, first stats) it counts the bytes of the next SECONDS seconds, then presses Ctrl-C
and checks the TUI left with exit 0. The talking events one participant saw in the window
show that the indicators really changed. Nothing is asserted; the figure is printed.

Usage (as root, after a build): tests/bench/tui_output.py [--ttymeet build/ttymeet]
  [--seconds 60] [--cols 80 --rows 24]
"""

import argparse
import fcntl
import os
import select
import struct
import subprocess
import sys
import tempfile
import termios
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness  # noqa: E402
from harness import HEADLESS, lab, start_client  # noqa: E402

TEXTS = [
    "Good morning everyone. Let us start with the weather report for today.",
    "I have two short points. The first one is about the budget.",
    "Can you all hear me? I think the connection is fine now. Thank you.",
]
PAUSES = [3.0, 4.5, 6.0]  # seconds of silence after each participant's sentence


def make_speech(dirname, i):
    """espeak-ng speech followed by a pause, as a WAV file."""
    raw = os.path.join(dirname, "speech%d_raw.wav" % i)
    out = os.path.join(dirname, "speech%d.wav" % i)
    subprocess.run(["espeak-ng", "-s", "150", "-w", raw, TEXTS[i]], check=True)
    subprocess.run(["sox", raw, out, "pad", "0", str(PAUSES[i])], check=True)
    return out


def read_for(fd, seconds, sink):
    """Reads the pty master for `seconds`; appends chunks to sink; returns bytes read."""
    total = 0
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return total
        r, _, _ = select.select([fd], [], [], min(left, 0.5))
        if not r:
            continue
        try:
            data = os.read(fd, 65536)
        except OSError:  # the child closed the terminal
            return total
        if not data:
            return total
        total += len(data)
        sink.append(data)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ttymeet", default=os.environ.get("TTYMEET")
                    or os.path.join(HERE, "..", "..", "build", "ttymeet"))
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--cols", type=int, default=80)
    ap.add_argument("--rows", type=int, default=24)
    ap.add_argument("--warmup", type=float, default=8.0)
    args = ap.parse_args()
    os.environ["TTYMEET"] = os.path.abspath(args.ttymeet)
    harness.require_root()

    tmp = tempfile.mkdtemp(prefix="ttm-tui-bench-")
    wavs = [make_speech(tmp, i) for i in range(3)]
    with lab.Lab() as L:
        talkers = [start_client(L, HEADLESS + ["-n", "talker%d" % i, "--play", wavs[i],
                                              "--loop", L.url, "1234"], "talker%d" % i)
                   for i in range(3)]
        for c in talkers:
            c.wait_event("joined", 15)

        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", args.rows, args.cols, 0, 0))
        env = dict(os.environ, TERM="xterm-256color", LANG="C.UTF-8")
        for k in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "NO_COLOR"):
            env.pop(k, None)
        tui = subprocess.Popen(["ip", "netns", "exec", L.client_ns, args.ttymeet,
                                "--accept-privacy", "-n", "watcher", L.url, "1234"],
                               stdin=slave, stdout=slave, stderr=slave, env=env,
                               start_new_session=True,
                               preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
        os.close(slave)
        chunks = []
        startup = read_for(master, args.warmup, chunks)
        seen = b"".join(chunks)
        if b"talker2" not in seen:
            print("warning: the roster did not show all talkers during the warm-up",
                  file=sys.stderr)
        n0 = len(talkers[0].events)
        window = []
        t0 = time.monotonic()
        measured = read_for(master, args.seconds, window)
        took = time.monotonic() - t0
        talking = [e for e in talkers[0].events[n0:] if e["event"] == "talking"]
        os.write(master, b"\x03")  # Ctrl-C: leave
        read_for(master, 3, [])
        try:
            rc = tui.wait(10)
        except subprocess.TimeoutExpired:
            tui.kill()
            rc = "killed"
        os.close(master)

    rate = measured / took
    print("TUI terminal output, idle meeting, %dx%d, 3 participants talking" % (args.cols,
                                                                               args.rows))
    print("  start-up (%.0f s warm-up): %d bytes" % (args.warmup, startup))
    print("  measured window:          %.1f s, %d bytes, %d writes" % (took, measured,
                                                                       len(window)))
    print("  rate:                     %.0f bytes/s (target <= 2048)" % rate)
    print("  talking events in window: %d (seen by talker0, others' indicators)" % len(talking))
    print("  TUI exit after Ctrl-C:    %s" % rc)
    subprocess.run(["rm", "-rf", tmp])
    return 0


if __name__ == "__main__":
    sys.exit(main())
