"""The chat-only participant of the integration tests: tests/integration/probes/textroom_user.js,
a Node program (npm werift + ws) that joins a Janus TextRoom over a real WebRTC data channel
and never joins the audio room, like a browser user of Janus's TextRoom demo.

- ensure_node_deps(): installs the probe's npm packages into probes/node_modules (gitignored)
  with `npm ci` if they are missing; nodejs and npm come from scripts/deps.sh.
- Probe(lab, username, display): runs it in the lab's client namespace; wait(pred) for its
  JSON lines, command("say TEXT"), leave().
"""

import fcntl
import json
import os
import shutil
import subprocess
import threading
import time

import harness

PROBES = os.path.join(harness.SOURCE_DIR, "tests", "integration", "probes")
PROBE = os.path.join(PROBES, "textroom_user.js")


def ensure_node_deps():
    """Installs the probe's npm packages if they are missing; AssertionError if impossible."""
    for tool in ("node", "npm"):
        assert shutil.which(tool), "%s not found: run scripts/deps.sh" % tool
    # tests run in parallel: one `npm ci` at a time (it deletes node_modules first)
    with open(os.path.join(PROBES, ".install.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.isfile(os.path.join(PROBES, "node_modules", ".ttm-installed")):
            return
        r = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                           cwd=PROBES, capture_output=True, text=True, timeout=240)
        assert r.returncode == 0, "npm ci failed in %s:\n%s%s" % (PROBES, r.stdout, r.stderr)
        with open(os.path.join(PROBES, "node_modules", ".ttm-installed"), "w") as f:
            f.write("ok\n")


class Probe:
    """The chat-only participant: JSON lines from its stdout, commands to its stdin."""

    def __init__(self, the_lab, username, display, room=1234):
        self.proc = the_lab.client(["node", PROBE, the_lab.url, str(room), username, display])
        self.lines = []
        self.err = []
        self.cond = threading.Condition()
        self.done = False
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_err, daemon=True).start()

    def _read(self):
        for raw in self.proc.stdout:
            try:
                msg = json.loads(raw.decode("utf-8", "replace"))
            except ValueError:
                continue
            with self.cond:
                self.lines.append(msg)
                self.cond.notify_all()
        with self.cond:
            self.done = True
            self.cond.notify_all()

    def _read_err(self):
        for raw in self.proc.stderr:
            self.err.append(raw.decode("utf-8", "replace"))

    def describe(self):
        return "probe (exit %s):\n  %s\n  stderr: %s" % (
            self.proc.poll(), "\n  ".join(json.dumps(m) for m in self.lines[-20:]),
            "".join(self.err[-20:]))

    def wait(self, pred, timeout=15.0):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for m in self.lines:
                    if m.get("probe") == "error":
                        raise AssertionError("probe failed: %s" % self.describe())
                    if pred(m):
                        return m
                left = deadline - time.monotonic()
                if self.done or left <= 0:
                    raise AssertionError("probe: no matching line\n" + self.describe())
                self.cond.wait(min(left, 0.5))

    def command(self, line):
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()

    def leave(self, timeout=10.0):
        self.command("leave")
        self.wait(lambda m: m.get("probe") == "left", timeout)
        assert self.proc.wait(timeout) == 0, self.describe()
