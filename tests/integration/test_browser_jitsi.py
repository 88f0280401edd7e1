#!/usr/bin/env python3
"""A real Jitsi client as a peer (issue 14, test ladder rung 3): lib-jitsi-meet (npm's only
build, Dec 2021: tests/lab/jitsi/package.json) on a page of our own (tests/lab/jitsi/page.html)
in Debian's headless Chromium (tests/lab/browser.py, in the lab's client namespace), against
Debian's prosody and the stand-in focus (tests/lab/focus.py) in the server namespace.

1. Two browsers first: the stand-in focus is trusted only as far as the real client accepts it.
   Both ask the focus, join, list each other by display name (the focus not listed), chat both
   ways (a groupchat message and a private one, marked so), and one leaving leaves the other
   alone. Peer-to-peer is off here (p2p=0): it is between the two browsers, not what is tested.
2. A browser and a ttymeet given the Jitsi link http://SERVER:PORT/ROOM (headless): both ask
   the focus, they list each other with the right names, the focus listed by neither. P2P
   stays on, as in the Jitsi Meet web app, and the page's occupant id sorts first so that the
   browser offers P2P Jingle to ttymeet (the lower id offers); ttymeet runs with --no-p2p, so
   it declines: the browser gets a session-terminate with reason decline from it (XEP-0166
   6.7), within seconds, and ttymeet stays in the meeting, with no socket but its XMPP
   connection (the notice's promise: the browser does not get its IP address). Chat both ways: what the browser said before ttymeet came is replayed
   to ttymeet as history; then a groupchat message and a private one each way, each shown by
   the receiver with the sender's name and marked private or not, and by ttymeet exactly
   once, its own included. ttymeet leaving leaves the browser alone.
3. A peer-to-peer call (issue 15): the browser (speech A as its microphone, P2P on, its id
   sorting first) offers P2P Jingle to ttymeet (speech B, --play --loop, --record): ttymeet
   takes it; its audio connects peer-to-peer (the media event says so) and the page's P2P
   status turns on; ttymeet's recording is speech A (envelope correlation >= 0.7 against A, and
   below it against a sentence nobody said), the page receives ttymeet's audio with energy and
   its recording is speech B (>= 0.7). ttymeet shows the browser talking. The browser sends
   its camera too (the fake device's moving picture), and ttymeet, with --video, shows it in
   its preview: pictures from anna (her name and roster id), at most --video-fps 5; ttymeet
   sends its test pattern (--video-source), which the browser gets as ttybob's video track and
   decodes at 320x180.
4. ttymeet offers (issue 15): the page's id "zz" sorts after any ttymeet draws (8 hex digits), so
   by lib-jitsi-meet's rule ttymeet offers the P2P session (the page sees its session-initiate,
   ttymeet says it offers) and the browser takes it: both hear each other (>= 0.7).
Figures printed: Chromium's start and join times against ttymeet's, and the memory (PSS) and
CPU time of the Chromium participant (its whole process tree) against ttymeet's.

Skips (exit 77, ctest shows it as skipped) only when Chromium, chromium-driver or the page's
npm packages are missing; scripts/test.sh installs them (scripts/deps.sh --with-jitsi-browser).
"""

import base64
import os
import signal
import sys
import time
from urllib.parse import urlencode

import harness
from harness import HEADLESS, lab, start_client
import browser  # tests/lab/browser.py (harness put tests/lab on the path)
import test_audio as A
from test_browser_videoroom import looped_correlation, sounding
from test_privacy import _hex_addr, _inet_sockets

PAGE_DIR = os.path.join(harness.SOURCE_DIR, "tests", "lab", "jitsi")
PAGE_FILES = ["node_modules/jquery/dist/jquery.min.js",
              "node_modules/@lyno/lib-jitsi-meet/lib-jitsi-meet.min.js", "page.html", "page.js"]
