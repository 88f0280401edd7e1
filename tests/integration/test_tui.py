#!/usr/bin/env python3
"""The terminal UI (issue 5) driven through tmux against a real Janus in the lab.

tmux runs INSIDE the lab's client namespace (`ip netns exec NS tmux -L SOCK new-session -d`),
with a socket name unique to the test, so ttymeet's pane is a real terminal of a known size;
keys go in with `send-keys`, the screen comes back with `capture-pane -p` (-e: with SGR
attributes). Headless ttymeet clients in the same namespace are the other participants.

- test_notice_first_decline_no_connection: the first screen is the privacy notice naming the
  server host; q and Esc exit 0 and no TCP SYN to Janus' port was seen (an nftables counter in
  the server namespace, proven live by a headless client afterwards); Janus saw no session.
- test_meeting: Enter joins; the roster shows a headless participant already there and one
  joining later; chat both ways; without a sound card the status bar says "no mic, no
  speaker" instead of a meter, /devices finds none and /device NAME fails with one clear line
  while audio goes on; /mute reaches the other side as a `muted` event and the status bar; F4
  unmutes; /ptt + F5 opens the microphone for about a second; F1/F2 screens; a display
  name and a message with escape sequences show harmlessly; PgUp scrollback with the unread
  marker; /quit leaves (exit 0, the others see participant-left).
- test_chat_only_roster_marker: a TextRoom-only participant (tests/integration/chatprobe.py)
  shows once in the roster with the chat-only mark "c" and "(chat)", her messages show as
  "Dora (chat): ..." and a /msg to her works, the help legend explains the mark, and she leaves the roster with the probe.
- test_forged_lines_and_invisible_names: a chat message with line breaks shows its continuation
  rows marked ("↳"; soft wraps "┊") so "hi\n12:00 bob: ..." cannot pass for bob's line, and
  headless it stays one JSON string; invisible characters are stripped from display names and
  a name of nothing but them shows as participant-ID.
- test_video_pane: a headless participant publishes the test pattern; the TUI's video pane
  shows it (bars and a moving box), /video off removes the pane, /video on brings it back,
  /video NAME for a non-sender is one clear line, and the pane clears when she leaves.
- test_resize: 60x20 and 200x50 relayout (panes at the layout's places), below the minimum a
  clear message, back to 80x24.
- test_pin_prompt_masked: a room with a pin and none given brings up a masked prompt ("*" per
  character, the typed pin never on screen); a wrong pin asks again, the right one joins; Esc
  at the prompt exits 4 without joining.
- test_help_and_man_page_cover_the_commands: every slash command --help names is in
  man/ttymeet.1, with /device [in|out] and the chat-only roster mark in both.
- test_languages_ascii_and_no_color: LANG=de_DE.UTF-8 gives the German notice; LANG=C gives
  a pure ASCII screen (no byte >= 0x80 in notice, meeting view and help, with a UTF-8 name in
  the room); NO_COLOR=1 gives no colour SGR codes while the default has some.

Three run at a time, each with its own lab, tmux and clients (harness.run(concurrent=3)):
~28 s in all instead of ~49 s on a loaded machine (all nine at once saved no more).
"""

import os
import re
import secrets
import shlex
import subprocess
import tempfile
import threading
import time

import harness
from chatprobe import Probe, ensure_node_deps
from harness import HEADLESS, lab, start_client

HOST = lab.SERVER_ADDR
COLOR_SGR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-7]|4[0-7]|9[0-7]|10[0-7]|38|48)(?:;[0-9;]*)?m")


