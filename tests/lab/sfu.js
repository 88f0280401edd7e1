#!/usr/bin/env node
// A minimal forwarding bridge for the lab (issue 15): stands in for the Jitsi Videobridge
// behind the stand-in focus (tests/lab/focus.py --sfu). npm werift (a WebRTC stack in plain
// JavaScript) and ws (its WebSocket server), installed by tests/integration/chatprobe.py's
// ensure_node_deps into tests/integration/probes/node_modules. Written from werift's own
// sources, the RFCs and the bridge channel's message shapes (jitsi-videobridge
// BridgeChannelMessage.kt, read, not copied); nothing copied from Jitsi.
//
// Each participant gets one werift RTCPeerConnection with an audio m-line (Opus 111, the
// ssrc-audio-level extension RFC 6464) and a video m-line (VP8 100, nack and nack pli),
// rtcp-mux, BUNDLE; the bridge is the offerer. Every RTP packet a participant sends goes on
// as it came: its SSRC, sequence number, timestamp, payload type and header extensions
// unchanged, so one receiver sees several SSRCs on one m-line, as the videobridge forwards
// them. Audio goes to every other participant of the same room. Video goes to those whose
// allocation (below) includes the sender.
//
// How (werift 0.22.9): RTCRtpSender.sendRtp rewrites the SSRC, sequence number and timestamp to
// its own, and its router drops packets of SSRCs it was not told about. So the bridge uses
// the level below both: RTCDtlsTransport.onRtp (every packet SRTP-decrypted, before routing)
// and RTCDtlsTransport.sendRtp(payload, header) (SRTP-encrypts the header as given and sends it
// on the ICE connection). RTCP is not forwarded, except picture loss: a receiver's PLI or FIR
// for a forwarded video SSRC reaches its sender as a PLI of the bridge's (at most one per
// PLI_GAP_MS and sender).
//
// Bridge channel (colibri-ws): a WebSocket server on ADDRESS, port printed in the ready line;
// the focus names ws://ADDRESS:PORT/colibri-ws/default-id/<room>/<endpoint>?pwd=<ICE pwd> in
// each offer, as jicofo does. A connection is refused unless the path names a participant (its
// room's local part and endpoint id: the occupant's nick) and pwd is that participant's ICE
// password (the bridge's, from its offer). It greets with ServerHello and takes
// ReceiverVideoConstraints (other classes are logged and ignored; a constraints message with
// a field the bridge does not know is dropped, as the videobridge drops it):
//   lastN (-1 all, 0 none, n), onStageSources / selectedSources (source names, 2022+) or
//   onStageEndpoints / selectedEndpoints (endpoint ids, 2021), defaultConstraints {maxHeight}
//   and constraints {name: {maxHeight}} (a maxHeight of 0 means: not that video).
// Fields left out keep their value. Until a participant's first message it is forwarded every
// video (lastN -1, as the videobridge's default).
// Allocation of one receiver: the other participants of its room that send video, ordered
// on-stage first, then selected, then by speech (the most recent dominant speaker first), then
// by when they joined; the first lastN of those (all for -1), minus those at maxHeight 0. It
// is made again on every constraints message, dominant speaker change, new video sender,
// video stopped or back ("video" below) and departure; when it changes the receiver is sent
// ForwardedSources {forwardedSources: [source names]} (jitsi-videobridge since 2022), or for a
// participant created with "lastNEndpoints": true LastNEndpointsChangeEvent {lastNEndpoints:
// [endpoint ids]} instead (a 2021 bridge), and every sender it now gets is asked for a
// keyframe (PLI), so pictures start at once.
// Dominant speaker: from the audio level extension of each participant's audio (an average
// over ~200 ms of 127 - level, falling while no packet comes: DTX); every TICK_MS the loudest
// above SPEECH becomes the room's dominant speaker when it beats the current one by HYSTERESIS
// (or the current one is quiet):
// DominantSpeakerEndpointChangeEvent {dominantSpeakerEndpoint, previousSpeakers} to everyone in
// the room whose channel is open (and to those connecting later).
//
// Control: JSON lines. In on stdin:
//   {"op": "create", "id": ID, "room": R, "endpoint": E, "lastNEndpoints": bool}
//                                           a participant (ID its occupant JID, R its room's
//                                           local part, E its endpoint id; lastNEndpoints: told
//                                           what it gets as a 2021 bridge did, see above):
//                                           answers {"id", "offer": SDP, "pwd"} once werift
//                                           has gathered (candidates in the SDP)
//   {"op": "answer", "id": ID, "sdp": SDP}  its answer: {"id", "answered": true}
//   {"op": "sources", "id": ID, "video": [{"ssrc", "name"}]}   its video sources (names for
//                                           on-stage / selected source names)
//   {"op": "candidate", "id": ID, "candidate": "candidate:..."}   a remote candidate
//   {"op": "remove", "id": ID}              closes it: {"id", "removed": true, "in": {SSRC:
//                                           packets received}, "out": packets sent to it,
//                                           "vout": {sender ID: video packets sent to it}}
//   {"op": "drop", "id": ID}                stops forwarding its packets (it stays connected):
//                                           {"id", "dropped": true}
//   {"op": "video", "id": ID, "on": bool}   off: its video counts as stopped (as the
//                                           videobridge takes a sender whose camera went off:
//                                           no longer allocated to anyone, its packets not
//                                           forwarded), on: back: {"id", "video": bool}
//   {"op": "alias", "id": ID, "ssrc": N}    its video goes on to the others under SSRC N (the
//                                           RTP header rewritten; their picture loss for N
//                                           reaches it), as if its sender's video SSRC changed;
//                                           it is asked for a keyframe: {"id", "alias": N}
//   {"op": "stats"}                         {"stats": {ID: {"in": {SSRC: packets},
//                                            "out": packets, "vout": {...}, "ice": state}}}
// Out on stdout also: {"ready": true, "colibri": PORT} at start, {"id", "event": "connected"}
// when its DTLS is up, {"id", "event": "ssrc", "ssrc", "kind", "ext": [header extension ids of
// its first packet]} for each new SSRC it sends, {"id", "event": "channel", "open": bool} when
// its bridge channel opens or closes, {"id", "event": "refused", "path"} for a channel refused,
// {"id", "event": "constraints", "msg"} for each ReceiverVideoConstraints taken ("invalid":
// true for one dropped), {"id", "event": "dominant"} when it becomes its room's dominant
// speaker, {"id", "event": "forwarding", "video": [sender IDs], "pli": [sender IDs asked],
// "told": the message its channel was sent, null if not open} when its video allocation
// changes, {"id", "event": "pli", "ssrc", "for": receiver ID} for a receiver's picture loss
// relayed, {"id", "error": TEXT}.
// Usage: node sfu.js ADDRESS   (the address to bind ICE and the channel to: the lab's server
// address only)
'use strict';
const path = require('path');
const readline = require('readline');
const { createRequire } = require('module');

