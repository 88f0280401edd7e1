#!/usr/bin/env python3
"""The TUI's video pane sizes (issue 16, "video that uses the screen"), driven through tmux
against a real Janus in the lab (the Tui helper of test_tui.py). A headless participant
publishes the test pattern (320x180); the TUI watches it.

- test_video_fills_a_big_terminal: at 200x50 the pane is a quarter of the width (50 columns,
  no longer capped at 32) and the picture spans more than 32 columns; "/video next" with one
  sender says she is the only one; F7 makes it large (a notice says so, the chat keeps its
  minimum), F7 again full window (no chat, no roster: the picture spans most of the width,
  the pane's title says "[full] F7" and counts a chat message that came meanwhile), and
  "/video normal" brings the chat back with that message; Alt-V cycles too; "/video off"
  gives the pane's columns to the chat (the right column shrinks to the roster's 32) and
  "/video on" brings the pane back in its size.
- test_small_terminal_keeps_the_chat: at 60x18 the chat keeps its 40 columns in the normal
  and large sizes, full window still works and F7 comes back to normal; once the only sender
  has left, F6 (the next video) says that nobody is sending video.
"""

import harness
from harness import HEADLESS, lab, start_client
from test_tui import Tui, chat_text, row

RAMP = set(".:-=+*#%@")


def sep_col(screen, rows):
    """The column of the vertical separator between chat and right column, or None when the
    middle rows have none (full-window video)."""
    lines = screen.split("\n")
    cols = {ln.find("│") for ln in lines[1:rows - 2]}
    return cols.pop() if len(cols) == 1 and -1 not in cols else None


def picture_extent(lines):
    """Columns from the leftmost to the rightmost ramp character over these rows."""
    xs = [x for ln in lines for x, ch in enumerate(ln) if ch in RAMP]
    return max(xs) - min(xs) + 1 if xs else 0


def right_column(screen, rows, col):
    return [ln[col + 1:] for ln in screen.split("\n")[1:rows - 2]]


def pane_rows(screen, rows, col):
    """The video pane's rows below its title row: under the right column's horizontal
    separator, or (full window, col None) every middle row after the first."""
    if col is None:
        return screen.split("\n")[2:rows - 2]
    right = right_column(screen, rows, col)
    for i, r in enumerate(right):
        if r.startswith("─"):
            return right[i + 2:]
    return []


def publisher(L):
    a = start_client(L, HEADLESS + ["-n", "alice", "--video-source", "testpattern",
                                    L.url, "1234"], "alice")
    a.wait_event(lambda e: e.get("event") == "media" and e.get("kind") == "video", 15)
    return a


def test_video_fills_a_big_terminal():
    cols, rows = 200, 50
    with lab.Lab() as L:
        a = publisher(L)
        t = Tui(L, ["--accept-privacy", "-n", "bob", L.url, "1234"], cols=cols, rows=rows,
                name="big")
        try:
            t.wait("Video: showing alice.", 15)
            t.wait("Chat connected", 15)

            def normal(s):
                c = sep_col(s, rows)
                return c == cols - 50 - 1 and picture_extent(pane_rows(s, rows, c)) > 40
            s = t.wait(normal, 15, "the pattern in a 50-column pane")
            c = sep_col(s, rows)
            assert picture_extent(pane_rows(s, rows, c)) > 32, s
            # 16:9 at 50 columns: 14 picture rows under the title row
            assert len(pane_rows(s, rows, c)) == 14, s

            t.type("/video next")
            t.wait("alice is the only one sending video.", 5)

            t.keys("F7")
            s = t.wait(lambda s: "Video size: large" in chat_text(s)
                       and sep_col(s, rows) == cols - 120 - 1, 5, "large")
            assert "[large] F7" in s, s
            s = t.wait(lambda s: picture_extent(pane_rows(s, rows, sep_col(s, rows))) > 100, 10,
                       "the pattern 120 columns wide")

            t.keys("F7")
            s = t.wait(lambda s: sep_col(s, rows) is None and "[full] F7" in row(s, 1), 5,
                       "full window")
            assert "alice" in row(s, 1) and "People" not in s, s
            s = t.wait(lambda s: picture_extent(pane_rows(s, rows, None)) > 150, 10,
                       "the pattern across the window")
            assert row(s, 0).startswith(" ttymeet") and row(s, rows - 1).startswith(">"), s
            a.write_stdin("while you watch\n")
            s = t.wait(lambda s: "1 new in the chat" in row(s, 1), 10, "the hidden message")

            t.type("/video normal")
            s = t.wait(lambda s: sep_col(s, rows) == cols - 50 - 1, 5, "back to normal")
            text = chat_text(s)
            assert "alice: while you watch" in text and "Video size: normal" in text, s
            assert "[full]" not in s and "new in the chat" not in s, s

            t.keys("M-v")
            t.wait(lambda s: sep_col(s, rows) == cols - 120 - 1, 5, "Alt-V: large")

            t.type("/video off")
            s = t.wait(lambda s: sep_col(s, rows) == cols - 32 - 1, 5, "the pane gone")
            assert "Video off: nothing is received" in chat_text(s), s
            assert not any(r.startswith("─") for r in right_column(s, rows, cols - 33)), s
            t.keys("F7")
            t.wait("Video is off (/video on to resume).", 5)
            t.type("/video on")
            t.wait(lambda s: sep_col(s, rows) == cols - 120 - 1
                   and picture_extent(pane_rows(s, rows, sep_col(s, rows))) > 100, 15,
                   "the large pane back after /video on")
            t.keys("C-c")
            assert t.wait_exit(10) == 0
        finally:
            t.kill()
        a.proc.terminate()
        assert a.wait_exit(10) == 0, a.describe()


def test_small_terminal_keeps_the_chat():
    cols, rows = 60, 18
    with lab.Lab() as L:
        a = publisher(L)
        t = Tui(L, ["--accept-privacy", "-n", "bob", L.url, "1234"], cols=cols, rows=rows,
                name="small")
        try:
            t.wait("Video: showing alice.", 15)
            s = t.wait(lambda s: picture_extent(pane_rows(s, rows, sep_col(s, rows))) > 10, 15,
                       "the pattern in the pane")
            assert sep_col(s, rows) == 41, s  # 41 chat columns, the right column 18
            t.keys("F7")
            s = t.wait(lambda s: "[large] F7" in s, 5, "large")
            assert sep_col(s, rows) == 40, s  # the chat keeps its minimum of 40
            t.keys("F7")
            s = t.wait(lambda s: sep_col(s, rows) is None and "[full] F7" in row(s, 1), 5,
                       "full window")
            t.wait(lambda s: picture_extent(pane_rows(s, rows, None)) > 20, 10,
                   "the pattern across the window")
            t.keys("F7")
            s = t.wait(lambda s: sep_col(s, rows) == 41 and "[" not in row(s, 1)[41:], 5,
                       "normal again")
            assert "Video size: normal" in chat_text(s), s
            a.proc.terminate()
            assert a.wait_exit(10) == 0, a.describe()
            t.wait(lambda s: "no video" in s and "@" not in "".join(
                pane_rows(s, rows, sep_col(s, rows))), 10, "the pane empty after alice left")
            t.keys("F6")
            t.wait("Nobody is sending video.", 5)
            t.keys("C-c")
            assert t.wait_exit(10) == 0
        finally:
            t.kill()


if __name__ == "__main__":
    harness.require_root()
    harness.run()
