import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { HistoryRecord, PublicEvent } from '../../src/core/events.js';
import type { HistoryResult } from '../../src/core/history.js';
import {
  HistoryOpenError,
  PRUNE_BATCH_ROWS,
  MIGRATIONS,
  SCHEMA_VERSION,
  SEARCH_RANKED_MATCHES,
  SqliteHistory,
  type SqliteHistoryOptions,
  type StoreFailure,
} from '../../src/store/index.js';
import { tempDir } from '../helpers/temp.js';

const DAY_MS = 86_400_000;

function openStore(
  t: { after(fn: () => void): void },
  file: string,
  options?: SqliteHistoryOptions,
): SqliteHistory {
  const store = SqliteHistory.open(file, options);
  t.after(() => store.close());
  return store;
}

function say(id: number, text: string, from = 'ana', ts = 1_764_000_000_000 + id): PublicEvent {
  return { type: 'message', id, ts, from, text };
}

function records(result: HistoryResult): HistoryRecord[] {
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result.records;
}

const ids = (result: HistoryResult) => records(result).map((r) => r.id);

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

test('keeps messages and actions across a close and reopen, with their ids, times and senders', (t) => {
  const file = join(tempDir(t, 'papo-store-'), 'papo.db');
  const first = SqliteHistory.open(file);
  first.record(say(1, 'oi'));
  first.record({ type: 'action', id: 2, ts: 5000, from: 'bob', text: 'acena' });
  assert.equal(first.flush(), true);
  first.close();
  const again = openStore(t, file);
  assert.deepEqual(records(again.recent(10)), [
    { type: 'message', id: 1, ts: 1_764_000_000_001, from: 'ana', text: 'oi' },
    { type: 'action', id: 2, ts: 5000, from: 'bob', text: 'acena' },
  ]);
});

test('stores no joins, leaves or renames, only what users said', (t) => {
  const store = openStore(t, join(tempDir(t, 'papo-store-'), 'papo.db'));
  store.record({ type: 'join', id: 1, ts: 1, name: 'ana' });
  store.record({ type: 'nick', id: 2, ts: 2, old: 'ana', new: 'bia' });
  store.record(say(3, 'oi', 'bia'));
  store.record({ type: 'leave', id: 4, ts: 4, name: 'bia', reason: 'quit' });
  store.flush();
  assert.deepEqual(ids(store.recent(10)), [3]);
  assert.equal(store.size, 1);
});

test('continues event ids above every id seen, stored or not', (t) => {
  const file = join(tempDir(t, 'papo-store-'), 'papo.db');
  const first = SqliteHistory.open(file);
  assert.equal(first.nextEventId(), 1);
  let next = 1;
  first.nextIdSource = () => next;
  first.record(say(7, 'oi'));
  next = 8;
  first.flush();
  assert.equal(first.nextEventId(), 8);
  // A private message (id 8) and a join (id 9) are not stored, but their ids are used.
  next = 10;
  first.flush();
  first.close();
  const again = openStore(t, file);
  assert.equal(again.nextEventId(), 10);
});

test('continues event ids above messages that retention deleted, after a restart', (t) => {
  const file = join(tempDir(t, 'papo-store-'), 'papo.db');
  const now = 100 * DAY_MS;
  const first = SqliteHistory.open(file, { maxDays: 1 });
  let next = 1;
  first.nextIdSource = () => next;
  for (let id = 1; id <= 5; id++) first.record(say(id, `m${id}`, 'ana', now - 2 * DAY_MS));
  next = 6;
  first.flush();
  assert.equal(first.prune(now), false);
  assert.equal(first.size, 0, 'every message was too old');
  first.close();
  const again = openStore(t, file);
  assert.equal(again.nextEventId(), 6);
});

test('stores a large batch in one flush, every message in order', (t) => {
  const file = join(tempDir(t, 'papo-store-'), 'papo.db');
  const store = openStore(t, file);
  const total = 1000;
  for (let id = 1; id <= total; id++) {
    if (id % 3 === 0) store.record({ type: 'action', id, ts: id, from: `u${id % 7}`, text: `acena ${id}` });
    else store.record(say(id, `m${id}`, `u${id % 7}`, id));
  }
  assert.equal(store.flush(), true);
  assert.equal(store.size, total);
  const stored = records(store.recent(total));
  assert.deepEqual(
    stored.map((r) => r.id),
    Array.from({ length: total }, (_, i) => i + 1),
  );
  assert.deepEqual(stored[299], { type: 'action', id: 300, ts: 300, from: 'u6', text: 'acena 300' });
  assert.deepEqual(stored[997], { type: 'message', id: 998, ts: 998, from: 'u4', text: 'm998' });
});

