import type Database from 'better-sqlite3';
import type { HistoryRecord } from '../core/events.js';

/** The SQL the history worker runs (history-db.ts), prepared once per database. */

/**
 * A search ranks the newest this many matches in the rooms searched, not all: ranking costs ~1 µs
 * a match, and a word in every other message would make one `/search` stall the worker for as
 * long as the history is big (measured, 200k messages, a word in 73k of them: 77 ms ranking all,
 * 7 ms the newest 5,000). Matching itself is not bounded by this.
 */
export const SEARCH_RANKED_MATCHES = 5000;

/** A message as stored. */
export interface Row {
  id: number;
  ts: number;
  kind: string;
  sender: string;
  text: string;
  room: string;
}

export const COLUMNS = 'id, ts, kind, sender, text, room';
export const ROW_PARAMS = 6;

/**
 * Rows per INSERT statement: one statement per batch costs far less than one per row (binding
 * and stepping a statement has a fixed cost), and 64 rows stay far below SQLite's 32,766 parameters.
 */
export const INSERT_CHUNK_ROWS = 64;

/** A record as read back: its room is the stored key (SqliteHistory gives the display name). */
export function toRecord(row: Row): HistoryRecord {
  const type = row.kind === 'action' ? 'action' : 'message';
  return { type, id: row.id, ts: row.ts, room: row.room, from: row.sender, text: row.text };
}

export function prepareStatements(db: Database.Database) {
  return {
    setNextId: db.prepare("UPDATE meta SET value = ? WHERE key = 'next_event_id'"),
    roomBefore: db.prepare(
      `SELECT ${COLUMNS} FROM messages WHERE room = ? AND id < ? AND ts >= ? ORDER BY id DESC LIMIT ?`,
    ),
    // The matches in the rooms asked for, newest first: the join reads each match's room.
    search: db.prepare(
      `SELECT ${COLUMNS} FROM (
         SELECT f.rowid AS match_id, f.rank AS rank FROM messages_fts f JOIN messages m ON m.id = f.rowid
         WHERE messages_fts MATCH ? AND m.room IN (SELECT value FROM json_each(?)) AND m.ts >= ?
         ORDER BY f.rowid DESC LIMIT ${SEARCH_RANKED_MATCHES}
       ) JOIN messages ON id = match_id ORDER BY rank, id DESC LIMIT ?`,
    ),
    // Every room with messages, one index seek per room (a skip scan of `messages_room_id`).
    roomKeys: db
      .prepare(
        `WITH RECURSIVE r(room) AS (
           SELECT min(room) FROM messages
           UNION ALL SELECT (SELECT min(room) FROM messages WHERE room > r.room) FROM r WHERE r.room IS NOT NULL
         ) SELECT room FROM r WHERE room IS NOT NULL`,
      )
      .pluck(),
    lastIdIn: db.prepare('SELECT max(id) FROM messages WHERE room = ?').pluck(),
    rooms: db.prepare('SELECT key, name, topic, topic_by, topic_ts, saved_at FROM rooms'),
    // A save replayed from the journal never overwrites a newer one (RoomSave.stamp).
    saveRoom: db.prepare(
      `INSERT INTO rooms (key, name, topic, topic_by, topic_ts, saved_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET name = excluded.name, topic = excluded.topic,
         topic_by = excluded.topic_by, topic_ts = excluded.topic_ts, saved_at = excluded.saved_at
       WHERE excluded.saved_at >= rooms.saved_at`,
    ),
    firstId: db.prepare('SELECT min(id) FROM messages').pluck(),
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
