import { closeSync, existsSync, fsyncSync, openSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import Database from 'better-sqlite3';
import type { HistoryRecord } from '../core/events.js';
import { EmptiedDatabaseError } from './failures.js';
import {
  COLUMNS,
  INSERT_CHUNK_ROWS,
  prepareStatements,
  ROW_PARAMS,
  toRecord,
  type Row,
} from './history-sql.js';
import type { RoomSave } from './journal-codec.js';
import { RoomKeys } from './room-keys.js';
import { migrate, type MigrationContext } from './schema.js';

/** Rows deleted per retention step: small, so pruning never holds up the commits for long. */
export const PRUNE_BATCH_ROWS = 500;
/**
 * Rows added to the full-text index per step (a few milliseconds of work). Each step writes one
 * FTS5 segment that later merges rewrite; measured over 200k messages, 1000 rows per step cost
 * ~35% less per row than 500 and stalled less at the longest (~12 ms, merges included; 2000:
 * about as cheap, but most steps over 5 ms).
 */
export const INDEX_BATCH_ROWS = 1000;
const DAY_MS = 86_400_000;

export interface HistoryDbOptions {
  /** Keep at most this many messages, all rooms together (0: no limit). */
  maxMessages?: number;
  /** Drop messages older than this many days (0: no limit). */
  maxDays?: number;
  /** Largest database size in pages (SQLite `max_page_count`): a quota, and how tests fill the "disk". */
  maxPages?: number;
}

/** A room as the database keeps it, with its key. */
export type StoredRoom = RoomSave & { key: string };

/** Where a database sits and what its server is set to. */
export interface HistoryDbOpen extends HistoryDbOptions, MigrationContext {
  /** The journal files beside it: their presence says a history was kept here. */
  journalFiles: string[];
}

/**
 * Refuses a zero-byte database file that had a history (#18): SQLite would take it for a new,
 * empty one, hiding every message and giving event ids again from 1. In WAL mode a database
 * always has its header on disk before any journal file exists (SqliteHistory opens those only
 * after the database), so a zero-byte file beside a journal or a write-ahead log was emptied.
 */
function refuseEmptied(file: string, journalFiles: string[]): void {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return; // no file: a new history (moving papo.db away is how one starts afresh)
  }
  if (size > 0) return;
  const wal = `${file}-wal`;
  const signs = journalFiles.filter((f) => existsSync(f));
  if (existsSync(wal) && statSync(wal).size > 0) signs.push(wal);
  if (signs.length > 0) throw new EmptiedDatabaseError(signs.map((f) => basename(f)).join(' and '));
}