DOMAIN, MUC = "localhost", "conference.localhost"
XMPP = ["--xmpp-domain", DOMAIN, "--xmpp-muc", MUC]
SKIP = 77
SPEECH_A = A.SENTENCE  # the browser says this
SPEECH_B = A.STORY[:160]  # ttymeet says this
OTHER = A.STORY[400:560]  # nobody says this: the negative control
P2P_RECORD_S = 7.0  # how long each side records the other once the call is up
OFFER_RECORD_S = 5.0  # the same when ttymeet offers (kept short: CI time)


def missing():
    return browser.missing() + [p for p in (os.path.join(PAGE_DIR, f) for f in PAGE_FILES)
                                if not os.path.exists(p)]


def main(module_globals):
    """The __main__ of a test that drives the Jitsi page (this one, test_jitsi_bridge,
    test_jitsi_switch): skips (77) when missing() names anything, else runs module_globals's
    tests as root."""
    miss = missing()
    if miss:
        print("SKIP %s: not installed: %s (scripts/deps.sh --with-jitsi-browser installs "
              "chromium, chromium-driver and the page's npm packages)"
              % (os.path.basename(module_globals["__file__"])[:-3], ", ".join(miss)))
        sys.exit(SKIP)
    harness.require_root()
    harness.run(module_globals)


def open_page(br, wd, ws, room, name, **opts):
    """Opens the page in wd: it connects to ws and joins room as name (opts: p2p, id)."""
    q = dict(ws=ws, domain=DOMAIN, muc=MUC, room=room, name=name)
    q.update({k: str(v) for k, v in opts.items()})
    wd.get(br.base + "page.html?" + urlencode(q))


def state(wd):
    return wd.js("return window.ttm ? ttm.state() : {error: 'page.js did not run'};")


def describe(wd):
    s = state(wd)
    return "page state: %s\n  console:\n    %s" % (
        {k: v for k, v in s.items() if k != "console"}, "\n    ".join(s.get("console") or []))


def wait_page(wd, what, pred, timeout=15):
    """pred(state) until true (returned); a failure shows the page's state and console."""
    def check():
        s = state(wd)
        assert not s.get("error") and not s.get("errors"), "%s: the page failed\n%s" % (
            what, describe(wd))
        return pred(s)
    try:
        return browser.wait_for(what, check, timeout)
    except browser.WebDriverError as e:
        raise AssertionError("%s\n%s" % (e, describe(wd))) from None


def join(br, wd, ws, room, name, **opts):
    """open_page, then waits until joined; returns (state, seconds from load to joined)."""
    t = time.monotonic()
    open_page(br, wd, ws, room, name, **opts)
    s = wait_page(wd, name + " joined", lambda s: s["joined"] and s)
    return s, time.monotonic() - t


def roster(s):
    return sorted((p["id"], p["name"]) for p in s["participants"])


def others(s):
    """The messages of state s from others (the room echoes our own groupchat to us)."""
    return [m for m in s["messages"] if not m["self"]]


def tree_usage(root_pid):
    """(PSS kB, CPU s) of root_pid's descendants (not root_pid): a Chromium under chromedriver."""
    kids = {}
    for d in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
        except (OSError, ValueError):
            continue
        fields = st[st.rindex(")") + 2:].split()
        kids.setdefault(int(fields[1]), []).append(int(d))
    todo, pids = list(kids.get(root_pid, [])), []
    while todo:
        p = todo.pop()
        pids.append(p)
        todo += kids.get(p, [])
    return sum(usage(p)[0] for p in pids), sum(usage(p)[1] for p in pids)


def usage(pid):
    """(PSS kB, CPU s: user + system, its own) of a live process; (0, 0) when it is gone."""
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            pss = sum(int(ln.split()[1]) for ln in f if ln.startswith("Pss:"))
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
        fields = st[st.rindex(")") + 2:].split()
        return pss, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0, 0.0


