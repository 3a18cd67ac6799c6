import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serveChat } from '../helpers/server.js';
import { LineClient } from '../helpers/line-client.js';

test('a hello as first line starts a JSON session with a versioned hello and a welcome', async (t) => {
  const { srv } = await serveChat(t);
  const c = await LineClient.connect(srv.port);
  t.after(() => c.destroy());
  c.sendLine('{"type":"hello","version":1,"name":"bot"}');
  assert.equal(await c.nextLine(), '*** papo 0.0.0-test: chat server');
  assert.equal(await c.nextLine(), 'Your name: ', 'the prompt line is ended for JSON clients');
  assert.deepEqual(await c.nextJson(), {
    type: 'hello',
    version: 1,
    server: 'papo/0.0.0-test',
    limits: { messageBytes: 1024, nameChars: 32, lineBytes: 16384 },
    heartbeatSeconds: 30,
    defaultRoom: '#geral',
  });
  const welcome = await c.nextJson();
  assert.equal(welcome.type, 'welcome');
  assert.equal(welcome.name, 'bot');
  assert.deepEqual(welcome.users, ['bot']);
  assert.match(String(welcome.token), /^[A-Za-z0-9_-]{32}$/);
});

test('plain and JSON users share one chat', async (t) => {
  const { bot, join } = await serveChat(t);
  const ana = await join('ana');
  const { c: b, welcome } = await bot('bot');
  assert.deepEqual(welcome.users, ['ana', 'bot']);
  assert.equal(await ana.nextLine(), '*** bot joined the chat.');
  b.sendLine('{"type":"say","text":"hi ana","ref":1}');
  const ack = await b.nextJson();
  assert.equal(ack.type, 'ack');
  assert.equal(ack.ref, 1);
  assert.equal(await ana.nextLine(), 'bot: hi ana');
  ana.sendLine('oi bot');
  const m = await b.nextJson();
  assert.equal(m.type, 'message');
  assert.equal(m.from, 'ana');
  assert.equal(m.text, 'oi bot');
  assert.ok((m.id as number) > (ack.id as number));
  assert.ok(typeof m.ts === 'number');
  b.sendLine('{"type":"me","text":"beeps"}');
  await b.jsonOfType('ack');
  assert.equal(await ana.nextLine(), '* bot beeps');
});

test('JSON requests: who, msg, nick, ping, errors with codes and refs', async (t) => {
  const { bot } = await serveChat(t);
  const { c: a } = await bot('a1');
  const { c: b } = await bot('b1');
  await a.jsonOfType('join');
  a.sendLine('{"type":"who","ref":"w"}');
  assert.deepEqual(await a.nextJson(), { type: 'users', room: '#geral', users: ['a1', 'b1'], ref: 'w' });
  a.sendLine('{"type":"msg","to":"B1","text":"psst","ref":2}');
  const p = await b.jsonOfType('private');
  assert.deepEqual({ from: p.from, to: p.to, text: p.text }, { from: 'a1', to: 'b1', text: 'psst' });
  assert.equal((await a.nextJson()).ref, 2);
  a.sendLine('{"type":"msg","to":"zz","text":"x","ref":3}');
  assert.deepEqual(await a.nextJson(), {
    type: 'error',
    code: 'NO_SUCH_USER',
    message: 'No user named zz is online. /who lists who is.',
    ref: 3,
  });
  a.sendLine('not json');
  const bad = await a.nextJson();
  assert.equal(bad.code, 'BAD_REQUEST');
  a.sendLine(JSON.stringify({ type: 'say', text: 'x'.repeat(1025), ref: 'big' }));
  const big = await a.nextJson();
  assert.equal(big.code, 'MESSAGE_TOO_LONG');
  assert.match(String(big.message), /1025 bytes, the limit is 1024/);
  a.sendLine('{"type":"nick","name":"b1"}');
  assert.equal((await a.nextJson()).code, 'NAME_TAKEN');
  a.sendLine('{"type":"nick","name":"a2","ref":"n"}');
  const told = await a.nextJson();
  assert.deepEqual([told.type, told.old, told.new], ['nick', 'a1', 'a2'], 'the renamed user is told too');
  const renamed = await a.nextJson();
  assert.deepEqual([renamed.type, renamed.name, renamed.ref], ['ack', 'a2', 'n']);
  const nick = await b.jsonOfType('nick');
  assert.deepEqual([nick.old, nick.new], ['a1', 'a2']);
  a.sendLine('{"type":"ping","ref":9}');
  assert.deepEqual(await a.nextJson(), { type: 'pong', ref: 9 });
  a.sendLine('{"type":"quit"}');
  assert.deepEqual(await a.nextJson(), { type: 'bye', reason: 'quit' });
  await a.closedByServer();
  const leave = await b.jsonOfType('leave');
  assert.deepEqual([leave.name, leave.reason], ['a2', 'quit']);
});

test('a taken or invalid name can be retried with join', async (t) => {
  const { bot } = await serveChat(t);
  await bot('ana');
  const { c, welcome } = await bot('ANA');
  assert.equal(welcome.type, 'error');
  assert.equal(welcome.code, 'NAME_TAKEN');
  c.sendLine('{"type":"join","name":"a b"}');
  assert.equal((await c.nextJson()).code, 'NAME_INVALID');
  c.sendLine('{"type":"join","name":"bia"}');
  assert.equal((await c.nextJson()).type, 'welcome');
});

test('refuses an unknown protocol version', async (t) => {
  const { srv } = await serveChat(t);
  const c = await LineClient.connect(srv.port);
  t.after(() => c.destroy());
  c.sendLine('{"type":"hello","version":3,"name":"x"}');
  const e = await c.nextJson();
  assert.equal(e.code, 'UNSUPPORTED_VERSION');
  await c.closedByServer();
});

test('the session token takes a name back from a ghost connection at once; nobody else can', async (t) => {
  const { bot, join } = await serveChat(t);
  const ana = await join('ana');
  const { c: old, welcome } = await bot('bot');
  await ana.lineMatching('*** bot joined the chat.');
  const { welcome: stolen } = await bot('bot', { token: 'not-the-token' });
  assert.equal(stolen.code, 'NAME_TAKEN');
  const { c: again, welcome: back } = await bot('bot', { token: welcome.token });
  assert.equal(back.type, 'welcome');
  assert.equal(back.resumed, true);
  assert.notEqual(back.token, welcome.token);
  assert.deepEqual(await old.jsonOfType('bye'), { type: 'bye', reason: 'replaced' });
  again.sendLine('{"type":"say","text":"back"}');
  assert.equal(await ana.nextLine(), 'bot: back', 'no leave or join notice in between');
});

test('pings a quiet JSON client and drops it when it stays silent', async (t) => {
  const { bot, join } = await serveChat(t, { heartbeatSeconds: 0.2 });
  const ana = await join('ana');
  const { c } = await bot('quiet');
  await ana.lineMatching('*** quiet joined the chat.');
  assert.deepEqual(await c.jsonOfType('ping'), { type: 'ping' });
  assert.equal(await ana.nextLine(), '*** quiet left the chat (timed out).');
  await c.closedByServer();
});

test('a client that answers pings stays', async (t) => {
  const { bot } = await serveChat(t, { heartbeatSeconds: 0.1 });
  const { c } = await bot('alive');
  for (let i = 0; i < 4; i++) {
    await c.jsonOfType('ping');
    c.sendLine('{"type":"pong"}');
  }
  c.sendLine('{"type":"ping","ref":"still"}');
  assert.deepEqual(await c.jsonOfType('pong'), { type: 'pong', ref: 'still' });
});
