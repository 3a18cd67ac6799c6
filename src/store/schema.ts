import type Database from 'better-sqlite3';
import { roomKey } from '../core/names.js';

/** What a migration may depend on besides the database: the server's settings at the time. */
export interface MigrationContext {
  /** The server's default room (`--default-room`), as spelled there. */
  defaultRoom: string;
}

/** A migration's SQL, or a function giving it for the settings of the server that migrates. */
export type Migration = string | ((context: MigrationContext) => string);

/** `s` as an SQL string literal. */
const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * The history schema, one migration per version; `PRAGMA user_version` holds the version a
 * database is at. Migrations only ever get appended: a released one never changes.
 */
export const MIGRATIONS: readonly Migration[] = [
  // 1: public messages and /me actions, a full-text index over their texts, and the event id
  // high-water mark (private messages, joins and renames take ids too but are not stored).
  `
  CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    ts INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('message', 'action')),
    sender TEXT NOT NULL,
    text TEXT NOT NULL
  ) STRICT;
  CREATE VIRTUAL TABLE messages_fts USING fts5(
    text,
    content = 'messages',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
  );
  CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, text) VALUES (new.id, new.text);
  END;
  CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
  END;
  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL
  ) STRICT;
  INSERT INTO meta (key, value) VALUES ('next_event_id', 1);
  `,
  // 2: the full-text index is no longer updated by a trigger in the commit path (FTS5 costs far
  // more per small transaction than the insert itself) but in large background batches up to
  // meta.fts_indexed_id; deleting a row removes it from the index only if it was indexed.
  `
  DROP TRIGGER messages_fts_insert;
  DROP TRIGGER messages_fts_delete;
  INSERT INTO meta (key, value) SELECT 'fts_indexed_id', coalesce(max(id), 0) FROM messages;
  CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
  WHEN old.id <= (SELECT value FROM meta WHERE key = 'fts_indexed_id') BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
  END;
  `,
  // 3: rooms (#12). Each message belongs to a room, stored by its key (`roomKey`); the messages
  // stored before rooms existed belong to the default room of the server that migrates, for good:
  // the column's default says so without rewriting a row, and a later --default-room does not
  // move them. `(room, id)` serves a room's newest messages and its pages. The rooms table keeps
  // each room's spelling and topic across restarts; `saved_at` orders saves (RoomSave.stamp).
  ({ defaultRoom }) => `
  ALTER TABLE messages ADD COLUMN room TEXT NOT NULL DEFAULT ${sqlString(roomKey(defaultRoom))};
  CREATE INDEX messages_room_id ON messages (room, id);
  CREATE TABLE rooms (
    key TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    topic TEXT NOT NULL,
    topic_by TEXT NOT NULL,
    topic_ts INTEGER NOT NULL,
    saved_at INTEGER NOT NULL
  ) STRICT, WITHOUT ROWID;
  INSERT INTO rooms (key, name, topic, topic_by, topic_ts, saved_at)
    SELECT ${sqlString(roomKey(defaultRoom))}, ${sqlString(defaultRoom)}, '', '', 0, 0
    WHERE EXISTS (SELECT 1 FROM messages);
  `,
  // 4: the full-text index keeps no token counts per message (`columnsize=0`, #17): indexing costs
  // ~30% less, and ranking counts a match's tokens from its text instead, which gives the same
  // bm25 scores. The index is built again from the first message, in the background (a search
  // indexes what trails first; the delete trigger skips what is not indexed yet).
  `
  DROP TABLE messages_fts;
  CREATE VIRTUAL TABLE messages_fts USING fts5(
    text,
    content = 'messages',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    columnsize = 0
  );
  UPDATE meta SET value = 0 WHERE key = 'fts_indexed_id';
  `,
];

/** The schema version this papo writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** A database this papo cannot use as it is. */
export class SchemaError extends Error {}

/** Brings a database up to SCHEMA_VERSION, one transaction per migration. */
export function migrate(db: Database.Database, context: MigrationContext): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new SchemaError(
      `it has schema version ${current}, written by a newer papo; this one knows up to version ${SCHEMA_VERSION}`,
    );
  }
  for (let version = current + 1; version <= SCHEMA_VERSION; version++) {
    const migration = MIGRATIONS[version - 1] as Migration;
    const sql = typeof migration === 'string' ? migration : migration(context);
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version}`);
    })();
  }
}