test('commits nothing until flush, and a read commits what is pending first', (t) => {
  const file = join(tempDir(t, 'papo-store-'), 'papo.db');
  const store = openStore(t, file);
  store.record(say(1, 'oi'));
  assert.equal(store.pendingCount, 1);
  assert.deepEqual(ids(store.recent(5)), [1]);
  assert.equal(store.pendingCount, 0);
});

test('gives the newest N oldest first, and pages back before an id', (t) => {
  const store = openStore(t, join(tempDir(t, 'papo-store-'), 'papo.db'));
  for (let id = 1; id <= 30; id += 2) store.record(say(id, `m${id}`));
  store.flush();
  assert.deepEqual(ids(store.recent(3)), [25, 27, 29]);
  assert.deepEqual(ids(store.before(25, 3)), [19, 21, 23]);
  assert.deepEqual(ids(store.before(4, 3)), [1, 3]);
  assert.deepEqual(ids(store.before(1, 3)), []);
  assert.equal(records(store.recent(100)).length, 15);
});

test('search finds messages holding every word, best match first, ignoring case and accents', (t) => {
  const store = openStore(t, join(tempDir(t, 'papo-store-'), 'papo.db'));
  store.record(say(1, 'o café está pronto', 'ana'));
  store.record(say(2, 'cafe cafe cafe, mais café', 'bob'));
  store.record(say(3, 'chá pronto', 'cia'));
  store.record({ type: 'action', id: 4, ts: 4, from: 'dan', text: 'prepara um CAFÉ' });
  store.flush();
  const found = records(store.search('Cafe', 10));
  assert.deepEqual(found.map((r) => r.id).sort(), [1, 2, 4]);
  assert.equal(found[0]?.id, 2, 'the message that says café most often ranks first');
  assert.deepEqual(ids(store.search('café pronto', 10)), [1]);
  assert.deepEqual(ids(store.search('pronto', 1)).length, 1);
  assert.deepEqual(ids(store.search('nada', 10)), []);
});

test('search ranks the newest SEARCH_RANKED_MATCHES matches only, and finds rarer words anywhere', (t) => {
  const store = openStore(t, join(tempDir(t, 'papo-store-'), 'papo.db'));
  store.record(say(1, 'comum comum comum comum antigo')); // the best match of "comum", and the oldest
  for (let id = 2; id <= SEARCH_RANKED_MATCHES + 1; id++) store.record(say(id, `comum texto ${id}`));
  store.flush();
  const found = ids(store.search('comum', 100));
  assert.equal(found.length, 100);
  assert.ok(!found.includes(1), 'the oldest match is past the newest 5,000 and not ranked');
  assert.deepEqual(ids(store.search('antigo', 5)), [1]);
  const newest = SEARCH_RANKED_MATCHES + 2;
  store.record(say(newest, 'comum comum comum comum novo'));
  store.flush();
  assert.deepEqual(ids(store.search('comum', 1)), [newest], 'within them, the best match first');
});

test('searchLater answers later, from the event loop, seeing what was recorded before it', async (t) => {
  const store = openStore(t, join(tempDir(t, 'papo-store-'), 'papo.db'));
  store.record(say(1, 'bolo de cenoura'));
  let got: HistoryResult | undefined;
  const answer = new Promise<HistoryResult>((resolve) =>
    store.searchLater('cenoura', 5, (result) => resolve((got = result))),
  );
  assert.equal(got, undefined, 'not answered before it returns');
  store.record(say(2, 'mais cenoura')); // after the search: not in its answer
  store.flush();
  assert.deepEqual(ids(await answer), [1]);
  assert.deepEqual(ids(store.search('cenoura', 5)).sort(), [1, 2]);
  assert.deepEqual(await new Promise((resolve) => store.searchLater('  ', 5, resolve)), {
    ok: true,
    records: [],
  });
});

