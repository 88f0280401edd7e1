#!/usr/bin/env python3
"""The habits of irssi, weechat and every terminal chat (issue 16), driven through tmux against
a real Janus in the lab (tmux and helpers from test_tui.py).

- test_tab_commands_and_marker: two people whose names share a prefix: Tab completes the
  first, Tab again the second, then the first again, and the status bar lists both with the
  one in the line in brackets (gone after another key); /me shows as "* zed waves" and
  reaches the room as "/me waves"; a message naming us is highlighted (an SGR background or
  reverse) and each other name is drawn in a colour; /names, /who; /lastlog finds a line by
  a word of it; /nick without a name, with a long one or our own says so, /nick zorro
  renames us (the others get a renamed event, the roster says zorro, mentions of zorro are
  highlighted, our lines come from zorro); PgUp with nothing new says "scrolled back", lines
  arriving meanwhile say "2 new below", PgDn brings a "new" marker row above the first of
  them; /clear empties the pane.
- test_escape_sequences_and_lang_c: TERM=vt100 in tmux (an xterm-like terminal): PgUp, F6,
  Home and Delete put nothing like "5~17~1~3~" into the input line, and Home/Delete work;
  with LANG=C a typed "café" is kept (drawn transliterated) and reaches the room as "café";
  with NO_COLOR names and mentions carry no colour.
- test_same_names: two people called alice get "alice#SUFFIX" from their ids in the roster and
  on their messages; /msg alice asks which, /msg alice#SUFFIX reaches that one only.
- test_suspend_and_resume: in an interactive bash, Ctrl-Z gives the terminal back ("Stopped"),
  fg redraws the meeting and keys work again.
"""

import os
import re
import secrets
import subprocess
import time

import harness
from harness import HEADLESS, lab, start_client
from test_tui import COLOR_SGR, Tui, chat_text, row



