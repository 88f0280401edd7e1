#!/usr/bin/env python3
"""The ttymeet test lab: a real Janus in its own network namespace, clients in another.

Data flow: Lab() creates two namespaces joined by a veth pair (client 198.18.0.1/30, server
198.18.0.2/30, RFC 2544 benchmark range; every lab uses the same /30 because each pair is
isolated), renders the Janus config templates in tests/lab/janus/ into a temp dir, runs
`janus -F <dir> -o` in the foreground inside the server namespace (log in the temp dir) and
waits until its WebSocket port accepts TCP from the client namespace. Tests start clients in
the client namespace with Lab.client(); Lab.janus_api() sends raw Janus API requests from a
fresh WebSocket (tests/lab/janusctl.py) in the client namespace. Nothing in the root namespace
is configured and the host's addresses are never used; the packaged janus.service is never
touched. Teardown (context exit, atexit, SIGTERM/SIGINT) kills tracked clients, stops Janus by
PID, kills whatever else runs in the namespaces, deletes them and removes the temp dir.

Impairable labs (Lab(impairable=True)) put a third "router" namespace between the two: the
client's ttm0 is linked to the router's ttmc, the router's ttms to the server's ttm0 (same
addresses, one L2 segment), and tests/lab/forwarder.py in the router namespace moves raw frames
between ttmc and ttms (AF_PACKET), holding each for delay +- jitter and dropping some if asked:
impair(delay_ms=, jitter_ms=, ...) steers it at run time. Default labs have no router and no
forwarder, exactly as before.

Namespace names are ttm<creator pid>s<rand> / ttm<creator pid>c<rand> (and ttm<pid>r<rand> for
a router), so cleanup_stale()
(run at every lab start and by `lab.py cleanup`) can remove labs whose creator died (e.g. a
test killed by a ctest timeout). Needs root. A Lab belongs to the thread that created it.

CLI:
  lab.py run [--session-timeout S] [--janus-log FILE] [--delay-ms D] [--jitter-ms J]
             [--loss-pct L] -- CMD ARGS...
      lab up, CMD in the client namespace with TTM_LAB_URL, TTM_LAB_ROOM, TTM_LAB_PIN_ROOM,
      TTM_LAB_PIN set and the terminal attached, teardown, exit with CMD's exit code (128+N
      if killed by signal N, 125 if the lab failed). Arguments that are exactly {url},
      {room}, {pin_room} or {pin} are replaced by those values. Ctrl-C reaches CMD directly;
      lab.py waits for it (a second Ctrl-C sends it SIGTERM, a third SIGKILL).
      --delay-ms/--jitter-ms make an impairable lab (router and forwarder) with that one-way
      delay and uniform jitter each way; --loss-pct drops that share of frames each way.
  lab.py cleanup      delete stale ttm namespaces and temp dirs (creator dead).
"""

import argparse
import atexit
import json
import os
import re
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

LAB_DIR = os.path.dirname(os.path.abspath(__file__))
TEMPLATE_DIR = os.path.join(LAB_DIR, "janus")
JANUSCTL = os.path.join(LAB_DIR, "janusctl.py")
FOCUS = os.path.join(LAB_DIR, "focus.py")
COLIBRI_WS = os.path.join(LAB_DIR, "colibri_ws.py")
PROSODY_MODULES = os.path.join(LAB_DIR, "prosody")  # our own stand-in modules (mod_ttm_lobby)

CLIENT_ADDR = "198.18.0.1"
SERVER_ADDR = "198.18.0.2"
PREFIX_LEN = 30
# Not "veth*": libnice skips interfaces with that prefix (and docker*, virbr*, vmnet*) when it
# gathers candidates by itself, as it does for a client run without an interface option.
VETH = "ttm0"
# The router's ends of its two links in an impairable lab (client side, server side).
ROUTER_CLIENT_IF = "ttmc"
ROUTER_SERVER_IF = "ttms"
FORWARDER = os.path.join(LAB_DIR, "forwarder.py")
# An address outside the /30 used as the next hop of "silent" routes, with a made-up MAC:
# frames go out on the veth, the server side drops them (not its MAC), nothing ever answers.
SILENT_GW = "198.18.1.254"
SILENT_GW_MAC = "02:00:00:00:de:ad"

NS_RE = re.compile(r"^ttm(\d+)([scr])([0-9a-f]{4})$")
TMP_PREFIX = "ttm-lab-"
TMP_RE = re.compile(r"^ttm-lab-(\d+)-")

DEFAULT_ROOMS = {1234: {}, 4321: {"pin": "s3cret"}}
PLUGINS = ("audiobridge", "videoroom", "textroom")


class LabError(Exception):
    """The lab could not be set up or a lab operation failed."""


