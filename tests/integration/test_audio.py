#!/usr/bin/env python3
"""Real audio through AudioBridge: client A `--play`s speech made at test time with espeak-ng,
client B `--record`s what it hears, both in room 1234 of the lab's Janus; B's recording must
contain A's speech (envelope correlation), B must see A talking, nothing must be heard while A
is muted, and the same must hold on an impaired link (loss, delay and jitter through the lab's
forwarder).

Measure: both signals are cut into 10 ms windows and each window's RMS forms an envelope (rate
and codec independent: Opus, the 16 kHz mixer and resampling change the waveform, not its
loudness contour). Alignment: B's envelope is searched for A's over a plausible lag range (A's
start as seen on B's clock, from the events, -0.3 s .. +1.2 s: path, mixer and jitter buffer
delay). The delay legitimately changes during a call (Janus' AudioBridge jitter buffer sheds
~0.2 s of its start-up delay in the first speech pauses; ours adapts too), so the alignment is
piecewise: A's envelope is cut into 1.5 s blocks, the block that matches best anywhere in that
range anchors it, and each other block may move at most 0.2 s from its neighbour's lag. The
Pearson correlation of all aligned pairs pooled is the score (1.0 = same contour). Measured:
0.90-0.95 for real transfers (clean or impaired link, ASan build), 0.2-0.35 for B's recording
against an unrelated sentence (test_speech_reaches_listener checks that negative control, so
the measure can fail).

The audio helpers (speech, read_wav, envelope, best_correlation, ...) are used by
test_media_failures.py and tests/bench/audio_bench.py too.

The three run at once, each in a lab of its own (harness.run(concurrent=True)): two clients
each, one stream to decode (the AudioBridge mixes), a few % of a core; ~24 s instead of ~57 s.
Correlations measured that way: 0.90-0.95 clean, 0.78-0.96 impaired (gcc, loaded machine),
0.91-0.94 under ASan. test_videoroom.py's cannot: its clients decode every publisher, and run
at once under ASan they stopped hearing each other (r < 0.5).
"""

import array
import calendar
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import wave

import harness
from harness import HEADLESS, lab, start_client

WIN_S = 0.010  # envelope window
SENTENCE = ("The quick brown fox jumps over the lazy dog. A journey of a thousand miles "
            "begins with a single step, as the saying goes.")
# Distinct sentences (no repetition, so a lag search cannot lock onto a repeated phrase).
STORY = (
    "It was a bright cold day in April, and the clocks were striking thirteen. "
    "Seven silver swans swam silently seaward. A large rose tree stood near the entrance of "
    "the garden; the roses growing on it were white, but there were three gardeners at it, "
    "busily painting them red. Down the long corridor a door slammed, and somebody laughed. "
    "Numbers follow: twelve, forty one, ninety nine, three hundred and six. The ship left the "
    "harbour at dawn, its sails heavy with rain, and nobody on the quay waved goodbye. "
    "Quietly, the old clockmaker wound every clock in the shop, one after another, until the "
    "whole room ticked like a field of crickets on a summer night. Then the lights went out. "
    "Peter picked a peck of pickled peppers, and Betty bought a bit of better butter. "
    "In the morning the snow had covered the road, the fences and the little red car.")


# ---- audio helpers ---------------------------------------------------------------------------

def speech(path, text=SENTENCE, speed=150):
    """Writes text spoken by espeak-ng to path (mono 16-bit WAV); returns its duration (s)."""
    if not shutil.which("espeak-ng"):
        raise AssertionError("espeak-ng is not installed (scripts/deps.sh)")
    subprocess.run(["espeak-ng", "-s", str(speed), "-w", path, text], check=True,
                   capture_output=True, timeout=60)
    rate, x = read_wav(path)
    return len(x) / rate


