#!/usr/bin/env python3
"""Headless Chromium on Janus's own demo pages or on a page of our own, inside a lab
(tests/lab/lab.py): the browser side of tests/integration/test_browser_videoroom.py,
tests/integration/test_browser_jitsi.py (lib-jitsi-meet on tests/lab/jitsi/page.html) and
tests/bench/browser_bench.py.

What runs where: Chromium must reach the lab's servers, whose addresses exist only in the lab's
namespaces, so an agent (this file, `browser.py agent CONFIG`) runs in the client namespace.
It serves a directory from a Python HTTP server on 127.0.0.1 there: by default links to
Debian's janus-demos (/usr/share/janus/demos) plus a settings.js naming the lab's Janus
WebSocket; with Browser(serve=DIR) that directory as it is. It starts chromedriver there, and
then relays W3C WebDriver calls: one JSON line in on stdin
({"method", "path", "body", "timeout"}), one JSON line out ({"status", "raw"} or {"error"}).
Everything else (which page, what to click, what to measure) is decided by the caller, which
speaks WebDriver through that relay (Browser.driver()) with the standard library only. The
only addresses used are the lab's and the namespace's own loopback.

Chromium's microphone is its fake capture device reading a WAV file (looped by Chromium); its
camera is the fake device's test picture. Each WebDriver session is its own Chromium process,
so two sessions can speak two different files.

Needs: chromium, chromium-driver, janus-demos (scripts/deps.sh --with-browser); the Jitsi page
also its npm packages (scripts/deps.sh --with-jitsi-browser).
"""

import functools
import http.client
import http.server
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
DEMO_DIR = "/usr/share/janus/demos"
W3C_ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


def missing(pages=()):
    """What of Chromium, chromedriver and the demo pages (file names in DEMO_DIR) is not
    installed: a list of paths, empty when everything is there."""
    want = [CHROMIUM, CHROMEDRIVER] + [os.path.join(DEMO_DIR, p) for p in pages]
    return [p for p in want if not os.path.exists(p)]


class WebDriverError(Exception):
    pass


class WebDriver:
    """The few W3C WebDriver commands the tests need, over a transport: a function
    (method, path, body, timeout) -> (HTTP status, raw body bytes). One WebDriver is one
    session (one Chromium); several can share a transport (one chromedriver)."""

    def __init__(self, transport):
        self.transport = transport
        self.sid = None

    def call(self, method, path, body=None, timeout=60):
        status, raw = self.transport(method, path, body, timeout)
        try:
            out = json.loads(raw)
        except ValueError:
            raise WebDriverError("%s %s: HTTP %d %r" % (method, path, status, raw[:200]))
        value = out.get("value") if isinstance(out, dict) else None
        if status != 200:
            msg = value.get("message", "") if isinstance(value, dict) else value
            raise WebDriverError("%s %s: %s" % (method, path, str(msg).splitlines()[0:1]))
        return value

    def s(self, method, path, body=None, timeout=60):
        return self.call(method, "/session/%s%s" % (self.sid, path), body, timeout)

    def new_session(self, args, binary=CHROMIUM):
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": binary, "args": args}}}}
        value = self.call("POST", "/session", caps, timeout=90)
        self.sid = value["sessionId"]
        self.s("POST", "/timeouts", {"script": 60000})
        return value

    def get(self, url):
        self.s("POST", "/url", {"url": url})

    def element(self, css):
        return self.s("POST", "/element", {"using": "css selector", "value": css})[W3C_ELEMENT]

    def click(self, css):
        self.s("POST", "/element/%s/click" % self.element(css), {})

    def type(self, css, text):
        self.s("POST", "/element/%s/value" % self.element(css), {"text": text})

    def js(self, script, *args):
        return self.s("POST", "/execute/sync", {"script": script, "args": list(args)})

    def js_async(self, script, *args, timeout=60):
        return self.s("POST", "/execute/async", {"script": script, "args": list(args)},
                      timeout=timeout)

    def quit(self):
        if self.sid:
            try:
                self.call("DELETE", "/session/%s" % self.sid, timeout=20)
            finally:
                self.sid = None


