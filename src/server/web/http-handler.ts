import type { IncomingMessage, ServerResponse } from 'node:http';
import { SECURITY_HEADERS } from './headers.js';
import { isNotModified, negotiate, type StaticFile } from './static-files.js';

/** Path of the WebSocket endpoint. */
export const WS_PATH = '/ws';

/**
 * Whether a request path may name a file: plain `/name` segments only. Anything encoded,
 * dotted or doubled (`%2e%2e%2f`, `%2F`, `..`, `//`, `\`) is refused outright rather than
 * decoded and cleaned, since no file of the app needs such a name.
 */
export function isPlainPath(path: string): boolean {
  return /^\/[A-Za-z0-9_.-]*$/.test(path) && !path.includes('..');
}

function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  extra: Record<string, string> = {},
): void {
  const body = Buffer.from(`${text}\n`, 'utf8');
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(body.length),
    'Cache-Control': 'no-store',
    ...extra,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/**
 * Answers an HTTP request from the table of app files: GET and HEAD only, 4xx for anything
 * else; never touches the file system and never throws on what a client sends.
 */
export function createRequestHandler(
  files: ReadonlyMap<string, StaticFile>,
  /** Answers the file-transfer paths (`/u/`, `/f/`) and returns true; false for any other. */
  fileRoutes?: (req: IncomingMessage, res: ServerResponse) => boolean,
) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (fileRoutes?.(req, res)) return;
    const method = req.method ?? '';
    if (method !== 'GET' && method !== 'HEAD') {
      return sendText(res, 405, 'Method not allowed.', { Allow: 'GET, HEAD' });
    }
    const target = req.url ?? '';
    const query = target.indexOf('?');
    const path = query === -1 ? target : target.slice(0, query);
    if (!isPlainPath(path)) return sendText(res, 400, 'Bad request path.');
    if (path === WS_PATH)
      return sendText(res, 426, 'This is the WebSocket endpoint.', { Upgrade: 'websocket' });
    const file = files.get(path);
    if (file === undefined) return sendText(res, 404, 'Not found.');
    const rep = negotiate(file, req.headers['accept-encoding']);
    const headers: Record<string, string> = {
      ...SECURITY_HEADERS,
      'Content-Type': file.contentType,
      'Cache-Control': file.cacheControl,
      ETag: rep.etag,
      Vary: 'Accept-Encoding',
    };
    if (rep.encoding) headers['Content-Encoding'] = rep.encoding;
    if (isNotModified(req.headers['if-none-match'], rep.etag)) {
      res.writeHead(304, headers);
      return void res.end();
    }
    headers['Content-Length'] = String(rep.body.length);
    res.writeHead(200, headers);
    res.end(method === 'HEAD' ? undefined : rep.body);
  };
}