const probes = createRequire(path.join(__dirname, '..', 'integration', 'probes', 'package.json'));
const werift = probes('werift');
const { WebSocketServer } = probes('ws');
const { RTCPeerConnection, RTCRtpCodecParameters, useAudioLevelIndication,
  RtcpPayloadSpecificFeedback, PictureLossIndication } = werift;

const AUDIO_PT = 111;
const VIDEO_PT = 100;
const TICK_MS = 100;      // dominant speaker decisions
const SPEECH = 50;        // average 127 - level above which someone speaks
const HYSTERESIS = 10;
const LEVEL_ALPHA = 0.1;  // per 20 ms packet: ~200 ms
const PLI_GAP_MS = 300;
const BRIDGE_SSRC = 0x6a766200; // the bridge's own SSRC in the PLIs it sends

const address = process.argv[2];
if (!address || !/^[0-9.]+$/.test(address)) {
  process.stderr.write('usage: sfu.js IPV4_ADDRESS\n');
  process.exit(2);
}
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
// id -> participant: {id, room, endpoint, pc, dtls, pwd, in: {ssrc: n}, kind: {ssrc: kind},
// out, vout: {sender id: n}, joined, levelId, level, videoSsrc, videoNames, chan, cons,
// forwarded: [sender ids], lastPli, lastNEndpoints, videoOff}
const parts = new Map();
const rooms = new Map(); // room -> {dominant: id or null, speakers: [ids, most recent first]}
let joinSeq = 0;

