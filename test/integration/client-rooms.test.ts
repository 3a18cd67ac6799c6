import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ChatSession, type SessionEvent } from '../../src/client/session.js';
import { tcpConnector } from '../../src/client/transport.js';
import type { ServerMessage } from '../../src/protocol/json-messages.js';
import { SqliteHistory } from '../../src/store/index.js';
import { runCli } from '../helpers/cli.js';
import { LineClient } from '../helpers/line-client.js';
import { FAST_BACKOFF, recorder, relay } from '../helpers/session.js';
import { startServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp.js';
import { PtyClient } from './client-pty.js';
import { VirtualScreen } from './client-vt.js';

// Issue #12: rooms in papo client, against the real server.

const SAFETY_MS = 20_000;

async function roomsServer(t: TestContext, withHistory = false) {
  const history = withHistory ? SqliteHistory.open(join(tempDir(t), 'papo.db')) : undefined;
  const srv = await startServer({ floodRate: 0 }, history ? { history } : {});
  const clients: LineClient[] = [];
  t.after(async () => {
    for (const c of clients) c.destroy();
    await srv.stop();
    history?.close();
  });
  /** A plain-text user (as with nc) in `rooms` besides the default one. */
  const user = async (name: string, ...rooms: string[]) => {
    const c = await LineClient.join(srv.port, name);
    clients.push(c);
    for (const room of rooms) {
      c.sendLine(`/join ${room}`);
      await c.lineMatching(`*** You are in ${room} now; your lines go there.`);
    }
    return c;
  };
  return { port: srv.port, user };
}

test('in the terminal: the status row counts news per room, [#room] marks them, /switch and Alt+N move', async (t) => {
  const { port, user } = await roomsServer(t);
  const bob = await user('bob'); // in #geral
  const carol = await user('carol', '#rust');
  const ana = PtyClient.start([`127.0.0.1:${port}`, '--name', 'ana'], 80, 20);
  t.after(() => ana.child.kill('SIGKILL'));
  await ana.waitFor('[#geral]');

  ana.type('/join #rust\r');
  const inRust = await ana.waitFor('#geral [#rust]');
  bob.sendLine('hello geral');
  bob.sendLine('anyone?');
  // What is said in #geral is shown marked, and counted on the status row.
  await ana.waitFor(/\d\d:\d\d \[#geral\] bob: hello geral/, inRust);
  await ana.waitFor('#geral(2) [#rust]', inRust);
  ana.type('oi rust\r');
  assert.equal(await carol.lineMatching(/^ana: /), 'ana: oi rust');

  ana.type('/switch #geral\r');
  const back = await ana.waitFor('[#geral] #rust', inRust);
  ana.type('back in geral\r');
  assert.equal(await bob.lineMatching(/^ana: /), 'ana: back in geral');
  carol.sendLine('in rust meanwhile');
  await ana.waitFor(/\[#rust\] carol: in rust meanwhile/, back);
  await ana.waitFor('[#geral] #rust(1)', back);

  ana.type('\x1b2'); // Alt+2: the second room of the row
  const alt = await ana.waitFor('#geral [#rust]', back);
  ana.type('via alt\r');
  assert.equal(await carol.lineMatching(/^ana: /), 'ana: via alt');
  ana.type('/switch #nowhere\r');
  await ana.waitFor('You are not in #nowhere: /join #nowhere first.', alt);

  // The screen: the status row right above the input, the news marked above it.
  const screen = new VirtualScreen(80, 20);
  screen.feed(ana.raw);
  const lines = screen.lines();
  assert.equal(lines[screen.row - 1], '#geral [#rust]');
  assert.ok(
    lines.some((l) => /^\d\d:\d\d \[#geral\] bob: anyone\?$/.test(l)),
    lines.join('\n'),
  );
  ana.type('\x15/quit\r'); // Ctrl-U: the refused line was given back to be fixed
  assert.equal(await ana.exitCode(), 0);
});

test('a pipe with --room joins that room first and posts there only', async (t) => {
  const { port, user } = await roomsServer(t);
  const bob = await user('bob'); // #geral only
  const carol = await user('carol', '#ops');
  const r = await runCli(
    ['client', `127.0.0.1:${port}`, '--name', 'ci-bot', '--room', '#ops'],
    { LANG: 'en_US.UTF-8', NO_COLOR: '' },
    { input: 'deploy done\n/me waves\n', timeoutMs: SAFETY_MS },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await carol.lineMatching(/ci-bot: /), 'ci-bot: deploy done');
  assert.equal(await carol.nextLine(), '* ci-bot waves');
  // bob, in #geral, saw ci-bot arrive and leave, and nothing it said.
  bob.sendLine('/ping');
  const seen: string[] = [];
  for (let l = await bob.nextLine(); l !== '*** pong'; l = await bob.nextLine()) seen.push(l);
  assert.ok(!seen.some((l) => l.includes('deploy') || l.includes('waves')), seen.join('\n'));

  const bad = await runCli(
    ['client', `127.0.0.1:${port}`, '--name', 'x', '--room', 'ops'],
    {},
    { input: '' },
  );
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /Room name not accepted: a room name starts with #/);
});

/** The next server message of `type` the recorder sees. */
async function nextServer<T extends ServerMessage['type']>(
  rec: ReturnType<typeof recorder>,
  type: T,
  match: (m: Extract<ServerMessage, { type: T }>) => boolean = () => true,
): Promise<Extract<ServerMessage, { type: T }>> {
  for (;;) {
    const e = await rec.next('server');
    if (e.message.type !== type) continue;
    const m = e.message as Extract<ServerMessage, { type: T }>;
    if (match(m)) return m;
  }
}

test('after a reconnect the session is back in every room, current room kept, nothing replayed twice', async (t) => {
  const { port, user } = await roomsServer(t, true);
  const carol = await user('carol', '#rust');
  carol.sendLine('before');
  const proxy = await relay(t, port);
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
  t.after(() => ana.quit());
  ana.start();
  await rec.next('joined');
  ana.send({ type: 'join_room', room: '#rust' });
  await nextServer(rec, 'room', (m) => m.room === '#rust');
  await nextServer(rec, 'message', (m) => m.text === 'before' && m.history === true);
  ana.rooms.switchTo('#geral');

  proxy.cutClientSides();
  await rec.next('lost');
  carol.sendLine('while away');
  carol.sendLine('/ping');
  await carol.lineMatching('*** pong');
  const before = rec.events.length;
  open();
  assert.equal((await rec.next('joined')).again, true);
  ana.send({ type: 'ping' });
  await nextServer(rec, 'pong');

  const after = (from: number) => rec.events.slice(from);
  const joins = proxy.sent
    .filter((l) => l.includes('"join_room"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  // Resumed with her token, ana is still in both rooms on the server, which replays each after
  // the hello's since: nothing to join again.
  assert.equal(joins.length, 1, proxy.sent.join('\n'));
  assert.equal(
    typeof (JSON.parse(proxy.sent.filter((l) => l.includes('"hello"'))[1] ?? '{}') as { since?: number })
      .since,
    'number',
  );
  const since = after(before);
  const texts = since.flatMap((e: SessionEvent) =>
    e.type === 'server' && e.message.type === 'message' ? [e.message.text] : [],
  );
  // "before" was shown already; "while away" comes once, as history of #rust.
  assert.deepEqual(texts, ['while away']);
  assert.ok(!since.some((e) => e.type === 'server' && e.message.type === 'room'), JSON.stringify(since));
  assert.deepEqual(
    ana.rooms.rooms.map((r) => r.room),
    ['#geral', '#rust'],
  );
  assert.equal(ana.rooms.current, '#geral');
  await ana.quit();
});

test('after the server restarts, the session joins its other rooms again with since', async (t) => {
  const file = join(tempDir(t), 'papo.db');
  let history = SqliteHistory.open(file);
  let srv = await startServer({ floodRate: 0 }, { history });
  const port = srv.port;
  t.after(async () => {
    await srv.stop();
    history.close();
  });
  let carol = await LineClient.join(port, 'carol');
  carol.sendLine('/join #rust');
  await carol.lineMatching('*** You are in #rust now; your lines go there.');
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => (open = resolve));
  const dial = tcpConnector({ host: '127.0.0.1', port });
  let dials = 0;
  const sent: string[] = [];
  const rec = recorder();
  const ana = new ChatSession(
    {
      connect: async () => {
        if (dials++ > 0) await gate;
        const socket = await dial();
        const write = socket.write.bind(socket) as (chunk: string) => boolean;
        socket.write = ((chunk: string) => (sent.push(chunk), write(chunk))) as typeof socket.write;
        return socket;
      },
      name: 'ana',
      lang: 'en',
      clientId: 'test',
      backoff: FAST_BACKOFF,
    },
    rec.listener,
  );
  t.after(() => ana.quit());
  ana.start();
  await rec.next('joined');
  ana.send({ type: 'join_room', room: '#rust' });
  await nextServer(rec, 'room', (m) => m.room === '#rust');
  carol.sendLine('before');
  await nextServer(rec, 'message', (m) => m.text === 'before');

  carol.destroy();
  await srv.stop();
  history.close();
  await rec.next('lost');
  history = SqliteHistory.open(file);
  srv = await startServer({ floodRate: 0, port }, { history });
  carol = await LineClient.join(port, 'carol');
  t.after(() => carol.destroy());
  carol.sendLine('/join #rust');
  await carol.lineMatching('*** You are in #rust now; your lines go there.');
  carol.sendLine('while away');
  carol.sendLine('/ping');
  await carol.lineMatching('*** pong');
  const before = rec.events.length;
  open();
  const again = await rec.next('joined');
  assert.deepEqual([again.again, again.resumed], [true, false]);
  await nextServer(rec, 'message', (m) => m.text === 'while away');
  const rejoin = sent
    .join('')
    .split('\n')
    .filter((l) => l.includes('"join_room"'))
    .map((l) => JSON.parse(l) as { room: string; since?: number; ref?: string });
  assert.equal(rejoin.length, 2);
  assert.deepEqual([rejoin[1]?.room, typeof rejoin[1]?.since], ['#rust', 'number']);
  const texts = rec.events
    .slice(before)
    .flatMap((e) => (e.type === 'server' && e.message.type === 'message' ? [e.message.text] : []));
  assert.deepEqual(texts, ['while away']); // "before" was shown already
  assert.equal(ana.rooms.current, '#rust'); // the welcome put ana in #geral; her lines still go to #rust
  assert.deepEqual(
    ana.rooms.rooms.map((r) => r.room),
    ['#geral', '#rust'],
  );
});
