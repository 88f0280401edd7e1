"""Shared helpers for ttymeet's integration tests (Python 3 stdlib only).

- ttymeet_path(): the binary under test, from env TTYMEET (set by ctest), else build/ttymeet;
  testhooks_path(): the same program with the test-only hooks linked in (ttymeet-testhooks).
- Client: wraps a running ttymeet; a background thread parses its stdout as JSON lines
  (headless events), another collects stderr. wait_event()/wait_exit() are always bounded.
- start_client(lab, args) runs ttymeet in the lab's client namespace; start_local(args) runs it
  in the current namespace (argument errors need no network).
- check_error_exit(): the common assertions for a failing run (exit code, timing, the one-line
  `ttymeet: ` message, the headless `error` event, no crash or sanitizer report).
- run(): a minimal runner: every module-level test_* function in file order (or those named on
  the command line), prints PASS/FAIL, then "N passed, N failed"; exit 1 on any failure or
  when nothing ran. run(concurrent=True) runs them all at once, each in a thread of its own,
  for modules whose tests mostly wait on timers, each in a lab of its own (test_keepalive.py);
  concurrent=N: at most N at a time.
Tests run as root (network namespaces); every wait has a deadline.
"""

import atexit
import inspect
import json
import os
import subprocess
import sys
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("TTM_SOURCE_DIR") or os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "lab"))
import lab  # noqa: E402  (tests/lab/lab.py)

BADSERVER = os.path.join(SOURCE_DIR, "tests", "fixtures", "badserver.py")
HEADLESS = ["--headless", "--accept-privacy"]
SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                   "UndefinedBehaviorSanitizer", "ThreadSanitizer",
                   "blocks never freed (a leak")  # src/main.c: JSON leaked into the locked pool

# Local (non-lab) processes started by the current test; killed after each test.
_local = []


def ttymeet_path():
    """Path of the ttymeet binary under test; raises AssertionError if it does not exist."""
    path = os.environ.get("TTYMEET") or os.path.join(SOURCE_DIR, "build", "ttymeet")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise AssertionError("ttymeet binary not found at %s (set TTYMEET)" % path)
    return path


def testhooks_path():
    """ttymeet-testhooks: the program with the test-only hooks (util/testhook.h) linked in,
    from env TTYMEET_TESTHOOKS (set by ctest), else beside the tests of TTYMEET's build."""
    path = os.environ.get("TTYMEET_TESTHOOKS") or os.path.join(
        os.path.dirname(ttymeet_path()), "tests", "ttymeet-testhooks")
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise AssertionError("ttymeet-testhooks not found at %s (set TTYMEET_TESTHOOKS)" % path)
    return path


