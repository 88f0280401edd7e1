// A Jitsi Meet participant for ttymeet's lab (page.html): lib-jitsi-meet's own API, as the
// Jitsi Meet web app uses it, with no UI. Connects to the XMPP WebSocket named by ?ws= (with
// ?room= appended, as sharded deployments expect), joins ?room= under the display name ?name=,
// and keeps what a test asks about in window.ttm:
//   ttm.state(): {connected, joined, my_id, error, p2p, connected_ms, joined_ms,
//                 participants: [{id, name, role}], messages: [{from, name, text, private,
//                 history, self: our own message, as the room echoes it}], left,
//                 errors: [uncaught errors], console: [its last warnings and errors]}
//   ttm.send(text), ttm.sendPrivate(id, text), ttm.leave() -> Promise (resolves when left).
//   Media: ttm.pc() the bridge session's RTCPeerConnection (null before it); remote audio
//   tracks lib-jitsi-meet makes (one per participant) each play in an <audio> element, as the
//   web app does (Chromium counts received audio energy only for a track that plays);
//   state().remote lists them: [{participant, type}]. A bridge that mixes (the lab's
//   AudioBridge, whose one stream is the bridge's own, msid `mixedmslabel`) gets no such track:
//   lib-jitsi-meet ignores that stream. ttm.playBridge() plays the bridge session's received
//   audio itself (returns how many tracks). ttm.remoteAudio(): the MediaStreamTrack of the
//   first remote audio track, else of the bridge's played by playBridge(). state().local_audio
//   says whether our microphone track was added. ttm.recordStart(id): records the audio
//   received from participant id (MediaRecorder; tests/lab/browser.py's VR_RECORD_STOP_JS
//   stops and decodes it): an error or null. ttm.stats() -> Promise of the active
//   connection's audio figures: {p2p, inbound: {packetsReceived, packetsLost,
//   totalAudioEnergy, ...}, outbound: {packetsSent}, video_in: {framesDecoded, frameWidth,
//   frameHeight, packetsReceived} of the video received, or null}. state().jingle: [{action,
//   from, reason}] of the Jingle requests the page received. ttm.mute(on) -> Promise: mutes or
//   unmutes our microphone track as the web app's mute button does (lib-jitsi-meet's
//   mute()/unmute()).
// Options: focus=JID (default focus.DOMAIN), p2p=0 (no peer-to-peer Jingle offer to the one
// other participant; on by default, as in the Jitsi Meet web app's config), id=ID (the
// occupant name, else lib-jitsi-meet's own choice: 8 hex digits), audio=1 (send our
// microphone: lib-jitsi-meet's local audio track, added before joining as the web app does),
// ap=0 (no audio processing of the microphone: no echo canceller, noise suppression or gain
// control, lib-jitsi-meet's disableAP; for a fake microphone that plays a file),
// video=1 (send the camera too: Chromium's fake device, a moving test picture),
// renegotiate=0 (the bridge session does not renegotiate on its own: see stopRenegotiation).
// Text from other participants is kept as data, never put into the page as HTML.
(function () {
  "use strict";
  var q = new URLSearchParams(location.search);
  var t0 = performance.now();
  var st = {connected: false, joined: false, my_id: null, error: null, p2p: null,
            connected_ms: null, joined_ms: null, participants: [], messages: [],
            left: false, errors: [], remote: [], local_audio: false, jingle: []};
  var remoteAudio = [], bridgeAudio = [], localTracks = [];
  var remoteById = {};  // participant id -> its remote audio MediaStreamTrack
  var conn = null, conf = null;

  function log(s) {
    var el = document.getElementById("log");
    if (el) el.textContent += s + "\n";
  }
  // lib-jitsi-meet's warnings and errors, the last 200, for a failing test to show.
  st.console = [];
  ["warn", "error"].forEach(function (level) {
    var orig = console[level].bind(console);
    console[level] = function () {
      var line = Array.prototype.map.call(arguments, function (a) {
        return a && a.outerHTML ? a.outerHTML : String(a);  // a stanza: its XML
      }).join(" ");
      st.console.push(level + ": " + line.slice(0, 500));
      if (st.console.length > 200) st.console.shift();
      orig.apply(null, arguments);
    };
  });
  window.addEventListener("error", function (e) {
    st.errors.push(String(e.message || e));
  });
  window.addEventListener("unhandledrejection", function (e) {
    st.errors.push("unhandled rejection: " + String(e.reason));
  });

  function nameOf(id) {
    var p = conf && conf.getParticipantById(id);
    return p ? (p.getDisplayName() || null) : null;
  }

  function roster() {
    if (!conf) return [];
    return conf.getParticipants().map(function (p) {
      return {id: p.getId(), name: p.getDisplayName() || null, role: p.getRole() || null};
    });
  }

  function onMessage(priv) {
    return function (id, text, ts) {
      st.messages.push({from: id, name: nameOf(id), text: String(text), "private": priv,
                        history: ts != null, self: id === st.my_id});
    };
  }

  // The 2021 build in today's Chromium renegotiates the bridge session 50-100 times a second
  // on its own when the offer names no bridge channel (colibri-ws <web-socket/>): it opens an
  // SCTP data channel instead, which the offer has no m-line for, so Chromium fires
  // negotiationneeded after each of its answers and lib-jitsi-meet re-applies the offer. That
  // takes most of a core per browser. An offer with a bridge channel (focus.py --colibri-ws) has
  // none of it; for one without, this removes the handler from the bridge session
  // (renegotiate=0 does it as the session starts). Returns whether there was one.
  function stopRenegotiation() {
    var s = conf && conf.jvbJingleSession;
    if (!s || !s.peerconnection) return false;
    s.peerconnection.onnegotiationneeded = null;
    return true;
  }

  function start() {
    var JM = window.JitsiMeetJS;
    if (!JM) {
      st.error = "lib-jitsi-meet did not load";
      return;
    }
    var domain = q.get("domain"), room = q.get("room");
    JM.init({disableAudioLevels: true, disableAP: q.get("ap") === "0"});
    JM.setLogLevel(JM.logLevels.WARN);
    var E = JM.events;
    conn = new JM.JitsiConnection(null, null, {
      hosts: {domain: domain, muc: q.get("muc"), focus: q.get("focus") || "focus." + domain},
      serviceUrl: q.get("ws") + "?room=" + encodeURIComponent(room)
    });
    conn.addEventListener(E.connection.CONNECTION_FAILED, function (err, msg) {
      st.error = "connection failed: " + err + " " + (msg || "");
    });
    conn.addEventListener(E.connection.CONNECTION_DISCONNECTED, function () {
      st.connected = false;
    });
    conn.addEventListener(E.connection.CONNECTION_ESTABLISHED, function () {
      st.connected = true;
      st.connected_ms = Math.round(performance.now() - t0);
      log("connected");
      conn.xmpp.connection.addHandler(function (iq) {
        var j = iq.getElementsByTagNameNS("urn:xmpp:jingle:1", "jingle")[0];
        var r = j && j.getElementsByTagName("reason")[0];
        var cond = r && Array.prototype.filter.call(r.children, function (e) {
          return e.tagName !== "text";
        })[0];
        if (j && st.jingle.length < 200)
          st.jingle.push({action: j.getAttribute("action"), from: iq.getAttribute("from"),
                          reason: cond ? cond.tagName : null});
        return true;  // keep watching; lib-jitsi-meet's own handler answers
      }, "urn:xmpp:jingle:1", "iq", "set");
      if (q.get("id")) {
        // The occupant name (endpoint id) lib-jitsi-meet would draw from the anonymous JID,
        // chosen instead: of two participants, the one whose id sorts first offers P2P.
        var create = conn.xmpp.createRoom.bind(conn.xmpp);
        conn.xmpp.createRoom = function (name, opts) {
          return create(name, opts, function () { return q.get("id"); });
        };
      }
      conf = conn.initJitsiConference(room, {
        p2p: {enabled: q.get("p2p") !== "0"}
      });
      var C = E.conference;
      conf.on(C.CONFERENCE_JOINED, function () {
        st.joined = true;
        st.my_id = conf.myUserId();
        st.joined_ms = Math.round(performance.now() - t0);
        log("joined as " + st.my_id);
      });
      conf.on(C.CONFERENCE_FAILED, function (err) { st.error = "conference failed: " + err; });
      conf.on(C.CONFERENCE_ERROR, function (err) { st.error = "conference error: " + err; });
      conf.on(C.CONFERENCE_LEFT, function () { st.joined = false; st.left = true; });
      conf.on(C.MESSAGE_RECEIVED, onMessage(false));
      conf.on(C.PRIVATE_MESSAGE_RECEIVED, onMessage(true));
      conf.on(C.P2P_STATUS, function (c, on) { st.p2p = on; });
      if (q.get("renegotiate") === "0")
        conf.on(C._MEDIA_SESSION_STARTED, function (s) {
          if (s && !s.isP2P) stopRenegotiation();
        });
      conf.on(C.TRACK_ADDED, function (track) {
        if (track.isLocal()) return;
        st.remote.push({participant: track.getParticipantId(), type: track.getType()});
        if (track.getType() !== "audio") return;
        var el = document.createElement("audio");
        el.autoplay = true;
        document.body.appendChild(el);
        track.attach(el);
        remoteAudio.push(track.getTrack());
        remoteById[track.getParticipantId()] = track.getTrack();
      });
      conf.setDisplayName(q.get("name"));
      if (q.get("audio") !== "1" && q.get("video") !== "1") {
        conf.join();
        return;
      }
      var devices = (q.get("audio") === "1" ? ["audio"] : []).concat(
        q.get("video") === "1" ? ["video"] : []);
      JM.createLocalTracks({devices: devices}).then(function (tracks) {
        localTracks = tracks;
        tracks.forEach(function (t) { conf.addTrack(t); });
        st.local_audio = tracks.some(function (t) { return t.getType() === "audio"; });
        st.local_video = tracks.some(function (t) { return t.getType() === "video"; });
        conf.join();
      }, function (e) { st.error = "local tracks: " + String(e); });
    });
    conn.connect();
  }

  window.ttm = {
    state: function () {
      st.participants = roster();
      return st;
    },
    send: function (text) { conf.sendTextMessage(text); },
    pc: function () {
      var s = conf && conf.jvbJingleSession;
      return s && s.peerconnection ? s.peerconnection.peerconnection : null;
    },
    stopRenegotiation: stopRenegotiation,
    remoteAudio: function () { return remoteAudio[0] || bridgeAudio[0] || null; },
    mute: function (on) {
      var t = localTracks.filter(function (x) { return x.getType() === "audio"; })[0];
      if (!t) return Promise.reject(new Error("no microphone track"));
      return on ? t.mute() : t.unmute();
    },
    playBridge: function () {
      var pc = window.ttm.pc();
      (pc ? pc.getReceivers() : []).forEach(function (r) {
        if (r.track.kind !== "audio" || bridgeAudio.indexOf(r.track) >= 0) return;
        var el = document.createElement("audio");
        el.autoplay = true;
        el.srcObject = new MediaStream([r.track]);
        document.body.appendChild(el);
        bridgeAudio.push(r.track);
      });
      return bridgeAudio.length;
    },
    sendPrivate: function (id, text) { conf.sendPrivateTextMessage(id, text); },
    recordStart: function (id) {
      var t = remoteById[id];
      if (!t) return "no audio track from " + id;
      var rec = new MediaRecorder(new MediaStream([t]),
                                  {mimeType: "audio/webm;codecs=opus"});
      window.__ttm_rec = {rec: rec, chunks: [], t0: performance.now()};
      rec.ondataavailable = function (e) { window.__ttm_rec.chunks.push(e.data); };
      rec.start(1000);
      return null;
    },
    stats: function () {
      var tpc = conf && conf.getActivePeerConnection();
      if (!tpc) return Promise.resolve({error: "no connection"});
      return tpc.peerconnection.getStats().then(function (rep) {
        var out = {p2p: st.p2p, inbound: null, outbound: null, video_in: null};
        rep.forEach(function (r) {
          if (r.kind === "video" && r.type === "inbound-rtp")
            out.video_in = {framesDecoded: r.framesDecoded, frameWidth: r.frameWidth,
                            frameHeight: r.frameHeight, packetsReceived: r.packetsReceived};
          if (r.kind !== "audio") return;
          if (r.type === "inbound-rtp")
            out.inbound = {packetsReceived: r.packetsReceived, packetsLost: r.packetsLost,
                           totalAudioEnergy: r.totalAudioEnergy,
                           jitterBufferDelay: r.jitterBufferDelay,
                           jitterBufferEmittedCount: r.jitterBufferEmittedCount};
          else if (r.type === "outbound-rtp")
            out.outbound = {packetsSent: r.packetsSent};
        });
        return out;
      });
    },
    leave: function () {
      return conf.leave().then(function () {
        st.left = true;
        return conn.disconnect();
      });
    }
  };

  try {
    start();
  } catch (e) {
    st.error = "start: " + String(e && e.stack || e);
  }
})();
