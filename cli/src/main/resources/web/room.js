'use strict';
// Room demo: WebSocket signaling on /ws (same host and port as this page) with trickle ICE, and a
// mesh of data channels: one RTCPeerConnection per pair of members, browser<->browser directly and
// browser<->JVM peer. Whoever joins last offers to everyone already in the room. Each connection
// carries 'room-chat' (text lines) and 'room-file' (a JSON header {name, size, sha256}, binary
// chunks, and a JSON ack {ack, size, sha256, ok} from the receiver).
// With ?room=NAME&selftest=room&peers=N the page joins by itself, waits for N other members, chats,
// sends a generated file to everyone, checks what it received, and posts the outcome to /result.
// Uses sha256Hex() from demo.js.

const ROOM_CHUNK = 16 * 1024;          // bytes per file message
const ROOM_HIGH_WATER = 1024 * 1024;   // pause sending above this bufferedAmount
const ROOM_MAX_FILE = 64 * 1024 * 1024; // received files are kept in memory

const room = { ws: null, id: null, name: null, members: new Map(), ping: null, listeners: [], config: { iceServers: [] } };

function roomLine(text, cls) {
  const div = document.createElement('div');
  div.textContent = text;
  if (cls) div.className = cls;
  $('roomlog').appendChild(div);
  $('roomlog').scrollTop = $('roomlog').scrollHeight;
}

function roomNotify() { room.listeners.slice().forEach(l => l()); }

/** Resolves when cond() holds, checked after every room event; rejects after ms. */
function roomWait(cond, ms, what) {
  return new Promise((resolve, reject) => {
    const check = () => {
      let v;
      try { v = cond(); } catch (e) { v = undefined; }
      if (v) { done(); resolve(v); }
    };
    const timer = setTimeout(() => { done(); reject(new Error(what + ': not done within ' + ms + ' ms')); }, ms);
    const done = () => { clearTimeout(timer); room.listeners = room.listeners.filter(l => l !== check); };
    room.listeners.push(check);
    check();
  });
}

function short(id) { return id === 'jvm' ? 'jvm' : id.slice(0, 6); }

function renderMembers() {
  const ul = $('members');
  ul.textContent = '';
  for (const m of room.members.values()) {
    const li = document.createElement('li');
    const state = m.pc ? m.pc.connectionState : 'waiting for an offer';
    const open = m.chat && m.chat.readyState === 'open' ? ', chat open' : '';
    li.textContent = short(m.id) + ' (' + m.kind + '): ' + state + open;
    ul.appendChild(li);
  }
  const ready = room.ws && room.ws.readyState === WebSocket.OPEN && room.id;
  $('roomchatinput').disabled = $('roomchatsend').disabled = $('roomfile').disabled = !ready;
}

function send(msg) {
  if (room.ws && room.ws.readyState === WebSocket.OPEN) room.ws.send(JSON.stringify(msg));
}

function member(id, kind) {
  let m = room.members.get(id);
  if (!m) {
    m = { id, kind: kind || 'browser', pc: null, chat: null, file: null, pending: [], chats: [], acks: [], files: [], incoming: null };
    room.members.set(id, m);
  }
  return m;
}

function newPc(m) {
  if (m.pc) m.pc.close();
  const pc = new RTCPeerConnection(room.config); // the server's STUN/TURN servers (rtcConfiguration in demo.js)
  m.pc = pc;
  m.pending = [];
  pc.addEventListener('icecandidate', e => {
    // Trickle ICE (RFC 8838): each candidate as it is found, then end-of-candidates.
    if (e.candidate && e.candidate.candidate) send({ type: 'candidate', to: m.id, candidate: e.candidate.toJSON() });
    else if (!e.candidate) send({ type: 'end-of-candidates', to: m.id });
  });
  pc.addEventListener('connectionstatechange', () => { renderMembers(); roomNotify(); });
  pc.addEventListener('datachannel', e => attachRoomChannel(m, e.channel));
  return pc;
}

