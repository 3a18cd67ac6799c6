import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import pino from 'pino';
import type { ServerOptions } from '../../src/server/options.js';
import { LineClient } from '../helpers/line-client.js';
import { startServer } from '../helpers/server.js';
import { selfSigned, tempDir, tlsJoin, writePair } from '../helpers/tls.js';

type LogRecord = Record<string, unknown>;

/**
 * A server with plain and TLS listeners on free ports; `logged` waits for a log record. Sockets
 * given to `track` are destroyed before the server stops (it waits for handshakes in progress).
 */
async function startTlsServer(t: TestContext, overrides: Partial<ServerOptions> = {}) {
  const files = writePair(tempDir(t), 'server', await selfSigned());
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
  const tracked: Socket[] = [];
  t.after(async () => {
    tracked.forEach((s) => s.destroy());
    await srv.stop();
  });
  const tlsPort = (await srv.server.listenTls(files)).port;
  /** Waits (safety timeout 5 s) for a log record with this message. */
  const logged = async (msg: string): Promise<LogRecord> => {
    const found = () => logs.find((r) => r.msg === msg);
    const deadline = Date.now() + 5000;
    while (!found()) {
      if (Date.now() > deadline) throw new Error(`no log "${msg}"; got ${JSON.stringify(logs)}`);
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
  return { srv, tlsPort, logged, track: (s: Socket) => void tracked.push(s) };
}

/** Asks for a renegotiation; resolves with what came of it (safety timeout 5 s). */
function renegotiation(socket: TLSSocket): Promise<'completed' | 'closed'> {
  if (socket.destroyed) return Promise.resolve('closed');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => finish(new Error('a renegotiation neither completed nor closed in 5 s')),
      5000,
    );
    const onSecure = () => finish('completed');
    const onClose = () => finish('closed');
    const finish = (result: 'completed' | 'closed' | Error) => {
      clearTimeout(timer);
      socket.off('secure', onSecure);
      socket.off('close', onClose);
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    socket.once('secure', onSecure);
    socket.once('close', onClose);
    // Node calls back only on success; a refusal shows as the close above.
    socket.renegotiate({ rejectUnauthorized: false }, () => {});
  });
}

test('a TLS 1.2 client that renegotiates is disconnected at its first attempt, with a log line', async (t) => {
  const { srv, tlsPort, logged } = await startTlsServer(t);
  const ana = await LineClient.join(srv.port, 'ana');
  t.after(() => ana.destroy());
  const socket = tlsConnect({
    host: '127.0.0.1',
    port: tlsPort,
    rejectUnauthorized: false,
    maxVersion: 'TLSv1.2',
  });
  socket.on('error', () => {});
  socket.resume(); // the greeting is read, so the server's close is seen
  t.after(() => socket.destroy());
  await once(socket, 'secureConnect');
  assert.equal(socket.getProtocol(), 'TLSv1.2');
  let completed = 0;
  for (let i = 0; i < 100; i++) {
    if ((await renegotiation(socket)) === 'closed') break;
    completed++;
  }
  assert.equal(completed, 0, `${completed} renegotiations completed`);
  assert.equal((await logged('TLS renegotiation refused; disconnecting')).ip, '127.0.0.1');
  const bob = await tlsJoin(tlsPort, 'bob');
  t.after(() => bob.destroy());
  bob.sendLine('still serving');
  assert.equal(await ana.lineMatching(/^bob: /), 'bob: still serving');
});

/**
 * Opens `n` TCP connections to the TLS port from `localAddress` that never start a handshake
 * (resolves once all are connected), and counts those the server closes.
 */
