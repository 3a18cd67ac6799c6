import { createReadStream, type ReadStream } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { accelTarget, sendAccelRedirect } from './accel.js';
import { sendStatus, type FileService } from './file-service.js';
import { downloadHeaders, parseRange } from './http-rules.js';

/**
 * Bytes per read of a download. The default 64 KiB cost ~2.0 s of server CPU per GiB on
 * loopback; 1 MiB costs ~0.8 s (one read and one socket write per MiB), and 2 or 4 MiB measured
 * no better (bench/RESULTS.md, "File transfer"). At most about two of these are held per download.
 */
export const DOWNLOAD_READ_BYTES = 1024 * 1024;

/**
 * `/f/<token>/<name>`: GET and HEAD of a stored file, `Range` honoured, streamed from disk, or
 * with `--files-accel-redirect` handed to the front proxy once checked (accel.ts). The answer
 * can never run in papo's origin (`downloadHeaders`).
 */
export async function serveDownload(
  service: FileService,
  token: string,
  inline: boolean,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const method = req.method ?? '';
  if (method !== 'GET' && method !== 'HEAD') {
    return sendStatus(res, 405, 'Method not allowed.', true, { Allow: 'GET, HEAD' });
  }
  const file = service.file(token);
  if (!file) return elsewhere(service, token, inline, res);
  const headers = downloadHeaders(file, inline);
  // A resume that names other content (If-Range: not this ETag, or a date: papo sends no
  // Last-Modified) gets the whole file, never a part of something else (RFC 9110, 13.1.5).
  const ifRange = req.headers['if-range'];
  const range =
    ifRange === undefined || ifRange === headers.ETag ? parseRange(req.headers.range, file.size) : null;
  if (range === 'invalid') {
    return sendStatus(res, 416, 'Range not satisfiable.', false, { 'Content-Range': `bytes */${file.size}` });
  }
  // Every check is made: behind nginx, it sends the bytes (and serves the range) from here on.
  const prefix = service.options.filesAccelRedirect;
  if (prefix !== null) {
    const target = accelTarget(prefix, file.sha256);
    if (target === null)
      throw new Error(`files: a stored hash is not a sha256: ${JSON.stringify(file.sha256)}`);
    return sendAccelRedirect(res, headers, target);
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? file.size - 1;
  let stream: ReadStream | undefined;
  if (method === 'GET' && end >= start) {
    stream = createReadStream(service.blobs.blobPath(file.sha256), {
      start,
      end,
      highWaterMark: DOWNLOAD_READ_BYTES,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        stream?.once('open', () => resolve());
        stream?.once('error', reject);
      });
    } catch {
      return sendStatus(res, 404, 'No such file (unknown or expired).');
    }
  }
  headers['Content-Length'] = String(end - start + 1);
  if (range) headers['Content-Range'] = `bytes ${start}-${end}/${file.size}`;
  res.writeHead(range ? 206 : 200, headers);
  if (!stream) return void res.end();
  try {
    await pipeline(stream, res);
  } catch {
    // The client went away mid-download: nothing to clean up.
  }
}

/**
 * A file this node does not hold: in a cluster, a redirect to the node that does (docs/
 * CLUSTER.md, "Files"); otherwise, or if no node has it, 404.
 */
async function elsewhere(
  service: FileService,
  token: string,
  inline: boolean,
  res: ServerResponse,
): Promise<void> {
  const url = service.locator ? await service.locator.locate(token) : null;
  if (url === null || service.isOwnUrl(url) || !/^https?:\/\//.test(url))
    return sendStatus(res, 404, 'No such file (unknown or expired).');
  // 307 keeps the method (a HEAD stays a HEAD); the token is the capability, as in the URL asked.
  res.writeHead(307, {
    Location: inline ? `${url}?inline=1` : url,
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'Content-Length': '0',
  });
  res.end();
}
