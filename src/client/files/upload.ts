import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { discard, readText, request, TransferError } from './http.js';
import { withRetries } from './retry.js';

export interface UploadJob {
  /** The slot's URL (`upload_slot.url`). */
  url: string;
  path: string;
  size: number;
  /** Bytes the server holds, after each chunk read; `from` is where this try started. */
  onProgress?: (done: number, from: number) => void;
  attempts?: number;
}

/** What the server answered to the upload's last PATCH. */
export interface UploadResult {
  /** Where the file can be fetched (`Papo-File-Url`), when the server said. */
  fileUrl: string | null;
  /** Bytes that were already on the server when the upload started (a resume). */
  resumedFrom: number;
}

const TUS = { 'tus-resumable': '1.0.0' };

/** The server's offset for a slot (HEAD); a gone slot is an error that retrying cannot fix. */
export async function slotOffset(url: string): Promise<number> {
  const res = await request(url, 'HEAD', TUS);
  discard(res);
  if (res.statusCode === 404)
    throw new TransferError('the upload slot is gone (expired or cancelled)', false, 404);
  if (res.statusCode !== 200) throw httpError(res.statusCode ?? 0, '');
  const offset = Number(res.headers['upload-offset']);
  if (!Number.isSafeInteger(offset) || offset < 0)
    throw new TransferError('bad Upload-Offset from the server', true);
  return offset;
}

function httpError(status: number, body: string): TransferError {
  if (status === 422)
    return new TransferError(
      'the server refused the file: sha256 mismatch (did the file change?)',
      false,
      status,
    );
  if (status === 413)
    return new TransferError(
      'the server refused the file: larger than declared or than its limit',
      false,
      status,
    );
  if (status === 404)
    return new TransferError('the upload slot is gone (expired or cancelled)', false, status);
  const detail = body === '' ? '' : `: ${body.slice(0, 200)}`;
  return new TransferError(
    `upload failed (HTTP ${status}${detail})`,
    status >= 500 || status === 409,
    status,
  );
}

/**
 * Uploads a file into its slot with the contract's HEAD/PATCH (docs/PROTOCOL.md, "Files"): asks
 * the server where it stands, sends the rest in one streamed PATCH, and after a broken
 * connection asks again and goes on from there. The file is read as a stream, never whole.
 */
export async function uploadFile(job: UploadJob): Promise<UploadResult> {
  let resumedFrom = -1;
  let fileUrl: string | null = null;
  await withRetries(async () => {
    const info = await stat(job.path);
    if (info.size !== job.size) throw new TransferError('the file changed size since it was offered', false);
    const offset = await slotOffset(job.url);
    if (resumedFrom < 0) resumedFrom = offset;
    job.onProgress?.(offset, offset);
    if (offset >= job.size) return;
    const body = createReadStream(job.path, { start: offset });
    let sent = offset;
    body.on('data', (chunk) => {
      sent += chunk.length;
      job.onProgress?.(sent, offset);
    });
    const res = await request(
      job.url,
      'PATCH',
      {
        ...TUS,
        'upload-offset': String(offset),
        'content-type': 'application/offset+octet-stream',
        'content-length': String(job.size - offset),
      },
      body,
    );
    body.destroy();
    if (res.statusCode !== 204) throw httpError(res.statusCode ?? 0, await readText(res).catch(() => ''));
    discard(res);
    const url = res.headers['papo-file-url'];
    if (typeof url === 'string') fileUrl = url;
    const now = Number(res.headers['upload-offset']);
    if (now < job.size) throw new TransferError('the connection broke during the upload', true);
  }, job.attempts);
  return { fileUrl, resumedFrom: Math.max(0, resumedFrom) };
}

/** Cancels an upload (DELETE): the server drops what it received. */
export async function cancelUpload(url: string): Promise<void> {
  const res = await request(url, 'DELETE', TUS);
  discard(res);
}
