#!/usr/bin/env node
// A chat-only participant for ttymeet's integration tests: joins a Janus TextRoom over a real
// WebRTC data channel (werift: ICE, DTLS, SCTP) and never joins the audio room, like a
// browser user of Janus's TextRoom demo.
//
// Usage: node textroom_user.js WS_URL ROOM USERNAME DISPLAY
// USERNAME "-": set up the data channel, print {"probe":"connected"}, join only when told.
// Reads commands on stdin, one per line:
//   join USERNAME DISPLAY   join the room (once, when started with USERNAME "-")
//   say TEXT     a public message to the room
//   leave        leave the room, close everything, exit 0
// Writes one JSON object per line on stdout: {"probe":"ready"} once joined (with the room's
// participant list), then every TextRoom event as received ({"probe":"event", ...}), and
// {"probe":"error","message":...} before exiting 1 on any failure. Stdin EOF means leave.
'use strict';
const readline = require('readline');
const WebSocket = require('ws');
const { RTCPeerConnection } = require('werift');

const [url, roomArg, username, display] = process.argv.slice(2);
if (!url || !roomArg || !username || !display) {
  process.stderr.write('usage: textroom_user.js WS_URL ROOM USERNAME DISPLAY\n');
  process.exit(2);
}
const room = Number(roomArg);
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const fail = (why) => {
  out({ probe: 'error', message: String(why) });
  process.exit(1);
};

// Janus API over WebSocket: requests matched to replies by transaction; for asynchronous
// requests the "ack" is skipped and the event that carries the same transaction resolves.
function janus(ws) {
  let next = 0;
  const waiting = new Map();
  ws.on('message', (data) => {
    let m;
    try { m = JSON.parse(data.toString()); } catch (e) { return; }
    const w = m.transaction && waiting.get(m.transaction);
    if (!w || (m.janus === 'ack' && w.async))
      return;
    waiting.delete(m.transaction);
    if (m.janus === 'error')
      w.reject(new Error(`janus error ${m.error && m.error.code}: ${m.error && m.error.reason}`));
    else
      w.resolve(m);
  });
  return (req, async = false) => new Promise((resolve, reject) => {
    req.transaction = 'p' + (++next);
    waiting.set(req.transaction, { resolve, reject, async });
    ws.send(JSON.stringify(req));
  });
}

async function main() {
  const ws = new WebSocket(url, 'janus-protocol');
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
  ws.on('close', () => fail('the server closed the WebSocket'));
  const req = janus(ws);
  const session_id = (await req({ janus: 'create' })).data.id;
  const handle_id = (await req({ janus: 'attach', session_id,
    plugin: 'janus.plugin.textroom' })).data.id;
  const keepalive = setInterval(() => req({ janus: 'keepalive', session_id }).catch(() => {}),
    25000);

  const setup = await req({ janus: 'message', session_id, handle_id,
    body: { request: 'setup' } }, true);
  if (!setup.jsep || setup.jsep.type !== 'offer')
    throw new Error('Janus sent no offer for the data channel');
  const pc = new RTCPeerConnection({});
  const dc = pc.createDataChannel('JanusDataChannel', { ordered: true });
  await pc.setRemoteDescription(setup.jsep);
  // werift asks a public STUN server (stun.l.google.com) when none is configured, and waits
  // for it: the lab reaches no such address and must not try (see tests/lab/sfu.js)
  for (const ice of pc.iceTransports)
    ice.connection.stunServer = undefined;
  await pc.setLocalDescription(await pc.createAnswer());
  // werift has gathered its candidates by now: the answer carries them (no trickle).
  await req({ janus: 'message', session_id, handle_id, body: { request: 'ack' },
    jsep: { type: 'answer', sdp: pc.localDescription.sdp, trickle: false } }, true);
  await new Promise((resolve) => dc.stateChanged.subscribe((s) => { if (s === 'open') resolve(); }));

  let txn = 0;
  const pending = new Map();
  const send = (o) => new Promise((resolve, reject) => {
    o.transaction = 't' + (++txn);
    pending.set(o.transaction, { resolve, reject });
    dc.send(JSON.stringify(o));
  });
  dc.onMessage.subscribe((data) => {
    let m;
    try { m = JSON.parse(data.toString()); } catch (e) { return; }
    const p = m.transaction && pending.get(m.transaction);
    if (p) {
      pending.delete(m.transaction);
      if (m.textroom === 'error')
        p.reject(new Error(`textroom error ${m.error_code}: ${m.error}`));
      else
        p.resolve(m);
      return;
    }
    out(Object.assign({ probe: 'event' }, m));
  });

  const join = async (user, disp) => {
    const joined = await send({ textroom: 'join', room, username: user, display: disp });
    out({ probe: 'ready', username: user, participants: joined.participants || [] });
  };
  if (username === '-')
    out({ probe: 'connected' }); // joins on "join USERNAME DISPLAY"
  else
    await join(username, display);

  let leaving = false;
  const leave = async () => {
    if (leaving)
      return;
    leaving = true;
    try {
      await Promise.race([send({ textroom: 'leave', room }),
        new Promise((resolve) => setTimeout(resolve, 2000))]);
      clearInterval(keepalive);
      ws.removeAllListeners('close');
      await Promise.race([req({ janus: 'destroy', session_id }),
        new Promise((resolve) => setTimeout(resolve, 2000))]);
      await pc.close();
      ws.close();
    } finally {
      out({ probe: 'left' });
      process.exit(0);
    }
  };
  const lines = readline.createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line.startsWith('say '))
      send({ textroom: 'message', room, text: line.slice(4) })
        .catch((e) => fail(e.message));
    else if (line.startsWith('join ')) {
      const [, user, ...rest] = line.split(' ');
      join(user, rest.join(' ')).catch((e) => fail(e.message));
    }
    else if (line.trim() === 'leave')
      leave();
  });
  lines.on('close', leave);
}

main().catch((e) => fail(e && e.message ? e.message : e));