def test_two_browsers_with_the_standin_focus():
    with lab.Lab(janus=False) as L:
        ws = L.start_prosody(focus=True)
        focus = L.start_focus()
        br = browser.Browser(L, L.dir, os.path.join(L.dir, "agent.log"), serve=PAGE_DIR).start()
        try:
            anna, version = br.driver("anna")
            bert, _ = br.driver("bert")
            sa, ta = join(br, anna, ws, "twobrowsers", "anna", p2p=0)
            sb, tb = join(br, bert, ws, "twobrowsers", "bert", p2p=0)
            print("  Chromium %s: lib-jitsi-meet joined %d ms and %d ms after the page ran "
                  "(XMPP connected after %d ms, %d ms; the test saw it %.1f s, %.1f s after "
                  "asking for the page)" % (version, sa["joined_ms"], sb["joined_ms"],
                                            sa["connected_ms"], sb["connected_ms"], ta, tb))
            # each asked the focus, and each lists exactly the other (the focus is not listed)
            rooms = [r["room"] for r in focus.requests()]
            assert rooms == ["twobrowsers@" + MUC] * 2, focus.requests()
            wait_page(anna, "anna lists bert", lambda s: roster(s) == [(sb["my_id"], "bert")])
            wait_page(bert, "bert lists anna", lambda s: roster(s) == [(sa["my_id"], "anna")])
            # chat both ways: groupchat, and private to the other's id
            anna.js("ttm.send(arguments[0]);", "hello from anna")
            bert.js("ttm.sendPrivate(arguments[0], arguments[1]);", sa["my_id"], "psst anna")
            bert.js("ttm.send(arguments[0]);", "hello from bert")
            m = wait_page(bert, "bert gets anna's message", lambda s: [
                m for m in s["messages"] if m["text"] == "hello from anna"])
            assert m == [{"from": sa["my_id"], "name": "anna", "text": "hello from anna",
                          "private": False, "history": False, "self": False}], m
            wait_page(anna, "anna gets bert's messages", lambda s: len(others(s)) >= 2)
            time.sleep(0.3)
            got_a = sorted((m["name"], m["text"], m["private"], m["history"])
                           for m in others(state(anna)))
            assert got_a == [("bert", "hello from bert", False, False),
                             ("bert", "psst anna", True, False)], got_a
            # the private message went to anna only; bert's own come back to him as such
            got_b = sorted((m["text"], m["self"]) for m in state(bert)["messages"])
            assert got_b == [("hello from anna", False), ("hello from bert", True)], got_b
            # bert leaves: anna is alone (the focus stays out of her list)
            assert bert.js_async("var done = arguments[0]; ttm.leave().then(function () "
                                 "{ done('left'); }, function (e) { done(String(e)); });") \
                == "left"
            wait_page(anna, "anna sees bert leave", lambda s: s["participants"] == [])
        finally:
            br.stop()


