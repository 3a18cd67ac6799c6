import { close, fsync, openSync } from 'node:fs';

/**
 * Writes the WAL file out to disk in the background (an `fsync` on libuv's thread pool), so
 * that the fsync SQLite runs at the start of each checkpoint, on the event loop, finds little
 * left to write: measured, the longest commit went from ~70 ms to ~30 ms. It changes no
 * guarantee (SQLite still syncs where it would); it only moves the disk writes off the loop.
 *
 * Only the `-wal` file is opened here, never the database file itself: closing any descriptor
 * of a file drops the process's POSIX locks on it, and SQLite holds its lock on the database.
 */
export class WalSync {
  private fd: number | null = null;
  private inFlight = false;
  private closed = false;

  constructor(private readonly walFile: string) {}

  /** Starts one background fsync unless one is running; errors are ignored (SQLite syncs anyway). */
  sync(): void {
    if (this.closed || this.inFlight) return;
    if (this.fd === null) {
      try {
        this.fd = openSync(this.walFile, 'r');
      } catch {
        return; // no WAL yet (nothing written), or unreadable: SQLite's own syncs remain
      }
    }
    this.inFlight = true;
    fsync(this.fd, () => {
      this.inFlight = false;
      if (this.closed) this.release();
    });
  }

  /** Closes the descriptor, once a running fsync is done. */
  close(): void {
    this.closed = true;
    if (!this.inFlight) this.release();
  }

  private release(): void {
    if (this.fd === null) return;
    close(this.fd, () => {});
    this.fd = null;
  }
}
