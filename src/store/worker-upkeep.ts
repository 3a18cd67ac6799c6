import type { HistoryDb } from './history-db.js';
import { IndexPacer, type IndexPacing } from './index-pacer.js';

/**
 * The history worker's background upkeep (history-worker.ts), once started: the full-text index
 * brought up to date when IndexPacer says so (#17), and retention, both one small step at a time
 * between batches, so a batch never waits long behind either.
 */
export class WorkerUpkeep {
  private timer: NodeJS.Timeout | null = null;
  private pruneStep: NodeJS.Immediate | null = null;
  private indexStep: NodeJS.Immediate | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly pacer: IndexPacer;

  /** `onDeleted`: retention deleted that many messages; `onFailure`: a step failed (it is tried again). */
  constructor(
    private readonly db: HistoryDb,
    pacing: IndexPacing,
    private readonly onDeleted: (deleted: number) => void,
    private readonly onFailure: (err: unknown) => void,
  ) {
    this.pacer = new IndexPacer(pacing);
  }

  /** A batch of `count` messages was stored. */
  stored(count: number): void {
    this.pacer.stored(count, Date.now());
    this.indexSoon();
  }

  /** Starts upkeep: a retention step now and every `intervalMs`, and indexing as the pacer says. */
  start(intervalMs: number): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (!this.pruneStep) this.prune();
    }, intervalMs);
    this.prune();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.pruneStep) clearImmediate(this.pruneStep);
    if (this.indexStep) clearImmediate(this.indexStep);
    if (this.idleTimer) clearTimeout(this.idleTimer);
  }

  /**
   * Indexes stored messages one step at a time, between batches, when the pacer says so: at once
   * while messages come slowly, else in the next pause (a timer), or at once past its bound.
   */
  private indexSoon(): void {
    const { db } = this;
    if (this.timer === null || this.indexStep !== null || db.unindexedIds === 0) return;
    const now = Date.now();
    if (this.pacer.due(db.unindexedIds, now)) {
      this.indexStep = setImmediate(() => {
        this.indexStep = null;
        try {
          if (db.index()) this.indexSoon();
        } catch (err) {
          this.onFailure(err); // tried again after the next batch, or the next retention step
        }
      });
    } else if (this.idleTimer === null) {
      this.idleTimer = setTimeout(() => {
        this.idleTimer = null;
        this.indexSoon();
      }, this.pacer.idleIn(now));
    }
  }

  private prune(): void {
    this.pruneStep = null;
    let more = false;
    try {
      const pruned = this.db.prune(Date.now());
      this.onDeleted(pruned.deleted);
      more = pruned.more;
    } catch (err) {
      this.onFailure(err);
    }
    this.indexSoon();
    if (more) this.pruneStep = setImmediate(() => this.prune());
  }
}