def test_browser_and_ttymeet():
    with lab.Lab(janus=False) as L:
        ws = L.start_prosody(focus=True)
        focus = L.start_focus()
        port = int(ws.rsplit(":", 1)[1].split("/")[0])  # (its socket is checked below)
        link = L.meeting_link(ws, "MixedRoom")
        br = browser.Browser(L, L.dir, os.path.join(L.dir, "agent.log"), serve=PAGE_DIR).start()
        try:
            t = time.monotonic()
            page, version = br.driver("anna")
            t_start = time.monotonic() - t
            # id 00000000 sorts before any id ttymeet draws: the browser offers P2P to it
            sp, tp = join(br, page, ws, "mixedroom", "anna", id="00000000")
            assert sp["my_id"] == "00000000", sp
            # said before ttymeet comes: the room replays it to ttymeet as history
            page.js("ttm.send(arguments[0]);", "before you came")
            wait_page(page, "the room echoes anna's first message", lambda s: s["messages"])
            tty = start_client(L, HEADLESS + XMPP + ["-n", "ttybob", "--no-p2p", "--duration",
                                                     "60", link], "ttybob")
            joined = tty.wait_event("joined", 10)
            assert joined.get("room_type") == "jitsi", joined
            seen = tty.wait_event("participant-joined", 10)
            assert seen.get("name") == "anna", seen
            s = wait_page(page, "the page lists ttybob", lambda s: s["participants"] and s)
            assert [p["name"] for p in s["participants"]] == ["ttybob"], s["participants"]
            tty_id = s["participants"][0]["id"]
            t_u0, c_u0, t_u0_tty = time.monotonic(), tree_usage(br.driver_pid), usage(tty.proc.pid)
            e = tty.wait_event(lambda e: e["event"] == "chat", 5)
            assert (e.get("from"), e.get("text"), e.get("history"), e.get("self")) == (
                "anna", "before you came", True, False), e
            print("  join: Chromium %s started in %.1f s; lib-jitsi-meet joined %d ms after the "
                  "page ran (the test saw it %.1f s after asking for the page); ttymeet joined "
                  "%d ms after its start" % (version, t_start, sp["joined_ms"], tp,
                                              joined["t"] * 1000))
            # P2P: ttymeet (--no-p2p) declines the browser's session-initiate
            t0 = time.monotonic()
            term = wait_page(page, "ttymeet's decline of the P2P offer", lambda s: [
                j for j in s["jingle"] if j["action"] == "session-terminate"], 8)
            assert term[0]["from"] == "mixedroom@%s/%s" % (MUC, tty_id) and \
                term[0]["reason"] == "decline", term
            assert not state(page)["p2p"], describe(page)
            # and opened no connection to the browser: its only socket is the XMPP server's
            socks = _inet_sockets(tty.proc.pid)
            assert socks and all(p.startswith("tcp") and r == _hex_addr(L.server_addr, port)
                                 for p, r in socks), socks
            print("  the P2P offer was declined after %.1f s: %s" % (time.monotonic() - t0,
                                                                    term[0]))

            # chat both ways, after the P2P refusal: ttymeet must still be in the meeting
            page.js("ttm.send(arguments[0]);", "hello from anna")
            page.js("ttm.sendPrivate(arguments[0], arguments[1]);", tty_id, "psst ttybob")
            tty.write_stdin("hello from ttybob\n/msg anna only for anna\n")
            for text, private in (("hello from anna", False), ("psst ttybob", True)):
                e = tty.wait_event(lambda e: e["event"] == "chat" and e.get("text") == text, 10)
                assert (e.get("from"), e.get("self"), e.get("private"), e.get("history")) == \
                    ("anna", False, private, False), e
            wait_page(page, "the page gets ttybob's two messages",
                      lambda s: len(others(s)) >= 2, 10)
            time.sleep(0.3)
            msgs = sorted((m["from"], m["name"], m["text"], m["private"], m["history"])
                          for m in others(state(page)))
            assert msgs == [(tty_id, "ttybob", "hello from ttybob", False, False),
                            (tty_id, "ttybob", "only for anna", True, False)], msgs

            # the figures for issue 15: one Chromium participant against one ttymeet, over
            # at least 3 s in the meeting
            time.sleep(max(0.0, t_u0 + 3.0 - time.monotonic()))
            (c_pss, c_cpu), (t_pss, t_cpu) = tree_usage(br.driver_pid), usage(tty.proc.pid)
            span = time.monotonic() - t_u0
            print("  cost: Chromium with lib-jitsi-meet %.0f MB (PSS), %.1f s of CPU since its "
                  "start %.0f s ago, %.0f %% of a core in the meeting's last %.1f s; ttymeet "
                  "%.1f MB, %.2f s since its start %.0f s ago, %.1f %% of a core" % (
                      c_pss / 1024, c_cpu, time.monotonic() - t,
                      100 * (c_cpu - c_u0[1]) / span, span, t_pss / 1024, t_cpu,
                      tty.elapsed(), 100 * (t_cpu - t_u0_tty[1]) / span))

            # ttymeet leaves: the page lists nobody (the focus is not listed)
            tty.send_signal(signal.SIGINT)
            assert tty.wait_exit(10) == 0, tty.describe()
            wait_page(page, "ttybob leaving", lambda s: s["participants"] == [], 10)
            assert state(page)["joined"], describe(page)
        finally:
            br.stop()
        names = [e.get("name") for e in tty.find("participant-joined")]
        assert names == ["anna"], tty.describe()
        assert not tty.find("participant-left"), tty.describe()
        tty.assert_clean_output()
        # each message shown once by ttymeet, its own too (the room echoes groupchat)
        chat = sorted((e["from"], e["text"], e["self"], e["private"], e["history"], e.get("to"))
                      for e in tty.find("chat"))
        assert chat == [("anna", "before you came", False, False, True, None),
                        ("anna", "hello from anna", False, False, False, None),
                        ("anna", "psst ttybob", False, True, False, None),
                        ("ttybob", "hello from ttybob", True, False, False, None),
                        ("ttybob", "only for anna", True, True, False, "anna")], chat
        # both asked the stand-in focus for the room (lib-jitsi-meet first)
        reqs = focus.requests()
        assert [r["room"] for r in reqs] == ["mixedroom@" + MUC] * 2 and \
            reqs[0]["from"] != reqs[1]["from"], reqs


