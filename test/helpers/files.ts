import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { FileService } from '../../src/server/files/file-service.js';
import { FILES_DEFAULTS, type FilesOptions } from '../../src/server/files/options.js';
import type { ServerOptions } from '../../src/server/options.js';
import { defaultWebRoot, loadStaticFiles } from '../../src/server/web/static-files.js';
import { startWebListener, type WebListener } from '../../src/server/web/web-listener.js';
import { LineClient } from './line-client.js';
import { startServer, type TestServer } from './server.js';

export interface FileChat {
  srv: TestServer;
  files: FileService;
  web: WebListener;
  /** `http://127.0.0.1:PORT` of the web listener. */
  base: string;
  webPort: number;
  dataDir: string;
  /** A JSON client joined as `name`. */
  bot(name: string): Promise<LineClient>;
  /** A plain-text client joined as `name`. */
  join(name: string): Promise<LineClient>;
  /** Stops web and chat listeners and the store (the data directory stays until the test ends). */
  stop(): Promise<void>;
}

/** A chat server with its web listener and file transfer in a fresh data directory. */
export async function startFileChat(
  t: { after(fn: () => unknown): void },
  fileOptions: Partial<FilesOptions & { uploadIdleMs: number; now: () => number }> = {},
  overrides: Partial<ServerOptions> = {},
  /** Reuse a data directory (a restart); its caller removes it. */
  reuseDir?: string,
): Promise<FileChat> {
  const dataDir = reuseDir ?? mkdtempSync(join(tmpdir(), 'papo-files-'));
  const log = pino({ level: 'silent' });
  const files = await FileService.open({
    ...FILES_DEFAULTS,
    ...fileOptions,
    root: join(dataDir, 'files'),
    log,
  });
  const srv = await startServer({ dataDir, ...overrides }, { files });
  const root = defaultWebRoot();
  if (root === null) throw new Error('dist/web is missing: run npm run build first');
  const web = await startWebListener({
    files: loadStaticFiles(root),
    host: '127.0.0.1',
    port: 0,
    tls: null,
    extraOrigins: [],
    trustProxy: false,
    heartbeatSeconds: 30,
    log,
    gate: srv.server,
    fileRoutes: files,
  });
  files.useListenerUrl(web.url);
  const clients: LineClient[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const c of clients) c.destroy();
    await web.close();
    await srv.stop();
    files.close();
  };
  t.after(async () => {
    await stop();
    if (reuseDir === undefined) rmSync(dataDir, { recursive: true, force: true });
  });
  const base = `http://127.0.0.1:${web.address.port}`;
  return {
    srv,
    files,
    web,
    base,
    webPort: web.address.port,
    dataDir,
    stop,
    bot: async (name) => {
      const c = await LineClient.connect(srv.port);
      clients.push(c);
      c.sendLine(JSON.stringify({ type: 'hello', version: 2, name }));
      await c.jsonOfType('welcome');
      return c;
    },
    join: async (name) => {
      const c = await LineClient.join(srv.port, name);
      clients.push(c);
      return c;
    },
  };
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Offers a file over the chat and returns the upload slot (or the error) that answers it. */
export async function offer(
  c: LineClient,
  fields: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const ref = `r${Math.random().toString(36).slice(2)}`;
  c.sendLine(JSON.stringify({ type: 'file_offer', ref, ...fields }));
  for (;;) {
    const m = await c.nextJson();
    if (m.ref === ref) return m;
  }
}

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One HTTP request with node:http (no keep-alive), the whole answer buffered (small bodies only). */
export function http(
  url: string,
  method: string,
  headers: Record<string, string> = {},
  body?: Buffer,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** PATCHes `body` at `offset` to an upload slot. */
export function patch(url: string, offset: number, body: Buffer): Promise<HttpAnswer> {
  return http(
    url,
    'PATCH',
    {
      'Content-Type': 'application/offset+octet-stream',
      'Upload-Offset': String(offset),
      'Tus-Resumable': '1.0.0',
      'Content-Length': String(body.length),
    },
    body,
  );
}

/** Offers and uploads `data` in one PATCH; returns the slot URL and the PATCH's answer. */
export async function send(
  c: LineClient,
  data: Buffer,
  fields: Record<string, unknown> = {},
): Promise<{ slot: Record<string, unknown>; answer: HttpAnswer }> {
  const slot = await offer(c, { name: 'a.bin', size: data.length, sha256: sha256(data), ...fields });
  if (slot.type !== 'upload_slot') throw new Error(`no slot: ${JSON.stringify(slot)}`);
  const answer = await patch(slot.url as string, 0, data);
  return { slot, answer };
}
