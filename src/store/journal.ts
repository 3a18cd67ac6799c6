import { closeSync, fdatasync, fstatSync, ftruncateSync, openSync, writeSync } from 'node:fs';

/** Journal size, in bytes, past which new lines go to the other file (once that one is empty). */
export const JOURNAL_ROTATE_BYTES = 4 * 1024 * 1024;

interface JournalFile {
  fd: number;
  size: number;
  /** The last batch written to it. */
  lastSeq: number;
  /** Written since its last fdatasync started. */
  unsynced: boolean;
  syncing: boolean;
}

/**
 * The append-only journal of the history write path: each turn's messages are written here on
 * the event loop (one `write`, into the page cache, so they survive `kill -9`) before the worker
 * stores them. Two files take turns: the current one grows until it passes the rotation size and
 * the other is empty; a file is emptied once every batch in it is durable in the database (a
 * file holding what was left at open counts as batch 0). Every
 * `syncIntervalMs` the files are written to disk from libuv's thread pool, so a power cut loses
 * at most about that much.
 */
export class JournalFiles {
  private readonly files: JournalFile[];
  private current = 0;
  private readonly syncTimer: NodeJS.Timeout;
  private closed = false;

  constructor(
    names: string[],
    private readonly rotateBytes: number,
    syncIntervalMs: number,
  ) {
    this.files = [];
    try {
      for (const name of names) {
        const fd = openSync(name, 'a'); // O_APPEND: every write lands at the end, whatever was truncated
        this.files.push({ fd, size: fstatSync(fd).size, lastSeq: 0, unsynced: false, syncing: false });
      }
    } catch (err) {
      for (const f of this.files) closeSync(f.fd);
      throw err;
    }
    this.syncTimer = setInterval(() => this.sync(), syncIntervalMs);
    this.syncTimer.unref();
  }

  /** Appends batch `seq`; throws (leaving the file as it was) when it cannot be written whole. */
  append(text: string, seq: number): void {
    const f = this.files[this.current] as JournalFile;
    const buffer = Buffer.from(text);
    const bytes = buffer.length;
    try {
      // A short write (the disk filled up) is continued, so its real error (ENOSPC) is the one thrown.
      for (let at = writeSync(f.fd, buffer); at < bytes;) {
        const more = writeSync(f.fd, buffer, at);
        if (more === 0) throw new Error(`wrote ${at} of ${bytes} bytes to the history journal`);
        at += more;
      }
    } catch (err) {
      try {
        ftruncateSync(f.fd, f.size); // no torn line for the next batch to be glued to
      } catch {
        // the write error is the one worth reporting; recovery skips a torn line anyway
      }
      throw err;
    }
    f.size += bytes;
    f.lastSeq = seq;
    f.unsynced = true;
    const other = this.files[1 - this.current] as JournalFile;
    if (f.size >= this.rotateBytes && other.size === 0) this.current = 1 - this.current;
  }

  /**
   * Every batch up to `seq` is durable in the database: a file holding no later batch is emptied,
   * the current one included (so the journal stays small while the worker keeps up, however
   * small the disk: it might never reach the rotation size).
   */
  durable(seq: number): void {
    for (const f of this.files) {
      // Synchronous: a truncation in flight must never meet a close (the number could be reused),
      // nor an append (which lands at the end either way: O_APPEND).
      if (f.size === 0 || f.lastSeq > seq) continue;
      try {
        ftruncateSync(f.fd, 0);
        f.size = 0;
      } catch {
        // kept: the next report tries again, and recovery skips what the database already has
      }
    }
  }

  /** Closes the files, emptying them first when `empty` (everything is in the database). */
  close(empty: boolean): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.syncTimer);
    for (const f of this.files) {
      if (empty) ftruncateSync(f.fd, 0);
      if (!f.syncing) closeSync(f.fd);
    }
  }

  private sync(): void {
    for (const f of this.files) {
      if (!f.unsynced || f.syncing) continue;
      f.unsynced = false;
      f.syncing = true;
      fdatasync(f.fd, () => {
        // An error leaves the data where a crash of the process cannot lose it; the next
        // interval tries again only if more was written.
        f.syncing = false;
        if (this.closed) closeSync(f.fd);
      });
    }
  }
}
