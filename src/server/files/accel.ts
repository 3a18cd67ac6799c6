/**
 * Downloads through a front proxy (`--files-accel-redirect PREFIX`, docs/SERVER.md, "Behind
 * nginx"): papo makes every check of a download, then answers with `X-Accel-Redirect:
 * PREFIX<blob path>` and no body, and nginx sends the blob's bytes itself (`sendfile`, `Range`)
 * from an `internal` location aliasing `<data-dir>/files/blobs/`.
 */
import type { ServerResponse } from 'node:http';
import { isSha256Hex } from '../../core/files.js';
import { blobKey } from './blob-store.js';

/**
 * A prefix nginx can match as a location and papo can put in a header: starts and ends with
 * `/`, segments of URL-safe characters (`A-Z a-z 0-9 . _ ~ -`), none `.` or `..`; else null.
 */
export function checkAccelPrefix(value: string): string | null {
  if (!/^\/([A-Za-z0-9._~-]+\/)*$/.test(value)) return null;
  if (value.split('/').some((segment) => segment === '.' || segment === '..')) return null;
  return value;
}

/**
 * The `X-Accel-Redirect` value for a stored content: `PREFIX` + its path under the files
 * directory (`blobs/ab/<sha256>`). Only a 64-hex-digit hash from papo's own records makes one;
 * anything else (never a user's file name or token) gets null.
 */
export function accelTarget(prefix: string, sha256: string): string | null {
  if (!isSha256Hex(sha256)) return null;
  return `${prefix}${blobKey(sha256)}`;
}

/**
 * The answer that hands a download to the proxy: papo's headers (nginx keeps some across the
 * redirect; deploy/nginx.conf adds the others back), the redirect, and no body. The status the
 * client sees is the proxy's (200, or 206 for the `Range` asked; 404 if the blob went meanwhile).
 */
export function sendAccelRedirect(
  res: ServerResponse,
  headers: Record<string, string>,
  target: string,
): void {
  // nginx copies `Accept-Ranges` across the redirect and adds its own: one is enough.
  const kept = Object.entries(headers).filter(([name]) => name !== 'Accept-Ranges');
  res.writeHead(200, {
    ...Object.fromEntries(kept),
    'X-Accel-Redirect': target,
    'Content-Length': '0',
  });
  res.end();
}
