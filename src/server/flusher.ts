/** Something with output to write at the end of the current event-loop turn. */
export interface Flushable {
  flush(): void;
}

/**
 * Batches output per event-loop turn: connections mark themselves dirty as events arrive, and
 * once per turn every `beforeFlush` hook runs (history commits here, so nothing is delivered
 * before it is stored), then each dirty connection writes its whole batch at once.
 */
export class Flusher {
  private dirty: Flushable[] = [];
  private scheduled = false;
  private readonly hooks: Array<() => void> = [];

  /** Registers work that must finish before any output of the turn is written. */
  beforeFlush(hook: () => void): void {
    this.hooks.push(hook);
  }

  mark(target: Flushable): void {
    this.dirty.push(target);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.run);
    }
  }

  /** Writes everything now (used at shutdown). */
  readonly run = (): void => {
    this.scheduled = false;
    for (const hook of this.hooks) hook();
    const batch = this.dirty;
    this.dirty = [];
    for (const target of batch) target.flush();
  };
}
