import { readFileSync, truncateSync } from 'node:fs';
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import type { HistoryRecord } from '../core/events.js';
import { failureReason, journalFailureLine, openFailureLine } from './failures.js';
import { HistoryDb } from './history-db.js';
import { decodeJournal, type JournalContents } from './journal-codec.js';
import { toWire, type Call, type FromWorker, type ToWorker, type WorkerStart } from './worker-protocol.js';

/**
 * The history worker: owns the only connection to the database, so commits, search indexing,
 * retention and checkpoints never stall the server's event loop. SqliteHistory (sqlite-history.ts)
 * journals each turn's messages and posts them here; this thread stores them.
 */

/** Most posted batches merged into one transaction when the worker fell behind. */
const MAX_MERGED_BATCHES = 256;

/** Least time between two progress reports, in ms. */
const PROGRESS_INTERVAL_MS = 20;

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

let reported = 0;
let reportedAt = 0;

/** Tells the event loop how far the database has caught up (see MAX_BACKLOG_IDS), now and then. */
function reportProgress(): void {
  const id = db.caughtUpTo;
  const now = Date.now();
  if (id === reported || now - reportedAt < PROGRESS_INTERVAL_MS) return;
  reported = id;
  reportedAt = now;
  tell({ type: 'progress', id });
}

function reportFailure(err: unknown, lost: HistoryRecord[]): void {
  tell({ type: 'failure', error: toWire(err), reason: failureReason(err), lost });
}

function readJournals(files: string[]): JournalContents {
  const all: JournalContents = { records: [], nextId: 0 };
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    const found = decodeJournal(text);
    all.records.push(...found.records);
    all.nextId = Math.max(all.nextId, found.nextId);
  }
  return all;
}

/**
 * Stores what the journals hold beyond the database (the server died before its worker stored
 * it), makes it durable, then empties the journals. Records that cannot be stored (disk full)
 * are reported lost; ids still continue above them. Returns where ids continue.
 */
function recover(db: HistoryDb): number {
  const journal = readJournals(start.journalFiles);
  const missing = db.notStored(journal.records);
  const lastId = missing.at(-1)?.id ?? 0;
  if (missing.length > 0 || journal.nextId > db.nextId) {
    try {
      db.commit(missing, journal.nextId);
      db.syncWal();
    } catch (err) {
      reportFailure(err, missing);
    }
  }
  for (const file of start.journalFiles) {
    try {
      truncateSync(file, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return Math.max(db.nextId, journal.nextId, lastId + 1);
}

let db: HistoryDb;
try {
  db = HistoryDb.open(start.file, start);
} catch (err) {
  reply({ type: 'opened', ok: false, line: openFailureLine(start.file, err), error: toWire(err) });
  process.exit(1); // ends this thread only; the main thread has its answer
}
try {
  reply({ type: 'opened', ok: true, nextId: recover(db) });
} catch (err) {
  db.close();
  reply({ type: 'opened', ok: false, line: journalFailureLine(err), error: toWire(err) });
  process.exit(1);
}

/** Batches stored (or reported lost) so far, and how many of them the WAL has on disk. */
let storedSeq = 0;
let durableSeq = 0;

const durabilityTimer = setInterval(() => {
  reportProgress(); // in case the last change came too soon after a report
  if (storedSeq === durableSeq) return;
  const seq = storedSeq;
  try {
    db.syncWal();
  } catch (err) {
    reportFailure(err, []); // the journal keeps the batches; it is emptied only past durableSeq
    return;
  }
  durableSeq = seq;
  tell({ type: 'durable', seq });
}, start.syncIntervalMs);

type Batch = Extract<ToWorker, { type: 'batch' }>;

/** Decodes and commits `first` and the batches queued behind it in one transaction. */
function commitBatches(first: Batch): ToWorker | null {
  let batch = first;
  let held: ToWorker | null = null;
  const records: HistoryRecord[] = [];
  let nextId = 0;
  for (let merged = 1; ; merged++) {
    const found = decodeJournal(batch.text);
    for (const r of found.records) records.push(r);
    nextId = Math.max(nextId, found.nextId);
    storedSeq = batch.seq;
    if (merged === MAX_MERGED_BATCHES) break;
    const next = receiveMessageOnPort(inbox)?.message as ToWorker | undefined;
    if (next === undefined) break;
    if (next.type !== 'batch') {
      held = next;
      break;
    }
    batch = next;
  }
  try {
    db.commit(records, nextId);
  } catch (err) {
    reportFailure(err, records);
  }
  reportProgress();
  return held;
}

let maintenanceTimer: NodeJS.Timeout | null = null;
let maintenanceStep: NodeJS.Immediate | null = null;

/** Background upkeep, one small step at a time so batches never wait long: index, then prune. */
function maintain(intervalMs: number): void {
  if (maintenanceTimer) return;
  const step = () => {
    maintenanceStep = null;
    let more: boolean;
    try {
      more = db.index() || db.prune(Date.now());
    } catch (err) {
      reportFailure(err, []);
      more = false;
    }
    reportProgress();
    if (more) maintenanceStep = setImmediate(step);
  };
  maintenanceTimer = setInterval(() => {
    if (!maintenanceStep) step();
  }, intervalMs);
  step();
}

function run(call: Call): unknown {
  switch (call.op) {
    case 'recent':
      return db.recent(call.limit);
    case 'before':
      return db.before(call.id, call.limit);
    case 'search':
      return db.search(call.match, call.limit);
    case 'unindexed':
      return db.unindexedCount;
    case 'catchUp':
      try {
        while (db.caughtUpTo < call.upTo && db.index());
      } catch (err) {
        reportFailure(err, []);
      }
      return db.caughtUpTo;
    case 'size':
      return db.size;
    case 'index':
    case 'prune':
      try {
        return call.op === 'index' ? db.index(call.limit) : db.prune(call.now);
      } catch (err) {
        reportFailure(err, []);
        return false;
      }
    case 'close':
      clearInterval(durabilityTimer);
      if (maintenanceTimer) clearInterval(maintenanceTimer);
      if (maintenanceStep) clearImmediate(maintenanceStep);
      db.close(); // checkpoints into the database file and syncs it: every batch is durable
      inbox.close();
      return null;
  }
}

function onMessage(msg: ToWorker | null): void {
  while (msg !== null) {
    switch (msg.type) {
      case 'batch':
        msg = commitBatches(msg);
        break;
      case 'call':
        reply({ type: 'reply', id: msg.id, value: run(msg.call) });
        msg = null;
        break;
      case 'maintain':
        maintain(msg.intervalMs);
        msg = null;
        break;
    }
  }
}

inbox.on('message', onMessage);
