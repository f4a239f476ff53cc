'use strict';
// Demo page for the jdatachannel server: echo chat and a file round trip with a SHA-256 check.
// With ?selftest=1 the page connects by itself, chats, sends a generated file, and posts the outcome
// to /result (used by the automated browser test).

const CHUNK = 16 * 1024;            // bytes per file message (below every peer's max-message-size)
const HIGH_WATER = 1024 * 1024;     // pause sending above this bufferedAmount
const LOW_WATER = 256 * 1024;       // resume at this bufferedAmount
const MAX_FILE = 256 * 1024 * 1024; // the page keeps the echoed file in memory

const $ = id => document.getElementById(id);
let pc = null, chat = null, file = null;
let chatListeners = [];
let helloText = null;
const opened = { chat: null, file: null, hello: null };

let rtcConfig = null;
/** The server's ICE configuration for our peer connections (GET config.json: STUN/TURN servers). */
async function rtcConfiguration() {
  if (!rtcConfig) {
    try {
      const r = await fetch('config.json');
      rtcConfig = r.ok ? await r.json() : {};
    } catch (e) {
      rtcConfig = {};
    }
  }
  return { iceServers: rtcConfig.iceServers || [], iceTransportPolicy: rtcConfig.iceTransportPolicy || 'all' };
}

function chatLine(text, cls) {
  const div = document.createElement('div');
  div.textContent = text;
  if (cls) div.className = cls;
  $('chatlog').appendChild(div);
  $('chatlog').scrollTop = $('chatlog').scrollHeight;
}

function waitGathering(pc) {
  return new Promise(resolve => {
    if (pc.iceGatheringState === 'complete') return resolve();
    pc.addEventListener('icegatheringstatechange', () => { if (pc.iceGatheringState === 'complete') resolve(); });
  });
}

function whenOpen(ch) {
  return new Promise((resolve, reject) => {
    if (ch.readyState === 'open') return resolve();
    ch.addEventListener('open', () => resolve());
    ch.addEventListener('close', () => reject(new Error('channel ' + ch.label + ' closed')));
  });
}

async function connect() {
  $('connect').disabled = true;
  if (pc) pc.close();
  pc = new RTCPeerConnection(await rtcConfiguration());
  pc.addEventListener('connectionstatechange', () => {
    $('state').textContent = pc.connectionState;
    if (pc.connectionState === 'failed' || pc.connectionState === 'closed') $('connect').disabled = false;
  });
  opened.hello = new Promise(resolve => {
    pc.addEventListener('datachannel', e => {
      if (e.channel.label === 'hello') {
        e.channel.addEventListener('message', m => { helloText = m.data; $('hello').textContent = m.data; resolve(m.data); });
      }
    });
  });
  chat = pc.createDataChannel('chat');
  file = pc.createDataChannel('file');
  file.binaryType = 'arraybuffer';
  opened.chat = whenOpen(chat);
  opened.file = whenOpen(file);
  chat.addEventListener('open', () => { $('chatinput').disabled = false; $('chatsend').disabled = false; $('chatinput').focus(); });
  chat.addEventListener('close', () => { $('chatinput').disabled = true; $('chatsend').disabled = true; });
  chat.addEventListener('message', e => {
    chatLine('echo: ' + e.data, 'ok');
    chatListeners.splice(0).forEach(l => l(e.data));
  });
  file.addEventListener('open', () => { $('file').disabled = false; });
  file.addEventListener('close', () => { $('file').disabled = true; });
  $('state').textContent = 'signaling';
  await pc.setLocalDescription(await pc.createOffer());
  await waitGathering(pc);
  const r = await fetch('offer', { method: 'POST', headers: { 'Content-Type': 'application/sdp' }, body: pc.localDescription.sdp });
  const body = await r.text();
  if (!r.ok) throw new Error('HTTP ' + r.status + ': ' + body);
  await pc.setRemoteDescription({ type: 'answer', sdp: body });
}

$('connect').addEventListener('click', () => connect().catch(e => {
  $('state').textContent = 'error: ' + e.message;
  $('connect').disabled = false;
}));

function sendChat(text) {
  chat.send(text);
  chatLine('sent: ' + text);
  return new Promise(resolve => chatListeners.push(resolve));
}

$('chatform').addEventListener('submit', e => {
  e.preventDefault();
  if (!chat || chat.readyState !== 'open') return;
  sendChat($('chatinput').value);
  $('chatinput').value = '';
});

/** SHA-256 (FIPS 180-4) in plain JS, for pages opened over plain http from another host, where
 *  crypto.subtle is not available (it exists only in secure contexts: https or localhost). */
