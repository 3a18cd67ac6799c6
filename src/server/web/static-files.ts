import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One representation of a file: its bytes and the ETag naming them. */
export interface Representation {
  body: Buffer;
  etag: string;
  /** `Content-Encoding`, absent for the identity bytes. */
  encoding?: 'br' | 'gzip';
}

/** A file of the web app, loaded once at start with its precompressed variants. */
export interface StaticFile {
  contentType: string;
  cacheControl: string;
  identity: Representation;
  gzip?: Representation;
  br?: Representation;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
};

/** esbuild's `[name]-[hash]` names: their bytes never change, so they may be cached for a year. */
const HASHED_NAME = /-[A-Z0-9]{8}\.[a-z]+$/;

/** Where the built app is: `dist/web` beside the compiled server, or from a source checkout. */
export function defaultWebRoot(): string | null {
  const candidates = [new URL('../../web/', import.meta.url), new URL('../../../dist/web/', import.meta.url)];
  for (const url of candidates) {
    const dir = fileURLToPath(url);
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  return null;
}

function etagOf(body: Buffer, suffix: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}${suffix}"`;
}

function variant(dir: string, name: string, encoding: 'br' | 'gzip'): Representation | undefined {
  const path = join(dir, `${name}.${encoding === 'br' ? 'br' : 'gz'}`);
  if (!existsSync(path)) return undefined;
  const body = readFileSync(path);
  return { body, etag: etagOf(body, encoding === 'br' ? '-br' : '-gz'), encoding };
}

/**
 * Loads every file of the built app into memory (a few tens of KiB): requests are answered from
 * this table, so no request path ever reaches the file system.
 */
export function loadStaticFiles(dir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const name of readdirSync(dir)) {
    if (name.endsWith('.gz') || name.endsWith('.br') || name.endsWith('.map')) continue;
    const contentType = CONTENT_TYPES[extname(name)];
    if (contentType === undefined) continue;
    const body = readFileSync(join(dir, name));
    files.set(`/${name}`, {
      contentType,
      cacheControl: HASHED_NAME.test(name) ? 'public, max-age=31536000, immutable' : 'no-cache',
      identity: { body, etag: etagOf(body, '') },
      gzip: variant(dir, name, 'gzip'),
      br: variant(dir, name, 'br'),
    });
  }
  const index = files.get('/index.html');
  if (index) files.set('/', index);
  return files;
}

/** The encodings a client accepts (`Accept-Encoding`), with `q=0` meaning refused. */
function accepted(header: string | undefined): Set<string> {
  const out = new Set<string>();
  for (const part of (header ?? '').split(',')) {
    const [token, ...params] = part.trim().toLowerCase().split(';');
    if (!token) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q !== undefined && !(Number(q.slice(2)) > 0)) continue;
    out.add(token);
  }
  return out;
}

/** Picks the smallest representation the client accepts: brotli, then gzip, then the bytes. */
export function negotiate(file: StaticFile, acceptEncoding: string | undefined): Representation {
  const ok = accepted(acceptEncoding);
  if (file.br && (ok.has('br') || ok.has('*'))) return file.br;
  if (file.gzip && (ok.has('gzip') || ok.has('*'))) return file.gzip;
  return file.identity;
}

/** Whether `If-None-Match` names this representation (or `*`): the client's copy is current. */
export function isNotModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === etag || t === `W/${etag}`;
  });
}