test('search takes FTS syntax in user input literally and never fails on it', (t) => {
  const store = openStore(t, join(tempDir(t, 'papo-store-'), 'papo.db'));
  store.record(say(1, 'use "NEAR" or OR AND * carefully: col:x'));
  store.flush();
  for (const query of [
    '"',
    'NEAR(',
    'OR',
    'AND OR NOT',
    '*',
    'col:x',
    '"unterminated',
    '(((',
    '^a',
    '-x',
    '   ',
  ]) {
    assert.ok(store.search(query, 5).ok, query);
  }
  assert.deepEqual(ids(store.search('OR', 5)), [1]);
  assert.deepEqual(ids(store.search('"near"', 5)), [1]);
});

test('retention keeps the newest --history-max-messages, deleting in small batches', (t) => {
  const store = openStore(t, join(tempDir(t, 'papo-store-'), 'papo.db'), { maxMessages: 10 });
  const total = PRUNE_BATCH_ROWS + 60;
  for (let id = 1; id <= total; id++) store.record(say(id, `m${id}`));
  store.flush();
  assert.equal(store.size, total);
  assert.equal(store.prune(), true, 'one step deletes one batch and says more is due');
  assert.equal(store.size, total - PRUNE_BATCH_ROWS);
  assert.equal(store.prune(), false);
  assert.equal(store.size, 10);
  assert.deepEqual(
    ids(store.recent(100)),
    Array.from({ length: 10 }, (_, i) => total - 9 + i),
  );
  assert.deepEqual(ids(store.search('m1', 5)), [], 'pruned messages leave the search index too');
  assert.equal(records(store.search(`m${total}`, 5)).length, 1);
});

test('retention drops messages older than --history-max-days', (t) => {
  const store = openStore(t, join(tempDir(t, 'papo-store-'), 'papo.db'), { maxDays: 2 });
  const now = 100 * DAY_MS;
  store.record(say(1, 'old', 'ana', now - 3 * DAY_MS));
  store.record(say(2, 'older than two days', 'ana', now - 2 * DAY_MS - 1));
  store.record(say(3, 'recent', 'ana', now - DAY_MS));
  store.record(say(4, 'now', 'ana', now));
  store.flush();
  assert.equal(store.prune(now), false);
  assert.deepEqual(ids(store.recent(10)), [3, 4]);
  assert.equal(store.size, 2);
});

test('a full disk drops the batch, reports it with the lost messages, and the store keeps working', async (t) => {
  const file = join(tempDir(t, 'papo-store-'), 'papo.db');
  const store = openStore(t, file, { maxPages: 40 });
  const failures: StoreFailure[] = [];
  store.onFailure = (f) => failures.push(f);
  const big = 'x'.repeat(1000);
  let id = 1;
  while (failures.length === 0 && id < 10_000) {
    store.record(say(id, big, id % 2 ? 'ana' : 'bob'));
    store.record(say(id + 1, big, 'cia'));
    store.flush();
    assert.ok(store.size >= 0); // waits until the worker has stored the batch, or failed to
    await nextTurn(); // a failure is reported right after the read that learnt of it
    id += 2;
  }
  assert.equal(failures.length, 1, 'the quota was reached');
  const failure = failures[0] as StoreFailure;
  assert.equal(failure.reason, 'the disk is full');
  assert.deepEqual(
    failure.lost.map((r) => r.id),
    [id - 2, id - 1],
  );
  const stored = records(store.recent(1000));
  assert.equal(stored.at(-1)?.id, id - 3, 'everything committed before is still there');
  assert.deepEqual(ids(store.recent(2)), [id - 4, id - 3], 'a replay leaves out what was lost');
  assert.ok(store.search('x', 1).ok);
});

test('refuses a file that is not an SQLite database, saying so', (t) => {
  const file = join(tempDir(t, 'papo-store-'), 'papo.db');
  writeFileSync(file, 'this is not a database\n'.repeat(200));
  assert.throws(
    () => SqliteHistory.open(file),
    (err: unknown) =>
      err instanceof HistoryOpenError &&
      err.message.includes(file) &&
      /damaged or not an SQLite database/.test(err.message),
  );
});

test('refuses a database another server holds', (t) => {
  const file = join(tempDir(t, 'papo-store-'), 'papo.db');
  openStore(t, file);
  assert.throws(
    () => SqliteHistory.open(file),
    (err: unknown) => err instanceof HistoryOpenError && /is locked: another papo server/.test(err.message),
  );
});