def test_tab_commands_and_marker():
    with lab.Lab() as L:
        alina = start_client(L, HEADLESS + ["-n", "alina", L.url, "1234"], "alina")
        alicia = start_client(L, HEADLESS + ["-n", "alicia", L.url, "1234"], "alicia")
        alina.wait_event("joined", 15)
        alicia.wait_event("joined", 15)
        t = Tui(L, ["--accept-privacy", "-n", "zed", L.url, "1234"], name="habits")
        try:
            t.wait(lambda s: "Chat connected" in s and " alina" in s and " alicia" in s, 15,
                   "both in the roster")
            # Tab cycles through both names; the status bar shows the candidates
            t.type("al", enter=False)
            t.keys("Tab")
            s = t.wait(lambda s: row(s, 23).startswith("> alicia:"), 5, "first completion")
            assert "Tab: [alicia] alina" in row(s, 22), s
            t.keys("Tab")
            s = t.wait(lambda s: row(s, 23).startswith("> alina:"), 5, "second completion")
            assert "Tab: alicia [alina]" in row(s, 22), s
            t.keys("Tab")
            t.wait(lambda s: row(s, 23).startswith("> alicia:"), 5, "back to the first")
            t.keys("C-u")
            t.wait(lambda s: "Tab:" not in row(s, 22) and row(s, 23).startswith("> type"), 5,
                   "the candidates gone after another key")

            # /me: an action line here, the text as typed for the others (once alina's chat
            # is up: the chat room delivers only to those in it)
            alina.wait_event(lambda e: e["event"] == "media" and e.get("kind") == "chat", 10)
            t.type("/me waves")
            e = alina.wait_event(lambda e: e["event"] == "chat" and e.get("from") == "zed", 10)
            assert e["text"] == "/me waves", e
            t.wait("* zed waves", 10)

            # a mention is highlighted, names are coloured
            alina.write_stdin("zed: look here\n")
            t.wait("alina: zed: look here", 10)
            alicia.write_stdin("nothing for you\n")
            t.wait("alicia: nothing for you", 10)
            esc = t.capture(escapes=True)
            assert re.search(r"\x1b\[[0-9;]*(?:43|7)[0-9;]*m[^\x1b\n]*zed: look here", esc), esc
            assert not re.search(r"\x1b\[[0-9;]*(?:43|7)[0-9;]*m[^\x1b\n]*nothing for you",
                                 esc), esc
            for who in ("alina", "alicia"):
                assert re.search(r"\x1b\[[0-9;]*3[1-7]m(?:\x1b\[[0-9;]*m)*%s: " % who,
                                 esc), (who, esc)

            t.type("/names")
            t.wait("3 in the room: zed (you), alicia, alina", 5)
            t.type("/who")
            t.wait(lambda s: chat_text(s).count("3 in the room:") == 2, 5, "/who")
            t.type("/lastlog LOOK")
            s = t.wait('Lines with "LOOK" (1):', 5)
            assert re.search(r"\d\d:\d\d alina: zed: look here", chat_text(s).split(
                'Lines with "LOOK" (1):')[1]), s
            # /nick: mistakes in plain words, then the rename others see
            t.type("/nick")
            t.wait("/nick needs a name: /nick NAME", 5)
            t.type("/nick " + "z" * 65)
            t.wait("That name is too long: at most 64 bytes.", 5)
            t.type("/nick zed")
            t.wait("You are already called zed.", 5)
            zid = alina.wait_event(lambda e: e["event"] == "participant-joined" and
                                   e.get("name") == "zed", 5)["id"]
            t.type("/nick zorro")
            s = t.wait("You are now known as zorro.", 10)
            e = alina.wait_event(lambda e: e["event"] == "renamed" and e.get("id") == zid, 10)
            assert e["name"] == "zorro" and e["old_name"] == "zed", e
            t.wait(lambda s: " zorro (you)" in s or "zorro (you)" in s, 5, "roster renamed")
            alina.write_stdin("zorro: you there?\n")
            t.wait("alina: zorro: you there?", 10)
            esc = t.capture(escapes=True)  # the new name is the one mentions highlight
            assert re.search(r"\x1b\[[0-9;]*(?:43|7)[0-9;]*m[^\x1b\n]*zorro: you there",
                             esc), esc
            t.type("back as zorro")
            e = alina.wait_event(lambda e: e["event"] == "chat" and
                                 e.get("text") == "back as zorro", 10)
            assert e["from"] == "zorro" and e["id"] == zid and not e["chat_only"], e
            t.type("/lastlog nowhere-to-be-found")
            t.wait('No line contains "nowhere-to-be-found".', 5)

            # scrolling back: "N new below" only when there is something new, then a marker
            for i in range(30):
                alicia.write_stdin("filler %d\n" % i)
            t.wait("alicia: filler 29", 10)
            t.keys("PPage")
            s = t.wait("scrolled back — PgDn", 5)
            assert "new below" not in s, s
            alina.write_stdin("first new line\n")
            alina.write_stdin("second new line\n")
            t.wait("2 new below — PgDn", 10)
            for _ in range(3):
                t.keys("NPage")
            s = t.wait(lambda s: "second new line" in s and "new below" not in s, 5, "bottom")
            lines = s.split("\n")
            k = [i for i, ln in enumerate(lines) if "alina: first new line" in ln][0]
            assert re.match(r"^─+ new ─+", lines[k - 1]), s
            t.type("/clear")
            t.wait(lambda s: "filler" not in s and "new line" not in s, 5, "a clear pane")
            t.keys("C-c")
            assert t.wait_exit(10) == 0
        finally:
            t.kill()


def test_escape_sequences_and_lang_c():
    with lab.Lab() as L:
        bob = start_client(L, HEADLESS + ["-n", "bob", L.url, "1234"], "bob")
        bob.wait_event("joined", 15)
        t = Tui(L, ["--accept-privacy", "-n", "vt", L.url, "1234"], env={"TERM": "vt100"},
                name="vt100")
        try:
            t.wait(lambda s: "Chat connected" in s and " bob" in s, 15)
            t.type("abc", enter=False)
            for k in ("PPage", "F6", "Home", "DC"):
                t.keys(k)
                time.sleep(0.2)
            s = t.wait(lambda s: row(s, 23).startswith("> bc"), 5, "Home and Delete worked")
            assert "~" not in row(s, 23), s
            t.keys("C-c")
            assert t.wait_exit(10) == 0
        finally:
            t.kill()
        t = Tui(L, ["--accept-privacy", "-n", "c", L.url, "1234"],
                env={"LANG": "C", "NO_COLOR": "1"}, name="lang-c")
        try:
            t.wait(lambda s: "Chat connected" in s and " bob" in s, 15)
            t.type("caf\u00e9 ok")
            e = bob.wait_event(lambda e: e["event"] == "chat" and e.get("from") == "c", 10)
            assert e["text"] == "caf\u00e9 ok", e
            s = t.wait(lambda s: "c: cafe ok" in s or "c: caf? ok" in s, 10)
            assert all(b < 0x80 for b in t.capture_bytes()), s
            # NO_COLOR: a sender's name is plain (bold), no colour
            bob.write_stdin("c: plain please\n")
            t.wait("bob: c: plain please", 10)
            esc = t.capture(escapes=True)
            assert not COLOR_SGR.search(esc), esc
            t.keys("C-c")
            assert t.wait_exit(10) == 0
        finally:
            t.kill()


