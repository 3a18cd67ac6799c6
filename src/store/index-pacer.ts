/**
 * Messages stored per second above which the full-text index waits for a pause: below it,
 * indexing as messages come costs under 1% of a core; above it, the CPU it takes is the CPU the
 * event loop needs for fan-out (on two cores, bench/RESULTS.md, "History: where the rest goes").
 */
export const BUSY_MESSAGES_PER_S = 2000;
/** No batch for this long, in ms, is a pause: the index catches up (batches come every 50 ms under load). */
export const INDEX_IDLE_MS = 200;
/**
 * Most event ids the index may trail the stored messages by: past it, indexing runs however
 * busy the store is. A search first indexes what trails (~2 µs a message), so this bounds its
 * wait (~0.4 s on a free core).
 */
export const MAX_UNINDEXED_ROWS = 200_000;

/** What the pacer is set to; tests shrink these. */
export interface IndexPacing {
  busyPerSecond: number;
  idleMs: number;
  maxUnindexed: number;
}

export const DEFAULT_INDEX_PACING: IndexPacing = {
  busyPerSecond: BUSY_MESSAGES_PER_S,
  idleMs: INDEX_IDLE_MS,
  maxUnindexed: MAX_UNINDEXED_ROWS,
};

/**
 * Decides when the history worker adds stored messages to the full-text index (#17): at once
 * while messages come slowly, in the next pause while they come fast (a burst's index work then
 * runs when the server has CPU to spare), and at once again when the index trails by more than
 * `maxUnindexed`. Pure: the worker passes the time.
 */
export class IndexPacer {
  /** When the last batch was stored (ms), and messages stored in this second and the one before. */
  private lastBatchAt = -Infinity;
  private second = 0;
  private thisSecond = 0;
  private lastSecond = 0;

  constructor(private readonly pacing: IndexPacing = DEFAULT_INDEX_PACING) {}

  /** A batch of `count` messages was stored at `now` (ms). */
  stored(count: number, now: number): void {
    this.roll(now);
    this.thisSecond += count;
    this.lastBatchAt = now;
  }

  /** Whether to index now, with the index `unindexed` ids behind what is stored. */
  due(unindexed: number, now: number): boolean {
    if (unindexed <= 0) return false;
    if (unindexed > this.pacing.maxUnindexed) return true;
    return this.idleIn(now) === 0 || !this.busy(now);
  }

  /** Time left, in ms, until a pause starts at this rate (0: paused now). */
  idleIn(now: number): number {
    return Math.max(0, this.lastBatchAt + this.pacing.idleMs - now);
  }

  /** Whether more than `busyPerSecond` messages were stored in this second or the one before. */
  private busy(now: number): boolean {
    this.roll(now);
    return Math.max(this.thisSecond, this.lastSecond) > this.pacing.busyPerSecond;
  }

  private roll(now: number): void {
    const second = Math.floor(now / 1000);
    if (second === this.second) return;
    this.lastSecond = second === this.second + 1 ? this.thisSecond : 0;
    this.thisSecond = 0;
    this.second = second;
  }
}
