import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { LineClient } from '../helpers/line-client.js';
import { startServer } from '../helpers/server.js';

const SAFETY_MS = 20_000; // a safety net for a loaded machine, never a wait

/** Runs the built `papo client` with `input` on its stdin (a pipe) until it exits. */
const runClient = (args: string[], input: string, env: NodeJS.ProcessEnv = {}) =>
  runCli(['client', ...args], { LANG: 'en_US.UTF-8', NO_COLOR: '', ...env }, { input, timeoutMs: SAFETY_MS });

async function chat(t: { after(fn: () => unknown): void }) {
  const srv = await startServer();
  const clients: LineClient[] = [];
  t.after(async () => {
    for (const c of clients) c.destroy();
    await srv.stop();
  });
  const join = async (name: string) => {
    const c = await LineClient.join(srv.port, name);
    clients.push(c);
    return c;
  };
  return { address: `127.0.0.1:${srv.port}`, join };
}

/** A line-based chat that is not papo: greets, asks a name, then echoes `name> text` to all. */
async function foreignServer(t: { after(fn: () => unknown): void }) {
  const sockets = new Set<Socket>();
  const received: string[] = [];
  const waiters: Array<() => void> = [];
  const server = createServer((s) => {
    sockets.add(s);
    s.setEncoding('utf8');
    s.write('Welcome to pychat\nName: ');
    let name: string | null = null;
    let buf = '';
    s.on('data', (d: string) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) !== -1) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (name === null) name = line;
        else received.push(`${name}> ${line}`);
        for (const w of waiters.splice(0)) w();
      }
    });
    s.on('end', () => s.end());
    s.on('close', () => sockets.delete(s));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  return { address: `127.0.0.1:${port}`, received };
}

describe('papo client without a terminal', () => {
  it('a bot posts one message with one pipe command and exits 0', async (t) => {
    const { address, join } = await chat(t);
    const watcher = await join('watcher');
    const r = await runClient([address, '--name', 'ci-bot'], 'deploy done :rocket:\n');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(await watcher.lineMatching(/^ci-bot: /), 'ci-bot: deploy done 🚀');
    assert.equal(await watcher.nextLine(), '*** ci-bot left the chat.');
  });

  it('sends every line in order, commands included, and prints events as plain lines', async (t) => {
    const { address, join } = await chat(t);
    const ana = await join('ana');
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i}`);
    const r = await runClient(
      [address, '--name', 'bot'],
      [...lines, '/me is done', '/msg ana psst', '/who'].join('\n'),
    );
    assert.equal(r.code, 0, r.stderr);
    for (const l of lines) assert.equal(await ana.lineMatching(/^bot: /), `bot: ${l}`);
    assert.equal(await ana.nextLine(), '* bot is done');
    assert.equal(await ana.nextLine(), '[private] bot: psst');
    assert.match(r.stdout, /^\*\*\* Welcome, bot!$/m);
    assert.match(r.stdout, /^\*\*\* Online now \(2\): ana, bot$/m);
  });

  it('takes the first line as the name when --name is missing', async (t) => {
    const { address, join } = await chat(t);
    const ana = await join('ana');
    const r = await runClient([address], 'zoe\nhello\n');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await ana.lineMatching(/^zoe: /), 'zoe: hello');
  });

  it('prints the raw JSON events with --json', async (t) => {
    const { address, join } = await chat(t);
    await join('ana');
    const r = await runClient([address, '--name', 'jbot', '--json'], 'hi\n');
    assert.equal(r.code, 0, r.stderr);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; name?: string });
    assert.deepEqual(
      events.map((e) => e.type),
      ['hello', 'welcome', 'ack', 'bye'],
    );
    assert.equal(events[1]?.name, 'jbot');
  });

  it('explains a taken name and exits 1', async (t) => {
    const { address, join } = await chat(t);
    await join('ana');
    const r = await runClient([address, '--name', 'ANA'], 'hi\n');
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'papo: The name ana is taken (names ignore letter case); choose another.\n');
  });

  it('exits 1 when a message is refused, saying why', async (t) => {
    const { address } = await chat(t);
    const r = await runClient([address, '--name', 'bot'], '/msg nobody hi\nok\n');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^papo: Not sent: No user named nobody is online/);
  });

  it('exits 1 with one clear line, no stack trace, when the server is unreachable', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const { port } = closed.address() as AddressInfo;
    closed.close();
    await once(closed, 'close');
    const r = await runClient([`127.0.0.1:${port}`, '--name', 'bot'], 'hi\n');
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `papo: cannot connect to 127.0.0.1:${port}: connection refused (is the server running on that port?)\n`,
    );
  });

  it('speaks Portuguese with --lang pt', async () => {
    const r = await runClient(['127.0.0.1:1', '--name', 'bot', '--lang', 'pt'], '');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /não foi possível conectar a 127\.0\.0\.1:1: conexão recusada/);
  });

  it('speaks plain text to a server whose greeting is not papo', async (t) => {
    const { address, received } = await foreignServer(t);
    const r = await runClient([address, '--name', 'ana'], '/who\n/ME waves\nhello :wave:\n/quit\nnot sent\n');
    assert.equal(r.code, 0, r.stderr);
    // papo's commands stay local, `/quit` is the client's: nothing else reaches the server.
    assert.deepEqual(received, ['ana> hello 👋']);
    assert.equal(r.stdout, 'Welcome to pychat\nName: \n');
    assert.equal(
      r.stderr,
      'papo: This is not a papo server: plain text mode, lines are sent as typed.\n' +
        'papo: not a papo server: /who is not available (not sent)\n' +
        'papo: not a papo server: /me is not available (not sent)\n',
    );
  });

  it('speaks plain text to papo itself with --plain', async (t) => {
    const { address, join } = await chat(t);
    const ana = await join('ana');
    const r = await runClient([address, '--name', 'old', '--plain'], 'hi there\n/who\n');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await ana.lineMatching(/^old: /), 'old: hi there');
    assert.match(r.stdout, /\*\*\* Welcome, old!$/m);
    // --plain to papo itself: its commands are the server's, so they are sent.
    assert.match(r.stdout, /^\*\*\* Online now \(2\): ana, old$/m);
  });
});
