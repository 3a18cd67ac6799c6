import type { HistoryRecord, PublicEvent } from '../core/events.js';
import type { HistoryResult, HistorySource, RecentResult, RoomStore, SavedRoom } from '../core/history.js';
import type { Journal } from '../core/hub.js';
import { FailureOutbox } from './failure-outbox.js';
import { failureReason, HistoryOpenError, journalFailureLine, type StoreFailure } from './failures.js';
import { ftsQuery } from './fts-query.js';
import {
  DEFAULT_HISTORY_ROOM,
  DEFAULT_MAX_TAIL_RECORDS,
  DEFAULT_TAIL_PER_ROOM,
  type SqliteHistoryOptions,
} from './history-options.js';
import { decodeJournal, encodeNextId, encodeRecord, encodeRoom, type RoomSave } from './journal-codec.js';
import { DEFAULT_INDEX_PACING } from './index-pacer.js';
import { JOURNAL_ROTATE_BYTES, JournalFiles } from './journal.js';
import { RoomKeys } from './room-keys.js';
import { RoomTails, type Visible } from './room-tails.js';
import { MAX_BACKLOG_IDS, WorkerLag } from './worker-lag.js';
import { WorkerLink, type CallAnswer } from './worker-link.js';
import { fromWire, type Call, type FromWorker, type WorkerFailure } from './worker-protocol.js';

/**
 * How long flushed batches wait to be posted to the worker, in ms. The journal write already
 * makes them safe, so the worker only needs them eventually: posting once per turn was 5% of
 * the event loop at 30,000 msgs/s, and bigger batches make fewer, cheaper commits in the worker
 * (its CPU at that rate, fanout N=100: 24.5% of a core posting every turn, 22.6% every 10 ms,
 * 19% every 50 ms). A read posts what waits first, so it sees everything.
 */
const POST_INTERVAL_MS = 50;

const DAY_MS = 86_400_000;

/**
 * Message history and saved rooms in one SQLite file, stored by a worker thread so the event
 * loop never waits for the database. Public messages handed to `record` and rooms handed to
 * `saveRoom` are buffered; `flush`, which the server runs once per event-loop turn before any
 * output is written, appends them to the journal next to the database (one write: once it
 * returns they survive the process being killed); every POST_INTERVAL_MS what was journaled is
 * posted to the worker, which commits it. The journal is replayed into the database at the next
 * open if the worker had not stored it. No read blocks: `recent` answers from the newest messages
 * of each room kept in memory, the others through a callback once the worker has answered.
 */
export class SqliteHistory implements Journal, HistorySource, RoomStore {
  /** The id the next event will get, read at each flush so ids are never reused after a restart. */
  nextIdSource: (() => number) | null = null;

  private readonly failures = new FailureOutbox();
  /** Journal lines of the records not yet flushed. */
  private pending: string[] = [];
  private pendingLastId = 0;
  /** Rooms saved and not yet journaled, by key (the newest save of each). */
  private readonly pendingRooms = new Map<string, RoomSave>();
  private flushSoon: NodeJS.Immediate | null = null;
  private persistedNextId: number;
  private seq = 0;
  private closed = false;
  /** Whether the worker's commits are failing (its batches wait for a retry). */
  private delayed = false;
  /** How far the worker trails the journal; the server learns through `lag.onBacklog`. */
  readonly lag: WorkerLag;
  /** Batches journaled but not yet posted to the worker. */
  private unposted: string[] = [];
  private postTimer: NodeJS.Timeout | null = null;
  /** Every room saved, by key. */
  private readonly rooms = new Map<string, SavedRoom>();
  private readonly keys = new RoomKeys();
  private readonly tails: RoomTails;
  /** As the worker last said: every id up to this one is gone (retention). */
  private goneUpTo = 0;
  private readonly now: () => number;

  private constructor(
    private readonly link: WorkerLink,
    private readonly journal: JournalFiles,
    nextId: number,
    private readonly options: SqliteHistoryOptions,
  ) {
    this.persistedNextId = nextId;
    this.lag = new WorkerLag(
      {
        nextId: () => this.persistedNextId,
        stalled: () => this.link.gone !== null || this.delayed || this.closed,
        catchUp: (upTo) => {
          const answer = this.call({ op: 'catchUp', upTo });
          return answer.ok ? answer.value : null;
        },
        catchUpLater: (upTo, done) => {
          this.postBatches();
          this.link.callLater({ op: 'catchUp', upTo }, (answer) => done(answer.ok ? answer.value : null));
        },
      },
      options.maxBacklog ?? MAX_BACKLOG_IDS,
      nextId,
    );
    this.now = options.now ?? Date.now;
    const perRoom = Math.max(1, options.tailPerRoom ?? DEFAULT_TAIL_PER_ROOM);
    this.tails = new RoomTails(
      perRoom,
      options.maxTailRecords ?? DEFAULT_MAX_TAIL_RECORDS,
      (key, before, done) =>
        this.readRoom(key, before, perRoom + 1, (result) => done(result.ok ? result.records : null)),
    );
  }

