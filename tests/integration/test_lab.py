#!/usr/bin/env python3
"""Tests of the test lab itself (tests/lab): namespaces, Janus config and start-up, the Janus
API helper, impairments, teardown in every exit path, stale cleanup, the CLI, and the
bad-server fixture. Needs no ttymeet binary."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

import harness
from harness import lab

LAB_PY = os.path.join(harness.SOURCE_DIR, "tests", "lab", "lab.py")
WSCLIENT_DIR = os.path.join(harness.SOURCE_DIR, "tests", "lab")


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie child still "exists"; treat it as dead.
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def assert_gone(names, pids, tmpdir):
    present = set(lab.list_namespaces())
    for n in names:
        assert n not in present, "namespace %s still exists" % n
    for p in pids:
        assert not pid_alive(p), "process %d still alive" % p
    assert tmpdir is None or not os.path.exists(tmpdir), "temp dir %s remains" % tmpdir


def plugin_list(the_lab, plugin):
    r = the_lab.janus_api([
        {"janus": "create"},
        {"janus": "attach", "plugin": "janus.plugin.%s" % plugin},
        {"janus": "message", "body": {"request": "list"}},
        {"janus": "destroy"},
    ])
    return {room["room"]: room for room in r[2]["plugindata"]["data"]["list"]}


def test_lab_up_info_and_rooms():
    with lab.Lab() as L:
        assert re.fullmatch(r"ttm%ds[0-9a-f]{4}" % os.getpid(), L.server_ns), L.server_ns
        assert re.fullmatch(r"ttm%dc[0-9a-f]{4}" % os.getpid(), L.client_ns), L.client_ns
        assert L.url == "ws://198.18.0.2:%d/" % L.ws_port, L.url
        assert (L.room, L.pin_room, L.pin) == (1234, 4321, "s3cret")
        info = L.janus_api([{"janus": "info"}])[0]
        assert info["janus"] == "server_info", info
        assert info["version_string"] == "1.1.2", info["version_string"]
        assert info["session-timeout"] == 60, info["session-timeout"]
        assert info["local-ip"] == "198.18.0.2", info["local-ip"]
        for p in ("audiobridge", "videoroom", "textroom", "echotest"):
            assert "janus.plugin.%s" % p in info["plugins"], (p, sorted(info["plugins"]))
        assert list(info["transports"]) == ["janus.transport.websockets"], info["transports"]
        assert L.list_participants(1234) == []
        for p in ("audiobridge", "videoroom", "textroom"):
            rooms = plugin_list(L, p)
            assert set(rooms) == {1234, 4321}, (p, rooms)
            assert rooms[1234]["pin_required"] is False, (p, rooms[1234])
            assert rooms[4321]["pin_required"] is True, (p, rooms[4321])
        # Janus runs in the server namespace and listens on the namespace address only.
        assert L.janus_pid in lab._ns_pids(L.server_ns)
        ss = L.run_server(["ss", "-ltnH"]).stdout
        listening = [line.split()[3] for line in ss.splitlines()]
        assert listening == ["198.18.0.2:%d" % L.ws_port], ss
        # Nothing of the lab is visible in the root namespace.
        root = subprocess.run(["ip", "-o", "addr"], capture_output=True, text=True).stdout
        assert "198.18.0." not in root, root


def test_pin_room_join_and_async_reply():
    with lab.Lab() as L:
        r = L.janus_api([
            {"janus": "create"},
            {"janus": "attach", "plugin": "janus.plugin.audiobridge"},
            {"janus": "message", "body": {"request": "join", "room": 4321, "display": "np"}},
            {"janus": "message",
             "body": {"request": "join", "room": 4321, "display": "p", "pin": "s3cret"}},
            {"janus": "message", "body": {"request": "join", "room": 999999, "display": "x"}},
        ])
        nopin = r[2]["plugindata"]["data"]
        assert r[2]["janus"] == "event" and nopin.get("error_code") == 483, r[2]
        joined = r[3]["plugindata"]["data"]
        assert r[3]["janus"] == "event" and joined["audiobridge"] == "joined", r[3]
        assert isinstance(joined["id"], int) and joined["room"] == 4321, joined
        # Already in a room: the plugin error still arrives as an event with error_code.
        assert "error_code" in r[4]["plugindata"]["data"], r[4]


def test_room_options_merge():
    with lab.Lab(room_options={1234: {"description": "lab-custom"}},
                 plugin_room_options={"audiobridge": {5555: {"description": "ab-only",
                                                             "sampling_rate": 48000}}}) as L:
        ab = plugin_list(L, "audiobridge")
        assert set(ab) == {1234, 4321, 5555}, ab
        assert ab[1234]["description"] == "lab-custom", ab[1234]
        assert ab[5555]["description"] == "ab-only" and ab[5555]["sampling_rate"] == 48000
        tr = plugin_list(L, "textroom")
        assert set(tr) == {1234, 4321} and tr[1234]["description"] == "lab-custom", tr
        with open(os.path.join(L.dir, "janus.plugin.audiobridge.jcfg")) as f:
            cfg = f.read()
        assert cfg.count("description =") == 3 and "@ROOM@" not in cfg, cfg


def test_session_timeout_parameter():
    with lab.Lab(session_timeout=4, debug_level=5) as L:
        info = L.janus_api([{"janus": "info"}])[0]
        assert info["session-timeout"] == 4, info
        out = L.janus_api([{"janus": "create"}, {"_sleep": 8}], full=True, timeout=10)
        sid = out["replies"][0]["data"]["id"]
        assert {"janus": "timeout", "session_id": sid} in out["unsolicited"], out
        s = L.janus_sessions()
        assert s[sid]["timed_out"] and not s[sid]["abandoned"], s


def test_session_log_tracking():
    with lab.Lab(debug_level=5) as L:
        a = L.janus_api([{"janus": "create"}])[0]["data"]["id"]
        b = L.janus_api([{"janus": "create"}, {"janus": "destroy"}])[0]["data"]["id"]
        time.sleep(0.5)
        s = L.janus_sessions()
        assert s[a] == {"destroyed": True, "abandoned": True, "timed_out": False}, s
        assert s[b] == {"destroyed": True, "abandoned": False, "timed_out": False}, s


def test_teardown_after_normal_exit():
    with lab.Lab() as L:
        names = [L.server_ns, L.client_ns]
        jpid = L.janus_pid
        tmp = L.dir
        c = L.client(["sleep", "1000"])
        assert pid_alive(jpid) and pid_alive(c.pid)
        assert set(names) <= set(lab.list_namespaces())
    assert_gone(names, [jpid, c.pid], tmp)


def test_teardown_when_body_raises():
    seen = {}
    try:
        with lab.Lab() as L:
            seen.update(names=[L.server_ns, L.client_ns], jpid=L.janus_pid, tmp=L.dir)
            seen["client"] = L.client(["sleep", "1000"]).pid
            raise RuntimeError("test body failed")
    except RuntimeError as e:
        assert str(e) == "test body failed"
    else:
        raise AssertionError("exception swallowed by the lab")
    assert_gone(seen["names"], [seen["jpid"], seen["client"]], seen["tmp"])


def _spawn_lab_process():
    code = ("import sys, json, time\n"
            "sys.path.insert(0, %r)\n"
            "import lab\n"
            "L = lab.Lab().__enter__()\n"
            "c = L.client(['sleep', '1000'])\n"
            "print(json.dumps([L.server_ns, L.client_ns, L.janus_pid, c.pid, L.dir]), flush=True)\n"
            "time.sleep(120)\n" % WSCLIENT_DIR)
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
    line = harness._readline_bounded(p.stdout, 30.0)
    if not line:
        p.kill()
        raise AssertionError("lab child process did not come up")
    return p, json.loads(line)


def test_teardown_on_sigterm_and_sigint():
    for sig in (signal.SIGTERM, signal.SIGINT):
        p, (s, c, jpid, cpid, tmp) = _spawn_lab_process()
        p.send_signal(sig)
        rc = p.wait(20)
        assert rc != 0, rc
        assert_gone([s, c], [jpid, cpid], tmp)
        p.stdout.close()


def test_stale_cleanup():
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = "ttm%ds%s" % (dead.pid, "beef")
    live = "ttm%ds%s" % (os.getppid(), "f00d")
    for n in (stale, live):
        subprocess.run(["ip", "netns", "add", n], check=True)
    # A process inside the stale namespace (like an orphaned Janus) must be killed too.
    orphan = subprocess.Popen(["ip", "netns", "exec", stale, "sleep", "1000"],
                              start_new_session=True)
    try:
        deadline = time.monotonic() + 5
        while orphan.pid not in lab._ns_pids(stale) and time.monotonic() < deadline:
            time.sleep(0.05)
        r = subprocess.run([sys.executable, LAB_PY, "cleanup"], capture_output=True, text=True,
                           timeout=30)
        assert r.returncode == 0, r
        names = lab.list_namespaces()
        assert stale not in names, names
        assert live in names, "cleanup removed a namespace whose creator is alive"
        orphan.wait(5)
    finally:
        subprocess.run(["ip", "netns", "del", live])
        subprocess.run(["ip", "netns", "del", stale], capture_output=True)
        if orphan.poll() is None:
            orphan.kill()


def test_janus_restart():
    with lab.Lab() as L:
        first = L.janus_pid
        rc = L.stop_janus()
        assert rc is not None and not pid_alive(first)
        try:
            L.janus_api([{"janus": "info"}], timeout=2)
        except lab.LabError:
            pass
        else:
            raise AssertionError("Janus still answers after stop_janus()")
        L.start_janus()
        assert L.janus_pid != first and pid_alive(L.janus_pid)
        assert L.janus_api([{"janus": "info"}])[0]["version_string"] == "1.1.2"
        assert L.log_text().count("=== lab: starting janus ===") == 2


def _udp_burst(L, n):
    code = ("import socket\n"
            "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
            "for i in range(%d): s.sendto(b'x' * 64, ('198.18.0.2', 9))\n"
            "print('sent')\n" % n)
    r = L.run_client([sys.executable, "-c", code])
    assert r.stdout.strip() == "sent", r


def _nft_drops(L, chain):
    rules = json.loads(L.run_client(["nft", "-j", "list", "table", "netdev", "ttmloss"]).stdout)
    for item in rules["nftables"]:
        rule = item.get("rule")
        if rule and rule["chain"] == chain:
            for e in rule["expr"]:
                if "counter" in e:
                    return e["counter"]["packets"]
    raise AssertionError("no counter in chain %s: %s" % (chain, rules))


def test_impair_loss_and_rate():
    with lab.Lab() as L:
        L.impair(loss_pct=30)
        _udp_burst(L, 2000)
        dropped = _nft_drops(L, "out")
        assert 450 <= dropped <= 750, "30%% of 2000 packets should drop, got %d" % dropped
        L.impair(loss_pct=100)
        try:
            L.janus_api([{"janus": "info"}], timeout=2)
        except lab.LabError:
            pass
        else:
            raise AssertionError("100% loss but Janus answered")
        L.impair(loss_pct=0)
        r = L.run_client(["nft", "list", "ruleset"]).stdout
        assert "ttmloss" not in r, r
        assert L.janus_api([{"janus": "info"}])[0]["janus"] == "server_info"
        L.impair(rate_kbit=800)
        for run in (L.run_client, L.run_server):
            q = run(["tc", "qdisc", "show", "dev", lab.VETH]).stdout
            assert "tbf" in q and "800Kbit" in q, q
        # 200 KB at 800 kbit/s takes about 2 s; without the cap it would be instant.
        code = ("import socket, time\n"
                "srv = socket.create_server(('198.18.0.2', 5001))\n"
                "c, _ = srv.accept()\n"
                "n = 0\n"
                "while True:\n"
                "    b = c.recv(65536)\n"
                "    if not b: break\n"
                "    n += len(b)\n"
                "print(n)\n")
        sink = subprocess.Popen(["ip", "netns", "exec", L.server_ns, sys.executable, "-c", code],
                                stdout=subprocess.PIPE, text=True)
        try:
            send = ("import socket, time\n"
                    "for i in range(50):\n"
                    "    try:\n"
                    "        s = socket.create_connection(('198.18.0.2', 5001)); break\n"
                    "    except OSError: time.sleep(0.1)\n"
                    "t = time.monotonic()\n"
                    "s.sendall(b'x' * 200000)\n"
                    "s.shutdown(socket.SHUT_WR)\n"
                    "s.recv(1)\n"
                    "print(time.monotonic() - t)\n")
            took = float(L.run_client([sys.executable, "-c", send]).stdout)
            assert sink.wait(20) == 0 and int(sink.stdout.read()) == 200000
        finally:
            if sink.poll() is None:
                sink.kill()
        assert 1.4 < took < 6, "200 KB over 800 kbit/s took %.2f s" % took
        L.clear_impairments()
        q = L.run_client(["tc", "qdisc", "show", "dev", lab.VETH]).stdout
        assert "tbf" not in q, q


def test_silent_route_times_out():
    with lab.Lab() as L:
        L.add_silent_route("198.18.0.200")
        code = ("import socket, time\n"
                "t = time.monotonic()\n"
                "try:\n"
                "    socket.create_connection(('198.18.0.200', 8188), timeout=1.5)\n"
                "    print('connected')\n"
                "except socket.timeout:\n"
                "    print('timeout %.2f' % (time.monotonic() - t))\n"
                "except OSError as e:\n"
                "    print('error', e)\n")
        out = L.run_client([sys.executable, "-c", code]).stdout.split()
        assert out[0] == "timeout" and float(out[1]) >= 1.4, out


def test_two_labs_at_once():
    with lab.Lab() as A, lab.Lab() as B:
        assert A.server_ns != B.server_ns and A.client_ns != B.client_ns
        assert A.server_addr == B.server_addr
        for L in (A, B):
            assert L.janus_api([{"janus": "info"}])[0]["version_string"] == "1.1.2"
        assert A.janus_pid in lab._ns_pids(A.server_ns)
        assert B.janus_pid not in lab._ns_pids(A.server_ns)


def test_wsclient_fragmented_messages():
    with lab.Lab() as L:
        code = ("import sys, json\n"
                "sys.path.insert(0, %r)\n"
                "import wsclient\n"
                "ws = wsclient.WebSocket(sys.argv[1])\n"
                "assert ws.subprotocol == 'janus-protocol'\n"
                "ws.ping(b'hi')\n"
                "ws.send(json.dumps({'janus': 'info', 'transaction': 'frag'}), fragment_size=7)\n"
                "m = json.loads(ws.recv_text())\n"
                "print(m['transaction'], m['version_string'])\n"
                "ws.close()\n" % WSCLIENT_DIR)
        out = L.run_client([sys.executable, "-c", code, L.url]).stdout.split()
        assert out == ["frag", "1.1.2"], out


def test_cli_run():
    code = ("echo \"$TTM_LAB_URL $TTM_LAB_ROOM $TTM_LAB_PIN_ROOM $TTM_LAB_PIN\"; "
            "ip -o -4 addr show dev " + lab.VETH + "; ip netns identify $$; exit 7")
    r = subprocess.run([sys.executable, LAB_PY, "run", "--", "sh", "-c", code],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 7, r
    first = r.stdout.splitlines()[0].split()
    assert re.fullmatch(r"ws://198\.18\.0\.2:\d+/", first[0]), r.stdout
    assert first[1:] == ["1234", "4321", "s3cret"], r.stdout
    assert "198.18.0.1/30" in r.stdout, r.stdout
    ns = r.stdout.splitlines()[-1]
    assert re.fullmatch(r"ttm\d+c[0-9a-f]{4}", ns), r.stdout
    assert ns not in lab.list_namespaces()
    r = subprocess.run([sys.executable, LAB_PY, "run", "--", "sh", "-c", "kill -TERM $$"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 128 + signal.SIGTERM, r
    r = subprocess.run([sys.executable, LAB_PY, "run", "--", "echo", "{url}", "{room}",
                        "{pin_room}", "{pin}", "{other}"], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0 and re.fullmatch(
        r"ws://198\.18\.0\.2:\d+/ 1234 4321 s3cret \{other\}\n", r.stdout), r


def test_cli_run_ctrl_c():
    # Ctrl-C goes to the whole foreground process group: the command handles it and exits 5,
    # lab.py must wait for that, tear down and pass the code on.
    child = ("import signal, sys, time\n"
             "signal.signal(signal.SIGINT, lambda s, f: sys.exit(5))\n"
             "print('ready', flush=True)\n"
             "time.sleep(60)\n")
    p = subprocess.Popen([sys.executable, LAB_PY, "run", "--", sys.executable, "-c", child],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True)
    try:
        assert p.stdout.readline() == "ready\n"
        os.killpg(p.pid, signal.SIGINT)
        assert p.wait(20) == 5, p.stderr.read()
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
        p.stdout.close()
        p.stderr.close()


def _ws_exchange(port, requests, timeout=3.0):
    sys.path.insert(0, WSCLIENT_DIR)
    import wsclient
    out = []
    try:
        ws = wsclient.WebSocket("ws://127.0.0.1:%d/" % port, timeout=timeout)
        for req in requests:
            ws.send(json.dumps(req))
            op, data = ws.recv()
            out.append((op, data))
            if req.get("janus") == "message":
                out.append(ws.recv())
    except (OSError, wsclient.WSError) as e:
        out.append(e)
    return out


def test_badserver_fixture():
    reqs = [{"janus": "create", "transaction": "a"},
            {"janus": "attach", "plugin": "janus.plugin.audiobridge", "session_id": 1,
             "transaction": "b"},
            {"janus": "message", "session_id": 1, "handle_id": 2, "transaction": "c",
             "body": {"request": "join", "room": 1234}}]
    expect = {
        "garbage": lambda o: isinstance(o[0], tuple) and not o[0][1].startswith(b"{"),
        "oversized": lambda o: len(o[0][1]) > 4 * 1024 * 1024
        and json.loads(o[0][1])["transaction"] == "a",
        "deepjson": lambda o: o[0][1].count(b"[") == 100000,
        "close-midjoin": lambda o: len(o) == 3 and isinstance(o[2], Exception),
        "silent": lambda o: len(o) == 1 and isinstance(o[0], socket.timeout),
        "wrongtypes": lambda o: json.loads(o[0][1])["data"]["id"] == "notanumber",
        "binary": lambda o: o[0][0] == 2 and json.loads(o[0][1])["transaction"] == "a",
        "refuse-subprotocol": lambda o: len(o) == 1 and "subprotocol" in str(o[0]),
        "wrong-subprotocol": lambda o: len(o) == 1 and "chat" in str(o[0]),
        "wrongtypes-join": lambda o: json.loads(o[3][1])["plugindata"]["data"]["id"]
        == "notanumber",
    }
    one_reply = ("garbage", "oversized", "deepjson", "silent", "wrongtypes", "binary")
    for mode, ok in expect.items():
        p = subprocess.Popen([sys.executable, harness.BADSERVER, mode], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL)
        try:
            port = int(harness._readline_bounded(p.stdout, 10))
            out = _ws_exchange(port, reqs[:1] if mode in one_reply else reqs)
            assert ok(out), (mode, [x if isinstance(x, Exception) else (x[0], x[1][:80])
                                    for x in out])
        finally:
            # Teardown only: a loaded machine (both CI builds' tests at once) can take more
            # than 5 s to run a Python process's SIGTERM; that says nothing about the fixture.
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)
            p.stdout.close()


if __name__ == "__main__":
    harness.require_root()
    harness.run()