function peer() {
  return new RTCPeerConnection({
    codecs: {
      audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2,
        payloadType: AUDIO_PT, parameters: 'minptime=10;useinbandfec=1' })],
      video: [new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000,
        payloadType: VIDEO_PT,
        rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }] })],
    },
    headerExtensions: { audio: [useAudioLevelIndication()], video: [] },
    bundlePolicy: 'max-bundle',
    iceUseIpv6: false,
    iceInterfaceAddresses: { udp4: address },
  });
}

function room(name) {
  if (!rooms.has(name))
    rooms.set(name, { dominant: null, speakers: [] });
  return rooms.get(name);
}

function roomParts(p) {
  return [...parts.values()].filter((q) => q.room === p.room);
}

function up(p) {
  return p.dtls && p.dtls.state === 'connected';
}

// ---- bridge channel ----------------------------------------------------------------------

function chanSend(p, msg) {
  if (p.chan && p.chan.readyState === 1)
    p.chan.send(JSON.stringify(msg));
}

function dominantMsg(r) {
  const ep = (id) => parts.get(id).endpoint;
  return { colibriClass: 'DominantSpeakerEndpointChangeEvent',
    dominantSpeakerEndpoint: ep(r.dominant),
    previousSpeakers: r.speakers.filter((id) => id !== r.dominant && parts.has(id)).map(ep) };
}

const CONSTRAINT_FIELDS = new Set(['colibriClass', 'lastN', 'onStageSources', 'selectedSources',
  'onStageEndpoints', 'selectedEndpoints', 'defaultConstraints', 'constraints']);

function takeConstraints(p, msg) {
  const bad = Object.keys(msg).filter((k) => !CONSTRAINT_FIELDS.has(k));
  const list = (v) => v === undefined ||
    (Array.isArray(v) && v.every((x) => typeof x === 'string'));
  if (bad.length || (msg.lastN !== undefined && !Number.isInteger(msg.lastN)) ||
      !list(msg.onStageSources) || !list(msg.selectedSources) ||
      !list(msg.onStageEndpoints) || !list(msg.selectedEndpoints)) {
    out({ id: p.id, event: 'constraints', msg, invalid: true });
    return;
  }
  for (const k of CONSTRAINT_FIELDS)
    if (k !== 'colibriClass' && msg[k] !== undefined)
      p.cons[k] = msg[k];
  out({ id: p.id, event: 'constraints', msg });
  allocate(p);
}

function serveChannel(ws, req) {
  const url = new URL(req.url, 'ws://x');
  const m = /^\/colibri-ws\/[^/]+\/([^/]+)\/([^/]+)$/.exec(url.pathname);
  const p = m && [...parts.values()].find((q) => q.room === decodeURIComponent(m[1]) &&
                                               q.endpoint === decodeURIComponent(m[2]));
  if (!p || url.searchParams.get('pwd') !== p.pwd) {
    out({ id: p ? p.id : null, event: 'refused', path: url.pathname });
    ws.close(1008, 'unknown endpoint or password');
    return;
  }
  if (p.chan)
    p.chan.terminate();
  p.chan = ws;
  out({ id: p.id, event: 'channel', open: true });
  ws.send(JSON.stringify({ colibriClass: 'ServerHello', version: 'ttymeet-lab-sfu' }));
  const r = room(p.room);
  if (r.dominant && parts.has(r.dominant))
    chanSend(p, dominantMsg(r));
  ws.on('message', (data) => {
    let msg;
    try {
      msg = JSON.parse(String(data));
    } catch (e) {
      return out({ id: p.id, event: 'constraints', msg: String(data).slice(0, 200),
        invalid: true });
    }
    if (msg && msg.colibriClass === 'ReceiverVideoConstraints')
      takeConstraints(p, msg);
    else
      out({ id: p.id, event: 'channel-message', msg });
  });
  ws.on('close', () => {
    if (p.chan === ws) {
      p.chan = null;
      out({ id: p.id, event: 'channel', open: false });
    }
  });
  ws.on('error', () => {});
}