def _sh(args, check=True, timeout=30, input=None):
    """Runs a short command; returns CompletedProcess (text); raises LabError if check fails."""
    try:
        r = subprocess.run(args, input=input, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise LabError("%s: timed out after %s s" % (" ".join(args), timeout)) from e
    if check and r.returncode != 0:
        raise LabError("%s: exit %d: %s" % (" ".join(args), r.returncode, r.stderr.strip()))
    return r


def _no_core_dumps():
    """Janus 1.1.2 can crash while shutting down with data channels open (SIGFPE in
    janus_sctp_association_destroy): no core files in the caller's directory."""
    import resource
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stop_process(p, grace):
    """Stops a child we started, by PID: TERM, KILL after grace seconds. Returns its exit
    status (None for no process)."""
    if p is None:
        return None
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(grace)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    return p.returncode


def list_namespaces():
    """Names of all network namespaces known to `ip netns`."""
    out = _sh(["ip", "netns", "list"], check=False).stdout
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def _ns_pids(ns):
    out = _sh(["ip", "netns", "pids", ns], check=False).stdout
    return [int(x) for x in out.split() if x.isdigit()]


def _kill_pids(pids, grace):
    """TERM, then KILL whatever is still alive after grace seconds."""
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            pass
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(_pid_alive(p) for p in pids):
        time.sleep(0.05)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _delete_namespace(ns):
    pids = _ns_pids(ns)
    if pids:
        _kill_pids(pids, 2.0)
    _sh(["ip", "netns", "del", ns], check=False)


def cleanup_stale(verbose=False):
    """Deletes ttm namespaces and lab temp dirs whose creating process is dead; returns names."""
    gone = []
    for ns in list_namespaces():
        m = NS_RE.match(ns)
        if m and not _pid_alive(int(m.group(1))):
            _delete_namespace(ns)
            gone.append(ns)
    tmp = tempfile.gettempdir()
    for name in os.listdir(tmp):
        m = TMP_RE.match(name)
        if m and not _pid_alive(int(m.group(1))):
            shutil.rmtree(os.path.join(tmp, name), ignore_errors=True)
            gone.append(os.path.join(tmp, name))
    if verbose:
        for g in gone:
            print("removed stale %s" % g, file=sys.stderr)
    return gone


def _fmt_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    raise LabError("unsupported room option value %r" % (v,))


def _set_option(block, key, value):
    """Sets key = value inside one rendered room block (None removes the option)."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
        raise LabError("bad room option name %r" % key)
    line_re = re.compile(r"^[ \t]*#?[ \t]*%s[ \t]*=.*\n" % re.escape(key), re.M)
    new = "" if value is None else "\t%s = %s\n" % (key, _fmt_value(value))
    if line_re.search(block):
        return line_re.sub(lambda _m: new, block, count=1)
    end = block.rstrip().rfind("}")
    return block[:end] + new + block[end:]


def render_rooms(template, rooms):
    """Expands the #@ROOM-BEGIN..#@ROOM-END block of a plugin template once per room."""
    m = re.search(r"^#@ROOM-BEGIN\n(.*?)^#@ROOM-END\n", template, re.S | re.M)
    if not m:
        return template
    out = []
    for room, opts in rooms.items():
        block = m.group(1).replace("@ROOM@", str(int(room)))
        for k, v in opts.items():
            block = _set_option(block, k, v)
        out.append(block)
    return template[:m.start()] + "".join(out) + template[m.end():]


# Labs not yet torn down, for atexit and the signal handlers.
_active = []
_active_lock = threading.Lock()
_handlers = {"installed": False, "pending": None, "tearing": 0}


def _teardown_all():
    with _active_lock:
        labs = list(_active)
    for lab in labs:
        lab.teardown()


def _on_signal(signum, frame):
    if _handlers["tearing"]:
        _handlers["pending"] = signum
        return
    _teardown_all()
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise SystemExit(128 + signum)


def _install_handlers():
    if _handlers["installed"]:
        return
    _handlers["installed"] = True
    atexit.register(_teardown_all)
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGTERM, signal.SIGINT):
        if signal.getsignal(sig) in (signal.SIG_DFL, signal.default_int_handler):
            signal.signal(sig, _on_signal)


