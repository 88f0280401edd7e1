#!/usr/bin/env python3
"""Open-file limit of a fleet (--participants N): each participant holds sockets (a WebSocket
and, per PeerConnection, one UDP socket per local address plus a wakeup), so a fleet raises
its soft RLIMIT_NOFILE as far as the hard limit allows, and when even that is too little it
says in one notice how many participants fit and starts only those, never crashing.
- test_hard_limit_too_low: hard limit 64 for 20 participants: the notice names how many fit
  (BOT_FDS_BASE 32 plus 8 each here: 4), exactly that many join, and all leave cleanly.
- test_soft_limit_raised: soft 40, hard 4096, 6 participants (which need ~80): the limit is
  raised, no notice, all 6 join, and the process's soft limit is above 40.
Takes about 20 s."""

import re

import harness
from harness import HEADLESS, lab

BASE = 32  # BOT_FDS_BASE in src/bot.h


def fleet(L, n, soft, hard, duration):
    p = L.client(["prlimit", "--nofile=%d:%d" % (soft, hard), harness.ttymeet_path()]
                 + HEADLESS + ["--participants", str(n), "--ramp", "20", "--duration",
                               str(duration), L.url, "1234"])
    return harness.Client(p, "fleet of %d (nofile %d:%d)" % (n, soft, hard))


def joined_who(c):
    return {e.get("who") for e in c.find("joined")}


def test_hard_limit_too_low():
    with lab.Lab() as L:
        c = fleet(L, 20, 64, 64, 6)
        n = c.wait_event(lambda e: e["event"] == "notice" and "open-file limit" in
                         e.get("message", ""), 10)
        m = re.search(r"holds (\d+) of the 20 participants asked for \(about (\d+) "
                      r"descriptors each\)", n["message"])
        assert m, n
        fit, per = int(m.group(1)), int(m.group(2))
        assert fit == (64 - BASE) // per and 1 <= fit < 20, (fit, per)
        rc = c.wait_exit(30)
        assert rc == 0, "exit %d\n%s" % (rc, c.describe())
        assert len(joined_who(c)) == fit, "%d joined, %d fit\n%s" % (
            len(joined_who(c)), fit, c.describe())
        assert not c.find("error"), c.describe()
        notices = [e for e in c.find("notice") if "open-file limit" in e.get("message", "")]
        assert len(notices) == 1 and "\n" not in notices[0]["message"], notices
        c.assert_clean_output()


def test_soft_limit_raised():
    with lab.Lab() as L:
        c = fleet(L, 6, 40, 4096, 5)
        c.wait_event(lambda e: e["event"] == "joined" and e.get("who") == "bot-6", 15)
        with open("/proc/%d/limits" % c.proc.pid) as f:
            line = [ln for ln in f if ln.startswith("Max open files")][0]
        soft = int(line.split()[3])
        assert soft > 40, line
        rc = c.wait_exit(30)
        assert rc == 0, "exit %d\n%s" % (rc, c.describe())
        assert len(joined_who(c)) == 6, c.describe()
        assert not [e for e in c.find("notice") if "open-file" in e.get("message", "")]
        assert not c.find("error"), c.describe()
        c.assert_clean_output()


if __name__ == "__main__":
    harness.require_root()
    harness.run()