class Client:
    """A running ttymeet: JSON-line events from stdout, stderr text, bounded waits."""

    def __init__(self, popen, name=""):
        self.proc = popen
        self.name = name or "ttymeet[%d]" % popen.pid
        self.started = time.monotonic()
        self.origin = None  # its t = 0 on our monotonic clock, from the events (see below)
        self.ended = None
        self._events = []
        self._bad_lines = []
        self._stderr = []
        self._cond = threading.Condition()
        self._stdout_done = False
        self._threads = [threading.Thread(target=self._read_stdout, daemon=True),
                         threading.Thread(target=self._read_stderr, daemon=True)]
        for t in self._threads:
            t.start()

    def _read_stdout(self):
        for raw in self.proc.stdout:
            now = time.monotonic()
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self._cond:
                try:
                    ev = json.loads(line)
                except ValueError:
                    ev = None
                if (isinstance(ev, dict) and isinstance(ev.get("event"), str)
                        and isinstance(ev.get("t"), (int, float))
                        and not isinstance(ev.get("t"), bool)):
                    self._events.append(ev)
                    # The client's t = 0 is at most (arrival - t) of any event: the least of
                    # those is its start on our clock, to the pipe's latency (unlike
                    # `started`, which is late by its start-up on a busy machine).
                    if self.origin is None or now - ev["t"] < self.origin:
                        self.origin = now - ev["t"]
                else:
                    self._bad_lines.append(line)
                self._cond.notify_all()
        with self._cond:
            self._stdout_done = True
            self._cond.notify_all()

    def _read_stderr(self):
        for raw in self.proc.stderr:
            with self._cond:
                self._stderr.append(raw.decode("utf-8", "replace"))

    @property
    def events(self):
        """Snapshot of all well-formed events so far."""
        with self._cond:
            return list(self._events)

    @property
    def bad_lines(self):
        """stdout lines that were not a JSON object with string "event" and numeric "t"."""
        with self._cond:
            return list(self._bad_lines)

    @property
    def stderr(self):
        with self._cond:
            return "".join(self._stderr)

    def names(self):
        return [e["event"] for e in self.events]

    def describe(self):
        """Events and the stderr tail, for failure messages."""
        # Pictures come ten a second and would push everything else out: counted, not listed.
        shown, frames = [], []
        for e in self.events:
            if e["event"] == "video-frame":
                frames.append(e["t"])
            else:
                shown.append(json.dumps(e))
        if frames:
            shown.append("(%d video-frame events, t=%.2f..%.2f)" % (len(frames), frames[0],
                                                                     frames[-1]))
        evs = "\n    ".join(shown[-30:]) or "(none)"
        err = "\n    ".join(self.stderr.splitlines()[-20:]) or "(empty)"
        bad = "\n    ".join(self.bad_lines[-5:])
        return ("%s (exit %s)\n  events:\n    %s\n  stderr:\n    %s%s"
                % (self.name, self.proc.poll(), evs, err,
                   "\n  non-event stdout:\n    " + bad if bad else ""))

    def wait_event(self, pred, timeout=10.0, start=0):
        """First event (index >= start) matching pred (an event name or a function of the
        event); waits up to timeout seconds; AssertionError on timeout or stdout EOF."""
        match = (lambda e: e["event"] == pred) if isinstance(pred, str) else pred
        what = pred if isinstance(pred, str) else getattr(pred, "__name__", "predicate")
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for e in self._events[start:]:
                    if match(e):
                        return e
                left = deadline - time.monotonic()
                if self._stdout_done or left <= 0:
                    break
                self._cond.wait(min(left, 0.5))
        why = "stdout closed" if self._stdout_done else "timeout %.1f s" % timeout
        raise AssertionError("%s: no event %r (%s)\n%s" % (self.name, what, why,
                                                            self.describe()))

    def find(self, pred):
        """All events matching pred (name or function)."""
        match = (lambda e: e["event"] == pred) if isinstance(pred, str) else pred
        return [e for e in self.events if match(e)]

    def wait_exit(self, timeout=10.0):
        """Exit code (negative: killed by that signal); kills and fails after timeout."""
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("%s did not exit within %.1f s\n%s"
                                 % (self.name, timeout, self.describe())) from None
        if self.ended is None:
            self.ended = time.monotonic()
        for t in self._threads:
            t.join(5)
        return rc

    def elapsed(self):
        """Seconds from start to exit (or to now while running)."""
        return (self.ended or time.monotonic()) - self.started

    def send_signal(self, sig):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)

    def write_stdin(self, text):
        self.proc.stdin.write(text.encode("utf-8"))
        self.proc.stdin.flush()

    def close_stdin(self):
        try:
            self.proc.stdin.close()
        except (OSError, AttributeError):
            pass

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)

    def assert_clean_output(self):
        """Every stdout line was an event; no sanitizer report on stderr."""
        assert not self.bad_lines, "%s: stdout lines that are not events: %r\n%s" % (
            self.name, self.bad_lines[:5], self.describe())
        for mark in SANITIZER_MARKS:
            assert mark not in self.stderr, "%s: sanitizer report (%s)\n%s" % (
                self.name, mark, self.describe())


