import type { HistoryRecord } from '../core/events.js';
import type { MessagePort } from 'node:worker_threads';
import type { HistoryResult } from '../core/history.js';
import type { StoredRoom } from './history-db.js';
import type { IndexPacing } from './index-pacer.js';

/**
 * Messages between SqliteHistory (the event loop) and its database worker (history-worker.ts).
 * Everything the main thread sends goes down one port in order, so the worker answers a call
 * only after every batch posted before it is committed (or, while commits fail, queued).
 * Records the worker gives back name their room by its key (`roomKey`).
 */

/** What the worker needs to start: where, how, and the channel back. */
export interface WorkerStart {
  file: string;
  journalFiles: string[];
  /** The server's default room: messages stored before rooms existed belong to it (schema.ts). */
  defaultRoom: string;
  maxMessages: number;
  maxDays: number;
  maxPages: number;
  /** How often the WAL is written to disk and `durable` reported, in ms. */
  syncIntervalMs: number;
  /** When the full-text index is brought up to date (index-pacer.ts). */
  indexPacing: IndexPacing;
  /** [0]: bumped after every reply (the main thread waits on it); [1]: 1 once the worker is gone. */
  signal: Int32Array;
  port: MessagePort;
}

/** A room's newest messages as loaded at open; null: not loaded (past the memory bound). */
export interface RoomRows {
  key: string;
  records: HistoryRecord[] | null;
}

export type Call =
  /** For each room with messages, the newest `perRoom` (at most `total` in all), newest rooms first. */
  | { op: 'tails'; perRoom: number; total: number; minTs: number }
  /** The newest `limit` messages of room `room` (a key) below id `id`, from `minTs` on. */
  | { op: 'before'; room: string; id: number; limit: number; minTs: number }
  | { op: 'search'; match: string; rooms: string[]; limit: number; minTs: number }
  | { op: 'index'; limit: number | undefined }
  | { op: 'unindexed' }
  /** Answers how far everything is stored, once every batch posted before it is (see `progress`). */
  | { op: 'catchUp'; upTo: number }
  | { op: 'prune'; now: number }
  | { op: 'size' }
  | { op: 'close' };

/** The value each call answers with. */
export interface CallResults {
  tails: RoomRows[];
  before: HistoryResult;
  search: HistoryResult;
  index: boolean;
  unindexed: number;
  catchUp: number;
  prune: boolean;
  size: number;
  /** Whether every batch is stored (the journal may then be emptied). */
  close: boolean;
}

export type ToWorker =
  /**
   * Journal lines of one or more turns, as written to the journal; `seq` numbers the last turn
   * in it (turns are numbered from 1), which `durable` reports back. The text is posted as a
   * string: copying one measured cheaper than transferring a buffer (~4 vs ~17 µs for 30 messages).
   */
  | { type: 'batch'; seq: number; text: string }
  | { type: 'call'; id: number; call: Call }
  | { type: 'maintain'; intervalMs: number };

/** An error as it crosses threads (structured cloning keeps no `code`). */
export interface WireError {
  message: string;
  code: string;
  stack: string;
}

/** The failures the worker reports (see StoreFailure), their error as it crosses threads. */
export type WorkerFailure =
  | { kind: 'delayed'; error: WireError; reason: string; waiting: number; retryMs: number }
  | { kind: 'resumed'; reason: string; stored: number; delayedMs: number }
  | { kind: 'upkeep'; error: WireError; reason: string };

export type FromWorker =
  /** `recovered`: what the journal held beyond the database is stored (else it waits, see `delayed`). */
  | { type: 'opened'; ok: true; nextId: number; rooms: StoredRoom[]; recovered: boolean }
  | { type: 'opened'; ok: false; line: string; error: WireError }
  | { type: 'reply'; id: number; value: unknown }
  /** Batches up to `seq` are committed and the WAL holding them is on disk (0: the journal read at open). */
  | { type: 'durable'; seq: number }
  /** Every event id up to `id` posted so far is stored (the full-text index may trail, index-pacer.ts). */
  | { type: 'progress'; id: number }
  /** Every message with an id up to `upTo` is gone from the database (retention). */
  | { type: 'gone'; upTo: number }
  | { type: 'failure'; failure: WorkerFailure };

export function toWire(err: unknown): WireError {
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as { code?: unknown }).code;
  return { message: e.message, code: typeof code === 'string' ? code : '', stack: e.stack ?? '' };
}

export function fromWire(w: WireError): Error {
  const err = Object.assign(new Error(w.message), w.code ? { code: w.code } : {});
  err.stack = w.stack || err.stack;
  return err;
}