const wss = new WebSocketServer({ host: address, port: 0 });
wss.on('connection', serveChannel);

// ---- video allocation ----------------------------------------------------------------------

function sendPli(sender, ssrc) {
  const now = Date.now();
  if (!up(sender) || now - (sender.lastPli[ssrc] || 0) < PLI_GAP_MS)
    return false;
  sender.lastPli[ssrc] = now;
  const pli = new RtcpPayloadSpecificFeedback({
    feedback: new PictureLossIndication({ senderSsrc: BRIDGE_SSRC, mediaSsrc: ssrc }) });
  sender.dtls.sendRtcp([pli]).catch(() => {});
  return true;
}

// The senders receiver p gets video from, as the header says.
function allocation(p) {
  const c = p.cons;
  const senders = roomParts(p).filter((q) => q !== p && q.videoSsrc !== null && !q.videoOff);
  const name = (q) => q.videoNames[0] || q.endpoint + '-v0';
  const named = (q, srcs, eps) => (srcs || []).includes(name(q)) ||
    (eps || []).includes(q.endpoint);
  const r = room(p.room);
  const rank = (q) => {
    if (named(q, c.onStageSources, c.onStageEndpoints))
      return 0;
    if (named(q, c.selectedSources, c.selectedEndpoints))
      return 1;
    return 2;
  };
  const spoke = (q) => {
    const i = r.speakers.indexOf(q.id);
    return i < 0 ? Infinity : i;
  };
  senders.sort((a, b) => rank(a) - rank(b) || spoke(a) - spoke(b) || a.joined - b.joined);
  const n = c.lastN === undefined || c.lastN < 0 ? senders.length : c.lastN;
  const height = (q) => {
    const own = c.constraints && c.constraints[name(q)];
    const h = own && own.maxHeight !== undefined ? own.maxHeight
      : c.defaultConstraints && c.defaultConstraints.maxHeight;
    return h === undefined || h === null || h < 0 ? Infinity : h;
  };
  return senders.slice(0, n).filter((q) => height(q) > 0);
}

function allocate(p) {
  const now = allocation(p);
  const ids = now.map((q) => q.id);
  if (ids.join('\n') === p.forwarded.join('\n'))
    return;
  const fresh = now.filter((q) => !p.forwarded.includes(q.id));
  p.forwarded = ids;
  const asked = fresh.filter((q) => sendPli(q, q.videoSsrc)).map((q) => q.id);
  const msg = p.lastNEndpoints
    ? { colibriClass: 'LastNEndpointsChangeEvent', lastNEndpoints: now.map((q) => q.endpoint) }
    : { colibriClass: 'ForwardedSources',
      forwardedSources: now.map((q) => q.videoNames[0] || q.endpoint + '-v0') };
  const told = p.chan && p.chan.readyState === 1 ? msg : null;
  out({ id: p.id, event: 'forwarding', video: ids, pli: asked, told });
  chanSend(p, msg);
}

function allocateRoom(name) {
  for (const q of parts.values())
    if (q.room === name)
      allocate(q);
}

// ---- dominant speaker ----------------------------------------------------------------------

setInterval(() => {
  for (const [name, r] of rooms) {
    const ps = [...parts.values()].filter((q) => q.room === name && !q.dropped);
    const now = Date.now();
    for (const q of ps) // quiet (DTX sends one packet in 400 ms): the average falls
      if (now - q.lastAudio > 2 * TICK_MS)
        q.level *= 0.6;
    if (!ps.length)
      continue;
    const best = ps.reduce((a, b) => (b.level > a.level ? b : a));
    const cur = r.dominant && parts.get(r.dominant);
    if (best.level < SPEECH || (cur && cur === best) ||
        (cur && cur.level >= SPEECH && best.level < cur.level + HYSTERESIS))
      continue;
    r.dominant = best.id;
    r.speakers = [best.id, ...r.speakers.filter((id) => id !== best.id && parts.has(id))];
    out({ id: best.id, event: 'dominant' });
    for (const q of ps)
      chanSend(q, dominantMsg(r));
    allocateRoom(name);
  }
}, TICK_MS).unref();

