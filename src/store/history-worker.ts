import { readFileSync, truncateSync } from 'node:fs';
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import type { HistoryRecord } from '../core/events.js';
import type { HistoryResult } from '../core/history.js';
import { CommitQueue } from './commit-queue.js';
import { failureReason, journalFailureLine, openFailureLine } from './failures.js';
import { HistoryDb } from './history-db.js';
import { decodeJournal, type JournalContents } from './journal-codec.js';
import {
  toWire,
  type Call,
  type CallResults,
  type FromWorker,
  type RoomRows,
  type ToWorker,
  type WorkerFailure,
  type WorkerStart,
} from './worker-protocol.js';
import { WorkerUpkeep } from './worker-upkeep.js';

/**
 * The history worker: owns the only connection to the database, so commits, search indexing,
 * retention and checkpoints never stall the server's event loop. SqliteHistory (sqlite-history.ts)
 * journals each turn's messages and posts them here; this thread stores them.
 */

/** Least time between two progress reports, in ms. */
const PROGRESS_INTERVAL_MS = 20;
/** Least time between two reports of the same upkeep failure, in ms (it is retried every second). */
const UPKEEP_REPORT_MS = 60_000;
/** Most batches taken from the port before they are committed together. */
const MAX_BATCHES_PER_COMMIT = 256;
/** No upper bound on an id, for reads of a room's newest messages. */
const NO_ID_BOUND = Number.MAX_SAFE_INTEGER;

const start = workerData as WorkerStart;
const inbox = parentPort as MessagePort;

/** Posts a reply, then wakes the main thread blocked on it. */
function reply(msg: FromWorker): void {
  start.port.postMessage(msg);
  Atomics.add(start.signal, 0, 1);
  Atomics.notify(start.signal, 0);
}

function tell(msg: FromWorker): void {
  start.port.postMessage(msg);
}

const upkeepToldAt = new Map<string, number>();

/** Reports a failure of background upkeep, the same reason at most once a minute. */
function reportUpkeep(err: unknown): void {
  const reason = failureReason(err);
  const now = Date.now();
  if (now - (upkeepToldAt.get(reason) ?? -Infinity) < UPKEEP_REPORT_MS) return;
  upkeepToldAt.set(reason, now);
  tell({ type: 'failure', failure: { kind: 'upkeep', error: toWire(err), reason } });
}

let reported = 0;
let reportedAt = 0;

/** Tells the event loop how far it has stored what it was given (see MAX_BACKLOG_IDS), now and then. */
function reportProgress(): void {
  const id = db.storedUpTo;
  const now = Date.now();
  if (id === reported || now - reportedAt < PROGRESS_INTERVAL_MS) return;
  reported = id;
  reportedAt = now;
  tell({ type: 'progress', id });
}

function readJournals(files: string[]): JournalContents {
  const all: JournalContents = { records: [], rooms: [], nextId: 0 };
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    const found = decodeJournal(text, start.defaultRoom);
    all.records.push(...found.records);
    all.rooms.push(...found.rooms);
    all.nextId = Math.max(all.nextId, found.nextId);
  }
  return all;
}

/**
 * Stores what the journals hold beyond the database (the server died before its worker stored
 * it) as batch 0, then empties the journals. When it cannot be stored (disk full) it waits in
 * the queue, and the journals keep it, until a retry works. Returns where ids continue.
 */
