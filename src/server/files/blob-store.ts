import { constants } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The files' bytes under `<data-dir>/files/`: `blobs/ab/<sha256>` holds each content once
 * (content-addressed), `tmp/<slot token>` an upload in progress, never served. A finished upload
 * is fsynced, then renamed into `blobs/` (and the directory fsynced), so a crash leaves either
 * nothing or a whole, checked file.
 */
export class BlobStore {
  readonly tmpDir: string;
  readonly blobDir: string;

  constructor(readonly root: string) {
    this.tmpDir = join(root, 'tmp');
    this.blobDir = join(root, 'blobs');
  }

  async init(): Promise<void> {
    await mkdir(this.tmpDir, { recursive: true, mode: 0o700 });
    await mkdir(this.blobDir, { recursive: true, mode: 0o700 });
  }

  tmpPath(token: string): string {
    return join(this.tmpDir, token);
  }

  blobPath(sha256: string): string {
    return join(this.blobDir, sha256.slice(0, 2), sha256);
  }

  /** Bytes of an upload in progress (0 when none arrived yet). */
  async tmpSize(token: string): Promise<number> {
    try {
      return (await stat(this.tmpPath(token))).size;
    } catch {
      return 0;
    }
  }

  /** Moves a finished, fsynced upload into place; when the same content is stored already, drops it. */
  async commit(token: string, sha256: string): Promise<void> {
    const target = this.blobPath(sha256);
    const tmp = this.tmpPath(token);
    if (await exists(target)) return unlink(tmp);
    const dir = join(this.blobDir, sha256.slice(0, 2));
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await rename(tmp, target);
    await fsyncDir(dir);
  }

  async dropTmp(token: string): Promise<void> {
    await rm(this.tmpPath(token), { force: true });
  }

  async dropBlob(sha256: string): Promise<void> {
    await rm(this.blobPath(sha256), { force: true });
  }

  /** Names in `tmp/` (startup removes those no slot owns). */
  async tmpNames(): Promise<string[]> {
    return readdir(this.tmpDir);
  }

  /** Hashes of every stored content on disk. */
  async blobNames(): Promise<string[]> {
    const out: string[] = [];
    for (const dir of await readdir(this.blobDir)) {
      for (const name of await readdir(join(this.blobDir, dir)).catch(() => [] as string[])) out.push(name);
    }
    return out;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The type of an image, from its first bytes (PNG, JPEG, GIF, WebP); anything else is octet-stream. */
export function sniffMime(head: Uint8Array): string {
  const b = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  const ascii = b.toString('latin1', 0, Math.min(12, b.length));
  if (ascii.startsWith('GIF87a') || ascii.startsWith('GIF89a')) return 'image/gif';
  if (ascii.startsWith('RIFF') && ascii.slice(8, 12) === 'WEBP') return 'image/webp';
  return 'application/octet-stream';
}
