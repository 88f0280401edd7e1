#!/usr/bin/env python3
"""Five publishers talking in turn in a Janus VideoRoom meeting (issue 13), real Janus in the
lab, headless ttymeets; the listener decodes only the loudest 3 of the forwarded streams.

- test_five_in_turn: p1..p5 publish and each says a different sentence in turn (script `say`,
  0.3 s apart); p3 leaves after its turn and comes back (a new process with the same name)
  to speak once more after p5. The listener's recording must follow each speaker: every turn,
  including p3's after its return, correlates >= 0.7 with that speaker's sentence where it was
  said (test_audio.py's envelope measure); the listener sees each speaker talking in its turn,
  p3 leave and come back (a new id, the same name).
  Nothing clicks at the switches: around each change of speaker (from 0.1 s before the end of
  one's speech to 30 ms after the next one's onset, on the recording, placed by the
  correlation's alignment: where the new stream gets its decoder and its first frames are
  played) the largest sample-to-sample step of the recording is not larger than the largest
  step inside the speech of the two turns around it (the rest of their speech). The figures
  are printed. (A turn begins from silence, so this catches a click or a cut-off start, not
  a seam inside a word.)
"""

import time

import harness
import test_audio as A
import test_videoroom as V

GAP_S = 0.3
SEAM_BEFORE_S = 0.1   # the seam: from this before the end of one turn's speech ...
SEAM_AFTER_S = 0.03   # ... to this after the next one's onset (10 % of its loudest 10 ms),
                      # where the new stream's first frames are decoded


def max_step(x, i0, i1):
    """Largest |x[n] - x[n-1]| for i0 < n < i1."""
    i0, i1 = max(1, i0), min(len(x), i1)
    return max((abs(x[n] - x[n - 1]) for n in range(i0, i1)), default=0)


def test_five_in_turn():
    names = ["p1", "p2", "p3", "p4", "p5"]
    with A.Workdir() as wd, V.vr_lab() as L:
        sents = V.make_sentences(wd, 6)
        plan, t = [], V.FIRST_TURN_S          # (name, at on the speakers' clocks, sentence)
        for i, n in enumerate(names):
            plan.append((n, t, sents[i]))
            t += sents[i][1] + GAP_S
        back_at = t                            # p3 again, after p5
        p3_leaves = plan[2][1] + sents[2][1] + 0.2
        duration = back_at + sents[5][1] + 2.5
        lis = V.start_vr(L, "lis", ["--record", wd("lis.wav"), "--duration", "%.1f" % duration])
        sp = {}
        for n, at, (path, _, _) in plan:
            lines = ["at %.2fs say %s" % (at, path)]
            if n == "p3":
                lines.append("at %.2fs leave" % p3_leaves)
            sp[n] = V.start_vr(L, n, ["--script", V.write_script(wd(n + ".txt"), lines),
                                      "--duration", "%.1f" % duration])
        ids = {n: V.joined_vr(c)["id"] for n, c in sp.items()}
        V.joined_vr(lis)
        V.exit_clean(sp["p3"], p3_leaves + 15, reason="script")
        # Back: its sentence at back_at on the first group's clock (p1's).
        since = time.monotonic() - sp["p1"].origin
        say_at = back_at - since
        assert say_at > 2.5, "p3 left too late (%.1f s before its second turn)" % say_at
        p3b = V.start_vr(L, "p3", ["--script", V.write_script(wd("p3b.txt"), [
            "at %.2fs say %s" % (say_at, sents[5][0])]), "--duration",
            "%.1f" % (say_at + sents[5][1] + 2.0)])
        ids["p3b"] = V.joined_vr(p3b)["id"]
        for c in list(sp.values())[:2] + list(sp.values())[3:] + [p3b, lis]:
            V.exit_clean(c, duration + 15)

        rec = wd("lis.wav")
        rec0 = A.recording_origin(rec)
        turns = [(n, V.on_clock(at, sp[n], lis), A.on_rec(at, sp[n], rec0), s)
                 for n, at, s in plan]
        turns.append(("p3b", V.on_clock(say_at, p3b, lis), A.on_rec(say_at, p3b, rec0),
                      sents[5]))
        placed = []
        drift = 0.0  # a stream's delay may change (jitter buffer): from the turn before
        for who, t0, r0, (path, length, span) in turns:
            r, lag = V.turn_check(rec, path, r0 + drift, who, "lis")
            drift = lag - r0
            spans = V.talking_spans(lis, ids[who], duration)
            print("    talking seen: %s" % [(round(a, 2), round(b, 2)) for a, b in spans])
            assert r >= 0.7, "the listener does not follow %s: r=%.3f\n%s" % (
                who, r, lis.describe())
            placed.append((who, lag, length, span))
            lo, hi = t0 + span[0] * A.WIN_S - 0.2, t0 + span[1] * A.WIN_S + 0.6
            assert any(lo <= a <= hi for a, _ in spans), (
                "the listener never saw %s talking in its turn %.2f..%.2f s: %s\n%s" % (
                    who, lo, hi, spans, lis.describe()))

        # p3 left and came back: its first id left, a new one named p3 joined.
        left = lis.find(lambda e: e["event"] == "participant-left" and e.get("id") == ids["p3"])
        assert left, "the listener never saw p3 leave\n%s" % lis.describe()
        back = lis.find(lambda e: e["event"] == "participant-joined"
                        and e.get("id") == ids["p3b"])
        assert back and back[0].get("name") == "p3" and back[0]["t"] > left[0]["t"], (
            lis.describe())
        want = {ids[n]: n for n in names if n != "p3"}
        want[ids["p3b"]] = "p3"
        assert V.roster(lis, placed[-1][1]) == want, (V.roster(lis, placed[-1][1]), want)

        # Seams: the largest step where the speaker changes vs inside the speech.
        rate, x = A.read_wav(rec)
        seams = []
        for i in range(1, len(placed)):
            prev, cur = placed[i - 1], placed[i]
            seams.append((prev[1] + prev[3][1] * A.WIN_S - SEAM_BEFORE_S,
                          cur[1] + cur[3][0] * A.WIN_S + SEAM_AFTER_S))
        bodies = []
        for i, (who, lag, length, span) in enumerate(placed):
            a = seams[i - 1][1] if i else lag + span[0] * A.WIN_S
            b = seams[i][0] if i < len(seams) else lag + span[1] * A.WIN_S
            bodies.append(max_step(x, int(a * rate), int(b * rate)))
        print("  largest step inside each turn's speech: %s" % bodies)
        worst = 0.0
        for i in range(1, len(placed)):
            prev, cur = placed[i - 1], placed[i]
            a, b = seams[i - 1]
            seam = max_step(x, int(a * rate), int(b * rate))
            limit = max(bodies[i - 1], bodies[i])
            worst = max(worst, seam / limit)
            print("  seam %s -> %s (%.2f..%.2f s): largest step %d, speech around it %d" % (
                prev[0], cur[0], a, b, seam, limit))
            assert seam <= limit, "a click at the switch %s -> %s: step %d > speech's %d" % (
                prev[0], cur[0], seam, limit)
        print("  worst seam / speech step: %.2f" % worst)


if __name__ == "__main__":
    harness.require_root()
    harness.run()
