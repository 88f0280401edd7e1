#!/usr/bin/env python3
"""Report merging: scripts/ttymeet-report on two summaries written by hand (the schema in
src/report.h), on its own output (aggregates flatten), on bad input (exit 2, file named,
nothing written), on summaries one per line on stdin ("-", as collected from pod logs), with
-o (private file, atomic) and --check/--brief; and on summaries the C
report module wrote (unit_core_report with TTM_REPORT_SAMPLE_DIR), whose merge must equal the
C aggregate of the same two. Needs no lab and no root."""

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile

import harness

TOOL = os.path.join(harness.SOURCE_DIR, "scripts", "ttymeet-report")


def stat_obj(n, mean, p50, p95, lo, hi):
    return {"n": n, "mean": mean, "p50": p50, "p95": p95, "min": lo, "max": hi}


ALICE = {
    "schema": "ttymeet-summary/1", "kind": "participant", "client": "ttymeet 0.1.0",
    "name": "alice", "exit_code": 0, "duration_s": 30.0,
    "join_ms": {"signaling": 80.0, "ice": 35.5, "dtls": 20.0, "first_audio": 240.0,
                "total": 375.5},
    "samples": 6,
    "rtt_ms": stat_obj(6, 20.0, 19.0, 25.0, 18.0, 25.0),
    "jitter_ms": stat_obj(6, 2.5, 2.0, 4.0, 1.0, 4.0),
    "loss_down_pct": stat_obj(6, 0.5, 0.0, 3.0, 0.0, 3.0),
    "loss_up_pct": None,
    "kbps_in": stat_obj(6, 42.0, 42.0, 43.0, 41.0, 43.0),
    "kbps_out": stat_obj(6, 30.0, 30.0, 30.0, 30.0, 30.0),
    "jitter_buffer_ms": stat_obj(6, 40.0, 40.0, 40.0, 40.0, 40.0),
    "mos": stat_obj(6, 4.35, 4.36, 4.37, 4.2, 4.37),
    "concealed_ratio": 0.004, "video_frames": 0, "video_fps": None,
    "expectations": {"met": 2, "failed": 0, "pending": 0, "list": [
        {"line": 1, "source": "expect audio within 5s", "state": "met", "t": 2.1},
        {"line": 2, "source": "expect no error", "state": "met", "t": 30.0}]},
}

BOB = {
    "schema": "ttymeet-summary/1", "kind": "participant", "client": "ttymeet 0.1.0",
    "name": "bob", "exit_code": 7, "duration_s": 12.0,
    "join_ms": {"signaling": 120.0, "total": 610.0},
    "samples": 2,
    "rtt_ms": stat_obj(2, 45.0, 40.0, 50.0, 40.0, 50.0),
    "jitter_ms": stat_obj(2, 6.0, 5.0, 7.0, 5.0, 7.0),
    "loss_down_pct": stat_obj(2, 2.25, 2.0, 2.5, 2.0, 2.5),
    "loss_up_pct": stat_obj(2, 1.0, 1.0, 1.0, 1.0, 1.0),
    "kbps_in": stat_obj(2, 38.5, 38.0, 39.0, 38.0, 39.0),
    "kbps_out": None,
    "jitter_buffer_ms": stat_obj(2, 60.0, 60.0, 60.0, 60.0, 60.0),
    "mos": stat_obj(2, 3.9, 3.85, 3.95, 3.85, 3.95),
    "concealed_ratio": 0.021, "video_frames": 40, "video_fps": 9.8,
    "expectations": {"met": 1, "failed": 1, "pending": 0, "list": [
        {"line": 3, "source": "expect participants >= 3 within 10s", "state": "failed",
         "t": 10.0,
         "message": "line 3: expect participants >= 3 within 10s: only 2 after 10.0 s"},
        {"line": 4, "source": "expect audio within 5s", "state": "met", "t": 3.0}]},
}


class Dir:
    """A temporary directory, removed afterwards."""

    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="ttm-report-merge-")
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.path, ignore_errors=True)

    def write(self, name, doc):
        p = os.path.join(self.path, name)
        with open(p, "w", encoding="utf-8") as f:
            f.write(doc if isinstance(doc, str) else json.dumps(doc))
        return p


def tool(*args, timeout=30, stdin=None):
    r = subprocess.run([sys.executable, TOOL] + list(args), capture_output=True, text=True,
                       timeout=timeout, input=stdin)
    return r.returncode, r.stdout, r.stderr


def merged(*paths):
    rc, out, err = tool(*paths)
    assert rc == 0, "ttymeet-report %s: exit %d\n%s" % (" ".join(paths), rc, err)
    assert err == "", err
    return json.loads(out)