// ---- media ---------------------------------------------------------------------------------

// Forwards one decrypted packet of `from`: audio to every other participant of its room whose
// DTLS is up, video to those whose allocation has `from`.
function forward(from, rtp) {
  const h = rtp.header;
  const ssrc = h.ssrc;
  const video = h.payloadType === VIDEO_PT;
  if (!(ssrc in from.in)) {
    from.in[ssrc] = 0;
    from.kind[ssrc] = video ? 'video' : 'audio';
    out({ id: from.id, event: 'ssrc', ssrc, kind: from.kind[ssrc],
      ext: h.extensions.map((e) => e.id) });
    if (video && from.videoSsrc === null) {
      from.videoSsrc = ssrc;
      allocateRoom(from.room);
    }
  }
  from.in[ssrc]++;
  if (!video)
    from.lastAudio = Date.now();
  if (!video && from.levelId !== null) {
    const e = h.extensions.find((x) => x.id === from.levelId);
    if (e && e.payload.length)
      from.level += LEVEL_ALPHA * ((127 - (e.payload[0] & 0x7f)) - from.level);
  }
  if (from.dropped)
    return;
  for (const p of parts.values()) {
    if (p === from || p.room !== from.room || !up(p))
      continue;
    if (video) {
      if (ssrc !== from.videoSsrc || !p.forwarded.includes(from.id))
        continue;
      p.vout[from.id] = (p.vout[from.id] || 0) + 1;
    }
    p.out++;
    const sent = video && from.videoAlias !== null
      ? new werift.RtpHeader({ ...h, ssrc: from.videoAlias }) : h;
    p.dtls.sendRtp(rtp.payload, sent).catch(() => {});
  }
}

// A receiver's RTCP: its picture loss for a video SSRC we forward reaches the sender.
function feedback(p, rtcp) {
  if (rtcp.type !== RtcpPayloadSpecificFeedback.type || !rtcp.feedback)
    return;
  const ssrc = rtcp.feedback.mediaSsrc !== undefined ? rtcp.feedback.mediaSsrc
    : rtcp.feedback.entries && rtcp.feedback.entries[0] && rtcp.feedback.entries[0].ssrc;
  const count = rtcp.feedback.count;
  if (count !== 1 && count !== 4) // PLI, FIR
    return;
  const sender = [...parts.values()].find((q) => q.room === p.room &&
    (q.videoAlias !== null ? q.videoAlias === ssrc : q.videoSsrc === ssrc));
  if (sender && p.forwarded.includes(sender.id) && sendPli(sender, sender.videoSsrc))
    out({ id: sender.id, event: 'pli', ssrc, for: p.id });
}