def chromium_args(profile_dir, wav=None):
    """Headless Chromium whose microphone plays wav (looped; without wav the fake device's
    beeps) and whose media permission prompts are accepted."""
    return ["--headless=new", "--no-sandbox", "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream"] + (
                ["--use-file-for-fake-audio-capture=%s" % wav] if wav else []) + [
            "--autoplay-policy=no-user-gesture-required", "--window-size=1280,900",
            "--user-data-dir=%s" % profile_dir]


def wait_for(what, fn, timeout, step=0.25):
    """fn() until it returns something true (returned); WebDriverError after timeout s."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(step)
    raise WebDriverError("timed out (%.0f s) waiting for %s; last: %r" % (timeout, what, last))


# ---- Janus's demo pages --------------------------------------------------------------------

def _join(wd, url, name, state_js, ready, what, timeout):
    """The demo pages' common start: open url, press Start, type the name into #username,
    press #register, then wait until ready(state_js's answer)."""
    wd.get(url)
    wait_for("the Start button", lambda: wd.js("return window.Janus && "
                                                "$('#start').length > 0"), 20)
    wd.click("#start")
    wait_for("the name field", lambda: wd.js(state_js)["register_visible"], 20)
    wd.type("#username", name)
    wd.click("#register")
    wait_for(what, lambda: ready(wd.js(state_js)), timeout)


def join_audiobridge(wd, base, room, name, timeout=30):
    """Opens audiobridgetest.html for room, joins as name and waits until its
    PeerConnection's ICE is up. The page keeps its handle in window.mixertest."""
    _join(wd, "%saudiobridgetest.html?room=%d" % (base, room), name, AB_STATE_JS,
          lambda s: s["registered"] and s["ice"] in ("connected", "completed"),
          "the room and ICE connected", timeout)


AB_STATE_JS = """
var h = window.mixertest, pc = h && h.webrtcStuff && h.webrtcStuff.pc;
return {registered: $('#room').is(':visible'), register_visible: $('#register').is(':visible'),
        ice: pc ? pc.iceConnectionState : null,
        alert: $('.bootbox-body').text() || null};
"""

# getStats of a PeerConnection, audio only: outbound-rtp, inbound-rtp, media-source,
# remote-inbound-rtp. PC_JS finds the PeerConnection (pc) and calls stats(pc).
_STATS_JS = """
var done = arguments[arguments.length - 1];
function stats(pc) {
  if (!pc) { done({error: "no PeerConnection"}); return; }
  pc.getStats().then(function (r) {
    var o = {ice: pc.iceConnectionState, conn: pc.connectionState};
    r.forEach(function (s) {
      if (s.kind !== "audio") return;
      if (s.type === "outbound-rtp") { o.out_packets = s.packetsSent; o.out_bytes = s.bytesSent; }
      if (s.type === "inbound-rtp") {
        o.in_packets = s.packetsReceived; o.in_bytes = s.bytesReceived; o.in_lost = s.packetsLost;
        o.in_samples = s.totalSamplesReceived; o.in_concealed = s.concealedSamples;
        o.in_energy = s.totalAudioEnergy; o.in_duration = s.totalSamplesDuration;
        o.in_jitter = s.jitter;
      }
      if (s.type === "media-source") { o.src_energy = s.totalAudioEnergy;
        o.src_duration = s.totalSamplesDuration; }
      if (s.type === "remote-inbound-rtp") { o.up_lost = s.packetsLost; o.rtt = s.roundTripTime; }
    });
    done(o);
  }, function (e) { done({error: String(e)}); });
}
"""
# AudioBridge page: its one PeerConnection (window.mixertest), both directions.
AB_STATS_JS = _STATS_JS + """
var h = window.mixertest;
stats(h && h.webrtcStuff && h.webrtcStuff.pc);
"""


