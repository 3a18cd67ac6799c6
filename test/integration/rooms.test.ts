import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serveChat } from '../helpers/server.js';
import { LineClient } from '../helpers/line-client.js';

// These servers run without message history (serveChat passes no store): rooms do not need it.

/**
 * The lines a plain client received since its last read: it sends /ping and reads up to the
 * pong. Whatever the server queued for it before handling the ping comes first, so this is
 * exact once the action being checked has been handled.
 */
async function seen(c: LineClient): Promise<string[]> {
  c.sendLine('/ping');
  const lines: string[] = [];
  for (let line = await c.nextLine(); line !== '*** pong'; line = await c.nextLine()) lines.push(line);
  return lines;
}

/** The JSON messages a client received since its last read, up to the pong answering `ref`. */
async function seenJson(c: LineClient, ref: string): Promise<Record<string, unknown>[]> {
  c.sendLine(JSON.stringify({ type: 'ping', ref }));
  const messages: Record<string, unknown>[] = [];
  for (let m = await c.nextJson(); m.type !== 'pong' || m.ref !== ref; m = await c.nextJson())
    messages.push(m);
  return messages;
}

/** A JSON message with its `id` and `ts` checked to be numbers and taken out (they vary). */
function unstamped(m: Record<string, unknown> | undefined): Record<string, unknown> {
  assert.ok(m);
  const { id, ts, ...rest } = m;
  assert.equal(typeof id, 'number', JSON.stringify(m));
  assert.equal(typeof ts, 'number', JSON.stringify(m));
  return rest;
}

/** Connects a JSON client speaking version 2 as `name`; returns it after its welcome. */
async function bot2(port: number, name: string, track: (c: LineClient) => void) {
  const c = await LineClient.connect(port);
  track(c);
  c.sendLine(JSON.stringify({ type: 'hello', version: 2, name }));
  assert.equal((await c.jsonOfType('hello')).version, 2);
  return { c, welcome: await c.nextJson() };
}

test('plain users create, join, talk in, switch between and leave rooms; one who never does sees today’s chat', async (t) => {
  const { join } = await serveChat(t);
  const dora = await join('dora'); // never types a room command
  const ana = await join('ana');
  const bob = await join('bob');
  const carol = await join('carol');
  assert.deepEqual(await seen(ana), ['*** bob joined the chat.', '*** carol joined the chat.']);
  assert.deepEqual(await seen(bob), ['*** carol joined the chat.']);
  assert.deepEqual(await seen(carol), []);

  ana.sendLine('/join #rust');
  assert.deepEqual(await seen(ana), [
    '*** You are in #rust now; your lines go there.',
    '*** In #rust (1): ana',
  ]);
  bob.sendLine('/join #RUST');
  assert.deepEqual(await seen(bob), [
    '*** You are in #rust now; your lines go there.',
    '*** In #rust (2): ana, bob',
  ]);
  assert.deepEqual(await seen(ana), ['*** bob joined #rust.']);

  ana.sendLine('oi rust');
  assert.deepEqual(await seen(ana), []);
  carol.sendLine('bom dia');
  assert.deepEqual(await seen(carol), []);
  assert.deepEqual(await seen(bob), ['ana: oi rust', '[#geral] carol: bom dia']);
  assert.deepEqual(await seen(ana), ['[#geral] carol: bom dia']);

  bob.sendLine('/join #geral'); // a room bob is in: only a switch
  assert.deepEqual(await seen(bob), [
    '*** You are in #geral now; your lines go there.',
    '*** In #geral (4): dora, ana, bob, carol',
  ]);
  ana.sendLine('/me likes crabs');
  assert.deepEqual(await seen(ana), []);
  bob.sendLine('oi geral');
  assert.deepEqual(await seen(bob), ['[#rust] * ana likes crabs']);
  assert.deepEqual(await seen(ana), ['[#geral] bob: oi geral']);

  const eve = await join('eve');
  assert.deepEqual(await seen(ana), ['*** [#geral] eve joined the chat.']);
  assert.deepEqual(await seen(bob), ['*** eve joined the chat.']);

  carol.sendLine('/join #go');
  carol.sendLine('/topic Go, only Go');
  carol.sendLine('/part #go');
  assert.deepEqual(await seen(carol), [
    'bob: oi geral',
    '*** eve joined the chat.',
    '*** You are in #go now; your lines go there.',
    '*** In #go (1): carol',
    '*** carol set the topic of #go: Go, only Go',
    '*** carol left #go.',
    '*** You are in #geral now; your lines go there.',
    '*** In #geral (5): dora, ana, bob, carol, eve',
  ]);

  ana.sendLine('/part #rust off to lunch');
  assert.deepEqual(await seen(ana), [
    '*** ana left #rust (off to lunch).',
    '*** You are in #geral now; your lines go there.',
    '*** In #geral (5): dora, ana, bob, carol, eve',
  ]);
  assert.deepEqual(await seen(bob), ['*** ana left #rust (off to lunch).']);
  ana.sendLine('/quit');
  await ana.closedByServer();
  assert.deepEqual(await seen(bob), ['*** ana left the chat.']);
  assert.deepEqual(await seen(eve), ['*** ana left the chat.']);

  assert.deepEqual(await seen(dora), [
    '*** ana joined the chat.',
    '*** bob joined the chat.',
    '*** carol joined the chat.',
    'carol: bom dia',
    'bob: oi geral',
    '*** eve joined the chat.',
    '*** ana left the chat.',
  ]);
});

