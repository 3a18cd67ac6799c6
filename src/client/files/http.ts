import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';

/** A transfer failed for a reason worth saying; `retry` when trying again may help. */
export class TransferError extends Error {
  constructor(
    message: string,
    readonly retry: boolean,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** How long a transfer may go without a byte moving before it counts as broken, in ms. */
export const STALL_MS = 30_000;

/**
 * One HTTP request on its own connection (no keep-alive: a broken transfer leaves nothing
 * behind). Resolves with the response once its headers arrived; a body, when given, is piped.
 */
export function request(
  url: string,
  method: string,
  headers: OutgoingHttpHeaders,
  body?: Readable,
): Promise<IncomingMessage> {
  const u = new URL(url);
  const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(u, { method, headers: { ...headers, connection: 'close' }, agent: false });
    req.setTimeout(STALL_MS, () => req.destroy(new Error('ETIMEDOUT')));
    req.on('response', resolve);
    req.on('error', (err: NodeJS.ErrnoException) => reject(new TransferError(networkText(err), true)));
    if (body) {
      body.on('error', (err) => req.destroy(err));
      body.pipe(req);
    } else req.end();
  });
}

function networkText(err: NodeJS.ErrnoException): string {
  const code = err.code ?? err.message;
  return code === 'ECONNREFUSED'
    ? 'connection refused (is the server up, with its web port?)'
    : `network error (${code})`;
}

/** Reads a (small) response body as text, at most `max` bytes. */
export async function readText(res: IncomingMessage, max = 4096): Promise<string> {
  let text = '';
  for await (const chunk of res as AsyncIterable<Buffer>) {
    if (text.length < max) text += chunk.toString('utf8');
  }
  return text.slice(0, max).trim();
}

/** Drains and drops a response body. */
export function discard(res: IncomingMessage): void {
  res.resume();
}
