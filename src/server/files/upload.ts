import { createHash, type Hash } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { sniffMime } from './blob-store.js';
import { sendStatus, type FileService, type LiveSlot } from './file-service.js';
import { parseOffset } from './http-rules.js';
import { DiskError, OverflowError, SlotWriter } from './slot-writer.js';

const OFFSET_TYPE = 'application/offset+octet-stream';

/** `/u/<token>`: HEAD (where to resume), PATCH (more bytes), DELETE (cancel); a tus 1.0.0 subset. */
export async function serveUpload(
  service: FileService,
  token: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const method = req.method ?? '';
  const hasBody = method !== 'HEAD' && method !== 'GET';
  if (method !== 'HEAD' && method !== 'PATCH' && method !== 'DELETE') {
    return sendStatus(res, 405, 'Method not allowed.', hasBody, { Allow: 'HEAD, PATCH, DELETE' });
  }
  const slot = await service.slot(token);
  if (!slot) return sendStatus(res, 404, 'No such upload (unknown, finished or expired).', hasBody);
  if (method === 'HEAD') {
    res.writeHead(200, {
      'Upload-Offset': String(slot.offset),
      'Upload-Length': String(slot.record.size),
      'Tus-Resumable': '1.0.0',
      'Cache-Control': 'no-store',
    });
    return void res.end();
  }
  if (method === 'DELETE') {
    if (slot.busy) return sendStatus(res, 409, 'An upload to this slot is in progress.', true);
    await service.dropSlot(token);
    res.writeHead(204, { 'Tus-Resumable': '1.0.0' });
    return void res.end();
  }
  return patch(service, slot, req, res);
}

async function patch(service: FileService, slot: LiveSlot, req: IncomingMessage, res: ServerResponse) {
  const { record } = slot;
  const at = { 'Upload-Offset': String(slot.offset) };
  if (slot.busy) return sendStatus(res, 409, 'An upload to this slot is in progress.', true, at);
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== OFFSET_TYPE) return sendStatus(res, 415, `Content-Type must be ${OFFSET_TYPE}.`, true);
  const offset = parseOffset(req.headers['upload-offset'] as string | undefined);
  if (offset === null) return sendStatus(res, 400, 'Upload-Offset must be a whole number.', true);
  if (offset !== slot.offset) {
    return sendStatus(res, 409, `Upload-Offset is ${slot.offset}, not ${offset}.`, true, at);
  }
  const remaining = record.size - offset;
  const length = req.headers['content-length'];
  if (length !== undefined && Number(length) > remaining) {
    // Refused before any of the body is read: the client sees this while still sending.
    return sendStatus(res, 413, `The body goes past the declared size (${remaining} bytes left).`, true, at);
  }
  slot.busy = true;
  let answer: () => void;
  try {
    answer = await receive(service, slot, req, res);
  } finally {
    slot.busy = false;
  }
  // Answered once the slot is free again: a client may HEAD or DELETE as soon as it reads this.
  answer();
}

type Answer = () => void;

/** Streams the body into the slot's file; returns the answer: more to come, stored, or refused. */
async function receive(
  service: FileService,
  slot: LiveSlot,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<Answer> {
  const { record } = slot;
  const start = slot.offset;
  const path = service.blobs.tmpPath(record.token);
  const hash = slot.hash !== null && slot.hashed === start ? slot.hash : await hashPrefix(path, start);
  slot.hash = null; // until the body is in: a failure below leaves it to be recomputed
  const file = await open(path, constants.O_RDWR | constants.O_CREAT, 0o600);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await file.close();
  };
  try {
    await cutTo(file, start); // bytes past the last acknowledged offset were never counted
    const writer = new SlotWriter(file, start, record.size, hash);
    req.setTimeout(service.uploadIdleMs, () => req.socket.destroy());
    let failed: unknown = null;
    try {
      await pipeline(req, writer);
    } catch (err) {
      failed = err;
    }
    req.setTimeout(0);
    if (writer.failure !== null) {
      // The body was refused: none of it is kept.
      await cutTo(file, start);
      await syncFile(file);
      const failure = writer.failure;
      return () => refuse(res, failure, start, service);
    }
    await syncFile(file);
    slot.offset = writer.position;
    slot.hash = hash;
    slot.hashed = writer.position;
    service.db.touchSlot(record.token, service.now());
    if (failed !== null) {
      // The client went away or stalled: what arrived is kept for HEAD + PATCH.
      service.log.debug({ err: (failed as Error).message, offset: slot.offset }, 'files: upload cut');
      return () => void res.destroy();
    }
    const offset = slot.offset;
    if (offset < record.size) {
      return () => res.writeHead(204, { 'Upload-Offset': String(offset), 'Tus-Resumable': '1.0.0' }).end();
    }
    const digest = hash.digest('hex');
    slot.hash = null;
    if (digest !== record.sha256) {
      await close();
      await service.dropSlot(record.token);
      return () => sendStatus(res, 422, 'sha256 mismatch');
    }
    const head = Buffer.alloc(16);
    const { bytesRead } = await file.read(head, 0, 16, 0);
    await close();
    const url = await service.store(slot, sniffMime(head.subarray(0, bytesRead)));
    return () =>
      res
        .writeHead(204, {
          'Upload-Offset': String(record.size),
          'Papo-File-Url': url,
          'Tus-Resumable': '1.0.0',
        })
        .end();
  } finally {
    await close();
  }
}

function refuse(
  res: ServerResponse,
  failure: OverflowError | DiskError,
  offset: number,
  service: FileService,
) {
  const at = { 'Upload-Offset': String(offset) };
  if (failure instanceof OverflowError) {
    return sendStatus(res, 413, 'The body goes past the declared size; nothing of it was kept.', true, at);
  }
  if (failure.cause.code === 'ENOSPC' || failure.cause.code === 'EDQUOT') {
    service.log.error({ err: failure.message }, 'files: the disk is full');
    return sendStatus(res, 507, "The server's disk is full; try again later.", true, at);
  }
  service.log.error({ err: failure.message }, 'files: cannot write an upload');
  return sendStatus(res, 500, 'The server could not write the file.', true, at);
}

/** Cuts the partial file back to `bytes` if it holds more. */
async function cutTo(file: FileHandle, bytes: number): Promise<void> {
  if ((await file.stat()).size > bytes) await file.truncate(bytes);
}

/** fsync; EINVAL (a file that cannot be synced, such as a device) is not a failure to keep data. */
async function syncFile(file: FileHandle): Promise<void> {
  try {
    await file.sync();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EINVAL') throw err;
  }
}

/** SHA-256 state of a partial file's first `bytes` (after a restart or a refused body). */
async function hashPrefix(path: string, bytes: number): Promise<Hash> {
  const hash = createHash('sha256');
  if (bytes === 0) return hash;
  for await (const chunk of createReadStream(path, { start: 0, end: bytes - 1, highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
  }
  return hash;
}