def join_videoroom(wd, base, room, name, timeout=30):
    """Opens videoroomtest.html for room, joins as publisher name (audio and the fake
    camera's video) and waits until the publisher PeerConnection's ICE is up. The page keeps
    its publisher handle in window.sfutest and one subscriber handle per remote publisher in
    window.feeds[1..5] (each with rfdisplay and remoteTracks {mid: MediaStream})."""
    _join(wd, "%svideoroomtest.html?room=%d" % (base, room), name, VR_STATE_JS,
          lambda s: s["joined"] and s["ice"] in ("connected", "completed"),
          "the room and the publisher's ICE connected", timeout)


def visible_name(name):
    """name without Unicode tag characters (U+E0000..U+E007F), which ttymeet appends to its
    display name as an invisible claim (src/chatid.h): what a person reads on a page."""
    return re.sub("[\U000E0000-\U000E007F]", "", name or "")


# The same in the page: vis(s).
_VIS_JS = r"""
function vis(s) { return (s || "").replace(/[\u{E0000}-\u{E007F}]/gu, ""); }
"""
# The VideoRoom page's state: joined (it has its publisher id), its publisher ICE state, and
# the remote publishers it shows: the name over each remote panel (label, what a person
# reads; display: the subscription's name, both without invisible tag characters) and whether
# that subscription has an audio track.
VR_STATE_JS = _VIS_JS + """
var h = window.sfutest, pc = h && h.webrtcStuff && h.webrtcStuff.pc;
var pubs = [];
for (var i = 1; i < 6; i++) {
  var f = (window.feeds || [])[i];
  if (!f) continue;
  var audio = false;
  for (var mid in (f.remoteTracks || {}))
    if (f.remoteTracks[mid].getAudioTracks().length) audio = true;
  pubs.push({index: i, display: vis(f.rfdisplay), label: vis($('#remote' + i).text()),
             shown: $('#remote' + i).is(':visible'), audio: audio,
             ice: f.webrtcStuff && f.webrtcStuff.pc ? f.webrtcStuff.pc.iceConnectionState : null});
}
return {joined: window.myid != null,
        register_visible: $('#registernow').is(':visible'),
        ice: pc ? pc.iceConnectionState : null, publishers: pubs,
        alert: $('.bootbox-body').text() || null};
"""

