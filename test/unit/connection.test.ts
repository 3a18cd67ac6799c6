import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { Hub } from '../../src/core/hub.js';
import { Encoder } from '../../src/protocol/encoder.js';
import { Connection, type ConnectionContext } from '../../src/server/connection.js';
import { Flusher } from '../../src/server/flusher.js';
import type { ServerOptions } from '../../src/server/options.js';
import { MemoryTransport } from '../helpers/memory-transport.js';
import { manualClock } from '../helpers/recording-peer.js';
import { testOptions } from '../helpers/server.js';

const WELCOME_TAIL = '*** Type a message and press Enter. /help lists the commands; sair leaves.';

interface Client {
  tr: MemoryTransport;
  conn: Connection;
}

/** A hub and the context PapoServer hands its connections, with a manual clock as `now`. */
function setup(t: { after(fn: () => unknown): void }, overrides: Partial<ServerOptions> = {}) {
  const clock = manualClock();
  const options = testOptions(overrides);
  let tokens = 0;
  const hub = new Hub({ clock, newToken: () => `tok${++tokens}` });
  const closed: Connection[] = [];
  const ctx: ConnectionContext = {
    hub,
    flusher: new Flusher(),
    encoder: new Encoder(),
    options,
    floodLimits: {
      linesPerSecond: options.floodRate,
      burstLines: options.floodBurst,
      disconnectAfterSeconds: options.floodDisconnectSeconds,
    },
    log: pino({ level: 'silent' }),
    version: '0.0.0-test',
    now: () => clock.now(),
    onClosed: (c) => closed.push(c),
  };
  // Closes every connection (and its name timer) when the test ends.
  t.after(() => hub.shutdown());
  let ids = 0;
  const connect = (transport = new MemoryTransport()): Client => ({
    tr: transport,
    conn: new Connection(++ids, transport, ctx),
  });
  /** A plain client that has joined as `name`, its greeting read. */
  const join = async (name: string): Promise<Client> => {
    const client = connect();
    client.tr.pushLine(name);
    await client.tr.until(() => client.tr.text().includes(WELCOME_TAIL), `${name}'s welcome`);
    return client;
  };
  return { clock, hub, ctx, closed, connect, join };
}

/** The lines written to `c` from the `from`-th line on. */
const linesFrom = (c: Client, from: number) => c.tr.lines().slice(from);

test('greets a plain client with the banner and the name prompt in one write, then welcomes it', async (t) => {
  const { connect } = setup(t);
  const ana = connect();
  assert.equal(await ana.tr.nextWrite(), '*** papo 0.0.0-test: chat server\nYour name: ');
  ana.tr.pushLine('ana');
  assert.equal(await ana.tr.nextWrite(), `*** Welcome, ana!\n*** Online now (1): ana\n${WELCOME_TAIL}\n`);
  assert.equal(ana.tr.lineLimit, 8 * 1024, 'a plain line is measured up to 8 KiB');
  assert.equal(ana.conn.format, 'plain');
});

test('a JSON hello as the first line picks JSON lines', async (t) => {
  const { connect, join } = setup(t);
  const ana = await join('ana');
  const bot = connect();
  await bot.tr.nextWrite();
  bot.tr.pushLine('{"type":"hello","version":2,"name":"bot"}');
  const [end, hello, welcome, ...rest] = (await bot.tr.nextWrite()).split('\n');
  assert.equal(end, '', 'the prompt line is ended first');
  assert.deepEqual(JSON.parse(hello as string), {
    type: 'hello',
    version: 2,
    server: 'papo/0.0.0-test',
    limits: { messageBytes: 1024, nameChars: 32, lineBytes: 16384 },
    heartbeatSeconds: 30,
    defaultRoom: '#geral',
  });
  assert.deepEqual(JSON.parse(welcome as string), {
    type: 'welcome',
    name: 'bot',
    token: 'tok2',
    room: '#geral',
    users: ['ana', 'bot'],
    userCount: 2,
    resumed: false,
  });
  assert.deepEqual(rest, ['']);
  assert.equal(bot.conn.format, 'json');
  await ana.tr.until(() => ana.tr.text().endsWith('\n*** bot joined the chat.\n'), 'the join');
});

test('a message-framed transport speaks JSON from its first message, without the plain prompt', async (t) => {
  const { connect } = setup(t);
  const ws = connect(new MemoryTransport({ jsonOnly: true }));
  assert.equal(ws.tr.lineLimit, 16 * 1024);
  ws.tr.pushLine('{"type":"hello","version":2}');
  ws.tr.pushLine('{"type":"join","name":"web","ref":1}');
  const lines = (await ws.tr.nextWrite()).split('\n');
  assert.deepEqual(
    lines.map((l) => l && (JSON.parse(l) as { type: string }).type),
    ['hello', 'welcome', ''],
  );
});