class Lab:
    """A Janus in a server namespace and a client namespace; use as a context manager.

    session_timeout: Janus session timeout (s). rtp_port_range: "lo-hi" for ICE/RTP.
    ws_port: WebSocket port (default: random 20000-29999; the namespace is private anyway).
    rooms: {room: {option: value}} for all three plugins (default 1234 open, 4321 pin "s3cret").
    room_options: {room: {...}} merged into `rooms` for all plugins (new rooms are added).
    plugin_room_options: {"audiobridge"|"videoroom"|"textroom": {room: {...}}} for one plugin.
    An option value of None removes that option from the template block.
    save_log_to: copy Janus' log to this path at teardown.
    full_trickle: Janus trickles all its candidates (`trickle` events) instead of putting them
    into its SDPs.
    janus: False: no Janus (a lab for another server, e.g. start_prosody()).
    impairable: route the link through a router namespace with a delay/jitter forwarder (see
    the module doc and impair()); without it the two namespaces share one veth pair.
    wss_cert: (cert_pem, key_pem) paths: Janus serves wss:// (TLS with that certificate)
    instead of ws:// on ws_port, and url says wss://. janus_api() speaks plain ws only.
    """

    def __init__(self, session_timeout=60, rtp_port_range="40000-40999", ws_port=None,
                 debug_level=4, rooms=None, room_options=None, plugin_room_options=None,
                 janus_args=(), ready_timeout=20.0, save_log_to=None, impairable=False,
                 wss_cert=None, full_trickle=False, janus=True):
        self.session_timeout = int(session_timeout)
        self.rtp_port_range = rtp_port_range
        self.ws_port = int(ws_port) if ws_port else 20000 + secrets.randbelow(10000)
        self.debug_level = int(debug_level)
        base = {int(r): dict(o) for r, o in (rooms if rooms is not None else DEFAULT_ROOMS).items()}
        for r, o in (room_options or {}).items():
            base.setdefault(int(r), {}).update(o)
        self.plugin_rooms = {}
        for p in PLUGINS:
            pr = {r: dict(o) for r, o in base.items()}
            for r, o in (plugin_room_options or {}).get(p, {}).items():
                pr.setdefault(int(r), {}).update(o)
            self.plugin_rooms[p] = pr
        unknown = set(plugin_room_options or {}) - set(PLUGINS)
        if unknown:
            raise LabError("unknown plugins in plugin_room_options: %s" % sorted(unknown))
        self.janus_args = list(janus_args)
        self.full_trickle = bool(full_trickle)
        self.with_janus = bool(janus)
        self._prosody = None
        self._focus = None  # tests/lab/focus.py, a stand-in jicofo (start_focus)
        self.ready_timeout = float(ready_timeout)
        self.save_log_to = save_log_to
        self.room = 1234
        self.pin_room = 4321
        self.pin = "s3cret"
        self.server_addr = SERVER_ADDR
        self.client_addr = CLIENT_ADDR
        self.server_ns = None
        self.client_ns = None
        self.impairable = bool(impairable)
        self.wss_cert = tuple(wss_cert) if wss_cert else None
        self.router_ns = None
        self._forwarder = None
        self.dir = None
        self.log_path = None
        self._janus = None
        self._clients = []
        self._torn = False
        self._tearing = False
        self._started = False

    @property
    def url(self):
        return "%s://%s:%d/" % ("wss" if self.wss_cert else "ws", self.server_addr, self.ws_port)

    @property
    def janus_pid(self):
        return self._janus.pid if self._janus else None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None and self.log_path and os.path.exists(self.log_path):
            sys.stderr.write("--- lab: Janus log tail (%s) ---\n%s\n---\n"
                             % (self.log_path, self.log_tail(30)))
        self.teardown()
        return False

    # ---- setup -------------------------------------------------------------------------------

    def start(self):
        """Creates the namespaces, writes the config, starts Janus and waits until ready."""
        if self._started:
            raise LabError("lab already started")
        self._started = True
        if os.geteuid() != 0:
            raise LabError("the lab needs root (network namespaces)")
        if self.with_janus and not shutil.which("janus"):
            raise LabError("janus is not installed (apt-get install janus)")
        _install_handlers()
        cleanup_stale()
        with _active_lock:
            _active.append(self)
        try:
            self._make_namespaces()
            if self.impairable:
                self._start_forwarder()
            self.dir = tempfile.mkdtemp(prefix="%s%d-" % (TMP_PREFIX, os.getpid()))
            self.log_path = os.path.join(self.dir, "janus.log")
            if self.with_janus:
                self._write_config()
                self.start_janus()
        except BaseException:
            if self.log_path and os.path.exists(self.log_path):
                sys.stderr.write("--- lab: Janus log tail ---\n%s\n---\n" % self.log_tail(30))
            self.teardown()
            raise

    def _make_namespaces(self):
        existing = set(list_namespaces())
        for _ in range(100):
            r = secrets.token_hex(2)
            s, c = "ttm%ds%s" % (os.getpid(), r), "ttm%dc%s" % (os.getpid(), r)
            if s not in existing and c not in existing:
                break
        else:
            raise LabError("no free namespace name")
        _sh(["ip", "netns", "add", s])
        self.server_ns = s
        _sh(["ip", "netns", "add", c])
        self.client_ns = c
        # Both ends are created directly inside their namespaces: nothing appears in the root one.
        if self.impairable:
            r = "ttm%dr%s" % (os.getpid(), s[-4:])
            if r in existing:
                raise LabError("router namespace %s exists" % r)
            _sh(["ip", "netns", "add", r])
            self.router_ns = r
            # The router is a bridge, not a host: no IPv6 chatter of its own on the links.
            for key in ("all", "default"):
                _sh(["ip", "netns", "exec", r, "sysctl", "-qw",
                     "net.ipv6.conf.%s.disable_ipv6=1" % key])
            _sh(["ip", "link", "add", VETH, "netns", c, "type", "veth", "peer", "name",
                 ROUTER_CLIENT_IF, "netns", r])
            _sh(["ip", "link", "add", ROUTER_SERVER_IF, "netns", r, "type", "veth", "peer",
                 "name", VETH, "netns", s])
            for dev in (ROUTER_CLIENT_IF, ROUTER_SERVER_IF):
                _sh(["ip", "-n", r, "link", "set", dev, "promisc", "on", "up"])
        else:
            _sh(["ip", "link", "add", VETH, "netns", c, "type", "veth", "peer", "name", VETH,
                 "netns", s])
        for ns, addr in ((c, CLIENT_ADDR), (s, SERVER_ADDR)):
            _sh(["ip", "-n", ns, "addr", "add", "%s/%d" % (addr, PREFIX_LEN), "dev", VETH])
            _sh(["ip", "-n", ns, "link", "set", "lo", "up"])
            _sh(["ip", "-n", ns, "link", "set", VETH, "up"])
        # Janus gathers ICE candidates only on interfaces flagged RUNNING, which the kernel
        # sets asynchronously (linkwatch, up to ~1 s after the carrier appears).
        links = [(c, VETH), (s, VETH)]
        if self.router_ns:
            links += [(self.router_ns, ROUTER_CLIENT_IF), (self.router_ns, ROUTER_SERVER_IF)]
        deadline = time.monotonic() + 10
        while True:
            states = [_sh(["ip", "-n", ns, "-o", "link", "show", dev]).stdout
                      for ns, dev in links]
            if all(" state UP " in st for st in states):
                break
            if time.monotonic() > deadline:
                raise LabError("veth link did not come up: %s" % states)
            time.sleep(0.05)

    def _start_forwarder(self):
        """Starts tests/lab/forwarder.py in the router namespace and waits for its ready line."""
        self._forwarder = subprocess.Popen(
            ["ip", "netns", "exec", self.router_ns, sys.executable, FORWARDER,
             ROUTER_CLIENT_IF, ROUTER_SERVER_IF],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True)
        reply = self._forwarder_reply(10.0)
        if reply.get("ready") is not True:
            raise LabError("forwarder did not start: %s" % reply)

    def _forwarder_reply(self, timeout):
        """One JSON line from the forwarder, or a LabError after timeout."""
        p = self._forwarder
        ready, _, _ = select.select([p.stdout], [], [], timeout)
        line = p.stdout.readline() if ready else b""
        if not line:
            err = b""
            if p.poll() is not None:
                err = p.stderr.read()
            raise LabError("forwarder: no answer (exit %s): %s"
                           % (p.poll(), err.decode("utf-8", "replace").strip()[-500:]))
        try:
            return json.loads(line)
        except ValueError:
            raise LabError("forwarder: bad answer %r" % line) from None

    def _forwarder_cmd(self, req):
        if not self._forwarder or self._forwarder.poll() is not None:
            raise LabError("no forwarder running (delay and jitter need Lab(impairable=True))")
        try:
            self._forwarder.stdin.write((json.dumps(req) + "\n").encode())
            self._forwarder.stdin.flush()
        except OSError as e:
            raise LabError("forwarder: %s" % e) from None
        reply = self._forwarder_reply(5.0)
        if not reply.get("ok"):
            raise LabError("forwarder refused %s: %s" % (req, reply.get("error")))
        return reply

    def forwarder_stats(self):
        """The forwarder's counters: {"ab": {...}, "ba": {...}} (ab: client to server); each
        has received, sent, dropped, errors, reordered, delay_min_ms, delay_max_ms,
        delay_sum_ms (see forwarder.py)."""
        return self._forwarder_cmd({"cmd": "stats"})

    def _stop_forwarder(self):
        p = self._forwarder
        if p is None:
            return
        _stop_process(p, 2.0)
        for f in (p.stdin, p.stdout, p.stderr):
            try:
                f.close()
            except OSError:
                pass

    def _write_config(self):
        subst = {
            "@DEBUG_LEVEL@": str(self.debug_level),
            "@SESSION_TIMEOUT@": str(self.session_timeout),
            "@RTP_PORT_RANGE@": self.rtp_port_range,
            "@WS_PORT@": str(self.ws_port),
            "@WS_IP@": self.server_addr,
            "@SERVER_ADDR@": self.server_addr,
            "@WS@": "false" if self.wss_cert else "true",
            "@WSS@": "true" if self.wss_cert else "false",
            "@CERTIFICATES@": ('\tcert_pem = "%s"\n\tcert_key = "%s"' % self.wss_cert
                               if self.wss_cert else ""),
            "@FULL_TRICKLE@": "true" if self.full_trickle else "false",
        }
        for name in sorted(os.listdir(TEMPLATE_DIR)):
            if not name.endswith(".jcfg"):
                continue
            with open(os.path.join(TEMPLATE_DIR, name), encoding="utf-8") as f:
                text = f.read()
            for p in PLUGINS:
                if name == "janus.plugin.%s.jcfg" % p:
                    text = render_rooms(text, self.plugin_rooms[p])
            for k, v in subst.items():
                text = text.replace(k, v)
            left = re.findall(r"@[A-Z_]+@", text)
            if left:
                raise LabError("%s: unreplaced placeholders %s" % (name, sorted(set(left))))
            with open(os.path.join(self.dir, name), "w", encoding="utf-8") as f:
                f.write(text)

    def start_janus(self):
        """Starts Janus (same config) in the server namespace and waits until it accepts TCP."""
        if self._janus and self._janus.poll() is None:
            raise LabError("janus is already running")
        with open(self.log_path, "ab") as log:
            log.write(b"=== lab: starting janus ===\n")
            log.flush()
            self._janus = subprocess.Popen(
                ["ip", "netns", "exec", self.server_ns, "janus", "-F", self.dir, "-o"]
                + self.janus_args,
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True, cwd=self.dir, preexec_fn=_no_core_dumps)
        self._wait_ready()

    def _wait_ready(self, proc=None, port=None, what="janus", tail=None):
        """Waits until proc (default: Janus) accepts TCP on port (default: ws_port)."""
        proc = proc or self._janus
        port = port or self.ws_port
        tail = tail or self.log_tail
        code = ("import socket,sys,time\n"
                "d=time.monotonic()+float(sys.argv[3])\n"
                "while time.monotonic()<d:\n"
                "  try:\n"
                "    socket.create_connection((sys.argv[1],int(sys.argv[2])),timeout=0.5).close()\n"
                "    sys.exit(0)\n"
                "  except OSError:\n"
                "    time.sleep(0.1)\n"
                "sys.exit(1)\n")
        checker = subprocess.Popen(
            ["ip", "netns", "exec", self.client_ns, sys.executable, "-c", code,
             self.server_addr, str(port), str(self.ready_timeout)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + self.ready_timeout + 5
        try:
            while True:
                rc = checker.poll()
                if rc == 0:
                    return
                if rc is not None:
                    raise LabError("%s did not accept connections on port %d within %.0f s; "
                                   "log tail:\n%s" % (what, port, self.ready_timeout,
                                                      tail(30)))
                if proc.poll() is not None:
                    raise LabError("%s exited with %s during start-up; log tail:\n%s"
                                   % (what, proc.returncode, tail(30)))
                if time.monotonic() > deadline:
                    raise LabError("readiness check hung")
                time.sleep(0.05)
        finally:
            if checker.poll() is None:
                checker.kill()
            checker.wait()
            checker.stderr.close()

    def stop_janus(self, grace=5.0):
        """Stops Janus by PID: TERM, KILL after grace seconds. Returns its exit status."""
        return _stop_process(self._janus, grace)

    # ---- prosody (an XMPP server for the Jitsi Meet backend) -----------------------------------

    def start_prosody(self, port=None, domain="localhost", muc="conference.localhost",
                      muc_options=(), extra_components="", focus=False, plugin_paths=(),
                      muc_modules=(), auth="anonymous", host_lines=(), modules=(),
                      lobby=False, lobby_wait_rooms=()):
        """Starts Debian's prosody in the server namespace with a config written here: an
        anonymous VirtualHost `domain`, a MUC component `muc` that shows real JIDs and does not
        lock new rooms (plus muc_options lines), mod_websocket on http://SERVER_ADDR:port/
        xmpp-websocket, plain (no TLS). Waits until it accepts TCP; returns the WebSocket URL.
        focus: also an external component focus.DOMAIN (XEP-0114, a port and secret kept for
        start_focus) that is an admin of the MUC, as jicofo's user is in Jitsi's deployments.
        plugin_paths: extra module folders; muc_modules: modules loaded on the MUC component.
        auth: the VirtualHost's authentication ("internal_plain": accounts in the data folder,
        see add_prosody_user); host_lines: more lines for it; modules: more global modules.
        lobby: Jitsi's lobby, as tests/lab/prosody/mod_ttm_lobby.lua stands in for it: a lobby
        MUC lobby.DOMAIN, and members-only rooms refuse with the lobby's error (those named in
        lobby_wait_rooms also with mod_muc_wait_for_host's waiting-for-host).
        Stopped by PID (stop_prosody, teardown)."""
        if not shutil.which("prosody"):
            raise LabError("prosody is not installed (apt-get install prosody)")
        if self._prosody and self._prosody.poll() is None:
            raise LabError("prosody is already running")
        port = int(port) if port else 20000 + secrets.randbelow(10000)
        d = os.path.join(self.dir, "prosody")
        os.makedirs(d, exist_ok=True)
        cfg = os.path.join(d, "prosody.cfg.lua")
        comp = ""
        if focus:
            self.focus_domain = "focus." + domain
            self.focus_port = 20000 + (port + 7) % 10000
            self.focus_secret = secrets.token_hex(12)
            comp += ('component_ports = { %d }\ncomponent_interfaces = { "%s" }\n'
                     % (self.focus_port, self.server_addr))
            muc_options = list(muc_options) + ['admins = { "%s" }' % self.focus_domain]
            extra_components = ('Component "%s"\n  component_secret = "%s"\n'
                                % (self.focus_domain, self.focus_secret)) + extra_components
        if lobby:
            self.lobby_muc = "lobby." + domain
            plugin_paths = list(plugin_paths) + [PROSODY_MODULES]
            muc_modules = list(muc_modules) + ["ttm_lobby"]
            muc_options = list(muc_options) + ['ttm_lobby_muc = "%s"' % self.lobby_muc,
                                               "ttm_lobby_wait_rooms = { %s }" % ", ".join(
                                                   '"%s"' % r for r in lobby_wait_rooms)]
            extra_components += ('Component "%s" "muc"\n  muc_room_locking = false\n'
                                 '  muc_room_default_public_jids = true\n' % self.lobby_muc)
        if plugin_paths:
            comp += 'plugin_paths = { %s }\n' % ", ".join('"%s"' % p for p in plugin_paths)
        if muc_modules:
            muc_options = list(muc_options) + ["modules_enabled = { %s }" % ", ".join(
                '"%s"' % m for m in muc_modules)]
        with open(cfg, "w") as f:
            f.write(comp)
            f.write('daemonize = false\npidfile = "%s/prosody.pid"\ndata_path = "%s"\n'
                    'log = { { levels = { min = "info" }, to = "console" } }\n'
                    'modules_enabled = { "saslauth", "websocket", "ping", "disco"%s }\n'
                    'modules_disabled = { "s2s", "tls", "posix" }\n'
                    'c2s_ports = {}\ns2s_ports = {}\nhttps_ports = {}\n'
                    'c2s_direct_tls_ports = {}\n'
                    'http_ports = { %d }\nhttp_interfaces = { "%s" }\n'
                    'consider_websocket_secure = true\nc2s_require_encryption = false\n'
                    'VirtualHost "%s"\n  authentication = "%s"\n%s'
                    'Component "%s" "muc"\n  muc_room_locking = false\n'
                    '  muc_room_default_public_jids = true\n%s%s'
                    % (d, d, "".join(', "%s"' % m for m in modules), port, self.server_addr,
                       domain, auth, "".join("  %s\n" % o for o in host_lines), muc,
                       "".join("  %s\n" % o for o in muc_options), extra_components))
        self.prosody_log = os.path.join(d, "prosody.log")
        with open(self.prosody_log, "ab") as log:
            self._prosody = subprocess.Popen(
                ["ip", "netns", "exec", self.server_ns, "prosody", "--config", cfg, "-F"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True, cwd=d, preexec_fn=_no_core_dumps)
        self._wait_ready(self._prosody, port, "prosody", self.prosody_log_tail)
        return "ws://%s:%d/xmpp-websocket" % (self.server_addr, port)

    def start_focus(self, *options, timeout=10.0):
        """Starts tests/lab/focus.py (a stand-in jicofo: see its docstring for the options,
        e.g. "--not-ready", "2"; "--bridge", self.url gives each participant media on this
        lab's Janus AudioBridge) in the server namespace against the prosody started with
        focus=True; waits until prosody accepted it. Returns a LabFocus (requests(), command(),
        stop()); stopped by PID at teardown."""
        if not getattr(self, "focus_port", None) or not self._prosody:
            raise LabError("start_prosody(focus=True) first")
        if self._focus and self._focus.proc.poll() is None:
            raise LabError("the focus is already running")
        log = os.path.join(self.dir, "prosody", "focus-%d.jsonl" % (len(self._clients) + 1))
        env = dict(os.environ, FOCUS_SECRET=self.focus_secret)
        proc = subprocess.Popen(
            ["ip", "netns", "exec", self.server_ns, sys.executable, FOCUS, "--host",
             self.server_addr, "--port", str(self.focus_port), "--domain", self.focus_domain,
             "--log", log] + [str(o) for o in options],
            env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            start_new_session=True, text=True)
        self._focus = LabFocus(proc, log)
        r, _, _ = select.select([proc.stdout], [], [], timeout)
        line = proc.stdout.readline() if r else ""
        if line.strip() != "ready":
            self._focus.stop()
            raise LabError("the stand-in focus did not connect: %s %s\n%s"
                           % (line, self._focus.stderr(), self.prosody_log_tail(20)))
        return self._focus

    def start_bridge_channel(self, timeout=10.0):
        """Starts tests/lab/colibri_ws.py (a stand-in videobridge channel) in the server
        namespace on the server address; returns its ws:// base URL (for focus.py's
        --colibri-ws). Its event lines are kept in self.bridge_channel_events (a list, filled
        by a thread). Stopped by PID at teardown."""
        p = subprocess.Popen(
            ["ip", "netns", "exec", self.server_ns, sys.executable, COLIBRI_WS, "--host",
             self.server_addr, "--port", "0"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, start_new_session=True, text=True)
        self._clients.append(p)
        r, _, _ = select.select([p.stdout], [], [], timeout)
        line = p.stdout.readline() if r else ""
        if not line.startswith("PORT "):
            raise LabError("colibri_ws.py did not start: %r" % line)
        self.bridge_channel_events = []

        def read():
            for ln in p.stdout:
                try:
                    self.bridge_channel_events.append(json.loads(ln))
                except ValueError:
                    pass
        threading.Thread(target=read, daemon=True).start()
        return "ws://%s:%d" % (self.server_addr, int(line.split()[1]))

    def add_prosody_user(self, user, password, host="localhost"):
        """Creates an account for an internal_plain VirtualHost (before start_prosody): the
        data file prosody's internal storage reads, written here as prosodyctl would."""
        enc = "".join(c if c.isalnum() else "%%%02x" % ord(c) for c in host)
        d = os.path.join(self.dir, "prosody", enc, "accounts")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "%s.dat" % user), "w") as f:
            f.write('return {\n\t["password"] = "%s";\n};\n' % password.replace('"', '\\"'))

    def meeting_link(self, ws, room=""):
        """The web address of meeting room on the prosody whose WebSocket URL start_prosody
        returned (its HTTP port serves config.js too): http://SERVER_ADDR:PORT/room."""
        port = int(ws.rsplit(":", 1)[1].split("/")[0])
        return "http://%s:%d/%s" % (self.server_addr, port, room)

    def stop_prosody(self, grace=5.0):
        """Stops prosody by PID: TERM, KILL after grace seconds. Returns its exit status."""
        return _stop_process(self._prosody, grace)

    def prosody_log_tail(self, n=40):
        """The last n lines of prosody's log."""
        try:
            with open(self.prosody_log, "rb") as f:
                return "\n".join(f.read().decode("utf-8", "replace").splitlines()[-n:])
        except (OSError, AttributeError):
            return "(no log)"

    def log_tail(self, n=40):
        """The last n lines of Janus' log."""
        try:
            with open(self.log_path, "rb") as f:
                f.seek(0, os.SEEK_END)
                f.seek(max(0, f.tell() - 256 * 1024))
                lines = f.read().decode("utf-8", "replace").splitlines()
        except (OSError, TypeError):
            return "(no log)"
        return "\n".join(lines[-n:])

    def log_text(self):
        """Janus' whole log so far."""
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def janus_sessions(self):
        """Janus sessions seen in the log: {id: {"destroyed", "abandoned", "timed_out"}}.

        abandoned: the WebSocket closed while the session was alive (the client did not send
        `destroy`); needs debug_level >= 5, where Janus logs "Session N will be over".
        timed_out: Janus' session timeout fired (no keepalive).
        """
        sessions = {}
        for line in self.log_text().splitlines():
            m = re.match(r"Creating new session: (\d+);", line)
            if m:
                sessions[int(m.group(1))] = {"destroyed": False, "abandoned": False,
                                             "timed_out": False}
                continue
            for pat, key in ((r"Destroying session (\d+);", "destroyed"),
                             (r"\s*-- Session (\d+) will be over if not reclaimed", "abandoned"),
                             (r"Timeout expired for session (\d+)", "timed_out")):
                m = re.match(pat, line)
                if m and int(m.group(1)) in sessions:
                    sessions[int(m.group(1))][key] = True
        return sessions

    # ---- clients and tools -------------------------------------------------------------------

    def client(self, args, env=None, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
               stderr=subprocess.PIPE, new_session=True):
        """Starts args in the client namespace; env is merged over os.environ; tracked."""
        if self._torn:
            raise LabError("lab is torn down")
        full_env = dict(os.environ)
        if env:
            full_env.update(env)
        p = subprocess.Popen(["ip", "netns", "exec", self.client_ns] + list(args),
                             env=full_env, stdin=stdin, stdout=stdout, stderr=stderr,
                             start_new_session=new_session)
        self._clients.append(p)
        return p

    def run_client(self, args, timeout=30, check=True, input=None):
        """Runs a short command in the client namespace; returns CompletedProcess (text)."""
        return _sh(["ip", "netns", "exec", self.client_ns] + list(args), check=check,
                   timeout=timeout, input=input)

    def run_server(self, args, timeout=30, check=True, input=None):
        """Runs a short command in the server namespace; returns CompletedProcess (text)."""
        return _sh(["ip", "netns", "exec", self.server_ns] + list(args), check=check,
                   timeout=timeout, input=input)

    def janus_api(self, requests, timeout=10.0, full=False):
        """Sends Janus API requests over a fresh WebSocket from the client namespace.

        See janusctl.py for the auto-filled fields. Returns the list of final replies, or with
        full=True the whole {"replies", "unsolicited"} object. Raises LabError on failure.
        """
        total = timeout * (len(requests) + 1) + sum(float(r.get("_sleep", 0)) for r in requests)
        r = self.run_client([sys.executable, JANUSCTL, "--timeout", str(timeout), self.url],
                            timeout=total + 10, check=False, input=json.dumps(requests))
        try:
            out = json.loads(r.stdout)
        except ValueError:
            raise LabError("janusctl failed (exit %d): %s %s"
                           % (r.returncode, r.stdout.strip(), r.stderr.strip())) from None
        if "error" in out:
            raise LabError("janusctl: %s (replies so far: %s)" % (out["error"], out["replies"]))
        return out if full else out["replies"]

    def list_participants(self, room=None, plugin="audiobridge"):
        """Participants of a room as seen by a third connection (AudioBridge by default)."""
        room = self.room if room is None else room
        replies = self.janus_api([
            {"janus": "create"},
            {"janus": "attach", "plugin": "janus.plugin.%s" % plugin},
            {"janus": "message", "body": {"request": "listparticipants", "room": room}},
            {"janus": "destroy"},
        ])
        data = replies[2].get("plugindata", {}).get("data", {})
        if replies[2].get("janus") != "success" or "error_code" in data:
            raise LabError("listparticipants failed: %s" % json.dumps(replies[2]))
        return data["participants"]

    def add_silent_route(self, addr):
        """In the client namespace, routes addr/32 to a next hop that never answers.

        The next hop has a permanent made-up MAC, so SYNs leave on the veth and are dropped by
        the server side: a connect() to addr neither succeeds nor fails, it just times out.
        """
        _sh(["ip", "-n", self.client_ns, "neigh", "replace", SILENT_GW, "lladdr", SILENT_GW_MAC,
             "dev", VETH, "nud", "permanent"])
        _sh(["ip", "-n", self.client_ns, "route", "replace", "%s/32" % addr, "via", SILENT_GW,
             "dev", VETH, "onlink"])

    # ---- impairments ----------------------------------------------------------------------

    def impair(self, loss_pct=None, rate_kbit=None, delay_ms=None, jitter_ms=None,
               keep_order=None, dist=None):
        """Impairs the client side of the link, both directions; None leaves a setting as is.

        loss_pct: random loss in percent (0 removes it, resolution 0.01), nftables `numgen
        random mod 10000 < N drop` in a netdev table on the client's veth, ingress (server to
        client) and egress (client to server, before the qdisc, so senders see no error).
        rate_kbit: bandwidth cap in kbit/s (0 removes it), `tc qdisc tbf` on the egress of the
        client's veth (uplink) and of the server's veth (downlink).

        delay_ms, jitter_ms: one-way delay and jitter added to each direction by the forwarder
        (needs Lab(impairable=True); this kernel has no netem). Each frame is held delay_ms plus
        a random offset: uniform in +-jitter_ms (dist="uniform", the default) or normal with
        sigma jitter_ms clamped to +-2 sigma (dist="normal"); never less than 0. keep_order:
        False (the default, like netem) lets frames overtake each other when their offsets
        differ by more than their spacing; True holds each frame until the previous one of its
        direction has left; "up" (client to server) or "down" (server to client) keeps the
        order in that direction only.
        """
        if keep_order not in (None, True, False, "up", "down"):
            raise LabError("keep_order must be True, False, \"up\" or \"down\"")
        keep = {"up": "ab", "down": "ba"}.get(keep_order, keep_order)
        fw = {k: v for k, v in (("delay_ms", delay_ms), ("jitter_ms", jitter_ms),
                                ("keep_order", keep), ("dist", dist)) if v is not None}
        if fw:
            if not self.impairable:
                raise LabError("delay and jitter need Lab(impairable=True)")
            self._forwarder_cmd(dict(cmd="set", **fw))
        if loss_pct is not None:
            self._set_loss(float(loss_pct))
        if rate_kbit is not None:
            self._set_rate(int(rate_kbit))

    def cut(self, down=True):
        """Cuts the link between client and server (down=True) or mends it: every packet is
        dropped as it arrives, at the ingress of both veth ends, so both sides send as usual and
        only the path is silent, like a real outage. (impair(loss_pct=100) drops at the client's
        egress too, where its TCP sees each send fail locally and gives up on the connection
        within seconds: no real outage does that.)"""
        for ns in (self.client_ns, self.server_ns):
            _sh(["ip", "netns", "exec", ns, "nft", "delete", "table", "netdev", "ttmcut"],
                check=False)
            if down:
                rules = ("table netdev ttmcut {\n chain in { type filter hook ingress device "
                         "%s priority 0; policy accept;\n  counter drop\n }\n}\n" % VETH)
                _sh(["ip", "netns", "exec", ns, "nft", "-f", "-"], input=rules)

    def _set_loss(self, pct):
        if not 0 <= pct <= 100:
            raise LabError("loss_pct must be 0..100")
        _sh(["ip", "netns", "exec", self.client_ns, "nft", "delete", "table", "netdev",
             "ttmloss"], check=False)
        if pct == 0:
            return
        n = int(round(pct * 100))  # resolution 0.01 %
        match = "" if n >= 10000 else "numgen random mod 10000 < %d " % n
        rules = ("table netdev ttmloss {\n"
                 " chain in { type filter hook ingress device %(dev)s priority 0; policy accept;\n"
                 "  %(m)scounter drop\n }\n"
                 " chain out { type filter hook egress device %(dev)s priority 0; policy accept;\n"
                 "  %(m)scounter drop\n }\n"
                 "}\n" % {"dev": VETH, "m": match})
        _sh(["ip", "netns", "exec", self.client_ns, "nft", "-f", "-"], input=rules)

    def _set_rate(self, kbit):
        for ns in (self.client_ns, self.server_ns):
            _sh(["ip", "netns", "exec", ns, "tc", "qdisc", "del", "dev", VETH, "root"],
                check=False)
            if kbit <= 0:
                continue
            burst = max(1600, kbit * 1000 // 8 // 50)  # ~20 ms worth, at least one packet
            _sh(["ip", "netns", "exec", ns, "tc", "qdisc", "add", "dev", VETH, "root", "tbf",
                 "rate", "%dkbit" % kbit, "burst", str(burst), "latency", "200ms"])

    def clear_impairments(self):
        """Removes loss and rate limits (and delay and jitter in an impairable lab)."""
        self.impair(loss_pct=0, rate_kbit=0)
        if self.impairable:
            self.impair(delay_ms=0, jitter_ms=0)

    # ---- teardown --------------------------------------------------------------------------

    def teardown(self):
        """Kills clients, stops Janus, deletes the namespaces and the temp dir. Idempotent."""
        if self._torn or self._tearing:
            return
        self._tearing = True
        _handlers["tearing"] += 1
        try:
            live = [p for p in self._clients if p.poll() is None]
            for p in live:
                p.terminate()
            deadline = time.monotonic() + 2.0
            for p in live:
                try:
                    p.wait(max(0.01, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
            try:
                self.stop_janus()
            except OSError:
                pass
            try:
                if self._focus:
                    self._focus.stop()
                self.stop_prosody()
            except OSError:
                pass
            try:
                self._stop_forwarder()
            except OSError:
                pass
            for ns in (self.client_ns, self.server_ns, self.router_ns):
                if ns:
                    _delete_namespace(ns)
            if self.save_log_to and self.log_path and os.path.exists(self.log_path):
                try:
                    shutil.copyfile(self.log_path, self.save_log_to)
                except OSError as e:
                    sys.stderr.write("lab: could not save the Janus log: %s\n" % e)
            if self.dir:
                shutil.rmtree(self.dir, ignore_errors=True)
        finally:
            self._torn = True
            self._tearing = False
            _handlers["tearing"] -= 1
            with _active_lock:
                if self in _active:
                    _active.remove(self)
        pending = _handlers["pending"]
        if pending and not _handlers["tearing"]:
            _handlers["pending"] = None
            _teardown_all()
            raise SystemExit(128 + pending)


class LabFocus:
    """A running tests/lab/focus.py: its log of received stanzas and a command pipe."""

    def __init__(self, proc, log):
        self.proc = proc
        self.log = log
        self.pid = proc.pid

    def records(self):
        """Every JSON record the focus logged so far (received stanzas, sent ones, commands)."""
        try:
            with open(self.log) as f:
                return [json.loads(line) for line in f if line.strip()]
        except OSError:
            return []

    def requests(self):
        """The conference requests received: [{"room", "attrs", "properties", "from", ...}]."""
        return [dict(r["conference"], **{k: r[k] for k in ("from", "id", "t")})
                for r in self.records() if "conference" in r]

    def sent(self):
        return [r["sent"] for r in self.records() if "sent" in r]

    def command(self, obj):
        """Sends one command (see focus.py), e.g. {"set": {"silent": True}}."""
        self.proc.stdin.write(json.dumps(obj) + "\n")
        self.proc.stdin.flush()

    def stderr(self):
        if self.proc.poll() is None:
            return ""
        return self.proc.stderr.read() if self.proc.stderr else ""

    def stop(self, grace=3.0):
        """TERM, KILL after grace seconds, by PID. Returns the exit status."""
        p = self.proc
        _stop_process(p, grace)
        for f in (p.stdin, p.stdout, p.stderr):
            try:
                f.close()
            except (OSError, AttributeError):
                pass
        return p.returncode


def _cmd_run(args):
    cmd = args.cmd[1:] if args.cmd and args.cmd[0] == "--" else args.cmd
    if not cmd:
        print("lab.py run: missing CMD (use: lab.py run -- CMD ARGS...)", file=sys.stderr)
        return 2
    delayed = bool(args.delay_ms or args.jitter_ms)
    history = ({"textroom": {1234: {"history": args.chat_history}}}
               if args.chat_history > 0 else None)
    lab = Lab(session_timeout=args.session_timeout, save_log_to=args.janus_log,
              impairable=delayed, plugin_room_options=history)
    with lab:
        if delayed:
            lab.impair(delay_ms=args.delay_ms, jitter_ms=args.jitter_ms)
        if args.loss_pct:
            lab.impair(loss_pct=args.loss_pct)
        env = {"TTM_LAB_URL": lab.url, "TTM_LAB_ROOM": str(lab.room),
               "TTM_LAB_PIN_ROOM": str(lab.pin_room), "TTM_LAB_PIN": lab.pin}
        subst = {"{url}": lab.url, "{room}": str(lab.room), "{pin_room}": str(lab.pin_room),
                 "{pin}": lab.pin}
        cmd = [subst.get(a, a) for a in cmd]
        if args.verbose:
            print("lab: %s (server %s, client %s), janus pid %d, log %s"
                  % (lab.url, lab.server_ns, lab.client_ns, lab.janus_pid, lab.log_path),
                  file=sys.stderr)
        # The command shares our terminal and process group: Ctrl-C reaches it directly, so
        # the first SIGINT here only waits for it; a second one sends TERM, a third KILL.
        p = lab.client(cmd, env=env, stdin=None, stdout=None, stderr=None, new_session=False)
        state = {"ints": 0}

        def on_int(signum, frame):
            state["ints"] += 1
            if state["ints"] == 2:
                p.send_signal(signal.SIGTERM)
            elif state["ints"] >= 3:
                p.kill()

        def on_term(signum, frame):
            p.send_signal(signal.SIGTERM)

        old_int = signal.signal(signal.SIGINT, on_int)
        old_term = signal.signal(signal.SIGTERM, on_term)
        old_hup = signal.signal(signal.SIGHUP, on_term)
        try:
            rc = p.wait()
        finally:
            signal.signal(signal.SIGINT, old_int)
            signal.signal(signal.SIGTERM, old_term)
            signal.signal(signal.SIGHUP, old_hup)
    return rc if rc >= 0 else 128 - rc


def main(argv=None):
    ap = argparse.ArgumentParser(prog="lab.py", description="ttymeet test lab")
    sub = ap.add_subparsers(dest="what", required=True)
    run = sub.add_parser("run", help="bring the lab up and run CMD in the client namespace")
    run.add_argument("--session-timeout", type=int, default=60)
    run.add_argument("--janus-log", metavar="FILE", help="copy Janus' log here at the end")
    run.add_argument("--delay-ms", type=float, default=0.0, help="one-way delay, each way")
    run.add_argument("--jitter-ms", type=float, default=0.0, help="+- uniform jitter")
    run.add_argument("--loss-pct", type=float, default=0.0, help="random loss, each way")
    run.add_argument("--chat-history", type=int, default=0, metavar="N",
                     help="TextRoom keeps the last N messages for people who join later")
    run.add_argument("-v", "--verbose", action="store_true")
    run.add_argument("cmd", nargs=argparse.REMAINDER)
    sub.add_parser("cleanup", help="delete stale ttm namespaces (creator dead)")
    args = ap.parse_args(argv)
    if args.what == "cleanup":
        cleanup_stale(verbose=True)
        return 0
    try:
        return _cmd_run(args)
    except LabError as e:
        print("lab.py: %s" % e, file=sys.stderr)
        return 125


if __name__ == "__main__":
    sys.exit(main())