test('/rooms, /topic and /who #room answer in exact lines; mistakes are explained', async (t) => {
  const { join } = await serveChat(t);
  const ana = await join('ana');
  const bob = await join('bob');
  ana.sendLine('/join #Rust');
  ana.sendLine('/topic crabs and more');
  ana.sendLine('/topic');
  assert.deepEqual(await seen(ana), [
    '*** bob joined the chat.',
    '*** You are in #Rust now; your lines go there.',
    '*** In #Rust (1): ana',
    '*** ana set the topic of #Rust: crabs and more',
    '*** Topic of #Rust: crabs and more',
  ]);
  bob.sendLine('/rooms');
  bob.sendLine('/topic');
  bob.sendLine('/who #rust');
  bob.sendLine('/who');
  bob.sendLine('/who #nope');
  assert.deepEqual(await seen(bob), [
    '*** Rooms (2):',
    '***   #geral (2)',
    '***   #Rust (1): crabs and more',
    '*** #geral has no topic.',
    '*** In #Rust (1): ana',
    '*** Online now (2): ana, bob',
    '!! There is no room #nope. /rooms lists the rooms; /join #nope creates it.',
  ]);
  bob.sendLine('/join rust');
  bob.sendLine('/join #a b');
  bob.sendLine('/join #x\u200b');
  bob.sendLine(`/join #${'x'.repeat(33)}`);
  bob.sendLine('/part');
  bob.sendLine('/part #rust');
  bob.sendLine('/part #nope');
  assert.deepEqual(await seen(bob), [
    '!! Usage: /join #room',
    '!! Usage: /join #room',
    '!! Room name not accepted: the character U+200B is not allowed (use letters, digits and _ - .).',
    '!! Room name not accepted: it has 33 characters, the limit is 32.',
    '!! You are only in #geral, the default room: there is no other room to go back to.',
    '!! You are not in #rust; /join #rust first.',
    '!! There is no room #nope. /rooms lists the rooms; /join #nope creates it.',
  ]);
  ana.sendLine('/join #geral');
  ana.sendLine('/part #rust');
  ana.sendLine('/rooms');
  assert.deepEqual((await seen(ana)).slice(-2), ['*** Rooms (1):', '***   #geral (2)']);
  bob.sendLine('/join #RUST');
  assert.deepEqual(await seen(bob), [
    '*** You are in #Rust now; your lines go there. Topic: crabs and more',
    '*** In #Rust (1): bob',
  ]);
});

