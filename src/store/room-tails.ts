import type { HistoryRecord } from '../core/events.js';

/** The newest stored message before a tail's first: null when there is none, undefined when not known. */
type Older = { id: number; ts: number } | null | undefined;

interface Tail {
  /** The room's newest messages, oldest first; null while they are not in memory. */
  records: HistoryRecord[] | null;
  older: Older;
  /** Bumped when the tail leaves memory, so a load answered after that is ignored. */
  epoch: number;
  loading: boolean;
}

/** Which stored messages a read may show. */
export interface Visible {
  /** Every id up to this one is gone (retention deleted it). */
  goneUpTo: number;
  /** Messages older than this (ms) are not shown (`--history-max-days`). */
  minTs: number;
}

/** A room's newest records, as `recent` answers. */
export interface RecentRecords {
  records: HistoryRecord[];
  /** Older messages (above `since`, if given) exist before the first record, or may. */
  more: boolean;
}

/**
 * Asks the database for the `perRoom + 1` newest stored messages of room `key` below id
 * `before`, oldest first, and gives them to `done` (null: it could not say).
 */
export type TailLoader = (key: string, before: number, done: (rows: HistoryRecord[] | null) => void) => void;

/**
 * The newest messages of each room, in memory, so a replay or a first `/history` page never
 * waits for the database (HistorySource.recent answers from here). Each room keeps its newest
 * `perRoom` (between `perRoom` and twice that: trimmed now and then, not on every message), and
 * all rooms together about `maxTotal`: past it, the rooms written to least recently leave memory
 * and are loaded again, in the background, when next read or written. Every room with stored
 * messages has an entry (loaded at open); a room without one has none.
 */
export class RoomTails {
  private readonly tails = new Map<string, Tail>();
  /** The tails in memory, the least recently written first. */
  private readonly inMemory = new Set<Tail>();
  /** The last of `inMemory` (null: not known), so a busy room's messages skip reordering the set. */
  private newest: Tail | null = null;
  private total = 0;

  constructor(
    private readonly perRoom: number,
    private readonly maxTotal: number,
    private readonly load: TailLoader,
  ) {}

  /** Records held, all rooms together. */
  get size(): number {
    return this.total;
  }

  /**
   * At open: the `perRoom + 1` newest messages of room `key`, oldest first, or null when they
   * were not loaded. Rooms are opened the least recently written first.
   */
  open(key: string, rows: HistoryRecord[] | null): void {
    const tail: Tail = { records: null, older: undefined, epoch: 0, loading: false };
    this.tails.set(key, tail);
    if (rows !== null) this.fill(tail, rows, []);
  }

  /** A message recorded in room `key` (ids only grow). */
  add(key: string, record: HistoryRecord): void {
    let tail = this.tails.get(key);
    if (tail === undefined) {
      // A room with no stored messages: this is its first.
      tail = { records: [], older: null, epoch: 0, loading: false };
      this.tails.set(key, tail);
    } else if (tail.records === null) this.startLoad(key, tail);
    const records = tail.records as HistoryRecord[];
    records.push(record);
    this.total++;
    this.touch(tail);
    if (records.length >= 2 * this.perRoom) {
      const cut = records.length - this.perRoom;
      const last = records[cut - 1] as HistoryRecord;
      tail.older = { id: last.id, ts: last.ts };
      records.splice(0, cut);
      this.total -= cut;
    }
    if (this.total > this.maxTotal) this.shrink(tail);
  }

  /** Takes out messages that were not stored after all (their journal write failed). */
  remove(ids: ReadonlySet<number>): void {
    for (const tail of this.inMemory) {
      const records = tail.records as HistoryRecord[];
      const kept = records.filter((r) => !ids.has(r.id));
      this.total -= records.length - kept.length;
      tail.records = kept;
    }
  }

  /** Every id up to `upTo` is gone from the database (retention). */
  gone(upTo: number): void {
    for (const tail of this.inMemory) {
      const records = tail.records as HistoryRecord[];
      const keep = records.findIndex((r) => r.id > upTo);
      const cut = keep === -1 ? records.length : keep;
      if (cut > 0) {
        records.splice(0, cut);
        this.total -= cut;
      }
      if (tail.older && tail.older.id <= upTo) tail.older = null;
    }
  }

  /** Gives the records of room `key` the display name `name`. */
  rename(key: string, name: string): void {
    const tail = this.tails.get(key);
    if (tail?.records) tail.records = tail.records.map((r) => (r.room === name ? r : { ...r, room: name }));
  }