async function create(m) {
  const id = m.id;
  if (parts.has(id))
    throw new Error('participant exists');
  const pc = peer();
  const p = { id, room: String(m.room || ''), endpoint: String(m.endpoint || id), pc, dtls: null,
    pwd: null, in: {}, kind: {}, out: 0, vout: {}, joined: joinSeq++, levelId: null, level: 0,
    lastAudio: 0, videoSsrc: null, videoNames: [], chan: null, cons: {}, forwarded: [],
    lastPli: {}, lastNEndpoints: m.lastNEndpoints === true, videoOff: false, videoAlias: null };
  parts.set(id, p);
  room(p.room);
  const t = pc.addTransceiver('audio', { direction: 'sendrecv' });
  pc.addTransceiver('video', { direction: 'sendrecv' });
  // werift asks a public STUN server (stun.l.google.com) when none is configured, and waits 5 s
  // for it: the lab reaches no such address and must not try. Unset on the ICE connection
  // (werift 0.22.9 reads it there when it gathers).
  for (const ice of pc.iceTransports)
    ice.connection.stunServer = undefined;
  const gathered = new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete')
      resolve();
    pc.iceGatheringStateChange.subscribe((s) => { if (s === 'complete') resolve(); });
  });
  await pc.setLocalDescription(await pc.createOffer());
  await gathered;
  // werift falls back to every host address when the given one is not there: refuse that
  const sdp = pc.localDescription.sdp;
  const lines = sdp.split('\r\n');
  const cands = lines.filter((l) => l.startsWith('a=candidate:'));
  if (!cands.length || cands.some((l) => l.split(' ')[4] !== address))
    throw new Error('candidates not on ' + address + ': ' + cands.join(' | '));
  const pwd = lines.find((l) => l.startsWith('a=ice-pwd:'));
  p.pwd = pwd ? pwd.slice(10) : null;
  const level = lines.find((l) => / urn:ietf:params:rtp-hdrext:ssrc-audio-level$/.test(l));
  p.levelId = level ? parseInt(level.slice(9), 10) : null;
  pc.connectionStateChange.subscribe((s) => {
    if (s === 'connected' && !p.dtls) {
      p.dtls = t.receiver.dtlsTransport;
      p.dtls.onRtp.subscribe((rtp) => forward(p, rtp));
      p.dtls.onRtcp.subscribe((rtcp) => feedback(p, rtcp));
      out({ id, event: 'connected' });
      allocate(p);
    } else if (s === 'failed' || s === 'closed') {
      out({ id, event: s });
    }
  });
  out({ id, offer: sdp, pwd: p.pwd });
}

async function handle(m) {
  const p = parts.get(m.id);
  switch (m.op) {
    case 'create':
      return create(m);
    case 'answer':
      if (!p)
        throw new Error('no such participant');
      await p.pc.setRemoteDescription({ type: 'answer', sdp: m.sdp });
      return out({ id: m.id, answered: true });
    case 'sources':
      if (!p)
        throw new Error('no such participant');
      p.videoNames = (m.video || []).map((s) => s.name).filter((n) => typeof n === 'string');
      return allocateRoom(p.room);
    case 'candidate':
      if (!p)
        throw new Error('no such participant');
      return p.pc.addIceCandidate({ candidate: m.candidate, sdpMid: p.pc.getTransceivers()[0].mid,
        sdpMLineIndex: 0 });
    case 'drop':
      if (!p)
        throw new Error('no such participant');
      p.dropped = true;
      return out({ id: m.id, dropped: true });
    case 'video':
      if (!p)
        throw new Error('no such participant');
      p.videoOff = m.on === false;
      allocateRoom(p.room);
      return out({ id: m.id, video: !p.videoOff });
    case 'alias':
      if (!p || !Number.isInteger(m.ssrc) || m.ssrc <= 0 || m.ssrc >= 2 ** 32)
        throw new Error('no such participant, or not an SSRC');
      p.videoAlias = m.ssrc;
      if (p.videoSsrc !== null)
        sendPli(p, p.videoSsrc);
      return out({ id: m.id, alias: m.ssrc });
    case 'remove': {
      if (p) {
        parts.delete(m.id);
        if (p.chan)
          p.chan.terminate();
        await p.pc.close().catch(() => {});
        const r = room(p.room);
        if (r.dominant === p.id)
          r.dominant = null;
        r.speakers = r.speakers.filter((x) => x !== p.id);
        allocateRoom(p.room);
      }
      return out({ id: m.id, removed: true, in: p ? p.in : {}, out: p ? p.out : 0,
        vout: p ? p.vout : {} });
    }
    case 'stats': {
      const s = {};
      for (const [id, q] of parts)
        s[id] = { in: q.in, out: q.out, vout: q.vout, ice: q.pc.iceConnectionState };
      return out({ stats: s });
    }
    default:
      throw new Error('unknown op ' + m.op);
  }
}

let queue = Promise.resolve();
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  let m;
  try {
    m = JSON.parse(line);
  } catch (e) {
    return out({ error: 'not JSON: ' + line.slice(0, 80) });
  }
  // one at a time, in order: a candidate must not overtake the answer before it
  queue = queue.then(() => handle(m))
    .catch((e) => out({ id: m.id, error: String(e && e.message ? e.message : e) }));
}).on('close', () => process.exit(0));
wss.on('listening', () => out({ ready: true, colibri: wss.address().port }));