async function halfOpen(
  { tlsPort, track }: { tlsPort: number; track(s: Socket): void },
  n: number,
  localAddress = '127.0.0.1',
) {
  const sockets: Socket[] = [];
  let closed = 0;
  const waiters: Array<() => void> = [];
  for (let i = 0; i < n; i++) {
    const s = netConnect({ host: '127.0.0.1', port: tlsPort, localAddress });
    track(s);
    s.on('error', () => {});
    s.on('close', () => {
      closed++;
      for (const w of waiters.splice(0)) w();
    });
    s.resume();
    sockets.push(s);
  }
  await Promise.all(sockets.map((s) => once(s, 'connect')));
  return {
    sockets,
    /** Waits until the server has closed `count` of them (safety timeout 5 s). */
    async closedAtLeast(count: number): Promise<void> {
      const deadline = Date.now() + 5000;
      while (closed < count) {
        if (Date.now() > deadline) throw new Error(`only ${closed} of ${n} were closed in 5 s`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 5000);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    open: () => sockets.filter((s) => !s.destroyed).length,
  };
}

/** Whether this machine routes 127.0.0.2 (Linux does; macOS has only 127.0.0.1 by default). */
async function canBindLoopback2(): Promise<boolean> {
  const s = netConnect({ host: '127.0.0.1', port: 9, localAddress: '127.0.0.2' });
  const [outcome] = await Promise.race([once(s, 'connect'), once(s, 'error')]).catch((e: unknown) => [e]);
  s.destroy();
  return (outcome as NodeJS.ErrnoException | undefined)?.code !== 'EADDRNOTAVAIL';
}

test('100 idle connections to the TLS port from one address: --max-per-ip of them are held', async (t) => {
  const server = await startTlsServer(t, {
    maxPerIp: 4,
    limitLoopback: true,
    tlsHandshakeTimeoutSeconds: 60,
  });
  const idle = await halfOpen(server, 100);
  await idle.closedAtLeast(96);
  assert.equal(idle.open(), 4);
  const refusal = await server.logged('TLS connection refused');
  assert.deepEqual([refusal.ip, refusal.code, refusal.limit], ['127.0.0.1', 'TOO_MANY_FROM_ADDRESS', 4]);
  // Their places are given back when they close: a TLS client from the same address gets in
  // (its first tries may come before the server has seen the closes).
  idle.sockets.forEach((s) => s.destroy());
  let ana: LineClient | null = null;
  for (let i = 0; i < 50 && ana === null; i++) ana = await tlsJoin(server.tlsPort, 'ana').catch(() => null);
  assert.ok(ana, 'a TLS client got in once the idle connections closed');
  ana.destroy();
});

test('idle connections to the TLS port from one address do not lock TLS out for the others', async (t) => {
  if (!(await canBindLoopback2())) return t.skip('127.0.0.2 is not routed here');
  const server = await startTlsServer(t, {
    maxClients: 10,
    maxPerIp: 4,
    limitLoopback: true,
    tlsHandshakeTimeoutSeconds: 60,
  });
  const idle = await halfOpen(server, 100, '127.0.0.2');
  // bob's connection arrives after the 100 on the same listener, so it is accepted after them.
  const ana = await LineClient.join(server.srv.port, 'ana');
  const bob = await tlsJoin(server.tlsPort, 'bob');
  t.after(() => [ana, bob].forEach((c) => c.destroy()));
  bob.sendLine('got in');
  assert.equal(await ana.lineMatching(/^bob: /), 'bob: got in');
  await idle.closedAtLeast(96);
  assert.equal(idle.open(), 4);
});

test('TLS handshakes in progress count toward --max-clients', async (t) => {
  const server = await startTlsServer(t, { maxClients: 3, tlsHandshakeTimeoutSeconds: 60 });
  // One listener accepts in arrival order: once the fourth is refused, the first three are held.
  const idle = await halfOpen(server, 4);
  await idle.closedAtLeast(1);
  assert.equal(idle.open(), 3);
  const c = await LineClient.connect(server.srv.port);
  t.after(() => c.destroy());
  assert.equal(await c.nextLine(), '!! The server is full (3 connections). Try again later.');
  await c.closedByServer();
});
