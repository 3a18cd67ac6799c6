import Database from 'better-sqlite3';
import type { BanEntry, MuteEntry } from '../core/events.js';
import type { ModerationStore, RoomOpGrant } from '../core/moderation/index.js';
import { nameKey } from '../core/names.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS bans (
  id INTEGER PRIMARY KEY,
  target TEXT NOT NULL,
  name TEXT,
  masks TEXT NOT NULL,
  by TEXT NOT NULL,
  reason TEXT NOT NULL,
  ts INTEGER NOT NULL,
  until INTEGER
);
CREATE TABLE IF NOT EXISTS mutes (
  key TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  by TEXT NOT NULL,
  reason TEXT NOT NULL,
  ts INTEGER NOT NULL,
  until INTEGER
);
CREATE TABLE IF NOT EXISTS room_ops (
  room_key TEXT NOT NULL,
  account TEXT NOT NULL,
  PRIMARY KEY (room_key, account)
);`;

interface BanRow {
  id: number;
  target: string;
  name: string | null;
  masks: string;
  by: string;
  reason: string;
  ts: number;
  until: number | null;
}

/**
 * Bans, mutes and account room-operator grants in their own SQLite file (`<data-dir>/moderation.db`),
 * apart from message history so they hold with `--no-history`. Writes are an operator's rare
 * actions: each is one small synchronous transaction, durable before the notice goes out.
 */
export class SqliteModerationStore implements ModerationStore {
  private constructor(private readonly db: Database.Database) {}

  /** Opens (creating if need be) the database at `file`; throws with SQLite's reason when it cannot. */
  static open(file: string): SqliteModerationStore {
    const db = new Database(file, { timeout: 2000 });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(SCHEMA);
    return new SqliteModerationStore(db);
  }

  load(): { bans: BanEntry[]; mutes: MuteEntry[]; roomOps: RoomOpGrant[] } {
    const bans = (this.db.prepare('SELECT * FROM bans ORDER BY id').all() as BanRow[]).map((r) => ({
      ...r,
      masks: r.masks === '' ? [] : r.masks.split(','),
    }));
    const mutes = this.db
      .prepare('SELECT name, by, reason, ts, until FROM mutes ORDER BY ts')
      .all() as MuteEntry[];
    const roomOps = this.db
      .prepare('SELECT room_key AS roomKey, account FROM room_ops')
      .all() as RoomOpGrant[];
    return { bans, mutes, roomOps };
  }

  addBan(b: BanEntry): void {
    this.db
      .prepare(
        'INSERT OR REPLACE INTO bans (id, target, name, masks, by, reason, ts, until) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(b.id, b.target, b.name, b.masks.join(','), b.by, b.reason, b.ts, b.until);
  }

  removeBans(ids: number[]): void {
    const del = this.db.prepare('DELETE FROM bans WHERE id = ?');
    this.db.transaction(() => {
      for (const id of ids) del.run(id);
    })();
  }

  putMute(m: MuteEntry): void {
    this.db
      .prepare('INSERT OR REPLACE INTO mutes (key, name, by, reason, ts, until) VALUES (?, ?, ?, ?, ?, ?)')
      .run(nameKey(m.name), m.name, m.by, m.reason, m.ts, m.until);
  }

  removeMute(key: string): void {
    this.db.prepare('DELETE FROM mutes WHERE key = ?').run(key);
  }

  putRoomOp(g: RoomOpGrant): void {
    this.db
      .prepare('INSERT OR IGNORE INTO room_ops (room_key, account) VALUES (?, ?)')
      .run(g.roomKey, g.account);
  }

  removeRoomOp(g: RoomOpGrant): void {
    this.db.prepare('DELETE FROM room_ops WHERE room_key = ? AND account = ?').run(g.roomKey, g.account);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
