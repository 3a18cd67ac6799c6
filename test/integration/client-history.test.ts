import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ChatSession, type SessionEvent } from '../../src/client/session.js';
import type { ServerMessage } from '../../src/protocol/json-messages.js';
import { tcpConnector } from '../../src/client/transport.js';
import { SqliteHistory } from '../../src/store/index.js';
import { LineClient } from '../helpers/line-client.js';
import { FAST_BACKOFF, recorder, relay } from '../helpers/session.js';
import { startServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp.js';

// Issue #17, points 2 and 3: what `papo client` does with the server's stored messages.


/** A server that keeps history, with bob (plain text) online and `said` already in it. */
async function chatWithHistory(t: TestContext, said: string[]) {
  const history = SqliteHistory.open(join(tempDir(t), 'papo.db'));
  const srv = await startServer({ floodRate: 0 }, { history });
  const bob = await LineClient.join(srv.port, 'bob');
  t.after(async () => {
    bob.destroy();
    await srv.stop();
    history.close();
  });
  for (const line of said) bob.sendLine(line);
  // bob's own /ping answer comes after his messages are handled (and journaled).
  bob.sendLine('/ping');
  await bob.lineMatching('*** pong');
  return { port: srv.port, bob };
}

const stored = (events: SessionEvent[]) =>
  events.flatMap((e) =>
    e.type === 'server' && (e.message.type === 'message' || e.message.type === 'history')
      ? [e.message.type === 'message' ? `${e.message.history ? 'old ' : ''}${e.message.text}` : 'header']
      : [],
  );

/** The next server message of `type` the recorder sees. */
async function nextServer<T extends ServerMessage['type']>(
  rec: ReturnType<typeof recorder>,
  type: T,
): Promise<Extract<ServerMessage, { type: T }>> {
  for (;;) {
    const e = await rec.next('server');
    if (e.message.type === type) return e.message as Extract<ServerMessage, { type: T }>;
  }
}

test('after a reconnect the client asks for what came after its last id and shows nothing twice', async (t) => {
  const { port, bob } = await chatWithHistory(t, ['one', 'two']);
  const proxy = await relay(t, port);
  // Reconnects wait for the gate, so what bob says meanwhile is stored before ana is back.
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => (open = resolve));
  const dial = tcpConnector({ host: '127.0.0.1', port: proxy.port });
  let dials = 0;
  const rec = recorder();
  const ana = new ChatSession(
    {
      connect: async () => (dials++ > 0 && (await gate), dial()),
      name: 'ana',
      lang: 'en',
      clientId: 'test',
      backoff: FAST_BACKOFF,
    },
    rec.listener,
  );
  ana.start();
  await rec.next('joined');
  bob.sendLine('three');
  let three = await nextServer(rec, 'message');
  while (three.text !== 'three') three = await nextServer(rec, 'message');
  assert.deepEqual(stored(rec.events), ['header', 'old one', 'old two', 'three']);

  proxy.cutClientSides();
  await rec.next('lost');
  bob.sendLine('four');
  bob.sendLine('/ping');
  await bob.lineMatching('*** pong');
  const before = rec.events.length;
  open();
  assert.equal((await rec.next('joined')).again, true);
  ana.send({ type: 'ping' });
  await nextServer(rec, 'pong'); // after the replay

  const hellos = proxy.sent
    .filter((l) => l.includes('"type":"hello"'))
    .map((l) => JSON.parse(l) as { since?: number });
  assert.deepEqual(
    hellos.map((h) => h.since),
    [undefined, three.id],
  );
  // This server replays the last messages whatever `since` says: the client shows only "four".
  assert.deepEqual(stored(rec.events.slice(before)), ['header', 'old four']);
  const header = rec.events.slice(before).find((e) => e.type === 'server' && e.message.type === 'history');
  assert.ok(header?.type === 'server' && header.message.type === 'history' && header.message.count === 1);
  await ana.quit();
});