test('JSON v2: join_room, say to a room, events carrying their room, rooms, topic, part_room', async (t) => {
  const { srv, join } = await serveChat(t);
  const clients: LineClient[] = [];
  t.after(() => clients.forEach((c) => c.destroy()));
  const ana = await join('ana');
  const { c: bot, welcome } = await bot2(srv.port, 'bot', (c) => clients.push(c));
  assert.deepEqual(
    { ...welcome, token: typeof welcome.token },
    {
      type: 'welcome',
      name: 'bot',
      token: 'string',
      room: '#geral',
      users: ['ana', 'bot'],
      userCount: 2,
      resumed: false,
    },
  );
  bot.sendLine('{"type":"join_room","room":"#dev","ref":1}');
  assert.deepEqual(await seenJson(bot, 'a'), [
    { type: 'room', room: '#dev', topic: '', users: ['bot'], userCount: 1, ref: 1 },
  ]);
  ana.sendLine('/join #dev');
  assert.deepEqual(await seen(ana), [
    '*** bot joined the chat.',
    '*** You are in #dev now; your lines go there.',
    '*** In #dev (2): bot, ana',
  ]);
  bot.sendLine('{"type":"say","room":"#dev","text":"hi dev","ref":2}');
  bot.sendLine('{"type":"say","text":"hi all","ref":3}');
  const [joined, ack2, ack3, ...none] = await seenJson(bot, 'b');
  assert.deepEqual(unstamped(joined), { type: 'join', room: '#dev', name: 'ana' });
  assert.deepEqual(unstamped(ack2), { type: 'ack', room: '#dev', ref: 2 });
  assert.deepEqual(unstamped(ack3), { type: 'ack', room: '#geral', ref: 3 });
  assert.deepEqual(none, []);
  assert.ok((ack3?.id as number) > (ack2?.id as number));
  assert.deepEqual(await seen(ana), ['bot: hi dev', '[#geral] bot: hi all']);

  ana.sendLine('oi');
  ana.sendLine('/me waves');
  assert.deepEqual(await seen(ana), []);
  bot.sendLine('{"type":"topic","room":"#dev","text":"dev talk","ref":4}');
  bot.sendLine('{"type":"topic","room":"#dev","ref":5}');
  bot.sendLine('{"type":"rooms","ref":6}');
  bot.sendLine('{"type":"who","room":"#dev","ref":7}');
  const got = await seenJson(bot, 'c');
  assert.deepEqual(got.slice(0, 4).map(unstamped), [
    { type: 'message', room: '#dev', from: 'ana', text: 'oi' },
    { type: 'action', room: '#dev', from: 'ana', text: 'waves' },
    { type: 'topic', room: '#dev', by: 'bot', text: 'dev talk' },
    { type: 'ack', room: '#dev', ref: 4 },
  ]);
  assert.deepEqual(got.slice(4), [
    { type: 'topic_info', room: '#dev', text: 'dev talk', ref: 5 },
    {
      type: 'rooms',
      rooms: [
        { room: '#dev', users: 2, topic: 'dev talk' },
        { room: '#geral', users: 2, topic: '' },
      ],
      ref: 6,
    },
    { type: 'users', room: '#dev', users: ['bot', 'ana'], ref: 7 },
  ]);
  assert.deepEqual(await seen(ana), ['*** bot set the topic of #dev: dev talk']);

  bot.sendLine('{"type":"part_room","room":"#dev","reason":"bye","ref":8}');
  bot.sendLine('{"type":"say","room":"#dev","text":"still here?","ref":9}');
  bot.sendLine('{"type":"join_room","room":"dev","ref":10}');
  bot.sendLine('{"type":"part_room","ref":11}');
  const [part, ack8, ...rest] = await seenJson(bot, 'd');
  assert.deepEqual(unstamped(part), { type: 'part', room: '#dev', name: 'bot', reason: 'bye' });
  assert.deepEqual(unstamped(ack8), { type: 'ack', room: '#dev', ref: 8 });
  assert.deepEqual(rest, [
    // #dev was the bot's current room: it is back in #geral.
    { type: 'room', room: '#geral', topic: '', users: ['ana', 'bot'], userCount: 2 },
    { type: 'error', code: 'NOT_IN_ROOM', message: 'You are not in #dev; /join #dev first.', ref: 9 },
    {
      type: 'error',
      code: 'ROOM_INVALID',
      message: 'Room name not accepted: a room name starts with #.',
      ref: 10,
    },
    {
      type: 'error',
      code: 'LAST_ROOM',
      message: 'You are only in #geral, the default room: there is no other room to go back to.',
      ref: 11,
    },
  ]);
  assert.deepEqual(await seen(ana), ['*** bot left #dev (bye).']);
});

test('a JSON v1 client that never names a room still chats in the default room', async (t) => {
  const { bot, join } = await serveChat(t);
  const ana = await join('ana');
  const { c: old, welcome } = await bot('old');
  assert.equal(welcome.type, 'welcome');
  assert.deepEqual(welcome.users, ['ana', 'old']);
  old.sendLine('{"type":"say","text":"hello","ref":1}');
  assert.deepEqual(unstamped(await old.nextJson()), { type: 'ack', room: '#geral', ref: 1 });
  ana.sendLine('/join #elsewhere');
  ana.sendLine('only for #elsewhere');
  ana.sendLine('/join #geral');
  ana.sendLine('back home');
  assert.deepEqual((await seen(ana)).slice(0, 2), ['*** old joined the chat.', 'old: hello']);
  assert.deepEqual((await seenJson(old, 'p')).map(unstamped), [
    { type: 'message', room: '#geral', from: 'ana', text: 'back home' },
  ]);
  old.sendLine('{"type":"who","ref":2}');
  assert.deepEqual(await old.nextJson(), { type: 'users', room: '#geral', users: ['ana', 'old'], ref: 2 });
});

test('room commands count against flood control', async (t) => {
  const { join } = await serveChat(t, { floodRate: 1, floodBurst: 5, floodDisconnectSeconds: 2 });
  const ana = await join('ana');
  const bob = await join('bob');
  ana.send('/rooms\n'.repeat(20));
  assert.equal(
    await ana.lineMatching(/^\*\*\* Slow down/),
    '*** Slow down: you are sending faster than 1 lines per second; your messages are being delayed.',
  );
  assert.equal(
    await ana.lineMatching(/^!! /),
    '!! Disconnected: far too many messages too fast (flood control).',
  );
  await ana.closedByServer();
  assert.equal(
    await bob.lineMatching(/^\*\*\* ana left/),
    '*** ana left the chat (disconnected for flooding).',
  );
});