def record_page(wd, peer_id, seconds, path):
    """Records seconds of what the page receives from participant peer_id to a WAV; returns
    the page's audio stats (ttm.stats) taken when the recording ended."""
    err = wd.js("return ttm.recordStart(arguments[0]);", peer_id)
    assert err is None, err
    time.sleep(seconds)
    stats = wd.js_async("var done = arguments[arguments.length - 1];"
                        "ttm.stats().then(done, function (e) { done({error: String(e)}); });")
    out = wd.js_async(browser.VR_RECORD_STOP_JS)
    assert "error" not in out, "the page's recording: %s" % out
    raw = base64.b64decode(out["b64"])
    A.write_wav(path, int(out["rate"]),
                [int.from_bytes(raw[i:i + 2], "little", signed=True)
                 for i in range(0, len(raw) - 1, 2)])
    return stats


def test_p2p_call():
    with lab.Lab(janus=False) as L:
        ws = L.start_prosody(focus=True)
        L.start_focus()  # passive: a P2P call needs no focus, but the clients ask one
        link = L.meeting_link(ws, "TalkRoom")
        wd = lambda f: os.path.join(L.dir, f)  # noqa: E731
        A.speech(wd("a.wav"), SPEECH_A)
        A.speech(wd("b.wav"), SPEECH_B)
        A.speech(wd("other.wav"), OTHER)
        br = browser.Browser(L, L.dir, os.path.join(L.dir, "agent.log"), serve=PAGE_DIR).start()
        try:
            page, _ = br.driver("anna", wav=wd("a.wav"))
            join(br, page, ws, "talkroom", "anna", id="00000000", audio=1, ap=0, video=1)
            duration = 6.0 + 2 * P2P_RECORD_S
            tty = start_client(L, HEADLESS + XMPP + [
                "-n", "ttybob", "--play", wd("b.wav"), "--loop", "--record", wd("tty.wav"),
                "--video", "--video-fps", "5", "--video-source", "testpattern",
                "--duration", "%g" % duration, link], "ttybob")
            up = tty.wait_event(lambda e: e["event"] == "media" and e.get("kind") == "audio",
                                15)
            assert up["state"] == "connected" and "peer-to-peer with anna" in \
                up.get("message", ""), tty.describe()
            wait_page(page, "the page's P2P status", lambda s: s["p2p"], 10)
            tty_id = [p["id"] for p in state(page)["participants"]][0]
            t_u0, c_u0, t_u0_tty = time.monotonic(), tree_usage(br.driver_pid), \
                usage(tty.proc.pid)
            stats = record_page(page, tty_id, P2P_RECORD_S, wd("page.wav"))
            span = time.monotonic() - t_u0
            (c_pss, c_cpu), (t_pss, t_cpu) = tree_usage(br.driver_pid), usage(tty.proc.pid)
            inb = stats.get("inbound") or {}
            vin = stats.get("video_in") or {}
            remote = state(page)["remote"]
            assert stats.get("p2p") and inb.get("packetsReceived", 0) > 40 * P2P_RECORD_S and \
                inb.get("totalAudioEnergy", 0) > 0, stats
            assert tty.wait_exit(duration + 10) == 0, tty.describe()
        finally:
            br.stop()
        tty.assert_clean_output()
        # the browser heard ttymeet: the page's recording is speech B
        env_page = sounding(A.envelope_of(wd("page.wav")), "the page's recording of ttybob")
        r_page, _ = looped_correlation(wd("b.wav"), env_page)
        # ttymeet heard the browser: its recording, from the call's start, is speech A
        env_tty = A.envelope_of(wd("tty.wav"))
        env_tty = sounding(env_tty[int(up["t"] / A.WIN_S):], "ttymeet's recording")
        r_tty, _ = looped_correlation(wd("a.wav"), env_tty)
        r_tty_neg, _ = looped_correlation(wd("other.wav"), env_tty)
        talk = [e for e in tty.find("talking") if e.get("name") == "anna" and e.get("on")]
        # anna's camera in ttymeet's preview: her pictures, by her name and roster id, at
        # most the --video-fps asked for, with something in them (the fake camera's picture)
        anna_id = [e["id"] for e in tty.find("participant-joined") if e.get("name") == "anna"]
        frames = tty.find("video-frame")
        shown = tty.find(lambda e: e["event"] == "video" and e.get("on"))
        span_v = frames[-1]["t"] - frames[0]["t"] if len(frames) > 1 else 0
        print("  video: %d pictures from anna in %.1f s (%.1f/s, cap 5), %dx%d characters"
              % (len(frames), span_v, (len(frames) - 1) / span_v if span_v else 0,
                 frames[0]["cols"] if frames else 0, frames[0]["rows"] if frames else 0))
        assert len(frames) >= 10 and anna_id, tty.describe()
        assert all(f["from"] == "anna" and f["id"] == anna_id[0] for f in frames), frames[:1]
        assert shown and shown[0].get("from") == "anna" and shown[0].get("codec") == "vp8", shown
        assert (len(frames) - 1) / span_v <= 5.5, (len(frames), span_v)
        assert len(set(frames[-1]["ascii"].replace("\n", ""))) > 3, frames[-1]["ascii"]
        # ttymeet's test pattern in the browser: a video track of ttybob's, decoded
        sent = tty.find(lambda e: e["event"] == "media" and e.get("kind") == "video")
        print("  ttymeet's video: %s; the browser decoded %s pictures of %sx%s"
              % (sent[0].get("message") if sent else None, vin.get("framesDecoded"),
                 vin.get("frameWidth"), vin.get("frameHeight")))
        assert sent and sent[0]["state"] == "connected" and \
            sent[0].get("message") == "peer-to-peer", sent
        assert {"participant": tty_id, "type": "video"} in remote, remote
        assert vin.get("framesDecoded", 0) >= 20 and vin.get("frameWidth") == 320, vin
        print("  P2P call: audio connected %.0f ms after ttymeet started (ICE %.0f, DTLS %.0f "
              "ms); the page received %d packets (%d lost); correlation: ttymeet heard the "
              "browser %.2f (unsaid sentence %.2f), the browser heard ttymeet %.2f"
              % (up.get("join_ms", 0), up.get("ice_ms", 0), up.get("dtls_ms", 0),
                 inb["packetsReceived"], inb.get("packetsLost", 0), r_tty, r_tty_neg, r_page))
        print("  cost in the call (%.1f s): Chromium with lib-jitsi-meet %.0f MB (PSS), %.0f %% "
              "of a core; ttymeet %.1f MB, %.1f %% of a core" % (
                  span, c_pss / 1024, 100 * (c_cpu - c_u0[1]) / span, t_pss / 1024,
                  100 * (t_cpu - t_u0_tty[1]) / span))
        assert r_tty >= 0.7 and r_tty > r_tty_neg, (r_tty, r_tty_neg)
        assert r_page >= 0.7, r_page
        assert talk, "ttymeet never showed anna talking:\n" + tty.describe()