async function flushCandidates(m) {
  const list = m.pending.splice(0);
  for (const c of list) {
    try { await m.pc.addIceCandidate(c); } catch (e) { console.log('candidate from ' + m.id + ' skipped: ' + e); }
  }
}

async function offerTo(m) {
  const pc = newPc(m);
  attachRoomChannel(m, pc.createDataChannel('room-chat'));
  attachRoomChannel(m, pc.createDataChannel('room-file'));
  await pc.setLocalDescription(await pc.createOffer());
  send({ type: 'offer', to: m.id, sdp: pc.localDescription.sdp }); // at once: candidates follow
  renderMembers();
}

async function onOffer(m, sdp) {
  const pc = newPc(m);
  await pc.setRemoteDescription({ type: 'offer', sdp });
  await flushCandidates(m);
  await pc.setLocalDescription(await pc.createAnswer());
  send({ type: 'answer', to: m.id, sdp: pc.localDescription.sdp });
  renderMembers();
}

function attachRoomChannel(m, ch) {
  if (ch.label === 'room-chat') {
    m.chat = ch;
    ch.addEventListener('open', () => { renderMembers(); roomNotify(); });
    ch.addEventListener('close', () => { renderMembers(); roomNotify(); });
    ch.addEventListener('message', e => {
      m.chats.push(String(e.data));
      roomLine(short(m.id) + ': ' + e.data);
      roomNotify();
    });
  } else if (ch.label === 'room-file') {
    m.file = ch;
    ch.binaryType = 'arraybuffer';
    ch.addEventListener('open', () => { renderMembers(); roomNotify(); });
    ch.addEventListener('message', e => onFileMessage(m, e.data).catch(err => roomLine('file from ' + short(m.id) + ': ' + err.message, 'bad')));
  } else if (ch.label === 'hello') {
    ch.addEventListener('message', e => roomLine(short(m.id) + ' says: ' + e.data));
  }
}

async function onFileMessage(m, data) {
  if (typeof data === 'string') {
    const msg = JSON.parse(data);
    if ('ack' in msg) {
      m.acks.push(msg);
      roomLine((msg.ok ? 'OK: ' : 'FAILED: ') + short(m.id) + ' got ' + msg.ack + ' (' + msg.size + ' bytes, SHA-256 ' + (msg.sha256 || msg.error) + ')', msg.ok ? 'ok' : 'bad');
      roomNotify();
    } else if ('name' in msg && 'size' in msg) {
      if (!(msg.size >= 0 && msg.size <= ROOM_MAX_FILE)) throw new Error('refusing a file of ' + msg.size + ' bytes');
      m.incoming = { name: String(msg.name), size: msg.size, sha256: String(msg.sha256 || ''), buf: new Uint8Array(msg.size), got: 0 };
      if (msg.size === 0) await finishIncoming(m);
    } else if ('error' in msg) {
      roomLine(short(m.id) + ': ' + msg.error, 'bad');
    }
    return;
  }
  const f = m.incoming;
  if (!f) throw new Error('data without a header');
  const chunk = new Uint8Array(data);
  if (f.got + chunk.length > f.size) throw new Error('more bytes than announced');
  f.buf.set(chunk, f.got);
  f.got += chunk.length;
  if (f.got === f.size) await finishIncoming(m);
}

async function finishIncoming(m) {
  const f = m.incoming;
  m.incoming = null;
  const sha = await sha256Hex(f.buf.buffer);
  const ok = sha === f.sha256;
  m.file.send(JSON.stringify({ ack: f.name, size: f.got, sha256: sha, ok }));
  m.files.push({ name: f.name, size: f.got, sha256: sha, ok });
  const div = document.createElement('div');
  div.className = ok ? 'ok' : 'bad';
  div.textContent = (ok ? 'received ' : 'CORRUPT ') + f.name + ' (' + f.got + ' bytes) from ' + short(m.id) + ' ';
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([f.buf]));
  a.download = f.name;
  a.textContent = 'save';
  div.appendChild(a);
  $('roomlog').appendChild(div);
  roomNotify();
}