_VR_FEED_JS = _VIS_JS + """
function feedOf(name) {
  for (var i = 1; i < 6; i++) {
    var f = (window.feeds || [])[i];
    if (f && vis(f.rfdisplay) === name) return f;
  }
  return null;
}
function audioOf(f) {
  for (var mid in (f && f.remoteTracks) || {})
    if (f.remoteTracks[mid].getAudioTracks().length) return f.remoteTracks[mid];
  return null;
}
"""
# VideoRoom page: stats of the publisher (outbound) or of the subscription to arguments[0].
VR_STATS_JS = _STATS_JS + _VR_FEED_JS + """
var f = arguments[0] ? feedOf(arguments[0]) : window.sfutest;
stats(f && f.webrtcStuff && f.webrtcStuff.pc);
"""
# Starts recording the audio the page receives from publisher arguments[0] (MediaRecorder,
# Opus in WebM: what the page's hidden <audio> element plays). Returns an error or null.
VR_RECORD_START_JS = _VR_FEED_JS + """
var s = audioOf(feedOf(arguments[0]));
if (!s) return "no audio track from " + arguments[0];
var rec = new MediaRecorder(new MediaStream(s.getAudioTracks()),
                            {mimeType: "audio/webm;codecs=opus"});
window.__ttm_rec = {rec: rec, chunks: [], t0: performance.now()};
rec.ondataavailable = function (e) { window.__ttm_rec.chunks.push(e.data); };
rec.start(1000);
return null;
"""
# Stops it and decodes it (OfflineAudioContext.decodeAudioData): {rate: 8000, b64: mono
# 16-bit little-endian samples, each the mean of 6 at 48 kHz, in base64, seconds}.
VR_RECORD_STOP_JS = """
var done = arguments[arguments.length - 1], r = window.__ttm_rec;
if (!r) { done({error: "not recording"}); return; }
r.rec.onstop = function () {
  new Blob(r.chunks, {type: "audio/webm"}).arrayBuffer().then(function (buf) {
    return new OfflineAudioContext(1, 48000, 48000).decodeAudioData(buf);
  }).then(function (ab) {
    var x = ab.getChannelData(0), k = Math.round(ab.sampleRate / 8000);
    var n = Math.floor(x.length / k), out = new Int16Array(n);
    for (var i = 0; i < n; i++) {
      var acc = 0;
      for (var j = 0; j < k; j++) acc += x[i * k + j];
      out[i] = Math.max(-32768, Math.min(32767, Math.round(acc / k * 32767)));
    }
    var b = new Uint8Array(out.buffer), s = "";
    for (var i = 0; i < b.length; i += 8192)
      s += String.fromCharCode.apply(null, b.subarray(i, i + 8192));
    done({rate: ab.sampleRate / k, b64: btoa(s), seconds: ab.duration,
          wall: (performance.now() - r.t0) / 1000});
  }).catch(function (e) { done({error: String(e)}); });
};
r.rec.stop();
"""


# ---- the agent (client namespace) ---------------------------------------------------------

def demo_dir(tmp, ws_url):
    """A directory of links to Janus's demo files, with settings.js pointing at ws_url."""
    d = os.path.join(tmp, "demos")
    os.makedirs(d)
    for name in os.listdir(DEMO_DIR):
        if name != "settings.js":
            os.symlink(os.path.join(DEMO_DIR, name), os.path.join(d, name))
    with open(os.path.join(d, "settings.js"), "w") as f:
        f.write("// tests/lab/browser.py: the lab's Janus, no STUN/TURN (one link, host "
                "candidates)\nvar server = %s;\nvar iceServers = [];\nvar token = null;\n"
                "var apisecret = null;\n" % json.dumps(ws_url))
    return d


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _http_transport(port):
    def call(method, path, body, timeout):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            data = json.dumps(body).encode() if body is not None else None
            conn.request(method, path, body=data,
                         headers={"Content-Type": "application/json; charset=utf-8"})
            r = conn.getresponse()
            return r.status, r.read()
        finally:
            conn.close()
    return call