def read_wav(path):
    """(rate, array('h') of mono samples) of a 16-bit PCM WAV (channels are averaged)."""
    with wave.open(path, "rb") as w:
        if w.getsampwidth() != 2:
            raise AssertionError("%s: %d-byte samples, expected 16-bit" % (path,
                                                                          w.getsampwidth()))
        ch, rate, n = w.getnchannels(), w.getframerate(), w.getnframes()
        raw = w.readframes(n)
    x = array.array("h")
    x.frombytes(raw[:len(raw) - len(raw) % 2])
    if sys.byteorder == "big":
        x.byteswap()
    if ch > 1:
        x = array.array("h", (sum(x[i:i + ch]) // ch for i in range(0, len(x) - ch + 1, ch)))
    return rate, x


def write_wav(path, rate, samples):
    """Writes mono 16-bit samples (ints, clipped) to path."""
    x = array.array("h", (max(-32768, min(32767, int(v))) for v in samples))
    if sys.byteorder == "big":
        x.byteswap()
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(x.tobytes())


def envelope(rate, x, win_s=WIN_S):
    """RMS of each win_s window of x, in full-scale units (0..1)."""
    n = max(1, int(round(rate * win_s)))
    out = []
    for i in range(0, len(x) - n + 1, n):
        w = x[i:i + n]
        out.append(math.sqrt(sum(v * v for v in w) / n) / 32768.0)
    return out


def envelope_of(path):
    rate, x = read_wav(path)
    return envelope(rate, x)


def pearson(a, b):
    """Pearson correlation of two equally long sequences (0 when one is constant)."""
    n = len(a)
    if n < 2:
        return 0.0
    ma, mb = sum(a) / n, sum(b) / n
    sab = saa = sbb = 0.0
    for u, v in zip(a, b):
        du, dv = u - ma, v - mb
        sab += du * dv
        saa += du * du
        sbb += dv * dv
    if saa <= 0 or sbb <= 0:
        return 0.0
    return sab / math.sqrt(saa * sbb)


def best_correlation(ref, rec, lag_lo, lag_hi, min_overlap=0.8):
    """Best Pearson correlation of ref against rec shifted by lag windows (rec[i + lag] pairs
    with ref[i]) for lag_lo <= lag <= lag_hi, counting only lags where the overlap covers at
    least min_overlap of ref. Returns (correlation, lag); (0.0, None) if no lag qualifies."""
    best = (0.0, None)
    need = max(2, int(len(ref) * min_overlap))
    for lag in range(int(lag_lo), int(lag_hi) + 1):
        i0 = max(0, -lag)
        i1 = min(len(ref), len(rec) - lag)
        if i1 - i0 < need:
            continue
        r = pearson(ref[i0:i1], rec[i0 + lag:i1 + lag])
        if best[1] is None or r > best[0]:
            best = (r, lag)
    return best


def aligned_correlation(ref, rec, lag_lo, lag_hi, block=150, slack=20):
    """Piecewise-aligned envelope correlation (see the module doc). ref is cut into blocks;
    the block that matches best anywhere in [lag_lo, lag_hi] (windows; rec[i + lag] pairs with
    ref[i]) anchors the alignment, and from it, forwards and backwards, each block takes the
    best lag within slack of its neighbour's. Returns (Pearson correlation of all aligned
    pairs, [lag per block]); (0.0, lags) when less than 80 % of ref could be aligned."""
    blocks = []
    for a in range(0, len(ref), block):
        seg = ref[a:a + block]
        if len(seg) < block // 3:
            break
        r, lag = best_correlation(seg, rec, a + lag_lo, a + lag_hi, 1.0)
        blocks.append((a, seg, r, None if lag is None else lag - a))
    best = max(range(len(blocks)), key=lambda i: blocks[i][2], default=None)
    if best is None or blocks[best][3] is None:
        return 0.0, []
    lags = [None] * len(blocks)
    lags[best] = blocks[best][3]
    for order in (range(best + 1, len(blocks)), range(best - 1, -1, -1)):
        prev = lags[best]
        for i in order:
            a, seg = blocks[i][0], blocks[i][1]
            _, lag = best_correlation(seg, rec, a + prev - slack, a + prev + slack, 1.0)
            if lag is None:
                break
            prev = lags[i] = lag - a
    xs, ys = [], []
    for (a, seg, _, _), lag in zip(blocks, lags):
        if lag is not None:
            xs.extend(seg)
            ys.extend(rec[a + lag:a + lag + len(seg)])
    if len(xs) < 0.8 * len(ref):
        return 0.0, lags
    return pearson(xs, ys), lags


def block_scores(ref_path, rec_path, lags_s, block=150):
    """Pearson correlation of each block of the reference (as aligned_correlation cuts it)
    with the recording at that block's lag, None where unaligned: where a low score comes
    from (a burst of loss, or a delay step inside a block, which the alignment cannot follow)."""
    ref = envelope_of(ref_path)
    rec = envelope_of(rec_path)
    out = []
    for i, lag_s in enumerate(lags_s):
        a = i * block
        seg = ref[a:a + block]
        if lag_s is None:
            out.append(None)
            continue
        lag = int(round(lag_s / WIN_S))
        out.append(round(pearson(seg, rec[a + lag:a + lag + len(seg)]), 2))
    return out


def speech_span(env, thresh_frac=0.1):
    """(first, last) window index whose RMS exceeds thresh_frac of the envelope's maximum."""
    peak = max(env) if env else 0.0
    idx = [i for i, v in enumerate(env) if v > peak * thresh_frac]
    if not idx:
        raise AssertionError("no speech in the reference signal")
    return idx[0], idx[-1]


def dbfs(v):
    return 20 * math.log10(v) if v > 0 else -200.0


def recording_origin(path):
    """When a recording began, on our monotonic clock: its file's birth (statx btime, ns; the
    first frame is written one 20 ms tick later). A headless listener's file is made as it
    starts (30-70 ms after its t = 0) and keeps the call's timeline (src/media.c writes
    silence for a stall): a place in it is reckoned from here and the speaker's own clock
    (Client.origin), not from when the test started either process, whose start-up under ASan
    on a busy machine is unknown."""
    txt = subprocess.run(["stat", "-c", "%w", path], capture_output=True, text=True,
                         check=True).stdout.strip()
    day, clock, zone = txt.split()
    hms, _, frac = clock.partition(".")
    real = calendar.timegm(time.strptime("%s %s" % (day, hms), "%Y-%m-%d %H:%M:%S"))
    real -= (int(zone[:3]) * 3600 + int(zone[0] + zone[3:]) * 60) - float("0." + (frac or "0"))
    return real - (time.time() - time.monotonic()) + 0.02


def on_rec(t, speaker, rec_origin):
    """A time t of the speaker's clock in a recording that began at rec_origin."""
    return t + speaker.origin - rec_origin


def media_connected(client, timeout=15, start=0, kind="audio"):
    """The client's `media` connected event of that kind. Audio and the TextRoom chat channel
    come up separately (each its own ICE/DTLS), so on a lossy link either can be seconds
    before the other: timing taken from the wrong one misaligns a recording."""
    return client.wait_event(lambda e: e["event"] == "media" and e.get("kind") == kind
                             and e.get("state") == "connected", timeout, start)


def check_stats_flow(client, duration, connected_t):
    """Stats events keep coming every ~5 s from media connected until the end (no stall)."""
    st = [e["t"] for e in client.find("stats")]
    expect = int((duration - connected_t) // 5)
    assert len(st) >= expect - 1, "%s: %d stats events in %.1f s (expected ~%d)\n%s" % (
        client.name, len(st), duration - connected_t, expect, client.describe())
    gaps = [b - a for a, b in zip([connected_t] + st, st + [duration])]
    assert max(gaps) < 7.5, "%s: stats stalled (gap %.1f s)\n%s" % (
        client.name, max(gaps), client.describe())
    return client.find("stats")


def exit_ok(client, timeout):
    rc = client.wait_exit(timeout)
    assert rc == 0, "%s: exit %d\n%s" % (client.name, rc, client.describe())
    client.assert_clean_output()
    assert not client.find("error"), client.describe()
    left = client.find("left")
    assert left and left[-1].get("reason") == "duration", client.describe()


class Workdir:
    """A temp dir removed at exit (kept, with its path printed, if KEEP_AUDIO is set)."""

    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="ttm-audio-")
        return self

    def __exit__(self, *exc):
        if os.environ.get("KEEP_AUDIO"):
            print("audio files kept in %s" % self.path)
        else:
            shutil.rmtree(self.path, ignore_errors=True)
        return False

    def __call__(self, name):
        return os.path.join(self.path, name)


def play_and_record(L, wd, speech_path, a_args=(), a_extra_s=2.0, b_tail_s=3.0):
    """B records (joins first), A plays speech_path; both leave on --duration. Returns
    (a, b, info): info has A's id, when A's media came up on B's clock (start_on_b, s) and
    in B's recording (start_on_rec), where B's recording began on B's clock (rec_on_b), the
    speech length and both durations."""
    rate, x = read_wav(speech_path)
    length = len(x) / rate
    a_dur = length + a_extra_s + 1.0
    b_dur = a_dur + b_tail_s + 2.0
    b = start_client(L, HEADLESS + ["-n", "bob", "--record", wd("b.wav"), "--duration",
                                    "%.1f" % b_dur, L.url, "1234"], "bob")
    media_connected(b)
    a = start_client(L, HEADLESS + ["-n", "alice", "--play", speech_path, "--duration",
                                    "%.1f" % a_dur] + list(a_args) + [L.url, "1234"], "alice")
    ja = a.wait_event("joined", 15)
    ma = media_connected(a)
    exit_ok(a, a_dur + 15)
    exit_ok(b, b_dur + 15)
    # A's first frame leaves at the first 20 ms tick after its media came up.
    rec0 = recording_origin(wd("b.wav"))
    return a, b, {"a_id": ja["id"], "start_on_b": ma["t"] + a.origin - b.origin,
                  "start_on_rec": on_rec(ma["t"], a, rec0), "rec_on_b": rec0 - b.origin,
                  "length": length, "a_dur": a_dur, "b_dur": b_dur, "a_media_t": ma["t"]}


def correlate_recording(ref_path, rec_path, start_on_rec, lo_s=-0.6, hi_s=1.2):
    """Aligned envelope correlation of the recording against the reference, with A's start
    expected at start_on_rec seconds into the recording (on_rec), searched from lo_s to hi_s
    around it. Returns (r, [lag s per block]). (Before a --record file kept the timeline
    through stalls, files were seen 0.2 s short at their start under ASan: lo_s is kept wide.)"""
    ref = envelope_of(ref_path)
    rec = envelope_of(rec_path)
    base = start_on_rec / WIN_S
    r, lags = aligned_correlation(ref, rec, base + lo_s / WIN_S, base + hi_s / WIN_S)
    return r, [None if lag is None else round(lag * WIN_S, 2) for lag in lags]


def two_voices_correlation(ref_path, rec_path, start_on_rec, max_offset_s=0.3):
    """correlate_recording for a recording of two voices saying the same thing, the second
    some unknown offset (0..max_offset_s) behind the first: two bots playing one file, each
    started at its own join and queued apart in a mixer (Janus's AudioBridge keeps each
    participant's queue, so a burst from one under load delays it for good: 140 ms once).
    The model's envelope is sqrt(e(t)^2 + e(t - d)^2) (two uncorrelated copies); returns
    (r, d in s, lags) for the offset that matches best."""
    ref = envelope_of(ref_path)
    rec = envelope_of(rec_path)
    base = start_on_rec / WIN_S
    best = (-1.0, 0.0, [])
    for k in range(0, int(round(max_offset_s / WIN_S)) + 1, 2):
        two = [math.sqrt((ref[i] if i < len(ref) else 0.0) ** 2 +
                         (ref[i - k] if i >= k else 0.0) ** 2) for i in range(len(ref) + k)]
        r, lags = aligned_correlation(two, rec, base - 0.6 / WIN_S, base + 1.2 / WIN_S)
        if r > best[0]:
            best = (r, k * WIN_S, [None if x is None else round(x * WIN_S, 2) for x in lags])
    return best


def check_talking(b, a_id, lag_s, span):
    """B saw A talking (on) while A's speech was playing on B's side: A's file starts lag_s
    s on B's clock, its speech spans windows span[0]..span[1] of the file."""
    lo = lag_s + span[0] * WIN_S - 0.2
    hi = lag_s + span[1] * WIN_S + 0.5
    on = b.find(lambda e: e["event"] == "talking" and e.get("id") == a_id
                and e.get("on") is True)
    assert on, "B never saw A talking\n%s" % b.describe()
    assert any(lo <= e["t"] <= hi for e in on), (
        "B saw A talking only at t=%s, A spoke (on B's clock) %.2f..%.2f s\n%s"
        % ([e["t"] for e in on], lo, hi, b.describe()))


# ---- tests -----------------------------------------------------------------------------------

def test_speech_reaches_listener():
    with Workdir() as wd, lab.Lab() as L:
        src = wd("speech.wav")
        length = speech(src)
        assert 6.0 <= length <= 11.0, "espeak-ng made %.1f s of speech" % length
        a, b, info = play_and_record(L, wd, src)
        r, lags = correlate_recording(src, wd("b.wav"), info["start_on_rec"])
        print("  envelope correlation %.3f, lags %s s (A started at %.3f s of B's recording)"
              % (r, lags, info["start_on_rec"]))
        assert r >= 0.7, "B's recording does not match A's speech: r=%.3f\n%s\n%s" % (
            r, a.describe(), b.describe())
        # Negative control: the same measure on words A never said stays low.
        other = wd("other.wav")
        speech(other, STORY[:150])
        r_other, _ = correlate_recording(other, wd("b.wav"), info["start_on_rec"])
        print("  negative control (unrelated sentence): %.3f" % r_other)
        assert r_other < 0.5, "the measure does not discriminate: r=%.3f" % r_other
        check_talking(b, info["a_id"], info["rec_on_b"] + (lags[0] if lags[0] is not None
                                                           else info["start_on_rec"]),
                      speech_span(envelope_of(src)))
        check_stats_flow(a, info["a_dur"], info["a_media_t"])
        # A sent audio, B received it: the stats say so too.
        assert max(e["kbps_out"] for e in a.find("stats")) > 10, a.describe()
        assert any(e.get("audio_in") is True for e in b.find("stats")), b.describe()
        # A clean link: Janus reports no loss, so A sends no FEC.
        assert all(e["fec_up_pct"] == 0 for e in a.find("stats")), a.describe()
        assert any(e["loss_up_pct"] == 0 for e in a.find("stats")), a.describe()


def test_muted_speaker_is_silent():
    with Workdir() as wd, lab.Lab() as L:
        src = wd("speech.wav")
        speech(src)
        ref_env = envelope_of(src)
        a, b, info = play_and_record(L, wd, src, a_args=["--mute"])
        ja_muted = b.find(lambda e: e["event"] == "participant-joined"
                          and e.get("id") == info["a_id"])
        assert ja_muted, "B never saw A join\n%s" % b.describe()
        if ja_muted[0].get("muted") is not True:
            assert b.find(lambda e: e["event"] == "muted" and e.get("id") == info["a_id"]
                          and e.get("on") is True), "B was never told A is muted\n%s" % (
                b.describe())
        # Silence threshold: 40 dB below the speech's loud windows (its 90th percentile of
        # 10 ms RMS, about -20 dBFS for espeak-ng). Any leak of A's voice, even badly
        # attenuated, is louder; Opus decoding digital silence (what the mixer sends when
        # nobody talks) gives zeros or a few LSB (< -80 dBFS).
        loud = sorted(ref_env)[int(len(ref_env) * 0.9)]
        limit = loud * 0.01
        rec = envelope_of(wd("b.wav"))
        first = int(info["start_on_rec"] / WIN_S)
        last = first + int(info["length"] / WIN_S)
        window = rec[first:last]
        assert len(window) > 0.9 * (last - first), "recording too short: %d windows" % len(rec)
        peak = max(window)
        print("  loudest 10 ms in B's recording while A muted: %.1f dBFS (limit %.1f dBFS)"
              % (dbfs(peak), dbfs(limit)))
        assert peak < limit, ("B heard something while A was muted: %.1f dBFS > %.1f dBFS"
                              % (dbfs(peak), dbfs(limit)))
        # The silence is A's mute, not a dead downlink: B kept receiving the mixer's stream,
        # and A sent no audio (only RTCP and ICE consent checks, a few hundred bit/s).
        bst = check_stats_flow(b, info["b_dur"], 0.5)
        assert all(e["kbps_in"] > 8 for e in bst[:-1]), "B's downlink is not flowing\n%s" % (
            b.describe())
        ast = a.find("stats")
        assert ast and all(e["kbps_out"] < 4 for e in ast), "muted A sent audio\n%s" % (
            a.describe())
        assert not b.find(lambda e: e["event"] == "talking" and e.get("id") == info["a_id"]
                          and e.get("on") is True), "muted A was reported talking\n%s" % (
            b.describe())


def test_speech_over_impaired_link():
    with Workdir() as wd, lab.Lab(impairable=True) as L:
        src = wd("speech.wav")
        speech(src)
        # netem-like "delay 40ms 30ms loss 5%" on the link, both directions: loss by nftables
        # on the client's link, delay and jitter (uniform) by the router. Reordering only
        # towards us, where our jitter buffer must absorb it: Janus 1.1.2's AudioBridge
        # decodes each packet as it arrives and drops any packet behind the last one decoded
        # ("IN LATE SN"), and independent +-30 ms per 20 ms packet reorders about a quarter
        # of them (97-114 of A's ~405 packets per run were dropped so, on top of the 5 %
        # loss), which measured Janus's reorder handling, not ours, and made r vary 0.80-0.90
        # here (0.596 once in CI). The uplink keeps its delay, jitter and loss, in order.
        L.impair(loss_pct=5, delay_ms=40, jitter_ms=30, keep_order="up")
        # Lost TCP segments can slow the join by seconds: more time before --duration ends.
        a, b, info = play_and_record(L, wd, src, a_extra_s=6.0)
        r, lags = correlate_recording(src, wd("b.wav"), info["start_on_rec"], hi_s=1.5)
        fw = L.forwarder_stats()
        late = L.log_text().count("IN LATE SN")
        print("  per block: %s; Janus dropped %d packets as late"
              % (block_scores(src, wd("b.wav"), lags), late))
        print("  envelope correlation %.3f, lags %s s (A started at %.2f s on B's clock); "
              "forwarder: %s frames each way, %d/%d reordered, held at most %.0f/%.0f ms "
              "(realtime %s)"
              % (r, lags, info["start_on_b"], (fw["ab"]["sent"], fw["ba"]["sent"]),
                 fw["ab"]["reordered"], fw["ba"]["reordered"], fw["ab"]["delay_max_ms"] or 0,
                 fw["ba"]["delay_max_ms"] or 0, fw.get("realtime")))
        for c in (a, b):
            up = [(e.get("kind"), e["t"], e.get("signaling_ms"), e.get("ice_ms"),
                   e.get("dtls_ms")) for e in c.find("media")]
            print("  %s media up (kind, t, signaling_ms, ice_ms, dtls_ms): %s" % (c.name, up))
            last = c.find("stats")[-1] if c.find("stats") else {}
            print("  %s last stats: %s" % (c.name, last))
        assert r >= 0.6, "B's recording does not match A's speech: r=%.3f\n%s\n%s" % (
            r, a.describe(), b.describe())
        check_stats_flow(a, info["a_dur"], info["a_media_t"])
        bst = check_stats_flow(b, info["b_dur"], 0.5)
        # The impairment really was there (the lab did its job): B measured jitter and loss.
        assert max(e["jitter_ms"] for e in bst) >= 5, "no jitter measured\n%s" % b.describe()
        assert max(e["loss_pct"] for e in bst) > 0 or max(e["concealed"] + e["fec"]
                                                          for e in bst) > 0, b.describe()
        assert fw["ab"]["reordered"] == 0 and fw["ba"]["reordered"] > 0, fw
        # Our jitter buffer absorbs the downlink's reordering: B drops few packets as late
        # (about a fifth of them are overtaken; a buffer that dropped those would drop ~200).
        b_late = bst[-1]["late_in"]
        b_packets = 50 * (info["b_dur"] - media_connected(b)["t"])
        print("  B dropped %d of ~%d packets as late" % (b_late, b_packets))
        assert b_late <= 0.03 * b_packets, b.describe()
        # The uplink is in order, so a packet Janus finds behind the last one it decoded was
        # sent so by us.
        assert late == 0, "Janus dropped %d of our packets as late\n%s" % (late, a.describe())
        # A's Opus FEC follows the loss Janus reports: on here (it is off on a clean link,
        # see test_speech_reaches_listener).
        ast = a.find("stats")
        assert any(e["fec_up_pct"] > 0 for e in ast), a.describe()


if __name__ == "__main__":
    harness.require_root()
    harness.run(concurrent=True)