function removeMember(id) {
  const m = room.members.get(id);
  if (!m) return;
  if (m.pc) m.pc.close();
  room.members.delete(id);
  roomLine(short(id) + ' left');
  renderMembers();
  roomNotify();
}

async function onSignal(msg) {
  switch (msg.type) {
    case 'joined':
      room.id = msg.id;
      room.name = msg.room;
      $('roomstate').textContent = 'in room ' + msg.room + ' as ' + short(msg.id);
      for (const p of msg.peers) {
        const m = member(p.id, p.kind);
        offerTo(m).catch(e => roomLine('offer to ' + short(m.id) + ' failed: ' + e.message, 'bad'));
      }
      break;
    case 'peer-joined':
      member(msg.peer.id, msg.peer.kind);
      roomLine(short(msg.peer.id) + ' joined');
      break;
    case 'peer-left':
      removeMember(msg.id);
      break;
    case 'offer':
      await onOffer(member(msg.from), msg.sdp);
      break;
    case 'answer': {
      const m = member(msg.from);
      await m.pc.setRemoteDescription({ type: 'answer', sdp: msg.sdp });
      await flushCandidates(m);
      break;
    }
    case 'candidate': {
      const m = member(msg.from);
      m.pending.push(msg.candidate);
      if (m.pc && m.pc.remoteDescription) await flushCandidates(m);
      break;
    }
    case 'end-of-candidates':
      break; // nothing to do: our checks go on with what we have
    case 'error':
      roomLine('server: ' + msg.reason, 'bad');
      break;
  }
  renderMembers();
  roomNotify();
}

async function joinRoom(name) {
  room.config = await rtcConfiguration();
  if (room.ws) room.ws.close();
  for (const id of [...room.members.keys()]) removeMember(id);
  room.id = null;
  const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws?room=' + encodeURIComponent(name);
  const ws = new WebSocket(url);
  room.ws = ws;
  // Messages are handled one at a time, in order (an answer must not overtake its offer's setup).
  let chain = Promise.resolve();
  ws.addEventListener('message', e => {
    chain = chain.then(() => onSignal(JSON.parse(e.data))).catch(err => roomLine('signaling: ' + err.message, 'bad'));
  });
  ws.addEventListener('close', e => {
    $('roomstate').textContent = 'disconnected (' + e.code + ')';
    clearInterval(room.ping);
    renderMembers();
  });
  clearInterval(room.ping);
  room.ping = setInterval(() => send({ type: 'ping' }), 30000); // the server closes idle sockets
  $('roomstate').textContent = 'joining ' + name + '…';
}

function openMembers() {
  return [...room.members.values()].filter(m => m.chat && m.chat.readyState === 'open' && m.file && m.file.readyState === 'open');
}

function sendRoomChat(text) {
  const to = openMembers();
  to.forEach(m => m.chat.send(text));
  roomLine('me: ' + text + ' (to ' + to.length + ')');
}

/** Sends the file to every member with open channels; resolves with their acks. */
async function sendRoomFile(f) {
  if (f.size > ROOM_MAX_FILE) throw new Error('pick a file of at most ' + ROOM_MAX_FILE / 1048576 + ' MiB');
  const data = await f.arrayBuffer();
  const sha = await sha256Hex(data);
  const targets = openMembers();
  roomLine('sending ' + f.name + ' (' + f.size + ' bytes, SHA-256 ' + sha + ') to ' + targets.length);
  return Promise.all(targets.map(async m => {
    const before = m.acks.length;
    const ch = m.file;
    ch.send(JSON.stringify({ name: f.name, size: f.size, sha256: sha }));
    for (let off = 0; off < f.size; off += ROOM_CHUNK) {
      while (ch.bufferedAmount > ROOM_HIGH_WATER) await new Promise(r => setTimeout(r, 20));
      if (ch.readyState !== 'open') throw new Error('channel to ' + short(m.id) + ' closed');
      ch.send(data.slice(off, Math.min(off + ROOM_CHUNK, f.size)));
    }
    const ack = await roomWait(() => m.acks[before], 60000, 'ack from ' + short(m.id));
    return { id: m.id, sha256: sha, ack };
  }));
}

