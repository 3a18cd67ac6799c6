import type { HistoryRecord, PublicEvent } from '../core/events.js';
import type { HistoryResult, HistorySource } from '../core/history.js';
import type { Journal } from '../core/hub.js';
import { failureReason, HistoryOpenError, journalFailureLine, type StoreFailure } from './failures.js';
import type { HistoryDbOptions } from './history-db.js';
import { ftsQuery } from './fts-query.js';
import { decodeJournal, encodeNextId, encodeRecord } from './journal-codec.js';
import { JOURNAL_ROTATE_BYTES, JournalFiles } from './journal.js';
import { WorkerLink, type CallAnswer } from './worker-link.js';
import { fromWire, type Call, type FromWorker } from './worker-protocol.js';

/**
 * How long flushed batches wait to be posted to the worker, in ms. The journal write already
 * makes them safe, so the worker only needs them eventually: posting once per turn was 5% of
 * the event loop at 30,000 msgs/s, and bigger batches make fewer, cheaper commits in the worker
 * (its CPU at that rate, fanout N=100: 24.5% of a core posting every turn, 22.6% every 10 ms,
 * 19% every 50 ms). A read posts what waits first, so it sees everything.
 */
const POST_INTERVAL_MS = 50;

/**
 * Newest messages kept in memory: a replay on join (50 by default) or a first `/history` page is
 * answered from them, without waiting for the worker (which may be in the middle of an index
 * step or a checkpoint: tens of milliseconds the event loop would be blocked).
 */
const TAIL_SIZE = 256;

/**
 * How far the worker may fall behind the journal, in event ids (about as many messages). When the
 * CPU is short it lags; past this, each flush waits for it to get back within the bound, less a
 * tenth: a few milliseconds per turn rather than one long stall, so an overloaded server slows
 * down evenly. This bounds the memory the worker's queue holds, the journal's size, and how long
 * a search waits for the index (~5 µs a message with a whole core: ~0.25 s).
 */
const MAX_BACKLOG_IDS = 50_000;

export interface SqliteHistoryOptions extends HistoryDbOptions {
  /**
   * How often the journal and the database's WAL are written to disk, in ms (default 1000): a
   * power cut loses at most about this much. The journal is emptied only past what is on disk.
   */
  syncIntervalMs?: number;
  /** Journal file size, in bytes, past which it switches to its other file (JOURNAL_ROTATE_BYTES). */
  journalRotateBytes?: number;
  /** How far the worker may fall behind, in ids (MAX_BACKLOG_IDS). */
  maxBacklog?: number;
}

/**
 * Message history in one SQLite file, stored by a worker thread so the event loop never waits
 * for the database. Public messages handed to `record` are buffered; `flush`, which the server
 * runs once per event-loop turn before any output is written, appends them to the journal next
 * to the database (one write: once it returns they survive the process being killed); every
 * POST_INTERVAL_MS what was journaled is posted to the worker, which commits it. The journal is
 * replayed into the database at the next open if the worker had not stored it. Reads are
 * synchronous: they post what waits, then wait for the worker to answer once it has stored it.
 */
export class SqliteHistory implements Journal, HistorySource {
  /** The id the next event will get, read at each flush so ids are never reused after a restart. */
  nextIdSource: (() => number) | null = null;

  private failureHandler: ((failure: StoreFailure) => void) | null = null;
  /** Failures to tell onFailure (it is set after open, and calls must not re-enter their caller). */
  private undelivered: StoreFailure[] = [];
  /** Journal lines of the records not yet flushed. */
  private pending: string[] = [];
  private pendingLastId = 0;
  private persistedNextId: number;
  private seq = 0;
  private closed = false;
  /** As the worker last said: every id up to this one is stored and indexed. */
  private caughtUpTo: number;
  /** Batches journaled but not yet posted to the worker. */
  private unposted: string[] = [];
  private postTimer: NodeJS.Timeout | null = null;
  /**
   * The newest messages, oldest first: those recorded since open on top of the newest stored
   * ones. Only the last `tailCapacity` count; it is trimmed now and then, not on every message.
   * Off (null) with `maxDays` retention, which the worker applies by the clock.
   */
  private tail: HistoryRecord[] | null = null;
  /** Whether no message older than the tail is stored. */
  private tailHasAll = false;
  private readonly tailCapacity: number;
  /** `maxMessages` retention keeps no more than the tail holds: the tail is all there is to show. */
  private readonly retentionFitsTail: boolean;

  private constructor(
    private readonly link: WorkerLink,
    private readonly journal: JournalFiles,
    nextId: number,
    maxMessages: number,
    private readonly maxBacklog: number,
  ) {
    this.persistedNextId = nextId;
    this.caughtUpTo = nextId - 1; // the worker's first progress report corrects it
    this.retentionFitsTail = maxMessages > 0 && maxMessages <= TAIL_SIZE;
    this.tailCapacity = this.retentionFitsTail ? maxMessages : TAIL_SIZE;
  }

