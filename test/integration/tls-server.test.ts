import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import pino from 'pino';
import { certificateFingerprint } from '../../src/protocol/tls-fingerprint.js';
import type { ServerOptions } from '../../src/server/options.js';
import { LineClient } from '../helpers/line-client.js';
import { startServer } from '../helpers/server.js';
import { selfSigned, tempDir, tlsDial, tlsJoin, tlsLineClient, writePair } from '../helpers/tls.js';

type LogRecord = Record<string, unknown>;

/** A server with plain and TLS listeners on free ports; `logs` collects its log records. */
async function startTlsServer(t: TestContext, overrides: Partial<ServerOptions> = {}) {
  const dir = tempDir(t);
  const files = writePair(dir, 'server', await selfSigned());
  const logs: LogRecord[] = [];
  const waiters: Array<() => void> = [];
  const log = pino(
    { level: 'info' },
    {
      write: (line: string) => {
        logs.push(JSON.parse(line) as LogRecord);
        for (const w of waiters.splice(0)) w();
      },
    },
  );
  const srv = await startServer({ tlsPort: 0, ...overrides }, { log });
  t.after(() => srv.stop());
  const tlsPort = (await srv.server.listenTls(files)).port;
  /** Waits (safety timeout 5 s) for a log record with this message. */
  const logged = async (msg: string): Promise<LogRecord> => {
    const found = () => logs.find((r) => r.msg === msg);
    const timeout = Date.now() + 5000;
    while (!found()) {
      if (Date.now() > timeout) throw new Error(`no log "${msg}"; got ${JSON.stringify(logs)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 5000);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return found() as LogRecord;
  };
  return { srv, tlsPort, files, dir, logs, logged };
}

/** Resolves when the socket closes (an error on the way is expected); fails after 5 s. */
async function closed(socket: Socket): Promise<void> {
  socket.on('error', () => {});
  if (socket.destroyed) return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the socket is still open after 5 s')), 5000);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function peerFingerprint(socket: TLSSocket): string {
  return certificateFingerprint(socket.getPeerCertificate().raw);
}

test('plain, TLS and JSON-over-TLS users share one chat', async (t) => {
  const { srv, tlsPort } = await startTlsServer(t);
  const ana = await LineClient.join(srv.port, 'ana');
  const bob = await tlsJoin(tlsPort, 'bob');
  const bot = await tlsLineClient(tlsPort);
  t.after(() => [ana, bob, bot].forEach((c) => c.destroy()));
  bot.sendLine(JSON.stringify({ type: 'hello', version: 1, name: 'bot' }));
  await bot.jsonOfType('welcome');
  await ana.lineMatching('*** bot joined the chat.');
  bob.sendLine('oi from tls');
  assert.equal(await ana.lineMatching(/^bob: /), 'bob: oi from tls');
  const m = await bot.jsonOfType('message');
  assert.deepEqual([m.from, m.text], ['bob', 'oi from tls']);
  ana.sendLine('oi from plain');
  assert.equal(await bob.lineMatching(/^ana: /), 'ana: oi from plain');
  bot.sendLine(JSON.stringify({ type: 'say', text: 'oi from json' }));
  assert.equal(await ana.lineMatching(/^bot: /), 'bot: oi from json');
  assert.equal(await bob.lineMatching(/^bot: /), 'bot: oi from json');
});

test('serves the certificate whose fingerprint it reports, over TLS 1.2 or later', async (t) => {
  const { srv, tlsPort } = await startTlsServer(t);
  const socket = await tlsDial(tlsPort);
  t.after(() => socket.destroy());
  assert.equal(peerFingerprint(socket), srv.server.tlsFingerprint);
  assert.match(String(socket.getProtocol()), /^TLSv1\.[23]$/);
});

test('refuses a client that offers only TLS 1.1, with a log line', async (t) => {
  const { tlsPort, logged } = await startTlsServer(t);
  const socket = tlsConnect({ host: '127.0.0.1', port: tlsPort, maxVersion: 'TLSv1.1', minVersion: 'TLSv1' });
  socket.on('error', () => {});
  await closed(socket);
  assert.equal(socket.authorized, false);
  await logged('TLS handshake failed');
});

test('plain text sent to the TLS port: a log line and a close, nobody else affected', async (t) => {
  const { tlsPort, logged } = await startTlsServer(t);
  const ana = await tlsJoin(tlsPort, 'ana');
  const bob = await tlsJoin(tlsPort, 'bob');
  t.after(() => [ana, bob].forEach((c) => c.destroy()));
  const raw = netConnect({ host: '127.0.0.1', port: tlsPort });
  raw.on('error', () => {});
  raw.write('ana\nhello in clear text\n');
  await closed(raw);
  const record = await logged('TLS handshake failed');
  assert.equal(record.ip, '127.0.0.1');
  bob.sendLine('still here');
  assert.equal(await ana.lineMatching(/^bob: /), 'bob: still here');
});

test('a client that stalls mid-handshake is cut at the handshake timeout', async (t) => {
  const { tlsPort, logged } = await startTlsServer(t, { tlsHandshakeTimeoutSeconds: 0.2 });
  const ana = await tlsJoin(tlsPort, 'ana');
  t.after(() => ana.destroy());
  const raw = netConnect({ host: '127.0.0.1', port: tlsPort });
  raw.on('error', () => {});
  await once(raw, 'connect');
  raw.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0xc8, 0x01])); // a ClientHello that never ends
  await closed(raw);
  const record = await logged('TLS handshake failed');
  assert.equal(record.err, 'ERR_TLS_HANDSHAKE_TIMEOUT');
  ana.sendLine('/ping');
  assert.equal(await ana.nextLine(), '*** pong');
});

test('reloads a new certificate for new connections without dropping users', async (t) => {
  const { srv, tlsPort, files, logged } = await startTlsServer(t);
  const before = srv.server.tlsFingerprint;
  const ana = await tlsJoin(tlsPort, 'ana');
  t.after(() => ana.destroy());
  const next = await selfSigned();
  writeFileSync(files.certPath, next.cert);
  writeFileSync(files.keyPath, next.key);
  const result = srv.server.reloadTls();
  assert.equal(result?.ok, true);
  assert.notEqual(srv.server.tlsFingerprint, before);
  await logged('TLS certificate reloaded');
  const bob = await tlsJoin(tlsPort, 'bob');
  t.after(() => bob.destroy());
  assert.equal(peerFingerprint(bob.socket as TLSSocket), srv.server.tlsFingerprint);
  assert.equal(peerFingerprint(ana.socket as TLSSocket), before);
  bob.sendLine('new cert here');
  assert.equal(await ana.lineMatching(/^bob: /), 'bob: new cert here');
});

test('a reload with a bad key is logged and the old certificate stays', async (t) => {
  const { srv, tlsPort, files, logged } = await startTlsServer(t);
  const before = srv.server.tlsFingerprint;
  writeFileSync(files.keyPath, (await selfSigned()).key); // a key that does not fit the certificate
  const result = srv.server.reloadTls();
  assert.equal(result?.ok, false);
  assert.match(result?.ok === false ? result.error : '', /does not fit/);
  await logged('TLS certificate reload failed; still serving the previous one');
  const socket = await tlsDial(tlsPort);
  t.after(() => socket.destroy());
  assert.equal(peerFingerprint(socket), before);
});

test('a client that hangs up before the handshake ends is closed at once', async (t) => {
  const { srv, tlsPort, logged } = await startTlsServer(t);
  const socket = tlsConnect({ host: '127.0.0.1', port: tlsPort, rejectUnauthorized: false });
  socket.on('error', () => {});
  // TLS 1.3: the client is done one flight before the server; hanging up then used to leave a
  // half-open socket on the server that held up stop() until the handshake timeout.
  await once(socket, 'secureConnect');
  socket.destroy();
  await logged('TLS handshake failed');
  await srv.stop();
});

test('a TLS client that half-closes after its requests still gets the answers', async (t) => {
  const { tlsPort } = await startTlsServer(t);
  const bot = await tlsLineClient(tlsPort);
  t.after(() => bot.destroy());
  bot.send(
    [
      JSON.stringify({ type: 'hello', version: 1, name: 'bot' }),
      JSON.stringify({ type: 'ping', ref: 1 }),
      JSON.stringify({ type: 'quit' }),
      '',
    ].join('\n'),
  );
  bot.end();
  assert.equal((await bot.jsonOfType('pong')).ref, 1);
  assert.equal((await bot.jsonOfType('bye')).reason, 'quit');
  await bot.closedByServer();
});

/** Whether a command-line tool is installed (its test is skipped where it is not). */
function installed(command: string, args: string[]): boolean {
  return spawnSync(command, args, { stdio: 'ignore' }).error === undefined;
}

for (const [tool, args] of [
  ['openssl', (port: number) => ['s_client', '-quiet', '-connect', `127.0.0.1:${port}`]],
  ['ncat', (port: number) => ['--ssl', '127.0.0.1', String(port)]],
] as const) {
  test(`${tool} gets the plain-text chat over TLS`, { skip: !installed(tool, ['--version']) }, async (t) => {
    const { srv, tlsPort } = await startTlsServer(t);
    const ana = await LineClient.join(srv.port, 'ana');
    t.after(() => ana.destroy());
    const child = spawn(tool, args(tlsPort), { stdio: ['pipe', 'pipe', 'ignore'] });
    t.after(() => child.kill('SIGKILL'));
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stdin.write('viatls\n');
    await ana.lineMatching('*** viatls joined the chat.');
    child.stdin.write('hello from a stranger\n');
    assert.equal(await ana.lineMatching(/^viatls: /), 'viatls: hello from a stranger');
    ana.sendLine('hi back');
    child.stdin.end('sair\n');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000); // safety net: the server closes
    await once(child, 'exit');
    clearTimeout(timer);
    assert.match(out, /^\*\*\* papo .*\nYour name: \*\*\* Welcome, viatls!\n/);
    assert.match(out, /\nana: hi back\n/);
  });
}
