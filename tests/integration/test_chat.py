"""Chat over Janus TextRoom data channels (issue 4), against a real Janus in the lab.

- test_chat_exactly_once: A sends three messages (two --chat, one stdin line); B reports each
  exactly once with A's name, A reports its own as self, and stdin EOF does not make A leave.
- test_private_message: B whispers to A with "/msg alice ..."; A gets it marked private, a third
  client C never sees it, B sees its own copy as self + private with "to".
- test_hostile_names_and_text: escape sequences in a display name and a message never reach
  the JSON output (they are stripped, the visible text survives).
- test_chat_never_touches_disk: A runs under strace; the chat text it sends and receives
  appears in no write/send syscall except on stdout (the JSON events by design), and A
  creates or opens for writing no file at all (nothing under $HOME, XDG dirs or /tmp).

The four run at once, each in a lab of its own (harness.run(concurrent=True)): a few chat
lines each, mostly waiting for --duration; ~11 s in all instead of ~34 s.
"""

import os
import re
import shutil
import subprocess
import tempfile
import time

import harness
from harness import HEADLESS, lab, start_client


def chats(client):
    return [e for e in client.events if e.get("event") == "chat"]


def wait_chat_ready(c, timeout=10):
    c.wait_event(lambda e: e.get("event") == "media" and e.get("kind") == "chat"
                 and e.get("state") == "connected", timeout)


def test_chat_exactly_once():
    with lab.Lab() as L:
        b = start_client(L, HEADLESS + ["-n", "bob", "--duration", "9", L.url, "1234"], "bob")
        wait_chat_ready(b)
        a = start_client(L, HEADLESS + ["-n", "alice", "--chat", "one", "--chat", "two",
                                        "--duration", "6", L.url, "1234"], "alice")
        wait_chat_ready(a)
        with open("/proc/%d/cmdline" % a.proc.pid, "rb") as f:  # --chat texts left argv
            argv = f.read().split(b"\0")
        assert b"--chat" in argv and b"one" not in argv and b"two" not in argv, argv
        a.proc.stdin.write(b"three from stdin\n")
        a.proc.stdin.close()  # EOF on stdin must not end the session
        b.wait_event(lambda e: e.get("event") == "chat" and e.get("text") == "three from stdin", 10)
        assert a.wait_exit(15) == 0, a.describe()
        assert b.wait_exit(15) == 0, b.describe()
        assert a.events[-1]["event"] == "left" and a.events[-1]["reason"] == "duration", a.describe()
        got_b = [(e["from"], e["text"], e["self"]) for e in chats(b)]
        assert got_b == [("alice", "one", False), ("alice", "two", False),
                         ("alice", "three from stdin", False)], got_b
        got_a = [(e["from"], e["text"], e["self"]) for e in chats(a)]
        assert got_a == [("alice", "one", True), ("alice", "two", True),
                         ("alice", "three from stdin", True)], got_a


def test_private_message():
    with lab.Lab() as L:
        cl = {}
        for n in ("alice", "bob", "carol"):
            cl[n] = start_client(L, HEADLESS + ["-n", n, "--duration", "7", L.url, "1234"], n)
        for c in cl.values():
            wait_chat_ready(c)
        time.sleep(0.5)  # all three have joined the chat room
        cl["bob"].proc.stdin.write(b"/msg alice psst, only you\n")
        cl["bob"].proc.stdin.flush()
        cl["alice"].wait_event(lambda e: e.get("event") == "chat", 10)
        for c in cl.values():
            assert c.wait_exit(15) == 0, c.describe()
        a = [(e["from"], e["text"], e["private"]) for e in chats(cl["alice"])]
        assert a == [("bob", "psst, only you", True)], a
        assert chats(cl["carol"]) == [], cl["carol"].describe()
        bb = chats(cl["bob"])
        assert len(bb) == 1 and bb[0]["self"] and bb[0]["private"] and bb[0]["to"] == "alice", bb