function sha256Fallback(bytes) {
  const K = new Uint32Array(64), H = new Uint32Array(8);
  // The constants are the first 32 bits of the fractional parts of the cube roots (K) and square
  // roots (H) of the first primes (FIPS 180-4 §4.2.2, §5.3.3); computed rather than listed.
  const primes = [];
  for (let n = 2; primes.length < 64; n++) if (primes.every(p => n % p !== 0)) primes.push(n);
  const frac = x => ((x - Math.floor(x)) * 4294967296) >>> 0;
  primes.forEach((p, i) => { K[i] = frac(Math.cbrt(p)); if (i < 8) H[i] = frac(Math.sqrt(p)); });
  const len = bytes.length, total = ((len + 9 + 63) >> 6) << 6;
  const m = new Uint8Array(total);
  m.set(bytes); m[len] = 0x80;
  const dv = new DataView(m.buffer);
  dv.setUint32(total - 8, Math.floor(len / 0x20000000)); dv.setUint32(total - 4, (len << 3) >>> 0);
  const w = new Uint32Array(64);
  const ror = (x, n) => (x >>> n) | (x << (32 - n));
  for (let off = 0; off < total; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = dv.getUint32(off + 4 * i);
    for (let i = 16; i < 64; i++) {
      const s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >>> 3);
      const s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) >>> 0;
    }
    let [a, b, c, d, e, f, g, h] = H;
    for (let i = 0; i < 64; i++) {
      const t1 = (h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) >>> 0;
      const t2 = ((ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
      h = g; g = f; f = e; e = (d + t1) >>> 0; d = c; c = b; b = a; a = (t1 + t2) >>> 0;
    }
    H[0] += a; H[1] += b; H[2] += c; H[3] += d; H[4] += e; H[5] += f; H[6] += g; H[7] += h;
  }
  return Array.from(H, x => x.toString(16).padStart(8, '0')).join('');
}

async function sha256Hex(buf) {
  if (!crypto.subtle) return sha256Fallback(new Uint8Array(buf));
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', buf));
  return Array.from(d, b => b.toString(16).padStart(2, '0')).join('');
}

/** Sends a file through the server's echo and checks what comes back. */
async function roundTrip(f) {
  const out = $('fileresult');
  if (f.size > MAX_FILE) throw new Error('pick a file of at most ' + MAX_FILE / 1048576 + ' MiB');
  out.className = '';
  out.textContent = 'sending ' + f.name + ' (' + f.size + ' bytes)…';
  const data = await f.arrayBuffer();
  const sent = sha256Hex(data);
  const received = new Uint8Array(f.size);
  let got = 0;
  const start = performance.now();
  const done = new Promise((resolve, reject) => {
    if (f.size === 0) return resolve();
    file.onmessage = e => {
      if (typeof e.data === 'string') return; // the echoed header
      const chunk = new Uint8Array(e.data);
      received.set(chunk.subarray(0, Math.min(chunk.length, f.size - got)), got);
      got += chunk.length;
      $('progress').value = got / f.size;
      if (got >= f.size) resolve();
    };
    file.addEventListener('close', () => reject(new Error('file channel closed after ' + got + ' bytes')));
  });
  file.send(JSON.stringify({ name: f.name, size: f.size }));
  file.bufferedAmountLowThreshold = LOW_WATER;
  for (let off = 0; off < f.size; off += CHUNK) {
    if (file.bufferedAmount > HIGH_WATER) {
      await new Promise(resolve => {
        const poll = setInterval(() => { if (file.bufferedAmount <= LOW_WATER) { clearInterval(poll); resolve(); } }, 50);
        file.onbufferedamountlow = () => { clearInterval(poll); resolve(); };
      });
    }
    if (file.readyState !== 'open') throw new Error('file channel closed while sending');
    file.send(data.slice(off, Math.min(off + CHUNK, f.size)));
  }
  await done;
  const seconds = (performance.now() - start) / 1000;
  const [a, b] = [await sent, await sha256Hex(received)];
  const sizeOk = got === f.size;
  const hashOk = a === b;
  out.className = sizeOk && hashOk ? 'ok' : 'bad';
  out.textContent = (sizeOk && hashOk ? 'OK: ' : 'MISMATCH: ') + f.name + ' came back with ' + got + ' of ' + f.size + ' bytes'
    + ', SHA-256 ' + (hashOk ? 'matches: ' + a : 'sent ' + a + ', got ' + b)
    + ' in ' + seconds.toFixed(2) + ' s (' + (2 * f.size / 1e6 / Math.max(seconds, 1e-3)).toFixed(1) + ' MB/s both ways).';
  return { size: f.size, received: got, sha256: a, sha256Back: b, ok: sizeOk && hashOk, seconds };
}

$('file').addEventListener('change', async () => {
  const f = $('file').files[0];
  if (!f) return;
  $('file').disabled = true;
  try {
    await roundTrip(f);
  } catch (e) {
    $('fileresult').textContent = 'failed: ' + e.message;
    $('fileresult').className = 'bad';
  }
  $('file').disabled = !file || file.readyState !== 'open';
  $('file').value = '';
});

function timeout(p, ms, what) {
  return Promise.race([p, new Promise((_, rej) => setTimeout(() => rej(new Error(what + ': not done within ' + ms + ' ms')), ms))]);
}

async function selftest() {
  const result = { ok: false, test: 'demo', userAgent: navigator.userAgent };
  try {
    await timeout(connect(), 20000, 'connect');
    await timeout(Promise.all([opened.chat, opened.file]), 20000, 'opening chat and file');
    result.hello = await timeout(opened.hello, 20000, 'hello');
    const text = 'selftest h\u00e9llo \u2713';
    result.chatEcho = await timeout(sendChat(text), 20000, 'chat echo');
    const bytes = new Uint8Array(1024 * 1024 + 123);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) % 251;
    result.file = await timeout(roundTrip(new File([bytes], 'selftest.bin')), 40000, 'file round trip');
    result.ok = result.chatEcho === text && result.file.ok && result.hello === 'hello from jdatachannel';
  } catch (e) {
    result.error = String(e && e.message || e);
  }
  await fetch('result', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(result) });
}

if (new URLSearchParams(location.search).get('selftest') === '1') selftest();
