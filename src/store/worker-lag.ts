/**
 * How far the worker may fall behind the journal in storing, in event ids (about as many
 * messages). When the CPU is short it lags; past this, the server reads no input until it is back
 * within the bound, less a tenth. This bounds the memory the worker's queue holds and the
 * journal's size. (The search index trails by its own bound, MAX_UNINDEXED_ROWS.)
 */
export const MAX_BACKLOG_IDS = 50_000;

/** What the lag is measured against, and how the worker is asked to catch up. */
export interface LagHost {
  /** Where event ids continue: the journal's end. */
  nextId(): number;
  /** True when waiting for the worker would not help: its commits fail, it stopped, or the store closed. */
  stalled(): boolean;
  /** Has the worker store up to `upTo` and waits for it; its answer, or null if none. */
  catchUp(upTo: number): number | null;
  /** The same without waiting: `done` gets the answer (null if none) from the event loop. */
  catchUpLater(upTo: number, done: (caughtUpTo: number | null) => void): void;
}

/**
 * The history worker's lag behind the journal (it reports its progress now and then), and what
 * happens past `maxBacklog`: `onBacklog` is told, or without one the journal write waits.
 */
export class WorkerLag {
  /**
   * Told `true` when the worker falls more than `maxBacklog` ids behind and `false` once it is
   * back within the bound less a tenth: the server stops reading its users' input meanwhile, so
   * messages already sent keep flowing while new ones wait in the senders' sockets. Without a
   * handler, a flush past the bound waits for the worker instead, holding up the event loop.
   */
  onBacklog: ((behind: boolean) => void) | null = null;
  /** As the worker last said: every id up to this one is stored. */
  private caughtUpTo: number;
  /** Whether `onBacklog` was told the worker is too far behind, and not yet that it is back. */
  private behind = false;

  constructor(
    private readonly host: LagHost,
    private readonly maxBacklog: number,
    nextId: number,
  ) {
    this.caughtUpTo = nextId - 1; // the worker's first progress report corrects it
  }

  /** The worker's word: everything up to `id` is stored. */
  progress(id: number): void {
    this.caughtUpTo = Math.max(this.caughtUpTo, id);
    this.check();
  }

  /** After a journal write: acts if the worker is now more than `maxBacklog` ids behind. */
  bound(): void {
    const upTo = this.host.nextId() - 1 - this.maxBacklog;
    if (this.caughtUpTo >= upTo || this.behind || this.host.stalled()) return;
    if (!this.onBacklog) {
      const id = this.host.catchUp(this.backWithin());
      if (id !== null) this.caughtUpTo = Math.max(this.caughtUpTo, id);
      return;
    }
    this.behind = true;
    this.onBacklog(true);
    this.catchUpLater();
  }

  /**
   * After progress, a failure or the store closing: tells `onBacklog` once the worker no longer
   * lags (or is not worth waiting for). Returns true while it still does.
   */
  check(): boolean {
    if (!this.behind) return false;
    if (this.caughtUpTo < this.backWithin() && !this.host.stalled()) return true;
    this.behind = false;
    this.onBacklog?.(false);
    return false;
  }

  /** Where the worker is back within the bound, less a tenth (so input is not held every turn). */
  private backWithin(): number {
    return this.host.nextId() - 1 - this.maxBacklog + Math.ceil(this.maxBacklog / 10);
  }

  private catchUpLater(): void {
    this.host.catchUpLater(this.backWithin(), (id) => {
      if (id !== null) this.caughtUpTo = Math.max(this.caughtUpTo, id);
      if (this.check()) this.catchUpLater(); // lines read before the hold added more
    });
  }
}
