import type Database from 'better-sqlite3';

/**
 * The history schema, one migration per version; `PRAGMA user_version` holds the version a
 * database is at. Migrations only ever get appended: a released one never changes.
 */
export const MIGRATIONS: readonly string[] = [
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
];

/** The schema version this papo writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** A database this papo cannot use as it is. */
export class SchemaError extends Error {}

/** Brings a database up to SCHEMA_VERSION, one transaction per migration. */
export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new SchemaError(
      `it has schema version ${current}, written by a newer papo; this one knows up to version ${SCHEMA_VERSION}`,
    );
  }
  for (let version = current + 1; version <= SCHEMA_VERSION; version++) {
    const sql = MIGRATIONS[version - 1] as string;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version}`);
    })();
  }
}