def test_hostile_names_and_text():
    with lab.Lab() as L:
        b = start_client(L, HEADLESS + ["-n", "bob", "--duration", "6", L.url, "1234"], "bob")
        wait_chat_ready(b)
        # A raw-protocol client joins the TextRoom? Too much machinery: the hostile bytes come
        # from a ttymeet client's stdin instead (its name must be clean: the CLI refuses bad names).
        a = start_client(L, HEADLESS + ["-n", "alice", "--duration", "4", L.url, "1234"], "alice")
        wait_chat_ready(a)
        a.proc.stdin.write(b"hi \x1b]52;c;ZXZpbA==\x07there \x1b[2J\x1b[31mred\x9b\n")
        a.proc.stdin.flush()
        e = b.wait_event(lambda e: e.get("event") == "chat", 10)
        assert e["text"] == "hi there red\ufffd", e  # lone 0x9b is invalid UTF-8: replaced
        for c in (a, b):
            c.wait_exit(15)
            for ev in c.events:
                for v in ev.values():
                    if isinstance(v, str):
                        assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f\x80-\x9f]", v), ev


def test_chat_never_touches_disk():
    secret_out = "outgoing-secret-7f3a9c"
    secret_in = "incoming-secret-2b8e41"
    home = tempfile.mkdtemp(prefix="ttm-home-")
    trace_dir = tempfile.mkdtemp(prefix="ttm-strace-")
    trace = os.path.join(trace_dir, "trace")
    try:
        with lab.Lab() as L:
            b = start_client(L, HEADLESS + ["-n", "bob", "--duration", "8", L.url, "1234"], "bob")
            wait_chat_ready(b)
            env = {"HOME": home, "XDG_CONFIG_HOME": os.path.join(home, ".config"),
                   "XDG_DATA_HOME": os.path.join(home, ".local/share"),
                   "XDG_CACHE_HOME": os.path.join(home, ".cache"),
                   "XDG_STATE_HOME": os.path.join(home, ".local/state"),
                   # LeakSanitizer cannot run under ptrace; the other sanitizers still do.
                   "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0"}
            p = L.client(["strace", "-f", "-qq", "-s", "65535", "-xx", "-o", trace,
                          "-e", "trace=%file,write,writev,pwrite64,sendto,sendmsg,sendmmsg",
                          harness.ttymeet_path()] + HEADLESS +
                         ["-n", "alice", "--chat", secret_out, "--duration", "5", L.url, "1234"],
                         env=env)
            a = harness.Client(p, "alice(strace)")
            wait_chat_ready(a, 15)
            b.proc.stdin.write((secret_in + "\n").encode())
            b.proc.stdin.flush()
            a.wait_event(lambda e: e.get("event") == "chat" and e.get("text") == secret_in, 10)
            assert a.wait_exit(20) == 0, a.describe()
            b.wait_exit(20)
        text = open(trace, errors="replace").read()
        assert "execve" in text or "write" in text, "strace recorded nothing"
        hexes = {s: "".join("\\x%02x" % c for c in s.encode()) for s in (secret_out, secret_in)}
        seen_on_stdout = set()
        for line in text.splitlines():
            m = re.match(r"\d+\s+(\w+)\((\d+)?", line)
            if not m:
                continue
            call, fd = m.group(1), m.group(2)
            if call in ("write", "writev", "pwrite64", "sendto", "sendmsg", "sendmmsg"):
                for s, hx in hexes.items():
                    if hx in line and call in ("write", "writev") and fd == "1":
                        seen_on_stdout.add(s)
                    if hx in line and not (call in ("write", "writev") and fd == "1"):
                        raise AssertionError("chat text in %s on fd %s: %s" % (call, fd, line[:300]))
            if call in ("open", "openat", "creat", "mkdir", "mkdirat", "rename", "renameat",
                        "renameat2", "unlink", "unlinkat", "link", "symlink"):
                wr = re.search(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC", line)
                if call not in ("open", "openat") or wr:
                    path = re.search(r'"([^"]*)"', line)
                    path = path.group(1) if path else "?"
                    # /dev/null and /dev/shm style device files are not storage of ours.
                    if not path.startswith("/dev/"):
                        raise AssertionError("file written or created: %s" % line[:300])
        # The matcher must be able to see the text at all: both secrets are in the JSON events.
        assert seen_on_stdout == {secret_out, secret_in}, seen_on_stdout
        assert os.listdir(home) == [], os.listdir(home)
    finally:
        shutil.rmtree(home, ignore_errors=True)
        shutil.rmtree(trace_dir, ignore_errors=True)


if __name__ == "__main__":
    harness.require_root()
    harness.run(concurrent=True)
