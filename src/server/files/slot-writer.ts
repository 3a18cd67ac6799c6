import type { Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';

/** A PATCH body went past the declared size. */
export class OverflowError extends Error {
  constructor() {
    super('the body goes past the declared size');
  }
}

/** A write to the disk failed (`cause` has the errno code, ENOSPC for a full disk). */
export class DiskError extends Error {
  constructor(override readonly cause: NodeJS.ErrnoException) {
    super(cause.message);
  }
}

/**
 * The sink of a PATCH body: writes each chunk at its offset in the slot's file and feeds it to
 * the running SHA-256, so at any moment `position` counts exactly the bytes both written and
 * hashed (a connection cut mid-body keeps those). Refuses to go past `limit`.
 */
export class SlotWriter extends Writable {
  position: number;
  /** The writer's own failure (overflow, disk), as opposed to the request's. */
  failure: OverflowError | DiskError | null = null;
  /** The write in flight: a destroyed writer finishes it before it counts as closed. */
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: FileHandle,
    start: number,
    private readonly limit: number,
    private readonly hash: Hash,
  ) {
    // One write per 1 MiB batch at most: the request's 64 KiB chunks are gathered by writev.
    super({ highWaterMark: 1024 * 1024 });
    this.position = start;
  }

  override _writev(
    chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>,
    callback: (error?: Error | null) => void,
  ): void {
    this.put(
      chunks.map((c) => c.chunk),
      callback,
    );
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.put([chunk], callback);
  }

  private put(buffers: Buffer[], callback: (error?: Error | null) => void): void {
    let bytes = 0;
    for (const b of buffers) bytes += b.length;
    if (this.position + bytes > this.limit) {
      this.failure = new OverflowError();
      return callback(this.failure);
    }
    this.pending = this.writeAll(buffers, bytes).then(
      () => {
        for (const b of buffers) this.hash.update(b);
        this.position += bytes;
        callback();
      },
      (err: NodeJS.ErrnoException) => {
        this.failure = new DiskError(err);
        callback(this.failure);
      },
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    void this.pending.then(() => callback(error));
  }

  private async writeAll(buffers: Buffer[], bytes: number): Promise<void> {
    let at = this.position;
    let list = buffers;
    let left = bytes;
    while (left > 0) {
      const { bytesWritten } = await this.file.writev(list, at);
      if (bytesWritten === 0) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      at += bytesWritten;
      left -= bytesWritten;
      if (left > 0) list = [Buffer.concat(list).subarray(bytes - left)];
    }
  }
}