$('roomjoin').addEventListener('click', () => joinRoom($('roomname').value.trim() || 'lobby')
  .catch(e => roomLine('join failed: ' + e.message, 'bad')));
$('roomchatform').addEventListener('submit', e => {
  e.preventDefault();
  const text = $('roomchatinput').value;
  if (text) sendRoomChat(text);
  $('roomchatinput').value = '';
});
$('roomfile').addEventListener('change', async () => {
  const f = $('roomfile').files[0];
  if (!f) return;
  try { await sendRoomFile(f); } catch (e) { roomLine('file: ' + e.message, 'bad'); }
  $('roomfile').value = '';
});

async function roomSelftest(name, peers) {
  const result = { ok: false, test: 'room', userAgent: navigator.userAgent };
  const t0 = performance.now();
  try {
    await joinRoom(name);
    await roomWait(() => room.id, 20000, 'join');
    result.id = room.id;
    await roomWait(() => openMembers().length >= peers, 60000, 'channels open to ' + peers + ' members');
    // join until channels are open to every member: includes waiting for the others to start; for
    // the last page to join it is its own signaling + ICE/DTLS/SCTP with everyone
    result.setupMs = Math.round(performance.now() - t0);
    result.members = openMembers().map(m => m.id + ':' + m.kind);
    const line = 'hi from ' + room.id;
    sendRoomChat(line);
    await roomWait(() => openMembers().every(m => m.kind === 'jvm'
      ? m.chats.includes('received: ' + line) : m.chats.some(c => c.startsWith('hi from '))), 30000, 'chat from every member');
    result.chats = Object.fromEntries(openMembers().map(m => [m.id, m.chats]));
    const bytes = new Uint8Array(64 * 1024 + 7);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 13 + room.id.charCodeAt(0)) % 251;
    const tFile = performance.now();
    const sent = await sendRoomFile(new File([bytes], 'from-' + room.id + '.bin'));
    result.fileMs = Math.round(performance.now() - tFile); // to every member, until every ack
    result.acks = sent.map(s => ({ id: s.id, ok: s.ack.ok, sha256: s.ack.sha256, expected: s.sha256, size: s.ack.size }));
    // Every other browser sends us its file too.
    await roomWait(() => openMembers().filter(m => m.kind === 'browser').every(m => m.files.length > 0), 60000, 'files from every browser');
    result.received = openMembers().filter(m => m.kind === 'browser').map(m => ({ id: m.id, ...m.files[0] }));
    result.ok = result.acks.length >= peers && result.acks.every(a => a.ok && a.sha256 === a.expected)
      && result.received.every(r => r.ok);
  } catch (e) {
    result.error = String(e && e.message || e);
  }
  result.state = [...room.members.values()].map(m => ({ id: m.id, kind: m.kind,
    connection: m.pc && m.pc.connectionState, ice: m.pc && m.pc.iceConnectionState,
    signaling: m.pc && m.pc.signalingState, chat: m.chat && m.chat.readyState, file: m.file && m.file.readyState,
    pending: m.pending.length, remote: !!(m.pc && m.pc.remoteDescription) }));
  result.log = [...$('roomlog').children].map(d => d.textContent).slice(-30);
  await fetch('result', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(result) });
}

{
  const q = new URLSearchParams(location.search);
  if (q.get('room')) $('roomname').value = q.get('room');
  if (q.get('selftest') === 'room') roomSelftest(q.get('room') || 'selftest', parseInt(q.get('peers') || '1', 10));
}
renderMembers();
