import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { FileDb } from '../../src/server/files/file-db.js';

test('a files.db written before event ids gains them and keeps its files', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'papo-filedb-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'files.db');
  const old = new Database(path);
  old.exec(`CREATE TABLE files (
    token TEXT PRIMARY KEY, name TEXT NOT NULL, size INTEGER NOT NULL, mime TEXT NOT NULL,
    sha256 TEXT NOT NULL, sender TEXT NOT NULL, room TEXT, recipient TEXT,
    created INTEGER NOT NULL, expires INTEGER NOT NULL)`);
  old
    .prepare("INSERT INTO files VALUES ('tok', 'a.txt', 1, 'text/plain', ?, 'ana', '#geral', NULL, 5, 0)")
    .run('a'.repeat(64));
  old.close();

  const db = new FileDb(path);
  t.after(() => db.close());
  assert.equal(db.file('tok')?.name, 'a.txt');
  assert.equal(db.byEvent(42), undefined);
  db.announce('tok', 42, 1000);
  db.announce('tok', 43, 2000); // the first announcement counts
  const found = db.byEvent(42);
  assert.equal(found?.token, 'tok');
  assert.equal(found?.event_ts, 1000);
  assert.equal(db.byEvent(43), undefined);
  // Opening it again adds nothing twice.
  db.close();
  const again = new FileDb(path);
  assert.equal(again.byEvent(42)?.token, 'tok');
  again.close();
});