  /** Loads the newest stored messages into the tail (nothing is recorded yet). */
  private loadTail(): void {
    const answer = this.call({ op: 'recent', limit: this.tailCapacity + 1 });
    if (!answer.ok || !answer.value.ok) return; // no tail: every read asks the worker
    const { records } = answer.value;
    this.tail = records.slice(-this.tailCapacity);
    this.tailHasAll = records.length <= this.tailCapacity;
  }

  /**
   * The newest `limit` messages below `below`, oldest first, from the tail; null when the tail
   * cannot tell (too few there, older ones stored) or the worker is gone (reads say so).
   */
  private fromTail(below: number, limit: number): HistoryResult | null {
    const tail = this.tail;
    if (tail === null || this.link.gone !== null) return null;
    const end = tail.findLastIndex((r) => r.id < below) + 1;
    const start = Math.max(end - limit, tail.length - this.tailCapacity, 0);
    if (end - start < limit && !this.tailHasAll && !this.retentionFitsTail) return null;
    return { ok: true, records: tail.slice(start, end) };
  }

  /**
   * Opens (creating if needed) the history database at `file`, migrates it to the current
   * schema, and stores what its journal holds beyond it (left by a server that was killed).
   * Throws HistoryOpenError, whose message says what is wrong, when the file is damaged,
   * locked by another server, or cannot be written.
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
        maxMessages: options.maxMessages ?? 0,
        maxDays: options.maxDays ?? 0,
        maxPages: options.maxPages ?? 0,
        syncIntervalMs,
      },
      (msg, deferred) => (store ? store.onWorkerMessage(msg, deferred) : early.push(msg)),
      (error) => store?.report({ error, reason: 'the history store stopped', lost: [] }, true),
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
      link.close(link.call({ op: 'close' }).ok);
      throw new HistoryOpenError(journalFailureLine(err), { cause: err });
    }
    store = new SqliteHistory(
      link,
      journal,
      opened.nextId,
      options.maxMessages ?? 0,
      options.maxBacklog ?? MAX_BACKLOG_IDS,
    );
    if (!options.maxDays) store.loadTail();
    for (const msg of early) store.onWorkerMessage(msg, true);
    return store;
  }

  /** Called when a commit, a pruning step or the worker fails; the store keeps journaling. */
  get onFailure(): ((failure: StoreFailure) => void) | null {
    return this.failureHandler;
  }

  set onFailure(handler: ((failure: StoreFailure) => void) | null) {
    this.failureHandler = handler;
    if (handler && this.undelivered.length > 0) queueMicrotask(() => this.deliver());
  }

  /** Journal: buffers a public message or action until the next flush. Other events are not stored. */
  record(event: PublicEvent): void {
    if (event.type !== 'message' && event.type !== 'action') return;
    this.pending.push(encodeRecord(event));
    this.pendingLastId = event.id;
    const tail = this.tail;
    if (tail === null) return;
    tail.push({ type: event.type, id: event.id, ts: event.ts, from: event.from, text: event.text });
    if (tail.length > this.tailCapacity) this.tailHasAll = false;
    if (tail.length >= 2 * this.tailCapacity) tail.splice(0, tail.length - this.tailCapacity);
  }

  /** Messages recorded and not yet flushed. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /**
   * Writes what was recorded since the last flush to the journal, in one write; the same text is
   * posted to the worker within POST_INTERVAL_MS. When the journal cannot be written the batch
   * is dropped (it was relayed but is not stored), `onFailure` is told, and false is returned.
   * When the worker has fallen more than `maxBacklog` ids behind, waits for it to come back within.
   */
  flush(): boolean {
    const nextId = this.nextIdSource?.() ?? 0;
    if (this.pending.length === 0 && nextId <= this.persistedNextId) return true;
    const lines = this.pending;
    const lastNext = lines.length > 0 ? this.pendingLastId + 1 : 0;
    this.pending = [];
    // Where ids continue is written only when events that are not stored used ids past the last message.
    if (nextId > Math.max(this.persistedNextId, lastNext)) lines.push(encodeNextId(nextId));
    lines.push('');
    const text = lines.join('\n');
    try {
      this.journal.append(text, this.seq + 1);
    } catch (err) {
      this.report(
        { error: err as Error, reason: failureReason(err), lost: decodeJournal(text).records },
        false,
      );
      return false;
    }
    this.seq++;
    this.persistedNextId = Math.max(this.persistedNextId, nextId, lastNext);
    this.unposted.push(text);
    if (this.postTimer === null) {
      this.postTimer = setTimeout(this.postBatches, POST_INTERVAL_MS);
      this.postTimer.unref();
    }
    const upTo = this.persistedNextId - 1 - this.maxBacklog;
    if (this.caughtUpTo < upTo && this.link.gone === null) {
      const answer = this.call({ op: 'catchUp', upTo: upTo + Math.ceil(this.maxBacklog / 10) });
      if (answer.ok) this.caughtUpTo = Math.max(this.caughtUpTo, answer.value);
    }
    return true;
  }