test('several events of one turn go out in one write', async (t) => {
  const { join } = setup(t);
  const ana = await join('ana');
  const bob = await join('bob');
  await ana.tr.until(() => ana.tr.text().endsWith('*** bob joined the chat.\n'), 'the join');
  const writes = bob.tr.writes.length;
  ana.tr.pushLine('um');
  ana.tr.pushLine('/me dois');
  ana.tr.pushLine('três');
  assert.equal(await bob.tr.nextWrite(), 'ana: um\n* ana dois\nana: três\n');
  assert.equal(bob.tr.writes.length, writes + 1);
});

test('flood control slows a sender down, then cuts one far over the rate', async (t) => {
  const { join } = setup(t, { floodRate: 1, floodBurst: 2, floodDisconnectSeconds: 2 });
  const bob = await join('bob');
  const ana = await join('ana'); // the name took one of ana's two lines
  await bob.tr.until(() => bob.tr.text().endsWith('*** ana joined the chat.\n'), 'the join');
  const seen = bob.tr.lines().length;
  ana.tr.pushLine('a'); // one line over the burst: delayed
  assert.equal(
    await ana.tr.nextWrite(),
    '*** Slow down: you are sending faster than 1 lines per second; your messages are being delayed.\n',
  );
  assert.equal(ana.tr.paused, true, 'reading pauses while a line waits');
  ana.tr.pushLine('b');
  ana.tr.pushLine('c'); // two seconds of debt: cut
  await ana.tr.whenClosed();
  assert.deepEqual(ana.tr.lines().slice(-1), [
    '!! Disconnected: far too many messages too fast (flood control).',
  ]);
  assert.equal(ana.tr.ended, true);
  await bob.tr.until(() => bob.tr.lines().length > seen, 'the leave');
  assert.deepEqual(linesFrom(bob, seen), ['*** ana left the chat (disconnected for flooding).']);
});

test('a delayed line goes out when its time has come, and reading resumes', async (t) => {
  const { join, clock } = setup(t, { floodRate: 1, floodBurst: 2, floodDisconnectSeconds: 2 });
  const bob = await join('bob');
  const ana = await join('ana');
  await bob.tr.until(() => bob.tr.text().endsWith('*** ana joined the chat.\n'), 'the join');
  ana.tr.pushLine('a');
  await ana.tr.nextWrite();
  assert.equal(ana.tr.paused, true);
  clock.t += 10; // the line's wait (6 ms of debt at one line per second) is over
  assert.equal(await bob.tr.nextWrite(), 'ana: a\n');
  assert.equal(ana.tr.paused, false);
});

/** ana and bob, whose client has stopped reading: what bob is written stays buffered. */
async function slowReader(t: { after(fn: () => unknown): void }) {
  const s = setup(t, { sendQueueBytes: 1000, floodRate: 0 });
  const ana = await s.join('ana');
  const bob = await s.join('bob');
  await ana.tr.until(() => ana.tr.text().endsWith('*** bob joined the chat.\n'), 'the join');
  bob.tr.holdWrites = true;
  /** ana says `count` lines of `size` characters in one turn; resolves when bob's write is made. */
  const burst = async (count: number, size: number) => {
    const written = bob.tr.nextWrite();
    for (let i = 0; i < count; i++) ana.tr.pushLine('x'.repeat(size));
    await written;
  };
  /** ana says `text`; resolves when ana's next flush (which reports a cut) has happened. */
  const say = async (text: string) => {
    const before = bob.tr.writes.length;
    ana.tr.pushLine(text);
    await bob.tr.until(() => bob.tr.writes.length > before || bob.tr.destroyed, `"${text}" or the cut`);
  };
  return { ...s, ana, bob, burst, say };
}

test('a burst over --send-queue that the reader drains keeps the connection', async (t) => {
  const { clock, bob, hub, burst, say } = await slowReader(t);
  await burst(3, 500); // 1518 bytes unsent, over the 1000-byte limit
  assert.equal(bob.tr.bufferedBytes, 1518);
  bob.tr.drain();
  clock.t += 20_000;
  await say('after');
  assert.equal(bob.tr.destroyed, false);
  assert.deepEqual(bob.tr.lines().slice(-1), ['ana: after']);
  assert.ok(hub.findUser('bob'));
});