def test_same_names():
    """Two people called alice: the roster, /names and their messages tell them apart by a
    suffix from their ids; /msg alice asks which and sends nothing; /msg alice#SUFFIX reaches
    that one only."""
    with lab.Lab() as L:
        a1 = start_client(L, HEADLESS + ["-n", "alice", L.url, "1234"], "alice1")
        a2 = start_client(L, HEADLESS + ["-n", "alice", L.url, "1234"], "alice2")
        id1, id2 = a1.wait_event("joined", 15)["id"], a2.wait_event("joined", 15)["id"]
        l1, l2 = "alice#%03x" % (id1 & 0xfff), "alice#%03x" % (id2 & 0xfff)
        if l1 == l2:  # the same last three digits: the whole id
            l1, l2 = "alice#%016x" % id1, "alice#%016x" % id2
        t = Tui(L, ["--accept-privacy", "-n", "zed", L.url, "1234"], name="namesakes",
                cols=100)
        try:
            s = t.wait(lambda s: "Chat connected" in s and l1 in s and l2 in s, 15,
                       "both alices labelled")
            t.type("/names")
            t.wait(lambda s: "3 in the room: zed (you), " in chat_text(s), 5)
            t.type("/msg alice only one of you")
            s = t.wait("alice is more than one person: say which", 5)
            assert l1 in chat_text(s).split("say which")[1], s
            n1, n2 = len(a1.events), len(a2.events)
            t.type("/msg %s just for you" % l1)
            e = a1.wait_event(lambda e: e["event"] == "chat" and e.get("private"), 10,
                              start=n1)
            assert e["text"] == "just for you" and e["from"] == "zed", e
            t.wait("zed → %s (private): just for you" % l1, 10)
            a2.wait_event(lambda e: e["event"] == "media" and e.get("kind") == "chat", 10)
            a2.write_stdin("hello from the second\n")
            t.wait("%s: hello from the second" % l2, 10)
            time.sleep(0.5)
            assert not [e for e in a2.events[n2:] if e["event"] == "chat" and e.get("private")
                        ], a2.describe()
            assert not [e for e in a1.events[n1:] if e["event"] == "chat" and
                        e.get("text") == "only one of you"], a1.describe()
            t.keys("C-c")
            assert t.wait_exit(10) == 0
        finally:
            t.kill()


def test_suspend_and_resume():
    """Ctrl-Z in a shell's job control: the terminal goes back to the shell (its prompt and
    "Stopped" show), fg brings the meeting back, fully redrawn, and keys work again."""
    with lab.Lab() as L:
        t = Tui.__new__(Tui)  # Tui's helpers on a pane that runs a shell, not ttymeet
        t.name, t.lab = "shell", L
        t.sock = "ttmtuiz%d%s" % (os.getpid(), secrets.token_hex(3))
        cmd = "env -u NO_COLOR LANG=C.UTF-8 PS1='sh$ ' bash --norc --noprofile -i"
        subprocess.run(["ip", "netns", "exec", L.client_ns, "tmux", "-u", "-L", t.sock, "-f",
                        "/dev/null", "new-session", "-d", "-x", "80", "-y", "24", cmd],
                       check=True, timeout=10)
        try:
            t.wait("sh$", 5)
            t.type("%s --accept-privacy -n zed %s 1234" % (harness.ttymeet_path(), L.url))
            t.wait(lambda s: "Chat connected" in s and "zed (you)" in s, 15, "joined")
            t.keys("C-z")
            s = t.wait(lambda s: "Stopped" in s and "zed (you)" not in s, 5, "the shell back")
            t.type("fg")
            s = t.wait(lambda s: "zed (you)" in s and "1 in the room" in row(s, 0)
                       and "Chat connected" in s, 10, "the meeting redrawn")
            t.type("/names")
            t.wait("1 in the room: zed (you)", 5)
            t.type("/quit")
            t.wait(lambda s: s.rstrip().endswith("sh$"), 10, "ttymeet gone, the shell back")
        finally:
            t.tmux("kill-server", check=False)


if __name__ == "__main__":
    harness.require_root()
    harness.run()
