/** Pure rules of the files' HTTP side: paths, ranges, headers (docs/PROTOCOL.md, "Files"). */
import { cleanFileName } from '../../core/files.js';
import type { FileRecord } from './file-db.js';

/** A token as papo makes them: base64url, 22 to 64 characters (at least 128 random bits). */
const TOKEN = /^[A-Za-z0-9_-]{22,64}$/;

export type FileRoute =
  { kind: 'upload'; token: string } | { kind: 'download'; token: string } | { kind: 'bad' } | null;

/**
 * Which file route a request path (without its query) names: `/u/<token>`, or
 * `/f/<token>/<name>` whose name is one segment (cosmetic); `bad` for a hostile or malformed
 * path under `/u/` or `/f/` (`..`, an encoded slash or backslash, extra segments); null for
 * every other path (not a file route).
 */
export function fileRoute(path: string): FileRoute {
  if (!path.startsWith('/u/') && !path.startsWith('/f/')) return null;
  if (/%(2f|5c|00)|\\|\.\./i.test(path)) return { kind: 'bad' };
  const parts = path.split('/');
  const token = parts[2] ?? '';
  if (!TOKEN.test(token)) return { kind: 'bad' };
  if (parts[1] === 'u') return parts.length === 3 ? { kind: 'upload', token } : { kind: 'bad' };
  if (parts.length === 3 || (parts.length === 4 && parts[3] !== '')) return { kind: 'download', token };
  return { kind: 'bad' };
}

/** A satisfiable byte range, both ends included. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Reads a `Range` header for a file of `size` bytes: null without one (the whole file), a range
 * for one satisfiable `bytes=a-b` / `bytes=a-` / `bytes=-n`, or `invalid` for anything else
 * (malformed, several ranges, past the end), answered 416.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | null | 'invalid' {
  if (header === undefined) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return 'invalid';
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return 'invalid';
  if (a.length > 16 || b.length > 16) return 'invalid';
  if (a === '') {
    const n = Number(b);
    if (n === 0 || size === 0) return 'invalid';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (start >= size || (b !== '' && Number(b) < start)) return 'invalid';
  return { start, end };
}

/** An RFC 5987 value: UTF-8, percent-encoded but for attr-chars. */
function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * `Content-Disposition` for a download (RFC 6266): an ASCII fallback name for old clients and
 * the exact name in `filename*`.
 */
export function contentDisposition(name: string, inline: boolean): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `${inline ? 'inline' : 'attachment'}; filename="${ascii}"; filename*=UTF-8''${encodeRfc5987(name)}`;
}

/** The sandboxing policy of every download: nothing in it can run, load or navigate. */
export const DOWNLOAD_CSP = "sandbox; default-src 'none'";

/**
 * A download's headers but for length and range, the same whether papo or a front proxy sends
 * the bytes: the answer can never run in papo's origin (attachment, or inline only for an image
 * asked with `inline`; nosniff; a sandboxing CSP).
 */
export function downloadHeaders(
  file: Pick<FileRecord, 'name' | 'mime' | 'sha256'>,
  inline: boolean,
): Record<string, string> {
  return {
    'Content-Type': file.mime,
    'Content-Disposition': contentDisposition(
      cleanFileName(file.name),
      inline && file.mime.startsWith('image/'),
    ),
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': DOWNLOAD_CSP,
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Accept-Ranges': 'bytes',
    ETag: `"${file.sha256}"`,
    'Cache-Control': 'private, max-age=3600',
  };
}

/** Parses `Upload-Offset`: a whole number of decimal digits, else null. */
export function parseOffset(header: string | undefined): number | null {
  if (header === undefined || !/^\d{1,16}$/.test(header.trim())) return null;
  const n = Number(header.trim());
  return Number.isSafeInteger(n) ? n : null;
}
