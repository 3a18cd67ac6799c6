import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import Database from 'better-sqlite3';
import { ftsQuery } from '../../src/store/fts-query.js';

test('any search text makes a query SQLite accepts, or none when it has no word', () => {
  const db = new Database(':memory:');
  db.exec("CREATE VIRTUAL TABLE f USING fts5(text, tokenize = 'unicode61 remove_diacritics 2')");
  db.prepare('INSERT INTO f (text) VALUES (?)').run('um texto qualquer com "aspas" e OR AND NEAR');
  const search = db.prepare('SELECT rowid FROM f WHERE f MATCH ?');
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (input) => {
      const query = ftsQuery(input);
      if (query === null) {
        assert.equal(input.trim().replace(/[\u0000-\u001f\u007f-\u009f]/g, '').length, 0);
        return;
      }
      search.all(query);
    }),
    { numRuns: 200 },
  );
  db.close();
});

test('a word found in a text is found whatever FTS syntax surrounds it', () => {
  const db = new Database(':memory:');
  db.exec("CREATE VIRTUAL TABLE f USING fts5(text, tokenize = 'unicode61 remove_diacritics 2')");
  db.prepare('INSERT INTO f (text) VALUES (?)').run('bolo de cenoura');
  const hits = (input: string) =>
    db.prepare('SELECT rowid FROM f WHERE f MATCH ?').all(ftsQuery(input)).length;
  assert.equal(hits('cenoura'), 1);
  assert.equal(hits('  BOLO   cenoura '), 1);
  assert.equal(hits('bolo chocolate'), 0, 'every word must match');
  db.close();
});