  /**
   * The newest `limit` visible messages of room `key` with an id above `since`, oldest first.
   * A room not in memory answers nothing with `more` (the safe answer) and is loaded for next time.
   */
  recent(key: string, limit: number, since: number, visible: Visible): RecentRecords {
    const tail = this.tails.get(key);
    if (tail === undefined) return { records: [], more: false };
    if (tail.records === null) {
      this.startLoad(key, tail);
      return { records: [], more: true };
    }
    const low = Math.max(since, visible.goneUpTo);
    const records = tail.records;
    const out: HistoryRecord[] = [];
    let i = records.length - 1;
    for (; i >= 0 && out.length < limit; i--) {
      const r = records[i] as HistoryRecord;
      if (r.id <= low) return { records: out.reverse(), more: false };
      if (r.ts >= visible.minTs) out.push(r);
    }
    for (; i >= 0; i--) {
      const r = records[i] as HistoryRecord;
      if (r.id <= low) return { records: out.reverse(), more: false };
      if (r.ts >= visible.minTs) return { records: out.reverse(), more: true };
    }
    return { records: out.reverse(), more: olderVisible(tail.older, low, visible.minTs) };
  }

  /**
   * The newest `limit` visible messages of room `key` below id `before`, oldest first, when
   * memory holds them all; null when the database must be asked.
   */
  before(key: string, before: number, limit: number, visible: Visible): HistoryRecord[] | null {
    const tail = this.tails.get(key);
    if (tail === undefined) return [];
    if (tail.records === null) return null;
    const out: HistoryRecord[] = [];
    for (let i = tail.records.length - 1; i >= 0 && out.length < limit; i--) {
      const r = tail.records[i] as HistoryRecord;
      if (r.id >= before) continue;
      if (r.id <= visible.goneUpTo) return out.reverse();
      if (r.ts >= visible.minTs) out.push(r);
    }
    if (out.length === limit) return out.reverse();
    return olderVisible(tail.older, visible.goneUpTo, visible.minTs) ? null : out.reverse();
  }

  /** Puts a tail back in memory (empty, its past unknown) and asks for what the database has. */
  private startLoad(key: string, tail: Tail): void {
    if (tail.records === null) {
      tail.records = [];
      tail.older = undefined;
      this.touch(tail);
    }
    if (tail.loading) return;
    tail.loading = true;
    const epoch = tail.epoch;
    const before = tail.records[0]?.id ?? Number.MAX_SAFE_INTEGER;
    this.load(key, before, (rows) => {
      if (tail.epoch !== epoch) return; // it left memory meanwhile: the next read asks again
      tail.loading = false;
      if (rows !== null) this.fill(tail, rows, tail.records ?? []);
    });
  }

  /** Sets a tail from the database's `rows` (up to perRoom + 1, all older than `newer`) and `newer`. */
  private fill(tail: Tail, rows: HistoryRecord[], newer: HistoryRecord[]): void {
    const first = newer[0]?.id ?? Infinity;
    const older = rows.filter((r) => r.id < first);
    const extra = older.length > this.perRoom ? (older.shift() as HistoryRecord) : null;
    this.total += older.length + (tail.records === null ? newer.length : 0);
    tail.records = older.length > 0 ? older.concat(newer) : newer;
    tail.older = extra ? { id: extra.id, ts: extra.ts } : null;
    this.touch(tail);
    if (this.total > this.maxTotal) this.shrink(tail);
  }

  /** Makes `tail` the most recently written in memory. */
  private touch(tail: Tail): void {
    if (tail === this.newest) return;
    this.inMemory.delete(tail);
    this.inMemory.add(tail);
    this.newest = tail;
  }

  /** Takes the least recently written tails out of memory, but `keep`, until a tenth below the bound. */
  private shrink(keep: Tail): void {
    for (const tail of this.inMemory) {
      if (this.total <= this.maxTotal * 0.9) return;
      if (tail === keep) continue;
      this.total -= (tail.records as HistoryRecord[]).length;
      tail.records = null;
      tail.older = undefined;
      tail.loading = false;
      tail.epoch++;
      this.inMemory.delete(tail);
      if (tail === this.newest) this.newest = null;
    }
  }
}

function olderVisible(older: Older, low: number, minTs: number): boolean {
  if (older === undefined) return true; // not known: older messages may exist
  return older !== null && older.id > low && older.ts >= minTs;
}