  /** The id to give the next event: above every id this history has seen. */
  nextEventId(): number {
    return this.persistedNextId;
  }

  /** Messages stored, once the worker has stored everything flushed so far. */
  get size(): number {
    return this.answer(this.call({ op: 'size' }));
  }

  recent(limit: number): HistoryResult {
    this.flush(); // so a replay sees this turn's messages
    return this.fromTail(Infinity, limit) ?? this.read(this.call({ op: 'recent', limit }));
  }

  before(id: number, limit: number): HistoryResult {
    this.flush();
    return this.fromTail(id, limit) ?? this.read(this.call({ op: 'before', id, limit }));
  }

  /** Messages holding every word of `query`, best first; the worker catches the index up first. */
  search(query: string, limit: number): HistoryResult {
    const match = this.searchMatch(query);
    return match === null ? { ok: true, records: [] } : this.read(this.call({ op: 'search', match, limit }));
  }

  /**
   * As `search`, without blocking the event loop: `done` gets the answer once the worker has it.
   * The search still sees every message recorded before it.
   */
  searchLater(query: string, limit: number, done: (result: HistoryResult) => void): void {
    const match = this.searchMatch(query);
    if (match === null) return queueMicrotask(() => done({ ok: true, records: [] }));
    this.postBatches();
    this.link.callLater({ op: 'search', match, limit }, (answer) => done(this.read(answer)));
  }

  /** The FTS5 query for `query` (null: it has no word), once the turn's messages are flushed. */
  private searchMatch(query: string): string | null {
    const match = ftsQuery(query);
    if (match !== null) this.flush();
    return match;
  }

  /**
   * One indexing step in the worker: adds at most `limit` stored messages to the full-text
   * index (kept out of the commit path). Returns true when it indexed something.
   */
  index(limit?: number): boolean {
    const answer = this.call({ op: 'index', limit });
    return answer.ok && answer.value;
  }

  /** Stored messages not yet in the full-text index. */
  get unindexedCount(): number {
    return this.answer(this.call({ op: 'unindexed' }));
  }

  /**
   * One retention step in the worker: deletes at most PRUNE_BATCH_ROWS of the oldest messages
   * beyond `maxMessages` and at most as many older than `maxDays`. Returns true when more are due.
   */
  prune(now: number = Date.now()): boolean {
    const answer = this.call({ op: 'prune', now });
    return answer.ok && answer.value;
  }

  /** Starts the worker's background upkeep: every `intervalMs` (and now), indexing, then retention. */
  startMaintenance(intervalMs = 1000): void {
    this.link.post({ type: 'maintain', intervalMs });
  }

  /**
   * Flushes what is pending, waits for the worker to store it and close the database (releasing
   * its lock), then empties the journal. If the worker is gone, the journal keeps everything for
   * the next open.
   */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    const closed = this.call({ op: 'close' });
    this.journal.close(closed.ok);
    this.link.close(closed.ok);
  }

  /** Posts the batches journaled since the last post, as one, numbered by the last of them. */
  private readonly postBatches = (): void => {
    if (this.postTimer !== null) clearTimeout(this.postTimer);
    this.postTimer = null;
    if (this.unposted.length === 0) return;
    this.link.post({ type: 'batch', seq: this.seq, text: this.unposted.join('') });
    this.unposted = [];
  };

  /** A call to the worker, behind every batch journaled before it. */
  private call<K extends Call['op']>(call: Extract<Call, { op: K }>): CallAnswer<K> {
    this.postBatches();
    return this.link.call(call);
  }

  private onWorkerMessage(msg: FromWorker, deferred: boolean): void {
    if (msg.type === 'durable') this.journal.durable(msg.seq);
    else if (msg.type === 'progress') this.caughtUpTo = Math.max(this.caughtUpTo, msg.id);
    else if (msg.type === 'failure')
      this.report({ error: fromWire(msg.error), reason: msg.reason, lost: msg.lost }, deferred);
  }

  /** Tells onFailure now, or soon when `deferred` (from inside a read) or not yet set. */
  private report(failure: StoreFailure, deferred: boolean): void {
    if (failure.lost.length > 0 && this.tail !== null) {
      const lost = new Set(failure.lost.map((r) => r.id));
      this.tail = this.tail.filter((r) => !lost.has(r.id));
    }
    this.undelivered.push(failure);
    if (!this.failureHandler) return;
    if (deferred) queueMicrotask(() => this.deliver());
    else this.deliver();
  }

  private deliver(): void {
    const failures = this.undelivered;
    this.undelivered = [];
    for (const f of failures) this.failureHandler?.(f);
  }

  /** A read's answer, or why the worker could not give one. */
  private read(answer: CallAnswer<'recent' | 'before' | 'search'>): HistoryResult {
    return answer.ok ? answer.value : { ok: false, reason: answer.reason };
  }

  /** A diagnostic number from the worker; throws when it cannot answer. */
  private answer(answer: { ok: true; value: number } | { ok: false; reason: string }): number {
    if (!answer.ok) throw new Error(answer.reason);
    return answer.value;
  }
}