def test_merge_two_handwritten():
    with Dir() as d:
        a = merged(d.write("alice.json", ALICE), d.write("bob.json", BOB))
    assert a["schema"] == "ttymeet-summary/1" and a["kind"] == "aggregate", a
    assert a["count"] == 2
    assert a["exit_codes"] == {"0": 1, "7": 1}, a["exit_codes"]
    assert a["exit_code"] == 7
    assert [p["name"] for p in a["participants"]] == ["alice", "bob"]
    assert a["participants"][0] == ALICE and a["participants"][1] == BOB
    # Each participant contributes its mean; nearest-rank percentiles over the two.
    assert a["rtt_ms"] == {"n": 2, "mean": 32.5, "p50": 20.0, "p95": 45.0, "min": 20.0,
                           "max": 45.0, "worst": "bob"}, a["rtt_ms"]
    assert a["loss_down_pct"]["mean"] == 1.38, a["loss_down_pct"]  # 1.375 rounds up
    assert a["mos"]["worst"] == "bob" and a["mos"]["min"] == 3.9, a["mos"]
    assert a["kbps_in"]["worst"] == "bob", a["kbps_in"]
    # Only measured values count: one participant each.
    assert a["loss_up_pct"]["n"] == 1 and a["loss_up_pct"]["worst"] == "bob"
    assert a["kbps_out"]["n"] == 1 and a["kbps_out"]["worst"] == "alice"
    assert a["video_fps"] == {"n": 1, "mean": 9.8, "p50": 9.8, "p95": 9.8, "min": 9.8,
                              "max": 9.8, "worst": "bob"}, a["video_fps"]
    assert a["concealed_ratio"]["worst"] == "bob"
    assert a["duration_s"]["worst"] == "bob"  # the one who left early
    assert sorted(a["join_ms"]) == ["dtls", "first_audio", "ice", "signaling", "total"]
    assert a["join_ms"]["ice"]["n"] == 1
    assert a["join_ms"]["total"]["mean"] == 492.8, a["join_ms"]["total"]  # 492.75 up
    assert a["expectations"] == {"met": 3, "failed": 1, "pending": 0}
    assert a["failures"] == [{"name": "bob", "message": BOB["expectations"]["list"][0]
                              ["message"]}], a["failures"]
    assert a["failures_omitted"] == 0


def test_aggregates_flatten():
    carol = dict(ALICE, name="carol", exit_code=3, rtt_ms=stat_obj(1, 90.0, 90.0, 90.0,
                                                                   90.0, 90.0))
    with Dir() as d:
        pa, pb, pc = (d.write("a.json", ALICE), d.write("b.json", BOB),
                      d.write("c.json", carol))
        direct = merged(pa, pb, pc)
        rc, out, err = tool(pa, pb, "-o", os.path.join(d.path, "ab.json"))
        assert rc == 0 and out == "", (rc, out, err)
        twice = merged(os.path.join(d.path, "ab.json"), pc)
        again = merged(os.path.join(d.path, "ab.json"))
    assert twice == direct, "merging an aggregate differs from merging its participants"
    assert direct["count"] == 3
    assert [p["name"] for p in direct["participants"]] == ["alice", "bob", "carol"]
    assert direct["rtt_ms"]["worst"] == "carol" and direct["rtt_ms"]["p95"] == 90.0
    # One 0, one 3, one 7: the tie between 3 and 7 goes to the smaller code.
    assert direct["exit_code"] == 3, direct["exit_codes"]
    assert again["count"] == 2 and again["rtt_ms"]["mean"] == 32.5


def test_lines_on_stdin():
    """Summaries one per line, as collected from pod logs, merge like files."""
    with Dir() as d:
        files = merged(d.write("a.json", ALICE), d.write("b.json", BOB))
    lines = "\n" + json.dumps(ALICE) + "\n\n" + json.dumps(BOB) + "\n"
    rc, out, err = tool("-", stdin=lines)
    assert rc == 0, (rc, err)
    assert json.loads(out) == files
    # An aggregate on one line counts all its participants.
    with Dir() as d:
        rc, out, err = tool("-", d.write("c.json", ALICE), stdin=json.dumps(files) + "\n")
    assert rc == 0, (rc, err)
    assert json.loads(out)["count"] == 3
    rc, out, err = tool("-", stdin=json.dumps(ALICE) + "\n{broken\n")
    assert rc == 2 and "ttymeet-report: -: line 2: not valid JSON" in err, (rc, err)


def test_output_file_and_check():
    with Dir() as d:
        pa, pb = d.write("a.json", ALICE), d.write("b.json", BOB)
        out = os.path.join(d.path, "report.json")
        d.write("report.json", "old")
        os.chmod(out, 0o644)
        rc, so, se = tool(pa, pb, "-o", out, "--check")
        assert rc == 7, (rc, se)  # bob's script failed
        assert stat.S_IMODE(os.stat(out).st_mode) == 0o600, oct(os.stat(out).st_mode)
        with open(out, encoding="utf-8") as f:
            assert json.load(f)["count"] == 2
        assert sorted(os.listdir(d.path)) == ["a.json", "b.json", "report.json"]
        rc, so, se = tool(pa, "--check")
        assert rc == 0, (rc, se)
        rc, so, se = tool(pa, pb, "--brief")
        assert rc == 0, se
        assert so.startswith("2 participants, exit codes: 0 x1, 7 x1 -> 7\n"), so
        assert "FAILED bob: line 3: expect participants >= 3" in so, so
        assert "rtt_ms: mean 32.5, p95 45.0, worst bob (45.0)" in so, so


