import { constants } from 'node:fs';
import { chmod, mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Where a content's bytes are, relative to the files directory: `blobs/ab/<sha256>`. */
export function blobKey(sha256: string): string {
  return `blobs/${sha256.slice(0, 2)}/${sha256}`;
}

/**
 * The files' bytes under `<data-dir>/files/`: `blobs/ab/<sha256>` holds each content once
 * (content-addressed), `tmp/<slot token>` an upload in progress, never served. A finished upload
 * is fsynced, then renamed into `blobs/` (and the directory fsynced), so a crash leaves either
 * nothing or a whole, checked file.
 *
 * `groupRead` (a front proxy sends the blobs, `--files-accel-redirect`): the proxy's workers,
 * in papo's group, may pass through the directories (`0710`: no listing) and read the blobs
 * (`0640`); `tmp/` and the database stay papo's own.
 */
export class BlobStore {
  readonly tmpDir: string;
  readonly blobDir: string;
  private readonly dirMode: number;
  private readonly blobMode: number;

  constructor(
    readonly root: string,
    private readonly groupRead = false,
  ) {
    this.tmpDir = join(root, 'tmp');
    this.blobDir = join(root, 'blobs');
    this.dirMode = groupRead ? 0o710 : 0o700;
    this.blobMode = groupRead ? 0o640 : 0o600;
  }

  async init(): Promise<void> {
    await mkdir(this.tmpDir, { recursive: true, mode: 0o700 });
    await mkdir(this.blobDir, { recursive: true, mode: this.dirMode });
    if (this.groupRead) await this.shareWithGroup();
  }

  /** Opens the way to every stored blob for the group (kept as they were by an earlier run). */
  private async shareWithGroup(): Promise<void> {
    await chmod(this.root, this.dirMode);
    await chmod(this.blobDir, this.dirMode);
    for (const dir of await readdir(this.blobDir)) {
      await chmod(join(this.blobDir, dir), this.dirMode);
      for (const name of await readdir(join(this.blobDir, dir))) {
        await chmod(join(this.blobDir, dir, name), this.blobMode);
      }
    }
  }

  tmpPath(token: string): string {
    return join(this.tmpDir, token);
  }

  blobPath(sha256: string): string {
    return join(this.root, blobKey(sha256));
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
    const dir = dirname(target);
    await mkdir(dir, { recursive: true, mode: this.dirMode });
    if (this.groupRead) {
      // Whatever the umask; an upload is written 0600, and the blob it becomes is the proxy's too.
      await chmod(dir, this.dirMode);
      await chmod(tmp, this.blobMode);
    }
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
