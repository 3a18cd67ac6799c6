import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/**
 * The client's address: the socket's peer, or with `trustProxy` the last address in
 * `X-Forwarded-For` (the one the trusted proxy appended; earlier ones are the client's own
 * claim). A missing or malformed header falls back to the peer.
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  const peer = req.socket.remoteAddress ?? '';
  if (!trustProxy) return peer;
  const header = req.headers['x-forwarded-for'];
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value) return peer;
  const last = value.split(',').at(-1)?.trim() ?? '';
  return isIP(last) !== 0 ? last : peer;
}