class Tui:
    """ttymeet in a tmux pane inside the lab's client namespace."""

    def __init__(self, the_lab, args, env=None, cols=80, rows=24, name="tui"):
        self.lab = the_lab
        self.name = name
        self.sock = "ttmtui%d%s" % (os.getpid(), secrets.token_hex(3))
        fd, self.rcfile = tempfile.mkstemp(prefix="ttm-tui-rc-")
        os.close(fd)
        os.unlink(self.rcfile)
        fd, self.errfile = tempfile.mkstemp(prefix="ttm-tui-err-")
        os.close(fd)
        env = dict({"LANG": "C.UTF-8"}, **(env or {}))
        envs = " ".join(shlex.quote("%s=%s" % kv) for kv in env.items())
        # stderr to a file: what ttymeet prints there after the UI ended (and sanitizer reports)
        cmd = "env -u LANGUAGE -u LC_ALL -u LC_MESSAGES -u NO_COLOR %s %s 2>%s; echo $? > %s" % (
            envs, " ".join(shlex.quote(a) for a in [harness.ttymeet_path()] + list(args)),
            shlex.quote(self.errfile), shlex.quote(self.rcfile))
        ns = the_lab.client_ns if the_lab else None
        pre = ["ip", "netns", "exec", ns] if ns else []
        subprocess.run(pre + ["tmux", "-u", "-L", self.sock, "-f", "/dev/null", "new-session",
                              "-d", "-x", str(cols), "-y", str(rows), cmd],
                       check=True, timeout=10)

    def tmux(self, *args, check=True):
        return subprocess.run(["tmux", "-u", "-L", self.sock] + list(args), capture_output=True,
                              timeout=10, check=check)

    def capture(self, escapes=False):
        r = self.tmux("capture-pane", "-p", *(["-e"] if escapes else []), check=False)
        return r.stdout.decode("utf-8", "replace") if r.returncode == 0 else ""

    def capture_bytes(self):
        return self.tmux("capture-pane", "-p", check=False).stdout

    def lines(self):
        return self.capture().split("\n")

    def keys(self, *keys):
        self.tmux("send-keys", *keys)

    def type(self, text, enter=True):
        self.tmux("send-keys", "-l", text)
        if enter:
            self.tmux("send-keys", "Enter")

    def wait(self, pred, timeout=10.0, what=None):
        """Polls the screen until pred(screen text) (or a substring) holds; returns the screen."""
        test = (lambda s: pred in s) if isinstance(pred, str) else pred
        deadline = time.monotonic() + timeout
        while True:
            screen = self.capture()
            if test(screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError("%s: screen never showed %s within %.0f s:\n%s" % (
                    self.name, what or repr(pred), timeout, screen))
            time.sleep(0.1)

    def resize(self, cols, rows):
        self.tmux("resize-window", "-x", str(cols), "-y", str(rows))

    def wait_exit(self, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with open(self.rcfile) as f:
                    text = f.read().strip()
                if text:
                    return int(text)
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError("%s did not exit within %.0f s; screen:\n%s" % (
            self.name, timeout, self.capture()))

    def stderr(self):
        try:
            with open(self.errfile, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def kill(self):
        """Stops tmux; fails on a sanitizer report in ttymeet's stderr."""
        self.tmux("kill-server", check=False)
        err = self.stderr()
        for path in (self.rcfile, self.errfile):
            try:
                os.unlink(path)
            except OSError:
                pass
        for mark in harness.SANITIZER_MARKS:
            assert mark not in err, "%s: sanitizer report:\n%s" % (self.name, err)


def syn_counter_start(L):
    """Counts TCP SYNs to Janus' WebSocket port in the server namespace."""
    rules = ("table inet ttmtui {\n counter syns { }\n"
             " chain in { type filter hook input priority 0; policy accept;\n"
             "  tcp dport %d tcp flags & (syn | ack) == syn counter name syns\n }\n}\n"
             % L.ws_port)
    L.run_server(["nft", "-f", "-"], input=rules)


def syn_count(L):
    out = L.run_server(["nft", "list", "counter", "inet", "ttmtui", "syns"]).stdout
    m = re.search(r"packets (\d+)", out)
    assert m, out
    return int(m.group(1))


CONT_MARK = re.compile(r"^ {3,4}(?:↳|┊|->|:) ")  # ui/draw.c: a message's continuation row


def chat_text(screen):
    """The chat pane's text (left of the separator), wrapped lines joined by single spaces
    (without the marks of continuation rows)."""
    parts = [CONT_MARK.sub("", ln.split("│")[0]).strip() for ln in screen.split("\n")[1:-2]]
    return re.sub(r"\s+", " ", " ".join(p for p in parts if p))


def row(screen, i):
    lines = screen.split("\n")
    return lines[i] if i < len(lines) else ""


def test_notice_first_decline_no_connection():
    with lab.Lab(debug_level=5) as L:
        syn_counter_start(L)
        for key in ("q", "Escape"):
            t = Tui(L, ["-n", "alice", L.url, "1234"], name="decline-" + key)
            try:
                # (the whole notice: a capture can catch it half drawn, its first lines only)
                s = t.wait(lambda s: "Privacy notice" in s and "Enter: accept and join" in s,
                           what="the whole notice")
                first = s.split("\n")
                assert "Privacy notice" in first[0], s
                assert "room 1234 on %s" % HOST in s and "Sent to the meeting server %s" % HOST \
                    in s, s
                assert "Enter: accept and join" in s, s
                assert "People" not in s, "meeting view before the notice was accepted:\n" + s
                time.sleep(0.5)
                t.keys(key)
                rc = t.wait_exit(5)
                assert rc == 0, "declining with %s: exit %d" % (key, rc)
            finally:
                t.kill()
        assert syn_count(L) == 0, "declining still opened a TCP connection to Janus"
        assert L.janus_sessions() == {}, L.janus_sessions()
        # The counter works: a client that does connect is counted.
        c = start_client(L, HEADLESS + ["-n", "probe", "--duration", "1", L.url, "1234"])
        c.wait_event("joined", 15)
        c.wait_exit(10)
        assert syn_count(L) >= 1


def hostile_join(L, display, seconds):
    """A raw Janus client joins AudioBridge room 1234 as `display` for `seconds`."""
    L.janus_api([
        {"janus": "create"},
        {"janus": "attach", "plugin": "janus.plugin.audiobridge"},
        {"janus": "message", "body": {"request": "join", "room": 1234, "display": display}},
        {"_sleep": seconds},
        {"janus": "destroy"},
    ], timeout=10)


def wait_muted(t, client, pid, on, start=0, timeout=10):
    """client's `muted` event for pid with on; the TUI's screen goes into the failure."""
    try:
        return client.wait_event(lambda e: e["event"] == "muted" and e.get("id") == pid
                                 and e.get("on") is on, timeout, start=start)
    except AssertionError as e:
        raise AssertionError("%s\n%s's screen:\n%s" % (e, t.name, t.capture())) from None


def list_audio_participants(L):
    return {harness.shown_name(p["display"]) for p in L.list_participants()}


def test_meeting():
    with lab.Lab() as L:
        bob = start_client(L, HEADLESS + ["-n", "bob", L.url, "1234"], "bob")
        bob.wait_event("joined", 15)
        t = Tui(L, ["-n", "alice", L.url, "1234"], name="alice")
        try:
            t.wait("Enter: accept and join")
            t.keys("Enter")
            s = t.wait(lambda s: "alice (you)" in s and " bob" in s, 15, "alice and bob")
            assert "ttymeet" in row(s, 0) and "room 1234 on %s" % HOST in row(s, 0), s
            assert "2 in the room" in row(s, 0), s
            j = bob.wait_event(lambda e: e["event"] == "participant-joined"
                               and e.get("name") == "alice", 10)
            alice_id = j["id"]
            # someone joining later shows up too
            carol = start_client(L, HEADLESS + ["-n", "carol", L.url, "1234"], "carol")
            s = t.wait(lambda s: " carol" in s and "3 in the room" in s, 15, "carol")
            assert "carol joined." in s, s
            t.wait("audio ok", 10)

            # chat both ways (needs the TextRoom chat of issue 4)
            t.wait("Chat connected", 15)
            bob.wait_event(lambda e: e["event"] == "media" and e.get("kind") == "chat", 10)
            bob.write_stdin("hello from bob\n")
            t.wait("bob: hello from bob", 10)
            t.type("hi bob, greetings from the tui")
            e = bob.wait_event(lambda e: e["event"] == "chat" and e.get("from") == "alice", 10)
            assert e["text"] == "hi bob, greetings from the tui" and not e["self"], e
            t.wait("alice: hi bob, greetings from the tui", 10)  # Janus' echo

            # a private message, to bob only
            t.type("/msg bob just for you")
            e = bob.wait_event(lambda e: e["event"] == "chat" and e.get("private"), 10)
            assert e["from"] == "alice" and e["text"] == "just for you", e
            t.wait("alice → bob (private): just for you", 10)
            t.type("/msg nobody hello")
            t.wait("Nobody called nobody is in the room.", 5)

            # no sound card in the lab: the status bar says so instead of a level meter
            t.wait(lambda s: "no mic, no speaker" in row(s, 22) and "mic on" not in row(s, 22)
                   and "[" not in row(s, 22), 5, "no mic, no speaker and no meter")
            # devices: none to list; switching to one fails with one clear line, audio goes on
            n_bob = len(bob.events)
            t.type("/devices")
            s = t.wait("Sound devices (input/output channels):", 10)
            t.wait("No sound devices found.", 5)
            t.type("/device nonexistent")
            t.wait(lambda s: 'No sound devices found: cannot switch to "nonexistent".' in
                   chat_text(s), 5, "the /device error")
            t.type("/device out USB Headset")
            t.wait(lambda s: 'No sound devices found: cannot switch to "USB Headset".' in
                   chat_text(s) and "audio ok" in row(s, 22)
                   and "no mic, no speaker" in row(s, 22), 5, "the /device out error")
            time.sleep(2)  # media keeps flowing: bob's link to us stays, no failure anywhere
            assert not [e for e in bob.events[n_bob:] if e["event"] in
                        ("participant-left", "reconnecting", "error")
                        or e["event"] == "media" and e.get("state") == "failed"], bob.describe()
            t.wait(lambda s: "audio ok" in row(s, 22), 5, "audio still ok")
            assert list_audio_participants(L) == {"alice", "bob", "carol"}

            # /mute: the other side gets the muted event, the status bar says so
            t.type("/mute")
            wait_muted(t, bob, alice_id, True)
            s = t.wait(lambda s: "MUTED, no mic" in row(s, 22), 5, "MUTED in the status bar")
            assert "Your microphone is muted." in s
            n = len(bob.events)
            t.keys("F4")  # the toggle key works while the line is empty or not
            wait_muted(t, bob, alice_id, False, start=n)
            t.wait(lambda s: "MUTED" not in row(s, 22) and "no mic" in row(s, 22), 5, "unmuted")
            t.type("half a line", enter=False)
            n = len(bob.events)
            t.keys("M-m")  # Alt-M while typing: muted again, the line stays
            wait_muted(t, bob, alice_id, True, start=n)
            s = t.wait(lambda s: "MUTED" in row(s, 22), 5)
            assert "> half a line" in row(s, 23), s
            t.keys("C-u")
            t.wait(lambda s: "half a line" not in row(s, 23), 5)

            # push-to-talk: F5 opens the microphone for about a second (alice has none here,
            # and the status bar says so instead of offering F5)
            t.type("/ptt")
            t.wait(lambda s: "PTT: no mic" in row(s, 22) and "F5" not in row(s, 22), 5)
            n = len(bob.events)
            t.keys("F5")
            on = wait_muted(t, bob, alice_id, False, start=n)
            off = wait_muted(t, bob, alice_id, True, start=n)
            assert 0.6 <= off["t"] - on["t"] <= 3.0, (on, off)
            t.type("/ptt")

            # help and privacy screens, closed with Esc and q
            t.keys("F1")
            t.wait(lambda s: "Keys and commands" in row(s, 0), 5)
            t.keys("Escape")
            t.wait(lambda s: "alice (you)" in s, 5)
            t.type("/privacy")
            s = t.wait(lambda s: "Privacy notice" in row(s, 0), 5)
            assert "back to the meeting" in s, s
            t.keys("q")
            t.wait(lambda s: "alice (you)" in s, 5)

            # hostile name and text: stripped, no effect on the screen
            evil = "ev\x1b[2J\x1b]0;pwned\x07il\x1b[31mred\x9b"
            th = threading.Thread(target=hostile_join, args=(L, evil, 4), daemon=True)
            th.start()
            s = t.wait(lambda s: "evilred" in s, 10, "the hostile name, cleaned")
            bob.write_stdin("x \x1b]52;c;ZXZpbA==\x07y \x1b[2J\x1b[31mz\n")
            s = t.wait("bob: x y z", 10)
            assert "ttymeet" in row(s, 0) and "alice (you)" in s, "screen cleared:\n" + s
            title = t.tmux("display-message", "-p", "#{pane_title}").stdout.decode()
            assert "pwned" not in title, title
            esc = t.capture(escapes=True)
            line = [ln for ln in esc.split("\n") if "x y z" in ln]
            assert line and "\x1b[31m" not in line[0], line
            th.join(15)

            # scrollback: PgUp, new messages are counted, PgDn goes back
            for i in range(30):
                bob.write_stdin("filler %d\n" % i)
            t.wait("bob: filler 29", 10)
            t.keys("PageUp")
            s = t.wait(lambda s: "scrolled back — PgDn" in s and "new below" not in s, 5,
                       "the scrollback marker (nothing new yet)")
            assert "filler 29" not in s, s
            bob.write_stdin("while you were away\n")
            s = t.wait("1 new below", 10)
            assert "while you were away" not in s, s
            t.keys("PageDown")
            t.keys("PageDown")
            s = t.wait("while you were away", 5)
            assert "new below" not in s, s

            # /quit leaves cleanly
            t.type("/quit")
            assert t.wait_exit(10) == 0
            bob.wait_event(lambda e: e["event"] == "participant-left" and e.get("id") == alice_id,
                           10)
            for c in (bob, carol):
                c.assert_clean_output()
            assert not [e for e in carol.events if e["event"] == "chat" and e.get("private")]
        finally:
            t.kill()


def roster_lines(screen):
    """The roster pane's rows (right of the last vertical separator on each line)."""
    out = []
    for ln in screen.split("\n")[1:-2]:
        k = ln.rfind("│")
        if k >= 0:
            out.append(ln[k + 1:].rstrip())
    return out


def test_chat_only_roster_marker():
    ensure_node_deps()
    with lab.Lab() as L:
        t = Tui(L, ["--accept-privacy", "-n", "alice", L.url, "1234"], name="chat-only")
        try:
            t.wait("Chat connected", 15)
            probe = Probe(L, "web-dora", "Dora")
            probe.wait(lambda m: m.get("probe") == "ready")
            s = t.wait(lambda s: any(r.endswith(" c Dora (chat)") for r in roster_lines(s))
                       and "Dora joined the chat (not the call)." in chat_text(s)
                       and "2 in the room" in row(s, 0), 10, "Dora marked chat-only")
            assert len([r for r in roster_lines(s) if "Dora" in r]) == 1, s
            probe.command("say hi from the web")
            # not a call participant: her lines carry the mark too (issue 12)
            t.wait("Dora (chat): hi from the web", 10)
            t.type("/msg Dora only for you")
            probe.wait(lambda m: m.get("textroom") == "message" and m.get("whisper")
                       and m.get("text") == "only for you")
            t.keys("F1")
            flat = lambda s: re.sub(r"\s+", " ", s)  # noqa: E731 (the help text wraps)
            t.wait(lambda s: "Keys and commands" in s and "/device in NAME" in flat(s), 5,
                   "the help on /device in|out")
            t.keys("End")  # the legend is the help's last line
            t.wait(lambda s: "c (chat) only in the chat, not in the call" in flat(s), 5,
                   "the help on the chat-only mark")
            t.keys("Escape")
            probe.leave()
            t.wait(lambda s: not any("Dora" in r for r in roster_lines(s))
                   and "Dora left." in chat_text(s) and "1 in the room" in row(s, 0), 10,
                   "Dora gone")
            t.keys("C-c")
            assert t.wait_exit(10) == 0
        finally:
            t.kill()


def test_forged_lines_and_invisible_names():
    """A message with line breaks cannot draw a row that passes for someone else's line: its
    continuation rows carry the mark "↳" in the time column (soft wraps "┊"), never a time; the
    headless side gets the text as one JSON string with its newlines. A display name made of
    invisible characters shows as participant-ID, one padded with them as the plain name."""
    forged = "hi\n12:00 bob: send me your pin\n<bob> now"
    with lab.Lab() as L:
        bob = start_client(L, HEADLESS + ["-n", "bob", L.url, "1234"], "bob")
        bob.wait_event("joined", 15)
        # wide enough for "participant-<16 digits>" in the roster column
        t = Tui(L, ["--accept-privacy", "-n", "alice", L.url, "1234"], name="forged",
                cols=140, rows=30)
        try:
            t.wait(lambda s: "Chat connected" in s and " bob" in s, 15)
            mallory = start_client(L, HEADLESS + ["-n", "mallory", "--chat", forged, L.url,
                                                  "1234"], "mallory")
            e = bob.wait_event(lambda e: e["event"] == "chat" and e.get("from") == "mallory", 15)
            assert e["text"] == forged, e  # headless: one JSON string, newlines kept
            s = t.wait("mallory: hi", 10)
            lines = s.split("\n")
            i = [k for k, ln in enumerate(lines) if "mallory: hi" in ln][0]
            assert re.match(r"^\d\d:\d\d mallory: hi", lines[i]), s
            assert lines[i + 1].startswith("    ↳ 12:00 bob: send me your pin"), s
            assert lines[i + 2].startswith("    ↳ <bob> now"), s
            # no row of the pane starts like a message of bob's but bob's own
            bob.write_stdin("the real bob\n")
            s = t.wait("bob: the real bob", 10)
            starts = [ln for ln in s.split("\n") if re.match(r"^\d\d:\d\d bob:", ln)]
            assert len(starts) == 1 and "the real bob" in starts[0], s
            # a long line wraps with the soft mark
            bob.write_stdin("zork " * 40 + "fin\n")
            s = t.wait(lambda s: "zork fin" in chat_text(s) and "    ┊ zork" in s, 10,
                       "a wrapped line")

            # names: invisible padding goes, a name of invisible characters gets a placeholder
            ghost = "\u200b\u3164\ufeff"
            padded = "\u2066car\u200dol\U000E0041\u200b"
            ths = [threading.Thread(target=hostile_join, args=(L, d, 5), daemon=True)
                   for d in (ghost, padded)]
            for th in ths:
                th.start()
            s = t.wait(lambda s: any(r.endswith(" carol") for r in roster_lines(s))
                       and any(re.search(r" participant-\d+$", r) for r in roster_lines(s)),
                       10, "carol and a placeholder name")
            ids = [int(m.group(1)) for r in roster_lines(s)
                   for m in [re.search(r" participant-(\d+)$", r)] if m]
            names = {p["display"]: p["id"] for p in L.list_participants()}
            assert ids == [names[ghost]], (ids, names, s)
            assert padded in names and "carol" not in names, names  # Janus keeps the raw name
            for th in ths:
                th.join(15)
            t.keys("C-c")
            assert t.wait_exit(10) == 0
            mallory.send_signal(2)
            mallory.wait_exit(10)
            bob.assert_clean_output()
        finally:
            t.kill()


def video_pane(screen):
    """The right column's rows below its horizontal separator (the video pane)."""
    right = [ln.split("│", 1)[1] if "│" in ln else "" for ln in screen.split("\n")]
    for i, r in enumerate(right):
        if r.startswith("─"):
            return right[i + 1:-2]
    return []


def test_video_pane():
    with lab.Lab() as L:
        a = start_client(L, HEADLESS + ["-n", "alice", "--video-source", "testpattern",
                                        L.url, "1234"], "alice")
        a.wait_event(lambda e: e.get("event") == "media" and e.get("kind") == "video", 10)
        t = Tui(L, ["--accept-privacy", "-n", "bob", L.url, "1234"], name="video")
        try:
            t.wait("Video: showing alice.", 15)

            def pattern_shown(s):
                pane = video_pane(s)
                # the bars: one row rising from blank to '@'; the box: a run of '@' above it
                bars = [r for r in pane if r.rstrip().endswith("@") and r.lstrip()[:1] in ".:"]
                box = [r for r in pane if "@@@" in r and r not in bars]
                return pane and pane[0].strip() == "alice" and bars and box
            s = t.wait(pattern_shown, 10, "the test pattern in the video pane")
            # it moves: the box is somewhere else a little later
            boxes = {tuple(r.find("@") for r in video_pane(s) if "@@@" in r)}
            deadline = time.monotonic() + 5
            while len(boxes) < 3 and time.monotonic() < deadline:
                time.sleep(0.25)
                boxes.add(tuple(r.find("@") for r in video_pane(t.capture()) if "@@@" in r))
            assert len(boxes) >= 3, boxes
            t.type("/video off")
            # the pane goes: the right column is the roster's alone, without a picture
            s = t.wait(lambda s: "Video off: nothing is received" in chat_text(s)
                       and not video_pane(s), 10, "pane gone")
            assert not [ln for ln in s.split("\n")[1:-2] if "@" in ln.split("│", 1)[-1]], s
            t.type("/video on")
            t.wait(pattern_shown, 10, "the pattern again after /video on")
            t.type("/video nobody")
            t.wait("Nobody called nobody sends video.", 5)
            a.proc.terminate()
            s = t.wait(lambda s: "no video" in "\n".join(video_pane(s)), 10,
                       "pane cleared when alice left")
            t.keys("C-c")
            assert t.wait_exit(10) == 0
        finally:
            t.kill()


def test_resize():
    with lab.Lab() as L:
        bob = start_client(L, HEADLESS + ["-n", "bob", L.url, "1234"], "bob")
        bob.wait_event("joined", 15)
        t = Tui(L, ["--accept-privacy", "-n", "alice", L.url, "1234"], name="resize")
        try:
            t.wait(lambda s: " bob" in s and "alice (you)" in s, 15)
            t.wait("Chat connected", 15)  # bob's chat reaches only those already in the room
            bob.wait_event(lambda e: e["event"] == "media" and e.get("kind") == "chat", 10)
            bob.write_stdin("a fairly long chat line that must wrap when the terminal gets "
                            "narrower than it is now\n")
            t.wait("bob: a fairly long", 15)
            for cols, rows in ((60, 20), (200, 50)):
                t.resize(cols, rows)
                # the right column (roster over video): a quarter, the chat keeping 40
                right = cols - min(max(cols // 4, 18), cols - 41)
                s = t.wait(lambda s: len(s.rstrip("\n").split("\n")) == rows
                           and "People" in row(s, 1)[right - 1:], 5, "%dx%d layout" % (cols, rows))
                lines = s.rstrip("\n").split("\n")
                assert lines[0].startswith(" ttymeet") and "F1 help" in lines[0], s
                assert lines[0].rstrip().endswith("F1 help"), s
                assert lines[rows - 1].startswith(">"), s
                assert "audio ok" in lines[rows - 2], s
                assert all(len(ln) <= cols for ln in lines), s
                assert any(" bob" in ln[right:] for ln in lines), s
                sep = "│"
                assert all(ln[right - 1] == sep for ln in lines[1:rows - 2]), s
                chat = [ln[:right - 1].rstrip() for ln in lines[1:rows - 2]]
                text = " ".join(c[6:].strip() for c in chat)  # without "HH:MM " or indent
                assert "must wrap when the terminal gets narrower than it is now" in \
                    re.sub(r"\s+", " ", text), s
            t.resize(50, 12)
            s = t.wait("Terminal too small", 5)
            assert "50x12" in s and "60x16" in s, s
            assert "People" not in s, s
            t.resize(80, 24)
            s = t.wait(lambda s: "alice (you)" in s and "Terminal too small" not in s, 5)
            t.keys("C-c")
            assert t.wait_exit(10) == 0
        finally:
            t.kill()


def test_languages_ascii_and_no_color():
    with lab.Lab() as L:
        # German notice (the de_DE locale need not be installed: UTF-8 still applies)
        t = Tui(L, ["-n", "alice", L.url, "1234"], env={"LANG": "de_DE.UTF-8"}, name="de")
        try:
            # the whole screen: its last line is drawn after the title (a busy machine can
            # show the first rows before the rest)
            s = t.wait(lambda s: "Datenschutzhinweis" in s and "Enter: annehmen" in s, 10,
                       "the German notice with its keys")
            assert "Raum 1234 auf %s" % HOST in s and "„alice“" in s, s
            assert "Enter: annehmen und beitreten" in s, s
            t.keys("q")
            assert t.wait_exit(5) == 0
        finally:
            t.kill()

        zoe = start_client(L, HEADLESS + ["-n", "Zoë «b» 世界", L.url, "1234"], "zoe")
        zoe.wait_event("joined", 15)
        t = Tui(L, ["-n", "alice", L.url, "1234"], env={"LANG": "C"}, name="ascii")
        try:
            t.wait("Privacy notice")
            shots = [t.capture_bytes()]
            t.keys("Enter")
            t.wait(lambda s: 'Zoe "b" ??' in s and "audio ok" in s, 15, "the ASCII roster")
            shots.append(t.capture_bytes())
            t.keys("F1")
            t.wait("Keys and commands")
            shots.append(t.capture_bytes())
            for shot in shots:
                bad = [b for b in shot if b >= 0x80]
                assert not bad, "non-ASCII bytes on an ASCII terminal:\n%s" % shot.decode(
                    "utf-8", "replace")
            t.keys("Escape")
            t.keys("C-c")
            assert t.wait_exit(10) == 0
        finally:
            t.kill()

        for env, want_color in (({"LANG": "C.UTF-8", "NO_COLOR": "1"}, False),
                                ({"LANG": "C.UTF-8"}, True)):
            t = Tui(L, ["--accept-privacy", "-n", "alice", L.url, "1234"], env=env,
                    name="color" if want_color else "no-color")
            try:
                t.wait("audio ok", 15)
                esc = t.capture(escapes=True)
                assert bool(COLOR_SGR.search(esc)) == want_color, (env, esc)
                if not want_color:
                    assert "\x1b[7m" in esc, "monochrome bars are reverse video:\n" + esc
                t.keys("C-c")
                assert t.wait_exit(10) == 0
            finally:
                t.kill()


def test_pin_prompt_masked():
    with lab.Lab() as L:
        t = Tui(L, ["--accept-privacy", "-n", "alice", L.url, str(L.pin_room)], name="pin")
        try:
            s = t.wait("needs a pin", 15)
            assert "pin for room %d:" % L.pin_room in s, s
            t.type("wrong", enter=False)
            s = t.wait("pin for room %d: *****" % L.pin_room, 5)
            assert "wrong" not in s, s
            t.keys("BSpace")
            t.wait(lambda s: "*****" not in s and "****" in s, 5, "backspace")
            t.type("g")
            t.wait("refused the pin", 15)
            t.type(L.pin, enter=False)
            s = t.wait("pin for room %d: %s" % (L.pin_room, "*" * len(L.pin)), 5)
            assert L.pin not in s, s
            t.keys("Enter")
            s = t.wait("alice (you)", 20)
            assert L.pin not in s, s
            assert list(harness.participants(L, L.pin_room).values()) == ["alice"]
            t.keys("C-c")
            assert t.wait_exit(10) == 0
            assert L.pin not in t.stderr()
        finally:
            t.kill()
        # Esc at the prompt gives up: the room refused us (exit 4), nothing joined.
        t = Tui(L, ["--accept-privacy", "-n", "bob", L.url, str(L.pin_room)], name="pin-esc")
        try:
            t.wait("needs a pin", 15)
            t.type("abc", enter=False)
            t.wait("***", 5)
            t.keys("Escape")
            assert t.wait_exit(10) == 4
            assert harness.participants(L, L.pin_room) == {}
        finally:
            t.kill()


def test_help_and_man_page_cover_the_commands():
    out = subprocess.run([harness.ttymeet_path(), "--help"], capture_output=True, text=True,
                         timeout=10)
    assert out.returncode == 0, out
    man = open(os.path.join(harness.SOURCE_DIR, "man", "ttymeet.1"), encoding="utf-8").read()
    man = man.replace("\\-", "-").replace("\\fR", "").replace("\\fP", "")
    commands = set(re.findall(r"(?<![\w/])/[a-z]+", out.stdout))
    assert {"/device", "/devices", "/mute", "/msg", "/quit"} <= commands, out.stdout
    for c in commands:
        assert c in man, "%s is in --help but not in the man page" % c
    assert "/device [in|out] NAME" in out.stdout, out.stdout
    assert '/device in" " NAME' in man and '/device out" " NAME' in man, "no /device in|out"
    assert "c (chat)" in out.stdout and "\\(lqc\\(rq" in man and "(chat)" in man


if __name__ == "__main__":
    harness.require_root()
    harness.run(concurrent=3)
