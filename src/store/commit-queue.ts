import type { HistoryRecord } from '../core/events.js';
import { failureReason } from './failures.js';
import type { HistoryDb } from './history-db.js';
import type { RoomSave } from './journal-codec.js';
import { toWire, type WorkerFailure } from './worker-protocol.js';

/** Most batches merged into one transaction (when the worker fell behind, or retries). */
const MAX_MERGED_BATCHES = 256;
/** First wait before a failed commit is tried again, in ms; it doubles up to MAX_RETRY_MS. */
const FIRST_RETRY_MS = 100;
/** Longest wait between two tries of a failed commit, in ms: how late storing resumes once it can. */
const MAX_RETRY_MS = 2000;
/** How often a commit that keeps failing is reported again, in ms. */
const REPORT_AGAIN_MS = 60_000;

/** One journaled turn (or the journal read at open, seq 0), decoded. */
export interface Batch {
  seq: number;
  records: HistoryRecord[];
  rooms: RoomSave[];
  nextId: number;
}

/**
 * The worker's batches on their way into the database, in journal order. A commit that fails
 * (disk full, I/O error) drops nothing (#18): its batches wait here, and in the journal, which is
 * emptied only past what is stored, and are committed again with backoff; later batches queue
 * behind them, so the database always holds a prefix of the journal.
 */
export class CommitQueue {
  private readonly batches: Batch[] = [];
  private waitingCount = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryMs = 0;
  /** When commits started failing (0: they work), when that was last told, and what was stored since. */
  private delayedSince = 0;
  private toldAt = 0;
  private storedSinceDelay = 0;

  /**
   * `storedSeq`: the last batch stored; `tell` reports failures; `onRetried` runs after a retry
   * made progress (the worker reports it).
   */
  constructor(
    private readonly db: HistoryDb,
    public storedSeq: number,
    private readonly tell: (failure: WorkerFailure) => void,
    private readonly onRetried: () => void,
  ) {}

  /** Messages waiting to be stored. */
  get waiting(): number {
    return this.waitingCount;
  }

  /** Whether commits are failing (batches wait for a retry). */
  get delayed(): boolean {
    return this.delayedSince !== 0;
  }

  push(batch: Batch): void {
    this.batches.push(batch);
    this.waitingCount += batch.records.length;
  }

  /** The waiting messages of the room with key `key`, oldest first. */
  waitingIn(key: string): HistoryRecord[] {
    const out: HistoryRecord[] = [];
    for (const b of this.batches) for (const r of b.records) if (this.db.keyOf(r.room) === key) out.push(r);
    return out;
  }

  /** The keys of the rooms with messages waiting. */
  waitingRooms(): string[] {
    const keys = new Set<string>();
    for (const b of this.batches) for (const r of b.records) keys.add(this.db.keyOf(r.room));
    return [...keys];
  }

  /**
   * Commits the waiting batches, in order, unless a retry is due later (`now`: try at once).
   * Returns true when nothing waits any more.
   */
  commit(now = false): boolean {
    if (this.retryTimer !== null) {
      if (!now) return false;
      clearTimeout(this.retryTimer);
      this.retryTimer = null;
    }
    while (this.batches.length > 0) {
      const n = Math.min(this.batches.length, MAX_MERGED_BATCHES);
      const merged = this.batches.slice(0, n);
      const records = merged.length === 1 ? (merged[0] as Batch).records : merged.flatMap((b) => b.records);
      const rooms = merged.flatMap((b) => b.rooms);
      const nextId = Math.max(...merged.map((b) => b.nextId));
      try {
        this.db.commit(records, rooms, nextId);
      } catch (err) {
        this.delay(err);
        return false;
      }
      this.batches.splice(0, n);
      this.waitingCount -= records.length;
      this.storedSeq = (merged[n - 1] as Batch).seq;
      this.storedSinceDelay += records.length;
    }
    if (this.delayedSince !== 0) {
      const delayedMs = Date.now() - this.delayedSince;
      this.tell({ kind: 'resumed', reason: 'storing works again', stored: this.storedSinceDelay, delayedMs });
      this.delayedSince = 0;
      this.retryMs = 0;
    }
    return true;
  }

  /** Stops retrying (the worker is closing). */
  stop(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private delay(err: unknown): void {
    const now = Date.now();
    this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs === 0 ? FIRST_RETRY_MS : this.retryMs * 2);
    if (this.delayedSince === 0 || now - this.toldAt >= REPORT_AGAIN_MS) {
      if (this.delayedSince === 0) {
        this.delayedSince = now;
        this.storedSinceDelay = 0;
      }
      this.toldAt = now;
      const { retryMs } = this;
      this.tell({
        kind: 'delayed',
        error: toWire(err),
        reason: failureReason(err),
        waiting: this.waitingCount,
        retryMs,
      });
    }
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      const seq = this.storedSeq;
      try {
        this.db.checkpoint();
      } catch {
        // no room for that either: the commit below fails the same way, and waits again
      }
      this.commit();
      if (this.storedSeq !== seq) this.onRetried();
    }, this.retryMs);
  }
}