/** A JSON `say` line whose text is exactly `bytes` bytes: `tag:` padded with dots. */
function sayLine(tag: string, bytes: number): string {
  return JSON.stringify({ type: 'say', text: `${tag}:`.padEnd(bytes, '.') }) + '\n';
}

/**
 * Reads a JSON client's messages until it has `count` messages from others (and `acks` acks),
 * checking each sender's messages arrive in order (texts are `sender-k:…`); returns any other
 * events seen on the way. Fails on an error or a bye.
 */
async function readMessages(c: LineClient, count: number, acks: number, next: Map<string, number>) {
  const other: Record<string, unknown>[] = [];
  let got = 0;
  let acked = 0;
  while (got < count || acked < acks) {
    const m = await c.nextJson(20_000);
    if (m.type === 'message') {
      const [sender, k] = String(m.text).split(':')[0]?.split('-') ?? [];
      assert.equal(Number(k), next.get(sender as string) ?? 0, `${String(sender)}'s messages in order`);
      next.set(sender as string, Number(k) + 1);
      got++;
    } else if (m.type === 'ack') acked++;
    else if (m.type === 'error' || m.type === 'bye') assert.fail(`unexpected ${JSON.stringify(m)}`);
    else other.push(m);
  }
  return other;
}

test('60 JSON users each sending 38 messages of 1000 bytes at once: every reader stays and gets every message (#18)', async (t) => {
  // 38 lines of 1024 bytes weigh 76 line-units against a burst of 40: flood control delays the
  // rest (by 3.6 s at 10 a second) without cutting anyone. Each reader is sent ~1.3 MB at once,
  // over the 1 MiB send queue, and reads it at its pace.
  const { srv } = await serveChat(t, { floodBurst: 40, floodRate: 10, floodDisconnectSeconds: 10 });
  const USERS = 60;
  const EACH = 38;
  const clients: LineClient[] = [];
  t.after(() => clients.forEach((c) => c.destroy()));
  for (let i = 0; i < USERS; i += 20) {
    const batch = Array.from({ length: 20 }, (_, j) => bot2(srv.port, `u${i + j}`, (c) => clients.push(c)));
    await Promise.all(batch);
  }
  assert.equal(srv.server.hub.userCount, USERS);
  // Every join has been handled: read the join notices up to now.
  await Promise.all(clients.map((c, i) => seenJson(c, `ready${i}`)));
  clients.forEach((c, i) =>
    c.send(Array.from({ length: EACH }, (_, k) => sayLine(`u${i}-${k}`, 1000)).join('')),
  );
  await Promise.all(
    clients.map(async (c) => {
      const other = await readMessages(c, (USERS - 1) * EACH, EACH, new Map());
      const seenTypes = other.map((m) => (m.type === 'notice' ? m.code : m.type));
      assert.deepEqual(seenTypes, ['THROTTLED'], 'each sender was slowed down; no leave: nobody was cut');
    }),
  );
  assert.equal(srv.server.hub.userCount, USERS);
});

test('a user who stops reading during such bursts is still cut; the one reading is not', async (t) => {
  // Past 16 times the 64 KiB send queue (and what the kernel buffers) the sleeper is cut at once.
  const { srv } = await serveChat(t, { sendQueueBytes: 64 * 1024, floodRate: 0 });
  const clients: LineClient[] = [];
  t.after(() => clients.forEach((c) => c.destroy()));
  const track = (c: LineClient) => clients.push(c);
  const senders = await Promise.all(['s0', 's1', 's2', 's3'].map((n) => bot2(srv.port, n, track)));
  const { c: reader } = await bot2(srv.port, 'reader', track);
  const { c: sleeper } = await bot2(srv.port, 'sleeper', track);
  await seenJson(reader, 'ready');
  sleeper.socket.pause();
  const EACH = 38;
  const next = new Map<string, number>();
  let cut: Record<string, unknown> | undefined;
  for (let round = 0; round < 200 && !cut; round++) {
    senders.forEach(({ c }, i) =>
      c.send(Array.from({ length: EACH }, (_, k) => sayLine(`s${i}-${round * EACH + k}`, 1000)).join('')),
    );
    const other = await readMessages(reader, senders.length * EACH, 0, next);
    cut = other.find((m) => m.type === 'leave');
  }
  assert.ok(cut, 'the sleeper was cut');
  assert.deepEqual(unstamped(cut), { type: 'leave', name: 'sleeper', reason: 'slow' });
  assert.deepEqual(await seenJson(reader, 'after'), [], 'the reader is still served');
  assert.equal(srv.server.hub.userCount, 5);
});