  /**
   * Opens (creating if needed) the history database at `file`, migrates it to the current
   * schema, stores what its journal holds beyond it (left by a server that was killed), and loads
   * each room's newest messages. Throws HistoryOpenError, whose message says what is wrong, when
   * the file is damaged (emptied included), locked by another server, or cannot be written.
   */
  static open(file: string, options: SqliteHistoryOptions = {}): SqliteHistory {
    const journalFiles = [`${file}.journal-0`, `${file}.journal-1`];
    const syncIntervalMs = options.syncIntervalMs ?? 1000;
    let store: SqliteHistory | null = null;
    const early: FromWorker[] = []; // what recovery reported before the store existed
    const link = new WorkerLink(
      {
        file,
        journalFiles,
        defaultRoom: options.defaultRoom ?? DEFAULT_HISTORY_ROOM,
        maxMessages: options.maxMessages ?? 0,
        maxDays: options.maxDays ?? 0,
        maxPages: options.maxPages ?? 0,
        syncIntervalMs,
        indexPacing: { ...DEFAULT_INDEX_PACING, ...options.indexPacing },
      },
      (msg, deferred) => (store ? store.onWorkerMessage(msg, deferred) : early.push(msg)),
      (error) => store?.report({ kind: 'stopped', error, reason: 'the history store stopped' }, true),
    );
    // The journal is opened only once the worker holds the database's lock: a second server
    // on the same file stops here and never touches the first one's journal.
    const opened = link.opened();
    if (opened === null || !opened.ok) {
      link.close(false);
      const error = opened === null ? new Error(link.gone ?? 'no answer') : fromWire(opened.error);
      const line =
        opened === null ? `cannot open the history database ${file}: ${error.message}` : opened.line;
      throw new HistoryOpenError(line, { cause: error });
    }
    let journal: JournalFiles;
    try {
      journal = new JournalFiles(
        journalFiles,
        options.journalRotateBytes ?? JOURNAL_ROTATE_BYTES,
        syncIntervalMs,
      );
    } catch (err) {
      const closed = link.call({ op: 'close' });
      link.close(closed.ok);
      throw new HistoryOpenError(journalFailureLine(err), { cause: err });
    }
    store = new SqliteHistory(link, journal, opened.nextId, options);
    for (const { key, name, topic, topicBy, topicTs } of opened.rooms)
      store.rooms.set(key, { name, topic, topicBy, topicTs });
    store.loadTails();
    for (const msg of early) store.onWorkerMessage(msg, true);
    return store;
  }

  /** Loads each room's newest messages (at open, waiting for the worker). */
  private loadTails(): void {
    const perRoom = this.options.tailPerRoom ?? DEFAULT_TAIL_PER_ROOM;
    const total = this.options.maxTailRecords ?? DEFAULT_MAX_TAIL_RECORDS;
    const answer = this.call({
      op: 'tails',
      perRoom: Math.max(1, perRoom) + 1,
      total,
      minTs: this.visible().minTs,
    });
    if (!answer.ok) return; // the worker is gone: reads say so
    // The least recently written first, so the most recent stay longest in memory.
    for (const { key, records } of answer.value.reverse())
      this.tails.open(key, records && this.named(records));
  }

  /** Called when storing fails, is delayed or resumes, or the worker stops (StoreFailure). */
  get onFailure(): ((failure: StoreFailure) => void) | null {
    return this.failures.handler;
  }

  set onFailure(handler: ((failure: StoreFailure) => void) | null) {
    this.failures.handler = handler;
  }

  /** Journal: buffers a public message or action until the next flush. Other events are not stored. */
  record(event: PublicEvent): void {
    if (event.type !== 'message' && event.type !== 'action') return;
    const { type, id, ts, from, text } = event;
    const key = this.keyOf(event.room);
    // Named as saved, like the records read back from the database.
    const room = this.rooms.get(key)?.name ?? event.room;
    const record: HistoryRecord = { type, id, ts, room, from, text };
    this.pending.push(encodeRecord(record));
    this.pendingLastId = id;
    this.tails.add(key, record);
  }

  /** Messages recorded and not yet flushed. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /** RoomStore: every room saved, as last saved. */
  savedRooms(): SavedRoom[] {
    return Array.from(this.rooms.values(), (r) => ({ ...r }));
  }