def test_bad_inputs():
    nameless = dict(ALICE)
    del nameless["name"]
    cases = [
        ("missing.json", None, "No such file"),
        ("text.json", "not json at all", "not valid JSON"),
        ("nan.json", '{"schema": "ttymeet-summary/1", "kind": "participant", "name": "x", '
                     '"exit_code": 0, "rtt_ms": NaN}', "not valid JSON"),
        ("binary.json", "\udcff", "not valid JSON"),
        ("list.json", [ALICE], "not a ttymeet summary"),
        ("schema.json", dict(ALICE, schema="ttymeet-summary/2"), "not a ttymeet summary"),
        ("nameless.json", nameless, "not a participant summary"),
        ("badcode.json", dict(ALICE, exit_code="0"), "not a participant summary"),
        ("badagg.json", {"schema": "ttymeet-summary/1", "kind": "aggregate",
                         "participants": [ALICE, {"kind": "participant"}]},
         "not a participant summary"),
        ("deep.json", "[" * 100000 + "]" * 100000, "not valid JSON"),
    ]
    with Dir() as d:
        good = d.write("good.json", ALICE)
        out = os.path.join(d.path, "out.json")
        for name, doc, why in cases:
            if doc is None:
                path = os.path.join(d.path, name)
            elif doc == "\udcff":
                path = os.path.join(d.path, name)
                with open(path, "wb") as f:
                    f.write(b'{"name": "\xff"}')
            else:
                path = d.write(name, doc)
            rc, so, se = tool(good, path, "-o", out)
            assert rc == 2, "%s: exit %d\n%s" % (name, rc, se)
            line = se.strip().splitlines()[-1] if se.strip() else ""
            assert line.startswith("ttymeet-report: %s: " % path) and why in line, (name, se)
            assert not os.path.exists(out), "%s: output written despite the error" % name
        rc, so, se = tool()
        assert rc == 2 and "usage" in se.lower(), (rc, se)


def unit_core_report_path():
    """The unit test binary that can write C-made sample summaries."""
    cands = [os.environ.get("TTM_UNIT_CORE_REPORT", "")]
    if os.environ.get("TTYMEET"):
        cands.append(os.path.join(os.path.dirname(os.environ["TTYMEET"]), "tests",
                                  "unit_core_report"))
    cands.append(os.path.join(harness.SOURCE_DIR, "build", "tests", "unit_core_report"))
    for c in cands:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    raise AssertionError("unit_core_report not found (tried %s); build it or set "
                         "TTM_UNIT_CORE_REPORT" % ", ".join(c for c in cands if c))


def close(a, b, path="$"):
    """Asserts that two JSON values are equal, numbers within rounding noise."""
    if isinstance(a, dict) and isinstance(b, dict):
        assert sorted(a) == sorted(b), "%s: keys %s vs %s" % (path, sorted(a), sorted(b))
        for k in a:
            close(a[k], b[k], "%s.%s" % (path, k))
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), "%s: lengths %d vs %d" % (path, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            close(x, y, "%s[%d]" % (path, i))
    elif (isinstance(a, (int, float)) and isinstance(b, (int, float))
          and not isinstance(a, bool) and not isinstance(b, bool)):
        assert abs(a - b) <= 1e-9 * max(1.0, abs(a)), "%s: %r vs %r" % (path, a, b)
    else:
        assert a == b, "%s: %r vs %r" % (path, a, b)


def test_c_summaries_merge():
    exe = unit_core_report_path()
    with Dir() as d:
        env = dict(os.environ, TTM_REPORT_SAMPLE_DIR=d.path)
        r = subprocess.run([exe], env=env, capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, "%s failed:\n%s%s" % (exe, r.stdout, r.stderr)
        names = sorted(os.listdir(d.path))
        assert names == ["aggregate.json", "alice.json", "bob.json"], names
        for n in names:
            mode = stat.S_IMODE(os.stat(os.path.join(d.path, n)).st_mode)
            assert mode == 0o600, "%s: mode %o" % (n, mode)
        with open(os.path.join(d.path, "aggregate.json"), encoding="utf-8") as f:
            c_agg = json.load(f)
        with open(os.path.join(d.path, "alice.json"), encoding="utf-8") as f:
            alice = json.load(f)
        py_agg = merged(os.path.join(d.path, "alice.json"), os.path.join(d.path, "bob.json"))
        from_c = merged(os.path.join(d.path, "aggregate.json"))
    assert alice["kind"] == "participant" and alice["name"] == "alice", alice
    assert alice["rtt_ms"]["n"] == 12 and alice["join_ms"]["ice"] == 35.0, alice
    assert c_agg["count"] == 2 and c_agg["exit_code"] == 7, c_agg
    for x in (c_agg, py_agg, from_c):
        x.pop("client")
    close(py_agg, c_agg)
    close(from_c, c_agg)
    # The sample is not trivial: most metrics were measured for both.
    two = [k for k, v in c_agg.items() if isinstance(v, dict) and v.get("n") == 2]
    assert len(two) >= 8, two


if __name__ == "__main__":
    harness.run()