def _emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def agent(cfg):
    """Serves the demos (or cfg["serve"]), starts chromedriver, says {"ready", "driver_pid",
    "base"}, then relays WebDriver calls from stdin until EOF; quits every session chromedriver
    still has and stops it at the end."""
    tmp = cfg["tmp"]
    root = cfg.get("serve") or demo_dir(tmp, cfg["url"])
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=root))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    port = _free_port()
    driver = subprocess.Popen([cfg.get("chromedriver", CHROMEDRIVER), "--port=%d" % port,
                               "--log-path=%s" % os.path.join(tmp, "chromedriver.log")],
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    call = _http_transport(port)
    sessions = []
    try:
        wait_for("chromedriver", lambda: _driver_ready(call), 20)
        _emit({"ready": True, "driver_pid": driver.pid,
               "base": "http://127.0.0.1:%d/" % httpd.server_address[1]})
        for line in sys.stdin:
            req = json.loads(line)
            try:
                status, raw = call(req["method"], req["path"], req.get("body"),
                                   req.get("timeout", 60))
                if req["method"] == "POST" and req["path"] == "/session" and status == 200:
                    sessions.append(json.loads(raw)["value"]["sessionId"])
                _emit({"status": status, "raw": raw.decode("utf-8", "replace")})
            except (OSError, http.client.HTTPException) as e:
                _emit({"error": "%s %s: %s" % (req["method"], req["path"], e)})
    except (WebDriverError, OSError, ValueError, KeyError) as e:
        _emit({"error": str(e)})
    finally:
        for sid in sessions:
            try:
                call("DELETE", "/session/%s" % sid, None, 20)
            except (OSError, http.client.HTTPException):
                pass
        driver.terminate()
        try:
            driver.wait(10)
        except subprocess.TimeoutExpired:
            driver.kill()
        httpd.shutdown()
    return 0


def _driver_ready(call):
    try:
        status, raw = call("GET", "/status", None, 2)
        return status == 200 and json.loads(raw)["value"].get("ready")
    except (OSError, ValueError, KeyError, http.client.HTTPException):
        return False


# ---- the caller's side ----------------------------------------------------------------------

class Browser:
    """The agent as seen from a test: Browser(lab, tmp, log_path).start(), then driver() for
    each Chromium wanted, base + page for the demo URLs (or for the files of serve, a
    directory served instead of the demos), stop() at the end."""

    def __init__(self, the_lab, tmp, log_path, serve=None):
        self.log = open(log_path, "wb")
        cfg = {"url": the_lab.url, "tmp": tmp, "serve": os.path.abspath(serve) if serve else None}
        self.tmp = tmp
        self.p = the_lab.client([sys.executable, os.path.abspath(__file__), "agent",
                                 json.dumps(cfg)], stderr=self.log)
        self.lines = []
        self.cond = threading.Condition()
        self.lock = threading.Lock()
        self.drivers = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for raw in self.p.stdout:
            try:
                msg = json.loads(raw)
            except ValueError:
                continue
            with self.cond:
                self.lines.append(msg)
                self.cond.notify_all()
        with self.cond:
            self.lines.append({"error": "browser agent exited (%s)" % self.p.poll()})
            self.cond.notify_all()

    def _next(self, timeout):
        deadline = time.monotonic() + timeout
        with self.cond:
            while not self.lines:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise WebDriverError("browser agent: no answer in %.0f s" % timeout)
                self.cond.wait(left)
            return self.lines.pop(0)

    def start(self, timeout=30):
        msg = self._next(timeout)
        if not msg.get("ready"):
            raise WebDriverError("browser agent did not start: %s" % json.dumps(msg))
        self.driver_pid = msg["driver_pid"]
        self.base = msg["base"]
        return self

    def _transport(self, method, path, body, timeout):
        with self.lock:
            req = {"method": method, "path": path, "body": body, "timeout": timeout}
            self.p.stdin.write((json.dumps(req) + "\n").encode())
            self.p.stdin.flush()
            msg = self._next(timeout + 10)
        if "error" in msg:
            raise WebDriverError(msg["error"])
        return msg["status"], msg["raw"].encode()

    def driver(self, name, wav=None):
        """A new Chromium (WebDriver session) whose microphone plays wav (see chromium_args);
        name names its profile directory. Returns (WebDriver, browserVersion)."""
        wd = WebDriver(self._transport)
        caps = wd.new_session(chromium_args(os.path.join(self.tmp, "profile-" + name), wav))
        self.drivers.append(wd)
        return wd, caps.get("capabilities", {}).get("browserVersion")

    def stop(self):
        for wd in self.drivers:
            try:
                wd.quit()
            except (WebDriverError, OSError):
                pass
        try:
            self.p.stdin.close()
            self.p.wait(20)
        except (OSError, subprocess.TimeoutExpired):
            self.p.kill()
            self.p.wait()
        self.log.close()


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "agent":
        try:
            return agent(json.loads(sys.argv[2]))
        except (KeyboardInterrupt, BrokenPipeError):
            return 0
    print("usage: browser.py agent CONFIG (started by Browser, in a lab's client namespace)",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
