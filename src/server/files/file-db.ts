import Database from 'better-sqlite3';
import { nameKey } from '../../core/names.js';

/** An upload in progress: what was offered, by whom, to where. Its bytes are in `tmp/<token>`. */
export interface SlotRecord {
  token: string;
  name: string;
  size: number;
  sha256: string;
  sender: string;
  room: string | null;
  recipient: string | null;
  created: number;
  /** Last time bytes arrived (or the offer): a slot idle for a day is dropped. */
  touched: number;
}

/** A stored file, by its download token (the capability in its URL). */
export interface FileRecord {
  token: string;
  name: string;
  size: number;
  mime: string;
  sha256: string;
  sender: string;
  room: string | null;
  recipient: string | null;
  created: number;
  /** When it expires (ms since the epoch); 0: only --files-max-bytes removes it. */
  expires: number;
}

/** A stored file and the `file` event that announced it (null until it was delivered). */
export interface AnnouncedFileRecord extends FileRecord {
  event_id: number | null;
  event_ts: number | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS slots (
  token TEXT PRIMARY KEY, name TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL,
  sender TEXT NOT NULL, room TEXT, recipient TEXT, created INTEGER NOT NULL, touched INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS slots_touched ON slots (touched);
CREATE TABLE IF NOT EXISTS files (
  token TEXT PRIMARY KEY, name TEXT NOT NULL, size INTEGER NOT NULL, mime TEXT NOT NULL,
  sha256 TEXT NOT NULL, sender TEXT NOT NULL, room TEXT, recipient TEXT,
  created INTEGER NOT NULL, expires INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS files_sha256 ON files (sha256);
CREATE INDEX IF NOT EXISTS files_created ON files (created);
CREATE INDEX IF NOT EXISTS files_expires ON files (expires) WHERE expires > 0;
CREATE TABLE IF NOT EXISTS blobs (sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL) WITHOUT ROWID;
`;

/**
 * The files' metadata in its own SQLite file (`<data-dir>/files/files.db`): upload slots, file
 * records by token, and the stored contents (`blobs`) they point at, each once however many
 * records share it. Every call is one small indexed statement.
 */
export class FileDb {
  private readonly db: Database.Database;
  private readonly q;

  constructor(path: string) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
    this.addEventColumns();
    this.db.function('name_key', { deterministic: true }, (name: unknown) => nameKey(String(name)));
    const db = this.db;
    this.q = {
      addSlot: db.prepare(
        'INSERT INTO slots VALUES (@token, @name, @size, @sha256, @sender, @room, @recipient, @created, @touched)',
      ),
      slot: db.prepare('SELECT * FROM slots WHERE token = ?'),
      touch: db.prepare('UPDATE slots SET touched = ? WHERE token = ?'),
      dropSlot: db.prepare('DELETE FROM slots WHERE token = ?'),
      staleSlots: db.prepare('SELECT token FROM slots WHERE touched < ?').pluck(),
      slotTokens: db.prepare('SELECT token FROM slots').pluck(),
      openSlots: db.prepare('SELECT COUNT(*) FROM slots WHERE name_key(sender) = ?').pluck(),
      addFile: db.prepare(
        'INSERT INTO files (token, name, size, mime, sha256, sender, room, recipient, created, expires) ' +
          'VALUES (@token, @name, @size, @mime, @sha256, @sender, @room, @recipient, @created, @expires)',
      ),
      announce: db.prepare(
        'UPDATE files SET event_id = ?, event_ts = ? WHERE token = ? AND event_id IS NULL',
      ),
      byEvent: db.prepare('SELECT * FROM files WHERE event_id = ?'),
      file: db.prepare('SELECT * FROM files WHERE token = ?'),
      dropFile: db.prepare('DELETE FROM files WHERE token = ?'),
      expired: db.prepare('SELECT token FROM files WHERE expires > 0 AND expires <= ?').pluck(),
      oldest: db.prepare('SELECT token FROM files ORDER BY created LIMIT 64').pluck(),
      refs: db.prepare('SELECT COUNT(*) FROM files WHERE sha256 = ?').pluck(),
      addBlob: db.prepare('INSERT OR IGNORE INTO blobs VALUES (?, ?)'),
      hasBlob: db.prepare('SELECT 1 FROM blobs WHERE sha256 = ?').pluck(),
      dropBlob: db.prepare('DELETE FROM blobs WHERE sha256 = ?'),
      blobs: db.prepare('SELECT sha256 FROM blobs').pluck(),
      totalBytes: db.prepare('SELECT COALESCE(SUM(size), 0) FROM blobs').pluck(),
    };
  }

  /**
   * The id and time of the `file` event that announced each file, so `file_lookup` finds it by
   * the id users saw (#14). Added to a files.db of any age, new or written before them.
   */
  private addEventColumns(): void {
    const columns = this.db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('files') as string[];
    if (columns.includes('event_id')) return;
    this.db.transaction(() => {
      this.db.exec(`ALTER TABLE files ADD COLUMN event_id INTEGER;
        ALTER TABLE files ADD COLUMN event_ts INTEGER;
        CREATE INDEX files_event_id ON files (event_id) WHERE event_id IS NOT NULL;`);
    })();
  }

  /** Notes the `file` event that announced the file of `token` (the first one counts). */
  announce(token: string, eventId: number, eventTs: number): void {
    this.q.announce.run(eventId, eventTs, token);
  }

  /** The file a `file` event announced, by the event's id. */
  byEvent(eventId: number): AnnouncedFileRecord | undefined {
    return this.q.byEvent.get(eventId) as AnnouncedFileRecord | undefined;
  }

  addSlot(slot: SlotRecord): void {
    this.q.addSlot.run(slot);
  }

  slot(token: string): SlotRecord | undefined {
    return this.q.slot.get(token) as SlotRecord | undefined;
  }

  touchSlot(token: string, now: number): void {
    this.q.touch.run(now, token);
  }

  dropSlot(token: string): void {
    this.q.dropSlot.run(token);
  }

  staleSlots(before: number): string[] {
    return this.q.staleSlots.all(before) as string[];
  }

  /** Upload slots open for the user whose name key (`nameKey`) is `key`. */
  openSlotsOf(key: string): number {
    return this.q.openSlots.get(key) as number;
  }

  slotTokens(): string[] {
    return this.q.slotTokens.all() as string[];
  }

  file(token: string): FileRecord | undefined {
    return this.q.file.get(token) as FileRecord | undefined;
  }

  /** Records a finished upload: its contents (if new), its record, and the slot gone, at once. */
  readonly storeFile = (file: FileRecord, slotToken: string): void => {
    this.db.transaction(() => {
      this.q.addBlob.run(file.sha256, file.size);
      this.q.addFile.run(file);
      this.q.dropSlot.run(slotToken);
    })();
  };

  hasBlob(sha256: string): boolean {
    return this.q.hasBlob.get(sha256) !== undefined;
  }

  /**
   * Removes a file record; returns its contents' hash when no record points at them any more
   * (the caller deletes the bytes), else null.
   */
  dropFile(token: string): string | null {
    return this.db.transaction(() => {
      const file = this.file(token);
      if (!file) return null;
      this.q.dropFile.run(token);
      if ((this.q.refs.get(file.sha256) as number) > 0) return null;
      this.q.dropBlob.run(file.sha256);
      return file.sha256;
    })();
  }

  expiredFiles(now: number): string[] {
    return this.q.expired.all(now) as string[];
  }

  oldestFiles(): string[] {
    return this.q.oldest.all() as string[];
  }

  blobHashes(): string[] {
    return this.q.blobs.all() as string[];
  }

  /** Bytes of every stored content, each counted once. */
  totalBytes(): number {
    return this.q.totalBytes.get() as number;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
