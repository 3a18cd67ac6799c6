import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import pino from 'pino';
import type { ServerOptions } from '../../src/server/options.js';
import { LineClient } from '../helpers/line-client.js';
import { startServer } from '../helpers/server.js';
import { selfSigned, tempDir, tlsJoin, writePair } from '../helpers/tls.js';

type LogRecord = Record<string, unknown>;

/** A server with plain and TLS listeners on free ports; `logged` waits for a log record. */
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
  t.after(() => srv.stop());
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
  return { srv, tlsPort, logged };
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
