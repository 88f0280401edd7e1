#!/usr/bin/env python3
"""Bare `ttymeet` in a terminal (issue 16): a join form instead of a usage line, driven
through tmux against a real Janus in the lab (the Tui class of test_tui.py).

- test_form_joins_pinned_room: the form shows the login name as the display name; the lab's
  Janus URL, room 4321 (pinned), a name and the pin are typed; the pin field shows one '*' per
  character and never the pin; a wrong room is said in the form, which stays; Enter shows the
  privacy notice and then joins: Janus lists the name in room 4321, so the pin was used.
- test_form_esc_quits: the form speaks the locale's language (German here); Esc leaves with exit 0 and nothing connected (Janus saw no one);
  without a terminal on stdin, bare ttymeet still exits 2 (test_badinput.test_usage_errors).
"""

import pwd
import os

import harness
from harness import lab
from test_tui import Tui

FORM = "Nothing typed here is saved anywhere."


def test_form_joins_pinned_room():
    with lab.Lab() as L:
        t = Tui(L, [], name="form")
        try:
            s = t.wait(FORM, 5)
            login = pwd.getpwuid(os.getuid()).pw_name
            assert "Display name:" in s and login in s, s
            t.type(L.url, enter=False)
            t.keys("Tab")
            t.type("12x", enter=False)
            t.keys("Tab", "C-u")
            t.type("Form Tester", enter=False)
            t.keys("Tab")
            t.type("s3cret", enter=False)
            s = t.wait("******", 5)
            assert "s3cret" not in s, s
            t.keys("Enter")  # the room is not a number: said in the form, which stays
            s = t.wait("ROOM must be a positive number", 5)
            assert FORM in s and "s3cret" not in s, s
            t.keys("Up", "Up")
            t.keys("BSpace", "BSpace", "BSpace")
            t.type("4321", enter=False)
            t.keys("Enter")
            s = t.wait("Enter: accept and join", 10)
            assert "4321" in s, s
            t.keys("Enter")
            t.wait("You joined room 4321 as Form Tester.", 15)
            ids = harness.participants(L, 4321)
            assert list(ids.values()) == ["Form Tester"], ids
            assert "s3cret" not in t.capture(), t.capture()
        finally:
            t.kill()


def test_form_esc_quits():
    with lab.Lab() as L:
        t = Tui(L, [], env={"LANG": "de_DE.UTF-8"}, name="form-esc")
        try:
            t.wait("An einem Meeting teilnehmen", 5)  # in the language of the locale
            t.wait("Nichts, was hier eingegeben wird, wird irgendwo gespeichert.", 1)
            t.type(L.url, enter=False)
            t.keys("Escape")
            rc = t.wait_exit(5)
            assert rc == 0, "exit %d: %s" % (rc, t.stderr())
            assert harness.participants(L, 1234) == {}
            assert not [ln for ln in t.stderr().splitlines() if ln.strip()], t.stderr()
        finally:
            t.kill()


if __name__ == "__main__":
    harness.require_root()
    harness.run()