test('refuses a path it cannot write a database at', (t) => {
  const dir = tempDir(t, 'papo-store-');
  const file = join(dir, 'papo.db');
  mkdirSync(file); // a directory where the file should be: unwritable even for root
  assert.throws(
    () => SqliteHistory.open(file),
    (err: unknown) =>
      err instanceof HistoryOpenError && /cannot write the history database/.test(err.message),
  );
});

test('refuses a database from a newer papo, and migrates a fresh one to the current version', (t) => {
  const file = join(tempDir(t, 'papo-store-'), 'papo.db');
  SqliteHistory.open(file).close();
  const db = new Database(file);
  assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  db.close();
  assert.throws(
    () => SqliteHistory.open(file),
    (err: unknown) => err instanceof HistoryOpenError && /written by a newer papo/.test(err.message),
  );
});

function ftsIntegrity(file: string): void {
  const db = new Database(file);
  try {
    db.exec("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')");
  } finally {
    db.close();
  }
}

test('indexes for search in the background, and catches up on messages never indexed', (t) => {
  const file = join(tempDir(t, 'papo-store-'), 'papo.db');
  const first = SqliteHistory.open(file);
  for (let id = 1; id <= 3; id++) first.record(say(id, `palavra${id} comum`));
  first.flush();
  assert.equal(first.unindexedCount, 3, 'committing does not index');
  assert.equal(first.index(2), true);
  assert.equal(first.unindexedCount, 1);
  first.close(); // as if the process died before the next indexing step
  const again = openStore(t, file);
  assert.equal(again.unindexedCount, 1);
  assert.deepEqual(ids(again.search('palavra3', 5)), [3], 'search catches up first');
  assert.deepEqual(ids(again.search('comum', 5)).sort(), [1, 2, 3]);
  assert.equal(again.unindexedCount, 0);
  assert.equal(again.index(), false);
});

test('a flush waits for a worker more than maxBacklog ids behind, and not before', (t) => {
  const store = openStore(t, join(tempDir(t, 'papo-store-'), 'papo.db'), { maxBacklog: 5 });
  for (let id = 1; id <= 4; id++) store.record(say(id, `m${id}`));
  store.flush();
  assert.equal(store.unindexedCount, 4, 'within the bound, nothing waits for the index');
  for (let id = 5; id <= 8; id++) store.record(say(id, `m${id}`));
  store.flush(); // 8 ids journaled, none indexed
  assert.equal(store.unindexedCount, 0, 'past it, the flush waited for the worker to store and index');
  assert.deepEqual(ids(store.recent(10)), [1, 2, 3, 4, 5, 6, 7, 8]);
});

test('retention of messages not yet indexed keeps the search index consistent', (t) => {
  const file = join(tempDir(t, 'papo-store-'), 'papo.db');
  const store = SqliteHistory.open(file, { maxMessages: 4 });
  for (let id = 1; id <= 10; id++) store.record(say(id, `m${id} texto`));
  store.flush();
  store.index(3); // 1..3 indexed, 4..10 not
  assert.equal(store.prune(), false);
  assert.deepEqual(
    ids(store.search('texto', 20)).sort((a, b) => a - b),
    [7, 8, 9, 10],
  );
  store.close();
  ftsIntegrity(file);
});

test('migrates a version 1 database (index kept by a trigger) to the current schema', (t) => {
  const file = join(tempDir(t, 'papo-store-'), 'papo.db');
  const db = new Database(file);
  db.exec(MIGRATIONS[0] as string);
  db.pragma('user_version = 1');
  db.prepare(
    "INSERT INTO messages (id, ts, kind, sender, text) VALUES (5, 1, 'message', 'ana', 'dados antigos')",
  ).run();
  db.close();
  const store = openStore(t, file);
  assert.equal(store.unindexedCount, 0, 'what version 1 indexed counts as indexed');
  assert.deepEqual(ids(store.search('antigos', 5)), [5]);
  store.record(say(6, 'dados novos'));
  store.flush();
  assert.deepEqual(ids(store.search('dados', 5)).sort(), [5, 6]);
  assert.equal(store.nextEventId(), 7);
  store.close();
  ftsIntegrity(file);
});