  /**
   * RoomStore: saves a room's spelling and topic; journaled with the turn's messages (so it
   * survives `kill -9` like them), then stored by the worker.
   */
  saveRoom(room: SavedRoom): void {
    const key = this.keyOf(room.name);
    const saved = { name: room.name, topic: room.topic, topicBy: room.topicBy, topicTs: room.topicTs };
    const stamp = Math.max(this.persistedNextId, this.pendingLastId + 1, this.nextIdSource?.() ?? 0);
    this.rooms.set(key, saved);
    this.pendingRooms.set(key, { ...saved, stamp });
    this.tails.rename(key, room.name);
    // The server flushes every turn it has events in; this covers a save without one.
    if (this.flushSoon === null && !this.closed) {
      this.flushSoon = setImmediate(() => {
        this.flushSoon = null;
        this.flush();
      });
      this.flushSoon.unref();
    }
  }

  /**
   * Writes what was recorded and saved since the last flush to the journal, in one write; the
   * same text is posted to the worker within POST_INTERVAL_MS. When the journal cannot be
   * written, the turn's messages are not stored, `onFailure` is told at once (`not_journaled`,
   * before this returns) and false is returned; saved rooms wait for the next flush. When the
   * worker has fallen more than `maxBacklog` ids behind, waits for it to come back within.
   */
  flush(): boolean {
    const nextId = this.nextIdSource?.() ?? 0;
    if (this.pending.length === 0 && this.pendingRooms.size === 0 && nextId <= this.persistedNextId)
      return true;
    const lines = this.pending;
    const lastNext = lines.length > 0 ? this.pendingLastId + 1 : 0;
    const rooms = [...this.pendingRooms];
    this.pending = [];
    this.pendingRooms.clear();
    for (const [, room] of rooms) lines.push(encodeRoom(room));
    // Where ids continue is written only when events that are not stored used ids past the last message.
    if (nextId > Math.max(this.persistedNextId, lastNext)) lines.push(encodeNextId(nextId));
    lines.push('');
    const text = lines.join('\n');
    try {
      this.journal.append(text, this.seq + 1);
    } catch (err) {
      for (const [key, room] of rooms) if (!this.pendingRooms.has(key)) this.pendingRooms.set(key, room);
      this.notJournaled(err, text);
      return false;
    }
    this.seq++;
    this.persistedNextId = Math.max(this.persistedNextId, nextId, lastNext);
    this.unposted.push(text);
    if (this.postTimer === null) {
      this.postTimer = setTimeout(this.postBatches, POST_INTERVAL_MS);
      this.postTimer.unref();
    }
    this.lag.bound();
    return true;
  }

  /** The id to give the next event: above every id this history has seen. */
  nextEventId(): number {
    return this.persistedNextId;
  }

  /** HistorySource: from memory, this turn's messages included. */
  recent(room: string, limit: number, since = 0): RecentResult {
    return { ok: true, ...this.tails.recent(this.keyOf(room), limit, since, this.visible()) };
  }

  /** HistorySource: from memory when it holds them all, else from the worker. */
  beforeLater(room: string, before: number, limit: number, done: (result: HistoryResult) => void): void {
    const key = this.keyOf(room);
    const records = this.tails.before(key, before, limit, this.visible());
    if (records !== null) return queueMicrotask(() => done({ ok: true, records }));
    this.flush(); // so the worker has every message recorded before this
    this.readRoom(key, before, limit, done);
  }

  /**
   * HistorySource: the worker searches once it has stored (and indexed) every message
   * recorded before the search; `done` gets its answer on the event loop.
   */
  searchLater(rooms: string[], query: string, limit: number, done: (result: HistoryResult) => void): void {
    const match = ftsQuery(query);
    if (match === null || rooms.length === 0) return queueMicrotask(() => done({ ok: true, records: [] }));
    this.flush();
    const keys = [...new Set(rooms.map((r) => this.keyOf(r)))];
    this.callLater({ op: 'search', match, rooms: keys, limit, minTs: this.visible().minTs }, done);
  }

  /**
   * One indexing step in the worker: adds at most `limit` stored messages to the full-text
   * index (kept out of the commit path). Returns true when it indexed something.
   */
  index(limit?: number): boolean {
    const answer = this.call({ op: 'index', limit });
    return answer.ok && answer.value;
  }

  /** Messages stored, once the worker has stored everything flushed so far (waits for it). */
  get size(): number {
    return this.answer(this.call({ op: 'size' }));
  }

  /** Stored messages not yet in the full-text index (waits for the worker). */
  get unindexedCount(): number {
    return this.answer(this.call({ op: 'unindexed' }));
  }

