import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { IndexPacer } from '../../src/store/index-pacer.js';
import { SqliteHistory } from '../../src/store/index.js';
import { GERAL, ids, msg, openStore, search, until } from '../helpers/history-store.js';
import { tempDir } from '../helpers/temp.js';

const pacing = { busyPerSecond: 100, idleMs: 200, maxUnindexed: 1000 };

test('the pacer indexes at once while messages come slowly', () => {
  const pacer = new IndexPacer(pacing);
  assert.equal(pacer.due(0, 0), false, 'nothing to index');
  pacer.stored(100, 1000);
  assert.equal(pacer.due(100, 1001), true, '100 a second is not busy');
});

test('the pacer holds the index back while messages come fast, until a pause', () => {
  const pacer = new IndexPacer(pacing);
  pacer.stored(60, 1000);
  pacer.stored(60, 1050);
  assert.equal(pacer.due(120, 1060), false, '120 in a second is busy');
  assert.equal(pacer.idleIn(1060), 190);
  pacer.stored(60, 1100);
  assert.equal(pacer.due(180, 1299), false, 'the pause starts 200 ms after the last batch');
  assert.equal(pacer.due(180, 1300), true);
  pacer.stored(101, 2100);
  assert.equal(pacer.due(281, 2101), false, 'busy again in the next second');
  assert.equal(pacer.due(281, 4000), true, 'and a pause, later');
});

test('the pacer indexes past its bound however busy the store is', () => {
  const pacer = new IndexPacer(pacing);
  pacer.stored(5000, 1000);
  assert.equal(pacer.due(1000, 1001), false);
  assert.equal(pacer.due(1001, 1001), true);
});

test('the pacer forgets a busy second once two have passed', () => {
  const pacer = new IndexPacer({ ...pacing, idleMs: 60_000 });
  pacer.stored(500, 1000);
  assert.equal(pacer.due(500, 1999), false);
  assert.equal(pacer.due(500, 2500), false, 'the second before was busy');
  assert.equal(pacer.due(500, 3000), true);
});

test('while the store is busy, search finds messages not yet indexed', async (t) => {
  const file = join(tempDir(t, 'papo-store-'), 'papo.db');
  const store = openStore(t, file, { indexPacing: { busyPerSecond: 0, idleMs: 60_000 } });
  store.startMaintenance(60_000);
  for (let id = 1; id <= 3; id++) store.record(msg(id, `palavra${id} comum`));
  store.flush();
  assert.equal(store.size, 3);
  assert.equal(store.unindexedCount, 3, 'busy: the index waits for a pause');
  assert.deepEqual(ids(await search(store, [GERAL], 'palavra2', 5)), [2]);
  assert.deepEqual(ids(await search(store, [GERAL], 'comum', 5)).sort(), [1, 2, 3]);
  assert.equal(store.unindexedCount, 0, 'a search brings the index up to date first');
});

test('the index catches up in a pause, and at once past its bound', async (t) => {
  const dir = tempDir(t, 'papo-store-');
  const paused = openStore(t, join(dir, 'a.db'), { indexPacing: { busyPerSecond: 0, idleMs: 20 } });
  paused.startMaintenance(60_000);
  for (let id = 1; id <= 3; id++) paused.record(msg(id));
  paused.flush();
  await until(() => paused.unindexedCount === 0, 'the pause to index');

  const bounded = openStore(t, join(dir, 'b.db'), {
    indexPacing: { busyPerSecond: 0, idleMs: 60_000, maxUnindexed: 5 },
  });
  bounded.startMaintenance(60_000);
  for (let id = 1; id <= 3; id++) bounded.record(msg(id));
  bounded.flush();
  assert.equal(bounded.unindexedCount, 3, 'within the bound: waits');
  for (let id = 4; id <= 9; id++) bounded.record(msg(id));
  bounded.flush();
  await until(() => bounded.unindexedCount === 0, 'the index past its bound');
});

test('messages stored but not indexed when the server died are indexed after the next start', async (t) => {
  const file = join(tempDir(t, 'papo-store-'), 'papo.db');
  const busy = { busyPerSecond: 0, idleMs: 60_000 };
  const first = SqliteHistory.open(file, { indexPacing: busy });
  first.startMaintenance(60_000);
  for (let id = 1; id <= 5; id++) first.record(msg(id, `antes${id} texto`));
  first.flush();
  assert.equal(first.size, 5);
  first.close(); // nothing indexed: as if killed during a burst
  const db = new Database(file, { readonly: true });
  const indexed = db.prepare("SELECT value FROM meta WHERE key = 'fts_indexed_id'").pluck().get();
  db.close();
  assert.equal(indexed, 0, 'the database says what is not indexed');

  const again = openStore(t, file);
  again.startMaintenance(60_000);
  await until(() => again.unindexedCount === 0, 'the tail to be indexed');
  assert.deepEqual(ids(await search(again, [GERAL], 'antes4', 5)), [4]);
  assert.deepEqual(ids(await search(again, [GERAL], 'texto', 10)).sort(), [1, 2, 3, 4, 5]);
});