/**
 * The history database itself: one SQLite connection in WAL mode, held exclusively. Only the
 * history worker uses it (history-worker.ts); SqliteHistory is what the server sees. Records it
 * gives back name their room by its key.
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
  private readonly keys = new RoomKeys();
  private readonly commitBatch: (records: HistoryRecord[], rooms: RoomSave[], nextId: number) => number;
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
    this.commitBatch = db.transaction((records: HistoryRecord[], rooms: RoomSave[], nextId: number) => {
      let added = 0;
      for (let at = 0; at < records.length; at += INSERT_CHUNK_ROWS) {
        const n = Math.min(INSERT_CHUNK_ROWS, records.length - at);
        // Spread, not an array: better-sqlite3 reads an array's values one property lookup at a
        // time (measured: 0.3 µs a message more, of ~2).
        added += this.insertStatement(n).run(...this.insertParams(records, at, n)).changes;
      }
      for (const r of rooms)
        this.statements.saveRoom.run(this.keyOf(r.name), r.name, r.topic, r.topicBy, r.topicTs, r.stamp);
      // The highest stored id already says where ids continue (see the constructor): the meta row
      // is rewritten only when ids were used after it by events that are not stored.
      const last = records[records.length - 1];
      if (nextId > Math.max(this.metaNextId, last ? last.id + 1 : 0)) {
        this.statements.setNextId.run(nextId);
        this.metaNextId = nextId;
      }
      return added;
    });
  }

  /** The key a room is stored under. */
  keyOf(room: string): string {
    return this.keys.of(room);
  }

  /** The parameters of `n` records from `at`, flattened for a multi-row INSERT. */
  private insertParams(records: HistoryRecord[], at: number, n: number): unknown[] {
    const params = new Array<unknown>(n * ROW_PARAMS);
    for (let i = 0, p = 0; i < n; i++) {
      const r = records[at + i] as HistoryRecord;
      params[p++] = r.id;
      params[p++] = r.ts;
      params[p++] = r.type;
      params[p++] = r.from;
      params[p++] = r.text;
      params[p++] = this.keyOf(r.room);
    }
    return params;
  }

  /**
   * The INSERT of `rows` rows in one statement, prepared once per size. `OR IGNORE`: a record
   * stored already (a batch committed again after an error was reported) is not stored twice.
   */
  private insertStatement(rows: number): Database.Statement {
    let statement = this.inserts[rows];
    if (!statement) {
      const values = Array.from({ length: rows }, () => '(?, ?, ?, ?, ?, ?)').join(', ');
      statement = this.db.prepare(`INSERT OR IGNORE INTO messages (${COLUMNS}) VALUES ${values}`);
      this.inserts[rows] = statement;
    }
    return statement;
  }

  /**
   * Opens (creating if needed) the database at `file`, takes its lock and migrates it to the
   * current schema; throws SQLite's error (or a SchemaError, or an EmptiedDatabaseError) when it
   * cannot.
   */
  static open(file: string, options: HistoryDbOpen): HistoryDb {
    refuseEmptied(file, options.journalFiles);
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
      migrate(db, options);
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
   * Stores `records`, the `rooms` saved and where ids continue (`nextId`, 0: only past the
   * records) in one transaction; throws, storing nothing, when it cannot (SQLITE_FULL).
   */
  commit(records: HistoryRecord[], rooms: RoomSave[], nextId: number): void {
    this.count += this.commitBatch(records, rooms, nextId);
    const last = records[records.length - 1];
    if (last) this.lastStoredId = Math.max(this.lastStoredId, last.id);
    this.persistedNextId = Math.max(this.persistedNextId, nextId, last ? last.id + 1 : 0);
  }

  /**
   * The journal's records this database does not have, in id order: ids from nextId on (lower
   * ones were stored, refused, or deleted by retention).
   */
  notStored(records: HistoryRecord[]): HistoryRecord[] {
    const byId = new Map<number, HistoryRecord>();
    for (const r of records) if (r.id >= this.persistedNextId) byId.set(r.id, r);
    return [...byId.values()].sort((a, b) => a.id - b.id);
  }

  /**
   * The newest `limit` messages of the room with key `key` with an id below `before` and a time
   * from `minTs` on, oldest first.
   */
  roomBefore(key: string, before: number, limit: number, minTs: number): HistoryRecord[] {
    const rows = this.statements.roomBefore.all(key, before, minTs, limit) as Row[];
    return rows.map(toRecord).reverse();
  }

  /**
   * Messages of the rooms with keys `keys` (from `minTs` on) matching the FTS5 query `match` (see
   * ftsQuery), best first of their newest SEARCH_RANKED_MATCHES.
   */
  search(match: string, keys: string[], limit: number, minTs: number): HistoryRecord[] {
    // The index trails the commits by up to a second: catch up, so search sees everything.
    while (this.index());
    const rows = this.statements.search.all(match, JSON.stringify(keys), minTs, limit) as Row[];
    return rows.map(toRecord);
  }

  /** The keys of the rooms with messages, the most recently active first. */
  roomsByActivity(): string[] {
    const keys = this.statements.roomKeys.all() as string[];
    const last = new Map(keys.map((k) => [k, this.statements.lastIdIn.get(k) as number]));
    return keys.sort((a, b) => (last.get(b) as number) - (last.get(a) as number));
  }

  /** Every room saved. */
  savedRooms(): StoredRoom[] {
    type RoomRow = {
      key: string;
      name: string;
      topic: string;
      topic_by: string;
      topic_ts: number;
      saved_at: number;
    };
    return (this.statements.rooms.all() as RoomRow[]).map((r) => ({
      key: r.key,
      name: r.name,
      topic: r.topic,
      topicBy: r.topic_by,
      topicTs: r.topic_ts,
      stamp: r.saved_at,
    }));
  }

  /**
   * One indexing step: adds at most `limit` committed messages to the full-text index, which
   * is kept out of the commit path (FTS5 is costly per small transaction, cheap in batches).
   * Returns true when it indexed something (more may be due).
   */
  index(limit = INDEX_BATCH_ROWS): boolean {
    const end = this.indexBatch(this.indexedUpTo, limit);
    // Advanced only once the transaction has committed: a failed step is simply retried.
    if (end === null) {
      // Nothing stored above it (retention may have deleted what was): the rest is indexed.
      this.indexedUpTo = Math.max(this.indexedUpTo, this.lastStoredId);
      return false;
    }
    this.indexedUpTo = end;
    return true;
  }

  /** The id up to which everything this database was given is stored: where ids continue, less one. */
  get storedUpTo(): number {
    return this.persistedNextId - 1;
  }

  /** How many ids the full-text index trails the newest stored message by (no query: cheap). */
  get unindexedIds(): number {
    return Math.max(0, this.lastStoredId - this.indexedUpTo);
  }

  /** Committed messages not yet in the full-text index. */
  get unindexedCount(): number {
    return this.statements.unindexed.get(this.indexedUpTo) as number;
  }

  /**
   * Every message with an id up to this one is gone (deleted by retention, or never stored):
   * the smallest id stored, less one.
   */
  get goneUpTo(): number {
    const first = this.statements.firstId.get() as number | null;
    return first === null ? this.lastStoredId : first - 1;
  }

  /**
   * One retention step: deletes at most PRUNE_BATCH_ROWS of the oldest messages beyond
   * `maxMessages` and at most as many older than `maxDays`. Returns how many it deleted, and
   * whether more are due.
   */
  prune(now: number): { deleted: number; more: boolean } {
    const { maxMessages = 0, maxDays = 0 } = this.options;
    let more = false;
    let deleted = 0;
    if (maxMessages > 0 || maxDays > 0) this.saveNextId();
    if (maxMessages > 0 && this.count > maxMessages) {
      const n = Math.min(this.count - maxMessages, PRUNE_BATCH_ROWS);
      deleted += this.statements.pruneOldest.run(n).changes;
      more = this.count - deleted > maxMessages;
    }
    if (maxDays > 0) {
      const old = this.statements.pruneBefore.run(PRUNE_BATCH_ROWS, now - maxDays * DAY_MS).changes;
      deleted += old;
      more ||= old === PRUNE_BATCH_ROWS;
    }
    this.count -= deleted;
    return { deleted, more };
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

  /**
   * Copies the WAL into the database file and empties it: after a commit failed for lack of
   * space, this may give back room (the WAL holds many copies of the same hot pages, the
   * database file one). Throws when it cannot (disk full), changing nothing.
   */
  checkpoint(): void {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
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
}
