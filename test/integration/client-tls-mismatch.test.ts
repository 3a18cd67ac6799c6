import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { ChatSession, type SessionEvent } from '../../src/client/session.js';
import { speaksTls } from '../../src/client/tls-connect.js';
import { tcpConnector } from '../../src/client/transport.js';
import { runCli } from '../helpers/cli.js';
import { LineClient } from '../helpers/line-client.js';
import { startServer } from '../helpers/server.js';
import { selfSigned, tempDir, writePair } from '../helpers/tls.js';

// Issue #17, point 1: the wrong port for the flag (or the wrong flag for the port) is said
// plainly, with what to use, and a pipe that delivered nothing exits 1.

const SAFETY_MS = 20_000;

const runClient = (args: string[], input: string) =>
  runCli(['client', ...args], { LANG: 'en_US.UTF-8', NO_COLOR: '' }, { input, timeoutMs: SAFETY_MS });

/** A papo server with its TLS listener; a watcher on the plain port sees what arrives. */
async function tlsServer(t: TestContext) {
  const files = writePair(tempDir(t), 'server', await selfSigned());
  const srv = await startServer();
  const tlsPort = (await srv.server.listenTls(files)).port;
  const watcher = await LineClient.join(srv.port, 'watcher');
  t.after(async () => {
    watcher.destroy();
    await srv.stop();
  });
  return { plainPort: srv.port, tlsPort, watcher };
}

test('a pipe sent to the TLS port without --tls says to use --tls and exits 1', async (t) => {
  const { tlsPort, watcher } = await tlsServer(t);
  const address = `127.0.0.1:${tlsPort}`;
  const r = await runClient([address, '--name', 'ci-bot'], 'deploy done\n');
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    new RegExp(
      `papo: ${address} speaks TLS, so nothing was delivered: connect with papo client --tls ${address} `,
    ),
  );
  assert.equal(r.stdout, '');
  // Nothing reached the chat, and the client did not keep trying.
  watcher.sendLine('/who');
  assert.equal(await watcher.nextLine(), '*** Online now (1): watcher');
});

test('--tls pointed at the plain port says it does not speak TLS and exits 1', async (t) => {
  const { plainPort } = await tlsServer(t);
  const address = `127.0.0.1:${plainPort}`;
  const r = await runClient(['--tls', address, '--name', 'ci-bot'], 'hi\n');
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    `papo: ${address} does not speak TLS (it answered in plain text): leave out --tls and --fingerprint, ` +
      "or give the server's TLS port (65433 unless it was started with another --tls-port).\n",
  );
});

test('a server that answers a plain line with a TLS alert is known at once, not retried', async (t) => {
  // What OpenSSL-based TLS servers (stunnel, s_server) send to a plain client: an alert record.
  const server = createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', () => socket.end(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46])));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const { port } = server.address() as AddressInfo;
  const events: SessionEvent[] = [];
  const ended = new Promise<void>((resolve) => {
    const session = new ChatSession(
      {
        connect: tcpConnector({ host: '127.0.0.1', port }),
        name: 'ana',
        lang: 'en',
        clientId: 'test',
        greetingTimeoutMs: 50,
        backoff: { baseMs: 10, maxMs: 20, random: () => 0.5 },
      },
      (e) => {
        events.push(e);
        if (e.type === 'failed' || e.type === 'closed') resolve();
      },
    );
    session.start();
  });
  await ended;
  assert.deepEqual(events.at(-1), { type: 'failed', failure: { kind: 'tls-port' } });
  assert.ok(!events.some((e) => e.type === 'retrying' || e.type === 'plain'), JSON.stringify(events));
});

test('a terminal session against the TLS port stops instead of reconnecting forever', async (t) => {
  const { tlsPort } = await tlsServer(t);
  const events: SessionEvent[] = [];
  await new Promise<void>((resolve) => {
    const session = new ChatSession(
      {
        connect: tcpConnector({ host: '127.0.0.1', port: tlsPort }),
        // At least a TLS record header's 5 bytes, or the port waits for the rest of the record
        // until its handshake timeout before it closes.
        name: 'terminal-user',
        lang: 'en',
        clientId: 'test',
        greetingTimeoutMs: 50,
        backoff: { baseMs: 10, maxMs: 20, random: () => 0.5 },
        probeTls: () => speaksTls('127.0.0.1', tlsPort),
      },
      (e) => {
        events.push(e);
        if (e.type === 'failed' || e.type === 'closed') resolve();
      },
    );
    session.start();
  });
  assert.deepEqual(events.at(-1), { type: 'failed', failure: { kind: 'tls-port' } });
  assert.ok(!events.some((e) => e.type === 'retrying'), JSON.stringify(events));
});

test('a plain server that closes without a word is not taken for TLS', async (t) => {
  const server = createServer((socket) => socket.destroy());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const { port } = server.address() as AddressInfo;
  assert.equal(await speaksTls('127.0.0.1', port), false);
});
