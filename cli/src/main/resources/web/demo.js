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
  pc = new RTCPeerConnection({ iceServers: [] });
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

async function sha256Hex(buf) {
  if (!crypto.subtle) return null; // only in secure contexts (https or localhost)
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
  const hashOk = a === null || a === b;
  out.className = sizeOk && hashOk ? 'ok' : 'bad';
  out.textContent = (sizeOk && hashOk ? 'OK: ' : 'MISMATCH: ') + f.name + ' came back with ' + got + ' of ' + f.size + ' bytes'
    + (a === null ? ' (SHA-256 needs a secure context: open the page via localhost or https)' : ', SHA-256 ' + (hashOk ? 'matches: ' + a : 'sent ' + a + ', got ' + b))
    + ' in ' + seconds.toFixed(2) + ' s (' + (2 * f.size / 1e6 / Math.max(seconds, 1e-3)).toFixed(1) + ' MB/s both ways).';
  return { size: f.size, received: got, sha256: a, sha256Back: b, ok: sizeOk && hashOk && a !== null, seconds };
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