  /**
   * One retention step in the worker: deletes at most PRUNE_BATCH_ROWS of the oldest messages
   * beyond `maxMessages` and at most as many older than `maxDays`. Returns true when more are due.
   */
  prune(now: number = this.now()): boolean {
    const answer = this.call({ op: 'prune', now });
    return answer.ok && answer.value;
  }

  /** Starts the worker's background upkeep: every `intervalMs` (and now), indexing, then retention. */
  startMaintenance(intervalMs = 1000): void {
    this.link.post({ type: 'maintain', intervalMs });
  }

  /**
   * Flushes what is pending, waits for the worker to store it and close the database (releasing
   * its lock), then empties the journal. If the worker is gone or cannot store everything (disk
   * full), the journal keeps it for the next open.
   */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (this.flushSoon !== null) clearImmediate(this.flushSoon);
    const closed = this.call({ op: 'close' });
    this.journal.close(closed.ok && closed.value);
    this.link.close(closed.ok);
  }

  /** The key of a room's display name. */
  private keyOf(room: string): string {
    return this.keys.of(room);
  }

  /** Records from the worker, their room named by its display name (the key when never saved). */
  private named(records: HistoryRecord[]): HistoryRecord[] {
    for (const r of records) r.room = this.rooms.get(r.room)?.name ?? r.room;
    return records;
  }

  private visible(): Visible {
    const { maxDays = 0 } = this.options;
    return {
      goneUpTo: this.goneUpTo,
      minTs: maxDays > 0 ? this.now() - maxDays * DAY_MS : Number.MIN_SAFE_INTEGER,
    };
  }

  /** Asks the worker for the newest `limit` messages of the room with key `key` below `before`. */
  private readRoom(key: string, before: number, limit: number, done: (result: HistoryResult) => void): void {
    this.callLater({ op: 'before', room: key, id: before, limit, minTs: this.visible().minTs }, done);
  }

  /** A read in the worker, after every batch journaled before it; `done` gets it on the event loop. */
  private callLater(
    call: Extract<Call, { op: 'before' | 'search' }>,
    done: (result: HistoryResult) => void,
  ): void {
    this.postBatches();
    this.link.callLater(call, (answer) => {
      const result = answer.ok ? answer.value : { ok: false as const, reason: answer.reason };
      done(result.ok ? { ok: true, records: this.named(result.records) } : result);
    });
  }

  /** The turn's journal write failed: its messages are taken out and reported, not acknowledged. */
  private notJournaled(error: unknown, text: string): void {
    const { records } = decodeJournal(text);
    this.tails.remove(new Set(records.map((r) => r.id)));
    const lost = records.map(({ id, from, room }) => ({ id, from, room }));
    this.report({ kind: 'not_journaled', error: error as Error, reason: failureReason(error), lost }, false);
  }

  /** Posts the batches journaled since the last post, as one, numbered by the last of them. */
  private readonly postBatches = (): void => {
    if (this.postTimer !== null) clearTimeout(this.postTimer);
    this.postTimer = null;
    if (this.unposted.length === 0) return;
    this.link.post({ type: 'batch', seq: this.seq, text: this.unposted.join('') });
    this.unposted = [];
  };

  /** A call to the worker, behind every batch journaled before it, waiting for its answer. */
  private call<K extends Call['op']>(call: Extract<Call, { op: K }>): CallAnswer<K> {
    this.postBatches();
    return this.link.call(call);
  }

  private onWorkerMessage(msg: FromWorker, deferred: boolean): void {
    switch (msg.type) {
      case 'durable':
        return this.journal.durable(msg.seq);
      case 'progress':
        return this.lag.progress(msg.id);
      case 'gone':
        this.goneUpTo = Math.max(this.goneUpTo, msg.upTo);
        return this.tails.gone(msg.upTo);
      case 'failure':
        return this.report(fromWorker(msg.failure), deferred);
      case 'opened':
      case 'reply':
        return; // answers to calls, routed by the link
    }
  }

  /** Tells onFailure now, or soon when `deferred` (from inside a read). */
  private report(failure: StoreFailure, deferred: boolean): void {
    if (failure.kind === 'delayed') this.delayed = true;
    else if (failure.kind === 'resumed') this.delayed = false;
    // A worker whose commits fail or that stopped is not waited for: the journal keeps everything.
    this.lag.check();
    this.failures.tell(failure, deferred);
  }

  /** A diagnostic number from the worker; throws when it cannot answer. */
  private answer(answer: { ok: true; value: number } | { ok: false; reason: string }): number {
    if (!answer.ok) throw new Error(answer.reason);
    return answer.value;
  }
}

/** A failure as the worker reported it, with its error rebuilt. */
function fromWorker(f: WorkerFailure): StoreFailure {
  return f.kind === 'resumed' ? f : { ...f, error: fromWire(f.error) };
}