function recover(db: HistoryDb, queue: CommitQueue): { nextId: number; recovered: boolean } {
  const journal = readJournals(start.journalFiles);
  const missing = db.notStored(journal.records);
  const lastId = missing.at(-1)?.id ?? 0;
  const nextId = Math.max(db.nextId, journal.nextId, lastId + 1);
  if (missing.length === 0 && journal.rooms.length === 0 && journal.nextId <= db.nextId)
    return { nextId, recovered: true };
  queue.push({ seq: 0, records: missing, rooms: journal.rooms, nextId: journal.nextId });
  if (!queue.commit()) return { nextId, recovered: false };
  db.syncWal();
  for (const file of start.journalFiles) {
    try {
      truncateSync(file, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return { nextId, recovered: true };
}

/** Failures found while opening, told once the main thread has its answer (then null). */
let early: WorkerFailure[] | null = [];
let db: HistoryDb;
try {
  db = HistoryDb.open(start.file, start);
} catch (err) {
  reply({ type: 'opened', ok: false, line: openFailureLine(start.file, err), error: toWire(err) });
  process.exit(1); // ends this thread only; the main thread has its answer
}
/** Batches posted but not stored yet; batch 0 is what the journal held at open. */
const queue = new CommitQueue(
  db,
  0,
  (failure) => void (early ? early.push(failure) : tell({ type: 'failure', failure })),
  reportProgress,
);
try {
  const { nextId, recovered } = recover(db, queue);
  if (!recovered) queue.storedSeq = -1;
  reply({ type: 'opened', ok: true, nextId, rooms: db.savedRooms(), recovered });
} catch (err) {
  db.close();
  reply({ type: 'opened', ok: false, line: journalFailureLine(err), error: toWire(err) });
  process.exit(1);
}
for (const failure of early) tell({ type: 'failure', failure });
early = null;

/** Batches stored so far and on disk (-1: not even the journal read at open). */
let durableSeq = queue.storedSeq;

const durabilityTimer = setInterval(() => {
  reportProgress(); // in case the last change came too soon after a report
  const seq = queue.storedSeq;
  if (seq === durableSeq) return;
  try {
    db.syncWal();
  } catch (err) {
    reportUpkeep(err); // the journal keeps the batches; it is emptied only past durableSeq
    return;
  }
  durableSeq = seq;
  tell({ type: 'durable', seq });
}, start.syncIntervalMs);

/**
 * Queues `first` and the batches posted right behind it, then commits them together. Returns
 * the message found behind them that is not a batch, to be handled next.
 */
function storeBatches(first: Extract<ToWorker, { type: 'batch' }>): ToWorker | null {
  let batch = first;
  let held: ToWorker | null = null;
  for (let taken = 1; ; taken++) {
    const found = decodeJournal(batch.text);
    queue.push({ seq: batch.seq, records: found.records, rooms: found.rooms, nextId: found.nextId });
    if (taken === MAX_BATCHES_PER_COMMIT) break;
    const next = receiveMessageOnPort(inbox)?.message as ToWorker | undefined;
    if (next === undefined) break;
    if (next.type !== 'batch') {
      held = next;
      break;
    }
    batch = next;
  }
  const waiting = queue.waiting;
  queue.commit();
  reportProgress();
  upkeep.stored(waiting - queue.waiting);
  return held;
}

/** After messages were deleted: tells the event loop which ids are gone. */
function reportGone(deleted: number): void {
  if (deleted > 0) tell({ type: 'gone', upTo: db.goneUpTo });
}

/** Background upkeep (indexing, retention), once the main thread starts it. */
const upkeep = new WorkerUpkeep(db, start.indexPacing, reportGone, reportUpkeep);

/** The newest `limit` messages of a room below `before`: those stored, and those waiting to be. */
function roomBefore(key: string, before: number, limit: number, minTs: number): HistoryRecord[] {
  const stored = db.roomBefore(key, before, limit, minTs);
  if (queue.waiting === 0) return stored;
  const waiting = queue.waitingIn(key).filter((r) => r.id < before && r.ts >= minTs);
  const all = new Map<number, HistoryRecord>();
  for (const r of stored) all.set(r.id, r);
  for (const r of waiting) all.set(r.id, { ...r, room: key });
  return [...all.values()].sort((a, b) => a.id - b.id).slice(-limit);
}

/** For each room with messages, the most recently active first, its newest `perRoom`, up to `total`. */
function tails(perRoom: number, total: number, minTs: number): RoomRows[] {
  const keys = [...new Set([...queue.waitingRooms(), ...db.roomsByActivity()])];
  let loaded = 0;
  return keys.map((key) => {
    if (loaded >= total) return { key, records: null };
    const records = roomBefore(key, NO_ID_BOUND, perRoom, minTs);
    loaded += records.length;
    return { key, records };
  });
}

/** A read's answer, or why it failed (an I/O error). */
function read(query: () => HistoryRecord[]): HistoryResult {
  try {
    return { ok: true, records: query() };
  } catch (err) {
    return { ok: false, reason: failureReason(err) };
  }
}

function run(call: Call): CallResults[Call['op']] {
  switch (call.op) {
    case 'tails':
      return tails(call.perRoom, call.total, call.minTs);
    case 'before':
      return read(() => roomBefore(call.room, call.id, call.limit, call.minTs));
    case 'search':
      // While commits fail, the messages waiting are not searchable yet.
      return read(() => db.search(call.match, call.rooms, call.limit, call.minTs));
    case 'unindexed':
      return db.unindexedCount;
    case 'catchUp':
      // Every batch posted before this call is committed (or waits for a retry) by now.
      return db.storedUpTo;
    case 'size':
      return db.size;
    case 'index':
      try {
        return db.index(call.limit);
      } catch (err) {
        reportUpkeep(err);
        return false;
      }
    case 'prune':
      try {
        const pruned = db.prune(call.now);
        reportGone(pruned.deleted);
        return pruned.more;
      } catch (err) {
        reportUpkeep(err);
        return false;
      }
    case 'close': {
      const stored = queue.commit(true);
      queue.stop();
      clearInterval(durabilityTimer);
      upkeep.stop();
      db.close(); // checkpoints into the database file and syncs it: every batch stored is durable
      inbox.close();
      return stored;
    }
  }
}

function onMessage(msg: ToWorker | null): void {
  while (msg !== null) {
    switch (msg.type) {
      case 'batch':
        msg = storeBatches(msg);
        break;
      case 'call':
        reply({ type: 'reply', id: msg.id, value: run(msg.call) });
        msg = null;
        break;
      case 'maintain':
        upkeep.start(msg.intervalMs);
        msg = null;
        break;
    }
  }
}

inbox.on('message', onMessage);
