import { closeSync, fsyncSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { HistoryRecord } from '../core/events.js';
import type { HistoryResult } from '../core/history.js';
import { failureReason } from './failures.js';
import { migrate } from './schema.js';

/** Rows deleted per retention step: small, so pruning never holds up the commits for long. */
export const PRUNE_BATCH_ROWS = 500;
/**
 * Rows added to the full-text index per step (a few milliseconds of work). Each step writes one
 * FTS5 segment that later merges rewrite; measured over 200k messages, 1000 rows per step cost
 * ~35% less per row than 500 and stalled less at the longest (~12 ms, merges included; 2000:
 * about as cheap, but most steps over 5 ms).
 */
export const INDEX_BATCH_ROWS = 1000;
/**
 * A search ranks the newest this many matches, not all: ranking costs ~1 µs a match, and a word
 * in every other message would make one `/search` stall the worker, and the event loop waiting
 * on it, for as long as the history is big (measured, 200k messages, a word in 73k of them:
 * 77 ms ranking all, 7 ms the newest 5,000). Matching itself is not bounded by this.
 */
export const SEARCH_RANKED_MATCHES = 5000;
const DAY_MS = 86_400_000;

export interface HistoryDbOptions {
  /** Keep at most this many messages (0: no limit). */
  maxMessages?: number;
  /** Drop messages older than this many days (0: no limit). */
  maxDays?: number;
  /** Largest database size in pages (SQLite `max_page_count`): a quota, and how tests fill the "disk". */
  maxPages?: number;
}

interface Row {
  id: number;
  ts: number;
  kind: string;
  sender: string;
  text: string;
}

const COLUMNS = 'id, ts, kind, sender, text';

/**
 * Rows per INSERT statement: one statement per batch costs far less than one per row (binding
 * and stepping a statement has a fixed cost), and 64 rows stay below SQLite's 32,766 parameters.
 */
const INSERT_CHUNK_ROWS = 64;

/** The parameters of `n` records from `at`, flattened for a multi-row INSERT. */
function insertParams(records: HistoryRecord[], at: number, n: number): unknown[] {
  const params = new Array<unknown>(n * 5);
  for (let i = 0; i < n; i++) {
    const r = records[at + i] as HistoryRecord;
    params[i * 5] = r.id;
    params[i * 5 + 1] = r.ts;
    params[i * 5 + 2] = r.type;
    params[i * 5 + 3] = r.from;
    params[i * 5 + 4] = r.text;
  }
  return params;
}

function toRecord(row: Row): HistoryRecord {
  const type = row.kind === 'action' ? 'action' : 'message';
  return { type, id: row.id, ts: row.ts, from: row.sender, text: row.text };
}

function prepareStatements(db: Database.Database) {
  return {
    setNextId: db.prepare("UPDATE meta SET value = ? WHERE key = 'next_event_id'"),
    recent: db.prepare(`SELECT ${COLUMNS} FROM messages ORDER BY id DESC LIMIT ?`),
    before: db.prepare(`SELECT ${COLUMNS} FROM messages WHERE id < ? ORDER BY id DESC LIMIT ?`),
    search: db.prepare(
      `SELECT m.id, m.ts, m.kind, m.sender, m.text FROM (
         SELECT rowid AS id, rank FROM messages_fts WHERE messages_fts MATCH ?
         ORDER BY rowid DESC LIMIT ${SEARCH_RANKED_MATCHES}
       ) f JOIN messages m ON m.id = f.id ORDER BY f.rank, m.id DESC LIMIT ?`,
    ),
    pruneOldest: db.prepare('DELETE FROM messages WHERE id IN (SELECT id FROM messages ORDER BY id LIMIT ?)'),
    // Walks the oldest rows only (ids grow with time), so a step is bounded even when nothing is due.
    pruneBefore: db.prepare(
      'DELETE FROM messages WHERE id IN (SELECT id FROM (SELECT id, ts FROM messages ORDER BY id LIMIT ?) WHERE ts < ?)',
    ),
    indexedUpTo: db.prepare("SELECT value FROM meta WHERE key = 'fts_indexed_id'").pluck(),
    indexChunkEnd: db
      .prepare('SELECT max(id) FROM (SELECT id FROM messages WHERE id > ? ORDER BY id LIMIT ?)')
      .pluck(),
    indexChunk: db.prepare(
      'INSERT INTO messages_fts (rowid, text) SELECT id, text FROM messages WHERE id > ? AND id <= ?',
    ),
    setIndexedUpTo: db.prepare("UPDATE meta SET value = ? WHERE key = 'fts_indexed_id'"),
    unindexed: db.prepare('SELECT count(*) FROM messages WHERE id > ?').pluck(),
  };
}

/**
 * The history database itself: one SQLite connection in WAL mode, held exclusively. Only the
 * history worker uses it (history-worker.ts); SqliteHistory is what the server sees.
 */
export class HistoryDb {
  private persistedNextId: number;
  /** The value of meta.next_event_id as committed. */
  private metaNextId: number;
  private readonly inserts: Database.Statement[] = [];
  private count: number;
  private indexedUpTo: number;
  /** The highest id stored (0: none yet); retention does not lower it. */
  private lastStoredId: number;
  private walFd: number | null = null;
  private readonly commitBatch: (records: HistoryRecord[], nextId: number) => void;
  private readonly indexBatch: (from: number, limit: number) => number | null;
  private readonly statements: ReturnType<typeof prepareStatements>;

  private constructor(
    private readonly db: Database.Database,
    private readonly options: HistoryDbOptions,
  ) {
    this.statements = prepareStatements(db);
    const meta = db.prepare("SELECT value FROM meta WHERE key = 'next_event_id'").pluck().get() as number;
    const maxId = (db.prepare('SELECT max(id) FROM messages').pluck().get() as number | null) ?? 0;
    this.persistedNextId = Math.max(meta, maxId + 1);
    this.lastStoredId = maxId;
    this.count = db.prepare('SELECT count(*) FROM messages').pluck().get() as number;
    this.indexedUpTo = this.statements.indexedUpTo.get() as number;
    this.indexBatch = db.transaction((from: number, limit: number) => {
      const { indexChunkEnd, indexChunk, setIndexedUpTo } = this.statements;
      const end = indexChunkEnd.get(from, limit) as number | null;
      if (end === null) return null;
      indexChunk.run(from, end);
      setIndexedUpTo.run(end);
      return end;
    });
    this.metaNextId = meta;
    this.commitBatch = db.transaction((records: HistoryRecord[], nextId: number) => {
      for (let at = 0; at < records.length; at += INSERT_CHUNK_ROWS) {
        const n = Math.min(INSERT_CHUNK_ROWS, records.length - at);
        this.insertStatement(n).run(insertParams(records, at, n));
      }
      // The highest stored id already says where ids continue (see the constructor): the meta row
      // is rewritten only when ids were used after it by events that are not stored.
      const last = records[records.length - 1];
      if (nextId > Math.max(this.metaNextId, last ? last.id + 1 : 0)) {
        this.statements.setNextId.run(nextId);
        this.metaNextId = nextId;
      }
    });
  }

  /** The INSERT of `rows` rows in one statement, prepared once per size. */
  private insertStatement(rows: number): Database.Statement {
    let statement = this.inserts[rows];
    if (!statement) {
      const values = Array.from({ length: rows }, () => '(?, ?, ?, ?, ?)').join(', ');
      statement = this.db.prepare(`INSERT INTO messages (id, ts, kind, sender, text) VALUES ${values}`);
      this.inserts[rows] = statement;
    }
    return statement;
  }

  /**
   * Opens (creating if needed) the database at `file`, takes its lock and migrates it to the
   * current schema; throws SQLite's error (or a SchemaError) when it cannot.
   */
  static open(file: string, options: HistoryDbOptions = {}): HistoryDb {
    let db: Database.Database | undefined;
    try {
      // timeout 0: a database held by another server is an error at once, not a wait.
      db = new Database(file, { timeout: 0 });
      // EXCLUSIVE before WAL: no shared-memory index, and the lock, once taken, is held until
      // close, so a second server on the same file fails at start.
      db.pragma('locking_mode = EXCLUSIVE');
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new Error(`cannot switch to WAL mode (journal mode is ${String(mode)})`);
      // In WAL mode NORMAL loses nothing when the process dies, only (rarely) on power loss;
      // syncWal() bounds that to the last second.
      db.pragma('synchronous = NORMAL');
      // Checkpoint (copy the WAL back, with an fsync) every ~40 MB instead of every ~4 MB: each
      // commit rewrites the same hot pages, so fewer checkpoints copy far fewer pages (measured:
      // 30% less time committing; the WAL file stays at up to ~40 MB).
      db.pragma('wal_autocheckpoint = 10000');
      if (options.maxPages) db.pragma(`max_page_count = ${Math.floor(options.maxPages)}`);
      migrate(db);
      db.exec('BEGIN IMMEDIATE; COMMIT');
      return new HistoryDb(db, options);
    } catch (err) {
      try {
        db?.close();
      } catch {
        // the open error is the one worth reporting
      }
      throw err;
    }
  }

  /** The id to give the next event: above every id this database has seen. */
  get nextId(): number {
    return this.persistedNextId;
  }

  /** Messages stored. */
  get size(): number {
    return this.count;
  }

  /**
   * Stores `records` and where ids continue (`nextId`, 0: only past the records) in one
   * transaction; throws, storing nothing, when it cannot (SQLITE_FULL).
   */
  commit(records: HistoryRecord[], nextId: number): void {
    this.commitBatch(records, nextId);
    this.count += records.length;
    const last = records[records.length - 1];
    if (last) this.lastStoredId = last.id;
    this.persistedNextId = Math.max(this.persistedNextId, nextId, last ? last.id + 1 : 0);
  }

  /**
   * The journal's records this database does not have, in id order: ids from nextId on (lower
   * ones were stored, reported lost, or deleted by retention).
   */
  notStored(records: HistoryRecord[]): HistoryRecord[] {
    const byId = new Map<number, HistoryRecord>();
    for (const r of records) if (r.id >= this.persistedNextId) byId.set(r.id, r);
    return [...byId.values()].sort((a, b) => a.id - b.id);
  }

  recent(limit: number): HistoryResult {
    return this.read(() => this.statements.recent.all(limit) as Row[], true);
  }

  before(id: number, limit: number): HistoryResult {
    return this.read(() => this.statements.before.all(id, limit) as Row[], true);
  }

  /** Messages matching the FTS5 query `match` (see ftsQuery), best first of the newest SEARCH_RANKED_MATCHES. */
  search(match: string, limit: number): HistoryResult {
    return this.read(() => {
      // The index trails the commits by up to a second: catch up, so search sees everything.
      while (this.index());
      return this.statements.search.all(match, limit) as Row[];
    }, false);
  }

  /**
   * One indexing step: adds at most `limit` committed messages to the full-text index, which
   * is kept out of the commit path (FTS5 is costly per small transaction, cheap in batches).
   * Returns true when it indexed something (more may be due).
   */
  index(limit = INDEX_BATCH_ROWS): boolean {
    const end = this.indexBatch(this.indexedUpTo, limit);
    // Advanced only once the transaction has committed: a failed step is simply retried.
    if (end === null) return false;
    this.indexedUpTo = end;
    return true;
  }

  /**
   * The id up to which everything this database was given is stored and indexed: where ids
   * continue, less one, once the index has caught up; else the last id indexed.
   */
  get caughtUpTo(): number {
    return this.indexedUpTo >= this.lastStoredId ? this.persistedNextId - 1 : this.indexedUpTo;
  }

  /** Committed messages not yet in the full-text index. */
  get unindexedCount(): number {
    return this.statements.unindexed.get(this.indexedUpTo) as number;
  }

  /**
   * One retention step: deletes at most PRUNE_BATCH_ROWS of the oldest messages beyond
   * `maxMessages` and at most as many older than `maxDays`. Returns true when more are due.
   */
  prune(now: number): boolean {
    const { maxMessages = 0, maxDays = 0 } = this.options;
    let more = false;
    if (maxMessages > 0 || maxDays > 0) this.saveNextId();
    if (maxMessages > 0 && this.count > maxMessages) {
      const n = Math.min(this.count - maxMessages, PRUNE_BATCH_ROWS);
      this.count -= this.statements.pruneOldest.run(n).changes;
      more = this.count > maxMessages;
    }
    if (maxDays > 0) {
      const deleted = this.statements.pruneBefore.run(PRUNE_BATCH_ROWS, now - maxDays * DAY_MS).changes;
      this.count -= deleted;
      more ||= deleted === PRUNE_BATCH_ROWS;
    }
    return more;
  }

  /**
   * Writes the WAL out to disk (commits run with synchronous=NORMAL and do not wait for it), so
   * everything committed so far survives a power cut. Only the `-wal` file is opened, never the
   * database file: closing any descriptor of a file drops the process's POSIX locks on it, and
   * SQLite holds its lock on the database.
   */
  syncWal(): void {
    this.walFd ??= openSync(`${this.db.name}-wal`, 'r');
    fsyncSync(this.walFd);
  }

  /** Closes the database (SQLite checkpoints and syncs it), releasing its lock. */
  close(): void {
    if (this.db.open) this.db.close();
    if (this.walFd !== null) closeSync(this.walFd);
    this.walFd = null;
  }

  /**
   * Writes where ids continue into the meta row, before retention may delete the newest rows,
   * which alone say it while the meta row lags (commits skip it; see the constructor).
   */
  private saveNextId(): void {
    if (this.metaNextId >= this.persistedNextId) return;
    this.statements.setNextId.run(this.persistedNextId);
    this.metaNextId = this.persistedNextId;
  }

  /** Runs a query; a failure (an I/O error) is a value. */
  private read(query: () => Row[], oldestFirst: boolean): HistoryResult {
    try {
      const rows = query().map(toRecord);
      return { ok: true, records: oldestFirst ? rows.reverse() : rows };
    } catch (err) {
      return { ok: false, reason: failureReason(err) };
    }
  }
}
