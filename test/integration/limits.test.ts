import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { serveChat } from '../helpers/server.js';
import { LineClient } from '../helpers/line-client.js';

test('a paste of 20 lines is relayed at once, without a throttle notice', async (t) => {
  const { join } = await serveChat(t);
  const ana = await join('ana');
  const bob = await join('bob');
  await ana.lineMatching('*** bob joined the chat.');
  ana.send(Array.from({ length: 20 }, (_, i) => `line ${i}\n`).join(''));
  for (let i = 0; i < 20; i++) assert.equal(await bob.nextLine(), `ana: line ${i}`);
  ana.sendLine('/ping');
  assert.equal(await ana.nextLine(), '*** pong');
});

test('a flooder is throttled, then disconnected, and the others keep being served', async (t) => {
  const { join } = await serveChat(t, { floodRate: 10, floodBurst: 20, floodDisconnectSeconds: 2 });
  const ana = await join('ana');
  const bob = await join('bob');
  await ana.lineMatching('*** bob joined the chat.');
  bob.send(Array.from({ length: 25 }, (_, i) => `fast ${i}\n`).join(''));
  assert.match(await bob.lineMatching(/^\*\*\* Slow down/), /faster than 10 lines per second/);
  const flood = Buffer.from(Array.from({ length: 2000 }, (_, i) => `spam ${i}\n`).join(''));
  bob.socket.write(flood);
  assert.equal(
    await bob.lineMatching(/^!! /),
    '!! Disconnected: far too many messages too fast (flood control).',
  );
  await bob.closedByServer();
  assert.equal(
    await ana.lineMatching(/^\*\*\* bob left/),
    '*** bob left the chat (disconnected for flooding).',
  );
  const carol = await join('carol');
  carol.sendLine('calm');
  assert.equal(await ana.lineMatching(/^carol:/), 'carol: calm');
  const spam = ana.pending().filter((l) => l.startsWith('bob: spam'));
  assert.ok(spam.length < 2000, 'not every flooded line was relayed');
});

test('a client that stops reading is dropped once its send queue passes the bound', async (t) => {
  const { join, connect } = await serveChat(t, { sendQueueBytes: 64 * 1024, floodRate: 0 });
  const ana = await join('ana');
  const sleeper = await connect();
  await sleeper.prompt();
  sleeper.sendLine('sleeper');
  await ana.lineMatching('*** sleeper joined the chat.');
  sleeper.socket.pause(); // stops reading: the kernel buffers fill, then papo's queue
  const bob = await join('bob');
  await ana.lineMatching('*** bob joined the chat.');
  const line = 'x'.repeat(1000);
  let left = false;
  // The kernel holds a few MB of a paused reader's data first (send and receive buffers:
  // tcp_wmem and tcp_rmem autotuning, 4 + 32 MiB at most on the test machine), then papo cuts at
  // 16× the queue bound: 5 MB was not always enough, so up to 60 MB are sent.
  for (let i = 0; i < 60_000 && !left; i++) {
    bob.sendLine(line);
    const l = await ana.nextLine();
    left = l === '*** sleeper left the chat (disconnected: not reading).';
  }
  assert.ok(left, 'the sleeper was disconnected');
  bob.sendLine('after');
  assert.equal(await ana.lineMatching(/^bob: after/), 'bob: after');
});

test('a connection that never gives a name is closed after --name-timeout', async (t) => {
  const { connect } = await serveChat(t, { nameTimeoutSeconds: 0.2 });
  const c = await connect();
  await c.prompt();
  assert.equal(await c.nextLine(), '!! Disconnected: no name given within 0.2 seconds.');
  await c.closedByServer();
});

test('refuses connections over --max-clients with a clear line', async (t) => {
  const { connect } = await serveChat(t, { maxClients: 2 });
  const a = await connect();
  const b = await connect();
  await a.prompt();
  await b.prompt();
  const c = await connect();
  assert.equal(await c.nextLine(), '!! The server is full (2 connections). Try again later.');
  await c.closedByServer();
});

test('--max-per-ip applies to loopback only with --limit-loopback', async (t) => {
  const open = await serveChat(t, { maxPerIp: 1 });
  const a = await open.connect();
  const b = await open.connect();
  await a.prompt();
  assert.equal(await b.prompt(), 'Your name: ', 'loopback is exempt by default');
  const strict = await serveChat(t, { maxPerIp: 1, limitLoopback: true });
  const c = await strict.connect();
  await c.prompt();
  const d = await strict.connect();
  assert.equal(await d.nextLine(), '!! Too many connections from your address (limit 1).');
  await d.closedByServer();
});

test('500 concurrent clients all receive every message, each sender in order', async (t) => {
  // Every join told one by one (no busy-room summaries), so each client can wait for the last.
  const { srv, join } = await serveChat(t, { floodRate: 0, busyRoom: 0 });
  const N = 500;
  const SENDERS = 5;
  const PER_SENDER = 20;
  const clients: LineClient[] = [];
  for (let i = 0; i < N; i += 50) {
    clients.push(...(await Promise.all(Array.from({ length: 50 }, (_, j) => join(`u${i + j}`)))));
  }
  assert.equal(srv.server.hub.userCount, N);
  // Drain join notices: everyone has seen the last one before messages start.
  await Promise.all(clients.slice(0, -1).map((c) => c.lineMatching(`*** u${N - 1} joined the chat.`)));
  for (let s = 0; s < SENDERS; s++) {
    const sender = clients[s] as LineClient;
    sender.send(Array.from({ length: PER_SENDER }, (_, k) => `m${s}-${k}\n`).join(''));
  }
  await Promise.all(
    clients.map(async (c, idx) => {
      const next = new Array<number>(SENDERS).fill(0);
      const expected = SENDERS * PER_SENDER - (idx < SENDERS ? PER_SENDER : 0);
      for (let got = 0; got < expected; got++) {
        const line = await c.lineMatching(/^u\d+: m\d+-\d+$/, 10_000);
        const m = /^u(\d+): m(\d+)-(\d+)$/.exec(line) as RegExpExecArray;
        const s = Number(m[2]);
        assert.equal(Number(m[1]), s);
        assert.notEqual(s, idx, 'no echo to the sender');
        assert.equal(Number(m[3]), next[s], `client ${idx} got sender ${s}'s messages in order`);
        next[s] = (next[s] as number) + 1;
      }
    }),
  );
});

test('a reset before the first line does not disturb the server', async (t) => {
  const { join } = await serveChat(t);
  const ana = await join('ana');
  for (let i = 0; i < 20; i++) {
    const s = connect({ port: ana.socket.remotePort as number, host: '127.0.0.1' });
    await once(s, 'connect');
    s.resetAndDestroy();
  }
  ana.sendLine('/ping');
  assert.equal(await ana.nextLine(), '*** pong');
});
