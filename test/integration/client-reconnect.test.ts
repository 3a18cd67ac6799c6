import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChatSession, type SessionEvent } from '../../src/client/session.js';
import { tcpConnector, type Connector } from '../../src/client/transport.js';
import { LineClient } from '../helpers/line-client.js';
import { FAST_BACKOFF as FAST, recorder, relay } from '../helpers/session.js';
import { startServer } from '../helpers/server.js';

function session(connect: Connector, name: string, rec: ReturnType<typeof recorder>) {
  return new ChatSession({ connect, name, lang: 'en', clientId: 'test', backoff: FAST }, rec.listener);
}

test('reconnects after a lost connection and takes its name back from the ghost', async (t) => {
  const srv = await startServer();
  t.after(() => srv.stop());
  const proxy = await relay(t, srv.port);
  const ana = await LineClient.join(srv.port, 'ana');
  t.after(() => ana.destroy());
  const rec = recorder();
  const bot = session(tcpConnector({ host: '127.0.0.1', port: proxy.port }), 'bot', rec);
  bot.start();
  assert.equal((await rec.next('joined')).again, false);
  await ana.lineMatching('*** bot joined the chat.');

  proxy.cutClientSides();
  await rec.next('lost');
  const retry = await rec.next('retrying');
  assert.equal(retry.attempt, 1);
  bot.send({ type: 'say', text: 'sent while offline' });

  const again = await rec.next('joined');
  assert.deepEqual([again.name, again.again, again.resumed], ['bot', true, true]);
  // Taken back with the token: the others saw no leave and no join, only the message.
  assert.equal(await ana.nextLine(), 'bot: sent while offline');
  await rec.next('acked');
  await bot.quit();
  assert.equal(await ana.nextLine(), '*** bot left the chat.');
});

test('rejoins with the same name after the server restarts on the same port', async (t) => {
  let srv = await startServer();
  const port = srv.port;
  t.after(() => srv.stop());
  const rec = recorder();
  const bot = session(tcpConnector({ host: '127.0.0.1', port }), 'bot', rec);
  bot.start();
  await rec.next('joined');
  await srv.stop();
  await rec.next('lost');
  srv = await startServer({ port });
  const again = await rec.next('joined');
  assert.deepEqual([again.name, again.resumed], ['bot', false]);
  await bot.quit();
});

test('keeps trying with backoff while the server is down, then gives up where told to', async (t) => {
  const srv = await startServer();
  t.after(() => srv.stop());
  const rec = recorder();
  const bot = new ChatSession(
    {
      connect: tcpConnector({ host: '127.0.0.1', port: srv.port }),
      name: 'bot',
      lang: 'en',
      clientId: 'test',
      backoff: FAST,
      maxAttempts: 3,
    },
    rec.listener,
  );
  bot.start();
  await rec.next('joined');
  await srv.stop();
  const failed = await rec.next('failed');
  assert.deepEqual(failed.failure, { kind: 'gave-up', attempts: 3 });
  assert.deepEqual(
    rec.events.filter((e) => e.type === 'retrying').map((e) => (e.type === 'retrying' ? e.attempt : 0)),
    [1, 2, 3],
  );
});

test('reports an unreachable server at start instead of retrying', async () => {
  const rec = recorder();
  const bot = session(tcpConnector({ host: '127.0.0.1', port: 1 }), 'bot', rec);
  bot.start();
  assert.deepEqual((await rec.next('failed')).failure, { kind: 'unreachable', code: 'ECONNREFUSED' });
});

test('asks for another name when the name is taken, then joins', async (t) => {
  const srv = await startServer();
  t.after(() => srv.stop());
  const ana = await LineClient.join(srv.port, 'ana');
  t.after(() => ana.destroy());
  const rec = recorder();
  const s = session(tcpConnector({ host: '127.0.0.1', port: srv.port }), 'Ana', rec);
  s.start();
  const needed = await rec.next('name-needed');
  assert.equal(needed.problem, 'The name ana is taken (names ignore letter case); choose another.');
  s.join('bia');
  assert.equal((await rec.next('joined')).name, 'bia');
  await s.quit();
});

test('answers the heartbeat so an idle client is not dropped', async (t) => {
  const srv = await startServer({ heartbeatSeconds: 0.2 });
  t.after(() => srv.stop());
  const rec = recorder();
  const s = session(tcpConnector({ host: '127.0.0.1', port: srv.port }), 'idle', rec);
  s.start();
  await rec.next('joined');
  // Three pings: without the pongs the server would have dropped the client after the second.
  for (let i = 0; i < 3; i++) {
    let ping: SessionEvent;
    do ping = await rec.next('server');
    while (ping.type === 'server' && ping.message.type !== 'ping');
  }
  s.send({ type: 'who' });
  await rec.next('server');
  assert.ok(!rec.events.some((e) => e.type === 'lost'));
  await s.quit();
});

test('stops with the server’s reason when it turns the client away at connect', async (t) => {
  const srv = await startServer({ maxClients: 1 });
  t.after(() => srv.stop());
  const ana = await LineClient.join(srv.port, 'ana');
  t.after(() => ana.destroy());
  const rec = recorder();
  session(tcpConnector({ host: '127.0.0.1', port: srv.port }), 'bot', rec).start();
  assert.deepEqual((await rec.next('failed')).failure, {
    kind: 'closed-before-join',
    lastLine: '!! The server is full (1 connections). Try again later.',
  });
  assert.ok(!rec.events.some((e) => e.type === 'connected'));
});
