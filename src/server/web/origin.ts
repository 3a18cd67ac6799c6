import type { IncomingMessage } from 'node:http';

const LOOPBACK_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/** What decides whether a WebSocket may open. */
export interface OriginPolicy {
  /** `https:` when the page is served over TLS, else `http:`. */
  scheme: 'http:' | 'https:';
  /** Origins allowed besides the page's own (`--web-origin`). */
  extraOrigins: readonly string[];
  /** The server listens on loopback only: a `Host` that is no loopback name is DNS rebinding. */
  loopbackOnly: boolean;
}

function hostnameOf(host: string): string {
  const match = /^(\[[^\]]*\]|[^:]*)(?::\d+)?$/.exec(host);
  return (match?.[1] ?? '').toLowerCase();
}

/**
 * Whether a WebSocket upgrade comes from the app's own page (or an allowed origin), so no other
 * site can open a chat in a visitor's browser (cross-site WebSocket hijacking). Browsers always
 * send `Origin` on a WebSocket; a request without one is a program, not a page, and is let in
 * like a TCP client.
 */
export function isAllowedOrigin(req: IncomingMessage, policy: OriginPolicy): boolean {
  const origin = req.headers.origin;
  const host = (req.headers.host ?? '').toLowerCase();
  if (policy.loopbackOnly && !LOOPBACK_HOSTNAMES.has(hostnameOf(host))) {
    if (origin === undefined || !policy.extraOrigins.includes(origin.toLowerCase())) return false;
  }
  if (origin === undefined) return true;
  const normalized = origin.toLowerCase();
  if (policy.extraOrigins.includes(normalized)) return true;
  return host !== '' && normalized === `${policy.scheme}//${host}`;
}
