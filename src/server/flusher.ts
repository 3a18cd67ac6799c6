/** Something with output to write at the end of the current event-loop turn. */
export interface Flushable {
  flush(): void;
}

/** Told when the turn's writes start and when they are all done (the shared fanout's log). */
export interface TurnLog {
  flushStarting(): void;
  flushDone(): void;
}

/**
 * Batches output per event-loop turn: connections mark themselves dirty as events arrive, and
 * once per turn every `beforeFlush` hook runs (history journals the turn here, so nothing is
 * delivered before it would survive a crash), then each dirty connection writes its whole
 * batch at once.
 */
export class Flusher {
  private dirty: Flushable[] = [];
  /** Last turn's emptied list, reused so the dirty list does not regrow every turn. */
  private spare: Flushable[] = [];
  private scheduled = false;
  private readonly hooks: Array<() => void> = [];
  private lastParts: Uint8Array[] | null = null;
  private lastChunk: Uint8Array | null = null;
  private turnLog: TurnLog | null = null;

  /** Registers work that must finish before any output of the turn is written. */
  beforeFlush(hook: () => void): void {
    this.hooks.push(hook);
  }

  /** The log whose readers' shares are written this turn. */
  setTurnLog(log: TurnLog): void {
    this.turnLog = log;
  }

  mark(target: Flushable): void {
    this.dirty.push(target);
    this.schedule();
  }

  /**
   * Runs the hooks at the end of this turn even when no connection has output: a message
   * nobody else is online to receive is still journaled this turn.
   */
  schedule(): void {
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.run);
    }
  }

  /** Writes one target's output now, after the hooks (a connection closing mid-turn). */
  flushNow(target: Flushable): void {
    for (const hook of this.hooks) hook();
    target.flush();
  }

  /** Writes everything now (used at shutdown). */
  readonly run = (): void => {
    this.scheduled = false;
    for (const hook of this.hooks) hook();
    this.turnLog?.flushStarting();
    const batch = this.dirty;
    this.dirty = this.spare; // what the flushes below mark goes to the next turn
    this.spare = []; // until `batch` is done: a run() from inside a flush must not reuse it
    for (const target of batch) target.flush();
    batch.length = 0;
    this.spare = batch;
    this.lastParts = this.lastChunk = null;
    this.turnLog?.flushDone();
  };

  /**
   * Joins one connection's batch into a single buffer. Recipients of a broadcast are flushed one
   * after another with the same events in the same order, so the previous join is reused when
   * the parts are the very same buffers: one copy per turn instead of one per recipient.
   */
  join(parts: Uint8Array[], bytes: number): Uint8Array {
    const last = this.lastParts;
    if (last !== null && this.lastChunk !== null && last.length === parts.length) {
      let same = true;
      for (let i = 0; i < parts.length && same; i++) same = parts[i] === last[i];
      if (same) return this.lastChunk;
    }
    const chunk = Buffer.concat(parts, bytes);
    this.lastParts = parts;
    this.lastChunk = chunk;
    return chunk;
  }
}
