import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ChatSession, type SessionEvent } from '../../src/client/session.js';
import type { ServerMessage } from '../../src/protocol/json-messages.js';
import { tcpConnector } from '../../src/client/transport.js';
import { SqliteHistory } from '../../src/store/index.js';
import { runCli } from '../helpers/cli.js';
import { LineClient } from '../helpers/line-client.js';
import { FAST_BACKOFF, recorder, relay } from '../helpers/session.js';
import { startServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp.js';

// Issue #17, points 2 and 3: what `papo client` does with the server's stored messages.

const SAFETY_MS = 20_000;
const STAMP = String.raw`\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}\]`;

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
  // The server replays only what came after `since`: "four". (A server that ignores `since`
  // replays them all again; the client's ReplayFilter drops those: client-resume.test.ts.)
  assert.deepEqual(stored(rec.events.slice(before)), ['header', 'old four']);
  const header = rec.events.slice(before).find((e) => e.type === 'server' && e.message.type === 'history');
  assert.ok(header?.type === 'server' && header.message.type === 'history' && header.message.count === 1);
  await ana.quit();
});

const runClient = (port: number, args: string[], input: string) =>
  runCli(
    ['client', `127.0.0.1:${port}`, ...args],
    { LANG: 'en_US.UTF-8', NO_COLOR: '' },
    { input, timeoutMs: SAFETY_MS },
  );

test('a pipe prints no replayed messages unless --history, and then each one dated', async (t) => {
  const { port } = await chatWithHistory(t, ['one', '/me waves']);
  const quiet = await runClient(port, ['--name', 'bot'], '');
  assert.equal(quiet.code, 0, quiet.stderr);
  assert.doesNotMatch(quiet.stdout, /one|waves|History/);

  const told = await runClient(port, ['--name', 'bot2', '--history'], '');
  assert.equal(told.code, 0, told.stderr);
  const lines = told.stdout.split('\n');
  const at = lines.indexOf('*** History: the last 2 messages');
  assert.ok(at !== -1, told.stdout);
  assert.match(lines[at + 1] ?? '', new RegExp(`^${STAMP} bob: one$`));
  assert.match(lines[at + 2] ?? '', new RegExp(`^${STAMP} \\* bob waves$`));
});

test('with --json the replay keeps the server’s history marks', async (t) => {
  const { port } = await chatWithHistory(t, ['one']);
  const r = await runClient(port, ['--name', 'jbot', '--json'], '');
  assert.equal(r.code, 0, r.stderr);
  const events = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; text?: string; history?: boolean });
  assert.deepEqual(
    events.filter((e) => e.type === 'message').map((e) => [e.text, e.history]),
    [['one', true]],
  );
});
