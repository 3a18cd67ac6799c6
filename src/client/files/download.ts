import { createHash, type Hash } from 'node:crypto';
import { constants, createReadStream, createWriteStream } from 'node:fs';
import { copyFile, link, mkdir, stat, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { cleanFileName, fitFileName, MAX_FILE_NAME_BYTES } from '../../core/files.js';
import { numberedName } from './file-name.js';
import { discard, request, TransferError } from './http.js';
import { withRetries } from './retry.js';

export interface DownloadJob {
  url: string;
  /** The name offered (cleaned again here). */
  name: string;
  size: number;
  sha256: string;
  dir: string;
  /** Bytes on disk, after each chunk; `from` is where this try started. */
  onProgress?: (done: number, from: number) => void;
  attempts?: number;
}

export interface DownloadResult {
  path: string;
  /** Bytes that were in `NAME.part` already (a resumed download). */
  resumedFrom: number;
}

const PART = '.part';

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** Feeds the existing part into the hash, so the check at the end covers every byte. */
async function hashPart(hash: Hash, part: string, bytes: number): Promise<void> {
  if (bytes === 0) return;
  for await (const chunk of createReadStream(part, { end: bytes - 1 }) as AsyncIterable<Buffer>)
    hash.update(chunk);
}

/**
 * Fetches one try's worth into `part`: from its size on with `Range`, or from the start when
 * the server sends the whole file. Returns the hash of all the part's bytes, once complete.
 */
async function fetchInto(job: DownloadJob, part: string): Promise<{ hash: Hash; from: number }> {
  let from = await sizeOf(part);
  if (from > job.size) {
    await truncate(part, 0);
    from = 0;
  }
  const headers: Record<string, string> = from > 0 ? { range: `bytes=${from}-` } : {};
  const res = from === job.size ? null : await request(job.url, 'GET', headers);
  const hash = createHash('sha256');
  if (res === null) {
    await hashPart(hash, part, from);
    return { hash, from };
  }
  const status = res.statusCode ?? 0;
  if (status === 404) {
    discard(res);
    throw new TransferError('the file is gone (expired, or not for you)', false, 404);
  }
  if (status === 416) {
    // The part is not a prefix the server recognises: start again from nothing.
    discard(res);
    await truncate(part, 0);
    throw new TransferError('the partial download did not match; starting again', true, 416);
  }
  if (status !== 200 && status !== 206) {
    discard(res);
    throw new TransferError(`download failed (HTTP ${status})`, status >= 500, status);
  }
  if (status === 200) from = 0;
  else if (!String(res.headers['content-range'] ?? '').startsWith(`bytes ${from}-`)) {
    discard(res);
    throw new TransferError('the server answered another range than asked', false, status);
  }
  await hashPart(hash, part, from);
  let done = from;
  job.onProgress?.(done, from);
  const count = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (done + chunk.length > job.size)
        return cb(new TransferError('the server sent more than the file size', false));
      done += chunk.length;
      hash.update(chunk);
      job.onProgress?.(done, from);
      cb(null, chunk);
    },
  });
  try {
    await pipeline(res, count, createWriteStream(part, { flags: status === 206 ? 'a' : 'w' }));
  } catch (err) {
    if (err instanceof TransferError) throw err;
    throw new TransferError('the connection broke during the download', true);
  }
  if (done < job.size) throw new TransferError('the connection broke during the download', true);
  return { hash, from };
}

/** Gives the finished part its name: the first of `name`, `name (1).ext`, … not taken. */
async function placeWithoutOverwriting(part: string, dir: string, name: string): Promise<string> {
  for (let n = 0; n < 10_000; n++) {
    const target = join(dir, numberedName(name, n));
    try {
      await link(part, target); // fails if the target exists: never overwrites
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') continue;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw err;
      try {
        await copyFile(part, target, constants.COPYFILE_EXCL); // file systems without hard links
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw e;
      }
    }
    await unlink(part);
    return target;
  }
  throw new TransferError(`too many files named like ${name} in ${dir}`, false);
}

/**
 * Downloads a file into `dir`: into `NAME.part`, resuming with `Range` from its size after a
 * break (or a run of `/get` again), checks the SHA-256 of every byte, then renames it without
 * overwriting anything. A mismatch keeps nothing.
 */
export async function downloadFile(job: DownloadJob): Promise<DownloadResult> {
  const name = cleanFileName(job.name);
  await mkdir(job.dir, { recursive: true });
  const part = join(job.dir, fitFileName(name, MAX_FILE_NAME_BYTES - PART.length) + PART);
  const resumedFrom = await sizeOf(part);
  const { hash } = await withRetries(() => fetchInto(job, part), job.attempts);
  if (hash.digest('hex') !== job.sha256) {
    await unlink(part).catch(() => {});
    throw new TransferError('sha256 mismatch: the download is corrupt, nothing was kept', false);
  }
  const path = await placeWithoutOverwriting(part, job.dir, name);
  return { path, resumedFrom: Math.min(resumedFrom, job.size) };
}
