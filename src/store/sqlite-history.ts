import Database from 'better-sqlite3';
import type { HistoryRecord, PublicEvent } from '../core/events.js';
import type { HistoryResult, HistorySource } from '../core/history.js';
import type { Journal } from '../core/hub.js';
import { ftsQuery } from './fts-query.js';
import { migrate, SchemaError } from './schema.js';
import { WalSync } from './wal-sync.js';

/** Rows deleted per retention step: small, so pruning never holds the event loop for long. */
export const PRUNE_BATCH_ROWS = 500;
/**
 * Rows added to the full-text index per step (a few milliseconds of work). Each step writes one
 * FTS5 segment that later merges rewrite; measured over 200k messages, 1000 rows per step cost
 * ~35% less per row than 500 and stalled less at the longest (~12 ms, merges included; 2000:
 * about as cheap, but most steps over 5 ms).
 */
export const INDEX_BATCH_ROWS = 1000;
const DAY_MS = 86_400_000;

export interface SqliteHistoryOptions {
  /** Keep at most this many messages (0: no limit). */
  maxMessages?: number;
  /** Drop messages older than this many days (0: no limit). */
  maxDays?: number;
  /** Largest database size in pages (SQLite `max_page_count`): a quota, and how tests fill the "disk". */
  maxPages?: number;
}

/** A commit or a pruning step that failed at run time (disk full, I/O error). */
export interface StoreFailure {
  error: Error;
  /** A short reason for users and logs, e.g. `the disk is full`. */
  reason: string;
  /** Messages that were relayed live but could not be stored. */
  lost: HistoryRecord[];
}

/** The history database could not be opened; the message is one clear line for the CLI. */
export class HistoryOpenError extends Error {}

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

function codeOf(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : '';
}

/** A short reason for a run-time failure. */
export function failureReason(err: unknown): string {
  const code = codeOf(err);
  if (code.startsWith('SQLITE_FULL')) return 'the disk is full';
  const message = err instanceof Error ? err.message : String(err);
  return code ? `${code}: ${message}` : message;
}

/** One clear line saying why the database at `file` cannot be used, and what to do. */
function openFailure(file: string, err: unknown): HistoryOpenError {
  const code = codeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  let line: string;
  if (err instanceof SchemaError) line = `the history database ${file} cannot be used: ${message}`;
  else if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
    line = `the history database ${file} is locked: another papo server (or another program) is using it; stop it or use another --data-dir`;
  else if (code.startsWith('SQLITE_NOTADB') || code.startsWith('SQLITE_CORRUPT'))
    line = `the history database ${file} is damaged or not an SQLite database (${message}); move it away to start a new history, or use --no-history`;
  else if (code.startsWith('SQLITE_FULL'))
    line = `the history database ${file} cannot grow: the disk is full; free some space or use --no-history`;
  else if (
    code.startsWith('SQLITE_CANTOPEN') ||
    code.startsWith('SQLITE_READONLY') ||
    code.startsWith('SQLITE_PERM') ||
    code.startsWith('SQLITE_AUTH')
  )
    line = `cannot write the history database ${file} (${message}); check the permissions of the data directory (--data-dir), or use --no-history`;
  else line = `cannot open the history database ${file}: ${code ? `${code}: ` : ''}${message}`;
  return new HistoryOpenError(line, { cause: err });
}

