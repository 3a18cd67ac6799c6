import { discard, request, TransferError } from './http.js';

/**
 * What a download URL serves, asked with HEAD: for `/get URL` (a URL from an `nc` user's
 * line, or from an earlier session), where no `file` event told name, size and hash. The
 * server's ETag is the file's SHA-256 (docs/PROTOCOL.md, "Files").
 */
export async function fileAt(
  url: string,
): Promise<{ url: string; name: string; size: number; sha256: string }> {
  const res = await request(url, 'HEAD', {});
  discard(res);
  if (res.statusCode === 404)
    throw new TransferError('the file is gone (expired, or not for you)', false, 404);
  if (res.statusCode !== 200) throw new TransferError(`HTTP ${res.statusCode}`, false, res.statusCode);
  const size = Number(res.headers['content-length']);
  const etag = /^"([0-9a-f]{64})"$/.exec(String(res.headers.etag ?? ''))?.[1];
  if (!Number.isSafeInteger(size) || etag === undefined) {
    throw new TransferError('not a papo file URL (no size or SHA-256 ETag)', false);
  }
  const segment = new URL(url).pathname.split('/').pop() ?? '';
  let name: string;
  try {
    name = decodeURIComponent(segment);
  } catch {
    name = segment;
  }
  return { url, name, size, sha256: etag };
}
