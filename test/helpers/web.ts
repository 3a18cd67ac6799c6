import { once } from 'node:events';
import { connect } from 'node:net';
import pino from 'pino';
import type { DecodedLine } from '../../src/protocol/line-decoder.js';
import type { ServerOptions } from '../../src/server/options.js';
import type { Transport, TransportHandler } from '../../src/server/transport.js';
import { defaultWebRoot, loadStaticFiles } from '../../src/server/web/static-files.js';
import {
  startWebListener,
  type WebListener,
  type WebListenerOptions,
} from '../../src/server/web/web-listener.js';
import { startServer, type TestServer } from './server.js';

/** A transport's events as the test sees them. */
export class RecordingHandler implements TransportHandler {
  readonly lines: DecodedLine[] = [];
  closed = false;
  private waiters: Array<() => void> = [];

  onTransportLine(line: DecodedLine): void {
    this.lines.push(line);
    this.wake();
  }
  onTransportEnd(): void {}
  onTransportClose(): void {
    this.closed = true;
    this.wake();
  }
  onTransportError(): void {}

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Waits (5 s at most, then fails) until `test` holds. */
  async until(test: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!test()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

/** A web listener on a free port whose transports are started with recording handlers. */
export async function startTestWeb(
  t: { after(fn: () => unknown): void },
  overrides: Partial<WebListenerOptions> = {},
): Promise<{
  web: WebListener;
  base: string;
  accepted: Array<{ transport: Transport; handler: RecordingHandler }>;
  next(): Promise<{ transport: Transport; handler: RecordingHandler }>;
}> {
  const root = defaultWebRoot();
  if (root === null) throw new Error('dist/web is missing: run npm run build first');
  const accepted: Array<{ transport: Transport; handler: RecordingHandler }> = [];
  let notify: (() => void) | null = null;
  const web = await startWebListener({
    files: loadStaticFiles(root),
    host: '127.0.0.1',
    port: 0,
    tls: null,
    extraOrigins: [],
    trustProxy: false,
    heartbeatSeconds: 30,
    log: pino({ level: 'silent' }),
    gate: {
      admit: () => null,
      refuse: (transport) => transport.destroy(),
      accept: (transport) => {
        const handler = new RecordingHandler();
        transport.start(handler);
        accepted.push({ transport, handler });
        notify?.();
      },
    },
    ...overrides,
  });
  t.after(() => web.close());
  const base = `http://127.0.0.1:${web.address.port}`;
  return {
    web,
    base,
    accepted,
    next: async () => {
      const count = accepted.length;
      while (accepted.length === count) await new Promise<void>((resolve) => (notify = resolve));
      return accepted[accepted.length - 1] as { transport: Transport; handler: RecordingHandler };
    },
  };
}

/** Sends raw bytes as a request and returns the whole answer (the server closes or answers once). */
export async function rawRequest(
  port: number,
  request: string | Buffer,
): Promise<{ status: number; head: string; body: string }> {
  const socket = connect({ port, host: '127.0.0.1' });
  socket.on('error', () => {});
  await once(socket, 'connect');
  socket.write(request);
  let data = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => {
    data += chunk;
    const end = data.indexOf('\r\n\r\n');
    if (end === -1) return;
    const length = /content-length: (\d+)/i.exec(data.slice(0, end));
    if (length && data.length >= end + 4 + Number(length[1])) socket.end();
  });
  await once(socket, 'close');
  const end = data.indexOf('\r\n\r\n');
  const head = end === -1 ? data : data.slice(0, end);
  return {
    status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0),
    head,
    body: end === -1 ? '' : data.slice(end + 4),
  };
}

/** A papo server in this process with its web listener (the same hub for TCP and WebSocket). */
export async function serveChatWithWeb(
  t: { after(fn: () => unknown): void },
  overrides: Partial<ServerOptions> = {},
  web: Partial<WebListenerOptions> = {},
): Promise<{ srv: TestServer; listener: WebListener; url: string; origin: string }> {
  const srv = await startServer(overrides);
  const root = defaultWebRoot();
  if (root === null) throw new Error('dist/web is missing: run npm run build first');
  const listener = await startWebListener({
    files: loadStaticFiles(root),
    host: '127.0.0.1',
    port: 0,
    tls: null,
    extraOrigins: [],
    trustProxy: false,
    heartbeatSeconds: 30,
    log: pino({ level: 'silent' }),
    gate: srv.server,
    ...web,
  });
  t.after(async () => {
    await listener.close();
    await srv.stop();
  });
  const origin = `${listener.url.replace(/\/$/, '')}`;
  return { srv, listener, url: `${origin.replace(/^http/, 'ws')}/ws`, origin };
}
