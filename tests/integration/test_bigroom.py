#!/usr/bin/env python3
"""Rooms bigger than the limits, with the fake server (tests/fixtures/badserver.py bigroom):
the join answer lists 12000 other participants (~1.2 MB, over the WebSocket layer's default
1 MiB cap) and the roster holds only SESSION_ROSTER_MAX (4096) by name. The client must say
both in notices, rejoin exactly once with a bigger message cap (no rejoin loop), and keep the
true count: a script's `expect participants == 12001` holds. Takes about 10 s."""

import os
import tempfile

import harness
from harness import HEADLESS, lab, start_badserver, start_client

OTHERS = 12000


def test_big_room_counted_not_looping():
    with tempfile.TemporaryDirectory() as tmp, lab.Lab() as L:
        script = os.path.join(tmp, "count.script")
        with open(script, "w") as f:
            f.write("expect participants == %d within 8s\n" % (OTHERS + 1))
        server, port = start_badserver(L, "bigroom")
        try:
            c = start_client(L, HEADLESS + ["-n", "x", "--script", script, "--duration", "6",
                                            "ws://127.0.0.1:%d/" % port, "1234"], "bigroom")
            rc = c.wait_exit(30)
            # exit 0: the expectation was met (an unmet one exits 7)
            assert rc == 0, "exit %d\n%s" % (rc, c.describe())
            notices = [e["message"] for e in c.find("notice")]
            assert any("over 1024 KiB" in m for m in notices), c.describe()
            assert any("more than 4096 participants" in m for m in notices), c.describe()
            assert len(c.find("reconnecting")) == 1, c.describe()
            assert len(c.find("joined")) == 1, c.describe()
            assert len(c.find("participant-joined")) == 4095, len(c.find("participant-joined"))
            summary = c.find("summary")[-1]
            assert summary.get("exit_code") == 0 and summary.get("expectations"), summary
            assert not c.find("error"), c.describe()
            c.assert_clean_output()
        finally:
            server.kill()
            server.wait(5)


if __name__ == "__main__":
    harness.require_root()
    harness.run()
