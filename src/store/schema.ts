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
