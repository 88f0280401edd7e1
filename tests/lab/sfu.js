#!/usr/bin/env node
// A minimal forwarding bridge for the lab (issue 15): stands in for the Jitsi Videobridge
// behind the stand-in focus (tests/lab/focus.py --sfu). npm werift (a WebRTC stack in plain
// JavaScript, installed by tests/integration/chatprobe.py's ensure_node_deps into
// tests/integration/probes/node_modules). Written from werift's own sources and the
// RFCs; nothing copied from Jitsi.
//
// Each participant gets one werift RTCPeerConnection with one audio m-line (Opus 111, the
// ssrc-audio-level extension RFC 6464, rtcp-mux, BUNDLE); the bridge is the offerer. Every RTP
// packet a participant sends goes to every other participant on that same m-line as it came:
// its SSRC, sequence number, timestamp, payload type and header extensions unchanged, so one
// receiver sees several SSRCs on one m-line, as the videobridge forwards them.
//
// How (werift 0.22.9): RTCRtpSender.sendRtp rewrites the SSRC, sequence number and timestamp to
// its own, and its router drops packets of SSRCs it was not told about. So the bridge uses
// the level below both: RTCDtlsTransport.onRtp (every packet SRTP-decrypted, before routing)
// and RTCDtlsTransport.sendRtp(payload, header) (SRTP-encrypts the header as given and sends it
// on the ICE connection). RTCP is not forwarded (receiver reports of forwarded streams are
// dropped; senders get werift's own reports, if any).
//
// Control: JSON lines. In on stdin:
//   {"op": "create", "id": ID}              a participant: answers {"id", "offer": SDP} once
//                                           werift has gathered (candidates in the SDP)
//   {"op": "answer", "id": ID, "sdp": SDP}  its answer: {"id", "answered": true}
//   {"op": "candidate", "id": ID, "candidate": "candidate:..."}   a remote candidate
//   {"op": "remove", "id": ID}              closes it: {"id", "removed": true, "in": {SSRC:
//                                           packets received}, "out": packets sent to it}
//   {"op": "drop", "id": ID}                stops forwarding its packets (it stays connected):
//                                           {"id", "dropped": true}
//   {"op": "stats"}                         {"stats": {ID: {"in": {SSRC: packets},
//                                            "out": packets, "ice": state}}}
// Out on stdout also: {"ready": true} at start, {"id", "event": "connected"} when its DTLS is
// up, {"id", "event": "ssrc", "ssrc", "ext": [header extension ids of its first packet]} for
// each new SSRC it sends, {"id", "error": TEXT}.
// Usage: node sfu.js ADDRESS   (the address to bind ICE to: the lab's server address only)
'use strict';
const path = require('path');
const readline = require('readline');
const { createRequire } = require('module');

const probes = path.join(__dirname, '..', 'integration', 'probes', 'package.json');
const werift = createRequire(probes)('werift');
const { RTCPeerConnection, RTCRtpCodecParameters, useAudioLevelIndication } = werift;

const address = process.argv[2];
if (!address || !/^[0-9.]+$/.test(address)) {
  process.stderr.write('usage: sfu.js IPV4_ADDRESS\n');
  process.exit(2);
}
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const parts = new Map(); // id -> {pc, dtls, in: {ssrc: n}, out: n}

function peer() {
  return new RTCPeerConnection({
    codecs: {
      audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2,
        payloadType: 111, parameters: 'minptime=10;useinbandfec=1' })],
      video: [],
    },
    headerExtensions: { audio: [useAudioLevelIndication()], video: [] },
    bundlePolicy: 'max-bundle',
    iceUseIpv6: false,
    iceInterfaceAddresses: { udp4: address },
  });
}

// Forwards one decrypted packet of `from` to every other participant whose DTLS is up.
function forward(from, rtp) {
  const ssrc = rtp.header.ssrc;
  if (!(ssrc in from.in)) {
    from.in[ssrc] = 0;
    out({ id: from.id, event: 'ssrc', ssrc, ext: rtp.header.extensions.map((e) => e.id) });
  }
  from.in[ssrc]++;
  if (from.dropped)
    return;
  for (const p of parts.values()) {
    if (p === from || !p.dtls || p.dtls.state !== 'connected')
      continue;
    p.out++;
    p.dtls.sendRtp(rtp.payload, rtp.header).catch(() => {});
  }
}

async function create(id) {
  if (parts.has(id))
    throw new Error('participant exists');
  const pc = peer();
  const p = { id, pc, dtls: null, in: {}, out: 0 };
  parts.set(id, p);
  const t = pc.addTransceiver('audio', { direction: 'sendrecv' });
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
  const cands = sdp.split('\r\n').filter((l) => l.startsWith('a=candidate:'));
  if (!cands.length || cands.some((l) => l.split(' ')[4] !== address))
    throw new Error('candidates not on ' + address + ': ' + cands.join(' | '));
  pc.connectionStateChange.subscribe((s) => {
    if (s === 'connected' && !p.dtls) {
      p.dtls = t.receiver.dtlsTransport;
      p.dtls.onRtp.subscribe((rtp) => forward(p, rtp));
      out({ id, event: 'connected' });
    } else if (s === 'failed' || s === 'closed') {
      out({ id, event: s });
    }
  });
  out({ id, offer: sdp });
}

async function handle(m) {
  const p = parts.get(m.id);
  switch (m.op) {
    case 'create':
      return create(m.id);
    case 'answer':
      if (!p)
        throw new Error('no such participant');
      await p.pc.setRemoteDescription({ type: 'answer', sdp: m.sdp });
      return out({ id: m.id, answered: true });
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
    case 'remove':
      if (p) {
        parts.delete(m.id);
        await p.pc.close().catch(() => {});
      }
      return out({ id: m.id, removed: true, in: p ? p.in : {}, out: p ? p.out : 0 });
    case 'stats': {
      const s = {};
      for (const [id, q] of parts)
        s[id] = { in: q.in, out: q.out, ice: q.pc.iceConnectionState };
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
out({ ready: true });