test('unsent output that stays over --send-queue without draining for 10 s is cut', async (t) => {
  const { clock, ana, bob, burst, say } = await slowReader(t);
  await burst(3, 500);
  clock.t += 9_000;
  await say('still within the grace');
  assert.equal(bob.tr.destroyed, false, 'new output does not restart the grace, but it is not over yet');
  const seen = ana.tr.lines().length;
  clock.t += 1_001;
  await say('too late');
  assert.equal(bob.tr.destroyed, true);
  assert.ok(!bob.tr.text().includes('too late'));
  await ana.tr.until(() => ana.tr.lines().length > seen, 'the leave');
  assert.deepEqual(linesFrom(ana, seen), ['*** bob left the chat (disconnected: not reading).']);
});

test('a reader that keeps draining, however slowly, is not cut while it drains', async (t) => {
  const { clock, bob, burst, say } = await slowReader(t);
  await burst(5, 500); // 2530 bytes unsent
  for (let i = 1; i <= 3; i++) {
    clock.t += 6_000;
    bob.tr.drain(300); // still over the limit, but it took something
    await say(`step ${i}`);
    assert.equal(bob.tr.destroyed, false, `step ${i}`);
  }
  clock.t += 10_001; // then it stops reading
  await say('stopped');
  assert.equal(bob.tr.destroyed, true);
});

test('unsent output past 16 times --send-queue is cut at once', async (t) => {
  const { ana, bob } = await slowReader(t);
  const writes = bob.tr.writes.length;
  const seen = ana.tr.lines().length;
  const cut = bob.tr.until(() => bob.tr.destroyed, 'the cut');
  ana.tr.pushLine('x'.repeat(1000));
  for (let i = 0; i < 16; i++) ana.tr.pushLine('x'.repeat(1000)); // 17 × 1006 bytes > 16,000
  await cut;
  assert.equal(bob.tr.writes.length, writes, 'none of the burst was written');
  await ana.tr.until(() => ana.tr.lines().length > seen, 'the leave');
  assert.deepEqual(linesFrom(ana, seen), ['*** bob left the chat (disconnected: not reading).']);
});

test('an unknown command is echoed without its escape sequence (#18)', async (t) => {
  const { join } = setup(t);
  const ana = await join('ana');
  ana.tr.pushLine('/\x1b]0;TITLE\x07x');
  assert.equal(
    await ana.tr.nextWrite(),
    '!! Unknown command /\uFFFD]0;title\uFFFDx. Type /help for the list; start with // to send a line beginning with /.\n',
  );
});

test('a client that closes its side leaves the chat as a lost connection', async (t) => {
  const { join, closed } = setup(t);
  const ana = await join('ana');
  const bob = await join('bob');
  await ana.tr.until(() => ana.tr.text().endsWith('*** bob joined the chat.\n'), 'the join');
  bob.tr.endInput();
  assert.equal(await ana.tr.nextWrite(), '*** bob left the chat (connection lost).\n');
  await bob.tr.whenClosed();
  assert.deepEqual(closed, [bob.conn]);
});

test('a message whose journal write failed is answered STORAGE_FAILED with its ref, not acknowledged', async (t) => {
  const { ctx, connect, hub } = setup(t);
  const unjournaled = new Map<number, string>();
  ctx.unjournaled = unjournaled;
  // What the store does when its journal write fails: it names the turn's messages inside the
  // flush hook, before any output of the turn is written (issue #18).
  const failing = new Set<number>();
  ctx.flusher.beforeFlush(() => {
    for (const id of failing) unjournaled.set(id, 'the disk is full');
    failing.clear();
  });
  const bot = connect();
  await bot.tr.nextWrite();
  bot.tr.pushLine('{"type":"hello","version":2,"name":"bot"}');
  await bot.tr.nextWrite();
  failing.add(hub.nextEventId);
  bot.tr.pushLine('{"type":"say","text":"lost","ref":1}');
  const refused = JSON.parse(await bot.tr.nextWrite()) as Record<string, unknown>;
  assert.deepEqual([refused.type, refused.code, refused.ref], ['error', 'STORAGE_FAILED', 1]);
  assert.match(String(refused.message), /the disk is full; message \d+ was not acknowledged/);
  bot.tr.pushLine('{"type":"say","text":"kept","ref":2}');
  const ack = JSON.parse(await bot.tr.nextWrite()) as Record<string, unknown>;
  assert.deepEqual([ack.type, ack.ref], ['ack', 2]);
  assert.equal(unjournaled.size, 0, 'each failure is answered once');
});