function prepareStatements(db: Database.Database) {
  return {
    setNextId: db.prepare("UPDATE meta SET value = ? WHERE key = 'next_event_id'"),
    recent: db.prepare(`SELECT ${COLUMNS} FROM messages ORDER BY id DESC LIMIT ?`),
    before: db.prepare(`SELECT ${COLUMNS} FROM messages WHERE id < ? ORDER BY id DESC LIMIT ?`),
    search: db.prepare(
      `SELECT m.id, m.ts, m.kind, m.sender, m.text FROM messages_fts
       JOIN messages m ON m.id = messages_fts.rowid
       WHERE messages_fts MATCH ? ORDER BY messages_fts.rank, m.id DESC LIMIT ?`,
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
  };
}

/**
 * Message history in one SQLite file (WAL mode, held exclusively by this process). Public
 * messages handed to `record` are buffered and committed together by `flush`, which the
 * server runs once per event-loop turn before any output is written: whatever was delivered
 * or acknowledged is committed first, so it survives the process being killed.
 */
export class SqliteHistory implements Journal, HistorySource {
  /** Called when a commit or a pruning step fails; the store keeps working. */
  onFailure: ((failure: StoreFailure) => void) | null = null;
  /** The id the next event will get, read at each commit so ids are never reused after a restart. */
  nextIdSource: (() => number) | null = null;

  private pending: HistoryRecord[] = [];
  private persistedNextId: number;
  /** The value of meta.next_event_id as committed. */
  private metaNextId: number;
  private readonly inserts: Database.Statement[] = [];
  private readonly walSync: WalSync;
  private count: number;
  private indexedUpTo: number;
  private maintenanceTimer: NodeJS.Timeout | null = null;
  private maintenanceStep: NodeJS.Immediate | null = null;
  private readonly commitBatch: (records: HistoryRecord[], nextId: number) => void;
  private readonly indexBatch: (from: number, limit: number) => number | null;
  private readonly statements: ReturnType<typeof prepareStatements>;

  private constructor(
    private readonly db: Database.Database,
    private readonly options: SqliteHistoryOptions,
  ) {
    this.statements = prepareStatements(db);
    this.walSync = new WalSync(`${db.name}-wal`);
    const meta = db.prepare("SELECT value FROM meta WHERE key = 'next_event_id'").pluck().get() as number;
    const maxId = (db.prepare('SELECT max(id) FROM messages').pluck().get() as number | null) ?? 0;
    this.persistedNextId = Math.max(meta, maxId + 1);
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
      const { setNextId } = this.statements;
      for (let at = 0; at < records.length; at += INSERT_CHUNK_ROWS) {
        const n = Math.min(INSERT_CHUNK_ROWS, records.length - at);
        this.insertStatement(n).run(insertParams(records, at, n));
      }
      // The highest stored id already says where ids continue (see the constructor): the meta row
      // is rewritten only when ids were used after it by events that are not stored.
      const last = records[records.length - 1];
      if (nextId > Math.max(this.metaNextId, last ? last.id + 1 : 0)) {
        setNextId.run(nextId);
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
   * Opens (creating if needed) the history database at `file` and migrates it to the current
   * schema. Throws HistoryOpenError, whose message says what is wrong, when the file is damaged,
   * locked by another server, or cannot be written.
   */
  static open(file: string, options: SqliteHistoryOptions = {}): SqliteHistory {
    let db: Database.Database | undefined;
    try {
      // timeout 0: a database held by another server is an error at once, not a wait.
      db = new Database(file, { timeout: 0 });
      // EXCLUSIVE before WAL: no shared-memory index, and the lock, once taken, is held until
      // close, so a second server on the same file fails at start.
      db.pragma('locking_mode = EXCLUSIVE');
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') throw new Error(`cannot switch to WAL mode (journal mode is ${String(mode)})`);
      // In WAL mode NORMAL loses nothing when the process dies, only (rarely) on power loss.
      db.pragma('synchronous = NORMAL');
      // Checkpoint (copy the WAL back, with an fsync) every ~40 MB instead of every ~4 MB: the
      // commit that triggers it stalls the event loop, and each commit rewrites the same hot
      // pages, so fewer checkpoints copy far fewer pages (measured: 30% less time committing,
      // half as many commits over 1 ms; the WAL file stays at up to ~40 MB).
      db.pragma('wal_autocheckpoint = 10000');
      if (options.maxPages) db.pragma(`max_page_count = ${Math.floor(options.maxPages)}`);
      migrate(db);
      db.exec('BEGIN IMMEDIATE; COMMIT');
      return new SqliteHistory(db, options);
    } catch (err) {
      try {
        db?.close();
      } catch {
        // the open error is the one worth reporting
      }
      throw openFailure(file, err);
    }
  }

  /** Journal: buffers a public message or action until the next flush. Other events are not stored. */
  record(event: PublicEvent): void {
    if (event.type !== 'message' && event.type !== 'action') return;
    this.pending.push({ type: event.type, id: event.id, ts: event.ts, from: event.from, text: event.text });
  }

  /** Messages recorded and not yet committed. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /**
   * Commits what was recorded since the last flush in one transaction. On failure the batch is
   * dropped (it was relayed but is not stored), `onFailure` is told, and false is returned.
   */
  flush(): boolean {
    const nextId = this.nextIdSource?.() ?? 0;
    if (this.pending.length === 0 && nextId <= this.persistedNextId) return true;
    const records = this.pending;
    this.pending = [];
    try {
      this.commitBatch(records, nextId);
    } catch (err) {
      this.onFailure?.({ error: err as Error, reason: failureReason(err), lost: records });
      return false;
    }
    this.count += records.length;
    const last = records[records.length - 1];
    this.persistedNextId = Math.max(this.persistedNextId, nextId, last ? last.id + 1 : 0);
    return true;
  }

  /** The id to give the next event: above every id this database has seen. */
  nextEventId(): number {
    return this.persistedNextId;
  }

  /** Messages stored (committed). */
  get size(): number {
    return this.count;
  }

  recent(limit: number): HistoryResult {
    return this.read(() => this.statements.recent.all(limit) as Row[], true);
  }

  before(id: number, limit: number): HistoryResult {
    return this.read(() => this.statements.before.all(id, limit) as Row[], true);
  }

  search(query: string, limit: number): HistoryResult {
    const match = ftsQuery(query);
    if (match === null) return { ok: true, records: [] };
    return this.read(() => {
      // The index trails the commits by up to a second: catch up, so search sees everything.
      let more = true;
      while (more) more = this.index();
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

  /** Committed messages not yet in the full-text index. */
  get unindexedCount(): number {
    return this.db
      .prepare('SELECT count(*) FROM messages WHERE id > ?')
      .pluck()
      .get(this.indexedUpTo) as number;
  }

  /**
   * One retention step: deletes at most PRUNE_BATCH_ROWS of the oldest messages beyond
   * `maxMessages` and at most as many older than `maxDays`. Returns true when more are due.
   */
  prune(now: number = Date.now()): boolean {
    const { maxMessages = 0, maxDays = 0 } = this.options;
    let more = false;
    try {
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
    } catch (err) {
      this.onFailure?.({ error: err as Error, reason: failureReason(err), lost: [] });
      return false;
    }
    return more;
  }

  /**
   * Background upkeep, one small step per event-loop turn so the server never stalls: every
   * `intervalMs` (and now), writes the WAL out to disk off the event loop (WalSync), indexes
   * new messages for search, then applies retention.
   */
  startMaintenance(intervalMs = 1000): void {
    if (this.maintenanceTimer) return;
    const step = () => {
      this.maintenanceStep = null;
      let more: boolean;
      try {
        more = this.index() || this.prune();
      } catch (err) {
        this.onFailure?.({ error: err as Error, reason: failureReason(err), lost: [] });
        more = false;
      }
      if (more) {
        this.maintenanceStep = setImmediate(step);
        this.maintenanceStep.unref();
      }
    };
    this.maintenanceTimer = setInterval(() => {
      this.walSync.sync();
      if (!this.maintenanceStep) step();
    }, intervalMs);
    this.maintenanceTimer.unref();
    step();
  }

  /** Commits what is pending, stops the upkeep and closes the database (releasing its lock). */
  close(): void {
    if (this.maintenanceTimer) clearInterval(this.maintenanceTimer);
    if (this.maintenanceStep) clearImmediate(this.maintenanceStep);
    this.maintenanceTimer = this.maintenanceStep = null;
    if (!this.db.open) return;
    this.flush();
    this.db.close();
    this.walSync.close();
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

  /** Runs a query, committing what is pending first when asked (so a replay sees this turn's messages). */
  private read(query: () => Row[], oldestFirst: boolean): HistoryResult {
    this.flush();
    try {
      const rows = query().map(toRecord);
      return { ok: true, records: oldestFirst ? rows.reverse() : rows };
    } catch (err) {
      return { ok: false, reason: failureReason(err) };
    }
  }
}