def test_ttymeet_offers_p2p():
    """ttymeet's id sorts first: ttymeet offers the P2P session and the browser takes it."""
    with lab.Lab(janus=False) as L:
        ws = L.start_prosody(focus=True)
        L.start_focus()
        link = L.meeting_link(ws, "OfferRoom")
        wd = lambda f: os.path.join(L.dir, f)  # noqa: E731
        A.speech(wd("a.wav"), SPEECH_A)
        A.speech(wd("b.wav"), SPEECH_B)
        br = browser.Browser(L, L.dir, os.path.join(L.dir, "agent.log"), serve=PAGE_DIR).start()
        try:
            page, _ = br.driver("anna", wav=wd("a.wav"))
            # "zz" sorts after any id ttymeet draws (8 hex digits): ttymeet's turn to offer
            join(br, page, ws, "offerroom", "anna", id="zz", audio=1, ap=0)
            duration = 5.0 + OFFER_RECORD_S
            tty = start_client(L, HEADLESS + XMPP + [
                "-n", "ttybob", "--play", wd("b.wav"), "--loop", "--record", wd("tty.wav"),
                "--duration", "%g" % duration, link], "ttybob")
            up = tty.wait_event(lambda e: e["event"] == "media" and e.get("kind") == "audio",
                                15)
            assert up["state"] == "connected" and "peer-to-peer with anna" in \
                up.get("message", ""), tty.describe()
            wait_page(page, "the page's P2P status", lambda s: s["p2p"], 10)
            tty_id = [p["id"] for p in state(page)["participants"]][0]
            got = [(j["action"], j["from"]) for j in state(page)["jingle"]]
            stats = record_page(page, tty_id, OFFER_RECORD_S, wd("page.wav"))
            assert tty.wait_exit(duration + 10) == 0, tty.describe()
        finally:
            br.stop()
        tty.assert_clean_output()
        # the offer was ttymeet's, from its occupant JID; the browser offered nothing
        me = "offerroom@%s/%s" % (MUC, tty_id)
        assert ("session-initiate", me) in got, got
        offered = tty.find(lambda e: e["event"] == "notice" and
                           "offering anna a peer-to-peer call" in e.get("message", ""))
        assert offered and offered[0]["t"] < up["t"], tty.describe()
        inb = stats.get("inbound") or {}
        assert stats.get("p2p") and inb.get("packetsReceived", 0) > 40 * OFFER_RECORD_S, stats
        env_page = sounding(A.envelope_of(wd("page.wav")), "the page's recording of ttybob")
        r_page, _ = looped_correlation(wd("b.wav"), env_page)
        env_tty = A.envelope_of(wd("tty.wav"))
        env_tty = sounding(env_tty[int(up["t"] / A.WIN_S):], "ttymeet's recording")
        r_tty, _ = looped_correlation(wd("a.wav"), env_tty)
        print("  ttymeet offered: audio connected %.0f ms after its start; correlation: "
              "ttymeet heard the browser %.2f, the browser heard ttymeet %.2f"
              % (up.get("join_ms", 0), r_tty, r_page))
        assert r_tty >= 0.7 and r_page >= 0.7, (r_tty, r_page)


if __name__ == "__main__":
    main(globals())