def start_client(the_lab, args, name="", env=None, binary=None):
    """ttymeet ARGS (or another build of it: binary) in the lab's client namespace; stdin is a
    pipe (kept open)."""
    p = the_lab.client([binary or ttymeet_path()] + list(args), env=env)
    return Client(p, name)


def start_local(args, name="", env=None):
    """ttymeet ARGS in the current namespace (for cases that need no server)."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    p = subprocess.Popen([ttymeet_path()] + list(args), stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=full_env,
                         start_new_session=True)
    _local.append(p)
    return Client(p, name)


def start_badserver(the_lab, mode):
    """The bad-server fixture in the lab's client namespace (loopback); returns (proc, port)."""
    p = the_lab.client([sys.executable, BADSERVER, mode], stdin=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    line = _readline_bounded(p.stdout, 10.0)
    if not line.strip().isdigit():
        p.kill()
        raise AssertionError("badserver %s did not print its port (got %r)" % (mode, line))
    return p, int(line)


def _readline_bounded(stream, timeout):
    out = {}
    t = threading.Thread(target=lambda: out.setdefault("line", stream.readline()), daemon=True)
    t.start()
    t.join(timeout)
    return (out.get("line") or b"").decode("utf-8", "replace")


def last_stderr_line(client):
    lines = [ln for ln in client.stderr.splitlines() if ln.strip()]
    return lines[-1] if lines else ""


def check_error_exit(client, code, within, headless=True, words=()):
    """Asserts a failing run: exit `code` (not a signal) within `within` seconds of start, the
    last non-empty stderr line is one `ttymeet: ` line, no sanitizer report, and in headless
    mode an `error` event with that code and a one-line message. `words`: each must appear
    (case-insensitive) in that stderr line. Returns the stderr line."""
    rc = client.wait_exit(within + 5)
    took = client.elapsed()
    assert rc >= 0, "%s killed by signal %d\n%s" % (client.name, -rc, client.describe())
    assert rc == code, "%s: exit %d, expected %d\n%s" % (client.name, rc, code,
                                                         client.describe())
    assert took < within, "%s: took %.2f s, limit %.1f s\n%s" % (client.name, took, within,
                                                                 client.describe())
    client.assert_clean_output()
    line = last_stderr_line(client)
    assert line.startswith("ttymeet: ") and len(line) > len("ttymeet: "), (
        "%s: last stderr line %r does not start with 'ttymeet: '\n%s"
        % (client.name, line, client.describe()))
    assert len(line) <= 300, "%s: error line too long (%d chars)" % (client.name, len(line))
    for w in words:
        assert w.lower() in line.lower(), "%s: %r not in error line %r" % (client.name, w, line)
    if headless:
        errs = client.find("error")
        assert errs, "%s: no error event on stdout\n%s" % (client.name, client.describe())
        e = errs[-1]
        assert e.get("code") == code, "%s: error event code %r, exit %d\n%s" % (
            client.name, e.get("code"), code, client.describe())
        msg = e.get("message")
        assert isinstance(msg, str) and msg.strip() and "\n" not in msg, (
            "%s: bad error message %r" % (client.name, msg))
    return line


def shown_name(display):
    """An AudioBridge display without a ttymeet's chat identity claim (Unicode tag characters
    after the name, src/chatid.h): the name every client shows."""
    if display is None:
        return None
    return "".join(ch for ch in display if not 0xE0000 <= ord(ch) <= 0xE007F)


def participants(the_lab, room=None):
    """{id: display} of an AudioBridge room, from a third connection (names as shown: without
    a ttymeet's chat identity claim)."""
    return {p["id"]: shown_name(p.get("display")) for p in the_lab.list_participants(room)}


def require_root():
    if os.geteuid() != 0:
        print("integration tests need root (network namespaces)", file=sys.stderr)
        print("0 passed, 1 failed")
        sys.exit(1)


def _kill_locals():
    while _local:
        p = _local.pop()
        if p.poll() is None:
            p.kill()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                pass


atexit.register(_kill_locals)


def _run_serially(tests):
    """Runs every (name, fn) in turn; returns (passed, failed)."""
    passed = failed = 0
    for name, fn in tests:
        t0 = time.monotonic()
        print("RUN  %s" % name, flush=True)
        try:
            fn()
        except BaseException as e:  # noqa: B036 - report everything, incl. SystemExit
            failed += 1
            print("FAIL %s (%.1f s)" % (name, time.monotonic() - t0), flush=True)
            traceback.print_exc(file=sys.stdout)
            if isinstance(e, (KeyboardInterrupt, SystemExit)):
                break  # interrupted (Ctrl-C, or SIGTERM via the lab's handler): stop here
        else:
            passed += 1
            print("PASS %s (%.1f s)" % (name, time.monotonic() - t0), flush=True)
        finally:
            _kill_locals()
    return passed, failed


def _run_concurrently(tests, at_once):
    """Runs the (name, fn) tests in at_once threads, each taking the next test in file order
    when its last one ends; prints each one's PASS/FAIL and traceback as it ends. Returns
    (passed, failed). The tests must share nothing but the machine (each its own lab;
    processes of start_local are killed only at the end)."""
    done = []  # (name, seconds, traceback text or None), in the order they end
    cond = threading.Condition()
    todo = list(tests)
    out = threading.Lock()

    def say(text):  # whole lines: the tests' own prints come from several threads
        with out:
            sys.stdout.write(text)
            sys.stdout.flush()

    def worker():
        while True:
            with cond:
                if not todo:
                    return
                name, fn = todo.pop(0)
            say("RUN  %s\n" % name)
            t0 = time.monotonic()
            err = None
            try:
                fn()
            except BaseException:  # noqa: B036 - report everything
                err = traceback.format_exc()
            with cond:
                done.append((name, time.monotonic() - t0, err))
                cond.notify_all()

    lab._install_handlers()  # from the main thread: a lab made in another one installs none
    for _ in range(at_once):
        threading.Thread(target=worker, daemon=True).start()
    passed = failed = reported = 0
    while reported < len(tests):
        with cond:
            cond.wait_for(lambda: len(done) > reported, timeout=0.5)  # signals get through
            news = done[reported:]
        for name, secs, err in news:
            reported += 1
            if err is None:
                passed += 1
                say("PASS %s (%.1f s)\n" % (name, secs))
            else:
                failed += 1
                say("FAIL %s (%.1f s)\n%s" % (name, secs, err))
    _kill_locals()
    return passed, failed


def run(module_globals=None, concurrent=False):
    """Runs the caller's test_* functions (or those named in argv); exits 1 on failure.
    concurrent: True, all at once, each in a thread of its own (see _run_concurrently); a
    number N, at most N at a time."""
    if module_globals is None:
        module_globals = inspect.stack()[1].frame.f_globals
    tests = [(n, f) for n, f in module_globals.items()
             if n.startswith("test_") and inspect.isfunction(f)
             and f.__module__ == module_globals.get("__name__")]
    tests.sort(key=lambda nf: nf[1].__code__.co_firstlineno)
    wanted = sys.argv[1:]
    if wanted:
        tests = [(n, f) for n, f in tests if any(w in n for w in wanted)]
    t_all = time.monotonic()
    if concurrent:
        at_once = len(tests) if concurrent is True else int(concurrent)
        passed, failed = _run_concurrently(tests, max(1, at_once))
    else:
        passed, failed = _run_serially(tests)
    print("%d passed, %d failed (%.1f s)" % (passed, failed, time.monotonic() - t_all),
          flush=True)
    sys.exit(1 if failed or not passed else 0)

